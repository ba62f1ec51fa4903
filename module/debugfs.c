// SPDX-License-Identifier: GPL-2.0
/*
 * debugfs detail: /sys/kernel/debug/enomem_stats/{probes,events}, and
 * who.c's {cgroups,users}.
 *
 * debugfs is a convenience, never a requirement: without it (not built,
 * locked down, not mounted) the module still loads and counts.
 */
#include <linux/debugfs.h>
#include <linux/seq_file.h>
#include <linux/fs.h>
#include <linux/err.h>
#include <linux/vmalloc.h>
#include "enomem_stats.h"

static struct dentry *enomem_debugfs_dir;

static int enomem_probes_file_show(struct seq_file *m, void *v)
{
	int r;

	enomem_probes_show(m);
	seq_printf(m, "# memory ctx_table=%zu percpu_counters=%zu event_ring=%zu who_tables=%zu\n",
		   enomem_ctx_bytes(), enomem_stats_bytes(), enomem_events_bytes(),
		   enomem_who_bytes());
	seq_puts(m, "# reason attribution\n");
	for (r = 0; r < ENOMEM_NR_REASONS; r++)
		seq_printf(m, "%s %s\n", enomem_reason_names[r],
			   enomem_reason_support(r));
	enomem_maps_show(m);
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

/* The event ring is copied once at open, so a slow reader sees one moment. */
struct enomem_events_view {
	unsigned long recorded;
	unsigned int n;
	struct enomem_event ev[];
};

static int enomem_events_file_show(struct seq_file *m, void *v)
{
	const struct enomem_events_view *view = m->private;
	unsigned int i;

	seq_printf(m, "# enomem_stats events: size %u recorded %lu overwritten %lu\n",
		   enomem_events_size(), view->recorded, view->recorded - view->n);
	if (enomem_events_dropped_count())
		seq_printf(m, "# dropped %lu (recorded in NMI context while its queue was full)\n",
			   enomem_events_dropped_count());
	seq_puts(m, "# time_ns pid tgid uid kind errno reason limit cgroup comm\n");
	for (i = 0; i < view->n; i++)
		enomem_event_show(m, &view->ev[i]);
	return 0;
}

static int enomem_events_file_open(struct inode *inode, struct file *file)
{
	struct enomem_events_view *view;
	int ret;

	view = vmalloc(sizeof(*view) +
		       sizeof(view->ev[0]) * enomem_events_size());
	if (!view)
		return -ENOMEM;
	view->n = enomem_events_snapshot(view->ev, &view->recorded);
	ret = single_open(file, enomem_events_file_show, view);
	if (ret)
		vfree(view);
	return ret;
}

/* A single_open() file whose private data is a vmalloc()ed snapshot. */
int enomem_debugfs_view_release(struct inode *inode, struct file *file)
{
	vfree(((struct seq_file *)file->private_data)->private);
	return single_release(inode, file);
}

static const struct file_operations enomem_events_fops = {
	.owner		= THIS_MODULE,
	.open		= enomem_events_file_open,
	.read		= seq_read,
	.llseek		= seq_lseek,
	.release	= enomem_debugfs_view_release,
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
	/* who forked what, and in which cgroup: root only */
	debugfs_create_file("events", 0400, d, NULL, &enomem_events_fops);
	enomem_who_debugfs(d);
	return 0;
}

void enomem_debugfs_exit(void)
{
	debugfs_remove_recursive(enomem_debugfs_dir);
	enomem_debugfs_dir = NULL;
}
