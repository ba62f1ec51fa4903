// SPDX-License-Identifier: GPL-2.0
/*
 * Load/unload cycles under fork storms, failers and readers on every vCPU
 * (the reload VM): nothing may oops, every read must be well formed, the
 * kprobes list must come back clean, and the failures must be counted.
 * Every other cycle loads with maps=1, so the mapping return probes come
 * and go too, under a task whose mmaps and threads RLIMIT_AS refuses, and
 * another whose threads vm.max_map_count refuses: every cycle must count
 * both exactly, the default ones by the failure-only sites.
 */
#include "stress.h"
#include <sys/klog.h>

/* vm.max_map_count while cycling: far above what the other tasks map */
#define RELOAD_MAX_MAP_COUNT 400
#define RELOAD_MAX_MAP_COUNT_STR "400"

void test_reload(int cycles, int maxsec)
{
	static char kp[65536], log[1 << 20];
	struct stats s, tot;
	char err[256], ebuf[512];
	pid_t pids[16];
	int np = 0, c, r, i, n = ncpus(), kmsg, ok = 1, kpok = kp_have, inv = 1, attr = 1;
	int retries = 0, done = 0, maps = 0, mapok = 1;
	unsigned long long mmc_default = 0, as_default = 0;
	char mmc_saved[32] = "";
	unsigned long events = 0, rec;
	unsigned int size;
	double t0, tl = 0, tu = 0, t;

	mod_unload(NULL);
	memset(sh->t, 0, sizeof(sh->t));
	memset(&tot, 0, sizeof(tot));
	sh->stop = 0;
	sh->gen = 0;
	sh->msg_taken = 0;
	sh->reads = sh->absent = sh->empty = sh->unexpected = sh->bad = 0;
	sh->nonmono = sh->ghost = 0;
	sh->dbg_reads = sh->dbg_absent = sh->dbg_unexpected = sh->dbg_bad = 0;
	r = cgroup_setup();
	if (r) {
		diag("pids cgroup: %s", strerror(r));
		ok = 0;
	}
	kmsg = kmsg_mark();
	/*
	 * A hang here must end the run with its stack on the console: panic on
	 * a soft lockup, and let warnings through to the serial log.
	 */
	write_file("/proc/sys/kernel/softlockup_panic", "1");
	klogctl(8, NULL, 5);	/* SYSLOG_ACTION_CONSOLE_LEVEL */
	for (i = 0; i < n; i++)
		pids[np++] = start_storm(i, -1, &sh->t[i]);
	pids[np++] = start_failer(W_PIDS, 0, -1, &sh->t[4]);
	pids[np++] = start_failer(W_NPROC, 1 % n, -1, &sh->t[5]);
	pids[np++] = start_map_failer(0, &sh->t[6]);
	if (read_file("/proc/sys/vm/max_map_count", mmc_saved, sizeof(mmc_saved)) < 0 ||
	    write_file("/proc/sys/vm/max_map_count", RELOAD_MAX_MAP_COUNT_STR)) {
		diag("vm.max_map_count: %s", strerror(errno));
		mmc_saved[0] = '\0';
		mapok = 0;
	} else {
		pids[np++] = start_mmc_failer(1 % n, RELOAD_MAX_MAP_COUNT, &sh->t[7]);
	}
	pids[np++] = start_proc_reader(0);
	pids[np++] = start_debugfs_reader(1 % n);

	t0 = now();
	for (c = 0; c < cycles && ok; c++) {
		sh->gen++;
		t = now();
		maps = c % 2 == 0;
		r = mod_load(maps ? "maps=1" : NULL);
		tl += now() - t;
		if (r) {
			diag("cycle %d: insmod: %s", c, strerror(r));
			ok = 0;
			break;
		}
		if (c == 0 && kp_have && (!kprobes_read(kp, sizeof(kp)) ||
					  !strcmp(kp, kp_base) || !kprobes_has_fork_entry(kp))) {
			diag("loaded, but the kprobes list shows no fork entry probe (kernel_clone, _do_fork or do_fork):\n%.600s",
			     kp);
			kpok = 0;
		}
		sleep_ms(20);
		r = stats_get(&s, err, sizeof(err));
		if (r) {
			diag("cycle %d: %s", c, err);
			inv = 0;
		}
		if (read_file(DBG "/events", ebuf, sizeof(ebuf)) > 0 &&
		    sscanf(ebuf, "# enomem_stats events: size %u recorded %lu", &size, &rec) == 2)
			events += rec;
		for (i = ST_FIRST_REASON; !r && i <= ST_LAST_REASON; i++)
			if (s.v[i] && i != ST_CGROUP_PIDS && i != ST_NPROC && i != ST_UNKNOWN) {
				if (attr)
					diag("cycle %d: %s %llu (only cgroup_pids and nproc refuse forks here)",
					     c, stat_names[i], s.v[i]);
				attr = 0;
			}
		if (!r && (s.v[ST_FORK_OTHER] || s.v[ST_FORK_ENOMEM])) {
			if (attr)
				diag("cycle %d: fork_enomem %llu fork_other %llu (only EAGAIN here)",
				     c, s.v[ST_FORK_ENOMEM], s.v[ST_FORK_OTHER]);
			attr = 0;
		}
		/*
		 * RLIMIT_AS and vm.max_map_count are the only mapping limits
		 * met here, and every load counts both.
		 */
		if (!r && s.v[ST_MAP_FAILED] != s.v[ST_MAP_MAX_MAP_COUNT] +
			  s.v[ST_MAP_RLIMIT_AS]) {
			if (mapok)
				diag("cycle %d (maps=%d): map_failed %llu, map_rlimit_as %llu, map_max_map_count %llu",
				     c, maps, s.v[ST_MAP_FAILED], s.v[ST_MAP_RLIMIT_AS],
				     s.v[ST_MAP_MAX_MAP_COUNT]);
			mapok = 0;
		}
		if (!r && !maps) {
			mmc_default += s.v[ST_MAP_STACK_MAX_MAP_COUNT];
			as_default += s.v[ST_MAP_STACK_RLIMIT_AS];
		}
		for (i = 0; !r && i < ST_COUNT; i++)
			tot.v[i] += s.v[i];
		t = now();
		r = mod_unload(&retries);
		tu += now() - t;
		if (r) {
			diag("cycle %d: rmmod: %s", c, strerror(r));
			ok = 0;
			break;
		}
		sh->gen++;
		if (path_exists(STATS) || path_exists(DBG) || mod_loaded()) {
			diag("cycle %d: %s, %s or /sys/module/%s still there after rmmod", c,
			     STATS, DBG, MODULE_NAME);
			ok = 0;
		}
		if (kp_have && (!kprobes_read(kp, sizeof(kp)) || strcmp(kp, kp_base))) {
			if (kpok)
				diag("cycle %d: kprobes list after rmmod differs from before the first load:\n%.800s",
				     c, kp);
			kpok = 0;
		}
		done++;
		if (done % 10 == 0)
			diag("cycle %d done at %.0f s", done, now() - t0);
		if (now() - t0 > maxsec) {
			diag("stopping after %d cycles: %.0f s", done, now() - t0);
			break;
		}
	}
	t = now() - t0;
	klogctl(8, NULL, 1);
	sh->stop = 1;
	for (i = 0; i < np; i++)
		waitpid(pids[i], NULL, 0);
	cgroup_remove();
	if (mmc_saved[0])
		write_file("/proc/sys/vm/max_map_count", mmc_saved);
	kmsg_since(kmsg, log, sizeof(log));
	if (kmsg >= 0)
		close(kmsg);

	diag("%d of %d load/unload cycles in %.1f s (insmod %.0f ms, rmmod %.0f ms on average; %d busy retries)",
	     done, cycles, t, done ? tl * 1000 / done : 0, done ? tu * 1000 / done : 0, retries);
	diag("under load: %llu failed forks counted (%llu cgroup_pids, %llu nproc, %llu unknown), %llu missed, %lu events recorded",
	     tot.v[ST_FORK_FAILED], tot.v[ST_CGROUP_PIDS], tot.v[ST_NPROC], tot.v[ST_UNKNOWN],
	     tot.v[ST_MISSED], events);
	for (i = 0; i < n; i++)
		tally_show("storm", &sh->t[i]);
	tally_show("pids.max", &sh->t[4]);
	tally_show("RLIMIT_NPROC", &sh->t[5]);
	diag("RLIMIT_AS task (fork=page, vfork=256 MiB mmap, thread=pthread_create):");
	tally_show("RLIMIT_AS", &sh->t[6]);
	diag("vm.max_map_count task (thread=pthread_create):");
	tally_show("max_map_count", &sh->t[7]);
	diag("default cycles: thread stacks counted: %llu refused by vm.max_map_count, %llu by RLIMIT_AS",
	     mmc_default, as_default);
	diag("all cycles: %llu failed mappings counted (%llu rlimit_as, %llu of them thread stacks), %llu map_missed",
	     tot.v[ST_MAP_FAILED], tot.v[ST_MAP_RLIMIT_AS],
	     tot.v[ST_MAP_STACK_RLIMIT_AS], tot.v[ST_MAP_MISSED]);
	result(ok && done == cycles, "stress_reload_cycles");

	if (sh->msg_taken)
		diag("%s", sh->msg);
	diag("proc reader: %lu reads (%lu absent, %lu empty), %lu broken, %lu went down, %lu while unloaded, %lu other errors",
	     sh->reads, sh->absent, sh->empty, sh->bad, sh->nonmono, sh->ghost, sh->unexpected);
	diag("debugfs reader: %lu reads (%lu absent), %lu bad headers, %lu other errors",
	     sh->dbg_reads, sh->dbg_absent, sh->dbg_bad, sh->dbg_unexpected);
	result(inv && sh->reads > (unsigned long)done && !sh->bad && !sh->nonmono && !sh->ghost &&
	       !sh->unexpected && sh->dbg_reads && !sh->dbg_bad && !sh->dbg_unexpected,
	       "stress_reload_invariants_every_read");
	if (!kp_have)
		result_skip("stress_reload_kprobes_clean", "no " KPROBES_LIST);
	else
		result(kpok && done, "stress_reload_kprobes_clean");
	/* the failing workers must really have failed, and been counted */
	result(attr && tot.v[ST_CGROUP_PIDS] && tot.v[ST_NPROC] &&
	       tally_failed(&sh->t[4], EAGAIN) && tally_failed(&sh->t[5], EAGAIN),
	       "stress_reload_attribution");
	result(mapok && tot.v[ST_MAP_RLIMIT_AS] && tot.v[ST_MAP_STACK_RLIMIT_AS] &&
	       tally_failed(&sh->t[6], ENOMEM) && tally_failed(&sh->t[6], EAGAIN) &&
	       sh->t[6].ok[K_PROC] && mmc_default && as_default &&
	       tally_failed(&sh->t[7], EAGAIN),
	       "stress_reload_maps_attribution");
	result(!log_has_warning(log), "stress_reload_no_warn_in_log");
}
