// SPDX-License-Identifier: MIT
/*
 * libazihsm keys against the firmware core, in process, through
 * libazihsm-emu (a physical-kind device: raw little-endian wire forms):
 * generation, encodings, signatures checked with OpenSSL, AES-CBC against
 * OpenSSL, ECDH + HKDF + HMAC against a host computation, the test-only
 * raw import of Secret, HMAC and AES keys, HKDF and KBKDF into HMAC keys
 * of every length (host_kdf.h computes the expected keys), and the errors
 * of keys used in the wrong way or the wrong session.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/kdf.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

#include "azihsm/ddi_crypto.h"
#include "azihsm/ddi_msg.h"
#include "../../lib/lib_internal.h"	/* struct azihsm_key, lib_err_* */
#include "host_kdf.h"
#include "libazihsm_emu.h"

#define NUM_HANDLES 3

static const uint8_t app_id[16] = "app-id-012345678";
static const uint8_t app_pin[16] = "pin-0123456789ab";
static const uint8_t bk3[48] = "owner backup key, forty-eight bytes long .......";

static const uint32_t ecc_types[] = {
	AZIHSM_KEY_ECC_P256, AZIHSM_KEY_ECC_P384, AZIHSM_KEY_ECC_P521,
};
static const char *const ecc_groups[] = { "P-256", "P-384", "P-521" };

struct fixture {
	struct azihsm_emu *emu;
	struct azihsm_dev *dev[NUM_HANDLES];
	struct azihsm_session *sess[NUM_HANDLES];
	/* Response hook: replace `from` by `to` in EccGenerateKeyPair answers. */
	const char *spoil_from, *spoil_to;
};

static void fx_response_hook(void *opaque, void *resp, size_t resp_len)
{
	struct fixture *fx = opaque;
	struct ddi_resp_hdr hdr;
	size_t n;
	uint8_t *p;

	if (!fx->spoil_from ||
	    !ddi_decode_response(resp, resp_len, &hdr, NULL, NULL) ||
	    hdr.op != AZIHSM_DDI_OP_ECC_GENERATE_KEY_PAIR)
		return;
	n = strlen(fx->spoil_from);
	p = memmem(resp, resp_len, fx->spoil_from, n);
	if (p)
		memcpy(p, fx->spoil_to, n);
}

/* An owner key made for the occasion endorses the identity key (7.4). */
static void endorse(struct azihsm_dev *dev, uint8_t pub[AZIHSM_P384_PUB_LEN],
		    uint8_t sig[AZIHSM_P384_SIG_LEN])
{
	uint8_t point[AZIHSM_P384_POINT_LEN];
	DDI_PKEY *owner = ddi_p384_generate();

	assert_non_null(owner);
	assert_int_equal(azihsm_partition_identity_key(dev, point), AZIHSM_OK);
	assert_int_equal(ddi_p384_public_raw(owner, pub), 0);
	assert_int_equal(ddi_p384_sign_raw(owner, point, sizeof(point), sig), 0);
	ddi_pkey_free(owner);
}

/* A provisioned partition, every handle with a session. */
static struct fixture *fx_new(bool test_ops)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	struct azihsm_emu_config cfg = {
		.response_hook = fx_response_hook, .test_ops = test_ops,
	};
	uint8_t pota_pub[AZIHSM_P384_PUB_LEN], pota_sig[AZIHSM_P384_SIG_LEN];
	struct azihsm_partition_params p = {
		.bk3 = bk3, .pota_pub = pota_pub, .pota_sig = pota_sig,
	};
	struct azihsm_partition_keys keys;
	int i;

	assert_non_null(fx);
	cfg.response_hook_opaque = fx;
	assert_int_equal(azihsm_emu_new(&cfg, &fx->emu), AZIHSM_OK);
	for (i = 0; i < NUM_HANDLES; i++)
		assert_int_equal(azihsm_emu_open(fx->emu, &fx->dev[i]), AZIHSM_OK);
	endorse(fx->dev[0], pota_pub, pota_sig);
	memcpy(p.id, app_id, 16);
	memcpy(p.pin, app_pin, 16);
	assert_int_equal(azihsm_partition_init(fx->dev[0], &p, &keys), AZIHSM_OK);
	for (i = 0; i < NUM_HANDLES; i++)
		assert_int_equal(azihsm_session_open(fx->dev[i], app_id, app_pin,
						     &fx->sess[i]), AZIHSM_OK);
	return fx;
}

static void fx_free(struct fixture *fx)
{
	int i;

	for (i = 0; i < NUM_HANDLES; i++)
		azihsm_close(fx->dev[i]);
	azihsm_emu_free(fx->emu);
	free(fx);
}

static int setup(void **state)
{
	*state = fx_new(true);
	return 0;
}

static int teardown(void **state)
{
	fx_free(*state);
	return 0;
}

/* ---- Helpers ---- */

static void assert_last(int status, uint32_t ddi_status, uint32_t ddi_op)
{
	struct azihsm_error err;

	azihsm_last_error(&err);
	assert_int_equal(err.status, status);
	assert_int_equal(err.ddi_status, ddi_status);
	assert_int_equal(err.ddi_op, ddi_op);
}

static struct azihsm_key *gen(struct fixture *fx, int h, uint32_t type,
			      const struct azihsm_key_params *params)
{
	struct azihsm_key *key;

	assert_int_equal(azihsm_key_generate(fx->sess[h], type, params, &key),
			 AZIHSM_OK);
	assert_non_null(key);
	assert_int_equal(azihsm_key_type(key), type);
	return key;
}

static struct azihsm_key *gen_usage(struct fixture *fx, uint32_t type,
				    enum azihsm_key_usage usage)
{
	struct azihsm_key_params p = { .usage = usage };

	return gen(fx, 0, type, &p);
}

/* The key's public half as an OpenSSL key, through its DER SPKI. */
static EVP_PKEY *host_pub(const struct azihsm_key *key)
{
	uint8_t der[256];
	const unsigned char *p = der;
	size_t len;
	EVP_PKEY *k;

	assert_int_equal(azihsm_key_public(key, AZIHSM_PUBKEY_DER, der, sizeof(der),
					   &len), AZIHSM_OK);
	k = d2i_PUBKEY(NULL, &p, (long)len);
	assert_non_null(k);
	assert_ptr_equal(p, der + len);
	return k;
}

static size_t host_digest(const char *md, const void *msg, size_t len, uint8_t *out)
{
	unsigned int n;

	assert_true(EVP_Digest(msg, len, out, &n, EVP_get_digestbyname(md), NULL));
	return n;
}

static bool host_verify(EVP_PKEY *pub, const uint8_t *digest, size_t dlen,
			const uint8_t *der, size_t der_len)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(pub, NULL);
	int ok;

	assert_non_null(ctx);
	assert_int_equal(EVP_PKEY_verify_init(ctx), 1);
	ok = EVP_PKEY_verify(ctx, der, der_len, digest, dlen);
	EVP_PKEY_CTX_free(ctx);
	return ok == 1;
}

/* r || s big-endian (half bytes each) as DER. */
static size_t raw_to_der(const uint8_t *rs, size_t half, uint8_t *der)
{
	ECDSA_SIG *sig = ECDSA_SIG_new();
	unsigned char *p = der;
	int n;

	assert_true(ECDSA_SIG_set0(sig, BN_bin2bn(rs, (int)half, NULL),
				   BN_bin2bn(rs + half, (int)half, NULL)));
	n = i2d_ECDSA_SIG(sig, &p);
	ECDSA_SIG_free(sig);
	assert_true(n > 0);
	return (size_t)n;
}

static size_t key_point(const struct azihsm_key *key, uint8_t *pt)
{
	size_t len;

	assert_int_equal(azihsm_key_public(key, AZIHSM_PUBKEY_POINT, pt,
					   DDI_ECC_MAX_POINT, &len), AZIHSM_OK);
	return len;
}

/* ---- Generation, encodings, tags ---- */

static void test_generate_each_type(void **state)
{
	static const uint32_t types[] = {
		AZIHSM_KEY_ECC_P256, AZIHSM_KEY_ECC_P384, AZIHSM_KEY_ECC_P521,
		AZIHSM_KEY_AES_128, AZIHSM_KEY_AES_192, AZIHSM_KEY_AES_256,
	};
	struct fixture *fx = *state;
	const uint8_t label[] = "my label";
	struct azihsm_key_params p = { .label = label, .label_len = 8 };
	struct ddi_masked_key_meta meta;
	struct azihsm_key *key, *other;
	const uint8_t *blob;
	size_t i, len;
	uint8_t buf[8];

	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		key = gen(fx, 0, types[i], &p);
		other = gen(fx, 0, types[i], NULL);
		assert_int_not_equal(azihsm_key_id(key), azihsm_key_id(other));
		/* The masked key names the key asked for. */
		assert_int_equal(azihsm_key_masked(key, &blob, &len), AZIHSM_OK);
		assert_true(ddi_masked_key_meta(blob, len, &meta));
		assert_int_equal(meta.key_type, types[i]);
		assert_int_equal(meta.key_label.len, 8);
		assert_memory_equal(meta.key_label.ptr, label, 8);
		assert_false(meta.attrs.blob.ptr[0] & DDI_KEY_ATTR_SESSION);
		if (i >= 3) {
			assert_int_equal(azihsm_key_public(key, AZIHSM_PUBKEY_POINT,
							   buf, sizeof(buf), &len),
					 AZIHSM_ERR_KEY_TYPE);
			/* 0x0C00 >> 8: encrypt and decrypt. */
			assert_int_equal(meta.attrs.blob.ptr[1] & 0xFC, 0x0C);
		} else {
			assert_int_equal(meta.attrs.blob.ptr[1] & 0xFC, 0x30);
		}
		assert_int_equal(azihsm_key_delete(key), AZIHSM_OK);
		assert_int_equal(azihsm_key_delete(other), AZIHSM_OK);
	}

	/* Session keys carry the session flag. */
	p = (struct azihsm_key_params){ .session = true };
	key = gen(fx, 0, AZIHSM_KEY_AES_256, &p);
	assert_int_equal(azihsm_key_masked(key, &blob, &len), AZIHSM_OK);
	assert_true(ddi_masked_key_meta(blob, len, &meta));
	assert_true(meta.attrs.blob.ptr[0] & DDI_KEY_ATTR_SESSION);
	azihsm_key_free(key);

	/* Parameters the library refuses before asking the device. */
	assert_int_equal(azihsm_key_generate(fx->sess[0], AZIHSM_KEY_SECRET_P256,
					     NULL, &key), AZIHSM_ERR_INVALID_ARG);
	assert_null(key);
	assert_int_equal(azihsm_key_generate(fx->sess[0], 99, NULL, &key),
			 AZIHSM_ERR_INVALID_ARG);
	p = (struct azihsm_key_params){ .session = true, .tag = 3 };
	assert_int_equal(azihsm_key_generate(fx->sess[0], AZIHSM_KEY_AES_128, &p,
					     &key), AZIHSM_ERR_INVALID_ARG);
	p = (struct azihsm_key_params){ .label = label, .label_len = 129 };
	assert_int_equal(azihsm_key_generate(fx->sess[0], AZIHSM_KEY_AES_128, &p,
					     &key), AZIHSM_ERR_INVALID_ARG);
	p = (struct azihsm_key_params){ .label_len = 1 };
	assert_int_equal(azihsm_key_generate(fx->sess[0], AZIHSM_KEY_AES_128, &p,
					     &key), AZIHSM_ERR_INVALID_ARG);
	p = (struct azihsm_key_params){ .usage = 3 };
	assert_int_equal(azihsm_key_generate(fx->sess[0], AZIHSM_KEY_AES_128, &p,
					     &key), AZIHSM_ERR_INVALID_ARG);
	assert_int_equal(azihsm_key_generate(NULL, AZIHSM_KEY_AES_128, NULL, &key),
			 AZIHSM_ERR_INVALID_ARG);
	assert_int_equal(azihsm_key_generate(fx->sess[0], AZIHSM_KEY_AES_128, NULL,
					     NULL), AZIHSM_ERR_INVALID_ARG);
}

static void test_public_encodings(void **state)
{
	struct fixture *fx = *state;
	uint8_t der[256], pem[512], pt[DDI_ECC_MAX_POINT], want[DDI_ECC_MAX_POINT];
	size_t der_len, pem_len, pt_len, want_len, i;
	struct azihsm_key *key;
	EVP_PKEY *from_der, *from_pem;
	char group[32];
	BIO *bio;

	for (i = 0; i < 3; i++) {
		key = gen(fx, 0, ecc_types[i], NULL);
		pt_len = key_point(key, pt);
		assert_int_equal(pt_len, i == 0 ? 65 : i == 1 ? 97 : 133);
		assert_int_equal(pt[0], 0x04);

		from_der = host_pub(key);
		assert_true(EVP_PKEY_get_utf8_string_param(from_der,
				OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group), NULL));
		assert_int_equal(EVP_PKEY_get_bits(from_der), i == 0 ? 256 :
				 i == 1 ? 384 : 521);
		assert_true(EVP_PKEY_get_octet_string_param(from_der,
				OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, want, sizeof(want),
				&want_len));
		assert_int_equal(want_len, pt_len);
		assert_memory_equal(want, pt, pt_len);

		assert_int_equal(azihsm_key_public(key, AZIHSM_PUBKEY_PEM, pem,
						   sizeof(pem), &pem_len), AZIHSM_OK);
		assert_int_equal(strlen((char *)pem), pem_len);
		assert_non_null(strstr((char *)pem, "-----BEGIN PUBLIC KEY-----"));
		bio = BIO_new_mem_buf(pem, (int)pem_len);
		from_pem = PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL);
		assert_non_null(from_pem);
		assert_int_equal(EVP_PKEY_eq(from_der, from_pem), 1);
		BIO_free(bio);
		EVP_PKEY_free(from_pem);
		EVP_PKEY_free(from_der);

		/* Too small: the size needed (PEM: without its NUL). */
		assert_int_equal(azihsm_key_public(key, AZIHSM_PUBKEY_DER, der, 10,
						   &der_len), AZIHSM_ERR_BUFFER_TOO_SMALL);
		assert_int_equal(der_len, i == 0 ? 91 : i == 1 ? 120 : 158);
		assert_int_equal(azihsm_key_public(key, AZIHSM_PUBKEY_PEM, pem,
						   pem_len, &der_len),
				 AZIHSM_ERR_BUFFER_TOO_SMALL);
		assert_int_equal(der_len, pem_len);
		assert_int_equal(azihsm_key_public(key, AZIHSM_PUBKEY_POINT, NULL, 0,
						   &der_len), AZIHSM_ERR_BUFFER_TOO_SMALL);
		assert_int_equal(der_len, pt_len);
		assert_int_equal(azihsm_key_public(key, 7, der, sizeof(der), &der_len),
				 AZIHSM_ERR_INVALID_ARG);
		azihsm_key_free(key);
	}
}

static void test_tags_and_open(void **state)
{
	struct fixture *fx = *state;
	struct azihsm_key_params p = { .tag = 7 };
	struct azihsm_key *key, *opened, *dup, *aes;
	uint8_t a[DDI_ECC_MAX_POINT], b[DDI_ECC_MAX_POINT];
	const uint8_t *blob;
	size_t len;

	key = gen(fx, 0, AZIHSM_KEY_ECC_P384, &p);
	assert_int_equal(azihsm_key_generate(fx->sess[0], AZIHSM_KEY_AES_128, &p,
					     &dup), AZIHSM_ERR_TAG_EXISTS);
	assert_last(AZIHSM_ERR_TAG_EXISTS, AZIHSM_DDI_STATUS_KEY_TAG_ALREADY_EXISTS,
		    AZIHSM_DDI_OP_AES_GENERATE_KEY);

	/* Another session of the app finds it by its tag. */
	assert_int_equal(azihsm_key_open(fx->sess[1], 7, &opened), AZIHSM_OK);
	assert_int_equal(azihsm_key_id(opened), azihsm_key_id(key));
	assert_int_equal(azihsm_key_type(opened), AZIHSM_KEY_ECC_P384);
	assert_int_equal(key_point(opened, a), 97);
	key_point(key, b);
	assert_memory_equal(a, b, 97);
	assert_int_equal(azihsm_key_masked(opened, &blob, &len),
			 AZIHSM_ERR_NOT_SUPPORTED);

	p.tag = 8;
	aes = gen(fx, 0, AZIHSM_KEY_AES_192, &p);
	azihsm_key_free(aes);
	assert_int_equal(azihsm_key_open(fx->sess[2], 8, &aes), AZIHSM_OK);
	assert_int_equal(azihsm_key_type(aes), AZIHSM_KEY_AES_192);

	assert_int_equal(azihsm_key_open(fx->sess[0], 99, &dup),
			 AZIHSM_ERR_KEY_NOT_FOUND);
	assert_null(dup);
	assert_last(AZIHSM_ERR_KEY_NOT_FOUND, AZIHSM_DDI_STATUS_KEY_NOT_FOUND,
		    AZIHSM_DDI_OP_OPEN_KEY);
	assert_int_equal(azihsm_key_open(fx->sess[0], 0, &dup), AZIHSM_ERR_INVALID_ARG);
	assert_int_equal(azihsm_key_open(NULL, 7, &dup), AZIHSM_ERR_INVALID_ARG);

	azihsm_key_free(opened);
	azihsm_key_free(aes);
	azihsm_key_free(key);
	azihsm_key_free(NULL);
	assert_int_equal(azihsm_key_id(NULL), 0);
	assert_int_equal(azihsm_key_type(NULL), 0);
}

/* A label changed on the way back: the key is refused and deleted. */
static void test_metadata_mismatch(void **state)
{
	struct fixture *fx = *state;
	const uint8_t label[] = "label-abc";
	struct azihsm_key_params p = { .tag = 5, .label = label, .label_len = 9 };
	struct azihsm_key *key;

	fx->spoil_from = "label-abc";
	fx->spoil_to = "label-abd";
	assert_int_equal(azihsm_key_generate(fx->sess[0], AZIHSM_KEY_ECC_P256, &p,
					     &key), AZIHSM_ERR_MALFORMED);
	assert_null(key);
	fx->spoil_from = NULL;
	assert_int_equal(azihsm_key_open(fx->sess[0], 5, &key),
			 AZIHSM_ERR_KEY_NOT_FOUND);
}

/* ---- Signatures ---- */

static void test_sign_verify_all_curves(void **state)
{
	static const char *const mds[] = { "SHA1", "SHA256", "SHA384", "SHA512" };
	struct fixture *fx = *state;
	uint8_t digest[64], sig[AZIHSM_ECC_SIG_MAX], der[AZIHSM_ECC_SIG_MAX];
	size_t i, m, dlen, sig_len, der_len, half;
	struct azihsm_key *key;
	EVP_PKEY *pub;

	for (i = 0; i < 3; i++) {
		key = gen(fx, 0, ecc_types[i], NULL);
		pub = host_pub(key);
		half = i == 0 ? 32 : i == 1 ? 48 : 66;
		for (m = 0; m < 4; m++) {
			dlen = host_digest(mds[m], "message", 7, digest);
			if (dlen > half) {
				/* Longer than the order: the device refuses. */
				assert_int_equal(azihsm_ecc_sign(key, digest, dlen,
								 AZIHSM_SIG_DER, sig,
								 sizeof(sig), &sig_len),
						 AZIHSM_ERR_INVALID_ARG);
				assert_last(AZIHSM_ERR_INVALID_ARG,
					    AZIHSM_DDI_STATUS_DIGEST_HASH_MISMATCH_WITH_ECC_CURVE,
					    AZIHSM_DDI_OP_ECC_SIGN);
				continue;
			}
			assert_int_equal(azihsm_ecc_sign(key, digest, dlen,
							 AZIHSM_SIG_DER, sig,
							 sizeof(sig), &sig_len),
					 AZIHSM_OK);
			assert_true(host_verify(pub, digest, dlen, sig, sig_len));

			assert_int_equal(azihsm_ecc_sign(key, digest, dlen,
							 AZIHSM_SIG_RAW, sig,
							 sizeof(sig), &sig_len),
					 AZIHSM_OK);
			assert_int_equal(sig_len, 2 * half);
			der_len = raw_to_der(sig, half, der);
			assert_true(host_verify(pub, digest, dlen, der, der_len));
			/* ...and not over another digest. */
			digest[0] ^= 1;
			assert_false(host_verify(pub, digest, dlen, der, der_len));
		}
		/* RAW's size is known before signing. */
		assert_int_equal(azihsm_ecc_sign(key, digest, 32, AZIHSM_SIG_RAW, sig,
						 2 * half - 1, &sig_len),
				 AZIHSM_ERR_BUFFER_TOO_SMALL);
		assert_int_equal(sig_len, 2 * half);
		assert_int_equal(azihsm_ecc_sign(key, digest, 32, AZIHSM_SIG_DER, sig,
						 8, &sig_len),
				 AZIHSM_ERR_BUFFER_TOO_SMALL);
		assert_true(sig_len > 8 && sig_len <= AZIHSM_ECC_SIG_MAX);
		EVP_PKEY_free(pub);
		azihsm_key_free(key);
	}

	key = gen(fx, 0, AZIHSM_KEY_ECC_P256, NULL);
	assert_int_equal(azihsm_ecc_sign(key, digest, 33, AZIHSM_SIG_DER, sig,
					 sizeof(sig), &sig_len), AZIHSM_ERR_INVALID_ARG);
	assert_int_equal(azihsm_ecc_sign(key, digest, 0, AZIHSM_SIG_DER, sig,
					 sizeof(sig), &sig_len), AZIHSM_ERR_INVALID_ARG);
	assert_int_equal(azihsm_ecc_sign(key, digest, 32, 9, sig, sizeof(sig),
					 &sig_len), AZIHSM_ERR_INVALID_ARG);
	assert_int_equal(azihsm_ecc_sign(key, NULL, 32, AZIHSM_SIG_DER, sig,
					 sizeof(sig), &sig_len), AZIHSM_ERR_INVALID_ARG);
	assert_int_equal(azihsm_ecc_sign(NULL, digest, 32, AZIHSM_SIG_DER, sig,
					 sizeof(sig), &sig_len), AZIHSM_ERR_INVALID_ARG);
	azihsm_key_free(key);
}

/* ---- Deletion, usage, type, sessions ---- */

static void test_delete_then_use(void **state)
{
	struct fixture *fx = *state;
	struct azihsm_key_params p = { .tag = 11 };
	struct azihsm_key *key, *again;
	uint8_t digest[32] = { 1 }, sig[AZIHSM_ECC_SIG_MAX];
	size_t len;

	key = gen(fx, 0, AZIHSM_KEY_ECC_P256, &p);
	assert_int_equal(azihsm_key_open(fx->sess[0], 11, &again), AZIHSM_OK);
	assert_int_equal(azihsm_key_delete(key), AZIHSM_OK);

	assert_int_equal(azihsm_ecc_sign(again, digest, 32, AZIHSM_SIG_DER, sig,
					 sizeof(sig), &len), AZIHSM_ERR_KEY_NOT_FOUND);
	assert_last(AZIHSM_ERR_KEY_NOT_FOUND, AZIHSM_DDI_STATUS_KEY_NOT_FOUND,
		    AZIHSM_DDI_OP_ECC_SIGN);
	/* A failed delete leaves the handle to be freed. */
	assert_int_equal(azihsm_key_delete(again), AZIHSM_ERR_KEY_NOT_FOUND);
	assert_int_equal(azihsm_key_open(fx->sess[0], 11, &key),
			 AZIHSM_ERR_KEY_NOT_FOUND);
	azihsm_key_free(again);
	assert_int_equal(azihsm_key_delete(NULL), AZIHSM_ERR_INVALID_ARG);
}

static void test_wrong_usage(void **state)
{
	struct fixture *fx = *state;
	uint8_t digest[32] = { 2 }, sig[AZIHSM_ECC_SIG_MAX], pt[DDI_ECC_MAX_POINT];
	struct azihsm_key *derive, *signer, *secret;
	size_t len;

	derive = gen_usage(fx, AZIHSM_KEY_ECC_P256, AZIHSM_USAGE_DERIVE);
	signer = gen_usage(fx, AZIHSM_KEY_ECC_P256, AZIHSM_USAGE_DEFAULT);

	assert_int_equal(azihsm_ecc_sign(derive, digest, 32, AZIHSM_SIG_RAW, sig,
					 sizeof(sig), &len), AZIHSM_ERR_KEY_USAGE);
	assert_last(AZIHSM_ERR_KEY_USAGE, AZIHSM_DDI_STATUS_INVALID_PERMISSIONS,
		    AZIHSM_DDI_OP_ECC_SIGN);
	len = key_point(derive, pt);
	assert_int_equal(azihsm_ecdh(signer, pt, len, NULL, &secret),
			 AZIHSM_ERR_KEY_USAGE);
	assert_null(secret);

	/* Usages the type does not accept (4.10). */
	assert_int_equal(azihsm_key_generate(fx->sess[0], AZIHSM_KEY_AES_128,
			 &(struct azihsm_key_params){ .usage = AZIHSM_USAGE_SIGN_VERIFY },
			 &secret), AZIHSM_ERR_KEY_USAGE);
	assert_int_equal(azihsm_key_generate(fx->sess[0], AZIHSM_KEY_ECC_P384,
			 &(struct azihsm_key_params){ .usage = AZIHSM_USAGE_ENCRYPT_DECRYPT },
			 &secret), AZIHSM_ERR_KEY_USAGE);
	/* A secret is for deriving only. */
	assert_int_equal(azihsm_ecdh(derive, pt, len,
			 &(struct azihsm_key_params){ .usage = AZIHSM_USAGE_SIGN_VERIFY },
			 &secret), AZIHSM_ERR_KEY_USAGE);
	azihsm_key_free(derive);
	azihsm_key_free(signer);
}

static void test_wrong_type(void **state)
{
	struct fixture *fx = *state;
	struct azihsm_key *aes, *ecc, *out, fake;
	uint8_t buf[AZIHSM_ECC_SIG_MAX], iv[16] = { 0 }, pt[DDI_ECC_MAX_POINT];
	size_t len;

	aes = gen(fx, 0, AZIHSM_KEY_AES_256, NULL);
	ecc = gen(fx, 0, AZIHSM_KEY_ECC_P256, NULL);
	len = key_point(ecc, pt);

	assert_int_equal(azihsm_ecc_sign(aes, buf, 32, AZIHSM_SIG_RAW, buf,
					 sizeof(buf), &len), AZIHSM_ERR_KEY_TYPE);
	assert_int_equal(azihsm_hmac(aes, buf, 3, buf, sizeof(buf), &len),
			 AZIHSM_ERR_KEY_TYPE);
	assert_int_equal(azihsm_aes_cbc(ecc, true, AZIHSM_PAD_NONE, iv, buf, 16,
					buf, sizeof(buf), &len, NULL),
			 AZIHSM_ERR_KEY_TYPE);
	assert_int_equal(azihsm_ecdh(aes, pt, 65, NULL, &out), AZIHSM_ERR_KEY_TYPE);
	assert_int_equal(azihsm_hkdf_derive(ecc, AZIHSM_HASH_SHA256, NULL, 0, NULL,
					    0, AZIHSM_KEY_AES_128, NULL, &out),
			 AZIHSM_ERR_KEY_TYPE);

	/* The device's verdict when a handle claims another type. */
	fake = *aes;
	fake.masked = NULL;
	fake.type = AZIHSM_KEY_HMAC_SHA256;
	assert_int_equal(azihsm_hmac(&fake, buf, 3, buf, sizeof(buf), &len),
			 AZIHSM_ERR_KEY_TYPE);
	assert_last(AZIHSM_ERR_KEY_TYPE, AZIHSM_DDI_STATUS_INVALID_KEY_TYPE,
		    AZIHSM_DDI_OP_HMAC);
	azihsm_key_free(aes);
	azihsm_key_free(ecc);
}

static void test_session_keys(void **state)
{
	struct fixture *fx = *state;
	struct azihsm_key_params p = { .session = true };
	uint8_t digest[32] = { 3 }, sig[AZIHSM_ECC_SIG_MAX];
	struct azihsm_key *key, *app;
	size_t len;

	key = gen(fx, 0, AZIHSM_KEY_ECC_P256, &p);
	app = gen(fx, 0, AZIHSM_KEY_ECC_P256, NULL);

	/* Another handle's session may not use it; the app key it may. */
	key->dev = fx->dev[1];
	app->dev = fx->dev[1];
	assert_int_equal(azihsm_ecc_sign(key, digest, 32, AZIHSM_SIG_RAW, sig,
					 sizeof(sig), &len), AZIHSM_ERR_KEY_USAGE);
	assert_last(AZIHSM_ERR_KEY_USAGE, AZIHSM_DDI_STATUS_INVALID_PERMISSIONS,
		    AZIHSM_DDI_OP_ECC_SIGN);
	assert_int_equal(azihsm_ecc_sign(app, digest, 32, AZIHSM_SIG_RAW, sig,
					 sizeof(sig), &len), AZIHSM_OK);
	key->dev = fx->dev[0];
	app->dev = fx->dev[0];
	assert_int_equal(azihsm_ecc_sign(key, digest, 32, AZIHSM_SIG_RAW, sig,
					 sizeof(sig), &len), AZIHSM_OK);

	/* No session on the handle: nothing is sent. */
	assert_int_equal(azihsm_session_close(fx->sess[0]), AZIHSM_OK);
	assert_int_equal(azihsm_ecc_sign(key, digest, 32, AZIHSM_SIG_RAW, sig,
					 sizeof(sig), &len), AZIHSM_ERR_NO_SESSION);
	assert_last(AZIHSM_ERR_NO_SESSION, 0, AZIHSM_DDI_OP_ECC_SIGN);

	/* The session key went with its session; the app key stays. */
	assert_int_equal(azihsm_session_open(fx->dev[0], app_id, app_pin,
					     &fx->sess[0]), AZIHSM_OK);
	assert_int_equal(azihsm_ecc_sign(key, digest, 32, AZIHSM_SIG_RAW, sig,
					 sizeof(sig), &len), AZIHSM_ERR_KEY_NOT_FOUND);
	assert_int_equal(azihsm_ecc_sign(app, digest, 32, AZIHSM_SIG_RAW, sig,
					 sizeof(sig), &len), AZIHSM_OK);
	azihsm_key_free(key);
	azihsm_key_free(app);
}

static void test_vault_full(void **state)
{
	struct fixture *fx = *state;
	struct azihsm_key *keys[300], *key;
	int n = 0, ret, i;

	do {
		ret = azihsm_key_generate(fx->sess[0], AZIHSM_KEY_AES_128, NULL, &key);
		if (!ret)
			keys[n++] = key;
	} while (!ret && n < 300);
	assert_int_equal(ret, AZIHSM_ERR_VAULT_FULL);
	assert_true(n > 100);
	/* Room again after a delete. */
	assert_int_equal(azihsm_key_delete(keys[--n]), AZIHSM_OK);
	keys[n++] = gen(fx, 0, AZIHSM_KEY_AES_128, NULL);
	for (i = 0; i < n; i++)
		assert_int_equal(azihsm_key_delete(keys[i]), AZIHSM_OK);
}

/* ---- AES-CBC ---- */

static size_t host_cbc(bool encrypt, size_t key_len, const uint8_t *key,
		       const uint8_t *iv, bool pad, const uint8_t *in, size_t len,
		       uint8_t *out)
{
	const EVP_CIPHER *c = key_len == 16 ? EVP_aes_128_cbc() :
			      key_len == 24 ? EVP_aes_192_cbc() : EVP_aes_256_cbc();
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	int n1 = 0, n2 = 0;

	assert_int_equal(EVP_CipherInit_ex(ctx, c, NULL, key, iv, encrypt), 1);
	EVP_CIPHER_CTX_set_padding(ctx, pad);
	assert_int_equal(EVP_CipherUpdate(ctx, out, &n1, in, (int)len), 1);
	assert_int_equal(EVP_CipherFinal_ex(ctx, out + n1, &n2), 1);
	EVP_CIPHER_CTX_free(ctx);
	return (size_t)(n1 + n2);
}

/*
 * The device's AES keys cannot be read, so OpenSSL gets the same key by
 * the same route: HKDF over the ECDH secret shared with a host key.
 */
struct shared_aes {
	struct azihsm_key *dev_key;
	uint8_t host_key[32];
	size_t len;
};

/* ECDH of a device key with a host key: Z on the host, the secret key
 * on the device. */
static struct azihsm_key *shared_secret(struct fixture *fx, int curve,
					uint8_t *z, size_t *z_len)
{
	struct azihsm_key *priv, *secret;
	EVP_PKEY *host = EVP_EC_gen(ecc_groups[curve]), *dev_pub;
	EVP_PKEY_CTX *ctx;
	uint8_t der[256];
	unsigned char *p = der;
	int der_len;

	assert_non_null(host);
	priv = gen_usage(fx, ecc_types[curve], AZIHSM_USAGE_DERIVE);
	dev_pub = host_pub(priv);
	ctx = EVP_PKEY_CTX_new(host, NULL);
	assert_int_equal(EVP_PKEY_derive_init(ctx), 1);
	assert_int_equal(EVP_PKEY_derive_set_peer(ctx, dev_pub), 1);
	*z_len = 66;
	assert_int_equal(EVP_PKEY_derive(ctx, z, z_len), 1);
	EVP_PKEY_CTX_free(ctx);

	der_len = i2d_PUBKEY(host, &p);
	assert_true(der_len > 0);
	assert_int_equal(azihsm_ecdh(priv, der, (size_t)der_len, NULL, &secret),
			 AZIHSM_OK);
	assert_int_equal(azihsm_key_type(secret), AZIHSM_KEY_SECRET_P256 + curve);
	EVP_PKEY_free(dev_pub);
	EVP_PKEY_free(host);
	azihsm_key_free(priv);
	return secret;
}

static const uint8_t kdf_salt[] = "salt for the test";
static const uint8_t kdf_info[] = "info";

static void shared_aes_new(struct fixture *fx, uint32_t type, struct shared_aes *s)
{
	struct azihsm_key *secret;
	uint8_t z[66];
	size_t z_len;

	secret = shared_secret(fx, 0, z, &z_len);
	s->len = 16 + 8 * (type - AZIHSM_KEY_AES_128);
	assert_int_equal(azihsm_hkdf_derive(secret, AZIHSM_HASH_SHA256, kdf_salt,
					    sizeof(kdf_salt), kdf_info,
					    sizeof(kdf_info), type, NULL,
					    &s->dev_key), AZIHSM_OK);
	host_hkdf("SHA256", kdf_salt, sizeof(kdf_salt), z, z_len, kdf_info,
		  sizeof(kdf_info), s->host_key, s->len);
	azihsm_key_free(secret);
}

static void test_aes_cbc_vs_openssl(void **state)
{
	static const size_t lens[] = { 0, 1, 15, 16, 17, 1024, 1025, 5000 };
	struct fixture *fx = *state;
	uint8_t *in = malloc(5024), *dev = malloc(5024), *host = malloc(5024);
	uint8_t iv[16], iv_out[16];
	struct shared_aes s;
	size_t t, l, len, want;
	int pad;

	assert_true(in && dev && host);
	for (t = 0; t < 5000; t++)
		in[t] = (uint8_t)(t * 7 + 3);
	memcpy(iv, "initial vector!!", 16);
	for (t = 0; t < 3; t++) {
		shared_aes_new(fx, AZIHSM_KEY_AES_128 + t, &s);
		for (pad = 0; pad < 2; pad++)
			for (l = 0; l < sizeof(lens) / sizeof(lens[0]); l++) {
				if (!pad && lens[l] % 16)
					continue;
				want = host_cbc(true, s.len, s.host_key, iv, pad, in,
						lens[l], host);
				assert_int_equal(azihsm_aes_cbc(s.dev_key, true, pad,
						 iv, in, lens[l], dev, 5024, &len,
						 iv_out), AZIHSM_OK);
				assert_int_equal(len, want);
				assert_memory_equal(dev, host, want);
				if (want)
					assert_memory_equal(iv_out, dev + want - 16, 16);
				if (!want)
					continue;
				/* Decrypt in place gives the input back. */
				assert_int_equal(azihsm_aes_cbc(s.dev_key, false, pad,
						 iv, dev, want, dev, want, &len,
						 NULL), AZIHSM_OK);
				assert_int_equal(len, lens[l]);
				assert_memory_equal(dev, in, lens[l]);
			}
		azihsm_key_free(s.dev_key);
	}
	free(in);
	free(dev);
	free(host);
}

static void test_aes_cbc_chaining_and_sizes(void **state)
{
	struct fixture *fx = *state;
	uint8_t in[64], whole[80], part[80], iv[16] = { 9 }, iv2[16];
	struct shared_aes s;
	size_t len, len2;

	memset(in, 0x5a, sizeof(in));
	shared_aes_new(fx, AZIHSM_KEY_AES_256, &s);
	/* Two calls chained through iv_out make one stream. */
	assert_int_equal(azihsm_aes_cbc(s.dev_key, true, AZIHSM_PAD_NONE, iv, in,
					64, whole, sizeof(whole), &len, NULL),
			 AZIHSM_OK);
	assert_int_equal(azihsm_aes_cbc(s.dev_key, true, AZIHSM_PAD_NONE, iv, in,
					32, part, sizeof(part), &len, iv2), AZIHSM_OK);
	assert_int_equal(azihsm_aes_cbc(s.dev_key, true, AZIHSM_PAD_NONE, iv2,
					in + 32, 32, part + 32, 48, &len2, NULL),
			 AZIHSM_OK);
	assert_memory_equal(whole, part, 64);

	/* Sizes: what is needed comes back with BUFFER_TOO_SMALL. */
	assert_int_equal(azihsm_aes_cbc(s.dev_key, true, AZIHSM_PAD_PKCS7, iv, in,
					32, whole, 47, &len, NULL),
			 AZIHSM_ERR_BUFFER_TOO_SMALL);
	assert_int_equal(len, 48);
	assert_int_equal(azihsm_aes_cbc(s.dev_key, true, AZIHSM_PAD_PKCS7, iv, in,
					17, whole, 31, &len, NULL),
			 AZIHSM_ERR_BUFFER_TOO_SMALL);
	assert_int_equal(len, 32);
	assert_int_equal(azihsm_aes_cbc(s.dev_key, false, AZIHSM_PAD_PKCS7, iv, in,
					32, whole, 30, &len, NULL),
			 AZIHSM_ERR_BUFFER_TOO_SMALL);
	assert_int_equal(len, 31);
	assert_int_equal(azihsm_aes_cbc(s.dev_key, true, AZIHSM_PAD_NONE, iv, in,
					15, whole, sizeof(whole), &len, NULL),
			 AZIHSM_ERR_INVALID_ARG);
	assert_int_equal(azihsm_aes_cbc(s.dev_key, false, AZIHSM_PAD_NONE, iv, in,
					0, whole, sizeof(whole), &len, NULL),
			 AZIHSM_ERR_INVALID_ARG);
	assert_int_equal(azihsm_aes_cbc(s.dev_key, false, AZIHSM_PAD_PKCS7, iv, in,
					20, whole, sizeof(whole), &len, NULL),
			 AZIHSM_ERR_INVALID_ARG);
	assert_int_equal(azihsm_aes_cbc(s.dev_key, true, 2, iv, in, 16, whole,
					sizeof(whole), &len, NULL),
			 AZIHSM_ERR_INVALID_ARG);
	assert_int_equal(azihsm_aes_cbc(s.dev_key, true, AZIHSM_PAD_NONE, NULL, in,
					16, whole, sizeof(whole), &len, NULL),
			 AZIHSM_ERR_INVALID_ARG);
	azihsm_key_free(s.dev_key);
}

/* Decrypting blocks whose last bytes are no PKCS#7 padding. */
static void test_aes_bad_padding(void **state)
{
	static const struct {
		uint8_t tail[3];
		int ok_len;	/* plaintext length, or -1 for BAD_PADDING */
	} cases[] = {
		{ { 0x02, 0x02, 0x02 }, 14 },
		{ { 0x01, 0x02, 0x01 }, 15 },
		{ { 0x00, 0x00, 0x00 }, -1 },
		{ { 0x02, 0x03, 0x02 }, -1 },
		{ { 0x03, 0x02, 0x03 }, -1 },
		{ { 0x11, 0x11, 0x11 }, -1 },
		{ { 0xff, 0xff, 0xff }, -1 },
	};
	struct fixture *fx = *state;
	uint8_t block[32], ct[32], out[32], iv[16] = { 0 };
	struct shared_aes s;
	size_t i, len;

	shared_aes_new(fx, AZIHSM_KEY_AES_128, &s);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(block, 0x41, sizeof(block));
		memcpy(block + 29, cases[i].tail, 3);
		assert_int_equal(azihsm_aes_cbc(s.dev_key, true, AZIHSM_PAD_NONE, iv,
						block, 32, ct, 32, &len, NULL),
				 AZIHSM_OK);
		memset(out, 0x77, sizeof(out));
		if (cases[i].ok_len < 0) {
			assert_int_equal(azihsm_aes_cbc(s.dev_key, false,
							AZIHSM_PAD_PKCS7, iv, ct, 32,
							out, 32, &len, NULL),
					 AZIHSM_ERR_BAD_PADDING);
			assert_int_equal(len, 0);
			/* Nothing of the plaintext is left behind. */
			assert_int_equal(out[0], 0);
			assert_int_equal(out[15], 0);
			assert_last(AZIHSM_ERR_BAD_PADDING, 0, 0);
		} else {
			assert_int_equal(azihsm_aes_cbc(s.dev_key, false,
							AZIHSM_PAD_PKCS7, iv, ct, 32,
							out, 32, &len, NULL),
					 AZIHSM_OK);
			assert_int_equal(len, 16 + cases[i].ok_len);
			assert_memory_equal(out, block, len);
		}
	}
	azihsm_key_free(s.dev_key);
}

/* ---- ECDH, HKDF, HMAC ---- */

static void test_ecdh_two_device_keys(void **state)
{
	struct fixture *fx = *state;
	const uint8_t msg[] = "the same message";
	uint8_t pt[DDI_ECC_MAX_POINT], der[256], tag_a[64], tag_b[64];
	uint8_t ct[32], back[32], iv[16] = { 0 };
	struct azihsm_key *a, *b, *sa, *sb, *ha, *hb, *aa, *ab;
	size_t c, pt_len, der_len, la, lb;

	for (c = 0; c < 3; c++) {
		a = gen_usage(fx, ecc_types[c], AZIHSM_USAGE_DERIVE);
		b = gen_usage(fx, ecc_types[c], AZIHSM_USAGE_DERIVE);
		/* One side gives the peer as a point, the other as SPKI. */
		pt_len = key_point(b, pt);
		assert_int_equal(azihsm_ecdh(a, pt, pt_len, NULL, &sa), AZIHSM_OK);
		assert_int_equal(azihsm_key_public(a, AZIHSM_PUBKEY_DER, der,
						   sizeof(der), &der_len), AZIHSM_OK);
		assert_int_equal(azihsm_ecdh(b, der, der_len, NULL, &sb), AZIHSM_OK);
		assert_int_equal(azihsm_key_type(sa), AZIHSM_KEY_SECRET_P256 + c);

		assert_int_equal(azihsm_hkdf_derive(sa, AZIHSM_HASH_SHA384, kdf_salt,
						    sizeof(kdf_salt), NULL, 0,
						    AZIHSM_KEY_HMAC_SHA384, NULL,
						    &ha), AZIHSM_OK);
		assert_int_equal(azihsm_hkdf_derive(sb, AZIHSM_HASH_SHA384, kdf_salt,
						    sizeof(kdf_salt), NULL, 0,
						    AZIHSM_KEY_HMAC_SHA384, NULL,
						    &hb), AZIHSM_OK);
		assert_int_equal(azihsm_hmac(ha, msg, sizeof(msg), tag_a,
					     sizeof(tag_a), &la), AZIHSM_OK);
		assert_int_equal(azihsm_hmac(hb, msg, sizeof(msg), tag_b,
					     sizeof(tag_b), &lb), AZIHSM_OK);
		assert_int_equal(la, 48);
		assert_int_equal(lb, 48);
		assert_memory_equal(tag_a, tag_b, 48);

		/* AES keys from both sides: one encrypts, the other decrypts. */
		assert_int_equal(azihsm_hkdf_derive(sa, AZIHSM_HASH_SHA256, NULL, 0,
						    kdf_info, 4, AZIHSM_KEY_AES_256,
						    NULL, &aa), AZIHSM_OK);
		assert_int_equal(azihsm_hkdf_derive(sb, AZIHSM_HASH_SHA256, NULL, 0,
						    kdf_info, 4, AZIHSM_KEY_AES_256,
						    NULL, &ab), AZIHSM_OK);
		assert_int_equal(azihsm_aes_cbc(aa, true, AZIHSM_PAD_PKCS7, iv, msg,
						sizeof(msg) - 1, ct, sizeof(ct), &la,
						NULL), AZIHSM_OK);
		assert_int_equal(azihsm_aes_cbc(ab, false, AZIHSM_PAD_PKCS7, iv, ct,
						la, back, sizeof(back), &lb, NULL),
				 AZIHSM_OK);
		assert_int_equal(lb, sizeof(msg) - 1);
		assert_memory_equal(back, msg, lb);

		azihsm_key_free(a);
		azihsm_key_free(b);
		azihsm_key_free(sa);
		azihsm_key_free(sb);
		azihsm_key_free(ha);
		azihsm_key_free(hb);
		azihsm_key_free(aa);
		azihsm_key_free(ab);
	}
}

/* The device's secret, HKDF and HMAC agree with OpenSSL's. */
static void test_ecdh_openssl_peer(void **state)
{
	static const char *const mds[] = { "SHA256", "SHA384", "SHA512" };
	static const uint8_t zero_salt[256];
	struct fixture *fx = *state;
	const uint8_t msg[] = "hmac me";
	uint8_t z[66], k[64], tag[64], want[64];
	struct azihsm_key *secret, *hk;
	unsigned int want_len;
	size_t c, z_len, len, klen;

	for (c = 0; c < 3; c++) {
		secret = shared_secret(fx, (int)c, z, &z_len);
		klen = 32 + 16 * c;
		assert_int_equal(azihsm_hkdf_derive(secret, AZIHSM_HASH_SHA256 + c,
						    kdf_salt, sizeof(kdf_salt),
						    kdf_info, sizeof(kdf_info),
						    AZIHSM_KEY_HMAC_SHA256 + c, NULL,
						    &hk), AZIHSM_OK);
		host_hkdf(mds[c], kdf_salt, sizeof(kdf_salt), z, z_len, kdf_info,
			  sizeof(kdf_info), k, klen);
		assert_int_equal(azihsm_hmac(hk, msg, sizeof(msg), tag, sizeof(tag),
					     &len), AZIHSM_OK);
		assert_int_equal(len, klen);
		HMAC(EVP_get_digestbyname(mds[c]), k, (int)klen, msg, sizeof(msg),
		     want, &want_len);
		assert_memory_equal(tag, want, klen);
		azihsm_key_free(hk);

		/* No salt: the device's 256 zero bytes (7.9.1). */
		assert_int_equal(azihsm_hkdf_derive(secret, AZIHSM_HASH_SHA256, NULL,
						    0, NULL, 0,
						    AZIHSM_KEY_HMAC_SHA256, NULL,
						    &hk), AZIHSM_OK);
		host_hkdf("SHA256", zero_salt, sizeof(zero_salt), z, z_len, NULL, 0,
			  k, 32);
		assert_int_equal(azihsm_hmac(hk, NULL, 0, tag, 32, &len), AZIHSM_OK);
		HMAC(EVP_sha256(), k, 32, NULL, 0, want, &want_len);
		assert_memory_equal(tag, want, 32);

		/* HMAC sizes. */
		assert_int_equal(azihsm_hmac(hk, msg, 3, tag, 31, &len),
				 AZIHSM_ERR_BUFFER_TOO_SMALL);
		assert_int_equal(len, 32);
		assert_int_equal(azihsm_hmac(hk, msg, 1025, tag, sizeof(tag), &len),
				 AZIHSM_ERR_INVALID_ARG);
		assert_int_equal(azihsm_hmac(hk, NULL, 3, tag, sizeof(tag), &len),
				 AZIHSM_ERR_INVALID_ARG);
		azihsm_key_free(hk);

		/* HKDF arguments. */
		assert_int_equal(azihsm_hkdf_derive(secret, 5, NULL, 0, NULL, 0,
						    AZIHSM_KEY_AES_128, NULL, &hk),
				 AZIHSM_ERR_INVALID_ARG);
		assert_int_equal(azihsm_hkdf_derive(secret, AZIHSM_HASH_SHA256, NULL,
						    0, NULL, 0, AZIHSM_KEY_ECC_P256,
						    NULL, &hk), AZIHSM_ERR_INVALID_ARG);
		assert_int_equal(azihsm_hkdf_derive(secret, AZIHSM_HASH_SHA256,
						    zero_salt, 257, NULL, 0,
						    AZIHSM_KEY_AES_128, NULL, &hk),
				 AZIHSM_ERR_INVALID_ARG);
		/* A secret is not an AES key. */
		assert_int_equal(azihsm_hkdf_derive(secret, AZIHSM_HASH_SHA256, NULL,
				 0, NULL, 0, AZIHSM_KEY_AES_128,
				 &(struct azihsm_key_params){ .usage = AZIHSM_USAGE_SIGN_VERIFY },
				 &hk), AZIHSM_ERR_KEY_USAGE);
		azihsm_key_free(secret);
	}
}

static void test_ecdh_invalid_peer(void **state)
{
	struct fixture *fx = *state;
	uint8_t pt[DDI_ECC_MAX_POINT], der[256];
	unsigned char *p = der;
	struct azihsm_key *priv, *peer, *secret;
	EVP_PKEY *p384 = EVP_EC_gen("P-384");
	size_t pt_len, der_len;
	int n;

	priv = gen_usage(fx, AZIHSM_KEY_ECC_P256, AZIHSM_USAGE_DERIVE);
	peer = gen(fx, 0, AZIHSM_KEY_ECC_P256, NULL);

	/* Off the curve: the device says so. */
	pt_len = key_point(peer, pt);
	pt[pt_len - 1] ^= 1;
	assert_int_equal(azihsm_ecdh(priv, pt, pt_len, NULL, &secret),
			 AZIHSM_ERR_INVALID_KEY);
	assert_null(secret);
	assert_last(AZIHSM_ERR_INVALID_KEY, AZIHSM_DDI_STATUS_ECC_POINT_VALIDATION_FAILED,
		    AZIHSM_DDI_OP_ECDH_KEY_EXCHANGE);
	/* The same point as SPKI goes to the device too. */
	assert_int_equal(azihsm_key_public(peer, AZIHSM_PUBKEY_DER, der, sizeof(der),
					   &der_len), AZIHSM_OK);
	der[der_len - 1] ^= 1;
	assert_int_equal(azihsm_ecdh(priv, der, der_len, NULL, &secret),
			 AZIHSM_ERR_INVALID_KEY);
	assert_last(AZIHSM_ERR_INVALID_KEY, AZIHSM_DDI_STATUS_ECC_POINT_VALIDATION_FAILED,
		    AZIHSM_DDI_OP_ECDH_KEY_EXCHANGE);

	/* Wrong curve, wrong size, not a key: refused on the host. */
	n = i2d_PUBKEY(p384, &p);
	assert_true(n > 0);
	assert_int_equal(azihsm_ecdh(priv, der, (size_t)n, NULL, &secret),
			 AZIHSM_ERR_INVALID_KEY);
	assert_last(AZIHSM_ERR_INVALID_KEY, 0, 0);
	assert_int_equal(azihsm_ecdh(priv, pt, pt_len - 1, NULL, &secret),
			 AZIHSM_ERR_INVALID_KEY);
	assert_int_equal(azihsm_ecdh(priv, (const uint8_t *)"garbage", 7, NULL,
				     &secret), AZIHSM_ERR_INVALID_KEY);
	assert_int_equal(azihsm_ecdh(priv, pt, 0, NULL, &secret),
			 AZIHSM_ERR_INVALID_ARG);
	assert_int_equal(azihsm_ecdh(priv, NULL, 65, NULL, &secret),
			 AZIHSM_ERR_INVALID_ARG);
	assert_int_equal(azihsm_ecdh(priv, pt, pt_len, NULL, NULL),
			 AZIHSM_ERR_INVALID_ARG);
	EVP_PKEY_free(p384);
	azihsm_key_free(priv);
	azihsm_key_free(peer);
}

/* ---- Test-only import ---- */

static void test_import_der(void **state)
{
	struct fixture *fx = *state, *prod;
	uint8_t der[512], digest[32], sig[AZIHSM_ECC_SIG_MAX], pt[DDI_ECC_MAX_POINT];
	uint8_t want[DDI_ECC_MAX_POINT];
	unsigned char *p = der;
	EVP_PKEY *host = EVP_EC_gen("P-384");
	struct azihsm_key *key;
	size_t len, want_len;
	int n;

	n = i2d_PrivateKey(host, &p);
	assert_true(n > 0);
	assert_int_equal(azihsm_key_import_der_test(fx->sess[0], der, (size_t)n,
						    NULL, &key), AZIHSM_OK);
	assert_int_equal(azihsm_key_type(key), AZIHSM_KEY_ECC_P384);
	/* The device has the host's key: same public half, signatures verify. */
	assert_true(EVP_PKEY_get_octet_string_param(host,
			OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, want, sizeof(want),
			&want_len));
	assert_int_equal(key_point(key, pt), want_len);
	assert_memory_equal(pt, want, want_len);
	host_digest("SHA256", "imported", 8, digest);
	assert_int_equal(azihsm_ecc_sign(key, digest, 32, AZIHSM_SIG_DER, sig,
					 sizeof(sig), &len), AZIHSM_OK);
	assert_true(host_verify(host, digest, 32, sig, len));
	azihsm_key_free(key);

	assert_int_equal(azihsm_key_import_der_test(fx->sess[0], der, 0, NULL, &key),
			 AZIHSM_ERR_INVALID_ARG);
	assert_int_equal(azihsm_key_import_der_test(fx->sess[0], der, 3073, NULL,
						    &key), AZIHSM_ERR_INVALID_ARG);

	/* Production firmware does not know the operation. */
	prod = fx_new(false);
	assert_int_equal(azihsm_key_import_der_test(prod->sess[0], der, (size_t)n,
						    NULL, &key),
			 AZIHSM_ERR_NOT_SUPPORTED);
	assert_null(key);
	assert_last(AZIHSM_ERR_NOT_SUPPORTED, AZIHSM_DDI_STATUS_UNSUPPORTED_CMD,
		    AZIHSM_DDI_OP_DER_KEY_IMPORT);
	fx_free(prod);
	EVP_PKEY_free(host);
}

/* ---- Test-only raw import, and derivation into every HMAC length ---- */

/* OpenSSL's name of an AZIHSM_HASH_* value. */
static const char *digest_name(enum azihsm_hash hash)
{
	static const char *const names[] = { "SHA1", "SHA256", "SHA384", "SHA512" };

	return names[hash - AZIHSM_HASH_SHA1];
}

/* The digest of an HMAC type, fixed or variable-length. */
static const char *hmac_digest(uint32_t type)
{
	if (type >= AZIHSM_KEY_HMAC_SHA256_VAR)
		return digest_name(AZIHSM_HASH_SHA256 + (type - AZIHSM_KEY_HMAC_SHA256_VAR));
	return digest_name(AZIHSM_HASH_SHA256 + (type - AZIHSM_KEY_HMAC_SHA256));
}

static struct azihsm_key *import_raw(struct fixture *fx, uint32_t type, const uint8_t *raw,
				     size_t len, enum azihsm_key_usage usage)
{
	struct azihsm_key_params p = { .usage = usage };
	struct azihsm_key *key;

	assert_int_equal(azihsm_key_import_raw_test(fx->sess[0], type, raw, len, &p, &key),
			 AZIHSM_OK);
	assert_non_null(key);
	assert_int_equal(azihsm_key_type(key), type);
	return key;
}

/* The device's tag over msg with the HMAC key must be HMAC(key_bytes, msg). */
static void check_hmac_key(struct azihsm_key *key, const uint8_t *key_bytes, size_t key_len)
{
	static const uint8_t msg[] = "a message for the variable-length keys";
	uint8_t tag[AZIHSM_HMAC_MAX], want[64];
	size_t len, want_len;

	want_len = host_hmac(hmac_digest(azihsm_key_type(key)), key_bytes, key_len, msg,
			     sizeof(msg), want);
	assert_int_equal(azihsm_hmac(key, msg, sizeof(msg), tag, sizeof(tag), &len), AZIHSM_OK);
	assert_int_equal(len, want_len);
	assert_memory_equal(tag, want, len);
}

/* Import of type with len bytes must fail with INVALID_ARG, no key made. */
static void raw_import_rejected(struct fixture *fx, uint32_t type, size_t len,
				const struct azihsm_key_params *params)
{
	uint8_t raw[160] = { 1 };
	struct azihsm_key *key = (struct azihsm_key *)1;

	assert_int_equal(azihsm_key_import_raw_test(fx->sess[0], type, raw, len, params, &key),
			 AZIHSM_ERR_INVALID_ARG);
	assert_null(key);
}

/* The HMAC types, each with the lengths a key of it may have. */
static const struct {
	uint32_t type;
	size_t min, max;
} hmac_ranges[] = {
	{ AZIHSM_KEY_HMAC_SHA256, 32, 32 },
	{ AZIHSM_KEY_HMAC_SHA384, 48, 48 },
	{ AZIHSM_KEY_HMAC_SHA512, 64, 64 },
	{ AZIHSM_KEY_HMAC_SHA256_VAR, 32, 64 },
	{ AZIHSM_KEY_HMAC_SHA384_VAR, 48, 128 },
	{ AZIHSM_KEY_HMAC_SHA512_VAR, 64, 128 },
};

static void test_import_raw(void **state)
{
	static const size_t secret_lens[] = { 32, 48, 68 };
	struct fixture *fx = *state, *prod;
	struct azihsm_key_params with_len = { .key_length = 32 };
	uint8_t raw[128], iv[16] = { 0 }, in[32], dev[48], host[48];
	struct azihsm_key *key;
	size_t i, j, len;

	assert_int_equal(RAND_bytes(raw, sizeof(raw)), 1);
	memset(in, 0x5a, sizeof(in));

	/* HMAC keys of every type and both ends of its range sign as OpenSSL does. */
	for (i = 0; i < sizeof(hmac_ranges) / sizeof(hmac_ranges[0]); i++) {
		const size_t lens[] = { hmac_ranges[i].min, hmac_ranges[i].max };

		for (j = 0; j < 2; j++) {
			key = import_raw(fx, hmac_ranges[i].type, raw, lens[j],
					 AZIHSM_USAGE_DEFAULT);
			check_hmac_key(key, raw, lens[j]);
			assert_int_equal(azihsm_key_delete(key), AZIHSM_OK);
		}
		raw_import_rejected(fx, hmac_ranges[i].type, hmac_ranges[i].min - 1, NULL);
		raw_import_rejected(fx, hmac_ranges[i].type, hmac_ranges[i].max + 1, NULL);
	}

	/* AES keys encrypt as OpenSSL does with the same bytes. */
	for (i = 0; i < 3; i++) {
		size_t key_len = 16 + 8 * i;

		key = import_raw(fx, AZIHSM_KEY_AES_128 + (uint32_t)i, raw, key_len,
				 AZIHSM_USAGE_DEFAULT);
		assert_int_equal(azihsm_aes_cbc(key, true, AZIHSM_PAD_NONE, iv, in, sizeof(in),
						dev, sizeof(dev), &len, NULL), AZIHSM_OK);
		assert_int_equal(host_cbc(true, key_len, raw, iv, false, in, sizeof(in), host),
				 len);
		assert_memory_equal(dev, host, len);
		assert_int_equal(azihsm_key_delete(key), AZIHSM_OK);
		raw_import_rejected(fx, AZIHSM_KEY_AES_128 + (uint32_t)i, key_len + 8, NULL);
	}

	/* Secrets take the raw form's length only (P-521: 66 bytes + 2 zero). */
	for (i = 0; i < 3; i++) {
		key = import_raw(fx, AZIHSM_KEY_SECRET_P256 + (uint32_t)i, raw, secret_lens[i],
				 AZIHSM_USAGE_DERIVE);
		assert_int_equal(azihsm_key_delete(key), AZIHSM_OK);
		raw_import_rejected(fx, AZIHSM_KEY_SECRET_P256 + (uint32_t)i,
				    secret_lens[i] - 1, NULL);
	}
	raw_import_rejected(fx, AZIHSM_KEY_SECRET_P521, 66, NULL);

	/* No raw form: ECC and bulk keys; key_length is for derivation only. */
	raw_import_rejected(fx, AZIHSM_KEY_ECC_P256, 32, NULL);
	raw_import_rejected(fx, AZIHSM_KEY_AES_XTS_BULK, 32, NULL);
	raw_import_rejected(fx, 0, 32, NULL);
	raw_import_rejected(fx, AZIHSM_KEY_HMAC_SHA256_VAR, 32, &with_len);
	assert_int_equal(azihsm_key_import_raw_test(fx->sess[0], AZIHSM_KEY_AES_128, NULL, 16,
						    NULL, &key), AZIHSM_ERR_INVALID_ARG);

	/* Production firmware does not know the operation. */
	prod = fx_new(false);
	assert_int_equal(azihsm_key_import_raw_test(prod->sess[0], AZIHSM_KEY_AES_128, raw, 16,
						    NULL, &key), AZIHSM_ERR_NOT_SUPPORTED);
	assert_null(key);
	assert_last(AZIHSM_ERR_NOT_SUPPORTED, AZIHSM_DDI_STATUS_UNSUPPORTED_CMD,
		    AZIHSM_DDI_OP_RAW_KEY_IMPORT);
	fx_free(prod);
}

/* A Secret of curve c (0..2) from random bytes; its significant bytes in ikm. */
static struct azihsm_key *random_secret(struct fixture *fx, int c, uint8_t ikm[68],
					size_t *ikm_len)
{
	static const size_t lens[] = { 32, 48, 66 };

	memset(ikm, 0, 68);
	assert_int_equal(RAND_bytes(ikm, (int)lens[c]), 1);
	*ikm_len = lens[c];
	return import_raw(fx, AZIHSM_KEY_SECRET_P256 + (uint32_t)c, ikm, c == 2 ? 68 : lens[c],
			  AZIHSM_USAGE_DERIVE);
}

/* The variable-length HMAC targets tried, with lengths across their ranges. */
static const struct {
	uint32_t type;
	size_t len;
} var_targets[] = {
	{ AZIHSM_KEY_HMAC_SHA256_VAR, 32 }, { AZIHSM_KEY_HMAC_SHA256_VAR, 50 },
	{ AZIHSM_KEY_HMAC_SHA256_VAR, 64 }, { AZIHSM_KEY_HMAC_SHA384_VAR, 48 },
	{ AZIHSM_KEY_HMAC_SHA384_VAR, 100 }, { AZIHSM_KEY_HMAC_SHA384_VAR, 128 },
	{ AZIHSM_KEY_HMAC_SHA512_VAR, 64 }, { AZIHSM_KEY_HMAC_SHA512_VAR, 128 },
};

static void test_hkdf_var_hmac(void **state)
{
	struct fixture *fx = *state;
	struct azihsm_key_params p = { 0 };
	uint8_t ikm[68], okm[128];
	struct azihsm_key *secret, *key;
	size_t i, j, ikm_len;

	for (i = 0; i < sizeof(var_targets) / sizeof(var_targets[0]); i++) {
		enum azihsm_hash hash = AZIHSM_HASH_SHA256 + (enum azihsm_hash)(i % 3);

		secret = random_secret(fx, (int)(i % 3), ikm, &ikm_len);
		p.key_length = var_targets[i].len;
		assert_int_equal(azihsm_hkdf_derive(secret, hash, kdf_salt, sizeof(kdf_salt),
						    kdf_info, sizeof(kdf_info),
						    var_targets[i].type, &p, &key), AZIHSM_OK);
		assert_int_equal(azihsm_key_type(key), var_targets[i].type);
		host_hkdf(digest_name(hash), kdf_salt, sizeof(kdf_salt), ikm, ikm_len, kdf_info,
			  sizeof(kdf_info), okm, var_targets[i].len);
		check_hmac_key(key, okm, var_targets[i].len);
		assert_int_equal(azihsm_key_delete(key), AZIHSM_OK);
		assert_int_equal(azihsm_key_delete(secret), AZIHSM_OK);
	}

	/* key_length: required and in range for *_VAR, 0 for the fixed types. */
	secret = random_secret(fx, 1, ikm, &ikm_len);
	for (i = 3; i < sizeof(hmac_ranges) / sizeof(hmac_ranges[0]); i++) {
		const size_t bad[] = { 0, hmac_ranges[i].min - 1, hmac_ranges[i].max + 1 };

		for (j = 0; j < 3; j++) {
			key = (struct azihsm_key *)1;
			p.key_length = bad[j];
			assert_int_equal(azihsm_hkdf_derive(secret, AZIHSM_HASH_SHA256, NULL, 0,
							    NULL, 0, hmac_ranges[i].type, &p,
							    &key), AZIHSM_ERR_INVALID_ARG);
			assert_null(key);
		}
	}
	p.key_length = 32;
	assert_int_equal(azihsm_hkdf_derive(secret, AZIHSM_HASH_SHA256, NULL, 0, NULL, 0,
					    AZIHSM_KEY_HMAC_SHA256, &p, &key),
			 AZIHSM_ERR_INVALID_ARG);
	p.key_length = 16;
	assert_int_equal(azihsm_hkdf_derive(secret, AZIHSM_HASH_SHA256, NULL, 0, NULL, 0,
					    AZIHSM_KEY_AES_128, &p, &key),
			 AZIHSM_ERR_INVALID_ARG);
	/* Fixed types with key_length 0 (or no params) still derive. */
	p.key_length = 0;
	assert_int_equal(azihsm_hkdf_derive(secret, AZIHSM_HASH_SHA256, NULL, 0, NULL, 0,
					    AZIHSM_KEY_HMAC_SHA384, &p, &key), AZIHSM_OK);
	assert_int_equal(azihsm_key_delete(key), AZIHSM_OK);
	assert_int_equal(azihsm_key_delete(secret), AZIHSM_OK);
}

/*
 * KBKDF as the device does it (7.9.2): KDK = HKDF(no salt, secret,
 * info = context, 32 bytes), then SP 800-108 counter mode over HMAC-hash
 * with label and context; the derived key's tag must match the host's.
 */
static void check_kbkdf(struct fixture *fx, int curve, enum azihsm_hash hash, uint32_t target,
			size_t len, const uint8_t *label, size_t label_len,
			const uint8_t *context, size_t context_len)
{
	bool var = target >= AZIHSM_KEY_HMAC_SHA256_VAR;
	struct azihsm_key_params p = { .key_length = var ? len : 0 };
	uint8_t ikm[68], kdk[32], okm[128];
	struct azihsm_key *secret, *key;
	size_t ikm_len;

	secret = random_secret(fx, curve, ikm, &ikm_len);
	assert_int_equal(azihsm_kbkdf_derive(secret, hash, label, label_len, context, context_len,
					     target, &p, &key), AZIHSM_OK);
	host_hkdf(digest_name(hash), NULL, 0, ikm, ikm_len, context, context_len, kdk,
		  sizeof(kdk));
	host_kbkdf(digest_name(hash), kdk, sizeof(kdk), label, label_len, context, context_len,
		   okm, len);
	check_hmac_key(key, okm, len);
	assert_int_equal(azihsm_key_delete(key), AZIHSM_OK);
	assert_int_equal(azihsm_key_delete(secret), AZIHSM_OK);
}

static void test_kbkdf_derive(void **state)
{
	static const uint8_t label[] = "kbkdf label", context[] = "kbkdf context";
	struct fixture *fx = *state;
	uint8_t ikm[68], long_label[257] = { 0 };
	struct azihsm_key_params p = { .key_length = 200 };
	struct azihsm_key *secret, *key;
	size_t i, ikm_len;

	for (i = 0; i < sizeof(var_targets) / sizeof(var_targets[0]); i++) {
		enum azihsm_hash hash = AZIHSM_HASH_SHA256 + (enum azihsm_hash)(i % 3);

		check_kbkdf(fx, (int)(i % 3), hash, var_targets[i].type, var_targets[i].len, label,
			    sizeof(label), context, sizeof(context));
		check_kbkdf(fx, (int)((i + 1) % 3), hash, var_targets[i].type,
			    var_targets[i].len, NULL, 0, NULL, 0);
	}
	check_kbkdf(fx, 2, AZIHSM_HASH_SHA384, AZIHSM_KEY_HMAC_SHA512, 64, label,
		    sizeof(label), NULL, 0);

	/* The same rules as HKDF for key_length; label at most 256 bytes. */
	secret = random_secret(fx, 0, ikm, &ikm_len);
	assert_int_equal(azihsm_kbkdf_derive(secret, AZIHSM_HASH_SHA256, NULL, 0, NULL, 0,
					     AZIHSM_KEY_HMAC_SHA256_VAR, &p, &key),
			 AZIHSM_ERR_INVALID_ARG);
	assert_int_equal(azihsm_kbkdf_derive(secret, AZIHSM_HASH_SHA256, NULL, 0, NULL, 0,
					     AZIHSM_KEY_HMAC_SHA256_VAR, NULL, &key),
			 AZIHSM_ERR_INVALID_ARG);
	assert_int_equal(azihsm_kbkdf_derive(secret, AZIHSM_HASH_SHA256, long_label,
					     sizeof(long_label), NULL, 0,
					     AZIHSM_KEY_HMAC_SHA256, NULL, &key),
			 AZIHSM_ERR_INVALID_ARG);
	assert_int_equal(azihsm_key_delete(secret), AZIHSM_OK);
}

/* ---- Wire forms of a virtual device (7.1.3), and malformed answers ---- */

static void test_wire_forms(void **state)
{
	struct fixture *fx = *state;
	const struct ddi_ecc_curve_info *c = ddi_ecc_curve(DDI_ECC_P521);
	uint8_t pt[DDI_ECC_MAX_POINT], back[DDI_ECC_MAX_POINT], der[256], wire[256];
	uint8_t raw[2 * DDI_ECC_MAX_PKA], rs[2 * DDI_ECC_MAX_LEN];
	struct azihsm_key *key;
	size_t len, der_len, i;

	key = gen(fx, 0, AZIHSM_KEY_ECC_P521, NULL);
	key_point(key, pt);
	assert_int_equal(azihsm_key_public(key, AZIHSM_PUBKEY_DER, der, sizeof(der),
					   &der_len), AZIHSM_OK);
	/* Virtual: DER SPKI both ways. */
	assert_int_equal(lib_pub_to_wire(AZIHSM_DEVICE_KIND_VIRTUAL, c, pt, wire,
					 &len), AZIHSM_OK);
	assert_int_equal(len, der_len);
	assert_memory_equal(wire, der, len);
	assert_int_equal(lib_pub_from_wire(AZIHSM_DEVICE_KIND_VIRTUAL, c, der,
					   der_len, back), AZIHSM_OK);
	assert_memory_equal(back, pt, 133);
	assert_int_equal(lib_pub_from_wire(AZIHSM_DEVICE_KIND_VIRTUAL,
					   ddi_ecc_curve(DDI_ECC_P384), der, der_len,
					   back), AZIHSM_ERR_MALFORMED);
	/* Physical: x_le || y_le over 68 bytes each, and only valid points. */
	assert_int_equal(lib_pub_to_wire(AZIHSM_DEVICE_KIND_PHYSICAL, c, pt, raw,
					 &len), AZIHSM_OK);
	assert_int_equal(len, 136);
	assert_int_equal(raw[0], pt[66]);
	assert_int_equal(raw[66] | raw[67], 0);
	assert_int_equal(lib_pub_from_wire(AZIHSM_DEVICE_KIND_PHYSICAL, c, raw, 135,
					   back), AZIHSM_ERR_MALFORMED);
	raw[5] ^= 1;
	assert_int_equal(lib_pub_from_wire(AZIHSM_DEVICE_KIND_PHYSICAL, c, raw, 136,
					   back), AZIHSM_ERR_MALFORMED);

	/* Signatures: r_le || s_le with zero padding, or r || s as they are. */
	for (i = 0; i < sizeof(raw); i++)
		raw[i] = (uint8_t)(i % 68 < 66 ? i + 1 : 0);
	assert_int_equal(lib_sig_from_wire(AZIHSM_DEVICE_KIND_PHYSICAL, c, raw, 136,
					   rs), AZIHSM_OK);
	assert_int_equal(rs[0], 66);
	assert_int_equal(rs[65], 1);
	assert_int_equal(rs[66], 68 + 66);
	raw[67] = 1;
	assert_int_equal(lib_sig_from_wire(AZIHSM_DEVICE_KIND_PHYSICAL, c, raw, 136,
					   rs), AZIHSM_ERR_MALFORMED);
	assert_int_equal(lib_sig_from_wire(AZIHSM_DEVICE_KIND_VIRTUAL, c, raw, 132,
					   rs), AZIHSM_OK);
	assert_memory_equal(rs, raw, 132);
	assert_int_equal(lib_sig_from_wire(AZIHSM_DEVICE_KIND_VIRTUAL, c, raw, 136,
					   rs), AZIHSM_ERR_MALFORMED);
	azihsm_key_free(key);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_generate_each_type),
		T(test_public_encodings),
		T(test_tags_and_open),
		T(test_metadata_mismatch),
		T(test_sign_verify_all_curves),
		T(test_delete_then_use),
		T(test_wrong_usage),
		T(test_wrong_type),
		T(test_session_keys),
		T(test_vault_full),
		T(test_aes_cbc_vs_openssl),
		T(test_aes_cbc_chaining_and_sizes),
		T(test_aes_bad_padding),
		T(test_ecdh_two_device_keys),
		T(test_ecdh_openssl_peer),
		T(test_ecdh_invalid_peer),
		T(test_import_der),
		T(test_import_raw),
		T(test_hkdf_var_hmac),
		T(test_kbkdf_derive),
		T(test_wire_forms),
	};
#undef T

	return cmocka_run_group_tests_name("libazihsm/keys", tests, NULL, NULL);
}
