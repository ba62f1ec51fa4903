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
 * The timed run is cut into BATCHES batches of ITERATIONS/BATCHES.  Prints
 * "ns_per_op N" where N is the mean of the KEPT fastest batches per
 * operation, then "batches B1 ... B9" (each batch per operation) for anyone
 * who wants the raw numbers.  Why not the plain total: the kernel's deferred
 * work (RCU callbacks freeing the VMAs, maple nodes and task structs of
 * earlier iterations; a timer's work) arrives in bursts, and where a burst
 * lands moved one 6.12 mmap run by up to 7% against the next, the same work
 * being done in both.  A cost of the module is paid inline by every
 * operation, so it is in every batch alike and dropping the two slowest
 * batches cannot hide it.  The host alternates the modes around these runs
 * and compares medians, so only ratios measured in one boot are reported.
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

#define BATCHES 9
#define KEPT 7

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

static int cmp_ull(const void *a, const void *b)
{
	unsigned long long x = *(const unsigned long long *)a;
	unsigned long long y = *(const unsigned long long *)b;

	return x < y ? -1 : x > y;
}

static void timed(void (*fn)(void), unsigned long n)
{
	unsigned long long b[BATCHES], sorted[BATCHES], t0, sum = 0;
	unsigned long per = (n + BATCHES - 1) / BATCHES, i;
	unsigned int k;

	for (k = 0; k < BATCHES; k++) {
		t0 = now_ns();
		for (i = 0; i < per; i++)
			fn();
		b[k] = (now_ns() - t0) / per;
	}
	memcpy(sorted, b, sizeof(b));
	qsort(sorted, BATCHES, sizeof(sorted[0]), cmp_ull);
	for (k = 0; k < KEPT; k++)
		sum += sorted[k];
	printf("ns_per_op %llu\nbatches", sum / KEPT);
	for (k = 0; k < BATCHES; k++)
		printf(" %llu", b[k]);
	printf("\n");
}

int main(int argc, char **argv)
{
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
		timed(workloads[w].fn, n);
		return 0;
	}
	fprintf(stderr, "benchload: unknown workload %s\n", argv[1]);
	return 2;
}
