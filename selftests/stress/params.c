// SPDX-License-Identifier: GPL-2.0
/* Bad module parameters: refused, named in the log, nothing left behind. */
#include "stress.h"

void test_bad_params(void)
{
	static const char *const bad[][2] = {
		{ "events=0", "events" },
		{ "events=100000000", "events" },
		{ "events=-1", "events" },
		{ "maxactive=-1", "maxactive" },
		{ "maxactive=100000", "maxactive" },
		{ "events=abc", "events" },
		{ "maxactive=99999999999999999999", "maxactive" },
		{ "who_entries=0", "who_entries" },
		{ "who_entries=65537", "who_entries" },
	};
	static char log[65536], kp[65536];
	char name[96];
	unsigned int i;
	int fd, err, ok;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		fd = kmsg_mark();
		err = mod_load(bad[i][0]);
		kmsg_since(fd, log, sizeof(log));
		if (fd >= 0)
			close(fd);
		ok = err != 0 && !mod_loaded() && !path_exists(STATS);
		diag("insmod %s %s: %s", MODULE_NAME, bad[i][0], err ? strerror(err) : "loaded");
		if (!err)
			mod_unload(NULL);
		/* one line naming the module and the parameter */
		if (!strstr(log, MODULE_NAME) || !strstr(log, bad[i][1])) {
			diag("no kernel log line names %s and %s; log: %.300s", MODULE_NAME,
			     bad[i][1], log);
			ok = 0;
		} else {
			char *p = strstr(log, MODULE_NAME), *eol = strchr(p, '\n');

			diag("dmesg: %.*s", eol ? (int)(eol - p) : 160, p);
		}
		if (kp_have && (!kprobes_read(kp, sizeof(kp)) || strcmp(kp, kp_base))) {
			diag("kprobes list changed by a refused load:\n%s", kp);
			ok = 0;
		}
		snprintf(name, sizeof(name), "stress_bad_param_%s", bad[i][0]);
		for (err = 0; name[err]; err++)
			if (name[err] == '=')
				name[err] = '_';
		result(ok, name);
	}
}
