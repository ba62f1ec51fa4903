/* SPDX-License-Identifier: GPL-2.0 */
/*
 * enomemstat: what its files share.  main.c parses the command line and
 * calls one command: the counters (counters.c, printed by output.c or
 * interval.c), the event log (events.c), the per-cgroup and per-user
 * tables (who.c: --top, and --prometheus's cgroup series), the follow
 * stream (follow.c) or --diagnose (diagnose.c and its check_*.c files,
 * declared in diagnose.h).  Every JSON byte goes through json.c.
 *
 * Built with -std=gnu99 and only libc, so it compiles with CentOS 7's gcc
 * 4.8 and glibc 2.17 and links statically for a busybox VM guest: no NSS
 * calls (user names come from parsing etc/passwd ourselves).
 */
#ifndef ENOMEMSTAT_H
#define ENOMEMSTAT_H

#include <limits.h>
#include <stddef.h>
#include <time.h>

#define ENOMEMSTAT_VERSION	"0.1"

/* Exit codes: 1 only ever means "--diagnose found a ceiling hit or near". */
#define EXIT_FINDING	1
#define EXIT_TROUBLE	2
#define EXIT_UNLOADED	3	/* --follow: the module went away under it */

/* A proc file larger than this is not one of ours. */
#define MAX_FILE	(1024 * 1024)

#define UNLIMITED	ULLONG_MAX

/* --root DIR or ENOMEMSTAT_ROOT; "" for the running system. */
extern const char *root;

extern const char proc_stats[];

/* ------------------------------------------------------------------ */
/* The counters of /proc/enomem_stats, in the README's order.          */

enum {
	R_PID_MAX, R_PIDNS_DEAD, R_COMMIT, R_CGROUP_PIDS, R_NPROC,
	R_THREADS_MAX, R_MEMCG, R_SLAB, R_OTHER, R_UNKNOWN,
	NR_REASONS
};

enum {
	C_FORK_FAILED, C_FORK_ENOMEM, C_FORK_EAGAIN, C_FORK_OTHER,
	C_REASON_FIRST,
	C_MISSED = C_REASON_FIRST + NR_REASONS,
	NR_COUNTERS
};

extern const char *const counter_names[NR_COUNTERS];

struct reason_info {
	const char *col;	/* interval mode column header */
	const char *limit;	/* what refused the fork */
	const char *hint;	/* where to look, how to raise it */
};

extern const struct reason_info reasons[NR_REASONS];

/*
 * Failed memory mappings (mmap, mprotect; thread stacks apart), appended to
 * the file after "missed".  Optional: a module without them still reads.
 * rlimit_data's two lines come last in the file (after map_missed) and are
 * optional on their own: a module from before them still reads, its
 * RLIMIT_DATA refusals counted in other.
 */
enum {
	MR_MAX_MAP_COUNT, MR_RLIMIT_AS, MR_RLIMIT_DATA, MR_COMMIT, MR_MEMCG,
	MR_OTHER,
	NR_MAP_REASONS
};

enum {
	M_FAILED, M_REASON_FIRST,
	M_STACK_FAILED = M_REASON_FIRST + NR_MAP_REASONS,
	M_STACK_REASON_FIRST,
	M_MISSED = M_STACK_REASON_FIRST + NR_MAP_REASONS,
	NR_MAP_COUNTERS
};

extern const char *const map_counter_names[NR_MAP_COUNTERS];
/* the reason's short name ("max_map_count"), for labels and JSON keys */
extern const char *const map_reason_names[NR_MAP_REASONS];
extern const struct reason_info map_reasons[NR_MAP_REASONS];

/* A --diagnose finding's reason for a mapping reason (after the fork ones). */
#define MAP_REASON(r)	(NR_REASONS + (r))

struct counters {
	unsigned long long v[NR_COUNTERS];
	int has_maps;			/* the module counts mappings */
	int has_rlimit_data;		/* ... and RLIMIT_DATA apart */
	unsigned long long m[NR_MAP_COUNTERS];
};

enum { CNT_OK, CNT_ABSENT, CNT_BAD };

/* common.c: files below root, numbers */
void root_path(char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
char *read_file(const char *path, size_t *lenp);
int parse_u64(const char *s, unsigned long long *out);
int read_u64(unsigned long long *out, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int keyed_u64(const char *buf, const char *key, unsigned long long *out);
int is_number(const char *s);
int user_name(unsigned long long uid, char *buf, size_t len);
unsigned long long clock_now_ns(clockid_t clock);

/* counters.c */
void explain_absent(void);
/* whether c has mapping reason r's counters (rlimit_data may be absent) */
int map_reason_shown(const struct counters *c, int r);
int read_counters(struct counters *c);
int do_reset(void);

/* json.c: the one JSON writer; a NULL key inside an array or at the top */
void jw_object_open(const char *key);
void jw_object_close(void);
void jw_array_open(const char *key);
void jw_array_close(void);
void jw_uint(const char *key, unsigned long long v);
void jw_int(const char *key, int v);
void jw_bool(const char *key, int v);
void jw_string(const char *key, const char *s);
void jw_number(const char *key, const char *digits);
void jw_null(const char *key);

/* output.c: the counters' formats, and where stdout goes */
void print_table(const struct counters *c);
void print_json(const struct counters *c, int sample);
void print_prometheus(const struct counters *c);
void finish_stdout(void);
void output_open(const char *path);
int output_commit(void);
void output_discard(void);

/* interval.c */
int run_interval(double interval, long count, int json);

/* events.c: the events file, and what the follow stream and tables share */
enum { EV_TIME, EV_PID, EV_TGID, EV_UID, EV_KIND, EV_ERRNO, EV_REASON,
	EV_LIMIT, EV_CGROUP, NR_EV_FIELDS };

struct event {
	char *f[NR_EV_FIELDS];
	char *comm;
};

#define MAX_FIELDS	64	/* per line; more is a malformed line */

extern const char debugfs_dir[];
int split_fields(char *line, char **tok, int min);
void unescape(char *s);
void print_sanitized(const char *s, int width);
int parse_event(char *line, struct event *e);
void explain_no_debugfs_file(const char *path, int saved, const char *what);
void jw_field_or_null(const char *key, const char *s);
void event_json_members(const struct event *e);
int show_events(int json);

/* who.c: the per-cgroup and per-user tables */
enum who_table { WHO_CGROUP, WHO_USER };
int show_top(enum who_table t, int json);
void print_prometheus_cgroups(int top_n);

/* follow.c */
int follow(int json);

/* diagnose.c */
int diagnose(int pid, const char *cgroup, int json);

#endif /* ENOMEMSTAT_H */
