// SPDX-License-Identifier: GPL-2.0
/* Loading and unloading enomem_stats.ko, and the kernel's kprobes list. */
#include "stress.h"

int mod_load(const char *params)
{
	return kmod_load(MODULE_PATH, params);
}

/* An open debugfs file pins the module: retry a busy unload for a while. */
int mod_unload(int *retries)
{
	double t0 = now();
	int err;

	for (;;) {
		err = kmod_unload(MODULE_NAME);
		if (!err)
			return 0;
		if ((err != EAGAIN && err != EBUSY) || now() - t0 > 20)
			return err;
		if (retries)
			(*retries)++;
		sleep_ms(2);
	}
}

int mod_loaded(void)
{
	return path_exists("/sys/module/" MODULE_NAME);
}

char kp_base[65536];
int kp_have;

int kprobes_read(char *buf, size_t len)
{
	return read_file(KPROBES_LIST, buf, len) >= 0;
}

/*
 * The module probes the fork entry under whichever name the kernel has:
 * kernel_clone (5.10+), _do_fork (4.2+) or do_fork (3.10).  A list line
 * reads "ADDRESS  TYPE  SYMBOL+0xOFFSET ...".
 */
int kprobes_has_fork_entry(const char *list)
{
	static const char *const names[] = { "kernel_clone", "_do_fork", "do_fork" };
	const char *p;
	unsigned int i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		for (p = list; (p = strstr(p, names[i])); p++)
			if ((p == list || p[-1] == ' ' || p[-1] == '\t') &&
			    p[strlen(names[i])] == '+')
				return 1;
	return 0;
}
