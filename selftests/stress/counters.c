// SPDX-License-Identifier: GPL-2.0
/*
 * What was counted (/proc/enomem_stats, read through the guest's parser)
 * and what the workers saw (their tallies, in memory shared with them).
 */
#include "stress.h"
#include <stdarg.h>
#include <sys/mman.h>

/* 0; >0 an errno of open/read; -1 malformed or an invariant broken. */
int stats_get(struct stats *s, char *err, size_t errlen)
{
	char buf[4096];
	long n = read_file(STATS, buf, sizeof(buf));

	if (n < 0) {
		snprintf(err, errlen, "read %s: %s", STATS, strerror(-n));
		return -n;
	}
	if (stats_parse(buf, n, s, err, errlen) || stats_invariants(s, err, errlen))
		return -1;
	return 0;
}

void stats_delta(const struct stats *a, const struct stats *b, struct stats *d)
{
	int i;

	for (i = 0; i < ST_COUNT; i++)
		d->v[i] = b->v[i] - a->v[i];
}

void stats_show(const char *title, const struct stats *s)
{
	char buf[1024];
	int i, o = 0;

	for (i = 0; i < ST_COUNT; i++)
		if (s->v[i])
			o += snprintf(buf + o, sizeof(buf) - o, " %s=%llu", stat_names[i],
				      s->v[i]);
	diag("%s:%s", title, o ? buf : " all zero");
}

static const char *const kind_names[NKIND] = { "fork", "vfork", "thread" };

struct shared *sh;

int shared_setup(void)
{
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	return 0;
}

void shared_msg(const char *fmt, ...)
{
	va_list ap;

	if (!__sync_bool_compare_and_swap(&sh->msg_taken, 0, 1))
		return;
	va_start(ap, fmt);
	vsnprintf(sh->msg, sizeof(sh->msg), fmt, ap);
	va_end(ap);
}

unsigned long tally_failed(const struct tally *t, int err)
{
	unsigned long n = 0;
	int k, e;

	for (k = 0; k < NKIND; k++)
		for (e = 1; e < ERRMAX; e++)
			if (!err || e == err)
				n += t->err[k][e];
	return n;
}

void tally_show(const char *title, const struct tally *t)
{
	char buf[2048];
	int k, e, o = 0;

	for (k = 0; k < NKIND && o < 1800; k++) {
		o += snprintf(buf + o, sizeof(buf) - o, " %s ok %lu", kind_names[k], t->ok[k]);
		for (e = 1; e < ERRMAX && o < 1800; e++)
			if (t->err[k][e])
				o += snprintf(buf + o, sizeof(buf) - o, " %s %lu",
					      strerrorname_np(e) ? strerrorname_np(e) : "?",
					      t->err[k][e]);
		o += snprintf(buf + o, sizeof(buf) - o, ";");
	}
	diag("%s:%s", title, buf);
}

void count_err(struct tally *t, int k, int err)
{
	t->err[k][err > 0 && err < ERRMAX ? err : 0]++;
}

