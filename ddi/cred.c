// SPDX-License-Identifier: MIT
/*
 * DDI cryptographic primitives and the credential encryption of
 * spec/ddi.md 7.1-7.5, shared by the firmware core and libazihsm so that
 * both ends compute the one construction with the same code.
 */
#include <limits.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>
#include <openssl/rand.h>

#include "azihsm/ddi.h"
#include "azihsm/ddi_crypto.h"

#define P384_GROUP	"P-384"

/* The P-384 field prime, big-endian: a coordinate must be below it. */
static const uint8_t p384_prime[DDI_P384_LEN] = {
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe,
	0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff,
};

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
	return EVP_PKEY_Q_keygen(NULL, NULL, "EC", P384_GROUP);
}

void ddi_pkey_free(DDI_PKEY *k)
{
	EVP_PKEY_free(k);
}

/* EVP_PKEY from an uncompressed point and, optionally, a private scalar. */
static EVP_PKEY *p384_from_params(const uint8_t pt[DDI_P384_POINT_LEN],
				  const BIGNUM *priv)
{
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *k = NULL;

	if (!bld ||
	    !OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME,
					     P384_GROUP, 0) ||
	    !OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY,
					      pt, DDI_P384_POINT_LEN) ||
	    (priv && !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, priv)))
		goto out;
	params = OSSL_PARAM_BLD_to_param(bld);
	ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
	if (!params || !ctx || EVP_PKEY_fromdata_init(ctx) <= 0 ||
	    EVP_PKEY_fromdata(ctx, &k, priv ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY,
			      params) <= 0)
		k = NULL;
out:
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	return k;
}

DDI_PKEY *ddi_p384_from_private(const uint8_t d[DDI_P384_LEN])
{
	EC_GROUP *group = EC_GROUP_new_by_curve_name(NID_secp384r1);
	BIGNUM *priv = BN_bin2bn(d, DDI_P384_LEN, NULL);
	EC_POINT *pub = group ? EC_POINT_new(group) : NULL;
	uint8_t pt[DDI_P384_POINT_LEN];
	EVP_PKEY *k = NULL;

	if (priv && pub && EC_POINT_mul(group, pub, priv, NULL, NULL, NULL) &&
	    EC_POINT_point2oct(group, pub, POINT_CONVERSION_UNCOMPRESSED, pt,
			       sizeof(pt), NULL) == sizeof(pt))
		k = p384_from_params(pt, priv);
	EC_POINT_free(pub);
	BN_clear_free(priv);
	EC_GROUP_free(group);
	return k;
}

int ddi_p384_public_point(DDI_PKEY *k, uint8_t pt[DDI_P384_POINT_LEN])
{
	size_t len;

	if (!EVP_PKEY_get_octet_string_param(k, OSSL_PKEY_PARAM_PUB_KEY, pt,
					     DDI_P384_POINT_LEN, &len) ||
	    len != DDI_P384_POINT_LEN || pt[0] != POINT_CONVERSION_UNCOMPRESSED)
		return -1;
	return 0;
}

int ddi_p384_public_raw(DDI_PKEY *k, uint8_t raw[DDI_P384_RAW_PUB_LEN])
{
	uint8_t pt[DDI_P384_POINT_LEN];

	if (ddi_p384_public_point(k, pt))
		return -1;
	ddi_reverse(raw, pt + 1, DDI_P384_LEN);
	ddi_reverse(raw + DDI_P384_LEN, pt + 1 + DDI_P384_LEN, DDI_P384_LEN);
	return 0;
}

uint32_t ddi_p384_from_raw(const uint8_t *raw, size_t len, DDI_PKEY **out)
{
	uint8_t pt[DDI_P384_POINT_LEN];

	*out = NULL;
	if (!raw || len < DDI_P384_RAW_PUB_LEN)
		return AZIHSM_DDI_STATUS_ECC_DER_KEY_SHORTER_THAN_CURVE;
	pt[0] = POINT_CONVERSION_UNCOMPRESSED;
	ddi_reverse(pt + 1, raw, DDI_P384_LEN);
	ddi_reverse(pt + 1 + DDI_P384_LEN, raw + DDI_P384_LEN, DDI_P384_LEN);
	/* Big-endian byte strings of equal length compare as integers. */
	if (memcmp(pt + 1, p384_prime, DDI_P384_LEN) >= 0 ||
	    memcmp(pt + 1 + DDI_P384_LEN, p384_prime, DDI_P384_LEN) >= 0)
		return AZIHSM_DDI_STATUS_ECC_PUBLIC_KEY_VALIDATION_FAILED;
	/* OpenSSL refuses to decode a point that is not on the curve. */
	*out = p384_from_params(pt, NULL);
	return *out ? AZIHSM_DDI_STATUS_SUCCESS :
		      AZIHSM_DDI_STATUS_ECC_POINT_VALIDATION_FAILED;
}

int ddi_ecdh_p384(DDI_PKEY *priv, DDI_PKEY *peer, uint8_t z[DDI_P384_LEN])
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, priv, NULL);
	size_t len = DDI_P384_LEN;
	int ret = -1;

	if (ctx && EVP_PKEY_derive_init(ctx) > 0 &&
	    EVP_PKEY_derive_set_peer(ctx, peer) > 0 &&
	    EVP_PKEY_derive(ctx, z, &len) > 0 && len == DDI_P384_LEN)
		ret = 0;
	EVP_PKEY_CTX_free(ctx);
	return ret;
}

int ddi_p384_sign_raw(DDI_PKEY *k, const uint8_t *msg, size_t len,
		      uint8_t sig[DDI_P384_RAW_SIG_LEN])
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	unsigned char der[128];
	const unsigned char *p = der;
	size_t der_len = sizeof(der);
	ECDSA_SIG *es = NULL;
	int ret = -1;

	if (!md || EVP_DigestSignInit_ex(md, NULL, "SHA384", NULL, NULL, k, NULL) <= 0 ||
	    EVP_DigestSign(md, der, &der_len, msg, len) <= 0)
		goto out;
	es = d2i_ECDSA_SIG(NULL, &p, (long)der_len);
	if (es &&
	    BN_bn2lebinpad(ECDSA_SIG_get0_r(es), sig, DDI_P384_LEN) == DDI_P384_LEN &&
	    BN_bn2lebinpad(ECDSA_SIG_get0_s(es), sig + DDI_P384_LEN,
			   DDI_P384_LEN) == DDI_P384_LEN)
		ret = 0;
out:
	ECDSA_SIG_free(es);
	EVP_MD_CTX_free(md);
	return ret;
}

bool ddi_p384_verify_raw(DDI_PKEY *pub, const uint8_t *msg, size_t len,
			 const uint8_t *sig, size_t sig_len)
{
	EVP_MD_CTX *md = NULL;
	ECDSA_SIG *es = NULL;
	BIGNUM *r = NULL, *s = NULL;
	unsigned char *der = NULL;
	int der_len;
	bool ok = false;

	if (!pub || !sig || sig_len != DDI_P384_RAW_SIG_LEN)
		return false;
	r = BN_lebin2bn(sig, DDI_P384_LEN, NULL);
	s = BN_lebin2bn(sig + DDI_P384_LEN, DDI_P384_LEN, NULL);
	es = ECDSA_SIG_new();
	if (!r || !s || !es || !ECDSA_SIG_set0(es, r, s))
		goto out;
	r = s = NULL;		/* owned by es now */
	der_len = i2d_ECDSA_SIG(es, &der);
	md = EVP_MD_CTX_new();
	if (der_len > 0 && md &&
	    EVP_DigestVerifyInit_ex(md, NULL, "SHA384", NULL, NULL, pub, NULL) > 0)
		ok = EVP_DigestVerify(md, der, (size_t)der_len, msg, len) == 1;
out:
	EVP_MD_CTX_free(md);
	OPENSSL_free(der);
	ECDSA_SIG_free(es);
	BN_free(r);
	BN_free(s);
	return ok;
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

int ddi_hkdf_sha384(const uint8_t *ikm, size_t ikm_len, const uint8_t *info,
		    size_t info_len, uint8_t *out, size_t out_len)
{
	EVP_KDF *kdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
	EVP_KDF_CTX *ctx = kdf ? EVP_KDF_CTX_new(kdf) : NULL;
	OSSL_PARAM params[4];
	int ret = -1;

	/* No salt: RFC 5869 then uses HashLen zero bytes, as 7.2 asks. */
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST,
						     (char *)"SHA384", 0);
	params[1] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY,
						      (void *)ikm, ikm_len);
	params[2] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO,
						      (void *)info, info_len);
	params[3] = OSSL_PARAM_construct_end();
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
	/* [i]32 || Label || 0x00 || Context || [L*8]32 */
	uint8_t msg[4 + DDI_KBKDF_MAX_LABEL + 1 + DDI_KBKDF_MAX_CONTEXT + 4];
	uint8_t block[DDI_SHA384_LEN];
	uint32_t bits, i;
	size_t pos, done;
	int ret = 0;

	if (label_len > DDI_KBKDF_MAX_LABEL || context_len > DDI_KBKDF_MAX_CONTEXT ||
	    !out_len || out_len > 255 * DDI_SHA384_LEN)
		return -1;
	bits = (uint32_t)out_len * 8;
	pos = 4;
	if (label_len)
		memcpy(msg + pos, label, label_len);
	pos += label_len;
	msg[pos++] = 0;
	if (context_len)
		memcpy(msg + pos, context, context_len);
	pos += context_len;
	msg[pos++] = (uint8_t)(bits >> 24);
	msg[pos++] = (uint8_t)(bits >> 16);
	msg[pos++] = (uint8_t)(bits >> 8);
	msg[pos++] = (uint8_t)bits;
	for (i = 1, done = 0; done < out_len && !ret; i++) {
		size_t n = out_len - done < sizeof(block) ? out_len - done : sizeof(block);

		msg[0] = (uint8_t)(i >> 24);
		msg[1] = (uint8_t)(i >> 16);
		msg[2] = (uint8_t)(i >> 8);
		msg[3] = (uint8_t)i;
		ret = ddi_hmac_sha384(key, key_len, msg, pos, block);
		memcpy(out + done, block, n);
		done += n;
	}
	OPENSSL_cleanse(block, sizeof(block));
	return ret;
}

int ddi_aes256_cbc(bool encrypt, const uint8_t key[32], const uint8_t iv[16],
		   const uint8_t *in, size_t len, uint8_t *out)
{
	EVP_CIPHER_CTX *ctx;
	int n, ret = -1;

	if (len % 16 || len > (size_t)INT_MAX)
		return -1;
	ctx = EVP_CIPHER_CTX_new();
	if (ctx && EVP_CipherInit_ex2(ctx, EVP_aes_256_cbc(), key, iv, encrypt, NULL) &&
	    EVP_CIPHER_CTX_set_padding(ctx, 0) &&
	    EVP_CipherUpdate(ctx, out, &n, in, (int)len) && (size_t)n == len)
		ret = 0;
	EVP_CIPHER_CTX_free(ctx);
	return ret;
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
