// SPDX-License-Identifier: GPL-2.0
/*
 * --follow: each failed fork or mapping as it happens, from the module's
 * blocking stream /proc/enomem_stats_follow.  An open starts at the next
 * event; read() sleeps in the kernel until there is one, so nothing here
 * polls.  The stream's lines are the events file's, plus "# lost N" when
 * the ring overran between two reads; EOF means the module was unloaded.
 */
#define _GNU_SOURCE
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "enomemstat.h"

static const char follow_file[] = "/proc/enomem_stats_follow";

#define FOLLOW_BUF	65536	/* longer than any line: a cgroup path is < 4 KiB */

/*
 * Ctrl-C or SIGTERM.  While blocked in open() or read() everything printed
 * so far has been flushed, so the handler may end the program there and
 * then; elsewhere it leaves a flag that is tested before the next read.
 * Setting in_wait before testing stop leaves no window for a lost signal.
 */
static volatile sig_atomic_t stop, in_wait;

static void on_signal(int sig)
{
	(void)sig;
	if (in_wait)
		_exit(0);
	stop = 1;
}

/* The event's wall clock time: now minus its age on the monotonic clock. */
static void wall_time(const struct event *e, char *buf, size_t len)
{
	unsigned long long ns = strtoull(e->f[EV_TIME], NULL, 10);
	unsigned long long mono = clock_now_ns(CLOCK_MONOTONIC);
	unsigned long long wall = clock_now_ns(CLOCK_REALTIME);
	time_t t;
	struct tm tm;
	size_t n;

	wall -= mono > ns ? mono - ns : 0;
	t = (time_t)(wall / 1000000000ULL);
	if (!localtime_r(&t, &tm) ||
	    !(n = strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm)))
		snprintf(buf, len, "%llu", wall / 1000000000ULL);
	else
		snprintf(buf + n, len - n, ".%03llu", wall / 1000000ULL % 1000);
}

static void print_header(void)
{
	printf("%-23s %7s %-16s %6s %-7s %-7s %-22s %-20s %s\n", "TIME", "PID",
	       "COMM", "UID", "KIND", "ERRNO", "REASON", "LIMIT", "CGROUP");
}

static void print_line(char *line, int json, const char *path)
{
	unsigned long long lost;
	char when[48];
	struct event e;

	if (!strncmp(line, "# lost ", 7) && is_number(line + 7)) {
		lost = strtoull(line + 7, NULL, 10);
		fflush(stdout);
		warnx("%llu events lost (the ring overran)", lost);
		if (json) {
			jw_object_open(NULL);
			jw_uint("lost", lost);
			jw_object_close();
		}
		return;
	}
	if (line[0] == '#')	/* comments may be added: skip them */
		return;
	if (parse_event(line, &e)) {
		fflush(stdout);
		warnx("%s: malformed event line skipped", path);
		return;
	}
	wall_time(&e, when, sizeof(when));
	if (json) {
		jw_object_open(NULL);
		jw_string("time", when);
		event_json_members(&e);
		jw_object_close();
		return;
	}
	printf("%-23s %7s ", when, e.f[EV_PID]);
	print_sanitized(e.comm, 16);
	printf(" %6s %-7s %-7s %-22s %-20s ", e.f[EV_UID], e.f[EV_KIND], e.f[EV_ERRNO], e.f[EV_REASON],
	       e.f[EV_LIMIT]);
	print_sanitized(e.f[EV_CGROUP], 0);
	putchar('\n');
}

static int open_stream(const char *path)
{
	struct stat st;
	char p[PATH_MAX];
	int fd;

	/* a FIFO in the tests: open() waits for the writer */
	in_wait = 1;
	fd = stop ? -1 : open(path, O_RDONLY | O_CLOEXEC);
	in_wait = 0;
	if (fd >= 0 || stop)
		return fd;
	if (errno == EACCES || errno == EPERM) {
		warnx("%s: permission denied: the follow stream is readable by root only",
		      path);
	} else if (errno == ENOENT) {
		root_path(p, sizeof(p), "%s", proc_stats);
		if (stat(p, &st) < 0)
			explain_absent();
		else
			warnx("%s does not exist: this enomem_stats module has no follow stream (a module from before it); enomemstat --events shows the recent failures",
			      path);
	} else {
		warn("%s", path);
	}
	return -1;
}

int follow(int json)
{
	static const int sigs[] = { SIGINT, SIGTERM };
	char path[PATH_MAX];
	struct sigaction sa;
	char *buf, *line, *nl;
	size_t len = 0, i;
	ssize_t n;
	int fd;

	root_path(path, sizeof(path), "%s", follow_file);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;	/* no SA_RESTART: read() returns EINTR */
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);

	fd = open_stream(path);
	if (fd < 0)
		return stop ? 0 : EXIT_TROUBLE;
	buf = malloc(FOLLOW_BUF + 1);
	if (!buf)
		err(EXIT_TROUBLE, "malloc");
	if (!json)
		print_header();
	for (;;) {
		if (fflush(stdout) == EOF || ferror(stdout))
			err(EXIT_TROUBLE, "write to standard output");
		in_wait = 1;
		if (stop) {
			close(fd);
			return 0;
		}
		n = read(fd, buf + len, FOLLOW_BUF - len);
		in_wait = 0;
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			warn("%s", path);
			close(fd);
			return EXIT_TROUBLE;
		}
		if (n == 0)
			break;
		len += n;
		buf[len] = '\0';
		for (line = buf; (nl = strchr(line, '\n')); line = nl + 1) {
			*nl = '\0';
			print_line(line, json, path);
		}
		len -= line - buf;
		memmove(buf, line, len);
		if (len == FOLLOW_BUF) {
			warnx("%s: a line longer than %d bytes skipped", path, FOLLOW_BUF);
			len = 0;
		}
	}
	close(fd);
	free(buf);
	if (len)
		warnx("%s: the last line has no newline; skipped", path);
	fflush(stdout);
	warnx("enomem_stats was unloaded");
	return EXIT_UNLOADED;
}
