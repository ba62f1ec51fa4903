// SPDX-License-Identifier: GPL-2.0
/*
 * cgroup facts for an event: the path of the cgroup that refused, and the
 * effective memory.max of the forking task.  Both run in probe context on
 * the failure path only: RCU and the kernfs rename spinlock, no sleeping.
 */
#include <linux/cgroup.h>
#include <linux/memcontrol.h>
#include <linux/sched.h>
#include <linux/rcupdate.h>
#include <linux/string.h>
#include "enomem_stats.h"

#ifdef ENOMEM_HAVE_TASK_DFL_CGROUP
#ifdef ENOMEM_HAVE_CGROUP_ID
/*
 * cgroup_path() formats each level with scnprintf() under kernfs's rename
 * lock; on 6.12 that was most of what recording an event costs a failing
 * fork.  Forks that fail tend to fail again in the same cgroup, so each CPU
 * keeps the last path it formatted, keyed by the cgroup's id.  Only cgroup2
 * paths are kept: there a cgroup cannot be renamed or moved (v1 can), and
 * an id is never reused, so a cached path is never stale.  Probe handlers
 * run with preemption off and do not nest on a CPU.
 */
struct enomem_path_cache {
	u64 id;
	char path[ENOMEM_CGROUP_PATH_LEN];
};

static DEFINE_PER_CPU(struct enomem_path_cache, enomem_path_cache);

static int enomem_cgroup_path(struct cgroup *cgrp, char *buf, size_t len)
{
	struct enomem_path_cache *c = this_cpu_ptr(&enomem_path_cache);
	u64 id = cgroup_id(cgrp);

	if (cgrp->root != &cgrp_dfl_root || len != sizeof(c->path))
		return cgroup_path(cgrp, buf, len);
	if (c->id != id) {
		c->id = 0;
		if (cgroup_path(cgrp, c->path, sizeof(c->path)) < 0)
			return -1;
		c->id = id;
	}
	memcpy(buf, c->path, len);
	return 0;
}
#else
static int enomem_cgroup_path(struct cgroup *cgrp, char *buf, size_t len)
{
	return cgroup_path(cgrp, buf, len);
}
#endif

void enomem_task_cgroup_path(enum enomem_reason reason, char *buf, size_t len)
{
	struct cgroup *cgrp = NULL;

	rcu_read_lock();
#if IS_ENABLED(CONFIG_CGROUP_PIDS)
	/* the pids hierarchy may be v1: name the cgroup whose pids.max it is */
	if (reason == ENOMEM_R_CGROUP_PIDS)
		cgrp = task_css(current, pids_cgrp_id)->cgroup;
#endif
#if IS_ENABLED(CONFIG_MEMCG)
	if (reason == ENOMEM_R_MEMCG)
		cgrp = task_css(current, memory_cgrp_id)->cgroup;
#endif
	if (!cgrp)
		cgrp = task_dfl_cgroup(current);
	if (enomem_cgroup_path(cgrp, buf, len) < 0)
		buf[0] = '\0';
	rcu_read_unlock();
}
#elif defined(ENOMEM_HAVE_TASK_CGROUP_SUBSYS_ID)
/*
 * 3.10 (RHEL 7): one cgroup per v1 hierarchy; its cgroup_path() only reads
 * names under RCU and is documented as callable under spinlocks.
 */
void enomem_task_cgroup_path(enum enomem_reason reason, char *buf, size_t len)
{
	int id = -1;

#if IS_ENABLED(CONFIG_CGROUP_PIDS)
	id = pids_subsys_id;	/* also where systemd's TasksMax lives */
#endif
#if IS_ENABLED(CONFIG_MEMCG)
	if (reason == ENOMEM_R_MEMCG || id < 0)
		id = mem_cgroup_subsys_id;
#endif
	buf[0] = '\0';
	if (id < 0)
		return;
	rcu_read_lock();
	if (cgroup_path(task_cgroup(current, id), buf, len) < 0)
		buf[0] = '\0';
	rcu_read_unlock();
}
#else
void enomem_task_cgroup_path(enum enomem_reason reason, char *buf, size_t len)
{
	buf[0] = '\0';
}
#endif

#ifdef ENOMEM_HAVE_CSS_SET_CG_LINKS
/*
 * The unit that failed, on RHEL 7: systemd 219 puts every unit in its own
 * cgroup of the name=systemd hierarchy ("1:name=systemd:/system.slice/
 * x.service" in /proc/PID/cgroup), in the pids or memory hierarchy only
 * when it sets a limit there.  That hierarchy has no controller, so no
 * css leads to it: 3.10 reaches a task's cgroup in it only through the
 * links of its css_set (task_cgroup_from_root(), under cgroup_mutex).
 * The link is private to kernel/cgroup.c; its 3.10 layout is mirrored
 * here, and checked on every link (a link names its own css_set).
 * css_set_lock, an rwlock there, keeps the list still: a new hierarchy's
 * mount adds links to every css_set, its unmount frees them.  Its writers
 * (a fork's or exit's css_set link, a move between cgroups) hold it for a
 * few list operations, so it is tried for a while rather than waited on:
 * a probe that ever fired inside a writer must not deadlock.  Past that,
 * or in an interrupt (it is taken with interrupts on elsewhere), the
 * entry gets the event's path, as without the hierarchy.
 */
#define ENOMEM_CSS_SET_LOCK_TRIES 1000

struct enomem_cg_cgroup_link {
	struct list_head cgrp_link_list;
	struct cgroup *cgrp;
	struct list_head cg_link_list;
	struct css_set *cg;
};

static rwlock_t *enomem_css_set_lock;

void enomem_unit_path_init(void)
{
	enomem_css_set_lock = enomem_ksym_addr("css_set_lock");
}

bool enomem_task_unit_path(char *buf, size_t len)
{
	struct enomem_cg_cgroup_link *link;
	struct css_set *cset;
	bool found = false;
	int tries = 0;

	if (!enomem_css_set_lock || in_interrupt())
		return false;
	while (!read_trylock(enomem_css_set_lock)) {
		if (++tries == ENOMEM_CSS_SET_LOCK_TRIES)
			return false;
		cpu_relax();
	}
	rcu_read_lock();
	cset = rcu_dereference(current->cgroups);
	list_for_each_entry(link, &cset->cg_links, cg_link_list) {
		if (link->cg != cset)
			break;
		if (!strcmp(link->cgrp->root->name, "systemd")) {
			found = cgroup_path(link->cgrp, buf, len) == 0;
			break;
		}
	}
	rcu_read_unlock();
	read_unlock(enomem_css_set_lock);
	return found;
}
#else
/* cgroup v2: the event's cgroup names the unit. */
void enomem_unit_path_init(void)
{
}

bool enomem_task_unit_path(char *buf, size_t len)
{
	return false;
}
#endif

#if defined(ENOMEM_HAVE_MEMCG_PAGE_COUNTER) && IS_ENABLED(CONFIG_MEMCG)
/* The tightest memory.max on the way to the root: the one that bit. */
bool enomem_memcg_max(u64 *bytes)
{
	struct mem_cgroup *memcg;
	unsigned long max = PAGE_COUNTER_MAX;

	rcu_read_lock();
	for (memcg = mem_cgroup_from_task(current); memcg;
	     memcg = parent_mem_cgroup(memcg))
		max = min(max, READ_ONCE(memcg->memory.max));
	rcu_read_unlock();
	if (max == PAGE_COUNTER_MAX)
		return false;
	*bytes = (u64)max * PAGE_SIZE;
	return true;
}
/*
 * After the fact: is current's memcg, or an ancestor, within a fork's worth
 * of its limit?  Catches the charges that fail without reclaim, which the
 * reclaim/OOM probes cannot see: the v1 kmem limit (4.x-5.x fail at once)
 * and non-blocking charges.  32 pages covers the largest single charge of
 * a fork (the kernel stack, or a slab page of task_struct).
 */
#define ENOMEM_MEMCG_SLACK 32

static bool enomem_counter_full(struct page_counter *c)
{
	return page_counter_read(c) + ENOMEM_MEMCG_SLACK > READ_ONCE(c->max);
}

bool enomem_memcg_at_limit(void)
{
	struct mem_cgroup *memcg;
	bool full = false;

	rcu_read_lock();
	for (memcg = mem_cgroup_from_task(current); memcg && !full;
	     memcg = parent_mem_cgroup(memcg)) {
		full = enomem_counter_full(&memcg->memory);
#ifdef ENOMEM_HAVE_MEMCG_KMEM_COUNTER
		full = full || enomem_counter_full(&memcg->kmem);
#endif
	}
	rcu_read_unlock();
	return full;
}
#else
bool enomem_memcg_max(u64 *bytes)
{
	return false;
}

bool enomem_memcg_at_limit(void)
{
	return false;	/* 3.10: struct mem_cgroup is private; the kmem probe covers RHEL 7 */
}
#endif
