// SPDX-License-Identifier: MIT
/*
 * Reaching the HSM a test or benchmark program was asked for: see
 * hsm_target.h.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>

#include "hsm_target.h"

#define EMU_LIBRARY "libazihsm-emu.so.0"

void hsm_report(const char *prog, const char *what, int status)
{
	char msg[256];

	if (azihsm_error_format(NULL, msg, sizeof(msg)) != AZIHSM_OK || !msg[0])
		snprintf(msg, sizeof(msg), "%s", azihsm_strerror(status));
	fprintf(stderr, "%s: %s: %s\n", prog, what, msg);
}

bool hsm_target_option(struct hsm_target *t, int c, const char *arg)
{
	switch (c) {
	case HSM_OPT_DEVICE:
		t->device = arg;
		return true;
	case HSM_OPT_EMULATED:
		t->emulated = true;
		return true;
	case HSM_OPT_ID:
		t->id_hex = arg;
		return true;
	case HSM_OPT_PIN:
		t->pin_hex = arg;
		return true;
	}
	return false;
}

int hsm_target_getopt(struct hsm_target *t, int c, const char *arg)
{
	if (hsm_target_option(t, c, arg))
		return HSM_OPT_MORE;
	fputs(t->usage, c == 'h' ? stdout : stderr);
	return c == 'h' ? EXIT_SUCCESS : HSM_EXIT_USAGE;
}

bool hsm_target_options_given(const struct hsm_target *t)
{
	return t->device || t->id_hex || t->pin_hex;
}

/* 32 hex digits into 16 bytes. */
static int parse_cred(const char *prog, const char *option, const char *hex,
		      uint8_t out[16])
{
	size_t len = 0;

	if (hex && strlen(hex) == 32 &&
	    OPENSSL_hexstr2buf_ex(out, 16, &len, hex, '\0') == 1 && len == 16)
		return 0;
	fprintf(stderr, "%s: --%s needs 32 hexadecimal digits (16 bytes)\n",
		prog, option);
	return -1;
}

int hsm_target_credential(struct hsm_target *t)
{
	if (parse_cred(t->prog, "id", t->id_hex, t->id) ||
	    parse_cred(t->prog, "pin", t->pin_hex, t->pin))
		return -1;
	return 0;
}

int hsm_target_options_done(struct hsm_target *t, bool device, bool args_ok)
{
	if (!args_ok || (!device && hsm_target_options_given(t))) {
		fputs(t->usage, stderr);
		return HSM_EXIT_USAGE;
	}
	if (device && hsm_target_credential(t))
		return HSM_EXIT_USAGE;
	return 0;
}

/*
 * A throw-away P-384 owner (POTA) key in a temporary PEM file, which
 * azihsm_partition_init() signs the endorsement with.  path is a mkstemp()
 * template, filled in.
 */
static int write_owner_key(const char *prog, char *path)
{
	EVP_PKEY *key = EVP_EC_gen("P-384");
	FILE *f = NULL;
	int fd, ok = 0;

	fd = key ? mkstemp(path) : -1;
	if (fd >= 0)
		f = fdopen(fd, "w");
	if (f)
		ok = PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL) == 1;
	if (f ? fclose(f) != 0 : fd >= 0 && close(fd) != 0)
		ok = 0;
	EVP_PKEY_free(key);
	if (!ok) {
		fprintf(stderr, "%s: cannot create a temporary owner key %s\n",
			prog, path);
		if (fd >= 0)
			unlink(path);
		return -1;
	}
	return 0;
}

static int provision(struct hsm_target *t)
{
	struct azihsm_partition_params params = { 0 };
	struct azihsm_partition_keys keys;
	struct azihsm_dev *dev;
	uint8_t bk3[AZIHSM_BK3_LEN];
	const char *tmp = getenv("TMPDIR");
	char path[4096];
	int ret;

	if (RAND_bytes(bk3, sizeof(bk3)) != 1 ||
	    RAND_bytes(t->id, sizeof(t->id)) != 1 ||
	    RAND_bytes(t->pin, sizeof(t->pin)) != 1) {
		fprintf(stderr, "%s: no random bytes\n", t->prog);
		return -1;
	}
	/* Neither may be all zeros. */
	t->id[0] |= 1;
	t->pin[0] |= 1;
	snprintf(path, sizeof(path), "%s/azihsm-owner-XXXXXX", tmp ? tmp : "/tmp");
	if (write_owner_key(t->prog, path))
		return -1;

	params.bk3 = bk3;
	params.pota_key_file = path;
	memcpy(params.id, t->id, sizeof(params.id));
	memcpy(params.pin, t->pin, sizeof(params.pin));
	ret = t->emu_open(t->emu, &dev);
	if (ret) {
		hsm_report(t->prog, "emulated", ret);
	} else {
		ret = azihsm_partition_init(dev, &params, &keys);
		if (ret)
			hsm_report(t->prog, "provisioning the emulated HSM", ret);
		azihsm_close(dev);
	}
	unlink(path);
	return ret ? -1 : 0;
}

int hsm_target_emulated(struct hsm_target *t, bool test_ops)
{
	struct azihsm_emu_config cfg = { .test_ops = test_ops };
	int (*emu_new)(const struct azihsm_emu_config *cfg,
		       struct azihsm_emu **emup);
	int ret;

	t->emu_lib = dlopen(EMU_LIBRARY, RTLD_NOW | RTLD_LOCAL);
	if (!t->emu_lib) {
		fprintf(stderr, "%s: emulated backend: %s\n", t->prog, dlerror());
		return -1;
	}
	*(void **)&emu_new = dlsym(t->emu_lib, "azihsm_emu_new");
	*(void **)&t->emu_open = dlsym(t->emu_lib, "azihsm_emu_open");
	*(void **)&t->emu_free = dlsym(t->emu_lib, "azihsm_emu_free");
	if (!emu_new || !t->emu_open || !t->emu_free) {
		fprintf(stderr, "%s: %s lacks the emulator API\n", t->prog,
			EMU_LIBRARY);
		return -1;
	}
	ret = emu_new(&cfg, &t->emu);
	if (ret) {
		fprintf(stderr, "%s: emulated backend: %s\n", t->prog,
			azihsm_strerror(ret));
		return -1;
	}
	return provision(t);
}

int hsm_target_session(const struct hsm_target *t, struct azihsm_dev **devp,
		       struct azihsm_session **sessp)
{
	const char *where = t->emu ? "emulated" : t->device ? t->device : "device";
	int ret;

	*sessp = NULL;
	ret = t->emu ? t->emu_open(t->emu, devp) : azihsm_open(t->device, devp);
	if (ret) {
		hsm_report(t->prog, where, ret);
		return -1;
	}
	ret = azihsm_session_open(*devp, t->id, t->pin, sessp);
	if (ret) {
		hsm_report(t->prog, "opening a session", ret);
		azihsm_close(*devp);
		*devp = NULL;
		return -1;
	}
	return 0;
}

int hsm_target_start(struct hsm_target *t, bool test_ops,
		     struct azihsm_dev **devp, struct azihsm_session **sessp)
{
	if ((t->emulated && hsm_target_emulated(t, test_ops)) ||
	    hsm_target_session(t, devp, sessp)) {
		hsm_target_release(t);
		return -1;
	}
	return 0;
}

void hsm_target_session_end(struct azihsm_dev *dev, struct azihsm_session *sess)
{
	azihsm_session_close(sess);
	azihsm_close(dev);
}

void hsm_target_release(struct hsm_target *t)
{
	if (t->emu)
		t->emu_free(t->emu);
	t->emu = NULL;
	if (t->emu_lib)
		dlclose(t->emu_lib);
	t->emu_lib = NULL;
}
