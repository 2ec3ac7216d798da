// SPDX-License-Identifier: MIT
/*
 * The firmware core's key vault and key operations, with the test acting
 * as the host (fw_test_util.h): EccGenerateKeyPair, EccSign,
 * AesGenerateKey, AesEncryptDecrypt, DeleteKey and OpenKey (ddi.md 3.5,
 * 3.7, 3.8), the rules of 3.5.0, key scope (6.5) and the table capacity
 * of 6.6.  Signatures and ciphertexts are checked against OpenSSL.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/evp.h>

#include "fw_test_util.h"

/* Metadata bitmaps (4.9). */
#define SIGN		(DDI_KEY_META_SIGN | DDI_KEY_META_VERIFY)
#define ENC		(DDI_KEY_META_ENCRYPT | DDI_KEY_META_DECRYPT)
#define DERIVE		DDI_KEY_META_DERIVE
#define SESSION		DDI_KEY_META_SESSION

#define ATTR(name)	DDI_KEY_ATTR_##name

/* Blocks of 6.6: 1888 per table, a session entry 15, a P-256 key 8. */
#define TABLE_BLOCKS	(15104 / 8)
#define SESSION_BLOCKS	15
#define P256_BLOCKS	8

/* Request key properties: metadata bits and an optional label. */
struct props {
	uint8_t meta[DDI_KEY_META_LEN];
	struct ddi_key_properties kp;
};

static const struct ddi_key_properties *props(struct props *p, uint16_t bits,
					      const char *label)
{
	memset(p, 0, sizeof(*p));
	p->meta[0] = (uint8_t)bits;
	p->meta[1] = (uint8_t)(bits >> 8);
	p->kp.key_metadata.blob = (struct mbor_bytes){ p->meta, sizeof(p->meta) };
	if (label)
		p->kp.key_label = (struct mbor_bytes){ (const uint8_t *)label,
						       (uint16_t)strlen(label) };
	return &p->kp;
}

/* What a key-creating response gave back. */
struct key_out {
	uint16_t id;
	uint8_t pub[2 * DDI_ECC_MAX_PKA];
	size_t pub_len;
	uint32_t pub_kind;
	bool has_bulk_id;
	uint16_t bulk_id;
	uint8_t masked[DDI_MASKED_KEY_MAX];
	size_t masked_len;
};

static void keep_masked(struct key_out *o, const struct mbor_bytes *m)
{
	assert_true(m->len > DDI_MASKED_HDR_LEN && m->len <= sizeof(o->masked));
	memcpy(o->masked, m->ptr, m->len);
	o->masked_len = m->len;
}

/* EccGenerateKeyPair; tag may be NULL. */
static uint32_t ecc_gen(struct host *h, uint16_t sid, uint32_t curve, uint16_t bits,
			const uint16_t *tag, const char *label, struct key_out *o)
{
	struct props p;
	struct ddi_ecc_generate_req q = {
		.curve = curve, .has_key_tag = tag != NULL, .key_tag = tag ? *tag : 0,
	};
	struct ddi_ecc_generate_resp r;
	uint32_t status;

	q.key_properties = *props(&p, bits, label);
	memset(o, 0, sizeof(*o));
	status = call(h, OP(ECC_GENERATE_KEY_PAIR), sid, &ddi_ecc_generate_req_schema,
		      &q, &ddi_ecc_generate_resp_schema, &r);
	if (status)
		return status;
	o->id = r.private_key_id;
	assert_true(r.has_pub_key);
	assert_true(r.pub_key.der.len <= sizeof(o->pub));
	memcpy(o->pub, r.pub_key.der.ptr, r.pub_key.der.len);
	o->pub_len = r.pub_key.der.len;
	o->pub_kind = r.pub_key.key_kind;
	keep_masked(o, &r.masked_key);
	return status;
}

static uint32_t aes_gen(struct host *h, uint16_t sid, uint32_t size, uint16_t bits,
			const uint16_t *tag, const char *label, struct key_out *o)
{
	struct props p;
	struct ddi_aes_generate_req q = {
		.key_size = size, .has_key_tag = tag != NULL, .key_tag = tag ? *tag : 0,
	};
	struct ddi_aes_generate_resp r;
	uint32_t status;

	q.key_properties = *props(&p, bits, label);
	memset(o, 0, sizeof(*o));
	status = call(h, OP(AES_GENERATE_KEY), sid, &ddi_aes_generate_req_schema, &q,
		      &ddi_aes_generate_resp_schema, &r);
	if (status)
		return status;
	o->id = r.key_id;
	o->has_bulk_id = r.has_bulk_key_id;
	o->bulk_id = r.bulk_key_id;
	keep_masked(o, &r.masked_key);
	return status;
}

/* EccSign in the physical form: digest reversed, zero-extended to 68. */
static uint32_t ecc_sign(struct host *h, uint16_t sid, uint16_t id, uint32_t algo,
			 const uint8_t *digest, size_t len, uint8_t *sig, size_t *sig_len)
{
	uint8_t wire[DDI_ECC_PHYS_DIGEST_LEN] = { 0 };
	struct ddi_ecc_sign_req q = {
		.key_id = id, .digest = { wire, sizeof(wire) }, .digest_algo = algo,
	};
	struct ddi_ecc_sign_resp r;
	uint32_t status;

	ddi_reverse(wire, digest, len);
	status = call(h, OP(ECC_SIGN), sid, &ddi_ecc_sign_req_schema, &q,
		      &ddi_ecc_sign_resp_schema, &r);
	if (!status) {
		memcpy(sig, r.signature.ptr, r.signature.len);
		*sig_len = r.signature.len;
	}
	return status;
}

static uint32_t ecc_sign_req(struct host *h, uint16_t sid,
			     const struct ddi_ecc_sign_req *q)
{
	struct ddi_ecc_sign_resp r;

	return call(h, OP(ECC_SIGN), sid, &ddi_ecc_sign_req_schema, q,
		    &ddi_ecc_sign_resp_schema, &r);
}

/* AesEncryptDecrypt; out gets the message, next_iv the chaining value. */
static uint32_t aes_cbc(struct host *h, uint16_t sid, uint16_t id, uint32_t op,
			const uint8_t *in, size_t len, const uint8_t *iv, size_t iv_len,
			uint8_t *out, uint8_t next_iv[16])
{
	struct ddi_aes_cbc_req q = {
		.key_id = id, .op = op, .msg = { in, (uint16_t)len },
		.iv = { iv, (uint16_t)iv_len },
	};
	struct ddi_aes_cbc_resp r;
	uint32_t status;

	status = call(h, OP(AES_ENCRYPT_DECRYPT), sid, &ddi_aes_cbc_req_schema, &q,
		      &ddi_aes_cbc_resp_schema, &r);
	if (status)
		return status;
	assert_int_equal(r.msg.len, len);
	assert_int_equal(r.iv.len, 16);
	memcpy(out, r.msg.ptr, len);
	memcpy(next_iv, r.iv.ptr, 16);
	return status;
}

static uint32_t delete_key(struct host *h, uint16_t sid, uint16_t id)
{
	struct ddi_delete_key_req q = { .key_id = id };

	return call(h, OP(DELETE_KEY), sid, &ddi_delete_key_req_schema, &q,
		    &ddi_empty_schema, NULL);
}

static uint32_t open_key(struct host *h, uint16_t sid, uint16_t tag,
			 struct ddi_open_key_resp *r)
{
	struct ddi_open_key_req q = { .key_tag = tag };

	memset(r, 0, sizeof(*r));
	return call(h, OP(OPEN_KEY), sid, &ddi_open_key_req_schema, &q,
		    &ddi_open_key_resp_schema, r);
}

/* DerKeyImport (test-only) of a raw AES key: the test knows its bytes. */
static uint32_t aes_import(struct host *h, uint16_t sid, const uint8_t *key, size_t len,
			   uint16_t *id)
{
	struct props p;
	struct ddi_der_import_req q = {
		.der = { key, (uint16_t)len }, .key_class = DDI_KEY_CLASS_AES,
	};
	struct ddi_der_import_resp r;
	uint32_t status;

	q.key_properties = *props(&p, ENC | SESSION, NULL);
	status = call(h, OP(DER_KEY_IMPORT), sid, &ddi_der_import_req_schema, &q,
		      &ddi_der_import_resp_schema, &r);
	if (!status)
		*id = r.key_id;
	return status;
}

/* Provisioned partition with one open session. */
static uint16_t start(struct host *h)
{
	uint16_t sid;

	provision(h);
	assert_int_equal(open_session(h, app_pin, &sid), 0);
	return sid;
}

static int setup_test_ops(void **state)
{
	return host_setup_tables(state, 1, true);
}

static int setup_two_tables(void **state)
{
	return host_setup_tables(state, 2, false);
}

/* The 32-byte attribute blob of a masked key: u64 LE flags, then zeros. */
static uint64_t masked_flags(const struct key_out *o, struct ddi_masked_key_meta *m)
{
	uint64_t flags = 0;
	int i;

	assert_true(ddi_masked_key_meta(o->masked, o->masked_len, m));
	assert_int_equal(m->attrs.blob.len, DDI_KEY_ATTR_LEN);
	for (i = 7; i >= 0; i--)
		flags = flags << 8 | m->attrs.blob.ptr[i];
	for (i = 8; i < DDI_KEY_ATTR_LEN; i++)
		assert_int_equal(m->attrs.blob.ptr[i], 0);
	return flags;
}

/* OpenSSL's ECDSA verification of a physical r_le || s_le signature. */
static bool openssl_verify(const struct ddi_ecc_curve_info *c, const uint8_t *pub_raw,
			   const uint8_t *digest, size_t len, const uint8_t *sig)
{
	ECDSA_SIG *es = ECDSA_SIG_new();
	BIGNUM *r = BN_lebin2bn(sig, (int)c->pka, NULL);
	BIGNUM *s = BN_lebin2bn(sig + c->pka, (int)c->pka, NULL);
	unsigned char *der = NULL;
	EVP_PKEY_CTX *ctx;
	DDI_PKEY *pub = NULL;
	int der_len;
	bool ok;

	assert_int_equal(ddi_ecc_from_raw(c, pub_raw, 2 * c->pka, &pub), 0);
	assert_true(es && r && s && ECDSA_SIG_set0(es, r, s));
	der_len = i2d_ECDSA_SIG(es, &der);
	assert_true(der_len > 0);
	ctx = EVP_PKEY_CTX_new(pub, NULL);
	assert_true(ctx && EVP_PKEY_verify_init(ctx) > 0);
	ok = EVP_PKEY_verify(ctx, der, (size_t)der_len, digest, len) == 1;
	EVP_PKEY_CTX_free(ctx);
	OPENSSL_free(der);
	ECDSA_SIG_free(es);
	ddi_pkey_free(pub);
	return ok;
}

/* ---- Tests ---- */

static void test_ecc_sign_all_curves(void **state)
{
	static const struct {
		uint32_t algo;
		size_t len;
	} algos[] = { { 1, 20 }, { 2, 32 }, { 3, 48 }, { 4, 64 } };
	struct host *h = *state;
	uint16_t sid = start(h);
	uint32_t curve;
	size_t i;

	for (curve = 1; curve <= 3; curve++) {
		const struct ddi_ecc_curve_info *c = ddi_ecc_curve(curve);
		struct key_out o;
		DDI_PKEY *pub = NULL;

		assert_int_equal(ecc_gen(h, sid, curve, SIGN | SESSION, NULL, NULL, &o), 0);
		assert_int_equal(o.pub_kind, c->pub_type);
		assert_int_equal(o.pub_len, 2 * c->pka);
		assert_int_equal(ddi_ecc_from_raw(c, o.pub, o.pub_len, &pub), 0);
		ddi_pkey_free(pub);

		for (i = 0; i < sizeof(algos) / sizeof(algos[0]); i++) {
			uint8_t digest[64], sig[2 * DDI_ECC_MAX_PKA];
			size_t sig_len = 0;
			uint32_t status;

			assert_int_equal(ddi_random(digest, sizeof(digest)), 0);
			status = ecc_sign(h, sid, o.id, algos[i].algo, digest, algos[i].len,
					  sig, &sig_len);
			/* Project rule: no digest longer than the curve. */
			if (algos[i].len > c->len) {
				assert_int_equal(status, S(DIGEST_HASH_MISMATCH_WITH_ECC_CURVE));
				continue;
			}
			assert_int_equal(status, 0);
			assert_int_equal(sig_len, 2 * c->pka);
			assert_true(openssl_verify(c, o.pub, digest, algos[i].len, sig));
			/* The signature is over this digest, not another. */
			digest[0] ^= 0x80;
			assert_false(openssl_verify(c, o.pub, digest, algos[i].len, sig));
		}
	}
}

static void test_ecc_sign_bad_args(void **state)
{
	struct host *h = *state;
	uint16_t sid = start(h);
	uint8_t wire[96] = { 0 };
	struct ddi_ecc_sign_req q = { .digest = { wire, 68 }, .digest_algo = 2 };
	struct key_out o;

	assert_int_equal(ecc_gen(h, sid, 2, SIGN, NULL, NULL, &o), 0);
	q.key_id = o.id;
	wire[0] = 1;
	assert_int_equal(ecc_sign_req(h, sid, &q), 0);
	/* Not exactly 68 bytes (a big-endian digest as is, or empty). */
	q.digest.len = 32;
	assert_int_equal(ecc_sign_req(h, sid, &q), S(INVALID_ARG));
	q.digest.len = 0;
	assert_int_equal(ecc_sign_req(h, sid, &q), S(INVALID_ARG));
	q.digest.len = 96;
	assert_int_equal(ecc_sign_req(h, sid, &q), S(INVALID_ARG));
	/* A byte beyond SHA-256's 32 in the little-endian form. */
	q.digest.len = 68;
	wire[32] = 1;
	assert_int_equal(ecc_sign_req(h, sid, &q), S(INVALID_ARG));
	q.digest_algo = 3;		/* SHA-384: byte 32 is part of it */
	assert_int_equal(ecc_sign_req(h, sid, &q), 0);
	q.digest_algo = 0;
	assert_int_equal(ecc_sign_req(h, sid, &q), S(INVALID_ARG));
	q.digest_algo = 5;
	assert_int_equal(ecc_sign_req(h, sid, &q), S(INVALID_ARG));
	/* Unknown curve. */
	assert_int_equal(ecc_gen(h, sid, 0, SIGN, NULL, NULL, &o), S(INVALID_ARG));
	assert_int_equal(ecc_gen(h, sid, 4, SIGN, NULL, NULL, &o), S(INVALID_ARG));
}

static void test_masked_key_metadata(void **state)
{
	static const size_t ecc_blob[] = { 308, 356, 404 };	/* 7.7.6 */
	struct host *h = *state;
	uint16_t sid = start(h);
	struct ddi_masked_key_meta m;
	const uint16_t tag = 0x1234;
	struct key_out o;
	uint32_t curve;

	/* Untagged, unlabelled keys have the sizes of 7.7.6. */
	for (curve = 1; curve <= 3; curve++) {
		const struct ddi_ecc_curve_info *c = ddi_ecc_curve(curve);

		assert_int_equal(ecc_gen(h, sid, curve, SIGN | SESSION, NULL, NULL, &o), 0);
		assert_int_equal(o.masked_len, ecc_blob[curve - 1]);
		assert_int_equal(masked_flags(&o, &m),
				 ATTR(SESSION) | ATTR(LOCAL) | ATTR(SIGN) | ATTR(VERIFY));
		assert_int_equal(m.key_type, c->priv_type);
		assert_int_equal(m.key_length, c->pka);
		assert_false(m.has_key_tag);
		assert_int_equal(m.key_label.len, 0);
		assert_true(m.has_svn && m.svn == 1);
		assert_true(m.has_bks2_index && m.bks2_index == 0);
	}

	/* App key with tag and label; derive usage. */
	assert_int_equal(ecc_gen(h, sid, 2, DERIVE, &tag, "ecdh key", &o), 0);
	assert_int_equal(masked_flags(&o, &m), ATTR(LOCAL) | ATTR(DERIVE));
	assert_true(m.has_key_tag);
	assert_int_equal(m.key_tag, tag);
	assert_int_equal(m.key_label.len, 8);
	assert_memory_equal(m.key_label.ptr, "ecdh key", 8);

	/* AES-256: 244 bytes, encrypt+decrypt, 32 bytes. */
	assert_int_equal(aes_gen(h, sid, 3, ENC, NULL, NULL, &o), 0);
	assert_int_equal(o.masked_len, 244);
	assert_false(o.has_bulk_id);
	assert_int_equal(masked_flags(&o, &m), ATTR(LOCAL) | ATTR(ENCRYPT) | ATTR(DECRYPT));
	assert_int_equal(m.key_type, DDI_KEY_AES256);
	assert_int_equal(m.key_length, 32);
	assert_int_equal(aes_gen(h, sid, 1, ENC | SESSION, NULL, "a", &o), 0);
	assert_int_equal(masked_flags(&o, &m),
			 ATTR(SESSION) | ATTR(LOCAL) | ATTR(ENCRYPT) | ATTR(DECRYPT));
	assert_int_equal(m.key_type, DDI_KEY_AES128);
	assert_int_equal(m.key_length, 16);

	/* Bulk: any valid usage, stored as encrypt+decrypt, length 2. */
	assert_int_equal(aes_gen(h, sid, 5, SIGN | SESSION, NULL, NULL, &o), 0);
	assert_true(o.has_bulk_id);
	assert_int_equal(masked_flags(&o, &m),
			 ATTR(SESSION) | ATTR(LOCAL) | ATTR(ENCRYPT) | ATTR(DECRYPT));
	assert_int_equal(m.key_type, DDI_KEY_AES_GCM_BULK256);
	assert_int_equal(m.key_length, 2);
}

static void test_usage_rules(void **state)
{
	static const uint16_t bad_ecc[] = {
		ENC, SIGN | DERIVE, DDI_KEY_META_SIGN, DDI_KEY_META_VERIFY,
		DDI_KEY_META_WRAP, DDI_KEY_META_UNWRAP,
		DDI_KEY_META_WRAP | DDI_KEY_META_UNWRAP, 0, SESSION,
	};
	struct host *h = *state;
	uint16_t sid = start(h);
	struct key_out o, derive, aes;
	uint8_t digest[32] = { 1 }, sig[DDI_ECC_MAX_PKA * 2];
	size_t sig_len, i;

	for (i = 0; i < sizeof(bad_ecc) / sizeof(bad_ecc[0]); i++)
		assert_int_equal(ecc_gen(h, sid, 1, bad_ecc[i], NULL, NULL, &o),
				 S(INVALID_PERMISSIONS));
	/* The modifiable bit does not take part. */
	assert_int_equal(ecc_gen(h, sid, 1, SIGN | DDI_KEY_META_MODIFIABLE, NULL, NULL, &o),
			 0);
	assert_int_equal(aes_gen(h, sid, 3, SIGN, NULL, NULL, &o), S(INVALID_PERMISSIONS));
	assert_int_equal(aes_gen(h, sid, 3, DERIVE, NULL, NULL, &o), S(INVALID_PERMISSIONS));
	assert_int_equal(aes_gen(h, sid, 3, ENC | SIGN, NULL, NULL, &o),
			 S(INVALID_PERMISSIONS));
	/* Bulk keys accept any valid usage, but not an invalid combination. */
	assert_int_equal(aes_gen(h, sid, 4, DERIVE, NULL, NULL, &o), 0);
	assert_int_equal(aes_gen(h, sid, 4, DDI_KEY_META_WRAP, NULL, NULL, &o),
			 S(INVALID_PERMISSIONS));
	assert_int_equal(aes_gen(h, sid, 0, ENC, NULL, NULL, &o), S(INVALID_ARG));
	assert_int_equal(aes_gen(h, sid, 7, ENC, NULL, NULL, &o), S(INVALID_ARG));

	/* A derive-only ECC key cannot sign. */
	assert_int_equal(ecc_gen(h, sid, 1, DERIVE, NULL, NULL, &derive), 0);
	assert_int_equal(ecc_sign(h, sid, derive.id, 2, digest, 32, sig, &sig_len),
			 S(INVALID_PERMISSIONS));
	/* Wrong key class comes before usage (3.5.0 order). */
	assert_int_equal(aes_gen(h, sid, 2, ENC, NULL, NULL, &aes), 0);
	assert_int_equal(ecc_sign(h, sid, aes.id, 2, digest, 32, sig, &sig_len),
			 S(INVALID_KEY_TYPE));
}

static void test_wrong_key_type(void **state)
{
	struct host *h = *state;
	uint16_t sid = start(h);
	struct key_out ecc, bulk;
	uint8_t buf[16] = { 0 }, out[16], iv[16] = { 0 };

	assert_int_equal(ecc_gen(h, sid, 3, SIGN, NULL, NULL, &ecc), 0);
	assert_int_equal(aes_cbc(h, sid, ecc.id, 1, buf, 16, iv, 16, out, iv),
			 S(INVALID_KEY_TYPE));
	assert_int_equal(aes_gen(h, sid, 6, ENC, NULL, NULL, &bulk), 0);
	assert_int_equal(aes_cbc(h, sid, bulk.id, 1, buf, 16, iv, 16, out, iv),
			 S(INVALID_KEY_TYPE));
}

static void test_tags(void **state)
{
	struct host *h = *state;
	uint16_t sid = start(h);
	const uint16_t zero = 0, tag = 7;
	struct key_out o, o2;

	assert_int_equal(ecc_gen(h, sid, 1, SIGN, &zero, NULL, &o), S(INVALID_ARG));
	assert_int_equal(aes_gen(h, sid, 1, ENC, &zero, NULL, &o), S(INVALID_ARG));
	assert_int_equal(ecc_gen(h, sid, 1, SIGN | SESSION, &tag, NULL, &o),
			 S(INVALID_ARG));
	assert_int_equal(ecc_gen(h, sid, 1, SIGN, &tag, NULL, &o), 0);
	assert_int_equal(ecc_gen(h, sid, 2, SIGN, &tag, NULL, &o2),
			 S(KEY_TAG_ALREADY_EXISTS));
	assert_int_equal(aes_gen(h, sid, 3, ENC, &tag, NULL, &o2),
			 S(KEY_TAG_ALREADY_EXISTS));
	/* Free again once the key is gone. */
	assert_int_equal(delete_key(h, sid, o.id), 0);
	assert_int_equal(aes_gen(h, sid, 3, ENC, &tag, NULL, &o2), 0);
}

static void test_open_key(void **state)
{
	struct host *h = *state;
	uint16_t sid = start(h), sid2;
	const uint16_t t_ecc = 0x100, t_aes = 0x200, t_bulk = 0x300;
	struct ddi_open_key_resp r;
	struct key_out ecc, aes, bulk;

	assert_int_equal(ecc_gen(h, sid, 3, SIGN, &t_ecc, NULL, &ecc), 0);
	assert_int_equal(aes_gen(h, sid, 2, ENC, &t_aes, NULL, &aes), 0);
	assert_int_equal(aes_gen(h, sid, 4, ENC, &t_bulk, NULL, &bulk), 0);
	assert_int_equal(open_session(h, app_pin, &sid2), 0);

	/* From another session: app keys are visible to all of them. */
	assert_int_equal(open_key(h, sid2, t_ecc, &r), 0);
	assert_int_equal(r.key_id, ecc.id);
	assert_int_equal(r.key_kind, DDI_KEY_ECC521_PRIVATE);
	assert_true(r.has_pub_key);
	assert_int_equal(r.pub_key.key_kind, DDI_KEY_ECC521_PUBLIC);
	assert_int_equal(r.pub_key.der.len, 136);
	assert_memory_equal(r.pub_key.der.ptr, ecc.pub, 136);
	assert_false(r.has_bulk_key_id);

	assert_int_equal(open_key(h, sid, t_aes, &r), 0);
	assert_int_equal(r.key_id, aes.id);
	assert_int_equal(r.key_kind, DDI_KEY_AES192);
	assert_false(r.has_pub_key);
	assert_false(r.has_bulk_key_id);

	assert_int_equal(open_key(h, sid, t_bulk, &r), 0);
	assert_int_equal(r.key_id, bulk.id);
	assert_int_equal(r.key_kind, DDI_KEY_AES_XTS_BULK256);
	assert_true(r.has_bulk_key_id);
	assert_int_equal(r.bulk_key_id, bulk.bulk_id);

	assert_int_equal(open_key(h, sid, 0, &r), S(INVALID_ARG));
	assert_int_equal(open_key(h, sid, 0x400, &r), S(KEY_NOT_FOUND));
	assert_int_equal(delete_key(h, sid2, aes.id), 0);
	assert_int_equal(open_key(h, sid, t_aes, &r), S(KEY_NOT_FOUND));
}

static void test_delete_key(void **state)
{
	struct host *h = *state;
	uint16_t sid = start(h);
	uint8_t digest[32] = { 0 }, sig[64];
	size_t sig_len;
	struct key_out o;

	assert_int_equal(ecc_gen(h, sid, 1, SIGN, NULL, NULL, &o), 0);
	assert_int_equal(ecc_sign(h, sid, o.id, 2, digest, 32, sig, &sig_len), 0);
	assert_int_equal(delete_key(h, sid, o.id), 0);
	assert_int_equal(ecc_sign(h, sid, o.id, 2, digest, 32, sig, &sig_len),
			 S(KEY_NOT_FOUND));
	assert_int_equal(delete_key(h, sid, o.id), S(KEY_NOT_FOUND));
	/* A table the partition does not have, an empty entry. */
	assert_int_equal(delete_key(h, sid, 0x0501), S(KEY_NOT_FOUND));
	assert_int_equal(delete_key(h, sid, 0x00ff), S(KEY_NOT_FOUND));
	/* Entry 0 holds the session itself: not a key. */
	assert_int_equal(delete_key(h, sid, 0x0000), S(KEY_NOT_FOUND));
	assert_int_equal(ecc_sign(h, sid, 0x0000, 2, digest, 32, sig, &sig_len),
			 S(KEY_NOT_FOUND));
	/* The id is reused for the next key. */
	assert_int_equal(aes_gen(h, sid, 1, ENC, NULL, NULL, &o), 0);
	assert_int_equal(delete_key(h, sid, o.id), 0);
}

static void test_session_scope(void **state)
{
	struct host *h = *state;
	uint16_t a = start(h), b;
	uint8_t digest[32] = { 3 }, sig[64];
	size_t sig_len;
	struct key_out sess_key, app_key;

	assert_int_equal(open_session(h, app_pin, &b), 0);
	assert_int_equal(ecc_gen(h, a, 1, SIGN | SESSION, NULL, NULL, &sess_key), 0);
	assert_int_equal(ecc_gen(h, a, 1, SIGN, NULL, NULL, &app_key), 0);

	assert_int_equal(ecc_sign(h, b, sess_key.id, 2, digest, 32, sig, &sig_len),
			 S(INVALID_PERMISSIONS));
	assert_int_equal(delete_key(h, b, sess_key.id), S(INVALID_PERMISSIONS));
	assert_int_equal(ecc_sign(h, a, sess_key.id, 2, digest, 32, sig, &sig_len), 0);
	assert_int_equal(ecc_sign(h, b, app_key.id, 2, digest, 32, sig, &sig_len), 0);

	/* Closing a drops its session keys; its app keys stay. */
	assert_int_equal(close_session(h, a), 0);
	assert_int_equal(ecc_sign(h, b, sess_key.id, 2, digest, 32, sig, &sig_len),
			 S(KEY_NOT_FOUND));
	assert_int_equal(ecc_sign(h, b, app_key.id, 2, digest, 32, sig, &sig_len), 0);

	/* So does a queue-level flush. */
	assert_int_equal(ecc_gen(h, b, 2, SIGN | SESSION, NULL, NULL, &sess_key), 0);
	{
		struct azihsm_fw_session in = {
			.flags = AZIHSM_SESS_CLOSE | AZIHSM_SESS_ID_VALID, .id = b,
		}, out;

		assert_int_equal(azihsm_fw_flush_session(h->fw, &in, &out), 0);
	}
	assert_int_equal(open_session(h, app_pin, &a), 0);
	assert_int_equal(ecc_sign(h, a, sess_key.id, 2, digest, 32, sig, &sig_len),
			 S(KEY_NOT_FOUND));
}

/* Fill the one table with P-256 keys; returns how many fitted. */
static size_t fill_p256(struct host *h, uint16_t sid, uint16_t *ids, size_t cap)
{
	struct key_out o;
	uint32_t status;
	size_t n = 0;

	while ((status = ecc_gen(h, sid, 1, SIGN, NULL, NULL, &o)) == 0) {
		assert_true(n < cap);
		ids[n++] = o.id;
	}
	assert_int_equal(status, S(NOT_ENOUGH_SPACE));
	return n;
}

static void test_vault_full(void **state)
{
	struct host *h = *state;
	uint16_t sid = start(h), sid2, sid3, ids[256], extra;
	struct key_out o;
	size_t n, i;

	/* Three sessions of 15 blocks; P-256 keys of 8 blocks in the rest. */
	assert_int_equal(open_session(h, app_pin, &sid2), 0);
	assert_int_equal(open_session(h, app_pin, &sid3), 0);
	n = fill_p256(h, sid, ids, 256);
	assert_int_equal(n, (TABLE_BLOCKS - 3 * SESSION_BLOCKS) / P256_BLOCKS);
	assert_int_equal(n, 230);
	for (i = 0; i < n; i++)
		assert_int_equal(ids[i] >> 8, 0);
	/* 3 blocks are left: an AES-128 key (6) does not fit either. */
	assert_int_equal(aes_gen(h, sid, 1, ENC, NULL, NULL, &o), S(NOT_ENOUGH_SPACE));
	/* Nor does another session's entry. */
	assert_int_equal(close_session(h, sid2), 0);
	assert_int_equal(ecc_gen(h, sid, 1, SIGN, NULL, NULL, &o), 0);
	extra = o.id;
	assert_int_equal(open_session(h, app_pin, &sid2), S(NOT_ENOUGH_SPACE));

	assert_int_equal(delete_key(h, sid, ids[10]), 0);
	assert_int_equal(ecc_gen(h, sid, 1, SIGN, NULL, NULL, &o), 0);
	assert_int_equal(o.id, ids[10]);
	/* 7 blocks after `extra` and 3 at the end: 10, but not 8 in a row. */
	assert_int_equal(ecc_gen(h, sid, 1, SIGN, NULL, NULL, &o),
			 S(DEFRAGMENTATION_NEEDED));
	/* Deleting `extra` gives back the old session's 15 blocks. */
	assert_int_equal(delete_key(h, sid, extra), 0);
	assert_int_equal(open_session(h, app_pin, &sid2), 0);
}

static void test_vault_entries(void **state)
{
	struct host *h = *state;
	uint16_t sid = start(h);
	struct key_out o;
	size_t n = 0;
	uint32_t status;

	/* AES-128 keys take 6 blocks: the 256 entries run out first. */
	while ((status = aes_gen(h, sid, 1, ENC, NULL, NULL, &o)) == 0)
		n++;
	assert_int_equal(status, S(NOT_ENOUGH_SPACE));
	assert_int_equal(n, 255);
}

static void test_vault_defragmentation(void **state)
{
	struct host *h = *state;
	uint16_t sid = start(h), ids[256];
	struct key_out o;
	size_t n;

	n = fill_p256(h, sid, ids, 256);
	assert_int_equal(n, (TABLE_BLOCKS - SESSION_BLOCKS) / P256_BLOCKS);
	/* 8 + 8 + 1 free blocks, apart: 13 for P-521 exist but not in a row. */
	assert_int_equal(delete_key(h, sid, ids[20]), 0);
	assert_int_equal(delete_key(h, sid, ids[40]), 0);
	assert_int_equal(ecc_gen(h, sid, 3, SIGN, NULL, NULL, &o),
			 S(DEFRAGMENTATION_NEEDED));
	/* More than the free blocks: plain NotEnoughSpace. */
	assert_int_equal(aes_gen(h, sid, 5, ENC, NULL, NULL, &o), 0);
	assert_int_equal(aes_gen(h, sid, 5, ENC, NULL, NULL, &o), 0);
	assert_int_equal(ecc_gen(h, sid, 3, SIGN, NULL, NULL, &o), S(NOT_ENOUGH_SPACE));
	/* A neighbour's delete joins two runs. */
	assert_int_equal(delete_key(h, sid, ids[41]), 0);
	assert_int_equal(delete_key(h, sid, ids[42]), 0);
	assert_int_equal(ecc_gen(h, sid, 3, SIGN, NULL, NULL, &o), 0);
}

static void test_bulk_keys(void **state)
{
	struct host *h = *state;
	uint16_t sid = start(h);
	struct key_out o;
	uint16_t first = 0;
	unsigned int i;

	for (i = 0; i < 7; i++) {
		assert_int_equal(aes_gen(h, sid, 4 + i % 3, ENC, NULL, NULL, &o), 0);
		assert_true(o.has_bulk_id);
		/* 4.4: slot in bits 0-2, table in bits 3-9. */
		assert_int_equal(o.bulk_id, i);
		if (!i)
			first = o.id;
	}
	/* One table: the eighth finds no slot anywhere. */
	assert_int_equal(aes_gen(h, sid, 5, ENC, NULL, NULL, &o),
			 S(REACHED_MAX_AES_BULK_KEYS));
	assert_int_equal(delete_key(h, sid, first), 0);
	assert_int_equal(aes_gen(h, sid, 5, ENC, NULL, NULL, &o), 0);
	assert_int_equal(o.bulk_id, 0);
	/* Normal AES keys are not limited by the slots. */
	assert_int_equal(aes_gen(h, sid, 3, ENC, NULL, NULL, &o), 0);
	assert_false(o.has_bulk_id);
}

static void test_bulk_keys_two_tables(void **state)
{
	struct host *h = *state;
	uint16_t sid = start(h);
	struct key_out o;
	unsigned int i;

	for (i = 0; i < 7; i++)
		assert_int_equal(aes_gen(h, sid, 5, ENC, NULL, NULL, &o), 0);
	/* The eighth goes to table 1, slot 0; plain keys still to table 0. */
	assert_int_equal(aes_gen(h, sid, 5, ENC, NULL, NULL, &o), 0);
	assert_int_equal(o.id >> 8, 1);
	assert_int_equal(o.bulk_id, 1 << 3);
	assert_int_equal(aes_gen(h, sid, 1, ENC, NULL, NULL, &o), 0);
	assert_int_equal(o.id >> 8, 0);
	for (i = 0; i < 6; i++)
		assert_int_equal(aes_gen(h, sid, 4, ENC, NULL, NULL, &o), 0);
	assert_int_equal(aes_gen(h, sid, 4, ENC, NULL, NULL, &o),
			 S(REACHED_MAX_AES_BULK_KEYS));
}

static void test_aes_cbc_vs_openssl(void **state)
{
	static const EVP_CIPHER *(*const ciphers[])(void) = {
		EVP_aes_128_cbc, EVP_aes_192_cbc, EVP_aes_256_cbc,
	};
	struct host *h = *state;
	uint16_t sid = start(h), id = 0;
	uint8_t key[32], iv[16], pt[1024], ct[1024], ref[1024], out[1024];
	uint8_t next[16], next2[16];
	size_t i;
	int n;

	assert_int_equal(ddi_random(pt, sizeof(pt)), 0);
	for (i = 0; i < 3; i++) {
		size_t key_len = 16 + 8 * i;
		EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();

		assert_int_equal(ddi_random(key, sizeof(key)), 0);
		assert_int_equal(ddi_random(iv, sizeof(iv)), 0);
		assert_int_equal(aes_import(h, sid, key, key_len, &id), 0);
		assert_true(ctx && EVP_EncryptInit_ex2(ctx, ciphers[i](), key, iv, NULL));
		EVP_CIPHER_CTX_set_padding(ctx, 0);
		assert_true(EVP_EncryptUpdate(ctx, ref, &n, pt, sizeof(pt)));
		EVP_CIPHER_CTX_free(ctx);

		/* One command, the largest message. */
		assert_int_equal(aes_cbc(h, sid, id, 1, pt, 1024, iv, 16, ct, next), 0);
		assert_memory_equal(ct, ref, 1024);
		assert_memory_equal(next, ct + 1008, 16);
		/* Two commands chained through the returned IV. */
		assert_int_equal(aes_cbc(h, sid, id, 1, pt, 48, iv, 16, out, next), 0);
		assert_int_equal(aes_cbc(h, sid, id, 1, pt + 48, 976, next, 16, out + 48,
					 next2), 0);
		assert_memory_equal(out, ref, 1024);
		assert_memory_equal(next2, ref + 1008, 16);
		/* Decrypt, also in two chained parts; next IV = last input block. */
		assert_int_equal(aes_cbc(h, sid, id, 2, ct, 512, iv, 16, out, next), 0);
		assert_memory_equal(next, ct + 496, 16);
		assert_int_equal(aes_cbc(h, sid, id, 2, ct + 512, 512, next, 16, out + 512,
					 next2), 0);
		assert_memory_equal(out, pt, 1024);
		assert_memory_equal(next2, ct + 1008, 16);
	}
}

static void test_aes_cbc_bad_args(void **state)
{
	struct host *h = *state;
	uint16_t sid = start(h);
	uint8_t buf[1040] = { 0 }, out[1040], iv[17] = { 0 }, next[16];
	struct key_out o;

	assert_int_equal(aes_gen(h, sid, 3, ENC | SESSION, NULL, NULL, &o), 0);
	assert_int_equal(aes_cbc(h, sid, o.id, 1, buf, 16, iv, 16, out, next), 0);
	assert_int_equal(aes_cbc(h, sid, o.id, 2, buf, 32, iv, 16, out, next), 0);
	assert_int_equal(aes_cbc(h, sid, o.id, 0, buf, 16, iv, 16, out, next),
			 S(INVALID_ARG));
	assert_int_equal(aes_cbc(h, sid, o.id, 3, buf, 16, iv, 16, out, next),
			 S(INVALID_ARG));
	assert_int_equal(aes_cbc(h, sid, o.id, 1, buf, 0, iv, 16, out, next),
			 S(INVALID_ARG));
	assert_int_equal(aes_cbc(h, sid, o.id, 1, buf, 15, iv, 16, out, next),
			 S(INVALID_ARG));
	assert_int_equal(aes_cbc(h, sid, o.id, 1, buf, 24, iv, 16, out, next),
			 S(INVALID_ARG));
	assert_int_equal(aes_cbc(h, sid, o.id, 1, buf, 16, iv, 15, out, next),
			 S(INVALID_ARG));
	assert_int_equal(aes_cbc(h, sid, o.id, 1, buf, 16, iv, 0, out, next),
			 S(INVALID_ARG));
	assert_int_equal(aes_cbc(h, sid, 0x0042, 1, buf, 16, iv, 16, out, next),
			 S(KEY_NOT_FOUND));
}

static void test_reset_clears_keys(void **state)
{
	struct host *h = *state;
	uint16_t sid = start(h);
	const uint16_t tag = 99;
	uint8_t digest[32] = { 0 }, sig[64];
	size_t sig_len;
	struct ddi_open_key_resp r;
	struct key_out o;

	assert_int_equal(ecc_gen(h, sid, 1, SIGN, &tag, NULL, &o), 0);
	azihsm_fw_reset(h->fw);
	/* Credentials persist, keys do not (ddi.md 9). */
	assert_int_equal(open_session(h, app_pin, &sid), 0);
	assert_int_equal(ecc_sign(h, sid, o.id, 2, digest, 32, sig, &sig_len),
			 S(KEY_NOT_FOUND));
	assert_int_equal(open_key(h, sid, tag, &r), S(KEY_NOT_FOUND));
	assert_int_equal(ecc_gen(h, sid, 1, SIGN, &tag, NULL, &o), 0);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, host_setup, host_teardown)
	const struct CMUnitTest tests[] = {
		T(test_ecc_sign_all_curves),
		T(test_ecc_sign_bad_args),
		T(test_masked_key_metadata),
		T(test_usage_rules),
		T(test_wrong_key_type),
		T(test_tags),
		T(test_open_key),
		T(test_delete_key),
		T(test_session_scope),
		T(test_vault_full),
		T(test_vault_entries),
		T(test_vault_defragmentation),
		T(test_bulk_keys),
		cmocka_unit_test_setup_teardown(test_bulk_keys_two_tables,
						setup_two_tables, host_teardown),
		cmocka_unit_test_setup_teardown(test_aes_cbc_vs_openssl,
						setup_test_ops, host_teardown),
		T(test_aes_cbc_bad_args),
		T(test_reset_clears_keys),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
