#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# mkinitramfs.sh OUT INIT TESTBIN MODULE.ko... [-- GUEST_SH ENOMEMSTAT]
#
# A gzip'ed newc initramfs: static busybox, INIT as /init, TESTBIN as
# /enomem_test (tools/tests/guest.sh drops root with its "runas"), the
# modules in /modules and, when given, the enomemstat tool's guest checks
# (/tools/guest.sh) and binary (/bin/enomemstat).
set -eu

out=${1:?usage: mkinitramfs.sh OUT INIT TESTBIN MODULE.ko... [-- GUEST_SH ENOMEMSTAT]}
init=${2:?}
testbin=${3:?}
shift 3

busybox=$(command -v busybox) || { echo "mkinitramfs: no busybox (apt-get install busybox-static)" >&2; exit 1; }
# A dynamically linked busybox cannot run in an initramfs without libc.
if LC_ALL=C readelf -d "$busybox" 2>/dev/null | grep -q NEEDED; then
	echo "mkinitramfs: $busybox is not static (apt-get install busybox-static)" >&2
	exit 1
fi

stage=$(mktemp -d)
# mktemp -d makes it 0700, which would become the guest's "/" and refuse
# every path to the non-root users the tests switch to.
chmod 755 "$stage"
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/bin" "$stage/sbin" "$stage/dev" "$stage/proc" "$stage/sys" \
	"$stage/tmp" "$stage/modules" "$stage/tools" "$stage/etc"
cp "$busybox" "$stage/bin/busybox"
cp "$init" "$stage/init"
cp "$testbin" "$stage/enomem_test"
chmod 755 "$stage/init" "$stage/enomem_test"
while [ $# -gt 0 ] && [ "$1" != -- ]; do
	cp "$1" "$stage/modules/"
	shift
done
if [ "${1:-}" = -- ]; then
	cp "$2" "$stage/tools/guest.sh"
	cp "$3" "$stage/bin/enomemstat"
fi
printf 'root:x:0:0:root:/:/bin/sh\nuser:x:1000:1000:user:/:/bin/sh\n' >"$stage/etc/passwd"
printf 'root:x:0:\nuser:x:1000:\n' >"$stage/etc/group"

# newc header: magic and 13 hex fields (ino mode uid gid nlink mtime
# filesize devmajor devminor rdevmajor rdevminor namesize check), then the
# NUL-terminated name padded to 4 bytes.  Written by hand so that the
# console device needs no mknod and so no root.
newc() { # name mode(hex) rdevmajor rdevminor ino
	namesize=$((${#1} + 1))
	printf '070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X' \
		"$5" "0x$2" 0 0 1 0 0 0 0 "$3" "$4" "$namesize" 0
	printf '%s\0' "$1"
	pad=$(( (4 - (110 + namesize) % 4) % 4 ))
	while [ $pad -gt 0 ]; do printf '\0'; pad=$((pad - 1)); done
}

{
	(cd "$stage" && find . | LC_ALL=C sort | cpio --quiet -o -H newc -R 0:0)
	# The kernel opens /dev/console before /init runs; devtmpfs is not
	# mounted yet at that point.
	newc dev/console 2180 5 1 900001
	newc dev/null 21B6 1 3 900002
	newc TRAILER!!! 0 0 0 0
} | gzip -9 >"$out"
