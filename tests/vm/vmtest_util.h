/* SPDX-License-Identifier: MIT */
/*
 * Reporting of the guest test programs that run many named checks
 * (tests/vm/azihsm-keytest.c, azihsm-lockout.c): one line per check on
 * stdout, "ok   NAME: ..." or "FAIL NAME: ...", which the test scripts in
 * tests/vm/guest/ read, and a count of the failures for the exit status.
 */
#ifndef AZIHSM_VMTEST_UTIL_H
#define AZIHSM_VMTEST_UTIL_H

#include <stdbool.h>

/*
 * Print the line of check (ok: it passed) with the message fmt, and count
 * a failure.  The line is flushed at once: a check may be followed by a
 * fork(), or by a wait the test script acts on meanwhile.
 */
__attribute__((format(printf, 3, 4)))
void vmtest_result(bool ok, const char *check, const char *fmt, ...);

/*
 * "PROG: N check(s) failed" on stdout.  Returns the exit status: 0 when
 * no check failed, 1 otherwise.
 */
int vmtest_summary(const char *prog);

#endif /* AZIHSM_VMTEST_UTIL_H */
