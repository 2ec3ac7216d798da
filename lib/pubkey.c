// SPDX-License-Identifier: MIT
/*
 * Encodings of ECC public keys and ECDSA signatures: the device's wire
 * forms (spec/ddi.md 7.1: raw little-endian over the PKA width on a
 * physical device, DER SubjectPublicKeyInfo and big-endian on a virtual
 * one) and the forms the API hands out (SPKI DER/PEM, uncompressed point,
 * r || s, ECDSA-Sig-Value).
 */
#include <string.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "lib_internal.h"

static size_t point_len(const struct ddi_ecc_curve_info *c)
{
	return 1 + 2 * c->len;
}

/* A DER SPKI on curve c, as its point; INVALID_KEY otherwise. */
static int spki_to_point(const struct ddi_ecc_curve_info *c, const uint8_t *der,
			 size_t len, uint8_t *point)
{
	uint8_t raw[2 * DDI_ECC_MAX_PKA];

	/* The shared parser does not check that the point is on the curve:
	 * the device does, and says so (EcdhKeyExchange, 3.7.3). */
	if (ddi_ecc_spki_to_raw(c, der, len, raw) != DDI_SPKI_OK)
		return AZIHSM_ERR_INVALID_KEY;
	ddi_ecc_raw_to_point(c, raw, point);
	return AZIHSM_OK;
}

int lib_pub_from_wire(uint32_t kind, const struct ddi_ecc_curve_info *c,
		      const uint8_t *wire, size_t len, uint8_t *point)
{
	DDI_PKEY *k = NULL;

	if (kind == AZIHSM_DEVICE_KIND_VIRTUAL)
		return spki_to_point(c, wire, len, point) ? AZIHSM_ERR_MALFORMED :
							    AZIHSM_OK;
	/* A key the device made must be a valid point of its curve. */
	if (len != 2 * c->pka || ddi_ecc_from_raw(c, wire, len, &k))
		return AZIHSM_ERR_MALFORMED;
	ddi_pkey_free(k);
	ddi_ecc_raw_to_point(c, wire, point);
	return AZIHSM_OK;
}

/* An EVP_PKEY holding the public point, or NULL (not on the curve). */
static EVP_PKEY *pkey_from_point(const struct ddi_ecc_curve_info *c,
				 const uint8_t *point)
{
	OSSL_PARAM params[] = {
		OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME,
				       (char *)c->name, 0),
		OSSL_PARAM_octet_string(OSSL_PKEY_PARAM_PUB_KEY, (void *)point,
					point_len(c)),
		OSSL_PARAM_END,
	};
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
	EVP_PKEY *k = NULL;

	if (!ctx || EVP_PKEY_fromdata_init(ctx) <= 0 ||
	    EVP_PKEY_fromdata(ctx, &k, EVP_PKEY_PUBLIC_KEY, params) <= 0)
		k = NULL;
	EVP_PKEY_CTX_free(ctx);
	return k;
}

/* DER SPKI of the point into buf (cap bytes); -1 if it does not fit. */
static int point_to_spki(const struct ddi_ecc_curve_info *c, const uint8_t *point,
			 uint8_t *buf, size_t cap, size_t *len, int *status)
{
	EVP_PKEY *k = pkey_from_point(c, point);
	unsigned char *p = buf;
	int n;

	*status = AZIHSM_ERR_INVALID_KEY;
	if (!k)
		return -1;
	n = i2d_PUBKEY(k, NULL);
	*status = AZIHSM_ERR_NO_MEMORY;
	if (n > 0) {
		*len = (size_t)n;
		*status = AZIHSM_ERR_BUFFER_TOO_SMALL;
		if ((size_t)n <= cap && i2d_PUBKEY(k, &p) == n)
			*status = AZIHSM_OK;
	}
	EVP_PKEY_free(k);
	return *status ? -1 : 0;
}

int lib_pub_to_wire(uint32_t kind, const struct ddi_ecc_curve_info *c,
		    const uint8_t *point, uint8_t *wire, size_t *len)
{
	int status;

	if (kind == AZIHSM_DEVICE_KIND_VIRTUAL) {
		/* OpenSSL refuses points off the curve: INVALID_KEY here
		 * rather than from the device. */
		point_to_spki(c, point, wire, DDI_ECDH_PUB_MAX, len, &status);
		return status == AZIHSM_ERR_BUFFER_TOO_SMALL ?
		       AZIHSM_ERR_INVALID_KEY : status;
	}
	ddi_ecc_point_to_raw(c, point, wire);
	*len = 2 * c->pka;
	return AZIHSM_OK;
}

int lib_peer_parse(const struct ddi_ecc_curve_info *c, const uint8_t *peer,
		   size_t len, uint8_t *point)
{
	if (len == point_len(c) && peer[0] == 0x04) {
		memcpy(point, peer, len);
		return AZIHSM_OK;
	}
	return spki_to_point(c, peer, len, point);
}

/* Copy n bytes to buf if they fit; *len = n either way. */
static int put_out(const void *src, size_t n, uint8_t *buf, size_t cap,
		   size_t *len)
{
	*len = n;
	if (n > cap)
		return AZIHSM_ERR_BUFFER_TOO_SMALL;
	memcpy(buf, src, n);
	return AZIHSM_OK;
}

static int point_to_pem(const struct ddi_ecc_curve_info *c, const uint8_t *point,
			uint8_t *buf, size_t cap, size_t *len)
{
	EVP_PKEY *k = pkey_from_point(c, point);
	int ret = lib_pkey_to_pem(k, buf, cap, len);

	EVP_PKEY_free(k);
	return ret;
}

int lib_pkey_to_pem(DDI_PKEY *k, uint8_t *buf, size_t cap, size_t *len)
{
	BIO *bio = BIO_new(BIO_s_mem());
	char *text;
	long n;
	int ret = AZIHSM_ERR_NO_MEMORY;

	if (k && bio && PEM_write_bio_PUBKEY(bio, k)) {
		n = BIO_get_mem_data(bio, &text);
		*len = (size_t)n;
		ret = AZIHSM_ERR_BUFFER_TOO_SMALL;
		/* The NUL must fit too; *len does not count it. */
		if (n > 0 && (size_t)n < cap) {
			memcpy(buf, text, (size_t)n);
			buf[n] = '\0';
			ret = AZIHSM_OK;
		}
	} else if (!k) {
		ret = AZIHSM_ERR_MALFORMED;
	}
	BIO_free(bio);
	return ret;
}

int lib_pub_encode(const struct ddi_ecc_curve_info *c, const uint8_t *point,
		   enum azihsm_pubkey_format fmt, uint8_t *buf, size_t cap,
		   size_t *len)
{
	int status;

	switch (fmt) {
	case AZIHSM_PUBKEY_POINT:
		return put_out(point, point_len(c), buf, cap, len);
	case AZIHSM_PUBKEY_DER:
		point_to_spki(c, point, buf, cap, len, &status);
		/* The point came from the device and was checked then. */
		return status == AZIHSM_ERR_INVALID_KEY ? AZIHSM_ERR_MALFORMED :
							  status;
	case AZIHSM_PUBKEY_PEM:
		return point_to_pem(c, point, buf, cap, len);
	}
	return AZIHSM_ERR_INVALID_ARG;
}

int lib_sig_from_wire(uint32_t kind, const struct ddi_ecc_curve_info *c,
		      const uint8_t *wire, size_t len, uint8_t *rs)
{
	size_t half, i, j;

	if (kind == AZIHSM_DEVICE_KIND_VIRTUAL) {
		if (len != 2 * c->len)
			return AZIHSM_ERR_MALFORMED;
		memcpy(rs, wire, len);
		return AZIHSM_OK;
	}
	if (len != 2 * c->pka)
		return AZIHSM_ERR_MALFORMED;
	for (half = 0; half < 2; half++) {
		const uint8_t *h = wire + half * c->pka;

		/* P-521's two padding bytes are the most significant ones. */
		for (j = c->len; j < c->pka; j++)
			if (h[j])
				return AZIHSM_ERR_MALFORMED;
		for (i = 0; i < c->len; i++)
			rs[half * c->len + i] = h[c->len - 1 - i];
	}
	return AZIHSM_OK;
}

/* r || s as an ECDSA-Sig-Value; the needed size in *len. */
static int sig_to_der(const struct ddi_ecc_curve_info *c, const uint8_t *rs,
		      uint8_t *buf, size_t cap, size_t *len)
{
	ECDSA_SIG *sig = ECDSA_SIG_new();
	BIGNUM *r = BN_bin2bn(rs, (int)c->len, NULL);
	BIGNUM *s = BN_bin2bn(rs + c->len, (int)c->len, NULL);
	unsigned char *p = buf;
	int n, ret = AZIHSM_ERR_NO_MEMORY;

	if (!sig || !r || !s || !ECDSA_SIG_set0(sig, r, s)) {
		BN_free(r);
		BN_free(s);
		ECDSA_SIG_free(sig);
		return ret;
	}
	n = i2d_ECDSA_SIG(sig, NULL);
	if (n > 0) {
		*len = (size_t)n;
		ret = AZIHSM_ERR_BUFFER_TOO_SMALL;
		if ((size_t)n <= cap && i2d_ECDSA_SIG(sig, &p) == n)
			ret = AZIHSM_OK;
	}
	ECDSA_SIG_free(sig);
	return ret;
}

int lib_sig_encode(const struct ddi_ecc_curve_info *c, const uint8_t *rs,
		   enum azihsm_sig_format fmt, uint8_t *buf, size_t cap,
		   size_t *len)
{
	switch (fmt) {
	case AZIHSM_SIG_RAW:
		return put_out(rs, 2 * c->len, buf, cap, len);
	case AZIHSM_SIG_DER:
		return sig_to_der(c, rs, buf, cap, len);
	}
	return AZIHSM_ERR_INVALID_ARG;
}
