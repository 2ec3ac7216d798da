/* SPDX-License-Identifier: (GPL-2.0 OR MIT) */
/*
 * Azure Integrated HSM (PCI 1414:C003) device interface: BAR0 registers,
 * doorbells, admin and HSM (control path) queue entries, admin opcodes and
 * status codes.  See spec/hardware.md; this is the one definition shared by
 * the QEMU device model, the kernel driver and the host tools.
 *
 * All multi-byte fields are little-endian.
 */
#ifndef AZIHSM_HW_H
#define AZIHSM_HW_H

#include <linux/types.h>

#define AZIHSM_PCI_VENDOR_ID	0x1414
#define AZIHSM_PCI_DEVICE_ID	0xC003

/* BAR numbers and sizes (every BAR is exactly 4 KiB). */
#define AZIHSM_BAR_REGS		0
#define AZIHSM_BAR_DOORBELLS	2
#define AZIHSM_BAR_MSIX		4
#define AZIHSM_BAR_SIZE		4096
#define AZIHSM_MSIX_VECTORS	32
#define AZIHSM_MSIX_TABLE_OFF	0x000
#define AZIHSM_MSIX_PBA_OFF	0x800

/* BAR0 register offsets. */
#define AZIHSM_REG_CAP		0x00	/* 64-bit */
#define AZIHSM_REG_VS		0x08
#define AZIHSM_REG_INTMS	0x0c
#define AZIHSM_REG_INTMC	0x10
#define AZIHSM_REG_CC		0x14
#define AZIHSM_REG_FWCAP	0x18
#define AZIHSM_REG_CSTS		0x1c
#define AZIHSM_REG_NSSR		0x20
#define AZIHSM_REG_AQA		0x24
#define AZIHSM_REG_ASQ		0x28	/* 64-bit */
#define AZIHSM_REG_ACQ		0x30	/* 64-bit */
#define AZIHSM_REG_CMBLOC	0x38
#define AZIHSM_REG_CMBSZ	0x3c
#define AZIHSM_REG_IS		0x50

/* CAP fields. */
#define AZIHSM_CAP_MQES(cap)	((__u32)((cap) & 0xffff))
#define AZIHSM_CAP_TO(cap)	((__u32)(((cap) >> 24) & 0xff))
#define AZIHSM_CAP_DSTRD(cap)	((__u32)(((cap) >> 32) & 0xf))

/* CC fields. */
#define AZIHSM_CC_EN		(1u << 0)
#define AZIHSM_CC_CP_IOSQES_SHIFT 16
#define AZIHSM_CC_CP_IOCQES_SHIFT 20
#define AZIHSM_CC_FP_IOSQES_SHIFT 24
#define AZIHSM_CC_FP_IOCQES_SHIFT 28
#define AZIHSM_CC_ES_MASK	0xffff0000u

/* CSTS fields. */
#define AZIHSM_CSTS_RDY		(1u << 0)
#define AZIHSM_CSTS_CFS		(1u << 1)
#define AZIHSM_CSTS_NSSRO	(1u << 4)

#define AZIHSM_NSSR_MAGIC	0x4E564D65u	/* "NVMe" */

/* AQA: 0-based admin queue sizes. */
#define AZIHSM_AQA_ASQS(aqa)	((aqa) & 0xfff)
#define AZIHSM_AQA_ACQS(aqa)	(((aqa) >> 16) & 0xfff)

/* BAR2 doorbells: SQ tail at 8q, CQ head at 8q + 4. */
#define AZIHSM_DB_SQ_TAIL(qid)	((qid) * 8)
#define AZIHSM_DB_CQ_HEAD(qid)	((qid) * 8 + 4)
#define AZIHSM_DB_MAX_QID	511

/* Queue identifiers and sizes. */
#define AZIHSM_ADMIN_QID	0
#define AZIHSM_ADMIN_DEPTH	16
#define AZIHSM_HSM_QID_FIRST	1
#define AZIHSM_HSM_QID_LAST	65	/* resource-backed range */
#define AZIHSM_AES_QID_FIRST	256
#define AZIHSM_AES_QID_LAST	385
#define AZIHSM_ADMIN_SQE_SIZE	64
#define AZIHSM_ADMIN_CQE_SIZE	16
#define AZIHSM_HSM_SQE_SIZE	64
#define AZIHSM_HSM_CQE_SIZE	16
#define AZIHSM_AES_SQE_SIZE	128
#define AZIHSM_AES_CQE_SIZE	64
#define AZIHSM_HSM_VECTOR_FIRST	1
#define AZIHSM_HSM_VECTOR_LAST	15
#define AZIHSM_AES_VECTOR_FIRST	16
#define AZIHSM_AES_VECTOR_LAST	31
#define AZIHSM_PAGE_SIZE	4096

/* Identify entry-size bytes (both nibbles equal, low nibble = "max"). */
#define AZIHSM_ID_CP_SQES	0x66
#define AZIHSM_ID_CP_CQES	0x44
#define AZIHSM_ID_FP_SQES	0x77
#define AZIHSM_ID_FP_CQES	0x66

/* CQE status word: bit 0 phase, bits 15:1 status. */
#define AZIHSM_CQE_PHASE	0x0001
#define AZIHSM_CQE_STATUS(w)	(((w) >> 1) & 0x7fff)
#define AZIHSM_CQE_SC11(w)	(((w) >> 1) & 0x7ff)	/* what the driver checks */

/* ---- Admin queue ---- */

enum azihsm_admin_opcode {
	AZIHSM_ADMIN_DELETE_SQ		= 0x00,
	AZIHSM_ADMIN_CREATE_SQ		= 0x01,
	AZIHSM_ADMIN_DELETE_CQ		= 0x04,
	AZIHSM_ADMIN_CREATE_CQ		= 0x05,
	AZIHSM_ADMIN_IDENTIFY		= 0x06,
	AZIHSM_ADMIN_ABORT		= 0x08,
	AZIHSM_ADMIN_SET_FEATURES	= 0x09,
	AZIHSM_ADMIN_GET_FEATURES	= 0x0a,
	AZIHSM_ADMIN_SET_RES_CNT	= 0xc3,
	AZIHSM_ADMIN_GET_RES_CNT	= 0xc4,
};

/* Admin completion status (15-bit, status word bits 15:1). */
enum azihsm_admin_status {
	AZIHSM_ADMIN_SC_SUCCESS			= 0x0000,
	AZIHSM_ADMIN_SC_INVALID_OPCODE		= 0x4001,
	AZIHSM_ADMIN_SC_INVALID_FIELD		= 0x4002,
	AZIHSM_ADMIN_SC_DATA_TRANSFER_ERROR	= 0x4004,
	AZIHSM_ADMIN_SC_INTERNAL_ERROR		= 0x4007,
	AZIHSM_ADMIN_SC_INVALID_CQ_ID		= 0x4100,
	AZIHSM_ADMIN_SC_INVALID_QUEUE_ID	= 0x4101,
	AZIHSM_ADMIN_SC_INVALID_QUEUE_SIZE	= 0x4102,
	AZIHSM_ADMIN_SC_INVALID_VECTOR		= 0x4108,
	AZIHSM_ADMIN_SC_INVALID_QUEUE_DELETE	= 0x410c,
	AZIHSM_ADMIN_SC_FEATURE_NOT_SAVEABLE	= 0x410d,
	AZIHSM_ADMIN_SC_INVALID_RESOURCE_CNT	= 0x41c0,
};

/* Feature identifiers (Set/Get Features DW10 bits 7:0). */
#define AZIHSM_FEAT_HSM_QUEUE_COUNT	0x07
#define AZIHSM_FEAT_AES_QUEUE_COUNT	0xc1
#define AZIHSM_FEAT_FW_CAPS		0xc2
#define AZIHSM_FW_CAP_GCM_TAIL		(1u << 0)

#define AZIHSM_IDENTIFY_CNS_CTRL	0x01

/* Create SQ/CQ DW11 bits. */
#define AZIHSM_QUEUE_PC			(1u << 0)
#define AZIHSM_CQ_IEN			(1u << 1)

struct azihsm_admin_sqe {
	__u8	opcode;
	__u8	flags;		/* bits 7:6 PSDT, always 0 */
	__le16	cid;
	__le32	rsvd1[3];
	__le64	mptr;
	__le64	prp1;
	__le64	prp2;
	__le32	cdw10;
	__le32	cdw11;
	__le32	cdw12;
	__le32	cdw13;
	__le32	cdw14;
	__le32	cdw15;
};

struct azihsm_admin_cqe {
	__le32	result;
	__le32	rsvd;
	__le16	sq_head;
	__le16	sq_id;
	__le16	cid;
	__le16	status;		/* bit 0 phase */
};

/* Identify controller data (102 bytes at the start of the 4 KiB page). */
struct azihsm_identify {
	__le16	vid;
	__le16	ssvid;
	char	sn[32];
	char	fr[32];
	__u8	rsvd68[4];
	__u8	cp_mdts;
	__u8	rsvd73;
	__le16	ctrl_id;
	__u8	acl;
	__u8	cp_sqes;
	__u8	cp_cqes;
	__u8	rsvd79;
	__le16	cp_maxcmd;
	__u8	fp_mdts;
	__u8	fp_sqes;
	__u8	fp_cqes;
	__u8	rsvd85;
	__le16	fp_maxcmd;
	__u8	svn[8];		/* OACS/SGLS in the driver's view; unused */
	__le32	ver;
	__u8	ctrl_type;
	__u8	frmw;
} __attribute__((packed));

/* ---- HSM (control path) queues ---- */

#define AZIHSM_HSM_OP_GENERIC		0
#define AZIHSM_HSM_OP_FLUSH_SESSION	1

/* Command word: bits 9:0 opcode, 13:10 command set, 15:14 PSDT, 31:16 CID. */
#define AZIHSM_HSM_CMD_OPC(w)		((w) & 0x3ff)
#define AZIHSM_HSM_CMD_SET(w)		(((w) >> 10) & 0xf)
#define AZIHSM_HSM_CMD_PSDT(w)		(((w) >> 14) & 0x3)
#define AZIHSM_HSM_CMD_CID(w)		((w) >> 16)
#define AZIHSM_HSM_CMD(opc, cid)	(((__u32)(cid) << 16) | ((opc) & 0x3ff))

/* Session flags byte (SQE byte 44, CQE byte 2). */
#define AZIHSM_SESS_KIND_MASK		0x03
#define AZIHSM_SESS_NONE		0
#define AZIHSM_SESS_OPEN		1
#define AZIHSM_SESS_CLOSE		2
#define AZIHSM_SESS_IN_SESSION		3
#define AZIHSM_SESS_ID_VALID		(1u << 2)
#define AZIHSM_SESS_APP_ID_VALID	(1u << 3)
#define AZIHSM_SESS_CLOSED		(1u << 4)

/* HSM data limits: two 4 KiB PRP pages each way. */
#define AZIHSM_HSM_MAX_XFER		8192

struct azihsm_hsm_sqe {
	__le32	cmd;
	__le32	src_len;
	__le64	src_prp1;
	__le64	src_prp2;
	__le32	dst_len;
	__le64	dst_prp1;
	__le64	dst_prp2;
	__u8	sess_flags;
	__u8	rsvd45[3];
	__le16	sess_id;
	__u8	rsvd50[14];
} __attribute__((packed));

struct azihsm_hsm_cqe {
	__le16	byte_count;
	__u8	sess_flags;
	__u8	rsvd3;
	__le16	sess_id;
	__u8	short_app_id;
	__u8	rsvd7;
	__le16	sq_head;
	__le16	sq_id;
	__le16	cid;
	__le16	status;		/* bit 0 phase, bits 11:1 status */
};

/* HSM CQE 11-bit status values. */
enum azihsm_hsm_status {
	AZIHSM_HSM_SC_SUCCESS		= 0x000,
	AZIHSM_HSM_SC_INVALID_OPCODE	= 0x001,
	AZIHSM_HSM_SC_INVALID_FIELD	= 0x002,
	AZIHSM_HSM_SC_INTERNAL_ERROR	= 0x007,
	AZIHSM_HSM_SC_INVALID_PSDT	= 0x0c0,
	AZIHSM_HSM_SC_INVALID_SRC_LEN	= 0x0c1,
	AZIHSM_HSM_SC_INVALID_DST_LEN	= 0x0c2,
	AZIHSM_HSM_SC_INVALID_SRC_PRP	= 0x0c3,
	AZIHSM_HSM_SC_INVALID_DST_PRP	= 0x0c4,
	AZIHSM_HSM_SC_DMA_EMPTY		= 0x0c5,
	AZIHSM_HSM_SC_DMA_TXN_ERROR	= 0x0c6,
	AZIHSM_HSM_SC_DMA_TAG_MISMATCH	= 0x0c7,
	AZIHSM_HSM_SC_REQ_HDR_DECODE	= 0x0c8,
	AZIHSM_HSM_SC_DMA_START_ERROR	= 0x0c9,
};

/* ---- AES fast path queues (hardware.md 7) ---- */

/* ATTR word (SQE bytes 4..5, echoed in CQE bytes 0..1). */
#define AZIHSM_AES_ATTR_DECRYPT		(1u << 0)	/* OPC: 0 encrypt, 1 decrypt */
#define AZIHSM_AES_ATTR_SGL		(1u << 2)	/* PSDT: 1 = SGL */
#define AZIHSM_AES_ATTR_CMD_TYPE(a)	(((a) >> 3) & 7)
#define AZIHSM_AES_CMD_TYPE_FAST	5
#define AZIHSM_AES_ATTR_XTS		(1u << 8)	/* CIPHER: 0 GCM, 1 XTS */
#define AZIHSM_AES_ATTR_DUL(a)		(((a) >> 14) & 3)
#define AZIHSM_AES_ATTR(dec, xts, dul) \
	((__u16)((dec) | AZIHSM_AES_ATTR_SGL | AZIHSM_AES_CMD_TYPE_FAST << 3 | \
		 ((xts) ? AZIHSM_AES_ATTR_XTS : 0) | (dul) << 14))
/* Data unit lengths (DUL): 0 = whole transfer. */
#define AZIHSM_AES_DUL_WHOLE		0
#define AZIHSM_AES_DUL_512		1
#define AZIHSM_AES_DUL_4096		2
#define AZIHSM_AES_DUL_8192		3
#define AZIHSM_AES_FRAME_TYPE_AES	1
#define AZIHSM_AES_XTS_MAX_LEN		(16u << 20)
#define AZIHSM_AES_GCM_AAD_ALIGN	32
#define AZIHSM_AES_GCM_IV_LEN		12
#define AZIHSM_AES_TAG_LEN		16

/* SGL descriptor (hardware.md 7.3): byte 15 = TYPE << 4 | SUBTYPE. */
struct azihsm_sgl_desc {
	__le64	addr;
	__le32	len;
	__u8	rsvd[3];
	__u8	type;
} __attribute__((packed));

#define AZIHSM_SGL_TYPE(t)		((t) >> 4)
#define AZIHSM_SGL_DATA_BLOCK		0x0
#define AZIHSM_SGL_BIT_BUCKET		0x1
#define AZIHSM_SGL_SEGMENT		0x2
#define AZIHSM_SGL_LAST_SEGMENT		0x3
#define AZIHSM_SGL_DESC_PER_PAGE	(AZIHSM_PAGE_SIZE / 16)	/* 256 */

/* Cipher-specific part of the SQE (bytes 68..127). */
struct azihsm_aes_gcm_fields {
	__le32	key_id;
	__le32	actual_aad_len;
	__u8	tag[AZIHSM_AES_TAG_LEN];
	__u8	iv[AZIHSM_AES_GCM_IV_LEN];
	__le32	aligned_aad_len;
	__u8	unaligned_src_len;	/* GCM tail, 0..15 (7.10) */
	__u8	unaligned_dst_len;	/* same value */
	__u8	rsvd[2];
	__le32	unaligned_src_lo;
	__le32	unaligned_src_hi;
	__le32	unaligned_dst_lo;
	__le32	unaligned_dst_hi;
} __attribute__((packed));

struct azihsm_aes_xts_fields {
	__le32	key_id1;		/* data-unit key */
	__le32	key_id2;		/* tweak key */
	__u8	tweak[16];
	__u8	rsvd[36];
} __attribute__((packed));

/* AES-CBC extension (see "azihsm extensions" below). */
struct azihsm_aes_cbc_fields {
	__le32	key_id;
	__u8	rsvd72[4];
	__u8	iv[16];
	__u8	rsvd92[36];
} __attribute__((packed));

struct azihsm_aes_sqe {
	__le32	rsvd0;
	__le16	attr;
	__le16	cid;
	__le16	session_id;
	__u8	short_app_id;
	__u8	rsvd11[13];
	__le32	src_len;
	struct azihsm_sgl_desc src;
	__le32	dst_len;
	struct azihsm_sgl_desc dst;
	__u8	frame_type;		/* AZIHSM_AES_FRAME_TYPE_AES */
	__u8	rsvd65[3];
	union {
		struct azihsm_aes_gcm_fields gcm;
		struct azihsm_aes_xts_fields xts;
		struct azihsm_aes_cbc_fields cbc;	/* extension */
	};
} __attribute__((packed));

struct azihsm_aes_cqe {
	__le16	attr;
	__le16	cid;
	__u8	tag[AZIHSM_AES_TAG_LEN];	/* GCM: computed tag */
	__u8	iv[AZIHSM_AES_GCM_IV_LEN];	/* GCM: IV used */
	__u8	rsvd32[12];
	__le32	unaligned_dst_len;
	__le32	fips_approved;
	__le32	len;			/* bytes written through the dst SGL */
	__le16	sq_head;
	__le16	sq_id;
	__le16	err;			/* ERR (7.7), 0 on success */
	__le16	status;			/* bit 0 phase, bits 15:1 STS */
} __attribute__((packed));

/* STS (7.7). */
enum azihsm_aes_status {
	AZIHSM_AES_STS_SUCCESS			= 0x0,
	AZIHSM_AES_STS_INVALID_FIELD_XTS	= 0x1,
	AZIHSM_AES_STS_INVALID_FIELD_GCM	= 0x2,
	AZIHSM_AES_STS_CRYPTO_ENGINE_ERROR	= 0x3,
	AZIHSM_AES_STS_FETCH_ERROR		= 0x4,
	AZIHSM_AES_STS_DATA_TRANSFER_TIMEOUT	= 0x5,
	AZIHSM_AES_STS_DELETE_QUEUE		= 0x7,
};

/* ERR with STS 0x1 (XTS validation, table A). */
#define AZIHSM_AES_XTS_ERR_INVALID_KEY1		0x1
#define AZIHSM_AES_XTS_ERR_INVALID_KEY2		0x2
#define AZIHSM_AES_XTS_ERR_KEY_NOT_OWNED	0x3
#define AZIHSM_AES_XTS_ERR_EPHEMERAL_MISMATCH	0x4
#define AZIHSM_AES_XTS_ERR_SAME_KEY_INDEX	0x5
#define AZIHSM_AES_XTS_ERR_SAME_KEY_MATERIAL	0x6
#define AZIHSM_AES_XTS_ERR_KEY1_SESSION		0x7
#define AZIHSM_AES_XTS_ERR_KEY2_SESSION		0x8
#define AZIHSM_AES_XTS_ERR_KEY1_APP		0x9
#define AZIHSM_AES_XTS_ERR_KEY2_APP		0xa
#define AZIHSM_AES_XTS_ERR_TOO_LONG		0xb
#define AZIHSM_AES_XTS_ERR_LEN_NOT_16		0xc
#define AZIHSM_AES_XTS_ERR_KEY1_NOT_XTS		0xe
#define AZIHSM_AES_XTS_ERR_KEY2_NOT_XTS		0xf
/* ERR with STS 0x2 (GCM validation, table B; tail/tag, table C). */
#define AZIHSM_AES_GCM_ERR_INVALID_KEY		0x1
#define AZIHSM_AES_GCM_ERR_KEY_NOT_OWNED	0x2
#define AZIHSM_AES_GCM_ERR_SESSION		0x3
#define AZIHSM_AES_GCM_ERR_APP			0x4
#define AZIHSM_AES_GCM_ERR_AAD_ALIGN		0x5
#define AZIHSM_AES_GCM_ERR_SRC_LEN		0x6
#define AZIHSM_AES_GCM_ERR_NOT_GCM_KEY		0x8
#define AZIHSM_AES_GCM_ERR_UNALIGNED_SRC	0x22
#define AZIHSM_AES_GCM_ERR_UNALIGNED_DST	0x23
#define AZIHSM_AES_GCM_ERR_DMA_IN		0x26
#define AZIHSM_AES_GCM_ERR_DMA_OUT		0x27
#define AZIHSM_AES_GCM_ERR_TAG_MISMATCH		0x2a
#define AZIHSM_AES_GCM_ERR_UNALIGNED_LEN	0x2c
/* ERR with STS 0x4 (fetch, table E). */
#define AZIHSM_AES_FETCH_ERR_DST_SGL		0x2
#define AZIHSM_AES_FETCH_ERR_SRC_SGL		0x4
#define AZIHSM_AES_FETCH_ERR_DST_STRUCT		0x5
#define AZIHSM_AES_FETCH_ERR_SRC_STRUCT		0x6
#define AZIHSM_AES_FETCH_ERR_INVALID_OPCODE	0x8
#define AZIHSM_AES_FETCH_ERR_CMD_STRUCT		0x9
#define AZIHSM_AES_FETCH_ERR_UNDERRUN		0xa
#define AZIHSM_AES_FETCH_ERR_OVERRUN		0xb

/*
 * ---- azihsm extensions (not in the real interface) ----
 *
 * What the kernel crypto API and hw_random need and the real device does
 * not offer (Documentation/device-interface.md, "Extensions").  They live
 * in ranges the real interface leaves unused: admin opcodes 0xE0..0xEF,
 * AES key ids with bit 31 set (bits 31:10 are reserved in hardware.md
 * 7.12), and ATTR bit 9 (reserved in 7.2).  Only the kernel driver sends
 * admin commands, so keys imported this way belong to the kernel; the
 * device reports every fast-path result made with them as not
 * FIPS-approved.  Feature 0xC2 bit 1 says the device has the extensions.
 */
#define AZIHSM_FW_CAP_EXT		(1u << 1)

/* Admin opcodes. */
#define AZIHSM_ADMIN_EXT_GET_RANDOM	0xe0	/* PRP1: page device -> host */
#define AZIHSM_ADMIN_EXT_KEY_IMPORT	0xe1	/* PRP1: page host -> device */
#define AZIHSM_ADMIN_EXT_KEY_DELETE	0xe2

/* GET_RANDOM: CDW10 = bytes, 1..AZIHSM_EXT_RANDOM_MAX, from the DRBG. */
#define AZIHSM_EXT_RANDOM_MAX		AZIHSM_PAGE_SIZE

/*
 * KEY_IMPORT: CDW10 bits 7:0 = cipher, bits 15:8 = key bytes at the start
 * of the PRP1 page.  GCM and CBC take an AES key of 16, 24 or 32 bytes;
 * XTS takes key1 || key2 (32, 48 or 64 bytes) in one kernel key.  The CQE
 * result is the kernel key id.  KEY_DELETE: CDW10 = the key id.
 * Status: INVALID_FIELD for a bad cipher or length or an unknown id,
 * INTERNAL_ERROR when the kernel key store is full.
 */
#define AZIHSM_EXT_CIPHER_GCM		0
#define AZIHSM_EXT_CIPHER_XTS		1
#define AZIHSM_EXT_CIPHER_CBC		2
#define AZIHSM_EXT_KEY_MAX		64
#define AZIHSM_EXT_KERNEL_KEYS		1024	/* kernel keys per function */
#define AZIHSM_EXT_KEY_ID_KERNEL	(1u << 31)
#define AZIHSM_EXT_KEY_INDEX(id)	((id) & 0xffff)

/*
 * Fast path with a kernel key: KEY_ID (GCM, CBC) or KEY_ID1 (XTS) has bit
 * 31 set; SESSION_ID and SHORT_APP_ID are not checked; XTS uses the one
 * kernel key for both halves (KEY_ID2 must equal KEY_ID1).  GCM uses the
 * host IV.
 *
 * AES-CBC (ATTR bit 9 with CIPHER 0, kernel keys only): SRC_LEN a
 * non-zero multiple of 16, DST_LEN >= SRC_LEN, no padding; the IV is in
 * the SQE, the chaining value after the command (last ciphertext block)
 * comes back in the CQE TAG field.
 */
#define AZIHSM_AES_ATTR_EXT_CBC		(1u << 9)


_Static_assert(sizeof(struct azihsm_admin_sqe) == 64, "admin SQE size");
_Static_assert(sizeof(struct azihsm_admin_cqe) == 16, "admin CQE size");
_Static_assert(sizeof(struct azihsm_identify) == 102, "identify size");
_Static_assert(sizeof(struct azihsm_hsm_sqe) == 64, "HSM SQE size");
_Static_assert(sizeof(struct azihsm_hsm_cqe) == 16, "HSM CQE size");
_Static_assert(sizeof(struct azihsm_sgl_desc) == 16, "SGL descriptor size");
_Static_assert(sizeof(struct azihsm_aes_sqe) == 128, "AES SQE size");
_Static_assert(sizeof(struct azihsm_aes_cqe) == 64, "AES CQE size");
_Static_assert(sizeof(struct azihsm_aes_cbc_fields) == 60, "CBC fields size");

#endif /* AZIHSM_HW_H */
