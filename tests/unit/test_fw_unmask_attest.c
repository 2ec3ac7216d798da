// SPDX-License-Identifier: MIT
/*
 * UnmaskKey (ddi.md 3.5.4) and AttestKey (3.5.3, 7.11) in the firmware
 * core, with the test acting as the host (fw_test_util.h).  Re-imported
 * key material is compared through the core's internals (fw_internal.h);
 * reports are checked against an independent OpenSSL verification of the
 * COSE_Sign1 signature with the partition identity key, and the CBOR
 * builder against the worked example of 7.11.5.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>

#include "azihsm/cbor.h"
#include "fw_internal.h"
#include "fw_test_util.h"

#define SIGN		(DDI_KEY_META_SIGN | DDI_KEY_META_VERIFY)
#define ENC		(DDI_KEY_META_ENCRYPT | DDI_KEY_META_DECRYPT)
#define SESSION		DDI_KEY_META_SESSION

/* A created key as the host keeps it. */
struct key_out {
	uint16_t id;
	uint32_t kind;
	uint8_t pub[2 * DDI_ECC_MAX_PKA];
	size_t pub_len;
	bool has_bulk_id;
	uint16_t bulk_id;
	uint8_t masked[DDI_MASKED_KEY_MAX];
	size_t masked_len;
};

static void props(struct ddi_key_properties *kp, uint8_t meta[DDI_KEY_META_LEN],
		  uint16_t bits, const char *label)
{
	memset(meta, 0, DDI_KEY_META_LEN);
	meta[0] = (uint8_t)bits;
	meta[1] = (uint8_t)(bits >> 8);
	kp->key_metadata.blob = (struct mbor_bytes){ meta, DDI_KEY_META_LEN };
	kp->key_label = (struct mbor_bytes){ (const uint8_t *)label,
					     (uint16_t)(label ? strlen(label) : 0) };
}

static void keep(struct key_out *o, uint16_t id, const struct mbor_bytes *masked,
		 const struct ddi_public_key *pub, bool has_pub)
{
	o->id = id;
	assert_true(masked->len > DDI_MASKED_HDR_LEN && masked->len <= sizeof(o->masked));
	memcpy(o->masked, masked->ptr, masked->len);
	o->masked_len = masked->len;
	o->pub_len = 0;
	if (has_pub) {
		assert_true(pub->der.len <= sizeof(o->pub));
		memcpy(o->pub, pub->der.ptr, pub->der.len);
		o->pub_len = pub->der.len;
	}
}

static uint32_t ecc_gen(struct host *h, uint16_t sid, uint32_t curve, uint16_t bits,
			const uint16_t *tag, const char *label, struct key_out *o)
{
	uint8_t meta[DDI_KEY_META_LEN];
	struct ddi_ecc_generate_req q = {
		.curve = curve, .has_key_tag = tag != NULL, .key_tag = tag ? *tag : 0,
	};
	struct ddi_ecc_generate_resp r;
	uint32_t status;

	props(&q.key_properties, meta, bits, label);
	memset(o, 0, sizeof(*o));
	status = call(h, OP(ECC_GENERATE_KEY_PAIR), sid, &ddi_ecc_generate_req_schema, &q,
		      &ddi_ecc_generate_resp_schema, &r);
	if (!status) {
		keep(o, r.private_key_id, &r.masked_key, &r.pub_key, r.has_pub_key);
		o->kind = ddi_ecc_curve(curve)->priv_type;
	}
	return status;
}

static uint32_t aes_gen(struct host *h, uint16_t sid, uint32_t size, uint16_t bits,
			const uint16_t *tag, struct key_out *o)
{
	uint8_t meta[DDI_KEY_META_LEN];
	struct ddi_aes_generate_req q = {
		.key_size = size, .has_key_tag = tag != NULL, .key_tag = tag ? *tag : 0,
	};
	struct ddi_aes_generate_resp r;
	uint32_t status;

	props(&q.key_properties, meta, bits, "aes");
	memset(o, 0, sizeof(*o));
	status = call(h, OP(AES_GENERATE_KEY), sid, &ddi_aes_generate_req_schema, &q,
		      &ddi_aes_generate_resp_schema, &r);
	if (!status) {
		keep(o, r.key_id, &r.masked_key, NULL, false);
		o->has_bulk_id = r.has_bulk_key_id;
		o->bulk_id = r.bulk_key_id;
	}
	return status;
}

static uint32_t unmask(struct host *h, uint16_t sid, const uint8_t *blob, size_t len,
		       struct key_out *o)
{
	struct ddi_unmask_key_req q = { .masked_key = { blob, (uint16_t)len } };
	struct ddi_der_import_resp r;
	uint32_t status;

	memset(&r, 0, sizeof(r));
	status = call(h, OP(UNMASK_KEY), sid, &ddi_unmask_key_req_schema, &q,
		      &ddi_der_import_resp_schema, &r);
	if (!status && o) {
		memset(o, 0, sizeof(*o));
		keep(o, r.key_id, &r.masked_key, &r.pub_key, r.has_pub_key);
		o->kind = r.key_type;
		o->has_bulk_id = r.has_bulk_key_id;
		o->bulk_id = r.bulk_key_id;
	}
	return status;
}

static uint32_t delete_key(struct host *h, uint16_t sid, uint16_t id)
{
	struct ddi_delete_key_req q = { .key_id = id };

	return call(h, OP(DELETE_KEY), sid, &ddi_delete_key_req_schema, &q,
		    &ddi_empty_schema, NULL);
}

/* AttestKey; the report is copied to report (DDI_ATTEST_REPORT_MAX bytes). */
static uint32_t attest(struct host *h, uint16_t sid, uint16_t id, const uint8_t *data,
		       size_t data_len, uint8_t *report, size_t *len)
{
	struct ddi_attest_key_req q = { .key_id = id,
					.report_data = { data, (uint16_t)data_len } };
	struct ddi_attest_key_resp r;
	uint32_t status;

	status = call(h, OP(ATTEST_KEY), sid, &ddi_attest_key_req_schema, &q,
		      &ddi_attest_key_resp_schema, &r);
	if (!status) {
		assert_true(r.report.len <= DDI_ATTEST_REPORT_MAX);
		memcpy(report, r.report.ptr, r.report.len);
		*len = r.report.len;
	}
	return status;
}

static uint16_t start(struct host *h)
{
	uint16_t sid;

	provision(h);
	assert_int_equal(open_session(h, app_pin, &sid), 0);
	return sid;
}

static void assert_same_material(struct host *h, const struct key_out *a,
				 const struct key_out *b)
{
	struct fw_bulk_key ka, kb;

	if (a->has_bulk_id) {
		assert_true(b->has_bulk_id);
		assert_true(fw_bulk_key_get(h->fw, a->bulk_id >> 3, a->bulk_id & 7, &ka));
		assert_true(fw_bulk_key_get(h->fw, b->bulk_id >> 3, b->bulk_id & 7, &kb));
		assert_int_equal(ka.type, kb.type);
		assert_memory_equal(ka.key, kb.key, sizeof(ka.key));
		return;
	}
	assert_int_not_equal(a->id, b->id);
	assert_memory_equal(fw_key_material(h->fw, a->id), fw_key_material(h->fw, b->id),
			    h->fw->tables[0].keys[a->id & 0xff].len);
}

/* Metadata of both blobs agrees; the IVs differ (fresh re-mask). */
static void assert_same_meta(const struct key_out *a, const struct key_out *b)
{
	struct ddi_masked_key_meta ma, mb;

	assert_true(ddi_masked_key_meta(a->masked, a->masked_len, &ma));
	assert_true(ddi_masked_key_meta(b->masked, b->masked_len, &mb));
	assert_int_equal(ma.key_type, mb.key_type);
	assert_memory_equal(ma.attrs.blob.ptr, mb.attrs.blob.ptr, DDI_KEY_ATTR_LEN);
	assert_int_equal(ma.has_key_tag, mb.has_key_tag);
	assert_int_equal(ma.key_tag, mb.key_tag);
	assert_int_equal(ma.key_label.len, mb.key_label.len);
	assert_memory_equal(ma.key_label.ptr, mb.key_label.ptr, ma.key_label.len);
	assert_int_equal(ma.key_length, mb.key_length);
	assert_int_equal(a->masked_len, b->masked_len);
	assert_memory_not_equal(a->masked + DDI_MASKED_HDR_LEN, b->masked + DDI_MASKED_HDR_LEN,
				16);
}

/* App keys of every family come back after their session closed. */
static void test_unmask_app_keys(void **state)
{
	static const uint32_t curves[] = { DDI_ECC_P256, DDI_ECC_P384, DDI_ECC_P521 };
	static const uint32_t aes[] = { DDI_AES_128, DDI_AES_192, DDI_AES_256,
					DDI_AES_XTS_BULK_256, DDI_AES_GCM_BULK_256 };
	struct host *h = *state;
	struct key_out orig[8], back;
	uint16_t sid = start(h), sid2;
	size_t i, n = 0;

	for (i = 0; i < 3; i++)
		assert_int_equal(ecc_gen(h, sid, curves[i], SIGN, NULL, "ecc-label",
					 &orig[n++]), 0);
	for (i = 0; i < 5; i++) {
		assert_int_equal(aes_gen(h, sid, aes[i], ENC, NULL, &orig[n]), 0);
		assert_true(ddi_masked_key_meta(orig[n].masked, orig[n].masked_len,
						&(struct ddi_masked_key_meta){ 0 }));
		n++;
	}
	assert_int_equal(close_session(h, sid), 0);
	assert_int_equal(open_session(h, app_pin, &sid2), 0);
	for (i = 0; i < n; i++) {
		assert_int_equal(unmask(h, sid2, orig[i].masked, orig[i].masked_len, &back), 0);
		assert_same_meta(&orig[i], &back);
		assert_same_material(h, &orig[i], &back);
		if (i < 3) {
			assert_int_equal(back.kind, orig[i].kind);
			assert_int_equal(back.pub_len, orig[i].pub_len);
			assert_memory_equal(back.pub, orig[i].pub, orig[i].pub_len);
		} else {
			assert_int_equal(back.pub_len, 0);
			assert_int_equal(back.has_bulk_id, i >= 6);
		}
		/* The re-masked blob unmasks again. */
		assert_int_equal(unmask(h, sid2, back.masked, back.masked_len, NULL), 0);
	}
}

/* Tags come back with the key; a live tagged key is KeyTagAlreadyExists. */
static void test_unmask_tag(void **state)
{
	struct host *h = *state;
	uint16_t sid = start(h);
	const uint16_t tag = 77;
	struct key_out o, back;
	struct ddi_open_key_resp r;
	struct ddi_open_key_req q = { .key_tag = tag };

	assert_int_equal(ecc_gen(h, sid, DDI_ECC_P256, SIGN, &tag, NULL, &o), 0);
	assert_int_equal(unmask(h, sid, o.masked, o.masked_len, NULL),
			 S(KEY_TAG_ALREADY_EXISTS));
	assert_int_equal(delete_key(h, sid, o.id), 0);
	assert_int_equal(unmask(h, sid, o.masked, o.masked_len, &back), 0);
	assert_int_equal(call(h, OP(OPEN_KEY), sid, &ddi_open_key_req_schema, &q,
			      &ddi_open_key_resp_schema, &r), 0);
	assert_int_equal(r.key_id, back.id);
}

/* Session keys: only the session whose masking key masked them. */
static void test_unmask_session_keys(void **state)
{
	struct host *h = *state;
	uint16_t a = start(h), b, c;
	struct key_out o, back;

	assert_int_equal(open_session(h, app_pin, &b), 0);
	assert_int_equal(ecc_gen(h, a, DDI_ECC_P384, SIGN | SESSION, NULL, NULL, &o), 0);
	assert_int_equal(unmask(h, a, o.masked, o.masked_len, &back), 0);
	assert_same_meta(&o, &back);
	assert_same_material(h, &o, &back);
	assert_true(h->fw->tables[0].keys[back.id & 0xff].session_scoped);
	assert_int_equal(h->fw->tables[0].keys[back.id & 0xff].session_id, a);
	assert_int_equal(unmask(h, b, o.masked, o.masked_len, NULL),
			 S(MASKED_KEY_DECODE_FAILED));
	assert_int_equal(close_session(h, a), 0);
	assert_int_equal(open_session(h, app_pin, &c), 0);
	assert_int_equal(unmask(h, c, o.masked, o.masked_len, NULL),
			 S(MASKED_KEY_DECODE_FAILED));
}

/* Every single-bit change and every truncation is MaskedKeyDecodeFailed. */
static void test_unmask_tampered(void **state)
{
	struct host *h = *state;
	uint16_t sid = start(h);
	uint8_t bad[DDI_MASKED_KEY_MAX];
	struct key_out o;
	size_t i;

	assert_int_equal(ecc_gen(h, sid, DDI_ECC_P256, SIGN, NULL, "lbl", &o), 0);
	assert_int_equal(delete_key(h, sid, o.id), 0);
	for (i = 0; i < o.masked_len; i++) {
		memcpy(bad, o.masked, o.masked_len);
		bad[i] ^= (uint8_t)(1u << (i % 8));
		assert_int_equal(unmask(h, sid, bad, o.masked_len, NULL),
				 S(MASKED_KEY_DECODE_FAILED));
	}
	for (i = 0; i < o.masked_len; i += i < 60 ? 1 : 37)
		assert_int_equal(unmask(h, sid, o.masked, i, NULL), S(MASKED_KEY_DECODE_FAILED));
	assert_int_equal(unmask(h, sid, o.masked, o.masked_len - 1, NULL),
			 S(MASKED_KEY_DECODE_FAILED));
	/* A byte more is a format error too (lengths must add up). */
	memcpy(bad, o.masked, o.masked_len);
	bad[o.masked_len] = 0;
	assert_int_equal(unmask(h, sid, bad, o.masked_len + 1, NULL),
			 S(MASKED_KEY_DECODE_FAILED));
	/* Nothing was left behind by the failures. */
	assert_int_equal(unmask(h, sid, o.masked, o.masked_len, NULL), 0);
}

/* The unwrapping key's type is refused before any verification. */
static void test_unmask_unwrapping_key(void **state)
{
	struct host *h = *state;
	uint16_t sid = start(h);
	uint8_t key[DDI_MASKING_KEY_LEN] = { 1 }, attrs[DDI_KEY_ATTR_LEN] = { 0 };
	uint8_t pt[516] = { 0 }, blob[DDI_MASKED_KEY_MAX];
	struct ddi_masked_key_meta meta = {
		.key_type = DDI_KEY_RSA_UNWRAP, .attrs.blob = { attrs, sizeof(attrs) },
		.key_length = sizeof(pt),
	};
	size_t len = ddi_mask_key(key, &meta, pt, sizeof(pt), NULL, blob, sizeof(blob));

	assert_true(len > 0);
	assert_int_equal(unmask(h, sid, blob, len, NULL),
			 S(UNMASK_UNWRAPPING_KEY_NOT_ALLOWED));
	/* A blob under a foreign key fails the HMAC. */
	meta.key_type = DDI_KEY_AES256;
	meta.key_length = 32;
	len = ddi_mask_key(key, &meta, pt, 32, NULL, blob, sizeof(blob));
	assert_int_equal(unmask(h, sid, blob, len, NULL), S(MASKED_KEY_DECODE_FAILED));
}

/* MK survives a reset: app keys come back, session keys do not. */
static void test_unmask_after_reset(void **state)
{
	struct host *h = *state;
	uint16_t sid = start(h);
	const uint16_t tag = 5;
	struct key_out app, sess, back;

	assert_int_equal(ecc_gen(h, sid, DDI_ECC_P521, SIGN, &tag, "kept", &app), 0);
	assert_int_equal(aes_gen(h, sid, DDI_AES_256, ENC | SESSION, NULL, &sess), 0);
	azihsm_fw_reset(h->fw);
	assert_int_equal(open_session(h, app_pin, &sid), 0);
	assert_int_equal(unmask(h, sid, app.masked, app.masked_len, &back), 0);
	assert_int_equal(back.pub_len, app.pub_len);
	assert_memory_equal(back.pub, app.pub, app.pub_len);
	assert_same_meta(&app, &back);
	assert_int_equal(unmask(h, sid, sess.masked, sess.masked_len, NULL),
			 S(MASKED_KEY_DECODE_FAILED));
}

/* ---- AttestKey ---- */

/* OpenSSL's own check of the COSE_Sign1 signature (7.11.4). */
static bool openssl_verify_report(EVP_PKEY *identity, const uint8_t *report, size_t len)
{
	static const uint8_t sig1_prefix[] = {
		0x84, 0x6A, 'S', 'i', 'g', 'n', 'a', 't', 'u', 'r', 'e', '1',
	};
	uint8_t tbs[1024], der[128];
	unsigned char *p = der;
	size_t payload_len, pos = 0;
	ECDSA_SIG *sig;
	EVP_MD_CTX *ctx;
	int der_len;
	bool ok;

	/* Outer layout of 7.11.1: prefix 29 bytes, payload, 58 60 sig. */
	if (len < 127 || report[26] != 0x59)
		return false;
	payload_len = (size_t)report[27] << 8 | report[28];
	if (len != 127 + payload_len || report[29 + payload_len] != 0x58 ||
	    report[30 + payload_len] != 0x60)
		return false;
	memcpy(tbs, sig1_prefix, sizeof(sig1_prefix));
	pos = sizeof(sig1_prefix);
	memcpy(tbs + pos, report + 2, 23);	/* 56 + protected header */
	pos += 23;
	tbs[pos++] = 0x40;
	memcpy(tbs + pos, report + 26, 3 + payload_len);
	pos += 3 + payload_len;

	sig = ECDSA_SIG_new();
	ECDSA_SIG_set0(sig, BN_bin2bn(report + 31 + payload_len, 48, NULL),
		       BN_bin2bn(report + 79 + payload_len, 48, NULL));
	der_len = i2d_ECDSA_SIG(sig, &p);
	ECDSA_SIG_free(sig);
	ctx = EVP_MD_CTX_new();
	ok = der_len > 0 && EVP_DigestVerifyInit(ctx, NULL, EVP_sha384(), NULL, identity) == 1 &&
	     EVP_DigestVerify(ctx, der, (size_t)der_len, tbs, pos) == 1;
	EVP_MD_CTX_free(ctx);
	return ok;
}

static void check_report(struct host *h, const uint8_t *report, size_t len,
			 const uint8_t *data, uint32_t flags, const struct key_out *o,
			 uint32_t curve)
{
	const uint8_t *payload, *sig;
	struct ddi_attest_fields f;
	uint8_t point[DDI_ECC_MAX_POINT], cose[256];
	size_t payload_len, cose_len = 0;
	const struct ddi_ecc_curve_info *c = curve ? ddi_ecc_curve(curve) : NULL;

	assert_true(openssl_verify_report(h->fw->identity_key, report, len));
	assert_true(ddi_attest_parse(report, len, &payload, &payload_len, &sig, &f));
	assert_int_equal(f.flags, flags);
	assert_memory_equal(f.app_uuid, app_id, 16);
	assert_memory_equal(f.report_data, data, 128);
	if (c) {
		ddi_ecc_raw_to_point(c, o->pub, point);
		cose_len = ddi_cose_key_ec2(c, point, cose, sizeof(cose));
		assert_int_equal(f.cose_key_len, cose_len);
		assert_memory_equal(f.cose_key, cose, cose_len);
	} else {
		assert_int_equal(f.cose_key_len, 0);
	}
	/* P = 701 + enc(size) + enc(flags) (7.11.2). */
	assert_int_equal(payload_len, 701 + (cose_len < 24 ? 1 : cose_len < 256 ? 2 : 3) +
			 (flags < 24 ? 1 : flags < 256 ? 2 : 3));
	assert_int_equal(len, 127 + payload_len);
}

static void test_attest_keys(void **state)
{
	struct host *h = *state;
	uint16_t sid = start(h);
	uint8_t data[128], report[DDI_ATTEST_REPORT_MAX];
	struct key_out ecc, aes, sess, back;
	size_t len, i;

	for (i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(0xA0 ^ i);
	assert_int_equal(ecc_gen(h, sid, DDI_ECC_P256, SIGN, NULL, NULL, &ecc), 0);
	assert_int_equal(attest(h, sid, ecc.id, data, sizeof(data), report, &len), 0);
	/* The FW's response header quirk (Appendix A #8). */
	assert_int_equal(h->hdr.op, OP(ECC_SIGN));
	check_report(h, report, len, data, 0x64, &ecc, DDI_ECC_P256);
	assert_int_equal(len, 832);

	assert_int_equal(ecc_gen(h, sid, DDI_ECC_P521, SIGN, NULL, NULL, &ecc), 0);
	assert_int_equal(attest(h, sid, ecc.id, data, sizeof(data), report, &len), 0);
	check_report(h, report, len, data, 0x64, &ecc, DDI_ECC_P521);

	/* Session AES key: generated, session, encrypt, decrypt; no public part. */
	assert_int_equal(aes_gen(h, sid, DDI_AES_256, ENC | SESSION, NULL, &aes), 0);
	assert_int_equal(attest(h, sid, aes.id, data, sizeof(data), report, &len), 0);
	check_report(h, report, len, data, 0x1E, NULL, 0);

	/* A bulk key, and an unmasked copy keeping the original flags. */
	assert_int_equal(aes_gen(h, sid, DDI_AES_GCM_BULK_256, ENC, NULL, &aes), 0);
	assert_int_equal(unmask(h, sid, aes.masked, aes.masked_len, &back), 0);
	assert_int_equal(attest(h, sid, back.id, data, sizeof(data), report, &len), 0);
	check_report(h, report, len, data, 0x1C, NULL, 0);

	/* Another session's key is InvalidPermissions; no key KeyNotFound. */
	assert_int_equal(ecc_gen(h, sid, DDI_ECC_P384, SIGN | SESSION, NULL, NULL, &sess), 0);
	{
		uint16_t other;

		assert_int_equal(open_session(h, app_pin, &other), 0);
		assert_int_equal(attest(h, other, sess.id, data, sizeof(data), report, &len),
				 S(INVALID_PERMISSIONS));
	}
	assert_int_equal(attest(h, sid, 0x0fff, data, sizeof(data), report, &len),
			 S(KEY_NOT_FOUND));
}

static void test_attest_bad_args(void **state)
{
	struct host *h = *state;
	uint16_t sid = start(h);
	uint8_t data[128] = { 0 }, report[DDI_ATTEST_REPORT_MAX];
	struct key_out o;
	size_t len;

	assert_int_equal(ecc_gen(h, sid, DDI_ECC_P384, SIGN, NULL, NULL, &o), 0);
	assert_int_equal(attest(h, sid, o.id, data, 127, report, &len), S(INVALID_ARG));
	assert_int_equal(attest(h, sid, o.id, data, 0, report, &len), S(INVALID_ARG));
	/* A tampered report no longer verifies; a good one still does. */
	assert_int_equal(attest(h, sid, o.id, data, 128, report, &len), 0);
	assert_true(openssl_verify_report(h->fw->identity_key, report, len));
	report[600] ^= 1;
	assert_false(openssl_verify_report(h->fw->identity_key, report, len));
}

/* The CBOR builder against the worked example of 7.11.5. */
static void test_attest_worked_example(void **state)
{
	static const uint8_t cose_key_want[75] = {
		0xA4, 0x01, 0x02, 0x20, 0x01, 0x21, 0x58, 0x20, 0x6B, 0x17, 0xD1, 0xF2, 0xE1,
		0x2C, 0x42, 0x47, 0xF8, 0xBC, 0xE6, 0xE5, 0x63, 0xA4, 0x40, 0xF2, 0x77, 0x03,
		0x7D, 0x81, 0x2D, 0xEB, 0x33, 0xA0, 0xF4, 0xA1, 0x39, 0x45, 0xD8, 0x98, 0xC2,
		0x96, 0x22, 0x58, 0x20, 0x4F, 0xE3, 0x42, 0xE2, 0xFE, 0x1A, 0x7F, 0x9B, 0x8E,
		0xE7, 0xEB, 0x4A, 0x7C, 0x0F, 0x9E, 0x16, 0x2B, 0xCE, 0x33, 0x57, 0x6B, 0x31,
		0x5E, 0xCE, 0xCB, 0xB6, 0x40, 0x68, 0x37, 0xBF, 0x51, 0xF5,
	};
	static const uint8_t prefix_want[29] = {
		0xD2, 0x84, 0x56, 0xA2, 0x01, 0x38, 0x22, 0x03, 0x70, 'a', 'p', 'p', 'l', 'i',
		'c', 'a', 't', 'i', 'o', 'n', '/', 'c', 'b', 'o', 'r', 0xA0, 0x59, 0x02, 0xC1,
	};
	static const uint8_t digest_want[48] = {
		0xE3, 0x47, 0x85, 0xA2, 0x30, 0x5A, 0x44, 0x3F, 0x85, 0xAB, 0x1B, 0xA9,
		0xB0, 0x6F, 0xA4, 0x4B, 0xE5, 0xE1, 0x2A, 0x45, 0xFC, 0x72, 0x82, 0x72,
		0x61, 0xC2, 0xD9, 0xA0, 0xF4, 0x69, 0x6A, 0xEC, 0x1D, 0x61, 0x82, 0xC7,
		0xB0, 0x7F, 0x64, 0xA6, 0x17, 0x1A, 0x87, 0xE6, 0x04, 0x02, 0x01, 0x18,
	};
	const struct ddi_ecc_curve_info *c = ddi_ecc_curve(DDI_ECC_P256);
	uint8_t d_le[32] = { 1 }, point[DDI_ECC_MAX_POINT], cose[128];
	uint8_t data[128], vm[16], payload[DDI_ATTEST_PAYLOAD_MAX];
	uint8_t sig[96] = { 0 }, report[DDI_ATTEST_REPORT_MAX], digest[48];
	struct ddi_attest_fields f = { 0 }, g;
	const uint8_t *pp, *sp;
	size_t cose_len, payload_len, len, plen, i;
	DDI_PKEY *k = ddi_ecc_from_private_le(c, d_le);

	(void)state;
	assert_non_null(k);
	assert_int_equal(ddi_ecc_public_point(k, c, point), 0);
	ddi_pkey_free(k);
	cose_len = ddi_cose_key_ec2(c, point, cose, sizeof(cose));
	assert_int_equal(cose_len, sizeof(cose_key_want));
	assert_memory_equal(cose, cose_key_want, cose_len);

	for (i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)i;
	memset(vm, 0x11, sizeof(vm));
	f.cose_key = cose;
	f.cose_key_len = cose_len;
	f.flags = ddi_attest_flags(DDI_KEY_ATTR_LOCAL | DDI_KEY_ATTR_SIGN |
				   DDI_KEY_ATTR_VERIFY);
	assert_int_equal(f.flags, 0x64);
	f.app_uuid = (const uint8_t *)"app-id-012345678";
	f.report_data = data;
	f.vm_launch_id = vm;
	payload_len = ddi_attest_payload(&f, payload, sizeof(payload));
	assert_int_equal(payload_len, 705);
	assert_memory_equal(payload + 0x214, "\x02\x18\x4B\x03\x18\x64\x04\x50", 8);
	assert_int_equal(ddi_attest_tbs_digest(payload, payload_len, digest), 0);
	assert_memory_equal(digest, digest_want, sizeof(digest));
	len = ddi_attest_report(payload, payload_len, sig, report, sizeof(report));
	assert_int_equal(len, 832);
	assert_memory_equal(report, prefix_want, sizeof(prefix_want));
	assert_true(ddi_attest_parse(report, len, &pp, &plen, &sp, &g));
	assert_int_equal(plen, 705);
	assert_int_equal(g.cose_key_len, 75);
	/* Too short a buffer, trailing bytes and a bad tag are refused. */
	assert_int_equal(ddi_attest_report(payload, payload_len, sig, report, 831), 0);
	assert_false(ddi_attest_parse(report, len - 1, &pp, &plen, &sp, &g));
	report[0] = 0xD1;
	assert_false(ddi_attest_parse(report, len, &pp, &plen, &sp, &g));
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, host_setup, host_teardown)
	const struct CMUnitTest tests[] = {
		T(test_unmask_app_keys),
		T(test_unmask_tag),
		T(test_unmask_session_keys),
		T(test_unmask_tampered),
		T(test_unmask_unwrapping_key),
		T(test_unmask_after_reset),
		T(test_attest_keys),
		T(test_attest_bad_args),
		cmocka_unit_test(test_attest_worked_example),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
