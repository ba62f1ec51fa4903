// SPDX-License-Identifier: GPL-2.0
/*
 * PID exhaustion on 3.10 .. 4.14 (RHEL/CentOS 7).
 *
 * There alloc_pid() returns NULL for every failure and copy_process()
 * reports ENOMEM, so "kernel.pid_max reached" looks exactly like a failed
 * allocation.  On that failure path only, look at the pid bitmap of each
 * namespace level: if some level has no free number in [RESERVED_PIDS,
 * pid_max), the numbers ran out.  The scan reads the bitmap without
 * pidmap_lock; a pid freed a moment after the failure can turn an
 * exhaustion into "slab", never the other way round.
 */
#include "enomem_stats.h"

#ifndef ENOMEM_HAVE_PIDNS_ADDING
#include <linux/pid_namespace.h>
#include <linux/bitops.h>

/* kernel/pid.c: numbers below this are not reused after the first wrap */
#define ENOMEM_RESERVED_PIDS 300

static bool enomem_pidmap_full(struct pid_namespace *ns, unsigned int max)
{
	unsigned int nr = ENOMEM_RESERVED_PIDS;

	while (nr < max) {
		const struct pidmap *map = &ns->pidmap[nr / BITS_PER_PAGE];
		unsigned int base = nr - (nr & BITS_PER_PAGE_MASK);
		unsigned int end = min_t(unsigned int, max - base, BITS_PER_PAGE);

		/* a page never allocated is all free */
		if (!map->page)
			return false;
		if (find_next_zero_bit(map->page, end, nr - base) < end)
			return false;
		nr = base + end;
	}
	return true;
}

bool enomem_pid_space_full(struct pid_namespace *ns)
{
	unsigned int max;

	if (!enomem_ksyms.pid_max)
		return false;
	max = READ_ONCE(*enomem_ksyms.pid_max);
	for (; ns; ns = ns->parent)
		if (enomem_pidmap_full(ns, max))
			return true;
	return false;
}
#endif
