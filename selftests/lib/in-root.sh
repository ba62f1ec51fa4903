#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# in-root.sh ROOT DIR CMD [ARG...]
#
# Run CMD chrooted into ROOT (a build root from build-root.sh) with the
# host's DIR bind-mounted at the same path inside, so that paths in its
# commands and logs mean the same inside and out; /proc is mounted too
# (7.x's objtool reads its stack limit there).  The mounts live in a private
# mount namespace: they go with the command, even when it is killed.
root=${1:?usage: in-root.sh ROOT DIR CMD [ARG...]}
dir=${2:?}
shift 2
mkdir -p "$root$dir" || exit 1
# shellcheck disable=SC2016 # expanded by the inner shell
exec unshare --mount --propagation private sh -c '
	mount --bind "$1" "$2$1" && mount -t proc proc "$2/proc" || exit 1
	root=$2
	shift 2
	PATH=/usr/sbin:/usr/bin:/sbin:/bin exec chroot "$root" "$@"
' in-root "$dir" "$root" "$@"
