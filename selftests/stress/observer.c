// SPDX-License-Identifier: GPL-2.0
/*
 * The observer property under load: the same workload (storms and every
 * failer) without and with the module must end the same, fork by fork
 * kind and errno, and the module must count each failure for its reason.
 */
#include "stress.h"

#define OBS_STORM 150
#define OBS_FAIL 40

struct obs_run {
	struct tally t[6];	/* storm x2, pids, nproc, pidns, commit+badclone */
	int setup_ok;
};

static void observer_workload(struct obs_run *run)
{
	pid_t pids[5];
	int ok = 1, i, n = ncpus();

	memset(sh->t, 0, sizeof(sh->t));
	i = cgroup_setup();
	if (i) {
		diag("pids cgroup: %s", strerror(i));
		ok = 0;
	}
	pids[0] = start_storm(0, OBS_STORM, &sh->t[0]);
	pids[1] = start_storm(1 % n, OBS_STORM, &sh->t[1]);
	pids[2] = start_failer(W_PIDS, 0, OBS_FAIL, &sh->t[2]);
	pids[3] = start_failer(W_NPROC, 1 % n, OBS_FAIL, &sh->t[3]);
	pids[4] = start_failer(W_PIDNS, 0, OBS_FAIL, &sh->t[4]);
	for (i = 0; i < 5; i++)
		ok &= wait_ok(pids[i], "observer workload");
	ok &= wait_ok(start_commit(OBS_FAIL, &sh->t[5]), "observer commit");
	cgroup_remove();
	memcpy(run->t, sh->t, sizeof(run->t));
	run->setup_ok = ok;
}

static const char *const obs_names[6] = {
	"storm cpu0", "storm cpu1", "pids.max", "RLIMIT_NPROC", "dead pidns",
	"commit + bad clone flags"
};

void test_observer(void)
{
	static struct obs_run without, with;
	struct stats a, b, d, want;
	char err[256];
	unsigned long total;
	int ok, i, k, e, r;

	mod_unload(NULL);
	observer_workload(&without);
	r = mod_load(NULL);
	if (r)
		diag("insmod: %s", strerror(r));
	ok = !r && !stats_get(&a, err, sizeof(err));
	observer_workload(&with);
	ok = ok && !stats_get(&b, err, sizeof(err));
	if (!ok)
		diag("%s", err);
	ok = ok && without.setup_ok && with.setup_ok;
	for (i = 0; i < 6; i++) {
		if (memcmp(&without.t[i], &with.t[i], sizeof(struct tally))) {
			diag("%s differs with the module:", obs_names[i]);
			tally_show("  without", &without.t[i]);
			tally_show("  with   ", &with.t[i]);
			ok = 0;
		}
	}
	for (i = 0, total = 0; i < 6; i++) {
		for (k = 0; k < NKIND; k++)
			total += with.t[i].ok[k];
		tally_show(obs_names[i], &with.t[i]);
	}
	diag("observer: %lu successful and %lu failed task creations per run",
	     total, tally_failed(&with.t[2], 0) + tally_failed(&with.t[3], 0) +
	     tally_failed(&with.t[4], 0) + tally_failed(&with.t[5], 0));
	/* Every failure must have failed for a reason: no run may be all success. */
	if (!tally_failed(&with.t[2], 0) || !tally_failed(&with.t[3], 0) ||
	    !tally_failed(&with.t[4], 0) || !tally_failed(&with.t[5], 0)) {
		diag("a limit did not refuse anything: the workload tests nothing");
		ok = 0;
	}
	result(ok, "stress_observer_same_outcomes");

	/* What the module counted for that run: each failure, its own reason. */
	memset(&want, 0, sizeof(want));
	for (i = 2; i < 6; i++)
		for (k = 0; k < NKIND; k++)
			for (e = 1; e < ERRMAX; e++) {
				unsigned long n = with.t[i].err[k][e];
				int reason = e == EAGAIN ? (i == 2 ? ST_CGROUP_PIDS :
							    i == 3 ? ST_NPROC : ST_UNKNOWN) :
					     e == ENOMEM ? (i == 4 ? ST_PIDNS_DEAD :
							    i == 5 ? ST_COMMIT : ST_UNKNOWN) :
					     ST_OTHER;

				if (!n)
					continue;
				want.v[ST_FORK_FAILED] += n;
				want.v[e == ENOMEM ? ST_FORK_ENOMEM : e == EAGAIN ? ST_FORK_EAGAIN : ST_FORK_OTHER] += n;
				want.v[reason] += n;
			}
	stats_delta(&a, &b, &d);
	ok = ok && !memcmp(&d, &want, sizeof(d));
	stats_show("counted", &d);
	stats_show("expected", &want);
	result(ok, "stress_observer_counted_exactly");
}
