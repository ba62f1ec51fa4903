// SPDX-License-Identifier: GPL-2.0
/*
 * --diagnose, system-wide limits: kernel.pid_max and kernel.threads-max
 * against the tasks in use, CommitLimit under overcommit mode 2, and swap.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diagnose.h"

#define RESERVED_PIDS	300	/* the kernel never reuses PIDs below this */

void check_pid_max(const struct diag_ctx *ctx)
{
	unsigned long long threads = ctx->threads;
	unsigned long long pid_max, hit_at;
	char what[160];

	if (read_u64(&pid_max, "/proc/sys/kernel/pid_max")) {
		note_unreadable("pid_max", "/proc/sys/kernel/pid_max");
		return;
	}
	if (!ctx->have_threads) {
		snprintf(what, sizeof(what), "kernel.pid_max %llu (thread count unknown)",
			 pid_max);
		add_finding(SEV_OK, R_PID_MAX, "pid_max", 0, pid_max, what, NULL);
		return;
	}
	/*
	 * After the first wrap PIDs below 300 are never handed out again, so
	 * only pid_max - 300 of them are sure to be there (pid_max 400 runs
	 * out at about 100 tasks).
	 */
	hit_at = pid_max > RESERVED_PIDS ? pid_max - RESERVED_PIDS : pid_max;
	snprintf(what, sizeof(what), "%llu of %llu PIDs in use (%u%%)", threads,
		 pid_max, pct(threads, pid_max));
	if (threads >= hit_at && threads < pid_max)
		appendf(what, sizeof(what), "; PIDs below %d are not reused, so %llu is the real ceiling",
			RESERVED_PIDS, hit_at);
	add_finding(grade(threads, hit_at, hit_at), R_PID_MAX, "pid_max", threads,
		    pid_max, what,
		    "raise kernel.pid_max or find the thread leak (ps -eLf | wc -l)");
}

void check_threads_max(const struct diag_ctx *ctx)
{
	unsigned long long threads = ctx->threads;
	unsigned long long max;
	char what[160];

	if (read_u64(&max, "/proc/sys/kernel/threads-max")) {
		note_unreadable("threads_max", "/proc/sys/kernel/threads-max");
		return;
	}
	if (!ctx->have_threads) {
		snprintf(what, sizeof(what), "kernel.threads-max %llu (thread count unknown)",
			 max);
		add_finding(SEV_OK, R_THREADS_MAX, "threads_max", 0, max, what, NULL);
		return;
	}
	snprintf(what, sizeof(what), "%llu of %llu threads (kernel.threads-max, %u%%)",
		 threads, max, pct(threads, max));
	add_finding(grade(threads, max, max), R_THREADS_MAX, "threads_max", threads,
		    max, what, "raise kernel.threads-max or find the thread leak");
}

void check_memory(const struct diag_ctx *ctx)
{
	unsigned long long mode, ratio = 0, kbytes = 0, limit, committed;
	unsigned long long swap_total, swap_free;
	char path[PATH_MAX], what[320];
	char *mi;
	enum sev sev;

	(void)ctx;
	root_path(path, sizeof(path), "/proc/meminfo");
	mi = read_file(path, NULL);
	if (!mi) {
		note_unreadable("commit", "/proc/meminfo");
		return;
	}
	if (read_u64(&mode, "/proc/sys/vm/overcommit_memory")) {
		note_unreadable("commit", "/proc/sys/vm/overcommit_memory");
		free(mi);
		return;
	}
	read_u64(&ratio, "/proc/sys/vm/overcommit_ratio");
	read_u64(&kbytes, "/proc/sys/vm/overcommit_kbytes");
	if (keyed_u64(mi, "CommitLimit:", &limit) ||
	    keyed_u64(mi, "Committed_AS:", &committed) ||
	    keyed_u64(mi, "SwapTotal:", &swap_total) ||
	    keyed_u64(mi, "SwapFree:", &swap_free)) {
		errno = EINVAL;
		note_unreadable("commit", "/proc/meminfo: CommitLimit, Committed_AS, SwapTotal or SwapFree");
		free(mi);
		return;
	}
	free(mi);

	if (mode == 2) {
		snprintf(what, sizeof(what),
			 "Committed_AS %llu kB of CommitLimit %llu kB (%u%%; vm.overcommit_memory=2, ",
			 committed, limit, pct(committed, limit));
		if (kbytes)
			appendf(what, sizeof(what), "overcommit_kbytes=%llu", kbytes);
		else
			appendf(what, sizeof(what), "overcommit_ratio=%llu", ratio);
		appendf(what, sizeof(what), ", swap %llu kB)", swap_total);
		add_finding(grade(committed, limit, limit), R_COMMIT, "commit",
			    committed, limit, what,
			    "raise vm.overcommit_ratio (or overcommit_kbytes), add swap, or find what commits memory");
	} else {
		snprintf(what, sizeof(what),
			 "vm.overcommit_memory=%llu (%s), Committed_AS %llu kB, CommitLimit %llu kB not enforced",
			 mode, mode == 1 ? "always overcommit" : "heuristic", committed,
			 limit);
		add_finding(SEV_OK, R_COMMIT, "commit", committed, UNLIMITED, what,
			    mode == 1 ? "mode 1 never refuses: was the mode different then?" :
			    "mode 0 refuses a fork bigger than free memory + swap on 3.10/4.19 kernels (e.g. a big Redis or JVM): add swap or memory, or use mode 1 knowing the OOM risk");
	}

	if (!swap_total) {
		add_finding(SEV_OK, -1, "swap", 0, UNLIMITED, "no swap configured", NULL);
		return;
	}
	snprintf(what, sizeof(what), "%llu of %llu kB swap used (%u%%)",
		 swap_total - swap_free, swap_total,
		 pct(swap_total - swap_free, swap_total));
	sev = grade(swap_total - swap_free, swap_total, swap_total);
	if (mode == 1 && sev == SEV_HIT)
		sev = SEV_NEAR;
	add_finding(sev, -1, "swap", swap_total - swap_free, swap_total, what,
		    "memory is short: the overcommit heuristic and kernel allocations (slab) have little left");
}
