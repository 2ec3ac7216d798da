// SPDX-License-Identifier: MIT
/* Discovery operations: GetApiRev (1002) and GetDeviceInfo (1003), ddi.md 3.3. */
#include "fw_internal.h"

uint32_t fw_op_get_api_rev(struct azihsm_fw *fw, struct fw_request *rq,
			   const union fw_req_data *req,
			   union fw_resp_data *resp)
{
	struct ddi_get_api_rev_resp *r = &resp->get_api_rev;

	(void)fw;
	(void)rq;
	(void)req;
	r->min.major = AZIHSM_DDI_API_MAJOR;
	r->min.minor = AZIHSM_DDI_API_MINOR;
	r->max = r->min;
	return AZIHSM_DDI_STATUS_SUCCESS;
}

uint32_t fw_op_get_device_info(struct azihsm_fw *fw, struct fw_request *rq,
			       const union fw_req_data *req,
			       union fw_resp_data *resp)
{
	struct ddi_get_device_info_resp *r = &resp->get_device_info;

	(void)rq;
	(void)req;
	/* The emulator speaks the physical device's wire encoding (7.1). */
	r->kind = AZIHSM_DDI_DEVICE_KIND_PHYSICAL;
	r->tables = fw->cfg.key_tables;
	/* The emulated module never enters the FIPS-approved state. */
	r->fips_approved = false;
	return AZIHSM_DDI_STATUS_SUCCESS;
}
