// SPDX-License-Identifier: GPL-2.0
/*
 * Which failure-only vm.max_map_count sites the module found at load
 * (debugfs "probes", its "site" lines): what the maps=0 tests rely on, and
 * per kernel release the list they must be.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/utsname.h>
#include <unistd.h>
#include "ktap.h"
#include "tests.h"
#include "util.h"

#define SITES(...) ((const char *const []){ __VA_ARGS__, NULL })

/*
 * The failure-only mapping sites this kernel is known to have, by
 * release, as FUNCTION/CHECK (the checks a "site" line lists: max_map_count,
 * rlimit for may_expand_vm's RLIMIT_AS/RLIMIT_DATA, alloc for a vma
 * allocation, resize for vma_to_resize()'s errors): a kernel whose code moved shows here as a failing test, not
 * as a count that stays 0.  Red Hat's own gcc 4.8.5 build of 3.10 may lay
 * its blocks out otherwise (this list is of the rig's gcc 12 build): there
 * a failure says which site the scanner refused.
 */
static const struct {
	const char *release;	/* prefix of uname -r (not the debug kernel's 6.1.x-enomem-debug) */
	const char *const *sites;
} known_sites[] = {
	{ "3.10.0-1160.", SITES("split_vma/max_map_count", "do_munmap/max_map_count",
				"do_brk_flags/max_map_count", "do_brk_flags/rlimit",
				"mmap_region/rlimit") },
	{ "5.10.0-", SITES("split_vma/max_map_count", "__do_munmap/max_map_count",
			   "move_vma/max_map_count", "__do_sys_mremap/max_map_count",
			   "__do_sys_mremap/rlimit", "vma_to_resize/rlimit",
			   "do_brk_flags/max_map_count", "do_brk_flags/rlimit",
			   "mmap_region/rlimit", "mmap_region/alloc",
			   "mprotect_fixup/rlimit", "__split_vma/alloc", "copy_vma/alloc") },
	{ "6.1.0-", SITES("split_vma/max_map_count", "do_mas_align_munmap/max_map_count",
			  "move_vma/max_map_count", "__do_sys_mremap/max_map_count",
			  "__do_sys_mremap/rlimit", "do_brk_flags/max_map_count",
			  "do_brk_flags/rlimit", "do_brk_flags/alloc", "mmap_region/rlimit",
			  "mmap_region/alloc", "mprotect_fixup/rlimit", "__split_vma/alloc",
			  "copy_vma/alloc", "__do_sys_mremap/resize") },
	{ "6.12.", SITES("split_vma/max_map_count", "vma_modify/max_map_count",
			 "vms_gather_munmap_vmas/max_map_count", "move_vma/max_map_count",
			 "__do_sys_mremap/max_map_count", "__do_sys_mremap/rlimit",
			 "do_brk_flags/max_map_count", "do_brk_flags/rlimit",
			 "do_brk_flags/alloc", "__mmap_region/rlimit", "__mmap_region/alloc",
			 "mprotect_fixup/rlimit", "__split_vma/alloc", "copy_vma/alloc",
			 "__do_sys_mremap/resize") },
};

static char probes_buf[8192];

/* The probes file of the module as loaded now; LOADED 0: none. */
int map_sites_read(int loaded)
{
	probes_buf[0] = '\n';
	probes_buf[1] = '\0';
	if (loaded && read_file(DEBUGFS_DIR "/probes", probes_buf + 1,
				sizeof(probes_buf) - 1) >= 0)
		return 0;
	probes_buf[0] = '\0';
	return -1;
}

/*
 * Every FUNCTION/CHECK of the live sites, space-separated with a space at
 * both ends, from the "site" and "check" lines (status registered).
 */
static void live_pairs(char *out, size_t len)
{
	char fn[64], checks[64], status[16], *c;
	const char *p;
	size_t n;

	snprintf(out, len, " ");
	for (p = probes_buf; (p = strpbrk(p, "\n")); p++) {
		if (sscanf(p + 1, "site %63[^+]+%*s %15s %*d %*u %63s", fn, status, checks) != 3 &&
		    sscanf(p + 1, "check %63[^+]+%*s %15s %*d %*u %63s", fn, status, checks) != 3)
			continue;
		if (strcmp(status, "registered"))
			continue;
		for (c = strtok(checks, ","); c; c = strtok(NULL, ",")) {
			n = strlen(out);
			snprintf(out + n, len - n, "%s/%s ", fn, c);
		}
	}
}

/* Is a site for FUNCTION/CHECK registered (a "site" or "check" line)? */
int map_site_live(const char *pair)
{
	static char live[4096];
	char pat[160];

	live_pairs(live, sizeof(live));
	snprintf(pat, sizeof(pat), " %s ", pair);
	return strstr(live, pat) != NULL;
}

void test_map_sites_found(void)
{
	static char live[4096];
	struct utsname u;
	const char *const *f;
	char missing[512] = "", extra[512] = "", pair[160], *p, *e;
	size_t k, n;
	int ok;

	uname(&u);
	for (k = 0; k < sizeof(known_sites) / sizeof(known_sites[0]); k++)
		if (!strncmp(u.release, known_sites[k].release,
			     strlen(known_sites[k].release)))
			break;
	if (k == sizeof(known_sites) / sizeof(known_sites[0])) {
		ktap_skip("map_sites_found", "no list of sites for this kernel");
		return;
	}
	if (!probes_buf[0]) {
		ktap_result(0, "map_sites_found");
		return;
	}
	live_pairs(live, sizeof(live));
	for (f = known_sites[k].sites; *f; f++) {
		snprintf(pair, sizeof(pair), " %s ", *f);
		if (!strstr(live, pair)) {
			n = strlen(missing);
			snprintf(missing + n, sizeof(missing) - n, " %.100s", *f);
		}
	}
	/* and no site where none is known */
	for (p = live + 1; *p; p = e + 1) {
		e = strchr(p, ' ');
		if (!e)
			break;
		*e = '\0';
		for (f = known_sites[k].sites; *f && strcmp(*f, p); f++)
			;
		if (!*f) {
			n = strlen(extra);
			snprintf(extra + n, sizeof(extra) - n, " %.100s", p);
		}
		*e = ' ';
	}
	ok = !missing[0] && !extra[0];
	ktap_diag("%s: live sites:%s", u.release, live);
	if (!ok) {
		ktap_diag("%s: sites missing:%s; unexpected:%s", u.release,
			  missing[0] ? missing : " none", extra[0] ? extra : " none");
		ktap_diag_file("probes", DEBUGFS_DIR "/probes");
	}
	ktap_result(ok, "map_sites_found");
}

/* The sum of the "site" lines' hits in the probes file, -1 if unreadable. */
static long long site_hits(void)
{
	long long sum = 0, h;
	const char *p;

	if (map_sites_read(1))
		return -1;
	for (p = probes_buf; (p = strpbrk(p, "\n")); p++)
		if (sscanf(p + 1, "site %*s %*s %*d %lld", &h) == 1 ||
		    sscanf(p + 1, "check %*s %*s %*d %lld", &h) == 1)
			sum += h;
	return sum;
}

static void *thread_noop(void *arg)
{
	return arg;
}

/*
 * Mapping calls that pass every check, through each path a site sits on
 * (splits by mprotect and munmap, a moving and a shrinking mremap, brk up
 * and down, thread stacks): no site may fire.  A block the scanner took
 * for a refusal but that success reaches would show here.
 */
void test_map_sites_quiet(void)
{
	long page = sysconf(_SC_PAGESIZE);
	long long before = site_hits(), after;
	pthread_t th;
	char *m, *r, *b;
	int i, bad = 0;

	for (i = 0; i < 100 && before >= 0; i++) {
		m = mmap(NULL, 8 * page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (m == MAP_FAILED || mprotect(m + page, 2 * page, PROT_READ) ||
		    munmap(m + 4 * page, page))
			bad++;
		r = m == MAP_FAILED ? MAP_FAILED :
		    mremap(m + 5 * page, 3 * page, 64 * page, MREMAP_MAYMOVE);
		if (r == MAP_FAILED || mremap(r, 64 * page, page, 0) == MAP_FAILED)
			bad++;
		if (m != MAP_FAILED)
			munmap(m, 5 * page);
		if (r != MAP_FAILED)
			munmap(r, page);
		b = sbrk(0);
		if (sbrk(4 * page) == (void *)-1 || brk(b))
			bad++;
		if (pthread_create(&th, NULL, thread_noop, NULL))
			bad++;
		else
			pthread_join(th, NULL);
	}
	after = site_hits();
	ktap_diag("site hits %lld before, %lld after; %d calls failed", before, after, bad);
	ktap_result(before >= 0 && after == before && !bad, "map_sites_quiet_on_success");
}
