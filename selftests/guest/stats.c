// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "stats.h"
#include "util.h"

const char *const stat_names[ST_COUNT] = {
	"fork_failed", "fork_enomem", "fork_eagain", "fork_other",
	"pid_max", "pidns_dead", "commit", "cgroup_pids", "nproc",
	"threads_max", "memcg", "slab", "other", "unknown", "missed",
	"map_failed", "map_max_map_count", "map_rlimit_as", "map_commit",
	"map_memcg", "map_other",
	"map_stack_failed", "map_stack_max_map_count", "map_stack_rlimit_as",
	"map_stack_commit", "map_stack_memcg", "map_stack_other",
	"map_missed",
	"map_rlimit_data", "map_stack_rlimit_data",
};

int stat_id_by_name(const char *name)
{
	int i;

	for (i = 0; i < ST_COUNT; i++)
		if (!strcmp(stat_names[i], name))
			return i;
	return -1;
}

int stats_parse(char *buf, long n, struct stats *s, char *err, int errlen)
{
	char *line, *save = NULL, name[64], extra;
	unsigned long long val;
	int idx = 0;

	memset(s, 0, sizeof(*s));
	if (n <= 0 || buf[n - 1] != '\n') {
		snprintf(err, errlen, "%s is empty or does not end with a newline", STATS_PATH);
		return -1;
	}
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (sscanf(line, "%63[a-z0-9_] %llu%c", name, &val, &extra) != 2) {
			snprintf(err, errlen, "malformed line \"%.80s\"", line);
			return -1;
		}
		if (idx < ST_COUNT) {
			if (strcmp(name, stat_names[idx])) {
				snprintf(err, errlen, "line %d is \"%s\", expected \"%s\"",
					 idx + 1, name, stat_names[idx]);
				return -1;
			}
			s->v[idx] = val;
		}
		/* Names after the known ones are allowed (appended later). */
		idx++;
	}
	if (idx < ST_COUNT) {
		snprintf(err, errlen, "only %d lines, \"%s\" missing", idx,
			 stat_names[idx]);
		return -1;
	}
	return 0;
}

int stats_read(struct stats *s, char *err, int errlen)
{
	static char buf[8192];
	long n;

	memset(s, 0, sizeof(*s));
	n = read_file(STATS_PATH, buf, sizeof(buf));
	if (n < 0) {
		snprintf(err, errlen, "read %s: %s", STATS_PATH, strerror(-n));
		return -1;
	}
	return stats_parse(buf, n, s, err, errlen);
}

int stats_invariants(const struct stats *s, char *err, int errlen)
{
	unsigned long long sum = 0;
	int i;

	for (i = ST_FIRST_REASON; i <= ST_LAST_REASON; i++)
		sum += s->v[i];
	if (sum != s->v[ST_FORK_FAILED]) {
		snprintf(err, errlen, "sum of reasons %llu != fork_failed %llu",
			 sum, s->v[ST_FORK_FAILED]);
		return -1;
	}
	sum = s->v[ST_FORK_ENOMEM] + s->v[ST_FORK_EAGAIN] + s->v[ST_FORK_OTHER];
	if (sum != s->v[ST_FORK_FAILED]) {
		snprintf(err, errlen,
			 "fork_enomem+fork_eagain+fork_other %llu != fork_failed %llu",
			 sum, s->v[ST_FORK_FAILED]);
		return -1;
	}
	/* map reasons sum to map_failed, stack reasons to map_stack_failed */
	for (i = 0; i < 2; i++) {
		int base = i ? ST_MAP_STACK_FAILED : ST_MAP_FAILED, r;

		sum = s->v[i ? ST_MAP_STACK_RLIMIT_DATA : ST_MAP_RLIMIT_DATA];
		for (r = 1; r <= ST_MAP_REASONS; r++)
			sum += s->v[base + r];
		if (sum != s->v[base]) {
			snprintf(err, errlen, "sum of %s reasons %llu != %s %llu",
				 stat_names[base], sum, stat_names[base], s->v[base]);
			return -1;
		}
	}
	if (s->v[ST_MAP_STACK_RLIMIT_DATA] > s->v[ST_MAP_RLIMIT_DATA]) {
		snprintf(err, errlen, "map_stack_rlimit_data %llu > map_rlimit_data %llu",
			 s->v[ST_MAP_STACK_RLIMIT_DATA], s->v[ST_MAP_RLIMIT_DATA]);
		return -1;
	}
	/* a stack failure is also a mapping failure of the same reason */
	for (i = 0; i <= ST_MAP_REASONS; i++)
		if (s->v[ST_MAP_STACK_FAILED + i] > s->v[ST_MAP_FAILED + i]) {
			snprintf(err, errlen, "%s %llu > %s %llu",
				 stat_names[ST_MAP_STACK_FAILED + i],
				 s->v[ST_MAP_STACK_FAILED + i],
				 stat_names[ST_MAP_FAILED + i], s->v[ST_MAP_FAILED + i]);
			return -1;
		}
	return 0;
}

void stats_format_delta(const struct stats *a, const struct stats *b,
			char *buf, int len)
{
	int i, off = 0;

	buf[0] = '\0';
	for (i = 0; i < ST_COUNT && off < len; i++)
		if (a->v[i] != b->v[i])
			off += snprintf(buf + off, len - off, "%s%s %+lld", off ? ", " : "",
					stat_names[i],
					(long long)(b->v[i] - a->v[i]));
	if (!off)
		snprintf(buf, len, "no counter changed");
}

int stats_equal(const struct stats *a, const struct stats *b)
{
	return !memcmp(a->v, b->v, sizeof(a->v));
}

int stats_all_zero(const struct stats *s)
{
	int i;

	for (i = 0; i < ST_COUNT; i++)
		if (s->v[i])
			return 0;
	return 1;
}

int stat_map_stack_twin(int id)
{
	if (id == ST_MAP_RLIMIT_DATA)
		return ST_MAP_STACK_RLIMIT_DATA;
	return id - ST_MAP_FAILED + ST_MAP_STACK_FAILED;
}
