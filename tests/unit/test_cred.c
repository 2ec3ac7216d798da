// SPDX-License-Identifier: MIT
/*
 * The shared DDI crypto constructions against the spec's vectors:
 * credential encryption (ddi.md 7.2), KBKDF-384 (7.5), the masked key blob
 * (7.7.7), and the raw P-384 public-key checks (7.1.2).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "azihsm/ddi.h"
#include "azihsm/ddi_crypto.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Hex string (spaces allowed) to bytes; returns the length. */
static size_t unhex(const char *s, uint8_t *out, size_t cap)
{
	size_t n = 0;
	int hi = -1;

	for (; *s; s++) {
		int v;

		if (*s == ' ' || *s == '\n')
			continue;
		v = *s <= '9' ? *s - '0' : (*s | 0x20) - 'a' + 10;
		if (hi < 0) {
			hi = v;
			continue;
		}
		assert_true(n < cap);
		out[n++] = (uint8_t)(hi << 4 | v);
		hi = -1;
	}
	assert_int_equal(hi, -1);
	return n;
}

/* A byte array named name holding the hex string str. */
#define HEX(name, str) \
	uint8_t name[sizeof(str) / 2]; \
	unhex(str, name, sizeof(name))

/* 7.2 test vector. */
#define V_D_DEV "0102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F202122232425262728292A2B2C2D2E2F30"
#define V_D_H "4142434445464748494A4B4C4D4E4F505152535455565758595A5B5C5D5E5F606162636465666768696A6B6C6D6E6F70"
#define V_PH_RAW "AB8EFD41748BE923431972E49B8F2AFE30DF36703C6CB775C56AD1F9E18742283DBECFB3285BA5BD75E6256FE3D3D1DC" \
		 "E4AA1656BA64C8BB44C6DB00DC5712FAC58949E678814947DDB3F7EF89507CD052F2006C2F59EBFE97FF47A042288C4F"
#define V_PDEV_X "C76F2283DDA95CD49B0ED9E733D2904474E37216F124E13D2C9AB4CF01021C49AD9CABB3D0B97499AEF2F0AB313FA028"
#define V_PDEV_Y "26BC1F83451B5C8962A75CAFF73588D4400A6296436154FB343C393E91048A6C7BCBADC83CD8A5F26FEAE883156F92A1"
#define V_Z "4506B6844FEC66EACAAFA353F344EF68E64416F9AB4051A4C54C7C13C7D3F92DF2449D0783DCE977257E1029E3B0BCC7"
#define V_N "A0A1A2A3A4A5A6A7A8A9AAABACADAEAFA0A1A2A3A4A5A6A7A8A9AAABACADAEAF"
#define V_KENC "17C56A5ECEC3A1688A6BD51DE8696F22AC63FB968A3268C9544A68E662B1DBD3"
#define V_KMAC "8989E0AB862C52ED479AF6847AB9795FE7C5AC8FA9AB76A032AC2261B1797185ECF58ADD8147C66306DF16968A07C841"
#define V_IV "F0F1F2F3F4F5F6F7F8F9FAFBFCFDFEFF"
#define V_ID_PIN "6170702D69642D303132333435363738" "70696E2D303132333435363738396162"
#define V_SEED "101112131415161718191A1B1C1D1E1F202122232425262728292A2B2C2D2E2F303132333435363738393A3B3C3D3E3F"
#define V_CT "CE93CFA41B684B315DBDC53648718A88" "D1430DE191034A35E24242FE409B19D0" \
	     "A2761680D5EEED157AF0AC16E975271B072106B04E0B3AD9E4D398E0B663FC3F5BA829C8D58A7329C57B1E0F42280244"
#define V_TAG_SESSION "08BECC4E819E5633C0FA44C379294E1EE0A163E5760A5EEDFFA7B43B186D467BE14BAD864EBAE3312CA6AA1300D8D3BF"
#define V_TAG_ESTABLISH "E7FC2F5D3D82F6EF2A7D05502562B91249FE4D3B518CFAAA88210C251F632BA3CBD242625F8918C97C12112B58599852"

static void test_cred_vector_keys(void **state)
{
	HEX(d_dev, V_D_DEV);
	HEX(d_h, V_D_H);
	HEX(ph_raw, V_PH_RAW);
	HEX(x, V_PDEV_X);
	HEX(y, V_PDEV_Y);
	HEX(z_want, V_Z);
	HEX(n, V_N);
	HEX(kenc, V_KENC);
	HEX(kmac, V_KMAC);
	uint8_t raw[DDI_P384_RAW_PUB_LEN], pt[DDI_P384_POINT_LEN], z[DDI_P384_LEN];
	struct ddi_cred_keys keys;
	DDI_PKEY *dev, *host;

	(void)state;
	dev = ddi_p384_from_private(d_dev);
	host = ddi_p384_from_private(d_h);
	assert_non_null(dev);
	assert_non_null(host);

	assert_int_equal(ddi_p384_public_point(dev, pt), 0);
	assert_int_equal(pt[0], 0x04);
	assert_memory_equal(pt + 1, x, 48);
	assert_memory_equal(pt + 49, y, 48);
	assert_int_equal(ddi_p384_public_raw(host, raw), 0);
	assert_memory_equal(raw, ph_raw, sizeof(raw));

	/* Both ends of the ECDH agree on Z. */
	assert_int_equal(ddi_ecdh_p384(host, dev, z), 0);
	assert_memory_equal(z, z_want, sizeof(z));
	assert_int_equal(ddi_ecdh_p384(dev, host, z), 0);
	assert_memory_equal(z, z_want, sizeof(z));

	assert_int_equal(ddi_cred_derive_keys(z, n, &keys), 0);
	assert_memory_equal(keys.enc, kenc, sizeof(keys.enc));
	assert_memory_equal(keys.mac, kmac, sizeof(keys.mac));
	ddi_pkey_free(dev);
	ddi_pkey_free(host);
}

/* The host-side seal reproduces the vector for both credential shapes. */
static void test_cred_vector_seal(void **state)
{
	HEX(d_h, V_D_H);
	HEX(ph_raw, V_PH_RAW);
	HEX(x, V_PDEV_X);
	HEX(y, V_PDEV_Y);
	HEX(n, V_N);
	HEX(iv, V_IV);
	HEX(id_pin, V_ID_PIN);
	HEX(seed, V_SEED);
	HEX(ct, V_CT);
	HEX(tag_s, V_TAG_SESSION);
	HEX(tag_e, V_TAG_ESTABLISH);
	uint8_t dev_raw[DDI_P384_RAW_PUB_LEN], pt[80];
	struct ddi_cred_sealed out;
	DDI_PKEY *host;

	(void)state;
	ddi_reverse(dev_raw, x, 48);
	ddi_reverse(dev_raw + 48, y, 48);
	host = ddi_p384_from_private(d_h);
	assert_non_null(host);

	memcpy(pt, id_pin, 32);
	memcpy(pt + 32, seed, 48);
	assert_int_equal(ddi_cred_seal(dev_raw, sizeof(dev_raw), n, pt, 80, host,
				       iv, &out), AZIHSM_DDI_STATUS_SUCCESS);
	assert_memory_equal(out.host_pub, ph_raw, sizeof(out.host_pub));
	assert_int_equal(out.ct_len, 80);
	assert_memory_equal(out.ct, ct, 80);
	assert_memory_equal(out.tag, tag_s, 48);
	assert_memory_equal(out.iv, iv, 16);
	assert_memory_equal(out.nonce, n, 32);

	assert_int_equal(ddi_cred_seal(dev_raw, sizeof(dev_raw), n, pt, 32, host,
				       iv, &out), AZIHSM_DDI_STATUS_SUCCESS);
	assert_memory_equal(out.ct, ct, 32);
	assert_memory_equal(out.tag, tag_e, 48);

	/* Random ephemeral key and IV: a different ciphertext every time. */
	assert_int_equal(ddi_cred_seal(dev_raw, sizeof(dev_raw), n, pt, 32, NULL,
				       NULL, &out), AZIHSM_DDI_STATUS_SUCCESS);
	assert_memory_not_equal(out.ct, ct, 32);

	/* Plaintexts that are not whole blocks are refused. */
	assert_int_equal(ddi_cred_seal(dev_raw, sizeof(dev_raw), n, pt, 20, host,
				       iv, &out), AZIHSM_DDI_STATUS_INVALID_ARG);
	assert_int_equal(ddi_cred_seal(dev_raw, sizeof(dev_raw), n, pt, 96, host,
				       iv, &out), AZIHSM_DDI_STATUS_INVALID_ARG);
	ddi_pkey_free(host);
}

static void test_kbkdf_check_value(void **state)
{
	HEX(want, "5FB8D42457B25494E26A5AA09CE133B194AF35D77ED526547C553044947F4A11"
		  "FA55A033CEF2DEFC082DA958EA784342");
	uint8_t key[48], out[48], label[257] = { 0 };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(key); i++)
		key[i] = (uint8_t)(0x30 + i);
	assert_int_equal(ddi_kbkdf_sha384(key, sizeof(key),
					  (const uint8_t *)"SESSION_BK3", 11,
					  NULL, 0, out, sizeof(out)), 0);
	assert_memory_equal(out, want, sizeof(out));
	/* Limits of 7.5. */
	assert_int_equal(ddi_kbkdf_sha384(key, sizeof(key), label, 257, NULL, 0,
					  out, sizeof(out)), -1);
	assert_int_equal(ddi_kbkdf_sha384(key, sizeof(key), label, 1, NULL, 0,
					  out, 0), -1);
}

/* 7.7.4 metadata and the 7.7.7 blob. */
static const char masked_vector[] =
	"01 00 01 00 10 00 00 00 4D 00 03 00 30 00 00 00"
	"30 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00"
	"00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00"
	"00 00 00 00 5A 5A 5A 5A 5A 5A 5A 5A 5A 5A 5A 5A"
	"5A 5A 5A 5A A6 18 01 1B 00 00 00 00 00 00 00 01"
	"18 02 1A 00 00 00 0C 18 03 A1 18 01 80 00 20 20"
	"0C 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00"
	"00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 18"
	"04 19 00 00 18 06 83 00 00 00 00 00 18 07 19 00"
	"20 00 00 00 1E 40 A1 E9 3A 9A F3 9A A6 65 91 BA"
	"18 50 16 EA 7D BB 52 6C 26 DB 6E C7 C3 73 EA C6"
	"D6 F6 F1 95 A9 DB CF 24 BB 63 F3 30 7B 3A CC 3D"
	"84 DB 93 D4 92 FC 1E 81 EF 2A F9 5E 8B 8C F6 B0"
	"D1 3E F2 9B B9 6F 77 5A 87 51 0E 0C 3A 40 13 E9"
	"40 A9 F5 21 88 75 4C 44 66 D8 3F 84 74 29 E3 B6"
	"66 45 E4 71";

static void vector_inputs(uint8_t mk[80], uint8_t iv[16], uint8_t key[32],
			  uint8_t attrs[32], struct ddi_masked_key_meta *meta)
{
	size_t i;

	for (i = 0; i < 80; i++)
		mk[i] = (uint8_t)(0x80 + i);
	memset(iv, 0x5a, 16);
	for (i = 0; i < 32; i++)
		key[i] = (uint8_t)i;
	memset(attrs, 0, 32);
	attrs[0] = 0x20;	/* flag word 0x0C20: local | encrypt | decrypt */
	attrs[1] = 0x0c;
	*meta = (struct ddi_masked_key_meta){
		.has_svn = true, .svn = 1, .key_type = 0x0c,
		.attrs.blob = { attrs, 32 },
		.has_bks2_index = true, .bks2_index = 0,
		.key_label = { (const uint8_t *)"", 0 }, .key_length = 32,
	};
}

static void test_masked_key_vector(void **state)
{
	uint8_t mk[80], iv[16], key[32], attrs[32], blob[300], want[300], pt[64];
	struct ddi_masked_key_meta meta, got_meta;
	size_t want_len = unhex(masked_vector, want, sizeof(want));
	size_t len, pt_len;

	(void)state;
	assert_int_equal(want_len, 244);
	vector_inputs(mk, iv, key, attrs, &meta);
	len = ddi_mask_key(mk, &meta, key, sizeof(key), iv, blob, sizeof(blob));
	assert_int_equal(len, want_len);
	assert_memory_equal(blob, want, want_len);

	/* Metadata without the key; then the key back. */
	assert_true(ddi_masked_key_meta(blob, len, &got_meta));
	assert_int_equal(got_meta.svn, 1);
	assert_int_equal(got_meta.key_type, 0x0c);
	assert_int_equal(got_meta.key_length, 32);
	assert_int_equal(ddi_unmask_key(mk, blob, len, &got_meta, pt, sizeof(pt),
					&pt_len), AZIHSM_DDI_STATUS_SUCCESS);
	assert_int_equal(pt_len, 32);
	assert_memory_equal(pt, key, 32);

	/* Too small an output buffer. */
	assert_int_equal(ddi_unmask_key(mk, blob, len, &got_meta, pt, 16, &pt_len),
			 AZIHSM_DDI_STATUS_MASKED_KEY_INVALID_LENGTH);
	/* Does not fit. */
	assert_int_equal(ddi_mask_key(mk, &meta, key, sizeof(key), iv, blob, 243), 0);
}

static void test_masked_key_rejects(void **state)
{
	uint8_t mk[80], iv[16], key[32], attrs[32], blob[300], pt[64];
	struct ddi_masked_key_meta meta;
	size_t len, pt_len, i;
	static const size_t flips[] = { 0, 2, 4, 8, 20, 60, 150, 243 };

	(void)state;
	vector_inputs(mk, iv, key, attrs, &meta);
	len = ddi_mask_key(mk, &meta, key, sizeof(key), NULL, blob, sizeof(blob));
	assert_int_equal(len, 244);

	/* Any flipped byte (header, IV, metadata, ciphertext, tag) is caught. */
	for (i = 0; i < ARRAY_SIZE(flips); i++) {
		blob[flips[i]] ^= 0x01;
		assert_int_equal(ddi_unmask_key(mk, blob, len, &meta, pt, sizeof(pt),
						&pt_len),
				 AZIHSM_DDI_STATUS_MASKED_KEY_DECODE_FAILED);
		blob[flips[i]] ^= 0x01;
	}
	/* Truncated, extended, or under another key. */
	assert_int_equal(ddi_unmask_key(mk, blob, len - 4, &meta, pt, sizeof(pt),
					&pt_len), AZIHSM_DDI_STATUS_MASKED_KEY_DECODE_FAILED);
	assert_int_equal(ddi_unmask_key(mk, blob, len + 4, &meta, pt, sizeof(pt),
					&pt_len), AZIHSM_DDI_STATUS_MASKED_KEY_DECODE_FAILED);
	assert_int_equal(ddi_unmask_key(mk, blob, 10, &meta, pt, sizeof(pt),
					&pt_len), AZIHSM_DDI_STATUS_MASKED_KEY_DECODE_FAILED);
	mk[79] ^= 1;
	assert_int_equal(ddi_unmask_key(mk, blob, len, &meta, pt, sizeof(pt),
					&pt_len), AZIHSM_DDI_STATUS_MASKED_KEY_DECODE_FAILED);
	mk[79] ^= 1;
	assert_int_equal(ddi_unmask_key(mk, blob, len, &meta, pt, sizeof(pt),
					&pt_len), AZIHSM_DDI_STATUS_SUCCESS);
}

/* 7.1.2 raw keys: length, coordinate range, on-curve. */
static void test_raw_public_key_checks(void **state)
{
	uint8_t raw[DDI_P384_RAW_PUB_LEN], bad[DDI_P384_RAW_PUB_LEN + 4];
	DDI_PKEY *k = ddi_p384_generate(), *out;

	(void)state;
	assert_non_null(k);
	assert_int_equal(ddi_p384_public_raw(k, raw), 0);

	assert_int_equal(ddi_p384_from_raw(raw, sizeof(raw), &out), 0);
	assert_non_null(out);
	ddi_pkey_free(out);
	/* Longer input: the first 96 bytes are the key. */
	memcpy(bad, raw, sizeof(raw));
	memset(bad + sizeof(raw), 0xee, 4);
	assert_int_equal(ddi_p384_from_raw(bad, sizeof(bad), &out), 0);
	ddi_pkey_free(out);

	assert_int_equal(ddi_p384_from_raw(raw, 95, &out),
			 AZIHSM_DDI_STATUS_ECC_DER_KEY_SHORTER_THAN_CURVE);
	assert_null(out);
	/* X = p (little-endian all 0xff... is above p). */
	memcpy(bad, raw, sizeof(raw));
	memset(bad, 0xff, 48);
	assert_int_equal(ddi_p384_from_raw(bad, sizeof(raw), &out),
			 AZIHSM_DDI_STATUS_ECC_PUBLIC_KEY_VALIDATION_FAILED);
	memcpy(bad, raw, sizeof(raw));
	memset(bad + 48, 0xff, 48);
	assert_int_equal(ddi_p384_from_raw(bad, sizeof(raw), &out),
			 AZIHSM_DDI_STATUS_ECC_PUBLIC_KEY_VALIDATION_FAILED);
	/* In range but off the curve. */
	memcpy(bad, raw, sizeof(raw));
	bad[48] ^= 1;
	assert_int_equal(ddi_p384_from_raw(bad, sizeof(raw), &out),
			 AZIHSM_DDI_STATUS_ECC_POINT_VALIDATION_FAILED);
	assert_null(out);
	ddi_pkey_free(k);
}

static void test_sign_verify_raw(void **state)
{
	static const uint8_t msg[] = "endorse me";
	uint8_t sig[DDI_P384_RAW_SIG_LEN];
	DDI_PKEY *k = ddi_p384_generate(), *other = ddi_p384_generate();

	(void)state;
	assert_int_equal(ddi_p384_sign_raw(k, msg, sizeof(msg), sig), 0);
	assert_true(ddi_p384_verify_raw(k, msg, sizeof(msg), sig, sizeof(sig)));
	assert_false(ddi_p384_verify_raw(other, msg, sizeof(msg), sig, sizeof(sig)));
	assert_false(ddi_p384_verify_raw(k, msg, sizeof(msg) - 1, sig, sizeof(sig)));
	assert_false(ddi_p384_verify_raw(k, msg, sizeof(msg), sig, sizeof(sig) - 1));
	sig[0] ^= 1;
	assert_false(ddi_p384_verify_raw(k, msg, sizeof(msg), sig, sizeof(sig)));
	ddi_pkey_free(k);
	ddi_pkey_free(other);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cred_vector_keys),
		cmocka_unit_test(test_cred_vector_seal),
		cmocka_unit_test(test_kbkdf_check_value),
		cmocka_unit_test(test_masked_key_vector),
		cmocka_unit_test(test_masked_key_rejects),
		cmocka_unit_test(test_raw_public_key_checks),
		cmocka_unit_test(test_sign_verify_raw),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
