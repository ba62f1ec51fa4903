// SPDX-License-Identifier: GPL-2.0
/* 5.6, upstream "proc: decouple proc from VFS with struct proc_ops" */
#include <linux/proc_fs.h>
static const struct proc_ops t = { .proc_lseek = NULL };
const void *enomem_compat_test(void) { return &t; }
