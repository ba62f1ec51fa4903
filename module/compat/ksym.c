// SPDX-License-Identifier: GPL-2.0
/*
 * Addresses of the few unexported kernel variables whose values make an
 * event readable (kernel.pid_max, kernel.threads-max, CommitLimit).
 *
 * kallsyms_lookup_name() itself is unexported from 5.7; a kprobe registered
 * by name resolves it on every version, so one path serves 3.10 to 6.x.  It
 * runs once at load; a symbol that is not found only costs the event its
 * limit value ("-"), never the count.
 */
#include <linux/kprobes.h>
#include "enomem_stats.h"

struct enomem_ksyms enomem_ksyms;

typedef unsigned long (*enomem_lookup_fn)(const char *name);

void enomem_ksyms_init(void)
{
	struct kprobe kp = { .symbol_name = "kallsyms_lookup_name" };
	enomem_lookup_fn lookup;

	if (register_kprobe(&kp)) {
		pr_info("enomem_stats: kallsyms unavailable; events will not show pid_max/threads-max/CommitLimit values\n");
		return;
	}
	lookup = (enomem_lookup_fn)kp.addr;
	unregister_kprobe(&kp);

	enomem_ksyms.pid_max = (int *)lookup("pid_max");
	enomem_ksyms.max_threads = (int *)lookup("max_threads");
	enomem_ksyms.overcommit_memory = (int *)lookup("sysctl_overcommit_memory");
	enomem_ksyms.vm_commit_limit = (unsigned long (*)(void))lookup("vm_commit_limit");
}
