// SPDX-License-Identifier: MIT
/* Check reporting of the guest test programs: see vmtest_util.h. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "vmtest_util.h"

static int failures;

void vmtest_result(bool ok, const char *check, const char *fmt, ...)
{
	va_list ap;

	printf("%s %s: ", ok ? "ok  " : "FAIL", check);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	if (!ok)
		failures++;
}

int vmtest_summary(const char *prog)
{
	printf("%s: %d check(s) failed\n", prog, failures);
	return failures ? EXIT_FAILURE : EXIT_SUCCESS;
}
