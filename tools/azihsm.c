// SPDX-License-Identifier: MIT
/*
 * azihsm: command-line access to Azure Integrated HSM devices through
 * libazihsm.
 *
 *   azihsm list [--json]
 *   azihsm info [--json] [--device PATH]
 *
 * Exit status: 0 success, 1 error (device, driver or DDI failure, no
 * device), 2 usage error.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libazihsm.h"

#define EXIT_USAGE 2

static const char *const usage_main =
	"usage: azihsm [--help] <command> [<options>]\n"
	"\n"
	"Commands:\n"
	"  list   list the HSM devices (/dev/azihsmN)\n"
	"  info   show a device's identity, DDI API revisions and device info\n"
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

/* Options shared by the commands; each accepts a subset. */
struct options {
	bool json;
	const char *device;
};

/*
 * Parse a command's options.  Returns -1 to go on, else the exit status
 * (help printed, or a usage error).
 */
static int parse_options(int argc, char **argv, const char *usage,
			 bool takes_device, struct options *opt)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "device", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+:jd:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'j':
			opt->json = true;
			break;
		case 'd':
			if (!takes_device)
				goto bad_option;
			opt->device = optarg;
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

	ret = parse_options(argc, argv, usage_list, false, &opt);
	if (ret >= 0)
		return ret;

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
	struct azihsm_dev_list list = { 0 };
	struct options opt = { 0 };
	struct device_report r;
	struct azihsm_dev *dev;
	int ret;

	ret = parse_options(argc, argv, usage_info, true, &opt);
	if (ret >= 0)
		return ret;

	memset(&r, 0, sizeof(r));
	/* Pick the node here rather than in azihsm_open() to name it in errors. */
	if (!opt.device) {
		if (enumerate_devices(&list))
			return EXIT_FAILURE;
		opt.device = list.paths[0];
	}
	ret = azihsm_open(opt.device, &dev);
	if (ret) {
		report_error(opt.device, ret);
		azihsm_dev_list_free(&list);
		return EXIT_FAILURE;
	}
	azihsm_dev_list_free(&list);
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

static const struct command {
	const char *name;
	int (*run)(int argc, char **argv);
} commands[] = {
	{ "list", cmd_list },
	{ "info", cmd_info },
};

int main(int argc, char **argv)
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
