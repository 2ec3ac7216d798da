// SPDX-License-Identifier: MIT
/*
 * Provisioning (spec/ddi.md 6.2, 3.4.1, 3.4.2, 3.4.8): the partition
 * identity key from the certificate chain (3.3.3, 3.3.4), the POTA
 * endorsement (7.4), and the credential encryption every credential
 * operation shares (7.2, 7.3).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "azihsm/ddi_crypto.h"
#include "lib_internal.h"

_Static_assert(AZIHSM_BK3_LEN == DDI_BK3_LEN &&
	       AZIHSM_CRED_ID_LEN == DDI_CRED_ID_LEN &&
	       AZIHSM_CRED_PIN_LEN == DDI_CRED_PIN_LEN &&
	       AZIHSM_BLOB_MAX == DDI_BLOB_MAX &&
	       AZIHSM_P384_POINT_LEN == DDI_P384_POINT_LEN &&
	       AZIHSM_P384_PUB_LEN == DDI_P384_RAW_PUB_LEN &&
	       AZIHSM_P384_SIG_LEN == DDI_P384_RAW_SIG_LEN, "sizes of the API");

/* ---- Identity key ---- */

static bool is_p384(EVP_PKEY *k)
{
	char group[32];

	return EVP_PKEY_get_base_id(k) == EVP_PKEY_EC &&
	       EVP_PKEY_get_utf8_string_param(k, OSSL_PKEY_PARAM_GROUP_NAME, group,
					      sizeof(group), NULL) &&
	       !strcmp(group, "secp384r1");
}

/* The P-384 point of a DER certificate, or MALFORMED. */
static int cert_p384_point(const uint8_t *der, size_t len,
			   uint8_t point[DDI_P384_POINT_LEN])
{
	const unsigned char *p = der;
	X509 *cert = d2i_X509(NULL, &p, (long)len);
	EVP_PKEY *key;
	size_t point_len = 0;
	int ret = AZIHSM_ERR_MALFORMED;

	if (!cert)
		return lib_err_set(AZIHSM_ERR_MALFORMED);
	key = X509_get0_pubkey(cert);
	if (p == der + len && key && is_p384(key) &&
	    EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY,
					    point, DDI_P384_POINT_LEN, &point_len) &&
	    point_len == DDI_P384_POINT_LEN && point[0] == 0x04)
		ret = AZIHSM_OK;
	X509_free(cert);
	return ret ? lib_err_set(ret) : AZIHSM_OK;
}

/*
 * GetCertChainInfo, then GetCertificate of the last certificate: the
 * partition identity (PID) certificate (7.12.1).  Cached in the handle:
 * the key is the partition's for the life of the device.
 */
static int identity_key_locked(struct azihsm_dev *dev)
{
	uint8_t der[DDI_CERT_MAX];
	size_t len;
	int ret;

	if (dev->have_identity)
		return AZIHSM_OK;
	ret = lib_cert_get_locked(dev, LIB_CERT_LAST, NULL, der, sizeof(der), &len);
	if (ret)
		return ret;
	lib_err_cur()->ddi_op = AZIHSM_DDI_OP_GET_CERTIFICATE;
	ret = cert_p384_point(der, len, dev->identity_point);
	if (ret)
		return ret;
	dev->have_identity = true;
	return AZIHSM_OK;
}

int azihsm_partition_identity_key(struct azihsm_dev *dev,
				  uint8_t point[AZIHSM_P384_POINT_LEN])
{
	int ret;

	lib_err_reset();
	if (!dev || !point)
		return lib_err_set(AZIHSM_ERR_INVALID_ARG);
	pthread_mutex_lock(&dev->lock);
	ret = identity_key_locked(dev);
	if (!ret)
		memcpy(point, dev->identity_point, DDI_P384_POINT_LEN);
	pthread_mutex_unlock(&dev->lock);
	return ret;
}

/* ---- Credential encryption ---- */

int lib_seal_locked(struct azihsm_dev *dev, uint32_t key_op, const uint8_t *pt,
		    size_t pt_len, struct ddi_cred_sealed *sealed)
{
	struct ddi_cred_key_resp key;
	struct lib_ddi_call call = {
		.op = key_op,
		.resp_schema = &ddi_cred_key_resp_schema,
		.resp = &key,
	};
	uint8_t raw[DDI_P384_RAW_PUB_LEN];
	DDI_PKEY *identity = NULL;
	bool verified;
	int ret;

	ret = identity_key_locked(dev);
	if (!ret)
		ret = lib_ddi_call_locked(dev, &call);
	if (ret)
		return ret;
	/* What goes wrong below is about this response. */
	lib_err_cur()->ddi_op = key_op;
	if (key.pub_key.der.len != DDI_P384_RAW_PUB_LEN ||
	    key.pub_key.key_kind != DDI_KEY_KIND_ECC384_PUBLIC ||
	    key.nonce.len != DDI_CRED_NONCE_LEN)
		return lib_err_set(AZIHSM_ERR_MALFORMED);

	/* 7.3: only a key the partition identity key signed is used. */
	ddi_reverse(raw, dev->identity_point + 1, DDI_P384_LEN);
	ddi_reverse(raw + DDI_P384_LEN, dev->identity_point + 1 + DDI_P384_LEN,
		    DDI_P384_LEN);
	if (ddi_p384_from_raw(raw, sizeof(raw), &identity))
		return lib_err_set(AZIHSM_ERR_MALFORMED);
	verified = ddi_p384_verify_raw(identity, key.pub_key.der.ptr,
				       key.pub_key.der.len,
				       key.pub_key_signature.ptr,
				       key.pub_key_signature.len);
	ddi_pkey_free(identity);
	if (!verified)
		return lib_err_set(AZIHSM_ERR_VERIFY);

	if (ddi_cred_seal(key.pub_key.der.ptr, key.pub_key.der.len, key.nonce.ptr,
			  pt, pt_len, NULL, NULL, sealed))
		return lib_err_set(AZIHSM_ERR_MALFORMED);
	return AZIHSM_OK;
}

/* ---- POTA endorsement ---- */

/* Never prompt for a passphrase: encrypted key files are refused. */
static int no_passphrase(char *buf, int size, int rwflag, void *u)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	(void)u;
	return -1;
}

/* The owner's P-384 private key from an unencrypted PEM file. */
static int pota_key_load(const char *path, EVP_PKEY **keyp)
{
	FILE *f = fopen(path, "r");
	EVP_PKEY *key;

	if (!f) {
		lib_err_cur()->sys_errno = errno;
		return lib_err_set(AZIHSM_ERR_INVALID_ARG);
	}
	key = PEM_read_PrivateKey(f, NULL, no_passphrase, NULL);
	fclose(f);
	if (!key || !is_p384(key)) {
		EVP_PKEY_free(key);
		return lib_err_set(AZIHSM_ERR_INVALID_ARG);
	}
	*keyp = key;
	return AZIHSM_OK;
}

/* ---- Provisioning ---- */

static bool all_zero(const uint8_t *p, size_t len)
{
	while (len--)
		if (*p++)
			return false;
	return true;
}

static bool params_valid(const struct azihsm_partition_params *p)
{
	bool have_sig = p->pota_pub && p->pota_sig;

	if (!p->bk3 == !p->masked_bk3)
		return false;
	if (p->masked_bk3 && (!p->masked_bk3_len || p->masked_bk3_len > DDI_BLOB_MAX))
		return false;
	if (!p->pota_key_file == !have_sig || (!have_sig && (p->pota_pub || p->pota_sig)))
		return false;
	return p->bmk_len <= DDI_BLOB_MAX && (p->bmk || !p->bmk_len);
}

static int init_bk3_locked(struct azihsm_dev *dev, const uint8_t *bk3,
			   struct azihsm_partition_keys *keys)
{
	struct ddi_init_bk3_req req = { .bk3 = { bk3, DDI_BK3_LEN } };
	struct ddi_init_bk3_resp resp;
	struct lib_ddi_call call = {
		.op = AZIHSM_DDI_OP_INIT_BK3,
		.req_schema = &ddi_init_bk3_req_schema,
		.req = &req,
		.resp_schema = &ddi_init_bk3_resp_schema,
		.resp = &resp,
	};
	int ret;

	ret = lib_ddi_call_locked(dev, &call);
	if (ret)
		return ret;
	if (!resp.masked_bk3.len || resp.masked_bk3.len > DDI_BLOB_MAX)
		return lib_err_set(AZIHSM_ERR_MALFORMED);
	memcpy(keys->masked_bk3, resp.masked_bk3.ptr, resp.masked_bk3.len);
	keys->masked_bk3_len = resp.masked_bk3.len;
	return AZIHSM_OK;
}

static int establish_locked(struct azihsm_dev *dev,
			    const struct azihsm_partition_params *p,
			    EVP_PKEY *pota_key, struct azihsm_partition_keys *keys)
{
	uint8_t pota_pub[DDI_P384_RAW_PUB_LEN], pota_sig[DDI_P384_RAW_SIG_LEN];
	uint8_t pt[DDI_CRED_ID_LEN + DDI_CRED_PIN_LEN];
	struct ddi_cred_sealed sealed;
	struct ddi_establish_credential_req req;
	struct ddi_establish_credential_resp resp;
	struct lib_ddi_call call = {
		.op = AZIHSM_DDI_OP_ESTABLISH_CREDENTIAL,
		.req_schema = &ddi_establish_credential_req_schema,
		.req = &req,
		.resp_schema = &ddi_establish_credential_resp_schema,
		.resp = &resp,
	};
	int ret;

	ret = identity_key_locked(dev);
	if (ret)
		return ret;
	if (pota_key) {
		/* The endorsement of 7.4: over the identity key's point. */
		if (ddi_p384_public_raw(pota_key, pota_pub) ||
		    ddi_p384_sign_raw(pota_key, dev->identity_point,
				      DDI_P384_POINT_LEN, pota_sig))
			return lib_err_set(AZIHSM_ERR_NO_MEMORY);
	} else {
		memcpy(pota_pub, p->pota_pub, sizeof(pota_pub));
		memcpy(pota_sig, p->pota_sig, sizeof(pota_sig));
	}

	memcpy(pt, p->id, DDI_CRED_ID_LEN);
	memcpy(pt + DDI_CRED_ID_LEN, p->pin, DDI_CRED_PIN_LEN);
	ret = lib_seal_locked(dev, AZIHSM_DDI_OP_GET_ESTABLISH_CRED_ENCRYPTION_KEY,
			      pt, sizeof(pt), &sealed);
	explicit_bzero(pt, sizeof(pt));
	if (ret)
		return ret;

	req = (struct ddi_establish_credential_req){
		.encrypted_credential = {
			.encrypted_id = { sealed.ct, DDI_CRED_ID_LEN },
			.encrypted_pin = { sealed.ct + DDI_CRED_ID_LEN, DDI_CRED_PIN_LEN },
			.iv = { sealed.iv, DDI_CRED_IV_LEN },
			.nonce = { sealed.nonce, DDI_CRED_NONCE_LEN },
			.tag = { sealed.tag, DDI_CRED_TAG_LEN },
		},
		.pub_key = { { sealed.host_pub, DDI_P384_RAW_PUB_LEN },
			     DDI_KEY_KIND_ECC384_PUBLIC },
		.masked_bk3 = { keys->masked_bk3, (uint16_t)keys->masked_bk3_len },
		.bmk = { p->bmk, (uint16_t)p->bmk_len },
		.pota_sig = { pota_sig, sizeof(pota_sig) },
		.pota_pub_key = { { pota_pub, sizeof(pota_pub) },
				  DDI_KEY_KIND_ECC384_PUBLIC },
	};
	ret = lib_ddi_call_locked(dev, &call);
	if (ret)
		return ret;
	if (!resp.bmk.len || resp.bmk.len > DDI_BLOB_MAX)
		return lib_err_set(AZIHSM_ERR_MALFORMED);
	memcpy(keys->bmk, resp.bmk.ptr, resp.bmk.len);
	keys->bmk_len = resp.bmk.len;
	return AZIHSM_OK;
}

int azihsm_partition_init(struct azihsm_dev *dev,
			  const struct azihsm_partition_params *params,
			  struct azihsm_partition_keys *keys)
{
	struct azihsm_partition_params in;
	uint8_t bmk[DDI_BLOB_MAX];
	EVP_PKEY *pota_key = NULL;
	int ret;

	lib_err_reset();
	if (!dev || !params || !keys || !params_valid(params))
		return lib_err_set(AZIHSM_ERR_INVALID_ARG);
	/*
	 * The blobs may come from the keys of an earlier call, even the very
	 * struct that receives the new ones: take copies first.
	 */
	in = *params;
	params = &in;
	if (in.bmk_len) {
		memcpy(bmk, in.bmk, in.bmk_len);
		in.bmk = bmk;
	}
	if (in.masked_bk3)
		memmove(keys->masked_bk3, in.masked_bk3, in.masked_bk3_len);
	keys->masked_bk3_len = in.masked_bk3_len;
	keys->bmk_len = 0;
	/* The device refuses these after spending the nonce; spare it. */
	if (all_zero(params->id, DDI_CRED_ID_LEN) ||
	    all_zero(params->pin, DDI_CRED_PIN_LEN))
		return lib_err_set(AZIHSM_ERR_WRONG_PIN);
	/* A bad key file must stop us before InitBk3, which runs only once. */
	if (params->pota_key_file) {
		ret = pota_key_load(params->pota_key_file, &pota_key);
		if (ret)
			return ret;
	}

	pthread_mutex_lock(&dev->lock);
	ret = lib_ensure_api_rev_locked(dev);
	if (!ret && params->bk3)
		ret = init_bk3_locked(dev, params->bk3, keys);
	if (!ret)
		ret = establish_locked(dev, params, pota_key, keys);
	pthread_mutex_unlock(&dev->lock);
	EVP_PKEY_free(pota_key);
	explicit_bzero(bmk, sizeof(bmk));
	/* keys->masked_bk3 stays set on failure: InitBk3 cannot be repeated. */
	if (ret)
		keys->bmk_len = 0;
	return ret;
}
