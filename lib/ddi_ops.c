// SPDX-License-Identifier: MIT
/*
 * The DDI operations the library runs itself: encode the request, send it,
 * check and decode the response (spec/ddi.md 2, 3.3.1, 3.3.2).
 */
#include <string.h>

#include "lib_internal.h"

/*
 * One no-session operation on a locked handle.  The device echoes the
 * request's opcode in every response it can decode, so a different opcode
 * means the response is not ours.  (AttestKey's known echo quirk does not
 * concern the operations routed through here.)
 */
static int ddi_call_locked(struct azihsm_dev *dev, uint32_t op, bool with_rev,
			   const struct mbor_schema *resp_schema, void *resp)
{
	struct ddi_req_hdr hdr = {
		.has_rev = with_rev,
		.rev = dev->api_rev,
		.op = op,
	};
	struct azihsm_transport_cmd cmd = {
		.session_flags = AZIHSM_SESSION_NONE,
		.req = dev->req_buf,
		.resp = dev->resp_buf,
		.resp_cap = sizeof(dev->resp_buf),
	};
	struct ddi_resp_hdr rhdr;
	int ret;

	lib_err_cur()->ddi_op = op;
	if (ddi_encode_request(&hdr, &ddi_empty_schema, NULL, dev->req_buf,
			       sizeof(dev->req_buf), &cmd.req_len))
		return lib_err_set(AZIHSM_ERR_INVALID_ARG);
	ret = lib_hsm_cmd_locked(dev, &cmd);
	if (ret)
		return ret;

	if (!ddi_decode_response(dev->resp_buf, cmd.resp_len, &rhdr,
				 resp_schema, resp))
		return lib_err_set(AZIHSM_ERR_MALFORMED);
	if (rhdr.status) {
		lib_err_cur()->ddi_status = rhdr.status;
		return lib_err_set(AZIHSM_ERR_DDI);
	}
	if (rhdr.op != op)
		return lib_err_set(AZIHSM_ERR_MALFORMED);
	lib_err_reset();
	return AZIHSM_OK;
}

static int get_api_rev_locked(struct azihsm_dev *dev,
			      struct ddi_get_api_rev_resp *revs)
{
	int ret;

	/* GetApiRev is the one request that must not carry a revision. */
	ret = ddi_call_locked(dev, AZIHSM_DDI_OP_GET_API_REV, false,
			      &ddi_get_api_rev_resp_schema, revs);
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
static int ensure_api_rev_locked(struct azihsm_dev *dev)
{
	struct ddi_get_api_rev_resp revs;

	return dev->have_api_rev ? AZIHSM_OK : get_api_rev_locked(dev, &revs);
}

int azihsm_get_device_info(struct azihsm_dev *dev, struct azihsm_device_info *info)
{
	struct ddi_get_device_info_resp resp;
	int ret;

	lib_err_reset();
	if (!dev || !info)
		return lib_err_set(AZIHSM_ERR_INVALID_ARG);
	pthread_mutex_lock(&dev->lock);
	ret = ensure_api_rev_locked(dev);
	if (!ret)
		ret = ddi_call_locked(dev, AZIHSM_DDI_OP_GET_DEVICE_INFO, true,
				      &ddi_get_device_info_resp_schema, &resp);
	pthread_mutex_unlock(&dev->lock);
	if (ret)
		return ret;
	info->kind = resp.kind;
	info->key_tables = resp.tables;
	info->fips_approved = resp.fips_approved;
	return AZIHSM_OK;
}
