/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The stress suite's shared parts (selftests/stress, see main.c).  Where
 * things live: the tests in params.c, observer.c, fuzz.c, exhaustion.c,
 * log.c and reload.c (their results in the order main.c calls them); the
 * tasks that fork, fail to fork or read in workers.c; the pids cgroup in
 * cgroup.c; the counters and the workers' tallies in counters.c; loading
 * the module and the kprobes list in module.c; KTAP in ktap.c.
 */
#ifndef ENOMEM_STRESS_H
#define ENOMEM_STRESS_H

#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/types.h>
#include <sys/wait.h>

#include "../guest/kmod.h"
#include "../guest/stats.h"
#include "../guest/util.h"

#define MODULE_PATH "/modules/enomem_stats.ko"
#define MODULE_NAME "enomem_stats"
#define STATS "/proc/enomem_stats"
#define DBG "/sys/kernel/debug/enomem_stats"
#define PARAMS "/sys/module/enomem_stats/parameters"
#define KPROBES_LIST "/sys/kernel/debug/kprobes/list"
#define USER_ID 1000
#define HOLDERS 3		/* + the worker itself = the limit of 4 */
#define LIMIT 4

/* ktap.c: results numbered from the START given on the command line */
extern int test_no;
void diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void result(int ok, const char *name);
void result_skip(const char *name, const char *reason);

/* helpers.c */
double now(void);
void sleep_ms(long ms);
void pin(int cpu);
int ncpus(void);
pid_t fork_child(void);
void reap_all(void);
/* 1 if the worker ran and exited 0, else 0 with a diagnostic */
int wait_ok(pid_t pid, const char *what);

/* module.c */
int mod_load(const char *params);
int dbg_open_begin(void);
void dbg_open_end(void);
int mod_unload(int *retries);
int mod_loaded(void);
extern char kp_base[65536];	/* the kprobes list before any load */
extern int kp_have;
int kprobes_read(char *buf, size_t len);
int bracketed(void);
int kprobes_has_fork_entry(const char *list);

/* cgroup.c: the pids cgroup at pids.max = LIMIT, v2 or v1 */
#define CG_PIDS_NAME "/stress_pids"	/* its path from the hierarchy's root */
int cgroup_setup(void);
int cgroup_join(void);
void cgroup_remove(void);

/* counters.c: /proc/enomem_stats, and what the workers saw */
int stats_get(struct stats *s, char *err, size_t errlen);
void stats_delta(const struct stats *a, const struct stats *b, struct stats *d);
void stats_show(const char *title, const struct stats *s);

#define ERRMAX 160
enum { K_PROC, K_VFORK, K_THREAD, NKIND };

struct tally {
	unsigned long ok[NKIND];
	unsigned long err[NKIND][ERRMAX];
};

/* Shared (MAP_SHARED) between the test process and its workers. */
struct shared {
	volatile int stop;
	volatile int gen;	/* odd while the module is (being) loaded */
	volatile int release;
	int parked;
	int unloading, dbg_opening;	/* the debugfs fence (module.c) */
	unsigned long reads, absent, empty, unexpected, bad, nonmono, ghost;
	unsigned long dbg_reads, dbg_absent, dbg_unexpected, dbg_bad;
	unsigned long storm_ok, storm_fail;
	int msg_taken;
	char msg[512];
	struct tally t[8];
};

extern struct shared *sh;
int shared_setup(void);
void shared_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void count_err(struct tally *t, int k, int err);
unsigned long tally_failed(const struct tally *t, int err);
void tally_show(const char *title, const struct tally *t);

/* workers.c: forked tasks, pinned to a CPU, that die with the test */
enum worker { W_PIDS, W_NPROC, W_PIDNS, W_COMMIT, W_BADCLONE };
void attempt_round(struct tally *t);
pid_t start_storm(int cpu, long rounds, struct tally *t);
pid_t start_failer(enum worker w, int cpu, long rounds, struct tally *t);
pid_t start_commit(long rounds, struct tally *t);
pid_t start_map_failer(int cpu, struct tally *t);
pid_t start_mmc_failer(int cpu, int limit, struct tally *t);
pid_t start_proc_reader(int cpu);
pid_t start_debugfs_reader(int cpu);

/* log.c: the kernel log, from /dev/kmsg */
int kmsg_mark(void);
void kmsg_since(int fd, char *out, size_t len);
int log_has_warning(const char *text);

/* the tests, in main.c's order */
void test_bad_params(void);
void test_observer(void);
void test_fuzz_proc(unsigned long *tried);
void test_fuzz_proc_nearmiss(unsigned long *tried);
void test_fuzz_log(unsigned long *tried);
void test_fuzz_readonly(unsigned long *tried);
void test_nonroot(unsigned long *tried);
void test_exhaustion(void);
void test_log_line(void);
void test_reload(int cycles, int maxsec);

#endif
