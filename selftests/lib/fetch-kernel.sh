#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# fetch-kernel.sh META [CACHE]
#
# Resolve a Debian kernel metapackage (linux-image-amd64, linux-image-6.12-amd64)
# to the versioned image and header packages that are on the mirror today,
# download them with apt-get download and extract them with dpkg -x.  Nothing
# is installed: /boot, /lib/modules and the package database stay untouched.
#
# Prints one line: "KVER ROOT" where ROOT/boot/vmlinuz-KVER is the kernel and
# ROOT/usr/src/linux-headers-KVER is a kbuild tree for out-of-tree modules.
# Results are cached under CACHE (default $ENOMEM_CACHE or ~/.cache/enomem-stats).
set -eu

meta=${1:?usage: fetch-kernel.sh META [CACHE]}
cache=${2:-${ENOMEM_CACHE:-$HOME/.cache/enomem-stats}}

die() { echo "fetch-kernel: $*" >&2; exit 1; }

# The first "Depends: linux-image-<digit>" of the metapackage is the ABI-versioned image.
img=$(apt-cache depends "$meta" 2>/dev/null |
	awk '/Depends: linux-image-[0-9]/ { print $2; exit }')
[ -n "$img" ] || die "cannot resolve $meta (run apt-get update?)"
kver=${img#linux-image-}
root=$cache/kernels/$kver
if [ -f "$root/.complete" ]; then
	echo "$kver $root"
	exit 0
fi

hdr=linux-headers-$kver
# The headers package pulls in -common, kbuild and (6.1) the compiler package;
# the 6.12 image is "-unsigned" behind a virtual dependency.
pkgs="$hdr"
for dep in $(apt-cache depends "$hdr" 2>/dev/null |
	     awk '/Depends: linux-(headers|kbuild|compiler)-/ { print $2 }'); do
	pkgs="$pkgs $dep"
done
if apt-cache show "$img-unsigned" >/dev/null 2>&1; then
	pkgs="$pkgs $img-unsigned"
else
	pkgs="$pkgs $img"
fi

rm -rf "$root" "$root.debs"
mkdir -p "$root.debs" "$root"
(cd "$root.debs" && apt-get download $pkgs >&2) || die "apt-get download $pkgs failed"
for deb in "$root.debs"/*.deb; do
	dpkg -x "$deb" "$root"
done
rm -rf "$root.debs"

# The arch headers Makefile includes the -common tree by absolute path.
mk=$root/usr/src/linux-headers-$kver/Makefile
[ -f "$mk" ] || die "no headers Makefile in $hdr"
sed -i "s#^include /usr/src/#include $root/usr/src/#" "$mk"
[ -f "$root/boot/vmlinuz-$kver" ] || die "no vmlinuz-$kver in $img"

touch "$root/.complete"
echo "$kver $root"
