// SPDX-License-Identifier: MIT
/*
 * Guest-side checks of the /dev/azihsmN ioctl ABI that need raw ioctls:
 * argument validation, ownership, and behaviour after the device is gone.
 * Built for the guest by tests/vm/vm.mk; driven by the scripts in tests/vm/guest/.
 *
 *   azihsm-vmtest ioctl-errors DEV     every rejection path answers as documented
 *   azihsm-vmtest raw-api-rev DEV      a GetApiRev request crosses the whole stack
 *   azihsm-vmtest hold-open DEV DIR    open DEV, wait for DIR/go, expect ENODEV
 *   azihsm-vmtest expect-timeout DEV S the device loses the next command: it
 *                                      fails with ETIMEDOUT after S seconds,
 *                                      then the reset queue works again
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "uapi/azihsm.h"

static int failures;

#define CHECK(cond, ...) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);	\
		fprintf(stderr, __VA_ARGS__);				\
		fputc('\n', stderr);					\
		failures++;						\
	}								\
} while (0)

/* GetApiRev request and the device's answer, spec/ddi.md 1.8 examples 1-2. */
static const uint8_t api_rev_req[] = {
	0xA2, 0x18, 0x00, 0xA1, 0x18, 0x02, 0x1A, 0x00, 0x00, 0x03, 0xEA,
	0x18, 0x01, 0xA0,
};
static const uint8_t api_rev_resp[] = {
	0xA2, 0x18, 0x00, 0xA3, 0x18, 0x02, 0x1A, 0x00, 0x00, 0x03, 0xEA,
	0x18, 0x04, 0x1A, 0x00, 0x00, 0x00, 0x00, 0x18, 0x05, 0x14,
	0x18, 0x01, 0xA2,
	0x18, 0x01, 0xA2, 0x18, 0x01, 0x1A, 0x00, 0x00, 0x00, 0x01,
	0x18, 0x02, 0x1A, 0x00, 0x00, 0x00, 0x00,
	0x18, 0x02, 0xA2, 0x18, 0x01, 0x1A, 0x00, 0x00, 0x00, 0x01,
	0x18, 0x02, 0x1A, 0x00, 0x00, 0x00, 0x00,
};

static void init_cmd(struct azihsm_hsm_cmd *c, const void *req, size_t req_len,
		     void *resp, size_t resp_len)
{
	memset(c, 0, sizeof(*c));
	c->hdr.szioctldata = sizeof(*c);
	c->in.ctxt = 0x1122334455667788ull;
	c->in.src_length = (uint32_t)req_len;
	c->in.src_buf = (uintptr_t)req;
	c->in.dst_length = (uint32_t)resp_len;
	c->in.dst_buf = (uintptr_t)resp;
}

/* Issue a command expected to fail with errno err and extended status ext. */
static void expect_cmd_error(int fd, struct azihsm_hsm_cmd *c, int err,
			     uint32_t ext, const char *what)
{
	int rc = ioctl(fd, AZIHSM_IOCTL_HSM_CMD, c);
	int e = errno;

	CHECK(rc == -1 && e == err, "%s: rc %d errno %d (%s), want errno %d",
	      what, rc, e, strerror(e), err);
	CHECK(c->out.ext_status == ext, "%s: ext_status %u, want %u", what,
	      c->out.ext_status, ext);
}

static int raw_api_rev(int fd)
{
	uint8_t resp[8192];
	struct azihsm_hsm_cmd c;

	memset(resp, 0xEE, sizeof(resp));
	init_cmd(&c, api_rev_req, sizeof(api_rev_req), resp, sizeof(resp));
	CHECK(ioctl(fd, AZIHSM_IOCTL_HSM_CMD, &c) == 0, "GetApiRev ioctl: %s",
	      strerror(errno));
	CHECK(c.out.status == 0, "GetApiRev transport status 0x%x", c.out.status);
	CHECK(c.out.ctxt == c.in.ctxt, "ctxt not echoed");
	CHECK(c.out.byte_count == sizeof(api_rev_resp), "byte_count %u, want %zu",
	      c.out.byte_count, sizeof(api_rev_resp));
	CHECK(memcmp(resp, api_rev_resp, sizeof(api_rev_resp)) == 0,
	      "GetApiRev response bytes differ from spec/ddi.md example 2");
	return failures;
}

static void ioctl_errors(int fd)
{
	uint8_t resp[256];
	struct azihsm_hsm_cmd c;
	struct azihsm_dev_info info;
	unsigned long bad;
	pid_t pid;
	int status;

	/* Declared size below the structure: rejected, buffer left alone. */
	init_cmd(&c, api_rev_req, sizeof(api_rev_req), resp, sizeof(resp));
	c.hdr.szioctldata = sizeof(c) - 1;
	CHECK(ioctl(fd, AZIHSM_IOCTL_HSM_CMD, &c) == -1 && errno == EINVAL,
	      "short szioctldata: errno %d", errno);
	CHECK(c.in.ctxt == 0x1122334455667788ull && c.in.src_length == sizeof(api_rev_req),
	      "short szioctldata: caller's buffer was modified");

	/* The argument itself unreadable. */
	CHECK(ioctl(fd, AZIHSM_IOCTL_HSM_CMD, (void *)8) == -1 && errno == EFAULT,
	      "unreadable argument: errno %d", errno);
	CHECK(ioctl(fd, AZIHSM_IOCTL_GET_DEV_INFO, (void *)8) == -1 && errno == EFAULT,
	      "unreadable dev-info argument: errno %d", errno);

	/* Unknown and retired numbers. */
	CHECK(ioctl(fd, AZIHSM_IOCTL_HSM_CMD_LEGACY, &c) == -1 && errno == EBADRQC,
	      "legacy 0x02: errno %d", errno);
	bad = _IOWR(AZIHSM_IOCTL_MAGIC, 0x7f, struct azihsm_hsm_cmd);
	CHECK(ioctl(fd, bad, &c) == -1 && errno == EBADRQC, "nr 0x7f: errno %d", errno);
	bad = _IOWR('Z', 0x03, struct azihsm_hsm_cmd);
	CHECK(ioctl(fd, bad, &c) == -1 && errno == EBADRQC, "magic Z: errno %d", errno);

	init_cmd(&c, api_rev_req, sizeof(api_rev_req), resp, sizeof(resp));
	c.in.cmdset = 1;
	expect_cmd_error(fd, &c, EINVAL, AZIHSM_EXT_INVALID_CMDSET, "cmdset 1");

	init_cmd(&c, api_rev_req, 8193, resp, sizeof(resp));
	expect_cmd_error(fd, &c, EINVAL, AZIHSM_EXT_INPUT_ABOVE_8K, "src 8193");

	init_cmd(&c, api_rev_req, sizeof(api_rev_req), resp, 8193);
	expect_cmd_error(fd, &c, EINVAL, AZIHSM_EXT_OUTPUT_ABOVE_8K, "dst 8193");

	init_cmd(&c, NULL, 14, resp, sizeof(resp));
	expect_cmd_error(fd, &c, EINVAL, AZIHSM_EXT_INVALID_INPUT_BUFFER, "src NULL");

	init_cmd(&c, api_rev_req, 0, resp, sizeof(resp));
	expect_cmd_error(fd, &c, EINVAL, AZIHSM_EXT_INVALID_INPUT_BUFFER,
			 "src pointer without length");

	init_cmd(&c, api_rev_req, sizeof(api_rev_req), NULL, 64);
	expect_cmd_error(fd, &c, EINVAL, AZIHSM_EXT_INVALID_OUTPUT_BUFFER, "dst NULL");

	init_cmd(&c, (void *)0x1000, 14, resp, sizeof(resp));
	expect_cmd_error(fd, &c, EINVAL, AZIHSM_EXT_INVALID_INPUT_BUFFER,
			 "unmapped src");

	init_cmd(&c, api_rev_req, sizeof(api_rev_req), (void *)0x1000, 64);
	expect_cmd_error(fd, &c, EINVAL, AZIHSM_EXT_INVALID_OUTPUT_BUFFER,
			 "unmapped dst");

	/* Session opcodes that need a session this file does not have. */
	init_cmd(&c, api_rev_req, sizeof(api_rev_req), resp, sizeof(resp));
	c.in.u.session.session_flags = AZIHSM_IOCTL_SESS_IN_SESSION |
				       AZIHSM_IOCTL_SESS_ID_VALID;
	expect_cmd_error(fd, &c, EINVAL, AZIHSM_EXT_NO_EXISTING_SESSION,
			 "in-session without session");
	init_cmd(&c, api_rev_req, sizeof(api_rev_req), resp, sizeof(resp));
	c.in.u.session.session_flags = AZIHSM_IOCTL_SESS_CLOSE |
				       AZIHSM_IOCTL_SESS_ID_VALID;
	expect_cmd_error(fd, &c, EINVAL, AZIHSM_EXT_NO_EXISTING_SESSION,
			 "close without session");

	/* GET_DEV_INFO size check. */
	memset(&info, 0, sizeof(info));
	info.argsz = sizeof(info) - 1;
	CHECK(ioctl(fd, AZIHSM_IOCTL_GET_DEV_INFO, &info) == -1 && errno == EINVAL,
	      "dev info short argsz: errno %d", errno);

	/* Only the opener may use the file, even its own child. */
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		memset(&info, 0, sizeof(info));
		info.argsz = sizeof(info);
		if (ioctl(fd, AZIHSM_IOCTL_GET_DEV_INFO, &info) == -1 && errno == EACCES)
			_exit(0);
		_exit(1);
	}
	CHECK(pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
	      WEXITSTATUS(status) == 0, "child using the parent's fd was not refused with EACCES");

	/* After all of that the file still works. */
	raw_api_rev(fd);
}

/*
 * The level-1 abort after the timeout is two admin commands; under TCG
 * they take well under a second, so more than this is a hang somewhere.
 */
#define ABORT_SLACK_S	4.0

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * Run on a device that loses the next HSM command (x-stall-commands): the
 * ioctl fails with ETIMEDOUT and ext. status ABORTED once the driver's
 * command timeout has passed, and the queue the driver reset carries the
 * next command.
 */
static void expect_timeout(int fd, double timeout_s)
{
	uint8_t resp[256];
	struct azihsm_hsm_cmd c;
	double start, elapsed;

	init_cmd(&c, api_rev_req, sizeof(api_rev_req), resp, sizeof(resp));
	start = now_s();
	expect_cmd_error(fd, &c, ETIMEDOUT, AZIHSM_EXT_ABORTED, "lost command");
	elapsed = now_s() - start;
	printf("lost command failed after %.2f s\n", elapsed);
	/* Jiffies rounding may end the wait a tick early. */
	CHECK(elapsed >= timeout_s - 0.1 && elapsed <= timeout_s + ABORT_SLACK_S,
	      "lost command failed after %.2f s, want %.0f s", elapsed, timeout_s);
	raw_api_rev(fd);
}

static int hold_open(const char *dev, const char *dir)
{
	char path[256];
	struct azihsm_dev_info info;
	int fd, i, rc;

	fd = open(dev, O_RDWR);
	if (fd < 0) {
		perror(dev);
		return 1;
	}
	snprintf(path, sizeof(path), "%s/ready", dir);
	close(open(path, O_CREAT | O_WRONLY, 0644));
	snprintf(path, sizeof(path), "%s/go", dir);
	for (i = 0; i < 600 && access(path, F_OK) != 0; i++)
		usleep(100000);
	memset(&info, 0, sizeof(info));
	info.argsz = sizeof(info);
	rc = ioctl(fd, AZIHSM_IOCTL_GET_DEV_INFO, &info);
	CHECK(rc == -1 && errno == ENODEV, "ioctl after removal: rc %d errno %d", rc, errno);
	CHECK(close(fd) == 0, "close after removal: %s", strerror(errno));
	return failures;
}

static int usage(const char *prog)
{
	fprintf(stderr, "usage: %s ioctl-errors|raw-api-rev DEV | hold-open DEV DIR |"
		" expect-timeout DEV SECONDS\n", prog);
	return 2;
}

int main(int argc, char **argv)
{
	double timeout_s = 0;
	int fd;

	if (argc == 4 && strcmp(argv[1], "hold-open") == 0)
		return hold_open(argv[2], argv[3]) ? 1 : 0;
	if (argc == 4 && strcmp(argv[1], "expect-timeout") == 0) {
		timeout_s = atof(argv[3]);
		if (timeout_s <= 0)
			return usage(argv[0]);
	} else if (argc != 3 ||
		   (strcmp(argv[1], "ioctl-errors") && strcmp(argv[1], "raw-api-rev"))) {
		return usage(argv[0]);
	}
	fd = open(argv[2], O_RDWR);
	if (fd < 0) {
		perror(argv[2]);
		return 1;
	}
	if (timeout_s > 0)
		expect_timeout(fd, timeout_s);
	else if (strcmp(argv[1], "ioctl-errors") == 0)
		ioctl_errors(fd);
	else
		raw_api_rev(fd);
	close(fd);
	if (failures)
		fprintf(stderr, "%d check(s) failed\n", failures);
	return failures ? 1 : 0;
}
