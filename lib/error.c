// SPDX-License-Identifier: MIT
/*
 * Status codes, the per-thread last-call record and error messages.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <uapi/azihsm.h>

#include "azihsm/hw.h"
#include "lib_internal.h"

/* Like errno: per thread, so threads sharing a handle see their own. */
static _Thread_local struct azihsm_error last_error;

struct azihsm_error *lib_err_cur(void)
{
	return &last_error;
}

void lib_err_reset(void)
{
	memset(&last_error, 0, sizeof(last_error));
}

int lib_err_set(int status)
{
	last_error.status = status;
	return status;
}

/*
 * A failed system call, with the driver's extended status when there is
 * one.  A timed-out command comes back as -EAGAIN with "aborted", which
 * callers handle differently from the "retry later" cases of -EAGAIN.
 */
int lib_err_from_errno(int sys_errno, uint32_t ext_status)
{
	int status;

	switch (sys_errno) {
	case EACCES:
	case EPERM:
		status = AZIHSM_ERR_PERMISSION;
		break;
	case ENOENT:
	case ENODEV:
	case ENXIO:
		status = AZIHSM_ERR_NO_DEVICE;
		break;
	case EAGAIN:
		status = ext_status == AZIHSM_EXT_ABORTED ?
			 AZIHSM_ERR_TIMEOUT : AZIHSM_ERR_BUSY;
		break;
	case ETIMEDOUT:
		status = AZIHSM_ERR_TIMEOUT;
		break;
	case ENOMEM:
		status = AZIHSM_ERR_NO_MEMORY;
		break;
	case ENOTTY:
	case EBADRQC:
	case EOPNOTSUPP:
		status = AZIHSM_ERR_NOT_SUPPORTED;
		break;
	case EPROTO:
		status = AZIHSM_ERR_MALFORMED;
		break;
	default:
		status = AZIHSM_ERR_DRIVER;
		break;
	}
	/* The driver's session refusals come as EINVAL with their own status. */
	if (sys_errno == EINVAL) {
		switch (ext_status) {
		case AZIHSM_EXT_SESSION_LIMIT_REACHED:
			status = AZIHSM_ERR_SESSION_EXISTS;
			break;
		case AZIHSM_EXT_NO_EXISTING_SESSION:
			status = AZIHSM_ERR_NO_SESSION;
			break;
		case AZIHSM_EXT_SESSION_ID_MISMATCH:
		case AZIHSM_EXT_AES_SESSION_ID_MISMATCH:
		case AZIHSM_EXT_AES_SHORT_APP_ID_MISMATCH:
			status = AZIHSM_ERR_SESSION_MISMATCH;
			break;
		case AZIHSM_EXT_AES_NO_SESSION:
		case AZIHSM_EXT_AES_NO_SHORT_APP_ID:
			status = AZIHSM_ERR_NO_SESSION;
			break;
		case AZIHSM_EXT_AES_NO_QUEUES:
			status = AZIHSM_ERR_NOT_SUPPORTED;
			break;
		}
	}
	last_error.sys_errno = sys_errno;
	last_error.ext_status = ext_status;
	return lib_err_set(status);
}

/*
 * A DDI error response.  The statuses a caller acts on get their own code;
 * the DDI status is recorded either way.
 */
int lib_err_from_ddi(uint32_t ddi_status)
{
	int status;

	switch (ddi_status) {
	case AZIHSM_DDI_STATUS_INVALID_APP_CREDENTIALS:
		status = AZIHSM_ERR_WRONG_PIN;
		break;
	case AZIHSM_DDI_STATUS_LOGIN_FAILED:
		status = AZIHSM_ERR_PIN_LOCKED;
		break;
	case AZIHSM_DDI_STATUS_VAULT_SESSION_LIMIT_REACHED:
		status = AZIHSM_ERR_SESSION_LIMIT;
		break;
	case AZIHSM_DDI_STATUS_SESSION_NOT_FOUND:
		status = AZIHSM_ERR_NO_SESSION;
		break;
	case AZIHSM_DDI_STATUS_SESSION_NEEDS_RENEGOTIATION:
		status = AZIHSM_ERR_SESSION_RENEGOTIATE;
		break;
	case AZIHSM_DDI_STATUS_VAULT_APP_LIMIT_REACHED:
	case AZIHSM_DDI_STATUS_PARTITION_ALREADY_PROVISIONED:
		status = AZIHSM_ERR_ALREADY_PROVISIONED;
		break;
	case AZIHSM_DDI_STATUS_CREDENTIALS_NOT_ESTABLISHED:
	case AZIHSM_DDI_STATUS_PARTITION_NOT_PROVISIONED:
		status = AZIHSM_ERR_NOT_PROVISIONED;
		break;
	case AZIHSM_DDI_STATUS_ECC_VERIFY_FAILED:
		status = AZIHSM_ERR_VERIFY;
		break;
	case AZIHSM_DDI_STATUS_KEY_NOT_FOUND:
		status = AZIHSM_ERR_KEY_NOT_FOUND;
		break;
	case AZIHSM_DDI_STATUS_INVALID_PERMISSIONS:
		status = AZIHSM_ERR_KEY_USAGE;
		break;
	case AZIHSM_DDI_STATUS_INVALID_KEY_TYPE:
	case AZIHSM_DDI_STATUS_UNMASK_UNWRAPPING_KEY_NOT_ALLOWED:
		status = AZIHSM_ERR_KEY_TYPE;
		break;
	case AZIHSM_DDI_STATUS_NOT_ENOUGH_SPACE:
	case AZIHSM_DDI_STATUS_DEFRAGMENTATION_NEEDED:
	case AZIHSM_DDI_STATUS_REACHED_MAX_KEYS:
	case AZIHSM_DDI_STATUS_REACHED_MAX_AES_BULK_KEYS:
		status = AZIHSM_ERR_VAULT_FULL;
		break;
	case AZIHSM_DDI_STATUS_KEY_TAG_ALREADY_EXISTS:
		status = AZIHSM_ERR_TAG_EXISTS;
		break;
	case AZIHSM_DDI_STATUS_MASKED_KEY_DECODE_FAILED:
		status = AZIHSM_ERR_BAD_BLOB;
		break;
	case AZIHSM_DDI_STATUS_ECC_POINT_VALIDATION_FAILED:
	case AZIHSM_DDI_STATUS_ECC_PUBLIC_KEY_VALIDATION_FAILED:
	case AZIHSM_DDI_STATUS_ECC_DER_KEY_SHORTER_THAN_CURVE:
		status = AZIHSM_ERR_INVALID_KEY;
		break;
	case AZIHSM_DDI_STATUS_UNSUPPORTED_CMD:
		status = AZIHSM_ERR_NOT_SUPPORTED;
		break;
	/* A digest longer than the curve's order allows (EccSign in FIPS
	 * mode): the caller's choice of hash, not a device fault. */
	case AZIHSM_DDI_STATUS_DIGEST_HASH_MISMATCH_WITH_ECC_CURVE:
		status = AZIHSM_ERR_INVALID_ARG;
		break;
	default:
		status = AZIHSM_ERR_DDI;
		break;
	}
	last_error.ddi_status = ddi_status;
	return lib_err_set(status);
}

void azihsm_last_error(struct azihsm_error *err)
{
	if (err)
		*err = last_error;
}

const char *azihsm_strerror(int status)
{
	switch ((enum azihsm_status)status) {
	case AZIHSM_OK:			return "success";
	case AZIHSM_ERR_INVALID_ARG:	return "invalid argument";
	case AZIHSM_ERR_NO_DEVICE:	return "no such device";
	case AZIHSM_ERR_PERMISSION:	return "permission denied";
	case AZIHSM_ERR_BUSY:		return "device busy, try again";
	case AZIHSM_ERR_TIMEOUT:	return "command timed out";
	case AZIHSM_ERR_DEVICE:		return "device error";
	case AZIHSM_ERR_DRIVER:		return "driver error";
	case AZIHSM_ERR_DDI:		return "DDI error";
	case AZIHSM_ERR_MALFORMED:	return "malformed response";
	case AZIHSM_ERR_BUFFER_TOO_SMALL: return "buffer too small";
	case AZIHSM_ERR_NO_MEMORY:	return "out of memory";
	case AZIHSM_ERR_NOT_SUPPORTED:	return "operation not supported by this device";
	case AZIHSM_ERR_WRONG_PIN:	return "wrong PIN";
	case AZIHSM_ERR_PIN_LOCKED:	return "PIN locked out";
	case AZIHSM_ERR_SESSION_LIMIT:	return "session limit reached (8 sessions open)";
	case AZIHSM_ERR_SESSION_EXISTS:	return "handle already has a session";
	case AZIHSM_ERR_NO_SESSION:	return "no session";
	case AZIHSM_ERR_SESSION_MISMATCH: return "session id does not belong to this handle";
	case AZIHSM_ERR_ALREADY_PROVISIONED: return "partition already provisioned";
	case AZIHSM_ERR_NOT_PROVISIONED: return "partition not provisioned";
	case AZIHSM_ERR_VERIFY:		return "signature verification failed";
	case AZIHSM_ERR_KEY_NOT_FOUND:	return "key not found";
	case AZIHSM_ERR_KEY_USAGE:	return "key usage does not allow this operation";
	case AZIHSM_ERR_KEY_TYPE:	return "wrong key type for this operation";
	case AZIHSM_ERR_VAULT_FULL:	return "key vault full";
	case AZIHSM_ERR_TAG_EXISTS:	return "key tag already in use";
	case AZIHSM_ERR_INVALID_KEY:	return "invalid public key";
	case AZIHSM_ERR_BAD_PADDING:	return "bad padding";
	case AZIHSM_ERR_SESSION_RENEGOTIATE:
		return "session must be reopened (device migrated)";
	case AZIHSM_ERR_AUTH_FAILED:
		return "authentication failed (GCM tag mismatch)";
	case AZIHSM_ERR_BAD_BLOB:
		return "masked key blob or attestation report rejected";
	}
	return "unknown error";
}

const char *azihsm_ddi_status_name(uint32_t ddi_status)
{
	return ddi_status_name(ddi_status);
}

const char *azihsm_ddi_op_name(uint32_t ddi_op)
{
	return ddi_op_name(ddi_op);
}

static const char *ext_status_text(uint32_t ext)
{
	switch (ext) {
	case AZIHSM_EXT_NO_MEMORY:		return "driver out of memory";
	case AZIHSM_EXT_INVALID_CMDSET:		return "invalid command set";
	case AZIHSM_EXT_INPUT_ABOVE_8K:		return "request above 8 KiB";
	case AZIHSM_EXT_OUTPUT_ABOVE_8K:	return "response buffer above 8 KiB";
	case AZIHSM_EXT_INVALID_INPUT_BUFFER:	return "invalid request buffer";
	case AZIHSM_EXT_INVALID_OUTPUT_BUFFER:	return "invalid response buffer";
	case AZIHSM_EXT_DEVICE_ERROR:		return "controller not ready";
	case AZIHSM_EXT_SESSION_LIMIT_REACHED:	return "handle already has a session";
	case AZIHSM_EXT_NO_EXISTING_SESSION:	return "no session on this handle";
	case AZIHSM_EXT_SESSION_ID_MISMATCH:	return "session id mismatch";
	case AZIHSM_EXT_ABORT_IN_PROGRESS:	return "abort in progress";
	case AZIHSM_EXT_ABORTED:		return "command aborted";
	case AZIHSM_EXT_NO_QUEUE:		return "no queue available";
	case AZIHSM_EXT_AES_NO_MEMORY:		return "driver out of memory";
	case AZIHSM_EXT_AES_INVALID_INPUT_BUFFER: return "invalid source buffer";
	case AZIHSM_EXT_AES_INVALID_OUTPUT_BUFFER: return "invalid destination buffer";
	case AZIHSM_EXT_AES_DEVICE_ERROR:	return "device error";
	case AZIHSM_EXT_AES_SESSION_ID_MISMATCH: return "session id mismatch";
	case AZIHSM_EXT_AES_SHORT_APP_ID_MISMATCH: return "short app id mismatch";
	case AZIHSM_EXT_AES_NO_SESSION:		return "no session on this handle";
	case AZIHSM_EXT_AES_NO_SHORT_APP_ID:	return "no short app id on this handle";
	case AZIHSM_EXT_AES_NO_QUEUES:		return "no AES queues";
	case AZIHSM_EXT_AES_INVALID_CIPHER:	return "invalid cipher";
	case AZIHSM_EXT_AES_INVALID_FRAME_TYPE:	return "invalid frame type";
	case AZIHSM_EXT_AES_INVALID_OPCODE:	return "invalid AES opcode";
	case AZIHSM_EXT_AES_GCM_VALIDATION:	return "GCM lengths refused";
	case AZIHSM_EXT_AES_XTS_VALIDATION:	return "XTS lengths refused";
	}
	return NULL;
}

static const char *device_status_text(uint32_t sc)
{
	switch (sc) {
	case AZIHSM_HSM_SC_INVALID_OPCODE:	return "invalid opcode";
	case AZIHSM_HSM_SC_INVALID_FIELD:	return "invalid field";
	case AZIHSM_HSM_SC_INTERNAL_ERROR:	return "internal error";
	case AZIHSM_HSM_SC_INVALID_PSDT:	return "invalid PSDT";
	case AZIHSM_HSM_SC_INVALID_SRC_LEN:	return "invalid request length";
	case AZIHSM_HSM_SC_INVALID_DST_LEN:	return "invalid response length";
	case AZIHSM_HSM_SC_INVALID_SRC_PRP:	return "invalid request PRP";
	case AZIHSM_HSM_SC_INVALID_DST_PRP:	return "invalid response PRP";
	case AZIHSM_HSM_SC_DMA_EMPTY:		return "DMA completion empty";
	case AZIHSM_HSM_SC_DMA_TXN_ERROR:	return "DMA transaction error";
	case AZIHSM_HSM_SC_DMA_TAG_MISMATCH:	return "DMA tag mismatch";
	case AZIHSM_HSM_SC_REQ_HDR_DECODE:	return "request header decode error";
	case AZIHSM_HSM_SC_DMA_START_ERROR:	return "DMA start error";
	}
	return NULL;
}

/* snprintf that appends at *pos and remembers truncation. */
struct text {
	char *buf;
	size_t cap;
	size_t pos;
	bool truncated;
};

__attribute__((format(printf, 2, 3)))
static void text_add(struct text *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (t->truncated)
		return;
	va_start(ap, fmt);
	n = vsnprintf(t->buf + t->pos, t->cap - t->pos, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= t->cap - t->pos) {
		t->truncated = true;
		return;
	}
	t->pos += (size_t)n;
}

/* " (name)" when the code has one. */
static void text_add_name(struct text *t, const char *name)
{
	if (name)
		text_add(t, " (%s)", name);
}

int azihsm_error_format(const struct azihsm_error *err, char *buf, size_t cap)
{
	struct text t = { .buf = buf, .cap = cap };
	const char *name;

	if (!buf || !cap)
		return AZIHSM_ERR_INVALID_ARG;
	if (!err)
		err = &last_error;
	buf[0] = '\0';

	if (err->ddi_op)
		text_add(&t, "%s: ", ddi_op_name(err->ddi_op));
	text_add(&t, "%s", azihsm_strerror(err->status));
	switch (err->status) {
	case AZIHSM_ERR_DDI:
		name = ddi_status_name(err->ddi_status);
		text_add(&t, " %s (0x%08x)", name ? name : "unknown",
			 err->ddi_status);
		break;
	case AZIHSM_ERR_DEVICE:
		text_add(&t, ": completion status 0x%03x", err->device_status);
		/* Only the AES fast path reports an ERR beside its STS. */
		if (err->ext_status)
			text_add(&t, ", AES error 0x%x", err->ext_status);
		else
			text_add_name(&t, device_status_text(err->device_status));
		break;
	case AZIHSM_ERR_DRIVER:
	case AZIHSM_ERR_BUSY:
	case AZIHSM_ERR_TIMEOUT:
	case AZIHSM_ERR_NOT_SUPPORTED:
	case AZIHSM_ERR_SESSION_EXISTS:
	case AZIHSM_ERR_NO_SESSION:
	case AZIHSM_ERR_SESSION_MISMATCH:
		/* A status the device gave: "no session (SessionNotFound)". */
		if (err->ddi_status)
			text_add_name(&t, ddi_status_name(err->ddi_status));
		if (err->sys_errno)
			text_add(&t, ": %s", strerror(err->sys_errno));
		if (err->ext_status) {
			text_add(&t, ", extended status 0x%x", err->ext_status);
			text_add_name(&t, ext_status_text(err->ext_status));
		}
		break;
	default:
		/* The DDI statuses with a code of their own: "wrong PIN
		 * (InvalidAppCredentials)"; library-detected ones have none. */
		if (err->ddi_status)
			text_add_name(&t, ddi_status_name(err->ddi_status));
		break;
	}
	return t.truncated ? AZIHSM_ERR_BUFFER_TOO_SMALL : AZIHSM_OK;
}
