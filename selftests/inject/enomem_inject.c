// SPDX-License-Identifier: GPL-2.0
/*
 * enomem_inject: test-only slab failure injector for the enomem_stats
 * selftests.
 *
 * Debian's kernels have no fault injection (no failslab, no fail_function),
 * so this module puts a kretprobe on the slab allocator that fork() uses for
 * task_struct and, for one target task only, frees the object it returned
 * and makes the call return NULL.  The fork then fails with ENOMEM exactly
 * as on a real allocation failure.
 *
 * Parameters (all writable at runtime under /sys/module/enomem_inject/):
 *   target_pid  task (thread id) to fail allocations for; 0 disarms
 *   skip        matching calls to let through before failing
 *   times       allocations still to fail; decremented per injection
 *   injected    read-only, total number of injected failures
 *
 * Load it before enomem_stats: when two kretprobes sit on one function the
 * one registered first sees the return value first, and the module under
 * test must see the NULL, not the original object.
 *
 * Never load this on a real machine.
 */
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/kprobes.h>
#include <linux/slab.h>
#include <linux/sched.h>
#include <linux/atomic.h>

static int target_pid;
module_param(target_pid, int, 0644);
MODULE_PARM_DESC(target_pid, "thread id whose allocations fail (0 = off)");

static int skip;
module_param(skip, int, 0644);
MODULE_PARM_DESC(skip, "matching allocations to let through first");

static int times = 1;
module_param(times, int, 0644);
MODULE_PARM_DESC(times, "allocations still to fail");

static unsigned int injected;
module_param(injected, uint, 0444);
MODULE_PARM_DESC(injected, "allocations failed so far");

/* 6.12 renamed the allocator entry points for allocation profiling. */
static const char * const inject_symbols[] = {
	"kmem_cache_alloc_node",
	"kmem_cache_alloc_node_noprof",
};

struct inject_data {
	struct kmem_cache *cache;
	bool fail;
};

/*
 * Decide at entry, in the task's own context, whether this call fails.
 * The parameters are plain ints written through sysfs; the target task is
 * the only one that consumes skip/times, and it writes them only while it
 * is not forking, so no lock is needed.
 */
static int inject_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct inject_data *d = (struct inject_data *)ri->data;
	int pid = READ_ONCE(target_pid);

	d->fail = false;
	if (!pid || current->pid != pid)
		return 1;	/* not ours: skip the return handler */
	if (READ_ONCE(skip) > 0) {
		WRITE_ONCE(skip, skip - 1);
		return 1;
	}
	if (READ_ONCE(times) <= 0)
		return 1;
	WRITE_ONCE(times, times - 1);
	/* first argument; x86_64 only, regs_get_kernel_argument() is 5.0+ */
	d->cache = (struct kmem_cache *)regs->di;
	d->fail = true;
	return 0;
}

static int inject_ret(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct inject_data *d = (struct inject_data *)ri->data;
	void *obj = (void *)regs_return_value(regs);

	if (!d->fail || !obj)
		return 0;
	/* Give the object back so the failure leaks nothing. */
	kmem_cache_free(d->cache, obj);
	regs_set_return_value(regs, 0);
	injected++;
	return 0;
}

static struct kretprobe inject_probe = {
	.entry_handler	= inject_entry,
	.handler	= inject_ret,
	.data_size	= sizeof(struct inject_data),
	/* Very hot function; only the target's calls keep an instance. */
	.maxactive	= 64,
};

static int __init inject_init(void)
{
	int ret = -ENOENT;
	int i;

	for (i = 0; i < ARRAY_SIZE(inject_symbols); i++) {
		inject_probe.kp.symbol_name = inject_symbols[i];
		inject_probe.kp.addr = NULL;
		ret = register_kretprobe(&inject_probe);
		if (ret != -ENOENT && ret != -EINVAL)
			break;
	}
	if (ret) {
		pr_err("enomem_inject: register_kretprobe failed, returned %d\n",
		       ret);
		return ret;
	}
	pr_info("enomem_inject: probing %s (test-only fault injector)\n",
		inject_probe.kp.symbol_name);
	return 0;
}

static void __exit inject_exit(void)
{
	unregister_kretprobe(&inject_probe);
	if (inject_probe.nmissed)
		pr_info("enomem_inject: %d probe instances missed\n",
			inject_probe.nmissed);
}

module_init(inject_init);
module_exit(inject_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Test-only: fail slab allocations of one task (enomem_stats selftests)");
