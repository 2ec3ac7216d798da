// SPDX-License-Identifier: MIT
/*
 * RSA operations: RsaModExp (ddi.md 3.6.1), GetUnwrappingKey (3.6.2) and
 * RsaUnwrap (3.6.3, 7.8), in the physical device's little-endian forms
 * (7.1.2, 7.1.3).
 *
 * The partition's RSA-2048 unwrapping key is created lazily by the first
 * GetUnwrappingKey (the real platform generates it in the background and
 * answers PendingKeyGeneration meanwhile; generating on demand keeps the
 * emulator deterministic for the host).  It is an internal vault entry of
 * type 0xFFFF with the unwrap usage: DeleteKey refuses it, key lookups of
 * other ops do not see it.  Emptying the key tables (partition reset,
 * migration) drops it and the next GetUnwrappingKey makes a new one.
 *
 * Stored RSA material (7.7.5, little-endian, also the masked plaintext):
 * non-CRT d || n || e(4) (2 * mlen + 4 bytes), CRT p || q || dP || dQ
 * (mlen / 2 each) || n || qInv || d (mlen each) || e(4) (5 * mlen + 4):
 * the FW raw sizes of 4.1.
 */
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "fw_internal.h"

#define RSA_E_LEN		4
#define UNWRAP_KEY_BITS		2048
#define KWP_MIN			16	/* one semiblock of IV + one of data */
#define KEK_MAX			32

/* Modulus bytes of an RSA private type (and whether it is CRT), or 0. */
static size_t rsa_type_mlen(uint32_t type, bool *crt)
{
	*crt = type >= DDI_KEY_RSA2K_PRIVATE_CRT && type <= DDI_KEY_RSA4K_PRIVATE_CRT;
	switch (type) {
	case DDI_KEY_RSA2K_PRIVATE:
	case DDI_KEY_RSA2K_PRIVATE_CRT:
	case DDI_KEY_RSA_UNWRAP:
		return 256;
	case DDI_KEY_RSA3K_PRIVATE:
	case DDI_KEY_RSA3K_PRIVATE_CRT:
		return 384;
	case DDI_KEY_RSA4K_PRIVATE:
	case DDI_KEY_RSA4K_PRIVATE_CRT:
		return 512;
	default:
		return 0;
	}
}

static size_t rsa_material_len(size_t mlen, bool crt)
{
	return (crt ? 5 : 2) * mlen + RSA_E_LEN;
}

/* The components of 7.7.5 in storage order, with their widths. */
enum { C_N, C_E, C_D, C_P, C_Q, C_DP, C_DQ, C_QINV, C_COUNT };
static const char *const rsa_param_names[C_COUNT] = {
	OSSL_PKEY_PARAM_RSA_N, OSSL_PKEY_PARAM_RSA_E, OSSL_PKEY_PARAM_RSA_D,
	OSSL_PKEY_PARAM_RSA_FACTOR1, OSSL_PKEY_PARAM_RSA_FACTOR2,
	OSSL_PKEY_PARAM_RSA_EXPONENT1, OSSL_PKEY_PARAM_RSA_EXPONENT2,
	OSSL_PKEY_PARAM_RSA_COEFFICIENT1,
};

struct rsa_slot {
	int comp;
	size_t off, len;
};

/* Where each component lives in the material; returns the slot count. */
static size_t rsa_layout(size_t mlen, bool crt, struct rsa_slot s[C_COUNT])
{
	static const int non_crt[] = { C_D, C_N, C_E };
	static const int with_crt[] = { C_P, C_Q, C_DP, C_DQ, C_N, C_QINV, C_D, C_E };
	const int *order = crt ? with_crt : non_crt;
	size_t n = crt ? 8 : 3, i, off = 0;

	for (i = 0; i < n; i++) {
		s[i].comp = order[i];
		s[i].len = order[i] == C_E ? RSA_E_LEN :
			   i < 4 && crt ? mlen / 2 : mlen;
		s[i].off = off;
		off += s[i].len;
	}
	return n;
}

DDI_PKEY *fw_rsa_from_material(uint32_t type, const uint8_t *material, size_t len)
{
	struct rsa_slot slots[C_COUNT];
	BIGNUM *bn[C_COUNT] = { 0 };
	OSSL_PARAM_BLD *bld = NULL;
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *pkey = NULL;
	size_t mlen, n, i;
	bool crt;

	mlen = rsa_type_mlen(type, &crt);
	if (!mlen || !material || len != rsa_material_len(mlen, crt))
		return NULL;
	n = rsa_layout(mlen, crt, slots);
	bld = OSSL_PARAM_BLD_new();
	if (!bld)
		goto out;
	for (i = 0; i < n; i++) {
		int c = slots[i].comp;

		bn[c] = BN_lebin2bn(material + slots[i].off, (int)slots[i].len, NULL);
		if (!bn[c] || !OSSL_PARAM_BLD_push_BN(bld, rsa_param_names[c], bn[c]))
			goto out;
	}
	params = OSSL_PARAM_BLD_to_param(bld);
	ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
	if (!params || !ctx || EVP_PKEY_fromdata_init(ctx) <= 0 ||
	    EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_KEYPAIR, params) <= 0)
		pkey = NULL;
out:
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	for (i = 0; i < C_COUNT; i++)
		BN_clear_free(bn[i]);
	return pkey;
}

/*
 * The 7.7.5 material of pkey (mlen-byte modulus); -1 if a component is
 * missing (no CRT factors), -2 if one does not fit its width (e over 32
 * bits; unbalanced primes, which have no half-width CRT form).
 */
static int rsa_to_material(EVP_PKEY *pkey, size_t mlen, bool crt, uint8_t *out)
{
	struct rsa_slot slots[C_COUNT];
	size_t n = rsa_layout(mlen, crt, slots), i;
	int ret = 0;

	for (i = 0; i < n && !ret; i++) {
		BIGNUM *bn = NULL;

		if (!EVP_PKEY_get_bn_param(pkey, rsa_param_names[slots[i].comp], &bn))
			ret = -1;
		else if (BN_bn2lebinpad(bn, out + slots[i].off, (int)slots[i].len) < 0)
			ret = -2;
		BN_clear_free(bn);
	}
	return ret;
}

/* The raw public key of 7.1.2: n_le || e_le (4 bytes). */
static int rsa_public_raw(EVP_PKEY *pkey, size_t mlen, uint8_t *out)
{
	BIGNUM *n = NULL, *e = NULL;
	int ret = -1;

	if (EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_N, &n) &&
	    EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_E, &e) &&
	    BN_bn2lebinpad(n, out, (int)mlen) >= 0 &&
	    BN_bn2lebinpad(e, out + mlen, RSA_E_LEN) >= 0)
		ret = 0;
	BN_free(n);
	BN_free(e);
	return ret;
}

/*
 * InvalidArg unless the big-endian mlen-byte value y satisfies
 * 1 < y < n - 1 (3.6.1, 7.8.3 step 2).
 */
static uint32_t rsa_check_range(EVP_PKEY *pkey, const uint8_t *y_be, size_t mlen)
{
	BIGNUM *n = NULL, *y = BN_bin2bn(y_be, (int)mlen, NULL);
	uint32_t status = AZIHSM_DDI_STATUS_INVALID_ARG;

	if (!y || !EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_N, &n) ||
	    !BN_sub_word(n, 1)) {
		status = AZIHSM_DDI_STATUS_RSA_DECRYPT_FAILED;
		goto out;
	}
	if (BN_cmp(y, BN_value_one()) > 0 && BN_cmp(y, n) < 0)
		status = AZIHSM_DDI_STATUS_SUCCESS;
out:
	BN_clear_free(y);
	BN_free(n);
	return status;
}

/*
 * One private-key decryption of the mlen-byte big-endian in: raw
 * (md NULL) or OAEP with md for both hash and MGF1 and an empty label.
 * Returns the output length, or -1.
 */
static long rsa_decrypt(EVP_PKEY *pkey, const EVP_MD *md, const uint8_t *in,
			size_t mlen, uint8_t *out, size_t cap)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(pkey, NULL);
	size_t len = cap;
	long ret = -1;

	if (!ctx || EVP_PKEY_decrypt_init(ctx) <= 0)
		goto out;
	if (md) {
		if (EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_OAEP_PADDING) <= 0 ||
		    EVP_PKEY_CTX_set_rsa_oaep_md(ctx, md) <= 0 ||
		    EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, md) <= 0)
			goto out;
	} else if (EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_NO_PADDING) <= 0) {
		goto out;
	}
	if (EVP_PKEY_decrypt(ctx, out, &len, in, mlen) > 0)
		ret = (long)len;
out:
	EVP_PKEY_CTX_free(ctx);
	return ret;
}

size_t fw_rsa_public(struct azihsm_fw *fw, uint16_t id, uint8_t *out, uint32_t *pub_type)
{
	uint8_t *material = fw_key_material(fw, id);
	struct fw_key *k;
	EVP_PKEY *pkey;
	size_t mlen;
	bool crt;

	if (!material)
		return 0;
	k = &fw->tables[id >> 8].keys[id & 0xff];
	mlen = rsa_type_mlen(k->type, &crt);
	if (!mlen || k->type == DDI_KEY_RSA_UNWRAP)
		return 0;
	pkey = fw_key_pkey(fw, id);
	if (!pkey || rsa_public_raw(pkey, mlen, out))
		return 0;
	*pub_type = DDI_KEY_RSA2K_PUBLIC + (uint32_t)(mlen / 128 - 2);
	return mlen + RSA_E_LEN;
}

/* ---- RsaModExp (3.6.1) ---- */

uint32_t fw_op_rsa_mod_exp(struct azihsm_fw *fw, struct fw_request *rq,
			   const union fw_req_data *req, union fw_resp_data *resp)
{
	const struct ddi_rsa_mod_exp_req *q = &req->rsa_mod_exp;
	struct fw_rsa_mod_exp_out *r = &resp->rsa_mod_exp;
	uint8_t y[DDI_RSA_MAX_BYTES], x[DDI_RSA_MAX_BYTES];
	struct fw_key *k;
	EVP_PKEY *pkey;
	uint64_t need;
	uint32_t status;
	size_t mlen;
	bool crt;

	status = fw_key_lookup(fw, rq, q->key_id, &k);
	if (status)
		return status;
	mlen = rsa_type_mlen(k->type, &crt);
	if (!mlen || k->type == DDI_KEY_RSA_UNWRAP)
		return AZIHSM_DDI_STATUS_INVALID_KEY_TYPE;
	if (q->op_type == DDI_RSA_OP_DECRYPT)
		need = DDI_KEY_ATTR_ENCRYPT | DDI_KEY_ATTR_DECRYPT;
	else if (q->op_type == DDI_RSA_OP_SIGN)
		need = DDI_KEY_ATTR_SIGN | DDI_KEY_ATTR_VERIFY;
	else
		return AZIHSM_DDI_STATUS_INVALID_ARG;
	status = fw_key_check_usage(k, need);
	if (status)
		return status;
	if (q->y.len != mlen)
		return AZIHSM_DDI_STATUS_INVALID_ARG;
	pkey = fw_key_pkey(fw, q->key_id);
	if (!pkey)
		return AZIHSM_DDI_STATUS_RSA_DECRYPT_FAILED;
	ddi_reverse(y, q->y.ptr, mlen);
	status = rsa_check_range(pkey, y, mlen);
	if (!status && rsa_decrypt(pkey, NULL, y, mlen, x, sizeof(x)) != (long)mlen)
		status = AZIHSM_DDI_STATUS_RSA_DECRYPT_FAILED;
	if (!status) {
		ddi_reverse(r->x, x, mlen);
		r->msg.x = (struct mbor_bytes){ r->x, (uint16_t)mlen };
	}
	OPENSSL_cleanse(x, sizeof(x));
	return status;
}

/* ---- GetUnwrappingKey (3.6.2) ---- */

/* The unwrapping key's entry, or false if there is none yet. */
static bool unwrap_key_find(struct azihsm_fw *fw, uint16_t *id, struct fw_key **out)
{
	unsigned int t, e;

	for (t = 0; fw->tables && t < fw->cfg.key_tables; t++)
		for (e = 0; e < FW_KEY_TABLE_ENTRIES; e++) {
			struct fw_key *k = &fw->tables[t].keys[e];

			if (k->used && k->type == DDI_KEY_RSA_UNWRAP &&
			    (k->attrs & DDI_KEY_ATTR_INTERNAL)) {
				*id = (uint16_t)(t << 8 | e);
				*out = k;
				return true;
			}
		}
	return false;
}

/* Find the unwrapping key, generating it on first use. */
static uint32_t unwrap_key_get(struct azihsm_fw *fw, const struct fw_request *rq,
			       uint16_t *id, DDI_PKEY **pkey)
{
	uint8_t material[2 * 256 + RSA_E_LEN];
	struct fw_key *k;
	EVP_PKEY *gen;
	uint32_t status;

	if (!unwrap_key_find(fw, id, &k)) {
		gen = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)UNWRAP_KEY_BITS);
		if (!gen || rsa_to_material(gen, 256, false, material)) {
			EVP_PKEY_free(gen);
			return AZIHSM_DDI_STATUS_PCT_VALIDATION_UNWRAPPING_KEY_FAILED;
		}
		status = fw_key_store(fw, rq, DDI_KEY_RSA_UNWRAP,
				      DDI_KEY_ATTR_INTERNAL | DDI_KEY_ATTR_UNWRAP, NULL,
				      material, sizeof(material), id, &k);
		OPENSSL_cleanse(material, sizeof(material));
		if (status) {
			EVP_PKEY_free(gen);
			return status;
		}
		k->pkey = gen;
	}
	*pkey = fw_key_pkey(fw, *id);
	return *pkey ? AZIHSM_DDI_STATUS_SUCCESS : AZIHSM_DDI_STATUS_RSA_UNWRAP_ERROR;
}

uint32_t fw_op_get_unwrapping_key(struct azihsm_fw *fw, struct fw_request *rq,
				  const union fw_req_data *req, union fw_resp_data *resp)
{
	struct fw_unwrapping_key_out *r = &resp->unwrapping_key;
	DDI_PKEY *pkey;
	uint32_t status;
	size_t len;
	uint16_t id;

	(void)req;
	status = unwrap_key_get(fw, rq, &id, &pkey);
	if (status)
		return status;
	if (rsa_public_raw(pkey, 256, r->pub))
		return AZIHSM_DDI_STATUS_RSA_UNWRAP_ERROR;
	/* Masked under MK with an empty label (7.7.4), type 0xFFFF. */
	status = fw_key_mask(fw, rq, id, NULL, r->masked, sizeof(r->masked), &len);
	if (status)
		return status;
	r->msg.key_id = id;
	r->msg.pub_key.der = (struct mbor_bytes){ r->pub, sizeof(r->pub) };
	r->msg.pub_key.key_kind = DDI_KEY_RSA2K_PUBLIC;
	r->msg.masked_key = (struct mbor_bytes){ r->masked, (uint16_t)len };
	return AZIHSM_DDI_STATUS_SUCCESS;
}

/* ---- RsaUnwrap (3.6.3, 7.8) ---- */

static const EVP_MD *oaep_md(uint32_t hash)
{
	switch (hash) {
	case DDI_HASH_SHA1:
		return EVP_sha1();
	case DDI_HASH_SHA256:
		return EVP_sha256();
	case DDI_HASH_SHA384:
		return EVP_sha384();
	case DDI_HASH_SHA512:
		return EVP_sha512();
	default:
		return NULL;
	}
}

/*
 * RFC 5649 unwrap of w under kek into out (cap >= w_len); the length, or
 * -1 for any failure (wrong KEK length, bad length, integrity) - all
 * RsaUnwrapAesUnwrapFailed (7.8.3 step 5, Appendix A #29).
 */
static long kwp_unwrap(const uint8_t *kek, size_t kek_len, const uint8_t *w,
		       size_t w_len, uint8_t *out)
{
	const EVP_CIPHER *cipher = kek_len == 16 ? EVP_aes_128_wrap_pad() :
				   kek_len == 24 ? EVP_aes_192_wrap_pad() :
				   kek_len == 32 ? EVP_aes_256_wrap_pad() : NULL;
	EVP_CIPHER_CTX *ctx;
	int len = 0, fin = 0;
	long ret = -1;

	if (!cipher || w_len < KWP_MIN || w_len % 8 || w_len > INT32_MAX)
		return -1;
	ctx = EVP_CIPHER_CTX_new();
	if (!ctx)
		return -1;
	EVP_CIPHER_CTX_set_flags(ctx, EVP_CIPHER_CTX_FLAG_WRAP_ALLOW);
	if (EVP_DecryptInit_ex(ctx, cipher, NULL, kek, NULL) > 0 &&
	    EVP_DecryptUpdate(ctx, out, &len, w, (int)w_len) > 0 &&
	    EVP_DecryptFinal_ex(ctx, out + len, &fin) > 0)
		ret = (long)len + fin;
	EVP_CIPHER_CTX_free(ctx);
	return ret;
}

/* The usages 4.10 accepts for a key class; 0 for an unknown class. */
static unsigned int class_usages(uint32_t key_class)
{
	switch (key_class) {
	case DDI_KEY_CLASS_RSA:
	case DDI_KEY_CLASS_RSA_CRT:
		return FW_USAGE_BIT(FW_USAGE_SIGN_VERIFY) |
		       FW_USAGE_BIT(FW_USAGE_ENCRYPT_DECRYPT);
	case DDI_KEY_CLASS_AES:
	case DDI_KEY_CLASS_AES_XTS_BULK:
	case DDI_KEY_CLASS_AES_GCM_BULK:
	case DDI_KEY_CLASS_AES_GCM_BULK_UNAPPROVED:
		return FW_USAGE_BIT(FW_USAGE_ENCRYPT_DECRYPT);
	case DDI_KEY_CLASS_ECC:
		return FW_USAGE_BIT(FW_USAGE_SIGN_VERIFY) | FW_USAGE_BIT(FW_USAGE_DERIVE);
	default:
		return 0;
	}
}

/* A private type for an RSA key of mlen bytes. */
static uint32_t rsa_type_of(size_t mlen, bool crt)
{
	uint32_t base = crt ? DDI_KEY_RSA2K_PRIVATE_CRT : DDI_KEY_RSA2K_PRIVATE;

	return mlen == 256 ? base : mlen == 384 ? base + 1 : mlen == 512 ? base + 2 : 0;
}

/* Classes 1 and 2 (7.8.4): a PKCS#8 (or PKCS#1) RSA private key. */
static uint32_t import_rsa(struct azihsm_fw *fw, struct fw_request *rq,
			   const struct ddi_rsa_unwrap_req *q, const struct fw_key_props *props,
			   const uint8_t *der, size_t der_len, struct fw_rsa_unwrap_out *r)
{
	uint8_t material[FW_KEY_MATERIAL_MAX];
	bool crt = q->key_class == DDI_KEY_CLASS_RSA_CRT;
	const unsigned char *p = der;
	EVP_PKEY_CTX *ctx = NULL;
	struct fw_new_key nk;
	EVP_PKEY *pk;
	uint32_t status, type;
	size_t mlen = 0;

	pk = der_len ? d2i_AutoPrivateKey(NULL, &p, (long)der_len) : NULL;
	status = AZIHSM_DDI_STATUS_DER_DECODE_FAILED;
	if (!pk || p != der + der_len || !EVP_PKEY_is_a(pk, "RSA"))
		goto out;
	status = AZIHSM_DDI_STATUS_INVALID_ARG;
	mlen = (size_t)EVP_PKEY_get_size(pk);
	type = rsa_type_of(mlen, crt);
	if (!type || EVP_PKEY_get_bits(pk) != (int)(8 * mlen))
		goto out;
	/*
	 * Every CRT component must be there (DerDecodeFailed); e must fit 4
	 * bytes and, for the CRT class, p and q half the modulus (InvalidArg).
	 */
	switch (rsa_to_material(pk, mlen, crt, material)) {
	case 0:
		break;
	case -1:
		status = AZIHSM_DDI_STATUS_DER_DECODE_FAILED;
		goto out;
	default:
		goto out;
	}
	status = AZIHSM_DDI_STATUS_PCT_VALIDATION_RSA_UNWRAP_RSA_KEY_FAILED;
	ctx = EVP_PKEY_CTX_new(pk, NULL);
	if (!ctx || EVP_PKEY_pairwise_check(ctx) <= 0 ||
	    rsa_public_raw(pk, mlen, r->pub))
		goto out;
	nk = (struct fw_new_key){
		.type = type,
		.attrs = props->usage_attrs | (props->session ? DDI_KEY_ATTR_SESSION : 0),
		.tag = q->has_key_tag ? &q->key_tag : NULL,
		.label = &props->label,
	};
	status = fw_key_create(fw, rq, &nk, material, rsa_material_len(mlen, crt),
			       &r->msg.key_id, NULL, r->masked, sizeof(r->masked),
			       &r->msg.masked_key);
	if (status)
		goto out;
	r->msg.has_pub_key = true;
	r->msg.pub_key.der = (struct mbor_bytes){ r->pub, (uint16_t)(mlen + RSA_E_LEN) };
	r->msg.pub_key.key_kind = DDI_KEY_RSA2K_PUBLIC + (uint32_t)(mlen / 128 - 2);
	r->msg.key_type = type;
out:
	OPENSSL_cleanse(material, sizeof(material));
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(pk);
	return status;
}

/* Step 1 of 7.8.3: the unwrapping key itself, refusing every other key. */
static uint32_t unwrap_key_lookup(struct azihsm_fw *fw, const struct fw_request *rq,
				  uint16_t id, DDI_PKEY **pkey)
{
	struct fw_key *k;
	uint16_t uid;
	uint32_t status;

	if (unwrap_key_find(fw, &uid, &k) && uid == id) {
		*pkey = fw_key_pkey(fw, id);
		return *pkey ? AZIHSM_DDI_STATUS_SUCCESS :
			       AZIHSM_DDI_STATUS_RSA_UNWRAP_ERROR;
	}
	status = fw_key_lookup(fw, rq, id, &k);
	return status ? status : AZIHSM_DDI_STATUS_INVALID_KEY_TYPE;
}

uint32_t fw_op_rsa_unwrap(struct azihsm_fw *fw, struct fw_request *rq,
			  const union fw_req_data *req, union fw_resp_data *resp)
{
	const struct ddi_rsa_unwrap_req *q = &req->rsa_unwrap;
	uint8_t payload[DDI_MASKED_KEY_MAX];
	uint8_t ct[DDI_RSA_UNWRAP_CT_LEN], kek[DDI_RSA_UNWRAP_CT_LEN];
	unsigned int usages = class_usages(q->key_class);
	struct fw_key_props props;
	union fw_req_data sub;
	const EVP_MD *md;
	DDI_PKEY *pkey;
	uint32_t status;
	long kek_len, len = -1;

	if (!usages)
		return AZIHSM_DDI_STATUS_INVALID_KEY_TYPE;
	status = fw_key_props_parse(&q->key_properties, usages, &props);
	if (status)
		return status;
	status = unwrap_key_lookup(fw, rq, q->key_id, &pkey);
	if (status)
		return status;
	/* The FW reads past a short blob; the spec has us refuse it. */
	if (q->wrapped_blob.len < DDI_RSA_UNWRAP_CT_LEN + KWP_MIN)
		return AZIHSM_DDI_STATUS_INVALID_ARG;
	ddi_reverse(ct, q->wrapped_blob.ptr, sizeof(ct));
	status = rsa_check_range(pkey, ct, sizeof(ct));
	if (status)
		return status;
	md = oaep_md(q->hash_algorithm);
	if (q->padding != DDI_RSA_PADDING_OAEP || !md)
		return AZIHSM_DDI_STATUS_INVALID_ARG;
	kek_len = rsa_decrypt(pkey, md, ct, sizeof(ct), kek, sizeof(kek));
	if (kek_len < 0)
		status = AZIHSM_DDI_STATUS_RSA_UNWRAP_OAEP_DECODE_FAILED;
	else if (kek_len > KEK_MAX)
		status = AZIHSM_DDI_STATUS_RSA_UNWRAP_INVALID_KEK;
	else
		len = kwp_unwrap(kek, (size_t)kek_len, q->wrapped_blob.ptr + sizeof(ct),
				 q->wrapped_blob.len - sizeof(ct), payload);
	OPENSSL_cleanse(kek, sizeof(kek));
	if (status)
		return status;
	if (len < 0)
		return AZIHSM_DDI_STATUS_RSA_UNWRAP_AES_UNWRAP_FAILED;
	if (q->key_class == DDI_KEY_CLASS_RSA || q->key_class == DDI_KEY_CLASS_RSA_CRT) {
		status = import_rsa(fw, rq, q, &props, payload, (size_t)len,
				    &resp->rsa_unwrap);
	} else {
		/* ECC and AES payloads are DerKeyImport's formats (7.8.4). */
		memset(&sub, 0, sizeof(sub));
		sub.der_import.der = (struct mbor_bytes){ payload, (uint16_t)len };
		sub.der_import.key_class = q->key_class;
		sub.der_import.has_key_tag = q->has_key_tag;
		sub.der_import.key_tag = q->key_tag;
		sub.der_import.key_properties = q->key_properties;
		status = fw_op_der_key_import(fw, rq, &sub, resp);
	}
	OPENSSL_cleanse(payload, sizeof(payload));
	return status;
}
