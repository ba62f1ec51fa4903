// SPDX-License-Identifier: GPL-2.0
/*
 * The worker harness (worker.h).
 *
 * Each run happens in a fresh worker process in its own process group, so
 * cgroup membership, rlimits, setuid, unshare and oom_score_adj never leak
 * into the test process, and one kill(-pgid) ends every holder.  The result
 * travels back in shared memory, not a pipe: a worker at its memory cgroup
 * limit may be unable to allocate a pipe buffer.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "util.h"
#include "worker.h"

#define WORKER_TIMEOUT_S 120

void worker_init(void)
{
	prctl(PR_SET_CHILD_SUBREAPER, 1);
}

void outcome_fail(struct outcome *o, const char *what, int err)
{
	o->setup_err = 1;
	snprintf(o->msg, sizeof(o->msg), "%s: %s", what, strerror(err));
}

void outcome_record(struct outcome *o, int expect, int err)
{
	o->nfail++;
	o->last_errno = err;
	if (err == expect)
		o->nexpected++;
	if (err == ENOMEM)
		o->enomem++;
	else if (err == EAGAIN)
		o->eagain++;
	else
		o->other++;
}

/* "pid state wchan" of one task, from /proc. */
static int describe_task(pid_t pid, char *buf, size_t size)
{
	char path[64], stat[512], wchan[64], *p;
	char state = '?';

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	if (read_file(path, stat, sizeof(stat)) > 0 && (p = strrchr(stat, ')')))
		state = p[2];
	snprintf(path, sizeof(path), "/proc/%d/wchan", pid);
	if (read_file(path, wchan, sizeof(wchan)) <= 0)
		strcpy(wchan, "?");
	return snprintf(buf, size, " %d %c %s", pid, state, wchan);
}

/*
 * Say what hung before anything is killed: the worker's phase and counts,
 * its state and where it sleeps, and the other tasks of its process group
 * that are not sleeping in pause().
 */
static void describe_hang(pid_t pid, const struct outcome *o, char *msg,
			  size_t size)
{
	char path[64], stat[512], *p;
	struct dirent *d;
	DIR *dir;
	int n, others = 0, pausing = 0;
	pid_t t;

	n = snprintf(msg, size, "worker did not finish within %d s while %s (holders %d, calls %d, failed %d); worker",
		     WORKER_TIMEOUT_S, o->phase ? o->phase : "starting",
		     o->holders, o->attempts, o->nfail);
	if (n < (int)size)
		n += describe_task(pid, msg + n, size - n);
	dir = opendir("/proc");
	while (dir && (d = readdir(dir))) {
		t = atoi(d->d_name);
		if (t <= 0 || t == pid)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/stat", t);
		if (read_file(path, stat, sizeof(stat)) <= 0 ||
		    !(p = strrchr(stat, ')')))
			continue;
		/* state ppid pgrp */
		if (strtol(strchr(strchr(p + 2, ' ') + 1, ' ') + 1, NULL, 10) != pid)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/wchan", t);
		if (p[2] == 'S' && read_file(path, stat, sizeof(stat)) > 0 &&
		    strstr(stat, "pause")) {
			pausing++;
			continue;
		}
		if (others++ == 0 && n < (int)size)
			n += snprintf(msg + n, size - n, "; others");
		if (others <= 4 && n < (int)size)
			n += describe_task(t, msg + n, size - n);
	}
	if (dir)
		closedir(dir);
	if (n < (int)size)
		snprintf(msg + n, size - n, "%s; %d more in pause()",
			 others > 4 ? " ..." : "", pausing);
}

static void reap_all(void)
{
	/* Holders are reparented to us (a subreaper) once the worker dies. */
	while (waitpid(-1, NULL, 0) > 0 || errno == EINTR)
		;
}

void worker_run(const struct worker_job *job, struct outcome *o)
{
	struct outcome *shared;
	struct timespec nap = { 0, 20 * 1000 * 1000 };
	int waited = 0;
	pid_t pid;

	memset(o, 0, sizeof(*o));
	if (job->prepare)
		job->prepare(o);
	if (o->skip || o->setup_err)
		goto cleanup;

	shared = mmap(NULL, sizeof(*shared), PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (shared == MAP_FAILED) {
		outcome_fail(o, "mmap", errno);
		goto cleanup;
	}
	*shared = *o;
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		outcome_fail(o, "fork worker", errno);
		munmap(shared, sizeof(*shared));
		goto cleanup;
	}
	if (pid == 0) {
		setpgid(0, 0);
		job->work(job->arg, shared);
		_exit(0);
	}
	setpgid(pid, pid);
	while (waitpid(pid, NULL, WNOHANG) == 0) {
		if (waited++ > WORKER_TIMEOUT_S * 50) {
			shared->setup_err = 1;
			describe_hang(pid, shared, shared->msg,
				      sizeof(shared->msg));
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
			break;
		}
		nanosleep(&nap, NULL);
	}
	kill(-pid, SIGKILL);
	reap_all();
	*o = *shared;
	munmap(shared, sizeof(*shared));
	if (!o->done && !o->setup_err) {
		o->setup_err = 1;
		snprintf(o->msg, sizeof(o->msg), "worker died (%s)",
			 o->phase ? o->phase : "starting");
	}
cleanup:
	if (job->cleanup)
		job->cleanup();
}
