// SPDX-License-Identifier: MIT
/*
 * AES key operations: AesGenerateKey (ddi.md 3.8.1), normal and bulk
 * (fast-path) keys, and AesEncryptDecrypt (3.8.2), AES-CBC without padding.
 */
#include <string.h>

#include <openssl/crypto.h>

#include "fw_internal.h"

#define AES_BLOCK	16

/* DdiAesKeySize (4.4) -> key type and bytes; false if not one. */
static bool aes_size(uint32_t size, uint32_t *type, size_t *len, bool *bulk)
{
	static const struct {
		uint32_t size, type;
		size_t len;
	} sizes[] = {
		{ DDI_AES_128, DDI_KEY_AES128, 16 },
		{ DDI_AES_192, DDI_KEY_AES192, 24 },
		{ DDI_AES_256, DDI_KEY_AES256, 32 },
		{ DDI_AES_XTS_BULK_256, DDI_KEY_AES_XTS_BULK256, FW_BULK_KEY_LEN },
		{ DDI_AES_GCM_BULK_256, DDI_KEY_AES_GCM_BULK256, FW_BULK_KEY_LEN },
		{ DDI_AES_GCM_BULK_256_UNAPPROVED, DDI_KEY_AES_GCM_BULK256_UNAPPROVED,
		  FW_BULK_KEY_LEN },
	};
	size_t i;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		if (sizes[i].size == size) {
			*type = sizes[i].type;
			*len = sizes[i].len;
			*bulk = size >= DDI_AES_XTS_BULK_256;
			return true;
		}
	}
	return false;
}

uint32_t fw_op_aes_generate_key(struct azihsm_fw *fw, struct fw_request *rq,
				const union fw_req_data *req, union fw_resp_data *resp)
{
	const uint64_t enc_dec = DDI_KEY_ATTR_ENCRYPT | DDI_KEY_ATTR_DECRYPT;
	const struct ddi_aes_generate_req *q = &req->aes_generate;
	struct fw_aes_generate_out *r = &resp->aes_generate;
	struct fw_key_props props;
	struct fw_new_key nk;
	uint8_t key[FW_BULK_KEY_LEN];
	unsigned int allowed;
	struct fw_key *k;
	uint32_t type, status;
	size_t len;
	uint16_t id;
	bool bulk;

	if (!aes_size(q->key_size, &type, &len, &bulk))
		return AZIHSM_DDI_STATUS_INVALID_ARG;
	/* Bulk keys take any valid usage and are stored as encrypt+decrypt. */
	allowed = FW_USAGE_BIT(FW_USAGE_ENCRYPT_DECRYPT);
	if (bulk)
		allowed = FW_USAGE_BIT(FW_USAGE_SIGN_VERIFY) |
			  FW_USAGE_BIT(FW_USAGE_ENCRYPT_DECRYPT) |
			  FW_USAGE_BIT(3) /* Unwrap */ |
			  FW_USAGE_BIT(FW_USAGE_DERIVE);
	status = fw_key_props_parse(&q->key_properties, allowed, &props);
	if (status)
		return status;
	if (ddi_random(key, len))
		return AZIHSM_DDI_STATUS_AES_GENERATE_ERROR;
	nk = (struct fw_new_key){
		.type = type,
		.attrs = DDI_KEY_ATTR_LOCAL | enc_dec |
			 (props.session ? DDI_KEY_ATTR_SESSION : 0),
		.tag = q->has_key_tag ? &q->key_tag : NULL,
		.label = &props.label,
		.bulk = bulk,
	};
	status = fw_key_create(fw, rq, &nk, key, len, &id, &k, r->masked,
			       sizeof(r->masked), &r->msg.masked_key);
	OPENSSL_cleanse(key, sizeof(key));
	if (status)
		return status;
	r->msg.key_id = id;
	r->msg.has_bulk_key_id = k->has_bulk_id;
	r->msg.bulk_key_id = k->bulk_id;
	return AZIHSM_DDI_STATUS_SUCCESS;
}

uint32_t fw_op_aes_encrypt_decrypt(struct azihsm_fw *fw, struct fw_request *rq,
				   const union fw_req_data *req, union fw_resp_data *resp)
{
	const struct ddi_aes_cbc_req *q = &req->aes_cbc;
	struct fw_aes_cbc_out *r = &resp->aes_cbc;
	bool encrypt = q->op == DDI_AES_ENCRYPT;
	const uint8_t *last;
	struct fw_key *k;
	uint32_t status;

	status = fw_key_lookup(fw, rq, q->key_id, &k);
	if (status)
		return status;
	/* Bulk keys belong to the fast path, not to this op. */
	if (k->type < DDI_KEY_AES128 || k->type > DDI_KEY_AES256)
		return AZIHSM_DDI_STATUS_INVALID_KEY_TYPE;
	status = fw_key_check_usage(k, DDI_KEY_ATTR_ENCRYPT | DDI_KEY_ATTR_DECRYPT);
	if (status)
		return status;
	if ((q->op != DDI_AES_ENCRYPT && q->op != DDI_AES_DECRYPT) ||
	    !q->msg.len || q->msg.len % AES_BLOCK || q->msg.len > DDI_AES_MSG_MAX ||
	    q->iv.len != DDI_AES_IV_LEN)
		return AZIHSM_DDI_STATUS_INVALID_ARG;
	if (ddi_aes_cbc(encrypt, fw_key_material(fw, q->key_id), k->len, q->iv.ptr,
			q->msg.ptr, q->msg.len, r->out))
		return encrypt ? AZIHSM_DDI_STATUS_AES_ENCRYPT_FAILED :
				 AZIHSM_DDI_STATUS_AES_DECRYPT_FAILED;
	/* The next IV is the last ciphertext block, whichever way we went. */
	last = encrypt ? r->out : q->msg.ptr;
	memcpy(r->iv, last + q->msg.len - AES_BLOCK, AES_BLOCK);
	r->msg.msg = (struct mbor_bytes){ r->out, q->msg.len };
	r->msg.iv = (struct mbor_bytes){ r->iv, AES_BLOCK };
	return AZIHSM_DDI_STATUS_SUCCESS;
}
