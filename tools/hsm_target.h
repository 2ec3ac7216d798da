/* SPDX-License-Identifier: MIT */
/*
 * The HSM a test or benchmark program was asked to use: a device node
 * (/dev/azihsmN, already provisioned, credential given by the caller) or
 * the in-process emulated HSM of libazihsm-emu, which the program
 * provisions itself with a random credential.  libazihsm-emu is loaded
 * with dlopen() only when asked for, so that the programs carry no
 * firmware code and run in the guest, where it is not installed.
 *
 * Shared by tools/azihsm-bench.c and tests/vm/azihsm-wycheproof.c.
 */
#ifndef AZIHSM_HSM_TARGET_H
#define AZIHSM_HSM_TARGET_H

#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>

#include "libazihsm.h"
#include "libazihsm_emu.h"

struct hsm_target {
	const char *prog;		/* program name, for messages */
	const char *device;		/* node path; NULL: the first found */
	const char *id_hex, *pin_hex;	/* --id, --pin as given */
	uint8_t id[AZIHSM_CRED_ID_LEN];
	uint8_t pin[AZIHSM_CRED_PIN_LEN];
	/* Emulated HSM (NULL emu: a device node). */
	void *emu_lib;
	struct azihsm_emu *emu;
	int (*emu_open)(struct azihsm_emu *emu, struct azihsm_dev **devp);
	void (*emu_free)(struct azihsm_emu *emu);
};

/* getopt_long() codes and entries of the options naming a device. */
enum { HSM_OPT_DEVICE = 'd', HSM_OPT_ID = 0x100, HSM_OPT_PIN };
#define HSM_TARGET_LONGOPTS \
	{ "device", required_argument, NULL, HSM_OPT_DEVICE }, \
	{ "id", required_argument, NULL, HSM_OPT_ID }, \
	{ "pin", required_argument, NULL, HSM_OPT_PIN }

/* Take one of those options into *t; false when c is none of them. */
bool hsm_target_option(struct hsm_target *t, int c, const char *arg);

/* Whether any of those options was given. */
bool hsm_target_options_given(const struct hsm_target *t);

/*
 * For a device node: parse the credential given with --id and --pin (both
 * required).  Returns 0, or -1 after printing why.
 */
int hsm_target_credential(struct hsm_target *t);

/*
 * "PROG: WHAT: <the calling thread's last library error>" on stderr, for a
 * failed library call that returned status.
 */
void hsm_report(const char *prog, const char *what, int status);

/*
 * Load libazihsm-emu, create an emulated partition (test_ops: accept the
 * test-only DDI operations) and provision it: random BK3, a throw-away
 * owner key, random ID and PIN kept in *t.  Returns 0, or -1 after
 * printing why (then hsm_target_release() still must be called).
 */
int hsm_target_emulated(struct hsm_target *t, bool test_ops);

/*
 * Open a new handle on the target and a session on it with the target's
 * credential.  Returns 0, or -1 after printing why (nothing left open).
 */
int hsm_target_session(const struct hsm_target *t, struct azihsm_dev **devp,
		       struct azihsm_session **sessp);

/* Close a handle and its session (either may be NULL). */
void hsm_target_session_end(struct azihsm_dev *dev, struct azihsm_session *sess);

/* Drop the emulated partition and unload libazihsm-emu, if loaded. */
void hsm_target_release(struct hsm_target *t);

#endif /* AZIHSM_HSM_TARGET_H */
