/* SPDX-License-Identifier: GPL-2.0 */
/*
 * enomem_stats: internal interfaces shared by the module's files.
 */
#ifndef _ENOMEM_STATS_H
#define _ENOMEM_STATS_H

#include <linux/types.h>
#include <linux/kprobes.h>
#include <linux/sched.h>

struct seq_file;
struct dentry;

/*
 * Counters, in the order of /proc/enomem_stats.  The file is a contract for
 * scripts: new entries are only ever appended (before ENOMEM_NR_COUNTERS).
 */
enum enomem_counter {
	ENOMEM_C_FORK_FAILED,
	ENOMEM_C_FORK_ENOMEM,
	ENOMEM_C_FORK_EAGAIN,
	ENOMEM_C_FORK_OTHER,
	ENOMEM_C_REASON_FIRST,		/* reasons follow, in enum enomem_reason order */
	ENOMEM_C_MISSED = ENOMEM_C_REASON_FIRST + 10,
	/* failed memory mappings (maps.c), appended after "missed" */
	ENOMEM_C_MAP_FAILED,
	ENOMEM_C_MAP_REASON_FIRST,	/* enum enomem_map_reason order */
	ENOMEM_C_MAP_STACK_FAILED = ENOMEM_C_MAP_REASON_FIRST + 5,
	ENOMEM_C_MAP_STACK_REASON_FIRST,
	ENOMEM_C_MAP_MISSED = ENOMEM_C_MAP_STACK_REASON_FIRST + 5,
	/* the sixth mapping reason, appended after map_missed */
	ENOMEM_C_MAP_RLIMIT_DATA,
	ENOMEM_C_MAP_STACK_RLIMIT_DATA,
	ENOMEM_NR_COUNTERS
};

/* Exactly one per failed mapping call; they sum to map_failed. */
enum enomem_map_reason {
	ENOMEM_MR_MAX_MAP_COUNT,
	ENOMEM_MR_RLIMIT_AS,
	ENOMEM_MR_COMMIT,
	ENOMEM_MR_MEMCG,
	ENOMEM_MR_OTHER,
	ENOMEM_MR_RLIMIT_DATA,	/* its counters come after map_missed */
	ENOMEM_NR_MAP_REASONS
};

/* Exactly one of these is charged per failed fork; they sum to fork_failed. */
enum enomem_reason {
	ENOMEM_R_PID_MAX,
	ENOMEM_R_PIDNS_DEAD,
	ENOMEM_R_COMMIT,
	ENOMEM_R_CGROUP_PIDS,
	ENOMEM_R_NPROC,
	ENOMEM_R_THREADS_MAX,
	ENOMEM_R_MEMCG,
	ENOMEM_R_SLAB,
	ENOMEM_R_OTHER,
	ENOMEM_R_UNKNOWN,
	ENOMEM_NR_REASONS
};

extern const char *const enomem_counter_names[ENOMEM_NR_COUNTERS];
extern const char *const enomem_reason_names[ENOMEM_NR_REASONS];

/* What kind of task the failed clone would have created. */
enum enomem_kind {
	ENOMEM_K_PROCESS,
	ENOMEM_K_THREAD,
	ENOMEM_K_VFORK,
	ENOMEM_K_MMAP,		/* mapping calls (maps.c): reason is a map reason */
	ENOMEM_K_MPROTECT,
	ENOMEM_K_BRK,
	ENOMEM_K_MREMAP,
};

/*
 * Facts the sub-probes record about one fork in flight (ctx->flags).  Most
 * are stage markers: copy_process() calls the probed functions in a fixed
 * order, so "reached X" and "did not reach Y" place the failure between them
 * without a return probe on the success path.
 */
#define ENOMEM_F_REACHED_CREDS	(1U << 0)	/* copy_creds() entered (up to 5.13) */
#define ENOMEM_F_REACHED_NPROC	(1U << 1)	/* is_rlimit_overlimit() returned (5.14+) */
#define ENOMEM_F_NPROC_OVER	(1U << 2)	/* ... and said yes */
#define ENOMEM_F_REACHED_PID	(1U << 3)	/* alloc_pid() entered */
#define ENOMEM_F_REACHED_PIDS	(1U << 4)	/* pids_can_fork() entered (4.15+: returned) */
#define ENOMEM_F_PIDS_REFUSED	(1U << 5)	/* pids_can_fork() refused (4.15+) */
#define ENOMEM_F_VM_REFUSED	(1U << 6)	/* __vm_enough_memory() refused */
#define ENOMEM_F_MEMCG		(1U << 7)	/* a memcg at its limit reclaimed/OOMed */
#define ENOMEM_F_NEWPID		(1U << 8)	/* CLONE_NEWPID: child gets a fresh ns */
#define ENOMEM_F_PIDNS_DEAD	(1U << 9)	/* at the fork's return: ns refuses pids */
#define ENOMEM_F_PID_EXHAUSTED	(1U << 10)	/* ... no free pid number (up to 4.14) */
#define ENOMEM_F_PID_FAILED	(1U << 11)	/* alloc_pid() failed (4.15+, failure-only probe) */
#define ENOMEM_F_NEWUSER	(1U << 12)	/* CLONE_NEWUSER: copy_creds() may say EAGAIN */

/*
 * Per-fork context.  Lives in a preallocated slot table (ctx.c) keyed by the
 * forking task: every check of the fork path runs in the parent's context,
 * so sub-probes find it through current without any allocation.
 */
struct enomem_fork_ctx {
	struct task_struct *task;	/* owner; NULL while the slot is free */
	unsigned int flags;
	unsigned int kind;		/* enum enomem_kind */
	unsigned long vm_pages;		/* size of the refused commit request */
	unsigned long sub_missed;	/* sub-probe misses when the fork began */
};

/* The limit an event names (and its value where the kernel exposes it). */
enum enomem_limit {
	ENOMEM_L_NONE,
	ENOMEM_L_PID_MAX,	/* value: kernel.pid_max */
	ENOMEM_L_THREADS_MAX,	/* value: kernel.threads-max */
	ENOMEM_L_NPROC,		/* value: RLIMIT_NPROC (soft) */
	ENOMEM_L_COMMIT,	/* value: CommitLimit, value2: request (pages) */
	ENOMEM_L_MEMORY_MAX,	/* value: effective memory.max in bytes */
	ENOMEM_L_MAX_MAP_COUNT,	/* value: vm.max_map_count, value2: the mm's maps */
	ENOMEM_L_RLIMIT_AS,	/* value: RLIMIT_AS bytes, value2: address space + request */
	ENOMEM_L_RLIMIT_DATA,	/* value: RLIMIT_DATA bytes, value2: data size + request */
};

#define ENOMEM_CGROUP_PATH_LEN 128

/* One failed fork, as kept in the debugfs ring. */
struct enomem_event {
	u64 time_ns;
	u64 value, value2;
	pid_t pid, tgid;
	u32 uid;
	s16 err;
	u8 kind, reason, limit;
	u8 stack;		/* mapping events: a thread stack */
	u8 path_for;		/* its cgroup path still to find: reason + 1, else 0 */
	char comm[TASK_COMM_LEN];
	char cgroup[ENOMEM_CGROUP_PATH_LEN];
};

/* Unexported kernel variables, looked up once at load (compat/ksym.c). */
struct enomem_ksyms {
	int *pid_max;
	int *max_threads;
	int *overcommit_ratio;
	unsigned long *overcommit_kbytes;
	long *swap_pages;		/* total_swap_pages */
	int *max_map_count;		/* the mapping reasons (maps.c) */
	int *overcommit_memory;
	bool *ignore_rlimit_data;	/* boot option: RLIMIT_DATA only warns */
	unsigned long *admin_reserve_kbytes;
	unsigned long *user_reserve_kbytes;
};
extern struct enomem_ksyms enomem_ksyms;
void enomem_ksyms_init(void);
unsigned long enomem_commit_limit(void);
/* ... and kernel functions by name (compat/ksym.c) */
unsigned long enomem_text_addr(const char *name);
void enomem_text_addrs(const char *const *names, unsigned long *addrs,
		       unsigned int n);
bool enomem_text_extent(unsigned long addr, unsigned long *start,
			unsigned long *size);
unsigned long enomem_text_body(const char *fn);

/* textscan.c: failure-only sites found in kernel text at load (x86-64) */
bool enomem_text_calls(const char *fn, const char *callee);
int enomem_text_call_sites(const char *fn, const char *callee,
			   unsigned long *offs, int max);
unsigned long enomem_text_errno_site(const char *fn, int err);
unsigned long enomem_text_err_branch(const char *fn, unsigned long resume,
				     unsigned int *reg_off);

/* textblock.c: the blocks a limit's comparison leads to (x86-64) */
/* What a refusal's check starts from (textblock.c). */
struct enomem_text_anchor {
	enum {
		ENOMEM_ANCHOR_VAR,	/* a read of the variable at VALUE */
		ENOMEM_ANCHOR_FIELD,	/* a read of a field at offset VALUE (disp32) */
		ENOMEM_ANCHOR_CALL,	/* a call of the function at VALUE */
	} kind;
	unsigned long value;
};
int enomem_text_refusals(unsigned long addr, const struct enomem_text_anchor *a,
			 int err, unsigned long *offs, int max);
#define ENOMEM_SIDE_NULL	0	/* a NULL pointer returned */
#define ENOMEM_SIDE_ERR		1	/* an IS_ERR() pointer returned */
int enomem_text_fail_sides(unsigned long addr, unsigned long callee, int how,
			   unsigned long *offs, int max);
unsigned long enomem_text_limit_read(unsigned long addr, unsigned long var);

/* compat/tracepoint.c: sched_process_fork(parent, child) */
typedef void (*enomem_tp_fork_fn)(void *data, struct task_struct *parent,
				  struct task_struct *child);
int enomem_tp_fork_register(enomem_tp_fork_fn fn);
void enomem_tp_fork_unregister(enomem_tp_fork_fn fn);

/* compat/cgroup.c */
void enomem_task_cgroup_path(enum enomem_reason reason, char *buf, size_t len);
bool enomem_memcg_max(u64 *bytes);
bool enomem_memcg_at_limit(void);

/* events.c */
int enomem_events_init(void);
void enomem_events_exit(void);
void enomem_event_record(const struct enomem_fork_ctx *ctx, int err,
			 enum enomem_reason reason);
void enomem_event_fill(struct enomem_event *e, int err, unsigned int kind,
		       unsigned int reason);
void enomem_event_push(const struct enomem_event *e);
void enomem_event_cgroup(struct enomem_event *e, unsigned int cgroup_reason);
unsigned long enomem_events_dropped_count(void);
unsigned int enomem_events_snapshot(struct enomem_event *out,
				    unsigned long *recorded);
unsigned int enomem_events_size(void);
size_t enomem_events_bytes(void);

/* format.c */
const char *enomem_errno_name(int err, char *buf, size_t len);
void enomem_event_describe(const struct enomem_event *e, char *buf, size_t len);
void enomem_event_show(struct seq_file *m, const struct enomem_event *e);
const char *enomem_kind_name(unsigned int kind);
extern const char *const enomem_map_reason_names[2][ENOMEM_NR_MAP_REASONS];

/* stats.c */
int enomem_stats_init(unsigned long (*missed_source)(void),
		      unsigned long (*map_missed_source)(void));
void enomem_stats_exit(void);
void enomem_stats_count(int err, enum enomem_reason reason);
void enomem_stats_count_missed(void);
void enomem_stats_count_map(enum enomem_map_reason reason, bool stack);
void enomem_stats_read(u64 *out);
void enomem_stats_reset(void);
size_t enomem_stats_bytes(void);

/* ctx.c */
int enomem_ctx_init(unsigned int max_in_flight);
void enomem_ctx_exit(void);
struct enomem_fork_ctx *enomem_ctx_get(void);
struct enomem_fork_ctx *enomem_ctx_find(void);
void enomem_ctx_put(struct enomem_fork_ctx *ctx);
bool enomem_ctx_any_in_flight(void);
size_t enomem_ctx_bytes(void);

/* The probes (probes.c), by what they watch. */
enum enomem_probe_id {
	ENOMEM_P_FORK,
	ENOMEM_P_COPY_CREDS,
	ENOMEM_P_ALLOC_PID,
	ENOMEM_P_PIDS_CAN_FORK,
	ENOMEM_P_RLIMIT,
	ENOMEM_P_VM_ENOUGH,
	ENOMEM_P_VM_WARN,
	ENOMEM_P_VM_ERR,
	ENOMEM_P_MEMCG_RECLAIM,
	ENOMEM_P_MEMCG_OOM,
	ENOMEM_P_MEMCG_KMEM,
	ENOMEM_P_PIDS_SITE,	/* failure-only: pids_can_fork()'s refusal */
	ENOMEM_P_NPROC_SITE,	/* failure-only: copy_process() over RLIMIT_NPROC */
	ENOMEM_P_PID_SITE,	/* failure-only: alloc_pid() failed */
	ENOMEM_P_FORK_BEGIN,	/* copy_process() entered from the fork entry */
	ENOMEM_P_FORK_END,	/* ... and returned to it: P0 without a return hook */
	ENOMEM_P_FORK_OK,	/* the sched_process_fork tracepoint: it succeeded */
	ENOMEM_NR_PROBES
};

/* classify.c */
enum enomem_reason enomem_classify(const struct enomem_fork_ctx *ctx, int err);
void enomem_classify_source(enum enomem_probe_id id, bool active, bool marker);
const char *enomem_reason_support(enum enomem_reason reason);

/* probes.c: the probe table and its registration */
extern unsigned int enomem_maxactive;

int enomem_probes_register(void);
void enomem_probes_unregister(void);
void enomem_probes_show(struct seq_file *m);

/* fork.c: the fork entry */
extern bool enomem_bracket;

unsigned long enomem_probes_fork_nmissed(void);
bool enomem_probes_commit_watched(void);
const char *enomem_probes_fork_mode(void);

/* maps.c: failed memory mappings (mmap, mprotect) */
extern bool enomem_maps;
int enomem_maps_register(void);
void enomem_maps_unregister(void);
unsigned long enomem_maps_nmissed(void);
void enomem_maps_show(struct seq_file *m);
void enomem_maps_commit_refused(void);
/* what may have refused at a failure-only mapping site (mapsites.c) */
#define ENOMEM_MS_MAP_COUNT	0x1	/* vm.max_map_count */
#define ENOMEM_MS_EXPAND	0x2	/* may_expand_vm(): RLIMIT_AS, RLIMIT_DATA */
#define ENOMEM_MS_ALLOC		0x4	/* a vma allocation (a memcg among others) */
#define ENOMEM_MS_RESIZE	0x8	/* vma_to_resize() failed: RLIMIT_AS, RLIMIT_DATA among others */
#define ENOMEM_MS_ANCHORS	4
void enomem_maps_site_refused(unsigned int reasons);
bool enomem_maps_kind_watched(unsigned int kind);

/* mapwatch.c: how each mapping reason is watched */
void enomem_maps_show_watches(struct seq_file *m);
void enomem_maps_memcg_reclaim(void);

/* mapsites.c: vm.max_map_count refusals, failure-only */
void enomem_mapsites_register(void);
void enomem_mapsites_unregister(void);
bool enomem_mapsites_in(const char *const *fns, unsigned int reasons);
bool enomem_mapsites_vma_alloc(void);
void enomem_mapsites_show(struct seq_file *m);

/* procfs.c */
int enomem_procfs_init(void);
void enomem_procfs_exit(void);

/*
 * Who is failing (who.c): failures per (cgroup, reason) and (uid, reason),
 * filled from the ring's push; the follow stream (follow.c) it wakes.
 */
int enomem_who_init(void);
void enomem_who_exit(void);
void enomem_who_record(const struct enomem_event *e);
void enomem_who_reset(void);
void enomem_who_debugfs(struct dentry *dir);
size_t enomem_who_bytes(void);
void enomem_follow_setup(void);
void enomem_follow_notify(void);
void enomem_follow_sync(void);
int enomem_follow_init(void);
void enomem_follow_exit(void);
unsigned long enomem_events_recorded(void);
bool enomem_events_next(unsigned long *pos, struct enomem_event *e,
			unsigned long *lost);
void enomem_event_limit_token(const struct enomem_event *e, char *buf,
			      size_t len);
/* compat/cgroup.c: a v1 name=systemd hierarchy's path of current (3.10) */
void enomem_unit_path_init(void);
bool enomem_task_unit_path(char *buf, size_t len);
void *enomem_ksym_addr(const char *name);

/* debugfs.c */
int enomem_debugfs_init(void);
void enomem_debugfs_exit(void);
struct inode;
struct file;
int enomem_debugfs_view_release(struct inode *inode, struct file *file);

#endif /* _ENOMEM_STATS_H */
