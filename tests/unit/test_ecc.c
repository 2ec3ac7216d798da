// SPDX-License-Identifier: MIT
/*
 * The generic ECC helpers of ddi/ecc.c on P-256, P-384 and P-521: the
 * standard and physical (raw little-endian) forms, private key import,
 * ECDSA over a digest, public key validation statuses and ECDH.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "azihsm/ddi.h"
#include "azihsm/ddi_crypto.h"

static const uint32_t curves[] = { 1, 2, 3 };
#define NCURVES (sizeof(curves) / sizeof(curves[0]))

static void test_curve_lookup(void **state)
{
	const struct ddi_ecc_curve_info *c;
	size_t i;

	(void)state;
	assert_null(ddi_ecc_curve(0));
	assert_null(ddi_ecc_curve(4));
	assert_null(ddi_ecc_curve_of_type(10));
	assert_null(ddi_ecc_curve_of_key(NULL));
	for (i = 0; i < NCURVES; i++) {
		DDI_PKEY *k;

		c = ddi_ecc_curve(curves[i]);
		assert_non_null(c);
		assert_int_equal(c->curve, curves[i]);
		assert_ptr_equal(ddi_ecc_curve_of_type(c->priv_type), c);
		assert_ptr_equal(ddi_ecc_curve_of_type(c->pub_type), c);
		assert_ptr_equal(ddi_ecc_curve_of_type(c->secret_type), c);
		k = ddi_ecc_generate(c);
		assert_non_null(k);
		assert_ptr_equal(ddi_ecc_curve_of_key(k), c);
		ddi_pkey_free(k);
	}
	c = ddi_ecc_curve(3);
	assert_int_equal(c->len, 66);
	assert_int_equal(c->pka, 68);
	assert_int_equal(c->priv_type, 9);
	assert_int_equal(c->pub_type, 24);
	assert_int_equal(c->secret_type, 18);
}

/* raw <-> point <-> key give back the same bytes on every curve. */
static void test_public_round_trip(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < NCURVES; i++) {
		const struct ddi_ecc_curve_info *c = ddi_ecc_curve(curves[i]);
		uint8_t pt[DDI_ECC_MAX_POINT], pt2[DDI_ECC_MAX_POINT];
		uint8_t raw[2 * DDI_ECC_MAX_PKA], raw2[2 * DDI_ECC_MAX_PKA];
		DDI_PKEY *k = ddi_ecc_generate(c), *pub = NULL;

		assert_non_null(k);
		assert_int_equal(ddi_ecc_public_point(k, c, pt), 0);
		assert_int_equal(pt[0], 0x04);
		assert_int_equal(ddi_ecc_public_raw(k, c, raw), 0);
		ddi_ecc_point_to_raw(c, pt, raw2);
		assert_memory_equal(raw, raw2, 2 * c->pka);
		/* X_le is X reversed; P-521 pads each coordinate with 2 zeros. */
		assert_int_equal(raw[0], pt[c->len]);
		assert_int_equal(raw[c->pka], pt[2 * c->len]);
		if (c->pka > c->len)
			assert_true(!raw[c->len] && !raw[c->len + 1] &&
				    !raw[c->pka + c->len] && !raw[c->pka + c->len + 1]);
		ddi_ecc_raw_to_point(c, raw, pt2);
		assert_memory_equal(pt, pt2, 1 + 2 * c->len);
		assert_int_equal(ddi_ecc_from_raw(c, raw, 2 * c->pka, &pub), 0);
		assert_non_null(pub);
		assert_ptr_equal(ddi_ecc_curve_of_key(pub), c);
		memset(pt2, 0, sizeof(pt2));
		assert_int_equal(ddi_ecc_public_point(pub, c, pt2), 0);
		assert_memory_equal(pt, pt2, 1 + 2 * c->len);
		/* A public key has no private part. */
		assert_int_equal(ddi_ecc_private_le(pub, c, raw2), -1);
		ddi_pkey_free(pub);
		ddi_pkey_free(k);
	}
}

/* The private scalar in both forms rebuilds the same key pair. */
static void test_private_forms(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < NCURVES; i++) {
		const struct ddi_ecc_curve_info *c = ddi_ecc_curve(curves[i]);
		uint8_t d_le[DDI_ECC_MAX_PKA], d_be[DDI_ECC_MAX_LEN], d2[DDI_ECC_MAX_PKA];
		uint8_t pt[DDI_ECC_MAX_POINT], pt_be[DDI_ECC_MAX_POINT];
		uint8_t pt_le[DDI_ECC_MAX_POINT];
		DDI_PKEY *k = ddi_ecc_generate(c), *from_be, *from_le;

		assert_int_equal(ddi_ecc_private_le(k, c, d_le), 0);
		if (c->pka > c->len)
			assert_true(!d_le[c->len] && !d_le[c->len + 1]);
		ddi_reverse(d_be, d_le, c->len);
		from_be = ddi_ecc_from_private(c, d_be);
		from_le = ddi_ecc_from_private_le(c, d_le);
		assert_non_null(from_be);
		assert_non_null(from_le);
		assert_int_equal(ddi_ecc_public_point(k, c, pt), 0);
		assert_int_equal(ddi_ecc_public_point(from_be, c, pt_be), 0);
		assert_int_equal(ddi_ecc_public_point(from_le, c, pt_le), 0);
		assert_memory_equal(pt, pt_be, 1 + 2 * c->len);
		assert_memory_equal(pt, pt_le, 1 + 2 * c->len);
		assert_int_equal(ddi_ecc_private_le(from_be, c, d2), 0);
		assert_memory_equal(d_le, d2, c->pka);

		/* Zero, and a scalar >= n (all ones), are refused. */
		memset(d_be, 0, c->len);
		assert_null(ddi_ecc_from_private(c, d_be));
		memset(d_be, 0xff, c->len);
		assert_null(ddi_ecc_from_private(c, d_be));
		memset(d2, 0xff, c->pka);
		assert_null(ddi_ecc_from_private_le(c, d2));
		if (c->pka > c->len) {
			/* P-521: a non-zero padding byte makes the scalar too big. */
			d_le[c->len + 1] = 1;
			assert_null(ddi_ecc_from_private_le(c, d_le));
		}
		ddi_pkey_free(from_le);
		ddi_pkey_free(from_be);
		ddi_pkey_free(k);
	}
}

/* Both signature forms verify; a changed digest or signature does not. */
static void test_sign_verify(void **state)
{
	static const size_t digest_lens[] = { 20, 32, 48, 64 };
	size_t i, j;

	(void)state;
	for (i = 0; i < NCURVES; i++) {
		const struct ddi_ecc_curve_info *c = ddi_ecc_curve(curves[i]);
		DDI_PKEY *k = ddi_ecc_generate(c), *pub = NULL;
		uint8_t raw[2 * DDI_ECC_MAX_PKA];

		assert_int_equal(ddi_ecc_public_raw(k, c, raw), 0);
		assert_int_equal(ddi_ecc_from_raw(c, raw, sizeof(raw), &pub), 0);
		for (j = 0; j < sizeof(digest_lens) / sizeof(digest_lens[0]); j++) {
			uint8_t digest[64], sig[2 * DDI_ECC_MAX_LEN];
			uint8_t sig_le[2 * DDI_ECC_MAX_PKA], be[2 * DDI_ECC_MAX_LEN];
			size_t len = digest_lens[j];

			assert_int_equal(ddi_random(digest, len), 0);
			assert_int_equal(ddi_ecc_sign(k, c, digest, len, sig), 0);
			assert_true(ddi_ecc_verify(pub, c, digest, len, sig));

			memset(sig_le, 0xa5, sizeof(sig_le));
			assert_int_equal(ddi_ecc_sign_raw(k, c, digest, len, sig_le), 0);
			if (c->pka > c->len)
				assert_true(!sig_le[c->len] && !sig_le[c->len + 1] &&
					    !sig_le[c->pka + c->len] &&
					    !sig_le[c->pka + c->len + 1]);
			ddi_reverse(be, sig_le, c->len);
			ddi_reverse(be + c->len, sig_le + c->pka, c->len);
			assert_true(ddi_ecc_verify(pub, c, digest, len, be));

			digest[0] ^= 1;
			assert_false(ddi_ecc_verify(pub, c, digest, len, be));
			digest[0] ^= 1;
			be[c->len - 1] ^= 1;
			assert_false(ddi_ecc_verify(pub, c, digest, len, be));
		}
		assert_int_equal(ddi_ecc_sign(k, c, raw, 0, raw), -1);
		ddi_pkey_free(pub);
		ddi_pkey_free(k);
	}
}

static void test_from_raw_statuses(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < NCURVES; i++) {
		const struct ddi_ecc_curve_info *c = ddi_ecc_curve(curves[i]);
		uint8_t raw[2 * DDI_ECC_MAX_PKA], bad[2 * DDI_ECC_MAX_PKA];
		DDI_PKEY *k = ddi_ecc_generate(c), *pub = (DDI_PKEY *)1;
		size_t len = 2 * c->pka;

		assert_int_equal(ddi_ecc_public_raw(k, c, raw), 0);
		assert_int_equal(ddi_ecc_from_raw(c, raw, len - 1, &pub),
				 AZIHSM_DDI_STATUS_ECC_DER_KEY_SHORTER_THAN_CURVE);
		assert_null(pub);
		assert_int_equal(ddi_ecc_from_raw(c, NULL, len, &pub),
				 AZIHSM_DDI_STATUS_ECC_DER_KEY_SHORTER_THAN_CURVE);

		/* X = all ones >= p (P-521: 2^521 - 1 = p itself). */
		memcpy(bad, raw, len);
		memset(bad, 0xff, c->len);
		if (c->pka > c->len)
			bad[c->len - 1] = 0x01;
		assert_int_equal(ddi_ecc_from_raw(c, bad, len, &pub),
				 AZIHSM_DDI_STATUS_ECC_PUBLIC_KEY_VALIDATION_FAILED);
		assert_null(pub);
		memcpy(bad, raw, len);
		memset(bad + c->pka, 0xff, c->len);
		if (c->pka > c->len)
			bad[c->pka + c->len - 1] = 0x01;
		assert_int_equal(ddi_ecc_from_raw(c, bad, len, &pub),
				 AZIHSM_DDI_STATUS_ECC_PUBLIC_KEY_VALIDATION_FAILED);

		if (c->pka > c->len) {
			memcpy(bad, raw, len);
			bad[c->len + 1] = 1;
			assert_int_equal(ddi_ecc_from_raw(c, bad, len, &pub),
					 AZIHSM_DDI_STATUS_ECC_PUBLIC_KEY_VALIDATION_FAILED);
			memcpy(bad, raw, len);
			bad[c->pka + c->len] = 1;
			assert_int_equal(ddi_ecc_from_raw(c, bad, len, &pub),
					 AZIHSM_DDI_STATUS_ECC_PUBLIC_KEY_VALIDATION_FAILED);
		}

		/* Y changed in its lowest bit: below p, but off the curve. */
		memcpy(bad, raw, len);
		bad[c->pka] ^= 1;
		assert_int_equal(ddi_ecc_from_raw(c, bad, len, &pub),
				 AZIHSM_DDI_STATUS_ECC_POINT_VALIDATION_FAILED);
		assert_null(pub);

		/* Longer input: only the first 2 * pka bytes count. */
		memcpy(bad, raw, len);
		assert_int_equal(ddi_ecc_from_raw(c, bad, sizeof(bad), &pub), 0);
		assert_non_null(pub);
		ddi_pkey_free(pub);
		ddi_pkey_free(k);
	}
}

static void test_ecdh_agreement(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < NCURVES; i++) {
		const struct ddi_ecc_curve_info *c = ddi_ecc_curve(curves[i]);
		DDI_PKEY *a = ddi_ecc_generate(c), *b = ddi_ecc_generate(c);
		DDI_PKEY *a_pub = NULL, *b_pub = NULL, *other;
		uint8_t raw[2 * DDI_ECC_MAX_PKA];
		uint8_t z1[DDI_ECC_MAX_LEN], z2[DDI_ECC_MAX_LEN], z3[DDI_ECC_MAX_LEN];

		assert_int_equal(ddi_ecc_public_raw(a, c, raw), 0);
		assert_int_equal(ddi_ecc_from_raw(c, raw, sizeof(raw), &a_pub), 0);
		assert_int_equal(ddi_ecc_public_raw(b, c, raw), 0);
		assert_int_equal(ddi_ecc_from_raw(c, raw, sizeof(raw), &b_pub), 0);
		assert_int_equal(ddi_ecdh(a, b_pub, c, z1), 0);
		assert_int_equal(ddi_ecdh(b, a_pub, c, z2), 0);
		assert_memory_equal(z1, z2, c->len);
		other = ddi_ecc_generate(c);
		assert_int_equal(ddi_ecdh(other, b_pub, c, z3), 0);
		assert_memory_not_equal(z1, z3, c->len);
		/* Keys on different curves do not agree. */
		if (i) {
			DDI_PKEY *p256 = ddi_ecc_generate(ddi_ecc_curve(1));

			assert_int_equal(ddi_ecdh(a, p256, c, z3), -1);
			ddi_pkey_free(p256);
		}
		ddi_pkey_free(other);
		ddi_pkey_free(a_pub);
		ddi_pkey_free(b_pub);
		ddi_pkey_free(a);
		ddi_pkey_free(b);
	}
}

static void test_aes_cbc_sizes(void **state)
{
	static const size_t key_lens[] = { 16, 24, 32 };
	uint8_t key[32], iv[16], pt[48], ct[48], back[48];
	size_t i;

	(void)state;
	assert_int_equal(ddi_random(key, sizeof(key)), 0);
	assert_int_equal(ddi_random(iv, sizeof(iv)), 0);
	assert_int_equal(ddi_random(pt, sizeof(pt)), 0);
	for (i = 0; i < 3; i++) {
		assert_int_equal(ddi_aes_cbc(true, key, key_lens[i], iv, pt,
					     sizeof(pt), ct), 0);
		assert_memory_not_equal(pt, ct, sizeof(pt));
		assert_int_equal(ddi_aes_cbc(false, key, key_lens[i], iv, ct,
					     sizeof(ct), back), 0);
		assert_memory_equal(pt, back, sizeof(pt));
	}
	/* The 256-bit wrapper is the generic function with 32 bytes. */
	assert_int_equal(ddi_aes256_cbc(true, key, iv, pt, sizeof(pt), back), 0);
	assert_memory_equal(ct, back, sizeof(ct));
	assert_int_equal(ddi_aes_cbc(true, key, 20, iv, pt, 16, ct), -1);
	assert_int_equal(ddi_aes_cbc(true, key, 16, iv, pt, 15, ct), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_curve_lookup),
		cmocka_unit_test(test_public_round_trip),
		cmocka_unit_test(test_private_forms),
		cmocka_unit_test(test_sign_verify),
		cmocka_unit_test(test_from_raw_statuses),
		cmocka_unit_test(test_ecdh_agreement),
		cmocka_unit_test(test_aes_cbc_sizes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
