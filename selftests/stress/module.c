// SPDX-License-Identifier: GPL-2.0
/* Loading and unloading enomem_stats.ko, and the kernel's kprobes list. */
#include "stress.h"

int mod_load(const char *params)
{
	return kmod_load(MODULE_PATH, params);
}

/*
 * No debugfs open may be in flight while delete_module() runs.  From 3.19
 * on, delete_module() drops the module's last reference before it marks
 * the module going (kernel/module/main.c, try_stop_module()), and an open
 * of one of its debugfs files in between fails to take a reference while
 * the module still looks live: fs/debugfs/file.c, full_proxy_open(), then
 * WARNs "debugfs file owner did not clean up at exit", and panic_on_warn
 * ends the VM (seen once, on 6.12, among some 40 reload VMs).  That is the
 * kernel's race, open to any module with debugfs files, not a leak of
 * ours: the files are removed in our exit, which runs after that instant.
 * So the debugfs readers announce each open and the unloader waits them
 * out (seq_cst on both sides: one of the two always sees the other);
 * /proc readers race rmmod freely.
 */
int dbg_open_begin(void)
{
	if (!sh)
		return 1;
	__atomic_add_fetch(&sh->dbg_opening, 1, __ATOMIC_SEQ_CST);
	if (!__atomic_load_n(&sh->unloading, __ATOMIC_SEQ_CST))
		return 1;
	__atomic_sub_fetch(&sh->dbg_opening, 1, __ATOMIC_SEQ_CST);
	return 0;
}

void dbg_open_end(void)
{
	if (sh)
		__atomic_sub_fetch(&sh->dbg_opening, 1, __ATOMIC_SEQ_CST);
}

static int mod_unload_fenced(void)
{
	int err;

	if (sh) {
		__atomic_store_n(&sh->unloading, 1, __ATOMIC_SEQ_CST);
		while (__atomic_load_n(&sh->dbg_opening, __ATOMIC_SEQ_CST))
			sleep_ms(1);
	}
	err = kmod_unload(MODULE_NAME);
	if (sh)
		__atomic_store_n(&sh->unloading, 0, __ATOMIC_SEQ_CST);
	return err;
}

/* An open debugfs file pins the module: retry a busy unload for a while. */
int mod_unload(int *retries)
{
	double t0 = now();
	int err;

	for (;;) {
		err = mod_unload_fenced();
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

/* Does the loaded module bracket copy_process() (debugfs "probes")? */
int bracketed(void)
{
	static char buf[16384];
	char *line, *save = NULL;
	int n;

	if (!dbg_open_begin())
		return 0;
	n = read_file(DBG "/probes", buf, sizeof(buf));
	dbg_open_end();
	if (n < 0)
		return 0;
	/* "symbol status error hits nmissed role" */
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		if (strstr(line, " registered ") && strstr(line, " fork-return"))
			return 1;
	return 0;
}
