#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# pack.sh INITRD STRESSBIN
#
# Append the stress suite's static binary to an initramfs as /enomem_stress.
# The kernel unpacks concatenated (separately compressed) cpio archives in
# turn, so the rig's own initramfs needs no change.
set -eu

initrd=${1:?usage: pack.sh INITRD STRESSBIN}
bin=${2:?}
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
cp "$bin" "$stage/enomem_stress"
chmod 755 "$stage/enomem_stress"
(cd "$stage" && echo enomem_stress | cpio --quiet -o -H newc -R 0:0) | gzip -9 >>"$initrd"
