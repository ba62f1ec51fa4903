// SPDX-License-Identifier: GPL-2.0
/*
 * KTAP for the stress suite: numbered from START (its results follow the
 * guest tests' under their plan line), and a diagnostic's empty lines are
 * dropped.  selftests/guest/ktap.c numbers from 1, so it is not linked here.
 */
#include "stress.h"
#include <stdarg.h>

int test_no;

void diag(const char *fmt, ...)
{
	char buf[2048], *line, *save = NULL;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		printf("# %s\n", line);
	fflush(stdout);
}

void result(int ok, const char *name)
{
	printf("%sok %d %s\n", ok ? "" : "not ", test_no++, name);
	fflush(stdout);
}

void result_skip(const char *name, const char *reason)
{
	printf("ok %d %s # SKIP %s\n", test_no++, name, reason);
	fflush(stdout);
}
