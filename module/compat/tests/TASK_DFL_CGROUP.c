// SPDX-License-Identifier: GPL-2.0
/* 4.5, upstream: cgroup paths come from kernfs; task_dfl_cgroup() exists */
#include <linux/cgroup.h>
#include <linux/sched.h>
int enomem_compat_test(char *buf, size_t len)
{
	return cgroup_path(task_dfl_cgroup(current), buf, len);
}
