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

/* pids_can_fork() is watched: its refusal, or up to 4.14 its entry. */
static bool enomem_pids_known(void)
{
	return enomem_probe_active(ENOMEM_P_PIDS_CAN_FORK) ||
	       !IS_ENABLED(CONFIG_CGROUP_PIDS);
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
	return ENOMEM_NPROC_AFTER_CREDS ? enomem_probe_active(ENOMEM_P_RLIMIT) :
					  enomem_probe_active(ENOMEM_P_COPY_CREDS);
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

	/* read at the fork's return (probes.c), only past alloc_pid()'s entry */
	if (f & ENOMEM_F_PIDNS_DEAD)
		return ENOMEM_R_PIDNS_DEAD;
	if (f & ENOMEM_F_PID_EXHAUSTED)
		return ENOMEM_R_PID_MAX;
	if (f & ENOMEM_F_VM_REFUSED)
		return ENOMEM_R_COMMIT;
	if ((f & ENOMEM_F_MEMCG) || enomem_memcg_at_limit())
		return ENOMEM_R_MEMCG;

	/* A real allocation failure is what remains when no limit spoke up. */
	if (enomem_probe_active(ENOMEM_P_ALLOC_PID) && enomem_commit_known() &&
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
	bool pid = enomem_probe_active(ENOMEM_P_ALLOC_PID);
	bool pids = enomem_pids_known();
	bool nproc = enomem_nproc_known();
	bool memcg = enomem_probe_active(ENOMEM_P_MEMCG_RECLAIM) ||
		     enomem_probe_active(ENOMEM_P_MEMCG_KMEM);

	switch (reason) {
	case ENOMEM_R_PID_MAX:
		return pid && pids ? stage : none;
	case ENOMEM_R_PIDNS_DEAD:
		return pid ? stage : none;
	case ENOMEM_R_COMMIT:
		return enomem_commit_known() ? exact : none;
	case ENOMEM_R_CGROUP_PIDS:
		if (!IS_ENABLED(CONFIG_CGROUP_PIDS))
			return "not-in-kernel";
		if (!enomem_probe_active(ENOMEM_P_PIDS_CAN_FORK))
			return none;
		return enomem_probe_is_marker(ENOMEM_P_PIDS_CAN_FORK) ? stage : exact;
	case ENOMEM_R_NPROC:
		if (!nproc)
			return none;
		return ENOMEM_NPROC_AFTER_CREDS ? exact : stage;
	case ENOMEM_R_THREADS_MAX:
		return pid && pids && nproc ? elim : none;
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
