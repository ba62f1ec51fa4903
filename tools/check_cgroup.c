// SPDX-License-Identifier: GPL-2.0
/*
 * --diagnose, cgroup limits: pids.current against pids.max and memory
 * usage against its limit, v2 and v1, for a cgroup and each ancestor (any
 * of them at its limit refuses the fork), or a scan of every pids limit.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "diagnose.h"

/* Where the cgroup hierarchies are mounted, relative to root. */
const char *cg2_base(void)
{
	struct stat st;
	char path[PATH_MAX];

	root_path(path, sizeof(path), "/sys/fs/cgroup/cgroup.controllers");
	if (!stat(path, &st))
		return "/sys/fs/cgroup";
	root_path(path, sizeof(path), "/sys/fs/cgroup/unified/cgroup.controllers");
	if (!stat(path, &st))
		return "/sys/fs/cgroup/unified";	/* systemd's hybrid layout */
	return NULL;
}

static int cgroups_checked;

/*
 * One cgroup's pids.current against pids.max.  Returns the severity (-1:
 * no pids controller there) and records a finding for anything but "ok",
 * or always if report_ok.  *best/fullest track the fullest level seen.
 */
static int check_pids_dir(const char *base, const char *cg, int v1,
			  int report_ok, unsigned int *best, char *fullest)
{
	unsigned long long max, cur, events = 0;
	char path[PATH_MAX], what[PATH_MAX + 200];
	const char *p = strcmp(cg, "/") ? cg : "";
	char *ev;
	enum sev sev;

	if (read_u64(&max, "%s%s/pids.max", base, p) ||
	    read_u64(&cur, "%s%s/pids.current", base, p))
		return -1;	/* no pids controller here (e.g. the root) */
	cgroups_checked++;
	if (best && (!fullest[0] || pct(cur, max) > *best)) {
		*best = pct(cur, max);
		snprintf(fullest, PATH_MAX, "%s", cg);
	}
	/* v2 counts refusals at the cgroup whose limit was hit (v1: no file) */
	root_path(path, sizeof(path), "%s%s/pids.events", base, p);
	ev = read_file(path, NULL);
	if (ev) {
		keyed_u64(ev, "max", &events);
		free(ev);
	}
	sev = grade(cur, max, max);
	if (sev == SEV_OK && events)
		sev = SEV_PAST;
	if (sev == SEV_OK && !report_ok)
		return sev;
	if (max == UNLIMITED)
		snprintf(what, sizeof(what), "%s%s: %llu task(s), pids.max is max",
			 cg, v1 ? " (v1)" : "", cur);
	else
		snprintf(what, sizeof(what), "%s%s: %llu of %llu tasks (pids.max, %u%%)",
			 cg, v1 ? " (v1)" : "", cur, max, pct(cur, max));
	if (events)
		appendf(what, sizeof(what), "; pids.events: it refused %llu fork%s",
			events, events == 1 ? "" : "s");
	add_finding(sev, R_CGROUP_PIDS, "cgroup_pids", cur, max, what,
		    "raise pids.max (systemd: TasksMax=, DefaultTasksMax=) or find the task leak in that cgroup");
	return sev;
}

static void check_memcg_dir(const char *base, const char *cg, int v1)
{
	unsigned long long max, cur, oom = 0;
	char path[PATH_MAX], what[PATH_MAX + 200];
	const char *p = strcmp(cg, "/") ? cg : "";
	char *ev;

	if (v1) {
		if (read_u64(&max, "%s%s/memory.limit_in_bytes", base, p) ||
		    read_u64(&cur, "%s%s/memory.usage_in_bytes", base, p))
			return;
		/* v1 spells "no limit" as a huge page-aligned number */
		if (max >= (1ULL << 62))
			max = UNLIMITED;
	} else if (read_u64(&max, "%s%s/memory.max", base, p) ||
		   read_u64(&cur, "%s%s/memory.current", base, p)) {
		return;
	}
	if (max == UNLIMITED)
		return;
	root_path(path, sizeof(path), "%s%s/memory.events", base, p);
	ev = read_file(path, NULL);
	if (ev) {
		keyed_u64(ev, "oom", &oom);
		free(ev);
	}
	snprintf(what, sizeof(what), "%s%s: %llu of %llu bytes (%s, %u%%)", cg,
		 v1 ? " (v1)" : "", cur, max,
		 v1 ? "memory.limit_in_bytes" : "memory.max", pct(cur, max));
	if (oom)
		appendf(what, sizeof(what), "; memory.events oom %llu", oom);
	add_finding(grade(cur, max, max), R_MEMCG, "memcg", cur, max, what,
		    v1 ? "raise memory.limit_in_bytes (systemd: MemoryLimit=); usage includes page cache, so check memory.failcnt too" :
		    "raise memory.max (systemd: MemoryMax=); usage includes page cache, so check memory.events too");
}

/*
 * Check cg and each ancestor: any of them at its limit refuses the fork.
 * When none is, report the fullest level, so the output says what was read.
 */
static void check_cgroup_chain(const char *base, const char *cg, int v1,
			       int pids, int memory)
{
	char walk[PATH_MAX], fullest[PATH_MAX];
	unsigned int best = 0;
	int sev, worst = -1;
	char *slash;

	fullest[0] = '\0';
	snprintf(walk, sizeof(walk), "%s", cg);
	for (;;) {
		if (pids) {
			sev = check_pids_dir(base, walk, v1, 0, &best, fullest);
			if (sev > worst)
				worst = sev;
		}
		if (memory)
			check_memcg_dir(base, walk, v1);
		if (!strcmp(walk, "/"))
			break;
		slash = strrchr(walk, '/');
		if (slash == walk)
			slash[1] = '\0';
		else
			*slash = '\0';
	}
	if (!pids || worst > SEV_OK)
		return;
	if (worst == SEV_OK) {
		check_pids_dir(base, fullest, v1, 1, NULL, NULL);
	} else {
		snprintf(walk, sizeof(walk), "%s%s: no pids.max on its path", cg,
			 v1 ? " (v1)" : "");
		add_finding(SEV_OK, R_CGROUP_PIDS, "cgroup_pids", 0, UNLIMITED,
			    walk, NULL);
	}
}

/* "0::/path" (v2) and "N:a,pids,b:/path" (v1) lines of /proc/PID/cgroup. */
static void check_pid_cgroups(int pid, const char *v2base)
{
	char path[PATH_MAX], what[64];
	char *buf, *line, *next, *ctrl, *cg;
	int found = 0, v1pids;

	root_path(path, sizeof(path), "/proc/%d/cgroup", pid);
	buf = read_file(path, NULL);
	if (!buf) {
		snprintf(what, sizeof(what), "/proc/%d/cgroup", pid);
		note_unreadable("cgroup_pids", what);
		return;
	}
	for (line = buf; *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		else
			next = line + strlen(line);
		ctrl = strchr(line, ':');
		cg = ctrl ? strchr(ctrl + 1, ':') : NULL;
		if (!cg || cg[1] != '/')
			continue;
		*cg++ = '\0';
		*ctrl++ = '\0';
		if (!strcmp(line, "0") && !*ctrl) {
			if (v2base) {
				check_cgroup_chain(v2base, cg, 0, 1, 1);
				found = 1;
			}
			continue;
		}
		v1pids = !strcmp(ctrl, "pids") || strstr(ctrl, ",pids") ||
			 !strncmp(ctrl, "pids,", 5);
		if (v1pids) {
			check_cgroup_chain("/sys/fs/cgroup/pids", cg, 1, 1, 0);
			found = 1;
		} else if (!strcmp(ctrl, "memory")) {
			check_cgroup_chain("/sys/fs/cgroup/memory", cg, 1, 0, 1);
		}
	}
	free(buf);
	if (!found)
		add_finding(SEV_OK, R_CGROUP_PIDS, "cgroup_pids", 0, UNLIMITED,
			    "no pids controller for this process", NULL);
}

static void check_named_cgroup(const char *cg, const char *v2base)
{
	char path[PATH_MAX];
	struct stat st;
	int found = 0;

	if (v2base) {
		root_path(path, sizeof(path), "%s%s", v2base, cg);
		if (!stat(path, &st) && S_ISDIR(st.st_mode)) {
			check_cgroup_chain(v2base, cg, 0, 1, 1);
			found = 1;
		}
	}
	root_path(path, sizeof(path), "/sys/fs/cgroup/pids%s", cg);
	if (!stat(path, &st) && S_ISDIR(st.st_mode)) {
		check_cgroup_chain("/sys/fs/cgroup/pids", cg, 1, 1, 0);
		found = 1;
	}
	root_path(path, sizeof(path), "/sys/fs/cgroup/memory%s", cg);
	if (!stat(path, &st) && S_ISDIR(st.st_mode)) {
		check_cgroup_chain("/sys/fs/cgroup/memory", cg, 1, 0, 1);
		found = 1;
	}
	if (!found)
		errx(EXIT_TROUBLE, "no cgroup %s under %s/sys/fs/cgroup (v2, pids or memory)",
		     cg, root);
}

/* Without --pid/--cgroup: every cgroup with a pids limit, reporting the full ones. */
static void scan_pids(const char *base, const char *cg, int v1, int depth)
{
	char path[PATH_MAX], sub[PATH_MAX];
	struct dirent *de;
	struct stat st;
	DIR *d;
	int n;

	check_pids_dir(base, cg, v1, 0, NULL, NULL);
	if (depth > 32)
		return;
	root_path(path, sizeof(path), "%s%s", base, strcmp(cg, "/") ? cg : "");
	d = opendir(path);
	if (!d)
		return;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.' ||
		    (de->d_type != DT_DIR && de->d_type != DT_UNKNOWN))
			continue;
		n = snprintf(sub, sizeof(sub), "%s/%s", strcmp(cg, "/") ? cg : "",
			     de->d_name);
		if (n < 0 || (size_t)n >= sizeof(sub))
			continue;
		/* some filesystems do not fill d_type: ask, without following links */
		if (de->d_type == DT_UNKNOWN) {
			root_path(path, sizeof(path), "%s%s", base, sub);
			if (lstat(path, &st) < 0 || !S_ISDIR(st.st_mode))
				continue;
		}
		scan_pids(base, sub, v1, depth + 1);
	}
	closedir(d);
}

static void check_all_cgroups(const char *v2base)
{
	char path[PATH_MAX], what[160];
	struct stat st;
	int n = nr_findings_so_far();

	cgroups_checked = 0;
	if (v2base)
		scan_pids(v2base, "/", 0, 0);
	root_path(path, sizeof(path), "/sys/fs/cgroup/pids");
	if (!stat(path, &st) && S_ISDIR(st.st_mode))
		scan_pids("/sys/fs/cgroup/pids", "/", 1, 0);
	if (nr_findings_so_far() == n) {
		snprintf(what, sizeof(what), "%d cgroups with pids.max checked, none near it (--pid or --cgroup for one)",
			 cgroups_checked);
		add_finding(SEV_OK, R_CGROUP_PIDS, "cgroup_pids", 0, UNLIMITED, what, NULL);
	}
}

/* --pid: its cgroups; --cgroup: that one; neither: every pids limit. */
void check_cgroups(const struct diag_ctx *ctx)
{
	if (ctx->pid > 0)
		check_pid_cgroups(ctx->pid, ctx->v2base);
	if (ctx->cgroup)
		check_named_cgroup(ctx->cgroup, ctx->v2base);
	if (ctx->pid <= 0 && !ctx->cgroup)
		check_all_cgroups(ctx->v2base);
}
