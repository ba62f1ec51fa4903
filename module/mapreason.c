// SPDX-License-Identifier: GPL-2.0
/*
 * A failed mapping call's reason, read from the state the kernel's own
 * checks compared, while the failing call still holds the mmap lock (or,
 * for mremap's return probe, just after): the same comparisons again, so
 * a site whose block other failures share names only the limit that
 * refused.  The call itself is decoded in maps.c.
 */
#include <linux/sched.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/cred.h>
#include <linux/capability.h>
#include <linux/resource.h>
#include <linux/percpu.h>
#include <linux/jiffies.h>
#include "enomem_stats.h"
#include "maps.h"

static bool enomem_map_count_full(const struct enomem_map_call *c, u64 *max)
{
	const int *p = enomem_ksyms.max_map_count;
	int count = current->mm->map_count;

	if (!p)
		return false;
	*max = READ_ONCE(*p);
	/*
	 * mmap() refuses when the count is already over the limit, a
	 * split (mprotect, or mmap over part of a mapping) when it is at the
	 * limit, and mremap() three short of it when it may move or split
	 * (five short with MREMAP_FIXED from 5.x, which unmaps the target).
	 */
	switch (c->kind) {
	case ENOMEM_K_MMAP:
		return count > *max || (count == *max && c->fixed);
	case ENOMEM_K_MREMAP:
		return c->moves && (count >= *max - 3 ||
				    (c->fixed && count + 2 >= *max - 3));
	}
	return count >= *max;
}

static bool enomem_map_rlimit_as(const struct enomem_map_call *c, u64 *lim)
{
	unsigned long as = task_rlimit(current, RLIMIT_AS);

	/* mprotect() changes no size; an unknown request proves nothing */
	if (c->kind == ENOMEM_K_MPROTECT || !c->pages || as == RLIM_INFINITY)
		return false;
	*lim = as;
	return current->mm->total_vm + c->pages > (as >> PAGE_SHIFT);
}

/*
 * may_expand_vm()'s RLIMIT_DATA answer again (4.7+): a private writable
 * mapping may not take the data size over the soft limit, except that a
 * soft limit of 0 lets it reach the hard one (for valgrind), and not at all
 * with the boot option ignore_rlimit_data.
 */
static bool enomem_map_rlimit_data(const struct enomem_map_call *c, u64 *lim)
{
	unsigned long data = task_rlimit(current, RLIMIT_DATA), need;
	const bool *ignore = enomem_ksyms.ignore_rlimit_data;

	if (!ENOMEM_DATA_LIMITED || !c->data || !c->pages ||
	    data == RLIM_INFINITY || (ignore && READ_ONCE(*ignore)))
		return false;
	need = enomem_mm_data_vm(current->mm) + c->pages;
	if (need <= data >> PAGE_SHIFT ||
	    (!data && need <= task_rlimit_max(current, RLIMIT_DATA) >> PAGE_SHIFT))
		return false;
	*lim = data;
	return true;
}

/*
 * __vm_enough_memory()'s answer again, at the failure: in strict mode the
 * commit plus the request against CommitLimit less the reserves it keeps;
 * in the heuristic mode a request larger than RAM plus swap.
 */
static bool enomem_map_commit_refused(const struct enomem_map_call *c)
{
	const struct enomem_ksyms *k = &enomem_ksyms;
	const struct cred *cred = current_cred();
	unsigned long allowed, reserve;
	int mode;

	if (!k->overcommit_memory || !k->swap_pages)
		return false;
	mode = READ_ONCE(*k->overcommit_memory);
	if (mode == OVERCOMMIT_ALWAYS)
		return false;
	if (mode == OVERCOMMIT_GUESS)
		return c->pages > enomem_totalram_pages() +
				  READ_ONCE(*k->swap_pages);
	allowed = enomem_commit_limit();
	if (!allowed)
		return false;
	if (k->admin_reserve_kbytes &&
	    !cap_raised(cred->cap_effective, CAP_SYS_ADMIN))
		allowed -= min(allowed,
			       READ_ONCE(*k->admin_reserve_kbytes) >> (PAGE_SHIFT - 10));
	if (k->user_reserve_kbytes) {
		reserve = READ_ONCE(*k->user_reserve_kbytes) >> (PAGE_SHIFT - 10);
		allowed -= min3(allowed, current->mm->total_vm / 32, reserve);
	}
	return vm_memory_committed() + c->pages >= allowed;
}

/*
 * A charge that fails reclaims in its memcg first, and usage read at the
 * failure can already be well below the limit again (per-CPU charge stocks
 * drained, page cache reclaimed): so the reclaim probe (reasons.c), which
 * runs only when a memcg is at its limit, also notes per CPU which task
 * reclaimed last and when.  Read only on a failed mapping call.
 */
struct enomem_memcg_reclaim {
	struct task_struct *task;
	unsigned long when;	/* jiffies */
};

static DEFINE_PER_CPU(struct enomem_memcg_reclaim, enomem_memcg_reclaims);

void enomem_maps_memcg_reclaim(void)
{
	struct enomem_memcg_reclaim *r;

	r = this_cpu_ptr(&enomem_memcg_reclaims);
	WRITE_ONCE(r->task, current);
	WRITE_ONCE(r->when, jiffies);
}

/* Did current reclaim in its memcg within the last second (on any CPU)? */
static bool enomem_map_memcg_reclaimed(void)
{
	const struct enomem_memcg_reclaim *r;
	int cpu;

	for_each_possible_cpu(cpu) {
		r = per_cpu_ptr(&enomem_memcg_reclaims, cpu);
		if (READ_ONCE(r->task) == current &&
		    time_before(jiffies, READ_ONCE(r->when) + HZ))
			return true;
	}
	return false;
}

/* Was current refused by its memory cgroup?  At the limit, or just reclaimed. */
bool enomem_map_memcg(struct enomem_event *e)
{
	if (!enomem_memcg_at_limit() && !enomem_map_memcg_reclaimed())
		return false;
	if (enomem_memcg_max(&e->value))
		e->limit = ENOMEM_L_MEMORY_MAX;
	return true;
}

bool enomem_map_data_event(const struct enomem_map_call *c,
				  struct enomem_event *e)
{
	if (!enomem_map_rlimit_data(c, &e->value))
		return false;
	e->limit = ENOMEM_L_RLIMIT_DATA;
	e->value2 = (u64)(enomem_mm_data_vm(current->mm) + c->pages) << PAGE_SHIFT;
	return true;
}

bool enomem_map_as_event(const struct enomem_map_call *c,
				struct enomem_event *e)
{
	if (!enomem_map_rlimit_as(c, &e->value))
		return false;
	e->limit = ENOMEM_L_RLIMIT_AS;
	e->value2 = (u64)(current->mm->total_vm + c->pages) << PAGE_SHIFT;
	return true;
}

bool enomem_map_count_event(const struct enomem_map_call *c,
				   struct enomem_event *e)
{
	if (!enomem_map_count_full(c, &e->value))
		return false;
	e->limit = ENOMEM_L_MAX_MAP_COUNT;
	e->value2 = current->mm->map_count;
	return true;
}

enum enomem_map_reason enomem_map_classify(const struct enomem_map_call *c,
					   struct enomem_event *e)
{
	if (enomem_map_count_event(c, e))
		return ENOMEM_MR_MAX_MAP_COUNT;
	if (enomem_map_as_event(c, e))
		return ENOMEM_MR_RLIMIT_AS;
	if (enomem_map_data_event(c, e))
		return ENOMEM_MR_RLIMIT_DATA;
	if (enomem_map_commit_refused(c)) {
		e->limit = ENOMEM_L_COMMIT;
		e->value = enomem_commit_limit();
		e->value2 = c->pages;
		return ENOMEM_MR_COMMIT;
	}
	if (enomem_map_memcg(e))
		return ENOMEM_MR_MEMCG;
	return ENOMEM_MR_OTHER;
}
