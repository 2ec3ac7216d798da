// SPDX-License-Identifier: MIT
/*
 * Key management operations on the vault (fw_vault.c): DeleteKey (ddi.md
 * 3.5.1) and OpenKey (3.5.2).
 */
#include <string.h>

#include "fw_internal.h"

uint32_t fw_op_delete_key(struct azihsm_fw *fw, struct fw_request *rq,
			  const union fw_req_data *req, union fw_resp_data *resp)
{
	(void)resp;
	return fw_key_delete(fw, rq, req->delete_key.key_id);
}

uint32_t fw_op_open_key(struct azihsm_fw *fw, struct fw_request *rq,
			const union fw_req_data *req, union fw_resp_data *resp)
{
	struct fw_open_key_out *r = &resp->open_key;
	const struct ddi_ecc_curve_info *c;
	struct fw_key *k;
	uint16_t id;
	uint32_t status;

	(void)rq;
	if (!req->open_key.key_tag)
		return AZIHSM_DDI_STATUS_INVALID_ARG;
	/* Only app keys carry tags, and every session may use them. */
	status = fw_key_find_tag(fw, req->open_key.key_tag, &id, &k);
	if (status)
		return status;
	r->msg.key_id = id;
	r->msg.key_kind = k->type;
	c = ddi_ecc_curve_of_type(k->type);
	if (c && c->priv_type == k->type) {
		/* Recomputed from the private key, as the device does. */
		DDI_PKEY *pkey = fw_key_ecc(fw, id);

		if (!pkey || ddi_ecc_public_raw(pkey, c, r->pub))
			return AZIHSM_DDI_STATUS_ECC_GENERATE_ERROR;
		r->msg.has_pub_key = true;
		r->msg.pub_key.der = (struct mbor_bytes){ r->pub, (uint16_t)(2 * c->pka) };
		r->msg.pub_key.key_kind = c->pub_type;
	}
	if (!r->msg.has_pub_key) {
		/* RSA private keys: n_le || e_le (fw_rsa.c). */
		size_t len = fw_rsa_public(fw, id, r->pub, &r->msg.pub_key.key_kind);

		r->msg.has_pub_key = len != 0;
		r->msg.pub_key.der = (struct mbor_bytes){ r->pub, (uint16_t)len };
	}
	if (k->has_bulk_id) {
		r->msg.has_bulk_key_id = true;
		r->msg.bulk_key_id = k->bulk_id;
	}
	return AZIHSM_DDI_STATUS_SUCCESS;
}
