// SPDX-License-Identifier: MIT
/*
 * The partition's key vault (ddi.md 3.5.0, 6.3, 6.5, 6.6): key tables of
 * 256 entries and 15104 bytes of storage in 8-byte blocks, first-fit
 * allocation, key ids, tags, scope checks, the fast-path bulk key slots,
 * and the masked key blob of a stored key (7.7).
 *
 * Every key takes one entry and 32 + round8(len) bytes of its table's
 * storage: the attribute record (u64 LE flag word of 4.11, zero padded)
 * followed by the material.  ECC private keys store the private scalar
 * little-endian over the PKA width (the FW raw size of 4.1) and keep the
 * OpenSSL key next to the entry so that signing does not rebuild it.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "fw_internal.h"

#define BLOCKS_PER_TABLE	(FW_KEY_TABLE_STORAGE / FW_KEY_BLOCK)
#define KEY_ID(t, e)		((uint16_t)((t) << 8 | (e)))
#define KEY_TABLE(id)		((id) >> 8)
#define KEY_ENTRY(id)		((id) & 0xff)
/* Bulk key id (4.4): bits 0-2 slot, bits 3-9 table. */
#define BULK_ID(t, slot)	((uint16_t)((t) << 3 | (slot)))
#define BULK_TABLE(b)		(((b) >> 3) & 0x7f)
#define BULK_SLOT(b)		((b) & 7)

/* ECC plaintext of 7.7.5: d_le || X_le || Y_le, PKA width each. */
#define ECC_MASK_PT_MAX		(3 * DDI_ECC_MAX_PKA)

int fw_vault_init(struct azihsm_fw *fw)
{
	fw->tables = calloc(fw->cfg.key_tables, sizeof(*fw->tables));
	return fw->tables ? 0 : -1;
}

void fw_vault_destroy(struct azihsm_fw *fw)
{
	if (!fw->tables)
		return;
	fw_keys_clear(fw);
	free(fw->tables);
	fw->tables = NULL;
}

static size_t key_blocks(size_t len)
{
	return (FW_KEY_ATTR_RECORD + len + FW_KEY_BLOCK - 1) / FW_KEY_BLOCK;
}

static struct fw_key *key_at(struct azihsm_fw *fw, uint16_t id)
{
	if (!fw->tables || KEY_TABLE(id) >= fw->cfg.key_tables)
		return NULL;
	return &fw->tables[KEY_TABLE(id)].keys[KEY_ENTRY(id)];
}

static uint8_t *key_record(struct azihsm_fw *fw, uint16_t id, const struct fw_key *k)
{
	return fw->tables[KEY_TABLE(id)].storage + (size_t)k->block * FW_KEY_BLOCK;
}

uint8_t *fw_key_material(struct azihsm_fw *fw, uint16_t id)
{
	struct fw_key *k = key_at(fw, id);

	return k && k->used ? key_record(fw, id, k) + FW_KEY_ATTR_RECORD : NULL;
}

/* First run of n free blocks of t, or -1. */
static int find_run(const struct fw_key_table *t, size_t n)
{
	size_t i, run = 0;

	for (i = 0; i < BLOCKS_PER_TABLE; i++) {
		run = t->block_used[i] ? 0 : run + 1;
		if (run == n)
			return (int)(i + 1 - n);
	}
	return -1;
}

static size_t free_blocks(const struct fw_key_table *t)
{
	size_t i, n = 0;

	for (i = 0; i < BLOCKS_PER_TABLE; i++)
		n += !t->block_used[i];
	return n;
}

static int free_entry(const struct fw_key_table *t)
{
	int e;

	for (e = 0; e < FW_KEY_TABLE_ENTRIES; e++)
		if (!t->keys[e].used)
			return e;
	return -1;
}

static int free_bulk_slot(const struct fw_key_table *t)
{
	int s;

	for (s = 0; s < FW_BULK_KEYS_PER_TABLE; s++)
		if (!t->bulk_used[s])
			return s;
	return -1;
}

/*
 * First fit (6.6): the lowest table with a free entry, a contiguous run
 * of blocks for len bytes and, if bulk, a free fast-path slot.  On
 * success *id and *block are set.
 */
static uint32_t vault_find(struct azihsm_fw *fw, size_t len, bool bulk,
			   uint16_t *id, int *block)
{
	size_t n = key_blocks(len);
	bool fragmented = false, any_slot = false;
	unsigned int t;

	for (t = 0; t < fw->cfg.key_tables; t++) {
		const struct fw_key_table *tab = &fw->tables[t];
		int e = free_entry(tab), b;

		if (bulk) {
			if (free_bulk_slot(tab) < 0)
				continue;
			any_slot = true;
		}
		if (e < 0)
			continue;
		b = find_run(tab, n);
		if (b >= 0) {
			*id = KEY_ID(t, e);
			*block = b;
			return AZIHSM_DDI_STATUS_SUCCESS;
		}
		if (free_blocks(tab) >= n)
			fragmented = true;
	}
	if (bulk && !any_slot)
		return AZIHSM_DDI_STATUS_REACHED_MAX_AES_BULK_KEYS;
	return fragmented ? AZIHSM_DDI_STATUS_DEFRAGMENTATION_NEEDED :
			    AZIHSM_DDI_STATUS_NOT_ENOUGH_SPACE;
}

/* Put a key into entry id at block; the attribute record leads. */
static struct fw_key *vault_put(struct azihsm_fw *fw, uint16_t id, int block,
				uint32_t type, uint64_t attrs, const uint8_t *material,
				size_t len)
{
	struct fw_key_table *tab = &fw->tables[KEY_TABLE(id)];
	struct fw_key *k = &tab->keys[KEY_ENTRY(id)];
	size_t n = key_blocks(len), i;
	uint8_t *rec;

	memset(k, 0, sizeof(*k));
	k->used = true;
	k->type = type;
	k->attrs = attrs;
	k->len = (uint16_t)len;
	k->block = (uint16_t)block;
	k->nblocks = (uint16_t)n;
	memset(tab->block_used + block, 1, n);
	rec = key_record(fw, id, k);
	memset(rec, 0, n * FW_KEY_BLOCK);
	for (i = 0; i < 8; i++)
		rec[i] = (uint8_t)(attrs >> (8 * i));
	if (len)
		memcpy(rec + FW_KEY_ATTR_RECORD, material, len);
	return k;
}

static void vault_free(struct azihsm_fw *fw, uint16_t id)
{
	struct fw_key_table *tab = &fw->tables[KEY_TABLE(id)];
	struct fw_key *k = &tab->keys[KEY_ENTRY(id)];

	if (k->has_bulk_id) {
		tab->bulk_used[BULK_SLOT(k->bulk_id)] = false;
		OPENSSL_cleanse(tab->bulk_key[BULK_SLOT(k->bulk_id)], FW_BULK_KEY_LEN);
	}
	ddi_pkey_free(k->pkey);
	OPENSSL_cleanse(key_record(fw, id, k), (size_t)k->nblocks * FW_KEY_BLOCK);
	memset(tab->block_used + k->block, 0, k->nblocks);
	memset(k, 0, sizeof(*k));
}

uint32_t fw_key_find_tag(struct azihsm_fw *fw, uint16_t tag, uint16_t *id,
			 struct fw_key **out)
{
	unsigned int t, e;

	for (t = 0; fw->tables && t < fw->cfg.key_tables; t++)
		for (e = 0; e < FW_KEY_TABLE_ENTRIES; e++) {
			struct fw_key *k = &fw->tables[t].keys[e];

			if (k->used && k->has_tag && k->tag == tag) {
				*id = KEY_ID(t, e);
				if (out)
					*out = k;
				return AZIHSM_DDI_STATUS_SUCCESS;
			}
		}
	return AZIHSM_DDI_STATUS_KEY_NOT_FOUND;
}

/* Tag rules of 3.5.0 item 3. */
static uint32_t check_tag(struct azihsm_fw *fw, uint64_t attrs, const uint16_t *tag)
{
	uint16_t id;

	if (!tag)
		return AZIHSM_DDI_STATUS_SUCCESS;
	if (!*tag || (attrs & DDI_KEY_ATTR_SESSION))
		return AZIHSM_DDI_STATUS_INVALID_ARG;
	return fw_key_find_tag(fw, *tag, &id, NULL) ?
	       AZIHSM_DDI_STATUS_SUCCESS : AZIHSM_DDI_STATUS_KEY_TAG_ALREADY_EXISTS;
}

/* The common part of fw_key_store and fw_key_store_bulk. */
static uint32_t key_store(struct azihsm_fw *fw, const struct fw_request *rq,
			  uint32_t type, uint64_t attrs, const uint16_t *tag,
			  const uint8_t *material, size_t len, bool bulk,
			  uint16_t *id, struct fw_key **out)
{
	struct fw_key *k;
	uint32_t status;
	int block;

	if (!fw->tables || len > FW_KEY_MATERIAL_MAX)
		return AZIHSM_DDI_STATUS_INVALID_ARG;
	status = check_tag(fw, attrs, tag);
	if (status)
		return status;
	status = vault_find(fw, len, bulk, id, &block);
	if (status)
		return status;
	k = vault_put(fw, *id, block, type, attrs, material, len);
	if (attrs & DDI_KEY_ATTR_SESSION) {
		k->session_scoped = true;
		k->session_id = rq->hdr->sess_id;
	}
	if (tag) {
		k->has_tag = true;
		k->tag = *tag;
	}
	if (out)
		*out = k;
	return AZIHSM_DDI_STATUS_SUCCESS;
}

uint32_t fw_key_store(struct azihsm_fw *fw, const struct fw_request *rq,
		      uint32_t type, uint64_t attrs, const uint16_t *tag,
		      const uint8_t *material, size_t len, uint16_t *id,
		      struct fw_key **out)
{
	return key_store(fw, rq, type, attrs, tag, material, len, false, id, out);
}

uint32_t fw_key_store_bulk(struct azihsm_fw *fw, const struct fw_request *rq,
			   uint32_t type, uint64_t attrs, const uint16_t *tag,
			   const uint8_t key[FW_BULK_KEY_LEN], uint16_t *id,
			   struct fw_key **out)
{
	struct fw_key_table *tab;
	struct fw_key *k;
	uint8_t raw[2];
	uint32_t status;
	int slot;

	/* The id is known once the table is: store a placeholder first. */
	memset(raw, 0, sizeof(raw));
	status = key_store(fw, rq, type, attrs, tag, raw, sizeof(raw), true, id, &k);
	if (status)
		return status;
	tab = &fw->tables[KEY_TABLE(*id)];
	slot = free_bulk_slot(tab);	/* vault_find made sure there is one */
	tab->bulk_used[slot] = true;
	tab->bulk_entry[slot] = (uint8_t)KEY_ENTRY(*id);
	memcpy(tab->bulk_key[slot], key, FW_BULK_KEY_LEN);
	k->has_bulk_id = true;
	k->bulk_id = BULK_ID(KEY_TABLE(*id), slot);
	raw[0] = (uint8_t)k->bulk_id;
	raw[1] = (uint8_t)(k->bulk_id >> 8);
	memcpy(fw_key_material(fw, *id), raw, sizeof(raw));
	if (out)
		*out = k;
	return AZIHSM_DDI_STATUS_SUCCESS;
}

const uint8_t *fw_key_bulk_material(struct azihsm_fw *fw, const struct fw_key *k)
{
	if (!k->has_bulk_id || BULK_TABLE(k->bulk_id) >= fw->cfg.key_tables)
		return NULL;
	return fw->tables[BULK_TABLE(k->bulk_id)].bulk_key[BULK_SLOT(k->bulk_id)];
}

bool fw_bulk_key_get(struct azihsm_fw *fw, unsigned int table, unsigned int slot,
		     struct fw_bulk_key *out)
{
	const struct fw_key_table *tab;
	const struct fw_key *k;

	if (!fw->tables || table >= fw->cfg.key_tables || slot >= FW_BULK_KEYS_PER_TABLE)
		return false;
	tab = &fw->tables[table];
	if (!tab->bulk_used[slot])
		return false;
	/* The entry owning the slot is in the same table (fw_key_store_bulk). */
	k = &tab->keys[tab->bulk_entry[slot]];
	if (!k->used || !k->has_bulk_id || k->bulk_id != BULK_ID(table, slot))
		return false;
	out->type = k->type;
	out->app_id = FW_APP_VAULT_ID;
	out->session_scoped = k->session_scoped;
	out->session_id = k->session_id;
	memcpy(out->key, tab->bulk_key[slot], FW_BULK_KEY_LEN);
	return true;
}

uint32_t fw_key_lookup(struct azihsm_fw *fw, const struct fw_request *rq,
		       uint16_t id, struct fw_key **out)
{
	struct fw_key *k = key_at(fw, id);

	*out = NULL;
	if (!k || !k->used || (k->attrs & DDI_KEY_ATTR_INTERNAL))
		return AZIHSM_DDI_STATUS_KEY_NOT_FOUND;
	if (k->session_scoped && k->session_id != rq->hdr->sess_id)
		return AZIHSM_DDI_STATUS_INVALID_PERMISSIONS;
	*out = k;
	return AZIHSM_DDI_STATUS_SUCCESS;
}

uint32_t fw_key_check_usage(const struct fw_key *k, uint64_t need)
{
	return (k->attrs & need) == need ? AZIHSM_DDI_STATUS_SUCCESS :
					   AZIHSM_DDI_STATUS_INVALID_PERMISSIONS;
}

uint32_t fw_key_props_parse(const struct ddi_key_properties *kp, unsigned int allowed,
			    struct fw_key_props *out)
{
	static const struct {
		uint32_t usage;
		uint16_t bits;
		uint64_t attrs;
	} usages[] = {
		{ 1, DDI_KEY_META_SIGN | DDI_KEY_META_VERIFY,
		  DDI_KEY_ATTR_SIGN | DDI_KEY_ATTR_VERIFY },
		{ 2, DDI_KEY_META_ENCRYPT | DDI_KEY_META_DECRYPT,
		  DDI_KEY_ATTR_ENCRYPT | DDI_KEY_ATTR_DECRYPT },
		{ 3, DDI_KEY_META_UNWRAP, DDI_KEY_ATTR_UNWRAP },
		{ 4, DDI_KEY_META_DERIVE, DDI_KEY_ATTR_DERIVE },
	};
	const uint16_t usage_mask = DDI_KEY_META_ENCRYPT | DDI_KEY_META_DECRYPT |
		DDI_KEY_META_SIGN | DDI_KEY_META_VERIFY | DDI_KEY_META_DERIVE |
		DDI_KEY_META_WRAP | DDI_KEY_META_UNWRAP;
	const struct mbor_bytes *blob = &kp->key_metadata.blob;
	uint16_t bits;
	size_t i;

	memset(out, 0, sizeof(*out));
	if (blob->len != DDI_KEY_META_LEN)
		return AZIHSM_DDI_STATUS_INVALID_ARG;
	bits = (uint16_t)(blob->ptr[0] | blob->ptr[1] << 8);
	/* Exact combinations only (4.9): wrap is never a valid usage. */
	for (i = 0; i < sizeof(usages) / sizeof(usages[0]); i++) {
		if ((bits & usage_mask) != usages[i].bits)
			continue;
		if (!(allowed & (1u << usages[i].usage)))
			break;
		out->usage = usages[i].usage;
		out->usage_attrs = usages[i].attrs;
		out->session = bits & DDI_KEY_META_SESSION;
		out->label = kp->key_label;
		return AZIHSM_DDI_STATUS_SUCCESS;
	}
	return AZIHSM_DDI_STATUS_INVALID_PERMISSIONS;
}

DDI_PKEY *fw_key_ecc(struct azihsm_fw *fw, uint16_t id)
{
	struct fw_key *k = key_at(fw, id);
	const struct ddi_ecc_curve_info *c;

	if (!k || !k->used)
		return NULL;
	c = ddi_ecc_curve_of_type(k->type);
	if (!c || c->priv_type != k->type || k->len != c->pka)
		return NULL;
	return fw_key_pkey(fw, id);
}

DDI_PKEY *fw_key_pkey(struct azihsm_fw *fw, uint16_t id)
{
	struct fw_key *k = key_at(fw, id);
	const struct ddi_ecc_curve_info *c;

	if (!k || !k->used)
		return NULL;
	if (k->pkey)
		return k->pkey;
	c = ddi_ecc_curve_of_type(k->type);
	if (c && c->priv_type == k->type && k->len == c->pka)
		k->pkey = ddi_ecc_from_private_le(c, fw_key_material(fw, id));
	else
		k->pkey = fw_rsa_from_material(k->type, fw_key_material(fw, id), k->len);
	return k->pkey;
}

/*
 * The plaintext of 7.7.5: ECC private keys carry their public key after
 * the scalar, bulk keys their 32 bytes from the fast-path store, others
 * the stored material.  Returns the length, 0 on failure.
 */
static size_t mask_plaintext(struct azihsm_fw *fw, uint16_t id, const struct fw_key *k,
			     uint8_t *pt, size_t cap)
{
	const struct ddi_ecc_curve_info *c = ddi_ecc_curve_of_type(k->type);
	const uint8_t *bulk;

	if (c && c->priv_type == k->type) {
		DDI_PKEY *pkey = fw_key_ecc(fw, id);

		if (!pkey || cap < 3 * c->pka ||
		    ddi_ecc_private_le(pkey, c, pt) ||
		    ddi_ecc_public_raw(pkey, c, pt + c->pka))
			return 0;
		return 3 * c->pka;
	}
	if (k->has_bulk_id) {
		bulk = fw_key_bulk_material(fw, k);
		if (!bulk || cap < FW_BULK_KEY_LEN)
			return 0;
		memcpy(pt, bulk, FW_BULK_KEY_LEN);
		return FW_BULK_KEY_LEN;
	}
	if (cap < k->len)
		return 0;
	memcpy(pt, fw_key_material(fw, id), k->len);
	return k->len;
}

uint32_t fw_key_mask(struct azihsm_fw *fw, const struct fw_request *rq, uint16_t id,
		     const struct mbor_bytes *label, uint8_t *blob, size_t cap,
		     size_t *len)
{
	uint8_t pt[FW_KEY_MATERIAL_MAX > ECC_MASK_PT_MAX ?
		   FW_KEY_MATERIAL_MAX : ECC_MASK_PT_MAX];
	uint8_t attrs[DDI_KEY_ATTR_LEN] = { 0 };
	struct ddi_masked_key_meta meta = { 0 };
	const uint8_t *mkey;
	struct fw_key *k;
	size_t pt_len;
	uint32_t status;
	unsigned int i;

	(void)rq;
	*len = 0;
	k = key_at(fw, id);
	if (!k || !k->used)
		return AZIHSM_DDI_STATUS_KEY_NOT_FOUND;
	if (label && label->len > DDI_KEY_LABEL_MAX)
		return AZIHSM_DDI_STATUS_INVALID_ARG;
	if (k->session_scoped) {
		struct fw_session *s = fw_session_find(fw, k->session_id);

		if (!s)
			return AZIHSM_DDI_STATUS_SESSION_NOT_FOUND;
		mkey = s->smk;
	} else {
		mkey = fw->mk;
	}
	for (i = 0; i < 8; i++)
		attrs[i] = (uint8_t)(k->attrs >> (8 * i));
	/* Byte 24: the length of a variable-length HMAC key (4.11). */
	if (k->type >= DDI_KEY_VAR_HMAC256 && k->type <= DDI_KEY_VAR_HMAC512)
		attrs[24] = (uint8_t)k->len;
	meta.has_svn = true;
	meta.svn = fw->svn;
	meta.key_type = k->type;
	meta.attrs.blob = (struct mbor_bytes){ attrs, sizeof(attrs) };
	meta.has_bks2_index = true;
	meta.bks2_index = 0;
	meta.has_key_tag = k->has_tag;
	meta.key_tag = k->tag;
	if (label)
		meta.key_label = *label;
	/* The FW raw size: ECC private part only, bulk keys their 2-byte id. */
	meta.key_length = k->len;

	pt_len = mask_plaintext(fw, id, k, pt, sizeof(pt));
	status = AZIHSM_DDI_STATUS_MASKED_KEY_ENCODE_FAILED;
	if (pt_len) {
		*len = ddi_mask_key(mkey, &meta, pt, pt_len, NULL, blob, cap);
		if (*len)
			status = AZIHSM_DDI_STATUS_SUCCESS;
	}
	OPENSSL_cleanse(pt, pt_len);
	return status;
}

uint32_t fw_key_delete(struct azihsm_fw *fw, const struct fw_request *rq, uint16_t id)
{
	struct fw_key *k = key_at(fw, id);

	if (!k || !k->used)
		return AZIHSM_DDI_STATUS_KEY_NOT_FOUND;
	/* Session entries are not keys; other internal keys are protected. */
	if (k->attrs & DDI_KEY_ATTR_INTERNAL)
		return k->type == FW_KEY_TYPE_SESSION_ENTRY ?
		       AZIHSM_DDI_STATUS_KEY_NOT_FOUND :
		       AZIHSM_DDI_STATUS_CANNOT_DELETE_INTERNAL_KEYS;
	if (k->session_scoped && k->session_id != rq->hdr->sess_id)
		return AZIHSM_DDI_STATUS_INVALID_PERMISSIONS;
	vault_free(fw, id);
	return AZIHSM_DDI_STATUS_SUCCESS;
}

void fw_keys_drop_session(struct azihsm_fw *fw, uint16_t session_id)
{
	unsigned int t, e;

	if (!fw->tables)
		return;
	for (t = 0; t < fw->cfg.key_tables; t++)
		for (e = 0; e < FW_KEY_TABLE_ENTRIES; e++) {
			const struct fw_key *k = &fw->tables[t].keys[e];

			if (k->used && k->session_scoped && k->session_id == session_id)
				vault_free(fw, KEY_ID(t, e));
		}
}

void fw_keys_clear(struct azihsm_fw *fw)
{
	unsigned int t, e;

	if (!fw->tables)
		return;
	for (t = 0; t < fw->cfg.key_tables; t++) {
		for (e = 0; e < FW_KEY_TABLE_ENTRIES; e++)
			ddi_pkey_free(fw->tables[t].keys[e].pkey);
		OPENSSL_cleanse(&fw->tables[t], sizeof(fw->tables[t]));
	}
}

uint32_t fw_vault_session_room(struct azihsm_fw *fw)
{
	uint16_t id;
	int block;

	if (!fw->tables)
		return AZIHSM_DDI_STATUS_NOT_ENOUGH_SPACE;
	return vault_find(fw, FW_SESSION_ENTRY_LEN, false, &id, &block);
}

uint32_t fw_vault_add_session(struct azihsm_fw *fw, uint16_t session_id,
			      const uint8_t smk[DDI_MASKING_KEY_LEN])
{
	uint8_t blob[FW_SESSION_ENTRY_LEN] = { 0 };
	struct fw_key *k;
	uint32_t status;
	uint16_t id;
	int block;

	if (!fw->tables)
		return AZIHSM_DDI_STATUS_NOT_ENOUGH_SPACE;
	status = vault_find(fw, FW_SESSION_ENTRY_LEN, false, &id, &block);
	if (status)
		return status;
	/* The entry's blob holds the session masking key, zero padded. */
	memcpy(blob, smk, DDI_MASKING_KEY_LEN);
	k = vault_put(fw, id, block, FW_KEY_TYPE_SESSION_ENTRY,
		      DDI_KEY_ATTR_INTERNAL | DDI_KEY_ATTR_SESSION, blob, sizeof(blob));
	k->session_scoped = true;
	k->session_id = session_id;
	OPENSSL_cleanse(blob, sizeof(blob));
	return AZIHSM_DDI_STATUS_SUCCESS;
}
