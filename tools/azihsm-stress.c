// SPDX-License-Identifier: MIT
/*
 * azihsm-stress: issue many DDI commands and check that every response
 * answers its own request.  Used by the guest tests to catch lost,
 * duplicated or crossed completions under load.
 *
 *   azihsm-stress [--device PATH] [--count N] [--threads T] [--procs P]
 *
 * Each of P processes opens its own handle, shared by its T threads; each
 * thread sends N requests in a cycle of three:
 *   - GetApiRev: the revision range must equal the one read at start;
 *   - GetDeviceInfo: the device info must equal the one read at start;
 *   - GetDeviceInfo carrying a unique, unsupported revision: the device must
 *     answer UnsupportedRevision and echo exactly that revision (error
 *     responses echo the request's rev, spec/ddi.md 2.3), which ties the
 *     response to this very request.
 * Every response must echo the request's opcode.
 *
 * Exit status: 0 all responses matched, 1 a mismatch or a failed command,
 * 2 usage error.
 */
#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "azihsm/ddi_msg.h"
#include "libazihsm.h"

#define EXIT_USAGE 2
#define MAX_THREADS 64
#define MAX_PROCS 64

/* Revisions no device supports: top bit set, the rest a per-request tag. */
#define BOGUS_REV_MAJOR_BIT 0x80000000u

struct baseline {
	struct ddi_get_api_rev_resp revs;
	struct ddi_get_device_info_resp info;
};

struct worker {
	struct azihsm_dev *dev;
	const struct baseline *base;
	unsigned int proc, thread;
	unsigned long count;
	unsigned long ok, mismatched, failed;
};

static const char *const usage =
	"usage: azihsm-stress [--device PATH] [--count N] [--threads T] [--procs P]\n"
	"\n"
	"Send N DDI requests per thread (GetApiRev, GetDeviceInfo and a tagged\n"
	"GetDeviceInfo in turn) and check every response against its request.\n"
	"T threads (default 1) share one handle per process; P processes\n"
	"(default 1) each open their own.  Default N: 1000.\n"
	"Exit status: 0 all matched, 1 mismatch or failure, 2 usage error.\n";

/* Send one request; false if no response came back (reported here). */
static bool exchange(const struct worker *w, unsigned long i,
		     const struct ddi_req_hdr *hdr, uint8_t *resp, size_t *resp_len)
{
	uint8_t req[128];
	size_t req_len;
	char msg[256];

	if (ddi_encode_request(hdr, &ddi_empty_schema, NULL, req, sizeof(req),
			       &req_len)) {
		fprintf(stderr, "azihsm-stress: cannot encode request\n");
		return false;
	}
	if (azihsm_ddi_raw(w->dev, NULL, req, req_len, resp, AZIHSM_MAX_RESPONSE,
			   resp_len)) {
		azihsm_error_format(NULL, msg, sizeof(msg));
		fprintf(stderr, "azihsm-stress: proc %u thread %u request %lu: %s\n",
			w->proc, w->thread, i, msg);
		return false;
	}
	return true;
}

static bool response_matches(const struct worker *w, unsigned long i,
			     uint8_t *resp, bool *sent)
{
	struct ddi_req_hdr hdr = { .op = AZIHSM_DDI_OP_GET_DEVICE_INFO };
	const struct baseline *base = w->base;
	struct ddi_get_device_info_resp info;
	struct ddi_get_api_rev_resp revs;
	struct ddi_resp_hdr rhdr;
	size_t len;

	switch (i % 3) {
	case 0:
		hdr.op = AZIHSM_DDI_OP_GET_API_REV;
		if (!(*sent = exchange(w, i, &hdr, resp, &len)))
			return false;
		return ddi_decode_response(resp, len, &rhdr,
					   &ddi_get_api_rev_resp_schema, &revs) &&
		       rhdr.op == hdr.op && rhdr.status == 0 &&
		       !memcmp(&revs, &base->revs, sizeof(revs));
	case 1:
		hdr.has_rev = true;
		hdr.rev = base->revs.max;
		if (!(*sent = exchange(w, i, &hdr, resp, &len)))
			return false;
		return ddi_decode_response(resp, len, &rhdr,
					   &ddi_get_device_info_resp_schema, &info) &&
		       rhdr.op == hdr.op && rhdr.status == 0 &&
		       info.kind == base->info.kind &&
		       info.tables == base->info.tables &&
		       info.fips_approved == base->info.fips_approved;
	default:
		hdr.has_rev = true;
		hdr.rev.major = BOGUS_REV_MAJOR_BIT | (w->proc << 8) | w->thread;
		hdr.rev.minor = (uint32_t)i;
		if (!(*sent = exchange(w, i, &hdr, resp, &len)))
			return false;
		return ddi_decode_response(resp, len, &rhdr, NULL, NULL) &&
		       rhdr.op == hdr.op &&
		       rhdr.status == AZIHSM_DDI_STATUS_UNSUPPORTED_REVISION &&
		       rhdr.has_rev && rhdr.rev.major == hdr.rev.major &&
		       rhdr.rev.minor == hdr.rev.minor;
	}
}

static void *run_worker(void *arg)
{
	struct worker *w = arg;
	uint8_t *resp = malloc(AZIHSM_MAX_RESPONSE);
	unsigned long i;
	bool sent;

	if (!resp) {
		w->failed = w->count;
		return NULL;
	}
	for (i = 0; i < w->count; i++) {
		if (response_matches(w, i, resp, &sent)) {
			w->ok++;
		} else if (!sent) {
			w->failed++;
		} else {
			fprintf(stderr, "azihsm-stress: proc %u thread %u request %lu: "
				"response does not match its request\n",
				w->proc, w->thread, i);
			w->mismatched++;
		}
	}
	free(resp);
	return NULL;
}

static int read_baseline(struct azihsm_dev *dev, struct baseline *base)
{
	struct azihsm_api_rev min, max;
	struct azihsm_device_info info;
	char msg[256];

	if (azihsm_get_api_rev(dev, &min, &max) ||
	    azihsm_get_device_info(dev, &info)) {
		azihsm_error_format(NULL, msg, sizeof(msg));
		fprintf(stderr, "azihsm-stress: %s: %s\n", azihsm_dev_path(dev), msg);
		return -1;
	}
	base->revs.min = (struct ddi_api_rev){ min.major, min.minor };
	base->revs.max = (struct ddi_api_rev){ max.major, max.minor };
	base->info.kind = info.kind;
	base->info.tables = info.key_tables;
	base->info.fips_approved = info.fips_approved;
	return 0;
}

/* One process: its own handle, nthreads workers on it. */
static int run_process(const char *path, unsigned int proc, unsigned int nthreads,
		       unsigned long count)
{
	struct worker workers[MAX_THREADS];
	pthread_t tids[MAX_THREADS];
	unsigned long ok = 0, mismatched = 0, failed = 0;
	struct baseline base;
	struct azihsm_dev *dev;
	char msg[256];
	unsigned int t, started = 0;
	bool start_failed = false;

	if (azihsm_open(path, &dev)) {
		azihsm_error_format(NULL, msg, sizeof(msg));
		fprintf(stderr, "azihsm-stress: %s: %s\n", path ? path : "(first device)",
			msg);
		return EXIT_FAILURE;
	}
	if (read_baseline(dev, &base)) {
		azihsm_close(dev);
		return EXIT_FAILURE;
	}
	for (t = 0; t < nthreads; t++) {
		workers[t] = (struct worker){
			.dev = dev, .base = &base, .proc = proc, .thread = t,
			.count = count,
		};
		if (pthread_create(&tids[t], NULL, run_worker, &workers[t])) {
			fprintf(stderr, "azihsm-stress: cannot start thread\n");
			start_failed = true;
			break;
		}
		started++;
	}
	for (t = 0; t < started; t++) {
		pthread_join(tids[t], NULL);
		ok += workers[t].ok;
		mismatched += workers[t].mismatched;
		failed += workers[t].failed;
	}
	azihsm_close(dev);
	printf("azihsm-stress: proc %u: %lu requests, %lu matched, %lu mismatched, %lu failed\n",
	       proc, (unsigned long)started * count, ok, mismatched, failed);
	return start_failed || mismatched || failed ||
	       ok != (unsigned long)started * count ? EXIT_FAILURE : EXIT_SUCCESS;
}

static bool parse_number(const char *s, unsigned long max, unsigned long *out)
{
	char *end;

	if (*s < '0' || *s > '9')
		return false;
	*out = strtoul(s, &end, 10);
	return !*end && *out >= 1 && *out <= max;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "device", required_argument, NULL, 'd' },
		{ "count", required_argument, NULL, 'n' },
		{ "threads", required_argument, NULL, 't' },
		{ "procs", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned long count = 1000, nthreads = 1, nprocs = 1, p;
	const char *path = NULL;
	int c, status, exit_status = EXIT_SUCCESS;
	pid_t pids[MAX_PROCS];

	while ((c = getopt_long(argc, argv, "d:n:t:p:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			path = optarg;
			break;
		case 'n':
			if (!parse_number(optarg, 100000000, &count))
				goto bad_usage;
			break;
		case 't':
			if (!parse_number(optarg, MAX_THREADS, &nthreads))
				goto bad_usage;
			break;
		case 'p':
			if (!parse_number(optarg, MAX_PROCS, &nprocs))
				goto bad_usage;
			break;
		case 'h':
			fputs(usage, stdout);
			return EXIT_SUCCESS;
		default:
			goto bad_usage;
		}
	}
	if (optind != argc)
		goto bad_usage;

	if (nprocs == 1)
		return run_process(path, 0, (unsigned int)nthreads, count);

	/* Each child opens its own handle: the driver binds a node to its opener. */
	fflush(stdout);
	for (p = 0; p < nprocs; p++) {
		pids[p] = fork();
		if (pids[p] < 0) {
			perror("azihsm-stress: fork");
			exit_status = EXIT_FAILURE;
			nprocs = p;
			break;
		}
		if (pids[p] == 0) {
			status = run_process(path, (unsigned int)p,
					     (unsigned int)nthreads, count);
			fflush(stdout);
			_exit(status);
		}
	}
	for (p = 0; p < nprocs; p++) {
		if (waitpid(pids[p], &status, 0) < 0 || !WIFEXITED(status) ||
		    WEXITSTATUS(status) != EXIT_SUCCESS)
			exit_status = EXIT_FAILURE;
	}
	printf("azihsm-stress: %s\n", exit_status ? "FAILED" : "all responses matched");
	return exit_status;

bad_usage:
	fputs(usage, stderr);
	return EXIT_USAGE;
}
