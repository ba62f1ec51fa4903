// SPDX-License-Identifier: GPL-2.0
/*
 * Per-CPU fork-failure counters.
 *
 * One failed fork bumps three counters (fork_failed, its errno class and its
 * reason) on the CPU it ran on.  A per-CPU seqcount lets readers take a
 * consistent snapshot of each CPU, so the invariants of /proc/enomem_stats
 * hold in every read, even under load.  Reset never writes another CPU's
 * counters: it records a baseline that reads subtract.
 */
#include <linux/percpu.h>
#include <linux/cpumask.h>
#include <linux/seqlock.h>
#include <linux/mutex.h>
#include <linux/string.h>
#include <linux/errno.h>
#include "enomem_stats.h"

const char *const enomem_reason_names[ENOMEM_NR_REASONS] = {
	[ENOMEM_R_PID_MAX]	= "pid_max",
	[ENOMEM_R_PIDNS_DEAD]	= "pidns_dead",
	[ENOMEM_R_COMMIT]	= "commit",
	[ENOMEM_R_CGROUP_PIDS]	= "cgroup_pids",
	[ENOMEM_R_NPROC]	= "nproc",
	[ENOMEM_R_THREADS_MAX]	= "threads_max",
	[ENOMEM_R_MEMCG]	= "memcg",
	[ENOMEM_R_SLAB]		= "slab",
	[ENOMEM_R_OTHER]	= "other",
	[ENOMEM_R_UNKNOWN]	= "unknown",
};

const char *const enomem_counter_names[ENOMEM_NR_COUNTERS] = {
	[ENOMEM_C_FORK_FAILED]	= "fork_failed",
	[ENOMEM_C_FORK_ENOMEM]	= "fork_enomem",
	[ENOMEM_C_FORK_EAGAIN]	= "fork_eagain",
	[ENOMEM_C_FORK_OTHER]	= "fork_other",
	[ENOMEM_C_REASON_FIRST + ENOMEM_R_PID_MAX]	= "pid_max",
	[ENOMEM_C_REASON_FIRST + ENOMEM_R_PIDNS_DEAD]	= "pidns_dead",
	[ENOMEM_C_REASON_FIRST + ENOMEM_R_COMMIT]	= "commit",
	[ENOMEM_C_REASON_FIRST + ENOMEM_R_CGROUP_PIDS]	= "cgroup_pids",
	[ENOMEM_C_REASON_FIRST + ENOMEM_R_NPROC]	= "nproc",
	[ENOMEM_C_REASON_FIRST + ENOMEM_R_THREADS_MAX]	= "threads_max",
	[ENOMEM_C_REASON_FIRST + ENOMEM_R_MEMCG]	= "memcg",
	[ENOMEM_C_REASON_FIRST + ENOMEM_R_SLAB]		= "slab",
	[ENOMEM_C_REASON_FIRST + ENOMEM_R_OTHER]	= "other",
	[ENOMEM_C_REASON_FIRST + ENOMEM_R_UNKNOWN]	= "unknown",
	[ENOMEM_C_MISSED]	= "missed",
	[ENOMEM_C_MAP_FAILED]	= "map_failed",
	[ENOMEM_C_MAP_REASON_FIRST + ENOMEM_MR_MAX_MAP_COUNT]	= "map_max_map_count",
	[ENOMEM_C_MAP_REASON_FIRST + ENOMEM_MR_RLIMIT_AS]	= "map_rlimit_as",
	[ENOMEM_C_MAP_REASON_FIRST + ENOMEM_MR_COMMIT]		= "map_commit",
	[ENOMEM_C_MAP_REASON_FIRST + ENOMEM_MR_MEMCG]		= "map_memcg",
	[ENOMEM_C_MAP_REASON_FIRST + ENOMEM_MR_OTHER]		= "map_other",
	[ENOMEM_C_MAP_STACK_FAILED] = "map_stack_failed",
	[ENOMEM_C_MAP_STACK_REASON_FIRST + ENOMEM_MR_MAX_MAP_COUNT] = "map_stack_max_map_count",
	[ENOMEM_C_MAP_STACK_REASON_FIRST + ENOMEM_MR_RLIMIT_AS]	= "map_stack_rlimit_as",
	[ENOMEM_C_MAP_STACK_REASON_FIRST + ENOMEM_MR_COMMIT]	= "map_stack_commit",
	[ENOMEM_C_MAP_STACK_REASON_FIRST + ENOMEM_MR_MEMCG]	= "map_stack_memcg",
	[ENOMEM_C_MAP_STACK_REASON_FIRST + ENOMEM_MR_OTHER]	= "map_stack_other",
	[ENOMEM_C_MAP_MISSED]	= "map_missed",
	[ENOMEM_C_MAP_RLIMIT_DATA]	= "map_rlimit_data",
	[ENOMEM_C_MAP_STACK_RLIMIT_DATA] = "map_stack_rlimit_data",
};

#define enomem_stats_add(a, b, c) enomem_stats_add4(a, b, c, -1)

struct enomem_cpu_stats {
	seqcount_t seq;
	u64 v[ENOMEM_NR_COUNTERS];
};

static struct enomem_cpu_stats __percpu *enomem_cpu_stats;

/* Serialises readers against reset; both run in process context. */
static DEFINE_MUTEX(enomem_stats_lock);
static u64 enomem_baseline[ENOMEM_NR_COUNTERS];

/*
 * Forks missed outside our counters (the kprobes core's own nmissed of the
 * fork entry), added to every read; main.c passes the probes' getter, so
 * the counters do not depend on the probes that feed them.
 */
static unsigned long (*enomem_stats_missed_source)(void);
static unsigned long (*enomem_stats_map_missed_source)(void);	/* maps.c's */

int enomem_stats_init(unsigned long (*missed_source)(void),
		      unsigned long (*map_missed_source)(void))
{
	int cpu;

	enomem_cpu_stats = alloc_percpu(struct enomem_cpu_stats);
	if (!enomem_cpu_stats)
		return -ENOMEM;
	for_each_possible_cpu(cpu)
		seqcount_init(&per_cpu_ptr(enomem_cpu_stats, cpu)->seq);
	enomem_stats_missed_source = missed_source;
	enomem_stats_map_missed_source = map_missed_source;
	return 0;
}

void enomem_stats_exit(void)
{
	enomem_stats_missed_source = NULL;
	enomem_stats_map_missed_source = NULL;
	free_percpu(enomem_cpu_stats);
	enomem_cpu_stats = NULL;
}

/* Bump up to four counters as one event; a negative index is skipped. */
static void enomem_stats_add4(int a, int b, int c, int d)
{
	struct enomem_cpu_stats *s = get_cpu_ptr(enomem_cpu_stats);

	/*
	 * raw_: no lockdep annotation.  A kprobe's int3 handler runs as an NMI
	 * on 6.x, and lockdep refuses a lock used both there and in task
	 * context (a jump-optimized probe's handler).  Writers never nest on a
	 * CPU: a probe that fires inside another's handler is only counted as
	 * missed by the kprobes core, and no probe fires in interrupt context.
	 */
	raw_write_seqcount_begin(&s->seq);
	s->v[a]++;
	if (b >= 0)
		s->v[b]++;
	if (c >= 0)
		s->v[c]++;
	if (d >= 0)
		s->v[d]++;
	raw_write_seqcount_end(&s->seq);
	put_cpu_ptr(enomem_cpu_stats);
}

/* Called from probe handlers (preemption off, no sleeping). */
void enomem_stats_count(int err, enum enomem_reason reason)
{
	unsigned int cls;

	if (err == -ENOMEM)
		cls = ENOMEM_C_FORK_ENOMEM;
	else if (err == -EAGAIN)
		cls = ENOMEM_C_FORK_EAGAIN;
	else
		cls = ENOMEM_C_FORK_OTHER;
	enomem_stats_add(ENOMEM_C_FORK_FAILED, cls,
			 ENOMEM_C_REASON_FIRST + reason);
}

void enomem_stats_count_missed(void)
{
	enomem_stats_add(ENOMEM_C_MISSED, -1, -1);
}

/* The counter of a mapping reason: the sixth was appended after map_missed. */
static int enomem_map_counter(enum enomem_map_reason reason, bool stack)
{
	if (reason == ENOMEM_MR_RLIMIT_DATA)
		return stack ? ENOMEM_C_MAP_STACK_RLIMIT_DATA : ENOMEM_C_MAP_RLIMIT_DATA;
	return (stack ? ENOMEM_C_MAP_STACK_REASON_FIRST : ENOMEM_C_MAP_REASON_FIRST) +
	       reason;
}

/* A failed mapping call: map_failed and its reason, a stack's twice. */
void enomem_stats_count_map(enum enomem_map_reason reason, bool stack)
{
	if (stack)
		enomem_stats_add4(ENOMEM_C_MAP_FAILED,
				  enomem_map_counter(reason, false),
				  ENOMEM_C_MAP_STACK_FAILED,
				  enomem_map_counter(reason, true));
	else
		enomem_stats_add4(ENOMEM_C_MAP_FAILED,
				  enomem_map_counter(reason, false), -1, -1);
}

static void enomem_stats_sum(u64 *out)
{
	struct enomem_cpu_stats snap;
	unsigned int seq;
	int cpu, i;

	memset(out, 0, sizeof(u64) * ENOMEM_NR_COUNTERS);
	for_each_possible_cpu(cpu) {
		const struct enomem_cpu_stats *s = per_cpu_ptr(enomem_cpu_stats, cpu);

		do {
			seq = read_seqcount_begin(&s->seq);
			memcpy(snap.v, s->v, sizeof(snap.v));
		} while (read_seqcount_retry(&s->seq, seq));
		for (i = 0; i < ENOMEM_NR_COUNTERS; i++)
			out[i] += snap.v[i];
	}
	/* kretprobe instances the kernel could not hand out are forks we never saw. */
	if (enomem_stats_missed_source)
		out[ENOMEM_C_MISSED] += enomem_stats_missed_source();
	if (enomem_stats_map_missed_source)
		out[ENOMEM_C_MAP_MISSED] += enomem_stats_map_missed_source();
}

void enomem_stats_read(u64 *out)
{
	int i;

	mutex_lock(&enomem_stats_lock);
	enomem_stats_sum(out);
	for (i = 0; i < ENOMEM_NR_COUNTERS; i++)
		out[i] -= enomem_baseline[i];
	mutex_unlock(&enomem_stats_lock);
}

size_t enomem_stats_bytes(void)
{
	return sizeof(struct enomem_cpu_stats) * num_possible_cpus();
}

void enomem_stats_reset(void)
{
	mutex_lock(&enomem_stats_lock);
	enomem_stats_sum(enomem_baseline);
	mutex_unlock(&enomem_stats_lock);
}
