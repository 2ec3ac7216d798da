// SPDX-License-Identifier: MIT
/*
 * Guest-side checks of keys through libazihsm and the real driver: the
 * failure cases that need several sessions, many keys or a killed
 * process in one program.  Run by tests/vm/guest/test_keys.sh on a
 * provisioned partition with no other session open.
 *
 *   azihsm-keytest DEV ID-HEX32 PIN-HEX32
 *
 * Prints one line per check ("ok   NAME: ..." or "FAIL NAME: ...") and
 * exits 1 if any failed, 2 on a usage error.  Every key it creates is
 * deleted again (app keys) or dies with its session.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "azihsm/ddi.h"
#include "azihsm/ddi_msg.h"
#include "libazihsm.h"
#include "vmtest_util.h"

/* Tags of the app keys made here; test_keys.sh uses tags below 0x7000. */
#define TAG_DELETED	0x7e01
#define TAG_SHARED	0x7e02
#define TAG_DUPLICATE	0x7e03

static const char *dev_path;
static uint8_t cred_id[16], cred_pin[16];

/* One check of a status: got must be want. */
static bool expect(const char *check, const char *what, int got, int want)
{
	char msg[256];

	if (got == want) {
		vmtest_result(true, check, "%s: %s", what, azihsm_strerror(got));
		return true;
	}
	azihsm_error_format(NULL, msg, sizeof(msg));
	vmtest_result(false, check, "%s: got \"%s\", want \"%s\"", what, msg,
		      azihsm_strerror(want));
	return false;
}

/* A handle with a session on it; NULL after reporting the check failed. */
static struct azihsm_dev *open_session(const char *check,
				       struct azihsm_session **sess)
{
	struct azihsm_dev *dev;
	char msg[256];
	int ret;

	ret = azihsm_open(dev_path, &dev);
	if (!ret) {
		ret = azihsm_session_open(dev, cred_id, cred_pin, sess);
		if (ret)
			azihsm_close(dev);
	}
	if (ret) {
		azihsm_error_format(NULL, msg, sizeof(msg));
		vmtest_result(false, check, "cannot open a session: %s", msg);
		return NULL;
	}
	return dev;
}

/* A check that needs one session: run it on a new handle, then close it. */
typedef void check_fn(const char *check, struct azihsm_dev *dev,
		      struct azihsm_session *sess);

static void in_session(const char *check, check_fn *fn)
{
	struct azihsm_session *sess;
	struct azihsm_dev *dev;

	dev = open_session(check, &sess);
	if (!dev)
		return;
	fn(check, dev, sess);
	azihsm_close(dev);
}

static int generate(struct azihsm_session *sess, uint32_t type,
		    enum azihsm_key_usage usage, bool session, uint16_t tag,
		    struct azihsm_key **key)
{
	struct azihsm_key_params params = {
		.usage = usage, .session = session, .tag = tag,
	};

	return azihsm_key_generate(sess, type, &params, key);
}

static const uint8_t digest32[32] = { 0x5a, 0x01, 0x02, 0x03 };

static int sign(struct azihsm_key *key, uint8_t *sig, size_t *sig_len)
{
	uint8_t buf[AZIHSM_ECC_SIG_MAX];
	size_t len;

	return azihsm_ecc_sign(key, digest32, sizeof(digest32), AZIHSM_SIG_DER,
			       sig ? sig : buf, AZIHSM_ECC_SIG_MAX,
			       sig_len ? sig_len : &len);
}

/* Verify a DER signature over digest32 with the key's public key. */
static bool verify(const struct azihsm_key *key, const uint8_t *sig,
		   size_t sig_len)
{
	uint8_t der[256];
	const uint8_t *p = der;
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *pub = NULL;
	size_t der_len;
	bool ok = false;

	if (azihsm_key_public(key, AZIHSM_PUBKEY_DER, der, sizeof(der), &der_len))
		return false;
	pub = d2i_PUBKEY(NULL, &p, (long)der_len);
	if (pub)
		ctx = EVP_PKEY_CTX_new(pub, NULL);
	if (ctx && EVP_PKEY_verify_init(ctx) > 0)
		ok = EVP_PKEY_verify(ctx, sig, sig_len, digest32,
				     sizeof(digest32)) == 1;
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(pub);
	return ok;
}

/*
 * Fill the vault with P-256 app keys until VAULT_FULL; free one and
 * fill it again; then delete them all.  A P-256 key takes 64 of a
 * table's 15 104 bytes and one of its 256 entries (spec/ddi.md 6.6),
 * less what the partition's internal keys and sessions hold.
 */
static void check_full_table(const char *check, struct azihsm_dev *dev,
			     struct azihsm_session *sess)
{
	struct azihsm_device_info info;
	struct azihsm_key **keys;
	size_t n = 0, cap, i, undeleted = 0;
	int ret;

	ret = azihsm_get_device_info(dev, &info);
	if (ret || !info.key_tables) {
		vmtest_result(false, check, "GetDeviceInfo: %s", azihsm_strerror(ret));
		return;
	}
	cap = 256u * info.key_tables;
	keys = calloc(cap + 1, sizeof(*keys));
	if (!keys) {
		vmtest_result(false, check, "out of memory");
		return;
	}
	while (n <= cap && !(ret = generate(sess, AZIHSM_KEY_ECC_P256, 0, false,
					    0, &keys[n])))
		n++;
	if (expect(check, "P-256 app keys until the vault is full", ret,
		   AZIHSM_ERR_VAULT_FULL))
		vmtest_result(n > 100u * info.key_tables && n < cap, check,
			      "%zu keys fit in %u key table(s)", n, info.key_tables);
	if (n > 1 && ret == AZIHSM_ERR_VAULT_FULL) {
		/* The middle key: its space is a hole among used blocks. */
		i = n / 2;
		ret = azihsm_key_delete(keys[i]);
		if (ret)
			azihsm_key_free(keys[i]);
		keys[i] = NULL;
		expect(check, "delete one key of the full vault", ret, AZIHSM_OK);
		ret = generate(sess, AZIHSM_KEY_ECC_P256, 0, false, 0, &keys[i]);
		expect(check, "a new key fits in its place", ret, AZIHSM_OK);
		ret = generate(sess, AZIHSM_KEY_ECC_P256, 0, false, 0, &keys[n]);
		if (!ret)
			n++;
		expect(check, "and the vault is full again", ret,
		       AZIHSM_ERR_VAULT_FULL);
	}
	for (i = 0; i < n; i++) {
		if (keys[i] && azihsm_key_delete(keys[i])) {
			azihsm_key_free(keys[i]);
			undeleted++;
		}
	}
	vmtest_result(!undeleted, check, "deleted all %zu keys, %zu failed", n, undeleted);
	ret = generate(sess, AZIHSM_KEY_ECC_P256, 0, false, 0, &keys[0]);
	if (!ret)
		ret = azihsm_key_delete(keys[0]);
	expect(check, "the emptied vault creates and deletes a key", ret, AZIHSM_OK);
	free(keys);
}

/* A key used for what its usage or type does not allow. */
static void check_wrong_usage(const char *check, struct azihsm_dev *dev,
			      struct azihsm_session *sess)
{
	struct azihsm_key *derive = NULL, *ecc = NULL, *aes = NULL;
	struct azihsm_key *aes_sign = NULL;
	uint8_t iv[16] = { 0 }, block[16] = { 0 }, out[32];
	size_t out_len;
	int ret;

	(void)dev;
	ret = generate(sess, AZIHSM_KEY_ECC_P256, AZIHSM_USAGE_DERIVE, true, 0,
		       &derive);
	if (expect(check, "generate a P-256 derive key", ret, AZIHSM_OK))
		expect(check, "sign with the derive key", sign(derive, NULL, NULL),
		       AZIHSM_ERR_KEY_USAGE);
	ret = generate(sess, AZIHSM_KEY_ECC_P256, 0, true, 0, &ecc);
	if (expect(check, "generate a P-256 sign key", ret, AZIHSM_OK)) {
		ret = azihsm_aes_cbc(ecc, true, AZIHSM_PAD_NONE, iv, block,
				     sizeof(block), out, sizeof(out), &out_len, NULL);
		expect(check, "AES-encrypt with the ECC key", ret,
		       AZIHSM_ERR_KEY_TYPE);
	}
	ret = generate(sess, AZIHSM_KEY_AES_256, 0, true, 0, &aes);
	if (expect(check, "generate an AES-256 key", ret, AZIHSM_OK))
		expect(check, "sign with the AES key", sign(aes, NULL, NULL),
		       AZIHSM_ERR_KEY_TYPE);
	ret = generate(sess, AZIHSM_KEY_AES_128, AZIHSM_USAGE_SIGN_VERIFY, true,
		       0, &aes_sign);
	expect(check, "generate an AES key for signing", ret,
	       AZIHSM_ERR_KEY_USAGE);
	/* Session keys: closing the handle deletes them. */
	azihsm_key_free(derive);
	azihsm_key_free(ecc);
	azihsm_key_free(aes);
	azihsm_key_free(aes_sign);
}

/* A handle on a key deleted through another handle. */
static void check_deleted_key(const char *check, struct azihsm_dev *dev,
			      struct azihsm_session *sess)
{
	struct azihsm_key *key = NULL, *again = NULL;
	int ret;

	(void)dev;
	ret = generate(sess, AZIHSM_KEY_ECC_P384, 0, false, TAG_DELETED, &key);
	if (!expect(check, "generate a tagged P-384 app key", ret, AZIHSM_OK))
		goto out;
	ret = azihsm_key_open(sess, TAG_DELETED, &again);
	if (!expect(check, "open it by its tag", ret, AZIHSM_OK))
		goto out;
	ret = azihsm_key_delete(key);
	if (!expect(check, "delete it", ret, AZIHSM_OK))
		goto out;
	key = NULL;
	expect(check, "sign with the other handle", sign(again, NULL, NULL),
	       AZIHSM_ERR_KEY_NOT_FOUND);
	expect(check, "delete it again", azihsm_key_delete(again),
	       AZIHSM_ERR_KEY_NOT_FOUND);
	azihsm_key_free(again);
	again = NULL;
	expect(check, "open its tag", azihsm_key_open(sess, TAG_DELETED, &again),
	       AZIHSM_ERR_KEY_NOT_FOUND);
out:
	if (key && azihsm_key_delete(key))
		azihsm_key_free(key);
	azihsm_key_free(again);
}

/* A session key used after its session ended, in a new session. */
static void check_session_key_after_close(const char *check,
					  struct azihsm_dev *dev,
					  struct azihsm_session *sess)
{
	struct azihsm_key *key = NULL;
	int ret;

	ret = generate(sess, AZIHSM_KEY_ECC_P256, 0, true, 0, &key);
	if (expect(check, "generate a session key", ret, AZIHSM_OK) &&
	    expect(check, "sign with it", sign(key, NULL, NULL), AZIHSM_OK) &&
	    expect(check, "close the session", azihsm_session_close(sess),
		   AZIHSM_OK) &&
	    expect(check, "open a new session on the same handle",
		   azihsm_session_open(dev, cred_id, cred_pin, &sess), AZIHSM_OK))
		expect(check, "sign with the old session's key",
		       sign(key, NULL, NULL), AZIHSM_ERR_KEY_NOT_FOUND);
	azihsm_key_free(key);
}

/*
 * EccSign of key_id sent raw through dev's session: the library never
 * sends one session's key through another, so the request is built here.
 * The DDI status of the response, or -1 (reported).
 */
static long raw_ecc_sign(const char *check, struct azihsm_dev *dev,
			 const struct azihsm_session *sess, uint16_t key_id)
{
	static uint8_t req[512], resp[AZIHSM_MAX_RESPONSE];
	uint8_t digest[DDI_ECC_PHYS_DIGEST_LEN] = { 0x5a };
	struct ddi_ecc_sign_req data = {
		.key_id = key_id,
		.digest = { digest, sizeof(digest) },
		.digest_algo = DDI_HASH_SHA256,
	};
	struct azihsm_session_ctl ctl = {
		.kind = AZIHSM_SESSION_IN_SESSION,
		.has_id = true,
		.id = azihsm_session_id(sess),
	};
	struct ddi_req_hdr hdr = {
		.has_rev = true,
		.op = AZIHSM_DDI_OP_ECC_SIGN,
		.has_sess_id = true,
		.sess_id = azihsm_session_id(sess),
	};
	struct ddi_resp_hdr rhdr;
	struct azihsm_api_rev max;
	size_t req_len, resp_len;
	int ret;

	ret = azihsm_get_api_rev(dev, NULL, &max);
	if (ret) {
		vmtest_result(false, check, "GetApiRev: %s", azihsm_strerror(ret));
		return -1;
	}
	hdr.rev.major = max.major;
	hdr.rev.minor = max.minor;
	if (ddi_encode_request(&hdr, &ddi_ecc_sign_req_schema, &data, req,
			       sizeof(req), &req_len)) {
		vmtest_result(false, check, "cannot encode EccSign");
		return -1;
	}
	ret = azihsm_ddi_raw(dev, &ctl, req, req_len, resp, sizeof(resp),
			     &resp_len);
	if (ret || !ddi_decode_response(resp, resp_len, &rhdr, NULL, NULL)) {
		vmtest_result(false, check, "raw EccSign: %s",
			      ret ? azihsm_strerror(ret) : "undecodable response");
		return -1;
	}
	return rhdr.status;
}

/*
 * Sessions and scope: another session's session key is refused
 * (InvalidPermissions), an app key serves every session.
 */
static void check_scope(void)
{
	const char *check = "scope";
	struct azihsm_key *own = NULL, *app = NULL, *shared = NULL;
	struct azihsm_session *sess_a, *sess_b;
	struct azihsm_dev *dev_a, *dev_b;
	uint8_t sig[AZIHSM_ECC_SIG_MAX];
	size_t sig_len;
	long status;
	int ret;

	dev_a = open_session(check, &sess_a);
	if (!dev_a)
		return;
	dev_b = open_session(check, &sess_b);
	if (!dev_b) {
		azihsm_close(dev_a);
		return;
	}
	ret = generate(sess_a, AZIHSM_KEY_ECC_P256, 0, true, 0, &own);
	if (expect(check, "session A generates a session key", ret, AZIHSM_OK)) {
		status = raw_ecc_sign(check, dev_b, sess_b, azihsm_key_id(own));
		if (status >= 0)
			vmtest_result(status == AZIHSM_DDI_STATUS_INVALID_PERMISSIONS,
				      check, "session B signs with it: %s (0x%08lx)",
				      azihsm_ddi_status_name((uint32_t)status) ?
				      azihsm_ddi_status_name((uint32_t)status) : "?",
				      status);
		expect(check, "session A still signs with it",
		       sign(own, NULL, NULL), AZIHSM_OK);
	}

	ret = generate(sess_a, AZIHSM_KEY_ECC_P521, 0, false, TAG_SHARED, &app);
	if (!expect(check, "session A generates a tagged P-521 app key", ret,
		    AZIHSM_OK))
		goto out;
	ret = azihsm_key_open(sess_b, TAG_SHARED, &shared);
	if (expect(check, "session B opens it by tag", ret, AZIHSM_OK)) {
		vmtest_result(azihsm_key_id(shared) == azihsm_key_id(app) &&
			      azihsm_key_type(shared) == AZIHSM_KEY_ECC_P521, check,
			      "same key id %u and type", azihsm_key_id(app));
		ret = sign(shared, sig, &sig_len);
		if (expect(check, "session B signs with it", ret, AZIHSM_OK))
			vmtest_result(verify(app, sig, sig_len), check,
				      "the signature verifies with session A's public key");
		ret = azihsm_key_delete(shared);
		if (expect(check, "session B deletes it", ret, AZIHSM_OK))
			shared = NULL;
		expect(check, "session A signs with it", sign(app, NULL, NULL),
		       AZIHSM_ERR_KEY_NOT_FOUND);
	}
out:
	/* Still there if B could not delete it. */
	if (app && azihsm_key_delete(app))
		azihsm_key_free(app);
	azihsm_key_free(shared);
	azihsm_key_free(own);
	azihsm_close(dev_b);
	azihsm_close(dev_a);
}

static void check_tag_duplicate(const char *check, struct azihsm_dev *dev,
				struct azihsm_session *sess)
{
	struct azihsm_key *first = NULL, *second = NULL;
	int ret;

	(void)dev;
	ret = generate(sess, AZIHSM_KEY_AES_128, 0, false, TAG_DUPLICATE, &first);
	if (expect(check, "generate an app key with a tag", ret, AZIHSM_OK)) {
		ret = generate(sess, AZIHSM_KEY_ECC_P256, 0, false, TAG_DUPLICATE,
			       &second);
		expect(check, "another key with the same tag", ret,
		       AZIHSM_ERR_TAG_EXISTS);
		if (!ret && azihsm_key_delete(second))
			azihsm_key_free(second);
		expect(check, "delete the first", azihsm_key_delete(first),
		       AZIHSM_OK);
	}
}

/*
 * Open handles with sessions until the device refuses; the number, and
 * in *why the refusal (AZIHSM_OK when nine opened, which is too many).
 */
static int count_sessions(int *why)
{
	struct azihsm_session *sess[9];
	struct azihsm_dev *devs[9];
	int n, i, ret = AZIHSM_OK;

	for (n = 0; n < 9; n++) {
		ret = azihsm_open(dev_path, &devs[n]);
		if (ret)
			break;
		ret = azihsm_session_open(devs[n], cred_id, cred_pin, &sess[n]);
		if (ret) {
			azihsm_close(devs[n]);
			break;
		}
	}
	for (i = 0; i < n; i++)
		azihsm_close(devs[i]);
	*why = ret;
	return n;
}

/* The child of check_killed_process(): sign until killed. */
static void __attribute__((noreturn)) sign_forever(int ready_fd)
{
	struct azihsm_session *sess;
	struct azihsm_key *key;
	struct azihsm_dev *dev;
	int ret;

	dev = open_session("killed-mid-command child", &sess);
	if (!dev)
		_exit(2);
	ret = generate(sess, AZIHSM_KEY_ECC_P384, 0, true, 0, &key);
	if (ret || sign(key, NULL, NULL))
		_exit(3);
	if (write(ready_fd, "r", 1) != 1)
		_exit(4);
	while (!(ret = sign(key, NULL, NULL)))
		;
	fprintf(stderr, "azihsm-keytest: child: sign: %s\n", azihsm_strerror(ret));
	_exit(5);
}

/*
 * A process killed while it signs in a loop, so most likely with a
 * command in flight: the driver must end its session when the file goes
 * (asynchronously, so the slot may take a moment), and every slot must
 * be usable again.
 */
static void check_killed_process(void)
{
	const char *check = "killed-mid-command";
	struct timespec wait = { 0, 300 * 1000 * 1000 };
	struct pollfd pfd;
	int fds[2], before, after, why, status, tries;
	char c;
	pid_t pid;

	before = count_sessions(&why);
	vmtest_result(before == 8 && why == AZIHSM_ERR_SESSION_LIMIT, check,
		      "%d sessions open at once before (%s)", before, azihsm_strerror(why));
	if (pipe(fds)) {
		vmtest_result(false, check, "pipe: %s", strerror(errno));
		return;
	}
	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		vmtest_result(false, check, "fork: %s", strerror(errno));
		close(fds[0]);
		close(fds[1]);
		return;
	}
	if (!pid) {
		close(fds[0]);
		sign_forever(fds[1]);
	}
	close(fds[1]);
	pfd = (struct pollfd){ .fd = fds[0], .events = POLLIN };
	if (poll(&pfd, 1, 30000) != 1 || read(fds[0], &c, 1) != 1)
		vmtest_result(false, check, "the child never started signing");
	else
		nanosleep(&wait, NULL);
	close(fds[0]);
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	vmtest_result(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL, check,
		      "the child was killed while signing (wait status 0x%x)", status);

	wait.tv_nsec = 100 * 1000 * 1000;
	for (tries = 0; tries < 50; tries++) {
		after = count_sessions(&why);
		if (after == before || why != AZIHSM_ERR_SESSION_LIMIT)
			break;
		nanosleep(&wait, NULL);
	}
	vmtest_result(after == before, check, "%d sessions open at once after, %d "
		      "retries (%s)", after, tries, azihsm_strerror(why));
}

static int parse_hex16(const char *hex, uint8_t out[16])
{
	unsigned int byte;
	int i;

	if (strlen(hex) != 32)
		return -1;
	for (i = 0; i < 16; i++) {
		if (sscanf(hex + 2 * i, "%2x", &byte) != 1)
			return -1;
		out[i] = (uint8_t)byte;
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc != 4 || parse_hex16(argv[2], cred_id) ||
	    parse_hex16(argv[3], cred_pin)) {
		fprintf(stderr, "usage: azihsm-keytest DEV ID-HEX32 PIN-HEX32\n");
		return 2;
	}
	dev_path = argv[1];

	in_session("wrong-usage", check_wrong_usage);
	in_session("deleted-key", check_deleted_key);
	in_session("session-key-after-close", check_session_key_after_close);
	check_scope();
	in_session("tag-duplicate", check_tag_duplicate);
	in_session("full-table", check_full_table);
	check_killed_process();

	return vmtest_summary("azihsm-keytest");
}
