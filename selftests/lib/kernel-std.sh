#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# kernel-std.sh KDIR
#
# Prints "-std=gnu89" for a kernel whose kbuild is not on gnu11 (up to
# 5.17), so that modules are built in the dialect its own compiler used:
# RHEL 7 builds with gcc 4.8.5, whose default is gnu89, and 3.10's kbuild
# as Red Hat ships it passes no -std of its own.  Where kbuild already says
# gnu89 this changes nothing; for gnu11 kernels it prints nothing.
kdir=${1:?usage: kernel-std.sh KDIR}
# Debian's per-flavour Makefile includes the -common one by absolute path.
mks="$kdir/Makefile $(sed -n 's/^include \(.*\/Makefile\)$/\1/p' "$kdir/Makefile" 2>/dev/null)"
# shellcheck disable=SC2086 # a list of files
grep -q -- '-std=gnu11' $mks 2>/dev/null && exit 0
echo "-std=gnu89"
