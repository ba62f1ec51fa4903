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
 *
 * The same lookup gives the address and extent of a kernel function by
 * name, for the code that reads a little kernel text at load (textscan.c),
 * and where a probe on a function's entry sits (ftrace or not).
 */
#include <linux/kprobes.h>
#include <linux/slab.h>
#include <linux/module.h>
#include <linux/kallsyms.h>
#include <linux/string.h>
#include <linux/kernel.h>
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

/* For a compat file that needs one more variable (compat/cgroup.c). */
void *enomem_ksym_addr(const char *name)
{
	return enomem_ksym(name);
}

#ifndef CONFIG_SWAP
static long enomem_no_swap;
#endif

void enomem_ksyms_init(void)
{
	enomem_ksyms.pid_max = enomem_ksym("pid_max");
	enomem_ksyms.max_threads = enomem_ksym("max_threads");
	enomem_ksyms.overcommit_ratio = enomem_ksym("sysctl_overcommit_ratio");
	enomem_ksyms.overcommit_kbytes = enomem_ksym("sysctl_overcommit_kbytes");
#ifdef CONFIG_SWAP
	enomem_ksyms.swap_pages = enomem_ksym("total_swap_pages");
#else
	/* No swap support: <linux/swap.h> makes total_swap_pages the constant 0. */
	enomem_ksyms.swap_pages = &enomem_no_swap;
#endif
	enomem_ksyms.max_map_count = enomem_ksym("sysctl_max_map_count");
	enomem_ksyms.overcommit_memory = enomem_ksym("sysctl_overcommit_memory");
	enomem_ksyms.ignore_rlimit_data = enomem_ksym("ignore_rlimit_data");
	enomem_ksyms.admin_reserve_kbytes = enomem_ksym("sysctl_admin_reserve_kbytes");
	enomem_ksyms.user_reserve_kbytes = enomem_ksym("sysctl_user_reserve_kbytes");
}

/*
 * CommitLimit in pages, as /proc/meminfo computes it except that pages
 * reserved for hugetlb are not subtracted.  0 when unknown.
 */
unsigned long enomem_commit_limit(void)
{
	const struct enomem_ksyms *k = &enomem_ksyms;
	unsigned long allowed, kbytes;

	if (!k->overcommit_ratio || !k->overcommit_kbytes || !k->swap_pages)
		return 0;
	kbytes = READ_ONCE(*k->overcommit_kbytes);
	if (kbytes)
		allowed = kbytes >> (PAGE_SHIFT - 10);
	else
		allowed = enomem_totalram_pages() * READ_ONCE(*k->overcommit_ratio) / 100;
	return allowed + READ_ONCE(*k->swap_pages);
}

/* Start and size of the kernel function containing ADDR; false if unknown. */
bool enomem_text_extent(unsigned long addr, unsigned long *start,
			unsigned long *size)
{
	char buf[KSYM_SYMBOL_LEN];
	unsigned long off;
	char *plus;

	sprint_symbol(buf, addr);
	plus = strrchr(buf, '+');
	if (!plus || sscanf(plus, "+%lx/%lx", &off, size) != 2 || off > addr)
		return false;
	*start = addr - off;
	return *size > 0 && *size < 65536;
}

/*
 * The address a kprobe on the function NAME would sit at, or 0.  Registered
 * disabled, the probe is never armed: no ftrace or text patching at load
 * for a lookup, only the unregistration's RCU grace period.
 */
static unsigned long enomem_text_lookup(const char *name, unsigned int *flags)
{
	struct kprobe kp = { .symbol_name = name, .flags = KPROBE_FLAG_DISABLED };

	if (register_kprobe(&kp))
		return 0;
	*flags = kp.flags;	/* as the kprobes core prepared the probe */
	unregister_kprobe(&kp);
	return (unsigned long)kp.addr;
}

/* The address of the kernel function NAME (past an ENDBR64, if any), or 0. */
unsigned long enomem_text_addr(const char *name)
{
	unsigned int flags;

	return enomem_text_lookup(name, &flags);
}

/*
 * The same for the N functions NAMES at once: one RCU grace period for
 * all of them (unregister_kprobes() waits once per call), where a lookup
 * each would wait N times; at load under emulation that was seconds.
 */
void enomem_text_addrs(const char *const *names, unsigned long *addrs,
		       unsigned int n)
{
	struct kprobe *kps, **live;
	unsigned int i, m = 0;

	kps = kcalloc(n, sizeof(*kps), GFP_KERNEL);
	live = kcalloc(n, sizeof(*live), GFP_KERNEL);
	if (!kps || !live) {
		for (i = 0; i < n; i++)
			addrs[i] = enomem_text_addr(names[i]);
		goto out;
	}
	for (i = 0; i < n; i++) {
		kps[i].symbol_name = names[i];
		kps[i].flags = KPROBE_FLAG_DISABLED;
		addrs[i] = 0;
		if (register_kprobe(&kps[i]))
			continue;
		addrs[i] = (unsigned long)kps[i].addr;
		live[m++] = &kps[i];
	}
	if (m)
		unregister_kprobes(live, m);
out:
	kfree(live);
	kfree(kps);
}

/*
 * The offset in FN of its first instruction proper: past its ftrace site
 * (-mfentry's 5-byte call, a nop while untraced), where the kprobes core
 * puts an entry probe on ftrace.  Nothing has touched the stack or the
 * argument registers yet, so a probe there sees what one on the entry
 * would, but it is an ordinary kprobe, which the kernel can jump-optimize.
 * 0 when FN's entry probe is not ftrace-based.
 */
unsigned long enomem_text_body(const char *fn)
{
#ifdef KPROBE_FLAG_FTRACE
	unsigned long start, size, addr;
	unsigned int flags = 0;

	addr = enomem_text_lookup(fn, &flags);	/* past an ENDBR64, if any */
	if (!(flags & KPROBE_FLAG_FTRACE) ||
	    !enomem_text_extent(addr, &start, &size))
		return 0;
	return addr - start + 5;	/* x86's MCOUNT_INSN_SIZE */
#else
	return 0;
#endif
}
