// SPDX-License-Identifier: GPL-2.0
/* 4.6, upstream "mm: oom: add memcg to oom_control" */
#include <linux/oom.h>
void *enomem_compat_test(struct oom_control *oc) { return oc->memcg; }
