// SPDX-License-Identifier: GPL-2.0
/*
 * The counters' three formats: table, JSON, Prometheus.
 */
#define _GNU_SOURCE
#include <err.h>
#include <stdio.h>

#include "enomemstat.h"

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
}

/* sample < 0: a one-shot object; else interval mode's sample number. */
void print_json(const struct counters *c, int sample)
{
	int i;

	jw_object_open(NULL);
	jw_bool("module_loaded", 1);
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

void finish_stdout(void)
{
	if (fflush(stdout) == EOF || ferror(stdout))
		err(EXIT_TROUBLE, "write to standard output");
}
