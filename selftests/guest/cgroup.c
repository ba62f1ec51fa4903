// SPDX-License-Identifier: GPL-2.0
/* Scratch cgroups on v2 or v1 (see cgroup.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "cgroup.h"
#include "util.h"

int cg_version(void)
{
	if (path_exists(CGROUP_ROOT "/cgroup.controllers"))
		return 2;
	if (path_exists(CGROUP_ROOT "/pids/cgroup.procs") ||
	    path_exists(CGROUP_ROOT "/memory/cgroup.procs"))
		return 1;
	return 0;
}

int cg_has(const char *ctrl)
{
	char buf[512], path[128], *tok, *save = NULL;

	if (cg_version() == 1) {
		snprintf(path, sizeof(path), CGROUP_ROOT "/%s/cgroup.procs", ctrl);
		return path_exists(path);
	}
	if (read_file(CGROUP_ROOT "/cgroup.controllers", buf, sizeof(buf)) < 0)
		return 0;
	for (tok = strtok_r(buf, " \n", &save); tok; tok = strtok_r(NULL, " \n", &save))
		if (!strcmp(tok, ctrl))
			return 1;
	return 0;
}

int cg_create(const char *ctrl, const char *name, char *dir, size_t len)
{
	char plus[32];
	int err;

	if (cg_version() == 1) {
		snprintf(dir, len, CGROUP_ROOT "/%s/%s", ctrl, name);
	} else {
		snprintf(plus, sizeof(plus), "+%s", ctrl);
		err = write_file(CGROUP_ROOT "/cgroup.subtree_control", plus);
		if (err)
			return err;
		snprintf(dir, len, CGROUP_ROOT "/%s", name);
	}
	if (mkdir(dir, 0755) && errno != EEXIST)
		return errno;
	return 0;
}

int cg_write(const char *dir, const char *file, const char *val)
{
	char path[160];

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	return write_file(path, val);
}

int cg_join(const char *dir)
{
	return cg_write(dir, "cgroup.procs", "0");
}

/* A cgroup whose tasks just died may stay busy for a moment. */
void cg_remove(const char *dir)
{
	int i;

	for (i = 0; i < 100 && rmdir(dir) && errno == EBUSY; i++)
		usleep(20000);
}
