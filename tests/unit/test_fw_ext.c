// SPDX-License-Identifier: MIT
/*
 * The azihsm extensions of the firmware core (azihsm/hw.h, "azihsm
 * extensions"): random bytes, the kernel key store, and the fast path with
 * kernel keys -- AES-GCM/XTS/CBC of every key size against OpenSSL (and,
 * for XTS-192, which OpenSSL lacks, against a block-by-block reference
 * that is itself checked against OpenSSL for the other sizes).
 */
#include <endian.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "azihsm/hw.h"
#include "fw_test_util.h"

#define BLOCK		16
#define BUF_MAX		4096
#define GCM		AZIHSM_EXT_CIPHER_GCM
#define XTS		AZIHSM_EXT_CIPHER_XTS
#define CBC		AZIHSM_EXT_CIPHER_CBC
#define SC(name)	AZIHSM_ADMIN_SC_##name
#define STS(name)	AZIHSM_AES_STS_##name

static const size_t aes_lens[] = { 16, 24, 32 };

static struct azihsm_fw *core(void **state)
{
	return ((struct host *)*state)->fw;
}

/* Import a random key of len bytes for cipher; its id. */
static uint32_t import_random(struct azihsm_fw *fw, uint8_t cipher, uint8_t *key, size_t len)
{
	uint32_t id;

	assert_int_equal(RAND_bytes(key, (int)len), 1);
	assert_int_equal(azihsm_fw_ext_key_import(fw, cipher, key, len, &id), SC(SUCCESS));
	assert_true(id & AZIHSM_EXT_KEY_ID_KERNEL);
	return id;
}

/* ---- Commands ---- */

static void sqe_init(struct azihsm_aes_sqe *q, uint16_t attr, uint32_t len)
{
	memset(q, 0, sizeof(*q));
	q->attr = htole16(attr);
	q->frame_type = AZIHSM_AES_FRAME_TYPE_AES;
	q->src_len = q->dst_len = htole32(len);
	/* Kernel keys ignore these: make sure nothing checks them. */
	q->session_id = htole16(0x1234);
	q->short_app_id = 0x77;
}

static void run(struct azihsm_fw *fw, const struct azihsm_aes_sqe *q, const uint8_t *src,
		uint8_t *dst, struct azihsm_fw_aes_cmd *cmd, struct azihsm_fw_aes_result *res)
{
	cmd->sqe = (const uint8_t *)q;
	cmd->src = src;
	cmd->src_len = le32toh(q->src_len);
	cmd->dst = dst;
	cmd->dst_len = le32toh(q->dst_len);
	azihsm_fw_aes_execute(fw, cmd, res);
}

static void assert_ok(const struct azihsm_fw_aes_result *res, uint32_t len)
{
	assert_int_equal(res->sts, 0);
	assert_int_equal(res->err, 0);
	assert_int_equal(res->len, len);
	assert_int_equal(res->fips_approved, 0);
}

static void assert_fail(const struct azihsm_fw_aes_result *res, uint16_t sts, uint16_t err)
{
	assert_int_equal(res->sts, sts);
	assert_int_equal(res->err, err);
	assert_int_equal(res->len, 0);
}

/* One cipher call of OpenSSL: the reference (no padding, no AAD). */
static void ref_cipher(const EVP_CIPHER *c, const uint8_t *key, const uint8_t *iv, int enc,
		       const uint8_t *in, size_t len, uint8_t *out)
{
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	int n;

	assert_non_null(ctx);
	assert_true(EVP_CipherInit_ex(ctx, c, NULL, key, iv, enc));
	assert_true(EVP_CIPHER_CTX_set_padding(ctx, 0));
	assert_true(EVP_CipherUpdate(ctx, out, &n, in, (int)len));
	assert_int_equal(n, (int)len);
	EVP_CIPHER_CTX_free(ctx);
}

/* ---- GCM ---- */

static const EVP_CIPHER *gcm_cipher(size_t key_len)
{
	return key_len == 16 ? EVP_aes_128_gcm() : key_len == 24 ? EVP_aes_192_gcm() :
	       EVP_aes_256_gcm();
}

/*
 * One GCM command with the AAD region laid out as the SDK does (7.9):
 * 16 zero bytes first when the AAD ends in the first half of a 32-byte
 * unit (leading zero blocks leave GHASH unchanged), zeros after it.  The
 * text beyond the last whole block travels as the tail.  Returns the text
 * output in out and the tag in res.
 */
static void gcm_cmd(struct azihsm_fw *fw, uint32_t id, bool decrypt, const uint8_t iv[12],
		    const uint8_t *aad, size_t aad_len, const uint8_t *text, size_t len,
		    const uint8_t *tag, uint8_t *out, struct azihsm_fw_aes_result *res)
{
	static uint8_t src[BUF_MAX], dst[BUF_MAX];
	size_t lead = aad_len % 32 >= 1 && aad_len % 32 <= 16 ? 16 : 0;
	size_t region = (lead + aad_len + 31) / 32 * 32, tail = len % BLOCK;
	size_t aligned = len - tail;
	struct azihsm_fw_aes_cmd cmd = { 0 };
	struct azihsm_aes_sqe q;

	assert_true(region + len <= BUF_MAX);
	memset(src, 0, region);
	if (aad_len)
		memcpy(src + lead, aad, aad_len);
	memcpy(src + region, text, aligned);
	sqe_init(&q, AZIHSM_AES_ATTR(decrypt, 0, 0), (uint32_t)(region + aligned));
	q.gcm.key_id = htole32(id);
	q.gcm.actual_aad_len = htole32((uint32_t)aad_len);
	q.gcm.aligned_aad_len = htole32((uint32_t)region);
	memcpy(q.gcm.iv, iv, 12);
	if (tag)
		memcpy(q.gcm.tag, tag, BLOCK);
	if (tail) {
		q.gcm.unaligned_src_len = q.gcm.unaligned_dst_len = (uint8_t)tail;
		q.gcm.unaligned_src_lo = q.gcm.unaligned_dst_lo = htole32(0x2000);
		memcpy(cmd.tail, text + aligned, tail);
		cmd.tail_len = (uint8_t)tail;
	}
	run(fw, &q, src, dst, &cmd, res);
	if (res->sts || res->err)
		return;
	assert_ok(res, (uint32_t)(region + aligned));
	assert_int_equal(res->unaligned_dst_len, tail);
	assert_memory_equal(dst, src, region);
	memcpy(out, dst + region, aligned);
	memcpy(out + aligned, cmd.tail, tail);
}

static void test_gcm(void **state)
{
	static const size_t aad_lens[] = { 0, 13, 16, 17, 32, 45 };
	static const size_t text_lens[] = { 0, 5, 16, 37, 256 };
	struct azihsm_fw *fw = core(state);
	uint8_t key[32], iv[12], aad[64], text[256], ct[256], back[256], tag[BLOCK];
	struct azihsm_fw_aes_result res;
	EVP_CIPHER_CTX *ctx;
	size_t k, a, l;
	uint32_t id;
	int n;

	assert_int_equal(RAND_bytes(aad, sizeof(aad)), 1);
	assert_int_equal(RAND_bytes(text, sizeof(text)), 1);
	for (k = 0; k < 3; k++) {
		id = import_random(fw, GCM, key, aes_lens[k]);
		for (a = 0; a < sizeof(aad_lens) / sizeof(aad_lens[0]); a++) {
			for (l = 0; l < sizeof(text_lens) / sizeof(text_lens[0]); l++) {
				size_t len = text_lens[l];

				assert_int_equal(RAND_bytes(iv, sizeof(iv)), 1);
				gcm_cmd(fw, id, false, iv, aad, aad_lens[a], text, len, NULL,
					ct, &res);
				assert_ok(&res, res.len);
				/* A kernel key encrypts under the host's IV. */
				assert_memory_equal(res.iv, iv, sizeof(iv));

				ctx = EVP_CIPHER_CTX_new();
				assert_non_null(ctx);
				assert_true(EVP_EncryptInit_ex(ctx, gcm_cipher(aes_lens[k]),
							       NULL, key, iv));
				assert_true(EVP_EncryptUpdate(ctx, NULL, &n, aad,
							      (int)aad_lens[a]));
				assert_true(EVP_EncryptUpdate(ctx, back, &n, text, (int)len));
				assert_true(EVP_EncryptFinal_ex(ctx, back + len, &n));
				assert_true(EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG,
								BLOCK, tag));
				EVP_CIPHER_CTX_free(ctx);
				assert_memory_equal(res.tag, tag, BLOCK);
				if (len)
					assert_memory_equal(ct, back, len);

				gcm_cmd(fw, id, true, iv, aad, aad_lens[a], ct, len, tag,
					back, &res);
				assert_ok(&res, res.len);
				if (len)
					assert_memory_equal(back, text, len);
			}
		}
		/* A wrong tag still fails with a kernel key. */
		tag[0] ^= 1;
		gcm_cmd(fw, id, true, iv, aad, 0, ct, 16, tag, back, &res);
		assert_int_equal(res.sts, STS(CRYPTO_ENGINE_ERROR));
	}
}

/* ---- XTS ---- */

/* The tweak of the next block: times alpha in GF(2^128), little-endian. */
static void ref_alpha(uint8_t t[BLOCK])
{
	unsigned int carry = 0, i, next;

	for (i = 0; i < BLOCK; i++) {
		next = t[i] >> 7;
		t[i] = (uint8_t)(t[i] << 1 | carry);
		carry = next;
	}
	if (carry)
		t[0] ^= 0x87;
}

static const EVP_CIPHER *ecb_cipher(size_t key_len)
{
	return key_len == 16 ? EVP_aes_128_ecb() : key_len == 24 ? EVP_aes_192_ecb() :
	       EVP_aes_256_ecb();
}

/* IEEE 1619 encryption of one data unit, block by block. */
static void ref_xts_blocks(const uint8_t *key, size_t key_len, const uint8_t tweak[BLOCK],
			   const uint8_t *in, size_t len, uint8_t *out)
{
	size_t half = key_len / 2, off, i;
	uint8_t t[BLOCK], b[BLOCK];

	ref_cipher(ecb_cipher(half), key + half, NULL, 1, tweak, BLOCK, t);
	for (off = 0; off < len; off += BLOCK) {
		for (i = 0; i < BLOCK; i++)
			b[i] = in[off + i] ^ t[i];
		ref_cipher(ecb_cipher(half), key, NULL, 1, b, BLOCK, b);
		for (i = 0; i < BLOCK; i++)
			out[off + i] = b[i] ^ t[i];
		ref_alpha(t);
	}
}

/* The reference of a whole command: data units with tweaks counting up. */
static void ref_xts(const uint8_t *key, size_t key_len, const uint8_t tweak[BLOCK],
		    const uint8_t *in, size_t len, size_t unit, uint8_t *out)
{
	uint8_t t[BLOCK], check[BUF_MAX];
	size_t off, i;

	memcpy(t, tweak, BLOCK);
	for (off = 0; off < len; off += unit) {
		ref_xts_blocks(key, key_len, t, in + off, unit, out + off);
		/* OpenSSL has XTS-128 and XTS-256: the block reference must agree. */
		if (key_len != 48) {
			ref_cipher(key_len == 32 ? EVP_aes_128_xts() : EVP_aes_256_xts(), key,
				   t, 1, in + off, unit, check);
			assert_memory_equal(check, out + off, unit);
		}
		for (i = 0; i < BLOCK && !++t[i]; i++)
			;
	}
}

static void xts_cmd(struct azihsm_fw *fw, bool decrypt, unsigned int dul, uint32_t id1,
		    uint32_t id2, const uint8_t tweak[BLOCK], const uint8_t *in, uint32_t len,
		    uint8_t *out, struct azihsm_fw_aes_result *res)
{
	struct azihsm_fw_aes_cmd cmd = { 0 };
	struct azihsm_aes_sqe q;

	sqe_init(&q, AZIHSM_AES_ATTR(decrypt, 1, dul), len);
	q.xts.key_id1 = htole32(id1);
	q.xts.key_id2 = htole32(id2);
	memcpy(q.xts.tweak, tweak, BLOCK);
	run(fw, &q, in, out, &cmd, res);
}

static void test_xts(void **state)
{
	static const size_t key_lens[] = { 32, 48, 64 };
	static const struct { unsigned int dul; size_t unit; } units[] = {
		{ AZIHSM_AES_DUL_WHOLE, 2048 }, { AZIHSM_AES_DUL_512, 512 },
	};
	static uint8_t in[2048], ct[2048], ref[2048], back[2048];
	struct azihsm_fw *fw = core(state);
	struct azihsm_fw_aes_result res;
	uint8_t key[64], tweak[BLOCK];
	size_t k, u;
	uint32_t id;

	assert_int_equal(RAND_bytes(in, sizeof(in)), 1);
	for (k = 0; k < 3; k++) {
		id = import_random(fw, XTS, key, key_lens[k]);
		for (u = 0; u < 2; u++) {
			assert_int_equal(RAND_bytes(tweak, sizeof(tweak)), 1);
			/* A carry across the tweak's low bytes between units. */
			memset(tweak, 0xff, 3);
			xts_cmd(fw, false, units[u].dul, id, id, tweak, in, sizeof(in), ct, &res);
			assert_ok(&res, sizeof(in));
			ref_xts(key, key_lens[k], tweak, in, sizeof(in), units[u].unit, ref);
			assert_memory_equal(ct, ref, sizeof(in));
			/* Decrypt in place. */
			memcpy(back, ct, sizeof(ct));
			xts_cmd(fw, true, units[u].dul, id, id, tweak, back, sizeof(back), back,
				&res);
			assert_ok(&res, sizeof(in));
			assert_memory_equal(back, in, sizeof(in));
		}
	}
}

/* ---- CBC ---- */

static const EVP_CIPHER *cbc_cipher(size_t key_len)
{
	return key_len == 16 ? EVP_aes_128_cbc() : key_len == 24 ? EVP_aes_192_cbc() :
	       EVP_aes_256_cbc();
}

static void cbc_cmd(struct azihsm_fw *fw, bool decrypt, uint32_t id, const uint8_t iv[BLOCK],
		    const uint8_t *in, uint32_t len, uint8_t *out,
		    struct azihsm_fw_aes_result *res)
{
	struct azihsm_fw_aes_cmd cmd = { 0 };
	struct azihsm_aes_sqe q;

	sqe_init(&q, AZIHSM_AES_ATTR(decrypt, 0, 0) | AZIHSM_AES_ATTR_EXT_CBC, len);
	q.cbc.key_id = htole32(id);
	memcpy(q.cbc.iv, iv, BLOCK);
	run(fw, &q, in, out, &cmd, res);
}

static void test_cbc(void **state)
{
	static uint8_t in[1024], ct[1024], ref[1024], back[1024];
	struct azihsm_fw *fw = core(state);
	struct azihsm_fw_aes_result res;
	uint8_t key[32], iv[BLOCK], chain[BLOCK];
	const size_t first = 336;	/* the split: 21 blocks, then the rest */
	size_t k;
	uint32_t id;

	assert_int_equal(RAND_bytes(in, sizeof(in)), 1);
	for (k = 0; k < 3; k++) {
		id = import_random(fw, CBC, key, aes_lens[k]);
		assert_int_equal(RAND_bytes(iv, sizeof(iv)), 1);
		ref_cipher(cbc_cipher(aes_lens[k]), key, iv, 1, in, sizeof(in), ref);

		/* Two commands chained through the CQE TAG = one long one. */
		cbc_cmd(fw, false, id, iv, in, first, ct, &res);
		assert_ok(&res, first);
		assert_memory_equal(res.tag, ct + first - BLOCK, BLOCK);
		memcpy(chain, res.tag, BLOCK);
		cbc_cmd(fw, false, id, chain, in + first, sizeof(in) - first, ct + first, &res);
		assert_ok(&res, sizeof(in) - first);
		assert_memory_equal(res.tag, ct + sizeof(ct) - BLOCK, BLOCK);
		assert_memory_equal(ct, ref, sizeof(ct));

		/* Decrypt in place, chained: TAG is the last input block. */
		memcpy(back, ct, sizeof(ct));
		cbc_cmd(fw, true, id, iv, back, first, back, &res);
		assert_ok(&res, first);
		assert_memory_equal(res.tag, ct + first - BLOCK, BLOCK);
		memcpy(chain, res.tag, BLOCK);
		cbc_cmd(fw, true, id, chain, back + first, sizeof(back) - first, back + first,
			&res);
		assert_ok(&res, sizeof(in) - first);
		assert_memory_equal(res.tag, ct + sizeof(ct) - BLOCK, BLOCK);
		assert_memory_equal(back, in, sizeof(in));
	}
}

/* ---- Key store ---- */

static void test_import_delete(void **state)
{
	static const struct { uint8_t cipher; size_t len; } bad[] = {
		{ GCM, 0 }, { GCM, 15 }, { GCM, 48 }, { GCM, 64 }, { CBC, 8 }, { CBC, 33 },
		{ XTS, 16 }, { XTS, 24 }, { XTS, 40 }, { XTS, 65 }, { 3, 32 }, { 0xff, 16 },
	};
	struct azihsm_fw *fw = core(state);
	uint8_t key[AZIHSM_EXT_KEY_MAX + 1] = { 0 };
	uint32_t id, ids[3];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		id = 1;
		assert_int_equal(azihsm_fw_ext_key_import(fw, bad[i].cipher, key, bad[i].len, &id),
				 SC(INVALID_FIELD));
		assert_int_equal(id, 0);
	}
	assert_int_equal(azihsm_fw_ext_key_import(fw, GCM, NULL, 16, &id), SC(INVALID_FIELD));

	/* Slots from 0 up; a deleted one is reused first. */
	ids[0] = import_random(fw, GCM, key, 16);
	ids[1] = import_random(fw, XTS, key, 48);
	ids[2] = import_random(fw, CBC, key, 32);
	for (i = 0; i < 3; i++)
		assert_int_equal(ids[i], AZIHSM_EXT_KEY_ID_KERNEL | i);
	assert_int_equal(azihsm_fw_ext_key_delete(fw, ids[1]), SC(SUCCESS));
	assert_int_equal(azihsm_fw_ext_key_delete(fw, ids[1]), SC(INVALID_FIELD));
	assert_int_equal(import_random(fw, GCM, key, 24), ids[1]);

	/* Malformed ids: no bit 31, index out of range, bits 30:16 set. */
	assert_int_equal(azihsm_fw_ext_key_delete(fw, 0), SC(INVALID_FIELD));
	assert_int_equal(azihsm_fw_ext_key_delete(fw, AZIHSM_EXT_KEY_ID_KERNEL |
						  AZIHSM_EXT_KERNEL_KEYS), SC(INVALID_FIELD));
	assert_int_equal(azihsm_fw_ext_key_delete(fw, ids[0] | 1u << 16), SC(INVALID_FIELD));
	assert_int_equal(azihsm_fw_ext_key_delete(fw, ids[0]), SC(SUCCESS));
}

static void test_store_full(void **state)
{
	struct azihsm_fw *fw = core(state);
	uint8_t key[16] = { 1 };
	uint32_t id, i;

	for (i = 0; i < AZIHSM_EXT_KERNEL_KEYS; i++) {
		assert_int_equal(azihsm_fw_ext_key_import(fw, CBC, key, sizeof(key), &id),
				 SC(SUCCESS));
		assert_int_equal(id, AZIHSM_EXT_KEY_ID_KERNEL | i);
	}
	assert_int_equal(azihsm_fw_ext_key_import(fw, CBC, key, sizeof(key), &id),
			 SC(INTERNAL_ERROR));
	assert_int_equal(azihsm_fw_ext_key_delete(fw, AZIHSM_EXT_KEY_ID_KERNEL | 700), SC(SUCCESS));
	assert_int_equal(azihsm_fw_ext_key_import(fw, CBC, key, sizeof(key), &id), SC(SUCCESS));
	assert_int_equal(id, AZIHSM_EXT_KEY_ID_KERNEL | 700);
}

static void test_random(void **state)
{
	struct azihsm_fw *fw = core(state);
	uint8_t a[AZIHSM_EXT_RANDOM_MAX + 1], b[AZIHSM_EXT_RANDOM_MAX];

	assert_int_equal(azihsm_fw_ext_random(fw, a, 1), 0);
	assert_int_equal(azihsm_fw_ext_random(fw, a, AZIHSM_EXT_RANDOM_MAX), 0);
	assert_int_equal(azihsm_fw_ext_random(fw, b, AZIHSM_EXT_RANDOM_MAX), 0);
	assert_memory_not_equal(a, b, sizeof(b));
	assert_int_equal(azihsm_fw_ext_random(fw, a, 0), -1);
	assert_int_equal(azihsm_fw_ext_random(fw, a, sizeof(a)), -1);
	assert_int_equal(azihsm_fw_ext_random(fw, NULL, 16), -1);
	assert_int_equal(azihsm_fw_ext_random(NULL, a, 16), -1);
}

/* ---- Errors ---- */

static void test_errors(void **state)
{
	static uint8_t in[1024], out[1024];
	struct azihsm_fw *fw = core(state);
	struct azihsm_fw_aes_cmd cmd = { 0 };
	struct azihsm_fw_aes_result res;
	uint8_t key[64], iv[BLOCK] = { 0 };
	uint32_t gcm, xts, cbc, gone;
	struct azihsm_aes_sqe q;

	gcm = import_random(fw, GCM, key, 32);
	xts = import_random(fw, XTS, key, 64);
	cbc = import_random(fw, CBC, key, 16);
	gone = import_random(fw, XTS, key, 32);
	assert_int_equal(azihsm_fw_ext_key_delete(fw, gone), SC(SUCCESS));

	/* XTS: the pair is one kernel key; KEY_ID2 must repeat KEY_ID1. */
	xts_cmd(fw, false, 0, xts, gcm, iv, in, 512, out, &res);
	assert_fail(&res, STS(INVALID_FIELD_XTS), AZIHSM_AES_XTS_ERR_INVALID_KEY2);
	xts_cmd(fw, false, 0, xts, xts + 1, iv, in, 512, out, &res);
	assert_fail(&res, STS(INVALID_FIELD_XTS), AZIHSM_AES_XTS_ERR_INVALID_KEY2);
	xts_cmd(fw, false, 0, gone, gone, iv, in, 512, out, &res);
	assert_fail(&res, STS(INVALID_FIELD_XTS), AZIHSM_AES_XTS_ERR_INVALID_KEY1);
	xts_cmd(fw, false, 0, gcm, gcm, iv, in, 512, out, &res);
	assert_fail(&res, STS(INVALID_FIELD_XTS), AZIHSM_AES_XTS_ERR_KEY1_NOT_XTS);
	xts_cmd(fw, false, 0, xts, xts, iv, in, 24, out, &res);
	assert_fail(&res, STS(INVALID_FIELD_XTS), AZIHSM_AES_XTS_ERR_LEN_NOT_16);

	/* GCM: deleted key, key of another cipher. */
	gcm_cmd(fw, gone, false, iv, NULL, 0, in, 32, NULL, out, &res);
	assert_fail(&res, STS(INVALID_FIELD_GCM), AZIHSM_AES_GCM_ERR_INVALID_KEY);
	gcm_cmd(fw, cbc, false, iv, NULL, 0, in, 32, NULL, out, &res);
	assert_fail(&res, STS(INVALID_FIELD_GCM), AZIHSM_AES_GCM_ERR_NOT_GCM_KEY);

	/* CBC: kernel CBC keys only, whole blocks, room for the output. */
	cbc_cmd(fw, false, 0, iv, in, 32, out, &res);
	assert_fail(&res, STS(INVALID_FIELD_GCM), AZIHSM_AES_GCM_ERR_NOT_GCM_KEY);
	cbc_cmd(fw, false, gcm, iv, in, 32, out, &res);
	assert_fail(&res, STS(INVALID_FIELD_GCM), AZIHSM_AES_GCM_ERR_NOT_GCM_KEY);
	cbc_cmd(fw, false, gone, iv, in, 32, out, &res);
	assert_fail(&res, STS(INVALID_FIELD_GCM), AZIHSM_AES_GCM_ERR_INVALID_KEY);
	cbc_cmd(fw, false, cbc, iv, in, 0, out, &res);
	assert_fail(&res, STS(INVALID_FIELD_GCM), AZIHSM_AES_GCM_ERR_SRC_LEN);
	cbc_cmd(fw, false, cbc, iv, in, 40, out, &res);
	assert_fail(&res, STS(INVALID_FIELD_GCM), AZIHSM_AES_GCM_ERR_SRC_LEN);

	sqe_init(&q, AZIHSM_AES_ATTR(0, 0, 0) | AZIHSM_AES_ATTR_EXT_CBC, 64);
	q.cbc.key_id = htole32(cbc);
	q.dst_len = htole32(48);
	run(fw, &q, in, out, &cmd, &res);
	assert_fail(&res, STS(FETCH_ERROR), AZIHSM_AES_FETCH_ERR_OVERRUN);
	/* No data units in CBC; no CBC with CIPHER 1. */
	sqe_init(&q, AZIHSM_AES_ATTR(0, 0, AZIHSM_AES_DUL_512) | AZIHSM_AES_ATTR_EXT_CBC, 512);
	q.cbc.key_id = htole32(cbc);
	run(fw, &q, in, out, &cmd, &res);
	assert_fail(&res, STS(INVALID_FIELD_GCM), 0x7);
	sqe_init(&q, AZIHSM_AES_ATTR(0, 1, 0) | AZIHSM_AES_ATTR_EXT_CBC, 512);
	q.xts.key_id1 = q.xts.key_id2 = htole32(xts);
	run(fw, &q, in, out, &cmd, &res);
	assert_fail(&res, STS(FETCH_ERROR), AZIHSM_AES_FETCH_ERR_INVALID_OPCODE);
	assert_memory_equal(res.tag, (uint8_t[BLOCK]){ 0 }, BLOCK);
}

static void test_reset_clears(void **state)
{
	struct azihsm_fw *fw = core(state);
	struct azihsm_fw_aes_result res;
	uint8_t key[32], iv[BLOCK] = { 0 }, in[32] = { 0 }, out[32];
	uint32_t id = import_random(fw, CBC, key, 32);

	cbc_cmd(fw, false, id, iv, in, sizeof(in), out, &res);
	assert_ok(&res, sizeof(in));
	azihsm_fw_reset(fw);
	cbc_cmd(fw, false, id, iv, in, sizeof(in), out, &res);
	assert_fail(&res, STS(INVALID_FIELD_GCM), AZIHSM_AES_GCM_ERR_INVALID_KEY);
	assert_int_equal(azihsm_fw_ext_key_delete(fw, id), SC(INVALID_FIELD));
	/* The store is empty again: slot 0 first. */
	assert_int_equal(import_random(fw, GCM, key, 16), AZIHSM_EXT_KEY_ID_KERNEL);
}

int main(void)
{
#define T(f)	cmocka_unit_test_setup_teardown(f, host_setup, host_teardown)
	const struct CMUnitTest tests[] = {
		T(test_import_delete),
		T(test_store_full),
		T(test_random),
		T(test_gcm),
		T(test_xts),
		T(test_cbc),
		T(test_errors),
		T(test_reset_clears),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
