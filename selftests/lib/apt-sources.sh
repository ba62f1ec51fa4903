#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# apt-sources.sh SUITE
# apt-sources.sh --acquire
#
# SUITE: prints a one-line-style sources.list for another Debian release
# (bullseye, sid, ...), its archive URIs taken from this machine's own apt
# configuration (one-line sources.list and deb822 .sources alike, as apt
# itself parses them): a host behind a local mirror or cache fetches the
# other release from there too.  Nothing here names an archive.
# --acquire: prints apt's Acquire settings here (proxies, how Release files
# are checked), one apt.conf line each, for tools that run apt with a
# configuration of their own (mmdebstrap --aptopt); not the index targets
# (the same apt's defaults) nor settings without a value.
#
# Fails with one line on stderr when the configuration names no Debian archive.
set -eu

if [ "${1:-}" = --acquire ]; then
	apt-config dump Acquire |
		grep -v -E '^Acquire::(IndexTargets|Changelogs|CompressionTypes|cdrom)|^Acquire "|""' || true
	exit 0
fi
suite=${1:?usage: apt-sources.sh SUITE | --acquire}

# The host's release name tells its Debian entries apart when apt has no
# Release file for them yet (apt-get update never ran: no Origin, no Label).
codename=
[ -r /etc/os-release ] && codename=$(sed -n 's/^VERSION_CODENAME=//p' /etc/os-release | tr -d '"')

# Every "deb" entry's repository, suite and, where its Release file was
# fetched, Origin and Label; the second listing only has the fetched ones.
targets() {
	# shellcheck disable=SC2016 # $(FIELD) is apt's, not the shell's
	apt-get indextargets "$@" --format '$(REPO_URI) $(RELEASE) $(ORIGIN) $(LABEL)' \
		'Created-By: Packages' 2>/dev/null || true
}
uris=$( { targets --no-release-info; echo --; targets; } | awk -v host="$codename" '
	$1 == "--" { fetched = 1; next }
	!fetched { if (!(($1, $2) in seen)) { seen[$1, $2] = 1; order[n++] = $1 SUBSEP $2 }; next }
	{ origin[$1, $2] = $3; label[$1, $2] = $4 }
	END {
		for (i = 0; i < n; i++) {
			split(order[i], e, SUBSEP)
			o = origin[order[i]]
			l = label[order[i]]
			if (o != "") {
				# not Debian, or Debian debug symbols or ports
				if (o != "Debian" || (l != "Debian" && l != "Debian-Security")) continue
				kind = l == "Debian" ? "archive" : "security"
			} else if (e[2] ~ /-security$|\/updates$/) {
				kind = "security"
			} else if (host != "" && (e[2] == host || index(e[2], host "-") == 1)) {
				kind = "archive"
			} else {
				continue
			}
			# as sources.list is usually written (apt adds the slash)
			sub(/\/$/, "", e[1])
			if (!(kind in uri)) uri[kind] = e[1]
		}
		print uri["archive"], uri["security"]
	}')
archive=${uris% *}
security=${uris#* }

if [ -z "$archive" ]; then
	echo "apt-sources: this machine's apt configuration names no Debian archive (sources.list, sources.list.d/*.sources); add one to fetch Debian $suite" >&2
	exit 1
fi
echo "deb $archive $suite main"
case $suite in
sid|unstable|experimental|rc-buggy) ;;
*)
	if [ -n "$security" ]; then
		echo "deb $security $suite-security main"
	else
		echo "apt-sources: no Debian security archive in this machine's apt configuration; $suite without its security updates" >&2
	fi
	;;
esac
