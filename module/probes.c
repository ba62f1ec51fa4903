// SPDX-License-Identifier: GPL-2.0
/*
 * The probes: the fork entry, and the few per-fork or cold functions whose
 * results tell the reasons apart.
 *
 * Every probe is optional.  A symbol missing on this kernel degrades the
 * attribution (the debugfs "probes" file says which reasons remain exact)
 * instead of failing the load; only the fork entry itself is required.
 * Handlers never sleep, never allocate and never call capable().
 *
 * Cost: every fork passes the fork entry.  Where the kernel allows, that is
 * a pair of plain probes bracketing copy_process() (its first instruction,
 * and the fork entry's instruction after the call, both of which the kernel
 * jump-optimizes), not a kretprobe; where the fork entry's error branch is
 * found too, the second of the pair sits there, a succeeding fork is seen
 * by the sched_process_fork tracepoint instead, and so passes one probe.
 * Where the load-time search finds the calls that
 * pids_can_fork(), copy_process() and alloc_pid() make only when they
 * refuse (the failure-only sites), that is all a succeeding fork passes.
 * Elsewhere per-fork sub-probes come back: entry probes (stage markers)
 * wherever the result of the probed function can be told from where the
 * fork stopped, since a return hook costs a fork more (on 3.10 a hashed
 * spinlock per return).  The work in each handler is one context lookup and
 * a flag; everything else is done only when the fork fails.
 */
#include <linux/kprobes.h>
#include <linux/sched.h>
#include <linux/percpu.h>
#include <linux/seq_file.h>
#include <linux/cpumask.h>
#include <linux/errno.h>
#include <linux/err.h>
#include <linux/string.h>
#include "enomem_stats.h"

#ifndef ERESTARTNOINTR
#define ERESTARTNOINTR 513
#endif

unsigned int enomem_maxactive;
bool enomem_bracket = true;

/*
 * A failure-only site probe may need a probe on each of several calls (a
 * compiler can lay one source-level call out more than once): the first is
 * the table entry's own kprobe, the others are here.
 */
#define ENOMEM_SITES_MAX 4

struct enomem_more_sites {
	unsigned int n;
	unsigned long offset[ENOMEM_SITES_MAX - 1];
	struct kprobe kp[ENOMEM_SITES_MAX - 1];
};

static struct enomem_more_sites enomem_more_pids, enomem_more_nproc,
				 enomem_more_pid;

struct enomem_probe {
	const char *const *symbols;	/* candidates, NULL-terminated */
	const char *role;		/* what it tells apart, for the probes file */
	bool ret;			/* kretprobe (else kprobe) */
	bool unneeded;			/* this kernel's attribution does without it */
	unsigned long offset;		/* kprobe: into the function, else 0 */
	size_t data_size;
	kretprobe_handler_t entry;
	kretprobe_handler_t exit;
	kprobe_pre_handler_t pre;
	struct enomem_more_sites *more;	/* site probes: the other call sites */
	/* state */
	struct kretprobe rp;
	struct kprobe kp;
	const char *symbol;		/* the one that registered */
	int err;
	bool active;
};

static DEFINE_PER_CPU(unsigned long [ENOMEM_NR_PROBES], enomem_probe_hits);

#define enomem_hit(id) this_cpu_inc(enomem_probe_hits[id])

static unsigned long enomem_probes_sub_nmissed(void);
static void enomem_probes_list_missed(void);
static bool enomem_sites_only(void);
static struct enomem_probe enomem_probes[ENOMEM_NR_PROBES];

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

static int enomem_fork_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
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

	bool sites = enomem_sites_only();

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

static int enomem_fork_return(struct kretprobe_instance *ri, struct pt_regs *regs)
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

static int enomem_fork_begin(struct kprobe *p, struct pt_regs *regs)
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

static int enomem_fork_end(struct kprobe *p, struct pt_regs *regs)
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
 * the difference did not show in the bench: README, "What it costs").
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
static int enomem_creds_pre(struct kprobe *p, struct pt_regs *regs)
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
static int enomem_pid_pre(struct kprobe *p, struct pt_regs *regs)
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
static int enomem_pid_site_pre(struct kprobe *p, struct pt_regs *regs)
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
static int enomem_pids_pre(struct kprobe *p, struct pt_regs *regs)
{
	enomem_mark(ENOMEM_P_PIDS_CAN_FORK, ENOMEM_F_REACHED_PIDS);
	return 0;
}

/*
 * From 4.15 pids_can_fork() notifies the cgroup's pids.events file
 * (cgroup_file_notify(), in 6.x through pids_event()) when, and only when,
 * it refuses: a probe on that call inside it replaces the return probe.
 */
static int enomem_pids_site_pre(struct kprobe *p, struct pt_regs *regs)
{
	enomem_mark(ENOMEM_P_PIDS_SITE, ENOMEM_F_PIDS_REFUSED);
	return 0;
}

static int __maybe_unused enomem_pids_return(struct kretprobe_instance *ri, struct pt_regs *regs)
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
static int enomem_rlimit_pre(struct kprobe *p, struct pt_regs *regs)
{
	enomem_mark(ENOMEM_P_RLIMIT, ENOMEM_F_REACHED_NPROC);
	return 0;
}

static int enomem_nproc_site_pre(struct kprobe *p, struct pt_regs *regs)
{
	enomem_mark(ENOMEM_P_NPROC_SITE, ENOMEM_F_NPROC_OVER);
	return 0;
}

/*
 * copy_process() calls it right after copy_creds() succeeded, on every
 * fork: "returned" also says that copy_creds() did not fail.
 */
static int enomem_rlimit_return(struct kretprobe_instance *ri, struct pt_regs *regs)
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

struct enomem_vm_data {
	struct enomem_fork_ctx *ctx;
	unsigned long pages;
};

static int enomem_vm_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
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

static int enomem_vm_return(struct kretprobe_instance *ri, struct pt_regs *regs)
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
static int enomem_vm_warn_pre(struct kprobe *p, struct pt_regs *regs)
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
static int enomem_vm_err_pre(struct kprobe *p, struct pt_regs *regs)
{
	enomem_vm_refused(ENOMEM_P_VM_ERR);
	return 0;
}

/* ---- cold: memory cgroup at its limit ---------------------------------- */

/* A charge inside the fork found its memcg at the limit and reclaims. */
static int enomem_memcg_reclaim_pre(struct kprobe *p, struct pt_regs *regs)
{
	enomem_mark_cold(ENOMEM_P_MEMCG_RECLAIM, ENOMEM_F_MEMCG);
	enomem_maps_memcg_reclaim();
	return 0;
}

static int enomem_oom_pre(struct kprobe *p, struct pt_regs *regs)
{
	if (enomem_oom_is_memcg(regs))
		enomem_mark_cold(ENOMEM_P_MEMCG_OOM, ENOMEM_F_MEMCG);
	return 0;
}

/* RHEL 7: kmem charges fail here once a memcg kmem limit is set. */
static int enomem_memcg_kmem_return(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	if ((int)regs_return_value(regs))
		enomem_mark_cold(ENOMEM_P_MEMCG_KMEM, ENOMEM_F_MEMCG);
	return 0;
}

/* ---- the table ---------------------------------------------------------- */

#define ENOMEM_SYMS(...) ((const char *const []){ __VA_ARGS__, NULL })

/* the fork entry that calls copy_process(), once found (enomem_fork_bracket) */
static const char *enomem_fork_end_symbol[] = { ENOMEM_FORK_ENTRY_SYMBOLS, NULL };

static struct enomem_probe enomem_probes[ENOMEM_NR_PROBES] = {
	[ENOMEM_P_FORK] = {
		.symbols = ENOMEM_SYMS(ENOMEM_FORK_ENTRY_SYMBOLS),
		.role = "fork-entry", .ret = true,
		.data_size = sizeof(struct enomem_fork_ctx *),
		.entry = enomem_fork_entry, .exit = enomem_fork_return,
	},
	[ENOMEM_P_COPY_CREDS] = {
		.symbols = ENOMEM_SYMS("copy_creds"),
		.role = "nproc-stage",
		.pre = enomem_creds_pre,
		.unneeded = ENOMEM_NPROC_AFTER_CREDS,
	},
	[ENOMEM_P_ALLOC_PID] = {
		.symbols = ENOMEM_SYMS("alloc_pid"),
		.role = "pid_max,pidns_dead-stage",
		.pre = enomem_pid_pre,
	},
	[ENOMEM_P_PIDS_CAN_FORK] = {
		.symbols = ENOMEM_SYMS("pids_can_fork"),
#if ENOMEM_PIDS_BY_STAGE
		.role = "cgroup_pids-stage",
		.pre = enomem_pids_pre,
#else
		.role = "cgroup_pids", .ret = true,
		.exit = enomem_pids_return,
#endif
	},
	[ENOMEM_P_PIDS_SITE] = {
		.symbols = ENOMEM_SYMS("pids_can_fork"),
		.role = "cgroup_pids(failure-only)", .pre = enomem_pids_site_pre,
		.more = &enomem_more_pids,
	},
	[ENOMEM_P_NPROC_SITE] = {
		.symbols = ENOMEM_SYMS("copy_process"),
		.role = "nproc(failure-only)", .pre = enomem_nproc_site_pre,
		.more = &enomem_more_nproc,
	},
	[ENOMEM_P_PID_SITE] = {
		.symbols = ENOMEM_SYMS("alloc_pid"),
		.role = "pid_max,pidns_dead(failure-only)", .pre = enomem_pid_site_pre,
		.more = &enomem_more_pid,
	},
	/* registered by enomem_fork_bracket(), never by the table's loop */
	[ENOMEM_P_FORK_BEGIN] = {
		.symbols = ENOMEM_SYMS("copy_process"),
		.role = "fork-entry", .pre = enomem_fork_begin,
		.unneeded = true,
	},
	[ENOMEM_P_FORK_END] = {
		.symbols = enomem_fork_end_symbol,
		.role = "fork-return", .pre = enomem_fork_end,
		.unneeded = true,
	},
	/* not a kprobe: registered and shown with the bracket only */
	[ENOMEM_P_FORK_OK] = {
		.symbols = ENOMEM_SYMS("sched_process_fork"),
		.role = "fork-success(tracepoint)",
		.unneeded = true,
	},
	[ENOMEM_P_RLIMIT] = {
		.symbols = ENOMEM_SYMS("is_rlimit_overlimit", "is_ucounts_overlimit"),
		.role = "nproc", .ret = true,
		.exit = enomem_rlimit_return,
		.unneeded = !ENOMEM_NPROC_AFTER_CREDS,
	},
	[ENOMEM_P_VM_ENOUGH] = {
		.symbols = ENOMEM_SYMS("__vm_enough_memory"),
		.role = "commit", .ret = true,
		.data_size = sizeof(struct enomem_vm_data),
		.entry = enomem_vm_entry, .exit = enomem_vm_return,
	},
	[ENOMEM_P_VM_WARN] = {
		.symbols = ENOMEM_SYMS("___ratelimit"),
		.role = "commit(failure-only)", .pre = enomem_vm_warn_pre,
	},
	[ENOMEM_P_VM_ERR] = {
		.symbols = ENOMEM_SYMS("__vm_enough_memory"),
		.role = "commit(failure-only)", .pre = enomem_vm_err_pre,
	},
	[ENOMEM_P_MEMCG_RECLAIM] = {
		.symbols = ENOMEM_SYMS("try_to_free_mem_cgroup_pages"),
		.role = "memcg", .pre = enomem_memcg_reclaim_pre,
	},
	[ENOMEM_P_MEMCG_OOM] = {
		.symbols = ENOMEM_SYMS("out_of_memory"),
		.role = "memcg", .pre = enomem_oom_pre,
	},
	[ENOMEM_P_MEMCG_KMEM] = {
		.symbols = ENOMEM_SYMS("memcg_charge_kmem"),
		.role = "memcg(kmem)", .ret = true,
		.exit = enomem_memcg_kmem_return,
	},
};

static int enomem_probe_try(struct enomem_probe *p, const char *sym)
{
	if (p->ret) {
		memset(&p->rp, 0, sizeof(p->rp));
		p->rp.kp.symbol_name = sym;
		p->rp.entry_handler = p->entry;
		p->rp.handler = p->exit;
		p->rp.data_size = p->data_size;
		p->rp.maxactive = enomem_maxactive;
		return register_kretprobe(&p->rp);
	}
	memset(&p->kp, 0, sizeof(p->kp));
	p->kp.symbol_name = sym;
	p->kp.offset = p->offset;
	p->kp.pre_handler = p->pre;
	return register_kprobe(&p->kp);
}

/* The other call sites of a site probe; all or none (then not even the first). */
static int enomem_probe_more(struct enomem_probe *p, const char *sym)
{
	struct enomem_more_sites *m = p->more;
	unsigned int i;
	int err = 0;

	for (i = 0; m && i < m->n && !err; i++) {
		memset(&m->kp[i], 0, sizeof(m->kp[i]));
		m->kp[i].symbol_name = sym;
		m->kp[i].offset = m->offset[i];
		m->kp[i].pre_handler = p->pre;
		err = register_kprobe(&m->kp[i]);
	}
	if (!err)
		return 0;
	for (i--; i-- > 0;)
		unregister_kprobe(&m->kp[i]);
	unregister_kprobe(&p->kp);
	return err;
}

static void enomem_probe_register(struct enomem_probe *p)
{
	const char *const *sym;

	p->err = -ENOENT;
	p->symbol = p->symbols[0];
	if (p->unneeded)
		return;
	for (sym = p->symbols; *sym; sym++) {
		p->err = enomem_probe_try(p, *sym);
		if (!p->err)
			p->err = enomem_probe_more(p, *sym);
		if (!p->err) {
			p->symbol = *sym;
			p->active = true;
			enomem_classify_source(p - enomem_probes, true, !p->ret);
			return;
		}
	}
	p->symbol = p->symbols[0];
}

static void enomem_probe_unregister(struct enomem_probe *p)
{
	unsigned int i;

	if (!p->active)
		return;
	if (p->ret) {
		unregister_kretprobe(&p->rp);
	} else {
		unregister_kprobe(&p->kp);
		for (i = 0; p->more && i < p->more->n; i++)
			unregister_kprobe(&p->more->kp[i]);
	}
	p->active = false;
	enomem_classify_source(p - enomem_probes, false, false);
}

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

static void enomem_probes_find_sites(void)
{
	struct enomem_probe *pids = &enomem_probes[ENOMEM_P_PIDS_SITE];
	struct enomem_probe *nproc = &enomem_probes[ENOMEM_P_NPROC_SITE];
	struct enomem_probe *pid = &enomem_probes[ENOMEM_P_PID_SITE];

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
static bool enomem_sites_only(void)
{
	return enomem_probes[ENOMEM_P_PID_SITE].active &&
	       enomem_probes[ENOMEM_P_PIDS_SITE].active &&
	       enomem_probes[ENOMEM_P_NPROC_SITE].active;
}

static void enomem_probe_as_marker(struct enomem_probe *p, bool site_live,
				   kprobe_pre_handler_t pre, const char *role)
{
	if (!site_live || !p->ret)
		return;
	p->ret = false;
	p->exit = NULL;
	p->pre = pre;
	p->role = role;
}

/* The tracepoint's handler gone, and no longer running anywhere. */
static void enomem_fork_ok_unregister(void)
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
 * possible: the fork entry's kretprobe, as before.
 */
static bool enomem_fork_bracket(void)
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

int enomem_probes_register(void)
{
	struct enomem_probe *fork = &enomem_probes[ENOMEM_P_FORK];
	bool vm_warn;
	int i;

	/*
	 * Sub-probes first: once the fork entry is live every fork relies on
	 * them, and a fork must never be classified by a half-registered set.
	 */
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
	enomem_probes_find_sites();
	for (i = ENOMEM_NR_PROBES - 1; i >= 0; i--) {
		if (i == ENOMEM_P_VM_ENOUGH)
			enomem_probes[i].unneeded =
				enomem_probes[ENOMEM_P_VM_WARN].active ||
				enomem_probes[ENOMEM_P_VM_ERR].active;
		/* a live failure-only site turns its return probe into a marker */
		if (i == ENOMEM_P_PIDS_CAN_FORK)
			enomem_probe_as_marker(&enomem_probes[i],
				enomem_probes[ENOMEM_P_PIDS_SITE].active,
				enomem_pids_pre, "cgroup_pids-stage");
		if (i == ENOMEM_P_RLIMIT)
			enomem_probe_as_marker(&enomem_probes[i],
				enomem_probes[ENOMEM_P_NPROC_SITE].active,
				enomem_rlimit_pre, "nproc-stage");
		if (i == ENOMEM_P_ALLOC_PID || i == ENOMEM_P_PIDS_CAN_FORK ||
		    i == ENOMEM_P_RLIMIT || i == ENOMEM_P_COPY_CREDS)
			enomem_probes[i].unneeded |= enomem_sites_only();
		if (i == ENOMEM_P_FORK_BEGIN || i == ENOMEM_P_FORK_END ||
		    i == ENOMEM_P_FORK_OK)
			continue;	/* with the fork entry, below */
		if (i == ENOMEM_P_FORK) {
			enomem_probes_list_missed();
			if (enomem_fork_bracket()) {
				enomem_probes[i].unneeded = true;
				continue;
			}
		}
		enomem_probe_register(&enomem_probes[i]);
		if (enomem_probes[i].active || enomem_probes[i].unneeded)
			continue;
		if (enomem_probes[i].err == -ENOENT)
			pr_info("enomem_stats: %s is not in this kernel; %s is attributed without it\n",
				enomem_probes[i].symbol, enomem_probes[i].role);
		else
			pr_warn("enomem_stats: probe on %s failed with error %d; attribution of %s degrades\n",
				enomem_probes[i].symbol, enomem_probes[i].err,
				enomem_probes[i].role);
	}
	if (!fork->active && !enomem_probes[ENOMEM_P_FORK_BEGIN].active) {
		pr_err("enomem_stats: cannot probe the fork entry (kernel_clone/_do_fork/do_fork), error %d; this kernel needs CONFIG_KRETPROBES and is not supported\n",
		       fork->err);
		enomem_probes_unregister();
		return fork->err ? fork->err : -ENOENT;
	}
	return 0;
}

/*
 * All at once: unregister_kprobes() disarms in array order, then waits for
 * one grace period (and the kprobe optimizer for one pass) where one call
 * per probe waited for each: with 4-5 jump-optimized probes that was most
 * of an rmmod.  The fork entry goes first, so no new fork relies on the
 * others; the bracket's begin before its end, so no context is claimed
 * that nothing would put.  Handlers that already run finish before the
 * calls return, and the context table is freed only after.
 */
static struct kprobe *enomem_unreg_kps[ENOMEM_NR_PROBES * ENOMEM_SITES_MAX];
static struct kretprobe *enomem_unreg_rps[ENOMEM_NR_PROBES];
static int enomem_unreg_nk, enomem_unreg_nr;

/* Queue a live probe (and its other call sites) for the batch. */
static void enomem_probe_queue_unregister(struct enomem_probe *p)
{
	unsigned int j;

	if (!p->active)
		return;
	if (p->ret) {
		enomem_unreg_rps[enomem_unreg_nr++] = &p->rp;
		return;
	}
	enomem_unreg_kps[enomem_unreg_nk++] = &p->kp;
	for (j = 0; p->more && j < p->more->n; j++)
		enomem_unreg_kps[enomem_unreg_nk++] = &p->more->kp[j];
}

void enomem_probes_unregister(void)
{
	int i;

	enomem_probe_unregister(&enomem_probes[ENOMEM_P_FORK]);	/* kretprobe */
	enomem_unreg_nk = enomem_unreg_nr = 0;
	enomem_probe_queue_unregister(&enomem_probes[ENOMEM_P_FORK_BEGIN]);
	enomem_probe_queue_unregister(&enomem_probes[ENOMEM_P_FORK_END]);
	for (i = 0; i < ENOMEM_NR_PROBES; i++)
		if (i != ENOMEM_P_FORK_BEGIN && i != ENOMEM_P_FORK_END &&
		    i != ENOMEM_P_FORK_OK)
			enomem_probe_queue_unregister(&enomem_probes[i]);
	if (enomem_unreg_nk)
		unregister_kprobes(enomem_unreg_kps, enomem_unreg_nk);
	if (enomem_unreg_nr)
		unregister_kretprobes(enomem_unreg_rps, enomem_unreg_nr);
	enomem_fork_ok_unregister();
	for (i = 0; i < ENOMEM_NR_PROBES; i++) {
		if (!enomem_probes[i].active)
			continue;
		enomem_probes[i].active = false;
		enomem_classify_source(i, false, false);
	}
}

/*
 * The live sub-probes' miss counters, listed once before the fork entry goes
 * live, so that the fork entry sums a short list instead of walking the
 * table on every fork.
 */
static int *enomem_missed_ret[ENOMEM_NR_PROBES];
static unsigned long *enomem_missed_kp[ENOMEM_NR_PROBES * ENOMEM_SITES_MAX];
static unsigned int enomem_n_missed_ret, enomem_n_missed_kp;

static void enomem_probes_list_missed(void)
{
	unsigned int j;
	int i;

	enomem_n_missed_ret = 0;
	enomem_n_missed_kp = 0;
	for (i = ENOMEM_P_FORK + 1; i < ENOMEM_NR_PROBES; i++) {
		struct enomem_probe *p = &enomem_probes[i];

		/*
		 * ___ratelimit() misses only when called from inside a probe
		 * handler (ours, with log=1), never from the refusal in a
		 * fork: its misses say nothing about any fork's evidence.
		 */
		if (!p->active || i == ENOMEM_P_VM_WARN ||
		    i == ENOMEM_P_FORK_BEGIN || i == ENOMEM_P_FORK_END ||
		    i == ENOMEM_P_FORK_OK)
			continue;
		if (p->ret)
			enomem_missed_ret[enomem_n_missed_ret++] = &p->rp.nmissed;
		else
			enomem_missed_kp[enomem_n_missed_kp++] = &p->kp.nmissed;
		for (j = 0; p->more && j < p->more->n; j++)
			enomem_missed_kp[enomem_n_missed_kp++] = &p->more->kp[j].nmissed;
	}
}

/* Instances the sub-probes could not follow, all together. */
static unsigned long enomem_probes_sub_nmissed(void)
{
	unsigned long sum = 0;
	unsigned int i;

	for (i = 0; i < enomem_n_missed_ret; i++)
		sum += READ_ONCE(*enomem_missed_ret[i]);
	for (i = 0; i < enomem_n_missed_kp; i++)
		sum += READ_ONCE(*enomem_missed_kp[i]);
	return sum;
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

void enomem_probes_show(struct seq_file *m)
{
	unsigned long hits, missed;
	unsigned int j;
	int i, cpu;

	seq_puts(m, "# symbol status error hits nmissed role\n");
	for (i = 0; i < ENOMEM_NR_PROBES; i++) {
		const struct enomem_probe *p = &enomem_probes[i];

		hits = 0;
		for_each_possible_cpu(cpu)
			hits += per_cpu(enomem_probe_hits, cpu)[i];
		missed = p->ret ? p->rp.nmissed : p->kp.nmissed;
		/* the bracket's pair is never registered where unused */
		seq_puts(m, p->symbol ? p->symbol : p->symbols[0]);
		if (p->offset)	/* the probe sits inside the function */
			seq_printf(m, "+%#lx", p->offset);
		for (j = 0; p->more && j < p->more->n; j++)
			seq_printf(m, ",+%#lx", p->more->offset[j]);
		seq_printf(m, " %s %d %lu %lu %s\n",
			   p->active ? "registered" :
			   p->unneeded ? "unneeded" : "absent",
			   p->unneeded ? 0 : p->err, hits, missed, p->role);
	}
}
