// SPDX-License-Identifier: GPL-2.0
/*
 * The reason probes: the per-fork or cold functions whose results tell the
 * reasons apart.  Each handler finds the fork in flight (its context) and
 * sets a flag; the classifier reads the flags at the fork's failure.
 * Stage markers are entry probes placed by where the fork stopped, with no
 * return hook; failure-only site probes sit where only a refusal passes
 * (sites.c); a return probe is kept only where neither is possible.
 */
#include <linux/kprobes.h>
#include <linux/sched.h>
#include <linux/errno.h>
#include <linux/string.h>
#include "probes.h"

/* ---- stage markers: entry probes, no return hook ------------------------ */

static void enomem_mark(enum enomem_probe_id id, unsigned int flag)
{
	struct enomem_fork_ctx *ctx;

	enomem_hit(id);
	ctx = enomem_ctx_find();
	if (ctx)
		ctx->flags |= flag;
}

/*
 * The same for probes on functions that also run outside forks (mmap's
 * commit check, memcg reclaim): skip the lookup when no fork is in flight,
 * and count only the hits inside a fork.
 */
static void enomem_mark_cold(enum enomem_probe_id id, unsigned int flag)
{
	struct enomem_fork_ctx *ctx;

	if (!enomem_ctx_any_in_flight())
		return;
	ctx = enomem_ctx_find();
	if (!ctx)
		return;
	enomem_hit(id);
	ctx->flags |= flag;
}

/*
 * P1: copy_creds() entered.  Up to 5.13 the NPROC check precedes it, so a
 * fork that failed with EAGAIN without getting here hit RLIMIT_NPROC.  Its
 * own result is not needed: there copy_creds() fails with ENOMEM, EPERM,
 * EUSERS or ENOSPC, never EAGAIN.  From 5.14 the probe is not registered.
 */
int enomem_creds_pre(struct kprobe *p, struct pt_regs *regs)
{
	enomem_mark(ENOMEM_P_COPY_CREDS, ENOMEM_F_REACHED_CREDS);
	return 0;
}

/*
 * P2: alloc_pid() entered.  Its result is told by where the fork stopped:
 * an EAGAIN or ENOMEM after alloc_pid() was entered but before
 * pids_can_fork() was comes from alloc_pid() itself or the few steps
 * between them (a pidfd, CLONE_INTO_CGROUP), none of which fails with
 * EAGAIN; the classifier and the fork's return probe take it from there.
 */
int enomem_pid_pre(struct kprobe *p, struct pt_regs *regs)
{
	enomem_mark(ENOMEM_P_ALLOC_PID, ENOMEM_F_REACHED_PID);
	return 0;
}

/*
 * alloc_pid() frees its half-built struct pid (kmem_cache_free()) on its
 * failure paths only: a dead namespace (ENOMEM) and no free number (from
 * 4.15 idr's ENOSPC, returned as EAGAIN; up to 4.14 NULL, ENOMEM to the
 * caller).  A probe on those calls sees the
 * failure itself, and with the two other failure-only sites below the fork
 * needs no stage marker at all (classify.c).  The probe sits on alloc_pid()'s
 * own call instructions; the allocator is not probed.
 */
int enomem_pid_site_pre(struct kprobe *p, struct pt_regs *regs)
{
	enomem_mark(ENOMEM_P_PID_SITE, ENOMEM_F_PID_FAILED);
	return 0;
}

/* ---- P3: pids_can_fork(), the pids cgroup ------------------------------ */

/*
 * Entered.  Up to 4.14 (RHEL 7) that is enough (compat.h,
 * ENOMEM_PIDS_BY_STAGE); from 4.15 its refusal is seen by the failure-only
 * probe below where the load-time check found one, else by the kretprobe.
 */
int enomem_pids_pre(struct kprobe *p, struct pt_regs *regs)
{
	enomem_mark(ENOMEM_P_PIDS_CAN_FORK, ENOMEM_F_REACHED_PIDS);
	return 0;
}

/*
 * From 4.15 pids_can_fork() notifies the cgroup's pids.events file
 * (cgroup_file_notify(), in 6.x through pids_event()) when, and only when,
 * it refuses: a probe on that call inside it replaces the return probe.
 */
int enomem_pids_site_pre(struct kprobe *p, struct pt_regs *regs)
{
	enomem_mark(ENOMEM_P_PIDS_SITE, ENOMEM_F_PIDS_REFUSED);
	return 0;
}

int enomem_pids_return(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct enomem_fork_ctx *ctx;

	enomem_hit(ENOMEM_P_PIDS_CAN_FORK);
	ctx = enomem_ctx_find();
	if (!ctx)
		return 0;
	ctx->flags |= ENOMEM_F_REACHED_PIDS;
	if ((int)regs_return_value(regs))
		ctx->flags |= ENOMEM_F_PIDS_REFUSED;
	return 0;
}

/* ---- P4: is_rlimit_overlimit(), RLIMIT_NPROC from 5.14 ------------------ */

/*
 * Entered: copy_creds() succeeded.  Whether it said "over" is seen by the
 * probe on copy_process()'s capable() call: the kernel asks for
 * CAP_SYS_RESOURCE/CAP_SYS_ADMIN only for a fork over RLIMIT_NPROC by a
 * user other than root, and copy_process() calls capable() nowhere else.
 * Where that call is not found, the kretprobe below takes both roles.
 */
int enomem_rlimit_pre(struct kprobe *p, struct pt_regs *regs)
{
	enomem_mark(ENOMEM_P_RLIMIT, ENOMEM_F_REACHED_NPROC);
	return 0;
}

int enomem_nproc_site_pre(struct kprobe *p, struct pt_regs *regs)
{
	enomem_mark(ENOMEM_P_NPROC_SITE, ENOMEM_F_NPROC_OVER);
	return 0;
}

/*
 * copy_process() calls it right after copy_creds() succeeded, on every
 * fork: "returned" also says that copy_creds() did not fail.
 */
int enomem_rlimit_return(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct enomem_fork_ctx *ctx;

	enomem_hit(ENOMEM_P_RLIMIT);
	ctx = enomem_ctx_find();
	if (!ctx)
		return 0;
	ctx->flags |= ENOMEM_F_REACHED_NPROC;
	/* bool: only %al is defined */
	if ((u8)regs_return_value(regs))
		ctx->flags |= ENOMEM_F_NPROC_OVER;
	return 0;
}

/* ---- P5: __vm_enough_memory(), commit refusal, filtered to forks ------- */

int enomem_vm_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct enomem_vm_data *d = (void *)ri->data;

	/* mmap/brk call this too: leave them alone unless a fork is running */
	if (!enomem_ctx_any_in_flight())
		return 1;
	d->ctx = enomem_ctx_find();
	if (!d->ctx)
		return 1;
	enomem_hit(ENOMEM_P_VM_ENOUGH);
	d->pages = enomem_arg(regs, 1);
	return 0;
}

int enomem_vm_return(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct enomem_vm_data *d = (void *)ri->data;

	if ((int)regs_return_value(regs) != -ENOMEM)
		return 0;
	d->ctx->flags |= ENOMEM_F_VM_REFUSED;
	d->ctx->vm_pages = d->pages;
	return 0;
}

/*
 * A refusal seen by a failure-only variant: a fork's evidence if current
 * is forking, else a mapping call's failure for maps.c (which checks that
 * current is in one) whatever maps= says.
 */
static void enomem_vm_refused(enum enomem_probe_id id)
{
	struct enomem_fork_ctx *ctx;

	enomem_hit(id);		/* every refusal, the forks' and the others' */
	ctx = enomem_ctx_any_in_flight() ? enomem_ctx_find() : NULL;
	if (ctx)
		ctx->flags |= ENOMEM_F_VM_REFUSED;
	else
		enomem_maps_commit_refused();
}

/*
 * P5, failure-only variant: from 5.12 __vm_enough_memory() reports each
 * refusal through pr_warn_ratelimited(), i.e. ___ratelimit(state,
 * "__vm_enough_memory"), which it calls on its refusal path only.  Where
 * the load-time check finds that call in this kernel's __vm_enough_memory
 * (enomem_text_calls()), this entry probe replaces the kretprobe, and an
 * mmap or brk that passes the commit check pays nothing.  The refused
 * request's size is not known then (the event shows the limit only).
 */
int enomem_vm_warn_pre(struct kprobe *p, struct pt_regs *regs)
{
	const char *func = (const char *)enomem_arg(regs, 1);

	if (func && !strcmp(func, "__vm_enough_memory"))
		enomem_vm_refused(ENOMEM_P_VM_WARN);
	return 0;
}

/*
 * P5, failure-only variant where __vm_enough_memory() does not warn (3.10,
 * 5.10): an entry-less probe on the one instruction of its body that loads
 * -ENOMEM as its return value, found at load (enomem_text_errno_site()).
 */
int enomem_vm_err_pre(struct kprobe *p, struct pt_regs *regs)
{
	enomem_vm_refused(ENOMEM_P_VM_ERR);
	return 0;
}

/* ---- cold: memory cgroup at its limit ---------------------------------- */

/* A charge inside the fork found its memcg at the limit and reclaims. */
int enomem_memcg_reclaim_pre(struct kprobe *p, struct pt_regs *regs)
{
	enomem_mark_cold(ENOMEM_P_MEMCG_RECLAIM, ENOMEM_F_MEMCG);
	enomem_maps_memcg_reclaim();
	return 0;
}

int enomem_oom_pre(struct kprobe *p, struct pt_regs *regs)
{
	if (enomem_oom_is_memcg(regs))
		enomem_mark_cold(ENOMEM_P_MEMCG_OOM, ENOMEM_F_MEMCG);
	return 0;
}

/* RHEL 7: kmem charges fail here once a memcg kmem limit is set. */
int enomem_memcg_kmem_return(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	if ((int)regs_return_value(regs))
		enomem_mark_cold(ENOMEM_P_MEMCG_KMEM, ENOMEM_F_MEMCG);
	return 0;
}
