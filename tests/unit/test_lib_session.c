// SPDX-License-Identifier: MIT
/*
 * libazihsm provisioning and sessions against the firmware core, in
 * process, through libazihsm-emu: each handle behaves as one open file of
 * the driver does (hardware.md 9.10), with one session slot, the driver's
 * session checks (extended statuses 11, 12, 14) and a flush when the
 * handle is closed with a session still open.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <uapi/azihsm.h>

#include "azihsm/ddi_crypto.h"
#include "azihsm/ddi_msg.h"
#include "libazihsm_emu.h"

#define NUM_HANDLES 9

static const uint8_t app_id[16] = "app-id-012345678";
static const uint8_t app_pin[16] = "pin-0123456789ab";
static const uint8_t bad_pin[16] = "pin-0123456789ac";
static const uint8_t bk3[48] = "owner backup key, forty-eight bytes long .......";

struct fixture {
	struct azihsm_emu *emu;
	uint64_t now;
	char pota_file[32];		/* P-384 owner key, PEM */
	char p256_file[32];		/* a key of the wrong curve */
	bool corrupt_key_sig;		/* spoil Get*EncryptionKey signatures */
	struct azihsm_dev *dev[NUM_HANDLES];
};

/* Spoil the signature of Get*EncryptionKey responses while asked to. */
static void fx_response_hook(void *opaque, void *resp, size_t resp_len)
{
	struct fixture *fx = opaque;
	struct ddi_resp_hdr hdr;
	struct ddi_cred_key_resp key;

	if (!fx->corrupt_key_sig)
		return;
	/* The signature's bytes sit in the response buffer. */
	if (ddi_decode_response(resp, resp_len, &hdr, &ddi_cred_key_resp_schema,
				&key) &&
	    !hdr.status && key.pub_key_signature.len &&
	    (hdr.op == AZIHSM_DDI_OP_GET_SESSION_ENCRYPTION_KEY ||
	     hdr.op == AZIHSM_DDI_OP_GET_ESTABLISH_CRED_ENCRYPTION_KEY))
		((uint8_t *)key.pub_key_signature.ptr)[10] ^= 1;
}

static struct azihsm_dev *open_handle(struct fixture *fx)
{
	struct azihsm_dev *dev;

	assert_int_equal(azihsm_emu_open(fx->emu, &dev), AZIHSM_OK);
	return dev;
}

static uint64_t fx_clock(void *opaque)
{
	return ((struct fixture *)opaque)->now;
}

static void write_key(char *path, const char *curve)
{
	EVP_PKEY *k = EVP_EC_gen(curve);
	int fd;
	FILE *f;

	assert_non_null(k);
	strcpy(path, "/tmp/azihsm-keyXXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	assert_true(PEM_write_PrivateKey(f, k, NULL, NULL, 0, NULL, NULL));
	fclose(f);
	EVP_PKEY_free(k);
}

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	struct azihsm_emu_config cfg = {
		.ctrl_id = 1, .key_tables = 1, .serial = "FW-CORE", .fw_rev = "1.0",
		.clock = fx_clock, .response_hook = fx_response_hook,
	};
	int i;

	assert_non_null(fx);
	fx->now = 1000;
	cfg.clock_opaque = fx;
	cfg.response_hook_opaque = fx;
	assert_int_equal(azihsm_emu_new(&cfg, &fx->emu), AZIHSM_OK);
	write_key(fx->pota_file, "P-384");
	write_key(fx->p256_file, "P-256");
	for (i = 0; i < NUM_HANDLES; i++)
		fx->dev[i] = open_handle(fx);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;
	int i;

	for (i = 0; i < NUM_HANDLES; i++)
		azihsm_close(fx->dev[i]);
	azihsm_emu_free(fx->emu);
	unlink(fx->pota_file);
	unlink(fx->p256_file);
	free(fx);
	return 0;
}

static struct azihsm_partition_params params_with_file(struct fixture *fx)
{
	struct azihsm_partition_params p = {
		.bk3 = bk3,
		.pota_key_file = fx->pota_file,
	};

	memcpy(p.id, app_id, 16);
	memcpy(p.pin, app_pin, 16);
	return p;
}

static void provision(struct fixture *fx, struct azihsm_partition_keys *keys)
{
	struct azihsm_partition_params p = params_with_file(fx);

	assert_int_equal(azihsm_partition_init(fx->dev[0], &p, keys), AZIHSM_OK);
}

/* The last error as one line, and a check that it holds want. */
static void assert_error_says(const char *want)
{
	char line[256];

	assert_int_equal(azihsm_error_format(NULL, line, sizeof(line)), AZIHSM_OK);
	if (!strstr(line, want))
		fail_msg("\"%s\" does not say \"%s\"", line, want);
}

/* ---- Tests ---- */

static void test_provision_then_sessions(void **state)
{
	struct fixture *fx = *state;
	struct azihsm_partition_keys keys;
	struct azihsm_session *s;
	uint8_t point[97], want[97];

	assert_int_equal(azihsm_session_open(fx->dev[0], app_id, app_pin, &s),
			 AZIHSM_ERR_NOT_PROVISIONED);
	assert_null(s);
	assert_error_says("partition not provisioned (CredentialsNotEstablished)");

	/* The key the library takes from the PID certificate is the core's. */
	assert_int_equal(azihsm_partition_identity_key(fx->dev[1], point), AZIHSM_OK);
	assert_int_equal(azihsm_emu_identity_key(fx->emu, want), AZIHSM_OK);
	assert_memory_equal(point, want, sizeof(want));

	provision(fx, &keys);
	/* Sizes of 7.7 blobs as the core makes them. */
	assert_int_equal(keys.masked_bk3_len, 260);
	assert_int_equal(keys.bmk_len, 292);

	assert_int_equal(azihsm_session_open(fx->dev[0], app_id, app_pin, &s), AZIHSM_OK);
	assert_int_equal(azihsm_session_id(s), 0);
	assert_int_equal(azihsm_session_open(fx->dev[1], app_id, app_pin, &s), AZIHSM_OK);
	assert_int_equal(azihsm_session_id(s), 1);
	assert_int_equal(azihsm_session_close(s), AZIHSM_OK);
	/* Session 1 is free again. */
	assert_int_equal(azihsm_session_open(fx->dev[2], app_id, app_pin, &s), AZIHSM_OK);
	assert_int_equal(azihsm_session_id(s), 1);
	assert_int_equal(azihsm_session_close(s), AZIHSM_OK);
}

static void test_eight_sessions_then_limit(void **state)
{
	struct fixture *fx = *state;
	struct azihsm_partition_keys keys;
	struct azihsm_session *s[NUM_HANDLES];
	struct azihsm_error err;
	int i;

	provision(fx, &keys);
	for (i = 0; i < 8; i++) {
		assert_int_equal(azihsm_session_open(fx->dev[i], app_id, app_pin, &s[i]),
				 AZIHSM_OK);
		assert_int_equal(azihsm_session_id(s[i]), i);
	}
	assert_int_equal(azihsm_session_open(fx->dev[8], app_id, app_pin, &s[8]),
			 AZIHSM_ERR_SESSION_LIMIT);
	azihsm_last_error(&err);
	assert_int_equal(err.ddi_status, AZIHSM_DDI_STATUS_VAULT_SESSION_LIMIT_REACHED);
	assert_int_equal(err.ddi_op, AZIHSM_DDI_OP_OPEN_SESSION);
	assert_error_says("OpenSession: session limit reached");

	/* Closing a handle ends its session, and the ninth gets its slot. */
	azihsm_close(fx->dev[3]);
	fx->dev[3] = open_handle(fx);
	assert_int_equal(azihsm_session_open(fx->dev[8], app_id, app_pin, &s[8]),
			 AZIHSM_OK);
	assert_int_equal(azihsm_session_id(s[8]), 3);
}

struct opener {
	struct azihsm_dev *dev;
	struct azihsm_session *sess;
	int ret;
};

static void *open_in_thread(void *arg)
{
	struct opener *o = arg;

	o->ret = azihsm_session_open(o->dev, app_id, app_pin, &o->sess);
	return NULL;
}

/*
 * Eight openers at once race for the partition's one nonce (6.8); the
 * library retries the losers, so all eight get a session.
 */
static void test_concurrent_opens(void **state)
{
	struct fixture *fx = *state;
	struct azihsm_partition_keys keys;
	struct opener o[8];
	pthread_t t[8];
	unsigned int seen = 0;
	int i;

	provision(fx, &keys);
	for (i = 0; i < 8; i++) {
		o[i] = (struct opener){ .dev = fx->dev[i] };
		assert_int_equal(pthread_create(&t[i], NULL, open_in_thread, &o[i]), 0);
	}
	for (i = 0; i < 8; i++) {
		assert_int_equal(pthread_join(t[i], NULL), 0);
		assert_int_equal(o[i].ret, AZIHSM_OK);
		seen |= 1u << azihsm_session_id(o[i].sess);
	}
	assert_int_equal(seen, 0xff);
}

static void test_one_session_per_handle(void **state)
{
	struct fixture *fx = *state;
	struct azihsm_partition_keys keys;
	struct azihsm_session *s, *s2;
	struct azihsm_session_ctl ctl = { .kind = AZIHSM_SESSION_CLOSE, .has_id = true };
	struct azihsm_error err;
	uint8_t req[64], resp[256];
	struct ddi_req_hdr hdr = {
		.has_rev = true, .rev = { 1, 0 }, .op = AZIHSM_DDI_OP_CLOSE_SESSION,
		.has_sess_id = true,
	};
	size_t req_len, len;

	provision(fx, &keys);
	assert_int_equal(azihsm_session_open(fx->dev[0], app_id, app_pin, &s), AZIHSM_OK);
	assert_int_equal(azihsm_session_open(fx->dev[0], app_id, app_pin, &s2),
			 AZIHSM_ERR_SESSION_EXISTS);
	assert_null(s2);

	/* The driver's checks, as a raw caller meets them. */
	assert_int_equal(ddi_encode_request(&hdr, &ddi_empty_schema, NULL, req,
					    sizeof(req), &req_len), 0);
	assert_int_equal(azihsm_ddi_raw(fx->dev[1], &ctl, req, req_len, resp,
					sizeof(resp), &len), AZIHSM_ERR_NO_SESSION);
	azihsm_last_error(&err);
	assert_int_equal(err.ext_status, AZIHSM_EXT_NO_EXISTING_SESSION);
	assert_error_says("no session: Invalid argument, extended status 0xc");

	ctl.id = azihsm_session_id(s) + 1;
	assert_int_equal(azihsm_ddi_raw(fx->dev[0], &ctl, req, req_len, resp,
					sizeof(resp), &len), AZIHSM_ERR_SESSION_MISMATCH);
	ctl.kind = AZIHSM_SESSION_OPEN;
	ctl.has_id = false;
	assert_int_equal(azihsm_ddi_raw(fx->dev[0], &ctl, req, req_len, resp,
					sizeof(resp), &len), AZIHSM_ERR_SESSION_EXISTS);
	assert_int_equal(azihsm_session_close(s), AZIHSM_OK);
}

static void test_wrong_pin_and_lockout(void **state)
{
	struct fixture *fx = *state;
	struct azihsm_partition_keys keys;
	struct azihsm_session *s;
	int i;

	provision(fx, &keys);
	assert_int_equal(azihsm_session_open(fx->dev[0], app_id, bad_pin, &s),
			 AZIHSM_ERR_WRONG_PIN);
	assert_string_equal(azihsm_strerror(AZIHSM_ERR_WRONG_PIN), "wrong PIN");
	assert_error_says("OpenSession: wrong PIN (InvalidAppCredentials)");

	/* 6.7: the 1000th consecutive failure arms a 60 s lockout. */
	for (i = 1; i < 1000; i++)
		assert_int_equal(azihsm_session_open(fx->dev[0], app_id, bad_pin, &s),
				 AZIHSM_ERR_WRONG_PIN);
	assert_int_equal(azihsm_session_open(fx->dev[0], app_id, app_pin, &s),
			 AZIHSM_ERR_PIN_LOCKED);
	assert_error_says("PIN locked out (LoginFailed)");
	fx->now += 60;
	assert_int_equal(azihsm_session_open(fx->dev[0], app_id, app_pin, &s), AZIHSM_OK);
	assert_int_equal(azihsm_session_close(s), AZIHSM_OK);
}

static void test_change_pin(void **state)
{
	static const uint8_t new_pin[16] = "a-brand-new-pin!";
	static const uint8_t zero_pin[16];
	struct fixture *fx = *state;
	struct azihsm_partition_keys keys;
	struct azihsm_session *s, *s2;

	provision(fx, &keys);
	assert_int_equal(azihsm_session_open(fx->dev[0], app_id, app_pin, &s), AZIHSM_OK);
	assert_int_equal(azihsm_change_pin(s, zero_pin), AZIHSM_ERR_WRONG_PIN);
	assert_int_equal(azihsm_change_pin(s, new_pin), AZIHSM_OK);
	assert_int_equal(azihsm_session_open(fx->dev[1], app_id, app_pin, &s2),
			 AZIHSM_ERR_WRONG_PIN);
	assert_int_equal(azihsm_session_open(fx->dev[1], app_id, new_pin, &s2), AZIHSM_OK);
	assert_int_equal(azihsm_session_close(s2), AZIHSM_OK);
	assert_int_equal(azihsm_session_close(s), AZIHSM_OK);
	/* Without its session the handle cannot change the PIN. */
	assert_int_equal(azihsm_change_pin(NULL, new_pin), AZIHSM_ERR_INVALID_ARG);
}

static void test_reprovision_refused(void **state)
{
	struct fixture *fx = *state;
	struct azihsm_partition_keys keys, again;
	struct azihsm_partition_params p = params_with_file(fx);
	struct azihsm_error err;

	provision(fx, &keys);
	assert_int_equal(azihsm_partition_init(fx->dev[1], &p, &again), AZIHSM_ERR_DDI);
	azihsm_last_error(&err);
	assert_int_equal(err.ddi_status, AZIHSM_DDI_STATUS_BK3_ALREADY_INITIALIZED);
	assert_error_says("InitBk3: DDI error Bk3AlreadyInitialized");

	p.bk3 = NULL;
	p.masked_bk3 = keys.masked_bk3;
	p.masked_bk3_len = keys.masked_bk3_len;
	assert_int_equal(azihsm_partition_init(fx->dev[1], &p, &again),
			 AZIHSM_ERR_ALREADY_PROVISIONED);
	assert_error_says("partition already provisioned (VaultAppLimitReached)");
}

static void test_pota_endorsement(void **state)
{
	struct fixture *fx = *state;
	struct azihsm_partition_keys keys;
	struct azihsm_partition_params p = params_with_file(fx);
	uint8_t point[97], pub[96], sig[96];
	DDI_PKEY *owner = ddi_p384_generate(), *other = ddi_p384_generate();
	struct azihsm_error err;
	struct azihsm_session *s;

	assert_non_null(owner);
	assert_non_null(other);

	/* Keys the library cannot use. */
	p.pota_key_file = fx->p256_file;
	assert_int_equal(azihsm_partition_init(fx->dev[0], &p, &keys),
			 AZIHSM_ERR_INVALID_ARG);
	p.pota_key_file = "/nonexistent/pota.pem";
	assert_int_equal(azihsm_partition_init(fx->dev[0], &p, &keys),
			 AZIHSM_ERR_INVALID_ARG);
	/* Both ways of endorsing at once. */
	p.pota_key_file = fx->pota_file;
	p.pota_pub = pub;
	p.pota_sig = sig;
	assert_int_equal(azihsm_partition_init(fx->dev[0], &p, &keys),
			 AZIHSM_ERR_INVALID_ARG);

	/* An endorsement signed by another key than the one presented. */
	assert_int_equal(azihsm_partition_identity_key(fx->dev[0], point), AZIHSM_OK);
	assert_int_equal(ddi_p384_public_raw(owner, pub), 0);
	assert_int_equal(ddi_p384_sign_raw(other, point, sizeof(point), sig), 0);
	p.pota_key_file = NULL;
	assert_int_equal(azihsm_partition_init(fx->dev[0], &p, &keys), AZIHSM_ERR_VERIFY);
	azihsm_last_error(&err);
	assert_int_equal(err.ddi_status, AZIHSM_DDI_STATUS_ECC_VERIFY_FAILED);
	assert_int_equal(err.ddi_op, AZIHSM_DDI_OP_ESTABLISH_CREDENTIAL);
	/* InitBk3 ran once; its masked BK3 is handed back to retry with. */
	assert_int_equal(keys.masked_bk3_len, 260);
	assert_int_equal(keys.bmk_len, 0);

	/* The owner's own endorsement, made outside the library, is taken. */
	assert_int_equal(ddi_p384_sign_raw(owner, point, sizeof(point), sig), 0);
	p.bk3 = NULL;
	p.masked_bk3 = keys.masked_bk3;
	p.masked_bk3_len = keys.masked_bk3_len;
	assert_int_equal(azihsm_partition_init(fx->dev[0], &p, &keys), AZIHSM_OK);
	assert_int_equal(azihsm_session_open(fx->dev[0], app_id, app_pin, &s), AZIHSM_OK);
	ddi_pkey_free(owner);
	ddi_pkey_free(other);
}

/* 7.3: a key-exchange key the identity key did not sign is not used. */
static void test_unsigned_device_key_refused(void **state)
{
	struct fixture *fx = *state;
	struct azihsm_partition_keys keys;
	struct azihsm_partition_params p = params_with_file(fx);
	struct azihsm_session *s;

	fx->corrupt_key_sig = true;
	assert_int_equal(azihsm_partition_init(fx->dev[0], &p, &keys), AZIHSM_ERR_VERIFY);
	assert_error_says("GetEstablishCredEncryptionKey: signature verification failed");
	fx->corrupt_key_sig = false;

	/* Nothing was established: the same request, with the masked BK3, works. */
	p.bk3 = NULL;
	p.masked_bk3 = keys.masked_bk3;
	p.masked_bk3_len = keys.masked_bk3_len;
	assert_int_equal(azihsm_partition_init(fx->dev[0], &p, &keys), AZIHSM_OK);

	fx->corrupt_key_sig = true;
	assert_int_equal(azihsm_session_open(fx->dev[0], app_id, app_pin, &s),
			 AZIHSM_ERR_VERIFY);
	fx->corrupt_key_sig = false;
	assert_int_equal(azihsm_session_open(fx->dev[0], app_id, app_pin, &s), AZIHSM_OK);
}

/*
 * After a (simulated) migration the sessions must be reopened; the
 * library kept the seed and bmk_session from the open (spec/ddi.md 6.9).
 */
static void test_reopen_after_migration(void **state)
{
	static const uint8_t iv[16], msg[16] = "sixteen bytes...";
	const struct azihsm_key_params session_key = { .session = true };
	struct fixture *fx = *state;
	struct azihsm_partition_keys keys;
	struct azihsm_session *s, *s2;
	struct azihsm_key *old, *k;
	struct azihsm_error err;
	uint8_t out[32];
	size_t out_len;

	provision(fx, &keys);
	assert_int_equal(azihsm_session_open(fx->dev[0], app_id, app_pin, &s), AZIHSM_OK);
	assert_int_equal(azihsm_session_open(fx->dev[1], app_id, app_pin, &s2), AZIHSM_OK);
	/* A healthy session has nothing to reopen. */
	assert_int_equal(azihsm_session_reopen(s, app_id, app_pin), AZIHSM_ERR_INVALID_ARG);
	azihsm_last_error(&err);
	assert_int_equal(err.ddi_op, AZIHSM_DDI_OP_REOPEN_SESSION);
	assert_int_equal(err.ddi_status, AZIHSM_DDI_STATUS_PROCESSED_IO_EVENT_IN_INVALID_STATE);
	assert_int_equal(azihsm_key_generate(s, AZIHSM_KEY_AES_256, &session_key, &old),
			 AZIHSM_OK);

	azihsm_emu_simulate_migration(fx->emu);
	assert_int_equal(azihsm_key_generate(s, AZIHSM_KEY_AES_256, &session_key, &k),
			 AZIHSM_ERR_SESSION_RENEGOTIATE);
	assert_error_says("session must be reopened (device migrated) "
			  "(SessionNeedsRenegotiation)");
	assert_int_equal(azihsm_change_pin(s, app_pin), AZIHSM_ERR_SESSION_RENEGOTIATE);
	assert_int_equal(azihsm_session_reopen(s, app_id, bad_pin), AZIHSM_ERR_WRONG_PIN);
	assert_int_equal(azihsm_session_reopen(s, NULL, app_pin), AZIHSM_ERR_INVALID_ARG);
	assert_int_equal(azihsm_session_reopen(NULL, app_id, app_pin),
			 AZIHSM_ERR_INVALID_ARG);

	assert_int_equal(azihsm_session_reopen(s, app_id, app_pin), AZIHSM_OK);
	assert_int_equal(azihsm_session_id(s), 0);
	/* The session works again; its keys went with the migration. */
	assert_int_equal(azihsm_aes_cbc(old, true, AZIHSM_PAD_NONE, iv, msg, sizeof(msg),
					out, sizeof(out), &out_len, NULL),
			 AZIHSM_ERR_KEY_NOT_FOUND);
	azihsm_key_free(old);
	assert_int_equal(azihsm_key_generate(s, AZIHSM_KEY_AES_256, &session_key, &k),
			 AZIHSM_OK);
	assert_int_equal(azihsm_aes_cbc(k, true, AZIHSM_PAD_NONE, iv, msg, sizeof(msg),
					out, sizeof(out), &out_len, NULL), AZIHSM_OK);
	assert_int_equal(out_len, sizeof(msg));
	assert_int_equal(azihsm_key_delete(k), AZIHSM_OK);
	assert_int_equal(azihsm_change_pin(s, app_pin), AZIHSM_OK);
	assert_int_equal(azihsm_session_reopen(s, app_id, app_pin), AZIHSM_ERR_INVALID_ARG);

	/* A session never reopened can still be closed, freeing its slot. */
	assert_int_equal(azihsm_session_close(s2), AZIHSM_OK);
	assert_int_equal(azihsm_session_open(fx->dev[1], app_id, app_pin, &s2), AZIHSM_OK);
	assert_int_equal(azihsm_session_id(s2), 1);
	assert_int_equal(azihsm_session_close(s2), AZIHSM_OK);

	/* The fresh bmk_session the reopen returned serves the next migration. */
	azihsm_emu_simulate_migration(fx->emu);
	assert_int_equal(azihsm_session_reopen(s, app_id, app_pin), AZIHSM_OK);
	assert_int_equal(azihsm_session_close(s), AZIHSM_OK);
}

static void test_bad_arguments(void **state)
{
	static const uint8_t zero[16];
	struct fixture *fx = *state;
	struct azihsm_partition_keys keys;
	struct azihsm_partition_params p = params_with_file(fx);
	struct azihsm_session *s;

	assert_int_equal(azihsm_partition_init(NULL, &p, &keys), AZIHSM_ERR_INVALID_ARG);
	assert_int_equal(azihsm_partition_init(fx->dev[0], NULL, &keys),
			 AZIHSM_ERR_INVALID_ARG);
	p.masked_bk3 = bk3;
	p.masked_bk3_len = sizeof(bk3);
	assert_int_equal(azihsm_partition_init(fx->dev[0], &p, &keys),
			 AZIHSM_ERR_INVALID_ARG);
	p = params_with_file(fx);
	memcpy(p.pin, zero, 16);
	assert_int_equal(azihsm_partition_init(fx->dev[0], &p, &keys),
			 AZIHSM_ERR_WRONG_PIN);
	assert_int_equal(azihsm_session_open(fx->dev[0], NULL, app_pin, &s),
			 AZIHSM_ERR_INVALID_ARG);
	assert_int_equal(azihsm_session_open(fx->dev[0], app_id, app_pin, NULL),
			 AZIHSM_ERR_INVALID_ARG);
	assert_int_equal(azihsm_session_close(NULL), AZIHSM_OK);
	assert_int_equal(azihsm_session_id(NULL), 0);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_provision_then_sessions),
		T(test_eight_sessions_then_limit),
		T(test_concurrent_opens),
		T(test_one_session_per_handle),
		T(test_wrong_pin_and_lockout),
		T(test_change_pin),
		T(test_reprovision_refused),
		T(test_pota_endorsement),
		T(test_unsigned_device_key_refused),
		T(test_reopen_after_migration),
		T(test_bad_arguments),
	};
#undef T

	return cmocka_run_group_tests_name("libazihsm/sessions", tests, NULL, NULL);
}
