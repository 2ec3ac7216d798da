// SPDX-License-Identifier: MIT
/*
 * The device certificate chain of the firmware core (ddi.md 3.3.3, 3.3.4,
 * 7.12), with the test as the host: requests and responses go through the
 * real DDI schemas and azihsm_fw_execute(), and the certificates are
 * checked with OpenSSL as a host would check them: chain verification to
 * the root, the PID certificate's key against the identity key and the
 * key-exchange-key signature, the PID template of 7.12.2 byte for byte,
 * and the thumbprint of 7.12.1.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "azihsm/ddi_crypto.h"
#include "azihsm/ddi_msg.h"
#include "azihsm/hw.h"
#include "azihsm_fw.h"

#define S(name)		AZIHSM_DDI_STATUS_##name
#define OP(name)	AZIHSM_DDI_OP_##name

#define CHAIN_LEN	3
#define ROOT		0
#define ALIAS		1
#define PID		2

struct host {
	struct azihsm_fw *fw;
	uint8_t resp[AZIHSM_DDI_MAX_RESPONSE];
	size_t len;
	struct ddi_resp_hdr hdr;
	/* The chain as read by read_chain(). */
	uint8_t der[CHAIN_LEN][DDI_CERT_MAX];
	size_t der_len[CHAIN_LEN];
	uint8_t thumbprint[DDI_THUMBPRINT_LEN];
	X509 *cert[CHAIN_LEN];
};

static int setup(void **state)
{
	static const struct azihsm_fw_config cfg = {
		.key_tables = 1, .serial = "CERT", .fw_rev = "0.1",
	};
	struct host *h = calloc(1, sizeof(*h));

	if (!h)
		return -1;
	h->fw = azihsm_fw_new(&cfg);
	*state = h;
	return h->fw ? 0 : -1;
}

static int teardown(void **state)
{
	struct host *h = *state;
	unsigned int i;

	for (i = 0; i < CHAIN_LEN; i++)
		X509_free(h->cert[i]);
	azihsm_fw_free(h->fw);
	free(h);
	return 0;
}

/* A no-session op, as the driver sends it; returns the DDI status. */
static uint32_t call(struct host *h, uint32_t op,
		     const struct mbor_schema *req_schema, const void *req,
		     const struct mbor_schema *resp_schema, void *resp)
{
	struct ddi_req_hdr hdr = { .has_rev = true, .rev = { 1, 0 }, .op = op };
	struct azihsm_fw_session in = { .flags = AZIHSM_DDI_CTRL_NONE };
	struct azihsm_fw_session out;
	uint8_t buf[AZIHSM_DDI_MAX_REQUEST];
	size_t len;

	assert_int_equal(ddi_encode_request(&hdr, req_schema, req, buf, sizeof(buf),
					    &len), 0);
	assert_int_equal(azihsm_fw_execute(h->fw, buf, len, h->resp, sizeof(h->resp),
					   &h->len, &in, &out),
			 AZIHSM_HSM_SC_SUCCESS);
	assert_true(ddi_decode_response(h->resp, h->len, &h->hdr, resp_schema, resp));
	assert_int_equal(h->hdr.op, op);
	assert_false(h->hdr.fips_approved);
	return h->hdr.status;
}

static uint32_t chain_info(struct host *h, uint8_t slot_id,
			   struct ddi_get_cert_chain_info_resp *r)
{
	struct ddi_get_cert_chain_info_req req = { .slot_id = slot_id };

	return call(h, OP(GET_CERT_CHAIN_INFO), &ddi_get_cert_chain_info_req_schema,
		    &req, &ddi_get_cert_chain_info_resp_schema, r);
}

static uint32_t certificate(struct host *h, uint8_t slot_id, uint8_t cert_id,
			    struct ddi_get_certificate_resp *r)
{
	struct ddi_get_certificate_req req = { .slot_id = slot_id, .cert_id = cert_id };

	return call(h, OP(GET_CERTIFICATE), &ddi_get_certificate_req_schema, &req,
		    &ddi_get_certificate_resp_schema, r);
}

/* GetCertChainInfo, then every certificate, copied and parsed. */
static void read_chain(struct host *h)
{
	struct ddi_get_cert_chain_info_resp info;
	struct ddi_get_certificate_resp r;
	const unsigned char *p;
	unsigned int i;

	assert_int_equal(chain_info(h, 0, &info), S(SUCCESS));
	assert_int_equal(info.num_certs, CHAIN_LEN);
	assert_int_equal(info.thumbprint.len, DDI_THUMBPRINT_LEN);
	memcpy(h->thumbprint, info.thumbprint.ptr, DDI_THUMBPRINT_LEN);

	for (i = 0; i < CHAIN_LEN; i++) {
		assert_int_equal(certificate(h, 0, (uint8_t)i, &r), S(SUCCESS));
		assert_in_range(r.certificate.len, 1, DDI_CERT_MAX);
		memcpy(h->der[i], r.certificate.ptr, r.certificate.len);
		h->der_len[i] = r.certificate.len;

		/* Strict DER: the whole string is one certificate. */
		p = h->der[i];
		X509_free(h->cert[i]);
		h->cert[i] = d2i_X509(NULL, &p, (long)h->der_len[i]);
		assert_non_null(h->cert[i]);
		assert_ptr_equal(p, h->der[i] + h->der_len[i]);
	}
}

/*
 * X509_verify_cert() of leaf with anchor as the only trusted certificate
 * and the untrusted intermediate (may be NULL); the verify error code.
 */
static int verify_chain(X509 *anchor, X509 *intermediate, X509 *leaf)
{
	X509_STORE *store = X509_STORE_new();
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	STACK_OF(X509) *untrusted = sk_X509_new_null();
	int err;

	assert_non_null(store);
	assert_non_null(ctx);
	assert_non_null(untrusted);
	assert_int_equal(X509_STORE_add_cert(store, anchor), 1);
	if (intermediate)
		assert_true(sk_X509_push(untrusted, intermediate) > 0);
	assert_int_equal(X509_STORE_CTX_init(ctx, store, leaf, untrusted), 1);
	X509_verify_cert(ctx);
	err = X509_STORE_CTX_get_error(ctx);
	X509_STORE_CTX_free(ctx);
	sk_X509_free(untrusted);
	X509_STORE_free(store);
	return err;
}

/* ---- Chain info and the chain ---- */

static void test_chain_verifies(void **state)
{
	struct host *h = *state;
	EVP_PKEY *root_key, *alias_key;

	read_chain(h);
	root_key = X509_get0_pubkey(h->cert[ROOT]);
	alias_key = X509_get0_pubkey(h->cert[ALIAS]);

	/* Root self-signed; each certificate signed by its issuer only. */
	assert_int_equal(X509_verify(h->cert[ROOT], root_key), 1);
	assert_int_equal(X509_verify(h->cert[ALIAS], root_key), 1);
	assert_int_not_equal(X509_verify(h->cert[ALIAS], alias_key), 1);
	assert_int_equal(X509_verify(h->cert[PID], alias_key), 1);
	assert_int_not_equal(X509_verify(h->cert[PID], root_key), 1);
	assert_int_equal(X509_check_issued(h->cert[ROOT], h->cert[ROOT]), X509_V_OK);
	assert_int_equal(X509_check_issued(h->cert[ROOT], h->cert[ALIAS]), X509_V_OK);
	assert_int_equal(X509_check_issued(h->cert[ALIAS], h->cert[PID]), X509_V_OK);

	/* Root and alias are CAs; the PID certificate is not. */
	assert_int_not_equal(X509_check_ca(h->cert[ROOT]), 0);
	assert_int_not_equal(X509_check_ca(h->cert[ALIAS]), 0);
	assert_int_equal(X509_check_ca(h->cert[PID]), 0);

	/* openssl verify -CAfile root -untrusted alias pid. */
	assert_int_equal(verify_chain(h->cert[ROOT], h->cert[ALIAS], h->cert[PID]),
			 X509_V_OK);
	/* Without the alias the path is broken; another anchor is not trusted. */
	assert_int_equal(verify_chain(h->cert[ROOT], NULL, h->cert[PID]),
			 X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY);
	assert_int_not_equal(verify_chain(h->cert[ALIAS], NULL, h->cert[ROOT]),
			     X509_V_OK);
}

static void test_thumbprint(void **state)
{
	struct host *h = *state;
	uint8_t hashes[CHAIN_LEN][SHA256_DIGEST_LENGTH], expect[SHA256_DIGEST_LENGTH];
	unsigned int i;

	read_chain(h);
	/* 7.12.1 with H_dev = SHA-256(root DER) (7.12.3). */
	for (i = 0; i < CHAIN_LEN; i++)
		SHA256(h->der[i], h->der_len[i], hashes[i]);
	SHA256(&hashes[0][0], sizeof(hashes), expect);
	assert_memory_equal(h->thumbprint, expect, sizeof(expect));
}

/* Two devices never share a chain (their keys differ). */
static void test_chain_per_device(void **state)
{
	struct host *h = *state;
	struct host *other = NULL;

	read_chain(h);
	assert_int_equal(setup((void **)&other), 0);
	read_chain(other);
	assert_memory_not_equal(h->thumbprint, other->thumbprint, DDI_THUMBPRINT_LEN);
	assert_int_not_equal(X509_cmp(h->cert[PID], other->cert[PID]), 0);
	assert_int_equal(teardown((void **)&other), 0);
}

/* ---- The PID certificate ---- */

/* The PID key is the identity key: it verifies pub_key_signature (7.3). */
static void test_pid_key(void **state)
{
	struct host *h = *state;
	uint8_t point[DDI_P384_POINT_LEN], identity[DDI_P384_POINT_LEN];
	struct ddi_cred_key_resp r;
	EVP_PKEY *pid_key;

	read_chain(h);
	pid_key = X509_get0_pubkey(h->cert[PID]);
	assert_non_null(pid_key);
	assert_int_equal(ddi_p384_public_point(pid_key, point), 0);
	assert_int_equal(azihsm_fw_identity_public_key(h->fw, identity), 0);
	assert_memory_equal(point, identity, sizeof(point));

	assert_int_equal(call(h, OP(GET_ESTABLISH_CRED_ENCRYPTION_KEY), &ddi_empty_schema,
			      NULL, &ddi_cred_key_resp_schema, &r), S(SUCCESS));
	assert_int_equal(r.pub_key_signature.len, DDI_P384_RAW_SIG_LEN);
	assert_true(ddi_p384_verify_raw(pid_key, r.pub_key.der.ptr, r.pub_key.der.len,
					r.pub_key_signature.ptr,
					r.pub_key_signature.len));
	/* Not by the alias key: the signature names the partition. */
	assert_false(ddi_p384_verify_raw(X509_get0_pubkey(h->cert[ALIAS]),
					 r.pub_key.der.ptr, r.pub_key.der.len,
					 r.pub_key_signature.ptr,
					 r.pub_key_signature.len));
}

/* A fixed part of the PID to-be-signed template (7.12.2). */
struct tbs_fixed {
	size_t off;
	size_t len;
	const char *bytes;
};

#define PID_TBS_LEN		422
#define PID_TBS_OFF		4	/* after 30 82 LL LL */

static const struct tbs_fixed pid_tbs_fixed[] = {
	{ 0, 4, "\x30\x82\x01\xA2" },
	{ 4, 5, "\xA0\x03\x02\x01\x02" },
	{ 9, 2, "\x02\x14" },
	{ 31, 12, "\x30\x0A\x06\x08\x2A\x86\x48\xCE\x3D\x04\x03\x03" },
	{ 43, 13, "\x30\x4B\x31\x49\x30\x47\x06\x03\x55\x04\x03\x0C\x40" },
	{ 120, 4, "\x30\x22\x18\x0F" },
	{ 124, 15, "20230101000000Z" },
	{ 139, 2, "\x18\x0F" },
	{ 141, 15, "99991231235959Z" },
	{ 156, 13, "\x30\x2B\x31\x29\x30\x27\x06\x03\x55\x04\x03\x0C\x20" },
	{ 201, 23, "\x30\x76\x30\x10\x06\x07\x2A\x86\x48\xCE\x3D\x02\x01"
		   "\x06\x05\x2B\x81\x04\x00\x22\x03\x62\x00" },
	{ 321, 4, "\xA3\x63\x30\x61" },
	{ 325, 17, "\x30\x0F\x06\x03\x55\x1D\x13\x01\x01\xFF\x04\x05\x30\x03\x02\x01\x00" },
	{ 342, 16, "\x30\x0E\x06\x03\x55\x1D\x0F\x01\x01\xFF\x04\x04\x03\x02\x07\x80" },
	{ 358, 11, "\x30\x1D\x06\x03\x55\x1D\x0E\x04\x16\x04\x14" },
	{ 389, 13, "\x30\x1F\x06\x03\x55\x1D\x23\x04\x18\x30\x16\x80\x14" },
};

/* The value of the one CN of name, which must be a UTF8String of len. */
static const uint8_t *cn_value(const X509_NAME *name, size_t len)
{
	const ASN1_STRING *cn;

	assert_int_equal(X509_NAME_entry_count(name), 1);
	cn = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, 0));
	assert_int_equal(ASN1_STRING_type(cn), V_ASN1_UTF8STRING);
	assert_int_equal(ASN1_STRING_length(cn), len);
	return ASN1_STRING_get0_data(cn);
}

static void test_pid_template(void **state)
{
	struct host *h = *state;
	static const char sig_alg[] = "\x30\x0A\x06\x08\x2A\x86\x48\xCE\x3D\x04\x03\x03";
	const uint8_t *der, *tbs;
	uint8_t point[DDI_P384_POINT_LEN], ski[SHA_DIGEST_LENGTH];
	const ASN1_OCTET_STRING *alias_ski;
	size_t i;

	read_chain(h);
	der = h->der[PID];
	tbs = der + PID_TBS_OFF;
	assert_in_range(h->der_len[PID], 543, 545);
	assert_int_equal(der[0], 0x30);
	assert_int_equal(der[1], 0x82);
	assert_int_equal((der[2] << 8 | der[3]) + 4, h->der_len[PID]);
	for (i = 0; i < sizeof(pid_tbs_fixed) / sizeof(pid_tbs_fixed[0]); i++)
		assert_memory_equal(tbs + pid_tbs_fixed[i].off, pid_tbs_fixed[i].bytes,
				    pid_tbs_fixed[i].len);
	assert_memory_equal(tbs + PID_TBS_LEN, sig_alg, sizeof(sig_alg) - 1);

	/* Serial: positive, non-zero leading byte. */
	assert_int_equal(tbs[11] & 0x81, 0x01);

	/* Issuer CN = the alias subject CN, 64 bytes. */
	assert_memory_equal(tbs + 56,
			    cn_value(X509_get_subject_name(h->cert[ALIAS]), 64), 64);

	/* Subject CN: 16-byte partition ID in uppercase hexadecimal. */
	for (i = 0; i < 32; i++)
		assert_non_null(strchr("0123456789ABCDEF", tbs[169 + i]));
	assert_memory_equal(tbs + 169,
			    cn_value(X509_get_subject_name(h->cert[PID]), 32), 32);

	/* Public key, SKI = SHA-1(point), AKI = the alias SKI. */
	assert_int_equal(azihsm_fw_identity_public_key(h->fw, point), 0);
	assert_memory_equal(tbs + 224, point, sizeof(point));
	SHA1(point, sizeof(point), ski);
	assert_memory_equal(tbs + 369, ski, sizeof(ski));
	alias_ski = X509_get0_subject_key_id(h->cert[ALIAS]);
	assert_non_null(alias_ski);
	assert_int_equal(ASN1_STRING_length(alias_ski), SHA_DIGEST_LENGTH);
	assert_memory_equal(tbs + 402, ASN1_STRING_get0_data(alias_ski),
			    SHA_DIGEST_LENGTH);
}

/* ---- Errors and caching ---- */

static void test_bad_requests(void **state)
{
	struct host *h = *state;
	struct ddi_get_cert_chain_info_resp info;
	struct ddi_get_certificate_resp r;

	/* Only slot 0 exists, before and after the chain is built. */
	assert_int_equal(chain_info(h, 1, &info), S(INVALID_ARG));
	assert_int_equal(chain_info(h, 255, &info), S(INVALID_ARG));

	/* GetCertificate needs the chain info first (3.3.3). */
	assert_int_equal(certificate(h, 0, 0, &r), S(INVALID_CERTIFICATE));
	assert_int_equal(certificate(h, 1, 0, &r), S(INVALID_ARG));

	read_chain(h);
	assert_int_equal(certificate(h, 0, CHAIN_LEN, &r), S(INVALID_CERTIFICATE));
	assert_int_equal(certificate(h, 0, 255, &r), S(INVALID_CERTIFICATE));
	assert_int_equal(certificate(h, 1, 0, &r), S(INVALID_ARG));
	assert_int_equal(certificate(h, 1, CHAIN_LEN, &r), S(INVALID_ARG));
	assert_int_equal(chain_info(h, 1, &info), S(INVALID_ARG));
}

/* The request data must be the op's map: a missing cert_id is a decode error. */
static void test_malformed_request(void **state)
{
	struct host *h = *state;
	struct ddi_get_cert_chain_info_req req = { .slot_id = 0 };

	assert_int_equal(call(h, OP(GET_CERTIFICATE), &ddi_get_cert_chain_info_req_schema,
			      &req, NULL, NULL), S(DDI_DECODE_FAILED));
	assert_int_equal(call(h, OP(GET_CERT_CHAIN_INFO), &ddi_empty_schema, NULL,
			      NULL, NULL), S(DDI_DECODE_FAILED));
}

/* Cached: every later call, and a controller reset, give the same bytes. */
static void test_repeatable(void **state)
{
	struct host *h = *state;
	uint8_t der[CHAIN_LEN][DDI_CERT_MAX], thumbprint[DDI_THUMBPRINT_LEN];
	size_t der_len[CHAIN_LEN];
	unsigned int round, i;

	read_chain(h);
	memcpy(der, h->der, sizeof(der));
	memcpy(der_len, h->der_len, sizeof(der_len));
	memcpy(thumbprint, h->thumbprint, sizeof(thumbprint));
	for (round = 0; round < 3; round++) {
		if (round == 2)
			azihsm_fw_reset(h->fw);
		read_chain(h);
		assert_memory_equal(h->thumbprint, thumbprint, sizeof(thumbprint));
		for (i = 0; i < CHAIN_LEN; i++) {
			assert_int_equal(h->der_len[i], der_len[i]);
			assert_memory_equal(h->der[i], der[i], der_len[i]);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_chain_verifies, setup, teardown),
		cmocka_unit_test_setup_teardown(test_thumbprint, setup, teardown),
		cmocka_unit_test_setup_teardown(test_chain_per_device, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pid_key, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pid_template, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_requests, setup, teardown),
		cmocka_unit_test_setup_teardown(test_malformed_request, setup, teardown),
		cmocka_unit_test_setup_teardown(test_repeatable, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
