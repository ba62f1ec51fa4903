// SPDX-License-Identifier: GPL-2.0
/*
 * --diagnose --pid PID, per-process limits: its mappings against
 * vm.max_map_count, RLIMIT_NPROC against its real user's tasks (threads
 * included, as the kernel counts them), RLIMIT_AS against VmSize,
 * RLIMIT_DATA against VmData.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diagnose.h"

void check_map_count(const struct diag_ctx *ctx)
{
	int pid = ctx->pid;
	unsigned long long max, maps = 0;
	char path[PATH_MAX], what[200];
	char *buf, *p;

	if (read_u64(&max, "/proc/sys/vm/max_map_count")) {
		note_unreadable("max_map_count", "/proc/sys/vm/max_map_count");
		return;
	}
	if (pid <= 0) {
		snprintf(what, sizeof(what), "vm.max_map_count %llu (--pid PID compares a process's mappings)",
			 max);
		add_finding(SEV_OK, MAP_REASON(MR_MAX_MAP_COUNT), "max_map_count", 0, max,
			    what, NULL);
		return;
	}
	root_path(path, sizeof(path), "/proc/%d/maps", pid);
	buf = read_file(path, NULL);
	if (!buf) {
		snprintf(what, sizeof(what), "/proc/%d/maps", pid);
		note_unreadable("max_map_count", what);
		return;
	}
	for (p = buf; (p = strchr(p, '\n')); p++)
		maps++;
	free(buf);
	snprintf(what, sizeof(what), "pid %d has %llu of %llu mappings (vm.max_map_count, %u%%)",
		 pid, maps, max, pct(maps, max));
	add_finding(grade(maps, max, max), MAP_REASON(MR_MAX_MAP_COUNT), "max_map_count",
		    maps, max, what,
		    "new thread stacks fail with EAGAIN: raise vm.max_map_count or find the mapping leak");
}

/* "Max processes   4096   4096   processes": the soft limit column. */
static int limits_soft(const char *buf, const char *name, unsigned long long *out)
{
	const char *p = strstr(buf, name);
	char tok[32];

	if (!p || sscanf(p + strlen(name), " %31s", tok) != 1)
		return -1;
	if (!strcmp(tok, "unlimited")) {
		*out = UNLIMITED;
		return 0;
	}
	return parse_u64(tok, out) || !strcmp(tok, "max") ? -1 : 0;
}

/* "Uid:\t1000\t1000\t1000\t1000": the real uid, which RLIMIT_NPROC counts. */
static int status_uid(const char *status, unsigned long long *uid)
{
	return keyed_u64(status, "Uid:", uid);
}

static void uid_name(unsigned long long uid, char *buf, size_t len)
{
	char name[64];

	if (user_name(uid, name, sizeof(name)))
		snprintf(buf, len, "%s (uid %llu)", name, uid);
	else
		snprintf(buf, len, "uid %llu", uid);
}

/* Tasks (threads, as RLIMIT_NPROC counts them) whose real uid is uid. */
static unsigned long long count_user_tasks(unsigned long long uid)
{
	unsigned long long n = 0, u, threads;
	char path[PATH_MAX];
	struct dirent *de;
	char *st;
	DIR *d;

	root_path(path, sizeof(path), "/proc");
	d = opendir(path);
	if (!d)
		return 0;
	while ((de = readdir(d))) {
		if (!is_number(de->d_name))
			continue;
		root_path(path, sizeof(path), "/proc/%s/status", de->d_name);
		st = read_file(path, NULL);
		if (!st)
			continue;	/* gone meanwhile */
		if (!status_uid(st, &u) && u == uid)
			n += keyed_u64(st, "Threads:", &threads) ? 1 : threads;
		free(st);
	}
	closedir(d);
	return n;
}

/* A byte rlimit against a kB size of /proc/PID/status. */
struct rlimit_kb {
	int mr;			/* the mapping reason it refuses for */
	const char *check;
	const char *limit_row;	/* in /proc/PID/limits */
	const char *status_key;	/* in /proc/PID/status */
	const char *none_fmt;	/* pid */
	const char *unlimited_fmt;	/* pid, used kB */
	const char *used_fmt;	/* pid, used kB, limit kB, percent */
	const char *advice;
};

static const struct rlimit_kb rlimit_as = {
	MR_RLIMIT_AS, "rlimit_as", "Max address space", "VmSize:",
	"pid %d has no address space size to compare",
	"pid %d maps %llu kB; RLIMIT_AS is unlimited",
	"pid %d maps %llu of %llu kB (RLIMIT_AS, ulimit -v, %u%%)",
	"thread stacks and mmap fail with ENOMEM/EAGAIN: raise ulimit -v (LimitAS=)",
};

/*
 * The kernel compares data_vm (VmData: private writable mappings, brk and
 * stacks) plus the request with RLIMIT_DATA, for mmap, mprotect, mremap and
 * brk (since 4.7; brk only before).
 */
static const struct rlimit_kb rlimit_data = {
	MR_RLIMIT_DATA, "rlimit_data", "Max data size", "VmData:",
	"pid %d has no data size to compare",
	"pid %d has %llu kB of data (VmData); RLIMIT_DATA is unlimited",
	"pid %d has %llu of %llu kB of data (VmData; RLIMIT_DATA, ulimit -d, %u%%)",
	"malloc, thread stacks and private writable mmap fail with ENOMEM/EAGAIN (dmesg: \"VmData ... exceed data ulimit\"): raise ulimit -d (LimitDATA=)",
};

static void check_rlimit_kb(int pid, const char *limits, const char *status,
			    const struct rlimit_kb *r)
{
	unsigned long long lim, used;
	char what[320];

	if (limits_soft(limits, r->limit_row, &lim) ||
	    keyed_u64(status, r->status_key, &used)) {
		/* kernel threads have no VmSize, no VmData: nothing to compare */
		snprintf(what, sizeof(what), r->none_fmt, pid);
		add_finding(SEV_OK, -1, r->check, 0, UNLIMITED, what, NULL);
	} else if (lim == UNLIMITED) {
		snprintf(what, sizeof(what), r->unlimited_fmt, pid, used);
		add_finding(SEV_OK, MAP_REASON(r->mr), r->check, used, UNLIMITED,
			    what, NULL);
	} else {
		snprintf(what, sizeof(what), r->used_fmt, pid, used, lim / 1024,
			 pct(used, lim / 1024));
		add_finding(grade(used, lim / 1024, lim / 1024), MAP_REASON(r->mr),
			    r->check, used, lim / 1024, what, r->advice);
	}
}

void check_rlimits(const struct diag_ctx *ctx)
{
	int pid = ctx->pid;
	unsigned long long nproc, uid, tasks, cap = 0;
	char path[PATH_MAX], what[320], user[96];
	char *limits, *status, *p;

	if (pid <= 0) {
		add_finding(SEV_OK, R_NPROC, "nproc", 0, UNLIMITED,
			    "RLIMIT_NPROC, RLIMIT_AS and RLIMIT_DATA are per process: --pid PID checks them",
			    NULL);
		return;
	}
	root_path(path, sizeof(path), "/proc/%d/limits", pid);
	limits = read_file(path, NULL);
	if (!limits) {
		snprintf(what, sizeof(what), "/proc/%d/limits", pid);
		note_unreadable("nproc", what);
		return;
	}
	root_path(path, sizeof(path), "/proc/%d/status", pid);
	status = read_file(path, NULL);
	if (!status || status_uid(status, &uid) ||
	    limits_soft(limits, "Max processes", &nproc)) {
		snprintf(what, sizeof(what), "/proc/%d/status or limits", pid);
		if (status)
			errno = EINVAL;
		note_unreadable("nproc", what);
		free(limits);
		free(status);
		return;
	}
	uid_name(uid, user, sizeof(user));
	tasks = count_user_tasks(uid);
	/* CapEff: the kernel exempts CAP_SYS_ADMIN (21), CAP_SYS_RESOURCE (24) */
	p = strstr(status, "CapEff:");
	if (p)
		cap = strtoull(p + 7, NULL, 16);
	if (uid == 0 || (cap & (1ULL << 21 | 1ULL << 24))) {
		snprintf(what, sizeof(what), "%s has %llu task(s); RLIMIT_NPROC is not enforced for pid %d (root or CAP_SYS_ADMIN/CAP_SYS_RESOURCE)",
			 user, tasks, pid);
		add_finding(SEV_OK, R_NPROC, "nproc", tasks, UNLIMITED, what, NULL);
	} else if (nproc == UNLIMITED) {
		snprintf(what, sizeof(what), "%s has %llu task(s); RLIMIT_NPROC of pid %d is unlimited",
			 user, tasks, pid);
		add_finding(SEV_OK, R_NPROC, "nproc", tasks, UNLIMITED, what, NULL);
	} else {
		snprintf(what, sizeof(what), "%s has %llu of %llu tasks (RLIMIT_NPROC of pid %d, counting threads, %u%%)",
			 user, tasks, nproc, pid, pct(tasks, nproc));
		add_finding(grade(tasks, nproc, nproc), R_NPROC, "nproc", tasks, nproc,
			    what,
			    "raise ulimit -u (LimitNPROC=, nproc in /etc/security/limits.conf) or find the user's thread leak");
	}

	check_rlimit_kb(pid, limits, status, &rlimit_as);
	check_rlimit_kb(pid, limits, status, &rlimit_data);
	free(limits);
	free(status);
}
