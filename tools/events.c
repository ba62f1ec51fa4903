// SPDX-License-Identifier: GPL-2.0
/*
 * --events: the module's ring of recent failed forks, from debugfs.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <err.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "enomemstat.h"

const char debugfs_dir[] = "/sys/kernel/debug";
static const char events_file[] = "/sys/kernel/debug/enomem_stats/events";

/* Undo the kernel's \ooo escapes (as in /proc/mounts), in place. */
void unescape(char *s)
{
	char *out = s;

	while (*s) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' &&
		    s[2] >= '0' && s[2] <= '7' && s[3] >= '0' && s[3] <= '7') {
			*out++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 +
					(s[3] - '0'));
			s += 4;
		} else {
			*out++ = *s++;
		}
	}
	*out = '\0';
}

/*
 * For the readable table: one event stays one line whatever comm holds;
 * padded with spaces to width.
 */
void print_sanitized(const char *s, int width)
{
	for (; *s; s++, width--)
		putchar(iscntrl((unsigned char)*s) ? '?' : *s);
	for (; width > 0; width--)
		putchar(' ');
}

/*
 * Split a line at single spaces into tok[] (at most MAX_FIELDS), every
 * field non-empty and at least min of them.  Returns how many, or -1.
 */
int split_fields(char *line, char **tok, int min)
{
	int n = 0, i;
	char *p = line;

	while (p && n < MAX_FIELDS) {
		tok[n++] = p;
		p = strchr(p, ' ');
		if (p)
			*p++ = '\0';
	}
	if (p || n < min)
		return -1;
	for (i = 0; i < n; i++)
		if (!*tok[i])
			return -1;
	return n;
}

/*
 * Fields by position: the first nine, then comm is the last token.  A
 * future field would be inserted before comm, so tokens in between are
 * skipped rather than misread.
 */
int parse_event(char *line, struct event *e)
{
	char *tok[MAX_FIELDS];
	unsigned long long v;
	int n, i;

	n = split_fields(line, tok, NR_EV_FIELDS + 1);
	if (n < 0)
		return -1;
	for (i = EV_TIME; i <= EV_UID; i++)
		if (parse_u64(tok[i], &v) || !strcmp(tok[i], "max"))
			return -1;
	for (i = 0; i < NR_EV_FIELDS; i++)
		e->f[i] = tok[i];
	e->comm = tok[n - 1];
	unescape(e->f[EV_CGROUP]);
	unescape(e->comm);
	return 0;
}

/*
 * Why a debugfs file of the module cannot be read (saved: open's errno).
 * what: "event log", "per-cgroup table", ...
 */
void explain_no_debugfs_file(const char *path, int saved, const char *what)
{
	char p[PATH_MAX];
	struct stat st;
	DIR *d;
	struct dirent *de;
	int empty = 1;

	if (saved == EACCES || saved == EPERM) {
		warnx("%s: permission denied: the %s is readable by root only",
		      path, what);
		return;
	}
	if (saved != ENOENT) {
		errno = saved;
		warn("%s", path);
		return;
	}
	root_path(p, sizeof(p), "%s", debugfs_dir);
	d = opendir(p);
	if (d) {
		while ((de = readdir(d)))
			if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
				empty = 0;
		closedir(d);
	} else if (errno == EACCES) {
		warnx("%s: permission denied: the %s is readable by root only",
		      p, what);
		return;
	}
	if (!d || empty) {
		warnx("debugfs is not mounted at %s, so there is no %s; mount it with: mount -t debugfs none /sys/kernel/debug",
		      p, what);
		return;
	}
	root_path(p, sizeof(p), "%s", proc_stats);
	if (stat(p, &st) < 0) {
		explain_absent();
		return;
	}
	root_path(p, sizeof(p), "%s/enomem_stats", debugfs_dir);
	if (stat(p, &st) == 0 && strcmp(what, "event log"))
		warnx("%s does not exist: this enomem_stats module has no %s (a module from before it)",
		      path, what);
	else
		warnx("%s does not exist: the module is loaded but has no debugfs files (debugfs locked down or not built?); the counters still work",
		      path);
}

static void print_event_row(const struct event *e)
{
	unsigned long long ns = strtoull(e->f[EV_TIME], NULL, 10);

	printf("%7llu.%06llu %7s %7s %6s %-7s %-7s %-12s %-20s ",
	       ns / 1000000000ULL, ns % 1000000000ULL / 1000ULL,
	       e->f[EV_PID], e->f[EV_TGID], e->f[EV_UID], e->f[EV_KIND],
	       e->f[EV_ERRNO], e->f[EV_REASON], e->f[EV_LIMIT]);
	printf("%-24s ", e->f[EV_CGROUP]);
	print_sanitized(e->comm, 0);
	putchar('\n');
}

/* "-" in the limit and cgroup fields: the kernel had none to report. */
void jw_field_or_null(const char *key, const char *s)
{
	if (strcmp(s, "-"))
		jw_string(key, s);
	else
		jw_null(key);
}

/* An event's members, for --events and --follow's objects. */
void event_json_members(const struct event *e)
{
	jw_number("time_ns", e->f[EV_TIME]);
	jw_number("pid", e->f[EV_PID]);
	jw_number("tgid", e->f[EV_TGID]);
	jw_number("uid", e->f[EV_UID]);
	jw_string("kind", e->f[EV_KIND]);
	jw_string("errno", e->f[EV_ERRNO]);
	jw_string("reason", e->f[EV_REASON]);
	jw_field_or_null("limit", e->f[EV_LIMIT]);
	jw_field_or_null("cgroup", e->f[EV_CGROUP]);
	jw_string("comm", e->comm);
}

static void print_event_json(const struct event *e)
{
	jw_object_open(NULL);
	event_json_members(e);
	jw_object_close();
}

int show_events(int json)
{
	unsigned long long size = 0, recorded = 0, overwritten = 0;
	int have_header = 0, lineno = 0, bad = 0, rows = 0;
	char path[PATH_MAX];
	char *buf, *line, *next;
	struct event e;
	size_t len;

	root_path(path, sizeof(path), "%s", events_file);
	buf = read_file(path, &len);
	if (!buf) {
		explain_no_debugfs_file(path, errno, "event log");
		return EXIT_TROUBLE;
	}
	if (len && buf[len - 1] != '\n') {
		warnx("%s is truncated (last line has no newline); ignoring that line",
		      path);
		bad = 1;
		line = strrchr(buf, '\n');
		if (line)
			line[1] = '\0';
		else
			buf[0] = '\0';
	}
	/* the first header line carries the ring's bookkeeping */
	if (sscanf(buf, "# enomem_stats events: size %llu recorded %llu overwritten %llu",
		   &size, &recorded, &overwritten) == 3)
		have_header = 1;
	else {
		warnx("%s: first line is not the '# enomem_stats events:' header", path);
		bad = 1;
	}
	if (json) {
		jw_object_open(NULL);
		jw_uint("size", size);
		jw_uint("recorded", recorded);
		jw_uint("overwritten", overwritten);
		jw_array_open("events");
	} else if (have_header)
		printf("# %llu failed forks recorded, the ring holds %llu, %llu overwritten before they were read\n",
		       recorded, size, overwritten);
	for (line = buf; *line; line = next) {
		next = strchr(line, '\n');
		*next++ = '\0';
		lineno++;
		if (line[0] == '#')	/* headers may be added: skip them all */
			continue;
		if (parse_event(line, &e)) {
			warnx("%s:%d: malformed event line skipped", path, lineno);
			bad = 1;
			continue;
		}
		if (json) {
			print_event_json(&e);
		} else {
			if (rows == 0)
				printf("%14s %7s %7s %6s %-7s %-7s %-12s %-20s %-24s %s\n",
				       "TIME(s)", "PID", "TGID", "UID", "KIND", "ERRNO",
				       "REASON", "LIMIT", "CGROUP", "COMM");
			print_event_row(&e);
		}
		rows++;
	}
	if (json) {
		jw_array_close();
		jw_object_close();
	}
	else if (!rows)
		printf("No failed fork recorded.\n");
	free(buf);
	return bad ? EXIT_TROUBLE : 0;
}
