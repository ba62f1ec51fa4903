// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/utsname.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include "util.h"

#define STACK_RESERVE (128 << 10)

int write_file(const char *path, const char *s)
{
	size_t len = strlen(s);
	ssize_t n;
	int fd, err = 0;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return errno;
	n = write(fd, s, len);
	if (n < 0)
		err = errno;
	else if ((size_t)n != len)
		err = EIO;
	close(fd);
	return err;
}

long read_file(const char *path, char *buf, size_t size)
{
	size_t off = 0;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while (off + 1 < size) {
		n = read(fd, buf + off, size - 1 - off);
		if (n < 0) {
			n = -errno;
			close(fd);
			return n;
		}
		if (n == 0)
			break;
		off += n;
	}
	buf[off] = '\0';
	close(fd);
	return off;
}

char *read_last_line(const char *path, char *buf, size_t size)
{
	long n = read_file(path, buf, size);
	char *p;

	if (n <= 0)
		return NULL;
	while (n > 0 && buf[n - 1] == '\n')
		buf[--n] = '\0';
	if (!n)
		return NULL;
	p = strrchr(buf, '\n');
	return p ? p + 1 : buf;
}

int read_long(const char *path, long *val)
{
	char buf[64], *end;
	long n = read_file(path, buf, sizeof(buf));

	if (n < 0)
		return -n;
	errno = 0;
	*val = strtol(buf, &end, 10);
	if (errno || end == buf)
		return EINVAL;
	return 0;
}

int write_long(const char *path, long val)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%ld", val);
	return write_file(path, buf);
}

int path_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

/* Fault in the stack the worker may still use, while that is cheap. */
static void __attribute__((noinline)) grow_stack(void)
{
	volatile char buf[STACK_RESERVE];
	size_t i;

	for (i = 0; i < sizeof(buf); i += 256)
		buf[i] = 0;
}

/*
 * A forked worker shares its pages copy-on-write with its parent; the first
 * write to each one allocates a page and charges it to the worker's memory
 * cgroup at that moment.  The memcg scenario writes every page once before
 * joining its tiny cgroup, so the worker itself never faults against the
 * limit (a user fault that cannot be charged is retried forever).  With
 * dontfork the pages are not shared with children either (MADV_DONTFORK),
 * so a fork the worker makes later cannot make them copy-on-write again;
 * such children must not touch them (they get SIGSEGV).
 */
void touch_writable_pages(int dontfork)
{
	char line[256];
	FILE *f;
	unsigned long start, end, a;
	char perms[8];
	long page = sysconf(_SC_PAGESIZE);
	static unsigned long ranges[64][2];
	int n = 0, i;

	grow_stack();
	f = fopen("/proc/self/maps", "re");
	if (!f)
		return;
	/* Collect first: touching while reading could change the maps. */
	while (n < 64 && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx %7s", &start, &end, perms) != 3)
			continue;
		if (perms[1] != 'w' || perms[3] != 'p' || strstr(line, "[v"))
			continue;
		ranges[n][0] = start;
		ranges[n][1] = end;
		n++;
	}
	fclose(f);
	for (i = 0; i < n; i++) {
		for (a = ranges[i][0]; a < ranges[i][1]; a += page) {
			volatile char *p = (volatile char *)a;

			*p = *p;
		}
		if (dontfork)
			madvise((void *)ranges[i][0], ranges[i][1] - ranges[i][0],
				MADV_DONTFORK);
	}
}

int drop_root(unsigned int id)
{
	if (setgroups(0, NULL) || setresgid(id, id, id) || setresuid(id, id, id))
		return errno;
	return 0;
}

int kernel_older_than(int major, int minor)
{
	struct utsname u;
	int ma = 0, mi = 0;

	if (uname(&u) || sscanf(u.release, "%d.%d", &ma, &mi) != 2)
		return 0;
	return ma < major || (ma == major && mi < minor);
}
