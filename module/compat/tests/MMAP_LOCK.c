// SPDX-License-Identifier: GPL-2.0
/*
 * 5.8, upstream "mmap locking API: initial implementation as rwsem
 * wrappers": mmap_read_trylock() and friends; mm->mmap_sem (renamed
 * mmap_lock) is taken directly before.
 */
#include <linux/mm.h>
#include <linux/mmap_lock.h>
int enomem_compat_test(struct mm_struct *mm)
{
	if (!mmap_read_trylock(mm))
		return 0;
	mmap_read_unlock(mm);
	return 1;
}
