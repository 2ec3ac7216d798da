// SPDX-License-Identifier: MIT
/*
 * DDI envelope encode/decode, the opcode and status name tables, and the
 * message schemas of the discovery operations (spec/ddi.md 1.8, 2, 3.3, 5).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "azihsm/ddi_msg.h"
#include "spec_examples.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static const uint8_t get_device_info_resp[] = {
	GET_DEVICE_INFO_RESP_BYTES(3),
};

static void test_encode_request_example1(void **state)
{
	struct ddi_req_hdr hdr = { .op = AZIHSM_DDI_OP_GET_API_REV };
	uint8_t buf[64];
	size_t len = 0;

	(void)state;
	assert_int_equal(ddi_encode_request(&hdr, &ddi_empty_schema, NULL,
					    buf, sizeof(buf), &len), 0);
	assert_int_equal(len, sizeof(ex1_get_api_rev_req));
	assert_memory_equal(buf, ex1_get_api_rev_req, len);
	/* A NULL data schema means "empty" too. */
	assert_int_equal(ddi_encode_request(&hdr, NULL, NULL, buf, sizeof(buf),
					    &len), 0);
	assert_memory_equal(buf, ex1_get_api_rev_req, len);
}

static void test_encode_request_too_small(void **state)
{
	struct ddi_req_hdr hdr = { .op = AZIHSM_DDI_OP_GET_API_REV };
	uint8_t buf[64];
	size_t len = 99;

	(void)state;
	assert_int_equal(ddi_encode_request(&hdr, &ddi_empty_schema, NULL, buf,
					    sizeof(ex1_get_api_rev_req) - 1, &len), -1);
	assert_int_equal(len, 99);	/* untouched on failure */
	/* Data required by a non-empty schema. */
	assert_int_equal(ddi_encode_request(&hdr, &ddi_get_api_rev_resp_schema,
					    NULL, buf, sizeof(buf), &len), -1);
}

static void test_encode_responses(void **state)
{
	struct ddi_resp_hdr hdr = { .op = AZIHSM_DDI_OP_GET_API_REV };
	struct ddi_get_api_rev_resp rev = { { 1, 0 }, { 1, 0 } };
	struct ddi_resp_hdr dhdr = {
		.has_rev = true, .rev = { 1, 0 },
		.op = AZIHSM_DDI_OP_GET_DEVICE_INFO,
	};
	struct ddi_get_device_info_resp info = {
		.kind = AZIHSM_DDI_DEVICE_KIND_PHYSICAL, .tables = 3,
	};
	struct ddi_resp_hdr ehdr = {
		.op = AZIHSM_DDI_OP_INVALID,
		.status = AZIHSM_DDI_STATUS_DDI_DECODE_FAILED,
	};
	uint8_t buf[128];
	size_t len;

	(void)state;
	assert_int_equal(ddi_encode_response(&hdr, &ddi_get_api_rev_resp_schema,
					     &rev, buf, sizeof(buf), &len), 0);
	assert_int_equal(len, sizeof(ex2_get_api_rev_resp));
	assert_memory_equal(buf, ex2_get_api_rev_resp, len);

	assert_int_equal(ddi_encode_response(&dhdr, &ddi_get_device_info_resp_schema,
					     &info, buf, sizeof(buf), &len), 0);
	assert_int_equal(len, sizeof(get_device_info_resp));
	assert_memory_equal(buf, get_device_info_resp, len);

	assert_int_equal(ddi_encode_response(&ehdr, &ddi_empty_schema, NULL,
					     buf, sizeof(buf), &len), 0);
	assert_int_equal(len, sizeof(ex6_decode_failed_resp));
	assert_memory_equal(buf, ex6_decode_failed_resp, len);
}

static void test_decode_request_hdr_and_data(void **state)
{
	struct ddi_req_view v;
	uint8_t buf[64];

	(void)state;
	assert_true(ddi_decode_request_hdr(get_device_info_req,
					   sizeof(get_device_info_req), &v));
	assert_true(v.hdr.has_rev);
	assert_int_equal(v.hdr.rev.major, 1);
	assert_int_equal(v.hdr.rev.minor, 0);
	assert_int_equal(v.hdr.op, AZIHSM_DDI_OP_GET_DEVICE_INFO);
	assert_false(v.hdr.has_sess_id);
	assert_true(ddi_decode_request_data(&v, &ddi_empty_schema, NULL));

	/* Trailing bytes after the top-level map are ignored (FW). */
	memcpy(buf, ex1_get_api_rev_req, sizeof(ex1_get_api_rev_req));
	memset(buf + sizeof(ex1_get_api_rev_req), 0xff,
	       sizeof(buf) - sizeof(ex1_get_api_rev_req));
	assert_true(ddi_decode_request_hdr(buf, sizeof(buf), &v));
	assert_int_equal(v.hdr.op, AZIHSM_DDI_OP_GET_API_REV);
	assert_true(ddi_decode_request_data(&v, &ddi_empty_schema, NULL));
}

static void test_decode_request_hdr_rejects(void **state)
{
	/* The SDK's optional ext entry makes the top-level count 3. */
	static const uint8_t with_ext[] = {
		0xA3, 0x18, 0x00, 0xA1, 0x18, 0x02, 0x1A, 0x00, 0x00, 0x03, 0xEA,
		0x18, 0x01, 0xA0, 0x18, 0x02, 0xA0,
	};
	static const uint8_t one_entry[] = {
		0xA1, 0x18, 0x00, 0xA1, 0x18, 0x02, 0x1A, 0x00, 0x00, 0x03, 0xEA,
	};
	static const uint8_t hdr_key_1[] = {
		0xA2, 0x18, 0x01, 0xA1, 0x18, 0x02, 0x1A, 0x00, 0x00, 0x03, 0xEA,
		0x18, 0x01, 0xA0,
	};
	static const uint8_t data_key_2[] = {
		0xA2, 0x18, 0x00, 0xA1, 0x18, 0x02, 0x1A, 0x00, 0x00, 0x03, 0xEA,
		0x18, 0x02, 0xA0,
	};
	static const uint8_t hdr_without_op[] = {
		0xA2, 0x18, 0x00, 0xA1, 0x18, 0x03, 0x19, 0x00, 0x00,
		0x18, 0x01, 0xA0,
	};
	static const struct {
		const uint8_t *msg;
		size_t len;
	} cases[] = {
		{ with_ext, sizeof(with_ext) },
		{ one_entry, sizeof(one_entry) },
		{ hdr_key_1, sizeof(hdr_key_1) },
		{ data_key_2, sizeof(data_key_2) },
		{ hdr_without_op, sizeof(hdr_without_op) },
		{ ex1_get_api_rev_req, 0 },
		/* cut inside the header */
		{ ex1_get_api_rev_req, 8 },
		/* cut before key 1 */
		{ ex1_get_api_rev_req, 11 },
	};
	struct ddi_req_view v;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(cases); i++)
		assert_false(ddi_decode_request_hdr(cases[i].msg, cases[i].len, &v));
}

/* Data of the wrong shape for the opcode fails the data step only. */
static void test_decode_request_data_wrong_shape(void **state)
{
	static const uint8_t req[] = {
		0xA2, 0x18, 0x00, 0xA1, 0x18, 0x02, 0x1A, 0x00, 0x00, 0x03, 0xEA,
		0x18, 0x01, 0xA1, 0x18, 0x01, 0x14,
	};
	struct ddi_req_view v;

	(void)state;
	assert_true(ddi_decode_request_hdr(req, sizeof(req), &v));
	assert_false(ddi_decode_request_data(&v, &ddi_empty_schema, NULL));

	/* Cut right before the data map: the header is whole, the data not. */
	assert_true(ddi_decode_request_hdr(ex1_get_api_rev_req,
					   sizeof(ex1_get_api_rev_req) - 1, &v));
	assert_false(ddi_decode_request_data(&v, &ddi_empty_schema, NULL));
}

static void test_decode_response(void **state)
{
	struct ddi_get_api_rev_resp rev;
	struct ddi_get_device_info_resp info;
	struct ddi_resp_hdr hdr;

	(void)state;
	memset(&rev, 0, sizeof(rev));
	assert_true(ddi_decode_response(ex2_get_api_rev_resp,
					sizeof(ex2_get_api_rev_resp), &hdr,
					&ddi_get_api_rev_resp_schema, &rev));
	assert_int_equal(hdr.status, 0);
	assert_int_equal(hdr.op, AZIHSM_DDI_OP_GET_API_REV);
	assert_int_equal(rev.max.major, 1);
	assert_int_equal(rev.max.minor, 0);

	assert_true(ddi_decode_response(get_device_info_resp,
					sizeof(get_device_info_resp), &hdr,
					&ddi_get_device_info_resp_schema, &info));
	assert_true(hdr.has_rev);
	assert_int_equal(info.kind, AZIHSM_DDI_DEVICE_KIND_PHYSICAL);
	assert_int_equal(info.tables, 3);
	assert_false(info.fips_approved);

	/* An error response's data is not decoded against the op's schema. */
	memset(&info, 0x5a, sizeof(info));
	assert_true(ddi_decode_response(ex6_decode_failed_resp,
					sizeof(ex6_decode_failed_resp), &hdr,
					&ddi_get_device_info_resp_schema, &info));
	assert_int_equal(hdr.status, AZIHSM_DDI_STATUS_DDI_DECODE_FAILED);
	assert_int_equal(hdr.op, AZIHSM_DDI_OP_INVALID);
	assert_int_equal(info.tables, 0x5a);

	/* A success header with the wrong data shape is not a valid response. */
	assert_false(ddi_decode_response(ex2_get_api_rev_resp,
					 sizeof(ex2_get_api_rev_resp), &hdr,
					 &ddi_get_device_info_resp_schema, &info));
	/* A request is not a response (status and fips missing). */
	assert_false(ddi_decode_response(ex1_get_api_rev_req,
					 sizeof(ex1_get_api_rev_req), &hdr,
					 NULL, NULL));
}

static void test_op_table(void **state)
{
	static const struct {
		uint32_t op;
		const char *name;
		uint8_t ctrl;
	} spot[] = {
		{ 1001, "Invalid", AZIHSM_DDI_CTRL_NONE },
		{ 1002, "GetApiRev", AZIHSM_DDI_CTRL_NONE },
		{ 1003, "GetDeviceInfo", AZIHSM_DDI_CTRL_NONE },
		{ 1014, "DeleteKey", AZIHSM_DDI_CTRL_IN_SESSION },
		{ 1076, "KbkdfCounterHmacDerive", AZIHSM_DDI_CTRL_IN_SESSION },
		{ 1101, "GetEstablishCredEncryptionKey", AZIHSM_DDI_CTRL_NONE },
		{ 1104, "OpenSession", AZIHSM_DDI_CTRL_OPEN },
		{ 1105, "CloseSession", AZIHSM_DDI_CTRL_CLOSE },
		{ 1110, "ReopenSession", AZIHSM_DDI_CTRL_IN_SESSION },
		{ 1111, "InitBk3", AZIHSM_DDI_CTRL_NONE },
		{ 2001, "ResetFunction", AZIHSM_DDI_CTRL_CLOSE },
		{ 2010, "RsaUnwrapKekTest", AZIHSM_DDI_CTRL_IN_SESSION },
	};
	const struct ddi_op_info *info;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(spot); i++) {
		info = ddi_op_lookup(spot[i].op);
		assert_non_null(info);
		assert_int_equal(info->op, spot[i].op);
		assert_string_equal(info->name, spot[i].name);
		assert_string_equal(ddi_op_name(spot[i].op), spot[i].name);
		assert_int_equal(info->ctrl, spot[i].ctrl);
	}

	info = ddi_op_lookup(AZIHSM_DDI_OP_GET_API_REV);
	assert_ptr_equal(info->req, &ddi_empty_schema);
	assert_ptr_equal(info->resp, &ddi_get_api_rev_resp_schema);
	info = ddi_op_lookup(AZIHSM_DDI_OP_GET_DEVICE_INFO);
	assert_ptr_equal(info->req, &ddi_empty_schema);
	assert_ptr_equal(info->resp, &ddi_get_device_info_resp_schema);
	info = ddi_op_lookup(AZIHSM_DDI_OP_DELETE_KEY);
	assert_ptr_equal(info->req, &ddi_delete_key_req_schema);
	assert_ptr_equal(info->resp, &ddi_empty_schema);
	/* An operation nothing implements has no schemas. */
	info = ddi_op_lookup(AZIHSM_DDI_OP_RSA_UNWRAP_KEK_TEST);
	assert_null(info->req);
	assert_null(info->resp);

	assert_null(ddi_op_lookup(0));
	assert_null(ddi_op_lookup(1073));
	assert_string_equal(ddi_op_name(1073), "unknown");
}

/*
 * "GET_API_REV" and "GetApiRev" are the same letters, with an upper-case
 * letter exactly where a word starts.
 */
static void assert_camel_of(const char *camel, const char *upper)
{
	bool word_start = true;

	for (; *upper; upper++) {
		if (*upper == '_') {
			word_start = true;
			continue;
		}
		assert_true(*camel != '\0');
		if (*upper >= 'A' && *upper <= 'Z')
			assert_int_equal(*camel, word_start ? *upper : *upper + 'a' - 'A');
		else
			assert_int_equal(*camel, *upper);
		word_start = false;
		camel++;
	}
	assert_int_equal(*camel, '\0');
}

/* Every opcode and status of azihsm/ddi.h has its CamelCase name. */
static void test_tables_complete(void **state)
{
#define OP_ROW(name, value, ctrl) { value, ctrl, #name },
	static const struct {
		uint32_t op;
		uint8_t ctrl;
		const char *upper;
	} ops[] = { AZIHSM_DDI_OPS(OP_ROW) };
#undef OP_ROW
#define STATUS_ROW(name, value) { value, #name },
	static const struct {
		uint32_t status;
		const char *upper;
	} statuses[] = { AZIHSM_DDI_STATUSES(STATUS_ROW) };
#undef STATUS_ROW
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(ops); i++) {
		const struct ddi_op_info *info = ddi_op_lookup(ops[i].op);

		assert_non_null(info);
		assert_int_equal(info->ctrl, ops[i].ctrl);
		assert_camel_of(info->name, ops[i].upper);
	}
	for (i = 0; i < ARRAY_SIZE(statuses); i++)
		assert_camel_of(ddi_status_name(statuses[i].status),
				statuses[i].upper);
}

static void test_status_names(void **state)
{
	static const struct {
		uint32_t status;
		const char *name;
	} spot[] = {
		{ 0x00000000, "Success" },
		{ 0x08000003, "InvalidArg" },
		{ 0x08000009, "UnsupportedCmd" },
		{ 0x08680002, "DdiDecodeFailed" },
		{ 0x08700001, "VaultSessionLimitReached" },
		{ 0x08700004, "SessionNotFound" },
		{ 0x0870002A, "UnsupportedRevision" },
		{ 0x0870005C, "EstablishCredEncryptionKeyGenerateFailed" },
		{ 0x0870006A, "IoChannePipelNotEnabled" },
		{ 0x087000D8, "PartitionIdKeyGenerationPctFailed" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(spot); i++)
		assert_string_equal(ddi_status_name(spot[i].status), spot[i].name);
	assert_null(ddi_status_name(1));
	assert_null(ddi_status_name(0x08700005));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_encode_request_example1),
		cmocka_unit_test(test_encode_request_too_small),
		cmocka_unit_test(test_encode_responses),
		cmocka_unit_test(test_decode_request_hdr_and_data),
		cmocka_unit_test(test_decode_request_hdr_rejects),
		cmocka_unit_test(test_decode_request_data_wrong_shape),
		cmocka_unit_test(test_decode_response),
		cmocka_unit_test(test_op_table),
		cmocka_unit_test(test_tables_complete),
		cmocka_unit_test(test_status_names),
	};

	return cmocka_run_group_tests_name("ddi_msg", tests, NULL, NULL);
}
