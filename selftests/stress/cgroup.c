// SPDX-License-Identifier: GPL-2.0
/*
 * The pids cgroup the failers join, with pids.max = LIMIT, through the
 * guest's cgroup helpers: on cgroup2 where the kernel has it, else on the
 * v1 pids hierarchy (3.10).  Either way its path from the hierarchy's
 * root, which the module's kernel log line names, is CG_PIDS_NAME.
 */
#include "stress.h"
#include "../guest/cgroup.h"

static char cg_dir[128];

/* 0 or an errno */
int cgroup_setup(void)
{
	char buf[16];
	int err;

	err = cg_create("pids", CG_PIDS_NAME + 1, cg_dir, sizeof(cg_dir));
	if (err)
		return err;
	snprintf(buf, sizeof(buf), "%d", LIMIT);
	return cg_write(cg_dir, "pids.max", buf);
}

/* Move the calling process in. */
int cgroup_join(void)
{
	return cg_dir[0] ? cg_join(cg_dir) : ENOENT;
}

void cgroup_remove(void)
{
	if (cg_dir[0])
		cg_remove(cg_dir);
}
