// SPDX-License-Identifier: GPL-2.0
/*
 * 4.7, upstream "mm: rework virtual memory accounting": mm->data_vm, and
 * may_expand_vm() refuses a private writable mapping over RLIMIT_DATA (mmap,
 * mprotect, mremap, brk).  Before it only brk() checked RLIMIT_DATA, and
 * without an ENOMEM of its own.
 */
#include <linux/mm_types.h>
unsigned long enomem_compat_test(struct mm_struct *mm) { return mm->data_vm; }
