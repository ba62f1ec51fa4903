/* SPDX-License-Identifier: GPL-2.0 */
/* The ways a task is created: each fails through the same copy_process(). */
#ifndef ENOMEM_TEST_KINDS_H
#define ENOMEM_TEST_KINDS_H

enum kind {
	K_FORK,		/* fork(): glibc's clone(SIGCHLD) */
	K_VFORK,	/* vfork() */
	K_CLONE3,	/* raw clone3(), syscall 435 */
	K_THREAD,	/* raw clone(CLONE_VM|CLONE_THREAD|...): the kernel's errno */
	K_PTHREAD,	/* pthread_create(): glibc maps ENOMEM to EAGAIN */
	K_COUNT
};

extern const char *const kind_names[K_COUNT];

/*
 * Create one task of this kind that exits at once, and wait for it.
 * Returns 0 if it was created, else the errno the call reported.
 */
int kind_attempt(enum kind k);
/*
 * Create a task of this kind that stays until its process group is killed:
 * a thread for K_THREAD, so that thread limits are filled with threads,
 * else a process.  0 or the errno of the call.
 */
int kind_hold(enum kind k);
/*
 * A holder process sharing the caller's mm on a static, pre-faulted stack:
 * it never page-faults.  0, E2BIG when out of stacks, or the errno.
 */
int kind_hold_shared(void);
/* fork(), then SIGKILL and reap the child at once.  0 or the errno. */
int kind_fork_killed(void);
/* Whether the running kernel has the syscall behind this kind (clone3). */
int kind_supported(enum kind k);

#endif
