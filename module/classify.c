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
#include "enomem_stats.h"

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

static enum enomem_reason enomem_classify_eagain(const struct enomem_fork_ctx *ctx)
{
	unsigned int f = ctx->flags;

	if (f & ENOMEM_F_PIDS_REFUSED)
		return ENOMEM_R_CGROUP_PIDS;
	if ((f & ENOMEM_F_PID_FAILED) && ctx->pid_err == -EAGAIN)
		return ENOMEM_R_PID_MAX;
	/* e.g. ucounts allocation for CLONE_NEWUSER: not a limit we name */
	if (f & ENOMEM_F_CREDS_FAILED)
		return ENOMEM_R_UNKNOWN;

	if (ENOMEM_NPROC_AFTER_CREDS) {
		if (!enomem_probe_active(ENOMEM_P_RLIMIT))
			return ENOMEM_R_UNKNOWN;
		if ((f & ENOMEM_F_NPROC_OVER) && !enomem_nproc_exempt())
			return ENOMEM_R_NPROC;
	} else {
		if (!enomem_probe_active(ENOMEM_P_COPY_CREDS))
			return ENOMEM_R_UNKNOWN;
		if (!(f & ENOMEM_F_REACHED_CREDS))
			return ENOMEM_R_NPROC;
	}

	/*
	 * kernel.threads-max is an inline test with nothing to probe: it is
	 * what is left once pids.max, pid_max and NPROC have been ruled out.
	 * From 5.14 copy_creds() precedes it and only reports its failures,
	 * so the stage marker is needed only on older kernels.
	 */
	if (enomem_probe_active(ENOMEM_P_ALLOC_PID) &&
	    enomem_probe_active(ENOMEM_P_COPY_CREDS) &&
	    (ENOMEM_NPROC_AFTER_CREDS || (f & ENOMEM_F_REACHED_CREDS)) &&
	    (enomem_probe_active(ENOMEM_P_PIDS_CAN_FORK) ||
	     !IS_ENABLED(CONFIG_CGROUP_PIDS)))
		return ENOMEM_R_THREADS_MAX;
	return ENOMEM_R_UNKNOWN;
}

static enum enomem_reason enomem_classify_enomem(const struct enomem_fork_ctx *ctx)
{
	unsigned int f = ctx->flags;

	if (f & ENOMEM_F_PID_FAILED) {
		if (f & ENOMEM_F_PIDNS_DEAD)
			return ENOMEM_R_PIDNS_DEAD;
		if (f & ENOMEM_F_PID_EXHAUSTED)
			return ENOMEM_R_PID_MAX;
	}
	if (f & ENOMEM_F_PIDNS_DEAD)	/* the late check after alloc_pid() */
		return ENOMEM_R_PIDNS_DEAD;
	if (f & ENOMEM_F_VM_REFUSED)
		return ENOMEM_R_COMMIT;
	if ((f & ENOMEM_F_MEMCG) || enomem_memcg_at_limit())
		return ENOMEM_R_MEMCG;

	/* A real allocation failure is what remains when no limit spoke up. */
	if (enomem_probe_active(ENOMEM_P_ALLOC_PID) &&
	    enomem_probe_active(ENOMEM_P_VM_ENOUGH) &&
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
	static const char exact[] = "exact", elim[] = "by-elimination",
			  none[] = "unavailable";
	bool pid = enomem_probe_active(ENOMEM_P_ALLOC_PID);
	bool creds = enomem_probe_active(ENOMEM_P_COPY_CREDS);
	bool pids = enomem_probe_active(ENOMEM_P_PIDS_CAN_FORK) ||
		    !IS_ENABLED(CONFIG_CGROUP_PIDS);
	bool nproc = ENOMEM_NPROC_AFTER_CREDS ?
		     enomem_probe_active(ENOMEM_P_RLIMIT) : creds;
	bool memcg = enomem_probe_active(ENOMEM_P_MEMCG_RECLAIM) ||
		     enomem_probe_active(ENOMEM_P_MEMCG_KMEM);

	switch (reason) {
	case ENOMEM_R_PID_MAX:
	case ENOMEM_R_PIDNS_DEAD:
		return pid ? exact : none;
	case ENOMEM_R_COMMIT:
		return enomem_probe_active(ENOMEM_P_VM_ENOUGH) ? exact : none;
	case ENOMEM_R_CGROUP_PIDS:
		if (!IS_ENABLED(CONFIG_CGROUP_PIDS))
			return "not-in-kernel";
		return enomem_probe_active(ENOMEM_P_PIDS_CAN_FORK) ? exact : none;
	case ENOMEM_R_NPROC:
		return nproc ? exact : none;
	case ENOMEM_R_THREADS_MAX:
		return pid && creds && pids && nproc ? elim : none;
	case ENOMEM_R_MEMCG:
		return memcg ? exact : none;
	case ENOMEM_R_SLAB:
		return pid && enomem_probe_active(ENOMEM_P_VM_ENOUGH) &&
		       (memcg || !IS_ENABLED(CONFIG_MEMCG)) ? elim : none;
	case ENOMEM_R_OTHER:
		return exact;
	default:
		return "-";
	}
}
