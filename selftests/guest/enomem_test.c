// SPDX-License-Identifier: GPL-2.0
/*
 * enomem_test: the guest side of the enomem_stats selftests.
 *
 *   enomem_test run [EXTRA]   load the module and run every test as KTAP;
 *                             EXTRA more results will follow from /init
 *   enomem_test count         the number of results "run" prints
 *   enomem_test demo          provoke each reason once, print what fork said
 *
 * Every test provokes the real limit and checks three things: the errno
 * the call returned, that exactly its own reason counter moved by exactly
 * the number of failures seen (and no other), and the invariants of
 * /proc/enomem_stats.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/klog.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "kinds.h"
#include "kmod.h"
#include "ktap.h"
#include "scenarios.h"
#include "stats.h"
#include "util.h"

#define MODULE_PATH "/modules/enomem_stats.ko"
#define MODULE_NAME "enomem_stats"
#define DEBUGFS_DIR "/sys/kernel/debug/enomem_stats"
#define ATTEMPTS 2
#define CONTROL_FORKS 1000

/* errno of the first fork() per scenario with the module loaded. */
static int loaded_errno[16];

static int count_tests(void)
{
	int i, k, n = 3 + 4 + nr_scenarios + 3;

	for (i = 0; i < nr_scenarios; i++)
		for (k = 0; k < K_COUNT; k++)
			n += !!(scenarios[i].kinds & (1u << k));
	return n;
}

static int read_checked(struct stats *s)
{
	char err[256];

	if (stats_read(s, err, sizeof(err)) || stats_invariants(s, err, sizeof(err))) {
		ktap_diag("%s", err);
		return -1;
	}
	return 0;
}

static int stats_equal(const struct stats *a, const struct stats *b)
{
	return !memcmp(a->v, b->v, sizeof(a->v));
}

static int stats_all_zero(const struct stats *s)
{
	int i;

	for (i = 0; i < ST_COUNT; i++)
		if (s->v[i])
			return 0;
	return 1;
}

/* -------- kernel log -------- */

static char *kernel_log(int *len)
{
	static char *buf;
	int size = klogctl(10, NULL, 0);	/* SYSLOG_ACTION_SIZE_BUFFER */

	if (size <= 0)
		size = 1 << 20;
	free(buf);
	buf = calloc(1, size + 1);
	if (!buf)
		return NULL;
	*len = klogctl(3, buf, size);		/* SYSLOG_ACTION_READ_ALL */
	if (*len < 0)
		*len = 0;
	buf[*len] = '\0';
	return buf;
}

/* WARN() and BUG() lines; "Call Trace" alone also comes from memcg OOM. */
static int log_has_warning(const char *text)
{
	const char *bad[] = { "WARNING:", "BUG:", "Oops", "general protection" };
	const char *p, *eol;
	int i, found = 0;

	for (i = 0; i < 4; i++)
		for (p = text; (p = strstr(p, bad[i])); p = eol) {
			eol = strchr(p, '\n');
			if (!eol)
				eol = p + strlen(p);
			ktap_diag("kernel log: %.*s", (int)(eol - p), p);
			found = 1;
		}
	return found;
}

/* -------- tests -------- */

static void test_load(void)
{
	struct stats s;
	int err = kmod_load(MODULE_PATH, NULL);

	if (err)
		ktap_diag("insmod %s: %s", MODULE_PATH, strerror(err));
	ktap_diag_file("probes", DEBUGFS_DIR "/probes");
	ktap_result(!err && !read_checked(&s) && stats_all_zero(&s), "module_load");
}

static void test_proc_mode(void)
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

static void test_control(void)
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

/* Every counter must have moved by exactly want[]. */
static int check_want(const long long *want, const struct stats *a,
		      const struct stats *b)
{
	int i, ok = 1;

	for (i = 0; i < ST_COUNT; i++)
		if ((long long)(b->v[i] - a->v[i]) != want[i]) {
			ktap_diag("%s: delta %lld, expected %lld", stat_names[i],
				  (long long)(b->v[i] - a->v[i]), want[i]);
			ok = 0;
		}
	return ok;
}

/*
 * What userspace saw, as counter deltas: the reason by every failure,
 * fork_enomem/fork_eagain/fork_other by errno, nothing else (not unknown,
 * not missed).
 */
static void add_want(long long *want, const struct scenario *sc,
		     const struct outcome *o)
{
	want[ST_FORK_FAILED] += o->nfail;
	want[ST_FORK_ENOMEM] += o->enomem;
	want[ST_FORK_EAGAIN] += o->eagain;
	want[ST_FORK_OTHER] += o->other;
	want[sc->stat] += o->nfail;
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

static void test_reason(int idx, enum kind k)
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
	if (o.skip) {
		ktap_skip(name, o.msg);
		return;
	}
	if (o.setup_err) {
		ktap_diag("%s", o.msg);
		ktap_result(0, name);
		return;
	}
	if (k == K_FORK)
		loaded_errno[idx] = o.first_errno;
	ok = check_outcome(sc, &o, k) && ok;
	ok = !read_checked(&b) && ok && check_delta(sc, &o, &a, &b);
	ktap_result(ok, name);
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

static void test_write_invalid(void)
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
static void test_write_nonroot(void)
{
	struct stats a, b;
	int ok = !make_nonzero(&a), status = -1, fd;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		fd = open(STATS_PATH, O_WRONLY);
		if (fd < 0 || setresgid(1000, 1000, 1000) || setresuid(1000, 1000, 1000))
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

static void test_write_reset(const char *what, const char *name)
{
	struct stats a, b;
	int err, ok = !make_nonzero(&a);

	err = write_file(STATS_PATH, what);
	ktap_diag("write \"%s\": %s", what[0] == '0' ? "0" : "reset\\n", errno_name(err));
	ok = ok && !err && !read_checked(&b) && stats_all_zero(&b);
	ktap_result(ok, name);
}

/* With the module unloaded every scenario must fail with the same errno. */
static void test_observer(void)
{
	struct outcome o[16];
	char name[64];
	int i, unload_err, load_err;

	unload_err = kmod_unload(MODULE_NAME);
	if (unload_err)
		ktap_diag("rmmod: %s", strerror(unload_err));
	for (i = 0; i < nr_scenarios; i++)
		provoke(&scenarios[i], K_FORK, 1, &o[i]);
	load_err = kmod_load(MODULE_PATH, NULL);
	if (load_err)
		ktap_diag("insmod: %s", strerror(load_err));
	for (i = 0; i < nr_scenarios; i++) {
		snprintf(name, sizeof(name), "observer_%s", scenarios[i].name);
		if (o[i].skip) {
			ktap_skip(name, o[i].msg);
			continue;
		}
		if (o[i].setup_err)
			ktap_diag("%s", o[i].msg);
		ktap_diag("fork(): %s with the module, %s without",
			  errno_name(loaded_errno[i]), errno_name(o[i].first_errno));
		ktap_result(!unload_err && !load_err && !o[i].setup_err &&
			    o[i].first_errno && o[i].first_errno == loaded_errno[i],
			    name);
	}
}

static void test_reload(void)
{
	int len0 = 0, len, err = 0, i;
	struct stats s;
	char *log;

	log = kernel_log(&len0);
	for (i = 0; i < 2 && !err; i++) {
		err = kmod_unload(MODULE_NAME);
		if (!err)
			err = kmod_load(MODULE_PATH, NULL);
	}
	if (err)
		ktap_diag("rmmod/insmod: %s", strerror(err));
	log = kernel_log(&len);
	/* Only what was logged since; the buffer may have wrapped, then all. */
	if (log && len > len0)
		log += len0;
	ktap_result(!err && log && !log_has_warning(log) && !read_checked(&s) &&
		    stats_all_zero(&s), "reload_no_warn");
}

/*
 * Every reason once more in a row, after the reload: the counters must add
 * up across reasons too, and they are left for the enomemstat checks.
 */
static void test_every_reason(void)
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

static void test_dmesg(void)
{
	int len;
	char *log = kernel_log(&len);

	ktap_result(log && !log_has_warning(log), "dmesg_no_warning_or_bug");
}

static int run(int extra)
{
	int i, k;

	ktap_header(count_tests() + extra);
	test_load();
	test_proc_mode();
	test_control();
	for (i = 0; i < nr_scenarios; i++)
		for (k = 0; k < K_COUNT; k++)
			if (scenarios[i].kinds & (1u << k))
				test_reason(i, k);
	test_write_invalid();
	test_write_nonroot();
	test_write_reset("0", "proc_write_0_resets");
	test_write_reset("reset\n", "proc_write_reset_resets");
	test_observer();
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

	err = kmod_load(MODULE_PATH, NULL);
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
	return 0;
}

int main(int argc, char **argv)
{
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
	fprintf(stderr, "usage: %s run [EXTRA] | count | demo\n", argv[0]);
	return 2;
}
