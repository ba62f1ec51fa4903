// SPDX-License-Identifier: GPL-2.0
/* 3.19, upstream "mm: memcontrol: lockless page counters"; struct public from 4.x */
#include <linux/memcontrol.h>
unsigned long enomem_compat_test(struct mem_cgroup *m)
{
	return READ_ONCE(m->memory.max) + page_counter_read(&m->memory) +
	       (unsigned long)parent_mem_cgroup(m);
}
