#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# fetch-kernel.sh META[@SUITE] [CACHE]
#
# Resolve a Debian kernel metapackage (linux-image-amd64, linux-image-6.12-amd64,
# linux-image-amd64@bullseye, linux-image-amd64@sid) to the versioned image and
# header packages that are in the archive today,
# download them with apt-get download and extract them with dpkg -x.  Nothing
# is installed: /boot, /lib/modules and the package database stay untouched.
#
# Prints one line: "KVER ROOT" where ROOT/boot/vmlinuz-KVER is the kernel and
# ROOT/usr/src/linux-headers-KVER is a kbuild tree for out-of-tree modules.
# Results are cached under CACHE (default $ENOMEM_CACHE or ~/.cache/enomem-stats).
set -eu

spec=${1:?usage: fetch-kernel.sh META[@SUITE] [CACHE]}
cache=${2:-${ENOMEM_CACHE:-$HOME/.cache/enomem-stats}}
meta=${spec%@*}
suite=
[ "$meta" = "$spec" ] || suite=${spec#*@}

die() { echo "fetch-kernel: $*" >&2; exit 1; }

# Another Debian release: a private apt state (lists, cache, no dpkg status),
# so the host's sources and packages stay untouched.  Its archives are the
# ones this machine's apt configuration names; apt.conf (proxies) still applies.
apt_opts=
if [ -n "$suite" ]; then
	adir=$cache/apt-$suite
	mkdir -p "$adir/lists/partial" "$adir/cache/archives/partial"
	sources=$("$(dirname "$0")/apt-sources.sh" "$suite") || exit 1
	fresh=
	if [ "$sources" != "$(cat "$adir/sources.list" 2>/dev/null)" ]; then
		echo "$sources" >"$adir/sources.list"
		fresh=1
	fi
	apt_opts="-o Dir::Etc::SourceList=$adir/sources.list -o Dir::Etc::SourceParts=/dev/null
		  -o Dir::State::Lists=$adir/lists -o Dir::Cache=$adir/cache
		  -o Dir::State::status=/dev/null -o APT::Sandbox::User=root"
	# refresh at most daily, and when the archives changed
	if [ -n "$fresh" ] ||
	   [ -z "$(find "$adir/lists" -name '*Packages*' -mtime -1 2>/dev/null | head -n 1)" ]; then
		apt-get $apt_opts update >&2 || die "apt-get update for $suite failed"
	fi
fi

# The first "Depends: linux-image-<digit>" of the metapackage is the ABI-versioned image.
img=$(apt-cache $apt_opts depends "$meta" 2>/dev/null |
	awk '/Depends: linux-image-[0-9]/ { print $2; exit }')
[ -n "$img" ] || die "cannot resolve $meta (run apt-get update?)"
kver=${img#linux-image-}
root=$cache/kernels/$kver
if [ -f "$root/.complete" ]; then
	echo "$kver $root"
	exit 0
fi

hdr=linux-headers-$kver
# The headers package pulls in -common and kbuild;
# the 6.12 image is "-unsigned" behind a virtual dependency.
pkgs="$hdr"
# The compiler package only pins a gcc version; builds pass CC= when the host
# lacks it (5.10 was built with gcc-10, bookworm has gcc-12).
for dep in $(apt-cache $apt_opts depends "$hdr" 2>/dev/null |
	     awk '/Depends: linux-(headers|kbuild)-/ { print $2 }'); do
	pkgs="$pkgs $dep"
done
# The kernel itself: "-unsigned" behind a virtual dependency (bookworm), or
# split out into linux-binary-KVER (sid, 2026).
if apt-cache $apt_opts show "$img-unsigned" >/dev/null 2>&1; then
	pkgs="$pkgs $img-unsigned"
elif apt-cache $apt_opts show "linux-binary-$kver" >/dev/null 2>&1; then
	pkgs="$pkgs linux-binary-$kver"
else
	pkgs="$pkgs $img"
fi

rm -rf "$root" "$root.debs"
mkdir -p "$root.debs" "$root"
(cd "$root.debs" && apt-get $apt_opts download $pkgs >&2) || die "apt-get download $pkgs failed"
for deb in "$root.debs"/*.deb; do
	dpkg -x "$deb" "$root"
done
rm -rf "$root.debs"

# The arch headers Makefile names the -common tree (and, from 7.x, its own
# output directory) by absolute path.
mk=$root/usr/src/linux-headers-$kver/Makefile
[ -f "$mk" ] || die "no headers Makefile in $hdr"
sed -i "s#^include /usr/src/#include $root/usr/src/#; s#^\([A-Z_]*\)=/usr/src/#\1=$root/usr/src/#" "$mk"
# Newer packages put the kernel in /usr/lib/modules/KVER/vmlinuz.
if [ ! -f "$root/boot/vmlinuz-$kver" ] && [ -f "$root/usr/lib/modules/$kver/vmlinuz" ]; then
	mkdir -p "$root/boot"
	ln -s "../usr/lib/modules/$kver/vmlinuz" "$root/boot/vmlinuz-$kver"
fi
[ -f "$root/boot/vmlinuz-$kver" ] || die "no vmlinuz-$kver in $pkgs"

touch "$root/.complete"
echo "$kver $root"
