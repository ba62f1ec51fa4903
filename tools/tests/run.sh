#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Unit tests for enomemstat: build the real binary, run it against fixture
# trees with --root, compare stdout, stderr and the exit code with
# expected/NAME.{out,err,rc}.  Prints KTAP and a last line "N passed, N failed".
#
#   tests/run.sh            run everything
#   tests/run.sh --update   rewrite expected/ from the current binary (review
#                           the diff before committing it!)
#
# A fixture is fixtures/base plus overlay directories named in the case
# ("pidmax_hit", or "absent+pidmax_hit" for two in order).  An overlay holds
# only the files it changes; its DELETE file lists paths to remove first.

set -u
HERE=$(cd "$(dirname "$0")" && pwd)
TOOLS=$(dirname "$HERE")
BIN=$TOOLS/enomemstat
FIX=$HERE/fixtures
EXP=$HERE/expected
UPDATE=0
[ "${1:-}" = "--update" ] && UPDATE=1

if ! make -s -C "$TOOLS" enomemstat >&2; then
	echo "KTAP version 1"
	echo "1..0 # build failed"
	echo "0 passed, 1 failed"
	exit 1
fi

# Test-only clocks: the ages of --top and the wall clock times of --follow
# are computed against these, so they do not depend on when the tests run.
ENOMEMSTAT_TEST_MONOTONIC_NS=200000000000	# 200 s after boot
ENOMEMSTAT_TEST_REALTIME_NS=1796515200000000000	# 2026-12-06 00:00:00 UTC
TZ=UTC
export ENOMEMSTAT_TEST_MONOTONIC_NS ENOMEMSTAT_TEST_REALTIME_NS TZ

WORK=$(mktemp -d "${TMPDIR:-/tmp}/enomemstat-test.XXXXXX") || exit 1
trap 'chmod -R u+rwX "$WORK" 2>/dev/null; rm -rf "$WORK"' EXIT INT TERM
chmod 755 "$WORK"	# the permission cases run as nobody
RESULTS=$WORK/results
: > "$RESULTS"
n=0
pass=0
fail=0

ok() {
	n=$((n + 1)); pass=$((pass + 1))
	echo "ok $n $1" >> "$RESULTS"
}

not_ok() {
	n=$((n + 1)); fail=$((fail + 1))
	echo "not ok $n $1" >> "$RESULTS"
	shift
	for line in "$@"; do
		echo "# $line" >> "$RESULTS"
	done
}

skip() {
	n=$((n + 1)); pass=$((pass + 1))
	echo "ok $n $1 # SKIP $2" >> "$RESULTS"
}

# fixture SPEC: build (once) base + the overlays in SPEC; print its path.
fixture() {
	dir=$WORK/fx/$1
	if [ ! -d "$dir" ]; then
		mkdir -p "$WORK/fx"
		cp -R "$FIX/base" "$dir"
		for o in $(echo "$1" | tr '+' ' '); do
			[ "$o" = base ] && continue
			[ -d "$FIX/$o" ] || { echo "no fixture overlay $o" >&2; return 1; }
			if [ -f "$FIX/$o/DELETE" ]; then
				while read -r f; do
					[ -n "$f" ] && rm -rf "${dir:?}/$f"
				done < "$FIX/$o/DELETE"
			fi
			(cd "$FIX/$o" && find . -type f ! -name DELETE) | while read -r f; do
				rm -rf "${dir:?}/$f"
				mkdir -p "$(dirname "$dir/$f")"
				cp "$FIX/$o/$f" "$dir/$f"
			done
		done
	fi
	echo "$dir"
}

# fresh NAME: a private copy of base, for cases that change their files.
fresh() {
	rm -rf "${WORK:?}/fx/$1"
	cp -R "$(fixture base)" "$WORK/fx/$1" && echo "$WORK/fx/$1"
}

# Each line of a JSON output must parse (skipped without python3).
json_ok() {
	command -v python3 >/dev/null 2>&1 || return 0
	python3 -c '
import json, sys
for line in open(sys.argv[1]):
    json.loads(line)' "$1" 2>/dev/null
}

# compare NAME ROOT RC: check $WORK/out, $WORK/err, RC against expected/NAME.*
compare() {
	name=$1 root=$2 rc=$3
	# getopt's own messages name argv[0]: make them path-independent too
	sed "s#$root#@ROOT@#g; s#$BIN:#enomemstat:#g" "$WORK/out" > "$WORK/out.n"
	sed "s#$root#@ROOT@#g; s#$BIN:#enomemstat:#g" "$WORK/err" > "$WORK/err.n"
	if [ $UPDATE = 1 ]; then
		cp "$WORK/out.n" "$EXP/$name.out"
		cp "$WORK/err.n" "$EXP/$name.err"
		echo "$rc" > "$EXP/$name.rc"
	fi
	why=""
	[ -f "$EXP/$name.rc" ] || why="no expected/$name.rc"
	[ -z "$why" ] && [ "$rc" != "$(cat "$EXP/$name.rc")" ] &&
		why="exit $rc, expected $(cat "$EXP/$name.rc")"
	[ -z "$why" ] && ! cmp -s "$WORK/out.n" "$EXP/$name.out" &&
		why="stdout differs: $(diff "$EXP/$name.out" "$WORK/out.n" | head -5 | tr '\n' '|')"
	[ -z "$why" ] && ! cmp -s "$WORK/err.n" "$EXP/$name.err" &&
		why="stderr differs: $(diff "$EXP/$name.err" "$WORK/err.n" | head -5 | tr '\n' '|')"
	case $name in
	*json*) [ -z "$why" ] && ! json_ok "$WORK/out" && why="stdout is not valid JSON" ;;
	esac
	if [ -z "$why" ]; then ok "$name"; else not_ok "$name" "$why"; fi
}

# t NAME FIXTURE ARGS...: run enomemstat --root FIXTURE ARGS, compare.
t() {
	name=$1 spec=$2
	shift 2
	root=$(fixture "$spec") || { not_ok "$name" "fixture $spec"; return; }
	"$BIN" --root "$root" "$@" > "$WORK/out" 2> "$WORK/err"
	compare "$name" "$root" $?
}

# as_nobody NAME FIXTURE FILE ARGS...: FILE (in the fixture) mode 000, run
# as an unprivileged user so the permission check is the kernel's, not ours.
as_nobody() {
	name=$1 spec=$2 file=$3
	shift 3
	root=$(fixture "$spec") || { not_ok "$name" "fixture $spec"; return; }
	if [ "$(id -u)" = 0 ]; then
		if ! command -v setpriv >/dev/null 2>&1; then
			skip "$name" "needs setpriv to drop root"
			return
		fi
		run="setpriv --reuid=65534 --regid=65534 --clear-groups"
		if ! $run test -x "$BIN"; then
			skip "$name" "nobody cannot execute $BIN"
			return
		fi
	else
		run=""
	fi
	chmod 000 "$root/$file"
	$run "$BIN" --root "$root" "$@" > "$WORK/out" 2> "$WORK/err"
	rc=$?
	chmod 644 "$root/$file"
	compare "$name" "$root" $rc
}

# output NAME FIXTURE SETUP WANT ARGS...: enomemstat --root FIXTURE ARGS
# --output FIXTURE/out/enomem.prom, under umask 077; stdout (empty), stderr
# and the exit code are compared as by t.  SETUP: "old" (FILE holds "old"),
# "dir" (FILE is a directory, so the rename fails), "nodir" (no out/),
# "nobody" (out/ not writable for the unprivileged user running it).  WANT:
# the expected/ file that FILE must equal, with mode 0644; "old" (FILE
# untouched); "dir" (still an empty directory); "none".  Only FILE may be
# left in out/: no temporary file, whatever happened.
output() {
	name=$1 spec=$2 setup=$3 want=$4
	shift 4
	root=$(fixture "$spec") || { not_ok "$name" "fixture $spec"; return; }
	out=$root/out
	f=$out/enomem.prom
	rm -rf "$out"
	run=""
	case $setup in
	nodir) ;;
	dir) mkdir -p "$f" ;;
	*) mkdir "$out" && echo old > "$f" ;;
	esac
	if [ "$setup" = nobody ]; then
		if [ "$(id -u)" != 0 ]; then
			chmod 555 "$out"
		elif ! command -v setpriv >/dev/null 2>&1; then
			skip "$name" "needs setpriv to drop root"
			return
		else
			run="setpriv --reuid=65534 --regid=65534 --clear-groups"
			if ! $run test -x "$BIN"; then
				skip "$name" "nobody cannot execute $BIN"
				return
			fi
		fi
	fi
	(umask 077 && exec $run "$BIN" --root "$root" "$@" --output "$f") \
		> "$WORK/out" 2> "$WORK/err"
	rc=$?
	why=""
	case $want in
	none)	[ -e "$f" ] && why="$f exists" ;;
	old)	[ "$(cat "$f" 2>/dev/null)" = old ] || why="$f changed" ;;
	dir)	[ -d "$f" ] && [ -z "$(ls -A "$f")" ] || why="$f changed" ;;
	*)	if ! cmp -s "$f" "$EXP/$want"; then
			why="$f differs from expected/$want"
		elif [ "$(stat -c %a "$f")" != 644 ]; then
			why="$f has mode $(stat -c %a "$f"), not 644"
		fi ;;
	esac
	left=$(ls -A "$out" 2>/dev/null | grep -vx enomem.prom)
	[ -z "$why" ] && [ -n "$left" ] && why="left behind in out/: $left"
	chmod -R u+rwX "$out" 2>/dev/null
	rm -rf "$out"
	if [ -n "$why" ]; then not_ok "$name" "$why"; else compare "$name" "$root" $rc; fi
}

# Interval mode without timing.  enomemstat writes into a pipe (fd 3 here),
# so reading a line from it waits exactly until that sample was taken.  With
# ENOMEMSTAT_TEST_STEP (a test-only hook) it takes the next sample when a line
# arrives on a second FIFO (fd 4), instead of after sleeping.  A late or slow
# process can only make a test wait, never change what it sees.
#
# start_interval ARGS...: start enomemstat --root $root ARGS in the background.
start_interval() {
	rm -f "$WORK/pipe" "$WORK/step"
	mkfifo "$WORK/pipe" "$WORK/step" || return 1
	ENOMEMSTAT_TEST_STEP=$WORK/step "$BIN" --root "$root" "$@" \
		> "$WORK/pipe" 2> "$WORK/err" &
	pid=$!
	# read-write: opening never waits for enomemstat, and it never sees EOF
	exec 3< "$WORK/pipe" 4<> "$WORK/step"
	: > "$WORK/out"
}

# read_lines N: copy the next N lines enomemstat prints (fewer at its exit).
read_lines() {
	i=0
	while [ $i -lt "$1" ] && IFS= read -r line <&3; do
		printf '%s\n' "$line" >> "$WORK/out"
		i=$((i + 1))
	done
}

# stop_interval: the rest of the output, then enomemstat's exit code in rc.
stop_interval() {
	cat <&3 >> "$WORK/out"
	wait $pid
	rc=$?
	exec 3<&- 4>&-
}

# interval NAME ARGS...: 3 samples; the counters change after the first and
# second sample (the third is lower: a reset in between).
interval() {
	name=$1
	shift
	root=$(fresh interval_run)
	cp "$FIX/base/proc/enomem_stats" "$root/proc/enomem_stats"
	start_interval "$@" 1 3 || { not_ok "$name" "mkfifo"; return; }
	hdr=1
	case " $* " in *" --json "*) hdr=0 ;; esac
	read_lines $((hdr + 1))
	for s in 2 3; do
		cp "$HERE/samples/counters$s" "$root/proc/enomem_stats.new"
		mv "$root/proc/enomem_stats.new" "$root/proc/enomem_stats"
		echo >&4	# take the next sample
		read_lines 1
	done
	stop_interval
	compare "$name" "$root" $rc
}

# Ctrl-C in interval mode: exit 0 after the lines printed so far.  The
# signal goes once the header and first sample are read, so the handler is
# in place; enomemstat then waits for a step that never comes.
sigint() {
	root=$(fixture base)
	start_interval 1 || { not_ok interval_sigint "mkfifo"; return; }
	read_lines 2
	kill -INT $pid
	stop_interval
	compare interval_sigint "$root" $rc
}

# --follow reads a FIFO standing in for /proc/enomem_stats_follow: the test
# writes lines into it and closes it, which is what the module's EOF (an
# unload) looks like to the reader.  The reader blocks in read() meanwhile.
#
# follow_eof NAME SAMPLE ARGS...: all of samples/SAMPLE, then EOF (exit 3).
follow_eof() {
	name=$1 sample=$2
	shift 2
	root=$(fresh follow_run)
	mkfifo "$root/proc/enomem_stats_follow" || { not_ok "$name" "mkfifo"; return; }
	"$BIN" --root "$root" --follow "$@" > "$WORK/out" 2> "$WORK/err" &
	pid=$!
	# opening for writing waits for enomemstat to open it for reading
	cat "$HERE/samples/$sample" > "$root/proc/enomem_stats_follow"
	wait $pid
	compare "$name" "$root" $?
}

# Ctrl-C while --follow waits in read(): exit 0.  Its header and the first
# event are read from a pipe before the signal goes, so the handler is in
# place; the stream stays open, so no EOF can end it first.
follow_sigint() {
	name=$1
	shift
	root=$(fresh follow_run)
	rm -f "$WORK/pipe"
	mkfifo "$root/proc/enomem_stats_follow" "$WORK/pipe" ||
		{ not_ok "$name" "mkfifo"; return; }
	"$BIN" --root "$root" --follow "$@" > "$WORK/pipe" 2> "$WORK/err" &
	pid=$!
	exec 3< "$WORK/pipe" 5> "$root/proc/enomem_stats_follow"
	: > "$WORK/out"
	head -n 1 "$HERE/samples/follow" >&5
	case " $* " in *" --json "*) read_lines 1 ;; *) read_lines 2 ;; esac
	kill -INT $pid
	stop_interval
	exec 5>&-
	compare "$name" "$root" $rc
}

# --reset writes "reset" to the counters file (a plain file in the fixture).
reset() {
	root=$(fresh reset_run)
	"$BIN" --root "$root" --reset > "$WORK/out" 2> "$WORK/err"
	rc=$?
	if [ "$(head -n 1 "$root/proc/enomem_stats")" != "reset" ]; then
		not_ok reset "proc/enomem_stats does not start with 'reset'"
		return
	fi
	compare reset "$root" $rc
}

mkdir -p "$EXP"

# --- the counter table, JSON, Prometheus ---
t table			base
t table_zero		zero
t table_missed		missed
t table_unknown_field	unknown_field
t json			base --json
t json_unknown_field	unknown_field --json
t prometheus		base --prometheus
t prometheus_zero	zero --prometheus
t inconsistent		inconsistent
t maps_table		maps
t maps_json		maps --json
t maps_prometheus	maps --prometheus
t maps_partial		maps_partial
t maps_diag		maps --diagnose
t maps_diag_mapcount	maps+mapcount_near --diagnose --pid 1234
t maps_diag_json	maps+as_near --diagnose --pid 1234 --json
t maps_diag_off		maps+maps_off --diagnose
t maps_diag_off_json	maps+maps_off --diagnose --json
t maps_diag_off_pid	map_zero+maps_off --diagnose --pid 1234
as_nobody maps_diag_off_hidden	maps+watch_partial sys/kernel/debug/enomem_stats/probes --diagnose
# the probes file's watch lines: which calls each mapping reason misses
t maps_watch_all	maps+watch_all --diagnose
t maps_watch_all_json	maps+watch_all --diagnose --json
t maps_watch_partial	maps+watch_partial --diagnose
t maps_watch_partial_json	maps+watch_partial --diagnose --json
t maps_watch_partial_pid	map_zero+watch_partial --diagnose --pid 1234
t maps_watch_none	maps+watch_none --diagnose
t maps_watch_maps1	maps+watch_maps1 --diagnose --pid 1234
# RLIMIT_DATA: its two lines after map_missed (absent above: an older module)
t maps_data_table	maps_data
t maps_data_json	maps_data --json
t maps_data_prometheus	maps_data --prometheus
t maps_data_half	maps_data_half
t maps_data_diag	maps_data+data_near --diagnose --pid 1234
t maps_data_diag_json	maps_data+data_hit --diagnose --pid 1234 --json
t maps_data_watch	maps_data+watch_data --diagnose
t maps_data_watch_json	maps_data+watch_data --diagnose --json
t data_hit		data_hit --diagnose --pid 1234
t data_near		data_near --diagnose --pid 1234

# --- who is failing: the per-cgroup and per-user tables ---
t top			who --top
t top_cgroup		who --top cgroup
t top_user		who --top user
t top_user_eq		who --top=user
t top_json		who --top --json
t top_user_json		who --top user --json
t top_evicted		who_evicted --top
t top_user_evicted	who_evicted --top user
t top_empty		who_empty --top
t top_empty_json	who_empty --top user --json
t top_bad		who_bad --top
t top_user_bad		who_bad --top user
t top_no_table		base --top
t top_no_module		absent+events_no_dir --top
as_nobody top_denied	who sys/kernel/debug/enomem_stats/cgroups --top
t top_prometheus	maps_data+who --prometheus
t top_prometheus_1	who --prometheus --prometheus-cgroups 1
t top_prometheus_0	who --prometheus --prometheus-cgroups 0
t top_prometheus_evicted	who_evicted --prometheus --prometheus-cgroups 2
as_nobody top_prometheus_denied	who sys/kernel/debug/enomem_stats/cgroups --prometheus
output output_top	who old top.out --top

# --- --follow: a FIFO stands in for the stream ---
follow_eof follow		follow
follow_eof follow_json		follow --json
follow_eof follow_partial	follow_partial
follow_sigint follow_sigint
follow_sigint follow_sigint_json --json
t follow_no_stream	base --follow
t follow_no_module	absent --follow

# --- --output FILE: complete, mode 0644, atomic, nothing left behind ---
output output_prometheus	base old prometheus.out --prometheus
output output_json		base old json.out --json
output output_table		base old table.out
output output_diag		pidmax_hit old pidmax_hit.out --diagnose
output output_absent_prom	absent old prometheus_absent.out --prometheus
output output_error		absent old old --json
output output_no_dir		base nodir none --prometheus
output output_unwritable	base nobody old --prometheus
output output_rename_fails	base dir dir --prometheus

# --- interval mode ---
interval interval
interval interval_json --json
sigint
# the real timer (no test hook): the counters stay put, so timing cannot matter
t interval_timer	base 0.01 3

# --- module absent, permissions ---
t table_absent		absent
t json_absent		absent --json
t prometheus_absent	absent --prometheus
t reset_absent		absent --reset
reset
as_nobody read_denied	base proc/enomem_stats
as_nobody reset_denied	base proc/enomem_stats --reset

# --- malformed /proc/enomem_stats ---
t bad_value		bad_value
t bad_novalue		bad_novalue
t bad_overflow		bad_overflow
t bad_negative		bad_negative
t bad_truncated_line	bad_truncated_line
t bad_missing_lines	bad_missing_lines
t bad_empty		bad_empty
t bad_nul		bad_nul
t bad_directory		bad_directory
t bad_json		bad_value --json
t bad_prometheus	bad_value --prometheus
t bad_interval		bad_value 1 2

# --- --diagnose: every finding, hit and near ---
t diag			base --diagnose
t diag_pid		base --diagnose --pid 1234
t diag_pid_json		base --diagnose --pid 1234 --json
t diag_json		base --diagnose --json
t diag_absent		absent --diagnose
t diag_absent_hit	absent+pidmax_hit --diagnose
t diag_absent_json	absent+pidmax_hit --diagnose --json
t diag_bad_counters	bad_value --diagnose
t diag_past_reasons	past_reasons --diagnose
t diag_no_pid		base --diagnose --pid 999
t diag_no_loadavg	no_loadavg --diagnose
t diag_no_meminfo	no_meminfo --diagnose
t pidmax_hit		pidmax_hit --diagnose
t pidmax_near		pidmax_near --diagnose
t pidmax_small		pidmax_small --diagnose
t threads_hit		threads_hit --diagnose
t threads_near		threads_near --diagnose
t commit_hit		commit_hit --diagnose
t commit_near		commit_near --diagnose
t commit_ok		commit_ok --diagnose
t commit_kbytes		commit_kbytes --diagnose
t commit_mode1		commit_mode1 --diagnose
t swap_near		swap_near --diagnose
t swap_none		swap_none --diagnose
t mapcount_hit		mapcount_hit --diagnose --pid 1234
t mapcount_near		mapcount_near --diagnose --pid 1234
t mapcount_unreadable	base --diagnose --pid 1300
t nproc_hit		nproc_hit --diagnose --pid 1234
t nproc_near		nproc_near --diagnose --pid 1234
t nproc_root		base --diagnose --pid 1
t nproc_cap		nproc_cap --diagnose --pid 1234
t nproc_unlimited	nproc_unlimited --diagnose --pid 1234
t as_hit		as_hit --diagnose --pid 1234
t as_near		as_near --diagnose --pid 1234
t cg2_pids_hit		cg2_pids_hit --diagnose --pid 1234
t cg2_pids_near		cg2_pids_near --diagnose --pid 1234
t cg2_ancestor_hit	cg2_ancestor_hit --diagnose --pid 1234
t cg2_events_past	cg2_events_past --diagnose --pid 1234
t cg2_scan_hit		cg2_pids_hit --diagnose
t cg2_cgroup		base --diagnose --cgroup /system.slice/app.service
t cg2_cgroup_hit	cg2_pids_hit --diagnose --cgroup /system.slice/app.service
t cg2_cgroup_unknown	base --diagnose --cgroup /no/such.service
t cg2_memcg_hit		cg2_memcg_hit --diagnose --pid 1234
t cg2_memcg_near	cg2_memcg_near --diagnose --pid 1234
t cg2_hybrid		cg2_hybrid --diagnose --pid 1234
t cg1_pid		cg1 --diagnose --pid 1234
t cg1_scan		cg1 --diagnose
t cg1_cgroup		cg1 --diagnose --cgroup /user.slice

# --- --events ---
t events		base --events
t events_json		base --events --json
t events_empty		events_empty --events
t events_rlimit_data	events_data --events
t events_rlimit_data_json	events_data --events --json
t events_empty_json	events_empty --events --json
t events_future		events_future --events
t events_malformed	events_malformed --events
t events_truncated	events_truncated --events
t events_noheader	events_noheader --events
t events_no_debugfs	events_no_debugfs --events
t events_no_dir		events_no_dir --events
t events_no_module	absent+events_no_dir --events
as_nobody events_denied	base sys/kernel/debug/enomem_stats/events --events

# --- arguments ---
t args_help		base --help
t args_version		base --version
t args_unknown		base --bogus
t args_json_prom	base --json --prometheus
t args_pid_alone	base --pid 1
t args_pid_word		base --diagnose --pid abc
t args_cgroup_relative	base --diagnose --cgroup foo
t args_two_modes	base --events --diagnose
t args_reset_json	base --reset --json
t args_prom_interval	base --prometheus 1
t args_interval_zero	base 0
t args_interval_word	base abc
t args_count_zero	base 1 0
t args_too_many		base 1 2 3
t args_output_interval	base --output /tmp/x.prom 1 3
t args_output_reset	base --reset -o /tmp/x.prom
t args_output_dir	base --prometheus -o /tmp/
t args_top_bad		base --top pids
t args_top_events	base --top --events
t args_follow_output	base --follow -o /tmp/x.prom
t args_follow_prom	base --follow --prometheus
t args_prom_cgroups_alone	base --prometheus-cgroups 3
t args_prom_cgroups_word	base --prometheus --prometheus-cgroups x

# ENOMEMSTAT_ROOT works like --root
root=$(fixture base)
ENOMEMSTAT_ROOT=$root "$BIN" --json > "$WORK/out" 2> "$WORK/err"
rc=$?
cp "$WORK/out" "$WORK/env.out"
"$BIN" --root "$root" --json > "$WORK/out" 2> "$WORK/err"
if [ $rc = 0 ] && cmp -s "$WORK/out" "$WORK/env.out"; then
	ok env_root
else
	not_ok env_root "ENOMEMSTAT_ROOT output differs from --root (rc $rc)"
fi

echo "KTAP version 1"
echo "1..$n"
cat "$RESULTS"
echo "# enomemstat unit tests: $pass passed, $fail failed"
echo "$pass passed, $fail failed"
[ $fail = 0 ]
