#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# build-modules.sh TOP KVER ROOT OUT
#
# Build enomem_stats.ko (from a private copy of TOP's Kbuild and module/) and
# the test-only enomem_inject.ko against ROOT/usr/src/linux-headers-KVER.
# Each kernel gets its own OUT: kbuild writes objects next to the sources, so
# two kernels sharing one tree would mix their objects.
# Results: OUT/enomem_stats.ko, OUT/enomem_inject.ko; the log in OUT/build.log.
set -eu

top=${1:?usage: build-modules.sh TOP KVER ROOT OUT}
kver=${2:?}
root=${3:?}
out=${4:?}
kdir=$root/usr/src/linux-headers-$kver

rm -rf "$out/src" "$out/inject"
mkdir -p "$out/src" "$out/inject"
cp -r "$top/Kbuild" "$top/module" "$out/src/"
cp "$top/selftests/inject/Kbuild" "$top/selftests/inject/enomem_inject.c" "$out/inject/"
rm -f "$out/enomem_stats.ko" "$out/enomem_inject.ko"

jobs=$(nproc 2>/dev/null || echo 2)
cc=$("$(dirname "$0")/kernel-cc.sh" "$kdir")
{
	[ -z "$cc" ] || echo "# $kver: its compiler is not installed; building with $cc"
	make -j"$jobs" -C "$kdir" ${cc:+CC=$cc} M="$out/src" modules &&
	make -j"$jobs" -C "$kdir" ${cc:+CC=$cc} M="$out/inject" modules
} >"$out/build.log" 2>&1 || {
	tail -n 30 "$out/build.log" >&2
	exit 1
}
cp "$out/src/enomem_stats.ko" "$out/inject/enomem_inject.ko" "$out/"
