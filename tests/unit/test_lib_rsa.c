// SPDX-License-Identifier: MIT
/*
 * libazihsm's RSA and key import API against the in-process emulator
 * (libazihsm-emu): azihsm_unwrapping_key, azihsm_key_import (RSA, ECC and
 * AES through RsaUnwrap), azihsm_rsa_sign (PKCS#1 v1.5 byte for byte
 * against OpenSSL and the Wycheproof signatures, PSS verified by
 * OpenSSL) and azihsm_rsa_decrypt (OAEP and PKCS#1 v1.5, the Wycheproof
 * OAEP vectors), with the host-side checks and the device's refusals.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "vector_file.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "azihsm/ddi.h"
#include "azihsm/ddi_crypto.h"
#include "libazihsm.h"
#include "libazihsm_emu.h"

static const uint8_t app_id[16] = "rsa-test-app-id";
static const uint8_t app_pin[16] = "rsa-test-pin-123";
static const uint8_t bk3[48] = "owner backup key, forty-eight bytes long .......";

struct fixture {
	struct azihsm_emu *emu;
	struct azihsm_dev *dev;
	struct azihsm_session *sess;
};

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	struct azihsm_emu_config cfg = { .key_tables = 2 };
	uint8_t pub[AZIHSM_P384_PUB_LEN], sig[AZIHSM_P384_SIG_LEN];
	uint8_t point[AZIHSM_P384_POINT_LEN];
	struct azihsm_partition_params p = { .bk3 = bk3, .pota_pub = pub, .pota_sig = sig };
	struct azihsm_partition_keys keys;
	DDI_PKEY *owner = ddi_p384_generate();

	assert_non_null(fx);
	assert_non_null(owner);
	assert_int_equal(azihsm_emu_new(&cfg, &fx->emu), AZIHSM_OK);
	assert_int_equal(azihsm_emu_open(fx->emu, &fx->dev), AZIHSM_OK);
	assert_int_equal(azihsm_partition_identity_key(fx->dev, point), AZIHSM_OK);
	assert_int_equal(ddi_p384_public_raw(owner, pub), 0);
	assert_int_equal(ddi_p384_sign_raw(owner, point, sizeof(point), sig), 0);
	ddi_pkey_free(owner);
	memcpy(p.id, app_id, 16);
	memcpy(p.pin, app_pin, 16);
	assert_int_equal(azihsm_partition_init(fx->dev, &p, &keys), AZIHSM_OK);
	assert_int_equal(azihsm_session_open(fx->dev, app_id, app_pin, &fx->sess), AZIHSM_OK);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	azihsm_close(fx->dev);
	azihsm_emu_free(fx->emu);
	free(fx);
	return 0;
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

static struct azihsm_key *import(struct fixture *fx, EVP_PKEY *k, uint32_t key_class,
				 enum azihsm_key_usage usage)
{
	static uint8_t der[4096];
	struct azihsm_key_params params = { .usage = usage };
	struct azihsm_key *key;

	assert_int_equal(azihsm_key_import(fx->sess, der, pkcs8(k, der, sizeof(der)),
					   key_class, &params, &key), AZIHSM_OK);
	return key;
}

/* A host-side RSA operation with this padding (and OAEP/PSS hash). */
static size_t host_op(EVP_PKEY *k, bool sign, int pad, const EVP_MD *md,
		      const uint8_t *in, size_t len, uint8_t *out)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(k, NULL);
	size_t n = 512;

	assert_non_null(ctx);
	assert_true((sign ? EVP_PKEY_sign_init(ctx) : EVP_PKEY_encrypt_init(ctx)) > 0);
	assert_true(EVP_PKEY_CTX_set_rsa_padding(ctx, pad) > 0);
	if (sign)
		assert_true(EVP_PKEY_CTX_set_signature_md(ctx, md) > 0);
	else if (pad == RSA_PKCS1_OAEP_PADDING)
		assert_true(EVP_PKEY_CTX_set_rsa_oaep_md(ctx, md) > 0);
	assert_true((sign ? EVP_PKEY_sign(ctx, out, &n, in, len) :
			    EVP_PKEY_encrypt(ctx, out, &n, in, len)) > 0);
	EVP_PKEY_CTX_free(ctx);
	return n;
}

static void test_unwrapping_key(void **state)
{
	struct fixture *fx = *state;
	uint8_t der[512];
	const unsigned char *p = der;
	size_t len;
	EVP_PKEY *k;

	assert_int_equal(azihsm_unwrapping_key(fx->sess, der, 10, &len),
			 AZIHSM_ERR_BUFFER_TOO_SMALL);
	assert_true(len > 256 && len <= sizeof(der));
	assert_int_equal(azihsm_unwrapping_key(fx->sess, der, sizeof(der), &len), AZIHSM_OK);
	k = d2i_PUBKEY(NULL, &p, (long)len);
	assert_non_null(k);
	assert_true(EVP_PKEY_is_a(k, "RSA"));
	assert_int_equal(EVP_PKEY_get_bits(k), 2048);
	EVP_PKEY_free(k);
	assert_int_equal(azihsm_unwrapping_key(NULL, der, sizeof(der), &len),
			 AZIHSM_ERR_INVALID_ARG);
}

static void check_sign(struct fixture *fx, int bits, uint32_t key_class, uint32_t type)
{
	EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)bits);
	struct azihsm_key *key;
	uint8_t digest[48], sig[512], want[512], der[1024];
	unsigned char *host_der = NULL;
	size_t len, want_len, der_len;
	EVP_PKEY_CTX *ctx;
	struct azihsm_error err;
	int host_len;

	assert_non_null(k);
	key = import(fx, k, key_class, AZIHSM_USAGE_DEFAULT);
	assert_int_equal(azihsm_key_type(key), type);
	/* The public key is the host's. */
	host_len = i2d_PUBKEY(k, &host_der);
	assert_int_equal(azihsm_key_public(key, AZIHSM_PUBKEY_DER, der, sizeof(der), &der_len),
			 AZIHSM_OK);
	assert_int_equal(der_len, (size_t)host_len);
	assert_memory_equal(der, host_der, der_len);
	OPENSSL_free(host_der);
	assert_int_equal(azihsm_key_public(key, AZIHSM_PUBKEY_POINT, der, sizeof(der),
					   &der_len), AZIHSM_ERR_KEY_TYPE);
	/* PKCS#1 v1.5 is deterministic: the host's signature exactly. */
	memset(digest, 0x5a, sizeof(digest));
	want_len = host_op(k, true, RSA_PKCS1_PADDING, EVP_sha384(), digest, 48, want);
	assert_int_equal(azihsm_rsa_sign(key, AZIHSM_HASH_SHA384, digest, 48,
					 AZIHSM_RSA_PKCS1_V15, sig, sizeof(sig), &len), AZIHSM_OK);
	assert_int_equal(len, want_len);
	assert_memory_equal(sig, want, len);
	/* PSS is randomised: OpenSSL must verify it. */
	assert_int_equal(azihsm_rsa_sign(key, AZIHSM_HASH_SHA256, digest, 32, AZIHSM_RSA_PSS,
					 sig, sizeof(sig), &len), AZIHSM_OK);
	ctx = EVP_PKEY_CTX_new(k, NULL);
	assert_true(EVP_PKEY_verify_init(ctx) > 0);
	assert_true(EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PSS_PADDING) > 0);
	assert_true(EVP_PKEY_CTX_set_signature_md(ctx, EVP_sha256()) > 0);
	assert_true(EVP_PKEY_CTX_set_rsa_pss_saltlen(ctx, RSA_PSS_SALTLEN_DIGEST) > 0);
	assert_int_equal(EVP_PKEY_verify(ctx, sig, len, digest, 32), 1);
	EVP_PKEY_CTX_free(ctx);
	/* Argument checks, then the device's usage check. */
	assert_int_equal(azihsm_rsa_sign(key, AZIHSM_HASH_SHA256, digest, 31,
					 AZIHSM_RSA_PKCS1_V15, sig, sizeof(sig), &len),
			 AZIHSM_ERR_INVALID_ARG);
	assert_int_equal(azihsm_rsa_sign(key, AZIHSM_HASH_SHA256, digest, 32,
					 AZIHSM_RSA_PKCS1_V15, sig, 10, &len),
			 AZIHSM_ERR_BUFFER_TOO_SMALL);
	assert_int_equal(len, (size_t)bits / 8);
	assert_int_equal(azihsm_rsa_sign(key, AZIHSM_HASH_SHA256, digest, 32, AZIHSM_RSA_OAEP,
					 sig, sizeof(sig), &len), AZIHSM_ERR_INVALID_ARG);
	assert_int_equal(azihsm_rsa_decrypt(key, AZIHSM_RSA_PKCS1_V15, AZIHSM_HASH_SHA256,
					    want, want_len, sig, sizeof(sig), &len),
			 AZIHSM_ERR_KEY_USAGE);
	azihsm_last_error(&err);
	assert_int_equal(err.ddi_status, AZIHSM_DDI_STATUS_INVALID_PERMISSIONS);
	/* Deleting also frees the handle. */
	assert_int_equal(azihsm_key_delete(key), AZIHSM_OK);
	EVP_PKEY_free(k);
}

static void test_import_sign(void **state)
{
	check_sign(*state, 2048, AZIHSM_CLASS_RSA, AZIHSM_KEY_RSA_2048);
	check_sign(*state, 3072, AZIHSM_CLASS_RSA_CRT, AZIHSM_KEY_RSA_3072_CRT);
}

static void test_import_decrypt(void **state)
{
	struct fixture *fx = *state;
	EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	static const uint8_t msg[] = "a secret for the device";
	uint8_t ct[256], out[256], digest[32] = { 0 };
	struct azihsm_key *key;
	size_t len;

	assert_non_null(k);
	key = import(fx, k, AZIHSM_CLASS_RSA_CRT, AZIHSM_USAGE_ENCRYPT_DECRYPT);
	assert_int_equal(host_op(k, false, RSA_PKCS1_OAEP_PADDING, EVP_sha256(), msg,
				 sizeof(msg), ct), sizeof(ct));
	assert_int_equal(azihsm_rsa_decrypt(key, AZIHSM_RSA_OAEP, AZIHSM_HASH_SHA256, ct,
					    sizeof(ct), out, sizeof(out), &len), AZIHSM_OK);
	assert_int_equal(len, sizeof(msg));
	assert_memory_equal(out, msg, len);
	/* The wrong hash, a corrupted ciphertext: the same single failure. */
	assert_int_equal(azihsm_rsa_decrypt(key, AZIHSM_RSA_OAEP, AZIHSM_HASH_SHA1, ct,
					    sizeof(ct), out, sizeof(out), &len),
			 AZIHSM_ERR_BAD_PADDING);
	ct[100] ^= 1;
	assert_int_equal(azihsm_rsa_decrypt(key, AZIHSM_RSA_OAEP, AZIHSM_HASH_SHA256, ct,
					    sizeof(ct), out, sizeof(out), &len),
			 AZIHSM_ERR_BAD_PADDING);
	/* PKCS#1 v1.5; too small an output buffer. */
	assert_int_equal(host_op(k, false, RSA_PKCS1_PADDING, NULL, msg, sizeof(msg), ct),
			 sizeof(ct));
	assert_int_equal(azihsm_rsa_decrypt(key, AZIHSM_RSA_PKCS1_V15, 0, ct, sizeof(ct), out,
					    4, &len), AZIHSM_ERR_BUFFER_TOO_SMALL);
	assert_int_equal(len, sizeof(msg));
	assert_int_equal(azihsm_rsa_decrypt(key, AZIHSM_RSA_PKCS1_V15, 0, ct, sizeof(ct), out,
					    sizeof(out), &len), AZIHSM_OK);
	assert_memory_equal(out, msg, sizeof(msg));
	/* Lengths and range: short, and all ones (above n). */
	assert_int_equal(azihsm_rsa_decrypt(key, AZIHSM_RSA_PKCS1_V15, 0, ct, 255, out,
					    sizeof(out), &len), AZIHSM_ERR_INVALID_ARG);
	memset(ct, 0xff, sizeof(ct));
	assert_int_equal(azihsm_rsa_decrypt(key, AZIHSM_RSA_PKCS1_V15, 0, ct, sizeof(ct), out,
					    sizeof(out), &len), AZIHSM_ERR_INVALID_ARG);
	/* A decryption key does not sign. */
	assert_int_equal(azihsm_rsa_sign(key, AZIHSM_HASH_SHA256, digest, 32,
					 AZIHSM_RSA_PKCS1_V15, out, sizeof(out), &len),
			 AZIHSM_ERR_KEY_USAGE);
	azihsm_key_free(key);
	EVP_PKEY_free(k);
}

static void test_import_ecc_aes(void **state)
{
	struct fixture *fx = *state;
	EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
	uint8_t aes[32] = { 7 }, sig[256], digest[48] = { 1 };
	struct azihsm_key_params enc = { .usage = AZIHSM_USAGE_ENCRYPT_DECRYPT };
	struct azihsm_key *key;
	size_t len;

	assert_non_null(k);
	key = import(fx, k, AZIHSM_CLASS_ECC, AZIHSM_USAGE_DEFAULT);
	assert_int_equal(azihsm_key_type(key), AZIHSM_KEY_ECC_P384);
	assert_int_equal(azihsm_ecc_sign(key, digest, sizeof(digest), AZIHSM_SIG_RAW, sig,
					 sizeof(sig), &len), AZIHSM_OK);
	assert_int_equal(azihsm_rsa_sign(key, AZIHSM_HASH_SHA384, digest, 48,
					 AZIHSM_RSA_PKCS1_V15, sig, sizeof(sig), &len),
			 AZIHSM_ERR_KEY_TYPE);
	azihsm_key_free(key);
	assert_int_equal(azihsm_key_import(fx->sess, aes, 24, AZIHSM_CLASS_AES, &enc, &key),
			 AZIHSM_OK);
	assert_int_equal(azihsm_key_type(key), AZIHSM_KEY_AES_192);
	azihsm_key_free(key);
	/* A bad class, an AES key of the wrong length, an EC key as RSA. */
	assert_int_equal(azihsm_key_import(fx->sess, aes, 32, 9, &enc, &key),
			 AZIHSM_ERR_INVALID_ARG);
	assert_null(key);
	assert_int_equal(azihsm_key_import(fx->sess, aes, 20, AZIHSM_CLASS_AES, &enc, &key),
			 AZIHSM_ERR_DDI);
	assert_int_equal(azihsm_key_import(fx->sess, aes, 32, AZIHSM_CLASS_RSA, NULL, &key),
			 AZIHSM_ERR_DDI);
	EVP_PKEY_free(k);
}

/* OpenKey finds an imported RSA key by tag, with its public key. */
static void test_open_rsa(void **state)
{
	struct fixture *fx = *state;
	EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	struct azihsm_key_params params = { .tag = 77 };
	struct azihsm_key *key, *opened;
	uint8_t der[2048], a[1024], b[1024], digest[32] = { 3 }, sig[256];
	size_t der_len, a_len, b_len, len;

	assert_non_null(k);
	der_len = pkcs8(k, der, sizeof(der));
	assert_int_equal(azihsm_key_import(fx->sess, der, der_len, AZIHSM_CLASS_RSA_CRT,
					   &params, &key), AZIHSM_OK);
	assert_int_equal(azihsm_key_import(fx->sess, der, der_len, AZIHSM_CLASS_RSA_CRT,
					   &params, &opened), AZIHSM_ERR_TAG_EXISTS);
	assert_int_equal(azihsm_key_open(fx->sess, 77, &opened), AZIHSM_OK);
	assert_int_equal(azihsm_key_type(opened), AZIHSM_KEY_RSA_2048_CRT);
	assert_int_equal(azihsm_key_public(key, AZIHSM_PUBKEY_PEM, a, sizeof(a), &a_len),
			 AZIHSM_OK);
	assert_int_equal(azihsm_key_public(opened, AZIHSM_PUBKEY_PEM, b, sizeof(b), &b_len),
			 AZIHSM_OK);
	assert_int_equal(a_len, b_len);
	assert_memory_equal(a, b, a_len);
	assert_non_null(strstr((char *)a, "BEGIN PUBLIC KEY"));
	assert_int_equal(azihsm_rsa_sign(opened, AZIHSM_HASH_SHA256, digest, 32,
					 AZIHSM_RSA_PKCS1_V15, sig, sizeof(sig), &len), AZIHSM_OK);
	azihsm_key_free(opened);
	assert_int_equal(azihsm_key_delete(key), AZIHSM_OK);
	EVP_PKEY_free(k);
}

/* ---- Wycheproof ---- */

/* A key line's PKCS#8 imported with usage (the old key freed). */
static struct azihsm_key *wp_key(struct fixture *fx, const char *hex_der,
				 enum azihsm_key_usage usage, struct azihsm_key *old)
{
	static uint8_t der[2048];
	struct azihsm_key_params params = { .usage = usage };
	struct azihsm_key *key;

	if (old)
		assert_int_equal(azihsm_key_delete(old), AZIHSM_OK);
	assert_int_equal(azihsm_key_import(fx->sess, der, vector_hex(hex_der, der, sizeof(der)),
					   AZIHSM_CLASS_RSA, &params, &key), AZIHSM_OK);
	return key;
}

static const EVP_MD *md_of(unsigned int hash)
{
	return hash == 1 ? EVP_sha1() : hash == 2 ? EVP_sha256() :
	       hash == 3 ? EVP_sha384() : EVP_sha512();
}

static void test_wycheproof_sig(void **state)
{
	struct fixture *fx = *state;
	static char line[8192], a[4096], b[4096];
	static uint8_t msg[2048], want[256], sig[256], digest[64];
	unsigned int header, tests = 0, signed_ = 0, id, hash;
	struct azihsm_key *key = NULL;
	char result[16];
	FILE *f = vector_file_open("rsa_sig_2048.txt", &header);

	while (fgets(line, sizeof(line), f)) {
		unsigned int dlen;
		size_t len, msg_len;

		if (sscanf(line, "key %4095s", a) == 1) {
			key = wp_key(fx, a, AZIHSM_USAGE_SIGN_VERIFY, key);
			continue;
		}
		assert_int_equal(sscanf(line, "%u %15s %u %4095s %4095s", &id, result, &hash, a,
					b), 5);
		tests++;
		/* SHA-224 (hash 0) is not a DDI hash. */
		if (!hash)
			continue;
		msg_len = vector_hex(a, msg, sizeof(msg));
		assert_int_equal(vector_hex(b, want, sizeof(want)), sizeof(want));
		assert_int_equal(EVP_Digest(msg, msg_len, digest, &dlen, md_of(hash), NULL), 1);
		assert_int_equal(azihsm_rsa_sign(key, hash, digest, dlen, AZIHSM_RSA_PKCS1_V15,
						 sig, sizeof(sig), &len), AZIHSM_OK);
		if (len != sizeof(want) || memcmp(sig, want, len))
			fail_msg("rsa sig tcId %u: signature differs", id);
		signed_++;
	}
	fclose(f);
	azihsm_key_free(key);
	assert_int_equal(tests, header);
	assert_true(signed_ > 0);
	printf("wycheproof rsa pkcs1 2048 sig (library): %u of %u signatures reproduced "
	       "(SHA-224 skipped)\n", signed_, tests);
}

static void test_wycheproof_oaep(void **state)
{
	struct fixture *fx = *state;
	static char line[8192], k_hex[4096], l_hex[1024], m_hex[1024], c_hex[1024];
	static uint8_t ct[512], msg[256], out[256];
	unsigned int header, tests = 0, id, hash, valid = 0, rejected = 0;
	struct azihsm_key *key = NULL;
	char result[16];
	FILE *f = vector_file_open("rsa_oaep_2048_sha256.txt", &header);

	while (fgets(line, sizeof(line), f)) {
		size_t len = 0, msg_len, ct_len;
		int ret;

		if (sscanf(line, "key %4095s", k_hex) == 1) {
			key = wp_key(fx, k_hex, AZIHSM_USAGE_ENCRYPT_DECRYPT, key);
			continue;
		}
		assert_int_equal(sscanf(line, "%u %15s %u %1023s %1023s %1023s", &id, result,
					&hash, l_hex, m_hex, c_hex), 6);
		tests++;
		msg_len = vector_hex(m_hex, msg, sizeof(msg));
		ct_len = vector_hex(c_hex, ct, sizeof(ct));
		ret = azihsm_rsa_decrypt(key, AZIHSM_RSA_OAEP, hash, ct, ct_len, out, sizeof(out),
					 &len);
		/* The API has the empty label only: a labelled vector must fail. */
		if (!strcmp(result, "valid") && !strcmp(l_hex, "-")) {
			if (ret || len != msg_len || memcmp(out, msg, len))
				fail_msg("oaep tcId %u: valid vector gave %d", id, ret);
			valid++;
		} else {
			if (ret != AZIHSM_ERR_BAD_PADDING && ret != AZIHSM_ERR_INVALID_ARG)
				fail_msg("oaep tcId %u: %s vector gave %d", id, result, ret);
			rejected++;
		}
	}
	fclose(f);
	azihsm_key_free(key);
	assert_int_equal(tests, header);
	assert_true(valid > 0 && rejected > 0);
	printf("wycheproof rsa oaep 2048 sha256: %u valid decrypted, %u rejected (invalid, "
	       "or labelled)\n", valid, rejected);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_unwrapping_key),
		T(test_import_sign),
		T(test_import_decrypt),
		T(test_import_ecc_aes),
		T(test_open_rsa),
		T(test_wycheproof_sig),
		T(test_wycheproof_oaep),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
