// SPDX-License-Identifier: MIT
/*
 * MBOR codec: the worked examples of spec/ddi.md 1.8 byte for byte, round
 * trips of every value kind, the byte-string alignment rule at every
 * starting offset, and rejection of every class of malformed input.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "azihsm/ddi_msg.h"
#include "azihsm/mbor.h"
#include "spec_examples.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* ---- Test-local schemas for the data structs of examples 3-5 ---- */

struct key_id_req {
	uint16_t key_id;
};
MBOR_SCHEMA(key_id_req_schema, struct key_id_req,
	MBOR_REQ(struct key_id_req, key_id, 1, MBOR_U16, 0, NULL));

struct hmac_req {
	uint16_t key_id;
	struct mbor_bytes msg;
};
MBOR_SCHEMA(hmac_req_schema, struct hmac_req,
	MBOR_REQ(struct hmac_req, key_id, 1, MBOR_U16, 0, NULL),
	MBOR_REQ(struct hmac_req, msg, 2, MBOR_BYTES, 1024, NULL));

struct key_metadata {
	struct mbor_bytes blob;
};
MBOR_SCHEMA(key_metadata_schema, struct key_metadata,
	MBOR_REQ(struct key_metadata, blob, 1, MBOR_FIXED_BYTES, 16, NULL));

struct key_props {
	struct key_metadata metadata;
	struct mbor_bytes label;
};
MBOR_SCHEMA(key_props_schema, struct key_props,
	MBOR_REQ(struct key_props, metadata, 1, MBOR_MAP, 0, &key_metadata_schema),
	MBOR_REQ(struct key_props, label, 2, MBOR_BYTES, 128, NULL));

struct aes_gen_req {
	uint32_t key_size;
	bool has_key_tag;
	uint16_t key_tag;
	struct key_props props;
};
MBOR_SCHEMA(aes_gen_req_schema, struct aes_gen_req,
	MBOR_REQ(struct aes_gen_req, key_size, 1, MBOR_U32, 0, NULL),
	MBOR_OPT(struct aes_gen_req, key_tag, has_key_tag, 2, MBOR_U16, 0, NULL),
	MBOR_REQ(struct aes_gen_req, props, 3, MBOR_MAP, 0, &key_props_schema));

/* Every value kind in one struct, optional fields included. */
struct all_kinds {
	uint8_t u8;
	uint16_t u16;
	uint32_t u32;
	uint64_t u64;
	bool flag;
	struct mbor_bytes var;
	struct mbor_bytes fixed;
	bool has_nested;
	struct ddi_api_rev nested;
	bool has_opt_u32;
	uint32_t opt_u32;
};
MBOR_SCHEMA(all_kinds_schema, struct all_kinds,
	MBOR_REQ(struct all_kinds, u8, 1, MBOR_U8, 0, NULL),
	MBOR_REQ(struct all_kinds, u16, 2, MBOR_U16, 0, NULL),
	MBOR_REQ(struct all_kinds, u32, 3, MBOR_U32, 0, NULL),
	MBOR_REQ(struct all_kinds, u64, 4, MBOR_U64, 0, NULL),
	MBOR_REQ(struct all_kinds, flag, 5, MBOR_BOOL, 0, NULL),
	MBOR_REQ(struct all_kinds, var, 6, MBOR_BYTES, 40, NULL),
	MBOR_REQ(struct all_kinds, fixed, 7, MBOR_FIXED_BYTES, 4, NULL),
	MBOR_OPT(struct all_kinds, nested, has_nested, 8, MBOR_MAP, 0,
		 &ddi_api_rev_schema),
	MBOR_OPT(struct all_kinds, opt_u32, has_opt_u32, 9, MBOR_U32, 0, NULL));

/* ---- Worked examples (spec/ddi.md 1.8) ---- */

static const struct ddi_api_rev rev_1_0 = { 1, 0 };

/* Encode {0: hdr, 1: data} with the primitives and the walker. */
static size_t encode_message(uint8_t *buf, size_t cap,
			     const struct mbor_schema *hs, const void *hdr,
			     const struct mbor_schema *ds, const void *data)
{
	struct mbor_enc e;

	mbor_enc_init(&e, buf, cap);
	mbor_put_map(&e, 2);
	mbor_put_key(&e, 0);
	assert_true(mbor_encode(&e, hs, hdr));
	mbor_put_key(&e, 1);
	assert_true(mbor_encode(&e, ds, data));
	assert_false(e.overflow);
	return e.pos;
}

/* Decode {0: hdr, 1: data}; false at the first failure. */
static bool decode_message(const uint8_t *buf, size_t len,
			   const struct mbor_schema *hs, void *hdr,
			   const struct mbor_schema *ds, void *data)
{
	struct mbor_dec d;
	unsigned int count;

	mbor_dec_init(&d, buf, len);
	return mbor_get_map(&d, &count) && count == 2 &&
	       mbor_get_key(&d, 0) && mbor_decode(&d, hs, hdr) &&
	       mbor_get_key(&d, 1) && mbor_decode(&d, ds, data);
}

/* Encoding hdr and data gives exactly the example's bytes. */
static void assert_encodes_to(const uint8_t *example, size_t example_len,
			      const struct mbor_schema *hs, const void *hdr,
			      const struct mbor_schema *ds, const void *data)
{
	uint8_t buf[256];
	size_t len;

	len = encode_message(buf, sizeof(buf), hs, hdr, ds, data);
	assert_int_equal(len, example_len);
	assert_memory_equal(buf, example, len);
}

static void test_example1_get_api_rev_request(void **state)
{
	struct ddi_req_hdr hdr = { .op = 1002 };

	(void)state;
	assert_encodes_to(ex1_get_api_rev_req, sizeof(ex1_get_api_rev_req),
			  &ddi_req_hdr_schema, &hdr, &ddi_empty_schema, NULL);

	memset(&hdr, 0xff, sizeof(hdr));
	assert_true(decode_message(ex1_get_api_rev_req, sizeof(ex1_get_api_rev_req),
				   &ddi_req_hdr_schema, &hdr, &ddi_empty_schema, NULL));
	assert_false(hdr.has_rev);
	assert_int_equal(hdr.op, 1002);
	assert_false(hdr.has_sess_id);
}

static void test_example2_get_api_rev_response(void **state)
{
	struct ddi_resp_hdr hdr = { .op = 1002 };
	struct ddi_get_api_rev_resp data = { rev_1_0, rev_1_0 };

	(void)state;
	assert_int_equal(sizeof(ex2_get_api_rev_resp), 58);	/* the spec's total */
	assert_encodes_to(ex2_get_api_rev_resp, sizeof(ex2_get_api_rev_resp),
			  &ddi_resp_hdr_schema, &hdr, &ddi_get_api_rev_resp_schema, &data);

	memset(&hdr, 0xff, sizeof(hdr));
	memset(&data, 0xff, sizeof(data));
	assert_true(decode_message(ex2_get_api_rev_resp, sizeof(ex2_get_api_rev_resp),
				   &ddi_resp_hdr_schema, &hdr,
				   &ddi_get_api_rev_resp_schema, &data));
	assert_false(hdr.has_rev);
	assert_false(hdr.has_sess_id);
	assert_int_equal(hdr.op, 1002);
	assert_int_equal(hdr.status, 0);
	assert_false(hdr.fips_approved);
	assert_int_equal(data.min.major, 1);
	assert_int_equal(data.min.minor, 0);
	assert_int_equal(data.max.major, 1);
	assert_int_equal(data.max.minor, 0);
}

static void test_example3_delete_key_request(void **state)
{
	struct ddi_req_hdr hdr = {
		.has_rev = true, .rev = rev_1_0, .op = 1014,
		.has_sess_id = true, .sess_id = 3,
	};
	struct key_id_req data = { 0x0105 };

	(void)state;
	assert_int_equal(sizeof(ex3_delete_key_req), 41);	/* the spec's total */
	assert_encodes_to(ex3_delete_key_req, sizeof(ex3_delete_key_req),
			  &ddi_req_hdr_schema, &hdr, &key_id_req_schema, &data);

	memset(&hdr, 0, sizeof(hdr));
	memset(&data, 0, sizeof(data));
	assert_true(decode_message(ex3_delete_key_req, sizeof(ex3_delete_key_req),
				   &ddi_req_hdr_schema, &hdr,
				   &key_id_req_schema, &data));
	assert_true(hdr.has_rev);
	assert_int_equal(hdr.rev.major, 1);
	assert_int_equal(hdr.rev.minor, 0);
	assert_int_equal(hdr.op, 1014);
	assert_true(hdr.has_sess_id);
	assert_int_equal(hdr.sess_id, 3);
	assert_int_equal(data.key_id, 0x0105);
}

static void test_example4_hmac_request_alignment(void **state)
{
	struct ddi_req_hdr hdr = {
		.has_rev = true, .rev = rev_1_0, .op = 1077,
		.has_sess_id = true, .sess_id = 0,
	};
	struct hmac_req data = { 2, { (const uint8_t *)"abc", 3 } };

	(void)state;
	assert_int_equal(sizeof(ex4_hmac_req), 51);	/* the spec's total */
	assert_encodes_to(ex4_hmac_req, sizeof(ex4_hmac_req),
			  &ddi_req_hdr_schema, &hdr, &hmac_req_schema, &data);

	memset(&data, 0, sizeof(data));
	assert_true(decode_message(ex4_hmac_req, sizeof(ex4_hmac_req),
				   &ddi_req_hdr_schema, &hdr,
				   &hmac_req_schema, &data));
	assert_int_equal(data.key_id, 2);
	assert_int_equal(data.msg.len, 3);
	/* The decoded view points at the data, which starts at offset 48. */
	assert_ptr_equal(data.msg.ptr, ex4_hmac_req + 48);
	assert_memory_equal(data.msg.ptr, "abc", 3);
}

static void test_example5_aes_generate_key_request(void **state)
{
	static const uint8_t blob[16] = { 0x0C };
	struct ddi_req_hdr hdr = {
		.has_rev = true, .rev = rev_1_0, .op = 1071,
		.has_sess_id = true, .sess_id = 1,
	};
	struct aes_gen_req data = {
		.key_size = 3,
		.props = {
			.metadata = { { blob, sizeof(blob) } },
			.label = { (const uint8_t *)"k1", 2 },
		},
	};

	(void)state;
	assert_int_equal(sizeof(ex5_aes_gen_req), 78);	/* the spec's total */
	assert_encodes_to(ex5_aes_gen_req, sizeof(ex5_aes_gen_req),
			  &ddi_req_hdr_schema, &hdr, &aes_gen_req_schema, &data);

	memset(&data, 0xaa, sizeof(data));
	assert_true(decode_message(ex5_aes_gen_req, sizeof(ex5_aes_gen_req),
				   &ddi_req_hdr_schema, &hdr,
				   &aes_gen_req_schema, &data));
	assert_int_equal(data.key_size, 3);
	assert_false(data.has_key_tag);
	assert_int_equal(data.key_tag, 0);
	assert_int_equal(data.props.metadata.blob.len, 16);
	assert_memory_equal(data.props.metadata.blob.ptr, blob, 16);
	assert_ptr_equal(data.props.metadata.blob.ptr, ex5_aes_gen_req + 54);
	assert_int_equal(data.props.label.len, 2);
	assert_ptr_equal(data.props.label.ptr, ex5_aes_gen_req + 76);
}

static void test_example6_error_response(void **state)
{
	struct ddi_resp_hdr hdr = { .op = 1001, .status = 0x08680002 };

	(void)state;
	assert_encodes_to(ex6_decode_failed_resp, sizeof(ex6_decode_failed_resp),
			  &ddi_resp_hdr_schema, &hdr, &ddi_empty_schema, NULL);

	memset(&hdr, 0, sizeof(hdr));
	assert_true(decode_message(ex6_decode_failed_resp,
				   sizeof(ex6_decode_failed_resp),
				   &ddi_resp_hdr_schema, &hdr,
				   &ddi_empty_schema, NULL));
	assert_int_equal(hdr.op, 1001);
	assert_int_equal(hdr.status, 0x08680002);
}

/* Every proper prefix of a valid message fails; the whole one decodes. */
static void test_truncation_at_every_byte(void **state)
{
	static const struct {
		const uint8_t *msg;
		size_t len;
		const struct mbor_schema *data_schema;
	} cases[] = {
		{ ex3_delete_key_req, sizeof(ex3_delete_key_req), &key_id_req_schema },
		{ ex4_hmac_req, sizeof(ex4_hmac_req), &hmac_req_schema },
		{ ex5_aes_gen_req, sizeof(ex5_aes_gen_req), &aes_gen_req_schema },
	};
	struct ddi_req_hdr hdr;
	struct aes_gen_req data;	/* the largest of the three */
	size_t c, len;

	(void)state;
	for (c = 0; c < ARRAY_SIZE(cases); c++) {
		for (len = 0; len < cases[c].len; len++)
			assert_false(decode_message(cases[c].msg, len,
						    &ddi_req_hdr_schema, &hdr,
						    cases[c].data_schema, &data));
		assert_true(decode_message(cases[c].msg, cases[c].len,
					   &ddi_req_hdr_schema, &hdr,
					   cases[c].data_schema, &data));
	}
}

/* ---- Primitives ---- */

static void test_integers_big_endian_fixed_width(void **state)
{
	static const uint8_t want[] = {
		0x18, 0x00,
		0x18, 0xff,
		0x19, 0x00, 0x00,
		0x19, 0x12, 0x34,
		0x1a, 0x00, 0x00, 0x00, 0x00,
		0x1a, 0xde, 0xad, 0xbe, 0xef,
		0x1b, 0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef,
		0x1b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		0x14, 0x15,
	};
	uint8_t buf[sizeof(want)];
	struct mbor_enc e;
	struct mbor_dec d;
	uint8_t u8;
	uint16_t u16;
	uint32_t u32;
	uint64_t u64;
	bool b;

	(void)state;
	mbor_enc_init(&e, buf, sizeof(buf));
	mbor_put_u8(&e, 0);
	mbor_put_u8(&e, 0xff);
	mbor_put_u16(&e, 0);
	mbor_put_u16(&e, 0x1234);
	mbor_put_u32(&e, 0);
	mbor_put_u32(&e, 0xdeadbeef);
	mbor_put_u64(&e, 0x0123456789abcdefull);
	mbor_put_u64(&e, UINT64_MAX);
	mbor_put_bool(&e, false);
	mbor_put_bool(&e, true);
	assert_false(e.overflow);
	assert_int_equal(e.pos, sizeof(want));
	assert_memory_equal(buf, want, sizeof(want));

	mbor_dec_init(&d, want, sizeof(want));
	assert_true(mbor_get_u8(&d, &u8));
	assert_int_equal(u8, 0);
	assert_true(mbor_get_u8(&d, &u8));
	assert_int_equal(u8, 0xff);
	assert_true(mbor_get_u16(&d, &u16));
	assert_int_equal(u16, 0);
	assert_true(mbor_get_u16(&d, &u16));
	assert_int_equal(u16, 0x1234);
	assert_true(mbor_get_u32(&d, &u32));
	assert_int_equal(u32, 0);
	assert_true(mbor_get_u32(&d, &u32));
	assert_int_equal(u32, 0xdeadbeef);
	assert_true(mbor_get_u64(&d, &u64));
	assert_int_equal(u64, 0x0123456789abcdefull);
	assert_true(mbor_get_u64(&d, &u64));
	assert_int_equal(u64, UINT64_MAX);
	assert_true(mbor_get_bool(&d, &b));
	assert_false(b);
	assert_true(mbor_get_bool(&d, &b));
	assert_true(b);
	assert_int_equal(d.pos, sizeof(want));
	assert_false(d.error);
}

static void test_map_markers(void **state)
{
	uint8_t buf[2];
	struct mbor_enc e;
	struct mbor_dec d;
	unsigned int count, n;

	(void)state;
	for (n = 0; n <= MBOR_MAX_MAP_ENTRIES; n++) {
		mbor_enc_init(&e, buf, sizeof(buf));
		mbor_put_map(&e, n);
		assert_false(e.overflow);
		assert_int_equal(e.pos, 1);
		assert_int_equal(buf[0], 0xa0 | n);
		mbor_dec_init(&d, buf, 1);
		assert_true(mbor_get_map(&d, &count));
		assert_int_equal(count, n);
	}
	/* A 32-entry map has no encoding. */
	mbor_enc_init(&e, buf, sizeof(buf));
	mbor_put_map(&e, MBOR_MAX_MAP_ENTRIES + 1);
	assert_true(e.overflow);
}

/*
 * The first data byte of a variable string is 4-aligned from the start of
 * the buffer whatever the marker's offset; fixed strings never pad.
 */
static void test_bytes_alignment_every_offset(void **state)
{
	static const uint8_t data[5] = { 1, 2, 3, 4, 5 };
	uint8_t buf[32];
	struct mbor_enc e;
	struct mbor_dec d;
	struct mbor_bytes got;
	size_t start, i, len;
	bool b;

	(void)state;
	for (start = 0; start < 8; start++) {
		for (len = 0; len <= sizeof(data); len++) {
			size_t pad = (4 - (start + 3) % 4) % 4;

			memset(buf, 0xee, sizeof(buf));
			mbor_enc_init(&e, buf, sizeof(buf));
			for (i = 0; i < start; i++)
				mbor_put_bool(&e, true);
			mbor_put_bytes(&e, data, len);
			assert_false(e.overflow);
			assert_int_equal(e.pos - start, mbor_bytes_size(start, len));
			assert_int_equal(e.pos, start + 3 + pad + len);
			assert_int_equal(buf[start], 0x80 | pad);
			assert_int_equal(buf[start + 1], 0);
			assert_int_equal(buf[start + 2], len);
			for (i = 0; i < pad; i++)
				assert_int_equal(buf[start + 3 + i], 0);
			assert_int_equal((start + 3 + pad) % 4, 0);
			assert_memory_equal(buf + start + 3 + pad, data, len);

			mbor_dec_init(&d, buf, e.pos);
			for (i = 0; i < start; i++)
				assert_true(mbor_get_bool(&d, &b));
			assert_true(mbor_get_bytes(&d, sizeof(data), &got));
			assert_int_equal(got.len, len);
			assert_ptr_equal(got.ptr, buf + start + 3 + pad);
			assert_int_equal(d.pos, e.pos);
		}

		mbor_enc_init(&e, buf, sizeof(buf));
		for (i = 0; i < start; i++)
			mbor_put_bool(&e, true);
		mbor_put_fixed_bytes(&e, data, 4);
		assert_int_equal(e.pos, start + 7);
		assert_int_equal(buf[start], 0x80);
		assert_memory_equal(buf + start + 3, data, 4);
		mbor_dec_init(&d, buf, e.pos);
		for (i = 0; i < start; i++)
			assert_true(mbor_get_bool(&d, &b));
		assert_true(mbor_get_fixed_bytes(&d, 4, &got));
		assert_ptr_equal(got.ptr, buf + start + 3);
	}
}

/* Alignment counts from the buffer start, also inside nested maps. */
static void test_roundtrip_all_kinds(void **state)
{
	static const uint8_t var[40] = { 9, 8, 7, 6, 5, 4, 3, 2, 1 };
	static const uint8_t fixed[4] = { 0xca, 0xfe, 0xba, 0xbe };
	struct all_kinds in = {
		.u8 = 0xab, .u16 = 0xbeef, .u32 = 0x89abcdef,
		.u64 = 0xfedcba9876543210ull, .flag = true,
		.var = { var, 9 }, .fixed = { fixed, 4 },
		.has_nested = true, .nested = { 7, 9 },
		.has_opt_u32 = false,
	};
	struct all_kinds out;
	uint8_t buf[128];
	struct mbor_enc e;
	struct mbor_dec d;
	size_t start, i, var_len;
	bool b;

	(void)state;
	for (start = 0; start < 4; start++) {
		for (var_len = 0; var_len <= sizeof(var); var_len += 13) {
			in.var.len = (uint16_t)var_len;
			in.has_opt_u32 = var_len & 1;
			in.opt_u32 = in.has_opt_u32 ? 77 : 0;
			in.has_nested = !in.has_opt_u32;
			in.nested.major = in.has_nested ? 7 : 0;
			in.nested.minor = in.has_nested ? 9 : 0;

			mbor_enc_init(&e, buf, sizeof(buf));
			for (i = 0; i < start; i++)
				mbor_put_bool(&e, false);
			assert_true(mbor_encode(&e, &all_kinds_schema, &in));

			memset(&out, 0x5a, sizeof(out));
			mbor_dec_init(&d, buf, e.pos);
			for (i = 0; i < start; i++)
				assert_true(mbor_get_bool(&d, &b));
			assert_true(mbor_decode(&d, &all_kinds_schema, &out));
			assert_int_equal(d.pos, e.pos);
			assert_int_equal(out.u8, in.u8);
			assert_int_equal(out.u16, in.u16);
			assert_int_equal(out.u32, in.u32);
			assert_int_equal(out.u64, in.u64);
			assert_int_equal(out.flag, in.flag);
			assert_int_equal(out.var.len, in.var.len);
			assert_memory_equal(out.var.ptr, var, var_len);
			assert_int_equal(((size_t)(out.var.ptr - buf)) % 4, 0);
			assert_int_equal(out.fixed.len, 4);
			assert_memory_equal(out.fixed.ptr, fixed, 4);
			assert_int_equal(out.has_nested, in.has_nested);
			assert_int_equal(out.nested.major, in.nested.major);
			assert_int_equal(out.nested.minor, in.nested.minor);
			assert_int_equal(out.has_opt_u32, in.has_opt_u32);
			assert_int_equal(out.opt_u32, in.opt_u32);
		}
	}
}

static void test_encode_overflow_and_sizing(void **state)
{
	struct ddi_get_api_rev_resp data = { rev_1_0, rev_1_0 };
	uint8_t buf[64];
	struct mbor_enc e;
	size_t need, cap;

	(void)state;
	/* NULL buffer: a sizing pass. */
	mbor_enc_init(&e, NULL, 0);
	assert_false(mbor_encode(&e, &ddi_get_api_rev_resp_schema, &data));
	need = e.pos;
	assert_int_equal(need, 35);	/* 1 + 2 * (key 2 + map 15) */

	for (cap = 0; cap < need; cap++) {
		memset(buf, 0x77, sizeof(buf));
		mbor_enc_init(&e, buf, cap);
		assert_false(mbor_encode(&e, &ddi_get_api_rev_resp_schema, &data));
		assert_true(e.overflow);
		assert_int_equal(e.pos, need);
		/* Nothing is written past cap. */
		assert_int_equal(buf[cap], 0x77);
	}
	mbor_enc_init(&e, buf, need);
	assert_true(mbor_encode(&e, &ddi_get_api_rev_resp_schema, &data));
	assert_int_equal(e.pos, need);
}

static void test_encode_rejects_bad_lengths(void **state)
{
	static const uint8_t bytes[64];
	struct hmac_req h = { 1, { bytes, 0 } };
	struct key_metadata md = { { bytes, 15 } };
	uint8_t buf[2048];
	struct mbor_enc e;

	(void)state;
	h.msg.len = 1025;	/* schema max is 1024 */
	mbor_enc_init(&e, buf, sizeof(buf));
	assert_false(mbor_encode(&e, &hmac_req_schema, &h));

	h.msg.ptr = NULL;	/* length without data */
	h.msg.len = 3;
	mbor_enc_init(&e, buf, sizeof(buf));
	assert_false(mbor_encode(&e, &hmac_req_schema, &h));

	h.msg.len = 0;		/* an empty string may have no pointer */
	mbor_enc_init(&e, buf, sizeof(buf));
	assert_true(mbor_encode(&e, &hmac_req_schema, &h));

	mbor_enc_init(&e, buf, sizeof(buf));
	assert_false(mbor_encode(&e, &key_metadata_schema, &md));
	md.blob.len = 17;
	mbor_enc_init(&e, buf, sizeof(buf));
	assert_false(mbor_encode(&e, &key_metadata_schema, &md));
	md.blob.len = 16;
	mbor_enc_init(&e, buf, sizeof(buf));
	assert_true(mbor_encode(&e, &key_metadata_schema, &md));
}

/* ---- Malformed input ---- */

/* Each primitive refuses every marker but its own canonical one. */
static void test_strict_markers(void **state)
{
	uint8_t buf[16];
	struct mbor_dec d;
	struct mbor_bytes bs;
	unsigned int count;
	unsigned int m;
	uint8_t u8;
	uint16_t u16;
	uint32_t u32;
	uint64_t u64;
	bool b;

	(void)state;
	for (m = 0; m < 256; m++) {
		memset(buf, 0, sizeof(buf));
		buf[0] = (uint8_t)m;

		mbor_dec_init(&d, buf, sizeof(buf));
		assert_int_equal(mbor_get_u8(&d, &u8), m == 0x18);
		mbor_dec_init(&d, buf, sizeof(buf));
		assert_int_equal(mbor_get_u16(&d, &u16), m == 0x19);
		mbor_dec_init(&d, buf, sizeof(buf));
		assert_int_equal(mbor_get_u32(&d, &u32), m == 0x1a);
		mbor_dec_init(&d, buf, sizeof(buf));
		assert_int_equal(mbor_get_u64(&d, &u64), m == 0x1b);
		mbor_dec_init(&d, buf, sizeof(buf));
		assert_int_equal(mbor_get_bool(&d, &b), m == 0x14 || m == 0x15);
		mbor_dec_init(&d, buf, sizeof(buf));
		assert_int_equal(mbor_get_map(&d, &count), m >= 0xa0 && m <= 0xbf);
		/* Zero length at offset 0: the only valid pad count is 1. */
		mbor_dec_init(&d, buf, sizeof(buf));
		assert_int_equal(mbor_get_bytes(&d, 8, &bs), m == 0x81);
		mbor_dec_init(&d, buf, sizeof(buf));
		assert_int_equal(mbor_get_fixed_bytes(&d, 0, &bs), m == 0x80);
		mbor_dec_init(&d, buf, sizeof(buf));
		assert_int_equal(mbor_get_key(&d, 0), m == 0x18);
	}
}

/* A u16 field carried with a u32 marker (value fits) is refused. */
static void test_non_canonical_integer_marker(void **state)
{
	static const uint8_t msg[] = { 0xa1, 0x18, 0x01, 0x1a, 0x00, 0x00, 0x01, 0x05 };
	static const uint8_t good[] = { 0xa1, 0x18, 0x01, 0x19, 0x01, 0x05 };
	struct key_id_req r;
	struct mbor_dec d;

	(void)state;
	mbor_dec_init(&d, msg, sizeof(msg));
	assert_false(mbor_decode(&d, &key_id_req_schema, &r));
	assert_true(d.error);
	mbor_dec_init(&d, good, sizeof(good));
	assert_true(mbor_decode(&d, &key_id_req_schema, &r));
	assert_int_equal(r.key_id, 0x0105);
}

static void test_bytes_length_limits(void **state)
{
	/* Marker at 0 takes pad 1; data at 4. */
	uint8_t buf[64] = { 0x81, 0x00, 0x08, 0x00 };
	struct mbor_dec d;
	struct mbor_bytes bs;

	(void)state;
	mbor_dec_init(&d, buf, 12);
	assert_true(mbor_get_bytes(&d, 8, &bs));
	assert_int_equal(bs.len, 8);
	mbor_dec_init(&d, buf, 12);
	assert_false(mbor_get_bytes(&d, 7, &bs));
	assert_true(d.error);
	/* A huge announced length is "too long", not a read past the end. */
	buf[1] = 0xff;
	buf[2] = 0xff;
	mbor_dec_init(&d, buf, sizeof(buf));
	assert_false(mbor_get_bytes(&d, 1024, &bs));
	/* Within the limit but beyond the input: truncated. */
	mbor_dec_init(&d, buf, sizeof(buf));
	assert_false(mbor_get_bytes(&d, 0xffff, &bs));
}

static void test_bytes_bad_padding(void **state)
{
	/* Marker at 0: pad must be 1 and the pad byte zero. */
	uint8_t buf[8] = { 0x81, 0x00, 0x02, 0x00, 0x61, 0x62 };
	struct mbor_dec d;
	struct mbor_bytes bs;
	unsigned int pad;

	(void)state;
	mbor_dec_init(&d, buf, 6);
	assert_true(mbor_get_bytes(&d, 8, &bs));
	for (pad = 0; pad < 4; pad++) {
		if (pad == 1)
			continue;
		buf[0] = (uint8_t)(0x80 | pad);
		mbor_dec_init(&d, buf, sizeof(buf));
		assert_false(mbor_get_bytes(&d, 8, &bs));
	}
	buf[0] = 0x81;
	buf[3] = 0x01;		/* non-zero pad byte */
	mbor_dec_init(&d, buf, 6);
	assert_false(mbor_get_bytes(&d, 8, &bs));
}

static void test_fixed_bytes_rules(void **state)
{
	uint8_t buf[24] = { 0x80, 0x00, 0x10 };
	struct mbor_dec d;
	struct mbor_bytes bs;
	unsigned int pad;

	(void)state;
	mbor_dec_init(&d, buf, 19);
	assert_true(mbor_get_fixed_bytes(&d, 16, &bs));
	assert_int_equal(bs.len, 16);
	assert_ptr_equal(bs.ptr, buf + 3);
	/* Wrong length either way. */
	mbor_dec_init(&d, buf, sizeof(buf));
	assert_false(mbor_get_fixed_bytes(&d, 15, &bs));
	mbor_dec_init(&d, buf, sizeof(buf));
	assert_false(mbor_get_fixed_bytes(&d, 17, &bs));
	/* Pad bits must be zero. */
	for (pad = 1; pad < 4; pad++) {
		buf[0] = (uint8_t)(0x80 | pad);
		mbor_dec_init(&d, buf, sizeof(buf));
		assert_false(mbor_get_fixed_bytes(&d, 16, &bs));
	}
	/* Truncated data. */
	buf[0] = 0x80;
	mbor_dec_init(&d, buf, 18);
	assert_false(mbor_get_fixed_bytes(&d, 16, &bs));
}

static void expect_rev_decode(const uint8_t *msg, size_t len, bool ok)
{
	struct ddi_api_rev rev;
	struct mbor_dec d;

	mbor_dec_init(&d, msg, len);
	assert_int_equal(mbor_decode(&d, &ddi_api_rev_schema, &rev), ok);
	assert_int_equal(d.error, !ok);
}

static void test_map_structure_errors(void **state)
{
#define M(...) { __VA_ARGS__ }
	static const struct {
		uint8_t bytes[24];
		size_t len;
		bool ok;
	} cases[] = {
		/* valid */
		{ M(0xa2, 0x18, 1, 0x1a, 0, 0, 0, 1, 0x18, 2, 0x1a, 0, 0, 0, 2), 15, true },
		/* missing mandatory minor */
		{ M(0xa1, 0x18, 1, 0x1a, 0, 0, 0, 1), 8, false },
		/* missing mandatory major */
		{ M(0xa1, 0x18, 2, 0x1a, 0, 0, 0, 1), 8, false },
		/* empty map */
		{ M(0xa0), 1, false },
		/* out of order */
		{ M(0xa2, 0x18, 2, 0x1a, 0, 0, 0, 2, 0x18, 1, 0x1a, 0, 0, 0, 1), 15, false },
		/* duplicate key */
		{ M(0xa2, 0x18, 1, 0x1a, 0, 0, 0, 1, 0x18, 1, 0x1a, 0, 0, 0, 1), 15, false },
		/* unknown key after the schema fields */
		{ M(0xa3, 0x18, 1, 0x1a, 0, 0, 0, 1, 0x18, 2, 0x1a, 0, 0, 0, 2,
		    0x18, 3, 0x1a, 0, 0, 0, 3), 22, false },
		/* unknown key instead of one */
		{ M(0xa2, 0x18, 1, 0x1a, 0, 0, 0, 1, 0x18, 9, 0x1a, 0, 0, 0, 2), 15, false },
		/* count too large (entries missing) */
		{ M(0xa3, 0x18, 1, 0x1a, 0, 0, 0, 1, 0x18, 2, 0x1a, 0, 0, 0, 2), 15, false },
		/* count too small */
		{ M(0xa1, 0x18, 1, 0x1a, 0, 0, 0, 1, 0x18, 2, 0x1a, 0, 0, 0, 2), 15, false },
		/* not a map */
		{ M(0x80, 0, 0), 3, false },
		/* value of the wrong kind */
		{ M(0xa2, 0x18, 1, 0x19, 0, 1, 0x18, 2, 0x1a, 0, 0, 0, 2), 13, false },
		/* key with a non-u8 marker */
		{ M(0xa2, 0x19, 0, 1, 0x1a, 0, 0, 0, 1, 0x18, 2, 0x1a, 0, 0, 0, 2), 16, false },
	};
#undef M
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(cases); i++)
		expect_rev_decode(cases[i].bytes, cases[i].len, cases[i].ok);
}

/* Optional fields: taken only when the next key is theirs. */
static void test_optional_fields(void **state)
{
	/* hdr {op} ; {rev, op} ; {op, sess} ; {rev, op, sess} ; sess before op */
	static const uint8_t only_op[] = { 0xa1, 0x18, 2, 0x1a, 0, 0, 3, 0xeb };
	static const uint8_t op_sess[] = {
		0xa2, 0x18, 2, 0x1a, 0, 0, 3, 0xeb, 0x18, 3, 0x19, 0, 5,
	};
	static const uint8_t sess_op[] = {
		0xa2, 0x18, 3, 0x19, 0, 5, 0x18, 2, 0x1a, 0, 0, 3, 0xeb,
	};
	static const uint8_t sess_twice[] = {
		0xa3, 0x18, 2, 0x1a, 0, 0, 3, 0xeb, 0x18, 3, 0x19, 0, 5,
		0x18, 3, 0x19, 0, 6,
	};
	struct ddi_req_hdr h;
	struct mbor_dec d;

	(void)state;
	memset(&h, 0xff, sizeof(h));
	mbor_dec_init(&d, only_op, sizeof(only_op));
	assert_true(mbor_decode(&d, &ddi_req_hdr_schema, &h));
	assert_false(h.has_rev);
	assert_int_equal(h.rev.major, 0);
	assert_int_equal(h.rev.minor, 0);
	assert_false(h.has_sess_id);
	assert_int_equal(h.sess_id, 0);
	assert_int_equal(h.op, 1003);

	mbor_dec_init(&d, op_sess, sizeof(op_sess));
	assert_true(mbor_decode(&d, &ddi_req_hdr_schema, &h));
	assert_true(h.has_sess_id);
	assert_int_equal(h.sess_id, 5);

	mbor_dec_init(&d, sess_op, sizeof(sess_op));
	assert_false(mbor_decode(&d, &ddi_req_hdr_schema, &h));
	mbor_dec_init(&d, sess_twice, sizeof(sess_twice));
	assert_false(mbor_decode(&d, &ddi_req_hdr_schema, &h));
}

static void test_decoder_error_is_sticky(void **state)
{
	static const uint8_t buf[] = { 0x19, 0x18, 0x01 };
	struct mbor_dec d;
	uint8_t v;
	uint8_t key;

	(void)state;
	mbor_dec_init(&d, buf, sizeof(buf));
	assert_false(mbor_get_u8(&d, &v));
	assert_true(d.error);
	/* Even a well-formed item after the error is refused. */
	d.pos = 1;
	assert_false(mbor_get_u8(&d, &v));
	assert_false(mbor_peek_key(&d, &key));
}

static void test_peek_key(void **state)
{
	static const uint8_t buf[] = { 0x18, 0x07, 0x15 };
	struct mbor_dec d;
	uint8_t key;

	(void)state;
	mbor_dec_init(&d, buf, sizeof(buf));
	assert_true(mbor_peek_key(&d, &key));
	assert_int_equal(key, 7);
	assert_int_equal(d.pos, 0);
	assert_false(mbor_get_key(&d, 6));
	mbor_dec_init(&d, buf, sizeof(buf));
	assert_true(mbor_get_key(&d, 7));
	assert_false(mbor_peek_key(&d, &key));	/* a bool, not a key */
	assert_false(d.error);
	mbor_dec_init(&d, buf, 1);
	assert_false(mbor_peek_key(&d, &key));	/* truncated */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_example1_get_api_rev_request),
		cmocka_unit_test(test_example2_get_api_rev_response),
		cmocka_unit_test(test_example3_delete_key_request),
		cmocka_unit_test(test_example4_hmac_request_alignment),
		cmocka_unit_test(test_example5_aes_generate_key_request),
		cmocka_unit_test(test_example6_error_response),
		cmocka_unit_test(test_truncation_at_every_byte),
		cmocka_unit_test(test_integers_big_endian_fixed_width),
		cmocka_unit_test(test_map_markers),
		cmocka_unit_test(test_bytes_alignment_every_offset),
		cmocka_unit_test(test_roundtrip_all_kinds),
		cmocka_unit_test(test_encode_overflow_and_sizing),
		cmocka_unit_test(test_encode_rejects_bad_lengths),
		cmocka_unit_test(test_strict_markers),
		cmocka_unit_test(test_non_canonical_integer_marker),
		cmocka_unit_test(test_bytes_length_limits),
		cmocka_unit_test(test_bytes_bad_padding),
		cmocka_unit_test(test_fixed_bytes_rules),
		cmocka_unit_test(test_map_structure_errors),
		cmocka_unit_test(test_optional_fields),
		cmocka_unit_test(test_decoder_error_is_sticky),
		cmocka_unit_test(test_peek_key),
	};

	return cmocka_run_group_tests_name("mbor", tests, NULL, NULL);
}
