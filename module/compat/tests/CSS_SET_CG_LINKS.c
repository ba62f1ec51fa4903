// SPDX-License-Identifier: GPL-2.0
/* 3.10 only (3.11 renamed them cgrp_links): a css_set's cgroups, by link */
#include <linux/cgroup.h>
#include <linux/list.h>
int enomem_compat_test(struct css_set *cset, struct cgroup *cgrp)
{
	return list_empty(&cset->cg_links) && cgrp->root->name[0];
}
