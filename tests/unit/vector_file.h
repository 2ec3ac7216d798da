/* SPDX-License-Identifier: MIT */
/*
 * Reading the flattened Wycheproof files of build/vectors (see
 * tests/wycheproof/wycheproof.mk) in CMocka tests: include after
 * <cmocka.h>.  $AZIHSM_VECTORS overrides the directory.
 */
#ifndef AZIHSM_VECTOR_FILE_H
#define AZIHSM_VECTOR_FILE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

/*
 * Open name; *header is the first count of its "# source NAME, N tests"
 * or "# source NAME, N of M tests" line.
 */
static inline FILE *vector_file_open(const char *name, unsigned int *header)
{
	const char *dir = getenv("AZIHSM_VECTORS");
	char path[256], line[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir ? dir : "build/vectors", name);
	f = fopen(path, "r");
	if (!f)
		fail_msg("%s: cannot open (make build/vectors, see tests/wycheproof)", path);
	assert_non_null(fgets(line, sizeof(line), f));
	assert_int_equal(sscanf(line, "# source %*[^,], %u", header), 1);
	return f;
}

/* A hex field ('-' = empty) into out; its length. */
static inline size_t vector_hex(const char *s, uint8_t *out, size_t cap)
{
	size_t len = 0;

	if (!strcmp(s, "-"))
		return 0;
	assert_int_equal(OPENSSL_hexstr2buf_ex(out, cap, &len, s, '\0'), 1);
	return len;
}

#endif /* AZIHSM_VECTOR_FILE_H */
