// SPDX-License-Identifier: MIT
/*
 * DDI cryptographic primitives and the credential encryption of
 * spec/ddi.md 7.1-7.5, shared by the firmware core and libazihsm so that
 * both ends compute the one construction with the same code.
 */
#include <limits.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/rand.h>

#include "azihsm/ddi.h"
#include "azihsm/ddi_crypto.h"

/* The P-384 helpers are the generic ECC ones (ecc.c) on curve 2. */
static const struct ddi_ecc_curve_info *p384(void)
{
	return ddi_ecc_curve(2);
}

void ddi_reverse(uint8_t *dst, const uint8_t *src, size_t len)
{
	size_t i;

	for (i = 0; i < len / 2; i++) {
		uint8_t a = src[i], b = src[len - 1 - i];

		dst[i] = b;
		dst[len - 1 - i] = a;
	}
	if (len & 1)
		dst[len / 2] = src[len / 2];
}

/* ---- P-384 keys ---- */

DDI_PKEY *ddi_p384_generate(void)
{
	return ddi_ecc_generate(p384());
}

void ddi_pkey_free(DDI_PKEY *k)
{
	EVP_PKEY_free(k);
}

DDI_PKEY *ddi_p384_from_private(const uint8_t d[DDI_P384_LEN])
{
	return ddi_ecc_from_private(p384(), d);
}

int ddi_p384_public_point(DDI_PKEY *k, uint8_t pt[DDI_P384_POINT_LEN])
{
	return ddi_ecc_public_point(k, p384(), pt);
}

int ddi_p384_public_raw(DDI_PKEY *k, uint8_t raw[DDI_P384_RAW_PUB_LEN])
{
	return ddi_ecc_public_raw(k, p384(), raw);
}

uint32_t ddi_p384_from_raw(const uint8_t *raw, size_t len, DDI_PKEY **out)
{
	return ddi_ecc_from_raw(p384(), raw, len, out);
}

int ddi_ecdh_p384(DDI_PKEY *priv, DDI_PKEY *peer, uint8_t z[DDI_P384_LEN])
{
	return ddi_ecdh(priv, peer, p384(), z);
}

static int sha384(const uint8_t *msg, size_t len, uint8_t md[DDI_SHA384_LEN])
{
	unsigned int md_len = 0;

	return EVP_Digest(msg, len, md, &md_len, EVP_sha384(), NULL) &&
	       md_len == DDI_SHA384_LEN ? 0 : -1;
}

int ddi_p384_sign_raw(DDI_PKEY *k, const uint8_t *msg, size_t len,
		      uint8_t sig[DDI_P384_RAW_SIG_LEN])
{
	uint8_t md[DDI_SHA384_LEN];

	if (sha384(msg, len, md))
		return -1;
	return ddi_ecc_sign_raw(k, p384(), md, sizeof(md), sig);
}

bool ddi_p384_verify_raw(DDI_PKEY *pub, const uint8_t *msg, size_t len,
			 const uint8_t *sig, size_t sig_len)
{
	uint8_t md[DDI_SHA384_LEN], be[DDI_P384_RAW_SIG_LEN];

	if (!pub || !sig || sig_len != DDI_P384_RAW_SIG_LEN || sha384(msg, len, md))
		return false;
	ddi_reverse(be, sig, DDI_P384_LEN);
	ddi_reverse(be + DDI_P384_LEN, sig + DDI_P384_LEN, DDI_P384_LEN);
	return ddi_ecc_verify(pub, p384(), md, sizeof(md), be);
}

/* ---- Symmetric primitives ---- */

int ddi_random(void *buf, size_t len)
{
	return len > (size_t)INT_MAX || RAND_bytes(buf, (int)len) != 1 ? -1 : 0;
}

int ddi_hmac_sha384(const uint8_t *key, size_t key_len, const uint8_t *msg,
		    size_t len, uint8_t mac[DDI_SHA384_LEN])
{
	size_t out_len;

	if (!EVP_Q_mac(NULL, "HMAC", NULL, "SHA384", NULL, key, key_len, msg,
		       len, mac, DDI_SHA384_LEN, &out_len) ||
	    out_len != DDI_SHA384_LEN)
		return -1;
	return 0;
}

int ddi_hkdf(const char *digest, const uint8_t *salt, size_t salt_len,
	     const uint8_t *ikm, size_t ikm_len, const uint8_t *info,
	     size_t info_len, uint8_t *out, size_t out_len)
{
	EVP_KDF *kdf = EVP_KDF_fetch(NULL, OSSL_KDF_NAME_HKDF, NULL);
	EVP_KDF_CTX *ctx = kdf ? EVP_KDF_CTX_new(kdf) : NULL;
	OSSL_PARAM params[5], *p = params;
	int ret = -1;

	*p++ = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST,
						(char *)digest, 0);
	*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)ikm,
						 ikm_len);
	*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, (void *)info,
						 info_len);
	/* No salt: RFC 5869 then uses HashLen zero bytes. */
	if (salt)
		*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT,
							 (void *)salt, salt_len);
	*p = OSSL_PARAM_construct_end();
	if (ctx && EVP_KDF_derive(ctx, out, out_len, params) > 0)
		ret = 0;
	EVP_KDF_CTX_free(ctx);
	EVP_KDF_free(kdf);
	return ret;
}

int ddi_hkdf_sha384(const uint8_t *ikm, size_t ikm_len, const uint8_t *info,
		    size_t info_len, uint8_t *out, size_t out_len)
{
	/* 7.2 step 3 takes no salt. */
	return ddi_hkdf("SHA384", NULL, 0, ikm, ikm_len, info, info_len, out,
			out_len);
}

/*
 * OpenSSL's KBKDF defaults are exactly the 7.5 layout: 32-bit counter
 * first, then Label || 0x00 || Context || [L*8]32.
 */
int ddi_kbkdf(const char *digest, const uint8_t *key, size_t key_len,
	      const uint8_t *label, size_t label_len,
	      const uint8_t *context, size_t context_len,
	      uint8_t *out, size_t out_len)
{
	EVP_KDF *kdf;
	EVP_KDF_CTX *ctx;
	OSSL_PARAM params[7];
	int ret = -1;

	if (label_len > DDI_KBKDF_MAX_LABEL || context_len > DDI_KBKDF_MAX_CONTEXT ||
	    !out_len)
		return -1;
	kdf = EVP_KDF_fetch(NULL, OSSL_KDF_NAME_KBKDF, NULL);
	ctx = kdf ? EVP_KDF_CTX_new(kdf) : NULL;
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_MODE,
						     (char *)"COUNTER", 0);
	params[1] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_MAC,
						     (char *)OSSL_MAC_NAME_HMAC, 0);
	params[2] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST,
						     (char *)digest, 0);
	params[3] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY,
						      (void *)key, key_len);
	params[4] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT,
						      (void *)label, label_len);
	params[5] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO,
						      (void *)context, context_len);
	params[6] = OSSL_PARAM_construct_end();
	if (ctx && EVP_KDF_derive(ctx, out, out_len, params) > 0)
		ret = 0;
	EVP_KDF_CTX_free(ctx);
	EVP_KDF_free(kdf);
	return ret;
}

int ddi_kbkdf_sha384(const uint8_t *key, size_t key_len,
		     const uint8_t *label, size_t label_len,
		     const uint8_t *context, size_t context_len,
		     uint8_t *out, size_t out_len)
{
	return ddi_kbkdf("SHA384", key, key_len, label, label_len, context,
			 context_len, out, out_len);
}

int ddi_aes_cbc(bool encrypt, const uint8_t *key, size_t key_len,
		const uint8_t iv[16], const uint8_t *in, size_t len, uint8_t *out)
{
	const EVP_CIPHER *cipher;
	EVP_CIPHER_CTX *ctx;
	int n, ret = -1;

	switch (key_len) {
	case 16:
		cipher = EVP_aes_128_cbc();
		break;
	case 24:
		cipher = EVP_aes_192_cbc();
		break;
	case 32:
		cipher = EVP_aes_256_cbc();
		break;
	default:
		return -1;
	}
	if (len % 16 || len > (size_t)INT_MAX)
		return -1;
	ctx = EVP_CIPHER_CTX_new();
	if (ctx && EVP_CipherInit_ex2(ctx, cipher, key, iv, encrypt, NULL) &&
	    EVP_CIPHER_CTX_set_padding(ctx, 0) &&
	    EVP_CipherUpdate(ctx, out, &n, in, (int)len) && (size_t)n == len)
		ret = 0;
	EVP_CIPHER_CTX_free(ctx);
	return ret;
}

int ddi_aes256_cbc(bool encrypt, const uint8_t key[32], const uint8_t iv[16],
		   const uint8_t *in, size_t len, uint8_t *out)
{
	return ddi_aes_cbc(encrypt, key, 32, iv, in, len, out);
}

/* ---- Credential encryption (7.2) ---- */

int ddi_cred_derive_keys(const uint8_t z[DDI_P384_LEN],
			 const uint8_t nonce[DDI_CRED_NONCE_LEN],
			 struct ddi_cred_keys *k)
{
	uint8_t okm[sizeof(k->enc) + sizeof(k->mac)];
	int ret;

	ret = ddi_hkdf_sha384(z, DDI_P384_LEN, nonce, DDI_CRED_NONCE_LEN, okm,
			      sizeof(okm));
	memcpy(k->enc, okm, sizeof(k->enc));
	memcpy(k->mac, okm + sizeof(k->enc), sizeof(k->mac));
	OPENSSL_cleanse(okm, sizeof(okm));
	return ret;
}

int ddi_cred_tag(const struct ddi_cred_keys *k, const uint8_t *ct, size_t ct_len,
		 const uint8_t iv[DDI_CRED_IV_LEN],
		 const uint8_t nonce[DDI_CRED_NONCE_LEN],
		 uint8_t tag[DDI_CRED_TAG_LEN])
{
	uint8_t msg[DDI_CRED_MAX_LEN + DDI_CRED_IV_LEN + DDI_CRED_NONCE_LEN];

	if (ct_len > DDI_CRED_MAX_LEN)
		return -1;
	memcpy(msg, ct, ct_len);
	memcpy(msg + ct_len, iv, DDI_CRED_IV_LEN);
	memcpy(msg + ct_len + DDI_CRED_IV_LEN, nonce, DDI_CRED_NONCE_LEN);
	return ddi_hmac_sha384(k->mac, sizeof(k->mac), msg,
			       ct_len + DDI_CRED_IV_LEN + DDI_CRED_NONCE_LEN, tag);
}

uint32_t ddi_cred_seal(const uint8_t *dev_pub, size_t dev_pub_len,
		       const uint8_t nonce[DDI_CRED_NONCE_LEN],
		       const uint8_t *pt, size_t pt_len, DDI_PKEY *eph,
		       const uint8_t *iv, struct ddi_cred_sealed *out)
{
	DDI_PKEY *dev = NULL, *own = NULL;
	struct ddi_cred_keys keys;
	uint8_t z[DDI_P384_LEN];
	uint32_t status;

	memset(out, 0, sizeof(*out));
	if (!pt || !pt_len || pt_len % 16 || pt_len > DDI_CRED_MAX_LEN)
		return AZIHSM_DDI_STATUS_INVALID_ARG;
	status = ddi_p384_from_raw(dev_pub, dev_pub_len, &dev);
	if (status)
		return status;
	status = AZIHSM_DDI_STATUS_ECC_DERIVE_ERROR;
	if (!eph)
		eph = own = ddi_p384_generate();
	if (!eph || ddi_p384_public_raw(eph, out->host_pub) ||
	    ddi_ecdh_p384(eph, dev, z) || ddi_cred_derive_keys(z, nonce, &keys))
		goto out;
	status = AZIHSM_DDI_STATUS_RNG_ERROR;
	if (iv)
		memcpy(out->iv, iv, DDI_CRED_IV_LEN);
	else if (ddi_random(out->iv, DDI_CRED_IV_LEN))
		goto out;
	memcpy(out->nonce, nonce, DDI_CRED_NONCE_LEN);
	out->ct_len = pt_len;
	status = AZIHSM_DDI_STATUS_AES_ENCRYPT_FAILED;
	if (ddi_aes256_cbc(true, keys.enc, out->iv, pt, pt_len, out->ct) ||
	    ddi_cred_tag(&keys, out->ct, pt_len, out->iv, nonce, out->tag))
		goto out;
	status = AZIHSM_DDI_STATUS_SUCCESS;
out:
	OPENSSL_cleanse(&keys, sizeof(keys));
	OPENSSL_cleanse(z, sizeof(z));
	ddi_pkey_free(own);
	ddi_pkey_free(dev);
	return status;
}
