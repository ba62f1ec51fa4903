// SPDX-License-Identifier: GPL-2.0
/*
 * The cost design, checked by counting instead of timing: a task creation
 * that succeeds passes no probe but the fork entry's.  Every other per-fork
 * probe sits where only a failure passes (module/sites.c), and the debugfs
 * "probes" file counts each probe's hits, so the hits of succeeding forks
 * show whether that holds on the running kernel.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include "ktap.h"
#include "tests.h"
#include "util.h"

#define COST_PROBES_MAX 32
#define COST_ROUNDS 20

struct probe_line {
	char symbol[128];
	char role[64];
	unsigned long hits;
};

/*
 * The registered probes of the fork path: "symbol status error hits
 * nmissed role"; the mapping probes (maps=1, "map(...)") are not per-fork.
 */
static int read_probes(struct probe_line *p, int max)
{
	static char buf[16384];
	char status[32], *line, *save = NULL;
	int n = 0, err;

	if (read_file(DEBUGFS_DIR "/probes", buf, sizeof(buf)) < 0)
		return -1;
	for (line = strtok_r(buf, "\n", &save); line && n < max;
	     line = strtok_r(NULL, "\n", &save)) {
		unsigned long missed;

		if (line[0] == '#' ||
		    sscanf(line, "%127s %31s %d %lu %lu %63s", p[n].symbol, status,
			   &err, &p[n].hits, &missed, p[n].role) != 6)
			continue;
		if (!strcmp(status, "registered") && strncmp(p[n].role, "map(", 4))
			n++;
	}
	return n;
}

void test_success_path_probes(void)
{
	static const enum kind kinds[] = { K_FORK, K_VFORK, K_CLONE3, K_THREAD, K_PTHREAD };
	struct probe_line before[COST_PROBES_MAX], after[COST_PROBES_MAX];
	const char *name = "success_path_passes_fork_entry_only";
	int nb, na, i, r, sites, created = 0, ok = 1;
	unsigned int k;

	nb = read_probes(before, COST_PROBES_MAX);
	if (nb <= 0) {
		ktap_diag("cannot read %s/probes", DEBUGFS_DIR);
		ktap_result(0, name);
		return;
	}
	/* without all three sites the module falls back to per-fork probes */
	for (i = 0, sites = 0; i < nb; i++)
		sites += !strcmp(before[i].role, "cgroup_pids(failure-only)") ||
			 !strcmp(before[i].role, "nproc(failure-only)") ||
			 !strcmp(before[i].role, "pid_max,pidns_dead(failure-only)");
	if (sites != 3) {
		ktap_skip(name, "a failure-only site was not found in this kernel's code: its forks pass stage markers");
		return;
	}
	for (r = 0; r < COST_ROUNDS; r++)
		for (k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
			int err;

			if (!kind_supported(kinds[k]))
				continue;
			err = kind_attempt(kinds[k]);
			if (err) {
				ktap_diag("%s failed: %s", kind_names[kinds[k]], strerror(err));
				ok = 0;
			} else {
				created++;
			}
		}
	na = read_probes(after, COST_PROBES_MAX);
	if (na != nb) {
		ktap_diag("the probes file changed: %d registered probes, then %d", nb, na);
		ktap_result(0, name);
		return;
	}
	for (i = 0; i < nb; i++) {
		unsigned long d = after[i].hits - before[i].hits;

		/*
		 * The fork entry: a kretprobe, or a pair of probes around
		 * copy_process(), or its entry probe plus the tracepoint of a
		 * fork that succeeded (the return probe then is failure-only,
		 * and must not be hit here).
		 */
		if (!strcmp(before[i].role, "fork-entry") ||
		    !strcmp(before[i].role, "fork-return") ||
		    !strcmp(before[i].role, "fork-success(tracepoint)")) {
			/* the counting itself must be seen, or nothing is proven */
			if (d < (unsigned long)created) {
				ktap_diag("%s hit %lu times for %d creations",
					  before[i].role, d, created);
				ok = 0;
			}
		} else if (d) {
			ktap_diag("%s (%s) hit %lu times by %d succeeding creations",
				  before[i].symbol, before[i].role, d, created);
			ok = 0;
		}
	}
	/* which probes the kernel optimized or runs through ftrace */
	ktap_diag_file("kprobes", "/sys/kernel/debug/kprobes/list");
	ktap_result(ok && created > 0, name);
}
