#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# bench.sh ROUNDS: the guest half of "make bench".  Runs every workload under
# every mode, the modes alternating within each round (A B C D A B C D ...)
# so that drift of the emulated machine hits all modes alike.  Prints one
# "BENCH mode workload round ns_per_op" line per run; the host takes medians.

rounds=${1:-7}
ko=/enomem_stats.ko
tr=/sys/kernel/tracing
cg=/sys/fs/cgroup/bench

# iterations per timed run, sized for ~0.2-0.5 s each under TCG
iters() {
	case $1 in
	fork) echo 300 ;; thread) echo 1000 ;; spawn) echo 200 ;;
	mmap) echo 5000 ;; failfork) echo 2000 ;; procread) echo 1000 ;;
	esac
}

setup() {
	case $1 in
	floor) ;;
	module) insmod $ko || echo "BENCH-ERROR insmod" ;;
	module+log) insmod $ko log=1 || echo "BENCH-ERROR insmod" ;;
	ftrace)
		echo 'r:enomem_bench kernel_clone ret=$retval' >> $tr/kprobe_events &&
		echo 1 > $tr/events/kprobes/enomem_bench/enable ||
			echo "BENCH-ERROR kprobe_events"
		;;
	esac
}

teardown() {
	case $1 in
	module|module+log) rmmod enomem_stats ;;
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
		out=$(sh -c "echo \$\$ > $cg/cgroup.procs && exec /benchload failfork $(iters failfork)")
		;;
	procread)
		[ -e /proc/enomem_stats ] || return 0
		out=$(/benchload procread $(iters procread))
		;;
	*)
		out=$(/benchload "$2" $(iters "$2"))
		;;
	esac
	echo "BENCH $1 $2 $3 ${out#ns_per_op }"
}

mountpoint -q $tr || mount -t tracefs tracefs $tr
mkdir -p $cg && echo 1 > $cg/pids.max

# memory: what loading the module costs
insmod $ko
echo "BENCH-MEM lsmod_size $(awk '$1 == "enomem_stats" { print $2 }' /proc/modules)"
sed -n 's/^# memory /BENCH-MEM /p' /sys/kernel/debug/enomem_stats/probes
rmmod enomem_stats

r=1
while [ $r -le "$rounds" ]; do
	for mode in floor module module+log ftrace; do
		setup $mode
		for w in fork thread spawn mmap failfork procread; do
			run $mode $w $r
		done
		teardown $mode
	done
	r=$((r + 1))
done
echo "BENCH-DONE"
