/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * Userspace ABI of /dev/azihsmN.  Numbers, sizes and offsets match the
 * reference Azure Integrated HSM Linux driver (spec/hardware.md section 9),
 * so software written for it runs unchanged.
 *
 * Every structure starts with its own size (szioctldata / argsz); the
 * driver accepts any size at least as large as the structure it knows and
 * never reads or writes beyond that.
 */
#ifndef _UAPI_AZIHSM_H
#define _UAPI_AZIHSM_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define AZIHSM_IOCTL_MAGIC	'B'

/* Common 16-byte header of the HSM, reset and AES ioctls. */
struct azihsm_ioctl_hdr {
	__u32	szioctldata;	/* total size of the argument */
	__u32	appcmdid;	/* opaque to the driver */
	__u32	timeout;	/* ignored */
	__u32	flags;		/* ignored, 0 */
};

/* Session opcodes in azihsm_hsm_cmd_in.session_flags bits 1:0. */
#define AZIHSM_IOCTL_SESS_NONE		0
#define AZIHSM_IOCTL_SESS_OPEN		1
#define AZIHSM_IOCTL_SESS_CLOSE		2
#define AZIHSM_IOCTL_SESS_IN_SESSION	3
#define AZIHSM_IOCTL_SESS_OPCODE_MASK	0x03
#define AZIHSM_IOCTL_SESS_ID_VALID	0x04

struct azihsm_hsm_cmd_in {
	__u64	ctxt;		/* echoed into out.ctxt */
	__u16	opc;		/* HSM opcode, 0 = generic DDI */
	__u16	cmdset;		/* must be 0 */
	__u8	psdt;		/* ignored */
	__u8	rsvd0[3];
	__u32	src_length;	/* <= 8192 */
	__u32	rsvd1;
	__u64	src_buf;	/* user pointer, 0 iff src_length == 0 */
	__u32	dst_length;	/* <= 8192 */
	__u32	rsvd2;
	__u64	dst_buf;	/* user pointer, 0 iff dst_length == 0 */
	union {
		struct {
			__u8	session_flags;
			__u8	rsvd;
			__u16	session_id;
			__u8	rsvd2[16];
		} session;
		__u8	val[20];
	} u;
	__u32	rsvd3;
};

struct azihsm_hsm_cmd_out {
	__u64	ctxt;
	__u32	status;		/* HSM CQE 11-bit status, 0 = transport success */
	__u32	byte_count;	/* response bytes copied to dst_buf */
	__u32	ext_status;	/* driver error detail (AZIHSM_EXT_*) */
	__u32	rsvd;
};

struct azihsm_hsm_cmd {
	struct azihsm_ioctl_hdr		hdr;
	struct azihsm_hsm_cmd_in	in;
	struct azihsm_hsm_cmd_out	out;
};

/* Control-path extended status (out.ext_status). */
#define AZIHSM_EXT_NO_MEMORY			1
#define AZIHSM_EXT_INVALID_CMDSET		2
#define AZIHSM_EXT_INPUT_ABOVE_8K		3
#define AZIHSM_EXT_OUTPUT_ABOVE_8K		4
#define AZIHSM_EXT_INVALID_INPUT_BUFFER		5
#define AZIHSM_EXT_INVALID_OUTPUT_BUFFER	7
#define AZIHSM_EXT_DEVICE_ERROR			10
#define AZIHSM_EXT_SESSION_LIMIT_REACHED	11
#define AZIHSM_EXT_NO_EXISTING_SESSION		12
#define AZIHSM_EXT_SESSION_ID_MISMATCH		14
#define AZIHSM_EXT_ABORT_IN_PROGRESS		0x04000001
#define AZIHSM_EXT_ABORTED			0x04000002
#define AZIHSM_EXT_NO_QUEUE			0x0400000A

/* GET_DEV_INFO: 176 bytes, the driver reads and writes the first 175. */
struct azihsm_dev_info {
	__u32	argsz;
	__u16	id;			/* Identify CTRL_ID */
	char	pci_info[33];		/* e.g. "0000:00:03.0" */
	char	serial_num[33];
	char	model_num[5];		/* all zero */
	char	firmware_rev[33];
	char	driver_rev[16];
	__u8	rsvd[17];		/* left as supplied */
	__u8	device_entropy[32];	/* new random bytes per controller init */
	__u8	pad;
};

#define AZIHSM_IOCTL_HSM_CMD_LEGACY \
	_IOWR(AZIHSM_IOCTL_MAGIC, 0x02, struct azihsm_hsm_cmd)
#define AZIHSM_IOCTL_HSM_CMD \
	_IOWR(AZIHSM_IOCTL_MAGIC, 0x03, struct azihsm_hsm_cmd)
#define AZIHSM_IOCTL_GET_DEV_INFO \
	_IOWR(AZIHSM_IOCTL_MAGIC, 0x04, struct azihsm_dev_info)

/* ---- AES fast path ioctls (hardware.md 9.8): 400 bytes ---- */

#define AZIHSM_AES_OP_ENCRYPT		0
#define AZIHSM_AES_OP_DECRYPT		1
#define AZIHSM_AES_CIPHER_GCM		0
#define AZIHSM_AES_CIPHER_XTS		1

struct azihsm_aes_gcm_params {
	__u32	key_id;
	__u8	tag[16];		/* decrypt: the expected tag */
	__u8	init_vector[12];
	__u32	actual_aad_data_len;
	__u32	aligned_aad_len;	/* multiple of 32 */
	__u8	enable_gcm_workaround;	/* 0/1: the tail protocol (7.10) */
	__u8	resvd1[3];
};

struct azihsm_aes_xts_params {
	__u16	data_unit_len;		/* 0 whole, 1 = 512, 2 = 4096, 3 = 8192 */
	__u16	rsvd;
	__u32	key_id1;
	__u32	key_id2;
	__u8	tweak[16];
};

struct azihsm_aes_cmd_in {
	__u64	ctxt;
	__u8	op_code;		/* AZIHSM_AES_OP_* */
	__u8	cipher;			/* AZIHSM_AES_CIPHER_*, must match the ioctl */
	__u16	rsvd1;
	__u32	pad0;
	__u64	src_ptr;
	__u32	src_len;
	__u32	pad1;
	__u64	dst_ptr;
	__u32	dst_len;
	__u32	pad2;
	__u8	frame_type;		/* must be 1 (AES) */
	__u8	pad3;
	__u16	session_id;		/* must be the file's session */
	__u8	short_app_id;		/* must be the file's short app id */
	__u8	pad4[3];
	union {
		struct azihsm_aes_gcm_params gcm;
		struct azihsm_aes_xts_params xts;
		__u8	raw[44];
	} u;
	__u32	rsvd[30];
	__u32	pad5;
};

struct azihsm_aes_cmd_out {
	__u64	ctxt;			/* not written */
	__u32	result;			/* CQE STS, 0 = success */
	__u8	cmd_spec[16];		/* GCM encrypt: the tag */
	__u32	byte_count;		/* output bytes, 0 on failure */
	__u32	extended_status;	/* CQE ERR, or AZIHSM_EXT_AES_* */
	__u8	fips_approved;
	__u8	rsvd[3];
	__u8	iv_from_fw[12];		/* GCM encrypt: the IV used */
	__u32	rsvd1[26];
	__u32	pad;
};

struct azihsm_aes_cmd {
	struct azihsm_ioctl_hdr		hdr;
	struct azihsm_aes_cmd_in	in;
	struct azihsm_aes_cmd_out	out;
};

/* Fast-path extended status (out.extended_status), hardware.md 9.11. */
#define AZIHSM_EXT_AES_NO_MEMORY		100
#define AZIHSM_EXT_AES_INVALID_INPUT_BUFFER	101
#define AZIHSM_EXT_AES_INVALID_OUTPUT_BUFFER	103
#define AZIHSM_EXT_AES_DEVICE_ERROR		106
#define AZIHSM_EXT_AES_SESSION_ID_MISMATCH	107
#define AZIHSM_EXT_AES_SHORT_APP_ID_MISMATCH	108
#define AZIHSM_EXT_AES_NO_SESSION		109
#define AZIHSM_EXT_AES_NO_SHORT_APP_ID		110
#define AZIHSM_EXT_AES_NO_QUEUES		111
#define AZIHSM_EXT_AES_INVALID_CIPHER		112
#define AZIHSM_EXT_AES_INVALID_FRAME_TYPE	113
#define AZIHSM_EXT_AES_INVALID_OPCODE		114
#define AZIHSM_EXT_AES_GCM_VALIDATION		117
#define AZIHSM_EXT_AES_XTS_VALIDATION		118

#define AZIHSM_IOCTL_AES_XTS \
	_IOWR(AZIHSM_IOCTL_MAGIC, 0x0B, struct azihsm_aes_cmd)
#define AZIHSM_IOCTL_AES_GCM \
	_IOWR(AZIHSM_IOCTL_MAGIC, 0x0C, struct azihsm_aes_cmd)

#define AZIHSM_DEV_INFO_COPY_SIZE	175

_Static_assert(sizeof(struct azihsm_ioctl_hdr) == 16, "ioctl header size");
_Static_assert(sizeof(struct azihsm_hsm_cmd) == 112, "HSM ioctl size");
_Static_assert(sizeof(struct azihsm_dev_info) == 176, "dev info size");
_Static_assert(sizeof(struct azihsm_aes_cmd) == 400, "AES ioctl size");
_Static_assert(__builtin_offsetof(struct azihsm_aes_cmd, in.u) == 72, "AES union offset");
_Static_assert(__builtin_offsetof(struct azihsm_aes_cmd, out) == 240, "AES out offset");
_Static_assert(__builtin_offsetof(struct azihsm_aes_cmd, out.iv_from_fw) == 280, "AES iv offset");

#endif /* _UAPI_AZIHSM_H */
