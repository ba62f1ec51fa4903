// SPDX-License-Identifier: GPL-2.0
/* copy_process(pid, trace, node, args), checked where a header declares it */
#include <linux/sched/task.h>
struct task_struct *(*enomem_compat_test)(struct pid *, int, int,
					  struct kernel_clone_args *) = copy_process;
