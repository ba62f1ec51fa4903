#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# debian-build.sh [OUT]: the Debian packages into OUT (default dist/):
#   enomem-stats_VERSION-1_ARCH.deb, enomem-stats-dkms_VERSION-1_all.deb
# Stages the tree with packaging/debian/ as debian/ in a temporary directory
# and runs dpkg-buildpackage -b there.  Installs debhelper, dh-dkms if missing.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/.." && pwd)
. "$HERE/lib/common.sh"

need dpkg-buildpackage dpkg-dev
need dh debhelper
need_file /usr/share/perl5/Debian/Debhelper/Sequence/dkms.pm dh-dkms
need make make
need gcc gcc

build_start debian-build.sh deb "${1:-}"
B=$T/enomem-stats-$VERSION
stage "$TOP" "$B"
cp -r "$HERE/debian" "$B/debian"
# The upstream version is dkms.conf's; the Debian revision stays -1.
sed -i "1s/(.*)/($VERSION-1)/" "$B/debian/changelog"
(cd "$B" && DEB_BUILD_OPTIONS="${DEB_BUILD_OPTIONS:-} noautodbgsym" dpkg-buildpackage -b --no-sign) >"$T/build.log" 2>&1 ||
	{ tail -n 40 "$T/build.log" >&2; exit 1; }
rm -f "$OUT"/enomem-stats_*.deb "$OUT"/enomem-stats-dkms_*.deb "$OUT"/enomem-stats-dbgsym_*.deb
cp "$T"/*.deb "$OUT/"
ls -l "$OUT"/enomem-stats*_"$VERSION"-1_*.deb
