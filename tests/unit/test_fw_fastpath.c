// SPDX-License-Identifier: MIT
/*
 * The firmware core's AES fast path, azihsm_fw_aes_execute(), driven with
 * SQEs built here as the driver would (hardware.md 7) and bulk keys put
 * into the fast-path slots with the test-only DerKeyImport (classes 4-6).
 *
 * GCM and XTS are checked against the Wycheproof vectors of build/vectors
 * (scripts/wycheproof-aes.py, tests/wycheproof/wycheproof.mk) and against
 * OpenSSL; every validation path of 7.7 tables A/B answers its STS/ERR;
 * and commands of four threads run while a fifth creates and deletes keys.
 */
#include <endian.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "azihsm/ddi_msg.h"
#include "azihsm/hw.h"
#include "fw_test_util.h"
#include "vector_file.h"

#define META_ENC_DEC	(DDI_KEY_META_ENCRYPT | DDI_KEY_META_DECRYPT)
#define STS(name)	AZIHSM_AES_STS_##name
#define BLOCK		16
#define TEXT_MAX	2048
#define REGION_MAX	1024

/* A provisioned core with two key tables (14 bulk slots), one session. */
struct fix {
	struct host *h;
	uint16_t sess;
	uint8_t app;			/* short app id of the session */
};

/* ---- Keys ---- */

static uint32_t import_bulk(struct fix *t, uint16_t sess, uint32_t key_class,
			    const uint8_t key[32], uint16_t meta, uint16_t *key_id,
			    uint16_t *bulk_id)
{
	uint8_t m[DDI_KEY_META_LEN] = { (uint8_t)meta, (uint8_t)(meta >> 8) };
	struct ddi_der_import_req req = {
		.der = { key, 32 },
		.key_class = key_class,
	};
	struct ddi_der_import_resp r;
	uint32_t status;

	req.key_properties.key_metadata.blob = (struct mbor_bytes){ m, sizeof(m) };
	status = call(t->h, OP(DER_KEY_IMPORT), sess, &ddi_der_import_req_schema, &req,
		      &ddi_der_import_resp_schema, &r);
	if (status)
		return status;
	assert_true(r.has_bulk_key_id);
	*bulk_id = r.bulk_key_id;
	if (key_id)
		*key_id = r.key_id;
	return 0;
}

/* An app key of the fixture's session; its bulk id. */
static uint16_t bulk_key(struct fix *t, uint32_t key_class, const uint8_t key[32])
{
	uint16_t bulk;

	assert_int_equal(import_bulk(t, t->sess, key_class, key, META_ENC_DEC, NULL, &bulk), 0);
	return bulk;
}

static uint16_t random_key(struct fix *t, uint32_t key_class, uint8_t key[32])
{
	assert_int_equal(RAND_bytes(key, 32), 1);
	return bulk_key(t, key_class, key);
}

static uint32_t delete_key(struct fix *t, uint16_t sess, uint16_t id)
{
	struct ddi_delete_key_req req = { .key_id = id };

	return call(t->h, OP(DELETE_KEY), sess, &ddi_delete_key_req_schema, &req,
		    &ddi_empty_schema, NULL);
}

/* ---- SQEs ---- */

static void sqe_init(const struct fix *t, struct azihsm_aes_sqe *q, bool decrypt, bool xts,
		     unsigned int dul)
{
	memset(q, 0, sizeof(*q));
	q->attr = htole16(AZIHSM_AES_ATTR(decrypt, xts, dul));
	q->session_id = htole16(t->sess);
	q->short_app_id = t->app;
	q->frame_type = AZIHSM_AES_FRAME_TYPE_AES;
}

static void exec(struct fix *t, const struct azihsm_aes_sqe *q, const uint8_t *src,
		 uint8_t *dst, uint32_t dst_len, struct azihsm_fw_aes_cmd *cmd,
		 struct azihsm_fw_aes_result *res)
{
	cmd->sqe = (const uint8_t *)q;
	cmd->src = src;
	cmd->src_len = le32toh(q->src_len);
	cmd->dst = dst;
	cmd->dst_len = dst_len;
	azihsm_fw_aes_execute(t->h->fw, cmd, res);
}

#define assert_fails(r, want_sts, want_err) do {			\
	assert_int_equal((r).sts, (want_sts));				\
	assert_int_equal((r).err, (want_err));				\
	assert_int_equal((r).len, 0);					\
	assert_int_equal((r).unaligned_dst_len, 0);			\
} while (0)

/* ---- GCM ---- */

/* One GCM command as the SDK and driver build it (7.9, 7.10). */
struct gcm_req {
	uint32_t key_id;
	bool decrypt;
	uint8_t iv[12];
	const uint8_t *aad;
	size_t aad_len;
	const uint8_t *text;
	size_t text_len;
	uint8_t tag[BLOCK];		/* decrypt */
	/* Set instead of the SDK padding: the region as is (aad_len actual). */
	const uint8_t *region;
	size_t region_len;
};

struct gcm_out {
	struct azihsm_fw_aes_result res;
	uint8_t text[TEXT_MAX];		/* aligned output then the tail */
	bool text_wiped;		/* failure: no output byte is left */
};

/* The SDK's align_aad_in_place (7.9). */
static size_t sdk_pad_aad(const uint8_t *aad, size_t len, uint8_t *region)
{
	size_t r = len % 32, pre = r >= 1 && r <= 16 ? 16 : 0, total;

	total = pre + len;
	total = (total + 31) / 32 * 32;
	memset(region, 0, total);
	if (len)
		memcpy(region + pre, aad, len);
	return total;
}

static void gcm_exec(struct fix *t, const struct gcm_req *g, struct gcm_out *o)
{
	static uint8_t src[REGION_MAX + TEXT_MAX], dst[REGION_MAX + TEXT_MAX];
	uint8_t region[REGION_MAX];
	size_t region_len, tail = g->text_len % BLOCK, aligned = g->text_len - tail, i;
	struct azihsm_aes_sqe q;
	struct azihsm_fw_aes_cmd cmd = { 0 };

	assert_true(g->text_len <= TEXT_MAX);
	assert_true(g->region_len <= REGION_MAX && g->aad_len + 2 * BLOCK <= REGION_MAX);
	if (g->region) {
		region_len = g->region_len;
		memcpy(region, g->region, region_len);
	} else {
		region_len = sdk_pad_aad(g->aad, g->aad_len, region);
	}
	memcpy(src, region, region_len);
	if (aligned)
		memcpy(src + region_len, g->text, aligned);
	memset(dst, 0xa5, sizeof(dst));

	sqe_init(t, &q, g->decrypt, false, 0);
	q.src_len = q.dst_len = htole32((uint32_t)(region_len + aligned));
	q.gcm.key_id = htole32(g->key_id);
	q.gcm.actual_aad_len = htole32((uint32_t)g->aad_len);
	q.gcm.aligned_aad_len = htole32((uint32_t)region_len);
	memcpy(q.gcm.iv, g->iv, sizeof(q.gcm.iv));
	if (g->decrypt)
		memcpy(q.gcm.tag, g->tag, BLOCK);
	if (tail) {
		q.gcm.unaligned_src_len = q.gcm.unaligned_dst_len = (uint8_t)tail;
		q.gcm.unaligned_src_lo = q.gcm.unaligned_dst_lo = htole32(0x10000);
		memcpy(cmd.tail, g->text + aligned, tail);
		cmd.tail_len = (uint8_t)tail;
	}
	exec(t, &q, src, dst, le32toh(q.dst_len), &cmd, &o->res);

	if (o->res.sts || o->res.err) {
		assert_int_equal(o->res.len, 0);
		assert_int_equal(o->res.unaligned_dst_len, 0);
		/* What the core left behind may not hold any of its output. */
		o->text_wiped = true;
		for (i = 0; i < aligned; i++)
			o->text_wiped &= dst[region_len + i] == 0 || dst[region_len + i] == 0xa5;
		for (i = 0; i < tail; i++)
			o->text_wiped &= cmd.tail[i] == 0 || cmd.tail[i] == g->text[aligned + i];
		return;
	}
	assert_int_equal(o->res.len, region_len + aligned);
	assert_int_equal(o->res.unaligned_dst_len, tail);
	/* The AAD region comes back unchanged, the text after it. */
	assert_memory_equal(dst, region, region_len);
	memcpy(o->text, dst + region_len, aligned);
	memcpy(o->text + aligned, cmd.tail, tail);
	assert_int_equal(o->res.fips_approved, 0);
}

/* Standard AES-256-GCM with OpenSSL (96-bit IV): the reference. */
static void ref_gcm(const uint8_t key[32], const uint8_t iv[12], const uint8_t *aad,
		    size_t aad_len, const uint8_t *in, size_t len, uint8_t *out,
		    uint8_t tag[BLOCK])
{
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	int n;

	assert_non_null(ctx);
	assert_true(EVP_EncryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, key, iv));
	if (aad_len)
		assert_true(EVP_EncryptUpdate(ctx, NULL, &n, aad, (int)aad_len));
	if (len)
		assert_true(EVP_EncryptUpdate(ctx, out, &n, in, (int)len));
	assert_true(EVP_EncryptFinal_ex(ctx, out + len, &n));
	assert_true(EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, BLOCK, tag));
	EVP_CIPHER_CTX_free(ctx);
}

/* Encrypt with the device; the ciphertext and tag must be OpenSSL's. */
static void gcm_check_encrypt(struct fix *t, uint32_t key_id, const uint8_t key[32],
			      const uint8_t *aad, size_t aad_len, const uint8_t *text,
			      size_t len)
{
	uint8_t ct[TEXT_MAX + BLOCK], tag[BLOCK];
	struct gcm_req g = { .key_id = key_id, .aad = aad, .aad_len = aad_len,
			     .text = text, .text_len = len };
	struct gcm_out o;

	assert_int_equal(RAND_bytes(g.iv, sizeof(g.iv)), 1);
	gcm_exec(t, &g, &o);
	assert_int_equal(o.res.sts, 0);
	assert_int_equal(o.res.err, 0);
	ref_gcm(key, g.iv, aad, aad_len, text, len, ct, tag);
	assert_memory_equal(o.res.iv, g.iv, sizeof(g.iv));
	assert_memory_equal(o.res.tag, tag, BLOCK);
	if (len)
		assert_memory_equal(o.text, ct, len);
}

/* ---- XTS ---- */

static void xts_sqe(const struct fix *t, struct azihsm_aes_sqe *q, bool decrypt,
		    unsigned int dul, uint32_t id1, uint32_t id2, const uint8_t tweak[BLOCK],
		    uint32_t len)
{
	sqe_init(t, q, decrypt, true, dul);
	q->src_len = q->dst_len = htole32(len);
	q->xts.key_id1 = htole32(id1);
	q->xts.key_id2 = htole32(id2);
	if (tweak)
		memcpy(q->xts.tweak, tweak, BLOCK);
}

static void xts_exec(struct fix *t, bool decrypt, unsigned int dul, uint32_t id1,
		     uint32_t id2, const uint8_t tweak[BLOCK], const uint8_t *in, uint32_t len,
		     uint8_t *out, struct azihsm_fw_aes_result *res)
{
	struct azihsm_aes_sqe q;
	struct azihsm_fw_aes_cmd cmd = { 0 };

	xts_sqe(t, &q, decrypt, dul, id1, id2, tweak, len);
	exec(t, &q, in, out, len, &cmd, res);
}

/* XTS of one data unit with OpenSSL: the reference. */
static void ref_xts_unit(const uint8_t key[64], const uint8_t tweak[BLOCK], const uint8_t *in,
			 size_t len, uint8_t *out)
{
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	int n;

	assert_non_null(ctx);
	assert_true(EVP_EncryptInit_ex(ctx, EVP_aes_256_xts(), NULL, key, tweak));
	assert_true(EVP_EncryptUpdate(ctx, out, &n, in, (int)len));
	EVP_CIPHER_CTX_free(ctx);
}

/* ---- Fixture ---- */

static int setup(void **state)
{
	struct fix *t = calloc(1, sizeof(*t));
	void *h;

	if (!t || host_setup_tables(&h, 2, true)) {
		free(t);
		return -1;
	}
	t->h = h;
	*state = t;
	provision(t->h);
	assert_int_equal(open_session(t->h, app_pin, &t->sess), 0);
	t->app = t->h->out.short_app_id;
	assert_int_not_equal(t->app, 0);
	return 0;
}

static int teardown(void **state)
{
	struct fix *t = *state;
	void *h = t->h;

	free(t);
	return host_teardown(&h);
}

/* ---- Tests ---- */

static void test_gcm_lengths(void **state)
{
	static const size_t aad_lens[] = { 0, 1, 13, 16, 17, 31, 32, 33, 48, 64, 100 };
	static const size_t text_lens[] = { 0, 1, 15, 16, 17, 32, 100, 1024, 1031 };
	struct fix *t = *state;
	uint8_t key[32], aad[128], text[TEXT_MAX];
	uint16_t id = random_key(t, DDI_KEY_CLASS_AES_GCM_BULK_UNAPPROVED, key);
	size_t a, x;

	assert_int_equal(RAND_bytes(aad, sizeof(aad)), 1);
	assert_int_equal(RAND_bytes(text, sizeof(text)), 1);
	/* Every AAD padding shape of 7.9 with and without a tail. */
	for (a = 0; a < sizeof(aad_lens) / sizeof(aad_lens[0]); a++)
		for (x = 0; x < sizeof(text_lens) / sizeof(text_lens[0]); x++)
			gcm_check_encrypt(t, id, key, aad, aad_lens[a], text, text_lens[x]);
}

/*
 * 7.11 hashes the AAD region as given, whatever the host put around the
 * AAD.  GHASH is linear in its blocks, so for two regions R, P of one
 * length and the same text, tag(R) ^ tag(P) = gcm(R) ^ gcm(P) (plain GCM
 * with the whole region as AAD).  With P the SDK-padded AAD A, whose tag
 * is gcm(A): tag(R) = gcm(R) ^ gcm(P) ^ gcm(A), from OpenSSL alone.
 */
static void test_gcm_general_region(void **state)
{
	struct fix *t = *state;
	uint8_t key[32], region[64], padded[64], text[40], ct[64], out[64];
	uint8_t t_r[BLOCK], t_p[BLOCK], t_a[BLOCK], want[BLOCK];
	struct gcm_req g = { .region = region, .region_len = 64, .text = text,
			     .text_len = sizeof(text), .aad_len = 40 };
	struct gcm_out o, d;
	int i;

	g.key_id = random_key(t, DDI_KEY_CLASS_AES_GCM_BULK_UNAPPROVED, key);
	assert_int_equal(RAND_bytes(region, sizeof(region)), 1);
	assert_int_equal(RAND_bytes(text, sizeof(text)), 1);
	assert_int_equal(RAND_bytes(g.iv, sizeof(g.iv)), 1);
	/* 40 bytes of AAD (r = 8): the SDK would put 16 zeros before it. */
	assert_int_equal(sdk_pad_aad(region + 3, 40, padded), 64);
	gcm_exec(t, &g, &o);
	assert_int_equal(o.res.sts, 0);
	ref_gcm(key, g.iv, region, 64, text, sizeof(text), ct, t_r);
	ref_gcm(key, g.iv, padded, 64, text, sizeof(text), ct, t_p);
	ref_gcm(key, g.iv, region + 3, 40, text, sizeof(text), out, t_a);
	for (i = 0; i < BLOCK; i++)
		want[i] = t_r[i] ^ t_p[i] ^ t_a[i];
	assert_memory_equal(o.res.tag, want, BLOCK);
	assert_memory_equal(o.text, ct, sizeof(text));

	/* The same rule on decrypt: the tag verifies, the text comes back. */
	g.decrypt = true;
	g.text = o.text;
	memcpy(g.tag, o.res.tag, BLOCK);
	gcm_exec(t, &g, &d);
	assert_int_equal(d.res.sts, 0);
	assert_memory_equal(d.text, text, sizeof(text));
}

/* Wrong tags: no plaintext, STS/ERR by path (7.7 note, 7.10 step 4). */
static void test_gcm_tag_mismatch(void **state)
{
	static const struct {
		size_t aad_len, text_len;
		uint16_t sts, err;
	} cases[] = {
		{ 32, 32, STS(CRYPTO_ENGINE_ERROR), 0x9 },	/* engine alone */
		{ 0, 48, STS(CRYPTO_ENGINE_ERROR), 0x9 },
		{ 20, 32, STS(INVALID_FIELD_GCM), AZIHSM_AES_GCM_ERR_TAG_MISMATCH },
		{ 32, 37, STS(INVALID_FIELD_GCM), AZIHSM_AES_GCM_ERR_TAG_MISMATCH },
		{ 0, 5, STS(INVALID_FIELD_GCM), AZIHSM_AES_GCM_ERR_TAG_MISMATCH },
	};
	struct fix *t = *state;
	uint8_t key[32], aad[32], text[64];
	struct gcm_req g = { .aad = aad, .text = text };
	struct gcm_out o;
	size_t i;

	g.key_id = random_key(t, DDI_KEY_CLASS_AES_GCM_BULK_UNAPPROVED, key);
	assert_int_equal(RAND_bytes(aad, sizeof(aad)), 1);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		g.decrypt = false;
		g.text = text;
		g.aad_len = cases[i].aad_len;
		g.text_len = cases[i].text_len;
		assert_int_equal(RAND_bytes(text, sizeof(text)), 1);
		gcm_exec(t, &g, &o);
		assert_int_equal(o.res.sts, 0);
		/* The right tag decrypts. */
		g.decrypt = true;
		g.text = o.text;
		memcpy(g.tag, o.res.tag, BLOCK);
		gcm_exec(t, &g, &o);
		assert_int_equal(o.res.sts, 0);
		assert_memory_equal(o.text, text, g.text_len);
		/* Encrypt again and flip one tag bit. */
		g.decrypt = false;
		g.text = text;
		gcm_exec(t, &g, &o);
		g.decrypt = true;
		g.text = o.text;
		memcpy(g.tag, o.res.tag, BLOCK);
		g.tag[i % BLOCK] ^= 0x40;
		gcm_exec(t, &g, &o);
		assert_fails(o.res, cases[i].sts, cases[i].err);
		assert_true(o.text_wiped);
	}
}

/* 7.12: an approved key encrypts under a device IV, returned in the CQE. */
static void test_gcm_approved_iv(void **state)
{
	struct fix *t = *state;
	uint8_t key[32], text[48], ct[48], first_iv[12];
	struct gcm_req g = { .text = text, .text_len = sizeof(text) };
	struct gcm_out o, d;

	g.key_id = random_key(t, DDI_KEY_CLASS_AES_GCM_BULK, key);
	assert_int_equal(RAND_bytes(text, sizeof(text)), 1);
	memset(g.iv, 0x11, sizeof(g.iv));
	gcm_exec(t, &g, &o);
	assert_int_equal(o.res.sts, 0);
	assert_memory_not_equal(o.res.iv, g.iv, sizeof(g.iv));
	assert_int_equal(o.res.fips_approved, 0);
	memcpy(first_iv, o.res.iv, sizeof(first_iv));
	memcpy(ct, o.text, sizeof(ct));
	/* Decrypt takes the host IV: the one returned. */
	g.decrypt = true;
	g.text = ct;
	memcpy(g.iv, first_iv, sizeof(g.iv));
	memcpy(g.tag, o.res.tag, BLOCK);
	gcm_exec(t, &g, &d);
	assert_int_equal(d.res.sts, 0);
	assert_memory_equal(d.res.iv, first_iv, sizeof(first_iv));
	assert_memory_equal(d.text, text, sizeof(text));
	/* A second encryption gets another IV. */
	g.decrypt = false;
	g.text = text;
	gcm_exec(t, &g, &o);
	assert_int_equal(o.res.sts, 0);
	assert_memory_not_equal(o.res.iv, first_iv, sizeof(first_iv));
}

/* A GCM SQE with a valid layout: 32 bytes of AAD region, 32 of text. */
static void gcm_sqe(const struct fix *t, struct azihsm_aes_sqe *q, uint32_t key_id)
{
	sqe_init(t, q, false, false, 0);
	q->src_len = q->dst_len = htole32(64);
	q->gcm.key_id = htole32(key_id);
	q->gcm.actual_aad_len = htole32(20);
	q->gcm.aligned_aad_len = htole32(32);
}

static void gcm_expect(struct fix *t, struct azihsm_aes_sqe *q, const uint8_t *tail,
		       uint8_t tail_len, uint16_t sts, uint16_t err)
{
	static const uint8_t src[128];
	uint8_t dst[128];
	struct azihsm_fw_aes_cmd cmd = { 0 };
	struct azihsm_fw_aes_result res;

	if (tail_len)
		memcpy(cmd.tail, tail, tail_len);
	cmd.tail_len = tail_len;
	exec(t, q, src, dst, le32toh(q->dst_len), &cmd, &res);
	if (!sts && !err) {
		assert_int_equal(res.sts, 0);
		assert_int_equal(res.err, 0);
		assert_int_equal(res.len, le32toh(q->src_len));
		return;
	}
	assert_fails(res, sts, err);
}

static void test_gcm_field_errors(void **state)
{
	struct fix *t = *state;
	uint8_t key[32], tail[15] = { 0 };
	uint16_t id = random_key(t, DDI_KEY_CLASS_AES_GCM_BULK_UNAPPROVED, key);
	struct azihsm_aes_sqe q;
	struct azihsm_fw_aes_cmd cmd = { 0 };
	struct azihsm_fw_aes_result res;
	uint8_t src[64] = { 0 }, dst[64];

	/* The baseline is accepted. */
	gcm_sqe(t, &q, id);
	exec(t, &q, src, dst, sizeof(dst), &cmd, &res);
	assert_int_equal(res.sts, 0);
	assert_int_equal(res.len, 64);

	/* ATTR and frame (table E). */
	gcm_sqe(t, &q, id);
	q.attr = htole16(le16toh(q.attr) & ~(7u << 3));
	gcm_expect(t, &q, NULL, 0, STS(FETCH_ERROR), AZIHSM_AES_FETCH_ERR_INVALID_OPCODE);
	gcm_sqe(t, &q, id);
	q.attr = htole16(le16toh(q.attr) & ~AZIHSM_AES_ATTR_SGL);
	gcm_expect(t, &q, NULL, 0, STS(FETCH_ERROR), AZIHSM_AES_FETCH_ERR_CMD_STRUCT);
	gcm_sqe(t, &q, id);
	q.frame_type = 0;
	gcm_expect(t, &q, NULL, 0, STS(FETCH_ERROR), AZIHSM_AES_FETCH_ERR_CMD_STRUCT);
	/* The model gathered fewer bytes than SRC_LEN. */
	gcm_sqe(t, &q, id);
	cmd.sqe = (const uint8_t *)&q;
	cmd.src = src;
	cmd.src_len = 48;
	cmd.dst = dst;
	cmd.dst_len = sizeof(dst);
	azihsm_fw_aes_execute(t->h->fw, &cmd, &res);
	assert_fails(res, STS(FETCH_ERROR), AZIHSM_AES_FETCH_ERR_UNDERRUN);

	/* DUL is for XTS only. */
	gcm_sqe(t, &q, id);
	q.attr = htole16(AZIHSM_AES_ATTR(0, 0, AZIHSM_AES_DUL_512));
	gcm_expect(t, &q, NULL, 0, STS(INVALID_FIELD_GCM), 0x7);

	/* Lengths (table B, 7.8). */
	gcm_sqe(t, &q, id);
	q.gcm.aligned_aad_len = htole32(16);
	gcm_expect(t, &q, NULL, 0, STS(INVALID_FIELD_GCM), AZIHSM_AES_GCM_ERR_AAD_ALIGN);
	gcm_sqe(t, &q, id);
	q.gcm.aligned_aad_len = htole32(96);
	gcm_expect(t, &q, NULL, 0, STS(INVALID_FIELD_GCM), AZIHSM_AES_GCM_ERR_AAD_ALIGN);
	gcm_sqe(t, &q, id);
	q.gcm.actual_aad_len = htole32(33);
	gcm_expect(t, &q, NULL, 0, STS(INVALID_FIELD_GCM), AZIHSM_AES_GCM_ERR_AAD_ALIGN);
	gcm_sqe(t, &q, id);
	q.src_len = q.dst_len = htole32(60);	/* no tail protocol: 28 bytes of text */
	gcm_expect(t, &q, NULL, 0, STS(INVALID_FIELD_GCM), AZIHSM_AES_GCM_ERR_SRC_LEN);
	gcm_sqe(t, &q, id);
	q.dst_len = htole32(48);		/* no room for the AAD region + text */
	gcm_expect(t, &q, NULL, 0, STS(FETCH_ERROR), AZIHSM_AES_FETCH_ERR_OVERRUN);

	/* The tail fields (table C). */
	gcm_sqe(t, &q, id);
	q.gcm.unaligned_src_len = 5;
	q.gcm.unaligned_dst_len = 4;
	q.gcm.unaligned_src_lo = q.gcm.unaligned_dst_lo = htole32(0x1000);
	gcm_expect(t, &q, tail, 5, STS(INVALID_FIELD_GCM), AZIHSM_AES_GCM_ERR_UNALIGNED_LEN);
	q.gcm.unaligned_src_len = q.gcm.unaligned_dst_len = 16;
	gcm_expect(t, &q, tail, 15, STS(INVALID_FIELD_GCM), AZIHSM_AES_GCM_ERR_UNALIGNED_LEN);
	q.gcm.unaligned_src_len = q.gcm.unaligned_dst_len = 5;
	gcm_expect(t, &q, tail, 4, STS(INVALID_FIELD_GCM), AZIHSM_AES_GCM_ERR_UNALIGNED_LEN);
	q.gcm.unaligned_src_lo = 0;
	gcm_expect(t, &q, tail, 5, STS(INVALID_FIELD_GCM), AZIHSM_AES_GCM_ERR_UNALIGNED_SRC);
	q.gcm.unaligned_src_hi = htole32(1);
	q.gcm.unaligned_dst_lo = 0;
	gcm_expect(t, &q, tail, 5, STS(INVALID_FIELD_GCM), AZIHSM_AES_GCM_ERR_UNALIGNED_DST);
	q.gcm.unaligned_dst_hi = htole32(1);
	cmd.tail_len = 5;
	exec(t, &q, src, dst, sizeof(dst), &cmd, &res);
	assert_int_equal(res.sts, 0);
	assert_int_equal(res.unaligned_dst_len, 5);
}

/* A bulk id with another group or slot, for the KEY_ID checks. */
#define BULK_ID(group, slot)	((uint32_t)(group) << 3 | (slot))

static void test_gcm_key_errors(void **state)
{
	struct fix *t = *state;
	uint8_t key[32];
	uint16_t id = random_key(t, DDI_KEY_CLASS_AES_GCM_BULK_UNAPPROVED, key);
	uint16_t xts = random_key(t, DDI_KEY_CLASS_AES_XTS_BULK, key);
	uint16_t other, own, other_id;
	struct azihsm_aes_sqe q;
	int group;

	/* Slot 6 of group 0 is free: 2 keys are in use. */
	gcm_sqe(t, &q, BULK_ID(0, 6));
	gcm_expect(t, &q, NULL, 0, STS(INVALID_FIELD_GCM), AZIHSM_AES_GCM_ERR_INVALID_KEY);
	gcm_sqe(t, &q, id | 1u << 10);		/* reserved bits */
	gcm_expect(t, &q, NULL, 0, STS(INVALID_FIELD_GCM), AZIHSM_AES_GCM_ERR_INVALID_KEY);
	gcm_sqe(t, &q, BULK_ID(0, 7));		/* sub-index 0..6 only */
	gcm_expect(t, &q, NULL, 0, STS(INVALID_FIELD_GCM), AZIHSM_AES_GCM_ERR_INVALID_KEY);
	gcm_sqe(t, &q, BULK_ID(66, 0));		/* slot >= 462 */
	gcm_expect(t, &q, NULL, 0, STS(INVALID_FIELD_GCM), AZIHSM_AES_GCM_ERR_INVALID_KEY);
	/* Groups the partition does not have: 2..64, and the device's 65. */
	for (group = 2; group <= 65; group += 63) {
		gcm_sqe(t, &q, BULK_ID(group, 0));
		gcm_expect(t, &q, NULL, 0, STS(INVALID_FIELD_GCM),
			   AZIHSM_AES_GCM_ERR_KEY_NOT_OWNED);
	}
	gcm_sqe(t, &q, id);
	q.short_app_id = (uint8_t)(t->app + 1);
	gcm_expect(t, &q, NULL, 0, STS(INVALID_FIELD_GCM), AZIHSM_AES_GCM_ERR_APP);
	gcm_sqe(t, &q, xts);
	gcm_expect(t, &q, NULL, 0, STS(INVALID_FIELD_GCM), AZIHSM_AES_GCM_ERR_NOT_GCM_KEY);

	/* A session key serves its own session only. */
	assert_int_equal(import_bulk(t, t->sess, DDI_KEY_CLASS_AES_GCM_BULK, key,
				     META_ENC_DEC | DDI_KEY_META_SESSION, NULL, &own), 0);
	assert_int_equal(open_session(t->h, app_pin, &other_id), 0);
	assert_int_equal(import_bulk(t, other_id, DDI_KEY_CLASS_AES_GCM_BULK, key,
				     META_ENC_DEC | DDI_KEY_META_SESSION, NULL, &other), 0);
	gcm_sqe(t, &q, other);
	gcm_expect(t, &q, NULL, 0, STS(INVALID_FIELD_GCM), AZIHSM_AES_GCM_ERR_SESSION);
	gcm_sqe(t, &q, own);
	gcm_expect(t, &q, NULL, 0, 0, 0);
	/* Its session closes: the key is gone. */
	assert_int_equal(close_session(t->h, other_id), 0);
	gcm_sqe(t, &q, other);
	q.session_id = htole16(other_id);
	gcm_expect(t, &q, NULL, 0, STS(INVALID_FIELD_GCM), AZIHSM_AES_GCM_ERR_INVALID_KEY);
}

static void test_xts_units(void **state)
{
	static const unsigned int units[] = { 0, 512, 4096, 8192 };
	static uint8_t in[16384], out[16384], back[16384], want[16384];
	struct fix *t = *state;
	uint8_t key[64], tweak[BLOCK], tw[BLOCK];
	uint16_t id1 = random_key(t, DDI_KEY_CLASS_AES_XTS_BULK, key);
	uint16_t id2 = random_key(t, DDI_KEY_CLASS_AES_XTS_BULK, key + 32);
	struct azihsm_fw_aes_result res;
	unsigned int dul, len = 16384, off;
	unsigned __int128 n;
	int i;

	assert_int_equal(RAND_bytes(in, sizeof(in)), 1);
	/* A tweak whose low 64 bits carry into the high ones after unit 1. */
	memset(tweak, 0, sizeof(tweak));
	memset(tweak, 0xff, 8);
	tweak[0] = 0xfe;
	tweak[9] = 0x42;
	for (dul = 0; dul < 4; dul++) {
		unsigned int unit = units[dul] ? units[dul] : len;

		xts_exec(t, false, dul, id1, id2, tweak, in, len, out, &res);
		assert_int_equal(res.sts, 0);
		assert_int_equal(res.err, 0);
		assert_int_equal(res.len, len);
		assert_int_equal(res.fips_approved, 0);
		/* Unit k: tweak + k as a 128-bit little-endian number (7.9). */
		for (off = 0; off < len; off += unit) {
			n = 0;
			for (i = BLOCK - 1; i >= 0; i--)
				n = n << 8 | tweak[i];
			n += off / unit;
			for (i = 0; i < BLOCK; i++, n >>= 8)
				tw[i] = (uint8_t)n;
			ref_xts_unit(key, tw, in + off, unit, want + off);
		}
		assert_memory_equal(out, want, len);
		xts_exec(t, true, dul, id1, id2, tweak, out, len, back, &res);
		assert_int_equal(res.sts, 0);
		assert_memory_equal(back, in, len);
	}
}

static void xts_expect(struct fix *t, unsigned int dul, uint32_t id1, uint32_t id2,
		       uint32_t len, uint32_t dst_len, uint16_t sts, uint16_t err)
{
	static uint8_t buf[AZIHSM_AES_XTS_MAX_LEN + 2 * BLOCK], dst[8192];
	struct azihsm_aes_sqe q;
	struct azihsm_fw_aes_cmd cmd = { 0 };
	struct azihsm_fw_aes_result res;

	xts_sqe(t, &q, false, dul, id1, id2, NULL, len);
	q.dst_len = htole32(dst_len);
	exec(t, &q, buf, dst, dst_len > sizeof(dst) ? sizeof(dst) : dst_len, &cmd, &res);
	if (!sts && !err) {
		assert_int_equal(res.sts, 0);
		assert_int_equal(res.len, len);
		return;
	}
	assert_fails(res, sts, err);
}

static void test_xts_errors(void **state)
{
	struct fix *t = *state;
	uint8_t key[32], other_key[32];
	uint16_t k1 = random_key(t, DDI_KEY_CLASS_AES_XTS_BULK, key);
	uint16_t k2 = random_key(t, DDI_KEY_CLASS_AES_XTS_BULK, other_key);
	uint16_t same = bulk_key(t, DDI_KEY_CLASS_AES_XTS_BULK, key);
	uint16_t gcm = random_key(t, DDI_KEY_CLASS_AES_GCM_BULK, other_key);
	uint16_t mine, theirs, other_sess;
	const uint16_t A = STS(INVALID_FIELD_XTS);

	xts_expect(t, 0, k1, k2, 64, 64, 0, 0);
	/* Lengths. */
	xts_expect(t, 0, k1, k2, 0, 64, A, AZIHSM_AES_XTS_ERR_LEN_NOT_16);
	xts_expect(t, 0, k1, k2, 24, 64, A, AZIHSM_AES_XTS_ERR_LEN_NOT_16);
	xts_expect(t, 0, k1, k2, AZIHSM_AES_XTS_MAX_LEN + BLOCK, 64, A,
		   AZIHSM_AES_XTS_ERR_TOO_LONG);
	xts_expect(t, AZIHSM_AES_DUL_512, k1, k2, 528, 528, A, AZIHSM_AES_XTS_ERR_LEN_NOT_16);
	xts_expect(t, AZIHSM_AES_DUL_512, k1, k2, 1024, 1024, 0, 0);
	xts_expect(t, 0, k1, k2, 64, 48, STS(FETCH_ERROR), AZIHSM_AES_FETCH_ERR_OVERRUN);
	/* Keys (table A). */
	xts_expect(t, 0, BULK_ID(1, 6), k2, 64, 64, A, AZIHSM_AES_XTS_ERR_INVALID_KEY1);
	xts_expect(t, 0, k1, BULK_ID(0, 7), 64, 64, A, AZIHSM_AES_XTS_ERR_INVALID_KEY2);
	xts_expect(t, 0, k1, BULK_ID(65, 1), 64, 64, A, AZIHSM_AES_XTS_ERR_KEY_NOT_OWNED);
	xts_expect(t, 0, BULK_ID(9, 1), k2, 64, 64, A, AZIHSM_AES_XTS_ERR_KEY_NOT_OWNED);
	xts_expect(t, 0, k1, k1, 64, 64, A, AZIHSM_AES_XTS_ERR_SAME_KEY_INDEX);
	xts_expect(t, 0, k1, same, 64, 64, A, AZIHSM_AES_XTS_ERR_SAME_KEY_MATERIAL);
	xts_expect(t, 0, gcm, k2, 64, 64, A, AZIHSM_AES_XTS_ERR_KEY1_NOT_XTS);
	xts_expect(t, 0, k1, gcm, 64, 64, A, AZIHSM_AES_XTS_ERR_KEY2_NOT_XTS);
	t->app++;
	xts_expect(t, 0, k1, k2, 64, 64, A, AZIHSM_AES_XTS_ERR_KEY1_APP);
	t->app--;
	/* Scope: session keys of this and of another session. */
	assert_int_equal(import_bulk(t, t->sess, DDI_KEY_CLASS_AES_XTS_BULK, other_key,
				     META_ENC_DEC | DDI_KEY_META_SESSION, NULL, &mine), 0);
	assert_int_equal(open_session(t->h, app_pin, &other_sess), 0);
	assert_int_equal(RAND_bytes(other_key, 32), 1);
	assert_int_equal(import_bulk(t, other_sess, DDI_KEY_CLASS_AES_XTS_BULK, other_key,
				     META_ENC_DEC | DDI_KEY_META_SESSION, NULL, &theirs), 0);
	xts_expect(t, 0, k1, mine, 64, 64, A, AZIHSM_AES_XTS_ERR_EPHEMERAL_MISMATCH);
	xts_expect(t, 0, theirs, mine, 64, 64, A, AZIHSM_AES_XTS_ERR_KEY1_SESSION);
	xts_expect(t, 0, k1, theirs, 64, 64, A, AZIHSM_AES_XTS_ERR_KEY2_SESSION);
	assert_int_equal(close_session(t->h, other_sess), 0);
}

/* ---- Wycheproof ---- */

/* Each vector: encrypt (valid ones) and decrypt (all) on the device. */
static void test_wycheproof_gcm(void **state)
{
	static char line[8192], key_h[128], iv_h[64], aad_h[2200], msg_h[2200], ct_h[2200];
	static char tag_h[64], result[16];
	struct fix *t = *state;
	uint8_t key[32], aad[768], msg[TEXT_MAX], ct[TEXT_MAX];
	unsigned int id, tests = 0, header, valid = 0, invalid = 0;
	struct gcm_req g;
	struct gcm_out o;
	uint16_t key_id, bulk;
	size_t len;
	FILE *f = vector_file_open("aes_gcm.txt", &header);

	while (fgets(line, sizeof(line), f)) {
		assert_int_equal(sscanf(line, "%u %15s %127s %63s %2199s %2199s %2199s %63s", &id,
					result, key_h, iv_h, aad_h, msg_h, ct_h, tag_h), 8);
		memset(&g, 0, sizeof(g));
		assert_int_equal(vector_hex(key_h, key, sizeof(key)), 32);
		assert_int_equal(vector_hex(iv_h, g.iv, sizeof(g.iv)), 12);
		g.aad_len = vector_hex(aad_h, aad, sizeof(aad));
		g.aad = aad;
		len = vector_hex(msg_h, msg, sizeof(msg));
		assert_int_equal(vector_hex(ct_h, ct, sizeof(ct)), len);
		assert_int_equal(vector_hex(tag_h, g.tag, sizeof(g.tag)), BLOCK);
		g.text_len = len;
		/* Unapproved GCM key: the host IV is used (7.12). */
		assert_int_equal(import_bulk(t, t->sess, DDI_KEY_CLASS_AES_GCM_BULK_UNAPPROVED,
					     key, META_ENC_DEC, &key_id, &bulk), 0);
		g.key_id = bulk;
		g.decrypt = true;
		g.text = ct;
		gcm_exec(t, &g, &o);
		if (!strcmp(result, "valid")) {
			if (o.res.sts || o.res.err)
				fail_msg("gcm tcId %u: decrypt failed %#x/%#x", id, o.res.sts,
					 o.res.err);
			if (memcmp(o.text, msg, len))
				fail_msg("gcm tcId %u: wrong plaintext", id);
			g.decrypt = false;
			g.text = msg;
			gcm_exec(t, &g, &o);
			assert_int_equal(o.res.sts, 0);
			assert_memory_equal(o.text, ct, len);
			assert_memory_equal(o.res.tag, g.tag, BLOCK);
			valid++;
		} else {
			assert_string_equal(result, "invalid");
			if (!o.res.sts && !o.res.err)
				fail_msg("gcm tcId %u: invalid vector accepted", id);
			assert_true(o.res.sts == STS(CRYPTO_ENGINE_ERROR) ?
				    o.res.err == 0x9 :
				    o.res.sts == STS(INVALID_FIELD_GCM) &&
				    o.res.err == AZIHSM_AES_GCM_ERR_TAG_MISMATCH);
			assert_true(o.text_wiped);
			invalid++;
		}
		tests++;
		assert_int_equal(delete_key(t, t->sess, key_id), 0);
	}
	fclose(f);
	assert_int_equal(tests, header);
	printf("wycheproof aes-gcm: %u tests: %u valid, %u invalid rejected\n", tests, valid,
	       invalid);
}

static void test_wycheproof_xts(void **state)
{
	static char line[8192], k1_h[128], k2_h[128], tw_h[64], msg_h[2200], ct_h[2200];
	static char result[16];
	struct fix *t = *state;
	uint8_t k1[32], k2[32], tweak[BLOCK], msg[1024], ct[1024], out[1024];
	unsigned int id, tests = 0, header;
	struct azihsm_fw_aes_result res;
	uint16_t id1, id2, b1, b2;
	size_t len;
	FILE *f = vector_file_open("aes_xts.txt", &header);

	while (fgets(line, sizeof(line), f)) {
		assert_int_equal(sscanf(line, "%u %15s %127s %127s %63s %2199s %2199s", &id,
					result, k1_h, k2_h, tw_h, msg_h, ct_h), 7);
		assert_string_equal(result, "valid");
		assert_int_equal(vector_hex(k1_h, k1, sizeof(k1)), 32);
		assert_int_equal(vector_hex(k2_h, k2, sizeof(k2)), 32);
		assert_int_equal(vector_hex(tw_h, tweak, sizeof(tweak)), BLOCK);
		len = vector_hex(msg_h, msg, sizeof(msg));
		assert_int_equal(vector_hex(ct_h, ct, sizeof(ct)), len);
		assert_int_equal(import_bulk(t, t->sess, DDI_KEY_CLASS_AES_XTS_BULK, k1,
					     META_ENC_DEC, &id1, &b1), 0);
		assert_int_equal(import_bulk(t, t->sess, DDI_KEY_CLASS_AES_XTS_BULK, k2,
					     META_ENC_DEC, &id2, &b2), 0);
		/* Whole buffer, and in 512-byte units when it has several. */
		xts_exec(t, false, 0, b1, b2, tweak, msg, (uint32_t)len, out, &res);
		if (res.sts || res.err)
			fail_msg("xts tcId %u: %#x/%#x", id, res.sts, res.err);
		assert_memory_equal(out, ct, len);
		xts_exec(t, true, 0, b1, b2, tweak, ct, (uint32_t)len, out, &res);
		assert_int_equal(res.sts, 0);
		assert_memory_equal(out, msg, len);
		assert_int_equal(delete_key(t, t->sess, id1), 0);
		assert_int_equal(delete_key(t, t->sess, id2), 0);
		tests++;
	}
	fclose(f);
	assert_int_equal(tests, header);
	printf("wycheproof aes-xts: %u tests agreed\n", tests);
}

/* ---- Speed (printed, not asserted) ---- */

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void test_speed(void **state)
{
	enum { LEN = 1 << 20, ROUNDS = 32 };
	struct fix *t = *state;
	uint8_t key[64], tweak[BLOCK] = { 0 };
	uint8_t *src = calloc(1, LEN), *dst = malloc(LEN);
	uint16_t gcm = random_key(t, DDI_KEY_CLASS_AES_GCM_BULK_UNAPPROVED, key);
	uint16_t x1 = random_key(t, DDI_KEY_CLASS_AES_XTS_BULK, key);
	uint16_t x2 = random_key(t, DDI_KEY_CLASS_AES_XTS_BULK, key + 32);
	struct azihsm_aes_sqe q;
	struct azihsm_fw_aes_cmd cmd = { 0 };
	struct azihsm_fw_aes_result res;
	double t0, gcm_s, xts_s;
	int i;

	assert_non_null(src);
	assert_non_null(dst);
	/* GCM with a padded AAD (tag correction) and 1 MiB - 32 of text. */
	gcm_sqe(t, &q, gcm);
	q.src_len = q.dst_len = htole32(LEN);
	t0 = now_s();
	for (i = 0; i < ROUNDS; i++) {
		exec(t, &q, src, dst, LEN, &cmd, &res);
		assert_int_equal(res.sts, 0);
	}
	gcm_s = now_s() - t0;
	t0 = now_s();
	for (i = 0; i < ROUNDS; i++) {
		xts_exec(t, false, AZIHSM_AES_DUL_4096, x1, x2, tweak, src, LEN, dst, &res);
		assert_int_equal(res.sts, 0);
	}
	xts_s = now_s() - t0;
	printf("fast path, one thread, 1 MiB commands: GCM %.0f MB/s, XTS (4 KiB units) "
	       "%.0f MB/s\n", ROUNDS * (LEN / 1e6) / gcm_s, ROUNDS * (LEN / 1e6) / xts_s);
	free(src);
	free(dst);
}

/* ---- Concurrency ---- */

#define WORKERS		4
#define WORKER_ROUNDS	400

struct worker {
	struct fix *t;
	pthread_t thread;
	uint16_t key1, key2;		/* GCM: key1 only */
	bool xts;
	_Atomic uint32_t *churn_bulk;	/* the key the churner replaces */
	_Atomic unsigned int done;
	unsigned int errors, churn_ok, churn_gone;
};

/* Encrypt then decrypt 4 KiB with the worker's key: must round-trip. */
static bool worker_round(struct worker *w, const uint8_t *in, uint8_t *mid, uint8_t *back)
{
	struct azihsm_aes_sqe q;
	struct azihsm_fw_aes_cmd cmd = { 0 };
	struct azihsm_fw_aes_result res;
	uint8_t tweak[BLOCK] = { (uint8_t)w->done };

	if (w->xts) {
		xts_sqe(w->t, &q, false, AZIHSM_AES_DUL_512, w->key1, w->key2, tweak, 4096);
	} else {
		gcm_sqe(w->t, &q, w->key1);
		q.src_len = q.dst_len = htole32(4096);
		q.gcm.actual_aad_len = htole32(32);
	}
	exec(w->t, &q, in, mid, 4096, &cmd, &res);
	if (res.sts || res.err)
		return false;
	q.attr = htole16(le16toh(q.attr) | AZIHSM_AES_ATTR_DECRYPT);
	if (!w->xts) {
		memcpy(q.gcm.tag, res.tag, BLOCK);
		memcpy(q.gcm.iv, res.iv, sizeof(q.gcm.iv));	/* approved key: device IV */
	}
	exec(w->t, &q, mid, back, 4096, &cmd, &res);
	return !res.sts && !res.err && !memcmp(back, in, 4096);
}

/* A command on the key being created and deleted: it works or is gone. */
static void worker_churn(struct worker *w, const uint8_t *in, uint8_t *out)
{
	struct azihsm_aes_sqe q;
	struct azihsm_fw_aes_cmd cmd = { 0 };
	struct azihsm_fw_aes_result res;

	gcm_sqe(w->t, &q, atomic_load(w->churn_bulk));
	exec(w->t, &q, in, out, 64, &cmd, &res);
	if (!res.sts && !res.err)
		w->churn_ok++;
	else if (res.sts == STS(INVALID_FIELD_GCM) && res.err == AZIHSM_AES_GCM_ERR_INVALID_KEY)
		w->churn_gone++;
	else
		w->errors++;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	uint8_t *in = malloc(3 * 4096);

	if (!in) {
		w->errors++;
		return NULL;
	}
	memset(in, w->key1 & 0xff, 4096);
	while (atomic_load(&w->done) < WORKER_ROUNDS) {
		if (!worker_round(w, in, in + 4096, in + 8192))
			w->errors++;
		worker_churn(w, in, in + 4096);
		atomic_fetch_add(&w->done, 1);
	}
	free(in);
	return NULL;
}

static void test_concurrency(void **state)
{
	struct fix *t = *state;
	struct worker w[WORKERS];
	_Atomic uint32_t churn_bulk = BULK_ID(1, 6);
	uint8_t key[32];
	unsigned int i, churns = 0, ok = 0, gone = 0;
	uint16_t key_id, bulk;
	bool running;

	memset(w, 0, sizeof(w));
	for (i = 0; i < WORKERS; i++) {
		w[i].t = t;
		w[i].xts = i >= 2;
		w[i].churn_bulk = &churn_bulk;
		if (w[i].xts) {
			w[i].key1 = random_key(t, DDI_KEY_CLASS_AES_XTS_BULK, key);
			w[i].key2 = random_key(t, DDI_KEY_CLASS_AES_XTS_BULK, key);
		} else {
			w[i].key1 = random_key(t, i ? DDI_KEY_CLASS_AES_GCM_BULK :
						      DDI_KEY_CLASS_AES_GCM_BULK_UNAPPROVED, key);
		}
	}
	for (i = 0; i < WORKERS; i++)
		assert_int_equal(pthread_create(&w[i].thread, NULL, worker_main, &w[i]), 0);
	/* This thread is the DDI host: create and delete a key meanwhile. */
	do {
		assert_int_equal(RAND_bytes(key, sizeof(key)), 1);
		assert_int_equal(import_bulk(t, t->sess, DDI_KEY_CLASS_AES_GCM_BULK_UNAPPROVED,
					     key, META_ENC_DEC, &key_id, &bulk), 0);
		atomic_store(&churn_bulk, bulk);
		assert_int_equal(delete_key(t, t->sess, key_id), 0);
		churns++;
		running = false;
		for (i = 0; i < WORKERS; i++)
			running |= atomic_load(&w[i].done) < WORKER_ROUNDS;
	} while (running && churns < 100000);
	for (i = 0; i < WORKERS; i++) {
		assert_int_equal(pthread_join(w[i].thread, NULL), 0);
		assert_int_equal(w[i].errors, 0);
		assert_int_equal(w[i].done, WORKER_ROUNDS);
		ok += w[i].churn_ok;
		gone += w[i].churn_gone;
	}
	printf("concurrency: %u threads x %u rounds, %u key churns; churned key used %u "
	       "times, gone %u times\n", WORKERS, WORKER_ROUNDS, churns, ok, gone);
}

int main(void)
{
#define T(f)	cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_gcm_lengths),
		T(test_gcm_general_region),
		T(test_gcm_tag_mismatch),
		T(test_gcm_approved_iv),
		T(test_gcm_field_errors),
		T(test_gcm_key_errors),
		T(test_xts_units),
		T(test_xts_errors),
		T(test_wycheproof_gcm),
		T(test_wycheproof_xts),
		T(test_speed),
		T(test_concurrency),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
