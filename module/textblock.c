// SPDX-License-Identifier: GPL-2.0
/*
 * Refusal blocks, found from the comparison that leads to them: where a
 * kernel function reads a limit (the vm.max_map_count variable, a
 * task's RLIMIT_AS or RLIMIT_DATA in its signal_struct) or gets a check's
 * answer (a call to may_expand_vm()), compares and branches, the side of
 * that branch that loads -ENOMEM is where the limit refused.  A probe on
 * that block's first instruction costs nothing to a call that passes the
 * check (mmap, mprotect, mremap, brk).  And where a function tests the
 * pointer an allocation call returned (vm_area_alloc()), the NULL side is
 * where that allocation failed: a memory cgroup's refusal among others.
 *
 * Unlike textscan.c, which matches a few byte patterns anywhere, this
 * walks instructions from a known start, so it needs their lengths: a
 * length decoder for the small set of x86-64 instructions that gcc puts
 * between a load and its branch, or at the top of an error block (register
 * and memory moves, compares, arithmetic, lea, setcc, movzx).  Anything
 * else (a call, a jump, a prefix it does not know) ends the walk without a
 * match.
 *
 * Assumptions, and what each costs when it does not hold:
 * - x86-64 only (compat.h refuses other architectures).
 * - The variable is read by "mov VAR(%rip),%reg" or "cmp" either way, with
 *   no immediate after the displacement; a field by "mov|add|sub|cmp
 *   DISP32(%base),%reg" (no index); a check by "call rel32".  Another form
 *   is not seen, and the site is then not found (the probes file says so).
 * - At most eight instructions between that read and the conditional jump.
 * - The refusal side loads -ENOMEM within its first three instructions, by
 *   "mov $imm32" into a register or a memory slot, or jumps there at once
 *   ("jmp" as its first instruction, followed once); a side that does not is
 *   never taken for it.  When both or neither side does, nothing is found.
 * - An allocation's NULL side: "call FN; test %rax,%rax; je|jne" with
 *   nothing between them but a move of %rax to another register, tested;
 *   an IS_ERR() side: "call FN", copies or stores of %rax, "cmp
 *   $-4096,%rax", "ja".
 * The block may be shared with other failures (a merge that ran out of
 * memory, another limit): never with a call that succeeds, since it sets
 * the error.  So the handler re-reads the limit before it names it
 * (maps.c), and a probe at a block never costs a succeeding call.
 * register_kprobe() checks last that the offset is an instruction boundary
 * of the function as the kernel decodes it.
 */
#include <linux/kernel.h>
#include <linux/string.h>
#include "enomem_stats.h"

#define ENOMEM_WALK_INSNS 8
#define ENOMEM_BLOCK_INSNS 3

/* Length of the ModRM operand at T (ModRM, SIB, displacement), 0 if cut. */
static unsigned int enomem_modrm_len(const u8 *t, unsigned long avail)
{
	unsigned int mod, rm, len = 1;

	if (!avail)
		return 0;
	mod = t[0] >> 6;
	rm = t[0] & 7;
	if (mod != 3 && rm == 4) {
		if (avail < 2)
			return 0;
		len++;
		if (mod == 0 && (t[1] & 7) == 5)
			len += 4;
	}
	if (mod == 0 && rm == 5)
		len += 4;		/* RIP-relative */
	else if (mod == 1)
		len += 1;
	else if (mod == 2)
		len += 4;
	return len <= avail ? len : 0;
}

/*
 * Length of the instruction at T, 0 for one outside the set (a jump, call,
 * return, string or system instruction, an unknown prefix).  *IMM, when
 * not NULL, gets the offset of a 32-bit immediate, or 0 if there is none.
 */
static unsigned int enomem_insn_len(const u8 *t, unsigned long avail,
				    unsigned int *imm)
{
	unsigned int p = 0, m, rex_w = 0, opsz = 4;
	u8 op;

	if (imm)
		*imm = 0;
	if (p < avail && t[p] == 0x66) {
		opsz = 2;
		p++;
	}
	if (p < avail && (t[p] & 0xf0) == 0x40) {
		rex_w = t[p] & 8;
		p++;
	}
	if (p >= avail)
		return 0;
	op = t[p++];
	if (op >= 0xb8 && op <= 0xbf) {		/* mov $imm,%reg */
		if (imm && !rex_w && opsz == 4)
			*imm = p;
		p += rex_w ? 8 : opsz;
		return p <= avail ? p : 0;
	}
	if (op == 0x0f) {
		if (p >= avail)
			return 0;
		op = t[p++];
		/* setcc, cmovcc, movzx, movsx, imul */
		if ((op & 0xf0) == 0x90 || (op & 0xf0) == 0x40 || op == 0xb6 ||
		    op == 0xb7 || op == 0xbe || op == 0xbf || op == 0xaf) {
			m = enomem_modrm_len(t + p, avail - p);
			return m ? p + m : 0;
		}
		return 0;
	}
	switch (op) {
	case 0x01: case 0x03: case 0x09: case 0x0b: case 0x21: case 0x23:
	case 0x29: case 0x2b: case 0x31: case 0x33: case 0x38: case 0x39:
	case 0x3a: case 0x3b: case 0x63: case 0x84: case 0x85: case 0x88:
	case 0x89: case 0x8a: case 0x8b: case 0x8d:
		m = enomem_modrm_len(t + p, avail - p);
		return m ? p + m : 0;
	case 0x80: case 0x83: case 0xc0: case 0xc1: case 0xc6:
		m = enomem_modrm_len(t + p, avail - p);
		return m && p + m + 1 <= avail ? p + m + 1 : 0;
	case 0x81: case 0xc7: case 0x69:
		m = enomem_modrm_len(t + p, avail - p);
		if (!m || p + m + opsz > avail)
			return 0;
		/* only "mov $imm32,r/m" (c7 /0) can load an error */
		if (imm && op == 0xc7 && !((t[p] >> 3) & 7) && opsz == 4)
			*imm = p + m;
		return p + m + opsz;
	case 0x3c: case 0xa8:
		return p + 1 <= avail ? p + 1 : 0;
	case 0x3d: case 0xa9:
		return p + opsz <= avail ? p + opsz : 0;
	}
	return 0;
}

/* Length of a conditional jump at T (jcc rel8 or rel32) and its target. */
static unsigned int enomem_jcc(const u8 *t, unsigned long avail, long *rel)
{
	s32 r32;

	if (avail >= 2 && t[0] >= 0x70 && t[0] <= 0x7f) {
		*rel = (s8)t[1];
		return 2;
	}
	if (avail >= 6 && t[0] == 0x0f && t[1] >= 0x80 && t[1] <= 0x8f) {
		memcpy(&r32, t + 2, sizeof(r32));
		*rel = r32;
		return 6;
	}
	return 0;
}

/*
 * Does the instruction at T leave the (legacy, REX.B/R-less) register REG
 * as it was?  Only two kinds are taken for sure: a store to memory
 * ([REX] 89 /r, mod != 11) and "mov $imm" into another register; anything
 * else answers no.
 */
static bool enomem_insn_keeps(const u8 *t, unsigned int reg)
{
	unsigned int rex = (t[0] & 0xf0) == 0x40 ? t[0] : 0;
	const u8 *op = t + !!rex;

	if (op[0] == 0x89)
		return (op[1] >> 6) != 3;
	if (op[0] >= 0xb8 && op[0] <= 0xbf)
		return (rex & 1) || (op[0] & 7) != reg;
	if (op[0] == 0xc7 && (op[1] >> 6) == 3)
		return (rex & 1) || (op[1] & 7) != reg;
	return false;
}

/* Does the block at T[OFF] load -ERR within its first few instructions? */
static bool enomem_block_loads(const u8 *t, unsigned long off,
			       unsigned long size, int err)
{
	unsigned int i, len, imm;
	s32 v;

	for (i = 0; i < ENOMEM_BLOCK_INSNS && off < size; i++) {
		len = enomem_insn_len(t + off, size - off, &imm);
		if (!len)
			return false;
		if (imm) {
			memcpy(&v, t + off + imm, sizeof(v));
			if (v == -err)
				return true;
		}
		off += len;
	}
	return false;
}

/*
 * The block that side OFF of a branch refuses in: OFF itself if it loads
 * -ERR, or where its first instruction, an unconditional jump, goes if
 * that one does (a check whose refusal shares a block placed elsewhere).
 * -1 if neither.
 */
static long enomem_block_at(const u8 *t, unsigned long off, unsigned long size,
			    int err)
{
	long to = -1;
	s32 r32;

	if (enomem_block_loads(t, off, size, err))
		return off;
	if (off + 2 <= size && t[off] == 0xeb)
		to = off + 2 + (s8)t[off + 1];
	else if (off + 5 <= size && t[off] == 0xe9) {
		memcpy(&r32, t + off + 1, sizeof(r32));
		to = off + 5 + r32;
	}
	if (to >= 0 && to < size && enomem_block_loads(t, to, size, err))
		return to;
	return -1;
}

/* Is T[I] the 32-bit displacement of an instruction ending there that reads VAR? */
static bool enomem_disp_to(const u8 *t, unsigned long start, unsigned long i,
			   unsigned long var)
{
	s32 disp;

	memcpy(&disp, t + i, sizeof(disp));
	return start + i + 4 + (long)disp == var;
}

/*
 * From T[P], the first conditional jump within ENOMEM_WALK_INSNS
 * instructions of the set: its offset (its length in *JLEN, displacement
 * in *REL), or 0.  SEE, when given, is shown each instruction on the way
 * and ends the walk without a jump by answering false.
 */
static unsigned long enomem_walk_to_jcc(const u8 *t, unsigned long p,
					unsigned long size, unsigned int *jlen,
					long *rel,
					bool (*see)(const u8 *insn, void *arg),
					void *arg)
{
	unsigned int k, len;

	for (k = 0; k < ENOMEM_WALK_INSNS && p < size; k++) {
		*jlen = enomem_jcc(t + p, size - p, rel);
		if (*jlen)
			return p;
		len = enomem_insn_len(t + p, size - p, NULL);
		if (!len || (see && !see(t + p, arg)))
			return 0;
		p += len;
	}
	return 0;
}

/*
 * Where, at T[I], an anchor of kind A ends: the offset of the instruction
 * after it, or 0 if T[I] is not one.
 */
static unsigned long enomem_anchor_end(const u8 *t, unsigned long start,
				       unsigned long size, unsigned long i,
				       const struct enomem_text_anchor *a)
{
	unsigned long b;
	s32 v;

	if (i + 4 > size)
		return 0;
	memcpy(&v, t + i, sizeof(v));
	switch (a->kind) {
	case ENOMEM_ANCHOR_VAR:
		/* [REX] 8b|3b|39 /r, mod 00 rm 101: VAR(%rip) read, no immediate */
		if (i < 2 || start + i + 4 + (long)v != a->value ||
		    (t[i - 1] & 0xc7) != 0x05 ||
		    (t[i - 2] != 0x8b && t[i - 2] != 0x3b && t[i - 2] != 0x39))
			return 0;
		return i + 4;
	case ENOMEM_ANCHOR_FIELD:
		/* [REX] 8b|03|2b|3b|39 /r, mod 10, rm not 100: DISP32(%base) */
		if (i < 2 || (long)v != (long)a->value ||
		    (t[i - 1] & 0xc0) != 0x80 || (t[i - 1] & 7) == 4)
			return 0;
		switch (t[i - 2]) {
		case 0x8b: case 0x03: case 0x2b: case 0x3b: case 0x39:
			break;
		default:
			return 0;
		}
		b = i - 2;
		if (b && (t[b - 1] & 0xf0) == 0x40)
			b--;
		return enomem_insn_len(t + b, size - b, NULL) == i + 4 - b ? i + 4 : 0;
	case ENOMEM_ANCHOR_CALL:
		/* e8 rel32 to the function at VALUE */
		if (!i || t[i - 1] != 0xe8 || start + i + 4 + (long)v != a->value)
			return 0;
		return i + 4;
	}
	return 0;
}

/*
 * The offsets in the function at ADDR of the blocks that refuse with -ERR
 * when the check that anchor A starts fails: how many (at most MAX are
 * stored; more than MAX answers -1), 0 if none or unknown.
 */
int enomem_text_refusals(unsigned long addr, const struct enomem_text_anchor *a,
			 int err, unsigned long *offs, int max)
{
	unsigned long start, size, i, p, fall;
	unsigned int len;
	long at_to, at_fall, to;
	int n = 0, j;
	const u8 *t;
	long rel;

	if (!addr || !a->value || !enomem_text_extent(addr, &start, &size))
		return 0;
	t = (const u8 *)start;
	for (i = 1; i + 4 <= size; i++) {
		p = enomem_anchor_end(t, start, size, i, a);
		if (!p)
			continue;
		p = enomem_walk_to_jcc(t, p, size, &len, &rel, NULL, NULL);
		if (!p)
			continue;
		fall = p + len;
		if ((long)fall + rel < 0 || fall + rel >= size)
			continue;
		at_to = enomem_block_at(t, fall + rel, size, err);
		at_fall = enomem_block_at(t, fall, size, err);
		if ((at_to < 0) == (at_fall < 0))
			continue;
		to = at_to >= 0 ? at_to : at_fall;
		for (j = 0; j < n && offs[j] != to; j++)
			;
		if (j < n)
			continue;
		if (n == max)
			return -1;
		offs[n++] = to;
	}
	return n;
}

/*
 * Right after a call at P: "test %rax,%rax", or "mov %rax,%reg" (the
 * pointer kept in a callee-saved register) and then a test of either,
 * then "je" or "jne".  The side where the pointer is NULL, or -1.
 */
static long enomem_null_side(const u8 *t, unsigned long size, unsigned long p)
{
	unsigned int len, cc;
	u8 rex = 0x48, rm = 0;
	long rel;

	if (p + 3 <= size && (t[p] & 0xfe) == 0x48 && t[p + 1] == 0x89 &&
	    (t[p + 2] & 0xf8) == 0xc0) {
		rex = 0x48 | ((t[p] & 1) ? 0x05 : 0);	/* REX.B -> REX.R|B */
		rm = t[p + 2] & 7;
		p += 3;
	}
	if (p + 3 > size || t[p + 1] != 0x85 ||
	    !((t[p] == rex && t[p + 2] == (0xc0 | rm << 3 | rm)) ||
	      (t[p] == 0x48 && t[p + 2] == 0xc0)))
		return -1;
	p += 3;
	len = enomem_jcc(t + p, size - p, &rel);
	/* je: 74 or 0f 84 (NULL jumps); jne: 75 or 0f 85 (NULL falls through) */
	cc = len == 2 ? t[p] - 0x70 : len ? t[p + 1] - 0x80 : 0;
	if (cc == 5)
		return p + len;
	return cc == 4 ? (long)(p + len) + rel : -1;
}

/*
 * Right after a call at P: the instructions that keep %rax elsewhere
 * ("mov %rax,%reg" or a store of it), loads into other registers, and
 * "cmp $-4096,%rax", in any order, then "ja": IS_ERR() of the returned
 * pointer.  The side where it is an error, or -1.
 */
static long enomem_err_side(const u8 *t, unsigned long size, unsigned long p)
{
	static const u8 cmp[] = { 0x48, 0x3d, 0x00, 0xf0, 0xff, 0xff };
	unsigned long q = p;
	unsigned int k, len;
	bool seen = false;
	long rel;

	for (k = 0; k < 6 && q < size; k++) {
		if (q + sizeof(cmp) <= size && !memcmp(t + q, cmp, sizeof(cmp))) {
			seen = true;
			q += sizeof(cmp);
			continue;
		}
		if (seen && (t[q] == 0x77 ||
			     (q + 1 < size && t[q] == 0x0f && t[q + 1] == 0x87))) {
			len = enomem_jcc(t + q, size - q, &rel);
			return len ? (long)(q + len) + rel : -1;
		}
		/*
		 * [REX.W(+B)] 89 /r with reg rax: a copy or a store of it;
		 * [REX] 8b /r into another register: a load that leaves it.
		 */
		len = enomem_insn_len(t + q, size - q, NULL);
		if (!len || (t[q] & 0xf0) != 0x40 ||
		    !((t[q + 1] == 0x89 && !(t[q] & 0x04) && !((t[q + 2] >> 3) & 7)) ||
		      (t[q + 1] == 0x8b && ((t[q] & 0x04) || ((t[q + 2] >> 3) & 7)))))
			return -1;
		q += len;
	}
	return -1;
}

/*
 * The offsets in the function at ADDR of the failing side of each call of
 * CALLEE: where the pointer it returned is NULL (ENOMEM_SIDE_NULL, an
 * allocation that failed) or IS_ERR() (ENOMEM_SIDE_ERR), blocks that only
 * a failure of that call reaches.  How many, -1 for more than MAX.
 */
int enomem_text_fail_sides(unsigned long addr, unsigned long callee, int how,
			   unsigned long *offs, int max)
{
	const struct enomem_text_anchor a = { ENOMEM_ANCHOR_CALL, callee };
	unsigned long start, size, i, p;
	const u8 *t;
	long to;
	int n = 0;

	if (!addr || !callee || !enomem_text_extent(addr, &start, &size))
		return 0;
	t = (const u8 *)start;
	for (i = 1; i + 4 <= size; i++) {
		p = enomem_anchor_end(t, start, size, i, &a);
		if (!p)
			continue;
		to = how == ENOMEM_SIDE_NULL ? enomem_null_side(t, size, p) :
					       enomem_err_side(t, size, p);
		if (to < 0 || to >= size)
			continue;
		if (n == max)
			return -1;
		offs[n++] = to;
	}
	return n;
}

/*
 * The offset in the function at ADDR of its one read of the limit at VAR
 * when it is the shape of "if (count > limit) fail":
 *
 *	mov  VAR(%rip),%reg
 *	...  (stores to memory, immediates to other registers)
 *	cmp  %reg,COUNT(...)		(39 /r, memory operand)
 *	jg   ...
 *
 * 0 for any other shape, or more than one read of VAR in it.  A probe there
 * fires on every call, before the comparison: its handler compares the
 * same two values.
 */
struct enomem_limit_walk {
	unsigned int reg;	/* the register the limit was loaded into */
	bool cmp;		/* "cmp %reg,mem" seen */
};

static bool enomem_limit_walk_see(const u8 *insn, void *arg)
{
	struct enomem_limit_walk *w = arg;
	unsigned int rex = (insn[0] & 0xf0) == 0x40 ? insn[0] : 0;
	const u8 *op = insn + !!rex;

	/* cmp %reg,mem: 39 /r, no REX.R, no REX.W */
	if (op[0] == 0x39 && !w->cmp && (op[1] >> 6) != 3 &&
	    ((op[1] >> 3) & 7) == w->reg && !(rex & 0xc)) {
		w->cmp = true;
		return true;
	}
	return enomem_insn_keeps(insn, w->reg);
}

unsigned long enomem_text_limit_read(unsigned long addr, unsigned long var)
{
	unsigned long start, size, i, p, found = 0;
	struct enomem_limit_walk w;
	unsigned int len, n = 0;
	const u8 *t;
	long rel;

	if (!addr || !var || !enomem_text_extent(addr, &start, &size))
		return 0;
	t = (const u8 *)start;
	for (i = 3; i + 4 <= size; i++) {
		if (!enomem_disp_to(t, start, i, var))
			continue;
		if (++n > 1)
			return 0;
		/* mov VAR(%rip),%reg: 8b, mod 00 rm 101, no REX (a 32-bit int) */
		if (t[i - 2] != 0x8b || (t[i - 1] & 0xc7) != 0x05 ||
		    (t[i - 3] & 0xf0) == 0x40)
			continue;
		w.reg = (t[i - 1] >> 3) & 7;
		w.cmp = false;
		p = enomem_walk_to_jcc(t, i + 4, size, &len, &rel,
				       enomem_limit_walk_see, &w);
		if (p && w.cmp && (t[p] == 0x7f || (t[p] == 0x0f && t[p + 1] == 0x8f)))
			found = i - 2;
	}
	return n == 1 ? found : 0;
}
