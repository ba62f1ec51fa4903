// SPDX-License-Identifier: GPL-2.0
/*
 * Text for events: the debugfs "events" line (a stable format, documented in
 * docs/interface.md) and the human sentence of the kernel log line.
 */
#include <linux/kernel.h>
#include <linux/errno.h>
#include <linux/seq_file.h>
#include "enomem_stats.h"

static const struct {
	int err;
	const char *name;
} enomem_errnos[] = {
	{ ENOMEM, "ENOMEM" }, { EAGAIN, "EAGAIN" }, { EINVAL, "EINVAL" },
	{ EPERM, "EPERM" }, { EEXIST, "EEXIST" }, { ENOSPC, "ENOSPC" },
	{ EUSERS, "EUSERS" }, { EMFILE, "EMFILE" }, { ENFILE, "ENFILE" },
	{ EACCES, "EACCES" }, { EBUSY, "EBUSY" }, { ESRCH, "ESRCH" },
	{ EBADF, "EBADF" }, { EFAULT, "EFAULT" }, { ENOENT, "ENOENT" },
};

/* "ENOMEM" for -ENOMEM; the number for errnos without a name here. */
static const char *const enomem_kind_names[] = {
	[ENOMEM_K_PROCESS]	= "process",
	[ENOMEM_K_THREAD]	= "thread",
	[ENOMEM_K_VFORK]	= "vfork",
	[ENOMEM_K_MMAP]		= "mmap",
	[ENOMEM_K_MPROTECT]	= "mprotect",
	[ENOMEM_K_BRK]		= "brk",
	[ENOMEM_K_MREMAP]	= "mremap",
};

/* A failed mapping's reason, plain or for a thread stack (maps.c). */
const char *const enomem_map_reason_names[2][ENOMEM_NR_MAP_REASONS] = {
	{
		[ENOMEM_MR_MAX_MAP_COUNT] = "map_max_map_count",
		[ENOMEM_MR_RLIMIT_AS]	  = "map_rlimit_as",
		[ENOMEM_MR_COMMIT]	  = "map_commit",
		[ENOMEM_MR_MEMCG]	  = "map_memcg",
		[ENOMEM_MR_OTHER]	  = "map_other",
		[ENOMEM_MR_RLIMIT_DATA]	  = "map_rlimit_data",
	}, {
		[ENOMEM_MR_MAX_MAP_COUNT] = "map_stack_max_map_count",
		[ENOMEM_MR_RLIMIT_AS]	  = "map_stack_rlimit_as",
		[ENOMEM_MR_COMMIT]	  = "map_stack_commit",
		[ENOMEM_MR_MEMCG]	  = "map_stack_memcg",
		[ENOMEM_MR_OTHER]	  = "map_stack_other",
		[ENOMEM_MR_RLIMIT_DATA]	  = "map_stack_rlimit_data",
	},
};

const char *enomem_kind_name(unsigned int kind)
{
	return kind < ARRAY_SIZE(enomem_kind_names) ? enomem_kind_names[kind] : "?";
}

const char *enomem_errno_name(int err, char *buf, size_t len)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(enomem_errnos); i++)
		if (-err == enomem_errnos[i].err)
			return enomem_errnos[i].name;
	if (!buf)
		return "error";
	snprintf(buf, len, "%d", -err);
	return buf;
}

/* A failed mapping call: what refused it. */
static void enomem_map_describe(const struct enomem_event *e, char *buf, size_t len)
{
	const char *what = e->stack ? "thread stack: " : "";

	switch (e->limit) {
	case ENOMEM_L_MAX_MAP_COUNT:
		snprintf(buf, len, "%svm.max_map_count reached (%llu, maps %llu)",
			 what, e->value, e->value2);
		break;
	case ENOMEM_L_RLIMIT_AS:
		snprintf(buf, len, "%sRLIMIT_AS reached (ulimit -v %llu KiB, would be %llu KiB)",
			 what, e->value >> 10, e->value2 >> 10);
		break;
	case ENOMEM_L_RLIMIT_DATA:
		snprintf(buf, len, "%sRLIMIT_DATA reached (ulimit -d %llu KiB, data would be %llu KiB)",
			 what, e->value >> 10, e->value2 >> 10);
		break;
	case ENOMEM_L_COMMIT:
		snprintf(buf, len, "%scommit refused (CommitLimit %llu pages, request %llu pages)",
			 what, e->value, e->value2);
		break;
	case ENOMEM_L_MEMORY_MAX:
		snprintf(buf, len, "%smemory cgroup limit (max %llu bytes)", what, e->value);
		break;
	default:
		snprintf(buf, len, "%s%s", what, e->reason == ENOMEM_MR_MEMCG ?
			 "memory cgroup limit" : "no named limit");
		break;
	}
}

void enomem_event_describe(const struct enomem_event *e, char *buf, size_t len)
{
	if (e->kind >= ENOMEM_K_MMAP) {
		enomem_map_describe(e, buf, len);
		return;
	}
	switch (e->reason) {
	case ENOMEM_R_PID_MAX:
		if (e->limit == ENOMEM_L_PID_MAX)
			snprintf(buf, len, "no free PID (kernel.pid_max %llu)", e->value);
		else
			snprintf(buf, len, "no free PID (kernel.pid_max)");
		break;
	case ENOMEM_R_PIDNS_DEAD:
		snprintf(buf, len, "PID namespace has no init any more");
		break;
	case ENOMEM_R_COMMIT:
		if (e->value2)
			snprintf(buf, len, "commit refused (CommitLimit %llu pages, request %llu pages)",
				 e->value, e->value2);
		else	/* seen failure-only: the request's size is not known */
			snprintf(buf, len, "commit refused (CommitLimit %llu pages)",
				 e->value);
		break;
	case ENOMEM_R_CGROUP_PIDS:
		snprintf(buf, len, "cgroup pids.max reached");
		break;
	case ENOMEM_R_NPROC:
		snprintf(buf, len, "RLIMIT_NPROC reached (ulimit -u %llu)", e->value);
		break;
	case ENOMEM_R_THREADS_MAX:
		if (e->limit == ENOMEM_L_THREADS_MAX)
			snprintf(buf, len, "kernel.threads-max reached (%llu)", e->value);
		else
			snprintf(buf, len, "kernel.threads-max reached");
		break;
	case ENOMEM_R_MEMCG:
		if (e->limit == ENOMEM_L_MEMORY_MAX)
			snprintf(buf, len, "memory cgroup limit (max %llu bytes)", e->value);
		else
			snprintf(buf, len, "memory cgroup limit");
		break;
	case ENOMEM_R_SLAB:
		snprintf(buf, len, "kernel memory allocation failed");
		break;
	case ENOMEM_R_OTHER:
		snprintf(buf, len, "clone refused");
		break;
	default:
		snprintf(buf, len, "cause not attributed");
		break;
	}
}

/* The limit column: name=value, or "-". */
void enomem_event_limit_token(const struct enomem_event *e, char *buf,
			      size_t len)
{
	switch (e->limit) {
	case ENOMEM_L_PID_MAX:
		snprintf(buf, len, "pid_max=%llu", e->value);
		break;
	case ENOMEM_L_THREADS_MAX:
		snprintf(buf, len, "threads-max=%llu", e->value);
		break;
	case ENOMEM_L_NPROC:
		snprintf(buf, len, "nproc=%llu", e->value);
		break;
	case ENOMEM_L_COMMIT:
		if (e->value && !e->value2)
			snprintf(buf, len, "commit_limit=%llu", e->value);
		else if (e->value)
			snprintf(buf, len, "commit_limit=%llu:request=%llu", e->value, e->value2);
		else
			snprintf(buf, len, "request=%llu", e->value2);
		break;
	case ENOMEM_L_MEMORY_MAX:
		snprintf(buf, len, "memory.max=%llu", e->value);
		break;
	case ENOMEM_L_MAX_MAP_COUNT:
		snprintf(buf, len, "max_map_count=%llu:maps=%llu", e->value, e->value2);
		break;
	case ENOMEM_L_RLIMIT_AS:
		snprintf(buf, len, "rlimit_as=%llu:request_as=%llu", e->value, e->value2);
		break;
	case ENOMEM_L_RLIMIT_DATA:
		snprintf(buf, len, "rlimit_data=%llu:request_data=%llu", e->value, e->value2);
		break;
	default:
		snprintf(buf, len, "-");
		break;
	}
}

/* time_ns pid tgid uid kind errno reason limit cgroup comm */
void enomem_event_show(struct seq_file *m, const struct enomem_event *e)
{
	char limit[64], num[12];

	enomem_event_limit_token(e, limit, sizeof(limit));
	seq_printf(m, "%llu %d %d %u %s %s %s %s ", e->time_ns, e->pid, e->tgid,
		   e->uid, enomem_kind_name(e->kind),
		   enomem_errno_name(e->err, num, sizeof(num)),
		   e->kind >= ENOMEM_K_MMAP ?
		   enomem_map_reason_names[!!e->stack][e->reason] :
		   enomem_reason_names[e->reason], limit);
	if (e->cgroup[0])
		seq_escape(m, e->cgroup, " \t\n\\");
	else
		seq_putc(m, '-');
	seq_putc(m, ' ');
	seq_escape(m, e->comm, " \t\n\\");
	seq_putc(m, '\n');
}
