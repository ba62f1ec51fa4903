#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# fetch-rhel7.sh [CACHE]
#
# The RHEL/CentOS 7.9 kernel (3.10.0-1160.el7) that make check boots, from
# the test data in ../shared/kernels/rhel7 next to the project (or
# $ENOMEM_RHEL7_DIR).  That directory is read-only input: its checksums are
# verified, the kernel-devel tarball is unpacked into the cache, nothing is
# copied into the project.
#
# Prints "KVER ROOT" like fetch-kernel.sh: ROOT/boot/vmlinuz-KVER is the
# kernel, ROOT/usr/src/kernels/KVER the kernel-devel tree where RHEL puts it,
# and ROOT/usr/src/linux-headers-KVER a link to it, the name the rest of the
# rig uses for every kernel.
# Exit 3 (and a reason on stderr) when the test data is not there: the
# caller reports the 3.10 tier as not run.  Exit 1 on any other error.
set -eu

cache=${1:-${ENOMEM_CACHE:-$HOME/.cache/enomem-stats}}
here=$(cd "$(dirname "$0")/../.." && pwd)
src=${ENOMEM_RHEL7_DIR:-$here/../shared/kernels/rhel7}
kver=3.10.0-1160.el7.x86_64

die() { echo "fetch-rhel7: $*" >&2; exit 1; }

if [ ! -f "$src/vmlinuz-$kver" ] || [ ! -f "$src/kernel-devel-$kver.tar.xz" ]; then
	echo "fetch-rhel7: no RHEL 7 kernel in $src (vmlinuz-$kver and kernel-devel-$kver.tar.xz); set ENOMEM_RHEL7_DIR" >&2
	exit 3
fi

root=$cache/kernels/$kver
stamp=$(cd "$src" && cat SHA256SUMS 2>/dev/null | cksum)
if [ -f "$root/.complete" ] && [ "$(cat "$root/.complete")" = "$stamp" ]; then
	echo "$kver $root"
	exit 0
fi

if [ -f "$src/SHA256SUMS" ]; then
	(cd "$src" && sha256sum --quiet -c SHA256SUMS) >&2 ||
		die "checksums in $src/SHA256SUMS do not match"
fi

rm -rf "$root"
mkdir -p "$root/boot" "$root/usr/src/kernels"
cp "$src/vmlinuz-$kver" "$root/boot/vmlinuz-$kver"
tar -C "$root/usr/src/kernels" -xJf "$src/kernel-devel-$kver.tar.xz" ||
	die "cannot unpack $src/kernel-devel-$kver.tar.xz"
[ -f "$root/usr/src/kernels/$kver/Makefile" ] ||
	die "no $kver/Makefile in kernel-devel-$kver.tar.xz"
ln -s "kernels/$kver" "$root/usr/src/linux-headers-$kver"

echo "$stamp" >"$root/.complete"
echo "$kver $root"
