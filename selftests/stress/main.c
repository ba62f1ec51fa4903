// SPDX-License-Identifier: GPL-2.0
/*
 * stress: the enomem_stats stress and abuse suite, run inside the
 * test VM after the guest tests.  A module that can oops a production box is
 * worse than the problem it explains, so this hammers it where it could
 * break: reloads under fork storms, kretprobe exhaustion, hostile writes,
 * bad parameters, and whether it changes any fork's outcome.
 *
 *   stress count                 the number of KTAP results "run" prints
 *   stress run START             all but the reload cycles, results numbered
 *                                from START (no plan line: enomem_test's plan
 *                                already counts them)
 *   stress count-reload          the number of results "reload" prints
 *   stress reload START [CYCLES [SECONDS]]
 *                                the load/unload cycles under fork storms
 *                                (default 100, stopping after 420 s); the rig
 *                                runs them in a VM of their own on
 *                                single-threaded TCG (see selftests/run.sh)
 *
 * Every check compares what it observes with what must hold; none of the
 * results is fixed in advance.  The VM boots with panic_on_warn=1 oops=panic,
 * so a WARN or oops ends the run and the missing results count as failed.
 *
 * This file: the commands, the order of the tests, and how many results
 * each command prints (a test added elsewhere must be counted here).
 */
#include "stress.h"

#define DEFAULT_CYCLES 100
#define DEFAULT_MAXSEC 420	/* stop cycling then, to report before a timeout */

#define NTESTS (9 + 2 + 4 + 1 + 4 + 2 + 1)
#define NTESTS_RELOAD 6

/* Shared state for the workers, and the kprobes list before any load. */
static int setup(void)
{
	if (shared_setup())
		return 1;
	mod_unload(NULL);
	kp_have = kprobes_read(kp_base, sizeof(kp_base));
	if (!kp_have)
		diag("no %s: the leak check is skipped", KPROBES_LIST);
	return 0;
}

static int run(void)
{
	static char log[1 << 20];
	unsigned long tried = 0;
	double t0 = now();
	int kmsg = kmsg_mark();

	if (setup())
		return 1;
	test_bad_params();
	diag("bad parameters done at %.0f s", now() - t0);
	test_observer();
	diag("observer done at %.0f s", now() - t0);
	test_fuzz_proc(&tried);
	test_fuzz_proc_nearmiss(&tried);
	test_fuzz_log(&tried);
	test_fuzz_readonly(&tried);
	test_nonroot(&tried);
	diag("hostile writes: %lu inputs tried, done at %.0f s", tried, now() - t0);
	test_exhaustion();
	diag("exhaustion done at %.0f s", now() - t0);
	test_log_line();
	diag("log line done at %.0f s", now() - t0);

	/* leave the module as the rest of the run expects it: loaded */
	if (mod_load(NULL))
		diag("final insmod failed");
	kmsg_since(kmsg, log, sizeof(log));
	result(!log_has_warning(log), "stress_no_warn_in_log");
	diag("stress suite: %.0f s", now() - t0);
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc >= 2 && !strcmp(argv[1], "count")) {
		printf("%d\n", NTESTS);
		return 0;
	}
	if (argc >= 2 && !strcmp(argv[1], "count-reload")) {
		printf("%d\n", NTESTS_RELOAD);
		return 0;
	}
	if (argc >= 3 && !strcmp(argv[1], "run")) {
		test_no = atoi(argv[2]);
		return run();
	}
	if (argc >= 3 && !strcmp(argv[1], "reload")) {
		test_no = atoi(argv[2]);
		if (setup())
			return 1;
		test_reload(argc >= 4 ? atoi(argv[3]) : DEFAULT_CYCLES,
			    argc >= 5 ? atoi(argv[4]) : DEFAULT_MAXSEC);
		return 0;
	}
	fprintf(stderr, "usage: %s count | count-reload | run START | reload START [CYCLES [SECONDS]]\n",
		argv[0]);
	return 2;
}
