// SPDX-License-Identifier: MIT
/*
 * Keys (spec/ddi.md 3.5, 3.7-3.10, section 4, 6.5): creating keys in the
 * device's vault and using them.  A key handle names a key by id and is
 * tied to the struct azihsm_dev it was made on; every operation goes
 * through that handle's session at the time of the call, so the device
 * decides whether the session may use the key (3.5.0, 6.5).
 */
#include <stdlib.h>
#include <string.h>

#include "lib_internal.h"

/* ---- Key types and properties ---- */

#define AES_BLOCK	16
#define PKCS7_MAX	AES_BLOCK

static bool is_ecc_pair(uint32_t type)
{
	return type >= AZIHSM_KEY_ECC_P256 && type <= AZIHSM_KEY_ECC_P521;
}

static bool is_aes(uint32_t type)
{
	return type >= AZIHSM_KEY_AES_128 && type <= AZIHSM_KEY_AES_256;
}

/* The fast path's AES keys (4.4). */
static bool is_bulk(uint32_t type)
{
	return type >= AZIHSM_KEY_AES_XTS_BULK &&
	       type <= AZIHSM_KEY_AES_GCM_BULK_UNAPPROVED;
}

static bool is_rsa(uint32_t type)
{
	return type >= AZIHSM_KEY_RSA_2048 && type <= AZIHSM_KEY_RSA_4096_CRT;
}

static bool is_secret(uint32_t type)
{
	return type >= AZIHSM_KEY_SECRET_P256 && type <= AZIHSM_KEY_SECRET_P521;
}

static bool is_var_hmac(uint32_t type)
{
	return type >= AZIHSM_KEY_HMAC_SHA256_VAR && type <= AZIHSM_KEY_HMAC_SHA512_VAR;
}

static bool is_hmac(uint32_t type)
{
	return (type >= AZIHSM_KEY_HMAC_SHA256 && type <= AZIHSM_KEY_HMAC_SHA512) ||
	       is_var_hmac(type);
}

/* SHA-256, SHA-384, SHA-512: index 0, 1, 2 of an HMAC type. */
static unsigned int hmac_hash_index(uint32_t type)
{
	return is_var_hmac(type) ? type - AZIHSM_KEY_HMAC_SHA256_VAR :
				   type - AZIHSM_KEY_HMAC_SHA256;
}

/* The key lengths an HMAC type takes (spec/ddi.md 4.1). */
static void hmac_key_lens(uint32_t type, size_t *min, size_t *max)
{
	static const size_t var_max[] = { 64, 128, 128 };
	unsigned int i = hmac_hash_index(type);

	*min = 32 + 16 * i;
	*max = is_var_hmac(type) ? var_max[i] : *min;
}

/* The types a key handle can stand for (OpenKey may find others). */
static bool is_known_type(uint32_t type)
{
	return is_ecc_pair(type) || is_aes(type) || is_bulk(type) ||
	       is_secret(type) || is_hmac(type) || is_rsa(type);
}

/* The type's usual usage (4.10). */
static enum azihsm_key_usage default_usage(uint32_t type)
{
	if (is_aes(type) || is_bulk(type))
		return AZIHSM_USAGE_ENCRYPT_DECRYPT;
	if (is_secret(type))
		return AZIHSM_USAGE_DERIVE;
	return AZIHSM_USAGE_SIGN_VERIFY;
}

/* A key-creating request's properties, checked and encoded. */
struct key_props {
	enum azihsm_key_usage usage;
	bool session;
	uint16_t tag;
	const uint8_t *label;
	size_t label_len;
	uint8_t meta[DDI_KEY_META_LEN];		/* the 4.9 bitmap */
};

/*
 * Usage bits of the request bitmap and of the stored attribute flags
 * (4.9, 4.11).  Wrap and unwrap are never requested (Appendix A #18).
 */
static void usage_bits(enum azihsm_key_usage usage, uint16_t *meta, uint64_t *attrs)
{
	switch (usage) {
	case AZIHSM_USAGE_SIGN_VERIFY:
		*meta = DDI_KEY_META_SIGN | DDI_KEY_META_VERIFY;
		*attrs = DDI_KEY_ATTR_SIGN | DDI_KEY_ATTR_VERIFY;
		break;
	case AZIHSM_USAGE_ENCRYPT_DECRYPT:
		*meta = DDI_KEY_META_ENCRYPT | DDI_KEY_META_DECRYPT;
		*attrs = DDI_KEY_ATTR_ENCRYPT | DDI_KEY_ATTR_DECRYPT;
		break;
	default:
		*meta = DDI_KEY_META_DERIVE;
		*attrs = DDI_KEY_ATTR_DERIVE;
		break;
	}
}

/* INVALID_ARG for bad params; the device judges usage against type. */
static int key_props_init(const struct azihsm_key_params *p, uint32_t type,
			  struct key_props *kp)
{
	static const struct azihsm_key_params defaults;
	uint16_t bits;
	uint64_t attrs;

	if (!p)
		p = &defaults;
	if ((p->label_len && !p->label) || p->label_len > DDI_KEY_LABEL_MAX_LEN ||
	    (p->session && p->tag))
		return AZIHSM_ERR_INVALID_ARG;
	switch (p->usage) {
	case AZIHSM_USAGE_DEFAULT:
	case AZIHSM_USAGE_SIGN_VERIFY:
	case AZIHSM_USAGE_ENCRYPT_DECRYPT:
	case AZIHSM_USAGE_DERIVE:
		break;
	default:
		return AZIHSM_ERR_INVALID_ARG;
	}
	*kp = (struct key_props){
		.usage = p->usage ? p->usage : default_usage(type),
		.session = p->session,
		.tag = p->tag,
		.label = p->label,
		.label_len = p->label_len,
	};
	usage_bits(kp->usage, &bits, &attrs);
	if (kp->session)
		bits |= DDI_KEY_META_SESSION;
	kp->meta[0] = (uint8_t)bits;
	kp->meta[1] = (uint8_t)(bits >> 8);
	return AZIHSM_OK;
}

static struct ddi_key_properties wire_props(const struct key_props *kp)
{
	return (struct ddi_key_properties){
		.key_metadata = { { kp->meta, DDI_KEY_META_LEN } },
		.key_label = { kp->label, kp->label_len },
	};
}

/* ---- Calls in the handle's session ---- */

/* The session of dev for a key operation, or NO_SESSION. */
static int in_session_locked(struct azihsm_dev *dev, struct lib_ddi_call *call)
{
	if (!dev->sess)
		return lib_err_set(AZIHSM_ERR_NO_SESSION);
	call->sess_kind = AZIHSM_SESSION_IN_SESSION;
	call->sess_id = azihsm_session_id(dev->sess);
	return AZIHSM_OK;
}

/* One in-session DDI operation, with the op recorded on local failures. */
static int key_call_locked(struct azihsm_dev *dev, struct lib_ddi_call *call)
{
	int ret;

	lib_err_cur()->ddi_op = call->op;
	ret = in_session_locked(dev, call);
	if (!ret)
		ret = lib_ddi_call_locked(dev, call);
	return ret;
}

int lib_key_call_locked(struct azihsm_dev *dev, struct lib_ddi_call *call)
{
	return key_call_locked(dev, call);
}

int lib_key_op_locked(struct azihsm_dev *dev, uint32_t op, const void *req, void *resp)
{
	const struct ddi_op_info *info = ddi_op_lookup(op);
	struct lib_ddi_call call = { .op = op, .req = req, .resp = resp };

	/* The op table holds each operation's schemas (ddi/ddi_msg.c). */
	if (!info || !info->req)
		return lib_err_set(AZIHSM_ERR_INVALID_ARG);
	call.req_schema = info->req;
	call.resp_schema = resp ? info->resp : NULL;
	return key_call_locked(dev, &call);
}

/*
 * The device kind (GetDeviceInfo), fetched once per handle and cached:
 * it selects the wire forms of public keys, digests and signatures (7.1).
 * Called without the lock, before the operation takes it.
 */
static int dev_kind(struct azihsm_dev *dev, uint32_t *kind)
{
	struct azihsm_device_info info;
	bool have;
	int ret;

	pthread_mutex_lock(&dev->lock);
	have = dev->have_kind;
	*kind = dev->kind;
	pthread_mutex_unlock(&dev->lock);
	if (have)
		return AZIHSM_OK;
	ret = azihsm_get_device_info(dev, &info);
	if (ret)
		return ret;
	/* Only these two kinds have wire forms we know. */
	if (info.kind != AZIHSM_DEVICE_KIND_VIRTUAL &&
	    info.kind != AZIHSM_DEVICE_KIND_PHYSICAL) {
		lib_err_cur()->ddi_op = AZIHSM_DDI_OP_GET_DEVICE_INFO;
		return lib_err_set(AZIHSM_ERR_NOT_SUPPORTED);
	}
	pthread_mutex_lock(&dev->lock);
	dev->kind = info.kind;
	dev->have_kind = true;
	pthread_mutex_unlock(&dev->lock);
	*kind = info.kind;
	return AZIHSM_OK;
}

int lib_dev_kind(struct azihsm_dev *dev, uint32_t *kind)
{
	return dev_kind(dev, kind);
}

static int delete_locked(struct azihsm_dev *dev, uint16_t id)
{
	struct ddi_delete_key_req req = { .key_id = id };

	return lib_key_op_locked(dev, AZIHSM_DDI_OP_DELETE_KEY, &req, NULL);
}

/* ---- New keys ---- */

/* What a key-creating response gave; pointers into dev->resp_buf. */
struct new_key {
	uint32_t kind;				/* the device's */
	uint16_t id;
	uint32_t type;
	const struct ddi_public_key *pub;	/* ECC pairs */
	struct mbor_bytes masked;		/* empty for OpenKey */
	bool has_bulk_id;			/* bulk AES keys */
	uint16_t bulk_id;
};

/* The key of a response with DerKeyImport's map (also RsaUnwrap, UnmaskKey). */
static void new_key_of_import(struct new_key *nk, const struct ddi_der_import_resp *resp)
{
	nk->id = resp->key_id;
	nk->type = resp->key_type;
	nk->pub = resp->has_pub_key ? &resp->pub_key : NULL;
	nk->masked = resp->masked_key;
	nk->has_bulk_id = resp->has_bulk_key_id;
	nk->bulk_id = resp->bulk_key_id;
}

/*
 * The masked key must describe the key asked for (4.11): type, session
 * and usage flags, tag and label.  The SDK checks the same and gives up
 * on a key that does not match, as a device that ignored a property
 * would otherwise go unnoticed.
 */
static bool meta_matches(const struct azihsm_key *key, const struct key_props *kp)
{
	const uint64_t checked = DDI_KEY_ATTR_SESSION | DDI_KEY_ATTR_ENCRYPT |
				 DDI_KEY_ATTR_DECRYPT | DDI_KEY_ATTR_SIGN |
				 DDI_KEY_ATTR_VERIFY | DDI_KEY_ATTR_WRAP |
				 DDI_KEY_ATTR_UNWRAP | DDI_KEY_ATTR_DERIVE;
	struct ddi_masked_key_meta meta;
	uint64_t flags = 0, want;
	uint16_t bits;
	int i;

	if (!ddi_masked_key_meta(key->masked, key->masked_len, &meta) ||
	    meta.key_type != key->type || meta.attrs.blob.len != DDI_KEY_ATTR_LEN)
		return false;
	for (i = 7; i >= 0; i--)
		flags = flags << 8 | meta.attrs.blob.ptr[i];
	usage_bits(kp->usage, &bits, &want);
	if (kp->session)
		want |= DDI_KEY_ATTR_SESSION;
	if ((flags & checked) != want)
		return false;
	if (meta.has_key_tag != (kp->tag != 0) ||
	    (meta.has_key_tag && meta.key_tag != kp->tag))
		return false;
	return meta.key_label.len == kp->label_len &&
	       (!kp->label_len ||
		!memcmp(meta.key_label.ptr, kp->label, kp->label_len));
}

/* Fill the handle from the response; MALFORMED or NO_MEMORY on failure. */
static int key_fill_locked(struct azihsm_dev *dev, const struct new_key *nk,
			   const struct key_props *kp, struct azihsm_key *key)
{
	int ret;

	key->dev = dev;
	key->id = nk->id;
	key->type = nk->type;
	key->curve = ddi_ecc_curve_of_type(nk->type);
	key->bulk_id = AZIHSM_NO_BULK_ID;
	if (is_bulk(nk->type)) {
		/* A bulk key is no use without its fast-path id. */
		if (!nk->has_bulk_id)
			return AZIHSM_ERR_MALFORMED;
		key->bulk_id = nk->bulk_id;
	}
	if (nk->masked.len) {
		key->masked = malloc(nk->masked.len);
		if (!key->masked)
			return AZIHSM_ERR_NO_MEMORY;
		memcpy(key->masked, nk->masked.ptr, nk->masked.len);
		key->masked_len = nk->masked.len;
	}
	if (is_ecc_pair(nk->type)) {
		if (!nk->pub)
			return AZIHSM_ERR_MALFORMED;
		ret = lib_pub_from_wire(nk->kind, key->curve, nk->pub->der.ptr,
					nk->pub->der.len, key->point);
		if (ret)
			return ret;
		key->point_len = 1 + 2 * key->curve->len;
	}
	if (is_rsa(nk->type)) {
		if (!nk->pub)
			return AZIHSM_ERR_MALFORMED;
		ret = lib_rsa_pub_from_wire(nk->kind, nk->pub->der.ptr, nk->pub->der.len,
					    &key->rsa_spki, &key->rsa_spki_len);
		if (ret)
			return ret;
	}
	if (kp && !meta_matches(key, kp))
		return AZIHSM_ERR_MALFORMED;
	return AZIHSM_OK;
}

static void key_release(struct azihsm_key *key)
{
	if (!key)
		return;
	free(key->masked);
	free(key->rsa_spki);
	explicit_bzero(key, sizeof(*key));
	free(key);
}

/*
 * Turn a key-creating response into a handle.  kp is NULL for OpenKey.
 * A created key that cannot be handed out is deleted again, so that it
 * does not sit in the vault with no handle naming it.
 */
static int key_finish_locked(struct azihsm_dev *dev, const struct new_key *nk,
			     const struct key_props *kp, struct azihsm_key **keyp)
{
	struct azihsm_key *key = calloc(1, sizeof(*key));
	struct azihsm_error saved;
	int ret;

	ret = key ? key_fill_locked(dev, nk, kp, key) : AZIHSM_ERR_NO_MEMORY;
	if (!ret) {
		*keyp = key;
		return AZIHSM_OK;
	}
	key_release(key);
	if (kp) {
		saved = *lib_err_cur();
		delete_locked(dev, nk->id);
		*lib_err_cur() = saved;
	}
	return lib_err_set(ret);
}

/* The common start of a key-creating call: arguments and properties. */
static int create_start(struct azihsm_key **keyp, const struct azihsm_key_params *p,
			uint32_t type, struct key_props *kp)
{
	lib_err_reset();
	if (!keyp)
		return lib_err_set(AZIHSM_ERR_INVALID_ARG);
	*keyp = NULL;
	return key_props_init(p, type, kp) ? lib_err_set(AZIHSM_ERR_INVALID_ARG) :
					     AZIHSM_OK;
}

static int generate_ecc_locked(struct azihsm_dev *dev, uint32_t kind, uint32_t type,
			       const struct key_props *kp, struct azihsm_key **keyp)
{
	struct ddi_ecc_generate_req req = {
		.curve = ddi_ecc_curve_of_type(type)->curve,
		.has_key_tag = kp->tag != 0,
		.key_tag = kp->tag,
		.key_properties = wire_props(kp),
	};
	struct ddi_ecc_generate_resp resp;
	struct new_key nk = { .kind = kind, .type = type };
	int ret;

	ret = lib_key_op_locked(dev, AZIHSM_DDI_OP_ECC_GENERATE_KEY_PAIR, &req, &resp);
	if (ret)
		return ret;
	nk.id = resp.private_key_id;
	nk.pub = resp.has_pub_key ? &resp.pub_key : NULL;
	nk.masked = resp.masked_key;
	return key_finish_locked(dev, &nk, kp, keyp);
}

static int generate_aes_locked(struct azihsm_dev *dev, uint32_t type,
			       const struct key_props *kp, struct azihsm_key **keyp)
{
	struct ddi_aes_generate_req req = {
		.key_size = DDI_AES_128 + (type - AZIHSM_KEY_AES_128),
		.has_key_tag = kp->tag != 0,
		.key_tag = kp->tag,
		.key_properties = wire_props(kp),
	};
	struct ddi_aes_generate_resp resp;
	struct new_key nk = { .type = type };
	int ret;

	ret = lib_key_op_locked(dev, AZIHSM_DDI_OP_AES_GENERATE_KEY, &req, &resp);
	if (ret)
		return ret;
	nk.id = resp.key_id;
	nk.masked = resp.masked_key;
	nk.has_bulk_id = resp.has_bulk_key_id;
	nk.bulk_id = resp.bulk_key_id;
	return key_finish_locked(dev, &nk, kp, keyp);
}

int azihsm_key_generate(struct azihsm_session *sess, uint32_t type,
			const struct azihsm_key_params *params,
			struct azihsm_key **keyp)
{
	struct key_props kp;
	struct azihsm_dev *dev;
	uint32_t kind;
	int ret;

	ret = create_start(keyp, params, type, &kp);
	if (ret)
		return ret;
	if (!sess || !(is_ecc_pair(type) || is_aes(type) || is_bulk(type)))
		return lib_err_set(AZIHSM_ERR_INVALID_ARG);
	/*
	 * The device takes any usage for a bulk key but stores it as
	 * encrypt+decrypt (3.8.1): refuse what the key would not have.
	 */
	if (is_bulk(type) && kp.usage != AZIHSM_USAGE_ENCRYPT_DECRYPT)
		return lib_err_set(AZIHSM_ERR_KEY_USAGE);
	dev = lib_session_dev(sess);
	ret = dev_kind(dev, &kind);
	if (ret)
		return ret;
	pthread_mutex_lock(&dev->lock);
	if (is_ecc_pair(type))
		ret = generate_ecc_locked(dev, kind, type, &kp, keyp);
	else
		ret = generate_aes_locked(dev, type, &kp, keyp);
	pthread_mutex_unlock(&dev->lock);
	return ret;
}

static int open_locked(struct azihsm_dev *dev, uint32_t kind, uint16_t tag,
		       struct azihsm_key **keyp)
{
	struct ddi_open_key_req req = { .key_tag = tag };
	struct ddi_open_key_resp resp;
	struct new_key nk = { .kind = kind };
	int ret;

	ret = lib_key_op_locked(dev, AZIHSM_DDI_OP_OPEN_KEY, &req, &resp);
	if (ret)
		return ret;
	/* RSA, bulk AES and the like: the key exists, but no handle type. */
	if (!is_known_type(resp.key_kind))
		return lib_err_set(AZIHSM_ERR_KEY_TYPE);
	nk.id = resp.key_id;
	nk.type = resp.key_kind;
	nk.pub = resp.has_pub_key ? &resp.pub_key : NULL;
	nk.has_bulk_id = resp.has_bulk_key_id;
	nk.bulk_id = resp.bulk_key_id;
	return key_finish_locked(dev, &nk, NULL, keyp);
}

int azihsm_key_open(struct azihsm_session *sess, uint16_t tag,
		    struct azihsm_key **keyp)
{
	struct azihsm_dev *dev;
	uint32_t kind;
	int ret;

	lib_err_reset();
	if (keyp)
		*keyp = NULL;
	if (!sess || !tag || !keyp)
		return lib_err_set(AZIHSM_ERR_INVALID_ARG);
	dev = lib_session_dev(sess);
	ret = dev_kind(dev, &kind);
	if (ret)
		return ret;
	pthread_mutex_lock(&dev->lock);
	ret = open_locked(dev, kind, tag, keyp);
	pthread_mutex_unlock(&dev->lock);
	return ret;
}

int azihsm_key_delete(struct azihsm_key *key)
{
	int ret;

	lib_err_reset();
	if (!key)
		return lib_err_set(AZIHSM_ERR_INVALID_ARG);
	pthread_mutex_lock(&key->dev->lock);
	ret = delete_locked(key->dev, key->id);
	pthread_mutex_unlock(&key->dev->lock);
	if (!ret)
		key_release(key);
	return ret;
}

void azihsm_key_free(struct azihsm_key *key)
{
	key_release(key);
}

uint16_t azihsm_key_id(const struct azihsm_key *key)
{
	return key ? key->id : 0;
}

uint32_t azihsm_key_type(const struct azihsm_key *key)
{
	return key ? key->type : 0;
}

uint32_t azihsm_key_bulk_id(const struct azihsm_key *key)
{
	return key ? key->bulk_id : AZIHSM_NO_BULK_ID;
}

int azihsm_key_masked(const struct azihsm_key *key, const uint8_t **blob,
		      size_t *len)
{
	lib_err_reset();
	if (!key || !blob || !len)
		return lib_err_set(AZIHSM_ERR_INVALID_ARG);
	if (!key->masked)
		return lib_err_set(AZIHSM_ERR_NOT_SUPPORTED);
	*blob = key->masked;
	*len = key->masked_len;
	return AZIHSM_OK;
}

int azihsm_key_public(const struct azihsm_key *key, enum azihsm_pubkey_format fmt,
		      uint8_t *buf, size_t cap, size_t *len)
{
	lib_err_reset();
	if (!key || !len || (cap && !buf))
		return lib_err_set(AZIHSM_ERR_INVALID_ARG);
	if (is_rsa(key->type) && key->rsa_spki)
		return lib_err_set(lib_rsa_pub_encode(key->rsa_spki, key->rsa_spki_len, fmt,
						      buf, cap, len));
	if (!is_ecc_pair(key->type))
		return lib_err_set(AZIHSM_ERR_KEY_TYPE);
	/* key->point is immutable: no lock, no device. */
	return lib_err_set(lib_pub_encode(key->curve, key->point, fmt, buf, cap,
					  len));
}

/* ---- Masked keys and attestation (3.5.3, 3.5.4) ---- */

/*
 * The properties a re-imported key must come back with: those recorded
 * in the blob's metadata (4.11), so that key_finish_locked() checks the
 * device's answer against them.  False if the blob does not parse or
 * records no single usage this library knows.
 */
static bool blob_props(const uint8_t *blob, size_t len, struct key_props *kp)
{
	struct ddi_masked_key_meta meta;
	uint64_t flags = 0, want;
	uint16_t bits;
	int i;

	if (!ddi_masked_key_meta(blob, len, &meta) || meta.attrs.blob.len != DDI_KEY_ATTR_LEN)
		return false;
	for (i = 7; i >= 0; i--)
		flags = flags << 8 | meta.attrs.blob.ptr[i];
	memset(kp, 0, sizeof(*kp));
	kp->usage = flags & DDI_KEY_ATTR_SIGN ? AZIHSM_USAGE_SIGN_VERIFY :
		    flags & DDI_KEY_ATTR_ENCRYPT ? AZIHSM_USAGE_ENCRYPT_DECRYPT :
		    AZIHSM_USAGE_DERIVE;
	usage_bits(kp->usage, &bits, &want);
	kp->session = flags & DDI_KEY_ATTR_SESSION;
	kp->tag = meta.has_key_tag ? meta.key_tag : 0;
	kp->label = meta.key_label.ptr;
	kp->label_len = meta.key_label.len;
	return (flags & want) == want;
}

static int unmask_locked(struct azihsm_dev *dev, uint32_t kind, const uint8_t *blob,
			 size_t len, const struct key_props *kp, struct azihsm_key **keyp)
{
	struct ddi_unmask_key_req req = { .masked_key = { blob, len } };
	struct ddi_der_import_resp resp;
	struct new_key nk = { .kind = kind };
	int ret;

	ret = lib_key_op_locked(dev, AZIHSM_DDI_OP_UNMASK_KEY, &req, &resp);
	if (ret)
		return ret;
	new_key_of_import(&nk, &resp);
	if (!is_known_type(nk.type)) {
		/* A key no handle can stand for must not stay in the vault. */
		delete_locked(dev, nk.id);
		return lib_err_set(AZIHSM_ERR_KEY_TYPE);
	}
	return key_finish_locked(dev, &nk, kp, keyp);
}

int azihsm_key_unmask(struct azihsm_session *sess, const uint8_t *blob, size_t len,
		      struct azihsm_key **keyp)
{
	struct key_props kp;
	struct azihsm_dev *dev;
	uint32_t kind;
	int ret;

	lib_err_reset();
	if (!keyp || !sess || !blob || !len || len > DDI_MASKED_KEY_MAX)
		return lib_err_set(AZIHSM_ERR_INVALID_ARG);
	*keyp = NULL;
	if (!blob_props(blob, len, &kp))
		return lib_err_set(AZIHSM_ERR_BAD_BLOB);
	dev = lib_session_dev(sess);
	ret = dev_kind(dev, &kind);
	if (ret)
		return ret;
	pthread_mutex_lock(&dev->lock);
	ret = unmask_locked(dev, kind, blob, len, &kp, keyp);
	pthread_mutex_unlock(&dev->lock);
	return ret;
}

int azihsm_key_attest(struct azihsm_key *key, const uint8_t *report_data, size_t data_len,
		      uint8_t *report, size_t cap, size_t *len)
{
	/* The FW wants exactly 128 bytes (Appendix A #10). */
	uint8_t data[DDI_ATTEST_REPORT_DATA_LEN] = { 0 };
	struct ddi_attest_key_req req = { .report_data = { data, sizeof(data) } };
	struct ddi_attest_key_resp resp;
	int ret;

	lib_err_reset();
	if (!key || data_len > sizeof(data) || (data_len && !report_data) || !len ||
	    (cap && !report))
		return lib_err_set(AZIHSM_ERR_INVALID_ARG);
	if (data_len)
		memcpy(data, report_data, data_len);
	req.key_id = key->id;
	pthread_mutex_lock(&key->dev->lock);
	ret = lib_key_op_locked(key->dev, AZIHSM_DDI_OP_ATTEST_KEY, &req, &resp);
	if (!ret) {
		/* Copied under the lock: resp points into the device buffer. */
		*len = resp.report.len;
		if (resp.report.len > cap)
			ret = lib_err_set(AZIHSM_ERR_BUFFER_TOO_SMALL);
		else
			memcpy(report, resp.report.ptr, resp.report.len);
	}
	pthread_mutex_unlock(&key->dev->lock);
	return ret;
}

/* ---- Using keys ---- */

/* Arguments common to the key-using calls; KEY_TYPE unless type_ok. */
static int use_start(const struct azihsm_key *key, bool type_ok)
{
	lib_err_reset();
	if (!key)
		return lib_err_set(AZIHSM_ERR_INVALID_ARG);
	return type_ok ? AZIHSM_OK : lib_err_set(AZIHSM_ERR_KEY_TYPE);
}

/* The digest's hash, from its length (4.5); 0 if none. */
static uint32_t digest_algo(size_t len)
{
	switch (len) {
	case 20: return DDI_HASH_SHA1;
	case 32: return DDI_HASH_SHA256;
	case 48: return DDI_HASH_SHA384;
	case 64: return DDI_HASH_SHA512;
	}
	return 0;
}

static int sign_locked(struct azihsm_key *key, uint32_t kind,
		       const uint8_t *digest, size_t digest_len, uint8_t *rs)
{
	uint8_t wire[DDI_ECC_PHYS_DIGEST_LEN] = { 0 };
	struct ddi_ecc_sign_req req = {
		.key_id = key->id,
		.digest = { digest, digest_len },
		.digest_algo = digest_algo(digest_len),
	};
	struct ddi_ecc_sign_resp resp;
	int ret;

	if (kind == AZIHSM_DEVICE_KIND_PHYSICAL) {
		/* A little-endian integer over a fixed 68 bytes (7.1.2). */
		ddi_reverse(wire, digest, digest_len);
		req.digest = (struct mbor_bytes){ wire, sizeof(wire) };
	}
	ret = lib_key_op_locked(key->dev, AZIHSM_DDI_OP_ECC_SIGN, &req, &resp);
	if (ret)
		return ret;
	ret = lib_sig_from_wire(kind, key->curve, resp.signature.ptr,
				resp.signature.len, rs);
	return ret ? lib_err_set(ret) : AZIHSM_OK;
}

int azihsm_ecc_sign(struct azihsm_key *key, const uint8_t *digest,
		    size_t digest_len, enum azihsm_sig_format fmt,
		    uint8_t *sig, size_t cap, size_t *sig_len)
{
	uint8_t rs[2 * DDI_ECC_MAX_LEN];
	uint32_t kind;
	int ret;

	ret = use_start(key, key && is_ecc_pair(key->type));
	if (ret)
		return ret;
	if (!digest || !digest_algo(digest_len) || !sig_len || (cap && !sig) ||
	    (fmt != AZIHSM_SIG_RAW && fmt != AZIHSM_SIG_DER))
		return lib_err_set(AZIHSM_ERR_INVALID_ARG);
	/* The raw size is known: fail before the device signs anything. */
	if (fmt == AZIHSM_SIG_RAW && cap < 2 * key->curve->len) {
		*sig_len = 2 * key->curve->len;
		return lib_err_set(AZIHSM_ERR_BUFFER_TOO_SMALL);
	}
	ret = dev_kind(key->dev, &kind);
	if (ret)
		return ret;
	pthread_mutex_lock(&key->dev->lock);
	ret = sign_locked(key, kind, digest, digest_len, rs);
	pthread_mutex_unlock(&key->dev->lock);
	if (ret)
		return ret;
	return lib_err_set(lib_sig_encode(key->curve, rs, fmt, sig, cap, sig_len));
}

static int ecdh_locked(struct azihsm_key *priv, uint32_t kind, const uint8_t *point,
		       const struct key_props *kp, struct azihsm_key **secretp)
{
	uint8_t wire[DDI_ECDH_PUB_MAX];
	size_t wire_len;
	struct ddi_ecdh_req req = {
		.priv_key_id = priv->id,
		.key_type = priv->curve->secret_type,
		.has_key_tag = kp->tag != 0,
		.key_tag = kp->tag,
		.key_properties = wire_props(kp),
	};
	struct ddi_new_key_resp resp;
	struct new_key nk = { .kind = kind, .type = priv->curve->secret_type };
	int ret;

	lib_err_cur()->ddi_op = AZIHSM_DDI_OP_ECDH_KEY_EXCHANGE;
	ret = lib_pub_to_wire(kind, priv->curve, point, wire, &wire_len);
	if (ret)
		return lib_err_set(ret);
	req.pub_key_der = (struct mbor_bytes){ wire, (uint16_t)wire_len };
	ret = lib_key_op_locked(priv->dev, AZIHSM_DDI_OP_ECDH_KEY_EXCHANGE, &req, &resp);
	if (ret)
		return ret;
	nk.id = resp.key_id;
	nk.masked = resp.masked_key;
	return key_finish_locked(priv->dev, &nk, kp, secretp);
}

int azihsm_ecdh(struct azihsm_key *priv, const uint8_t *peer, size_t peer_len,
		const struct azihsm_key_params *params,
		struct azihsm_key **secretp)
{
	uint8_t point[DDI_ECC_MAX_POINT];
	struct key_props kp;
	uint32_t kind;
	int ret;

	ret = create_start(secretp, params, AZIHSM_KEY_SECRET_P256, &kp);
	if (!ret)
		ret = use_start(priv, priv && is_ecc_pair(priv->type));
	if (ret)
		return ret;
	if (!peer || !peer_len)
		return lib_err_set(AZIHSM_ERR_INVALID_ARG);
	if (lib_peer_parse(priv->curve, peer, peer_len, point))
		return lib_err_set(AZIHSM_ERR_INVALID_KEY);
	ret = dev_kind(priv->dev, &kind);
	if (ret)
		return ret;
	pthread_mutex_lock(&priv->dev->lock);
	ret = ecdh_locked(priv, kind, point, &kp, secretp);
	pthread_mutex_unlock(&priv->dev->lock);
	return ret;
}

/* An optional byte string of at most DDI_KDF_PARAM_MAX bytes. */
static bool kdf_param_ok(const uint8_t *p, size_t len)
{
	return len <= DDI_KDF_PARAM_MAX && (p || !len);
}

/* key_length of a derived key: the *_VAR types need one in their range. */
static bool key_length_ok(uint32_t target, const struct azihsm_key_params *p)
{
	size_t len = p ? p->key_length : 0, min, max;

	if (!is_var_hmac(target))
		return len == 0;
	hmac_key_lens(target, &min, &max);
	return len >= min && len <= max;
}

/* HkdfDerive or KbkdfCounterHmacDerive (same messages, 3.9.1-3.9.2). */
static int kdf_derive(uint32_t op, struct azihsm_key *secret, enum azihsm_hash hash,
		      const uint8_t *p3, size_t p3_len, const uint8_t *p4, size_t p4_len,
		      uint32_t target, const struct azihsm_key_params *params,
		      struct azihsm_key **keyp)
{
	struct key_props kp;
	struct ddi_kdf_req req = {
		.hash_algorithm = hash,
		.has_param3 = p3 != NULL,
		.param3 = { p3, p3_len },
		.has_param4 = p4 != NULL,
		.param4 = { p4, p4_len },
		.key_type = target,
	};
	struct ddi_kdf_resp resp;
	struct new_key nk = { .type = target };
	int ret;

	ret = create_start(keyp, params, target, &kp);
	if (!ret)
		ret = use_start(secret, secret && is_secret(secret->type));
	if (ret)
		return ret;
	if (hash < AZIHSM_HASH_SHA1 || hash > AZIHSM_HASH_SHA512 ||
	    !(is_aes(target) || is_hmac(target)) || !key_length_ok(target, params) ||
	    !kdf_param_ok(p3, p3_len) || !kdf_param_ok(p4, p4_len))
		return lib_err_set(AZIHSM_ERR_INVALID_ARG);
	req.key_id = secret->id;
	req.has_key_tag = kp.tag != 0;
	req.key_tag = kp.tag;
	req.key_properties = wire_props(&kp);
	req.has_key_length = is_var_hmac(target);
	req.key_length = (uint8_t)(req.has_key_length ? params->key_length : 0);

	pthread_mutex_lock(&secret->dev->lock);
	ret = lib_key_op_locked(secret->dev, op, &req, &resp);
	if (!ret) {
		nk.id = resp.key_id;
		nk.masked = resp.masked_key;
		ret = key_finish_locked(secret->dev, &nk, &kp, keyp);
	}
	pthread_mutex_unlock(&secret->dev->lock);
	return ret;
}

int azihsm_hkdf_derive(struct azihsm_key *secret, enum azihsm_hash hash,
		       const uint8_t *salt, size_t salt_len,
		       const uint8_t *info, size_t info_len, uint32_t target,
		       const struct azihsm_key_params *params,
		       struct azihsm_key **keyp)
{
	return kdf_derive(AZIHSM_DDI_OP_HKDF_DERIVE, secret, hash, salt, salt_len, info,
			  info_len, target, params, keyp);
}

int azihsm_kbkdf_derive(struct azihsm_key *secret, enum azihsm_hash hash,
			const uint8_t *label, size_t label_len,
			const uint8_t *context, size_t context_len, uint32_t target,
			const struct azihsm_key_params *params,
			struct azihsm_key **keyp)
{
	return kdf_derive(AZIHSM_DDI_OP_KBKDF_COUNTER_HMAC_DERIVE, secret, hash, label,
			  label_len, context, context_len, target, params, keyp);
}

int azihsm_hmac(struct azihsm_key *key, const uint8_t *msg, size_t msg_len,
		uint8_t *tag, size_t cap, size_t *tag_len)
{
	struct ddi_hmac_req req = { .msg = { msg, msg_len } };
	struct ddi_hmac_resp resp;
	size_t want;
	int ret;

	ret = use_start(key, key && is_hmac(key->type));
	if (ret)
		return ret;
	if ((msg_len && !msg) || msg_len > DDI_HMAC_MSG_MAX || !tag_len ||
	    (cap && !tag))
		return lib_err_set(AZIHSM_ERR_INVALID_ARG);
	/* SHA-256, SHA-384, SHA-512: 32, 48, 64 bytes, whatever the key's length. */
	want = 32 + 16 * hmac_hash_index(key->type);
	*tag_len = want;
	if (cap < want)
		return lib_err_set(AZIHSM_ERR_BUFFER_TOO_SMALL);
	req.key_id = key->id;

	pthread_mutex_lock(&key->dev->lock);
	ret = lib_key_op_locked(key->dev, AZIHSM_DDI_OP_HMAC, &req, &resp);
	if (!ret && resp.tag.len != want)
		ret = lib_err_set(AZIHSM_ERR_MALFORMED);
	if (!ret)
		memcpy(tag, resp.tag.ptr, want);
	pthread_mutex_unlock(&key->dev->lock);
	return ret;
}

/* ---- AES-CBC ---- */

/* One AesEncryptDecrypt of len bytes (a multiple of 16, <= 1024). */
static int cbc_chunk_locked(struct azihsm_key *key, uint32_t op,
			    const uint8_t *in, size_t len, uint8_t *iv,
			    uint8_t *out)
{
	struct ddi_aes_cbc_req req = {
		.key_id = key->id,
		.op = op,
		.msg = { in, len },
		.iv = { iv, DDI_AES_IV_LEN },
	};
	struct ddi_aes_cbc_resp resp;
	int ret;

	ret = lib_key_op_locked(key->dev, AZIHSM_DDI_OP_AES_ENCRYPT_DECRYPT, &req, &resp);
	if (ret)
		return ret;
	if (resp.msg.len != len || resp.iv.len != DDI_AES_IV_LEN)
		return lib_err_set(AZIHSM_ERR_MALFORMED);
	memcpy(out, resp.msg.ptr, len);
	memcpy(iv, resp.iv.ptr, DDI_AES_IV_LEN);
	return AZIHSM_OK;
}

/*
 * PKCS#7 padding length of the last block, or 0 if invalid.  Every byte
 * is looked at whatever the outcome, so that the time taken does not say
 * which byte was wrong.
 */
static size_t pkcs7_len(const uint8_t block[AES_BLOCK])
{
	unsigned int pad = block[AES_BLOCK - 1], bad = 0, i;

	bad |= (unsigned int)(pad == 0) | (unsigned int)(pad > AES_BLOCK);
	for (i = 0; i < AES_BLOCK; i++) {
		/* in_pad is 1 for the last pad bytes, without a branch. */
		unsigned int in_pad = (((AES_BLOCK - 1 - i) - pad) >> 8) & 1;

		bad |= in_pad & (unsigned int)(block[i] != pad);
	}
	return bad ? 0 : pad;
}

/* A CBC run in the device: in (in_len bytes) padded up to total. */
struct cbc_run {
	uint32_t op;
	bool unpad;		/* decrypt with PKCS#7: hold the last block */
	const uint8_t *in;
	size_t in_len;
	size_t total;
	uint8_t pad_byte;
	uint8_t iv[DDI_AES_IV_LEN];
	uint8_t last[AES_BLOCK];
};

static int cbc_run_locked(struct azihsm_key *key, struct cbc_run *r, uint8_t *out)
{
	uint8_t chunk[DDI_AES_MSG_MAX], res[DDI_AES_MSG_MAX];
	size_t off, n, avail, keep;
	int ret = AZIHSM_OK;

	for (off = 0; off < r->total && !ret; off += n) {
		n = r->total - off < DDI_AES_MSG_MAX ? r->total - off :
						       DDI_AES_MSG_MAX;
		/* Read the input before writing the output: they may be
		 * the same buffer. */
		avail = off < r->in_len ? r->in_len - off : 0;
		if (avail > n)
			avail = n;
		memcpy(chunk, r->in + off, avail);
		memset(chunk + avail, r->pad_byte, n - avail);
		ret = cbc_chunk_locked(key, r->op, chunk, n, r->iv, res);
		if (ret)
			break;
		keep = n;
		if (r->unpad && off + n == r->total) {
			keep = n - AES_BLOCK;
			memcpy(r->last, res + keep, AES_BLOCK);
		}
		memcpy(out + off, res, keep);
	}
	explicit_bzero(chunk, sizeof(chunk));
	explicit_bzero(res, sizeof(res));
	return ret;
}

/* Sizes of an azihsm_aes_cbc() call: INVALID_ARG or BUFFER_TOO_SMALL. */
static int cbc_plan(bool encrypt, enum azihsm_padding pad, size_t in_len,
		    size_t cap, struct cbc_run *r, size_t *out_len)
{
	size_t need;

	if (pad != AZIHSM_PAD_NONE && pad != AZIHSM_PAD_PKCS7)
		return AZIHSM_ERR_INVALID_ARG;
	r->op = encrypt ? DDI_AES_ENCRYPT : DDI_AES_DECRYPT;
	r->in_len = in_len;
	r->total = in_len;
	if (encrypt && pad == AZIHSM_PAD_PKCS7) {
		r->total = (in_len / AES_BLOCK + 1) * AES_BLOCK;
		r->pad_byte = (uint8_t)(r->total - in_len);
	}
	if (r->total % AES_BLOCK || (!encrypt && !in_len))
		return AZIHSM_ERR_INVALID_ARG;
	r->unpad = !encrypt && pad == AZIHSM_PAD_PKCS7;
	/* The padding is at least one byte, so that much need not fit. */
	need = r->unpad ? r->total - 1 : r->total;
	if (cap < need) {
		*out_len = need;
		return AZIHSM_ERR_BUFFER_TOO_SMALL;
	}
	return AZIHSM_OK;
}

int azihsm_aes_cbc(struct azihsm_key *key, bool encrypt, enum azihsm_padding pad,
		   const uint8_t iv[16], const uint8_t *in, size_t in_len,
		   uint8_t *out, size_t cap, size_t *out_len, uint8_t iv_out[16])
{
	struct cbc_run r = { .in = in };
	size_t pad_len, body;
	int ret;

	ret = use_start(key, key && is_aes(key->type));
	if (ret)
		return ret;
	if (!iv || (in_len && !in) || !out_len || (cap && !out))
		return lib_err_set(AZIHSM_ERR_INVALID_ARG);
	*out_len = 0;
	ret = cbc_plan(encrypt, pad, in_len, cap, &r, out_len);
	if (ret)
		return lib_err_set(ret);
	memcpy(r.iv, iv, DDI_AES_IV_LEN);

	if (r.total) {
		pthread_mutex_lock(&key->dev->lock);
		ret = cbc_run_locked(key, &r, out);
		pthread_mutex_unlock(&key->dev->lock);
	}
	body = r.unpad ? r.total - AES_BLOCK : r.total;
	if (!ret && r.unpad) {
		pad_len = pkcs7_len(r.last);
		if (!pad_len)
			ret = lib_err_set(AZIHSM_ERR_BAD_PADDING);
		else
			memcpy(out + body, r.last, AES_BLOCK - pad_len);
		body += AES_BLOCK - pad_len;
	}
	explicit_bzero(r.last, sizeof(r.last));
	if (ret) {
		/* Nothing of a failed decryption is handed out. */
		explicit_bzero(out, body < cap ? body : cap);
		return ret;
	}
	*out_len = body;
	if (iv_out)
		memcpy(iv_out, r.iv, DDI_AES_IV_LEN);
	return AZIHSM_OK;
}

/* ---- Test-only import ---- */

/* What a test import sends, and the key type it must give. */
struct import_kind {
	uint32_t key_class;		/* enum ddi_key_class */
	uint32_t type;			/* 0: any ECC key pair */
	bool wrap;			/* RsaUnwrap (any type of the class) */
};

/* Whether RsaUnwrap's key type belongs to the class asked for (7.8.4). */
static bool type_of_class(uint32_t type, uint32_t key_class)
{
	switch (key_class) {
	case DDI_KEY_CLASS_RSA:
		return type >= AZIHSM_KEY_RSA_2048 && type <= AZIHSM_KEY_RSA_4096;
	case DDI_KEY_CLASS_RSA_CRT:
		return type >= AZIHSM_KEY_RSA_2048_CRT && type <= AZIHSM_KEY_RSA_4096_CRT;
	case DDI_KEY_CLASS_AES:
		return is_aes(type);
	case DDI_KEY_CLASS_ECC:
		return is_ecc_pair(type);
	default:
		return is_bulk(type) &&
		       type - AZIHSM_KEY_AES_XTS_BULK == key_class - DDI_KEY_CLASS_AES_XTS_BULK;
	}
}

static int import_locked(struct azihsm_dev *dev, uint32_t kind,
			 const struct import_kind *ik, const uint8_t *der,
			 size_t len, struct key_props *kp, struct azihsm_key **keyp)
{
	struct ddi_der_import_req req = {
		.der = { der, len },
		.key_class = ik->key_class,
		.has_key_tag = kp->tag != 0,
		.key_tag = kp->tag,
		.key_properties = wire_props(kp),
	};
	struct ddi_der_import_resp resp;
	struct ddi_rsa_unwrap_req ureq = {
		.key_class = ik->key_class,
		.has_key_tag = kp->tag != 0,
		.key_tag = kp->tag,
		.key_properties = req.key_properties,
	};
	struct new_key nk = { .kind = kind };
	uint8_t *blob = NULL;
	int ret;

	if (ik->wrap) {
		/* The same response as DerKeyImport's (3.6.3). */
		blob = malloc(DDI_MASKED_KEY_MAX);
		if (!blob)
			return lib_err_set(AZIHSM_ERR_NO_MEMORY);
		ret = lib_rsa_wrap_locked(dev, kind, der, len, &ureq, blob);
		if (!ret)
			ret = lib_key_op_locked(dev, AZIHSM_DDI_OP_RSA_UNWRAP, &ureq, &resp);
		free(blob);
	} else {
		ret = lib_key_op_locked(dev, AZIHSM_DDI_OP_DER_KEY_IMPORT, &req, &resp);
	}
	if (ret)
		return ret;
	new_key_of_import(&nk, &resp);
	if (ik->wrap ? !type_of_class(resp.key_type, ik->key_class) :
	    ik->type ? resp.key_type != ik->type : !is_ecc_pair(resp.key_type)) {
		/* Not what was asked for: do not leave it in the vault. */
		delete_locked(dev, nk.id);
		return lib_err_set(AZIHSM_ERR_MALFORMED);
	}
	return key_finish_locked(dev, &nk, kp, keyp);
}

static int import_key(struct azihsm_session *sess, const struct import_kind *ik,
		      const uint8_t *der, size_t der_len,
		      const struct azihsm_key_params *params,
		      struct azihsm_key **keyp)
{
	struct key_props kp;
	struct azihsm_dev *dev;
	uint32_t kind;
	int ret;

	/* The imported key's default usage: that of an ECC pair or AES. */
	ret = create_start(keyp, params, ik->type ? ik->type : AZIHSM_KEY_ECC_P256,
			   &kp);
	if (ret)
		return ret;
	if (!sess || !der || !der_len ||
	    der_len > (ik->wrap ? DDI_MASKED_KEY_MAX - 256 - 16 : DDI_DER_IMPORT_MAX))
		return lib_err_set(AZIHSM_ERR_INVALID_ARG);
	dev = lib_session_dev(sess);
	ret = dev_kind(dev, &kind);
	if (ret)
		return ret;
	pthread_mutex_lock(&dev->lock);
	ret = import_locked(dev, kind, ik, der, der_len, &kp, keyp);
	pthread_mutex_unlock(&dev->lock);
	return ret;
}

int azihsm_key_import_der_test(struct azihsm_session *sess, const uint8_t *der,
			       size_t der_len,
			       const struct azihsm_key_params *params,
			       struct azihsm_key **keyp)
{
	static const struct import_kind ecc = { .key_class = DDI_KEY_CLASS_ECC };

	return import_key(sess, &ecc, der, der_len, params, keyp);
}

int azihsm_key_import(struct azihsm_session *sess, const uint8_t *data, size_t len,
		      uint32_t key_class, const struct azihsm_key_params *params,
		      struct azihsm_key **keyp)
{
	/* The default usage follows the class: SIGN_VERIFY, or AES's. */
	struct import_kind ik = {
		.key_class = key_class,
		.type = key_class >= AZIHSM_CLASS_AES && key_class < AZIHSM_CLASS_ECC ?
			AZIHSM_KEY_AES_256 : AZIHSM_KEY_ECC_P256,
		.wrap = true,
	};

	if (key_class < AZIHSM_CLASS_RSA || key_class > AZIHSM_CLASS_ECC) {
		lib_err_reset();
		if (keyp)
			*keyp = NULL;
		return lib_err_set(AZIHSM_ERR_INVALID_ARG);
	}
	return import_key(sess, &ik, data, len, params, keyp);
}

int lib_key_import_bulk_test(struct azihsm_session *sess, uint32_t type,
			     const uint8_t key[32],
			     const struct azihsm_key_params *params,
			     struct azihsm_key **keyp)
{
	/* Classes 4-6 give types 13-15 (7.8.4), in the same order. */
	struct import_kind bulk = {
		.key_class = DDI_KEY_CLASS_AES_XTS_BULK + (type - AZIHSM_KEY_AES_XTS_BULK),
		.type = type,
	};

	if (!is_bulk(type)) {
		lib_err_reset();
		if (keyp)
			*keyp = NULL;
		return lib_err_set(AZIHSM_ERR_INVALID_ARG);
	}
	return import_key(sess, &bulk, key, 32, params, keyp);
}

/* The raw lengths RawKeyImport takes for type (spec/ddi.md 4.1). */
static bool raw_len_ok(uint32_t type, size_t len)
{
	static const size_t secret_len[] = { 32, 48, 68 };
	size_t min, max;

	if (is_aes(type))
		return len == 16 + 8 * (type - AZIHSM_KEY_AES_128);
	if (is_secret(type))
		return len == secret_len[type - AZIHSM_KEY_SECRET_P256];
	if (!is_hmac(type))
		return false;
	hmac_key_lens(type, &min, &max);
	return len >= min && len <= max;
}

static int import_raw_locked(struct azihsm_dev *dev, uint32_t type, const uint8_t *raw,
			     size_t len, struct key_props *kp, struct azihsm_key **keyp)
{
	struct ddi_raw_import_req req = {
		.raw = { raw, len },
		.key_kind = type,
		.has_key_tag = kp->tag != 0,
		.key_tag = kp->tag,
		.key_properties = wire_props(kp),
	};
	struct ddi_raw_import_resp resp;
	struct new_key nk = { .type = type };
	int ret;

	ret = lib_key_op_locked(dev, AZIHSM_DDI_OP_RAW_KEY_IMPORT, &req, &resp);
	if (ret)
		return ret;
	nk.id = resp.key_id;
	nk.masked = resp.masked_key;
	return key_finish_locked(dev, &nk, kp, keyp);
}

int azihsm_key_import_raw_test(struct azihsm_session *sess, uint32_t type,
			       const uint8_t *raw, size_t len,
			       const struct azihsm_key_params *params,
			       struct azihsm_key **keyp)
{
	struct key_props kp;
	struct azihsm_dev *dev;
	int ret;

	ret = create_start(keyp, params, type, &kp);
	if (ret)
		return ret;
	if (!sess || !raw || !raw_len_ok(type, len) || (params && params->key_length))
		return lib_err_set(AZIHSM_ERR_INVALID_ARG);
	dev = lib_session_dev(sess);
	pthread_mutex_lock(&dev->lock);
	ret = import_raw_locked(dev, type, raw, len, &kp, keyp);
	pthread_mutex_unlock(&dev->lock);
	return ret;
}
