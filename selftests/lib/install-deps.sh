#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# install-deps.sh [--dkms | --root]
#
# Make sure the host has what the VM tests need (--dkms: and dkms; --root:
# only what build-root.sh needs, mmdebstrap); install what is missing
# with apt-get when running as root (README: "make check" installs what it
# needs).  Without root it only names the missing packages and fails.
# Prints nothing when everything is there.
set -u

missing=
want() { # package: add it unless test "$2..." succeeds
	pkg=$1
	shift
	"$@" >/dev/null 2>&1 || missing="$missing $pkg"
}
have() { command -v "$1"; }
# busybox must be static: the initramfs carries no libc.
static_busybox() {
	b=$(command -v busybox) || return 1
	! LC_ALL=C readelf -d "$b" 2>/dev/null | grep -q NEEDED
}

if [ "${1:-}" = --root ]; then
	want mmdebstrap have mmdebstrap
else
	want qemu-system-x86 have qemu-system-x86_64
	want busybox-static static_busybox
	want cpio have cpio
	# Debian's 6.12 headers ship vmlinux, so kbuild adds BTF with pahole.
	want pahole have pahole
	want kmod have modinfo
	want gcc have gcc
	want make have make
	want binutils have readelf
	want libc6-dev test -f /usr/lib/x86_64-linux-gnu/libc.a
	want xz-utils have xz
	[ "${1:-}" = --dkms ] && want dkms have dkms
	# the binary RPM's enomemstat is unpacked for the guests (packaging/)
	want rpm2cpio have rpm2cpio
	# dkms's RHEL behaviour is shown in a private mount namespace
	want util-linux have unshare
	# the Prometheus pipeline test (selftests/pipeline/run.sh)
	want prometheus have prometheus
	want prometheus-node-exporter have prometheus-node-exporter
	want curl have curl
fi

[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
	echo "install-deps: missing packages:$missing (apt-get install --no-install-recommends$missing)" >&2
	exit 1
fi
echo "install-deps: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
# shellcheck disable=SC2086 # a list of package names
apt-get install -y --no-install-recommends $missing >&2 ||
	{ apt-get update >&2 && apt-get install -y --no-install-recommends $missing >&2; }
