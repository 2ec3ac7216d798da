// SPDX-License-Identifier: MIT
/*
 * The partition's session table (ddi.md 6.3).  Sessions are opened by
 * OpenSession, which is not implemented yet, so in this version the table
 * only ever holds closed slots; lookups, Flush and reset already go through
 * it so that OpenSession only has to fill a slot.
 */
#include <string.h>

#include "fw_internal.h"

struct fw_session *fw_session_find(struct azihsm_fw *fw, uint16_t id)
{
	if (id >= FW_MAX_SESSIONS || !fw->sessions[id].open)
		return NULL;
	return &fw->sessions[id];
}

bool fw_session_close(struct azihsm_fw *fw, uint16_t id)
{
	struct fw_session *s = fw_session_find(fw, id);

	if (!s)
		return false;
	memset(s, 0, sizeof(*s));
	return true;
}

void fw_session_close_all(struct azihsm_fw *fw)
{
	uint16_t id;

	for (id = 0; id < FW_MAX_SESSIONS; id++)
		fw_session_close(fw, id);
}
