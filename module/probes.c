// SPDX-License-Identifier: GPL-2.0
/*
 * The probe table and its registration: the fork entry (fork.c), and the
 * few per-fork or cold functions whose results tell the reasons apart
 * (reasons.c), some of them on failure-only sites found at load (sites.c).
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
#include <linux/string.h>
#include "probes.h"

unsigned int enomem_maxactive;

/* the other call sites of the failure-only site probes (sites.c) */
static struct enomem_more_sites enomem_more_pids, enomem_more_nproc,
				 enomem_more_pid;

DEFINE_PER_CPU(unsigned long [ENOMEM_NR_PROBES], enomem_probe_hits);

/* ---- the table ---------------------------------------------------------- */

#define ENOMEM_SYMS(...) ((const char *const []){ __VA_ARGS__, NULL })

struct enomem_probe enomem_probes[ENOMEM_NR_PROBES] = {
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

void enomem_probe_register(struct enomem_probe *p)
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

void enomem_probe_unregister(struct enomem_probe *p)
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
unsigned long enomem_probes_sub_nmissed(void)
{
	unsigned long sum = 0;
	unsigned int i;

	for (i = 0; i < enomem_n_missed_ret; i++)
		sum += READ_ONCE(*enomem_missed_ret[i]);
	for (i = 0; i < enomem_n_missed_kp; i++)
		sum += READ_ONCE(*enomem_missed_kp[i]);
	return sum;
}

int enomem_probes_register(void)
{
	struct enomem_probe *fork = &enomem_probes[ENOMEM_P_FORK];
	int i;

	/*
	 * Sub-probes first: once the fork entry is live every fork relies on
	 * them, and a fork must never be classified by a half-registered set.
	 */
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
			enomem_probes[i].unneeded |= enomem_probes_sites_only();
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

/* Is a commit refusal seen (a mapping call's too), by whichever probe? */
bool enomem_probes_commit_watched(void)
{
	return enomem_probes[ENOMEM_P_VM_ENOUGH].active ||
	       enomem_probes[ENOMEM_P_VM_WARN].active ||
	       enomem_probes[ENOMEM_P_VM_ERR].active;
}
