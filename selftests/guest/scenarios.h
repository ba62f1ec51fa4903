/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One scenario per reason of /proc/enomem_stats: set up the real limit,
 * make task creation fail, record what userspace saw, undo everything.
 */
#ifndef ENOMEM_TEST_SCENARIOS_H
#define ENOMEM_TEST_SCENARIOS_H

#include "kinds.h"
#include "stats.h"
#include "worker.h"

#define INJECT_PARAMS "/sys/module/enomem_inject/parameters"

struct scenario {
	const char *name;	/* equals its counter's name */
	const char *how;	/* for people: what the scenario does */
	enum stat_id stat;
	unsigned int kinds;	/* bit (1 << kind) for each kind tested */
	int fill;		/* create holder processes until the limit hits */
	/*
	 * The limit has no sharp edge: a memory cgroup that just refused a
	 * charge drains its per-CPU charge caches and may take the next few.
	 * Calls then create holders too, until "attempts" of them failed.
	 */
	int fuzzy;
	/*
	 * At the limit nothing may page-fault: a charge that fails in a user
	 * fault is retried forever when the OOM killer finds no victim.  The
	 * worker's pages are faulted in and kept from its children, holders
	 * share its mm, and a fork that succeeds has its child killed at once
	 * and the limit filled again.
	 */
	int nofault;
	int (*expect)(void);	/* errno the failing call must return */
	/* Test process, before the worker: feature check, save, cgroup setup. */
	void (*prepare)(struct outcome *o);
	/* Worker, before filling; sets o->setup_err or o->skip on failure. */
	void (*enter)(struct outcome *o);
	void (*arm)(void);	/* worker, around each call (slab injection) */
	void (*disarm)(void);
	void (*leave)(void);	/* worker: lift a global limit as soon as possible */
	void (*cleanup)(void);	/* test process, after every task is reaped */
};

extern const struct scenario scenarios[];
extern const int nr_scenarios;

/*
 * Run a scenario in a worker process: it sets up the limit, fills it with
 * holder processes if needed, then makes "attempts" calls of kind k.  Every
 * task is killed and reaped and every sysctl restored before returning.
 */
void provoke(const struct scenario *sc, enum kind k, int attempts,
	     struct outcome *o);
const char *errno_name(int err);
const struct scenario *scenario_by_stat(enum stat_id stat);
/* Failures the slab injector has made so far, or -1. */
long scenario_injected(void);
/* Once, in the test process: worker_init(), and the slab fault setup. */
void scenarios_init(void);

#endif
