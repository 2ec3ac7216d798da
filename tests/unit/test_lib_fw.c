// SPDX-License-Identifier: MIT
/*
 * libazihsm against the emulated firmware core, in process: the library's
 * requests are executed by the same code the QEMU device runs, so the two
 * ends of the DDI are checked against each other without a VM.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <uapi/azihsm.h>

#include "azihsm/ddi_msg.h"
#include "azihsm/hw.h"
#include "libazihsm_emu.h"

static int setup(void **state)
{
	const struct azihsm_emu_config cfg = {
		.ctrl_id = 1, .key_tables = 3, .serial = "FW-CORE", .fw_rev = "1.0",
	};
	struct azihsm_emu *emu;
	struct azihsm_dev *dev;

	assert_int_equal(azihsm_emu_new(&cfg, &emu), AZIHSM_OK);
	assert_int_equal(azihsm_emu_open(emu, &dev), AZIHSM_OK);
	/* The handle keeps the partition alive. */
	azihsm_emu_free(emu);
	*state = dev;
	return 0;
}

static int teardown(void **state)
{
	azihsm_close(*state);
	return 0;
}

static void test_discovery(void **state)
{
	struct azihsm_dev *dev = *state;
	struct azihsm_api_rev min, max;
	struct azihsm_device_info info;

	assert_string_equal(azihsm_dev_path(dev), "emulated:FW-CORE");
	assert_int_equal(azihsm_get_api_rev(dev, &min, &max), AZIHSM_OK);
	assert_int_equal(min.major, AZIHSM_DDI_API_MAJOR);
	assert_int_equal(min.minor, AZIHSM_DDI_API_MINOR);
	assert_int_equal(max.major, AZIHSM_DDI_API_MAJOR);
	assert_int_equal(max.minor, AZIHSM_DDI_API_MINOR);
	assert_int_equal(azihsm_get_device_info(dev, &info), AZIHSM_OK);
	assert_int_equal(info.kind, AZIHSM_DEVICE_KIND_PHYSICAL);
	assert_int_equal(info.key_tables, 3);
	assert_false(info.fips_approved);
}

/* Encode a no-session request and run it raw. */
static void raw_request(struct azihsm_dev *dev, const struct ddi_req_hdr *hdr,
			const struct azihsm_session_ctl *sess,
			struct ddi_resp_hdr *rh)
{
	uint8_t req[64], resp[256];
	size_t req_len, len;

	assert_int_equal(ddi_encode_request(hdr, &ddi_empty_schema, NULL, req,
					    sizeof(req), &req_len), 0);
	assert_int_equal(azihsm_ddi_raw(dev, sess, req, req_len, resp, sizeof(resp),
					&len), AZIHSM_OK);
	assert_true(ddi_decode_response(resp, len, rh, NULL, NULL));
}

/*
 * The check azihsm-stress makes in the guest: an unsupported revision is
 * answered with UnsupportedRevision and echoed, which ties each response
 * to its request.
 */
static void test_rejected_revision_is_echoed(void **state)
{
	struct azihsm_dev *dev = *state;
	struct ddi_req_hdr hdr = {
		.has_rev = true,
		.op = AZIHSM_DDI_OP_GET_DEVICE_INFO,
	};
	struct ddi_resp_hdr rh;
	uint32_t i;

	for (i = 0; i < 50; i++) {
		hdr.rev.major = 0x80000000u | i;
		hdr.rev.minor = i * 7;
		raw_request(dev, &hdr, NULL, &rh);
		assert_int_equal(rh.status, AZIHSM_DDI_STATUS_UNSUPPORTED_REVISION);
		assert_int_equal(rh.op, AZIHSM_DDI_OP_GET_DEVICE_INFO);
		assert_true(rh.has_rev);
		assert_int_equal(rh.rev.major, hdr.rev.major);
		assert_int_equal(rh.rev.minor, hdr.rev.minor);
	}
}

/*
 * A session block on a handle without a session never reaches the core:
 * the emulated node refuses it as the driver does (extended status 12).
 * The core's own check of session blocks is test_fw_dispatch's.
 */
static void test_session_block_checked(void **state)
{
	struct azihsm_dev *dev = *state;
	struct ddi_req_hdr hdr = { .op = AZIHSM_DDI_OP_GET_API_REV };
	struct azihsm_session_ctl sess = {
		.kind = AZIHSM_SESSION_IN_SESSION, .has_id = true, .id = 1,
	};
	uint8_t req[64], resp[256];
	struct azihsm_error err;
	size_t req_len, len;

	assert_int_equal(ddi_encode_request(&hdr, &ddi_empty_schema, NULL, req,
					    sizeof(req), &req_len), 0);
	assert_int_equal(azihsm_ddi_raw(dev, &sess, req, req_len, resp, sizeof(resp),
					&len), AZIHSM_ERR_NO_SESSION);
	azihsm_last_error(&err);
	assert_int_equal(err.sys_errno, EINVAL);
	assert_int_equal(err.ext_status, AZIHSM_EXT_NO_EXISTING_SESSION);
}

/* What the emulated device says it is: nothing passes for hardware. */
static void test_identity_says_emulated(void **state)
{
	struct azihsm_dev *dev = *state;
	struct azihsm_identity id;

	assert_int_equal(azihsm_identify(dev, &id), AZIHSM_OK);
	assert_int_equal(id.ctrl_id, 1);
	assert_string_equal(id.serial, "FW-CORE");
	assert_string_equal(id.firmware_rev, "1.0");
	assert_string_equal(id.driver_rev, "emulated");
	assert_string_equal(id.pci_addr, "");
}

static void test_bad_config(void **state)
{
	struct azihsm_emu_config cfg = { .serial = "tab\tin serial" };
	struct azihsm_emu *emu = (struct azihsm_emu *)state;
	struct azihsm_dev *dev = (struct azihsm_dev *)state;
	struct azihsm_error err;
	uint8_t point[AZIHSM_P384_POINT_LEN];

	assert_int_equal(azihsm_emu_new(&cfg, NULL), AZIHSM_ERR_INVALID_ARG);
	assert_int_equal(azihsm_emu_new(&cfg, &emu), AZIHSM_ERR_INVALID_ARG);
	assert_null(emu);
	cfg.serial = "a serial of thirty-three chars...";
	assert_int_equal(azihsm_emu_new(&cfg, &emu), AZIHSM_ERR_INVALID_ARG);
	cfg.serial = NULL;
	cfg.fw_rev = "";
	/* An empty string is not the default: it cannot be an Identify FR. */
	assert_int_equal(azihsm_emu_new(&cfg, &emu), AZIHSM_ERR_INVALID_ARG);

	assert_int_equal(azihsm_emu_open(NULL, &dev), AZIHSM_ERR_INVALID_ARG);
	assert_null(dev);
	azihsm_last_error(&err);
	assert_int_equal(err.status, AZIHSM_ERR_INVALID_ARG);
	assert_int_equal(azihsm_emu_identity_key(NULL, point), AZIHSM_ERR_INVALID_ARG);
	azihsm_emu_free(NULL);
}

/*
 * Two handles on one emu are two opens of one node: one partition (the
 * identity key is shared, a defaulted config works) and separate session
 * slots; the partition outlives azihsm_emu_free() until the last close.
 */
static void test_handles_share_partition(void **state)
{
	struct azihsm_emu *emu;
	struct azihsm_dev *a, *b;
	uint8_t ka[AZIHSM_P384_POINT_LEN], kb[AZIHSM_P384_POINT_LEN];
	uint8_t direct[AZIHSM_P384_POINT_LEN];

	(void)state;
	assert_int_equal(azihsm_emu_new(NULL, &emu), AZIHSM_OK);
	assert_int_equal(azihsm_emu_open(emu, &a), AZIHSM_OK);
	assert_int_equal(azihsm_emu_open(emu, &b), AZIHSM_OK);
	assert_string_equal(azihsm_dev_path(a), "emulated:EMULATED");
	assert_int_equal(azihsm_emu_identity_key(emu, direct), AZIHSM_OK);
	azihsm_emu_free(emu);
	assert_int_equal(azihsm_partition_identity_key(a, ka), AZIHSM_OK);
	azihsm_close(a);
	assert_int_equal(azihsm_partition_identity_key(b, kb), AZIHSM_OK);
	assert_memory_equal(ka, kb, sizeof(ka));
	assert_memory_equal(ka, direct, sizeof(ka));
	azihsm_close(b);
}

/* GetApiRev is the one request that must not carry a revision. */
static void test_api_rev_refuses_a_revision(void **state)
{
	struct azihsm_dev *dev = *state;
	struct ddi_req_hdr hdr = {
		.has_rev = true, .rev = { 1, 0 }, .op = AZIHSM_DDI_OP_GET_API_REV,
	};
	struct ddi_resp_hdr rh;

	raw_request(dev, &hdr, NULL, &rh);
	assert_int_equal(rh.status, AZIHSM_DDI_STATUS_UNSUPPORTED_REVISION);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_discovery),
		T(test_rejected_revision_is_echoed),
		T(test_session_block_checked),
		T(test_api_rev_refuses_a_revision),
		T(test_identity_says_emulated),
		cmocka_unit_test(test_bad_config),
		cmocka_unit_test(test_handles_share_partition),
	};
#undef T

	return cmocka_run_group_tests_name("libazihsm/fw-core", tests, NULL, NULL);
}
