// SPDX-License-Identifier: GPL-2.0
/*
 * 4.11, upstream "sched/headers: Move the task_struct::signal related
 * types to <linux/sched/signal.h>": struct signal_struct, whose rlim[] the
 * mapping sites look for, is defined there; in <linux/sched.h> before.
 */
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/stddef.h>
unsigned long enomem_compat_test(void) { return offsetof(struct signal_struct, rlim); }
