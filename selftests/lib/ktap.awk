# SPDX-License-Identifier: GPL-2.0
#
# Judge one VM's serial log.  Only KTAP result lines between
# "ENOMEM-SELFTEST-BEGIN" and "ENOMEM-SELFTEST-END" count; the console may
# carry anything else.  A result with indented subtest results before it is
# a parent: its leaves count, it does not.  Tests of the plan that never
# reported (a panic, a hang, a timeout) count as failed.
#
# awk -v label=KVER -v expect=N -f ktap.awk serial.log
#   expect: tests to assume when the plan line never arrived.
# Prints every result as "label: ok ...", the diagnostics of each failure,
# and last "RESULT passed failed skipped".

function result(line, indented,    ok, skip) {
	ok = line ~ /^ok /
	skip = line ~ /# [Ss][Kk][Ii][Pp]/
	if (skip && ok)
		skipped++
	else if (ok)
		passed++
	else
		failed++
	printf "%s: %s%s\n", label, indented ? "  " : "", line
	if (!ok)
		printf "%s", diag
}

{ sub(/\r+$/, "") }

!begun && /^ENOMEM-SELFTEST-BEGIN/ { begun = 1; next }
!begun { next }
ended { next }
/^ENOMEM-SELFTEST-END/ { ended = 1; next }

/^1\.\.[0-9]+$/ && plan == "" { plan = substr($0, 4) + 0; next }

/^    (not )?ok [0-9]+ / {
	sub(/^    /, "")
	result($0, 1)
	leaves++
	diag = ""
	next
}

/^(not )?ok [0-9]+ / {
	top++
	if (leaves) {
		# A parent: its leaves were counted; only report it.
		printf "%s: %s\n", label, $0
		leaves = 0
	} else {
		result($0, 0)
	}
	diag = ""
	next
}

/^ *# / { diag = diag label ":     " $0 "\n"; next }

END {
	if (plan == "")
		plan = expect
	if (!begun)
		printf "%s: the VM never reached its tests\n", label
	else if (!ended)
		printf "%s: the run did not reach its end marker (panic, hang or timeout)\n", label
	if (top < plan) {
		printf "%s: %d of %d planned tests did not report: counted as failed\n",
		       label, plan - top, plan
		failed += plan - top
	}
	if (top > plan) {
		printf "%s: %d results for a plan of %d\n", label, top, plan
		failed++
	}
	printf "RESULT %d %d %d\n", passed, failed, skipped
}
