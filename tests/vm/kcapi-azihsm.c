// SPDX-License-Identifier: MIT
/*
 * kcapi-azihsm: the driver's kernel crypto API algorithms through AF_ALG.
 *
 *   kcapi-azihsm [--gcm NAME] [--xts NAME] [--cbc NAME] [--rounds N] [-v]
 *                [FILE.txt...]
 *
 * azihsm.ko registers gcm-aes-azihsm (aead), xts-aes-azihsm and
 * cbc-aes-azihsm (skcipher).  Each is asked for by its driver name through
 * libkcapi (so no other implementation of gcm(aes) & co. can answer), and:
 *   - the key sizes it takes are found (setkey of AES-128/192/256, XTS
 *     2x128 and 2x256); the AES-256 ones must be among them;
 *   - for each such size, random keys, IVs and lengths encrypt to what
 *     OpenSSL computes and decrypt back;
 *   - a GCM tag or ciphertext with one bit flipped fails with -EBADMSG;
 *   - the Wycheproof files given (scripts/wycheproof-aes.py:
 *     aes_gcm*.txt "tcId result key iv aad msg ct tag", aes_xts*.txt
 *     "tcId result key1 key2 tweak msg ct", aes_cbc_pkcs5*.txt "tcId
 *     result key iv msg ct"; '-' for empty) run through it: valid vectors
 *     must give the vector's ciphertext and message, invalid ones must be
 *     refused (GCM: -EBADMSG; CBC-PKCS5: the padding of what the kernel
 *     decrypts, checked here, is wrong).  Vectors with a key size the
 *     algorithm does not take are counted as skipped.
 * --gcm/--xts/--cbc name other implementations (e.g. "gcm(aes)"), to check
 * this program against the kernel's own.
 *
 * Exit status: 0 pass, 1 failures, 2 usage.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <kcapi.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#define PROG		"kcapi-azihsm"
#define GCM_IV_LEN	12
#define GCM_TAG_LEN	16
#define AES_BLOCK	16
#define MAX_DATA	4096	/* random lengths: well below AF_ALG's 16 pages */
#define MAX_AAD		64

static const char *const usage =
	"usage: kcapi-azihsm [--gcm NAME] [--xts NAME] [--cbc NAME] [--rounds N] [-v]\n"
	"                    [FILE.txt...]\n"
	"\n"
	"Check the kernel crypto API algorithms of azihsm.ko through AF_ALG\n"
	"(libkcapi) against OpenSSL and Wycheproof vector files (aes_gcm*.txt,\n"
	"aes_xts*.txt, aes_cbc_pkcs5*.txt from scripts/wycheproof-aes.py).\n"
	"\n"
	"      --gcm NAME    AEAD to test (default gcm-aes-azihsm)\n"
	"      --xts NAME    skcipher (default xts-aes-azihsm)\n"
	"      --cbc NAME    skcipher (default cbc-aes-azihsm)\n"
	"      --rounds N    random round trips per key size (default 16)\n"
	"  -v, --verbose     one line per vector\n"
	"  -h, --help        show this help\n"
	"\n"
	"Exit status: 0 pass, 1 failures, 2 usage.\n";

enum alg { ALG_GCM, ALG_XTS, ALG_CBC, ALG_COUNT };

struct alg_info {
	const char *name;		/* kernel driver name */
	size_t key_lens[2];		/* candidates */
	size_t need_key_len;		/* must be taken */
	bool takes[2];			/* key_lens[i] accepted */
};

static struct alg_info algs[ALG_COUNT] = {
	[ALG_GCM] = { "gcm-aes-azihsm", { 16, 32 }, 32 },
	[ALG_XTS] = { "xts-aes-azihsm", { 32, 64 }, 64 },
	[ALG_CBC] = { "cbc-aes-azihsm", { 16, 32 }, 32 },
};
/* AES-192 is tried too for GCM and CBC (a third candidate). */
static bool aes192_takes[ALG_COUNT];

static unsigned int failures;
static bool verbose;

__attribute__((format(printf, 1, 2)))
static void failed(const char *fmt, ...)
{
	va_list ap;

	printf("FAIL ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	failures++;
}

/* ---- The kernel's side, through libkcapi ---- */

/*
 * One skcipher operation of len bytes (whole blocks).  Returns 0 or a
 * negative errno.
 */
static int kc_skcipher(const char *name, bool encrypt, const uint8_t *key,
		       size_t key_len, const uint8_t iv[AES_BLOCK],
		       const uint8_t *in, size_t len, uint8_t *out)
{
	struct kcapi_handle *h;
	ssize_t n;
	int ret;

	ret = kcapi_cipher_init(&h, name, 0);
	if (ret)
		return ret;
	ret = kcapi_cipher_setkey(h, key, (uint32_t)key_len);
	if (!ret) {
		n = encrypt ?
		    kcapi_cipher_encrypt(h, in, len, iv, out, len, KCAPI_ACCESS_HEURISTIC) :
		    kcapi_cipher_decrypt(h, in, len, iv, out, len, KCAPI_ACCESS_HEURISTIC);
		ret = n < 0 ? (int)n : (size_t)n == len ? 0 : -EIO;
	}
	kcapi_cipher_destroy(h);
	return ret;
}

/*
 * AES-GCM through the AEAD: encrypt takes pt (len bytes) and gives ct and
 * tag; decrypt takes ct and tag and gives pt.  AF_ALG's buffers are
 * aad || data (|| tag).  Returns 0 or a negative errno (-EBADMSG: the
 * tag does not match).
 */
static int kc_gcm(const char *name, bool encrypt, const uint8_t *key,
		  size_t key_len, const uint8_t iv[GCM_IV_LEN], const uint8_t *aad,
		  size_t aad_len, const uint8_t *in, size_t len, uint8_t *out,
		  uint8_t tag[GCM_TAG_LEN])
{
	size_t in_len = aad_len + len + (encrypt ? 0 : GCM_TAG_LEN);
	size_t out_len = aad_len + len + (encrypt ? GCM_TAG_LEN : 0);
	uint8_t *src = calloc(1, in_len + 1), *dst = calloc(1, out_len + 1);
	struct kcapi_handle *h = NULL;
	ssize_t n;
	int ret = -ENOMEM;

	if (!src || !dst)
		goto out;
	memcpy(src, aad, aad_len);
	memcpy(src + aad_len, in, len);
	if (!encrypt)
		memcpy(src + aad_len + len, tag, GCM_TAG_LEN);
	ret = kcapi_aead_init(&h, name, 0);
	if (ret)
		goto out;
	ret = kcapi_aead_setkey(h, key, (uint32_t)key_len);
	if (!ret)
		ret = kcapi_aead_settaglen(h, GCM_TAG_LEN);
	if (ret)
		goto out;
	kcapi_aead_setassoclen(h, aad_len);
	n = encrypt ?
	    kcapi_aead_encrypt(h, src, in_len, iv, dst, out_len, KCAPI_ACCESS_HEURISTIC) :
	    kcapi_aead_decrypt(h, src, in_len, iv, dst, out_len, KCAPI_ACCESS_HEURISTIC);
	if (n < 0) {
		ret = (int)n;
		goto out;
	}
	memcpy(out, dst + aad_len, len);
	if (encrypt)
		memcpy(tag, dst + aad_len + len, GCM_TAG_LEN);
out:
	if (h)
		kcapi_aead_destroy(h);
	free(src);
	free(dst);
	return ret;
}

/* Whether the algorithm takes a key of key_len bytes (setkey). */
static bool kc_takes_key(enum alg a, size_t key_len)
{
	struct kcapi_handle *h;
	uint8_t key[64];
	int ret;

	if (RAND_bytes(key, sizeof(key)) != 1)
		return false;
	if (a == ALG_GCM) {
		if (kcapi_aead_init(&h, algs[a].name, 0))
			return false;
		ret = kcapi_aead_setkey(h, key, (uint32_t)key_len);
		kcapi_aead_destroy(h);
	} else {
		if (kcapi_cipher_init(&h, algs[a].name, 0))
			return false;
		ret = kcapi_cipher_setkey(h, key, (uint32_t)key_len);
		kcapi_cipher_destroy(h);
	}
	return !ret;
}

static bool takes_key(enum alg a, size_t key_len)
{
	for (int i = 0; i < 2; i++)
		if (algs[a].key_lens[i] == key_len)
			return algs[a].takes[i];
	return key_len == 24 && aes192_takes[a];
}

/* ---- OpenSSL's side ---- */

static const EVP_CIPHER *ossl_cipher(enum alg a, size_t key_len)
{
	switch (a) {
	case ALG_GCM:
		return key_len == 16 ? EVP_aes_128_gcm() :
		       key_len == 24 ? EVP_aes_192_gcm() : EVP_aes_256_gcm();
	case ALG_XTS:
		return key_len == 32 ? EVP_aes_128_xts() : EVP_aes_256_xts();
	default:
		return key_len == 16 ? EVP_aes_128_cbc() :
		       key_len == 24 ? EVP_aes_192_cbc() : EVP_aes_256_cbc();
	}
}

/* Encrypt len bytes with OpenSSL (no padding; GCM: with aad, giving tag). */
static int ossl_encrypt(enum alg a, const uint8_t *key, size_t key_len,
			const uint8_t *iv, const uint8_t *aad, size_t aad_len,
			const uint8_t *in, size_t len, uint8_t *out, uint8_t *tag)
{
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	int n, ok;

	ok = ctx && EVP_EncryptInit_ex(ctx, ossl_cipher(a, key_len), NULL, key, iv) == 1 &&
	     EVP_CIPHER_CTX_set_padding(ctx, 0) == 1 &&
	     (!aad_len || EVP_EncryptUpdate(ctx, NULL, &n, aad, (int)aad_len) == 1) &&
	     EVP_EncryptUpdate(ctx, out, &n, in, (int)len) == 1 &&
	     EVP_EncryptFinal_ex(ctx, out + n, &n) == 1 &&
	     (a != ALG_GCM ||
	      EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, GCM_TAG_LEN, tag) == 1);
	EVP_CIPHER_CTX_free(ctx);
	return ok ? 0 : -1;
}

/* ---- Random round trips ---- */

static size_t random_below(size_t n)
{
	uint32_t r = 0;

	RAND_bytes((uint8_t *)&r, sizeof(r));
	return n ? r % n : 0;
}

/* One random round trip of a with a key of key_len bytes; false on failure. */
static bool round_trip(enum alg a, size_t key_len)
{
	static uint8_t key[64], iv[AES_BLOCK], aad[MAX_AAD], pt[MAX_DATA],
		       ct[MAX_DATA], want[MAX_DATA], back[MAX_DATA];
	uint8_t tag[GCM_TAG_LEN], want_tag[GCM_TAG_LEN];
	const char *name = algs[a].name;
	size_t len, aad_len = 0;
	int ret;

	len = a == ALG_GCM ? random_below(MAX_DATA + 1) :
	      AES_BLOCK * (1 + random_below(MAX_DATA / AES_BLOCK));
	if (a == ALG_GCM)
		aad_len = random_below(MAX_AAD + 1);
	if (RAND_bytes(key, sizeof(key)) != 1 || RAND_bytes(iv, sizeof(iv)) != 1 ||
	    RAND_bytes(aad, sizeof(aad)) != 1 || RAND_bytes(pt, sizeof(pt)) != 1) {
		failed("%s: no random bytes", name);
		return false;
	}
	if (ossl_encrypt(a, key, key_len, iv, aad, aad_len, pt, len, want, want_tag)) {
		failed("%s: OpenSSL cannot encrypt", name);
		return false;
	}
	ret = a == ALG_GCM ? kc_gcm(name, true, key, key_len, iv, aad, aad_len, pt, len, ct, tag) :
	      kc_skcipher(name, true, key, key_len, iv, pt, len, ct);
	if (ret || memcmp(ct, want, len) ||
	    (a == ALG_GCM && memcmp(tag, want_tag, GCM_TAG_LEN))) {
		failed("%s: %zu-byte key, %zu bytes (aad %zu): encryption %s", name,
		       key_len, len, aad_len, ret ? strerror(-ret) : "differs from OpenSSL's");
		return false;
	}
	ret = a == ALG_GCM ? kc_gcm(name, false, key, key_len, iv, aad, aad_len, ct, len, back, tag) :
	      kc_skcipher(name, false, key, key_len, iv, ct, len, back);
	if (ret || memcmp(back, pt, len)) {
		failed("%s: %zu-byte key, %zu bytes: decryption %s", name, key_len, len,
		       ret ? strerror(-ret) : "does not give the plaintext back");
		return false;
	}
	if (a != ALG_GCM)
		return true;
	/* One flipped bit, in the tag and then in the data, must be refused. */
	for (int where = 0; where < 2; where++) {
		uint8_t *bit = where ? (len ? &ct[random_below(len)] : NULL) :
				       &tag[random_below(GCM_TAG_LEN)];

		if (!bit)
			continue;
		*bit ^= 0x10;
		ret = kc_gcm(name, false, key, key_len, iv, aad, aad_len, ct, len, back, tag);
		*bit ^= 0x10;
		if (ret != -EBADMSG) {
			failed("%s: a flipped bit in the %s: %s, not EBADMSG", name,
			       where ? "ciphertext" : "tag", ret ? strerror(-ret) : "accepted");
			return false;
		}
	}
	return true;
}

static void check_random(enum alg a, unsigned int rounds)
{
	struct alg_info *ai = &algs[a];
	size_t sizes[3];
	unsigned int n = 0, ok;

	for (int i = 0; i < 2; i++)
		if (ai->takes[i])
			sizes[n++] = ai->key_lens[i];
	if (aes192_takes[a])
		sizes[n++] = 24;
	for (unsigned int s = 0; s < n; s++) {
		ok = 0;
		for (unsigned int r = 0; r < rounds; r++)
			ok += round_trip(a, sizes[s]);
		printf("%s %s: %zu-byte keys: %u of %u random round trips match "
		       "OpenSSL%s\n", ok == rounds ? "ok  " : "FAIL", ai->name,
		       sizes[s], ok, rounds,
		       a == ALG_GCM ? ", flipped bits give EBADMSG" : "");
	}
}

/* Which key sizes each algorithm takes; the AES-256 ones must be among them. */
static void probe_algs(void)
{
	for (int a = 0; a < ALG_COUNT; a++) {
		struct alg_info *ai = &algs[a];
		char sizes[64] = "";

		for (int i = 0; i < 2; i++) {
			ai->takes[i] = kc_takes_key((enum alg)a, ai->key_lens[i]);
			if (ai->takes[i])
				snprintf(sizes + strlen(sizes), sizeof(sizes) - strlen(sizes),
					 " %zu", ai->key_lens[i]);
		}
		if (a != ALG_XTS && kc_takes_key((enum alg)a, 24)) {
			aes192_takes[a] = true;
			strncat(sizes, " 24", sizeof(sizes) - strlen(sizes) - 1);
		}
		if (!takes_key((enum alg)a, ai->need_key_len))
			failed("%s: not available, or refuses %zu-byte keys", ai->name,
			       ai->need_key_len);
		else
			printf("ok   %s: takes keys of bytes:%s\n", ai->name, sizes);
	}
	fflush(stdout);
}

/* ---- Wycheproof files ---- */

struct hexfield {
	uint8_t *b;	/* never NULL once parsed */
	long n;
};

/* Parse the hex tokens of line after "tcId result" into f[0..want-3]. */
static int split_line(char *line, unsigned long *tc_id, bool *valid,
		      struct hexfield *f, int want)
{
	char *save = NULL, *tok;
	int n;

	for (n = 0; (tok = strtok_r(n ? NULL : line, " \t\n", &save)); n++) {
		if (n >= want)
			return -1;
		if (n == 0) {
			*tc_id = strtoul(tok, NULL, 10);
		} else if (n == 1) {
			*valid = !strcmp(tok, "valid");
			if (!*valid && strcmp(tok, "invalid"))
				return -1;	/* no "acceptable" AES vector exists */
		} else {
			struct hexfield *h = &f[n - 2];

			h->n = 0;
			h->b = strcmp(tok, "-") ? OPENSSL_hexstr2buf(tok, &h->n) :
						  OPENSSL_zalloc(1);
			if (!h->b)
				return -1;
		}
	}
	return n == want ? 0 : -1;
}

/* GCM: key iv aad msg ct tag.  1 ok, 0 skipped, -1 failed. */
static int gcm_vector(bool valid, struct hexfield *f, uint8_t *out)
{
	const char *name = algs[ALG_GCM].name;
	uint8_t tag[GCM_TAG_LEN];
	int ret;

	if (!takes_key(ALG_GCM, (size_t)f[0].n))
		return 0;
	if (f[1].n != GCM_IV_LEN || f[5].n != GCM_TAG_LEN || f[3].n != f[4].n)
		return -1;
	if (valid) {
		ret = kc_gcm(name, true, f[0].b, (size_t)f[0].n, f[1].b, f[2].b,
			     (size_t)f[2].n, f[3].b, (size_t)f[3].n, out, tag);
		if (ret || memcmp(out, f[4].b, (size_t)f[4].n) ||
		    memcmp(tag, f[5].b, GCM_TAG_LEN))
			return -1;
	}
	ret = kc_gcm(name, false, f[0].b, (size_t)f[0].n, f[1].b, f[2].b,
		     (size_t)f[2].n, f[4].b, (size_t)f[4].n, out, f[5].b);
	if (!valid)
		return ret == -EBADMSG ? 1 : -1;
	return !ret && !memcmp(out, f[3].b, (size_t)f[3].n) ? 1 : -1;
}

/* XTS: key1 key2 tweak msg ct.  1 ok, 0 skipped, -1 failed. */
static int xts_vector(bool valid, struct hexfield *f, uint8_t *out)
{
	const char *name = algs[ALG_XTS].name;
	size_t half = (size_t)f[0].n, len = (size_t)f[3].n;
	uint8_t key[64];

	if (!takes_key(ALG_XTS, 2 * half))
		return 0;
	if (!valid || f[1].n != f[0].n || f[2].n != AES_BLOCK || f[4].n != f[3].n ||
	    !len || len % AES_BLOCK)
		return -1;
	memcpy(key, f[0].b, half);
	memcpy(key + half, f[1].b, half);
	if (kc_skcipher(name, true, key, 2 * half, f[2].b, f[3].b, len, out) ||
	    memcmp(out, f[4].b, len))
		return -1;
	if (kc_skcipher(name, false, key, 2 * half, f[2].b, f[4].b, len, out) ||
	    memcmp(out, f[3].b, len))
		return -1;
	return 1;
}

/* CBC-PKCS5: key iv msg ct, padding added and checked here. */
static int cbc_vector(bool valid, struct hexfield *f, uint8_t *out)
{
	const char *name = algs[ALG_CBC].name;
	size_t msg_len = (size_t)f[2].n, ct_len = (size_t)f[3].n, pad;
	size_t padded = (msg_len / AES_BLOCK + 1) * AES_BLOCK;
	uint8_t *in;
	bool pad_ok;

	if (!takes_key(ALG_CBC, (size_t)f[0].n))
		return 0;
	if (f[1].n != AES_BLOCK)
		return -1;
	if (valid) {
		in = malloc(padded);
		if (!in)
			return -1;
		memcpy(in, f[2].b, msg_len);
		memset(in + msg_len, (int)(padded - msg_len), padded - msg_len);
		if (kc_skcipher(name, true, f[0].b, (size_t)f[0].n, f[1].b, in,
				padded, out) || padded != ct_len ||
		    memcmp(out, f[3].b, ct_len)) {
			free(in);
			return -1;
		}
		free(in);
	}
	/* A ciphertext of no whole blocks cannot even be decrypted. */
	if (!ct_len || ct_len % AES_BLOCK)
		return valid ? -1 : 1;
	if (kc_skcipher(name, false, f[0].b, (size_t)f[0].n, f[1].b, f[3].b, ct_len, out))
		return -1;
	pad = out[ct_len - 1];
	pad_ok = pad >= 1 && pad <= AES_BLOCK;
	for (size_t i = 0; pad_ok && i < pad; i++)
		pad_ok = out[ct_len - 1 - i] == pad;
	if (!valid)
		return pad_ok ? -1 : 1;
	return pad_ok && ct_len - pad == msg_len && !memcmp(out, f[2].b, msg_len) ? 1 : -1;
}

static void run_file(const char *path)
{
	static const struct {
		const char *prefix;
		int fields;
		int (*run)(bool valid, struct hexfield *f, uint8_t *out);
	} kinds[] = {
		{ "aes_cbc_pkcs5", 6, cbc_vector },
		{ "aes_gcm", 8, gcm_vector },
		{ "aes_xts", 7, xts_vector },
	};
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	unsigned int counts[2] = { 0 }, skipped = 0, bad = 0;
	struct hexfield f[6];
	char *line = NULL;
	size_t cap = 0, k;
	FILE *fp;

	for (k = 0; k < 3 && strncmp(base, kinds[k].prefix, strlen(kinds[k].prefix)); k++)
		;
	fp = k < 3 ? fopen(path, "r") : NULL;
	if (!fp) {
		failed("%s: %s", path, k < 3 ? strerror(errno) : "not a Wycheproof AES file");
		return;
	}
	while (getline(&line, &cap, fp) > 0) {
		unsigned long tc_id = 0;
		bool valid = false;
		int ret;

		if (line[0] == '#')
			continue;
		memset(f, 0, sizeof(f));
		ret = split_line(line, &tc_id, &valid, f, kinds[k].fields);
		if (!ret) {
			size_t out_len = 64;
			uint8_t *out;

			for (int i = 0; i < 6; i++)
				out_len += (size_t)f[i].n;
			out = calloc(1, out_len);

			ret = out ? kinds[k].run(valid, f, out) : -1;
			free(out);
		} else {
			ret = -1;
		}
		for (int i = 0; i < 6; i++)
			OPENSSL_free(f[i].b);
		if (ret > 0)
			counts[valid]++;
		skipped += ret == 0;
		if (ret < 0) {
			bad++;
			failed("%s tcId %lu (%s)", base, tc_id, valid ? "valid" : "invalid");
		} else if (verbose) {
			printf("%s %s tcId %lu\n", ret ? "ok  " : "skip", base, tc_id);
		}
	}
	free(line);
	fclose(fp);
	printf("%s: %u valid ok, %u invalid rejected, %u skipped (key size not "
	       "taken), %u failures\n", base, counts[1], counts[0], skipped, bad);
	if (!counts[0] && !counts[1])
		failed("%s: no vector ran", base);
	fflush(stdout);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "gcm", required_argument, NULL, 'g' },
		{ "xts", required_argument, NULL, 'x' },
		{ "cbc", required_argument, NULL, 'c' },
		{ "rounds", required_argument, NULL, 'r' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned int rounds = 16;
	char *end;
	int c;

	while ((c = getopt_long(argc, argv, "vh", longopts, NULL)) != -1) {
		switch (c) {
		case 'g':
			algs[ALG_GCM].name = optarg;
			break;
		case 'x':
			algs[ALG_XTS].name = optarg;
			break;
		case 'c':
			algs[ALG_CBC].name = optarg;
			break;
		case 'r':
			rounds = (unsigned int)strtoul(optarg, &end, 10);
			if (*end || !rounds) {
				fputs(usage, stderr);
				return 2;
			}
			break;
		case 'v':
			verbose = true;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			fputs(usage, stderr);
			return 2;
		}
	}
	probe_algs();
	for (int a = 0; a < ALG_COUNT; a++)
		check_random((enum alg)a, rounds);
	for (int i = optind; i < argc; i++)
		run_file(argv[i]);
	printf("%s: %u failure(s)\n", PROG, failures);
	return failures ? 1 : 0;
}
