#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# packaging/tests/run.sh [WORKDIR]
#
# Builds the EL7 RPMs and the Debian packages and checks them: names,
# versions, file lists, scriptlets, dependencies, the static enomemstat of
# the RPM, the packaged enomemstat run against tools/tests/fixtures, the very
# dkms commands of %post/postinst (private dkms tree, source tree and install
# tree: /var/lib/dkms, /usr/src and /lib/modules are never touched) against
# RHEL 7's kernel-devel tree and Debian's headers, the systemd units and the
# Prometheus rules.  Installs what it needs with apt-get.
#
# Prints "ok N - ..." / "not ok N - ..." (diagnostics as "# ..." lines),
# skipped checks as "ok N - ... # SKIP reason" (not counted), and last
# exactly one line "N passed, N failed".  Exit 0 when nothing failed.
#
# Works in WORKDIR/packaging (emptied first; without WORKDIR:
# ${TMPDIR:-/tmp}/enomem-stats-packaging); nothing else in WORKDIR is touched.
# Kernels are cached in $ENOMEM_CACHE (default ~/.cache/enomem-stats):
# the RHEL 7 tree in rhel7/, Debian's headers as selftests/lib/fetch-kernel.sh
# keeps them.  ENOMEM_PKG_DEBIAN_KERNEL (default linux-image-amd64) picks
# Debian's kernel; ENOMEM_PKG_NO_DKMS=1 skips the dkms builds.
# ENOMEM_PKG_RPM_DIR: a directory where rpm/build.sh has already built the
# RPMs (selftests/run.sh does, for its guest check); they are taken from
# there instead of being built again.

set -u
HERE=$(cd "$(dirname "$0")" && pwd)
PKG=$(dirname "$HERE")
TOP=$(dirname "$PKG")
. "$PKG/lib/common.sh"
# Only a directory of our own is emptied: WORKDIR/packaging.
if [ -n "${1:-}" ]; then W=$1/packaging; else W=${TMPDIR:-/tmp}/enomem-stats-packaging; fi
CACHE=${ENOMEM_CACHE:-$HOME/.cache/enomem-stats}
RHEL_TAR=${ENOMEM_RHEL7_DEVEL:-$TOP/../shared/kernels/rhel7/kernel-devel-3.10.0-1160.el7.x86_64.tar.xz}
RHEL_KVER=3.10.0-1160.el7.x86_64
FIX=$TOP/tools/tests/fixtures/base
UNIT=enomem-stats-textfile

rm -rf "$W"
mkdir -p "$W" || { echo "0 passed, 1 failed"; exit 1; }
W=$(cd "$W" && pwd)
LOG=$W/log
n=0 passed=0 failed=0 skipped=0

ok() { n=$((n + 1)); passed=$((passed + 1)); echo "ok $n - $1"; }
skip() { n=$((n + 1)); skipped=$((skipped + 1)); echo "ok $n - $1 # SKIP $2"; }
not_ok() {
	n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"
	shift
	for d in "$@"; do printf '%s\n' "$d" | sed 's/^/#   /'; done
}
# t NAME CMD...: ok when CMD succeeds; else its last output lines.
t() {
	name=$1; shift
	if "$@" >"$LOG" 2>&1; then ok "$name"; else not_ok "$name" "$(tail -n 15 "$LOG")"; fi
}
# same NAME EXPECTED ACTUAL: compare two texts (sorted lists, values).
same() {
	if [ "$2" = "$3" ]; then ok "$1"; else
		printf '%s\n' "$2" > "$W/expected"; printf '%s\n' "$3" > "$W/actual"
		not_ok "$1" "$(diff "$W/expected" "$W/actual" | head -n 20)"
	fi
}
# has NAME TEXT PATTERN...: every grep -E PATTERN is found in TEXT.
has() {
	name=$1 text=$2; shift 2
	for p in "$@"; do
		printf '%s\n' "$text" | grep -Eq -- "$p" || { not_ok "$name" "missing: $p"; return; }
	done
	ok "$name"
}
# lacks NAME TEXT PATTERN...: no grep -E PATTERN is found in TEXT.
lacks() {
	name=$1 text=$2; shift 2
	for p in "$@"; do
		printf '%s\n' "$text" | grep -Eq -- "$p" && { not_ok "$name" "found: $p"; return; }
	done
	ok "$name"
}

echo "KTAP version 1"
echo "# packaging tests in $W"

# ---------------------------------------------------------------- deps
for dep in "rpmbuild rpm" "rpm2cpio rpm" "cpio cpio" "musl-gcc musl-tools" \
	   "dpkg-buildpackage dpkg-dev" "dh debhelper" "dkms dkms" "file file" \
	   "readelf binutils" "xz xz-utils" "systemd-analyze systemd"; do
	set -- $dep
	need "$1" "$2" >"$LOG" 2>&1 || not_ok "install $2" "$(tail -n 5 "$LOG")"
done
need_file /usr/share/perl5/Debian/Debhelper/Sequence/dkms.pm dh-dkms >"$LOG" 2>&1 ||
	not_ok "install dh-dkms" "$(tail -n 5 "$LOG")"
have_rpmlint=1; need rpmlint rpmlint >"$LOG" 2>&1 || have_rpmlint=0
have_lintian=1; need lintian lintian >"$LOG" 2>&1 || have_lintian=0
have_promtool=1; need promtool prometheus >"$LOG" 2>&1 || have_promtool=0

VERSION=$(pkg_version "$TOP")
echo "# version (dkms.conf): $VERSION"

# ---------------------------------------------------------------- build
D=$W/dist
if [ -n "${ENOMEM_PKG_RPM_DIR:-}" ]; then
	t "rpm: build.sh built the SRPM, then both binary RPMs from it (in $ENOMEM_PKG_RPM_DIR)" \
		sh -c 'mkdir -p "$1" && cp "$2"/enomem-stats-*.rpm "$1/"' sh "$D" "$ENOMEM_PKG_RPM_DIR"
else
	t "rpm: build.sh builds the SRPM, then both binary RPMs from it" sh "$PKG/rpm/build.sh" "$D"
fi
t "deb: debian-build.sh builds both Debian packages" sh "$PKG/debian-build.sh" "$D"
SRPM=$D/enomem-stats-$VERSION-1.el7.src.rpm
RPM=$D/enomem-stats-$VERSION-1.el7.x86_64.rpm
DRPM=$D/enomem-stats-dkms-$VERSION-1.el7.noarch.rpm
DEB=$(ls "$D"/enomem-stats_"$VERSION"-1_*.deb 2>/dev/null | head -n 1)
DDEB=$D/enomem-stats-dkms_$VERSION-1_all.deb
echo "# built:"
(cd "$D" && ls -l ./*.rpm ./*.deb 2>/dev/null | awk '{ print "#   " $5 " " $9 }')

# ---------------------------------------------------------------- rpm
the_rpms() { [ -f "$SRPM" ] && [ -f "$RPM" ] && [ -f "$DRPM" ]; }
if the_rpms; then
	same "rpm: names, versions, releases, arches (version from dkms.conf)" \
		"enomem-stats $VERSION 1.el7 x86_64 gzip
enomem-stats $VERSION 1.el7 x86_64 gzip
enomem-stats-dkms $VERSION 1.el7 noarch gzip" \
		"$(for r in "$SRPM" "$RPM" "$DRPM"; do
			rpm -qp --qf '%{NAME} %{VERSION} %{RELEASE} %{ARCH} %{PAYLOADCOMPRESSOR}\n' "$r"
		done)"

	same "rpm: enomem-stats file list" \
		"/etc/sysconfig/enomem-stats
/usr/lib/systemd/system/$UNIT.service
/usr/lib/systemd/system/$UNIT.timer
/usr/sbin/enomemstat
/usr/share/doc/enomem-stats
/usr/share/doc/enomem-stats/README.md
/usr/share/doc/enomem-stats/examples
/usr/share/doc/enomem-stats/examples/enomem-stats.rules.yml
/usr/share/man/man8/enomemstat.8.gz" "$(rpm -qlp "$RPM" | sort)"
	same "rpm: /etc/sysconfig/enomem-stats is %config(noreplace)" \
		"/etc/sysconfig/enomem-stats" "$(rpm -qp --configfiles "$RPM")"

	# What lib/common.sh's stage() takes: the working tree's module files.
	srclist=$(cd "$TOP" && { printf '%s\n' Kbuild Makefile dkms.conf
		git ls-files -co --exclude-standard -- module | while read -r f; do
			[ -f "$f" ] && echo "$f"; done; } |
		sed "s#^#/usr/src/enomem-stats-$VERSION/#" | sort)
	same "rpm: enomem-stats-dkms ships Kbuild, Makefile, dkms.conf, module/ under /usr/src/enomem-stats-$VERSION" \
		"$srclist" "$(rpm -qlp "$DRPM" | grep '^/usr/src/' | while read -r f; do
			[ "$(rpm -qp --qf '[%{FILENAMES} %{FILEMODES:perms}\n]' "$DRPM" |
			     awk -v f="$f" '$1 == f { print substr($2, 1, 1) }')" = d ] || echo "$f"; done | sort)"
	same "rpm: enomem-stats-dkms ships the module examples, not active" \
		"/usr/share/doc/enomem-stats-dkms/examples/modprobe.d-enomem-stats.conf
/usr/share/doc/enomem-stats-dkms/examples/modules-load.d-enomem-stats.conf" \
		"$(rpm -qlp "$DRPM" | grep -v '^/usr/src' | grep '\.conf$' | sort)"

	same "rpm: enomem-stats-dkms requires dkms, kernel-devel, gcc, make" \
		"dkms gcc kernel-devel make" \
		"$(rpm -qp --requires "$DRPM" | grep -v '^rpmlib(\|^/bin/sh' | sort | tr '\n' ' ' | sed 's/ $//')"
	reqs=$(rpm -qp --requires "$RPM")
	lacks "rpm: enomem-stats needs no shared library (static enomemstat)" "$reqs" '\.so' 'libc'
	all_reqs=$(rpm -qp --requires "$SRPM" "$RPM" "$DRPM" | sed -n 's/^rpmlib(\([^)]*\)).*/\1/p' | sort -u)
	bad=$(printf '%s\n' "$all_reqs" | grep -Ev '^(CompressedFileNames|FileDigests|PayloadFilesHavePrefix|PayloadIsXz|PartialHardlinkSets|VersionedDependencies|ScriptletInterpreterArgs)$')
	same "rpm: only rpmlib features EL7's rpm 4.11 has (no zstd payload, no rich deps)" "" "$bad"

	scripts=$(rpm -qp --scripts "$DRPM")
	post=$(rpm -qp --qf '%{POSTIN}' "$DRPM")
	has "rpm: dkms %post adds, then builds and installs for the running kernel and /usr/src/kernels/*" "$post" \
		"^dkms add -m enomem-stats -v $VERSION" 'uname -r' '/usr/src/kernels' \
		"dkms build -m enomem-stats -v $VERSION -k \\\$k" "dkms install -m enomem-stats -v $VERSION -k \\\$k"
	has "rpm: dkms %preun removes all kernels' builds; %posttrans repairs a same-version reinstall" "$scripts" \
		"^preuninstall scriptlet" "dkms remove -m enomem-stats -v $VERSION --all" \
		"^posttrans scriptlet" "dkms status -m enomem-stats -v $VERSION"
	rscripts=$(rpm -qp --scripts "$RPM")
	has "rpm: enomem-stats scriptlets: preset, disable+stop on erase, try-restart on upgrade" "$rscripts" \
		"systemctl preset $UNIT.timer" "disable $UNIT.timer" "stop $UNIT.timer" \
		"try-restart $UNIT.timer" "daemon-reload"
	lacks "rpm: enomem-stats does not enable or start the timer itself" "$rscripts" \
		'systemctl (--[a-z-]+ )*enable' 'systemctl (--[a-z-]+ )*start'

	# The binary RPM's enomemstat: static, runs.
	R=$W/rpmroot
	mkdir -p "$R"
	(cd "$R" && rpm2cpio "$RPM" | cpio -idm --quiet && rpm2cpio "$DRPM" | cpio -idm --quiet) 2>"$LOG"
	B=$R/usr/sbin/enomemstat
	if [ -x "$B" ]; then
		info="$(file -L "$B"); $(readelf -d "$B" 2>&1 | head -n 2); $(readelf -lW "$B" | grep -c INTERP) INTERP"
		case $info in
		*"statically linked"*"no dynamic section"*"; 0 INTERP") ok "rpm: enomemstat is static (no NEEDED, no interpreter): runs on EL7's glibc 2.17" ;;
		*) not_ok "rpm: enomemstat is static (no NEEDED, no interpreter)" "$info" ;;
		esac
		has "rpm: the packaged enomemstat reads a fixture tree (--prometheus)" \
			"$("$B" --root "$FIX" --prometheus 2>&1)" \
			'^enomem_stats_module_loaded 1$' '^enomem_stats_fork_failures_total\{reason="pid_max"\} [0-9]+$'
	else
		not_ok "rpm: enomemstat is in the RPM payload" "$(cat "$LOG")"
	fi

	# The SRPM: the spec as EL7 sees it (no --with static: native gcc).
	mkdir -p "$W/srpm" && (cd "$W/srpm" && rpm2cpio "$SRPM" | cpio -idm --quiet)
	spec=$W/srpm/enomem-stats.spec
	if [ -f "$spec" ] && command -v rpmspec >/dev/null 2>&1; then
		parsed=$(rpmspec -P "$spec" 2>&1)
		has "srpm: spec Version is dkms.conf's; %build uses EL7's own gcc unless --with static" "$parsed" \
			"^Version: +$VERSION\$" '^make -C tools CC=gcc '
		lacks "srpm: the EL7 rebuild does not need musl-gcc" "$parsed" 'musl-gcc'
		has "srpm: --with static builds with musl-gcc" "$(rpmspec -P --with static "$spec" 2>&1)" \
			'^make -C tools CC=musl-gcc STATIC=1'
	else
		not_ok "srpm: holds enomem-stats.spec (rpmspec available)" "$(ls "$W/srpm")"
	fi
	same "spec in the repository: Version is dkms.conf's (build.sh sets it anyway)" "$VERSION" \
		"$(sed -n 's/^Version: *//p' "$PKG/rpm/enomem-stats.spec")"
	has "srpm: source tarball holds the module, tools and packaging files" \
		"$(tar -tzf "$W/srpm/enomem-stats-$VERSION.tar.gz" 2>&1)" \
		"enomem-stats-$VERSION/dkms.conf" "enomem-stats-$VERSION/module/main.c" \
		"enomem-stats-$VERSION/tools/Makefile" "enomem-stats-$VERSION/tools/enomemstat.8" \
		"enomem-stats-$VERSION/packaging/systemd/$UNIT.service"

	if [ $have_rpmlint = 1 ]; then
		rpmlint -r "$PKG/rpm/enomem-stats.rpmlintrc" "$SRPM" "$RPM" "$DRPM" >"$LOG" 2>&1
		summary=$(grep 'packages and' "$LOG")
		if grep -q ': E: ' "$LOG"; then
			not_ok "rpmlint: no errors (intended ones filtered by enomem-stats.rpmlintrc)" "$(grep ': E: ' "$LOG")"
		else
			ok "rpmlint: no errors (intended ones filtered by enomem-stats.rpmlintrc)"
		fi
		grep ': W: ' "$LOG" | sed 's/^/#   rpmlint /'
		echo "#   $summary"
	else
		skip "rpmlint: no errors" "rpmlint not installable"
	fi
else
	not_ok "rpm: all three RPMs are in $D" "$(ls "$D" 2>&1)"
fi

# ---------------------------------------------------------------- deb
the_debs() { [ -n "$DEB" ] && [ -f "$DEB" ] && [ -f "$DDEB" ]; }
if the_debs; then
	same "deb: names, versions, architectures" \
		"enomem-stats $VERSION-1 amd64
enomem-stats-dkms $VERSION-1 all" \
		"$(for d in "$DEB" "$DDEB"; do dpkg-deb -f "$d" Package Version Architecture | awk -F': ' '{ printf "%s%s", sep, $2; sep=" " } END { print "" }'; done)"
	same "deb: enomem-stats file list" \
		"./etc/default/enomem-stats
./lib/systemd/system/$UNIT.service
./lib/systemd/system/$UNIT.timer
./usr/sbin/enomemstat
./usr/share/doc/enomem-stats/README.md.gz
./usr/share/doc/enomem-stats/changelog.Debian.gz
./usr/share/doc/enomem-stats/copyright
./usr/share/doc/enomem-stats/examples/enomem-stats.rules.yml
./usr/share/man/man8/enomemstat.8.gz" \
		"$(dpkg-deb -c "$DEB" | awk '$1 !~ /^d/ { print $6 }' | sort)"
	same "deb: enomem-stats-dkms file list (the module source as for dkms, examples)" \
		"$( { printf '%s\n' "$srclist" | sed 's#^/#./#'
		      printf '%s\n' ./usr/share/doc/enomem-stats-dkms/README.md.gz \
			./usr/share/doc/enomem-stats-dkms/changelog.Debian.gz \
			./usr/share/doc/enomem-stats-dkms/copyright \
			./usr/share/doc/enomem-stats-dkms/examples/modprobe.d-enomem-stats.conf \
			./usr/share/doc/enomem-stats-dkms/examples/modules-load.d-enomem-stats.conf; } | sort)" \
		"$(dpkg-deb -c "$DDEB" | awk '$1 !~ /^d/ { print $6 }' | sort)"
	same "deb: /etc/default/enomem-stats is a conffile" "/etc/default/enomem-stats" \
		"$(dpkg-deb -I "$DEB" conffiles 2>&1)"
	has "deb: enomem-stats-dkms depends on dkms; enomem-stats on libc6 only" \
		"$(dpkg-deb -f "$DDEB" Depends; dpkg-deb -f "$DEB" Depends)" '^dkms( |$)' '^libc6 '
	mkdir -p "$W/debctl/dkms" "$W/debctl/reader"
	dpkg-deb -e "$DDEB" "$W/debctl/dkms"
	dpkg-deb -e "$DEB" "$W/debctl/reader"
	has "deb: dkms postinst runs dkms' common.postinst, prerm dkms remove --all" \
		"$(cat "$W/debctl/dkms/postinst" "$W/debctl/dkms/prerm")" \
		'for DKMS_POSTINST in /usr/lib/dkms/common.postinst' '\$DKMS_POSTINST \$DKMS_NAME \$DKMS_VERSION' \
		"^DKMS_NAME=enomem-stats\$" "^DKMS_VERSION=$VERSION\$" \
		'dkms remove -m \$DKMS_NAME -v \$DKMS_VERSION --all'
	rs=$(cat "$W/debctl/reader/postinst" "$W/debctl/reader/postrm" 2>/dev/null)
	has "deb: enomem-stats maintainer scripts track the timer (purge cleans up)" "$rs" \
		"update-state '$UNIT.timer'" "purge '$UNIT.timer'"
	# dh_installsystemd --no-enable --no-start: "enable" only re-creates the
	# links of an admin who had enabled it (inside "if ... was-enabled").
	lacks "deb: enomem-stats does not enable or start the timer on install" \
		"$rs
$(printf '%s\n' "$rs" | awk '/was-enabled/ { w = 1; next }
			/deb-systemd-helper enable/ && !w { print "UNCONDITIONAL-ENABLE" }
			/^[[:space:]]*fi/ { w = 0 }')" \
		'deb-systemd-invoke' 'UNCONDITIONAL-ENABLE'
	if [ $have_lintian = 1 ]; then
		lintian "$DEB" "$DDEB" >"$LOG" 2>&1
		if grep -q '^E: ' "$LOG"; then
			not_ok "lintian: no errors" "$(grep '^E: ' "$LOG")"
		else
			ok "lintian: no errors"
		fi
		grep '^W: ' "$LOG" | sed 's/^/#   lintian /'
	else
		skip "lintian: no errors" "lintian not installable"
	fi

	DR=$W/debroot
	dpkg -x "$DEB" "$DR" && dpkg -x "$DDEB" "$DR"
	B=$DR/usr/sbin/enomemstat
	out=$("$B" --root "$FIX" 2>&1); rc=$?
	if [ $rc = 0 ] && printf '%s\n' "$out" | grep -q 'pid_max'; then
		ok "deb: the packaged enomemstat reads a fixture tree (counter table)"
	else
		not_ok "deb: the packaged enomemstat reads a fixture tree (counter table)" "exit $rc" "$out"
	fi
	"$B" --root "$FIX" --prometheus >"$W/fixture.prom" 2>"$LOG"
	has "deb: enomemstat --prometheus prints the metrics the alert rules use" "$(cat "$W/fixture.prom")" \
		'^enomem_stats_module_loaded 1$' '^enomem_stats_fork_failures_total\{reason="[a-z_]+"\} [0-9]+$' \
		'^enomem_stats_missed_total [0-9]+$'
	if [ $have_promtool = 1 ]; then
		t "promtool check metrics: the textfile output is valid exposition format" \
			sh -c "promtool check metrics < '$W/fixture.prom'"
	else
		skip "promtool check metrics" "promtool (Debian package prometheus) not installable"
	fi
else
	not_ok "deb: both .debs are in $D" "$(ls "$D" 2>&1)"
	DR=
fi

# ---------------------------------------------------------------- systemd
SD=$PKG/systemd
directives=$(cat "$SD/$UNIT.service" "$SD/$UNIT.timer" | sed -n 's/^\([A-Za-z]*\)=.*/\1/p' | sort -u)
# Every directive here exists in systemd 219 (RHEL 7) as well as 252.
known219="Description Documentation After Before Wants Requires Type Environment EnvironmentFile
ExecStartPre ExecStart Nice IOSchedulingClass PrivateTmp PrivateNetwork PrivateDevices
ProtectSystem ProtectHome NoNewPrivileges OnBootSec OnUnitActiveSec AccuracySec WantedBy"
unknown=$(for d in $directives; do
	case " $(echo $known219) " in *" $d "*) ;; *) echo "$d" ;; esac; done)
same "systemd: the units use only directives systemd 219 (EL7) knows" "" "$unknown"
has "systemd: service is a oneshot writing \${TEXTFILE_DIR}/enomem_stats.prom via --output, directory from an EnvironmentFile" \
	"$(cat "$SD/$UNIT.service")" '^Type=oneshot$' \
	'^ExecStart=/usr/sbin/enomemstat --prometheus --output \$\{TEXTFILE_DIR\}/enomem_stats.prom$' \
	'^Environment=TEXTFILE_DIR=/var/lib/node_exporter/textfile_collector$' \
	'^EnvironmentFile=-/etc/default/enomem-stats$' '^EnvironmentFile=-/etc/sysconfig/enomem-stats$'
has "systemd: the EnvironmentFile example sets TEXTFILE_DIR" "$(cat "$PKG/examples/enomem-stats.default")" \
	'^TEXTFILE_DIR=/'
if [ -n "$DR" ] && [ -x "$DR/usr/sbin/enomemstat" ]; then
	U=$W/units
	mkdir -p "$U"
	sed "s#/usr/sbin/enomemstat#$DR/usr/sbin/enomemstat#" "$SD/$UNIT.service" > "$U/$UNIT.service"
	cp "$SD/$UNIT.timer" "$U/"
	# systemd-analyze checks ExecStart's binary and Documentation's man page:
	# the packaged ones.  Any message fails the check.
	t "systemd-analyze verify: service and timer (ExecStart, man page: the packaged ones)" \
		sh -c "cd '$U' && MANPATH='$DR/usr/share/man' systemd-analyze verify ./$UNIT.timer ./$UNIT.service 2>&1 | \
			{ ! grep .; }"
	if "$DR/usr/sbin/enomemstat" --help 2>&1 | grep -q -- '--output'; then
		# Run the service's commands as systemd would, with the fixture.
		tf=$W/textfile/sub
		pre=$(sed -n 's/^ExecStartPre=//p' "$SD/$UNIT.service" | sed "s#\${TEXTFILE_DIR}#$tf#g")
		cmd=$(sed -n 's/^ExecStart=//p' "$SD/$UNIT.service" |
			sed "s#\${TEXTFILE_DIR}#$tf#g; s#^/usr/sbin/enomemstat#$DR/usr/sbin/enomemstat --root $FIX#")
		if $pre && $cmd >"$LOG" 2>&1 && [ "$(ls -A "$tf")" = enomem_stats.prom ] &&
		   cmp -s "$tf/enomem_stats.prom" "$W/fixture.prom"; then
			ok "systemd: the service's ExecStartPre+ExecStart write enomem_stats.prom (and nothing else) into TEXTFILE_DIR"
		else
			not_ok "systemd: the service's ExecStartPre+ExecStart write enomem_stats.prom into TEXTFILE_DIR" \
				"$pre; $cmd" "$(cat "$LOG")" "$(ls -A "$tf" 2>&1)"
		fi
	else
		skip "systemd: the service's commands write enomem_stats.prom into TEXTFILE_DIR" \
			"enomemstat --help does not mention --output yet"
	fi
else
	skip "systemd-analyze verify" "no packaged enomemstat (deb build failed)"
fi

# ---------------------------------------------------------------- prometheus
if [ $have_promtool = 1 ]; then
	t "promtool check rules packaging/prometheus/enomem-stats.rules.yml" \
		promtool check rules "$PKG/prometheus/enomem-stats.rules.yml"
	t "promtool test rules: ForkFailures fires on one increase of a reason in 5 min" \
		sh -c "cd '$PKG/prometheus' && promtool test rules enomem-stats.rules.test.yml"
else
	skip "promtool check rules" "promtool (Debian package prometheus) not installable"
fi

# ---------------------------------------------------------------- dkms
# A private dkms: its own dkms tree, source tree (the package payload) and
# install tree; no depmod.  "dkms" and "uname -r" in the scriptlets find
# these wrappers first on PATH.
# fakekernel DIR KVER KSRC SRC [OSREL]: DIR/bin/{dkms,uname},
# DIR/lib/modules/KVER/build.  With OSREL, dkms runs in a private mount
# namespace where that file is /etc/os-release: dkms picks the install
# directory by distribution (/extra on RHEL), so it acts as on EL7.
fakekernel() {
	fk=$1 kv=$2 ksrc=$3 src=$4 osrel=${5:-}
	run=
	[ -n "$osrel" ] && run="unshare -m sh -c 'mount --bind \"\$0\" /etc/os-release && exec \"\$@\"' $osrel"
	mkdir -p "$fk/bin" "$fk/tree" "$fk/lib/modules/$kv" "$fk/kernels"
	ln -sfn "$ksrc" "$fk/lib/modules/$kv/build"
	ln -sfn "$ksrc" "$fk/kernels/$kv"
	cat > "$fk/bin/dkms" <<-EOF
	#!/bin/sh
	k=; prev=
	for a; do [ "\$prev" = -k ] && k=\$a; prev=\$a; done
	[ -n "\$k" ] && set -- "\$@" --kernelsourcedir "$fk/kernels/\$k"
	echo "+ dkms \$*" >> "$fk/dkms.calls"
	exec $run $(command -v dkms) --dkmstree "$fk/tree" --sourcetree "$src" \
		--installtree "$fk/lib/modules" --no-depmod "\$@"
	EOF
	cat > "$fk/bin/uname" <<-EOF
	#!/bin/sh
	[ "\$1" = -r ] && { echo "$kv"; exit 0; }
	exec $(command -v uname) "\$@"
	EOF
	chmod +x "$fk/bin/dkms" "$fk/bin/uname"
}
# would_sign KVER: dkms would sign with a key it creates in /var/lib/dkms.
would_sign() {
	ls /usr/lib/linux-kbuild-*/scripts/sign-file "/lib/modules/$1/build/scripts/sign-file" \
		>/dev/null 2>&1
}
# check_ko NAME FK KVER [DEST]: the module is installed for KVER where dkms
# puts it (DEST: /updates/dkms on Debian, /extra on EL7), with KVER's vermagic.
check_ko() {
	dest=${4:-/updates/dkms}
	ko=$(find "$2/lib/modules/$3" -name 'enomem_stats.ko*' 2>/dev/null | head -n 1)
	case $ko in
	*.xz) vm=$(xz -dc "$ko" | strings | sed -n 's/^vermagic=//p') ;;
	?*) vm=$(strings "$ko" | sed -n 's/^vermagic=//p') ;;
	*) vm= ;;
	esac
	case "${ko#"$2/lib/modules/$3"}|$vm" in
	"$dest/enomem_stats.ko"*"|$3 "*) ok "$1" ;;
	*) not_ok "$1" "module: ${ko:-none}" "vermagic: $vm" "$(tail -n 20 "$2/out" 2>/dev/null)" \
		"$(cat "$2"/tree/enomem-stats/*/"$3"/*/log/make.log 2>/dev/null | tail -n 20)" ;;
	esac
}

rhel7_tree() {
	dir=$CACHE/rhel7
	[ -f "$dir/.complete" ] && [ -d "$dir/$RHEL_KVER" ] && { echo "$dir/$RHEL_KVER"; return; }
	[ -f "$RHEL_TAR" ] || return 1
	rm -rf "$dir.tmp" && mkdir -p "$dir.tmp" &&
		tar -xJf "$RHEL_TAR" -C "$dir.tmp" && [ -d "$dir.tmp/$RHEL_KVER" ] || return 1
	rm -rf "$dir" && mv "$dir.tmp" "$dir" && touch "$dir/.complete" && echo "$dir/$RHEL_KVER"
}

if [ "${ENOMEM_PKG_NO_DKMS:-}" = 1 ]; then
	skip "dkms: the RPM's %post against RHEL 7's kernel-devel" "ENOMEM_PKG_NO_DKMS=1"
	skip "dkms: the .deb's postinst against Debian's headers" "ENOMEM_PKG_NO_DKMS=1"
else
	# (a) RHEL 7: the RPM's own %post / %preun text, /usr/src/kernels -> ours.
	if ! the_rpms; then
		skip "dkms: the RPM's %post against RHEL 7's kernel-devel" "no RPMs"
	elif ! ksrc=$(rhel7_tree 2>"$LOG"); then
		skip "dkms: the RPM's %post against RHEL 7's kernel-devel" "no RHEL 7 tree ($RHEL_TAR): $(tail -n 2 "$LOG")"
	elif would_sign "$RHEL_KVER"; then
		skip "dkms: the RPM's %post against RHEL 7's kernel-devel" "this host's dkms would sign with a key in /var/lib/dkms"
	else
		fk=$W/dkms-rhel7
		printf '%s\n' 'NAME="CentOS Linux"' 'ID="centos"' 'ID_LIKE="rhel fedora"' \
			'VERSION_ID="7"' >"$W/os-release.el7"
		fakekernel "$fk" "$RHEL_KVER" "$ksrc" "$R/usr/src" "$W/os-release.el7"
		rpm -qp --qf '%{POSTIN}' "$DRPM" | sed "s#/usr/src/kernels#$fk/kernels#g; s#/lib/modules#$fk/lib/modules#g" > "$fk/post.sh"
		rpm -qp --qf '%{PREUN}' "$DRPM" > "$fk/preun.sh"
		rpm -qp --qf '%{POSTTRANS}' "$DRPM" | sed "s#/usr/src/kernels#$fk/kernels#g; s#/lib/modules#$fk/lib/modules#g" > "$fk/posttrans.sh"
		PATH=$fk/bin:$PATH sh "$fk/post.sh" 1 >"$fk/out" 2>&1
		check_ko "dkms: the RPM's %post builds and installs the module for $RHEL_KVER into /extra, as on EL7 (kernel-devel tree)" "$fk" "$RHEL_KVER" /extra
		PATH=$fk/bin:$PATH sh "$fk/posttrans.sh" >>"$fk/out" 2>&1
		calls=$(grep -c ' build ' "$fk/dkms.calls")
		same "dkms: %posttrans leaves an installed module alone (one build)" 1 "$calls"
		PATH=$fk/bin:$PATH sh "$fk/preun.sh" 0 >>"$fk/out" 2>&1
		left=$(find "$fk/lib/modules" -name 'enomem_stats.ko*'; ls "$fk/tree/enomem-stats" 2>/dev/null)
		same "dkms: the RPM's %preun removes the module and the dkms registration" "" "$left"
		PATH=$fk/bin:$PATH sh "$fk/posttrans.sh" >>"$fk/out" 2>&1
		check_ko "dkms: %posttrans after a same-version reinstall's %preun brings the module back" "$fk" "$RHEL_KVER" /extra
	fi

	# (b) Debian: the .deb's postinst, through dkms' own common.postinst.
	if ! the_debs; then
		skip "dkms: the .deb's postinst against Debian's headers" "no .debs"
	elif ! kk=$(sh "$TOP/selftests/lib/fetch-kernel.sh" "${ENOMEM_PKG_DEBIAN_KERNEL:-linux-image-amd64}" 2>"$LOG"); then
		skip "dkms: the .deb's postinst against Debian's headers" "fetch-kernel.sh failed: $(tail -n 2 "$LOG")"
	elif would_sign "${kk% *}" || [ ! -f /usr/lib/dkms/common.postinst ]; then
		skip "dkms: the .deb's postinst against Debian's headers" "this host's dkms would sign with a key in /var/lib/dkms, or has no common.postinst"
	else
		kv=${kk% *} kroot=${kk#* }
		fk=$W/dkms-debian
		fakekernel "$fk" "$kv" "$kroot/usr/src/linux-headers-$kv" "$DR/usr/src"
		# Without debconf: common.postinst only sources its confmodule
		# (no db_ calls), and that would lock the host's debconf
		# database, which any apt-get running beside this test holds.
		sed "s#/lib/modules#$fk/lib/modules#g; s#/var/lib/dkms#$fk/tree#g; s#/usr/src/#$DR/usr/src/#g; s#/boot/#$fk/boot/#g
		     /confmodule/d" \
			/usr/lib/dkms/common.postinst > "$fk/common.postinst"
		grep -q 'db_' "$fk/common.postinst" &&
			echo "# note: common.postinst uses debconf now (db_ calls); the test runs it without" >&2
		sed "s#/usr/lib/dkms/common.postinst#$fk/common.postinst#" "$W/debctl/dkms/postinst" > "$fk/postinst"
		chmod +x "$fk/common.postinst"
		PATH=$fk/bin:$PATH sh "$fk/postinst" configure >"$fk/out" 2>&1
		check_ko "dkms: the .deb's postinst (dkms' common.postinst) builds and installs the module for $kv" "$fk" "$kv"
		PATH=$fk/bin:$PATH sh "$W/debctl/dkms/prerm" remove >>"$fk/out" 2>&1
		left=$(find "$fk/lib/modules" -name 'enomem_stats.ko*'; ls "$fk/tree/enomem-stats" 2>/dev/null)
		same "dkms: the .deb's prerm removes the module and the dkms registration" "" "$left"
	fi
fi

echo "1..$n"
[ $skipped -gt 0 ] && echo "# $skipped skipped (not counted)"
echo "$passed passed, $failed failed"
[ $failed = 0 ]
