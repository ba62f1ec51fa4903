// SPDX-License-Identifier: GPL-2.0
/*
 * Per-event detail: a fixed-size ring of the most recent failed forks and an
 * opt-in, rate-limited kernel log line naming the limit.
 *
 * The ring is allocated at load and written under a spinlock from the fork
 * return probe, on failures only; nothing is allocated in probe context.  An
 * entry overwritten before anyone read it is counted, never silently lost.
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

/* Up to 10 lines per 5 s: a fork storm must not flood the log. */
static DEFINE_RATELIMIT_STATE(enomem_log_rs, 5 * HZ, 10);

int enomem_events_init(void)
{
	if (events < 1 || events > ENOMEM_EVENTS_MAX) {
		pr_err("enomem_stats: events=%u is out of range; use 1 to %u\n",
		       events, ENOMEM_EVENTS_MAX);
		return -EINVAL;
	}
	enomem_ring = vzalloc(sizeof(*enomem_ring) * events);
	return enomem_ring ? 0 : -ENOMEM;
}

void enomem_events_exit(void)
{
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
	e->time_ns = ktime_get_ns();
	e->pid = current->pid;
	e->tgid = current->tgid;
	e->uid = from_kuid_munged(&init_user_ns, current_uid());
	e->kind = kind;
	e->err = err;
	memcpy(e->comm, current->comm, sizeof(e->comm));
	e->comm[sizeof(e->comm) - 1] = '\0';
	enomem_task_cgroup_path(cgroup_reason, e->cgroup, sizeof(e->cgroup));
}

void enomem_event_push(const struct enomem_event *e)
{
	unsigned long flags;

	spin_lock_irqsave(&enomem_ring_lock, flags);
	enomem_ring[enomem_ring_next % events] = *e;
	enomem_ring_next++;
	spin_unlock_irqrestore(&enomem_ring_lock, flags);

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

size_t enomem_events_bytes(void)
{
	return sizeof(*enomem_ring) * events;
}

unsigned int enomem_events_size(void)
{
	return events;
}
