// SPDX-License-Identifier: MIT
/*
 * MBOR codec: primitives and the schema walker (spec/ddi.md section 1).
 *
 * The encoder always emits canonical markers.  The decoder is stricter than
 * the reference implementation: every marker must be the canonical one, and
 * a variable-length byte string must carry exactly the padding the
 * alignment rule asks for, with zero pad bytes.  Reference encoders never
 * produce anything else, so this costs no interoperability while turning
 * every malformed message into a clear decode error.
 *
 * Encoder overflow handling: a put that does not fit sets e->overflow and
 * still advances e->pos, so that the alignment of later byte strings stays
 * right and, after a failed encode, e->pos is the size the message needs.
 * An encoder with a NULL buffer and cap 0 is therefore a sizing pass.
 */
#include <string.h>

#include "azihsm/mbor.h"

#define MBOR_MAP_COUNT_MASK	0x1f
#define MBOR_BYTES_PAD_MASK	0x03
#define MBOR_BYTES_MAX_LEN	0xffff
#define MBOR_ALIGN		4

/* ---- Encoder primitives ---- */

void mbor_enc_init(struct mbor_enc *e, uint8_t *buf, size_t cap)
{
	e->buf = buf;
	e->cap = buf ? cap : 0;
	e->pos = 0;
	e->overflow = false;
}

static void enc_put(struct mbor_enc *e, const void *p, size_t n)
{
	if (e->overflow || n > e->cap || e->pos > e->cap - n)
		e->overflow = true;
	else if (n)
		memcpy(e->buf + e->pos, p, n);
	e->pos += n;
}

static void enc_put_byte(struct mbor_enc *e, uint8_t b)
{
	enc_put(e, &b, 1);
}

/* A marker followed by the low "width" bytes of v, big-endian. */
static void enc_put_uint(struct mbor_enc *e, uint8_t marker, uint64_t v,
			 unsigned int width)
{
	uint8_t b[9];
	unsigned int i;

	b[0] = marker;
	for (i = 0; i < width; i++)
		b[width - i] = (uint8_t)(v >> (8 * i));
	enc_put(e, b, width + 1);
}

void mbor_put_map(struct mbor_enc *e, unsigned int count)
{
	/* More entries than the 5-bit count holds cannot be encoded at all. */
	if (count > MBOR_MAX_MAP_ENTRIES) {
		e->overflow = true;
		return;
	}
	enc_put_byte(e, (uint8_t)(MBOR_MARK_MAP | count));
}

void mbor_put_key(struct mbor_enc *e, uint8_t key)
{
	enc_put_uint(e, MBOR_MARK_U8, key, 1);
}

void mbor_put_u8(struct mbor_enc *e, uint8_t v)
{
	enc_put_uint(e, MBOR_MARK_U8, v, 1);
}

void mbor_put_u16(struct mbor_enc *e, uint16_t v)
{
	enc_put_uint(e, MBOR_MARK_U16, v, 2);
}

void mbor_put_u32(struct mbor_enc *e, uint32_t v)
{
	enc_put_uint(e, MBOR_MARK_U32, v, 4);
}

void mbor_put_u64(struct mbor_enc *e, uint64_t v)
{
	enc_put_uint(e, MBOR_MARK_U64, v, 8);
}

void mbor_put_bool(struct mbor_enc *e, bool v)
{
	enc_put_byte(e, v ? MBOR_MARK_TRUE : MBOR_MARK_FALSE);
}

/* Pad bytes a byte string whose marker sits at pos needs (1.5.2). */
static unsigned int bytes_pad(size_t pos)
{
	return (MBOR_ALIGN - (unsigned int)((pos + 3) % MBOR_ALIGN)) % MBOR_ALIGN;
}

size_t mbor_bytes_size(size_t pos, size_t len)
{
	return 3 + bytes_pad(pos) + len;
}

static void enc_put_bytes_padded(struct mbor_enc *e, const void *p, size_t len,
				 unsigned int pad)
{
	static const uint8_t zeros[MBOR_ALIGN];
	uint8_t hdr[3];

	if (len > MBOR_BYTES_MAX_LEN) {
		e->overflow = true;
		return;
	}
	hdr[0] = (uint8_t)(MBOR_MARK_BYTES | pad);
	hdr[1] = (uint8_t)(len >> 8);
	hdr[2] = (uint8_t)len;
	enc_put(e, hdr, sizeof(hdr));
	enc_put(e, zeros, pad);
	enc_put(e, p, len);
}

void mbor_put_bytes(struct mbor_enc *e, const void *p, size_t len)
{
	enc_put_bytes_padded(e, p, len, bytes_pad(e->pos));
}

void mbor_put_fixed_bytes(struct mbor_enc *e, const void *p, size_t len)
{
	enc_put_bytes_padded(e, p, len, 0);
}

/* ---- Decoder primitives ---- */

void mbor_dec_init(struct mbor_dec *d, const uint8_t *buf, size_t len)
{
	d->buf = buf;
	d->len = buf ? len : 0;
	d->pos = 0;
	d->error = false;
}

static bool dec_fail(struct mbor_dec *d)
{
	d->error = true;
	return false;
}

/* Consume n bytes; NULL (and d->error) if fewer remain. */
static const uint8_t *dec_take(struct mbor_dec *d, size_t n)
{
	const uint8_t *p;

	if (d->error || n > d->len - d->pos) {
		d->error = true;
		return NULL;
	}
	p = d->buf + d->pos;
	d->pos += n;
	return p;
}

static bool dec_get_uint(struct mbor_dec *d, uint8_t marker,
			 unsigned int width, uint64_t *v)
{
	const uint8_t *p = dec_take(d, width + 1);
	unsigned int i;

	if (!p)
		return false;
	if (p[0] != marker)
		return dec_fail(d);
	*v = 0;
	for (i = 1; i <= width; i++)
		*v = (*v << 8) | p[i];
	return true;
}

bool mbor_get_map(struct mbor_dec *d, unsigned int *count)
{
	const uint8_t *p = dec_take(d, 1);

	if (!p)
		return false;
	/* Canonical map markers are 0xa0..0xbf; 0xe0..0xff are not maps. */
	if ((p[0] & ~MBOR_MAP_COUNT_MASK) != MBOR_MARK_MAP)
		return dec_fail(d);
	*count = p[0] & MBOR_MAP_COUNT_MASK;
	return true;
}

bool mbor_peek_key(struct mbor_dec *d, uint8_t *key)
{
	if (d->error || d->len - d->pos < 2 || d->buf[d->pos] != MBOR_MARK_U8)
		return false;
	*key = d->buf[d->pos + 1];
	return true;
}

bool mbor_get_key(struct mbor_dec *d, uint8_t expected)
{
	uint8_t key;

	if (!mbor_get_u8(d, &key))
		return false;
	if (key != expected)
		return dec_fail(d);
	return true;
}

bool mbor_get_u8(struct mbor_dec *d, uint8_t *v)
{
	uint64_t x;

	if (!dec_get_uint(d, MBOR_MARK_U8, 1, &x))
		return false;
	*v = (uint8_t)x;
	return true;
}

bool mbor_get_u16(struct mbor_dec *d, uint16_t *v)
{
	uint64_t x;

	if (!dec_get_uint(d, MBOR_MARK_U16, 2, &x))
		return false;
	*v = (uint16_t)x;
	return true;
}

bool mbor_get_u32(struct mbor_dec *d, uint32_t *v)
{
	uint64_t x;

	if (!dec_get_uint(d, MBOR_MARK_U32, 4, &x))
		return false;
	*v = (uint32_t)x;
	return true;
}

bool mbor_get_u64(struct mbor_dec *d, uint64_t *v)
{
	return dec_get_uint(d, MBOR_MARK_U64, 8, v);
}

bool mbor_get_bool(struct mbor_dec *d, bool *v)
{
	const uint8_t *p = dec_take(d, 1);

	if (!p)
		return false;
	if (p[0] != MBOR_MARK_FALSE && p[0] != MBOR_MARK_TRUE)
		return dec_fail(d);
	*v = p[0] == MBOR_MARK_TRUE;
	return true;
}

/*
 * A byte string whose marker must announce exactly want_pad pad bytes,
 * which must be zero.  The length is checked against [min, max] before the
 * data is taken, so an absurd length fails as "too long", not "truncated".
 */
static bool dec_get_bytes_padded(struct mbor_dec *d, unsigned int want_pad,
				 size_t min, size_t max, struct mbor_bytes *out)
{
	const uint8_t *hdr, *pad, *data;
	unsigned int i;
	size_t len;

	hdr = dec_take(d, 3);
	if (!hdr)
		return false;
	if ((hdr[0] & ~MBOR_BYTES_PAD_MASK) != MBOR_MARK_BYTES ||
	    (hdr[0] & MBOR_BYTES_PAD_MASK) != want_pad)
		return dec_fail(d);
	len = ((size_t)hdr[1] << 8) | hdr[2];
	if (len < min || len > max)
		return dec_fail(d);
	pad = dec_take(d, want_pad);
	if (!pad)
		return false;
	for (i = 0; i < want_pad; i++)
		if (pad[i])
			return dec_fail(d);
	data = dec_take(d, len);
	if (!data)
		return false;
	out->ptr = data;
	out->len = (uint16_t)len;
	return true;
}

bool mbor_get_bytes(struct mbor_dec *d, size_t max, struct mbor_bytes *out)
{
	return dec_get_bytes_padded(d, bytes_pad(d->pos), 0, max, out);
}

bool mbor_get_fixed_bytes(struct mbor_dec *d, size_t n, struct mbor_bytes *out)
{
	return dec_get_bytes_padded(d, 0, n, n, out);
}

/* ---- Schema walker ---- */

static bool field_present(const struct mbor_field *f, const void *obj)
{
	return !f->optional ||
	       *(const bool *)((const uint8_t *)obj + f->present_off);
}

static unsigned int count_present(const struct mbor_schema *s, const void *obj)
{
	unsigned int n = 0;
	size_t i;

	for (i = 0; i < s->nfields; i++)
		n += field_present(&s->fields[i], obj);
	return n;
}

static void encode_value(struct mbor_enc *e, const struct mbor_field *f,
			 const void *val)
{
	const struct mbor_bytes *b;

	switch (f->kind) {
	case MBOR_U8:
		mbor_put_u8(e, *(const uint8_t *)val);
		break;
	case MBOR_U16:
		mbor_put_u16(e, *(const uint16_t *)val);
		break;
	case MBOR_U32:
		mbor_put_u32(e, *(const uint32_t *)val);
		break;
	case MBOR_U64:
		mbor_put_u64(e, *(const uint64_t *)val);
		break;
	case MBOR_BOOL:
		mbor_put_bool(e, *(const bool *)val);
		break;
	case MBOR_BYTES:
		b = val;
		/* A value the peer must reject is not worth sending. */
		if (b->len > f->size || (b->len && !b->ptr))
			e->overflow = true;
		else
			mbor_put_bytes(e, b->ptr, b->len);
		break;
	case MBOR_FIXED_BYTES:
		b = val;
		if (b->len != f->size || (b->len && !b->ptr))
			e->overflow = true;
		else
			mbor_put_fixed_bytes(e, b->ptr, b->len);
		break;
	case MBOR_MAP:
		mbor_encode(e, f->sub, val);
		break;
	default:
		e->overflow = true;	/* a broken schema table */
		break;
	}
}

bool mbor_encode(struct mbor_enc *e, const struct mbor_schema *s, const void *obj)
{
	size_t i;

	if (!s) {
		e->overflow = true;
		return false;
	}
	mbor_put_map(e, count_present(s, obj));
	for (i = 0; i < s->nfields; i++) {
		const struct mbor_field *f = &s->fields[i];

		if (!field_present(f, obj))
			continue;
		mbor_put_key(e, f->key);
		encode_value(e, f, (const uint8_t *)obj + f->off);
	}
	return !e->overflow;
}

static size_t kind_value_size(uint8_t kind)
{
	switch (kind) {
	case MBOR_U8:
		return sizeof(uint8_t);
	case MBOR_U16:
		return sizeof(uint16_t);
	case MBOR_U32:
		return sizeof(uint32_t);
	case MBOR_U64:
		return sizeof(uint64_t);
	case MBOR_BOOL:
		return sizeof(bool);
	case MBOR_BYTES:
	case MBOR_FIXED_BYTES:
		return sizeof(struct mbor_bytes);
	default:
		return 0;
	}
}

/*
 * The schema does not know the size of the C struct, so "zeroed first"
 * means every member the schema describes, nested structs included.
 */
static void schema_zero(const struct mbor_schema *s, void *obj)
{
	size_t i;

	for (i = 0; i < s->nfields; i++) {
		const struct mbor_field *f = &s->fields[i];
		uint8_t *val = (uint8_t *)obj + f->off;

		if (f->optional)
			*(bool *)((uint8_t *)obj + f->present_off) = false;
		if (f->kind == MBOR_MAP) {
			if (f->sub)
				schema_zero(f->sub, val);
		} else {
			memset(val, 0, kind_value_size(f->kind));
		}
	}
}

static bool decode_value(struct mbor_dec *d, const struct mbor_field *f,
			 void *val)
{
	switch (f->kind) {
	case MBOR_U8:
		return mbor_get_u8(d, val);
	case MBOR_U16:
		return mbor_get_u16(d, val);
	case MBOR_U32:
		return mbor_get_u32(d, val);
	case MBOR_U64:
		return mbor_get_u64(d, val);
	case MBOR_BOOL:
		return mbor_get_bool(d, val);
	case MBOR_BYTES:
		return mbor_get_bytes(d, f->size, val);
	case MBOR_FIXED_BYTES:
		return mbor_get_fixed_bytes(d, f->size, val);
	case MBOR_MAP:
		return mbor_decode(d, f->sub, val);
	default:
		return dec_fail(d);
	}
}

bool mbor_decode(struct mbor_dec *d, const struct mbor_schema *s, void *obj)
{
	unsigned int remaining;
	size_t i;

	if (!s)
		return dec_fail(d);
	schema_zero(s, obj);
	if (!mbor_get_map(d, &remaining))
		return false;
	/*
	 * Walk the schema in key order.  An entry is taken only when its key
	 * is the one the schema expects next; anything else (unknown,
	 * duplicate or out-of-order key) is left over and fails either the
	 * next mandatory field or the final count check.
	 */
	for (i = 0; i < s->nfields; i++) {
		const struct mbor_field *f = &s->fields[i];
		uint8_t key;

		if (!remaining || !mbor_peek_key(d, &key) || key != f->key) {
			if (f->optional)
				continue;
			return dec_fail(d);
		}
		if (!mbor_get_key(d, f->key) ||
		    !decode_value(d, f, (uint8_t *)obj + f->off))
			return dec_fail(d);
		if (f->optional)
			*(bool *)((uint8_t *)obj + f->present_off) = true;
		remaining--;
	}
	if (remaining)
		return dec_fail(d);
	return !d->error;
}
