/* SPDX-License-Identifier: MIT */
/*
 * libazihsm: the C API of the Azure Integrated HSM.
 *
 * A device handle (struct azihsm_dev) wraps one open /dev/azihsmN node, or a
 * caller-supplied transport (libazihsm_transport.h).  Through it the
 * library asks the driver for the device identity (GET_DEV_INFO ioctl),
 * sends raw DDI requests (HSM command ioctl), and runs the DDI operations it
 * knows (discovery, provisioning, sessions), encoding requests and decoding
 * responses itself.
 *
 * Error model
 *   Every function that can fail returns an enum azihsm_status: AZIHSM_OK
 *   (0) or a negative code.  The detail of the most recent call made by the
 *   calling thread (errno of the system call, the driver's extended status,
 *   the device's completion status, the DDI status) is kept per thread and
 *   read with azihsm_last_error(), in the manner of errno.
 *
 * Thread safety
 *   A handle may be shared by several threads: the library serialises the
 *   commands of one handle with a mutex, so they reach the device one at a
 *   time and each caller gets its own response.  Use several handles for
 *   parallel commands.  The driver binds an open node to the process that
 *   opened it: after fork() the child must open its own handle (commands on
 *   an inherited handle fail with AZIHSM_ERR_PERMISSION).  Any number of
 *   processes may each open the same device.
 *
 * Ownership
 *   Strings and buffers passed in stay owned by the caller and are not kept
 *   after the call returns.  Objects the library allocates are released by
 *   the matching function named in their description.
 *
 * Link with -lazihsm.  See Documentation/library.md.
 */
#ifndef LIBAZIHSM_H
#define LIBAZIHSM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Marks the library's public entry points; everything else is hidden. */
#if defined(__GNUC__)
#define AZIHSM_API __attribute__((visibility("default")))
#else
#define AZIHSM_API
#endif

/* Limits of one DDI message (spec/ddi.md 2.7, 8.1). */
#define AZIHSM_MAX_REQUEST	4096
#define AZIHSM_MAX_RESPONSE	8192

/* Directory searched by azihsm_enumerate() and azihsm_open(NULL, ...). */
#define AZIHSM_DEV_DIR		"/dev"

/*
 * Results.  The values are part of the ABI and never change; a new code
 * takes the next negative value and AZIHSM_ERR_LAST moves to it.
 */
enum azihsm_status {
	AZIHSM_OK			= 0,
	/* A NULL pointer, a length out of range, an unknown flag. */
	AZIHSM_ERR_INVALID_ARG		= -1,
	/* No such device node, or the device went away. */
	AZIHSM_ERR_NO_DEVICE		= -2,
	/* No permission to open the node, or the handle belongs to another
	 * process (the driver binds an open node to its opener). */
	AZIHSM_ERR_PERMISSION		= -3,
	/* The driver is recovering the device or has no queue ready; retry. */
	AZIHSM_ERR_BUSY			= -4,
	/* The command timed out and the driver aborted it. */
	AZIHSM_ERR_TIMEOUT		= -5,
	/* The device completed the command with a non-zero completion status
	 * (azihsm_error.device_status); no DDI response was produced. */
	AZIHSM_ERR_DEVICE		= -6,
	/* The driver refused the command (azihsm_error.sys_errno and
	 * .ext_status say why). */
	AZIHSM_ERR_DRIVER		= -7,
	/* The device answered with a DDI error status
	 * (azihsm_error.ddi_status, see azihsm_ddi_status_name()). */
	AZIHSM_ERR_DDI			= -8,
	/* The response is not a valid DDI message, does not answer the
	 * request, or a driver reply is inconsistent. */
	AZIHSM_ERR_MALFORMED		= -9,
	/* A caller buffer cannot hold the result. */
	AZIHSM_ERR_BUFFER_TOO_SMALL	= -10,
	/* Memory allocation failed (in the library or in the driver). */
	AZIHSM_ERR_NO_MEMORY		= -11,
	/* The node does not implement the request: not an azihsm HSM node
	 * (e.g. /dev/azihsm-mgmtN), or the controller is not ready. */
	AZIHSM_ERR_NOT_SUPPORTED	= -12,
	/* The ID or PIN does not match the partition's credential
	 * (DDI InvalidAppCredentials); the failure was counted (6.7). */
	AZIHSM_ERR_WRONG_PIN		= -13,
	/* Too many wrong PINs: logins are refused for a while (DDI
	 * LoginFailed), even with the right PIN. */
	AZIHSM_ERR_PIN_LOCKED		= -14,
	/* The partition already has its eight sessions open (DDI
	 * VaultSessionLimitReached). */
	AZIHSM_ERR_SESSION_LIMIT	= -15,
	/* This handle already has a session: one session per handle (the
	 * driver's extended status 11, or caught by the library first). */
	AZIHSM_ERR_SESSION_EXISTS	= -16,
	/* The operation needs a session and the handle has none (extended
	 * status 12), or the session is unknown to the device
	 * (DDI SessionNotFound). */
	AZIHSM_ERR_NO_SESSION		= -17,
	/* The session id does not belong to this handle (extended status 14). */
	AZIHSM_ERR_SESSION_MISMATCH	= -18,
	/* The partition is already provisioned (DDI VaultAppLimitReached,
	 * PartitionAlreadyProvisioned). */
	AZIHSM_ERR_ALREADY_PROVISIONED	= -19,
	/* The partition has no credential yet (DDI CredentialsNotEstablished,
	 * PartitionNotProvisioned): run azihsm_partition_init() first. */
	AZIHSM_ERR_NOT_PROVISIONED	= -20,
	/* A signature did not verify: the device's key-exchange key is not
	 * signed by the partition identity key, or the device rejected the
	 * POTA endorsement (DDI EccVerifyFailed). */
	AZIHSM_ERR_VERIFY		= -21,
	/* No such key in the vault (deleted, another session's key after
	 * that session ended, or never existed; DDI KeyNotFound). */
	AZIHSM_ERR_KEY_NOT_FOUND	= -22,
	/* The key may not be used this way: its usage does not allow the
	 * operation, or it belongs to another session (DDI
	 * InvalidPermissions). */
	AZIHSM_ERR_KEY_USAGE		= -23,
	/* The operation does not apply to this kind of key (DDI
	 * InvalidKeyType), e.g. signing with an AES key. */
	AZIHSM_ERR_KEY_TYPE		= -24,
	/* The partition's key vault has no room for the key (DDI
	 * NotEnoughSpace, DefragmentationNeeded, ReachedMaxKeys,
	 * ReachedMaxAesBulkKeys). */
	AZIHSM_ERR_VAULT_FULL		= -25,
	/* Another key of the application already has this tag (DDI
	 * KeyTagAlreadyExists). */
	AZIHSM_ERR_TAG_EXISTS		= -26,
	/* A public key given as input is not a valid point of the key's
	 * curve (DDI EccPointValidationFailed, EccPublicKeyValidationFailed,
	 * EccDerKeyShorterThanCurve), or cannot be parsed. */
	AZIHSM_ERR_INVALID_KEY		= -27,
	/* Decrypted data does not end in valid PKCS#7 padding, or an RSA
	 * decryption's OAEP / PKCS#1 v1.5 padding is not valid. */
	AZIHSM_ERR_BAD_PADDING		= -28,
	/* The device was migrated and the session must be re-established
	 * with azihsm_session_reopen() before use (DDI
	 * SessionNeedsRenegotiation); azihsm_session_close() still works. */
	AZIHSM_ERR_SESSION_RENEGOTIATE	= -29,
	/* AES-GCM decryption: the tag does not match the data (nothing of
	 * the plaintext is handed out). */
	AZIHSM_ERR_AUTH_FAILED		= -30,
	/* A masked key blob is malformed, was altered, or was masked by
	 * another partition or session (DDI MaskedKeyDecodeFailed); or an
	 * attestation report is not the structure of spec/ddi.md 7.11. */
	AZIHSM_ERR_BAD_BLOB		= -31,
	AZIHSM_ERR_LAST			= AZIHSM_ERR_BAD_BLOB,
};

/*
 * Detail of the last library call made by the calling thread.  Every call
 * that returns an enum azihsm_status overwrites it, so after a success
 * .status is AZIHSM_OK and the other fields are zero.  Fields that do not
 * apply to the failure are zero.
 */
struct azihsm_error {
	int status;		/* enum azihsm_status returned by the call */
	int sys_errno;		/* errno of the failed open() or ioctl() */
	uint32_t ext_status;	/* driver's extended status (ioctl output) */
	uint32_t device_status;	/* HSM completion status (CQE, 11 bits) */
	uint32_t ddi_status;	/* status in the DDI response header */
	uint32_t ddi_op;	/* DDI opcode of the request, 0 if none */
};

/* Copy the calling thread's last-call record into *err (not NULL). */
AZIHSM_API void azihsm_last_error(struct azihsm_error *err);

/*
 * Short English description of a status ("permission denied").  Never
 * NULL; unknown values give "unknown error".  The string is static.
 */
AZIHSM_API const char *azihsm_strerror(int status);

/*
 * Format a record as one line, e.g. "GetDeviceInfo: DDI error
 * UnsupportedRevision (0x0870002a)" or "driver error: Invalid argument,
 * extended status 14 (session id mismatch)".  err NULL means the calling
 * thread's last record.  Writes at most cap bytes including the NUL.
 * Returns AZIHSM_OK, AZIHSM_ERR_INVALID_ARG (buf NULL or cap 0) or
 * AZIHSM_ERR_BUFFER_TOO_SMALL (the text was truncated, still terminated).
 * Does not change the last-call record.
 */
AZIHSM_API int azihsm_error_format(const struct azihsm_error *err, char *buf,
				   size_t cap);

/* Name of a DDI status ("UnsupportedRevision"), or NULL if unknown. */
AZIHSM_API const char *azihsm_ddi_status_name(uint32_t ddi_status);
/* Name of a DDI opcode ("GetApiRev"), or "unknown". */
AZIHSM_API const char *azihsm_ddi_op_name(uint32_t ddi_op);

/* ---- Devices ---- */

struct azihsm_dev;

/* Paths of the HSM nodes found, in device-number order. */
struct azihsm_dev_list {
	size_t count;
	char **paths;		/* count strings, e.g. "/dev/azihsm0" */
};

/*
 * List the HSM nodes /dev/azihsmN (N decimal; management nodes
 * /dev/azihsm-mgmtN are skipped).  The nodes are not opened.  An empty list
 * is AZIHSM_OK with count 0.  Release with azihsm_dev_list_free().
 * Errors: INVALID_ARG, NO_MEMORY, NO_DEVICE (directory missing),
 * PERMISSION (directory unreadable).
 */
AZIHSM_API int azihsm_enumerate(struct azihsm_dev_list *list);
/* The same in another directory (containers, tests). */
AZIHSM_API int azihsm_enumerate_dir(const char *dir, struct azihsm_dev_list *list);
/* Free the paths and zero *list.  NULL and an empty list are fine. */
AZIHSM_API void azihsm_dev_list_free(struct azihsm_dev_list *list);

/*
 * Open an HSM node read/write.  path NULL opens the first node
 * azihsm_enumerate() finds.  On success *devp is a new handle, released with
 * azihsm_close(); on failure *devp is NULL.
 * Errors: INVALID_ARG (devp NULL), NO_DEVICE (no such node, or none found),
 * PERMISSION, NO_MEMORY, DRIVER (other open() failures, errno recorded).
 */
AZIHSM_API int azihsm_open(const char *path, struct azihsm_dev **devp);

/*
 * Close a handle and release everything it owns (for a custom transport,
 * its close op is called).  NULL is ignored.  No command may be in flight
 * on the handle.
 */
AZIHSM_API void azihsm_close(struct azihsm_dev *dev);

/*
 * What the handle talks to: the node path ("/dev/azihsm0") or, for a
 * custom transport, "transport:NAME".  Owned by the handle.
 */
AZIHSM_API const char *azihsm_dev_path(const struct azihsm_dev *dev);

/* Identity of the device as the driver knows it (GET_DEV_INFO ioctl). */
struct azihsm_identity {
	uint16_t ctrl_id;		/* Identify controller id */
	char pci_addr[33];		/* "0000:00:03.0" */
	char serial[33];		/* Identify serial number */
	char firmware_rev[33];		/* Identify firmware revision */
	char driver_rev[16];		/* azihsm.ko version */
	uint8_t entropy[32];		/* new random bytes per controller init */
};

/*
 * Read the device identity from the driver.  Strings are NUL-terminated
 * and have trailing blanks removed.
 * Errors: INVALID_ARG, PERMISSION, BUSY (recovery in progress),
 * NOT_SUPPORTED (not an HSM node / controller not ready), NO_DEVICE, DRIVER.
 */
AZIHSM_API int azihsm_identify(struct azihsm_dev *dev, struct azihsm_identity *id);

/* ---- DDI ---- */

/* Queue-level session control (spec/hardware.md 6.2). */
#define AZIHSM_SESSION_NONE		0
#define AZIHSM_SESSION_OPEN		1
#define AZIHSM_SESSION_CLOSE		2
#define AZIHSM_SESSION_IN_SESSION	3

struct azihsm_session_ctl {
	uint8_t kind;		/* AZIHSM_SESSION_* */
	bool has_id;		/* id is meaningful */
	uint16_t id;
};

/*
 * Send one DDI request and receive its response, as bytes; the library
 * neither encodes nor checks them.  sess NULL means no session.
 * req_len must be 1..AZIHSM_MAX_REQUEST; resp_cap at least 1 (more than
 * AZIHSM_MAX_RESPONSE is used as AZIHSM_MAX_RESPONSE).  On AZIHSM_OK,
 * *resp_len bytes of resp hold the device's response, which may itself be
 * a DDI error response.  The driver cuts a response at resp_cap without
 * saying so; pass AZIHSM_MAX_RESPONSE to be sure to get it all.  A
 * transport that knows the full size reports BUFFER_TOO_SMALL with the
 * size needed in *resp_len.
 * Errors: INVALID_ARG, DEVICE (completion status recorded), DRIVER
 * (errno and extended status recorded), PERMISSION, BUSY, TIMEOUT,
 * NO_DEVICE, NO_MEMORY, NOT_SUPPORTED, MALFORMED, BUFFER_TOO_SMALL.
 */
AZIHSM_API int azihsm_ddi_raw(struct azihsm_dev *dev,
			      const struct azihsm_session_ctl *sess,
			      const void *req, size_t req_len,
			      void *resp, size_t resp_cap, size_t *resp_len);

struct azihsm_api_rev {
	uint32_t major;
	uint32_t minor;
};

/*
 * DDI GetApiRev: the range of API revisions the device supports.  Either
 * output may be NULL.  The handle remembers max and uses it as the rev of
 * every later request (the library issues GetApiRev by itself before the
 * first operation that needs it).
 * Errors: those of azihsm_ddi_raw(), DDI (status recorded), MALFORMED.
 */
AZIHSM_API int azihsm_get_api_rev(struct azihsm_dev *dev,
				  struct azihsm_api_rev *min,
				  struct azihsm_api_rev *max);

enum azihsm_device_kind {
	AZIHSM_DEVICE_KIND_VIRTUAL	= 1,
	AZIHSM_DEVICE_KIND_PHYSICAL	= 2,
};

struct azihsm_device_info {
	uint32_t kind;		/* enum azihsm_device_kind (other values possible) */
	uint8_t key_tables;	/* key tables assigned to this partition */
	bool fips_approved;	/* the module is in its FIPS-approved state */
};

/*
 * DDI GetDeviceInfo.  Errors: as azihsm_get_api_rev().
 */
AZIHSM_API int azihsm_get_device_info(struct azihsm_dev *dev,
				      struct azihsm_device_info *info);

/* ---- Provisioning (spec/ddi.md 6.2) ---- */

#define AZIHSM_BK3_LEN		48	/* owner backup key */
#define AZIHSM_CRED_ID_LEN	16	/* application ID */
#define AZIHSM_CRED_PIN_LEN	16
#define AZIHSM_BLOB_MAX		1024	/* masked BK3, BMK */
#define AZIHSM_P384_POINT_LEN	97	/* 0x04 || X || Y, big-endian */
#define AZIHSM_P384_PUB_LEN	96	/* X_le || Y_le (physical wire form) */
#define AZIHSM_P384_SIG_LEN	96	/* r_le || s_le (physical wire form) */

/*
 * The partition identity public key, taken from the last certificate of
 * the device's chain (GetCertChainInfo, GetCertificate): what the partition
 * owner endorses (7.4) and what signs the device's key-exchange keys (7.3).
 * Errors: those of azihsm_ddi_raw(), DDI, MALFORMED (the certificate does
 * not parse or its key is not P-384).
 */
AZIHSM_API int azihsm_partition_identity_key(struct azihsm_dev *dev,
					     uint8_t point[AZIHSM_P384_POINT_LEN]);

/*
 * Input of azihsm_partition_init().
 *
 * BK3: either bk3 (48 bytes; the device masks it with InitBk3, once per
 * device) or masked_bk3 (what a previous InitBk3 returned; InitBk3 is then
 * skipped).  Exactly one of them.
 *
 * POTA endorsement (the owner's signature over SHA-384 of the identity
 * key point): either pota_key_file, a PEM file holding the owner's P-384
 * private key (PKCS#8 or traditional EC, unencrypted), with which the
 * library signs; or, when the owner key is kept elsewhere, pota_pub and
 * pota_sig, an endorsement made beforehand over the point returned by
 * azihsm_partition_identity_key(), in the physical wire forms.  Exactly
 * one of the two.
 *
 * bmk (optional, bmk_len 0 for none) restores the partition masking key of
 * an earlier provisioning instead of creating a new one.
 */
struct azihsm_partition_params {
	const uint8_t *bk3;
	const uint8_t *masked_bk3;
	size_t masked_bk3_len;
	const char *pota_key_file;
	const uint8_t *pota_pub;	/* AZIHSM_P384_PUB_LEN bytes */
	const uint8_t *pota_sig;	/* AZIHSM_P384_SIG_LEN bytes */
	const uint8_t *bmk;
	size_t bmk_len;
	uint8_t id[AZIHSM_CRED_ID_LEN];
	uint8_t pin[AZIHSM_CRED_PIN_LEN];	/* neither may be all zeros */
};

/* What the caller keeps after provisioning: both are needed to restore. */
struct azihsm_partition_keys {
	uint8_t masked_bk3[AZIHSM_BLOB_MAX];
	size_t masked_bk3_len;
	uint8_t bmk[AZIHSM_BLOB_MAX];
	size_t bmk_len;
};

/*
 * Provision the partition (spec/ddi.md 6.2): InitBk3 (unless masked_bk3 is
 * given), the identity key from the certificate chain, the POTA
 * endorsement, GetEstablishCredEncryptionKey (its signature must verify
 * with the identity key, else AZIHSM_ERR_VERIFY and nothing is sent), and
 * EstablishCredential with the ID and PIN encrypted for the device (7.2).
 * On success *keys holds the masked BK3 and the BMK.  On a failure after
 * InitBk3 succeeded, keys->masked_bk3 still holds the new masked BK3: keep
 * it to retry (InitBk3 succeeds once per device).  params->masked_bk3 and
 * ->bmk may point into *keys.
 * Errors: INVALID_ARG (parameters, unreadable or non-P-384 key file),
 * ALREADY_PROVISIONED, VERIFY, WRONG_PIN (an all-zero ID or PIN), DDI
 * (e.g. Bk3AlreadyInitialized: pass masked_bk3), MALFORMED, and those of
 * azihsm_ddi_raw().
 */
AZIHSM_API int azihsm_partition_init(struct azihsm_dev *dev,
				     const struct azihsm_partition_params *params,
				     struct azihsm_partition_keys *keys);

/* ---- Sessions (spec/ddi.md 6.4) ---- */

/*
 * An open session.  The driver ties a session to the open file it was
 * opened on, and allows one per file, so a handle has at most one session;
 * open several handles for several sessions (the partition allows eight in
 * all).  When the handle is closed, or its process dies, the driver ends
 * the session on the device.
 */
struct azihsm_session;

/*
 * GetSessionEncryptionKey, then OpenSession with the credential and a fresh
 * random 48-byte seed (7.2).  On success *sessp is the session, ended with
 * azihsm_session_close(); on failure *sessp is NULL.  Concurrent openers
 * race for the partition's one nonce (6.8); a lost race (NonceMismatch) is
 * retried with a fresh nonce, as is one in azihsm_change_pin().
 * Errors: INVALID_ARG, SESSION_EXISTS, WRONG_PIN, PIN_LOCKED,
 * SESSION_LIMIT, NOT_PROVISIONED, VERIFY, DDI, MALFORMED, and those of
 * azihsm_ddi_raw().
 */
AZIHSM_API int azihsm_session_open(struct azihsm_dev *dev,
				   const uint8_t id[AZIHSM_CRED_ID_LEN],
				   const uint8_t pin[AZIHSM_CRED_PIN_LEN],
				   struct azihsm_session **sessp);

/*
 * CloseSession, and free sess (also when the device refused to close it:
 * the driver then ends it when the handle is closed).  NULL is AZIHSM_OK.
 * azihsm_close() of the handle also ends and frees a session still open.
 */
AZIHSM_API int azihsm_session_close(struct azihsm_session *sess);

/*
 * After a live migration of the device (spec/ddi.md 6.9) every session
 * fails with SESSION_RENEGOTIATE: ReopenSession re-establishes sess on its
 * id with the credential and the seed and bmk_session kept from the open,
 * so the device recovers the same session masking key.  Session keys are
 * gone (the key tables were emptied); keys masked by this session before
 * can be brought back with the session masking key.  id and pin are the
 * credential as now (after a ChangePin, the new PIN).  The nonce race is
 * retried as in azihsm_session_open().
 * Errors: INVALID_ARG (an argument is NULL, or the session does not need
 * reopening: DDI ProcessedIoEventInInvalidState), WRONG_PIN, PIN_LOCKED,
 * NO_SESSION, VAULT_FULL (no room for the session's entry), DDI
 * (MaskedKeyDecodeFailed: a bmk_session this device cannot unmask),
 * MALFORMED, and those of azihsm_ddi_raw().  On failure sess is unchanged
 * and may be reopened again or closed.
 */
AZIHSM_API int azihsm_session_reopen(struct azihsm_session *sess,
				     const uint8_t id[AZIHSM_CRED_ID_LEN],
				     const uint8_t pin[AZIHSM_CRED_PIN_LEN]);

/* The device's id of the session (0..7). */
AZIHSM_API uint16_t azihsm_session_id(const struct azihsm_session *sess);
/* The partition application's short id (the AES fast path uses it). */
AZIHSM_API uint8_t azihsm_session_short_app_id(const struct azihsm_session *sess);

/*
 * ChangePin in the session: the credential becomes (ID, new_pin).  Open
 * sessions stay open; new ones need the new PIN.
 * Errors: INVALID_ARG, WRONG_PIN (all-zero PIN), and those of
 * azihsm_session_open().
 */
AZIHSM_API int azihsm_change_pin(struct azihsm_session *sess,
				 const uint8_t new_pin[AZIHSM_CRED_PIN_LEN]);

/* ---- Keys (spec/ddi.md 3.5, 3.7, 3.8, 3.9, section 4, 6.5) ---- */

/*
 * Key types are the device's DdiKeyType values (spec/ddi.md 4.1).  Those
 * the library creates or handles:
 */
#define AZIHSM_KEY_ECC_P256		7	/* ECC private key (key pair) */
#define AZIHSM_KEY_ECC_P384		8
#define AZIHSM_KEY_ECC_P521		9
#define AZIHSM_KEY_AES_128		10
#define AZIHSM_KEY_AES_192		11
#define AZIHSM_KEY_AES_256		12
#define AZIHSM_KEY_AES_XTS_BULK		13	/* AES-256 bulk keys of the fast path */
#define AZIHSM_KEY_AES_GCM_BULK		14	/* device-chosen IVs (FIPS) */
#define AZIHSM_KEY_AES_GCM_BULK_UNAPPROVED 15	/* caller-chosen IVs */
#define AZIHSM_KEY_SECRET_P256		16	/* ECDH shared secret */
#define AZIHSM_KEY_SECRET_P384		17
#define AZIHSM_KEY_SECRET_P521		18
#define AZIHSM_KEY_HMAC_SHA256		25
#define AZIHSM_KEY_HMAC_SHA384		26
#define AZIHSM_KEY_HMAC_SHA512		27
/* HMAC keys of a chosen length (key_length of azihsm_key_params). */
#define AZIHSM_KEY_HMAC_SHA256_VAR	30	/* 32..64 bytes */
#define AZIHSM_KEY_HMAC_SHA384_VAR	31	/* 48..128 bytes */
#define AZIHSM_KEY_HMAC_SHA512_VAR	32	/* 64..128 bytes */

/* What a key may be used for (one per key; spec/ddi.md 4.7, 4.10). */
enum azihsm_key_usage {
	AZIHSM_USAGE_DEFAULT		= 0,	/* the type's usual usage */
	AZIHSM_USAGE_SIGN_VERIFY	= 1,	/* ECC default; HMAC default */
	AZIHSM_USAGE_ENCRYPT_DECRYPT	= 2,	/* AES default (and only) */
	AZIHSM_USAGE_DERIVE		= 4,	/* ECDH (ECC), HKDF (secrets) */
};

/* Hash algorithms (spec/ddi.md 4.5). */
enum azihsm_hash {
	AZIHSM_HASH_SHA1		= 1,
	AZIHSM_HASH_SHA256		= 2,
	AZIHSM_HASH_SHA384		= 3,
	AZIHSM_HASH_SHA512		= 4,
};

/*
 * Properties of a key to create.  NULL means all defaults: the type's
 * default usage, app-scoped, no tag, empty label.
 *
 * session: the key belongs to the session that creates it and is deleted
 * by the device when that session ends (close, process exit); no other
 * session can use it.  Otherwise the key is app-scoped: every session of
 * the partition can use it until it is deleted.
 * tag: 0 for none; otherwise a value unique among the application's keys,
 * which finds the key again with azihsm_key_open() (app-scoped keys only).
 * label: opaque caller bytes (at most 128) kept in the masked key.
 * key_length: the length in bytes of a variable-length HMAC key
 * (AZIHSM_KEY_HMAC_*_VAR) to derive; 0 for every other type.
 */
struct azihsm_key_params {
	enum azihsm_key_usage usage;
	bool session;
	uint16_t tag;
	const uint8_t *label;
	size_t label_len;
	size_t key_length;
};

/*
 * A handle on a key in the device's vault.  It names the key by id and
 * carries what the device returned when the key was created or opened
 * (public key, masked key).  Operations on it are sent through the
 * session of the handle it was created on (the session of that
 * struct azihsm_dev at the time of the call), so a key handle must not
 * outlive its struct azihsm_dev.  Freeing the handle does not delete the
 * key; azihsm_key_delete() does.
 */
struct azihsm_key;

/*
 * Create a key in the session: EccGenerateKeyPair for AZIHSM_KEY_ECC_*,
 * AesGenerateKey for AZIHSM_KEY_AES_* (including the bulk keys of the AES
 * fast path, whose usage can only be ENCRYPT_DECRYPT; VAULT_FULL when the
 * fast-path store's seven slots per key table are taken).  On success
 * *keyp is a new handle, freed with azihsm_key_free() or
 * azihsm_key_delete().
 * Errors: INVALID_ARG (type, params, label too long), KEY_USAGE (usage not
 * allowed for the type), TAG_EXISTS, VAULT_FULL, NO_SESSION, DDI,
 * MALFORMED, and those of azihsm_ddi_raw().
 */
AZIHSM_API int azihsm_key_generate(struct azihsm_session *sess, uint32_t type,
				   const struct azihsm_key_params *params,
				   struct azihsm_key **keyp);

/*
 * OpenKey: the app-scoped key with this tag (non-zero).
 * Errors: INVALID_ARG, KEY_NOT_FOUND, KEY_TYPE, and those of
 * azihsm_key_generate().
 */
AZIHSM_API int azihsm_key_open(struct azihsm_session *sess, uint16_t tag,
			       struct azihsm_key **keyp);

/*
 * DeleteKey, then free the handle.  On failure the handle stays valid
 * (and must still be freed).
 * Errors: INVALID_ARG, KEY_NOT_FOUND, KEY_USAGE (another session's key),
 * NO_SESSION, DDI, and those of azihsm_ddi_raw().
 */
AZIHSM_API int azihsm_key_delete(struct azihsm_key *key);

/* Free the handle only; the key stays in the device.  NULL is ignored. */
AZIHSM_API void azihsm_key_free(struct azihsm_key *key);

/* The device's key id. */
AZIHSM_API uint16_t azihsm_key_id(const struct azihsm_key *key);
/* The key's type (AZIHSM_KEY_*, spec/ddi.md 4.1). */
AZIHSM_API uint32_t azihsm_key_type(const struct azihsm_key *key);

/*
 * The masked key blob returned when the key was created (spec/ddi.md 7.7),
 * the durable form of the key.  *blob points into the handle.  Keys
 * opened with azihsm_key_open() have none: NOT_SUPPORTED.
 */
AZIHSM_API int azihsm_key_masked(const struct azihsm_key *key,
				 const uint8_t **blob, size_t *len);

/* Public-key encodings. */
enum azihsm_pubkey_format {
	AZIHSM_PUBKEY_DER	= 1,	/* SubjectPublicKeyInfo, DER */
	AZIHSM_PUBKEY_PEM	= 2,	/* the same, PEM ("PUBLIC KEY"), NUL-terminated */
	AZIHSM_PUBKEY_POINT	= 3,	/* uncompressed point 0x04 || X || Y */
};

/*
 * The public key of an ECC key pair or an RSA key, converted from the
 * device's raw little-endian wire form (spec/ddi.md 7.1.2).  *len is the
 * size written (for PEM, without the NUL); with BUFFER_TOO_SMALL it is the
 * size needed.  RSA keys have no POINT form (KEY_TYPE).
 * Errors: INVALID_ARG, KEY_TYPE (neither kind), BUFFER_TOO_SMALL.
 */
AZIHSM_API int azihsm_key_public(const struct azihsm_key *key,
				 enum azihsm_pubkey_format fmt, uint8_t *buf,
				 size_t cap, size_t *len);

/* Signature encodings. */
enum azihsm_sig_format {
	AZIHSM_SIG_RAW	= 1,	/* r || s, big-endian, 32/48/66 bytes each */
	AZIHSM_SIG_DER	= 2,	/* ECDSA-Sig-Value (what OpenSSL verifies) */
};

/*
 * EccSign: ECDSA over a digest the caller computed.  digest_len says the
 * hash (20 SHA-1, 32 SHA-256, 48 SHA-384, 64 SHA-512); a digest longer
 * than the curve's order (SHA-384 on P-256, SHA-512 on P-256/P-384) is
 * refused by the device (DDI DigestHashMismatchWithEccCurve, INVALID_ARG).
 * *sig_len is the size written, or needed with BUFFER_TOO_SMALL
 * (AZIHSM_ECC_SIG_MAX always suffices).
 * Errors: INVALID_ARG, KEY_TYPE, KEY_USAGE, KEY_NOT_FOUND,
 * BUFFER_TOO_SMALL, NO_SESSION, DDI, MALFORMED, azihsm_ddi_raw()'s.
 */
#define AZIHSM_ECC_SIG_MAX	139	/* DER, P-521 */
AZIHSM_API int azihsm_ecc_sign(struct azihsm_key *key, const uint8_t *digest,
			       size_t digest_len, enum azihsm_sig_format fmt,
			       uint8_t *sig, size_t cap, size_t *sig_len);

/*
 * EcdhKeyExchange: a shared-secret key (AZIHSM_KEY_SECRET_*) from the ECC
 * key `priv` (usage DERIVE) and the peer's public key, given as DER
 * SubjectPublicKeyInfo or as an uncompressed point on priv's curve.  The
 * secret never leaves the device; derive keys from it with
 * azihsm_hkdf_derive().  params: usage must be DEFAULT or DERIVE.
 * Errors: INVALID_KEY (peer key unparsable, wrong curve, not on the
 * curve), KEY_TYPE, KEY_USAGE, and those of azihsm_key_generate().
 */
AZIHSM_API int azihsm_ecdh(struct azihsm_key *priv, const uint8_t *peer,
			   size_t peer_len,
			   const struct azihsm_key_params *params,
			   struct azihsm_key **secretp);

/*
 * HkdfDerive: a new key of type target (AZIHSM_KEY_AES_128/192/256 or
 * AZIHSM_KEY_HMAC_*, including the *_VAR types, whose length is
 * params->key_length) from a secret key, with HKDF over hash.  salt NULL:
 * absent (the device then uses 256 zero bytes, spec/ddi.md 7.9.1); an
 * empty non-NULL salt is sent as an empty salt (RFC 5869's default);
 * info NULL: empty.  Each at most 256 bytes.
 * Errors: INVALID_ARG (also key_length missing, out of the type's range,
 * or given for a fixed-length type), KEY_TYPE, KEY_USAGE, and those of
 * azihsm_key_generate().
 */
AZIHSM_API int azihsm_hkdf_derive(struct azihsm_key *secret, enum azihsm_hash hash,
				  const uint8_t *salt, size_t salt_len,
				  const uint8_t *info, size_t info_len,
				  uint32_t target,
				  const struct azihsm_key_params *params,
				  struct azihsm_key **keyp);

/*
 * KbkdfCounterHmacDerive (spec/ddi.md 3.9.2, 7.9.2): as
 * azihsm_hkdf_derive() with SP 800-108 counter-mode KBKDF over HMAC-hash,
 * label and context (NULL: absent; each at most 256 bytes) instead of
 * salt and info.  The device first derives a 32-byte key-derivation key
 * from the secret with HKDF (no salt, info = context).
 * Errors: as azihsm_hkdf_derive().
 */
AZIHSM_API int azihsm_kbkdf_derive(struct azihsm_key *secret, enum azihsm_hash hash,
				   const uint8_t *label, size_t label_len,
				   const uint8_t *context, size_t context_len,
				   uint32_t target,
				   const struct azihsm_key_params *params,
				   struct azihsm_key **keyp);

/*
 * Hmac with an HMAC key of usage SIGN_VERIFY; msg at most 1024 bytes.
 * *tag_len = 32/48/64 (the hash's length, for the *_VAR types too).
 * Errors: as azihsm_ecc_sign().
 */
#define AZIHSM_HMAC_MAX		64
AZIHSM_API int azihsm_hmac(struct azihsm_key *key, const uint8_t *msg,
			   size_t msg_len, uint8_t *tag, size_t cap,
			   size_t *tag_len);

/* Padding of azihsm_aes_cbc(). */
enum azihsm_padding {
	AZIHSM_PAD_NONE		= 0,	/* in_len a multiple of 16 */
	AZIHSM_PAD_PKCS7	= 1,	/* added on encrypt, checked and removed on decrypt */
};

/*
 * AES-CBC with an AES key (usage ENCRYPT_DECRYPT): the device's
 * AesEncryptDecrypt, at most 1024 bytes per command, the library chaining
 * the commands for longer data.  PKCS#7 padding is done on the host.
 * Encrypting needs cap >= in_len rounded up to 16 (+16 when in_len is a
 * multiple of 16 with PKCS7), decrypting cap >= in_len (in_len - 1 with
 * PKCS7); *out_len is the size written, or needed with BUFFER_TOO_SMALL.
 * iv_out, if not NULL, receives the chaining value for a continuation.
 * in and out may be the same buffer.  On failure what was written to out
 * is wiped.
 * Errors: INVALID_ARG (length not a multiple of 16 without padding, empty
 * input to decrypt), BAD_PADDING, BUFFER_TOO_SMALL, KEY_TYPE, KEY_USAGE,
 * KEY_NOT_FOUND, NO_SESSION, DDI, MALFORMED, azihsm_ddi_raw()'s.
 */
AZIHSM_API int azihsm_aes_cbc(struct azihsm_key *key, bool encrypt,
			      enum azihsm_padding pad, const uint8_t iv[16],
			      const uint8_t *in, size_t in_len, uint8_t *out,
			      size_t cap, size_t *out_len, uint8_t iv_out[16]);

/*
 * DerKeyImport (test-only operation 2002, spec/ddi.md 3.10): import a
 * clear ECC private key given as PKCS#8 or SEC1 DER.  Only devices that
 * enable the test operations accept it (the emulator with
 * x-test-ops=on; others answer UnsupportedCmd: NOT_SUPPORTED).  For test
 * vectors; production keys are never handled in the clear.
 * Errors: NOT_SUPPORTED, INVALID_ARG, INVALID_KEY, and those of
 * azihsm_key_generate().
 */
AZIHSM_API int azihsm_key_import_der_test(struct azihsm_session *sess,
					  const uint8_t *der, size_t der_len,
					  const struct azihsm_key_params *params,
					  struct azihsm_key **keyp);

/*
 * RawKeyImport (test-only operation 2008, spec/ddi.md 3.10): import a
 * clear key of type `type` in the device's raw form (spec/ddi.md 4.1):
 * AZIHSM_KEY_SECRET_* (32, 48 or 68 bytes, P-521's last two zero),
 * AZIHSM_KEY_HMAC_* (32/48/64 bytes; the *_VAR types 32..64, 48..128,
 * 64..128) or AZIHSM_KEY_AES_128/192/256.  Test-only like
 * azihsm_key_import_der_test(): for test vectors, never production keys.
 * Errors: NOT_SUPPORTED, INVALID_ARG (another type, a length the type
 * does not have, params->key_length set), and those of
 * azihsm_key_generate().
 */
AZIHSM_API int azihsm_key_import_raw_test(struct azihsm_session *sess, uint32_t type,
					  const uint8_t *raw, size_t len,
					  const struct azihsm_key_params *params,
					  struct azihsm_key **keyp);

/* ---- Masked keys and attestation (spec/ddi.md 3.5.3, 3.5.4, 7.7, 7.11) ---- */

/*
 * UnmaskKey: re-import a key from a masked key blob (azihsm_key_masked())
 * made earlier by this partition, with the key's original usage, tag and
 * label.  App keys come back in any session, also after a device reset;
 * session keys only in the session that masked them (the blob is masked
 * with that session's key) and become keys of it again.  The new handle
 * carries the re-masked blob (fresh IV).
 * Errors: INVALID_ARG, BAD_BLOB (malformed, altered, or masked by another
 * partition or session), TAG_EXISTS (the tagged key still exists),
 * KEY_TYPE (the partition's RSA unwrapping key, or a type the library
 * does not know), VAULT_FULL, NO_SESSION, and those of azihsm_ddi_raw().
 */
AZIHSM_API int azihsm_key_unmask(struct azihsm_session *sess, const uint8_t *blob,
				 size_t len, struct azihsm_key **keyp);

#define AZIHSM_ATTEST_DATA_LEN		128	/* report data */
#define AZIHSM_ATTEST_REPORT_MAX	834
#define AZIHSM_ATTEST_UUID_LEN		16

/* Key flags of an attestation report (spec/ddi.md 4.12). */
#define AZIHSM_ATTEST_IMPORTED		(1u << 0)
#define AZIHSM_ATTEST_SESSION		(1u << 1)
#define AZIHSM_ATTEST_GENERATED		(1u << 2)
#define AZIHSM_ATTEST_ENCRYPT		(1u << 3)
#define AZIHSM_ATTEST_DECRYPT		(1u << 4)
#define AZIHSM_ATTEST_SIGN		(1u << 5)
#define AZIHSM_ATTEST_VERIFY		(1u << 6)
#define AZIHSM_ATTEST_WRAP		(1u << 7)
#define AZIHSM_ATTEST_UNWRAP		(1u << 8)
#define AZIHSM_ATTEST_DERIVE		(1u << 9)

/*
 * AttestKey: a COSE_Sign1 report (spec/ddi.md 7.11, 830-834 bytes) on the
 * key, signed by the partition identity key.  report_data (at most 128
 * bytes, may be NULL when len is 0) is zero-extended to 128 bytes.
 * Errors: INVALID_ARG, BUFFER_TOO_SMALL (*len says how much is needed),
 * KEY_NOT_FOUND, KEY_USAGE (another session's key), MALFORMED, NO_SESSION,
 * DDI, and those of azihsm_ddi_raw().
 */
AZIHSM_API int azihsm_key_attest(struct azihsm_key *key, const uint8_t *report_data,
				 size_t data_len, uint8_t *report, size_t cap,
				 size_t *len);

/* What an attestation report says (pointers are copies, not into it). */
struct azihsm_attest_info {
	uint32_t flags;				/* AZIHSM_ATTEST_* */
	uint8_t app_id[AZIHSM_ATTEST_UUID_LEN];	/* the credential id */
	uint8_t report_data[AZIHSM_ATTEST_DATA_LEN];
	uint8_t vm_launch_id[AZIHSM_ATTEST_UUID_LEN];
	/* ECC keys: the curve (1..3) and point 0x04 || X || Y; else 0. */
	uint32_t curve;
	uint8_t point[133];
	size_t point_len;
	/* The COSE_Key as reported (0 bytes for keys without public part). */
	uint8_t cose_key[525];
	size_t cose_key_len;
};

/*
 * Check a report: its structure (7.11), its ES384 signature against the
 * partition identity key of dev's certificate chain
 * (azihsm_partition_identity_key()) and, if expected_report_data is not
 * NULL, that it carries these 128 bytes.  out (may be NULL) receives the
 * fields.
 * Errors: INVALID_ARG, BAD_BLOB (not a report), VERIFY (signature or
 * report data mismatch), and those of azihsm_partition_identity_key().
 */
AZIHSM_API int azihsm_attest_verify(struct azihsm_dev *dev, const uint8_t *report,
				    size_t len, const uint8_t *expected_report_data,
				    struct azihsm_attest_info *out);

#define AZIHSM_CERT_MAX			2048	/* one DER certificate */

/*
 * The device's certificate chain (GetCertChainInfo, GetCertificate;
 * spec/ddi.md 7.12): *count is the number of certificates (root first,
 * the partition identity certificate last); certificate `index` (DER) is
 * copied to der when der is not NULL.  Index out of range: INVALID_ARG.
 * Errors: INVALID_ARG, BUFFER_TOO_SMALL (*len says how much is needed),
 * DDI, MALFORMED, and those of azihsm_ddi_raw().
 */
AZIHSM_API int azihsm_cert_get(struct azihsm_dev *dev, unsigned int index,
			       unsigned int *count, uint8_t *der, size_t cap,
			       size_t *len);

/* ---- AES fast path (spec/hardware.md 7, 9.8; spec/ddi.md 3.8.1, 4.4) ---- */

/*
 * Bulk keys (AZIHSM_KEY_AES_XTS_BULK, AZIHSM_KEY_AES_GCM_BULK,
 * AZIHSM_KEY_AES_GCM_BULK_UNAPPROVED: AES-256, made with
 * azihsm_key_generate() or found with azihsm_key_open()) live in the
 * device's fast-path key store and are used through its AES queues, not
 * through DDI: one command per call, with no 1024-byte limit.  A call
 * runs in the session of the key's handle, like the other key
 * operations: the driver checks the session id and the application's
 * short id, the device that the key belongs to them (a session key only
 * to its session).  Bulk keys cannot be used with azihsm_aes_cbc(), nor
 * other keys here (KEY_TYPE).
 *
 * GCM keys of type AZIHSM_KEY_AES_GCM_BULK get their encryption IVs from
 * the device (FIPS-approved use); AZIHSM_KEY_AES_GCM_BULK_UNAPPROVED keys
 * take the caller's.  Either way the IV used comes back and is what
 * decryption needs.
 *
 * Transports without a fast path (a custom transport whose aes_cmd is
 * NULL) fail these calls with NOT_SUPPORTED.  For a device failure,
 * azihsm_error.device_status holds the AES status (STS) and .ext_status
 * the device's error code (ERR, spec/hardware.md 7.7); for a driver
 * refusal .sys_errno and .ext_status are the driver's.
 */

/* azihsm_key_bulk_id() of a key that is not a bulk key. */
#define AZIHSM_NO_BULK_ID	UINT32_MAX
/* Lengths of the fast path. */
#define AZIHSM_GCM_IV_LEN	12
#define AZIHSM_GCM_TAG_LEN	16
#define AZIHSM_XTS_TWEAK_LEN	16
/* Most data (and, for GCM, most AAD) one call takes: 16 MiB. */
#define AZIHSM_AES_FAST_MAX_LEN	(16u << 20)

/*
 * The fast-path id of a bulk key (spec/ddi.md 4.4: slot in bits 0-2,
 * table in bits 3-9), AZIHSM_NO_BULK_ID for other keys and NULL.
 */
AZIHSM_API uint32_t azihsm_key_bulk_id(const struct azihsm_key *key);

/*
 * AES-GCM encryption of len bytes (0..AZIHSM_AES_FAST_MAX_LEN) of pt into
 * ct (len bytes; may be pt), authenticating aad (aad_len bytes, may be 0)
 * as well.  tag receives the 16-byte tag, iv_out the 12-byte IV used.
 * iv_in is the IV for an AZIHSM_KEY_AES_GCM_BULK_UNAPPROVED key (never
 * use one twice with the same key) and is ignored, and may be NULL, for
 * an AZIHSM_KEY_AES_GCM_BULK key, whose IV the device chooses.  The
 * result is standard AES-GCM (NIST SP 800-38D, 96-bit IV).  On failure
 * ct, tag and iv_out are not written.
 * Errors: INVALID_ARG (a NULL buffer with a non-zero length, a length
 * above the limit), KEY_TYPE (not a GCM bulk key), KEY_NOT_FOUND (the key
 * was deleted), KEY_USAGE (another session's or application's key),
 * NO_SESSION, SESSION_MISMATCH, NOT_SUPPORTED, NO_MEMORY, DEVICE, DRIVER,
 * BUSY, TIMEOUT, PERMISSION, NO_DEVICE.
 */
AZIHSM_API int azihsm_aes_gcm_encrypt(struct azihsm_key *key,
				      const uint8_t iv_in[AZIHSM_GCM_IV_LEN],
				      const uint8_t *aad, size_t aad_len,
				      const uint8_t *pt, size_t len, uint8_t *ct,
				      uint8_t tag[AZIHSM_GCM_TAG_LEN],
				      uint8_t iv_out[AZIHSM_GCM_IV_LEN]);

/*
 * AES-GCM decryption of len bytes of ct into pt (len bytes; may be ct)
 * with the IV and tag encryption returned and the same aad.  When the
 * tag does not match: AUTH_FAILED.  Nothing of the plaintext reaches pt
 * unless the tag matched: on any failure pt is zeroed (unless it is ct,
 * which is then left as it was).  Any GCM bulk key type; iv is always
 * used.
 * Errors: AUTH_FAILED, and those of azihsm_aes_gcm_encrypt().
 */
AZIHSM_API int azihsm_aes_gcm_decrypt(struct azihsm_key *key,
				      const uint8_t iv[AZIHSM_GCM_IV_LEN],
				      const uint8_t *aad, size_t aad_len,
				      const uint8_t *ct, size_t len,
				      const uint8_t tag[AZIHSM_GCM_TAG_LEN],
				      uint8_t *pt);

/*
 * AES-XTS (IEEE 1619) with two different AZIHSM_KEY_AES_XTS_BULK keys
 * of the same handle: key1 encrypts the data, key2 the tweak.  in is
 * len bytes, a non-zero multiple of 16 and of data_unit, at most
 * AZIHSM_AES_FAST_MAX_LEN; out receives len bytes (may be in).
 * data_unit is 512, 4096 or 8192 for a sequence of data units, the first
 * with the tweak given and each next one with the tweak plus one (as a
 * 128-bit little-endian number), or 0 for one data unit of len bytes.
 * There is no ciphertext stealing.  On failure out is zeroed (unless it
 * is in, which is then left as it was).
 * Errors: INVALID_ARG (lengths, data_unit, key1 == key2, keys of two
 * handles), and those of azihsm_aes_gcm_encrypt().
 */
AZIHSM_API int azihsm_aes_xts(struct azihsm_key *key1, struct azihsm_key *key2,
			      bool encrypt, uint32_t data_unit,
			      const uint8_t tweak[AZIHSM_XTS_TWEAK_LEN],
			      const uint8_t *in, size_t len, uint8_t *out);

/*
 * The FIPS service indicator of the calling thread's last fast-path call
 * (azihsm_aes_gcm_encrypt(), azihsm_aes_gcm_decrypt(), azihsm_aes_xts()):
 * true if the device reported that operation FIPS-approved (an approved
 * GCM key or XTS, in a module in its approved state).  Each of those
 * calls sets it, false when the command did not reach the device; the
 * device also reports it for commands that failed.  Other calls leave it.
 */
AZIHSM_API bool azihsm_aes_fips_approved(void);

/* ---- RSA and key import (spec/ddi.md 3.6, 7.8) ---- */

#define AZIHSM_KEY_RSA_2048		1	/* RSA private keys (non-CRT form) */
#define AZIHSM_KEY_RSA_3072		2
#define AZIHSM_KEY_RSA_4096		3
#define AZIHSM_KEY_RSA_2048_CRT		4	/* the same, stored in CRT form */
#define AZIHSM_KEY_RSA_3072_CRT		5
#define AZIHSM_KEY_RSA_4096_CRT		6

/* What azihsm_key_import() is given (the DDI key classes of 4.2). */
enum azihsm_key_class {
	AZIHSM_CLASS_RSA		= 1,	/* PKCS#8 DER RSA private key */
	AZIHSM_CLASS_RSA_CRT		= 2,	/* the same, kept in CRT form */
	AZIHSM_CLASS_AES		= 3,	/* raw 16/24/32-byte key */
	AZIHSM_CLASS_AES_XTS_BULK	= 4,	/* raw 32-byte bulk keys */
	AZIHSM_CLASS_AES_GCM_BULK	= 5,
	AZIHSM_CLASS_AES_GCM_BULK_UNAPPROVED = 6,
	AZIHSM_CLASS_ECC		= 7,	/* PKCS#8 DER EC private key */
};

/*
 * The partition's RSA-2048 unwrapping key (GetUnwrappingKey), as DER
 * SubjectPublicKeyInfo into der (*len: size written, or needed with
 * BUFFER_TOO_SMALL).  Errors: INVALID_ARG, NO_SESSION, BUFFER_TOO_SMALL,
 * MALFORMED, DDI, and those of azihsm_ddi_raw().
 */
AZIHSM_API int azihsm_unwrapping_key(struct azihsm_session *sess, uint8_t *der,
				     size_t cap, size_t *len);

/*
 * Import a clear key into the vault: the library wraps it for the device
 * (7.8.2: a random AES-256 KEK, RSA-OAEP-SHA-256 under the unwrapping key,
 * AES-KWP of the key) and sends RsaUnwrap.  key_class says what data is;
 * params as for azihsm_key_generate() (RSA: SIGN_VERIFY (default) or
 * ENCRYPT_DECRYPT; ECC: SIGN_VERIFY (default) or DERIVE; AES:
 * ENCRYPT_DECRYPT).  Imported keys carry no "local" flag.
 * Errors: INVALID_ARG, NO_SESSION, NO_MEMORY, KEY_USAGE, KEY_TYPE,
 * DDI (e.g. DerDecodeFailed for a key the device does not take), and those
 * of azihsm_key_generate().
 */
AZIHSM_API int azihsm_key_import(struct azihsm_session *sess, const uint8_t *data,
				 size_t len, uint32_t key_class,
				 const struct azihsm_key_params *params,
				 struct azihsm_key **keyp);

enum azihsm_rsa_padding {
	AZIHSM_RSA_PKCS1_V15		= 1,	/* signatures and decryption */
	AZIHSM_RSA_PSS			= 2,	/* signatures: MGF1, salt = hash length */
	AZIHSM_RSA_OAEP			= 3,	/* decryption: MGF1 same hash, empty label */
};

/*
 * Sign a digest (its length must be that of hash) with an RSA key of
 * SIGN_VERIFY usage: the encoding (PKCS#1 v1.5 with DigestInfo, or PSS)
 * is made on the host, the private-key operation (RsaModExp) on the
 * device.  sig receives the modulus length (*sig_len; cap smaller:
 * BUFFER_TOO_SMALL with the size needed).
 * Errors: INVALID_ARG, KEY_TYPE, BUFFER_TOO_SMALL, KEY_USAGE, DDI,
 * NO_SESSION, and those of azihsm_ddi_raw().
 */
AZIHSM_API int azihsm_rsa_sign(struct azihsm_key *key, enum azihsm_hash hash,
			       const uint8_t *digest, size_t digest_len,
			       enum azihsm_rsa_padding pad, uint8_t *sig, size_t cap,
			       size_t *sig_len);

/*
 * Decrypt a ciphertext of exactly the modulus length with an RSA key of
 * ENCRYPT_DECRYPT usage: RsaModExp on the device, padding removed on the
 * host (OAEP with hash for both digests and an empty label, or PKCS#1
 * v1.5).  A padding failure is BAD_PADDING, whatever went wrong, and
 * nothing of the plaintext is handed out.
 * Errors: INVALID_ARG (lengths, ciphertext not below the modulus),
 * BAD_PADDING, BUFFER_TOO_SMALL, and those of azihsm_rsa_sign().
 */
AZIHSM_API int azihsm_rsa_decrypt(struct azihsm_key *key, enum azihsm_rsa_padding pad,
				  enum azihsm_hash hash, const uint8_t *ct, size_t ct_len,
				  uint8_t *out, size_t cap, size_t *out_len);

#ifdef __cplusplus
}
#endif

#endif /* LIBAZIHSM_H */
