/* SPDX-License-Identifier: GPL-2.0 */
/* KTAP output (Documentation/dev-tools/ktap.rst), one result per test. */
#ifndef ENOMEM_TEST_KTAP_H
#define ENOMEM_TEST_KTAP_H

void ktap_header(int plan);
/* "# ..." diagnostic line(s); a multi-line text is prefixed line by line. */
void ktap_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void ktap_result(int ok, const char *name);
void ktap_skip(const char *name, const char *reason);
/* Print a file as diagnostics, for the serial log. */
void ktap_diag_file(const char *title, const char *path);
int ktap_failed(void);
/*
 * A test that could not run reports here: a skip with its reason, or a
 * failure of its setup.  Returns 1 if it did (the caller stops there).
 */
int ktap_not_run(const char *name, int skip, int setup_err, const char *msg);

#endif
