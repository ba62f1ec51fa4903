/* SPDX-License-Identifier: GPL-2.0 */
/* insmod/rmmod without busybox, so failures become test results. */
#ifndef ENOMEM_TEST_KMOD_H
#define ENOMEM_TEST_KMOD_H

/* 0 or the errno of finit_module()/delete_module(). */
int kmod_load(const char *path, const char *params);
int kmod_unload(const char *name);

#endif
