// SPDX-License-Identifier: GPL-2.0
#include <linux/module.h>
#include <linux/kprobes.h>
int enomem_compat_sanity(void) { return 0; }
