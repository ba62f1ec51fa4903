// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/enomem_stats: the counters, one "name value" per line, like
 * /proc/vmstat.  Scripts depend on this format; see docs/interface.md.
 */
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <linux/uaccess.h>
#include <linux/capability.h>
#include <linux/string.h>
#include <linux/errno.h>
#include "enomem_stats.h"

#define ENOMEM_PROC_NAME "enomem_stats"

static int enomem_proc_show(struct seq_file *m, void *v)
{
	u64 val[ENOMEM_NR_COUNTERS];
	int i;

	enomem_stats_read(val);
	for (i = 0; i < ENOMEM_NR_COUNTERS; i++)
		seq_printf(m, "%s %llu\n", enomem_counter_names[i],
			   (unsigned long long)val[i]);
	return 0;
}

static int enomem_proc_open(struct inode *inode, struct file *file)
{
	return single_open(file, enomem_proc_show, NULL);
}

/*
 * "0" or "reset", with an optional trailing newline; nothing else.  Compared
 * by length, so that an embedded NUL ("0\0junk") is not taken for "0".
 */
static ssize_t enomem_proc_write(struct file *file, const char __user *ubuf,
				 size_t len, loff_t *ppos)
{
	char buf[8];
	size_t n = len;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (*ppos != 0 || len == 0 || len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	if (buf[n - 1] == '\n')
		n--;
	if (!(n == 1 && buf[0] == '0') && !(n == 5 && !memcmp(buf, "reset", 5)))
		return -EINVAL;
	enomem_stats_reset();
	enomem_who_reset();
	return len;
}

static const enomem_proc_ops_t enomem_proc_ops =
	ENOMEM_PROC_OPS(enomem_proc_open, enomem_proc_write);

int enomem_procfs_init(void)
{
	if (!proc_create(ENOMEM_PROC_NAME, 0644, NULL, &enomem_proc_ops))
		return -ENOMEM;
	return 0;
}

void enomem_procfs_exit(void)
{
	remove_proc_entry(ENOMEM_PROC_NAME, NULL);
}
