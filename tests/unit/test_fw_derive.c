// SPDX-License-Identifier: MIT
/*
 * EcdhKeyExchange, HkdfDerive, KbkdfCounterHmacDerive, Hmac and the
 * test-only DerKeyImport in the firmware core, driven through
 * azihsm_fw_execute() with encoded DDI messages, the test acting as host.
 *
 * Derived keys never leave the device, so every agreement and derivation
 * is checked end to end: the device's secret goes through HkdfDerive to an
 * HMAC key whose tag over a fixed message must equal what the host
 * computes with OpenSSL from its own view of the secret.
 *
 * The Wycheproof test replays the ECDH vectors of build/vectors (made by
 * scripts/wycheproof-ecdh.py, see tests/wycheproof/wycheproof.mk).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/x509.h>

#include "azihsm/ddi_crypto.h"
#include "azihsm/ddi_msg.h"
#include "fw_test_util.h"
#include "vector_file.h"
#include "host_kdf.h"

/* TargetKeyMetadata first byte (4.9). */
#define META_SIGN_VERIFY	(DDI_KEY_META_SIGN | DDI_KEY_META_VERIFY)
#define META_ENC_DEC		(DDI_KEY_META_ENCRYPT | DDI_KEY_META_DECRYPT)
#define META_DERIVE		DDI_KEY_META_DERIVE

static const uint8_t fixed_salt[] = "derive-test-salt";
static const uint8_t fixed_info[] = "derive-test-info";
static const uint8_t fixed_msg[] = "the message every derived HMAC key signs";

/* The masked key's metadata must say type, flags and raw length. */
static void check_masked(const struct mbor_bytes *blob, uint32_t type, uint64_t attrs,
			 uint16_t len)
{
	struct ddi_masked_key_meta meta;
	uint64_t flags = 0;
	int i;

	assert_true(ddi_masked_key_meta(blob->ptr, blob->len, &meta));
	assert_int_equal(meta.key_type, type);
	assert_int_equal(meta.key_length, len);
	for (i = 7; i >= 0; i--)
		flags = flags << 8 | meta.attrs.blob.ptr[i];
	assert_int_equal(flags, attrs);
}

/* EccGenerateKeyPair; the public key in the wire form into pub. */
static void ecc_generate(struct sess_fix *t, const struct ddi_ecc_curve_info *c,
			 uint16_t usage, uint16_t *id, uint8_t *pub)
{
	struct key_props p;
	struct ddi_ecc_generate_req req = { .curve = c->curve };
	struct ddi_ecc_generate_resp r;

	req.key_properties = *key_props(&p, usage);
	assert_int_equal(sess_fix_call(t, OP(ECC_GENERATE_KEY_PAIR), &ddi_ecc_generate_req_schema,
				       &req, &ddi_ecc_generate_resp_schema, &r), 0);
	assert_int_equal(r.pub_key.der.len, 2 * c->pka);
	memcpy(pub, r.pub_key.der.ptr, 2 * c->pka);
	*id = r.private_key_id;
}

static uint32_t ecdh(struct sess_fix *t, uint16_t priv, const uint8_t *pub, size_t pub_len,
		     uint32_t key_type, uint16_t usage, uint16_t *id,
		     struct ddi_new_key_resp *r)
{
	struct key_props p;
	struct ddi_ecdh_req req = {
		.priv_key_id = priv,
		.pub_key_der = { pub, (uint16_t)pub_len },
		.key_type = key_type,
	};
	struct ddi_new_key_resp tmp;
	uint32_t status;

	req.key_properties = *key_props(&p, usage);
	status = sess_fix_call(t, OP(ECDH_KEY_EXCHANGE), &ddi_ecdh_req_schema, &req,
			       &ddi_new_key_resp_schema, r ? r : &tmp);
	if (!status)
		*id = (r ? r : &tmp)->key_id;
	return status;
}

static uint32_t der_import(struct sess_fix *t, const uint8_t *der, size_t len, uint32_t key_class,
			   uint16_t usage, struct ddi_der_import_resp *r)
{
	struct key_props p;
	struct ddi_der_import_req req = {
		.der = { der, (uint16_t)len },
		.key_class = key_class,
	};

	req.key_properties = *key_props(&p, usage);
	return sess_fix_call(t, OP(DER_KEY_IMPORT), &ddi_der_import_req_schema, &req,
			     &ddi_der_import_resp_schema, r);
}

/* ---- Host side ---- */

static const char *hash_name(uint32_t hash)
{
	switch (hash) {
	case DDI_HASH_SHA1:
		return "SHA1";
	case DDI_HASH_SHA256:
		return "SHA256";
	case DDI_HASH_SHA384:
		return "SHA384";
	default:
		return "SHA512";
	}
}

/*
 * The device's secret `secret` (ECDH result) must be z: derive an
 * HMAC-SHA-256 key with fixed salt and info, sign fixed_msg with it and
 * compare with the host's HKDF + HMAC over z.  Deletes the HMAC key.
 */
static bool secret_matches(struct sess_fix *t, uint16_t secret, const uint8_t *z, size_t z_len)
{
	const struct fw_kdf k = {
		OP(HKDF_DERIVE), DDI_HASH_SHA256, fixed_salt, sizeof(fixed_salt),
		fixed_info, sizeof(fixed_info), DDI_KEY_HMAC_SHA256, META_SIGN_VERIFY, -1
	};
	uint8_t key[32], want[64], got[64];
	size_t got_len = 0;
	uint16_t id;

	assert_int_equal(sess_fix_derive(t, secret, &k, &id, NULL), 0);
	assert_int_equal(sess_fix_hmac(t, id, fixed_msg, sizeof(fixed_msg), got, &got_len), 0);
	assert_int_equal(sess_fix_delete_key(t, id), 0);
	host_hkdf("SHA256", fixed_salt, sizeof(fixed_salt), z, z_len, fixed_info,
		  sizeof(fixed_info), key, sizeof(key));
	assert_int_equal(host_hmac("SHA256", key, sizeof(key), fixed_msg,
				   sizeof(fixed_msg), want), 32);
	return got_len == 32 && !memcmp(got, want, 32);
}

/* PKCS#8 PrivateKeyInfo (7.8.4) of k; returns the length. */
static size_t pkcs8_der(DDI_PKEY *k, uint8_t *der, size_t cap)
{
	PKCS8_PRIV_KEY_INFO *p8 = EVP_PKEY2PKCS8(k);
	unsigned char *p = der;
	int len;

	assert_non_null(p8);
	len = i2d_PKCS8_PRIV_KEY_INFO(p8, NULL);
	assert_true(len > 0 && (size_t)len <= cap);
	assert_int_equal(i2d_PKCS8_PRIV_KEY_INFO(p8, &p), len);
	PKCS8_PRIV_KEY_INFO_free(p8);
	return (size_t)len;
}

/* Import k (ECC, PKCS#8) with the given usage; its id. */
static uint16_t import_ecc(struct sess_fix *t, DDI_PKEY *k, uint16_t usage)
{
	uint8_t der[512];
	struct ddi_der_import_resp r;

	assert_int_equal(der_import(t, der, pkcs8_der(k, der, sizeof(der)),
				    DDI_KEY_CLASS_ECC, usage, &r), 0);
	return r.key_id;
}

/* ---- Fixtures ---- */

/* Two key tables: room for the Wycheproof keys and the tests' leftovers. */
static int setup(void **state)
{
	return sess_fix_setup(state, 2, true);
}

static int setup_no_test_ops(void **state)
{
	return sess_fix_setup(state, 2, false);
}

/*
 * Agree on a secret with a new device key of curve c: the device's Secret
 * (secret key usage `usage`, response in *r if not NULL) and the host's
 * view z of it.
 */
static uint16_t make_secret_ex(struct sess_fix *t, uint8_t z[DDI_ECC_MAX_LEN],
			       const struct ddi_ecc_curve_info *c, uint16_t usage,
			       struct ddi_new_key_resp *r)
{
	uint8_t dev_pub[2 * DDI_ECC_MAX_PKA], host_pub[2 * DDI_ECC_MAX_PKA];
	DDI_PKEY *host = ddi_ecc_generate(c), *dev;
	uint16_t priv, secret;

	ecc_generate(t, c, META_DERIVE, &priv, dev_pub);
	assert_int_equal(ddi_ecc_from_raw(c, dev_pub, 2 * c->pka, &dev), 0);
	assert_int_equal(ddi_ecdh(host, dev, c, z), 0);
	assert_int_equal(ddi_ecc_public_raw(host, c, host_pub), 0);
	assert_int_equal(ecdh(t, priv, host_pub, 2 * c->pka, c->secret_type, usage, &secret,
			      r), 0);
	assert_int_equal(sess_fix_delete_key(t, priv), 0);
	ddi_pkey_free(host);
	ddi_pkey_free(dev);
	return secret;
}

static uint16_t make_secret(struct sess_fix *t, uint8_t z[DDI_ECC_MAX_LEN],
			    const struct ddi_ecc_curve_info *c)
{
	return make_secret_ex(t, z, c, META_DERIVE, NULL);
}

/* ---- ECDH ---- */

static void test_ecdh_agreement(void **state)
{
	struct sess_fix *t = *state;
	uint32_t curve;

	for (curve = DDI_ECC_P256; curve <= DDI_ECC_P521; curve++) {
		const struct ddi_ecc_curve_info *c = ddi_ecc_curve(curve);
		uint8_t z[DDI_ECC_MAX_LEN];
		struct ddi_new_key_resp r;
		uint16_t secret;

		secret = make_secret_ex(t, z, c, META_DERIVE, &r);
		/* Stored with the PKA width (P-521: 66 + 2), local + derive. */
		check_masked(&r.masked_key, c->secret_type,
			     DDI_KEY_ATTR_LOCAL | DDI_KEY_ATTR_DERIVE, (uint16_t)c->pka);
		assert_true(secret_matches(t, secret, z, c->len));
		/* Not a tautology: another secret does not match. */
		z[0] ^= 1;
		assert_false(secret_matches(t, secret, z, c->len));

		/* A session-scoped secret carries the session flag. */
		secret = make_secret_ex(t, z, c, META_DERIVE | DDI_KEY_META_SESSION, &r);
		check_masked(&r.masked_key, c->secret_type, DDI_KEY_ATTR_LOCAL |
			     DDI_KEY_ATTR_DERIVE | DDI_KEY_ATTR_SESSION, (uint16_t)c->pka);
		assert_true(secret_matches(t, secret, z, c->len));
	}
}

static void test_ecdh_invalid_peer(void **state)
{
	struct sess_fix *t = *state;
	uint32_t curve;

	for (curve = DDI_ECC_P256; curve <= DDI_ECC_P521; curve++) {
		const struct ddi_ecc_curve_info *c = ddi_ecc_curve(curve);
		uint8_t dev_pub[2 * DDI_ECC_MAX_PKA], pub[2 * DDI_ECC_MAX_PKA];
		size_t n = 2 * c->pka;
		uint16_t priv, id;

		ecc_generate(t, c, META_DERIVE, &priv, dev_pub);
		/* Too short for the curve. */
		assert_int_equal(ecdh(t, priv, dev_pub, n - 1, c->secret_type, META_DERIVE,
				      &id, NULL), S(ECC_DER_KEY_SHORTER_THAN_CURVE));
		assert_int_equal(ecdh(t, priv, dev_pub, 0, c->secret_type, META_DERIVE,
				      &id, NULL), S(ECC_DER_KEY_SHORTER_THAN_CURVE));
		/* x >= p. */
		memcpy(pub, dev_pub, n);
		memset(pub, 0xff, c->len);
		assert_int_equal(ecdh(t, priv, pub, n, c->secret_type, META_DERIVE, &id, NULL),
				 S(ECC_PUBLIC_KEY_VALIDATION_FAILED));
		/* Not on the curve. */
		memcpy(pub, dev_pub, n);
		pub[c->pka] ^= 1;
		assert_int_equal(ecdh(t, priv, pub, n, c->secret_type, META_DERIVE, &id, NULL),
				 S(ECC_POINT_VALIDATION_FAILED));
		/* The point at infinity's usual encoding (0, 0) is not on it either. */
		memset(pub, 0, n);
		assert_int_equal(ecdh(t, priv, pub, n, c->secret_type, META_DERIVE, &id, NULL),
				 S(ECC_POINT_VALIDATION_FAILED));
		/* P-521: the two padding bytes of a coordinate must be zero. */
		if (c->pka != c->len) {
			memcpy(pub, dev_pub, n);
			pub[c->pka - 1] = 1;
			assert_int_equal(ecdh(t, priv, pub, n, c->secret_type, META_DERIVE,
					      &id, NULL), S(ECC_PUBLIC_KEY_VALIDATION_FAILED));
		}
		/* Its own public key is a valid peer. */
		assert_int_equal(ecdh(t, priv, dev_pub, n, c->secret_type, META_DERIVE, &id,
				      NULL), 0);
	}
}

static void test_ecdh_key_checks(void **state)
{
	struct sess_fix *t = *state;
	const struct ddi_ecc_curve_info *c = ddi_ecc_curve(DDI_ECC_P256);
	uint8_t pub[2 * DDI_ECC_MAX_PKA], sign_pub[2 * DDI_ECC_MAX_PKA];
	uint16_t priv, sign_priv, secret, id;

	ecc_generate(t, c, META_DERIVE, &priv, pub);
	ecc_generate(t, c, META_SIGN_VERIFY, &sign_priv, sign_pub);

	/* The secret type must be the private key's curve's. */
	assert_int_equal(ecdh(t, priv, pub, 64, DDI_KEY_SECRET384, META_DERIVE, &id, NULL),
			 S(INVALID_KEY_TYPE));
	assert_int_equal(ecdh(t, priv, pub, 64, DDI_KEY_SECRET521, META_DERIVE, &id, NULL),
			 S(INVALID_KEY_TYPE));
	assert_int_equal(ecdh(t, priv, pub, 64, DDI_KEY_AES256, META_DERIVE, &id, NULL),
			 S(INVALID_KEY_TYPE));
	/* The private key needs derive usage. */
	assert_int_equal(ecdh(t, sign_priv, pub, 64, DDI_KEY_SECRET256, META_DERIVE, &id,
			      NULL), S(INVALID_PERMISSIONS));
	/* The secret can only be Derive. */
	assert_int_equal(ecdh(t, priv, pub, 64, DDI_KEY_SECRET256, META_SIGN_VERIFY, &id,
			      NULL), S(INVALID_PERMISSIONS));
	assert_int_equal(ecdh(t, priv, pub, 64, DDI_KEY_SECRET256,
			      META_DERIVE | DDI_KEY_META_SIGN, &id, NULL),
			 S(INVALID_PERMISSIONS));
	/* Only an ECC private key does ECDH. */
	assert_int_equal(ecdh(t, priv, pub, 64, DDI_KEY_SECRET256, META_DERIVE, &secret,
			      NULL), 0);
	assert_int_equal(ecdh(t, secret, pub, 64, DDI_KEY_SECRET256, META_DERIVE, &id, NULL),
			 S(INVALID_KEY_TYPE));
	assert_int_equal(sess_fix_delete_key(t, priv), 0);
	assert_int_equal(ecdh(t, priv, pub, 64, DDI_KEY_SECRET256, META_DERIVE, &id, NULL),
			 S(KEY_NOT_FOUND));
}

/* ---- HKDF, KBKDF ---- */

/* The device's HMAC tag over fixed_msg with key id. */
static size_t device_tag(struct sess_fix *t, uint16_t id, uint8_t *tag)
{
	size_t len;

	assert_int_equal(sess_fix_hmac(t, id, fixed_msg, sizeof(fixed_msg), tag, &len), 0);
	return len;
}

static void test_hkdf_salt_absent(void **state)
{
	static const uint8_t zero_salt[256];
	struct sess_fix *t = *state;
	const struct ddi_ecc_curve_info *c = ddi_ecc_curve(DDI_ECC_P521);
	const struct fw_kdf k = {
		OP(HKDF_DERIVE), DDI_HASH_SHA384, NULL, 0, NULL, 0, DDI_KEY_HMAC_SHA384,
		META_SIGN_VERIFY, -1
	};
	uint8_t z[DDI_ECC_MAX_LEN], key[48], rfc_key[48], want[64], rfc[64], got[64];
	uint16_t secret, id;

	secret = make_secret(t, z, c);
	assert_int_equal(sess_fix_derive(t, secret, &k, &id, NULL), 0);
	assert_int_equal(device_tag(t, id, got), 48);
	/* 256 zero bytes as salt, the 66 significant bytes of the secret. */
	host_hkdf("SHA384", zero_salt, sizeof(zero_salt), z, c->len, NULL, 0,
		  key, sizeof(key));
	host_hmac("SHA384", key, sizeof(key), fixed_msg, sizeof(fixed_msg), want);
	assert_memory_equal(got, want, 48);
	/* ... which is not RFC 5869's default salt. */
	host_hkdf("SHA384", NULL, 0, z, c->len, NULL, 0, rfc_key, sizeof(rfc_key));
	host_hmac("SHA384", rfc_key, sizeof(rfc_key), fixed_msg, sizeof(fixed_msg),
		  rfc);
	assert_memory_not_equal(got, rfc, 48);
}

static void test_hkdf_targets(void **state)
{
	struct sess_fix *t = *state;
	const struct ddi_ecc_curve_info *c = ddi_ecc_curve(DDI_ECC_P256);
	static const struct {
		uint32_t type, hash;
		int key_length;
		size_t len;
	} hmacs[] = {
		{ DDI_KEY_HMAC_SHA256, DDI_HASH_SHA256, -1, 32 },
		{ DDI_KEY_HMAC_SHA384, DDI_HASH_SHA384, -1, 48 },
		{ DDI_KEY_HMAC_SHA512, DDI_HASH_SHA512, -1, 64 },
		{ DDI_KEY_VAR_HMAC256, DDI_HASH_SHA256, 64, 64 },
		{ DDI_KEY_VAR_HMAC384, DDI_HASH_SHA384, 100, 100 },
		{ DDI_KEY_VAR_HMAC512, DDI_HASH_SHA512, 128, 128 },
	};
	uint8_t z[DDI_ECC_MAX_LEN], key[128], want[64], got[64];
	struct ddi_kdf_resp r;
	uint16_t secret, id;
	size_t i;

	secret = make_secret(t, z, c);
	for (i = 0; i < sizeof(hmacs) / sizeof(hmacs[0]); i++) {
		/* The KDF hash (SHA-1 here) is independent of the target's. */
		const struct fw_kdf k = {
			OP(HKDF_DERIVE), DDI_HASH_SHA1, fixed_salt, sizeof(fixed_salt),
			fixed_info, sizeof(fixed_info), hmacs[i].type, META_SIGN_VERIFY,
			hmacs[i].key_length
		};
		size_t tag_len = hmacs[i].hash == DDI_HASH_SHA256 ? 32 :
				 hmacs[i].hash == DDI_HASH_SHA384 ? 48 : 64;

		assert_int_equal(sess_fix_derive(t, secret, &k, &id, &r), 0);
		assert_false(r.has_bulk_key_id);
		check_masked(&r.masked_key, hmacs[i].type, DDI_KEY_ATTR_LOCAL |
			     DDI_KEY_ATTR_SIGN | DDI_KEY_ATTR_VERIFY, (uint16_t)hmacs[i].len);
		assert_int_equal(device_tag(t, id, got), tag_len);
		host_hkdf("SHA1", fixed_salt, sizeof(fixed_salt), z, c->len, fixed_info,
			  sizeof(fixed_info), key, hmacs[i].len);
		assert_int_equal(host_hmac(hash_name(hmacs[i].hash), key, hmacs[i].len, fixed_msg,
					   sizeof(fixed_msg), want), tag_len);
		assert_memory_equal(got, want, tag_len);
		assert_int_equal(sess_fix_delete_key(t, id), 0);
	}

	/* AES and bulk AES targets: EncryptDecrypt, bulk ones get a bulk id. */
	{
		struct fw_kdf k = {
			OP(HKDF_DERIVE), DDI_HASH_SHA256, NULL, 0, NULL, 0, DDI_KEY_AES192,
			META_ENC_DEC, -1
		};

		assert_int_equal(sess_fix_derive(t, secret, &k, &id, &r), 0);
		check_masked(&r.masked_key, DDI_KEY_AES192, DDI_KEY_ATTR_LOCAL |
			     DDI_KEY_ATTR_ENCRYPT | DDI_KEY_ATTR_DECRYPT, 24);
		k.target = DDI_KEY_AES_GCM_BULK256;
		assert_int_equal(sess_fix_derive(t, secret, &k, &id, &r), 0);
		assert_true(r.has_bulk_key_id);
		check_masked(&r.masked_key, DDI_KEY_AES_GCM_BULK256, DDI_KEY_ATTR_LOCAL |
			     DDI_KEY_ATTR_ENCRYPT | DDI_KEY_ATTR_DECRYPT, 2);
		k.usage = META_SIGN_VERIFY;
		assert_int_equal(sess_fix_derive(t, secret, &k, &id, NULL), S(INVALID_PERMISSIONS));
		k.target = DDI_KEY_AES128;
		assert_int_equal(sess_fix_derive(t, secret, &k, &id, NULL), S(INVALID_PERMISSIONS));
	}
}

static void test_hkdf_errors(void **state)
{
	struct sess_fix *t = *state;
	const struct ddi_ecc_curve_info *c = ddi_ecc_curve(DDI_ECC_P384);
	uint8_t z[DDI_ECC_MAX_LEN], pub[2 * DDI_ECC_MAX_PKA];
	struct fw_kdf k = {
		OP(HKDF_DERIVE), DDI_HASH_SHA256, NULL, 0, NULL, 0, DDI_KEY_HMAC_SHA256,
		META_DERIVE, -1
	};
	uint16_t secret, hmac_key, priv, id;

	secret = make_secret(t, z, c);
	/* An HMAC key with Derive usage is fine as a target ... */
	assert_int_equal(sess_fix_derive(t, secret, &k, &hmac_key, NULL), 0);
	/* ... but is no input: only Secrets are. */
	assert_int_equal(sess_fix_derive(t, hmac_key, &k, &id, NULL), S(INVALID_KEY_TYPE));
	ecc_generate(t, c, META_DERIVE, &priv, pub);
	assert_int_equal(sess_fix_derive(t, priv, &k, &id, NULL), S(INVALID_KEY_TYPE));
	assert_int_equal(sess_fix_derive(t, 0x0fff, &k, &id, NULL), S(KEY_NOT_FOUND));
	/* Derive with the HMAC key is not Hmac's sign usage. */
	{
		uint8_t tag[64];
		size_t len;

		assert_int_equal(sess_fix_hmac(t, hmac_key, fixed_msg, 1, tag, &len),
				 S(INVALID_PERMISSIONS));
		assert_int_equal(sess_fix_hmac(t, secret, fixed_msg, 1, tag, &len),
				 S(INVALID_KEY_TYPE));
		assert_int_equal(sess_fix_hmac(t, priv, fixed_msg, 1, tag, &len),
				 S(INVALID_KEY_TYPE));
	}

	/* Targets that are not derivable. */
	k.target = DDI_KEY_SECRET384;
	assert_int_equal(sess_fix_derive(t, secret, &k, &id, NULL), S(INVALID_KEY_TYPE));
	k.target = DDI_KEY_ECC384_PRIVATE;
	assert_int_equal(sess_fix_derive(t, secret, &k, &id, NULL), S(INVALID_KEY_TYPE));
	/* Variable-length HMAC: key_length required and in range. */
	k.target = DDI_KEY_VAR_HMAC384;
	assert_int_equal(sess_fix_derive(t, secret, &k, &id, NULL), S(INVALID_KEY_TYPE));
	k.key_length = 47;
	assert_int_equal(sess_fix_derive(t, secret, &k, &id, NULL), S(INVALID_ARG));
	k.key_length = 129;
	assert_int_equal(sess_fix_derive(t, secret, &k, &id, NULL), S(INVALID_ARG));
	k.key_length = 128;
	assert_int_equal(sess_fix_derive(t, secret, &k, &id, NULL), 0);
	/* Hash algorithm 1..4 only. */
	k.hash = 5;
	assert_int_equal(sess_fix_derive(t, secret, &k, &id, NULL), S(INVALID_ARG));
	k.hash = 0;
	assert_int_equal(sess_fix_derive(t, secret, &k, &id, NULL), S(INVALID_ARG));
	/* Unwrap is no usage for an HMAC key; neither is sign alone. */
	k.hash = DDI_HASH_SHA256;
	k.usage = DDI_KEY_META_UNWRAP;
	assert_int_equal(sess_fix_derive(t, secret, &k, &id, NULL), S(INVALID_PERMISSIONS));
	k.usage = DDI_KEY_META_SIGN;
	assert_int_equal(sess_fix_derive(t, secret, &k, &id, NULL), S(INVALID_PERMISSIONS));
}

/*
 * Production KBKDF (7.9.2): HKDF to a 32-byte KDK, then SP 800-108.  The
 * host side uses the DDI's own KBKDF-384, not OpenSSL's; label or context
 * NULL are absent, which is empty.
 */
static void check_kbkdf(struct sess_fix *t, uint16_t secret, const uint8_t *z, size_t z_len,
			const uint8_t *label, size_t label_len, const uint8_t *context,
			size_t context_len)
{
	const struct fw_kdf k = {
		OP(KBKDF_COUNTER_HMAC_DERIVE), DDI_HASH_SHA384, label, label_len,
		context, context_len, DDI_KEY_HMAC_SHA384, META_SIGN_VERIFY, -1
	};
	uint8_t kdk[32], key[48], want[64], got[64];
	uint16_t id;

	assert_int_equal(sess_fix_derive(t, secret, &k, &id, NULL), 0);
	assert_int_equal(device_tag(t, id, got), 48);
	host_hkdf("SHA384", NULL, 0, z, z_len, context, context_len, kdk,
		  sizeof(kdk));
	assert_int_equal(ddi_kbkdf_sha384(kdk, sizeof(kdk), label, label_len, context,
					  context_len, key, sizeof(key)), 0);
	host_hmac("SHA384", key, sizeof(key), fixed_msg, sizeof(fixed_msg), want);
	assert_memory_equal(got, want, 48);
	assert_int_equal(sess_fix_delete_key(t, id), 0);
}

static void test_kbkdf(void **state)
{
	struct sess_fix *t = *state;
	const struct ddi_ecc_curve_info *c = ddi_ecc_curve(DDI_ECC_P384);
	static const uint8_t label[] = "kbkdf-label", context[] = "kbkdf-context";
	uint8_t z[DDI_ECC_MAX_LEN];
	uint16_t secret;

	secret = make_secret(t, z, c);
	check_kbkdf(t, secret, z, c->len, label, sizeof(label), context, sizeof(context));
	check_kbkdf(t, secret, z, c->len, NULL, 0, NULL, 0);
	check_kbkdf(t, secret, z, c->len, label, sizeof(label), NULL, 0);
}

/* ---- Hmac ---- */

static void test_hmac_lengths(void **state)
{
	struct sess_fix *t = *state;
	const struct ddi_ecc_curve_info *c = ddi_ecc_curve(DDI_ECC_P256);
	static const uint32_t types[] = {
		DDI_KEY_HMAC_SHA256, DDI_KEY_HMAC_SHA384, DDI_KEY_HMAC_SHA512
	};
	static const uint32_t hashes[] = { DDI_HASH_SHA256, DDI_HASH_SHA384, DDI_HASH_SHA512 };
	static const size_t msg_lens[] = { 0, 1, 1024 };
	uint8_t z[DDI_ECC_MAX_LEN], key[64], msg[1024], want[64], got[64];
	uint16_t secret, id;
	size_t i, j, len;

	for (i = 0; i < sizeof(msg); i++)
		msg[i] = (uint8_t)(i * 7 + 3);
	secret = make_secret(t, z, c);
	for (i = 0; i < 3; i++) {
		const struct fw_kdf k = {
			OP(HKDF_DERIVE), hashes[i], fixed_salt, sizeof(fixed_salt), NULL, 0,
			types[i], META_SIGN_VERIFY, -1
		};
		size_t key_len = 32 + 16 * i;

		assert_int_equal(sess_fix_derive(t, secret, &k, &id, NULL), 0);
		host_hkdf(hash_name(hashes[i]), fixed_salt, sizeof(fixed_salt), z, c->len,
			  NULL, 0, key, key_len);
		for (j = 0; j < 3; j++) {
			assert_int_equal(sess_fix_hmac(t, id, msg, msg_lens[j], got, &len), 0);
			assert_int_equal(len, key_len);
			assert_int_equal(host_hmac(hash_name(hashes[i]), key, key_len, msg,
						   msg_lens[j], want), key_len);
			assert_memory_equal(got, want, len);
		}
	}
	/* An AES key is no HMAC key. */
	{
		const struct fw_kdf k = {
			OP(HKDF_DERIVE), DDI_HASH_SHA256, NULL, 0, NULL, 0, DDI_KEY_AES256,
			META_ENC_DEC, -1
		};

		assert_int_equal(sess_fix_derive(t, secret, &k, &id, NULL), 0);
		assert_int_equal(sess_fix_hmac(t, id, msg, 16, got, &len), S(INVALID_KEY_TYPE));
	}
}

/* ---- DerKeyImport ---- */

static void test_der_import_disabled(void **state)
{
	struct sess_fix *t = *state;
	uint8_t key[16] = { 0 };
	struct ddi_der_import_resp r;

	/* Like any op the core does not implement: no data decoding at all. */
	assert_int_equal(der_import(t, key, sizeof(key), DDI_KEY_CLASS_AES, META_ENC_DEC, &r),
			 S(UNSUPPORTED_CMD));
}

static void test_der_import(void **state)
{
	struct sess_fix *t = *state;
	const struct ddi_ecc_curve_info *c;
	uint8_t der[512], key[32], pub[2 * DDI_ECC_MAX_PKA];
	unsigned char *p;
	struct ddi_der_import_resp r;
	DDI_PKEY *k, *other;
	size_t len;
	int n;

	/* ECC, PKCS#8: the matching type, the public key, no local flag. */
	c = ddi_ecc_curve(DDI_ECC_P521);
	k = ddi_ecc_generate(c);
	len = pkcs8_der(k, der, sizeof(der));
	assert_int_equal(der_import(t, der, len, DDI_KEY_CLASS_ECC, META_SIGN_VERIFY, &r), 0);
	assert_int_equal(r.key_type, DDI_KEY_ECC521_PRIVATE);
	assert_true(r.has_pub_key);
	assert_int_equal(r.pub_key.key_kind, DDI_KEY_ECC521_PUBLIC);
	assert_int_equal(ddi_ecc_public_raw(k, c, pub), 0);
	assert_int_equal(r.pub_key.der.len, 136);
	assert_memory_equal(r.pub_key.der.ptr, pub, 136);
	check_masked(&r.masked_key, DDI_KEY_ECC521_PRIVATE,
		     DDI_KEY_ATTR_SIGN | DDI_KEY_ATTR_VERIFY, 68);
	/* ECC keys take SignVerify or Derive only. */
	assert_int_equal(der_import(t, der, len, DDI_KEY_CLASS_ECC, META_ENC_DEC, &r),
			 S(INVALID_PERMISSIONS));
	/* Trailing bytes, truncation. */
	der[len] = 0;
	assert_int_equal(der_import(t, der, len + 1, DDI_KEY_CLASS_ECC, META_DERIVE, &r),
			 S(DER_DECODE_FAILED));
	assert_int_equal(der_import(t, der, len - 1, DDI_KEY_CLASS_ECC, META_DERIVE, &r),
			 S(DER_DECODE_FAILED));
	assert_int_equal(der_import(t, der, 0, DDI_KEY_CLASS_ECC, META_DERIVE, &r),
			 S(DER_DECODE_FAILED));
	ddi_pkey_free(k);

	/* ECC, SEC1 ECPrivateKey with its curve. */
	c = ddi_ecc_curve(DDI_ECC_P256);
	k = ddi_ecc_generate(c);
	p = der;
	n = i2d_PrivateKey(k, &p);
	assert_true(n > 0);
	assert_int_equal(der_import(t, der, (size_t)n, DDI_KEY_CLASS_ECC, META_DERIVE, &r), 0);
	assert_int_equal(r.key_type, DDI_KEY_ECC256_PRIVATE);
	check_masked(&r.masked_key, DDI_KEY_ECC256_PRIVATE, DDI_KEY_ATTR_DERIVE, 32);
	ddi_pkey_free(k);

	/* A curve the DDI does not have; a key that is not EC. */
	other = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-224");
	assert_non_null(other);
	len = pkcs8_der(other, der, sizeof(der));
	assert_int_equal(der_import(t, der, len, DDI_KEY_CLASS_ECC, META_DERIVE, &r),
			 S(INVALID_ARG));
	EVP_PKEY_free(other);
	other = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	assert_non_null(other);
	len = pkcs8_der(other, der, sizeof(der));
	assert_int_equal(der_import(t, der, len, DDI_KEY_CLASS_ECC, META_DERIVE, &r),
			 S(DER_AND_KEY_TYPE_MISMATCH));
	EVP_PKEY_free(other);

	/* AES: raw 16/24/32 bytes, EncryptDecrypt only. */
	memset(key, 0x3c, sizeof(key));
	assert_int_equal(der_import(t, key, 24, DDI_KEY_CLASS_AES, META_ENC_DEC, &r), 0);
	assert_int_equal(r.key_type, DDI_KEY_AES192);
	assert_false(r.has_pub_key);
	check_masked(&r.masked_key, DDI_KEY_AES192,
		     DDI_KEY_ATTR_ENCRYPT | DDI_KEY_ATTR_DECRYPT, 24);
	assert_int_equal(der_import(t, key, 20, DDI_KEY_CLASS_AES, META_ENC_DEC, &r),
			 S(INVALID_ARG));
	assert_int_equal(der_import(t, key, 16, DDI_KEY_CLASS_AES, META_DERIVE, &r),
			 S(INVALID_PERMISSIONS));
	/* Bulk AES: 32 bytes into a fast-path slot. */
	assert_int_equal(der_import(t, key, 32, DDI_KEY_CLASS_AES_XTS_BULK, META_ENC_DEC,
				    &r), 0);
	assert_int_equal(r.key_type, DDI_KEY_AES_XTS_BULK256);
	assert_true(r.has_bulk_key_id);
	assert_int_equal(der_import(t, key, 16, DDI_KEY_CLASS_AES_GCM_BULK, META_ENC_DEC,
				    &r), S(INVALID_ARG));
	/* RSA is not imported yet; unknown classes are invalid. */
	assert_int_equal(der_import(t, key, 32, DDI_KEY_CLASS_RSA, META_SIGN_VERIFY, &r),
			 S(INVALID_ARG));
	assert_int_equal(der_import(t, key, 32, 0, META_ENC_DEC, &r), S(INVALID_ARG));
	assert_int_equal(der_import(t, key, 32, 8, META_ENC_DEC, &r), S(INVALID_ARG));
}

/*
 * An imported key's public half must be the one of its scalar, and the
 * scalar in [1, n-1] (7.8.4).
 */
static void test_der_import_mismatched_public(void **state)
{
	struct sess_fix *t = *state;
	const struct ddi_ecc_curve_info *c = ddi_ecc_curve(DDI_ECC_P384);
	uint8_t der[512], pt_a[DDI_ECC_MAX_POINT], pt_b[DDI_ECC_MAX_POINT];
	struct ddi_der_import_resp r;
	DDI_PKEY *a = ddi_ecc_generate(c), *b = ddi_ecc_generate(c);
	uint8_t *at;
	size_t len;

	/* Swap b's public point into a's PKCS#8 (both 97 bytes, same place). */
	len = pkcs8_der(a, der, sizeof(der));
	assert_int_equal(ddi_ecc_public_point(a, c, pt_a), 0);
	assert_int_equal(ddi_ecc_public_point(b, c, pt_b), 0);
	at = memmem(der, len, pt_a, 97);
	assert_non_null(at);
	memcpy(at, pt_b, 97);
	assert_int_equal(der_import(t, der, len, DDI_KEY_CLASS_ECC, META_DERIVE, &r),
			 S(KEY_STRUCTURAL_VALIDATION_FAILED));
	ddi_pkey_free(a);
	ddi_pkey_free(b);

	/* SEC1 P-256 keys without public key whose scalar is n, then 0. */
	{
		static const uint8_t head[] = { 0x30, 0x31, 0x02, 0x01, 0x01, 0x04, 0x20 };
		static const uint8_t n256[32] = {
			0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff,
			0xff, 0xff, 0xff, 0xff, 0xff, 0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17,
			0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51,
		};
		static const uint8_t tail[] = {
			0xa0, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07,
		};

		memcpy(der, head, sizeof(head));
		memcpy(der + sizeof(head), n256, 32);
		memcpy(der + sizeof(head) + 32, tail, sizeof(tail));
		len = sizeof(head) + 32 + sizeof(tail);
		assert_int_equal(der_import(t, der, len, DDI_KEY_CLASS_ECC, META_DERIVE, &r),
				 S(KEY_STRUCTURAL_VALIDATION_FAILED));
		memset(der + sizeof(head), 0, 32);
		assert_int_equal(der_import(t, der, len, DDI_KEY_CLASS_ECC, META_DERIVE, &r),
				 S(KEY_STRUCTURAL_VALIDATION_FAILED));
	}
}

/* ---- Host SPKI conversion (ddi/ecc_spki.c) ---- */

static size_t spki_der(EVP_PKEY *k, uint8_t *der, size_t cap)
{
	unsigned char *p = der;
	int len = i2d_PUBKEY(k, NULL);

	assert_true(len > 0 && (size_t)len <= cap);
	assert_int_equal(i2d_PUBKEY(k, &p), len);
	return (size_t)len;
}

static void test_spki_to_raw(void **state)
{
	const struct ddi_ecc_curve_info *c = ddi_ecc_curve(DDI_ECC_P521);
	uint8_t der[512], raw[2 * DDI_ECC_MAX_PKA], want[2 * DDI_ECC_MAX_PKA];
	DDI_PKEY *k = ddi_ecc_generate(c);
	EVP_PKEY *ed = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	size_t len;

	(void)state;
	assert_int_equal(ddi_ecc_public_raw(k, c, want), 0);
	len = spki_der(k, der, sizeof(der));
	assert_int_equal(ddi_ecc_spki_to_raw(c, der, len, raw), DDI_SPKI_OK);
	assert_memory_equal(raw, want, 2 * c->pka);
	/* Envelope errors, each told apart. */
	assert_int_equal(ddi_ecc_spki_to_raw(c, der, len - 1, raw), DDI_SPKI_MALFORMED);
	assert_int_equal(ddi_ecc_spki_to_raw(c, der, 0, raw), DDI_SPKI_MALFORMED);
	der[len] = 0;
	assert_int_equal(ddi_ecc_spki_to_raw(c, der, len + 1, raw), DDI_SPKI_MALFORMED);
	assert_int_equal(ddi_ecc_spki_to_raw(ddi_ecc_curve(DDI_ECC_P384), der, len, raw),
			 DDI_SPKI_WRONG_CURVE);
	/* An off-curve point passes: rejecting it is the device's job. */
	der[len - 1] ^= 1;
	assert_int_equal(ddi_ecc_spki_to_raw(c, der, len, raw), DDI_SPKI_OK);
	assert_memory_not_equal(raw, want, 2 * c->pka);
	assert_non_null(ed);
	len = spki_der(ed, der, sizeof(der));
	assert_int_equal(ddi_ecc_spki_to_raw(c, der, len, raw), DDI_SPKI_NOT_EC);
	/* Compressed: expanded when x is on the curve, refused otherwise. */
	assert_int_equal(EVP_PKEY_set_utf8_string_param(k,
			 OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT, "compressed"), 1);
	len = spki_der(k, der, sizeof(der));
	assert_true(der[len - 67] == 0x02 || der[len - 67] == 0x03);
	memset(raw, 0, sizeof(raw));
	assert_int_equal(ddi_ecc_spki_to_raw(c, der, len, raw), DDI_SPKI_OK);
	assert_memory_equal(raw, want, 2 * c->pka);
	der[len - 66] = 0x02;		/* x's top byte: 2^520 > p */
	assert_int_equal(ddi_ecc_spki_to_raw(c, der, len, raw), DDI_SPKI_BAD_POINT);
	ddi_pkey_free(k);
	EVP_PKEY_free(ed);
}

/* ---- Wycheproof ECDH ---- */

struct wp_counts {
	unsigned int valid, invalid_host, invalid_device, acc_accepted, acc_rejected;
};

/*
 * One vector: import the private key, convert the peer key on the host
 * (refusal counts as rejection), run ECDH on the device and check the
 * secret through HKDF + HMAC.  Returns true if the device accepted it.
 */
static bool wp_run(struct sess_fix *t, const struct ddi_ecc_curve_info *c, const uint8_t *spki,
		   size_t spki_len, const uint8_t *d, const uint8_t *z, size_t z_len,
		   bool *host_rejected)
{
	uint8_t raw[2 * DDI_ECC_MAX_PKA];
	DDI_PKEY *k = ddi_ecc_from_private(c, d);
	uint16_t priv, secret;
	uint32_t status;

	assert_non_null(k);
	*host_rejected = ddi_ecc_spki_to_raw(c, spki, spki_len, raw) != DDI_SPKI_OK;
	if (*host_rejected) {
		ddi_pkey_free(k);
		return false;
	}
	priv = import_ecc(t, k, META_DERIVE);
	ddi_pkey_free(k);
	status = ecdh(t, priv, raw, 2 * c->pka, c->secret_type, META_DERIVE, &secret, NULL);
	assert_int_equal(sess_fix_delete_key(t, priv), 0);
	if (status) {
		/* Only the peer-key statuses of 3.7.3 are a proper rejection. */
		assert_true(status == S(ECC_POINT_VALIDATION_FAILED) ||
			    status == S(ECC_PUBLIC_KEY_VALIDATION_FAILED) ||
			    status == S(FAILED_TO_COMPUTE_ECDH_SHARED_SECRET));
		return false;
	}
	/* Accepted: the secret must be the vector's, whatever its result. */
	assert_int_equal(z_len, c->len);
	assert_true(secret_matches(t, secret, z, z_len));
	assert_int_equal(sess_fix_delete_key(t, secret), 0);
	return true;
}

static void wp_file(struct sess_fix *t, const char *curve_name)
{
	/* Some public keys carry explicit curve parameters: 4 KiB and more. */
	static char line[32768], pub_hex[16384];
	static uint8_t spki[8192];
	char result[16], priv_hex[512], shared_hex[512];
	uint8_t d[DDI_ECC_MAX_LEN], z[DDI_ECC_MAX_LEN];
	struct wp_counts n = { 0 };
	unsigned int tests = 0, header_tests = 0;
	char name[64];
	FILE *f;

	snprintf(name, sizeof(name), "ecdh_%s.txt", curve_name);
	f = vector_file_open(name, &header_tests);
	while (fgets(line, sizeof(line), f)) {
		const struct ddi_ecc_curve_info *c;
		unsigned int id, curve;
		size_t spki_len, z_len;
		bool host_rejected, accepted;

		assert_int_equal(sscanf(line, "%u %15s %u %16383s %511s %511s", &id, result,
					&curve, pub_hex, priv_hex, shared_hex), 6);
		c = ddi_ecc_curve(curve);
		assert_non_null(c);
		spki_len = vector_hex(pub_hex, spki, sizeof(spki));
		assert_int_equal(vector_hex(priv_hex, d, sizeof(d)), c->len);
		z_len = vector_hex(shared_hex, z, sizeof(z));
		accepted = wp_run(t, c, spki, spki_len, d, z, z_len, &host_rejected);
		tests++;
		if (!strcmp(result, "valid")) {
			if (!accepted)
				fail_msg("%s tcId %u: valid vector rejected (%s)", curve_name, id,
					 host_rejected ? "host" : "device");
			n.valid++;
		} else if (!strcmp(result, "invalid")) {
			if (accepted)
				fail_msg("%s tcId %u: invalid vector accepted", curve_name, id);
			if (host_rejected)
				n.invalid_host++;
			else
				n.invalid_device++;
		} else {
			assert_string_equal(result, "acceptable");
			if (accepted)
				n.acc_accepted++;
			else
				n.acc_rejected++;
		}
	}
	fclose(f);
	assert_true(tests > 0);
	assert_int_equal(tests, header_tests);
	printf("wycheproof ecdh %s: %u tests: %u valid agreed; %u invalid rejected "
	       "(%u by the host's SPKI parser, %u by the device); %u acceptable "
	       "accepted, %u rejected\n", curve_name, tests, n.valid,
	       n.invalid_host + n.invalid_device, n.invalid_host, n.invalid_device,
	       n.acc_accepted, n.acc_rejected);
}

static void test_wycheproof_ecdh(void **state)
{
	wp_file(*state, "secp256r1");
	wp_file(*state, "secp384r1");
	wp_file(*state, "secp521r1");
}

#define T(f)		cmocka_unit_test_setup_teardown(f, setup, sess_fix_teardown)
#define T_NO_TEST(f)	cmocka_unit_test_setup_teardown(f, setup_no_test_ops, sess_fix_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_ecdh_agreement),
		T(test_ecdh_invalid_peer),
		T(test_ecdh_key_checks),
		T(test_hkdf_salt_absent),
		T(test_hkdf_targets),
		T(test_hkdf_errors),
		T(test_kbkdf),
		T(test_hmac_lengths),
		T_NO_TEST(test_der_import_disabled),
		T(test_der_import),
		T(test_der_import_mismatched_public),
		cmocka_unit_test(test_spki_to_raw),
		T(test_wycheproof_ecdh),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
