// SPDX-License-Identifier: GPL-2.0
/* 4.x .. 5.x enforce the cgroup v1 kmem limit through memcg->kmem */
#include <linux/memcontrol.h>
unsigned long enomem_compat_test(struct mem_cgroup *m)
{
	return page_counter_read(&m->kmem) + READ_ONCE(m->kmem.max);
}
