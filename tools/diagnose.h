/* SPDX-License-Identifier: GPL-2.0 */
/*
 * --diagnose: what diagnose.c (findings, ranking, output, the table of
 * checks) shares with the checks in check_sys.c, check_proc.c and
 * check_cgroup.c, and with mapwatch.c (how the module watches each mapping
 * reason).  A check reads state, then calls add_finding() once per thing it
 * compared; it never prints.
 */
#ifndef ENOMEMSTAT_DIAGNOSE_H
#define ENOMEMSTAT_DIAGNOSE_H

#include "enomemstat.h"

#define NEAR_PCT	90	/* "near" a ceiling: at or above this share */

enum sev { SEV_OK, SEV_PAST, SEV_NEAR, SEV_HIT };

/* What every check may look at. */
struct diag_ctx {
	int pid;			/* --pid, or 0 */
	const char *cgroup;		/* --cgroup, or NULL */
	unsigned long long threads;	/* tasks in use (loadavg) ... */
	int have_threads;		/* ... if that was readable */
	const char *v2base;		/* cgroup v2 mount below root, or NULL */
};

/* diagnose.c */
void add_finding(enum sev sev, int reason, const char *check,
		 unsigned long long used, unsigned long long limit,
		 const char *what, const char *advice);
void note_unreadable(const char *check, const char *what);
int nr_findings_so_far(void);
enum sev grade(unsigned long long used, unsigned long long limit,
	       unsigned long long hit_at);
unsigned int pct(unsigned long long used, unsigned long long limit);
void appendf(char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* check_sys.c */
void check_pid_max(const struct diag_ctx *ctx);
void check_threads_max(const struct diag_ctx *ctx);
void check_memory(const struct diag_ctx *ctx);

/* check_proc.c */
void check_map_count(const struct diag_ctx *ctx);
void check_rlimits(const struct diag_ctx *ctx);

/* check_cgroup.c */
const char *cg2_base(void);
void check_cgroups(const struct diag_ctx *ctx);

/* mapwatch.c */
int maps_param(void);
void map_watch_read(void);
void map_watch_caveat(int mr, unsigned long long failed, char *text, size_t len);
void map_watch_print_notes(void);
void map_watch_json(void);

#endif /* ENOMEMSTAT_DIAGNOSE_H */
