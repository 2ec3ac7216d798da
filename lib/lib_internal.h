/* SPDX-License-Identifier: MIT */
/*
 * libazihsm internals shared by the library's source files (and by the
 * unit tests, which link the static library).
 */
#ifndef AZIHSM_LIB_INTERNAL_H
#define AZIHSM_LIB_INTERNAL_H

#include <pthread.h>

#include "azihsm/ddi.h"
#include "azihsm/ddi_crypto.h"
#include "azihsm/ddi_msg.h"
#include "libazihsm.h"
#include "libazihsm_transport.h"

struct azihsm_dev {
	/* Serialises every use of the transport and of the fields below. */
	pthread_mutex_t lock;
	const struct azihsm_transport_ops *ops;
	void *ctx;
	char *path;

	/* API revision negotiated with GetApiRev (its max). */
	bool have_api_rev;
	struct ddi_api_rev api_rev;

	/* Partition identity key from the PID certificate (0x04 || X || Y). */
	bool have_identity;
	uint8_t identity_point[DDI_P384_POINT_LEN];

	/* The handle's session, if one is open (one per handle). */
	struct azihsm_session *sess;

	/*
	 * Device kind from GetDeviceInfo (AZIHSM_DEVICE_KIND_*), fetched once
	 * by the key operations (lib/keys.c): it selects the wire forms of
	 * public keys, digests and signatures (spec/ddi.md 7.1).
	 */
	bool have_kind;
	uint32_t kind;

	/* Message buffers of the library's own DDI operations. */
	uint8_t req_buf[AZIHSM_DDI_MAX_REQUEST];
	uint8_t resp_buf[AZIHSM_DDI_MAX_RESPONSE];
};

/* The transport of /dev/azihsmN; ctx is a heap-allocated fd holder. */
extern const struct azihsm_transport_ops lib_ioctl_transport;
int lib_ioctl_ctx_new(const char *path, void **ctx);

/*
 * The calling thread's last-call record.  Public entry points start with
 * lib_err_reset() and fail through lib_err_set() and friends, which return the
 * status so that "return lib_err_set(...)" reads naturally.
 */
struct azihsm_error *lib_err_cur(void);
void lib_err_reset(void);
int lib_err_set(int status);
int lib_err_from_errno(int sys_errno, uint32_t ext_status);
int lib_err_from_ddi(uint32_t ddi_status);

/* One command on a locked handle; maps transport failures to statuses. */
int lib_hsm_cmd_locked(struct azihsm_dev *dev, struct azihsm_transport_cmd *cmd);

/*
 * One DDI operation on a locked handle.  The response data is decoded
 * into resp, whose byte strings point into dev->resp_buf: copy what must
 * outlive the next call.  sess_kind and sess_id give the queue session block
 * and the header's sess_id (Close and InSession ops carry the id in both).
 */
struct lib_ddi_call {
	uint32_t op;
	uint8_t sess_kind;		/* AZIHSM_SESSION_* */
	uint16_t sess_id;
	const struct mbor_schema *req_schema;	/* NULL: empty data map */
	const void *req;
	const struct mbor_schema *resp_schema;	/* NULL: data ignored */
	void *resp;
	struct ddi_resp_hdr rhdr;	/* out */
};
int lib_ddi_call_locked(struct azihsm_dev *dev, struct lib_ddi_call *call);
/* Issue GetApiRev unless the handle has a revision already. */
int lib_ensure_api_rev_locked(struct azihsm_dev *dev);

/*
 * GetCertChainInfo, then (der not NULL) GetCertificate of certificate
 * index, or of the last one with LIB_CERT_LAST, copied to der (lib/attest.c).
 * *count (may be NULL) is the chain's length.  Records its errors.
 */
#define LIB_CERT_LAST	(~0u)
int lib_cert_get_locked(struct azihsm_dev *dev, unsigned int index, unsigned int *count,
			uint8_t *der, size_t cap, size_t *len);

/*
 * Get*EncryptionKey (key_op), check its signature with the identity key
 * (fetched first if need be) and encrypt pt for it (7.2, 7.3).
 */
int lib_seal_locked(struct azihsm_dev *dev, uint32_t key_op, const uint8_t *pt,
		    size_t pt_len, struct ddi_cred_sealed *sealed);

/* Ends and frees the handle's session at azihsm_close(). */
void lib_session_drop(struct azihsm_dev *dev);
/* The handle a session was opened on. */
struct azihsm_dev *lib_session_dev(const struct azihsm_session *sess);

/*
 * A key handle (include/libazihsm.h).  Defined here so that white-box
 * tests can point a handle at another struct azihsm_dev.
 */
struct azihsm_key {
	struct azihsm_dev *dev;
	uint16_t id;
	uint32_t type;				/* AZIHSM_KEY_* */
	const struct ddi_ecc_curve_info *curve;	/* ECC pairs and secrets */
	/* ECC key pairs: the public key, 0x04 || X || Y big-endian. */
	uint8_t point[DDI_ECC_MAX_POINT];
	size_t point_len;
	uint8_t *masked;			/* NULL for opened keys */
	size_t masked_len;
	uint32_t bulk_id;			/* AZIHSM_NO_BULK_ID if not bulk */
	uint8_t *rsa_spki;			/* RSA keys: DER SPKI (lib/rsa.c) */
	size_t rsa_spki_len;
};

/* Key operations' plumbing of lib/keys.c, for lib/rsa.c. */
/* One in-session DDI operation in the handle's session (NO_SESSION). */
int lib_key_call_locked(struct azihsm_dev *dev, struct lib_ddi_call *call);
/*
 * The same for an operation whose request and response data use the
 * schemas of the op table; resp NULL ignores the response data.
 */
int lib_key_op_locked(struct azihsm_dev *dev, uint32_t op, const void *req, void *resp);
/* The device kind (GetDeviceInfo, cached); without the lock. */
int lib_dev_kind(struct azihsm_dev *dev, uint32_t *kind);

/* k's SPKI as NUL-terminated PEM (lib/pubkey.c); MALFORMED if k is NULL. */
int lib_pkey_to_pem(DDI_PKEY *k, uint8_t *buf, size_t cap, size_t *len);

/* ---- RSA (lib/rsa.c); each returns a status without recording it ---- */
/* The device's PublicKey of an RSA key (raw n_le || e_le or DER) as DER SPKI. */
int lib_rsa_pub_from_wire(uint32_t kind, const uint8_t *wire, size_t len,
			  uint8_t **spki, size_t *spki_len);
/* azihsm_key_public()'s DER and PEM for an RSA key. */
int lib_rsa_pub_encode(const uint8_t *spki, size_t spki_len, enum azihsm_pubkey_format fmt,
		       uint8_t *buf, size_t cap, size_t *len);
/*
 * The host half of 7.8.2: GetUnwrappingKey, then wrapped_blob (into blob,
 * DDI_MASKED_KEY_MAX bytes), key_id, padding and hash of req for data.
 * Records the DDI failure of GetUnwrappingKey like any call.
 */
int lib_rsa_wrap_locked(struct azihsm_dev *dev, uint32_t kind, const uint8_t *data,
			size_t len, struct ddi_rsa_unwrap_req *req, uint8_t *blob);

/*
 * Test-only: DerKeyImport (spec/ddi.md 3.10, class 4-6 of 7.8.4) of a
 * known 32-byte bulk AES key of type AZIHSM_KEY_AES_*_BULK*, so that
 * tests can check the fast path against a host computation.  Only on
 * devices with the test operations.  Errors: as
 * azihsm_key_import_der_test().
 */
int lib_key_import_bulk_test(struct azihsm_session *sess, uint32_t type,
			     const uint8_t key[32],
			     const struct azihsm_key_params *params,
			     struct azihsm_key **keyp);

/*
 * Public-key and signature encodings (lib/pubkey.c).  Points are
 * 0x04 || X || Y big-endian over c->len; signatures r || s big-endian.
 * Each returns an enum azihsm_status without recording it.
 */
/* A public key from the device (PublicKey.der): raw LE or DER SPKI. */
int lib_pub_from_wire(uint32_t kind, const struct ddi_ecc_curve_info *c,
		      const uint8_t *wire, size_t len, uint8_t *point);
/* A peer key for EcdhKeyExchange in the device's form; cap >= DDI_ECDH_PUB_MAX. */
int lib_pub_to_wire(uint32_t kind, const struct ddi_ecc_curve_info *c,
		    const uint8_t *point, uint8_t *wire, size_t *len);
/* A caller's peer key (DER SPKI or uncompressed point) on curve c. */
int lib_peer_parse(const struct ddi_ecc_curve_info *c, const uint8_t *peer,
		   size_t len, uint8_t *point);
/* azihsm_key_public()'s formats. */
int lib_pub_encode(const struct ddi_ecc_curve_info *c, const uint8_t *point,
		   enum azihsm_pubkey_format fmt, uint8_t *buf, size_t cap,
		   size_t *len);
/* EccSign's signature in r || s big-endian (2 * c->len bytes). */
int lib_sig_from_wire(uint32_t kind, const struct ddi_ecc_curve_info *c,
		      const uint8_t *wire, size_t len, uint8_t *rs);
/* azihsm_ecc_sign()'s formats. */
int lib_sig_encode(const struct ddi_ecc_curve_info *c, const uint8_t *rs,
		   enum azihsm_sig_format fmt, uint8_t *buf, size_t cap,
		   size_t *len);

#endif /* AZIHSM_LIB_INTERNAL_H */
