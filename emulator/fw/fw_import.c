// SPDX-License-Identifier: MIT
/*
 * DerKeyImport (ddi.md 3.10): the test-only import of a clear key, with the
 * payload formats of RsaUnwrap (7.8.4).  Only reachable when the core was
 * created with cfg.test_ops (the dispatcher answers UnsupportedCmd
 * otherwise, as production firmware does).
 *
 * Supported classes: 7 Ecc (PKCS#8 PrivateKeyInfo, or a SEC1 ECPrivateKey
 * with its named curve, on P-256/384/521), 3 Aes (raw 16/24/32 bytes) and
 * 4-6 bulk AES (raw 32 bytes, into a fast-path slot).  The RSA classes
 * (1, 2) are valid values the emulator does not import yet: InvalidArg, as
 * for an unknown class.
 *
 * RawKeyImport (3.10, op 2008) takes the key as the key table holds it
 * (4.1's raw sizes): Secret256/384/521 (32/48/68 bytes; P-521's last two
 * bytes are padding), HmacSha256/384/512 (32/48/64), the variable-length
 * HMAC types 30-32 (32-64, 48-128, 64-128 bytes) and Aes128/192/256.
 * Another key_kind is InvalidKeyType; a length the kind does not have,
 * InvalidArg.  Usages are those a derived key of the type may have (4.10).
 *
 * Imported keys carry no local flag (3.5.0 rule 4).
 */
#include <limits.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "fw_internal.h"

/* An imported key (no local flag) with these properties. */
static void imported_key(struct fw_new_key *nk, uint32_t type,
			 const struct fw_key_props *props, bool has_tag,
			 const uint16_t *tag)
{
	nk->type = type;
	nk->attrs = props->usage_attrs | (props->session ? DDI_KEY_ATTR_SESSION : 0);
	nk->tag = has_tag ? tag : NULL;
	nk->label = &props->label;
	nk->bulk = false;
}

/*
 * The EC private key of der: DerDecodeFailed if it is not exactly one
 * PKCS#8 or SEC1 structure, DerAndKeyTypeMismatch if it is another kind of
 * key, InvalidArg for a curve the DDI does not have, KeyStructural-
 * ValidationFailed if the public key does not belong to the scalar.  *out
 * is a key recomputed from the scalar alone.
 */
static uint32_t parse_ecc_der(const struct mbor_bytes *der,
			      const struct ddi_ecc_curve_info **curve, DDI_PKEY **out)
{
	const unsigned char *p = der->ptr;
	const struct ddi_ecc_curve_info *c;
	uint8_t d_le[DDI_ECC_MAX_PKA];
	uint8_t given[DDI_ECC_MAX_POINT], derived[DDI_ECC_MAX_POINT];
	EVP_PKEY *pk;
	DDI_PKEY *k = NULL;
	uint32_t status;

	if (!der->len)
		return AZIHSM_DDI_STATUS_DER_DECODE_FAILED;
	pk = d2i_AutoPrivateKey(NULL, &p, der->len);
	if (!pk || p != der->ptr + der->len) {
		EVP_PKEY_free(pk);
		return AZIHSM_DDI_STATUS_DER_DECODE_FAILED;
	}
	status = AZIHSM_DDI_STATUS_DER_AND_KEY_TYPE_MISMATCH;
	if (!EVP_PKEY_is_a(pk, "EC"))
		goto out;
	status = AZIHSM_DDI_STATUS_INVALID_ARG;
	c = ddi_ecc_curve_of_key(pk);
	if (!c)
		goto out;
	/* 7.8.4: the stored public key must be the scalar's. */
	status = AZIHSM_DDI_STATUS_KEY_STRUCTURAL_VALIDATION_FAILED;
	if (ddi_ecc_private_le(pk, c, d_le))
		goto out;
	k = ddi_ecc_from_private_le(c, d_le);
	if (!k || ddi_ecc_public_point(pk, c, given) ||
	    ddi_ecc_public_point(k, c, derived) ||
	    memcmp(given, derived, 1 + 2 * c->len))
		goto out;
	*curve = c;
	*out = k;
	k = NULL;
	status = AZIHSM_DDI_STATUS_SUCCESS;
out:
	OPENSSL_cleanse(d_le, sizeof(d_le));
	ddi_pkey_free(k);
	EVP_PKEY_free(pk);
	return status;
}

static uint32_t import_ecc(struct azihsm_fw *fw, struct fw_request *rq,
			   const struct ddi_der_import_req *q, struct fw_der_import_out *out)
{
	const struct ddi_ecc_curve_info *c;
	uint8_t d_le[DDI_ECC_MAX_PKA];
	struct fw_key_props props;
	struct fw_new_key nk;
	DDI_PKEY *pk;
	uint32_t status;

	status = fw_key_props_parse(&q->key_properties,
				    FW_USAGE_BIT(FW_USAGE_SIGN_VERIFY) |
				    FW_USAGE_BIT(FW_USAGE_DERIVE), &props);
	if (status)
		return status;
	status = parse_ecc_der(&q->der, &c, &pk);
	if (status)
		return status;
	status = AZIHSM_DDI_STATUS_INTERNAL_ERROR;
	if (ddi_ecc_private_le(pk, c, d_le) || ddi_ecc_public_raw(pk, c, out->pub))
		goto out;
	/* The key table holds the scalar little-endian over the PKA width. */
	imported_key(&nk, c->priv_type, &props, q->has_key_tag, &q->key_tag);
	status = fw_key_create(fw, rq, &nk, d_le, c->pka, &out->msg.key_id, NULL,
			       out->masked, sizeof(out->masked), &out->msg.masked_key);
	if (status)
		goto out;
	out->msg.has_pub_key = true;
	out->msg.pub_key.der.ptr = out->pub;
	out->msg.pub_key.der.len = (uint16_t)(2 * c->pka);
	out->msg.pub_key.key_kind = c->pub_type;
	out->msg.key_type = c->priv_type;
out:
	OPENSSL_cleanse(d_le, sizeof(d_le));
	ddi_pkey_free(pk);
	return status;
}

/* Classes 3-6: the payload is the raw key (7.8.4). */
static uint32_t import_aes(struct azihsm_fw *fw, struct fw_request *rq,
			   const struct ddi_der_import_req *q, struct fw_der_import_out *out)
{
	struct fw_key_props props;
	struct fw_new_key nk;
	struct fw_key *k;
	uint32_t status, type;
	bool bulk = q->key_class != DDI_KEY_CLASS_AES;

	status = fw_key_props_parse(&q->key_properties,
				    FW_USAGE_BIT(FW_USAGE_ENCRYPT_DECRYPT), &props);
	if (status)
		return status;
	if (bulk && q->der.len == FW_BULK_KEY_LEN)
		type = q->key_class == DDI_KEY_CLASS_AES_XTS_BULK ? DDI_KEY_AES_XTS_BULK256 :
		       q->key_class == DDI_KEY_CLASS_AES_GCM_BULK ? DDI_KEY_AES_GCM_BULK256 :
		       DDI_KEY_AES_GCM_BULK256_UNAPPROVED;
	else if (!bulk && q->der.len == 16)
		type = DDI_KEY_AES128;
	else if (!bulk && q->der.len == 24)
		type = DDI_KEY_AES192;
	else if (!bulk && q->der.len == 32)
		type = DDI_KEY_AES256;
	else
		return AZIHSM_DDI_STATUS_INVALID_ARG;
	imported_key(&nk, type, &props, q->has_key_tag, &q->key_tag);
	nk.bulk = bulk;
	status = fw_key_create(fw, rq, &nk, q->der.ptr, q->der.len, &out->msg.key_id, &k,
			       out->masked, sizeof(out->masked), &out->msg.masked_key);
	if (status)
		return status;
	out->msg.key_type = type;
	if (bulk) {
		out->msg.has_bulk_key_id = true;
		out->msg.bulk_key_id = k->bulk_id;
	}
	return AZIHSM_DDI_STATUS_SUCCESS;
}

uint32_t fw_op_der_key_import(struct azihsm_fw *fw, struct fw_request *rq,
			      const union fw_req_data *req, union fw_resp_data *resp)
{
	const struct ddi_der_import_req *q = &req->der_import;

	switch (q->key_class) {
	case DDI_KEY_CLASS_ECC:
		return import_ecc(fw, rq, q, &resp->der_import);
	case DDI_KEY_CLASS_AES:
	case DDI_KEY_CLASS_AES_XTS_BULK:
	case DDI_KEY_CLASS_AES_GCM_BULK:
	case DDI_KEY_CLASS_AES_GCM_BULK_UNAPPROVED:
		return import_aes(fw, rq, q, &resp->der_import);
	default:
		return AZIHSM_DDI_STATUS_INVALID_ARG;
	}
}

/* ---- RawKeyImport ---- */

#define RAW_HMAC_USAGES	(FW_USAGE_BIT(FW_USAGE_SIGN_VERIFY) | FW_USAGE_BIT(FW_USAGE_DERIVE))

/* The kinds RawKeyImport takes, with their raw lengths (4.1) and usages. */
static const struct fw_raw_kind {
	uint32_t type;
	uint16_t min, max;
	unsigned int usages;
} fw_raw_kinds[] = {
	{ DDI_KEY_AES128, 16, 16, FW_USAGE_BIT(FW_USAGE_ENCRYPT_DECRYPT) },
	{ DDI_KEY_AES192, 24, 24, FW_USAGE_BIT(FW_USAGE_ENCRYPT_DECRYPT) },
	{ DDI_KEY_AES256, 32, 32, FW_USAGE_BIT(FW_USAGE_ENCRYPT_DECRYPT) },
	{ DDI_KEY_SECRET256, 32, 32, FW_USAGE_BIT(FW_USAGE_DERIVE) },
	{ DDI_KEY_SECRET384, 48, 48, FW_USAGE_BIT(FW_USAGE_DERIVE) },
	{ DDI_KEY_SECRET521, 68, 68, FW_USAGE_BIT(FW_USAGE_DERIVE) },
	{ DDI_KEY_HMAC_SHA256, 32, 32, RAW_HMAC_USAGES },
	{ DDI_KEY_HMAC_SHA384, 48, 48, RAW_HMAC_USAGES },
	{ DDI_KEY_HMAC_SHA512, 64, 64, RAW_HMAC_USAGES },
	{ DDI_KEY_VAR_HMAC256, 32, 64, RAW_HMAC_USAGES },
	{ DDI_KEY_VAR_HMAC384, 48, 128, RAW_HMAC_USAGES },
	{ DDI_KEY_VAR_HMAC512, 64, 128, RAW_HMAC_USAGES },
};

uint32_t fw_op_raw_key_import(struct azihsm_fw *fw, struct fw_request *rq,
			      const union fw_req_data *req, union fw_resp_data *resp)
{
	const struct ddi_raw_import_req *q = &req->raw_import;
	struct fw_raw_import_out *out = &resp->raw_import;
	const struct fw_raw_kind *kind = NULL;
	struct fw_key_props props;
	struct fw_new_key nk;
	uint32_t status;
	size_t i;

	for (i = 0; i < sizeof(fw_raw_kinds) / sizeof(fw_raw_kinds[0]); i++)
		if (fw_raw_kinds[i].type == q->key_kind)
			kind = &fw_raw_kinds[i];
	if (!kind)
		return AZIHSM_DDI_STATUS_INVALID_KEY_TYPE;
	status = fw_key_props_parse(&q->key_properties, kind->usages, &props);
	if (status)
		return status;
	if (q->raw.len < kind->min || q->raw.len > kind->max)
		return AZIHSM_DDI_STATUS_INVALID_ARG;
	imported_key(&nk, kind->type, &props, q->has_key_tag, &q->key_tag);
	return fw_key_create(fw, rq, &nk, q->raw.ptr, q->raw.len, &out->msg.key_id, NULL,
			     out->masked, sizeof(out->masked), &out->msg.masked_key);
}
