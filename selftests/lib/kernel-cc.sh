#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# kernel-cc.sh KDIR
#
# Prints the compiler to build external modules for KDIR with, when the one
# the kernel was built with is not on this host (Debian 11's 5.10 was built
# with gcc-10, bookworm has gcc-12; sid's newest kernels want a newer gcc).
# Prints nothing when kbuild's own choice is installed.
#
# kernel-cc.sh --newer KDIR
#
# Succeeds, printing the compiler, when KDIR's kernel was built with a newer
# gcc than any this host has: then no host compiler will do (sid's 7.x
# headers pass gcc-16's options), and the modules are built in a build root
# of the kernel's own release (build-root.sh).
newer=
[ "${1:-}" = --newer ] && newer=1 && shift
kdir=${1:?usage: kernel-cc.sh [--newer] KDIR}
want=$(sed -n 's/^CONFIG_CC_VERSION_TEXT="\([^ ]*\).*/\1/p' "$kdir/.config" 2>/dev/null)
if [ -n "$newer" ]; then
	# CONFIG_GCC_VERSION: 160200 for gcc 16.2.0; 0 for a clang-built kernel
	kgcc=$(sed -n 's/^CONFIG_GCC_VERSION=\([0-9]*\)$/\1/p' "$kdir/.config" 2>/dev/null)
	hgcc=$(gcc -dumpversion 2>/dev/null | cut -d . -f 1)
	[ "${kgcc:-0}" -gt 0 ] && [ "$((kgcc / 10000))" -gt "${hgcc:-0}" ] || exit 1
	echo "$want"
	exit 0
fi
[ -z "$want" ] && exit 0
command -v "$want" >/dev/null 2>&1 && exit 0
for cc in x86_64-linux-gnu-gcc-12 gcc-12 gcc; do
	if command -v "$cc" >/dev/null 2>&1; then
		echo "$cc"
		exit 0
	fi
done
