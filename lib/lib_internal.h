/* SPDX-License-Identifier: MIT */
/*
 * libazihsm internals shared by the library's source files (and by the
 * unit tests, which link the static library).
 */
#ifndef AZIHSM_LIB_INTERNAL_H
#define AZIHSM_LIB_INTERNAL_H

#include <pthread.h>

#include "azihsm/ddi.h"
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

/* One command on a locked handle; maps transport failures to statuses. */
int lib_hsm_cmd_locked(struct azihsm_dev *dev, struct azihsm_transport_cmd *cmd);

#endif /* AZIHSM_LIB_INTERNAL_H */
