// SPDX-License-Identifier: GPL-2.0
/* 3.10 .. 4.14: nr_hashed & PIDNS_HASH_ADDING, alloc_pid() returns NULL */
#include <linux/pid_namespace.h>
bool enomem_compat_test(struct pid_namespace *ns)
{
	return ns->nr_hashed & PIDNS_HASH_ADDING;
}
