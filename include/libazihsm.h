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
	AZIHSM_ERR_LAST			= AZIHSM_ERR_VERIFY,
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

#ifdef __cplusplus
}
#endif

#endif /* LIBAZIHSM_H */
