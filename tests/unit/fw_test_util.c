// SPDX-License-Identifier: MIT
/*
 * The host half of the firmware-core tests (see fw_test_util.h): requests
 * built with the DDI schemas and the shared crypto, sent through
 * azihsm_fw_execute() with the queue session block the driver would use.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>

#include "fw_test_util.h"
#include "host_kdf.h"

const uint8_t app_id[DDI_CRED_ID_LEN] = "app-id-012345678";
const uint8_t app_pin[DDI_CRED_PIN_LEN] = "pin-0123456789ab";
const uint8_t bad_pin[DDI_CRED_PIN_LEN] = "pin-0123456789ac";

uint64_t host_clock(void *opaque)
{
	return ((struct host *)opaque)->now;
}

int host_setup_tables(void **state, uint8_t key_tables, bool test_ops)
{
	struct host *h = calloc(1, sizeof(*h));
	struct azihsm_fw_config cfg = {
		.key_tables = key_tables, .serial = "PROV", .fw_rev = "0.1",
		.clock = host_clock, .test_ops = test_ops,
	};

	if (!h)
		return -1;
	h->now = 1000;
	cfg.clock_opaque = h;
	h->fw = azihsm_fw_new(&cfg);
	h->pota = ddi_p384_generate();
	h->eph = ddi_p384_generate();
	*state = h;
	return h->fw && h->pota && h->eph ? 0 : -1;
}

int host_setup(void **state)
{
	return host_setup_tables(state, 1, false);
}

int host_teardown(void **state)
{
	struct host *h = *state;

	azihsm_fw_free(h->fw);
	ddi_pkey_free(h->pota);
	ddi_pkey_free(h->eph);
	free(h);
	return 0;
}

/*
 * Send op with the queue block (qflags, qid) and, if hdr_sess, hdr.sess_id;
 * decode the response data with resp_schema on success.  Returns the DDI
 * status.
 */
uint32_t call_ex(struct host *h, uint32_t op, uint8_t qflags, uint16_t qid,
		 bool hdr_sess, uint16_t sess_id,
		 const struct mbor_schema *req_schema, const void *req,
		 const struct mbor_schema *resp_schema, void *resp)
{
	struct ddi_req_hdr hdr = {
		.has_rev = op != OP(GET_API_REV), .rev = { 1, 0 }, .op = op,
		.has_sess_id = hdr_sess, .sess_id = sess_id,
	};
	struct azihsm_fw_session in = { .flags = qflags, .id = qid };
	uint8_t buf[AZIHSM_DDI_MAX_REQUEST];
	size_t len;

	assert_int_equal(ddi_encode_request(&hdr, req_schema, req, buf, sizeof(buf),
					    &len), 0);
	assert_int_equal(azihsm_fw_execute(h->fw, buf, len, h->resp, sizeof(h->resp),
					   &h->len, &in, &h->out),
			 AZIHSM_HSM_SC_SUCCESS);
	assert_true(ddi_decode_response(h->resp, h->len, &h->hdr, resp_schema, resp));
	/* AttestKey answers with EccSign's opcode (ddi.md Appendix A #8). */
	assert_int_equal(h->hdr.op, op == OP(ATTEST_KEY) && !h->hdr.status ?
				    OP(ECC_SIGN) : op);
	return h->hdr.status;
}

/* As the driver would: the queue block follows the op's control kind. */
uint32_t call(struct host *h, uint32_t op, uint16_t sess_id,
	      const struct mbor_schema *req_schema, const void *req,
	      const struct mbor_schema *resp_schema, void *resp)
{
	uint8_t ctrl = ddi_op_lookup(op)->ctrl;
	bool has_id = ctrl == AZIHSM_DDI_CTRL_CLOSE || ctrl == AZIHSM_DDI_CTRL_IN_SESSION;

	return call_ex(h, op, ctrl | (has_id ? AZIHSM_SESS_ID_VALID : 0), sess_id,
		       has_id, sess_id, req_schema, req, resp_schema, resp);
}

/*
 * Get*EncryptionKey: the device key (wire form) and nonce; the signature
 * must verify with the partition identity key over the key's wire bytes.
 */
uint32_t get_key(struct host *h, uint32_t op, uint8_t pub[96], uint8_t nonce[32])
{
	struct ddi_cred_key_resp r;
	uint8_t point[DDI_P384_POINT_LEN], raw[DDI_P384_RAW_PUB_LEN];
	DDI_PKEY *id;
	uint32_t status;

	status = call(h, op, 0, &ddi_empty_schema, NULL, &ddi_cred_key_resp_schema, &r);
	if (status)
		return status;
	assert_int_equal(r.pub_key.der.len, 96);
	assert_int_equal(r.pub_key.key_kind, DDI_KEY_KIND_ECC384_PUBLIC);
	assert_int_equal(r.pub_key_signature.len, 96);
	memcpy(pub, r.pub_key.der.ptr, 96);
	memcpy(nonce, r.nonce.ptr, 32);

	/* The identity key, as a host would take it from the PID certificate. */
	assert_int_equal(azihsm_fw_identity_public_key(h->fw, point), 0);
	ddi_reverse(raw, point + 1, 48);
	ddi_reverse(raw + 48, point + 49, 48);
	assert_int_equal(ddi_p384_from_raw(raw, sizeof(raw), &id), 0);
	assert_true(ddi_p384_verify_raw(id, pub, 96, r.pub_key_signature.ptr, 96));
	ddi_pkey_free(id);
	return status;
}

uint32_t init_bk3(struct host *h, size_t bk3_len)
{
	uint8_t bk3[DDI_BK3_LEN];
	struct ddi_init_bk3_req req = { .bk3 = { bk3, (uint16_t)bk3_len } };
	struct ddi_init_bk3_resp r;
	uint32_t status;
	static const uint8_t zero_guid[16];

	memset(bk3, 0x42, sizeof(bk3));
	status = call(h, OP(INIT_BK3), 0, &ddi_init_bk3_req_schema, &req,
		      &ddi_init_bk3_resp_schema, &r);
	if (status)
		return status;
	assert_memory_equal(r.vm_launch_guid.ptr, zero_guid, 16);
	memcpy(h->masked_bk3, r.masked_bk3.ptr, r.masked_bk3.len);
	h->masked_bk3_len = r.masked_bk3.len;
	return status;
}

/* Fetch the key and nonce and build a valid request for id || pin. */
void est_build(struct host *h, struct est *e, const uint8_t *pin)
{
	uint8_t pub[96], nonce[32], pt[32], point[DDI_P384_POINT_LEN];
	struct ddi_establish_credential_req *q = &e->req;

	memset(e, 0, sizeof(*e));
	assert_int_equal(get_key(h, OP(GET_ESTABLISH_CRED_ENCRYPTION_KEY), pub, nonce), 0);
	memcpy(pt, app_id, 16);
	memcpy(pt + 16, pin, 16);
	assert_int_equal(ddi_cred_seal(pub, sizeof(pub), nonce, pt, sizeof(pt), h->eph,
				       NULL, &e->sealed), 0);
	/* The POTA endorses the identity key's point (7.4). */
	assert_int_equal(azihsm_fw_identity_public_key(h->fw, point), 0);
	assert_int_equal(ddi_p384_sign_raw(h->pota, point, sizeof(point), e->pota_sig), 0);
	assert_int_equal(ddi_p384_public_raw(h->pota, e->pota_pub), 0);

	q->encrypted_credential.encrypted_id = (struct mbor_bytes){ e->sealed.ct, 16 };
	q->encrypted_credential.encrypted_pin = (struct mbor_bytes){ e->sealed.ct + 16, 16 };
	q->encrypted_credential.iv = (struct mbor_bytes){ e->sealed.iv, 16 };
	q->encrypted_credential.nonce = (struct mbor_bytes){ e->sealed.nonce, 32 };
	q->encrypted_credential.tag = (struct mbor_bytes){ e->sealed.tag, 48 };
	q->pub_key.der = (struct mbor_bytes){ e->sealed.host_pub, 96 };
	q->pub_key.key_kind = DDI_KEY_KIND_ECC384_PUBLIC;
	q->masked_bk3 = (struct mbor_bytes){ h->masked_bk3, (uint16_t)h->masked_bk3_len };
	q->pota_sig = (struct mbor_bytes){ e->pota_sig, sizeof(e->pota_sig) };
	q->pota_pub_key.der = (struct mbor_bytes){ e->pota_pub, sizeof(e->pota_pub) };
	q->pota_pub_key.key_kind = DDI_KEY_KIND_ECC384_PUBLIC;
}

uint32_t est_send(struct host *h, struct est *e)
{
	struct ddi_establish_credential_resp r;
	uint32_t status;

	status = call(h, OP(ESTABLISH_CREDENTIAL), 0, &ddi_establish_credential_req_schema,
		      &e->req, &ddi_establish_credential_resp_schema, &r);
	if (!status) {
		assert_true(r.bmk.len > DDI_MASKED_HDR_LEN);
		memcpy(h->bmk, r.bmk.ptr, r.bmk.len);
		h->bmk_len = r.bmk.len;
	}
	return status;
}

void provision(struct host *h)
{
	struct est e;

	assert_int_equal(init_bk3(h, DDI_BK3_LEN), 0);
	est_build(h, &e, app_pin);
	assert_int_equal(est_send(h, &e), 0);
}

void sess_build(struct host *h, struct sess *s, const uint8_t *pin)
{
	uint8_t pub[96], nonce[32], pt[80];
	struct ddi_encrypted_session_cred *c = &s->req.encrypted_credential;

	memset(s, 0, sizeof(*s));
	assert_int_equal(get_key(h, OP(GET_SESSION_ENCRYPTION_KEY), pub, nonce), 0);
	memcpy(pt, app_id, 16);
	memcpy(pt + 16, pin, 16);
	memset(pt + 32, 0x5e, 48);
	assert_int_equal(ddi_cred_seal(pub, sizeof(pub), nonce, pt, sizeof(pt), h->eph,
				       NULL, &s->sealed), 0);
	c->encrypted_id = (struct mbor_bytes){ s->sealed.ct, 16 };
	c->encrypted_pin = (struct mbor_bytes){ s->sealed.ct + 16, 16 };
	c->encrypted_seed = (struct mbor_bytes){ s->sealed.ct + 32, 48 };
	c->iv = (struct mbor_bytes){ s->sealed.iv, 16 };
	c->nonce = (struct mbor_bytes){ s->sealed.nonce, 32 };
	c->tag = (struct mbor_bytes){ s->sealed.tag, 48 };
	s->req.pub_key.der = (struct mbor_bytes){ s->sealed.host_pub, 96 };
	s->req.pub_key.key_kind = DDI_KEY_KIND_ECC384_PUBLIC;
}

uint32_t sess_send(struct host *h, struct sess *s, uint16_t *id)
{
	struct ddi_open_session_resp r;
	uint32_t status;

	status = call(h, OP(OPEN_SESSION), 0, &ddi_open_session_req_schema, &s->req,
		      &ddi_open_session_resp_schema, &r);
	if (status) {
		assert_int_equal(h->out.flags, AZIHSM_SESS_OPEN);
		return status;
	}
	/* Response header and completion both carry the new id (6.4). */
	assert_true(h->hdr.has_sess_id);
	assert_int_equal(h->hdr.sess_id, r.sess_id);
	assert_int_equal(h->out.flags, AZIHSM_SESS_OPEN | AZIHSM_SESS_ID_VALID |
				       AZIHSM_SESS_APP_ID_VALID);
	assert_int_equal(h->out.id, r.sess_id);
	assert_int_equal(h->out.short_app_id, r.short_app_id);
	assert_true(r.bmk_session.len > DDI_MASKED_HDR_LEN);
	*id = r.sess_id;
	return status;
}

uint32_t open_session(struct host *h, const uint8_t *pin, uint16_t *id)
{
	struct sess s;

	sess_build(h, &s, pin);
	return sess_send(h, &s, id);
}

uint32_t close_session(struct host *h, uint16_t id)
{
	return call(h, OP(CLOSE_SESSION), id, &ddi_empty_schema, NULL,
		    &ddi_empty_schema, NULL);
}

const struct ddi_key_properties *key_props(struct key_props *p, uint16_t bits)
{
	memset(p, 0, sizeof(*p));
	p->meta[0] = (uint8_t)bits;
	p->meta[1] = (uint8_t)(bits >> 8);
	p->kp.key_metadata.blob = (struct mbor_bytes){ p->meta, sizeof(p->meta) };
	return &p->kp;
}

int sess_fix_setup(void **state, uint8_t key_tables, bool test_ops)
{
	struct sess_fix *t = calloc(1, sizeof(*t));
	void *h;

	if (!t || host_setup_tables(&h, key_tables, test_ops)) {
		free(t);
		return -1;
	}
	t->h = h;
	*state = t;
	provision(t->h);
	assert_int_equal(open_session(t->h, app_pin, &t->sess), 0);
	return 0;
}

int sess_fix_teardown(void **state)
{
	struct sess_fix *t = *state;
	void *h = t->h;

	free(t);
	return host_teardown(&h);
}

uint32_t sess_fix_call(struct sess_fix *t, uint32_t op, const struct mbor_schema *req_schema,
		       const void *req, const struct mbor_schema *resp_schema, void *resp)
{
	return call(t->h, op, t->sess, req_schema, req, resp_schema, resp);
}

uint32_t sess_fix_delete_key(struct sess_fix *t, uint16_t id)
{
	struct ddi_delete_key_req req = { .key_id = id };

	return sess_fix_call(t, OP(DELETE_KEY), &ddi_delete_key_req_schema, &req,
			     &ddi_empty_schema, NULL);
}

uint32_t sess_fix_derive(struct sess_fix *t, uint16_t secret, const struct fw_kdf *k,
			 uint16_t *id, struct ddi_kdf_resp *r)
{
	struct key_props p;
	struct ddi_kdf_req req = {
		.key_id = secret,
		.hash_algorithm = k->hash,
		.has_param3 = k->p3 != NULL,
		.param3 = { k->p3, (uint16_t)k->p3_len },
		.has_param4 = k->p4 != NULL,
		.param4 = { k->p4, (uint16_t)k->p4_len },
		.key_type = k->target,
		.has_key_length = k->key_length >= 0,
		.key_length = (uint8_t)(k->key_length >= 0 ? k->key_length : 0),
	};
	struct ddi_kdf_resp tmp;
	uint32_t status;

	if (!r)
		r = &tmp;
	req.key_properties = *key_props(&p, k->usage);
	status = sess_fix_call(t, k->op, &ddi_kdf_req_schema, &req, &ddi_kdf_resp_schema, r);
	if (!status)
		*id = r->key_id;
	return status;
}

uint32_t sess_fix_hmac(struct sess_fix *t, uint16_t key, const uint8_t *msg, size_t len,
		       uint8_t *tag, size_t *tag_len)
{
	struct ddi_hmac_req req = { .key_id = key, .msg = { msg, (uint16_t)len } };
	struct ddi_hmac_resp r;
	uint32_t status;

	status = sess_fix_call(t, OP(HMAC), &ddi_hmac_req_schema, &req, &ddi_hmac_resp_schema, &r);
	if (!status) {
		assert_true(r.tag.len <= 64);
		memcpy(tag, r.tag.ptr, r.tag.len);
		*tag_len = r.tag.len;
	}
	return status;
}

/* ---- host_kdf.h ---- */

/* Run the OpenSSL KDF `name` with params into out. */
static void host_kdf_run(const char *name, OSSL_PARAM *params, uint8_t *out, size_t out_len)
{
	EVP_KDF *kdf = EVP_KDF_fetch(NULL, name, NULL);
	EVP_KDF_CTX *ctx = EVP_KDF_CTX_new(kdf);

	assert_non_null(ctx);
	assert_int_equal(EVP_KDF_derive(ctx, out, out_len, params), 1);
	EVP_KDF_CTX_free(ctx);
	EVP_KDF_free(kdf);
}

void host_hkdf(const char *digest, const uint8_t *salt, size_t salt_len,
	       const uint8_t *ikm, size_t ikm_len, const uint8_t *info, size_t info_len,
	       uint8_t *out, size_t out_len)
{
	OSSL_PARAM params[5], *p = params;

	*p++ = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)digest, 0);
	*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)ikm, ikm_len);
	*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, (void *)info, info_len);
	if (salt)
		*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, (void *)salt,
							 salt_len);
	*p = OSSL_PARAM_construct_end();
	host_kdf_run("HKDF", params, out, out_len);
}

void host_kbkdf(const char *digest, const uint8_t *key, size_t key_len,
		const uint8_t *label, size_t label_len, const uint8_t *context,
		size_t context_len, uint8_t *out, size_t out_len)
{
	OSSL_PARAM params[7], *p = params;

	*p++ = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_MODE, "COUNTER", 0);
	*p++ = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_MAC, "HMAC", 0);
	*p++ = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)digest, 0);
	*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)key, key_len);
	*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, (void *)label,
						 label_len);
	*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, (void *)context,
						 context_len);
	*p = OSSL_PARAM_construct_end();
	host_kdf_run("KBKDF", params, out, out_len);
}

size_t host_hmac(const char *digest, const uint8_t *key, size_t key_len,
		 const uint8_t *msg, size_t len, uint8_t *tag)
{
	size_t tag_len;

	assert_non_null(EVP_Q_mac(NULL, "HMAC", NULL, digest, NULL, key, key_len, msg, len,
				  tag, 64, &tag_len));
	return tag_len;
}
