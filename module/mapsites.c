// SPDX-License-Identifier: GPL-2.0
/*
 * vm.max_map_count refusals of the mapping calls, seen where only they run:
 * the blocks that the kernel's own map_count comparisons lead to (found at
 * load by textblock.c), in the functions that split or add a vma.  A split
 * is what fails when a thread cannot be created for the limit: glibc maps
 * the stack PROT_NONE and then mprotect()s all but its guard page, and that
 * second vma is the one over the limit.  MAP_FIXED over part of a mapping,
 * an mremap() that shrinks or moves and a brk() that shrinks split too.
 *
 * Probes here fire only on a refusal, so they are on by default.  A block
 * the compiler shares with another failure (6.12's vma_modify() with a
 * merge that ran out of memory; brk's with its other limits) is named only
 * if the limit, re-read with the mmap lock still held, refused (maps.c).
 *
 * do_mmap()'s own check jumps to the return every call takes, so a plain
 * mmap() over the limit has no such block.  There, with mmap_check=1, a
 * plain probe sits on the instruction that loads the limit for that check
 * (the kernel jump-optimizes it): every mmap() passes it, and its handler
 * compares the same two values the kernel is about to.  Off by default:
 * make bench measured a 1 MiB mmap+munmap 2% dearer with it on 6.12.  Where neither is
 * found, nothing is registered; the probes file lists what was found, per
 * function, and a mapping refused there is counted only with maps=1.
 */
#include <linux/kprobes.h>
#include <linux/seq_file.h>
#include <linux/percpu.h>
#include <linux/errno.h>
#include <linux/moduleparam.h>
#include <linux/sched.h>
#include <linux/mm_types.h>
#include "enomem_stats.h"

static bool enomem_mmap_check;
module_param_named(mmap_check, enomem_mmap_check, bool, 0444);
MODULE_PARM_DESC(mmap_check, "also count a plain mmap() refused by vm.max_map_count, with a probe every mmap() passes (default 0: it costs every mmap, see bench/results.md)");

#define ENOMEM_MAPSITES_MAX 16
#define ENOMEM_MAPSITES_PER_FN 4

/* Where the limit is checked, 3.10 to 6.12; absent names are skipped. */
static const char *const enomem_mapsite_fns[] = {
	"split_vma",			/* mprotect, munmap, mremap, brk */
	"vma_modify",			/* 6.7+: mprotect's split, inlined */
	"do_munmap",			/* 3.10: MAP_FIXED, mremap, brk */
	"__do_munmap",			/* 4.19-5.x */
	"do_mas_align_munmap",		/* 6.1 */
	"do_vmi_align_munmap",		/* 6.2+ */
	"vms_gather_munmap_vmas",	/* 6.12 */
	"move_vma",			/* mremap that moves */
	"__do_sys_mremap",		/* its mremap_to() check, inlined */
	"do_brk_flags",
	"do_mmap",			/* none where it shares the return */
	"do_mmap_pgoff",
};

struct enomem_mapsite {
	const char *fn;
	unsigned long offset;
	struct kprobe kp;
	int err;
	bool active;
	bool check;		/* on every call (do_mmap's check), not a block */
};

static struct enomem_mapsite enomem_mapsites[ENOMEM_MAPSITES_MAX];
static unsigned int enomem_nr_mapsites;
static DEFINE_PER_CPU(unsigned long [ENOMEM_MAPSITES_MAX], enomem_mapsite_hits);
/* per function: blocks found (-1: more than it keeps) */
static int enomem_mapsite_found[ARRAY_SIZE(enomem_mapsite_fns)];

/* do_mmap()'s check, on every call: "if (mm->map_count > max) refuse" */
static int enomem_mmap_check_pre(struct kprobe *kp, struct pt_regs *regs)
{
	struct enomem_mapsite *s = container_of(kp, struct enomem_mapsite, kp);

	if (likely(current->mm->map_count <= READ_ONCE(*enomem_ksyms.max_map_count)))
		return 0;
	this_cpu_inc(enomem_mapsite_hits[s - enomem_mapsites]);
	enomem_maps_map_count_refused();
	return 0;
}

static int enomem_mapsite_pre(struct kprobe *kp, struct pt_regs *regs)
{
	struct enomem_mapsite *s = container_of(kp, struct enomem_mapsite, kp);

	this_cpu_inc(enomem_mapsite_hits[s - enomem_mapsites]);
	enomem_maps_map_count_refused();
	return 0;
}

static void enomem_mapsite_post(struct kprobe *kp, struct pt_regs *regs,
				unsigned long flags)
{
}

static void enomem_mapsite_add(const char *fn, unsigned long offset,
			       kprobe_pre_handler_t pre, bool check)
{
	struct enomem_mapsite *s;

	if (enomem_nr_mapsites == ENOMEM_MAPSITES_MAX)
		return;
	s = &enomem_mapsites[enomem_nr_mapsites++];
	s->fn = fn;
	s->offset = offset;
	s->check = check;
	memset(&s->kp, 0, sizeof(s->kp));
	s->kp.symbol_name = fn;
	s->kp.offset = offset;
	s->kp.pre_handler = pre;
	/*
	 * A failure-only site is not worth a jump: with a post handler the
	 * kprobes core keeps it an int3, so loading and unloading do not wait
	 * for the optimizer and its RCU-tasks grace period a second time (the
	 * fork probes' unregistration pays one already).  do_mmap's check,
	 * which every mmap passes, stays optimizable.
	 */
	if (!check)
		s->kp.post_handler = enomem_mapsite_post;
	s->err = register_kprobe(&s->kp);
	s->active = !s->err;
	if (s->err)
		pr_warn("enomem_stats: probe on %s+0x%lx failed with error %d; max_map_count refusals there are not counted\n",
			fn, offset, s->err);
}

void enomem_mapsites_register(void)
{
	unsigned long offs[ENOMEM_MAPSITES_PER_FN];
	unsigned long var = (unsigned long)enomem_ksyms.max_map_count;
	size_t f;
	int i, n;

	for (f = 0; f < ARRAY_SIZE(enomem_mapsite_fns); f++) {
		n = enomem_text_refusals(enomem_mapsite_fns[f], var, ENOMEM,
					 offs, ENOMEM_MAPSITES_PER_FN);
		if (n <= 0 && enomem_mmap_check && !strncmp(enomem_mapsite_fns[f], "do_mmap", 7)) {
			offs[0] = enomem_text_limit_read(enomem_mapsite_fns[f], var);
			n = offs[0] ? 1 : 0;
			if (n)
				enomem_mapsite_add(enomem_mapsite_fns[f], offs[0],
						   enomem_mmap_check_pre, true);
			enomem_mapsite_found[f] = n;
			continue;
		}
		enomem_mapsite_found[f] = n;
		for (i = 0; i < n; i++)
			enomem_mapsite_add(enomem_mapsite_fns[f], offs[i],
					   enomem_mapsite_pre, false);
	}
}

void enomem_mapsites_unregister(void)
{
	struct kprobe *kps[ENOMEM_MAPSITES_MAX];
	unsigned int i, n = 0;

	for (i = 0; i < enomem_nr_mapsites; i++)
		if (enomem_mapsites[i].active) {
			kps[n++] = &enomem_mapsites[i].kp;
			enomem_mapsites[i].active = false;
		}
	if (n)
		unregister_kprobes(kps, n);
	enomem_nr_mapsites = 0;
}

/* Is a site in one of the functions FNS (NULL-terminated) live? */
bool enomem_mapsites_in(const char *const *fns)
{
	unsigned int i;

	for (; *fns; fns++)
		for (i = 0; i < enomem_nr_mapsites; i++)
			if (enomem_mapsites[i].active &&
			    !strcmp(enomem_mapsites[i].fn, *fns))
				return true;
	return false;
}

static unsigned long enomem_mapsite_hits_sum(unsigned int i)
{
	unsigned long sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += per_cpu(enomem_mapsite_hits, cpu)[i];
	return sum;
}

/*
 * "site FUNCTION+OFFSET STATUS ERROR HITS max_map_count" per block, "check
 * ..." for do_mmap()'s probe on every call (HITS: its refusals), and
 * "none FUNCTION - absent|not-found|too-many 0 0 max_map_count" for each
 * function of the list without one.
 */
void enomem_mapsites_show(struct seq_file *m)
{
	const struct enomem_mapsite *s;
	unsigned int i;
	size_t f;

	seq_puts(m, "# map sites (failure-only, on by default): kind where status error hits reason\n");
	for (i = 0; i < enomem_nr_mapsites; i++) {
		s = &enomem_mapsites[i];
		seq_printf(m, "%s %s+0x%lx %s %d %lu max_map_count\n",
			   s->check ? "check" : "site", s->fn, s->offset,
			   s->active ? "registered" : "failed", s->err,
			   enomem_mapsite_hits_sum(i));
	}
	for (f = 0; f < ARRAY_SIZE(enomem_mapsite_fns); f++) {
		if (enomem_mapsite_found[f] > 0)
			continue;
		seq_printf(m, "none %s %s 0 0 max_map_count\n", enomem_mapsite_fns[f],
			   !enomem_text_addr(enomem_mapsite_fns[f]) ? "absent" :
			   enomem_mapsite_found[f] < 0 ? "too-many" : "not-found");
	}
}
