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
		"       enomemstat --reset\n"
		"\n"
		"Names the limit behind failed fork()/clone() calls, from enomem_stats.ko.\n"
		"  --json           machine-readable output\n"
		"  --prometheus     node_exporter textfile-collector format\n"
		"  --output FILE    (-o) write to FILE, replaced only once complete (mode 0644)\n"
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
		{ "output",	required_argument,	NULL, 'o' },
		{ "root",	required_argument,	NULL, OPT_ROOT },
		{ "help",	no_argument,		NULL, 'h' },
		{ "version",	no_argument,		NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	int json = 0, prom = 0, diag = 0, events = 0, reset = 0, pid = 0;
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
	if (reset && (json || output))
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
		if (output)
			bad_usage("--output writes one result, not INTERVAL samples");
	}

	if (output)
		output_open(output);

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
