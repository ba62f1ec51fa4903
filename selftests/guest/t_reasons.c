// SPDX-License-Identifier: GPL-2.0
/*
 * The reasons: each test provokes the real limit and checks the errno the
 * call returned, that exactly its own counter moved by exactly the number
 * of failures seen, and the invariants of /proc/enomem_stats.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>
#include "ktap.h"
#include "tests.h"

/* errno of the first fork() per scenario with the module loaded. */
static int loaded_errno[16];

void test_control(void)
{
	struct stats a, b;
	char delta[512];
	int i, failed = 0, ok;
	pid_t pid;

	ok = !read_checked(&a);
	fflush(NULL);
	for (i = 0; i < CONTROL_FORKS; i++) {
		pid = fork();
		if (pid == 0)
			_exit(0);
		if (pid < 0)
			failed++;
		else
			waitpid(pid, NULL, 0);
	}
	ok = ok && !read_checked(&b);
	stats_format_delta(&a, &b, delta, sizeof(delta));
	ktap_diag("%d forks, %d failed; %s", CONTROL_FORKS, failed, delta);
	ktap_result(ok && !failed && stats_equal(&a, &b), "control_1000_forks");
}

static int check_delta(const struct scenario *sc, const struct outcome *o,
		       const struct stats *a, const struct stats *b)
{
	long long want[ST_COUNT] = { 0 };

	add_want(want, sc, o);
	return check_want(want, a, b);
}

static int check_outcome(const struct scenario *sc, const struct outcome *o,
			 enum kind k)
{
	int expect = sc->expect();
	int ok = 1;

	ktap_diag("limit %ld, holders %d; %s failed %d/%d, first %s; failures %d (ENOMEM %d, EAGAIN %d, other %d, last %s)",
		  o->limit, o->holders, kind_names[k], o->attempts_failed,
		  o->attempts, errno_name(o->first_errno), o->nfail, o->enomem,
		  o->eagain, o->other, errno_name(o->last_errno));
	if (o->nfail == 0 || (sc->fuzzy ? o->attempts_failed < ATTEMPTS :
					    o->attempts_failed != o->attempts)) {
		ktap_diag("%s did not fail every time", kind_names[k]);
		ok = 0;
	}
	if (o->nexpected != o->nfail) {
		ktap_diag("expected %s for every failure", errno_name(expect));
		ok = 0;
	}
	if (sc->stat == ST_SLAB) {
		long made = scenario_injected() - o->injected;

		if (made != o->attempts_failed) {
			ktap_diag("injector made %ld failures, calls failed %d",
				  made, o->attempts_failed);
			ok = 0;
		}
	}
	return ok;
}

void test_reason(int idx, enum kind k)
{
	const struct scenario *sc = &scenarios[idx];
	struct outcome o;
	struct stats a, b;
	char name[64];
	int ok;

	snprintf(name, sizeof(name), "%s_%s", sc->name, kind_names[k]);
	if (!kind_supported(k)) {
		ktap_skip(name, "no clone3() on this kernel");
		return;
	}
	ok = !read_checked(&a);
	provoke(sc, k, ATTEMPTS, &o);
	if (ktap_not_run(name, o.skip, o.setup_err, o.msg))
		return;
	if (k == K_FORK)
		loaded_errno[idx] = o.first_errno;
	ok = check_outcome(sc, &o, k) && ok;
	ok = !read_checked(&b) && ok && check_delta(sc, &o, &a, &b);
	ktap_result(ok, name);
}

static const char *scenario_name(int i)
{
	return i < nr_scenarios ? scenarios[i].name : NULL;
}

static void provoke_fork(int i, struct outcome *o)
{
	provoke(&scenarios[i], K_FORK, ATTEMPTS, o);
}

static int fork_outcome_ok(int i, const struct outcome *o)
{
	return check_outcome(&scenarios[i], o, K_FORK);
}

/* Every scenario without the module: fork() must fail the same way. */
const struct observed fork_observed = {
	"fork(): ", scenario_name, provoke_fork, fork_outcome_ok, loaded_errno,
};

/*
 * Every reason once more in a row, after the reload: the counters must add
 * up across reasons too, and they are left for the enomemstat checks.
 */
void test_every_reason(void)
{
	long long want[ST_COUNT] = { 0 };
	struct outcome o;
	struct stats a, b;
	int i, ok = !read_checked(&a);

	for (i = 0; i < nr_scenarios; i++) {
		provoke(&scenarios[i], K_FORK, 1, &o);
		if (o.skip)
			continue;
		if (o.setup_err || !o.nfail || o.nexpected != o.nfail) {
			ktap_diag("%s: %s", scenarios[i].name,
				  o.setup_err ? o.msg : errno_name(o.first_errno));
			ok = 0;
		}
		add_want(want, &scenarios[i], &o);
	}
	ok = !read_checked(&b) && ok;
	ok = check_want(want, &a, &b) && ok;
	ktap_result(ok, "every_reason_after_reload");
}
