// SPDX-License-Identifier: MIT
/*
 * libazihsm against a fake device transport: handles, identity, raw DDI,
 * GetApiRev / GetDeviceInfo, and the mapping of every failure layer
 * (driver errno and extended status, completion status, DDI status,
 * malformed responses) to the library's status and last-error record.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <pthread.h>
#include <cmocka.h>

#include <uapi/azihsm.h>

#include "azihsm/hw.h"
#include "fake_device.h"
#include "libazihsm.h"

struct fixture {
	struct fake_device fake;
	struct azihsm_dev *dev;
};

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));

	assert_non_null(fx);
	fake_device_init(&fx->fake);
	assert_int_equal(azihsm_open_transport(&fake_ops, &fx->fake, &fx->dev),
			 AZIHSM_OK);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	azihsm_close(fx->dev);
	assert_int_equal(fx->fake.closed, 1);
	free(fx);
	return 0;
}

static struct azihsm_error last_error(void)
{
	struct azihsm_error err;

	azihsm_last_error(&err);
	return err;
}

static void test_open_transport(void **state)
{
	struct fixture *fx = *state;

	assert_string_equal(azihsm_dev_path(fx->dev), "transport:fake");
	assert_int_equal(fx->fake.cmds, 0);
	assert_int_equal(fx->fake.closed, 0);
}

static void test_open_transport_invalid(void **state)
{
	struct azihsm_transport_ops no_cmd = fake_ops, no_info = fake_ops;
	struct fake_device fake;
	struct azihsm_dev *dev = (struct azihsm_dev *)&fake;

	(void)state;
	fake_device_init(&fake);
	no_cmd.hsm_cmd = NULL;
	no_info.dev_info = NULL;
	assert_int_equal(azihsm_open_transport(NULL, &fake, &dev),
			 AZIHSM_ERR_INVALID_ARG);
	assert_null(dev);
	assert_int_equal(azihsm_open_transport(&no_cmd, &fake, &dev),
			 AZIHSM_ERR_INVALID_ARG);
	assert_int_equal(azihsm_open_transport(&no_info, &fake, &dev),
			 AZIHSM_ERR_INVALID_ARG);
	assert_int_equal(azihsm_open_transport(&fake_ops, &fake, NULL),
			 AZIHSM_ERR_INVALID_ARG);
	assert_int_equal(last_error().status, AZIHSM_ERR_INVALID_ARG);
	/* On failure the context stays the caller's. */
	assert_int_equal(fake.closed, 0);
	azihsm_close(NULL);
}

/* A caller-chosen name must be "scheme:name", never a device path. */
static void test_open_transport_labelled(void **state)
{
	static const char *const bad[] = {
		NULL, "", "/dev/azihsm0", "/x:y", "no-scheme", ":name",
	};
	struct fake_device fake;
	struct azihsm_dev *dev;
	size_t i;

	(void)state;
	fake_device_init(&fake);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		dev = (struct azihsm_dev *)&fake;
		assert_int_equal(azihsm_open_transport_labelled(&fake_ops, &fake,
								bad[i], &dev),
				 AZIHSM_ERR_INVALID_ARG);
		assert_null(dev);
	}
	assert_int_equal(fake.closed, 0);
	assert_int_equal(azihsm_open_transport_labelled(&fake_ops, &fake,
							"emulated:SN-1", &dev),
			 AZIHSM_OK);
	assert_string_equal(azihsm_dev_path(dev), "emulated:SN-1");
	azihsm_close(dev);
	assert_int_equal(fake.closed, 1);
}

static void test_identify(void **state)
{
	struct fixture *fx = *state;
	struct azihsm_identity id;

	strcpy(fx->fake.ident.serial, "SERIAL-PADDED   ");
	/* A field the transport filled to the last byte is still cut to a string. */
	memset(fx->fake.ident.firmware_rev, 'F', sizeof(fx->fake.ident.firmware_rev));
	assert_int_equal(azihsm_identify(fx->dev, &id), AZIHSM_OK);
	assert_int_equal(id.ctrl_id, 7);
	assert_string_equal(id.pci_addr, "0000:00:03.0");
	assert_string_equal(id.serial, "SERIAL-PADDED");
	assert_int_equal(strlen(id.firmware_rev), sizeof(id.firmware_rev) - 1);
	assert_string_equal(id.driver_rev, "0.1.0");
	assert_memory_equal(id.entropy, fx->fake.ident.entropy, sizeof(id.entropy));
	assert_int_equal(last_error().status, AZIHSM_OK);
}

static void test_identify_errors(void **state)
{
	static const struct {
		int sys_errno;
		int status;
	} cases[] = {
		{ EACCES, AZIHSM_ERR_PERMISSION },
		{ EAGAIN, AZIHSM_ERR_BUSY },
		{ ENOTTY, AZIHSM_ERR_NOT_SUPPORTED },
		{ ENODEV, AZIHSM_ERR_NO_DEVICE },
		{ EINVAL, AZIHSM_ERR_DRIVER },
	};
	struct fixture *fx = *state;
	struct azihsm_identity id;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		fx->fake.info_errno = cases[i].sys_errno;
		memset(&id, 0xff, sizeof(id));
		assert_int_equal(azihsm_identify(fx->dev, &id), cases[i].status);
		assert_int_equal(last_error().status, cases[i].status);
		assert_int_equal(last_error().sys_errno, cases[i].sys_errno);
		/* Nothing half-filled is left behind. */
		assert_int_equal(id.ctrl_id, 0);
		assert_int_equal(id.serial[0], '\0');
	}
	assert_int_equal(azihsm_identify(NULL, &id), AZIHSM_ERR_INVALID_ARG);
	assert_int_equal(azihsm_identify(fx->dev, NULL), AZIHSM_ERR_INVALID_ARG);
}

static void test_get_api_rev(void **state)
{
	struct fixture *fx = *state;
	struct azihsm_api_rev min, max;

	fx->fake.rev_min = (struct ddi_api_rev){ 1, 0 };
	fx->fake.rev_max = (struct ddi_api_rev){ 2, 5 };
	assert_int_equal(azihsm_get_api_rev(fx->dev, &min, &max), AZIHSM_OK);
	assert_int_equal(min.major, 1);
	assert_int_equal(min.minor, 0);
	assert_int_equal(max.major, 2);
	assert_int_equal(max.minor, 5);
	/* GetApiRev goes out without a revision, session or session id. */
	assert_true(fx->fake.last_hdr_ok);
	assert_int_equal(fx->fake.last_hdr.op, AZIHSM_DDI_OP_GET_API_REV);
	assert_false(fx->fake.last_hdr.has_rev);
	assert_false(fx->fake.last_hdr.has_sess_id);
	assert_int_equal(fx->fake.last_session_flags, 0);
	assert_int_equal(fx->fake.last_resp_cap, AZIHSM_MAX_RESPONSE);
	/* Either output may be omitted. */
	assert_int_equal(azihsm_get_api_rev(fx->dev, NULL, NULL), AZIHSM_OK);
	assert_int_equal(azihsm_get_api_rev(NULL, &min, &max), AZIHSM_ERR_INVALID_ARG);
}

static void test_api_rev_inverted(void **state)
{
	struct fixture *fx = *state;

	fx->fake.rev_min = (struct ddi_api_rev){ 1, 2 };
	fx->fake.rev_max = (struct ddi_api_rev){ 1, 1 };
	assert_int_equal(azihsm_get_api_rev(fx->dev, NULL, NULL), AZIHSM_ERR_MALFORMED);
}

static void test_get_device_info(void **state)
{
	struct fixture *fx = *state;
	struct azihsm_device_info info;

	fx->fake.rev_max = (struct ddi_api_rev){ 1, 3 };
	fx->fake.info.kind = AZIHSM_DEVICE_KIND_VIRTUAL;
	fx->fake.info.tables = 9;
	fx->fake.info.fips_approved = false;
	/* No GetApiRev yet: the library negotiates the revision by itself. */
	assert_int_equal(azihsm_get_device_info(fx->dev, &info), AZIHSM_OK);
	assert_int_equal(fx->fake.cmds, 2);
	assert_int_equal(info.kind, AZIHSM_DEVICE_KIND_VIRTUAL);
	assert_int_equal(info.key_tables, 9);
	assert_false(info.fips_approved);
	/* The request carries the highest revision GetApiRev reported. */
	assert_int_equal(fx->fake.last_hdr.op, AZIHSM_DDI_OP_GET_DEVICE_INFO);
	assert_true(fx->fake.last_hdr.has_rev);
	assert_int_equal(fx->fake.last_hdr.rev.major, 1);
	assert_int_equal(fx->fake.last_hdr.rev.minor, 3);
	assert_false(fx->fake.last_hdr.has_sess_id);

	/* Once known, the revision is not asked for again. */
	fx->fake.info.kind = AZIHSM_DEVICE_KIND_PHYSICAL;
	fx->fake.info.fips_approved = true;
	assert_int_equal(azihsm_get_device_info(fx->dev, &info), AZIHSM_OK);
	assert_int_equal(fx->fake.cmds, 3);
	assert_int_equal(info.kind, AZIHSM_DEVICE_KIND_PHYSICAL);
	assert_true(info.fips_approved);
	assert_int_equal(azihsm_get_device_info(fx->dev, NULL), AZIHSM_ERR_INVALID_ARG);
	assert_int_equal(azihsm_get_device_info(NULL, &info), AZIHSM_ERR_INVALID_ARG);
}

static void test_ddi_error(void **state)
{
	struct fixture *fx = *state;
	struct azihsm_device_info info;
	struct azihsm_error err;
	char msg[128];

	fx->fake.ddi_status = AZIHSM_DDI_STATUS_FUNCTION_NOT_ENABLED;
	assert_int_equal(azihsm_get_device_info(fx->dev, &info), AZIHSM_ERR_DDI);
	err = last_error();
	assert_int_equal(err.status, AZIHSM_ERR_DDI);
	assert_int_equal(err.ddi_status, AZIHSM_DDI_STATUS_FUNCTION_NOT_ENABLED);
	/* It failed at the revision negotiation, and says so. */
	assert_int_equal(err.ddi_op, AZIHSM_DDI_OP_GET_API_REV);
	assert_int_equal(err.sys_errno, 0);
	assert_int_equal(err.device_status, 0);
	assert_string_equal(azihsm_ddi_status_name(err.ddi_status), "FunctionNotEnabled");
	assert_int_equal(azihsm_error_format(NULL, msg, sizeof(msg)), AZIHSM_OK);
	assert_string_equal(msg, "GetApiRev: DDI error FunctionNotEnabled (0x08700027)");
}

static void test_ddi_error_on_device_info(void **state)
{
	struct fixture *fx = *state;
	struct azihsm_device_info info;
	struct azihsm_error err;

	assert_int_equal(azihsm_get_api_rev(fx->dev, NULL, NULL), AZIHSM_OK);
	/* The device stops accepting the revision the library negotiated. */
	fx->fake.rev_min = fx->fake.rev_max = (struct ddi_api_rev){ 2, 0 };
	assert_int_equal(azihsm_get_device_info(fx->dev, &info), AZIHSM_ERR_DDI);
	err = last_error();
	assert_int_equal(err.ddi_status, AZIHSM_DDI_STATUS_UNSUPPORTED_REVISION);
	assert_int_equal(err.ddi_op, AZIHSM_DDI_OP_GET_DEVICE_INFO);
	assert_string_equal(azihsm_ddi_status_name(err.ddi_status), "UnsupportedRevision");
}

static void test_unknown_ddi_status(void **state)
{
	struct fixture *fx = *state;
	char msg[128];

	fx->fake.ddi_status = 0x0877ffff;
	assert_int_equal(azihsm_get_api_rev(fx->dev, NULL, NULL), AZIHSM_ERR_DDI);
	assert_int_equal(last_error().ddi_status, 0x0877ffff);
	assert_null(azihsm_ddi_status_name(0x0877ffff));
	azihsm_error_format(NULL, msg, sizeof(msg));
	assert_string_equal(msg, "GetApiRev: DDI error unknown (0x0877ffff)");
}

static void test_malformed_responses(void **state)
{
	static const uint8_t garbage[] = { 0xa2, 0x00, 0xff, 0x01, 0xa0 };
	struct fixture *fx = *state;
	struct ddi_resp_hdr rh = { .op = AZIHSM_DDI_OP_GET_API_REV };
	struct ddi_get_api_rev_resp revs = { { 1, 0 }, { 1, 0 } };
	uint8_t good[64];
	size_t good_len, cut;

	fx->fake.use_canned = true;
	memcpy(fx->fake.canned, garbage, sizeof(garbage));
	fx->fake.canned_len = sizeof(garbage);
	assert_int_equal(azihsm_get_api_rev(fx->dev, NULL, NULL), AZIHSM_ERR_MALFORMED);
	assert_int_equal(last_error().ddi_op, AZIHSM_DDI_OP_GET_API_REV);

	/* An empty response. */
	fx->fake.canned_len = 0;
	assert_int_equal(azihsm_get_api_rev(fx->dev, NULL, NULL), AZIHSM_ERR_MALFORMED);

	/* A valid response is accepted whole and rejected at every cut. */
	assert_int_equal(ddi_encode_response(&rh, &ddi_get_api_rev_resp_schema, &revs,
					     good, sizeof(good), &good_len), 0);
	memcpy(fx->fake.canned, good, good_len);
	fx->fake.canned_len = good_len;
	assert_int_equal(azihsm_get_api_rev(fx->dev, NULL, NULL), AZIHSM_OK);
	for (cut = 0; cut < good_len; cut++) {
		fx->fake.canned_len = cut;
		assert_int_equal(azihsm_get_api_rev(fx->dev, NULL, NULL),
				 AZIHSM_ERR_MALFORMED);
	}

	/* A well-formed response that names another operation is not ours. */
	fx->fake.use_canned = false;
	fx->fake.op_delta = 1;
	assert_int_equal(azihsm_get_api_rev(fx->dev, NULL, NULL), AZIHSM_ERR_MALFORMED);
}

static void test_device_status(void **state)
{
	struct fixture *fx = *state;
	struct azihsm_error err;
	char msg[128];

	fx->fake.device_status = AZIHSM_HSM_SC_INVALID_SRC_LEN;
	assert_int_equal(azihsm_get_api_rev(fx->dev, NULL, NULL), AZIHSM_ERR_DEVICE);
	err = last_error();
	assert_int_equal(err.device_status, AZIHSM_HSM_SC_INVALID_SRC_LEN);
	assert_int_equal(err.ddi_status, 0);
	azihsm_error_format(NULL, msg, sizeof(msg));
	assert_string_equal(msg, "GetApiRev: device error: completion status 0x0c1 "
			    "(invalid request length)");
}

static void test_driver_errors(void **state)
{
	static const struct {
		int sys_errno;
		uint32_t ext;
		int status;
	} cases[] = {
		{ EACCES, 0, AZIHSM_ERR_PERMISSION },
		{ EAGAIN, AZIHSM_EXT_ABORT_IN_PROGRESS, AZIHSM_ERR_BUSY },
		{ EAGAIN, AZIHSM_EXT_NO_QUEUE, AZIHSM_ERR_BUSY },
		{ EAGAIN, AZIHSM_EXT_DEVICE_ERROR, AZIHSM_ERR_BUSY },
		{ EAGAIN, AZIHSM_EXT_ABORTED, AZIHSM_ERR_TIMEOUT },
		{ ETIMEDOUT, 0, AZIHSM_ERR_TIMEOUT },
		/* The driver's session refusals each have their own code. */
		{ EINVAL, AZIHSM_EXT_SESSION_LIMIT_REACHED, AZIHSM_ERR_SESSION_EXISTS },
		{ EINVAL, AZIHSM_EXT_NO_EXISTING_SESSION, AZIHSM_ERR_NO_SESSION },
		{ EINVAL, AZIHSM_EXT_SESSION_ID_MISMATCH, AZIHSM_ERR_SESSION_MISMATCH },
		{ EINVAL, AZIHSM_EXT_INPUT_ABOVE_8K, AZIHSM_ERR_DRIVER },
		{ EFAULT, 0, AZIHSM_ERR_DRIVER },
		{ ENOMEM, AZIHSM_EXT_NO_MEMORY, AZIHSM_ERR_NO_MEMORY },
		{ ENODEV, 0, AZIHSM_ERR_NO_DEVICE },
		{ EBADRQC, 0, AZIHSM_ERR_NOT_SUPPORTED },
		{ ENOTTY, 0, AZIHSM_ERR_NOT_SUPPORTED },
		{ EPROTO, 0, AZIHSM_ERR_MALFORMED },
	};
	struct fixture *fx = *state;
	uint8_t req[] = { 0xa0 }, resp[16];
	struct azihsm_error err;
	size_t len = 99, i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		fx->fake.cmd_errno = cases[i].sys_errno;
		fx->fake.cmd_ext_status = cases[i].ext;
		assert_int_equal(azihsm_ddi_raw(fx->dev, NULL, req, sizeof(req), resp,
						sizeof(resp), &len), cases[i].status);
		assert_int_equal(len, 0);
		err = last_error();
		assert_int_equal(err.status, cases[i].status);
		assert_int_equal(err.sys_errno, cases[i].sys_errno);
		assert_int_equal(err.ext_status, cases[i].ext);
		assert_int_equal(err.ddi_op, 0);
	}
}

static void test_driver_error_text(void **state)
{
	struct fixture *fx = *state;
	char msg[160];

	fx->fake.cmd_errno = EINVAL;
	fx->fake.cmd_ext_status = AZIHSM_EXT_INPUT_ABOVE_8K;
	assert_int_equal(azihsm_get_api_rev(fx->dev, NULL, NULL), AZIHSM_ERR_DRIVER);
	azihsm_error_format(NULL, msg, sizeof(msg));
	assert_string_equal(msg, "GetApiRev: driver error: Invalid argument, "
			    "extended status 0x3 (request above 8 KiB)");

	fx->fake.cmd_errno = EINVAL;
	fx->fake.cmd_ext_status = AZIHSM_EXT_SESSION_ID_MISMATCH;
	assert_int_equal(azihsm_get_api_rev(fx->dev, NULL, NULL),
			 AZIHSM_ERR_SESSION_MISMATCH);
	azihsm_error_format(NULL, msg, sizeof(msg));
	assert_string_equal(msg, "GetApiRev: session id does not belong to this "
			    "handle: Invalid argument, extended status 0xe "
			    "(session id mismatch)");

	fx->fake.cmd_errno = EACCES;
	fx->fake.cmd_ext_status = 0;
	assert_int_equal(azihsm_get_api_rev(fx->dev, NULL, NULL), AZIHSM_ERR_PERMISSION);
	azihsm_error_format(NULL, msg, sizeof(msg));
	assert_string_equal(msg, "GetApiRev: permission denied");
}

static void test_raw(void **state)
{
	struct fixture *fx = *state;
	struct ddi_req_hdr hdr = { .op = AZIHSM_DDI_OP_GET_API_REV };
	struct azihsm_session_ctl sess = {
		.kind = AZIHSM_SESSION_IN_SESSION, .has_id = true, .id = 5,
	};
	struct ddi_get_api_rev_resp revs;
	struct ddi_resp_hdr rh;
	uint8_t req[64], *resp;
	size_t req_len, len;

	resp = malloc(2 * AZIHSM_MAX_RESPONSE);
	assert_non_null(resp);
	assert_int_equal(ddi_encode_request(&hdr, &ddi_empty_schema, NULL, req,
					    sizeof(req), &req_len), 0);
	assert_int_equal(azihsm_ddi_raw(fx->dev, NULL, req, req_len, resp,
					2 * AZIHSM_MAX_RESPONSE, &len), AZIHSM_OK);
	/* A larger buffer is offered to the device as the maximum. */
	assert_int_equal(fx->fake.last_resp_cap, AZIHSM_MAX_RESPONSE);
	assert_int_equal(fx->fake.last_req_len, req_len);
	assert_int_equal(fx->fake.last_session_flags, 0);
	assert_true(ddi_decode_response(resp, len, &rh, &ddi_get_api_rev_resp_schema,
					&revs));
	assert_int_equal(rh.op, AZIHSM_DDI_OP_GET_API_REV);

	/* The session block reaches the transport as queue-level flags. */
	assert_int_equal(azihsm_ddi_raw(fx->dev, &sess, req, req_len, resp, 64, &len),
			 AZIHSM_OK);
	assert_int_equal(fx->fake.last_session_flags,
			 AZIHSM_SESSION_IN_SESSION | AZIHSM_TRANSPORT_SESS_ID_VALID);
	assert_int_equal(fx->fake.last_session_id, 5);
	sess = (struct azihsm_session_ctl){ .kind = AZIHSM_SESSION_OPEN, .id = 9 };
	assert_int_equal(azihsm_ddi_raw(fx->dev, &sess, req, req_len, resp, 64, &len),
			 AZIHSM_OK);
	assert_int_equal(fx->fake.last_session_flags, AZIHSM_SESSION_OPEN);
	assert_int_equal(fx->fake.last_session_id, 0);

	/* A DDI error response is still a successful exchange at this level. */
	fx->fake.ddi_status = AZIHSM_DDI_STATUS_INVALID_ARG;
	assert_int_equal(azihsm_ddi_raw(fx->dev, NULL, req, req_len, resp, 64, &len),
			 AZIHSM_OK);
	assert_true(ddi_decode_response(resp, len, &rh, NULL, NULL));
	assert_int_equal(rh.status, AZIHSM_DDI_STATUS_INVALID_ARG);
	free(resp);
}

static void test_raw_invalid_args(void **state)
{
	struct fixture *fx = *state;
	struct azihsm_session_ctl bad_kind = { .kind = 4 };
	static uint8_t big[AZIHSM_MAX_REQUEST + 1];
	uint8_t req[4] = { 0xa0 }, resp[64];
	size_t len;

	assert_int_equal(azihsm_ddi_raw(NULL, NULL, req, 1, resp, 16, &len),
			 AZIHSM_ERR_INVALID_ARG);
	assert_int_equal(azihsm_ddi_raw(fx->dev, NULL, NULL, 1, resp, 16, &len),
			 AZIHSM_ERR_INVALID_ARG);
	assert_int_equal(azihsm_ddi_raw(fx->dev, NULL, req, 0, resp, 16, &len),
			 AZIHSM_ERR_INVALID_ARG);
	assert_int_equal(azihsm_ddi_raw(fx->dev, NULL, big, sizeof(big), resp, 16, &len),
			 AZIHSM_ERR_INVALID_ARG);
	assert_int_equal(azihsm_ddi_raw(fx->dev, NULL, req, 1, NULL, 16, &len),
			 AZIHSM_ERR_INVALID_ARG);
	assert_int_equal(azihsm_ddi_raw(fx->dev, NULL, req, 1, resp, 0, &len),
			 AZIHSM_ERR_INVALID_ARG);
	assert_int_equal(azihsm_ddi_raw(fx->dev, NULL, req, 1, resp, 16, NULL),
			 AZIHSM_ERR_INVALID_ARG);
	assert_int_equal(azihsm_ddi_raw(fx->dev, &bad_kind, req, 1, resp, 16, &len),
			 AZIHSM_ERR_INVALID_ARG);
	/* None of them reached the device. */
	assert_int_equal(fx->fake.cmds, 0);
	/* The largest request is accepted. */
	assert_int_equal(azihsm_ddi_raw(fx->dev, NULL, big, AZIHSM_MAX_REQUEST, resp,
					sizeof(resp), &len), AZIHSM_OK);
	assert_int_equal(fx->fake.last_req_len, AZIHSM_MAX_REQUEST);
}

static void test_raw_buffer_too_small(void **state)
{
	struct fixture *fx = *state;
	uint8_t req[] = { 0xa0 }, resp[16];
	size_t len;

	fx->fake.use_canned = true;
	fx->fake.canned_len = 8;
	fx->fake.claim_len = 40;
	assert_int_equal(azihsm_ddi_raw(fx->dev, NULL, req, sizeof(req), resp,
					sizeof(resp), &len), AZIHSM_ERR_BUFFER_TOO_SMALL);
	assert_int_equal(len, 40);
	fx->fake.claim_len = sizeof(resp);
	assert_int_equal(azihsm_ddi_raw(fx->dev, NULL, req, sizeof(req), resp,
					sizeof(resp), &len), AZIHSM_OK);
	assert_int_equal(len, sizeof(resp));
}

static void test_last_error_reset(void **state)
{
	struct fixture *fx = *state;

	fx->fake.ddi_status = AZIHSM_DDI_STATUS_INTERNAL_ERROR;
	assert_int_equal(azihsm_get_api_rev(fx->dev, NULL, NULL), AZIHSM_ERR_DDI);
	assert_int_equal(last_error().ddi_status, AZIHSM_DDI_STATUS_INTERNAL_ERROR);
	fx->fake.ddi_status = 0;
	assert_int_equal(azihsm_get_api_rev(fx->dev, NULL, NULL), AZIHSM_OK);
	assert_int_equal(last_error().status, AZIHSM_OK);
	assert_int_equal(last_error().ddi_status, 0);
	assert_int_equal(last_error().ddi_op, 0);
}

#define THREADS 4
#define CALLS_PER_THREAD 300

struct thread_arg {
	struct azihsm_dev *dev;
	int failures;
	struct azihsm_error err;
};

static void *hammer(void *p)
{
	struct thread_arg *a = p;
	struct azihsm_device_info info;
	int i;

	for (i = 0; i < CALLS_PER_THREAD; i++)
		if (azihsm_get_device_info(a->dev, &info) || info.key_tables != 4)
			a->failures++;
	azihsm_last_error(&a->err);
	return NULL;
}

static void test_threads_share_handle(void **state)
{
	struct fixture *fx = *state;
	struct thread_arg args[THREADS];
	pthread_t tids[THREADS];
	int t;

	assert_int_equal(azihsm_get_api_rev(fx->dev, NULL, NULL), AZIHSM_OK);
	for (t = 0; t < THREADS; t++) {
		args[t] = (struct thread_arg){ .dev = fx->dev };
		assert_int_equal(pthread_create(&tids[t], NULL, hammer, &args[t]), 0);
	}
	for (t = 0; t < THREADS; t++) {
		assert_int_equal(pthread_join(tids[t], NULL), 0);
		assert_int_equal(args[t].failures, 0);
	}
	/* The fake counts without locking: the library's lock kept it exact. */
	assert_int_equal(fx->fake.cmds, 1 + THREADS * CALLS_PER_THREAD);
}

static void *fail_once(void *p)
{
	struct thread_arg *a = p;

	a->failures = azihsm_get_api_rev(a->dev, NULL, NULL);
	azihsm_last_error(&a->err);
	return NULL;
}

static void test_last_error_is_per_thread(void **state)
{
	struct fixture *fx = *state;
	struct thread_arg arg = { .dev = fx->dev };
	pthread_t tid;

	assert_int_equal(azihsm_get_api_rev(fx->dev, NULL, NULL), AZIHSM_OK);
	fx->fake.ddi_status = AZIHSM_DDI_STATUS_INVALID_ARG;
	assert_int_equal(pthread_create(&tid, NULL, fail_once, &arg), 0);
	assert_int_equal(pthread_join(tid, NULL), 0);
	assert_int_equal(arg.failures, AZIHSM_ERR_DDI);
	assert_int_equal(arg.err.ddi_status, AZIHSM_DDI_STATUS_INVALID_ARG);
	/* This thread's record still describes its own successful call. */
	assert_int_equal(last_error().status, AZIHSM_OK);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_open_transport),
		cmocka_unit_test(test_open_transport_invalid),
		cmocka_unit_test(test_open_transport_labelled),
		T(test_identify),
		T(test_identify_errors),
		T(test_get_api_rev),
		T(test_api_rev_inverted),
		T(test_get_device_info),
		T(test_ddi_error),
		T(test_ddi_error_on_device_info),
		T(test_unknown_ddi_status),
		T(test_malformed_responses),
		T(test_device_status),
		T(test_driver_errors),
		T(test_driver_error_text),
		T(test_raw),
		T(test_raw_invalid_args),
		T(test_raw_buffer_too_small),
		T(test_last_error_reset),
		T(test_threads_share_handle),
		T(test_last_error_is_per_thread),
	};
#undef T

	return cmocka_run_group_tests_name("libazihsm/ddi", tests, NULL, NULL);
}
