// SPDX-License-Identifier: GPL-2.0
/*
 * The stress suite's workers, each a child that dies with the test: fork
 * storms that succeed, failers that sit at a limit and fail every fork,
 * and readers that hammer the module's files.  Every fork outcome goes
 * into a tally; the readers count into the shared state.
 */
#include "stress.h"
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>

static void *thread_noop(void *arg)
{
	return arg;
}

/* One pthread_create (and join), tallied as K_THREAD. */
static void tally_thread(struct tally *t)
{
	pthread_t th;
	int rc = pthread_create(&th, NULL, thread_noop, NULL);

	if (!rc) {
		pthread_join(th, NULL);
		t->ok[K_THREAD]++;
	} else {
		count_err(t, K_THREAD, rc);
	}
}

/* One fork, one vfork, one thread; each outcome tallied. */
void attempt_round(struct tally *t)
{
	pid_t pid;

	pid = fork();
	if (pid == 0)
		_exit(0);
	if (pid > 0) {
		waitpid(pid, NULL, 0);
		t->ok[K_PROC]++;
	} else {
		count_err(t, K_PROC, errno);
	}
	pid = vfork();
	if (pid == 0)
		_exit(0);
	if (pid > 0) {
		waitpid(pid, NULL, 0);
		t->ok[K_VFORK]++;
	} else {
		count_err(t, K_VFORK, errno);
	}
	tally_thread(t);
}

/* Successful forks of every kind, on one CPU, until stop or "rounds". */
pid_t start_storm(int cpu, long rounds, struct tally *t)
{
	pid_t pid = fork_child();
	long i;

	if (pid)
		return pid;
	pin(cpu);
	setpriority(PRIO_PROCESS, 0, 10);
	for (i = 0; rounds < 0 ? !sh->stop : i < rounds; i++)
		attempt_round(t);
	reap_all();
	_exit(0);
}

/*
 * A task at a limit: in a pids cgroup at pids.max, or uid 1000 at its
 * RLIMIT_NPROC (HOLDERS children fill it), or in a PID namespace whose init
 * is gone.  Then "rounds" rounds (or until stop) that all fail.
 */
pid_t start_failer(enum worker w, int cpu, long rounds, struct tally *t)
{
	struct rlimit rl = { LIMIT, LIMIT };
	pid_t pid = fork_child(), h;
	int p[2], i;
	char c;
	long r;

	if (pid)
		return pid;
	pin(cpu);
	setpriority(PRIO_PROCESS, 0, 10);
	if (w == W_PIDS && cgroup_join())
		_exit(101);
	if (w == W_NPROC && (setrlimit(RLIMIT_NPROC, &rl) ||
			     setresgid(USER_ID, USER_ID, USER_ID) ||
			     setresuid(USER_ID, USER_ID, USER_ID)))
		_exit(102);
	if (w == W_PIDNS) {
		if (unshare(CLONE_NEWPID))
			_exit(103);
		h = fork();
		if (h == 0)
			_exit(0);
		if (h < 0)
			_exit(104);
		waitpid(h, NULL, 0);
	}
	if (pipe(p))
		_exit(105);
	for (i = 0; w != W_PIDNS && i < HOLDERS; i++) {
		h = fork();
		if (h == 0) {
			close(p[1]);
			while (read(p[0], &c, 1) < 0 && errno == EINTR)
				;
			_exit(0);
		}
		if (h < 0)
			_exit(106);
	}
	close(p[0]);
	for (r = 0; rounds < 0 ? !sh->stop : r < rounds; r++)
		attempt_round(t);
	close(p[1]);
	reap_all();
	_exit(0);
}

/*
 * Mapping calls at RLIMIT_AS, until stop: a page that fits (the success path
 * of the mapping probes), a 256 MiB mmap and a pthread_create whose default
 * stack do not (ENOMEM, EAGAIN).  What every cycle of the reload VM counts.  Tallied as fork=the page, vfork=the big
 * mmap, thread=the thread.
 */
pid_t start_map_failer(int cpu, struct tally *t)
{
	pid_t pid = fork_child();
	struct rlimit rl;
	char status[4096], *vm;
	void *m;

	if (pid)
		return pid;
	pin(cpu);
	setpriority(PRIO_PROCESS, 0, 10);
	if (read_file("/proc/self/status", status, sizeof(status)) < 0 ||
	    !(vm = strstr(status, "VmSize:")))
		_exit(107);
	/* 4 MiB to spare: the page fits, an 8 MiB thread stack does not */
	rl.rlim_cur = rl.rlim_max = (strtoul(vm + 7, NULL, 10) + 4096) * 1024;
	if (setrlimit(RLIMIT_AS, &rl))
		_exit(108);
	while (!sh->stop) {
		m = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (m == MAP_FAILED) {
			count_err(t, K_PROC, errno);
		} else {
			t->ok[K_PROC]++;
			munmap(m, 4096);
		}
		m = mmap(NULL, 256 << 20, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (m == MAP_FAILED) {
			count_err(t, K_VFORK, errno);
		} else {
			t->ok[K_VFORK]++;
			munmap(m, 256 << 20);
		}
		tally_thread(t);
	}
	_exit(0);
}

/*
 * Thread creation at vm.max_map_count (the reload VM lowers it; this task
 * alone comes near it): every other page of a PROT_NONE region made
 * readable until the limit refuses a split, then pthread_create() until
 * stop, which fails when glibc's mprotect() of the new stack splits a vma
 * past the limit: a refusal that the failure-only sites count with every
 * load, the default one included.  Tallied as thread.
 */
pid_t start_mmc_failer(int cpu, int limit, struct tally *t)
{
	pid_t pid = fork_child();
	long page = sysconf(_SC_PAGESIZE), i;
	char *m;

	if (pid)
		return pid;
	pin(cpu);
	setpriority(PRIO_PROCESS, 0, 10);
	m = mmap(NULL, 2 * limit * page, PROT_NONE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (m == MAP_FAILED)
		_exit(113);
	for (i = 0; i < limit; i++)
		if (mprotect(m + 2 * i * page, page, PROT_READ))
			break;
	if (i == limit)
		_exit(114);	/* the limit never refused */
	while (!sh->stop)
		tally_thread(t);
	_exit(0);
}

/*
 * Commit refusal (vm.overcommit_memory=2, ratio 1), then clone flags
 * copy_process() refuses (EINVAL): "rounds" of each.  Commit refusal needs
 * the whole box: run it alone, after the others.
 */
pid_t start_commit(long rounds, struct tally *t)
{
	char ratio[32], mode[32];
	pid_t pid = fork_child(), c;
	void *m;
	int i;

	if (pid)
		return pid;
	if (read_file("/proc/sys/vm/overcommit_ratio", ratio, sizeof(ratio)) < 0 ||
	    read_file("/proc/sys/vm/overcommit_memory", mode, sizeof(mode)) < 0)
		_exit(110);
	m = mmap(NULL, 64 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		_exit(111);
	if (write_file("/proc/sys/vm/overcommit_ratio", "1") ||
	    write_file("/proc/sys/vm/overcommit_memory", "2"))
		_exit(112);
	for (i = 0; i < rounds; i++) {
		c = fork();
		if (c == 0)
			_exit(0);
		if (c > 0) {
			waitpid(c, NULL, 0);
			t->ok[K_PROC]++;
		} else {
			count_err(t, K_PROC, errno);
		}
		c = vfork();	/* shares the mm: nothing to commit */
		if (c == 0)
			_exit(0);
		if (c > 0) {
			waitpid(c, NULL, 0);
			t->ok[K_VFORK]++;
		} else {
			count_err(t, K_VFORK, errno);
		}
	}
	write_file("/proc/sys/vm/overcommit_memory", mode);
	write_file("/proc/sys/vm/overcommit_ratio", ratio);
	/* CLONE_SIGHAND without CLONE_VM: EINVAL from copy_process */
	for (i = 0; i < rounds; i++)
		if (syscall(SYS_clone, CLONE_SIGHAND | SIGCHLD, NULL, NULL, NULL, 0) < 0)
			count_err(t, K_THREAD, errno);
		else
			_exit(0);	/* never: the child would also get here */
	_exit(0);
}

/*
 * Hammer /proc/enomem_stats: every read must parse and hold both sums;
 * within one load (same odd generation before and after) no counter may go
 * down; while the module is surely unloaded the file must not exist.
 */
pid_t start_proc_reader(int cpu)
{
	struct stats s, last;
	int g1, g2, lastgen = -1, r, i;
	char err[256];
	pid_t pid = fork_child();

	if (pid)
		return pid;
	pin(cpu);
	setpriority(PRIO_PROCESS, 0, 5);
	while (!sh->stop) {
		g1 = sh->gen;
		__sync_synchronize();
		r = stats_get(&s, err, sizeof(err));
		__sync_synchronize();
		g2 = sh->gen;
		if (r == ENOENT || r == EIO) {
			sh->absent++;
			continue;
		}
		if (r > 0) {
			sh->unexpected++;
			shared_msg("reader: %s", err);
			continue;
		}
		if (r < 0 && strstr(err, "empty")) {
			sh->empty++;	/* the entry went away under the read */
			continue;
		}
		sh->reads++;
		if (r < 0) {
			sh->bad++;
			shared_msg("reader: %s", err);
			continue;
		}
		if (g1 != g2)
			continue;
		if (!(g1 & 1)) {
			sh->ghost++;
			shared_msg("reader: %s readable while the module is unloaded", STATS);
			continue;
		}
		if (lastgen == g1)
			for (i = 0; i < ST_COUNT; i++)
				if (s.v[i] < last.v[i]) {
					sh->nonmono++;
					shared_msg("reader: %s went down %llu -> %llu within one load",
						   stat_names[i], last.v[i], s.v[i]);
					break;
				}
		last = s;
		lastgen = g1;
	}
	_exit(0);
}

/*
 * Whether the module was unloading (or went, or came again) while a read
 * that began in generation gen failed.  Up to 3.10 the VFS opens a file
 * whose module is unloading without its file operations (fops_get() fails),
 * and read() then fails with EINVAL; later debugfs files keep theirs.
 */
static int module_went(int gen)
{
	char state[16];

	__sync_synchronize();
	if (sh->gen != gen ||
	    read_file("/sys/module/" MODULE_NAME "/initstate", state, sizeof(state)) < 0)
		return 1;
	return strncmp(state, "live", 4) != 0;
}

/* The debugfs files, as root: whole reads, a well-formed events header. */
pid_t start_debugfs_reader(int cpu)
{
	static char buf[1 << 16];
	unsigned int size;
	unsigned long rec, over;
	pid_t pid = fork_child();
	long n;
	int f, gen;
	const char *files[] = { DBG "/events", DBG "/probes" };

	if (pid)
		return pid;
	pin(cpu);
	setpriority(PRIO_PROCESS, 0, 5);
	while (!sh->stop)
		for (f = 0; f < 2; f++) {
			gen = sh->gen;
			__sync_synchronize();
			if (!dbg_open_begin())
				continue;	/* an rmmod is running: see module.c */
			n = read_file(files[f], buf, sizeof(buf));
			dbg_open_end();
			/* a file being removed: ENOENT, EIO, ENXIO or ENODEV */
			if (n == -ENOENT || n == -EIO || n == -ENXIO || n == -ENODEV || n == 0 ||
			    (n == -EINVAL && module_went(gen))) {
				sh->dbg_absent++;
				continue;
			}
			if (n < 0) {
				sh->dbg_unexpected++;
				shared_msg("debugfs reader: %s: %s", files[f], strerror(-n));
				continue;
			}
			sh->dbg_reads++;
			if (f == 0 && (sscanf(buf, "# enomem_stats events: size %u recorded %lu overwritten %lu",
					      &size, &rec, &over) != 3 || over > rec)) {
				sh->dbg_bad++;
				shared_msg("debugfs reader: events header \"%.80s\"", buf);
			}
		}
	_exit(0);
}
