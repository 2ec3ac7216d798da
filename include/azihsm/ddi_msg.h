/* SPDX-License-Identifier: MIT */
/*
 * DDI messages: the envelope {0: header, 1: data} and the C form of each
 * operation's request and response data (spec/ddi.md sections 2 and 3).
 * The schemas here are the single description used by both the firmware
 * core (decode request / encode response) and libazihsm (the reverse).
 */
#ifndef AZIHSM_DDI_MSG_H
#define AZIHSM_DDI_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "azihsm/ddi.h"
#include "azihsm/mbor.h"

struct ddi_api_rev {
	uint32_t major;
	uint32_t minor;
};

struct ddi_req_hdr {
	bool has_rev;
	struct ddi_api_rev rev;
	uint32_t op;
	bool has_sess_id;
	uint16_t sess_id;
};

struct ddi_resp_hdr {
	bool has_rev;
	struct ddi_api_rev rev;
	uint32_t op;
	bool has_sess_id;
	uint16_t sess_id;
	uint32_t status;
	bool fips_approved;
};

extern const struct mbor_schema ddi_api_rev_schema;
extern const struct mbor_schema ddi_req_hdr_schema;
extern const struct mbor_schema ddi_resp_hdr_schema;
extern const struct mbor_schema ddi_empty_schema;

/* GetApiRev (1002): empty request. */
struct ddi_get_api_rev_resp {
	struct ddi_api_rev min;
	struct ddi_api_rev max;
};
extern const struct mbor_schema ddi_get_api_rev_resp_schema;

/* GetDeviceInfo (1003): empty request. */
struct ddi_get_device_info_resp {
	uint32_t kind;		/* AZIHSM_DDI_DEVICE_KIND_* */
	uint8_t tables;
	bool fips_approved;
};
extern const struct mbor_schema ddi_get_device_info_resp_schema;

/* Schemas of an operation's data; NULL for opcodes not known here. */
struct ddi_op_info {
	uint32_t op;
	const char *name;
	uint8_t ctrl;				/* AZIHSM_DDI_CTRL_* */
	const struct mbor_schema *req;
	const struct mbor_schema *resp;
};
const struct ddi_op_info *ddi_op_lookup(uint32_t op);
const char *ddi_op_name(uint32_t op);		/* "GetApiRev", or "unknown" */
const char *ddi_status_name(uint32_t status);	/* "DdiDecodeFailed", or NULL */

/*
 * Encode a whole message.  data may be NULL with ddi_empty_schema.
 * Return 0 and the length, or -1 if it does not fit in cap.
 */
int ddi_encode_request(const struct ddi_req_hdr *hdr,
		       const struct mbor_schema *data_schema, const void *data,
		       uint8_t *buf, size_t cap, size_t *len);
int ddi_encode_response(const struct ddi_resp_hdr *hdr,
			const struct mbor_schema *data_schema, const void *data,
			uint8_t *buf, size_t cap, size_t *len);

/*
 * Decode a request in two steps: the header (top-level map of exactly two
 * entries, key 0 = header), then, once the op is known, the data map.
 * Trailing bytes after the top-level map are ignored (firmware behaviour).
 */
struct ddi_req_view {
	struct ddi_req_hdr hdr;
	struct mbor_dec data;	/* positioned at the data map */
};
bool ddi_decode_request_hdr(const uint8_t *buf, size_t len, struct ddi_req_view *v);
bool ddi_decode_request_data(struct ddi_req_view *v, const struct mbor_schema *s, void *obj);

/*
 * Decode a response: header always; data only when hdr->status is 0 and
 * data_schema is not NULL.  False if the bytes are not a valid response.
 */
bool ddi_decode_response(const uint8_t *buf, size_t len, struct ddi_resp_hdr *hdr,
			 const struct mbor_schema *data_schema, void *data);

#endif /* AZIHSM_DDI_MSG_H */
