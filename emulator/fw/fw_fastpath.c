// SPDX-License-Identifier: MIT
/*
 * The AES fast path (hardware.md 7): checks of an AES SQE's fields and
 * keys (7.7 tables A and B, 7.8, 7.12), then AES-256-GCM with the model's
 * tag rule (7.11) or AES-256-XTS over data units (7.9).
 *
 * Keys are the bulk AES keys in the vault's fast-path slots (ddi.md 4.4),
 * or kernel keys of the azihsm extensions (key id bit 31, fw_ext.c): those
 * are AES-128/192/256, skip the session and application checks, serve
 * AES-CBC too (ATTR bit 9) and never make a FIPS-approved result.
 * fw->lock is held only to copy a key and what is checked about it; the
 * cipher runs unlocked on the copy, so the commands of several AES queues
 * (worker threads of the device model) run in parallel with each other and
 * with DDI requests.  A key deleted meanwhile finishes the commands that
 * already copied it, as a command in flight in the hardware would.
 *
 * The statuses the spec leaves open are chosen and listed in
 * Documentation/firmware-core.md, "AES fast path".
 */
#include <stddef.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "azihsm/hw.h"
#include "fw_internal.h"

#define AES_BLOCK		16
#define XTS_KEY_LEN		(2 * FW_BULK_KEY_LEN)
/* Largest AES key (a kernel key may be shorter) and kernel XTS key. */
#define AES_KEY_MAX		32
#define EXT_XTS_KEY_MAX		(2 * AES_KEY_MAX)
/* Bytes of a kernel-key XTS data unit handled per ECB call. */
#define XTS_EXT_CHUNK		4096
/* Largest piece handed to one EVP call (its lengths are ints). */
#define EVP_CHUNK		(1u << 30)

/* KEY_ID (7.12): bits 2:0 sub-index, 9:3 resource group, 31:10 reserved. */
#define KEY_ID_SLOT(id)		((id) & 7)
#define KEY_ID_GROUP(id)	(((id) >> 3) & 0x7f)
#define KEY_ID_RESERVED(id)	((id) >> 10)
/* Group 65 is the device's own (7.12): a function never owns it. */
#define KEY_GROUP_DEVICE	65

/* Table B leaves 0x7 unused: the model's "DUL set on a GCM command". */
#define GCM_ERR_DUL		0x7

/*
 * The per-function service indicator of 7.12.  The emulated module is
 * never in the FIPS-approved state (every DDI response says so), so
 * FIPS_APPROVED is 0 for every command, whatever the key type.
 */
#define SERVICE_INDICATOR	0u

#define SQE_OFF(field)		offsetof(struct azihsm_aes_sqe, field)

static uint16_t get_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t get_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

/* The SQE fields both ciphers use. */
struct fp_cmd {
	const uint8_t *sqe;
	uint16_t attr;
	uint16_t session_id;
	uint8_t app_id;
	uint32_t src_len;		/* SRC_LEN = cmd->src_len */
	size_t room;			/* destination bytes the core may write */
	bool decrypt;
};

/* A command's outcome: STS and ERR (7.7) in one word, 0 for success. */
#define FAIL(sts, err)		((uint32_t)(sts) << 16 | (err))
#define FAIL_GCM(err)		FAIL(AZIHSM_AES_STS_INVALID_FIELD_GCM, err)
#define FAIL_XTS(err)		FAIL(AZIHSM_AES_STS_INVALID_FIELD_XTS, err)
#define FAIL_FETCH(err)		FAIL(AZIHSM_AES_STS_FETCH_ERROR, err)
/* Table D: what a failing OpenSSL call or RNG stands for. */
#define FAIL_ENGINE		FAIL(AZIHSM_AES_STS_CRYPTO_ENGINE_ERROR, 0xa)
#define FAIL_TAG_ENGINE		FAIL(AZIHSM_AES_STS_CRYPTO_ENGINE_ERROR, 0x9)

/* ---- Keys ---- */

enum key_fault {
	KEY_OK,
	KEY_INVALID,
	KEY_NOT_OWNED,
	KEY_WRONG_APP,
	KEY_WRONG_SESSION,
	KEY_WRONG_CIPHER,		/* kernel key of another cipher */
};

/*
 * Copy the key KEY_ID names and check it may serve this command (7.12):
 * it exists, it is in one of the partition's groups, its application is
 * the SQE's SHORT_APP_ID and, if it is a session key, its session is the
 * SQE's SESSION_ID.  The caller holds fw->lock.
 */
static enum key_fault key_get(struct azihsm_fw *fw, const struct fp_cmd *c,
			      uint32_t key_id, struct fw_bulk_key *k)
{
	unsigned int group = KEY_ID_GROUP(key_id);

	if (KEY_ID_RESERVED(key_id) || KEY_ID_SLOT(key_id) >= FW_BULK_KEYS_PER_TABLE ||
	    group > KEY_GROUP_DEVICE)
		return KEY_INVALID;
	if (group >= fw->cfg.key_tables)
		return KEY_NOT_OWNED;
	if (!fw_bulk_key_get(fw, group, KEY_ID_SLOT(key_id), k))
		return KEY_INVALID;
	if (k->app_id != c->app_id)
		return KEY_WRONG_APP;
	if (k->session_scoped && k->session_id != c->session_id)
		return KEY_WRONG_SESSION;
	return KEY_OK;
}

/*
 * Copy the kernel key `id` (bit 31 set) for cipher AZIHSM_EXT_CIPHER_*:
 * KEY_INVALID if there is none, KEY_WRONG_CIPHER if it was imported for
 * another cipher.  No session or application check: the key belongs to
 * the kernel, not to a DDI application.
 */
static enum key_fault ext_key(struct azihsm_fw *fw, uint32_t id, uint8_t cipher,
			      uint8_t key[EXT_XTS_KEY_MAX], size_t *len)
{
	struct fw_ext_key k;
	enum key_fault f = KEY_OK;

	pthread_mutex_lock(&fw->lock);
	if (!fw_ext_key_get(fw, id, &k))
		f = KEY_INVALID;
	pthread_mutex_unlock(&fw->lock);
	if (f == KEY_OK && k.cipher != cipher)
		f = KEY_WRONG_CIPHER;
	*len = 0;
	if (f == KEY_OK) {
		memcpy(key, k.key, k.len);
		*len = k.len;
	}
	OPENSSL_cleanse(&k, sizeof(k));
	return f;
}

enum aes_mode { MODE_ECB, MODE_GCM, MODE_CBC };

/* AES in `mode` for a 16-, 24- or 32-byte key. */
static const EVP_CIPHER *aes_cipher(enum aes_mode mode, size_t key_len)
{
	static const EVP_CIPHER *(*const ciphers[][3])(void) = {
		[MODE_ECB] = { EVP_aes_128_ecb, EVP_aes_192_ecb, EVP_aes_256_ecb },
		[MODE_GCM] = { EVP_aes_128_gcm, EVP_aes_192_gcm, EVP_aes_256_gcm },
		[MODE_CBC] = { EVP_aes_128_cbc, EVP_aes_192_cbc, EVP_aes_256_cbc },
	};

	return ciphers[mode][key_len == 16 ? 0 : key_len == 24 ? 1 : 2]();
}

/* Table B for the GCM key: 0 or the ERR, *k filled on success. */
static uint16_t gcm_key(struct azihsm_fw *fw, const struct fp_cmd *c, uint32_t key_id,
			struct fw_bulk_key *k)
{
	static const uint16_t errs[] = {
		[KEY_INVALID] = AZIHSM_AES_GCM_ERR_INVALID_KEY,
		[KEY_NOT_OWNED] = AZIHSM_AES_GCM_ERR_KEY_NOT_OWNED,
		[KEY_WRONG_APP] = AZIHSM_AES_GCM_ERR_APP,
		[KEY_WRONG_SESSION] = AZIHSM_AES_GCM_ERR_SESSION,
	};
	enum key_fault f;
	uint16_t err = 0;

	memset(k, 0, sizeof(*k));
	pthread_mutex_lock(&fw->lock);
	f = key_get(fw, c, key_id, k);
	if (f != KEY_OK)
		err = errs[f];
	else if (k->type != DDI_KEY_AES_GCM_BULK256 &&
		 k->type != DDI_KEY_AES_GCM_BULK256_UNAPPROVED)
		err = AZIHSM_AES_GCM_ERR_NOT_GCM_KEY;
	pthread_mutex_unlock(&fw->lock);
	return err;
}

/* Table A for one XTS key (which = 0 data-unit key, 1 tweak key). */
static uint16_t xts_key_err(enum key_fault f, const struct fw_bulk_key *k, int which)
{
	switch (f) {
	case KEY_OK:
		break;
	case KEY_INVALID:
		return which ? AZIHSM_AES_XTS_ERR_INVALID_KEY2 : AZIHSM_AES_XTS_ERR_INVALID_KEY1;
	case KEY_NOT_OWNED:
		return AZIHSM_AES_XTS_ERR_KEY_NOT_OWNED;
	case KEY_WRONG_APP:
		return which ? AZIHSM_AES_XTS_ERR_KEY2_APP : AZIHSM_AES_XTS_ERR_KEY1_APP;
	case KEY_WRONG_SESSION:
		return which ? AZIHSM_AES_XTS_ERR_KEY2_SESSION : AZIHSM_AES_XTS_ERR_KEY1_SESSION;
	case KEY_WRONG_CIPHER:
		return which ? AZIHSM_AES_XTS_ERR_KEY2_NOT_XTS : AZIHSM_AES_XTS_ERR_KEY1_NOT_XTS;
	}
	if (k->type != DDI_KEY_AES_XTS_BULK256)
		return which ? AZIHSM_AES_XTS_ERR_KEY2_NOT_XTS : AZIHSM_AES_XTS_ERR_KEY1_NOT_XTS;
	return 0;
}

/*
 * Table A for the pair: two different XTS keys, same scope kind, different
 * material.  0 or the ERR; on success key = key1 || key2.
 */
static uint16_t xts_keys(struct azihsm_fw *fw, const struct fp_cmd *c, uint32_t id1,
			 uint32_t id2, uint8_t key[XTS_KEY_LEN])
{
	struct fw_bulk_key k[2];
	enum key_fault f[2];
	uint16_t err = 0;

	memset(k, 0, sizeof(k));
	pthread_mutex_lock(&fw->lock);
	f[0] = key_get(fw, c, id1, &k[0]);
	f[1] = key_get(fw, c, id2, &k[1]);
	pthread_mutex_unlock(&fw->lock);

	/*
	 * Existence and ownership of both keys, then the same index, then
	 * each key's scope and type, then the rules of the pair.
	 */
	if (f[0] == KEY_INVALID || f[0] == KEY_NOT_OWNED)
		err = xts_key_err(f[0], &k[0], 0);
	else if (f[1] == KEY_INVALID || f[1] == KEY_NOT_OWNED)
		err = xts_key_err(f[1], &k[1], 1);
	else if (id1 == id2)
		err = AZIHSM_AES_XTS_ERR_SAME_KEY_INDEX;
	if (!err)
		err = xts_key_err(f[0], &k[0], 0);
	if (!err)
		err = xts_key_err(f[1], &k[1], 1);
	if (!err && k[0].session_scoped != k[1].session_scoped)
		err = AZIHSM_AES_XTS_ERR_EPHEMERAL_MISMATCH;
	if (!err && !CRYPTO_memcmp(k[0].key, k[1].key, FW_BULK_KEY_LEN))
		err = AZIHSM_AES_XTS_ERR_SAME_KEY_MATERIAL;
	if (!err) {
		memcpy(key, k[0].key, FW_BULK_KEY_LEN);
		memcpy(key + FW_BULK_KEY_LEN, k[1].key, FW_BULK_KEY_LEN);
	}
	OPENSSL_cleanse(k, sizeof(k));
	return err;
}

/* ---- Ciphers ---- */

/* EVP_CipherUpdate over any length (NULL out: GCM AAD). */
static bool cipher_update(EVP_CIPHER_CTX *ctx, uint8_t *out, const uint8_t *in, size_t len)
{
	int n;

	while (len) {
		size_t piece = len < EVP_CHUNK ? len : EVP_CHUNK;

		if (!EVP_CipherUpdate(ctx, out, &n, in, (int)piece))
			return false;
		in += piece;
		if (out)
			out += piece;
		len -= piece;
	}
	return true;
}

static void put_be64(uint8_t *p, uint64_t v)
{
	int i;

	for (i = 7; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

static uint64_t get_be64(const uint8_t *p)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

/*
 * x * y in GF(2^128) with GCM's bit order (SP 800-38D 6.3).  x is public
 * (a length block), y is the hash subkey: no branch depends on y.
 */
static void gf128_mul(const uint8_t x[AES_BLOCK], const uint8_t y[AES_BLOCK],
		      uint8_t out[AES_BLOCK])
{
	uint64_t zh = 0, zl = 0, vh = get_be64(y), vl = get_be64(y + 8), m;
	int i;

	for (i = 0; i < 128; i++) {
		m = 0 - (uint64_t)(x[i / 8] >> (7 - i % 8) & 1);
		zh ^= vh & m;
		zl ^= vl & m;
		m = 0 - (vl & 1);
		vl = vl >> 1 | vh << 63;
		vh = vh >> 1 ^ (0xe100000000000000ull & m);
	}
	put_be64(out, zh);
	put_be64(out + 8, zl);
}

/* One GCM command with its key and IV decided. */
struct gcm_job {
	uint8_t key[EXT_XTS_KEY_MAX];	/* key_len bytes used */
	size_t key_len;
	uint8_t iv[AZIHSM_AES_GCM_IV_LEN];
	bool decrypt;
	const uint8_t *aad;		/* the AAD region as given */
	size_t aad_len;			/* ALIGNED_AAD_LEN */
	uint32_t actual_aad_len;
	const uint8_t *in;		/* aligned text */
	uint8_t *out;
	size_t len;
	uint8_t *tail;			/* in place */
	size_t tail_len;
	uint8_t tag[AES_BLOCK];		/* decrypt: expected; encrypt: result */
};

enum gcm_result { GCM_OK, GCM_TAG_MISMATCH, GCM_ENGINE_ERROR };

/*
 * OpenSSL's GCM hashes the AAD region and the text exactly as 7.11 does
 * (the region is whole blocks), but closes with ALIGNED_AAD_LEN in the
 * length block where 7.11 puts ACTUAL_AAD_LEN.  GHASH ends with
 * S = (Y ^ L) * H, so the two tags differ by (L_actual ^ L_aligned) * H:
 * that block goes into corr (zero when the lengths are equal).
 */
static bool gcm_tag_correction(const struct gcm_job *j, uint8_t corr[AES_BLOCK])
{
	static const uint8_t zero[AES_BLOCK];
	uint8_t lx[AES_BLOCK] = { 0 }, h[AES_BLOCK];
	EVP_CIPHER_CTX *ctx;
	bool ok;
	int n;

	memset(corr, 0, AES_BLOCK);
	if (j->actual_aad_len == j->aad_len)
		return true;
	/* The lengths are both < 2^32, so the multiply by 8 is exact. */
	put_be64(lx, (uint64_t)j->actual_aad_len * 8 ^ (uint64_t)j->aad_len * 8);
	ctx = EVP_CIPHER_CTX_new();
	ok = ctx && EVP_EncryptInit_ex(ctx, aes_cipher(MODE_ECB, j->key_len), NULL, j->key,
					NULL) &&
	     EVP_CIPHER_CTX_set_padding(ctx, 0) &&
	     EVP_EncryptUpdate(ctx, h, &n, zero, AES_BLOCK) && n == AES_BLOCK;
	EVP_CIPHER_CTX_free(ctx);
	if (ok)
		gf128_mul(lx, h, corr);
	OPENSSL_cleanse(h, sizeof(h));
	return ok;
}

static void xor_block(uint8_t *out, const uint8_t *a, const uint8_t *b)
{
	int i;

	for (i = 0; i < AES_BLOCK; i++)
		out[i] = a[i] ^ b[i];
}

/*
 * CTR from J0 + 1 over the aligned text and then the tail (one stream),
 * GHASH per 7.11.  Decrypt compares the expected tag in constant time
 * (inside OpenSSL, against the expected tag moved into its length
 * convention); on a mismatch the output is wiped.
 */
static enum gcm_result gcm_run(struct gcm_job *j)
{
	uint8_t corr[AES_BLOCK], tag[AES_BLOCK], last[AES_BLOCK];
	enum gcm_result ret = GCM_ENGINE_ERROR;
	EVP_CIPHER_CTX *ctx;
	int n;

	if (!gcm_tag_correction(j, corr))
		return GCM_ENGINE_ERROR;
	ctx = EVP_CIPHER_CTX_new();
	if (!ctx || !EVP_CipherInit_ex(ctx, aes_cipher(MODE_GCM, j->key_len), NULL, j->key,
				       j->iv, !j->decrypt) ||
	    !cipher_update(ctx, NULL, j->aad, j->aad_len) ||
	    !cipher_update(ctx, j->out, j->in, j->len) ||
	    !cipher_update(ctx, j->tail, j->tail, j->tail_len))
		goto out;
	if (j->decrypt) {
		xor_block(tag, j->tag, corr);
		if (!EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, AES_BLOCK, tag))
			goto out;
		ret = EVP_CipherFinal_ex(ctx, last, &n) > 0 ? GCM_OK : GCM_TAG_MISMATCH;
	} else {
		if (EVP_CipherFinal_ex(ctx, last, &n) <= 0 ||
		    !EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, AES_BLOCK, tag))
			goto out;
		xor_block(j->tag, tag, corr);
		ret = GCM_OK;
	}
out:
	EVP_CIPHER_CTX_free(ctx);
	if (ret != GCM_OK) {
		OPENSSL_cleanse(j->out, j->len);
		OPENSSL_cleanse(j->tail, j->tail_len);
	}
	return ret;
}

/* The 128-bit little-endian tweak of the next data unit (IEEE 1619). */
static void tweak_next(uint8_t t[AES_BLOCK])
{
	int i;

	for (i = 0; i < AES_BLOCK && !++t[i]; i++)
		;
}

/* Each data unit of `unit` bytes with its own tweak, from TWEAK up. */
static bool xts_run(const uint8_t key[XTS_KEY_LEN], const uint8_t tweak[AES_BLOCK],
		    bool decrypt, const uint8_t *in, uint8_t *out, size_t len, size_t unit)
{
	uint8_t t[AES_BLOCK];
	EVP_CIPHER_CTX *ctx;
	bool ok;
	size_t off;

	memcpy(t, tweak, AES_BLOCK);
	ctx = EVP_CIPHER_CTX_new();
	ok = ctx && EVP_CipherInit_ex(ctx, EVP_aes_256_xts(), NULL, key, NULL, !decrypt);
	for (off = 0; ok && off < len; off += unit) {
		ok = EVP_CipherInit_ex(ctx, NULL, NULL, NULL, t, -1) &&
		     cipher_update(ctx, out + off, in + off, unit);
		tweak_next(t);
	}
	EVP_CIPHER_CTX_free(ctx);
	if (!ok)
		OPENSSL_cleanse(out, len);
	return ok;
}

/* The tweak of the next block of a data unit: times alpha (IEEE 1619). */
static void xts_mul_alpha(uint8_t t[AES_BLOCK])
{
	uint8_t carry = t[AES_BLOCK - 1] >> 7;
	int i;

	for (i = AES_BLOCK - 1; i > 0; i--)
		t[i] = (uint8_t)(t[i] << 1 | t[i - 1] >> 7);
	t[0] = (uint8_t)(t[0] << 1 ^ (carry ? 0x87 : 0));
}

/*
 * XTS with a kernel key (key1 || key2 of 16, 24 or 32 bytes each) built
 * from two ECB contexts, since OpenSSL has no XTS-AES-192.  Lengths are
 * whole blocks (no ciphertext stealing: SRC_LEN is a multiple of 16), so
 * each block is E(P ^ T) ^ T with T = E_key2(tweak) * alpha^j.  Works in
 * place: a chunk is read before it is written.
 */
static bool xts_ext_run(const uint8_t *key, size_t key_len, const uint8_t tweak[AES_BLOCK],
			bool decrypt, const uint8_t *in, uint8_t *out, size_t len, size_t unit)
{
	uint8_t unit_tweak[AES_BLOCK], t[AES_BLOCK];
	uint8_t tweaks[XTS_EXT_CHUNK], buf[XTS_EXT_CHUNK];
	size_t half = key_len / 2, off, pos, piece, i;
	EVP_CIPHER_CTX *data = EVP_CIPHER_CTX_new(), *tw = EVP_CIPHER_CTX_new();
	bool ok;
	int n;

	memcpy(unit_tweak, tweak, AES_BLOCK);
	ok = data && tw &&
	     EVP_CipherInit_ex(data, aes_cipher(MODE_ECB, half), NULL, key, NULL, !decrypt) &&
	     EVP_CIPHER_CTX_set_padding(data, 0) &&
	     EVP_EncryptInit_ex(tw, aes_cipher(MODE_ECB, half), NULL, key + half, NULL) &&
	     EVP_CIPHER_CTX_set_padding(tw, 0);
	for (off = 0; ok && off < len; off += unit) {
		ok = EVP_EncryptUpdate(tw, t, &n, unit_tweak, AES_BLOCK) && n == AES_BLOCK;
		for (pos = 0; ok && pos < unit; pos += piece) {
			piece = unit - pos < XTS_EXT_CHUNK ? unit - pos : XTS_EXT_CHUNK;
			for (i = 0; i < piece; i += AES_BLOCK) {
				memcpy(tweaks + i, t, AES_BLOCK);
				xor_block(buf + i, in + off + pos + i, t);
				xts_mul_alpha(t);
			}
			ok = EVP_CipherUpdate(data, buf, &n, buf, (int)piece) &&
			     (size_t)n == piece;
			for (i = 0; ok && i < piece; i += AES_BLOCK)
				xor_block(out + off + pos + i, buf + i, tweaks + i);
		}
		tweak_next(unit_tweak);
	}
	EVP_CIPHER_CTX_free(data);
	EVP_CIPHER_CTX_free(tw);
	OPENSSL_cleanse(buf, sizeof(buf));
	OPENSSL_cleanse(tweaks, sizeof(tweaks));
	OPENSSL_cleanse(t, sizeof(t));
	if (!ok)
		OPENSSL_cleanse(out, len);
	return ok;
}

/* ---- Commands ---- */

#define GCM_OFF(field)		SQE_OFF(gcm.field)

static uint32_t gcm_execute(struct azihsm_fw *fw, struct azihsm_fw_aes_cmd *cmd,
			    const struct fp_cmd *c, struct azihsm_fw_aes_result *res)
{
	const uint8_t *sqe = c->sqe;
	uint32_t aligned_aad = get_le32(sqe + GCM_OFF(aligned_aad_len));
	uint32_t actual_aad = get_le32(sqe + GCM_OFF(actual_aad_len));
	uint8_t tail_len = sqe[GCM_OFF(unaligned_src_len)];
	struct fw_bulk_key k;
	struct gcm_job j;
	enum gcm_result r;
	enum key_fault f;
	uint32_t key_type, key_id;
	uint16_t err;

	/* Fields first (no lock), then the key. */
	if (AZIHSM_AES_ATTR_DUL(c->attr))
		return FAIL_GCM(GCM_ERR_DUL);
	if (tail_len != sqe[GCM_OFF(unaligned_dst_len)] || tail_len >= AES_BLOCK ||
	    tail_len != cmd->tail_len)
		return FAIL_GCM(AZIHSM_AES_GCM_ERR_UNALIGNED_LEN);
	if (tail_len && !get_le32(sqe + GCM_OFF(unaligned_src_lo)) &&
	    !get_le32(sqe + GCM_OFF(unaligned_src_hi)))
		return FAIL_GCM(AZIHSM_AES_GCM_ERR_UNALIGNED_SRC);
	if (tail_len && !get_le32(sqe + GCM_OFF(unaligned_dst_lo)) &&
	    !get_le32(sqe + GCM_OFF(unaligned_dst_hi)))
		return FAIL_GCM(AZIHSM_AES_GCM_ERR_UNALIGNED_DST);
	/* The AAD region: whole 32-byte units, inside the source, >= the AAD. */
	if (aligned_aad % AZIHSM_AES_GCM_AAD_ALIGN || aligned_aad > c->src_len ||
	    actual_aad > aligned_aad)
		return FAIL_GCM(AZIHSM_AES_GCM_ERR_AAD_ALIGN);
	if (c->src_len % AES_BLOCK)
		return FAIL_GCM(AZIHSM_AES_GCM_ERR_SRC_LEN);
	/* The destination mirrors the source: AAD region, then the text. */
	if (c->room < c->src_len)
		return FAIL_FETCH(AZIHSM_AES_FETCH_ERR_OVERRUN);

	memset(&j, 0, sizeof(j));
	key_id = get_le32(sqe + GCM_OFF(key_id));
	if (key_id & AZIHSM_EXT_KEY_ID_KERNEL) {
		/* A kernel key: never approved, always the host's IV. */
		f = ext_key(fw, key_id, AZIHSM_EXT_CIPHER_GCM, j.key, &j.key_len);
		err = f == KEY_INVALID ? AZIHSM_AES_GCM_ERR_INVALID_KEY :
		      f == KEY_WRONG_CIPHER ? AZIHSM_AES_GCM_ERR_NOT_GCM_KEY : 0;
		key_type = DDI_KEY_AES_GCM_BULK256_UNAPPROVED;
	} else {
		err = gcm_key(fw, c, key_id, &k);
		key_type = k.type;
		memcpy(j.key, k.key, FW_BULK_KEY_LEN);
		j.key_len = FW_BULK_KEY_LEN;
		OPENSSL_cleanse(&k, sizeof(k));
	}
	if (err) {
		OPENSSL_cleanse(j.key, sizeof(j.key));
		return FAIL_GCM(err);
	}
	res->fips_approved = SERVICE_INDICATOR && key_type == DDI_KEY_AES_GCM_BULK256;
	/* 7.12: the device picks the IV when encrypting with an approved key. */
	if (!c->decrypt && key_type == DDI_KEY_AES_GCM_BULK256) {
		if (RAND_bytes(j.iv, sizeof(j.iv)) != 1) {
			OPENSSL_cleanse(j.key, sizeof(j.key));
			return FAIL_ENGINE;
		}
	} else {
		memcpy(j.iv, sqe + GCM_OFF(iv), sizeof(j.iv));
	}
	memcpy(res->iv, j.iv, sizeof(res->iv));
	j.decrypt = c->decrypt;
	j.aad_len = aligned_aad;
	j.actual_aad_len = actual_aad;
	j.len = c->src_len - aligned_aad;
	/* No pointer arithmetic on the buffers of an empty transfer. */
	if (c->src_len) {
		j.aad = cmd->src;
		j.in = cmd->src + aligned_aad;
		j.out = cmd->dst + aligned_aad;
	}
	j.tail = cmd->tail;
	j.tail_len = tail_len;
	if (c->decrypt)
		memcpy(j.tag, sqe + GCM_OFF(tag), AES_BLOCK);

	r = gcm_run(&j);
	OPENSSL_cleanse(j.key, sizeof(j.key));
	if (r == GCM_ENGINE_ERROR)
		return FAIL_ENGINE;
	/*
	 * 7.7: a tag the control processor had to correct (AAD padding or a
	 * tail) fails there; one the engine checked alone fails in the engine.
	 */
	if (r == GCM_TAG_MISMATCH)
		return tail_len || actual_aad != aligned_aad ?
		       FAIL_GCM(AZIHSM_AES_GCM_ERR_TAG_MISMATCH) : FAIL_TAG_ENGINE;
	if (aligned_aad && cmd->dst != cmd->src)
		memmove(cmd->dst, cmd->src, aligned_aad);
	memcpy(res->tag, j.tag, AES_BLOCK);
	res->len = c->src_len;
	res->unaligned_dst_len = tail_len;
	return 0;
}

#define XTS_OFF(field)		SQE_OFF(xts.field)

/*
 * XTS with a kernel key: the one key holds both halves, so KEY_ID2 must
 * repeat KEY_ID1 (else ERR 0x2, invalid key 2); the table A rules about two
 * distinct keys do not apply.  Lengths were checked by the caller.
 */
static uint32_t xts_ext_execute(struct azihsm_fw *fw, struct azihsm_fw_aes_cmd *cmd,
				const struct fp_cmd *c, struct azihsm_fw_aes_result *res,
				uint32_t id1, uint32_t id2, size_t unit)
{
	uint8_t key[EXT_XTS_KEY_MAX];
	enum key_fault f;
	size_t key_len;
	bool ok;

	if (id2 != id1)
		return FAIL_XTS(AZIHSM_AES_XTS_ERR_INVALID_KEY2);
	f = ext_key(fw, id1, AZIHSM_EXT_CIPHER_XTS, key, &key_len);
	if (f != KEY_OK)
		return FAIL_XTS(f == KEY_INVALID ? AZIHSM_AES_XTS_ERR_INVALID_KEY1 :
				AZIHSM_AES_XTS_ERR_KEY1_NOT_XTS);
	ok = xts_ext_run(key, key_len, c->sqe + XTS_OFF(tweak), c->decrypt, cmd->src,
			 cmd->dst, c->src_len, unit);
	OPENSSL_cleanse(key, sizeof(key));
	if (!ok)
		return FAIL_ENGINE;
	res->len = c->src_len;
	return 0;
}

static uint32_t xts_execute(struct azihsm_fw *fw, struct azihsm_fw_aes_cmd *cmd,
			    const struct fp_cmd *c, struct azihsm_fw_aes_result *res)
{
	static const uint32_t unit_bytes[] = { 0, 512, 4096, 8192 };
	uint8_t key[XTS_KEY_LEN];
	size_t unit = unit_bytes[AZIHSM_AES_ATTR_DUL(c->attr)];
	uint32_t id1, id2;
	uint16_t err;
	bool ok;

	res->fips_approved = SERVICE_INDICATOR;
	if (!unit)
		unit = c->src_len;
	if (!c->src_len || c->src_len % AES_BLOCK)
		return FAIL_XTS(AZIHSM_AES_XTS_ERR_LEN_NOT_16);
	if (c->src_len > AZIHSM_AES_XTS_MAX_LEN)
		return FAIL_XTS(AZIHSM_AES_XTS_ERR_TOO_LONG);
	/* Whole data units only; table A has no code of its own for it. */
	if (c->src_len % unit)
		return FAIL_XTS(AZIHSM_AES_XTS_ERR_LEN_NOT_16);
	if (c->room < c->src_len)
		return FAIL_FETCH(AZIHSM_AES_FETCH_ERR_OVERRUN);

	id1 = get_le32(c->sqe + XTS_OFF(key_id1));
	id2 = get_le32(c->sqe + XTS_OFF(key_id2));
	if (id1 & AZIHSM_EXT_KEY_ID_KERNEL)
		return xts_ext_execute(fw, cmd, c, res, id1, id2, unit);
	err = xts_keys(fw, c, id1, id2, key);
	if (err)
		return FAIL_XTS(err);
	ok = xts_run(key, c->sqe + XTS_OFF(tweak), c->decrypt, cmd->src, cmd->dst,
		     c->src_len, unit);
	OPENSSL_cleanse(key, sizeof(key));
	if (!ok)
		return FAIL_ENGINE;
	res->len = c->src_len;
	return 0;
}

#define CBC_OFF(field)		SQE_OFF(cbc.field)

/*
 * AES-CBC, the extension of ATTR bit 9 (kernel keys only, no padding).
 * Errors use the GCM codes (CIPHER is 0): DUL set 0x7, length 0x6, no
 * such kernel key 0x1, a bulk key or a kernel key of another cipher 0x8.
 * The chaining value for the next command (the last ciphertext block)
 * goes to the CQE TAG field.
 */
static uint32_t cbc_execute(struct azihsm_fw *fw, struct azihsm_fw_aes_cmd *cmd,
			    const struct fp_cmd *c, struct azihsm_fw_aes_result *res)
{
	uint32_t key_id = get_le32(c->sqe + CBC_OFF(key_id));
	uint8_t key[EXT_XTS_KEY_MAX], chain[AES_BLOCK];
	EVP_CIPHER_CTX *ctx;
	enum key_fault f;
	size_t key_len;
	bool ok;

	if (AZIHSM_AES_ATTR_DUL(c->attr))
		return FAIL_GCM(GCM_ERR_DUL);
	if (!c->src_len || c->src_len % AES_BLOCK)
		return FAIL_GCM(AZIHSM_AES_GCM_ERR_SRC_LEN);
	if (c->room < c->src_len)
		return FAIL_FETCH(AZIHSM_AES_FETCH_ERR_OVERRUN);
	if (!(key_id & AZIHSM_EXT_KEY_ID_KERNEL))
		return FAIL_GCM(AZIHSM_AES_GCM_ERR_NOT_GCM_KEY);
	f = ext_key(fw, key_id, AZIHSM_EXT_CIPHER_CBC, key, &key_len);
	if (f != KEY_OK)
		return FAIL_GCM(f == KEY_INVALID ? AZIHSM_AES_GCM_ERR_INVALID_KEY :
				AZIHSM_AES_GCM_ERR_NOT_GCM_KEY);
	/* Decrypting in place overwrites the last ciphertext block: save it. */
	if (c->decrypt)
		memcpy(chain, cmd->src + c->src_len - AES_BLOCK, AES_BLOCK);
	ctx = EVP_CIPHER_CTX_new();
	ok = ctx && EVP_CipherInit_ex(ctx, aes_cipher(MODE_CBC, key_len), NULL, key,
				      c->sqe + CBC_OFF(iv), !c->decrypt) &&
	     EVP_CIPHER_CTX_set_padding(ctx, 0) &&
	     cipher_update(ctx, cmd->dst, cmd->src, c->src_len);
	EVP_CIPHER_CTX_free(ctx);
	OPENSSL_cleanse(key, sizeof(key));
	if (!ok) {
		OPENSSL_cleanse(cmd->dst, c->src_len);
		return FAIL_ENGINE;
	}
	if (!c->decrypt)
		memcpy(chain, cmd->dst + c->src_len - AES_BLOCK, AES_BLOCK);
	memcpy(res->tag, chain, AES_BLOCK);
	res->len = c->src_len;
	return 0;
}

/* The checks of the common SQE part, before the cipher's own. */
static uint32_t sqe_check(const struct azihsm_fw_aes_cmd *cmd, const struct fp_cmd *c)
{
	if (AZIHSM_AES_ATTR_CMD_TYPE(c->attr) != AZIHSM_AES_CMD_TYPE_FAST)
		return FAIL_FETCH(AZIHSM_AES_FETCH_ERR_INVALID_OPCODE);
	/* The model reads SGLs only (the driver never sends PRPs). */
	if (!(c->attr & AZIHSM_AES_ATTR_SGL) ||
	    c->sqe[SQE_OFF(frame_type)] != AZIHSM_AES_FRAME_TYPE_AES)
		return FAIL_FETCH(AZIHSM_AES_FETCH_ERR_CMD_STRUCT);
	/* The model gathers SRC_LEN bytes; anything else is an underrun. */
	if (cmd->src_len != c->src_len || (c->src_len && !cmd->src))
		return FAIL_FETCH(AZIHSM_AES_FETCH_ERR_UNDERRUN);
	return 0;
}

void azihsm_fw_aes_execute(struct azihsm_fw *fw, struct azihsm_fw_aes_cmd *cmd,
			   struct azihsm_fw_aes_result *res)
{
	struct fp_cmd c;
	uint32_t dst_len, outcome;

	if (!res)
		return;
	memset(res, 0, sizeof(*res));
	if (!fw || !cmd || !cmd->sqe) {
		res->sts = AZIHSM_AES_STS_FETCH_ERROR;
		res->err = AZIHSM_AES_FETCH_ERR_CMD_STRUCT;
		return;
	}
	memset(&c, 0, sizeof(c));
	c.sqe = cmd->sqe;
	c.attr = get_le16(c.sqe + SQE_OFF(attr));
	c.session_id = get_le16(c.sqe + SQE_OFF(session_id));
	c.app_id = c.sqe[SQE_OFF(short_app_id)];
	c.src_len = get_le32(c.sqe + SQE_OFF(src_len));
	c.decrypt = c.attr & AZIHSM_AES_ATTR_DECRYPT;
	dst_len = get_le32(c.sqe + SQE_OFF(dst_len));
	c.room = cmd->dst ? (dst_len < cmd->dst_len ? dst_len : cmd->dst_len) : 0;

	outcome = sqe_check(cmd, &c);
	if (outcome)
		;
	else if (c.attr & AZIHSM_AES_ATTR_EXT_CBC)
		/* The CBC extension exists with CIPHER 0 only. */
		outcome = c.attr & AZIHSM_AES_ATTR_XTS ?
			  FAIL_FETCH(AZIHSM_AES_FETCH_ERR_INVALID_OPCODE) :
			  cbc_execute(fw, cmd, &c, res);
	else if (c.attr & AZIHSM_AES_ATTR_XTS)
		outcome = xts_execute(fw, cmd, &c, res);
	else
		outcome = gcm_execute(fw, cmd, &c, res);
	if (outcome) {
		memset(res->tag, 0, sizeof(res->tag));
		/* Nothing reaches the host on failure (gcm_run wiped it). */
		res->sts = (uint16_t)(outcome >> 16);
		res->err = (uint16_t)outcome;
		res->len = 0;
		res->unaligned_dst_len = 0;
	}
}
