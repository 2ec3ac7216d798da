/* SPDX-License-Identifier: MIT */
/*
 * The host's side of the key-derivation tests: what the device's derived
 * keys must be, computed with OpenSSL (digest: "SHA256" and the like).
 * Failures fail the test.  Implemented in fw_test_util.c, which every unit
 * test links; a header of its own because the library tests cannot take
 * fw_test_util.h's credential names.
 */
#ifndef AZIHSM_HOST_KDF_H
#define AZIHSM_HOST_KDF_H

#include <stddef.h>
#include <stdint.h>

/* RFC 5869 HKDF; salt NULL: none (the RFC's HashLen zero bytes). */
void host_hkdf(const char *digest, const uint8_t *salt, size_t salt_len,
	       const uint8_t *ikm, size_t ikm_len, const uint8_t *info, size_t info_len,
	       uint8_t *out, size_t out_len);
/* SP 800-108 counter-mode KBKDF over HMAC (OpenSSL's "KBKDF"). */
void host_kbkdf(const char *digest, const uint8_t *key, size_t key_len,
		const uint8_t *label, size_t label_len, const uint8_t *context,
		size_t context_len, uint8_t *out, size_t out_len);
/* HMAC of msg into tag (room for 64 bytes); the tag's length. */
size_t host_hmac(const char *digest, const uint8_t *key, size_t key_len,
		 const uint8_t *msg, size_t len, uint8_t *tag);

#endif /* AZIHSM_HOST_KDF_H */
