# SPDX-License-Identifier: GPL-2.0
#
# One kernel's section of bench/results.md, from the guest's BENCH lines.
#
# awk -v kver=KVER -v wall=SECONDS -v clock=icount|wall -v scale=N -f report.awk bench.log
#
# Every comparison is per round: a mode's time divided by the floor's time in
# the same round (or, for procread, by procref in the same mode and round),
# then the median and the middle half of those ratios over the rounds.  A
# two-sided sign test over the rounds says whether a mode was slower (or
# faster) than the floor more often than chance would have it.

function sort_n(a, n,    i, j, t) {	# insertion sort of a[1..n]
	for (i = 2; i <= n; i++) {
		t = a[i]
		for (j = i - 1; j >= 1 && a[j] > t; j--)
			a[j + 1] = a[j]
		a[j + 1] = t
	}
}

function quantile(a, n, q,    pos, lo) {	# a sorted; linear interpolation
	if (n == 0)
		return ""
	pos = 1 + (n - 1) * q
	lo = int(pos)
	if (lo >= n)
		return a[n]
	return a[lo] + (pos - lo) * (a[lo + 1] - a[lo])
}

# Binomial(n, 1/2) two-sided p-value for k successes.
function sign_p(k, n,    i, c, tail, m) {
	m = k < n - k ? k : n - k
	tail = 0
	c = 1
	for (i = 0; i <= m; i++) {
		tail += c
		c = c * (n - i) / (i + 1)
	}
	tail = 2 * tail / 2 ^ n
	return tail > 1 ? 1 : tail
}

# The reference of round i: a mode's time, or for "floors" the geometric
# mean of the two floor runs of the round (floor and floor2), which halves
# the weight of any one disturbed floor run.  0 when missing.
function ref(refm, refw, i) {
	if (refm == "floors") {
		if (("floor", refw, i) in t && ("floor2", refw, i) in t)
			return sqrt(t["floor", refw, i] * t["floor2", refw, i])
		refm = "floor"
	}
	return (refm, refw, i) in t ? t[refm, refw, i] : 0
}

# Ratio of mode m to reference mode/workload per round; fills global r[], nr, up.
function ratios(m, w, refm, refw,    i, d) {
	nr = 0
	up = 0
	for (i = 1; i <= maxround; i++) {
		d = ref(refm, refw, i)
		if (!((m, w, i) in t) || d <= 0)
			continue
		r[++nr] = t[m, w, i] / d
		if (r[nr] > 1)
			up++
	}
	sort_n(r, nr)
}

# "1.004 (0.991-1.012) 6/9" or "-"
function cell(m, w, refm, refw,    med, s) {
	ratios(m, w, refm, refw)
	if (nr == 0)
		return "-"
	med = quantile(r, nr, 0.5)
	s = sprintf("%.3f (%.3f-%.3f) %d/%d", med, quantile(r, nr, 0.25),
		    quantile(r, nr, 0.75), up, nr)
	if (sign_p(up, nr) < 0.05)
		s = s (up * 2 > nr ? " **slower**" : " **faster**")
	return s
}

# the floor's own round-to-round spread: median absolute deviation, in %
function mad_pct(m, w,    i, n, a, d, med) {
	n = 0
	for (i = 1; i <= maxround; i++)
		if ((m, w, i) in t)
			a[++n] = t[m, w, i]
	if (n == 0)
		return "-"
	sort_n(a, n)
	med = quantile(a, n, 0.5)
	for (i = 1; i <= n; i++)
		d[i] = a[i] > med ? a[i] - med : med - a[i]
	sort_n(d, n)
	return sprintf("%.1f%%", 100 * quantile(d, n, 0.5) / med)
}

function kib(b) { return sprintf("%.1f KiB", b / 1024) }

/^BENCH-BEGIN / { cpus = $NF; sub(/^cpus=/, "", cpus) }
/^BENCH / && NF == 5 && $5 ~ /^[0-9]+$/ {
	t[$2, $3, $4] = $5
	if ($4 + 0 > maxround)
		maxround = $4 + 0
	seen[$2, $3] = 1
	if ($2 ~ /^(rev|module)-/ && !($2 in isrev)) {
		isrev[$2] = 1
		revs[++nrevs] = $2
	}
}
/^BENCH-PEER / { peer = $0; sub(/^BENCH-PEER /, "", peer) }
/^BENCH-MEM (before|after) / {
	for (i = 3; i <= NF; i++) {
		split($i, kv, "=")
		mem[$2, kv[1]] = kv[2]
	}
}
/^BENCH-MEM lsmod_size / { lsmod = $3 }
/^BENCH-MEM maxactive / { maxactive = $3 }
/^BENCH-MEM ctx_table=/ {
	for (i = 2; i <= NF; i++) {
		split($i, kv, "=")
		own[kv[1]] = kv[2]
	}
}
/^BENCH-KPROBES / {
	nkp++
	if ($3 == "r")
		nkret++
	if ($0 ~ /FTRACE/)
		nftrace++
	if ($0 ~ /OPTIMIZED/)
		nopt++
}
/^BENCH-HITS / && $3 == "registered" { hits[++nhits] = $2 " " $5 }

END {
	nw = split("fork thread spawn mmap failfork", wl, " ")
	nm = split("floor2 module module+log ftrace", ml, " ")
	# diagnosis columns, when the run had them (BENCH_DIAG=1)
	# and earlier commits' modules (BENCH_BASELINE), in the order first seen
	for (i = 1; i <= nrevs; i++)
		ml[++nm] = revs[i]
	# the loops' sizes at scale 1, as in bench.sh
	it["fork"] = 100; it["thread"] = 300; it["spawn"] = 50; it["mmap"] = 2000
	it["failfork"] = 500; it["procread"] = 500; it["procref"] = 500

	printf "## Linux %s\n\n", kver
	printf "%d rounds in %s (%s s of wall time for the last boot, setup and all its runs); %d emulated CPUs; clock: %s.\n", \
	       maxround, (died > 0 ? (died + 1) " boots" : "one boot"), wall, cpus, clock == "icount" ? "QEMU -icount shift=0,sleep=off (1 ns = 1 emulated instruction)" : "wall (QEMU as in the rig)"
	if (died > 0)
		printf "%d earlier boot%s of this kernel died before finishing; the rounds %s finished are kept (each ratio compares modes within one round of one boot) and the next boot ran the rest (serial logs kept beside this one's).\n", \
		       died, died == 1 ? "" : "s", died == 1 ? "it" : "they"
	printf "Iterations per timed loop: fork %d, thread %d, spawn %d, mmap %d, failfork %d, procread/procref %d.\n\n", \
	       it["fork"] * scale, it["thread"] * scale, it["spawn"] * scale, it["mmap"] * scale, \
	       it["failfork"] * scale, it["procread"] * scale
	printf "Ratio to the floor: per round, the mode's time over the geometric mean of that round's two floor\n"
	printf "runs; the median of those ratios; in brackets the 25th-75th percentile; then in how many rounds\n"
	printf "the mode was slower; **slower**/**faster** where a two-sided sign test over the rounds gives\n"
	printf "p < 0.05. The A/A column is floor2 over floor alone: what \"no difference\" looks like. Floor MAD:\n"
	printf "the floor's own round-to-round median absolute deviation. The peer (ftrace column): \`%s\`.\n\n", \
	       peer != "" ? peer : "r:enomem_bench kernel_clone ret=$retval"
	printf "| workload | floor MAD | floor2 (A/A)"
	for (j = 2; j <= nm; j++)
		printf " | %s", ml[j]
	printf " | module / ftrace |\n|---|---"
	for (j = 1; j <= nm + 1; j++)
		printf "|---"
	printf "|\n"
	for (i = 1; i <= nw; i++) {
		w = wl[i]
		printf "| %s | %s", w, mad_pct("floor", w)
		printf " | %s", cell("floor2", w, "floor", w)
		for (j = 2; j <= nm; j++)
			printf " | %s", cell(ml[j], w, "floors", w)
		printf " | %s |\n", cell("module", w, "ftrace", w)
	}
	printf "\nReading /proc/enomem_stats, as a ratio to reading /proc/vmstat in the same mode and round:\n"
	printf "%s with the module loaded; %s with log=1.\n\n", \
	       cell("module", "procread", "module", "procref"), \
	       cell("module+log", "procread", "module+log", "procref")

	printf "### Memory\n\n"
	printf "| what | size |\n|---|---|\n"
	printf "| module text+data (lsmod) | %s |\n", lsmod != "" ? kib(lsmod) : "-"
	printf "| per-fork context table (vmalloc) | %s |\n", "ctx_table" in own ? kib(own["ctx_table"]) : "-"
	printf "| per-CPU counters (all CPUs) | %s |\n", "percpu_counters" in own ? kib(own["percpu_counters"]) : "-"
	printf "| event ring (events=256) | %s |\n", "event_ring" in own ? kib(own["event_ring"]) : "-"
	if (("before", "Slab") in mem && ("after", "Slab") in mem) {
		printf "| /proc/meminfo after insmod minus before: Slab, Percpu, VmallocUsed | %+d, %+d, %+d KiB |\n", \
		       mem["after", "Slab"] - mem["before", "Slab"], \
		       mem["after", "Percpu"] - mem["before", "Percpu"], \
		       mem["after", "VmallocUsed"] - mem["before", "VmallocUsed"]
		printf "| /proc/meminfo MemFree after insmod minus before | %+d KiB |\n", \
		       mem["after", "MemFree"] - mem["before", "MemFree"]
	}
	printf "\nThe meminfo deltas include what the kernel allocates for the module: its loaded image, and for\n"
	printf "each of its %d kretprobes %s preallocated return instances (maxactive). %d of its %d probes\n", \
	       nkret, maxactive != "" ? maxactive : "maxactive", nftrace, nkp
	printf "are ftrace-based and %d jump-optimized (neither takes an int3 trap).\n\n", nopt
	if (nhits) {
		printf "Probe hits over all workloads of the last module round (symbol, hits):"
		for (i = 1; i <= nhits; i++)
			printf "%s `%s`", (i > 1 ? "," : ""), hits[i]
		printf ".\n\n"
	}
}
