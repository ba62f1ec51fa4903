// SPDX-License-Identifier: GPL-2.0
/*
 * --diagnose: how the module watches each mapping reason on this kernel.
 * The probes file (debugfs, root only) has one line per reason,
 *
 *	watch max_map_count partial mmap:none mprotect:site mremap:site brk:site
 *
 * so that a 0 is taken as proof only where every call is watched.  A module
 * without these lines, or a reader who cannot open debugfs, falls back to
 * the maps= parameter: with maps=0 such a module counts commit refusals of
 * mapping calls only.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diagnose.h"

#define MAX_WATCHES	16	/* reasons; more lines than that are ignored */
#define MAX_CALLS	8	/* calls per line */

struct map_watch {
	char reason[24];
	char status[12];	/* all, partial, none */
	int nr_calls;
	char call[MAX_CALLS][12];
	char how[MAX_CALLS][12];	/* return, site, none */
};

static struct map_watch watches[MAX_WATCHES];
static int nr_watches;
static enum { W_UNREAD, W_LINES, W_NO_LINES, W_HIDDEN } watch_state;
static int watch_errno;		/* why W_HIDDEN */

/* What refused the call, for "mmap() refused by ... is not counted". */
static const char *const refused_by[NR_MAP_REASONS] = {
	[MR_MAX_MAP_COUNT] = "refused by vm.max_map_count",
	[MR_RLIMIT_AS] = "refused by RLIMIT_AS",
	[MR_RLIMIT_DATA] = "refused by RLIMIT_DATA",
	[MR_COMMIT] = "refused by the commit limit",
	[MR_MEMCG] = "refused by a memory cgroup",
	[MR_OTHER] = "refused for no named limit",
};

/*
 * The module's maps= parameter (sysfs shows a bool as Y or N), -1 if not
 * shown.
 */
int maps_param(void)
{
	char path[PATH_MAX], *buf;
	int on;

	root_path(path, sizeof(path), "/sys/module/enomem_stats/parameters/maps");
	buf = read_file(path, NULL);
	if (!buf)
		return -1;
	on = buf[0] == 'Y' || buf[0] == '1';
	free(buf);
	return on;
}

/* "watch REASON STATUS CALL:HOW...": 0 if it is one, -1 if malformed. */
static int parse_watch(char *line, struct map_watch *w)
{
	char *tok, *colon, *save;

	memset(w, 0, sizeof(*w));
	tok = strtok_r(line, " ", &save);
	if (!tok || strcmp(tok, "watch"))
		return -1;
	tok = strtok_r(NULL, " ", &save);
	if (!tok || strlen(tok) >= sizeof(w->reason))
		return -1;
	strcpy(w->reason, tok);
	tok = strtok_r(NULL, " ", &save);
	if (!tok || strlen(tok) >= sizeof(w->status))
		return -1;
	strcpy(w->status, tok);
	while ((tok = strtok_r(NULL, " ", &save)) && w->nr_calls < MAX_CALLS) {
		colon = strchr(tok, ':');
		if (!colon || colon == tok ||
		    (size_t)(colon - tok) >= sizeof(w->call[0]) ||
		    strlen(colon + 1) >= sizeof(w->how[0]) || !colon[1])
			return -1;
		*colon = '\0';
		strcpy(w->call[w->nr_calls], tok);
		strcpy(w->how[w->nr_calls], colon + 1);
		w->nr_calls++;
	}
	return 0;
}

void map_watch_read(void)
{
	char path[PATH_MAX];
	char *buf, *line, *next;

	root_path(path, sizeof(path), "/sys/kernel/debug/enomem_stats/probes");
	buf = read_file(path, NULL);
	if (!buf) {
		watch_state = W_HIDDEN;
		watch_errno = errno;
		return;
	}
	for (line = buf; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (strncmp(line, "watch ", 6) || nr_watches == MAX_WATCHES)
			continue;
		if (!parse_watch(line, &watches[nr_watches]))
			nr_watches++;
	}
	free(buf);
	watch_state = nr_watches ? W_LINES : W_NO_LINES;
}

static const struct map_watch *find_watch(const char *reason)
{
	int i;

	for (i = 0; i < nr_watches; i++)
		if (!strcmp(watches[i].reason, reason))
			return &watches[i];
	return NULL;
}

static const char *refusal(const char *reason)
{
	int r;

	for (r = 0; r < NR_MAP_REASONS; r++)
		if (!strcmp(reason, map_reason_names[r]))
			return refused_by[r];
	return NULL;
}

/*
 * "mmap(), mremap() and brk()": the calls of w watched as none (only those
 * that maps=1's return probes would watch, if maps1).  Returns how many.
 */
static int list_unwatched(const struct map_watch *w, int maps1, char *buf,
			  size_t len)
{
	int i, n = 0, total = 0;

	for (i = 0; i < w->nr_calls; i++)
		total += !strcmp(w->how[i], "none") &&
			 (!maps1 || strcmp(w->call[i], "brk"));
	buf[0] = '\0';
	for (i = 0; i < w->nr_calls; i++) {
		if (strcmp(w->how[i], "none") || (maps1 && !strcmp(w->call[i], "brk")))
			continue;
		n++;
		appendf(buf, len, "%s%s()", n == 1 ? "" : n == total ? " and " : ", ",
			w->call[i]);
	}
	return n;
}

/*
 * For a finding of mapping reason mr: append to text why its count may
 * miss refusals on this kernel (failed: what the module counted).
 */
void map_watch_caveat(int mr, unsigned long long failed, char *text, size_t len)
{
	const struct map_watch *w;
	char calls[96];
	int n;

	if (watch_state == W_LINES) {
		w = find_watch(map_reason_names[mr]);
		if (!w || !strcmp(w->status, "all"))
			return;
		n = list_unwatched(w, 0, calls, sizeof(calls));
		if (!n)
			snprintf(calls, sizeof(calls), "a call");
		appendf(text, len, "; %s%s %s %s not counted on this kernel",
			failed ? "" : "0 counted, but ", calls, refused_by[mr],
			n > 1 ? "are" : "is");
	} else if (watch_state != W_UNREAD && mr != MR_COMMIT && maps_param() == 0) {
		appendf(text, len, "; %swith maps=0 a mapping call %s may go uncounted",
			failed ? "" : "0 counted, but ", refused_by[mr]);
	}
}

/* One line per reason that is not watched for every call. */
static void print_watch_note(const struct map_watch *w, int maps)
{
	char calls[96], fixable[96];
	const char *by = refusal(w->reason);
	int n;

	n = list_unwatched(w, 0, calls, sizeof(calls));
	printf("enomem_stats: %s: ", w->reason);
	if (!n) {
		/* a status this reader does not know how to split by call */
		printf("not every mapping call is watched on this kernel (%s), so a 0 for %s proves nothing\n",
		       w->status, w->reason);
		return;
	}
	if (by)
		printf("%s %s", calls, by);
	else
		printf("%s refused for %s", calls, w->reason);
	printf(" %s not counted on this kernel (%s), so a 0 for %s proves nothing%s",
	       n > 1 ? "are" : "is",
	       maps == 1 ? "no failure-only site and no return probe" : "no failure-only site",
	       w->reason,
	       strcmp(w->status, "none") ? n > 1 ? " about those calls" : " about that call" : "");
	/*
	 * maps=1's return probes watch mmap, mprotect and mremap, not brk,
	 * and a commit refusal only ever through the commit check's site
	 */
	if (maps == 0 && strcmp(w->reason, "commit") &&
	    list_unwatched(w, 1, fixable, sizeof(fixable)))
		printf("; load with maps=1 to count %s (it costs every mmap)",
		       strcmp(fixable, calls) ? fixable : n > 1 ? "them" : "it");
	putchar('\n');
}

void map_watch_print_notes(void)
{
	int i, maps = maps_param();

	if (watch_state == W_LINES) {
		for (i = 0; i < nr_watches; i++)
			if (strcmp(watches[i].status, "all"))
				print_watch_note(&watches[i], maps);
		return;
	}
	if (maps != 0)
		return;
	if (watch_state == W_NO_LINES)
		printf("enomem_stats: loaded with maps=0: a failed mmap/mprotect/brk/mremap is counted only when the commit limit refused it; count max_map_count, RLIMIT_AS and memcg refusals with maps=1 (it costs every mmap, see README)\n");
	else if (watch_state == W_HIDDEN)
		printf("enomem_stats: loaded with maps=0, and how this kernel watches each mapping reason is not readable (/sys/kernel/debug/enomem_stats/probes: %s; root only): a 0 for max_map_count, RLIMIT_AS or memcg may prove nothing; maps=1 counts them (it costs every mmap, see README)\n",
		       strerror(watch_errno));
}

/* "map_watch": {"REASON": {"status": ..., "calls": {"CALL": HOW}}}, or null */
void map_watch_json(void)
{
	int i, c;

	if (watch_state != W_LINES) {
		jw_null("map_watch");
		return;
	}
	jw_object_open("map_watch");
	for (i = 0; i < nr_watches; i++) {
		jw_object_open(watches[i].reason);
		jw_string("status", watches[i].status);
		jw_object_open("calls");
		for (c = 0; c < watches[i].nr_calls; c++)
			jw_string(watches[i].call[c], watches[i].how[c]);
		jw_object_close();
		jw_object_close();
	}
	jw_object_close();
}
