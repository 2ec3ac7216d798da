// SPDX-License-Identifier: MIT
/*
 * libazihsm's masked keys and attestation against the firmware core, in
 * process (libazihsm-emu): azihsm_key_unmask() of every kind of key,
 * across sessions and a migration, with tampered and truncated blobs;
 * azihsm_key_attest() and azihsm_attest_verify() with the identity key of
 * the certificate chain, the reported flags, public key and report data,
 * and tampered or foreign reports.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "azihsm/ddi_crypto.h"
#include "libazihsm_emu.h"

static const uint8_t app_id[16] = "app-id-012345678";
static const uint8_t app_pin[16] = "pin-0123456789ab";
static const uint8_t bk3[48] = "owner backup key, forty-eight bytes long .......";

struct fixture {
	struct azihsm_emu *emu;
	struct azihsm_dev *dev[2];
	struct azihsm_session *sess[2];
};

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	struct azihsm_emu_config cfg = { .test_ops = false };
	uint8_t pota_pub[AZIHSM_P384_PUB_LEN], pota_sig[AZIHSM_P384_SIG_LEN];
	uint8_t point[AZIHSM_P384_POINT_LEN];
	struct azihsm_partition_params p = {
		.bk3 = bk3, .pota_pub = pota_pub, .pota_sig = pota_sig,
	};
	struct azihsm_partition_keys keys;
	DDI_PKEY *owner = ddi_p384_generate();
	int i;

	assert_non_null(fx);
	assert_non_null(owner);
	assert_int_equal(azihsm_emu_new(&cfg, &fx->emu), AZIHSM_OK);
	for (i = 0; i < 2; i++)
		assert_int_equal(azihsm_emu_open(fx->emu, &fx->dev[i]), AZIHSM_OK);
	/* An owner key made for the occasion endorses the identity key (7.4). */
	assert_int_equal(azihsm_partition_identity_key(fx->dev[0], point), AZIHSM_OK);
	assert_int_equal(ddi_p384_public_raw(owner, pota_pub), 0);
	assert_int_equal(ddi_p384_sign_raw(owner, point, sizeof(point), pota_sig), 0);
	ddi_pkey_free(owner);
	memcpy(p.id, app_id, 16);
	memcpy(p.pin, app_pin, 16);
	assert_int_equal(azihsm_partition_init(fx->dev[0], &p, &keys), AZIHSM_OK);
	for (i = 0; i < 2; i++)
		assert_int_equal(azihsm_session_open(fx->dev[i], app_id, app_pin,
						     &fx->sess[i]), AZIHSM_OK);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;
	int i;

	for (i = 0; i < 2; i++)
		azihsm_close(fx->dev[i]);
	azihsm_emu_free(fx->emu);
	free(fx);
	return 0;
}

/* A copy of the key's masked blob. */
static size_t blob_of(const struct azihsm_key *k, uint8_t *out)
{
	const uint8_t *blob;
	size_t len;

	assert_int_equal(azihsm_key_masked(k, &blob, &len), AZIHSM_OK);
	assert_true(len > 52 && len <= 3072);
	memcpy(out, blob, len);
	return len;
}

static size_t point_of(const struct azihsm_key *k, uint8_t *point)
{
	size_t len;

	assert_int_equal(azihsm_key_public(k, AZIHSM_PUBKEY_POINT, point, 133, &len),
			 AZIHSM_OK);
	return len;
}

/* ECDSA with the key, checked by OpenSSL against a given public point. */
static void assert_signs_for(struct azihsm_key *k, const char *group, const uint8_t *point,
			     size_t point_len)
{
	uint8_t digest[32] = { 1, 2, 3 }, sig[160];
	size_t sig_len;
	OSSL_PARAM params[3];
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
	EVP_PKEY *pub = NULL;

	assert_int_equal(azihsm_ecc_sign(k, digest, sizeof(digest), AZIHSM_SIG_DER, sig,
					 sizeof(sig), &sig_len), AZIHSM_OK);
	params[0] = OSSL_PARAM_construct_utf8_string("group", (char *)group, 0);
	params[1] = OSSL_PARAM_construct_octet_string("pub", (void *)point, point_len);
	params[2] = OSSL_PARAM_construct_end();
	assert_int_equal(EVP_PKEY_fromdata_init(ctx), 1);
	assert_int_equal(EVP_PKEY_fromdata(ctx, &pub, EVP_PKEY_PUBLIC_KEY, params), 1);
	EVP_PKEY_CTX_free(ctx);
	ctx = EVP_PKEY_CTX_new(pub, NULL);
	assert_int_equal(EVP_PKEY_verify_init(ctx), 1);
	assert_int_equal(EVP_PKEY_verify(ctx, sig, sig_len, digest, sizeof(digest)), 1);
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(pub);
}

static void test_unmask_ecc(void **state)
{
	struct fixture *fx = *state;
	const struct azihsm_key_params params = {
		.tag = 42, .label = (const uint8_t *)"signer", .label_len = 6,
	};
	uint8_t blob[3072], point[133], point2[133];
	size_t len, point_len;
	struct azihsm_key *k, *back;

	assert_int_equal(azihsm_key_generate(fx->sess[0], AZIHSM_KEY_ECC_P384, &params, &k),
			 AZIHSM_OK);
	len = blob_of(k, blob);
	point_len = point_of(k, point);
	/* Still there: its tag is taken. */
	assert_int_equal(azihsm_key_unmask(fx->sess[1], blob, len, &back),
			 AZIHSM_ERR_TAG_EXISTS);
	assert_null(back);
	assert_int_equal(azihsm_key_delete(k), AZIHSM_OK);
	/* The session that made it closes; another one brings it back. */
	assert_int_equal(azihsm_session_close(fx->sess[0]), AZIHSM_OK);
	fx->sess[0] = NULL;
	assert_int_equal(azihsm_key_unmask(fx->sess[1], blob, len, &back), AZIHSM_OK);
	assert_int_equal(azihsm_key_type(back), AZIHSM_KEY_ECC_P384);
	assert_int_equal(point_of(back, point2), point_len);
	assert_memory_equal(point, point2, point_len);
	assert_signs_for(back, "P-384", point, point_len);
	{
		uint8_t blob2[3072];

		/* Same blob size, fresh IV. */
		assert_int_equal(blob_of(back, blob2), len);
		assert_memory_not_equal(blob + 52, blob2 + 52, 16);
	}
	azihsm_key_free(back);
	assert_int_equal(azihsm_key_open(fx->sess[1], 42, &back), AZIHSM_OK);
	azihsm_key_free(back);
}

static void test_unmask_aes_and_bulk(void **state)
{
	struct fixture *fx = *state;
	const uint8_t iv[16] = { 9 }, msg[32] = "thirty-two bytes of plaintext..";
	uint8_t blob[3072], ct1[32], ct2[32];
	size_t len, n;
	struct azihsm_key *k, *back;

	assert_int_equal(azihsm_key_generate(fx->sess[0], AZIHSM_KEY_AES_192, NULL, &k),
			 AZIHSM_OK);
	len = blob_of(k, blob);
	assert_int_equal(azihsm_key_unmask(fx->sess[1], blob, len, &back), AZIHSM_OK);
	assert_int_not_equal(azihsm_key_id(back), azihsm_key_id(k));
	assert_int_equal(azihsm_aes_cbc(k, true, AZIHSM_PAD_NONE, iv, msg, sizeof(msg), ct1,
					sizeof(ct1), &n, NULL), AZIHSM_OK);
	assert_int_equal(azihsm_aes_cbc(back, true, AZIHSM_PAD_NONE, iv, msg, sizeof(msg), ct2,
					sizeof(ct2), &n, NULL), AZIHSM_OK);
	assert_memory_equal(ct1, ct2, sizeof(ct1));
	azihsm_key_free(k);
	azihsm_key_free(back);

	assert_int_equal(azihsm_key_generate(fx->sess[0], AZIHSM_KEY_AES_GCM_BULK, NULL, &k),
			 AZIHSM_OK);
	len = blob_of(k, blob);
	assert_int_equal(azihsm_key_unmask(fx->sess[0], blob, len, &back), AZIHSM_OK);
	assert_int_equal(azihsm_key_type(back), AZIHSM_KEY_AES_GCM_BULK);
	assert_int_not_equal(azihsm_key_bulk_id(back), AZIHSM_NO_BULK_ID);
	assert_int_not_equal(azihsm_key_bulk_id(back), azihsm_key_bulk_id(k));
	azihsm_key_free(k);
	azihsm_key_free(back);
}

static void test_unmask_session_keys(void **state)
{
	struct fixture *fx = *state;
	const struct azihsm_key_params params = { .session = true };
	uint8_t blob[3072], app_blob[3072];
	size_t len, app_len;
	struct azihsm_key *k, *app, *back;

	assert_int_equal(azihsm_key_generate(fx->sess[0], AZIHSM_KEY_ECC_P256, &params, &k),
			 AZIHSM_OK);
	assert_int_equal(azihsm_key_generate(fx->sess[0], AZIHSM_KEY_AES_256, NULL, &app),
			 AZIHSM_OK);
	len = blob_of(k, blob);
	app_len = blob_of(app, app_blob);
	assert_int_equal(azihsm_key_unmask(fx->sess[0], blob, len, &back), AZIHSM_OK);
	azihsm_key_free(back);
	/* Masked with session 0's key: session 1 cannot read it. */
	assert_int_equal(azihsm_key_unmask(fx->sess[1], blob, len, &back), AZIHSM_ERR_BAD_BLOB);
	/* A migration loses every key but not the masking keys (6.9). */
	azihsm_emu_simulate_migration(fx->emu);
	assert_int_equal(azihsm_session_reopen(fx->sess[0], app_id, app_pin), AZIHSM_OK);
	assert_int_equal(azihsm_key_unmask(fx->sess[0], blob, len, &back), AZIHSM_OK);
	assert_int_equal(azihsm_key_type(back), AZIHSM_KEY_ECC_P256);
	azihsm_key_free(back);
	assert_int_equal(azihsm_key_unmask(fx->sess[0], app_blob, app_len, &back), AZIHSM_OK);
	azihsm_key_free(back);
	azihsm_key_free(k);
	azihsm_key_free(app);
}

static void test_unmask_bad_blobs(void **state)
{
	struct fixture *fx = *state;
	uint8_t blob[3072], bad[3072];
	size_t len, i;
	struct azihsm_key *k, *back = NULL;

	assert_int_equal(azihsm_key_generate(fx->sess[0], AZIHSM_KEY_ECC_P256, NULL, &k),
			 AZIHSM_OK);
	len = blob_of(k, blob);
	for (i = 0; i < len; i++) {
		memcpy(bad, blob, len);
		bad[i] ^= (uint8_t)(0x80 >> (i % 8));
		assert_int_equal(azihsm_key_unmask(fx->sess[0], bad, len, &back),
				 AZIHSM_ERR_BAD_BLOB);
		assert_null(back);
	}
	for (i = 1; i < len; i += 13)
		assert_int_equal(azihsm_key_unmask(fx->sess[0], blob, i, &back),
				 AZIHSM_ERR_BAD_BLOB);
	assert_int_equal(azihsm_key_unmask(fx->sess[0], blob, 0, &back), AZIHSM_ERR_INVALID_ARG);
	assert_int_equal(azihsm_key_unmask(fx->sess[0], NULL, len, &back),
			 AZIHSM_ERR_INVALID_ARG);
	assert_int_equal(azihsm_key_unmask(NULL, blob, len, &back), AZIHSM_ERR_INVALID_ARG);
	assert_int_equal(azihsm_key_unmask(fx->sess[0], blob, len, NULL), AZIHSM_ERR_INVALID_ARG);
	azihsm_key_free(k);
}

static void test_attest_ecc(void **state)
{
	struct fixture *fx = *state;
	uint8_t report[AZIHSM_ATTEST_REPORT_MAX], data[128] = { 0 }, point[133];
	struct azihsm_attest_info info;
	struct azihsm_key *k;
	size_t len, point_len;

	memcpy(data, "nonce-123", 9);
	assert_int_equal(azihsm_key_generate(fx->sess[0], AZIHSM_KEY_ECC_P521, NULL, &k),
			 AZIHSM_OK);
	/* Short report data is zero-extended. */
	assert_int_equal(azihsm_key_attest(k, data, 9, report, sizeof(report), &len),
			 AZIHSM_OK);
	assert_true(len >= 830 && len <= 834);
	assert_int_equal(azihsm_attest_verify(fx->dev[1], report, len, data, &info), AZIHSM_OK);
	assert_int_equal(info.flags, AZIHSM_ATTEST_GENERATED | AZIHSM_ATTEST_SIGN |
				     AZIHSM_ATTEST_VERIFY);
	assert_memory_equal(info.app_id, app_id, 16);
	assert_memory_equal(info.report_data, data, 128);
	assert_int_equal(info.curve, 3);
	point_len = point_of(k, point);
	assert_int_equal(info.point_len, point_len);
	assert_memory_equal(info.point, point, point_len);
	assert_int_equal(info.cose_key_len, 143);

	/* Other report data than expected. */
	data[0] ^= 1;
	assert_int_equal(azihsm_attest_verify(fx->dev[0], report, len, data, NULL),
			 AZIHSM_ERR_VERIFY);
	/* Tampered signature, tampered payload, trailing byte. */
	report[len - 1] ^= 1;
	assert_int_equal(azihsm_attest_verify(fx->dev[0], report, len, NULL, NULL),
			 AZIHSM_ERR_VERIFY);
	report[len - 1] ^= 1;
	report[29 + 600] ^= 0x40;
	assert_int_equal(azihsm_attest_verify(fx->dev[0], report, len, NULL, NULL),
			 AZIHSM_ERR_VERIFY);
	report[29 + 600] ^= 0x40;
	assert_int_equal(azihsm_attest_verify(fx->dev[0], report, len, NULL, NULL), AZIHSM_OK);
	assert_int_equal(azihsm_attest_verify(fx->dev[0], report, len - 1, NULL, NULL),
			 AZIHSM_ERR_BAD_BLOB);
	report[0] = 0;
	assert_int_equal(azihsm_attest_verify(fx->dev[0], report, len, NULL, NULL),
			 AZIHSM_ERR_BAD_BLOB);

	/* Buffer sizes and argument checks. */
	assert_int_equal(azihsm_key_attest(k, NULL, 0, report, 100, &len),
			 AZIHSM_ERR_BUFFER_TOO_SMALL);
	assert_true(len >= 830);
	assert_int_equal(azihsm_key_attest(k, data, 129, report, sizeof(report), &len),
			 AZIHSM_ERR_INVALID_ARG);
	assert_int_equal(azihsm_key_attest(k, NULL, 5, report, sizeof(report), &len),
			 AZIHSM_ERR_INVALID_ARG);
	assert_int_equal(azihsm_attest_verify(NULL, report, len, NULL, NULL),
			 AZIHSM_ERR_INVALID_ARG);
	azihsm_key_free(k);
}

static void test_attest_flags_and_foreign(void **state)
{
	struct fixture *fx = *state;
	const struct azihsm_key_params session = { .session = true };
	uint8_t report[AZIHSM_ATTEST_REPORT_MAX], blob[3072];
	struct azihsm_attest_info info;
	struct azihsm_emu *other;
	struct azihsm_dev *other_dev;
	struct azihsm_key *k, *back;
	size_t len, blob_len;

	assert_int_equal(azihsm_key_generate(fx->sess[0], AZIHSM_KEY_AES_256, &session, &k),
			 AZIHSM_OK);
	assert_int_equal(azihsm_key_attest(k, NULL, 0, report, sizeof(report), &len),
			 AZIHSM_OK);
	assert_int_equal(azihsm_attest_verify(fx->dev[0], report, len, NULL, &info), AZIHSM_OK);
	assert_int_equal(info.flags, AZIHSM_ATTEST_GENERATED | AZIHSM_ATTEST_SESSION |
				     AZIHSM_ATTEST_ENCRYPT | AZIHSM_ATTEST_DECRYPT);
	assert_int_equal(info.cose_key_len, 0);
	assert_int_equal(info.curve, 0);
	/* An unmasked key keeps the original flags. */
	blob_len = blob_of(k, blob);
	assert_int_equal(azihsm_key_unmask(fx->sess[0], blob, blob_len, &back), AZIHSM_OK);
	assert_int_equal(azihsm_key_attest(back, NULL, 0, report, sizeof(report), &len),
			 AZIHSM_OK);
	assert_int_equal(azihsm_attest_verify(fx->dev[0], report, len, NULL, &info), AZIHSM_OK);
	assert_int_equal(info.flags, AZIHSM_ATTEST_GENERATED | AZIHSM_ATTEST_SESSION |
				     AZIHSM_ATTEST_ENCRYPT | AZIHSM_ATTEST_DECRYPT);
	azihsm_key_free(back);

	/* Another device's identity key does not verify this report. */
	assert_int_equal(azihsm_emu_new(&(struct azihsm_emu_config){ 0 }, &other), AZIHSM_OK);
	assert_int_equal(azihsm_emu_open(other, &other_dev), AZIHSM_OK);
	assert_int_equal(azihsm_attest_verify(other_dev, report, len, NULL, NULL),
			 AZIHSM_ERR_VERIFY);
	azihsm_close(other_dev);
	azihsm_emu_free(other);
	azihsm_key_free(k);
}

static void test_cert_chain(void **state)
{
	struct fixture *fx = *state;
	uint8_t der[AZIHSM_CERT_MAX], point[AZIHSM_P384_POINT_LEN], pid[AZIHSM_P384_POINT_LEN];
	unsigned int count = 0, i;
	size_t len, pid_len = sizeof(pid);
	X509 *certs[3];

	assert_int_equal(azihsm_cert_get(fx->dev[0], 0, &count, NULL, 0, NULL), AZIHSM_OK);
	assert_int_equal(count, 3);
	for (i = 0; i < count; i++) {
		const unsigned char *p = der;

		assert_int_equal(azihsm_cert_get(fx->dev[0], i, NULL, der, sizeof(der), &len),
				 AZIHSM_OK);
		certs[i] = d2i_X509(NULL, &p, (long)len);
		assert_non_null(certs[i]);
	}
	/* Each certificate is signed by the one before; the root by itself. */
	assert_int_equal(X509_verify(certs[0], X509_get0_pubkey(certs[0])), 1);
	assert_int_equal(X509_verify(certs[1], X509_get0_pubkey(certs[0])), 1);
	assert_int_equal(X509_verify(certs[2], X509_get0_pubkey(certs[1])), 1);
	/* The last one carries the identity key. */
	assert_int_equal(azihsm_partition_identity_key(fx->dev[0], point), AZIHSM_OK);
	assert_int_equal(EVP_PKEY_get_octet_string_param(X509_get0_pubkey(certs[2]), "pub",
							 pid, sizeof(pid), &pid_len), 1);
	assert_int_equal(pid_len, sizeof(point));
	assert_memory_equal(pid, point, sizeof(point));
	for (i = 0; i < count; i++)
		X509_free(certs[i]);

	assert_int_equal(azihsm_cert_get(fx->dev[0], 3, NULL, der, sizeof(der), &len),
			 AZIHSM_ERR_INVALID_ARG);
	assert_int_equal(azihsm_cert_get(fx->dev[0], 0, NULL, der, 10, &len),
			 AZIHSM_ERR_BUFFER_TOO_SMALL);
	assert_true(len > 10);
	assert_int_equal(azihsm_cert_get(NULL, 0, &count, NULL, 0, NULL), AZIHSM_ERR_INVALID_ARG);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_unmask_ecc),
		T(test_unmask_aes_and_bulk),
		T(test_unmask_session_keys),
		T(test_unmask_bad_blobs),
		T(test_attest_ecc),
		T(test_attest_flags_and_foreign),
		T(test_cert_chain),
	};
#undef T

	return cmocka_run_group_tests_name("libazihsm/attest", tests, NULL, NULL);
}
