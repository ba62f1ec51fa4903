// SPDX-License-Identifier: GPL-2.0
/*
 * 5.14, upstream "Reimplement RLIMIT_NPROC on top of ucounts": the NPROC
 * check moved after copy_creds() and is done by is_rlimit_overlimit().
 */
#include <linux/user_namespace.h>
bool enomem_compat_test(struct ucounts *u)
{
	return is_rlimit_overlimit(u, UCOUNT_RLIMIT_NPROC, 1);
}
