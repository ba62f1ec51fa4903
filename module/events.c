// SPDX-License-Identifier: GPL-2.0
/*
 * Per-event detail: a fixed-size ring of the most recent failed forks and an
 * opt-in, rate-limited kernel log line naming the limit.
 *
 * The ring is allocated at load and written under a spinlock from the fork
 * return probe, on failures only; nothing is allocated in probe context.  An
 * entry overwritten before anyone read it is counted, never silently lost.
 *
 * A kprobe's int3 handler runs as an NMI on 6.x (the fork entry's error
 * branch where it is found, failure-only sites that are not
 * jump-optimized).  There no lock may be taken, the ring's or the one
 * cgroup_path() takes: such an event waits in a small per-CPU queue for an
 * irq_work, which runs on the same CPU as soon as the trap returns, still
 * in the failing task, and finds its cgroup path and records it there.
 */
#include <linux/sched.h>
#include <linux/cred.h>
#include <linux/vmalloc.h>
#include <linux/spinlock.h>
#include <linux/ratelimit.h>
#include <linux/string.h>
#include <linux/errno.h>
#include <linux/resource.h>
#include <linux/moduleparam.h>
#include <linux/seq_file.h>
#include <linux/hardirq.h>
#include <linux/irq_work.h>
#include <linux/percpu.h>
#include <linux/atomic.h>
#include "enomem_stats.h"

#define ENOMEM_EVENTS_MAX 65536

static unsigned int events = 256;
module_param(events, uint, 0444);
MODULE_PARM_DESC(events, "size of the debugfs event ring (1..65536, default 256)");

static bool log;
module_param(log, bool, 0644);
MODULE_PARM_DESC(log, "log each failed fork to the kernel log, rate limited (default 0)");

static struct enomem_event *enomem_ring;
static unsigned long enomem_ring_next;	/* events ever recorded */
static DEFINE_SPINLOCK(enomem_ring_lock);

/*
 * Events recorded in NMI context, per CPU, until the irq_work records them:
 * one producer (the probe, as an NMI) and one consumer (the irq_work, which
 * the NMI may interrupt) on each CPU, so a slot is reused only once the
 * consumer has moved past it.  A full queue drops the event, counted.
 */
#define ENOMEM_DEFER_SLOTS 8

struct enomem_deferred {
	struct enomem_event e[ENOMEM_DEFER_SLOTS];
	unsigned long head, tail;
	struct irq_work work;
};

static DEFINE_PER_CPU(struct enomem_deferred, enomem_deferred);
static atomic_long_t enomem_events_dropped;

/* Up to 10 lines per 5 s: a fork storm must not flood the log. */
static DEFINE_RATELIMIT_STATE(enomem_log_rs, 5 * HZ, 10);

static void enomem_deferred_init(void);

int enomem_events_init(void)
{
	if (events < 1 || events > ENOMEM_EVENTS_MAX) {
		pr_err("enomem_stats: events=%u is out of range; use 1 to %u\n",
		       events, ENOMEM_EVENTS_MAX);
		return -EINVAL;
	}
	enomem_ring = vzalloc(sizeof(*enomem_ring) * events);
	if (!enomem_ring)
		return -ENOMEM;
	enomem_deferred_init();
	enomem_follow_setup();
	return 0;
}

void enomem_events_exit(void)
{
	int cpu;

	/* the probes are gone: only queued work can still be pending */
	for_each_possible_cpu(cpu)
		irq_work_sync(&per_cpu(enomem_deferred, cpu).work);
	enomem_follow_sync();	/* the deferred events' pushes queue it */
	vfree(enomem_ring);
	enomem_ring = NULL;
}

/* The limit that refused, with its value where the kernel shows it cheaply. */
static void enomem_event_limit(struct enomem_event *e,
			       const struct enomem_fork_ctx *ctx)
{
	const struct enomem_ksyms *k = &enomem_ksyms;

	e->limit = ENOMEM_L_NONE;
	switch (e->reason) {
	case ENOMEM_R_PID_MAX:
		if (k->pid_max) {
			e->limit = ENOMEM_L_PID_MAX;
			e->value = READ_ONCE(*k->pid_max);
		}
		break;
	case ENOMEM_R_THREADS_MAX:
		if (k->max_threads) {
			e->limit = ENOMEM_L_THREADS_MAX;
			e->value = READ_ONCE(*k->max_threads);
		}
		break;
	case ENOMEM_R_NPROC:
		e->limit = ENOMEM_L_NPROC;
		e->value = task_rlimit(current, RLIMIT_NPROC);
		break;
	case ENOMEM_R_COMMIT:
		e->limit = ENOMEM_L_COMMIT;
		e->value = enomem_commit_limit();
		e->value2 = ctx->vm_pages;
		break;
	case ENOMEM_R_MEMCG:
		if (enomem_memcg_max(&e->value))
			e->limit = ENOMEM_L_MEMORY_MAX;
		break;
	default:
		break;
	}
}

static void enomem_event_log(const struct enomem_event *e)
{
	char what[96], num[12];

	if (!__ratelimit(&enomem_log_rs))
		return;
	enomem_event_describe(e, what, sizeof(what));
	pr_info("enomem_stats: %s by %s[%d] uid %u failed: %s: %s%s%s\n",
		e->kind >= ENOMEM_K_MMAP ? enomem_kind_name(e->kind) : "fork",
		e->comm, e->pid, e->uid, enomem_errno_name(e->err, num, sizeof(num)),
		what, e->cgroup[0] ? " in " : "", e->cgroup);
}

/*
 * The facts every event has; the caller adds reason and limit.  Only the
 * fields before the strings are cleared: most of an event is its two
 * strings, and the bytes after a string's NUL are never read (recording an
 * event was 0.7 of the 1.9% a failing fork cost on 3.10, bench/results.md).
 * current's name is copied without task_lock(), as the kernel's own
 * printk("%s", current->comm) does (and get_task_comm() from 6.13): a
 * concurrent rename can only tear it, never overrun it.
 */
void enomem_event_fill(struct enomem_event *e, int err, unsigned int kind,
		       unsigned int cgroup_reason)
{
	memset(e, 0, offsetof(struct enomem_event, comm));
	e->time_ns = enomem_now_ns();
	e->pid = current->pid;
	e->tgid = current->tgid;
	e->uid = from_kuid_munged(&init_user_ns, current_uid());
	e->kind = kind;
	e->err = err;
	memcpy(e->comm, current->comm, sizeof(e->comm));
	e->comm[sizeof(e->comm) - 1] = '\0';
	enomem_event_cgroup(e, cgroup_reason);
}

/* The event's cgroup path, now, or once out of NMI context. */
void enomem_event_cgroup(struct enomem_event *e, unsigned int cgroup_reason)
{
	e->cgroup[0] = '\0';
	e->path_for = 0;
	if (in_nmi())
		e->path_for = cgroup_reason + 1;
	else
		enomem_task_cgroup_path(cgroup_reason, e->cgroup, sizeof(e->cgroup));
}

static void enomem_ring_push(const struct enomem_event *e);

/* irq_work: the events this CPU's NMI-context probes queued, in order. */
static void enomem_deferred_run(struct irq_work *work)
{
	struct enomem_deferred *d = container_of(work, struct enomem_deferred, work);
	struct enomem_event e;

	while (d->tail != READ_ONCE(d->head)) {
		e = d->e[d->tail % ENOMEM_DEFER_SLOTS];
		barrier();	/* copied before the slot is given back */
		WRITE_ONCE(d->tail, d->tail + 1);
		/* still the failing task, unless it has been switched out */
		if (e.path_for && current->pid == e.pid)
			enomem_task_cgroup_path(e.path_for - 1, e.cgroup,
						sizeof(e.cgroup));
		e.path_for = 0;
		enomem_ring_push(&e);
	}
}

static void enomem_deferred_init(void)
{
	int cpu;

	for_each_possible_cpu(cpu)
		init_irq_work(&per_cpu(enomem_deferred, cpu).work, enomem_deferred_run);
}

static void enomem_defer(const struct enomem_event *e)
{
	struct enomem_deferred *d = this_cpu_ptr(&enomem_deferred);

	if (d->head - READ_ONCE(d->tail) >= ENOMEM_DEFER_SLOTS) {
		atomic_long_inc(&enomem_events_dropped);
		return;
	}
	d->e[d->head % ENOMEM_DEFER_SLOTS] = *e;
	barrier();	/* the slot is full before the consumer can see it */
	WRITE_ONCE(d->head, d->head + 1);
	irq_work_queue(&d->work);
}

/* Events lost because an NMI-context queue was full (never expected). */
unsigned long enomem_events_dropped_count(void)
{
	return atomic_long_read(&enomem_events_dropped);
}

void enomem_event_push(const struct enomem_event *e)
{
	if (in_nmi())
		enomem_defer(e);
	else
		enomem_ring_push(e);
}

static void enomem_ring_push(const struct enomem_event *e)
{
	unsigned long flags;

	spin_lock_irqsave(&enomem_ring_lock, flags);
	enomem_ring[enomem_ring_next % events] = *e;
	enomem_ring_next++;
	spin_unlock_irqrestore(&enomem_ring_lock, flags);

	enomem_who_record(e);
	enomem_follow_notify();
	if (READ_ONCE(log))
		enomem_event_log(e);
}

/* Called from the fork return probe for every counted failure. */
void enomem_event_record(const struct enomem_fork_ctx *ctx, int err,
			 enum enomem_reason reason)
{
	struct enomem_event e;

	enomem_event_fill(&e, err, ctx ? ctx->kind : ENOMEM_K_PROCESS, reason);
	e.reason = reason;
	if (ctx)
		enomem_event_limit(&e, ctx);
	enomem_event_push(&e);
}

/*
 * Copy the ring, oldest first, for a reader: in chunks, so interrupts are
 * never off for long.  A writer that laps the reader meanwhile only moves
 * the start forward (those entries count as overwritten).  Returns the
 * number of entries copied into out (room for "events" entries).
 */
#define ENOMEM_COPY_CHUNK 128

unsigned int enomem_events_snapshot(struct enomem_event *out,
				    unsigned long *recorded)
{
	unsigned long flags, i, end, stop;
	unsigned int n = 0;

	spin_lock_irqsave(&enomem_ring_lock, flags);
	end = enomem_ring_next;
	spin_unlock_irqrestore(&enomem_ring_lock, flags);
	*recorded = end;
	i = end > events ? end - events : 0;

	while (i < end) {
		spin_lock_irqsave(&enomem_ring_lock, flags);
		if (enomem_ring_next > i + events)	/* lapped */
			i = enomem_ring_next - events;
		stop = min(end, i + ENOMEM_COPY_CHUNK);
		for (; i < stop && n < events; i++)
			out[n++] = enomem_ring[i % events];
		spin_unlock_irqrestore(&enomem_ring_lock, flags);
		cond_resched();
	}
	return n;
}

/* Events ever recorded: where a follow reader that opens now starts. */
unsigned long enomem_events_recorded(void)
{
	unsigned long flags, n;

	spin_lock_irqsave(&enomem_ring_lock, flags);
	n = enomem_ring_next;
	spin_unlock_irqrestore(&enomem_ring_lock, flags);
	return n;
}

/*
 * For a follow reader at *pos: the events the ring overwrote before it got
 * to them (*lost, *pos moved past them), and the event at *pos if there is
 * one yet.
 */
bool enomem_events_next(unsigned long *pos, struct enomem_event *e,
			unsigned long *lost)
{
	unsigned long flags;
	bool have;

	spin_lock_irqsave(&enomem_ring_lock, flags);
	*lost = 0;
	if (enomem_ring_next - *pos > events) {
		*lost = enomem_ring_next - events - *pos;
		*pos = enomem_ring_next - events;
	}
	have = *pos != enomem_ring_next;
	if (have)
		*e = enomem_ring[*pos % events];
	spin_unlock_irqrestore(&enomem_ring_lock, flags);
	return have;
}

size_t enomem_events_bytes(void)
{
	return sizeof(*enomem_ring) * events;
}

unsigned int enomem_events_size(void)
{
	return events;
}
