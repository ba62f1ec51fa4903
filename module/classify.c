// SPDX-License-Identifier: GPL-2.0
/*
 * The classifier: one failed fork, exactly one reason.
 *
 * It runs once, when the fork entry point returns an error, and reads only
 * what the sub-probes recorded in the fork's context plus a few facts that
 * cannot change under us (a dead pid namespace stays dead, current's own
 * credentials).  The first matching rule wins.  A rule that concludes "by
 * elimination" only fires when every probe that could have said otherwise is
 * registered; otherwise the fork is honestly "unknown".
 */
#include <linux/sched.h>
#include <linux/cred.h>
#include <linux/capability.h>
#include <linux/user_namespace.h>
#include <linux/uidgid.h>
#include <linux/errno.h>
#include <linux/bitops.h>
#include "enomem_stats.h"

/*
 * Which probes registered, and which of those are entry-only stage markers:
 * probes.c tells us as it (un)registers them, so evidence flows one way,
 * probe -> classifier, and nothing here calls back into the probes.
 */
static unsigned long enomem_sources_active, enomem_sources_marker;

void enomem_classify_source(enum enomem_probe_id id, bool active, bool marker)
{
	if (active)
		set_bit(id, &enomem_sources_active);
	else
		clear_bit(id, &enomem_sources_active);
	if (marker)
		set_bit(id, &enomem_sources_marker);
	else
		clear_bit(id, &enomem_sources_marker);
}

static bool enomem_probe_active(enum enomem_probe_id id)
{
	return test_bit(id, &enomem_sources_active);
}

static bool enomem_probe_is_marker(enum enomem_probe_id id)
{
	return test_bit(id, &enomem_sources_marker);
}

/*
 * The kernel exempts root and CAP_SYS_ADMIN/CAP_SYS_RESOURCE holders from
 * RLIMIT_NPROC.  capable() must not be called here (it audits and sets
 * PF_SUPERPRIV), so mirror its answer for the initial user namespace.
 */
static bool enomem_nproc_exempt(void)
{
	const struct cred *cred = current_cred();

	if (uid_eq(cred->uid, GLOBAL_ROOT_UID))
		return true;
	if (cred->user_ns != &init_user_ns)
		return false;
	return cap_raised(cred->cap_effective, CAP_SYS_ADMIN) ||
	       cap_raised(cred->cap_effective, CAP_SYS_RESOURCE);
}

/*
 * pids_can_fork() is watched where the stage rules need it: its return, its
 * entry (up to 4.14, or beside the failure-only site).
 */
static bool enomem_pids_known(void)
{
	return enomem_probe_active(ENOMEM_P_PIDS_CAN_FORK) ||
	       !IS_ENABLED(CONFIG_CGROUP_PIDS);
}

/* alloc_pid() is watched: its entry, or (4.15+) its failure. */
static bool enomem_pid_known(void)
{
	return enomem_probe_active(ENOMEM_P_ALLOC_PID) ||
	       enomem_probe_active(ENOMEM_P_PID_SITE);
}

/*
 * No stage markers: the three failure-only sites (pids_can_fork()'s
 * refusal, copy_process()'s capable() call, alloc_pid()'s failure) are live
 * and probes.c registered no marker (wherever all three are found in the
 * running kernel's code, RHEL 7's included).
 */
static bool enomem_sites_only(void)
{
	return enomem_probe_active(ENOMEM_P_PID_SITE) &&
	       enomem_probe_active(ENOMEM_P_PIDS_SITE) &&
	       enomem_probe_active(ENOMEM_P_NPROC_SITE);
}

/* Commit refusals are seen: by the kretprobe, or failure-only (5.12+). */
static bool enomem_commit_known(void)
{
	return enomem_probe_active(ENOMEM_P_VM_ENOUGH) ||
	       enomem_probe_active(ENOMEM_P_VM_WARN) ||
	       enomem_probe_active(ENOMEM_P_VM_ERR);
}

/*
 * NPROC is told apart: by is_rlimit_overlimit() (5.14+: its return, or its
 * entry plus copy_process()'s capable() calls) or by copy_creds().
 */
static bool enomem_nproc_known(void)
{
	if (enomem_sites_only())
		return true;
	return ENOMEM_NPROC_AFTER_CREDS ? enomem_probe_active(ENOMEM_P_RLIMIT) :
					  enomem_probe_active(ENOMEM_P_COPY_CREDS);
}

/*
 * EAGAIN with the sites only.  Each site is reached only by its refusal,
 * and alloc_pid()'s only EAGAIN (4.15+) is "no free number" (idr's
 * ENOSPC).  What copy_process() returns as EAGAIN otherwise: copy_creds()
 * (5.14+, only with CLONE_NEWUSER, when set_cred_ucounts() cannot
 * allocate), the threads-max test, and right after it sched_fork()'s
 * SCHED_DEADLINE refusal (3.10: also try_module_get() of the exec domain);
 * nothing after alloc_pid() but pids_can_fork() (source read: RHEL 7.9,
 * 5.10, 6.1, 6.12).
 */
static enum enomem_reason enomem_classify_eagain_sites(unsigned int f)
{
	if (f & ENOMEM_F_PID_FAILED)
		return ENOMEM_R_PID_MAX;
	if ((f & ENOMEM_F_NPROC_OVER) && !enomem_nproc_exempt())
		return ENOMEM_R_NPROC;
	if (f & ENOMEM_F_NEWUSER)
		return ENOMEM_R_UNKNOWN;
	return ENOMEM_R_THREADS_MAX;
}

/*
 * EAGAIN, in copy_process() order: NPROC, threads-max (and SCHED_DEADLINE
 * parents in sched_fork()), alloc_pid() (4.1+), pids_can_fork().  The stage
 * markers say how far the fork got; return probes, or probes on calls only
 * a refusal makes, say who refused.
 */
static enum enomem_reason enomem_classify_eagain(const struct enomem_fork_ctx *ctx)
{
	unsigned int f = ctx->flags;

	if (f & ENOMEM_F_PIDS_REFUSED)
		return ENOMEM_R_CGROUP_PIDS;
	if (enomem_sites_only())
		return enomem_classify_eagain_sites(f);
	/* up to 4.14 nothing after pids_can_fork() returns EAGAIN */
	if (ENOMEM_PIDS_BY_STAGE && (f & ENOMEM_F_REACHED_PIDS))
		return ENOMEM_R_CGROUP_PIDS;
	if (f & ENOMEM_F_REACHED_PID) {
		/*
		 * Between entering alloc_pid() and pids_can_fork() the only
		 * EAGAIN is alloc_pid()'s own: no free pid number.  Past
		 * pids_can_fork() with no refusal from it: not a limit we name.
		 */
		if (!(f & ENOMEM_F_REACHED_PIDS) && enomem_pids_known() &&
		    enomem_probe_active(ENOMEM_P_ALLOC_PID))
			return ENOMEM_R_PID_MAX;
		return ENOMEM_R_UNKNOWN;
	}

	if (!enomem_nproc_known())
		return ENOMEM_R_UNKNOWN;
	if (ENOMEM_NPROC_AFTER_CREDS) {
		/*
		 * Not back from is_rlimit_overlimit(): copy_creds() failed
		 * (e.g. ucounts for CLONE_NEWUSER), not a limit we name.
		 */
		if (!(f & ENOMEM_F_REACHED_NPROC))
			return ENOMEM_R_UNKNOWN;
		if ((f & ENOMEM_F_NPROC_OVER) && !enomem_nproc_exempt())
			return ENOMEM_R_NPROC;
	} else {
		if (!(f & ENOMEM_F_REACHED_CREDS))
			return ENOMEM_R_NPROC;
	}

	/*
	 * kernel.threads-max is an inline test with nothing to probe: it is
	 * what is left of the steps before alloc_pid() once NPROC has been
	 * ruled out.
	 */
	if (enomem_probe_active(ENOMEM_P_ALLOC_PID) && enomem_pids_known())
		return ENOMEM_R_THREADS_MAX;
	return ENOMEM_R_UNKNOWN;
}

static enum enomem_reason enomem_classify_enomem(const struct enomem_fork_ctx *ctx)
{
	unsigned int f = ctx->flags;

	/*
	 * Read at the fork's return (fork.c): past alloc_pid()'s entry, or
	 * with its failure-only probe at every ENOMEM, named only if
	 * alloc_pid() failed.  A dead namespace without that failure (one that
	 * died after alloc_pid() succeeded, caught by copy_process()'s second
	 * check, or a failure before alloc_pid()) is not placed: unknown,
	 * unless a limit below spoke up.
	 */
	if ((f & ENOMEM_F_PIDNS_DEAD) &&
	    (!enomem_sites_only() || (f & ENOMEM_F_PID_FAILED)))
		return ENOMEM_R_PIDNS_DEAD;
	if (f & ENOMEM_F_PID_EXHAUSTED)
		return ENOMEM_R_PID_MAX;
	if (f & ENOMEM_F_VM_REFUSED)
		return ENOMEM_R_COMMIT;
	if ((f & ENOMEM_F_MEMCG) || enomem_memcg_at_limit())
		return ENOMEM_R_MEMCG;
	if (f & ENOMEM_F_PIDNS_DEAD)
		return ENOMEM_R_UNKNOWN;

	/* A real allocation failure is what remains when no limit spoke up. */
	if (enomem_pid_known() && enomem_commit_known() &&
	    (enomem_probe_active(ENOMEM_P_MEMCG_RECLAIM) ||
	     enomem_probe_active(ENOMEM_P_MEMCG_KMEM) || !IS_ENABLED(CONFIG_MEMCG)))
		return ENOMEM_R_SLAB;
	return ENOMEM_R_UNKNOWN;
}

enum enomem_reason enomem_classify(const struct enomem_fork_ctx *ctx, int err)
{
	if (err == -EAGAIN)
		return enomem_classify_eagain(ctx);
	if (err == -ENOMEM)
		return enomem_classify_enomem(ctx);
	return ENOMEM_R_OTHER;
}

/* How well this kernel, with the probes that registered, tells a reason. */
const char *enomem_reason_support(enum enomem_reason reason)
{
	static const char exact[] = "exact", stage[] = "exact(stage)",
			  elim[] = "by-elimination", none[] = "unavailable";
	bool pid = enomem_pid_known();
	bool sites = enomem_sites_only();
	bool pids = enomem_pids_known();
	bool nproc = enomem_nproc_known();
	bool memcg = enomem_probe_active(ENOMEM_P_MEMCG_RECLAIM) ||
		     enomem_probe_active(ENOMEM_P_MEMCG_KMEM);

	switch (reason) {
	case ENOMEM_R_PID_MAX:
		if (sites)	/* alloc_pid() failed; up to 4.14 plus a bitmap scan */
			return ENOMEM_ALLOC_PID_RETURNS_NULL ? "exact(scan)" : exact;
		return pid && pids ? stage : none;
	case ENOMEM_R_PIDNS_DEAD:
		if (sites)
			return exact;
		return pid ? stage : none;
	case ENOMEM_R_COMMIT:
		return enomem_commit_known() ? exact : none;
	case ENOMEM_R_CGROUP_PIDS:
		if (!IS_ENABLED(CONFIG_CGROUP_PIDS))
			return "not-in-kernel";
		if (enomem_probe_active(ENOMEM_P_PIDS_SITE))
			return exact;
		if (!enomem_probe_active(ENOMEM_P_PIDS_CAN_FORK))
			return none;
		return enomem_probe_is_marker(ENOMEM_P_PIDS_CAN_FORK) ? stage : exact;
	case ENOMEM_R_NPROC:
		if (!nproc)
			return none;
		return ENOMEM_NPROC_AFTER_CREDS || sites ? exact : stage;
	case ENOMEM_R_THREADS_MAX:
		return sites || (pid && pids && nproc) ? elim : none;
	case ENOMEM_R_MEMCG:
		return memcg ? exact : none;
	case ENOMEM_R_SLAB:
		return pid && enomem_commit_known() &&
		       (memcg || !IS_ENABLED(CONFIG_MEMCG)) ? elim : none;
	case ENOMEM_R_OTHER:
		return exact;
	default:
		return "-";
	}
}
