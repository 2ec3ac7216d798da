// SPDX-License-Identifier: MIT
/*
 * Credentials (ddi.md 3.4.1-3.4.4, 3.4.6, 3.4.7, 6.7, 6.8, 7.2-7.4): the
 * device key-exchange keys, EstablishCredential, OpenSession,
 * ReopenSession, ChangePin and the PIN lockout policy.  The steps of each
 * operation are in the FW's order, which decides the status a host sees
 * when several things are wrong.
 */
#include <string.h>

#include <openssl/crypto.h>

#include "azihsm/hw.h"
#include "fw_internal.h"

/* Lockout policy constants (6.7). */
#define LOCKOUT_ATTEMPTS_PER_STEP	1000
#define LOCKOUT_MAX_DELAY_FACTOR	32
#define LOCKOUT_STEP_SECONDS		60

/* ---- Key-exchange keys (3.4.1, 3.4.3, 7.3) ---- */

/* pub_key, nonce and the identity key's signature over pub_key's wire bytes. */
static uint32_t cred_key_response(struct azihsm_fw *fw, DDI_PKEY *key,
				  struct fw_cred_key_out *r)
{
	if (ddi_p384_public_raw(key, r->pub))
		return AZIHSM_DDI_STATUS_ECC_GENERATE_ERROR;
	if (!fw->identity_key)
		return AZIHSM_DDI_STATUS_INVALID_PARTITION_ID_CONTENT;
	if (ddi_p384_sign_raw(fw->identity_key, r->pub, sizeof(r->pub), r->sig))
		return AZIHSM_DDI_STATUS_ECC_SIGN_FAILED;
	memcpy(r->nonce, fw->nonce, sizeof(r->nonce));
	r->msg.pub_key.der = (struct mbor_bytes){ r->pub, sizeof(r->pub) };
	r->msg.pub_key.key_kind = DDI_KEY_KIND_ECC384_PUBLIC;
	r->msg.nonce = (struct mbor_bytes){ r->nonce, sizeof(r->nonce) };
	r->msg.pub_key_signature = (struct mbor_bytes){ r->sig, sizeof(r->sig) };
	return AZIHSM_DDI_STATUS_SUCCESS;
}

uint32_t fw_op_get_establish_cred_encryption_key(struct azihsm_fw *fw,
						 struct fw_request *rq,
						 const union fw_req_data *req,
						 union fw_resp_data *resp)
{
	(void)rq;
	(void)req;
	if (fw->has_credential)
		return AZIHSM_DDI_STATUS_VAULT_APP_LIMIT_REACHED;
	if (!fw->establish_key && !(fw->establish_key = ddi_p384_generate()))
		return AZIHSM_DDI_STATUS_ECC_GENERATE_ERROR;
	return cred_key_response(fw, fw->establish_key, &resp->cred_key);
}

uint32_t fw_op_get_session_encryption_key(struct azihsm_fw *fw,
					  struct fw_request *rq,
					  const union fw_req_data *req,
					  union fw_resp_data *resp)
{
	(void)rq;
	(void)req;
	if (!fw->has_credential)
		return AZIHSM_DDI_STATUS_CREDENTIALS_NOT_ESTABLISHED;
	if (!fw->session_enc_key && !(fw->session_enc_key = ddi_p384_generate()))
		return AZIHSM_DDI_STATUS_ECC_GENERATE_ERROR;
	return cred_key_response(fw, fw->session_enc_key, &resp->cred_key);
}

/* ---- Credential decryption, device side of 7.2 ---- */

/* An encrypted credential as received, its ciphertext fields joined. */
struct fw_cred_in {
	DDI_PKEY *host_pub;		/* validated */
	DDI_PKEY *dev_key;		/* NULL: never generated */
	uint32_t no_key_status;
	uint8_t ct[DDI_CRED_MAX_LEN];
	size_t ct_len;
	const uint8_t *iv, *nonce, *tag;
};

/* The device key and the clear-text framing fields of an encrypted credential. */
static void cred_frame(struct fw_cred_in *in, DDI_PKEY *dev_key,
		       const struct mbor_bytes *iv, const struct mbor_bytes *nonce,
		       const struct mbor_bytes *tag)
{
	in->dev_key = dev_key;
	in->iv = iv->ptr;
	in->nonce = nonce->ptr;
	in->tag = tag->ptr;
}

/* Append a ciphertext field that must be exactly len bytes long. */
static bool cred_append(struct fw_cred_in *in, const struct mbor_bytes *b, size_t len)
{
	if (b->len != len || in->ct_len + len > sizeof(in->ct))
		return false;
	memcpy(in->ct + in->ct_len, b->ptr, len);
	in->ct_len += len;
	return true;
}

/*
 * ECDH, key derivation, nonce, tag, then the nonce is replaced and the
 * plaintext decrypted into pt (in->ct_len bytes).
 */
static uint32_t cred_open(struct azihsm_fw *fw, const struct fw_cred_in *in,
			  uint8_t *pt)
{
	struct ddi_cred_keys keys;
	uint8_t z[DDI_P384_LEN], tag[DDI_CRED_TAG_LEN];
	uint32_t status;

	if (!in->dev_key)
		return in->no_key_status;
	status = AZIHSM_DDI_STATUS_ECC_DERIVE_ERROR;
	if (ddi_ecdh_p384(in->dev_key, in->host_pub, z))
		goto out;
	status = AZIHSM_DDI_STATUS_KEY_DERIVATION_FAILURE;
	if (ddi_cred_derive_keys(z, in->nonce, &keys))
		goto out;
	status = AZIHSM_DDI_STATUS_NONCE_MISMATCH;
	if (CRYPTO_memcmp(in->nonce, fw->nonce, sizeof(fw->nonce)))
		goto out;
	status = AZIHSM_DDI_STATUS_PIN_DECRYPTION_FAILED;
	if (ddi_cred_tag(&keys, in->ct, in->ct_len, in->iv, in->nonce, tag) ||
	    CRYPTO_memcmp(tag, in->tag, sizeof(tag)))
		goto out;
	/* The tag verified: this nonce is spent, whatever happens next. */
	status = fw_nonce_renew(fw);
	if (status)
		goto out;
	if (ddi_aes256_cbc(false, keys.enc, in->iv, in->ct, in->ct_len, pt))
		status = AZIHSM_DDI_STATUS_AES_DECRYPT_FAILED;
out:
	OPENSSL_cleanse(&keys, sizeof(keys));
	OPENSSL_cleanse(z, sizeof(z));
	return status;
}

static bool all_zero(const uint8_t *p, size_t len)
{
	uint8_t acc = 0;

	while (len--)
		acc |= *p++;
	return !acc;
}

/* ---- EstablishCredential (1102) ---- */

/* SHA-384 input of the POTA endorsement: the identity key's point (7.4). */
static bool pota_verify(struct azihsm_fw *fw, DDI_PKEY *pota, const struct mbor_bytes *sig)
{
	uint8_t point[DDI_P384_POINT_LEN];

	return !ddi_p384_public_point(fw->identity_key, point) &&
	       ddi_p384_verify_raw(pota, point, sizeof(point), sig->ptr, sig->len);
}

uint32_t fw_op_establish_credential(struct azihsm_fw *fw, struct fw_request *rq,
				    const union fw_req_data *req,
				    union fw_resp_data *resp)
{
	const struct ddi_establish_credential_req *q = &req->establish_credential;
	const struct ddi_encrypted_establish_cred *c = &q->encrypted_credential;
	struct fw_establish_credential_out *r = &resp->establish_credential;
	struct fw_cred_in in = { .no_key_status =
		AZIHSM_DDI_STATUS_ESTABLISH_CRED_ENCRYPTION_KEY_GENERATE_FAILED };
	uint8_t pt[DDI_CRED_ID_LEN + DDI_CRED_PIN_LEN];
	DDI_PKEY *pota = NULL;
	size_t bmk_len;
	uint32_t status;

	(void)rq;
	if (memcmp(c->nonce.ptr, fw->nonce, sizeof(fw->nonce)))
		return AZIHSM_DDI_STATUS_NONCE_MISMATCH;
	if (!cred_append(&in, &c->encrypted_id, DDI_CRED_ID_LEN) ||
	    !cred_append(&in, &c->encrypted_pin, DDI_CRED_PIN_LEN) ||
	    c->iv.len != DDI_CRED_IV_LEN)
		return AZIHSM_DDI_STATUS_INVALID_ARG;
	if (fw->has_credential)
		return AZIHSM_DDI_STATUS_VAULT_APP_LIMIT_REACHED;
	status = ddi_p384_from_raw(q->pub_key.der.ptr, q->pub_key.der.len, &in.host_pub);
	if (!status)
		status = ddi_p384_from_raw(q->pota_pub_key.der.ptr,
					   q->pota_pub_key.der.len, &pota);
	if (status)
		goto out;
	status = AZIHSM_DDI_STATUS_ECC_VERIFY_FAILED;
	if (!pota_verify(fw, pota, &q->pota_sig))
		goto out;

	cred_frame(&in, fw->establish_key, &c->iv, &c->nonce, &c->tag);
	status = cred_open(fw, &in, pt);
	if (status)
		goto out;
	status = AZIHSM_DDI_STATUS_INVALID_APP_CREDENTIALS;
	if (all_zero(pt, DDI_CRED_ID_LEN) ||
	    all_zero(pt + DDI_CRED_ID_LEN, DDI_CRED_PIN_LEN))
		goto out;
	memcpy(fw->cred_id, pt, DDI_CRED_ID_LEN);
	memcpy(fw->cred_pin, pt + DDI_CRED_ID_LEN, DDI_CRED_PIN_LEN);
	fw->has_credential = true;
	ddi_pkey_free(fw->establish_key);
	fw->establish_key = NULL;

	status = fw_provision(fw, q, r->bmk, sizeof(r->bmk), &bmk_len);
	if (status) {
		/* Roll back: the partition is as fresh as before (3.4.2). */
		fw->has_credential = false;
		OPENSSL_cleanse(fw->cred_id, sizeof(fw->cred_id));
		OPENSSL_cleanse(fw->cred_pin, sizeof(fw->cred_pin));
		goto out;
	}
	r->msg.bmk = (struct mbor_bytes){ r->bmk, (uint16_t)bmk_len };
out:
	OPENSSL_cleanse(pt, sizeof(pt));
	ddi_pkey_free(in.host_pub);
	ddi_pkey_free(pota);
	return status;
}

/* ---- PIN lockout (6.7) ---- */

static bool lockout_blocks(struct azihsm_fw *fw)
{
	return fw->lockout.locked && fw_now(fw) < fw->lockout.until;
}

static void lockout_failed(struct azihsm_fw *fw)
{
	struct fw_lockout *l = &fw->lockout;

	l->locked = true;
	if (++l->attempts >= LOCKOUT_ATTEMPTS_PER_STEP) {
		l->attempts = 0;
		if (++l->delay_factor > LOCKOUT_MAX_DELAY_FACTOR)
			l->delay_factor = 0;
	}
	l->until = fw_now(fw) + (uint64_t)l->delay_factor * LOCKOUT_STEP_SECONDS;
}

static void lockout_passed(struct azihsm_fw *fw)
{
	/* The state stays Lockout, with nothing left to wait for. */
	fw->lockout.attempts = 0;
	fw->lockout.delay_factor = 0;
	fw->lockout.until = 0;
}

/* Compare a decrypted ID and PIN with the credential, counting failures. */
static uint32_t authorise(struct azihsm_fw *fw, const uint8_t *id, const uint8_t *pin)
{
	if (CRYPTO_memcmp(id, fw->cred_id, DDI_CRED_ID_LEN) |
	    CRYPTO_memcmp(pin, fw->cred_pin, DDI_CRED_PIN_LEN)) {
		lockout_failed(fw);
		return AZIHSM_DDI_STATUS_INVALID_APP_CREDENTIALS;
	}
	lockout_passed(fw);
	return AZIHSM_DDI_STATUS_SUCCESS;
}

/* ---- OpenSession (1104), ReopenSession (1110) ---- */

/* Decrypted session credential: ID || PIN || seed (7.2). */
#define SESS_CRED_SEED_OFF	(DDI_CRED_ID_LEN + DDI_CRED_PIN_LEN)

/* Gather the ciphertext of a session credential; false: a length is wrong. */
static bool session_cred_append(struct fw_cred_in *in,
				const struct ddi_encrypted_session_cred *c)
{
	return cred_append(in, &c->encrypted_id, DDI_CRED_ID_LEN) &&
	       cred_append(in, &c->encrypted_pin, DDI_CRED_PIN_LEN) &&
	       cred_append(in, &c->encrypted_seed, DDI_CRED_SEED_LEN) &&
	       c->iv.len == DDI_CRED_IV_LEN;
}

/*
 * The login both session ops share, in the FW's order from the lockout
 * gate on: host key, 7.2 decryption (the nonce is spent once the tag
 * verified), authorisation with lockout bookkeeping.  pt receives
 * ID || PIN || seed; in->host_pub is the caller's to free.
 */
static uint32_t session_login(struct azihsm_fw *fw, struct fw_cred_in *in,
			      const struct ddi_encrypted_session_cred *c,
			      const struct ddi_public_key *pub_key, uint8_t *pt)
{
	uint32_t status;

	in->no_key_status = AZIHSM_DDI_STATUS_SESSION_ENCRYPTION_KEY_GENERATE_FAILED;
	if (lockout_blocks(fw))
		return AZIHSM_DDI_STATUS_LOGIN_FAILED;
	status = ddi_p384_from_raw(pub_key->der.ptr, pub_key->der.len, &in->host_pub);
	if (status)
		return status;
	cred_frame(in, fw->session_enc_key, &c->iv, &c->nonce, &c->tag);
	status = cred_open(fw, in, pt);
	if (status)
		return status;
	return authorise(fw, pt, pt + DDI_CRED_ID_LEN);
}

/* What OpenSession and ReopenSession hold while they run; wiped at the end. */
struct session_secrets {
	struct fw_cred_in in;
	uint8_t pt[DDI_CRED_MAX_LEN];			/* ID || PIN || seed */
	uint8_t bk_session[DDI_MASKING_KEY_LEN];
	uint8_t smk[DDI_MASKING_KEY_LEN];
};

static void session_secrets_wipe(struct session_secrets *sec)
{
	ddi_pkey_free(sec->in.host_pub);
	OPENSSL_cleanse(sec, sizeof(*sec));
}

/*
 * The common end of OpenSession and ReopenSession: hand the host the
 * session masking key masked under BK_session at the current svn, (re)arm
 * slot id and answer with the session's id (3.4.4, 6.4).
 */
static uint32_t session_commit(struct azihsm_fw *fw, struct fw_request *rq, uint16_t id,
			       const uint8_t bk_session[DDI_MASKING_KEY_LEN],
			       const uint8_t smk[DDI_MASKING_KEY_LEN],
			       struct fw_open_session_out *r)
{
	size_t bmk_len;

	bmk_len = fw_mask_backup(fw, bk_session, "SMK", false, smk, DDI_MASKING_KEY_LEN,
				 r->bmk_session, sizeof(r->bmk_session));
	if (!bmk_len)
		return AZIHSM_DDI_STATUS_MASKED_KEY_ENCODE_FAILED;
	fw_session_open(fw, id, &rq->hdr->rev, smk);

	r->msg.sess_id = id;
	r->msg.short_app_id = FW_APP_VAULT_ID;
	r->msg.bmk_session = (struct mbor_bytes){ r->bmk_session, (uint16_t)bmk_len };
	rq->resp_hdr->has_sess_id = true;
	rq->resp_hdr->sess_id = id;
	rq->sess_out->flags = AZIHSM_SESS_OPEN | AZIHSM_SESS_ID_VALID |
			      AZIHSM_SESS_APP_ID_VALID;
	rq->sess_out->id = id;
	rq->sess_out->short_app_id = FW_APP_VAULT_ID;
	return AZIHSM_DDI_STATUS_SUCCESS;
}

uint32_t fw_op_open_session(struct azihsm_fw *fw, struct fw_request *rq,
			    const union fw_req_data *req, union fw_resp_data *resp)
{
	const struct ddi_open_session_req *q = &req->open_session;
	struct session_secrets sec = { 0 };
	uint16_t id;
	uint32_t status;

	if (!fw->has_credential)
		return AZIHSM_DDI_STATUS_CREDENTIALS_NOT_ESTABLISHED;
	if (!session_cred_append(&sec.in, &q->encrypted_credential))
		return AZIHSM_DDI_STATUS_INVALID_ARG;
	/* hdr.rev was required by the dispatcher (revision kind None). */
	status = session_login(fw, &sec.in, &q->encrypted_credential, &q->pub_key, sec.pt);
	if (status)
		goto out;
	status = AZIHSM_DDI_STATUS_PARTITION_NOT_PROVISIONED;
	if (!fw->provisioned ||
	    fw_bk_session(fw, sec.pt + SESS_CRED_SEED_OFF, sec.bk_session))
		goto out;
	status = AZIHSM_DDI_STATUS_AES_GENERATE_ERROR;
	if (fw_new_masking_key("MK_DEFAULT", sec.smk))
		goto out;
	status = fw_session_alloc(fw, &id);
	if (!status)
		status = session_commit(fw, rq, id, sec.bk_session, sec.smk,
					&resp->open_session);
out:
	session_secrets_wipe(&sec);
	return status;
}

/*
 * The session masking key from the host's bmk_session: BK_session of the
 * seed at the svn the blob names.  The emulator knows one svn (its BKS1
 * entry), so a blob of another one cannot be unmasked, like a blob masked
 * with another seed: MaskedKeyDecodeFailed, as UnmaskKey reports it.
 */
static uint32_t session_recover_smk(struct azihsm_fw *fw, const struct mbor_bytes *blob,
				    const uint8_t seed[DDI_CRED_SEED_LEN],
				    uint8_t bk_session[DDI_MASKING_KEY_LEN],
				    uint8_t smk[DDI_MASKING_KEY_LEN])
{
	struct ddi_masked_key_meta meta;
	size_t len;

	if (!ddi_masked_key_meta(blob->ptr, blob->len, &meta) ||
	    (meta.has_svn ? meta.svn : 0) != fw->svn)
		return AZIHSM_DDI_STATUS_MASKED_KEY_DECODE_FAILED;
	if (fw_bk_session(fw, seed, bk_session))
		return AZIHSM_DDI_STATUS_PARTITION_NOT_PROVISIONED;
	if (ddi_unmask_key(bk_session, blob->ptr, blob->len, &meta, smk,
			   DDI_MASKING_KEY_LEN, &len) || len != DDI_MASKING_KEY_LEN)
		return AZIHSM_DDI_STATUS_MASKED_KEY_DECODE_FAILED;
	return AZIHSM_DDI_STATUS_SUCCESS;
}

uint32_t fw_op_reopen_session(struct azihsm_fw *fw, struct fw_request *rq,
			      const union fw_req_data *req, union fw_resp_data *resp)
{
	const struct ddi_reopen_session_req *q = &req->reopen_session;
	struct session_secrets sec = { 0 };
	uint16_t id = rq->hdr->sess_id;
	uint32_t status;

	/* InSession: the dispatcher checked sess_id and provisioning. */
	if (!session_cred_append(&sec.in, &q->encrypted_credential))
		return AZIHSM_DDI_STATUS_INVALID_ARG;
	/*
	 * Before the login, so that a request that cannot succeed neither
	 * spends the nonce nor counts as a failed login.
	 */
	status = fw_session_check_reopen(fw, id);
	if (!status && !q->bmk_session.len)
		status = AZIHSM_DDI_STATUS_PROCESSED_IO_EVENT_IN_INVALID_STATE;
	if (status)
		return status;
	/*
	 * The dispatcher skips the revision checks for a session pending
	 * renegotiation (2.6 step 5), but the op requires a rev: it becomes
	 * the session's revision again.
	 */
	if (!rq->hdr->has_rev)
		return AZIHSM_DDI_STATUS_UNSUPPORTED_REVISION;
	status = session_login(fw, &sec.in, &q->encrypted_credential, &q->pub_key, sec.pt);
	if (status)
		goto out;
	status = session_recover_smk(fw, &q->bmk_session, sec.pt + SESS_CRED_SEED_OFF,
				     sec.bk_session, sec.smk);
	if (status)
		goto out;
	/* The slot is kept; its key-table entry went with the migration. */
	status = fw_vault_session_room(fw);
	if (!status)
		status = session_commit(fw, rq, id, sec.bk_session, sec.smk,
					&resp->open_session);
out:
	session_secrets_wipe(&sec);
	return status;
}

/* ---- ChangePin (1106) ---- */

uint32_t fw_op_change_pin(struct azihsm_fw *fw, struct fw_request *rq,
			  const union fw_req_data *req, union fw_resp_data *resp)
{
	const struct ddi_change_pin_req *q = &req->change_pin;
	const struct ddi_encrypted_pin *c = &q->new_pin;
	struct fw_cred_in in = { .no_key_status =
		AZIHSM_DDI_STATUS_SESSION_ENCRYPTION_KEY_GENERATE_FAILED };
	uint8_t pin[DDI_CRED_PIN_LEN];
	uint32_t status;

	(void)rq;
	(void)resp;
	/* The FW does not check encrypted_pin's length; 16 is all that decrypts. */
	if (!cred_append(&in, &c->encrypted_pin, DDI_CRED_PIN_LEN) ||
	    c->iv.len != DDI_CRED_IV_LEN)
		return AZIHSM_DDI_STATUS_INVALID_ARG;
	status = ddi_p384_from_raw(q->pub_key.der.ptr, q->pub_key.der.len, &in.host_pub);
	if (status)
		return status;
	cred_frame(&in, fw->session_enc_key, &c->iv, &c->nonce, &c->tag);
	status = cred_open(fw, &in, pin);
	if (!status && all_zero(pin, sizeof(pin)))
		status = AZIHSM_DDI_STATUS_INVALID_APP_CREDENTIALS;
	if (!status)
		memcpy(fw->cred_pin, pin, sizeof(pin));
	OPENSSL_cleanse(pin, sizeof(pin));
	ddi_pkey_free(in.host_pub);
	return status;
}
