// SPDX-License-Identifier: GPL-2.0
/*
 * Failed memory mappings: a plain mmap() for each reason, and the thread
 * stacks glibc's pthread_create() maps before it would call clone().  Each
 * test provokes the real limit in a worker process, checks the errno, that
 * exactly the mapping counters of its reason moved (the stack ones too for
 * threads) by the number of failed calls, and that no fork counter moved.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "cgroup.h"
#include "kmod.h"
#include "ktap.h"
#include "tests.h"
#include "util.h"

#define SYSCTL_MAX_MAP_COUNT "/proc/sys/vm/max_map_count"
#define SYSCTL_OVERCOMMIT "/proc/sys/vm/overcommit_memory"
#define SYSCTL_OVERCOMMIT_RATIO "/proc/sys/vm/overcommit_ratio"
#define MAP_ATTEMPTS 2
#define MAX_CALLS 60000
#define MAP_TIMEOUT_S 120

/* What the worker saw; in shared memory. */
struct map_outcome {
	int done, skip, setup_err;
	char msg[300];
	int holders;		/* mappings or threads made before the limit */
	int failed;		/* failed calls of the kind under test */
	int expected;		/* ... with the expected errno */
	int first_errno;
	long limit;
};

struct map_test {
	const char *name;
	int thread;		/* pthread_create (EAGAIN) rather than mmap (ENOMEM) */
	enum stat_id stat;	/* the plain reason; the stack one follows for threads */
	void (*prepare)(struct map_outcome *o);
	void (*enter)(struct map_outcome *o);	/* worker: set the limit */
	void (*leave)(void);			/* worker: lift it at once */
	void (*cleanup)(void);
	int fill;		/* make mappings/threads until refused */
};

static long saved_a = -1, saved_b = -1;
static char cg_dir[96];

static void setup_fail(struct map_outcome *o, const char *what, int err)
{
	o->setup_err = 1;
	snprintf(o->msg, sizeof(o->msg), "%s: %s", what, strerror(err));
}

static long count_maps(void)
{
	static char buf[1 << 20];
	long n = read_file("/proc/self/maps", buf, sizeof(buf)), c = 0, i;

	for (i = 0; i < n; i++)
		c += buf[i] == '\n';
	return n < 0 ? -1 : c;
}

static long vm_size_kb(void)
{
	char buf[4096], *p;

	if (read_file("/proc/self/status", buf, sizeof(buf)) < 0 ||
	    !(p = strstr(buf, "VmSize:")))
		return -1;
	return strtol(p + 7, NULL, 10);
}

/* -------- vm.max_map_count -------- */

static void mmc_prepare(struct map_outcome *o)
{
	if (read_long(SYSCTL_MAX_MAP_COUNT, &saved_a))
		setup_fail(o, SYSCTL_MAX_MAP_COUNT, errno);
}

/* Only this worker has that many maps: the others stay well below. */
static void mmc_enter(struct map_outcome *o)
{
	long n = count_maps();

	o->limit = n + 40;
	if (n < 0 || write_long(SYSCTL_MAX_MAP_COUNT, o->limit))
		setup_fail(o, SYSCTL_MAX_MAP_COUNT, EIO);
}

static void mmc_restore(void)
{
	if (saved_a > 0)
		write_long(SYSCTL_MAX_MAP_COUNT, saved_a);
}

/* -------- RLIMIT_AS -------- */

static void as_enter(struct map_outcome *o)
{
	struct rlimit rl;
	long kb = vm_size_kb();

	if (kb < 0) {
		setup_fail(o, "/proc/self/status VmSize", EINVAL);
		return;
	}
	o->limit = (kb + 1024) * 1024;
	rl.rlim_cur = rl.rlim_max = o->limit;
	if (setrlimit(RLIMIT_AS, &rl))
		setup_fail(o, "setrlimit(RLIMIT_AS)", errno);
}

/* -------- commit -------- */

static void commit_prepare(struct map_outcome *o)
{
	if (read_long(SYSCTL_OVERCOMMIT, &saved_a) ||
	    read_long(SYSCTL_OVERCOMMIT_RATIO, &saved_b))
		setup_fail(o, "save overcommit sysctls", errno);
}

static void commit_enter(struct map_outcome *o)
{
	o->limit = 1;
	if (write_long(SYSCTL_OVERCOMMIT_RATIO, 1) || write_long(SYSCTL_OVERCOMMIT, 2))
		setup_fail(o, "overcommit_memory=2", EIO);
}

static void commit_restore(void)
{
	if (saved_a >= 0)
		write_long(SYSCTL_OVERCOMMIT, saved_a);
	if (saved_b >= 0)
		write_long(SYSCTL_OVERCOMMIT_RATIO, saved_b);
}

/* -------- memcg -------- */

/*
 * The vm_area_struct of every mapping is charged to the memcg (SLAB_ACCOUNT
 * from 4.x); 3.10 charges no vma, so its v1 memcg cannot refuse a mapping.
 */
static void memcg_prepare(struct map_outcome *o)
{
	char v[32];
	int err;

	if (!cg_has("memory") || cg_version() != 2) {
		o->skip = 1;
		snprintf(o->msg, sizeof(o->msg),
			 "no cgroup v2 memory controller: 3.10's v1 memcg charges no vma, so no mapping call fails there");
		return;
	}
	err = cg_create("memory", "enomem_maps", cg_dir, sizeof(cg_dir));
	o->limit = 2 << 20;
	snprintf(v, sizeof(v), "%ld", o->limit);
	if (!err)
		err = cg_write(cg_dir, "memory.max", v);
	if (!err)
		cg_write(cg_dir, "memory.swap.max", "0");
	if (err)
		setup_fail(o, cg_dir, err);
}

/* Nothing may page-fault at the limit: fault in first, no victim for OOM. */
static void memcg_enter(struct map_outcome *o)
{
	int err = write_file("/proc/self/oom_score_adj", "-1000");

	touch_writable_pages(0);
	if (!err)
		err = cg_join(cg_dir);
	if (err)
		setup_fail(o, "join the memory cgroup", err);
}

static void memcg_cleanup(void)
{
	cg_remove(cg_dir);
}

/* -------- the calls -------- */

static void *hold(void *arg)
{
	for (;;)
		pause();
	return arg;
}

/* One call of the kind under test: 0 or its errno. */
static int map_call(const struct map_test *t, int i)
{
	pthread_attr_t attr;
	pthread_t th;
	void *p;
	int err;

	if (t->thread) {
		pthread_attr_init(&attr);
		/* a small stack for the holders; the default one to fail */
		if (t->fill)
			pthread_attr_setstacksize(&attr, 64 << 10);
		err = pthread_create(&th, &attr, hold, NULL);
		pthread_attr_destroy(&attr);
		return err;
	}
	/* alternate the protection so that neighbours never merge */
	p = mmap(NULL, t->fill ? 4096 : 64 << 20,
		 (i & 1) ? PROT_READ : PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	return p == MAP_FAILED ? errno : 0;
}

static void map_worker(const struct map_test *t, struct map_outcome *o)
{
	int expect = t->thread ? EAGAIN : ENOMEM;
	int i, err, calls = 0;

	if (t->enter)
		t->enter(o);
	if (o->skip || o->setup_err)
		goto out;
	for (i = 0; i < MAX_CALLS && o->failed < MAP_ATTEMPTS; i++) {
		err = map_call(t, i);
		calls++;
		if (!err) {
			o->holders++;
			continue;
		}
		if (!o->failed++)
			o->first_errno = err;
		o->expected += err == expect;
		/* a memcg may take a few more after a refusal: they are holders */
	}
	if (o->failed < MAP_ATTEMPTS) {
		o->setup_err = 1;
		snprintf(o->msg, sizeof(o->msg), "only %d of %d calls failed",
			 o->failed, calls);
	}
out:
	if (t->leave)
		t->leave();
	o->done = 1;
}

static void map_run(const struct map_test *t, struct map_outcome *o)
{
	struct timespec nap = { 0, 20 * 1000 * 1000 };
	struct map_outcome *sh;
	int waited = 0;
	pid_t pid;

	memset(o, 0, sizeof(*o));
	if (t->prepare)
		t->prepare(o);
	if (o->skip || o->setup_err)
		goto cleanup;
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED) {
		setup_fail(o, "mmap", errno);
		goto cleanup;
	}
	*sh = *o;
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		setpgid(0, 0);
		map_worker(t, sh);
		_exit(0);
	}
	if (pid < 0) {
		setup_fail(o, "fork the worker", errno);
		munmap(sh, sizeof(*sh));
		goto cleanup;
	}
	setpgid(pid, pid);
	while (waitpid(pid, NULL, WNOHANG) == 0) {
		if (waited++ > MAP_TIMEOUT_S * 50) {
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
			break;
		}
		nanosleep(&nap, NULL);
	}
	kill(-pid, SIGKILL);
	while (waitpid(-1, NULL, 0) > 0 || errno == EINTR)
		;
	*o = *sh;
	munmap(sh, sizeof(*sh));
	if (!o->done && !o->setup_err)
		setup_fail(o, "the worker died or hung", EINTR);
cleanup:
	if (t->cleanup)
		t->cleanup();
}

static const struct map_test map_tests[] = {
	{ "map_mmap_max_map_count", 0, ST_MAP_MAX_MAP_COUNT, mmc_prepare,
	  mmc_enter, mmc_restore, mmc_restore, 1 },
	{ "map_mmap_rlimit_as", 0, ST_MAP_RLIMIT_AS, NULL, as_enter, NULL, NULL, 0 },
	{ "map_mmap_commit", 0, ST_MAP_COMMIT, commit_prepare, commit_enter,
	  commit_restore, commit_restore, 0 },
	{ "map_mmap_memcg", 0, ST_MAP_MEMCG, memcg_prepare, memcg_enter, NULL,
	  memcg_cleanup, 1 },
	{ "map_thread_max_map_count", 1, ST_MAP_MAX_MAP_COUNT, mmc_prepare,
	  mmc_enter, mmc_restore, mmc_restore, 1 },
	{ "map_thread_rlimit_as", 1, ST_MAP_RLIMIT_AS, NULL, as_enter, NULL, NULL, 0 },
	{ "map_thread_commit", 1, ST_MAP_COMMIT, commit_prepare, commit_enter,
	  commit_restore, commit_restore, 0 },
};

#define NR_MAP_TESTS ((int)(sizeof(map_tests) / sizeof(map_tests[0])))

int maps_count_tests(void)
{
	return 2 * NR_MAP_TESTS + 1;
}

static int loaded_errno[NR_MAP_TESTS];

static int map_outcome_ok(const struct map_test *t, const struct map_outcome *o)
{
	ktap_diag("limit %ld, %d made first; %d failed, first %s, %d with %s",
		  o->limit, o->holders, o->failed, errno_name(o->first_errno),
		  o->expected, t->thread ? "EAGAIN" : "ENOMEM");
	return o->failed >= MAP_ATTEMPTS && o->expected == o->failed;
}

void test_maps(void)
{
	long long want[ST_COUNT];
	const struct map_test *t;
	struct map_outcome o;
	struct stats a, b;
	int i, ok;

	for (i = 0; i < NR_MAP_TESTS; i++) {
		t = &map_tests[i];
		ok = !read_checked(&a);
		map_run(t, &o);
		if (o.skip) {
			ktap_skip(t->name, o.msg);
			continue;
		}
		if (o.setup_err) {
			ktap_diag("%s", o.msg);
			ktap_result(0, t->name);
			continue;
		}
		loaded_errno[i] = o.first_errno;
		ok = map_outcome_ok(t, &o) && ok;
		memset(want, 0, sizeof(want));
		want[ST_MAP_FAILED] = want[t->stat] = o.failed;
		if (t->thread) {
			want[ST_MAP_STACK_FAILED] = o.failed;
			want[t->stat - ST_MAP_FAILED + ST_MAP_STACK_FAILED] = o.failed;
		}
		ok = !read_checked(&b) && ok && check_want(want, &a, &b);
		if (!ok)
			ktap_diag_file("events", DEBUGFS_DIR "/events");
		ktap_result(ok, t->name);
	}
}

/* The same calls without the module: the same errno, as many failures. */
void test_maps_observer(void)
{
	struct map_outcome o[NR_MAP_TESTS];
	char name[80];
	int i, ok, unload_err, load_err;

	unload_err = kmod_unload(MODULE_NAME);
	for (i = 0; i < NR_MAP_TESTS; i++)
		map_run(&map_tests[i], &o[i]);
	load_err = kmod_load(MODULE_PATH, MODULE_PARAMS);
	if (unload_err || load_err)
		ktap_diag("rmmod: %s, insmod: %s", strerror(unload_err),
			  strerror(load_err));
	for (i = 0; i < NR_MAP_TESTS; i++) {
		snprintf(name, sizeof(name), "observer_%s", map_tests[i].name);
		if (o[i].skip) {
			ktap_skip(name, o[i].msg);
			continue;
		}
		ok = !unload_err && !load_err;
		if (o[i].setup_err) {
			ktap_diag("%s", o[i].msg);
			ok = 0;
		} else {
			ok = map_outcome_ok(&map_tests[i], &o[i]) && ok;
		}
		ktap_diag("%s with the module, %s without",
			  errno_name(loaded_errno[i]), errno_name(o[i].first_errno));
		ktap_result(ok && o[i].first_errno == loaded_errno[i], name);
	}
}

/* With maps=0 (the default) a failed mapping moves no counter at all. */
void test_maps_off(void)
{
	long long want[ST_COUNT] = { 0 };
	const struct map_test *t = &map_tests[1];	/* RLIMIT_AS: no sysctl */
	struct map_outcome o;
	struct stats a, b;
	int ok, err;

	err = kmod_unload(MODULE_NAME);
	err = err ? err : kmod_load(MODULE_PATH, "maps=0");
	if (err)
		ktap_diag("reload with maps=0: %s", strerror(err));
	ok = !err && !read_checked(&a);
	map_run(t, &o);
	ok = ok && !o.setup_err && map_outcome_ok(t, &o);
	ok = !read_checked(&b) && ok && check_want(want, &a, &b);
	err = kmod_unload(MODULE_NAME);
	err = err ? err : kmod_load(MODULE_PATH, MODULE_PARAMS);
	if (err)
		ktap_diag("reload with %s: %s", MODULE_PARAMS, strerror(err));
	ktap_result(ok && !err, "map_not_counted_with_maps_0");
}
