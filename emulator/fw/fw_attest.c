// SPDX-License-Identifier: MIT
/*
 * AttestKey (ddi.md 3.5.3): a COSE_Sign1 report (7.11) binding a key's
 * public part and flags to the application id, the caller's report data
 * and the VM launch GUID, signed ES384 with the partition identity key.
 * The CBOR and COSE layout lives in ddi/cbor.c, shared with libazihsm.
 */
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "azihsm/cbor.h"
#include "fw_internal.h"

#define RSA_MAX_MODULUS		512	/* RSA-4k */

/* COSE_Key of an RSA private key's public half; 0 on failure. */
static size_t rsa_cose_key(DDI_PKEY *pkey, uint8_t *out, size_t cap)
{
	uint8_t n[RSA_MAX_MODULUS];
	BIGNUM *bn_n = NULL, *bn_e = NULL;
	size_t len = 0;
	int n_len;

	if (EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_N, &bn_n) &&
	    EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_E, &bn_e) &&
	    BN_num_bytes(bn_e) <= 4) {
		n_len = BN_bn2bin(bn_n, n);
		if (n_len > 0 && (size_t)n_len <= sizeof(n))
			len = ddi_cose_key_rsa(n, (size_t)n_len, (uint32_t)BN_get_word(bn_e),
					       out, cap);
	}
	BN_free(bn_n);
	BN_free(bn_e);
	return len;
}

/*
 * The COSE_Key of the key's public part (7.11.3): ECC and RSA private
 * keys; other keys have none (*len = 0).
 */
static uint32_t cose_key_of(struct azihsm_fw *fw, uint16_t id, const struct fw_key *k,
			    uint8_t *out, size_t cap, size_t *len)
{
	const struct ddi_ecc_curve_info *c = ddi_ecc_curve_of_type(k->type);
	uint8_t point[DDI_ECC_MAX_POINT];
	DDI_PKEY *pkey;

	*len = 0;
	if (c && c->priv_type == k->type) {
		pkey = fw_key_ecc(fw, id);
		if (!pkey || ddi_ecc_public_point(pkey, c, point))
			return AZIHSM_DDI_STATUS_ATTEST_KEY_INTERNAL_ERROR;
		*len = ddi_cose_key_ec2(c, point, out, cap);
	} else if (k->type >= DDI_KEY_RSA2K_PRIVATE && k->type <= DDI_KEY_RSA4K_PRIVATE_CRT) {
		pkey = fw_key_pkey(fw, id);
		if (!pkey)
			return AZIHSM_DDI_STATUS_ATTEST_KEY_INTERNAL_ERROR;
		*len = rsa_cose_key(pkey, out, cap);
	} else {
		return AZIHSM_DDI_STATUS_SUCCESS;
	}
	return *len ? AZIHSM_DDI_STATUS_SUCCESS : AZIHSM_DDI_STATUS_COSE_KEY_ENCODE_FAILED;
}

uint32_t fw_op_attest_key(struct azihsm_fw *fw, struct fw_request *rq,
			  const union fw_req_data *req, union fw_resp_data *resp)
{
	const struct ddi_attest_key_req *q = &req->attest_key;
	struct fw_attest_key_out *out = &resp->attest_key;
	/* No platform sets a VM launch GUID for the emulator (InitBk3): zeros. */
	static const uint8_t vm_launch_id[DDI_ATTEST_UUID_LEN];
	uint8_t cose_key[DDI_ATTEST_PUBKEY_FIELD];
	uint8_t payload[DDI_ATTEST_PAYLOAD_MAX];
	uint8_t digest[DDI_SHA384_LEN];
	uint8_t sig[DDI_ATTEST_SIG_LEN];
	struct ddi_attest_fields f;
	size_t payload_len, len;
	struct fw_key *k;
	uint32_t status;

	status = fw_key_lookup(fw, rq, q->key_id, &k);
	if (status)
		return status;
	/* FW: exactly 128 bytes (Appendix A #10). */
	if (q->report_data.len != DDI_ATTEST_REPORT_DATA_LEN)
		return AZIHSM_DDI_STATUS_INVALID_ARG;

	memset(&f, 0, sizeof(f));
	status = cose_key_of(fw, q->key_id, k, cose_key, sizeof(cose_key), &f.cose_key_len);
	if (status)
		return status;
	f.cose_key = cose_key;
	f.flags = ddi_attest_flags(k->attrs);
	f.app_uuid = fw->cred_id;
	f.report_data = q->report_data.ptr;
	f.vm_launch_id = vm_launch_id;
	payload_len = ddi_attest_payload(&f, payload, sizeof(payload));
	if (!payload_len)
		return AZIHSM_DDI_STATUS_ATTESTATION_REPORT_ENCODE_FAILED;
	if (ddi_attest_tbs_digest(payload, payload_len, digest) ||
	    ddi_ecc_sign(fw->identity_key, ddi_ecc_curve(DDI_ECC_P384), digest,
			 sizeof(digest), sig))
		return AZIHSM_DDI_STATUS_ATTEST_KEY_INTERNAL_ERROR;
	len = ddi_attest_report(payload, payload_len, sig, out->report, sizeof(out->report));
	if (!len)
		return AZIHSM_DDI_STATUS_ATTESTATION_REPORT_ENCODE_FAILED;
	out->msg.report = (struct mbor_bytes){ out->report, (uint16_t)len };
	/* The FW answers with EccSign's opcode (Appendix A #8). */
	rq->resp_hdr->op = AZIHSM_DDI_OP_ECC_SIGN;
	return AZIHSM_DDI_STATUS_SUCCESS;
}
