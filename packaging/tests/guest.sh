#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# guest.sh BIN: run inside the test VM (selftests/guest/init) with the
# enomemstat taken out of the binary RPM.  The guest has no libc at all, so
# that the binary runs proves it is static; against the live module it must
# agree with /proc/enomem_stats and write the node_exporter textfile the way
# the systemd unit does (--output: complete file, 0644, no temporary left).
# Prints "ok"/"not ok" lines and "# " diagnostics; the caller judges them.
bin=${1:?usage: guest.sh BIN}
fails=0
n=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
no() { n=$((n + 1)); echo "not ok $n - $*"; fails=$((fails + 1)); }

if out=$("$bin" 2>&1); then
	ok "the RPM's enomemstat runs here (no libc in this guest: static)"
else
	no "the RPM's enomemstat runs here"
	echo "# $out" | head -n 5
fi

tf=/tmp/textfile
rm -rf "$tf" && mkdir -p "$tf"
want=$(sed -n 's/^fork_failed //p' /proc/enomem_stats)
if "$bin" --prometheus --output "$tf/enomem_stats.prom" >/tmp/pkg.out 2>&1; then
	got=$(sed -n 's/^enomem_stats_forks_failed_total \([0-9]*\)$/\1/p' "$tf/enomem_stats.prom")
	loaded=$(sed -n 's/^enomem_stats_module_loaded \([0-9]*\)$/\1/p' "$tf/enomem_stats.prom")
	mode=$(stat -c %a "$tf/enomem_stats.prom")
	left=$(ls -A "$tf")
	if [ "$loaded" = 1 ] && [ -n "$want" ] && [ "$got" = "$want" ] &&
	   [ "$mode" = 644 ] && [ "$left" = enomem_stats.prom ]; then
		ok "--prometheus --output writes the textfile from the live module (forks_failed $got)"
	else
		no "--prometheus --output writes the textfile from the live module"
		echo "# loaded=$loaded forks_failed=$got (proc: $want) mode=$mode files: $left"
	fi
else
	no "--prometheus --output writes the textfile"
	sed 's/^/# /' /tmp/pkg.out | head -n 5
fi
[ "$fails" -eq 0 ]
