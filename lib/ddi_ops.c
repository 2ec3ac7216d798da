// SPDX-License-Identifier: MIT
/*
 * The DDI operations the library runs itself: encode the request, send it,
 * check and decode the response (spec/ddi.md 2, 3.3.1, 3.3.2).
 */
#include <string.h>

#include "lib_internal.h"

/*
 * The device echoes the request's opcode in every response it can decode,
 * so a different opcode means the response is not ours, except for
 * AttestKey's known echo quirk.
 * GetApiRev is the one request without a revision.
 */
int lib_ddi_call_locked(struct azihsm_dev *dev, struct lib_ddi_call *call)
{
	bool with_id = call->sess_kind == AZIHSM_SESSION_CLOSE ||
		       call->sess_kind == AZIHSM_SESSION_IN_SESSION;
	struct ddi_req_hdr hdr = {
		.has_rev = call->op != AZIHSM_DDI_OP_GET_API_REV,
		.rev = dev->api_rev,
		.op = call->op,
		.has_sess_id = with_id,
		.sess_id = call->sess_id,
	};
	struct azihsm_transport_cmd cmd = {
		.session_flags = call->sess_kind |
				 (with_id ? AZIHSM_TRANSPORT_SESS_ID_VALID : 0),
		.session_id = with_id ? call->sess_id : 0,
		.req = dev->req_buf,
		.resp = dev->resp_buf,
		.resp_cap = sizeof(dev->resp_buf),
	};
	int ret;

	lib_err_cur()->ddi_op = call->op;
	if (ddi_encode_request(&hdr, call->req_schema ? call->req_schema :
			       &ddi_empty_schema, call->req, dev->req_buf,
			       sizeof(dev->req_buf), &cmd.req_len))
		return lib_err_set(AZIHSM_ERR_INVALID_ARG);
	ret = lib_hsm_cmd_locked(dev, &cmd);
	if (ret)
		return ret;

	if (!ddi_decode_response(dev->resp_buf, cmd.resp_len, &call->rhdr,
				 call->resp_schema, call->resp))
		return lib_err_set(AZIHSM_ERR_MALFORMED);
	if (call->rhdr.status)
		return lib_err_from_ddi(call->rhdr.status);
	/* AttestKey is answered with EccSign's opcode (ddi.md Appendix A #8). */
	if (call->rhdr.op != call->op &&
	    !(call->op == AZIHSM_DDI_OP_ATTEST_KEY &&
	      call->rhdr.op == AZIHSM_DDI_OP_ECC_SIGN))
		return lib_err_set(AZIHSM_ERR_MALFORMED);
	lib_err_reset();
	return AZIHSM_OK;
}

static int get_api_rev_locked(struct azihsm_dev *dev,
			      struct ddi_get_api_rev_resp *revs)
{
	struct lib_ddi_call call = {
		.op = AZIHSM_DDI_OP_GET_API_REV,
		.resp_schema = &ddi_get_api_rev_resp_schema,
		.resp = revs,
	};
	int ret;

	ret = lib_ddi_call_locked(dev, &call);
	if (ret)
		return ret;
	if (revs->min.major > revs->max.major ||
	    (revs->min.major == revs->max.major &&
	     revs->min.minor > revs->max.minor))
		return lib_err_set(AZIHSM_ERR_MALFORMED);
	dev->api_rev = revs->max;
	dev->have_api_rev = true;
	return AZIHSM_OK;
}

int azihsm_get_api_rev(struct azihsm_dev *dev, struct azihsm_api_rev *min,
		       struct azihsm_api_rev *max)
{
	struct ddi_get_api_rev_resp revs;
	int ret;

	lib_err_reset();
	if (!dev)
		return lib_err_set(AZIHSM_ERR_INVALID_ARG);
	pthread_mutex_lock(&dev->lock);
	ret = get_api_rev_locked(dev, &revs);
	pthread_mutex_unlock(&dev->lock);
	if (ret)
		return ret;
	if (min)
		*min = (struct azihsm_api_rev){ revs.min.major, revs.min.minor };
	if (max)
		*max = (struct azihsm_api_rev){ revs.max.major, revs.max.minor };
	return AZIHSM_OK;
}

/* Every request but GetApiRev carries the revision negotiated first. */
int lib_ensure_api_rev_locked(struct azihsm_dev *dev)
{
	struct ddi_get_api_rev_resp revs;

	return dev->have_api_rev ? AZIHSM_OK : get_api_rev_locked(dev, &revs);
}

int azihsm_get_device_info(struct azihsm_dev *dev, struct azihsm_device_info *info)
{
	struct ddi_get_device_info_resp resp;
	struct lib_ddi_call call = {
		.op = AZIHSM_DDI_OP_GET_DEVICE_INFO,
		.resp_schema = &ddi_get_device_info_resp_schema,
		.resp = &resp,
	};
	int ret;

	lib_err_reset();
	if (!dev || !info)
		return lib_err_set(AZIHSM_ERR_INVALID_ARG);
	pthread_mutex_lock(&dev->lock);
	ret = lib_ensure_api_rev_locked(dev);
	if (!ret)
		ret = lib_ddi_call_locked(dev, &call);
	pthread_mutex_unlock(&dev->lock);
	if (ret)
		return ret;
	info->kind = resp.kind;
	info->key_tables = resp.tables;
	info->fips_approved = resp.fips_approved;
	return AZIHSM_OK;
}
