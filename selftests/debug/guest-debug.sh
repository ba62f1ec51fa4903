#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# guest-debug.sh [FIRST]
# guest-debug.sh --reload-begin
# guest-debug.sh --reload-end [FIRST]
#
# Deeper checks for the debug kernel built by build-kernel.sh (KASAN, kmemleak,
# lockdep, fault injection).  Runs inside the guest (busybox sh) after the
# normal tests, with enomem_stats loaded, as root.  Prints KTAP result lines
# "ok N - name" / "not ok N - name" (no plan), numbered from FIRST (default
# 1), with "# ..." diagnostics; the last line is "# guest-debug: next N".
# Always exactly GUEST_DEBUG_TESTS=6 results (a check the kernel cannot make
# is "ok N - name # SKIP why").
#
#   failslab / fail_page_alloc / fail-nth: the kernel's own fault injection
#     fails one allocation inside fork(); fork must fail with ENOMEM and
#     /proc/enomem_stats must count exactly those forks as "slab" and nothing
#     else.  Different "space" budgets, and a fail-nth sweep over every
#     allocation, fail different allocations inside copy_process(), so the
#     error paths after alloc_pid(), copy_mm() etc. are walked too.
#   kmemleak: rmmod enomem_stats, scan twice, no leak allocated by the module.
#   dmesg: no KASAN, lockdep, might_sleep or WARNING report since boot.
#
# This rmmods enomem_stats: run it last.
#
# Around the stress suite's load/unload cycles (the reload VM, see
# selftests/run.sh): --reload-begin marks what kmemleak already knows as
# reported; --reload-end prints GUEST_DEBUG_RELOAD_TESTS=3 results: no
# kmemleak report from the module after all the cycles (a leak per load or
# per event shows up a hundred times), and the kernel log checks below.

mode=full
case ${1:-} in
--reload-begin) mode=begin ;;
--reload-end) mode=end; shift ;;
esac
n=$(( ${1:-1} - 1 ))
DBG=/sys/kernel/debug
STATS=/proc/enomem_stats
MOD=enomem_stats

ok()    { n=$((n + 1)); echo "ok $n - $1"; }
notok() { n=$((n + 1)); echo "not ok $n - $1"; }
skip()  { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }
diag()  { sed 's/^/# /'; }
# result COND NAME: COND is 0 for pass
result() { if [ "$1" = 0 ]; then ok "$2"; else notok "$2"; fi; }

grep -qs " $DBG debugfs" /proc/mounts || mount -t debugfs debugfs $DBG 2>/dev/null

# ---- /proc/enomem_stats snapshots ------------------------------------------

# stats_read PREFIX: sets PREFIX_name=value for every line; also PREFIX_names.
stats_read() {
	_names=""
	while read -r _k _v; do
		case $_k in *[!a-z0-9_]*|'') continue ;; esac
		case $_v in *[!0-9]*|'') continue ;; esac
		eval "$1_$_k=$_v"
		_names="$_names $_k"
	done <$STATS
	eval "$1_names=\"$_names\""
}

# stats_delta_ok A B WANT_SLAB: every counter's B-A is 0, except fork_failed,
# fork_enomem and slab, which must be WANT_SLAB.  Prints the deltas that differ.
stats_delta_ok() {
	_rc=0
	eval "_names=\$$2_names"
	[ -n "$_names" ] || { echo "# could not read $STATS"; return 1; }
	for _k in $_names; do
		eval "_d=\$(( \${$2_$_k:-0} - \${$1_$_k:-0} ))"
		case $_k in
		fork_failed|fork_enomem|slab) _want=$3 ;;
		*) _want=0 ;;
		esac
		if [ "$_d" != "$_want" ]; then
			echo "# $_k went up by $_d, expected $_want"
			_rc=1
		fi
	done
	return $_rc
}

# ---- (a) fault injection inside fork ----------------------------------------

# One forking child with make-it-fail set: the shell sets its own flag, then
# forks a subshell (a builtin, so no path lookup allocates first).  The child
# inherits the flag, which does not matter: "times" is 1.
FORKER='echo 1 >/proc/self/make-it-fail && ( exit 0 ); echo forked'

# inject_forks DIR NAME SPACES...: one try per "space" budget.
inject_forks() {
	_dir=$1 _name=$2
	shift 2
	if [ ! -d "$_dir" ] || [ ! -e /proc/self/make-it-fail ]; then
		skip "$_name" "no $_dir (kernel without fault injection)"
		return
	fi
	if [ ! -r $STATS ]; then
		notok "$_name"
		echo "# $STATS missing: is $MOD loaded?"
		return
	fi
	echo N >"$_dir/ignore-gfp-wait"
	[ -e "$_dir/ignore-gfp-highmem" ] && echo N >"$_dir/ignore-gfp-highmem"
	[ -e "$_dir/min-order" ] && echo 0 >"$_dir/min-order"
	echo Y >"$_dir/task-filter"
	echo 1 >"$_dir/interval"
	echo 1 >"$_dir/verbose"
	echo 100 >"$_dir/probability"

	_failed=0 _bad=0 _missed=0
	stats_read before
	for _space in "$@"; do
		echo "$_space" >"$_dir/space"
		echo 1 >"$_dir/times"
		_out=$( { sh -c "$FORKER"; echo "rc=$?"; } 2>&1 )
		_left=$(cat "$_dir/times")
		echo 0 >"$_dir/times"
		case $_out in
		*"can't fork: Out of memory"*|*"can't fork: Cannot allocate memory"*)
			_failed=$((_failed + 1)) ;;
		*"can't fork"*)
			_bad=$((_bad + 1))
			echo "space=$_space: fork failed with another errno: $_out" | diag ;;
		*forked*)
			# The fork succeeded; the injected failure (if any) hit
			# something else (the child's exit, a pipe write).
			[ "$_left" = 1 ] && _missed=$((_missed + 1)) ;;
		*)
			echo "space=$_space: fork did not run: $_out" | diag ;;
		esac
	done
	echo 0 >"$_dir/probability"
	echo 0 >"$_dir/space"
	stats_read after

	echo "# $_name: $# tries, $_failed forks failed with ENOMEM, $_missed without an injected failure"
	_rc=0
	[ "$_bad" = 0 ] || _rc=1
	[ "$_failed" -gt 0 ] || { echo "# no fork failed: injection did not reach fork()"; _rc=1; }
	stats_delta_ok before after "$_failed" || _rc=1
	if [ "$_rc" != 0 ]; then
		echo "# /proc/enomem_stats after:"; diag <$STATS
		[ -r $DBG/$MOD/events ] && { echo "# events:"; tail -n 20 $DBG/$MOD/events | diag; }
	fi
	result $_rc "$_name"
}

# Budgets: failslab counts object sizes in bytes, fail_page_alloc counts pages
# (1 << order).  0 fails the first allocation (the task_struct or a page for
# its slab); the larger ones fail later allocations in copy_process().
[ "$mode" = full ] && inject_forks $DBG/failslab "debug: failslab inside fork() is counted as slab" \
	0 0 0 64 256 1024 2048 4096 6144 8192 12288 16384 24576 32768 49152 65536
[ "$mode" = full ] && inject_forks $DBG/fail_page_alloc "debug: fail_page_alloc inside fork() is counted as slab" \
	0 0 1 2 4 8 16 32

# Systematic: /proc/self/fail-nth=N fails the Nth slab or page allocation of
# the task (whatever probability says), so N=1,2,3... walks every allocation
# in fork() and each error path behind it.  The sweep ends when a fork got
# through with the count left over (fork() has fewer allocations than N).
FAILNTH='echo $1 >/proc/self/fail-nth && ( exit 0 ); read left </proc/self/fail-nth; echo "forked left=$left"'

fail_nth_sweep() {
	_name="debug: every allocation failure inside fork() (fail-nth sweep) is counted as slab"
	if [ ! -e /proc/self/fail-nth ] || [ ! -d $DBG/failslab ]; then
		skip "$_name" "no /proc/self/fail-nth (kernel without fault injection)"
		return
	fi
	if [ ! -r $STATS ]; then
		notok "$_name"
		echo "# $STATS missing: is $MOD loaded?"
		return
	fi
	# Make every allocation an injection point (N counts them all).
	echo N >$DBG/failslab/ignore-gfp-wait
	echo N >$DBG/fail_page_alloc/ignore-gfp-wait
	echo N >$DBG/fail_page_alloc/ignore-gfp-highmem
	echo 0 >$DBG/fail_page_alloc/min-order
	echo 0 >$DBG/failslab/probability
	echo 0 >$DBG/fail_page_alloc/probability
	echo 0 >$DBG/failslab/verbose
	echo 0 >$DBG/fail_page_alloc/verbose

	_failed=0 _bad=0 _through=0 _nth=0 _max=${FAILNTH_MAX:-200} _at=""
	stats_read before
	while [ $_nth -lt $_max ] && [ $_through -lt 3 ]; do
		_nth=$((_nth + 1))
		# The braces make this subshell wait for sh (and report a
		# signal, e.g. a SIGSEGV from a failed exec, into $_out).
		_out=$( { sh -c "$FAILNTH" sh $_nth; echo "rc=$?"; } 2>&1 )
		case $_out in
		*"can't fork: Out of memory"*|*"can't fork: Cannot allocate memory"*)
			_failed=$((_failed + 1)) _through=0 _at="$_at $_nth" ;;
		*"can't fork"*)
			_bad=$((_bad + 1))
			echo "nth=$_nth: fork failed with another errno: $_out" | diag ;;
		*"forked left="[1-9]*)
			_through=$((_through + 1)) ;;
		*)
			# the failure hit the shell before or after fork()
			_through=0 ;;
		esac
	done
	stats_read after

	echo "# fail-nth 1..$_nth: $_failed forks failed with ENOMEM, at n =$_at"
	_rc=0
	[ "$_bad" = 0 ] || _rc=1
	[ "$_failed" -gt 0 ] || { echo "# no fork failed"; _rc=1; }
	[ "$_through" -ge 3 ] || echo "# the sweep stopped at FAILNTH_MAX=$_max before fork() ran out of allocations"
	stats_delta_ok before after "$_failed" || _rc=1
	if [ "$_rc" != 0 ]; then
		echo "# /proc/enomem_stats after:"; diag <$STATS
		[ -r $DBG/$MOD/events ] && { echo "# events:"; tail -n 20 $DBG/$MOD/events | diag; }
	fi
	result $_rc "$_name"
}
[ "$mode" = full ] && fail_nth_sweep

# ---- (b) kmemleak after rmmod --------------------------------------------------

KML=$DBG/kmemleak

# in_range ADDR BASE END: shell arithmetic is 64-bit signed; kernel addresses
# are all in the upper half, so they compare correctly as negative numbers.
in_range() { [ $(( $1 >= $2 && $1 < $3 )) = 1 ]; }
# x86_64 (4-level) module area: MODULES_VADDR .. MODULES_END.
MODULES_VADDR=0xffffffffc0000000
MODULES_END=0xffffffffff000000

# kml_usable NAME: 0 if kmemleak can scan; else prints a SKIP result for NAME
# (with NAME empty: prints nothing).
kml_usable() {
	if [ ! -e $KML ]; then
		[ -n "$1" ] && skip "$1" "no $KML (CONFIG_DEBUG_KMEMLEAK off)"
		return 1
	fi
	if ! echo scan >$KML 2>/dev/null; then
		[ -n "$1" ] && skip "$1" "kmemleak is disabled (boot with kmemleak=on?)"
		return 1
	fi
	return 0
}

# kml_judge NAME RC BASE SIZE: scan, and fail NAME (or RC != 0) if a report
# since the last "clear" was allocated by the module.  BASE/SIZE: where its
# last load lived, when known.
kml_judge() {
	_name=$1 _rc=$2 _base=$3 _size=$4
	# kmemleak reports objects older than 5 s only; two scans, a pause between.
	echo scan >$KML
	sleep 6
	echo scan >$KML
	cat $KML >/tmp/kmemleak.txt
	_hits=""
	grep -q "$MOD" /tmp/kmemleak.txt && _hits="by name"
	# A return address in a module that is gone prints as a bare hex
	# number ("[<...>] 0xffffffffc0123456").  Right after the clear, a
	# new report with such an address in a backtrace is the module's
	# (its .init.text included, which /proc/modules does not cover): the
	# other module in the VM, enomem_inject, stays loaded and symbolised.
	for _a in $(sed -n 's/^ *\[<[0-9a-f]*>\] \(0x[0-9a-f]\{16\}\)$/\1/p' /tmp/kmemleak.txt); do
		if in_range "$_a" $MODULES_VADDR $MODULES_END; then
			_hits="$_hits $_a"
			case $_base in 0x*)
				in_range "$_a" "$_base" "$(( _base + _size ))" &&
					_hits="$_hits(core)" ;;
			esac
		fi
	done
	_total=$(grep -c '^unreferenced object' /tmp/kmemleak.txt)
	echo "# kmemleak: $_total unreferenced objects after rmmod ($MOD was at ${_base:-?} size ${_size:-?})"
	if [ -n "$_hits" ]; then
		echo "# leaks attributed to $MOD ($_hits)"
		_rc=1
	fi
	# Show every report: one not from the module is worth reading too.
	[ "$_total" = 0 ] || head -n 200 /tmp/kmemleak.txt | diag
	result $_rc "$_name"
}

kmemleak_check() {
	_name="debug: no kmemleak report from $MOD after rmmod"
	kml_usable "$_name" || return
	# Forget what leaked before (boot, other tests): mark it reported.
	echo clear >$KML
	# The module's core memory, to recognise its (unsymbolised) return
	# addresses in backtraces after it is gone.
	set -- $(grep "^$MOD " /proc/modules)
	_rc=0
	if [ -z "$6" ]; then
		echo "# $MOD is not loaded"
		_rc=1
	elif ! rmmod $MOD; then
		echo "# rmmod $MOD failed"
		_rc=1
	fi
	kml_judge "$_name" $_rc "$6" "$2"
}

case $mode in
full) kmemleak_check ;;
begin)
	kml_usable "" && echo clear >$KML
	exit 0
	;;
end)
	_name="debug: no kmemleak report from $MOD after the reload cycles"
	if kml_usable "$_name"; then
		_rc=0
		if grep -q "^$MOD " /proc/modules && ! rmmod $MOD; then
			echo "# rmmod $MOD failed"
			_rc=1
		fi
		kml_judge "$_name" $_rc "" ""
	fi
	;;
esac

# ---- (c) kernel log -------------------------------------------------------------

dmesg_check() {
	_name="debug: no KASAN, lockdep, might_sleep or WARNING report in the kernel log"
	if ! dmesg >/tmp/dmesg.txt 2>/dev/null; then
		notok "$_name"
		echo "# dmesg failed"
	elif grep -n -e 'BUG: KASAN' -e 'possible circular locking' -e 'WARNING:' \
		-e 'sleeping function called from invalid context' \
		-e 'inconsistent lock state' -e 'possible recursive locking' \
		-e 'suspicious RCU usage' -e 'bad unlock balance' \
		-e 'lock held when returning to user space' -e 'BUG: ' \
		/tmp/dmesg.txt >/tmp/dmesg.hits; then
		echo "# kernel log reports:"
		diag </tmp/dmesg.hits
		# the first report in full
		_l=$(head -n 1 /tmp/dmesg.hits | cut -d: -f1)
		sed -n "$((_l > 5 ? _l - 5 : 1)),$((_l + 80))p" /tmp/dmesg.txt | diag
		notok "$_name"
	else
		ok "$_name"
	fi
	# lockdep switches itself off after its first report (or when it runs
	# out of table space): then it proved nothing.
	_name="debug: lockdep still active at the end"
	if [ ! -r /proc/lockdep_stats ]; then
		skip "$_name" "no /proc/lockdep_stats (CONFIG_LOCKDEP off)"
	elif grep -q 'debug_locks: *1' /proc/lockdep_stats; then
		ok "$_name"
	else
		notok "$_name"
		grep -e debug_locks -e max /proc/lockdep_stats | diag
	fi
}
dmesg_check

echo "# guest-debug: next $((n + 1))"
