// SPDX-License-Identifier: GPL-2.0
/*
 * Who is failing: failures per (cgroup, reason) and per (uid, reason),
 * kept beyond the event ring, in /sys/kernel/debug/enomem_stats/{cgroups,users}.
 *
 * Each table is allocated at load (who_entries entries) and written from
 * the event ring's push (events.c), so only on the failure path, never in
 * NMI context (events recorded there reach it through the irq_work), and
 * without allocating.  When a table is full the entry that failed longest
 * ago makes room and the eviction is counted: the tables name who failed,
 * /proc/enomem_stats keeps the exact totals whatever is evicted.
 */
#include <linux/debugfs.h>
#include <linux/seq_file.h>
#include <linux/spinlock.h>
#include <linux/vmalloc.h>
#include <linux/jhash.h>
#include <linux/list.h>
#include <linux/log2.h>
#include <linux/string.h>
#include <linux/moduleparam.h>
#include <linux/sched.h>
#include "enomem_stats.h"

#define ENOMEM_WHO_MAX 65536

static unsigned int who_entries = 256;
module_param(who_entries, uint, 0444);
MODULE_PARM_DESC(who_entries,
		 "entries of each who-is-failing table, cgroups and users (1..65536, default 256)");

/* One (cgroup or uid, reason) and its newest failure. */
struct enomem_who_entry {
	struct hlist_node hash;
	struct list_head lru;		/* least recently failing first */
	u64 failures, first_ns, last_ns;
	u64 value, value2;		/* the newest failure's limit */
	u32 uid;
	pid_t last_pid;
	u8 rclass;			/* 0 fork, 1 mapping, 2 thread stack */
	u8 reason, limit;
	char comm[TASK_COMM_LEN];
	char cgroup[];			/* the cgroups table only */
};

struct enomem_who_table {
	const char *name;
	bool by_cgroup;
	size_t stride;			/* bytes per entry */
	void *slots;			/* the first "used" are in use */
	struct hlist_head *buckets;
	unsigned int nbuckets;		/* a power of 2 */
	struct list_head lru;
	unsigned int used;
	unsigned long evicted;
	spinlock_t lock;
};

static struct enomem_who_table enomem_who_cgroups = {
	.name = "cgroups", .by_cgroup = true,
	.lock = __SPIN_LOCK_UNLOCKED(enomem_who_cgroups.lock),
};
static struct enomem_who_table enomem_who_users = {
	.name = "users",
	.lock = __SPIN_LOCK_UNLOCKED(enomem_who_users.lock),
};

static struct enomem_who_entry *enomem_who_slot(const struct enomem_who_table *t,
						 void *base, unsigned int i)
{
	return base + (size_t)i * t->stride;
}

static void enomem_who_empty(struct enomem_who_table *t)
{
	unsigned int i;

	for (i = 0; i < t->nbuckets; i++)
		INIT_HLIST_HEAD(&t->buckets[i]);
	INIT_LIST_HEAD(&t->lru);
	t->used = 0;
	t->evicted = 0;
}

static int enomem_who_alloc(struct enomem_who_table *t)
{
	t->stride = ALIGN(sizeof(struct enomem_who_entry) +
			  (t->by_cgroup ? ENOMEM_CGROUP_PATH_LEN : 0), 8);
	t->nbuckets = roundup_pow_of_two(who_entries);
	t->slots = vzalloc(t->stride * who_entries);
	t->buckets = vmalloc(sizeof(*t->buckets) * t->nbuckets);
	if (!t->slots || !t->buckets)
		return -ENOMEM;
	enomem_who_empty(t);
	return 0;
}

static void enomem_who_free(struct enomem_who_table *t)
{
	vfree(t->slots);
	vfree(t->buckets);
	t->slots = NULL;
	t->buckets = NULL;
}

int enomem_who_init(void)
{
	if (who_entries < 1 || who_entries > ENOMEM_WHO_MAX) {
		pr_err("enomem_stats: who_entries=%u is out of range; use 1 to %u\n",
		       who_entries, ENOMEM_WHO_MAX);
		return -EINVAL;
	}
	if (enomem_who_alloc(&enomem_who_cgroups) ||
	    enomem_who_alloc(&enomem_who_users)) {
		enomem_who_exit();
		return -ENOMEM;
	}
	return 0;
}

void enomem_who_exit(void)
{
	enomem_who_free(&enomem_who_cgroups);
	enomem_who_free(&enomem_who_users);
}

size_t enomem_who_bytes(void)
{
	const struct enomem_who_table *t[] = { &enomem_who_cgroups, &enomem_who_users };
	size_t n = 0;
	int i;

	for (i = 0; i < 2; i++)
		n += t[i]->stride * who_entries + sizeof(*t[i]->buckets) * t[i]->nbuckets;
	return n;
}

static bool enomem_who_match(const struct enomem_who_table *t,
			     const struct enomem_who_entry *w, u8 rclass,
			     const struct enomem_event *e, const char *cgroup)
{
	if (w->rclass != rclass || w->reason != e->reason)
		return false;
	return t->by_cgroup ? !strcmp(w->cgroup, cgroup) : w->uid == e->uid;
}

/* The entry for e's key, made (or taken from the oldest) if there is none. */
static struct enomem_who_entry *enomem_who_find(struct enomem_who_table *t,
						const struct enomem_event *e,
						u8 rclass, const char *cgroup)
{
	u32 key = rclass << 8 | e->reason;
	struct hlist_head *head;
	struct enomem_who_entry *w;
	u32 h;

	h = t->by_cgroup ? jhash(cgroup, strlen(cgroup), key) :
			   jhash_2words(e->uid, key, 0);
	head = &t->buckets[h & (t->nbuckets - 1)];
	hlist_for_each_entry(w, head, hash)
		if (enomem_who_match(t, w, rclass, e, cgroup))
			return w;

	if (t->used < who_entries) {
		w = enomem_who_slot(t, t->slots, t->used++);
	} else {
		w = list_first_entry(&t->lru, struct enomem_who_entry, lru);
		hlist_del(&w->hash);
		list_del(&w->lru);
		t->evicted++;
	}
	w->rclass = rclass;
	w->reason = e->reason;
	w->uid = e->uid;
	if (t->by_cgroup) {
		size_t n = min_t(size_t, strlen(cgroup), ENOMEM_CGROUP_PATH_LEN - 1);

		memcpy(w->cgroup, cgroup, n);
		w->cgroup[n] = '\0';
	}
	w->failures = 0;
	w->first_ns = e->time_ns;
	w->last_ns = 0;
	hlist_add_head(&w->hash, head);
	list_add_tail(&w->lru, &t->lru);
	return w;
}

static void enomem_who_add(struct enomem_who_table *t,
			   const struct enomem_event *e, const char *cgroup)
{
	u8 rclass = e->kind >= ENOMEM_K_MMAP ? 1 + !!e->stack : 0;
	struct enomem_who_entry *w;
	unsigned long flags;

	spin_lock_irqsave(&t->lock, flags);
	w = enomem_who_find(t, e, rclass, cgroup);
	w->failures++;
	/* an event deferred from NMI context may arrive after a newer one */
	if (e->time_ns < w->first_ns)
		w->first_ns = e->time_ns;
	if (e->time_ns >= w->last_ns) {
		w->last_ns = e->time_ns;
		w->last_pid = e->pid;
		w->limit = e->limit;
		w->value = e->value;
		w->value2 = e->value2;
		memcpy(w->comm, e->comm, sizeof(w->comm));
	}
	list_move_tail(&w->lru, &t->lru);
	spin_unlock_irqrestore(&t->lock, flags);
}

/*
 * One recorded failure, from the ring's push: in the failing task, or in
 * the irq_work that took over an event from NMI context.  The cgroup that
 * names a service is the event's, except where a v1 name=systemd hierarchy
 * names the unit (compat/cgroup.c), which is read only in the task itself.
 */
void enomem_who_record(const struct enomem_event *e)
{
	char unit[ENOMEM_CGROUP_PATH_LEN];
	const char *cgroup = e->cgroup;

	if (current->pid == e->pid &&
	    enomem_task_unit_path(unit, sizeof(unit)))
		cgroup = unit;
	enomem_who_add(&enomem_who_cgroups, e, cgroup);
	enomem_who_add(&enomem_who_users, e, NULL);
}

/* Writing "reset" to /proc/enomem_stats empties both tables. */
void enomem_who_reset(void)
{
	struct enomem_who_table *t[] = { &enomem_who_cgroups, &enomem_who_users };
	unsigned long flags;
	int i;

	for (i = 0; i < 2; i++) {
		spin_lock_irqsave(&t[i]->lock, flags);
		enomem_who_empty(t[i]);
		spin_unlock_irqrestore(&t[i]->lock, flags);
	}
}

/*
 * A table is copied at open, in chunks so that interrupts are never off
 * for long: each entry is one moment, the header the moment of the open.
 */
#define ENOMEM_WHO_COPY_CHUNK 256

struct enomem_who_view {
	const struct enomem_who_table *t;
	unsigned int n, used;
	unsigned long evicted;
	char slots[];
};

static struct enomem_who_view *enomem_who_snapshot(struct enomem_who_table *t)
{
	struct enomem_who_view *v;
	unsigned long flags;
	unsigned int i, stop;

	v = vmalloc(sizeof(*v) + t->stride * who_entries);
	if (!v)
		return NULL;
	v->t = t;
	spin_lock_irqsave(&t->lock, flags);
	v->used = t->used;
	v->evicted = t->evicted;
	spin_unlock_irqrestore(&t->lock, flags);

	for (i = 0; i < v->used; i = stop) {
		spin_lock_irqsave(&t->lock, flags);
		stop = min(min(v->used, t->used), i + ENOMEM_WHO_COPY_CHUNK);
		if (stop > i)
			memcpy(v->slots + (size_t)i * t->stride,
			       (char *)t->slots + (size_t)i * t->stride,
			       (size_t)(stop - i) * t->stride);
		spin_unlock_irqrestore(&t->lock, flags);
		if (stop <= i)	/* emptied by a reset meanwhile */
			break;
		cond_resched();
	}
	v->n = i;
	return v;
}

static const char *enomem_who_reason(const struct enomem_who_entry *w)
{
	if (w->rclass)
		return enomem_map_reason_names[w->rclass - 1][w->reason];
	return enomem_reason_names[w->reason];
}

/* A text field escaped as in the events file, "-" when empty. */
static void enomem_who_word(struct seq_file *m, const char *s, char end)
{
	if (s[0])
		seq_escape(m, s, " \t\n\\");
	else
		seq_putc(m, '-');
	seq_putc(m, end);
}

/* failures reason first_ns last_ns last_pid limit cgroup|uid comm */
static int enomem_who_show(struct seq_file *m, void *v)
{
	const struct enomem_who_view *view = m->private;
	const struct enomem_who_table *t = view->t;
	struct enomem_event lim;
	char limit[64];
	unsigned int i;

	seq_printf(m, "# enomem_stats %s: entries %u size %u evicted %lu\n",
		   t->name, view->used, who_entries, view->evicted);
	seq_printf(m, "# failures reason first_ns last_ns last_pid limit %s comm\n",
		   t->by_cgroup ? "cgroup" : "uid");
	for (i = 0; i < view->n; i++) {
		const struct enomem_who_entry *w =
			enomem_who_slot(t, (void *)view->slots, i);

		lim.limit = w->limit;
		lim.value = w->value;
		lim.value2 = w->value2;
		enomem_event_limit_token(&lim, limit, sizeof(limit));
		seq_printf(m, "%llu %s %llu %llu %d %s ", w->failures,
			   enomem_who_reason(w), w->first_ns, w->last_ns,
			   w->last_pid, limit);
		if (t->by_cgroup)
			enomem_who_word(m, w->cgroup, ' ');
		else
			seq_printf(m, "%u ", w->uid);
		enomem_who_word(m, w->comm, '\n');
	}
	return 0;
}

static int enomem_who_open(struct inode *inode, struct file *file)
{
	struct enomem_who_view *view;
	int ret;

	view = enomem_who_snapshot(inode->i_private);
	if (!view)
		return -ENOMEM;
	ret = single_open(file, enomem_who_show, view);
	if (ret)
		vfree(view);
	return ret;
}

static const struct file_operations enomem_who_fops = {
	.owner		= THIS_MODULE,
	.open		= enomem_who_open,
	.read		= seq_read,
	.llseek		= seq_lseek,
	.release	= enomem_debugfs_view_release,
};

/* Who failed, with their cgroup paths and uids: root only. */
void enomem_who_debugfs(struct dentry *dir)
{
	debugfs_create_file("cgroups", 0400, dir, &enomem_who_cgroups,
			    &enomem_who_fops);
	debugfs_create_file("users", 0400, dir, &enomem_who_users,
			    &enomem_who_fops);
}
