// SPDX-License-Identifier: MIT
/*
 * Firmware core dispatcher: the discovery operations byte for byte, every
 * header-error path of spec/ddi.md 2.6 in its order, the transport-level
 * statuses and session blocks of hardware.md 6.4-6.8, and a concurrency
 * smoke test.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "azihsm/ddi_msg.h"
#include "azihsm/hw.h"
#include "azihsm_fw.h"
#include "spec_examples.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define KEY_TABLES	3
#define SESS_NONE	AZIHSM_SESS_NONE
#define SESS_OPEN	AZIHSM_SESS_OPEN
#define SESS_CLOSE_ID	(AZIHSM_SESS_CLOSE | AZIHSM_SESS_ID_VALID)
#define SESS_IN_ID	(AZIHSM_SESS_IN_SESSION | AZIHSM_SESS_ID_VALID)

/* Echoes rev 1.0; kind 2 (physical), KEY_TABLES tables, not FIPS. */
static const uint8_t get_device_info_resp[] = {
	GET_DEVICE_INFO_RESP_BYTES(KEY_TABLES),
};

static const struct ddi_api_rev rev_1_0 = { 1, 0 };

struct result {
	uint16_t host_status;
	uint8_t resp[AZIHSM_HSM_MAX_XFER];
	size_t len;
	struct azihsm_fw_session out;
};

static int setup(void **state)
{
	static const struct azihsm_fw_config cfg = {
		.ctrl_id = 1, .key_tables = KEY_TABLES,
		.serial = "AZIHSM-TEST-0001", .fw_rev = "0.1.0",
	};

	*state = azihsm_fw_new(&cfg);
	return *state ? 0 : -1;
}

static int teardown(void **state)
{
	azihsm_fw_free(*state);
	return 0;
}

static void run_raw(struct azihsm_fw *fw, const uint8_t *req, size_t len,
		    uint8_t flags, uint16_t id, struct result *r)
{
	struct azihsm_fw_session in = { .flags = flags, .id = id };

	memset(r, 0xa5, sizeof(*r));
	r->host_status = azihsm_fw_execute(fw, req, len, r->resp, sizeof(r->resp),
					   &r->len, &in, &r->out);
}

/* Send hdr with empty data under the given queue session block. */
static void run_hdr(struct azihsm_fw *fw, const struct ddi_req_hdr *hdr,
		    uint8_t flags, uint16_t id, struct result *r)
{
	uint8_t req[256];
	size_t len;

	assert_int_equal(ddi_encode_request(hdr, &ddi_empty_schema, NULL, req,
					    sizeof(req), &len), 0);
	run_raw(fw, req, len, flags, id, r);
}

/*
 * The response must be exactly the error response of 2.6: the request's
 * rev, op and sess_id echoed, the status, fips_approved false, data A0.
 */
static void assert_error_response(const struct result *r,
				  const struct ddi_req_hdr *req, uint32_t status)
{
	struct ddi_resp_hdr hdr = {
		.has_rev = req->has_rev, .rev = req->rev, .op = req->op,
		.has_sess_id = req->has_sess_id, .sess_id = req->sess_id,
		.status = status,
	};
	uint8_t want[256];
	size_t want_len;

	assert_int_equal(r->host_status, AZIHSM_HSM_SC_SUCCESS);
	assert_int_equal(ddi_encode_response(&hdr, &ddi_empty_schema, NULL, want,
					     sizeof(want), &want_len), 0);
	if (r->len != want_len || memcmp(r->resp, want, want_len)) {
		struct ddi_resp_hdr got;

		if (ddi_decode_response(r->resp, r->len, &got, NULL, NULL))
			print_error("got op %u status 0x%08x, want 0x%08x (%s)\n",
				    got.op, got.status, status,
				    ddi_status_name(status));
		fail();
	}
}

static void assert_session_block(const struct result *r, uint8_t flags, uint16_t id)
{
	assert_int_equal(r->out.flags, flags);
	assert_int_equal(r->out.id, id);
	assert_int_equal(r->out.short_app_id, 0);
}

/* ---- Success paths ---- */

static void test_get_api_rev(void **state)
{
	struct result r;

	run_raw(*state, ex1_get_api_rev_req, sizeof(ex1_get_api_rev_req), SESS_NONE, 0, &r);
	assert_int_equal(r.host_status, AZIHSM_HSM_SC_SUCCESS);
	assert_int_equal(r.len, sizeof(ex2_get_api_rev_resp));
	assert_memory_equal(r.resp, ex2_get_api_rev_resp, sizeof(ex2_get_api_rev_resp));
	assert_session_block(&r, SESS_NONE, 0);
}

static void test_get_device_info(void **state)
{
	struct result r;

	run_raw(*state, get_device_info_req, sizeof(get_device_info_req),
		SESS_NONE, 0, &r);
	assert_int_equal(r.host_status, AZIHSM_HSM_SC_SUCCESS);
	assert_int_equal(r.len, sizeof(get_device_info_resp));
	assert_memory_equal(r.resp, get_device_info_resp,
			    sizeof(get_device_info_resp));
	assert_session_block(&r, SESS_NONE, 0);
}

/* The tables count is the configured one, not a constant. */
static void test_get_device_info_tables_from_config(void **state)
{
	const struct azihsm_fw_config cfg = { .key_tables = 17 };
	struct ddi_get_device_info_resp info;
	struct ddi_resp_hdr hdr;
	struct azihsm_fw *fw = azihsm_fw_new(&cfg);
	struct result r;

	(void)state;
	assert_non_null(fw);
	run_raw(fw, get_device_info_req, sizeof(get_device_info_req),
		SESS_NONE, 0, &r);
	assert_true(ddi_decode_response(r.resp, r.len, &hdr,
					&ddi_get_device_info_resp_schema, &info));
	assert_int_equal(hdr.status, 0);
	assert_int_equal(info.tables, 17);
	assert_int_equal(info.kind, AZIHSM_DDI_DEVICE_KIND_PHYSICAL);
	azihsm_fw_free(fw);
}

/* Trailing bytes after the top-level map are ignored, up to 8 KiB. */
static void test_trailing_bytes_ignored(void **state)
{
	static uint8_t req[AZIHSM_HSM_MAX_XFER];
	struct result r;

	memset(req, 0xff, sizeof(req));
	memcpy(req, ex1_get_api_rev_req, sizeof(ex1_get_api_rev_req));
	run_raw(*state, req, sizeof(req), SESS_NONE, 0, &r);
	assert_int_equal(r.host_status, AZIHSM_HSM_SC_SUCCESS);
	assert_int_equal(r.len, sizeof(ex2_get_api_rev_resp));
	assert_memory_equal(r.resp, ex2_get_api_rev_resp, sizeof(ex2_get_api_rev_resp));
}

/* ---- Step 2: undecodable header ---- */

static void test_garbage_is_decode_failed_invalid_op(void **state)
{
	static const uint8_t garbage[][8] = {
		{ 0xde, 0xad, 0xbe, 0xef },
		{ 0xa0 },
		/* top-level count 3: the SDK's ext entry */
		{ 0xa3, 0x18, 0x00, 0xa1, 0x18, 0x02, 0x1a, 0x00 },
		/* header key 1 first */
		{ 0xa2, 0x18, 0x01, 0xa0 },
		/* header without op */
		{ 0xa2, 0x18, 0x00, 0xa0, 0x18, 0x01, 0xa0 },
	};
	size_t i;
	struct result r;

	for (i = 0; i < ARRAY_SIZE(garbage); i++) {
		run_raw(*state, garbage[i], sizeof(garbage[i]), SESS_IN_ID, 4, &r);
		assert_int_equal(r.host_status, AZIHSM_HSM_SC_SUCCESS);
		assert_int_equal(r.len, sizeof(ex6_decode_failed_resp));
		assert_memory_equal(r.resp, ex6_decode_failed_resp,
				    sizeof(ex6_decode_failed_resp));
		/* The op is Invalid, a no-session op. */
		assert_session_block(&r, SESS_NONE, 0);
	}
}

static void test_ext_entry_rejected(void **state)
{
	static const uint8_t with_ext[] = {
		0xA3, 0x18, 0x00, 0xA1, 0x18, 0x02, 0x1A, 0x00, 0x00, 0x03, 0xEA,
		0x18, 0x01, 0xA0, 0x18, 0x02, 0xA0,
	};
	struct result r;

	run_raw(*state, with_ext, sizeof(with_ext), SESS_NONE, 0, &r);
	assert_int_equal(r.host_status, AZIHSM_HSM_SC_SUCCESS);
	assert_int_equal(r.len, sizeof(ex6_decode_failed_resp));
	assert_memory_equal(r.resp, ex6_decode_failed_resp, sizeof(ex6_decode_failed_resp));
}

/* Every prefix of a valid request is refused without a crash. */
static void test_every_truncation_is_decode_failed(void **state)
{
	struct ddi_req_hdr hdr = { .has_rev = true, .rev = rev_1_0,
				   .op = AZIHSM_DDI_OP_GET_DEVICE_INFO };
	struct ddi_resp_hdr got;
	struct result r;
	size_t len;

	for (len = 1; len < sizeof(get_device_info_req); len++) {
		run_raw(*state, get_device_info_req, len, SESS_NONE, 0, &r);
		assert_true(ddi_decode_response(r.resp, r.len, &got, NULL, NULL));
		assert_int_equal(got.status, AZIHSM_DDI_STATUS_DDI_DECODE_FAILED);
	}
	/* Cut only the data map: the header echoes, the data step fails. */
	run_raw(*state, get_device_info_req, sizeof(get_device_info_req) - 1,
		SESS_NONE, 0, &r);
	assert_error_response(&r, &hdr, AZIHSM_DDI_STATUS_DDI_DECODE_FAILED);
}

/* ---- Step 4: queue session block vs opcode and header ---- */

static void test_session_binding(void **state)
{
	static const struct {
		struct ddi_req_hdr hdr;
		uint8_t flags;
		uint16_t id;
		uint32_t status;
	} cases[] = {
		/* queue kind differs from the op's kind */
		{ { .op = AZIHSM_DDI_OP_GET_API_REV }, SESS_IN_ID, 0,
		  AZIHSM_DDI_STATUS_INVALID_ARG },
		{ { .op = AZIHSM_DDI_OP_GET_API_REV }, SESS_OPEN, 0,
		  AZIHSM_DDI_STATUS_INVALID_ARG },
		{ { .has_rev = true, .rev = { 1, 0 },
		    .op = AZIHSM_DDI_OP_GET_DEVICE_INFO },
		  AZIHSM_SESS_CLOSE, 0, AZIHSM_DDI_STATUS_INVALID_ARG },
		/* no-session op with a queue session id */
		{ { .op = AZIHSM_DDI_OP_GET_API_REV },
		  AZIHSM_SESS_NONE | AZIHSM_SESS_ID_VALID, 0,
		  AZIHSM_DDI_STATUS_INVALID_ARG },
		/* no-session op with hdr.sess_id but no queue id */
		{ { .op = AZIHSM_DDI_OP_GET_API_REV, .has_sess_id = true,
		    .sess_id = 0 }, SESS_NONE, 0,
		  AZIHSM_DDI_STATUS_INVALID_ARG },
		/* open with a queue session id */
		{ { .has_rev = true, .rev = { 1, 0 },
		    .op = AZIHSM_DDI_OP_OPEN_SESSION },
		  AZIHSM_SESS_OPEN | AZIHSM_SESS_ID_VALID, 2,
		  AZIHSM_DDI_STATUS_SESSION_NOT_EXPECTED },
		/* close / in-session without a queue session id */
		{ { .has_rev = true, .rev = { 1, 0 },
		    .op = AZIHSM_DDI_OP_CLOSE_SESSION, .has_sess_id = true },
		  AZIHSM_SESS_CLOSE, 0, AZIHSM_DDI_STATUS_INVALID_ARG },
		{ { .has_rev = true, .rev = { 1, 0 },
		    .op = AZIHSM_DDI_OP_DELETE_KEY, .has_sess_id = true },
		  AZIHSM_SESS_IN_SESSION, 0, AZIHSM_DDI_STATUS_INVALID_ARG },
		/* queue id without hdr.sess_id, or a different one */
		{ { .has_rev = true, .rev = { 1, 0 },
		    .op = AZIHSM_DDI_OP_DELETE_KEY },
		  SESS_IN_ID, 1, AZIHSM_DDI_STATUS_INVALID_ARG },
		{ { .has_rev = true, .rev = { 1, 0 },
		    .op = AZIHSM_DDI_OP_DELETE_KEY, .has_sess_id = true,
		    .sess_id = 2 },
		  SESS_IN_ID, 1, AZIHSM_DDI_STATUS_INVALID_ARG },
		{ { .has_rev = true, .rev = { 1, 0 },
		    .op = AZIHSM_DDI_OP_CLOSE_SESSION, .has_sess_id = true,
		    .sess_id = 2 },
		  SESS_CLOSE_ID, 1, AZIHSM_DDI_STATUS_INVALID_ARG },
		/* the binding check wins over the revision check */
		{ { .has_rev = true, .rev = { 1, 0 },
		    .op = AZIHSM_DDI_OP_GET_API_REV },
		  SESS_IN_ID, 0, AZIHSM_DDI_STATUS_INVALID_ARG },
	};
	struct result r;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		run_hdr(*state, &cases[i].hdr, cases[i].flags, cases[i].id, &r);
		assert_error_response(&r, &cases[i].hdr, cases[i].status);
	}
}

/* ---- Step 5: revision ---- */

static void test_revision_checks(void **state)
{
	static const struct {
		struct ddi_req_hdr hdr;
		uint32_t status;
	} cases[] = {
		{ { .has_rev = true, .rev = { 1, 0 },
		    .op = AZIHSM_DDI_OP_GET_API_REV },
		  AZIHSM_DDI_STATUS_UNSUPPORTED_REVISION },
		{ { .op = AZIHSM_DDI_OP_GET_DEVICE_INFO },
		  AZIHSM_DDI_STATUS_UNSUPPORTED_REVISION },
		{ { .has_rev = true, .rev = { 1, 1 },
		    .op = AZIHSM_DDI_OP_GET_DEVICE_INFO },
		  AZIHSM_DDI_STATUS_UNSUPPORTED_REVISION },
		{ { .has_rev = true, .rev = { 0, 9 },
		    .op = AZIHSM_DDI_OP_GET_DEVICE_INFO },
		  AZIHSM_DDI_STATUS_UNSUPPORTED_REVISION },
		{ { .has_rev = true, .rev = { 2, 0 },
		    .op = AZIHSM_DDI_OP_GET_DEVICE_INFO },
		  AZIHSM_DDI_STATUS_UNSUPPORTED_REVISION },
		/* OpenSession is revision kind None too */
		{ { .op = AZIHSM_DDI_OP_OPEN_SESSION },
		  AZIHSM_DDI_STATUS_UNSUPPORTED_REVISION },
	};
	struct result r;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		uint8_t flags = cases[i].hdr.op == AZIHSM_DDI_OP_OPEN_SESSION ?
				SESS_OPEN : SESS_NONE;

		run_hdr(*state, &cases[i].hdr, flags, 0, &r);
		assert_error_response(&r, &cases[i].hdr, cases[i].status);
	}
}

/*
 * In-session and close ops need an open session: this test opens none, so
 * an id below 8 is SessionNotFound and one of 8 or more
 * VaultSessionLimitReached -- before the revision is even looked at.
 */
static void test_session_must_exist(void **state)
{
	static const struct {
		uint32_t op;
		uint8_t flags;
		uint16_t id;
		bool has_rev;
		uint32_t status;
	} cases[] = {
		{ AZIHSM_DDI_OP_DELETE_KEY, SESS_IN_ID, 0, true,
		  AZIHSM_DDI_STATUS_SESSION_NOT_FOUND },
		{ AZIHSM_DDI_OP_ECC_SIGN, SESS_IN_ID, 7, false,
		  AZIHSM_DDI_STATUS_SESSION_NOT_FOUND },
		{ AZIHSM_DDI_OP_REOPEN_SESSION, SESS_IN_ID, 3, true,
		  AZIHSM_DDI_STATUS_SESSION_NOT_FOUND },
		{ AZIHSM_DDI_OP_CLOSE_SESSION, SESS_CLOSE_ID, 3, true,
		  AZIHSM_DDI_STATUS_SESSION_NOT_FOUND },
		{ AZIHSM_DDI_OP_DELETE_KEY, SESS_IN_ID, 8, true,
		  AZIHSM_DDI_STATUS_VAULT_SESSION_LIMIT_REACHED },
		{ AZIHSM_DDI_OP_CLOSE_SESSION, SESS_CLOSE_ID, 0xffff, false,
		  AZIHSM_DDI_STATUS_VAULT_SESSION_LIMIT_REACHED },
		/* a test-only op is classified InSession, too */
		{ AZIHSM_DDI_OP_GET_RANDOM_NUMBER, SESS_IN_ID, 1, true,
		  AZIHSM_DDI_STATUS_SESSION_NOT_FOUND },
	};
	struct ddi_req_hdr hdr;
	struct result r;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		memset(&hdr, 0, sizeof(hdr));
		hdr.op = cases[i].op;
		hdr.has_rev = cases[i].has_rev;
		hdr.rev = cases[i].has_rev ? rev_1_0 : hdr.rev;
		hdr.has_sess_id = true;
		hdr.sess_id = cases[i].id;
		run_hdr(*state, &hdr, cases[i].flags, cases[i].id, &r);
		assert_error_response(&r, &hdr, cases[i].status);
		/* The completion echoes the kind and the session named. */
		assert_session_block(&r, cases[i].flags, cases[i].id);
	}
}

/* ---- Step 7: unknown and unimplemented opcodes ---- */

static void test_unknown_and_unimplemented_ops(void **state)
{
	struct ddi_req_hdr hdr;
	struct result r;

	/* An unknown opcode is InSession: without a session, InvalidArg. */
	memset(&hdr, 0, sizeof(hdr));
	hdr.has_rev = true;
	hdr.rev = rev_1_0;
	hdr.op = 4242;
	run_hdr(*state, &hdr, SESS_NONE, 0, &r);
	assert_error_response(&r, &hdr, AZIHSM_DDI_STATUS_INVALID_ARG);
	assert_session_block(&r, AZIHSM_SESS_IN_SESSION, 0);

	/* ... and with one, the session lookup comes first. */
	hdr.has_sess_id = true;
	hdr.sess_id = 5;
	run_hdr(*state, &hdr, SESS_IN_ID, 5, &r);
	assert_error_response(&r, &hdr, AZIHSM_DDI_STATUS_SESSION_NOT_FOUND);
	assert_session_block(&r, SESS_IN_ID, 5);

	/*
	 * The certificate ops are implemented: past step 7, an empty data
	 * map (no slot_id) fails to decode (step 8).
	 */
	memset(&hdr, 0, sizeof(hdr));
	hdr.has_rev = true;
	hdr.rev = rev_1_0;
	hdr.op = AZIHSM_DDI_OP_GET_CERT_CHAIN_INFO;
	run_hdr(*state, &hdr, SESS_NONE, 0, &r);
	assert_error_response(&r, &hdr, AZIHSM_DDI_STATUS_DDI_DECODE_FAILED);

	hdr.op = AZIHSM_DDI_OP_GET_CERTIFICATE;
	run_hdr(*state, &hdr, SESS_NONE, 0, &r);
	assert_error_response(&r, &hdr, AZIHSM_DDI_STATUS_DDI_DECODE_FAILED);

	/*
	 * OpenSession is implemented: past step 7, its empty data map fails
	 * to decode (step 8), and the completion keeps the Open kind.
	 */
	hdr.op = AZIHSM_DDI_OP_OPEN_SESSION;
	run_hdr(*state, &hdr, SESS_OPEN, 0, &r);
	assert_error_response(&r, &hdr, AZIHSM_DDI_STATUS_DDI_DECODE_FAILED);
	assert_session_block(&r, SESS_OPEN, 0);

	/* Invalid (1001) is never a valid request. */
	hdr.op = AZIHSM_DDI_OP_INVALID;
	run_hdr(*state, &hdr, SESS_NONE, 0, &r);
	assert_error_response(&r, &hdr, AZIHSM_DDI_STATUS_UNSUPPORTED_CMD);

	/* The revision check comes before the data. */
	hdr.op = AZIHSM_DDI_OP_GET_CERT_CHAIN_INFO;
	hdr.has_rev = false;
	run_hdr(*state, &hdr, SESS_NONE, 0, &r);
	assert_error_response(&r, &hdr, AZIHSM_DDI_STATUS_UNSUPPORTED_REVISION);
}

/* ---- Step 8: data of the wrong shape ---- */

static void test_data_decode_failed(void **state)
{
	/* GetApiRev with data {1: false} instead of {}. */
	static const uint8_t req[] = {
		0xA2, 0x18, 0x00, 0xA1, 0x18, 0x02, 0x1A, 0x00, 0x00, 0x03, 0xEA,
		0x18, 0x01, 0xA1, 0x18, 0x01, 0x14,
	};
	/* GetDeviceInfo whose data is not a map at all. */
	static const uint8_t req2[] = {
		0xA2, 0x18, 0x00,
		0xA2, 0x18, 0x01, 0xA2, 0x18, 0x01, 0x1A, 0x00, 0x00, 0x00, 0x01,
		0x18, 0x02, 0x1A, 0x00, 0x00, 0x00, 0x00,
		0x18, 0x02, 0x1A, 0x00, 0x00, 0x03, 0xEB,
		0x18, 0x01, 0x14,
	};
	struct ddi_req_hdr hdr = { .op = AZIHSM_DDI_OP_GET_API_REV };
	struct ddi_req_hdr hdr2 = { .has_rev = true, .rev = { 1, 0 },
				    .op = AZIHSM_DDI_OP_GET_DEVICE_INFO };
	struct result r;

	run_raw(*state, req, sizeof(req), SESS_NONE, 0, &r);
	assert_error_response(&r, &hdr, AZIHSM_DDI_STATUS_DDI_DECODE_FAILED);
	run_raw(*state, req2, sizeof(req2), SESS_NONE, 0, &r);
	assert_error_response(&r, &hdr2, AZIHSM_DDI_STATUS_DDI_DECODE_FAILED);
}

/* ---- Transport-level statuses ---- */

static void test_request_length_limits(void **state)
{
	static uint8_t big[AZIHSM_HSM_MAX_XFER + 1];
	struct result r;

	run_raw(*state, ex1_get_api_rev_req, 0, SESS_NONE, 0, &r);
	assert_int_equal(r.host_status, AZIHSM_HSM_SC_INVALID_SRC_LEN);
	assert_int_equal(r.len, 0);
	run_raw(*state, NULL, 14, SESS_NONE, 0, &r);
	assert_int_equal(r.host_status, AZIHSM_HSM_SC_INVALID_SRC_LEN);
	memcpy(big, ex1_get_api_rev_req, sizeof(ex1_get_api_rev_req));
	run_raw(*state, big, sizeof(big), SESS_NONE, 0, &r);
	assert_int_equal(r.host_status, AZIHSM_HSM_SC_INVALID_SRC_LEN);
	assert_int_equal(r.len, 0);
	assert_session_block(&r, 0, 0);
	run_raw(*state, big, sizeof(big) - 1, SESS_NONE, 0, &r);
	assert_int_equal(r.host_status, AZIHSM_HSM_SC_SUCCESS);
}

static void test_response_buffer_too_small(void **state)
{
	struct azihsm_fw_session in = { 0 }, out;
	uint8_t resp[sizeof(ex2_get_api_rev_resp) + 1];
	size_t len;
	uint16_t hs;

	hs = azihsm_fw_execute(*state, ex1_get_api_rev_req, sizeof(ex1_get_api_rev_req),
			       resp, 0, &len, &in, &out);
	assert_int_equal(hs, AZIHSM_HSM_SC_INVALID_DST_LEN);
	assert_int_equal(len, 0);

	/* One byte short of the success response: nothing is returned. */
	memset(resp, 0x3c, sizeof(resp));
	hs = azihsm_fw_execute(*state, ex1_get_api_rev_req, sizeof(ex1_get_api_rev_req),
			       resp, sizeof(ex2_get_api_rev_resp) - 1, &len, &in, &out);
	assert_int_equal(hs, AZIHSM_HSM_SC_INVALID_DST_LEN);
	assert_int_equal(len, 0);
	assert_int_equal(resp[sizeof(ex2_get_api_rev_resp) - 1], 0x3c);

	/* Exactly enough. */
	hs = azihsm_fw_execute(*state, ex1_get_api_rev_req, sizeof(ex1_get_api_rev_req),
			       resp, sizeof(ex2_get_api_rev_resp), &len, &in, &out);
	assert_int_equal(hs, AZIHSM_HSM_SC_SUCCESS);
	assert_int_equal(len, sizeof(ex2_get_api_rev_resp));
	assert_memory_equal(resp, ex2_get_api_rev_resp, len);

	/* An error response that does not fit either. */
	hs = azihsm_fw_execute(*state, (const uint8_t *)"\x01", 1, resp,
			       sizeof(ex6_decode_failed_resp) - 1, &len, &in, &out);
	assert_int_equal(hs, AZIHSM_HSM_SC_INVALID_DST_LEN);
	assert_int_equal(len, 0);
}

static void test_null_arguments(void **state)
{
	struct azihsm_fw_session in = { 0 }, out;
	uint8_t resp[64];
	size_t len;

	assert_int_equal(azihsm_fw_execute(NULL, ex1_get_api_rev_req,
					   sizeof(ex1_get_api_rev_req), resp,
					   sizeof(resp), &len, &in, &out),
			 AZIHSM_HSM_SC_INTERNAL_ERROR);
	assert_int_equal(azihsm_fw_execute(*state, ex1_get_api_rev_req,
					   sizeof(ex1_get_api_rev_req), resp,
					   sizeof(resp), NULL, &in, &out),
			 AZIHSM_HSM_SC_INTERNAL_ERROR);
	assert_int_equal(azihsm_fw_execute(*state, ex1_get_api_rev_req,
					   sizeof(ex1_get_api_rev_req), NULL,
					   sizeof(resp), &len, &in, &out),
			 AZIHSM_HSM_SC_INVALID_DST_LEN);
	assert_int_equal(azihsm_fw_flush_session(*state, NULL, &out),
			 AZIHSM_HSM_SC_INTERNAL_ERROR);
	azihsm_fw_reset(NULL);
	azihsm_fw_free(NULL);
}

/* ---- Flush (hardware.md 6.8) ---- */

static void test_flush_session(void **state)
{
	static const uint8_t bad_flags[] = {
		AZIHSM_SESS_NONE,
		AZIHSM_SESS_CLOSE,			/* id not valid */
		AZIHSM_SESS_IN_SESSION | AZIHSM_SESS_ID_VALID,
		AZIHSM_SESS_OPEN | AZIHSM_SESS_ID_VALID,
		AZIHSM_SESS_NONE | AZIHSM_SESS_ID_VALID,
	};
	struct azihsm_fw_session in, out;
	size_t i;

	/* No such session: nothing to close, still a success. */
	in = (struct azihsm_fw_session){ .flags = SESS_CLOSE_ID, .id = 3 };
	assert_int_equal(azihsm_fw_flush_session(*state, &in, &out),
			 AZIHSM_HSM_SC_SUCCESS);
	assert_int_equal(out.flags, SESS_CLOSE_ID);
	assert_int_equal(out.id, 3);

	in.id = 200;
	assert_int_equal(azihsm_fw_flush_session(*state, &in, &out),
			 AZIHSM_HSM_SC_SUCCESS);
	assert_false(out.flags & AZIHSM_SESS_CLOSED);
	assert_int_equal(out.id, 200);

	for (i = 0; i < ARRAY_SIZE(bad_flags); i++) {
		in = (struct azihsm_fw_session){ .flags = bad_flags[i], .id = 1 };
		memset(&out, 0xff, sizeof(out));
		assert_int_equal(azihsm_fw_flush_session(*state, &in, &out),
				 AZIHSM_HSM_SC_INTERNAL_ERROR);
		assert_int_equal(out.flags, 0);
		assert_int_equal(out.id, 0);
	}
}

static void test_reset_keeps_device_usable(void **state)
{
	struct result r;

	azihsm_fw_reset(*state);
	run_raw(*state, ex1_get_api_rev_req, sizeof(ex1_get_api_rev_req), SESS_NONE, 0, &r);
	assert_int_equal(r.host_status, AZIHSM_HSM_SC_SUCCESS);
	assert_memory_equal(r.resp, ex2_get_api_rev_resp, sizeof(ex2_get_api_rev_resp));
}

static void test_config_validation(void **state)
{
	struct azihsm_fw_config cfg = { .key_tables = 1 };
	char serial[40];
	struct azihsm_fw *fw;

	(void)state;
	assert_null(azihsm_fw_new(NULL));
	cfg.key_tables = 0;
	assert_null(azihsm_fw_new(&cfg));
	cfg.key_tables = 1;

	memset(serial, 'A', 32);
	serial[32] = '\0';
	cfg.serial = serial;
	fw = azihsm_fw_new(&cfg);
	assert_non_null(fw);
	azihsm_fw_free(fw);

	serial[32] = 'A';
	serial[33] = '\0';
	assert_null(azihsm_fw_new(&cfg));
	cfg.serial = "bad\nserial";
	assert_null(azihsm_fw_new(&cfg));
	cfg.serial = NULL;
	cfg.fw_rev = "\x7f";
	assert_null(azihsm_fw_new(&cfg));
}

/* ---- Concurrency ---- */

#define SMOKE_THREADS	4
#define SMOKE_ROUNDS	2000

struct smoke_arg {
	struct azihsm_fw *fw;
	unsigned int seed;
	unsigned int mismatches;
};

static void *smoke_thread(void *p)
{
	static const struct {
		const uint8_t *req;
		size_t req_len;
		const uint8_t *resp;
		size_t resp_len;
	} cases[] = {
		{ ex1_get_api_rev_req, sizeof(ex1_get_api_rev_req),
		  ex2_get_api_rev_resp, sizeof(ex2_get_api_rev_resp) },
		{ get_device_info_req, sizeof(get_device_info_req),
		  get_device_info_resp, sizeof(get_device_info_resp) },
		{ (const uint8_t *)"\xff\xff", 2,
		  ex6_decode_failed_resp, sizeof(ex6_decode_failed_resp) },
	};
	struct smoke_arg *a = p;
	struct azihsm_fw_session in = { 0 }, out;
	uint8_t resp[256];
	unsigned int i;
	size_t len;

	for (i = 0; i < SMOKE_ROUNDS; i++) {
		size_t c = (i + a->seed) % ARRAY_SIZE(cases);
		uint16_t hs = azihsm_fw_execute(a->fw, cases[c].req,
						cases[c].req_len, resp,
						sizeof(resp), &len, &in, &out);

		if (hs || len != cases[c].resp_len ||
		    memcmp(resp, cases[c].resp, len))
			a->mismatches++;
		if (i % 100 == 0)
			azihsm_fw_reset(a->fw);
	}
	return NULL;
}

static void test_concurrent_execute(void **state)
{
	pthread_t th[SMOKE_THREADS];
	struct smoke_arg args[SMOKE_THREADS];
	unsigned int i;

	for (i = 0; i < SMOKE_THREADS; i++) {
		args[i] = (struct smoke_arg){ .fw = *state, .seed = i };
		assert_int_equal(pthread_create(&th[i], NULL, smoke_thread,
						&args[i]), 0);
	}
	for (i = 0; i < SMOKE_THREADS; i++) {
		assert_int_equal(pthread_join(th[i], NULL), 0);
		assert_int_equal(args[i].mismatches, 0);
	}
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_get_api_rev),
		T(test_get_device_info),
		T(test_get_device_info_tables_from_config),
		T(test_trailing_bytes_ignored),
		T(test_garbage_is_decode_failed_invalid_op),
		T(test_ext_entry_rejected),
		T(test_every_truncation_is_decode_failed),
		T(test_session_binding),
		T(test_revision_checks),
		T(test_session_must_exist),
		T(test_unknown_and_unimplemented_ops),
		T(test_data_decode_failed),
		T(test_request_length_limits),
		T(test_response_buffer_too_small),
		T(test_null_arguments),
		T(test_flush_session),
		T(test_reset_keeps_device_usable),
		T(test_config_validation),
		T(test_concurrent_execute),
	};
#undef T

	return cmocka_run_group_tests_name("fw_dispatch", tests, NULL, NULL);
}
