// SPDX-License-Identifier: GPL-2.0
/*
 * What a scenario's worker does (worker.c runs it): enter the limit, fill
 * it with holders where the scenario says so, then make the calls of the
 * kind under test and record what each returned.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "faults.h"
#include "scenarios.h"

#define MAX_HOLDERS 4096
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
	worker_init();
	faults_init();
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
			outcome_record(o, expect, err);
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

/* What provoke() asks the worker to do. */
struct provoke_arg {
	const struct scenario *sc;
	enum kind k;
	int attempts;
};

static void provoke_work(const void *arg, struct outcome *o)
{
	const struct provoke_arg *a = arg;
	const struct scenario *sc = a->sc;
	enum kind k = a->k;
	int attempts = a->attempts;
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
		outcome_record(o, expect, err);
	}
out:
	o->phase = "leaving the limit";
	if (sc->leave)
		sc->leave();
	o->done = 1;
}

void provoke(const struct scenario *sc, enum kind k, int attempts,
	     struct outcome *o)
{
	struct provoke_arg arg = { sc, k, attempts };
	struct worker_job job = {
		.prepare = sc->prepare, .work = provoke_work, .arg = &arg,
		.cleanup = sc->cleanup,
	};

	worker_run(&job, o);
}
