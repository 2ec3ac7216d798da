// SPDX-License-Identifier: MIT
/*
 * Attestation reports (spec/ddi.md 7.11) on the host side: checking the
 * COSE_Sign1 signature against the partition identity key and handing
 * out the payload's fields.  The CBOR layout is shared with the firmware
 * core (ddi/cbor.c); AttestKey itself is sent from keys.c.
 */
#include <string.h>

#include "azihsm/cbor.h"
#include "lib_internal.h"

/* COSE_Key EC2 (7.11.3) -> curve and 0x04 || X || Y; false otherwise. */
static bool ec2_point(const uint8_t *cose, size_t len, struct azihsm_attest_info *out)
{
	const struct ddi_ecc_curve_info *c;
	const uint8_t *x, *y;
	size_t x_len, y_len;
	struct cbor_dec d;
	uint64_t crv;

	cbor_dec_init(&d, cose, len);
	if (!cbor_expect(&d, CBOR_MAP, 4, NULL) || !cbor_expect(&d, CBOR_UINT, 1, NULL) ||
	    !cbor_expect(&d, CBOR_UINT, 2, NULL) || !cbor_expect(&d, CBOR_NINT, 0, NULL) ||
	    !cbor_expect(&d, CBOR_UINT, -1, &crv) || crv > 3)
		return false;
	c = ddi_ecc_curve((uint32_t)crv);
	if (!c || !cbor_expect(&d, CBOR_NINT, 1, NULL) || !cbor_get_bytes(&d, &x, &x_len) ||
	    !cbor_expect(&d, CBOR_NINT, 2, NULL) || !cbor_get_bytes(&d, &y, &y_len) ||
	    x_len != c->len || y_len != c->len || d.pos != len)
		return false;
	out->curve = c->curve;
	out->point[0] = 0x04;
	memcpy(out->point + 1, x, c->len);
	memcpy(out->point + 1 + c->len, y, c->len);
	out->point_len = 1 + 2 * c->len;
	return true;
}

/* The identity key of dev's certificate chain in OpenSSL form. */
static int identity_key(struct azihsm_dev *dev, DDI_PKEY **out)
{
	const struct ddi_ecc_curve_info *c = ddi_ecc_curve(DDI_ECC_P384);
	uint8_t point[AZIHSM_P384_POINT_LEN], raw[DDI_P384_RAW_PUB_LEN];
	int ret;

	ret = azihsm_partition_identity_key(dev, point);
	if (ret)
		return ret;
	ddi_ecc_point_to_raw(c, point, raw);
	return ddi_ecc_from_raw(c, raw, sizeof(raw), out) ?
	       lib_err_set(AZIHSM_ERR_MALFORMED) : AZIHSM_OK;
}

int azihsm_attest_verify(struct azihsm_dev *dev, const uint8_t *report, size_t len,
			 const uint8_t *expected_report_data, struct azihsm_attest_info *out)
{
	struct azihsm_attest_info info;
	struct ddi_attest_fields f;
	const uint8_t *payload, *sig;
	uint8_t digest[DDI_SHA384_LEN];
	size_t payload_len;
	DDI_PKEY *pub = NULL;
	bool ok;
	int ret;

	lib_err_reset();
	if (!dev || !report || !len)
		return lib_err_set(AZIHSM_ERR_INVALID_ARG);
	if (!ddi_attest_parse(report, len, &payload, &payload_len, &sig, &f))
		return lib_err_set(AZIHSM_ERR_BAD_BLOB);
	memset(&info, 0, sizeof(info));
	info.flags = f.flags;
	memcpy(info.app_id, f.app_uuid, sizeof(info.app_id));
	memcpy(info.report_data, f.report_data, sizeof(info.report_data));
	memcpy(info.vm_launch_id, f.vm_launch_id, sizeof(info.vm_launch_id));
	memcpy(info.cose_key, f.cose_key, f.cose_key_len);
	info.cose_key_len = f.cose_key_len;
	/* RSA keys keep only their COSE_Key; anything else must be EC2. */
	if (f.cose_key_len && !ec2_point(f.cose_key, f.cose_key_len, &info) &&
	    !(f.cose_key_len > 4 && f.cose_key[0] == 0xA3 && f.cose_key[2] == 0x03))
		return lib_err_set(AZIHSM_ERR_BAD_BLOB);

	ret = identity_key(dev, &pub);
	if (ret)
		return ret;
	ok = !ddi_attest_tbs_digest(payload, payload_len, digest) &&
	     ddi_ecc_verify(pub, ddi_ecc_curve(DDI_ECC_P384), digest, sizeof(digest), sig);
	ddi_pkey_free(pub);
	if (!ok || (expected_report_data &&
		    memcmp(expected_report_data, info.report_data, sizeof(info.report_data))))
		return lib_err_set(AZIHSM_ERR_VERIFY);
	if (out)
		*out = info;
	return AZIHSM_OK;
}

/* ---- Certificate chain (7.12) ---- */

int lib_cert_get_locked(struct azihsm_dev *dev, unsigned int index, unsigned int *count,
			uint8_t *der, size_t cap, size_t *len)
{
	struct ddi_get_cert_chain_info_req info_req = { .slot_id = DDI_CERT_SLOT_ID };
	struct ddi_get_cert_chain_info_resp info;
	struct ddi_get_certificate_req cert_req = { .slot_id = DDI_CERT_SLOT_ID };
	struct ddi_get_certificate_resp cert;
	struct lib_ddi_call call = {
		.op = AZIHSM_DDI_OP_GET_CERT_CHAIN_INFO,
		.req_schema = &ddi_get_cert_chain_info_req_schema,
		.req = &info_req,
		.resp_schema = &ddi_get_cert_chain_info_resp_schema,
		.resp = &info,
	};
	int ret;

	ret = lib_ensure_api_rev_locked(dev);
	if (!ret)
		ret = lib_ddi_call_locked(dev, &call);
	if (ret)
		return ret;
	if (count)
		*count = info.num_certs;
	if (!der)
		return AZIHSM_OK;
	if (index == LIB_CERT_LAST) {
		if (!info.num_certs)
			return lib_err_set(AZIHSM_ERR_MALFORMED);
		index = info.num_certs - 1u;
	}
	if (index >= info.num_certs)
		return lib_err_set(AZIHSM_ERR_INVALID_ARG);
	cert_req.cert_id = (uint8_t)index;
	call = (struct lib_ddi_call){
		.op = AZIHSM_DDI_OP_GET_CERTIFICATE,
		.req_schema = &ddi_get_certificate_req_schema,
		.req = &cert_req,
		.resp_schema = &ddi_get_certificate_resp_schema,
		.resp = &cert,
	};
	ret = lib_ddi_call_locked(dev, &call);
	if (ret)
		return ret;
	*len = cert.certificate.len;
	if (cert.certificate.len > cap)
		return lib_err_set(AZIHSM_ERR_BUFFER_TOO_SMALL);
	memcpy(der, cert.certificate.ptr, cert.certificate.len);
	return AZIHSM_OK;
}

int azihsm_cert_get(struct azihsm_dev *dev, unsigned int index, unsigned int *count,
		    uint8_t *der, size_t cap, size_t *len)
{
	unsigned int n;
	int ret;

	lib_err_reset();
	if (!dev || (der && !len))
		return lib_err_set(AZIHSM_ERR_INVALID_ARG);
	pthread_mutex_lock(&dev->lock);
	/* LIB_CERT_LAST is for the library only. */
	ret = index == LIB_CERT_LAST ? lib_err_set(AZIHSM_ERR_INVALID_ARG) :
	      lib_cert_get_locked(dev, index, &n, der, cap, len);
	pthread_mutex_unlock(&dev->lock);
	if (!ret && count)
		*count = n;
	return ret;
}
