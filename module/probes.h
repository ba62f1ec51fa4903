/* SPDX-License-Identifier: GPL-2.0 */
/*
 * enomem_stats: what the probe files share.  The table and its
 * registration (probes.c) name the handlers of the fork entry (fork.c) and
 * of the reason probes (reasons.c); the load-time search for failure-only
 * sites (sites.c) fills in the table's offsets before registration.
 */
#ifndef _ENOMEM_PROBES_H
#define _ENOMEM_PROBES_H

#include <linux/kprobes.h>
#include <linux/percpu.h>
#include "enomem_stats.h"

/*
 * A failure-only site probe may need a probe on each of several calls (a
 * compiler can lay one source-level call out more than once): the first is
 * the table entry's own kprobe, the others are here.
 */
#define ENOMEM_SITES_MAX 4

struct enomem_more_sites {
	unsigned int n;
	unsigned long offset[ENOMEM_SITES_MAX - 1];
	struct kprobe kp[ENOMEM_SITES_MAX - 1];
};

struct enomem_probe {
	const char *const *symbols;	/* candidates, NULL-terminated */
	const char *role;		/* what it tells apart, for the probes file */
	bool ret;			/* kretprobe (else kprobe) */
	bool unneeded;			/* this kernel's attribution does without it */
	unsigned long offset;		/* kprobe: into the function, else 0 */
	size_t data_size;
	kretprobe_handler_t entry;
	kretprobe_handler_t exit;
	kprobe_pre_handler_t pre;
	struct enomem_more_sites *more;	/* site probes: the other call sites */
	/* state */
	struct kretprobe rp;
	struct kprobe kp;
	const char *symbol;		/* the one that registered */
	int err;
	bool active;
};

/* probes.c: the table, indexed by enum enomem_probe_id */
extern struct enomem_probe enomem_probes[ENOMEM_NR_PROBES];
DECLARE_PER_CPU(unsigned long [ENOMEM_NR_PROBES], enomem_probe_hits);

#define enomem_hit(id) this_cpu_inc(enomem_probe_hits[id])

void enomem_probe_register(struct enomem_probe *p);
void enomem_probe_unregister(struct enomem_probe *p);
unsigned long enomem_probes_sub_nmissed(void);

/* fork.c: the fork entry */
extern const char *enomem_fork_end_symbol[];
int enomem_fork_entry(struct kretprobe_instance *ri, struct pt_regs *regs);
int enomem_fork_return(struct kretprobe_instance *ri, struct pt_regs *regs);
int enomem_fork_begin(struct kprobe *p, struct pt_regs *regs);
int enomem_fork_end(struct kprobe *p, struct pt_regs *regs);
bool enomem_fork_bracket(void);
void enomem_fork_ok_unregister(void);

/* reasons.c: stage markers, failure-only sites, return and cold probes */
struct enomem_vm_data {
	struct enomem_fork_ctx *ctx;
	unsigned long pages;
};

int enomem_creds_pre(struct kprobe *p, struct pt_regs *regs);
int enomem_pid_pre(struct kprobe *p, struct pt_regs *regs);
int enomem_pid_site_pre(struct kprobe *p, struct pt_regs *regs);
int enomem_pids_pre(struct kprobe *p, struct pt_regs *regs);
int enomem_pids_site_pre(struct kprobe *p, struct pt_regs *regs);
int enomem_pids_return(struct kretprobe_instance *ri, struct pt_regs *regs);
int enomem_rlimit_pre(struct kprobe *p, struct pt_regs *regs);
int enomem_nproc_site_pre(struct kprobe *p, struct pt_regs *regs);
int enomem_rlimit_return(struct kretprobe_instance *ri, struct pt_regs *regs);
int enomem_vm_entry(struct kretprobe_instance *ri, struct pt_regs *regs);
int enomem_vm_return(struct kretprobe_instance *ri, struct pt_regs *regs);
int enomem_vm_warn_pre(struct kprobe *p, struct pt_regs *regs);
int enomem_vm_err_pre(struct kprobe *p, struct pt_regs *regs);
int enomem_memcg_reclaim_pre(struct kprobe *p, struct pt_regs *regs);
int enomem_oom_pre(struct kprobe *p, struct pt_regs *regs);
int enomem_memcg_kmem_return(struct kretprobe_instance *ri, struct pt_regs *regs);

/* sites.c: failure-only sites found at load */
void enomem_probes_find_sites(void);
bool enomem_probes_sites_only(void);

#endif /* _ENOMEM_PROBES_H */
