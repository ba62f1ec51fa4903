#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# build-root.sh SUITE KVER [CACHE]
#
# A private build root of Debian SUITE for a kernel whose compiler is newer
# than any this host has (sid's 7.x wants gcc-16; Debian 12 has gcc-12):
# mmdebstrap's "essential" variant plus make and linux-headers-KVER, which
# pulls in the compiler its kernel was built with and its kbuild tools.
# build-modules.sh then runs make chrooted there (in-root.sh).
#
# Prints one line, the root's directory, CACHE/roots/SUITE (default CACHE:
# $ENOMEM_CACHE or ~/.cache/enomem-stats).  Kept while SUITE's kernel stays
# KVER; made again when it changes (one root per suite, about 350 MB).
# Its archive is the one this machine's apt configuration names
# (apt-sources.sh); apt's Acquire settings (proxies, Release checks) go with
# it, since mmdebstrap runs apt with a configuration of its own (this
# machine's apt accepts Release files past their Valid-Until date; sid's
# was, and mmdebstrap refused it without that setting).  Nothing is
# installed into the host but mmdebstrap, with apt-get, when missing.
#
# Fails with one line on stderr saying why (not root, no mmdebstrap, no
# archive, no network: mmdebstrap's last error).
set -eu

suite=${1:?usage: build-root.sh SUITE KVER [CACHE]}
kver=${2:?}
cache=${3:-${ENOMEM_CACHE:-$HOME/.cache/enomem-stats}}
lib=$(dirname "$0")
dir=$cache/roots/$suite

die() { echo "build-root: $*" >&2; exit 1; }

mkdir -p "$cache/roots"
# Two runs at once (make check and make demo) wait for one root.
exec 9>"$dir.lock"
flock 9
if [ -d "$dir" ] && [ "$(cat "$dir.kver" 2>/dev/null)" = "$kver" ]; then
	echo "$dir"
	exit 0
fi

[ "$(id -u)" = 0 ] || die "a $suite build root for $kver needs root (chroot, mmdebstrap's root mode)"
"$lib/install-deps.sh" --root 2>/dev/null ||
	die "mmdebstrap is missing and apt-get could not install it: no $suite build root for $kver"
sources=$("$lib/apt-sources.sh" "$suite") || exit 1

# apt's Acquire settings here, each an mmdebstrap --aptopt
set --
while IFS= read -r opt; do
	[ -z "$opt" ] || set -- "$@" --aptopt="$opt"
done <<EOF
$("$lib/apt-sources.sh" --acquire)
EOF

rm -rf "$dir" "$dir.new" "$dir.kver"
t0=$(date +%s)
# Docs, man pages and translations are of no use to a compiler; the root is
# made again rather than repaired, so dpkg need not sync every file.
if ! echo "$sources" | nice -n 10 mmdebstrap --variant=essential \
	--include="linux-headers-$kver,make" \
	--dpkgopt=force-unsafe-io \
	--dpkgopt='path-exclude=/usr/share/doc/*' \
	--dpkgopt='path-exclude=/usr/share/man/*' \
	--dpkgopt='path-exclude=/usr/share/locale/*' \
	"$@" "$suite" "$dir.new" - >"$dir.log" 2>&1; then
	rm -rf "$dir.new"
	die "mmdebstrap of $suite with linux-headers-$kver failed: $(grep '^E: ' "$dir.log" | grep -v 'mmdebstrap failed' | head -n 1 | cut -c 1-200) (log: $dir.log)"
fi
mv "$dir.new" "$dir"
echo "$kver" >"$dir.kver"
echo "build-root: $suite root for $kver made in $(($(date +%s) - t0)) s, $(du -sm "$dir" | cut -f 1) MB: $dir" >&2
echo "$dir"
