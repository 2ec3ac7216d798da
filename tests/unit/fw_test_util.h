/* SPDX-License-Identifier: MIT */
/*
 * Shared helpers of the firmware-core unit tests: a test acting as the
 * host provisions the partition, opens sessions and sends DDI requests
 * through azihsm_fw_execute(), asserting transport success and decoding
 * the response.  Statuses are returned for the test to assert.
 */
#ifndef AZIHSM_FW_TEST_UTIL_H
#define AZIHSM_FW_TEST_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "azihsm/ddi_crypto.h"
#include "azihsm/ddi_msg.h"
#include "azihsm/hw.h"
#include "azihsm_fw.h"

#define S(name)		AZIHSM_DDI_STATUS_##name
#define OP(name)	AZIHSM_DDI_OP_##name

extern const uint8_t app_id[DDI_CRED_ID_LEN];
extern const uint8_t app_pin[DDI_CRED_PIN_LEN];
extern const uint8_t bad_pin[DDI_CRED_PIN_LEN];

struct host {
	struct azihsm_fw *fw;
	uint64_t now;			/* the core's clock, seconds */
	DDI_PKEY *pota;			/* the owner's trust anchor */
	DDI_PKEY *eph;			/* reused ephemeral key (speed) */
	uint8_t masked_bk3[DDI_BLOB_MAX];
	size_t masked_bk3_len;
	uint8_t bmk[DDI_BLOB_MAX];
	size_t bmk_len;
	/* Last response. */
	uint8_t resp[AZIHSM_DDI_MAX_RESPONSE];
	size_t len;
	struct ddi_resp_hdr hdr;
	struct azihsm_fw_session out;
};

/* An EstablishCredential request and the storage it points into. */
struct est {
	struct ddi_cred_sealed sealed;
	uint8_t pota_pub[DDI_P384_RAW_PUB_LEN];
	uint8_t pota_sig[DDI_P384_RAW_SIG_LEN];
	struct ddi_establish_credential_req req;
};

/* An OpenSession request and its storage. */
struct sess {
	struct ddi_cred_sealed sealed;
	struct ddi_open_session_req req;
};

/*
 * CMocka setup/teardown: a fresh core with one key table (host_setup) or
 * key_tables, and the test-only operations if test_ops.
 */
int host_setup(void **state);
int host_setup_tables(void **state, uint8_t key_tables, bool test_ops);
int host_teardown(void **state);

/* The core's injected clock: h->now. */
uint64_t host_clock(void *opaque);
/*
 * Send op with the queue block (qflags, qid) and, if hdr_sess, hdr.sess_id;
 * decode the response data with resp_schema on success.  Returns the DDI
 * status.
 */
uint32_t call_ex(struct host *h, uint32_t op, uint8_t qflags, uint16_t qid,
		 bool hdr_sess, uint16_t sess_id,
		 const struct mbor_schema *req_schema, const void *req,
		 const struct mbor_schema *resp_schema, void *resp);
/* As the driver would: the queue block follows the op's control kind. */
uint32_t call(struct host *h, uint32_t op, uint16_t sess_id,
	      const struct mbor_schema *req_schema, const void *req,
	      const struct mbor_schema *resp_schema, void *resp);
/* Get*EncryptionKey; the key's signature is verified. */
uint32_t get_key(struct host *h, uint32_t op, uint8_t pub[96], uint8_t nonce[32]);
uint32_t init_bk3(struct host *h, size_t bk3_len);
void est_build(struct host *h, struct est *e, const uint8_t *pin);
uint32_t est_send(struct host *h, struct est *e);
/* InitBk3 + EstablishCredential with app_id / app_pin. */
void provision(struct host *h);
void sess_build(struct host *h, struct sess *s, const uint8_t *pin);
uint32_t sess_send(struct host *h, struct sess *s, uint16_t *id);
uint32_t open_session(struct host *h, const uint8_t *pin, uint16_t *id);
uint32_t close_session(struct host *h, uint16_t id);

/* Key properties of a request (4.9) and the metadata blob they point at. */
struct key_props {
	uint8_t meta[DDI_KEY_META_LEN];
	struct ddi_key_properties kp;
};

/* Fill p with the usage bits (DDI_KEY_META_*) and return its properties. */
const struct ddi_key_properties *key_props(struct key_props *p, uint16_t bits);

/* A provisioned core (struct host) and one session open with app_pin. */
struct sess_fix {
	struct host *h;
	uint16_t sess;
};

/*
 * CMocka setup/teardown of a struct sess_fix in *state: a core with
 * key_tables tables and, if test_ops, the test-only operations.
 */
int sess_fix_setup(void **state, uint8_t key_tables, bool test_ops);
int sess_fix_teardown(void **state);
/* call() in the fixture's session. */
uint32_t sess_fix_call(struct sess_fix *t, uint32_t op, const struct mbor_schema *req_schema,
		       const void *req, const struct mbor_schema *resp_schema, void *resp);
/* DeleteKey of id in the fixture's session; the DDI status. */
uint32_t sess_fix_delete_key(struct sess_fix *t, uint16_t id);

/* A derivation request; p3/p4 NULL: absent. */
struct fw_kdf {
	uint32_t op;			/* HKDF_DERIVE or KBKDF_COUNTER_HMAC_DERIVE */
	uint32_t hash;			/* DdiHashAlgorithm */
	const uint8_t *p3;		/* salt / label */
	size_t p3_len;
	const uint8_t *p4;		/* info / context */
	size_t p4_len;
	uint32_t target;		/* key type */
	uint16_t usage;			/* DDI_KEY_META_* */
	int key_length;			/* < 0: absent */
};

/* Send k from secret; the new key's id in *id (and the answer in *r if not NULL). */
uint32_t sess_fix_derive(struct sess_fix *t, uint16_t secret, const struct fw_kdf *k,
			 uint16_t *id, struct ddi_kdf_resp *r);
/* Hmac of msg with key; the tag (room for 64 bytes) and its length. */
uint32_t sess_fix_hmac(struct sess_fix *t, uint16_t key, const uint8_t *msg, size_t len,
		       uint8_t *tag, size_t *tag_len);

#endif /* AZIHSM_FW_TEST_UTIL_H */
