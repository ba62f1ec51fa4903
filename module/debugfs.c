// SPDX-License-Identifier: GPL-2.0
/*
 * debugfs detail: /sys/kernel/debug/enomem_stats/probes.
 *
 * debugfs is a convenience, never a requirement: without it (not built,
 * locked down, not mounted) the module still loads and counts.
 */
#include <linux/debugfs.h>
#include <linux/seq_file.h>
#include <linux/fs.h>
#include <linux/err.h>
#include "enomem_stats.h"

static struct dentry *enomem_debugfs_dir;

static int enomem_probes_file_show(struct seq_file *m, void *v)
{
	int r;

	enomem_probes_show(m);
	seq_puts(m, "# reason attribution\n");
	for (r = 0; r < ENOMEM_NR_REASONS; r++)
		seq_printf(m, "%s %s\n", enomem_reason_names[r],
			   enomem_reason_support(r));
	return 0;
}

static int enomem_probes_file_open(struct inode *inode, struct file *file)
{
	return single_open(file, enomem_probes_file_show, inode->i_private);
}

static const struct file_operations enomem_probes_fops = {
	.owner		= THIS_MODULE,
	.open		= enomem_probes_file_open,
	.read		= seq_read,
	.llseek		= seq_lseek,
	.release	= single_release,
};

int enomem_debugfs_init(void)
{
	struct dentry *d;

	d = debugfs_create_dir("enomem_stats", NULL);
	if (IS_ERR_OR_NULL(d)) {
		pr_info("enomem_stats: debugfs unavailable; counting continues without detail files\n");
		return 0;
	}
	enomem_debugfs_dir = d;
	debugfs_create_file("probes", 0444, d, NULL, &enomem_probes_fops);
	return 0;
}

void enomem_debugfs_exit(void)
{
	debugfs_remove_recursive(enomem_debugfs_dir);
	enomem_debugfs_dir = NULL;
}
