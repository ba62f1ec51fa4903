// SPDX-License-Identifier: GPL-2.0
/*
 * Files and numbers.  Every file is read through root_path(), so --root DIR
 * (or ENOMEMSTAT_ROOT) makes the whole program, --diagnose included, run
 * against a directory tree of fixtures instead of the running system.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "enomemstat.h"

const char *root = "";

/* root + formatted path; a path too long for PATH_MAX is a usage problem. */
void root_path(char *buf, size_t len, const char *fmt, ...)
{
	char rel[PATH_MAX];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(rel, sizeof(rel), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(rel))
		errx(EXIT_TROUBLE, "path too long: %s", fmt);
	n = snprintf(buf, len, "%s%s", root, rel);
	if (n < 0 || (size_t)n >= len)
		errx(EXIT_TROUBLE, "path too long under %s: %s", root, rel);
}

/*
 * Read a whole (proc) file into a NUL-terminated malloc'ed buffer.  Returns
 * NULL with errno set; EFBIG if it is implausibly large for a proc file.
 */
char *read_file(const char *path, size_t *lenp)
{
	size_t len = 0, cap = 4096;
	char *buf, *nbuf;
	ssize_t n;
	int fd, saved;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	buf = malloc(cap);
	if (!buf)
		err(EXIT_TROUBLE, "malloc");
	for (;;) {
		if (cap - len < 2) {
			if (cap >= MAX_FILE) {
				free(buf);
				close(fd);
				errno = EFBIG;
				return NULL;
			}
			cap *= 2;
			nbuf = realloc(buf, cap);
			if (!nbuf)
				err(EXIT_TROUBLE, "realloc");
			buf = nbuf;
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			saved = errno;
			free(buf);
			close(fd);
			errno = saved;
			return NULL;
		}
		if (n == 0)
			break;
		len += n;
	}
	close(fd);
	buf[len] = '\0';
	if (lenp)
		*lenp = len;
	return buf;
}

/* Parse a whole decimal number; "max" (cgroup files) means unlimited. */
int parse_u64(const char *s, unsigned long long *out)
{
	unsigned long long v;
	char *end;

	if (!strcmp(s, "max")) {
		*out = UNLIMITED;
		return 0;
	}
	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end)
		return -1;
	*out = v;
	return 0;
}

/* A file holding one number (sysctls, cgroup files).  -1 if unreadable. */
int read_u64(unsigned long long *out, const char *fmt, ...)
{
	char rel[PATH_MAX], path[PATH_MAX];
	char *buf, *nl;
	va_list ap;
	int n, ret;

	va_start(ap, fmt);
	n = vsnprintf(rel, sizeof(rel), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(rel))
		return -1;
	root_path(path, sizeof(path), "%s", rel);
	buf = read_file(path, NULL);
	if (!buf)
		return -1;
	nl = strchr(buf, '\n');
	if (nl)
		*nl = '\0';
	ret = parse_u64(buf, out);
	free(buf);
	return ret;
}

/* The number after "key" in a "key value" or "Key:\tvalue" file. */
int keyed_u64(const char *buf, const char *key, unsigned long long *out)
{
	size_t klen = strlen(key);
	const char *p = buf;
	char *end;

	while (p && *p) {
		if (!strncmp(p, key, klen) && (p[klen] == ' ' || p[klen] == '\t')) {
			p += klen;
			while (*p == ' ' || *p == '\t')
				p++;
			if (!isdigit((unsigned char)*p))
				return -1;
			errno = 0;
			*out = strtoull(p, &end, 10);
			return errno ? -1 : 0;
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return -1;
}

int is_number(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return 0;
	return 1;
}

/*
 * uid's name from etc/passwd below root, parsed here rather than through
 * getpwuid(): a static binary has no NSS.  1 if found.
 */
int user_name(unsigned long long uid, char *buf, size_t len)
{
	char path[PATH_MAX];
	char *pw, *line, *next, *f[4];
	int i, found = 0;

	root_path(path, sizeof(path), "/etc/passwd");
	pw = read_file(path, NULL);
	if (!pw)
		return 0;
	for (line = pw; line && *line && !found; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		for (i = 0; i < 4; i++) {
			f[i] = strsep(&line, ":");
			if (!f[i])
				break;
		}
		if (i == 4 && is_number(f[2]) && strtoull(f[2], NULL, 10) == uid) {
			snprintf(buf, len, "%s", f[0]);
			found = 1;
		}
	}
	free(pw);
	return found;
}

/*
 * CLOCK_MONOTONIC (the module's event clock) or CLOCK_REALTIME now, in ns.
 * The tests fix both (ENOMEMSTAT_TEST_MONOTONIC_NS, ENOMEMSTAT_TEST_REALTIME_NS)
 * so that ages and wall clock times of fixture events do not depend on when
 * they run.
 */
unsigned long long clock_now_ns(clockid_t clock)
{
	const char *env = getenv(clock == CLOCK_MONOTONIC ?
				 "ENOMEMSTAT_TEST_MONOTONIC_NS" :
				 "ENOMEMSTAT_TEST_REALTIME_NS");
	struct timespec ts;

	if (env && is_number(env))
		return strtoull(env, NULL, 10);
	if (clock_gettime(clock, &ts) < 0)
		err(EXIT_TROUBLE, "clock_gettime");
	return (unsigned long long)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}
