/* SPDX-License-Identifier: GPL-2.0 */
/* The guest tests, grouped by what they exercise; each prints one result. */
#ifndef ENOMEM_TEST_TESTS_H
#define ENOMEM_TEST_TESTS_H

#include "kinds.h"
#include "scenarios.h"
#include "stats.h"

#define MODULE_PATH "/modules/enomem_stats.ko"
#define MODULE_NAME "enomem_stats"
/* the suite runs with the module as a default install loads it */
#define MODULE_PARAMS ""
/* the mapping tests that need maps=1's return probes (they cost every mmap) */
#define MAPS_PARAMS "maps=1"
#define DEBUGFS_DIR "/sys/kernel/debug/enomem_stats"
#define ATTEMPTS 2
#define CONTROL_FORKS 1000

/* check.c: reading the counters and comparing deltas */
int read_checked(struct stats *s);
void add_want(long long *want, const struct scenario *sc,
	      const struct outcome *o);
int check_want(const long long *want, const struct stats *a,
	       const struct stats *b);

/* t_module.c: loading, reloading, the kernel log */
void test_load(void);
void test_reload(void);
void test_dmesg(void);

/* t_cost.c: the success path passes the fork entry's probe only */
void test_success_path_probes(void);

/* t_events.c: what an event names */
void test_event_cgroup_path(void);

/* t_procfile.c: the /proc file's mode and writes */
void test_proc_mode(void);
void test_write_invalid(void);
void test_write_nonroot(void);
void test_write_reset(const char *what, const char *name);

/*
 * t_observer.c: the module only observes.  A set of failures provoked with
 * the module loaded, provoked again without it; the i-th is named by its
 * test with the module.
 */
struct observed {
	const char *call;	/* what returned the errno, for the log: "fork(): " */
	const char *(*name)(int i);	/* NULL past the last */
	void (*provoke)(int i, struct outcome *o);
	int (*outcome_ok)(int i, const struct outcome *o);
	/* first errno of each with the module; 0: not run, the observer skips */
	const int *loaded_errno;
};
void test_without_module(const struct observed *set);

/* t_reasons.c: every reason, every kind of task creation, and without the module */
void test_control(void);
void test_reason(int idx, enum kind k);
extern const struct observed fork_observed;
void test_every_reason(void);

/* t_maps.c: failed mappings (mmap, thread stacks), and without the module */
int maps_count_tests(void);
void test_maps(void);
/* t_mapsites.c: the failure-only vm.max_map_count sites */
int map_sites_read(int loaded);
int map_site_live(const char *pair);	/* FUNCTION/CHECK */
void test_map_sites_found(void);
void test_map_sites_quiet(void);
extern const struct observed maps_observed;
void test_maps_default(void);
void maps_demo(void);

/* t_who.c: who is failing (the cgroups and users tables, the follow stream) */
#define WHO_TESTS 7
void test_who_sums(const char *when);
void test_who_counts(void);
void test_follow_order(void);
void test_who_evict(void);
void test_follow_lost(void);
void test_follow_unload(void);

#endif
