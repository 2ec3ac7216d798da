// SPDX-License-Identifier: MIT
/*
 * UnmaskKey (ddi.md 3.5.4): re-import a key from a masked key blob (7.7)
 * this partition produced.  The metadata is read unverified only to pick
 * the masking key (session bit -> the calling session's masking key, else
 * MK); everything else is trusted only after the HMAC verified.  Any
 * format, HMAC or decryption failure is MaskedKeyDecodeFailed.
 */
#include <string.h>

#include <openssl/crypto.h>

#include "fw_internal.h"

#define DECODE_FAILED		AZIHSM_DDI_STATUS_MASKED_KEY_DECODE_FAILED
#define HDR_KEY_LEN		12	/* header offsets of 7.7.1 */
#define HDR_KEY_PAD		14
#define HDR_TAG_LEN		16
#define ATTR_VAR_HMAC_LEN	24	/* attribute byte 24 (4.11) */

/* The flags a user key may carry (4.11); anything else is not ours. */
#define USER_ATTRS (DDI_KEY_ATTR_SESSION | DDI_KEY_ATTR_LOCAL | DDI_KEY_ATTR_ENCRYPT | \
		    DDI_KEY_ATTR_DECRYPT | DDI_KEY_ATTR_SIGN | DDI_KEY_ATTR_VERIFY | \
		    DDI_KEY_ATTR_UNWRAP | DDI_KEY_ATTR_DERIVE)

static bool is_bulk(uint32_t type)
{
	return type >= DDI_KEY_AES_XTS_BULK256 && type <= DDI_KEY_AES_GCM_BULK256_UNAPPROVED;
}

/*
 * Whether key_length is the FW raw size of the type (4.1); the variable
 * HMAC keys carry their length in attribute byte 24 as well.
 */
static bool raw_size_ok(uint32_t type, size_t len, const uint8_t *attrs)
{
	static const uint16_t fixed[] = {
		[DDI_KEY_RSA2K_PRIVATE] = 516, [DDI_KEY_RSA3K_PRIVATE] = 772,
		[DDI_KEY_RSA4K_PRIVATE] = 1028, [DDI_KEY_RSA2K_PRIVATE_CRT] = 1284,
		[DDI_KEY_RSA3K_PRIVATE_CRT] = 1924, [DDI_KEY_RSA4K_PRIVATE_CRT] = 2564,
		[DDI_KEY_ECC256_PRIVATE] = 32, [DDI_KEY_ECC384_PRIVATE] = 48,
		[DDI_KEY_ECC521_PRIVATE] = 68, [DDI_KEY_AES128] = 16,
		[DDI_KEY_AES192] = 24, [DDI_KEY_AES256] = 32,
		[DDI_KEY_AES_XTS_BULK256] = 2, [DDI_KEY_AES_GCM_BULK256] = 2,
		[DDI_KEY_AES_GCM_BULK256_UNAPPROVED] = 2, [DDI_KEY_SECRET256] = 32,
		[DDI_KEY_SECRET384] = 48, [DDI_KEY_SECRET521] = 68,
		[DDI_KEY_HMAC_SHA256] = 32, [DDI_KEY_HMAC_SHA384] = 48,
		[DDI_KEY_HMAC_SHA512] = 64,
	};
	static const uint8_t var_min[] = { 32, 48, 64 };

	if (type >= DDI_KEY_VAR_HMAC256 && type <= DDI_KEY_VAR_HMAC512)
		return len >= var_min[type - DDI_KEY_VAR_HMAC256] && len <= 128 &&
		       attrs[ATTR_VAR_HMAC_LEN] == len;
	return type < sizeof(fixed) / sizeof(fixed[0]) && fixed[type] && fixed[type] == len;
}

static uint16_t le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

/*
 * A bulk key's plaintext is the 32-byte key although key_length says 2
 * (firmware-core.md): decrypt the first two blocks of a blob whose HMAC
 * already verified.
 */
static uint32_t bulk_plaintext(const uint8_t *mkey, const uint8_t *blob, size_t len,
			       uint8_t key[FW_BULK_KEY_LEN])
{
	size_t ct_len = le16(blob + HDR_KEY_LEN);
	size_t tail = (size_t)le16(blob + HDR_TAG_LEN) + le16(blob + HDR_KEY_PAD) + ct_len;

	if (ct_len < FW_BULK_KEY_LEN || tail > len - DDI_MASKED_HDR_LEN)
		return DECODE_FAILED;
	return ddi_aes256_cbc(false, mkey, blob + DDI_MASKED_HDR_LEN, blob + len - tail,
			      FW_BULK_KEY_LEN, key) ? DECODE_FAILED : AZIHSM_DDI_STATUS_SUCCESS;
}

uint32_t fw_op_unmask_key(struct azihsm_fw *fw, struct fw_request *rq,
			  const union fw_req_data *req, union fw_resp_data *resp)
{
	const struct mbor_bytes *blob = &req->unmask_key.masked_key;
	struct fw_der_import_out *out = &resp->der_import;	/* same map (3.5.4) */
	const struct ddi_ecc_curve_info *c;
	struct ddi_masked_key_meta meta;
	struct fw_new_key nk;
	struct fw_session *s;
	uint8_t pt[FW_KEY_MATERIAL_MAX];
	uint8_t bulk[FW_BULK_KEY_LEN];
	const uint8_t *mkey, *attr_blob;
	struct fw_key *k;
	size_t pt_len = 0;
	uint64_t attrs = 0;
	uint32_t status;
	unsigned int i;

	/* Unverified: only which masking key to try depends on it. */
	if (!ddi_masked_key_meta(blob->ptr, blob->len, &meta))
		return DECODE_FAILED;
	if (meta.key_type == DDI_KEY_RSA_UNWRAP)
		return AZIHSM_DDI_STATUS_UNMASK_UNWRAPPING_KEY_NOT_ALLOWED;
	attr_blob = meta.attrs.blob.ptr;
	for (i = 0; i < 8; i++)
		attrs |= (uint64_t)attr_blob[i] << (8 * i);
	if (attrs & DDI_KEY_ATTR_SESSION) {
		/* Session keys become keys of the calling session. */
		s = fw_session_find(fw, rq->hdr->sess_id);
		if (!s)
			return AZIHSM_DDI_STATUS_SESSION_NOT_FOUND;
		mkey = s->smk;
	} else {
		mkey = fw->mk;
	}

	status = ddi_unmask_key(mkey, blob->ptr, blob->len, &meta, pt, sizeof(pt), &pt_len);
	if (status) {
		status = DECODE_FAILED;
		goto out;
	}
	/* Verified from here on; still refuse what this core never masks. */
	attr_blob = meta.attrs.blob.ptr;
	status = DECODE_FAILED;
	if ((attrs & ~USER_ATTRS) || !raw_size_ok(meta.key_type, pt_len, attr_blob))
		goto out;

	memset(&nk, 0, sizeof(nk));
	nk.type = meta.key_type;
	nk.attrs = attrs;
	nk.tag = meta.has_key_tag ? &meta.key_tag : NULL;
	nk.label = &meta.key_label;
	nk.bulk = is_bulk(meta.key_type);
	if (nk.bulk) {
		status = bulk_plaintext(mkey, blob->ptr, blob->len, bulk);
		if (status)
			goto out;
		status = fw_key_create(fw, rq, &nk, bulk, sizeof(bulk), &out->msg.key_id, &k,
				       out->masked, sizeof(out->masked),
				       &out->msg.masked_key);
	} else {
		status = fw_key_create(fw, rq, &nk, pt, pt_len, &out->msg.key_id, &k,
				       out->masked, sizeof(out->masked),
				       &out->msg.masked_key);
	}
	if (status)
		goto out;

	out->msg.key_type = meta.key_type;
	if (nk.bulk) {
		out->msg.has_bulk_key_id = true;
		out->msg.bulk_key_id = k->bulk_id;
	}
	c = ddi_ecc_curve_of_type(meta.key_type);
	if (c && c->priv_type == meta.key_type) {
		DDI_PKEY *pkey = fw_key_ecc(fw, out->msg.key_id);

		if (!pkey || ddi_ecc_public_raw(pkey, c, out->pub)) {
			fw_key_delete(fw, rq, out->msg.key_id);
			status = DECODE_FAILED;	/* not a valid scalar */
			goto out;
		}
		out->msg.has_pub_key = true;
		out->msg.pub_key.der = (struct mbor_bytes){ out->pub, (uint16_t)(2 * c->pka) };
		out->msg.pub_key.key_kind = c->pub_type;
	}
out:
	OPENSSL_cleanse(pt, sizeof(pt));
	OPENSSL_cleanse(bulk, sizeof(bulk));
	return status;
}
