// SPDX-License-Identifier: MIT
/*
 * Hmac, HkdfDerive and KbkdfCounterHmacDerive of the firmware core against
 * Wycheproof and host-side computations, with keys brought in by the
 * test-only RawKeyImport (ddi.md 3.10, op 2008).
 *
 * HMAC vectors: the key is imported as an HMAC key of the file's hash (the
 * fixed-length type when the length is the hash's, else the variable-length
 * one if within its range, 4.1); the device's tag must start with the
 * vector's (Wycheproof truncates some tags) for valid vectors and must not
 * for invalid ones.  Keys no HMAC type of the hash can hold and messages
 * longer than Hmac takes are counted as not applicable.
 *
 * HKDF vectors: the IKM is imported as the Secret of its length (32, 48 or
 * 66 bytes; the device derives from the curve's significant bytes only),
 * derived into a variable-length HMAC key of the OKM's length, and that
 * key's tag over a fixed message must equal the host's HMAC with the
 * vector's OKM.  Other IKM and OKM lengths are not applicable.
 *
 * The vectors are build/vectors/{hkdf,hmac}_sha*.txt, made by
 * scripts/wycheproof-kdf.py (tests/wycheproof/wycheproof.mk).
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
#include <openssl/rand.h>

#include "azihsm/ddi_crypto.h"
#include "azihsm/ddi_msg.h"
#include "fw_test_util.h"
#include "host_kdf.h"
#include "vector_file.h"

#define META_SIGN_VERIFY	(DDI_KEY_META_SIGN | DDI_KEY_META_VERIFY)

static const uint8_t fixed_msg[] = "the message every derived HMAC key signs";

static uint32_t raw_import(struct sess_fix *t, uint32_t kind, const uint8_t *raw, size_t len,
			   uint16_t usage, struct ddi_raw_import_resp *r)
{
	struct key_props p;
	struct ddi_raw_import_req req = { .raw = { raw, (uint16_t)len }, .key_kind = kind };

	req.key_properties = *key_props(&p, usage);
	return sess_fix_call(t, OP(RAW_KEY_IMPORT), &ddi_raw_import_req_schema, &req,
			     &ddi_raw_import_resp_schema, r);
}

static uint16_t import_ok(struct sess_fix *t, uint32_t kind, const uint8_t *raw, size_t len,
			  uint16_t usage)
{
	struct ddi_raw_import_resp r;

	assert_int_equal(raw_import(t, kind, raw, len, usage, &r), 0);
	return r.key_id;
}

static void delete_key(struct sess_fix *t, uint16_t id)
{
	assert_int_equal(sess_fix_delete_key(t, id), 0);
}

/* Hmac of msg with key id; the tag's length. */
static size_t device_hmac(struct sess_fix *t, uint16_t id, const uint8_t *msg, size_t len,
			  uint8_t tag[DDI_HMAC_TAG_MAX])
{
	size_t tag_len;

	assert_int_equal(sess_fix_hmac(t, id, msg, len, tag, &tag_len), 0);
	return tag_len;
}

/* ---- HMAC key types by hash (4.1) ---- */

struct hmac_kind {
	const char *file;		/* build/vectors/<kind>_<file>.txt */
	const char *digest;		/* OpenSSL's name */
	uint32_t hash;			/* DdiHashAlgorithm */
	uint32_t fixed, var;		/* HmacShaN, VarHmacN */
	size_t len, var_min, var_max;
};

static const struct hmac_kind hmac_kinds[] = {
	{ "sha256", "SHA256", DDI_HASH_SHA256, DDI_KEY_HMAC_SHA256, DDI_KEY_VAR_HMAC256,
	  32, 32, 64 },
	{ "sha384", "SHA384", DDI_HASH_SHA384, DDI_KEY_HMAC_SHA384, DDI_KEY_VAR_HMAC384,
	  48, 48, 128 },
	{ "sha512", "SHA512", DDI_HASH_SHA512, DDI_KEY_HMAC_SHA512, DDI_KEY_VAR_HMAC512,
	  64, 64, 128 },
};

/* The type an HMAC key of len bytes takes, or 0 if none can. */
static uint32_t hmac_type(const struct hmac_kind *hk, size_t len)
{
	if (len == hk->len)
		return hk->fixed;
	return len >= hk->var_min && len <= hk->var_max ? hk->var : 0;
}

/* A variable-length HMAC type whose range holds len bytes, or NULL. */
static const struct hmac_kind *var_hmac_for(size_t len)
{
	size_t i;

	for (i = 0; i < sizeof(hmac_kinds) / sizeof(hmac_kinds[0]); i++)
		if (len >= hmac_kinds[i].var_min && len <= hmac_kinds[i].var_max)
			return &hmac_kinds[i];
	return NULL;
}

/* The Secret type holding an IKM of len bytes (its curve's length). */
static uint32_t secret_type(size_t len, size_t *raw_len)
{
	static const uint32_t curves[] = { DDI_ECC_P256, DDI_ECC_P384, DDI_ECC_P521 };
	size_t i;

	for (i = 0; i < sizeof(curves) / sizeof(curves[0]); i++) {
		const struct ddi_ecc_curve_info *c = ddi_ecc_curve(curves[i]);

		if (c->len == len) {
			*raw_len = c->pka;
			return c->secret_type;
		}
	}
	return 0;
}

/* The derived key id must be an HMAC key over hk whose key is okm. */
static void check_derived(struct sess_fix *t, uint16_t id, const struct hmac_kind *hk,
			  const uint8_t *okm, size_t okm_len)
{
	uint8_t got[DDI_HMAC_TAG_MAX], want[DDI_HMAC_TAG_MAX];
	size_t got_len, want_len;

	got_len = device_hmac(t, id, fixed_msg, sizeof(fixed_msg), got);
	want_len = host_hmac(hk->digest, okm, okm_len, fixed_msg, sizeof(fixed_msg), want);
	assert_int_equal(got_len, want_len);
	assert_memory_equal(got, want, want_len);
	delete_key(t, id);
}

/* ---- Fixture ---- */

static int setup(void **state)
{
	return sess_fix_setup(state, 1, true);
}

static int setup_no_test_ops(void **state)
{
	return sess_fix_setup(state, 1, false);
}

/* ---- RawKeyImport ---- */

static void test_raw_import_disabled(void **state)
{
	struct sess_fix *t = *state;
	uint8_t key[32] = { 0 };
	struct ddi_raw_import_resp r;

	assert_int_equal(raw_import(t, DDI_KEY_HMAC_SHA256, key, sizeof(key), META_SIGN_VERIFY,
				    &r), S(UNSUPPORTED_CMD));
}

static void test_raw_import_checks(void **state)
{
	struct sess_fix *t = *state;
	uint8_t key[129] = { 1 };
	struct ddi_raw_import_resp r;
	struct ddi_masked_key_meta meta;
	uint64_t flags = 0;
	int i;

	/* Kinds it does not take: ECC (a DER import) and public keys. */
	assert_int_equal(raw_import(t, DDI_KEY_ECC256_PRIVATE, key, 32, META_SIGN_VERIFY, &r),
			 S(INVALID_KEY_TYPE));
	assert_int_equal(raw_import(t, 99, key, 32, META_SIGN_VERIFY, &r), S(INVALID_KEY_TYPE));
	/* Lengths outside the kind's (4.1). */
	assert_int_equal(raw_import(t, DDI_KEY_HMAC_SHA256, key, 31, META_SIGN_VERIFY, &r),
			 S(INVALID_ARG));
	assert_int_equal(raw_import(t, DDI_KEY_VAR_HMAC256, key, 65, META_SIGN_VERIFY, &r),
			 S(INVALID_ARG));
	assert_int_equal(raw_import(t, DDI_KEY_VAR_HMAC512, key, 129, META_SIGN_VERIFY, &r),
			 S(INVALID_ARG));
	assert_int_equal(raw_import(t, DDI_KEY_SECRET521, key, 66, DDI_KEY_META_DERIVE, &r),
			 S(INVALID_ARG));
	assert_int_equal(raw_import(t, DDI_KEY_AES128, key, 0, DDI_KEY_META_ENCRYPT |
				    DDI_KEY_META_DECRYPT, &r), S(INVALID_ARG));
	/* A usage the type cannot have. */
	assert_int_equal(raw_import(t, DDI_KEY_SECRET256, key, 32, META_SIGN_VERIFY, &r),
			 S(INVALID_PERMISSIONS));

	/* Imported: no local flag, the stored length is the given one. */
	assert_int_equal(raw_import(t, DDI_KEY_VAR_HMAC384, key, 100, META_SIGN_VERIFY, &r), 0);
	assert_false(r.has_bulk_key_id);
	assert_true(ddi_masked_key_meta(r.masked_key.ptr, r.masked_key.len, &meta));
	assert_int_equal(meta.key_type, DDI_KEY_VAR_HMAC384);
	assert_int_equal(meta.key_length, 100);
	for (i = 7; i >= 0; i--)
		flags = flags << 8 | meta.attrs.blob.ptr[i];
	assert_int_equal(flags, DDI_KEY_ATTR_SIGN | DDI_KEY_ATTR_VERIFY);
	delete_key(t, r.key_id);
	delete_key(t, import_ok(t, DDI_KEY_AES256, key, 32,
				DDI_KEY_META_ENCRYPT | DDI_KEY_META_DECRYPT));
}

/* ---- Wycheproof ---- */

/* One HMAC vector; false if the device cannot take it. */
static bool hmac_vector(struct sess_fix *t, const struct hmac_kind *hk, const char *result,
			const uint8_t *key, size_t key_len, const uint8_t *msg, size_t msg_len,
			const uint8_t *tag, size_t tag_len)
{
	uint32_t type = hmac_type(hk, key_len);
	uint8_t got[DDI_HMAC_TAG_MAX];
	uint16_t id;

	if (!type || msg_len > DDI_HMAC_MSG_MAX)
		return false;
	id = import_ok(t, type, key, key_len, META_SIGN_VERIFY);
	assert_int_equal(device_hmac(t, id, msg, msg_len, got), hk->len);
	delete_key(t, id);
	assert_true(tag_len <= hk->len);
	if (!strcmp(result, "valid"))
		assert_memory_equal(got, tag, tag_len);
	else if (!strcmp(result, "invalid"))
		assert_memory_not_equal(got, tag, tag_len);
	return true;
}

static void hmac_file(struct sess_fix *t, const struct hmac_kind *hk)
{
	static char line[4096], key_hex[1024], msg_hex[2048], tag_hex[256];
	static uint8_t key[512], msg[1024], tag[DDI_HMAC_TAG_MAX];
	unsigned int header = 0, tests = 0, used = 0, id;
	char name[32], result[16];
	FILE *f;

	snprintf(name, sizeof(name), "hmac_%s.txt", hk->file);
	f = vector_file_open(name, &header);
	while (fgets(line, sizeof(line), f)) {
		size_t key_len, msg_len, tag_len;

		assert_int_equal(sscanf(line, "%u %15s %1023s %2047s %255s", &id, result, key_hex,
					msg_hex, tag_hex), 5);
		key_len = vector_hex(key_hex, key, sizeof(key));
		msg_len = vector_hex(msg_hex, msg, sizeof(msg));
		tag_len = vector_hex(tag_hex, tag, sizeof(tag));
		tests++;
		used += hmac_vector(t, hk, result, key, key_len, msg, msg_len, tag, tag_len);
	}
	fclose(f);
	assert_int_equal(tests, header);
	printf("hmac_%s: %u vectors, %u used, %u not importable (key length, or "
	       "message over 1024 bytes)\n", hk->file,
	       tests, used, tests - used);
	assert_true(used > 0);
}

static void test_hmac_vectors(void **state)
{
	size_t i;

	for (i = 0; i < sizeof(hmac_kinds) / sizeof(hmac_kinds[0]); i++)
		hmac_file(*state, &hmac_kinds[i]);
}

/* One HKDF vector; false if not applicable to the device. */
static bool hkdf_vector(struct sess_fix *t, const struct hmac_kind *hash, const char *result,
			const uint8_t *ikm, size_t ikm_len, const uint8_t *salt,
			size_t salt_len, const uint8_t *info, size_t info_len,
			const uint8_t *okm, size_t okm_len)
{
	static const uint8_t empty[1];
	const struct hmac_kind *target = var_hmac_for(okm_len);
	uint8_t raw[DDI_ECC_MAX_PKA] = { 0 };
	size_t raw_len;
	uint32_t type = secret_type(ikm_len, &raw_len);
	uint16_t secret, id;
	/* An empty salt is a present, empty salt: absent means 256 zero bytes. */
	struct fw_kdf k = {
		OP(HKDF_DERIVE), hash->hash, salt_len ? salt : empty, salt_len,
		info_len ? info : NULL, info_len, 0, META_SIGN_VERIFY, (int)okm_len
	};

	if (!type || !target || strcmp(result, "valid") ||
	    salt_len > DDI_KDF_PARAM_MAX || info_len > DDI_KDF_PARAM_MAX)
		return false;
	k.target = target->var;
	memcpy(raw, ikm, ikm_len);
	secret = import_ok(t, type, raw, raw_len, DDI_KEY_META_DERIVE);
	assert_int_equal(sess_fix_derive(t, secret, &k, &id, NULL), 0);
	delete_key(t, secret);
	check_derived(t, id, target, okm, okm_len);
	return true;
}

static void hkdf_file(struct sess_fix *t, const struct hmac_kind *hash)
{
	/* OKMs go up to 255 hash lengths: 16 KiB for SHA-512. */
	static char line[40000], ikm_hex[1024], salt_hex[1024], info_hex[1024],
		    okm_hex[32768];
	static uint8_t ikm[512], salt[512], info[512], okm[16384];
	unsigned int header = 0, tests = 0, used = 0, id, size;
	char name[32], result[16];
	FILE *f;

	snprintf(name, sizeof(name), "hkdf_%s.txt", hash->file);
	f = vector_file_open(name, &header);
	while (fgets(line, sizeof(line), f)) {
		size_t ikm_len, salt_len, info_len, okm_len;

		assert_int_equal(sscanf(line, "%u %15s %1023s %1023s %1023s %u %32767s", &id,
					result, ikm_hex, salt_hex, info_hex, &size, okm_hex), 7);
		ikm_len = vector_hex(ikm_hex, ikm, sizeof(ikm));
		salt_len = vector_hex(salt_hex, salt, sizeof(salt));
		info_len = vector_hex(info_hex, info, sizeof(info));
		okm_len = vector_hex(okm_hex, okm, sizeof(okm));
		tests++;
		used += hkdf_vector(t, hash, result, ikm, ikm_len, salt, salt_len, info,
				    info_len, okm, okm_len);
	}
	fclose(f);
	assert_int_equal(tests, header);
	printf("hkdf_%s: %u vectors, %u used, %u not applicable (IKM not 32/48/66 bytes, "
	       "OKM not 32..128 bytes, or invalid)\n", hash->file, tests, used, tests - used);
	assert_true(used > 0);
}

static void test_hkdf_vectors(void **state)
{
	size_t i;

	for (i = 0; i < sizeof(hmac_kinds) / sizeof(hmac_kinds[0]); i++)
		hkdf_file(*state, &hmac_kinds[i]);
}

/* ---- KbkdfCounterHmacDerive (7.9.2) ---- */

/*
 * Secret of curve c (random), KBKDF over hash into a variable-length HMAC
 * key of out_len bytes; the host computes KDK = HKDF(no salt, secret,
 * context, 32) and KBKDF(KDK, label, context) itself.
 */
static void check_kbkdf(struct sess_fix *t, uint32_t curve, const struct hmac_kind *hash,
			const uint8_t *label, size_t label_len, const uint8_t *context,
			size_t context_len, size_t out_len)
{
	const struct ddi_ecc_curve_info *c = ddi_ecc_curve(curve);
	const struct hmac_kind *target = var_hmac_for(out_len);
	uint8_t raw[DDI_ECC_MAX_PKA] = { 0 }, kdk[32], okm[128];
	struct fw_kdf k = {
		OP(KBKDF_COUNTER_HMAC_DERIVE), hash->hash, label, label_len, context,
		context_len, target->var, META_SIGN_VERIFY, (int)out_len
	};
	uint16_t secret, id;

	assert_int_equal(RAND_bytes(raw, (int)c->len), 1);
	secret = import_ok(t, c->secret_type, raw, c->pka, DDI_KEY_META_DERIVE);
	assert_int_equal(sess_fix_derive(t, secret, &k, &id, NULL), 0);
	delete_key(t, secret);
	host_hkdf(hash->digest, NULL, 0, raw, c->len, context, context_len, kdk, sizeof(kdk));
	host_kbkdf(hash->digest, kdk, sizeof(kdk), label, label_len, context, context_len,
		   okm, out_len);
	check_derived(t, id, target, okm, out_len);
}

static void test_kbkdf(void **state)
{
	static const uint8_t label[] = "kbkdf-label", context[] = "kbkdf-context";
	static const uint32_t curves[] = { DDI_ECC_P256, DDI_ECC_P384, DDI_ECC_P521 };
	static const size_t lens[] = { 32, 48, 64, 100, 128 };
	size_t i, j;

	for (i = 0; i < sizeof(hmac_kinds) / sizeof(hmac_kinds[0]); i++) {
		for (j = 0; j < sizeof(curves) / sizeof(curves[0]); j++) {
			check_kbkdf(*state, curves[j], &hmac_kinds[i], label, sizeof(label),
				    context, sizeof(context), lens[(i + j) % 5]);
			check_kbkdf(*state, curves[j], &hmac_kinds[i], NULL, 0, NULL, 0,
				    lens[(i + j + 2) % 5]);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_raw_import_disabled, setup_no_test_ops,
						sess_fix_teardown),
		cmocka_unit_test_setup_teardown(test_raw_import_checks, setup, sess_fix_teardown),
		cmocka_unit_test_setup_teardown(test_hmac_vectors, setup, sess_fix_teardown),
		cmocka_unit_test_setup_teardown(test_hkdf_vectors, setup, sess_fix_teardown),
		cmocka_unit_test_setup_teardown(test_kbkdf, setup, sess_fix_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
