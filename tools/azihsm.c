// SPDX-License-Identifier: MIT
/*
 * azihsm: command-line access to Azure Integrated HSM devices through
 * libazihsm.
 *
 *   azihsm [--emulated] <command> ...
 *   azihsm list [--json]
 *   azihsm info [--json] [--device PATH]
 *   azihsm partition init (--bk3-file F | --masked-bk3-file F)
 *          (--pota-key PEM | --pota-key-gen PEM) --id HEX32 --pin HEX32
 *          [--bmk-file F] [--out-dir DIR] [--device PATH]
 *   azihsm session test --id HEX32 --pin HEX32 [--hold SECONDS] [--device PATH]
 *
 * Key commands (each also takes --id HEX32 --pin HEX32 [--device PATH]):
 *   azihsm keygen TYPE (--tag N | --session) [--label S] [--usage U]
 *          [--masked-out FILE]
 *   azihsm sign --tag N --in FILE [--hash H] [--format der|raw] --out FILE
 *   azihsm pubkey --tag N [--format pem|der] [--out FILE]
 *   azihsm encrypt|decrypt --tag N --iv HEX32 --in FILE --out FILE [--no-pad]
 *   azihsm delete --tag N
 *   azihsm import --masked FILE [--tag N]
 *   azihsm attest --tag N [--report-data HEX] --out FILE
 *
 *   azihsm certs [--out-dir DIR] [--device PATH]
 *
 * One run is one process and so one session: keys that must outlive the
 * command are app-scoped and found again by their tag.
 *
 * Exit status: 0 success, 1 error (device, driver or DDI failure, no
 * device), 2 usage error.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include "libazihsm.h"
#include "libazihsm_emu.h"

#define EXIT_USAGE 2

static const char *const usage_main =
	"usage: azihsm [--help] [--emulated] <command> [<options>]\n"
	"\n"
	"  --emulated      use an in-process emulated HSM (libazihsm-emu) instead\n"
	"                  of /dev/azihsmN; it starts blank and lives as long as\n"
	"                  the command, and is shown as \"emulated:SERIAL\"\n"
	"\n"
	"Commands:\n"
	"  list            list the HSM devices (/dev/azihsmN)\n"
	"  info            show a device's identity, DDI API revisions and device info\n"
	"  partition init  provision the partition (BK3, owner endorsement, credential)\n"
	"  session test    open a session with a credential, show it, close it\n"
	"  keygen          create an ECC or AES key in the vault\n"
	"  sign            ECDSA-sign a file with an ECC key\n"
	"  pubkey          export the public key of an ECC key (PEM or DER)\n"
	"  encrypt         AES-CBC-encrypt a file (PKCS#7 padding)\n"
	"  decrypt         AES-CBC-decrypt a file\n"
	"  delete          delete a key from the vault\n"
	"  ecdh            agree on a shared secret with a peer's public key\n"
	"  derive          derive an HMAC or AES key from a shared secret\n"
	"  hmac            HMAC a file with an HMAC key\n"
	"  import          re-import a key from its masked form (keygen --masked-out)\n"
	"  attest          make and verify an attestation report on a key\n"
	"  certs           show, save and verify the device's certificate chain\n"
	"\n"
	"The key commands open a session with --id and --pin for the length of\n"
	"the command, and find app keys by their --tag.\n"
	"\n"
	"Run 'azihsm <command> --help' for the options of a command.\n"
	"Exit status: 0 success, 1 error, 2 usage error.\n";

static const char *const usage_list =
	"usage: azihsm list [--json]\n"
	"\n"
	"List the HSM device nodes with their PCI address and serial number.\n"
	"\n"
	"  -j, --json   print a JSON array\n"
	"  -h, --help   show this help\n";

static const char *const usage_info =
	"usage: azihsm info [--json] [--device PATH]\n"
	"\n"
	"Show what the driver knows about a device (PCI address, controller id,\n"
	"serial number, firmware and driver revisions) and ask the device for\n"
	"its DDI API revisions and device info (kind, key tables, FIPS state).\n"
	"\n"
	"  -d, --device PATH   the device node (default: the first one found)\n"
	"  -j, --json          print a JSON object\n"
	"  -h, --help          show this help\n";

static const char *const usage_partition_init =
	"usage: azihsm partition init (--bk3-file F | --masked-bk3-file F)\n"
	"                             (--pota-key PEM | --pota-key-gen PEM)\n"
	"                             --id HEX32 --pin HEX32 [--bmk-file F]\n"
	"                             [--out-dir DIR] [--device PATH]\n"
	"\n"
	"Provision the partition (spec/ddi.md 6.2): have the device mask the owner\n"
	"backup key BK3, endorse the partition identity key with the owner's P-384\n"
	"key (POTA), and establish the application credential.  Writes the masked\n"
	"BK3 and the backup masking key (BMK) to DIR/masked_bk3.bin and DIR/bmk.bin;\n"
	"keep both.  The masked BK3 is written as soon as the device returns it,\n"
	"so that a failed provisioning can be retried with --masked-bk3-file.\n"
	"\n"
	"  --bk3-file F          the 48-byte BK3 (raw bytes); the device accepts one\n"
	"                        BK3 in its life\n"
	"  --masked-bk3-file F   a masked BK3 from an earlier run instead\n"
	"  --pota-key PEM        the owner's P-384 private key (unencrypted PEM)\n"
	"  --pota-key-gen PEM    generate a new owner key into PEM (must not exist)\n"
	"  --id HEX32            application ID, 16 bytes as 32 hex digits\n"
	"  --pin HEX32           PIN, 16 bytes as 32 hex digits\n"
	"  --bmk-file F          restore the masking key of an earlier provisioning\n"
	"  -o, --out-dir DIR     where to write the results (default: .)\n"
	"  -d, --device PATH     the device node (default: the first one found)\n"
	"  -h, --help            show this help\n";

static const char *const usage_session_test =
	"usage: azihsm session test --id HEX32 --pin HEX32 [--hold SECONDS]\n"
	"                           [--device PATH]\n"
	"\n"
	"Open a session with the credential, print its id and the short app id,\n"
	"and close it.  A session lives as long as its process: later commands\n"
	"open their own.  The partition holds at most eight sessions.\n"
	"\n"
	"  --id HEX32          application ID, 16 bytes as 32 hex digits\n"
	"  --pin HEX32         PIN, 16 bytes as 32 hex digits\n"
	"  --hold SECONDS      keep the session open that long before closing it\n"
	"                      (SIGINT or SIGTERM close it at once)\n"
	"  -d, --device PATH   the device node (default: the first one found)\n"
	"  -h, --help          show this help\n";

/* The options every key command takes. */
#define USAGE_CRED \
	"  --id HEX32          application ID, 16 bytes as 32 hexadecimal digits\n" \
	"  --pin HEX32         PIN, 16 bytes as 32 hexadecimal digits\n" \
	"  -d, --device PATH   the device node (default: the first one found)\n" \
	"  -h, --help          show this help\n"

static const char *const usage_keygen =
	"usage: azihsm keygen TYPE (--tag N | --session) [--label TEXT]\n"
	"                     [--usage sign|derive|encrypt] [--masked-out FILE]\n"
	"                     --id HEX32 --pin HEX32 [--device PATH]\n"
	"\n"
	"Create a key in the device's vault and print its id, tag and type.\n"
	"TYPE: ecc-p256, ecc-p384, ecc-p521 (key pairs) or aes-128, aes-192,\n"
	"aes-256.  An app key (--tag) stays in the vault until 'azihsm delete';\n"
	"later commands find it by its tag.  A session key (--session) belongs to\n"
	"this command's session and is deleted when the command ends.\n"
	"\n"
	"  --tag N             the key's tag, 1..65535, unique among the app's keys\n"
	"  --session           make a session key instead (no tag possible)\n"
	"  --label TEXT        up to 128 bytes kept in the masked key\n"
	"  --usage U           sign (ECC default), derive (ECC, for ECDH) or\n"
	"                      encrypt (AES, the only usage of AES keys)\n"
	"  --masked-out FILE   write the masked key (the key's durable, encrypted\n"
	"                      form) to FILE, which must not exist\n"
	USAGE_CRED;

static const char *const usage_sign =
	"usage: azihsm sign --tag N --in FILE [--hash sha256|sha384|sha512]\n"
	"                   [--format der|raw] --out FILE --id HEX32 --pin HEX32\n"
	"                   [--device PATH]\n"
	"\n"
	"Hash FILE on the host and have the device sign the digest (ECDSA) with\n"
	"the ECC key of tag N.  The default hash follows the curve: sha256 for\n"
	"P-256, sha384 for P-384, sha512 for P-521; a hash longer than the curve\n"
	"is refused.  'openssl dgst -sha256 -verify pub.pem -signature SIG FILE'\n"
	"checks a DER signature.\n"
	"\n"
	"  --tag N             the key\n"
	"  --in FILE           the data to sign\n"
	"  --hash H            sha256, sha384 or sha512\n"
	"  --format F          der: ECDSA-Sig-Value (default); raw: r || s,\n"
	"                      big-endian, 32, 48 or 66 bytes each\n"
	"  --out FILE          where to write the signature\n"
	USAGE_CRED;

static const char *const usage_pubkey =
	"usage: azihsm pubkey --tag N [--format pem|der] [--out FILE]\n"
	"                     --id HEX32 --pin HEX32 [--device PATH]\n"
	"\n"
	"Export the public key of the ECC key of tag N as a SubjectPublicKeyInfo,\n"
	"in PEM (default, to standard output without --out) or DER.\n"
	"\n"
	"  --tag N             the key\n"
	"  --format F          pem or der\n"
	"  --out FILE          where to write it (DER needs a file or a pipe)\n"
	USAGE_CRED;

static const char *const usage_encrypt =
	"usage: azihsm encrypt|decrypt --tag N --iv HEX32 --in FILE --out FILE\n"
	"                      [--no-pad] --id HEX32 --pin HEX32 [--device PATH]\n"
	"\n"
	"AES-CBC with the AES key of tag N.  Encryption pads the data with PKCS#7\n"
	"(the output is the input length rounded up to the next multiple of 16,\n"
	"16 more when it already is one); decryption checks and removes the\n"
	"padding.  Files of up to 16 MiB.\n"
	"\n"
	"  --tag N             the key\n"
	"  --iv HEX32          the 16-byte IV as 32 hexadecimal digits\n"
	"  --in FILE           the input\n"
	"  --out FILE          the output (written only on success)\n"
	"  --no-pad            no padding: the input must be a multiple of 16 bytes\n"
	USAGE_CRED;

static const char *const usage_ecdh =
	"usage: azihsm ecdh --tag N --peer PEM --secret-tag M --id HEX32 --pin HEX32\n"
	"                   [--device PATH]\n"
	"\n"
	"ECDH between the ECC key of tag N (made with 'keygen --usage derive') and\n"
	"the peer's public key (a PEM file, e.g. from 'azihsm pubkey'), on the\n"
	"same curve.  The shared secret stays in the vault as an app key of tag M,\n"
	"for 'azihsm derive'.\n"
	"\n"
	"  --tag N             the ECC key\n"
	"  --peer PEM          the peer's public key (SubjectPublicKeyInfo, PEM)\n"
	"  --secret-tag M      the tag of the new secret\n"
	USAGE_CRED;

static const char *const usage_derive =
	"usage: azihsm derive --secret-tag N (--hkdf|--kbkdf) --hash H\n"
	"                     [--salt HEX] [--info HEX] --type T --tag M\n"
	"                     --id HEX32 --pin HEX32 [--device PATH]\n"
	"\n"
	"Derive a new app key of tag M from the shared secret of tag N (made by\n"
	"'azihsm ecdh').  The key stays in the vault.\n"
	"\n"
	"  --secret-tag N      the secret\n"
	"  --hkdf              HKDF (RFC 5869); --salt is the salt, --info the info\n"
	"  --kbkdf             SP 800-108 counter-mode KBKDF; --salt is the label,\n"
	"                      --info the context\n"
	"  --hash H            sha256, sha384 or sha512\n"
	"  --salt HEX          up to 256 bytes in hexadecimal (\"\" for an empty one);\n"
	"                      without it, HKDF uses 256 zero bytes\n"
	"  --info HEX          up to 256 bytes in hexadecimal; default empty\n"
	"  --type T            hmac-sha256, hmac-sha384, hmac-sha512, aes-128,\n"
	"                      aes-192 or aes-256\n"
	"  --tag M             the tag of the new key\n"
	USAGE_CRED;

static const char *const usage_hmac =
	"usage: azihsm hmac --tag N --in FILE [--out FILE] --id HEX32 --pin HEX32\n"
	"                   [--device PATH]\n"
	"\n"
	"HMAC of FILE (at most 1024 bytes) with the HMAC key of tag N, in\n"
	"hexadecimal on standard output, or raw into --out.\n"
	"\n"
	"  --tag N             the HMAC key\n"
	"  --in FILE           the message\n"
	"  --out FILE          where to write the tag (raw bytes)\n"
	USAGE_CRED;

static const char *const usage_delete =
	"usage: azihsm delete --tag N --id HEX32 --pin HEX32 [--device PATH]\n"
	"\n"
	"Delete the app key of tag N from the vault.\n"
	"\n"
	"  --tag N             the key\n"
	USAGE_CRED;

static const char *const usage_import =
	"usage: azihsm import --masked FILE [--tag N] --id HEX32 --pin HEX32\n"
	"                     [--device PATH]\n"
	"       azihsm import --in KEY.pem --tag N [--usage sign|decrypt|derive|encrypt]\n"
	"                     --id HEX32 --pin HEX32 [--device PATH]\n"
	"\n"
	"With --in: import a clear RSA (2048/3072/4096) or ECC (P-256/384/521)\n"
	"private key from an unencrypted PEM file as the app key of tag N; the\n"
	"library wraps it for the device (RsaUnwrap).  --usage: sign (default),\n"
	"decrypt (RSA decryption: encrypt+decrypt usage) or derive (ECC).\n"
	"\n"
	"Re-import a key into the vault from its masked form (the file written by\n"
	"'azihsm keygen --masked-out'), with its original type, usage, tag and\n"
	"label, and print its new key id.  App keys come back after they were\n"
	"deleted or the device was reset; a session key only within the session\n"
	"that made it, so never in a later command.\n"
	"\n"
	"  --masked FILE       the masked key\n"
	"  --tag N             check that the key came back with tag N\n"
	"  --in KEY.pem        a clear private key to import instead\n"
	USAGE_CRED;

static const char *const usage_attest =
	"usage: azihsm attest --tag N [--report-data HEX] --out FILE\n"
	"                     --id HEX32 --pin HEX32 [--device PATH]\n"
	"\n"
	"Have the device attest the key of tag N: a COSE_Sign1 report (ES384,\n"
	"signed by the partition identity key) on the key's public part, its\n"
	"flags, the application id and the report data.  The report is written\n"
	"to FILE, verified against the identity key of the device's certificate\n"
	"chain, and its fields are printed.\n"
	"\n"
	"  --tag N             the key\n"
	"  --report-data HEX   up to 128 bytes (zero-extended), e.g. a nonce\n"
	"  --out FILE          where to write the report\n"
	USAGE_CRED;

static const char *const usage_certs =
	"usage: azihsm certs [--out-dir DIR] [--device PATH]\n"
	"\n"
	"Read the device's certificate chain (root first, the partition identity\n"
	"certificate last), print each subject and verify the chain with OpenSSL,\n"
	"the first certificate taken as the trust anchor.\n"
	"\n"
	"  -o, --out-dir DIR   also write DIR/cert-0.pem, cert-1.pem, ...\n"
	"  -d, --device PATH   the device node (default: the first one found)\n"
	"  -h, --help          show this help\n";

/* "azihsm: PATH: what went wrong", from the library's last-call record. */
static void report_error(const char *path, int status)
{
	char msg[256];

	if (status == AZIHSM_ERR_NO_DEVICE && !path) {
		fprintf(stderr, "azihsm: no azihsm device found "
			"(is the azihsm module loaded?)\n");
		return;
	}
	azihsm_error_format(NULL, msg, sizeof(msg));
	if (path)
		fprintf(stderr, "azihsm: %s: %s\n", path, msg);
	else
		fprintf(stderr, "azihsm: %s\n", msg);
}

/* Device strings are printed as they are, with control bytes made visible. */
static void print_text(const char *s)
{
	for (; *s; s++)
		putchar((unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s);
}

static void print_json_string(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			/* Device fields are ASCII; anything else is shown, not trusted. */
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

static void print_field(const char *label, const char *value)
{
	printf("%-16s", label);
	print_text(value);
	putchar('\n');
}

static const char *device_kind_name(uint32_t kind)
{
	switch (kind) {
	case AZIHSM_DEVICE_KIND_VIRTUAL:	return "virtual";
	case AZIHSM_DEVICE_KIND_PHYSICAL:	return "physical";
	}
	return "unknown";
}

/* Options shared by the commands; each accepts a subset (OPT_*). */
enum {
	OPT_JSON	= 1 << 0,
	OPT_DEVICE	= 1 << 1,
	OPT_CRED	= 1 << 2,	/* --id, --pin */
	OPT_PROVISION	= 1 << 3,	/* --bk3-file ... --out-dir */
	OPT_HOLD	= 1 << 4,
	OPT_TAG		= 1 << 5,
	OPT_KEYGEN	= 1 << 6,	/* --session, --label, --usage, --masked-out */
	OPT_IN		= 1 << 7,
	OPT_OUT		= 1 << 8,
	OPT_HASH	= 1 << 9,
	OPT_FORMAT	= 1 << 10,
	OPT_CIPHER	= 1 << 11,	/* --iv, --no-pad */
	OPT_ECDH	= 1 << 12,	/* --peer, --secret-tag */
	OPT_KDF		= 1 << 13,	/* --secret-tag, --hkdf, --kbkdf, --salt, --info, --type */
	OPT_MASKED	= 1 << 14,	/* --masked */
	OPT_ATTEST	= 1 << 15,	/* --report-data */
	OPT_OUT_DIR	= 1 << 16,	/* --out-dir alone (certs) */
};

struct options {
	bool json;
	const char *device;
	const char *id;
	const char *pin;
	const char *bk3_file;
	const char *masked_bk3_file;
	const char *bmk_file;
	const char *pota_key;
	const char *pota_key_gen;
	const char *out_dir;
	const char *hold;
	const char *tag;
	const char *label;
	const char *usage;
	const char *masked_out;
	const char *in;
	const char *out;
	const char *hash;
	const char *format;
	const char *iv;
	bool session_key;
	bool no_pad;
	const char *peer;
	const char *secret_tag;
	const char *salt;
	const char *info;
	const char *key_type;
	bool hkdf;
	bool kbkdf;
	const char *masked;
	const char *report_data;
};

/*
 * Parse a command's options.  operand NULL: no operand allowed; otherwise
 * the command's one operand (it may come before or after the options) is
 * stored there.  Returns -1 to go on, else the exit status (help printed,
 * or a usage error).
 */
static int parse_options(int argc, char **argv, const char *usage,
			 unsigned int allowed, struct options *opt,
			 const char **operand)
{
	enum { LONG_ID = 256, LONG_PIN, LONG_BK3, LONG_MASKED_BK3, LONG_BMK,
	       LONG_POTA, LONG_POTA_GEN, LONG_HOLD, LONG_TAG, LONG_LABEL,
	       LONG_USAGE, LONG_MASKED_OUT, LONG_IN, LONG_HASH, LONG_FORMAT,
	       LONG_IV, LONG_SESSION, LONG_NO_PAD, LONG_OUT, LONG_PEER,
	       LONG_SECRET_TAG, LONG_SALT, LONG_INFO, LONG_TYPE, LONG_HKDF, LONG_KBKDF,
	       LONG_MASKED, LONG_REPORT_DATA };
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "device", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ "id", required_argument, NULL, LONG_ID },
		{ "pin", required_argument, NULL, LONG_PIN },
		{ "bk3-file", required_argument, NULL, LONG_BK3 },
		{ "masked-bk3-file", required_argument, NULL, LONG_MASKED_BK3 },
		{ "bmk-file", required_argument, NULL, LONG_BMK },
		{ "pota-key", required_argument, NULL, LONG_POTA },
		{ "pota-key-gen", required_argument, NULL, LONG_POTA_GEN },
		{ "out-dir", required_argument, NULL, 'o' },
		{ "hold", required_argument, NULL, LONG_HOLD },
		{ "tag", required_argument, NULL, LONG_TAG },
		{ "label", required_argument, NULL, LONG_LABEL },
		{ "usage", required_argument, NULL, LONG_USAGE },
		{ "masked-out", required_argument, NULL, LONG_MASKED_OUT },
		{ "in", required_argument, NULL, LONG_IN },
		{ "out", required_argument, NULL, LONG_OUT },
		{ "hash", required_argument, NULL, LONG_HASH },
		{ "format", required_argument, NULL, LONG_FORMAT },
		{ "iv", required_argument, NULL, LONG_IV },
		{ "session", no_argument, NULL, LONG_SESSION },
		{ "no-pad", no_argument, NULL, LONG_NO_PAD },
		{ "peer", required_argument, NULL, LONG_PEER },
		{ "secret-tag", required_argument, NULL, LONG_SECRET_TAG },
		{ "salt", required_argument, NULL, LONG_SALT },
		{ "info", required_argument, NULL, LONG_INFO },
		{ "type", required_argument, NULL, LONG_TYPE },
		{ "hkdf", no_argument, NULL, LONG_HKDF },
		{ "kbkdf", no_argument, NULL, LONG_KBKDF },
		{ "masked", required_argument, NULL, LONG_MASKED },
		{ "report-data", required_argument, NULL, LONG_REPORT_DATA },
		{ NULL, 0, NULL, 0 },
	};
	/* Which OPT_* group each option belongs to, and where it goes. */
	const struct {
		int c;
		unsigned int group;
		const char **dst;
	} args[] = {
		{ 'd', OPT_DEVICE, &opt->device },
		{ LONG_ID, OPT_CRED, &opt->id },
		{ LONG_PIN, OPT_CRED, &opt->pin },
		{ LONG_BK3, OPT_PROVISION, &opt->bk3_file },
		{ LONG_MASKED_BK3, OPT_PROVISION, &opt->masked_bk3_file },
		{ LONG_BMK, OPT_PROVISION, &opt->bmk_file },
		{ LONG_POTA, OPT_PROVISION, &opt->pota_key },
		{ LONG_POTA_GEN, OPT_PROVISION, &opt->pota_key_gen },
		{ 'o', OPT_PROVISION | OPT_OUT_DIR, &opt->out_dir },
		{ LONG_HOLD, OPT_HOLD, &opt->hold },
		{ LONG_TAG, OPT_TAG, &opt->tag },
		{ LONG_LABEL, OPT_KEYGEN, &opt->label },
		{ LONG_USAGE, OPT_KEYGEN, &opt->usage },
		{ LONG_MASKED_OUT, OPT_KEYGEN, &opt->masked_out },
		{ LONG_IN, OPT_IN, &opt->in },
		{ LONG_OUT, OPT_OUT, &opt->out },
		{ LONG_HASH, OPT_HASH, &opt->hash },
		{ LONG_FORMAT, OPT_FORMAT, &opt->format },
		{ LONG_IV, OPT_CIPHER, &opt->iv },
		{ LONG_PEER, OPT_ECDH, &opt->peer },
		{ LONG_SECRET_TAG, OPT_ECDH | OPT_KDF, &opt->secret_tag },
		{ LONG_SALT, OPT_KDF, &opt->salt },
		{ LONG_INFO, OPT_KDF, &opt->info },
		{ LONG_TYPE, OPT_KDF, &opt->key_type },
		{ LONG_MASKED, OPT_MASKED, &opt->masked },
		{ LONG_REPORT_DATA, OPT_ATTEST, &opt->report_data },
	};
	/* The flags, likewise. */
	const struct {
		int c;
		unsigned int group;
		bool *dst;
	} flags[] = {
		{ 'j', OPT_JSON, &opt->json },
		{ LONG_SESSION, OPT_KEYGEN, &opt->session_key },
		{ LONG_NO_PAD, OPT_CIPHER, &opt->no_pad },
		{ LONG_HKDF, OPT_KDF, &opt->hkdf },
		{ LONG_KBKDF, OPT_KDF, &opt->kbkdf },
	};
	size_t i;
	int c;

	opterr = 0;
	optind = 1;
	/* Without '+', getopt moves the operand behind the options. */
	while ((c = getopt_long(argc, argv, operand ? ":jd:o:h" : "+:jd:o:h",
				longopts, NULL)) != -1) {
		for (i = 0; i < sizeof(args) / sizeof(args[0]); i++)
			if (args[i].c == c)
				break;
		if (i < sizeof(args) / sizeof(args[0])) {
			if (!(allowed & args[i].group))
				goto bad_option;
			*args[i].dst = optarg;
			continue;
		}
		for (i = 0; i < sizeof(flags) / sizeof(flags[0]); i++)
			if (flags[i].c == c)
				break;
		if (i < sizeof(flags) / sizeof(flags[0])) {
			if (!(allowed & flags[i].group))
				goto bad_option;
			*flags[i].dst = true;
			continue;
		}
		switch (c) {
		case 'h':
			fputs(usage, stdout);
			return EXIT_SUCCESS;
		case ':':
			fprintf(stderr, "azihsm %s: option '%s' needs an argument\n",
				argv[0], argv[optind - 1]);
			fputs(usage, stderr);
			return EXIT_USAGE;
		default:
			goto bad_option;
		}
	}
	if (operand && optind < argc)
		*operand = argv[optind++];
	if (optind < argc) {
		fprintf(stderr, "azihsm %s: unexpected argument '%s'\n", argv[0],
			argv[optind]);
		fputs(usage, stderr);
		return EXIT_USAGE;
	}
	return -1;

bad_option:
	fprintf(stderr, "azihsm %s: unknown option '%s'\n", argv[0],
		argv[optind - 1]);
	fputs(usage, stderr);
	return EXIT_USAGE;
}

/*
 * --emulated: the emulated HSM of libazihsm-emu, loaded only when asked
 * for, so that the tool carries no firmware code and runs where the
 * emulator library is not installed.
 */
static struct {
	void *lib;
	struct azihsm_emu *emu;
	int (*open)(struct azihsm_emu *emu, struct azihsm_dev **devp);
	void (*free)(struct azihsm_emu *emu);
} emulated;

#define EMU_LIBRARY "libazihsm-emu.so.0"

static int load_emulator(void)
{
	int (*emu_new)(const struct azihsm_emu_config *cfg,
		       struct azihsm_emu **emup);
	int ret;

	emulated.lib = dlopen(EMU_LIBRARY, RTLD_NOW | RTLD_LOCAL);
	if (!emulated.lib) {
		fprintf(stderr, "azihsm: --emulated: %s\n", dlerror());
		return -1;
	}
	*(void **)&emu_new = dlsym(emulated.lib, "azihsm_emu_new");
	*(void **)&emulated.open = dlsym(emulated.lib, "azihsm_emu_open");
	*(void **)&emulated.free = dlsym(emulated.lib, "azihsm_emu_free");
	if (!emu_new || !emulated.open || !emulated.free) {
		fprintf(stderr, "azihsm: --emulated: %s lacks the emulator API\n",
			EMU_LIBRARY);
		return -1;
	}
	ret = emu_new(NULL, &emulated.emu);
	if (ret) {
		fprintf(stderr, "azihsm: --emulated: %s\n", azihsm_strerror(ret));
		return -1;
	}
	return 0;
}

/* ---- list ---- */

/* List the device nodes; report why and fail when there are none. */
static int enumerate_devices(struct azihsm_dev_list *list)
{
	int ret = azihsm_enumerate(list);

	if (ret) {
		report_error(AZIHSM_DEV_DIR, ret);
		return -1;
	}
	if (!list->count) {
		azihsm_dev_list_free(list);
		report_error(NULL, AZIHSM_ERR_NO_DEVICE);
		return -1;
	}
	return 0;
}

static int cmd_list(int argc, char **argv)
{
	struct azihsm_dev_list list;
	struct options opt = { 0 };
	struct azihsm_identity id;
	struct azihsm_dev *dev;
	int ret, exit_status = EXIT_SUCCESS;
	char msg[256];
	size_t i;

	ret = parse_options(argc, argv, usage_list, OPT_JSON, &opt, NULL);
	if (ret >= 0)
		return ret;
	if (emulated.emu) {
		fprintf(stderr, "azihsm list: lists device nodes only; use "
			"'azihsm --emulated info' for the emulated HSM\n");
		return EXIT_USAGE;
	}

	if (enumerate_devices(&list))
		return EXIT_FAILURE;

	if (opt.json)
		printf("[");
	for (i = 0; i < list.count; i++) {
		const char *path = list.paths[i];

		ret = azihsm_open(path, &dev);
		if (!ret) {
			ret = azihsm_identify(dev, &id);
			azihsm_close(dev);
		}
		if (ret) {
			/* Keep listing: one unusable node does not hide the others. */
			azihsm_error_format(NULL, msg, sizeof(msg));
			exit_status = EXIT_FAILURE;
		}
		if (opt.json) {
			printf("%s\n  {\"device\": ", i ? "," : "");
			print_json_string(path);
			if (ret) {
				printf(", \"error\": ");
				print_json_string(msg);
			} else {
				printf(", \"pci\": ");
				print_json_string(id.pci_addr);
				printf(", \"serial\": ");
				print_json_string(id.serial);
				printf(", \"controller_id\": %u", id.ctrl_id);
			}
			printf("}");
		} else if (ret) {
			print_text(path);
			printf("  error: %s\n", msg);
		} else {
			print_text(path);
			printf("  ");
			print_text(id.pci_addr);
			printf("  serial ");
			print_text(id.serial);
			putchar('\n');
		}
	}
	if (opt.json)
		printf("\n]\n");
	azihsm_dev_list_free(&list);
	return exit_status;
}

/*
 * Open the node named, or the first one found (looked up here rather than
 * in azihsm_open() to name it in errors), or the emulated HSM.  NULL after
 * reporting why.
 */
static struct azihsm_dev *open_device(const char *path)
{
	struct azihsm_dev_list list = { 0 };
	struct azihsm_dev *dev;
	int ret;

	if (emulated.emu) {
		if (path) {
			fprintf(stderr, "azihsm: --device and --emulated exclude "
				"each other\n");
			return NULL;
		}
		ret = emulated.open(emulated.emu, &dev);
		if (ret)
			report_error("emulated", ret);
		return ret ? NULL : dev;
	}
	if (!path) {
		if (enumerate_devices(&list))
			return NULL;
		path = list.paths[0];
	}
	ret = azihsm_open(path, &dev);
	if (ret)
		report_error(path, ret);
	azihsm_dev_list_free(&list);
	return ret ? NULL : dev;
}

/* ---- info ---- */

struct device_report {
	const char *path;
	struct azihsm_identity id;
	struct azihsm_api_rev rev_min, rev_max;
	struct azihsm_device_info info;
};

static void print_info_text(const struct device_report *r)
{
	char buf[64];

	print_field("device:", r->path);
	print_field("pci:", r->id.pci_addr);
	snprintf(buf, sizeof(buf), "%u", r->id.ctrl_id);
	print_field("controller id:", buf);
	print_field("serial:", r->id.serial);
	print_field("firmware rev:", r->id.firmware_rev);
	print_field("driver rev:", r->id.driver_rev);
	snprintf(buf, sizeof(buf), "%u.%u - %u.%u", r->rev_min.major,
		 r->rev_min.minor, r->rev_max.major, r->rev_max.minor);
	print_field("api revision:", buf);
	snprintf(buf, sizeof(buf), "%s (%u)", device_kind_name(r->info.kind),
		 r->info.kind);
	print_field("device kind:", buf);
	snprintf(buf, sizeof(buf), "%u", r->info.key_tables);
	print_field("key tables:", buf);
	print_field("fips approved:", r->info.fips_approved ? "yes" : "no");
}

static void print_info_json(const struct device_report *r)
{
	printf("{\n  \"device\": ");
	print_json_string(r->path);
	printf(",\n  \"pci\": ");
	print_json_string(r->id.pci_addr);
	printf(",\n  \"controller_id\": %u", r->id.ctrl_id);
	printf(",\n  \"serial\": ");
	print_json_string(r->id.serial);
	printf(",\n  \"firmware_rev\": ");
	print_json_string(r->id.firmware_rev);
	printf(",\n  \"driver_rev\": ");
	print_json_string(r->id.driver_rev);
	printf(",\n  \"api_rev_min\": {\"major\": %u, \"minor\": %u}",
	       r->rev_min.major, r->rev_min.minor);
	printf(",\n  \"api_rev_max\": {\"major\": %u, \"minor\": %u}",
	       r->rev_max.major, r->rev_max.minor);
	printf(",\n  \"device_kind\": ");
	print_json_string(device_kind_name(r->info.kind));
	printf(",\n  \"device_kind_value\": %u", r->info.kind);
	printf(",\n  \"key_tables\": %u", r->info.key_tables);
	printf(",\n  \"fips_approved\": %s\n}\n",
	       r->info.fips_approved ? "true" : "false");
}

static int cmd_info(int argc, char **argv)
{
	struct options opt = { 0 };
	struct device_report r;
	struct azihsm_dev *dev;
	int ret;

	ret = parse_options(argc, argv, usage_info, OPT_JSON | OPT_DEVICE, &opt,
			    NULL);
	if (ret >= 0)
		return ret;

	memset(&r, 0, sizeof(r));
	dev = open_device(opt.device);
	if (!dev)
		return EXIT_FAILURE;
	r.path = azihsm_dev_path(dev);
	ret = azihsm_identify(dev, &r.id);
	if (!ret)
		ret = azihsm_get_api_rev(dev, &r.rev_min, &r.rev_max);
	if (!ret)
		ret = azihsm_get_device_info(dev, &r.info);
	if (ret) {
		report_error(r.path, ret);
		azihsm_close(dev);
		return EXIT_FAILURE;
	}
	if (opt.json)
		print_info_json(&r);
	else
		print_info_text(&r);
	azihsm_close(dev);
	return EXIT_SUCCESS;
}

/* ---- Files and credentials ---- */

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* 32 hex digits into 16 bytes. */
static int parse_hex16(const char *what, const char *hex, uint8_t out[16])
{
	size_t i;
	int hi, lo;

	if (!hex) {
		fprintf(stderr, "azihsm: --%s is required\n", what);
		return -1;
	}
	if (strlen(hex) != 32)
		goto bad;
	for (i = 0; i < 16; i++) {
		hi = hex_digit(hex[2 * i]);
		lo = hex_digit(hex[2 * i + 1]);
		if (hi < 0 || lo < 0)
			goto bad;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
bad:
	fprintf(stderr, "azihsm: --%s needs 32 hexadecimal digits (16 bytes)\n", what);
	return -1;
}

/* The whole of a file of at most cap bytes; its length, or -1 (reported). */
static long read_file(const char *path, uint8_t *buf, size_t cap)
{
	FILE *f = fopen(path, "rb");
	size_t len;
	int extra;

	if (!f) {
		fprintf(stderr, "azihsm: %s: %s\n", path, strerror(errno));
		return -1;
	}
	len = fread(buf, 1, cap, f);
	extra = fgetc(f);
	if (ferror(f) || extra != EOF) {
		fprintf(stderr, "azihsm: %s: %s\n", path, ferror(f) ?
			"read error" : "file too large");
		fclose(f);
		return -1;
	}
	fclose(f);
	return (long)len;
}

/* Create path (it must not exist) readable by its owner only. */
static FILE *create_private(const char *path, bool exclusive)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC |
		      (exclusive ? O_EXCL : O_TRUNC), 0600);
	FILE *f;

	if (fd < 0) {
		fprintf(stderr, "azihsm: %s: %s\n", path, strerror(errno));
		return NULL;
	}
	f = fdopen(fd, "wb");
	if (!f) {
		fprintf(stderr, "azihsm: %s: %s\n", path, strerror(errno));
		close(fd);
	}
	return f;
}

/* Write and close f (opened on path); 0, or -1 reported. */
static int finish_file(FILE *f, const char *path, const uint8_t *buf,
		       size_t len)
{
	int ret = 0;

	if (fwrite(buf, 1, len, f) != len)
		ret = -1;
	if (fclose(f))
		ret = -1;
	if (ret)
		fprintf(stderr, "azihsm: %s: write error\n", path);
	return ret;
}

/* Replace path's content with buf, the file readable by its owner only. */
static int write_path(const char *path, const uint8_t *buf, size_t len)
{
	FILE *f = create_private(path, false);

	return f ? finish_file(f, path, buf, len) : -1;
}

static int write_file(const char *dir, const char *name, const uint8_t *buf,
		      size_t len)
{
	char path[4096];

	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path)) {
		fprintf(stderr, "azihsm: %s: path too long\n", dir);
		return -1;
	}
	if (write_path(path, buf, len))
		return -1;
	printf("%-16s%s (%zu bytes)\n", name, path, len);
	return 0;
}

/* A new P-384 owner key, unencrypted PEM (PKCS#8), in a new file. */
static int generate_pota_key(const char *path)
{
	EVP_PKEY *key = EVP_EC_gen("P-384");
	FILE *f;
	int ret = -1;

	if (!key) {
		fprintf(stderr, "azihsm: cannot generate a P-384 key\n");
		return -1;
	}
	f = create_private(path, true);
	if (f) {
		if (PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL))
			ret = 0;
		if (fclose(f))
			ret = -1;
		if (ret)
			fprintf(stderr, "azihsm: %s: write error\n", path);
	}
	EVP_PKEY_free(key);
	return ret;
}

/* ---- partition init ---- */

static int cmd_partition_init(int argc, char **argv)
{
	struct options opt = { .out_dir = "." };
	struct azihsm_partition_params params = { 0 };
	struct azihsm_partition_keys *keys;
	uint8_t bk3[AZIHSM_BK3_LEN + 1];
	static uint8_t masked_bk3[AZIHSM_BLOB_MAX], bmk[AZIHSM_BLOB_MAX];
	struct azihsm_dev *dev;
	long len;
	int ret, exit_status = EXIT_FAILURE;

	ret = parse_options(argc, argv, usage_partition_init,
			    OPT_DEVICE | OPT_CRED | OPT_PROVISION, &opt, NULL);
	if (ret >= 0)
		return ret;
	if (!opt.bk3_file == !opt.masked_bk3_file ||
	    !opt.pota_key == !opt.pota_key_gen) {
		fprintf(stderr, "azihsm partition init: give one of --bk3-file and "
			"--masked-bk3-file, and one of --pota-key and --pota-key-gen\n");
		fputs(usage_partition_init, stderr);
		return EXIT_USAGE;
	}
	if (parse_hex16("id", opt.id, params.id) ||
	    parse_hex16("pin", opt.pin, params.pin))
		return EXIT_USAGE;

	if (opt.bk3_file) {
		len = read_file(opt.bk3_file, bk3, sizeof(bk3));
		if (len < 0)
			return EXIT_FAILURE;
		if (len != AZIHSM_BK3_LEN) {
			fprintf(stderr, "azihsm: %s: a BK3 is %d bytes, not %ld\n",
				opt.bk3_file, AZIHSM_BK3_LEN, len);
			return EXIT_FAILURE;
		}
		params.bk3 = bk3;
	} else {
		len = read_file(opt.masked_bk3_file, masked_bk3, sizeof(masked_bk3));
		if (len <= 0) {
			if (!len)
				fprintf(stderr, "azihsm: %s: empty file\n",
					opt.masked_bk3_file);
			return EXIT_FAILURE;
		}
		params.masked_bk3 = masked_bk3;
		params.masked_bk3_len = (size_t)len;
	}
	if (opt.bmk_file) {
		len = read_file(opt.bmk_file, bmk, sizeof(bmk));
		if (len < 0)
			return EXIT_FAILURE;
		params.bmk = bmk;
		params.bmk_len = (size_t)len;
	}
	if (opt.pota_key_gen) {
		if (generate_pota_key(opt.pota_key_gen))
			return EXIT_FAILURE;
		opt.pota_key = opt.pota_key_gen;
	} else if (access(opt.pota_key, R_OK)) {
		fprintf(stderr, "azihsm: %s: %s\n", opt.pota_key, strerror(errno));
		return EXIT_FAILURE;
	}
	params.pota_key_file = opt.pota_key;

	keys = calloc(1, sizeof(*keys));
	if (!keys) {
		fprintf(stderr, "azihsm: out of memory\n");
		return EXIT_FAILURE;
	}
	dev = open_device(opt.device);
	if (dev) {
		ret = azihsm_partition_init(dev, &params, keys);
		if (ret == AZIHSM_ERR_INVALID_ARG)
			fprintf(stderr, "azihsm: %s: not an unencrypted P-384 "
				"private key in PEM\n", opt.pota_key);
		else if (ret)
			report_error(azihsm_dev_path(dev), ret);
		/* Keep a new masked BK3 even on failure: InitBk3 runs once. */
		if (keys->masked_bk3_len && params.bk3 &&
		    write_file(opt.out_dir, "masked_bk3.bin", keys->masked_bk3,
			       keys->masked_bk3_len))
			ret = -1;
		if (!ret && write_file(opt.out_dir, "bmk.bin", keys->bmk,
				       keys->bmk_len))
			ret = -1;
		if (!ret)
			exit_status = EXIT_SUCCESS;
		azihsm_close(dev);
	}
	explicit_bzero(bk3, sizeof(bk3));
	explicit_bzero(&params, sizeof(params));
	free(keys);
	return exit_status;
}

/* ---- Sessions ---- */

/* The device and session of one command. */
struct hsm_session {
	struct azihsm_dev *dev;
	struct azihsm_session *sess;
};

/* --id and --pin; 0, or -1 reported (a usage error). */
static int parse_credential(const struct options *opt, uint8_t id[16],
			    uint8_t pin[16])
{
	return parse_hex16("id", opt->id, id) || parse_hex16("pin", opt->pin, pin) ?
	       -1 : 0;
}

/* Open the device and a session on it; 0, or -1 reported.  Wipes pin. */
static int open_session(const char *device, const uint8_t id[16],
			uint8_t pin[16], struct hsm_session *hs)
{
	int ret;

	hs->sess = NULL;
	hs->dev = open_device(device);
	if (!hs->dev) {
		explicit_bzero(pin, 16);
		return -1;
	}
	ret = azihsm_session_open(hs->dev, id, pin, &hs->sess);
	explicit_bzero(pin, 16);
	if (ret) {
		report_error(azihsm_dev_path(hs->dev), ret);
		azihsm_close(hs->dev);
		hs->dev = NULL;
		return -1;
	}
	return 0;
}

/* Close the session and the device; 0, or -1 reported. */
static int close_session(struct hsm_session *hs)
{
	int ret;

	if (!hs->dev)
		return 0;
	ret = azihsm_session_close(hs->sess);
	if (ret)
		report_error(azihsm_dev_path(hs->dev), ret);
	azihsm_close(hs->dev);
	hs->dev = NULL;
	hs->sess = NULL;
	return ret ? -1 : 0;
}

/* ---- session test ---- */

static volatile sig_atomic_t hold_interrupted;

static void end_hold(int sig)
{
	(void)sig;
	hold_interrupted = 1;
}

/*
 * Keep the session for up to seconds; SIGINT or SIGTERM end the wait
 * early, and the session is then closed as usual.
 */
static void hold_session(unsigned long seconds)
{
	struct sigaction sa = { .sa_handler = end_hold };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	while (seconds && !hold_interrupted)
		seconds = sleep((unsigned int)seconds);
}

static int cmd_session_test(int argc, char **argv)
{
	struct options opt = { 0 };
	uint8_t id[16], pin[16];
	struct hsm_session hs;
	unsigned long hold = 0;
	char *end;
	int ret;

	ret = parse_options(argc, argv, usage_session_test,
			    OPT_DEVICE | OPT_CRED | OPT_HOLD, &opt, NULL);
	if (ret >= 0)
		return ret;
	if (parse_credential(&opt, id, pin))
		return EXIT_USAGE;
	if (opt.hold) {
		errno = 0;
		hold = strtoul(opt.hold, &end, 10);
		if (errno || !*opt.hold || *end || hold > 86400) {
			fprintf(stderr, "azihsm: --hold needs 0..86400 seconds\n");
			return EXIT_USAGE;
		}
	}

	if (open_session(opt.device, id, pin, &hs))
		return EXIT_FAILURE;
	printf("session id %u short app id %u\n", azihsm_session_id(hs.sess),
	       azihsm_session_short_app_id(hs.sess));
	/* Whoever waits for the session to be open reads the line now. */
	fflush(stdout);
	hold_session(hold);
	if (close_session(&hs))
		return EXIT_FAILURE;
	printf("session closed\n");
	return EXIT_SUCCESS;
}

/* ---- Keys ---- */

static const struct key_type_info {
	const char *name;
	uint32_t type;
	unsigned int order_len;	/* ECC: bytes of the curve order, else 0 */
	const char *sign_hash;	/* ECC: the default hash of `azihsm sign` */
	bool creatable;		/* by `azihsm keygen` */
} key_types[] = {
	{ "ecc-p256", AZIHSM_KEY_ECC_P256, 32, "sha256", true },
	{ "ecc-p384", AZIHSM_KEY_ECC_P384, 48, "sha384", true },
	{ "ecc-p521", AZIHSM_KEY_ECC_P521, 66, "sha512", true },
	{ "aes-128", AZIHSM_KEY_AES_128, 0, NULL, true },
	{ "aes-192", AZIHSM_KEY_AES_192, 0, NULL, true },
	{ "aes-256", AZIHSM_KEY_AES_256, 0, NULL, true },
	{ "secret-p256", AZIHSM_KEY_SECRET_P256, 0, NULL, false },
	{ "secret-p384", AZIHSM_KEY_SECRET_P384, 0, NULL, false },
	{ "secret-p521", AZIHSM_KEY_SECRET_P521, 0, NULL, false },
	{ "hmac-sha256", AZIHSM_KEY_HMAC_SHA256, 0, NULL, false },
	{ "hmac-sha384", AZIHSM_KEY_HMAC_SHA384, 0, NULL, false },
	{ "hmac-sha512", AZIHSM_KEY_HMAC_SHA512, 0, NULL, false },
};

#define N_KEY_TYPES (sizeof(key_types) / sizeof(key_types[0]))

/* NULL for a type the tool does not know (it still has a number). */
static const struct key_type_info *key_type_by_value(uint32_t type)
{
	size_t i;

	for (i = 0; i < N_KEY_TYPES; i++)
		if (key_types[i].type == type)
			return &key_types[i];
	return NULL;
}

static bool is_aes_type(uint32_t type)
{
	return type >= AZIHSM_KEY_AES_128 && type <= AZIHSM_KEY_AES_256;
}

/* "aes-256", or "type 42". */
static const char *key_type_name(uint32_t type)
{
	static char other[32];
	const struct key_type_info *t = key_type_by_value(type);

	if (t)
		return t->name;
	snprintf(other, sizeof(other), "type %u", type);
	return other;
}

/* A key error in words: "key with tag 5 not found". */
static void report_key_error(const struct hsm_session *hs, uint16_t tag,
			     int status)
{
	char msg[256];

	azihsm_error_format(NULL, msg, sizeof(msg));
	if (tag && status == AZIHSM_ERR_KEY_NOT_FOUND)
		fprintf(stderr, "azihsm: key with tag %u not found (%s)\n", tag, msg);
	else if (tag && status == AZIHSM_ERR_TAG_EXISTS)
		fprintf(stderr, "azihsm: another key already has tag %u (%s)\n",
			tag, msg);
	else
		report_error(azihsm_dev_path(hs->dev), status);
}

/* A tag option (name "--tag"): 1..65535; 0, or -1 reported. */
static int parse_tag_option(const char *name, const char *text, uint16_t *tag)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(text, &end, 0);
	if (errno || !*text || *end || *text == '-' || v < 1 || v > 65535) {
		fprintf(stderr, "azihsm: %s needs a number from 1 to 65535\n", name);
		return -1;
	}
	*tag = (uint16_t)v;
	return 0;
}

static int parse_tag(const char *text, uint16_t *tag)
{
	return parse_tag_option("--tag", text, tag);
}

/* One key command: its options, session and the key of --tag. */
struct key_command {
	struct options opt;
	uint8_t id[16], pin[16];
	uint16_t tag;
	struct hsm_session hs;
	struct azihsm_key *key;
	const struct key_type_info *type;	/* NULL if unknown to the tool */
};

/*
 * Parse the options of a command that works on the key of --tag (allowed:
 * its other OPT_*).  Returns -1 to go on, else the exit status.
 */
static int parse_key_command(int argc, char **argv, const char *usage,
			     unsigned int allowed, struct key_command *kc)
{
	int ret;

	memset(kc, 0, sizeof(*kc));
	ret = parse_options(argc, argv, usage,
			    allowed | OPT_DEVICE | OPT_CRED | OPT_TAG, &kc->opt, NULL);
	if (ret >= 0)
		return ret;
	if (!kc->opt.tag) {
		fprintf(stderr, "azihsm %s: --tag is required\n", argv[0]);
		return EXIT_USAGE;
	}
	if (parse_tag(kc->opt.tag, &kc->tag) ||
	    parse_credential(&kc->opt, kc->id, kc->pin))
		return EXIT_USAGE;
	return -1;
}

/* Open the session and the key; 0, or -1 reported. */
static int open_tagged_key(struct key_command *kc)
{
	int ret;

	if (open_session(kc->opt.device, kc->id, kc->pin, &kc->hs))
		return -1;
	ret = azihsm_key_open(kc->hs.sess, kc->tag, &kc->key);
	if (ret) {
		report_key_error(&kc->hs, kc->tag, ret);
		return -1;
	}
	kc->type = key_type_by_value(azihsm_key_type(kc->key));
	return 0;
}

/*
 * The key must be an ECC key pair (want_ecc) or an AES key; 0, or -1
 * reported in the command's words.
 */
static int check_key_kind(const struct key_command *kc, const char *cmd,
			  bool want_ecc)
{
	uint32_t type = azihsm_key_type(kc->key);
	bool ok = want_ecc ? kc->type && kc->type->order_len : is_aes_type(type);

	if (ok)
		return 0;
	fprintf(stderr, "azihsm %s: the key with tag %u is %s, not %s\n", cmd,
		kc->tag, key_type_name(type),
		want_ecc ? "an ECC key pair" : "an AES key");
	return -1;
}

/* Free the key handle, close the session; the exit status. */
static int end_key_command(struct key_command *kc, int exit_status)
{
	azihsm_key_free(kc->key);
	kc->key = NULL;
	if (close_session(&kc->hs))
		exit_status = EXIT_FAILURE;
	return exit_status;
}

/* ---- keygen ---- */

static const struct {
	const char *name;
	enum azihsm_key_usage usage;
} key_usages[] = {
	{ "sign", AZIHSM_USAGE_SIGN_VERIFY },
	{ "derive", AZIHSM_USAGE_DERIVE },
	{ "encrypt", AZIHSM_USAGE_ENCRYPT_DECRYPT },
};

static const char *usage_name(enum azihsm_key_usage usage)
{
	size_t i;

	for (i = 0; i < sizeof(key_usages) / sizeof(key_usages[0]); i++)
		if (key_usages[i].usage == usage)
			return key_usages[i].name;
	return "default";
}

/*
 * Check the keygen options that need no device: the type, scope, tag,
 * usage and label.  0, or -1 reported (a usage error).
 */
static int parse_keygen(const struct options *opt, const char *type_name,
			const struct key_type_info **type,
			struct azihsm_key_params *params)
{
	size_t i;

	*type = NULL;
	for (i = 0; type_name && i < N_KEY_TYPES; i++)
		if (key_types[i].creatable && !strcmp(type_name, key_types[i].name))
			*type = &key_types[i];
	if (!*type) {
		fprintf(stderr, "azihsm keygen: %s%s%s; TYPE is ecc-p256, ecc-p384, "
			"ecc-p521, aes-128, aes-192 or aes-256\n",
			type_name ? "unknown key type '" : "no key type given",
			type_name ? type_name : "", type_name ? "'" : "");
		return -1;
	}
	if (!opt->tag == !opt->session_key) {
		fprintf(stderr, "azihsm keygen: give --tag N for an app key or "
			"--session for a session key (session keys have no tag)\n");
		return -1;
	}
	if (opt->tag && parse_tag(opt->tag, &params->tag))
		return -1;
	params->session = opt->session_key;
	/* Each type has its usages (spec/ddi.md 4.10): say so before asking. */
	params->usage = (*type)->order_len ? AZIHSM_USAGE_SIGN_VERIFY :
					     AZIHSM_USAGE_ENCRYPT_DECRYPT;
	if (opt->usage) {
		for (i = 0; i < sizeof(key_usages) / sizeof(key_usages[0]); i++)
			if (!strcmp(opt->usage, key_usages[i].name))
				break;
		if (i == sizeof(key_usages) / sizeof(key_usages[0])) {
			fprintf(stderr, "azihsm keygen: --usage is sign, derive "
				"or encrypt, not '%s'\n", opt->usage);
			return -1;
		}
		if ((*type)->order_len ?
		    key_usages[i].usage == AZIHSM_USAGE_ENCRYPT_DECRYPT :
		    key_usages[i].usage != AZIHSM_USAGE_ENCRYPT_DECRYPT) {
			fprintf(stderr, "azihsm keygen: %s keys cannot be made "
				"for usage %s (ECC: sign or derive; AES: encrypt)\n",
				(*type)->name, opt->usage);
			return -1;
		}
		params->usage = key_usages[i].usage;
	}
	if (opt->label) {
		params->label = (const uint8_t *)opt->label;
		params->label_len = strlen(opt->label);
		if (params->label_len > 128) {
			fprintf(stderr, "azihsm keygen: --label is at most 128 "
				"bytes, not %zu\n", params->label_len);
			return -1;
		}
	}
	return 0;
}

static void print_new_key(const struct azihsm_key *key,
			  const struct azihsm_key_params *params)
{
	char buf[64];

	snprintf(buf, sizeof(buf), "%u (0x%04x)", azihsm_key_id(key),
		 azihsm_key_id(key));
	print_field("key id:", buf);
	snprintf(buf, sizeof(buf), "%u", params->tag);
	print_field("tag:", params->session ? "none" : buf);
	print_field("type:", key_type_name(azihsm_key_type(key)));
	print_field("usage:", usage_name(params->usage));
	print_field("scope:", params->session ?
		    "session (deleted when this command ends)" : "app");
}

/*
 * Write the masked key to f (open on path).  If that fails, the new key
 * is deleted again, so that the failed command leaves nothing behind and
 * can simply be repeated with the same tag.
 */
static int save_masked_key(struct key_command *kc, FILE *f)
{
	const char *path = kc->opt.masked_out;
	const uint8_t *blob;
	size_t len;
	int ret;

	ret = azihsm_key_masked(kc->key, &blob, &len);
	if (ret) {
		fclose(f);
		report_error(azihsm_dev_path(kc->hs.dev), ret);
	} else if (!finish_file(f, path, blob, len)) {
		printf("%-16s%s (%zu bytes)\n", "masked key:", path, len);
		return 0;
	}
	unlink(path);
	if (!azihsm_key_delete(kc->key)) {
		kc->key = NULL;
		fprintf(stderr, "azihsm keygen: the new key was deleted again\n");
	}
	return -1;
}

static int cmd_keygen(int argc, char **argv)
{
	struct azihsm_key_params params = { 0 };
	const struct key_type_info *type;
	const char *type_name = NULL;
	struct key_command kc = { 0 };
	FILE *masked = NULL;
	int ret;

	ret = parse_options(argc, argv, usage_keygen,
			    OPT_DEVICE | OPT_CRED | OPT_TAG | OPT_KEYGEN,
			    &kc.opt, &type_name);
	if (ret >= 0)
		return ret;
	if (parse_keygen(&kc.opt, type_name, &type, &params) ||
	    parse_credential(&kc.opt, kc.id, kc.pin)) {
		fputs(usage_keygen, stderr);
		return EXIT_USAGE;
	}
	kc.tag = params.tag;
	/*
	 * An unwritable output fails before the key exists, and a masked key
	 * already there is never overwritten: it may be the only copy.
	 */
	if (kc.opt.masked_out) {
		masked = create_private(kc.opt.masked_out, true);
		if (!masked)
			return EXIT_FAILURE;
	}
	if (!open_session(kc.opt.device, kc.id, kc.pin, &kc.hs)) {
		ret = azihsm_key_generate(kc.hs.sess, type->type, &params, &kc.key);
		if (ret)
			report_key_error(&kc.hs, kc.tag, ret);
	}
	if (!kc.key) {
		if (masked) {
			fclose(masked);
			unlink(kc.opt.masked_out);
		}
		return end_key_command(&kc, EXIT_FAILURE);
	}
	print_new_key(kc.key, &params);
	if (masked && save_masked_key(&kc, masked))
		return end_key_command(&kc, EXIT_FAILURE);
	return end_key_command(&kc, EXIT_SUCCESS);
}

/* ---- sign ---- */

/* Hash the file with md into digest (EVP_MAX_MD_SIZE); 0, or -1 reported. */
static int hash_file(const char *path, const EVP_MD *md, uint8_t *digest,
		     unsigned int *len)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	uint8_t buf[65536];
	FILE *f = fopen(path, "rb");
	size_t n;
	int ret = -1;

	if (!f) {
		fprintf(stderr, "azihsm: %s: %s\n", path, strerror(errno));
		EVP_MD_CTX_free(ctx);
		return -1;
	}
	if (ctx && EVP_DigestInit_ex(ctx, md, NULL)) {
		do {
			n = fread(buf, 1, sizeof(buf), f);
			if (n && !EVP_DigestUpdate(ctx, buf, n))
				break;
		} while (n == sizeof(buf));
		if (ferror(f))
			fprintf(stderr, "azihsm: %s: read error\n", path);
		else if (feof(f) && EVP_DigestFinal_ex(ctx, digest, len))
			ret = 0;
		else
			fprintf(stderr, "azihsm: cannot hash %s\n", path);
	} else {
		fprintf(stderr, "azihsm: cannot hash %s\n", path);
	}
	EVP_MD_CTX_free(ctx);
	fclose(f);
	return ret;
}

/* --format's value among names (the first is the default); index or -1. */
static int parse_format(const char *cmd, const char *value,
			const char *const names[2])
{
	if (!value || !strcmp(value, names[0]))
		return 0;
	if (!strcmp(value, names[1]))
		return 1;
	fprintf(stderr, "azihsm %s: --format is %s or %s, not '%s'\n", cmd,
		names[0], names[1], value);
	return -1;
}

/* Both given, or a usage error reported. */
static int need_in_out(const struct key_command *kc, const char *cmd)
{
	if (kc->opt.in && kc->opt.out)
		return 0;
	fprintf(stderr, "azihsm %s: --in and --out are required\n", cmd);
	return -1;
}

static int cmd_sign(int argc, char **argv)
{
	static const char *const formats[2] = { "der", "raw" };
	uint8_t digest[EVP_MAX_MD_SIZE], sig[AZIHSM_ECC_SIG_MAX];
	struct key_command kc;
	const char *hash;
	unsigned int digest_len;
	size_t sig_len;
	const EVP_MD *md;
	int ret, format;

	ret = parse_key_command(argc, argv, usage_sign,
				OPT_IN | OPT_OUT | OPT_HASH | OPT_FORMAT, &kc);
	if (ret >= 0)
		return ret;
	format = parse_format(argv[0], kc.opt.format, formats);
	hash = kc.opt.hash;
	if (hash && strcmp(hash, "sha256") && strcmp(hash, "sha384") &&
	    strcmp(hash, "sha512")) {
		fprintf(stderr, "azihsm sign: --hash is sha256, sha384 or sha512, "
			"not '%s'\n", hash);
		format = -1;
	}
	if (format < 0 || need_in_out(&kc, argv[0])) {
		fputs(usage_sign, stderr);
		return EXIT_USAGE;
	}
	if (open_tagged_key(&kc) || check_key_kind(&kc, argv[0], true))
		return end_key_command(&kc, EXIT_FAILURE);
	if (!hash)
		hash = kc.type->sign_hash;
	md = EVP_get_digestbyname(hash);
	if (!md || hash_file(kc.opt.in, md, digest, &digest_len)) {
		if (!md)
			fprintf(stderr, "azihsm: OpenSSL lacks %s\n", hash);
		return end_key_command(&kc, EXIT_FAILURE);
	}
	/* The device refuses digests longer than the order; say why here. */
	if (digest_len > kc.type->order_len) {
		fprintf(stderr, "azihsm sign: a %s digest is too long for %s "
			"keys; use --hash %s\n", hash, kc.type->name,
			kc.type->sign_hash);
		return end_key_command(&kc, EXIT_FAILURE);
	}
	ret = azihsm_ecc_sign(kc.key, digest, digest_len,
			      format ? AZIHSM_SIG_RAW : AZIHSM_SIG_DER, sig,
			      sizeof(sig), &sig_len);
	if (ret) {
		report_key_error(&kc.hs, kc.tag, ret);
		return end_key_command(&kc, EXIT_FAILURE);
	}
	if (write_path(kc.opt.out, sig, sig_len))
		return end_key_command(&kc, EXIT_FAILURE);
	return end_key_command(&kc, EXIT_SUCCESS);
}

/* ---- pubkey ---- */

static int cmd_pubkey(int argc, char **argv)
{
	static const char *const formats[2] = { "pem", "der" };
	uint8_t buf[1024];
	struct key_command kc;
	size_t len;
	int ret, der;

	ret = parse_key_command(argc, argv, usage_pubkey, OPT_OUT | OPT_FORMAT, &kc);
	if (ret >= 0)
		return ret;
	der = parse_format(argv[0], kc.opt.format, formats);
	if (der < 0) {
		fputs(usage_pubkey, stderr);
		return EXIT_USAGE;
	}
	if (der > 0 && !kc.opt.out && isatty(STDOUT_FILENO)) {
		fprintf(stderr, "azihsm pubkey: DER is binary; give --out FILE or "
			"redirect the output\n");
		return EXIT_USAGE;
	}
	if (open_tagged_key(&kc) || check_key_kind(&kc, argv[0], true))
		return end_key_command(&kc, EXIT_FAILURE);
	ret = azihsm_key_public(kc.key, der ? AZIHSM_PUBKEY_DER : AZIHSM_PUBKEY_PEM,
				buf, sizeof(buf), &len);
	if (ret) {
		report_key_error(&kc.hs, kc.tag, ret);
		return end_key_command(&kc, EXIT_FAILURE);
	}
	if (kc.opt.out)
		ret = write_path(kc.opt.out, buf, len);
	else if (fwrite(buf, 1, len, stdout) != len || fflush(stdout))
		ret = -1;
	return end_key_command(&kc, ret ? EXIT_FAILURE : EXIT_SUCCESS);
}

/* ---- encrypt, decrypt ---- */

#define CIPHER_FILE_MAX		(16u << 20)

/* The input of encrypt/decrypt, in a buffer with room for padding. */
static uint8_t *load_cipher_input(const char *path, size_t *len)
{
	/* Pages of the buffer that the file does not fill are never touched. */
	uint8_t *buf = malloc(CIPHER_FILE_MAX + 16);
	long n;

	if (!buf) {
		fprintf(stderr, "azihsm: out of memory\n");
		return NULL;
	}
	n = read_file(path, buf, CIPHER_FILE_MAX);
	if (n < 0) {
		free(buf);
		return NULL;
	}
	*len = (size_t)n;
	return buf;
}

static int run_cipher(int argc, char **argv, bool encrypt)
{
	struct key_command kc;
	uint8_t iv[16], *in = NULL, *out = NULL;
	size_t in_len, out_len;
	int ret, exit_status = EXIT_FAILURE;

	ret = parse_key_command(argc, argv, usage_encrypt,
				OPT_IN | OPT_OUT | OPT_CIPHER, &kc);
	if (ret >= 0)
		return ret;
	if (need_in_out(&kc, argv[0]) || parse_hex16("iv", kc.opt.iv, iv)) {
		fputs(usage_encrypt, stderr);
		return EXIT_USAGE;
	}
	in = load_cipher_input(kc.opt.in, &in_len);
	if (!in)
		return EXIT_FAILURE;
	if (!encrypt && (!in_len || in_len % 16)) {
		fprintf(stderr, "azihsm decrypt: %s: %zu bytes is not AES-CBC "
			"ciphertext (a non-zero multiple of 16 bytes)\n",
			kc.opt.in, in_len);
		goto out;
	}
	if (kc.opt.no_pad && in_len % 16) {
		fprintf(stderr, "azihsm encrypt: %s: %zu bytes is not a multiple "
			"of 16 bytes, as --no-pad needs\n", kc.opt.in, in_len);
		goto out;
	}
	out = malloc(in_len + 16);
	if (!out) {
		fprintf(stderr, "azihsm: out of memory\n");
		goto out;
	}
	if (open_tagged_key(&kc) || check_key_kind(&kc, argv[0], false))
		goto out;
	ret = azihsm_aes_cbc(kc.key, encrypt,
			     kc.opt.no_pad ? AZIHSM_PAD_NONE : AZIHSM_PAD_PKCS7,
			     iv, in, in_len, out, in_len + 16, &out_len, NULL);
	if (ret == AZIHSM_ERR_BAD_PADDING)
		fprintf(stderr, "azihsm decrypt: the decrypted data does not end "
			"in valid PKCS#7 padding: wrong key or IV, damaged "
			"ciphertext, or it was encrypted with --no-pad\n");
	else if (ret)
		report_key_error(&kc.hs, kc.tag, ret);
	else if (!write_path(kc.opt.out, out, out_len))
		exit_status = EXIT_SUCCESS;
out:
	if (out) {
		explicit_bzero(out, in_len + 16);
		free(out);
	}
	explicit_bzero(in, in_len);
	free(in);
	return end_key_command(&kc, exit_status);
}

static int cmd_encrypt(int argc, char **argv)
{
	return run_cipher(argc, argv, true);
}

static int cmd_decrypt(int argc, char **argv)
{
	return run_cipher(argc, argv, false);
}

/* ---- delete ---- */

static int cmd_delete(int argc, char **argv)
{
	struct key_command kc;
	uint16_t key_id;
	int ret;

	ret = parse_key_command(argc, argv, usage_delete, 0, &kc);
	if (ret >= 0)
		return ret;
	if (open_tagged_key(&kc))
		return end_key_command(&kc, EXIT_FAILURE);
	key_id = azihsm_key_id(kc.key);
	ret = azihsm_key_delete(kc.key);
	if (ret) {
		report_key_error(&kc.hs, kc.tag, ret);
		return end_key_command(&kc, EXIT_FAILURE);
	}
	kc.key = NULL;
	printf("deleted key with tag %u (key id %u)\n", kc.tag, key_id);
	return end_key_command(&kc, EXIT_SUCCESS);
}

/* ---- ecdh, derive, hmac ---- */

/* The peer's PEM public key as DER SubjectPublicKeyInfo; 0, or -1 reported. */
static int load_peer_der(const char *path, uint8_t *der, size_t cap, size_t *len)
{
	FILE *f = fopen(path, "r");
	unsigned char *p = der;
	EVP_PKEY *pk;
	int n;

	if (!f) {
		fprintf(stderr, "azihsm: %s: %s\n", path, strerror(errno));
		return -1;
	}
	pk = PEM_read_PUBKEY(f, NULL, NULL, NULL);
	fclose(f);
	if (!pk) {
		fprintf(stderr, "azihsm ecdh: %s: not a PEM public key\n", path);
		return -1;
	}
	n = i2d_PUBKEY(pk, NULL);
	if (n <= 0 || (size_t)n > cap || i2d_PUBKEY(pk, &p) != n) {
		fprintf(stderr, "azihsm ecdh: %s: unusable public key\n", path);
		EVP_PKEY_free(pk);
		return -1;
	}
	EVP_PKEY_free(pk);
	*len = (size_t)n;
	return 0;
}

/* Print the new key and free its handle; the exit status. */
static int new_key_done(struct azihsm_key *key, const struct azihsm_key_params *params)
{
	print_new_key(key, params);
	azihsm_key_free(key);
	return EXIT_SUCCESS;
}

static int cmd_ecdh(int argc, char **argv)
{
	struct azihsm_key_params params = { .usage = AZIHSM_USAGE_DERIVE };
	struct azihsm_key *secret = NULL;
	struct key_command kc;
	uint8_t der[512];
	size_t der_len;
	int ret;

	ret = parse_key_command(argc, argv, usage_ecdh, OPT_ECDH, &kc);
	if (ret >= 0)
		return ret;
	if (!kc.opt.peer || !kc.opt.secret_tag) {
		fprintf(stderr, "azihsm ecdh: --peer and --secret-tag are required\n");
		fputs(usage_ecdh, stderr);
		return EXIT_USAGE;
	}
	if (parse_tag_option("--secret-tag", kc.opt.secret_tag, &params.tag))
		return EXIT_USAGE;
	if (load_peer_der(kc.opt.peer, der, sizeof(der), &der_len))
		return EXIT_FAILURE;
	if (open_tagged_key(&kc) || check_key_kind(&kc, argv[0], true))
		return end_key_command(&kc, EXIT_FAILURE);
	ret = azihsm_ecdh(kc.key, der, der_len, &params, &secret);
	if (ret == AZIHSM_ERR_INVALID_KEY) {
		fprintf(stderr, "azihsm ecdh: %s is not a valid public key on the "
			"curve of %s\n", kc.opt.peer, kc.type->name);
		return end_key_command(&kc, EXIT_FAILURE);
	}
	if (ret) {
		report_key_error(&kc.hs, ret == AZIHSM_ERR_TAG_EXISTS ? params.tag : kc.tag,
				 ret);
		return end_key_command(&kc, EXIT_FAILURE);
	}
	return end_key_command(&kc, new_key_done(secret, &params));
}

/* An optional --salt/--info: at most 256 bytes of hex; 0, or -1 reported. */
static int parse_kdf_hex(const char *name, const char *hex, uint8_t out[256],
			 const uint8_t **bytes, size_t *len)
{
	size_t i, n = hex ? strlen(hex) : 0;
	int hi, lo;

	*bytes = NULL;
	*len = 0;
	if (!hex)
		return 0;
	if (n % 2 || n / 2 > 256)
		goto bad;
	for (i = 0; i < n / 2; i++) {
		hi = hex_digit(hex[2 * i]);
		lo = hex_digit(hex[2 * i + 1]);
		if (hi < 0 || lo < 0)
			goto bad;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	*bytes = out;
	*len = n / 2;
	return 0;
bad:
	fprintf(stderr, "azihsm: %s needs up to 256 bytes in hexadecimal "
		"(an even number of digits)\n", name);
	return -1;
}

/* sha256/sha384/sha512; 0 if none. */
static enum azihsm_hash parse_kdf_hash(const char *name)
{
	static const char *const names[] = { "sha256", "sha384", "sha512" };
	size_t i;

	for (i = 0; name && i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(name, names[i]))
			return (enum azihsm_hash)(AZIHSM_HASH_SHA256 + i);
	return 0;
}

/* The derive options that need no device; 0, or -1 reported. */
static int parse_derive(const struct options *opt, enum azihsm_hash *hash,
			const struct key_type_info **type)
{
	size_t i;

	if (!opt->secret_tag || opt->hkdf == opt->kbkdf || !opt->key_type) {
		fprintf(stderr, "azihsm derive: --secret-tag, --type and exactly one "
			"of --hkdf and --kbkdf are required\n");
		return -1;
	}
	*hash = parse_kdf_hash(opt->hash);
	if (!*hash) {
		fprintf(stderr, "azihsm derive: --hash is sha256, sha384 or sha512%s%s%s\n",
			opt->hash ? ", not '" : "", opt->hash ? opt->hash : "",
			opt->hash ? "'" : "");
		return -1;
	}
	*type = NULL;
	for (i = 0; i < N_KEY_TYPES; i++)
		if (!strcmp(opt->key_type, key_types[i].name) &&
		    (is_aes_type(key_types[i].type) || !strncmp(key_types[i].name, "hmac-", 5)))
			*type = &key_types[i];
	if (!*type) {
		fprintf(stderr, "azihsm derive: --type is hmac-sha256, hmac-sha384, "
			"hmac-sha512, aes-128, aes-192 or aes-256, not '%s'\n", opt->key_type);
		return -1;
	}
	return 0;
}

static int cmd_derive(int argc, char **argv)
{
	struct azihsm_key_params params = { 0 };
	const struct key_type_info *type;
	struct azihsm_key *key = NULL;
	uint8_t salt_buf[256], info_buf[256];
	const uint8_t *salt, *info;
	size_t salt_len, info_len;
	enum azihsm_hash hash;
	struct key_command kc;
	uint16_t secret_tag;
	int ret;

	ret = parse_key_command(argc, argv, usage_derive, OPT_KDF | OPT_HASH, &kc);
	if (ret >= 0)
		return ret;
	if (parse_derive(&kc.opt, &hash, &type) ||
	    parse_tag_option("--secret-tag", kc.opt.secret_tag, &secret_tag) ||
	    parse_kdf_hex("--salt", kc.opt.salt, salt_buf, &salt, &salt_len) ||
	    parse_kdf_hex("--info", kc.opt.info, info_buf, &info, &info_len)) {
		fputs(usage_derive, stderr);
		return EXIT_USAGE;
	}
	params.tag = kc.tag;
	params.usage = is_aes_type(type->type) ? AZIHSM_USAGE_ENCRYPT_DECRYPT :
						 AZIHSM_USAGE_SIGN_VERIFY;
	/* The key of the command is the secret; --tag is the new key's. */
	kc.tag = secret_tag;
	if (open_tagged_key(&kc))
		return end_key_command(&kc, EXIT_FAILURE);
	if (azihsm_key_type(kc.key) < AZIHSM_KEY_SECRET_P256 ||
	    azihsm_key_type(kc.key) > AZIHSM_KEY_SECRET_P521) {
		fprintf(stderr, "azihsm derive: the key with tag %u is %s, not a shared "
			"secret (see azihsm ecdh)\n", secret_tag,
			key_type_name(azihsm_key_type(kc.key)));
		return end_key_command(&kc, EXIT_FAILURE);
	}
	ret = kc.opt.hkdf ?
	      azihsm_hkdf_derive(kc.key, hash, salt, salt_len, info, info_len, type->type,
				 &params, &key) :
	      azihsm_kbkdf_derive(kc.key, hash, salt, salt_len, info, info_len, type->type,
				  &params, &key);
	if (ret) {
		report_key_error(&kc.hs, ret == AZIHSM_ERR_TAG_EXISTS ? params.tag : secret_tag,
				 ret);
		return end_key_command(&kc, EXIT_FAILURE);
	}
	return end_key_command(&kc, new_key_done(key, &params));
}

#define HMAC_MSG_MAX	1024	/* the device's Hmac message limit */

static void print_hex_line(const uint8_t *buf, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		printf("%02x", buf[i]);
	putchar('\n');
}

static int cmd_hmac(int argc, char **argv)
{
	uint8_t msg[HMAC_MSG_MAX], tag[AZIHSM_HMAC_MAX];
	struct key_command kc;
	size_t tag_len;
	long msg_len;
	int ret;

	ret = parse_key_command(argc, argv, usage_hmac, OPT_IN | OPT_OUT, &kc);
	if (ret >= 0)
		return ret;
	if (!kc.opt.in) {
		fprintf(stderr, "azihsm hmac: --in is required\n");
		fputs(usage_hmac, stderr);
		return EXIT_USAGE;
	}
	msg_len = read_file(kc.opt.in, msg, sizeof(msg));
	if (msg_len < 0) {
		fprintf(stderr, "azihsm hmac: the device takes at most %d bytes\n",
			HMAC_MSG_MAX);
		return EXIT_FAILURE;
	}
	if (open_tagged_key(&kc))
		return end_key_command(&kc, EXIT_FAILURE);
	ret = azihsm_hmac(kc.key, msg, (size_t)msg_len, tag, sizeof(tag), &tag_len);
	if (ret == AZIHSM_ERR_KEY_TYPE) {
		fprintf(stderr, "azihsm hmac: the key with tag %u is %s, not an HMAC key\n",
			kc.tag, key_type_name(azihsm_key_type(kc.key)));
		return end_key_command(&kc, EXIT_FAILURE);
	}
	if (ret) {
		report_key_error(&kc.hs, kc.tag, ret);
		return end_key_command(&kc, EXIT_FAILURE);
	}
	if (!kc.opt.out)
		print_hex_line(tag, tag_len);
	else if (write_path(kc.opt.out, tag, tag_len))
		return end_key_command(&kc, EXIT_FAILURE);
	return end_key_command(&kc, EXIT_SUCCESS);
}

/* "azihsm GROUP SUB ...": the group's subcommands. */
struct subcommand {
	const char *name;
	int (*run)(int argc, char **argv);
};

/* ---- import --masked, import --in, attest, certs ---- */

/* import --in: a PEM private key, wrapped by the library (RsaUnwrap). */
static int import_pem(struct key_command *kc)
{
	struct azihsm_key_params params = { .tag = kc->tag };
	PKCS8_PRIV_KEY_INFO *p8 = NULL;
	unsigned char *der = NULL;
	uint32_t key_class = 0;
	EVP_PKEY *pk = NULL;
	int der_len = 0, ret;
	FILE *f;

	if (!kc->tag) {
		fprintf(stderr, "azihsm import: --in needs --tag N\n");
		return EXIT_USAGE;
	}
	if (kc->opt.usage) {
		/* "decrypt" names RSA's encrypt+decrypt usage. */
		if (!strcmp(kc->opt.usage, "sign"))
			params.usage = AZIHSM_USAGE_SIGN_VERIFY;
		else if (!strcmp(kc->opt.usage, "derive"))
			params.usage = AZIHSM_USAGE_DERIVE;
		else if (!strcmp(kc->opt.usage, "decrypt") || !strcmp(kc->opt.usage, "encrypt"))
			params.usage = AZIHSM_USAGE_ENCRYPT_DECRYPT;
		else {
			fprintf(stderr, "azihsm import: unknown usage '%s'\n", kc->opt.usage);
			return EXIT_USAGE;
		}
	}
	f = fopen(kc->opt.in, "r");
	if (f) {
		pk = PEM_read_PrivateKey(f, NULL, NULL, NULL);
		fclose(f);
	}
	if (pk)
		key_class = EVP_PKEY_is_a(pk, "RSA") ? AZIHSM_CLASS_RSA :
			    EVP_PKEY_is_a(pk, "EC") ? AZIHSM_CLASS_ECC : 0;
	p8 = key_class ? EVP_PKEY2PKCS8(pk) : NULL;
	if (p8)
		der_len = i2d_PKCS8_PRIV_KEY_INFO(p8, &der);
	PKCS8_PRIV_KEY_INFO_free(p8);
	EVP_PKEY_free(pk);
	if (der_len <= 0) {
		fprintf(stderr, "azihsm import: %s: not an unencrypted PEM RSA or EC "
			"private key\n", kc->opt.in);
		OPENSSL_clear_free(der, der_len > 0 ? (size_t)der_len : 0);
		return EXIT_FAILURE;
	}
	if (open_session(kc->opt.device, kc->id, kc->pin, &kc->hs)) {
		OPENSSL_clear_free(der, (size_t)der_len);
		return EXIT_FAILURE;
	}
	ret = azihsm_key_import(kc->hs.sess, der, (size_t)der_len, key_class, &params,
				&kc->key);
	OPENSSL_clear_free(der, (size_t)der_len);
	if (ret) {
		report_key_error(&kc->hs, kc->tag, ret);
		return end_key_command(kc, EXIT_FAILURE);
	}
	printf("%-16s%u (0x%04x)\n", "key id:", azihsm_key_id(kc->key),
	       azihsm_key_id(kc->key));
	printf("%-16s%u\n", "tag:", kc->tag);
	print_field("type:", key_type_name(azihsm_key_type(kc->key)));
	return end_key_command(kc, EXIT_SUCCESS);
}

static int cmd_import(int argc, char **argv)
{
	static uint8_t blob[3072];
	struct key_command kc;
	struct azihsm_key *key = NULL;
	long len;
	int ret;

	memset(&kc, 0, sizeof(kc));
	ret = parse_options(argc, argv, usage_import, OPT_DEVICE | OPT_CRED | OPT_TAG |
			    OPT_MASKED | OPT_IN | OPT_KEYGEN, &kc.opt, NULL);
	if (ret >= 0)
		return ret;
	if (kc.opt.in && !kc.opt.masked) {
		if ((kc.opt.tag && parse_tag(kc.opt.tag, &kc.tag)) ||
		    parse_credential(&kc.opt, kc.id, kc.pin)) {
			fputs(usage_import, stderr);
			return EXIT_USAGE;
		}
		ret = import_pem(&kc);
		if (ret == EXIT_USAGE)
			fputs(usage_import, stderr);
		return ret;
	}
	if (!kc.opt.masked || kc.opt.in) {
		fprintf(stderr, "azihsm import: give --masked FILE or --in KEY.pem\n");
		fputs(usage_import, stderr);
		return EXIT_USAGE;
	}
	if ((kc.opt.tag && parse_tag(kc.opt.tag, &kc.tag)) ||
	    parse_credential(&kc.opt, kc.id, kc.pin)) {
		fputs(usage_import, stderr);
		return EXIT_USAGE;
	}
	len = read_file(kc.opt.masked, blob, sizeof(blob));
	if (len <= 0) {
		if (!len)
			fprintf(stderr, "azihsm import: %s is empty\n", kc.opt.masked);
		return EXIT_FAILURE;
	}
	if (open_session(kc.opt.device, kc.id, kc.pin, &kc.hs))
		return EXIT_FAILURE;
	ret = azihsm_key_unmask(kc.hs.sess, blob, (size_t)len, &key);
	if (ret) {
		if (ret == AZIHSM_ERR_BAD_BLOB)
			fprintf(stderr, "azihsm import: %s: not a masked key of this "
				"partition, or altered\n", kc.opt.masked);
		report_key_error(&kc.hs, 0, ret);
		return end_key_command(&kc, EXIT_FAILURE);
	}
	kc.key = key;
	/* --tag: the key must have come back under that tag. */
	if (kc.tag) {
		ret = azihsm_key_open(kc.hs.sess, kc.tag, &key);
		if (!ret && azihsm_key_id(key) != azihsm_key_id(kc.key))
			ret = AZIHSM_ERR_KEY_NOT_FOUND;
		if (!ret)
			azihsm_key_free(key);
		if (ret) {
			fprintf(stderr, "azihsm import: the key did not come back with "
				"tag %u\n", kc.tag);
			return end_key_command(&kc, EXIT_FAILURE);
		}
	}
	printf("%-16s%u (0x%04x)\n", "key id:", azihsm_key_id(kc.key),
	       azihsm_key_id(kc.key));
	if (kc.tag)
		printf("%-16s%u\n", "tag:", kc.tag);
	print_field("type:", key_type_name(azihsm_key_type(kc.key)));
	return end_key_command(&kc, EXIT_SUCCESS);
}

static void print_attest_info(const struct azihsm_attest_info *info)
{
	static const char *const names[] = {
		"imported", "session", "generated", "encrypt", "decrypt", "sign",
		"verify", "wrap", "unwrap", "derive",
	};
	size_t i;

	printf("%-16s0x%08x", "key flags:", info->flags);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (info->flags & (1u << i))
			printf(" %s", names[i]);
	putchar('\n');
	printf("%-16s", "app id:");
	print_hex_line(info->app_id, sizeof(info->app_id));
	printf("%-16s", "vm launch id:");
	print_hex_line(info->vm_launch_id, sizeof(info->vm_launch_id));
	printf("%-16s", "report data:");
	print_hex_line(info->report_data, sizeof(info->report_data));
	if (info->point_len) {
		printf("%-16sP-%s ", "public key:",
		       info->curve == 1 ? "256" : info->curve == 2 ? "384" : "521");
		print_hex_line(info->point, info->point_len);
	} else {
		printf("%-16s%s\n", "public key:", info->cose_key_len ?
		       "RSA (COSE_Key)" : "none (symmetric key)");
	}
}

static int cmd_attest(int argc, char **argv)
{
	uint8_t data_buf[256], data[AZIHSM_ATTEST_DATA_LEN] = { 0 };
	uint8_t report[AZIHSM_ATTEST_REPORT_MAX];
	struct azihsm_attest_info info;
	struct key_command kc;
	const uint8_t *hex_data;
	size_t data_len, len;
	int ret;

	ret = parse_key_command(argc, argv, usage_attest, OPT_OUT | OPT_ATTEST, &kc);
	if (ret >= 0)
		return ret;
	if (parse_kdf_hex("--report-data", kc.opt.report_data, data_buf, &hex_data,
			  &data_len)) {
		fputs(usage_attest, stderr);
		return EXIT_USAGE;
	}
	if (data_len > sizeof(data) || !kc.opt.out) {
		fprintf(stderr, "azihsm attest: %s\n", kc.opt.out ?
			"--report-data is at most 128 bytes" : "--out FILE is required");
		fputs(usage_attest, stderr);
		return EXIT_USAGE;
	}
	if (data_len)
		memcpy(data, hex_data, data_len);
	if (open_tagged_key(&kc))
		return end_key_command(&kc, EXIT_FAILURE);
	ret = azihsm_key_attest(kc.key, data, sizeof(data), report, sizeof(report), &len);
	if (ret) {
		report_key_error(&kc.hs, kc.tag, ret);
		return end_key_command(&kc, EXIT_FAILURE);
	}
	if (write_path(kc.opt.out, report, len))
		return end_key_command(&kc, EXIT_FAILURE);
	printf("%-16s%s (%zu bytes)\n", "report:", kc.opt.out, len);
	ret = azihsm_attest_verify(kc.hs.dev, report, len, data, &info);
	if (ret) {
		report_error(azihsm_dev_path(kc.hs.dev), ret);
		return end_key_command(&kc, EXIT_FAILURE);
	}
	printf("%-16s%s\n", "signature:", "verified (partition identity key)");
	print_attest_info(&info);
	return end_key_command(&kc, EXIT_SUCCESS);
}

/* Check the chain with OpenSSL: certs[0] the trusted root, the last the leaf. */
static int verify_chain(X509 **certs, unsigned int n)
{
	X509_STORE *store = X509_STORE_new();
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	STACK_OF(X509) *untrusted = sk_X509_new_null();
	unsigned int i;
	int ok = 0;

	if (store && ctx && untrusted && X509_STORE_add_cert(store, certs[0])) {
		for (i = 1; i + 1 < n; i++)
			sk_X509_push(untrusted, certs[i]);
		if (X509_STORE_CTX_init(ctx, store, certs[n - 1], untrusted))
			ok = X509_verify_cert(ctx) == 1;
		if (!ok)
			fprintf(stderr, "azihsm certs: chain does not verify: %s\n",
				X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx)));
	}
	sk_X509_free(untrusted);
	X509_STORE_CTX_free(ctx);
	X509_STORE_free(store);
	return ok ? 0 : -1;
}

/* Write cert i as DIR/cert-i.pem; 0, or -1 reported. */
static int write_cert_pem(const char *dir, unsigned int i, X509 *cert)
{
	char path[4096];
	FILE *f;
	int ret;

	if (snprintf(path, sizeof(path), "%s/cert-%u.pem", dir, i) >= (int)sizeof(path)) {
		fprintf(stderr, "azihsm: %s: path too long\n", dir);
		return -1;
	}
	f = fopen(path, "w");
	if (!f) {
		fprintf(stderr, "azihsm: %s: %s\n", path, strerror(errno));
		return -1;
	}
	ret = PEM_write_X509(f, cert) ? 0 : -1;
	if (fclose(f) || ret) {
		fprintf(stderr, "azihsm: %s: write error\n", path);
		return -1;
	}
	printf("%-16s%s\n", "written:", path);
	return 0;
}

#define CERTS_MAX	8

static int cmd_certs(int argc, char **argv)
{
	X509 *certs[CERTS_MAX] = { NULL };
	uint8_t der[AZIHSM_CERT_MAX];
	struct options opt = { 0 };
	struct azihsm_dev *dev;
	unsigned int n = 0, i;
	char name[512];
	size_t len;
	int ret, exit_status = EXIT_FAILURE;

	ret = parse_options(argc, argv, usage_certs, OPT_DEVICE | OPT_OUT_DIR, &opt, NULL);
	if (ret >= 0)
		return ret;
	dev = open_device(opt.device);
	if (!dev)
		return EXIT_FAILURE;
	ret = azihsm_cert_get(dev, 0, &n, NULL, 0, NULL);
	if (!ret && (!n || n > CERTS_MAX)) {
		fprintf(stderr, "azihsm certs: the device reports %u certificates\n", n);
		goto out;
	}
	for (i = 0; !ret && i < n; i++) {
		const unsigned char *p = der;

		ret = azihsm_cert_get(dev, i, NULL, der, sizeof(der), &len);
		if (ret)
			break;
		certs[i] = d2i_X509(NULL, &p, (long)len);
		if (!certs[i]) {
			fprintf(stderr, "azihsm certs: certificate %u does not parse\n", i);
			goto out;
		}
		X509_NAME_oneline(X509_get_subject_name(certs[i]), name, sizeof(name));
		printf("%-16s%s\n", i == 0 ? "root:" : i + 1 == n ? "identity:" : "intermediate:",
		       name);
		if (opt.out_dir && write_cert_pem(opt.out_dir, i, certs[i]))
			goto out;
	}
	if (ret) {
		report_error(azihsm_dev_path(dev), ret);
		goto out;
	}
	if (verify_chain(certs, n))
		goto out;
	printf("%-16s%s\n", "chain:", "verified");
	exit_status = EXIT_SUCCESS;
out:
	for (i = 0; i < CERTS_MAX; i++)
		X509_free(certs[i]);
	azihsm_close(dev);
	return exit_status;
}

static int run_subcommand(const char *group, const char *usage,
			  const struct subcommand *subs, size_t n,
			  int argc, char **argv)
{
	static char label[64];
	size_t i;

	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		fputs(usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : EXIT_SUCCESS;
	}
	for (i = 0; i < n; i++) {
		if (strcmp(argv[1], subs[i].name))
			continue;
		/* Messages then name the command as typed: "partition init". */
		snprintf(label, sizeof(label), "%s %s", group, subs[i].name);
		argv[1] = label;
		return subs[i].run(argc - 1, argv + 1);
	}
	fprintf(stderr, "azihsm %s: unknown command '%s'\n", group, argv[1]);
	fputs(usage, stderr);
	return EXIT_USAGE;
}

static int cmd_partition(int argc, char **argv)
{
	static const struct subcommand subs[] = {
		{ "init", cmd_partition_init },
	};

	return run_subcommand("partition", usage_partition_init, subs, 1, argc, argv);
}

static int cmd_session(int argc, char **argv)
{
	static const struct subcommand subs[] = {
		{ "test", cmd_session_test },
	};

	return run_subcommand("session", usage_session_test, subs, 1, argc, argv);
}

static const struct command {
	const char *name;
	int (*run)(int argc, char **argv);
} commands[] = {
	{ "list", cmd_list },
	{ "info", cmd_info },
	{ "partition", cmd_partition },
	{ "session", cmd_session },
	{ "keygen", cmd_keygen },
	{ "sign", cmd_sign },
	{ "pubkey", cmd_pubkey },
	{ "encrypt", cmd_encrypt },
	{ "decrypt", cmd_decrypt },
	{ "delete", cmd_delete },
	{ "ecdh", cmd_ecdh },
	{ "derive", cmd_derive },
	{ "hmac", cmd_hmac },
	{ "import", cmd_import },
	{ "attest", cmd_attest },
	{ "certs", cmd_certs },
};

static int run_command(int argc, char **argv)
{
	size_t i;

	if (argc < 2) {
		fputs(usage_main, stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
	    !strcmp(argv[1], "help")) {
		fputs(usage_main, stdout);
		return EXIT_SUCCESS;
	}
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].run(argc - 1, argv + 1);
	fprintf(stderr, "azihsm: unknown command '%s'\n", argv[1]);
	fputs(usage_main, stderr);
	return EXIT_USAGE;
}

int main(int argc, char **argv)
{
	int ret;

	/* The one global option; it comes before the command. */
	if (argc < 2 || strcmp(argv[1], "--emulated"))
		return run_command(argc, argv);
	if (load_emulator()) {
		if (emulated.lib)
			dlclose(emulated.lib);
		return EXIT_FAILURE;
	}
	argv[1] = argv[0];
	ret = run_command(argc - 1, argv + 1);
	emulated.free(emulated.emu);
	dlclose(emulated.lib);
	return ret;
}
