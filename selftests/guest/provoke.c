// SPDX-License-Identifier: GPL-2.0
/*
 * The worker mechanics shared by every scenario.
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
#include <stdlib.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "faults.h"
#include "scenarios.h"
#include "util.h"

#define MAX_HOLDERS 4096
#define WORKER_TIMEOUT_S 120
#define MAX_FUZZY_CALLS 64

const char *errno_name(int err)
{
	switch (err) {
	case 0:		return "success";
	case ENOMEM:	return "ENOMEM";
	case EAGAIN:	return "EAGAIN";
	case EINVAL:	return "EINVAL";
	case EPERM:	return "EPERM";
	case ENOSPC:	return "ENOSPC";
	case ENOSYS:	return "ENOSYS";
	case EINTR:	return "EINTR";
	default:	return strerror(err);
	}
}

void scenarios_init(void)
{
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	faults_init();
}

static void record(struct outcome *o, int expect, int err)
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

/*
 * Create holders until the limit refuses one.  Holders are of the kind under
 * test where that matters (a thread costs less than a process, so a memory
 * cgroup full of processes may still take a thread); they only wait to be
 * killed and touch as little memory as possible (none for nofault).
 */
static void fill(const struct scenario *sc, enum kind k, struct outcome *o,
		 int expect)
{
	int err;

	o->phase = "filling the limit with holders";
	while (o->holders < MAX_HOLDERS) {
		err = sc->nofault && k != K_THREAD ? kind_hold_shared() :
						      kind_hold(k);
		if (err == E2BIG)
			break;
		if (err) {
			record(o, expect, err);
			return;
		}
		o->holders++;
	}
	o->setup_err = 1;
	snprintf(o->msg, sizeof(o->msg), "%s: no failure after %d holders",
		 sc->name, o->holders);
}

/*
 * One call of the kind under test.  In a fuzzy scenario a call that succeeds
 * must keep the limit full: a thread stays as a holder; a forked child would
 * page-fault on its copy-on-write pages, so it is killed at once and the
 * limit is filled again (that refusal is recorded like every other one).
 */
static int call(const struct scenario *sc, enum kind k, struct outcome *o,
		int expect)
{
	int err;

	if (!sc->fuzzy)
		return kind_attempt(k);
	if (k == K_THREAD || !sc->nofault) {
		err = kind_hold(k);
		o->holders += !err;
		return err;
	}
	err = k == K_FORK ? kind_fork_killed() : kind_attempt(k);
	if (!err && sc->fill)
		fill(sc, k, o, expect);
	return err;
}

static void worker(const struct scenario *sc, enum kind k, int attempts,
		   struct outcome *o)
{
	int expect = sc->expect();
	int i, calls, err;

	o->phase = "entering the limit";
	if (sc->enter)
		sc->enter(o);
	if (o->skip || o->setup_err)
		goto out;
	if (sc->fill) {
		fill(sc, k, o, expect);
		if (o->setup_err)
			goto out;
	}
	calls = sc->fuzzy ? MAX_FUZZY_CALLS : attempts;
	for (i = 0; i < calls && o->attempts_failed < attempts; i++) {
		o->phase = "calling";
		if (sc->arm)
			sc->arm();
		err = call(sc, k, o, expect);
		if (sc->disarm)
			sc->disarm();
		if (o->setup_err)
			goto out;
		o->attempts++;
		if (!err)
			continue;
		if (!o->attempts_failed++)
			o->first_errno = err;
		record(o, expect, err);
	}
out:
	o->phase = "leaving the limit";
	if (sc->leave)
		sc->leave();
	o->done = 1;
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

void provoke(const struct scenario *sc, enum kind k, int attempts,
	     struct outcome *o)
{
	struct outcome *shared;
	struct timespec nap = { 0, 20 * 1000 * 1000 };
	int waited = 0;
	pid_t pid;

	memset(o, 0, sizeof(*o));
	if (sc->prepare)
		sc->prepare(o);
	if (o->skip || o->setup_err)
		goto cleanup;

	shared = mmap(NULL, sizeof(*shared), PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (shared == MAP_FAILED) {
		o->setup_err = 1;
		snprintf(o->msg, sizeof(o->msg), "mmap: %s", strerror(errno));
		goto cleanup;
	}
	*shared = *o;
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		o->setup_err = 1;
		snprintf(o->msg, sizeof(o->msg), "fork worker: %s", strerror(errno));
		munmap(shared, sizeof(*shared));
		goto cleanup;
	}
	if (pid == 0) {
		setpgid(0, 0);
		worker(sc, k, attempts, shared);
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
	if (sc->cleanup)
		sc->cleanup();
}
