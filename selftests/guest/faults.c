// SPDX-License-Identifier: GPL-2.0
/* One slab failure on demand (see faults.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "faults.h"
#include "scenarios.h"
#include "util.h"

#define FAILSLAB "/sys/kernel/debug/failslab"
/* SLUB's per-cache switch for failslab's cache-filter */
#define TASK_STRUCT_FAILSLAB "/sys/kernel/slab/task_struct/failslab"

static int use_failslab;
/* failslab keeps no count: the workers add theirs here (shared memory) */
static long *failslab_made;

void faults_init(void)
{
	void *p = mmap(NULL, sizeof(long), PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	failslab_made = p == MAP_FAILED ? NULL : p;
}

static long inject_count(void)
{
	long n = -1;

	read_long(INJECT_PARAMS "/injected", &n);
	return n;
}

long slab_injected(void)
{
	if (use_failslab)
		return failslab_made ? *failslab_made : -1;
	return inject_count();
}

/*
 * failslab, disarmed (times 0): every slab allocation may fail, but only
 * in a task with make-it-fail set, only from task_struct's cache where
 * SLUB lets us say so, and sleeping allocations too (fork's are GFP_KERNEL).
 */
static int failslab_setup(void)
{
	static const char *const knobs[][2] = {
		{ FAILSLAB "/times", "0" },
		{ FAILSLAB "/probability", "100" },
		{ FAILSLAB "/interval", "1" },
		{ FAILSLAB "/space", "0" },
		{ FAILSLAB "/verbose", "0" },
		{ FAILSLAB "/task-filter", "Y" },
		{ FAILSLAB "/ignore-gfp-wait", "N" },
	};
	unsigned int i;
	int err;

	for (i = 0; i < sizeof(knobs) / sizeof(knobs[0]); i++) {
		err = write_file(knobs[i][0], knobs[i][1]);
		if (err)
			return err;
	}
	if (!write_file(TASK_STRUCT_FAILSLAB, "1"))
		write_file(FAILSLAB "/cache-filter", "Y");
	else
		write_file(FAILSLAB "/cache-filter", "N");
	return 0;
}

void slab_prepare(struct outcome *o)
{
	int err;

	use_failslab = path_exists(FAILSLAB "/times");
	if (use_failslab) {
		err = failslab_setup();
		if (err || !failslab_made) {
			o->setup_err = 1;
			snprintf(o->msg, sizeof(o->msg), "failslab setup: %s",
				 strerror(err ? err : ENOMEM));
		}
	} else if (!path_exists(INJECT_PARAMS "/target_pid")) {
		o->setup_err = 1;
		snprintf(o->msg, sizeof(o->msg),
			 "no failslab in this kernel and enomem_inject is not loaded");
		return;
	}
	o->injected = slab_injected();
}

static void make_it_fail(int on)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/self/task/%ld/make-it-fail",
		 (long)syscall(SYS_gettid));
	write_file(path, on ? "1" : "0");
}

void slab_arm(void)
{
	if (use_failslab) {
		write_long(FAILSLAB "/times", 1);
		make_it_fail(1);
		return;
	}
	write_long(INJECT_PARAMS "/skip", 0);
	write_long(INJECT_PARAMS "/times", 1);
	write_long(INJECT_PARAMS "/target_pid", syscall(SYS_gettid));
}

void slab_disarm(void)
{
	long left = -1;

	if (!use_failslab) {
		write_long(INJECT_PARAMS "/target_pid", 0);
		return;
	}
	make_it_fail(0);
	/* times counts down per failure made */
	if (!read_long(FAILSLAB "/times", &left) && left == 0)
		__sync_fetch_and_add(failslab_made, 1);
	write_long(FAILSLAB "/times", 0);
}
