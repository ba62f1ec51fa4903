/* SPDX-License-Identifier: GPL-2.0 */
/*
 * enomem_stats compatibility layer, force-included into every module file.
 *
 * All knowledge of kernel versions lives here and in module/compat/ C files.  The rest of
 * the module is written against the current kernel API and sees only
 * capability names (ENOMEM_HAVE_*, set by compile tests in Kbuild.include)
 * and the helpers below.
 */
#ifndef _ENOMEM_COMPAT_H
#define _ENOMEM_COMPAT_H

#include <linux/version.h>

#if LINUX_VERSION_CODE < KERNEL_VERSION(3, 10, 0)
#error "enomem_stats requires Linux >= 3.10 (RHEL/CentOS 7 or newer); install a supported kernel"
#endif

#ifndef CONFIG_KPROBES
#error "enomem_stats needs CONFIG_KPROBES=y and CONFIG_KRETPROBES=y in the target kernel"
#endif

#if !defined(CONFIG_X86_64)
#error "enomem_stats reads probe arguments from x86_64 registers; other architectures are not supported yet"
#endif

#include <linux/compiler.h>
#include <linux/kernel.h>
#include <linux/ptrace.h>
#include <linux/err.h>

#include <asm/barrier.h>
#ifndef smp_store_release	/* 3.14 */
#define smp_store_release(p, v) do { smp_mb(); ACCESS_ONCE(*(p)) = (v); } while (0)
#endif

#ifndef READ_ONCE		/* 3.19; RHEL 7 has it backported */
#define READ_ONCE(x) ACCESS_ONCE(x)
#endif
#ifndef WRITE_ONCE
#define WRITE_ONCE(x, v) (ACCESS_ONCE(x) = (v))
#endif

/* Argument N (0-based) of the probed function, at its entry. */
#ifdef ENOMEM_HAVE_REGS_GET_KERNEL_ARGUMENT
#define enomem_arg(regs, n) regs_get_kernel_argument(regs, n)
#else
static inline unsigned long enomem_arg(struct pt_regs *regs, unsigned int n)
{
	switch (n) {
	case 0: return regs->di;
	case 1: return regs->si;
	case 2: return regs->dx;
	case 3: return regs->cx;
	case 4: return regs->r8;
	default: return regs->r9;
	}
}
#endif

/*
 * Clone flags at the entry of a fork function whose argument N carries
 * them: from 5.3 a struct kernel_clone_args (argument 0 of kernel_clone()
 * and _do_fork(), 3 of copy_process(pid, trace, node, args)), before that
 * the flags themselves, always the first argument.
 */
#ifdef ENOMEM_HAVE_KERNEL_CLONE_ARGS
#include <linux/sched/task.h>
static inline u64 enomem_clone_flags(struct pt_regs *regs, unsigned int n)
{
	const struct kernel_clone_args *args = (void *)enomem_arg(regs, n);

	return args->flags;
}
#define enomem_fork_entry_flags(regs) enomem_clone_flags(regs, 0)
#define enomem_copy_process_flags(regs) enomem_clone_flags(regs, 3)
#else
#define enomem_fork_entry_flags(regs) ((u64)enomem_arg(regs, 0))
#define enomem_copy_process_flags(regs) ((u64)enomem_arg(regs, 0))
#endif

/*
 * copy_process() is static up to 6.3, where its shape is the one above;
 * from 6.4 a header declares it and the build checks that shape.  A kernel
 * that declares another keeps the fork entry's return probe (fork.c,
 * enomem_fork_bracket()).
 */
#if defined(ENOMEM_HAVE_COPY_PROCESS_DECLARED) && \
	!defined(ENOMEM_HAVE_COPY_PROCESS_ARGS)
#define ENOMEM_COPY_PROCESS_KNOWN 0
#else
#define ENOMEM_COPY_PROCESS_KNOWN 1
#endif

/* The fork entry points, in the order we try them (newest first). */
#define ENOMEM_FORK_ENTRY_SYMBOLS "kernel_clone", "_do_fork", "do_fork"

/*
 * RLIMIT_NPROC: up to 5.13 the check runs before copy_creds() (so "never
 * reached copy_creds" means NPROC); from 5.14 it runs after copy_creds()
 * through is_rlimit_overlimit(), which the module probes.
 */
#ifdef ENOMEM_HAVE_UCOUNT_RLIMIT
#define ENOMEM_NPROC_AFTER_CREDS 1
#else
#define ENOMEM_NPROC_AFTER_CREDS 0
#endif

#include <linux/pid_namespace.h>
#include <linux/nsproxy.h>

/*
 * A namespace refuses new pids once its init is gone.  The flag is only ever
 * cleared, so testing it after a failure cannot give a false "dead".
 */
static inline bool enomem_pidns_dead(struct pid_namespace *ns)
{
#if defined(ENOMEM_HAVE_PIDNS_ADDING)
	return !(READ_ONCE(ns->pid_allocated) & PIDNS_ADDING);
#elif defined(ENOMEM_HAVE_PIDNS_HASH_ADDING)
	return !(READ_ONCE(ns->nr_hashed) & PIDNS_HASH_ADDING);
#else
#error "enomem_stats: no PIDNS_ADDING/PIDNS_HASH_ADDING in <linux/pid_namespace.h>; unsupported kernel"
#endif
}

/* The namespace that current's next child is created in. */
static inline struct pid_namespace *enomem_current_child_pidns(void)
{
#ifdef ENOMEM_HAVE_PID_NS_FOR_CHILDREN
	return current->nsproxy ? current->nsproxy->pid_ns_for_children : NULL;
#else
	return current->nsproxy ? current->nsproxy->pid_ns : NULL;
#endif
}

/*
 * Up to 4.14 alloc_pid() returns NULL for every failure, exhaustion included,
 * and copy_process() reports ENOMEM.  Then the pid bitmap itself must be
 * consulted to tell "no free pid number" from a failed allocation.
 */
#ifdef ENOMEM_HAVE_PIDNS_ADDING
#define ENOMEM_ALLOC_PID_RETURNS_NULL 0
static inline bool enomem_pid_space_full(struct pid_namespace *ns)
{
	return false;	/* exhaustion is reported as -EAGAIN by alloc_pid() */
}
#else
#define ENOMEM_ALLOC_PID_RETURNS_NULL 1
bool enomem_pid_space_full(struct pid_namespace *ns);
#endif

/*
 * Up to 4.14 nothing that copy_process() does after pids_can_fork() returns
 * EAGAIN: RHEL 7 (kernel/fork.c, 3.10.0-1160) has only the signal check
 * (ERESTARTNOINTR) there, and the pids controller is its only can_fork
 * callback.  So a fork that entered pids_can_fork() and failed with EAGAIN
 * was refused by pids.max, and an entry probe tells it.  From 4.15 on, the
 * refusal itself is watched (sched_ext's init_task, after it, may return
 * any errno on 6.12): by probes on the pids.events notifications only a
 * refusal makes, else by a kretprobe (reasons.c).
 */
#define ENOMEM_PIDS_BY_STAGE ENOMEM_ALLOC_PID_RETURNS_NULL

/* Is the oom_control of an out_of_memory() call a memcg OOM? */
#include <linux/oom.h>
static inline bool enomem_oom_is_memcg(struct pt_regs *regs)
{
#ifdef ENOMEM_HAVE_OOM_CONTROL_MEMCG
	const struct oom_control *oc = (void *)enomem_arg(regs, 0);

	return oc && oc->memcg;
#else
	return false;	/* 3.10: memcg OOM does not go through out_of_memory() */
#endif
}

/* procfs file operations: struct proc_ops from 5.6, file_operations before. */
#include <linux/proc_fs.h>
#include <linux/fs.h>
#ifdef ENOMEM_HAVE_PROC_OPS
typedef struct proc_ops enomem_proc_ops_t;
#define ENOMEM_PROC_OPS(open_fn, write_fn)			\
	{							\
		.proc_open	= open_fn,			\
		.proc_read	= seq_read,			\
		.proc_lseek	= seq_lseek,			\
		.proc_release	= single_release,		\
		.proc_write	= write_fn,			\
	}
/* A stream (follow.c): not seekable, and no .owner in either form. */
#define ENOMEM_PROC_STREAM_OPS(open_fn, read_fn, poll_fn, release_fn) \
	{							\
		.proc_open	= open_fn,			\
		.proc_read	= read_fn,			\
		.proc_poll	= poll_fn,			\
		.proc_release	= release_fn,			\
	}
#else
typedef struct file_operations enomem_proc_ops_t;
#define ENOMEM_PROC_OPS(open_fn, write_fn)			\
	{							\
		.owner		= THIS_MODULE,			\
		.open		= open_fn,			\
		.read		= seq_read,			\
		.llseek		= seq_lseek,			\
		.release	= single_release,		\
		.write		= write_fn,			\
	}
#define ENOMEM_PROC_STREAM_OPS(open_fn, read_fn, poll_fn, release_fn) \
	{							\
		.open		= open_fn,			\
		.read		= read_fn,			\
		.poll		= poll_fn,			\
		.release	= release_fn,			\
	}
#endif

#include <linux/mm.h>
#ifdef ENOMEM_HAVE_TOTALRAM_PAGES_FN
#define enomem_totalram_pages() totalram_pages()
#else
#define enomem_totalram_pages() totalram_pages	/* a variable before 5.0 */
#endif

#include <linux/ktime.h>
#ifndef ENOMEM_HAVE_KTIME_GET_NS
static inline u64 ktime_get_ns(void)
{
	return ktime_to_ns(ktime_get());
}
#endif

/*
 * CLOCK_MONOTONIC for an event: the NMI-safe reading where the kernel has
 * one (a kprobe's int3 handler runs as an NMI on 6.x, and ktime_get_ns()'s
 * seqcount must not be read there).
 */
#ifdef ENOMEM_HAVE_KTIME_GET_MONO_FAST_NS
#define enomem_now_ns() ktime_get_mono_fast_ns()
#else
#define enomem_now_ns() ktime_get_ns()
#endif

/*
 * The current task's user-mode registers (the syscall's number and
 * arguments).  task_pt_regs() moved to <linux/sched/task_stack.h> in 4.11;
 * Debian's configs reach it through other headers, a lean config does not.
 */
#include <linux/sched.h>
#ifdef ENOMEM_HAVE_SCHED_TASK_STACK_H
#include <linux/sched/task_stack.h>
#endif
static inline struct pt_regs *enomem_user_regs(void)
{
	return task_pt_regs(current);
}

/*
 * Where a task's soft limit for RES sits in its signal_struct: the mapping
 * sites look for the instructions that read it (mapsites.c).  struct
 * signal_struct moved to <linux/sched/signal.h> in 4.11.
 */
#ifdef ENOMEM_HAVE_SCHED_SIGNAL_H
#include <linux/sched/signal.h>
#endif
#define enomem_rlim_offset(res) offsetof(struct signal_struct, rlim[res].rlim_cur)

/*
 * mm->data_vm (4.7): from then on may_expand_vm() refuses a private
 * writable mapping over RLIMIT_DATA, in mmap, mprotect, mremap and brk.
 */
#ifdef ENOMEM_HAVE_MM_DATA_VM
#define ENOMEM_DATA_LIMITED 1
#define enomem_mm_data_vm(mm) ((mm)->data_vm)
#else
#define ENOMEM_DATA_LIMITED 0
#define enomem_mm_data_vm(mm) 0UL
#endif

/*
 * The mmap lock, for a reader that must not sleep (a return probe after
 * the mremap syscall dropped it): 5.8 wrapped mm->mmap_sem.
 */
#ifdef ENOMEM_HAVE_MMAP_LOCK
#include <linux/mmap_lock.h>
#define enomem_mmap_read_trylock(mm) mmap_read_trylock(mm)
#define enomem_mmap_read_unlock(mm) mmap_read_unlock(mm)
#else
#define enomem_mmap_read_trylock(mm) down_read_trylock(&(mm)->mmap_sem)
#define enomem_mmap_read_unlock(mm) up_read(&(mm)->mmap_sem)
#endif

#endif /* _ENOMEM_COMPAT_H */
