// SPDX-License-Identifier: GPL-2.0
/*
 * The probes: one kretprobe on the fork entry point, and the few per-fork or
 * cold functions whose results tell the reasons apart.
 *
 * Every probe is optional.  A symbol missing on this kernel degrades the
 * attribution (the debugfs "probes" file says which reasons remain exact)
 * instead of failing the load; only the fork entry itself is required.
 * Handlers never sleep, never allocate and never call capable().
 *
 * Cost: on a fork that succeeds, the work is claiming and releasing a
 * context slot and one lookup in alloc_pid(); everything else is done only
 * when a probed function reports a failure.
 */
#include <linux/kprobes.h>
#include <linux/sched.h>
#include <linux/percpu.h>
#include <linux/seq_file.h>
#include <linux/cpumask.h>
#include <linux/errno.h>
#include <linux/err.h>
#include "enomem_stats.h"

#ifndef ERESTARTNOINTR
#define ERESTARTNOINTR 513
#endif

unsigned int enomem_maxactive;

struct enomem_probe {
	const char *const *symbols;	/* candidates, NULL-terminated */
	const char *role;		/* what it tells apart, for the probes file */
	bool ret;			/* kretprobe (else kprobe) */
	size_t data_size;
	kretprobe_handler_t entry;
	kretprobe_handler_t exit;
	kprobe_pre_handler_t pre;
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

/* ---- P0: the fork entry point ------------------------------------------ */

static int enomem_fork_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct enomem_fork_ctx **slot = (void *)ri->data;
	struct enomem_fork_ctx *ctx;
	u64 flags;

	enomem_hit(ENOMEM_P_FORK);
	ctx = enomem_ctx_get();
	*slot = ctx;
	if (!ctx)
		return 0;	/* still watch the result: counted as missed */

	ctx->sub_missed = enomem_probes_sub_nmissed();
	flags = enomem_fork_entry_flags(regs);
	if (flags & CLONE_VFORK)
		ctx->kind = ENOMEM_K_VFORK;
	else if (flags & CLONE_THREAD)
		ctx->kind = ENOMEM_K_THREAD;
	if (flags & CLONE_NEWPID)
		ctx->flags |= ENOMEM_F_NEWPID;
	return 0;
}

static int enomem_fork_return(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct enomem_fork_ctx *ctx = *(struct enomem_fork_ctx **)ri->data;
	int err = (int)regs_return_value(regs);
	enum enomem_reason reason;
	struct pid_namespace *ns;
	bool failed;

	/* A signal restarts the fork (or the task is dying): nothing to see. */
	failed = err < 0 && err != -ERESTARTNOINTR && err != -EINTR;

	if (!ctx) {
		enomem_stats_count_missed();
		if (failed) {
			enomem_stats_count(err, ENOMEM_R_UNKNOWN);
			enomem_event_record(NULL, err, ENOMEM_R_UNKNOWN);
		}
		return 0;
	}
	if (failed) {
		/*
		 * copy_process() checks the pid namespace once more after
		 * alloc_pid() succeeded; the child's ns is current's
		 * pid_ns_for_children unless CLONE_NEWPID made a fresh one,
		 * which can never be dead.  A dead namespace fails every
		 * fork in alloc_pid() already, so this only catches an init
		 * that died during the fork.
		 */
		if (err == -ENOMEM &&
		    !(ctx->flags & (ENOMEM_F_PID_FAILED | ENOMEM_F_NEWPID))) {
			ns = enomem_current_child_pidns();
			if (ns && enomem_pidns_dead(ns))
				ctx->flags |= ENOMEM_F_PIDNS_DEAD;
		}
		/*
		 * A sub-probe that missed an instance meanwhile may have
		 * missed this very fork's evidence: better "unknown" than a
		 * wrong reason.
		 */
		if (enomem_probes_sub_nmissed() != ctx->sub_missed)
			reason = ENOMEM_R_UNKNOWN;
		else
			reason = enomem_classify(ctx, err);
		enomem_stats_count(err, reason);
		enomem_event_record(ctx, err, reason);
	}
	enomem_ctx_put(ctx);
	return 0;
}

/* ---- P1: copy_creds(), the NPROC stage marker up to 5.13 --------------- */

static int enomem_creds_return(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	int err = (int)regs_return_value(regs);
	struct enomem_fork_ctx *ctx;

	enomem_hit(ENOMEM_P_COPY_CREDS);
	/* From 5.14 only a failure matters: skip the lookup on success. */
	if (ENOMEM_NPROC_AFTER_CREDS && !err)
		return 0;
	ctx = enomem_ctx_find();
	if (!ctx)
		return 0;
	ctx->flags |= ENOMEM_F_REACHED_CREDS;
	if (err)
		ctx->flags |= ENOMEM_F_CREDS_FAILED;
	return 0;
}

/* ---- P2: alloc_pid(): exhaustion, dead namespace ----------------------- */

/*
 * No entry handler: a successful fork pays only the return hook.  The
 * namespace alloc_pid() worked on is current's pid_ns_for_children, or a
 * fresh child of it with CLONE_NEWPID; a fresh one is never dead, and its
 * exhaustion can only come from the levels above, which the scan covers.
 */
static int enomem_pid_return(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	unsigned long rv = regs_return_value(regs);
	struct enomem_fork_ctx *ctx;
	struct pid_namespace *ns;

	enomem_hit(ENOMEM_P_ALLOC_PID);
	if (rv && !IS_ERR_VALUE(rv))
		return 0;
	ctx = enomem_ctx_find();
	if (!ctx)
		return 0;
	ctx->flags |= ENOMEM_F_PID_FAILED;
	ctx->pid_err = rv ? (int)rv : -ENOMEM;
	ns = enomem_current_child_pidns();
	if (!ns)
		return 0;
	if (!(ctx->flags & ENOMEM_F_NEWPID) && enomem_pidns_dead(ns))
		ctx->flags |= ENOMEM_F_PIDNS_DEAD;
	else if (ENOMEM_ALLOC_PID_RETURNS_NULL && !rv && enomem_pid_space_full(ns))
		ctx->flags |= ENOMEM_F_PID_EXHAUSTED;
	return 0;
}

/* ---- P3: pids_can_fork(), the pids cgroup ------------------------------ */

static int enomem_pids_return(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct enomem_fork_ctx *ctx;

	enomem_hit(ENOMEM_P_PIDS_CAN_FORK);
	if (!(int)regs_return_value(regs))
		return 0;
	ctx = enomem_ctx_find();
	if (ctx)
		ctx->flags |= ENOMEM_F_PIDS_REFUSED;
	return 0;
}

/* ---- P4: is_rlimit_overlimit(), RLIMIT_NPROC from 5.14 ------------------ */

static int enomem_rlimit_return(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct enomem_fork_ctx *ctx;

	enomem_hit(ENOMEM_P_RLIMIT);
	/* bool: only %al is defined */
	if (!(u8)regs_return_value(regs))
		return 0;
	ctx = enomem_ctx_find();
	if (ctx)
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

/* ---- cold: memory cgroup at its limit ---------------------------------- */

static void enomem_mark_memcg(enum enomem_probe_id id)
{
	struct enomem_fork_ctx *ctx;

	if (!enomem_ctx_any_in_flight())
		return;
	ctx = enomem_ctx_find();
	if (!ctx)
		return;
	enomem_hit(id);
	ctx->flags |= ENOMEM_F_MEMCG;
}

/* A charge inside the fork found its memcg at the limit and reclaims. */
static int enomem_memcg_reclaim_pre(struct kprobe *p, struct pt_regs *regs)
{
	enomem_mark_memcg(ENOMEM_P_MEMCG_RECLAIM);
	return 0;
}

static int enomem_oom_pre(struct kprobe *p, struct pt_regs *regs)
{
	if (enomem_oom_is_memcg(regs))
		enomem_mark_memcg(ENOMEM_P_MEMCG_OOM);
	return 0;
}

/* RHEL 7: kmem charges fail here once a memcg kmem limit is set. */
static int enomem_memcg_kmem_return(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	if ((int)regs_return_value(regs))
		enomem_mark_memcg(ENOMEM_P_MEMCG_KMEM);
	return 0;
}

/* ---- the table ---------------------------------------------------------- */

#define ENOMEM_SYMS(...) ((const char *const []){ __VA_ARGS__, NULL })

static struct enomem_probe enomem_probes[ENOMEM_NR_PROBES] = {
	[ENOMEM_P_FORK] = {
		.symbols = ENOMEM_SYMS(ENOMEM_FORK_ENTRY_SYMBOLS),
		.role = "fork-entry", .ret = true,
		.data_size = sizeof(struct enomem_fork_ctx *),
		.entry = enomem_fork_entry, .exit = enomem_fork_return,
	},
	[ENOMEM_P_COPY_CREDS] = {
		.symbols = ENOMEM_SYMS("copy_creds"),
		.role = "nproc-stage", .ret = true,
		.exit = enomem_creds_return,
	},
	[ENOMEM_P_ALLOC_PID] = {
		.symbols = ENOMEM_SYMS("alloc_pid"),
		.role = "pid_max,pidns_dead", .ret = true,
		.exit = enomem_pid_return,
	},
	[ENOMEM_P_PIDS_CAN_FORK] = {
		.symbols = ENOMEM_SYMS("pids_can_fork"),
		.role = "cgroup_pids", .ret = true,
		.exit = enomem_pids_return,
	},
	[ENOMEM_P_RLIMIT] = {
		.symbols = ENOMEM_SYMS("is_rlimit_overlimit", "is_ucounts_overlimit"),
		.role = "nproc", .ret = true,
		.exit = enomem_rlimit_return,
	},
	[ENOMEM_P_VM_ENOUGH] = {
		.symbols = ENOMEM_SYMS("__vm_enough_memory"),
		.role = "commit", .ret = true,
		.data_size = sizeof(struct enomem_vm_data),
		.entry = enomem_vm_entry, .exit = enomem_vm_return,
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
	p->kp.pre_handler = p->pre;
	return register_kprobe(&p->kp);
}

static void enomem_probe_register(struct enomem_probe *p)
{
	const char *const *sym;

	p->err = -ENOENT;
	for (sym = p->symbols; *sym; sym++) {
		p->err = enomem_probe_try(p, *sym);
		if (!p->err) {
			p->symbol = *sym;
			p->active = true;
			return;
		}
	}
	p->symbol = p->symbols[0];
}

static void enomem_probe_unregister(struct enomem_probe *p)
{
	if (!p->active)
		return;
	if (p->ret)
		unregister_kretprobe(&p->rp);
	else
		unregister_kprobe(&p->kp);
	p->active = false;
}

int enomem_probes_register(void)
{
	struct enomem_probe *fork = &enomem_probes[ENOMEM_P_FORK];
	int i;

	/*
	 * Sub-probes first: once the fork entry is live every fork relies on
	 * them, and a fork must never be classified by a half-registered set.
	 */
	for (i = ENOMEM_NR_PROBES - 1; i >= 0; i--) {
		enomem_probe_register(&enomem_probes[i]);
		if (enomem_probes[i].active)
			continue;
		if (enomem_probes[i].err == -ENOENT)
			pr_info("enomem_stats: %s is not in this kernel; %s is attributed without it\n",
				enomem_probes[i].symbol, enomem_probes[i].role);
		else
			pr_warn("enomem_stats: probe on %s failed with error %d; attribution of %s degrades\n",
				enomem_probes[i].symbol, enomem_probes[i].err,
				enomem_probes[i].role);
	}
	if (!fork->active) {
		pr_err("enomem_stats: cannot probe the fork entry (kernel_clone/_do_fork/do_fork), error %d; this kernel needs CONFIG_KRETPROBES and is not supported\n",
		       fork->err);
		enomem_probes_unregister();
		return fork->err ? fork->err : -ENOENT;
	}
	return 0;
}

void enomem_probes_unregister(void)
{
	int i;

	/* The fork entry goes first, so no new fork relies on the others. */
	for (i = 0; i < ENOMEM_NR_PROBES; i++)
		enomem_probe_unregister(&enomem_probes[i]);
}

bool enomem_probe_active(enum enomem_probe_id id)
{
	return enomem_probes[id].active;
}

/* Instances the sub-probes could not follow, all together. */
static unsigned long enomem_probes_sub_nmissed(void)
{
	unsigned long sum = 0;
	int i;

	for (i = ENOMEM_P_FORK + 1; i < ENOMEM_NR_PROBES; i++) {
		const struct enomem_probe *p = &enomem_probes[i];

		if (p->active)
			sum += p->ret ? READ_ONCE(p->rp.nmissed) : READ_ONCE(p->kp.nmissed);
	}
	return sum;
}

unsigned long enomem_probes_fork_nmissed(void)
{
	return enomem_probes[ENOMEM_P_FORK].rp.nmissed;
}

void enomem_probes_show(struct seq_file *m)
{
	unsigned long hits, missed;
	int i, cpu;

	seq_puts(m, "# symbol status error hits nmissed role\n");
	for (i = 0; i < ENOMEM_NR_PROBES; i++) {
		const struct enomem_probe *p = &enomem_probes[i];

		hits = 0;
		for_each_possible_cpu(cpu)
			hits += per_cpu(enomem_probe_hits, cpu)[i];
		missed = p->ret ? p->rp.nmissed : p->kp.nmissed;
		seq_printf(m, "%s %s %d %lu %lu %s\n", p->symbol,
			   p->active ? "registered" : "absent", p->err, hits,
			   missed, p->role);
	}
}
