// SPDX-License-Identifier: MIT
/*
 * DDI envelope and message schemas (spec/ddi.md sections 2 and 3), plus
 * the opcode and status name tables derived from azihsm/ddi.h.
 */
#include <pthread.h>

#include "azihsm/ddi_msg.h"

/* ---- Schemas ---- */

MBOR_SCHEMA(ddi_api_rev_schema, struct ddi_api_rev,
	MBOR_REQ(struct ddi_api_rev, major, 1, MBOR_U32, 0, NULL),
	MBOR_REQ(struct ddi_api_rev, minor, 2, MBOR_U32, 0, NULL));

MBOR_SCHEMA(ddi_req_hdr_schema, struct ddi_req_hdr,
	MBOR_OPT(struct ddi_req_hdr, rev, has_rev, 1, MBOR_MAP, 0,
		 &ddi_api_rev_schema),
	MBOR_REQ(struct ddi_req_hdr, op, 2, MBOR_U32, 0, NULL),
	MBOR_OPT(struct ddi_req_hdr, sess_id, has_sess_id, 3, MBOR_U16, 0,
		 NULL));

MBOR_SCHEMA(ddi_resp_hdr_schema, struct ddi_resp_hdr,
	MBOR_OPT(struct ddi_resp_hdr, rev, has_rev, 1, MBOR_MAP, 0,
		 &ddi_api_rev_schema),
	MBOR_REQ(struct ddi_resp_hdr, op, 2, MBOR_U32, 0, NULL),
	MBOR_OPT(struct ddi_resp_hdr, sess_id, has_sess_id, 3, MBOR_U16, 0,
		 NULL),
	MBOR_REQ(struct ddi_resp_hdr, status, 4, MBOR_U32, 0, NULL),
	MBOR_REQ(struct ddi_resp_hdr, fips_approved, 5, MBOR_BOOL, 0, NULL));

MBOR_EMPTY_SCHEMA(ddi_empty_schema, struct ddi_empty);

MBOR_SCHEMA(ddi_get_api_rev_resp_schema, struct ddi_get_api_rev_resp,
	MBOR_REQ(struct ddi_get_api_rev_resp, min, 1, MBOR_MAP, 0,
		 &ddi_api_rev_schema),
	MBOR_REQ(struct ddi_get_api_rev_resp, max, 2, MBOR_MAP, 0,
		 &ddi_api_rev_schema));

MBOR_SCHEMA(ddi_get_device_info_resp_schema, struct ddi_get_device_info_resp,
	MBOR_REQ(struct ddi_get_device_info_resp, kind, 1, MBOR_U32, 0, NULL),
	MBOR_REQ(struct ddi_get_device_info_resp, tables, 2, MBOR_U8, 0, NULL),
	MBOR_REQ(struct ddi_get_device_info_resp, fips_approved, 3, MBOR_BOOL,
		 0, NULL));

MBOR_SCHEMA(ddi_get_cert_chain_info_req_schema, struct ddi_get_cert_chain_info_req,
	MBOR_REQ(struct ddi_get_cert_chain_info_req, slot_id, 1, MBOR_U8, 0, NULL));

/*
 * thumbprint is declared bytes<=32 (3.3.3) but is always a SHA-256 value
 * (8.2: exactly 32); the decoder accepts the declared form, callers check
 * the length.
 */
MBOR_SCHEMA(ddi_get_cert_chain_info_resp_schema, struct ddi_get_cert_chain_info_resp,
	MBOR_REQ(struct ddi_get_cert_chain_info_resp, num_certs, 1, MBOR_U8, 0, NULL),
	MBOR_REQ(struct ddi_get_cert_chain_info_resp, thumbprint, 2, MBOR_BYTES,
		 DDI_THUMBPRINT_LEN, NULL));

MBOR_SCHEMA(ddi_get_certificate_req_schema, struct ddi_get_certificate_req,
	MBOR_REQ(struct ddi_get_certificate_req, slot_id, 1, MBOR_U8, 0, NULL),
	MBOR_REQ(struct ddi_get_certificate_req, cert_id, 2, MBOR_U8, 0, NULL));

MBOR_SCHEMA(ddi_get_certificate_resp_schema, struct ddi_get_certificate_resp,
	MBOR_REQ(struct ddi_get_certificate_resp, certificate, 1, MBOR_BYTES,
		 DDI_CERT_MAX, NULL));

MBOR_SCHEMA(ddi_public_key_schema, struct ddi_public_key,
	MBOR_REQ(struct ddi_public_key, der, 1, MBOR_BYTES, DDI_PUBLIC_KEY_MAX, NULL),
	MBOR_REQ(struct ddi_public_key, key_kind, 2, MBOR_U32, 0, NULL));

MBOR_SCHEMA(ddi_cred_key_resp_schema, struct ddi_cred_key_resp,
	MBOR_REQ(struct ddi_cred_key_resp, pub_key, 1, MBOR_MAP, 0,
		 &ddi_public_key_schema),
	MBOR_REQ(struct ddi_cred_key_resp, nonce, 2, MBOR_FIXED_BYTES, 32, NULL),
	MBOR_REQ(struct ddi_cred_key_resp, pub_key_signature, 3, MBOR_BYTES,
		 192, NULL));

/*
 * The credential structs declare iv as bytes<=16 with an exact-length
 * check by the FW (3.2.3); 8.2 lists it as bytes[16].  3.2.3 is the
 * definition the FW's InvalidArg length check implies, so it wins here.
 */
MBOR_SCHEMA(ddi_encrypted_establish_cred_schema, struct ddi_encrypted_establish_cred,
	MBOR_REQ(struct ddi_encrypted_establish_cred, encrypted_id, 1, MBOR_BYTES,
		 16, NULL),
	MBOR_REQ(struct ddi_encrypted_establish_cred, encrypted_pin, 2, MBOR_BYTES,
		 16, NULL),
	MBOR_REQ(struct ddi_encrypted_establish_cred, iv, 3, MBOR_BYTES, 16, NULL),
	MBOR_REQ(struct ddi_encrypted_establish_cred, nonce, 4, MBOR_FIXED_BYTES,
		 32, NULL),
	MBOR_REQ(struct ddi_encrypted_establish_cred, tag, 5, MBOR_FIXED_BYTES,
		 48, NULL));

MBOR_SCHEMA(ddi_establish_credential_req_schema, struct ddi_establish_credential_req,
	MBOR_REQ(struct ddi_establish_credential_req, encrypted_credential, 1,
		 MBOR_MAP, 0, &ddi_encrypted_establish_cred_schema),
	MBOR_REQ(struct ddi_establish_credential_req, pub_key, 2, MBOR_MAP, 0,
		 &ddi_public_key_schema),
	MBOR_REQ(struct ddi_establish_credential_req, masked_bk3, 3, MBOR_BYTES,
		 DDI_BLOB_MAX, NULL),
	MBOR_REQ(struct ddi_establish_credential_req, bmk, 4, MBOR_BYTES,
		 DDI_BLOB_MAX, NULL),
	MBOR_REQ(struct ddi_establish_credential_req, masked_unwrapping_key, 5,
		 MBOR_BYTES, DDI_BLOB_MAX, NULL),
	MBOR_REQ(struct ddi_establish_credential_req, pota_sig, 6, MBOR_BYTES,
		 DDI_BLOB_MAX, NULL),
	MBOR_REQ(struct ddi_establish_credential_req, pota_pub_key, 7, MBOR_MAP, 0,
		 &ddi_public_key_schema));

MBOR_SCHEMA(ddi_establish_credential_resp_schema, struct ddi_establish_credential_resp,
	MBOR_REQ(struct ddi_establish_credential_resp, bmk, 1, MBOR_BYTES,
		 DDI_BLOB_MAX, NULL));

MBOR_SCHEMA(ddi_encrypted_session_cred_schema, struct ddi_encrypted_session_cred,
	MBOR_REQ(struct ddi_encrypted_session_cred, encrypted_id, 1, MBOR_BYTES,
		 16, NULL),
	MBOR_REQ(struct ddi_encrypted_session_cred, encrypted_pin, 2, MBOR_BYTES,
		 16, NULL),
	MBOR_REQ(struct ddi_encrypted_session_cred, encrypted_seed, 3, MBOR_BYTES,
		 48, NULL),
	MBOR_REQ(struct ddi_encrypted_session_cred, iv, 4, MBOR_BYTES, 16, NULL),
	MBOR_REQ(struct ddi_encrypted_session_cred, nonce, 5, MBOR_FIXED_BYTES,
		 32, NULL),
	MBOR_REQ(struct ddi_encrypted_session_cred, tag, 6, MBOR_FIXED_BYTES,
		 48, NULL));

MBOR_SCHEMA(ddi_open_session_req_schema, struct ddi_open_session_req,
	MBOR_REQ(struct ddi_open_session_req, encrypted_credential, 1, MBOR_MAP,
		 0, &ddi_encrypted_session_cred_schema),
	MBOR_REQ(struct ddi_open_session_req, pub_key, 2, MBOR_MAP, 0,
		 &ddi_public_key_schema));

MBOR_SCHEMA(ddi_open_session_resp_schema, struct ddi_open_session_resp,
	MBOR_REQ(struct ddi_open_session_resp, sess_id, 1, MBOR_U16, 0, NULL),
	MBOR_REQ(struct ddi_open_session_resp, short_app_id, 2, MBOR_U8, 0, NULL),
	MBOR_REQ(struct ddi_open_session_resp, bmk_session, 3, MBOR_BYTES,
		 DDI_BLOB_MAX, NULL));

MBOR_SCHEMA(ddi_reopen_session_req_schema, struct ddi_reopen_session_req,
	MBOR_REQ(struct ddi_reopen_session_req, encrypted_credential, 1, MBOR_MAP,
		 0, &ddi_encrypted_session_cred_schema),
	MBOR_REQ(struct ddi_reopen_session_req, pub_key, 2, MBOR_MAP, 0,
		 &ddi_public_key_schema),
	MBOR_REQ(struct ddi_reopen_session_req, bmk_session, 3, MBOR_BYTES,
		 DDI_BLOB_MAX, NULL));

MBOR_SCHEMA(ddi_encrypted_pin_schema, struct ddi_encrypted_pin,
	MBOR_REQ(struct ddi_encrypted_pin, encrypted_pin, 2, MBOR_BYTES, 16, NULL),
	MBOR_REQ(struct ddi_encrypted_pin, iv, 3, MBOR_BYTES, 16, NULL),
	MBOR_REQ(struct ddi_encrypted_pin, nonce, 4, MBOR_FIXED_BYTES, 32, NULL),
	MBOR_REQ(struct ddi_encrypted_pin, tag, 5, MBOR_FIXED_BYTES, 48, NULL));

MBOR_SCHEMA(ddi_change_pin_req_schema, struct ddi_change_pin_req,
	MBOR_REQ(struct ddi_change_pin_req, new_pin, 1, MBOR_MAP, 0,
		 &ddi_encrypted_pin_schema),
	MBOR_REQ(struct ddi_change_pin_req, pub_key, 2, MBOR_MAP, 0,
		 &ddi_public_key_schema));

MBOR_SCHEMA(ddi_init_bk3_req_schema, struct ddi_init_bk3_req,
	MBOR_REQ(struct ddi_init_bk3_req, bk3, 1, MBOR_BYTES, DDI_BK3_LEN, NULL));

MBOR_SCHEMA(ddi_init_bk3_resp_schema, struct ddi_init_bk3_resp,
	MBOR_REQ(struct ddi_init_bk3_resp, masked_bk3, 1, MBOR_BYTES,
		 DDI_BLOB_MAX, NULL),
	MBOR_REQ(struct ddi_init_bk3_resp, vm_launch_guid, 2, MBOR_FIXED_BYTES,
		 DDI_VM_LAUNCH_GUID_LEN, NULL));

MBOR_SCHEMA(ddi_sealed_bk3_schema, struct ddi_sealed_bk3,
	MBOR_REQ(struct ddi_sealed_bk3, sealed_bk3, 1, MBOR_BYTES, DDI_BLOB_MAX,
		 NULL));

MBOR_SCHEMA(ddi_key_metadata_schema, struct ddi_key_metadata,
	MBOR_REQ(struct ddi_key_metadata, blob, 1, MBOR_FIXED_BYTES,
		 DDI_KEY_META_LEN, NULL));

MBOR_SCHEMA(ddi_key_properties_schema, struct ddi_key_properties,
	MBOR_REQ(struct ddi_key_properties, key_metadata, 1, MBOR_MAP, 0,
		 &ddi_key_metadata_schema),
	MBOR_REQ(struct ddi_key_properties, key_label, 2, MBOR_BYTES,
		 DDI_KEY_LABEL_MAX_LEN, NULL));

MBOR_SCHEMA(ddi_delete_key_req_schema, struct ddi_delete_key_req,
	MBOR_REQ(struct ddi_delete_key_req, key_id, 1, MBOR_U16, 0, NULL));

MBOR_SCHEMA(ddi_open_key_req_schema, struct ddi_open_key_req,
	MBOR_REQ(struct ddi_open_key_req, key_tag, 1, MBOR_U16, 0, NULL));

MBOR_SCHEMA(ddi_open_key_resp_schema, struct ddi_open_key_resp,
	MBOR_REQ(struct ddi_open_key_resp, key_id, 1, MBOR_U16, 0, NULL),
	MBOR_REQ(struct ddi_open_key_resp, key_kind, 2, MBOR_U32, 0, NULL),
	MBOR_OPT(struct ddi_open_key_resp, pub_key, has_pub_key, 3, MBOR_MAP, 0,
		 &ddi_public_key_schema),
	MBOR_OPT(struct ddi_open_key_resp, bulk_key_id, has_bulk_key_id, 4,
		 MBOR_U16, 0, NULL));

MBOR_SCHEMA(ddi_ecc_generate_req_schema, struct ddi_ecc_generate_req,
	MBOR_REQ(struct ddi_ecc_generate_req, curve, 1, MBOR_U32, 0, NULL),
	MBOR_OPT(struct ddi_ecc_generate_req, key_tag, has_key_tag, 2, MBOR_U16,
		 0, NULL),
	MBOR_REQ(struct ddi_ecc_generate_req, key_properties, 3, MBOR_MAP, 0,
		 &ddi_key_properties_schema));

MBOR_SCHEMA(ddi_ecc_generate_resp_schema, struct ddi_ecc_generate_resp,
	MBOR_REQ(struct ddi_ecc_generate_resp, private_key_id, 1, MBOR_U16, 0,
		 NULL),
	MBOR_OPT(struct ddi_ecc_generate_resp, pub_key, has_pub_key, 2, MBOR_MAP,
		 0, &ddi_public_key_schema),
	MBOR_REQ(struct ddi_ecc_generate_resp, masked_key, 3, MBOR_BYTES,
		 DDI_MASKED_KEY_MAX, NULL));

MBOR_SCHEMA(ddi_ecc_sign_req_schema, struct ddi_ecc_sign_req,
	MBOR_REQ(struct ddi_ecc_sign_req, key_id, 1, MBOR_U16, 0, NULL),
	MBOR_REQ(struct ddi_ecc_sign_req, digest, 2, MBOR_BYTES,
		 DDI_ECC_DIGEST_MAX, NULL),
	MBOR_REQ(struct ddi_ecc_sign_req, digest_algo, 3, MBOR_U32, 0, NULL));

MBOR_SCHEMA(ddi_ecc_sign_resp_schema, struct ddi_ecc_sign_resp,
	MBOR_REQ(struct ddi_ecc_sign_resp, signature, 1, MBOR_BYTES,
		 DDI_ECC_SIG_MAX, NULL));

MBOR_SCHEMA(ddi_ecdh_req_schema, struct ddi_ecdh_req,
	MBOR_REQ(struct ddi_ecdh_req, priv_key_id, 1, MBOR_U16, 0, NULL),
	MBOR_REQ(struct ddi_ecdh_req, pub_key_der, 2, MBOR_BYTES,
		 DDI_ECDH_PUB_MAX, NULL),
	MBOR_REQ(struct ddi_ecdh_req, key_type, 3, MBOR_U32, 0, NULL),
	MBOR_OPT(struct ddi_ecdh_req, key_tag, has_key_tag, 4, MBOR_U16, 0, NULL),
	MBOR_REQ(struct ddi_ecdh_req, key_properties, 5, MBOR_MAP, 0,
		 &ddi_key_properties_schema));

MBOR_SCHEMA(ddi_new_key_resp_schema, struct ddi_new_key_resp,
	MBOR_REQ(struct ddi_new_key_resp, key_id, 1, MBOR_U16, 0, NULL),
	MBOR_REQ(struct ddi_new_key_resp, masked_key, 2, MBOR_BYTES,
		 DDI_MASKED_KEY_MAX, NULL));

MBOR_SCHEMA(ddi_aes_generate_req_schema, struct ddi_aes_generate_req,
	MBOR_REQ(struct ddi_aes_generate_req, key_size, 1, MBOR_U32, 0, NULL),
	MBOR_OPT(struct ddi_aes_generate_req, key_tag, has_key_tag, 2, MBOR_U16,
		 0, NULL),
	MBOR_REQ(struct ddi_aes_generate_req, key_properties, 3, MBOR_MAP, 0,
		 &ddi_key_properties_schema));

MBOR_SCHEMA(ddi_aes_generate_resp_schema, struct ddi_aes_generate_resp,
	MBOR_REQ(struct ddi_aes_generate_resp, key_id, 1, MBOR_U16, 0, NULL),
	MBOR_OPT(struct ddi_aes_generate_resp, bulk_key_id, has_bulk_key_id, 2,
		 MBOR_U16, 0, NULL),
	MBOR_REQ(struct ddi_aes_generate_resp, masked_key, 3, MBOR_BYTES,
		 DDI_MASKED_KEY_MAX, NULL));

MBOR_SCHEMA(ddi_aes_cbc_req_schema, struct ddi_aes_cbc_req,
	MBOR_REQ(struct ddi_aes_cbc_req, key_id, 1, MBOR_U16, 0, NULL),
	MBOR_REQ(struct ddi_aes_cbc_req, op, 2, MBOR_U32, 0, NULL),
	MBOR_REQ(struct ddi_aes_cbc_req, msg, 3, MBOR_BYTES, DDI_AES_MSG_MAX,
		 NULL),
	MBOR_REQ(struct ddi_aes_cbc_req, iv, 4, MBOR_BYTES, DDI_AES_IV_LEN, NULL));

MBOR_SCHEMA(ddi_aes_cbc_resp_schema, struct ddi_aes_cbc_resp,
	MBOR_REQ(struct ddi_aes_cbc_resp, msg, 1, MBOR_BYTES, DDI_AES_MSG_MAX,
		 NULL),
	MBOR_REQ(struct ddi_aes_cbc_resp, iv, 2, MBOR_BYTES, DDI_AES_IV_LEN, NULL));

MBOR_SCHEMA(ddi_kdf_req_schema, struct ddi_kdf_req,
	MBOR_REQ(struct ddi_kdf_req, key_id, 1, MBOR_U16, 0, NULL),
	MBOR_REQ(struct ddi_kdf_req, hash_algorithm, 2, MBOR_U32, 0, NULL),
	MBOR_OPT(struct ddi_kdf_req, param3, has_param3, 3, MBOR_BYTES,
		 DDI_KDF_PARAM_MAX, NULL),
	MBOR_OPT(struct ddi_kdf_req, param4, has_param4, 4, MBOR_BYTES,
		 DDI_KDF_PARAM_MAX, NULL),
	MBOR_REQ(struct ddi_kdf_req, key_type, 5, MBOR_U32, 0, NULL),
	MBOR_OPT(struct ddi_kdf_req, key_tag, has_key_tag, 6, MBOR_U16, 0, NULL),
	MBOR_REQ(struct ddi_kdf_req, key_properties, 7, MBOR_MAP, 0,
		 &ddi_key_properties_schema),
	MBOR_OPT(struct ddi_kdf_req, key_length, has_key_length, 8, MBOR_U8, 0,
		 NULL));

MBOR_SCHEMA(ddi_kdf_resp_schema, struct ddi_kdf_resp,
	MBOR_REQ(struct ddi_kdf_resp, key_id, 1, MBOR_U16, 0, NULL),
	MBOR_REQ(struct ddi_kdf_resp, masked_key, 2, MBOR_BYTES,
		 DDI_MASKED_KEY_MAX, NULL),
	MBOR_OPT(struct ddi_kdf_resp, bulk_key_id, has_bulk_key_id, 3, MBOR_U16,
		 0, NULL));

MBOR_SCHEMA(ddi_hmac_req_schema, struct ddi_hmac_req,
	MBOR_REQ(struct ddi_hmac_req, key_id, 1, MBOR_U16, 0, NULL),
	MBOR_REQ(struct ddi_hmac_req, msg, 2, MBOR_BYTES, DDI_HMAC_MSG_MAX, NULL));

MBOR_SCHEMA(ddi_hmac_resp_schema, struct ddi_hmac_resp,
	MBOR_REQ(struct ddi_hmac_resp, tag, 1, MBOR_BYTES, DDI_HMAC_TAG_MAX, NULL));

MBOR_SCHEMA(ddi_der_import_req_schema, struct ddi_der_import_req,
	MBOR_REQ(struct ddi_der_import_req, der, 1, MBOR_BYTES,
		 DDI_DER_IMPORT_MAX, NULL),
	MBOR_REQ(struct ddi_der_import_req, key_class, 2, MBOR_U32, 0, NULL),
	MBOR_OPT(struct ddi_der_import_req, key_tag, has_key_tag, 3, MBOR_U16, 0,
		 NULL),
	MBOR_REQ(struct ddi_der_import_req, key_properties, 4, MBOR_MAP, 0,
		 &ddi_key_properties_schema));

MBOR_SCHEMA(ddi_der_import_resp_schema, struct ddi_der_import_resp,
	MBOR_REQ(struct ddi_der_import_resp, key_id, 1, MBOR_U16, 0, NULL),
	MBOR_OPT(struct ddi_der_import_resp, pub_key, has_pub_key, 2, MBOR_MAP, 0,
		 &ddi_public_key_schema),
	MBOR_OPT(struct ddi_der_import_resp, bulk_key_id, has_bulk_key_id, 3,
		 MBOR_U16, 0, NULL),
	MBOR_REQ(struct ddi_der_import_resp, key_type, 4, MBOR_U32, 0, NULL),
	MBOR_REQ(struct ddi_der_import_resp, masked_key, 5, MBOR_BYTES,
		 DDI_MASKED_KEY_MAX, NULL));

MBOR_SCHEMA(ddi_unmask_key_req_schema, struct ddi_unmask_key_req,
	MBOR_REQ(struct ddi_unmask_key_req, masked_key, 1, MBOR_BYTES,
		 DDI_MASKED_KEY_MAX, NULL));

MBOR_SCHEMA(ddi_attest_key_req_schema, struct ddi_attest_key_req,
	MBOR_REQ(struct ddi_attest_key_req, key_id, 1, MBOR_U16, 0, NULL),
	MBOR_REQ(struct ddi_attest_key_req, report_data, 2, MBOR_BYTES,
		 DDI_ATTEST_REPORT_DATA_LEN, NULL));

MBOR_SCHEMA(ddi_attest_key_resp_schema, struct ddi_attest_key_resp,
	MBOR_REQ(struct ddi_attest_key_resp, report, 1, MBOR_BYTES,
		 DDI_ATTEST_REPORT_MAX, NULL));

MBOR_SCHEMA(ddi_raw_import_req_schema, struct ddi_raw_import_req,
	MBOR_REQ(struct ddi_raw_import_req, raw, 1, MBOR_BYTES,
		 DDI_DER_IMPORT_MAX, NULL),
	MBOR_REQ(struct ddi_raw_import_req, key_kind, 2, MBOR_U32, 0, NULL),
	MBOR_OPT(struct ddi_raw_import_req, key_tag, has_key_tag, 3, MBOR_U16, 0,
		 NULL),
	MBOR_REQ(struct ddi_raw_import_req, key_properties, 4, MBOR_MAP, 0,
		 &ddi_key_properties_schema));

MBOR_SCHEMA(ddi_raw_import_resp_schema, struct ddi_raw_import_resp,
	MBOR_REQ(struct ddi_raw_import_resp, key_id, 1, MBOR_U16, 0, NULL),
	MBOR_OPT(struct ddi_raw_import_resp, bulk_key_id, has_bulk_key_id, 2,
		 MBOR_U16, 0, NULL),
	MBOR_REQ(struct ddi_raw_import_resp, masked_key, 3, MBOR_BYTES,
		 DDI_MASKED_KEY_MAX, NULL));

MBOR_SCHEMA(ddi_rsa_mod_exp_req_schema, struct ddi_rsa_mod_exp_req,
	MBOR_REQ(struct ddi_rsa_mod_exp_req, key_id, 1, MBOR_U16, 0, NULL),
	MBOR_REQ(struct ddi_rsa_mod_exp_req, y, 2, MBOR_BYTES, DDI_RSA_MAX_BYTES, NULL),
	MBOR_REQ(struct ddi_rsa_mod_exp_req, op_type, 3, MBOR_U32, 0, NULL));

MBOR_SCHEMA(ddi_rsa_mod_exp_resp_schema, struct ddi_rsa_mod_exp_resp,
	MBOR_REQ(struct ddi_rsa_mod_exp_resp, x, 1, MBOR_BYTES, DDI_RSA_MAX_BYTES, NULL));

MBOR_SCHEMA(ddi_get_unwrapping_key_resp_schema, struct ddi_get_unwrapping_key_resp,
	MBOR_REQ(struct ddi_get_unwrapping_key_resp, key_id, 1, MBOR_U16, 0, NULL),
	MBOR_REQ(struct ddi_get_unwrapping_key_resp, pub_key, 2, MBOR_MAP, 0,
		 &ddi_public_key_schema),
	MBOR_REQ(struct ddi_get_unwrapping_key_resp, masked_key, 3, MBOR_BYTES,
		 DDI_BLOB_MAX, NULL));

MBOR_SCHEMA(ddi_rsa_unwrap_req_schema, struct ddi_rsa_unwrap_req,
	MBOR_REQ(struct ddi_rsa_unwrap_req, key_id, 1, MBOR_U16, 0, NULL),
	MBOR_REQ(struct ddi_rsa_unwrap_req, wrapped_blob, 2, MBOR_BYTES,
		 DDI_MASKED_KEY_MAX, NULL),
	MBOR_REQ(struct ddi_rsa_unwrap_req, key_class, 3, MBOR_U32, 0, NULL),
	MBOR_REQ(struct ddi_rsa_unwrap_req, padding, 4, MBOR_U32, 0, NULL),
	MBOR_REQ(struct ddi_rsa_unwrap_req, hash_algorithm, 5, MBOR_U32, 0, NULL),
	MBOR_OPT(struct ddi_rsa_unwrap_req, key_tag, has_key_tag, 6, MBOR_U16, 0,
		 NULL),
	MBOR_REQ(struct ddi_rsa_unwrap_req, key_properties, 7, MBOR_MAP, 0,
		 &ddi_key_properties_schema));

/* ---- Opcode and status tables ---- */

/*
 * Every operation and status name of the spec is the CamelCase form of the
 * X-macro name (GET_API_REV -> GetApiRev, INIT_BK3 -> InitBk3), so the
 * names are derived from azihsm/ddi.h once, at first use, instead of being
 * spelled a second time here.
 */
#define DDI_OP_IDX(name, value, ctrl) DDI_OP_IDX_##name,
enum { AZIHSM_DDI_OPS(DDI_OP_IDX) DDI_NR_OPS };
#undef DDI_OP_IDX

#define DDI_STATUS_IDX(name, value) DDI_STATUS_IDX_##name,
enum { AZIHSM_DDI_STATUSES(DDI_STATUS_IDX) DDI_NR_STATUSES };
#undef DDI_STATUS_IDX

/* Large enough for the longest X-macro name (CamelCase is never longer). */
#define DDI_OP_NAME_MEMBER(name, value, ctrl) char op_##name[sizeof(#name)];
#define DDI_STATUS_NAME_MEMBER(name, value) char st_##name[sizeof(#name)];
union ddi_longest_name {
	AZIHSM_DDI_OPS(DDI_OP_NAME_MEMBER)
	AZIHSM_DDI_STATUSES(DDI_STATUS_NAME_MEMBER)
};
#undef DDI_OP_NAME_MEMBER
#undef DDI_STATUS_NAME_MEMBER
#define DDI_NAME_LEN sizeof(union ddi_longest_name)

static char ddi_op_names[DDI_NR_OPS][DDI_NAME_LEN];
static char ddi_status_names[DDI_NR_STATUSES][DDI_NAME_LEN];

static const char *const ddi_op_upper[DDI_NR_OPS] = {
#define DDI_OP_UPPER(name, value, ctrl) #name,
	AZIHSM_DDI_OPS(DDI_OP_UPPER)
#undef DDI_OP_UPPER
};

static const char *const ddi_status_upper[DDI_NR_STATUSES] = {
#define DDI_STATUS_UPPER(name, value) #name,
	AZIHSM_DDI_STATUSES(DDI_STATUS_UPPER)
#undef DDI_STATUS_UPPER
};

static const uint32_t ddi_status_values[DDI_NR_STATUSES] = {
#define DDI_STATUS_VALUE(name, value) value,
	AZIHSM_DDI_STATUSES(DDI_STATUS_VALUE)
#undef DDI_STATUS_VALUE
};

/*
 * Data schemas of the operations implemented so far; every other opcode
 * has none yet.  Kept apart from the X-macro so that adding an operation
 * is one line here.
 */
static const struct ddi_op_schemas {
	uint32_t op;
	const struct mbor_schema *req;
	const struct mbor_schema *resp;
} ddi_op_schemas[] = {
	{ AZIHSM_DDI_OP_GET_API_REV, &ddi_empty_schema,
	  &ddi_get_api_rev_resp_schema },
	{ AZIHSM_DDI_OP_GET_DEVICE_INFO, &ddi_empty_schema,
	  &ddi_get_device_info_resp_schema },
	{ AZIHSM_DDI_OP_GET_CERT_CHAIN_INFO, &ddi_get_cert_chain_info_req_schema,
	  &ddi_get_cert_chain_info_resp_schema },
	{ AZIHSM_DDI_OP_GET_CERTIFICATE, &ddi_get_certificate_req_schema,
	  &ddi_get_certificate_resp_schema },
	{ AZIHSM_DDI_OP_GET_ESTABLISH_CRED_ENCRYPTION_KEY, &ddi_empty_schema,
	  &ddi_cred_key_resp_schema },
	{ AZIHSM_DDI_OP_ESTABLISH_CREDENTIAL, &ddi_establish_credential_req_schema,
	  &ddi_establish_credential_resp_schema },
	{ AZIHSM_DDI_OP_GET_SESSION_ENCRYPTION_KEY, &ddi_empty_schema,
	  &ddi_cred_key_resp_schema },
	{ AZIHSM_DDI_OP_OPEN_SESSION, &ddi_open_session_req_schema,
	  &ddi_open_session_resp_schema },
	{ AZIHSM_DDI_OP_CLOSE_SESSION, &ddi_empty_schema, &ddi_empty_schema },
	{ AZIHSM_DDI_OP_REOPEN_SESSION, &ddi_reopen_session_req_schema,
	  &ddi_open_session_resp_schema },
	{ AZIHSM_DDI_OP_CHANGE_PIN, &ddi_change_pin_req_schema, &ddi_empty_schema },
	{ AZIHSM_DDI_OP_INIT_BK3, &ddi_init_bk3_req_schema,
	  &ddi_init_bk3_resp_schema },
	{ AZIHSM_DDI_OP_GET_SEALED_BK3, &ddi_empty_schema, &ddi_sealed_bk3_schema },
	{ AZIHSM_DDI_OP_SET_SEALED_BK3, &ddi_sealed_bk3_schema, &ddi_empty_schema },
	{ AZIHSM_DDI_OP_DELETE_KEY, &ddi_delete_key_req_schema, &ddi_empty_schema },
	{ AZIHSM_DDI_OP_OPEN_KEY, &ddi_open_key_req_schema,
	  &ddi_open_key_resp_schema },
	{ AZIHSM_DDI_OP_ECC_GENERATE_KEY_PAIR, &ddi_ecc_generate_req_schema,
	  &ddi_ecc_generate_resp_schema },
	{ AZIHSM_DDI_OP_ECC_SIGN, &ddi_ecc_sign_req_schema,
	  &ddi_ecc_sign_resp_schema },
	{ AZIHSM_DDI_OP_ECDH_KEY_EXCHANGE, &ddi_ecdh_req_schema,
	  &ddi_new_key_resp_schema },
	{ AZIHSM_DDI_OP_AES_GENERATE_KEY, &ddi_aes_generate_req_schema,
	  &ddi_aes_generate_resp_schema },
	{ AZIHSM_DDI_OP_AES_ENCRYPT_DECRYPT, &ddi_aes_cbc_req_schema,
	  &ddi_aes_cbc_resp_schema },
	{ AZIHSM_DDI_OP_HKDF_DERIVE, &ddi_kdf_req_schema, &ddi_kdf_resp_schema },
	{ AZIHSM_DDI_OP_KBKDF_COUNTER_HMAC_DERIVE, &ddi_kdf_req_schema,
	  &ddi_kdf_resp_schema },
	{ AZIHSM_DDI_OP_HMAC, &ddi_hmac_req_schema, &ddi_hmac_resp_schema },
	{ AZIHSM_DDI_OP_DER_KEY_IMPORT, &ddi_der_import_req_schema,
	  &ddi_der_import_resp_schema },
	{ AZIHSM_DDI_OP_RSA_MOD_EXP, &ddi_rsa_mod_exp_req_schema,
	  &ddi_rsa_mod_exp_resp_schema },
	{ AZIHSM_DDI_OP_GET_UNWRAPPING_KEY, &ddi_empty_schema,
	  &ddi_get_unwrapping_key_resp_schema },
	{ AZIHSM_DDI_OP_RSA_UNWRAP, &ddi_rsa_unwrap_req_schema,
	  &ddi_der_import_resp_schema },
	{ AZIHSM_DDI_OP_UNMASK_KEY, &ddi_unmask_key_req_schema,
	  &ddi_der_import_resp_schema },
	{ AZIHSM_DDI_OP_ATTEST_KEY, &ddi_attest_key_req_schema,
	  &ddi_attest_key_resp_schema },
	{ AZIHSM_DDI_OP_RAW_KEY_IMPORT, &ddi_raw_import_req_schema,
	  &ddi_raw_import_resp_schema },
};

/* Names and schemas are filled in by ddi_tables_init(). */
static struct ddi_op_info ddi_ops[DDI_NR_OPS] = {
#define DDI_OP_INFO(name, value, ctrl_) \
	[DDI_OP_IDX_##name] = { .op = (value), .ctrl = (ctrl_) },
	AZIHSM_DDI_OPS(DDI_OP_INFO)
#undef DDI_OP_INFO
};
static pthread_once_t ddi_tables_once = PTHREAD_ONCE_INIT;

static void camel_case(char *dst, const char *upper)
{
	bool word_start = true;

	for (; *upper; upper++) {
		if (*upper == '_') {
			word_start = true;
			continue;
		}
		*dst++ = word_start || *upper < 'A' || *upper > 'Z' ?
			 *upper : (char)(*upper - 'A' + 'a');
		word_start = false;
	}
	*dst = '\0';
}

static void ddi_tables_init(void)
{
	size_t i, j;

	for (i = 0; i < DDI_NR_OPS; i++) {
		camel_case(ddi_op_names[i], ddi_op_upper[i]);
		ddi_ops[i].name = ddi_op_names[i];
		for (j = 0; j < sizeof(ddi_op_schemas) / sizeof(ddi_op_schemas[0]); j++) {
			if (ddi_op_schemas[j].op != ddi_ops[i].op)
				continue;
			ddi_ops[i].req = ddi_op_schemas[j].req;
			ddi_ops[i].resp = ddi_op_schemas[j].resp;
		}
	}
	for (i = 0; i < DDI_NR_STATUSES; i++)
		camel_case(ddi_status_names[i], ddi_status_upper[i]);
}

const struct ddi_op_info *ddi_op_lookup(uint32_t op)
{
	size_t i;

	pthread_once(&ddi_tables_once, ddi_tables_init);
	for (i = 0; i < DDI_NR_OPS; i++)
		if (ddi_ops[i].op == op)
			return &ddi_ops[i];
	return NULL;
}

const char *ddi_op_name(uint32_t op)
{
	const struct ddi_op_info *info = ddi_op_lookup(op);

	return info ? info->name : "unknown";
}

const char *ddi_status_name(uint32_t status)
{
	size_t i;

	pthread_once(&ddi_tables_once, ddi_tables_init);
	for (i = 0; i < DDI_NR_STATUSES; i++)
		if (ddi_status_values[i] == status)
			return ddi_status_names[i];
	return NULL;
}

/* ---- Envelope ---- */

#define DDI_ENVELOPE_ENTRIES	2
#define DDI_KEY_HDR		0
#define DDI_KEY_DATA		1

static int encode_envelope(const struct mbor_schema *hdr_schema, const void *hdr,
			   const struct mbor_schema *data_schema, const void *data,
			   uint8_t *buf, size_t cap, size_t *len)
{
	struct mbor_enc e;

	if (!hdr || !len)
		return -1;
	if (!data_schema)
		data_schema = &ddi_empty_schema;
	if (!data && data_schema->nfields)
		return -1;
	mbor_enc_init(&e, buf, cap);
	mbor_put_map(&e, DDI_ENVELOPE_ENTRIES);
	mbor_put_key(&e, DDI_KEY_HDR);
	mbor_encode(&e, hdr_schema, hdr);
	mbor_put_key(&e, DDI_KEY_DATA);
	mbor_encode(&e, data_schema, data);
	if (e.overflow)
		return -1;
	*len = e.pos;
	return 0;
}

int ddi_encode_request(const struct ddi_req_hdr *hdr,
		       const struct mbor_schema *data_schema, const void *data,
		       uint8_t *buf, size_t cap, size_t *len)
{
	return encode_envelope(&ddi_req_hdr_schema, hdr, data_schema, data,
			       buf, cap, len);
}

int ddi_encode_response(const struct ddi_resp_hdr *hdr,
			const struct mbor_schema *data_schema, const void *data,
			uint8_t *buf, size_t cap, size_t *len)
{
	return encode_envelope(&ddi_resp_hdr_schema, hdr, data_schema, data,
			       buf, cap, len);
}

/*
 * Top-level map of exactly two entries, the header under key 0, and key 1
 * announcing the data; leaves d at the data map.  A third entry (the SDK's
 * optional `ext`) makes the count 3 and is rejected, as the FW does.
 */
static bool decode_envelope_hdr(struct mbor_dec *d, const uint8_t *buf, size_t len,
				const struct mbor_schema *hdr_schema, void *hdr)
{
	unsigned int count;

	mbor_dec_init(d, buf, len);
	return mbor_get_map(d, &count) && count == DDI_ENVELOPE_ENTRIES &&
	       mbor_get_key(d, DDI_KEY_HDR) &&
	       mbor_decode(d, hdr_schema, hdr) &&
	       mbor_get_key(d, DDI_KEY_DATA);
}

bool ddi_decode_request_hdr(const uint8_t *buf, size_t len, struct ddi_req_view *v)
{
	return decode_envelope_hdr(&v->data, buf, len, &ddi_req_hdr_schema,
				   &v->hdr);
}

bool ddi_decode_request_data(struct ddi_req_view *v, const struct mbor_schema *s,
			     void *obj)
{
	/* Whatever follows the data map is ignored (FW behaviour, 1.6). */
	return mbor_decode(&v->data, s, obj);
}

bool ddi_decode_response(const uint8_t *buf, size_t len, struct ddi_resp_hdr *hdr,
			 const struct mbor_schema *data_schema, void *data)
{
	struct mbor_dec d;

	if (!decode_envelope_hdr(&d, buf, len, &ddi_resp_hdr_schema, hdr))
		return false;
	/* Error responses carry an empty map that nobody needs to look at. */
	if (hdr->status != AZIHSM_DDI_STATUS_SUCCESS || !data_schema)
		return true;
	return mbor_decode(&d, data_schema, data);
}
