// SPDX-License-Identifier: GPL-2.0
/*
 * Failed memory mappings: mmap() and the mprotect() that makes part of a
 * mapping writable, the two calls glibc's allocate_stack() makes before a
 * pthread_create() ever reaches clone(); and brk() and mremap(), which fail
 * for the same limits.
 *
 * Three sources, by cost:
 *
 * - Commit refusals (strict overcommit) need no probe of their own: the
 *   failure-only probe inside __vm_enough_memory() that forks use
 *   (reasons.c) also sees every refusal of a mapping call, and hands it here
 *   when no fork is in flight (enomem_maps_commit_refused()).  The syscall
 *   in progress says which call it was; each of the four fails with ENOMEM
 *   once the commit is refused.
 *
 * - vm.max_map_count, RLIMIT_AS, RLIMIT_DATA and a memcg's refusal of a
 *   vma: the failure-only sites that mapsites.c finds in the kernel's code
 *   at load (enomem_maps_site_refused()).  Each re-reads what the kernel
 *   compared, with the mmap lock still held, and counts only the limit
 *   that refused: a block may be shared with other failures.
 *
 * - With maps=1, each entry point gets a kretprobe with no entry handler:
 *   a mapping that succeeds costs the probe and one compare.  Only a
 *   -ENOMEM return is looked at, and then the reason is read from state
 *   the kernel still holds: do_mmap and mprotect_fixup return with the mmap
 *   lock held for writing.  mremap is probed at its syscall, after the lock
 *   is dropped: another thread of the same process mapping at that moment
 *   can change what is read.  brk() has no return probe: with one on
 *   do_brk_flags(), 3 of 4 6.12 bench boots (single-threaded TCG) died with
 *   garbage RFLAGS in unrelated code, against 4 of 12 without it (two with
 *   the module unloaded).  These add what no site sees: a plain mmap over
 *   vm.max_map_count, "other", and a reason this kernel has no site for.
 *
 * The call's own arguments come from the syscall's registers (no lookups on
 * the way in; 64-bit syscalls only); a mapping made by the kernel itself
 * (exec, shm) has none and is attributed without its length.
 *
 * A thread stack is an mmap() with MAP_STACK, or the glibc pattern on
 * mprotect(): an anonymous private PROT_NONE mapping made writable above its
 * bottom, where the guard stays (or, when the failing call split the guard
 * off before its second split failed, right above a PROT_NONE guard vma).
 * Its end need not be the vma's: the new stack's PROT_NONE mapping may
 * merge with the guard of the stack above it.
 * The vma keeps no MAP_STACK bit (3.10 to 6.x), so the pattern is what tells
 * a stack's mprotect apart from glibc malloc's heaps, which always grow from
 * the start of their PROT_NONE part; other reservations made writable from
 * above their start (a JVM's heap) are counted as stacks too.
 */
#include <linux/kprobes.h>
#include <linux/sched.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/seq_file.h>
#include <linux/moduleparam.h>
#include <asm/syscall.h>
#include <asm/unistd.h>
#include "enomem_stats.h"
#include "maps.h"

/*
 * Off by default: the return probes fire on every mmap and mprotect,
 * and make bench measured a 1 MiB mmap+munmap 12% dearer on 3.10 (int3
 * probes) and about 4% on 6.12 (ftrace-based), past the 1% the success path
 * may cost.  The failure-only sites count every reason this kernel has one
 * for either way.
 */
bool enomem_maps;
module_param_named(maps, enomem_maps, bool, 0444);
MODULE_PARM_DESC(maps, "return probes on every mmap/mprotect/mremap: also count a plain mmap over vm.max_map_count, failures of no named limit, and reasons this kernel has no failure-only site for (default 0: costs every mmap, see bench/results.md)");

/* ---- the call, from the syscall's registers ---------------------------- */

static bool enomem_vma_prot_none_anon(const struct vm_area_struct *vma)
{
	return !vma->vm_file &&
	       !(vma->vm_flags & (VM_READ | VM_WRITE | VM_EXEC | VM_SHARED));
}

/* is_data_mapping(): private, writable, not a stack that grows */
static bool enomem_vma_data(unsigned long flags)
{
	return (flags & (VM_WRITE | VM_SHARED | VM_GROWSDOWN | VM_GROWSUP)) == VM_WRITE;
}

/* The mapping call current is in (a 64-bit syscall), or 0 for none. */
static unsigned int enomem_map_syscall_kind(struct pt_regs *uregs)
{
	switch (syscall_get_nr(current, uregs)) {
	case __NR_mmap:
		return ENOMEM_K_MMAP;
	case __NR_mprotect:
		return ENOMEM_K_MPROTECT;
	case __NR_brk:
		return ENOMEM_K_BRK;
	case __NR_mremap:
		return ENOMEM_K_MREMAP;
	}
	return 0;
}

/* mprotect(): does it make a thread stack writable above its guard? */
static void enomem_map_mprotect_stack(struct enomem_map_call *c,
				      unsigned long start, unsigned long end,
				      unsigned long prot)
{
	struct vm_area_struct *vma, *guard;

	/* mprotect() holds the mmap lock for writing until it returns. */
	vma = find_vma(current->mm, start);
	if (!vma || vma->vm_start > start || vma->vm_end < end ||
	    !(prot & PROT_WRITE) || !enomem_vma_prot_none_anon(vma))
		return;
	if (vma->vm_start < start) {
		c->stack = true;
		return;
	}
	/*
	 * The failing call may have split the guard off already and then
	 * failed the second split, at the top: the guard is the vma below.
	 */
	guard = start >= PAGE_SIZE ? find_vma(current->mm, start - 1) : NULL;
	c->stack = guard && guard->vm_end == start &&
		   enomem_vma_prot_none_anon(guard);
}

/* LOCKED: the mmap lock is held (all but the mremap syscall's return probe) */
static void enomem_map_syscall(struct enomem_map_call *c, bool locked)
{
	struct pt_regs *uregs = enomem_user_regs();
	struct vm_area_struct *vma;
	unsigned long start, end, old;

	if (enomem_map_syscall_kind(uregs) != c->kind)
		return;
	c->known = true;
	switch (c->kind) {
	case ENOMEM_K_MMAP:
		c->stack = !!(uregs->r10 & MAP_STACK);
		c->fixed = !!(uregs->r10 & MAP_FIXED);
		c->pages = PAGE_ALIGN(uregs->si) >> PAGE_SHIFT;
		c->data = (uregs->dx & PROT_WRITE) &&
			  (uregs->r10 & MAP_TYPE) == MAP_PRIVATE &&
			  !(uregs->r10 & MAP_GROWSDOWN);
		return;
	case ENOMEM_K_BRK:
		c->data = true;
		/* mm->brk moves only once the new break is mapped */
		end = PAGE_ALIGN(uregs->di);
		old = PAGE_ALIGN(current->mm->brk);
		c->pages = end > old ? (end - old) >> PAGE_SHIFT : 0;
		return;
	case ENOMEM_K_MREMAP:
		old = PAGE_ALIGN(uregs->si);
		end = PAGE_ALIGN(uregs->dx);
		c->pages = end > old ? (end - old) >> PAGE_SHIFT : 0;
		c->fixed = !!(uregs->r10 & MREMAP_FIXED);
		c->moves = end < old || c->fixed ||
			   (uregs->r10 & MREMAP_MAYMOVE);
		/* at mremap's return probe the lock is dropped: take it if free */
		if (!locked && !enomem_mmap_read_trylock(current->mm))
			return;
		vma = find_vma(current->mm, uregs->di);
		c->data = vma && vma->vm_start <= uregs->di &&
			  enomem_vma_data(vma->vm_flags);
		if (!locked)
			enomem_mmap_read_unlock(current->mm);
		return;
	}
	start = uregs->di;
	end = start + PAGE_ALIGN(uregs->si);
	c->pages = (end - start) >> PAGE_SHIFT;
	enomem_map_mprotect_stack(c, start, end, uregs->dx);
	vma = find_vma(current->mm, start);
	c->data = (uregs->dx & PROT_WRITE) && vma && vma->vm_start <= start &&
		  enomem_vma_data(vma->vm_flags | VM_WRITE);
}

static void enomem_map_record(const struct enomem_map_call *c,
			      struct enomem_event *e,
			      enum enomem_map_reason reason)
{
	if (reason == ENOMEM_MR_MEMCG)
		enomem_event_cgroup(e, ENOMEM_R_MEMCG);
	e->reason = reason;
	e->stack = c->stack;
	enomem_stats_count_map(reason, c->stack);
	enomem_event_push(e);
}

static void enomem_map_failed(unsigned int kind)
{
	struct enomem_map_call c = { .kind = kind };
	struct enomem_event e;

	if (!current->mm)
		return;
	enomem_map_syscall(&c, kind != ENOMEM_K_MREMAP);
	enomem_event_fill(&e, -ENOMEM, kind, ENOMEM_R_OTHER);
	enomem_map_record(&c, &e, enomem_map_classify(&c, &e));
}

/*
 * A refusal seen inside the kernel's check (not at a return probe): the
 * mapping syscall current is in, read into C and E, unless it is none or
 * its kind's return probe (maps=1) will see the call anyway.
 */
static bool enomem_map_call_refused(struct enomem_map_call *c,
				    struct enomem_event *e)
{
	if (!current->mm)
		return false;
	c->kind = enomem_map_syscall_kind(enomem_user_regs());
	if (!c->kind || enomem_maps_kind_watched(c->kind))
		return false;
	enomem_map_syscall(c, true);
	enomem_event_fill(e, -ENOMEM, c->kind, ENOMEM_R_OTHER);
	return true;
}

/*
 * From the failure-only commit probe (reasons.c), inside __vm_enough_memory()
 * with the mmap lock held: a refusal inside mmap, mprotect, brk or mremap
 * fails that call with ENOMEM.  Refusals elsewhere (a fork's dup_mmap, shm,
 * swapoff, a fault on MAP_NORESERVE shared memory) are not mapping calls.
 */
void enomem_maps_commit_refused(void)
{
	struct enomem_map_call c = { 0 };
	struct enomem_event e;

	if (!enomem_map_call_refused(&c, &e))
		return;
	e.limit = ENOMEM_L_COMMIT;
	e.value = enomem_commit_limit();
	e.value2 = c.pages;
	enomem_map_record(&c, &e, ENOMEM_MR_COMMIT);
}

/*
 * From a failure-only site (mapsites.c), with the mmap lock held: the call
 * is a mapping call, and one of the REASONS that may refuse there did, or
 * the block was reached for another failure it shares (then not counted
 * here).  Each is re-read from the state the kernel just compared.  A
 * vma allocation that failed without a memcg at its limit is left
 * uncounted: its block may be shared with failures of other kinds.
 */
void enomem_maps_site_refused(unsigned int reasons)
{
	struct enomem_map_call c = { 0 };
	struct enomem_event e;
	enum enomem_map_reason r;

	if (!enomem_map_call_refused(&c, &e))
		return;
	if ((reasons & ENOMEM_MS_MAP_COUNT) && enomem_map_count_event(&c, &e))
		r = ENOMEM_MR_MAX_MAP_COUNT;
	else if ((reasons & (ENOMEM_MS_EXPAND | ENOMEM_MS_RESIZE)) &&
		 enomem_map_as_event(&c, &e))
		r = ENOMEM_MR_RLIMIT_AS;
	else if ((reasons & (ENOMEM_MS_EXPAND | ENOMEM_MS_RESIZE)) &&
		 enomem_map_data_event(&c, &e))
		r = ENOMEM_MR_RLIMIT_DATA;
	else if ((reasons & ENOMEM_MS_ALLOC) && enomem_map_memcg(&e))
		r = ENOMEM_MR_MEMCG;
	else
		return;
	enomem_map_record(&c, &e, r);
}

static int enomem_mmap_return(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	if (unlikely((long)regs_return_value(regs) == -ENOMEM))
		enomem_map_failed(ENOMEM_K_MMAP);
	return 0;
}

/*
 * mremap() returns an address or an error; a page-aligned address never
 * has -ENOMEM in its low 32 bits.
 */
static int enomem_mremap_return(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	if (unlikely((int)regs_return_value(regs) == -ENOMEM))
		enomem_map_failed(ENOMEM_K_MREMAP);
	return 0;
}

static int enomem_mprotect_return(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	if (unlikely((int)regs_return_value(regs) == -ENOMEM))
		enomem_map_failed(ENOMEM_K_MPROTECT);
	return 0;
}

/* ---- registration -------------------------------------------------------- */

struct enomem_map_probe {
	const char *const *symbols;
	const char *role;
	unsigned int kind;
	struct kretprobe rp;
	const char *symbol;
	int err;
	bool active;
};

#define ENOMEM_MAP_SYMS(...) ((const char *const []){ __VA_ARGS__, NULL })

static struct enomem_map_probe enomem_map_probes[] = {
	{
		/* RHEL 7 has do_mmap() backported; do_mmap_pgoff() is 3.10's own */
		.symbols = ENOMEM_MAP_SYMS("do_mmap", "do_mmap_pgoff"),
		.role = "map(mmap)", .kind = ENOMEM_K_MMAP,
		.rp = { .handler = enomem_mmap_return },
	},
	{
		.symbols = ENOMEM_MAP_SYMS("mprotect_fixup"),
		.role = "map(mprotect)", .kind = ENOMEM_K_MPROTECT,
		.rp = { .handler = enomem_mprotect_return },
	},
	{
		/* the syscall: its checks are spread over inlined helpers */
		.symbols = ENOMEM_MAP_SYMS("__x64_sys_mremap", "SyS_mremap",
					   "sys_mremap"),
		.role = "map(mremap)", .kind = ENOMEM_K_MREMAP,
		.rp = { .handler = enomem_mremap_return },
	},
};

/* Is the return probe of calls of this kind live (maps=1)? */
bool enomem_maps_kind_watched(unsigned int kind)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(enomem_map_probes); i++)
		if (enomem_map_probes[i].kind == kind)
			return READ_ONCE(enomem_map_probes[i].active);
	return false;
}

int enomem_maps_register(void)
{
	struct enomem_map_probe *p;
	const char *const *sym;
	kretprobe_handler_t handler;
	size_t i;

	for (i = 0; enomem_maps && i < ARRAY_SIZE(enomem_map_probes); i++) {
		p = &enomem_map_probes[i];
		handler = p->rp.handler;
		p->err = -ENOENT;
		for (sym = p->symbols; *sym && p->err; sym++) {
			memset(&p->rp, 0, sizeof(p->rp));
			p->rp.kp.symbol_name = *sym;
			p->rp.handler = handler;
			p->rp.maxactive = enomem_maxactive;
			p->err = register_kretprobe(&p->rp);
			p->symbol = *sym;
		}
		p->rp.handler = handler;	/* for a later reload of the table */
		if (!p->err) {
			p->active = true;
			continue;
		}
		p->symbol = p->symbols[0];
		pr_warn("enomem_stats: probe on %s failed with error %d; failed %s calls are not counted\n",
			p->symbol, p->err, p->role);
	}
	/* after the return probes: a site leaves a watched kind to them */
	enomem_mapsites_register();
	return 0;
}

void enomem_maps_unregister(void)
{
	size_t i;

	enomem_mapsites_unregister();
	for (i = 0; i < ARRAY_SIZE(enomem_map_probes); i++) {
		if (!enomem_map_probes[i].active)
			continue;
		unregister_kretprobe(&enomem_map_probes[i].rp);
		enomem_map_probes[i].active = false;
	}
}

/* Mapping calls whose result went unseen (kretprobe instances exhausted). */
unsigned long enomem_maps_nmissed(void)
{
	unsigned long sum = 0;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(enomem_map_probes); i++)
		if (enomem_map_probes[i].active)
			sum += READ_ONCE(enomem_map_probes[i].rp.nmissed);
	return sum;
}

void enomem_maps_show(struct seq_file *m)
{
	size_t i;

	seq_printf(m, "# map probes (maps=%d): symbol status error nmissed role\n",
		   enomem_maps);
	for (i = 0; i < ARRAY_SIZE(enomem_map_probes); i++) {
		const struct enomem_map_probe *p = &enomem_map_probes[i];

		seq_printf(m, "%s %s %d %lu %s\n",
			   p->symbol ? p->symbol : p->symbols[0],
			   p->active ? "registered" : enomem_maps ? "absent" : "off",
			   p->err, p->active ? p->rp.nmissed : 0UL, p->role);
	}
	enomem_mapsites_show(m);
	enomem_maps_show_watches(m);
}
