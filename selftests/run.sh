#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# selftests/run.sh [--demo]
#
# "make check": for each Debian kernel, build enomem_stats.ko and the
# test-only injector against that kernel's headers, boot it under QEMU
# (software emulation, no KVM), run the guest tests, and judge the KTAP
# lines on the serial console; build the module once more through dkms;
# run the tools' unit tests.  Ends with exactly one line "N passed, N failed"
# and exits nonzero if anything failed.
#
# "make demo" (--demo): boot one kernel, provoke every reason once, show
# /proc/enomem_stats.
#
# Environment:
#   ENOMEM_KERNELS      kernels to test: Debian metapackages META[@SUITE], and
#                       "rhel7", RHEL 7.9's 3.10.0-1160.el7 from the test data
#                       in ../shared/kernels/rhel7 (default:
#                       linux-image-amd64@bullseye (5.10) linux-image-amd64 (6.1)
#                       linux-image-6.12-amd64 rhel7; set but empty: none,
#                       only the canary).  A kernel built with a newer gcc
#                       than this host's (sid's) is built in a private build
#                       root of its release (selftests/lib/build-root.sh)
#   ENOMEM_RHEL7_DIR    where the RHEL 7 kernel and kernel-devel tarball are
#                       (default ../shared/kernels/rhel7 beside the project);
#                       without them the 3.10 tier says so and counts nothing
#   ENOMEM_CANARY       kernels run as a canary after the others: reported on
#                       their own line, never counted (default:
#                       linux-image-amd64@sid, Debian's newest; empty: none)
#   ENOMEM_CANARY_RELOAD_CYCLES  the canary's load/unload cycles (default 0)
#   ENOMEM_DEMO_KERNEL  metapackage for --demo (default: linux-image-6.12-amd64)
#   ENOMEM_CACHE        download cache (default: ~/.cache/enomem-stats)
#   ENOMEM_WORK         build and log directory (default: $ENOMEM_CACHE/work)
#   ENOMEM_VM_TIMEOUT   seconds one VM may run (default: 540)
#   ENOMEM_NO_DKMS=1    skip the dkms builds (they are then not counted)
#   ENOMEM_NO_TOOLS_TESTS=1  skip tools/tests/run.sh (then not counted)
#   ENOMEM_NO_MATRIX=1  skip the compile matrix (selftests/lib/compile-matrix.sh;
#                       then not counted)
#   ENOMEM_NO_PACKAGES=1  skip building and checking the packages
#                       (packaging/; then not counted)
#   ENOMEM_NO_PIPELINE=1  skip the Prometheus pipeline test
#                       (selftests/pipeline; then not counted)
#   ENOMEM_DEBUG_CHECKS=1  add selftests/debug/guest-debug.sh ("make check-debug")
#   ENOMEM_VM_MEM       guest memory (default 512M)
#   ENOMEM_QEMU_ACCEL   QEMU accelerator (default tcg, multi-threaded;
#                       tcg,thread=single: all vCPUs on one host thread)
#   ENOMEM_QEMU_ARGS    extra QEMU arguments, appended; an "-accel" here
#                       replaces the rig's own (see selftests/lib/boot.sh)
#   ENOMEM_RELOAD_CYCLES  module load/unload cycles under fork storms, in a
#                       second VM per kernel (default 100; 0: no second VM)
#   ENOMEM_RELOAD_SECONDS  stop cycling after this long (default 900, a guard
#                       against a hang; 100 cycles took 6-8 minutes on
#                       5.10-6.12 here on 2026-12-06)
#   ENOMEM_RELOAD_BOOTS  how many such VMs per kernel (default 1)
#   ENOMEM_RELOAD_ACCEL  their accelerator (default tcg,thread=single: see
#                       "The reload VM" below)
set -u

top=$(cd "$(dirname "$0")/.." && pwd)
lib=$top/selftests/lib
cache=${ENOMEM_CACHE:-${HOME:-/root}/.cache/enomem-stats}
work=${ENOMEM_WORK:-$cache/work}
kernels=${ENOMEM_KERNELS-linux-image-amd64@bullseye linux-image-amd64 linux-image-6.12-amd64 rhel7}
canary=${ENOMEM_CANARY-linux-image-amd64@sid}
mode=run
case ${1:-} in
--demo)
	# Its own build directory: a demo may run while "make check" does.
	mode=demo
	kernels=${ENOMEM_DEMO_KERNEL:-linux-image-6.12-amd64}
	work=$work/demo
	;;
"") ;;
*) echo "usage: $0 [--demo]" >&2; exit 2 ;;
esac
export ENOMEM_CACHE=$cache

passed=0
failed=0
skipped=0
started=$(date +%s)

pass() { passed=$((passed + 1)); echo "ok - $*"; }
fail() { failed=$((failed + 1)); echo "not ok - $*"; }
now() { date +%s; }

mkdir -p "$work" || exit 1

# Host packages: installed with apt-get when missing (as root).
tools_ok=1
deps_opt=
[ "$mode" = run ] && [ -z "${ENOMEM_NO_DKMS:-}" ] && deps_opt=--dkms
if ! "$lib/install-deps.sh" $deps_opt; then
	fail "host packages for the VM tests are missing"
	tools_ok=
fi

# The guest helper is the same for every kernel: static, no libc in the VM.
testbin=$work/enomem_test
if gcc -static -std=gnu99 -Wall -Werror -O2 -pthread -o "$testbin" \
	"$top"/selftests/guest/*.c >"$work/enomem_test.log" 2>&1; then
	ntests=$("$testbin" count)
else
	cat "$work/enomem_test.log"
	fail "build guest test helper (selftests/guest)"
	testbin=
	ntests=1
fi

# The stress and abuse suite (selftests/stress): its results follow the others.
stressbin=$work/enomem_stress
if gcc -static -std=gnu99 -Wall -Werror -O2 -pthread -o "$stressbin" \
	"$top"/selftests/stress/*.c "$top"/selftests/guest/kmod.c \
	"$top"/selftests/guest/stats.c "$top"/selftests/guest/util.c \
	"$top"/selftests/guest/cgroup.c >"$work/enomem_stress.log" 2>&1; then
	ntests=$((ntests + $("$stressbin" count)))
else
	cat "$work/enomem_stress.log"
	fail "build stress suite (selftests/stress)"
	stressbin=
fi

# The debug kernel's own checks (make check-debug): the kernel's fault
# injection inside fork, kmemleak after rmmod, no KASAN/lockdep report.
debug_checks=
if [ -n "${ENOMEM_DEBUG_CHECKS:-}" ]; then
	debug_checks=$top/selftests/debug/guest-debug.sh
	ntests=$((ntests + $(sed -n 's/.*GUEST_DEBUG_TESTS=\([0-9]*\).*/\1/p' "$debug_checks" | head -n 1)))
fi

reload_cycles=${ENOMEM_RELOAD_CYCLES:-100}
reload_boots=${ENOMEM_RELOAD_BOOTS:-1}
nreload=0
if [ -n "$stressbin" ] && [ "$reload_cycles" -gt 0 ] && [ "$reload_boots" -gt 0 ]; then
	nreload=$("$stressbin" count-reload)
	[ -n "$debug_checks" ] && nreload=$((nreload + $(sed -n \
		's/.*GUEST_DEBUG_RELOAD_TESTS=\([0-9]*\).*/\1/p' "$debug_checks" | head -n 1)))
	nreload=$((nreload * reload_boots))
fi

# enomemstat and its in-guest checks, when the tools engineer's files exist.
guest_tool=
if [ -f "$top/tools/tests/guest.sh" ] && [ -f "$top/tools/Makefile" ]; then
	rm -rf "$work/tools" && cp -r "$top/tools" "$work/tools"
	# a host build's leftovers ("make -C tools": a dynamic binary, objects
	# that cp made as new as their sources) must not be linked in
	make -C "$work/tools" clean >/dev/null 2>&1
	if make -C "$work/tools" STATIC=1 enomemstat >"$work/tools.log" 2>&1 &&
	   [ -x "$work/tools/enomemstat" ]; then
		guest_tool="-- $top/tools/tests/guest.sh $work/tools/enomemstat"
		ntests=$((ntests + 1))
	else
		tail -n 20 "$work/tools.log"
		fail "build static enomemstat for the guest (tools/)"
	fi
fi

# The Prometheus pipeline test (selftests/pipeline): each guest writes two
# snapshots of enomemstat --prometheus, node_exporter and prometheus on this
# host take them from there.
pipeline=
if [ "$mode" = run ] && [ -z "${ENOMEM_NO_PIPELINE:-}" ] && [ -n "$guest_tool" ]; then
	pipeline=$top/selftests/pipeline
	: >"$work/pipeline.list"
fi

# The EL7 binary RPM's own enomemstat goes into every guest: a static binary
# built here must run on EL7's glibc 2.17, and the guest has no libc at all.
pkg_guest=
pkg_rpms=
if [ "$mode" = run ] && [ -z "${ENOMEM_NO_PACKAGES:-}" ] && [ -x "$top/packaging/rpm/build.sh" ]; then
	rm -rf "$work/rpm" && mkdir -p "$work/rpm/root"
	if "$top/packaging/rpm/build.sh" "$work/rpm" >"$work/rpm.log" 2>&1 &&
	   rpm=$(ls "$work"/rpm/enomem-stats-[0-9]*.x86_64.rpm) &&
	   (cd "$work/rpm/root" && rpm2cpio "$rpm" | cpio --quiet -idm ./usr/sbin/enomemstat) &&
	   [ -x "$work/rpm/root/usr/sbin/enomemstat" ]; then
		pkg_guest=$work/rpm/root/usr/sbin/enomemstat
		pkg_rpms=$work/rpm
		ntests=$((ntests + 1))
	else
		tail -n 20 "$work/rpm.log"
		fail "build the EL7 RPMs for the guest check (packaging/rpm/build.sh; log: $work/rpm.log)"
	fi
fi

# Phase 1: fetch and build for every kernel.  "meta kver root built" lines.
: >"$work/kernels"
for meta in $kernels; do
	t0=$(now)
	# "debug": the KASAN/kmemleak/lockdep kernel built from Debian's source.
	case $meta in
	debug) fetch="$top/selftests/debug/build-kernel.sh" ;;
	rhel7) fetch="$lib/fetch-rhel7.sh" ;;
	*) fetch="$lib/fetch-kernel.sh $meta" ;;
	esac
	line=$($fetch 2>"$work/fetch.err")
	st=$?
	if [ "$st" = 3 ]; then
		# A clone without the RHEL 7 test data: say so, count nothing.
		echo "# $meta: NOT RUN (not counted): $(cat "$work/fetch.err")"
		continue
	fi
	if [ "$st" != 0 ]; then
		cat "$work/fetch.err" >&2
		fail "$meta: fetch kernel and headers; its $ntests VM tests did not run"
		failed=$((failed + ntests - 1 + nreload))
		continue
	fi
	kver=${line%% *}
	root=${line#* }
	mkdir -p "$work/$kver"
	# A kernel newer than this host's compiler: built in a root of its release.
	broot=
	if want=$("$lib/kernel-cc.sh" --newer "$root/usr/src/linux-headers-$kver"); then
		suite=${meta#*@}
		[ "$suite" = "$meta" ] && suite=$(. /etc/os-release && echo "$VERSION_CODENAME")
		if ! broot=$("$lib/build-root.sh" "$suite" "$kver" 2>"$work/fetch.err"); then
			echo "# $meta: NOT RUN (not counted): $kver wants $want: $(tail -n 1 "$work/fetch.err")"
			continue
		fi
		sed 's/^/# /' "$work/fetch.err"
	fi
	t1=$(now)
	if "$lib/build-modules.sh" "$top" "$kver" "$root" "$work/$kver" ${broot:+"$broot"}; then
		pass "$kver: build enomem_stats.ko and enomem_inject.ko ($((t1 - t0)) s fetch${broot:+ and build root}, $(($(now) - t1)) s build)"
		echo "$meta $kver $root 1 ${broot:--}" >>"$work/kernels"
		# dkms runs the same clean before and after each build.
		if [ -n "$broot" ]; then
			clean="$lib/in-root.sh $broot $work/$kver make -C /usr/src/linux-headers-$kver"
		else
			cc=$("$lib/kernel-cc.sh" "$root/usr/src/linux-headers-$kver")
			clean="make -C $root/usr/src/linux-headers-$kver ${cc:+CC=$cc}"
		fi
		if $clean M="$work/$kver/src" clean \
			>"$work/$kver/clean.log" 2>&1 && [ ! -e "$work/$kver/src/enomem_stats.ko" ]; then
			pass "$kver: kbuild clean"
		else
			tail -n 5 "$work/$kver/clean.log" | sed 's/^/#   /'
			fail "$kver: kbuild clean (log: $work/$kver/clean.log)"
		fi
	else
		grep -m 1 '^# ' "$work/$kver/build.log"
		grep -m 1 'enomem_stats: cannot compile' "$work/$kver/build.log" | cut -c 1-200 | sed 's/^/# /'
		fail "$kver: build enomem_stats.ko and enomem_inject.ko (log: $work/$kver/build.log)"
		echo "$meta $kver $root 0 ${broot:--}" >>"$work/kernels"
	fi
done

# Phase 2, in the background while the VMs run: dkms builds, one kernel after
# the other.  A VM mostly keeps one host CPU busy, so this overlaps well.
dkms_pid=
if [ "$mode" = run ] && [ -z "${ENOMEM_NO_DKMS:-}" ]; then
	(
		while read -r meta kver root built broot; do
			# dkms would need a dkms of its own inside the build root
			if [ "$broot" != - ]; then
				echo "# $kver: dkms not run: built in a build root (not counted)"
				continue
			fi
			t0=$(now)
			if nice -n 10 "$lib/dkms-build.sh" "$top" "$kver" "$root" \
				"$work/$kver/dkms" 2>"$work/$kver/dkms.err"; then
				echo "ok - $kver: dkms build and install, into $(cat "$work/$kver/dkms/installed") ($(($(now) - t0)) s)"
			else
				echo "not ok - $kver: dkms build and install (log: $work/$kver/dkms/dkms.log)"
				sed 's/^/#   /' "$work/$kver/dkms.err"
			fi
		done <"$work/kernels"
	) >"$work/dkms.results" 2>&1 &
	dkms_pid=$!
fi

# The compile matrix (selftests/lib/compile-matrix.sh), in the background
# too: the module against Debian's 6.1 source under the debug kernel's
# config, a minimal one and ones without its optional features.
matrix_pid=
if [ "$mode" = run ] && [ -z "${ENOMEM_NO_MATRIX:-}" ]; then
	nice -n 10 "$lib/compile-matrix.sh" "$top" "$work/matrix" >"$work/matrix.results" 2>&1 &
	matrix_pid=$!
fi

# Phase 3: boot each kernel and judge its serial log.

# judge LOG LABEL EXPECT OUT: count the KTAP results of one VM's serial log
# (expecting EXPECT when it has no plan line); the details go to OUT.
judge() {
	awk -v label="$2" -v expect="$3" -f "$lib/ktap.awk" "$1" >"$4"
	grep -v '^RESULT ' "$4"
	set -- $(sed -n 's/^RESULT //p' "$4")
	passed=$((passed + ${1:-0}))
	failed=$((failed + ${2:-1}))
	skipped=$((skipped + ${3:-0}))
}

run_vm() { # kver root
	kver=$1
	root=$2
	out=$work/$kver
	# shellcheck disable=SC2086 # guest_tool is a word list on purpose
	if ! "$lib/mkinitramfs.sh" "$out/initrd.gz" "$top/selftests/guest/init" \
		"$testbin" "$out/enomem_inject.ko" "$out/enomem_stats.ko" $guest_tool; then
		fail "$kver: make initramfs; its $ntests tests did not run"
		failed=$((failed + ntests - 1 + nreload))
		return
	fi
	[ -n "$stressbin" ] && "$top/selftests/stress/pack.sh" "$out/initrd.gz" "$stressbin" \
		"$reload_cycles" "${ENOMEM_RELOAD_SECONDS:-900}"
	if [ -n "$pkg_guest" ]; then
		d=$(mktemp -d)
		mkdir "$d/pkg"
		cp "$pkg_guest" "$top/packaging/tests/guest.sh" "$d/pkg/"
		(cd "$d" && printf 'pkg\npkg/enomemstat\npkg/guest.sh\n' |
			cpio --quiet -o -H newc -R 0:0) | gzip >>"$out/initrd.gz"
		rm -rf "$d"
	fi
	if [ -n "$pipeline" ]; then
		d=$(mktemp -d)
		mkdir "$d/pipeline"
		cp "$pipeline/guest.sh" "$d/pipeline/"
		(cd "$d" && printf 'pipeline\npipeline/guest.sh\n' |
			cpio --quiet -o -H newc -R 0:0) | gzip >>"$out/initrd.gz"
		rm -rf "$d"
	fi
	if [ -n "$debug_checks" ]; then
		d=$(mktemp -d)
		cp "$debug_checks" "$d/guest-debug.sh"
		(cd "$d" && echo guest-debug.sh | cpio --quiet -o -H newc -R 0:0) | gzip >>"$out/initrd.gz"
		rm -rf "$d"
	fi
	log=$out/serial.log
	t0=$(now)
	"$lib/boot.sh" "$root/boot/vmlinuz-$kver" "$out/initrd.gz" "$log" "$mode"
	# A kernel that died before /init began (nothing of this project loaded
	# yet) boots once more, and says so: on QEMU's multi-threaded TCG, sid's
	# 7.2 oopsed on an int3 of its own boot-time text patching in 1 of 8
	# boots here (2026-12-06; the race of the reload VM's note below).
	if ! tr -d '\r' <"$log" | grep -q '^ENOMEM-SELFTEST-BEGIN'; then
		echo "# $kver: the kernel died before the suite began ($(tr -d '\r' <"$log" |
			grep -m 1 -E 'Oops|BUG:|panic' | cut -c 1-100)); booted once more; first log: $log.1"
		mv "$log" "$log.1"
		"$lib/boot.sh" "$root/boot/vmlinuz-$kver" "$out/initrd.gz" "$log" "$mode"
	fi
	t1=$(now)

	if [ "$mode" = demo ]; then
		tr -d '\r' <"$log" | sed -n 's/^DEMO: \{0,1\}//p'
		if tr -d '\r' <"$log" | grep -q '^ENOMEM-SELFTEST-END'; then
			pass "$kver: demo ran to its end ($((t1 - t0)) s in the VM)"
		else
			tr -d '\r' <"$log" | tail -n 30
			fail "$kver: demo did not reach its end (serial log: $log)"
		fi
		return
	fi

	judge "$log" "$kver" "$ntests" "$out/results.txt"
	echo "# $kver: VM $((t1 - t0)) s; serial log: $log"
	if [ -n "$pipeline" ]; then
		if "$pipeline/extract.sh" "$log" "$out/pipeline" 2>"$out/pipeline.err"; then
			echo "$kver $out/pipeline" >>"$work/pipeline.list"
		else
			fail "$kver: the guest's snapshots for the pipeline test: $(cat "$out/pipeline.err")"
		fi
	fi

	b=1
	while [ "$b" -le "$reload_boots" ] && [ "$nreload" -gt 0 ]; do
		run_reload "$kver" "$root" "$b"
		b=$((b + 1))
	done
}

# The reload VM: the stress suite's 100 load/unload cycles while fork storms
# run on every vCPU.  Not on QEMU's default multi-threaded TCG: there, arming
# kprobes on the fork path under a fork storm crashed the guest within
# seconds even without this module (the kernel's own kprobe events on the
# same eight functions: 6 of 6 boots of 6.1 and 6.12 oopsed, NULL RIP in
# clone3 or an int3 oops), likely because a vCPU keeps running translations
# of text another vCPU has just patched.  With one host thread for all vCPUs
# (still interleaved) the same control survived 4 of 4 boots.
run_reload() { # kver root n
	rkver=$1
	rn=$3
	rlog=$work/$rkver/reload.$rn.log
	t0=$(now)
	ENOMEM_QEMU_ACCEL=${ENOMEM_RELOAD_ACCEL:-tcg,thread=single} \
		ENOMEM_VM_TIMEOUT=$((${ENOMEM_RELOAD_SECONDS:-900} + 300)) \
		"$lib/boot.sh" "$2/boot/vmlinuz-$rkver" "$work/$rkver/initrd.gz" "$rlog" reload
	t1=$(now)
	judge "$rlog" "$rkver reload $rn" "$((nreload / reload_boots))" "$work/$rkver/reload.$rn.txt"
	echo "# $rkver: reload VM $rn: $((t1 - t0)) s; serial log: $rlog"
}

while read -r meta kver root built broot; do
	if [ "$built" != 1 ] || [ -z "$testbin" ] || [ -z "$tools_ok" ]; then
		fail "$kver: VM not booted; its $ntests tests did not run"
		failed=$((failed + ntests - 1 + nreload))
		continue
	fi
	[ "$mode" = demo ] && echo "# booting $kver under QEMU (software emulation, about a minute)..."
	run_vm "$kver" "$root"
done <"$work/kernels"

if [ -n "$dkms_pid" ]; then
	wait "$dkms_pid"
	cat "$work/dkms.results"
	passed=$((passed + $(grep -c '^ok - ' "$work/dkms.results")))
	failed=$((failed + $(grep -c '^not ok - ' "$work/dkms.results")))
fi

if [ -n "$matrix_pid" ]; then
	wait "$matrix_pid"
	cat "$work/matrix.results"
	passed=$((passed + $(grep -c '^ok - ' "$work/matrix.results")))
	failed=$((failed + $(grep -c '^not ok - ' "$work/matrix.results")))
fi

# host_suite NAME LABEL TIMEOUT SCRIPT [ARGS]: a host-side suite that ends
# with its own "N passed, N failed"; its lines are shown prefixed by LABEL
# and its count added.  A hung suite fails instead of hanging make check.
host_suite() {
	hs_name=$1 hs_label=$2 hs_limit=$3 hs_script=${4#"$top"/}
	shift 3
	timeout "$hs_limit" sh "$@" >"$work/$hs_name-tests.log" 2>&1
	sed "s/^/$hs_label: /" "$work/$hs_name-tests.log"
	summary=$(tail -n 1 "$work/$hs_name-tests.log")
	case $summary in
	*" passed, "*" failed")
		set -- $summary
		passed=$((passed + $1))
		failed=$((failed + $3))
		;;
	*) fail "$hs_script did not end with \"N passed, N failed\"" ;;
	esac
}

# The tools' unit tests run on the host and end with their own count.
if [ "$mode" = run ] && [ -z "${ENOMEM_NO_TOOLS_TESTS:-}" ] && [ -f "$top/tools/tests/run.sh" ]; then
	host_suite tools tools 600 "$top/tools/tests/run.sh"
fi

# The Prometheus pipeline, on the snapshots the guests wrote.
if [ -n "$pipeline" ] && [ -s "$work/pipeline.list" ]; then
	# shellcheck disable=SC2046 # "KVER DIR" pairs, no spaces
	host_suite pipeline pipeline 300 "$pipeline/run.sh" $(cat "$work/pipeline.list")
fi

# The packages (packaging/): build the RPMs and .debs, check their contents,
# scripts and units, run their dkms scriptlets in a private dkms tree.
# The RPMs built above for the guest check are not built again.
if [ "$mode" = run ] && [ -z "${ENOMEM_NO_PACKAGES:-}" ] && [ -f "$top/packaging/tests/run.sh" ]; then
	export ENOMEM_PKG_RPM_DIR=$pkg_rpms
	host_suite packaging packaging 1200 "$top/packaging/tests/run.sh" "$work"
fi

# The canary: Debian's newest kernel, so that an upstream API change shows the
# day Debian ships it.  Its result is reported, never counted.  It runs after
# everything else, so its reload VM (about 7 minutes) would add to the whole
# run's time: off unless ENOMEM_CANARY_RELOAD_CYCLES asks for it.
if [ "$mode" = run ] && [ -n "$canary" ]; then
	ENOMEM_RELOAD_CYCLES=${ENOMEM_CANARY_RELOAD_CYCLES:-0} \
	ENOMEM_KERNELS=$canary ENOMEM_CANARY= ENOMEM_NO_DKMS=1 ENOMEM_NO_TOOLS_TESTS=1 ENOMEM_NO_PACKAGES=1 ENOMEM_NO_MATRIX=1 \
		ENOMEM_NO_PIPELINE=1 ENOMEM_WORK=$work/canary "$0" >"$work/canary.log" 2>&1
	sed 's/^/canary: /' "$work/canary.log" | grep -E '^canary: (not ok|# )' | head -n 40
	kv=$(awk '{ print $2; exit }' "$work/canary/kernels" 2>/dev/null)
	echo "# CANARY ${kv:-$canary} (not counted): $(tail -n 1 "$work/canary.log")"
fi

echo "# $(($(now) - started)) s in all; work directory: $work"
[ "$skipped" -gt 0 ] && echo "# $skipped skipped (not counted)"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
