// SPDX-License-Identifier: GPL-2.0
/*
 * --diagnose: run every check in the table below, rank what they found
 * (HIT, NEAR, PAST, ok; then the fullest; then the most failures) and print
 * it as text or JSON.  Exit 1 if a ceiling is hit or near.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <err.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "diagnose.h"

static const char *const sev_names[] = { "ok", "past", "near", "hit" };

struct finding {
	enum sev sev;
	int reason;			/* R_*, or -1 if no module reason */
	char check[24];
	unsigned long long used, limit;	/* limit UNLIMITED: none */
	unsigned long long failed;	/* the module's count for reason */
	int order;
	char text[640];
};

static struct finding *findings;
static int nr_findings, cap_findings;
static struct counters diag_cnt;
static int diag_have_cnt;

static unsigned long long failed_for(int reason)
{
	if (!diag_have_cnt || reason < 0)
		return 0;
	if (reason >= NR_REASONS)
		return diag_cnt.has_maps ?
		       diag_cnt.m[M_REASON_FIRST + reason - NR_REASONS] : 0;
	return diag_cnt.v[C_REASON_FIRST + reason];
}

static const char *reason_name(int reason)
{
	if (reason >= NR_REASONS)
		return map_counter_names[M_REASON_FIRST + reason - NR_REASONS];
	return counter_names[C_REASON_FIRST + reason];
}

/* Checked append to a finding's text; a long cgroup path is cut, not overrun. */
void appendf(char *buf, size_t len, const char *fmt, ...)
{
	size_t used = strlen(buf);
	va_list ap;
	int n;

	if (used + 1 >= len)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf + used, len - used, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= len - used)
		memcpy(buf + len - 4, "...", 4);
}

enum sev grade(unsigned long long used, unsigned long long limit,
	       unsigned long long hit_at)
{
	if (limit == UNLIMITED)
		return SEV_OK;
	if (used >= hit_at)
		return SEV_HIT;
	/* long double: used * 100 must not overflow for huge byte limits */
	if ((long double)used * 100 >= (long double)limit * NEAR_PCT)
		return SEV_NEAR;
	return SEV_OK;
}

unsigned int pct(unsigned long long used, unsigned long long limit)
{
	if (limit == UNLIMITED)
		return 0;
	if (used >= limit)
		return 100;
	return (unsigned int)((long double)used * 100 / limit);
}

/*
 * Record one checked item.  what is the state ("32701 of 32768 PIDs in
 * use"); advice is how to raise or find it, printed only when it matters.
 */
void add_finding(enum sev sev, int reason, const char *check,
		 unsigned long long used, unsigned long long limit,
		 const char *what, const char *advice)
{
	struct finding *f, *nf;
	unsigned long long n = failed_for(reason);

	if (nr_findings == cap_findings) {
		cap_findings = cap_findings ? cap_findings * 2 : 32;
		nf = realloc(findings, cap_findings * sizeof(*findings));
		if (!nf)
			err(EXIT_TROUBLE, "realloc");
		findings = nf;
	}
	f = &findings[nr_findings];
	memset(f, 0, sizeof(*f));
	f->order = nr_findings++;
	if (sev == SEV_OK && n)
		sev = SEV_PAST;
	f->sev = sev;
	f->reason = reason;
	f->used = used;
	f->limit = limit;
	f->failed = n;
	snprintf(f->check, sizeof(f->check), "%s", check);
	appendf(f->text, sizeof(f->text), "%s: %s", check, what);
	if (n && reason >= NR_REASONS)
		appendf(f->text, sizeof(f->text),
			"; %llu mapping call%s failed for this reason, %llu of them thread stacks (pthread_create EAGAIN)",
			n, n == 1 ? "" : "s",
			diag_cnt.m[M_STACK_REASON_FIRST + reason - NR_REASONS]);
	else if (n)
		appendf(f->text, sizeof(f->text), "; %llu fork%s failed for this reason",
			n, n == 1 ? "" : "s");
	if (reason >= NR_REASONS && diag_have_cnt && diag_cnt.has_maps &&
	    !map_reason_shown(&diag_cnt, reason - NR_REASONS))
		appendf(f->text, sizeof(f->text),
			"; this module has no %s counter (it counts those refusals as other)",
			map_reason_names[reason - NR_REASONS]);
	else if (reason >= NR_REASONS)
		map_watch_caveat(reason - NR_REASONS, n, f->text, sizeof(f->text));
	if (sev != SEV_OK && advice)
		appendf(f->text, sizeof(f->text), "; %s", advice);
}

int nr_findings_so_far(void)
{
	return nr_findings;
}

static int finding_cmp(const void *a, const void *b)
{
	const struct finding *x = a, *y = b;
	unsigned int px = pct(x->used, x->limit), py = pct(y->used, y->limit);

	if (x->sev != y->sev)
		return y->sev - x->sev;
	if (px != py)
		return py > px ? 1 : -1;
	if (x->failed != y->failed)
		return y->failed > x->failed ? 1 : -1;
	return x->order - y->order;
}

void note_unreadable(const char *check, const char *what)
{
	char text[PATH_MAX + 64];

	snprintf(text, sizeof(text), "cannot read %s%s (%s)", root, what,
		 strerror(errno));
	add_finding(SEV_OK, -1, check, 0, UNLIMITED, text, NULL);
}

/* Threads (kernel scheduling entities) in use: the 4th field of loadavg. */
static int nr_threads(unsigned long long *out)
{
	char path[PATH_MAX];
	char *buf, *slash;
	int ret = -1;

	root_path(path, sizeof(path), "/proc/loadavg");
	buf = read_file(path, NULL);
	if (!buf)
		return -1;
	slash = strchr(buf, '/');
	if (slash && isdigit((unsigned char)slash[1])) {
		*out = strtoull(slash + 1, NULL, 10);
		ret = 0;
	}
	free(buf);
	return ret;
}

/* Reasons the module counted that no state check speaks for. */
static void check_past_only(const struct diag_ctx *ctx)
{
	int r, i, covered;

	(void)ctx;
	for (r = 0; r < NR_REASONS; r++) {
		if (!failed_for(r))
			continue;
		covered = 0;
		for (i = 0; i < nr_findings; i++)
			if (findings[i].reason == r)
				covered = 1;
		if (!covered)
			add_finding(SEV_PAST, r, counter_names[C_REASON_FIRST + r], 0, UNLIMITED,
				    reasons[r].limit, reasons[r].hint);
	}
	for (r = 0; r < NR_MAP_REASONS; r++) {
		if (!failed_for(MAP_REASON(r)))
			continue;
		covered = 0;
		for (i = 0; i < nr_findings; i++)
			if (findings[i].reason == MAP_REASON(r))
				covered = 1;
		if (!covered)
			add_finding(SEV_PAST, MAP_REASON(r), reason_name(MAP_REASON(r)),
				    0, UNLIMITED, map_reasons[r].limit, map_reasons[r].hint);
	}
}


static void print_diagnosis_text(int loaded, int exit_code)
{
	int i, nhit = 0, nnear = 0, npast = 0, shown_ok = 0;

	for (i = 0; i < nr_findings; i++) {
		nhit += findings[i].sev == SEV_HIT;
		nnear += findings[i].sev == SEV_NEAR;
		npast += findings[i].sev == SEV_PAST;
	}
	if (loaded)
		printf("enomem_stats: %llu failed forks counted since load or reset\n",
		       diag_cnt.v[C_FORK_FAILED]);
	else
		printf("enomem_stats module not loaded (modprobe enomem_stats): diagnosing from system state only, past failures unknown\n");
	if (loaded && diag_cnt.has_maps && diag_cnt.m[M_FAILED])
		printf("enomem_stats: %llu failed memory mappings (%llu thread stacks) counted since load or reset\n",
		       diag_cnt.m[M_FAILED], diag_cnt.m[M_STACK_FAILED]);
	if (loaded && diag_cnt.has_maps)
		map_watch_print_notes();
	if (exit_code == 0)
		printf("No ceiling is hit or near (%d past failure reason%s).\n",
		       npast, npast == 1 ? "" : "s");
	else
		printf("%d ceiling%s hit, %d near, %d past failure reason%s.\n",
		       nhit, nhit == 1 ? "" : "s", nnear, npast, npast == 1 ? "" : "s");
	for (i = 0; i < nr_findings; i++) {
		if (findings[i].sev == SEV_OK && !shown_ok++)
			printf("\nChecked, fine:\n");
		if (findings[i].sev != SEV_OK && i == 0)
			putchar('\n');
		printf("%-5s %s\n", findings[i].sev == SEV_OK ? "ok" :
		       findings[i].sev == SEV_HIT ? "HIT" :
		       findings[i].sev == SEV_NEAR ? "NEAR" : "PAST",
		       findings[i].text);
	}
}

static void print_diagnosis_json(int loaded, int exit_code)
{
	const struct finding *f;
	int i;

	jw_object_open(NULL);
	jw_bool("module_loaded", loaded);
	jw_string("status", exit_code ? "limit" : "ok");
	if (loaded)
		jw_uint("fork_failed", diag_cnt.v[C_FORK_FAILED]);
	if (loaded && diag_cnt.has_maps) {
		jw_uint("map_failed", diag_cnt.m[M_FAILED]);
		if (maps_param() < 0)
			jw_null("maps_param");
		else
			jw_bool("maps_param", maps_param());
		map_watch_json();
	}
	jw_array_open("findings");
	for (i = 0; i < nr_findings; i++) {
		f = &findings[i];
		jw_object_open(NULL);
		jw_string("severity", sev_names[f->sev]);
		jw_string("check", f->check);
		if (f->reason >= 0)
			jw_string("reason", reason_name(f->reason));
		else
			jw_null("reason");
		jw_uint("used", f->used);
		if (f->limit == UNLIMITED)
			jw_null("limit");
		else
			jw_uint("limit", f->limit);
		jw_uint("failed", f->failed);
		jw_string("text", f->text);
		jw_object_close();
	}
	jw_array_close();
	jw_object_close();
}

/*
 * The checks, in the order their findings are listed when they rank
 * equal.  A new check is one function (see diagnose.h) and one row here.
 */
static void (*const checks[])(const struct diag_ctx *) = {
	check_pid_max,		/* kernel.pid_max against the tasks in use */
	check_threads_max,	/* kernel.threads-max, the same count */
	check_memory,		/* CommitLimit (overcommit mode 2), swap */
	check_map_count,	/* vm.max_map_count against --pid's maps */
	check_rlimits,		/* --pid's RLIMIT_NPROC and RLIMIT_AS */
	check_cgroups,		/* pids.max and memory limits */
	check_past_only,	/* last: counted reasons nothing above covers */
};

int diagnose(int pid, const char *cgroup, int json)
{
	struct diag_ctx ctx;
	char path[PATH_MAX];
	struct stat st;
	int ret, code = 0;
	size_t i;

	if (pid > 0) {
		root_path(path, sizeof(path), "/proc/%d", pid);
		if (stat(path, &st) < 0)
			errx(EXIT_TROUBLE, "no process %d (%s: %s)", pid, path,
			     strerror(errno));
	}
	ret = read_counters(&diag_cnt);
	diag_have_cnt = ret == CNT_OK;
	if (diag_have_cnt && diag_cnt.has_maps)
		map_watch_read();
	if (ret == CNT_BAD)
		warnx("continuing from system state only");

	memset(&ctx, 0, sizeof(ctx));
	ctx.pid = pid;
	ctx.cgroup = cgroup;
	ctx.have_threads = !nr_threads(&ctx.threads);
	ctx.v2base = cg2_base();
	for (i = 0; i < sizeof(checks) / sizeof(checks[0]); i++)
		checks[i](&ctx);

	qsort(findings, nr_findings, sizeof(*findings), finding_cmp);
	for (i = 0; i < (size_t)nr_findings; i++)
		if (findings[i].sev >= SEV_NEAR)
			code = EXIT_FINDING;
	if (json)
		print_diagnosis_json(diag_have_cnt, code);
	else
		print_diagnosis_text(diag_have_cnt, code);
	free(findings);
	return code;
}
