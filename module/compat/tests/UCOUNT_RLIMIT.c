// SPDX-License-Identifier: GPL-2.0
/*
 * 5.14, upstream "Reimplement RLIMIT_NPROC on top of ucounts": the NPROC
 * check moved after copy_creds(); it is done by is_ucounts_overlimit(),
 * later renamed is_rlimit_overlimit() (the module probes either name).
 */
#include <linux/user_namespace.h>
int enomem_compat_test(void) { return UCOUNT_RLIMIT_NPROC; }
