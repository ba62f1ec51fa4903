// SPDX-License-Identifier: GPL-2.0
/*
 * The fork entry: every fork passes it, so it is watched as cheaply as this
 * kernel allows.  Best, two plain probes bracketing copy_process(), the
 * second on the fork entry's error branch only, and the sched_process_fork
 * tracepoint for a fork that succeeded; else the pair on copy_process()'s
 * entry and on the fork entry's instruction after the call; else a
 * kretprobe on the fork entry.  Whichever it is, it claims the fork's
 * context, and at a failure classifies it and counts.
 */
#include <linux/kprobes.h>
#include <linux/sched.h>
#include <linux/errno.h>
#include <linux/err.h>
#include "probes.h"

#ifndef ERESTARTNOINTR
#define ERESTARTNOINTR 513
#endif

bool enomem_bracket = true;

/* ---- P0: the fork entry point ------------------------------------------ */

/*
 * Set by the first failed fork that finds a sub-probe miss.  Until then no
 * sub-probe has missed since the load (their counters started at 0 with
 * this module), so a fork's begin records 0 instead of summing every
 * sub-probe's counter, which a succeeding fork would pay for nothing; a
 * miss at any time after the load then makes that fork's evidence
 * doubtful, "unknown", as a snapshot would have.  Once a miss was seen,
 * each begin takes the snapshot, and only forks that overlap a miss lose
 * their reason.
 */
static bool enomem_sub_missed_seen;

/* A fork begins: what the clone asks for, and the sub-probes' misses so far. */
static void enomem_fork_begin_ctx(struct enomem_fork_ctx *ctx, u64 flags)
{
	ctx->sub_missed = unlikely(READ_ONCE(enomem_sub_missed_seen)) ?
			  enomem_probes_sub_nmissed() : 0;
	if (flags & CLONE_VFORK)
		ctx->kind = ENOMEM_K_VFORK;
	else if (flags & CLONE_THREAD)
		ctx->kind = ENOMEM_K_THREAD;
	if (flags & CLONE_NEWPID)
		ctx->flags |= ENOMEM_F_NEWPID;
	if (flags & CLONE_NEWUSER)
		ctx->flags |= ENOMEM_F_NEWUSER;
}

int enomem_fork_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct enomem_fork_ctx **slot = (void *)ri->data;
	struct enomem_fork_ctx *ctx;

	enomem_hit(ENOMEM_P_FORK);
	ctx = enomem_ctx_get();
	*slot = ctx;
	if (ctx)	/* else still watch the result: counted as missed */
		enomem_fork_begin_ctx(ctx, enomem_fork_entry_flags(regs));
	return 0;
}

/*
 * An ENOMEM after alloc_pid() was entered: is the namespace dead, or (up to
 * 4.14, where alloc_pid() says only NULL) are its numbers used up?  Both are
 * read here, at the fork's return.  A dead namespace stays dead (the flag
 * is only ever cleared), so this cannot see a death that did not happen; it
 * covers alloc_pid()'s own check and copy_process()'s later one (4.15+).
 * The namespace is current's pid_ns_for_children; with CLONE_NEWPID the
 * child's is a fresh one below it, never dead, whose exhaustion can only
 * come from the levels above, which the scan covers.  Where alloc_pid()'s
 * failure is seen by its own probe (no stage marker), a dead namespace is
 * read for every ENOMEM: the classifier names it only with that failure.
 */
static void enomem_fork_pid_facts(struct enomem_fork_ctx *ctx)
{
	struct pid_namespace *ns;

	bool sites = enomem_probes_sites_only();

	if (!(ctx->flags & ENOMEM_F_REACHED_PID) && !sites)
		return;
	ns = enomem_current_child_pidns();
	if (!ns)
		return;
	if (!(ctx->flags & ENOMEM_F_NEWPID) && enomem_pidns_dead(ns))
		ctx->flags |= ENOMEM_F_PIDNS_DEAD;
	else if (ENOMEM_ALLOC_PID_RETURNS_NULL &&
		 (sites ? (ctx->flags & ENOMEM_F_PID_FAILED) :
			  !(ctx->flags & ENOMEM_F_REACHED_PIDS)) &&
		 enomem_pid_space_full(ns))
		ctx->flags |= ENOMEM_F_PID_EXHAUSTED;
}

/* The fork's result: every failure is counted, with or without a context. */
static void enomem_fork_result(struct enomem_fork_ctx *ctx, int err)
{
	enum enomem_reason reason;
	bool failed;

	/* A signal restarts the fork (or the task is dying): nothing to see. */
	failed = err < 0 && err != -ERESTARTNOINTR && err != -EINTR;

	if (!ctx) {
		if (failed) {
			enomem_stats_count(err, ENOMEM_R_UNKNOWN);
			enomem_event_record(NULL, err, ENOMEM_R_UNKNOWN);
		}
		return;
	}
	if (failed) {
		if (err == -ENOMEM)
			enomem_fork_pid_facts(ctx);
		/*
		 * A sub-probe that missed an instance meanwhile may have
		 * missed this very fork's evidence: better "unknown" than a
		 * wrong reason.
		 */
		if (enomem_probes_sub_nmissed() != ctx->sub_missed) {
			WRITE_ONCE(enomem_sub_missed_seen, true);
			reason = ENOMEM_R_UNKNOWN;
		} else
			reason = enomem_classify(ctx, err);
		enomem_stats_count(err, reason);
		enomem_event_record(ctx, err, reason);
	}
	enomem_ctx_put(ctx);
}

int enomem_fork_return(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct enomem_fork_ctx *ctx = *(struct enomem_fork_ctx **)ri->data;

	if (!ctx)
		enomem_stats_count_missed();
	enomem_fork_result(ctx, (int)regs_return_value(regs));
	return 0;
}

/*
 * P0 without a return hook, where this kernel allows it: a probe on
 * copy_process()'s entry and one on the fork entry's instruction right
 * after its call of copy_process(), which sees copy_process()'s result in
 * %rax.  A kretprobe costs every fork its instance bookkeeping and the
 * return trampoline (on 3.10 a hashed spinlock on each side); a plain probe
 * on an ordinary instruction is one the kernel can jump-optimize.  Nothing
 * before copy_process() in the fork entry fails with anything but EINVAL,
 * and nothing after it fails at all, so the result is the fork's.
 */
static unsigned long enomem_fork_resume;	/* that instruction's address */
/* where the end probe finds copy_process()'s result (struct pt_regs) */
static unsigned int enomem_fork_result_reg = offsetof(struct pt_regs, ax);

int enomem_fork_begin(struct kprobe *p, struct pt_regs *regs)
{
	struct enomem_fork_ctx *ctx;

	/*
	 * copy_process() has other callers (idle tasks; from 5.12 io_uring's
	 * and from 6.4 vhost's workers) that never return to the fork entry:
	 * only a call from there claims a context, or it would never be put.
	 */
	if (*(unsigned long *)kernel_stack_pointer(regs) != enomem_fork_resume)
		return 0;
	enomem_hit(ENOMEM_P_FORK_BEGIN);
	ctx = enomem_ctx_get();
	if (!ctx) {	/* not followed: counted in missed only */
		enomem_stats_count_missed();
		return 0;
	}
	enomem_fork_begin_ctx(ctx, enomem_copy_process_flags(regs));
	return 0;
}

int enomem_fork_end(struct kprobe *p, struct pt_regs *regs)
{
	unsigned long ret = regs_get_register(regs, enomem_fork_result_reg);
	struct enomem_fork_ctx *ctx;

	enomem_hit(ENOMEM_P_FORK_END);
	/*
	 * No context: the slot table was full (counted in missed at the
	 * begin, like a kretprobe without a free instance), or the fork
	 * entered copy_process() while the begin was not live (loading,
	 * unloading).  Either way its result is not the module's to count.
	 */
	ctx = enomem_ctx_find();
	if (!ctx)
		return 0;
	/* a succeeding fork, the common case, only gives its context back */
	if (likely(!IS_ERR_VALUE(ret)))
		enomem_ctx_put(ctx);
	else
		enomem_fork_result(ctx, (int)(long)ret);
	return 0;
}

/*
 * Where the load-time check finds the fork entry's IS_ERR() branch on
 * copy_process()'s result (enomem_text_err_branch()), the end probe sits
 * on that branch and only a failing fork passes it.  A succeeding fork's
 * context is put here instead: the sched_process_fork tracepoint fires in
 * the parent right after copy_process() succeeded, and costs a fork a
 * patched jump and an indirect call where a jump-optimized kprobe costs
 * it a register save, the kprobes core's dispatch and a restore (on 3.10
 * the difference did not show in the bench: bench/results.md).
 * The end's handler is the same: a context lives only from
 * copy_process()'s entry to the test of its result, so one that is live
 * on the error branch was left by that test, with the error in the register
 * the test read (%rax, or where the fork entry keeps the result).
 */
static void enomem_fork_succeeded(void *data, struct task_struct *parent,
				  struct task_struct *child)
{
	struct enomem_fork_ctx *ctx;

	enomem_hit(ENOMEM_P_FORK_OK);
	ctx = enomem_ctx_find();
	if (ctx)
		enomem_ctx_put(ctx);
}

/* the fork entry that calls copy_process(), once found (enomem_fork_bracket) */
const char *enomem_fork_end_symbol[] = { ENOMEM_FORK_ENTRY_SYMBOLS, NULL };

/* The tracepoint's handler gone, and no longer running anywhere. */
void enomem_fork_ok_unregister(void)
{
	struct enomem_probe *ok = &enomem_probes[ENOMEM_P_FORK_OK];

	if (!ok->active)
		return;
	enomem_tp_fork_unregister(enomem_fork_succeeded);
	ok->active = false;
	ok->unneeded = true;
}

/*
 * P0 as a pair of plain probes (enomem_fork_begin/end): where exactly one
 * call of copy_process() is found in the fork entry, and this kernel's
 * copy_process() has the shape compat.h reads.  The end probe goes live
 * first, so that no context is claimed that nothing would put.  Not
 * possible: the fork entry's kretprobe.
 */
bool enomem_fork_bracket(void)
{
	struct enomem_probe *begin = &enomem_probes[ENOMEM_P_FORK_BEGIN];
	struct enomem_probe *end = &enomem_probes[ENOMEM_P_FORK_END];
	struct enomem_probe *ok = &enomem_probes[ENOMEM_P_FORK_OK];
	const char *const *sym;
	unsigned long off, resume;
	unsigned int result_reg;

	if (!ENOMEM_COPY_PROCESS_KNOWN || !enomem_bracket)
		return false;
	for (sym = enomem_probes[ENOMEM_P_FORK].symbols; *sym; sym++)
		if (enomem_text_call_sites(*sym, "copy_process", &off, 1) == 1)
			break;
	if (!*sym)
		return false;
	enomem_fork_end_symbol[0] = *sym;
	enomem_fork_end_symbol[1] = NULL;
	resume = off + 5;		/* call rel32 */
	end->unneeded = false;
	/*
	 * Best: the end on the error branch only, and the tracepoint for
	 * success.  Either refused: the end on the call's return, which every
	 * fork passes.
	 */
	end->offset = enomem_text_err_branch(*sym, resume, &result_reg);
	if (end->offset && !enomem_tp_fork_register(enomem_fork_succeeded)) {
		enomem_fork_result_reg = result_reg;
		ok->active = true;
		ok->unneeded = false;
		end->role = "fork-return(failure-only)";
		enomem_probe_register(end);
		if (!end->active)
			enomem_fork_ok_unregister();
	}
	if (!end->active) {
		enomem_fork_result_reg = offsetof(struct pt_regs, ax);
		end->offset = resume;
		end->role = "fork-return";
		enomem_probe_register(end);
	}
	if (!end->active)
		goto fail;
	enomem_fork_resume = (unsigned long)end->kp.addr - end->offset + resume;
	begin->unneeded = false;
	/*
	 * On copy_process()'s first instruction proper rather than its ftrace
	 * site: the kernel jump-optimizes a probe there, which costs a fork
	 * less than the ftrace path (on 3.10 a list walk over the ftrace
	 * ops).  Refused there: the ftrace site.
	 */
	begin->offset = enomem_text_body("copy_process");
	enomem_probe_register(begin);
	if (!begin->active && begin->offset) {
		begin->offset = 0;
		enomem_probe_register(begin);
	}
	if (begin->active)
		return true;
	enomem_probe_unregister(end);
	enomem_fork_ok_unregister();
fail:
	pr_info("enomem_stats: cannot bracket copy_process() (error %d, %d); the fork entry keeps its return probe\n",
		end->err, begin->err);
	begin->unneeded = true;
	end->unneeded = true;
	return false;
}

/* How the fork entry is watched, for the load message. */
const char *enomem_probes_fork_mode(void)
{
	if (!enomem_probes[ENOMEM_P_FORK_BEGIN].active)
		return "fork entry kretprobe";
	if (enomem_probes[ENOMEM_P_FORK_OK].active)
		return "copy_process() bracketed, success by tracepoint";
	return "copy_process() bracketed";
}

/* Forks the fork entry could not follow (the kprobes core's count). */
unsigned long enomem_probes_fork_nmissed(void)
{
	return enomem_probes[ENOMEM_P_FORK].rp.nmissed +
	       enomem_probes[ENOMEM_P_FORK_BEGIN].kp.nmissed +
	       enomem_probes[ENOMEM_P_FORK_END].kp.nmissed;
}
