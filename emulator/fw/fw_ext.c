// SPDX-License-Identifier: MIT
/*
 * The azihsm extensions of the firmware core (azihsm/hw.h, "azihsm
 * extensions"): random bytes for hw_random and the kernel key store that
 * lets the kernel crypto API use the AES fast path without a DDI session.
 *
 * Kernel keys are plain AES keys the host driver handed over through the
 * admin queue; they live in memory only (azihsm_fw_reset() wipes them),
 * and every fast-path result made with one says "not FIPS-approved".
 */
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "azihsm/hw.h"
#include "fw_internal.h"

_Static_assert(FW_EXT_KEYS == AZIHSM_EXT_KERNEL_KEYS, "kernel key slots");
_Static_assert(FW_EXT_KEY_MAX == AZIHSM_EXT_KEY_MAX, "kernel key size");
_Static_assert(FW_EXT_KEYS <= AZIHSM_EXT_KEY_INDEX(~0u) + 1, "index fits the id");

int azihsm_fw_ext_random(struct azihsm_fw *fw, uint8_t *buf, size_t len)
{
	if (!fw || !buf || !len || len > AZIHSM_EXT_RANDOM_MAX)
		return -1;
	return RAND_bytes(buf, (int)len) == 1 ? 0 : -1;
}

/* Key lengths each cipher takes (AES-128/192/256; XTS: two of them). */
static bool ext_key_len_valid(uint8_t cipher, size_t len)
{
	switch (cipher) {
	case AZIHSM_EXT_CIPHER_GCM:
	case AZIHSM_EXT_CIPHER_CBC:
		return len == 16 || len == 24 || len == 32;
	case AZIHSM_EXT_CIPHER_XTS:
		return len == 32 || len == 48 || len == 64;
	default:
		return false;
	}
}

/* The slot `id` names, or -1: bit 31 and an index below FW_EXT_KEYS only. */
static int ext_key_slot(uint32_t id)
{
	uint32_t index = AZIHSM_EXT_KEY_INDEX(id);

	if (id != (AZIHSM_EXT_KEY_ID_KERNEL | index) || index >= FW_EXT_KEYS)
		return -1;
	return (int)index;
}

uint16_t azihsm_fw_ext_key_import(struct azihsm_fw *fw, uint8_t cipher,
				  const uint8_t *key, size_t len, uint32_t *id)
{
	uint16_t status = AZIHSM_ADMIN_SC_INTERNAL_ERROR;
	unsigned int i;

	if (id)
		*id = 0;
	if (!fw || !id)
		return AZIHSM_ADMIN_SC_INTERNAL_ERROR;
	if (!key || !ext_key_len_valid(cipher, len))
		return AZIHSM_ADMIN_SC_INVALID_FIELD;

	pthread_mutex_lock(&fw->lock);
	for (i = 0; i < FW_EXT_KEYS; i++) {
		struct fw_ext_key *k = &fw->ext_keys[i];

		if (k->used)
			continue;
		k->used = true;
		k->cipher = cipher;
		k->len = (uint8_t)len;
		memcpy(k->key, key, len);
		*id = AZIHSM_EXT_KEY_ID_KERNEL | i;
		status = AZIHSM_ADMIN_SC_SUCCESS;
		break;
	}
	pthread_mutex_unlock(&fw->lock);
	return status;
}

uint16_t azihsm_fw_ext_key_delete(struct azihsm_fw *fw, uint32_t id)
{
	uint16_t status = AZIHSM_ADMIN_SC_INVALID_FIELD;
	int slot = ext_key_slot(id);

	if (!fw)
		return AZIHSM_ADMIN_SC_INTERNAL_ERROR;
	if (slot < 0)
		return AZIHSM_ADMIN_SC_INVALID_FIELD;
	pthread_mutex_lock(&fw->lock);
	if (fw->ext_keys[slot].used) {
		OPENSSL_cleanse(&fw->ext_keys[slot], sizeof(fw->ext_keys[slot]));
		status = AZIHSM_ADMIN_SC_SUCCESS;
	}
	pthread_mutex_unlock(&fw->lock);
	return status;
}

void fw_ext_clear(struct azihsm_fw *fw)
{
	OPENSSL_cleanse(fw->ext_keys, sizeof(fw->ext_keys));
}

bool fw_ext_key_get(struct azihsm_fw *fw, uint32_t id, struct fw_ext_key *out)
{
	int slot = ext_key_slot(id);

	memset(out, 0, sizeof(*out));
	if (slot < 0 || !fw->ext_keys[slot].used)
		return false;
	*out = fw->ext_keys[slot];
	return true;
}
