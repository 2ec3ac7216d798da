// SPDX-License-Identifier: MIT
/*
 * ECC on the three DDI curves (spec/ddi.md 4.3, 7.1, 7.10): keys from and
 * to the standard and the physical (raw little-endian, PKA width) forms,
 * ECDSA over a caller-supplied digest, and ECDH.  The P-384 helpers of
 * cred.c are wrappers over these.
 */
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/objects.h>
#include <openssl/param_build.h>

#include "azihsm/ddi.h"
#include "azihsm/ddi_crypto.h"

static const struct ddi_ecc_curve_info ddi_curves[] = {
	{ 1, "P-256", NID_X9_62_prime256v1, 32, 32, 7, 22, 16 },
	{ 2, "P-384", NID_secp384r1, 48, 48, 8, 23, 17 },
	{ 3, "P-521", NID_secp521r1, 66, 68, 9, 24, 18 },
};
#define DDI_CURVE_COUNT	(sizeof(ddi_curves) / sizeof(ddi_curves[0]))

/* An ECDSA signature fits in 2 * (3 + 1 + 66) + 3 bytes of DER. */
#define ECDSA_DER_MAX	160

const struct ddi_ecc_curve_info *ddi_ecc_curve(uint32_t curve)
{
	size_t i;

	for (i = 0; i < DDI_CURVE_COUNT; i++)
		if (ddi_curves[i].curve == curve)
			return &ddi_curves[i];
	return NULL;
}

const struct ddi_ecc_curve_info *ddi_ecc_curve_of_type(uint32_t key_type)
{
	size_t i;

	for (i = 0; i < DDI_CURVE_COUNT; i++)
		if (ddi_curves[i].priv_type == key_type ||
		    ddi_curves[i].pub_type == key_type ||
		    ddi_curves[i].secret_type == key_type)
			return &ddi_curves[i];
	return NULL;
}

const struct ddi_ecc_curve_info *ddi_ecc_curve_of_key(DDI_PKEY *k)
{
	char group[64];
	size_t i, len;
	int nid;

	if (!k || !EVP_PKEY_is_a(k, "EC") ||
	    !EVP_PKEY_get_group_name(k, group, sizeof(group), &len))
		return NULL;
	/* OpenSSL reports the short name ("prime256v1"); accept NIST names too. */
	nid = OBJ_sn2nid(group);
	if (nid == NID_undef)
		nid = EC_curve_nist2nid(group);
	for (i = 0; i < DDI_CURVE_COUNT; i++)
		if (ddi_curves[i].nid == nid)
			return &ddi_curves[i];
	return NULL;
}

DDI_PKEY *ddi_ecc_generate(const struct ddi_ecc_curve_info *c)
{
	return c ? EVP_PKEY_Q_keygen(NULL, NULL, "EC", c->name) : NULL;
}

/* EVP_PKEY from an uncompressed point and, optionally, a private scalar. */
static EVP_PKEY *ecc_from_params(const struct ddi_ecc_curve_info *c,
				 const uint8_t *pt, const BIGNUM *priv)
{
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *k = NULL;

	if (!bld ||
	    !OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME,
					     c->name, 0) ||
	    !OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY,
					      pt, 1 + 2 * c->len) ||
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

/* The key pair of scalar priv; consumes priv (cleared and freed). */
static DDI_PKEY *ecc_from_bn(const struct ddi_ecc_curve_info *c, BIGNUM *priv)
{
	EC_GROUP *group = EC_GROUP_new_by_curve_name(c->nid);
	EC_POINT *pub = group ? EC_POINT_new(group) : NULL;
	uint8_t pt[DDI_ECC_MAX_POINT];
	size_t pt_len = 1 + 2 * c->len;
	EVP_PKEY *k = NULL;

	/* The scalar must lie in [1, n - 1]. */
	if (priv && pub && !BN_is_zero(priv) && !BN_is_negative(priv) &&
	    BN_cmp(priv, EC_GROUP_get0_order(group)) < 0 &&
	    EC_POINT_mul(group, pub, priv, NULL, NULL, NULL) &&
	    EC_POINT_point2oct(group, pub, POINT_CONVERSION_UNCOMPRESSED, pt,
			       pt_len, NULL) == pt_len)
		k = ecc_from_params(c, pt, priv);
	EC_POINT_free(pub);
	BN_clear_free(priv);
	EC_GROUP_free(group);
	return k;
}

DDI_PKEY *ddi_ecc_from_private(const struct ddi_ecc_curve_info *c,
			       const uint8_t *d_be)
{
	if (!c || !d_be)
		return NULL;
	return ecc_from_bn(c, BN_bin2bn(d_be, (int)c->len, NULL));
}

DDI_PKEY *ddi_ecc_from_private_le(const struct ddi_ecc_curve_info *c,
				  const uint8_t *d_le)
{
	if (!c || !d_le)
		return NULL;
	/* Non-zero P-521 padding makes the scalar exceed n: refused below. */
	return ecc_from_bn(c, BN_lebin2bn(d_le, (int)c->pka, NULL));
}

int ddi_ecc_private_le(DDI_PKEY *k, const struct ddi_ecc_curve_info *c,
		       uint8_t *d_le)
{
	BIGNUM *d = NULL;
	int ret = -1;

	if (k && c && EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_PRIV_KEY, &d) &&
	    BN_bn2lebinpad(d, d_le, (int)c->pka) == (int)c->pka)
		ret = 0;
	BN_clear_free(d);
	return ret;
}

int ddi_ecc_public_point(DDI_PKEY *k, const struct ddi_ecc_curve_info *c,
			 uint8_t *pt)
{
	size_t len;

	if (!k || !c ||
	    !EVP_PKEY_get_octet_string_param(k, OSSL_PKEY_PARAM_PUB_KEY, pt,
					     1 + 2 * c->len, &len) ||
	    len != 1 + 2 * c->len || pt[0] != POINT_CONVERSION_UNCOMPRESSED)
		return -1;
	return 0;
}

int ddi_ecc_public_raw(DDI_PKEY *k, const struct ddi_ecc_curve_info *c,
		       uint8_t *raw)
{
	uint8_t pt[DDI_ECC_MAX_POINT];

	if (ddi_ecc_public_point(k, c, pt))
		return -1;
	ddi_ecc_point_to_raw(c, pt, raw);
	return 0;
}

void ddi_ecc_raw_to_point(const struct ddi_ecc_curve_info *c, const uint8_t *raw,
			  uint8_t *pt)
{
	pt[0] = POINT_CONVERSION_UNCOMPRESSED;
	ddi_reverse(pt + 1, raw, c->len);
	ddi_reverse(pt + 1 + c->len, raw + c->pka, c->len);
}

void ddi_ecc_point_to_raw(const struct ddi_ecc_curve_info *c, const uint8_t *pt,
			  uint8_t *raw)
{
	memset(raw, 0, 2 * c->pka);
	ddi_reverse(raw, pt + 1, c->len);
	ddi_reverse(raw + c->pka, pt + 1 + c->len, c->len);
}

/* True if the big-endian coordinate (c->len bytes) is below the field prime. */
static bool ecc_coord_below_p(const struct ddi_ecc_curve_info *c,
			      const uint8_t *be, const BIGNUM *p)
{
	BIGNUM *v = BN_bin2bn(be, (int)c->len, NULL);
	bool ok = v && BN_cmp(v, p) < 0;

	BN_free(v);
	return ok;
}

uint32_t ddi_ecc_from_raw(const struct ddi_ecc_curve_info *c, const uint8_t *raw,
			  size_t len, DDI_PKEY **out)
{
	uint8_t pt[DDI_ECC_MAX_POINT];
	EC_GROUP *group = NULL;
	BIGNUM *p = NULL;
	uint32_t status = AZIHSM_DDI_STATUS_ECC_PUBLIC_KEY_VALIDATION_FAILED;
	size_t i;

	*out = NULL;
	if (!c || !raw || len < 2 * c->pka)
		return AZIHSM_DDI_STATUS_ECC_DER_KEY_SHORTER_THAN_CURVE;
	/* P-521: the 2 bytes above each 66-byte coordinate must be zero. */
	for (i = c->len; i < c->pka; i++)
		if (raw[i] || raw[c->pka + i])
			return status;
	ddi_ecc_raw_to_point(c, raw, pt);
	group = EC_GROUP_new_by_curve_name(c->nid);
	p = BN_new();
	if (!group || !p || !EC_GROUP_get_curve(group, p, NULL, NULL, NULL) ||
	    !ecc_coord_below_p(c, pt + 1, p) ||
	    !ecc_coord_below_p(c, pt + 1 + c->len, p))
		goto out;
	/* OpenSSL refuses to decode a point that is not on the curve. */
	*out = ecc_from_params(c, pt, NULL);
	status = *out ? AZIHSM_DDI_STATUS_SUCCESS :
			AZIHSM_DDI_STATUS_ECC_POINT_VALIDATION_FAILED;
out:
	BN_free(p);
	EC_GROUP_free(group);
	return status;
}

/*
 * ECDSA over a big-endian digest.  Without a message digest set on the
 * context OpenSSL signs the given bytes as the digest, truncating it to
 * the order's bit length as FIPS 186-5 asks.  r and s are returned
 * through the callers' buffers via BN_bn2binpad or BN_bn2lebinpad.
 */
static int ecc_sign_bn(DDI_PKEY *k, const struct ddi_ecc_curve_info *c,
		       const uint8_t *digest, size_t len, uint8_t *sig, bool le)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, k, NULL);
	unsigned char der[ECDSA_DER_MAX];
	const unsigned char *p = der;
	size_t der_len = sizeof(der);
	int width = (int)(le ? c->pka : c->len);
	ECDSA_SIG *es = NULL;
	int ret = -1;

	if (!ctx || !digest || !len || EVP_PKEY_sign_init(ctx) <= 0 ||
	    EVP_PKEY_sign(ctx, der, &der_len, digest, len) <= 0)
		goto out;
	es = d2i_ECDSA_SIG(NULL, &p, (long)der_len);
	if (!es)
		goto out;
	if (le ? BN_bn2lebinpad(ECDSA_SIG_get0_r(es), sig, width) == width &&
		 BN_bn2lebinpad(ECDSA_SIG_get0_s(es), sig + width, width) == width :
		 BN_bn2binpad(ECDSA_SIG_get0_r(es), sig, width) == width &&
		 BN_bn2binpad(ECDSA_SIG_get0_s(es), sig + width, width) == width)
		ret = 0;
out:
	ECDSA_SIG_free(es);
	EVP_PKEY_CTX_free(ctx);
	return ret;
}

int ddi_ecc_sign(DDI_PKEY *k, const struct ddi_ecc_curve_info *c,
		 const uint8_t *digest, size_t len, uint8_t *sig)
{
	return c ? ecc_sign_bn(k, c, digest, len, sig, false) : -1;
}

int ddi_ecc_sign_raw(DDI_PKEY *k, const struct ddi_ecc_curve_info *c,
		     const uint8_t *digest, size_t len, uint8_t *sig)
{
	return c ? ecc_sign_bn(k, c, digest, len, sig, true) : -1;
}

bool ddi_ecc_verify(DDI_PKEY *pub, const struct ddi_ecc_curve_info *c,
		    const uint8_t *digest, size_t len, const uint8_t *sig)
{
	EVP_PKEY_CTX *ctx = NULL;
	ECDSA_SIG *es = NULL;
	BIGNUM *r = NULL, *s = NULL;
	unsigned char *der = NULL;
	int der_len;
	bool ok = false;

	if (!pub || !c || !sig || !digest || !len)
		return false;
	r = BN_bin2bn(sig, (int)c->len, NULL);
	s = BN_bin2bn(sig + c->len, (int)c->len, NULL);
	es = ECDSA_SIG_new();
	if (!r || !s || !es || !ECDSA_SIG_set0(es, r, s))
		goto out;
	r = s = NULL;		/* owned by es now */
	der_len = i2d_ECDSA_SIG(es, &der);
	ctx = EVP_PKEY_CTX_new_from_pkey(NULL, pub, NULL);
	if (der_len > 0 && ctx && EVP_PKEY_verify_init(ctx) > 0)
		ok = EVP_PKEY_verify(ctx, der, (size_t)der_len, digest, len) == 1;
out:
	EVP_PKEY_CTX_free(ctx);
	OPENSSL_free(der);
	ECDSA_SIG_free(es);
	BN_free(r);
	BN_free(s);
	return ok;
}

int ddi_ecdh(DDI_PKEY *priv, DDI_PKEY *peer, const struct ddi_ecc_curve_info *c,
	     uint8_t *z)
{
	EVP_PKEY_CTX *ctx;
	size_t len;
	int ret = -1;

	if (!priv || !peer || !c)
		return -1;
	len = c->len;
	ctx = EVP_PKEY_CTX_new_from_pkey(NULL, priv, NULL);
	if (ctx && EVP_PKEY_derive_init(ctx) > 0 &&
	    EVP_PKEY_derive_set_peer(ctx, peer) > 0 &&
	    EVP_PKEY_derive(ctx, z, &len) > 0 && len == c->len)
		ret = 0;
	EVP_PKEY_CTX_free(ctx);
	return ret;
}
