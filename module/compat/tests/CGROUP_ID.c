// SPDX-License-Identifier: GPL-2.0
/* 5.5, upstream: a cgroup's id is its kernfs node's, 64-bit, never reused */
#include <linux/cgroup.h>
u64 enomem_compat_test(struct cgroup *cgrp)
{
	return cgrp->root == &cgrp_dfl_root ? cgroup_id(cgrp) : 0;
}
