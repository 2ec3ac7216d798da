// SPDX-License-Identifier: MIT
/*
 * Guest-side checks of the driver's AES fast-path ioctls (AES-XTS 0x0B,
 * AES-GCM 0x0C; hardware.md 9.8), sent raw: every validation path with
 * its extended status and errno, then, when the device models the fast
 * path, GCM and XTS round trips through pinned user pages (unaligned
 * buffers, odd tails, chained SGL segments, in place), a wrong tag, and
 * a process killed while its commands run.
 *
 *   azihsm-aestest [--device DEV] --id HEX32 --pin HEX32
 *
 * The session comes from libazihsm; the bulk keys are made with raw
 * AesGenerateKey requests.  Prints "ok   CHECK: ..." / "FAIL CHECK: ..."
 * lines.  Exit 0 if all passed, 1 if any failed, 2 on a usage error.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "azihsm/hw.h"
#include "hsm_target.h"
#include "libazihsm.h"
#include "uapi/azihsm.h"
#include "vmtest_util.h"

#define MIB		(1u << 20)
#define SENTINEL_CTXT	0x5a5a5a5a5a5a5a5aull
#define SENTINEL_COUNT	0xdeadbeefu

/* Fast-path extended status of a device that does not model it (7.7 E). */
#define NOT_MODELLED_STS	AZIHSM_AES_STS_FETCH_ERROR
#define NOT_MODELLED_ERR	AZIHSM_AES_FETCH_ERR_INVALID_OPCODE

#define PROG		"azihsm-aestest"

static struct hsm_target target;

static const char usage[] =
	"usage: " PROG " [--device DEV] --id HEX32 --pin HEX32\n";

/* ---- The session and its file descriptor ---- */

struct fixture {
	struct azihsm_dev *dev;
	struct azihsm_session *sess;
	int fd;			/* the handle's descriptor, for raw ioctls */
	uint16_t sess_id;
	uint8_t app_id;
	uint16_t xts_key[2];	/* bulk ids: data unit key, tweak key */
	uint16_t gcm_key;	/* unapproved: the caller's IV */
	uint16_t gcm_fips_key;	/* approved: the device's IV */
};

/* Descriptors open on an azihsm node, as a bitmap over 0..1023. */
static void fds_on_nodes(uint8_t map[128])
{
	char link[64], target_path[PATH_MAX];
	struct dirent *de;
	DIR *dir;
	ssize_t n;
	int fd;

	memset(map, 0, 128);
	dir = opendir("/proc/self/fd");
	if (!dir)
		return;
	while ((de = readdir(dir))) {
		fd = atoi(de->d_name);
		if (de->d_name[0] == '.' || fd >= 1024)
			continue;
		snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
		n = readlink(link, target_path, sizeof(target_path) - 1);
		if (n <= 0)
			continue;
		target_path[n] = '\0';
		if (!strncmp(target_path, "/dev/azihsm", strlen("/dev/azihsm")))
			map[fd / 8] |= 1u << (fd % 8);
	}
	closedir(dir);
}

/* libazihsm keeps its descriptor to itself: find the one it opened. */
static int handle_fd(const uint8_t before[128])
{
	uint8_t after[128];
	int fd, found = -1;

	fds_on_nodes(after);
	for (fd = 0; fd < 1024; fd++)
		if ((after[fd / 8] & ~before[fd / 8]) & (1u << (fd % 8)))
			found = fd;
	return found;
}

/* A bulk key of @type as a session key; its fast-path id or -1. */
static long gen_bulk_key(const char *check, struct fixture *fx, uint32_t type)
{
	struct azihsm_key_params params = {
		.usage = AZIHSM_USAGE_ENCRYPT_DECRYPT, .session = true,
	};
	struct azihsm_key *key;
	uint32_t id;
	int ret;

	ret = azihsm_key_generate(fx->sess, type, &params, &key);
	if (ret) {
		vmtest_result(false, check, "generate a bulk key of type %u: %s",
			      type, azihsm_strerror(ret));
		return -1;
	}
	/* The key stays until the session ends; only the handle goes. */
	id = azihsm_key_bulk_id(key);
	azihsm_key_free(key);
	return id == AZIHSM_NO_BULK_ID ? -1 : (long)id;
}

/*
 * A handle with a session and, with @keys, its bulk keys: two XTS keys
 * and, unless @xts_only, two GCM keys (the fast-path store has room for
 * seven); false after reporting why not.
 */
static bool fixture_open(const char *check, struct fixture *fx, bool keys,
			 bool xts_only)
{
	uint8_t before[128];
	long ids[4] = { 0 };
	int i;

	memset(fx, 0, sizeof(*fx));
	fds_on_nodes(before);
	if (hsm_target_session(&target, &fx->dev, &fx->sess)) {
		vmtest_result(false, check, "cannot open a session");
		return false;
	}
	fx->fd = handle_fd(before);
	fx->sess_id = azihsm_session_id(fx->sess);
	fx->app_id = azihsm_session_short_app_id(fx->sess);
	if (fx->fd < 0) {
		vmtest_result(false, check, "cannot find the handle's descriptor");
		azihsm_close(fx->dev);
		return false;
	}
	if (!keys)
		return true;
	ids[0] = gen_bulk_key(check, fx, AZIHSM_KEY_AES_XTS_BULK);
	ids[1] = gen_bulk_key(check, fx, AZIHSM_KEY_AES_XTS_BULK);
	if (!xts_only) {
		ids[2] = gen_bulk_key(check, fx, AZIHSM_KEY_AES_GCM_BULK_UNAPPROVED);
		ids[3] = gen_bulk_key(check, fx, AZIHSM_KEY_AES_GCM_BULK);
	}
	for (i = 0; i < 4; i++) {
		if (ids[i] < 0) {
			azihsm_close(fx->dev);
			return false;
		}
	}
	fx->xts_key[0] = (uint16_t)ids[0];
	fx->xts_key[1] = (uint16_t)ids[1];
	fx->gcm_key = (uint16_t)ids[2];
	fx->gcm_fips_key = (uint16_t)ids[3];
	return true;
}

/* ---- Raw ioctls ---- */

/* A well-formed command of the fixture's session; buffers set later. */
static void cmd_init(struct azihsm_aes_cmd *c, const struct fixture *fx,
		     bool xts, bool decrypt)
{
	memset(c, 0, sizeof(*c));
	c->hdr.szioctldata = sizeof(*c);
	c->in.op_code = decrypt ? AZIHSM_AES_OP_DECRYPT : AZIHSM_AES_OP_ENCRYPT;
	c->in.cipher = xts ? AZIHSM_AES_CIPHER_XTS : AZIHSM_AES_CIPHER_GCM;
	c->in.frame_type = AZIHSM_AES_FRAME_TYPE_AES;
	c->in.session_id = fx ? fx->sess_id : 0;
	c->in.short_app_id = fx ? fx->app_id : 0;
	c->out.ctxt = SENTINEL_CTXT;
	c->out.byte_count = SENTINEL_COUNT;
	if (xts && fx) {
		c->in.u.xts.key_id1 = fx->xts_key[0];
		c->in.u.xts.key_id2 = fx->xts_key[1];
	} else if (fx) {
		c->in.u.gcm.key_id = fx->gcm_key;
		c->in.u.gcm.enable_gcm_workaround = 1;
	}
}

static void cmd_bufs(struct azihsm_aes_cmd *c, const void *src, uint32_t src_len,
		     void *dst, uint32_t dst_len)
{
	c->in.src_ptr = (uintptr_t)src;
	c->in.src_len = src_len;
	c->in.dst_ptr = (uintptr_t)dst;
	c->in.dst_len = dst_len;
}

/* The ioctl's errno (0 on success). */
static int aes_ioctl(int fd, struct azihsm_aes_cmd *c, bool xts)
{
	return ioctl(fd, xts ? AZIHSM_IOCTL_AES_XTS : AZIHSM_IOCTL_AES_GCM, c) ?
	       errno : 0;
}

/* Expect errno @want and extended status @ext, with the output written back. */
static void expect_fail(const char *check, int fd, struct azihsm_aes_cmd *c,
			bool xts, int want, uint32_t ext)
{
	int err = aes_ioctl(fd, c, xts);

	vmtest_result(err == want && c->out.extended_status == ext &&
	       c->out.byte_count == 0 && c->out.ctxt == SENTINEL_CTXT, check,
	       "errno %d (%s), want %d; extended_status %u, want %u; "
	       "byte_count %u; ctxt %s", err, strerror(err), want,
	       c->out.extended_status, ext, c->out.byte_count,
	       c->out.ctxt == SENTINEL_CTXT ? "kept" : "overwritten");
}

/* ---- Validation (hardware.md 9.8 steps 1 to 6) ---- */

static uint8_t vbuf_src[8192], vbuf_dst[8192];

static void check_size_and_no_session(const struct fixture *fx)
{
	struct azihsm_aes_cmd c;
	int fd, err;

	cmd_init(&c, fx, true, false);
	cmd_bufs(&c, vbuf_src, 512, vbuf_dst, 512);
	c.hdr.szioctldata = sizeof(c) - 1;
	err = aes_ioctl(fx->fd, &c, true);
	vmtest_result(err == EINVAL && c.out.byte_count == SENTINEL_COUNT, "size",
	       "szioctldata 399: errno %d, want EINVAL; nothing written back: %s",
	       err, c.out.byte_count == SENTINEL_COUNT ? "yes" : "no");

	fd = open(azihsm_dev_path(fx->dev), O_RDWR);
	if (fd < 0) {
		vmtest_result(false, "no-session", "open %s: %s",
			      azihsm_dev_path(fx->dev), strerror(errno));
		return;
	}
	cmd_init(&c, fx, true, false);
	cmd_bufs(&c, vbuf_src, 512, vbuf_dst, 512);
	expect_fail("no-session xts", fd, &c, true, EINVAL, AZIHSM_EXT_AES_NO_SESSION);
	cmd_init(&c, fx, false, false);
	cmd_bufs(&c, vbuf_src, 512, vbuf_dst, 512);
	expect_fail("no-session gcm", fd, &c, false, EINVAL, AZIHSM_EXT_AES_NO_SESSION);
	close(fd);
}

/* Step 4: one field of a well-formed command made wrong. */
enum step4_field { SESSION_ID, SHORT_APP_ID, OPCODE, CIPHER_2, OTHER_CIPHER };

static void check_step4(const struct fixture *fx)
{
	static const struct {
		const char *name;
		enum step4_field field;
		uint32_t ext;
	} cases[] = {
		{ "session-id", SESSION_ID, AZIHSM_EXT_AES_SESSION_ID_MISMATCH },
		{ "short-app-id", SHORT_APP_ID, AZIHSM_EXT_AES_SHORT_APP_ID_MISMATCH },
		{ "opcode 2", OPCODE, AZIHSM_EXT_AES_INVALID_OPCODE },
		{ "cipher 2", CIPHER_2, AZIHSM_EXT_AES_INVALID_CIPHER },
		/* The other cipher's value through this cipher's ioctl number. */
		{ "cipher of the other ioctl", OTHER_CIPHER,
		  AZIHSM_EXT_AES_INVALID_CIPHER },
	};
	struct azihsm_aes_cmd c;
	char check[64];
	size_t i;
	int xts;

	for (xts = 0; xts < 2; xts++) {
		for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
			cmd_init(&c, fx, xts, false);
			cmd_bufs(&c, vbuf_src, 512, vbuf_dst, 512);
			switch (cases[i].field) {
			case SESSION_ID:
				c.in.session_id ^= 1;
				break;
			case SHORT_APP_ID:
				c.in.short_app_id ^= 1;
				break;
			case OPCODE:
				c.in.op_code = 2;
				break;
			case CIPHER_2:
				c.in.cipher = 2;
				break;
			case OTHER_CIPHER:
				c.in.cipher = xts ? AZIHSM_AES_CIPHER_GCM :
					      AZIHSM_AES_CIPHER_XTS;
				break;
			}
			snprintf(check, sizeof(check), "%s %s", xts ? "xts" : "gcm",
				 cases[i].name);
			expect_fail(check, fx->fd, &c, xts, EINVAL, cases[i].ext);
		}
	}
}

/* Step 5: the length rules of hardware.md 7.8. */
static void check_length_rules(const struct fixture *fx)
{
	static const struct {
		const char *name;
		bool xts;
		uint32_t src_len, dst_len;
		uint16_t dul;			/* XTS */
		uint32_t actual, aligned;	/* GCM */
		uint8_t workaround;
	} cases[] = {
		{ "xts dst shorter", true, 512, 496, 0, 0, 0, 0 },
		{ "xts zero length", true, 0, 512, 0, 0, 0, 0 },
		{ "xts bad unit code", true, 512, 512, 4, 0, 0, 0 },
		{ "xts not a multiple of 512", true, 1024 + 16, 2048, 1, 0, 0, 0 },
		{ "xts not a multiple of 4096", true, 4096 + 512, 8192, 2, 0, 0, 0 },
		{ "xts not a multiple of 8192", true, 4096, 8192, 3, 0, 0, 0 },
		{ "gcm aad not below src", false, 64, 64, 0, 64, 64, 1 },
		{ "gcm aad not below src (no tail protocol)", false, 32, 64, 0, 32,
		  32, 0 },
		{ "gcm zero length", false, 0, 64, 0, 0, 0, 1 },
		{ "gcm dst below text", false, 96, 63, 0, 32, 32, 1 },
		{ "gcm aligned aad not a multiple of 32", false, 96, 96, 0, 16, 48, 1 },
		{ "gcm aligned aad below actual", false, 96, 96, 0, 40, 32, 1 },
		{ "gcm tail beyond dst", false, 64 + 5, 60, 0, 20, 64, 1 },
	};
	struct azihsm_aes_cmd c;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cmd_init(&c, fx, cases[i].xts, false);
		cmd_bufs(&c, vbuf_src, cases[i].src_len, vbuf_dst, cases[i].dst_len);
		if (cases[i].xts) {
			c.in.u.xts.data_unit_len = cases[i].dul;
		} else {
			c.in.u.gcm.actual_aad_data_len = cases[i].actual;
			c.in.u.gcm.aligned_aad_len = cases[i].aligned;
			c.in.u.gcm.enable_gcm_workaround = cases[i].workaround;
		}
		expect_fail(cases[i].name, fx->fd, &c, cases[i].xts, EINVAL,
			    cases[i].xts ? AZIHSM_EXT_AES_XTS_VALIDATION :
			    AZIHSM_EXT_AES_GCM_VALIDATION);
	}
}

/* A table of step-6 cases for both ciphers. */
struct buf_case {
	const char *name;
	const void *src;
	const void *dst;
	uint8_t frame_type;
	uint32_t ext;
};

static void check_step6(const struct fixture *fx)
{
	static const uint8_t rodata[4096] = { 1 };
	const void *kernel = (const void *)0xffff888000000000ull;
	struct azihsm_aes_cmd c;
	uint8_t *gone;
	size_t i;
	int xts;

	gone = mmap(NULL, 8192, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (gone == MAP_FAILED) {
		vmtest_result(false, "step6", "mmap: %s", strerror(errno));
		return;
	}
	munmap(gone, 8192);

	const struct buf_case cases[] = {
		{ "frame type", vbuf_src, vbuf_dst, 0,
		  AZIHSM_EXT_AES_INVALID_FRAME_TYPE },
		/* Each later failing check overwrites the code. */
		{ "NULL src after a bad frame type", NULL, vbuf_dst, 0,
		  AZIHSM_EXT_AES_INVALID_INPUT_BUFFER },
		{ "NULL src and dst", NULL, NULL, 1,
		  AZIHSM_EXT_AES_INVALID_OUTPUT_BUFFER },
		{ "NULL dst", vbuf_src, NULL, 1, AZIHSM_EXT_AES_INVALID_OUTPUT_BUFFER },
		{ "kernel src", kernel, vbuf_dst, 1,
		  AZIHSM_EXT_AES_INVALID_INPUT_BUFFER },
		{ "kernel dst", vbuf_src, kernel, 1,
		  AZIHSM_EXT_AES_INVALID_OUTPUT_BUFFER },
		/* These pass validation; pinning the pages fails. */
		{ "unmapped src", gone, vbuf_dst, 1,
		  AZIHSM_EXT_AES_INVALID_INPUT_BUFFER },
		{ "unmapped dst", vbuf_src, gone + 4096, 1,
		  AZIHSM_EXT_AES_INVALID_OUTPUT_BUFFER },
		{ "read-only dst", vbuf_src, rodata, 1,
		  AZIHSM_EXT_AES_INVALID_OUTPUT_BUFFER },
	};

	for (xts = 0; xts < 2; xts++) {
		for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
			char check[80];

			cmd_init(&c, fx, xts, false);
			cmd_bufs(&c, cases[i].src, 512, (void *)cases[i].dst, 512);
			c.in.frame_type = cases[i].frame_type;
			snprintf(check, sizeof(check), "%s %s", xts ? "xts" : "gcm",
				 cases[i].name);
			expect_fail(check, fx->fd, &c, xts, EINVAL, cases[i].ext);
		}
	}

	/* More than the driver pins (XTS 16 MiB, GCM 32 MiB + 32). */
	cmd_init(&c, fx, true, false);
	cmd_bufs(&c, vbuf_src, 32 * MIB, vbuf_dst, 32 * MIB);
	expect_fail("xts above 16 MiB", fx->fd, &c, true, EINVAL,
		    AZIHSM_EXT_AES_INVALID_OUTPUT_BUFFER);
	cmd_init(&c, fx, false, false);
	cmd_bufs(&c, vbuf_src, 32 * MIB + 64, vbuf_dst, 16 * MIB + 32);
	c.in.u.gcm.actual_aad_data_len = 16 * MIB + 32;
	c.in.u.gcm.aligned_aad_len = 16 * MIB + 32;
	expect_fail("gcm src above 32 MiB + 32", fx->fd, &c, false, EINVAL,
		    AZIHSM_EXT_AES_INVALID_INPUT_BUFFER);
}

/* ---- Round trips ---- */

/* Buffers at an odd offset into a page-aligned mapping. */
struct bufs {
	uint8_t *map;
	size_t map_len;
	uint8_t *pt, *ct, *back;
};

static bool bufs_alloc(struct bufs *b, size_t len, size_t offset)
{
	size_t one = (len + offset + 4095) & ~(size_t)4095;

	b->map_len = 3 * one;
	b->map = mmap(NULL, b->map_len, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (b->map == MAP_FAILED)
		return false;
	b->pt = b->map + offset;
	b->ct = b->map + one + offset;
	b->back = b->map + 2 * one + offset;
	return true;
}

static void bufs_free(struct bufs *b)
{
	munmap(b->map, b->map_len);
}

static void fill_random(uint8_t *p, size_t len, unsigned int seed)
{
	size_t i;

	for (i = 0; i < len; i++) {
		seed = seed * 1103515245u + 12345u;
		p[i] = (uint8_t)(seed >> 16);
	}
}

static bool not_modelled(const struct azihsm_aes_cmd *c, int err)
{
	return err == EIO && c->out.result == NOT_MODELLED_STS &&
	       c->out.extended_status == NOT_MODELLED_ERR;
}

/* One XTS pass; the ioctl's errno. */
static int xts_pass(const struct fixture *fx, bool decrypt, const uint8_t *src,
		    uint8_t *dst, uint32_t len, uint16_t dul, struct azihsm_aes_cmd *c)
{
	cmd_init(c, fx, true, decrypt);
	cmd_bufs(c, src, len, dst, len);
	c->in.u.xts.data_unit_len = dul;
	memset(c->in.u.xts.tweak, 0x11, sizeof(c->in.u.xts.tweak));
	return aes_ioctl(fx->fd, c, true);
}

/* Returns false if the device does not model the fast path. */
static bool check_xts_round_trip(const struct fixture *fx, const char *check,
				 uint32_t len, size_t offset, uint16_t dul,
				 bool in_place)
{
	struct azihsm_aes_cmd c;
	struct bufs b;
	uint8_t *out;
	int err;

	if (!bufs_alloc(&b, len, offset)) {
		vmtest_result(false, check, "no memory for %u bytes", len);
		return true;
	}
	fill_random(b.pt, len, len);
	memcpy(b.ct, b.pt, len);
	out = in_place ? b.ct : b.back;
	err = xts_pass(fx, false, in_place ? b.ct : b.pt, b.ct, len, dul, &c);
	if (not_modelled(&c, err)) {
		bufs_free(&b);
		return false;
	}
	vmtest_result(!err && c.out.result == 0 && c.out.extended_status == 0 &&
	       c.out.byte_count == len && memcmp(b.ct, b.pt, len), check,
	       "encrypt %u bytes at offset %zu: errno %d, result %u, ext %u, "
	       "byte_count %u", len, offset, err, c.out.result,
	       c.out.extended_status, c.out.byte_count);
	err = xts_pass(fx, true, b.ct, out, len, dul, &c);
	vmtest_result(!err && c.out.byte_count == len && !memcmp(out, b.pt, len), check,
	       "decrypt gives the plaintext back: errno %d, result %u, ext %u, "
	       "byte_count %u", err, c.out.result, c.out.extended_status,
	       c.out.byte_count);
	bufs_free(&b);
	return true;
}

/* SDK padding of the AAD (hardware.md 7.9): the aligned length. */
static uint32_t aad_layout(uint8_t *region, const uint8_t *aad, uint32_t aad_len)
{
	uint32_t r = aad_len % 32, lead = (r >= 1 && r <= 16) ? 16 : 0;
	uint32_t aligned = (lead + aad_len + 31) & ~31u;

	memset(region, 0, aligned);
	memcpy(region + lead, aad, aad_len);
	return aligned;
}

static int gcm_pass(const struct fixture *fx, uint16_t key, bool decrypt,
		    const uint8_t *src, uint8_t *dst, uint32_t len,
		    uint32_t aad_len, uint32_t aligned, const uint8_t iv[12],
		    const uint8_t tag[16], struct azihsm_aes_cmd *c)
{
	cmd_init(c, fx, false, decrypt);
	cmd_bufs(c, src, len, dst, len);
	c->in.u.gcm.key_id = key;
	c->in.u.gcm.actual_aad_data_len = aad_len;
	c->in.u.gcm.aligned_aad_len = aligned;
	memcpy(c->in.u.gcm.init_vector, iv, 12);
	if (tag)
		memcpy(c->in.u.gcm.tag, tag, 16);
	return aes_ioctl(fx->fd, c, false);
}

static void check_gcm_round_trip(const struct fixture *fx, const char *check,
				 uint32_t text_len, uint32_t aad_len,
				 size_t offset, bool in_place, bool fips)
{
	static const uint8_t zero_iv[12];
	uint8_t iv[12], tag[16], aad[100];
	struct azihsm_aes_cmd c;
	uint32_t aligned, len;
	uint16_t key = fips ? fx->gcm_fips_key : fx->gcm_key;
	struct bufs b;
	uint8_t *out;
	int err;

	if (!bufs_alloc(&b, 128 + text_len, offset)) {
		vmtest_result(false, check, "no memory");
		return;
	}
	fill_random(aad, sizeof(aad), aad_len);
	aligned = aad_len ? aad_layout(b.pt, aad, aad_len) : 0;
	len = aligned + text_len;
	fill_random(b.pt + aligned, text_len, text_len);
	memcpy(iv, "aestest-iv-1", 12);
	memcpy(b.ct, b.pt, len);
	err = gcm_pass(fx, key, false, in_place ? b.ct : b.pt, b.ct, len, aad_len,
		       aligned, iv, NULL, &c);
	vmtest_result(!err && !c.out.result && !c.out.extended_status &&
	       c.out.byte_count == len &&
	       (!text_len || memcmp(b.ct + aligned, b.pt + aligned, text_len)) &&
	       (fips || !memcmp(c.out.iv_from_fw, iv, 12)) &&
	       memcmp(c.out.iv_from_fw, zero_iv, 12), check,
	       "encrypt %u text + %u AAD bytes at offset %zu: errno %d, result %u, "
	       "ext %u, byte_count %u", text_len, aad_len, offset, err,
	       c.out.result, c.out.extended_status, c.out.byte_count);
	memcpy(tag, c.out.cmd_spec, 16);
	memcpy(iv, c.out.iv_from_fw, 12);

	/* The AAD region is input on decryption too. */
	memcpy(b.ct, b.pt, aligned);
	out = in_place ? b.ct : b.back;
	if (!in_place)
		memset(out, 0xee, len);
	err = gcm_pass(fx, key, true, b.ct, out, len, aad_len, aligned, iv, tag, &c);
	vmtest_result(!err && c.out.byte_count == len &&
	       !memcmp(out + aligned, b.pt + aligned, text_len), check,
	       "decrypt gives the plaintext back: errno %d, result %u, ext %u, "
	       "byte_count %u", err, c.out.result, c.out.extended_status,
	       c.out.byte_count);

	if (!in_place) {
		/* A wrong tag: EBADMSG, nothing written. */
		tag[0] ^= 1;
		memset(b.back, 0xee, len);
		err = gcm_pass(fx, key, true, b.ct, b.back, len, aad_len, aligned,
			       iv, tag, &c);
		vmtest_result(err == EBADMSG && c.out.result != 0 && c.out.byte_count == 0 &&
		       (b.back[len - 1] == 0xee && b.back[aligned] == 0xee), check,
		       "wrong tag: errno %d (%s), result %u, ext 0x%x, byte_count %u, "
		       "destination %s", err, strerror(err), c.out.result,
		       c.out.extended_status, c.out.byte_count,
		       b.back[len - 1] == 0xee && b.back[aligned] == 0xee ?
		       "untouched" : "written");
	}
	bufs_free(&b);
}

/* Several threads of the owner at once: the commands spread over queues. */
struct thread_arg {
	const struct fixture *fx;
	int index;
	int failed;
};

static void *worker(void *p)
{
	struct thread_arg *arg = p;
	uint8_t src[4096 + 7], mid[4096], back[4096];
	struct azihsm_aes_cmd c;
	int i;

	for (i = 0; i < 50; i++) {
		fill_random(src, sizeof(src), (unsigned int)(arg->index * 1000 + i));
		if (xts_pass(arg->fx, false, src + 7, mid, 4096, AZIHSM_AES_DUL_512,
			     &c) ||
		    xts_pass(arg->fx, true, mid, back, 4096, AZIHSM_AES_DUL_512, &c) ||
		    memcmp(back, src + 7, 4096))
			arg->failed++;
	}
	return NULL;
}

static void check_threads(const struct fixture *fx)
{
	struct thread_arg args[8];
	pthread_t tids[8];
	int i, failed = 0;

	for (i = 0; i < 8; i++) {
		args[i] = (struct thread_arg){ .fx = fx, .index = i };
		pthread_create(&tids[i], NULL, worker, &args[i]);
	}
	for (i = 0; i < 8; i++) {
		pthread_join(tids[i], NULL);
		failed += args[i].failed;
	}
	vmtest_result(!failed, "threads", "8 threads x 50 XTS round trips, %d failed", failed);
}

/* A child runs 16 MiB XTS commands in a loop until it is killed. */
static void __attribute__((noreturn)) encrypt_forever(int ready_fd)
{
	struct fixture fx;
	struct azihsm_aes_cmd c;
	uint8_t *buf = malloc(16 * MIB);
	char ok = 1;

	if (!buf || !fixture_open("killed child", &fx, true, true))
		_exit(1);
	memset(buf, 0x3c, 16 * MIB);
	if (write(ready_fd, &ok, 1) != 1)
		_exit(1);
	for (;;)
		xts_pass(&fx, false, buf, buf, 16 * MIB, AZIHSM_AES_DUL_4096, &c);
}

/*
 * Pages pinned with FOLL_PIN and not yet released, system-wide.  The
 * counters are kept per CPU and folded lazily: fold them first.
 */
static long pinned_pages(void)
{
	long acquired = -1, released = -1, value;
	int refresh = open("/proc/sys/vm/stat_refresh", O_WRONLY);
	char name[64];
	FILE *f;

	if (refresh >= 0) {
		if (write(refresh, "1", 1) != 1)
			vmtest_result(false, "stat_refresh", "%s", strerror(errno));
		close(refresh);
	}
	f = fopen("/proc/vmstat", "r");
	if (!f)
		return -1;
	while (fscanf(f, "%63s %ld", name, &value) == 2) {
		if (!strcmp(name, "nr_foll_pin_acquired"))
			acquired = value;
		else if (!strcmp(name, "nr_foll_pin_released"))
			released = value;
	}
	fclose(f);
	return acquired < 0 || released < 0 ? -1 : acquired - released;
}

/*
 * Kill a process while its 16 MiB commands run, several times.  A command
 * whose process died must keep its pages pinned until the device is done,
 * then release them all: seen as pins outstanding right after the death
 * of the process (in at least one round), back to none shortly after.
 */
static void check_killed_process(const struct fixture *fx)
{
	const char *check = "killed-mid-command";
	struct timespec wait = { 0, 50 * 1000 * 1000 };
	long base = pinned_pages(), left, orphaned = 0;
	struct pollfd pfd;
	int fds[2], status, round, tries;
	char c;
	pid_t pid;

	for (round = 0; round < 5; round++) {
		if (pipe(fds)) {
			vmtest_result(false, check, "pipe: %s", strerror(errno));
			return;
		}
		fflush(stdout);
		pid = fork();
		if (pid < 0) {
			vmtest_result(false, check, "fork: %s", strerror(errno));
			return;
		}
		if (!pid) {
			close(fds[0]);
			encrypt_forever(fds[1]);
		}
		close(fds[1]);
		pfd = (struct pollfd){ .fd = fds[0], .events = POLLIN };
		if (poll(&pfd, 1, 30000) != 1 || read(fds[0], &c, 1) != 1)
			vmtest_result(false, check, "the child never started");
		wait.tv_nsec = (round + 1) * 30 * 1000 * 1000;
		nanosleep(&wait, NULL);
		close(fds[0]);
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		left = pinned_pages() - base;
		if (left > 0)
			orphaned++;
		vmtest_result(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL, check,
		       "round %d: the child was killed (status 0x%x); %ld page(s) "
		       "still pinned after its death", round, status, left);
		wait.tv_nsec = 50 * 1000 * 1000;
		for (tries = 0; tries < 200 && pinned_pages() != base; tries++)
			nanosleep(&wait, NULL);
		vmtest_result(pinned_pages() == base, check,
		       "round %d: all pages unpinned %d ms later", round, tries * 50);
	}
	vmtest_result(orphaned > 0, check, "%ld of 5 rounds killed a process with "
	       "commands on the device", orphaned);
	/* The device and this process's session still work. */
	check_xts_round_trip(fx, check, 64 * 1024, 3, AZIHSM_AES_DUL_512, false);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		HSM_TARGET_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	struct fixture fx;
	int c, ret;

	target = (struct hsm_target){ .prog = PROG, .usage = usage };
	while ((c = getopt_long(argc, argv, "d:h", longopts, NULL)) != -1) {
		ret = hsm_target_getopt(&target, c, optarg);
		if (ret != HSM_OPT_MORE)
			return ret;
	}
	ret = hsm_target_options_done(&target, true, optind == argc);
	if (ret)
		return ret;
	if (!fixture_open("setup", &fx, true, false))
		return 1;

	check_size_and_no_session(&fx);
	check_step4(&fx);
	check_length_rules(&fx);
	check_step6(&fx);

	/* If the first round trip fails, the rest would only repeat it. */
	if (!check_xts_round_trip(&fx, "xts probe", 512, 0, AZIHSM_AES_DUL_512,
				  false)) {
		azihsm_close(fx.dev);
		vmtest_summary(PROG);
		return 1;
	}
	check_xts_round_trip(&fx, "xts 16 bytes", 16, 5, AZIHSM_AES_DUL_WHOLE, false);
	check_xts_round_trip(&fx, "xts 4 KiB units", 3 * 4096, 4093,
			     AZIHSM_AES_DUL_4096, false);
	check_xts_round_trip(&fx, "xts 8 KiB units", 4 * 8192, 1,
			     AZIHSM_AES_DUL_8192, false);
	check_xts_round_trip(&fx, "xts chained segments", 1536 * 1024, 100,
			     AZIHSM_AES_DUL_512, false);
	check_xts_round_trip(&fx, "xts 16 MiB", 16 * MIB, 0, AZIHSM_AES_DUL_4096,
			     false);
	check_xts_round_trip(&fx, "xts in place", 1024 * 1024 + 512, 17,
			     AZIHSM_AES_DUL_512, true);

	check_gcm_round_trip(&fx, "gcm aligned", 4096, 0, 0, false, false);
	check_gcm_round_trip(&fx, "gcm tail 1", 1, 0, 3, false, false);
	check_gcm_round_trip(&fx, "gcm tail 15 with aad 5", 31, 5, 4090, false, false);
	check_gcm_round_trip(&fx, "gcm tail 3 with aad 20", 4099, 20, 1, false, false);
	check_gcm_round_trip(&fx, "gcm aad 32", 48, 32, 11, false, false);
	check_gcm_round_trip(&fx, "gcm chained segments", 1200 * 1024 + 9, 17, 7,
			     false, false);
	check_gcm_round_trip(&fx, "gcm in place", 65536 + 13, 12, 5, true, false);
	check_gcm_round_trip(&fx, "gcm device iv", 1000, 16, 2, false, true);

	check_threads(&fx);
	check_killed_process(&fx);

	azihsm_close(fx.dev);
	return vmtest_summary(PROG);
}
