/* SPDX-License-Identifier: MIT */
/*
 * libazihsm-emu: an emulated HSM in process, for host tests and benchmarks.
 *
 * One struct azihsm_emu is one emulated partition: the firmware core the
 * QEMU device runs (emulator/fw), executing DDI requests in the calling
 * process.  azihsm_emu_open() gives ordinary libazihsm handles on it that
 * behave like several opens of one /dev/azihsmN node under azihsm.ko: each
 * handle has its own session slot, session commands are checked against it
 * the way the driver checks them (extended statuses 11, 12 and 14), and
 * closing a handle that still holds a session flushes that session, as the
 * driver's release does.
 *
 * The backend is only ever used by a program that asks for it: the
 * library never opens an emulated device in place of a real one, and
 * azihsm_dev_path() of an emulated handle reads "emulated:SERIAL".
 * Nothing is persisted: the partition lives as long as its azihsm_emu.
 *
 * Link with -lazihsm-emu -lazihsm (the firmware core lives only in
 * libazihsm-emu; libazihsm itself never contains it).
 *
 * Errors are enum azihsm_status values.  azihsm_emu_open() records its
 * failures in the calling thread's last-call record as
 * azihsm_open_transport() does; azihsm_emu_new() and azihsm_emu_identity_key()
 * only return theirs (they run no library call to record).
 * Thread safety: as the rest of the library; handles on one emu may be used
 * from several threads at once, and opened and closed from any thread.
 */
#ifndef LIBAZIHSM_EMU_H
#define LIBAZIHSM_EMU_H

#include "libazihsm.h"

#ifdef __cplusplus
extern "C" {
#endif

struct azihsm_emu;

/* A NULL config, or a zero field, takes the default given. */
struct azihsm_emu_config {
	uint16_t ctrl_id;		/* Identify controller id (default 1) */
	uint8_t key_tables;		/* tables of the partition (default 1) */
	const char *serial;		/* printable ASCII, <= 32 ("EMULATED") */
	const char *fw_rev;		/* printable ASCII, <= 32 ("emulated") */
	/*
	 * Seconds on a clock that never goes back, for the PIN lockout
	 * (spec/ddi.md 6.7); NULL: CLOCK_MONOTONIC.  Tests pass their own
	 * to cross a lockout without sleeping.
	 */
	uint64_t (*clock)(void *opaque);
	void *clock_opaque;
	/*
	 * Fault injection: called with every DDI response the emulated
	 * device produces, before the library sees it, so a test can play
	 * a device that answers wrongly.  NULL for none.  Runs with the
	 * handle's lock held; it must not call back into the handle.
	 */
	void (*response_hook)(void *opaque, void *resp, size_t resp_len);
	void *response_hook_opaque;
	/*
	 * Accept the test-only DDI operations (spec/ddi.md 3.10) the core
	 * implements, such as DerKeyImport, as the QEMU device does with
	 * x-test-ops=on.  Off by default, like production firmware.
	 */
	bool test_ops;
};

/*
 * Create an emulated partition.  cfg is copied.  On failure *emup is NULL.
 * Errors: INVALID_ARG (emup NULL, a serial or revision that is not
 * printable ASCII of 1..32 characters), NO_MEMORY.
 */
AZIHSM_API int azihsm_emu_new(const struct azihsm_emu_config *cfg,
			      struct azihsm_emu **emup);

/*
 * Open a handle on the emulated device, like azihsm_open() on its node.
 * Release it with azihsm_close().  The handle keeps the emu alive.
 * Errors: INVALID_ARG, NO_MEMORY.
 */
AZIHSM_API int azihsm_emu_open(struct azihsm_emu *emu, struct azihsm_dev **devp);

/*
 * Drop the caller's reference; the partition goes away once every handle
 * opened on it is closed too.  NULL is ignored.
 */
AZIHSM_API void azihsm_emu_free(struct azihsm_emu *emu);

/*
 * The partition identity public key (0x04 || X || Y, big-endian), read
 * from the core directly: what azihsm_partition_identity_key() must find
 * in the certificate chain.  Errors: INVALID_ARG.
 */
AZIHSM_API int azihsm_emu_identity_key(struct azihsm_emu *emu,
				       uint8_t point[AZIHSM_P384_POINT_LEN]);

/*
 * Test hook: make the partition look as it does after a live migration
 * of the device (spec/ddi.md 6.9), to exercise azihsm_session_reopen().
 * Every open session stays open on its handle but fails with
 * AZIHSM_ERR_SESSION_RENEGOTIATE until reopened (closing it still works);
 * all keys are gone.  The credential, the partition masking key and the
 * nonce stay, so masked keys and each session's reopen data remain valid.
 * A real device has no such command.  NULL is ignored.
 */
AZIHSM_API void azihsm_emu_simulate_migration(struct azihsm_emu *emu);

#ifdef __cplusplus
}
#endif

#endif /* LIBAZIHSM_EMU_H */
