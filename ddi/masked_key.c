// SPDX-License-Identifier: MIT
/*
 * The masked key blob (spec/ddi.md 7.7): layout, MBOR metadata and
 * algorithm 1 (AES-256-CBC + HMAC-SHA-384).  The device masks and unmasks;
 * the host only reads the metadata, with the same code.
 */
#include <string.h>

#include <openssl/crypto.h>

#include "azihsm/ddi.h"
#include "azihsm/ddi_crypto.h"

MBOR_SCHEMA(ddi_key_attributes_schema, struct ddi_key_attributes,
	MBOR_REQ(struct ddi_key_attributes, blob, 1, MBOR_FIXED_BYTES,
		 DDI_KEY_ATTR_LEN, NULL));

MBOR_SCHEMA(ddi_masked_key_meta_schema, struct ddi_masked_key_meta,
	MBOR_OPT(struct ddi_masked_key_meta, svn, has_svn, 1, MBOR_U64, 0, NULL),
	MBOR_REQ(struct ddi_masked_key_meta, key_type, 2, MBOR_U32, 0, NULL),
	MBOR_REQ(struct ddi_masked_key_meta, attrs, 3, MBOR_MAP, 0,
		 &ddi_key_attributes_schema),
	MBOR_OPT(struct ddi_masked_key_meta, bks2_index, has_bks2_index, 4,
		 MBOR_U16, 0, NULL),
	MBOR_OPT(struct ddi_masked_key_meta, key_tag, has_key_tag, 5, MBOR_U16,
		 0, NULL),
	MBOR_REQ(struct ddi_masked_key_meta, key_label, 6, MBOR_BYTES,
		 DDI_KEY_LABEL_MAX, NULL),
	MBOR_REQ(struct ddi_masked_key_meta, key_length, 7, MBOR_U16, 0, NULL));

#define CBC_IV_LEN	16
#define GCM_IV_LEN	12
#define CBC_BLOCK	16
#define TAG_LEN		DDI_SHA384_LEN
#define MASKED_VERSION	1
/* Largest key material: RSA-4k CRT (7.7.5), padded. */
#define MAX_PLAINTEXT	2560

enum {
	HDR_VERSION = 0, HDR_ALGORITHM = 2, HDR_IV_LEN = 4, HDR_IV_PAD = 6,
	HDR_META_LEN = 8, HDR_META_PAD = 10, HDR_KEY_LEN = 12, HDR_KEY_PAD = 14,
	HDR_TAG_LEN = 16,
};

/* The sections of a blob, as offsets from its start. */
struct masked_layout {
	size_t iv, iv_len;
	size_t meta, meta_len;
	size_t ct, ct_len;
	size_t tag, tag_len;
	size_t total;
};

static uint16_t get_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static void put_le16(uint8_t *p, size_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static size_t pad4(size_t n)
{
	return (4 - n % 4) % 4;
}

/* Parse and check the header of 7.7.2. */
static bool masked_parse(const uint8_t *blob, size_t len, struct masked_layout *l)
{
	size_t lens[4], pads[4], pos = DDI_MASKED_HDR_LEN;
	size_t *offs[4] = { &l->iv, &l->meta, &l->ct, &l->tag };
	size_t i;

	if (!blob || len < DDI_MASKED_HDR_LEN ||
	    get_le16(blob + HDR_VERSION) != MASKED_VERSION ||
	    get_le16(blob + HDR_ALGORITHM) != DDI_MASKED_ALG_CBC_HMAC)
		return false;
	for (i = 0; i < 4; i++) {
		lens[i] = get_le16(blob + HDR_IV_LEN + 4 * i);
		/* The tag has no pad field: it ends the blob. */
		pads[i] = i < 3 ? get_le16(blob + HDR_IV_PAD + 4 * i) : 0;
		if ((lens[i] + pads[i]) % 4)
			return false;
		*offs[i] = pos;
		pos += lens[i] + pads[i];
	}
	if ((lens[0] != CBC_IV_LEN && lens[0] != GCM_IV_LEN) || !lens[1] ||
	    !lens[2] || !lens[3] || pos != len)
		return false;
	l->iv_len = lens[0];
	l->meta_len = lens[1];
	l->ct_len = lens[2];
	l->tag_len = lens[3];
	l->total = pos;
	return true;
}

bool ddi_masked_key_meta(const uint8_t *blob, size_t len,
			 struct ddi_masked_key_meta *meta)
{
	struct masked_layout l;
	struct mbor_dec d;

	if (!masked_parse(blob, len, &l))
		return false;
	/* The metadata is aligned from its own first byte (7.7.1). */
	mbor_dec_init(&d, blob + l.meta, l.meta_len);
	return mbor_decode(&d, &ddi_masked_key_meta_schema, meta) &&
	       d.pos == l.meta_len;
}

size_t ddi_mask_key(const uint8_t key[DDI_MASKING_KEY_LEN],
		    const struct ddi_masked_key_meta *meta, const uint8_t *pt,
		    size_t pt_len, const uint8_t *iv, uint8_t *blob, size_t cap)
{
	uint8_t padded[MAX_PLAINTEXT];
	struct masked_layout l;
	struct mbor_enc e;
	size_t ct_len;

	/* FW rule: always 1..16 zero bytes of padding (Appendix A #1). */
	ct_len = pt_len + (CBC_BLOCK - pt_len % CBC_BLOCK);
	if (ct_len > sizeof(padded) || !blob || cap < DDI_MASKED_HDR_LEN + CBC_IV_LEN)
		return 0;

	/* Sizing pass for the metadata, which is encoded at its own origin. */
	mbor_enc_init(&e, NULL, 0);
	mbor_encode(&e, &ddi_masked_key_meta_schema, meta);
	l.iv = DDI_MASKED_HDR_LEN;
	l.meta = l.iv + CBC_IV_LEN;
	l.meta_len = e.pos;
	l.ct = l.meta + l.meta_len + pad4(l.meta_len);
	l.ct_len = ct_len;
	l.tag = l.ct + ct_len;
	l.total = l.tag + TAG_LEN;
	if (l.meta_len > 0xffff || l.total > cap)
		return 0;

	memset(blob, 0, l.total);
	put_le16(blob + HDR_VERSION, MASKED_VERSION);
	put_le16(blob + HDR_ALGORITHM, DDI_MASKED_ALG_CBC_HMAC);
	put_le16(blob + HDR_IV_LEN, CBC_IV_LEN);
	put_le16(blob + HDR_META_LEN, l.meta_len);
	put_le16(blob + HDR_META_PAD, pad4(l.meta_len));
	put_le16(blob + HDR_KEY_LEN, ct_len);
	put_le16(blob + HDR_TAG_LEN, TAG_LEN);
	if (iv)
		memcpy(blob + l.iv, iv, CBC_IV_LEN);
	else if (ddi_random(blob + l.iv, CBC_IV_LEN))
		return 0;
	mbor_enc_init(&e, blob + l.meta, l.meta_len);
	if (!mbor_encode(&e, &ddi_masked_key_meta_schema, meta))
		return 0;

	memset(padded, 0, ct_len);
	memcpy(padded, pt, pt_len);
	if (ddi_aes256_cbc(true, key, blob + l.iv, padded, ct_len, blob + l.ct) ||
	    ddi_hmac_sha384(key + 32, DDI_MASKING_KEY_LEN - 32, blob, l.tag,
			    blob + l.tag))
		l.total = 0;
	OPENSSL_cleanse(padded, ct_len);
	return l.total;
}

uint32_t ddi_unmask_key(const uint8_t key[DDI_MASKING_KEY_LEN],
			const uint8_t *blob, size_t len,
			struct ddi_masked_key_meta *meta, uint8_t *pt,
			size_t pt_cap, size_t *pt_len)
{
	uint8_t padded[MAX_PLAINTEXT];
	uint8_t tag[TAG_LEN];
	struct masked_layout l;
	uint32_t status = AZIHSM_DDI_STATUS_MASKED_KEY_DECODE_FAILED;

	*pt_len = 0;
	if (!ddi_masked_key_meta(blob, len, meta))
		return status;
	masked_parse(blob, len, &l);
	if (l.iv_len != CBC_IV_LEN || l.tag_len != TAG_LEN || l.ct_len % CBC_BLOCK ||
	    ddi_hmac_sha384(key + 32, DDI_MASKING_KEY_LEN - 32, blob, l.tag, tag) ||
	    CRYPTO_memcmp(tag, blob + l.tag, TAG_LEN))
		return status;
	if (meta->key_length > pt_cap || meta->key_length > l.ct_len ||
	    l.ct_len > sizeof(padded))
		return AZIHSM_DDI_STATUS_MASKED_KEY_INVALID_LENGTH;
	if (!ddi_aes256_cbc(false, key, blob + l.iv, blob + l.ct, l.ct_len, padded)) {
		memcpy(pt, padded, meta->key_length);
		*pt_len = meta->key_length;
		status = AZIHSM_DDI_STATUS_SUCCESS;
	}
	OPENSSL_cleanse(padded, sizeof(padded));
	return status;
}
