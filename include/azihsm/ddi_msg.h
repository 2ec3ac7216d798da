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

/* ---- Certificate chain (3.3.3, 3.3.4, 7.12) ---- */

#define DDI_CERT_SLOT_ID	0	/* the only slot the device has */
#define DDI_CERT_MAX		2048	/* certificate (8.2) */
#define DDI_THUMBPRINT_LEN	32	/* SHA-256 (7.12.1) */

/* GetCertChainInfo (1108). */
struct ddi_get_cert_chain_info_req {
	uint8_t slot_id;
};
extern const struct mbor_schema ddi_get_cert_chain_info_req_schema;

struct ddi_get_cert_chain_info_resp {
	uint8_t num_certs;
	struct mbor_bytes thumbprint;		/* bytes<=32, always 32 */
};
extern const struct mbor_schema ddi_get_cert_chain_info_resp_schema;

/* GetCertificate (1109). */
struct ddi_get_certificate_req {
	uint8_t slot_id;
	uint8_t cert_id;			/* 0 .. num_certs - 1 */
};
extern const struct mbor_schema ddi_get_certificate_req_schema;

struct ddi_get_certificate_resp {
	struct mbor_bytes certificate;		/* DER X.509, bytes<=2048 */
};
extern const struct mbor_schema ddi_get_certificate_resp_schema;

/* ---- Provisioning, credentials and sessions (3.2, 3.4) ---- */

#define DDI_PUBLIC_KEY_MAX	768
#define DDI_BLOB_MAX		1024	/* masked_bk3, bmk, bmk_session, ... */
#define DDI_KEY_KIND_ECC384_PUBLIC 23

/* PublicKey (3.2.1); physical devices carry the raw form of 7.1.2. */
struct ddi_public_key {
	struct mbor_bytes der;
	uint32_t key_kind;
};
extern const struct mbor_schema ddi_public_key_schema;

/* GetEstablishCredEncryptionKey (1101) and GetSessionEncryptionKey (1103). */
struct ddi_cred_key_resp {
	struct ddi_public_key pub_key;
	struct mbor_bytes nonce;		/* bytes[32] */
	struct mbor_bytes pub_key_signature;	/* bytes<=192 */
};
extern const struct mbor_schema ddi_cred_key_resp_schema;

/* EncryptedEstablishCredential (3.2.3). */
struct ddi_encrypted_establish_cred {
	struct mbor_bytes encrypted_id;
	struct mbor_bytes encrypted_pin;
	struct mbor_bytes iv;
	struct mbor_bytes nonce;		/* bytes[32] */
	struct mbor_bytes tag;			/* bytes[48] */
};
extern const struct mbor_schema ddi_encrypted_establish_cred_schema;

/* EstablishCredential (1102). */
struct ddi_establish_credential_req {
	struct ddi_encrypted_establish_cred encrypted_credential;
	struct ddi_public_key pub_key;
	struct mbor_bytes masked_bk3;
	struct mbor_bytes bmk;
	struct mbor_bytes masked_unwrapping_key;
	struct mbor_bytes pota_sig;
	struct ddi_public_key pota_pub_key;
};
extern const struct mbor_schema ddi_establish_credential_req_schema;

struct ddi_establish_credential_resp {
	struct mbor_bytes bmk;
};
extern const struct mbor_schema ddi_establish_credential_resp_schema;

/* EncryptedSessionCredential (3.2.3). */
struct ddi_encrypted_session_cred {
	struct mbor_bytes encrypted_id;
	struct mbor_bytes encrypted_pin;
	struct mbor_bytes encrypted_seed;
	struct mbor_bytes iv;
	struct mbor_bytes nonce;		/* bytes[32] */
	struct mbor_bytes tag;			/* bytes[48] */
};
extern const struct mbor_schema ddi_encrypted_session_cred_schema;

/* OpenSession (1104). */
struct ddi_open_session_req {
	struct ddi_encrypted_session_cred encrypted_credential;
	struct ddi_public_key pub_key;
};
extern const struct mbor_schema ddi_open_session_req_schema;

struct ddi_open_session_resp {
	uint16_t sess_id;
	uint8_t short_app_id;
	struct mbor_bytes bmk_session;
};
extern const struct mbor_schema ddi_open_session_resp_schema;

/* EncryptedPin (3.2.3): keys start at 2. */
struct ddi_encrypted_pin {
	struct mbor_bytes encrypted_pin;
	struct mbor_bytes iv;
	struct mbor_bytes nonce;		/* bytes[32] */
	struct mbor_bytes tag;			/* bytes[48] */
};
extern const struct mbor_schema ddi_encrypted_pin_schema;

/* ChangePin (1106): empty response. */
struct ddi_change_pin_req {
	struct ddi_encrypted_pin new_pin;
	struct ddi_public_key pub_key;
};
extern const struct mbor_schema ddi_change_pin_req_schema;

/* InitBk3 (1111). */
#define DDI_BK3_LEN		48
#define DDI_VM_LAUNCH_GUID_LEN	16
struct ddi_init_bk3_req {
	struct mbor_bytes bk3;
};
extern const struct mbor_schema ddi_init_bk3_req_schema;

struct ddi_init_bk3_resp {
	struct mbor_bytes masked_bk3;
	struct mbor_bytes vm_launch_guid;	/* bytes[16] */
};
extern const struct mbor_schema ddi_init_bk3_resp_schema;

/* GetSealedBk3 (1112) response and SetSealedBk3 (1113) request. */
struct ddi_sealed_bk3 {
	struct mbor_bytes sealed_bk3;
};
extern const struct mbor_schema ddi_sealed_bk3_schema;

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
