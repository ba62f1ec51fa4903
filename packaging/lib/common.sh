# SPDX-License-Identifier: GPL-2.0
#
# Sourced by packaging/rpm/build.sh, packaging/debian-build.sh and
# packaging/tests/run.sh, so that the builds and their tests share one copy
# of what they all need (installs, version, staging, the builds' start).

# apt_install PKG: install a Debian package (apt-get update once if needed).
apt_install() {
	echo "packaging: installing $1" >&2
	DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$1" >&2 ||
		{ apt-get update >&2 && DEBIAN_FRONTEND=noninteractive \
			apt-get install -y --no-install-recommends "$1" >&2; }
}

# need CMD PKG: install PKG unless the command CMD is on PATH.
need() {
	command -v "$1" >/dev/null 2>&1 || { apt_install "$2"; command -v "$1" >/dev/null 2>&1; }
}

# need_file FILE PKG: install PKG unless FILE exists (a debhelper add-on).
need_file() {
	[ -e "$1" ] || { apt_install "$2"; [ -e "$1" ]; }
}

# pkg_version TOP: dkms.conf's PACKAGE_VERSION, the one version of everything.
pkg_version() {
	sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$1/dkms.conf"
}

# stage TOP DIR: copy what the packages are built from into DIR (the working
# tree's files, without build products; tools/ without its tests).
stage() {
	mkdir -p "$2"
	(cd "$1" && {
		if git rev-parse --git-dir >/dev/null 2>&1; then
			git ls-files -co --exclude-standard -- Kbuild Makefile dkms.conf README.md \
				module tools packaging/systemd packaging/examples packaging/prometheus
		else
			find Kbuild Makefile dkms.conf README.md module tools packaging/systemd \
				packaging/examples packaging/prometheus -type f \
				! -name '*.o' ! -name '*.ko' ! -name '*.cmd' ! -name '*.mod*' \
				! -path tools/enomemstat
		fi
	} | grep -v '^tools/tests/' | while read -r f; do [ -f "$f" ] && echo "$f"; done | tar -cf - -T -) |
		tar -xf - -C "$2"
}

# build_start NAME TAG [OUT]: how both build scripts begin, with TOP set:
# OUT made and absolute (default TOP/dist), VERSION from dkms.conf (NAME
# says when there is none) and a work directory T (enomem-TAG.*) that goes
# on exit.
build_start() {
	OUT=${3:-$TOP/dist}
	mkdir -p "$OUT"
	OUT=$(cd "$OUT" && pwd)
	VERSION=$(pkg_version "$TOP")
	[ -n "$VERSION" ] || { echo "$1: no PACKAGE_VERSION in dkms.conf" >&2; exit 1; }
	T=$(mktemp -d "${TMPDIR:-/tmp}/enomem-$2.XXXXXX")
	trap 'rm -rf "$T"' EXIT INT TERM
}
