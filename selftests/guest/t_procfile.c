// SPDX-License-Identifier: GPL-2.0
/* /proc/enomem_stats as a file: its mode, and what writing to it does. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "ktap.h"
#include "tests.h"
#include "util.h"

void test_proc_mode(void)
{
	struct stat st;
	int ok = !stat(STATS_PATH, &st);

	if (ok)
		ktap_diag("%s: mode %04o uid %u", STATS_PATH,
			  (unsigned int)(st.st_mode & 07777), (unsigned int)st.st_uid);
	ok = ok && S_ISREG(st.st_mode) && (st.st_mode & 07777) == 0644 &&
	     st.st_uid == 0;
	ktap_result(ok, "proc_mode_0644");
}

/* A failed fork to count, so that "nothing changed" can be told apart. */
static int make_nonzero(struct stats *s)
{
	const struct scenario *sc = scenario_by_stat(ST_CGROUP_PIDS);
	struct outcome o;

	provoke(sc, K_FORK, 1, &o);
	if (read_checked(s))
		return -1;
	if (!s->v[ST_FORK_FAILED]) {
		ktap_diag("counters still zero after a %s failure (%s); cannot test writes",
			  sc->name, errno_name(o.first_errno));
		return -1;
	}
	return 0;
}

void test_write_invalid(void)
{
	struct stats a, b;
	int err, ok = !make_nonzero(&a);

	err = write_file(STATS_PATH, "foo");
	ktap_diag("write \"foo\": %s", errno_name(err));
	ok = ok && err == EINVAL && !read_checked(&b) && stats_equal(&a, &b);
	ktap_result(ok, "proc_write_invalid_einval");
}

/*
 * The file is 0644, so a non-root open for writing already fails; the
 * interesting case is an fd opened by root and written after setuid().
 */
void test_write_nonroot(void)
{
	struct stats a, b;
	int ok = !make_nonzero(&a), status = -1, fd;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		fd = open(STATS_PATH, O_WRONLY);
		if (fd < 0 || drop_root(1000))
			_exit(100);
		if (write(fd, "0", 1) >= 0)
			_exit(0);
		_exit(errno);
	}
	if (pid > 0)
		waitpid(pid, &status, 0);
	status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
	ktap_diag("write \"0\" as uid 1000: %s", status == 100 ? "setup failed" :
		  errno_name(status));
	ok = ok && status == EPERM && !read_checked(&b) && stats_equal(&a, &b);
	ktap_result(ok, "proc_write_nonroot_eperm");
}

void test_write_reset(const char *what, const char *name)
{
	struct stats a, b;
	int err, ok = !make_nonzero(&a);

	err = write_file(STATS_PATH, what);
	ktap_diag("write \"%s\": %s", what[0] == '0' ? "0" : "reset\\n", errno_name(err));
	ok = ok && !err && !read_checked(&b) && stats_all_zero(&b);
	ktap_result(ok, name);
}
