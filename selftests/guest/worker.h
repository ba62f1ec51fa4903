/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Run one provoked failure in a worker process: the harness that the
 * scenarios (provoke.c) and the mapping tests (t_maps.c) share.
 */
#ifndef ENOMEM_TEST_WORKER_H
#define ENOMEM_TEST_WORKER_H

/* What one worker run saw; lives in shared memory between test and worker. */
struct outcome {
	int done;		/* the worker got to the end */
	int skip;		/* the kernel lacks the feature: msg says why */
	int setup_err;		/* setting up the limit failed: msg says why */
	char msg[400];
	const char *phase;	/* what the worker is doing, for the watchdog */
	int holders;		/* tasks or mappings made before the limit was reached */
	int attempts;		/* calls of the kind under test */
	int attempts_failed;
	int nfail;		/* all failed calls, filling included */
	int nexpected;		/* ... of which with the expected errno */
	int first_errno;	/* errno of the first failed call of the kind under test */
	int last_errno;
	int enomem, eagain, other;
	long limit;		/* the value the limit was set to, for the log */
	long injected;		/* slab: failures the injector reports */
};

/* What to run, and around it in the test process. */
struct worker_job {
	/* test process, before the worker: feature check, save, cgroup setup */
	void (*prepare)(struct outcome *o);
	/* the worker: set up the limit, make the calls, fill in o */
	void (*work)(const void *arg, struct outcome *o);
	const void *arg;
	void (*cleanup)(void);	/* test process, after every task is reaped */
};

/* The test process becomes a subreaper: it adopts orphaned holders to reap them. */
void worker_init(void);
/*
 * Clear o, prepare, run the job's work in a fresh worker process in its own
 * process group and wait for it (120 s at most, then say what hung), kill
 * the whole group and reap every task, clean up.  o is what the worker saw.
 */
void worker_run(const struct worker_job *job, struct outcome *o);
/* Setup failed: o->setup_err, and msg "WHAT: strerror(err)". */
void outcome_fail(struct outcome *o, const char *what, int err);
/* A failed call: nfail, nexpected, last_errno and the errno tallies. */
void outcome_record(struct outcome *o, int expect, int err);

#endif
