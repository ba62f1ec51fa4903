#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# bench/run.sh: "make bench".  What does enomem_stats cost a host?
#
# For each kernel: build enomem_stats.ko and the static workload program
# (bench/guest/benchload.c), boot the kernel ONCE under QEMU (software
# emulation, the test rig's selftests/lib helpers), and inside that boot run
# every workload in alternating modes, round after round (bench/guest/bench.sh):
#   floor       no module, no probe
#   floor2      the floor again: the A/A control, shows what "no difference" looks like
#   module      enomem_stats loaded, default parameters (event ring on)
#   module+log  enomem_stats loaded with log=1 (kernel log line too)
#   module-maps enomem_stats loaded with maps=1 (the mmap/mprotect/mremap return probes)
#   module-nocheck  enomem_stats loaded with mmap_check=0 (no probe on do_mmap's
#               vm.max_map_count check, the one mapping probe every mmap passes)
#   ftrace      the do-it-yourself alternative (the "peer"): one kretprobe
#               event on the fork entry (kernel_clone, _do_fork or do_fork)
#               with $retval, enabled, via kprobe_events
#   rev-REV     (BENCH_BASELINE) the module as built from git revision REV
# Then take per-round ratios to the floor, print medians and the noise, and
# write bench/results.md.  The numbers come from an emulated CPU: only the
# ratios measured inside one boot mean anything.
#
# Environment:
#   BENCH_KERNELS   kernels, one boot each (default "linux-image-6.12-amd64
#                   rhel7"): Debian metapackages (linux-image-amd64 is 6.1),
#                   and "rhel7", RHEL 7.9's 3.10.0-1160.el7 from the test
#                   data (selftests/lib/fetch-rhel7.sh; skipped, with a
#                   note, where that data is absent).  BENCH_KERNELS=rhel7
#                   runs 3.10 alone.
#   BENCH_BASELINE  git revisions (e.g. "HEAD~3 HEAD~1") whose module/ is
#                   built too and measured as a mode "rev-REV" in the same
#                   boot: what a change bought, side by side
#   BENCH_ROUNDS    rounds, each running every mode once (default 31: the
#                   thread rows sit within half a point of 1.01, and
#                   their rounds spread by about that much)
#   BENCH_MODES     the modes (default "floor module ftrace floor2 module+log
#                   module-maps"; keep floor and floor2)
#   BENCH_WORKLOADS a subset of the workloads (default all), e.g. "mmap thread"
#   BENCH_SCALE     multiplies every workload's iterations (default 2)
#   BENCH_OUT       the report (default bench/results.md; "-" for none)
#   BENCH_VM_TIMEOUT  seconds one VM may run (default 2400)
#   BENCH_BOOTS     boots per kernel before giving up when the VM dies before
#                   finishing (default 10: 3 of 4 6.12 boots died in one
#                   run, bench/results.md); the report counts the dead ones
#   BENCH_CLOCK     icount (default) or wall; see "Clock" below
#   BENCH_ASLR      1 leaves address-space randomization on in the guest
#                   (default 0, off: bench/guest/init says why)
#   BENCH_DIAG      variants of the module, built from private patched
#                   copies of module/ (the tree is not touched), each a mode
#                   and a column: "novm" without any commit probe, "forkonly"
#                   with only the fork entry probe, "kretvm" with the
#                   kretprobe on __vm_enough_memory instead of a failure-only
#                   probe, "noevent" recording no event (counters only) on a
#                   failed fork, "nopath" an event without its cgroup path
#                   (4.x+), "emptyfork" the bracket's two probes (or its
#                   probe and tracepoint) with handlers that return at once
#                   (what the kprobes core costs a fork), "kretfork" the fork entry's kretprobe
#                   instead of the bracket, "nosub" the fork entry's
#                   probes alone (every other probe absent), "noerrbranch"
#                   the bracket's end on the call's return even where the
#                   fork entry's error branch is found; BENCH_DIAG=1
#                   means "novm forkonly"
#   ENOMEM_CACHE, ENOMEM_WORK  as for selftests/run.sh
set -u

top=$(cd "$(dirname "$0")/.." && pwd)
lib=$top/selftests/lib
cache=${ENOMEM_CACHE:-$HOME/.cache/enomem-stats}
work=${ENOMEM_WORK:-$cache/work}/bench
kernels=${BENCH_KERNELS:-linux-image-6.12-amd64 rhel7}
baseline=${BENCH_BASELINE:-}
rounds=${BENCH_ROUNDS:-31}
scale=${BENCH_SCALE:-2}
report=${BENCH_OUT:-$top/bench/results.md}
vm_timeout=${BENCH_VM_TIMEOUT:-2400}
boots=${BENCH_BOOTS:-10}
clock=${BENCH_CLOCK:-icount}
aslr=${BENCH_ASLR:-0}
export ENOMEM_CACHE=$cache

die() { echo "bench: $*" >&2; exit 1; }

# Clock.  Under plain TCG the guest's clock follows the host's, so every
# other process on the host (a compile, another VM) lands in the timings:
# on a busy 2-core host the floor measured twice in a row differed by 10-30%.
# With "-icount shift=0,sleep=off" the guest's clock advances by 1 ns per
# emulated instruction instead, so a timing counts the instructions the
# guest executed (and the halted time until the next timer), whatever the
# host does.  That is the cost in CPU work, without any cache or pipeline
# effects (TCG models none either way).  The rig's boot.sh takes no extra
# QEMU arguments, so a wrapper named qemu-system-x86_64 ahead in PATH adds
# them; BENCH_CLOCK=wall runs QEMU exactly as the rig does.
case $clock in
icount)
	qemu=$(command -v qemu-system-x86_64) || die "no qemu-system-x86_64"
	mkdir -p "$work/qemu-icount"
	printf '#!/bin/sh\nexec %s "$@" -icount shift=0,sleep=off\n' "$qemu" \
		>"$work/qemu-icount/qemu-system-x86_64"
	chmod 755 "$work/qemu-icount/qemu-system-x86_64"
	;;
wall) ;;
*) die "BENCH_CLOCK must be icount or wall" ;;
esac

[ "$rounds" -ge 5 ] 2>/dev/null || die "BENCH_ROUNDS must be at least 5"
mkdir -p "$work" || exit 1
if [ -x "$lib/install-deps.sh" ]; then
	"$lib/install-deps.sh" || die "host packages for the VM are missing"
fi

load=$work/benchload
gcc -static -std=gnu99 -Wall -Werror -O2 -pthread -o "$load" \
	"$top/bench/guest/benchload.c" || die "build bench/guest/benchload.c"

# The per-kernel sections of the report, in boot order.
: >"$work/sections"
: >"$work/skipped"
nkernels=0
for meta in $kernels; do
	case $meta in
	rhel7)
		line=$("$lib/fetch-rhel7.sh")
		st=$?
		if [ "$st" = 3 ]; then
			echo "# rhel7: NOT MEASURED: the RHEL 7 test data is absent (see above)" >&2
			echo "rhel7 (3.10.0-1160.el7): not measured, its test data (ENOMEM_RHEL7_DIR) was absent" \
				>>"$work/skipped"
			continue
		fi
		[ "$st" = 0 ] || die "fetch $meta"
		;;
	*) line=$("$lib/fetch-kernel.sh" "$meta") || die "fetch $meta" ;;
	esac
	kver=${line%% *}
	root=${line#* }
	out=$work/$kver
	mkdir -p "$out"
	echo "# $kver: building enomem_stats.ko" >&2
	"$lib/build-modules.sh" "$top" "$kver" "$root" "$out" ||
		die "$kver: module build failed (log: $out/build.log)"
	kos=$out/enomem_stats.ko
	# floor and floor2 apart, each after another mode's teardown
	modes=${BENCH_MODES:-floor module ftrace floor2 module+log module-maps}
	diag=${BENCH_DIAG:-}
	[ "$diag" = 1 ] && diag="novm forkonly"
	if [ -n "$diag" ]; then
		# Variants: the probe table with symbols that do not exist, so
		# those probes register as "absent" (the load goes on without them).
		for v in $diag; do
			vt=$work/variant-$v
			rm -rf "$vt" && mkdir -p "$vt/selftests"
			cp -r "$top/Kbuild" "$top/module" "$vt/"
			cp -r "$top/selftests/inject" "$vt/selftests/"
			case $v in
			novm) sed -i -e 's/ENOMEM_SYMS("__vm_enough_memory")/ENOMEM_SYMS("enomem_bench_left_out")/' \
				-e 's/ENOMEM_SYMS("___ratelimit")/ENOMEM_SYMS("enomem_bench_left_out")/' \
				"$vt/module/probes.c" ;;
			kretvm) sed -i -e 's/vm_warn = enomem_text_calls(.*/vm_warn = false;/' \
				-e 's/enomem_text_errno_site("__vm_enough_memory", ENOMEM)/0/' \
				"$vt/module/sites.c" ;;
			forkonly) sed -i 's/ENOMEM_SYMS("[^)]*)/ENOMEM_SYMS("enomem_bench_left_out")/' \
				"$vt/module/probes.c" ;;
			noevent) sed -i 's/^\(\t*\)enomem_event_record(ctx, err, reason);/\1;/' \
				"$vt/module/fork.c" ;;
			nopath) sed -i 's/if (cgroup_path(cgrp, buf, len) < 0)/if (1)/' \
				"$vt/module/compat/cgroup.c" ;;
			emptyfork) sed -i -e 's/^\(\t*\)enomem_hit(ENOMEM_P_FORK_BEGIN);/&\n\1return 0;/' \
				-e 's/^\(\t*\)enomem_hit(ENOMEM_P_FORK_END);/&\n\1return 0;/' \
				-e 's/^\(\t*\)enomem_hit(ENOMEM_P_FORK_OK);/&\n\1return;/' \
				"$vt/module/fork.c" ;;
			nosub) sed -i '/ENOMEM_SYMS("copy_process")\|ENOMEM_SYMS("sched_process_fork")/!s/ENOMEM_SYMS("[^)]*)/ENOMEM_SYMS("enomem_bench_left_out")/' \
				"$vt/module/probes.c" ;;
			kretfork) sed -i 's/^bool enomem_bracket = true;/bool enomem_bracket = false;/' \
				"$vt/module/fork.c" ;;
			noerrbranch) sed -i 's/end->offset = enomem_text_err_branch(.*/end->offset = 0;/' \
				"$vt/module/fork.c" ;;
			*) die "BENCH_DIAG: no variant $v" ;;
			esac
			"$lib/build-modules.sh" "$vt" "$kver" "$root" "$out/$v" ||
				die "$kver: variant $v build failed (log: $out/$v/build.log)"
			cp "$out/$v/enomem_stats.ko" "$out/enomem_stats-$v.ko"
			kos="$kos $out/enomem_stats-$v.ko"
		done
		for v in $diag; do
			modes="$modes module-$v"
		done
	fi
	for rev in $baseline; do
		# the module of an earlier commit, for a before/after in one boot
		name=rev-$(git -C "$top" rev-parse --short "$rev") ||
			die "BENCH_BASELINE: no git revision $rev"
		vt=$work/variant-$name
		rm -rf "$vt" && mkdir -p "$vt/selftests"
		git -C "$top" archive "$rev" Kbuild module | tar -x -C "$vt" ||
			die "BENCH_BASELINE: cannot export $rev"
		cp -r "$top/selftests/inject" "$vt/selftests/"
		"$lib/build-modules.sh" "$vt" "$kver" "$root" "$out/$name" ||
			die "$kver: $name build failed (log: $out/$name/build.log)"
		cp "$out/$name/enomem_stats.ko" "$out/enomem_stats-$name.ko"
		kos="$kos $out/enomem_stats-$name.ko"
		modes="$modes $name"
	done

	# The rig's initramfs (busybox, /dev nodes, the module in /modules)
	# with the bench /init, plus a second archive appended: the kernel
	# unpacks concatenated initramfs archives in order.
	# shellcheck disable=SC2086 # kos is a list of paths without spaces
	"$lib/mkinitramfs.sh" "$out/initrd.base.gz" "$top/bench/guest/init" "$load" \
		$kos || die "$kver: initramfs"
	stage=$out/overlay
	rm -rf "$stage" && mkdir -p "$stage"
	cp "$top/bench/guest/bench.sh" "$stage/bench.sh"
	cp "$load" "$stage/benchload"

	# A boot that dies is booted again, up to BENCH_BOOTS times in all, and
	# the report says so: 6.12 boots under -icount die with garbage RFLAGS
	# in slab or maple tree code, also boots that never loaded the module
	# nor any probe (bench/results.md).
	#
	# The rounds a dying boot finished are kept: every comparison is made
	# within one round, so the next boot only runs the rounds still
	# missing, and its rounds are numbered on from the kept ones.
	log=$out/serial.log
	died=0
	kept=0
	: >"$out/bench.kept"
	while :; do
		left=$((rounds - kept))
		[ "$left" -ge 1 ] || left=1
		printf 'rounds=%s\nscale=%s\nmodes="%s"\nworkloads="%s"\naslr=%s\n' "$left" "$scale" "$modes" \
			"${BENCH_WORKLOADS:-}" "$aslr" >"$stage/bench.conf"
		cp "$out/initrd.base.gz" "$out/initrd.gz"
		(cd "$stage" && find . | LC_ALL=C sort | cpio --quiet -o -H newc -R 0:0) |
			gzip -9 >>"$out/initrd.gz" || die "$kver: initramfs overlay"
		echo "# $kver: booting under QEMU TCG (-smp 2, clock: $clock), $left rounds x modes ($modes) x 7 workloads; several minutes" >&2
		t0=$(date +%s)
		if [ "$clock" = icount ]; then
			PATH=$work/qemu-icount:$PATH "$lib/boot.sh" "$root/boot/vmlinuz-$kver" \
				"$out/initrd.gz" "$log" bench "$vm_timeout"
		else
			"$lib/boot.sh" "$root/boot/vmlinuz-$kver" "$out/initrd.gz" "$log" bench "$vm_timeout"
		fi
		t1=$(date +%s)
		tr -d '\r' <"$log" >"$out/bench.boot"
		grep '^BENCH-ERROR' "$out/bench.boot" >&2
		# this boot's timings, their rounds numbered on from the kept ones
		awk -v off="$kept" '/^BENCH / && NF == 5 && $5 ~ /^[0-9]+$/ {
			print $1, $2, $3, $4 + off, $5 }' "$out/bench.boot" >"$out/bench.new"
		if grep -q '^BENCH-DONE' "$out/bench.boot"; then
			{ cat "$out/bench.kept" "$out/bench.new"
			  grep -v '^BENCH ' "$out/bench.boot"; } >"$out/bench.log"
			break
		fi
		died=$((died + 1))
		cp "$log" "$out/serial.died-$died.log"
		cat "$out/bench.new" >>"$out/bench.kept"
		kept=$(awk 'NF == 5 && $4 > m { m = $4 } END { print m + 0 }' "$out/bench.kept")
		[ "$died" -lt "$boots" ] ||
			die "$kver: the VM did not finish the benchmark, $died boots (serial logs: $out/serial.died-*.log)"
		echo "# $kver: the VM died before finishing, $kept rounds kept (serial log: $out/serial.died-$died.log); booting again" >&2
	done

	awk -v kver="$kver" -v wall=$((t1 - t0)) -v clock="$clock" -v scale="$scale" \
		-v died="$died" -f "$top/bench/report.awk" "$out/bench.log" >"$out/section.md" ||
		die "$kver: report"
	cat "$out/section.md"
	echo "$out/section.md" >>"$work/sections"
	nkernels=$((nkernels + 1))
done

[ "$report" = - ] && exit 0
{
	cat <<EOF
# enomem_stats: what it costs

Written by \`make bench\` (bench/run.sh) on $(date -u +%Y-%m-%d) (UTC).

**Method.** One boot per kernel of the distribution's own kernel (Debian's; RHEL 7.9's 3.10.0-1160.el7) under QEMU $(qemu-system-x86_64 --version | sed -n 's/.*version \([^ ]*\).*/\1/p') in
software emulation (TCG, \`-cpu max -smp 2 -m 512M\`, no KVM) on a $(nproc)-CPU host, from the test
rig's initramfs. Inside that one boot, each round runs every workload once in every mode; the modes
alternate within the round (each round starting one mode later), so drift of the emulated machine and
load on the host hit all modes alike. Each cell is one timed loop of \`benchload\`
(bench/guest/benchload.c), after an untimed warm-up of an eighth of its length, pinned to vCPU 0
(children and threads too, so no operation waits for a wakeup on the other vCPU, whose idle time the
clock would count), and each mode starts after a 1 s pause so the deferred work of a load or unload
is done. The loop runs as 9 equal batches and the cell's time per operation is the mean of the 7
fastest: the kernel's deferred work (RCU callbacks freeing what earlier iterations used, a timer's
work) lands in bursts, and a burst in one batch moved a 6.12 mmap cell by up to 7% against the next
with the same work done; a cost of the module is paid by every operation inline, so it is in every
batch alike and dropping two batches cannot hide it (the log keeps every batch). Address-space
randomization is $( [ "$aslr" = 0 ] && echo 'off in the guest: with it on, the layout each process drew moved a floor cell of
3.10'"'"'s thread row by up to 14% and of 6.12'"'"'s mmap row by up to 24% against the next' || echo 'on in the guest (BENCH_ASLR=1)').
Per round, each mode's time is divided by the
floor's time of the same round; the table gives the **median of those per-round ratios**, and in
brackets their middle half (25th-75th percentile). \`floor2\` is the floor measured a second time
each round (an A/A control): its spread is what "no difference" looks like here.

**Clock: $( [ "$clock" = icount ] && echo 'emulated instructions' || echo 'wall time' ).** $( [ "$clock" = icount ] &&
echo 'QEMU ran with `-icount shift=0,sleep=off`: the guest clock advances 1 ns per emulated instruction, so a
"time" is the number of instructions the guest executed (plus halted time up to the next timer),
independent of the load on the host. Without it (BENCH_CLOCK=wall) the floor measured twice in a row
differed by 10-30% on this busy 2-core host, far above the 1% in question. An instruction count has
no cache, TLB or pipeline effects; TCG models none of them anyway.' ||
echo 'QEMU ran exactly as in the test rig; its clock follows the host, so load on the host is in the numbers.')

Modes:
- \`floor\`: module not loaded, no probes.
- \`module\`: \`insmod enomem_stats.ko\` with default parameters (the event ring is always on).
- \`module+log\`: \`insmod enomem_stats.ko log=1\` (the rate-limited kernel log line too).
- \`module-maps\`: \`insmod enomem_stats.ko maps=1\` (return probes on do_mmap, mprotect_fixup and
  the mremap syscall: the failed-mapping reasons beyond the commit limit).
- \`ftrace\` (the peer): the do-it-yourself alternative on any kernel, module not loaded:
  \`echo 'r:enomem_bench kernel_clone ret=\$retval' >> /sys/kernel/tracing/kprobe_events\` (3.10:
  \`do_fork\`, in /sys/kernel/debug/tracing) and the event enabled: one kretprobe on the fork entry that
  records the return value of every fork into the trace buffer, and nothing else.
- \`rev-REV\` (with BENCH_BASELINE only): the module as of git revision REV, default parameters.

Workloads: \`fork\` fork+_exit+waitpid; \`thread\` pthread_create+join; \`spawn\` posix_spawn
(vfork) of /bin/true + waitpid; \`mmap\` 1 MiB private writable mmap+munmap (passes
\`__vm_enough_memory\`); \`failfork\` a fork refused by a cgroup's pids.max=1 (EAGAIN): the
classification path; \`procread\` open+read+close of /proc/enomem_stats; \`procref\`
the same for /proc/vmstat (the yardstick for procread).

These are emulated-CPU numbers: absolute times under TCG say nothing about real hardware, and the
emulator's cost of a kprobe's int3/ftrace trampoline differs from a real CPU's. Only the ratios
within one boot are reported.

EOF
	while read -r f; do cat "$f"; done <"$work/sections"
	while read -r f; do printf '## Not measured\n\n%s\n\n' "$f"; done <"$work/skipped"
} >"$report"
echo "# wrote $report" >&2
