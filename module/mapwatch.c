// SPDX-License-Identifier: GPL-2.0
/*
 * The probes file's "watch" lines: for each mapping reason and call, whether
 * a maps=1 return probe, a failure-only site (mapsites.c) or nothing sees
 * it on this kernel, so that enomemstat --diagnose can say which zeros
 * prove nothing.
 */
#include <linux/seq_file.h>
#include "enomem_stats.h"

/*
 * How each reason is watched on this kernel, per call, so that a reader
 * does not take a 0 for "never happened": "watch REASON all|partial|none
 * CALL:HOW...", HOW being "return" (maps=1's return probe), "site" (a
 * failure-only site) or "none".  A call that cannot be refused for a
 * reason is not listed: mprotect() for RLIMIT_AS (it changes no size),
 * mmap/mprotect/mremap for RLIMIT_DATA before 4.7 (only brk() checked it,
 * by itself), any call for a memcg on 3.10.  brk() has no return probe, and its own RLIMIT_DATA check
 * (check_data_rlimit(), before do_brk_flags()) has no ENOMEM: it is
 * "none" for rlimit_data whatever do_brk_flags() shows.
 */
static const char *const enomem_w_mmap_fns[] = {
	"do_mmap", "do_mmap_pgoff", "mmap_region", "__mmap_region", NULL };
static const char *const enomem_w_mprotect_fns[] = {
	"split_vma", "vma_modify", "mprotect_fixup", "__split_vma", NULL };
/* an mremap that moves: move_vma()'s check (mremap_to()'s covers MREMAP_FIXED only) */
static const char *const enomem_w_mremap_mmc_fns[] = { "move_vma", NULL };
/*
 * RLIMIT_AS and RLIMIT_DATA refuse an mremap() that must move where
 * vma_to_resize() calls may_expand_vm(): a block in it (5.10), or, where
 * it decides with a cmov (6.x), the IS_ERR() side in its caller.
 */
static const char *const enomem_w_mremap_rlimit_fns[] = { "vma_to_resize", NULL };
static const char *const enomem_w_mremap_resize_fns[] = {
	"__do_sys_mremap", "SyS_mremap", NULL };
static const char *const enomem_w_mremap_alloc_fns[] = { "copy_vma", NULL };
static const char *const enomem_w_brk_fns[] = { "do_brk_flags", NULL };

enum { ENOMEM_W_NONE, ENOMEM_W_SITE, ENOMEM_W_RETURN, ENOMEM_W_NA };

static void enomem_maps_show_watch(struct seq_file *m, const char *reason,
				   const unsigned int how[4])
{
	static const char *const calls[4] = { "mmap", "mprotect", "mremap", "brk" };
	static const char *const names[] = { "none", "site", "return" };
	unsigned int i, n = 0, seen = 0;

	for (i = 0; i < 4; i++) {
		n += how[i] != ENOMEM_W_NA;
		seen += how[i] == ENOMEM_W_SITE || how[i] == ENOMEM_W_RETURN;
	}
	seq_printf(m, "watch %s %s", reason,
		   seen == n ? "all" : seen ? "partial" : "none");
	for (i = 0; i < 4; i++)
		if (how[i] != ENOMEM_W_NA)
			seq_printf(m, " %s:%s", calls[i], names[how[i]]);
	seq_putc(m, '\n');
}

/* KIND's return probe, else a site for one of REASONS in FNS */
static unsigned int enomem_watch_by(unsigned int kind, const char *const *fns,
				    unsigned int reasons)
{
	if (enomem_maps_kind_watched(kind))
		return ENOMEM_W_RETURN;
	return fns && enomem_mapsites_in(fns, reasons) ? ENOMEM_W_SITE : ENOMEM_W_NONE;
}

/* How REASONS are watched for each of the four calls. */
static void enomem_watch_calls(unsigned int how[4], unsigned int reasons,
			       const char *const *mremap_fns)
{
	how[0] = enomem_watch_by(ENOMEM_K_MMAP, enomem_w_mmap_fns, reasons);
	how[1] = enomem_watch_by(ENOMEM_K_MPROTECT, enomem_w_mprotect_fns, reasons);
	how[2] = enomem_watch_by(ENOMEM_K_MREMAP, mremap_fns, reasons);
	how[3] = enomem_watch_by(ENOMEM_K_BRK, enomem_w_brk_fns, reasons);
}

void enomem_maps_show_watches(struct seq_file *m)
{
	unsigned int c = enomem_probes_commit_watched() ? ENOMEM_W_SITE : ENOMEM_W_NONE;
	const unsigned int commit[4] = { c, c, c, c };
	unsigned int mmc[4], as[4], data[4], memcg[4];
	const unsigned int other[4] = {
		enomem_watch_by(ENOMEM_K_MMAP, NULL, 0),
		enomem_watch_by(ENOMEM_K_MPROTECT, NULL, 0),
		enomem_watch_by(ENOMEM_K_MREMAP, NULL, 0), ENOMEM_W_NONE,
	};

	enomem_watch_calls(mmc, ENOMEM_MS_MAP_COUNT, enomem_w_mremap_mmc_fns);
	enomem_watch_calls(as, ENOMEM_MS_EXPAND, enomem_w_mremap_rlimit_fns);
	if (as[2] == ENOMEM_W_NONE)
		as[2] = enomem_watch_by(ENOMEM_K_MREMAP, enomem_w_mremap_resize_fns,
					ENOMEM_MS_RESIZE);
	as[1] = ENOMEM_W_NA;
	enomem_watch_calls(data, ENOMEM_MS_EXPAND, enomem_w_mremap_rlimit_fns);
	data[2] = as[2];
	data[3] = ENOMEM_W_NONE;
	if (!ENOMEM_DATA_LIMITED)
		data[0] = data[1] = data[2] = ENOMEM_W_NA;
	enomem_watch_calls(memcg, ENOMEM_MS_ALLOC, enomem_w_mremap_alloc_fns);
	/* 3.10 allocates vmas uncharged (its v1 memcg refuses no mapping call) */
	if (!enomem_mapsites_vma_alloc())
		memcg[0] = memcg[1] = memcg[2] = memcg[3] = ENOMEM_W_NA;

	seq_puts(m, "# map reasons: watch reason all|partial|none call:return|site|none...\n");
	enomem_maps_show_watch(m, "max_map_count", mmc);
	enomem_maps_show_watch(m, "rlimit_as", as);
	enomem_maps_show_watch(m, "commit", commit);
	enomem_maps_show_watch(m, "memcg", memcg);
	enomem_maps_show_watch(m, "other", other);
	enomem_maps_show_watch(m, "rlimit_data", data);
}
