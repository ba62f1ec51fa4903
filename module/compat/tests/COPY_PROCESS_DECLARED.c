// SPDX-License-Identifier: GPL-2.0
/* 6.4 (vhost tasks): copy_process() is no longer static to fork.c */
#include <linux/sched/task.h>
void *enomem_compat_test(void) { return (void *)copy_process; }
