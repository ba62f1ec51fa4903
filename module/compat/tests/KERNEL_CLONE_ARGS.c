// SPDX-License-Identifier: GPL-2.0
/* 5.3, upstream "fork: add clone3": _do_fork()/kernel_clone() take a struct */
#include <linux/sched/task.h>
u64 enomem_compat_test(struct kernel_clone_args *a) { return a->flags; }
