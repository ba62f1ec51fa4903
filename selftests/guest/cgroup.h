/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A scratch cgroup under one controller, on cgroup v2 where the kernel has
 * it and on the v1 hierarchy of that controller where it has not (3.10).
 * /init mounts cgroup2 on /sys/fs/cgroup, or else a tmpfs there with each
 * v1 controller on /sys/fs/cgroup/<controller>.
 */
#ifndef ENOMEM_TEST_CGROUP_H
#define ENOMEM_TEST_CGROUP_H

#include <stddef.h>

#define CGROUP_ROOT "/sys/fs/cgroup"

/* 2 on cgroup v2, 1 on v1 hierarchies, 0 when /init mounted neither. */
int cg_version(void);
/* Whether the controller is there (v2: in cgroup.controllers). */
int cg_has(const char *ctrl);
/*
 * Make NAME under CTRL's hierarchy (v2: enable CTRL for the root's
 * children first); its path goes to dir.  0 or an errno.
 */
int cg_create(const char *ctrl, const char *name, char *dir, size_t len);
/* Move the calling process into dir.  0 or an errno. */
int cg_join(const char *dir);
/* Write a value to dir/file.  0 or an errno. */
int cg_write(const char *dir, const char *file, const char *val);
/* Remove dir once its dead tasks are gone. */
void cg_remove(const char *dir);

#endif
