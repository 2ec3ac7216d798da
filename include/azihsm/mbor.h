/* SPDX-License-Identifier: MIT */
/*
 * MBOR, the binary encoding of DDI messages (spec/ddi.md section 1).
 *
 * Two layers:
 *  - primitives (mbor_put_* / mbor_get_*) that write and read single values
 *    with the canonical markers and the 4-byte alignment rule for
 *    variable-length byte strings, which depends on the absolute offset in
 *    the whole message;
 *  - a schema walker (mbor_encode / mbor_decode) that turns a C struct into
 *    a map and back from a table of field descriptors, so each DDI message
 *    is described once and serves both the firmware core and libazihsm.
 *
 * Plain C11, no allocation.  Decoded byte strings point into the input.
 */
#ifndef AZIHSM_MBOR_H
#define AZIHSM_MBOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MBOR_MARK_MAP	0xa0
#define MBOR_MARK_U8	0x18
#define MBOR_MARK_U16	0x19
#define MBOR_MARK_U32	0x1a
#define MBOR_MARK_U64	0x1b
#define MBOR_MARK_FALSE	0x14
#define MBOR_MARK_TRUE	0x15
#define MBOR_MARK_BYTES	0x80
#define MBOR_MAX_MAP_ENTRIES 31

/* A byte string: on encode the data to write, on decode a view of the input. */
struct mbor_bytes {
	const uint8_t *ptr;
	uint16_t len;
};

struct mbor_enc {
	uint8_t *buf;
	size_t cap;
	size_t pos;		/* absolute offset: drives byte-string padding */
	bool overflow;		/* set once anything did not fit */
};

struct mbor_dec {
	const uint8_t *buf;
	size_t len;
	size_t pos;
	bool error;		/* set at the first malformed or truncated item */
};

void mbor_enc_init(struct mbor_enc *e, uint8_t *buf, size_t cap);
void mbor_put_map(struct mbor_enc *e, unsigned int count);
void mbor_put_key(struct mbor_enc *e, uint8_t key);
void mbor_put_u8(struct mbor_enc *e, uint8_t v);
void mbor_put_u16(struct mbor_enc *e, uint16_t v);
void mbor_put_u32(struct mbor_enc *e, uint32_t v);
void mbor_put_u64(struct mbor_enc *e, uint64_t v);
void mbor_put_bool(struct mbor_enc *e, bool v);
/* Variable-length string: data aligned to 4 from the start of the buffer. */
void mbor_put_bytes(struct mbor_enc *e, const void *p, size_t len);
/* Fixed-size string (bytes[N]): never padded. */
void mbor_put_fixed_bytes(struct mbor_enc *e, const void *p, size_t len);
/* Bytes the value of a variable-length string of len bytes takes at pos. */
size_t mbor_bytes_size(size_t pos, size_t len);

void mbor_dec_init(struct mbor_dec *d, const uint8_t *buf, size_t len);
bool mbor_get_map(struct mbor_dec *d, unsigned int *count);
/* Look at the next map key without consuming it. */
bool mbor_peek_key(struct mbor_dec *d, uint8_t *key);
bool mbor_get_key(struct mbor_dec *d, uint8_t expected);
bool mbor_get_u8(struct mbor_dec *d, uint8_t *v);
bool mbor_get_u16(struct mbor_dec *d, uint16_t *v);
bool mbor_get_u32(struct mbor_dec *d, uint32_t *v);
bool mbor_get_u64(struct mbor_dec *d, uint64_t *v);
bool mbor_get_bool(struct mbor_dec *d, bool *v);
bool mbor_get_bytes(struct mbor_dec *d, size_t max, struct mbor_bytes *out);
bool mbor_get_fixed_bytes(struct mbor_dec *d, size_t n, struct mbor_bytes *out);

/* ---- Schema-driven structs ---- */

enum mbor_kind {
	MBOR_U8,
	MBOR_U16,
	MBOR_U32,		/* also every DDI enumeration */
	MBOR_U64,
	MBOR_BOOL,
	MBOR_BYTES,		/* struct mbor_bytes, at most .size bytes */
	MBOR_FIXED_BYTES,	/* struct mbor_bytes, exactly .size bytes */
	MBOR_MAP,		/* nested struct described by .sub */
};

struct mbor_schema;

struct mbor_field {
	uint8_t key;
	uint8_t kind;			/* enum mbor_kind */
	bool optional;			/* presence in a bool at .present_off */
	uint16_t size;			/* byte-string limit or exact size */
	size_t off;			/* value offset in the C struct */
	size_t present_off;
	const struct mbor_schema *sub;
};

struct mbor_schema {
	const char *name;
	const struct mbor_field *fields;	/* ascending keys */
	size_t nfields;
};

/* Descriptor helpers: MBOR_REQ(struct type, member, key, kind, size, sub). */
#define MBOR_REQ(T, m, k, kind_, size_, sub_) \
	{ .key = (k), .kind = (kind_), .optional = false, .size = (size_), \
	  .off = offsetof(T, m), .present_off = 0, .sub = (sub_) }
#define MBOR_OPT(T, m, has, k, kind_, size_, sub_) \
	{ .key = (k), .kind = (kind_), .optional = true, .size = (size_), \
	  .off = offsetof(T, m), .present_off = offsetof(T, has), .sub = (sub_) }
#define MBOR_SCHEMA(sym, T, ...) \
	static const struct mbor_field sym##_fields[] = { __VA_ARGS__ }; \
	const struct mbor_schema sym = { #T, sym##_fields, \
		sizeof(sym##_fields) / sizeof(sym##_fields[0]) }
/* A struct with no fields (empty map). */
#define MBOR_EMPTY_SCHEMA(sym, T) \
	const struct mbor_schema sym = { #T, NULL, 0 }

/* Encode obj as a map; false if it did not fit (e->overflow). */
bool mbor_encode(struct mbor_enc *e, const struct mbor_schema *s, const void *obj);
/*
 * Decode a map into obj (zeroed first).  Strict: canonical markers, keys in
 * schema order, no unknown, duplicate or missing mandatory keys, length
 * limits.  False on any violation (d->error).
 */
bool mbor_decode(struct mbor_dec *d, const struct mbor_schema *s, void *obj);

#endif /* AZIHSM_MBOR_H */
