// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include <errno.h>
#include <linux/futex.h>
#include <linux/sched.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include "kinds.h"

#ifndef SYS_clone3
#define SYS_clone3 435
#endif

const char *const kind_names[K_COUNT] = {
	"fork", "vfork", "clone3", "thread", "pthread",
};

static int wait_child(pid_t pid)
{
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
	return 0;
}

static int attempt_fork(void)
{
	pid_t pid = fork();

	if (pid < 0)
		return errno;
	if (pid == 0)
		_exit(0);
	return wait_child(pid);
}

static int attempt_vfork(void)
{
	pid_t pid = vfork();

	if (pid < 0)
		return errno;
	if (pid == 0)
		_exit(0);
	return wait_child(pid);
}

/*
 * glibc 2.36 has no clone3() wrapper.  A raw fork-like clone3 returns twice
 * on the same stack, which is safe here because the child only exits.
 */
static int attempt_clone3(void)
{
	struct clone_args args;
	long pid;

	memset(&args, 0, sizeof(args));
	args.exit_signal = SIGCHLD;
	pid = syscall(SYS_clone3, &args, sizeof(args));
	if (pid < 0)
		return errno;
	if (pid == 0)
		syscall(SYS_exit_group, 0);
	return wait_child(pid);
}

static char thread_stack[64 * 1024] __attribute__((aligned(16)));
static volatile pid_t thread_tid;

/* Runs on a raw thread without TLS of its own: touch nothing, just return. */
static int thread_fn(void *arg)
{
	(void)arg;
	return 0;
}

/*
 * A raw thread shows the kernel's own errno (pthread_create() would turn
 * ENOMEM into EAGAIN).  CLONE_CHILD_CLEARTID lets us wait for it to exit
 * before its stack is reused.
 */
static int attempt_thread(void)
{
	const int flags = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND |
			  CLONE_THREAD | CLONE_SYSVSEM | CLONE_PARENT_SETTID |
			  CLONE_CHILD_CLEARTID;
	pid_t tid;
	int t;

	thread_tid = 0;
	tid = clone(thread_fn, thread_stack + sizeof(thread_stack), flags, NULL,
		    &thread_tid, NULL, &thread_tid);
	if (tid < 0)
		return errno;
	while ((t = thread_tid) != 0)
		syscall(SYS_futex, &thread_tid, FUTEX_WAIT, t, NULL, NULL, 0);
	return 0;
}

#define HOLDER_STACK (16 * 1024)
#define HOLDER_THREADS 256

/*
 * Static, so the memcg scenario pre-faults them with the rest of .bss.
 * Shared by thread holders and shared-mm process holders (one kind per
 * worker).
 */
static char holder_stacks[HOLDER_THREADS][HOLDER_STACK] __attribute__((aligned(16)));
static int holder_threads;

/* Waits for SIGKILL; pause() never returns here, so errno is never written. */
static int holder_fn(void *arg)
{
	(void)arg;
	for (;;)
		syscall(SYS_pause);
	return 0;
}

static int hold_thread(void)
{
	const int flags = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND |
			  CLONE_THREAD | CLONE_SYSVSEM;

	if (holder_threads >= HOLDER_THREADS)
		return E2BIG;
	if (clone(holder_fn, holder_stacks[holder_threads] + HOLDER_STACK, flags,
		  NULL) < 0)
		return errno;
	holder_threads++;
	return 0;
}

static int hold_process(void)
{
	pid_t pid = fork();

	if (pid < 0)
		return errno;
	if (pid == 0)
		for (;;)
			pause();
	return 0;
}

int kind_hold(enum kind k)
{
	return k == K_THREAD ? hold_thread() : hold_process();
}

/*
 * A process (not a thread: it has its own signal handlers, thread group
 * and exit signal) that shares the worker's mm: nothing to copy on write,
 * and it runs only on a stack that was faulted in before.
 */
int kind_hold_shared(void)
{
	if (holder_threads >= HOLDER_THREADS)
		return E2BIG;
	if (clone(holder_fn, holder_stacks[holder_threads] + HOLDER_STACK,
		  CLONE_VM | SIGCHLD, NULL) < 0)
		return errno;
	holder_threads++;
	return 0;
}

/*
 * fork() whose child is killed and reaped at once, whatever it is doing
 * (at a memory cgroup's limit it may be looping in a page fault).
 */
int kind_fork_killed(void)
{
	pid_t pid = fork();

	if (pid < 0)
		return errno;
	if (pid == 0)
		for (;;)
			pause();
	kill(pid, SIGKILL);
	return wait_child(pid);
}

static void *pthread_fn(void *arg)
{
	return arg;
}

static int attempt_pthread(void)
{
	pthread_t t;
	int err = pthread_create(&t, NULL, pthread_fn, NULL);

	if (err)
		return err;
	pthread_join(t, NULL);
	return 0;
}

int kind_attempt(enum kind k)
{
	switch (k) {
	case K_FORK:
		return attempt_fork();
	case K_VFORK:
		return attempt_vfork();
	case K_CLONE3:
		return attempt_clone3();
	case K_THREAD:
		return attempt_thread();
	case K_PTHREAD:
		return attempt_pthread();
	default:
		return EINVAL;
	}
}

int kind_supported(enum kind k)
{
	struct clone_args args;

	if (k != K_CLONE3)
		return 1;
	/* An invalid exit_signal fails with EINVAL, a missing clone3 with ENOSYS. */
	memset(&args, 0, sizeof(args));
	args.exit_signal = ~0ULL;
	return syscall(SYS_clone3, &args, sizeof(args)) < 0 && errno != ENOSYS;
}
