#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# kernel-cc.sh KDIR
#
# Prints the compiler to build external modules for KDIR with, when the one
# the kernel was built with is not on this host (Debian 11's 5.10 was built
# with gcc-10, bookworm has gcc-12; sid's newest kernels want a newer gcc).
# Prints nothing when kbuild's own choice is installed.
kdir=${1:?usage: kernel-cc.sh KDIR}
want=$(sed -n 's/^CONFIG_CC_VERSION_TEXT="\([^ ]*\).*/\1/p' "$kdir/.config" 2>/dev/null)
[ -z "$want" ] && exit 0
command -v "$want" >/dev/null 2>&1 && exit 0
for cc in x86_64-linux-gnu-gcc-12 gcc-12 gcc; do
	if command -v "$cc" >/dev/null 2>&1; then
		echo "$cc"
		exit 0
	fi
done
