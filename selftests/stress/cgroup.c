// SPDX-License-Identifier: GPL-2.0
/*
 * The pids cgroup the failers join, with pids.max = LIMIT.  The guest's
 * /init mounts cgroup2 at /sys/fs/cgroup when the kernel has it; without
 * cgroup2 (3.10) it mounts the v1 pids hierarchy at /sys/fs/cgroup/pids.
 * Either way the cgroup's path from its hierarchy's root, which the
 * module's kernel log line names, is CG_PIDS_NAME.
 */
#include "stress.h"
#include <sys/stat.h>

#define CG_ROOT "/sys/fs/cgroup"
#define CG_V2_PIDS CG_ROOT CG_PIDS_NAME
#define CG_V1_PIDS CG_ROOT "/pids" CG_PIDS_NAME

/* The cgroup's directory; NULL when no pids hierarchy is mounted. */
static const char *cgroup_dir(void)
{
	if (path_exists(CG_ROOT "/cgroup.controllers"))
		return CG_V2_PIDS;
	/* a v1 root has cgroup.procs but no pids.max */
	if (path_exists(CG_ROOT "/pids/cgroup.procs"))
		return CG_V1_PIDS;
	return NULL;
}

static int cgroup_write(const char *file, const char *s)
{
	const char *dir = cgroup_dir();
	char path[128];

	if (!dir)
		return ENOENT;
	snprintf(path, sizeof(path), "%s/%s", dir, file);
	return write_file(path, s);
}

/* 0 or an errno */
int cgroup_setup(void)
{
	const char *dir = cgroup_dir();
	char buf[16];
	int err;

	if (!dir)
		return ENOENT;
	if (!strcmp(dir, CG_V2_PIDS)) {
		err = write_file(CG_ROOT "/cgroup.subtree_control", "+pids");
		if (err)
			return err;
	}
	if (mkdir(dir, 0755) && errno != EEXIST)
		return errno;
	snprintf(buf, sizeof(buf), "%d", LIMIT);
	return cgroup_write("pids.max", buf);
}

/* Move the calling process in (v1 and v2 both take "0" for "me"). */
int cgroup_join(void)
{
	return cgroup_write("cgroup.procs", "0");
}

void cgroup_remove(void)
{
	const char *dir = cgroup_dir();
	int i;

	for (i = 0; dir && i < 200 && rmdir(dir) && errno == EBUSY; i++)
		sleep_ms(10);
}
