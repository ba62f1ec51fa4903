// SPDX-License-Identifier: GPL-2.0
/*
 * Failure-only sites, found once at load in this kernel's own code (through
 * textscan.c): the call or instruction that only a refusal executes, for
 * the commit check, pids_can_fork(), copy_process()'s RLIMIT_NPROC check and
 * alloc_pid().  A probe there costs a succeeding fork or mmap nothing; where
 * one is not found, its table entry stays unneeded and the general probe
 * registers instead.  Runs before registration (probes.c).
 */
#include <linux/kprobes.h>
#include <linux/errno.h>
#include "probes.h"

/*
 * Failure-only sites for the two per-fork return probes left (4.15+):
 * pids_can_fork()'s refusal notice and copy_process()'s capable() call, found
 * in this kernel's code at load.  Not found: the return probes stay.
 */
static void enomem_site_set(struct enomem_probe *p, const char *fn,
			    const char *callee)
{
	unsigned long offs[ENOMEM_SITES_MAX];
	int i, n = enomem_text_call_sites(fn, callee, offs, ENOMEM_SITES_MAX);

	if (n <= 0)
		return;
	p->offset = offs[0];
	p->more->n = n - 1;
	for (i = 1; i < n; i++)
		p->more->offset[i - 1] = offs[i];
}

void enomem_probes_find_sites(void)
{
	struct enomem_probe *pids = &enomem_probes[ENOMEM_P_PIDS_SITE];
	struct enomem_probe *nproc = &enomem_probes[ENOMEM_P_NPROC_SITE];
	struct enomem_probe *pid = &enomem_probes[ENOMEM_P_PID_SITE];
	bool vm_warn;

	/*
	 * Commit refusals: a failure-only probe where this kernel's build
	 * allows one (its warning's ___ratelimit() call, else its -ENOMEM
	 * return site), so that mmap and fork pay nothing for them; the
	 * kretprobe on __vm_enough_memory() is the fallback.
	 */
	vm_warn = enomem_text_calls("__vm_enough_memory", "___ratelimit");
	enomem_probes[ENOMEM_P_VM_WARN].unneeded = !vm_warn;
	enomem_probes[ENOMEM_P_VM_ERR].offset = vm_warn ? 0 :
		enomem_text_errno_site("__vm_enough_memory", ENOMEM);
	enomem_probes[ENOMEM_P_VM_ERR].unneeded =
		!enomem_probes[ENOMEM_P_VM_ERR].offset;

	/*
	 * Best: the one instruction that loads -EAGAIN as pids_can_fork()'s
	 * return value (RHEL 7).  Unlike a call, a 5-byte mov is an
	 * instruction the kernel can jump-optimize: a refusal then costs no
	 * trap.  (Hit by a succeeding fork, were the compiler to load it
	 * early, it would show in success_path_passes_fork_entry_only.)
	 */
	pids->offset = enomem_text_errno_site("pids_can_fork", EAGAIN);
	if (pids->offset) {
		pids->more->n = 0;
	} else if (ENOMEM_PIDS_BY_STAGE) {
		/*
		 * RHEL 7's backport drops the css reference it took only when
		 * it refuses (css_put() of a non-root css, the only kind with
		 * a limit).
		 */
		enomem_site_set(pids, "pids_can_fork", "__css_put");
	} else {
		/* 6.x calls pids_event() where it is not inlined */
		enomem_site_set(pids, "pids_can_fork", "pids_event");
		if (!pids->offset)
			enomem_site_set(pids, "pids_can_fork", "cgroup_file_notify");
	}
	pids->unneeded = !pids->offset;
	/* before and after 5.14 alike: capable() only when over RLIMIT_NPROC */
	enomem_site_set(nproc, "copy_process", "capable");
	nproc->unneeded = !nproc->offset;
	/* worth it only with both others: then no fork needs a stage marker */
	if (pids->offset && nproc->offset)
		enomem_site_set(pid, "alloc_pid", "kmem_cache_free");
	pid->unneeded = !pid->offset;
}

/*
 * All three failure-only sites live (4.15+ and 5.14+ kernels where they are
 * found): every reason a stage marker placed is seen by a site instead, and
 * the markers are not registered.  A fork that succeeds then passes no probe
 * but the fork entry's.
 */
bool enomem_probes_sites_only(void)
{
	return enomem_probes[ENOMEM_P_PID_SITE].active &&
	       enomem_probes[ENOMEM_P_PIDS_SITE].active &&
	       enomem_probes[ENOMEM_P_NPROC_SITE].active;
}
