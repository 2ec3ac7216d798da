/* SPDX-License-Identifier: MIT */
/*
 * A fake HSM behind libazihsm's transport interface, for the library's
 * unit tests.  By default it answers GetApiRev and GetDeviceInfo the way
 * the firmware does (requests decoded and responses encoded with the real
 * DDI codec, revision rules checked); the test can instead make it fail at
 * any layer: an ioctl errno with extended status, a completion status, a
 * DDI status, or canned response bytes.
 *
 * Header-only (static functions) because every test program is built from
 * one source file.
 */
#ifndef AZIHSM_TEST_FAKE_DEVICE_H
#define AZIHSM_TEST_FAKE_DEVICE_H

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "azihsm/ddi_msg.h"
#include "libazihsm_transport.h"

struct fake_device {
	/* What the device reports. */
	struct ddi_api_rev rev_min, rev_max;
	struct ddi_get_device_info_resp info;
	struct azihsm_identity ident;

	/* Injected failures, checked in this order. */
	int cmd_errno;			/* hsm_cmd returns -cmd_errno ... */
	uint32_t cmd_ext_status;	/* ... with this extended status */
	int info_errno;			/* dev_info returns -info_errno */
	uint32_t device_status;		/* completion status, no response */
	uint32_t ddi_status;		/* error response with this status */
	bool use_canned;		/* answer canned[0..canned_len) */
	uint8_t canned[256];
	size_t canned_len;
	size_t claim_len;		/* report this length instead (if set) */
	int32_t op_delta;		/* added to the echoed opcode */

	/* What the device saw. */
	unsigned int cmds;
	unsigned int closed;
	uint8_t last_session_flags;
	uint16_t last_session_id;
	size_t last_req_len;
	size_t last_resp_cap;
	struct ddi_req_hdr last_hdr;
	bool last_hdr_ok;
};

static void fake_device_init(struct fake_device *f)
{
	memset(f, 0, sizeof(*f));
	f->rev_min = (struct ddi_api_rev){ 1, 0 };
	f->rev_max = (struct ddi_api_rev){ 1, 0 };
	f->info.kind = 2;
	f->info.tables = 4;
	f->info.fips_approved = true;
	f->ident.ctrl_id = 7;
	strcpy(f->ident.pci_addr, "0000:00:03.0");
	strcpy(f->ident.serial, "FAKE-SERIAL-0001");
	strcpy(f->ident.firmware_rev, "fw-1.2.3");
	strcpy(f->ident.driver_rev, "0.1.0");
	memset(f->ident.entropy, 0xa5, sizeof(f->ident.entropy));
}

static bool fake_rev_in_range(const struct fake_device *f, struct ddi_api_rev r)
{
	uint64_t v = (uint64_t)r.major << 32 | r.minor;

	return v >= ((uint64_t)f->rev_min.major << 32 | f->rev_min.minor) &&
	       v <= ((uint64_t)f->rev_max.major << 32 | f->rev_max.minor);
}

/* The firmware's answer to a decoded request header (spec/ddi.md 2.6). */
static int fake_answer(struct fake_device *f, struct azihsm_transport_cmd *cmd)
{
	struct ddi_resp_hdr rh = {
		.has_rev = f->last_hdr.has_rev,
		.rev = f->last_hdr.rev,
		.op = f->last_hdr.op + (uint32_t)f->op_delta,
	};
	struct ddi_get_api_rev_resp revs = { f->rev_min, f->rev_max };
	const struct mbor_schema *schema = &ddi_empty_schema;
	const void *data = NULL;
	size_t len;

	if (!f->last_hdr_ok) {
		rh.op = AZIHSM_DDI_OP_INVALID;
		rh.status = AZIHSM_DDI_STATUS_DDI_DECODE_FAILED;
	} else if (f->ddi_status) {
		rh.status = f->ddi_status;
	} else if (f->last_hdr.op == AZIHSM_DDI_OP_GET_API_REV) {
		if (f->last_hdr.has_rev) {
			rh.status = AZIHSM_DDI_STATUS_UNSUPPORTED_REVISION;
		} else {
			schema = &ddi_get_api_rev_resp_schema;
			data = &revs;
		}
	} else if (f->last_hdr.op == AZIHSM_DDI_OP_GET_DEVICE_INFO) {
		if (!f->last_hdr.has_rev || !fake_rev_in_range(f, f->last_hdr.rev)) {
			rh.status = AZIHSM_DDI_STATUS_UNSUPPORTED_REVISION;
		} else {
			schema = &ddi_get_device_info_resp_schema;
			data = &f->info;
		}
	} else {
		rh.status = AZIHSM_DDI_STATUS_UNSUPPORTED_CMD;
	}
	if (ddi_encode_response(&rh, schema, data, cmd->resp, cmd->resp_cap, &len))
		return -EINVAL;		/* as the driver would for a short buffer */
	cmd->resp_len = len;
	return 0;
}

static int fake_hsm_cmd(void *ctx, struct azihsm_transport_cmd *cmd)
{
	struct fake_device *f = ctx;
	struct ddi_req_view view;
	int ret;

	memset(&view, 0, sizeof(view));
	f->cmds++;
	f->last_session_flags = cmd->session_flags;
	f->last_session_id = cmd->session_id;
	f->last_req_len = cmd->req_len;
	f->last_resp_cap = cmd->resp_cap;
	f->last_hdr_ok = ddi_decode_request_hdr(cmd->req, cmd->req_len, &view);
	f->last_hdr = view.hdr;

	if (f->cmd_errno) {
		cmd->ext_status = f->cmd_ext_status;
		return -f->cmd_errno;
	}
	if (f->device_status) {
		cmd->device_status = f->device_status;
		return 0;
	}
	if (f->use_canned) {
		memcpy(cmd->resp, f->canned,
		       f->canned_len < cmd->resp_cap ? f->canned_len : cmd->resp_cap);
		cmd->resp_len = f->canned_len;
	} else {
		ret = fake_answer(f, cmd);
		if (ret)
			return ret;
	}
	if (f->claim_len)
		cmd->resp_len = f->claim_len;
	return 0;
}

static int fake_dev_info(void *ctx, struct azihsm_identity *id)
{
	struct fake_device *f = ctx;

	if (f->info_errno)
		return -f->info_errno;
	*id = f->ident;
	return 0;
}

static void fake_close(void *ctx)
{
	struct fake_device *f = ctx;

	f->closed++;
}

static const struct azihsm_transport_ops fake_ops = {
	.name = "fake",
	.hsm_cmd = fake_hsm_cmd,
	.dev_info = fake_dev_info,
	.close = fake_close,
};

#endif /* AZIHSM_TEST_FAKE_DEVICE_H */
