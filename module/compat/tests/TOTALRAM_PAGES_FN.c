// SPDX-License-Identifier: GPL-2.0
/* 5.0, upstream "mm: convert totalram_pages and totalhigh_pages variables to atomic" */
#include <linux/mm.h>
unsigned long enomem_compat_test(void) { return totalram_pages(); }
