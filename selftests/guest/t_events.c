// SPDX-License-Identifier: GPL-2.0
/*
 * The event ring names the cgroup that refused.  The module keeps the last
 * cgroup2 path it formatted per CPU (compat/cgroup.c): forks refused in
 * two cgroups in turn, one after another, must each name their own.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "cgroup.h"
#include "ktap.h"
#include "tests.h"
#include "util.h"

static const char *const ev_names[2] = { "enomem_ev_a", "enomem_ev_b" };

/* A child joins DIR (pids.max=1: itself) and forks: 0 if that says EAGAIN. */
static int refuse_in(const char *dir)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return errno;
	if (pid == 0) {
		if (cg_join(dir))
			_exit(100);
		_exit(kind_attempt(K_FORK) == EAGAIN ? 0 : 101);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return EIO;
	return WEXITSTATUS(status) ? EIO : 0;
}

/* The reason and cgroup fields of the newest event. */
static int newest_event(char *reason, char *cgroup)
{
	static char buf[64 << 10];
	char *line = read_last_line(DEBUGFS_DIR "/events", buf, sizeof(buf));

	if (!line || line[0] == '#' ||
	    sscanf(line, "%*s %*s %*s %*s %*s %*s %63s %*s %127s", reason, cgroup) != 2)
		return -1;
	return 0;
}

void test_event_cgroup_path(void)
{
	static const int order[] = { 0, 0, 1, 0, 1, 1 };
	const char *name = "event_names_refusing_cgroup";
	char dir[2][128], reason[64], cg[128], want[64];
	unsigned int i;
	int err = 0, ok = 1;

	if (!cg_has("pids")) {
		ktap_skip(name, "no pids controller in this kernel");
		return;
	}
	for (i = 0; i < 2 && !err; i++) {
		err = cg_create("pids", ev_names[i], dir[i], sizeof(dir[i]));
		if (!err)
			err = cg_write(dir[i], "pids.max", "1");
	}
	if (err) {
		ktap_diag("pids cgroup setup: %s", strerror(err));
		ktap_result(0, name);
		return;
	}
	for (i = 0; i < sizeof(order) / sizeof(order[0]) && ok; i++) {
		int c = order[i];

		snprintf(want, sizeof(want), "/%s", ev_names[c]);
		if (refuse_in(dir[c])) {
			ktap_diag("no EAGAIN from a fork in %s", dir[c]);
			ok = 0;
		} else if (newest_event(reason, cg)) {
			ktap_diag("no event after a refused fork in %s", dir[c]);
			ok = 0;
		} else if (strcmp(reason, "cgroup_pids") || strcmp(cg, want)) {
			ktap_diag("refusal %u in %s: newest event says %s in %s",
				  i, want, reason, cg);
			ok = 0;
		}
	}
	for (i = 0; i < 2; i++)
		cg_remove(dir[i]);
	ktap_result(ok, name);
}
