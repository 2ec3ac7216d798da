// SPDX-License-Identifier: MIT
/*
 * azihsm-bench: ECDSA signing throughput of the HSM, next to OpenSSL.
 *
 *   azihsm-bench --backend emulated|device|openssl [--device PATH]
 *                [--id HEX32 --pin HEX32] [--seconds S] [--sessions N]...
 *                [--curve P-256|P-384]... [--no-header]
 *
 * For each curve and session count, N threads sign for S seconds and the
 * signatures made are counted.  Each thread has its own handle, its own
 * session and its own session-scoped key, generated in that session before
 * the clock starts, so that the threads share nothing but the device.  The
 * digest (SHA-256 for P-256, SHA-384 for P-384) is computed once: what is
 * measured is EccSign, as a caller that hashes its data itself sees it.
 * The openssl backend does the same work on the host CPU: each thread has
 * its own key and signs the same digest with EVP_PKEY_sign() (plain ECDSA
 * over a digest, no hashing).  Before the clock starts, every thread's
 * first signature is checked with OpenSSL against the key's public part.
 *
 * Backends: emulated is the firmware core in process (libazihsm-emu,
 * loaded with dlopen), provisioned here with a random credential; device
 * is /dev/azihsmN through azihsm.ko, which must be provisioned already:
 * its credential is given with --id and --pin (see `azihsm partition
 * init`; scripts/bench.sh does it in the guest).
 *
 * This is a measurement, not a test: it fails only when an operation
 * fails or a signature does not verify.  Exit status: 0, 1 error, 2 usage.
 */
#include <getopt.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "hsm_target.h"

#define PROG		"azihsm-bench"
#define MAX_SESSIONS	8	/* what a partition allows (spec/ddi.md 6.4) */
#define SIG_MAX		AZIHSM_ECC_SIG_MAX

static const char *const usage =
	"usage: azihsm-bench --backend emulated|device|openssl [--device PATH]\n"
	"                    [--id HEX32 --pin HEX32] [--seconds S] [--sessions N]...\n"
	"                    [--curve P-256|P-384]... [--no-header]\n"
	"\n"
	"ECDSA sign operations per second with N sessions (one thread, handle,\n"
	"session and session key each) for S seconds, per curve.\n"
	"\n"
	"  -b, --backend B     emulated: the firmware core in process (libazihsm-emu),\n"
	"                      provisioned here; device: an HSM node, provisioned\n"
	"                      beforehand (give its --id and --pin); openssl: the\n"
	"                      host CPU with OpenSSL, as a reference\n"
	"  -d, --device PATH   the node for --backend device (default: first found)\n"
	"      --id HEX32      application ID of the provisioned device\n"
	"      --pin HEX32     its PIN\n"
	"  -s, --seconds S     how long each measurement runs (default 3)\n"
	"  -n, --sessions N    sessions (threads), 1..8; repeatable (default 1 and 8)\n"
	"  -c, --curve C       P-256 (SHA-256 digest) or P-384 (SHA-384); repeatable\n"
	"                      (default both)\n"
	"      --no-header     do not print the table header\n"
	"  -h, --help          show this help\n";

enum backend { BACKEND_EMULATED, BACKEND_DEVICE, BACKEND_OPENSSL };

static const char *const backend_names[] = {
	[BACKEND_EMULATED] = "emulated",
	[BACKEND_DEVICE] = "device",
	[BACKEND_OPENSSL] = "openssl",
};

struct curve {
	const char *name;	/* also the OpenSSL group name */
	uint32_t key_type;
	const char *digest;	/* OpenSSL digest name */
};

static const struct curve curves[] = {
	{ "P-256", AZIHSM_KEY_ECC_P256, "SHA256" },
	{ "P-384", AZIHSM_KEY_ECC_P384, "SHA384" },
};
#define NCURVES (sizeof(curves) / sizeof(curves[0]))

struct run;

/* One signing thread and what it signs with. */
struct worker {
	pthread_t thread;
	struct run *run;
	uint8_t digest[EVP_MAX_MD_SIZE];
	size_t digest_len;
	/* HSM backends */
	struct azihsm_dev *dev;
	struct azihsm_session *sess;
	struct azihsm_key *key;
	/* openssl backend */
	EVP_PKEY *pkey;
	EVP_PKEY_CTX *sign_ctx;
	/* results */
	uint64_t ops;
	int status;		/* enum azihsm_status of the failed sign, or 0 */
	bool failed;
};

/* One measurement: a backend, a curve, a number of threads. */
struct run {
	enum backend backend;
	const struct curve *curve;
	const struct hsm_target *target;
	unsigned int threads;
	atomic_bool go;		/* all threads are set up: sign */
	atomic_bool stop;
	struct worker workers[MAX_SESSIONS];
};

/* One signature into sig; false on failure (w->status says why). */
static bool sign_once(struct worker *w, uint8_t *sig, size_t *sig_len)
{
	if (w->run->backend == BACKEND_OPENSSL) {
		*sig_len = SIG_MAX;
		return EVP_PKEY_sign(w->sign_ctx, sig, sig_len, w->digest,
				     w->digest_len) == 1;
	}
	w->status = azihsm_ecc_sign(w->key, w->digest, w->digest_len,
				    AZIHSM_SIG_DER, sig, SIG_MAX, sig_len);
	return w->status == AZIHSM_OK;
}

/* In the thread that failed: the library's record is per thread. */
static void report_sign_failure(const struct worker *w)
{
	if (w->run->backend != BACKEND_OPENSSL)
		hsm_report(PROG, "EccSign", w->status);
	else
		fprintf(stderr, PROG ": OpenSSL signing failed\n");
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	uint8_t sig[SIG_MAX];
	size_t sig_len;

	while (!atomic_load(&w->run->go))
		sched_yield();
	while (!atomic_load_explicit(&w->run->stop, memory_order_relaxed)) {
		if (!sign_once(w, sig, &sig_len)) {
			report_sign_failure(w);
			w->failed = true;
			/* The other threads finish their time; the run fails. */
			break;
		}
		w->ops++;
	}
	return NULL;
}

/* The public key to check signatures with: the worker's own, or the HSM's. */
static EVP_PKEY *worker_public_key(const struct worker *w)
{
	uint8_t der[256];
	const uint8_t *p = der;
	size_t len;
	int ret;

	if (w->pkey) {
		EVP_PKEY_up_ref(w->pkey);
		return w->pkey;
	}
	ret = azihsm_key_public(w->key, AZIHSM_PUBKEY_DER, der, sizeof(der), &len);
	if (ret) {
		hsm_report(PROG, "public key", ret);
		return NULL;
	}
	return d2i_PUBKEY(NULL, &p, (long)len);
}

/* Sign once and verify the signature with OpenSSL. */
static int check_signature(struct worker *w)
{
	uint8_t sig[SIG_MAX];
	size_t sig_len;
	EVP_PKEY *pub;
	EVP_PKEY_CTX *ctx = NULL;
	int ok = 0;

	if (!sign_once(w, sig, &sig_len)) {
		report_sign_failure(w);
		return -1;
	}
	pub = worker_public_key(w);
	if (pub)
		ctx = EVP_PKEY_CTX_new(pub, NULL);
	if (ctx && EVP_PKEY_verify_init(ctx) == 1)
		ok = EVP_PKEY_verify(ctx, sig, sig_len, w->digest, w->digest_len) == 1;
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(pub);
	if (!ok) {
		fprintf(stderr, PROG ": %s %s: a signature does not verify\n",
			backend_names[w->run->backend], w->run->curve->name);
		return -1;
	}
	return 0;
}

static int worker_setup(struct worker *w)
{
	const struct curve *curve = w->run->curve;
	const struct azihsm_key_params params = {
		.usage = AZIHSM_USAGE_SIGN_VERIFY,
		.session = true,
	};
	static const char message[] = "azihsm-bench message";
	int ret;

	if (!EVP_Q_digest(NULL, curve->digest, NULL, message, sizeof(message),
			  w->digest, &w->digest_len)) {
		fprintf(stderr, PROG ": digest %s failed\n", curve->digest);
		return -1;
	}
	if (w->run->backend == BACKEND_OPENSSL) {
		w->pkey = EVP_EC_gen(curve->name);
		w->sign_ctx = w->pkey ? EVP_PKEY_CTX_new(w->pkey, NULL) : NULL;
		if (!w->sign_ctx || EVP_PKEY_sign_init(w->sign_ctx) != 1) {
			fprintf(stderr, PROG ": OpenSSL %s key failed\n", curve->name);
			return -1;
		}
		return check_signature(w);
	}
	if (hsm_target_session(w->run->target, &w->dev, &w->sess))
		return -1;
	ret = azihsm_key_generate(w->sess, curve->key_type, &params, &w->key);
	if (ret) {
		hsm_report(PROG, "generating a key", ret);
		return -1;
	}
	return check_signature(w);
}

static void worker_teardown(struct worker *w)
{
	int ret;

	if (w->key) {
		ret = azihsm_key_delete(w->key);
		if (ret) {
			hsm_report(PROG, "deleting the key", ret);
			azihsm_key_free(w->key);
		}
	}
	hsm_target_session_end(w->dev, w->sess);
	EVP_PKEY_CTX_free(w->sign_ctx);
	EVP_PKEY_free(w->pkey);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Set up the threads, let them sign for `seconds`, print the row. */
static int measure(struct run *run, unsigned int seconds)
{
	unsigned int i, started = 0;
	uint64_t ops = 0;
	double t0, elapsed;
	int err = 0;

	for (i = 0; i < run->threads && !err; i++) {
		run->workers[i].run = run;
		err = worker_setup(&run->workers[i]);
	}
	for (i = 0; i < run->threads && !err; i++, started++)
		if (pthread_create(&run->workers[i].thread, NULL, worker_main,
				   &run->workers[i]))
			err = -1;
	/* On a failure, the threads started stop at once. */
	if (err)
		atomic_store(&run->stop, true);
	t0 = now();
	atomic_store(&run->go, true);
	if (!err) {
		sleep(seconds);
		atomic_store(&run->stop, true);
	}
	for (i = 0; i < started; i++) {
		pthread_join(run->workers[i].thread, NULL);
		ops += run->workers[i].ops;
		if (run->workers[i].failed)
			err = -1;
	}
	if (!err) {
		elapsed = now() - t0;
		printf("%-9s %-6s %8u %10llu %8.2f %10.1f\n",
		       backend_names[run->backend], run->curve->name, run->threads,
		       (unsigned long long)ops, elapsed, (double)ops / elapsed);
		fflush(stdout);
	}
	for (i = 0; i < run->threads; i++)
		worker_teardown(&run->workers[i]);
	return err;
}

static int parse_uint(const char *opt, const char *s, unsigned int min,
		      unsigned int max, unsigned int *out)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);

	if (*s && !*end && v >= min && v <= max) {
		*out = (unsigned int)v;
		return 0;
	}
	fprintf(stderr, PROG ": --%s must be a number from %u to %u\n", opt,
		min, max);
	return -1;
}

int main(int argc, char **argv)
{
	enum { LONG_NO_HEADER = 0x200 };
	static const struct option longopts[] = {
		HSM_TARGET_LONGOPTS,
		{ "backend", required_argument, NULL, 'b' },
		{ "seconds", required_argument, NULL, 's' },
		{ "sessions", required_argument, NULL, 'n' },
		{ "curve", required_argument, NULL, 'c' },
		{ "no-header", no_argument, NULL, LONG_NO_HEADER },
		{ NULL, 0, NULL, 0 },
	};
	struct hsm_target target = { .prog = PROG, .usage = usage };
	const char *backend = NULL;
	unsigned int seconds = 3, sessions[16], nsessions = 0;
	const struct curve *chosen[NCURVES];
	unsigned int ncurves = 0, i, j;
	bool header = true;
	struct run *run;
	enum backend b;
	int c, ret, err = 0;

	while ((c = getopt_long(argc, argv, "b:d:s:n:c:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'b':
			backend = optarg;
			break;
		case 's':
			if (parse_uint("seconds", optarg, 1, 3600, &seconds))
				return HSM_EXIT_USAGE;
			break;
		case 'n':
			if (nsessions == sizeof(sessions) / sizeof(sessions[0]) ||
			    parse_uint("sessions", optarg, 1, MAX_SESSIONS,
				       &sessions[nsessions]))
				return HSM_EXIT_USAGE;
			nsessions++;
			break;
		case 'c':
			for (j = 0; j < NCURVES; j++)
				if (!strcasecmp(optarg, curves[j].name))
					break;
			if (j == NCURVES || ncurves == NCURVES) {
				fprintf(stderr, PROG ": --curve: P-256 or P-384, "
					"each once\n");
				return HSM_EXIT_USAGE;
			}
			chosen[ncurves++] = &curves[j];
			break;
		case LONG_NO_HEADER:
			header = false;
			break;
		default:
			ret = hsm_target_getopt(&target, c, optarg);
			if (ret != HSM_OPT_MORE)
				return ret;
		}
	}
	for (b = 0; backend && b <= BACKEND_OPENSSL; b++)
		if (!strcmp(backend, backend_names[b]))
			break;
	if (backend && b > BACKEND_OPENSSL)
		fprintf(stderr, PROG ": unknown backend '%s'\n", backend);
	ret = hsm_target_options_done(&target, b == BACKEND_DEVICE,
				      optind == argc && backend &&
				      b <= BACKEND_OPENSSL);
	if (ret)
		return ret;
	if (!nsessions) {
		sessions[nsessions++] = 1;
		sessions[nsessions++] = MAX_SESSIONS;
	}
	if (!ncurves)
		for (j = 0; j < NCURVES; j++)
			chosen[ncurves++] = &curves[j];

	if (b == BACKEND_EMULATED && hsm_target_emulated(&target, false)) {
		hsm_target_release(&target);
		return EXIT_FAILURE;
	}
	if (header)
		printf("%-9s %-6s %8s %10s %8s %10s\n", "backend", "curve",
		       "sessions", "ops", "seconds", "ops/s");
	for (i = 0; i < ncurves && !err; i++) {
		for (j = 0; j < nsessions && !err; j++) {
			run = calloc(1, sizeof(*run));
			if (!run) {
				fprintf(stderr, PROG ": out of memory\n");
				err = -1;
				break;
			}
			run->backend = b;
			run->curve = chosen[i];
			run->target = &target;
			run->threads = sessions[j];
			err = measure(run, seconds);
			free(run);
		}
	}
	hsm_target_release(&target);
	return err ? EXIT_FAILURE : EXIT_SUCCESS;
}
