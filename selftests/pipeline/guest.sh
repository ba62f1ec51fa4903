#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The guest's part of the Prometheus pipeline test (selftests/pipeline/run.sh
# runs the rest on the host).  In the test VM, with enomem_stats loaded:
#
#   guest.sh /path/to/static/enomemstat [FORKS]
#
# writes "enomemstat --prometheus" to the console twice, before and after
# FORKS (default 3) forks refused by the pids.max of a cgroup shaped like a
# systemd service's, /system.slice/pipe.service, so that the counters go up
# between the two snapshots (one more refusal comes before the first).  Output, for selftests/pipeline/extract.sh:
#
#   ENOMEM-PIPE-BEGIN 1          ENOMEM-PIPE-BEGIN 2
#   PIPE: <line of snapshot 1>   PIPE: <line of snapshot 2>
#   ENOMEM-PIPE-END 1            ENOMEM-PIPE-END 2
#   ENOMEM-PIPE-FORKS N          (between them: the refused forks attempted)
#
# Each line carries "PIPE: " so that no "# HELP" line reaches the KTAP judge.
# Prints no KTAP result itself: the host counts the pipeline's tests.

BIN=${1:?usage: guest.sh ENOMEMSTAT [FORKS]}
FORKS=${2:-3}
CG=/sys/fs/cgroup
UNIT=system.slice/pipe.service

snapshot() { # N
	echo "ENOMEM-PIPE-BEGIN $1"
	"$BIN" --prometheus 2>&1 | sed 's/^/PIPE: /'
	echo "ENOMEM-PIPE-END $1"
}

# The cgroup: v2 with pids enabled down to it, or the v1 pids hierarchy
# (3.10: RHEL 7's backported controller, mounted by the guest's /init).
if [ -f "$CG/cgroup.controllers" ] && grep -qw pids "$CG/cgroup.controllers"; then
	echo +pids > "$CG/cgroup.subtree_control"
	mkdir -p "$CG/${UNIT%/*}"
	echo +pids > "$CG/${UNIT%/*}/cgroup.subtree_control"
	G=$CG/$UNIT
elif [ -f "$CG/pids/cgroup.procs" ]; then
	G=$CG/pids/$UNIT
else
	echo "# pipeline: no pids controller at $CG (v2) or $CG/pids (v1)"
	G=
fi

# On v1, where a name=systemd hierarchy is mounted (RHEL 7's systemd puts
# every unit there), the unit's path there too, as systemd would: the
# module names the cgroup from that hierarchy when it can.
S=
if [ -n "$G" ]; then
	S=$(awk '$3 == "cgroup" && $4 ~ /(^|,)name=systemd(,|$)/ { print $2; exit }' /proc/mounts)
	[ -n "$S" ] && S=$S/$UNIT && mkdir -p "$S"
fi

# refuse N: N forks refused in the unit's cgroup, each by a shell alone in
# it (its one task) forking once: ash gives up with "can't fork".  The
# subshell is not the last command, so ash cannot run it unforked.
refuse() {
	i=0
	while [ $i -lt "$1" ]; do
		sh -c '{ [ -z "$2" ] || echo $$ > "$2/cgroup.procs"; } &&
			echo $$ > "$1/cgroup.procs" && ( : ); :' sh "$G" "$S" 2>/dev/null
		i=$((i + 1))
	done
}
# One refusal before the first snapshot: the unit's series exists in both,
# as for a service that hits its TasksMax again (increase() needs two
# samples of a series; a series new to Prometheus is the rule's other arm).
n=0
if [ -n "$G" ] && mkdir -p "$G" && echo 1 > "$G/pids.max"; then
	refuse 1
	snapshot 1
	refuse "$FORKS"
	n=$FORKS
else
	snapshot 1
fi
echo "ENOMEM-PIPE-FORKS $n"
snapshot 2
# the slices too, when nothing else is in them
[ -n "$G" ] && rmdir "$G" "${G%/*}" 2>/dev/null
[ -n "$S" ] && rmdir "$S" "${S%/*}" 2>/dev/null
exit 0
