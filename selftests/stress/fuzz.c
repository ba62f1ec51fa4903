// SPDX-License-Identifier: GPL-2.0
/*
 * Hostile writes: random and near-miss writes to /proc/enomem_stats, to
 * the log parameter and to the read-only files, and writes as uid 1000.
 * Only "0" and "reset" (by root) may change anything.
 */
#include "stress.h"
#include <fcntl.h>
#include <sys/stat.h>

#define FUZZ_PROC 1500
#define FUZZ_LOG 600
#define FUZZ_RO 40
#define FUZZ_NONROOT 200

/* deterministic, so a failure can be replayed */
static unsigned long long rng_state = 0x9e3779b97f4a7c15ULL;

static unsigned long long rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static void hex(const unsigned char *p, size_t len, char *out, size_t outlen)
{
	size_t i, o = 0;

	for (i = 0; i < len && o + 3 < outlen; i++)
		o += snprintf(out + o, outlen - o, "%02x", p[i]);
	if (i < len && o + 4 < outlen)
		snprintf(out + o, outlen - o, "...");
}

/* A few failed forks, so that a reset cannot go unnoticed. */
static void make_failures(void)
{
	if (!cgroup_setup())
		wait_ok(start_failer(W_PIDS, 0, 2, &sh->t[7]), "pids failer");
	cgroup_remove();
}

static int is_valid_reset(const unsigned char *b, size_t len, long long off)
{
	return off == 0 && ((len == 1 && b[0] == '0') || (len == 2 && !memcmp(b, "0\n", 2)) ||
			    (len == 5 && !memcmp(b, "reset", 5)) ||
			    (len == 6 && !memcmp(b, "reset\n", 6)));
}

static size_t fuzz_input(unsigned char *buf, size_t max, long long *off)
{
	static const char alpha[] = "0reset\n \t\0yYnN1o";
	unsigned long long r = rnd();
	size_t len, i;
	int biased = r & 1;

	switch ((r >> 1) % 10) {
	case 0: case 1: case 2: case 3: len = (r >> 8) % 9; break;
	case 4: case 5: case 6: len = 9 + (r >> 8) % 56; break;
	case 7: case 8: len = 65 + (r >> 8) % 4200; break;
	default: len = (r >> 8) % max; break;
	}
	if (len > max)
		len = max;
	for (i = 0; i < len; i++)
		buf[i] = biased ? alpha[rnd() % (sizeof(alpha) - 1)] : rnd();
	r = rnd();
	switch (r % 10) {
	case 0: *off = (long long)((r >> 4) % 200) + 1; break;
	case 1: *off = (long long)(rnd() >> 2); break;
	case 2: *off = -(long long)((r >> 4) % 100) - 1; break;
	default: *off = 0; break;
	}
	return len;
}

static unsigned char fbuf[80000];

/*
 * Write a byte string at an offset (write() at 0, else pwrite(); the /proc
 * file is not seekable, so the VFS refuses pwrite() with ESPIPE before the
 * module sees it); -errno, or the count written.
 */
static long fuzz_write(int fd, const unsigned char *b, size_t len, long long off)
{
	long n = off ? pwrite(fd, b, len, off) : write(fd, b, len);

	return n < 0 ? -errno : n;
}

void test_fuzz_proc(unsigned long *tried)
{
	struct stats a, b;
	char err[256], h[100];
	long long off;
	unsigned long bad = 0, n = 0;
	size_t len;
	long w;
	int fd, i, ok;

	ok = !stats_get(&a, err, sizeof(err)) && a.v[ST_FORK_FAILED];
	if (!ok)
		diag("need nonzero counters to see a reset: %s", a.v[ST_FORK_FAILED] ? err : "all zero");
	fd = open(STATS, O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		diag("open %s for writing: %s", STATS, strerror(errno));
		ok = 0;
	}
	for (i = 0; ok && i < FUZZ_PROC; i++) {
		len = fuzz_input(fbuf, sizeof(fbuf), &off);
		if (is_valid_reset(fbuf, len, off))
			continue;
		n++;
		w = fuzz_write(fd, fbuf, len, off);
		if (stats_get(&b, err, sizeof(err)) || memcmp(&a, &b, sizeof(a)) ||
		    (w != -EINVAL && !(len == 0 && w == 0) && !(off && w == -ESPIPE))) {
			hex(fbuf, len, h, sizeof(h));
			if (bad++ < 5)
				diag("write of %zu bytes at %lld (%s): %s; counters %s",
				     len, off, h, w < 0 ? strerrorname_np(-w) : "accepted",
				     memcmp(&a, &b, sizeof(a)) ? "CHANGED" : "unchanged");
			a = b;
		}
	}
	if (fd >= 0)
		close(fd);
	diag("%lu random writes to %s, %lu wrong", n, STATS, bad);
	*tried += n;
	result(ok && !bad, "stress_fuzz_proc_random");
}

/*
 * Near misses of "0" and "reset": the README allows only those two, with
 * an optional newline.  An embedded NUL must not make "0\0junk" a "0".
 */
void test_fuzz_proc_nearmiss(unsigned long *tried)
{
	static const struct { const char *s; size_t len; } in[] = {
		{ "00", 2 }, { " 0", 2 }, { "0 ", 2 }, { "0\n\n", 3 }, { "1", 1 },
		{ "-0", 2 }, { "+0", 2 }, { "0x0", 3 }, { "RESET", 5 }, { "rese", 4 },
		{ "resets", 6 }, { "reset\n\n", 7 }, { "reset ", 6 }, { "\n", 1 },
		{ "\0", 1 }, { "0\0", 2 }, { "0\0junk", 7 }, { "reset\0", 6 },
		{ "reset\0x", 7 }, { "0\r\n", 3 }, { "reset\r", 6 }, { "0\n0", 3 },
		{ "resetreset", 10 }, { "0000000", 7 }, { "0000000\n", 8 },
	};
	struct stats a, b;
	char err[256], h[64];
	unsigned int i;
	long w;
	int fd, ok, bad = 0;

	make_failures();
	ok = !stats_get(&a, err, sizeof(err)) && a.v[ST_FORK_FAILED];
	fd = open(STATS, O_WRONLY | O_CLOEXEC);
	ok = ok && fd >= 0;
	for (i = 0; ok && i < sizeof(in) / sizeof(in[0]); i++) {
		w = fuzz_write(fd, (const unsigned char *)in[i].s, in[i].len, 0);
		if (stats_get(&b, err, sizeof(err)) || memcmp(&a, &b, sizeof(a)) || w != -EINVAL) {
			hex((const unsigned char *)in[i].s, in[i].len, h, sizeof(h));
			diag("write %s (%zu bytes): %s; counters %s", h, in[i].len,
			     w < 0 ? strerrorname_np(-w) : "accepted",
			     memcmp(&a, &b, sizeof(a)) ? "RESET" : "unchanged");
			bad++;
			a = b;
		}
	}
	if (fd >= 0)
		close(fd);
	*tried += sizeof(in) / sizeof(in[0]);
	diag("%zu near misses of \"0\"/\"reset\", %d wrong", sizeof(in) / sizeof(in[0]), bad);
	result(ok && !bad, "stress_fuzz_proc_near_misses");
}

static int log_value(void)
{
	char buf[8];

	if (read_file(PARAMS "/log", buf, sizeof(buf)) <= 0)
		return -1;
	return buf[0] == 'Y' ? 1 : buf[0] == 'N' ? 0 : -1;
}

/* What kstrtobool() makes of it on any kernel of the window; -1: invalid. */
static int bool_of(const unsigned char *b, size_t len)
{
	if (!len)
		return -1;
	switch (b[0]) {
	case 'y': case 'Y': case '1': case 't': case 'T': case 'e': case 'E':
		return 1;
	case 'n': case 'N': case '0': case 'f': case 'F': case 'd': case 'D':
		return 0;
	case 'o': case 'O':
		if (len > 1 && (b[1] == 'n' || b[1] == 'N'))
			return 1;
		if (len > 1 && (b[1] == 'f' || b[1] == 'F'))
			return 0;
	}
	return -1;
}

void test_fuzz_log(unsigned long *tried)
{
	struct stats a, b;
	char err[256], h[100];
	long long off;
	unsigned long n = 0, accepted = 0, bad = 0;
	size_t len;
	long w;
	int fd, i, v0, v1, want, ok;

	ok = !stats_get(&a, err, sizeof(err));
	fd = open(PARAMS "/log", O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		diag("open %s for writing: %s", PARAMS "/log", strerror(errno));
		ok = 0;
	}
	for (i = 0; ok && i < FUZZ_LOG; i++) {
		len = fuzz_input(fbuf, sizeof(fbuf), &off);
		n++;
		v0 = log_value();
		w = fuzz_write(fd, fbuf, len, off);
		v1 = log_value();
		want = bool_of(fbuf, len);
		if (len && (w == (long)len || (len > 4096 && w == 4096))) {
			accepted++;
			if (off < 0 || want < 0 || v1 != want)
				goto wrong;
		} else if (w == 0 && len == 0) {
			if (v1 != v0)
				goto wrong;
		} else if (w == -EINVAL || (w == -E2BIG && len > 4096)) {
			if (v1 != v0 || (want >= 0 && off >= 0 && len <= 4096 &&
					 strchr("yYnN01", fbuf[0])))
				goto wrong;
		} else {
			goto wrong;
		}
		continue;
wrong:
		hex(fbuf, len, h, sizeof(h));
		if (bad++ < 5)
			diag("log: write of %zu bytes at %lld (%s): %s; log %d -> %d",
			     len, off, h, w < 0 ? strerrorname_np(-w) : "accepted", v0, v1);
	}
	if (fd >= 0)
		close(fd);
	write_file(PARAMS "/log", "0");
	ok = ok && !stats_get(&b, err, sizeof(err)) && !memcmp(&a, &b, sizeof(a)) &&
	     log_value() == 0;
	diag("%lu random writes to %s: %lu valid booleans taken, %lu wrong", n,
	     PARAMS "/log", accepted, bad);
	*tried += n;
	result(ok && !bad, "stress_fuzz_log_param");
}

/* The files that are not writable stay so, even for root. */
void test_fuzz_readonly(unsigned long *tried)
{
	static const char *const files[] = {
		PARAMS "/maxactive", PARAMS "/events", DBG "/events", DBG "/probes",
	};
	char before[4][256], after[256], err[256];
	struct stats a, b;
	long long off;
	unsigned long n = 0;
	unsigned int f;
	size_t len;
	long w;
	int fd, i, ok = 1, bad = 0;

	ok = !stats_get(&a, err, sizeof(err));
	for (f = 0; f < 2; f++)
		read_file(files[f], before[f], sizeof(before[f]));
	for (f = 0; f < 4; f++) {
		fd = open(files[f], O_WRONLY | O_CLOEXEC);
		if (fd < 0) {
			n++;
			if (errno != EACCES && errno != EPERM) {
				diag("open %s for writing: %s", files[f], strerror(errno));
				bad++;
			}
			continue;
		}
		for (i = 0; i < FUZZ_RO; i++, n++) {
			len = fuzz_input(fbuf, 4096, &off);
			w = fuzz_write(fd, fbuf, len, off);
			if (w >= 0 && len) {
				diag("%s: a write of %zu bytes was accepted", files[f], len);
				bad++;
			}
		}
		close(fd);
	}
	for (f = 0; f < 2; f++)
		if (read_file(files[f], after, sizeof(after)) < 0 || strcmp(after, before[f])) {
			diag("%s changed: %s -> %s", files[f], before[f], after);
			bad++;
		}
	ok = ok && !stats_get(&b, err, sizeof(err)) && !memcmp(&a, &b, sizeof(a));
	diag("%lu writes to the read-only files, %d wrong", n, bad);
	*tried += n;
	result(ok && !bad, "stress_fuzz_readonly_files");
}

/* uid 1000: no reset (EACCES at open, EPERM through root's fd), no events. */
void test_nonroot(unsigned long *tried)
{
	struct stats a, b;
	char err[256];
	long long off;
	size_t len;
	pid_t pid;
	int fd, st = -1, ok, i;

	struct stat root;
	int chmodded = 0;

	make_failures();
	ok = !stats_get(&a, err, sizeof(err)) && a.v[ST_FORK_FAILED];
	if (!ok)
		diag("need nonzero counters to see a reset: %s", a.v[ST_FORK_FAILED] ? err : "all zero");
	write_file(PARAMS "/log", "0");
	/*
	 * An EACCES must come from the file, not from the path: a root
	 * directory of mode 0700 (an initramfs packed from "mktemp -d") denies
	 * every absolute path to a non-root user.
	 */
	if (!stat("/", &root) && !(root.st_mode & S_IXOTH)) {
		diag("/ has mode %04o: made 0755 for the non-root checks",
		     (unsigned int)(root.st_mode & 07777));
		chmodded = !chmod("/", 0755);
	}
	pid = fork_child();
	if (pid == 0) {
		long w;

		fd = open(STATS, O_WRONLY | O_CLOEXEC);
		if (fd < 0 || setresgid(USER_ID, USER_ID, USER_ID) ||
		    setresuid(USER_ID, USER_ID, USER_ID))
			_exit(100);
		w = read_file(STATS, (char *)fbuf, 4096);	/* reading is for all */
		if (w <= 0)
			_exit(w < 0 && -w < 100 ? 10 + (int)-w : 5);
		for (i = 0; i < FUZZ_NONROOT; i++) {
			len = fuzz_input(fbuf, 8192, &off);
			if (i < 4) {	/* the valid ones first */
				const char *v[] = { "0", "0\n", "reset", "reset\n" };

				len = strlen(v[i]);
				memcpy(fbuf, v[i], len);
				off = 0;
			}
			w = fuzz_write(fd, fbuf, len, off);
			if (w != -EPERM && !(off < 0 && w == -EINVAL) && !(off && w == -ESPIPE))
				_exit(1);
		}
		close(fd);
		if (open(STATS, O_WRONLY) >= 0 || errno != EACCES)
			_exit(2);
		if (open(DBG "/events", O_RDONLY) >= 0 || errno != EACCES)
			_exit(3);
		if (open(PARAMS "/log", O_WRONLY) >= 0 || errno != EACCES)
			_exit(4);
		_exit(0);
	}
	if (pid > 0)
		waitpid(pid, &st, 0);
	if (chmodded)
		chmod("/", root.st_mode & 07777);
	st = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	if (st)
		diag("as uid %d: step %d failed (1: a write through root's fd was not EPERM; 2: open %s not EACCES; 3: open events not EACCES; 4: open log not EACCES; 5: cannot read counters, 10+errno: reading them failed with errno; 100: setup)",
		     USER_ID, st, STATS);
	ok = ok && !st && !stats_get(&b, err, sizeof(err)) && !memcmp(&a, &b, sizeof(a)) &&
	     log_value() == 0;
	*tried += FUZZ_NONROOT + 3;
	result(ok, "stress_nonroot_no_reset_no_events");
}
