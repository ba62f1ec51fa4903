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
 * failure-only site) or "none".  mprotect() cannot be refused for
 * RLIMIT_AS; brk() has no return probe.
 */
static const char *const enomem_mmc_mprotect_fns[] = { "split_vma", "vma_modify", NULL };
/* an mremap that moves: move_vma()'s check (mremap_to()'s covers MREMAP_FIXED only) */
static const char *const enomem_mmc_mremap_fns[] = { "move_vma", NULL };
static const char *const enomem_mmc_brk_fns[] = { "do_brk_flags", NULL };
static const char *const enomem_mmc_mmap_fns[] = { "do_mmap", "do_mmap_pgoff", NULL };

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

static unsigned int enomem_watch_by(unsigned int kind, const char *const *fns)
{
	if (enomem_maps_kind_watched(kind))
		return ENOMEM_W_RETURN;
	return fns && enomem_mapsites_in(fns) ? ENOMEM_W_SITE : ENOMEM_W_NONE;
}

void enomem_maps_show_watches(struct seq_file *m)
{
	unsigned int c = enomem_probes_commit_watched() ? ENOMEM_W_SITE : ENOMEM_W_NONE;
	const unsigned int commit[4] = { c, c, c, c };
	const unsigned int mmc[4] = {
		enomem_watch_by(ENOMEM_K_MMAP, enomem_mmc_mmap_fns),
		enomem_watch_by(ENOMEM_K_MPROTECT, enomem_mmc_mprotect_fns),
		enomem_watch_by(ENOMEM_K_MREMAP, enomem_mmc_mremap_fns),
		enomem_watch_by(ENOMEM_K_BRK, enomem_mmc_brk_fns),
	};
	const unsigned int as[4] = {
		enomem_watch_by(ENOMEM_K_MMAP, NULL), ENOMEM_W_NA,
		enomem_watch_by(ENOMEM_K_MREMAP, NULL), ENOMEM_W_NONE,
	};
	const unsigned int any[4] = {
		enomem_watch_by(ENOMEM_K_MMAP, NULL),
		enomem_watch_by(ENOMEM_K_MPROTECT, NULL),
		enomem_watch_by(ENOMEM_K_MREMAP, NULL), ENOMEM_W_NONE,
	};

	seq_puts(m, "# map reasons: watch reason all|partial|none call:return|site|none...\n");
	enomem_maps_show_watch(m, "max_map_count", mmc);
	enomem_maps_show_watch(m, "rlimit_as", as);
	enomem_maps_show_watch(m, "commit", commit);
	enomem_maps_show_watch(m, "memcg", any);
	enomem_maps_show_watch(m, "other", any);
}
