/* SPDX-License-Identifier: MIT */
/*
 * A minimal CBOR (RFC 8949) codec and the attestation report of
 * spec/ddi.md 7.11 built on it.  MBOR (mbor.h) is a different encoding:
 * this one is standard CBOR with minimal-length heads, as COSE requires.
 * Shared by the firmware core (which signs reports) and libazihsm (which
 * verifies and parses them).
 */
#ifndef AZIHSM_CBOR_H
#define AZIHSM_CBOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "azihsm/ddi_crypto.h"

/* Major types (RFC 8949 3.1). */
enum cbor_major {
	CBOR_UINT = 0, CBOR_NINT = 1, CBOR_BYTES = 2, CBOR_TEXT = 3,
	CBOR_ARRAY = 4, CBOR_MAP = 5, CBOR_TAG = 6,
};

/* Encoder: buf may be NULL for a sizing pass; overflow is sticky. */
struct cbor_enc {
	uint8_t *buf;
	size_t cap;
	size_t pos;
	bool overflow;
};

void cbor_enc_init(struct cbor_enc *e, uint8_t *buf, size_t cap);
/* A head with the shortest argument encoding. */
void cbor_put_head(struct cbor_enc *e, enum cbor_major major, uint64_t arg);
/* An integer: non-negative as major 0, negative as major 1. */
void cbor_put_int(struct cbor_enc *e, int64_t v);
void cbor_put_bytes(struct cbor_enc *e, const uint8_t *p, size_t len);
void cbor_put_text(struct cbor_enc *e, const char *s);
/* Raw bytes, already encoded (or a bstr's content after its head). */
void cbor_put_raw(struct cbor_enc *e, const uint8_t *p, size_t len);

/* Decoder over [buf, buf + len); every getter fails past the end. */
struct cbor_dec {
	const uint8_t *buf;
	size_t len;
	size_t pos;
};

void cbor_dec_init(struct cbor_dec *d, const uint8_t *buf, size_t len);
/* A head of any major type; indefinite lengths and floats are refused. */
bool cbor_get_head(struct cbor_dec *d, enum cbor_major *major, uint64_t *arg);
/* A head of this major type (and, if want >= 0, exactly this argument). */
bool cbor_expect(struct cbor_dec *d, enum cbor_major major, int64_t want,
		 uint64_t *arg);
/* A byte string: *p points into the buffer. */
bool cbor_get_bytes(struct cbor_dec *d, const uint8_t **p, size_t *len);

/* ---- Attestation report (ddi.md 7.11) ---- */

#define DDI_ATTEST_PUBKEY_FIELD		525	/* public_key bstr, zero-filled */
#define DDI_ATTEST_UUID_LEN		16
#define DDI_ATTEST_DATA_LEN		128
#define DDI_ATTEST_SIG_LEN		96	/* P-384 r || s, big-endian */
#define DDI_ATTEST_PAYLOAD_MAX		707
#define DDI_ATTEST_REPORT_LEN_MAX	834

/* Key flags of 4.12. */
#define DDI_ATTEST_FLAG_IMPORTED	(1u << 0)
#define DDI_ATTEST_FLAG_SESSION		(1u << 1)
#define DDI_ATTEST_FLAG_GENERATED	(1u << 2)
#define DDI_ATTEST_FLAG_ENCRYPT		(1u << 3)
#define DDI_ATTEST_FLAG_DECRYPT		(1u << 4)
#define DDI_ATTEST_FLAG_SIGN		(1u << 5)
#define DDI_ATTEST_FLAG_VERIFY		(1u << 6)
#define DDI_ATTEST_FLAG_WRAP		(1u << 7)
#define DDI_ATTEST_FLAG_UNWRAP		(1u << 8)
#define DDI_ATTEST_FLAG_DERIVE		(1u << 9)

/* The 4.12 flags of a key with these 4.11 attribute flags. */
uint32_t ddi_attest_flags(uint64_t attrs);

/* The payload fields (7.11.2); pointers into the report when parsed. */
struct ddi_attest_fields {
	const uint8_t *cose_key;	/* cose_key_len meaningful bytes */
	size_t cose_key_len;		/* 0: no public part */
	uint32_t flags;
	const uint8_t *app_uuid;	/* 16 bytes */
	const uint8_t *report_data;	/* 128 bytes */
	const uint8_t *vm_launch_id;	/* 16 bytes */
};

/*
 * COSE_Key EC2 (7.11.3) of an uncompressed point 0x04 || X || Y of curve
 * c; 0 if it does not fit.
 */
size_t ddi_cose_key_ec2(const struct ddi_ecc_curve_info *c, const uint8_t *point,
			uint8_t *out, size_t cap);
/* COSE_Key RSA (7.11.3): modulus big-endian, e as 4 bytes big-endian. */
size_t ddi_cose_key_rsa(const uint8_t *n, size_t n_len, uint32_t e, uint8_t *out,
			size_t cap);
/* The payload (7.11.2); 0 if it does not fit or a field is too long. */
size_t ddi_attest_payload(const struct ddi_attest_fields *f, uint8_t *out, size_t cap);
/* SHA-384 of the Sig_structure (7.11.4) over a payload; 0 or -1. */
int ddi_attest_tbs_digest(const uint8_t *payload, size_t len,
			  uint8_t digest[DDI_SHA384_LEN]);
/* The tagged COSE_Sign1 around payload and signature; 0 if too small. */
size_t ddi_attest_report(const uint8_t *payload, size_t len,
			 const uint8_t sig[DDI_ATTEST_SIG_LEN], uint8_t *out, size_t cap);
/*
 * Split a report (7.11.1) into payload and signature and decode the
 * payload's fields; false if it is not exactly the structure of 7.11.
 */
bool ddi_attest_parse(const uint8_t *report, size_t len, const uint8_t **payload,
		      size_t *payload_len, const uint8_t **sig,
		      struct ddi_attest_fields *f);

#endif /* AZIHSM_CBOR_H */
