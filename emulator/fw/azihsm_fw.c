// SPDX-License-Identifier: MIT
/*
 * Firmware core object and its queue-facing entry points: transport-level
 * checks of a command (hardware.md 6.4/6.5), locking, Flush (6.8), reset
 * and the migration test hook.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "azihsm/hw.h"
#include "fw_internal.h"

/* Identify strings are printable ASCII of at most 32 characters. */
static bool id_string_valid(const char *s)
{
	size_t n;

	if (!s)
		return true;
	for (n = 0; s[n]; n++)
		if (n >= FW_ID_STRING_MAX || s[n] < 0x20 || s[n] > 0x7e)
			return false;
	return true;
}

static void id_string_copy(char *dst, const char *src)
{
	if (src)
		strcpy(dst, src);	/* length checked by id_string_valid() */
	else
		dst[0] = '\0';
}

struct azihsm_fw *azihsm_fw_new(const struct azihsm_fw_config *cfg)
{
	struct azihsm_fw *fw;

	if (!cfg || !cfg->key_tables || cfg->key_tables > FW_KEY_TABLES_MAX ||
	    !id_string_valid(cfg->serial) ||
	    !id_string_valid(cfg->fw_rev)) {
		errno = EINVAL;
		return NULL;
	}
	fw = calloc(1, sizeof(*fw));
	if (!fw)
		return NULL;
	if (pthread_mutex_init(&fw->lock, NULL)) {
		free(fw);
		errno = ENOMEM;
		return NULL;
	}
	fw->cfg = *cfg;
	id_string_copy(fw->serial, cfg->serial);
	id_string_copy(fw->fw_rev, cfg->fw_rev);
	fw->cfg.serial = fw->serial;
	fw->cfg.fw_rev = fw->fw_rev;
	/* The identity key exists before any DDI traffic (ddi.md 6.1). */
	if (fw_partition_init(fw)) {
		azihsm_fw_free(fw);
		errno = ENOMEM;
		return NULL;
	}
	return fw;
}

void azihsm_fw_free(struct azihsm_fw *fw)
{
	if (!fw)
		return;
	pthread_mutex_destroy(&fw->lock);
	fw_partition_destroy(fw);
	fw_ext_clear(fw);
	free(fw);
}

int azihsm_fw_identity_public_key(struct azihsm_fw *fw, uint8_t point[97])
{
	int ret;

	if (!fw || !point)
		return -1;
	pthread_mutex_lock(&fw->lock);
	ret = ddi_p384_public_point(fw->identity_key, point);
	pthread_mutex_unlock(&fw->lock);
	return ret;
}

uint16_t azihsm_fw_execute(struct azihsm_fw *fw,
			   const uint8_t *req, size_t req_len,
			   uint8_t *resp, size_t resp_cap, size_t *resp_len,
			   const struct azihsm_fw_session *in,
			   struct azihsm_fw_session *out)
{
	uint16_t status;

	if (resp_len)
		*resp_len = 0;
	if (out)
		memset(out, 0, sizeof(*out));
	if (!fw || !resp_len || !in || !out)
		return AZIHSM_HSM_SC_INTERNAL_ERROR;
	/*
	 * The real firmware takes requests of one page (1..4096 bytes); the
	 * model accepts anything the driver can send (two pages, 8192).
	 */
	if (!req || !req_len || req_len > AZIHSM_HSM_MAX_XFER)
		return AZIHSM_HSM_SC_INVALID_SRC_LEN;
	if (!resp || !resp_cap)
		return AZIHSM_HSM_SC_INVALID_DST_LEN;
	/* A larger buffer is fine; a response never exceeds two pages. */
	if (resp_cap > AZIHSM_DDI_MAX_RESPONSE)
		resp_cap = AZIHSM_DDI_MAX_RESPONSE;

	pthread_mutex_lock(&fw->lock);
	status = fw_dispatch(fw, req, req_len, resp, resp_cap, resp_len, in, out);
	pthread_mutex_unlock(&fw->lock);
	return status;
}

uint16_t azihsm_fw_flush_session(struct azihsm_fw *fw,
				 const struct azihsm_fw_session *in,
				 struct azihsm_fw_session *out)
{
	bool closed;

	if (out)
		memset(out, 0, sizeof(*out));
	if (!fw || !in || !out)
		return AZIHSM_HSM_SC_INTERNAL_ERROR;
	if ((in->flags & AZIHSM_SESS_KIND_MASK) != AZIHSM_SESS_CLOSE ||
	    !(in->flags & AZIHSM_SESS_ID_VALID))
		return AZIHSM_HSM_SC_INTERNAL_ERROR;

	pthread_mutex_lock(&fw->lock);
	closed = fw_session_close(fw, in->id);
	pthread_mutex_unlock(&fw->lock);

	/* Flushing an unknown session is not an error: nothing to close. */
	out->flags = AZIHSM_SESS_CLOSE | AZIHSM_SESS_ID_VALID;
	if (closed)
		out->flags |= AZIHSM_SESS_CLOSED;
	out->id = in->id;
	return AZIHSM_HSM_SC_SUCCESS;
}

void azihsm_fw_reset(struct azihsm_fw *fw)
{
	if (!fw)
		return;
	/*
	 * Sessions and key tables are volatile; credentials, nonce, BK3
	 * state and the masking key are persistent (ddi.md 9).  Kernel keys
	 * of the extensions are volatile too: the driver re-imports them.
	 */
	pthread_mutex_lock(&fw->lock);
	fw_session_close_all(fw);
	fw_keys_clear(fw);
	fw_ext_clear(fw);
	pthread_mutex_unlock(&fw->lock);
}

void azihsm_fw_simulate_migration(struct azihsm_fw *fw)
{
	if (!fw)
		return;
	pthread_mutex_lock(&fw->lock);
	fw_session_migrate_all(fw);
	pthread_mutex_unlock(&fw->lock);
}
