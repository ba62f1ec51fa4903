// SPDX-License-Identifier: GPL-2.0
/* Reading /proc/enomem_stats for a test, and judging counter deltas. */
#define _GNU_SOURCE
#include <stdio.h>
#include "ktap.h"
#include "tests.h"

int read_checked(struct stats *s)
{
	char err[256];

	if (stats_read(s, err, sizeof(err)) || stats_invariants(s, err, sizeof(err))) {
		ktap_diag("%s", err);
		return -1;
	}
	return 0;
}

/* Every counter must have moved by exactly want[]. */
int check_want(const long long *want, const struct stats *a,
	       const struct stats *b)
{
	int i, ok = 1;

	for (i = 0; i < ST_COUNT; i++)
		if ((long long)(b->v[i] - a->v[i]) != want[i]) {
			ktap_diag("%s: delta %lld, expected %lld", stat_names[i],
				  (long long)(b->v[i] - a->v[i]), want[i]);
			ok = 0;
		}
	return ok;
}

/*
 * What userspace saw, as counter deltas: the reason by every failure,
 * fork_enomem/fork_eagain/fork_other by errno, nothing else (not unknown,
 * not missed).
 */
void add_want(long long *want, const struct scenario *sc,
	      const struct outcome *o)
{
	want[ST_FORK_FAILED] += o->nfail;
	want[ST_FORK_ENOMEM] += o->enomem;
	want[ST_FORK_EAGAIN] += o->eagain;
	want[ST_FORK_OTHER] += o->other;
	want[sc->stat] += o->nfail;
}
