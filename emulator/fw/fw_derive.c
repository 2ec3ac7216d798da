// SPDX-License-Identifier: MIT
/*
 * Key agreement, derivation and HMAC: EcdhKeyExchange (ddi.md 3.7.3,
 * 7.10), HkdfDerive (3.9.1, 7.9.1), KbkdfCounterHmacDerive (3.9.2, 7.9.2)
 * and Hmac (3.9.3).
 *
 * Each op checks, in this order: the requested target (type, then the
 * usage of its TargetKeyProperties), its own parameters, then the input
 * key in 3.5.0's order (existence and owner, type, usage).  ECDH checks
 * its target type after the private key: which Secret type is right
 * depends on that key's curve.  Derived keys are stored with the local
 * flag (3.5.0 rule 4).
 */
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "fw_internal.h"

/* HKDF salt when the request has none: 256 zero bytes (7.9.1, Appendix A #2). */
#define FW_HKDF_DEFAULT_SALT_LEN	256
/* Production KBKDF's first stage: a 32-byte key-derivation key (7.9.2). */
#define FW_KBKDF_KDK_LEN	32
/* Longest derived key: variable-length HMAC-SHA-384/512 (3.9.1). */
#define FW_KDF_OUT_MAX		128

/* DdiHashAlgorithm (4.5) as OpenSSL names it. */
struct fw_hash {
	uint32_t alg;
	const char *name;
	size_t len;
};

static const struct fw_hash fw_hashes[] = {
	{ DDI_HASH_SHA1, "SHA1", 20 },
	{ DDI_HASH_SHA256, "SHA256", 32 },
	{ DDI_HASH_SHA384, "SHA384", 48 },
	{ DDI_HASH_SHA512, "SHA512", 64 },
};

static const struct fw_hash *fw_hash(uint32_t alg)
{
	size_t i;

	for (i = 0; i < sizeof(fw_hashes) / sizeof(fw_hashes[0]); i++)
		if (fw_hashes[i].alg == alg)
			return &fw_hashes[i];
	return NULL;
}

/*
 * What HkdfDerive and KbkdfCounterHmacDerive may produce (3.9.1, Appendix A
 * #17), with the output length (min..max for the variable-length HMAC
 * keys, which take key_length) and the usages accepted (4.10).  Bulk AES
 * targets go to a fast-path slot (4.4).
 */
struct fw_kdf_target {
	uint32_t type;
	size_t min, max;
	unsigned int usages;
	uint32_t hmac_alg;		/* HMAC keys: their hash; else 0 */
	bool bulk;
};

#define HMAC_USAGES	(FW_USAGE_BIT(FW_USAGE_SIGN_VERIFY) | FW_USAGE_BIT(FW_USAGE_DERIVE))
#define AES_USAGES	FW_USAGE_BIT(FW_USAGE_ENCRYPT_DECRYPT)

static const struct fw_kdf_target fw_kdf_targets[] = {
	{ DDI_KEY_AES128, 16, 16, AES_USAGES, 0, false },
	{ DDI_KEY_AES192, 24, 24, AES_USAGES, 0, false },
	{ DDI_KEY_AES256, 32, 32, AES_USAGES, 0, false },
	{ DDI_KEY_AES_XTS_BULK256, 32, 32, AES_USAGES, 0, true },
	{ DDI_KEY_AES_GCM_BULK256, 32, 32, AES_USAGES, 0, true },
	{ DDI_KEY_AES_GCM_BULK256_UNAPPROVED, 32, 32, AES_USAGES, 0, true },
	{ DDI_KEY_HMAC_SHA256, 32, 32, HMAC_USAGES, DDI_HASH_SHA256, false },
	{ DDI_KEY_HMAC_SHA384, 48, 48, HMAC_USAGES, DDI_HASH_SHA384, false },
	{ DDI_KEY_HMAC_SHA512, 64, 64, HMAC_USAGES, DDI_HASH_SHA512, false },
	{ DDI_KEY_VAR_HMAC256, 32, 64, HMAC_USAGES, DDI_HASH_SHA256, false },
	{ DDI_KEY_VAR_HMAC384, 48, 128, HMAC_USAGES, DDI_HASH_SHA384, false },
	{ DDI_KEY_VAR_HMAC512, 64, 128, HMAC_USAGES, DDI_HASH_SHA512, false },
};

static const struct fw_kdf_target *fw_kdf_target(uint32_t type)
{
	size_t i;

	for (i = 0; i < sizeof(fw_kdf_targets) / sizeof(fw_kdf_targets[0]); i++)
		if (fw_kdf_targets[i].type == type)
			return &fw_kdf_targets[i];
	return NULL;
}

uint32_t fw_key_create(struct azihsm_fw *fw, const struct fw_request *rq,
		       const struct fw_new_key *nk, const uint8_t *material,
		       size_t len, uint16_t *id, struct fw_key **key,
		       uint8_t *blob, size_t cap, struct mbor_bytes *masked)
{
	struct fw_key *k;
	size_t blob_len;
	uint32_t status;

	if (nk->bulk)
		status = len == FW_BULK_KEY_LEN ?
			 fw_key_store_bulk(fw, rq, nk->type, nk->attrs, nk->tag,
					   material, id, &k) :
			 AZIHSM_DDI_STATUS_INVALID_ARG;
	else
		status = fw_key_store(fw, rq, nk->type, nk->attrs, nk->tag, material,
				      len, id, &k);
	if (status)
		return status;
	status = fw_key_mask(fw, rq, *id, nk->label, blob, cap, &blob_len);
	if (status) {
		/* A key the host never learnt about must not stay behind. */
		fw_key_delete(fw, rq, *id);
		return status;
	}
	masked->ptr = blob;
	masked->len = (uint16_t)blob_len;
	if (key)
		*key = k;
	return AZIHSM_DDI_STATUS_SUCCESS;
}

/* A key created on the device (local flag) with these properties. */
static void local_key(struct fw_new_key *nk, uint32_t type,
		      const struct fw_key_props *props, bool has_tag,
		      const uint16_t *tag)
{
	nk->type = type;
	nk->attrs = DDI_KEY_ATTR_LOCAL | props->usage_attrs |
		    (props->session ? DDI_KEY_ATTR_SESSION : 0);
	nk->tag = has_tag ? tag : NULL;
	nk->label = &props->label;
	nk->bulk = false;
}

/* ---- EcdhKeyExchange (3.7.3) ---- */

uint32_t fw_op_ecdh_key_exchange(struct azihsm_fw *fw, struct fw_request *rq,
				 const union fw_req_data *req, union fw_resp_data *resp)
{
	const struct ddi_ecdh_req *q = &req->ecdh;
	struct fw_new_key_out *out = &resp->new_key;
	const struct ddi_ecc_curve_info *c;
	uint8_t secret[DDI_ECC_MAX_PKA];
	struct fw_key_props props;
	struct fw_new_key nk;
	DDI_PKEY *priv, *peer;
	struct fw_key *k;
	uint32_t status;

	status = fw_key_props_parse(&q->key_properties, FW_USAGE_BIT(FW_USAGE_DERIVE),
				    &props);
	if (status)
		return status;
	status = fw_key_lookup(fw, rq, q->priv_key_id, &k);
	if (status)
		return status;
	c = ddi_ecc_curve_of_type(k->type);
	if (!c || k->type != c->priv_type)
		return AZIHSM_DDI_STATUS_INVALID_KEY_TYPE;
	status = fw_key_check_usage(k, DDI_KEY_ATTR_DERIVE);
	if (status)
		return status;
	if (q->key_type != c->secret_type)
		return AZIHSM_DDI_STATUS_INVALID_KEY_TYPE;

	/* Length, coordinates < p, on the curve: ddi_ecc_from_raw's statuses. */
	status = ddi_ecc_from_raw(c, q->pub_key_der.ptr, q->pub_key_der.len, &peer);
	if (status)
		return status;
	priv = fw_key_ecc(fw, q->priv_key_id);
	/* The secret is Z big-endian; P-521's is stored 66 + 2 zero bytes. */
	memset(secret, 0, sizeof(secret));
	if (!priv || ddi_ecdh(priv, peer, c, secret)) {
		ddi_pkey_free(peer);
		return AZIHSM_DDI_STATUS_FAILED_TO_COMPUTE_ECDH_SHARED_SECRET;
	}
	ddi_pkey_free(peer);

	local_key(&nk, c->secret_type, &props, q->has_key_tag, &q->key_tag);
	status = fw_key_create(fw, rq, &nk, secret, c->pka, &out->msg.key_id, NULL,
			       out->masked, sizeof(out->masked), &out->msg.masked_key);
	OPENSSL_cleanse(secret, sizeof(secret));
	return status;
}

/* ---- HkdfDerive and KbkdfCounterHmacDerive (3.9.1, 3.9.2, 7.9) ---- */

/*
 * HkdfDerive's OKM; the salt rule of 7.9.1.  Salt and info longer than 256
 * bytes (HkdfInvalidInputParam on the FW) never get here: the request
 * schema refuses them (DdiDecodeFailed).
 */
static uint32_t derive_hkdf(const struct fw_hash *h, const struct ddi_kdf_req *q,
			    const uint8_t *ikm, size_t ikm_len, uint8_t *out,
			    size_t out_len)
{
	static const uint8_t zero_salt[FW_HKDF_DEFAULT_SALT_LEN];
	const uint8_t *salt = q->has_param3 ? q->param3.ptr : zero_salt;
	size_t salt_len = q->has_param3 ? q->param3.len : sizeof(zero_salt);

	/* An empty salt is kept empty: ptr may be NULL for zero bytes. */
	if (!salt)
		salt = zero_salt;
	if (ddi_hkdf(h->name, salt, salt_len, ikm, ikm_len, q->has_param4 ? q->param4.ptr : NULL,
		 q->has_param4 ? q->param4.len : 0, out, out_len))
		return AZIHSM_DDI_STATUS_HKDF_ERROR;
	return AZIHSM_DDI_STATUS_SUCCESS;
}

/*
 * KbkdfCounterHmacDerive as production firmware does it (7.9.2, Appendix
 * A #3): KDK = HKDF(no salt, secret, info = context, 32), then KBKDF with
 * the KDK as key.
 */
static uint32_t derive_kbkdf(const struct fw_hash *h, const struct ddi_kdf_req *q,
			     const uint8_t *ikm, size_t ikm_len, uint8_t *out,
			     size_t out_len)
{
	const uint8_t *label = q->has_param3 ? q->param3.ptr : NULL;
	const uint8_t *context = q->has_param4 ? q->param4.ptr : NULL;
	size_t label_len = q->has_param3 ? q->param3.len : 0;
	size_t context_len = q->has_param4 ? q->param4.len : 0;
	uint8_t kdk[FW_KBKDF_KDK_LEN];
	uint32_t status = AZIHSM_DDI_STATUS_SUCCESS;

	if (ddi_hkdf(h->name, NULL, 0, ikm, ikm_len, context, context_len, kdk,
		     sizeof(kdk)) ||
	    ddi_kbkdf(h->name, kdk, sizeof(kdk), label, label_len, context,
		      context_len, out, out_len))
		status = AZIHSM_DDI_STATUS_KBKDF_ERROR;
	OPENSSL_cleanse(kdk, sizeof(kdk));
	return status;
}

typedef uint32_t fw_kdf_fn(const struct fw_hash *h, const struct ddi_kdf_req *q,
			   const uint8_t *ikm, size_t ikm_len, uint8_t *out,
			   size_t out_len);

static uint32_t kdf_op(struct azihsm_fw *fw, struct fw_request *rq,
		       const struct ddi_kdf_req *q, struct fw_kdf_out *out,
		       fw_kdf_fn *derive)
{
	const struct fw_kdf_target *t = fw_kdf_target(q->key_type);
	const struct ddi_ecc_curve_info *c;
	const struct fw_hash *h;
	uint8_t okm[FW_KDF_OUT_MAX];
	struct fw_key_props props;
	struct fw_new_key nk;
	struct fw_key *k, *made;
	size_t out_len;
	uint32_t status;

	if (!t)
		return AZIHSM_DDI_STATUS_INVALID_KEY_TYPE;
	status = fw_key_props_parse(&q->key_properties, t->usages, &props);
	if (status)
		return status;
	h = fw_hash(q->hash_algorithm);
	if (!h)
		return AZIHSM_DDI_STATUS_INVALID_ARG;
	out_len = t->min;
	if (t->min != t->max) {
		if (!q->has_key_length)
			return AZIHSM_DDI_STATUS_INVALID_KEY_TYPE;
		if (q->key_length < t->min || q->key_length > t->max)
			return AZIHSM_DDI_STATUS_INVALID_ARG;
		out_len = q->key_length;
	}

	status = fw_key_lookup(fw, rq, q->key_id, &k);
	if (status)
		return status;
	c = ddi_ecc_curve_of_type(k->type);
	if (!c || k->type != c->secret_type)
		return AZIHSM_DDI_STATUS_INVALID_KEY_TYPE;
	status = fw_key_check_usage(k, DDI_KEY_ATTR_DERIVE);
	if (status)
		return status;

	/* Only the curve's 32/48/66 bytes of the secret are input (7.9). */
	status = derive(h, q, fw_key_material(fw, q->key_id), c->len, okm, out_len);
	if (!status) {
		local_key(&nk, t->type, &props, q->has_key_tag, &q->key_tag);
		nk.bulk = t->bulk;
		status = fw_key_create(fw, rq, &nk, okm, out_len, &out->msg.key_id,
				       &made, out->masked, sizeof(out->masked),
				       &out->msg.masked_key);
	}
	if (!status && t->bulk) {
		out->msg.has_bulk_key_id = true;
		out->msg.bulk_key_id = made->bulk_id;
	}
	OPENSSL_cleanse(okm, sizeof(okm));
	return status;
}

uint32_t fw_op_hkdf_derive(struct azihsm_fw *fw, struct fw_request *rq,
			   const union fw_req_data *req, union fw_resp_data *resp)
{
	return kdf_op(fw, rq, &req->kdf, &resp->kdf, derive_hkdf);
}

uint32_t fw_op_kbkdf_derive(struct azihsm_fw *fw, struct fw_request *rq,
			    const union fw_req_data *req, union fw_resp_data *resp)
{
	return kdf_op(fw, rq, &req->kdf, &resp->kdf, derive_kbkdf);
}

/* ---- Hmac (3.9.3) ---- */

uint32_t fw_op_hmac(struct azihsm_fw *fw, struct fw_request *rq,
		    const union fw_req_data *req, union fw_resp_data *resp)
{
	const struct ddi_hmac_req *q = &req->hmac;
	struct fw_hmac_out *out = &resp->hmac;
	const struct fw_kdf_target *t;
	const struct fw_hash *h;
	struct fw_key *k;
	size_t tag_len;
	uint32_t status;

	status = fw_key_lookup(fw, rq, q->key_id, &k);
	if (status)
		return status;
	t = fw_kdf_target(k->type);
	if (!t || !t->hmac_alg)
		return AZIHSM_DDI_STATUS_INVALID_KEY_TYPE;
	status = fw_key_check_usage(k, DDI_KEY_ATTR_SIGN | DDI_KEY_ATTR_VERIFY);
	if (status)
		return status;
	h = fw_hash(t->hmac_alg);
	/* An empty message is allowed: give OpenSSL a valid pointer anyway. */
	if (!EVP_Q_mac(NULL, OSSL_MAC_NAME_HMAC, NULL, h->name, NULL,
		       fw_key_material(fw, q->key_id), k->len,
		       q->msg.len ? q->msg.ptr : out->tag, q->msg.len, out->tag,
		       sizeof(out->tag), &tag_len) || tag_len != h->len)
		return AZIHSM_DDI_STATUS_HMAC_ERROR;
	out->msg.tag.ptr = out->tag;
	out->msg.tag.len = (uint16_t)tag_len;
	return AZIHSM_DDI_STATUS_SUCCESS;
}
