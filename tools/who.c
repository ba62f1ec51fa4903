// SPDX-License-Identifier: GPL-2.0
/*
 * Who is failing: the module's per-cgroup and per-user tables (debugfs,
 * root only), one entry per (cgroup, reason) or (uid, reason):
 *
 *	# enomem_stats cgroups: entries 3 size 256 evicted 0
 *	# failures reason first_ns last_ns last_pid limit cgroup comm
 *	17 cgroup_pids 2318303143 2747251841 153 - /system.slice/x.service sh
 *
 * --top folds the entries of one cgroup (or uid) into a row and sorts the
 * rows by failures; --prometheus prints the top N cgroups' entries.  The
 * module bounds each table and evicts the entry that failed longest ago,
 * so a row may lack evicted failures: the footer says so.
 */
#define _GNU_SOURCE
#include <err.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "enomemstat.h"

static const char *const table_file[] = {
	[WHO_CGROUP] = "/sys/kernel/debug/enomem_stats/cgroups",
	[WHO_USER] = "/sys/kernel/debug/enomem_stats/users",
};
static const char *const table_what[] = {
	[WHO_CGROUP] = "per-cgroup table",
	[WHO_USER] = "per-user table",
};

enum { WE_FAILURES, WE_REASON, WE_FIRST, WE_LAST, WE_PID, WE_LIMIT, WE_KEY,
	NR_WE_FIELDS };

struct who_entry {
	char *f[NR_WE_FIELDS];
	char *comm;
	unsigned long long failures, first, last;
};

/* The entries of one cgroup or uid, most failures first. */
struct who_row {
	const char *key;
	unsigned long long total, first, last;
	const struct who_entry *newest;	/* the last failure's pid, comm */
	int first_entry, nr_entries;	/* in the sorted entry array */
};

struct who_tab {
	unsigned long long entries, size, evicted;
	int nr;
	struct who_entry *e;
	int nr_rows;
	struct who_row *rows;
	char *buf;
};

/* Like an event line: fields by position, comm the last token. */
static int parse_entry(char *line, struct who_entry *w, enum who_table t)
{
	char *tok[MAX_FIELDS];
	int n, i;

	n = split_fields(line, tok, NR_WE_FIELDS + 1);
	if (n < 0)
		return -1;
	for (i = 0; i < NR_WE_FIELDS; i++)
		w->f[i] = tok[i];
	w->comm = tok[n - 1];
	if (!is_number(w->f[WE_FAILURES]) || !is_number(w->f[WE_FIRST]) ||
	    !is_number(w->f[WE_LAST]) || !is_number(w->f[WE_PID]) ||
	    (t == WHO_USER && !is_number(w->f[WE_KEY])))
		return -1;
	w->failures = strtoull(w->f[WE_FAILURES], NULL, 10);
	w->first = strtoull(w->f[WE_FIRST], NULL, 10);
	w->last = strtoull(w->f[WE_LAST], NULL, 10);
	unescape(w->f[WE_KEY]);
	unescape(w->comm);
	return 0;
}

/* By key, then most failures first, then reason name. */
static int entry_cmp(const void *a, const void *b)
{
	const struct who_entry *x = a, *y = b;
	int c = strcmp(x->f[WE_KEY], y->f[WE_KEY]);

	if (c)
		return c;
	if (x->failures != y->failures)
		return y->failures > x->failures ? 1 : -1;
	return strcmp(x->f[WE_REASON], y->f[WE_REASON]);
}

/* Most failures first; then the most recent; then by name. */
static int row_cmp(const void *a, const void *b)
{
	const struct who_row *x = a, *y = b;

	if (x->total != y->total)
		return y->total > x->total ? 1 : -1;
	if (x->last != y->last)
		return y->last > x->last ? 1 : -1;
	return strcmp(x->key, y->key);
}

static void build_rows(struct who_tab *tab)
{
	struct who_row *r = NULL;
	const struct who_entry *e;
	int i;

	qsort(tab->e, tab->nr, sizeof(*tab->e), entry_cmp);
	tab->rows = calloc(tab->nr ? tab->nr : 1, sizeof(*tab->rows));
	if (!tab->rows)
		err(EXIT_TROUBLE, "calloc");
	for (i = 0; i < tab->nr; i++) {
		e = &tab->e[i];
		if (!r || strcmp(r->key, e->f[WE_KEY])) {
			r = &tab->rows[tab->nr_rows++];
			r->key = e->f[WE_KEY];
			r->first = e->first;
			r->first_entry = i;
		}
		r->nr_entries++;
		r->total += e->failures;
		if (e->first < r->first)
			r->first = e->first;
		if (!r->newest || e->last > r->last) {
			r->last = e->last;
			r->newest = e;
		}
	}
	qsort(tab->rows, tab->nr_rows, sizeof(*tab->rows), row_cmp);
}

/*
 * Read and parse table t.  Returns 0, or EXIT_TROUBLE after saying why;
 * *bad is set when lines were skipped.  quiet: say nothing if the file
 * cannot be opened (errno tells why).
 */
static int read_table(enum who_table t, struct who_tab *tab, int *bad, int quiet)
{
	char path[PATH_MAX];
	char *line, *next;
	size_t len;
	int lineno = 0, cap = 0;
	struct who_entry *ne;

	memset(tab, 0, sizeof(*tab));
	root_path(path, sizeof(path), "%s", table_file[t]);
	tab->buf = read_file(path, &len);
	if (!tab->buf) {
		if (!quiet)
			explain_no_debugfs_file(path, errno, table_what[t]);
		return EXIT_TROUBLE;
	}
	if (len && tab->buf[len - 1] != '\n') {
		warnx("%s is truncated (last line has no newline); ignoring that line",
		      path);
		*bad = 1;
		line = strrchr(tab->buf, '\n');
		if (line)
			line[1] = '\0';
		else
			tab->buf[0] = '\0';
	}
	if (sscanf(tab->buf, "# enomem_stats %*s entries %llu size %llu evicted %llu",
		   &tab->entries, &tab->size, &tab->evicted) != 3) {
		warnx("%s: first line is not the '# enomem_stats %s:' header", path,
		      t == WHO_CGROUP ? "cgroups" : "users");
		*bad = 1;
	}
	for (line = tab->buf; *line; line = next) {
		next = strchr(line, '\n');
		*next++ = '\0';
		lineno++;
		if (line[0] == '#')
			continue;
		if (tab->nr == cap) {
			cap = cap ? cap * 2 : 64;
			ne = realloc(tab->e, cap * sizeof(*tab->e));
			if (!ne)
				err(EXIT_TROUBLE, "realloc");
			tab->e = ne;
		}
		if (parse_entry(line, &tab->e[tab->nr], t)) {
			warnx("%s:%d: malformed entry line skipped", path, lineno);
			*bad = 1;
			continue;
		}
		tab->nr++;
	}
	build_rows(tab);
	return 0;
}

static void free_table(struct who_tab *tab)
{
	free(tab->rows);
	free(tab->e);
	free(tab->buf);
}

/* "3m12s ago", against CLOCK_MONOTONIC now (the module's clock). */
static void format_age(unsigned long long now, unsigned long long t, char *buf,
		       size_t len)
{
	unsigned long long s = now > t ? (now - t) / 1000000000ULL : 0;

	if (s < 60)
		snprintf(buf, len, "%llus ago", s);
	else if (s < 3600)
		snprintf(buf, len, "%llum%02llus ago", s / 60, s % 60);
	else if (s < 86400)
		snprintf(buf, len, "%lluh%02llum ago", s / 3600, s % 3600 / 60);
	else
		snprintf(buf, len, "%llud%02lluh ago", s / 86400, s % 86400 / 3600);
}

/* "cgroup_pids=17,nproc=2" */
static void row_reasons(const struct who_tab *tab, const struct who_row *r,
			char *buf, size_t len)
{
	const struct who_entry *e;
	size_t used = 0;
	int i, n;

	buf[0] = '\0';
	for (i = 0; i < r->nr_entries; i++) {
		e = &tab->e[r->first_entry + i];
		n = snprintf(buf + used, len - used, "%s%s=%llu", i ? "," : "",
			     e->f[WE_REASON], e->failures);
		if (n < 0 || (size_t)n >= len - used) {
			memcpy(buf + len - 4, "...", 4);
			return;
		}
		used += n;
	}
}

static void row_user(enum who_table t, const char *key, char *buf, size_t len)
{
	if (t == WHO_CGROUP || !user_name(strtoull(key, NULL, 10), buf, len))
		snprintf(buf, len, "%s", key);
}

static void print_top_text(enum who_table t, const struct who_tab *tab,
			   unsigned long long now)
{
	char reasons[512], first[32], last[32], who[256];
	const struct who_row *r;
	int i;

	if (!tab->nr_rows)
		printf("No failed fork or mapping recorded per %s since load or reset.\n",
		       t == WHO_CGROUP ? "cgroup" : "user");
	for (i = 0; i < tab->nr_rows; i++) {
		r = &tab->rows[i];
		if (i == 0)
			printf("%7s %-30s %-12s %-12s %-30s %s\n", "TOTAL", "REASONS",
			       "FIRST", "LAST", t == WHO_CGROUP ? "CGROUP" : "USER",
			       "LAST PID COMM");
		row_reasons(tab, r, reasons, sizeof(reasons));
		format_age(now, r->first, first, sizeof(first));
		format_age(now, r->last, last, sizeof(last));
		row_user(t, r->key, who, sizeof(who));
		printf("%7llu %-30s %-12s %-12s ", r->total, reasons, first, last);
		print_sanitized(who, 30);
		printf(" %s ", r->newest->f[WE_PID]);
		print_sanitized(r->newest->comm, 0);
		putchar('\n');
	}
	if (tab->evicted)
		printf("%llu entries evicted (table size %llu, %llu in use): counts above are for the entries kept; totals in /proc/enomem_stats stay exact\n",
		       tab->evicted, tab->size, tab->entries);
}

static void print_top_json(enum who_table t, const struct who_tab *tab,
			   unsigned long long now)
{
	const struct who_entry *e;
	const struct who_row *r;
	char who[256];
	int i, j;

	jw_array_open(NULL);
	for (i = 0; i < tab->nr_rows; i++) {
		r = &tab->rows[i];
		jw_object_open(NULL);
		if (t == WHO_CGROUP) {
			jw_field_or_null("cgroup", r->key);
		} else {
			jw_number("uid", r->key);
			if (user_name(strtoull(r->key, NULL, 10), who, sizeof(who)))
				jw_string("user", who);
			else
				jw_null("user");
		}
		jw_uint("total", r->total);
		jw_object_open("reasons");
		for (j = 0; j < r->nr_entries; j++) {
			e = &tab->e[r->first_entry + j];
			jw_uint(e->f[WE_REASON], e->failures);
		}
		jw_object_close();
		jw_uint("first_ns", r->first);
		jw_uint("last_ns", r->last);
		jw_uint("first_age_s", now > r->first ? (now - r->first) / 1000000000ULL : 0);
		jw_uint("last_age_s", now > r->last ? (now - r->last) / 1000000000ULL : 0);
		jw_number("last_pid", r->newest->f[WE_PID]);
		jw_string("last_comm", r->newest->comm);
		jw_string("last_reason", r->newest->f[WE_REASON]);
		jw_field_or_null("last_limit", r->newest->f[WE_LIMIT]);
		jw_object_close();
	}
	jw_array_close();
}

int show_top(enum who_table t, int json)
{
	struct who_tab tab;
	int bad = 0;

	if (read_table(t, &tab, &bad, 0))
		return EXIT_TROUBLE;
	if (json)
		print_top_json(t, &tab, clock_now_ns(CLOCK_MONOTONIC));
	else
		print_top_text(t, &tab, clock_now_ns(CLOCK_MONOTONIC));
	free_table(&tab);
	return bad ? EXIT_TROUBLE : 0;
}

/* A Prometheus label value: backslash, double quote and newline escaped. */
static void prom_label(const char *s)
{
	for (; *s; s++) {
		if (*s == '\\' || *s == '"')
			printf("\\%c", *s);
		else if (*s == '\n')
			fputs("\\n", stdout);
		else
			putchar(*s);
	}
}

/*
 * --prometheus: the entries of the top_n cgroups by failures, so that a
 * fleet's label cardinality stays bounded, and the evictions.  Left out,
 * with a word on stderr unless the module simply has no table, when the
 * table cannot be read (debugfs is root only).
 */
void print_prometheus_cgroups(int top_n)
{
	const struct who_entry *e;
	struct who_tab tab;
	int i, j, bad = 0;

	if (top_n <= 0)
		return;
	if (read_table(WHO_CGROUP, &tab, &bad, 1)) {
		if (errno != ENOENT)
			warn("per-cgroup series left out: %s%s", root,
			     table_file[WHO_CGROUP]);
		return;
	}
	printf("# HELP enomem_stats_cgroup_failures_total Failed forks and mappings of the %d cgroups with the most, by reason (the module's per-cgroup table, which evicts the entry that failed longest ago when full).\n"
	       "# TYPE enomem_stats_cgroup_failures_total counter\n", top_n);
	for (i = 0; i < tab.nr_rows && i < top_n; i++) {
		for (j = 0; j < tab.rows[i].nr_entries; j++) {
			e = &tab.e[tab.rows[i].first_entry + j];
			printf("enomem_stats_cgroup_failures_total{cgroup=\"");
			prom_label(e->f[WE_KEY]);
			printf("\",reason=\"");
			prom_label(e->f[WE_REASON]);
			printf("\"} %llu\n", e->failures);
		}
	}
	printf("# HELP enomem_stats_cgroup_entries_evicted_total Entries evicted from the per-cgroup table because it was full.\n"
	       "# TYPE enomem_stats_cgroup_entries_evicted_total counter\n"
	       "enomem_stats_cgroup_entries_evicted_total %llu\n", tab.evicted);
	free_table(&tab);
}
