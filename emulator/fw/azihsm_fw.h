/* SPDX-License-Identifier: MIT */
/*
 * The emulated HSM firmware core: executes DDI requests for one partition.
 *
 * Plain C11 + OpenSSL; nothing here knows about QEMU, queues or DMA.  The
 * QEMU device model (emulator/azihsm.c) hands it request bytes and the
 * queue-level session block of the command and gets back response bytes,
 * the session block for the completion entry and a host status.  The same
 * object is linked into host unit tests and libazihsm's in-process backend.
 *
 * Thread safety: every entry point may be called from several threads at
 * once; the core serialises access to its state internally.
 */
#ifndef AZIHSM_FW_H
#define AZIHSM_FW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct azihsm_fw;

struct azihsm_fw_config {
	uint16_t ctrl_id;		/* controller ID reported by Identify */
	uint8_t key_tables;		/* tables assigned to the partition, >= 1 */
	const char *serial;		/* Identify SN, printable ASCII, <= 32 */
	const char *fw_rev;		/* Identify FR, printable ASCII, <= 32 */
	/*
	 * Seconds on a clock that never goes back, for the PIN lockout of
	 * ddi.md 6.7.  NULL: CLOCK_MONOTONIC.  Tests inject their own so that
	 * lockout delays can be crossed without sleeping.
	 */
	uint64_t (*clock)(void *opaque);
	void *clock_opaque;
	/*
	 * Accept the test-only operations of ddi.md 3.10 that the core
	 * implements (DerKeyImport).  Production firmware answers them with
	 * UnsupportedCmd, and so does the core when this is false.
	 */
	bool test_ops;
};

/* Queue-level session block: SQE byte 44 / 48 in, CQE byte 2 / 4 / 6 out. */
struct azihsm_fw_session {
	uint8_t flags;			/* AZIHSM_SESS_* from azihsm/hw.h */
	uint16_t id;
	uint8_t short_app_id;		/* out only */
};

/* NULL on allocation failure.  cfg is copied. */
struct azihsm_fw *azihsm_fw_new(const struct azihsm_fw_config *cfg);
void azihsm_fw_free(struct azihsm_fw *fw);

/*
 * Execute one generic (opcode 0) command.  Returns the HSM CQE status
 * (AZIHSM_HSM_SC_*): 0 whenever a DDI response was produced, including DDI
 * error responses; non-zero only for transport-level failures (then no
 * response bytes).  *resp_len <= resp_cap.
 */
uint16_t azihsm_fw_execute(struct azihsm_fw *fw,
			   const uint8_t *req, size_t req_len,
			   uint8_t *resp, size_t resp_cap, size_t *resp_len,
			   const struct azihsm_fw_session *in,
			   struct azihsm_fw_session *out);

/* The flush-session opcode (1): closes in->id if open.  Returns CQE status. */
uint16_t azihsm_fw_flush_session(struct azihsm_fw *fw,
				 const struct azihsm_fw_session *in,
				 struct azihsm_fw_session *out);

/*
 * The partition identity public key as the uncompressed point 0x04 || X || Y
 * (97 bytes, big-endian coordinates): what a POTA endorses (ddi.md 7.4) and
 * what verifies pub_key_signature (7.3).  Hosts read it from the PID
 * certificate (GetCertificate, last of the chain); in-process users and
 * tests may take it from here.  Returns 0, or -1 on bad arguments.
 */
int azihsm_fw_identity_public_key(struct azihsm_fw *fw, uint8_t point[97]);

/*
 * One AES fast-path command (hardware.md 7), with its data already
 * gathered by the device model from the source SGL and the GCM tail
 * buffer.  The core validates the SQE's cipher fields and keys, and runs
 * AES-GCM or AES-XTS.
 *
 * sqe: the 128-byte SQE as fetched (struct azihsm_aes_sqe of azihsm/hw.h).
 * src: SRC_LEN bytes.  dst: room for DST_LEN bytes; the core writes
 * res->len bytes there, which the model scatters through the destination
 * SGL.  tail: for GCM with UNALIGNED_SRC_LEN > 0, the bytes read from the
 * unaligned source address; replaced by the result, which the model
 * writes to the unaligned destination address.
 *
 * Unlike azihsm_fw_execute(), this may run concurrently with other calls
 * (one per fast-path queue): the core holds its lock only to look the
 * keys up, so commands of several queues proceed in parallel.
 */
struct azihsm_fw_aes_cmd {
	const uint8_t *sqe;
	const uint8_t *src;
	uint32_t src_len;
	uint8_t *dst;
	uint32_t dst_len;
	uint8_t tail[16];
	uint8_t tail_len;
};

/* What goes into the AES CQE besides ATTR, CID, SQHD, SQID and phase. */
struct azihsm_fw_aes_result {
	uint16_t sts;			/* enum azihsm_aes_status */
	uint16_t err;			/* ERR (hardware.md 7.7) */
	uint8_t tag[16];		/* GCM: the tag computed */
	uint8_t iv[12];			/* GCM: the IV used */
	uint32_t unaligned_dst_len;	/* GCM tail bytes produced */
	uint32_t fips_approved;
	uint32_t len;			/* bytes of dst to write back */
};

void azihsm_fw_aes_execute(struct azihsm_fw *fw, struct azihsm_fw_aes_cmd *cmd,
			   struct azihsm_fw_aes_result *res);

/*
 * Extensions for the kernel crypto API and hw_random (azihsm/hw.h,
 * "azihsm extensions"); the device model calls them for the admin
 * opcodes 0xE0..0xE2.  Kernel keys are volatile (cleared by reset).
 */
/* len random bytes (1..4096).  Returns 0 or -1. */
int azihsm_fw_ext_random(struct azihsm_fw *fw, uint8_t *buf, size_t len);
/*
 * Store a kernel key for cipher AZIHSM_EXT_CIPHER_* (GCM/CBC: 16, 24 or
 * 32 bytes; XTS: 32, 48 or 64).  Returns the admin status (0 success,
 * AZIHSM_ADMIN_SC_INVALID_FIELD, AZIHSM_ADMIN_SC_INTERNAL_ERROR when the
 * store is full) and the key id (bit 31 set) in *id.
 */
uint16_t azihsm_fw_ext_key_import(struct azihsm_fw *fw, uint8_t cipher,
				  const uint8_t *key, size_t len, uint32_t *id);
uint16_t azihsm_fw_ext_key_delete(struct azihsm_fw *fw, uint32_t id);

/* Controller reset (CC.EN 1 -> 0, NSSR): volatile state is lost. */
void azihsm_fw_reset(struct azihsm_fw *fw);

/*
 * Test hook: make the partition look as it does on the destination of a
 * live migration (ddi.md 6.9).  Every allocated session stays allocated
 * but pending renegotiation (SessionNeedsRenegotiation until
 * ReopenSession, CloseSession still frees it) and has lost its masking
 * key; the key tables are empty.  Credentials, nonce, MK and device seeds
 * stay, so the sessions' bmk_session and masked keys remain usable.
 */
void azihsm_fw_simulate_migration(struct azihsm_fw *fw);

#endif /* AZIHSM_FW_H */
