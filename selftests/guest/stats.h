/* SPDX-License-Identifier: GPL-2.0 */
/* /proc/enomem_stats: read, compare, check the invariants of docs/interface.md. */
#ifndef ENOMEM_TEST_STATS_H
#define ENOMEM_TEST_STATS_H

#define STATS_PATH "/proc/enomem_stats"

/* The fixed order of docs/interface.md; new names may only be appended after these. */
enum stat_id {
	ST_FORK_FAILED, ST_FORK_ENOMEM, ST_FORK_EAGAIN, ST_FORK_OTHER,
	ST_PID_MAX, ST_PIDNS_DEAD, ST_COMMIT, ST_CGROUP_PIDS, ST_NPROC,
	ST_THREADS_MAX, ST_MEMCG, ST_SLAB, ST_OTHER, ST_UNKNOWN, ST_MISSED,
	/* failed memory mappings, appended */
	ST_MAP_FAILED, ST_MAP_MAX_MAP_COUNT, ST_MAP_RLIMIT_AS, ST_MAP_COMMIT,
	ST_MAP_MEMCG, ST_MAP_OTHER,
	ST_MAP_STACK_FAILED, ST_MAP_STACK_MAX_MAP_COUNT, ST_MAP_STACK_RLIMIT_AS,
	ST_MAP_STACK_COMMIT, ST_MAP_STACK_MEMCG, ST_MAP_STACK_OTHER,
	ST_MAP_MISSED,
	/* the sixth mapping reason, appended after map_missed */
	ST_MAP_RLIMIT_DATA, ST_MAP_STACK_RLIMIT_DATA,
	ST_COUNT
};
#define ST_MAP_REASONS 5	/* max_map_count rlimit_as commit memcg other */
/* The stack twin of a mapping reason's counter. */
int stat_map_stack_twin(int id);
#define ST_FIRST_REASON ST_PID_MAX
#define ST_LAST_REASON ST_UNKNOWN

extern const char *const stat_names[ST_COUNT];

struct stats {
	unsigned long long v[ST_COUNT];
};

/*
 * Read and check the format: every line "name value", all known names
 * present in order.  0 on success, else -1 with a message in err.
 */
int stats_read(struct stats *s, char *err, int errlen);
/* The same for the n bytes of buf read from it (buf is modified). */
int stats_parse(char *buf, long n, struct stats *s, char *err, int errlen);
/* The sums and bounds of docs/interface.md; 0 if they hold, else -1 with a message. */
int stats_invariants(const struct stats *s, char *err, int errlen);
/* One "name delta" line for every counter that changed, for diagnostics. */
void stats_format_delta(const struct stats *a, const struct stats *b,
			char *buf, int len);
int stat_id_by_name(const char *name);
int stats_equal(const struct stats *a, const struct stats *b);
int stats_all_zero(const struct stats *s);

#endif
