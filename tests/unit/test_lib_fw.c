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
#include <stdlib.h>
#include <string.h>

#include "azihsm/ddi_msg.h"
#include "azihsm/hw.h"
#include "azihsm_fw.h"
#include "libazihsm_transport.h"

static int fw_hsm_cmd(void *ctx, struct azihsm_transport_cmd *cmd)
{
	struct azihsm_fw_session in = {
		.flags = cmd->session_flags,
		.id = cmd->session_id,
	}, out;

	cmd->device_status = azihsm_fw_execute(ctx, cmd->req, cmd->req_len,
					       cmd->resp, cmd->resp_cap,
					       &cmd->resp_len, &in, &out);
	return 0;
}

static int fw_dev_info(void *ctx, struct azihsm_identity *id)
{
	(void)ctx;
	id->ctrl_id = 1;
	strcpy(id->serial, "FW-CORE");
	return 0;
}

static void fw_close(void *ctx)
{
	azihsm_fw_free(ctx);
}

static const struct azihsm_transport_ops fw_ops = {
	.name = "fw-core",
	.hsm_cmd = fw_hsm_cmd,
	.dev_info = fw_dev_info,
	.close = fw_close,
};

static int setup(void **state)
{
	const struct azihsm_fw_config cfg = {
		.ctrl_id = 1, .key_tables = 3, .serial = "FW-CORE", .fw_rev = "1.0",
	};
	struct azihsm_fw *fw = azihsm_fw_new(&cfg);
	struct azihsm_dev *dev;

	assert_non_null(fw);
	assert_int_equal(azihsm_open_transport(&fw_ops, fw, &dev), AZIHSM_OK);
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

	assert_string_equal(azihsm_dev_path(dev), "transport:fw-core");
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

/* A discovery op sent with an in-session block is refused (ddi.md 2.6). */
static void test_session_block_checked(void **state)
{
	struct azihsm_dev *dev = *state;
	struct ddi_req_hdr hdr = { .op = AZIHSM_DDI_OP_GET_API_REV };
	struct azihsm_session_ctl sess = {
		.kind = AZIHSM_SESSION_IN_SESSION, .has_id = true, .id = 1,
	};
	struct ddi_resp_hdr rh;

	raw_request(dev, &hdr, &sess, &rh);
	assert_int_equal(rh.status, AZIHSM_DDI_STATUS_INVALID_ARG);
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
	};
#undef T

	return cmocka_run_group_tests_name("libazihsm/fw-core", tests, NULL, NULL);
}
