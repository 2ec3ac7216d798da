// SPDX-License-Identifier: MIT
/*
 * ReopenSession (ddi.md 3.4.6) and the migration the core simulates
 * (azihsm_fw_simulate_migration, 6.9), with the test acting as the host
 * (fw_test_util.h).  The session masking key itself is compared through
 * the core's internals (fw_internal.h): a host cannot see it, and "the
 * same key comes back" is the point of the operation.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <openssl/crypto.h>

#include "fw_internal.h"
#include "fw_test_util.h"

/* fw_test_util's sess_build() seals this session seed. */
#define TEST_SEED_BYTE		0x5e
#define SESS_IN			(AZIHSM_SESS_IN_SESSION | AZIHSM_SESS_ID_VALID)

/* An open session as the host keeps it for a reopen. */
struct kept {
	uint16_t id;
	uint8_t bmk_session[DDI_BLOB_MAX];
	size_t bmk_session_len;
};

static void keep_bmk_session(struct kept *k, const struct ddi_open_session_resp *r)
{
	assert_true(r->bmk_session.len > DDI_MASKED_HDR_LEN &&
		    r->bmk_session.len <= sizeof(k->bmk_session));
	memcpy(k->bmk_session, r->bmk_session.ptr, r->bmk_session.len);
	k->bmk_session_len = r->bmk_session.len;
	k->id = r->sess_id;
}

/* OpenSession with app_pin, keeping what a reopen needs. */
static void open_kept(struct host *h, struct kept *k)
{
	struct ddi_open_session_resp r;
	struct sess s;

	sess_build(h, &s, app_pin);
	assert_int_equal(call(h, OP(OPEN_SESSION), 0, &ddi_open_session_req_schema, &s.req,
			      &ddi_open_session_resp_schema, &r), 0);
	keep_bmk_session(k, &r);
}

/*
 * ReopenSession of k->id with pin and a session seed of seed_byte; bmk
 * NULL sends k's bmk_session.  On success k takes the fresh bmk_session.
 */
static uint32_t reopen(struct host *h, struct kept *k, const uint8_t *pin,
		       uint8_t seed_byte, const struct mbor_bytes *bmk)
{
	struct ddi_reopen_session_req q;
	struct ddi_open_session_resp r;
	uint8_t pub[96], nonce[32], pt[DDI_CRED_MAX_LEN];
	struct sess s;
	uint32_t status;

	/* sess_build lays the request out; seal again for another seed. */
	sess_build(h, &s, pin);
	if (seed_byte != TEST_SEED_BYTE) {
		assert_int_equal(get_key(h, OP(GET_SESSION_ENCRYPTION_KEY), pub, nonce), 0);
		memcpy(pt, app_id, DDI_CRED_ID_LEN);
		memcpy(pt + DDI_CRED_ID_LEN, pin, DDI_CRED_PIN_LEN);
		memset(pt + DDI_CRED_ID_LEN + DDI_CRED_PIN_LEN, seed_byte, DDI_CRED_SEED_LEN);
		assert_int_equal(ddi_cred_seal(pub, sizeof(pub), nonce, pt, sizeof(pt), h->eph,
					       NULL, &s.sealed), 0);
	}
	q.encrypted_credential = s.req.encrypted_credential;
	q.pub_key = s.req.pub_key;
	q.bmk_session = bmk ? *bmk :
			(struct mbor_bytes){ k->bmk_session, (uint16_t)k->bmk_session_len };
	status = call(h, OP(REOPEN_SESSION), k->id, &ddi_reopen_session_req_schema, &q,
		      &ddi_open_session_resp_schema, &r);
	if (status)
		return status;
	/* Answered as OpenSession, on the same id (6.4). */
	assert_int_equal(r.sess_id, k->id);
	assert_true(h->hdr.has_sess_id);
	assert_int_equal(h->hdr.sess_id, k->id);
	assert_int_equal(h->out.flags, AZIHSM_SESS_OPEN | AZIHSM_SESS_ID_VALID |
				       AZIHSM_SESS_APP_ID_VALID);
	assert_int_equal(h->out.id, k->id);
	assert_int_equal(h->out.short_app_id, r.short_app_id);
	keep_bmk_session(k, &r);
	return status;
}

/* An AES-256 session key of session sid; its masked blob into blob. */
static uint32_t session_key(struct host *h, uint16_t sid, struct mbor_bytes *masked,
			    uint8_t *blob, uint16_t *key_id)
{
	uint8_t meta[DDI_KEY_META_LEN] = {
		DDI_KEY_META_SESSION | DDI_KEY_META_ENCRYPT | DDI_KEY_META_DECRYPT,
	};
	struct ddi_aes_generate_req q = {
		.key_size = DDI_AES_256,
		.key_properties.key_metadata.blob = { meta, sizeof(meta) },
	};
	struct ddi_aes_generate_resp r;
	uint32_t status;

	status = call(h, OP(AES_GENERATE_KEY), sid, &ddi_aes_generate_req_schema, &q,
		      &ddi_aes_generate_resp_schema, &r);
	if (status)
		return status;
	assert_true(r.masked_key.len <= DDI_MASKED_KEY_MAX);
	memcpy(blob, r.masked_key.ptr, r.masked_key.len);
	*masked = (struct mbor_bytes){ blob, r.masked_key.len };
	*key_id = r.key_id;
	return status;
}

static uint32_t delete_key(struct host *h, uint16_t sid, uint16_t key_id)
{
	struct ddi_delete_key_req q = { .key_id = key_id };

	return call(h, OP(DELETE_KEY), sid, &ddi_delete_key_req_schema, &q,
		    &ddi_empty_schema, NULL);
}

/*
 * ChangePin without its data: past the dispatcher's session checks it
 * fails decoding (DdiDecodeFailed), so the status says whether the
 * session gate let ChangePin through, without touching the PIN.
 */
static uint32_t change_pin_probe(struct host *h, uint16_t sid)
{
	return call(h, OP(CHANGE_PIN), sid, &ddi_empty_schema, NULL, &ddi_empty_schema,
		    NULL);
}

static bool all_zero(const uint8_t *p, size_t len)
{
	while (len--)
		if (*p++)
			return false;
	return true;
}

/* ---- Tests ---- */

/*
 * A session that was never migrated cannot be reopened; the refusal comes
 * before the login, so the nonce is not spent and no failure is counted.
 */
static void test_reopen_healthy_session(void **state)
{
	struct host *h = *state;
	uint8_t pub[96], nonce[32], nonce2[32];
	struct kept k;

	provision(h);
	open_kept(h, &k);
	assert_int_equal(get_key(h, OP(GET_SESSION_ENCRYPTION_KEY), pub, nonce), 0);
	assert_int_equal(reopen(h, &k, app_pin, TEST_SEED_BYTE, NULL),
			 S(PROCESSED_IO_EVENT_IN_INVALID_STATE));
	assert_int_equal(get_key(h, OP(GET_SESSION_ENCRYPTION_KEY), pub, nonce2), 0);
	assert_memory_equal(nonce, nonce2, sizeof(nonce));
	/* Empty bmk_session is the same error. */
	assert_int_equal(reopen(h, &k, app_pin, TEST_SEED_BYTE,
				&(struct mbor_bytes){ NULL, 0 }),
			 S(PROCESSED_IO_EVENT_IN_INVALID_STATE));
	assert_false(h->fw->lockout.locked);
	/* The session is untouched. */
	assert_int_equal(change_pin_probe(h, k.id), S(DDI_DECODE_FAILED));
}

/* Until reopened a migrated session refuses everything but close/reopen. */
static void test_migration_blocks_session(void **state)
{
	struct host *h = *state;
	struct mbor_bytes masked;
	uint8_t blob[DDI_MASKED_KEY_MAX];
	struct kept a, b;
	uint16_t key_id, id;

	provision(h);
	open_kept(h, &a);
	open_kept(h, &b);
	assert_int_equal(session_key(h, a.id, &masked, blob, &key_id), 0);
	azihsm_fw_simulate_migration(h->fw);

	assert_true(h->fw->sessions[a.id].needs_renegotiation);
	assert_true(all_zero(h->fw->sessions[a.id].smk, DDI_MASKING_KEY_LEN));
	assert_int_equal(delete_key(h, a.id, key_id), S(SESSION_NEEDS_RENEGOTIATION));
	assert_int_equal(session_key(h, a.id, &masked, blob, &key_id),
			 S(SESSION_NEEDS_RENEGOTIATION));
	assert_int_equal(h->out.flags, SESS_IN);
	assert_int_equal(change_pin_probe(h, b.id), S(SESSION_NEEDS_RENEGOTIATION));

	/* A flagged slot is not free: a new session takes the next id. */
	assert_int_equal(open_session(h, app_pin, &id), 0);
	assert_int_equal(id, 2);

	/* Closing just frees the slot, which the next open reuses. */
	assert_int_equal(close_session(h, a.id), 0);
	assert_int_equal(h->out.flags, AZIHSM_SESS_CLOSE | AZIHSM_SESS_ID_VALID |
				       AZIHSM_SESS_CLOSED);
	assert_int_equal(close_session(h, a.id), S(SESSION_NOT_FOUND));
	assert_int_equal(reopen(h, &a, app_pin, TEST_SEED_BYTE, NULL), S(SESSION_NOT_FOUND));
	assert_int_equal(open_session(h, app_pin, &id), 0);
	assert_int_equal(id, a.id);

	/* A flush frees a flagged slot too. */
	assert_int_equal(azihsm_fw_flush_session(h->fw,
		&(struct azihsm_fw_session){ AZIHSM_SESS_CLOSE | AZIHSM_SESS_ID_VALID, b.id, 0 },
		&h->out), AZIHSM_HSM_SC_SUCCESS);
	assert_true(h->out.flags & AZIHSM_SESS_CLOSED);
	assert_int_equal(open_session(h, app_pin, &id), 0);
	assert_int_equal(id, b.id);
}

/* Failed reopens leave the session pending, and can be retried. */
static void test_reopen_errors(void **state)
{
	struct host *h = *state;
	uint8_t bad[DDI_BLOB_MAX];
	struct kept k;

	provision(h);
	open_kept(h, &k);
	azihsm_fw_simulate_migration(h->fw);

	assert_int_equal(reopen(h, &k, app_pin, TEST_SEED_BYTE,
				&(struct mbor_bytes){ NULL, 0 }),
			 S(PROCESSED_IO_EVENT_IN_INVALID_STATE));
	assert_int_equal(reopen(h, &k, bad_pin, TEST_SEED_BYTE, NULL),
			 S(INVALID_APP_CREDENTIALS));
	assert_true(h->fw->lockout.locked);
	assert_int_equal(h->fw->lockout.attempts, 1);
	/* Another seed gives another BK_session: the blob does not verify. */
	assert_int_equal(reopen(h, &k, app_pin, 0x11, NULL), S(MASKED_KEY_DECODE_FAILED));
	/* Neither does a tampered blob, nor one that is not a blob at all. */
	memcpy(bad, k.bmk_session, k.bmk_session_len);
	bad[k.bmk_session_len - 1] ^= 1;
	assert_int_equal(reopen(h, &k, app_pin, TEST_SEED_BYTE,
				&(struct mbor_bytes){ bad, (uint16_t)k.bmk_session_len }),
			 S(MASKED_KEY_DECODE_FAILED));
	assert_int_equal(reopen(h, &k, app_pin, TEST_SEED_BYTE,
				&(struct mbor_bytes){ bad, 7 }),
			 S(MASKED_KEY_DECODE_FAILED));
	/* The wrong-PIN lockout gate applies as to OpenSession (6.7). */
	h->fw->lockout.until = h->now + 60;
	assert_int_equal(reopen(h, &k, app_pin, TEST_SEED_BYTE, NULL), S(LOGIN_FAILED));
	h->now += 60;

	assert_true(h->fw->sessions[k.id].needs_renegotiation);
	assert_int_equal(change_pin_probe(h, k.id), S(SESSION_NEEDS_RENEGOTIATION));
	assert_int_equal(reopen(h, &k, app_pin, TEST_SEED_BYTE, NULL), 0);
	assert_int_equal(h->fw->lockout.attempts, 0);
}

/*
 * After a reopen the session works again with the masking key it had:
 * keys masked before the migration unmask under it, its old keys are gone.
 */
static void test_reopen_restores_session(void **state)
{
	struct host *h = *state;
	uint8_t smk[DDI_MASKING_KEY_LEN], old_bmk[DDI_BLOB_MAX];
	uint8_t blob[DDI_MASKED_KEY_MAX], blob2[DDI_MASKED_KEY_MAX], key[32];
	struct ddi_masked_key_meta meta;
	struct mbor_bytes masked, masked2;
	struct kept k, other;
	uint16_t key_id, key_id2;
	size_t len, old_len;

	provision(h);
	open_kept(h, &other);
	open_kept(h, &k);
	assert_int_equal(session_key(h, k.id, &masked, blob, &key_id), 0);
	memcpy(smk, h->fw->sessions[k.id].smk, sizeof(smk));
	memcpy(old_bmk, k.bmk_session, k.bmk_session_len);
	old_len = k.bmk_session_len;

	azihsm_fw_simulate_migration(h->fw);
	assert_int_equal(reopen(h, &k, app_pin, TEST_SEED_BYTE, NULL), 0);

	assert_false(h->fw->sessions[k.id].needs_renegotiation);
	assert_memory_equal(h->fw->sessions[k.id].smk, smk, sizeof(smk));
	assert_int_equal(ddi_unmask_key(h->fw->sessions[k.id].smk, masked.ptr, masked.len,
					&meta, key, sizeof(key), &len), 0);
	assert_int_equal(len, 32);
	/* Freshly masked: same size, new IV. */
	assert_int_equal(k.bmk_session_len, old_len);
	assert_memory_not_equal(k.bmk_session, old_bmk, old_len);

	/* The key tables were emptied; new session keys work. */
	assert_int_equal(delete_key(h, k.id, key_id), S(KEY_NOT_FOUND));
	assert_int_equal(session_key(h, k.id, &masked2, blob2, &key_id2), 0);
	assert_int_equal(ddi_unmask_key(smk, masked2.ptr, masked2.len, &meta, key,
					sizeof(key), &len), 0);
	assert_int_equal(change_pin_probe(h, k.id), S(DDI_DECODE_FAILED));
	assert_int_equal(delete_key(h, k.id, key_id2), 0);

	/* Only the reopened session is back; once is enough. */
	assert_int_equal(change_pin_probe(h, other.id), S(SESSION_NEEDS_RENEGOTIATION));
	assert_int_equal(reopen(h, &k, app_pin, TEST_SEED_BYTE, NULL),
			 S(PROCESSED_IO_EVENT_IN_INVALID_STATE));

	/* The fresh bmk_session serves the next migration; close frees all. */
	azihsm_fw_simulate_migration(h->fw);
	assert_int_equal(reopen(h, &k, app_pin, TEST_SEED_BYTE, NULL), 0);
	assert_memory_equal(h->fw->sessions[k.id].smk, smk, sizeof(smk));
	assert_int_equal(session_key(h, k.id, &masked2, blob2, &key_id2), 0);
	assert_int_equal(close_session(h, k.id), 0);
	assert_int_equal(close_session(h, other.id), 0);
	OPENSSL_cleanse(key, sizeof(key));
}

/* The session entry a reopen takes again needs room in the key tables. */
static void test_reopen_vault_full(void **state)
{
	struct host *h = *state;
	uint8_t blob[DDI_MASKED_KEY_MAX];
	struct mbor_bytes masked;
	struct kept k, filler;
	uint16_t key_id, ids[FW_KEY_TABLE_ENTRIES];
	size_t n = 0;

	provision(h);
	open_kept(h, &k);
	open_kept(h, &filler);
	azihsm_fw_simulate_migration(h->fw);
	assert_int_equal(reopen(h, &filler, app_pin, TEST_SEED_BYTE, NULL), 0);
	while (n < FW_KEY_TABLE_ENTRIES &&
	       !session_key(h, filler.id, &masked, blob, &key_id))
		ids[n++] = key_id;
	assert_int_equal(h->hdr.status, S(NOT_ENOUGH_SPACE));
	assert_int_equal(reopen(h, &k, app_pin, TEST_SEED_BYTE, NULL), S(NOT_ENOUGH_SPACE));
	assert_true(h->fw->sessions[k.id].needs_renegotiation);
	assert_int_equal(delete_key(h, filler.id, ids[--n]), 0);
	assert_int_equal(delete_key(h, filler.id, ids[--n]), 0);
	assert_int_equal(reopen(h, &k, app_pin, TEST_SEED_BYTE, NULL), 0);
}

#define T(f) cmocka_unit_test_setup_teardown(f, host_setup, host_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_reopen_healthy_session),
		T(test_migration_blocks_session),
		T(test_reopen_errors),
		T(test_reopen_restores_session),
		T(test_reopen_vault_full),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
