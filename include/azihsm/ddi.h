/* SPDX-License-Identifier: MIT */
/*
 * DDI (the HSM request/response protocol) opcodes and status codes.
 *
 * Values follow the DDI specification (spec/ddi.md sections 3.1 and 5).
 * Both lists are X-macros so that the firmware core and libazihsm derive
 * their enums and name tables from this one definition.
 */
#ifndef AZIHSM_DDI_H
#define AZIHSM_DDI_H

/*
 * Session control kind of an operation, as carried in the queue-level
 * session block (SQE/CQE byte 44/2, bits 1:0).
 */
#define AZIHSM_DDI_CTRL_NONE      0
#define AZIHSM_DDI_CTRL_OPEN      1
#define AZIHSM_DDI_CTRL_CLOSE     2
#define AZIHSM_DDI_CTRL_IN_SESSION 3

/* X(NAME, opcode, session control kind) */
#define AZIHSM_DDI_OPS(X) \
	X(INVALID,                           1001, AZIHSM_DDI_CTRL_NONE) \
	X(GET_API_REV,                       1002, AZIHSM_DDI_CTRL_NONE) \
	X(GET_DEVICE_INFO,                   1003, AZIHSM_DDI_CTRL_NONE) \
	X(DELETE_KEY,                        1014, AZIHSM_DDI_CTRL_IN_SESSION) \
	X(OPEN_KEY,                          1015, AZIHSM_DDI_CTRL_IN_SESSION) \
	X(ATTEST_KEY,                        1016, AZIHSM_DDI_CTRL_IN_SESSION) \
	X(RSA_MOD_EXP,                       1031, AZIHSM_DDI_CTRL_IN_SESSION) \
	X(RSA_UNWRAP,                        1035, AZIHSM_DDI_CTRL_IN_SESSION) \
	X(GET_UNWRAPPING_KEY,                1051, AZIHSM_DDI_CTRL_IN_SESSION) \
	X(ECC_GENERATE_KEY_PAIR,             1061, AZIHSM_DDI_CTRL_IN_SESSION) \
	X(ECC_SIGN,                          1062, AZIHSM_DDI_CTRL_IN_SESSION) \
	X(AES_GENERATE_KEY,                  1071, AZIHSM_DDI_CTRL_IN_SESSION) \
	X(AES_ENCRYPT_DECRYPT,               1072, AZIHSM_DDI_CTRL_IN_SESSION) \
	X(ECDH_KEY_EXCHANGE,                 1074, AZIHSM_DDI_CTRL_IN_SESSION) \
	X(HKDF_DERIVE,                       1075, AZIHSM_DDI_CTRL_IN_SESSION) \
	X(KBKDF_COUNTER_HMAC_DERIVE,         1076, AZIHSM_DDI_CTRL_IN_SESSION) \
	X(HMAC,                              1077, AZIHSM_DDI_CTRL_IN_SESSION) \
	X(GET_ESTABLISH_CRED_ENCRYPTION_KEY, 1101, AZIHSM_DDI_CTRL_NONE) \
	X(ESTABLISH_CREDENTIAL,              1102, AZIHSM_DDI_CTRL_NONE) \
	X(GET_SESSION_ENCRYPTION_KEY,        1103, AZIHSM_DDI_CTRL_NONE) \
	X(OPEN_SESSION,                      1104, AZIHSM_DDI_CTRL_OPEN) \
	X(CLOSE_SESSION,                     1105, AZIHSM_DDI_CTRL_CLOSE) \
	X(CHANGE_PIN,                        1106, AZIHSM_DDI_CTRL_IN_SESSION) \
	X(UNMASK_KEY,                        1107, AZIHSM_DDI_CTRL_IN_SESSION) \
	X(GET_CERT_CHAIN_INFO,               1108, AZIHSM_DDI_CTRL_NONE) \
	X(GET_CERTIFICATE,                   1109, AZIHSM_DDI_CTRL_NONE) \
	X(REOPEN_SESSION,                    1110, AZIHSM_DDI_CTRL_IN_SESSION) \
	X(INIT_BK3,                          1111, AZIHSM_DDI_CTRL_NONE) \
	X(GET_SEALED_BK3,                    1112, AZIHSM_DDI_CTRL_NONE) \
	X(SET_SEALED_BK3,                    1113, AZIHSM_DDI_CTRL_NONE) \
	X(RESET_FUNCTION,                    2001, AZIHSM_DDI_CTRL_CLOSE) \
	X(DER_KEY_IMPORT,                    2002, AZIHSM_DDI_CTRL_IN_SESSION) \
	X(GET_PERF_LOG_CHUNK,                2003, AZIHSM_DDI_CTRL_IN_SESSION) \
	X(TEST_ACTION,                       2004, AZIHSM_DDI_CTRL_IN_SESSION) \
	X(GET_PRIV_KEY,                      2005, AZIHSM_DDI_CTRL_IN_SESSION) \
	X(SHA_DIGEST,                        2006, AZIHSM_DDI_CTRL_IN_SESSION) \
	X(GET_RANDOM_NUMBER,                 2007, AZIHSM_DDI_CTRL_IN_SESSION) \
	X(RAW_KEY_IMPORT,                    2008, AZIHSM_DDI_CTRL_IN_SESSION) \
	X(SOFT_AES,                          2009, AZIHSM_DDI_CTRL_IN_SESSION) \
	X(RSA_UNWRAP_KEK_TEST,               2010, AZIHSM_DDI_CTRL_IN_SESSION)

enum azihsm_ddi_op {
#define AZIHSM_DDI_OP_ENUM(name, value, ctrl) AZIHSM_DDI_OP_##name = value,
	AZIHSM_DDI_OPS(AZIHSM_DDI_OP_ENUM)
#undef AZIHSM_DDI_OP_ENUM
};

/* Every error is 0x08000000 | (group << 16) | code. X(NAME, value) */
#define AZIHSM_DDI_STATUSES(X) \
	X(SUCCESS,                                         0x00000000) \
	X(INVALID_ARG,                                     0x08000003) \
	X(INTERNAL_ERROR,                                  0x08000008) \
	X(UNSUPPORTED_CMD,                                 0x08000009) \
	X(DDI_ENCODE_FAILED,                               0x08680001) \
	X(DDI_DECODE_FAILED,                               0x08680002) \
	X(VAULT_SESSION_LIMIT_REACHED,                     0x08700001) \
	X(SESSION_NOT_EXPECTED,                            0x08700002) \
	X(SESSION_EXPECTED,                                0x08700003) \
	X(SESSION_NOT_FOUND,                               0x08700004) \
	X(INVALID_MANAGER_CREDENTIALS,                     0x08700006) \
	X(INVALID_APP_CREDENTIALS,                         0x08700007) \
	X(VAULT_NOT_FOUND,                                 0x08700008) \
	X(APP_ALREADY_EXISTS,                              0x08700009) \
	X(APP_NOT_FOUND,                                   0x0870000A) \
	X(KEY_NOT_FOUND,                                   0x0870000E) \
	X(INVALID_KEY_TYPE,                                0x0870000F) \
	X(KEY_DECODE_FAILED,                               0x08700010) \
	X(RSA_ENCRYPT_FAILED,                              0x08700011) \
	X(RSA_DECRYPT_FAILED,                              0x08700012) \
	X(RSA_SIGN_FAILED,                                 0x08700013) \
	X(FILE_HANDLE_SESSION_LIMIT_REACHED,               0x0870001E) \
	X(FILE_HANDLE_NO_EXISTING_SESSION,                 0x0870001F) \
	X(FILE_HANDLE_SESSION_ID_DOES_NOT_MATCH,           0x08700020) \
	X(KEY_TAG_ALREADY_EXISTS,                          0x08700021) \
	X(INVALID_PERMISSIONS,                             0x08700022) \
	X(ECC_SIGN_FAILED,                                 0x08700023) \
	X(ECC_VERIFY_FAILED,                               0x08700024) \
	X(AES_ENCRYPT_FAILED,                              0x08700025) \
	X(AES_DECRYPT_FAILED,                              0x08700026) \
	X(FUNCTION_NOT_ENABLED,                            0x08700027) \
	X(ANOTHER_KEY_IN_USE,                              0x08700028) \
	X(KEY_NOT_IN_USE,                                  0x08700029) \
	X(UNSUPPORTED_REVISION,                            0x0870002A) \
	X(DER_AND_KEY_TYPE_MISMATCH,                       0x0870002B) \
	X(VAULT_APP_LIMIT_REACHED,                         0x0870002C) \
	X(NOT_ENOUGH_SPACE,                                0x0870002D) \
	X(REACHED_MAX_KEYS,                                0x0870002E) \
	X(CANNOT_DELETE_KEY_IN_USE,                        0x0870002F) \
	X(CANNOT_DELETE_SOME_KEYS_IN_USE,                  0x08700030) \
	X(CANNOT_CLOSE_SESSION_IN_USE,                     0x08700031) \
	X(CANNOT_CLOSE_SOME_SESSIONS_IN_USE,               0x08700032) \
	X(CANNOT_DELETE_KEY_AND_CLOSE_SESSION_IN_USE,      0x08700033) \
	X(INVALID_KEY_NUMBER,                              0x08700034) \
	X(FUNCTION_NOT_FOUND,                              0x08700036) \
	X(RSA_TO_DER_ERROR,                                0x08700037) \
	X(RSA_GENERATE_ERROR,                              0x08700038) \
	X(RSA_GET_MODULUS_ERROR,                           0x08700039) \
	X(RSA_GET_PUBLIC_EXPONENT_ERROR,                   0x0870003A) \
	X(RSA_INVALID_KEY_LENGTH,                          0x0870003B) \
	X(ECC_TO_DER_ERROR,                                0x0870003C) \
	X(ECC_GENERATE_ERROR,                              0x0870003D) \
	X(ECC_DERIVE_ERROR,                                0x0870003E) \
	X(ECC_GET_CURVE_ERROR,                             0x0870003F) \
	X(ECC_GET_COORDINATES_ERROR,                       0x08700040) \
	X(SHA_ERROR,                                       0x08700041) \
	X(AES_GENERATE_ERROR,                              0x08700042) \
	X(COSE_SIGN1_UNEXPECTED_SIGNATURE,                 0x08700043) \
	X(CANNOT_USE_DEFAULT_CREDENTIALS,                  0x08700044) \
	X(HKDF_ERROR,                                      0x08700045) \
	X(KBKDF_ERROR,                                     0x08700046) \
	X(RSA_UNWRAP_ERROR,                                0x08700047) \
	X(ATTEST_KEY_ERROR,                                0x08700048) \
	X(INVALID_SHORT_APP_ID,                            0x08700049) \
	X(NO_SHORT_APP_ID_CREATED,                         0x0870004A) \
	X(NO_TAG_PROVIDED,                                 0x0870004B) \
	X(AES_GCM_INVALID_BUFFER_SIZE,                     0x0870004C) \
	X(AES_GCM_DECRYPT_TAG_DOES_NOT_MATCH,              0x0870004D) \
	X(AES_XTS_INVALID_BUFFER_SIZE,                     0x0870004E) \
	X(AES_XTS_INVALID_DUL,                             0x0870004F) \
	X(ECC_INVALID_KEY_LENGTH,                          0x08700050) \
	X(AES_INVALID_KEY_LENGTH,                          0x08700051) \
	X(INVALID_CERTIFICATE,                             0x08700052) \
	X(PENDING_KEY_GENERATION,                          0x08700053) \
	X(CANNOT_DELETE_INTERNAL_KEYS,                     0x08700054) \
	X(FAILED_TO_SEND_SOFT_AES_REQUEST,                 0x08700055) \
	X(HMAC_ERROR,                                      0x08700056) \
	X(PIN_DECRYPTION_FAILED,                           0x08700057) \
	X(REACHED_MAX_AES_BULK_KEYS,                       0x08700058) \
	X(HMAC_INVALID_INPUT_SIZE,                         0x08700059) \
	X(RNG_ERROR,                                       0x0870005A) \
	X(NONCE_MISMATCH,                                  0x0870005B) \
	X(ESTABLISH_CRED_ENCRYPTION_KEY_GENERATE_FAILED,   0x0870005C) \
	X(HKDF_INVALID_INPUT_PARAM,                        0x0870005D) \
	X(KBKDF_INVALID_INPUT_PARAM,                       0x0870005E) \
	X(LOGIN_FAILED,                                    0x0870005F) \
	X(FAILED_SOFT_AES_RESPONSE,                        0x08700060) \
	X(KEY_STRUCTURAL_VALIDATION_FAILED,                0x08700061) \
	X(PENDING_IO,                                      0x08700062) \
	X(RECEIVED_EMPTY_IO_EVENT,                         0x08700063) \
	X(IO_CHANNEL_RECEIVE_ERROR,                        0x08700064) \
	X(IO_CHANNEL_DECODE_ERROR,                         0x08700065) \
	X(IO_CHANNEL_UNKNOWN_OP,                           0x08700066) \
	X(IO_CHANNEL_INVALID_SRC_LEN,                      0x08700067) \
	X(IO_CHANNEL_INVALID_DST_LEN,                      0x08700068) \
	X(PARTITION_NOT_ENABLED,                           0x08700069) \
	X(IO_CHANNE_PIPEL_NOT_ENABLED,                     0x0870006A) \
	X(IO_CHANNE_PIPE_NOT_VALID,                        0x0870006B) \
	X(DMA_BUFFER_ALLOC_FAILURE,                        0x0870006C) \
	X(IO_CHANNEL_INVALID_BUFFER_DESCRIPTOR,            0x0870006D) \
	X(DMA_HARDWARE_EMPTY_COMPLETION_FOUND,             0x0870006E) \
	X(DMA_COMPLETED_WITH_ERROR,                        0x0870006F) \
	X(DMA_IO_IDENTIFIER_MISMATCH,                      0x08700070) \
	X(IO_CHANNEL_PIPE_NOT_FOUND,                       0x08700071) \
	X(FAILED_TO_ASSOCIATE_IO_WITH_PARTITION,           0x08700072) \
	X(FAILED_TO_START_DMA_TRANSACTION,                 0x08700073) \
	X(IO_CHANNEL_FAILED_TO_SEND_RESPONSE,              0x08700074) \
	X(FAILED_TO_IDENTIFY_DMA_BUFFER,                   0x08700075) \
	X(IO_CHANNEL_REQUEST_DECODE_ERROR,                 0x08700076) \
	X(IO_COMMAND_NOT_FOUND,                            0x08700077) \
	X(IO_CHANNEL_INVALID_SRC_ALIGNMENT,                0x08700078) \
	X(IO_CHANNEL_INVALID_DST_ALIGNMENT,                0x08700079) \
	X(IO_COMMAND_ERROR,                                0x0870007A) \
	X(SPURIOUS_IPC_MESSAGE_RECEIVED,                   0x0870007B) \
	X(INVALID_IPC_MESSAGE_RECEIVED,                    0x0870007C) \
	X(FAILED_TO_DECODE_IPC_MESSAGE,                    0x0870007D) \
	X(INVALID_IPC_MESSAGE_OP_CODE_FOUND,               0x0870007E) \
	X(IO_CHANNEL_TX_EMPTY_COMPLETION_FOUND,            0x0870007F) \
	X(FAILED_TO_ASSOCIATE_IO_WITH_COMPLETION,          0x08700080) \
	X(IO_CHANNEL_FAILED_TO_SEND_COMPLETION,            0x08700081) \
	X(DEFRAGMENTATION_NEEDED,                          0x08700082) \
	X(INVALID_SESSION_CONTROL_OPCODE,                  0x08700083) \
	X(DER_DECODE_FAILED,                               0x08700084) \
	X(INVALID_MEMORY_MAP_ENTRY,                        0x08700085) \
	X(PROCESSED_INVALID_IO_EVENT,                      0x08700086) \
	X(PROCESSED_IO_EVENT_IN_INVALID_STATE,             0x08700087) \
	X(CANNOT_ASSOCIATE_IO_WITH_PKA_COMPLETION,         0x08700088) \
	X(IDENTIFIED_PKA_ENGINE_NOT_BUSY,                  0x08700089) \
	X(IDENTIFIED_ECC_CALCULATION_FAILURE,              0x0870008A) \
	X(FAILED_TO_GENERATE_ECC_PUBLIC_KEY,               0x0870008B) \
	X(IDENTIFIED_RSA_CALCULATION_FAILURE,              0x0870008C) \
	X(FAILED_TO_BEGIN_RSA_CALCULATION,                 0x0870008D) \
	X(FAILED_TO_PERFORM_RSA_MULTIPLICATION,            0x0870008E) \
	X(FAILED_TO_END_RSA_CALCULATION,                   0x0870008F) \
	X(FAILED_TO_PERFORM_RSA_MODULAR_INVERSE,           0x08700090) \
	X(FAILED_TO_COMPUTE_ECDH_SHARED_SECRET,            0x08700091) \
	X(FAILED_TO_IDENTIFY_IO_CHANNEL_PIPE,              0x08700092) \
	X(IDENTIFIED_INVALID_IO_CHANNEL_PIPE,              0x08700093) \
	X(FAILED_TO_SEND_IP_MESSAGE,                       0x08700094) \
	X(IPC_RESPONSE_FAILURE,                            0x08700095) \
	X(KEY_DERIVATION_FAILURE,                          0x08700096) \
	X(DER_DECODE_FAILED_FOR_AES_BULK_KEY,              0x08700097) \
	X(INVALID_IPC_SHUTDOWN_MESSAGE,                    0x08700098) \
	X(SESSION_ENCRYPTION_KEY_GENERATE_FAILED,          0x08700099) \
	X(IO_TIMED_OUT,                                    0x0870009A) \
	X(IO_DRAIN_IN_PROGRESS,                            0x0870009B) \
	X(IO_CHANNEL_PIPE_DELETE_ERROR,                    0x0870009C) \
	X(IPC_RESPONSE_DECODE_ERROR,                       0x0870009D) \
	X(UNKNOWN_SELF_TEST_REQUEST_RECEIVED,              0x0870009E) \
	X(SELF_TEST_MISSING_INSTANCE,                      0x0870009F) \
	X(FAILED_TO_WIPE_PKA_MEMORY,                       0x087000A0) \
	X(IO_DRAIN_READY,                                  0x087000A1) \
	X(INVALID_PACKAGE_INFO,                            0x087000A2) \
	X(PCT_VALIDATION_ECC_GEN_KEY_FAILED,               0x087000A3) \
	X(PCT_VALIDATION_ESTABLISH_CRED_ENC_KEY_FAILED,    0x087000A4) \
	X(PCT_VALIDATION_SESSION_ENC_KEY_FAILED,           0x087000A5) \
	X(PCT_VALIDATION_UNWRAPPING_KEY_FAILED,            0x087000A6) \
	X(PCT_VALIDATION_RSA_UNWRAP_ECC_KEY_FAILED,        0x087000A7) \
	X(PCT_VALIDATION_RSA_UNWRAP_RSA_KEY_FAILED,        0x087000A8) \
	X(NON_FIPS_APPROVED_DIGEST,                        0x087000A9) \
	X(DIGEST_HASH_MISMATCH_WITH_ECC_CURVE,             0x087000AA) \
	X(UNSUPPORTED_DIGEST_HASH_ALGORITHM,               0x087000AB) \
	X(FAILED_TO_START_PUBLIC_KEY_VALIDATION,           0x087000AC) \
	X(FAILED_TO_END_ECC_PUBLIC_KEY_VALIDATION,         0x087000AD) \
	X(ECC_POINT_VALIDATION_FAILED,                     0x087000AE) \
	X(ECC_PUBLIC_KEY_VALIDATION_FAILED,                0x087000AF) \
	X(ECC_DER_KEY_SHORTER_THAN_CURVE,                  0x087000B0) \
	X(RSA_UNWRAP_INVALID_REQUEST,                      0x087000B1) \
	X(RSA_UNWRAP_INVALID_KEK,                          0x087000B2) \
	X(RSA_UNWRAP_OAEP_DECODE_FAILED,                   0x087000B3) \
	X(RSA_UNWRAP_INVALID_AES_UNWRAP_STATE,             0x087000B4) \
	X(RSA_UNWRAP_AES_UNWRAP_FAILED,                    0x087000B5) \
	X(ATTESTATION_REPORT_ENCODE_FAILED,                0x087000B6) \
	X(COSE_KEY_ENCODE_FAILED,                          0x087000B7) \
	X(ATTEST_KEY_INTERNAL_ERROR,                       0x087000B8) \
	X(PARTITION_ID_GENERATION_FAILED,                  0x087000B9) \
	X(PARTITION_CERT_GENERATION_FAILED,                0x087000BA) \
	X(PARTITION_CERT_INVALID_TYPE_CONVERSION,          0x087000BB) \
	X(FSM_ALLOCATION_FAILED,                           0x087000BC) \
	X(PARTITION_CERT_TOO_LARGE,                        0x087000BD) \
	X(MASKED_KEY_INVALID_LENGTH,                       0x087000BE) \
	X(MASKED_KEY_PRE_ENCODE_FAILED,                    0x087000BF) \
	X(MASKED_KEY_ENCODE_FAILED,                        0x087000C0) \
	X(MASKED_KEY_DECODE_FAILED,                        0x087000C1) \
	X(INVALID_ALGORITHM,                               0x087000C2) \
	X(INSUFFICIENT_BUFFER,                             0x087000C3) \
	X(INVALID_KEY_LENGTH,                              0x087000C4) \
	X(METADATA_ENCODE_FAILED,                          0x087000C5) \
	X(METADATA_DECODE_FAILED,                          0x087000C6) \
	X(SESSION_NEEDS_RENEGOTIATION,                     0x087000C7) \
	X(BK_BOOT_GENERATION_FAILED,                       0x087000C8) \
	X(MASKING_BK3_FAILED,                              0x087000C9) \
	X(UNMASKING_BK3_FAILED,                            0x087000CA) \
	X(MASKING_BK_BOOT_FAILED,                          0x087000CB) \
	X(UNMASKING_BK_BOOT_FAILED,                        0x087000CC) \
	X(MASKED_BK_BOOT_NOT_PRESENT,                      0x087000CD) \
	X(SEALED_BK3_TOO_LARGE,                            0x087000CE) \
	X(PARTITION_ALREADY_PROVISIONED,                   0x087000CF) \
	X(SEALED_BK3_NOT_PRESENT,                          0x087000D0) \
	X(CREDENTIALS_NOT_ESTABLISHED,                     0x087000D1) \
	X(INVALID_ALIAS_KEY,                               0x087000D2) \
	X(UNMASK_UNWRAPPING_KEY_NOT_ALLOWED,               0x087000D3) \
	X(INVALID_PARTITION_ID_CONTENT,                    0x087000D4) \
	X(PARTITION_NOT_PROVISIONED,                       0x087000D5) \
	X(BK3_ALREADY_INITIALIZED,                         0x087000D6) \
	X(SEALED_BK3_ALREADY_SET,                          0x087000D7) \
	X(PARTITION_ID_KEY_GENERATION_PCT_FAILED,          0x087000D8)

enum azihsm_ddi_status {
#define AZIHSM_DDI_STATUS_ENUM(name, value) AZIHSM_DDI_STATUS_##name = value,
	AZIHSM_DDI_STATUSES(AZIHSM_DDI_STATUS_ENUM)
#undef AZIHSM_DDI_STATUS_ENUM
};

/* The one API revision the device speaks (spec/ddi.md 2.4). */
#define AZIHSM_DDI_API_MAJOR 1
#define AZIHSM_DDI_API_MINOR 0

/* DeviceKind values of GetDeviceInfo. */
#define AZIHSM_DDI_DEVICE_KIND_VIRTUAL  1
#define AZIHSM_DDI_DEVICE_KIND_PHYSICAL 2

/* Message size limits (spec/ddi.md 8.1). */
#define AZIHSM_DDI_MAX_REQUEST  4096
#define AZIHSM_DDI_MAX_RESPONSE 8192

#endif /* AZIHSM_DDI_H */
