// SPDX-License-Identifier: MIT
/*
 * Partition state and key hierarchy (ddi.md 6.1, 6.8, 7.6): device
 * secrets, identity key, nonce, BK3 handling, and the provisioning
 * operations that need no credential: InitBk3, GetSealedBk3, SetSealedBk3.
 */
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "fw_internal.h"

/* Key type of every backup blob: AesCbc256Hmac384 (7.6). */
#define FW_BACKUP_KEY_TYPE	28
/* The emulated device's one security version number. */
#define FW_SVN			1

#define LABEL(s)		(const uint8_t *)(s), sizeof(s) - 1

static const uint8_t zero_attrs[DDI_KEY_ATTR_LEN];

int fw_partition_init(struct azihsm_fw *fw)
{
	/*
	 * FW_SECRET and the BKS seeds are device-internal (7.6, Appendix A
	 * #26): every emulated device draws its own at creation, so blobs of
	 * one device never unmask on another, as on hardware.
	 */
	fw->svn = FW_SVN;
	if (ddi_random(fw->fw_secret, sizeof(fw->fw_secret)) ||
	    ddi_random(fw->bks1, sizeof(fw->bks1)) ||
	    ddi_random(fw->bks2, sizeof(fw->bks2)) ||
	    ddi_random(fw->nonce, sizeof(fw->nonce)))
		return -1;
	fw->identity_key = ddi_p384_generate();
	return fw->identity_key && !fw_vault_init(fw) ? 0 : -1;
}

void fw_partition_destroy(struct azihsm_fw *fw)
{
	fw_vault_destroy(fw);
	ddi_pkey_free(fw->identity_key);
	ddi_pkey_free(fw->establish_key);
	ddi_pkey_free(fw->session_enc_key);
	OPENSSL_cleanse(fw, sizeof(*fw));
}

uint32_t fw_nonce_renew(struct azihsm_fw *fw)
{
	return ddi_random(fw->nonce, sizeof(fw->nonce)) ?
	       AZIHSM_DDI_STATUS_RNG_ERROR : AZIHSM_DDI_STATUS_SUCCESS;
}

uint64_t fw_now(struct azihsm_fw *fw)
{
	struct timespec ts;

	if (fw->cfg.clock)
		return fw->cfg.clock(fw->cfg.clock_opaque);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec;
}

int fw_new_masking_key(const char *label, uint8_t key[DDI_MASKING_KEY_LEN])
{
	uint8_t seed[DDI_P384_LEN];
	int ret;

	ret = ddi_random(seed, sizeof(seed)) ||
	      ddi_kbkdf_sha384(seed, sizeof(seed), (const uint8_t *)label,
			       strlen(label), NULL, 0, key, DDI_MASKING_KEY_LEN) ? -1 : 0;
	OPENSSL_cleanse(seed, sizeof(seed));
	return ret;
}

size_t fw_mask_backup(struct azihsm_fw *fw, const uint8_t key[DDI_MASKING_KEY_LEN],
		      const char *label, bool with_bks2_index, const uint8_t *secret,
		      size_t len, uint8_t *blob, size_t cap)
{
	struct ddi_masked_key_meta meta = {
		.has_svn = true, .svn = fw->svn,
		.key_type = FW_BACKUP_KEY_TYPE,
		.attrs.blob = { zero_attrs, sizeof(zero_attrs) },
		.has_bks2_index = with_bks2_index, .bks2_index = 0,
		.key_label = { (const uint8_t *)label, (uint16_t)strlen(label) },
		.key_length = (uint16_t)len,
	};

	return ddi_mask_key(key, &meta, secret, len, NULL, blob, cap);
}

/* BKS1[svn] || BKS2; the emulator has one SVN, so only it is known. */
static bool bks_context(struct azihsm_fw *fw, uint64_t svn,
			uint8_t ctx[2 * FW_BKS_SEED_LEN])
{
	if (svn != fw->svn)
		return false;
	memcpy(ctx, fw->bks1, FW_BKS_SEED_LEN);
	memcpy(ctx + FW_BKS_SEED_LEN, fw->bks2, FW_BKS_SEED_LEN);
	return true;
}

/* BKx: the key the BK boot key is stored under. */
static int fw_bkx(struct azihsm_fw *fw, uint64_t svn, uint8_t bkx[DDI_MASKING_KEY_LEN])
{
	uint8_t ctx[2 * FW_BKS_SEED_LEN];

	if (!bks_context(fw, svn, ctx))
		return -1;
	return ddi_kbkdf_sha384(fw->fw_secret, sizeof(fw->fw_secret),
				LABEL("BK_BOOT_MK_DEFAULT"), ctx, sizeof(ctx),
				bkx, DDI_MASKING_KEY_LEN);
}

/* BK: bound to BK3 and to the POTA key's wire bytes. */
static int fw_bk(struct azihsm_fw *fw, uint64_t svn, const uint8_t bk3[DDI_BK3_LEN],
		 const struct mbor_bytes *pota_pub, uint8_t bk[DDI_MASKING_KEY_LEN])
{
	static const char prefix[] = "PARTITION_BK";
	uint8_t label[DDI_KBKDF_MAX_LABEL] = { 0 };
	uint8_t ctx[2 * FW_BKS_SEED_LEN];
	size_t n = pota_pub->len;

	if (!bks_context(fw, svn, ctx))
		return -1;
	/* The label field is 256 bytes: prefix, key bytes, zero fill. */
	if (n > sizeof(label) - (sizeof(prefix) - 1))
		n = sizeof(label) - (sizeof(prefix) - 1);
	memcpy(label, prefix, sizeof(prefix) - 1);
	memcpy(label + sizeof(prefix) - 1, pota_pub->ptr, n);
	return ddi_kbkdf_sha384(bk3, DDI_BK3_LEN, label, sizeof(label), ctx,
				sizeof(ctx), bk, DDI_MASKING_KEY_LEN);
}

int fw_bk_session(struct azihsm_fw *fw, const uint8_t seed[DDI_CRED_SEED_LEN],
		  uint8_t bk[DDI_MASKING_KEY_LEN])
{
	uint8_t ctx[2 * FW_BKS_SEED_LEN + DDI_CRED_SEED_LEN];

	if (!bks_context(fw, fw->svn, ctx))
		return -1;
	memcpy(ctx + 2 * FW_BKS_SEED_LEN, seed, DDI_CRED_SEED_LEN);
	return ddi_kbkdf_sha384(fw->bk3_session, sizeof(fw->bk3_session),
				LABEL("SESSION_BK"), ctx, sizeof(ctx), bk,
				DDI_MASKING_KEY_LEN);
}

/* The svn a backup blob was masked with; false if the blob is malformed. */
static bool backup_svn(const struct mbor_bytes *blob, uint64_t *svn)
{
	struct ddi_masked_key_meta meta;

	if (!ddi_masked_key_meta(blob->ptr, blob->len, &meta))
		return false;
	*svn = meta.has_svn ? meta.svn : 0;
	return true;
}

/* Verify and decrypt a backup blob holding exactly want_len bytes. */
static uint32_t unmask_backup(const uint8_t key[DDI_MASKING_KEY_LEN],
			      const uint8_t *blob, size_t len, uint8_t *secret,
			      size_t want_len, uint32_t fail_status)
{
	struct ddi_masked_key_meta meta;
	size_t got;

	if (ddi_unmask_key(key, blob, len, &meta, secret, want_len, &got) ||
	    got != want_len)
		return fail_status;
	return AZIHSM_DDI_STATUS_SUCCESS;
}

/*
 * The provisioning half of EstablishCredential (3.4.2, 7.6), run once the
 * credential is stored: recover BK3 through the stored BK boot key, derive
 * BK3_session, create or restore MK and emit the BMK.  Leaves no secret
 * behind on failure; the caller rolls the credential back.
 */
uint32_t fw_provision(struct azihsm_fw *fw, const struct ddi_establish_credential_req *req,
		      uint8_t *bmk, size_t bmk_cap, size_t *bmk_len)
{
	uint8_t bk_boot[DDI_MASKING_KEY_LEN], key[DDI_MASKING_KEY_LEN];
	uint8_t bk3[DDI_BK3_LEN];
	uint64_t svn;
	uint32_t status;

	*bmk_len = 0;
	if (fw->provisioned)
		return AZIHSM_DDI_STATUS_PARTITION_ALREADY_PROVISIONED;
	if (!fw->masked_bk_boot_len)
		return AZIHSM_DDI_STATUS_MASKED_BK_BOOT_NOT_PRESENT;
	/* The masked BK3 names the svn; it is read before any integrity check. */
	status = AZIHSM_DDI_STATUS_MASKED_KEY_DECODE_FAILED;
	if (!backup_svn(&req->masked_bk3, &svn))
		goto out;
	status = AZIHSM_DDI_STATUS_MASKING_BK_BOOT_FAILED;
	if (fw_bkx(fw, svn, key))
		goto out;
	status = unmask_backup(key, fw->masked_bk_boot, fw->masked_bk_boot_len,
			       bk_boot, sizeof(bk_boot),
			       AZIHSM_DDI_STATUS_UNMASKING_BK_BOOT_FAILED);
	if (status)
		goto out;
	/* A BK3 of the wrong length was accepted by InitBk3 only on the FW. */
	status = unmask_backup(bk_boot, req->masked_bk3.ptr, req->masked_bk3.len,
			       bk3, sizeof(bk3), AZIHSM_DDI_STATUS_UNMASKING_BK3_FAILED);
	if (status)
		goto out;

	status = AZIHSM_DDI_STATUS_KEY_DERIVATION_FAILURE;
	if (ddi_kbkdf_sha384(bk3, sizeof(bk3), LABEL("SESSION_BK3"), NULL, 0,
			     fw->bk3_session, sizeof(fw->bk3_session)))
		goto out;
	if (req->bmk.len) {
		/* Restore the MK a BMK of this owner (BK3 + POTA key) carries. */
		status = AZIHSM_DDI_STATUS_MASKED_KEY_DECODE_FAILED;
		if (!backup_svn(&req->bmk, &svn) ||
		    fw_bk(fw, svn, bk3, &req->pota_pub_key.der, key))
			goto out;
		status = unmask_backup(key, req->bmk.ptr, req->bmk.len, fw->mk,
				       sizeof(fw->mk),
				       AZIHSM_DDI_STATUS_MASKED_KEY_DECODE_FAILED);
		if (status)
			goto out;
	} else if (fw_new_masking_key("MK_DEFAULT", fw->mk)) {
		goto out;
	}
	/*
	 * No RSA unwrapping key exists yet (GetUnwrappingKey is a later
	 * slice), so no blob this device issued can be presented here: a
	 * non-empty one is a blob the device cannot unmask.
	 */
	status = AZIHSM_DDI_STATUS_MASKED_KEY_DECODE_FAILED;
	if (req->masked_unwrapping_key.len)
		goto out;
	status = AZIHSM_DDI_STATUS_MASKED_KEY_ENCODE_FAILED;
	if (fw_bk(fw, fw->svn, bk3, &req->pota_pub_key.der, key))
		goto out;
	*bmk_len = fw_mask_backup(fw, key, "MK", true, fw->mk, sizeof(fw->mk), bmk,
				  bmk_cap);
	if (!*bmk_len)
		goto out;
	fw->provisioned = true;
	status = AZIHSM_DDI_STATUS_SUCCESS;
out:
	if (status) {
		OPENSSL_cleanse(fw->bk3_session, sizeof(fw->bk3_session));
		OPENSSL_cleanse(fw->mk, sizeof(fw->mk));
	}
	OPENSSL_cleanse(bk_boot, sizeof(bk_boot));
	OPENSSL_cleanse(bk3, sizeof(bk3));
	OPENSSL_cleanse(key, sizeof(key));
	return status;
}

/* ---- InitBk3 (1111), GetSealedBk3 (1112), SetSealedBk3 (1113) ---- */

uint32_t fw_op_init_bk3(struct azihsm_fw *fw, struct fw_request *rq,
			const union fw_req_data *req, union fw_resp_data *resp)
{
	const struct mbor_bytes *bk3 = &req->init_bk3.bk3;
	uint8_t bk_boot[DDI_MASKING_KEY_LEN], bkx[DDI_MASKING_KEY_LEN];
	struct fw_init_bk3_out *r = &resp->init_bk3;
	size_t masked_len, boot_len;
	uint32_t status;

	(void)rq;
	if (fw->masked_bk_boot_len)
		return AZIHSM_DDI_STATUS_BK3_ALREADY_INITIALIZED;
	/* Stricter than the FW, as the SIM (Appendix A #16). */
	if (bk3->len != DDI_BK3_LEN)
		return AZIHSM_DDI_STATUS_INVALID_ARG;

	status = AZIHSM_DDI_STATUS_BK_BOOT_GENERATION_FAILED;
	if (fw_new_masking_key("BK_BOOT_KEY_DEFAULT", bk_boot))
		goto out;
	status = AZIHSM_DDI_STATUS_MASKING_BK3_FAILED;
	masked_len = fw_mask_backup(fw, bk_boot, "BK3", true, bk3->ptr, bk3->len,
				    r->masked_bk3, sizeof(r->masked_bk3));
	if (!masked_len)
		goto out;
	status = AZIHSM_DDI_STATUS_MASKING_BK_BOOT_FAILED;
	if (fw_bkx(fw, fw->svn, bkx))
		goto out;
	boot_len = fw_mask_backup(fw, bkx, "BKBoot", true, bk_boot, sizeof(bk_boot),
				  fw->masked_bk_boot, sizeof(fw->masked_bk_boot));
	if (!boot_len)
		goto out;
	fw->masked_bk_boot_len = boot_len;
	/* No platform assigns a VM launch GUID to the emulator: zeros, as the SIM. */
	memset(r->vm_launch_guid, 0, sizeof(r->vm_launch_guid));
	r->msg.masked_bk3 = (struct mbor_bytes){ r->masked_bk3, (uint16_t)masked_len };
	r->msg.vm_launch_guid = (struct mbor_bytes){ r->vm_launch_guid,
						     sizeof(r->vm_launch_guid) };
	status = AZIHSM_DDI_STATUS_SUCCESS;
out:
	OPENSSL_cleanse(bk_boot, sizeof(bk_boot));
	OPENSSL_cleanse(bkx, sizeof(bkx));
	return status;
}

uint32_t fw_op_get_sealed_bk3(struct azihsm_fw *fw, struct fw_request *rq,
			      const union fw_req_data *req, union fw_resp_data *resp)
{
	(void)rq;
	(void)req;
	if (!fw->has_sealed_bk3)
		return AZIHSM_DDI_STATUS_SEALED_BK3_NOT_PRESENT;
	resp->get_sealed_bk3.sealed_bk3 =
		(struct mbor_bytes){ fw->sealed_bk3, (uint16_t)fw->sealed_bk3_len };
	return AZIHSM_DDI_STATUS_SUCCESS;
}

uint32_t fw_op_set_sealed_bk3(struct azihsm_fw *fw, struct fw_request *rq,
			      const union fw_req_data *req, union fw_resp_data *resp)
{
	const struct mbor_bytes *blob = &req->set_sealed_bk3.sealed_bk3;

	(void)rq;
	(void)resp;
	if (fw->has_sealed_bk3)
		return AZIHSM_DDI_STATUS_SEALED_BK3_ALREADY_SET;
	if (blob->len > sizeof(fw->sealed_bk3))
		return AZIHSM_DDI_STATUS_SEALED_BK3_TOO_LARGE;
	if (blob->len)
		memcpy(fw->sealed_bk3, blob->ptr, blob->len);
	fw->sealed_bk3_len = blob->len;
	fw->has_sealed_bk3 = true;
	return AZIHSM_DDI_STATUS_SUCCESS;
}
