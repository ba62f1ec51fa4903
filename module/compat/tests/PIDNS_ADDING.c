// SPDX-License-Identifier: GPL-2.0
/* 4.15, upstream "pid: remove pidhash": pid_allocated & PIDNS_ADDING */
#include <linux/pid_namespace.h>
bool enomem_compat_test(struct pid_namespace *ns)
{
	return ns->pid_allocated & PIDNS_ADDING;
}
