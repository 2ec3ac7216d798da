/* SPDX-License-Identifier: MIT */
/*
 * libazihsm transports: how a device handle reaches a device.
 *
 * azihsm_open() uses the ioctl transport (/dev/azihsmN through azihsm.ko).
 * A program may instead supply its own transport, e.g. a fake device in a
 * unit test or an in-process firmware core, and get an ordinary handle on
 * it with azihsm_open_transport().  The library never substitutes a
 * custom transport for a device on its own: only a caller that explicitly
 * calls azihsm_open_transport() gets one, and azihsm_dev_path() of such a
 * handle reads "transport:NAME".
 *
 * The library calls the ops of one handle with that handle's lock held, so
 * a transport used by one handle need not be thread-safe.
 */
#ifndef LIBAZIHSM_TRANSPORT_H
#define LIBAZIHSM_TRANSPORT_H

#include "libazihsm.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Queue-level session flags of a command (spec/hardware.md 6.2). */
#define AZIHSM_TRANSPORT_SESS_KIND_MASK	0x03	/* AZIHSM_SESSION_* */
#define AZIHSM_TRANSPORT_SESS_ID_VALID	0x04

/* One HSM command: a DDI request out, a response back. */
struct azihsm_transport_cmd {
	/* Set by the library. */
	uint8_t session_flags;		/* AZIHSM_TRANSPORT_SESS_* */
	uint16_t session_id;
	const void *req;		/* 1..AZIHSM_MAX_REQUEST bytes */
	size_t req_len;
	void *resp;			/* 1..AZIHSM_MAX_RESPONSE bytes */
	size_t resp_cap;

	/* Set by the transport (the library zeroes them first). */
	uint32_t device_status;		/* completion status, 0 = response produced */
	size_t resp_len;		/* response bytes; may exceed resp_cap only to
					 * report the size needed (nothing beyond
					 * resp_cap is written) */
	uint32_t ext_status;		/* driver detail when hsm_cmd fails */
};

/* AES fast-path cipher and direction (spec/hardware.md 7.2, 9.8). */
#define AZIHSM_TRANSPORT_AES_GCM	0
#define AZIHSM_TRANSPORT_AES_XTS	1
#define AZIHSM_TRANSPORT_AES_ENCRYPT	0
#define AZIHSM_TRANSPORT_AES_DECRYPT	1

/*
 * One AES fast-path command: what the driver's AES ioctls take and give
 * (spec/hardware.md 9.8), with plain pointers.
 */
struct azihsm_transport_aes_cmd {
	/* Set by the library. */
	uint8_t cipher;			/* AZIHSM_TRANSPORT_AES_GCM / _XTS */
	uint8_t op;			/* AZIHSM_TRANSPORT_AES_ENCRYPT / _DECRYPT */
	const void *src;
	uint32_t src_len;
	void *dst;
	uint32_t dst_len;
	uint16_t session_id;		/* the handle's session */
	uint8_t short_app_id;		/* and its application's short id */
	union {
		struct {
			uint32_t key_id;	/* bulk key id (spec/ddi.md 4.4) */
			uint8_t tag[16];	/* decrypt: the expected tag */
			uint8_t iv[12];
			uint32_t actual_aad_len;
			uint32_t aligned_aad_len;	/* multiple of 32 */
			bool tail_protocol;	/* enable_gcm_workaround (7.10) */
		} gcm;
		struct {
			uint8_t data_unit;	/* 0 whole, 1 = 512, 2 = 4096, 3 = 8192 */
			uint32_t key_id1;	/* data key */
			uint32_t key_id2;	/* tweak key */
			uint8_t tweak[16];
		} xts;
	};

	/* Set by the transport (the library zeroes them first). */
	uint32_t result;		/* the device's STS (7.7), 0 = success */
	uint32_t ext_status;		/* ERR (7.7), or the driver's code */
	uint32_t byte_count;		/* output bytes */
	uint8_t tag_out[16];		/* GCM encrypt: the tag */
	uint8_t iv_out[12];		/* GCM encrypt: the IV used */
	bool fips_approved;		/* the device's service indicator */
	int sys_errno;			/* errno the driver gave with a device
					 * result (EBADMSG for a GCM tag
					 * mismatch), 0 if none */
};

struct azihsm_transport_ops {
	/* Short name shown by azihsm_dev_path() as "transport:NAME". */
	const char *name;
	/*
	 * Execute one command.  Return 0 when the device completed it (with
	 * any device_status), or a negative errno as the driver's ioctl would
	 * (-EACCES, -EAGAIN, -EINVAL, ...) with ext_status set.
	 */
	int (*hsm_cmd)(void *ctx, struct azihsm_transport_cmd *cmd);
	/* Fill *id (zeroed by the library).  0 or a negative errno. */
	int (*dev_info)(void *ctx, struct azihsm_identity *id);
	/* Release ctx; called once, by azihsm_close().  May be NULL. */
	void (*close)(void *ctx);
	/*
	 * Execute one AES fast-path command.  Return 0 when the device
	 * completed it (result and ext_status then hold its STS and ERR,
	 * which may be failures), or a negative errno when the driver
	 * refused or failed it (ext_status set, e.g. -EINVAL with
	 * AZIHSM_EXT_AES_SESSION_ID_MISMATCH).  NULL: the transport has no
	 * fast path (the library's AES fast-path calls fail with
	 * AZIHSM_ERR_NOT_SUPPORTED).
	 */
	int (*aes_cmd)(void *ctx, struct azihsm_transport_aes_cmd *cmd);
};

/*
 * Create a handle on a custom transport.  ops (which must stay valid for
 * the handle's life) needs hsm_cmd and dev_info.  On success the handle
 * owns ctx and azihsm_close() passes it to ops->close; on failure ctx stays
 * the caller's and *devp is NULL.
 * Errors: INVALID_ARG, NO_MEMORY.
 */
AZIHSM_API int azihsm_open_transport(const struct azihsm_transport_ops *ops,
				     void *ctx, struct azihsm_dev **devp);

/*
 * The same, with the name azihsm_dev_path() reports chosen by the caller:
 * "SCHEME:NAME" with a non-empty scheme (e.g. "emulated:SERIAL"), never a
 * path, so that no output can pass the handle off as a device node.
 * Errors: INVALID_ARG (also for a label of another form), NO_MEMORY.
 */
AZIHSM_API int azihsm_open_transport_labelled(const struct azihsm_transport_ops *ops,
					      void *ctx, const char *label,
					      struct azihsm_dev **devp);

#ifdef __cplusplus
}
#endif

#endif /* LIBAZIHSM_TRANSPORT_H */
