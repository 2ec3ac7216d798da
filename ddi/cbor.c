// SPDX-License-Identifier: MIT
/*
 * Minimal CBOR codec (definite lengths, integers, byte and text strings,
 * arrays, maps, tags) and the COSE_Sign1 attestation report of
 * spec/ddi.md 7.11 built with it.
 */
#include <string.h>

#include <openssl/evp.h>

#include "azihsm/cbor.h"
#include "azihsm/ddi_msg.h"

void cbor_enc_init(struct cbor_enc *e, uint8_t *buf, size_t cap)
{
	e->buf = buf;
	e->cap = buf ? cap : 0;
	e->pos = 0;
	e->overflow = false;
}

void cbor_put_raw(struct cbor_enc *e, const uint8_t *p, size_t len)
{
	if (e->buf && !e->overflow) {
		if (len > e->cap - e->pos) {
			e->overflow = true;
			return;
		}
		if (len)
			memcpy(e->buf + e->pos, p, len);
	}
	e->pos += len;
}

void cbor_put_head(struct cbor_enc *e, enum cbor_major major, uint64_t arg)
{
	uint8_t head[9];
	size_t n, i;

	if (arg < 24) {
		head[0] = (uint8_t)(major << 5 | arg);
		cbor_put_raw(e, head, 1);
		return;
	}
	n = arg <= 0xff ? 1 : arg <= 0xffff ? 2 : arg <= 0xffffffffu ? 4 : 8;
	/* Additional info 24..27 = 1, 2, 4, 8 argument bytes. */
	head[0] = (uint8_t)(major << 5 | (n == 1 ? 24 : n == 2 ? 25 : n == 4 ? 26 : 27));
	for (i = 0; i < n; i++)
		head[1 + i] = (uint8_t)(arg >> (8 * (n - 1 - i)));
	cbor_put_raw(e, head, 1 + n);
}

void cbor_put_int(struct cbor_enc *e, int64_t v)
{
	if (v >= 0)
		cbor_put_head(e, CBOR_UINT, (uint64_t)v);
	else
		cbor_put_head(e, CBOR_NINT, (uint64_t)(-1 - v));
}

void cbor_put_bytes(struct cbor_enc *e, const uint8_t *p, size_t len)
{
	cbor_put_head(e, CBOR_BYTES, len);
	cbor_put_raw(e, p, len);
}

void cbor_put_text(struct cbor_enc *e, const char *s)
{
	size_t len = strlen(s);

	cbor_put_head(e, CBOR_TEXT, len);
	cbor_put_raw(e, (const uint8_t *)s, len);
}

void cbor_dec_init(struct cbor_dec *d, const uint8_t *buf, size_t len)
{
	d->buf = buf;
	d->len = buf ? len : 0;
	d->pos = 0;
}

bool cbor_get_head(struct cbor_dec *d, enum cbor_major *major, uint64_t *arg)
{
	uint8_t ib, info;
	size_t n, i;

	if (d->pos >= d->len)
		return false;
	ib = d->buf[d->pos++];
	*major = (enum cbor_major)(ib >> 5);
	info = ib & 0x1f;
	if (*major > CBOR_TAG)
		return false;	/* simple values and floats: not used here */
	if (info < 24) {
		*arg = info;
		return true;
	}
	if (info > 27)
		return false;	/* reserved or indefinite length */
	n = (size_t)1 << (info - 24);
	if (n > d->len - d->pos)
		return false;
	*arg = 0;
	for (i = 0; i < n; i++)
		*arg = *arg << 8 | d->buf[d->pos++];
	return true;
}

bool cbor_expect(struct cbor_dec *d, enum cbor_major major, int64_t want,
		 uint64_t *arg)
{
	enum cbor_major m;
	uint64_t a;

	if (!cbor_get_head(d, &m, &a) || m != major || (want >= 0 && a != (uint64_t)want))
		return false;
	if (arg)
		*arg = a;
	return true;
}

bool cbor_get_bytes(struct cbor_dec *d, const uint8_t **p, size_t *len)
{
	uint64_t n;

	if (!cbor_expect(d, CBOR_BYTES, -1, &n) || n > d->len - d->pos)
		return false;
	*p = d->buf + d->pos;
	*len = (size_t)n;
	d->pos += (size_t)n;
	return true;
}

/* ---- Attestation report (7.11) ---- */

/* COSE labels and values (RFC 9052, 9053). */
#define COSE_ALG		1
#define COSE_CONTENT_TYPE	3
#define COSE_ES384		(-35)
#define COSE_KTY		1
#define COSE_KTY_EC2		2
#define COSE_EC2_CRV		(-1)
#define COSE_EC2_X		(-2)
#define COSE_EC2_Y		(-3)
#define COSE_KTY_RSA		3
#define COSE_RSA_N		(-1)
#define COSE_RSA_E		(-2)
#define CBOR_TAG_COSE_SIGN1	18
#define ATTEST_VERSION		1
#define ATTEST_FIELDS		7

/* The protected header bstr content: { 1: -35, 3: "application/cbor" }. */
static size_t protected_header(uint8_t *out, size_t cap)
{
	struct cbor_enc e;

	cbor_enc_init(&e, out, cap);
	cbor_put_head(&e, CBOR_MAP, 2);
	cbor_put_int(&e, COSE_ALG);
	cbor_put_int(&e, COSE_ES384);
	cbor_put_int(&e, COSE_CONTENT_TYPE);
	cbor_put_text(&e, "application/cbor");
	return e.overflow ? 0 : e.pos;
}
#define PROTECTED_LEN	22

uint32_t ddi_attest_flags(uint64_t attrs)
{
	static const struct { uint64_t attr; uint32_t flag; } map[] = {
		{ DDI_KEY_ATTR_SESSION, DDI_ATTEST_FLAG_SESSION },
		{ DDI_KEY_ATTR_ENCRYPT, DDI_ATTEST_FLAG_ENCRYPT },
		{ DDI_KEY_ATTR_DECRYPT, DDI_ATTEST_FLAG_DECRYPT },
		{ DDI_KEY_ATTR_SIGN, DDI_ATTEST_FLAG_SIGN },
		{ DDI_KEY_ATTR_VERIFY, DDI_ATTEST_FLAG_VERIFY },
		{ DDI_KEY_ATTR_UNWRAP, DDI_ATTEST_FLAG_UNWRAP },
		{ DDI_KEY_ATTR_DERIVE, DDI_ATTEST_FLAG_DERIVE },
	};
	uint32_t flags;
	size_t i;

	/* can_wrap is never set by the FW (4.12). */
	flags = attrs & DDI_KEY_ATTR_LOCAL ? DDI_ATTEST_FLAG_GENERATED :
					     DDI_ATTEST_FLAG_IMPORTED;
	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (attrs & map[i].attr)
			flags |= map[i].flag;
	return flags;
}

size_t ddi_cose_key_ec2(const struct ddi_ecc_curve_info *c, const uint8_t *point,
			uint8_t *out, size_t cap)
{
	struct cbor_enc e;

	cbor_enc_init(&e, out, cap);
	cbor_put_head(&e, CBOR_MAP, 4);
	cbor_put_int(&e, COSE_KTY);
	cbor_put_int(&e, COSE_KTY_EC2);
	cbor_put_int(&e, COSE_EC2_CRV);
	cbor_put_int(&e, c->curve);	/* DDI curves 1..3 = COSE P-256..P-521 */
	cbor_put_int(&e, COSE_EC2_X);
	cbor_put_bytes(&e, point + 1, c->len);
	cbor_put_int(&e, COSE_EC2_Y);
	cbor_put_bytes(&e, point + 1 + c->len, c->len);
	return e.overflow ? 0 : e.pos;
}

size_t ddi_cose_key_rsa(const uint8_t *n, size_t n_len, uint32_t e, uint8_t *out,
			size_t cap)
{
	uint8_t e_be[4] = { (uint8_t)(e >> 24), (uint8_t)(e >> 16), (uint8_t)(e >> 8),
			    (uint8_t)e };
	struct cbor_enc e_enc;

	cbor_enc_init(&e_enc, out, cap);
	cbor_put_head(&e_enc, CBOR_MAP, 3);
	cbor_put_int(&e_enc, COSE_KTY);
	cbor_put_int(&e_enc, COSE_KTY_RSA);
	cbor_put_int(&e_enc, COSE_RSA_N);
	cbor_put_bytes(&e_enc, n, n_len);
	cbor_put_int(&e_enc, COSE_RSA_E);
	cbor_put_bytes(&e_enc, e_be, sizeof(e_be));
	return e_enc.overflow ? 0 : e_enc.pos;
}

size_t ddi_attest_payload(const struct ddi_attest_fields *f, uint8_t *out, size_t cap)
{
	uint8_t pubkey[DDI_ATTEST_PUBKEY_FIELD] = { 0 };
	struct cbor_enc e;

	if (f->cose_key_len > sizeof(pubkey))
		return 0;
	if (f->cose_key_len)
		memcpy(pubkey, f->cose_key, f->cose_key_len);
	cbor_enc_init(&e, out, cap);
	cbor_put_head(&e, CBOR_MAP, ATTEST_FIELDS);
	cbor_put_int(&e, 0);
	cbor_put_int(&e, ATTEST_VERSION);
	cbor_put_int(&e, 1);
	cbor_put_bytes(&e, pubkey, sizeof(pubkey));
	cbor_put_int(&e, 2);
	cbor_put_int(&e, (int64_t)f->cose_key_len);
	cbor_put_int(&e, 3);
	cbor_put_int(&e, f->flags);
	cbor_put_int(&e, 4);
	cbor_put_bytes(&e, f->app_uuid, DDI_ATTEST_UUID_LEN);
	cbor_put_int(&e, 5);
	cbor_put_bytes(&e, f->report_data, DDI_ATTEST_DATA_LEN);
	cbor_put_int(&e, 6);
	cbor_put_bytes(&e, f->vm_launch_id, DDI_ATTEST_UUID_LEN);
	return e.overflow ? 0 : e.pos;
}

int ddi_attest_tbs_digest(const uint8_t *payload, size_t len,
			  uint8_t digest[DDI_SHA384_LEN])
{
	uint8_t head[64];
	uint8_t prot[PROTECTED_LEN];
	struct cbor_enc e;
	EVP_MD_CTX *ctx;
	int ok;

	if (protected_header(prot, sizeof(prot)) != sizeof(prot))
		return -1;
	/* Sig_structure = [ "Signature1", protected, h'', payload ]. */
	cbor_enc_init(&e, head, sizeof(head));
	cbor_put_head(&e, CBOR_ARRAY, 4);
	cbor_put_text(&e, "Signature1");
	cbor_put_bytes(&e, prot, sizeof(prot));
	cbor_put_bytes(&e, NULL, 0);
	cbor_put_head(&e, CBOR_BYTES, len);
	if (e.overflow)
		return -1;
	ctx = EVP_MD_CTX_new();
	ok = ctx && EVP_DigestInit_ex(ctx, EVP_sha384(), NULL) &&
	     EVP_DigestUpdate(ctx, head, e.pos) &&
	     EVP_DigestUpdate(ctx, payload, len) &&
	     EVP_DigestFinal_ex(ctx, digest, NULL);
	EVP_MD_CTX_free(ctx);
	return ok ? 0 : -1;
}

size_t ddi_attest_report(const uint8_t *payload, size_t len,
			 const uint8_t sig[DDI_ATTEST_SIG_LEN], uint8_t *out, size_t cap)
{
	uint8_t prot[PROTECTED_LEN];
	struct cbor_enc e;

	if (protected_header(prot, sizeof(prot)) != sizeof(prot))
		return 0;
	cbor_enc_init(&e, out, cap);
	cbor_put_head(&e, CBOR_TAG, CBOR_TAG_COSE_SIGN1);
	cbor_put_head(&e, CBOR_ARRAY, 4);
	cbor_put_bytes(&e, prot, sizeof(prot));
	cbor_put_head(&e, CBOR_MAP, 0);	/* unprotected header */
	cbor_put_bytes(&e, payload, len);
	cbor_put_bytes(&e, sig, DDI_ATTEST_SIG_LEN);
	return e.overflow ? 0 : e.pos;
}

/* A fixed-length bstr field `key` of the payload map. */
static bool get_fixed_field(struct cbor_dec *d, int key, size_t want, const uint8_t **p)
{
	size_t len;

	return cbor_expect(d, CBOR_UINT, key, NULL) && cbor_get_bytes(d, p, &len) &&
	       len == want;
}

static bool parse_payload(const uint8_t *payload, size_t len, struct ddi_attest_fields *f)
{
	const uint8_t *pubkey;
	struct cbor_dec d;
	uint64_t v;
	size_t i;

	cbor_dec_init(&d, payload, len);
	if (!cbor_expect(&d, CBOR_MAP, ATTEST_FIELDS, NULL) ||
	    !cbor_expect(&d, CBOR_UINT, 0, NULL) ||
	    !cbor_expect(&d, CBOR_UINT, ATTEST_VERSION, NULL) ||
	    !get_fixed_field(&d, 1, DDI_ATTEST_PUBKEY_FIELD, &pubkey) ||
	    !cbor_expect(&d, CBOR_UINT, 2, NULL) ||
	    !cbor_expect(&d, CBOR_UINT, -1, &v) || v > DDI_ATTEST_PUBKEY_FIELD)
		return false;
	f->cose_key = pubkey;
	f->cose_key_len = (size_t)v;
	/* Bytes after the meaningful part are zero fill. */
	for (i = f->cose_key_len; i < DDI_ATTEST_PUBKEY_FIELD; i++)
		if (pubkey[i])
			return false;
	if (!cbor_expect(&d, CBOR_UINT, 3, NULL) ||
	    !cbor_expect(&d, CBOR_UINT, -1, &v) || v > UINT32_MAX)
		return false;
	f->flags = (uint32_t)v;
	return get_fixed_field(&d, 4, DDI_ATTEST_UUID_LEN, &f->app_uuid) &&
	       get_fixed_field(&d, 5, DDI_ATTEST_DATA_LEN, &f->report_data) &&
	       get_fixed_field(&d, 6, DDI_ATTEST_UUID_LEN, &f->vm_launch_id) &&
	       d.pos == d.len;
}

bool ddi_attest_parse(const uint8_t *report, size_t len, const uint8_t **payload,
		      size_t *payload_len, const uint8_t **sig,
		      struct ddi_attest_fields *f)
{
	uint8_t prot_want[PROTECTED_LEN];
	const uint8_t *prot;
	size_t prot_len, sig_len;
	struct cbor_dec d;

	if (protected_header(prot_want, sizeof(prot_want)) != sizeof(prot_want))
		return false;
	cbor_dec_init(&d, report, len);
	if (!cbor_expect(&d, CBOR_TAG, CBOR_TAG_COSE_SIGN1, NULL) ||
	    !cbor_expect(&d, CBOR_ARRAY, 4, NULL) ||
	    !cbor_get_bytes(&d, &prot, &prot_len) || prot_len != sizeof(prot_want) ||
	    memcmp(prot, prot_want, prot_len) ||
	    !cbor_expect(&d, CBOR_MAP, 0, NULL) ||
	    !cbor_get_bytes(&d, payload, payload_len) ||
	    !cbor_get_bytes(&d, sig, &sig_len) || sig_len != DDI_ATTEST_SIG_LEN ||
	    d.pos != d.len)
		return false;
	return parse_payload(*payload, *payload_len, f);
}
