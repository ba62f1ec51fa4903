// SPDX-License-Identifier: GPL-2.0
/* 3.10 .. 3.14: per-hierarchy cgroups by subsys id; cgroup_path() is atomic-safe */
#include <linux/cgroup.h>
#include <linux/sched.h>
int enomem_compat_test(char *buf, int len)
{
	return cgroup_path(task_cgroup(current, mem_cgroup_subsys_id), buf, len);
}
