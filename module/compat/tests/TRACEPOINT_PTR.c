// SPDX-License-Identifier: GPL-2.0
/* tracepoint_probe_register() takes the tracepoint itself (3.15+), not its name */
#include <linux/tracepoint.h>
int enomem_compat_test(struct tracepoint *tp, void *probe)
{
	return tracepoint_probe_register(tp, probe, NULL);
}
