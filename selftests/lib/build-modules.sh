#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# build-modules.sh TOP KVER ROOT OUT [BUILDROOT]
#
# Build enomem_stats.ko (from a private copy of TOP's Kbuild and module/) and
# the test-only enomem_inject.ko against ROOT/usr/src/linux-headers-KVER.
# Each kernel gets its own OUT: kbuild writes objects next to the sources, so
# two kernels sharing one tree would mix their objects.
# With BUILDROOT (build-root.sh: the kernel's own release, its headers and
# compiler installed) make runs chrooted there, against its headers.
# Results: OUT/enomem_stats.ko, OUT/enomem_inject.ko; the log in OUT/build.log.
#
# Any compiler warning fails the build: a warning here is an error on some
# user's compiler.  Where the kernel's kbuild passes no -std (3.10: RHEL 7
# builds with gcc 4.8.5, whose default is gnu89), build with -std=gnu89 so
# that a C99-ism this host's gcc would accept breaks here, not on the host.
set -eu

top=${1:?usage: build-modules.sh TOP KVER ROOT OUT [BUILDROOT]}
kver=${2:?}
root=${3:?}
out=${4:?}
broot=${5:-}
kdir=$root/usr/src/linux-headers-$kver

rm -rf "$out/src" "$out/inject"
mkdir -p "$out/src" "$out/inject"
cp -r "$top/Kbuild" "$top/module" "$out/src/"
cp "$top/selftests/inject/Kbuild" "$top/selftests/inject/enomem_inject.c" "$out/inject/"
rm -f "$out/enomem_stats.ko" "$out/enomem_inject.ko"

jobs=$(nproc 2>/dev/null || echo 2)
std=$("$(dirname "$0")/kernel-std.sh" "$kdir")
run=
if [ -n "$broot" ]; then
	cc=
	run="$(dirname "$0")/in-root.sh $broot $out"
	kdir=/usr/src/linux-headers-$kver
else
	cc=$("$(dirname "$0")/kernel-cc.sh" "$kdir")
fi
{
	[ -z "$cc" ] || echo "# $kver: its compiler is not installed; building with $cc"
	[ -z "$std" ] || echo "# $kver: its kbuild sets no C dialect; building with $std"
	[ -z "$broot" ] || echo "# $kver: built in $broot"
	$run make -j"$jobs" -C "$kdir" ${cc:+CC=$cc} ${std:+KCFLAGS=$std} M="$out/src" modules &&
	$run make -j"$jobs" -C "$kdir" ${cc:+CC=$cc} ${std:+KCFLAGS=$std} M="$out/inject" modules
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
