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

/* Controller reset (CC.EN 1 -> 0, NSSR): volatile state is lost. */
void azihsm_fw_reset(struct azihsm_fw *fw);

#endif /* AZIHSM_FW_H */
