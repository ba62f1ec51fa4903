// SPDX-License-Identifier: GPL-2.0
/*
 * The sched_process_fork tracepoint, for a module.
 *
 * It fires in the parent, in the fork entry, right after copy_process()
 * succeeded: where the bracket's context of a succeeding fork is put
 * (fork.c).  A tracepoint is a patched jump and an indirect call, far
 * cheaper than a kprobe.  The event is not exported to modules, so it is
 * registered the way the kernel's own tooling would reach it: by name up to
 * 3.14, through the table of core tracepoints from 3.15.
 */
#include <linux/tracepoint.h>
#include <linux/string.h>
#include <linux/errno.h>
#include "enomem_stats.h"

#define ENOMEM_TP_FORK "sched_process_fork"

#ifdef ENOMEM_HAVE_TRACEPOINT_PTR
static struct tracepoint *enomem_tp_fork;

static void enomem_tp_match(struct tracepoint *tp, void *priv)
{
	if (!strcmp(tp->name, ENOMEM_TP_FORK))
		*(struct tracepoint **)priv = tp;
}

int enomem_tp_fork_register(enomem_tp_fork_fn fn)
{
	if (!enomem_tp_fork)
		for_each_kernel_tracepoint(enomem_tp_match, &enomem_tp_fork);
	if (!enomem_tp_fork)
		return -ENOENT;
	return tracepoint_probe_register(enomem_tp_fork, fn, NULL);
}

static void enomem_tp_fork_detach(enomem_tp_fork_fn fn)
{
	tracepoint_probe_unregister(enomem_tp_fork, fn, NULL);
}
#else
int enomem_tp_fork_register(enomem_tp_fork_fn fn)
{
	return tracepoint_probe_register(ENOMEM_TP_FORK, fn, NULL);
}

static void enomem_tp_fork_detach(enomem_tp_fork_fn fn)
{
	tracepoint_probe_unregister(ENOMEM_TP_FORK, fn, NULL);
}
#endif

/* FN detached, and no longer running anywhere once this returns. */
void enomem_tp_fork_unregister(enomem_tp_fork_fn fn)
{
	enomem_tp_fork_detach(fn);
	tracepoint_synchronize_unregister();
}
