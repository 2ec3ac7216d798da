// SPDX-License-Identifier: MIT
/*
 * GetUnwrappingKey, RsaUnwrap and RsaModExp in the firmware core, driven
 * through azihsm_fw_execute() with encoded DDI messages, the test acting
 * as host: it wraps keys the way 7.8.2 says (RSA-OAEP of a KEK under the
 * unwrapping key, physical form reversed, then AES-KWP of the payload).
 *
 * The Wycheproof tests replay build/vectors/rsa_sig_2048.txt (every
 * signature must come out of RsaModExp byte for byte) and rsa_kwp.txt
 * (the device's KWP stage must accept exactly the valid wraps); see
 * scripts/wycheproof-rsa.py and tests/wycheproof/wycheproof.mk.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include "vector_file.h"
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "azihsm/ddi_crypto.h"
#include "azihsm/ddi_msg.h"
#include "fw_test_util.h"

#define META_SIGN_VERIFY	(DDI_KEY_META_SIGN | DDI_KEY_META_VERIFY)
#define META_ENC_DEC		(DDI_KEY_META_ENCRYPT | DDI_KEY_META_DECRYPT)
#define CT_LEN			DDI_RSA_UNWRAP_CT_LEN

struct fix {
	struct host *h;
	uint16_t sess;
	uint16_t unwrap_id;
	EVP_PKEY *unwrap_pub;		/* host copy of the unwrapping key */
};

struct props {
	uint8_t meta[DDI_KEY_META_LEN];
	struct ddi_key_properties kp;
};

static const struct ddi_key_properties *props(struct props *p, uint16_t bits)
{
	memset(p, 0, sizeof(*p));
	p->meta[0] = (uint8_t)bits;
	p->meta[1] = (uint8_t)(bits >> 8);
	p->kp.key_metadata.blob = (struct mbor_bytes){ p->meta, sizeof(p->meta) };
	return &p->kp;
}

static uint32_t sess_call(struct fix *t, uint32_t op, const struct mbor_schema *req_schema,
			  const void *req, const struct mbor_schema *resp_schema, void *resp)
{
	return call(t->h, op, t->sess, req_schema, req, resp_schema, resp);
}

/* An RSA public key from the raw form n_le || e_le (7.1.2). */
static EVP_PKEY *rsa_pub_from_raw(const uint8_t *raw, size_t len)
{
	size_t mlen = len - 4;
	BIGNUM *n = BN_lebin2bn(raw, (int)mlen, NULL), *e = BN_lebin2bn(raw + mlen, 4, NULL);
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
	OSSL_PARAM *params;
	EVP_PKEY *pk = NULL;

	assert_true(n && e && bld && ctx);
	assert_true(OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n));
	assert_true(OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e));
	params = OSSL_PARAM_BLD_to_param(bld);
	assert_non_null(params);
	assert_true(EVP_PKEY_fromdata_init(ctx) > 0);
	assert_true(EVP_PKEY_fromdata(ctx, &pk, EVP_PKEY_PUBLIC_KEY, params) > 0);
	OSSL_PARAM_free(params);
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_BLD_free(bld);
	BN_free(n);
	BN_free(e);
	return pk;
}

static uint32_t get_unwrapping_key(struct fix *t, struct ddi_get_unwrapping_key_resp *r)
{
	return sess_call(t, OP(GET_UNWRAPPING_KEY), &ddi_empty_schema, NULL,
			 &ddi_get_unwrapping_key_resp_schema, r);
}

static const EVP_MD *md_of(uint32_t hash)
{
	return hash == DDI_HASH_SHA1 ? EVP_sha1() : hash == DDI_HASH_SHA256 ? EVP_sha256() :
	       hash == DDI_HASH_SHA384 ? EVP_sha384() : EVP_sha512();
}

/* C_kek of 7.8.2 step 3, already in the physical (reversed) form. */
static void oaep_wrap_kek(struct fix *t, uint32_t hash, const uint8_t *kek, size_t kek_len,
			  uint8_t ct[CT_LEN])
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(t->unwrap_pub, NULL);
	uint8_t be[CT_LEN];
	size_t len = sizeof(be);

	assert_non_null(ctx);
	assert_true(EVP_PKEY_encrypt_init(ctx) > 0);
	assert_true(EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_OAEP_PADDING) > 0);
	assert_true(EVP_PKEY_CTX_set_rsa_oaep_md(ctx, md_of(hash)) > 0);
	assert_true(EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, md_of(hash)) > 0);
	assert_true(EVP_PKEY_encrypt(ctx, be, &len, kek, kek_len) > 0);
	assert_int_equal(len, CT_LEN);
	ddi_reverse(ct, be, CT_LEN);
	EVP_PKEY_CTX_free(ctx);
}

/* RFC 5649 wrap of payload under a 16/24/32-byte kek; the length. */
static size_t kwp_wrap(const uint8_t *kek, size_t kek_len, const uint8_t *payload,
		       size_t len, uint8_t *out)
{
	const EVP_CIPHER *c = kek_len == 16 ? EVP_aes_128_wrap_pad() :
			      kek_len == 24 ? EVP_aes_192_wrap_pad() : EVP_aes_256_wrap_pad();
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	int n = 0, fin = 0;

	assert_non_null(ctx);
	EVP_CIPHER_CTX_set_flags(ctx, EVP_CIPHER_CTX_FLAG_WRAP_ALLOW);
	assert_true(EVP_EncryptInit_ex(ctx, c, NULL, kek, NULL) > 0);
	assert_true(EVP_EncryptUpdate(ctx, out, &n, payload, (int)len) > 0);
	assert_true(EVP_EncryptFinal_ex(ctx, out + n, &fin) > 0);
	EVP_CIPHER_CTX_free(ctx);
	return (size_t)(n + fin);
}

/* A whole blob with a random KEK of kek_len (16/24/32). */
static size_t wrap(struct fix *t, uint32_t hash, size_t kek_len, const uint8_t *payload,
		   size_t len, uint8_t *blob)
{
	uint8_t kek[32];

	assert_true(RAND_bytes(kek, sizeof(kek)) == 1);
	oaep_wrap_kek(t, hash, kek, kek_len, blob);
	return CT_LEN + kwp_wrap(kek, kek_len, payload, len, blob + CT_LEN);
}

static uint32_t unwrap(struct fix *t, uint16_t key_id, const uint8_t *blob, size_t len,
		       uint32_t key_class, uint32_t hash, uint16_t usage,
		       struct ddi_der_import_resp *r)
{
	struct props p;
	struct ddi_rsa_unwrap_req req = {
		.key_id = key_id,
		.wrapped_blob = { blob, (uint16_t)len },
		.key_class = key_class,
		.padding = DDI_RSA_PADDING_OAEP,
		.hash_algorithm = hash,
	};
	struct ddi_der_import_resp local;

	req.key_properties = *props(&p, usage);
	return sess_call(t, OP(RSA_UNWRAP), &ddi_rsa_unwrap_req_schema, &req,
			 &ddi_der_import_resp_schema, r ? r : &local);
}

static uint32_t mod_exp(struct fix *t, uint16_t id, const uint8_t *y_le, size_t len,
			uint32_t op, uint8_t *x_le)
{
	struct ddi_rsa_mod_exp_req req = {
		.key_id = id, .y = { y_le, (uint16_t)len }, .op_type = op,
	};
	struct ddi_rsa_mod_exp_resp r;
	uint32_t status;

	status = sess_call(t, OP(RSA_MOD_EXP), &ddi_rsa_mod_exp_req_schema, &req,
			   &ddi_rsa_mod_exp_resp_schema, &r);
	if (!status) {
		assert_int_equal(r.x.len, len);
		memcpy(x_le, r.x.ptr, len);
	}
	return status;
}

static uint32_t delete_key(struct fix *t, uint16_t id)
{
	struct ddi_delete_key_req req = { .key_id = id };

	return sess_call(t, OP(DELETE_KEY), &ddi_delete_key_req_schema, &req,
			 &ddi_empty_schema, NULL);
}

static size_t pkcs8(EVP_PKEY *k, uint8_t *out, size_t cap)
{
	PKCS8_PRIV_KEY_INFO *p8 = EVP_PKEY2PKCS8(k);
	unsigned char *der = NULL;
	int len;

	assert_non_null(p8);
	len = i2d_PKCS8_PRIV_KEY_INFO(p8, &der);
	assert_true(len > 0 && (size_t)len <= cap);
	memcpy(out, der, (size_t)len);
	OPENSSL_free(der);
	PKCS8_PRIV_KEY_INFO_free(p8);
	return (size_t)len;
}

/* Import a PKCS#8 RSA key through RsaUnwrap; its id. */
static uint16_t import_der(struct fix *t, const uint8_t *der, size_t len, uint32_t key_class,
			   uint16_t usage, struct ddi_der_import_resp *r)
{
	static uint8_t blob[DDI_MASKED_KEY_MAX];
	struct ddi_der_import_resp local;

	if (!r)
		r = &local;
	assert_int_equal(unwrap(t, t->unwrap_id, blob,
				wrap(t, DDI_HASH_SHA256, 32, der, len, blob), key_class,
				DDI_HASH_SHA256, usage, r), 0);
	return r->key_id;
}

/* Host-side raw private operation of k on the big-endian y. */
static void host_raw(EVP_PKEY *k, const uint8_t *y, size_t len, uint8_t *x, bool priv)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(k, NULL);
	size_t out = len;

	assert_non_null(ctx);
	if (priv) {
		assert_true(EVP_PKEY_decrypt_init(ctx) > 0);
		assert_true(EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_NO_PADDING) > 0);
		assert_true(EVP_PKEY_decrypt(ctx, x, &out, y, len) > 0);
	} else {
		assert_true(EVP_PKEY_verify_recover_init(ctx) > 0);
		assert_true(EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_NO_PADDING) > 0);
		assert_true(EVP_PKEY_verify_recover(ctx, x, &out, y, len) > 0);
	}
	assert_int_equal(out, len);
	EVP_PKEY_CTX_free(ctx);
}

/* ---- Fixtures ---- */

static int setup(void **state)
{
	struct fix *t = calloc(1, sizeof(*t));
	struct ddi_get_unwrapping_key_resp r;
	void *h;

	if (!t || host_setup_tables(&h, 3, true)) {
		free(t);
		return -1;
	}
	t->h = h;
	*state = t;
	provision(t->h);
	assert_int_equal(open_session(t->h, app_pin, &t->sess), 0);
	assert_int_equal(get_unwrapping_key(t, &r), 0);
	t->unwrap_id = r.key_id;
	t->unwrap_pub = rsa_pub_from_raw(r.pub_key.der.ptr, r.pub_key.der.len);
	return 0;
}

static int teardown(void **state)
{
	struct fix *t = *state;
	void *h = t->h;

	EVP_PKEY_free(t->unwrap_pub);
	free(t);
	return host_teardown(&h);
}

/* ---- GetUnwrappingKey ---- */

static void test_unwrapping_key(void **state)
{
	struct fix *t = *state;
	struct ddi_get_unwrapping_key_resp r;
	struct ddi_masked_key_meta meta;
	uint8_t y[CT_LEN] = { 2 }, x[CT_LEN];

	/* The same key every time, RSA-2048 raw LE with e = 65537. */
	assert_int_equal(get_unwrapping_key(t, &r), 0);
	assert_int_equal(r.key_id, t->unwrap_id);
	assert_int_equal(r.pub_key.key_kind, DDI_KEY_RSA2K_PUBLIC);
	assert_int_equal(r.pub_key.der.len, CT_LEN + 4);
	assert_memory_equal(r.pub_key.der.ptr + CT_LEN, "\x01\x00\x01\x00", 4);
	assert_true(ddi_masked_key_meta(r.masked_key.ptr, r.masked_key.len, &meta));
	assert_int_equal(meta.key_type, DDI_KEY_RSA_UNWRAP);
	assert_int_equal(meta.key_length, 2 * CT_LEN + 4);
	assert_int_equal(meta.key_label.len, 0);
	/* Internal: not deletable, not usable by RsaModExp. */
	assert_int_equal(delete_key(t, t->unwrap_id), S(CANNOT_DELETE_INTERNAL_KEYS));
	assert_int_equal(mod_exp(t, t->unwrap_id, y, sizeof(y), DDI_RSA_OP_SIGN, x),
			 S(KEY_NOT_FOUND));
}

/* ---- RSA import and RsaModExp ---- */

static void check_rsa_import(struct fix *t, int bits, uint32_t key_class, uint32_t type)
{
	static uint8_t der[4096];
	EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)bits);
	size_t mlen = (size_t)bits / 8, i;
	uint8_t y[512], y_le[512], x[512], x_le[512], pub[516];
	struct ddi_der_import_resp r;
	struct ddi_masked_key_meta meta;
	BIGNUM *n = NULL;
	uint16_t sign_id, dec_id;

	assert_non_null(k);
	sign_id = import_der(t, der, pkcs8(k, der, sizeof(der)), key_class, META_SIGN_VERIFY,
			     &r);
	assert_int_equal(r.key_type, type);
	assert_true(r.has_pub_key);
	assert_int_equal(r.pub_key.key_kind, DDI_KEY_RSA2K_PUBLIC + (uint32_t)(bits / 1024 - 2));
	/* The public key is n_le || e_le of the imported key. */
	assert_true(EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_RSA_N, &n));
	assert_true(BN_bn2lebinpad(n, pub, (int)mlen) == (int)mlen);
	assert_int_equal(r.pub_key.der.len, mlen + 4);
	assert_memory_equal(r.pub_key.der.ptr, pub, mlen);
	/* Imported: no local flag; the raw size of 4.1. */
	assert_true(ddi_masked_key_meta(r.masked_key.ptr, r.masked_key.len, &meta));
	assert_int_equal(meta.key_type, type);
	assert_int_equal(meta.key_length, key_class == DDI_KEY_CLASS_RSA_CRT ? 5 * mlen + 4 :
					  2 * mlen + 4);
	assert_int_equal(meta.attrs.blob.ptr[0] & DDI_KEY_ATTR_LOCAL, 0);

	/* A random y < n: the device's y^d equals the host's. */
	assert_int_equal(RAND_bytes(y, (int)mlen), 1);
	y[0] &= 0x3f;
	ddi_reverse(y_le, y, mlen);
	host_raw(k, y, mlen, x, true);
	assert_int_equal(mod_exp(t, sign_id, y_le, mlen, DDI_RSA_OP_SIGN, x_le), 0);
	ddi_reverse(y, x_le, mlen);
	assert_memory_equal(y, x, mlen);
	/* Usage: a signing key does not decrypt. */
	assert_int_equal(mod_exp(t, sign_id, y_le, mlen, DDI_RSA_OP_DECRYPT, x_le),
			 S(INVALID_PERMISSIONS));
	dec_id = import_der(t, der, pkcs8(k, der, sizeof(der)), key_class, META_ENC_DEC, NULL);
	assert_int_equal(mod_exp(t, dec_id, y_le, mlen, DDI_RSA_OP_DECRYPT, x_le), 0);
	assert_int_equal(mod_exp(t, dec_id, y_le, mlen, DDI_RSA_OP_SIGN, x_le),
			 S(INVALID_PERMISSIONS));
	/* Range and length: y = 0, 1, n - 1, n, a byte short, bad op. */
	memset(y_le, 0, mlen);
	assert_int_equal(mod_exp(t, dec_id, y_le, mlen, DDI_RSA_OP_DECRYPT, x_le),
			 S(INVALID_ARG));
	y_le[0] = 1;
	assert_int_equal(mod_exp(t, dec_id, y_le, mlen, DDI_RSA_OP_DECRYPT, x_le),
			 S(INVALID_ARG));
	memcpy(y_le, pub, mlen);
	assert_int_equal(mod_exp(t, dec_id, y_le, mlen, DDI_RSA_OP_DECRYPT, x_le),
			 S(INVALID_ARG));
	y_le[0]--;
	assert_int_equal(mod_exp(t, dec_id, y_le, mlen, DDI_RSA_OP_DECRYPT, x_le),
			 S(INVALID_ARG));
	y_le[0]--;
	assert_int_equal(mod_exp(t, dec_id, y_le, mlen, DDI_RSA_OP_DECRYPT, x_le), 0);
	assert_int_equal(mod_exp(t, dec_id, y_le, mlen - 1, DDI_RSA_OP_DECRYPT, x_le),
			 S(INVALID_ARG));
	assert_int_equal(mod_exp(t, dec_id, y_le, mlen, 3, x_le), S(INVALID_ARG));
	for (i = 0; i < 2; i++)
		assert_int_equal(delete_key(t, i ? dec_id : sign_id), 0);
	BN_free(n);
	EVP_PKEY_free(k);
}

static void test_rsa_import(void **state)
{
	check_rsa_import(*state, 2048, DDI_KEY_CLASS_RSA, DDI_KEY_RSA2K_PRIVATE);
	check_rsa_import(*state, 2048, DDI_KEY_CLASS_RSA_CRT, DDI_KEY_RSA2K_PRIVATE_CRT);
	check_rsa_import(*state, 3072, DDI_KEY_CLASS_RSA_CRT, DDI_KEY_RSA3K_PRIVATE_CRT);
	check_rsa_import(*state, 4096, DDI_KEY_CLASS_RSA, DDI_KEY_RSA4K_PRIVATE);
}

/* ---- ECC and AES payloads ---- */

static void test_unwrap_ecc_aes(void **state)
{
	struct fix *t = *state;
	static uint8_t der[512];
	EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	uint8_t aes[32] = { 1, 2, 3 };
	struct ddi_der_import_resp r;

	assert_non_null(k);
	import_der(t, der, pkcs8(k, der, sizeof(der)), DDI_KEY_CLASS_ECC, META_SIGN_VERIFY, &r);
	assert_int_equal(r.key_type, DDI_KEY_ECC256_PRIVATE);
	assert_int_equal(r.pub_key.der.len, 64);
	import_der(t, aes, 16, DDI_KEY_CLASS_AES, META_ENC_DEC, &r);
	assert_int_equal(r.key_type, DDI_KEY_AES128);
	import_der(t, aes, 32, DDI_KEY_CLASS_AES_GCM_BULK, META_ENC_DEC, &r);
	assert_int_equal(r.key_type, DDI_KEY_AES_GCM_BULK256);
	assert_true(r.has_bulk_key_id);
	EVP_PKEY_free(k);
}

/* ---- Error paths ---- */

static void test_unwrap_errors(void **state)
{
	struct fix *t = *state;
	static uint8_t blob[DDI_MASKED_KEY_MAX], der[4096];
	uint8_t kek[40], aes[32] = { 0 };
	EVP_PKEY *ec = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	struct ddi_der_import_resp r;
	struct props p;
	struct ddi_rsa_unwrap_req req = { .key_id = t->unwrap_id };
	size_t len;

	assert_non_null(ec);
	len = wrap(t, DDI_HASH_SHA256, 32, aes, sizeof(aes), blob);
	/* Unwrapping key: only the internal one; a user key is the wrong type. */
	assert_int_equal(unwrap(t, 0x7fff, blob, len, DDI_KEY_CLASS_AES, DDI_HASH_SHA256,
				META_ENC_DEC, NULL), S(KEY_NOT_FOUND));
	import_der(t, aes, sizeof(aes), DDI_KEY_CLASS_AES, META_ENC_DEC, &r);
	assert_int_equal(unwrap(t, r.key_id, blob, len, DDI_KEY_CLASS_AES, DDI_HASH_SHA256,
				META_ENC_DEC, NULL), S(INVALID_KEY_TYPE));
	/* Class, usage, padding, hash. */
	assert_int_equal(unwrap(t, t->unwrap_id, blob, len, 8, DDI_HASH_SHA256, META_ENC_DEC,
				NULL), S(INVALID_KEY_TYPE));
	assert_int_equal(unwrap(t, t->unwrap_id, blob, len, DDI_KEY_CLASS_AES, DDI_HASH_SHA256,
				META_SIGN_VERIFY, NULL), S(INVALID_PERMISSIONS));
	assert_int_equal(unwrap(t, t->unwrap_id, blob, len, DDI_KEY_CLASS_AES, 5, META_ENC_DEC,
				NULL), S(INVALID_ARG));
	req.wrapped_blob = (struct mbor_bytes){ blob, (uint16_t)len };
	req.key_class = DDI_KEY_CLASS_AES;
	req.padding = 2;
	req.hash_algorithm = DDI_HASH_SHA256;
	req.key_properties = *props(&p, META_ENC_DEC);
	assert_int_equal(sess_call(t, OP(RSA_UNWRAP), &ddi_rsa_unwrap_req_schema, &req,
				   &ddi_der_import_resp_schema, &r), S(INVALID_ARG));
	/* OAEP with another hash than declared. */
	assert_int_equal(unwrap(t, t->unwrap_id, blob, len, DDI_KEY_CLASS_AES, DDI_HASH_SHA384,
				META_ENC_DEC, NULL), S(RSA_UNWRAP_OAEP_DECODE_FAILED));
	/* Truncated blobs: into the RSA part, and a KWP part of 8 bytes. */
	assert_int_equal(unwrap(t, t->unwrap_id, blob, CT_LEN + 8, DDI_KEY_CLASS_AES,
				DDI_HASH_SHA256, META_ENC_DEC, NULL), S(INVALID_ARG));
	assert_int_equal(unwrap(t, t->unwrap_id, blob, 100, DDI_KEY_CLASS_AES,
				DDI_HASH_SHA256, META_ENC_DEC, NULL), S(INVALID_ARG));
	assert_int_equal(unwrap(t, t->unwrap_id, blob, len - 8, DDI_KEY_CLASS_AES,
				DDI_HASH_SHA256, META_ENC_DEC, NULL),
			 S(RSA_UNWRAP_AES_UNWRAP_FAILED));
	/* Corrupted KWP part, corrupted RSA part. */
	blob[len - 1] ^= 1;
	assert_int_equal(unwrap(t, t->unwrap_id, blob, len, DDI_KEY_CLASS_AES,
				DDI_HASH_SHA256, META_ENC_DEC, NULL),
			 S(RSA_UNWRAP_AES_UNWRAP_FAILED));
	blob[len - 1] ^= 1;
	blob[CT_LEN / 2] ^= 1;
	assert_int_equal(unwrap(t, t->unwrap_id, blob, len, DDI_KEY_CLASS_AES,
				DDI_HASH_SHA256, META_ENC_DEC, NULL),
			 S(RSA_UNWRAP_OAEP_DECODE_FAILED));
	/* Ciphertext not below n - 1 (the physical form's last byte is the top). */
	memset(blob, 0xff, CT_LEN);
	assert_int_equal(unwrap(t, t->unwrap_id, blob, len, DDI_KEY_CLASS_AES,
				DDI_HASH_SHA256, META_ENC_DEC, NULL), S(INVALID_ARG));
	/* KEK of 40 bytes, then of 20 (valid OAEP, no AES key). */
	assert_int_equal(RAND_bytes(kek, sizeof(kek)), 1);
	oaep_wrap_kek(t, DDI_HASH_SHA256, kek, 40, blob);
	assert_int_equal(unwrap(t, t->unwrap_id, blob, len, DDI_KEY_CLASS_AES,
				DDI_HASH_SHA256, META_ENC_DEC, NULL), S(RSA_UNWRAP_INVALID_KEK));
	oaep_wrap_kek(t, DDI_HASH_SHA256, kek, 20, blob);
	assert_int_equal(unwrap(t, t->unwrap_id, blob, len, DDI_KEY_CLASS_AES,
				DDI_HASH_SHA256, META_ENC_DEC, NULL),
			 S(RSA_UNWRAP_AES_UNWRAP_FAILED));
	/* Payloads: AES of 20 bytes, an EC key as RSA, garbage DER. */
	len = wrap(t, DDI_HASH_SHA1, 16, aes, 20, blob);
	assert_int_equal(unwrap(t, t->unwrap_id, blob, len, DDI_KEY_CLASS_AES, DDI_HASH_SHA1,
				META_ENC_DEC, NULL), S(INVALID_ARG));
	len = wrap(t, DDI_HASH_SHA512, 24, der, pkcs8(ec, der, sizeof(der)), blob);
	assert_int_equal(unwrap(t, t->unwrap_id, blob, len, DDI_KEY_CLASS_RSA, DDI_HASH_SHA512,
				META_SIGN_VERIFY, NULL), S(DER_DECODE_FAILED));
	len = wrap(t, DDI_HASH_SHA256, 32, aes, sizeof(aes), blob);
	assert_int_equal(unwrap(t, t->unwrap_id, blob, len, DDI_KEY_CLASS_RSA_CRT,
				DDI_HASH_SHA256, META_ENC_DEC, NULL), S(DER_DECODE_FAILED));
	/* RSA keys take SignVerify or EncryptDecrypt only. */
	assert_int_equal(unwrap(t, t->unwrap_id, blob, len, DDI_KEY_CLASS_RSA, DDI_HASH_SHA256,
				DDI_KEY_META_DERIVE, NULL), S(INVALID_PERMISSIONS));
	/* RsaModExp on a non-RSA key. */
	assert_int_equal(mod_exp(t, r.key_id, blob, CT_LEN, DDI_RSA_OP_DECRYPT, der),
			 S(INVALID_KEY_TYPE));
	EVP_PKEY_free(ec);
}

/* ---- Wycheproof ---- */

/*
 * Every signature of the file: the device's RsaModExp(Sign) of the
 * encoded message (recovered from the signature with the public key) must
 * be the vector's signature byte for byte (PKCS#1 v1.5 is deterministic).
 */
static void test_wycheproof_sig(void **state)
{
	struct fix *t = *state;
	static char line[8192], a[4096], b[4096];
	static uint8_t der[2048], sig[256], em[256], le[256], x[256];
	static uint8_t blob[DDI_MASKED_KEY_MAX];
	unsigned int header, tests = 0, id, hash, unbalanced = 0;
	struct ddi_der_import_resp r;
	char result[16];
	EVP_PKEY *k = NULL;
	uint16_t key_id = 0;
	FILE *f = vector_file_open("rsa_sig_2048.txt", &header);

	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "key %4095s", a) == 1) {
			const unsigned char *p = der;
			size_t len = vector_hex(a, der, sizeof(der));

			if (k)
				assert_int_equal(delete_key(t, key_id), 0);
			EVP_PKEY_free(k);
			k = d2i_AutoPrivateKey(NULL, &p, (long)len);
			assert_non_null(k);
			/*
			 * CRT form when p and q are half the modulus each; the
			 * vectors' unbalanced-prime keys only have the other.
			 */
			if (unwrap(t, t->unwrap_id, blob,
				   wrap(t, DDI_HASH_SHA256, 32, der, len, blob),
				   DDI_KEY_CLASS_RSA_CRT, DDI_HASH_SHA256, META_SIGN_VERIFY,
				   &r) == S(INVALID_ARG)) {
				unbalanced++;
				r.key_id = import_der(t, der, len, DDI_KEY_CLASS_RSA,
						      META_SIGN_VERIFY, NULL);
			}
			key_id = r.key_id;
			continue;
		}
		assert_int_equal(sscanf(line, "%u %15s %u %4095s %4095s", &id, result, &hash, a,
					b), 5);
		tests++;
		assert_int_equal(vector_hex(b, sig, sizeof(sig)), sizeof(sig));
		host_raw(k, sig, sizeof(sig), em, false);
		ddi_reverse(le, em, sizeof(em));
		assert_int_equal(mod_exp(t, key_id, le, sizeof(le), DDI_RSA_OP_SIGN, x), 0);
		ddi_reverse(em, x, sizeof(x));
		if (memcmp(em, sig, sizeof(sig)))
			fail_msg("rsa sig tcId %u: signature differs", id);
	}
	fclose(f);
	EVP_PKEY_free(k);
	assert_true(tests > 0);
	assert_int_equal(tests, header);
	assert_true(unbalanced > 0);
	printf("wycheproof rsa pkcs1 2048 sig: %u signatures reproduced (%u keys non-CRT "
	       "only)\n", tests, unbalanced);
}

/*
 * AES-KWP: each vector's key as the KEK (OAEP under the unwrapping key)
 * and its ct as the KWP part of an AES-class blob.  Valid wraps of 16, 24
 * or 32 bytes import; other valid ones fail on the payload length
 * (InvalidArg); invalid ones fail in the KWP stage.
 */
static void test_wycheproof_kwp(void **state)
{
	struct fix *t = *state;
	static char line[2048], k_hex[128], m_hex[1024], c_hex[1024];
	static uint8_t blob[DDI_MASKED_KEY_MAX];
	uint8_t kek[32], msg[512];
	unsigned int header, tests = 0, id, valid = 0, invalid = 0;
	char result[16];
	FILE *f = vector_file_open("rsa_kwp.txt", &header);

	while (fgets(line, sizeof(line), f)) {
		struct ddi_der_import_resp r;
		size_t kek_len, msg_len, ct_len;
		uint32_t status;

		assert_int_equal(sscanf(line, "%u %15s %127s %1023s %1023s", &id, result, k_hex,
					m_hex, c_hex), 5);
		tests++;
		kek_len = vector_hex(k_hex, kek, sizeof(kek));
		msg_len = vector_hex(m_hex, msg, sizeof(msg));
		ct_len = vector_hex(c_hex, blob + CT_LEN, sizeof(blob) - CT_LEN);
		oaep_wrap_kek(t, DDI_HASH_SHA256, kek, kek_len, blob);
		status = unwrap(t, t->unwrap_id, blob, CT_LEN + ct_len, DDI_KEY_CLASS_AES,
				DDI_HASH_SHA256, META_ENC_DEC, &r);
		if (!strcmp(result, "invalid")) {
			/* A KWP part under 16 bytes is refused before unwrapping. */
			if (status != S(RSA_UNWRAP_AES_UNWRAP_FAILED) &&
			    !(ct_len < 16 && status == S(INVALID_ARG)))
				fail_msg("kwp tcId %u: invalid wrap gave %#x", id, status);
			invalid++;
			continue;
		}
		valid++;
		if (msg_len == 16 || msg_len == 24 || msg_len == 32) {
			if (status)
				fail_msg("kwp tcId %u: valid wrap gave %#x", id, status);
			assert_int_equal(delete_key(t, r.key_id), 0);
		} else if (status != S(INVALID_ARG)) {
			fail_msg("kwp tcId %u: %zu-byte payload gave %#x", id, msg_len, status);
		}
	}
	fclose(f);
	assert_int_equal(tests, header);
	assert_true(valid > 0 && invalid > 0);
	printf("wycheproof aes kwp: %u valid unwrapped, %u invalid rejected\n", valid, invalid);
}

#define T(f)	cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_unwrapping_key),
		T(test_rsa_import),
		T(test_unwrap_ecc_aes),
		T(test_unwrap_errors),
		T(test_wycheproof_sig),
		T(test_wycheproof_kwp),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
