// SPDX-License-Identifier: GPL-2.0
/* 3.19, upstream "kernel: Provide READ_ONCE and ASSIGN_ONCE" */
#include <linux/compiler.h>
int enomem_compat_test(int *p) { return READ_ONCE(*p); }
