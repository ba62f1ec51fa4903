// SPDX-License-Identifier: GPL-2.0
/*
 * The module only observes: with it unloaded, every failure provoked with
 * it must look the same to userspace.  One loop for the fork reasons
 * (t_reasons.c) and the failed mappings (t_maps.c).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kmod.h"
#include "ktap.h"
#include "tests.h"

/*
 * Unload the module, provoke every failure of the set, load it again; then
 * one result each, named observer_NAME: as many failures as with the
 * module, each with the expected errno, the first one with the errno seen
 * with the module.
 */
void test_without_module(const struct observed *set)
{
	struct outcome *o;
	char name[80];
	int i, n, ok, unload_err, load_err;

	for (n = 0; set->name(n); n++)
		;
	o = calloc(n, sizeof(*o));
	if (!o)
		ktap_diag("no memory for %d outcomes", n);
	unload_err = kmod_unload(MODULE_NAME);
	if (unload_err)
		ktap_diag("rmmod: %s", strerror(unload_err));
	for (i = 0; o && i < n; i++)
		set->provoke(i, &o[i]);
	load_err = kmod_load(MODULE_PATH, MODULE_PARAMS);
	if (load_err)
		ktap_diag("insmod: %s", strerror(load_err));
	for (i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "observer_%s", set->name(i));
		if (!o) {
			ktap_result(0, name);
			continue;
		}
		if (o[i].skip) {
			ktap_skip(name, o[i].msg);
			continue;
		}
		if (!set->loaded_errno[i]) {
			ktap_skip(name, "not run with the module (see above)");
			continue;
		}
		ok = !unload_err && !load_err;
		if (o[i].setup_err) {
			ktap_diag("%s", o[i].msg);
			ok = 0;
		} else {
			ok = set->outcome_ok(i, &o[i]) && ok;
		}
		ktap_diag("%s%s with the module, %s without", set->call,
			  errno_name(set->loaded_errno[i]),
			  errno_name(o[i].first_errno));
		ktap_result(ok && o[i].first_errno == set->loaded_errno[i], name);
	}
	free(o);
}
