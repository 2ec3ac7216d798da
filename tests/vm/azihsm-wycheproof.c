// SPDX-License-Identifier: MIT
/*
 * azihsm-wycheproof: run Wycheproof ECDH vectors through the HSM.
 *
 *   azihsm-wycheproof (--emulated | [--device PATH] --id HEX32 --pin HEX32)
 *                     FILE.txt...
 *
 * The files are those scripts/wycheproof-ecdh.py writes (build/vectors/):
 * a '#' comment line, then one vector per line,
 *   tcId result curve public_der_hex private_be_hex shared_hex
 * with result valid|invalid|acceptable, curve 1 (P-256), 2 (P-384) or
 * 3 (P-521), and '-' for an empty hex field.
 *
 * The shared secret never leaves the HSM, so it is checked through what
 * it derives: for each vector the private scalar is imported (PKCS#8 built
 * here, test-only DerKeyImport, usage Derive, session key), EcdhKeyExchange
 * runs with the vector's public key, HkdfDerive (SHA-256, fixed salt and
 * info) makes an HMAC-SHA256 key, and its Hmac over a fixed message must
 * equal HKDF-SHA256 + HMAC-SHA256 computed here with OpenSSL from the
 * vector's shared secret.  Outcomes:
 *   valid       must be accepted and match;
 *   invalid     EcdhKeyExchange must be refused: the library's INVALID_KEY
 *               (it could not take the public key), INVALID_ARG for an
 *               empty one, or a DDI error status;
 *   acceptable  either, but when accepted it must match.
 * Anything else (an import, derive or Hmac that fails, another error) is
 * a failure.  Keys are deleted as soon as each vector is done, since the
 * vault is small.
 *
 * --emulated uses the in-process firmware core with its test operations
 * on, provisioned here; otherwise the device must be provisioned and its
 * credential given.  Exit status: 0 all vectors as expected, 1 failures,
 * 2 usage, 77 the device refuses DerKeyImport as not supported (its test
 * operations are off; nothing was tested).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/encoder.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/kdf.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>

#include "hsm_target.h"

#define PROG		"azihsm-wycheproof"
#define EXIT_NO_TEST_OPS 77

static const char *const usage =
	"usage: azihsm-wycheproof (--emulated | [--device PATH] --id HEX32 --pin HEX32)\n"
	"                         FILE.txt...\n"
	"\n"
	"Check the HSM's ECDH (EcdhKeyExchange, HkdfDerive, Hmac) against Wycheproof\n"
	"vector files (tcId result curve public_der private_be shared, hex).  Needs\n"
	"the device's test operations (DerKeyImport).\n"
	"\n"
	"  -e, --emulated      the in-process emulated HSM (libazihsm-emu, test\n"
	"                      operations on), provisioned here\n"
	"  -d, --device PATH   the HSM node (default: the first one found)\n"
	"      --id HEX32      application ID of the provisioned device\n"
	"      --pin HEX32     its PIN\n"
	"  -v, --verbose       one line per vector\n"
	"  -h, --help          show this help\n"
	"\n"
	"Exit status: 0 pass, 1 failures, 2 usage, 77 DerKeyImport not supported.\n";

/* Fixed derivation inputs: a salt is always sent (spec/ddi.md 7.9.1). */
static const uint8_t hkdf_salt[] = "azihsm wycheproof salt";
static const uint8_t hkdf_info[] = "azihsm wycheproof ecdh";
static const uint8_t hmac_message[] = "azihsm wycheproof message";
#define HMAC_KEY_LEN	32	/* an HMAC-SHA256 key (spec/ddi.md 7.9) */

static const struct {
	const char *group;
	int nid;
	uint32_t key_type;
} curves[] = {
	[1] = { "P-256", NID_X9_62_prime256v1, AZIHSM_KEY_ECC_P256 },
	[2] = { "P-384", NID_secp384r1, AZIHSM_KEY_ECC_P384 },
	[3] = { "P-521", NID_secp521r1, AZIHSM_KEY_ECC_P521 },
};

enum result { RESULT_VALID, RESULT_INVALID, RESULT_ACCEPTABLE };

struct vector {
	unsigned long tc_id;
	enum result result;
	unsigned int curve;		/* index into curves[] */
	uint8_t *pub, *priv, *shared;	/* OPENSSL_malloc'd; NULL when empty */
	long pub_len, priv_len, shared_len;
};

struct counts {
	unsigned int valid_ok, invalid_rejected, acceptable_accepted,
		     acceptable_rejected, failures;
};

static bool verbose;

/* A hex field, '-' for empty.  Returns -1 on bad hex. */
static int parse_hex(const char *s, uint8_t **out, long *len)
{
	*out = NULL;
	*len = 0;
	if (!strcmp(s, "-"))
		return 0;
	if (strchr(s, ':'))
		return -1;
	*out = OPENSSL_hexstr2buf(s, len);
	return *out ? 0 : -1;
}

static void vector_free(struct vector *v)
{
	OPENSSL_free(v->pub);
	OPENSSL_free(v->priv);
	OPENSSL_free(v->shared);
}

/* Split one line into *v.  Returns -1 when it is not a vector line. */
static int parse_vector(char *line, struct vector *v)
{
	static const char *const results[] = { "valid", "invalid", "acceptable" };
	char *field[7], *save = NULL, *end;
	int n = 0;
	size_t i;

	memset(v, 0, sizeof(*v));
	for (char *tok = strtok_r(line, " \t\n", &save); tok && n < 7;
	     tok = strtok_r(NULL, " \t\n", &save))
		field[n++] = tok;
	if (n != 6)
		return -1;
	v->tc_id = strtoul(field[0], &end, 10);
	if (*end || end == field[0])
		return -1;
	for (i = 0; i < 3; i++)
		if (!strcmp(field[1], results[i]))
			break;
	if (i == 3)
		return -1;
	v->result = (enum result)i;
	v->curve = (unsigned int)strtoul(field[2], &end, 10);
	if (*end || v->curve < 1 || v->curve > 3)
		return -1;
	if (parse_hex(field[3], &v->pub, &v->pub_len) ||
	    parse_hex(field[4], &v->priv, &v->priv_len) ||
	    parse_hex(field[5], &v->shared, &v->shared_len) || !v->priv) {
		vector_free(v);
		return -1;
	}
	return 0;
}

/*
 * PKCS#8 PrivateKeyInfo of the vector's scalar, with its public point
 * (computed here), as DerKeyImport takes it.  OPENSSL_free the result.
 */
static uint8_t *pkcs8_der(const struct vector *v, size_t *der_len)
{
	EC_GROUP *group = EC_GROUP_new_by_curve_name(curves[v->curve].nid);
	BIGNUM *scalar = BN_bin2bn(v->priv, (int)v->priv_len, NULL);
	EC_POINT *point = group ? EC_POINT_new(group) : NULL;
	uint8_t pub[1 + 2 * 66], *der = NULL;
	size_t pub_len = 0;
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *pkey = NULL;
	OSSL_ENCODER_CTX *enc = NULL;

	if (point && scalar &&
	    EC_POINT_mul(group, point, scalar, NULL, NULL, NULL) == 1)
		pub_len = EC_POINT_point2oct(group, point,
					     POINT_CONVERSION_UNCOMPRESSED,
					     pub, sizeof(pub), NULL);
	if (pub_len && bld &&
	    OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME,
					    curves[v->curve].group, 0) &&
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, scalar) &&
	    OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY,
					     pub, pub_len))
		params = OSSL_PARAM_BLD_to_param(bld);
	if (params)
		ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
	if (ctx && EVP_PKEY_fromdata_init(ctx) == 1 &&
	    EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_KEYPAIR, params) == 1)
		enc = OSSL_ENCODER_CTX_new_for_pkey(pkey, EVP_PKEY_KEYPAIR, "DER",
						    "PrivateKeyInfo", NULL);
	if (!enc || OSSL_ENCODER_to_data(enc, &der, der_len) != 1)
		der = NULL;
	OSSL_ENCODER_CTX_free(enc);
	EVP_PKEY_free(pkey);
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	EC_POINT_free(point);
	BN_free(scalar);
	EC_GROUP_free(group);
	return der;
}

/* HMAC-SHA256(HKDF-SHA256(shared, salt, info, 32), message), on the host. */
static int expected_tag(const struct vector *v, uint8_t tag[32])
{
	EVP_KDF *kdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
	EVP_KDF_CTX *kctx = kdf ? EVP_KDF_CTX_new(kdf) : NULL;
	uint8_t okm[HMAC_KEY_LEN];
	unsigned int tag_len = 0;
	OSSL_PARAM params[] = {
		OSSL_PARAM_utf8_string(OSSL_KDF_PARAM_DIGEST, "SHA256", 0),
		OSSL_PARAM_octet_string(OSSL_KDF_PARAM_KEY, v->shared,
					(size_t)v->shared_len),
		OSSL_PARAM_octet_string(OSSL_KDF_PARAM_SALT, (void *)hkdf_salt,
					sizeof(hkdf_salt)),
		OSSL_PARAM_octet_string(OSSL_KDF_PARAM_INFO, (void *)hkdf_info,
					sizeof(hkdf_info)),
		OSSL_PARAM_END,
	};
	int ok = kctx && v->shared &&
		 EVP_KDF_derive(kctx, okm, sizeof(okm), params) == 1 &&
		 HMAC(EVP_sha256(), okm, sizeof(okm), hmac_message,
		      sizeof(hmac_message), tag, &tag_len) && tag_len == 32;

	EVP_KDF_CTX_free(kctx);
	EVP_KDF_free(kdf);
	OPENSSL_cleanse(okm, sizeof(okm));
	return ok ? 0 : -1;
}

static void delete_key(struct azihsm_key *key, bool *failed)
{
	int ret;

	if (!key)
		return;
	ret = azihsm_key_delete(key);
	if (ret) {
		hsm_report(PROG, "DeleteKey", ret);
		azihsm_key_free(key);
		*failed = true;
	}
}

/* "PROG: FILE tcId N: STEP: <last library error>" */
static void report_step(const char *file, const struct vector *v,
			const char *step, int status)
{
	struct azihsm_error err;
	char what[256];

	/* The library's message names the DDI operation when one was sent. */
	azihsm_last_error(&err);
	if (err.ddi_op)
		snprintf(what, sizeof(what), "%s tcId %lu", file, v->tc_id);
	else
		snprintf(what, sizeof(what), "%s tcId %lu: %s", file, v->tc_id, step);
	hsm_report(PROG, what, status);
}

/* What happened to one vector on the HSM. */
enum outcome {
	OUTCOME_MATCH,		/* accepted, same HMAC as the host's */
	OUTCOME_REJECTED,	/* EcdhKeyExchange refused the public key */
	OUTCOME_FAILED,		/* anything else, reported */
	OUTCOME_NO_TEST_OPS,	/* DerKeyImport is not supported */
};

static enum outcome run_vector(struct azihsm_session *sess, const char *file,
			       const struct vector *v)
{
	const struct azihsm_key_params derive = {
		.usage = AZIHSM_USAGE_DERIVE, .session = true,
	};
	const struct azihsm_key_params sign = {
		.usage = AZIHSM_USAGE_SIGN_VERIFY, .session = true,
	};
	struct azihsm_key *priv = NULL, *secret = NULL, *hmac_key = NULL;
	uint8_t tag[AZIHSM_HMAC_MAX], want[32], *der;
	size_t der_len, tag_len;
	enum outcome outcome = OUTCOME_FAILED;
	bool delete_failed = false;
	const char *step;
	int ret;

	der = pkcs8_der(v, &der_len);
	if (!der) {
		fprintf(stderr, "%s tcId %lu: cannot encode the private key\n",
			file, v->tc_id);
		return OUTCOME_FAILED;
	}
	ret = azihsm_key_import_der_test(sess, der, der_len, &derive, &priv);
	OPENSSL_free(der);
	step = "DerKeyImport";
	if (ret == AZIHSM_ERR_NOT_SUPPORTED) {
		report_step(file, v, step, ret);
		return OUTCOME_NO_TEST_OPS;
	}
	if (ret) {
		report_step(file, v, step, ret);
		return OUTCOME_FAILED;
	}
	if (azihsm_key_type(priv) != curves[v->curve].key_type) {
		fprintf(stderr, "%s tcId %lu: imported key of type %u, not %u\n",
			file, v->tc_id, azihsm_key_type(priv),
			curves[v->curve].key_type);
		goto out;
	}

	step = "EcdhKeyExchange";
	ret = azihsm_ecdh(priv, v->pub, (size_t)v->pub_len, &derive, &secret);
	/* An empty key is no key at all: the library's argument check. */
	if (ret == AZIHSM_ERR_INVALID_KEY || ret == AZIHSM_ERR_DDI ||
	    (ret == AZIHSM_ERR_INVALID_ARG && !v->pub_len)) {
		if (verbose || v->result == RESULT_VALID)
			report_step(file, v, step, ret);
		outcome = OUTCOME_REJECTED;
		goto out;
	}
	if (ret) {
		report_step(file, v, step, ret);
		goto out;
	}

	step = "HkdfDerive";
	ret = azihsm_hkdf_derive(secret, AZIHSM_HASH_SHA256, hkdf_salt,
				 sizeof(hkdf_salt), hkdf_info, sizeof(hkdf_info),
				 AZIHSM_KEY_HMAC_SHA256, &sign, &hmac_key);
	if (ret) {
		report_step(file, v, step, ret);
		goto out;
	}
	step = "Hmac";
	ret = azihsm_hmac(hmac_key, hmac_message, sizeof(hmac_message), tag,
			  sizeof(tag), &tag_len);
	if (ret) {
		report_step(file, v, step, ret);
		goto out;
	}
	if (expected_tag(v, want)) {
		fprintf(stderr, "%s tcId %lu: accepted, but the vector has no "
			"shared secret to compare with\n", file, v->tc_id);
		goto out;
	}
	if (tag_len != sizeof(want) || memcmp(tag, want, sizeof(want))) {
		fprintf(stderr, "%s tcId %lu: the HSM's shared secret differs\n",
			file, v->tc_id);
		goto out;
	}
	outcome = OUTCOME_MATCH;
out:
	delete_key(hmac_key, &delete_failed);
	delete_key(secret, &delete_failed);
	delete_key(priv, &delete_failed);
	return delete_failed ? OUTCOME_FAILED : outcome;
}

/* Tally one vector's outcome; false when it is not what the vector wants. */
static bool tally(const char *file, const struct vector *v, enum outcome o,
		  struct counts *c)
{
	static const char *const names[] = { "valid", "invalid", "acceptable" };
	bool ok;

	switch (v->result) {
	case RESULT_VALID:
		ok = o == OUTCOME_MATCH;
		c->valid_ok += ok;
		break;
	case RESULT_INVALID:
		ok = o == OUTCOME_REJECTED;
		c->invalid_rejected += ok;
		break;
	default:
		ok = o == OUTCOME_MATCH || o == OUTCOME_REJECTED;
		c->acceptable_accepted += o == OUTCOME_MATCH;
		c->acceptable_rejected += o == OUTCOME_REJECTED;
		break;
	}
	if (!ok) {
		c->failures++;
		fprintf(stderr, "FAIL %s tcId %lu (%s): %s\n", file, v->tc_id,
			names[v->result],
			o == OUTCOME_MATCH ? "accepted" :
			o == OUTCOME_REJECTED ? "rejected" : "failed");
	} else if (verbose) {
		printf("ok   %s tcId %lu (%s): %s\n", file, v->tc_id,
		       names[v->result],
		       o == OUTCOME_MATCH ? "accepted" : "rejected");
	}
	return ok;
}

/* "ecdh_secp256r1" of "dir/ecdh_secp256r1.txt". */
static void file_label(const char *path, char *label, size_t cap)
{
	const char *base = strrchr(path, '/');
	size_t len;

	base = base ? base + 1 : path;
	len = strlen(base);
	if (len > 4 && !strcmp(base + len - 4, ".txt"))
		len -= 4;
	snprintf(label, cap, "%.*s", (int)len, base);
}

/* Run one file.  Returns the exit status it calls for. */
static int run_file(struct azihsm_session *sess, const char *path)
{
	struct counts c = { 0 };
	struct vector v;
	char *line = NULL, label[128];
	size_t cap = 0;
	unsigned long lineno = 0, vectors = 0;
	enum outcome o = OUTCOME_MATCH;
	FILE *f = fopen(path, "r");

	if (!f) {
		perror(path);
		return EXIT_FAILURE;
	}
	file_label(path, label, sizeof(label));
	while (getline(&line, &cap, f) > 0) {
		lineno++;
		if (line[0] == '#' || line[strspn(line, " \t\n")] == '\0')
			continue;
		if (parse_vector(line, &v)) {
			fprintf(stderr, "FAIL %s:%lu: not a vector line\n", path, lineno);
			c.failures++;
			continue;
		}
		vectors++;
		o = run_vector(sess, label, &v);
		if (o != OUTCOME_NO_TEST_OPS)
			tally(label, &v, o, &c);
		vector_free(&v);
		if (o == OUTCOME_NO_TEST_OPS)
			break;
	}
	free(line);
	fclose(f);
	if (o == OUTCOME_NO_TEST_OPS) {
		fprintf(stderr, PROG ": the device does not support DerKeyImport "
			"(test operations off)\n");
		return EXIT_NO_TEST_OPS;
	}
	if (!vectors) {
		fprintf(stderr, "FAIL %s: no vectors\n", path);
		c.failures++;
	}
	printf("%s: %u valid ok, %u invalid rejected, %u acceptable "
	       "(%u accepted, %u rejected), %u failures\n", label, c.valid_ok,
	       c.invalid_rejected, c.acceptable_accepted + c.acceptable_rejected,
	       c.acceptable_accepted, c.acceptable_rejected, c.failures);
	fflush(stdout);
	return c.failures ? EXIT_FAILURE : EXIT_SUCCESS;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		HSM_TARGET_LONGOPTS,
		HSM_TARGET_EMULATED_LONGOPT,
		{ "verbose", no_argument, NULL, 'v' },
		{ NULL, 0, NULL, 0 },
	};
	struct hsm_target target = { .prog = PROG, .usage = usage };
	struct azihsm_session *sess;
	struct azihsm_dev *dev;
	int c, i, ret, status = EXIT_SUCCESS;

	while ((c = getopt_long(argc, argv, "ed:vh", longopts, NULL)) != -1) {
		switch (c) {
		case 'v':
			verbose = true;
			break;
		default:
			ret = hsm_target_getopt(&target, c, optarg);
			if (ret != HSM_OPT_MORE)
				return ret;
		}
	}
	ret = hsm_target_options_done(&target, !target.emulated, optind < argc);
	if (ret)
		return ret;

	if (hsm_target_start(&target, true, &dev, &sess))
		return EXIT_FAILURE;
	for (i = optind; i < argc; i++) {
		ret = run_file(sess, argv[i]);
		if (ret == EXIT_NO_TEST_OPS) {
			status = ret;
			break;
		}
		if (ret)
			status = ret;
	}
	hsm_target_session_end(dev, sess);
	hsm_target_release(&target);
	return status;
}
