// SPDX-License-Identifier: GPL-2.0
/*
 * 4.11, upstream "sched/headers: Move task-stack related APIs from
 * <linux/sched.h> to <linux/sched/task_stack.h>": task_pt_regs() and the
 * stack helpers it uses live there; <linux/sched.h> only has them before.
 */
#include <linux/sched.h>
#include <linux/sched/task_stack.h>
struct pt_regs *enomem_compat_test(void) { return task_pt_regs(current); }
