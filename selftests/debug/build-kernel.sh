#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# build-kernel.sh [CACHE]
#
# Build a small debug kernel (KASAN, kmemleak, lockdep, fault injection) for
# the QEMU guest from Debian's own kernel source package (linux-source-6.1 on
# bookworm), as root on Debian 12.  Run the test suite on it with
# `make check-debug`.
#
# Prints exactly one line on stdout: "KVER ROOT", the same layout as
# selftests/lib/fetch-kernel.sh: ROOT/boot/vmlinuz-KVER is the kernel and
# ROOT/usr/src/linux-headers-KVER is a kbuild tree (a symlink to the build
# tree) for `make -C ... M=DIR modules`.  Everything else goes to stderr and
# to CACHE/debug-kernel/build.log.
#
# The result is cached under CACHE/debug-kernel (default $ENOMEM_CACHE or
# ~/.cache/enomem-stats).  A second run with the same config fragment (config.fragment
# beside this script) prints the cached line at once; change the fragment and the
# tree is reconfigured and rebuilt incrementally.  Takes 20-40 minutes on
# 2 cores from scratch; make runs under `nice -n 15` with -j$JOBS (default 2).
#
# Nothing is installed into /boot or /lib/modules.  Missing build tools are
# installed with apt-get; the source package is fetched with apt-get download
# and unpacked with dpkg -x into the cache.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
cache=${1:-${ENOMEM_CACHE:-$HOME/.cache/enomem-stats}}
srcpkg=${ENOMEM_DEBUG_SRCPKG:-linux-source-6.1}
jobs=${JOBS:-2}
dir=$cache/debug-kernel
log=$dir/build.log

die() { echo "build-kernel: $*" >&2; exit 1; }
say() { echo "build-kernel: $*" >&2; }

# The config fragment (config.fragment beside this script): applied with
# scripts/config on top of x86_64_defconfig + kvm_guest.config, then
# olddefconfig.  Every "enable"/"disable"/"set-val" line is verified in the
# final .config.  The hash of its operative lines is the cache key.
fragment() {
	grep -v -e "^#" -e "^$" "$here/config.fragment"
}

key=$(fragment | sha256sum | cut -c1-16)
root=$dir/root

mkdir -p "$dir"
# One build at a time per cache.
exec 9>"$dir/.lock"
flock 9

if [ -f "$root/.complete" ] && [ "$(cat "$root/.complete")" = "$key" ] &&
   [ -f "$dir/kver" ]; then
	kver=$(cat "$dir/kver")
	if [ -f "$root/boot/vmlinuz-$kver" ] && [ -d "$root/usr/src/linux-headers-$kver/" ]; then
		echo "$kver $root"
		exit 0
	fi
fi

[ "$(id -u)" = 0 ] || die "needs root (apt-get)"
: >"$log"
say "building the debug kernel; log in $log"

# Build tools.  A fresh Debian 12 machine has gcc, make, bc and xz-utils but
# not bison, flex, libelf-dev (objtool), libssl-dev or dwarves.
need=""
for p in gcc make bc bison flex libelf-dev libssl-dev dwarves xz-utils cpio kmod; do
	dpkg -s "$p" >/dev/null 2>&1 || need="$need $p"
done
if [ -n "$need" ]; then
	say "apt-get install$need"
	{ apt-get install -y --no-install-recommends $need ||
	  { apt-get update && apt-get install -y --no-install-recommends $need; }; } >>"$log" 2>&1 ||
		die "apt-get install$need failed (see $log)"
fi

# Debian's kernel source: apt-get download + dpkg -x, nothing installed.
src=$dir/src
if [ ! -f "$src/.complete" ]; then
	rm -rf "$src" "$dir/pkg"
	mkdir -p "$dir/pkg"
	say "apt-get download $srcpkg"
	{ (cd "$dir/pkg" && apt-get download "$srcpkg") ||
	  { apt-get update && (cd "$dir/pkg" && apt-get download "$srcpkg"); }; } >>"$log" 2>&1 ||
		die "apt-get download $srcpkg failed (see $log)"
	deb=$(ls "$dir"/pkg/*.deb)
	dpkg-deb -f "$deb" Version >"$dir/src-version"
	dpkg -x "$deb" "$dir/pkg/x"
	tarball=$(ls "$dir"/pkg/x/usr/src/linux-source-*.tar.xz | head -1)
	[ -f "$tarball" ] || die "no tarball in $deb"
	say "unpacking $(basename "$tarball") ($(cat "$dir/src-version"))"
	mkdir -p "$src"
	tar -xJf "$tarball" -C "$src" --strip-components=1
	rm -rf "$dir/pkg"
	touch "$src/.complete"
fi

# Configure.
cd "$src"
mk() { nice -n 15 make -j"$jobs" "$@" >>"$log" 2>&1; }
say "configuring (x86_64_defconfig + kvm_guest.config + fragment $key)"
mk x86_64_defconfig || die "make x86_64_defconfig failed (see $log)"
mk kvm_guest.config || die "make kvm_guest.config failed (see $log)"
fragment | while read -r op opt val; do
	case $op in
	enable)  scripts/config --enable "$opt" ;;
	disable) scripts/config --disable "$opt" ;;
	set-val) scripts/config --set-val "$opt" "$val" ;;
	set-str) scripts/config --set-str "$opt" "$val" ;;
	esac
done
mk olddefconfig || die "make olddefconfig failed (see $log)"

# Verify: every requested option ended up as asked (a missing dependency
# silently drops an option in olddefconfig).
bad=""
while read -r op opt val; do
	case $op in
	enable)  grep -qx "CONFIG_$opt=y" .config || bad="$bad $opt(want y)" ;;
	disable) grep -q "^CONFIG_$opt=[ym]" .config && bad="$bad $opt(want n)" ;;
	set-val) grep -qx "CONFIG_$opt=$val" .config || bad="$bad $opt(want $val)" ;;
	set-str) grep -qx "CONFIG_$opt=\"$val\"" .config || bad="$bad $opt(want \"$val\")" ;;
	esac
done <<F
$(fragment)
F
# Options that only appear when their dependency is there: a disabled one that
# is absent is fine (the grep above only catches =y/=m).
[ -z "$bad" ] || die "config not as requested:$bad"

say "nice -n 15 make -j$jobs bzImage modules"
start=$(date +%s)
mk bzImage modules || die "kernel build failed (see $log; tail: $(tail -n 5 "$log" | tr '\n' ' '))"
say "built in $(( $(date +%s) - start )) s"
# Only valid after the build ran syncconfig (LOCALVERSION comes from auto.conf).
kver=$(cat include/config/kernel.release)
[ -n "$kver" ] || die "no include/config/kernel.release"

# Lay out ROOT like fetch-kernel.sh.
rm -rf "$root"
mkdir -p "$root/boot" "$root/usr/src"
cp arch/x86/boot/bzImage "$root/boot/vmlinuz-$kver"
cp .config "$root/boot/config-$kver"
cp System.map "$root/boot/System.map-$kver"
ln -s "$src" "$root/usr/src/linux-headers-$kver"
echo "$kver" >"$dir/kver"
echo "$key" >"$root/.complete"
echo "$kver $root"
