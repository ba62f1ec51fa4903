// SPDX-License-Identifier: GPL-2.0
/*
 * enomemstat: read enomem_stats.ko's counters (/proc/enomem_stats) and event
 * log (debugfs), and diagnose fork failures from the live system state.
 *
 * This file parses the command line and calls one command; see
 * enomemstat.h for where each lives.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "enomemstat.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: enomemstat [--json | --prometheus] [--output FILE]\n"
		"       enomemstat [--json] INTERVAL [COUNT]\n"
		"       enomemstat --diagnose [--pid PID] [--cgroup PATH] [--json] [--output FILE]\n"
		"       enomemstat --events [--json] [--output FILE]\n"
		"       enomemstat --top [cgroup|user] [--json] [--output FILE]\n"
		"       enomemstat --follow [--json]\n"
		"       enomemstat --reset\n"
		"\n"
		"Names the limit behind failed fork()/clone() calls, from enomem_stats.ko.\n"
		"  --json           machine-readable output\n"
		"  --prometheus     node_exporter textfile-collector format\n"
		"  --prometheus-cgroups N  with --prometheus: series for the N cgroups with\n"
		"                   the most failures (default 10, 0: none)\n"
		"  --output FILE    (-o) write to FILE, replaced only once complete (mode 0644)\n"
		"  --diagnose       check the live limits (pid_max, threads-max, commit, cgroups, rlimits)\n"
		"  --pid PID        with --diagnose: that process's rlimits, mappings and cgroups\n"
		"  --cgroup PATH    with --diagnose: that cgroup and its ancestors\n"
		"  --events         the module's recent failed forks (debugfs, root only)\n"
		"  --top [cgroup|user]  failures per cgroup (default) or user, most first\n"
		"                   (debugfs, root only)\n"
		"  --follow         print each failure as it happens, until Ctrl-C (root)\n"
		"  --reset          zero the counters (root)\n"
		"  --root DIR       read proc/sys files below DIR (also ENOMEMSTAT_ROOT)\n"
		"  -h, --help       this text;  -V, --version\n"
		"Exit: 0 fine, 1 --diagnose found a ceiling hit or near, 2 error,\n"
		"3 --follow: the module was unloaded.\n");
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
	enum { OPT_ROOT = 256, OPT_CGROUP, OPT_TOP, OPT_FOLLOW, OPT_PROM_CGROUPS };
	static const struct option opts[] = {
		{ "json",	no_argument,		NULL, 'j' },
		{ "prometheus",	no_argument,		NULL, 'p' },
		{ "diagnose",	no_argument,		NULL, 'd' },
		{ "pid",	required_argument,	NULL, 'P' },
		{ "cgroup",	required_argument,	NULL, OPT_CGROUP },
		{ "events",	no_argument,		NULL, 'e' },
		{ "reset",	no_argument,		NULL, 'r' },
		{ "top",	optional_argument,	NULL, OPT_TOP },
		{ "follow",	no_argument,		NULL, OPT_FOLLOW },
		{ "prometheus-cgroups", required_argument, NULL, OPT_PROM_CGROUPS },
		{ "output",	required_argument,	NULL, 'o' },
		{ "root",	required_argument,	NULL, OPT_ROOT },
		{ "help",	no_argument,		NULL, 'h' },
		{ "version",	no_argument,		NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	int json = 0, prom = 0, diag = 0, events = 0, reset = 0, pid = 0;
	int top = 0, follow_mode = 0, prom_cgroups = 10, prom_cgroups_set = 0;
	enum who_table top_table = WHO_CGROUP;
	const char *top_arg;
	const char *cgroup = NULL, *output = NULL, *env;
	double interval = 0;
	long count = 0;
	struct counters c;
	char *end;
	long v;
	int opt, ret;

	env = getenv("ENOMEMSTAT_ROOT");
	if (env && *env)
		root = env;
	while ((opt = getopt_long(argc, argv, "jpdP:eo:rhV", opts, NULL)) != -1) {
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
		case 'o':
			if (!*optarg || optarg[strlen(optarg) - 1] == '/')
				bad_usage("--output needs a file name, not '%s'", optarg);
			output = optarg;
			break;
		case OPT_TOP:
			/* "--top user" as well as "--top=user" */
			top_arg = optarg;
			if (!top_arg && optind < argc && argv[optind][0] != '-')
				top_arg = argv[optind++];
			if (top_arg && strcmp(top_arg, "cgroup") && strcmp(top_arg, "user"))
				bad_usage("--top takes cgroup or user, not '%s'", top_arg);
			top = 1;
			top_table = top_arg && !strcmp(top_arg, "user") ? WHO_USER : WHO_CGROUP;
			break;
		case OPT_FOLLOW:
			follow_mode = 1;
			break;
		case OPT_PROM_CGROUPS:
			errno = 0;
			v = strtol(optarg, &end, 10);
			if (errno || *end || end == optarg || v < 0 || v > 100000)
				bad_usage("--prometheus-cgroups needs a number of cgroups, not '%s'",
					  optarg);
			prom_cgroups = (int)v;
			prom_cgroups_set = 1;
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
	if (diag + events + reset + top + follow_mode > 1)
		bad_usage("--diagnose, --events, --top, --follow and --reset exclude each other");
	if (prom_cgroups_set && !prom)
		bad_usage("--prometheus-cgroups goes with --prometheus");
	if (follow_mode && output)
		bad_usage("--follow prints until Ctrl-C; --output writes one result");
	if ((pid || cgroup) && !diag)
		bad_usage("--pid and --cgroup go with --diagnose");
	if (prom && (diag || events || reset || top || follow_mode))
		bad_usage("--prometheus only formats the counters");
	if (reset && (json || output))
		bad_usage("--reset takes no output format");
	if (optind < argc) {
		if (diag || events || reset || prom || top || follow_mode)
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
		if (output)
			bad_usage("--output writes one result, not INTERVAL samples");
	}

	if (output)
		output_open(output);

	if (reset)
		ret = do_reset();
	else if (events)
		ret = show_events(json);
	else if (top)
		ret = show_top(top_table, json);
	else if (follow_mode)
		ret = follow(json);
	else if (diag)
		ret = diagnose(pid, cgroup, json);
	else if (interval > 0)
		ret = run_interval(interval, count, json);
	else {
		ret = read_counters(&c);
		if (ret == CNT_OK) {
			if (prom) {
				print_prometheus(&c);
				print_prometheus_cgroups(prom_cgroups);
			}
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
				print_json(NULL, -1);
			ret = EXIT_TROUBLE;
		}
	}
	if (!output)
		finish_stdout();
	else if (ret == EXIT_TROUBLE)
		output_discard();
	else if (output_commit())
		ret = EXIT_TROUBLE;
	return ret;
}
