#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# bench.sh ROUNDS: the guest half of "make bench".  Runs every workload under
# every mode (floor2 is the floor again: the A/A control), the modes alternating within each round (A B C D A B C D ...)
# so that drift of the emulated machine hits all modes alike; each round
# starts one mode later than the previous one, so no mode always runs
# right after a load or an unload.  Prints one
# "BENCH mode workload round ns_per_op" line per run; the host takes medians.
#
# Environment: BENCH_SCALE multiplies the iterations (default 1);
# BENCH_MODES overrides the mode list; BENCH_KO and BENCH_LOAD the paths.

rounds=${1:-7}
scale=${BENCH_SCALE:-1}
ko=${BENCH_KO:-/modules/enomem_stats.ko}
load=${BENCH_LOAD:-/benchload}
modes=${BENCH_MODES:-floor module ftrace floor2 module+log}
workloads=${BENCH_WORKLOADS:-fork thread spawn failfork mmap procread procref}
tr=/sys/kernel/tracing
[ -d /sys/fs/cgroup/pids ] && cg=/sys/fs/cgroup/pids/bench || cg=/sys/fs/cgroup/bench
# the fork entry point, newest name first (the module tries them alike)
for entry in kernel_clone _do_fork do_fork; do
	grep -q " [Tt] $entry\$" /proc/kallsyms && break
done

# iterations per timed run at scale 1 (about 0.5-1 s each under TCG on a
# 2-core host; bench/report.awk knows these numbers too)
iters() {
	case $1 in
	fork) n=100 ;; thread) n=300 ;; spawn) n=50 ;;
	mmap) n=2000 ;; failfork) n=500 ;; procread|procref) n=500 ;;
	esac
	echo $((n * scale))
}

setup() {
	case $1 in
	floor) ;;
	module) insmod $ko || echo "BENCH-ERROR insmod" ;;
	module+log) insmod $ko log=1 || echo "BENCH-ERROR insmod" ;;
	# diagnosis (BENCH_DIAG=1 on the host): the same module built with
	# probes left out, to find which probe costs what
	# the same module with the mapping probes on (maps=1)
	module-maps) insmod $ko maps=1 || echo "BENCH-ERROR insmod" ;;
	# without the probe every mmap() passes (do_mmap's max_map_count check)
	module-nocheck) insmod $ko mmap_check=0 || echo "BENCH-ERROR insmod" ;;
	module-*) insmod /modules/enomem_stats-${1#module-}.ko || echo "BENCH-ERROR insmod" ;;
	# BENCH_BASELINE: the module of an earlier commit
	rev-*) insmod /modules/enomem_stats-$1.ko || echo "BENCH-ERROR insmod" ;;
	ftrace)
		echo "r:enomem_bench $entry ret=\$retval" >> $tr/kprobe_events &&
		echo 1 > $tr/events/kprobes/enomem_bench/enable ||
			echo "BENCH-ERROR kprobe_events"
		;;
	esac
}

teardown() {	# mode round
	case $1 in
	module|module+log|module-*|rev-*)
		# which probes the workloads hit, once
		[ "$2" = "$rounds" ] && [ $1 = module ] &&
			sed -n 's/^/BENCH-HITS /p' /sys/kernel/debug/enomem_stats/probes
		rmmod enomem_stats
		;;
	ftrace)
		echo 0 > $tr/events/kprobes/enomem_bench/enable
		echo '-:enomem_bench' >> $tr/kprobe_events
		echo > $tr/trace
		;;
	esac
}

run() {	# mode workload round
	case $2 in
	failfork)
		# pids.max=1: the benchmark process itself fills the cgroup
		out=$(sh -c "echo \$\$ > $cg/cgroup.procs && exec $load failfork $(iters failfork)")
		;;
	procread)
		[ -e /proc/enomem_stats ] || return 0
		out=$($load procread $(iters procread))
		;;
	*)
		out=$($load "$2" $(iters "$2"))
		;;
	esac
	case $out in
	"ns_per_op "*"
batches "*)
		# the raw batches after the kept mean, for a second look
		first=${out%%
*}
		echo "BENCH $1 $2 $3 ${first#ns_per_op }"
		echo "BENCH-BATCHES $1 $2 $3 ${out#*batches }"
		;;
	*) echo "BENCH-ERROR $1 $2 $3 ${out:-no output}" ;;
	esac
}

# kB of the kernel's own memory pools, for the footprint of a load
meminfo() {
	awk '/^(MemFree|Slab|SUnreclaim|Percpu|VmallocUsed):/ { printf "%s=%s ", $1, $2 }' /proc/meminfo |
		tr -d :
}

[ -e $tr/kprobe_events ] || mount -t tracefs tracefs $tr 2>/dev/null
# 3.10 has no tracefs: the same files under debugfs
[ -e $tr/kprobe_events ] || tr=/sys/kernel/debug/tracing
echo "BENCH-PEER r:enomem_bench $entry ret=\$retval"
mkdir -p $cg && echo 1 > $cg/pids.max

# memory: what loading the module costs
sync
echo 3 > /proc/sys/vm/drop_caches
echo "BENCH-MEM before $(meminfo)"
insmod $ko
sleep 1
echo "BENCH-MEM after $(meminfo)"
echo "BENCH-MEM lsmod_size $(awk '$1 == "enomem_stats" { print $2 }' /proc/modules)"
sed -n 's/^# memory /BENCH-MEM /p' /sys/kernel/debug/enomem_stats/probes
sed -n 's/^/BENCH-PROBES /p' /sys/kernel/debug/enomem_stats/probes
sed 's/^/BENCH-KPROBES /' /sys/kernel/debug/kprobes/list 2>/dev/null
dmesg | sed -n 's/.*enomem_stats: watching fork failures (maxactive \([0-9]*\)[,)].*/BENCH-MEM maxactive \1/p' | tail -n 1
rmmod enomem_stats

set -- $modes
nmodes=$#
r=1
while [ $r -le "$rounds" ]; do
	# rotate: round r starts with mode number (r-1) mod nmodes
	i=0
	while [ $i -lt $nmodes ]; do
		set -- $modes
		shift $(( (r - 1 + i) % nmodes ))
		mode=$1
		setup $mode
		# let the deferred work of a load/unload (RCU, kworkers, text
		# patching) finish before timing; idle time costs nothing
		# under -icount sleep=off
		sleep 1
		for w in $workloads; do
			run $mode $w $r
		done
		teardown $mode $r
		i=$((i + 1))
	done
	r=$((r + 1))
done
echo "BENCH-DONE"
