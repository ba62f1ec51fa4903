#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# rpm/build.sh [OUT]: the EL7 packages into OUT (default dist/):
#   enomem-stats-VERSION-1.el7.src.rpm      (rebuilds on EL7 with its own gcc)
#   enomem-stats-VERSION-1.el7.x86_64.rpm   (enomemstat static, musl-gcc)
#   enomem-stats-dkms-VERSION-1.el7.noarch.rpm
# The binary RPMs are made by "rpmbuild --rebuild --with static" of that very
# SRPM, in a private _topdir.  Installs rpm and musl-tools if missing.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
. "$TOP/packaging/lib/common.sh"

need rpmbuild rpm
need musl-gcc musl-tools
need make make
need gcc gcc

build_start rpm/build.sh rpm "${1:-}"
mkdir -p "$T/SOURCES" "$T/SPECS" "$T/stage"

stage "$TOP" "$T/stage/enomem-stats-$VERSION"
tar -C "$T/stage" --owner=0 --group=0 -czf "$T/SOURCES/enomem-stats-$VERSION.tar.gz" \
	"enomem-stats-$VERSION"
sed "s/^Version:.*/Version:        $VERSION/" "$HERE/enomem-stats.spec" > "$T/SPECS/enomem-stats.spec"

# rpm 4.11 (EL7) reads gzip payloads, not zstd; no /usr/lib/.build-id links
# (rpm 4.14+); dist tag of EL7.  --nodeps: this is not an rpm-based system.
set -- --define "_topdir $T" --define "dist .el7" \
	--define "_source_payload w9.gzdio" --define "_binary_payload w9.gzdio" \
	--define "_build_id_links none" --nodeps
rpmbuild "$@" -bs "$T/SPECS/enomem-stats.spec" >"$T/bs.log" 2>&1 || { cat "$T/bs.log" >&2; exit 1; }
srpm=$(ls "$T"/SRPMS/*.src.rpm)
rpmbuild "$@" --with static --rebuild "$srpm" >"$T/bb.log" 2>&1 || { tail -n 40 "$T/bb.log" >&2; exit 1; }
rm -f "$OUT"/enomem-stats-*.rpm
cp "$srpm" "$T"/RPMS/*/*.rpm "$OUT/"
ls -l "$OUT"/enomem-stats-*"$VERSION"-*.rpm
