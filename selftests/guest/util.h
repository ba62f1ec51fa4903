/* SPDX-License-Identifier: GPL-2.0 */
/* Small helpers for the guest test helper: files, pages, dropping root. */
#ifndef ENOMEM_TEST_UTIL_H
#define ENOMEM_TEST_UTIL_H

#include <stddef.h>

/* Write a string to a (proc, sys, cgroup) file; 0 or an errno. */
int write_file(const char *path, const char *s);
/* Read a whole small file, NUL-terminated; bytes read or -errno. */
long read_file(const char *path, char *buf, size_t size);
/* Read the first integer of a file; 0 or an errno. */
int read_long(const char *path, long *val);
/*
 * Read a small file into buf and return its last non-empty line (inside
 * buf), or NULL if the file is empty or unreadable.
 */
char *read_last_line(const char *path, char *buf, size_t size);
int write_long(const char *path, long val);
int path_exists(const char *path);
/* Is the running kernel older than MAJOR.MINOR (uname -r)? */
int kernel_older_than(int major, int minor);
/*
 * Break copy-on-write sharing of every private writable page now, with
 * 128 KB more stack; with dontfork, children made later do not get them.
 */
void touch_writable_pages(int dontfork);
/*
 * Become uid and gid ID for good (real, effective and saved), with no
 * supplementary groups: an unprivileged user.  0 or an errno.
 */
int drop_root(unsigned int id);

#endif
