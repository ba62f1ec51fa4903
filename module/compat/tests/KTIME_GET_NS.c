// SPDX-License-Identifier: GPL-2.0
/* 3.17, upstream "timekeeping: Provide ktime_get[*]_ns() helpers" */
#include <linux/ktime.h>
#include <linux/timekeeping.h>
u64 enomem_compat_test(void) { return ktime_get_ns(); }
