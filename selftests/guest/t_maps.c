// SPDX-License-Identifier: GPL-2.0
/*
 * Failed memory mappings: a plain mmap() for each reason, the thread
 * stacks glibc's pthread_create() maps before it would call clone(), and
 * mprotect(), mremap() and brk() for the reasons each meets.  Each test
 * provokes the real limit in a worker process, checks the errno, that
 * exactly the mapping counters of its reason moved (the stack ones too for
 * threads) by the number of failed calls, and that no fork counter moved.
 * Every test runs twice: with the module loaded as a default install
 * does (no parameters: the failure-only sites of its path; a path without
 * one skips, saying so), and with maps=1 (the return probes).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
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
#define MAP_BIG (64 << 20)

enum map_op {
	OP_MMAP,
	OP_THREAD,		/* pthread_create (EAGAIN) rather than ENOMEM */
	OP_BRK,			/* sbrk() */
	OP_MREMAP,		/* grow a mapping that has to move */
	OP_MPROTECT,		/* make a PROT_NONE reservation writable */
};

struct map_test {
	const char *name;
	enum map_op op;
	enum stat_id stat;	/* the plain reason; the stack one follows for threads */
	void (*prepare)(struct outcome *o);
	void (*enter)(struct outcome *o);	/* worker: set the limit */
	void (*leave)(void);			/* worker: lift it at once */
	void (*cleanup)(void);
	int fill;		/* make mappings/threads until refused */
	const char *probe;	/* role of the return probe it needs (maps=1) */
	/* maps=0: failure-only sites that count it, any one of them */
	const char *const *sites;
};

#define SITES(...) ((const char *const []){ __VA_ARGS__, NULL })

static long saved_a = -1, saved_b = -1;
static char cg_dir[96];

static long count_maps(void)
{
	static char buf[1 << 20];
	long n = read_file("/proc/self/maps", buf, sizeof(buf)), c = 0, i;

	for (i = 0; i < n; i++)
		c += buf[i] == '\n';
	return n < 0 ? -1 : c;
}

/* A "Vm...:" line of /proc/self/status, in KiB; -1 if unreadable. */
static long status_kb(const char *field)
{
	char buf[4096], *p;

	if (read_file("/proc/self/status", buf, sizeof(buf)) < 0 ||
	    !(p = strstr(buf, field)))
		return -1;
	return strtol(p + strlen(field), NULL, 10);
}

/* RES's limit 1 MiB above what FIELD says is in use: a 64 MiB request is over. */
static void rlimit_enter(struct outcome *o, int res, const char *field)
{
	struct rlimit rl;
	long kb = status_kb(field);

	if (kb < 0) {
		outcome_fail(o, field, EINVAL);
		return;
	}
	o->limit = (kb + 1024) * 1024;
	rl.rlim_cur = rl.rlim_max = o->limit;
	if (setrlimit(res, &rl))
		outcome_fail(o, "setrlimit", errno);
}

/* -------- vm.max_map_count -------- */

static void mmc_prepare(struct outcome *o)
{
	if (read_long(SYSCTL_MAX_MAP_COUNT, &saved_a))
		outcome_fail(o, SYSCTL_MAX_MAP_COUNT, errno);
}

/* Only this worker has that many maps: the others stay well below. */
static void mmc_enter(struct outcome *o)
{
	long n = count_maps();

	o->limit = n + 40;
	if (n < 0 || write_long(SYSCTL_MAX_MAP_COUNT, o->limit))
		outcome_fail(o, SYSCTL_MAX_MAP_COUNT, EIO);
}

/*
 * mremap() must move the mapping (it cannot grow in place) and refuses
 * three short of the limit; /proc/self/maps lists [vsyscall] too, so the
 * mm has one or two mappings fewer than the limit: mmap() would still work.
 */
static void mmc_mremap_enter(struct outcome *o)
{
	long n = count_maps();

	o->limit = n + 1;
	if (n < 0 || write_long(SYSCTL_MAX_MAP_COUNT, o->limit))
		outcome_fail(o, SYSCTL_MAX_MAP_COUNT, EIO);
}

/*
 * brk() refuses when the process already has more mappings than the limit
 * (before it knows whether the heap grows in place): the limit two below
 * the mm's count (/proc/self/maps lists [vsyscall] too).
 */
static void mmc_brk_enter(struct outcome *o)
{
	long n = count_maps();

	o->limit = n - 3;
	if (n < 0 || write_long(SYSCTL_MAX_MAP_COUNT, o->limit))
		outcome_fail(o, SYSCTL_MAX_MAP_COUNT, EIO);
}

static void mmc_restore(void)
{
	if (saved_a > 0)
		write_long(SYSCTL_MAX_MAP_COUNT, saved_a);
}

/* -------- RLIMIT_AS -------- */

static void as_enter(struct outcome *o)
{
	rlimit_enter(o, RLIMIT_AS, "VmSize:");
}

/* -------- RLIMIT_DATA -------- */

/* Before 4.7 only brk() checks RLIMIT_DATA, and returns no ENOMEM. */
static void data_prepare(struct outcome *o)
{
	if (kernel_older_than(4, 7)) {
		o->skip = 1;
		snprintf(o->msg, sizeof(o->msg),
			 "before 4.7 RLIMIT_DATA limits brk() only, which fails without ENOMEM");
	}
}

static void data_enter(struct outcome *o)
{
	rlimit_enter(o, RLIMIT_DATA, "VmData:");
}

/* -------- commit -------- */

static void commit_prepare(struct outcome *o)
{
	if (read_long(SYSCTL_OVERCOMMIT, &saved_a) ||
	    read_long(SYSCTL_OVERCOMMIT_RATIO, &saved_b))
		outcome_fail(o, "save overcommit sysctls", errno);
}

static void commit_enter(struct outcome *o)
{
	o->limit = 1;
	if (write_long(SYSCTL_OVERCOMMIT_RATIO, 1) || write_long(SYSCTL_OVERCOMMIT, 2))
		outcome_fail(o, "overcommit_memory=2", EIO);
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
static void memcg_prepare(struct outcome *o)
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
		outcome_fail(o, cg_dir, err);
}

/* Nothing may page-fault at the limit: fault in first, no victim for OOM. */
static void memcg_enter(struct outcome *o)
{
	int err = write_file("/proc/self/oom_score_adj", "-1000");

	touch_writable_pages(0);
	if (!err)
		err = cg_join(cg_dir);
	if (err)
		outcome_fail(o, "join the memory cgroup", err);
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

/* A page that cannot grow in place: the page above it is another mapping. */
static char *mremap_src;

static int mremap_prepare(void)
{
	mremap_src = mmap(NULL, 2 * 4096, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mremap_src == MAP_FAILED)
		return errno;
	return mprotect(mremap_src + 4096, 4096, PROT_READ) ? errno : 0;
}

static int mremap_call(void)
{
	void *p = mremap(mremap_src, 4096, MAP_BIG, MREMAP_MAYMOVE);

	if (p == MAP_FAILED)
		return errno;
	munmap(p, MAP_BIG);
	munmap(mremap_src + 4096, 4096);
	return mremap_prepare();
}

/* A private reservation, PROT_NONE: not data until made writable. */
static char *reserved;

static int mprotect_prepare(void)
{
	reserved = mmap(NULL, MAP_BIG, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	return reserved == MAP_FAILED ? errno : 0;
}

static int mprotect_call(void)
{
	if (mprotect(reserved, MAP_BIG, PROT_READ | PROT_WRITE))
		return errno;
	return mprotect(reserved, MAP_BIG, PROT_NONE) ? errno : 0;
}

static int brk_call(void)
{
	if (sbrk(MAP_BIG) == (void *)-1)
		return errno;
	sbrk(-MAP_BIG);
	return 0;
}

/* One call of the kind under test: 0 or its errno. */
static int map_call(const struct map_test *t, int i)
{
	pthread_attr_t attr;
	pthread_t th;
	void *p;
	int err;

	if (t->op == OP_BRK)
		return brk_call();
	if (t->op == OP_MREMAP)
		return mremap_call();
	if (t->op == OP_MPROTECT)
		return mprotect_call();
	if (t->op == OP_THREAD) {
		pthread_attr_init(&attr);
		/* a small stack for the holders; the default one to fail */
		if (t->fill)
			pthread_attr_setstacksize(&attr, 64 << 10);
		err = pthread_create(&th, &attr, hold, NULL);
		pthread_attr_destroy(&attr);
		return err;
	}
	/* alternate the protection so that neighbours never merge */
	p = mmap(NULL, t->fill ? 4096 : MAP_BIG,
		 (i & 1) ? PROT_READ : PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	return p == MAP_FAILED ? errno : 0;
}

/* The worker: set the limit, then call until MAP_ATTEMPTS calls failed. */
static void map_work(const void *arg, struct outcome *o)
{
	const struct map_test *t = arg;
	int expect = t->op == OP_THREAD ? EAGAIN : ENOMEM;
	int i, err;

	o->phase = "entering the limit";
	if (t->op == OP_MREMAP && (err = mremap_prepare())) {
		outcome_fail(o, "map the page to grow", err);
		goto out;
	}
	if (t->op == OP_MPROTECT && (err = mprotect_prepare())) {
		outcome_fail(o, "map the reservation", err);
		goto out;
	}
	if (t->enter)
		t->enter(o);
	if (o->skip || o->setup_err)
		goto out;
	o->phase = "calling";
	for (i = 0; i < MAX_CALLS && o->attempts_failed < MAP_ATTEMPTS; i++) {
		err = map_call(t, i);
		o->attempts++;
		if (!err) {
			o->holders++;
			continue;
		}
		if (!o->attempts_failed++)
			o->first_errno = err;
		outcome_record(o, expect, err);
		/* a memcg may take a few more after a refusal: they are holders */
	}
	if (o->attempts_failed < MAP_ATTEMPTS) {
		o->setup_err = 1;
		snprintf(o->msg, sizeof(o->msg), "only %d of %d calls failed",
			 o->attempts_failed, o->attempts);
	}
out:
	o->phase = "leaving the limit";
	if (t->leave)
		t->leave();
	o->done = 1;
}

static const struct map_test map_tests[] = {
	{ "map_mmap_max_map_count", OP_MMAP, ST_MAP_MAX_MAP_COUNT, mmc_prepare,
	  mmc_enter, mmc_restore, mmc_restore, 1, "map(mmap)",
	  SITES("do_mmap/max_map_count", "do_mmap_pgoff/max_map_count") },
	{ "map_mmap_rlimit_as", OP_MMAP, ST_MAP_RLIMIT_AS, NULL, as_enter, NULL,
	  NULL, 0, "map(mmap)", SITES("mmap_region/rlimit", "__mmap_region/rlimit") },
	{ "map_mmap_commit", OP_MMAP, ST_MAP_COMMIT, commit_prepare,
	  commit_enter, commit_restore, commit_restore, 0, NULL },
	{ "map_mmap_memcg", OP_MMAP, ST_MAP_MEMCG, memcg_prepare, memcg_enter,
	  NULL, memcg_cleanup, 1, "map(mmap)",
	  SITES("mmap_region/alloc", "__mmap_region/alloc") },
	{ "map_thread_max_map_count", OP_THREAD, ST_MAP_MAX_MAP_COUNT,
	  mmc_prepare, mmc_enter, mmc_restore, mmc_restore, 1, "map(mmap)",
	  SITES("split_vma/max_map_count", "vma_modify/max_map_count") },
	{ "map_thread_rlimit_as", OP_THREAD, ST_MAP_RLIMIT_AS, NULL, as_enter,
	  NULL, NULL, 0, "map(mmap)",
	  SITES("mmap_region/rlimit", "__mmap_region/rlimit") },
	{ "map_thread_commit", OP_THREAD, ST_MAP_COMMIT, commit_prepare,
	  commit_enter, commit_restore, commit_restore, 0, NULL },
	{ "map_brk_commit", OP_BRK, ST_MAP_COMMIT, commit_prepare, commit_enter,
	  commit_restore, commit_restore, 0, NULL },
	{ "map_brk_max_map_count", OP_BRK, ST_MAP_MAX_MAP_COUNT, mmc_prepare,
	  mmc_brk_enter, mmc_restore, mmc_restore, 0, NULL,
	  SITES("do_brk_flags/max_map_count") },
	{ "map_brk_rlimit_as", OP_BRK, ST_MAP_RLIMIT_AS, NULL, as_enter, NULL,
	  NULL, 0, NULL, SITES("do_brk_flags/rlimit") },
	{ "map_mremap_max_map_count", OP_MREMAP, ST_MAP_MAX_MAP_COUNT,
	  mmc_prepare, mmc_mremap_enter, mmc_restore, mmc_restore, 0,
	  "map(mremap)", SITES("move_vma/max_map_count") },
	{ "map_mremap_rlimit_as", OP_MREMAP, ST_MAP_RLIMIT_AS, NULL, as_enter,
	  NULL, NULL, 0, "map(mremap)",
	  SITES("vma_to_resize/rlimit", "__do_sys_mremap/resize", "SyS_mremap/resize") },
	{ "map_mremap_commit", OP_MREMAP, ST_MAP_COMMIT, commit_prepare,
	  commit_enter, commit_restore, commit_restore, 0, NULL },
	{ "map_mmap_rlimit_data", OP_MMAP, ST_MAP_RLIMIT_DATA, data_prepare,
	  data_enter, NULL, NULL, 0, "map(mmap)",
	  SITES("mmap_region/rlimit", "__mmap_region/rlimit") },
	/* the stack's mprotect() makes it private writable: data */
	{ "map_thread_rlimit_data", OP_THREAD, ST_MAP_RLIMIT_DATA, data_prepare,
	  data_enter, NULL, NULL, 0, "map(mprotect)",
	  SITES("mprotect_fixup/rlimit") },
	{ "map_mprotect_rlimit_data", OP_MPROTECT, ST_MAP_RLIMIT_DATA, data_prepare,
	  data_enter, NULL, NULL, 0, "map(mprotect)",
	  SITES("mprotect_fixup/rlimit") },
	{ "map_mremap_rlimit_data", OP_MREMAP, ST_MAP_RLIMIT_DATA, data_prepare,
	  data_enter, NULL, NULL, 0, "map(mremap)",
	  SITES("vma_to_resize/rlimit", "__do_sys_mremap/resize", "SyS_mremap/resize") },
};

#define NR_MAP_TESTS ((int)(sizeof(map_tests) / sizeof(map_tests[0])))
/* map_mmap_max_map_count, which do_mmap()'s check probe counts */
#define MAP_TEST_MMAP_MMC 0
/* map_thread_max_map_count, the one make demo shows */
#define MAP_TEST_THREAD_MMC 4

/* The tests are named by their index in map_tests[]. */
static void map_run(int i, struct outcome *o)
{
	const struct worker_job job = {
		.prepare = map_tests[i].prepare, .work = map_work,
		.arg = &map_tests[i], .cleanup = map_tests[i].cleanup,
	};

	worker_run(&job, o);
}

/* Counted with maps=0: by the commit probe, or by a failure-only site. */
static int nr_default_tests(void)
{
	int i, n = 0;

	for (i = 0; i < NR_MAP_TESTS; i++)
		n += map_tests[i].stat == ST_MAP_COMMIT || map_tests[i].sites;
	return n;
}

int maps_count_tests(void)
{
	return 2 * NR_MAP_TESTS + nr_default_tests() + 3;
}

static int loaded_errno[NR_MAP_TESTS];

static int map_outcome_ok(int i, const struct outcome *o)
{
	const struct map_test *t = &map_tests[i];

	ktap_diag("limit %ld, %d made first; %d failed, first %s, %d with %s",
		  o->limit, o->holders, o->attempts_failed,
		  errno_name(o->first_errno), o->nexpected,
		  t->op == OP_THREAD ? "EAGAIN" : "ENOMEM");
	return o->attempts_failed >= MAP_ATTEMPTS && o->nexpected == o->nfail;
}

/* Is the return probe with this role live?  Its line in debugfs "probes". */
static int probe_live(const char *role, char *line, size_t len)
{
	static char buf[8192];
	char *p, *end;
	size_t rl = strlen(role);

	if (read_file(DEBUGFS_DIR "/probes", buf, sizeof(buf)) < 0)
		return 0;
	for (p = buf; *p; p = end + !!*end) {
		end = strchrnul(p, '\n');
		if ((size_t)(end - p) > rl && !strncmp(end - rl, role, rl) &&
		    end[-rl - 1] == ' ') {
			snprintf(line, len, "%.*s", (int)(end - p), p);
			return strstr(line, " registered ") != NULL;
		}
	}
	snprintf(line, len, "no line for %s", role);
	return 0;
}

/* The kind field (5th) of the newest event: the call it names. */
static int last_event_kind_is(const char *kind)
{
	static char buf[64 << 10];
	char *line = read_last_line(DEBUGFS_DIR "/events", buf, sizeof(buf));
	char k[16];

	if (!line || sscanf(line, "%*s %*s %*s %*s %15s", k) != 1)
		return 0;
	if (strcmp(k, kind))
		ktap_diag("newest event is a %s call, not %s: %s", k, kind, line);
	return !strcmp(k, kind);
}

static const char *const op_kind[] = {
	[OP_MMAP] = "mmap", [OP_BRK] = "brk", [OP_MREMAP] = "mremap",
	[OP_MPROTECT] = "mprotect",
};

/*
 * Run the i-th test, check its errno and that exactly its counters moved;
 * the first errno goes to *first_errno when it is given.
 */
static void map_check(int i, const char *name, int *first_errno)
{
	const struct map_test *t = &map_tests[i];
	long long want[ST_COUNT];
	struct outcome o;
	struct stats a, b;
	int ok;

	ok = !read_checked(&a);
	map_run(i, &o);
	if (ktap_not_run(name, o.skip, o.setup_err, o.msg))
		return;
	if (first_errno)
		*first_errno = o.first_errno;
	ok = map_outcome_ok(i, &o) && ok;
	memset(want, 0, sizeof(want));
	want[ST_MAP_FAILED] = want[t->stat] = o.attempts_failed;
	if (t->op == OP_THREAD) {
		want[ST_MAP_STACK_FAILED] = o.attempts_failed;
		want[stat_map_stack_twin(t->stat)] = o.attempts_failed;
	}
	ok = !read_checked(&b) && ok && check_want(want, &a, &b);
	if (t->op != OP_THREAD)
		ok = last_event_kind_is(op_kind[t->op]) && ok;
	if (!ok)
		ktap_diag_file("events", DEBUGFS_DIR "/events");
	ktap_result(ok, name);
}

/* Reload the module with PARAMS; 0 or the error, said in a diagnostic. */
static int map_reload(const char *params)
{
	int err = kmod_unload(MODULE_NAME);

	err = err ? err : kmod_load(MODULE_PATH, params);
	if (err)
		ktap_diag("reload with \"%s\": %s", params, strerror(err));
	return err;
}

/* maps=1: every test, each through its call's return probe if it needs one. */
void test_maps(void)
{
	const struct map_test *t;
	char line[160], why[240];
	int i, err = map_reload(MAPS_PARAMS);

	for (i = 0; i < NR_MAP_TESTS; i++) {
		t = &map_tests[i];
		if (err) {
			ktap_result(0, t->name);
			continue;
		}
		if (t->probe && !probe_live(t->probe, line, sizeof(line))) {
			snprintf(why, sizeof(why),
				 "no return probe for %s on this kernel (%s)",
				 t->probe, line);
			ktap_skip(t->name, why);
			continue;
		}
		map_check(i, t->name, &loaded_errno[i]);
	}
	test_who_sums("maps");
	map_reload(MODULE_PARAMS);
}

/* Does a live site of T count it with the default load?  Else why not, in WHY. */
static int map_counted_by_site(const struct map_test *t, char *why, size_t len)
{
	const char *const *f;

	for (f = t->sites; *f; f++)
		if (map_site_live(*f))
			return 1;
	if (t->prepare == data_prepare && kernel_older_than(4, 7))
		snprintf(why, len, "before 4.7 RLIMIT_DATA limits brk() only, which fails without ENOMEM");
	else if (t == &map_tests[MAP_TEST_MMAP_MMC])
		snprintf(why, len, "do_mmap's own check has no failure-only site; watched with mmap_check=1 or maps=1");
	else
		snprintf(why, len, "no failure-only site in %s%s on this kernel (counted with maps=1)",
			 t->sites[0], t->sites[1] ? " or the others of its path" : "");
	return 0;
}

/*
 * As a default install loads the module (no parameters, maps=0): a commit
 * refusal is counted, for every call, by the failure-only commit probe
 * alone, and every other reason by the failure-only site of its path where
 * this kernel has one (a test whose path has none skips, saying so).
 */
void test_maps_default(void)
{
	const struct map_test *t;
	char name[80], why[200];
	int i;

	map_sites_read(1);
	test_map_sites_found();
	test_map_sites_quiet();
	for (i = 0; i < NR_MAP_TESTS; i++) {
		t = &map_tests[i];
		if (t->stat != ST_MAP_COMMIT && !t->sites)
			continue;
		snprintf(name, sizeof(name), "default_%s", t->name);
		if (t->sites && !map_counted_by_site(t, why, sizeof(why)))
			ktap_skip(name, why);
		else
			map_check(i, name, NULL);
	}
	test_who_sums("default");

	/* do_mmap()'s own check, watched only with mmap_check=1 (every mmap pays) */
	t = &map_tests[MAP_TEST_MMAP_MMC];
	snprintf(name, sizeof(name), "mmap_check_%s", t->name);
	if (map_reload("mmap_check=1")) {
		ktap_result(0, name);
	} else {
		map_sites_read(1);
		if (!map_counted_by_site(t, why, sizeof(why)))
			ktap_skip(name, why);
		else
			map_check(MAP_TEST_MMAP_MMC, name, NULL);
	}
	map_reload(MODULE_PARAMS);
}

/* make demo: threads that vm.max_map_count refuses, as a default load counts them. */
void maps_demo(void)
{
	struct outcome o;

	map_run(MAP_TEST_THREAD_MMC, &o);
	if (o.skip || o.setup_err)
		printf("  %-12s %-46s not provoked: %s\n", "max_map_count",
		       "vm.max_map_count just above the maps in use", o.msg);
	else
		printf("  %-12s %-46s pthread_create(): %s (%d times)\n",
		       "max_map_count", "vm.max_map_count just above the maps in use",
		       strerror(o.first_errno), o.attempts_failed);
}

static const char *map_test_name(int i)
{
	return i < NR_MAP_TESTS ? map_tests[i].name : NULL;
}

/* The same calls without the module: the same errno, as many failures. */
const struct observed maps_observed = {
	"", map_test_name, map_run, map_outcome_ok, loaded_errno,
};
