// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/enomem_stats: the names of its counters, what each reason means,
 * reading and validating the file, and --reset.
 */
#define _GNU_SOURCE
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "enomemstat.h"

const char proc_stats[] = "/proc/enomem_stats";

const char *const counter_names[NR_COUNTERS] = {
	"fork_failed", "fork_enomem", "fork_eagain", "fork_other",
	"pid_max", "pidns_dead", "commit", "cgroup_pids", "nproc",
	"threads_max", "memcg", "slab", "other", "unknown",
	"missed",
};

const struct reason_info reasons[NR_REASONS] = {
	[R_PID_MAX] = { "pidmax", "PID numbers exhausted (kernel.pid_max)",
		"count threads with ps -eLf | wc -l; raise sysctl kernel.pid_max (up to 4194304) or find the thread leak" },
	[R_PIDNS_DEAD] = { "pidns", "the PID namespace's init has exited",
		"a container whose init died, or unshare -p without --fork; restart the container" },
	[R_COMMIT] = { "commit", "commit refused (vm.overcommit_memory, CommitLimit)",
		"compare Committed_AS with CommitLimit in /proc/meminfo; raise vm.overcommit_ratio or add swap" },
	[R_CGROUP_PIDS] = { "cgpids", "cgroup pids.max (systemd TasksMax=)",
		"find the cgroup with enomemstat --events or --diagnose; raise pids.max or TasksMax=" },
	[R_NPROC] = { "nproc", "RLIMIT_NPROC (ulimit -u, systemd LimitNPROC=)",
		"it counts every thread of the user: ps -L -u USER | wc -l; raise nproc in limits.conf or LimitNPROC=" },
	[R_THREADS_MAX] = { "thrmax", "kernel.threads-max",
		"compare with the thread count (ps -eLf | wc -l); raise sysctl kernel.threads-max" },
	[R_MEMCG] = { "memcg", "a memory cgroup limit (memory.max, memory.limit_in_bytes)",
		"find the cgroup with enomemstat --events; raise memory.max or MemoryMax= (3.10: memory.kmem.limit_in_bytes)" },
	[R_SLAB] = { "slab", "kernel memory allocation failed",
		"real memory pressure or fragmentation: look for page allocation failures in dmesg, /proc/buddyinfo" },
	[R_OTHER] = { "other", "another errno (EINVAL, EPERM, ...), not a resource limit",
		"a bad clone flag, seccomp or an LSM, or a namespace limit; enomemstat --events shows the errno" },
	[R_UNKNOWN] = { "unkn", "ENOMEM/EAGAIN the module could not attribute",
		"/sys/kernel/debug/enomem_stats/probes shows which probes failed to register" },
};
/* In the enum's order, which is not the file's: the file is parsed by name. */
const char *const map_counter_names[NR_MAP_COUNTERS] = {
	"map_failed", "map_max_map_count", "map_rlimit_as", "map_rlimit_data",
	"map_commit", "map_memcg", "map_other",
	"map_stack_failed", "map_stack_max_map_count", "map_stack_rlimit_as",
	"map_stack_rlimit_data", "map_stack_commit", "map_stack_memcg",
	"map_stack_other",
	"map_missed",
};

const char *const map_reason_names[NR_MAP_REASONS] = {
	"max_map_count", "rlimit_as", "rlimit_data", "commit", "memcg", "other",
};

const struct reason_info map_reasons[NR_MAP_REASONS] = {
	[MR_MAX_MAP_COUNT] = { "maxmap", "vm.max_map_count (mappings per process)",
		"count the process's lines in /proc/PID/maps; raise sysctl vm.max_map_count or find the mapping (thread) leak" },
	[MR_RLIMIT_AS] = { "as", "RLIMIT_AS (ulimit -v, systemd LimitAS=)",
		"compare VmSize in /proc/PID/status with Max address space in /proc/PID/limits; raise ulimit -v or use smaller thread stacks (ulimit -s)" },
	[MR_RLIMIT_DATA] = { "data", "RLIMIT_DATA (ulimit -d, systemd LimitDATA=)",
		"compare VmData in /proc/PID/status with Max data size in /proc/PID/limits; the kernel logs \"VmData ... exceed data ulimit\" in dmesg; raise ulimit -d or LimitDATA=" },
	[MR_COMMIT] = { "mcommit", "commit refused (vm.overcommit_memory, CommitLimit)",
		"compare Committed_AS with CommitLimit in /proc/meminfo; each thread stack commits ulimit -s; raise vm.overcommit_ratio or add swap" },
	[MR_MEMCG] = { "mmemcg", "a memory cgroup limit (memory.max)",
		"find the cgroup with enomemstat --events; raise memory.max or MemoryMax=" },
	[MR_OTHER] = { "mother", "ENOMEM with no named limit (address space full, allocation failure; RLIMIT_DATA where the module has no rlimit_data line)",
		"enomemstat --events shows the call; a 32-bit-sized address space, or RLIMIT_DATA (ulimit -d) on an older module" },
};

/* rlimit_data's lines, which a module from before them does not print */
static int map_optional(int i)
{
	return i == M_REASON_FIRST + MR_RLIMIT_DATA ||
	       i == M_STACK_REASON_FIRST + MR_RLIMIT_DATA;
}

int map_reason_shown(const struct counters *c, int r)
{
	return c->has_maps && (r != MR_RLIMIT_DATA || c->has_rlimit_data);
}

void explain_absent(void)
{
	warnx("the enomem_stats module is not loaded (%s%s does not exist); load it with: modprobe enomem_stats",
	      root, proc_stats);
}

/*
 * Parse by name and ignore names we do not know: the file only ever grows.
 * Anything else that is not "name value\n" is reported, never guessed at.
 */
static int parse_counters(const char *path, char *buf, size_t len,
			  struct counters *c)
{
	int seen[NR_COUNTERS], mseen = 0;
	char *line, *next, *sp;
	unsigned long long v;
	int i, lineno = 0;

	memset(seen, 0, sizeof(seen));
	memset(c, 0, sizeof(*c));
	if (len == 0) {
		warnx("%s is empty", path);
		return CNT_BAD;
	}
	if (strlen(buf) != len) {
		warnx("%s: malformed (contains a NUL byte)", path);
		return CNT_BAD;
	}
	if (buf[len - 1] != '\n') {
		warnx("%s is truncated (last line has no newline)", path);
		return CNT_BAD;
	}
	for (line = buf; *line; line = next) {
		next = strchr(line, '\n');
		*next++ = '\0';
		lineno++;
		sp = strchr(line, ' ');
		if (!sp || sp == line || parse_u64(sp + 1, &v) ||
		    !strcmp(sp + 1, "max")) {
			warnx("%s:%d: malformed line '%.60s' (expected 'name value')",
			      path, lineno, line);
			return CNT_BAD;
		}
		*sp = '\0';
		for (i = 0; i < NR_COUNTERS; i++) {
			if (!strcmp(line, counter_names[i])) {
				c->v[i] = v;
				seen[i] = 1;
				break;
			}
		}
		for (i = 0; i < NR_MAP_COUNTERS; i++) {
			if (!strcmp(line, map_counter_names[i])) {
				c->m[i] = v;
				mseen |= 1 << i;
				break;
			}
		}
	}
	/*
	 * All of the mapping counters, or none (a module from before them);
	 * rlimit_data's pair both or neither (a module from before it).
	 */
	c->has_maps = mseen != 0;
	c->has_rlimit_data = (mseen & (1 << (M_REASON_FIRST + MR_RLIMIT_DATA))) ||
			     (mseen & (1 << (M_STACK_REASON_FIRST + MR_RLIMIT_DATA)));
	for (i = 0; mseen && i < NR_MAP_COUNTERS; i++) {
		if (mseen & (1 << i) || (map_optional(i) && !c->has_rlimit_data))
			continue;
		warnx("%s is truncated or malformed: '%s' is missing", path,
		      map_counter_names[i]);
		return CNT_BAD;
	}
	for (i = 0; i < NR_COUNTERS; i++) {
		if (!seen[i]) {
			warnx("%s is truncated or malformed: '%s' is missing",
			      path, counter_names[i]);
			return CNT_BAD;
		}
	}
	return CNT_OK;
}

int read_counters(struct counters *c)
{
	unsigned long long sum = 0;
	char path[PATH_MAX];
	size_t len;
	char *buf;
	int i, ret;

	root_path(path, sizeof(path), "%s", proc_stats);
	buf = read_file(path, &len);
	if (!buf) {
		if (errno == ENOENT) {
			explain_absent();
			return CNT_ABSENT;
		}
		if (errno == EACCES || errno == EPERM)
			warnx("%s: permission denied", path);
		else
			warn("%s", path);
		return CNT_BAD;
	}
	ret = parse_counters(path, buf, len, c);
	free(buf);
	if (ret != CNT_OK)
		return ret;
	for (i = 0; i < NR_REASONS; i++)
		sum += c->v[C_REASON_FIRST + i];
	if (sum != c->v[C_FORK_FAILED] ||
	    c->v[C_FORK_ENOMEM] + c->v[C_FORK_EAGAIN] + c->v[C_FORK_OTHER] !=
	    c->v[C_FORK_FAILED])
		warnx("%s: the counters do not add up to fork_failed (module bug?)",
		      path);
	for (sum = 0, i = 0; c->has_maps && i < NR_MAP_REASONS; i++)
		sum += c->m[M_REASON_FIRST + i];
	if (c->has_maps && sum != c->m[M_FAILED])
		warnx("%s: the counters do not add up to map_failed (module bug?)",
		      path);
	for (sum = 0, i = 0; c->has_maps && i < NR_MAP_REASONS; i++)
		sum += c->m[M_STACK_REASON_FIRST + i];
	if (c->has_maps && sum != c->m[M_STACK_FAILED])
		warnx("%s: the counters do not add up to map_stack_failed (module bug?)",
		      path);
	return CNT_OK;
}

int do_reset(void)
{
	static const char msg[] = "reset\n";
	char path[PATH_MAX];
	ssize_t n;
	int fd;

	root_path(path, sizeof(path), "%s", proc_stats);
	/* no O_TRUNC: proc ignores it, and a fixture file must keep its size */
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT) {
			explain_absent();
			return EXIT_TROUBLE;
		}
		if (errno == EACCES || errno == EPERM) {
			warnx("%s: permission denied: --reset needs root (CAP_SYS_ADMIN)",
			      path);
			return EXIT_TROUBLE;
		}
		warn("%s", path);
		return EXIT_TROUBLE;
	}
	n = write(fd, msg, sizeof(msg) - 1);
	if (n != (ssize_t)(sizeof(msg) - 1)) {
		if (n < 0 && errno == EPERM)
			warnx("%s: permission denied: --reset needs CAP_SYS_ADMIN",
			      path);
		else if (n < 0)
			warn("%s: reset refused", path);
		else
			warnx("%s: short write", path);
		close(fd);
		return EXIT_TROUBLE;
	}
	if (close(fd) < 0) {
		warn("%s", path);
		return EXIT_TROUBLE;
	}
	printf("enomem_stats counters reset\n");
	return 0;
}
