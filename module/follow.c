// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/enomem_stats_follow: each failure as it is recorded, for
 * "enomemstat --follow".  A reader starts at the next event, read() sleeps
 * until there is one and returns whole events-file lines; events the ring
 * overwrote before the reader got to them are announced as "# lost N".
 *
 * The ring's push (events.c) runs in probe context, where the wait
 * queue's lock must not be taken: it only queues an irq_work, and only
 * while someone waits, and the irq_work wakes the readers.
 *
 * No .owner: an open reader does not pin the module.  At unload the
 * readers are woken and see EOF, and remove_proc_entry() waits for any
 * still inside read() and releases the open files (procfs runs them down),
 * so rmmod succeeds under "enomemstat --follow".
 */
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <linux/poll.h>
#include <linux/wait.h>
#include <linux/irq_work.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/fs.h>
#include "enomem_stats.h"

#define ENOMEM_FOLLOW_NAME "enomem_stats_follow"
/* a page holds several lines: each is at most about 700 bytes */
#define ENOMEM_FOLLOW_BUF PAGE_SIZE

static DECLARE_WAIT_QUEUE_HEAD(enomem_follow_wq);
static struct irq_work enomem_follow_work;
static bool enomem_follow_gone;

struct enomem_follow {
	struct mutex lock;		/* one read() at a time per open file */
	unsigned long pos;		/* the next event to hand out */
	size_t len, off;		/* text formatted, and handed out */
	char buf[ENOMEM_FOLLOW_BUF];
};

static void enomem_follow_wake(struct irq_work *work)
{
	wake_up_all(&enomem_follow_wq);
}

void enomem_follow_setup(void)
{
	init_irq_work(&enomem_follow_work, enomem_follow_wake);
}

/*
 * From the ring's push, after the event is in (any context but NMI).
 * The barrier pairs with the one in prepare_to_wait(): either the reader
 * sees the new event, or this sees the reader queued.
 */
void enomem_follow_notify(void)
{
	smp_mb();
	if (waitqueue_active(&enomem_follow_wq))
		irq_work_queue(&enomem_follow_work);
}

/* After the last push: no wakeup may run once the module is gone. */
void enomem_follow_sync(void)
{
	irq_work_sync(&enomem_follow_work);
}

static bool enomem_follow_ready(const struct enomem_follow *f)
{
	return READ_ONCE(enomem_follow_gone) ||
	       enomem_events_recorded() != READ_ONCE(f->pos);
}

/*
 * Format what is new since f->pos, whole lines, about want bytes (at least
 * one line).  The lines go through enomem_event_show(), so they are the
 * events file's exactly: a seq_file over the reader's buffer, of which
 * seq_printf() and seq_escape() use only buf, size and count.
 */
static void enomem_follow_fill(struct enomem_follow *f, size_t want)
{
	struct seq_file m;
	struct enomem_event e;
	unsigned long p, lost;
	size_t before;
	bool have;

	memset(&m, 0, sizeof(m));
	m.buf = f->buf;
	m.size = sizeof(f->buf);
	for (;;) {
		p = f->pos;
		have = enomem_events_next(&p, &e, &lost);
		if (!have && !lost)
			break;
		before = m.count;
		if (lost)
			seq_printf(&m, "# lost %lu\n", lost);
		if (have)
			enomem_event_show(&m, &e);
		/* no room (seq_file overflow fills it), or enough for this read */
		if (m.count >= m.size || (before && m.count > want)) {
			m.count = before;
			break;
		}
		f->pos = have ? p + 1 : p;
	}
	f->len = m.count;
	f->off = 0;
}

static ssize_t enomem_follow_read(struct file *file, char __user *ubuf,
				  size_t count, loff_t *ppos)
{
	struct enomem_follow *f = file->private_data;
	ssize_t ret;
	size_t n;

	if (!count)
		return 0;
	if (mutex_lock_interruptible(&f->lock))
		return -ERESTARTSYS;
	while (f->off == f->len) {
		if (READ_ONCE(enomem_follow_gone)) {
			ret = 0;	/* unloading: EOF */
			goto out;
		}
		enomem_follow_fill(f, count);
		if (f->len)
			break;
		if (file->f_flags & O_NONBLOCK) {
			ret = -EAGAIN;
			goto out;
		}
		ret = wait_event_interruptible(enomem_follow_wq,
					       enomem_follow_ready(f));
		if (ret)
			goto out;
	}
	n = min(count, f->len - f->off);
	if (copy_to_user(ubuf, f->buf + f->off, n)) {
		ret = -EFAULT;
		goto out;
	}
	f->off += n;
	ret = n;
out:
	mutex_unlock(&f->lock);
	return ret;
}

static unsigned int enomem_follow_poll(struct file *file, poll_table *wait)
{
	struct enomem_follow *f = file->private_data;

	poll_wait(file, &enomem_follow_wq, wait);
	if (enomem_follow_ready(f) || READ_ONCE(f->off) != READ_ONCE(f->len))
		return POLLIN | POLLRDNORM;
	return 0;
}

static int enomem_follow_open(struct inode *inode, struct file *file)
{
	struct enomem_follow *f;

	f = kzalloc(sizeof(*f), GFP_KERNEL);
	if (!f)
		return -ENOMEM;
	mutex_init(&f->lock);
	f->pos = enomem_events_recorded();
	file->private_data = f;
	return nonseekable_open(inode, file);
}

static int enomem_follow_release(struct inode *inode, struct file *file)
{
	kfree(file->private_data);
	return 0;
}

static const enomem_proc_ops_t enomem_follow_ops =
	ENOMEM_PROC_STREAM_OPS(enomem_follow_open, enomem_follow_read,
			       enomem_follow_poll, enomem_follow_release);

int enomem_follow_init(void)
{
	WRITE_ONCE(enomem_follow_gone, false);
	if (!proc_create(ENOMEM_FOLLOW_NAME, 0400, NULL, &enomem_follow_ops))
		return -ENOMEM;
	return 0;
}

void enomem_follow_exit(void)
{
	WRITE_ONCE(enomem_follow_gone, true);
	wake_up_all(&enomem_follow_wq);
	remove_proc_entry(ENOMEM_FOLLOW_NAME, NULL);
}
