// SPDX-License-Identifier: MIT
/*
 * DDI helper for test_device.py, which speaks the device's queue protocol
 * but not MBOR: encode an empty-data request for an opcode, or decode a
 * GetApiRev response, with the project's own codec.
 *
 *   ddihelper encode OPCODE    print the request as hex
 *   ddihelper decode HEX       print "op=N status=N min=M.m max=M.m"
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "azihsm/ddi_msg.h"

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

static int decode(const char *hex)
{
	uint8_t buf[AZIHSM_DDI_MAX_RESPONSE];
	struct ddi_resp_hdr hdr;
	struct ddi_get_api_rev_resp rev;
	size_t len = strlen(hex) / 2, i;

	if (len > sizeof(buf))
		return 1;
	for (i = 0; i < len; i++)
		if (sscanf(hex + 2 * i, "%2hhx", &buf[i]) != 1)
			return 1;
	if (!ddi_decode_response(buf, len, &hdr, &ddi_get_api_rev_resp_schema, &rev)) {
		printf("undecodable\n");
		return 1;
	}
	printf("op=%u status=%u min=%u.%u max=%u.%u\n", hdr.op, hdr.status,
	       rev.min.major, rev.min.minor, rev.max.major, rev.max.minor);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "encode") == 0)
		return encode(argv[2]);
	if (argc == 3 && strcmp(argv[1], "decode") == 0)
		return decode(argv[2]);
	fprintf(stderr, "usage: %s encode OPCODE | decode HEX\n", argv[0]);
	return 2;
}
