// SPDX-License-Identifier: MIT
/*
 * azihsm-wycheproof-aes: run Wycheproof AES vectors through the HSM.
 *
 *   azihsm-wycheproof-aes (--emulated | [--device PATH] --id HEX32 --pin HEX32)
 *                         FILE.txt...
 *
 * The files are those scripts/wycheproof-aes.py writes (build/vectors/),
 * told apart by their name: a '#' comment line, then one vector per line
 * (hex fields, '-' for an empty one):
 *   aes_gcm*.txt        tcId result key iv aad msg ct tag
 *   aes_xts*.txt        tcId result key1 key2 tweak msg ct
 *   aes_cbc_pkcs5*.txt  tcId result key iv msg ct
 *
 * Each vector's key is imported in the clear with the test-only
 * DerKeyImport (spec/ddi.md 3.10; the raw-key classes of 7.8.4), sent raw
 * here because the library only imports ECC keys: GCM keys as class 6
 * (AesGcmBulk256Unapproved, so the vector's IV is used), XTS as two class
 * 4 keys, CBC as class 3 (AES-128/192/256).  Each import carries a tag so
 * that azihsm_key_open() gives a handle; the keys are deleted after each
 * vector, since the vault is small.  GCM and XTS then run on the AES fast
 * path (azihsm_aes_gcm_*, azihsm_aes_xts: the driver's AES ioctls), CBC
 * through azihsm_aes_cbc() with PKCS#7 padding (AesEncryptDecrypt).
 *   valid    encryption gives the vector's ciphertext (and tag), and
 *            decryption its message;
 *   invalid  decryption is refused: GCM with AUTH_FAILED, CBC with
 *            BAD_PADDING (INVALID_ARG for a ciphertext the mode cannot
 *            have: empty or not whole blocks).
 * XTS vectors are all valid (the flattening keeps what the fast path can
 * run); an invalid one would be a failure to decide about, so it counts as
 * one.
 *
 * Exit status: 0 all vectors as expected, 1 failures, 2 usage, 77 the
 * device refuses DerKeyImport as not supported (its test operations are
 * off; nothing was tested).
 */
#include <errno.h>
#include <stdarg.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "azihsm/ddi.h"
#include "azihsm/ddi_msg.h"
#include "hsm_target.h"

#define PROG		"azihsm-wycheproof-aes"
#define EXIT_NO_TEST_OPS 77
#define MAX_FIELDS	8

static const char *const usage =
	"usage: azihsm-wycheproof-aes (--emulated | [--device PATH] --id HEX32 --pin HEX32)\n"
	"                             FILE.txt...\n"
	"\n"
	"Check the HSM's AES-GCM and AES-XTS (fast path) and AES-CBC with PKCS#7\n"
	"padding (AesEncryptDecrypt) against Wycheproof vector files\n"
	"(aes_gcm*.txt, aes_xts*.txt, aes_cbc_pkcs5*.txt, from\n"
	"scripts/wycheproof-aes.py).  Needs the device's test operations\n"
	"(DerKeyImport).\n"
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

enum mode { MODE_GCM, MODE_XTS, MODE_CBC };

static const struct {
	const char *prefix;	/* of the file's base name */
	unsigned int fields;	/* per line */
} modes[] = {
	[MODE_GCM] = { "aes_gcm", 8 },
	[MODE_XTS] = { "aes_xts", 7 },
	[MODE_CBC] = { "aes_cbc_pkcs5", 6 },
};

enum result { RESULT_VALID, RESULT_INVALID, RESULT_ACCEPTABLE };
static const char *const result_names[] = { "valid", "invalid", "acceptable" };

/* A hex field of a line; ptr NULL when empty ('-'). */
struct field {
	uint8_t *ptr;
	long len;
};

struct vector {
	unsigned long tc_id;
	enum result result;
	struct field f[MAX_FIELDS - 2];	/* the hex fields after tcId, result */
};

/* What happened to one vector. */
enum outcome {
	OUTCOME_OK,		/* as the vector wants */
	OUTCOME_FAILED,		/* reported */
	OUTCOME_NO_TEST_OPS,	/* DerKeyImport is not supported */
};

struct run {
	struct azihsm_dev *dev;
	struct azihsm_session *sess;
	bool emulated;
};

static bool verbose;

/* Tags of the imported keys (app-scoped, so that OpenKey finds them). */
#define TAG_KEY1	0xa5e1
#define TAG_KEY2	0xa5e2

static void vector_free(struct vector *v)
{
	for (size_t i = 0; i < MAX_FIELDS - 2; i++)
		OPENSSL_free(v->f[i].ptr);
}

/* Split one line of a file of mode m into *v; -1 when it is not one. */
static int parse_vector(char *line, enum mode m, struct vector *v)
{
	char *tok[MAX_FIELDS + 1], *save = NULL, *end;
	unsigned int n = 0, i;

	memset(v, 0, sizeof(*v));
	for (char *t = strtok_r(line, " \t\n", &save); t && n <= MAX_FIELDS;
	     t = strtok_r(NULL, " \t\n", &save))
		tok[n++] = t;
	if (n != modes[m].fields)
		return -1;
	v->tc_id = strtoul(tok[0], &end, 10);
	if (*end || end == tok[0])
		return -1;
	for (i = 0; i < 3 && strcmp(tok[1], result_names[i]); i++)
		;
	if (i == 3)
		return -1;
	v->result = (enum result)i;
	for (i = 2; i < n; i++) {
		struct field *f = &v->f[i - 2];

		if (!strcmp(tok[i], "-"))
			continue;
		f->ptr = strchr(tok[i], ':') ? NULL : OPENSSL_hexstr2buf(tok[i], &f->len);
		if (!f->ptr) {
			vector_free(v);
			return -1;
		}
	}
	return 0;
}

static const uint8_t *fptr(const struct field *f)
{
	static const uint8_t none[1];

	return f->ptr ? f->ptr : none;
}

static size_t flen(const struct field *f)
{
	return (size_t)f->len;
}

static bool same(const uint8_t *got, const struct field *want)
{
	return !want->len || !memcmp(got, want->ptr, (size_t)want->len);
}

/* "FAIL FILE tcId N (result): what" on stderr; returns OUTCOME_FAILED. */
__attribute__((format(printf, 3, 4)))
static enum outcome fail(const char *file, const struct vector *v, const char *fmt, ...)
{
	char what[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	fprintf(stderr, "FAIL %s tcId %lu (%s): %s\n", file, v->tc_id,
		result_names[v->result], what);
	return OUTCOME_FAILED;
}

/* fail() with the library's last error after a call that returned status. */
static enum outcome fail_call(const char *file, const struct vector *v,
			      const char *step, int status)
{
	char err[256];

	azihsm_error_format(NULL, err, sizeof(err));
	return fail(file, v, "%s: %s (%s)", step, azihsm_strerror(status), err);
}

/*
 * DerKeyImport of a raw AES key of class key_class (7.8.4) as an
 * app-scoped ENCRYPT_DECRYPT key with this tag, sent raw in the session,
 * then OpenKey for a handle.  Returns 0, 1 when the device does not
 * support DerKeyImport, or -1 (reported).
 */
static int import_raw(struct run *r, const char *file, const struct vector *v,
		      uint32_t key_class, const struct field *key, uint16_t tag,
		      struct azihsm_key **keyp)
{
	static uint8_t req[512], resp[AZIHSM_MAX_RESPONSE];
	const uint16_t bits = DDI_KEY_META_ENCRYPT | DDI_KEY_META_DECRYPT;
	uint8_t meta[DDI_KEY_META_LEN] = { (uint8_t)bits, (uint8_t)(bits >> 8) };
	struct ddi_der_import_req data = {
		.der = { key->ptr, flen(key) },
		.key_class = key_class,
		.has_key_tag = true,
		.key_tag = tag,
		.key_properties = { .key_metadata = { { meta, sizeof(meta) } } },
	};
	struct azihsm_session_ctl ctl = {
		.kind = AZIHSM_SESSION_IN_SESSION,
		.has_id = true,
		.id = azihsm_session_id(r->sess),
	};
	struct ddi_req_hdr hdr = {
		.has_rev = true,
		.op = AZIHSM_DDI_OP_DER_KEY_IMPORT,
		.has_sess_id = true,
		.sess_id = azihsm_session_id(r->sess),
	};
	struct ddi_resp_hdr rhdr;
	struct azihsm_api_rev max;
	size_t req_len, resp_len;
	int ret;

	*keyp = NULL;
	if (!key->ptr) {
		fail(file, v, "the vector has no key");
		return -1;
	}
	ret = azihsm_get_api_rev(r->dev, NULL, &max);
	if (ret) {
		fail_call(file, v, "GetApiRev", ret);
		return -1;
	}
	hdr.rev.major = max.major;
	hdr.rev.minor = max.minor;
	if (ddi_encode_request(&hdr, &ddi_der_import_req_schema, &data, req,
			       sizeof(req), &req_len)) {
		fail(file, v, "cannot encode DerKeyImport");
		return -1;
	}
	ret = azihsm_ddi_raw(r->dev, &ctl, req, req_len, resp, sizeof(resp), &resp_len);
	if (ret) {
		fail_call(file, v, "DerKeyImport", ret);
		return -1;
	}
	if (!ddi_decode_response(resp, resp_len, &rhdr, NULL, NULL)) {
		fail(file, v, "DerKeyImport: undecodable response");
		return -1;
	}
	if (rhdr.status == AZIHSM_DDI_STATUS_UNSUPPORTED_CMD)
		return 1;
	if (rhdr.status) {
		const char *name = azihsm_ddi_status_name(rhdr.status);

		fail(file, v, "DerKeyImport of a %zu-byte class %u key: %s (0x%08x)",
		     flen(key), key_class, name ? name : "?", rhdr.status);
		return -1;
	}
	ret = azihsm_key_open(r->sess, tag, keyp);
	if (ret) {
		fail_call(file, v, "OpenKey of the imported key", ret);
		return -1;
	}
	return 0;
}

/* Delete *key (if any); false (reported) on failure. */
static bool delete_key(const char *file, const struct vector *v, struct azihsm_key *key)
{
	int ret;

	if (!key)
		return true;
	ret = azihsm_key_delete(key);
	if (!ret)
		return true;
	fail_call(file, v, "DeleteKey", ret);
	azihsm_key_free(key);
	return false;
}

/* A buffer for len bytes (at least one, so that it is never NULL). */
static uint8_t *buf_alloc(size_t len)
{
	return calloc(1, len + 16);
}

/*
 * A GCM tag mismatch comes from the driver's AES-GCM ioctl as EBADMSG
 * (with the device's STS): if the library records an errno for it, it
 * must be that one.
 */
static enum outcome check_auth_errno(struct run *r, const char *file,
				     const struct vector *v)
{
	struct azihsm_error err;

	azihsm_last_error(&err);
	if (r->emulated)
		return OUTCOME_OK;
	if (err.sys_errno == EBADMSG)
		return OUTCOME_OK;
	return fail(file, v, "wrong tag: the library recorded errno %d (%s), "
		    "not EBADMSG", err.sys_errno, strerror(err.sys_errno));
}

/* f: key iv aad msg ct tag */
static enum outcome run_gcm(struct run *r, const char *file, const struct vector *v,
			    struct azihsm_key *key)
{
	const struct field *iv = &v->f[1], *aad = &v->f[2], *msg = &v->f[3],
			   *ct = &v->f[4], *tag = &v->f[5];
	uint8_t got_tag[AZIHSM_GCM_TAG_LEN], iv_out[AZIHSM_GCM_IV_LEN];
	uint8_t *out = buf_alloc(flen(msg) > flen(ct) ? flen(msg) : flen(ct));
	enum outcome o = OUTCOME_FAILED;
	int ret;

	if (!out)
		return fail(file, v, "out of memory");
	if (flen(iv) != AZIHSM_GCM_IV_LEN || flen(tag) != AZIHSM_GCM_TAG_LEN) {
		o = fail(file, v, "not a 12-byte IV and a 16-byte tag");
		goto out;
	}
	if (v->result != RESULT_INVALID) {
		if (flen(msg) != flen(ct)) {
			o = fail(file, v, "message and ciphertext lengths differ");
			goto out;
		}
		ret = azihsm_aes_gcm_encrypt(key, iv->ptr, fptr(aad), flen(aad),
					     fptr(msg), flen(msg), out, got_tag, iv_out);
		if (ret) {
			o = fail_call(file, v, "encrypt", ret);
			goto out;
		}
		if (!same(out, ct) || memcmp(got_tag, tag->ptr, sizeof(got_tag)) ||
		    memcmp(iv_out, iv->ptr, sizeof(iv_out))) {
			o = fail(file, v, "encryption differs from the vector");
			goto out;
		}
	}
	ret = azihsm_aes_gcm_decrypt(key, iv->ptr, fptr(aad), flen(aad), fptr(ct),
				     flen(ct), tag->ptr, out);
	if (v->result == RESULT_INVALID) {
		if (ret != AZIHSM_ERR_AUTH_FAILED) {
			o = ret ? fail_call(file, v, "decrypt, wanted AUTH_FAILED", ret) :
				  fail(file, v, "decrypt accepted the tag");
			goto out;
		}
		o = check_auth_errno(r, file, v);
		goto out;
	}
	if (ret)
		o = fail_call(file, v, "decrypt", ret);
	else if (!same(out, msg))
		o = fail(file, v, "decryption differs from the message");
	else
		o = OUTCOME_OK;
out:
	free(out);
	return o;
}

/* f: key1 key2 tweak msg ct */
static enum outcome run_xts(const char *file, const struct vector *v,
			    struct azihsm_key *key1, struct azihsm_key *key2)
{
	const struct field *tweak = &v->f[2], *msg = &v->f[3], *ct = &v->f[4];
	uint8_t *out = buf_alloc(flen(msg));
	enum outcome o = OUTCOME_FAILED;
	int ret;

	if (!out)
		return fail(file, v, "out of memory");
	if (v->result == RESULT_INVALID) {
		o = fail(file, v, "an invalid XTS vector: nothing to check it by");
		goto out;
	}
	if (flen(tweak) != AZIHSM_XTS_TWEAK_LEN || flen(msg) != flen(ct)) {
		o = fail(file, v, "bad tweak or lengths");
		goto out;
	}
	ret = azihsm_aes_xts(key1, key2, true, 0, tweak->ptr, fptr(msg), flen(msg), out);
	if (ret) {
		o = fail_call(file, v, "encrypt", ret);
		goto out;
	}
	if (!same(out, ct)) {
		o = fail(file, v, "encryption differs from the vector");
		goto out;
	}
	ret = azihsm_aes_xts(key1, key2, false, 0, tweak->ptr, fptr(ct), flen(ct), out);
	if (ret)
		o = fail_call(file, v, "decrypt", ret);
	else if (!same(out, msg))
		o = fail(file, v, "decryption differs from the message");
	else
		o = OUTCOME_OK;
out:
	free(out);
	return o;
}

/* f: key iv msg ct */
static enum outcome run_cbc(const char *file, const struct vector *v,
			    struct azihsm_key *key)
{
	const struct field *iv = &v->f[1], *msg = &v->f[2], *ct = &v->f[3];
	size_t cap = (flen(msg) > flen(ct) ? flen(msg) : flen(ct)) + 16, out_len;
	uint8_t *out = buf_alloc(cap);
	enum outcome o = OUTCOME_FAILED;
	int ret;

	if (!out)
		return fail(file, v, "out of memory");
	if (flen(iv) != 16) {
		o = fail(file, v, "not a 16-byte IV");
		goto out;
	}
	if (v->result != RESULT_INVALID) {
		ret = azihsm_aes_cbc(key, true, AZIHSM_PAD_PKCS7, iv->ptr, fptr(msg),
				     flen(msg), out, cap, &out_len, NULL);
		if (ret) {
			o = fail_call(file, v, "encrypt", ret);
			goto out;
		}
		if (out_len != flen(ct) || !same(out, ct)) {
			o = fail(file, v, "encryption differs from the vector");
			goto out;
		}
	}
	ret = azihsm_aes_cbc(key, false, AZIHSM_PAD_PKCS7, iv->ptr, fptr(ct),
			     flen(ct), out, cap, &out_len, NULL);
	if (v->result == RESULT_INVALID) {
		bool whole_blocks = flen(ct) && !(flen(ct) % 16);

		if (ret == AZIHSM_ERR_BAD_PADDING ||
		    (ret == AZIHSM_ERR_INVALID_ARG && !whole_blocks))
			o = OUTCOME_OK;
		else
			o = ret ? fail_call(file, v, "decrypt, wanted BAD_PADDING", ret) :
				  fail(file, v, "decrypt accepted the padding");
		goto out;
	}
	if (ret)
		o = fail_call(file, v, "decrypt", ret);
	else if (out_len != flen(msg) || !same(out, msg))
		o = fail(file, v, "decryption differs from the message");
	else
		o = OUTCOME_OK;
out:
	free(out);
	return o;
}

static enum outcome run_vector(struct run *r, enum mode m, const char *file,
			       const struct vector *v)
{
	static const uint32_t key_class[] = {
		[MODE_GCM] = DDI_KEY_CLASS_AES_GCM_BULK_UNAPPROVED,
		[MODE_XTS] = DDI_KEY_CLASS_AES_XTS_BULK,
		[MODE_CBC] = DDI_KEY_CLASS_AES,
	};
	struct azihsm_key *key1 = NULL, *key2 = NULL;
	enum outcome o = OUTCOME_FAILED;
	int ret;

	ret = import_raw(r, file, v, key_class[m], &v->f[0], TAG_KEY1, &key1);
	if (!ret && m == MODE_XTS)
		ret = import_raw(r, file, v, key_class[m], &v->f[1], TAG_KEY2, &key2);
	if (ret > 0)
		o = OUTCOME_NO_TEST_OPS;
	else if (!ret && m == MODE_GCM)
		o = run_gcm(r, file, v, key1);
	else if (!ret && m == MODE_XTS)
		o = run_xts(file, v, key1, key2);
	else if (!ret)
		o = run_cbc(file, v, key1);
	if (!delete_key(file, v, key2) | !delete_key(file, v, key1))
		o = OUTCOME_FAILED;
	if (o == OUTCOME_OK && verbose)
		printf("ok   %s tcId %lu (%s)\n", file, v->tc_id, result_names[v->result]);
	return o;
}

/* The base name of path without ".txt", and its mode; -1 if none. */
static int file_mode(const char *path, char *label, size_t cap)
{
	const char *base = strrchr(path, '/');
	size_t len;

	base = base ? base + 1 : path;
	len = strlen(base);
	if (len > 4 && !strcmp(base + len - 4, ".txt"))
		len -= 4;
	snprintf(label, cap, "%.*s", (int)len, base);
	/* The longest prefix first: aes_cbc_pkcs5 before any shorter one. */
	for (int m = MODE_CBC; m >= MODE_GCM; m--)
		if (!strncmp(label, modes[m].prefix, strlen(modes[m].prefix)))
			return m;
	return -1;
}

/* Run one file.  Returns the exit status it calls for. */
static int run_file(struct run *r, const char *path)
{
	unsigned int counts[3] = { 0 }, failures = 0;
	unsigned long lineno = 0, vectors = 0;
	enum outcome o = OUTCOME_OK;
	char *line = NULL, label[128];
	struct vector v;
	size_t cap = 0;
	int m = file_mode(path, label, sizeof(label));
	FILE *f;

	if (m < 0) {
		fprintf(stderr, PROG ": %s: not an aes_gcm, aes_xts or aes_cbc_pkcs5 "
			"file\n", path);
		return EXIT_FAILURE;
	}
	f = fopen(path, "r");
	if (!f) {
		perror(path);
		return EXIT_FAILURE;
	}
	while (getline(&line, &cap, f) > 0) {
		lineno++;
		if (line[0] == '#' || line[strspn(line, " \t\n")] == '\0')
			continue;
		if (parse_vector(line, (enum mode)m, &v)) {
			fprintf(stderr, "FAIL %s:%lu: not a vector line\n", path, lineno);
			failures++;
			continue;
		}
		vectors++;
		o = run_vector(r, (enum mode)m, label, &v);
		if (o == OUTCOME_OK)
			counts[v.result]++;
		else if (o == OUTCOME_FAILED)
			failures++;
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
		failures++;
	}
	printf("%s: %u valid ok, %u invalid rejected, %u acceptable ok, %u failures\n",
	       label, counts[RESULT_VALID], counts[RESULT_INVALID],
	       counts[RESULT_ACCEPTABLE], failures);
	fflush(stdout);
	return failures ? EXIT_FAILURE : EXIT_SUCCESS;
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
	struct run r = { 0 };
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

	if (hsm_target_start(&target, true, &r.dev, &r.sess))
		return EXIT_FAILURE;
	r.emulated = target.emulated;
	for (i = optind; i < argc; i++) {
		ret = run_file(&r, argv[i]);
		if (ret == EXIT_NO_TEST_OPS) {
			status = ret;
			break;
		}
		if (ret)
			status = ret;
	}
	hsm_target_session_end(r.dev, r.sess);
	hsm_target_release(&target);
	return status;
}
