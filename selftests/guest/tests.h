/* SPDX-License-Identifier: GPL-2.0 */
/* The guest tests, grouped by what they exercise; each prints one result. */
#ifndef ENOMEM_TEST_TESTS_H
#define ENOMEM_TEST_TESTS_H

#include "kinds.h"
#include "scenarios.h"
#include "stats.h"

#define MODULE_PATH "/modules/enomem_stats.ko"
#define MODULE_NAME "enomem_stats"
/* the tests watch mappings too (off by default: it costs every mmap) */
#define MODULE_PARAMS "maps=1"
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

/* t_reasons.c: every reason, every kind of task creation, the observer */
void test_control(void);
void test_reason(int idx, enum kind k);
void test_observer(void);
void test_every_reason(void);

/* t_maps.c: failed mappings (mmap, thread stacks), and their observer */
int maps_count_tests(void);
void test_maps(void);
void test_maps_observer(void);
void test_maps_off(void);

#endif
