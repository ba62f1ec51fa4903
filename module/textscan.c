// SPDX-License-Identifier: GPL-2.0
/*
 * Reading a little kernel text at load: where in a function it calls
 * another (call sites), where it loads one error as its return value (errno
 * sites), and which block runs only when a call returned an error pointer
 * (error branches).  A probe there fires only on the failure path, and
 * replaces a return probe that every fork or mmap would pay for
 * (sites.c, fork.c).  Nothing here depends on the kernel version; finding a
 * function's address and extent by name does (compat/ksym.c).
 *
 * Assumptions:
 * - x86-64 only (compat.h refuses any other architecture): the encodings
 *   and the pt_regs fields below are x86-64's.
 * - The functions are scanned byte by byte, not decoded: every offset in
 *   the function is tried against a short list of encodings, and only
 *   these are recognised:
 *	e8 rel32			call
 *	b8 imm32, 48 c7 c0 imm32	mov $imm,%eax / mov $simm,%rax
 *	48 3d imm32			cmp $imm,%rax
 *	REX.W(+B) 81 /7 (mod 11) imm32	cmp $imm,%reg
 *	REX.W(+B) 89 /r (mod 11, %rax)	mov %rax,%reg
 *	70-7f, eb rel8; 0f 80-8f, e9 rel32	jcc and jmp
 *	c3, and the assembler's 1 to 9 byte nops	ret, padding
 *   Anything else (an indirect jump, a jump table) is not seen at all.
 *
 * It never guesses.  A probe at the wrong place would either sit on the
 * path every success takes (cost) or miss the failures it is there for (a
 * wrong reason), both worse than the general probe.  So every doubt answers
 * "not found" (0, false): no match, more than one where one is expected, a
 * function whose extent kallsyms does not give, an error block that other
 * jumps reach.  Since the scan reads bytes, a byte that only looks like one
 * of these can add a match (then the count refuses) or be the only one;
 * register_kprobe() is the last check there, as on x86 it decodes the
 * function from its start and refuses an offset that is not an instruction
 * boundary.  Either way the caller keeps its general probe.  What the scan
 * cannot see (a block reached by an indirect jump) would show as hits on
 * succeeding forks in the debugfs probes file, which the selftest
 * success_path_passes_fork_entry_only checks.
 */
#include <linux/kernel.h>
#include <linux/module.h>	/* 3.10's kallsyms.h needs MODULE_NAME_LEN */
#include <linux/kallsyms.h>
#include <linux/string.h>
#include <linux/ptrace.h>
#include "enomem_stats.h"

/*
 * Does the kernel function FN contain a direct call to CALLEE?  Used once at
 * load to check that a failure-only probe really sits on the failure path
 * of this kernel's build; any doubt answers false, and the module then
 * keeps its general probe.  A call may land up to 32 bytes before CALLEE
 * (x86 call-depth-tracking thunks in the function padding) or just after
 * its start (an ENDBR).
 */
bool enomem_text_calls(const char *fn, const char *callee)
{
	unsigned long off;

	return enomem_text_call_sites(fn, callee, &off, 1) != 0;
}

/*
 * Is ADDR in CALLEE itself, or in the padding before it that kallsyms names
 * __pfx_CALLEE (call-depth-tracking thunks)?  Near is not enough: a small
 * function may end just before CALLEE's padding.
 */
static bool enomem_text_is(unsigned long addr, const char *callee)
{
	char buf[KSYM_SYMBOL_LEN];
	const char *name = buf;
	char *plus;

	sprint_symbol(buf, addr);
	plus = strchr(buf, '+');
	if (plus)
		*plus = '\0';
	if (!strncmp(name, "__pfx_", 6))
		name += 6;
	return !strcmp(name, callee);
}

/*
 * The offsets in FN of its direct calls to CALLEE: how many there are (at
 * most MAX are stored; more than MAX answers -1), 0 if none or unknown.  A
 * probe on each fires only where CALLEE is called: on the failure path when
 * only that path calls it.  A byte that happens to look like a call but does
 * not start an instruction makes register_kprobe() refuse its offset, and
 * the caller keeps its general probe.
 */
int enomem_text_call_sites(const char *fn, const char *callee,
			   unsigned long *offs, int max)
{
	unsigned long fn_start, fn_size, to_start, to_size, i, target;
	unsigned long fn_addr = enomem_text_addr(fn);
	unsigned long to_addr = enomem_text_addr(callee);
	const u8 *text;
	int n = 0;
	s32 rel;

	if (!fn_addr || !to_addr ||
	    !enomem_text_extent(fn_addr, &fn_start, &fn_size) ||
	    !enomem_text_extent(to_addr, &to_start, &to_size))
		return 0;
	text = (const u8 *)fn_start;
	for (i = 1; i + 5 <= fn_size; i++) {
		if (text[i] != 0xe8)	/* call rel32 */
			continue;
		memcpy(&rel, text + i + 1, sizeof(rel));
		target = fn_start + i + 5 + (long)rel;
		if (target + 32 < to_start || target > to_start + 8 ||
		    !enomem_text_is(target, callee))
			continue;
		if (n == max)
			return -1;
		offs[n++] = i;
	}
	return n;
}

/*
 * The offset in the kernel function FN of its only instruction that loads
 * -ERR into %eax or %rax for its return value, or 0 if there is not exactly
 * one.  A probe there fires only on that error's path.  register_kprobe()
 * refuses an offset that is not an instruction boundary, and the caller
 * falls back to its general probe then.
 */
unsigned long enomem_text_errno_site(const char *fn, int err)
{
	unsigned long start, size, addr = enomem_text_addr(fn), i, found = 0;
	u8 imm[4];
	const u8 *text;
	s32 v = -err;
	int n = 0;

	if (!addr || !enomem_text_extent(addr, &start, &size))
		return 0;
	memcpy(imm, &v, sizeof(imm));
	text = (const u8 *)start;
	for (i = 1; i + 5 <= size; i++) {
		/* mov $imm32, %eax */
		if (text[i] == 0xb8 && !memcmp(text + i + 1, imm, 4)) {
			found = i;
			n++;
		}
		/* mov $simm32, %rax */
		if (i + 7 <= size && text[i] == 0x48 && text[i + 1] == 0xc7 &&
		    text[i + 2] == 0xc0 && !memcmp(text + i + 3, imm, 4)) {
			found = i;
			n++;
		}
	}
	return n == 1 ? found : 0;
}

/* Where a direct jump (jcc or jmp, rel8 or rel32) at T[I] goes, or 0. */
static unsigned long enomem_text_jump_target(const u8 *t, unsigned long i,
					     unsigned long size)
{
	s32 rel;

	if ((t[i] >= 0x70 && t[i] <= 0x7f) || t[i] == 0xeb)
		return i + 2 <= size ? (unsigned long)t + i + 2 + (s8)t[i + 1] : 0;
	if (t[i] == 0xe9 && i + 5 <= size) {
		memcpy(&rel, t + i + 1, sizeof(rel));
		return (unsigned long)t + i + 5 + (long)rel;
	}
	if (t[i] == 0x0f && i + 6 <= size && t[i + 1] >= 0x80 && t[i + 1] <= 0x8f) {
		memcpy(&rel, t + i + 2, sizeof(rel));
		return (unsigned long)t + i + 6 + (long)rel;
	}
	return 0;
}

/*
 * Can the instruction before offset OFF in T fall through into it?  No
 * when it is a jmp or a ret, possibly followed by one of the nops an
 * assembler pads with; any other bytes answer yes.
 */
static bool enomem_text_falls_into(const u8 *t, unsigned long off)
{
	static const u8 nops[][9] = {
		{ 0x90 }, { 0x66, 0x90 }, { 0x0f, 0x1f, 0x00 },
		{ 0x0f, 0x1f, 0x40, 0x00 }, { 0x0f, 0x1f, 0x44, 0x00, 0x00 },
		{ 0x66, 0x0f, 0x1f, 0x44, 0x00, 0x00 },
		{ 0x0f, 0x1f, 0x80, 0x00, 0x00, 0x00, 0x00 },
		{ 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00 },
		{ 0x66, 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00 },
	};
	unsigned long n;

	for (n = ARRAY_SIZE(nops); n > 0; n--)	/* nops[n - 1] is n bytes */
		if (off >= n + 5 && !memcmp(t + off - n, nops[n - 1], n)) {
			off -= n;
			break;
		}
	if (off < 5)
		return true;
	return t[off - 5] != 0xe9 && t[off - 2] != 0xeb && t[off - 1] != 0xc3;
}

/* pt_regs offsets of the registers a callee must preserve, by number */
static int enomem_text_saved_reg(int reg)
{
	switch (reg) {
	case 3: return offsetof(struct pt_regs, bx);
	case 5: return offsetof(struct pt_regs, bp);
	case 12: return offsetof(struct pt_regs, r12);
	case 13: return offsetof(struct pt_regs, r13);
	case 14: return offsetof(struct pt_regs, r14);
	case 15: return offsetof(struct pt_regs, r15);
	}
	return -1;
}

/* mov %rax,%REG at T (REX.W(+B) 89 /r, mod 11, source %rax); REG < 0: any */
static bool enomem_text_mov_from_rax(const u8 *t, int reg)
{
	if ((t[0] & 0xfe) != 0x48 || t[1] != 0x89 || (t[2] & 0xf8) != 0xc0)
		return false;
	return reg < 0 || ((t[0] & 1) * 8 + (t[2] & 7)) == reg;
}

/*
 * The offset in FN of the first instruction that runs only when the call
 * returning at offset RESUME returned an error pointer, and in *REG_OFF
 * where (struct pt_regs) that pointer is then; 0 when this build does not
 * have the one shape accepted, within 32 bytes of the call:
 *
 *	call  callee
 *	...   mov %rax,%reg		(the result, to a callee-saved register)
 *	cmp   $-4096,%reg	or	cmp $-4096,%rax right after the call
 *	ja    error		or	jbe ok; error: ...
 *
 * and nothing else in FN reaches the error block, by a jump or by falling
 * into it.  The scan reads bytes, not decoded instructions: a byte that only
 * looks like a jump can make it refuse (the caller then keeps its probe on
 * every return); an error block that is reached otherwise would show as
 * hits of the probe on succeeding forks (the selftest
 * success_path_passes_fork_entry_only).
 */
unsigned long enomem_text_err_branch(const char *fn, unsigned long resume,
				     unsigned int *reg_off)
{
	static const u8 err_imm[4] = { 0x00, 0xf0, 0xff, 0xff };	/* -4096 */
	unsigned long start, size, addr = enomem_text_addr(fn);
	unsigned long c, i, err, j, target;
	int reg = -1, n = 0;
	bool via_ja;
	const u8 *t;

	if (!addr || !enomem_text_extent(addr, &start, &size) || resume + 48 > size)
		return 0;
	t = (const u8 *)start;
	for (c = resume; c < resume + 32; c++) {
		if (t[c] == 0x48 && t[c + 1] == 0x3d && !memcmp(t + c + 2, err_imm, 4)) {
			/* %rax itself: only before anything could change it */
			if (c != resume && !(c == resume + 3 &&
					     enomem_text_mov_from_rax(t + resume, -1)))
				return 0;
			reg = 0;
			i = c + 6;
		} else if ((t[c] & 0xfe) == 0x48 && t[c + 1] == 0x81 &&
			   (t[c + 2] & 0xf8) == 0xf8 && !memcmp(t + c + 3, err_imm, 4)) {
			reg = (t[c] & 1) * 8 + (t[c + 2] & 7);
			i = c + 7;
		}
		if (reg >= 0)
			break;
	}
	if (reg < 0)
		return 0;
	if (reg) {
		/* the result, moved there after the call */
		for (j = resume; j + 3 <= c; j++)
			if (enomem_text_mov_from_rax(t + j, reg))
				break;
		if (j + 3 > c || enomem_text_saved_reg(reg) < 0)
			return 0;
		*reg_off = enomem_text_saved_reg(reg);
	} else {
		*reg_off = offsetof(struct pt_regs, ax);
	}
	target = enomem_text_jump_target(t, i, size);
	if (!target || target <= start || target >= start + size)
		return 0;
	via_ja = t[i] == 0x77 || (t[i] == 0x0f && t[i + 1] == 0x87);
	if (via_ja) {
		err = target - start;				/* ja error */
		if (enomem_text_falls_into(t, err))
			return 0;
	} else if (t[i] == 0x76 || (t[i] == 0x0f && t[i + 1] == 0x86)) {
		err = i + (t[i] == 0x76 ? 2 : 6);		/* jbe ok */
	} else {
		return 0;
	}
	for (j = 0; j < size; j++)
		if (enomem_text_jump_target(t, j, size) == start + err)
			n++;
	/* only our ja goes there; after a jbe, nothing does */
	return n == (via_ja ? 1 : 0) ? err : 0;
}
