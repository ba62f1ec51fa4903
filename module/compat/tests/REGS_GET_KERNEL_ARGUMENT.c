// SPDX-License-Identifier: GPL-2.0
/* x86 4.20, upstream "x86/ptrace: Add function argument access API" */
#include <linux/ptrace.h>
unsigned long enomem_compat_test(struct pt_regs *r)
{
	return regs_get_kernel_argument(r, 1);
}
