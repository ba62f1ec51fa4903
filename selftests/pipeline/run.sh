#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# selftests/pipeline/run.sh LABEL DIR [LABEL DIR]...
#
# The monitoring pipeline a fleet runs, for real, on 127.0.0.1: Debian's
# prometheus-node-exporter (textfile collector only) serves what
# "enomemstat --prometheus" wrote in a live guest, Debian's prometheus
# scrapes it every second and evaluates the shipped rules
# (packaging/prometheus/enomem-stats.rules.yml), and the checks ask
# Prometheus' HTTP API for the series and the firing alerts.
#
# Each DIR is what selftests/pipeline/extract.sh took from one guest's
# serial log: 1.prom and 2.prom, the guest's snapshots before and after it
# made forks fail in a cgroup whose pids.max is full, and forks, how many.
# One node_exporter per DIR (its samples get the label kernel="LABEL"), one
# Prometheus for all.  1.prom is served until Prometheus has scraped it
# a few times, then 2.prom replaces it (a rename, as enomemstat -o does):
# increase() needs two samples, and the counters go up between them.
#
# Everything runs from a temporary directory on free ports and is killed on
# every way out; each daemon also runs under timeout(1), so that not even a
# SIGKILL of this script leaves one behind.  Prints KTAP and a last line
# "N passed, N failed".
#
# Environment (names with no spaces; labels as enomemstat writes them):
#   ENOMEM_PIPE_SERIES   series that must be in Prometheus with 2.prom's value
#                        (default: the per-reason counter of the provoked
#                        failures)
#   ENOMEM_PIPE_ALERTS   ALERT{LABELS} that must fire (default:
#                        ForkFailures{reason="cgroup_pids"})
#   ENOMEM_PIPE_CGROUP_FAMILY  the per-cgroup family; when a 2.prom has it,
#                        ENOMEM_PIPE_CGROUP_SERIES and ENOMEM_PIPE_CGROUP_ALERTS
#                        are checked too (default: the provoked cgroup's
#                        series and ServiceHitTasksMax for it), else they skip
#   ENOMEM_PIPE_RULES    the rules file (default: the shipped one)
#   ENOMEM_PIPE_TIMEOUT  seconds to wait for each step (default 40)
set -u

top=$(cd "$(dirname "$0")/../.." && pwd)
rules=${ENOMEM_PIPE_RULES:-$top/packaging/prometheus/enomem-stats.rules.yml}
cg='/system.slice/pipe.service'
cg_family=${ENOMEM_PIPE_CGROUP_FAMILY:-enomem_stats_cgroup_failures_total}
d_series='enomem_stats_fork_failures_total{reason="cgroup_pids"}'
d_alerts='ForkFailures{reason="cgroup_pids"}'
d_cg_series="$cg_family{cgroup=\"$cg\",reason=\"cgroup_pids\"}"
d_cg_alerts="ServiceHitTasksMax{cgroup=\"$cg\",reason=\"cgroup_pids\"}"
series=${ENOMEM_PIPE_SERIES:-$d_series}
alerts=${ENOMEM_PIPE_ALERTS:-$d_alerts}
cg_series=${ENOMEM_PIPE_CGROUP_SERIES:-$d_cg_series}
cg_alerts=${ENOMEM_PIPE_CGROUP_ALERTS:-$d_cg_alerts}
limit=${ENOMEM_PIPE_TIMEOUT:-40}

n=0
pass=0
fail=0
out=
ok() { n=$((n + 1)); pass=$((pass + 1)); out="${out}ok $n $1
"; }
skip() { n=$((n + 1)); pass=$((pass + 1)); out="${out}ok $n $1 # SKIP $2
"; }
not_ok() {
	n=$((n + 1)); fail=$((fail + 1)); out="${out}not ok $n $1
"
	shift
	for l in "$@"; do out="$out# $l
"; done
}
finish() {
	echo "KTAP version 1"
	echo "1..$n"
	printf '%s' "$out"
	echo "$pass passed, $fail failed"
	[ $fail = 0 ]
	exit
}

if [ $# -lt 2 ] || [ $(($# % 2)) != 0 ]; then
	echo "usage: $0 LABEL DIR [LABEL DIR]..." >&2
	exit 2
fi
for t in prometheus prometheus-node-exporter curl; do
	if ! command -v $t >/dev/null; then
		not_ok "$t installed" "apt-get install prometheus prometheus-node-exporter curl"
		finish
	fi
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/enomem-pipeline.XXXXXX") || exit 1
pids=
# shellcheck disable=SC2329,SC2317 # called from the trap
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null; done
	for p in $pids; do wait "$p" 2>/dev/null; done
	rm -rf "$tmp"
}
trap cleanup EXIT
# a stop from outside (run.sh's timeout) still reports what ran, as a failure
trap 'not_ok "stopped by a signal before its end"; finish' INT TERM HUP

# listening PORT: something listens on 127.0.0.1 or any address at PORT
listening() {
	awk -v p=":$(printf '%04X' "$1")" 'FNR > 1 && $4 == "0A" &&
		substr($2, length($2) - 4) == p { f = 1 } END { exit !f }' \
		/proc/net/tcp /proc/net/tcp6 2>/dev/null
}
free_port() {
	while :; do
		p=$(($(od -An -N2 -tu2 /dev/urandom) % 30000 + 20000))
		listening $p || break
	done
	echo "$p"
}
# poll SECONDS CMD...: until CMD succeeds; fails after SECONDS
poll() {
	pl_end=$(($(date +%s) + $1))
	shift
	until "$@"; do
		[ "$(date +%s)" -ge "$pl_end" ] && return 1
		sleep 0.3
	done
}
get() { curl -sf --max-time 5 "$@"; }
prom() { # PATH [curl args]: GET from Prometheus' API
	pp=$1
	shift
	get -G "$@" "http://127.0.0.1:$pport$pp"
}
query() { prom /api/v1/query --data-urlencode "query=$1"; }
# values QUERY: one line per result of an instant query, its value
values() {
	query "$1" >"$tmp/q" || return 1
	grep -q '"status":"success"' "$tmp/q" || return 1
	grep -o '"value":\[[^]]*\]' "$tmp/q" | sed 's/.*,"\(.*\)"\]$/\1/'
}
# has_value QUERY VALUE: exactly one result, equal to VALUE
has_value() {
	v=$(values "$1") && [ "$(echo "$v" | wc -l)" = 1 ] &&
		awk -v a="$v" -v b="$2" 'BEGIN { exit !(a + 0 == b + 0 && a != "") }'
}
# with_label SELECTOR LABEL=VALUE: the selector with one more matcher
with_label() {
	case $1 in
	*"{}") echo "${1%\}}$2}" ;;
	*"}") echo "${1%\}},$2}" ;;
	*) echo "$1{$2}" ;;
	esac
}
# alert_query ALERT{LABELS} KERNEL: the ALERTS series of that alert, firing
alert_query() {
	a=${1%%\{*}
	l=
	[ "$a" != "$1" ] && l=${1#*\{} && l=",${l%\}}"
	echo "ALERTS{alertname=\"$a\",alertstate=\"firing\",kernel=\"$2\"$l}"
}
# snap_value FILE SERIES: the value of SERIES (written as enomemstat writes it)
snap_value() {
	awk -v s="$2" 'substr($0, 1, length(s) + 1) == s " " { print $NF; f = 1 } END { exit !f }' "$1"
}

# --- one node_exporter per guest, then Prometheus over them all ---
cfg=$tmp/prometheus.yml
cat >"$cfg" <<EOF
global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
rule_files:
  - $rules
scrape_configs:
  - job_name: node
    static_configs:
EOF
# start NAME LOG READY-URL-PATH FUNCTION: FUNCTION execs a daemon on $port,
# a free port, under timeout(1); a few ports are tried, should another
# program take one first
start() {
	st_ready=$3
	for _ in 1 2 3 4 5; do
		port=$(free_port)
		"$4" >"$2" 2>&1 &
		st_pid=$!
		pids="$pids $st_pid"
		# shellcheck disable=SC2317
		up() { kill -0 "$st_pid" 2>/dev/null && get -o /dev/null "http://127.0.0.1:$port$st_ready"; }
		poll "$limit" up && return 0
		kill $st_pid 2>/dev/null
		wait $st_pid 2>/dev/null
		# only a port taken meanwhile is worth another try
		grep -q 'address already in use' "$2" || break
	done
	not_ok "$1 starts and answers on 127.0.0.1" "$(tail -n 5 "$2" | tr '\n' ' ' | cut -c 1-600)"
	return 1
}
# shellcheck disable=SC2317 # called through start
node_exporter() {
	exec timeout 150 prometheus-node-exporter --web.listen-address="127.0.0.1:$port" \
		--collector.disable-defaults --collector.textfile \
		--collector.textfile.directory="$tmp/text$i" \
		--web.disable-exporter-metrics --log.level=warn
}
# shellcheck disable=SC2317
prometheus_server() {
	exec timeout 150 prometheus --config.file="$cfg" --web.listen-address="127.0.0.1:$port" \
		--storage.tsdb.path="$tmp/data" --log.level=warn
}
i=0
labels=
while [ $# -ge 2 ]; do
	i=$((i + 1))
	k=$1 d=$2
	shift 2
	mkdir -p "$tmp/text$i"
	for f in 1.prom 2.prom forks; do
		[ -s "$d/$f" ] || { not_ok "$k: $d/$f present"; continue 2; }
	done
	cp "$d/1.prom" "$tmp/text$i/enomem.prom"
	start "node_exporter ($k)" "$tmp/node$i.log" /metrics node_exporter || continue
	printf "      - targets: ['127.0.0.1:%s']\n        labels: {kernel: '%s'}\n" "$port" "$k" >>"$cfg"
	labels="$labels $i:$k:$d"
done
[ -n "$labels" ] || finish
mkdir "$tmp/data"
start prometheus "$tmp/prometheus.log" /-/ready prometheus_server || finish
pport=$port

# --- the rules Prometheus loaded ---
prom /api/v1/rules >"$tmp/rules.json"
bad=
for a in $alerts; do
	grep -q "\"name\":\"${a%%\{*}\"" "$tmp/rules.json" || bad="$bad ${a%%\{*}"
done
if [ -z "$bad" ]; then
	ok "prometheus loaded $(basename "$rules") with its alerts$(for a in $alerts; do printf ' %s' "${a%%\{*}"; done)"
else
	not_ok "prometheus loaded $(basename "$rules") with its alerts" "missing:$bad"
fi

# --- snapshot 1: scraped, its values, no alert while nothing moves ---
for e in $labels; do
	i=${e%%:*} k=${e#*:} d=${k#*:} k=${k%%:*}
	# three scrapes of 1.prom, then one evaluation more over them
	if poll "$limit" has_value "count_over_time(enomem_stats_module_loaded{kernel=\"$k\"}[5m]) >= bool 3" 1 &&
		poll "$limit" has_value "count_over_time(enomem_stats_module_loaded{kernel=\"$k\"}[5m]) >= bool 4" 1; then
		ok "$k: node_exporter serves snapshot 1 and prometheus scrapes it"
	else
		not_ok "$k: node_exporter serves snapshot 1 and prometheus scrapes it" \
			"$(tail -n 3 "$tmp/node$i.log" "$tmp/prometheus.log" | tr '\n' ' ' | cut -c 1-600)"
	fi
	v=$(values "node_textfile_scrape_error{kernel=\"$k\"}")
	if [ "$v" = 0 ]; then
		ok "$k: the textfile collector parses enomemstat's output"
	else
		not_ok "$k: the textfile collector parses enomemstat's output" \
			"node_textfile_scrape_error: ${v:-none}; $(tail -n 3 "$tmp/node$i.log" | tr '\n' ' ')"
	fi
	v=$(values "ALERTS{kernel=\"$k\"}" | wc -l)
	if [ "$v" = 0 ]; then
		ok "$k: no alert while snapshot 1's counters stand still"
	else
		not_ok "$k: no alert while snapshot 1's counters stand still" \
			"$(grep -o '"alertname":"[^"]*"' "$tmp/q" | tr '\n' ' ')"
	fi
done

# --- snapshot 2, swapped in atomically, as enomemstat -o writes ---
for e in $labels; do
	i=${e%%:*} d=${e#*:} d=${d#*:}
	cp "$d/2.prom" "$tmp/text$i/enomem.prom.tmp"
	mv "$tmp/text$i/enomem.prom.tmp" "$tmp/text$i/enomem.prom"
done

for e in $labels; do
	i=${e%%:*} k=${e#*:} d=${k#*:} k=${k%%:*}
	has_cg=
	grep -q "^${cg_family}[{ ]" "$d/2.prom" && has_cg=1
	for a in $alerts ${has_cg:+$cg_alerts}; do
		q=$(alert_query "$a" "$k")
		if poll "$limit" has_value "$q" 1; then
			ok "$k: alert $a firing"
		else
			why="no result for $q within $limit s"
			grep -q "\"name\":\"${a%%\{*}\"" "$tmp/rules.json" ||
				why="${a%%\{*} is not among the rules loaded from $rules"
			values "ALERTS{kernel=\"$k\"}" >/dev/null
			not_ok "$k: alert $a firing" "$why" \
				"ALERTS now: $(grep -o '"metric":{[^}]*}' "$tmp/q" | tr '\n' ' ' | cut -c 1-600)"
		fi
	done
	if [ -z "$has_cg" ]; then
		for a in $cg_alerts; do
			skip "$k: alert $a firing" "no $cg_family in the guest's enomemstat --prometheus"
		done
	fi
	# once the alert fired, the newest sample is 2.prom's
	for s in $series ${has_cg:+$cg_series}; do
		want=$(snap_value "$d/2.prom" "$s")
		if [ -z "$want" ]; then
			not_ok "$k: series $s" "not in the guest's snapshot 2"
		elif poll 5 has_value "$(with_label "$s" "kernel=\"$k\"")" "$want"; then
			ok "$k: series $s is $want, as enomemstat wrote"
		else
			not_ok "$k: series $s is $want, as enomemstat wrote" "prometheus: $(values "$(with_label "$s" "kernel=\"$k\"")" | tr '\n' ' ')"
		fi
	done
	if [ -z "$has_cg" ]; then
		for s in $cg_series; do
			skip "$k: series $s" "no $cg_family in the guest's enomemstat --prometheus"
		done
	fi
	# every sample enomemstat wrote, label for label and value for value
	bad=
	total=0
	# the value is the last field: a label value may hold spaces
	while IFS= read -r l; do
		case $l in "#"* | "") continue ;; esac
		s=${l% *} v=${l##* }
		total=$((total + 1))
		has_value "$(with_label "$s" "kernel=\"$k\"")" "$v" || bad="$bad $s=$v"
	done <"$d/2.prom"
	if [ -z "$bad" ] && [ "$total" -gt 0 ]; then
		ok "$k: all $total samples of snapshot 2 in prometheus with their values"
	else
		not_ok "$k: all $total samples of snapshot 2 in prometheus with their values" "differ:$(echo "$bad" | cut -c 1-600)"
	fi
	# the guest's own count: the provoked failures are in the snapshots
	f=$(cat "$d/forks")
	s=$d_series
	a=$(snap_value "$d/1.prom" "$s") b=$(snap_value "$d/2.prom" "$s")
	if [ "$((b - a))" = "$f" ] && [ "$f" -gt 0 ]; then
		ok "$k: the guest's $f refused forks are counted between the snapshots"
	else
		not_ok "$k: the guest's $f refused forks are counted between the snapshots" "cgroup_pids $a then $b"
	fi
done
finish
