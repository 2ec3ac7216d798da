// SPDX-License-Identifier: MIT
/*
 * libazihsm without a device: status strings, error formatting, DDI names,
 * enumeration of a directory, and the ioctl transport's failures on nodes
 * that are not HSM devices.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "azihsm/ddi.h"
#include "libazihsm.h"

static struct azihsm_error last_error(void)
{
	struct azihsm_error err;

	azihsm_last_error(&err);
	return err;
}

static void test_strerror_covers_every_status(void **state)
{
	const char *seen[-AZIHSM_ERR_LAST + 1];
	int s, t;

	(void)state;
	for (s = AZIHSM_OK; s >= AZIHSM_ERR_LAST; s--) {
		const char *msg = azihsm_strerror(s);

		assert_non_null(msg);
		assert_string_not_equal(msg, "unknown error");
		for (t = 0; t < -s; t++)
			assert_string_not_equal(msg, seen[t]);
		seen[-s] = msg;
	}
	assert_string_equal(azihsm_strerror(AZIHSM_ERR_LAST - 1), "unknown error");
	assert_string_equal(azihsm_strerror(1), "unknown error");
	assert_string_equal(azihsm_strerror(INT_MIN), "unknown error");
	assert_string_equal(azihsm_strerror(AZIHSM_ERR_PERMISSION), "permission denied");
}

static void test_error_format(void **state)
{
	struct azihsm_error err = {
		.status = AZIHSM_ERR_DDI,
		.ddi_status = AZIHSM_DDI_STATUS_UNSUPPORTED_REVISION,
		.ddi_op = AZIHSM_DDI_OP_GET_DEVICE_INFO,
	};
	char buf[160], tiny[12];

	(void)state;
	assert_int_equal(azihsm_error_format(&err, buf, sizeof(buf)), AZIHSM_OK);
	assert_string_equal(buf, "GetDeviceInfo: DDI error UnsupportedRevision (0x0870002a)");
	/* Truncated text is reported and still terminated. */
	assert_int_equal(azihsm_error_format(&err, tiny, sizeof(tiny)),
			 AZIHSM_ERR_BUFFER_TOO_SMALL);
	assert_int_equal(strnlen(tiny, sizeof(tiny)) < sizeof(tiny), 1);
	assert_int_equal(azihsm_error_format(&err, NULL, 10), AZIHSM_ERR_INVALID_ARG);
	assert_int_equal(azihsm_error_format(&err, buf, 0), AZIHSM_ERR_INVALID_ARG);

	err = (struct azihsm_error){ .status = AZIHSM_ERR_TIMEOUT, .sys_errno = EAGAIN,
				     .ext_status = 0x04000002 };
	azihsm_error_format(&err, buf, sizeof(buf));
	assert_non_null(strstr(buf, "command timed out"));
	assert_non_null(strstr(buf, "0x4000002 (command aborted)"));
}

static void test_ddi_names(void **state)
{
	(void)state;
	assert_string_equal(azihsm_ddi_status_name(AZIHSM_DDI_STATUS_DDI_DECODE_FAILED),
			    "DdiDecodeFailed");
	assert_string_equal(azihsm_ddi_status_name(0), "Success");
	assert_null(azihsm_ddi_status_name(0x12345678));
	assert_string_equal(azihsm_ddi_op_name(AZIHSM_DDI_OP_GET_API_REV), "GetApiRev");
	assert_string_equal(azihsm_ddi_op_name(4242), "unknown");
}

/* ---- Enumeration in a temporary directory ---- */

struct tmpdir {
	char path[64];
};

static int tmpdir_setup(void **state)
{
	struct tmpdir *t = calloc(1, sizeof(*t));

	assert_non_null(t);
	strcpy(t->path, "/tmp/azihsm-test-XXXXXX");
	assert_non_null(mkdtemp(t->path));
	*state = t;
	return 0;
}

static void touch(const struct tmpdir *t, const char *name)
{
	char path[128];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", t->path, name);
	fd = open(path, O_CREAT | O_WRONLY, 0600);
	assert_true(fd >= 0);
	close(fd);
}

static int tmpdir_teardown(void **state)
{
	struct tmpdir *t = *state;
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", t->path);
	assert_int_equal(system(cmd), 0);
	free(t);
	return 0;
}

static void test_enumerate(void **state)
{
	static const char *const names[] = {
		"azihsm10", "azihsm-mgmt0", "azihsm2", "azihsm", "azihsmx",
		"azihsm3a", "null", "azihsm0", "xazihsm1", "azihsm-mgmt1",
	};
	struct tmpdir *t = *state;
	struct azihsm_dev_list list;
	char expect[128];
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		touch(t, names[i]);
	assert_int_equal(azihsm_enumerate_dir(t->path, &list), AZIHSM_OK);
	assert_int_equal(list.count, 3);
	/* Numeric order, not the directory's or the alphabet's. */
	snprintf(expect, sizeof(expect), "%s/azihsm0", t->path);
	assert_string_equal(list.paths[0], expect);
	snprintf(expect, sizeof(expect), "%s/azihsm2", t->path);
	assert_string_equal(list.paths[1], expect);
	snprintf(expect, sizeof(expect), "%s/azihsm10", t->path);
	assert_string_equal(list.paths[2], expect);
	azihsm_dev_list_free(&list);
	assert_int_equal(list.count, 0);
	assert_null(list.paths);
	azihsm_dev_list_free(&list);
	azihsm_dev_list_free(NULL);
}

static void test_enumerate_many(void **state)
{
	struct tmpdir *t = *state;
	struct azihsm_dev_list list;
	char name[32], expect[128];
	size_t i;

	/* More than the first allocation holds. */
	for (i = 0; i < 40; i++) {
		snprintf(name, sizeof(name), "azihsm%zu", 39 - i);
		touch(t, name);
	}
	assert_int_equal(azihsm_enumerate_dir(t->path, &list), AZIHSM_OK);
	assert_int_equal(list.count, 40);
	for (i = 0; i < 40; i++) {
		snprintf(expect, sizeof(expect), "%s/azihsm%zu", t->path, i);
		assert_string_equal(list.paths[i], expect);
	}
	azihsm_dev_list_free(&list);
}

static void test_enumerate_empty_and_missing(void **state)
{
	struct tmpdir *t = *state;
	struct azihsm_dev_list list;
	char missing[128];

	touch(t, "azihsm-mgmt0");
	assert_int_equal(azihsm_enumerate_dir(t->path, &list), AZIHSM_OK);
	assert_int_equal(list.count, 0);
	azihsm_dev_list_free(&list);

	snprintf(missing, sizeof(missing), "%s/nope", t->path);
	assert_int_equal(azihsm_enumerate_dir(missing, &list), AZIHSM_ERR_NO_DEVICE);
	assert_int_equal(last_error().sys_errno, ENOENT);
	assert_int_equal(list.count, 0);
	assert_int_equal(azihsm_enumerate_dir(NULL, &list), AZIHSM_ERR_INVALID_ARG);
	assert_int_equal(azihsm_enumerate_dir(t->path, NULL), AZIHSM_ERR_INVALID_ARG);
	assert_int_equal(azihsm_enumerate(NULL), AZIHSM_ERR_INVALID_ARG);
}

/* ---- Opening nodes ---- */

static void test_open_missing(void **state)
{
	struct tmpdir *t = *state;
	struct azihsm_dev *dev = (struct azihsm_dev *)t;
	char path[128];

	snprintf(path, sizeof(path), "%s/azihsm0", t->path);
	assert_int_equal(azihsm_open(path, &dev), AZIHSM_ERR_NO_DEVICE);
	assert_null(dev);
	assert_int_equal(last_error().sys_errno, ENOENT);
	assert_int_equal(azihsm_open(path, NULL), AZIHSM_ERR_INVALID_ARG);
}

/*
 * A node that is not an HSM: open works, every ioctl is refused with
 * ENOTTY, which the library reports as "not supported", not as a crash or
 * a bogus success.
 */
static void test_open_not_an_hsm(void **state)
{
	struct tmpdir *t = *state;
	struct azihsm_identity id;
	struct azihsm_dev *dev;
	uint8_t req[] = { 0xa0 }, resp[8];
	char path[128];
	size_t len;

	touch(t, "azihsm0");
	snprintf(path, sizeof(path), "%s/azihsm0", t->path);
	assert_int_equal(azihsm_open(path, &dev), AZIHSM_OK);
	assert_string_equal(azihsm_dev_path(dev), path);
	assert_int_equal(azihsm_identify(dev, &id), AZIHSM_ERR_NOT_SUPPORTED);
	assert_int_equal(last_error().sys_errno, ENOTTY);
	assert_int_equal(azihsm_ddi_raw(dev, NULL, req, sizeof(req), resp,
					sizeof(resp), &len), AZIHSM_ERR_NOT_SUPPORTED);
	assert_int_equal(azihsm_get_api_rev(dev, NULL, NULL), AZIHSM_ERR_NOT_SUPPORTED);
	assert_int_equal(last_error().ddi_op, AZIHSM_DDI_OP_GET_API_REV);
	azihsm_close(dev);
}

static void test_open_permission(void **state)
{
	struct tmpdir *t = *state;
	struct azihsm_dev *dev;
	char path[128];

	touch(t, "azihsm0");
	snprintf(path, sizeof(path), "%s/azihsm0", t->path);
	assert_int_equal(chmod(path, 0), 0);
	if (access(path, R_OK | W_OK) == 0)
		skip();		/* root (CAP_DAC_OVERRIDE) may open anything */
	assert_int_equal(azihsm_open(path, &dev), AZIHSM_ERR_PERMISSION);
	assert_int_equal(last_error().sys_errno, EACCES);
}

static void test_open_directory(void **state)
{
	struct tmpdir *t = *state;
	struct azihsm_dev *dev;

	/* Not a device at all: a driver-level failure with its errno kept. */
	assert_int_equal(azihsm_open(t->path, &dev), AZIHSM_ERR_DRIVER);
	assert_int_equal(last_error().sys_errno, EISDIR);
	assert_null(dev);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, tmpdir_setup, tmpdir_teardown)
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_strerror_covers_every_status),
		cmocka_unit_test(test_error_format),
		cmocka_unit_test(test_ddi_names),
		T(test_enumerate),
		T(test_enumerate_many),
		T(test_enumerate_empty_and_missing),
		T(test_open_missing),
		T(test_open_not_an_hsm),
		T(test_open_permission),
		T(test_open_directory),
	};
#undef T

	return cmocka_run_group_tests_name("libazihsm/core", tests, NULL, NULL);
}
