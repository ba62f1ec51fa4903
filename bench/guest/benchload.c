// SPDX-License-Identifier: GPL-2.0
/*
 * benchload: the workloads of "make bench", run inside the VM guest.
 *
 *   benchload WORKLOAD ITERATIONS
 *
 * WORKLOAD: fork thread spawn mmap failfork procread procref (procref reads
 * /proc/vmstat, the yardstick for procread).
 *
 * The process (and so every child and thread it creates) runs on CPU 0
 * only: a fork or a thread then never waits for a wakeup on another vCPU,
 * whose idle time would be counted by the emulated clock, and the timing is
 * the CPU work of the operation alone.
 *
 * Prints "ns_per_op N" for one timed run.  The host alternates the modes
 * (no module, module, module+log, ftrace kretprobe) around these runs and
 * compares medians, so only ratios measured in one boot are reported.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static unsigned long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static void die(const char *what)
{
	fprintf(stderr, "benchload: %s: %s\n", what, strerror(errno));
	exit(2);
}

static void fork_exit_wait(void)
{
	pid_t pid = fork();

	if (pid < 0)
		die("fork");
	if (pid == 0)
		_exit(0);
	if (waitpid(pid, NULL, 0) < 0)
		die("waitpid");
}

static void *thread_fn(void *arg)
{
	return arg;
}

static void thread_create_join(void)
{
	pthread_t t;
	int err = pthread_create(&t, NULL, thread_fn, NULL);

	if (err) {
		errno = err;
		die("pthread_create");
	}
	pthread_join(t, NULL);
}

static void spawn_true(void)
{
	char *argv[] = { "/bin/true", NULL };
	pid_t pid;
	int err = posix_spawn(&pid, "/bin/true", NULL, NULL, argv, environ);

	if (err) {
		errno = err;
		die("posix_spawn");
	}
	if (waitpid(pid, NULL, 0) < 0)
		die("waitpid");
}

/* A private writable mapping is VM_ACCOUNT: it passes __vm_enough_memory(). */
static void mmap_munmap(void)
{
	void *p = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		die("mmap");
	munmap(p, 1 << 20);
}

/* The caller sits in a cgroup whose pids.max is already reached. */
static void failing_fork(void)
{
	pid_t pid = fork();

	if (pid == 0)
		_exit(0);
	if (pid > 0) {
		waitpid(pid, NULL, 0);
		fprintf(stderr, "benchload: fork unexpectedly succeeded\n");
		exit(2);
	}
	if (errno != EAGAIN)
		die("fork (expected EAGAIN)");
}

static void read_file(const char *path)
{
	char buf[4096];
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		die(path);
	while (read(fd, buf, sizeof(buf)) > 0)
		;
	close(fd);
}

static void read_proc(void)
{
	read_file("/proc/enomem_stats");
}

/* The yardstick for procread: the kernel's own per-CPU-summed counters file. */
static void read_vmstat(void)
{
	read_file("/proc/vmstat");
}

static const struct {
	const char *name;
	void (*fn)(void);
} workloads[] = {
	{ "fork", fork_exit_wait },
	{ "thread", thread_create_join },
	{ "spawn", spawn_true },
	{ "mmap", mmap_munmap },
	{ "failfork", failing_fork },
	{ "procread", read_proc },
	{ "procref", read_vmstat },
};

int main(int argc, char **argv)
{
	unsigned long long t0, t1;
	unsigned long i, n;
	cpu_set_t cpus;
	unsigned int w;

	if (argc != 3) {
		fprintf(stderr, "usage: benchload WORKLOAD ITERATIONS\n");
		return 2;
	}
	n = strtoul(argv[2], NULL, 10);
	CPU_ZERO(&cpus);
	CPU_SET(0, &cpus);
	if (sched_setaffinity(0, sizeof(cpus), &cpus))
		die("sched_setaffinity");
	for (w = 0; w < sizeof(workloads) / sizeof(workloads[0]); w++) {
		if (strcmp(argv[1], workloads[w].name))
			continue;
		/* warm up: slab and page lists refilled after a mode switch */
		for (i = 0; i < n / 8 + 1; i++)
			workloads[w].fn();
		t0 = now_ns();
		for (i = 0; i < n; i++)
			workloads[w].fn();
		t1 = now_ns();
		printf("ns_per_op %llu\n", (t1 - t0) / (n ? n : 1));
		return 0;
	}
	fprintf(stderr, "benchload: unknown workload %s\n", argv[1]);
	return 2;
}
