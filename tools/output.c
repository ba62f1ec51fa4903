// SPDX-License-Identifier: GPL-2.0
/*
 * The counters' three formats (table, JSON, Prometheus) and where standard
 * output goes: the terminal, or with --output FILE a file replaced only
 * once it is complete.
 */
#define _GNU_SOURCE
#include <err.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "enomemstat.h"

/* Failed mmap/mprotect/brk/mremap calls; thread stacks (pthread_create's EAGAIN) apart. */
static void print_map_table(const struct counters *c)
{
	unsigned long long n, st;
	int i;

	printf("\nenomem_stats: %llu failed memory mappings (mmap/mprotect/brk/mremap ENOMEM), %llu of them thread stacks (pthread_create failed with EAGAIN before clone)\n",
	       c->m[M_FAILED], c->m[M_STACK_FAILED]);
	printf("\n%-14s %10s %10s  %s\n", "MAP REASON", "FAILED", "STACKS",
	       "LIMIT: WHERE TO LOOK");
	for (i = 0; i < NR_MAP_REASONS; i++) {
		n = c->m[M_REASON_FIRST + i];
		st = c->m[M_STACK_REASON_FIRST + i];
		if (!map_reason_shown(c, i))
			/* an older module: counted in other */
			printf("%-14s %10s %10s\n", map_reason_names[i], "-", "-");
		else if (n)
			printf("%-14s %10llu %10llu  %s%s: %s\n", map_reason_names[i],
			       n, st, st ? "threads could not be created because of " : "",
			       map_reasons[i].limit, map_reasons[i].hint);
		else
			printf("%-14s %10llu %10llu\n", map_reason_names[i], n, st);
	}
	if (c->m[M_MISSED])
		printf("\n%llu mapping calls were not observed (kretprobe instances exhausted); raise the module parameter maxactive.\n",
		       c->m[M_MISSED]);
}

void print_table(const struct counters *c)
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
	if (c->has_maps)
		print_map_table(c);
}

/*
 * sample < 0: a one-shot object; else interval mode's sample number.  c is
 * NULL without the module.
 */
void print_json(const struct counters *c, int sample)
{
	int i;

	jw_object_open(NULL);
	jw_bool("module_loaded", c != NULL);
	if (!c) {
		jw_object_close();
		return;
	}
	if (sample >= 0) {
		jw_int("sample", sample);
		jw_bool("delta", sample != 0);
	}
	jw_uint("fork_failed", c->v[C_FORK_FAILED]);
	jw_object_open("errno");
	jw_uint("ENOMEM", c->v[C_FORK_ENOMEM]);
	jw_uint("EAGAIN", c->v[C_FORK_EAGAIN]);
	jw_uint("other", c->v[C_FORK_OTHER]);
	jw_object_close();
	jw_object_open("reasons");
	for (i = 0; i < NR_REASONS; i++)
		jw_uint(counter_names[C_REASON_FIRST + i], c->v[C_REASON_FIRST + i]);
	jw_object_close();
	jw_uint("missed", c->v[C_MISSED]);
	if (c->has_maps) {
		jw_object_open("maps");
		jw_uint("failed", c->m[M_FAILED]);
		jw_object_open("reasons");
		for (i = 0; i < NR_MAP_REASONS; i++)
			if (map_reason_shown(c, i))
				jw_uint(map_reason_names[i], c->m[M_REASON_FIRST + i]);
		jw_object_close();
		jw_uint("stack_failed", c->m[M_STACK_FAILED]);
		jw_object_open("stack_reasons");
		for (i = 0; i < NR_MAP_REASONS; i++)
			if (map_reason_shown(c, i))
				jw_uint(map_reason_names[i],
					c->m[M_STACK_REASON_FIRST + i]);
		jw_object_close();
		jw_uint("missed", c->m[M_MISSED]);
		jw_object_close();
	}
	jw_object_close();
}

static void prom_family(const char *name, const char *type, const char *help)
{
	printf("# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* node_exporter textfile-collector format; c is NULL without the module. */
void print_prometheus(const struct counters *c)
{
	static const char *const errnos[] = { "ENOMEM", "EAGAIN", "other" };
	unsigned long long st;
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
	if (!c->has_maps)
		return;
	prom_family("enomem_stats_maps_failed_total", "counter",
		    "Failed mmap/mprotect/brk/mremap calls (ENOMEM) seen by enomem_stats.");
	printf("enomem_stats_maps_failed_total %llu\n", c->m[M_FAILED]);
	prom_family("enomem_stats_map_failures_total", "counter",
		    "Failed mappings by the limit that refused them; stack=\"1\": thread stacks (pthread_create EAGAIN).");
	for (i = 0; i < NR_MAP_REASONS; i++) {
		if (!map_reason_shown(c, i))
			continue;
		st = c->m[M_STACK_REASON_FIRST + i];
		printf("enomem_stats_map_failures_total{reason=\"%s\",stack=\"0\"} %llu\n",
		       map_reason_names[i], c->m[M_REASON_FIRST + i] - st);
		printf("enomem_stats_map_failures_total{reason=\"%s\",stack=\"1\"} %llu\n",
		       map_reason_names[i], st);
	}
	prom_family("enomem_stats_map_missed_total", "counter",
		    "Mapping calls enomem_stats could not observe (kretprobe instances exhausted).");
	printf("enomem_stats_map_missed_total %llu\n", c->m[M_MISSED]);
}

void finish_stdout(void)
{
	if (fflush(stdout) == EOF || ferror(stdout))
		err(EXIT_TROUBLE, "write to standard output");
}

/* ------------------------------------------------------------------ */
/* --output FILE                                                       */

/*
 * Standard output goes to a temporary file beside FILE, which replaces FILE
 * (fsync, then rename) only once it is complete: a reader such as
 * node_exporter's textfile collector sees the old file or the new one, never
 * half of one.  The temporary name starts with a dot and never ends in
 * ".prom", so that collector skips it; every way out removes it.
 */
static const char *out_path;
static char out_tmp[PATH_MAX];	/* set while the temporary file exists */

static void out_unlink(void)
{
	if (out_tmp[0])
		unlink(out_tmp);
	out_tmp[0] = '\0';
}

/* A stop (systemd: SIGTERM) while writing: no temporary file left behind. */
static void out_on_signal(int sig)
{
	if (out_tmp[0])
		unlink(out_tmp);
	signal(sig, SIG_DFL);
	raise(sig);
}

void output_open(const char *path)
{
	static const int sigs[] = { SIGHUP, SIGINT, SIGTERM };
	const char *slash = strrchr(path, '/');
	char dir[PATH_MAX];
	struct sigaction sa;
	size_t i;
	int n, fd, saved;

	if (!slash)
		n = snprintf(dir, sizeof(dir), ".");
	else
		n = snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path + (slash == path)),
			     path);
	if (n < 0 || (size_t)n >= sizeof(dir))
		errx(EXIT_TROUBLE, "--output %s: path too long", path);
	n = snprintf(out_tmp, sizeof(out_tmp), "%s/.%s.XXXXXX",
		     slash == path ? "" : dir, slash ? slash + 1 : path);
	if (n < 0 || (size_t)n >= sizeof(out_tmp))
		errx(EXIT_TROUBLE, "--output %s: path too long", path);
	out_path = path;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = out_on_signal;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
	atexit(out_unlink);

	fd = mkstemp(out_tmp);
	if (fd < 0) {
		saved = errno;
		out_tmp[0] = '\0';
		errno = saved;
		err(EXIT_TROUBLE, "--output %s: cannot create a temporary file in %s",
		    path, dir);
	}
	fflush(stdout);
	if (dup2(fd, STDOUT_FILENO) < 0)
		err(EXIT_TROUBLE, "--output %s: dup2", path);
	close(fd);
}

/* Complete the file and put it in place; on failure remove it and say why. */
int output_commit(void)
{
	const char *step;

	if (fflush(stdout) == EOF || ferror(stdout))
		step = "write";
	else if (fsync(STDOUT_FILENO) < 0)
		step = "fsync";
	else if (fchmod(STDOUT_FILENO, 0644) < 0)
		step = "fchmod";
	else if (rename(out_tmp, out_path) < 0)
		step = "rename";
	else {
		out_tmp[0] = '\0';
		return 0;
	}
	warn("--output %s: %s failed", out_path, step);
	out_unlink();
	return EXIT_TROUBLE;
}

/* The command failed (and said why): FILE keeps its old contents. */
void output_discard(void)
{
	out_unlink();
	warnx("--output %s left unchanged", out_path);
}
