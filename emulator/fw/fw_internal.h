/* SPDX-License-Identifier: MIT */
/*
 * Firmware core internals shared by its translation units.  Not part of
 * the API: the QEMU device model and the tests use azihsm_fw.h only.
 */
#ifndef AZIHSM_FW_INTERNAL_H
#define AZIHSM_FW_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "azihsm/ddi_crypto.h"
#include "azihsm/ddi_msg.h"
#include "azihsm_fw.h"

/* Session slots of a partition; ids are 0..FW_MAX_SESSIONS-1 (ddi.md 6.3). */
#define FW_MAX_SESSIONS		8
/* Identify SN / FR strings, without the terminating NUL. */
#define FW_ID_STRING_MAX	32

/* The application's vault id, reported as short app id (ddi.md 6.1). */
#define FW_APP_VAULT_ID		1
/* Device limits of ddi.md 8.3. */
#define FW_SEALED_BK3_MAX	512
#define FW_MASKED_BK_BOOT_MAX	300
#define FW_BKS_SEED_LEN		32
#define FW_SECRET_LEN		48
#define FW_BK3_SESSION_LEN	48

/* Certificates of the emulated chain: root, alias, PID (ddi.md 7.12.3). */
#define FW_CERT_CHAIN_LEN	3
#define FW_PARTITION_ID_LEN	16

/*
 * A kernel key of the azihsm extensions (azihsm/hw.h): imported by the
 * admin opcode 0xE1, used by the fast path when a key id has bit 31 set.
 * FW_EXT_KEYS / FW_EXT_KEY_MAX mirror AZIHSM_EXT_KERNEL_KEYS /
 * AZIHSM_EXT_KEY_MAX (checked in fw_ext.c).
 */
#define FW_EXT_KEYS		1024
#define FW_EXT_KEY_MAX		64
struct fw_ext_key {
	bool used;
	uint8_t cipher;			/* AZIHSM_EXT_CIPHER_* */
	uint8_t len;			/* key bytes (XTS: key1 || key2) */
	uint8_t key[FW_EXT_KEY_MAX];
};

/* Built by the first GetCertChainInfo, then kept for the object's life. */
struct fw_cert_chain {
	bool built;
	uint8_t partition_id[FW_PARTITION_ID_LEN];
	uint8_t thumbprint[DDI_THUMBPRINT_LEN];
	uint16_t len[FW_CERT_CHAIN_LEN];
	uint8_t der[FW_CERT_CHAIN_LEN][DDI_CERT_MAX];
};

struct fw_session {
	bool open;
	bool needs_renegotiation;	/* ddi.md 6.9 */
	struct ddi_api_rev rev;		/* fixed when the session was opened */
	uint8_t smk[DDI_MASKING_KEY_LEN];	/* session masking key */
};

/* PIN lockout context (ddi.md 6.7). */
struct fw_lockout {
	bool locked;
	uint32_t attempts;
	uint32_t delay_factor;
	uint64_t until;			/* clock seconds */
};

/*
 * The one partition this core emulates.  Every field is under lock.
 * What ddi.md 9 calls persistent survives azihsm_fw_reset(); sessions do
 * not.  Nothing is written to disk yet: the device lives as long as the
 * object.
 */
struct azihsm_fw {
	pthread_mutex_t lock;
	struct azihsm_fw_config cfg;	/* strings point at the copies below */
	char serial[FW_ID_STRING_MAX + 1];
	char fw_rev[FW_ID_STRING_MAX + 1];

	/* Device secrets of 7.6, chosen at creation (firmware-core.md). */
	uint8_t fw_secret[FW_SECRET_LEN];
	uint8_t bks1[FW_BKS_SEED_LEN];	/* the one BKS1 entry, for svn */
	uint8_t bks2[FW_BKS_SEED_LEN];
	uint64_t svn;

	DDI_PKEY *identity_key;		/* partition identity, P-384 */
	DDI_PKEY *establish_key;	/* lazy, until EstablishCredential */
	DDI_PKEY *session_enc_key;	/* lazy, then kept */
	uint8_t nonce[DDI_CRED_NONCE_LEN];

	bool has_credential;
	uint8_t cred_id[DDI_CRED_ID_LEN];
	uint8_t cred_pin[DDI_CRED_PIN_LEN];
	struct fw_lockout lockout;

	size_t masked_bk_boot_len;	/* 0: InitBk3 never ran */
	uint8_t masked_bk_boot[FW_MASKED_BK_BOOT_MAX];
	bool has_sealed_bk3;
	size_t sealed_bk3_len;
	uint8_t sealed_bk3[FW_SEALED_BK3_MAX];

	bool provisioned;		/* credentials established (ddi.md 6.2) */
	uint8_t bk3_session[FW_BK3_SESSION_LEN];
	uint8_t mk[DDI_MASKING_KEY_LEN];	/* partition masking key */

	struct fw_session sessions[FW_MAX_SESSIONS];
	struct fw_cert_chain certs;

	/* Key tables of the partition: cfg.key_tables of them (6.6). */
	struct fw_key_table *tables;

	/* Kernel keys of the extensions (fw_ext.c); volatile. */
	struct fw_ext_key ext_keys[FW_EXT_KEYS];
};

/* ---- Partition state and key hierarchy (fw_partition.c) ---- */

/* Device secrets, identity key and first nonce; -1 on failure. */
int fw_partition_init(struct azihsm_fw *fw);
void fw_partition_destroy(struct azihsm_fw *fw);
/* Replace the nonce after a credential's tag verified (6.8). */
uint32_t fw_nonce_renew(struct azihsm_fw *fw);
uint64_t fw_now(struct azihsm_fw *fw);
/* A new 80-byte masking key: KBKDF-384(random 48, label, "", 80) (7.6). */
int fw_new_masking_key(const char *label, uint8_t key[DDI_MASKING_KEY_LEN]);
/* Mask a backup secret (type 28, attrs 0) under key; 0 if it failed. */
size_t fw_mask_backup(struct azihsm_fw *fw, const uint8_t key[DDI_MASKING_KEY_LEN],
		      const char *label, bool with_bks2_index, const uint8_t *secret,
		      size_t len, uint8_t *blob, size_t cap);
/* BK_session for this session seed at the current svn. */
int fw_bk_session(struct azihsm_fw *fw, const uint8_t seed[DDI_CRED_SEED_LEN],
		  uint8_t bk[DDI_MASKING_KEY_LEN]);
/* Provisioning half of EstablishCredential; BMK into bmk. */
uint32_t fw_provision(struct azihsm_fw *fw, const struct ddi_establish_credential_req *req,
		      uint8_t *bmk, size_t bmk_cap, size_t *bmk_len);

/* ---- Kernel keys of the extensions (fw_ext.c) ---- */

/* Wipe every kernel key (reset, destroy).  The caller holds fw->lock. */
void fw_ext_clear(struct azihsm_fw *fw);
/*
 * Copy the kernel key `id` (AZIHSM_EXT_KEY_ID_KERNEL | index) into *out:
 * false if the id is malformed or names no key.  The caller holds
 * fw->lock and wipes out->key.
 */
bool fw_ext_key_get(struct azihsm_fw *fw, uint32_t id, struct fw_ext_key *out);

/* ---- Sessions (fw_session.c) ---- */

/* The open session with this id, or NULL. */
struct fw_session *fw_session_find(struct azihsm_fw *fw, uint16_t id);
/*
 * The lowest free id, or VaultSessionLimitReached; NotEnoughSpace or
 * DefragmentationNeeded if the key tables have no room for its entry.
 */
uint32_t fw_session_alloc(struct azihsm_fw *fw, uint16_t *id);
/*
 * Fill slot id (from fw_session_alloc) with a new session, or re-arm a
 * session pending renegotiation (fw_vault_session_room checked first).
 */
void fw_session_open(struct azihsm_fw *fw, uint16_t id, const struct ddi_api_rev *rev,
		     const uint8_t smk[DDI_MASKING_KEY_LEN]);
/*
 * ReopenSession's preconditions on slot id (3.4.6): the session must be
 * pending renegotiation (else ProcessedIoEventInInvalidState).
 */
uint32_t fw_session_check_reopen(struct azihsm_fw *fw, uint16_t id);
/*
 * What a live migration leaves (6.9): every allocated session pending
 * renegotiation with its masking key forgotten, the key tables empty.
 */
void fw_session_migrate_all(struct azihsm_fw *fw);
/* Close id if open; true if a session was closed. */
bool fw_session_close(struct azihsm_fw *fw, uint16_t id);
void fw_session_close_all(struct azihsm_fw *fw);

/* ---- Key vault (fw_vault.c; ddi.md 3.5.0, 6.5, 6.6) ---- */

struct fw_request;

#define FW_KEY_TABLES_MAX	65	/* tables per device */
#define FW_KEY_TABLE_ENTRIES	256
#define FW_KEY_TABLE_STORAGE	15104	/* bytes of key storage per table */
#define FW_KEY_BLOCK		8	/* allocation unit */
#define FW_KEY_ATTR_RECORD	32	/* stored with every key */
#define FW_KEY_MATERIAL_MAX	2564	/* RSA-4k CRT, the largest raw size */
#define FW_BULK_KEYS_PER_TABLE	7
#define FW_BULK_KEY_LEN		32
/* The internal entry of an open session (6.3): type 0, an 88-byte blob. */
#define FW_KEY_TYPE_SESSION_ENTRY 0
#define FW_SESSION_ENTRY_LEN	88

/*
 * One key-table entry.  The key material lives in the table's storage at
 * block `block` (after the 32-byte attribute record); `len` is the FW raw
 * size of 4.1.  Session entries (one per open session, 6.3) and other
 * internal entries have DDI_KEY_ATTR_INTERNAL set and are invisible to
 * key ids from requests.
 */
struct fw_key {
	bool used;
	uint32_t type;			/* enum ddi_key_type */
	uint64_t attrs;			/* DDI_KEY_ATTR_* (4.11) */
	bool session_scoped;
	uint16_t session_id;		/* owner when session_scoped */
	bool has_tag;
	uint16_t tag;
	uint16_t len;			/* bytes of material */
	uint16_t block;			/* first storage block */
	uint16_t nblocks;		/* attribute record included */
	bool has_bulk_id;
	uint16_t bulk_id;		/* 4.4; bulk AES keys */
	DDI_PKEY *pkey;			/* ECC/RSA: cached OpenSSL form, or NULL */
};

struct fw_key_table {
	struct fw_key keys[FW_KEY_TABLE_ENTRIES];
	uint8_t block_used[FW_KEY_TABLE_STORAGE / FW_KEY_BLOCK];
	uint8_t storage[FW_KEY_TABLE_STORAGE];
	/* Fast-path key store: 7 slots per table (4.4). */
	bool bulk_used[FW_BULK_KEYS_PER_TABLE];
	uint8_t bulk_key[FW_BULK_KEYS_PER_TABLE][32];
	uint8_t bulk_entry[FW_BULK_KEYS_PER_TABLE];	/* owning entry of a used slot */
};

/* Usage and scope asked for by a TargetKeyProperties (3.2.2, 4.9). */
struct fw_key_props {
	uint32_t usage;			/* 1 SignVerify .. 4 Derive (4.7) */
	uint64_t usage_attrs;		/* the matching DDI_KEY_ATTR_* bits */
	bool session;			/* session bit of the request */
	struct mbor_bytes label;	/* points into the request */
};

/*
 * Decode key_metadata and check the usage is one of 4.9's four exact
 * combinations and is accepted for the key family (`allowed` is a bitmask
 * of 1u << usage).  InvalidPermissions otherwise.
 */
uint32_t fw_key_props_parse(const struct ddi_key_properties *kp, unsigned int allowed,
			    struct fw_key_props *out);

/*
 * Store a new key of the requesting session (rq->hdr->sess_id): tag rules
 * of 3.5.0 (session key with a tag or tag 0 -> InvalidArg, duplicate ->
 * KeyTagAlreadyExists), first-fit allocation across the partition's
 * tables (NotEnoughSpace, DefragmentationNeeded).  attrs are the flags to
 * store (session, local, usage).  On success *id is the key id
 * ((table << 8) | entry) and *out the entry.
 */
uint32_t fw_key_store(struct azihsm_fw *fw, const struct fw_request *rq,
		      uint32_t type, uint64_t attrs, const uint16_t *tag,
		      const uint8_t *material, size_t len, uint16_t *id,
		      struct fw_key **out);
/* The key's material in table storage (len bytes). */
uint8_t *fw_key_material(struct azihsm_fw *fw, uint16_t id);

/*
 * A key the requesting session may use, checked in 3.5.0's order: no such
 * entry (or internal) -> KeyNotFound; another session's key ->
 * InvalidPermissions.  The caller then checks type (InvalidKeyType) and
 * usage (fw_key_check_usage).
 */
uint32_t fw_key_lookup(struct azihsm_fw *fw, const struct fw_request *rq,
		       uint16_t id, struct fw_key **out);
/* InvalidPermissions unless every bit of need is in the key's attrs. */
uint32_t fw_key_check_usage(const struct fw_key *k, uint64_t need);

/*
 * The masked key blob of a stored key (7.7): session keys under the
 * session masking key, app keys under MK; metadata per 7.7.4 with the
 * caller's label.  Writes at most cap bytes; 0 or a DDI status.
 */
uint32_t fw_key_mask(struct azihsm_fw *fw, const struct fw_request *rq, uint16_t id,
		     const struct mbor_bytes *label, uint8_t *blob, size_t cap,
		     size_t *len);

/* Delete one key (DeleteKey semantics, 3.5.1). */
uint32_t fw_key_delete(struct azihsm_fw *fw, const struct fw_request *rq, uint16_t id);
/* Drop every key of a session (close, flush). */
void fw_keys_drop_session(struct azihsm_fw *fw, uint16_t session_id);
/* Empty every table (reset); frees cached OpenSSL keys. */
void fw_keys_clear(struct azihsm_fw *fw);

/*
 * fw_key_store for a bulk AES key (4.4): the 32-byte key goes to a free
 * fast-path slot of the key's table (the lowest table with both room and
 * a free slot; none has a slot -> ReachedMaxAesBulkKeys) and the entry
 * holds the 2-byte bulk id (k->bulk_id).
 */
uint32_t fw_key_store_bulk(struct azihsm_fw *fw, const struct fw_request *rq,
			   uint32_t type, uint64_t attrs, const uint16_t *tag,
			   const uint8_t key[FW_BULK_KEY_LEN], uint16_t *id,
			   struct fw_key **out);
/*
 * The key with this tag (only app keys carry tags, 3.5.0), or KeyNotFound.
 * out may be NULL.
 */
uint32_t fw_key_find_tag(struct azihsm_fw *fw, uint16_t tag, uint16_t *id,
			 struct fw_key **out);
/* A bulk key's 32 bytes in the fast-path store, or NULL. */
const uint8_t *fw_key_bulk_material(struct azihsm_fw *fw, const struct fw_key *k);

/* What the AES fast path needs of a bulk key (hardware.md 7.12). */
struct fw_bulk_key {
	uint32_t type;			/* 13 XTS, 14 GCM, 15 GCM unapproved */
	uint8_t app_id;			/* FW_APP_VAULT_ID: one application */
	bool session_scoped;		/* "ephemeral" in hardware.md 7.7 */
	uint16_t session_id;		/* owner when session_scoped */
	uint8_t key[FW_BULK_KEY_LEN];
};

/*
 * Copy the bulk key in fast-path slot `slot` of table `table` (4.4) into
 * *out: false if the table is not one of the partition's, the slot is out
 * of range or empty.  The caller holds fw->lock and wipes out->key.
 */
bool fw_bulk_key_get(struct azihsm_fw *fw, unsigned int table, unsigned int slot,
		     struct fw_bulk_key *out);
/*
 * The OpenSSL form of a stored ECC private key (types 7-9), cached in
 * k->pkey (built from the material if absent; the vault owns it).  Other
 * keys, or a failure: NULL.
 */
DDI_PKEY *fw_key_ecc(struct azihsm_fw *fw, uint16_t id);
/*
 * The cached OpenSSL form of any stored private key that has one: ECC
 * (types 7-9), RSA (1-6) and the RSA unwrapping key (0xFFFF, internal
 * entries included).  NULL for other keys or on failure.
 */
DDI_PKEY *fw_key_pkey(struct azihsm_fw *fw, uint16_t id);

/* Tables of the partition: allocate (-1 on failure) and free. */
int fw_vault_init(struct azihsm_fw *fw);
void fw_vault_destroy(struct azihsm_fw *fw);
/*
 * Session entries (6.3).  fw_vault_session_room says whether one more
 * fits (NotEnoughSpace / DefragmentationNeeded otherwise); OpenSession
 * checks it before committing, then fw_vault_add_session stores it.
 * fw_keys_drop_session removes it with the session's keys.
 */
uint32_t fw_vault_session_room(struct azihsm_fw *fw);
uint32_t fw_vault_add_session(struct azihsm_fw *fw, uint16_t session_id,
			      const uint8_t smk[DDI_MASKING_KEY_LEN]);

/* ---- Operations ---- */

/* Decoded request data of every implemented operation. */
union fw_req_data {
	uint8_t none;			/* empty requests */
	struct ddi_establish_credential_req establish_credential;
	struct ddi_open_session_req open_session;
	struct ddi_reopen_session_req reopen_session;
	struct ddi_change_pin_req change_pin;
	struct ddi_init_bk3_req init_bk3;
	struct ddi_sealed_bk3 set_sealed_bk3;
	struct ddi_get_cert_chain_info_req get_cert_chain_info;
	struct ddi_get_certificate_req get_certificate;
	struct ddi_delete_key_req delete_key;	/* fw_keys.c, fw_ecc.c, fw_aes.c */
	struct ddi_open_key_req open_key;
	struct ddi_ecc_generate_req ecc_generate;
	struct ddi_ecc_sign_req ecc_sign;
	struct ddi_aes_generate_req aes_generate;
	struct ddi_aes_cbc_req aes_cbc;
	struct ddi_ecdh_req ecdh;
	struct ddi_kdf_req kdf;			/* HkdfDerive, KbkdfCounterHmacDerive */
	struct ddi_hmac_req hmac;
	struct ddi_der_import_req der_import;
	struct ddi_unmask_key_req unmask_key;	/* fw_unmask.c */
	struct ddi_attest_key_req attest_key;	/* fw_attest.c */
	struct ddi_rsa_mod_exp_req rsa_mod_exp;	/* fw_rsa.c */
	struct ddi_rsa_unwrap_req rsa_unwrap;
	struct ddi_raw_import_req raw_import;
};

/*
 * Response data of every implemented operation.  Byte strings of a response
 * point into the storage that follows the message, so the message must be
 * the first member: the dispatcher encodes the union with the op's schema.
 */
union fw_resp_data {
	struct ddi_get_api_rev_resp get_api_rev;
	struct ddi_get_device_info_resp get_device_info;
	struct fw_cred_key_out {
		struct ddi_cred_key_resp msg;
		uint8_t pub[DDI_P384_RAW_PUB_LEN];
		uint8_t nonce[DDI_CRED_NONCE_LEN];
		uint8_t sig[DDI_P384_RAW_SIG_LEN];
	} cred_key;
	struct fw_establish_credential_out {
		struct ddi_establish_credential_resp msg;
		uint8_t bmk[DDI_BLOB_MAX];
	} establish_credential;
	struct fw_open_session_out {		/* also ReopenSession */
		struct ddi_open_session_resp msg;
		uint8_t bmk_session[DDI_BLOB_MAX];
	} open_session;
	struct fw_init_bk3_out {
		struct ddi_init_bk3_resp msg;
		uint8_t masked_bk3[DDI_BLOB_MAX];
		uint8_t vm_launch_guid[DDI_VM_LAUNCH_GUID_LEN];
	} init_bk3;
	struct ddi_sealed_bk3 get_sealed_bk3;	/* points into fw */
	struct ddi_get_cert_chain_info_resp get_cert_chain_info; /* into fw */
	struct ddi_get_certificate_resp get_certificate;	  /* into fw */
	struct fw_open_key_out {
		struct ddi_open_key_resp msg;
		uint8_t pub[DDI_RSA_MAX_BYTES + 4];	/* ECC or RSA raw (7.1.2) */
	} open_key;
	struct fw_ecc_generate_out {
		struct ddi_ecc_generate_resp msg;
		uint8_t pub[2 * DDI_ECC_MAX_PKA];
		uint8_t masked[DDI_MASKED_KEY_MAX];
	} ecc_generate;
	struct fw_ecc_sign_out {
		struct ddi_ecc_sign_resp msg;
		uint8_t sig[2 * DDI_ECC_MAX_PKA];
	} ecc_sign;
	struct fw_aes_generate_out {
		struct ddi_aes_generate_resp msg;
		uint8_t masked[DDI_MASKED_KEY_MAX];
	} aes_generate;
	struct fw_aes_cbc_out {
		struct ddi_aes_cbc_resp msg;
		uint8_t out[DDI_AES_MSG_MAX];
		uint8_t iv[DDI_AES_IV_LEN];
	} aes_cbc;
	struct fw_new_key_out {			/* EcdhKeyExchange */
		struct ddi_new_key_resp msg;
		uint8_t masked[DDI_MASKED_KEY_MAX];
	} new_key;
	struct fw_kdf_out {
		struct ddi_kdf_resp msg;
		uint8_t masked[DDI_MASKED_KEY_MAX];
	} kdf;
	struct fw_hmac_out {
		struct ddi_hmac_resp msg;
		uint8_t tag[DDI_HMAC_TAG_MAX];
	} hmac;
	struct fw_der_import_out {
		struct ddi_der_import_resp msg;
		uint8_t pub[2 * DDI_ECC_MAX_PKA];
		uint8_t masked[DDI_MASKED_KEY_MAX];
	} der_import;
	struct fw_attest_key_out {		/* fw_attest.c */
		struct ddi_attest_key_resp msg;
		uint8_t report[DDI_ATTEST_REPORT_MAX];
	} attest_key;
	struct fw_rsa_mod_exp_out {		/* fw_rsa.c */
		struct ddi_rsa_mod_exp_resp msg;
		uint8_t x[DDI_RSA_MAX_BYTES];
	} rsa_mod_exp;
	struct fw_unwrapping_key_out {
		struct ddi_get_unwrapping_key_resp msg;
		uint8_t pub[DDI_RSA_UNWRAP_CT_LEN + 4];
		uint8_t masked[DDI_BLOB_MAX];
	} unwrapping_key;
	struct fw_rsa_unwrap_out {		/* same map as der_import */
		struct ddi_der_import_resp msg;
		uint8_t pub[DDI_RSA_MAX_BYTES + 4];
		uint8_t masked[DDI_MASKED_KEY_MAX];
	} rsa_unwrap;
	struct fw_raw_import_out {
		struct ddi_raw_import_resp msg;
		uint8_t masked[DDI_MASKED_KEY_MAX];
	} raw_import;
};

/* What an operation sees of the command besides its data. */
struct fw_request {
	const struct ddi_req_hdr *hdr;
	/* Prefilled per ddi.md 2.3; OpenSession-like ops set sess_id. */
	struct ddi_resp_hdr *resp_hdr;
	/* Prefilled per hardware.md 6.7; open/close ops adjust it. */
	struct azihsm_fw_session *sess_out;
};

/*
 * Execute an operation whose header checks passed and whose data decoded.
 * Returns the DDI status; on success resp is encoded with the op's schema.
 */
typedef uint32_t fw_op_fn(struct azihsm_fw *fw, struct fw_request *rq,
			  const union fw_req_data *req,
			  union fw_resp_data *resp);

fw_op_fn fw_op_get_api_rev;
fw_op_fn fw_op_get_device_info;
fw_op_fn fw_op_get_establish_cred_encryption_key;
fw_op_fn fw_op_establish_credential;
fw_op_fn fw_op_get_session_encryption_key;
fw_op_fn fw_op_open_session;
fw_op_fn fw_op_close_session;
fw_op_fn fw_op_reopen_session;
fw_op_fn fw_op_change_pin;
fw_op_fn fw_op_init_bk3;
fw_op_fn fw_op_get_sealed_bk3;
fw_op_fn fw_op_set_sealed_bk3;
fw_op_fn fw_op_get_cert_chain_info;
fw_op_fn fw_op_get_certificate;
fw_op_fn fw_op_delete_key;		/* fw_keys.c */
fw_op_fn fw_op_open_key;
fw_op_fn fw_op_ecc_generate_key_pair;	/* fw_ecc.c */
fw_op_fn fw_op_ecc_sign;
fw_op_fn fw_op_aes_generate_key;	/* fw_aes.c */
fw_op_fn fw_op_aes_encrypt_decrypt;
fw_op_fn fw_op_ecdh_key_exchange;	/* fw_derive.c */
fw_op_fn fw_op_hkdf_derive;
fw_op_fn fw_op_kbkdf_derive;
fw_op_fn fw_op_hmac;
fw_op_fn fw_op_der_key_import;		/* fw_import.c, test-only */
fw_op_fn fw_op_unmask_key;		/* fw_unmask.c */
fw_op_fn fw_op_attest_key;		/* fw_attest.c */
fw_op_fn fw_op_rsa_mod_exp;		/* fw_rsa.c */
fw_op_fn fw_op_get_unwrapping_key;
fw_op_fn fw_op_rsa_unwrap;

/* ---- RSA keys (fw_rsa.c) ---- */

/*
 * The OpenSSL form of stored RSA material of this type (7.7.5 layout:
 * non-CRT d || n || e, CRT p || q || dP || dQ || n || qInv || d || e, all
 * little-endian), or NULL if type is not an RSA private type or the
 * material is malformed.  Used by fw_key_pkey to fill the cache.
 */
DDI_PKEY *fw_rsa_from_material(uint32_t type, const uint8_t *material, size_t len);
/*
 * The raw public key n_le || e_le (7.1.2) of the stored RSA private key id
 * into out (DDI_RSA_MAX_BYTES + 4), and its public type (19-21): the
 * length, or 0 if id is not an RSA private key.
 */
size_t fw_rsa_public(struct azihsm_fw *fw, uint16_t id, uint8_t *out, uint32_t *pub_type);
fw_op_fn fw_op_raw_key_import;		/* fw_import.c, test-only */

/* ---- Key creation shared by derivation and import (fw_derive.c) ---- */

/* The usage values of struct fw_key_props (4.7), and fw_key_props_parse masks. */
#define FW_USAGE_SIGN_VERIFY		1
#define FW_USAGE_ENCRYPT_DECRYPT	2
#define FW_USAGE_DERIVE			4
#define FW_USAGE_BIT(u)			(1u << (u))

/* A key about to be created: what fw_key_create stores and masks. */
struct fw_new_key {
	uint32_t type;
	uint64_t attrs;			/* DDI_KEY_ATTR_* to store */
	const uint16_t *tag;		/* NULL: no tag */
	const struct mbor_bytes *label;	/* for the masked key's metadata */
	bool bulk;			/* bulk AES: material is the 32-byte key */
};

/*
 * Store a new key (fw_key_store / fw_key_store_bulk) and mask it into blob
 * (fw_key_mask); a key that cannot be masked is deleted again, so a failed
 * op leaves nothing behind.  *key may be NULL.  Returns a DDI status.
 */
uint32_t fw_key_create(struct azihsm_fw *fw, const struct fw_request *rq,
		       const struct fw_new_key *nk, const uint8_t *material,
		       size_t len, uint16_t *id, struct fw_key **key,
		       uint8_t *blob, size_t cap, struct mbor_bytes *masked);

/* ---- Dispatcher (fw_dispatch.c) ---- */

/*
 * Run one DDI request (ddi.md 2.6 steps 2-9) with fw->lock held.  Returns
 * the CQE host status; resp/resp_len/out are as for azihsm_fw_execute().
 */
uint16_t fw_dispatch(struct azihsm_fw *fw, const uint8_t *req, size_t req_len,
		     uint8_t *resp, size_t resp_cap, size_t *resp_len,
		     const struct azihsm_fw_session *in,
		     struct azihsm_fw_session *out);

#endif /* AZIHSM_FW_INTERNAL_H */
