// SPDX-License-Identifier: MIT
/*
 * Sessions (spec/ddi.md 3.4.3-3.4.7, 6.4): OpenSession, CloseSession and
 * ChangePin.  The driver keeps one session per open file and checks the id
 * of every close and in-session command against it (hardware.md 9.10), so
 * the session lives in its handle.
 */
#include <stdlib.h>
#include <string.h>

#include "azihsm/ddi_crypto.h"
#include "lib_internal.h"

/*
 * The partition has one nonce, replaced by every OpenSession and ChangePin
 * that gets past its tag check, so concurrent callers race and the losers
 * get NonceMismatch (6.8).  Each loss means another request went through,
 * so retrying with a fresh nonce makes progress; the bound only guards
 * against a device that never stops answering NonceMismatch.
 */
#define NONCE_ATTEMPTS 32

static bool lost_nonce_race(int ret)
{
	return ret == AZIHSM_ERR_DDI &&
	       lib_err_cur()->ddi_status == AZIHSM_DDI_STATUS_NONCE_MISMATCH;
}

struct azihsm_session {
	struct azihsm_dev *dev;
	uint16_t id;
	uint8_t short_app_id;
};

static int open_once_locked(struct azihsm_dev *dev, const uint8_t *id,
			    const uint8_t *pin, struct azihsm_session *sess)
{
	uint8_t pt[DDI_CRED_MAX_LEN];
	struct ddi_cred_sealed sealed;
	struct ddi_open_session_req req;
	struct ddi_open_session_resp resp;
	struct lib_ddi_call call = {
		.op = AZIHSM_DDI_OP_OPEN_SESSION,
		.sess_kind = AZIHSM_SESSION_OPEN,
		.req_schema = &ddi_open_session_req_schema,
		.req = &req,
		.resp_schema = &ddi_open_session_resp_schema,
		.resp = &resp,
	};
	int ret;

	ret = lib_ensure_api_rev_locked(dev);
	if (ret)
		return ret;
	/* ID || PIN || seed; the seed is what a reopen would need (6.9). */
	memcpy(pt, id, DDI_CRED_ID_LEN);
	memcpy(pt + DDI_CRED_ID_LEN, pin, DDI_CRED_PIN_LEN);
	if (ddi_random(pt + DDI_CRED_ID_LEN + DDI_CRED_PIN_LEN, DDI_CRED_SEED_LEN))
		ret = lib_err_set(AZIHSM_ERR_NO_MEMORY);
	else
		ret = lib_seal_locked(dev, AZIHSM_DDI_OP_GET_SESSION_ENCRYPTION_KEY,
				      pt, sizeof(pt), &sealed);
	explicit_bzero(pt, sizeof(pt));
	if (ret)
		return ret;

	req = (struct ddi_open_session_req){
		.encrypted_credential = {
			.encrypted_id = { sealed.ct, DDI_CRED_ID_LEN },
			.encrypted_pin = { sealed.ct + DDI_CRED_ID_LEN, DDI_CRED_PIN_LEN },
			.encrypted_seed = { sealed.ct + DDI_CRED_ID_LEN + DDI_CRED_PIN_LEN,
					    DDI_CRED_SEED_LEN },
			.iv = { sealed.iv, DDI_CRED_IV_LEN },
			.nonce = { sealed.nonce, DDI_CRED_NONCE_LEN },
			.tag = { sealed.tag, DDI_CRED_TAG_LEN },
		},
		.pub_key = { { sealed.host_pub, DDI_P384_RAW_PUB_LEN },
			     DDI_KEY_KIND_ECC384_PUBLIC },
	};
	ret = lib_ddi_call_locked(dev, &call);
	if (ret)
		return ret;
	/* The header names the new session too (6.4); they must agree. */
	if (!call.rhdr.has_sess_id || call.rhdr.sess_id != resp.sess_id)
		return lib_err_set(AZIHSM_ERR_MALFORMED);
	sess->id = resp.sess_id;
	sess->short_app_id = resp.short_app_id;
	return AZIHSM_OK;
}

static int open_locked(struct azihsm_dev *dev, const uint8_t *id,
		       const uint8_t *pin, struct azihsm_session *sess)
{
	int attempt = 0, ret;

	do
		ret = open_once_locked(dev, id, pin, sess);
	while (lost_nonce_race(ret) && ++attempt < NONCE_ATTEMPTS);
	return ret;
}

int azihsm_session_open(struct azihsm_dev *dev, const uint8_t id[AZIHSM_CRED_ID_LEN],
			const uint8_t pin[AZIHSM_CRED_PIN_LEN],
			struct azihsm_session **sessp)
{
	struct azihsm_session *sess;
	int ret;

	lib_err_reset();
	if (sessp)
		*sessp = NULL;
	if (!dev || !id || !pin || !sessp)
		return lib_err_set(AZIHSM_ERR_INVALID_ARG);
	sess = calloc(1, sizeof(*sess));
	if (!sess)
		return lib_err_set(AZIHSM_ERR_NO_MEMORY);
	sess->dev = dev;

	pthread_mutex_lock(&dev->lock);
	/* The driver would refuse it too, but only after a nonce was spent. */
	if (dev->sess)
		ret = lib_err_set(AZIHSM_ERR_SESSION_EXISTS);
	else
		ret = open_locked(dev, id, pin, sess);
	if (!ret)
		dev->sess = sess;
	pthread_mutex_unlock(&dev->lock);
	if (ret) {
		free(sess);
		return ret;
	}
	*sessp = sess;
	return AZIHSM_OK;
}

static int close_locked(struct azihsm_dev *dev, struct azihsm_session *sess)
{
	struct lib_ddi_call call = {
		.op = AZIHSM_DDI_OP_CLOSE_SESSION,
		.sess_kind = AZIHSM_SESSION_CLOSE,
		.sess_id = sess->id,
	};
	int ret;

	ret = lib_ddi_call_locked(dev, &call);
	dev->sess = NULL;
	free(sess);
	return ret;
}

int azihsm_session_close(struct azihsm_session *sess)
{
	struct azihsm_dev *dev;
	int ret;

	lib_err_reset();
	if (!sess)
		return AZIHSM_OK;
	dev = sess->dev;
	pthread_mutex_lock(&dev->lock);
	ret = close_locked(dev, sess);
	pthread_mutex_unlock(&dev->lock);
	return ret;
}

/* At azihsm_close(): end the session; the caller's record stays as it was. */
void lib_session_drop(struct azihsm_dev *dev)
{
	struct azihsm_error saved;

	if (!dev->sess)
		return;
	saved = *lib_err_cur();
	pthread_mutex_lock(&dev->lock);
	close_locked(dev, dev->sess);
	pthread_mutex_unlock(&dev->lock);
	*lib_err_cur() = saved;
}

uint16_t azihsm_session_id(const struct azihsm_session *sess)
{
	return sess ? sess->id : 0;
}

uint8_t azihsm_session_short_app_id(const struct azihsm_session *sess)
{
	return sess ? sess->short_app_id : 0;
}

struct azihsm_dev *lib_session_dev(const struct azihsm_session *sess)
{
	return sess->dev;
}

int azihsm_change_pin(struct azihsm_session *sess,
		      const uint8_t new_pin[AZIHSM_CRED_PIN_LEN])
{
	struct ddi_cred_sealed sealed;
	struct ddi_change_pin_req req;
	struct lib_ddi_call call = {
		.op = AZIHSM_DDI_OP_CHANGE_PIN,
		.sess_kind = AZIHSM_SESSION_IN_SESSION,
		.req_schema = &ddi_change_pin_req_schema,
		.req = &req,
	};
	struct azihsm_dev *dev;
	int attempt = 0, ret;

	lib_err_reset();
	if (!sess || !new_pin)
		return lib_err_set(AZIHSM_ERR_INVALID_ARG);
	dev = sess->dev;
	call.sess_id = sess->id;

	pthread_mutex_lock(&dev->lock);
	do {
		ret = lib_seal_locked(dev, AZIHSM_DDI_OP_GET_SESSION_ENCRYPTION_KEY,
				      new_pin, DDI_CRED_PIN_LEN, &sealed);
		if (ret)
			break;
		req = (struct ddi_change_pin_req){
			.new_pin = {
				.encrypted_pin = { sealed.ct, DDI_CRED_PIN_LEN },
				.iv = { sealed.iv, DDI_CRED_IV_LEN },
				.nonce = { sealed.nonce, DDI_CRED_NONCE_LEN },
				.tag = { sealed.tag, DDI_CRED_TAG_LEN },
			},
			.pub_key = { { sealed.host_pub, DDI_P384_RAW_PUB_LEN },
				     DDI_KEY_KIND_ECC384_PUBLIC },
		};
		ret = lib_ddi_call_locked(dev, &call);
	} while (lost_nonce_race(ret) && ++attempt < NONCE_ATTEMPTS);
	pthread_mutex_unlock(&dev->lock);
	return ret;
}
