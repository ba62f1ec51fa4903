// SPDX-License-Identifier: GPL-2.0
/*
 * enomem_stats: name the limit behind every failed fork().
 *
 * The module observes only: it never changes what a probed function
 * returns, so every fork fails or succeeds exactly as without it.
 */
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/cpumask.h>
#include <linux/kernel.h>
#include "enomem_stats.h"

#define ENOMEM_MAXACTIVE_LIMIT 8192

static unsigned int maxactive;
module_param(maxactive, uint, 0444);
MODULE_PARM_DESC(maxactive,
		 "forks watched at once (kretprobe instances per probe); 0 = auto (max(128, 16 x CPUs)), at most 8192");

module_param_named(bracket, enomem_bracket, bool, 0444);
MODULE_PARM_DESC(bracket,
		 "watch forks with two plain probes around copy_process() where the kernel allows (default); 0 = the fork entry's kretprobe");

static int __init enomem_init(void)
{
	int ret;

	if (maxactive > ENOMEM_MAXACTIVE_LIMIT) {
		pr_err("enomem_stats: maxactive=%u is out of range; use 0 (auto) to %u\n",
		       maxactive, ENOMEM_MAXACTIVE_LIMIT);
		return -EINVAL;
	}
	enomem_maxactive = maxactive ? maxactive :
			   max(128U, 16U * num_possible_cpus());

	/* the tables first: the event ring's last irq_work still fills them */
	ret = enomem_who_init();
	if (ret)
		goto err;
	ret = enomem_events_init();
	if (ret)
		goto err_who;
	ret = enomem_stats_init(enomem_probes_fork_nmissed, enomem_maps_nmissed);
	if (ret)
		goto err_events;
	ret = enomem_ctx_init(enomem_maxactive);
	if (ret)
		goto err_stats;
	enomem_ksyms_init();
	enomem_unit_path_init();
	/*
	 * Mapping probes first: the commit probe leaves a refused mapping call
	 * to its kind's return probe if that is live, so which ones are must
	 * be settled before it fires (and stay so until it is gone).
	 */
	enomem_maps_register();
	ret = enomem_probes_register();
	if (ret)
		goto err_maps;
	ret = enomem_procfs_init();
	if (ret)
		goto err_probes;
	ret = enomem_follow_init();
	if (ret)
		goto err_procfs;
	ret = enomem_debugfs_init();
	if (ret)
		goto err_follow;
	pr_info("enomem_stats: watching fork failures (maxactive %u, %s)\n",
		enomem_maxactive, enomem_probes_fork_mode());
	return 0;

err_follow:
	enomem_follow_exit();
err_procfs:
	enomem_procfs_exit();
err_probes:
	enomem_probes_unregister();
err_maps:
	enomem_maps_unregister();
	enomem_ctx_exit();
err_stats:
	enomem_stats_exit();
err_events:
	enomem_events_exit();
err_who:
	enomem_who_exit();
err:
	return ret;
}

static void __exit enomem_exit(void)
{
	enomem_debugfs_exit();
	enomem_follow_exit();
	enomem_procfs_exit();
	enomem_probes_unregister();
	enomem_maps_unregister();
	enomem_ctx_exit();
	enomem_stats_exit();
	enomem_events_exit();
	enomem_who_exit();
}

module_init(enomem_init);
module_exit(enomem_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Attribute every failed fork to the limit that refused it");
MODULE_VERSION("0.1.0");
