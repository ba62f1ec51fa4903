// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "kmod.h"

int kmod_load(const char *path, const char *params)
{
	int fd, err = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno;
	if (syscall(SYS_finit_module, fd, params ? params : "", 0))
		err = errno;
	close(fd);
	return err;
}

int kmod_unload(const char *name)
{
	/* O_NONBLOCK: fail with EWOULDBLOCK instead of waiting for users. */
	if (syscall(SYS_delete_module, name, O_NONBLOCK))
		return errno;
	return 0;
}
