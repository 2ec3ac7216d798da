// SPDX-License-Identifier: MIT
/*
 * DDI helper for test_device.py, which speaks the device's queue protocol
 * but neither MBOR nor the provisioning protocol nor AES: it does those with
 * the project's own codec and library, and with OpenSSL.
 *
 *   ddihelper encode OPCODE    print the request as hex
 *   ddihelper decode HEX       print "op=N status=N min=M.m max=M.m"
 *   ddihelper keys CLASS:KEYHEX...
 *       provision the partition, open a session and DerKeyImport each raw
 *       key of the given key class (4 XTS bulk, 5 GCM bulk, 6 GCM bulk
 *       unapproved), app-scoped.  The device is reached through the
 *       caller: for each HSM command the helper prints
 *       "REQ FLAGS SESSION_ID HEX" and reads back "RESP STATUS HEX" (HEX
 *       "-" when empty).  Then it prints "SESSION ID SHORT_APP_ID", one
 *       "KEY BULK_ID" per key, and "DONE"; the session stays open.
 *   ddihelper gcm KEY IV AAD TEXT enc|dec [TAG]
 *       AES-GCM (128/192/256 by the key's length): print "OUT TAG" (hex,
 *       "-" when empty), or BADTAG
 *   ddihelper cbc KEY IV TEXT enc|dec
 *       AES-CBC without padding (128/192/256): print the result as hex
 *   ddihelper xts KEY1 KEY2 TWEAK TEXT enc|dec
 *       AES-256-XTS of one data unit: print the result as hex
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "azihsm/ddi_crypto.h"
#include "azihsm/ddi_msg.h"
#include "libazihsm.h"
#include "libazihsm_transport.h"

static int encode(const char *op)
{
	struct ddi_req_hdr hdr = { .op = (uint32_t)strtoul(op, NULL, 0) };
	uint8_t buf[AZIHSM_DDI_MAX_REQUEST];
	size_t len, i;

	if (ddi_encode_request(&hdr, &ddi_empty_schema, NULL, buf, sizeof(buf), &len))
		return 1;
	for (i = 0; i < len; i++)
		printf("%02x", buf[i]);
	printf("\n");
	return 0;
}

static void print_hex(const uint8_t *buf, size_t len)
{
	size_t i;

	if (!len)
		printf("-");
	for (i = 0; i < len; i++)
		printf("%02x", buf[i]);
}

/* Hex (or "-" for nothing) into buf; the length, or -1. */
static long parse_hex(const char *hex, uint8_t *buf, size_t cap)
{
	size_t len = strlen(hex) / 2, i;

	if (strcmp(hex, "-") == 0)
		return 0;
	if (strlen(hex) % 2 || len > cap)
		return -1;
	for (i = 0; i < len; i++)
		if (sscanf(hex + 2 * i, "%2hhx", &buf[i]) != 1)
			return -1;
	return (long)len;
}

static int decode(const char *hex)
{
	uint8_t buf[AZIHSM_DDI_MAX_RESPONSE];
	struct ddi_resp_hdr hdr;
	struct ddi_get_api_rev_resp rev;
	long len = parse_hex(hex, buf, sizeof(buf));

	if (len < 0)
		return 1;
	if (!ddi_decode_response(buf, (size_t)len, &hdr, &ddi_get_api_rev_resp_schema, &rev)) {
		printf("undecodable\n");
		return 1;
	}
	printf("op=%u status=%u min=%u.%u max=%u.%u\n", hdr.op, hdr.status,
	       rev.min.major, rev.min.minor, rev.max.major, rev.max.minor);
	return 0;
}

/* ---- keys: the HSM queue reached through test_device.py ---- */

static const uint8_t app_id[AZIHSM_CRED_ID_LEN] = "qtest-app-id-001";
static const uint8_t app_pin[AZIHSM_CRED_PIN_LEN] = "qtest-app-pin-01";

static int pipe_hsm_cmd(void *ctx, struct azihsm_transport_cmd *cmd)
{
	static char line[2 * AZIHSM_DDI_MAX_RESPONSE + 64];
	static char hex[2 * AZIHSM_DDI_MAX_RESPONSE + 2];
	unsigned int status;
	long len;

	(void)ctx;
	printf("REQ %u %u ", cmd->session_flags, cmd->session_id);
	print_hex(cmd->req, cmd->req_len);
	printf("\n");
	fflush(stdout);
	if (!fgets(line, sizeof(line), stdin) ||
	    sscanf(line, "RESP %u %16385s", &status, hex) != 2)
		return -EIO;
	len = parse_hex(hex, cmd->resp, cmd->resp_cap);
	if (len < 0)
		return -EIO;
	cmd->device_status = status;
	cmd->resp_len = (size_t)len;
	return 0;
}

static int pipe_dev_info(void *ctx, struct azihsm_identity *id)
{
	(void)ctx;
	id->ctrl_id = 1;
	strcpy(id->serial, "AZIHSM-EMU-0001");
	strcpy(id->firmware_rev, "1.0.0.0-qemu");
	return 0;
}

static const struct azihsm_transport_ops pipe_ops = {
	.name = "qtest",
	.hsm_cmd = pipe_hsm_cmd,
	.dev_info = pipe_dev_info,
};

/* InitBk3, an endorsement by a fresh owner key, EstablishCredential. */
static int provision(struct azihsm_dev *dev)
{
	uint8_t bk3[48], point[AZIHSM_P384_POINT_LEN];
	uint8_t pota_pub[AZIHSM_P384_PUB_LEN], pota_sig[AZIHSM_P384_SIG_LEN];
	struct azihsm_partition_params p = {
		.bk3 = bk3, .pota_pub = pota_pub, .pota_sig = pota_sig,
	};
	struct azihsm_partition_keys keys;
	DDI_PKEY *owner = ddi_p384_generate();
	int ret;

	memset(bk3, 0x5a, sizeof(bk3));
	if (!owner || azihsm_partition_identity_key(dev, point) ||
	    ddi_p384_public_raw(owner, pota_pub) ||
	    ddi_p384_sign_raw(owner, point, sizeof(point), pota_sig)) {
		ddi_pkey_free(owner);
		return -1;
	}
	ddi_pkey_free(owner);
	memcpy(p.id, app_id, sizeof(p.id));
	memcpy(p.pin, app_pin, sizeof(p.pin));
	ret = azihsm_partition_init(dev, &p, &keys);
	if (ret)
		fprintf(stderr, "ddihelper: provisioning: %s\n", azihsm_strerror(ret));
	return ret;
}

/* DerKeyImport of "CLASS:KEYHEX"; prints KEY BULK_ID. */
static int import_bulk(struct azihsm_dev *dev, struct azihsm_session *sess,
		       const char *spec)
{
	uint8_t key[32], meta[DDI_KEY_META_LEN] = {
		DDI_KEY_META_ENCRYPT | DDI_KEY_META_DECRYPT,
	};
	uint8_t req[AZIHSM_DDI_MAX_REQUEST], resp[AZIHSM_DDI_MAX_RESPONSE];
	struct azihsm_api_rev rev;
	struct ddi_der_import_req q = {
		.der = { key, sizeof(key) },
		.key_properties = { .key_metadata = { { meta, sizeof(meta) } } },
	};
	struct ddi_der_import_resp r;
	struct ddi_resp_hdr rhdr;
	struct azihsm_session_ctl ctl = {
		.kind = AZIHSM_SESSION_IN_SESSION, .has_id = true,
		.id = azihsm_session_id(sess),
	};
	struct ddi_req_hdr hdr = {
		.has_rev = true, .op = AZIHSM_DDI_OP_DER_KEY_IMPORT,
		.has_sess_id = true, .sess_id = ctl.id,
	};
	size_t req_len, resp_len;
	char *colon;

	q.key_class = (uint32_t)strtoul(spec, &colon, 0);
	if (*colon != ':' || parse_hex(colon + 1, key, sizeof(key)) != sizeof(key) ||
	    azihsm_get_api_rev(dev, NULL, &rev))
		return -1;
	hdr.rev.major = rev.major;
	hdr.rev.minor = rev.minor;
	if (ddi_encode_request(&hdr, &ddi_der_import_req_schema, &q, req, sizeof(req),
			       &req_len) ||
	    azihsm_ddi_raw(dev, &ctl, req, req_len, resp, sizeof(resp), &resp_len) ||
	    !ddi_decode_response(resp, resp_len, &rhdr, &ddi_der_import_resp_schema, &r)) {
		fprintf(stderr, "ddihelper: DerKeyImport failed\n");
		return -1;
	}
	if (rhdr.status || !r.has_bulk_key_id) {
		fprintf(stderr, "ddihelper: DerKeyImport status %u\n", rhdr.status);
		return -1;
	}
	printf("KEY %u\n", r.bulk_key_id);
	return 0;
}

static int keys(int n, char **specs)
{
	struct azihsm_dev *dev;
	struct azihsm_session *sess;
	int i, ret;

	if (azihsm_open_transport(&pipe_ops, NULL, &dev))
		return 1;
	if (provision(dev))
		return 1;
	ret = azihsm_session_open(dev, app_id, app_pin, &sess);
	if (ret) {
		fprintf(stderr, "ddihelper: session: %s\n", azihsm_strerror(ret));
		return 1;
	}
	printf("SESSION %u %u\n", azihsm_session_id(sess),
	       azihsm_session_short_app_id(sess));
	for (i = 0; i < n; i++)
		if (import_bulk(dev, sess, specs[i]))
			return 1;
	printf("DONE\n");
	fflush(stdout);
	return 0;
}

/* ---- Expected fast-path results ---- */

#define MAX_TEXT	(1 << 20)

/* AES-GCM or AES-CBC for a key of 16, 24 or 32 bytes; NULL otherwise. */
static const EVP_CIPHER *aes_for_key(bool gcm_mode, long key_len)
{
	switch (key_len) {
	case 16:
		return gcm_mode ? EVP_aes_128_gcm() : EVP_aes_128_cbc();
	case 24:
		return gcm_mode ? EVP_aes_192_gcm() : EVP_aes_192_cbc();
	case 32:
		return gcm_mode ? EVP_aes_256_gcm() : EVP_aes_256_cbc();
	default:
		return NULL;
	}
}

static int gcm(char **argv)
{
	static uint8_t text[MAX_TEXT], out[MAX_TEXT], aad[MAX_TEXT];
	uint8_t key[32], iv[12], tag[16];
	bool enc = strcmp(argv[4], "enc") == 0;
	long text_len = parse_hex(argv[3], text, sizeof(text));
	long aad_len = parse_hex(argv[2], aad, sizeof(aad));
	const EVP_CIPHER *cipher = aes_for_key(true, parse_hex(argv[0], key, sizeof(key)));
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	int n, fin, ok;

	if (!c || !cipher ||
	    parse_hex(argv[1], iv, sizeof(iv)) != 12 || text_len < 0 || aad_len < 0 ||
	    (!enc && parse_hex(argv[5], tag, sizeof(tag)) != 16))
		return 2;
	ok = EVP_CipherInit_ex(c, cipher, NULL, key, iv, enc) &&
	     EVP_CipherUpdate(c, NULL, &n, aad, (int)aad_len) &&
	     EVP_CipherUpdate(c, out, &n, text, (int)text_len) &&
	     (enc || EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, 16, tag)) &&
	     EVP_CipherFinal_ex(c, out + n, &fin) &&
	     (!enc || EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, 16, tag));
	EVP_CIPHER_CTX_free(c);
	if (!ok) {
		printf("BADTAG\n");
		return 1;
	}
	print_hex(out, (size_t)text_len);
	printf(" ");
	print_hex(tag, sizeof(tag));
	printf("\n");
	return 0;
}

/* A one-shot cipher's result: the output as hex, or exit status 1. */
static int print_output(bool ok, const uint8_t *out, long len)
{
	if (!ok)
		return 1;
	print_hex(out, (size_t)len);
	printf("\n");
	return 0;
}

static int xts(char **argv)
{
	static uint8_t text[MAX_TEXT], out[MAX_TEXT];
	uint8_t key[64], tweak[16];
	bool enc = strcmp(argv[4], "enc") == 0;
	long len = parse_hex(argv[3], text, sizeof(text));
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	int n, fin, ok;

	if (!c || parse_hex(argv[0], key, 32) != 32 ||
	    parse_hex(argv[1], key + 32, 32) != 32 ||
	    parse_hex(argv[2], tweak, sizeof(tweak)) != 16 || len <= 0)
		return 2;
	ok = EVP_CipherInit_ex(c, EVP_aes_256_xts(), NULL, key, tweak, enc) &&
	     EVP_CipherUpdate(c, out, &n, text, (int)len) &&
	     EVP_CipherFinal_ex(c, out + n, &fin);
	EVP_CIPHER_CTX_free(c);
	return print_output(ok, out, len);
}

static int cbc(char **argv)
{
	static uint8_t text[MAX_TEXT], out[MAX_TEXT];
	uint8_t key[32], iv[16];
	const EVP_CIPHER *cipher = aes_for_key(false, parse_hex(argv[0], key, sizeof(key)));
	bool enc = strcmp(argv[3], "enc") == 0;
	long len = parse_hex(argv[2], text, sizeof(text));
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	int n, ok;

	if (!c || !cipher || parse_hex(argv[1], iv, sizeof(iv)) != 16 || len <= 0 || len % 16) {
		EVP_CIPHER_CTX_free(c);
		return 2;
	}
	ok = EVP_CipherInit_ex(c, cipher, NULL, key, iv, enc) &&
	     EVP_CIPHER_CTX_set_padding(c, 0) &&
	     EVP_CipherUpdate(c, out, &n, text, (int)len);
	EVP_CIPHER_CTX_free(c);
	return print_output(ok, out, len);
}

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "encode") == 0)
		return encode(argv[2]);
	if (argc == 3 && strcmp(argv[1], "decode") == 0)
		return decode(argv[2]);
	if (argc >= 2 && strcmp(argv[1], "keys") == 0)
		return keys(argc - 2, argv + 2);
	if ((argc == 6 || argc == 7) && strcmp(argv[1], "gcm") == 0)
		return gcm(argv + 2);
	if (argc == 7 && strcmp(argv[1], "xts") == 0)
		return xts(argv + 2);
	if (argc == 6 && strcmp(argv[1], "cbc") == 0)
		return cbc(argv + 2);
	fprintf(stderr, "usage: %s encode OPCODE | decode HEX | keys CLASS:KEY... |\n"
		"       gcm KEY IV AAD TEXT enc|dec [TAG] | xts KEY1 KEY2 TWEAK TEXT enc|dec |\n"
		"       cbc KEY IV TEXT enc|dec\n",
		argv[0]);
	return 2;
}
