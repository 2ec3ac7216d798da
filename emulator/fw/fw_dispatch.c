// SPDX-License-Identifier: MIT
/*
 * DDI request dispatcher: the header checks of ddi.md 2.6 in the firmware's
 * order (which error wins is host-visible), then data decode, execution and
 * the response.
 */
#include <string.h>

#include "azihsm/hw.h"
#include "fw_internal.h"

struct fw_op {
	uint32_t op;
	fw_op_fn *exec;
};

/* Implemented operations; their data schemas come from ddi_op_lookup(). */
static const struct fw_op fw_ops[] = {
	{ AZIHSM_DDI_OP_GET_API_REV, fw_op_get_api_rev },
	{ AZIHSM_DDI_OP_GET_DEVICE_INFO, fw_op_get_device_info },
	{ AZIHSM_DDI_OP_GET_ESTABLISH_CRED_ENCRYPTION_KEY,
	  fw_op_get_establish_cred_encryption_key },
	{ AZIHSM_DDI_OP_ESTABLISH_CREDENTIAL, fw_op_establish_credential },
	{ AZIHSM_DDI_OP_GET_SESSION_ENCRYPTION_KEY,
	  fw_op_get_session_encryption_key },
	{ AZIHSM_DDI_OP_OPEN_SESSION, fw_op_open_session },
	{ AZIHSM_DDI_OP_CLOSE_SESSION, fw_op_close_session },
	{ AZIHSM_DDI_OP_REOPEN_SESSION, fw_op_reopen_session },
	{ AZIHSM_DDI_OP_CHANGE_PIN, fw_op_change_pin },
	{ AZIHSM_DDI_OP_INIT_BK3, fw_op_init_bk3 },
	{ AZIHSM_DDI_OP_GET_SEALED_BK3, fw_op_get_sealed_bk3 },
	{ AZIHSM_DDI_OP_SET_SEALED_BK3, fw_op_set_sealed_bk3 },
	{ AZIHSM_DDI_OP_GET_CERT_CHAIN_INFO, fw_op_get_cert_chain_info },
	{ AZIHSM_DDI_OP_GET_CERTIFICATE, fw_op_get_certificate },
	{ AZIHSM_DDI_OP_DELETE_KEY, fw_op_delete_key },
	{ AZIHSM_DDI_OP_OPEN_KEY, fw_op_open_key },
	{ AZIHSM_DDI_OP_ECC_GENERATE_KEY_PAIR, fw_op_ecc_generate_key_pair },
	{ AZIHSM_DDI_OP_ECC_SIGN, fw_op_ecc_sign },
	{ AZIHSM_DDI_OP_AES_GENERATE_KEY, fw_op_aes_generate_key },
	{ AZIHSM_DDI_OP_AES_ENCRYPT_DECRYPT, fw_op_aes_encrypt_decrypt },
	{ AZIHSM_DDI_OP_ECDH_KEY_EXCHANGE, fw_op_ecdh_key_exchange },
	{ AZIHSM_DDI_OP_HKDF_DERIVE, fw_op_hkdf_derive },
	{ AZIHSM_DDI_OP_KBKDF_COUNTER_HMAC_DERIVE, fw_op_kbkdf_derive },
	{ AZIHSM_DDI_OP_HMAC, fw_op_hmac },
	{ AZIHSM_DDI_OP_UNMASK_KEY, fw_op_unmask_key },
	{ AZIHSM_DDI_OP_ATTEST_KEY, fw_op_attest_key },
	{ AZIHSM_DDI_OP_RSA_MOD_EXP, fw_op_rsa_mod_exp },
	{ AZIHSM_DDI_OP_GET_UNWRAPPING_KEY, fw_op_get_unwrapping_key },
	{ AZIHSM_DDI_OP_RSA_UNWRAP, fw_op_rsa_unwrap },
};

/*
 * Test-only operations (3.10): they exist only when the core was created
 * with cfg.test_ops; otherwise they are UnsupportedCmd like any op the
 * core does not implement, as on production firmware.
 */
static const struct fw_op fw_test_ops[] = {
	{ AZIHSM_DDI_OP_DER_KEY_IMPORT, fw_op_der_key_import },
	{ AZIHSM_DDI_OP_RAW_KEY_IMPORT, fw_op_raw_key_import },
};

static const struct fw_op *fw_op_search(const struct fw_op *ops, size_t n, uint32_t op)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (ops[i].op == op)
			return &ops[i];
	return NULL;
}

static const struct fw_op *fw_op_find(const struct azihsm_fw *fw, uint32_t op)
{
	const struct fw_op *found;

	found = fw_op_search(fw_ops, sizeof(fw_ops) / sizeof(fw_ops[0]), op);
	if (!found && fw->cfg.test_ops)
		found = fw_op_search(fw_test_ops, sizeof(fw_test_ops) / sizeof(fw_test_ops[0]),
				     op);
	return found;
}

static int api_rev_cmp(const struct ddi_api_rev *a, const struct ddi_api_rev *b)
{
	if (a->major != b->major)
		return a->major < b->major ? -1 : 1;
	if (a->minor != b->minor)
		return a->minor < b->minor ? -1 : 1;
	return 0;
}

/*
 * Step 4, session-hijack protection: the queue-level session block must
 * agree with the opcode's control kind and with hdr.sess_id.
 */
static uint32_t check_session_binding(uint8_t ctrl, const struct ddi_req_hdr *hdr,
				      const struct azihsm_fw_session *in)
{
	bool queue_has_id = in->flags & AZIHSM_SESS_ID_VALID;

	if ((in->flags & AZIHSM_SESS_KIND_MASK) != ctrl)
		return AZIHSM_DDI_STATUS_INVALID_ARG;
	switch (ctrl) {
	case AZIHSM_DDI_CTRL_NONE:
		if (queue_has_id)
			return AZIHSM_DDI_STATUS_INVALID_ARG;
		break;
	case AZIHSM_DDI_CTRL_OPEN:
		if (queue_has_id)
			return AZIHSM_DDI_STATUS_SESSION_NOT_EXPECTED;
		break;
	default:
		if (!queue_has_id)
			return AZIHSM_DDI_STATUS_INVALID_ARG;
		break;
	}
	if (queue_has_id != hdr->has_sess_id ||
	    (queue_has_id && hdr->sess_id != in->id))
		return AZIHSM_DDI_STATUS_INVALID_ARG;
	return AZIHSM_DDI_STATUS_SUCCESS;
}

/*
 * Step 5 for ops of revision kind User (Close and InSession control); step 4
 * has made sure hdr.sess_id is present.
 */
static uint32_t check_session_revision(struct azihsm_fw *fw, uint32_t op,
				       const struct ddi_req_hdr *hdr)
{
	struct fw_session *s = fw_session_find(fw, hdr->sess_id);

	/* A session awaiting renegotiation may still be reopened or closed. */
	if (s && s->needs_renegotiation &&
	    (op == AZIHSM_DDI_OP_REOPEN_SESSION ||
	     op == AZIHSM_DDI_OP_CLOSE_SESSION))
		return AZIHSM_DDI_STATUS_SUCCESS;
	if (hdr->sess_id >= FW_MAX_SESSIONS)
		return AZIHSM_DDI_STATUS_VAULT_SESSION_LIMIT_REACHED;
	if (!s)
		return AZIHSM_DDI_STATUS_SESSION_NOT_FOUND;
	if (s->needs_renegotiation)
		return AZIHSM_DDI_STATUS_SESSION_NEEDS_RENEGOTIATION;
	if (!hdr->has_rev || api_rev_cmp(&hdr->rev, &s->rev))
		return AZIHSM_DDI_STATUS_UNSUPPORTED_REVISION;
	return AZIHSM_DDI_STATUS_SUCCESS;
}

/* Step 5 for ops of revision kind None (NoSession and Open control). */
static uint32_t check_plain_revision(uint32_t op, const struct ddi_req_hdr *hdr)
{
	static const struct ddi_api_rev min = {
		AZIHSM_DDI_API_MAJOR, AZIHSM_DDI_API_MINOR
	};
	static const struct ddi_api_rev max = {
		AZIHSM_DDI_API_MAJOR, AZIHSM_DDI_API_MINOR
	};

	/* GetApiRev is how a host learns the revision: it cannot send one. */
	if (op == AZIHSM_DDI_OP_GET_API_REV)
		return hdr->has_rev ? AZIHSM_DDI_STATUS_UNSUPPORTED_REVISION :
				      AZIHSM_DDI_STATUS_SUCCESS;
	if (!hdr->has_rev || api_rev_cmp(&hdr->rev, &min) < 0 ||
	    api_rev_cmp(&hdr->rev, &max) > 0)
		return AZIHSM_DDI_STATUS_UNSUPPORTED_REVISION;
	return AZIHSM_DDI_STATUS_SUCCESS;
}

/* Steps 3-6: every check that needs only the decoded header. */
static uint32_t check_header(struct azihsm_fw *fw, uint8_t ctrl,
			     const struct ddi_req_hdr *hdr,
			     const struct azihsm_fw_session *in)
{
	uint32_t status;

	/*
	 * Step 3 (partition enabled) always passes: the core is created for
	 * an enabled function and destroyed with it.
	 */
	status = check_session_binding(ctrl, hdr, in);
	if (status)
		return status;
	if (ctrl == AZIHSM_DDI_CTRL_CLOSE || ctrl == AZIHSM_DDI_CTRL_IN_SESSION)
		status = check_session_revision(fw, hdr->op, hdr);
	else
		status = check_plain_revision(hdr->op, hdr);
	if (status)
		return status;
	if (ctrl == AZIHSM_DDI_CTRL_IN_SESSION && !fw->provisioned)
		return AZIHSM_DDI_STATUS_PARTITION_NOT_PROVISIONED;
	return AZIHSM_DDI_STATUS_SUCCESS;
}

/*
 * The completion's session block (hardware.md 6.7): the control kind the
 * device derived from the opcode, and the session id the command named for
 * Close/InSession ops.  Open ops add the new id once they succeed.
 */
static void session_block_out(uint8_t ctrl, const struct azihsm_fw_session *in,
			      struct azihsm_fw_session *out)
{
	memset(out, 0, sizeof(*out));
	out->flags = ctrl;
	if ((ctrl == AZIHSM_DDI_CTRL_CLOSE || ctrl == AZIHSM_DDI_CTRL_IN_SESSION) &&
	    (in->flags & AZIHSM_SESS_ID_VALID)) {
		out->flags |= AZIHSM_SESS_ID_VALID;
		out->id = in->id;
	}
}

/*
 * Encode the response; one that does not fit the host's buffer is reported
 * as an invalid destination length with no response bytes (the op has run).
 */
static uint16_t put_response(const struct ddi_resp_hdr *hdr,
			     const struct mbor_schema *data_schema,
			     const void *data, uint8_t *resp, size_t resp_cap,
			     size_t *resp_len, struct azihsm_fw_session *out)
{
	if (ddi_encode_response(hdr, data_schema, data, resp, resp_cap, resp_len)) {
		*resp_len = 0;
		memset(out, 0, sizeof(*out));
		return AZIHSM_HSM_SC_INVALID_DST_LEN;
	}
	return AZIHSM_HSM_SC_SUCCESS;
}

uint16_t fw_dispatch(struct azihsm_fw *fw, const uint8_t *req, size_t req_len,
		     uint8_t *resp, size_t resp_cap, size_t *resp_len,
		     const struct azihsm_fw_session *in,
		     struct azihsm_fw_session *out)
{
	const struct ddi_op_info *info;
	const struct fw_op *handler;
	union fw_req_data req_data;
	union fw_resp_data resp_data;
	struct ddi_resp_hdr rhdr;
	struct ddi_req_view view;
	struct fw_request rq;
	uint8_t ctrl;
	uint32_t status;

	memset(&rhdr, 0, sizeof(rhdr));

	/* Step 2: nothing of the header can be echoed; op is Invalid. */
	if (!ddi_decode_request_hdr(req, req_len, &view)) {
		session_block_out(AZIHSM_DDI_CTRL_NONE, in, out);
		rhdr.op = AZIHSM_DDI_OP_INVALID;
		rhdr.status = AZIHSM_DDI_STATUS_DDI_DECODE_FAILED;
		return put_response(&rhdr, &ddi_empty_schema, NULL, resp,
				    resp_cap, resp_len, out);
	}

	/* Error and success responses echo rev, op and sess_id (2.3, 2.6). */
	rhdr.has_rev = view.hdr.has_rev;
	rhdr.rev = view.hdr.rev;
	rhdr.op = view.hdr.op;
	rhdr.has_sess_id = view.hdr.has_sess_id;
	rhdr.sess_id = view.hdr.sess_id;
	/* Never FIPS-approved, so false on every response, not only errors. */
	rhdr.fips_approved = false;

	/* The FW treats an opcode it does not know as an in-session op. */
	info = ddi_op_lookup(view.hdr.op);
	ctrl = info ? info->ctrl : AZIHSM_DDI_CTRL_IN_SESSION;
	session_block_out(ctrl, in, out);

	status = check_header(fw, ctrl, &view.hdr, in);
	if (status)
		goto error;

	/* Step 7. */
	handler = fw_op_find(fw, view.hdr.op);
	if (!handler || !info || !info->req || !info->resp) {
		status = AZIHSM_DDI_STATUS_UNSUPPORTED_CMD;
		goto error;
	}

	/* Step 8. */
	if (!ddi_decode_request_data(&view, info->req, &req_data)) {
		status = AZIHSM_DDI_STATUS_DDI_DECODE_FAILED;
		goto error;
	}

	/* Step 9. */
	memset(&resp_data, 0, sizeof(resp_data));
	rq.hdr = &view.hdr;
	rq.resp_hdr = &rhdr;
	rq.sess_out = out;
	status = handler->exec(fw, &rq, &req_data, &resp_data);
	if (status)
		goto error;
	rhdr.status = AZIHSM_DDI_STATUS_SUCCESS;
	return put_response(&rhdr, info->resp, &resp_data, resp, resp_cap,
			    resp_len, out);

error:
	rhdr.status = status;
	return put_response(&rhdr, &ddi_empty_schema, NULL, resp, resp_cap,
			    resp_len, out);
}
