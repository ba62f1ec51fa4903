// SPDX-License-Identifier: GPL-2.0
/*
 * enomemstat: read enomem_stats.ko's counters (/proc/enomem_stats) and event
 * log (debugfs), and diagnose fork failures from the live system state.
 *
 * Every file is read through root_path(), so --root DIR (or ENOMEMSTAT_ROOT)
 * makes the whole program, --diagnose included, run against a directory tree
 * of fixtures instead of the running system.
 *
 * Built with -std=gnu99 and only libc, so it compiles with CentOS 7's gcc
 * 4.8 and glibc 2.17 and links statically for a busybox VM guest: no NSS
 * calls (user names come from parsing etc/passwd ourselves).
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define ENOMEMSTAT_VERSION	"0.1"

/* Exit codes: 1 only ever means "--diagnose found a ceiling hit or near". */
#define EXIT_FINDING	1
#define EXIT_TROUBLE	2

/* A proc file larger than this is not one of ours. */
#define MAX_FILE	(1024 * 1024)

#define NEAR_PCT	90	/* "near" a ceiling: at or above this share */
#define RESERVED_PIDS	300	/* the kernel never reuses PIDs below this */
#define UNLIMITED	ULLONG_MAX

static const char *root = "";

static const char proc_stats[] = "/proc/enomem_stats";
static const char debugfs_dir[] = "/sys/kernel/debug";
static const char events_file[] = "/sys/kernel/debug/enomem_stats/events";

/* ------------------------------------------------------------------ */
/* The counters of /proc/enomem_stats, in the README's order.          */

enum {
	R_PID_MAX, R_PIDNS_DEAD, R_COMMIT, R_CGROUP_PIDS, R_NPROC,
	R_THREADS_MAX, R_MEMCG, R_SLAB, R_OTHER, R_UNKNOWN,
	NR_REASONS
};

enum {
	C_FORK_FAILED, C_FORK_ENOMEM, C_FORK_EAGAIN, C_FORK_OTHER,
	C_REASON_FIRST,
	C_MISSED = C_REASON_FIRST + NR_REASONS,
	NR_COUNTERS
};

static const char *const counter_names[NR_COUNTERS] = {
	"fork_failed", "fork_enomem", "fork_eagain", "fork_other",
	"pid_max", "pidns_dead", "commit", "cgroup_pids", "nproc",
	"threads_max", "memcg", "slab", "other", "unknown",
	"missed",
};

struct reason_info {
	const char *col;	/* interval mode column header */
	const char *limit;	/* what refused the fork */
	const char *hint;	/* where to look, how to raise it */
};

static const struct reason_info reasons[NR_REASONS] = {
	[R_PID_MAX] = { "pidmax", "PID numbers exhausted (kernel.pid_max)",
		"count threads with ps -eLf | wc -l; raise sysctl kernel.pid_max (up to 4194304) or find the thread leak" },
	[R_PIDNS_DEAD] = { "pidns", "the PID namespace's init has exited",
		"a container whose init died, or unshare -p without --fork; restart the container" },
	[R_COMMIT] = { "commit", "commit refused (vm.overcommit_memory, CommitLimit)",
		"compare Committed_AS with CommitLimit in /proc/meminfo; raise vm.overcommit_ratio or add swap" },
	[R_CGROUP_PIDS] = { "cgpids", "cgroup pids.max (systemd TasksMax=)",
		"find the cgroup with enomemstat --events or --diagnose; raise pids.max or TasksMax=" },
	[R_NPROC] = { "nproc", "RLIMIT_NPROC (ulimit -u, systemd LimitNPROC=)",
		"it counts every thread of the user: ps -L -u USER | wc -l; raise nproc in limits.conf or LimitNPROC=" },
	[R_THREADS_MAX] = { "thrmax", "kernel.threads-max",
		"compare with the thread count (ps -eLf | wc -l); raise sysctl kernel.threads-max" },
	[R_MEMCG] = { "memcg", "a memory cgroup limit (memory.max, memory.limit_in_bytes)",
		"find the cgroup with enomemstat --events; raise memory.max or MemoryMax= (3.10: memory.kmem.limit_in_bytes)" },
	[R_SLAB] = { "slab", "kernel memory allocation failed",
		"real memory pressure or fragmentation: look for page allocation failures in dmesg, /proc/buddyinfo" },
	[R_OTHER] = { "other", "another errno (EINVAL, EPERM, ...), not a resource limit",
		"a bad clone flag, seccomp or an LSM, or a namespace limit; enomemstat --events shows the errno" },
	[R_UNKNOWN] = { "unkn", "ENOMEM/EAGAIN the module could not attribute",
		"/sys/kernel/debug/enomem_stats/probes shows which probes failed to register" },
};

struct counters {
	unsigned long long v[NR_COUNTERS];
};

enum { CNT_OK, CNT_ABSENT, CNT_BAD };

/* ------------------------------------------------------------------ */
/* Files                                                               */

/* root + formatted path; a path too long for PATH_MAX is a usage problem. */
static void root_path(char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void root_path(char *buf, size_t len, const char *fmt, ...)
{
	char rel[PATH_MAX];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(rel, sizeof(rel), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(rel))
		errx(EXIT_TROUBLE, "path too long: %s", fmt);
	n = snprintf(buf, len, "%s%s", root, rel);
	if (n < 0 || (size_t)n >= len)
		errx(EXIT_TROUBLE, "path too long under %s: %s", root, rel);
}

/*
 * Read a whole (proc) file into a NUL-terminated malloc'ed buffer.  Returns
 * NULL with errno set; EFBIG if it is implausibly large for a proc file.
 */
static char *read_file(const char *path, size_t *lenp)
{
	size_t len = 0, cap = 4096;
	char *buf, *nbuf;
	ssize_t n;
	int fd, saved;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	buf = malloc(cap);
	if (!buf)
		err(EXIT_TROUBLE, "malloc");
	for (;;) {
		if (cap - len < 2) {
			if (cap >= MAX_FILE) {
				free(buf);
				close(fd);
				errno = EFBIG;
				return NULL;
			}
			cap *= 2;
			nbuf = realloc(buf, cap);
			if (!nbuf)
				err(EXIT_TROUBLE, "realloc");
			buf = nbuf;
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			saved = errno;
			free(buf);
			close(fd);
			errno = saved;
			return NULL;
		}
		if (n == 0)
			break;
		len += n;
	}
	close(fd);
	buf[len] = '\0';
	if (lenp)
		*lenp = len;
	return buf;
}

/* Parse a whole decimal number; "max" (cgroup files) means unlimited. */
static int parse_u64(const char *s, unsigned long long *out)
{
	unsigned long long v;
	char *end;

	if (!strcmp(s, "max")) {
		*out = UNLIMITED;
		return 0;
	}
	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end)
		return -1;
	*out = v;
	return 0;
}

/* A file holding one number (sysctls, cgroup files).  -1 if unreadable. */
static int read_u64(unsigned long long *out, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int read_u64(unsigned long long *out, const char *fmt, ...)
{
	char rel[PATH_MAX], path[PATH_MAX];
	char *buf, *nl;
	va_list ap;
	int n, ret;

	va_start(ap, fmt);
	n = vsnprintf(rel, sizeof(rel), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(rel))
		return -1;
	root_path(path, sizeof(path), "%s", rel);
	buf = read_file(path, NULL);
	if (!buf)
		return -1;
	nl = strchr(buf, '\n');
	if (nl)
		*nl = '\0';
	ret = parse_u64(buf, out);
	free(buf);
	return ret;
}

/* The number after "key" in a "key value" or "Key:\tvalue" file. */
static int keyed_u64(const char *buf, const char *key, unsigned long long *out)
{
	size_t klen = strlen(key);
	const char *p = buf;
	char *end;

	while (p && *p) {
		if (!strncmp(p, key, klen) && (p[klen] == ' ' || p[klen] == '\t')) {
			p += klen;
			while (*p == ' ' || *p == '\t')
				p++;
			if (!isdigit((unsigned char)*p))
				return -1;
			errno = 0;
			*out = strtoull(p, &end, 10);
			return errno ? -1 : 0;
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return -1;
}

static int is_number(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return 0;
	return 1;
}

/* ------------------------------------------------------------------ */
/* /proc/enomem_stats                                                  */

static void explain_absent(void)
{
	warnx("the enomem_stats module is not loaded (%s%s does not exist); load it with: modprobe enomem_stats",
	      root, proc_stats);
}

/*
 * Parse by name and ignore names we do not know: the file only ever grows.
 * Anything else that is not "name value\n" is reported, never guessed at.
 */
static int parse_counters(const char *path, char *buf, size_t len,
			  struct counters *c)
{
	int seen[NR_COUNTERS];
	char *line, *next, *sp;
	unsigned long long v;
	int i, lineno = 0;

	memset(seen, 0, sizeof(seen));
	memset(c, 0, sizeof(*c));
	if (len == 0) {
		warnx("%s is empty", path);
		return CNT_BAD;
	}
	if (strlen(buf) != len) {
		warnx("%s: malformed (contains a NUL byte)", path);
		return CNT_BAD;
	}
	if (buf[len - 1] != '\n') {
		warnx("%s is truncated (last line has no newline)", path);
		return CNT_BAD;
	}
	for (line = buf; *line; line = next) {
		next = strchr(line, '\n');
		*next++ = '\0';
		lineno++;
		sp = strchr(line, ' ');
		if (!sp || sp == line || parse_u64(sp + 1, &v) ||
		    !strcmp(sp + 1, "max")) {
			warnx("%s:%d: malformed line '%.60s' (expected 'name value')",
			      path, lineno, line);
			return CNT_BAD;
		}
		*sp = '\0';
		for (i = 0; i < NR_COUNTERS; i++) {
			if (!strcmp(line, counter_names[i])) {
				c->v[i] = v;
				seen[i] = 1;
				break;
			}
		}
	}
	for (i = 0; i < NR_COUNTERS; i++) {
		if (!seen[i]) {
			warnx("%s is truncated or malformed: '%s' is missing",
			      path, counter_names[i]);
			return CNT_BAD;
		}
	}
	return CNT_OK;
}

static int read_counters(struct counters *c)
{
	unsigned long long sum = 0;
	char path[PATH_MAX];
	size_t len;
	char *buf;
	int i, ret;

	root_path(path, sizeof(path), "%s", proc_stats);
	buf = read_file(path, &len);
	if (!buf) {
		if (errno == ENOENT) {
			explain_absent();
			return CNT_ABSENT;
		}
		if (errno == EACCES || errno == EPERM)
			warnx("%s: permission denied", path);
		else
			warn("%s", path);
		return CNT_BAD;
	}
	ret = parse_counters(path, buf, len, c);
	free(buf);
	if (ret != CNT_OK)
		return ret;
	for (i = 0; i < NR_REASONS; i++)
		sum += c->v[C_REASON_FIRST + i];
	if (sum != c->v[C_FORK_FAILED] ||
	    c->v[C_FORK_ENOMEM] + c->v[C_FORK_EAGAIN] + c->v[C_FORK_OTHER] !=
	    c->v[C_FORK_FAILED])
		warnx("%s: the counters do not add up to fork_failed (module bug?)",
		      path);
	return CNT_OK;
}

/* ------------------------------------------------------------------ */
/* Output helpers                                                      */

static void json_string(const char *s)
{
	const unsigned char *p;

	putchar('"');
	for (p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			printf("\\%c", *p);
		else if (*p == '\n')
			fputs("\\n", stdout);
		else if (*p == '\t')
			fputs("\\t", stdout);
		else if (*p < 0x20 || *p >= 0x7f)
			/* comm may be any bytes: keep the JSON valid ASCII */
			printf("\\u%04x", *p);
		else
			putchar(*p);
	}
	putchar('"');
}

static void finish_stdout(void)
{
	if (fflush(stdout) == EOF || ferror(stdout))
		err(EXIT_TROUBLE, "write to standard output");
}

/* ------------------------------------------------------------------ */
/* Counters: table, JSON, Prometheus, interval                         */

static void print_table(const struct counters *c)
{
	unsigned long long n;
	int i;

	printf("enomem_stats: %llu failed forks (ENOMEM %llu, EAGAIN %llu, other errno %llu)\n",
	       c->v[C_FORK_FAILED], c->v[C_FORK_ENOMEM], c->v[C_FORK_EAGAIN],
	       c->v[C_FORK_OTHER]);
	if (!c->v[C_FORK_FAILED])
		printf("No failed fork counted since the module was loaded or reset.\n");
	printf("\n%-12s %10s  %s\n", "REASON", "FAILED", "LIMIT: WHERE TO LOOK");
	for (i = 0; i < NR_REASONS; i++) {
		n = c->v[C_REASON_FIRST + i];
		if (n)
			printf("%-12s %10llu  %s: %s\n", counter_names[C_REASON_FIRST + i],
			       n, reasons[i].limit, reasons[i].hint);
		else
			printf("%-12s %10llu\n", counter_names[C_REASON_FIRST + i], n);
	}
	if (c->v[C_MISSED])
		printf("\n%llu forks were not observed (kretprobe instances exhausted); raise the module parameter maxactive.\n",
		       c->v[C_MISSED]);
}

static void print_json(const struct counters *c, int sample)
{
	int i;

	printf("{\"module_loaded\":true,");
	if (sample >= 0)
		printf("\"sample\":%d,\"delta\":%s,", sample,
		       sample ? "true" : "false");
	printf("\"fork_failed\":%llu,\"errno\":{\"ENOMEM\":%llu,\"EAGAIN\":%llu,\"other\":%llu},\"reasons\":{",
	       c->v[C_FORK_FAILED], c->v[C_FORK_ENOMEM], c->v[C_FORK_EAGAIN],
	       c->v[C_FORK_OTHER]);
	for (i = 0; i < NR_REASONS; i++)
		printf("%s\"%s\":%llu", i ? "," : "",
		       counter_names[C_REASON_FIRST + i], c->v[C_REASON_FIRST + i]);
	printf("},\"missed\":%llu}\n", c->v[C_MISSED]);
}

static void prom_family(const char *name, const char *type, const char *help)
{
	printf("# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* node_exporter textfile-collector format; c is NULL without the module. */
static void print_prometheus(const struct counters *c)
{
	static const char *const errnos[] = { "ENOMEM", "EAGAIN", "other" };
	int i;

	prom_family("enomem_stats_module_loaded", "gauge",
		    "Whether /proc/enomem_stats was readable (enomem_stats.ko loaded).");
	printf("enomem_stats_module_loaded %d\n", c ? 1 : 0);
	if (!c)
		return;
	prom_family("enomem_stats_forks_failed_total", "counter",
		    "Failed fork/clone/vfork/clone3 calls seen by enomem_stats.");
	printf("enomem_stats_forks_failed_total %llu\n", c->v[C_FORK_FAILED]);
	prom_family("enomem_stats_fork_errno_total", "counter",
		    "Failed forks by the errno returned.");
	for (i = 0; i < 3; i++)
		printf("enomem_stats_fork_errno_total{errno=\"%s\"} %llu\n",
		       errnos[i], c->v[C_FORK_ENOMEM + i]);
	prom_family("enomem_stats_fork_failures_total", "counter",
		    "Failed forks by the limit that refused them.");
	for (i = 0; i < NR_REASONS; i++)
		printf("enomem_stats_fork_failures_total{reason=\"%s\"} %llu\n",
		       counter_names[C_REASON_FIRST + i], c->v[C_REASON_FIRST + i]);
	prom_family("enomem_stats_missed_total", "counter",
		    "Forks enomem_stats could not observe (kretprobe instances exhausted).");
	printf("enomem_stats_missed_total %llu\n", c->v[C_MISSED]);
}

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void interval_header(void)
{
	int i;

	printf("%7s %6s %6s %5s", "failed", "ENOMEM", "EAGAIN", "oerr");
	for (i = 0; i < NR_REASONS; i++)
		printf(" %6s", reasons[i].col);
	printf(" %6s\n", "missed");
}

static void interval_line(const struct counters *d)
{
	int i;

	printf("%7llu %6llu %6llu %5llu", d->v[C_FORK_FAILED],
	       d->v[C_FORK_ENOMEM], d->v[C_FORK_EAGAIN], d->v[C_FORK_OTHER]);
	for (i = 0; i < NR_REASONS; i++)
		printf(" %6llu", d->v[C_REASON_FIRST + i]);
	printf(" %6llu\n", d->v[C_MISSED]);
}

/* Sleep, but wake for Ctrl-C: the handler is installed without SA_RESTART. */
static void nap(double seconds)
{
	struct timespec ts, rem;

	ts.tv_sec = (time_t)seconds;
	ts.tv_nsec = (long)((seconds - (double)ts.tv_sec) * 1e9);
	while (!stop && nanosleep(&ts, &rem) < 0 && errno == EINTR)
		ts = rem;
}

/*
 * Like vmstat: the first line is the totals since load or reset, then one
 * line of deltas per interval.  A counter that went down means someone
 * reset the counters; its delta is then the new value.
 */
static int run_interval(double interval, long count, int json)
{
	struct counters prev, cur, d;
	struct sigaction sa;
	long sample;
	int i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	memset(&prev, 0, sizeof(prev));
	for (sample = 0; !stop && (count <= 0 || sample < count); sample++) {
		if (sample)
			nap(interval);
		if (stop)
			break;
		if (read_counters(&cur) != CNT_OK)
			return EXIT_TROUBLE;
		for (i = 0; i < NR_COUNTERS; i++)
			d.v[i] = cur.v[i] >= prev.v[i] ? cur.v[i] - prev.v[i] : cur.v[i];
		if (json) {
			print_json(&d, sample > INT_MAX ? INT_MAX : (int)sample);
		} else {
			if (sample % 20 == 0)
				interval_header();
			interval_line(&d);
		}
		finish_stdout();
		prev = cur;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* --reset                                                             */

static int do_reset(void)
{
	static const char msg[] = "reset\n";
	char path[PATH_MAX];
	ssize_t n;
	int fd;

	root_path(path, sizeof(path), "%s", proc_stats);
	/* no O_TRUNC: proc ignores it, and a fixture file must keep its size */
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT) {
			explain_absent();
			return EXIT_TROUBLE;
		}
		if (errno == EACCES || errno == EPERM) {
			warnx("%s: permission denied: --reset needs root (CAP_SYS_ADMIN)",
			      path);
			return EXIT_TROUBLE;
		}
		warn("%s", path);
		return EXIT_TROUBLE;
	}
	n = write(fd, msg, sizeof(msg) - 1);
	if (n != (ssize_t)(sizeof(msg) - 1)) {
		if (n < 0 && errno == EPERM)
			warnx("%s: permission denied: --reset needs CAP_SYS_ADMIN",
			      path);
		else if (n < 0)
			warn("%s: reset refused", path);
		else
			warnx("%s: short write", path);
		close(fd);
		return EXIT_TROUBLE;
	}
	if (close(fd) < 0) {
		warn("%s", path);
		return EXIT_TROUBLE;
	}
	printf("enomem_stats counters reset\n");
	return 0;
}

/* ------------------------------------------------------------------ */
/* --events: the debugfs event log                                     */

enum { EV_TIME, EV_PID, EV_TGID, EV_UID, EV_KIND, EV_ERRNO, EV_REASON,
	EV_LIMIT, EV_CGROUP, NR_EV_FIELDS };

struct event {
	char *f[NR_EV_FIELDS];
	char *comm;
};

/* Undo the kernel's \ooo escapes (as in /proc/mounts), in place. */
static void unescape(char *s)
{
	char *out = s;

	while (*s) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' &&
		    s[2] >= '0' && s[2] <= '7' && s[3] >= '0' && s[3] <= '7') {
			*out++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 +
					(s[3] - '0'));
			s += 4;
		} else {
			*out++ = *s++;
		}
	}
	*out = '\0';
}

/* For the readable table: one event stays one line whatever comm holds. */
static void print_sanitized(const char *s)
{
	for (; *s; s++)
		putchar(iscntrl((unsigned char)*s) ? '?' : *s);
}

/*
 * Fields by position: the first nine, then comm is the last token.  A
 * future field would be inserted before comm, so tokens in between are
 * skipped rather than misread.
 */
static int parse_event(char *line, struct event *e)
{
	char *tok[64];
	int n = 0, i;
	unsigned long long v;
	char *p = line;

	while (p && n < 64) {
		tok[n++] = p;
		p = strchr(p, ' ');
		if (p)
			*p++ = '\0';
	}
	if (p || n < NR_EV_FIELDS + 1)
		return -1;
	for (i = 0; i < n; i++)
		if (!*tok[i])
			return -1;
	for (i = EV_TIME; i <= EV_UID; i++)
		if (parse_u64(tok[i], &v) || !strcmp(tok[i], "max"))
			return -1;
	for (i = 0; i < NR_EV_FIELDS; i++)
		e->f[i] = tok[i];
	e->comm = tok[n - 1];
	unescape(e->f[EV_CGROUP]);
	unescape(e->comm);
	return 0;
}

static void explain_no_events(const char *path, int saved)
{
	char p[PATH_MAX];
	struct stat st;
	DIR *d;
	struct dirent *de;
	int empty = 1;

	if (saved == EACCES || saved == EPERM) {
		warnx("%s: permission denied: the event log is readable by root only",
		      path);
		return;
	}
	if (saved != ENOENT) {
		errno = saved;
		warn("%s", path);
		return;
	}
	root_path(p, sizeof(p), "%s", debugfs_dir);
	d = opendir(p);
	if (d) {
		while ((de = readdir(d)))
			if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
				empty = 0;
		closedir(d);
	} else if (errno == EACCES) {
		warnx("%s: permission denied: the event log is readable by root only",
		      p);
		return;
	}
	if (!d || empty) {
		warnx("debugfs is not mounted at %s, so there is no event log; mount it with: mount -t debugfs none /sys/kernel/debug",
		      p);
		return;
	}
	root_path(p, sizeof(p), "%s", proc_stats);
	if (stat(p, &st) < 0) {
		explain_absent();
		return;
	}
	warnx("%s does not exist: the module is loaded but has no debugfs files (debugfs locked down or not built?); the counters still work",
	      path);
}

static void print_event_row(const struct event *e)
{
	unsigned long long ns = strtoull(e->f[EV_TIME], NULL, 10);

	printf("%7llu.%06llu %7s %7s %6s %-7s %-7s %-12s %-20s ",
	       ns / 1000000000ULL, ns % 1000000000ULL / 1000ULL,
	       e->f[EV_PID], e->f[EV_TGID], e->f[EV_UID], e->f[EV_KIND],
	       e->f[EV_ERRNO], e->f[EV_REASON], e->f[EV_LIMIT]);
	printf("%-24s ", e->f[EV_CGROUP]);
	print_sanitized(e->comm);
	putchar('\n');
}

static void print_event_json(const struct event *e, int first)
{
	printf("%s{\"time_ns\":%s,\"pid\":%s,\"tgid\":%s,\"uid\":%s,\"kind\":",
	       first ? "" : ",", e->f[EV_TIME], e->f[EV_PID], e->f[EV_TGID],
	       e->f[EV_UID]);
	json_string(e->f[EV_KIND]);
	printf(",\"errno\":");
	json_string(e->f[EV_ERRNO]);
	printf(",\"reason\":");
	json_string(e->f[EV_REASON]);
	printf(",\"limit\":");
	if (strcmp(e->f[EV_LIMIT], "-"))
		json_string(e->f[EV_LIMIT]);
	else
		printf("null");
	printf(",\"cgroup\":");
	if (strcmp(e->f[EV_CGROUP], "-"))
		json_string(e->f[EV_CGROUP]);
	else
		printf("null");
	printf(",\"comm\":");
	json_string(e->comm);
	putchar('}');
}

static int show_events(int json)
{
	unsigned long long size = 0, recorded = 0, overwritten = 0;
	int have_header = 0, lineno = 0, bad = 0, rows = 0;
	char path[PATH_MAX];
	char *buf, *line, *next;
	struct event e;
	size_t len;

	root_path(path, sizeof(path), "%s", events_file);
	buf = read_file(path, &len);
	if (!buf) {
		explain_no_events(path, errno);
		return EXIT_TROUBLE;
	}
	if (len && buf[len - 1] != '\n') {
		warnx("%s is truncated (last line has no newline); ignoring that line",
		      path);
		bad = 1;
		line = strrchr(buf, '\n');
		if (line)
			line[1] = '\0';
		else
			buf[0] = '\0';
	}
	/* the first header line carries the ring's bookkeeping */
	if (sscanf(buf, "# enomem_stats events: size %llu recorded %llu overwritten %llu",
		   &size, &recorded, &overwritten) == 3)
		have_header = 1;
	else {
		warnx("%s: first line is not the '# enomem_stats events:' header", path);
		bad = 1;
	}
	if (json)
		printf("{\"size\":%llu,\"recorded\":%llu,\"overwritten\":%llu,\"events\":[",
		       size, recorded, overwritten);
	else if (have_header)
		printf("# %llu failed forks recorded, the ring holds %llu, %llu overwritten before they were read\n",
		       recorded, size, overwritten);
	for (line = buf; *line; line = next) {
		next = strchr(line, '\n');
		*next++ = '\0';
		lineno++;
		if (line[0] == '#')	/* headers may be added: skip them all */
			continue;
		if (parse_event(line, &e)) {
			warnx("%s:%d: malformed event line skipped", path, lineno);
			bad = 1;
			continue;
		}
		if (json) {
			print_event_json(&e, rows == 0);
		} else {
			if (rows == 0)
				printf("%14s %7s %7s %6s %-7s %-7s %-12s %-20s %-24s %s\n",
				       "TIME(s)", "PID", "TGID", "UID", "KIND", "ERRNO",
				       "REASON", "LIMIT", "CGROUP", "COMM");
			print_event_row(&e);
		}
		rows++;
	}
	if (json)
		printf("]}\n");
	else if (!rows)
		printf("No failed fork recorded.\n");
	free(buf);
	return bad ? EXIT_TROUBLE : 0;
}

/* ------------------------------------------------------------------ */
/* --diagnose                                                          */

enum sev { SEV_OK, SEV_PAST, SEV_NEAR, SEV_HIT };
static const char *const sev_names[] = { "ok", "past", "near", "hit" };

struct finding {
	enum sev sev;
	int reason;			/* R_*, or -1 if no module reason */
	char check[24];
	unsigned long long used, limit;	/* limit UNLIMITED: none */
	unsigned long long failed;	/* the module's count for reason */
	int order;
	char text[640];
};

static struct finding *findings;
static int nr_findings, cap_findings;
static struct counters diag_cnt;
static int diag_have_cnt;

static unsigned long long failed_for(int reason)
{
	if (!diag_have_cnt || reason < 0)
		return 0;
	return diag_cnt.v[C_REASON_FIRST + reason];
}

/* Checked append to a finding's text; a long cgroup path is cut, not overrun. */
static void appendf(char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void appendf(char *buf, size_t len, const char *fmt, ...)
{
	size_t used = strlen(buf);
	va_list ap;
	int n;

	if (used + 1 >= len)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf + used, len - used, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= len - used)
		memcpy(buf + len - 4, "...", 4);
}

static enum sev grade(unsigned long long used, unsigned long long limit,
		      unsigned long long hit_at)
{
	if (limit == UNLIMITED)
		return SEV_OK;
	if (used >= hit_at)
		return SEV_HIT;
	/* long double: used * 100 must not overflow for huge byte limits */
	if ((long double)used * 100 >= (long double)limit * NEAR_PCT)
		return SEV_NEAR;
	return SEV_OK;
}

static unsigned int pct(unsigned long long used, unsigned long long limit)
{
	if (limit == UNLIMITED)
		return 0;
	if (used >= limit)
		return 100;
	return (unsigned int)((long double)used * 100 / limit);
}

/*
 * Record one checked item.  what is the state ("32701 of 32768 PIDs in
 * use"); advice is how to raise or find it, printed only when it matters.
 */
static struct finding *add_finding(enum sev sev, int reason, const char *check,
				   unsigned long long used,
				   unsigned long long limit, const char *what,
				   const char *advice)
{
	struct finding *f, *nf;
	unsigned long long n = failed_for(reason);

	if (nr_findings == cap_findings) {
		cap_findings = cap_findings ? cap_findings * 2 : 32;
		nf = realloc(findings, cap_findings * sizeof(*findings));
		if (!nf)
			err(EXIT_TROUBLE, "realloc");
		findings = nf;
	}
	f = &findings[nr_findings];
	memset(f, 0, sizeof(*f));
	f->order = nr_findings++;
	if (sev == SEV_OK && n)
		sev = SEV_PAST;
	f->sev = sev;
	f->reason = reason;
	f->used = used;
	f->limit = limit;
	f->failed = n;
	snprintf(f->check, sizeof(f->check), "%s", check);
	appendf(f->text, sizeof(f->text), "%s: %s", check, what);
	if (n)
		appendf(f->text, sizeof(f->text), "; %llu fork%s failed for this reason",
			n, n == 1 ? "" : "s");
	if (sev != SEV_OK && advice)
		appendf(f->text, sizeof(f->text), "; %s", advice);
	return f;
}

static int finding_cmp(const void *a, const void *b)
{
	const struct finding *x = a, *y = b;
	unsigned int px = pct(x->used, x->limit), py = pct(y->used, y->limit);

	if (x->sev != y->sev)
		return y->sev - x->sev;
	if (px != py)
		return py > px ? 1 : -1;
	if (x->failed != y->failed)
		return y->failed > x->failed ? 1 : -1;
	return x->order - y->order;
}

static void note_unreadable(const char *check, const char *what)
{
	char text[PATH_MAX + 64];

	snprintf(text, sizeof(text), "cannot read %s%s (%s)", root, what,
		 strerror(errno));
	add_finding(SEV_OK, -1, check, 0, UNLIMITED, text, NULL);
}

/* Threads (kernel scheduling entities) in use: the 4th field of loadavg. */
static int nr_threads(unsigned long long *out)
{
	char path[PATH_MAX];
	char *buf, *slash;
	int ret = -1;

	root_path(path, sizeof(path), "/proc/loadavg");
	buf = read_file(path, NULL);
	if (!buf)
		return -1;
	slash = strchr(buf, '/');
	if (slash && isdigit((unsigned char)slash[1])) {
		*out = strtoull(slash + 1, NULL, 10);
		ret = 0;
	}
	free(buf);
	return ret;
}

static void check_pid_max(unsigned long long threads, int have_threads)
{
	unsigned long long pid_max, hit_at;
	char what[160];

	if (read_u64(&pid_max, "/proc/sys/kernel/pid_max")) {
		note_unreadable("pid_max", "/proc/sys/kernel/pid_max");
		return;
	}
	if (!have_threads) {
		snprintf(what, sizeof(what), "kernel.pid_max %llu (thread count unknown)",
			 pid_max);
		add_finding(SEV_OK, R_PID_MAX, "pid_max", 0, pid_max, what, NULL);
		return;
	}
	/*
	 * After the first wrap PIDs below 300 are never handed out again, so
	 * only pid_max - 300 of them are sure to be there (pid_max 400 runs
	 * out at about 100 tasks).
	 */
	hit_at = pid_max > RESERVED_PIDS ? pid_max - RESERVED_PIDS : pid_max;
	snprintf(what, sizeof(what), "%llu of %llu PIDs in use (%u%%)", threads,
		 pid_max, pct(threads, pid_max));
	if (threads >= hit_at && threads < pid_max)
		appendf(what, sizeof(what), "; PIDs below %d are not reused, so %llu is the real ceiling",
			RESERVED_PIDS, hit_at);
	add_finding(grade(threads, hit_at, hit_at), R_PID_MAX, "pid_max", threads,
		    pid_max, what,
		    "raise kernel.pid_max or find the thread leak (ps -eLf | wc -l)");
}

static void check_threads_max(unsigned long long threads, int have_threads)
{
	unsigned long long max;
	char what[160];

	if (read_u64(&max, "/proc/sys/kernel/threads-max")) {
		note_unreadable("threads_max", "/proc/sys/kernel/threads-max");
		return;
	}
	if (!have_threads) {
		snprintf(what, sizeof(what), "kernel.threads-max %llu (thread count unknown)",
			 max);
		add_finding(SEV_OK, R_THREADS_MAX, "threads_max", 0, max, what, NULL);
		return;
	}
	snprintf(what, sizeof(what), "%llu of %llu threads (kernel.threads-max, %u%%)",
		 threads, max, pct(threads, max));
	add_finding(grade(threads, max, max), R_THREADS_MAX, "threads_max", threads,
		    max, what, "raise kernel.threads-max or find the thread leak");
}

static void check_memory(void)
{
	unsigned long long mode, ratio = 0, kbytes = 0, limit, committed;
	unsigned long long swap_total, swap_free;
	char path[PATH_MAX], what[320];
	char *mi;
	enum sev sev;

	root_path(path, sizeof(path), "/proc/meminfo");
	mi = read_file(path, NULL);
	if (!mi) {
		note_unreadable("commit", "/proc/meminfo");
		return;
	}
	if (read_u64(&mode, "/proc/sys/vm/overcommit_memory")) {
		note_unreadable("commit", "/proc/sys/vm/overcommit_memory");
		free(mi);
		return;
	}
	read_u64(&ratio, "/proc/sys/vm/overcommit_ratio");
	read_u64(&kbytes, "/proc/sys/vm/overcommit_kbytes");
	if (keyed_u64(mi, "CommitLimit:", &limit) ||
	    keyed_u64(mi, "Committed_AS:", &committed) ||
	    keyed_u64(mi, "SwapTotal:", &swap_total) ||
	    keyed_u64(mi, "SwapFree:", &swap_free)) {
		errno = EINVAL;
		note_unreadable("commit", "/proc/meminfo: CommitLimit, Committed_AS, SwapTotal or SwapFree");
		free(mi);
		return;
	}
	free(mi);

	if (mode == 2) {
		snprintf(what, sizeof(what),
			 "Committed_AS %llu kB of CommitLimit %llu kB (%u%%; vm.overcommit_memory=2, ",
			 committed, limit, pct(committed, limit));
		if (kbytes)
			appendf(what, sizeof(what), "overcommit_kbytes=%llu", kbytes);
		else
			appendf(what, sizeof(what), "overcommit_ratio=%llu", ratio);
		appendf(what, sizeof(what), ", swap %llu kB)", swap_total);
		add_finding(grade(committed, limit, limit), R_COMMIT, "commit",
			    committed, limit, what,
			    "raise vm.overcommit_ratio (or overcommit_kbytes), add swap, or find what commits memory");
	} else {
		snprintf(what, sizeof(what),
			 "vm.overcommit_memory=%llu (%s), Committed_AS %llu kB, CommitLimit %llu kB not enforced",
			 mode, mode == 1 ? "always overcommit" : "heuristic", committed,
			 limit);
		add_finding(SEV_OK, R_COMMIT, "commit", committed, UNLIMITED, what,
			    mode == 1 ? "mode 1 never refuses: was the mode different then?" :
			    "mode 0 refuses a fork bigger than free memory + swap on 3.10/4.19 kernels (e.g. a big Redis or JVM): add swap or memory, or use mode 1 knowing the OOM risk");
	}

	if (!swap_total) {
		add_finding(SEV_OK, -1, "swap", 0, UNLIMITED, "no swap configured", NULL);
		return;
	}
	snprintf(what, sizeof(what), "%llu of %llu kB swap used (%u%%)",
		 swap_total - swap_free, swap_total,
		 pct(swap_total - swap_free, swap_total));
	sev = grade(swap_total - swap_free, swap_total, swap_total);
	if (mode == 1 && sev == SEV_HIT)
		sev = SEV_NEAR;
	add_finding(sev, -1, "swap", swap_total - swap_free, swap_total, what,
		    "memory is short: the overcommit heuristic and kernel allocations (slab) have little left");
}

static void check_map_count(int pid)
{
	unsigned long long max, maps = 0;
	char path[PATH_MAX], what[200];
	char *buf, *p;

	if (read_u64(&max, "/proc/sys/vm/max_map_count")) {
		note_unreadable("max_map_count", "/proc/sys/vm/max_map_count");
		return;
	}
	if (pid <= 0) {
		snprintf(what, sizeof(what), "vm.max_map_count %llu (--pid PID compares a process's mappings)",
			 max);
		add_finding(SEV_OK, -1, "max_map_count", 0, max, what, NULL);
		return;
	}
	root_path(path, sizeof(path), "/proc/%d/maps", pid);
	buf = read_file(path, NULL);
	if (!buf) {
		snprintf(what, sizeof(what), "/proc/%d/maps", pid);
		note_unreadable("max_map_count", what);
		return;
	}
	for (p = buf; (p = strchr(p, '\n')); p++)
		maps++;
	free(buf);
	snprintf(what, sizeof(what), "pid %d has %llu of %llu mappings (vm.max_map_count, %u%%)",
		 pid, maps, max, pct(maps, max));
	add_finding(grade(maps, max, max), -1, "max_map_count", maps, max, what,
		    "new thread stacks fail with EAGAIN: raise vm.max_map_count or find the mapping leak");
}

/* "Max processes   4096   4096   processes": the soft limit column. */
static int limits_soft(const char *buf, const char *name, unsigned long long *out)
{
	const char *p = strstr(buf, name);
	char tok[32];

	if (!p || sscanf(p + strlen(name), " %31s", tok) != 1)
		return -1;
	if (!strcmp(tok, "unlimited")) {
		*out = UNLIMITED;
		return 0;
	}
	return parse_u64(tok, out) || !strcmp(tok, "max") ? -1 : 0;
}

/* "Uid:\t1000\t1000\t1000\t1000": the real uid, which RLIMIT_NPROC counts. */
static int status_uid(const char *status, unsigned long long *uid)
{
	return keyed_u64(status, "Uid:", uid);
}

static void uid_name(unsigned long long uid, char *buf, size_t len)
{
	char path[PATH_MAX];
	char *pw, *line, *next, *f[4];
	int i;

	snprintf(buf, len, "uid %llu", uid);
	root_path(path, sizeof(path), "/etc/passwd");
	pw = read_file(path, NULL);
	if (!pw)
		return;
	for (line = pw; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		for (i = 0; i < 4; i++) {
			f[i] = strsep(&line, ":");
			if (!f[i])
				break;
		}
		if (i == 4 && is_number(f[2]) && strtoull(f[2], NULL, 10) == uid) {
			snprintf(buf, len, "%s (uid %llu)", f[0], uid);
			break;
		}
	}
	free(pw);
}

/* Tasks (threads, as RLIMIT_NPROC counts them) whose real uid is uid. */
static unsigned long long count_user_tasks(unsigned long long uid)
{
	unsigned long long n = 0, u, threads;
	char path[PATH_MAX];
	struct dirent *de;
	char *st;
	DIR *d;

	root_path(path, sizeof(path), "/proc");
	d = opendir(path);
	if (!d)
		return 0;
	while ((de = readdir(d))) {
		if (!is_number(de->d_name))
			continue;
		root_path(path, sizeof(path), "/proc/%s/status", de->d_name);
		st = read_file(path, NULL);
		if (!st)
			continue;	/* gone meanwhile */
		if (!status_uid(st, &u) && u == uid)
			n += keyed_u64(st, "Threads:", &threads) ? 1 : threads;
		free(st);
	}
	closedir(d);
	return n;
}

static void check_rlimits(int pid)
{
	unsigned long long nproc, as, uid, tasks, vmsize, cap = 0;
	char path[PATH_MAX], what[320], user[96];
	char *limits, *status, *p;

	if (pid <= 0) {
		add_finding(SEV_OK, R_NPROC, "nproc", 0, UNLIMITED,
			    "RLIMIT_NPROC and RLIMIT_AS are per process: --pid PID checks them",
			    NULL);
		return;
	}
	root_path(path, sizeof(path), "/proc/%d/limits", pid);
	limits = read_file(path, NULL);
	if (!limits) {
		snprintf(what, sizeof(what), "/proc/%d/limits", pid);
		note_unreadable("nproc", what);
		return;
	}
	root_path(path, sizeof(path), "/proc/%d/status", pid);
	status = read_file(path, NULL);
	if (!status || status_uid(status, &uid) ||
	    limits_soft(limits, "Max processes", &nproc)) {
		snprintf(what, sizeof(what), "/proc/%d/status or limits", pid);
		if (status)
			errno = EINVAL;
		note_unreadable("nproc", what);
		free(limits);
		free(status);
		return;
	}
	uid_name(uid, user, sizeof(user));
	tasks = count_user_tasks(uid);
	/* CapEff: the kernel exempts CAP_SYS_ADMIN (21), CAP_SYS_RESOURCE (24) */
	p = strstr(status, "CapEff:");
	if (p)
		cap = strtoull(p + 7, NULL, 16);
	if (uid == 0 || (cap & (1ULL << 21 | 1ULL << 24))) {
		snprintf(what, sizeof(what), "%s has %llu task(s); RLIMIT_NPROC is not enforced for pid %d (root or CAP_SYS_ADMIN/CAP_SYS_RESOURCE)",
			 user, tasks, pid);
		add_finding(SEV_OK, R_NPROC, "nproc", tasks, UNLIMITED, what, NULL);
	} else if (nproc == UNLIMITED) {
		snprintf(what, sizeof(what), "%s has %llu task(s); RLIMIT_NPROC of pid %d is unlimited",
			 user, tasks, pid);
		add_finding(SEV_OK, R_NPROC, "nproc", tasks, UNLIMITED, what, NULL);
	} else {
		snprintf(what, sizeof(what), "%s has %llu of %llu tasks (RLIMIT_NPROC of pid %d, counting threads, %u%%)",
			 user, tasks, nproc, pid, pct(tasks, nproc));
		add_finding(grade(tasks, nproc, nproc), R_NPROC, "nproc", tasks, nproc,
			    what,
			    "raise ulimit -u (LimitNPROC=, nproc in /etc/security/limits.conf) or find the user's thread leak");
	}

	if (limits_soft(limits, "Max address space", &as) ||
	    keyed_u64(status, "VmSize:", &vmsize)) {
		/* kernel threads have no VmSize: nothing to compare */
		snprintf(what, sizeof(what), "pid %d has no address space size to compare", pid);
		add_finding(SEV_OK, -1, "rlimit_as", 0, UNLIMITED, what, NULL);
	} else if (as == UNLIMITED) {
		snprintf(what, sizeof(what), "pid %d maps %llu kB; RLIMIT_AS is unlimited",
			 pid, vmsize);
		add_finding(SEV_OK, -1, "rlimit_as", vmsize, UNLIMITED, what, NULL);
	} else {
		snprintf(what, sizeof(what), "pid %d maps %llu of %llu kB (RLIMIT_AS, ulimit -v, %u%%)",
			 pid, vmsize, as / 1024, pct(vmsize, as / 1024));
		add_finding(grade(vmsize, as / 1024, as / 1024), -1, "rlimit_as", vmsize,
			    as / 1024, what,
			    "thread stacks and mmap fail with ENOMEM/EAGAIN: raise ulimit -v (LimitAS=)");
	}
	free(limits);
	free(status);
}

/* Where the cgroup hierarchies are mounted, relative to root. */
static const char *cg2_base(void)
{
	struct stat st;
	char path[PATH_MAX];

	root_path(path, sizeof(path), "/sys/fs/cgroup/cgroup.controllers");
	if (!stat(path, &st))
		return "/sys/fs/cgroup";
	root_path(path, sizeof(path), "/sys/fs/cgroup/unified/cgroup.controllers");
	if (!stat(path, &st))
		return "/sys/fs/cgroup/unified";	/* systemd's hybrid layout */
	return NULL;
}

static int cgroups_checked;

/*
 * One cgroup's pids.current against pids.max.  Returns the severity (-1:
 * no pids controller there) and records a finding for anything but "ok",
 * or always if report_ok.  *best/fullest track the fullest level seen.
 */
static int check_pids_dir(const char *base, const char *cg, int v1,
			  int report_ok, unsigned int *best, char *fullest)
{
	unsigned long long max, cur, events = 0;
	char path[PATH_MAX], what[PATH_MAX + 200];
	const char *p = strcmp(cg, "/") ? cg : "";
	char *ev;
	enum sev sev;

	if (read_u64(&max, "%s%s/pids.max", base, p) ||
	    read_u64(&cur, "%s%s/pids.current", base, p))
		return -1;	/* no pids controller here (e.g. the root) */
	cgroups_checked++;
	if (best && (!fullest[0] || pct(cur, max) > *best)) {
		*best = pct(cur, max);
		snprintf(fullest, PATH_MAX, "%s", cg);
	}
	/* v2 counts refusals at the cgroup whose limit was hit (v1: no file) */
	root_path(path, sizeof(path), "%s%s/pids.events", base, p);
	ev = read_file(path, NULL);
	if (ev) {
		keyed_u64(ev, "max", &events);
		free(ev);
	}
	sev = grade(cur, max, max);
	if (sev == SEV_OK && events)
		sev = SEV_PAST;
	if (sev == SEV_OK && !report_ok)
		return sev;
	if (max == UNLIMITED)
		snprintf(what, sizeof(what), "%s%s: %llu task(s), pids.max is max",
			 cg, v1 ? " (v1)" : "", cur);
	else
		snprintf(what, sizeof(what), "%s%s: %llu of %llu tasks (pids.max, %u%%)",
			 cg, v1 ? " (v1)" : "", cur, max, pct(cur, max));
	if (events)
		appendf(what, sizeof(what), "; pids.events: it refused %llu fork%s",
			events, events == 1 ? "" : "s");
	add_finding(sev, R_CGROUP_PIDS, "cgroup_pids", cur, max, what,
		    "raise pids.max (systemd: TasksMax=, DefaultTasksMax=) or find the task leak in that cgroup");
	return sev;
}

static void check_memcg_dir(const char *base, const char *cg, int v1)
{
	unsigned long long max, cur, oom = 0;
	char path[PATH_MAX], what[PATH_MAX + 200];
	const char *p = strcmp(cg, "/") ? cg : "";
	char *ev;

	if (v1) {
		if (read_u64(&max, "%s%s/memory.limit_in_bytes", base, p) ||
		    read_u64(&cur, "%s%s/memory.usage_in_bytes", base, p))
			return;
		/* v1 spells "no limit" as a huge page-aligned number */
		if (max >= (1ULL << 62))
			max = UNLIMITED;
	} else if (read_u64(&max, "%s%s/memory.max", base, p) ||
		   read_u64(&cur, "%s%s/memory.current", base, p)) {
		return;
	}
	if (max == UNLIMITED)
		return;
	root_path(path, sizeof(path), "%s%s/memory.events", base, p);
	ev = read_file(path, NULL);
	if (ev) {
		keyed_u64(ev, "oom", &oom);
		free(ev);
	}
	snprintf(what, sizeof(what), "%s%s: %llu of %llu bytes (%s, %u%%)", cg,
		 v1 ? " (v1)" : "", cur, max,
		 v1 ? "memory.limit_in_bytes" : "memory.max", pct(cur, max));
	if (oom)
		appendf(what, sizeof(what), "; memory.events oom %llu", oom);
	add_finding(grade(cur, max, max), R_MEMCG, "memcg", cur, max, what,
		    v1 ? "raise memory.limit_in_bytes (systemd: MemoryLimit=); usage includes page cache, so check memory.failcnt too" :
		    "raise memory.max (systemd: MemoryMax=); usage includes page cache, so check memory.events too");
}

/*
 * Check cg and each ancestor: any of them at its limit refuses the fork.
 * When none is, report the fullest level, so the output says what was read.
 */
static void check_cgroup_chain(const char *base, const char *cg, int v1,
			       int pids, int memory)
{
	char walk[PATH_MAX], fullest[PATH_MAX];
	unsigned int best = 0;
	int sev, worst = -1;
	char *slash;

	fullest[0] = '\0';
	snprintf(walk, sizeof(walk), "%s", cg);
	for (;;) {
		if (pids) {
			sev = check_pids_dir(base, walk, v1, 0, &best, fullest);
			if (sev > worst)
				worst = sev;
		}
		if (memory)
			check_memcg_dir(base, walk, v1);
		if (!strcmp(walk, "/"))
			break;
		slash = strrchr(walk, '/');
		if (slash == walk)
			slash[1] = '\0';
		else
			*slash = '\0';
	}
	if (!pids || worst > SEV_OK)
		return;
	if (worst == SEV_OK) {
		check_pids_dir(base, fullest, v1, 1, NULL, NULL);
	} else {
		snprintf(walk, sizeof(walk), "%s%s: no pids.max on its path", cg,
			 v1 ? " (v1)" : "");
		add_finding(SEV_OK, R_CGROUP_PIDS, "cgroup_pids", 0, UNLIMITED,
			    walk, NULL);
	}
}

/* "0::/path" (v2) and "N:a,pids,b:/path" (v1) lines of /proc/PID/cgroup. */
static void check_pid_cgroups(int pid, const char *v2base)
{
	char path[PATH_MAX], what[64];
	char *buf, *line, *next, *ctrl, *cg;
	int found = 0, v1pids;

	root_path(path, sizeof(path), "/proc/%d/cgroup", pid);
	buf = read_file(path, NULL);
	if (!buf) {
		snprintf(what, sizeof(what), "/proc/%d/cgroup", pid);
		note_unreadable("cgroup_pids", what);
		return;
	}
	for (line = buf; *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		else
			next = line + strlen(line);
		ctrl = strchr(line, ':');
		cg = ctrl ? strchr(ctrl + 1, ':') : NULL;
		if (!cg || cg[1] != '/')
			continue;
		*cg++ = '\0';
		*ctrl++ = '\0';
		if (!strcmp(line, "0") && !*ctrl) {
			if (v2base) {
				check_cgroup_chain(v2base, cg, 0, 1, 1);
				found = 1;
			}
			continue;
		}
		v1pids = !strcmp(ctrl, "pids") || strstr(ctrl, ",pids") ||
			 !strncmp(ctrl, "pids,", 5);
		if (v1pids) {
			check_cgroup_chain("/sys/fs/cgroup/pids", cg, 1, 1, 0);
			found = 1;
		} else if (!strcmp(ctrl, "memory")) {
			check_cgroup_chain("/sys/fs/cgroup/memory", cg, 1, 0, 1);
		}
	}
	free(buf);
	if (!found)
		add_finding(SEV_OK, R_CGROUP_PIDS, "cgroup_pids", 0, UNLIMITED,
			    "no pids controller for this process", NULL);
}

static void check_named_cgroup(const char *cg, const char *v2base)
{
	char path[PATH_MAX];
	struct stat st;
	int found = 0;

	if (v2base) {
		root_path(path, sizeof(path), "%s%s", v2base, cg);
		if (!stat(path, &st) && S_ISDIR(st.st_mode)) {
			check_cgroup_chain(v2base, cg, 0, 1, 1);
			found = 1;
		}
	}
	root_path(path, sizeof(path), "/sys/fs/cgroup/pids%s", cg);
	if (!stat(path, &st) && S_ISDIR(st.st_mode)) {
		check_cgroup_chain("/sys/fs/cgroup/pids", cg, 1, 1, 0);
		found = 1;
	}
	root_path(path, sizeof(path), "/sys/fs/cgroup/memory%s", cg);
	if (!stat(path, &st) && S_ISDIR(st.st_mode)) {
		check_cgroup_chain("/sys/fs/cgroup/memory", cg, 1, 0, 1);
		found = 1;
	}
	if (!found)
		errx(EXIT_TROUBLE, "no cgroup %s under %s/sys/fs/cgroup (v2, pids or memory)",
		     cg, root);
}

/* Without --pid/--cgroup: every cgroup with a pids limit, reporting the full ones. */
static void scan_pids(const char *base, const char *cg, int v1, int depth)
{
	char path[PATH_MAX], sub[PATH_MAX];
	struct dirent *de;
	struct stat st;
	DIR *d;
	int n;

	check_pids_dir(base, cg, v1, 0, NULL, NULL);
	if (depth > 32)
		return;
	root_path(path, sizeof(path), "%s%s", base, strcmp(cg, "/") ? cg : "");
	d = opendir(path);
	if (!d)
		return;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.' ||
		    (de->d_type != DT_DIR && de->d_type != DT_UNKNOWN))
			continue;
		n = snprintf(sub, sizeof(sub), "%s/%s", strcmp(cg, "/") ? cg : "",
			     de->d_name);
		if (n < 0 || (size_t)n >= sizeof(sub))
			continue;
		/* some filesystems do not fill d_type: ask, without following links */
		if (de->d_type == DT_UNKNOWN) {
			root_path(path, sizeof(path), "%s%s", base, sub);
			if (lstat(path, &st) < 0 || !S_ISDIR(st.st_mode))
				continue;
		}
		scan_pids(base, sub, v1, depth + 1);
	}
	closedir(d);
}

static void check_all_cgroups(const char *v2base)
{
	char path[PATH_MAX], what[160];
	struct stat st;
	int n = nr_findings;

	cgroups_checked = 0;
	if (v2base)
		scan_pids(v2base, "/", 0, 0);
	root_path(path, sizeof(path), "/sys/fs/cgroup/pids");
	if (!stat(path, &st) && S_ISDIR(st.st_mode))
		scan_pids("/sys/fs/cgroup/pids", "/", 1, 0);
	if (nr_findings == n) {
		snprintf(what, sizeof(what), "%d cgroups with pids.max checked, none near it (--pid or --cgroup for one)",
			 cgroups_checked);
		add_finding(SEV_OK, R_CGROUP_PIDS, "cgroup_pids", 0, UNLIMITED, what, NULL);
	}
}

/* Reasons the module counted that no state check speaks for. */
static void add_past_only(void)
{
	int r, i, covered;

	for (r = 0; r < NR_REASONS; r++) {
		if (!failed_for(r))
			continue;
		covered = 0;
		for (i = 0; i < nr_findings; i++)
			if (findings[i].reason == r)
				covered = 1;
		if (!covered)
			add_finding(SEV_PAST, r, counter_names[C_REASON_FIRST + r], 0, UNLIMITED,
				    reasons[r].limit, reasons[r].hint);
	}
}

static void print_diagnosis_text(int loaded, int exit_code)
{
	int i, nhit = 0, nnear = 0, npast = 0, shown_ok = 0;

	for (i = 0; i < nr_findings; i++) {
		nhit += findings[i].sev == SEV_HIT;
		nnear += findings[i].sev == SEV_NEAR;
		npast += findings[i].sev == SEV_PAST;
	}
	if (loaded)
		printf("enomem_stats: %llu failed forks counted since load or reset\n",
		       diag_cnt.v[C_FORK_FAILED]);
	else
		printf("enomem_stats module not loaded (modprobe enomem_stats): diagnosing from system state only, past failures unknown\n");
	if (exit_code == 0)
		printf("No ceiling is hit or near (%d past failure reason%s).\n",
		       npast, npast == 1 ? "" : "s");
	else
		printf("%d ceiling%s hit, %d near, %d past failure reason%s.\n",
		       nhit, nhit == 1 ? "" : "s", nnear, npast, npast == 1 ? "" : "s");
	for (i = 0; i < nr_findings; i++) {
		if (findings[i].sev == SEV_OK && !shown_ok++)
			printf("\nChecked, fine:\n");
		if (findings[i].sev != SEV_OK && i == 0)
			putchar('\n');
		printf("%-5s %s\n", findings[i].sev == SEV_OK ? "ok" :
		       findings[i].sev == SEV_HIT ? "HIT" :
		       findings[i].sev == SEV_NEAR ? "NEAR" : "PAST",
		       findings[i].text);
	}
}

static void print_diagnosis_json(int loaded, int exit_code)
{
	const struct finding *f;
	int i;

	printf("{\"module_loaded\":%s,\"status\":\"%s\",",
	       loaded ? "true" : "false", exit_code ? "limit" : "ok");
	if (loaded)
		printf("\"fork_failed\":%llu,", diag_cnt.v[C_FORK_FAILED]);
	printf("\"findings\":[");
	for (i = 0; i < nr_findings; i++) {
		f = &findings[i];
		printf("%s{\"severity\":\"%s\",\"check\":", i ? "," : "",
		       sev_names[f->sev]);
		json_string(f->check);
		printf(",\"reason\":");
		if (f->reason >= 0)
			json_string(counter_names[C_REASON_FIRST + f->reason]);
		else
			printf("null");
		printf(",\"used\":%llu,\"limit\":", f->used);
		if (f->limit == UNLIMITED)
			printf("null");
		else
			printf("%llu", f->limit);
		printf(",\"failed\":%llu,\"text\":", f->failed);
		json_string(f->text);
		putchar('}');
	}
	printf("]}\n");
}

static int diagnose(int pid, const char *cgroup, int json)
{
	unsigned long long threads;
	char path[PATH_MAX];
	const char *v2base;
	struct stat st;
	int have_threads, ret, i, code = 0;

	if (pid > 0) {
		root_path(path, sizeof(path), "/proc/%d", pid);
		if (stat(path, &st) < 0)
			errx(EXIT_TROUBLE, "no process %d (%s: %s)", pid, path,
			     strerror(errno));
	}
	ret = read_counters(&diag_cnt);
	diag_have_cnt = ret == CNT_OK;
	if (ret == CNT_BAD)
		warnx("continuing from system state only");

	have_threads = !nr_threads(&threads);
	check_pid_max(threads, have_threads);
	check_threads_max(threads, have_threads);
	check_memory();
	check_map_count(pid);
	check_rlimits(pid);
	v2base = cg2_base();
	if (pid > 0)
		check_pid_cgroups(pid, v2base);
	if (cgroup)
		check_named_cgroup(cgroup, v2base);
	if (pid <= 0 && !cgroup)
		check_all_cgroups(v2base);
	add_past_only();

	qsort(findings, nr_findings, sizeof(*findings), finding_cmp);
	for (i = 0; i < nr_findings; i++)
		if (findings[i].sev >= SEV_NEAR)
			code = EXIT_FINDING;
	if (json)
		print_diagnosis_json(diag_have_cnt, code);
	else
		print_diagnosis_text(diag_have_cnt, code);
	free(findings);
	return code;
}

/* ------------------------------------------------------------------ */
/* Command line                                                        */

static void usage(FILE *f)
{
	fprintf(f,
		"usage: enomemstat [--json | --prometheus]\n"
		"       enomemstat [--json] INTERVAL [COUNT]\n"
		"       enomemstat --diagnose [--pid PID] [--cgroup PATH] [--json]\n"
		"       enomemstat --events [--json]\n"
		"       enomemstat --reset\n"
		"\n"
		"Names the limit behind failed fork()/clone() calls, from enomem_stats.ko.\n"
		"  --json           machine-readable output\n"
		"  --prometheus     node_exporter textfile-collector format\n"
		"  --diagnose       check the live limits (pid_max, threads-max, commit, cgroups, rlimits)\n"
		"  --pid PID        with --diagnose: that process's rlimits, mappings and cgroups\n"
		"  --cgroup PATH    with --diagnose: that cgroup and its ancestors\n"
		"  --events         the module's recent failed forks (debugfs, root only)\n"
		"  --reset          zero the counters (root)\n"
		"  --root DIR       read proc/sys files below DIR (also ENOMEMSTAT_ROOT)\n"
		"  -h, --help       this text;  -V, --version\n"
		"Exit: 0 fine, 1 --diagnose found a ceiling hit or near, 2 error.\n");
}

static void __attribute__((noreturn)) bad_usage(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "enomemstat: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	usage(stderr);
	exit(EXIT_TROUBLE);
}

int main(int argc, char **argv)
{
	enum { OPT_ROOT = 256, OPT_CGROUP };
	static const struct option opts[] = {
		{ "json",	no_argument,		NULL, 'j' },
		{ "prometheus",	no_argument,		NULL, 'p' },
		{ "diagnose",	no_argument,		NULL, 'd' },
		{ "pid",	required_argument,	NULL, 'P' },
		{ "cgroup",	required_argument,	NULL, OPT_CGROUP },
		{ "events",	no_argument,		NULL, 'e' },
		{ "reset",	no_argument,		NULL, 'r' },
		{ "root",	required_argument,	NULL, OPT_ROOT },
		{ "help",	no_argument,		NULL, 'h' },
		{ "version",	no_argument,		NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	int json = 0, prom = 0, diag = 0, events = 0, reset = 0, pid = 0;
	const char *cgroup = NULL, *env;
	double interval = 0;
	long count = 0;
	struct counters c;
	char *end;
	long v;
	int opt, ret;

	env = getenv("ENOMEMSTAT_ROOT");
	if (env && *env)
		root = env;
	while ((opt = getopt_long(argc, argv, "jpdP:erhV", opts, NULL)) != -1) {
		switch (opt) {
		case 'j':
			json = 1;
			break;
		case 'p':
			prom = 1;
			break;
		case 'd':
			diag = 1;
			break;
		case 'e':
			events = 1;
			break;
		case 'r':
			reset = 1;
			break;
		case 'P':
			errno = 0;
			v = strtol(optarg, &end, 10);
			if (errno || *end || v <= 0 || v > INT_MAX)
				bad_usage("--pid needs a process id, not '%s'", optarg);
			pid = (int)v;
			break;
		case OPT_CGROUP:
			if (optarg[0] != '/' || strstr(optarg, "/.."))
				bad_usage("--cgroup needs an absolute cgroup path like /system.slice/foo.service");
			cgroup = optarg;
			break;
		case OPT_ROOT:
			root = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("enomemstat %s\n", ENOMEMSTAT_VERSION);
			return 0;
		default:
			usage(stderr);
			return EXIT_TROUBLE;
		}
	}
	if (!strcmp(root, "/"))
		root = "";
	if (json + prom > 1)
		bad_usage("--json and --prometheus exclude each other");
	if (diag + events + reset > 1)
		bad_usage("--diagnose, --events and --reset exclude each other");
	if ((pid || cgroup) && !diag)
		bad_usage("--pid and --cgroup go with --diagnose");
	if (prom && (diag || events || reset))
		bad_usage("--prometheus only formats the counters");
	if (reset && json)
		bad_usage("--reset takes no output format");
	if (optind < argc) {
		if (diag || events || reset || prom)
			bad_usage("INTERVAL goes with the counter table or --json only");
		errno = 0;
		interval = strtod(argv[optind], &end);
		if (errno || *end || end == argv[optind] || !(interval > 0) ||
		    interval > 86400)
			bad_usage("INTERVAL must be a number of seconds > 0, not '%s'",
				  argv[optind]);
		if (optind + 1 < argc) {
			errno = 0;
			count = strtol(argv[optind + 1], &end, 10);
			if (errno || *end || count <= 0)
				bad_usage("COUNT must be a positive number, not '%s'",
					  argv[optind + 1]);
		}
		if (optind + 2 < argc)
			bad_usage("too many arguments");
	}

	if (reset)
		ret = do_reset();
	else if (events)
		ret = show_events(json);
	else if (diag)
		ret = diagnose(pid, cgroup, json);
	else if (interval > 0)
		ret = run_interval(interval, count, json);
	else {
		ret = read_counters(&c);
		if (ret == CNT_OK) {
			if (prom)
				print_prometheus(&c);
			else if (json)
				print_json(&c, -1);
			else
				print_table(&c);
			ret = 0;
		} else if (ret == CNT_ABSENT && prom) {
			/* a scrape must say "not loaded", not go silent */
			print_prometheus(NULL);
			ret = 0;
		} else {
			if (ret == CNT_ABSENT && json)
				printf("{\"module_loaded\":false}\n");
			ret = EXIT_TROUBLE;
		}
	}
	finish_stdout();
	return ret;
}
