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
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "scenarios.h"

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
 * killed and touch as little memory as possible.
 */
static void fill(const struct scenario *sc, enum kind k, struct outcome *o,
		 int expect)
{
	int err;

	while (o->holders < MAX_HOLDERS) {
		err = kind_hold(k);
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

static void worker(const struct scenario *sc, enum kind k, int attempts,
		   struct outcome *o)
{
	int expect = sc->expect();
	int i, calls, err;

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
		if (sc->arm)
			sc->arm();
		err = sc->fuzzy ? kind_hold(k) : kind_attempt(k);
		if (sc->disarm)
			sc->disarm();
		o->attempts++;
		if (!err) {
			o->holders += sc->fuzzy;
			continue;
		}
		if (!o->attempts_failed++)
			o->first_errno = err;
		record(o, expect, err);
	}
out:
	if (sc->leave)
		sc->leave();
	o->done = 1;
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
		snprintf(o->msg, sizeof(o->msg), "worker did not finish within %d s",
			 WORKER_TIMEOUT_S);
	}
cleanup:
	if (sc->cleanup)
		sc->cleanup();
}
