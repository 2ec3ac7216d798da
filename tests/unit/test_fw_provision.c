// SPDX-License-Identifier: MIT
/*
 * Provisioning, credentials and sessions in the firmware core, with the
 * test acting as the host: every request is built with the DDI schemas and
 * the host half of the shared crypto (ddi/cred.c), sent through
 * azihsm_fw_execute() with the queue session block the driver would use,
 * and the response decoded.  Statuses are asserted exactly.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fw_test_util.h"

/* ---- Tests ---- */

static void test_full_flow(void **state)
{
	struct host *h = *state;
	struct ddi_get_api_rev_resp rev;
	uint8_t pub[96], nonce[32], pub2[96], nonce2[32];
	uint16_t id, i;

	assert_int_equal(call(h, OP(GET_API_REV), 0, &ddi_empty_schema, NULL,
			      &ddi_get_api_rev_resp_schema, &rev), 0);
	assert_int_equal(rev.max.major, 1);

	/* Before provisioning no session can be had. */
	assert_int_equal(get_key(h, OP(GET_SESSION_ENCRYPTION_KEY), pub, nonce),
			 S(CREDENTIALS_NOT_ESTABLISHED));

	/* The same key and nonce until EstablishCredential consumes them. */
	assert_int_equal(get_key(h, OP(GET_ESTABLISH_CRED_ENCRYPTION_KEY), pub, nonce), 0);
	assert_int_equal(get_key(h, OP(GET_ESTABLISH_CRED_ENCRYPTION_KEY), pub2, nonce2), 0);
	assert_memory_equal(pub, pub2, 96);
	assert_memory_equal(nonce, nonce2, 32);

	provision(h);
	assert_true(h->bmk_len == 292);

	assert_int_equal(get_key(h, OP(GET_SESSION_ENCRYPTION_KEY), pub2, nonce2), 0);
	assert_memory_not_equal(nonce, nonce2, 32);

	/* Eight sessions, lowest free id first; the ninth is refused. */
	for (i = 0; i < 8; i++) {
		assert_int_equal(open_session(h, app_pin, &id), 0);
		assert_int_equal(id, i);
	}
	assert_int_equal(open_session(h, app_pin, &id), S(VAULT_SESSION_LIMIT_REACHED));

	assert_int_equal(close_session(h, 3), 0);
	assert_int_equal(h->out.flags, AZIHSM_SESS_CLOSE | AZIHSM_SESS_ID_VALID |
				       AZIHSM_SESS_CLOSED);
	assert_int_equal(h->out.id, 3);
	assert_int_equal(close_session(h, 3), S(SESSION_NOT_FOUND));
	assert_false(h->out.flags & AZIHSM_SESS_CLOSED);

	assert_int_equal(open_session(h, app_pin, &id), 0);
	assert_int_equal(id, 3);
	for (i = 0; i < 8; i++)
		assert_int_equal(close_session(h, i), 0);
}

static void test_reprovision_refused(void **state)
{
	struct host *h = *state;
	uint8_t pub[96], nonce[32];
	struct est e;

	provision(h);
	assert_int_equal(get_key(h, OP(GET_ESTABLISH_CRED_ENCRYPTION_KEY), pub, nonce),
			 S(VAULT_APP_LIMIT_REACHED));
	/*
	 * A second EstablishCredential with the current nonce (fetched from
	 * GetSessionEncryptionKey) passes the nonce check and then hits the
	 * one-application limit.
	 */
	memset(&e, 0, sizeof(e));
	assert_int_equal(get_key(h, OP(GET_SESSION_ENCRYPTION_KEY), pub, nonce), 0);
	assert_int_equal(ddi_cred_seal(pub, 96, nonce, app_id, 32, h->eph, NULL,
				       &e.sealed), 0);
	e.req.encrypted_credential.encrypted_id = (struct mbor_bytes){ e.sealed.ct, 16 };
	e.req.encrypted_credential.encrypted_pin = (struct mbor_bytes){ e.sealed.ct + 16, 16 };
	e.req.encrypted_credential.iv = (struct mbor_bytes){ e.sealed.iv, 16 };
	e.req.encrypted_credential.nonce = (struct mbor_bytes){ e.sealed.nonce, 32 };
	e.req.encrypted_credential.tag = (struct mbor_bytes){ e.sealed.tag, 48 };
	e.req.pub_key.der = (struct mbor_bytes){ e.sealed.host_pub, 96 };
	e.req.pota_pub_key.der = (struct mbor_bytes){ e.sealed.host_pub, 96 };
	assert_int_equal(est_send(h, &e), S(VAULT_APP_LIMIT_REACHED));
}

static void test_establish_errors(void **state)
{
	struct host *h = *state;
	struct est e;

	/* No InitBk3 yet: provisioning fails and rolls the credential back. */
	est_build(h, &e, app_pin);
	h->masked_bk3_len = 0;
	e.req.masked_bk3.len = 0;
	assert_int_equal(est_send(h, &e), S(MASKED_BK_BOOT_NOT_PRESENT));
	assert_int_equal(init_bk3(h, 47), S(INVALID_ARG));
	assert_int_equal(init_bk3(h, DDI_BK3_LEN), 0);
	assert_int_equal(init_bk3(h, DDI_BK3_LEN), S(BK3_ALREADY_INITIALIZED));

	/* The nonce of a spent request no longer matches. */
	assert_int_equal(est_send(h, &e), S(NONCE_MISMATCH));

	est_build(h, &e, app_pin);
	e.req.encrypted_credential.iv.len = 15;
	assert_int_equal(est_send(h, &e), S(INVALID_ARG));
	e.req.encrypted_credential.iv.len = 16;

	/* Host key: short, coordinate out of range, off the curve. */
	e.req.pub_key.der.len = 95;
	assert_int_equal(est_send(h, &e), S(ECC_DER_KEY_SHORTER_THAN_CURVE));
	e.req.pub_key.der.len = 96;
	memset(e.sealed.host_pub, 0xff, 48);
	assert_int_equal(est_send(h, &e), S(ECC_PUBLIC_KEY_VALIDATION_FAILED));
	est_build(h, &e, app_pin);
	e.sealed.host_pub[50] ^= 1;
	assert_int_equal(est_send(h, &e), S(ECC_POINT_VALIDATION_FAILED));
	e.sealed.host_pub[50] ^= 1;

	/* POTA: a signature over something else, or a short one. */
	e.pota_sig[5] ^= 1;
	assert_int_equal(est_send(h, &e), S(ECC_VERIFY_FAILED));
	e.pota_sig[5] ^= 1;
	e.req.pota_sig.len = 95;
	assert_int_equal(est_send(h, &e), S(ECC_VERIFY_FAILED));
	e.req.pota_sig.len = 96;

	/* A bad tag is not counted and does not spend the nonce. */
	e.sealed.tag[47] ^= 1;
	assert_int_equal(est_send(h, &e), S(PIN_DECRYPTION_FAILED));
	e.sealed.tag[47] ^= 1;

	/* A BMK this device cannot unmask: rolled back, nonce spent. */
	e.req.bmk = (struct mbor_bytes){ h->masked_bk3, (uint16_t)h->masked_bk3_len };
	assert_int_equal(est_send(h, &e), S(MASKED_KEY_DECODE_FAILED));
	assert_int_equal(est_send(h, &e), S(NONCE_MISMATCH));

	/* A tampered masked BK3. */
	est_build(h, &e, app_pin);
	h->masked_bk3[h->masked_bk3_len - 1] ^= 1;
	assert_int_equal(est_send(h, &e), S(UNMASKING_BK3_FAILED));
	h->masked_bk3[h->masked_bk3_len - 1] ^= 1;

	/* All-zero PIN. */
	{
		static const uint8_t zero_pin[16];

		est_build(h, &e, zero_pin);
		assert_int_equal(est_send(h, &e), S(INVALID_APP_CREDENTIALS));
	}

	/* After all that the partition can still be provisioned. */
	est_build(h, &e, app_pin);
	assert_int_equal(est_send(h, &e), 0);
}

static void test_open_session_errors(void **state)
{
	struct host *h = *state;
	struct sess s;
	uint16_t id;

	provision(h);
	sess_build(h, &s, app_pin);
	s.sealed.tag[0] ^= 1;
	assert_int_equal(sess_send(h, &s, &id), S(PIN_DECRYPTION_FAILED));
	s.sealed.tag[0] ^= 1;
	s.req.encrypted_credential.encrypted_seed.len = 32;
	assert_int_equal(sess_send(h, &s, &id), S(INVALID_ARG));
	s.req.encrypted_credential.encrypted_seed.len = 48;
	s.sealed.host_pub[60] ^= 1;
	assert_int_equal(sess_send(h, &s, &id), S(ECC_POINT_VALIDATION_FAILED));
	s.sealed.host_pub[60] ^= 1;
	/* Nothing above spent the nonce. */
	assert_int_equal(sess_send(h, &s, &id), 0);
	assert_int_equal(sess_send(h, &s, &id), S(NONCE_MISMATCH));

	/* A queue session id on an open is refused before anything else. */
	sess_build(h, &s, app_pin);
	assert_int_equal(call_ex(h, OP(OPEN_SESSION), AZIHSM_SESS_OPEN | AZIHSM_SESS_ID_VALID,
				 0, true, 0, &ddi_open_session_req_schema, &s.req,
				 NULL, NULL), S(SESSION_NOT_EXPECTED));
}

static void test_open_session_unprovisioned(void **state)
{
	struct host *h = *state;
	struct sess s;
	uint16_t id;

	memset(&s, 0, sizeof(s));
	s.req.encrypted_credential.nonce = (struct mbor_bytes){ s.sealed.nonce, 32 };
	s.req.encrypted_credential.tag = (struct mbor_bytes){ s.sealed.tag, 48 };
	assert_int_equal(sess_send(h, &s, &id), S(CREDENTIALS_NOT_ESTABLISHED));
}

/* 6.7: 1000 failures cost nothing, the 1000th arms a 60 s delay. */
static void test_pin_lockout(void **state)
{
	struct host *h = *state;
	uint16_t id;
	int i;

	provision(h);
	for (i = 0; i < 999; i++)
		assert_int_equal(open_session(h, bad_pin, &id), S(INVALID_APP_CREDENTIALS));
	/* A success resets the count. */
	assert_int_equal(open_session(h, app_pin, &id), 0);
	assert_int_equal(close_session(h, id), 0);
	for (i = 0; i < 999; i++)
		assert_int_equal(open_session(h, bad_pin, &id), S(INVALID_APP_CREDENTIALS));
	assert_int_equal(open_session(h, bad_pin, &id), S(INVALID_APP_CREDENTIALS));

	/* Locked: even the right PIN is refused, uncounted, for 60 s. */
	assert_int_equal(open_session(h, app_pin, &id), S(LOGIN_FAILED));
	h->now += 59;
	assert_int_equal(open_session(h, app_pin, &id), S(LOGIN_FAILED));
	h->now += 1;
	assert_int_equal(open_session(h, app_pin, &id), 0);
	/* ... and that success cleared the delay. */
	assert_int_equal(open_session(h, bad_pin, &id), S(INVALID_APP_CREDENTIALS));
	assert_int_equal(open_session(h, app_pin, &id), 0);
}

static void test_change_pin(void **state)
{
	static const uint8_t new_pin[16] = "a-brand-new-pin!";
	static const uint8_t zero_pin[16];
	struct host *h = *state;
	struct ddi_cred_sealed sealed;
	struct ddi_change_pin_req req;
	uint8_t pub[96], nonce[32];
	uint16_t id;
	const uint8_t *pins[] = { zero_pin, new_pin };
	uint32_t want[] = { S(INVALID_APP_CREDENTIALS), 0 };
	size_t i;

	provision(h);
	assert_int_equal(open_session(h, app_pin, &id), 0);
	for (i = 0; i < 2; i++) {
		assert_int_equal(get_key(h, OP(GET_SESSION_ENCRYPTION_KEY), pub, nonce), 0);
		assert_int_equal(ddi_cred_seal(pub, 96, nonce, pins[i], 16, NULL, NULL,
					       &sealed), 0);
		req = (struct ddi_change_pin_req){
			.new_pin = {
				.encrypted_pin = { sealed.ct, 16 },
				.iv = { sealed.iv, 16 },
				.nonce = { sealed.nonce, 32 },
				.tag = { sealed.tag, 48 },
			},
			.pub_key = { { sealed.host_pub, 96 }, DDI_KEY_KIND_ECC384_PUBLIC },
		};
		assert_int_equal(call(h, OP(CHANGE_PIN), id, &ddi_change_pin_req_schema,
				      &req, &ddi_empty_schema, NULL), want[i]);
		assert_int_equal(h->out.flags, AZIHSM_SESS_IN_SESSION | AZIHSM_SESS_ID_VALID);
	}
	/* The session stays open; the old PIN no longer opens one. */
	assert_int_equal(open_session(h, app_pin, &id), S(INVALID_APP_CREDENTIALS));
	assert_int_equal(open_session(h, new_pin, &id), 0);
	assert_int_equal(id, 1);
}

static void test_flush_and_hijack(void **state)
{
	struct host *h = *state;
	struct azihsm_fw_session in = { AZIHSM_SESS_CLOSE | AZIHSM_SESS_ID_VALID, 0, 0 };
	struct azihsm_fw_session out;
	uint16_t a, b;

	provision(h);
	assert_int_equal(open_session(h, app_pin, &a), 0);
	assert_int_equal(open_session(h, app_pin, &b), 0);

	/* Queue block names session 0, the header session 1: refused. */
	assert_int_equal(call_ex(h, OP(CLOSE_SESSION), AZIHSM_SESS_CLOSE | AZIHSM_SESS_ID_VALID,
				 a, true, b, &ddi_empty_schema, NULL, NULL, NULL),
			 S(INVALID_ARG));
	assert_int_equal(call_ex(h, OP(CHANGE_PIN), AZIHSM_SESS_IN_SESSION | AZIHSM_SESS_ID_VALID,
				 b, true, a, &ddi_empty_schema, NULL, NULL, NULL),
			 S(INVALID_ARG));

	/* Flush really closes; the slot is then free again. */
	in.id = a;
	assert_int_equal(azihsm_fw_flush_session(h->fw, &in, &out), AZIHSM_HSM_SC_SUCCESS);
	assert_int_equal(out.flags, AZIHSM_SESS_CLOSE | AZIHSM_SESS_ID_VALID |
				    AZIHSM_SESS_CLOSED);
	assert_int_equal(out.id, a);
	assert_int_equal(azihsm_fw_flush_session(h->fw, &in, &out), AZIHSM_HSM_SC_SUCCESS);
	assert_int_equal(out.flags, AZIHSM_SESS_CLOSE | AZIHSM_SESS_ID_VALID);
	assert_int_equal(close_session(h, a), S(SESSION_NOT_FOUND));
	assert_int_equal(close_session(h, b), 0);
}

static void test_reset_clears_sessions(void **state)
{
	struct host *h = *state;
	uint16_t id;

	provision(h);
	assert_int_equal(open_session(h, app_pin, &id), 0);
	assert_int_equal(open_session(h, app_pin, &id), 0);
	azihsm_fw_reset(h->fw);
	assert_int_equal(close_session(h, 0), S(SESSION_NOT_FOUND));
	assert_int_equal(close_session(h, 1), S(SESSION_NOT_FOUND));
	/* Credentials survive a reset. */
	assert_int_equal(open_session(h, app_pin, &id), 0);
	assert_int_equal(id, 0);
}

static void test_sealed_bk3(void **state)
{
	struct host *h = *state;
	uint8_t blob[513];
	struct ddi_sealed_bk3 req = { { blob, 513 } }, r;

	memset(blob, 0x77, sizeof(blob));
	assert_int_equal(call(h, OP(GET_SEALED_BK3), 0, &ddi_empty_schema, NULL,
			      &ddi_sealed_bk3_schema, &r), S(SEALED_BK3_NOT_PRESENT));
	assert_int_equal(call(h, OP(SET_SEALED_BK3), 0, &ddi_sealed_bk3_schema, &req,
			      &ddi_empty_schema, NULL), S(SEALED_BK3_TOO_LARGE));
	req.sealed_bk3.len = 512;
	assert_int_equal(call(h, OP(SET_SEALED_BK3), 0, &ddi_sealed_bk3_schema, &req,
			      &ddi_empty_schema, NULL), 0);
	req.sealed_bk3.len = 3;
	assert_int_equal(call(h, OP(SET_SEALED_BK3), 0, &ddi_sealed_bk3_schema, &req,
			      &ddi_empty_schema, NULL), S(SEALED_BK3_ALREADY_SET));
	assert_int_equal(call(h, OP(GET_SEALED_BK3), 0, &ddi_empty_schema, NULL,
			      &ddi_sealed_bk3_schema, &r), 0);
	assert_int_equal(r.sealed_bk3.len, 512);
	assert_memory_equal(r.sealed_bk3.ptr, blob, 512);
}

#define T(f) cmocka_unit_test_setup_teardown(f, host_setup, host_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_full_flow),
		T(test_reprovision_refused),
		T(test_establish_errors),
		T(test_open_session_errors),
		T(test_open_session_unprovisioned),
		T(test_pin_lockout),
		T(test_change_pin),
		T(test_flush_and_hijack),
		T(test_reset_clears_sessions),
		T(test_sealed_bk3),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
