// SPDX-License-Identifier: GPL-2.0
/*
 * Per-fork context slots, keyed by the forking task.
 *
 * The fork entry probe claims a slot for current; the sub-probes that fire
 * inside the same fork (always in the parent's context) find it again
 * through current.  Slots are preallocated at load, so probe handlers never
 * allocate.  A task claims a slot with cmpxchg() and only the owner ever
 * writes it, so lookups need no lock: a slot whose task is current can only
 * have been claimed by current itself.
 *
 * Each task searches a short window starting at its hash.  Should a window be
 * full (more forks in flight than the table was sized for), the fork is
 * counted as missed rather than attributed on partial information.
 */
#include <linux/sched.h>
#include <linux/percpu.h>
#include <linux/vmalloc.h>
#include <linux/log2.h>
#include <linux/atomic.h>
#include <linux/errno.h>
#include "enomem_stats.h"

#define ENOMEM_CTX_WINDOW 32

static struct enomem_fork_ctx *enomem_ctx_table;
static unsigned int enomem_ctx_bits;
static atomic_t enomem_ctx_in_flight = ATOMIC_INIT(0);

/*
 * The slot this CPU claimed last: a succeeding fork usually finds its
 * context there (no hash, no search) when it is put a few microseconds
 * later.  Only a hint; the owner check decides.
 */
static DEFINE_PER_CPU(struct enomem_fork_ctx *, enomem_ctx_hint);

/*
 * Where a task's window starts.  hash_ptr() is a multiplication from 4.7
 * but a run of ~20 shifts and adds on 3.10, paid twice per fork; one
 * multiplication by the same 64-bit golden ratio spreads the slab-aligned
 * task pointers as well.
 */
static inline unsigned long enomem_ctx_hash(const struct task_struct *task)
{
	return ((unsigned long)task * 0x61c8864680b583ebUL) >> (64 - enomem_ctx_bits);
}

int enomem_ctx_init(unsigned int max_in_flight)
{
	unsigned long n = roundup_pow_of_two(max(4UL * max_in_flight,
						 (unsigned long)ENOMEM_CTX_WINDOW));

	enomem_ctx_table = vzalloc(n * sizeof(*enomem_ctx_table));
	if (!enomem_ctx_table)
		return -ENOMEM;
	enomem_ctx_bits = ilog2(n);
	return 0;
}

void enomem_ctx_exit(void)
{
	vfree(enomem_ctx_table);
	enomem_ctx_table = NULL;
}

static inline struct enomem_fork_ctx *enomem_ctx_slot(unsigned long h, unsigned int i)
{
	return &enomem_ctx_table[(h + i) & ((1UL << enomem_ctx_bits) - 1)];
}

/* Claim a slot for current at fork entry; NULL when the window is full. */
struct enomem_fork_ctx *enomem_ctx_get(void)
{
	unsigned long h = enomem_ctx_hash(current);
	struct enomem_fork_ctx *ctx;
	unsigned int i;

	for (i = 0; i < ENOMEM_CTX_WINDOW; i++) {
		ctx = enomem_ctx_slot(h, i);
		if (READ_ONCE(ctx->task) || cmpxchg(&ctx->task, NULL, current))
			continue;
		ctx->flags = 0;
		ctx->kind = ENOMEM_K_PROCESS;
		ctx->vm_pages = 0;
		atomic_inc(&enomem_ctx_in_flight);
		this_cpu_write(enomem_ctx_hint, ctx);
		return ctx;
	}
	return NULL;
}

/* The context of the fork current is in, if any. */
struct enomem_fork_ctx *enomem_ctx_find(void)
{
	struct enomem_fork_ctx *ctx = this_cpu_read(enomem_ctx_hint);
	unsigned long h;
	unsigned int i;

	if (ctx && READ_ONCE(ctx->task) == current)
		return ctx;
	h = enomem_ctx_hash(current);
	for (i = 0; i < ENOMEM_CTX_WINDOW; i++) {
		ctx = enomem_ctx_slot(h, i);
		if (READ_ONCE(ctx->task) == current)
			return ctx;
	}
	return NULL;
}

size_t enomem_ctx_bytes(void)
{
	return sizeof(*enomem_ctx_table) << enomem_ctx_bits;
}

void enomem_ctx_put(struct enomem_fork_ctx *ctx)
{
	atomic_dec(&enomem_ctx_in_flight);
	smp_store_release(&ctx->task, NULL);
}

/*
 * Cheap filter for probes on functions that also run outside fork (mmap's
 * commit check, memcg reclaim): skip the lookup when no fork is in flight.
 */
bool enomem_ctx_any_in_flight(void)
{
	return atomic_read(&enomem_ctx_in_flight) != 0;
}
