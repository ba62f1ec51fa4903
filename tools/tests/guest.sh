#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# enomemstat against the live module, inside the VM guest (busybox sh), after
# the kernel tests have provoked fork failures with enomem_stats loaded.
#
#   guest.sh /path/to/static/enomemstat START
#
# Prints KTAP test lines "ok N - name" / "not ok N - name" numbered from
# START, without a plan (the caller owns the plan).  The last line is
# "# enomemstat guest: next N", N being the next free test number.
#
# Every comparison reads /proc/enomem_stats before and after running
# enomemstat and skips if the counters moved meanwhile, so a late failure
# elsewhere cannot make a correct reader look wrong.
#
# ENOMEMSTAT_ROOT (as for enomemstat itself) points both at a fixture tree:
# a dry run on a machine without the module.  The cases that need a real
# kernel (cgroup limits, reset, permissions) skip then.
#
# ENOMEM_TEST is the selftests' static guest helper, whose "runas UID CMD"
# drops root for the unprivileged --reset check (default /enomem_test,
# where selftests/lib/mkinitramfs.sh puts it); busybox's setpriv has no
# --reuid.  Without the helper, util-linux's setpriv where there is one.

BIN=${1:?usage: guest.sh ENOMEMSTAT START}
N=${2:-1}
R=${ENOMEMSTAT_ROOT:-}
P=$R/proc/enomem_stats
EV=$R/sys/kernel/debug/enomem_stats/events
HELPER=${ENOMEM_TEST:-/enomem_test}
T=$(mktemp -d /tmp/enomemstat-guest.XXXXXX) || exit 1
REASONS="pid_max pidns_dead commit cgroup_pids nproc threads_max memcg slab other unknown"
MAP_REASONS="max_map_count rlimit_as commit memcg other"

ok() { echo "ok $N - enomemstat: $1"; N=$((N + 1)); }
not_ok() {
	echo "not ok $N - enomemstat: $1"
	N=$((N + 1))
	shift
	for l in "$@"; do echo "# $l"; done
}
skip() { echo "ok $N - enomemstat: $1 # SKIP $2"; N=$((N + 1)); }
check() { # NAME STATUS DETAIL: ok if STATUS (of a test just run) is 0
	if [ "$2" = 0 ]; then ok "$1"; else not_ok "$1" "$3"; fi
}
val() { awk -v k="$1" '$1 == k { print $2 }' "$P"; }
# rlimit_data: only where the module has its lines (after map_missed)
[ -n "$(val map_rlimit_data 2>/dev/null)" ] &&
	MAP_REASONS="max_map_count rlimit_as rlimit_data commit memcg other"
# map_json PREFIX: {"max_map_count":N,...} from the PREFIX<reason> counters
map_json() {
	o="" sep=""
	for r in $MAP_REASONS; do
		o="$o$sep\"$r\":$(val "$1$r")"
		sep=","
	done
	echo "{$o}"
}

# run NAME ARGS...: run enomemstat with a stable counter snapshot around it.
# Sets rc; returns 1 (after a SKIP line) if the counters moved.
run() {
	name=$1
	shift
	cat "$P" > "$T/before" 2>/dev/null
	"$BIN" "$@" > "$T/out" 2> "$T/err"
	rc=$?
	cat "$P" > "$T/after" 2>/dev/null
	if ! cmp -s "$T/before" "$T/after"; then
		skip "$name" "counters changed while reading"
		return 1
	fi
	return 0
}

finish() {
	rm -rf "$T"
	echo "# enomemstat guest: next $N"
	exit 0
}

if [ ! -x "$BIN" ]; then
	not_ok "binary present" "$BIN is not executable"
	finish
fi
if [ ! -r "$P" ]; then
	not_ok "module loaded" "$P is missing"
	finish
fi
ok "module loaded"

# --- the table names every reason with the value the kernel has ---
if run "table agrees with /proc/enomem_stats"; then
	bad=""
	[ $rc = 0 ] || bad="exit $rc"
	for r in $REASONS; do
		grep -Eq "^$r +$(val "$r")( |\$)" "$T/out" || bad="$bad $r"
	done
	grep -q "^enomem_stats: $(val fork_failed) failed forks (ENOMEM $(val fork_enomem), EAGAIN $(val fork_eagain), other errno $(val fork_other))" "$T/out" ||
		bad="$bad summary"
	if [ -n "$(val map_failed)" ]; then
		grep -q "^enomem_stats: $(val map_failed) failed memory mappings (mmap/mprotect/brk/mremap ENOMEM), $(val map_stack_failed) of them thread stacks" "$T/out" ||
			bad="$bad map_summary"
		for r in $MAP_REASONS; do
			grep -Eq "^$r +$(val "map_$r") +$(val "map_stack_$r")( |\$)" "$T/out" || bad="$bad map_$r"
		done
	fi
	[ -z "$bad" ]
	check "table agrees with /proc/enomem_stats" $? "wrong:$bad"
fi

# --- JSON: rebuild the whole object from the proc file and compare ---
if run "json agrees with /proc/enomem_stats" --json; then
	want="{\"module_loaded\":true,\"fork_failed\":$(val fork_failed),\"errno\":{\"ENOMEM\":$(val fork_enomem),\"EAGAIN\":$(val fork_eagain),\"other\":$(val fork_other)},\"reasons\":{"
	sep=""
	for r in $REASONS; do
		want="$want$sep\"$r\":$(val "$r")"
		sep=","
	done
	want="$want},\"missed\":$(val missed)"
	if [ -n "$(val map_failed)" ]; then
		# failed mappings: an object of their own
		want="$want,\"maps\":{\"failed\":$(val map_failed),\"reasons\":$(map_json map_)"
		want="$want,\"stack_failed\":$(val map_stack_failed),\"stack_reasons\":$(map_json map_stack_)"
		want="$want,\"missed\":$(val map_missed)}"
	fi
	want="$want}"
	[ $rc = 0 ] && [ "$(cat "$T/out")" = "$want" ]
	check "json agrees with /proc/enomem_stats" $? "got $(cat "$T/out") want $want"
fi

# --- Prometheus ---
if run "prometheus agrees with /proc/enomem_stats" --prometheus; then
	bad=""
	[ $rc = 0 ] || bad="exit $rc"
	for r in $REASONS; do
		grep -qx "enomem_stats_fork_failures_total{reason=\"$r\"} $(val "$r")" "$T/out" ||
			bad="$bad $r"
	done
	grep -qx "enomem_stats_forks_failed_total $(val fork_failed)" "$T/out" || bad="$bad forks_failed"
	grep -qx "enomem_stats_fork_errno_total{errno=\"ENOMEM\"} $(val fork_enomem)" "$T/out" || bad="$bad ENOMEM"
	grep -qx "enomem_stats_missed_total $(val missed)" "$T/out" || bad="$bad missed"
	grep -qx "enomem_stats_module_loaded 1" "$T/out" || bad="$bad module_loaded"
	if [ -n "$(val map_failed)" ]; then
		grep -qx "enomem_stats_maps_failed_total $(val map_failed)" "$T/out" || bad="$bad maps_failed"
		for r in $MAP_REASONS; do
			st=$(val "map_stack_$r")
			grep -qx "enomem_stats_map_failures_total{reason=\"$r\",stack=\"1\"} $st" "$T/out" &&
				grep -qx "enomem_stats_map_failures_total{reason=\"$r\",stack=\"0\"} $(($(val "map_$r") - st))" "$T/out" ||
				bad="$bad map_$r"
		done
	fi
	[ -z "$bad" ]
	check "prometheus agrees with /proc/enomem_stats" $? "wrong:$bad"
fi

if [ "$(val fork_failed)" -gt 0 ] 2>/dev/null; then
	ok "the kernel tests left failures to read ($(val fork_failed))"
else
	skip "the kernel tests left failures to read" "fork_failed is 0"
fi

# --- the event log: one row per event line, the header's counts in JSON ---
if [ -r "$EV" ]; then
	"$BIN" --events > "$T/out" 2> "$T/err"
	rc=$?
	want=$(grep -vc '^#' "$EV")
	got=$(grep -Evc '^(#|  *TIME|No failed fork)' "$T/out")
	# the ring may take new events between the two reads: allow growth only
	[ $rc = 0 ] && [ "$got" -ge "$want" ] 2>/dev/null
	check "--events shows every event" $? "exit $rc, $got rows for $want events; $(head -c 300 "$T/err")"
	"$BIN" --events --json > "$T/out" 2> "$T/err"
	rc=$?
	rec=$(sed -n '1s/.* recorded \([0-9]*\) .*/\1/p' "$EV")
	[ $rc = 0 ] && grep -q "^{\"size\":[0-9]*,\"recorded\":[0-9]*,\"overwritten\":[0-9]*,\"events\":\[" "$T/out" &&
		[ "$(sed 's/.*"recorded":\([0-9]*\).*/\1/' "$T/out")" -ge "${rec:-0}" ] 2>/dev/null
	check "--events --json" $? "exit $rc: $(head -c 300 "$T/out")"
else
	skip "--events shows every event" "no $EV (debugfs not mounted?)"
	skip "--events --json" "no $EV"
fi

# --- --diagnose: the exit code says whether a HIT/NEAR line was printed ---
"$BIN" --diagnose > "$T/out" 2> "$T/err"
rc=$?
if grep -Eq '^(HIT|NEAR) ' "$T/out"; then want=1; else want=0; fi
[ $rc = $want ] && grep -q "failed forks counted" "$T/out"
check "--diagnose exit code matches its findings" $? "exit $rc, want $want: $(head -c 400 "$T/out") $(head -c 200 "$T/err")"

DP=$$
if [ -n "$R" ]; then	# a process of the fixture tree
	for d in "$R"/proc/[0-9]*; do
		[ -f "$d/maps" ] && DP=${d##*/}
	done
fi
"$BIN" --diagnose --pid $DP > "$T/out" 2> "$T/err"
rc=$?
[ $rc -le 1 ] && grep -q "nproc: " "$T/out" && grep -q "max_map_count: pid $DP " "$T/out"
check "--diagnose --pid" $? "exit $rc: $(head -c 400 "$T/out") $(head -c 200 "$T/err")"

"$BIN" --diagnose --json > "$T/out" 2> "$T/err"
rc=$?
# maps_param: the module's maps= as sysfs shows it (Y/N)
mp=null
case $(cat "$R/sys/module/enomem_stats/parameters/maps" 2>/dev/null) in
Y*) mp=true ;;
N*) mp=false ;;
esac
[ $rc -le 1 ] && grep -Eq '^\{"module_loaded":true,"status":"[a-z]*","fork_failed":[0-9]*,("map_failed":[0-9]*,"maps_param":'"$mp"',"map_watch":(null|\{.*\}),)?"findings":\[' "$T/out"
check "--diagnose --json" $? "exit $rc, maps_param $mp: $(head -c 300 "$T/out")"
cp "$T/out" "$T/json"

# --- --diagnose's notes follow the probes file's watch lines: a reason not
# watched for every call gets a note naming each unwatched call, a reason
# watched for all gets none; the JSON's map_watch carries each status ---
PR=$R/sys/kernel/debug/enomem_stats/probes
if [ -z "$(val map_failed)" ]; then
	skip "--diagnose notes follow the watch lines" "no map lines in $P"
elif ! grep '^watch ' "$PR" > "$T/watch" 2>/dev/null; then
	skip "--diagnose notes follow the watch lines" "no watch lines in $PR"
else
	"$BIN" --diagnose > "$T/out" 2> "$T/err"
	rc=$?
	bad=""
	[ $rc -le 1 ] || bad="exit $rc"
	while read -r w reason status calls; do
		grep -q "\"$reason\":{\"status\":\"$status\"" "$T/json" || bad="$bad json:$reason"
		note=$(grep "^enomem_stats: $reason: " "$T/out")
		if [ "$status" = all ]; then
			[ -z "$note" ] || bad="$bad noted:$reason"
			continue
		fi
		case $note in
		*"not counted on this kernel"*"so a 0 for $reason proves nothing"*) ;;
		*) bad="$bad no_note:$reason" ;;
		esac
		for c in $calls; do
			case $c in
			*:none) case $note in *"${c%:none}()"*) ;; *) bad="$bad $reason:${c%:none}" ;; esac ;;
			esac
		done
	done < "$T/watch"
	[ -z "$bad" ]
	check "--diagnose notes follow the watch lines" $? "wrong:$bad; $(grep '^enomem_stats: ' "$T/out" | head -c 600)"
fi

# --- --follow prints a failure provoked after it started: a shell joins the
# full pids cgroup $G and forks.  Its header line on a pipe says the stream
# is open (an open starts at the next event); a watchdog ends a --follow
# that never shows the line, so a missing event fails instead of hanging.
follow_check() {
	name="--follow prints a fork refused after it started, exits 0 on Ctrl-C"
	if [ ! -e "$R/proc/enomem_stats_follow" ]; then
		skip "$name" "no /proc/enomem_stats_follow (a module without the stream)"
		return
	fi
	rm -f "$T/fpipe"
	mkfifo "$T/fpipe"
	# timeout: busybox's runs --follow itself as $! (its watchdog is a
	# child); GNU's passes Ctrl-C on.  Its SIGTERM ends --follow with 0.
	to=
	command -v timeout > /dev/null 2>&1 && to="timeout 60"
	$to "$BIN" --follow > "$T/fpipe" 2> "$T/ferr" &
	fp=$!
	exec 3< "$T/fpipe"
	IFS= read -r l <&3
	# ( : ) forks; pids.max 1 is full with the holder, so the fork fails
	sh -c 'echo $$ > "$1/cgroup.procs" && ( : ); exit 0' sh "$G" 2>/dev/null
	seen=""
	while [ -n "$to" ] && IFS= read -r l <&3; do
		case $l in
		*" cgroup_pids "*enomemstat-guest*) seen=$l; break ;;
		esac
	done
	kill -INT $fp 2>/dev/null
	wait $fp
	rc=$?
	exec 3<&-
	[ -n "$to" ] || { skip "$name" "no timeout(1) to bound the wait"; return; }
	[ -n "$seen" ] && [ $rc = 0 ]
	check "$name" $? "exit $rc, line '$seen': $(head -c 300 "$T/ferr")"
	[ -n "$seen" ] && echo "# enomemstat --follow: $seen"
}

# --- --top: every cgroup and uid of the module's tables, with the sum of
# its entries, in the JSON rows (the same data as the table) ---
WHO=$R/sys/kernel/debug/enomem_stats
# top_check TABLE KEYFMT ARGS...: KEYFMT turns a key (awk's k) into the
# start of its JSON row; skips when the table moved while enomemstat read it.
top_check() {
	tab=$1 keyfmt=$2 name="--top $1 agrees with the $1 table"
	shift 2
	if [ ! -r "$WHO/$tab" ]; then
		skip "$name" "no $WHO/$tab (a module without the who tables)"
		return
	fi
	cat "$WHO/$tab" > "$T/tab.before"
	"$BIN" "$@" --json > "$T/out" 2> "$T/err"
	rc=$?
	cat "$WHO/$tab" > "$T/tab.after"
	if ! cmp -s "$T/tab.before" "$T/tab.after"; then
		skip "$name" "the table changed while reading"
		return
	fi
	# key total, for keys without escapes (\ooo) or JSON-quoted characters
	awk '!/^#/ && $7 !~ /[\\"]/ { t[$7] += $1 } END { for (k in t) print k, t[k] }' \
		"$T/tab.before" > "$T/keys"
	if [ ! -s "$T/keys" ]; then
		skip "$name" "the table is empty (no failure recorded)"
		return
	fi
	bad=""
	[ $rc = 0 ] || bad="exit $rc"
	while read -r k total; do
		want=$(awk -v k="$k" "BEGIN { $keyfmt }")
		grep -q "$want,\"total\":$total," "$T/out" || bad="$bad $k=$total"
	done < "$T/keys"
	[ -z "$bad" ]
	check "$name ($(wc -l < "$T/keys") rows)" $? "missing:$bad; $(head -c 400 "$T/out") $(head -c 200 "$T/err")"
}
top_check cgroups 'if (k == "-") print "\"cgroup\":null"; else print "\"cgroup\":\"" k "\""' --top
top_check users 'print "\"uid\":" k ",\"user\":[^,]*"' --top user
if [ -r "$WHO/cgroups" ] && "$BIN" --top > "$T/out" 2> "$T/err"; then
	ev=$(sed -n '1s/.* evicted \([0-9]*\).*/\1/p' "$WHO/cgroups")
	if [ "${ev:-0}" -gt 0 ]; then
		grep -q "entries evicted" "$T/out"
	else
		! grep -q "entries evicted" "$T/out"
	fi
	check "--top's evicted line follows the table's header (evicted ${ev:-?})" $? "$(tail -n 2 "$T/out")"
	# what a sysadmin sees, for the log
	sed 's/^/# enomemstat --top: /' "$T/out" | head -n 30
	"$BIN" --top user 2>/dev/null | sed 's/^/# enomemstat --top user: /' | head -n 30
fi

# A full cgroup must come out as HIT with exit 1: pids.max 1 holding one sleep.
# cgroup v2, or the v1 pids hierarchy the guest mounts on kernels without v2
# (3.10: RHEL 7's backported pids controller).
CG=$R/sys/fs/cgroup
v1=
if [ -z "$R" ] && [ -f "$CG/cgroup.controllers" ] && grep -qw pids "$CG/cgroup.controllers"; then
	grep -qw pids "$CG/cgroup.subtree_control" || echo +pids > "$CG/cgroup.subtree_control"
	G=$CG/enomemstat-guest
elif [ -z "$R" ] && [ -f "$CG/pids/cgroup.procs" ]; then
	G=$CG/pids/enomemstat-guest
	v1=" (v1)"
else
	G=
	skip "--diagnose --cgroup finds a full pids cgroup" "no pids controller at /sys/fs/cgroup (v2) or /sys/fs/cgroup/pids (v1)"
fi
if [ -n "$G" ]; then
	mkdir -p "$G" && echo 1 > "$G/pids.max"
	sleep 86400 &	# a holder, killed below; no timing involved
	sp=$!
	echo $sp > "$G/cgroup.procs"
	"$BIN" --diagnose --cgroup /enomemstat-guest > "$T/out" 2> "$T/err"
	rc=$?
	[ $rc = 1 ] && grep -q "^HIT   cgroup_pids: /enomemstat-guest$v1: 1 of 1 tasks" "$T/out"
	check "--diagnose --cgroup finds a full pids cgroup${v1:- (v2)}" $? "exit $rc: $(head -c 400 "$T/out") $(head -c 200 "$T/err")"
	follow_check
	kill $sp
	wait $sp 2>/dev/null
	rmdir "$G" 2>/dev/null
fi

# --- interval mode, and Ctrl-C ---
"$BIN" 0.2 3 > "$T/out" 2> "$T/err"
rc=$?
[ $rc = 0 ] && [ "$(wc -l < "$T/out")" -eq 4 ] && head -n 1 "$T/out" | grep -q failed
check "INTERVAL COUNT" $? "exit $rc: $(cat "$T/out" "$T/err" | head -c 300)"

# Through a pipe: reading its first two lines waits until the handler is in
# place (no polling, no stale $T/out); fd 3 stays open until the exit, so a
# late line cannot meet a closed pipe.
rm -f "$T/pipe"
mkfifo "$T/pipe"
"$BIN" 1 > "$T/pipe" 2> "$T/err" &
ip=$!
exec 3< "$T/pipe"
IFS= read -r l <&3 && IFS= read -r l <&3
kill -INT $ip
wait $ip
rc=$?
exec 3<&-
[ $rc = 0 ] && [ ! -s "$T/err" ]
check "Ctrl-C ends interval mode with exit 0" $? "exit $rc: $(head -c 200 "$T/err")"

# --- --reset: refused without privilege, works as root ---
if [ -n "$R" ]; then
	skip "--reset refused to an unprivileged user" "fixture run"
	skip "--reset zeroes the counters" "fixture run"
	finish
fi
# as_nobody CMD...: CMD as uid and gid 65534, no supplementary groups
as_nobody() {
	if [ -x "$HELPER" ]; then
		"$HELPER" runas 65534 "$@"
	else
		setpriv --reuid=65534 --regid=65534 --clear-groups "$@"
	fi
}
if as_nobody true 2>/dev/null; then
	as_nobody "$BIN" --reset > "$T/out" 2> "$T/err"
	rc=$?
	[ $rc = 2 ] && grep -q "permission denied" "$T/err"
	check "--reset refused to an unprivileged user" $? "exit $rc: $(head -c 200 "$T/err")"
else
	skip "--reset refused to an unprivileged user" "neither $HELPER runas nor setpriv can drop root here"
fi
if [ "$(id -u)" = 0 ]; then
	"$BIN" --reset > "$T/out" 2> "$T/err"
	rc=$?
	# a fork failing right now would be counted again: allow only tiny values
	[ $rc = 0 ] && [ "$(val fork_failed)" -le 1 ] &&
		"$BIN" --json | grep -q '"fork_failed":[01],'
	check "--reset zeroes the counters" $? "exit $rc, fork_failed $(val fork_failed): $(head -c 200 "$T/err")"
else
	skip "--reset zeroes the counters" "not root"
fi
finish
