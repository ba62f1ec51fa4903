// SPDX-License-Identifier: GPL-2.0
/*
 * Who is failing: the cgroups and users tables (exact counts per entry,
 * eviction from a tiny table) and /proc/enomem_stats_follow (order, the
 * lost count when the ring overruns, EOF and a clean rmmod under a reader
 * blocked in read()).  The reloads with small sizes happen here, and the
 * module is back as the suite loads it at the end.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "cgroup.h"
#include "kmod.h"
#include "ktap.h"
#include "tests.h"
#include "util.h"

#define FOLLOW_PATH "/proc/enomem_stats_follow"
#define UNIT_ROOT CGROUP_ROOT "/systemd"
/* the users nproc is refused for; no other test runs as them */
#define UID_A 1001
#define UID_B 1002
#define UID_FOLLOW 1003

/* Where a failing child runs: a pids cgroup, a unit cgroup, a uid. */
struct who_job {
	const char *cg;		/* v1 or v2 pids cgroup to join, or NULL */
	const char *unit;	/* name=systemd cgroup to join (3.10), or NULL */
	unsigned int uid;	/* 0: stay root; else RLIMIT_NPROC 1 as this uid */
	int n;			/* forks, each must fail with EAGAIN */
};

/* Run job in a child; its pid goes to *pid.  0 if every fork said EAGAIN. */
static int who_fail(const struct who_job *job, pid_t *pid)
{
	struct rlimit one = { 1, 1 };
	int status, i;

	*pid = fork();
	if (*pid < 0)
		return errno;
	if (*pid == 0) {
		if ((job->cg && cg_join(job->cg)) ||
		    (job->unit && cg_join(job->unit)))
			_exit(100);
		if (job->uid && (setrlimit(RLIMIT_NPROC, &one) || drop_root(job->uid)))
			_exit(101);
		for (i = 0; i < job->n; i++)
			if (kind_attempt(K_FORK) != EAGAIN)
				_exit(102);
		_exit(0);
	}
	if (waitpid(*pid, &status, 0) != *pid || !WIFEXITED(status))
		return EIO;
	if (WEXITSTATUS(status)) {
		ktap_diag("failing child (cgroup %s, unit %s, uid %u): exit %d",
			  job->cg ? job->cg : "-", job->unit ? job->unit : "-",
			  job->uid, WEXITSTATUS(status));
		return EIO;
	}
	return 0;
}

/* A pids cgroup where the one task that joins can fork no more. */
static int who_cgroup(const char *name, char *dir, size_t len)
{
	int err = cg_create("pids", name, dir, len);

	if (!err)
		err = cg_write(dir, "pids.max", "1");
	if (err)
		ktap_diag("pids cgroup %s: %s", name, strerror(err));
	return err;
}

struct who_row {
	unsigned long long failures, first, last;
	int pid;
	char reason[48], limit[64], key[160], comm[48];
};

/* The table's row for (key, reason); 1 if found, 0 if not, -1 if unreadable. */
static int who_row(const char *table, const char *key, const char *reason,
		   struct who_row *r, char *header, size_t hlen)
{
	static char buf[256 << 10];
	char path[128], *line, *save = NULL;

	snprintf(path, sizeof(path), DEBUGFS_DIR "/%s", table);
	if (read_file(path, buf, sizeof(buf)) < 0)
		return -1;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (line[0] == '#') {
			if (header && !strncmp(line, "# enomem_stats", 14))
				snprintf(header, hlen, "%s", line);
			continue;
		}
		if (sscanf(line, "%llu %47s %llu %llu %d %63s %159s %47s", &r->failures,
			   r->reason, &r->first, &r->last, &r->pid, r->limit,
			   r->key, r->comm) != 8)
			return -1;
		if (!strcmp(r->key, key) && !strcmp(r->reason, reason))
			return 1;
	}
	return 0;
}

/* The row must be there with these failures, last pid and limit. */
static int who_expect(const char *table, const char *key, const char *reason,
		      unsigned long long failures, int pid, const char *limit)
{
	struct who_row r;
	int found = who_row(table, key, reason, &r, NULL, 0);

	if (found <= 0) {
		ktap_diag("%s: no row for %s %s", table, key, reason);
		return 0;
	}
	if (r.failures != failures || (pid && r.pid != pid) ||
	    (limit && strcmp(r.limit, limit)) || !r.first || r.first > r.last ||
	    strcmp(r.comm, "enomem_test")) {
		ktap_diag("%s: %s %s: %llu failures (want %llu), last pid %d (want %d), limit %s (want %s), first %llu last %llu, comm %s",
			  table, key, reason, r.failures, failures, r.pid, pid, r.limit,
			  limit ? limit : "any", r.first, r.last, r.comm);
		return 0;
	}
	return 1;
}

/*
 * Failures per reason over a whole table, into sums (indexed like struct
 * stats); its evicted count into *evicted.  0, or -1 if unreadable.
 */
static int who_sums(const char *table, unsigned long long *sums,
		    unsigned long *evicted)
{
	static char buf[256 << 10];
	char path[128], reason[48], *line, *save = NULL;
	unsigned long long n;
	int id;

	snprintf(path, sizeof(path), DEBUGFS_DIR "/%s", table);
	if (read_file(path, buf, sizeof(buf)) < 0)
		return -1;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (line[0] == '#') {
			char *ev = strstr(line, " evicted ");

			if (ev)
				*evicted = strtoul(ev + 9, NULL, 10);
			continue;
		}
		if (sscanf(line, "%llu %47s", &n, reason) != 2)
			return -1;
		id = stat_id_by_name(reason);
		if (id >= 0)
			sums[id] += n;
		/* a thread stack's failure is also one of map_<reason> in /proc */
		if (!strncmp(reason, "map_stack_", 10)) {
			char plain[48];

			snprintf(plain, sizeof(plain), "map_%s", reason + 10);
			id = stat_id_by_name(plain);
			if (id >= 0)
				sums[id] += n;
		}
	}
	return 0;
}

/*
 * Every counted failure since the load is in both tables, under its
 * reason: per reason, each table's failures add up to /proc's counter
 * (at most that once entries were evicted).  The mapping tests call it
 * before they reload: after every fork reason and the default load's
 * mapping failures ("default"), after every maps=1 mapping failure ("maps").
 */
void test_who_sums(const char *when)
{
	char name[80];
	const char *tables[2] = { "cgroups", "users" };
	unsigned long long sums[ST_COUNT];
	unsigned long evicted;
	struct stats s;
	int t, i, ok = !read_checked(&s), total = 0;

	snprintf(name, sizeof(name), "who_tables_add_up_to_proc_counters_%s", when);

	for (t = 0; t < 2 && ok; t++) {
		memset(sums, 0, sizeof(sums));
		evicted = 0;
		if (who_sums(tables[t], sums, &evicted)) {
			ktap_diag("%s: unreadable", tables[t]);
			ok = 0;
			break;
		}
		for (i = 0; i < ST_COUNT; i++) {
			if (i == ST_FORK_FAILED || i == ST_FORK_ENOMEM || i == ST_FORK_EAGAIN ||
			    i == ST_FORK_OTHER || i == ST_MISSED || i == ST_MAP_FAILED ||
			    i == ST_MAP_STACK_FAILED || i == ST_MAP_MISSED)
				continue;	/* not reasons */
			total += s.v[i] != 0;
			if (evicted ? sums[i] > s.v[i] : sums[i] != s.v[i]) {
				ktap_diag("%s: %s adds up to %llu, /proc says %llu (evicted %lu)",
					  tables[t], stat_names[i], sums[i], s.v[i], evicted);
				ok = 0;
			}
		}
	}
	if (ok && !total) {
		ktap_diag("no failure counted since the load: nothing to compare");
		ok = 0;
	} else if (ok) {
		ktap_diag("%d reasons counted since the load, each in both tables", total / 2);
	}
	ktap_result(ok, name);
}

/*
 * On 3.10 the unit names the entry: systemd's name=systemd hierarchy,
 * mounted as RHEL 7 does, with unit-shaped cgroups in it.
 */
static int unit_mount(void)
{
	if (mkdir(UNIT_ROOT, 0755) && errno != EEXIST)
		return errno;
	if (mount("cgroup", UNIT_ROOT, "cgroup", 0, "none,name=systemd"))
		return errno;
	if (mkdir(UNIT_ROOT "/system.slice", 0755) ||
	    mkdir(UNIT_ROOT "/system.slice/a.service", 0755) ||
	    mkdir(UNIT_ROOT "/system.slice/b.service", 0755))
		return errno;
	return 0;
}

static void unit_umount(void)
{
	cg_remove(UNIT_ROOT "/system.slice/a.service");
	cg_remove(UNIT_ROOT "/system.slice/b.service");
	cg_remove(UNIT_ROOT "/system.slice");
	if (umount(UNIT_ROOT))
		ktap_diag("umount %s: %s", UNIT_ROOT, strerror(errno));
	rmdir(UNIT_ROOT);
}

void test_who_counts(void)
{
	const char *name = "who_tables_count_per_cgroup_and_user";
	char dir[2][128] = { "", "" };
	const char *key[2] = { "/enomem_who_a", "/enomem_who_b" };
	const char *unit[2] = { NULL, NULL };
	struct who_job job;
	pid_t pid[4];
	int v1 = cg_version() == 1, err = 0, ok, i;

	if (!cg_has("pids")) {
		ktap_skip(name, "no pids controller in this kernel");
		return;
	}
	if (v1) {
		err = unit_mount();
		if (err) {
			ktap_diag("name=systemd hierarchy: %s", strerror(err));
			unit_umount();
			ktap_result(0, name);
			return;
		}
		unit[0] = key[0] = "/system.slice/a.service";
		unit[1] = key[1] = "/system.slice/b.service";
	}
	if (who_cgroup("enomem_who_a", dir[0], sizeof(dir[0])) ||
	    who_cgroup("enomem_who_b", dir[1], sizeof(dir[1])) ||
	    write_file(STATS_PATH, "reset")) {
		ok = 0;
		goto out;
	}
	/* 3 refusals in A, 5 in B; nproc 2 for UID_A, 4 for UID_B */
	for (i = 0; i < 4 && !err; i++) {
		char unitdir[160];

		memset(&job, 0, sizeof(job));
		if (i < 2) {
			job.cg = dir[i];
			if (unit[i]) {
				snprintf(unitdir, sizeof(unitdir), UNIT_ROOT "%s", unit[i]);
				job.unit = unitdir;
			}
			job.n = i ? 5 : 3;
		} else {
			job.uid = i == 2 ? UID_A : UID_B;
			job.n = i == 2 ? 2 : 4;
		}
		err = who_fail(&job, &pid[i]);
	}
	ok = !err &&
	     who_expect("cgroups", key[0], "cgroup_pids", 3, pid[0], "-") &&
	     who_expect("cgroups", key[1], "cgroup_pids", 5, pid[1], "-") &&
	     who_expect("users", "1001", "nproc", 2, pid[2], "nproc=1") &&
	     who_expect("users", "1002", "nproc", 4, pid[3], "nproc=1") &&
	     who_expect("users", "0", "cgroup_pids", 8, pid[1], "-");
	/* the tables in the log either way: what a reader of the run sees */
	ktap_diag_file("cgroups", DEBUGFS_DIR "/cgroups");
	ktap_diag_file("users", DEBUGFS_DIR "/users");
out:
	for (i = 0; i < 2; i++)
		cg_remove(dir[i]);
	if (v1)
		unit_umount();
	ktap_result(ok, name);
}

/*
 * The stream's lines since the last call: up to max of them into lines
 * (newline-separated, in buf), waiting up to ms for each read.  Returns the
 * count, or -1 on a read error (errno) other than EAGAIN.
 */
static int follow_lines(int fd, char *buf, size_t size, int max, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	size_t have = 0;
	int n = 0;
	ssize_t r;
	char *c;

	while (n < max && have + 1 < size) {
		if (poll(&p, 1, ms) <= 0)
			break;
		r = read(fd, buf + have, size - 1 - have);
		if (r < 0 && errno == EAGAIN)
			break;
		if (r <= 0)
			return r < 0 ? -1 : n;
		for (c = buf + have; c < buf + have + r; c++)
			n += *c == '\n';
		have += r;
	}
	buf[have] = '\0';
	return n;
}

/* Each of n lines is an event of pid's, nproc, in time order. */
static int follow_check(char *text, int n, pid_t pid)
{
	unsigned long long t, prev = 0;
	char reason[48], *line, *save = NULL;
	int i = 0, p;
	unsigned int uid;

	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save), i++) {
		if (sscanf(line, "%llu %d %*d %u %*s %*s %47s", &t, &p, &uid, reason) != 4 ||
		    p != pid || uid != UID_FOLLOW || strcmp(reason, "nproc") || t < prev) {
			ktap_diag("follow line %d: %s (want pid %d uid %u nproc, time >= %llu)",
				  i, line, pid, UID_FOLLOW, prev);
			return 0;
		}
		prev = t;
	}
	if (i != n)
		ktap_diag("follow: %d lines, want %d", i, n);
	return i == n;
}

enum { FOLLOW_WANT_DATA = 1, FOLLOW_WANT_EOF = 0 };

/*
 * Until pid sleeps in read() (state S, syscall 0 in /proc/PID/syscall),
 * 5 s at most; where the syscall file is missing, a moment.
 */
static void wait_in_read(pid_t pid)
{
	char path[64], buf[512], *st;
	int i;

	for (i = 0; i < 100; i++) {
		snprintf(path, sizeof(path), "/proc/%d/syscall", (int)pid);
		if (read_file(path, buf, sizeof(buf)) < 0) {
			usleep(300000);
			return;
		}
		if (!strncmp(buf, "0 ", 2)) {
			snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
			st = read_file(path, buf, sizeof(buf)) > 0 ? strrchr(buf, ')') : NULL;
			if (st && !strncmp(st, ") S", 3))
				return;
		}
		usleep(50000);
	}
	ktap_diag("reader %d not asleep in read() after 5 s", (int)pid);
}

/*
 * A child that opens the stream, says so, and exits 0 if its first read()
 * returns data (want 1) or EOF (want 0).  Returns once it is about to
 * read, with a moment for it to fall asleep there; -1 if it did not start.
 */
static pid_t follow_reader(int want)
{
	int ready[2];
	pid_t pid;
	char c;

	if (pipe(ready))
		return -1;
	pid = fork();
	if (pid == 0) {
		int fd = open(FOLLOW_PATH, O_RDONLY);
		char b[4096];
		ssize_t r;

		if (fd < 0 || write(ready[1], "x", 1) != 1)
			_exit(3);
		alarm(30);
		r = read(fd, b, sizeof(b));
		_exit(want ? r <= 0 : r != 0);
	}
	close(ready[1]);
	if (pid > 0 && read(ready[0], &c, 1) != 1) {
		waitpid(pid, NULL, 0);
		pid = -1;
	}
	close(ready[0]);
	if (pid < 0)
		ktap_diag("the follow reader did not start");
	else
		wait_in_read(pid);
	return pid;
}

void test_follow_order(void)
{
	const char *name = "follow_reader_sees_events_in_order";
	static char buf[64 << 10];
	struct who_job job = { .uid = UID_FOLLOW, .n = 5 };
	int fd, n, ok = 0, status;
	pid_t pid, waiter;

	fd = open(FOLLOW_PATH, O_RDONLY | O_NONBLOCK);
	if (fd < 0) {
		ktap_diag("open %s: %s", FOLLOW_PATH, strerror(errno));
		ktap_result(0, name);
		return;
	}
	if (read(fd, buf, sizeof(buf)) != -1 || errno != EAGAIN) {
		ktap_diag("O_NONBLOCK read with nothing new did not say EAGAIN");
		goto out;
	}
	/* a reader asleep in read() is woken by the first failure */
	waiter = follow_reader(FOLLOW_WANT_DATA);
	if (waiter < 0 || who_fail(&job, &pid))
		goto out;
	n = follow_lines(fd, buf, sizeof(buf), job.n + 1, 2000);
	ok = n >= 0 && follow_check(buf, job.n, pid);
	if (waiter < 0 || waitpid(waiter, &status, 0) != waiter ||
	    !WIFEXITED(status) || WEXITSTATUS(status)) {
		ktap_diag("a reader blocked in read() was not woken with an event");
		ok = 0;
	}
out:
	close(fd);
	ktap_result(ok, name);
}

/* Reload with these parameters; 0 or an errno. */
static int who_reload(const char *params)
{
	int err = kmod_unload(MODULE_NAME);

	if (!err)
		err = kmod_load(MODULE_PATH, params);
	if (err)
		ktap_diag("reload with \"%s\": %s", params, strerror(err));
	return err;
}

#define SMALL_PARAMS "who_entries=2 events=8"

void test_who_evict(void)
{
	const char *name = "who_tiny_table_evicts_oldest";
	const char *names[3] = { "enomem_who_0", "enomem_who_1", "enomem_who_2" };
	char dir[3][128] = { "", "", "" }, header[128], key[64];
	struct who_job job = { .n = 1 };
	struct who_row r;
	struct stats s;
	pid_t pid;
	int i, ok = 1;

	if (!cg_has("pids")) {
		ktap_skip(name, "no pids controller in this kernel");
		return;
	}
	if (who_reload(SMALL_PARAMS)) {
		ktap_result(0, name);
		return;
	}
	for (i = 0; i < 3 && ok; i++) {
		ok = !who_cgroup(names[i], dir[i], sizeof(dir[i]));
		job.cg = dir[i];
		ok = ok && !who_fail(&job, &pid);
	}
	header[0] = '\0';
	snprintf(key, sizeof(key), "/%s", names[0]);
	ok = ok && who_row("cgroups", key, "cgroup_pids", &r, header, sizeof(header)) == 0;
	if (ok && strcmp(header, "# enomem_stats cgroups: entries 2 size 2 evicted 1")) {
		ktap_diag("header: %s", header);
		ok = 0;
	}
	for (i = 1; i < 3 && ok; i++) {
		snprintf(key, sizeof(key), "/%s", names[i]);
		ok = who_expect("cgroups", key, "cgroup_pids", 1, 0, "-");
	}
	if (ok && (read_checked(&s) || s.v[ST_CGROUP_PIDS] != 3 || s.v[ST_FORK_FAILED] != 3)) {
		ktap_diag("/proc totals: cgroup_pids %llu fork_failed %llu, want 3",
			  s.v[ST_CGROUP_PIDS], s.v[ST_FORK_FAILED]);
		ok = 0;
	}
	if (!ok)
		ktap_diag_file("cgroups", DEBUGFS_DIR "/cgroups");
	for (i = 0; i < 3; i++)
		cg_remove(dir[i]);
	ktap_result(ok, name);
}

/* With events=8 (test_who_evict's load): 20 failures between reads lose 12. */
void test_follow_lost(void)
{
	const char *name = "follow_reports_lost_events";
	static char buf[64 << 10];
	struct who_job job = { .uid = UID_FOLLOW, .n = 20 };
	int fd, n, ok = 0;
	char *rest;
	pid_t pid;

	fd = open(FOLLOW_PATH, O_RDONLY | O_NONBLOCK);
	if (fd < 0) {
		ktap_diag("open %s: %s", FOLLOW_PATH, strerror(errno));
		ktap_result(0, name);
		return;
	}
	if (!who_fail(&job, &pid)) {
		n = follow_lines(fd, buf, sizeof(buf), 10, 2000);
		rest = strchr(buf, '\n');
		if (n != 9 || strncmp(buf, "# lost 12\n", 10) || !rest)
			ktap_diag("follow after 20 failures, ring of 8: %d lines, first: %.40s",
				  n, buf);
		else
			ok = follow_check(rest + 1, 8, pid);
	}
	close(fd);
	ktap_result(ok, name);
}

/*
 * rmmod while a reader sleeps in read(): it must succeed, the reader must
 * see EOF.  The module is then loaded as the suite loads it.
 */
void test_follow_unload(void)
{
	const char *name = "follow_unload_gives_eof";
	int status, err = -1, ok = 0, i;
	pid_t reader = follow_reader(FOLLOW_WANT_EOF);

	if (reader > 0) {
		err = kmod_unload(MODULE_NAME);
		if (err) {
			ktap_diag("rmmod under a blocked reader: %s", strerror(err));
			kill(reader, SIGKILL);
		}
		for (i = 0; i < 100 && waitpid(reader, &status, WNOHANG) == 0; i++)
			usleep(100000);
		if (i == 100) {
			ktap_diag("the reader is still in read() 10 s after rmmod");
			kill(reader, SIGKILL);
			waitpid(reader, &status, 0);
		} else if (!err) {
			ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
			if (!ok)
				ktap_diag("the reader's read() did not return 0 (status %#x)",
					  status);
		}
	}
	if (err)	/* still loaded: as the suite loads it */
		err = who_reload(MODULE_PARAMS);
	else
		err = kmod_load(MODULE_PATH, MODULE_PARAMS);
	if (err) {
		ktap_diag("insmod %s: %s", MODULE_PATH, strerror(err));
		ok = 0;
	}
	ktap_result(ok, name);
}
