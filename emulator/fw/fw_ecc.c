// SPDX-License-Identifier: MIT
/*
 * ECC key operations: EccGenerateKeyPair (ddi.md 3.7.1) and EccSign
 * (3.7.2), in the physical device's raw little-endian forms (7.1.2).
 */
#include <string.h>

#include <openssl/crypto.h>

#include "fw_internal.h"

uint32_t fw_op_ecc_generate_key_pair(struct azihsm_fw *fw, struct fw_request *rq,
				     const union fw_req_data *req,
				     union fw_resp_data *resp)
{
	const struct ddi_ecc_generate_req *q = &req->ecc_generate;
	struct fw_ecc_generate_out *r = &resp->ecc_generate;
	const struct ddi_ecc_curve_info *c = ddi_ecc_curve(q->curve);
	struct fw_key_props props;
	struct fw_new_key nk;
	uint8_t d[DDI_ECC_MAX_PKA];
	DDI_PKEY *pkey;
	struct fw_key *k;
	uint16_t id;
	uint32_t status;

	if (!c)
		return AZIHSM_DDI_STATUS_INVALID_ARG;
	status = fw_key_props_parse(&q->key_properties,
				    FW_USAGE_BIT(FW_USAGE_SIGN_VERIFY) |
				    FW_USAGE_BIT(FW_USAGE_DERIVE), &props);
	if (status)
		return status;
	pkey = ddi_ecc_generate(c);
	if (!pkey || ddi_ecc_private_le(pkey, c, d) ||
	    ddi_ecc_public_raw(pkey, c, r->pub)) {
		ddi_pkey_free(pkey);
		return AZIHSM_DDI_STATUS_ECC_GENERATE_ERROR;
	}
	nk = (struct fw_new_key){
		.type = c->priv_type,
		.attrs = DDI_KEY_ATTR_LOCAL | props.usage_attrs |
			 (props.session ? DDI_KEY_ATTR_SESSION : 0),
		.tag = q->has_key_tag ? &q->key_tag : NULL,
		.label = &props.label,
	};
	/* The table keeps the private scalar only (4.1 raw size). */
	status = fw_key_create(fw, rq, &nk, d, c->pka, &id, &k, r->masked,
			       sizeof(r->masked), &r->msg.masked_key);
	OPENSSL_cleanse(d, sizeof(d));
	if (status) {
		ddi_pkey_free(pkey);
		return status;
	}
	/* Keep the generated key for signing unless masking cached one. */
	if (!k->pkey) {
		k->pkey = pkey;
		pkey = NULL;
	}
	ddi_pkey_free(pkey);
	r->msg.private_key_id = id;
	r->msg.has_pub_key = true;
	r->msg.pub_key.der = (struct mbor_bytes){ r->pub, (uint16_t)(2 * c->pka) };
	r->msg.pub_key.key_kind = c->pub_type;
	return AZIHSM_DDI_STATUS_SUCCESS;
}

/* Digest bytes of a DdiHashAlgorithm (4.5), 0 if not one. */
static size_t digest_len(uint32_t algo)
{
	switch (algo) {
	case DDI_HASH_SHA1:
		return 20;
	case DDI_HASH_SHA256:
		return 32;
	case DDI_HASH_SHA384:
		return 48;
	case DDI_HASH_SHA512:
		return 64;
	default:
		return 0;
	}
}

uint32_t fw_op_ecc_sign(struct azihsm_fw *fw, struct fw_request *rq,
			const union fw_req_data *req, union fw_resp_data *resp)
{
	const struct ddi_ecc_sign_req *q = &req->ecc_sign;
	struct fw_ecc_sign_out *r = &resp->ecc_sign;
	const struct ddi_ecc_curve_info *c;
	uint8_t digest[DDI_ECC_PHYS_DIGEST_LEN];
	size_t len, i;
	DDI_PKEY *pkey;
	struct fw_key *k;
	uint32_t status;

	/* Key checks in the order of 3.5.0, then the arguments. */
	status = fw_key_lookup(fw, rq, q->key_id, &k);
	if (status)
		return status;
	c = ddi_ecc_curve_of_type(k->type);
	if (!c || c->priv_type != k->type)
		return AZIHSM_DDI_STATUS_INVALID_KEY_TYPE;
	status = fw_key_check_usage(k, DDI_KEY_ATTR_SIGN | DDI_KEY_ATTR_VERIFY);
	if (status)
		return status;
	/* Physical form (7.1.2): the digest reversed, zero-extended to 68. */
	len = digest_len(q->digest_algo);
	if (!len || q->digest.len != DDI_ECC_PHYS_DIGEST_LEN)
		return AZIHSM_DDI_STATUS_INVALID_ARG;
	for (i = len; i < DDI_ECC_PHYS_DIGEST_LEN; i++)
		if (q->digest.ptr[i])
			return AZIHSM_DDI_STATUS_INVALID_ARG;
	/*
	 * Project decision (ddi.md Appendix A #14, 7.10): a digest longer than
	 * the curve's byte length (SHA-384 on P-256, SHA-512 on P-256/P-384)
	 * is refused with DigestHashMismatchWithEccCurve instead of being
	 * truncated or reduced, because which of the two the hardware does is
	 * unknown and the digest length must match the curve.  SHA-1 is
	 * accepted: the emulated module is not in the FIPS-approved state.
	 */
	if (len > c->len)
		return AZIHSM_DDI_STATUS_DIGEST_HASH_MISMATCH_WITH_ECC_CURVE;
	ddi_reverse(digest, q->digest.ptr, len);
	pkey = fw_key_ecc(fw, q->key_id);
	if (!pkey || ddi_ecc_sign_raw(pkey, c, digest, len, r->sig))
		return AZIHSM_DDI_STATUS_ECC_SIGN_FAILED;
	r->msg.signature = (struct mbor_bytes){ r->sig, (uint16_t)(2 * c->pka) };
	return AZIHSM_DDI_STATUS_SUCCESS;
}
