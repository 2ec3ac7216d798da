// SPDX-License-Identifier: MIT
/*
 * RSA and key import (spec/ddi.md 3.6, 7.8): the unwrapping key, the
 * host half of RsaUnwrap's wrapping (7.8.2), and RSA signatures and
 * decryption whose padding is made and checked here around the device's
 * raw private-key operation RsaModExp (3.6.1, 7.10).
 *
 * The PKCS#1 padding primitives of OpenSSL are deprecated in 3.0 only in
 * favour of EVP operations that need the private key, which lives in the
 * device; they remain the reviewed, constant-time implementations, so
 * they are used here rather than re-implemented.
 */
#define OPENSSL_SUPPRESS_DEPRECATED

#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/param_build.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "lib_internal.h"

#define RSA_E_LEN	4
#define RSA_MAX		DDI_RSA_MAX_BYTES
#define KEK_LEN		32		/* the SDK's default AES-256 KEK */

static bool is_rsa_type(uint32_t type)
{
	return type >= AZIHSM_KEY_RSA_2048 && type <= AZIHSM_KEY_RSA_4096_CRT;
}

static const EVP_MD *hash_md(uint32_t hash)
{
	switch (hash) {
	case AZIHSM_HASH_SHA1:
		return EVP_sha1();
	case AZIHSM_HASH_SHA256:
		return EVP_sha256();
	case AZIHSM_HASH_SHA384:
		return EVP_sha384();
	case AZIHSM_HASH_SHA512:
		return EVP_sha512();
	default:
		return NULL;
	}
}

/* The raw public key n_le || e_le (7.1.2) as an OpenSSL key. */
static EVP_PKEY *pub_from_raw(const uint8_t *raw, size_t len)
{
	size_t mlen = len - RSA_E_LEN;
	BIGNUM *n = NULL, *e = NULL;
	OSSL_PARAM_BLD *bld = NULL;
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *k = NULL;

	if (len != 256 + RSA_E_LEN && len != 384 + RSA_E_LEN && len != 512 + RSA_E_LEN)
		return NULL;
	n = BN_lebin2bn(raw, (int)mlen, NULL);
	e = BN_lebin2bn(raw + mlen, RSA_E_LEN, NULL);
	bld = OSSL_PARAM_BLD_new();
	if (!n || !e || !bld || !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e))
		goto out;
	params = OSSL_PARAM_BLD_to_param(bld);
	ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
	if (!params || !ctx || EVP_PKEY_fromdata_init(ctx) <= 0 ||
	    EVP_PKEY_fromdata(ctx, &k, EVP_PKEY_PUBLIC_KEY, params) <= 0)
		k = NULL;
out:
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	BN_free(n);
	BN_free(e);
	/* The modulus must really be that long (no leading zero bytes). */
	if (k && (size_t)EVP_PKEY_get_size(k) != mlen) {
		EVP_PKEY_free(k);
		k = NULL;
	}
	return k;
}

/* The device's PublicKey of an RSA key as an OpenSSL key, or NULL. */
static EVP_PKEY *pub_from_wire(uint32_t kind, const uint8_t *wire, size_t len)
{
	const unsigned char *p = wire;
	EVP_PKEY *k;

	if (kind != AZIHSM_DEVICE_KIND_VIRTUAL)
		return pub_from_raw(wire, len);
	k = d2i_PUBKEY(NULL, &p, (long)len);
	if (k && (p != wire + len || !EVP_PKEY_is_a(k, "RSA"))) {
		EVP_PKEY_free(k);
		k = NULL;
	}
	return k;
}

int lib_rsa_pub_from_wire(uint32_t kind, const uint8_t *wire, size_t len,
			  uint8_t **spki, size_t *spki_len)
{
	EVP_PKEY *k = pub_from_wire(kind, wire, len);
	unsigned char *der = NULL;
	int n, ret = AZIHSM_ERR_MALFORMED;

	if (!k)
		return ret;
	n = i2d_PUBKEY(k, &der);
	if (n > 0) {
		*spki = malloc((size_t)n);
		ret = *spki ? AZIHSM_OK : AZIHSM_ERR_NO_MEMORY;
		if (*spki) {
			memcpy(*spki, der, (size_t)n);
			*spki_len = (size_t)n;
		}
	}
	OPENSSL_free(der);
	EVP_PKEY_free(k);
	return ret;
}

static EVP_PKEY *pub_from_spki(const uint8_t *spki, size_t len)
{
	const unsigned char *p = spki;

	return d2i_PUBKEY(NULL, &p, (long)len);
}

int lib_rsa_pub_encode(const uint8_t *spki, size_t spki_len, enum azihsm_pubkey_format fmt,
		       uint8_t *buf, size_t cap, size_t *len)
{
	EVP_PKEY *k;
	int ret;

	switch (fmt) {
	case AZIHSM_PUBKEY_DER:
		*len = spki_len;
		if (spki_len > cap)
			return AZIHSM_ERR_BUFFER_TOO_SMALL;
		memcpy(buf, spki, spki_len);
		return AZIHSM_OK;
	case AZIHSM_PUBKEY_PEM:
		k = pub_from_spki(spki, spki_len);
		ret = lib_pkey_to_pem(k, buf, cap, len);
		EVP_PKEY_free(k);
		return ret;
	case AZIHSM_PUBKEY_POINT:
		return AZIHSM_ERR_KEY_TYPE;	/* no point: not an ECC key */
	}
	return AZIHSM_ERR_INVALID_ARG;
}

/* ---- The unwrapping key and wrapping (7.8.2) ---- */

/* GetUnwrappingKey: its id and public key (caller frees). */
static int unwrapping_key_locked(struct azihsm_dev *dev, uint32_t kind, uint16_t *id,
				 EVP_PKEY **pub)
{
	struct ddi_get_unwrapping_key_resp resp;
	struct lib_ddi_call call = {
		.op = AZIHSM_DDI_OP_GET_UNWRAPPING_KEY,
		.resp_schema = &ddi_get_unwrapping_key_resp_schema,
		.resp = &resp,
	};
	int ret;

	ret = lib_key_call_locked(dev, &call);
	if (ret)
		return ret;
	*pub = pub_from_wire(kind, resp.pub_key.der.ptr, resp.pub_key.der.len);
	/* The scheme is fixed to a 2048-bit unwrapping key (7.8.1). */
	if (!*pub || EVP_PKEY_get_size(*pub) != DDI_RSA_UNWRAP_CT_LEN) {
		EVP_PKEY_free(*pub);
		*pub = NULL;
		return lib_err_set(AZIHSM_ERR_MALFORMED);
	}
	*id = resp.key_id;
	return AZIHSM_OK;
}

/* RFC 5649 wrap of data under kek into out; the length, or 0. */
static size_t kwp_wrap(const uint8_t kek[KEK_LEN], const uint8_t *data, size_t len,
		       uint8_t *out)
{
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	int n = 0, fin = 0;
	size_t ret = 0;

	if (!ctx)
		return 0;
	EVP_CIPHER_CTX_set_flags(ctx, EVP_CIPHER_CTX_FLAG_WRAP_ALLOW);
	if (EVP_EncryptInit_ex(ctx, EVP_aes_256_wrap_pad(), NULL, kek, NULL) > 0 &&
	    EVP_EncryptUpdate(ctx, out, &n, data, (int)len) > 0 &&
	    EVP_EncryptFinal_ex(ctx, out + n, &fin) > 0)
		ret = (size_t)n + (size_t)fin;
	EVP_CIPHER_CTX_free(ctx);
	return ret;
}

/* RSA-OAEP-SHA-256 (MGF1-SHA-256, empty label) of kek; big-endian. */
static bool oaep_encrypt(EVP_PKEY *pub, const uint8_t kek[KEK_LEN],
			 uint8_t ct[DDI_RSA_UNWRAP_CT_LEN])
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(pub, NULL);
	size_t len = DDI_RSA_UNWRAP_CT_LEN;
	bool ok;

	ok = ctx && EVP_PKEY_encrypt_init(ctx) > 0 &&
	     EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_OAEP_PADDING) > 0 &&
	     EVP_PKEY_CTX_set_rsa_oaep_md(ctx, EVP_sha256()) > 0 &&
	     EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, EVP_sha256()) > 0 &&
	     EVP_PKEY_encrypt(ctx, ct, &len, kek, KEK_LEN) > 0 &&
	     len == DDI_RSA_UNWRAP_CT_LEN;
	EVP_PKEY_CTX_free(ctx);
	return ok;
}

int lib_rsa_wrap_locked(struct azihsm_dev *dev, uint32_t kind, const uint8_t *data,
			size_t len, struct ddi_rsa_unwrap_req *req, uint8_t *blob)
{
	uint8_t kek[KEK_LEN], ct[DDI_RSA_UNWRAP_CT_LEN];
	EVP_PKEY *pub = NULL;
	size_t w_len = 0;
	int ret;

	ret = unwrapping_key_locked(dev, kind, &req->key_id, &pub);
	if (ret)
		return ret;
	ret = AZIHSM_ERR_NO_MEMORY;
	if (RAND_bytes(kek, sizeof(kek)) == 1 && oaep_encrypt(pub, kek, ct))
		w_len = kwp_wrap(kek, data, len, blob + DDI_RSA_UNWRAP_CT_LEN);
	OPENSSL_cleanse(kek, sizeof(kek));
	EVP_PKEY_free(pub);
	if (!w_len || DDI_RSA_UNWRAP_CT_LEN + w_len > DDI_MASKED_KEY_MAX)
		return lib_err_set(w_len ? AZIHSM_ERR_INVALID_ARG : ret);
	/* The physical device takes the RSA part little-endian (7.1.3). */
	if (kind == AZIHSM_DEVICE_KIND_VIRTUAL)
		memcpy(blob, ct, sizeof(ct));
	else
		ddi_reverse(blob, ct, sizeof(ct));
	req->wrapped_blob = (struct mbor_bytes){ blob,
						 (uint16_t)(DDI_RSA_UNWRAP_CT_LEN + w_len) };
	req->padding = DDI_RSA_PADDING_OAEP;
	req->hash_algorithm = DDI_HASH_SHA256;
	return AZIHSM_OK;
}

int azihsm_unwrapping_key(struct azihsm_session *sess, uint8_t *der, size_t cap,
			  size_t *len)
{
	struct azihsm_dev *dev;
	EVP_PKEY *pub = NULL;
	unsigned char *out = NULL;
	uint32_t kind;
	uint16_t id;
	int n, ret;

	lib_err_reset();
	if (!sess || !len || (cap && !der))
		return lib_err_set(AZIHSM_ERR_INVALID_ARG);
	dev = lib_session_dev(sess);
	ret = lib_dev_kind(dev, &kind);
	if (ret)
		return ret;
	pthread_mutex_lock(&dev->lock);
	ret = unwrapping_key_locked(dev, kind, &id, &pub);
	pthread_mutex_unlock(&dev->lock);
	if (ret)
		return ret;
	n = i2d_PUBKEY(pub, &out);
	EVP_PKEY_free(pub);
	if (n <= 0)
		return lib_err_set(AZIHSM_ERR_NO_MEMORY);
	*len = (size_t)n;
	ret = (size_t)n > cap ? AZIHSM_ERR_BUFFER_TOO_SMALL : AZIHSM_OK;
	if (!ret)
		memcpy(der, out, (size_t)n);
	OPENSSL_free(out);
	return lib_err_set(ret);
}

/* ---- RsaModExp with host padding ---- */

/* Start of an RSA key operation: the key's public half (caller frees). */
static int rsa_start(const struct azihsm_key *key, EVP_PKEY **pub, size_t *mlen)
{
	lib_err_reset();
	if (!key)
		return lib_err_set(AZIHSM_ERR_INVALID_ARG);
	if (!is_rsa_type(key->type) || !key->rsa_spki)
		return lib_err_set(AZIHSM_ERR_KEY_TYPE);
	*pub = pub_from_spki(key->rsa_spki, key->rsa_spki_len);
	if (!*pub)
		return lib_err_set(AZIHSM_ERR_NO_MEMORY);
	*mlen = (size_t)EVP_PKEY_get_size(*pub);
	return AZIHSM_OK;
}

/* y^d mod n on the device; y and x big-endian over mlen. */
static int mod_exp(struct azihsm_key *key, uint32_t op, const uint8_t *y, size_t mlen,
		   uint8_t *x)
{
	uint8_t wire[RSA_MAX];
	struct ddi_rsa_mod_exp_req req = {
		.key_id = key->id,
		.y = { y, (uint16_t)mlen },
		.op_type = op,
	};
	struct ddi_rsa_mod_exp_resp resp;
	uint32_t kind;
	int ret;

	ret = lib_dev_kind(key->dev, &kind);
	if (ret)
		return ret;
	if (kind != AZIHSM_DEVICE_KIND_VIRTUAL) {
		ddi_reverse(wire, y, mlen);
		req.y.ptr = wire;
	}
	pthread_mutex_lock(&key->dev->lock);
	ret = lib_key_op_locked(key->dev, AZIHSM_DDI_OP_RSA_MOD_EXP, &req, &resp);
	if (!ret && resp.x.len != mlen)
		ret = lib_err_set(AZIHSM_ERR_MALFORMED);
	if (!ret) {
		if (kind != AZIHSM_DEVICE_KIND_VIRTUAL)
			ddi_reverse(x, resp.x.ptr, mlen);
		else
			memcpy(x, resp.x.ptr, mlen);
	}
	/* The response buffer held a plaintext: do not leave it there. */
	OPENSSL_cleanse(key->dev->resp_buf, sizeof(key->dev->resp_buf));
	pthread_mutex_unlock(&key->dev->lock);
	return ret;
}

/* PKCS#1 v1.5 DigestInfo of the digest (RFC 8017 9.2); its length or 0. */
static size_t digest_info(const EVP_MD *md, const uint8_t *digest, size_t len,
			  uint8_t *out, size_t cap)
{
	X509_SIG *sig = X509_SIG_new();
	X509_ALGOR *alg;
	ASN1_OCTET_STRING *os;
	unsigned char *der = NULL;
	int n = 0;

	if (!sig)
		return 0;
	X509_SIG_getm(sig, &alg, &os);
	if (X509_ALGOR_set0(alg, OBJ_nid2obj(EVP_MD_get_type(md)), V_ASN1_NULL, NULL) &&
	    ASN1_OCTET_STRING_set(os, digest, (int)len))
		n = i2d_X509_SIG(sig, &der);
	X509_SIG_free(sig);
	if (n <= 0 || (size_t)n > cap) {
		OPENSSL_free(der);
		return 0;
	}
	memcpy(out, der, (size_t)n);
	OPENSSL_free(der);
	return (size_t)n;
}

int azihsm_rsa_sign(struct azihsm_key *key, enum azihsm_hash hash, const uint8_t *digest,
		    size_t digest_len, enum azihsm_rsa_padding pad, uint8_t *sig, size_t cap,
		    size_t *sig_len)
{
	const EVP_MD *md = hash_md(hash);
	uint8_t em[RSA_MAX], di[128];
	EVP_PKEY *pub = NULL;
	size_t mlen, di_len;
	int ret, ok;

	ret = rsa_start(key, &pub, &mlen);
	if (ret)
		return ret;
	if (!md || !digest || digest_len != (size_t)EVP_MD_get_size(md) || !sig_len ||
	    (cap && !sig) || (pad != AZIHSM_RSA_PKCS1_V15 && pad != AZIHSM_RSA_PSS)) {
		ret = lib_err_set(AZIHSM_ERR_INVALID_ARG);
		goto out;
	}
	*sig_len = mlen;
	if (cap < mlen) {
		ret = lib_err_set(AZIHSM_ERR_BUFFER_TOO_SMALL);
		goto out;
	}
	if (pad == AZIHSM_RSA_PKCS1_V15) {
		di_len = digest_info(md, digest, digest_len, di, sizeof(di));
		ok = di_len && RSA_padding_add_PKCS1_type_1(em, (int)mlen, di, (int)di_len);
	} else {
		/* Salt as long as the hash (RSA_PSS_SALTLEN_DIGEST). */
		RSA *rsa = EVP_PKEY_get1_RSA(pub);

		ok = rsa && RSA_padding_add_PKCS1_PSS_mgf1(rsa, em, digest, md, md, -1);
		RSA_free(rsa);
	}
	ret = ok ? mod_exp(key, DDI_RSA_OP_SIGN, em, mlen, sig) :
		   lib_err_set(AZIHSM_ERR_INVALID_ARG);
out:
	EVP_PKEY_free(pub);
	return ret;
}

/*
 * The big-endian ct of mlen bytes against n: INVALID_ARG if it is not
 * below n; BAD_PADDING for 0, 1 and n - 1, which RsaModExp refuses
 * (3.6.1) and which are no padded message either; else OK.
 */
static int ct_range(EVP_PKEY *pub, const uint8_t *ct, size_t mlen)
{
	BIGNUM *n = NULL, *c = BN_bin2bn(ct, (int)mlen, NULL);
	int ret = AZIHSM_ERR_NO_MEMORY;

	if (c && EVP_PKEY_get_bn_param(pub, OSSL_PKEY_PARAM_RSA_N, &n)) {
		ret = AZIHSM_ERR_INVALID_ARG;
		if (BN_cmp(c, n) < 0)
			ret = BN_cmp(c, BN_value_one()) <= 0 || !BN_sub_word(n, 1) ||
			      !BN_cmp(c, n) ? AZIHSM_ERR_BAD_PADDING : AZIHSM_OK;
	}
	BN_free(c);
	BN_free(n);
	return ret;
}

int azihsm_rsa_decrypt(struct azihsm_key *key, enum azihsm_rsa_padding pad,
		       enum azihsm_hash hash, const uint8_t *ct, size_t ct_len, uint8_t *out,
		       size_t cap, size_t *out_len)
{
	const EVP_MD *md = hash_md(hash);
	uint8_t em[RSA_MAX], msg[RSA_MAX];
	EVP_PKEY *pub = NULL;
	size_t mlen;
	int ret, n;

	ret = rsa_start(key, &pub, &mlen);
	if (ret)
		return ret;
	if (!ct || ct_len != mlen || !out_len || (cap && !out) ||
	    (pad == AZIHSM_RSA_OAEP ? !md : pad != AZIHSM_RSA_PKCS1_V15)) {
		ret = lib_err_set(AZIHSM_ERR_INVALID_ARG);
		goto out;
	}
	ret = ct_range(pub, ct, mlen);
	ret = ret ? lib_err_set(ret) : mod_exp(key, DDI_RSA_OP_DECRYPT, ct, mlen, em);
	if (ret)
		goto out;
	/* Both checks run in constant time and fail alike (no oracle). */
	if (pad == AZIHSM_RSA_OAEP)
		n = RSA_padding_check_PKCS1_OAEP_mgf1(msg, (int)mlen, em, (int)mlen, (int)mlen,
						      NULL, 0, md, md);
	else
		n = RSA_padding_check_PKCS1_type_2(msg, (int)mlen, em, (int)mlen, (int)mlen);
	ret = AZIHSM_ERR_BAD_PADDING;
	if (n >= 0) {
		*out_len = (size_t)n;
		ret = (size_t)n > cap ? AZIHSM_ERR_BUFFER_TOO_SMALL : AZIHSM_OK;
		if (!ret)
			memcpy(out, msg, (size_t)n);
	}
	ret = lib_err_set(ret);
	OPENSSL_cleanse(msg, sizeof(msg));
	OPENSSL_cleanse(em, sizeof(em));
out:
	EVP_PKEY_free(pub);
	return ret;
}
