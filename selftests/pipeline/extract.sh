#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# extract.sh SERIAL_LOG DIR
#
# Take what selftests/pipeline/guest.sh wrote on a test VM's console into
# DIR: 1.prom and 2.prom (the two snapshots, whole: a snapshot without its
# end marker is not taken) and forks (the refused forks it attempted).
# Fails, saying what is missing, unless all three are there.
set -u

log=${1:?usage: extract.sh SERIAL_LOG DIR}
dir=${2:?}
rm -rf "$dir"
mkdir -p "$dir" || exit 1
tr -d '\r' <"$log" | awk -v dir="$dir" '
	/^ENOMEM-PIPE-BEGIN [12]$/ { n = $2; f = dir "/" n ".part"; printf "" >f; next }
	/^ENOMEM-PIPE-END [12]$/ && n == $2 { close(f); system("mv \"" f "\" \"" dir "/" n ".prom\""); n = ""; next }
	/^ENOMEM-PIPE-FORKS [0-9]+$/ { print $2 >(dir "/forks"); next }
	n != "" && sub(/^PIPE: /, "") { print >f }
'
rm -f "$dir"/*.part
missing=
for f in 1.prom 2.prom forks; do
	[ -s "$dir/$f" ] || missing="$missing $f"
done
[ -z "$missing" ] && exit 0
echo "no$missing from selftests/pipeline/guest.sh in $log" >&2
exit 1
