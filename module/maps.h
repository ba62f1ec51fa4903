/* SPDX-License-Identifier: GPL-2.0 */
/* Between maps.c (the call) and mapreason.c (its reason). */
#ifndef _ENOMEM_MAPS_H
#define _ENOMEM_MAPS_H

#include <linux/types.h>
#include "enomem_stats.h"

/* What one failed call asked for, from its syscall's registers. */
struct enomem_map_call {
	unsigned int kind;	/* ENOMEM_K_MMAP ... ENOMEM_K_MREMAP */
	bool known;		/* from that syscall itself */
	bool stack;
	bool fixed;		/* MAP_FIXED, MREMAP_FIXED: unmaps what is there */
	bool moves;		/* mremap() may move (or shrinks): may split */
	bool data;		/* private and writable: counts against RLIMIT_DATA */
	unsigned long pages;	/* the request (growth) */
};

/* The reason that refused C (all, first match wins), or one of them alone. */
enum enomem_map_reason enomem_map_classify(const struct enomem_map_call *c,
					   struct enomem_event *e);
bool enomem_map_count_event(const struct enomem_map_call *c, struct enomem_event *e);
bool enomem_map_as_event(const struct enomem_map_call *c, struct enomem_event *e);
bool enomem_map_data_event(const struct enomem_map_call *c, struct enomem_event *e);
bool enomem_map_memcg(struct enomem_event *e);

#endif /* _ENOMEM_MAPS_H */
