/* SPDX-License-Identifier: MIT */
/*
 * Firmware core internals shared by its translation units.  Not part of
 * the API: the QEMU device model and the tests use azihsm_fw.h only.
 */
#ifndef AZIHSM_FW_INTERNAL_H
#define AZIHSM_FW_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "azihsm/ddi_msg.h"
#include "azihsm_fw.h"

/* Session slots of a partition; ids are 0..FW_MAX_SESSIONS-1 (ddi.md 6.3). */
#define FW_MAX_SESSIONS		8
/* Identify SN / FR strings, without the terminating NUL. */
#define FW_ID_STRING_MAX	32

struct fw_session {
	bool open;
	bool needs_renegotiation;	/* ddi.md 6.9 */
	struct ddi_api_rev rev;		/* fixed when the session was opened */
};

/* The one partition this core emulates.  Every field is under lock. */
struct azihsm_fw {
	pthread_mutex_t lock;
	struct azihsm_fw_config cfg;	/* strings point at the copies below */
	char serial[FW_ID_STRING_MAX + 1];
	char fw_rev[FW_ID_STRING_MAX + 1];
	bool provisioned;		/* credentials established (ddi.md 6.2) */
	struct fw_session sessions[FW_MAX_SESSIONS];
};

/* ---- Sessions (fw_session.c) ---- */

/* The open session with this id, or NULL. */
struct fw_session *fw_session_find(struct azihsm_fw *fw, uint16_t id);
/* Close id if open; true if a session was closed. */
bool fw_session_close(struct azihsm_fw *fw, uint16_t id);
void fw_session_close_all(struct azihsm_fw *fw);

/* ---- Operations ---- */

/* Decoded request data of every implemented operation. */
union fw_req_data {
	uint8_t none;			/* GetApiRev, GetDeviceInfo: empty */
};

/* Response data of every implemented operation. */
union fw_resp_data {
	struct ddi_get_api_rev_resp get_api_rev;
	struct ddi_get_device_info_resp get_device_info;
};

/* What an operation sees of the command besides its data. */
struct fw_request {
	const struct ddi_req_hdr *hdr;
	/* Prefilled per ddi.md 2.3; OpenSession-like ops set sess_id. */
	struct ddi_resp_hdr *resp_hdr;
	/* Prefilled per hardware.md 6.7; open/close ops adjust it. */
	struct azihsm_fw_session *sess_out;
};

/*
 * Execute an operation whose header checks passed and whose data decoded.
 * Returns the DDI status; on success resp is encoded with the op's schema.
 */
typedef uint32_t fw_op_fn(struct azihsm_fw *fw, struct fw_request *rq,
			  const union fw_req_data *req,
			  union fw_resp_data *resp);

fw_op_fn fw_op_get_api_rev;
fw_op_fn fw_op_get_device_info;

/* ---- Dispatcher (fw_dispatch.c) ---- */

/*
 * Run one DDI request (ddi.md 2.6 steps 2-9) with fw->lock held.  Returns
 * the CQE host status; resp/resp_len/out are as for azihsm_fw_execute().
 */
uint16_t fw_dispatch(struct azihsm_fw *fw, const uint8_t *req, size_t req_len,
		     uint8_t *resp, size_t resp_cap, size_t *resp_len,
		     const struct azihsm_fw_session *in,
		     struct azihsm_fw_session *out);

#endif /* AZIHSM_FW_INTERNAL_H */
