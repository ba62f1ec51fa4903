// SPDX-License-Identifier: GPL-2.0
/*
 * Mapping refusals seen where only a failure runs: the blocks that the
 * kernel's own checks lead to, found at load by textblock.c in the
 * functions that map, split, move or grow a vma.
 *
 * - vm.max_map_count: from each read of sysctl_max_map_count.  A split is
 *   what fails when a thread cannot be created for the limit: glibc maps
 *   the stack PROT_NONE and then mprotect()s all but its guard page, and
 *   that second vma is the one over the limit.  MAP_FIXED over part of a
 *   mapping, an mremap() that shrinks or moves and a brk() that shrinks
 *   split too.
 * - RLIMIT_AS and RLIMIT_DATA: from each call of may_expand_vm(), or each
 *   read of the rlim[] field where it is inlined; a moving mremap() at the
 *   IS_ERR() side of vma_to_resize() in its caller.
 * - A memcg's refusal: the NULL side of vm_area_alloc()/vm_area_dup(),
 *   where the vma's charge failed (among other allocation failures).
 *
 * Probes here fire only on a failure, so they are on by default.  A block
 * the compiler shares with another failure (6.12's vma_modify() with a
 * merge that ran out of memory; brk's with its other limits) is named only
 * if the limit, re-read with the mmap lock still held, refused (maps.c).
 *
 * do_mmap()'s own vm.max_map_count check jumps to the return every call
 * takes, so a plain mmap() over the limit has no such block.  There, with
 * mmap_check=1, a plain probe sits on the instruction that loads the limit
 * for that check (the kernel jump-optimizes it): every mmap() passes it,
 * and its handler compares the same two values the kernel is about to.
 * Off by default: make bench measured a 1 MiB mmap+munmap 2% dearer with
 * it on 6.12.  Where nothing is found, nothing is registered; the probes
 * file lists what was found, per function, and its watch lines (mapwatch.c)
 * say which calls stay unseen.
 */
#include <linux/kprobes.h>
#include <linux/seq_file.h>
#include <linux/percpu.h>
#include <linux/errno.h>
#include <linux/moduleparam.h>
#include <linux/sched.h>
#include <linux/mm_types.h>
#include <linux/log2.h>
#include <linux/resource.h>
#include "enomem_stats.h"

static bool enomem_mmap_check;
module_param_named(mmap_check, enomem_mmap_check, bool, 0444);
MODULE_PARM_DESC(mmap_check, "also count a plain mmap() refused by vm.max_map_count, with a probe every mmap() passes (default 0: it costs every mmap, see bench/results.md)");

#define ENOMEM_MAPSITES_MAX 32
#define ENOMEM_MAPSITES_PER_FN 6

/*
 * Where each check is made, 3.10 to 6.12; absent names are skipped.
 * ENOMEM_MS_EXPAND is may_expand_vm()'s answer (RLIMIT_AS, and RLIMIT_DATA
 * from 4.7), read from its calls or, where it is inlined (3.10, 5.10's
 * mmap_region), from the reads of the limits it compares; ENOMEM_MS_ALLOC
 * a vma that could not be allocated (a memory cgroup charges it from 4.x).
 */
static const struct enomem_mapsite_fn {
	const char *fn;
	unsigned int checks;
} enomem_mapsite_fns[] = {
	{ "split_vma", ENOMEM_MS_MAP_COUNT },	/* mprotect, munmap, mremap, brk */
	{ "vma_modify", ENOMEM_MS_MAP_COUNT },	/* 6.7+: mprotect's split, inlined */
	{ "do_munmap", ENOMEM_MS_MAP_COUNT },	/* 3.10: MAP_FIXED, mremap, brk */
	{ "__do_munmap", ENOMEM_MS_MAP_COUNT },	/* 4.19-5.x */
	{ "do_mas_align_munmap", ENOMEM_MS_MAP_COUNT },	/* 6.1 */
	{ "do_vmi_align_munmap", ENOMEM_MS_MAP_COUNT },	/* 6.2+ */
	{ "vms_gather_munmap_vmas", ENOMEM_MS_MAP_COUNT },	/* 6.12 */
	{ "move_vma", ENOMEM_MS_MAP_COUNT | ENOMEM_MS_EXPAND },	/* mremap that moves */
	/* its mremap_to() and resize checks, inlined */
	{ "__do_sys_mremap", ENOMEM_MS_MAP_COUNT | ENOMEM_MS_EXPAND | ENOMEM_MS_RESIZE },
	{ "SyS_mremap", ENOMEM_MS_EXPAND | ENOMEM_MS_RESIZE },
	{ "vma_to_resize", ENOMEM_MS_EXPAND },
	{ "do_brk_flags", ENOMEM_MS_MAP_COUNT | ENOMEM_MS_EXPAND | ENOMEM_MS_ALLOC },
	{ "do_mmap", ENOMEM_MS_MAP_COUNT },	/* none where it shares the return */
	{ "do_mmap_pgoff", ENOMEM_MS_MAP_COUNT },
	{ "mmap_region", ENOMEM_MS_EXPAND | ENOMEM_MS_ALLOC },
	{ "__mmap_region", ENOMEM_MS_EXPAND | ENOMEM_MS_ALLOC },	/* 6.12 */
	{ "mprotect_fixup", ENOMEM_MS_EXPAND },	/* RLIMIT_DATA only */
	{ "__split_vma", ENOMEM_MS_ALLOC },
	{ "copy_vma", ENOMEM_MS_ALLOC },	/* mremap that moves */
};

struct enomem_mapsite {
	const char *fn;
	unsigned long offset;
	unsigned int reasons;	/* ENOMEM_MS_*: what may have refused there */
	struct kprobe kp;
	int err;
	bool active;
	bool check;		/* on every call (do_mmap's check), not a block */
};

static struct enomem_mapsite enomem_mapsites[ENOMEM_MAPSITES_MAX];
static unsigned int enomem_nr_mapsites;
static DEFINE_PER_CPU(unsigned long [ENOMEM_MAPSITES_MAX], enomem_mapsite_hits);
/* vm_area_alloc() exists (4.18+): vmas are allocated, and charged, there */
static bool enomem_mapsite_have_alloc;

bool enomem_mapsites_vma_alloc(void)
{
	return enomem_mapsite_have_alloc;
}

/* per function and check: blocks found (-1: more than it keeps) */
static int enomem_mapsite_found[ARRAY_SIZE(enomem_mapsite_fns)][3];

/* do_mmap()'s check, on every call: "if (mm->map_count > max) refuse" */
static int enomem_mmap_check_pre(struct kprobe *kp, struct pt_regs *regs)
{
	struct enomem_mapsite *s = container_of(kp, struct enomem_mapsite, kp);

	if (likely(current->mm->map_count <= READ_ONCE(*enomem_ksyms.max_map_count)))
		return 0;
	this_cpu_inc(enomem_mapsite_hits[s - enomem_mapsites]);
	enomem_maps_site_refused(ENOMEM_MS_MAP_COUNT);
	return 0;
}

static int enomem_mapsite_pre(struct kprobe *kp, struct pt_regs *regs)
{
	struct enomem_mapsite *s = container_of(kp, struct enomem_mapsite, kp);

	this_cpu_inc(enomem_mapsite_hits[s - enomem_mapsites]);
	enomem_maps_site_refused(s->reasons);
	return 0;
}

static void enomem_mapsite_post(struct kprobe *kp, struct pt_regs *regs,
				unsigned long flags)
{
}

/* Note a site; one already noted at the same place takes the reasons too. */
static void enomem_mapsite_note(const char *fn, unsigned long offset,
				unsigned int reasons, bool check)
{
	struct enomem_mapsite *s;
	unsigned int i;

	for (i = 0; i < enomem_nr_mapsites; i++) {
		s = &enomem_mapsites[i];
		if (s->fn == fn && s->offset == offset && !s->check && !check) {
			s->reasons |= reasons;
			return;
		}
	}
	if (enomem_nr_mapsites == ENOMEM_MAPSITES_MAX)
		return;
	s = &enomem_mapsites[enomem_nr_mapsites++];
	s->fn = fn;
	s->offset = offset;
	s->reasons = reasons;
	s->check = check;
	s->active = false;
	s->err = 0;
}

static void enomem_mapsite_arm(struct enomem_mapsite *s)
{
	memset(&s->kp, 0, sizeof(s->kp));
	s->kp.symbol_name = s->fn;
	s->kp.offset = s->offset;
	s->kp.pre_handler = s->check ? enomem_mmap_check_pre : enomem_mapsite_pre;
	/*
	 * A failure-only site is not worth a jump: with a post handler the
	 * kprobes core keeps it an int3, so loading and unloading do not wait
	 * for the optimizer and its RCU-tasks grace period a second time (the
	 * fork probes' unregistration pays one already).  do_mmap's check,
	 * which every mmap passes, stays optimizable.
	 */
	if (!s->check)
		s->kp.post_handler = enomem_mapsite_post;
	s->err = register_kprobe(&s->kp);
	s->active = !s->err;
	if (s->err)
		pr_warn("enomem_stats: probe on %s+0x%lx failed with error %d; mapping refusals there are not counted\n",
			s->fn, s->offset, s->err);
}

/* The functions the checks are found from (callees), by their calls. */
enum {
	ENOMEM_CALLEE_MAY_EXPAND_VM,
	ENOMEM_CALLEE_VM_AREA_ALLOC,
	ENOMEM_CALLEE_VM_AREA_DUP,
	ENOMEM_CALLEE_VMA_TO_RESIZE,
	ENOMEM_NR_CALLEES
};

static const char *const enomem_callee_names[ENOMEM_NR_CALLEES] = {
	"may_expand_vm", "vm_area_alloc", "vm_area_dup", "vma_to_resize",
};

/* Where each function of the list is (0: absent), looked up at load. */
static unsigned long enomem_mapsite_addrs[ARRAY_SIZE(enomem_mapsite_fns)];

/*
 * Look every function up at once: one RCU grace period for all (a lookup
 * is a disabled kprobe registered and unregistered).  A callee's address
 * is where it starts, as its callers' "call" instructions name it (the
 * kprobes core's is past an ENDBR64).
 */
static void enomem_mapsite_lookup(unsigned long callees[ENOMEM_NR_CALLEES])
{
	const char *names[ARRAY_SIZE(enomem_mapsite_fns) + ENOMEM_NR_CALLEES];
	unsigned long addrs[ARRAY_SIZE(names)], start, size;
	size_t i, nf = ARRAY_SIZE(enomem_mapsite_fns);

	for (i = 0; i < nf; i++)
		names[i] = enomem_mapsite_fns[i].fn;
	for (i = 0; i < ENOMEM_NR_CALLEES; i++)
		names[nf + i] = enomem_callee_names[i];
	enomem_text_addrs(names, addrs, ARRAY_SIZE(names));
	for (i = 0; i < nf; i++)
		enomem_mapsite_addrs[i] = addrs[i];
	for (i = 0; i < ENOMEM_NR_CALLEES; i++)
		callees[i] = addrs[nf + i] &&
			     enomem_text_extent(addrs[nf + i], &start, &size) ? start : 0;
}

/* The anchors each check is found from, on this kernel (0: none). */
static void enomem_mapsite_anchors(struct enomem_text_anchor a[ENOMEM_MS_ANCHORS],
				   unsigned long may_expand_vm)
{
	a[0] = (struct enomem_text_anchor){ ENOMEM_ANCHOR_VAR,
		(unsigned long)enomem_ksyms.max_map_count };
	a[1] = (struct enomem_text_anchor){ ENOMEM_ANCHOR_CALL, may_expand_vm };
	a[2] = (struct enomem_text_anchor){ ENOMEM_ANCHOR_FIELD,
		enomem_rlim_offset(RLIMIT_AS) };
	a[3] = (struct enomem_text_anchor){ ENOMEM_ANCHOR_FIELD,
		ENOMEM_DATA_LIMITED ? enomem_rlim_offset(RLIMIT_DATA) : 0 };
}

/*
 * A moving mremap() asks vma_to_resize() first, which on 6.x turns
 * may_expand_vm()'s answer into -ENOMEM with a cmov: no block there.  Its
 * callers' IS_ERR() side is one (every error of vma_to_resize(), EFAULT
 * and EINVAL too, so the handler re-reads the limits).
 */
static void enomem_mapsite_resize_errs(unsigned long callee)
{
	unsigned long offs[ENOMEM_MAPSITES_PER_FN];
	const struct enomem_mapsite_fn *f;
	unsigned int i;
	int n;

	/*
	 * Where vma_to_resize() has a block of its own (5.10), a refusal
	 * passes both it and the caller's error side: keep the block only.
	 */
	for (i = 0; i < enomem_nr_mapsites; i++)
		if (!strcmp(enomem_mapsites[i].fn, "vma_to_resize") &&
		    (enomem_mapsites[i].reasons & ENOMEM_MS_EXPAND))
			return;
	for (i = 0; callee && i < ARRAY_SIZE(enomem_mapsite_fns); i++) {
		f = &enomem_mapsite_fns[i];
		if (!(f->checks & ENOMEM_MS_RESIZE))
			continue;
		n = enomem_text_fail_sides(enomem_mapsite_addrs[i], callee,
					   ENOMEM_SIDE_ERR, offs,
					   ENOMEM_MAPSITES_PER_FN);
		while (n-- > 0)
			enomem_mapsite_note(f->fn, offs[n], ENOMEM_MS_RESIZE, false);
	}
}

/*
 * Scan every function first, register after: a probe already armed in a
 * function (an int3 in a shared block) would hide that block from the next
 * scan of the same function.
 */
void enomem_mapsites_register(void)
{
	static const unsigned int anchor_check[ENOMEM_MS_ANCHORS] = {
		ENOMEM_MS_MAP_COUNT, ENOMEM_MS_EXPAND, ENOMEM_MS_EXPAND,
		ENOMEM_MS_EXPAND,
	};
	struct enomem_text_anchor a[ENOMEM_MS_ANCHORS];
	unsigned long offs[ENOMEM_MAPSITES_PER_FN], callees[ENOMEM_NR_CALLEES];
	const struct enomem_mapsite_fn *f;
	unsigned long addr;
	unsigned int i, k, c;
	int n, *found;

	enomem_mapsite_lookup(callees);
	enomem_mapsite_have_alloc = callees[ENOMEM_CALLEE_VM_AREA_ALLOC];
	enomem_mapsite_anchors(a, callees[ENOMEM_CALLEE_MAY_EXPAND_VM]);
	for (i = 0; i < ARRAY_SIZE(enomem_mapsite_fns); i++) {
		f = &enomem_mapsite_fns[i];
		addr = enomem_mapsite_addrs[i];
		for (k = 0; addr && k < ENOMEM_MS_ANCHORS; k++) {
			c = anchor_check[k];
			found = &enomem_mapsite_found[i][ilog2(c)];
			if (!(f->checks & c) || *found < 0)
				continue;
			n = enomem_text_refusals(addr, &a[k], ENOMEM, offs,
						 ENOMEM_MAPSITES_PER_FN);
			if (n <= 0 && c == ENOMEM_MS_MAP_COUNT && enomem_mmap_check &&
			    !strncmp(f->fn, "do_mmap", 7)) {
				offs[0] = enomem_text_limit_read(addr, a[k].value);
				*found = offs[0] ? 1 : 0;
				if (*found)
					enomem_mapsite_note(f->fn, offs[0], c, true);
				continue;
			}
			*found = n < 0 ? -1 : *found + n;
			while (n-- > 0)
				enomem_mapsite_note(f->fn, offs[n], c, false);
		}
		found = &enomem_mapsite_found[i][ilog2(ENOMEM_MS_ALLOC)];
		for (k = ENOMEM_CALLEE_VM_AREA_ALLOC; addr && (f->checks & ENOMEM_MS_ALLOC) &&
		     k <= ENOMEM_CALLEE_VM_AREA_DUP && *found >= 0; k++) {
			n = enomem_text_fail_sides(addr, callees[k],
						   ENOMEM_SIDE_NULL, offs,
						   ENOMEM_MAPSITES_PER_FN);
			*found = n < 0 ? -1 : *found + n;
			while (n-- > 0)
				enomem_mapsite_note(f->fn, offs[n], ENOMEM_MS_ALLOC, false);
		}
	}
	enomem_mapsite_resize_errs(callees[ENOMEM_CALLEE_VMA_TO_RESIZE]);
	for (i = 0; i < enomem_nr_mapsites; i++)
		enomem_mapsite_arm(&enomem_mapsites[i]);
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

/* Is a site for one of REASONS in one of the functions FNS (NULL-terminated) live? */
bool enomem_mapsites_in(const char *const *fns, unsigned int reasons)
{
	unsigned int i;

	for (; *fns; fns++)
		for (i = 0; i < enomem_nr_mapsites; i++)
			if (enomem_mapsites[i].active &&
			    (enomem_mapsites[i].reasons & reasons) &&
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

static void enomem_mapsite_show_reasons(struct seq_file *m, unsigned int reasons)
{
	static const char *const names[] = { "max_map_count", "rlimit", "alloc", "resize" };
	unsigned int i;
	char sep = ' ';

	for (i = 0; i < ARRAY_SIZE(names); i++)
		if (reasons & (1U << i)) {
			seq_printf(m, "%c%s", sep, names[i]);
			sep = ',';
		}
	seq_putc(m, '\n');
}

/*
 * "site FUNCTION+OFFSET STATUS ERROR HITS CHECKS" per block, CHECKS being
 * what may refuse there (max_map_count, rlimit: RLIMIT_AS or RLIMIT_DATA,
 * alloc: a vma allocation, a memcg's refusal among others), "check ..."
 * for do_mmap()'s probe on every call (HITS: its refusals), and "none
 * FUNCTION absent|not-found|too-many 0 0 CHECKS" for each function of the
 * list without one.
 */
void enomem_mapsites_show(struct seq_file *m)
{
	const struct enomem_mapsite *s;
	unsigned int i, c, missing;
	size_t f;
	bool too_many;

	seq_puts(m, "# map sites (failure-only, on by default): kind where status error hits checks\n");
	for (i = 0; i < enomem_nr_mapsites; i++) {
		s = &enomem_mapsites[i];
		seq_printf(m, "%s %s+0x%lx %s %d %lu",
			   s->check ? "check" : "site", s->fn, s->offset,
			   s->active ? "registered" : "failed", s->err,
			   enomem_mapsite_hits_sum(i));
		enomem_mapsite_show_reasons(m, s->reasons);
	}
	for (f = 0; f < ARRAY_SIZE(enomem_mapsite_fns); f++) {
		missing = 0;
		too_many = false;
		for (c = 0; c < 3; c++) {
			if (!(enomem_mapsite_fns[f].checks & (1U << c)) ||
			    enomem_mapsite_found[f][c] > 0)
				continue;
			missing |= 1U << c;
			too_many |= enomem_mapsite_found[f][c] < 0;
		}
		if (!missing)
			continue;
		seq_printf(m, "none %s %s 0 0", enomem_mapsite_fns[f].fn,
			   !enomem_mapsite_addrs[f] ? "absent" :
			   too_many ? "too-many" : "not-found");
		enomem_mapsite_show_reasons(m, missing);
	}
}
