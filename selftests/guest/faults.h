/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One slab failure on demand, for the slab scenario: the kernel's own
 * failslab where the kernel has it (the RHEL 7 test kernel), else the
 * test-only enomem_inject module (Debian's kernels have no fault injection).
 */
#ifndef ENOMEM_TEST_FAULTS_H
#define ENOMEM_TEST_FAULTS_H

struct outcome;

/* Test process: check that a method is there, set it up disarmed. */
void slab_prepare(struct outcome *o);
/* Worker: fail this task's next task_struct allocation, once. */
void slab_arm(void);
void slab_disarm(void);
/* Failures made so far, or -1. */
long slab_injected(void);
/* Once, before any worker: state shared with the workers. */
void faults_init(void);

#endif
