// SPDX-License-Identifier: GPL-2.0
/*
 * enomem_test: the guest side of the enomem_stats selftests.
 *
 *   enomem_test run [EXTRA]   load the module and run every test as KTAP;
 *                             EXTRA more results will follow from /init
 *   enomem_test count         the number of results "run" prints
 *   enomem_test demo          provoke each reason once, print what fork said
 *   enomem_test runas UID CMD [ARG]...
 *                             run CMD as uid and gid UID with no supplementary
 *                             groups (tools/tests/guest.sh: busybox's setpriv
 *                             cannot change the uid)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "kmod.h"
#include "ktap.h"
#include "tests.h"
#include "util.h"

static int count_tests(void)
{
	int i, k, n = 3 + 2 + 4 + nr_scenarios + 3 + maps_count_tests() + WHO_TESTS;

	for (i = 0; i < nr_scenarios; i++)
		for (k = 0; k < K_COUNT; k++)
			n += !!(scenarios[i].kinds & (1u << k));
	return n;
}

static int run(int extra)
{
	int i, k;

	ktap_header(count_tests() + extra);
	test_load();
	test_proc_mode();
	test_control();
	test_success_path_probes();
	test_event_cgroup_path();
	for (i = 0; i < nr_scenarios; i++)
		for (k = 0; k < K_COUNT; k++)
			if (scenarios[i].kinds & (1u << k))
				test_reason(i, k);
	test_maps_default();
	test_maps();
	test_write_invalid();
	test_write_nonroot();
	test_write_reset("0", "proc_write_0_resets");
	test_write_reset("reset\n", "proc_write_reset_resets");
	test_without_module(&fork_observed);
	test_without_module(&maps_observed);
	test_who_counts();
	test_follow_order();
	test_who_evict();
	test_follow_lost();
	test_follow_unload();
	test_reload();
	test_every_reason();
	test_dmesg();
	ktap_diag_file("counters", STATS_PATH);
	ktap_diag_file("probes", DEBUGFS_DIR "/probes");
	return 0;
}

/* For people, not for parsing: what each limit makes fork() say. */
static int demo(void)
{
	struct outcome o;
	int i, err;

	err = kmod_load(MODULE_PATH, MODULE_PARAMS);
	if (err && err != EEXIST) {
		printf("insmod %s: %s\n", MODULE_PATH, strerror(err));
		return 1;
	}
	for (i = 0; i < nr_scenarios; i++) {
		provoke(&scenarios[i], K_FORK, 1, &o);
		if (o.skip || o.setup_err)
			printf("  %-12s %-46s not provoked: %s\n", scenarios[i].name,
			       scenarios[i].how, o.msg);
		else
			printf("  %-12s %-46s fork(): %s\n", scenarios[i].name,
			       scenarios[i].how, strerror(o.first_errno));
		fflush(stdout);
	}
	maps_demo();
	return 0;
}

/* argv: UID CMD [ARG]... */
static int runas(char **argv)
{
	unsigned long uid;
	char *end;
	int err;

	uid = strtoul(argv[0], &end, 10);
	if (end == argv[0] || *end || !argv[1]) {
		fprintf(stderr, "usage: enomem_test runas UID CMD [ARG]...\n");
		return 2;
	}
	err = drop_root(uid);
	if (err) {
		fprintf(stderr, "enomem_test runas: uid %lu: %s\n", uid, strerror(err));
		return 126;
	}
	execvp(argv[1], argv + 1);
	fprintf(stderr, "enomem_test runas: %s: %s\n", argv[1], strerror(errno));
	return 127;
}

int main(int argc, char **argv)
{
	/* before anything of the tests' own is set up in this process */
	if (argc >= 3 && !strcmp(argv[1], "runas"))
		return runas(argv + 2);
	setvbuf(stdout, NULL, _IOLBF, 0);
	scenarios_init();
	if (argc >= 2 && !strcmp(argv[1], "run"))
		return run(argc >= 3 ? atoi(argv[2]) : 0);
	if (argc >= 2 && !strcmp(argv[1], "demo"))
		return demo();
	if (argc >= 2 && !strcmp(argv[1], "count")) {
		printf("%d\n", count_tests());
		return 0;
	}
	fprintf(stderr, "usage: %s run [EXTRA] | count | demo | runas UID CMD [ARG]...\n",
		argv[0]);
	return 2;
}
