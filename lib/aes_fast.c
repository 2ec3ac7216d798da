// SPDX-License-Identifier: MIT
/*
 * The AES fast path (spec/hardware.md 7, 9.8): AES-GCM and AES-XTS with
 * the bulk keys of the device's fast-path store, one transport aes_cmd
 * per call, in the session of the key's handle.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "azihsm/hw.h"
#include "lib_internal.h"

/* ERR of STS 0x3 (table D): tag mismatch without the correction path. */
#define AES_ENGINE_ERR_TAG_MISMATCH	0x9

/* The service indicator of the thread's last fast-path call. */
static _Thread_local bool last_fips_approved;

bool azihsm_aes_fips_approved(void)
{
	return last_fips_approved;
}

/* The status of a command the device failed (STS / ERR of 7.7). */
static int device_failure(uint32_t sts, uint32_t err)
{
	switch (sts) {
	case AZIHSM_AES_STS_INVALID_FIELD_GCM:
		switch (err) {
		case AZIHSM_AES_GCM_ERR_TAG_MISMATCH:
			return AZIHSM_ERR_AUTH_FAILED;
		case AZIHSM_AES_GCM_ERR_INVALID_KEY:
			return AZIHSM_ERR_KEY_NOT_FOUND;
		case AZIHSM_AES_GCM_ERR_KEY_NOT_OWNED:
		case AZIHSM_AES_GCM_ERR_SESSION:
		case AZIHSM_AES_GCM_ERR_APP:
			return AZIHSM_ERR_KEY_USAGE;
		case AZIHSM_AES_GCM_ERR_NOT_GCM_KEY:
			return AZIHSM_ERR_KEY_TYPE;
		}
		break;
	case AZIHSM_AES_STS_INVALID_FIELD_XTS:
		switch (err) {
		case AZIHSM_AES_XTS_ERR_INVALID_KEY1:
		case AZIHSM_AES_XTS_ERR_INVALID_KEY2:
			return AZIHSM_ERR_KEY_NOT_FOUND;
		case AZIHSM_AES_XTS_ERR_KEY_NOT_OWNED:
		case AZIHSM_AES_XTS_ERR_KEY1_SESSION:
		case AZIHSM_AES_XTS_ERR_KEY2_SESSION:
		case AZIHSM_AES_XTS_ERR_KEY1_APP:
		case AZIHSM_AES_XTS_ERR_KEY2_APP:
			return AZIHSM_ERR_KEY_USAGE;
		case AZIHSM_AES_XTS_ERR_EPHEMERAL_MISMATCH:
		case AZIHSM_AES_XTS_ERR_KEY1_NOT_XTS:
		case AZIHSM_AES_XTS_ERR_KEY2_NOT_XTS:
			return AZIHSM_ERR_KEY_TYPE;
		case AZIHSM_AES_XTS_ERR_SAME_KEY_INDEX:
		case AZIHSM_AES_XTS_ERR_SAME_KEY_MATERIAL:
			return AZIHSM_ERR_INVALID_ARG;
		}
		break;
	case AZIHSM_AES_STS_CRYPTO_ENGINE_ERROR:
		if (err == AES_ENGINE_ERR_TAG_MISMATCH)
			return AZIHSM_ERR_AUTH_FAILED;
		break;
	}
	return AZIHSM_ERR_DEVICE;
}

/*
 * Run cmd (inputs but the session filled in) on dev in its session and
 * record the outcome: AZIHSM_OK only when the device reported success.
 */
static int fast_cmd(struct azihsm_dev *dev, struct azihsm_transport_aes_cmd *cmd)
{
	struct azihsm_error *e = lib_err_cur();
	int ret;

	pthread_mutex_lock(&dev->lock);
	if (!dev->ops->aes_cmd) {
		pthread_mutex_unlock(&dev->lock);
		return lib_err_set(AZIHSM_ERR_NOT_SUPPORTED);
	}
	if (!dev->sess) {
		pthread_mutex_unlock(&dev->lock);
		return lib_err_set(AZIHSM_ERR_NO_SESSION);
	}
	cmd->session_id = azihsm_session_id(dev->sess);
	cmd->short_app_id = azihsm_session_short_app_id(dev->sess);
	memset(&cmd->result, 0, sizeof(*cmd) - offsetof(struct azihsm_transport_aes_cmd, result));
	ret = dev->ops->aes_cmd(dev->ctx, cmd);
	pthread_mutex_unlock(&dev->lock);

	last_fips_approved = cmd->fips_approved;
	if (ret < 0)
		return lib_err_from_errno(-ret, cmd->ext_status);
	/* The driver's rule: STS or ERR non-zero is a failed command. */
	if (cmd->result || cmd->ext_status) {
		ret = lib_err_set(device_failure(cmd->result, cmd->ext_status));
		e->device_status = cmd->result;
		e->ext_status = cmd->ext_status;
		e->sys_errno = cmd->sys_errno;
		return ret;
	}
	return AZIHSM_OK;
}

/* The start of every fast-path call: KEY_TYPE unless type_ok. */
static int fast_start(const struct azihsm_key *key, bool type_ok)
{
	lib_err_reset();
	last_fips_approved = false;
	if (!key)
		return lib_err_set(AZIHSM_ERR_INVALID_ARG);
	return type_ok ? AZIHSM_OK : lib_err_set(AZIHSM_ERR_KEY_TYPE);
}

/* ---- AES-GCM ---- */

static bool is_gcm_key(const struct azihsm_key *key)
{
	return key && (key->type == AZIHSM_KEY_AES_GCM_BULK ||
		       key->type == AZIHSM_KEY_AES_GCM_BULK_UNAPPROVED);
}

/*
 * A GCM command's buffers (hardware.md 7.9): source and destination are
 * both [AAD region of `aligned` bytes][text], the AAD `lead` bytes into
 * its region and zeros around it.
 */
struct gcm_buf {
	size_t lead;
	size_t aligned;
	size_t size;		/* aligned + text */
	uint8_t *src;
	uint8_t *dst;		/* the same layout, filled by the device */
};

/*
 * The SDK's AAD alignment: with r = aad_len mod 32, 16 zero bytes before
 * the AAD when 1 <= r <= 16, then zeros up to a multiple of 32.  Zero
 * blocks before the AAD and fewer than 16 zero bytes after it leave the
 * tag what it is over the AAD alone (7.11).  With no text and no padding
 * the AAD would be the whole source, which the driver refuses (7.8):
 * then 32 zero bytes go in front instead.
 */
static int gcm_buf_init(struct gcm_buf *b, const uint8_t *aad, size_t aad_len,
			const uint8_t *text, size_t len)
{
	size_t r = aad_len % AZIHSM_AES_GCM_AAD_ALIGN;

	b->lead = r >= 1 && r <= 16 ? 16 : 0;
	if (!r && !len)
		b->lead = AZIHSM_AES_GCM_AAD_ALIGN;
	b->aligned = (b->lead + aad_len + AZIHSM_AES_GCM_AAD_ALIGN - 1) /
		     AZIHSM_AES_GCM_AAD_ALIGN * AZIHSM_AES_GCM_AAD_ALIGN;
	b->size = b->aligned + len;
	b->src = calloc(2, b->size);
	if (!b->src)
		return AZIHSM_ERR_NO_MEMORY;
	b->dst = b->src + b->size;
	if (aad_len)
		memcpy(b->src + b->lead, aad, aad_len);
	if (len)
		memcpy(b->src + b->aligned, text, len);
	return AZIHSM_OK;
}

static void gcm_buf_free(struct gcm_buf *b)
{
	if (!b->src)
		return;
	/* Text both ways: plaintext is in one of them. */
	explicit_bzero(b->src, 2 * b->size);
	free(b->src);
}

/* Arguments of both directions; INVALID_ARG or OK. */
static bool gcm_args_ok(const uint8_t *aad, size_t aad_len, const uint8_t *in,
			size_t len, const uint8_t *out)
{
	return (aad || !aad_len) && (in || !len) && (out || !len) &&
	       aad_len <= AZIHSM_AES_FAST_MAX_LEN && len <= AZIHSM_AES_FAST_MAX_LEN;
}

/* One GCM command of direction op over b; the tag in or out by cmd. */
static int gcm_run(struct azihsm_key *key, struct gcm_buf *b, size_t aad_len,
		   struct azihsm_transport_aes_cmd *cmd)
{
	cmd->cipher = AZIHSM_TRANSPORT_AES_GCM;
	cmd->src = b->src;
	cmd->src_len = (uint32_t)b->size;
	cmd->dst = b->dst;
	cmd->dst_len = (uint32_t)b->size;
	cmd->gcm.key_id = key->bulk_id;
	cmd->gcm.actual_aad_len = (uint32_t)aad_len;
	cmd->gcm.aligned_aad_len = (uint32_t)b->aligned;
	/* Text of any length: the driver and device handle the tail. */
	cmd->gcm.tail_protocol = true;
	return fast_cmd(key->dev, cmd);
}

int azihsm_aes_gcm_encrypt(struct azihsm_key *key, const uint8_t iv_in[AZIHSM_GCM_IV_LEN],
			   const uint8_t *aad, size_t aad_len,
			   const uint8_t *pt, size_t len, uint8_t *ct,
			   uint8_t tag[AZIHSM_GCM_TAG_LEN],
			   uint8_t iv_out[AZIHSM_GCM_IV_LEN])
{
	struct azihsm_transport_aes_cmd cmd = { .op = AZIHSM_TRANSPORT_AES_ENCRYPT };
	struct gcm_buf b = { 0 };
	bool host_iv;
	int ret;

	ret = fast_start(key, is_gcm_key(key));
	if (ret)
		return ret;
	/* Only an unapproved key takes the caller's IV (hardware.md 7.12). */
	host_iv = key->type == AZIHSM_KEY_AES_GCM_BULK_UNAPPROVED;
	if (!gcm_args_ok(aad, aad_len, pt, len, ct) || !tag || !iv_out ||
	    (host_iv && !iv_in))
		return lib_err_set(AZIHSM_ERR_INVALID_ARG);
	if (host_iv)
		memcpy(cmd.gcm.iv, iv_in, AZIHSM_GCM_IV_LEN);

	ret = gcm_buf_init(&b, aad, aad_len, pt, len);
	if (ret)
		return lib_err_set(ret);
	ret = gcm_run(key, &b, aad_len, &cmd);
	if (!ret) {
		if (len)
			memcpy(ct, b.dst + b.aligned, len);
		memcpy(tag, cmd.tag_out, AZIHSM_GCM_TAG_LEN);
		memcpy(iv_out, cmd.iv_out, AZIHSM_GCM_IV_LEN);
	}
	gcm_buf_free(&b);
	return ret;
}

int azihsm_aes_gcm_decrypt(struct azihsm_key *key, const uint8_t iv[AZIHSM_GCM_IV_LEN],
			   const uint8_t *aad, size_t aad_len,
			   const uint8_t *ct, size_t len,
			   const uint8_t tag[AZIHSM_GCM_TAG_LEN], uint8_t *pt)
{
	struct azihsm_transport_aes_cmd cmd = { .op = AZIHSM_TRANSPORT_AES_DECRYPT };
	struct gcm_buf b = { 0 };
	int ret;

	ret = fast_start(key, is_gcm_key(key));
	if (!ret && (!gcm_args_ok(aad, aad_len, ct, len, pt) || !iv || !tag))
		ret = lib_err_set(AZIHSM_ERR_INVALID_ARG);
	if (!ret) {
		memcpy(cmd.gcm.iv, iv, AZIHSM_GCM_IV_LEN);
		memcpy(cmd.gcm.tag, tag, AZIHSM_GCM_TAG_LEN);
		ret = gcm_buf_init(&b, aad, aad_len, ct, len);
		if (ret)
			ret = lib_err_set(ret);
	}
	if (!ret)
		ret = gcm_run(key, &b, aad_len, &cmd);
	if (!ret && len)
		memcpy(pt, b.dst + b.aligned, len);
	/*
	 * Nothing of a failed decryption reaches pt; what it held goes too,
	 * unless it is the ciphertext, which the caller may want to retry.
	 */
	if (ret && len && pt && pt != ct)
		explicit_bzero(pt, len);
	gcm_buf_free(&b);
	return ret;
}

/* ---- AES-XTS ---- */

/* The DUL code of a data unit length in bytes; -1 if none. */
static int xts_dul(uint32_t data_unit)
{
	switch (data_unit) {
	case 0:		return AZIHSM_AES_DUL_WHOLE;
	case 512:	return AZIHSM_AES_DUL_512;
	case 4096:	return AZIHSM_AES_DUL_4096;
	case 8192:	return AZIHSM_AES_DUL_8192;
	}
	return -1;
}

int azihsm_aes_xts(struct azihsm_key *key1, struct azihsm_key *key2, bool encrypt,
		   uint32_t data_unit, const uint8_t tweak[AZIHSM_XTS_TWEAK_LEN],
		   const uint8_t *in, size_t len, uint8_t *out)
{
	struct azihsm_transport_aes_cmd cmd = {
		.cipher = AZIHSM_TRANSPORT_AES_XTS,
		.op = encrypt ? AZIHSM_TRANSPORT_AES_ENCRYPT : AZIHSM_TRANSPORT_AES_DECRYPT,
	};
	int dul = xts_dul(data_unit);
	int ret;

	ret = fast_start(key1, key1 && key1->type == AZIHSM_KEY_AES_XTS_BULK);
	if (ret)
		return ret;
	if (!key2)
		return lib_err_set(AZIHSM_ERR_INVALID_ARG);
	if (key2->type != AZIHSM_KEY_AES_XTS_BULK)
		return lib_err_set(AZIHSM_ERR_KEY_TYPE);
	/* XTS needs two keys, and the command goes through one handle. */
	if (key1->bulk_id == key2->bulk_id || key1->dev != key2->dev || !tweak ||
	    !in || !out || !len || len % 16 || len > AZIHSM_AES_FAST_MAX_LEN ||
	    dul < 0 || (data_unit && len % data_unit))
		return lib_err_set(AZIHSM_ERR_INVALID_ARG);

	cmd.src = in;
	cmd.src_len = (uint32_t)len;
	cmd.dst = out;
	cmd.dst_len = (uint32_t)len;
	cmd.xts.data_unit = (uint8_t)dul;
	cmd.xts.key_id1 = key1->bulk_id;
	cmd.xts.key_id2 = key2->bulk_id;
	memcpy(cmd.xts.tweak, tweak, AZIHSM_XTS_TWEAK_LEN);
	ret = fast_cmd(key1->dev, &cmd);
	if (!ret && cmd.byte_count != len)
		ret = lib_err_set(AZIHSM_ERR_MALFORMED);
	/* A failure leaves nothing in out, unless out is the input. */
	if (ret && out != in)
		explicit_bzero(out, len);
	return ret;
}
