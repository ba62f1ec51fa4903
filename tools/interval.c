// SPDX-License-Identifier: GPL-2.0
/*
 * INTERVAL [COUNT]: like vmstat, the totals since load or reset, then one
 * line (or JSON object) of deltas per interval until COUNT or Ctrl-C.
 */
#define _GNU_SOURCE
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <time.h>
#include <unistd.h>

#include "enomemstat.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void interval_header(void)
{
	int i;

	printf("%7s %6s %6s %5s", "failed", "ENOMEM", "EAGAIN", "oerr");
	for (i = 0; i < NR_REASONS; i++)
		printf(" %6s", reasons[i].col);
	printf(" %6s\n", "missed");
}

static void interval_line(const struct counters *d)
{
	int i;

	printf("%7llu %6llu %6llu %5llu", d->v[C_FORK_FAILED],
	       d->v[C_FORK_ENOMEM], d->v[C_FORK_EAGAIN], d->v[C_FORK_OTHER]);
	for (i = 0; i < NR_REASONS; i++)
		printf(" %6llu", d->v[C_REASON_FIRST + i]);
	printf(" %6llu\n", d->v[C_MISSED]);
}

/*
 * pselect() on fd (-1: none) until timeout (NULL: none).  Ctrl-C and SIGTERM
 * stay blocked from the test of stop until pselect() waits, so one that
 * arrives in between ends the wait instead of being lost.  Returns
 * pselect()'s result; -1 means a signal came (look at stop).
 */
static int wait_for(int fd, const struct timespec *timeout)
{
	sigset_t block, orig;
	fd_set fds;
	int ret, saved;

	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, &orig);
	ret = -1;
	saved = EINTR;
	if (!stop) {
		FD_ZERO(&fds);
		if (fd >= 0)
			FD_SET(fd, &fds);
		ret = pselect(fd + 1, fd >= 0 ? &fds : NULL, NULL, NULL, timeout,
			      &orig);
		saved = errno;
	}
	sigprocmask(SIG_SETMASK, &orig, NULL);
	if (ret < 0 && saved != EINTR) {
		errno = saved;
		err(EXIT_TROUBLE, "pselect");
	}
	return ret;
}

/* Sleep for seconds, or until Ctrl-C. */
static void nap(double seconds)
{
	struct timespec now, end, left;

	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += (time_t)seconds;
	end.tv_nsec += (long)((seconds - (double)(time_t)seconds) * 1e9);
	if (end.tv_nsec >= 1000000000L) {
		end.tv_sec++;
		end.tv_nsec -= 1000000000L;
	}
	while (!stop) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		left.tv_sec = end.tv_sec - now.tv_sec;
		left.tv_nsec = end.tv_nsec - now.tv_nsec;
		if (left.tv_nsec < 0) {
			left.tv_sec--;
			left.tv_nsec += 1000000000L;
		}
		if (left.tv_sec < 0 || wait_for(-1, &left) == 0)
			return;
	}
}

/*
 * TEST ONLY.  ENOMEMSTAT_TEST_STEP=FIFO replaces the sleep between samples
 * by reading one line from FIFO, so tools/tests/run.sh says when the next
 * sample is taken instead of racing a timer on a loaded machine.  Unset, as
 * in every real use, nothing here runs; it is deliberately not in --help or
 * the man page.
 */
static int open_test_step(void)
{
	const char *path = getenv("ENOMEMSTAT_TEST_STEP");
	int fd;

	if (!path || !*path)
		return -1;
	/* O_NONBLOCK only so that opening does not wait for a writer */
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0 || fcntl(fd, F_SETFL, 0) < 0)
		err(EXIT_TROUBLE, "ENOMEMSTAT_TEST_STEP %s", path);
	return fd;
}

/* TEST ONLY: wait for the test's next line, or Ctrl-C. */
static void test_step(int fd)
{
	ssize_t n;
	char ch;

	for (;;) {
		if (wait_for(fd, NULL) < 0) {
			if (stop)
				return;
			continue;
		}
		/* a byte at a time: never swallow the next step's line */
		n = read(fd, &ch, 1);
		if (n == 0)
			errx(EXIT_TROUBLE, "ENOMEMSTAT_TEST_STEP: end of file");
		if (n < 0 && errno != EINTR)
			err(EXIT_TROUBLE, "ENOMEMSTAT_TEST_STEP");
		if (stop || (n == 1 && ch == '\n'))
			return;
	}
}

/*
 * Like vmstat: the first line is the totals since load or reset, then one
 * line of deltas per interval.  A counter that went down means someone
 * reset the counters; its delta is then the new value.
 */
int run_interval(double interval, long count, int json)
{
	struct counters prev, cur, d;
	struct sigaction sa;
	long sample;
	int i, step_fd;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	step_fd = open_test_step();

	memset(&prev, 0, sizeof(prev));
	for (sample = 0; !stop && (count <= 0 || sample < count); sample++) {
		if (sample && step_fd >= 0)
			test_step(step_fd);
		else if (sample)
			nap(interval);
		if (stop)
			break;
		if (read_counters(&cur) != CNT_OK)
			return EXIT_TROUBLE;
		for (i = 0; i < NR_COUNTERS; i++)
			d.v[i] = cur.v[i] >= prev.v[i] ? cur.v[i] - prev.v[i] : cur.v[i];
		if (json) {
			print_json(&d, sample > INT_MAX ? INT_MAX : (int)sample);
		} else {
			if (sample % 20 == 0)
				interval_header();
			interval_line(&d);
		}
		finish_stdout();
		prev = cur;
	}
	return 0;
}
