/* SPDX-License-Identifier: MIT */
/*
 * DDI messages: the envelope {0: header, 1: data} and the C form of each
 * operation's request and response data (spec/ddi.md sections 2 and 3).
 * The schemas here are the single description used by both the firmware
 * core (decode request / encode response) and libazihsm (the reverse).
 */
#ifndef AZIHSM_DDI_MSG_H
#define AZIHSM_DDI_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "azihsm/ddi.h"
#include "azihsm/mbor.h"

struct ddi_api_rev {
	uint32_t major;
	uint32_t minor;
};

struct ddi_req_hdr {
	bool has_rev;
	struct ddi_api_rev rev;
	uint32_t op;
	bool has_sess_id;
	uint16_t sess_id;
};

struct ddi_resp_hdr {
	bool has_rev;
	struct ddi_api_rev rev;
	uint32_t op;
	bool has_sess_id;
	uint16_t sess_id;
	uint32_t status;
	bool fips_approved;
};

extern const struct mbor_schema ddi_api_rev_schema;
extern const struct mbor_schema ddi_req_hdr_schema;
extern const struct mbor_schema ddi_resp_hdr_schema;
extern const struct mbor_schema ddi_empty_schema;

/* GetApiRev (1002): empty request. */
struct ddi_get_api_rev_resp {
	struct ddi_api_rev min;
	struct ddi_api_rev max;
};
extern const struct mbor_schema ddi_get_api_rev_resp_schema;

/* GetDeviceInfo (1003): empty request. */
struct ddi_get_device_info_resp {
	uint32_t kind;		/* AZIHSM_DDI_DEVICE_KIND_* */
	uint8_t tables;
	bool fips_approved;
};
extern const struct mbor_schema ddi_get_device_info_resp_schema;

/* ---- Certificate chain (3.3.3, 3.3.4, 7.12) ---- */

#define DDI_CERT_SLOT_ID	0	/* the only slot the device has */
#define DDI_CERT_MAX		2048	/* certificate (8.2) */
#define DDI_THUMBPRINT_LEN	32	/* SHA-256 (7.12.1) */

/* GetCertChainInfo (1108). */
struct ddi_get_cert_chain_info_req {
	uint8_t slot_id;
};
extern const struct mbor_schema ddi_get_cert_chain_info_req_schema;

struct ddi_get_cert_chain_info_resp {
	uint8_t num_certs;
	struct mbor_bytes thumbprint;		/* bytes<=32, always 32 */
};
extern const struct mbor_schema ddi_get_cert_chain_info_resp_schema;

/* GetCertificate (1109). */
struct ddi_get_certificate_req {
	uint8_t slot_id;
	uint8_t cert_id;			/* 0 .. num_certs - 1 */
};
extern const struct mbor_schema ddi_get_certificate_req_schema;

struct ddi_get_certificate_resp {
	struct mbor_bytes certificate;		/* DER X.509, bytes<=2048 */
};
extern const struct mbor_schema ddi_get_certificate_resp_schema;

/* ---- Provisioning, credentials and sessions (3.2, 3.4) ---- */

#define DDI_PUBLIC_KEY_MAX	768
#define DDI_BLOB_MAX		1024	/* masked_bk3, bmk, bmk_session, ... */
#define DDI_KEY_KIND_ECC384_PUBLIC 23

/* PublicKey (3.2.1); physical devices carry the raw form of 7.1.2. */
struct ddi_public_key {
	struct mbor_bytes der;
	uint32_t key_kind;
};
extern const struct mbor_schema ddi_public_key_schema;

/* GetEstablishCredEncryptionKey (1101) and GetSessionEncryptionKey (1103). */
struct ddi_cred_key_resp {
	struct ddi_public_key pub_key;
	struct mbor_bytes nonce;		/* bytes[32] */
	struct mbor_bytes pub_key_signature;	/* bytes<=192 */
};
extern const struct mbor_schema ddi_cred_key_resp_schema;

/* EncryptedEstablishCredential (3.2.3). */
struct ddi_encrypted_establish_cred {
	struct mbor_bytes encrypted_id;
	struct mbor_bytes encrypted_pin;
	struct mbor_bytes iv;
	struct mbor_bytes nonce;		/* bytes[32] */
	struct mbor_bytes tag;			/* bytes[48] */
};
extern const struct mbor_schema ddi_encrypted_establish_cred_schema;

/* EstablishCredential (1102). */
struct ddi_establish_credential_req {
	struct ddi_encrypted_establish_cred encrypted_credential;
	struct ddi_public_key pub_key;
	struct mbor_bytes masked_bk3;
	struct mbor_bytes bmk;
	struct mbor_bytes masked_unwrapping_key;
	struct mbor_bytes pota_sig;
	struct ddi_public_key pota_pub_key;
};
extern const struct mbor_schema ddi_establish_credential_req_schema;

struct ddi_establish_credential_resp {
	struct mbor_bytes bmk;
};
extern const struct mbor_schema ddi_establish_credential_resp_schema;

/* EncryptedSessionCredential (3.2.3). */
struct ddi_encrypted_session_cred {
	struct mbor_bytes encrypted_id;
	struct mbor_bytes encrypted_pin;
	struct mbor_bytes encrypted_seed;
	struct mbor_bytes iv;
	struct mbor_bytes nonce;		/* bytes[32] */
	struct mbor_bytes tag;			/* bytes[48] */
};
extern const struct mbor_schema ddi_encrypted_session_cred_schema;

/* OpenSession (1104). */
struct ddi_open_session_req {
	struct ddi_encrypted_session_cred encrypted_credential;
	struct ddi_public_key pub_key;
};
extern const struct mbor_schema ddi_open_session_req_schema;

struct ddi_open_session_resp {
	uint16_t sess_id;
	uint8_t short_app_id;
	struct mbor_bytes bmk_session;
};
extern const struct mbor_schema ddi_open_session_resp_schema;

/*
 * ReopenSession (1110): OpenSession's credential and key plus the
 * bmk_session OpenSession returned; the response is OpenSession's.
 */
struct ddi_reopen_session_req {
	struct ddi_encrypted_session_cred encrypted_credential;
	struct ddi_public_key pub_key;
	struct mbor_bytes bmk_session;		/* bytes<=1024 */
};
extern const struct mbor_schema ddi_reopen_session_req_schema;

/* EncryptedPin (3.2.3): keys start at 2. */
struct ddi_encrypted_pin {
	struct mbor_bytes encrypted_pin;
	struct mbor_bytes iv;
	struct mbor_bytes nonce;		/* bytes[32] */
	struct mbor_bytes tag;			/* bytes[48] */
};
extern const struct mbor_schema ddi_encrypted_pin_schema;

/* ChangePin (1106): empty response. */
struct ddi_change_pin_req {
	struct ddi_encrypted_pin new_pin;
	struct ddi_public_key pub_key;
};
extern const struct mbor_schema ddi_change_pin_req_schema;

/* InitBk3 (1111). */
#define DDI_BK3_LEN		48
#define DDI_VM_LAUNCH_GUID_LEN	16
struct ddi_init_bk3_req {
	struct mbor_bytes bk3;
};
extern const struct mbor_schema ddi_init_bk3_req_schema;

struct ddi_init_bk3_resp {
	struct mbor_bytes masked_bk3;
	struct mbor_bytes vm_launch_guid;	/* bytes[16] */
};
extern const struct mbor_schema ddi_init_bk3_resp_schema;

/* GetSealedBk3 (1112) response and SetSealedBk3 (1113) request. */
struct ddi_sealed_bk3 {
	struct mbor_bytes sealed_bk3;
};
extern const struct mbor_schema ddi_sealed_bk3_schema;

/* ---- Keys (3.2.2, 3.5, 3.7, 3.8, 3.9, 3.10, section 4) ---- */

/* DdiKeyType (4.1). */
enum ddi_key_type {
	DDI_KEY_RSA2K_PRIVATE		= 1,
	DDI_KEY_RSA3K_PRIVATE		= 2,
	DDI_KEY_RSA4K_PRIVATE		= 3,
	DDI_KEY_RSA2K_PRIVATE_CRT	= 4,
	DDI_KEY_RSA3K_PRIVATE_CRT	= 5,
	DDI_KEY_RSA4K_PRIVATE_CRT	= 6,
	DDI_KEY_ECC256_PRIVATE		= 7,
	DDI_KEY_ECC384_PRIVATE		= 8,
	DDI_KEY_ECC521_PRIVATE		= 9,
	DDI_KEY_AES128			= 10,
	DDI_KEY_AES192			= 11,
	DDI_KEY_AES256			= 12,
	DDI_KEY_AES_XTS_BULK256		= 13,
	DDI_KEY_AES_GCM_BULK256		= 14,
	DDI_KEY_AES_GCM_BULK256_UNAPPROVED = 15,
	DDI_KEY_SECRET256		= 16,
	DDI_KEY_SECRET384		= 17,
	DDI_KEY_SECRET521		= 18,
	DDI_KEY_RSA2K_PUBLIC		= 19,
	DDI_KEY_RSA3K_PUBLIC		= 20,
	DDI_KEY_RSA4K_PUBLIC		= 21,
	DDI_KEY_ECC256_PUBLIC		= 22,
	DDI_KEY_ECC384_PUBLIC		= 23,
	DDI_KEY_ECC521_PUBLIC		= 24,
	DDI_KEY_HMAC_SHA256		= 25,
	DDI_KEY_HMAC_SHA384		= 26,
	DDI_KEY_HMAC_SHA512		= 27,
	DDI_KEY_AES_CBC256_HMAC384	= 28,
	DDI_KEY_KBKDF_SECRET_SHA384	= 29,
	DDI_KEY_VAR_HMAC256		= 30,
	DDI_KEY_VAR_HMAC384		= 31,
	DDI_KEY_VAR_HMAC512		= 32,
	DDI_KEY_RSA_UNWRAP		= 0xFFFF,
};

/* DdiKeyClass (4.2), RsaUnwrap and DerKeyImport. */
enum ddi_key_class {
	DDI_KEY_CLASS_RSA		= 1,
	DDI_KEY_CLASS_RSA_CRT		= 2,
	DDI_KEY_CLASS_AES		= 3,
	DDI_KEY_CLASS_AES_XTS_BULK	= 4,
	DDI_KEY_CLASS_AES_GCM_BULK	= 5,
	DDI_KEY_CLASS_AES_GCM_BULK_UNAPPROVED = 6,
	DDI_KEY_CLASS_ECC		= 7,
};

/* DdiEccCurve (4.3). */
enum ddi_ecc_curve {
	DDI_ECC_P256			= 1,
	DDI_ECC_P384			= 2,
	DDI_ECC_P521			= 3,
};

/* DdiAesKeySize (4.4); 4..6 are the fast-path ("bulk") sizes. */
enum ddi_aes_key_size {
	DDI_AES_128			= 1,
	DDI_AES_192			= 2,
	DDI_AES_256			= 3,
	DDI_AES_XTS_BULK_256		= 4,
	DDI_AES_GCM_BULK_256		= 5,
	DDI_AES_GCM_BULK_256_UNAPPROVED	= 6,
};

/* DdiHashAlgorithm (4.5). */
enum ddi_hash_algorithm {
	DDI_HASH_SHA1			= 1,
	DDI_HASH_SHA256			= 2,
	DDI_HASH_SHA384			= 3,
	DDI_HASH_SHA512			= 4,
};

/* AesOp (4.6). */
enum ddi_aes_op {
	DDI_AES_ENCRYPT			= 1,
	DDI_AES_DECRYPT			= 2,
};

/* TargetKeyMetadata bitmap (4.9): bit b is byte b / 8, mask 1 << (b % 8). */
#define DDI_KEY_META_LEN		16
#define DDI_KEY_META_SESSION		0x0001u
#define DDI_KEY_META_MODIFIABLE		0x0002u
#define DDI_KEY_META_ENCRYPT		0x0004u
#define DDI_KEY_META_DECRYPT		0x0008u
#define DDI_KEY_META_SIGN		0x0010u
#define DDI_KEY_META_VERIFY		0x0020u
#define DDI_KEY_META_DERIVE		0x0040u
#define DDI_KEY_META_WRAP		0x0080u
#define DDI_KEY_META_UNWRAP		0x0100u	/* byte 1, bit 0 */

/* Key attribute flags (4.11): u64 LE in bytes 0..7 of the 32-byte record. */
#define DDI_KEY_ATTR_INTERNAL		(1ull << 0)
#define DDI_KEY_ATTR_SESSION		(1ull << 1)
#define DDI_KEY_ATTR_LOCAL		(1ull << 5)
#define DDI_KEY_ATTR_ENCRYPT		(1ull << 10)
#define DDI_KEY_ATTR_DECRYPT		(1ull << 11)
#define DDI_KEY_ATTR_SIGN		(1ull << 12)
#define DDI_KEY_ATTR_VERIFY		(1ull << 13)
#define DDI_KEY_ATTR_WRAP		(1ull << 14)
#define DDI_KEY_ATTR_UNWRAP		(1ull << 15)
#define DDI_KEY_ATTR_DERIVE		(1ull << 16)

#define DDI_KEY_LABEL_MAX_LEN		128
#define DDI_MASKED_KEY_MAX		3072
#define DDI_ECC_DIGEST_MAX		96
#define DDI_ECC_PHYS_DIGEST_LEN		68	/* physical EccSign digest (7.1.2) */
#define DDI_ECC_SIG_MAX			192
#define DDI_ECDH_PUB_MAX		192
#define DDI_AES_MSG_MAX			1024
#define DDI_AES_IV_LEN			16
#define DDI_KDF_PARAM_MAX		256	/* salt, info, label, context */
#define DDI_HMAC_MSG_MAX		1024
#define DDI_HMAC_TAG_MAX		64
#define DDI_DER_IMPORT_MAX		3072

/* TargetKeyMetadata: { 1: blob bytes[16] }. */
struct ddi_key_metadata {
	struct mbor_bytes blob;			/* bytes[16], the 4.9 bitmap */
};
extern const struct mbor_schema ddi_key_metadata_schema;

/* TargetKeyProperties (3.2.2). */
struct ddi_key_properties {
	struct ddi_key_metadata key_metadata;
	struct mbor_bytes key_label;		/* bytes<=128, may be empty */
};
extern const struct mbor_schema ddi_key_properties_schema;

/* DeleteKey (1014): empty response. */
struct ddi_delete_key_req {
	uint16_t key_id;
};
extern const struct mbor_schema ddi_delete_key_req_schema;

/* OpenKey (1015). */
struct ddi_open_key_req {
	uint16_t key_tag;
};
extern const struct mbor_schema ddi_open_key_req_schema;

struct ddi_open_key_resp {
	uint16_t key_id;
	uint32_t key_kind;			/* enum ddi_key_type */
	bool has_pub_key;
	struct ddi_public_key pub_key;		/* RSA and ECC private keys */
	bool has_bulk_key_id;
	uint16_t bulk_key_id;			/* bulk AES keys */
};
extern const struct mbor_schema ddi_open_key_resp_schema;

/* EccGenerateKeyPair (1061). */
struct ddi_ecc_generate_req {
	uint32_t curve;				/* enum ddi_ecc_curve */
	bool has_key_tag;
	uint16_t key_tag;
	struct ddi_key_properties key_properties;
};
extern const struct mbor_schema ddi_ecc_generate_req_schema;

struct ddi_ecc_generate_resp {
	uint16_t private_key_id;
	bool has_pub_key;			/* always sent (Appendix A #9) */
	struct ddi_public_key pub_key;
	struct mbor_bytes masked_key;		/* bytes<=3072 */
};
extern const struct mbor_schema ddi_ecc_generate_resp_schema;

/* EccSign (1062). */
struct ddi_ecc_sign_req {
	uint16_t key_id;
	struct mbor_bytes digest;		/* bytes<=96; physical: exactly 68 */
	uint32_t digest_algo;			/* enum ddi_hash_algorithm */
};
extern const struct mbor_schema ddi_ecc_sign_req_schema;

struct ddi_ecc_sign_resp {
	struct mbor_bytes signature;		/* bytes<=192 */
};
extern const struct mbor_schema ddi_ecc_sign_resp_schema;

/* EcdhKeyExchange (1074). */
struct ddi_ecdh_req {
	uint16_t priv_key_id;
	struct mbor_bytes pub_key_der;		/* bytes<=192; physical raw LE */
	uint32_t key_type;			/* DDI_KEY_SECRET256/384/521 */
	bool has_key_tag;
	uint16_t key_tag;
	struct ddi_key_properties key_properties;
};
extern const struct mbor_schema ddi_ecdh_req_schema;

/* EcdhKeyExchange response; also the first two fields of HkdfDerive's. */
struct ddi_new_key_resp {
	uint16_t key_id;
	struct mbor_bytes masked_key;		/* bytes<=3072 */
};
extern const struct mbor_schema ddi_new_key_resp_schema;

/* AesGenerateKey (1071). */
struct ddi_aes_generate_req {
	uint32_t key_size;			/* enum ddi_aes_key_size */
	bool has_key_tag;
	uint16_t key_tag;
	struct ddi_key_properties key_properties;
};
extern const struct mbor_schema ddi_aes_generate_req_schema;

struct ddi_aes_generate_resp {
	uint16_t key_id;
	bool has_bulk_key_id;
	uint16_t bulk_key_id;			/* bulk sizes only */
	struct mbor_bytes masked_key;
};
extern const struct mbor_schema ddi_aes_generate_resp_schema;

/* AesEncryptDecrypt (1072): AES-CBC, no padding. */
struct ddi_aes_cbc_req {
	uint16_t key_id;
	uint32_t op;				/* enum ddi_aes_op */
	struct mbor_bytes msg;			/* bytes<=1024, n * 16, n > 0 */
	struct mbor_bytes iv;			/* bytes<=16, exactly 16 */
};
extern const struct mbor_schema ddi_aes_cbc_req_schema;

struct ddi_aes_cbc_resp {
	struct mbor_bytes msg;
	struct mbor_bytes iv;			/* the next chaining value */
};
extern const struct mbor_schema ddi_aes_cbc_resp_schema;

/*
 * HkdfDerive (1075) and KbkdfCounterHmacDerive (1076): the same map; keys
 * 3 and 4 are salt/info for HKDF and label/context for KBKDF.
 */
struct ddi_kdf_req {
	uint16_t key_id;
	uint32_t hash_algorithm;		/* enum ddi_hash_algorithm */
	bool has_param3;
	struct mbor_bytes param3;		/* salt / label, bytes<=256 */
	bool has_param4;
	struct mbor_bytes param4;		/* info / context, bytes<=256 */
	uint32_t key_type;			/* target enum ddi_key_type */
	bool has_key_tag;
	uint16_t key_tag;
	struct ddi_key_properties key_properties;
	bool has_key_length;
	uint8_t key_length;			/* variable-length HMAC targets */
};
extern const struct mbor_schema ddi_kdf_req_schema;

struct ddi_kdf_resp {
	uint16_t key_id;
	struct mbor_bytes masked_key;
	bool has_bulk_key_id;
	uint16_t bulk_key_id;
};
extern const struct mbor_schema ddi_kdf_resp_schema;

/* Hmac (1077). */
struct ddi_hmac_req {
	uint16_t key_id;
	struct mbor_bytes msg;			/* bytes<=1024, may be empty */
};
extern const struct mbor_schema ddi_hmac_req_schema;

struct ddi_hmac_resp {
	struct mbor_bytes tag;			/* bytes<=64 */
};
extern const struct mbor_schema ddi_hmac_resp_schema;

/* DerKeyImport (2002), test-only (3.10). */
struct ddi_der_import_req {
	struct mbor_bytes der;			/* bytes<=3072 */
	uint32_t key_class;			/* enum ddi_key_class */
	bool has_key_tag;
	uint16_t key_tag;
	struct ddi_key_properties key_properties;
};
extern const struct mbor_schema ddi_der_import_req_schema;

struct ddi_der_import_resp {
	uint16_t key_id;
	bool has_pub_key;
	struct ddi_public_key pub_key;
	bool has_bulk_key_id;
	uint16_t bulk_key_id;
	uint32_t key_type;
	struct mbor_bytes masked_key;
};
extern const struct mbor_schema ddi_der_import_resp_schema;

/*
 * UnmaskKey (1107, 3.5.4): the response has DerKeyImport's shape and uses
 * struct ddi_der_import_resp / ddi_der_import_resp_schema.
 */
struct ddi_unmask_key_req {
	struct mbor_bytes masked_key;		/* bytes<=3072 */
};
extern const struct mbor_schema ddi_unmask_key_req_schema;

/* AttestKey (1016, 3.5.3, 7.11). */
#define DDI_ATTEST_REPORT_DATA_LEN	128
#define DDI_ATTEST_REPORT_MAX		834
struct ddi_attest_key_req {
	uint16_t key_id;
	struct mbor_bytes report_data;		/* bytes<=128; FW: exactly 128 */
};
extern const struct mbor_schema ddi_attest_key_req_schema;

struct ddi_attest_key_resp {
	struct mbor_bytes report;		/* tagged COSE_Sign1, bytes<=834 */
};
extern const struct mbor_schema ddi_attest_key_resp_schema;

/* RawKeyImport (2008), test-only (3.10): a key in the device's raw format. */
struct ddi_raw_import_req {
	struct mbor_bytes raw;			/* bytes<=3072 */
	uint32_t key_kind;			/* enum ddi_key_type */
	bool has_key_tag;
	uint16_t key_tag;
	struct ddi_key_properties key_properties;
};
extern const struct mbor_schema ddi_raw_import_req_schema;

struct ddi_raw_import_resp {
	uint16_t key_id;
	bool has_bulk_key_id;
	uint16_t bulk_key_id;
	struct mbor_bytes masked_key;
};
extern const struct mbor_schema ddi_raw_import_resp_schema;

/* RsaModExp (1031): y and x little-endian on the physical device (7.1.2). */
#define DDI_RSA_MAX_BYTES		512	/* RSA-4096 modulus */
#define DDI_RSA_UNWRAP_CT_LEN		256	/* RSA-2048 OAEP part of a blob */
#define DDI_RSA_OP_DECRYPT		1	/* RsaOpType (4.6) */
#define DDI_RSA_OP_SIGN			2
#define DDI_RSA_PADDING_OAEP		1	/* RsaCryptoPadding (4.6) */
struct ddi_rsa_mod_exp_req {
	uint16_t key_id;
	struct mbor_bytes y;			/* bytes<=512, modulus length */
	uint32_t op_type;
};
extern const struct mbor_schema ddi_rsa_mod_exp_req_schema;

struct ddi_rsa_mod_exp_resp {
	struct mbor_bytes x;			/* bytes<=512 */
};
extern const struct mbor_schema ddi_rsa_mod_exp_resp_schema;

/* GetUnwrappingKey (1051): empty request. */
struct ddi_get_unwrapping_key_resp {
	uint16_t key_id;
	struct ddi_public_key pub_key;		/* physical: n_le || e_le (260) */
	struct mbor_bytes masked_key;		/* bytes<=1024 */
};
extern const struct mbor_schema ddi_get_unwrapping_key_resp_schema;

/* RsaUnwrap (1035); the response is DerKeyImport's map. */
struct ddi_rsa_unwrap_req {
	uint16_t key_id;
	struct mbor_bytes wrapped_blob;		/* bytes<=3072 */
	uint32_t key_class;			/* enum ddi_key_class */
	uint32_t padding;			/* 1 = OAEP */
	uint32_t hash_algorithm;		/* enum ddi_hash_algorithm */
	bool has_key_tag;
	uint16_t key_tag;
	struct ddi_key_properties key_properties;
};
extern const struct mbor_schema ddi_rsa_unwrap_req_schema;

/* Schemas of an operation's data; NULL for opcodes not known here. */
struct ddi_op_info {
	uint32_t op;
	const char *name;
	uint8_t ctrl;				/* AZIHSM_DDI_CTRL_* */
	const struct mbor_schema *req;
	const struct mbor_schema *resp;
};
const struct ddi_op_info *ddi_op_lookup(uint32_t op);
const char *ddi_op_name(uint32_t op);		/* "GetApiRev", or "unknown" */
const char *ddi_status_name(uint32_t status);	/* "DdiDecodeFailed", or NULL */

/*
 * Encode a whole message.  data may be NULL with ddi_empty_schema.
 * Return 0 and the length, or -1 if it does not fit in cap.
 */
int ddi_encode_request(const struct ddi_req_hdr *hdr,
		       const struct mbor_schema *data_schema, const void *data,
		       uint8_t *buf, size_t cap, size_t *len);
int ddi_encode_response(const struct ddi_resp_hdr *hdr,
			const struct mbor_schema *data_schema, const void *data,
			uint8_t *buf, size_t cap, size_t *len);

/*
 * Decode a request in two steps: the header (top-level map of exactly two
 * entries, key 0 = header), then, once the op is known, the data map.
 * Trailing bytes after the top-level map are ignored (firmware behaviour).
 */
struct ddi_req_view {
	struct ddi_req_hdr hdr;
	struct mbor_dec data;	/* positioned at the data map */
};
bool ddi_decode_request_hdr(const uint8_t *buf, size_t len, struct ddi_req_view *v);
bool ddi_decode_request_data(struct ddi_req_view *v, const struct mbor_schema *s, void *obj);

/*
 * Decode a response: header always; data only when hdr->status is 0 and
 * data_schema is not NULL.  False if the bytes are not a valid response.
 */
bool ddi_decode_response(const uint8_t *buf, size_t len, struct ddi_resp_hdr *hdr,
			 const struct mbor_schema *data_schema, void *data);

#endif /* AZIHSM_DDI_MSG_H */
