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
#
# Any compiler warning fails the build: a warning here is an error on some
# user's compiler.  Where the kernel's kbuild passes no -std (3.10: RHEL 7
# builds with gcc 4.8.5, whose default is gnu89), build with -std=gnu89 so
# that a C99-ism this host's gcc would accept breaks here, not on the host.
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
std=$("$(dirname "$0")/kernel-std.sh" "$kdir")
{
	[ -z "$cc" ] || echo "# $kver: its compiler is not installed; building with $cc"
	[ -z "$std" ] || echo "# $kver: its kbuild sets no C dialect; building with $std"
	make -j"$jobs" -C "$kdir" ${cc:+CC=$cc} ${std:+KCFLAGS=$std} M="$out/src" modules &&
	make -j"$jobs" -C "$kdir" ${cc:+CC=$cc} ${std:+KCFLAGS=$std} M="$out/inject" modules
} >"$out/build.log" 2>&1 || {
	tail -n 30 "$out/build.log" >&2
	exit 1
}
if grep -q 'warning:' "$out/build.log"; then
	echo "# $kver: the build printed warnings:" >&2
	grep -A 3 'warning:' "$out/build.log" | head -n 40 >&2
	exit 1
fi
cp "$out/src/enomem_stats.ko" "$out/inject/enomem_inject.ko" "$out/"
