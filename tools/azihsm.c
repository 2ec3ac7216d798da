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
};

/*
 * Parse a command's options.  Returns -1 to go on, else the exit status
 * (help printed, or a usage error).
 */
static int parse_options(int argc, char **argv, const char *usage,
			 unsigned int allowed, struct options *opt)
{
	enum { LONG_ID = 256, LONG_PIN, LONG_BK3, LONG_MASKED_BK3, LONG_BMK,
	       LONG_POTA, LONG_POTA_GEN, LONG_HOLD };
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
		{ 'o', OPT_PROVISION, &opt->out_dir },
		{ LONG_HOLD, OPT_HOLD, &opt->hold },
	};
	size_t i;
	int c;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+:jd:o:h", longopts, NULL)) != -1) {
		for (i = 0; i < sizeof(args) / sizeof(args[0]); i++)
			if (args[i].c == c)
				break;
		if (i < sizeof(args) / sizeof(args[0])) {
			if (!(allowed & args[i].group))
				goto bad_option;
			*args[i].dst = optarg;
			continue;
		}
		switch (c) {
		case 'j':
			if (!(allowed & OPT_JSON))
				goto bad_option;
			opt->json = true;
			break;
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

	ret = parse_options(argc, argv, usage_list, OPT_JSON, &opt);
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

	ret = parse_options(argc, argv, usage_info, OPT_JSON | OPT_DEVICE, &opt);
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

static int write_file(const char *dir, const char *name, const uint8_t *buf,
		      size_t len)
{
	char path[4096];
	FILE *f;
	int ret = 0;

	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path)) {
		fprintf(stderr, "azihsm: %s: path too long\n", dir);
		return -1;
	}
	f = create_private(path, false);
	if (!f)
		return -1;
	if (fwrite(buf, 1, len, f) != len)
		ret = -1;
	if (fclose(f))
		ret = -1;
	if (ret)
		fprintf(stderr, "azihsm: %s: write error\n", path);
	else
		printf("%-16s%s (%zu bytes)\n", name, path, len);
	return ret;
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
			    OPT_DEVICE | OPT_CRED | OPT_PROVISION, &opt);
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
	struct azihsm_session *sess;
	struct azihsm_dev *dev;
	unsigned long hold = 0;
	char *end;
	int ret;

	ret = parse_options(argc, argv, usage_session_test,
			    OPT_DEVICE | OPT_CRED | OPT_HOLD, &opt);
	if (ret >= 0)
		return ret;
	if (parse_hex16("id", opt.id, id) || parse_hex16("pin", opt.pin, pin))
		return EXIT_USAGE;
	if (opt.hold) {
		errno = 0;
		hold = strtoul(opt.hold, &end, 10);
		if (errno || !*opt.hold || *end || hold > 86400) {
			fprintf(stderr, "azihsm: --hold needs 0..86400 seconds\n");
			return EXIT_USAGE;
		}
	}

	dev = open_device(opt.device);
	if (!dev)
		return EXIT_FAILURE;
	ret = azihsm_session_open(dev, id, pin, &sess);
	explicit_bzero(pin, sizeof(pin));
	if (ret) {
		report_error(azihsm_dev_path(dev), ret);
		azihsm_close(dev);
		return EXIT_FAILURE;
	}
	printf("session id %u short app id %u\n", azihsm_session_id(sess),
	       azihsm_session_short_app_id(sess));
	/* Whoever waits for the session to be open reads the line now. */
	fflush(stdout);
	hold_session(hold);
	ret = azihsm_session_close(sess);
	if (ret)
		report_error(azihsm_dev_path(dev), ret);
	else
		printf("session closed\n");
	azihsm_close(dev);
	return ret ? EXIT_FAILURE : EXIT_SUCCESS;
}

/* "azihsm GROUP SUB ...": the group's subcommands. */
struct subcommand {
	const char *name;
	int (*run)(int argc, char **argv);
};

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
