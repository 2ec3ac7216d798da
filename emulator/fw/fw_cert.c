// SPDX-License-Identifier: MIT
/*
 * The device certificate chain (ddi.md 3.3.3, 3.3.4, 7.12): GetCertChainInfo
 * and GetCertificate.
 *
 * There is no platform to supply a device identity chain, so the core makes
 * the three-certificate chain of 7.12.3 itself: a self-signed root CA, an
 * alias CA issued by the root, and the partition identity (PID) certificate
 * of 7.12.2 issued by the alias, whose key is the partition identity key.
 * Like the FW, the chain is built by the first GetCertChainInfo and cached;
 * the root and alias keys are dropped once they have signed, as nothing
 * else uses them.
 */
#include <string.h>

#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/sha.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "fw_internal.h"

enum { FW_CERT_ROOT, FW_CERT_ALIAS, FW_CERT_PID };

/* The serial number is 20 bytes, as in the PID template (7.12.2). */
#define CERT_SERIAL_LEN		20
/* The alias subject CN is a 64-character string (7.12.1). */
#define ALIAS_CN_LEN		(2 * SHA256_DIGEST_LENGTH)

/* Validity of every certificate of the chain: the PID template's. */
static const char cert_not_before[] = "20230101000000Z";
static const char cert_not_after[] = "99991231235959Z";

static const char root_cn[] = "AziHSM Emulator Root CA";

/* What distinguishes one certificate of the chain from another. */
struct cert_profile {
	bool ca;
	int path_len;			/* -1: no pathLenConstraint */
	int key_usage[2];		/* KU bit numbers, -1 terminated */
};

static const struct cert_profile cert_profiles[FW_CERT_CHAIN_LEN] = {
	/* keyCertSign (5), cRLSign (6). */
	[FW_CERT_ROOT] = { .ca = true, .path_len = -1, .key_usage = { 5, 6 } },
	/* Only end-entity certificates below the alias. */
	[FW_CERT_ALIAS] = { .ca = true, .path_len = 0, .key_usage = { 5, -1 } },
	/* 7.12.2: cA absent, pathLenConstraint 0, digitalSignature (0). */
	[FW_CERT_PID] = { .ca = false, .path_len = 0, .key_usage = { 0, -1 } },
};

/* Uppercase hexadecimal, as the PID subject CN (7.12.2). */
static void hex_upper(char *dst, const uint8_t *src, size_t len)
{
	static const char digits[] = "0123456789ABCDEF";
	size_t i;

	for (i = 0; i < len; i++) {
		dst[2 * i] = digits[src[i] >> 4];
		dst[2 * i + 1] = digits[src[i] & 0xf];
	}
}

/* A name of one RDN holding a UTF8String CN, as the PID template has. */
static X509_NAME *name_cn(const char *cn, size_t len)
{
	X509_NAME *name = X509_NAME_new();

	if (name && !X509_NAME_add_entry_by_NID(name, NID_commonName, V_ASN1_UTF8STRING,
						(const unsigned char *)cn, (int)len, -1, 0)) {
		X509_NAME_free(name);
		return NULL;
	}
	return name;
}

/* Positive with a non-zero leading byte, as 7.12.2 patches it. */
static bool set_serial(X509 *x)
{
	uint8_t serial[CERT_SERIAL_LEN];

	if (ddi_random(serial, sizeof(serial)))
		return false;
	serial[0] = (uint8_t)((serial[0] & 0x7f) | 0x01);
	return ASN1_STRING_set(X509_get_serialNumber(x), serial, sizeof(serial));
}

/* Both times as GeneralizedTime, which the template uses even for 2023. */
static bool set_validity(X509 *x)
{
	ASN1_GENERALIZEDTIME *t = ASN1_GENERALIZEDTIME_new();
	bool ok;

	ok = t && ASN1_GENERALIZEDTIME_set_string(t, cert_not_before) &&
	     X509_set1_notBefore(x, t) &&
	     ASN1_GENERALIZEDTIME_set_string(t, cert_not_after) &&
	     X509_set1_notAfter(x, t);
	ASN1_GENERALIZEDTIME_free(t);
	return ok;
}

static bool add_basic_constraints(X509 *x, const struct cert_profile *p)
{
	BASIC_CONSTRAINTS *bc = BASIC_CONSTRAINTS_new();
	bool ok = false;

	if (!bc)
		return false;
	bc->ca = p->ca ? 0xff : 0;
	if (p->path_len >= 0 &&
	    (!(bc->pathlen = ASN1_INTEGER_new()) ||
	     !ASN1_INTEGER_set(bc->pathlen, p->path_len)))
		goto out;
	ok = X509_add1_ext_i2d(x, NID_basic_constraints, bc, 1, 0) == 1;
out:
	BASIC_CONSTRAINTS_free(bc);
	return ok;
}

static bool add_key_usage(X509 *x, const struct cert_profile *p)
{
	ASN1_BIT_STRING *ku = ASN1_BIT_STRING_new();
	bool ok = ku != NULL;
	size_t i;

	for (i = 0; ok && i < sizeof(p->key_usage) / sizeof(p->key_usage[0]); i++)
		if (p->key_usage[i] >= 0)
			ok = ASN1_BIT_STRING_set_bit(ku, p->key_usage[i], 1);
	ok = ok && X509_add1_ext_i2d(x, NID_key_usage, ku, 1, 0) == 1;
	ASN1_BIT_STRING_free(ku);
	return ok;
}

static bool add_octet_string_ext(X509 *x, int nid, const unsigned char *data, int len)
{
	ASN1_OCTET_STRING *os = ASN1_OCTET_STRING_new();
	bool ok;

	ok = os && ASN1_OCTET_STRING_set(os, data, len) &&
	     X509_add1_ext_i2d(x, nid, os, 0, 0) == 1;
	ASN1_OCTET_STRING_free(os);
	return ok;
}

/*
 * subjectKeyIdentifier: SHA-1 of the subject public key bits (04 || X || Y,
 * 7.12.2); authorityKeyIdentifier: keyIdentifier only, the issuer's
 * subjectKeyIdentifier, or this certificate's own when self-signed.
 */
static bool add_key_ids(X509 *x, X509 *issuer)
{
	unsigned char ski[SHA_DIGEST_LENGTH];
	unsigned int ski_len;
	const ASN1_OCTET_STRING *issuer_ski;
	AUTHORITY_KEYID *akid;
	bool ok;

	if (!X509_pubkey_digest(x, EVP_sha1(), ski, &ski_len) ||
	    !add_octet_string_ext(x, NID_subject_key_identifier, ski, (int)ski_len))
		return false;
	if (!(akid = AUTHORITY_KEYID_new()))
		return false;
	if (issuer) {
		issuer_ski = X509_get0_subject_key_id(issuer);
		ok = issuer_ski && (akid->keyid = ASN1_OCTET_STRING_dup(issuer_ski));
	} else {
		ok = (akid->keyid = ASN1_OCTET_STRING_new()) &&
		     ASN1_OCTET_STRING_set(akid->keyid, ski, (int)ski_len);
	}
	ok = ok && X509_add1_ext_i2d(x, NID_authority_key_identifier, akid, 0, 0) == 1;
	AUTHORITY_KEYID_free(akid);
	return ok;
}

/*
 * One X.509 v3 certificate for key named subject, signed ecdsa-with-SHA384
 * by issuer_key; issuer NULL makes it self-signed.  Fields and extensions
 * are added in the order of the PID template so that the PID certificate
 * comes out byte for byte in the layout of 7.12.2.
 */
static X509 *cert_build(const struct cert_profile *p, EVP_PKEY *key,
			const X509_NAME *subject, X509 *issuer, EVP_PKEY *issuer_key)
{
	X509 *x = X509_new();

	if (!x)
		return NULL;
	if (!X509_set_version(x, X509_VERSION_3) || !set_serial(x) ||
	    !X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : subject) ||
	    !set_validity(x) || !X509_set_subject_name(x, subject) ||
	    !X509_set_pubkey(x, key) || !add_basic_constraints(x, p) ||
	    !add_key_usage(x, p) || !add_key_ids(x, issuer) ||
	    !X509_sign(x, issuer_key, EVP_sha384())) {
		X509_free(x);
		return NULL;
	}
	return x;
}

/* Build the certificate, store its DER as chain entry idx. */
static X509 *chain_add(struct fw_cert_chain *c, unsigned int idx, EVP_PKEY *key,
		       const char *cn, size_t cn_len, X509 *issuer, EVP_PKEY *issuer_key)
{
	X509_NAME *subject = name_cn(cn, cn_len);
	X509 *x = subject ? cert_build(&cert_profiles[idx], key, subject, issuer,
				       issuer_key) : NULL;
	unsigned char *p = c->der[idx];
	int len;

	X509_NAME_free(subject);
	if (!x)
		return NULL;
	/* Measure first: i2d_X509 would write past a too small buffer. */
	len = i2d_X509(x, NULL);
	if (len <= 0 || len > DDI_CERT_MAX || i2d_X509(x, &p) != len) {
		X509_free(x);
		return NULL;
	}
	c->len[idx] = (uint16_t)len;
	return x;
}

/* SHA-256(H_dev || SHA-256(alias) || SHA-256(PID)), H_dev = SHA-256(root). */
static bool chain_thumbprint(struct fw_cert_chain *c)
{
	uint8_t hashes[FW_CERT_CHAIN_LEN][SHA256_DIGEST_LENGTH];
	unsigned int i;

	for (i = 0; i < FW_CERT_CHAIN_LEN; i++)
		if (!EVP_Digest(c->der[i], c->len[i], hashes[i], NULL, EVP_sha256(), NULL))
			return false;
	return EVP_Digest(hashes, sizeof(hashes), c->thumbprint, NULL, EVP_sha256(),
			  NULL);
}

static uint32_t chain_build(struct azihsm_fw *fw)
{
	struct fw_cert_chain *c = &fw->certs;
	uint8_t alias_point[DDI_P384_POINT_LEN], alias_digest[SHA256_DIGEST_LENGTH];
	char alias_cn[ALIAS_CN_LEN], pid_cn[2 * FW_PARTITION_ID_LEN];
	EVP_PKEY *root_key = ddi_p384_generate();
	EVP_PKEY *alias_key = ddi_p384_generate();
	X509 *root = NULL, *alias = NULL, *pid = NULL;
	bool ok;

	/*
	 * The alias CN stands for a device identifier of 64 characters; the
	 * SHA-256 of the alias key in hex is one that names this device.
	 */
	ok = root_key && alias_key && fw->identity_key &&
	     !ddi_p384_public_point(alias_key, alias_point) &&
	     EVP_Digest(alias_point, sizeof(alias_point), alias_digest, NULL,
			EVP_sha256(), NULL) &&
	     !ddi_random(c->partition_id, sizeof(c->partition_id));
	if (ok) {
		hex_upper(alias_cn, alias_digest, sizeof(alias_digest));
		hex_upper(pid_cn, c->partition_id, sizeof(c->partition_id));
		ok = (root = chain_add(c, FW_CERT_ROOT, root_key, root_cn,
				       sizeof(root_cn) - 1, NULL, root_key)) &&
		     (alias = chain_add(c, FW_CERT_ALIAS, alias_key, alias_cn,
					sizeof(alias_cn), root, root_key)) &&
		     (pid = chain_add(c, FW_CERT_PID, fw->identity_key, pid_cn,
				      sizeof(pid_cn), alias, alias_key)) &&
		     chain_thumbprint(c);
	}
	X509_free(pid);
	X509_free(alias);
	X509_free(root);
	ddi_pkey_free(alias_key);
	ddi_pkey_free(root_key);
	if (!ok) {
		memset(c, 0, sizeof(*c));
		return AZIHSM_DDI_STATUS_PARTITION_CERT_GENERATION_FAILED;
	}
	c->built = true;
	return AZIHSM_DDI_STATUS_SUCCESS;
}

uint32_t fw_op_get_cert_chain_info(struct azihsm_fw *fw, struct fw_request *rq,
				   const union fw_req_data *req,
				   union fw_resp_data *resp)
{
	struct ddi_get_cert_chain_info_resp *r = &resp->get_cert_chain_info;
	uint32_t status;

	(void)rq;
	if (req->get_cert_chain_info.slot_id != DDI_CERT_SLOT_ID)
		return AZIHSM_DDI_STATUS_INVALID_ARG;
	if (!fw->certs.built && (status = chain_build(fw)))
		return status;
	r->num_certs = FW_CERT_CHAIN_LEN;
	r->thumbprint = (struct mbor_bytes){ fw->certs.thumbprint,
					     sizeof(fw->certs.thumbprint) };
	return AZIHSM_DDI_STATUS_SUCCESS;
}

/*
 * As on the FW, a certificate can only be read once GetCertChainInfo has
 * cached the chain; until then, as for an index past the end, the chain
 * has no such certificate.
 */
uint32_t fw_op_get_certificate(struct azihsm_fw *fw, struct fw_request *rq,
			       const union fw_req_data *req,
			       union fw_resp_data *resp)
{
	const struct ddi_get_certificate_req *q = &req->get_certificate;

	(void)rq;
	if (q->slot_id != DDI_CERT_SLOT_ID)
		return AZIHSM_DDI_STATUS_INVALID_ARG;
	if (!fw->certs.built || q->cert_id >= FW_CERT_CHAIN_LEN)
		return AZIHSM_DDI_STATUS_INVALID_CERTIFICATE;
	resp->get_certificate.certificate =
		(struct mbor_bytes){ fw->certs.der[q->cert_id],
				     fw->certs.len[q->cert_id] };
	return AZIHSM_DDI_STATUS_SUCCESS;
}
