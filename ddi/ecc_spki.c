// SPDX-License-Identifier: MIT
/*
 * Host side: a peer's DER SubjectPublicKeyInfo (the form applications and
 * the virtual device use) to the physical device's raw x_le || y_le form
 * for EcdhKeyExchange (ddi.md 7.1.2, 7.1.3).
 *
 * The point is deliberately NOT validated here: whether it lies on the
 * curve is the device's check (3.7.3), and tests must be able to send it
 * invalid points.  Only the envelope is checked: DER structure, algorithm,
 * named curve and point encoding.
 */
#include <limits.h>
#include <string.h>

#include <openssl/ec.h>
#include <openssl/objects.h>
#include <openssl/x509.h>

#include "azihsm/ddi_crypto.h"

/* A compressed point (02/03 || X) to 0x04 || X || Y; only valid x pass. */
static int decompress(const struct ddi_ecc_curve_info *c, const uint8_t *in,
		      size_t len, uint8_t *pt)
{
	EC_GROUP *group = EC_GROUP_new_by_curve_name(c->nid);
	EC_POINT *p = group ? EC_POINT_new(group) : NULL;
	int ret = -1;

	if (p && EC_POINT_oct2point(group, p, in, len, NULL) &&
	    EC_POINT_point2oct(group, p, POINT_CONVERSION_UNCOMPRESSED, pt,
			       1 + 2 * c->len, NULL) == 1 + 2 * c->len)
		ret = 0;
	EC_POINT_free(p);
	EC_GROUP_free(group);
	return ret;
}

int ddi_ecc_spki_to_raw(const struct ddi_ecc_curve_info *c, const uint8_t *der,
			size_t len, uint8_t *raw)
{
	const unsigned char *p = der;
	const unsigned char *key;
	const ASN1_OBJECT *alg, *curve_oid;
	const void *param;
	X509_PUBKEY *spki;
	X509_ALGOR *algor;
	uint8_t pt[DDI_ECC_MAX_POINT];
	int key_len, param_type, ret;

	if (!c || !der || !raw || !len || len > (size_t)LONG_MAX)
		return DDI_SPKI_MALFORMED;
	/*
	 * d2i_X509_PUBKEY keeps the structure even when the key inside does
	 * not decode (an off-curve point), which is what lets us pass it on.
	 */
	spki = d2i_X509_PUBKEY(NULL, &p, (long)len);
	if (!spki)
		return DDI_SPKI_MALFORMED;
	ret = DDI_SPKI_MALFORMED;
	if (p != der + len ||
	    !X509_PUBKEY_get0_param(NULL, &key, &key_len, &algor, spki))
		goto out;
	X509_ALGOR_get0(&alg, &param_type, &param, algor);
	ret = DDI_SPKI_NOT_EC;
	if (OBJ_obj2nid(alg) != NID_X9_62_id_ecPublicKey)
		goto out;
	/* Only a named curve, and only the expected one (RFC 5480 2.1.1). */
	ret = DDI_SPKI_WRONG_CURVE;
	if (param_type != V_ASN1_OBJECT)
		goto out;
	curve_oid = param;
	if (OBJ_obj2nid(curve_oid) != c->nid)
		goto out;
	ret = DDI_SPKI_BAD_POINT;
	if (key_len == (int)(1 + 2 * c->len) && key[0] == POINT_CONVERSION_UNCOMPRESSED) {
		memcpy(pt, key, 1 + 2 * c->len);
	} else if (key_len == (int)(1 + c->len) &&
		   (key[0] == POINT_CONVERSION_COMPRESSED ||
		    key[0] == (POINT_CONVERSION_COMPRESSED | 1))) {
		if (decompress(c, key, (size_t)key_len, pt))
			goto out;
	} else {
		goto out;
	}
	ddi_ecc_point_to_raw(c, pt, raw);
	ret = DDI_SPKI_OK;
out:
	X509_PUBKEY_free(spki);
	return ret;
}
