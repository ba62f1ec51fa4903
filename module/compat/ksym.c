// SPDX-License-Identifier: GPL-2.0
/*
 * Addresses of the few unexported kernel variables whose values make an
 * event readable: kernel.pid_max, kernel.threads-max and the inputs of
 * CommitLimit.
 *
 * register_kprobe() resolves a symbol name through kallsyms (data symbols
 * too, with CONFIG_KALLSYMS_ALL) and stores the address in kp.addr before it
 * refuses to probe anything that is not kernel text.  That refusal is the
 * expected outcome here: we only borrow the lookup, on every version from
 * 3.10 on, without calling kallsyms_lookup_name() (unexported from 5.7).
 * Nothing found through this is ever called: with IBT an indirect call into
 * a sealed function would fault.  A symbol that is not found only costs the
 * event its limit value ("-"), never the count.
 */
#include <linux/kprobes.h>
#include <linux/mm.h>
#include <linux/swap.h>
#include "enomem_stats.h"

struct enomem_ksyms enomem_ksyms;

static void *enomem_ksym(const char *name)
{
	struct kprobe kp = { .symbol_name = name };

	if (!register_kprobe(&kp)) {
		/* cannot happen for data; never leave a probe behind */
		unregister_kprobe(&kp);
		return NULL;
	}
	return kp.addr;
}

void enomem_ksyms_init(void)
{
	enomem_ksyms.pid_max = enomem_ksym("pid_max");
	enomem_ksyms.max_threads = enomem_ksym("max_threads");
	enomem_ksyms.overcommit_ratio = enomem_ksym("sysctl_overcommit_ratio");
	enomem_ksyms.overcommit_kbytes = enomem_ksym("sysctl_overcommit_kbytes");
	enomem_ksyms.total_swap_pages = enomem_ksym("total_swap_pages");
}

/*
 * CommitLimit in pages, as /proc/meminfo computes it except that pages
 * reserved for hugetlb are not subtracted.  0 when unknown.
 */
unsigned long enomem_commit_limit(void)
{
	const struct enomem_ksyms *k = &enomem_ksyms;
	unsigned long allowed, kbytes;

	if (!k->overcommit_ratio || !k->overcommit_kbytes || !k->total_swap_pages)
		return 0;
	kbytes = READ_ONCE(*k->overcommit_kbytes);
	if (kbytes)
		allowed = kbytes >> (PAGE_SHIFT - 10);
	else
		allowed = enomem_totalram_pages() * READ_ONCE(*k->overcommit_ratio) / 100;
	return allowed + READ_ONCE(*k->total_swap_pages);
}
