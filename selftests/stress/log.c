// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel log: read from /dev/kmsg (so a wrapped buffer is noticed),
 * scanned for warnings, and the module's own log line (log=1) tested.
 */
#include "stress.h"
#include <fcntl.h>

int kmsg_mark(void)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd >= 0)
		lseek(fd, 0, SEEK_END);
	return fd;
}

/* Records since the mark, concatenated (messages only), into out. */
void kmsg_since(int fd, char *out, size_t len)
{
	char rec[2048], *msg;
	size_t o = 0;
	ssize_t n;

	out[0] = '\0';
	if (fd < 0)
		return;
	for (;;) {
		n = read(fd, rec, sizeof(rec) - 1);
		if (n < 0 && errno == EPIPE)
			continue;	/* overwritten meanwhile: go on */
		if (n <= 0)
			break;
		rec[n] = '\0';
		msg = strchr(rec, ';');
		msg = msg ? msg + 1 : rec;
		if (o + strlen(msg) + 1 < len) {
			memcpy(out + o, msg, strlen(msg));
			o += strlen(msg);
			out[o] = '\0';
		}
	}
}

int log_has_warning(const char *text)
{
	const char *bad[] = { "WARNING:", "BUG:", "Oops", "general protection",
			      "Call Trace", "kernel BUG", "UBSAN", "refcount_t" };
	const char *p, *eol;
	unsigned int i;
	int found = 0;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if ((p = strstr(text, bad[i]))) {
			eol = strchr(p, '\n');
			diag("kernel log: %.*s", eol ? (int)(eol - p) : 120, p);
			found = 1;
		}
	return found;
}

static unsigned int count_lines(const char *text, const char *needle, const char *also)
{
	const char *p = text, *eol;
	unsigned int n = 0;

	while ((p = strstr(p, needle))) {
		eol = strchr(p, '\n');
		if (!also || (strstr(p, also) && (!eol || strstr(p, also) < eol)))
			n++;
		p += strlen(needle);
	}
	return n;
}

/*
 * log=0 (the default) must print nothing however many forks fail; log=1
 * must print a line per failed fork, but at most 10 per 5 s (the module's
 * ratelimit), so a fork storm against a limit cannot flood the log.  The
 * module is reloaded first so that its ratelimit window starts unused.
 */
void test_log_line(void)
{
	static char text[1 << 18];
	const char *needle = "enomem_stats: fork by ";
	unsigned long off_failed, on_failed;
	unsigned int quiet = 0, lines = 0, named = 0, allowed;
	double t0, el;
	int fd, ok = 1;

	mod_unload(NULL);
	if (mod_load(NULL) || cgroup_setup()) {
		diag("log line: module load or pids cgroup setup failed");
		ok = 0;
	}
	memset(&sh->t[7], 0, sizeof(sh->t[7]));
	fd = kmsg_mark();
	if (ok && !wait_ok(start_failer(W_PIDS, 0, 10, &sh->t[7]), "pids failer"))
		ok = 0;
	kmsg_since(fd, text, sizeof(text));
	if (fd >= 0)
		close(fd);
	quiet = count_lines(text, needle, NULL);
	off_failed = tally_failed(&sh->t[7], EAGAIN);
	diag("log=0: %lu forks failed, %u log lines", off_failed, quiet);
	result(ok && fd >= 0 && off_failed >= 20 && quiet == 0, "stress_log_silent_when_off");

	memset(&sh->t[7], 0, sizeof(sh->t[7]));
	if (ok && write_file(PARAMS "/log", "1"))
		ok = 0;
	fd = kmsg_mark();
	t0 = now();
	if (ok && !wait_ok(start_failer(W_PIDS, 0, 14, &sh->t[7]), "pids failer"))
		ok = 0;
	el = now() - t0;
	kmsg_since(fd, text, sizeof(text));
	if (fd >= 0)
		close(fd);
	write_file(PARAMS "/log", "0");
	cgroup_remove();
	on_failed = tally_failed(&sh->t[7], EAGAIN);
	lines = count_lines(text, needle, NULL);
	named = count_lines(text, needle, "cgroup pids.max reached in " CG_PIDS_NAME);
	/* a fresh window lets 10 through, then 10 more per 5 s begun */
	allowed = 10 * (1 + (unsigned int)(el / 5));
	diag("log=1: %lu forks failed in %.1f s, %u log lines (%u name the pids cgroup), at most %u allowed",
	     on_failed, el, lines, named, allowed);
	if (lines)
		diag("first: %.*s", (int)strcspn(strstr(text, needle), "\n"), strstr(text, needle));
	result(ok && fd >= 0 && on_failed >= 30 && lines >= 10 && lines <= allowed && named == lines,
	       "stress_log_ratelimited");
}
