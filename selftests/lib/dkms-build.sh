#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# dkms-build.sh TOP KVER ROOT OUT
#
# Build and install the module the way a user's machine does, with dkms and
# the tree's dkms.conf, but in a private dkms tree, source tree and install
# tree under OUT so that nothing is registered on this host (/var/lib/dkms,
# /usr/src, /lib/modules untouched).  Succeeds when dkms built
# enomem_stats.ko for exactly KVER and installed it where it installs on a
# real host.  dkms picks that place by the distribution it runs on:
# /updates/dkms on Debian, /extra on RHEL.  For a RHEL kernel-devel tree
# (ROOT/usr/src/kernels/KVER) dkms runs in a private mount namespace that
# shows it CentOS 7's /etc/os-release, so it behaves as on a RHEL 7 host.
set -eu

top=${1:?usage: dkms-build.sh TOP KVER ROOT OUT}
kver=${2:?}
root=${3:?}
out=${4:?}

command -v dkms >/dev/null || { echo "dkms-build: no dkms (apt-get install dkms)" >&2; exit 1; }
name=$(sed -n 's/^PACKAGE_NAME="\(.*\)"/\1/p' "$top/dkms.conf")
version=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$top/dkms.conf")
[ -n "$name" ] && [ -n "$version" ] || { echo "dkms-build: no PACKAGE_NAME/VERSION in dkms.conf" >&2; exit 1; }

src=$out/source
tree=$out/tree
mods=$out/lib/modules
rm -rf "$src" "$tree" "$mods"
mkdir -p "$src/$name-$version" "$tree" "$mods/$kver"
# What "make dkms-install" copies to /usr/src.
cp -r "$top/Kbuild" "$top/Makefile" "$top/dkms.conf" "$top/module" "$src/$name-$version/"

# Where the kernel's own gcc is not installed (5.10 was built with gcc-10,
# bookworm has gcc-12), dkms cannot be told another compiler: give it the
# host's under the name the headers ask for, on PATH for this build only.
cc=$("$(dirname "$0")/kernel-cc.sh" "$root/usr/src/linux-headers-$kver")
if [ -n "$cc" ]; then
	want=$(sed -n 's/^CONFIG_CC_VERSION_TEXT="\([^ ]*\).*/\1/p' \
		"$root/usr/src/linux-headers-$kver/.config")
	mkdir -p "$out/bin"
	ln -sf "$(command -v "$cc")" "$out/bin/$want"
	PATH=$out/bin:$PATH
	export PATH
fi

dest=/updates/dkms
osrel=
if [ -d "$root/usr/src/kernels/$kver" ]; then
	dest=/extra
	osrel=$out/os-release
	printf '%s\n' 'NAME="CentOS Linux"' 'VERSION="7 (Core)"' 'ID="centos"' \
		'ID_LIKE="rhel fedora"' 'VERSION_ID="7"' >"$osrel"
fi
dkms() {
	if [ -n "$osrel" ]; then
		unshare -m sh -c 'mount --bind "$0" /etc/os-release && exec dkms "$@"' \
			"$osrel" "$@"
	else
		command dkms "$@"
	fi
}

dkms --dkmstree "$tree" --sourcetree "$src" build -m "$name" -v "$version" \
	-k "$kver" --kernelsourcedir "$root/usr/src/linux-headers-$kver" \
	>"$out/dkms.log" 2>&1 || {
	tail -n 20 "$out/dkms.log" >&2
	for f in "$tree/$name/$version/$kver"/*/log/make.log; do
		[ -f "$f" ] && tail -n 30 "$f" >&2
	done
	exit 1
}

dkms --dkmstree "$tree" --sourcetree "$src" --installtree "$mods" --no-depmod \
	install -m "$name" -v "$version" -k "$kver" \
	--kernelsourcedir "$root/usr/src/linux-headers-$kver" \
	>>"$out/dkms.log" 2>&1 || {
	tail -n 20 "$out/dkms.log" >&2
	exit 1
}
ko=$(find "$mods/$kver$dest" -maxdepth 1 -name 'enomem_stats.ko*' 2>/dev/null | head -n 1)
[ -n "$ko" ] || { echo "dkms-build: dkms install put no enomem_stats.ko in /lib/modules/$kver$dest:" >&2
	(cd "$mods" && find . -type f) >&2; exit 1; }

case $ko in
*.xz) vermagic=$(xz -dc "$ko" | strings | sed -n 's/^vermagic=//p') ;;
*) vermagic=$(modinfo -F vermagic "$ko" 2>/dev/null || strings "$ko" | sed -n 's/^vermagic=//p') ;;
esac
case $vermagic in
"$kver "*) ;;
*) echo "dkms-build: $ko has vermagic '$vermagic', not for $kver" >&2; exit 1 ;;
esac
echo "/lib/modules/$kver$dest/${ko##*/}" >"$out/installed"
