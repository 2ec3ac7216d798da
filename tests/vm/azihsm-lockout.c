// SPDX-License-Identifier: MIT
/*
 * PIN lockout through libazihsm (spec/ddi.md 6.7), run by
 * tests/vm/guest/test_lockout.sh in a boot of its own: on one handle, open
 * sessions with a wrong PIN until the partition locks.  The first 1000
 * failures add no delay and the 1000th locks logins for 60 s, so exactly
 * 1000 attempts must fail with AZIHSM_ERR_WRONG_PIN before the first
 * AZIHSM_ERR_PIN_LOCKED; then the right PIN is refused as locked too.
 * With --wait it waits out the lockout: the right PIN must work again
 * after 60 s, not before, and a single wrong PIN then must not lock.
 *
 *   azihsm-lockout [--wait] [--device DEV] --id HEX32 --pin HEX32
 *   azihsm-lockout [--wait] --emulated
 *
 * The partition must be provisioned with that credential and must not be
 * locked already (a session with the right PIN first resets the failure
 * count).  It is left locked for a minute unless --wait.  Prints one line
 * per check ("ok   NAME: ..." or "FAIL NAME: ..."), "locked" on a line of
 * its own when the lockout is confirmed (for a test to act while it
 * lasts), and exits 1 if a check failed, 2 on a usage error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hsm_target.h"
#include "vmtest_util.h"

#define PROG			"azihsm-lockout"
/* spec/ddi.md 6.7: failures before the first lockout, and its length. */
#define FAILURES_TO_LOCK	1000
#define LOCKOUT_SECONDS		60
/*
 * The device counts lockout time in whole seconds, so the right PIN may
 * work up to a second early; the upper bound allows for polling once a
 * second under a slow (TCG) guest.
 */
#define UNLOCK_EARLIEST		(LOCKOUT_SECONDS - 1.5)
#define UNLOCK_LATEST		(LOCKOUT_SECONDS + 5.0)

static const char usage[] =
	"usage: " PROG " [--wait] [--device DEV] --id HEX32 --pin HEX32\n"
	"       " PROG " [--wait] --emulated\n";

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* OpenSession with pin; a session opened is closed again at once. */
static int try_pin(struct azihsm_dev *dev, const struct hsm_target *t,
		   const uint8_t pin[AZIHSM_CRED_PIN_LEN])
{
	struct azihsm_session *sess;
	int ret;

	ret = azihsm_session_open(dev, t->id, pin, &sess);
	if (!ret)
		ret = azihsm_session_close(sess);
	return ret;
}

/* One attempt whose status must be want. */
static void expect_pin(struct azihsm_dev *dev, const struct hsm_target *t,
		       const uint8_t pin[AZIHSM_CRED_PIN_LEN], int want,
		       const char *check, const char *what)
{
	char msg[256] = "";
	int ret = try_pin(dev, t, pin);

	if (ret != want)
		azihsm_error_format(NULL, msg, sizeof(msg));
	vmtest_result(ret == want, check, "%s: %s%s%s", what, azihsm_strerror(ret),
		      msg[0] ? ": " : "", msg);
}

/*
 * Wrong PINs until the partition locks: FAILURES_TO_LOCK must fail as
 * wrong, and the next as locked.  Returns the time of the last failure
 * that counted (the lockout runs from then), or 0 if it never locked.
 */
static double lock_out(struct azihsm_dev *dev, const struct hsm_target *t,
		       const uint8_t bad_pin[AZIHSM_CRED_PIN_LEN])
{
	double start = now(), last = 0;
	int wrong = 0, ret = AZIHSM_OK;

	/* A few more than needed, to see a lockout that comes late. */
	while (wrong <= FAILURES_TO_LOCK + 10) {
		ret = try_pin(dev, t, bad_pin);
		if (ret != AZIHSM_ERR_WRONG_PIN)
			break;
		last = now();
		wrong++;
	}
	vmtest_result(wrong == FAILURES_TO_LOCK && ret == AZIHSM_ERR_PIN_LOCKED,
		      "lock", "%d wrong PINs refused as wrong (want %d), then \"%s\"",
		      wrong, FAILURES_TO_LOCK, azihsm_strerror(ret));
	if (wrong)
		printf("%d wrong PINs in %.1f s (%.1f ms each)\n", wrong,
		       last - start, (last - start) * 1000 / wrong);
	return ret == AZIHSM_ERR_PIN_LOCKED ? last : 0;
}

/* Poll the right PIN once a second until the lockout ends. */
static void wait_out(struct azihsm_dev *dev, const struct hsm_target *t,
		     double locked_at)
{
	const struct timespec second = { .tv_sec = 1 };
	double waited;
	int ret;

	do {
		nanosleep(&second, NULL);
		ret = try_pin(dev, t, t->pin);
		waited = now() - locked_at;
	} while (ret == AZIHSM_ERR_PIN_LOCKED && waited < UNLOCK_LATEST + 5);
	vmtest_result(ret == AZIHSM_OK && waited >= UNLOCK_EARLIEST &&
		      waited <= UNLOCK_LATEST, "unlock",
		      "right PIN: \"%s\" %.1f s after the lockout began (want success "
		      "after %.1f to %.1f s)", azihsm_strerror(ret), waited,
		      UNLOCK_EARLIEST, UNLOCK_LATEST);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		HSM_TARGET_LONGOPTS,
		HSM_TARGET_EMULATED_LONGOPT,
		{ "wait", no_argument, NULL, 'w' },
		{ NULL, 0, NULL, 0 },
	};
	struct hsm_target target = { .prog = PROG, .usage = usage };
	uint8_t bad_pin[AZIHSM_CRED_PIN_LEN];
	struct azihsm_session *sess;
	struct azihsm_dev *dev;
	bool wait = false;
	double locked_at;
	int c, ret;

	while ((c = getopt_long(argc, argv, "ed:wh", longopts, NULL)) != -1) {
		switch (c) {
		case 'w':
			wait = true;
			break;
		default:
			ret = hsm_target_getopt(&target, c, optarg);
			if (ret != HSM_OPT_MORE)
				return ret;
		}
	}
	ret = hsm_target_options_done(&target, !target.emulated, optind == argc);
	if (ret)
		return ret;

	/* The right PIN first: it works, and it zeroes the failure count. */
	if (hsm_target_start(&target, false, &dev, &sess))
		return EXIT_FAILURE;
	azihsm_session_close(sess);
	memcpy(bad_pin, target.pin, sizeof(bad_pin));
	bad_pin[sizeof(bad_pin) - 1] ^= 1;

	locked_at = lock_out(dev, &target, bad_pin);
	if (locked_at) {
		expect_pin(dev, &target, target.pin, AZIHSM_ERR_PIN_LOCKED,
			   "locked-right-pin", "right PIN while locked");
		expect_pin(dev, &target, bad_pin, AZIHSM_ERR_PIN_LOCKED,
			   "locked-wrong-pin", "wrong PIN while locked");
		printf("locked\n");
		fflush(stdout);
	}
	if (locked_at && wait) {
		wait_out(dev, &target, locked_at);
		/* The success reset the count: one failure does not lock. */
		expect_pin(dev, &target, bad_pin, AZIHSM_ERR_WRONG_PIN,
			   "reset-wrong-pin", "one wrong PIN after the lockout");
		expect_pin(dev, &target, target.pin, AZIHSM_OK,
			   "reset-right-pin", "right PIN after that");
	}

	azihsm_close(dev);
	hsm_target_release(&target);
	return vmtest_summary(PROG);
}
