// SPDX-License-Identifier: MIT
/*
 * libazihsm's AES fast path against the firmware core, in process,
 * through libazihsm-emu: bulk keys, AES-GCM and AES-XTS compared with
 * OpenSSL (known keys imported with the test-only DerKeyImport), every
 * AAD alignment class and text length class of the tail protocol, tag
 * mismatches, device-chosen IVs, XTS data units, and the refusals of the
 * library, of the emulated driver and of the device.  A scripted
 * transport covers what the emulator never answers (no fast path, a FIPS
 * indicator, driver errnos).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <uapi/azihsm.h>

#include "azihsm/ddi_crypto.h"
#include "azihsm/hw.h"
#include "../../lib/lib_internal.h"	/* struct azihsm_dev / azihsm_key */
#include "fake_device.h"
#include "libazihsm_emu.h"

static const uint8_t app_id[16] = "aes-fast-path-id";
static const uint8_t app_pin[16] = "aes-fast-pin-012";
static const uint8_t bk3[48] = "backup key three for the AES fast-path tests ...";

static const size_t aad_lens[] = { 0, 1, 15, 16, 17, 31, 32, 33 };
static const size_t text_lens[] = { 0, 1, 15, 16, 17, 4096, 65537 };
#define BIG	65537

struct fixture {
	struct azihsm_emu *emu;
	struct azihsm_dev *dev[2];
	struct azihsm_session *sess[2];
};

/* A provisioned partition (the identity key endorsed by a fresh owner key). */
static void provision(struct azihsm_dev *dev)
{
	struct azihsm_partition_params p = { .bk3 = bk3 };
	uint8_t point[AZIHSM_P384_POINT_LEN], pub[AZIHSM_P384_PUB_LEN];
	uint8_t sig[AZIHSM_P384_SIG_LEN];
	struct azihsm_partition_keys keys;
	DDI_PKEY *owner = ddi_p384_generate();

	assert_non_null(owner);
	assert_int_equal(azihsm_partition_identity_key(dev, point), AZIHSM_OK);
	assert_int_equal(ddi_p384_public_raw(owner, pub), 0);
	assert_int_equal(ddi_p384_sign_raw(owner, point, sizeof(point), sig), 0);
	ddi_pkey_free(owner);
	p.pota_pub = pub;
	p.pota_sig = sig;
	memcpy(p.id, app_id, sizeof(p.id));
	memcpy(p.pin, app_pin, sizeof(p.pin));
	assert_int_equal(azihsm_partition_init(dev, &p, &keys), AZIHSM_OK);
}

static int setup(void **state)
{
	struct azihsm_emu_config cfg = { .test_ops = true };
	struct fixture *fx = calloc(1, sizeof(*fx));
	int i;

	assert_non_null(fx);
	assert_int_equal(azihsm_emu_new(&cfg, &fx->emu), AZIHSM_OK);
	for (i = 0; i < 2; i++)
		assert_int_equal(azihsm_emu_open(fx->emu, &fx->dev[i]), AZIHSM_OK);
	provision(fx->dev[0]);
	for (i = 0; i < 2; i++)
		assert_int_equal(azihsm_session_open(fx->dev[i], app_id, app_pin,
						     &fx->sess[i]), AZIHSM_OK);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	azihsm_close(fx->dev[0]);
	azihsm_close(fx->dev[1]);
	azihsm_emu_free(fx->emu);
	free(fx);
	return 0;
}

/* ---- Helpers ---- */

/* Recognisable bytes: seed and position. */
static void fill(uint8_t *p, size_t len, uint8_t seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = (uint8_t)(seed + i * 7 + (i >> 8));
}

static bool all_zero(const uint8_t *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (p[i])
			return false;
	return true;
}

static struct azihsm_key *gen(struct fixture *fx, int h, uint32_t type,
			      const struct azihsm_key_params *params)
{
	struct azihsm_key *key = NULL;
	int ret = azihsm_key_generate(fx->sess[h], type, params, &key);

	if (ret || azihsm_key_type(key) != type)
		fail_msg("generating a key of type %u: %d", type, ret);
	/* A bulk key's id has bits 10-15 clear (ddi.md 4.4). */
	if (type != AZIHSM_KEY_AES_256 && azihsm_key_bulk_id(key) >= 1024)
		fail_msg("bulk id 0x%x", azihsm_key_bulk_id(key));
	return key;
}

static struct azihsm_key *import(struct fixture *fx, uint32_t type,
				 const uint8_t raw[32])
{
	struct azihsm_key *key;

	assert_int_equal(lib_key_import_bulk_test(fx->sess[0], type, raw, NULL, &key),
			 AZIHSM_OK);
	assert_int_equal(azihsm_key_type(key), type);
	assert_int_not_equal(azihsm_key_bulk_id(key), AZIHSM_NO_BULK_ID);
	return key;
}

/* The last error: the status, and the device's STS and ERR. */
static void assert_last(int status, uint32_t sts, uint32_t err_code)
{
	struct azihsm_error e;

	azihsm_last_error(&e);
	if (e.status != status || e.device_status != sts || e.ext_status != err_code)
		fail_msg("last error %d, STS 0x%x, ERR 0x%x; want %d, 0x%x, 0x%x",
			 e.status, e.device_status, e.ext_status, status, sts, err_code);
}

/* AES-256-GCM in OpenSSL; decrypt returns whether the tag matched. */
static bool host_gcm(bool enc, const uint8_t key[32], const uint8_t iv[12],
		     const uint8_t *aad, size_t aad_len, const uint8_t *in,
		     size_t len, uint8_t *out, uint8_t tag[16])
{
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	int n, ok;

	assert_non_null(ctx);
	assert_true(EVP_CipherInit_ex(ctx, EVP_aes_256_gcm(), NULL, key, iv, enc));
	assert_true(EVP_CipherUpdate(ctx, NULL, &n, aad, (int)aad_len));
	assert_true(EVP_CipherUpdate(ctx, out, &n, in, (int)len));
	if (!enc)
		assert_true(EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, 16, tag));
	ok = EVP_CipherFinal_ex(ctx, out + n, &n);
	if (enc)
		assert_true(EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, 16, tag));
	EVP_CIPHER_CTX_free(ctx);
	return ok > 0;
}

/* AES-256-XTS in OpenSSL, data unit by data unit (tweak + i, little-endian). */
static void host_xts(bool enc, const uint8_t key[64], const uint8_t tweak[16],
		     size_t unit, const uint8_t *in, size_t len, uint8_t *out)
{
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	uint8_t t[16];
	size_t off;
	int n, i;

	assert_non_null(ctx);
	memcpy(t, tweak, 16);
	if (!unit)
		unit = len;
	for (off = 0; off < len; off += unit) {
		assert_true(EVP_CipherInit_ex(ctx, EVP_aes_256_xts(), NULL, key, t, enc));
		assert_true(EVP_CipherUpdate(ctx, out + off, &n, in + off, (int)unit));
		for (i = 0; i < 16 && !++t[i]; i++)
			;
	}
	EVP_CIPHER_CTX_free(ctx);
}

/* ---- Bulk keys ---- */

static void test_bulk_keys(void **state)
{
	struct fixture *fx = *state;
	static const uint32_t types[] = {
		AZIHSM_KEY_AES_XTS_BULK, AZIHSM_KEY_AES_GCM_BULK,
		AZIHSM_KEY_AES_GCM_BULK_UNAPPROVED,
	};
	struct azihsm_key_params tagged = { .tag = 0x4242 };
	struct azihsm_key_params sign = { .usage = AZIHSM_USAGE_SIGN_VERIFY };
	struct azihsm_key *k[7], *opened, *aes, *extra;
	uint8_t iv[16] = { 0 }, out[16];
	size_t out_len;
	int i, j;

	/* Seven slots per key table (the emulator has one table). */
	for (i = 0; i < 7; i++)
		k[i] = gen(fx, i % 2, types[i % 3], i == 3 ? &tagged : NULL);
	for (i = 0; i < 7; i++)
		for (j = 0; j < i; j++)
			assert_int_not_equal(azihsm_key_bulk_id(k[i]),
					     azihsm_key_bulk_id(k[j]));
	assert_int_equal(azihsm_key_generate(fx->sess[0], AZIHSM_KEY_AES_GCM_BULK,
					     NULL, &extra), AZIHSM_ERR_VAULT_FULL);
	assert_null(extra);

	/* OpenKey finds the key and its fast-path id. */
	assert_int_equal(azihsm_key_open(fx->sess[1], 0x4242, &opened), AZIHSM_OK);
	assert_int_equal(azihsm_key_type(opened), types[0]);
	assert_int_equal(azihsm_key_bulk_id(opened), azihsm_key_bulk_id(k[3]));
	azihsm_key_free(opened);

	/* Bulk keys are encrypt/decrypt keys, and fast-path keys only. */
	assert_int_equal(azihsm_key_generate(fx->sess[0], AZIHSM_KEY_AES_XTS_BULK,
					     &sign, &extra), AZIHSM_ERR_KEY_USAGE);
	assert_int_equal(azihsm_aes_cbc(k[1], true, AZIHSM_PAD_NONE, iv, iv, 16,
					out, sizeof(out), &out_len, NULL),
			 AZIHSM_ERR_KEY_TYPE);
	aes = gen(fx, 0, AZIHSM_KEY_AES_256, NULL);
	assert_int_equal(azihsm_key_bulk_id(aes), AZIHSM_NO_BULK_ID);
	assert_int_equal(azihsm_key_bulk_id(NULL), AZIHSM_NO_BULK_ID);
	azihsm_key_free(aes);

	/* A deleted key frees its slot. */
	assert_int_equal(azihsm_key_delete(k[6]), AZIHSM_OK);
	k[6] = gen(fx, 0, AZIHSM_KEY_AES_GCM_BULK, NULL);
	for (i = 0; i < 7; i++)
		assert_int_equal(azihsm_key_delete(k[i]), AZIHSM_OK);
}

/* ---- AES-GCM ---- */

static const uint8_t gcm_raw[32] = "known GCM key for the unit test";

/* Every AAD class with every text class against OpenSSL, both ways. */
static void test_gcm_known_answers(void **state)
{
	struct fixture *fx = *state;
	struct azihsm_key *key = import(fx, AZIHSM_KEY_AES_GCM_BULK_UNAPPROVED, gcm_raw);
	uint8_t *pt = malloc(BIG), *ct = malloc(BIG), *want = malloc(BIG);
	uint8_t *back = malloc(BIG + 1);
	uint8_t aad[64], iv[12], iv_out[12], tag[16], want_tag[16];
	size_t a, t, alen, len;

	assert_non_null(pt && ct && want && back);
	for (a = 0; a < sizeof(aad_lens) / sizeof(aad_lens[0]); a++) {
		for (t = 0; t < sizeof(text_lens) / sizeof(text_lens[0]); t++) {
			alen = aad_lens[a];
			len = text_lens[t];
			fill(aad, alen, (uint8_t)(a + 1));
			fill(pt, len, (uint8_t)(t + 3));
			fill(iv, sizeof(iv), (uint8_t)(a * 8 + t));
			assert_int_equal(azihsm_aes_gcm_encrypt(key, iv, aad, alen, pt,
								len, ct, tag, iv_out),
					 AZIHSM_OK);
			assert_false(azihsm_aes_fips_approved());
			/* An unapproved key encrypts with the caller's IV. */
			assert_memory_equal(iv_out, iv, sizeof(iv));
			host_gcm(true, gcm_raw, iv, aad, alen, pt, len, want, want_tag);
			if (len)
				assert_memory_equal(ct, want, len);
			assert_memory_equal(tag, want_tag, 16);

			memset(back, 0xee, len + 1);
			assert_int_equal(azihsm_aes_gcm_decrypt(key, iv, aad, alen, ct,
								len, tag, back),
					 AZIHSM_OK);
			if (len)
				assert_memory_equal(back, pt, len);
			assert_int_equal(back[len], 0xee);	/* nothing beyond */
		}
	}
	free(pt);
	free(ct);
	free(want);
	free(back);
	azihsm_key_free(key);
}

/* An approved key: the device picks the IV, which decryption then takes. */
static void test_gcm_device_iv(void **state)
{
	struct fixture *fx = *state;
	struct azihsm_key *key = import(fx, AZIHSM_KEY_AES_GCM_BULK, gcm_raw);
	uint8_t pt[100], ct[100], ct2[100], want[100], back[100], aad[20];
	uint8_t iv[12] = "caller's IV", iv1[12], iv2[12], tag[16], tag2[16], want_tag[16];

	fill(pt, sizeof(pt), 9);
	fill(aad, sizeof(aad), 10);
	assert_int_equal(azihsm_aes_gcm_encrypt(key, iv, aad, sizeof(aad), pt, sizeof(pt),
						ct, tag, iv1), AZIHSM_OK);
	assert_memory_not_equal(iv1, iv, sizeof(iv));
	host_gcm(true, gcm_raw, iv1, aad, sizeof(aad), pt, sizeof(pt), want, want_tag);
	assert_memory_equal(ct, want, sizeof(ct));
	assert_memory_equal(tag, want_tag, sizeof(tag));
	assert_int_equal(azihsm_aes_gcm_decrypt(key, iv1, aad, sizeof(aad), ct,
						sizeof(ct), tag, back), AZIHSM_OK);
	assert_memory_equal(back, pt, sizeof(pt));

	/* No caller IV needed, and a fresh IV each time. */
	assert_int_equal(azihsm_aes_gcm_encrypt(key, NULL, aad, sizeof(aad), pt, sizeof(pt),
						ct2, tag2, iv2), AZIHSM_OK);
	assert_memory_not_equal(iv2, iv1, sizeof(iv1));
	assert_memory_not_equal(ct2, ct, sizeof(ct));

	/* An unapproved key needs the caller's IV. */
	azihsm_key_free(key);
	key = gen(fx, 0, AZIHSM_KEY_AES_GCM_BULK_UNAPPROVED, NULL);
	assert_int_equal(azihsm_aes_gcm_encrypt(key, NULL, aad, sizeof(aad), pt, sizeof(pt),
						ct, tag, iv1), AZIHSM_ERR_INVALID_ARG);
	assert_int_equal(azihsm_key_delete(key), AZIHSM_OK);
}

/* Tampering with anything the tag covers fails, and leaves pt empty. */
static void test_gcm_tamper(void **state)
{
	struct fixture *fx = *state;
	static const size_t lens[] = { 0, 5, 16, 33 };
	struct azihsm_key *key = gen(fx, 0, AZIHSM_KEY_AES_GCM_BULK, NULL);
	uint8_t pt[33], ct[33], back[33], aad[17], iv[12], tag[16], bad[16];
	size_t i, len;

	fill(aad, sizeof(aad), 1);
	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		len = lens[i];
		fill(pt, len, 2);
		assert_int_equal(azihsm_aes_gcm_encrypt(key, NULL, aad, sizeof(aad), pt,
							len, ct, tag, iv), AZIHSM_OK);
		/* The tag. */
		memcpy(bad, tag, 16);
		bad[15] ^= 1;
		memset(back, 0xaa, sizeof(back));
		assert_int_equal(azihsm_aes_gcm_decrypt(key, iv, aad, sizeof(aad), ct,
							len, bad, back),
				 AZIHSM_ERR_AUTH_FAILED);
		assert_last(AZIHSM_ERR_AUTH_FAILED, AZIHSM_AES_STS_INVALID_FIELD_GCM,
			    AZIHSM_AES_GCM_ERR_TAG_MISMATCH);
		assert_true(all_zero(back, len));
		/* The AAD. */
		aad[16] ^= 0x80;
		assert_int_equal(azihsm_aes_gcm_decrypt(key, iv, aad, sizeof(aad), ct,
							len, tag, back),
				 AZIHSM_ERR_AUTH_FAILED);
		aad[16] ^= 0x80;
		/* The IV. */
		iv[0] ^= 1;
		assert_int_equal(azihsm_aes_gcm_decrypt(key, iv, aad, sizeof(aad), ct,
							len, tag, back),
				 AZIHSM_ERR_AUTH_FAILED);
		iv[0] ^= 1;
		if (!len)
			continue;
		/* The text, also decrypted in place: the ciphertext stays. */
		ct[len - 1] ^= 4;
		memset(back, 0xaa, sizeof(back));
		assert_int_equal(azihsm_aes_gcm_decrypt(key, iv, aad, sizeof(aad), ct,
							len, tag, back),
				 AZIHSM_ERR_AUTH_FAILED);
		assert_true(all_zero(back, len));
		memcpy(back, ct, len);
		assert_int_equal(azihsm_aes_gcm_decrypt(key, iv, aad, sizeof(aad), back,
							len, tag, back),
				 AZIHSM_ERR_AUTH_FAILED);
		assert_memory_equal(back, ct, len);
		ct[len - 1] ^= 4;
		/* In place both ways. */
		memcpy(back, ct, len);
		assert_int_equal(azihsm_aes_gcm_decrypt(key, iv, aad, sizeof(aad), back,
							len, tag, back), AZIHSM_OK);
		assert_memory_equal(back, pt, len);
	}
	assert_int_equal(azihsm_key_delete(key), AZIHSM_OK);
}

/* A tag mismatch of whole-block AAD and text comes from the engine. */
static void test_gcm_engine_tag_mismatch(void **state)
{
	struct fixture *fx = *state;
	struct azihsm_key *key = gen(fx, 1, AZIHSM_KEY_AES_GCM_BULK, NULL);
	uint8_t aad[32] = { 1 }, pt[32] = { 2 }, ct[32], iv[12], tag[16];

	assert_int_equal(azihsm_aes_gcm_encrypt(key, NULL, aad, 32, pt, 32, ct, tag, iv),
			 AZIHSM_OK);
	tag[0] ^= 1;
	assert_int_equal(azihsm_aes_gcm_decrypt(key, iv, aad, 32, ct, 32, tag, pt),
			 AZIHSM_ERR_AUTH_FAILED);
	assert_last(AZIHSM_ERR_AUTH_FAILED, AZIHSM_AES_STS_CRYPTO_ENGINE_ERROR, 0x9);
	assert_true(all_zero(pt, sizeof(pt)));
	assert_int_equal(azihsm_key_delete(key), AZIHSM_OK);
}

/* ---- AES-XTS ---- */

static const uint8_t xts_raw[64] = "data key of the XTS known-answer test, tweak key follows: second";

static void test_xts_known_answers(void **state)
{
	struct fixture *fx = *state;
	static const uint32_t units[] = { 0, 512, 4096, 8192 };
	static const size_t lens[] = { 16, 48, 512, 8192, 3 * 8192 };
	struct azihsm_key *k1 = import(fx, AZIHSM_KEY_AES_XTS_BULK, xts_raw);
	struct azihsm_key *k2 = import(fx, AZIHSM_KEY_AES_XTS_BULK, xts_raw + 32);
	size_t max = 3 * 8192, u, l, len;
	uint8_t *pt = malloc(max), *ct = malloc(max), *want = malloc(max);
	uint8_t tweak[16] = { 0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 7 };
	uint8_t swapped[64];

	assert_non_null(pt && ct && want);
	for (u = 0; u < sizeof(units) / sizeof(units[0]); u++) {
		for (l = 0; l < sizeof(lens) / sizeof(lens[0]); l++) {
			len = lens[l];
			if (units[u] && len % units[u])
				continue;
			fill(pt, len, (uint8_t)(u * 5 + l));
			assert_int_equal(azihsm_aes_xts(k1, k2, true, units[u], tweak,
							pt, len, ct), AZIHSM_OK);
			assert_false(azihsm_aes_fips_approved());
			/* The tweak's carry crosses bytes 0-7 into byte 8. */
			host_xts(true, xts_raw, tweak, units[u], pt, len, want);
			assert_memory_equal(ct, want, len);
			/* Decrypt in place. */
			assert_int_equal(azihsm_aes_xts(k1, k2, false, units[u], tweak,
							ct, len, ct), AZIHSM_OK);
			assert_memory_equal(ct, pt, len);
		}
	}
	/* The keys' roles: key1 the data, key2 the tweak. */
	memcpy(swapped, xts_raw + 32, 32);
	memcpy(swapped + 32, xts_raw, 32);
	assert_int_equal(azihsm_aes_xts(k2, k1, true, 0, tweak, pt, 512, ct), AZIHSM_OK);
	host_xts(true, swapped, tweak, 0, pt, 512, want);
	assert_memory_equal(ct, want, 512);
	host_xts(true, xts_raw, tweak, 0, pt, 512, want);
	assert_memory_not_equal(ct, want, 512);
	free(pt);
	free(ct);
	free(want);
	azihsm_key_free(k1);
	azihsm_key_free(k2);
}

static void test_xts_refusals(void **state)
{
	struct fixture *fx = *state;
	struct azihsm_key *k1 = gen(fx, 0, AZIHSM_KEY_AES_XTS_BULK, NULL);
	struct azihsm_key *k2 = gen(fx, 0, AZIHSM_KEY_AES_XTS_BULK, NULL);
	struct azihsm_key *gcm = gen(fx, 0, AZIHSM_KEY_AES_GCM_BULK, NULL);
	struct azihsm_key *other = gen(fx, 1, AZIHSM_KEY_AES_XTS_BULK, NULL);
	uint8_t in[1024], out[1024], tweak[16] = { 0 };

	const struct {
		struct azihsm_key *k1, *k2;
		uint32_t unit;
		const uint8_t *tweak;
		size_t len;
		int want;
	} cases[] = {
		{ k1, k2, 512, tweak, 1024, AZIHSM_OK },
		/* Lengths and data units. */
		{ k1, k2, 0, tweak, 0, AZIHSM_ERR_INVALID_ARG },
		{ k1, k2, 0, tweak, 24, AZIHSM_ERR_INVALID_ARG },
		{ k1, k2, 4096, tweak, 1024, AZIHSM_ERR_INVALID_ARG },
		{ k1, k2, 1024, tweak, 1024, AZIHSM_ERR_INVALID_ARG },
		{ k1, k2, 0, NULL, 16, AZIHSM_ERR_INVALID_ARG },
		/* Keys: one key twice, keys of two handles, wrong types. */
		{ k1, k1, 0, tweak, 16, AZIHSM_ERR_INVALID_ARG },
		{ k1, other, 0, tweak, 16, AZIHSM_ERR_INVALID_ARG },
		{ k1, NULL, 0, tweak, 16, AZIHSM_ERR_INVALID_ARG },
		{ gcm, k2, 0, tweak, 16, AZIHSM_ERR_KEY_TYPE },
		{ k1, gcm, 0, tweak, 16, AZIHSM_ERR_KEY_TYPE },
	};
	size_t i;

	fill(in, sizeof(in), 3);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (azihsm_aes_xts(cases[i].k1, cases[i].k2, true, cases[i].unit,
				   cases[i].tweak, in, cases[i].len, out) != cases[i].want)
			fail_msg("case %zu: not %d", i, cases[i].want);
	assert_int_equal(azihsm_aes_gcm_encrypt(k1, NULL, NULL, 0, in, 16, out, tweak,
						tweak), AZIHSM_ERR_KEY_TYPE);
	/* Without the library's check, the device tells a GCM key (table A). */
	k2->bulk_id = gcm->bulk_id;
	memset(out, 0x55, sizeof(out));
	assert_int_equal(azihsm_aes_xts(k1, k2, true, 0, tweak, in, 16, out),
			 AZIHSM_ERR_KEY_TYPE);
	assert_last(AZIHSM_ERR_KEY_TYPE, AZIHSM_AES_STS_INVALID_FIELD_XTS,
		    AZIHSM_AES_XTS_ERR_KEY2_NOT_XTS);
	assert_true(all_zero(out, 16));
	assert_int_equal(out[16], 0x55);
	k2->bulk_id = other->bulk_id;
	assert_int_equal(azihsm_aes_xts(k1, k2, true, 0, tweak, in, 16, out), AZIHSM_OK);

	/* A deleted key. */
	assert_int_equal(azihsm_key_delete(other), AZIHSM_OK);
	assert_int_equal(azihsm_aes_xts(k1, k2, true, 0, tweak, in, 16, out),
			 AZIHSM_ERR_KEY_NOT_FOUND);
	assert_last(AZIHSM_ERR_KEY_NOT_FOUND, AZIHSM_AES_STS_INVALID_FIELD_XTS,
		    AZIHSM_AES_XTS_ERR_INVALID_KEY2);
	azihsm_key_free(k2);
	assert_int_equal(azihsm_key_delete(k1), AZIHSM_OK);
	assert_int_equal(azihsm_key_delete(gcm), AZIHSM_OK);
}

/* ---- Keys of the wrong kind, sessions ---- */

static void test_gcm_refusals(void **state)
{
	struct fixture *fx = *state;
	struct azihsm_key *gcm = gen(fx, 0, AZIHSM_KEY_AES_GCM_BULK, NULL);
	struct azihsm_key *aes = gen(fx, 0, AZIHSM_KEY_AES_256, NULL);
	struct azihsm_key *xts = gen(fx, 0, AZIHSM_KEY_AES_XTS_BULK, NULL);
	uint8_t buf[32] = { 0 }, tag[16], iv[12];

	assert_int_equal(azihsm_aes_gcm_encrypt(aes, iv, NULL, 0, buf, 16, buf, tag, iv),
			 AZIHSM_ERR_KEY_TYPE);
	assert_int_equal(azihsm_aes_gcm_decrypt(xts, iv, NULL, 0, buf, 16, tag, buf),
			 AZIHSM_ERR_KEY_TYPE);
	assert_int_equal(azihsm_aes_gcm_encrypt(NULL, iv, NULL, 0, buf, 16, buf, tag, iv),
			 AZIHSM_ERR_INVALID_ARG);
	assert_int_equal(azihsm_aes_gcm_encrypt(gcm, iv, NULL, 5, buf, 16, buf, tag, iv),
			 AZIHSM_ERR_INVALID_ARG);
	assert_int_equal(azihsm_aes_gcm_encrypt(gcm, iv, NULL, 0, NULL, 16, buf, tag, iv),
			 AZIHSM_ERR_INVALID_ARG);
	assert_int_equal(azihsm_aes_gcm_encrypt(gcm, iv, NULL, 0, buf, 16, buf, NULL, iv),
			 AZIHSM_ERR_INVALID_ARG);
	assert_int_equal(azihsm_aes_gcm_decrypt(gcm, iv, NULL, 0, buf, 16, NULL, buf),
			 AZIHSM_ERR_INVALID_ARG);
	assert_int_equal(azihsm_aes_gcm_encrypt(gcm, iv, buf, AZIHSM_AES_FAST_MAX_LEN + 1,
						buf, 16, buf, tag, iv),
			 AZIHSM_ERR_INVALID_ARG);
	/* The device checks the key's type too (table B). */
	xts->type = AZIHSM_KEY_AES_GCM_BULK;
	assert_int_equal(azihsm_aes_gcm_encrypt(xts, iv, NULL, 0, buf, 16, buf, tag, iv),
			 AZIHSM_ERR_KEY_TYPE);
	assert_last(AZIHSM_ERR_KEY_TYPE, AZIHSM_AES_STS_INVALID_FIELD_GCM,
		    AZIHSM_AES_GCM_ERR_NOT_GCM_KEY);
	xts->type = AZIHSM_KEY_AES_XTS_BULK;
	assert_int_equal(azihsm_key_delete(xts), AZIHSM_OK);
	assert_int_equal(azihsm_key_delete(aes), AZIHSM_OK);
	assert_int_equal(azihsm_key_delete(gcm), AZIHSM_OK);
}

static void test_sessions(void **state)
{
	struct fixture *fx = *state;
	struct azihsm_key_params sess_scope = { .session = true };
	struct azihsm_key *mine = gen(fx, 0, AZIHSM_KEY_AES_GCM_BULK, &sess_scope);
	struct azihsm_key *app = gen(fx, 0, AZIHSM_KEY_AES_GCM_BULK, NULL);
	uint8_t buf[16] = { 0 }, tag[16], iv[12];
	struct azihsm_dev *dev0 = fx->dev[0];

	/* Through the other handle's session: the device refuses a session
	 * key of another session, and takes an app-scoped key. */
	mine->dev = fx->dev[1];
	app->dev = fx->dev[1];
	assert_int_equal(azihsm_aes_gcm_encrypt(mine, NULL, NULL, 0, buf, 16, buf, tag, iv),
			 AZIHSM_ERR_KEY_USAGE);
	assert_last(AZIHSM_ERR_KEY_USAGE, AZIHSM_AES_STS_INVALID_FIELD_GCM,
		    AZIHSM_AES_GCM_ERR_SESSION);
	assert_int_equal(azihsm_aes_gcm_encrypt(app, NULL, NULL, 0, buf, 16, buf, tag, iv),
			 AZIHSM_OK);
	mine->dev = dev0;
	app->dev = dev0;
	assert_int_equal(azihsm_aes_gcm_encrypt(mine, NULL, NULL, 0, buf, 16, buf, tag, iv),
			 AZIHSM_OK);

	/* A session key ends with its session; a handle without one. */
	assert_int_equal(azihsm_session_close(fx->sess[0]), AZIHSM_OK);
	fx->sess[0] = NULL;
	assert_int_equal(azihsm_aes_gcm_encrypt(app, NULL, NULL, 0, buf, 16, buf, tag, iv),
			 AZIHSM_ERR_NO_SESSION);
	assert_int_equal(azihsm_session_open(dev0, app_id, app_pin, &fx->sess[0]),
			 AZIHSM_OK);
	assert_int_equal(azihsm_aes_gcm_encrypt(mine, NULL, NULL, 0, buf, 16, buf, tag, iv),
			 AZIHSM_ERR_KEY_NOT_FOUND);
	assert_last(AZIHSM_ERR_KEY_NOT_FOUND, AZIHSM_AES_STS_INVALID_FIELD_GCM,
		    AZIHSM_AES_GCM_ERR_INVALID_KEY);
	azihsm_key_free(mine);
	assert_int_equal(azihsm_key_delete(app), AZIHSM_OK);
}

/* ---- The emulated driver's checks, below the library ---- */

static int raw_cmd(struct azihsm_dev *dev, struct azihsm_transport_aes_cmd *cmd)
{
	int ret;

	pthread_mutex_lock(&dev->lock);
	ret = dev->ops->aes_cmd(dev->ctx, cmd);
	pthread_mutex_unlock(&dev->lock);
	return ret;
}

static void test_emulated_driver_checks(void **state)
{
	struct fixture *fx = *state;
	struct azihsm_key *key = gen(fx, 0, AZIHSM_KEY_AES_GCM_BULK, NULL);
	uint8_t src[64] = { 0 }, dst[64];
	struct azihsm_transport_aes_cmd good = {
		.cipher = AZIHSM_TRANSPORT_AES_GCM,
		.op = AZIHSM_TRANSPORT_AES_ENCRYPT,
		.src = src, .src_len = 45, .dst = dst, .dst_len = 45,
		.session_id = azihsm_session_id(fx->sess[0]),
		.short_app_id = azihsm_session_short_app_id(fx->sess[0]),
		.gcm = { .key_id = key->bulk_id, .actual_aad_len = 3,
			 .aligned_aad_len = 32, .tail_protocol = true },
	}, c;
	static const struct {
		const char *what;
		uint32_t ext;
	} cases[] = {
		{ "session id", AZIHSM_EXT_AES_SESSION_ID_MISMATCH },
		{ "app id", AZIHSM_EXT_AES_SHORT_APP_ID_MISMATCH },
		{ "opcode", AZIHSM_EXT_AES_INVALID_OPCODE },
		{ "cipher", AZIHSM_EXT_AES_INVALID_CIPHER },
		{ "AAD region", AZIHSM_EXT_AES_GCM_VALIDATION },
		{ "AAD is everything", AZIHSM_EXT_AES_GCM_VALIDATION },
		{ "short destination", AZIHSM_EXT_AES_GCM_VALIDATION },
		{ "XTS units", AZIHSM_EXT_AES_XTS_VALIDATION },
		{ "no source", AZIHSM_EXT_AES_INVALID_INPUT_BUFFER },
		{ "no destination", AZIHSM_EXT_AES_INVALID_OUTPUT_BUFFER },
	};
	size_t i;

	c = good;
	assert_int_equal(raw_cmd(fx->dev[0], &c), 0);
	assert_int_equal(c.result, 0);
	/* LEN plus the tail; the tail went through its own buffer. */
	assert_int_equal(c.byte_count, 45);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		c = good;
		switch (i) {
		case 0: c.session_id ^= 1; break;
		case 1: c.short_app_id ^= 1; break;
		case 2: c.op = 2; break;
		case 3: c.cipher = 2; break;
		case 4: c.gcm.aligned_aad_len = 16; break;
		case 5: c.gcm.actual_aad_len = 45; break;
		case 6: c.dst_len = 20; break;
		case 7:
			c.cipher = AZIHSM_TRANSPORT_AES_XTS;
			c.src_len = c.dst_len = 48;
			c.xts.data_unit = AZIHSM_AES_DUL_512;
			break;
		case 8: c.src = NULL; break;
		case 9: c.dst = NULL; break;
		}
		c.result = 0;
		c.ext_status = 0;
		if (raw_cmd(fx->dev[0], &c) != -EINVAL || c.ext_status != cases[i].ext)
			fail_msg("%s: ext %u, want %u", cases[i].what, c.ext_status,
				 cases[i].ext);
	}
	/* Without the tail protocol the device sees the odd length. */
	c = good;
	c.gcm.tail_protocol = false;
	assert_int_equal(raw_cmd(fx->dev[0], &c), 0);
	assert_int_equal(c.result, AZIHSM_AES_STS_INVALID_FIELD_GCM);
	assert_int_equal(c.ext_status, AZIHSM_AES_GCM_ERR_SRC_LEN);
	assert_int_equal(azihsm_key_delete(key), AZIHSM_OK);
}

/* ---- A scripted transport ---- */

struct scripted {
	struct fake_device fake;
	int ret;
	uint32_t result, ext, byte_count;
	bool fips;
	unsigned int calls;
};

static int scripted_aes(void *ctx, struct azihsm_transport_aes_cmd *cmd)
{
	struct scripted *s = ctx;

	s->calls++;
	cmd->result = s->result;
	cmd->ext_status = s->ext;
	cmd->byte_count = s->byte_count;
	cmd->fips_approved = s->fips;
	if (!s->ret && !s->result && cmd->dst_len)
		memset(cmd->dst, 0x77, cmd->dst_len);
	return s->ret;
}

static const struct azihsm_transport_ops scripted_ops = {
	.name = "scripted",
	.hsm_cmd = fake_hsm_cmd,
	.dev_info = fake_dev_info,
	.aes_cmd = scripted_aes,
};

/* A key handle on dev that borrows sess (white-box). */
static void scripted_key(struct azihsm_dev *dev, struct azihsm_session *sess,
			 uint32_t type, uint32_t bulk_id, struct azihsm_key *key)
{
	memset(key, 0, sizeof(*key));
	key->dev = dev;
	key->type = type;
	key->bulk_id = bulk_id;
	dev->sess = sess;
}

static void test_transports(void **state)
{
	struct fixture *fx = *state;
	struct scripted s;
	struct fake_device plain;
	struct azihsm_dev *dev, *none;
	struct azihsm_key gcm, x1, x2;
	uint8_t buf[32] = { 0 }, out[32], tag[16], iv[12];

	memset(&s, 0, sizeof(s));
	fake_device_init(&s.fake);
	fake_device_init(&plain);
	assert_int_equal(azihsm_open_transport(&scripted_ops, &s, &dev), AZIHSM_OK);
	assert_int_equal(azihsm_open_transport(&fake_ops, &plain, &none), AZIHSM_OK);

	/* No aes_cmd: no fast path. */
	scripted_key(none, fx->sess[0], AZIHSM_KEY_AES_GCM_BULK, 1, &gcm);
	assert_int_equal(azihsm_aes_gcm_encrypt(&gcm, NULL, NULL, 0, buf, 16, buf, tag, iv),
			 AZIHSM_ERR_NOT_SUPPORTED);
	none->sess = NULL;

	/* The service indicator comes from the device, also on failure. */
	scripted_key(dev, fx->sess[0], AZIHSM_KEY_AES_GCM_BULK, 1, &gcm);
	s.fips = true;
	assert_int_equal(azihsm_aes_gcm_encrypt(&gcm, NULL, NULL, 0, buf, 16, buf, tag, iv),
			 AZIHSM_OK);
	assert_true(azihsm_aes_fips_approved());
	s.result = AZIHSM_AES_STS_CRYPTO_ENGINE_ERROR;
	s.ext = 0xa;
	assert_int_equal(azihsm_aes_gcm_decrypt(&gcm, iv, NULL, 0, buf, 16, tag, buf),
			 AZIHSM_ERR_DEVICE);
	assert_last(AZIHSM_ERR_DEVICE, AZIHSM_AES_STS_CRYPTO_ENGINE_ERROR, 0xa);
	assert_true(azihsm_aes_fips_approved());
	/* A call refused before the device resets it. */
	assert_int_equal(azihsm_aes_gcm_encrypt(&gcm, NULL, NULL, 0, NULL, 16, buf, tag, iv),
			 AZIHSM_ERR_INVALID_ARG);
	assert_false(azihsm_aes_fips_approved());

	/* Driver refusals: errno and extended status. */
	s.result = 0;
	s.fips = false;
	s.ret = -EINVAL;
	s.ext = AZIHSM_EXT_AES_SESSION_ID_MISMATCH;
	assert_int_equal(azihsm_aes_gcm_encrypt(&gcm, NULL, NULL, 0, buf, 16, buf, tag, iv),
			 AZIHSM_ERR_SESSION_MISMATCH);
	s.ext = AZIHSM_EXT_AES_NO_SESSION;
	assert_int_equal(azihsm_aes_gcm_encrypt(&gcm, NULL, NULL, 0, buf, 16, buf, tag, iv),
			 AZIHSM_ERR_NO_SESSION);
	s.ext = AZIHSM_EXT_AES_GCM_VALIDATION;
	assert_int_equal(azihsm_aes_gcm_encrypt(&gcm, NULL, NULL, 0, buf, 16, buf, tag, iv),
			 AZIHSM_ERR_DRIVER);
	s.ret = -EBADRQC;	/* a driver without the AES ioctls */
	s.ext = 0;
	assert_int_equal(azihsm_aes_gcm_encrypt(&gcm, NULL, NULL, 0, buf, 16, buf, tag, iv),
			 AZIHSM_ERR_NOT_SUPPORTED);

	/* An XTS answer of another length than asked is not handed out. */
	scripted_key(dev, fx->sess[0], AZIHSM_KEY_AES_XTS_BULK, 1, &x1);
	scripted_key(dev, fx->sess[0], AZIHSM_KEY_AES_XTS_BULK, 2, &x2);
	s.ret = 0;
	s.byte_count = 16;
	assert_int_equal(azihsm_aes_xts(&x1, &x2, true, 0, tag, buf, 32, out),
			 AZIHSM_ERR_MALFORMED);
	assert_true(all_zero(out, sizeof(out)));
	s.byte_count = 32;
	assert_int_equal(azihsm_aes_xts(&x1, &x2, true, 0, tag, buf, 32, out), AZIHSM_OK);
	assert_int_equal(out[31], 0x77);
	assert_int_equal(s.calls, 8);

	dev->sess = NULL;
	azihsm_close(dev);
	azihsm_close(none);
}

static void test_status_text(void **state)
{
	char line[128];
	struct azihsm_error err = {
		.status = AZIHSM_ERR_AUTH_FAILED,
		.device_status = AZIHSM_AES_STS_INVALID_FIELD_GCM,
		.ext_status = AZIHSM_AES_GCM_ERR_TAG_MISMATCH,
	};

	(void)state;
	assert_string_equal(azihsm_strerror(AZIHSM_ERR_AUTH_FAILED),
			    "authentication failed (GCM tag mismatch)");
	/* Later codes may follow; AUTH_FAILED stays within the range. */
	assert_true(AZIHSM_ERR_LAST <= AZIHSM_ERR_AUTH_FAILED);
	assert_int_equal(azihsm_error_format(&err, line, sizeof(line)), AZIHSM_OK);
	assert_string_equal(line, "authentication failed (GCM tag mismatch)");
	err.status = AZIHSM_ERR_SESSION_MISMATCH;
	err.sys_errno = EINVAL;
	err.ext_status = AZIHSM_EXT_AES_SHORT_APP_ID_MISMATCH;
	assert_int_equal(azihsm_error_format(&err, line, sizeof(line)), AZIHSM_OK);
	assert_non_null(strstr(line, "extended status 0x6c (short app id mismatch)"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_bulk_keys, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gcm_known_answers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gcm_device_iv, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gcm_tamper, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gcm_engine_tag_mismatch, setup, teardown),
		cmocka_unit_test_setup_teardown(test_xts_known_answers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_xts_refusals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gcm_refusals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sessions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_emulated_driver_checks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_transports, setup, teardown),
		cmocka_unit_test(test_status_text),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
