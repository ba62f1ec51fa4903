// SPDX-License-Identifier: GPL-2.0
/*
 * Module load and reload, and the kernel log: panic_on_warn=1 turns a WARN
 * into a panic that ends the run, and the log is also searched directly.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/klog.h>
#include "kmod.h"
#include "ktap.h"
#include "tests.h"

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

void test_load(void)
{
	struct stats s;
	int err = kmod_load(MODULE_PATH, MODULE_PARAMS);

	if (err)
		ktap_diag("insmod %s: %s", MODULE_PATH, strerror(err));
	ktap_diag_file("probes", DEBUGFS_DIR "/probes");
	ktap_result(!err && !read_checked(&s) && stats_all_zero(&s), "module_load");
}

void test_reload(void)
{
	int len0 = 0, len, err = 0, i;
	struct stats s;
	char *log;

	log = kernel_log(&len0);
	for (i = 0; i < 2 && !err; i++) {
		err = kmod_unload(MODULE_NAME);
		if (!err)
			err = kmod_load(MODULE_PATH, MODULE_PARAMS);
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

void test_dmesg(void)
{
	int len;
	char *log = kernel_log(&len);

	ktap_result(log && !log_has_warning(log), "dmesg_no_warning_or_bug");
}
