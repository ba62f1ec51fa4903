// SPDX-License-Identifier: GPL-2.0
/*
 * INTERVAL [COUNT]: like vmstat, the totals since load or reset, then one
 * line (or JSON object) of deltas per interval until COUNT or Ctrl-C.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

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

/* Sleep, but wake for Ctrl-C: the handler is installed without SA_RESTART. */
static void nap(double seconds)
{
	struct timespec ts, rem;

	ts.tv_sec = (time_t)seconds;
	ts.tv_nsec = (long)((seconds - (double)ts.tv_sec) * 1e9);
	while (!stop && nanosleep(&ts, &rem) < 0 && errno == EINTR)
		ts = rem;
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
	int i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	memset(&prev, 0, sizeof(prev));
	for (sample = 0; !stop && (count <= 0 || sample < count); sample++) {
		if (sample)
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
