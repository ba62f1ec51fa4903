// SPDX-License-Identifier: GPL-2.0
/*
 * The real limits behind each reason, and how to reach them in a small VM.
 * Global sysctls are saved by the test process before the worker starts and
 * restored twice: by the worker right after its calls (a low pid_max or
 * threads-max also starves the kernel's own threads, so the window must be
 * short) and by the test process afterwards, whatever happened.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>
#include "cgroup.h"
#include "faults.h"
#include "scenarios.h"
#include "util.h"

#define SYSCTL_PID_MAX "/proc/sys/kernel/pid_max"
#define SYSCTL_THREADS_MAX "/proc/sys/kernel/threads-max"
#define SYSCTL_OVERCOMMIT "/proc/sys/vm/overcommit_memory"
#define SYSCTL_OVERCOMMIT_RATIO "/proc/sys/vm/overcommit_ratio"


#define BIT(k) (1u << (k))

static long saved_a = -1, saved_b = -1;

static void set_or_fail(struct outcome *o, const char *path, long val)
{
	int err = write_long(path, val);

	if (err && !o->setup_err)
		outcome_fail(o, path, err);
}

static void save(struct outcome *o, const char *a, const char *b)
{
	int err;

	saved_a = saved_b = -1;
	err = read_long(a, &saved_a);

	if (!err && b)
		err = read_long(b, &saved_b);
	if (err)
		outcome_fail(o, "save sysctl", err);
}

static int expect_eagain(void)
{
	return EAGAIN;
}

static int expect_enomem(void)
{
	return ENOMEM;
}

/* -------- pid_max -------- */

/* Before 4.1 (35f71bc0a09a) PID exhaustion was reported as ENOMEM. */
static int expect_pid_max(void)
{
	struct utsname u;
	int major = 0, minor = 0;

	if (uname(&u) == 0)
		sscanf(u.release, "%d.%d", &major, &minor);
	return major < 4 || (major == 4 && minor < 1) ? ENOMEM : EAGAIN;
}

static void pid_max_prepare(struct outcome *o)
{
	save(o, SYSCTL_PID_MAX, NULL);
}

/*
 * 301 is the lowest pid_max allowed; 400 leaves about 100 free PIDs above
 * the reserved 300, a quick fill even under TCG.
 */
static void pid_max_enter(struct outcome *o)
{
	o->limit = 400;
	set_or_fail(o, SYSCTL_PID_MAX, o->limit);
}

static void pid_max_restore(void)
{
	if (saved_a > 0)
		write_long(SYSCTL_PID_MAX, saved_a);
}

/* -------- pidns_dead -------- */

static void pidns_prepare(struct outcome *o)
{
	if (!path_exists("/proc/self/ns/pid")) {
		o->skip = 1;
		snprintf(o->msg, sizeof(o->msg), "no PID namespaces (CONFIG_PID_NS)");
	}
}

/*
 * After unshare(CLONE_NEWPID) the next child becomes the namespace's init;
 * once it has exited the namespace refuses every further task.
 */
static void pidns_enter(struct outcome *o)
{
	pid_t pid;

	if (unshare(CLONE_NEWPID)) {
		outcome_fail(o, "unshare(CLONE_NEWPID)", errno);
		return;
	}
	pid = fork();
	if (pid < 0) {
		outcome_fail(o, "fork the namespace's init", errno);
		return;
	}
	if (pid == 0)
		_exit(0);
	waitpid(pid, NULL, 0);
}

/* -------- commit -------- */

static void commit_prepare(struct outcome *o)
{
	save(o, SYSCTL_OVERCOMMIT, SYSCTL_OVERCOMMIT_RATIO);
}

/*
 * The worker commits 64 MB while overcommit is still lenient, then lowers
 * CommitLimit to 1% of RAM: fork must account the private writable
 * mappings again in dup_mmap() and is refused.
 */
static void commit_enter(struct outcome *o)
{
	void *p = mmap(NULL, 64 << 20, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		outcome_fail(o, "mmap 64 MB", errno);
		return;
	}
	o->limit = 1;
	set_or_fail(o, SYSCTL_OVERCOMMIT_RATIO, 1);
	set_or_fail(o, SYSCTL_OVERCOMMIT, 2);
}

static void commit_restore(void)
{
	if (saved_a >= 0)
		write_long(SYSCTL_OVERCOMMIT, saved_a);
	if (saved_b >= 0)
		write_long(SYSCTL_OVERCOMMIT_RATIO, saved_b);
}

/* -------- cgroups -------- */

static char cg_pids[96], cg_mem[96];

static void cgroup_prepare(struct outcome *o, const char *ctrl, char *dir,
			   size_t len)
{
	int err;

	if (!cg_has(ctrl)) {
		o->skip = 1;
		snprintf(o->msg, sizeof(o->msg), "no cgroup %s controller", ctrl);
		return;
	}
	err = cg_create(ctrl, ctrl[0] == 'p' ? "enomem_pids" : "enomem_memcg",
			dir, len);
	if (err)
		outcome_fail(o, dir, err);
}

static void cgroup_join(struct outcome *o, const char *dir)
{
	int err = cg_join(dir);

	if (err)
		outcome_fail(o, "cgroup.procs", err);
}

static void cgroup_set(struct outcome *o, const char *dir, const char *file,
		       long val)
{
	char v[32];
	int err;

	if (o->skip || o->setup_err)
		return;
	snprintf(v, sizeof(v), "%ld", val);
	err = cg_write(dir, file, v);
	if (err) {
		o->setup_err = 1;
		snprintf(o->msg, sizeof(o->msg), "%s/%s: %s", dir, file, strerror(err));
	}
}

/* -------- cgroup_pids -------- */

/* v1 (RHEL 7's backport) and v2 both have pids.max. */
static void pids_prepare(struct outcome *o)
{
	cgroup_prepare(o, "pids", cg_pids, sizeof(cg_pids));
	o->limit = 5;
	cgroup_set(o, cg_pids, "pids.max", o->limit);
}

static void pids_enter(struct outcome *o)
{
	cgroup_join(o, cg_pids);
}

static void pids_cleanup(void)
{
	cg_remove(cg_pids);
}

/* -------- nproc -------- */

/* RLIMIT_NPROC does not bind root, so the worker becomes uid 1000 first. */
static void nproc_enter(struct outcome *o)
{
	struct rlimit rl = { 5, 5 };
	int err;

	o->limit = rl.rlim_cur;
	if (setrlimit(RLIMIT_NPROC, &rl)) {
		outcome_fail(o, "setrlimit(RLIMIT_NPROC)", errno);
		return;
	}
	err = drop_root(1000);
	if (err)
		outcome_fail(o, "become uid 1000", err);
}

/* -------- threads_max -------- */

static void threads_prepare(struct outcome *o)
{
	save(o, SYSCTL_THREADS_MAX, NULL);
}

/* nr_threads is the total after the slash in /proc/loadavg. */
static long nr_threads(void)
{
	char buf[128], *slash;

	if (read_file("/proc/loadavg", buf, sizeof(buf)) < 0)
		return -1;
	slash = strchr(buf, '/');
	return slash ? strtol(slash + 1, NULL, 10) : -1;
}

static void threads_enter(struct outcome *o)
{
	long n = nr_threads();

	if (n < 0) {
		outcome_fail(o, "/proc/loadavg", EINVAL);
		return;
	}
	/* 20 is the kernel's minimum for threads-max. */
	o->limit = n + 10 < 20 ? 20 : n + 10;
	set_or_fail(o, SYSCTL_THREADS_MAX, o->limit);
}

static void threads_restore(void)
{
	if (saved_a > 0)
		write_long(SYSCTL_THREADS_MAX, saved_a);
}

/* -------- memcg -------- */

/*
 * v2: memory.max.  v1 (3.10): a kernel stack or task_struct is charged only
 * once kmem accounting is on, which setting memory.kmem.limit_in_bytes on
 * the empty cgroup does; a generous kmem limit leaves memory.limit_in_bytes
 * as the one that refuses.
 */
static void memcg_prepare(struct outcome *o)
{
	cgroup_prepare(o, "memory", cg_mem, sizeof(cg_mem));
	o->limit = 2 << 20;
	if (cg_version() == 1) {
		cgroup_set(o, cg_mem, "memory.kmem.limit_in_bytes", 256L << 20);
		cgroup_set(o, cg_mem, "memory.limit_in_bytes", o->limit);
		return;
	}
	cgroup_set(o, cg_mem, "memory.max", o->limit);
	/* No swap in the VM, but do not let a swap file change the result. */
	if (!o->skip && !o->setup_err)
		cg_write(cg_mem, "memory.swap.max", "0");
}

/*
 * The classic RHEL 7 container failure: memory.kmem.limit_in_bytes, and
 * the kernel stack or task_struct cannot be charged.  Only cgroup v1 has
 * the file (and only up to 5.x enforces it); v2 kernels skip.
 */
static void memcg_kmem_prepare(struct outcome *o)
{
	if (cg_version() != 1) {
		o->skip = 1;
		snprintf(o->msg, sizeof(o->msg),
			 "no cgroup v1 memory.kmem.limit_in_bytes (cgroup v2 kernel)");
		return;
	}
	cgroup_prepare(o, "memory", cg_mem, sizeof(cg_mem));
	o->limit = 1 << 20;
	cgroup_set(o, cg_mem, "memory.kmem.limit_in_bytes", o->limit);
}

/*
 * oom_score_adj -1000 leaves the memcg OOM killer no victim, so the
 * charge fails with ENOMEM instead of a holder being killed.
 */
static void memcg_enter(struct outcome *o)
{
	int err = write_file("/proc/self/oom_score_adj", "-1000");

	if (err) {
		outcome_fail(o, "oom_score_adj", err);
		return;
	}
	touch_writable_pages(1);
	cgroup_join(o, cg_mem);
}

static void memcg_cleanup(void)
{
	cg_remove(cg_mem);
}

const struct scenario scenarios[] = {
	{
		.name = "pid_max",
		.how = "kernel.pid_max=400, fork until refused",
		.stat = ST_PID_MAX, .fill = 1,
		.kinds = BIT(K_FORK) | BIT(K_THREAD) | BIT(K_VFORK) | BIT(K_CLONE3),
		.expect = expect_pid_max, .prepare = pid_max_prepare,
		.enter = pid_max_enter, .leave = pid_max_restore,
		.cleanup = pid_max_restore,
	},
	{
		.name = "pidns_dead",
		.how = "unshare(CLONE_NEWPID), its init exits",
		.stat = ST_PIDNS_DEAD,
		.kinds = BIT(K_FORK) | BIT(K_VFORK) | BIT(K_CLONE3),
		.expect = expect_enomem, .prepare = pidns_prepare,
		.enter = pidns_enter,
	},
	{
		/* Threads and vfork share the mm: nothing to account again. */
		.name = "commit",
		.how = "64 MB committed, overcommit_memory=2, ratio 1",
		.stat = ST_COMMIT,
		.kinds = BIT(K_FORK) | BIT(K_CLONE3),
		.expect = expect_enomem, .prepare = commit_prepare,
		.enter = commit_enter, .leave = commit_restore,
		.cleanup = commit_restore,
	},
	{
		.name = "cgroup_pids",
		.how = "cgroup pids.max=5",
		.stat = ST_CGROUP_PIDS, .fill = 1,
		.kinds = BIT(K_FORK) | BIT(K_THREAD) | BIT(K_PTHREAD) |
			 BIT(K_VFORK) | BIT(K_CLONE3),
		.expect = expect_eagain, .prepare = pids_prepare,
		.enter = pids_enter, .cleanup = pids_cleanup,
	},
	{
		.name = "nproc",
		.how = "RLIMIT_NPROC=5 as uid 1000",
		.stat = ST_NPROC, .fill = 1,
		.kinds = BIT(K_FORK) | BIT(K_THREAD) | BIT(K_PTHREAD),
		.expect = expect_eagain, .enter = nproc_enter,
	},
	{
		.name = "threads_max",
		.how = "kernel.threads-max = threads + 10",
		.stat = ST_THREADS_MAX, .fill = 1,
		.kinds = BIT(K_FORK) | BIT(K_THREAD),
		.expect = expect_eagain, .prepare = threads_prepare,
		.enter = threads_enter, .leave = threads_restore,
		.cleanup = threads_restore,
	},
	{
		.name = "memcg",
		.how = "memory.max (v1: limit_in_bytes) 2M",
		.stat = ST_MEMCG, .fill = 1, .fuzzy = 1, .nofault = 1,
		.kinds = BIT(K_FORK) | BIT(K_THREAD),
		.expect = expect_enomem, .prepare = memcg_prepare,
		.enter = memcg_enter, .cleanup = memcg_cleanup,
	},
	{
		.name = "memcg_kmem",
		.how = "v1 memory.kmem.limit_in_bytes=1M",
		.stat = ST_MEMCG, .fill = 1, .fuzzy = 1, .nofault = 1,
		.kinds = BIT(K_FORK) | BIT(K_THREAD),
		.expect = expect_enomem, .prepare = memcg_kmem_prepare,
		.enter = memcg_enter, .cleanup = memcg_cleanup,
	},
	{
		.name = "slab",
		.how = "task_struct allocation fails (failslab or injector)",
		.stat = ST_SLAB,
		.kinds = BIT(K_FORK) | BIT(K_THREAD) | BIT(K_VFORK) | BIT(K_CLONE3),
		.expect = expect_enomem, .prepare = slab_prepare,
		.arm = slab_arm, .disarm = slab_disarm,
	},
};

const int nr_scenarios = sizeof(scenarios) / sizeof(scenarios[0]);

long scenario_injected(void)
{
	return slab_injected();
}

const struct scenario *scenario_by_stat(enum stat_id stat)
{
	int i;

	for (i = 0; i < nr_scenarios; i++)
		if (scenarios[i].stat == stat)
			return &scenarios[i];
	return NULL;
}
