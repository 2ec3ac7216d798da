// SPDX-License-Identifier: MIT
/*
 * The partition's session table (ddi.md 6.3) and CloseSession (3.4.5).
 * OpenSession (fw_cred.c) fills a slot once the credential checked out;
 * CloseSession, Flush and reset empty them.  Each open session holds one
 * internal key-table entry (fw_vault.c).  A simulated migration (6.9)
 * leaves slots pending renegotiation without entry or masking key until
 * ReopenSession (fw_cred.c) re-arms them.
 */
#include <string.h>

#include <openssl/crypto.h>

#include "azihsm/hw.h"
#include "fw_internal.h"

struct fw_session *fw_session_find(struct azihsm_fw *fw, uint16_t id)
{
	if (id >= FW_MAX_SESSIONS || !fw->sessions[id].open)
		return NULL;
	return &fw->sessions[id];
}

uint32_t fw_session_alloc(struct azihsm_fw *fw, uint16_t *id)
{
	uint16_t i;

	/* Ids are handed out lowest free first. */
	for (i = 0; i < FW_MAX_SESSIONS; i++) {
		if (!fw->sessions[i].open) {
			*id = i;
			/*
			 * The session also needs a key-table entry (6.3):
			 * fw_session_open takes it, nothing in between does.
			 */
			return fw_vault_session_room(fw);
		}
	}
	return AZIHSM_DDI_STATUS_VAULT_SESSION_LIMIT_REACHED;
}

void fw_session_open(struct azihsm_fw *fw, uint16_t id, const struct ddi_api_rev *rev,
		     const uint8_t smk[DDI_MASKING_KEY_LEN])
{
	struct fw_session *s = &fw->sessions[id];

	/* fw_session_alloc checked there is room; nothing can fail here. */
	fw_vault_add_session(fw, id, smk);
	s->open = true;
	s->needs_renegotiation = false;
	s->rev = *rev;
	memcpy(s->smk, smk, sizeof(s->smk));
}

uint32_t fw_session_check_reopen(struct azihsm_fw *fw, uint16_t id)
{
	const struct fw_session *s = fw_session_find(fw, id);

	/* The dispatcher let only an allocated session through (2.6 step 5). */
	if (!s)
		return AZIHSM_DDI_STATUS_SESSION_NOT_FOUND;
	if (!s->needs_renegotiation)
		return AZIHSM_DDI_STATUS_PROCESSED_IO_EVENT_IN_INVALID_STATE;
	return AZIHSM_DDI_STATUS_SUCCESS;
}

void fw_session_migrate_all(struct azihsm_fw *fw)
{
	uint16_t id;

	/*
	 * The session table survives, nothing else of a session does: its
	 * entry goes with the key tables and the masking key must come back
	 * from the host's bmk_session.  Closing such a slot then finds no
	 * key to drop, and ReopenSession adds the entry again.
	 */
	fw_keys_clear(fw);
	for (id = 0; id < FW_MAX_SESSIONS; id++) {
		struct fw_session *s = &fw->sessions[id];

		if (!s->open)
			continue;
		s->needs_renegotiation = true;
		OPENSSL_cleanse(s->smk, sizeof(s->smk));
	}
}

bool fw_session_close(struct azihsm_fw *fw, uint16_t id)
{
	struct fw_session *s = fw_session_find(fw, id);

	if (!s)
		return false;
	/* Session keys and the session's own entry go with it (6.5). */
	fw_keys_drop_session(fw, id);
	OPENSSL_cleanse(s, sizeof(*s));
	return true;
}

void fw_session_close_all(struct azihsm_fw *fw)
{
	uint16_t id;

	for (id = 0; id < FW_MAX_SESSIONS; id++)
		fw_session_close(fw, id);
}

uint32_t fw_op_close_session(struct azihsm_fw *fw, struct fw_request *rq,
			     const union fw_req_data *req, union fw_resp_data *resp)
{
	(void)req;
	(void)resp;
	/* The dispatcher made sure the session exists (2.6 step 5). */
	if (!fw_session_close(fw, rq->hdr->sess_id))
		return AZIHSM_DDI_STATUS_SESSION_NOT_FOUND;
	rq->sess_out->flags |= AZIHSM_SESS_CLOSED;
	return AZIHSM_DDI_STATUS_SUCCESS;
}
