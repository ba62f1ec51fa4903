#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# pack.sh INITRD STRESSBIN [CYCLES [SECONDS]]
#
# Append the stress suite's static binary to an initramfs as /enomem_stress,
# and, for a VM booted with enomem_mode=reload, the number of load/unload
# cycles (default 100) and the seconds after which to stop cycling (default
# 420) as /enomem_stress.cycles.
# The kernel unpacks concatenated (separately compressed) cpio archives in
# turn, so the rig's own initramfs needs no change.
set -eu

initrd=${1:?usage: pack.sh INITRD STRESSBIN}
bin=${2:?}
cycles=${3:-100}
seconds=${4:-420}
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
cp "$bin" "$stage/enomem_stress"
chmod 755 "$stage/enomem_stress"
echo "$cycles $seconds" >"$stage/enomem_stress.cycles"
(cd "$stage" && printf 'enomem_stress\nenomem_stress.cycles\n' |
	cpio --quiet -o -H newc -R 0:0) | gzip -9 >>"$initrd"
