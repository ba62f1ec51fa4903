// SPDX-License-Identifier: GPL-2.0
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "ktap.h"
#include "util.h"

static int ktap_number;
static int ktap_nfailed;

void ktap_header(int plan)
{
	printf("KTAP version 1\n1..%d\n", plan);
	fflush(stdout);
}

static void diag_lines(const char *text)
{
	const char *nl;

	while (*text) {
		nl = strchr(text, '\n');
		if (!nl)
			nl = text + strlen(text);
		printf("# %.*s\n", (int)(nl - text), text);
		text = *nl ? nl + 1 : nl;
	}
}

void ktap_diag(const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	diag_lines(buf);
	fflush(stdout);
}

void ktap_diag_file(const char *title, const char *path)
{
	static char buf[16384];
	long n = read_file(path, buf, sizeof(buf));

	if (n < 0) {
		ktap_diag("%s: cannot read %s: %s", title, path, strerror(-n));
		return;
	}
	ktap_diag("%s (%s):", title, path);
	diag_lines(buf);
	fflush(stdout);
}

void ktap_result(int ok, const char *name)
{
	printf("%sok %d %s\n", ok ? "" : "not ", ++ktap_number, name);
	fflush(stdout);
	if (!ok)
		ktap_nfailed++;
}

void ktap_skip(const char *name, const char *reason)
{
	printf("ok %d %s # SKIP %s\n", ++ktap_number, name, reason);
	fflush(stdout);
}

int ktap_failed(void)
{
	return ktap_nfailed;
}

int ktap_not_run(const char *name, int skip, int setup_err, const char *msg)
{
	if (skip) {
		ktap_skip(name, msg);
		return 1;
	}
	if (!setup_err)
		return 0;
	ktap_diag("%s", msg);
	ktap_result(0, name);
	return 1;
}
