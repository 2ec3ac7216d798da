// SPDX-License-Identifier: MIT
/*
 * Sessions (spec/ddi.md 3.4.3-3.4.7, 6.4, 6.9): OpenSession, CloseSession,
 * ReopenSession and ChangePin.  The driver keeps one session per open file
 * and checks the id of every close and in-session command against it
 * (hardware.md 9.10), so the session lives in its handle.
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

/*
 * The seed and bmk_session are what ReopenSession needs after a migration
 * (6.9); they are as secret as the session and wiped with it.
 */
struct azihsm_session {
	struct azihsm_dev *dev;
	uint16_t id;
	uint8_t short_app_id;
	uint8_t seed[DDI_CRED_SEED_LEN];
	uint16_t bmk_session_len;
	uint8_t bmk_session[DDI_BLOB_MAX];
};

static void session_free(struct azihsm_session *sess)
{
	explicit_bzero(sess, sizeof(*sess));
	free(sess);
}

/*
 * One OpenSession (fresh random seed) or ReopenSession (sess->id with the
 * kept seed and bmk_session): they send the same credential and get the
 * same answer, which updates sess.
 */
static int login_once_locked(struct azihsm_dev *dev, bool reopen, const uint8_t *id,
			     const uint8_t *pin, struct azihsm_session *sess)
{
	uint8_t pt[DDI_CRED_MAX_LEN], *seed = pt + DDI_CRED_ID_LEN + DDI_CRED_PIN_LEN;
	struct ddi_cred_sealed sealed;
	struct ddi_reopen_session_req req;
	struct ddi_open_session_req open_req;
	struct ddi_open_session_resp resp;
	struct lib_ddi_call call = {
		.op = AZIHSM_DDI_OP_OPEN_SESSION,
		.sess_kind = AZIHSM_SESSION_OPEN,
		.req_schema = &ddi_open_session_req_schema,
		.req = &open_req,
		.resp_schema = &ddi_open_session_resp_schema,
		.resp = &resp,
	};
	int ret = 0;

	if (reopen) {
		call.op = AZIHSM_DDI_OP_REOPEN_SESSION;
		call.sess_kind = AZIHSM_SESSION_IN_SESSION;
		call.sess_id = sess->id;
		call.req_schema = &ddi_reopen_session_req_schema;
		call.req = &req;
	} else {
		ret = lib_ensure_api_rev_locked(dev);
		if (ret)
			return ret;
	}
	/* ID || PIN || seed: a new seed, or the one the session was opened with. */
	memcpy(pt, id, DDI_CRED_ID_LEN);
	memcpy(pt + DDI_CRED_ID_LEN, pin, DDI_CRED_PIN_LEN);
	if (reopen)
		memcpy(seed, sess->seed, DDI_CRED_SEED_LEN);
	else if (ddi_random(seed, DDI_CRED_SEED_LEN))
		ret = lib_err_set(AZIHSM_ERR_NO_MEMORY);
	if (!ret)
		ret = lib_seal_locked(dev, AZIHSM_DDI_OP_GET_SESSION_ENCRYPTION_KEY,
				      pt, sizeof(pt), &sealed);
	if (ret)
		goto out;

	req = (struct ddi_reopen_session_req){
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
		.bmk_session = { sess->bmk_session, sess->bmk_session_len },
	};
	open_req = (struct ddi_open_session_req){ req.encrypted_credential, req.pub_key };
	ret = lib_ddi_call_locked(dev, &call);
	if (ret)
		goto out;
	/*
	 * The header names the session too (6.4); they must agree, and a
	 * reopened session keeps its id.
	 */
	if (!call.rhdr.has_sess_id || call.rhdr.sess_id != resp.sess_id ||
	    (reopen && resp.sess_id != sess->id) ||
	    resp.bmk_session.len > sizeof(sess->bmk_session)) {
		ret = lib_err_set(AZIHSM_ERR_MALFORMED);
		goto out;
	}
	sess->id = resp.sess_id;
	sess->short_app_id = resp.short_app_id;
	memcpy(sess->seed, seed, DDI_CRED_SEED_LEN);
	memcpy(sess->bmk_session, resp.bmk_session.ptr, resp.bmk_session.len);
	sess->bmk_session_len = resp.bmk_session.len;
out:
	explicit_bzero(pt, sizeof(pt));
	return ret;
}

static int login_locked(struct azihsm_dev *dev, bool reopen, const uint8_t *id,
			const uint8_t *pin, struct azihsm_session *sess)
{
	int attempt = 0, ret;

	do
		ret = login_once_locked(dev, reopen, id, pin, sess);
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
		ret = login_locked(dev, false, id, pin, sess);
	if (!ret)
		dev->sess = sess;
	pthread_mutex_unlock(&dev->lock);
	if (ret) {
		session_free(sess);
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
	session_free(sess);
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

int azihsm_session_reopen(struct azihsm_session *sess,
			  const uint8_t id[AZIHSM_CRED_ID_LEN],
			  const uint8_t pin[AZIHSM_CRED_PIN_LEN])
{
	struct azihsm_dev *dev;
	int ret;

	lib_err_reset();
	if (!sess || !id || !pin)
		return lib_err_set(AZIHSM_ERR_INVALID_ARG);
	dev = sess->dev;
	pthread_mutex_lock(&dev->lock);
	ret = login_locked(dev, true, id, pin, sess);
	pthread_mutex_unlock(&dev->lock);
	/* A session that does not need it: the caller's mistake (3.4.6). */
	if (ret == AZIHSM_ERR_DDI && lib_err_cur()->ddi_status ==
	    AZIHSM_DDI_STATUS_PROCESSED_IO_EVENT_IN_INVALID_STATE)
		ret = lib_err_set(AZIHSM_ERR_INVALID_ARG);
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
