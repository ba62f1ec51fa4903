// SPDX-License-Identifier: GPL-2.0
/* 3.17, upstream "timekeeping: Provide fast and NMI safe access to CLOCK_MONOTONIC" (RHEL 7 has it) */
#include <linux/ktime.h>
#include <linux/timekeeping.h>
u64 enomem_compat_test(void) { return ktime_get_mono_fast_ns(); }
