/* SPDX-License-Identifier: MIT */
/*
 * The HSM a test or benchmark program was asked to use: a device node
 * (/dev/azihsmN, already provisioned, credential given by the caller) or
 * the in-process emulated HSM of libazihsm-emu, which the program
 * provisions itself with a random credential.  libazihsm-emu is loaded
 * with dlopen() only when asked for, so that the programs carry no
 * firmware code and run in the guest, where it is not installed.
 *
 * Shared by tools/azihsm-bench.c and the guest test programs
 * tests/vm/azihsm-wycheproof.c and tests/vm/azihsm-lockout.c, which all
 * take these options the same way and exit with HSM_EXIT_USAGE on a usage
 * error.
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
	const char *usage;		/* printed by hsm_target_getopt() & co */
	const char *device;		/* node path; NULL: the first found */
	const char *id_hex, *pin_hex;	/* --id, --pin as given */
	bool emulated;			/* --emulated given */
	uint8_t id[AZIHSM_CRED_ID_LEN];
	uint8_t pin[AZIHSM_CRED_PIN_LEN];
	/* Emulated HSM (NULL emu: a device node). */
	void *emu_lib;
	struct azihsm_emu *emu;
	int (*emu_open)(struct azihsm_emu *emu, struct azihsm_dev **devp);
	void (*emu_free)(struct azihsm_emu *emu);
};

/*
 * getopt_long() codes and entries of the options naming a device and of
 * --help (-h, see hsm_target_getopt()), and of --emulated (-e) for the
 * programs that take it (the benchmark names its backend otherwise).
 */
enum {
	HSM_OPT_DEVICE = 'd', HSM_OPT_EMULATED = 'e',
	HSM_OPT_ID = 0x100, HSM_OPT_PIN
};
#define HSM_TARGET_LONGOPTS \
	{ "device", required_argument, NULL, HSM_OPT_DEVICE }, \
	{ "id", required_argument, NULL, HSM_OPT_ID }, \
	{ "pin", required_argument, NULL, HSM_OPT_PIN }, \
	{ "help", no_argument, NULL, 'h' }
#define HSM_TARGET_EMULATED_LONGOPT \
	{ "emulated", no_argument, NULL, HSM_OPT_EMULATED }

/* Exit status of a program using this after a usage error. */
#define HSM_EXIT_USAGE	2

/* Take one of those options into *t; false when c is none of them. */
bool hsm_target_option(struct hsm_target *t, int c, const char *arg);

/*
 * The default case of a program's getopt_long() switch, for the codes the
 * program does not handle itself: takes the options above into *t, and
 * prints t->usage for 'h' (on stdout) or anything else (on stderr).
 * Returns HSM_OPT_MORE when parsing goes on, else the status the program
 * exits with: EXIT_SUCCESS after 'h', HSM_EXIT_USAGE.
 */
#define HSM_OPT_MORE	(-1)
int hsm_target_getopt(struct hsm_target *t, int c, const char *arg);

/*
 * Check the device options once the command line is parsed.  device: the
 * program is to use a device node, which needs --id and --pin; otherwise
 * (the emulated HSM, or none) none of the options may be given.  args_ok:
 * the rest of the command line is right, as the program sees it.  Returns
 * 0, or HSM_EXIT_USAGE after printing why (t->usage, or what is wrong
 * with --id or --pin).
 */
int hsm_target_options_done(struct hsm_target *t, bool device, bool args_ok);

/* Whether any of the options naming a device was given. */
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

/*
 * The startup of a program that works in one session: provision the
 * emulated HSM if --emulated was given (see hsm_target_emulated()), then
 * open a session as hsm_target_session() does.  Returns 0, or -1 after
 * printing why and releasing *t.
 */
int hsm_target_start(struct hsm_target *t, bool test_ops,
		     struct azihsm_dev **devp, struct azihsm_session **sessp);

/* Close a handle and its session (either may be NULL). */
void hsm_target_session_end(struct azihsm_dev *dev, struct azihsm_session *sess);

/* Drop the emulated partition and unload libazihsm-emu, if loaded. */
void hsm_target_release(struct hsm_target *t);

#endif /* AZIHSM_HSM_TARGET_H */
