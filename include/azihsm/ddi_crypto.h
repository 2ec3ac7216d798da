/* SPDX-License-Identifier: MIT */
/*
 * Cryptographic constructions of the DDI shared by the host (libazihsm)
 * and the device (firmware core), spec/ddi.md section 7:
 *  - the physical device's raw little-endian P-384 encodings (7.1.2);
 *  - ECDH, ECDSA, HKDF-SHA-384, KBKDF-384, HMAC-SHA-384, AES-256-CBC;
 *  - the credential encryption of 7.2, both directions;
 *  - the masked key blob of 7.7 (format, metadata, algorithm 1).
 *
 * OpenSSL 3 (libcrypto): whoever links libazihsm-ddi.a needs -lcrypto.
 * Functions returning int give 0 on success and -1 on failure unless they
 * say otherwise; those returning uint32_t give a DDI status.
 */
#ifndef AZIHSM_DDI_CRYPTO_H
#define AZIHSM_DDI_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "azihsm/mbor.h"

/* An EVP_PKEY, without making every user include OpenSSL headers. */
struct evp_pkey_st;
typedef struct evp_pkey_st DDI_PKEY;

#define DDI_P384_LEN		48	/* coordinate, scalar, ECDH secret */
#define DDI_P384_RAW_PUB_LEN	96	/* X_le || Y_le */
#define DDI_P384_POINT_LEN	97	/* 0x04 || X || Y, big-endian */
#define DDI_P384_RAW_SIG_LEN	96	/* r_le || s_le */
#define DDI_SHA384_LEN		48

/* dst = src reversed; dst and src may be the same buffer. */
void ddi_reverse(uint8_t *dst, const uint8_t *src, size_t len);

/* ---- P-384 keys (OpenSSL EVP_PKEY; free with ddi_pkey_free) ---- */

DDI_PKEY *ddi_p384_generate(void);
/* From a big-endian private scalar (test vectors, deterministic hosts). */
DDI_PKEY *ddi_p384_from_private(const uint8_t d[DDI_P384_LEN]);
void ddi_pkey_free(DDI_PKEY *k);
/* Public key as the physical wire form X_le || Y_le. */
int ddi_p384_public_raw(DDI_PKEY *k, uint8_t raw[DDI_P384_RAW_PUB_LEN]);
/* Public key as the uncompressed point 0x04 || X || Y. */
int ddi_p384_public_point(DDI_PKEY *k, uint8_t pt[DDI_P384_POINT_LEN]);
/*
 * Public key from wire bytes (at least 96; only the first 96 are used, as
 * the FW does).  Returns EccDerKeyShorterThanCurve, EccPublicKeyValidation-
 * Failed (a coordinate >= p), EccPointValidationFailed (not on the curve)
 * or 0 with *out set.
 */
uint32_t ddi_p384_from_raw(const uint8_t *raw, size_t len, DDI_PKEY **out);
/* Z = x-coordinate of priv * peer, big-endian. */
int ddi_ecdh_p384(DDI_PKEY *priv, DDI_PKEY *peer, uint8_t z[DDI_P384_LEN]);
/* ECDSA-P-384 over SHA-384(msg), signature in the physical r_le || s_le form. */
int ddi_p384_sign_raw(DDI_PKEY *k, const uint8_t *msg, size_t len,
		      uint8_t sig[DDI_P384_RAW_SIG_LEN]);
/* True only if sig (r_le || s_le, exactly 96 bytes) verifies. */
bool ddi_p384_verify_raw(DDI_PKEY *pub, const uint8_t *msg, size_t len,
			 const uint8_t *sig, size_t sig_len);

/* ---- ECC on the DDI curves (P-256, P-384, P-521; ddi.md 4.3, 7.1, 7.10) ---- */

/* A DDI curve: enum ddi_ecc_curve value and its sizes and key types. */
struct ddi_ecc_curve_info {
	uint32_t curve;			/* 1 P-256, 2 P-384, 3 P-521 */
	const char *name;		/* OpenSSL group name, "P-256" */
	int nid;			/* NID_X9_62_prime256v1, ... */
	size_t len;			/* coordinate/scalar bytes: 32/48/66 */
	size_t pka;			/* physical width: 32/48/68 */
	uint32_t priv_type;		/* DdiKeyType 7/8/9 */
	uint32_t pub_type;		/* 22/23/24 */
	uint32_t secret_type;		/* 16/17/18 */
};
#define DDI_ECC_MAX_LEN		66
#define DDI_ECC_MAX_PKA		68
#define DDI_ECC_MAX_POINT	(1 + 2 * DDI_ECC_MAX_LEN)

/* NULL for a value that is not a DDI curve. */
const struct ddi_ecc_curve_info *ddi_ecc_curve(uint32_t curve);
/* The curve of an ECC private, public or secret key type, or NULL. */
const struct ddi_ecc_curve_info *ddi_ecc_curve_of_type(uint32_t key_type);
/* The curve of an EC key, or NULL if k is not on a DDI curve. */
const struct ddi_ecc_curve_info *ddi_ecc_curve_of_key(DDI_PKEY *k);

DDI_PKEY *ddi_ecc_generate(const struct ddi_ecc_curve_info *c);
/*
 * Key pair from the private scalar, big-endian over c->len bytes (the
 * standard form) or little-endian over c->pka bytes (the device-internal
 * form of 7.7.5).  NULL if the scalar is 0 or >= the group order.
 */
DDI_PKEY *ddi_ecc_from_private(const struct ddi_ecc_curve_info *c,
			       const uint8_t *d_be);
DDI_PKEY *ddi_ecc_from_private_le(const struct ddi_ecc_curve_info *c,
				  const uint8_t *d_le);
/* Private scalar little-endian over c->pka bytes (top bytes zero). */
int ddi_ecc_private_le(DDI_PKEY *k, const struct ddi_ecc_curve_info *c,
		       uint8_t *d_le);
/* Public key as 0x04 || X || Y (1 + 2 * c->len bytes). */
int ddi_ecc_public_point(DDI_PKEY *k, const struct ddi_ecc_curve_info *c,
			 uint8_t *pt);
/* Public key in the physical wire form X_le || Y_le (2 * c->pka bytes). */
int ddi_ecc_public_raw(DDI_PKEY *k, const struct ddi_ecc_curve_info *c,
		       uint8_t *raw);
/*
 * Public key from the physical wire form, validated as EcdhKeyExchange
 * does (3.7.3): fewer than 2 * c->pka bytes -> EccDerKeyShorterThanCurve;
 * a coordinate >= p, or non-zero bytes in the P-521 padding ->
 * EccPublicKeyValidationFailed; not on the curve ->
 * EccPointValidationFailed.  Only the first 2 * c->pka bytes are used.
 */
uint32_t ddi_ecc_from_raw(const struct ddi_ecc_curve_info *c, const uint8_t *raw,
			  size_t len, DDI_PKEY **out);
/* raw X_le || Y_le <-> point 0x04 || X || Y, without validation. */
void ddi_ecc_raw_to_point(const struct ddi_ecc_curve_info *c, const uint8_t *raw,
			  uint8_t *pt);
void ddi_ecc_point_to_raw(const struct ddi_ecc_curve_info *c, const uint8_t *pt,
			  uint8_t *raw);
/*
 * ECDSA over a digest given big-endian (FIPS 186-5 truncation when longer
 * than the order).  Signature r || s, each big-endian over c->len
 * (ddi_ecc_sign) or little-endian over c->pka (ddi_ecc_sign_raw).
 */
int ddi_ecc_sign(DDI_PKEY *k, const struct ddi_ecc_curve_info *c,
		 const uint8_t *digest, size_t len, uint8_t *sig);
int ddi_ecc_sign_raw(DDI_PKEY *k, const struct ddi_ecc_curve_info *c,
		     const uint8_t *digest, size_t len, uint8_t *sig);
/* True if sig (r || s big-endian over c->len each) verifies over digest. */
bool ddi_ecc_verify(DDI_PKEY *pub, const struct ddi_ecc_curve_info *c,
		    const uint8_t *digest, size_t len, const uint8_t *sig);
/* Z = x-coordinate of priv * peer, big-endian over c->len bytes. */
int ddi_ecdh(DDI_PKEY *priv, DDI_PKEY *peer, const struct ddi_ecc_curve_info *c,
	     uint8_t *z);

/* ---- Symmetric primitives ---- */

int ddi_random(void *buf, size_t len);
int ddi_hmac_sha384(const uint8_t *key, size_t key_len, const uint8_t *msg,
		    size_t len, uint8_t mac[DDI_SHA384_LEN]);
/*
 * HKDF (RFC 5869) with an OpenSSL digest name ("SHA256"); salt NULL means
 * none (HashLen zero bytes).
 */
int ddi_hkdf(const char *digest, const uint8_t *salt, size_t salt_len,
	     const uint8_t *ikm, size_t ikm_len, const uint8_t *info,
	     size_t info_len, uint8_t *out, size_t out_len);
/* HKDF-SHA-384 without salt (RFC 5869, 7.2 step 3). */
int ddi_hkdf_sha384(const uint8_t *ikm, size_t ikm_len, const uint8_t *info,
		    size_t info_len, uint8_t *out, size_t out_len);
/* KBKDF-384 of 7.5: counter mode, HMAC-SHA-384, separator and L field. */
#define DDI_KBKDF_MAX_LABEL	256
#define DDI_KBKDF_MAX_CONTEXT	256
/* KBKDF of 7.5 with any HMAC digest, e.g. "SHA256". */
int ddi_kbkdf(const char *digest, const uint8_t *key, size_t key_len,
	      const uint8_t *label, size_t label_len,
	      const uint8_t *context, size_t context_len,
	      uint8_t *out, size_t out_len);
int ddi_kbkdf_sha384(const uint8_t *key, size_t key_len,
		     const uint8_t *label, size_t label_len,
		     const uint8_t *context, size_t context_len,
		     uint8_t *out, size_t out_len);
/*
 * AES-CBC without padding, key of 16, 24 or 32 bytes; len a multiple of
 * 16; in and out may alias.
 */
int ddi_aes_cbc(bool encrypt, const uint8_t *key, size_t key_len,
		const uint8_t iv[16], const uint8_t *in, size_t len, uint8_t *out);
/* AES-256-CBC without padding; len a multiple of 16; in and out may alias. */
int ddi_aes256_cbc(bool encrypt, const uint8_t key[32], const uint8_t iv[16],
		   const uint8_t *in, size_t len, uint8_t *out);

/* ---- Credential encryption (7.2) ---- */

#define DDI_CRED_ID_LEN		16
#define DDI_CRED_PIN_LEN	16
#define DDI_CRED_SEED_LEN	48
#define DDI_CRED_IV_LEN		16
#define DDI_CRED_NONCE_LEN	32
#define DDI_CRED_TAG_LEN	48
/* Longest plaintext: ID || PIN || SEED (OpenSession). */
#define DDI_CRED_MAX_LEN	(DDI_CRED_ID_LEN + DDI_CRED_PIN_LEN + DDI_CRED_SEED_LEN)

struct ddi_cred_keys {
	uint8_t enc[32];		/* AES-256 */
	uint8_t mac[DDI_SHA384_LEN];	/* HMAC-SHA-384 */
};

/* K_enc || K_mac = HKDF-SHA-384(Z, no salt, info = nonce, 80). */
int ddi_cred_derive_keys(const uint8_t z[DDI_P384_LEN],
			 const uint8_t nonce[DDI_CRED_NONCE_LEN],
			 struct ddi_cred_keys *k);
/* HMAC-SHA-384(K_mac, ciphertext || iv || nonce). */
int ddi_cred_tag(const struct ddi_cred_keys *k, const uint8_t *ct, size_t ct_len,
		 const uint8_t iv[DDI_CRED_IV_LEN],
		 const uint8_t nonce[DDI_CRED_NONCE_LEN],
		 uint8_t tag[DDI_CRED_TAG_LEN]);

/*
 * An encrypted credential as the host sends it: the ciphertext of the
 * plaintext fields in one CBC chain (ID || PIN, ID || PIN || SEED, or PIN),
 * and the host's ephemeral public key in the physical wire form.
 */
struct ddi_cred_sealed {
	uint8_t host_pub[DDI_P384_RAW_PUB_LEN];
	uint8_t iv[DDI_CRED_IV_LEN];
	uint8_t nonce[DDI_CRED_NONCE_LEN];
	uint8_t ct[DDI_CRED_MAX_LEN];
	size_t ct_len;
	uint8_t tag[DDI_CRED_TAG_LEN];
};

/*
 * Host side: encrypt pt (16, 32 or 80 bytes) for the device key dev_pub
 * (wire form, as returned by Get*EncryptionKey) and its nonce.  eph and
 * iv may be NULL (fresh random ones); they are given for test vectors.
 * Returns a DDI status (validation of dev_pub, or 0).
 */
uint32_t ddi_cred_seal(const uint8_t *dev_pub, size_t dev_pub_len,
		       const uint8_t nonce[DDI_CRED_NONCE_LEN],
		       const uint8_t *pt, size_t pt_len, DDI_PKEY *eph,
		       const uint8_t *iv, struct ddi_cred_sealed *out);

/* ---- Masked key blob (7.7) ---- */

#define DDI_MASKING_KEY_LEN	80	/* AES-256 key || HMAC-SHA-384 key */
#define DDI_MASKED_HDR_LEN	52
#define DDI_MASKED_ALG_CBC_HMAC	1
#define DDI_KEY_ATTR_LEN	32
#define DDI_KEY_LABEL_MAX	128

struct ddi_key_attributes {
	struct mbor_bytes blob;		/* exactly 32 bytes */
};
extern const struct mbor_schema ddi_key_attributes_schema;

struct ddi_masked_key_meta {
	bool has_svn;
	uint64_t svn;
	uint32_t key_type;
	struct ddi_key_attributes attrs;
	bool has_bks2_index;
	uint16_t bks2_index;
	bool has_key_tag;
	uint16_t key_tag;
	struct mbor_bytes key_label;
	uint16_t key_length;
};
extern const struct mbor_schema ddi_masked_key_meta_schema;

/*
 * Mask pt under key: blob of 7.7.1 with algorithm 1 and the FW padding rule.
 * iv may be NULL (random).  Returns the blob length, or 0 if it does not
 * fit in cap or a primitive failed.
 */
size_t ddi_mask_key(const uint8_t key[DDI_MASKING_KEY_LEN],
		    const struct ddi_masked_key_meta *meta, const uint8_t *pt,
		    size_t pt_len, const uint8_t *iv, uint8_t *blob, size_t cap);
/*
 * Read the metadata without the key (7.7.2).  meta's byte strings point
 * into blob.  False if the blob is malformed.
 */
bool ddi_masked_key_meta(const uint8_t *blob, size_t len,
			 struct ddi_masked_key_meta *meta);
/*
 * Verify and decrypt: pt receives meta.key_length bytes.  Returns 0,
 * MaskedKeyDecodeFailed (format, tag) or MaskedKeyInvalidLength (the key
 * does not fit pt_cap or the ciphertext).
 */
uint32_t ddi_unmask_key(const uint8_t key[DDI_MASKING_KEY_LEN],
			const uint8_t *blob, size_t len,
			struct ddi_masked_key_meta *meta, uint8_t *pt,
			size_t pt_cap, size_t *pt_len);

/* ---- Peer public keys from DER SubjectPublicKeyInfo (host side, ecc_spki.c) ---- */

/* Why ddi_ecc_spki_to_raw() refused a key; callers can tell them apart. */
enum ddi_spki_status {
	DDI_SPKI_OK		= 0,
	DDI_SPKI_MALFORMED	= -1,	/* not one DER SPKI (trailing bytes too) */
	DDI_SPKI_NOT_EC		= -2,	/* algorithm is not id-ecPublicKey */
	DDI_SPKI_WRONG_CURVE	= -3,	/* not the named curve c (explicit too) */
	DDI_SPKI_BAD_POINT	= -4,	/* bad encoding, size, or compressed x
					 * that is not on the curve */
};

/*
 * A DER SubjectPublicKeyInfo of an EC key on curve c to the physical wire
 * form x_le || y_le (2 * c->pka bytes into raw), as EcdhKeyExchange takes
 * it.  An uncompressed point is passed on WITHOUT checking that it lies on
 * the curve (the device rejects it, 3.7.3); a compressed one is expanded
 * if its x is on the curve.  Returns DDI_SPKI_OK or another
 * enum ddi_spki_status value.
 */
int ddi_ecc_spki_to_raw(const struct ddi_ecc_curve_info *c, const uint8_t *der,
			size_t len, uint8_t *raw);

#endif /* AZIHSM_DDI_CRYPTO_H */
