// SPDX-License-Identifier: GPL-2.0
/* Time, CPUs and child processes for the stress suite. */
#include "stress.h"
#include <sched.h>
#include <signal.h>
#include <time.h>
#include <sys/prctl.h>

double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

void pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

int ncpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n < 1 ? 1 : n > 8 ? 8 : (int)n;
}

/* A child that dies with us: no stray fork bomb outlives a failed run. */
pid_t fork_child(void)
{
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid == 0)
		prctl(PR_SET_PDEATHSIG, SIGKILL);
	return pid;
}

void reap_all(void)
{
	while (wait(NULL) > 0 || errno == EINTR)
		;
}

int wait_ok(pid_t pid, const char *what)
{
	int st = 0;

	if (pid < 0) {
		diag("%s: fork: %s", what, strerror(errno));
		return 0;
	}
	waitpid(pid, &st, 0);
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return 1;
	diag("%s: worker ended with status 0x%x (setup step %d)", what, st,
	     WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	return 0;
}
