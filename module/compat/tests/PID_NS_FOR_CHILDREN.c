// SPDX-License-Identifier: GPL-2.0
/* 3.11, upstream "Rename nsproxy.pid_ns to nsproxy.pid_ns_for_children" */
#include <linux/nsproxy.h>
struct pid_namespace *enomem_compat_test(struct nsproxy *n)
{
	return n->pid_ns_for_children;
}
