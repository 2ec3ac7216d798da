// SPDX-License-Identifier: MIT
/*
 * The transport of /dev/azihsmN: the HSM command and GET_DEV_INFO ioctls
 * of azihsm.ko (spec/hardware.md 9.4, 9.5).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <uapi/azihsm.h>

#include "lib_internal.h"

_Static_assert(AZIHSM_TRANSPORT_SESS_KIND_MASK == AZIHSM_IOCTL_SESS_OPCODE_MASK &&
	       AZIHSM_TRANSPORT_SESS_ID_VALID == AZIHSM_IOCTL_SESS_ID_VALID,
	       "session flags are passed to the driver unchanged");

#define FIELD_SIZE(type, member) sizeof(((type *)0)->member)
_Static_assert(FIELD_SIZE(struct azihsm_identity, pci_addr) ==
	       FIELD_SIZE(struct azihsm_dev_info, pci_info) &&
	       FIELD_SIZE(struct azihsm_identity, serial) ==
	       FIELD_SIZE(struct azihsm_dev_info, serial_num) &&
	       FIELD_SIZE(struct azihsm_identity, firmware_rev) ==
	       FIELD_SIZE(struct azihsm_dev_info, firmware_rev) &&
	       FIELD_SIZE(struct azihsm_identity, driver_rev) ==
	       FIELD_SIZE(struct azihsm_dev_info, driver_rev) &&
	       FIELD_SIZE(struct azihsm_identity, entropy) ==
	       FIELD_SIZE(struct azihsm_dev_info, device_entropy),
	       "identity fields mirror GET_DEV_INFO");

struct ioctl_ctx {
	int fd;
	/* Cookie of the last command; the driver echoes it on completion. */
	uint64_t ctxt;
};

int lib_ioctl_ctx_new(const char *path, void **ctxp)
{
	struct ioctl_ctx *c = calloc(1, sizeof(*c));

	if (!c)
		return -ENOMEM;
	c->fd = open(path, O_RDWR | O_CLOEXEC);
	if (c->fd < 0) {
		int e = errno;

		free(c);
		return -e;
	}
	*ctxp = c;
	return 0;
}

static int ioctl_hsm_cmd(void *ctx, struct azihsm_transport_cmd *cmd)
{
	struct ioctl_ctx *c = ctx;
	struct azihsm_hsm_cmd io;

	memset(&io, 0, sizeof(io));
	io.hdr.szioctldata = sizeof(io);
	io.in.ctxt = ++c->ctxt;
	io.in.opc = 0;		/* generic: the buffer holds a DDI request */
	io.in.src_length = (__u32)cmd->req_len;
	io.in.src_buf = (__u64)(uintptr_t)cmd->req;
	io.in.dst_length = (__u32)cmd->resp_cap;
	io.in.dst_buf = (__u64)(uintptr_t)cmd->resp;
	io.in.u.session.session_flags = cmd->session_flags;
	io.in.u.session.session_id = cmd->session_id;

	if (ioctl(c->fd, AZIHSM_IOCTL_HSM_CMD, &io) < 0) {
		cmd->ext_status = io.out.ext_status;
		return -errno;
	}
	/*
	 * A completed command always echoes the cookie; anything else means
	 * the driver's reply does not belong to this request.
	 */
	if (io.out.ctxt != io.in.ctxt || io.out.byte_count > cmd->resp_cap)
		return -EPROTO;
	cmd->device_status = io.out.status;
	cmd->resp_len = io.out.byte_count;
	return 0;
}

static int ioctl_dev_info(void *ctx, struct azihsm_identity *id)
{
	struct ioctl_ctx *c = ctx;
	struct azihsm_dev_info info;

	memset(&info, 0, sizeof(info));
	info.argsz = sizeof(info);
	if (ioctl(c->fd, AZIHSM_IOCTL_GET_DEV_INFO, &info) < 0)
		return -errno;

	/* The driver NUL-terminates; the copies below do not rely on it. */
	id->ctrl_id = info.id;
	memcpy(id->pci_addr, info.pci_info, sizeof(id->pci_addr) - 1);
	memcpy(id->serial, info.serial_num, sizeof(id->serial) - 1);
	memcpy(id->firmware_rev, info.firmware_rev, sizeof(id->firmware_rev) - 1);
	memcpy(id->driver_rev, info.driver_rev, sizeof(id->driver_rev) - 1);
	memcpy(id->entropy, info.device_entropy, sizeof(id->entropy));
	return 0;
}

static void ioctl_close(void *ctx)
{
	struct ioctl_ctx *c = ctx;

	close(c->fd);
	free(c);
}

const struct azihsm_transport_ops lib_ioctl_transport = {
	.name = "ioctl",
	.hsm_cmd = ioctl_hsm_cmd,
	.dev_info = ioctl_dev_info,
	.close = ioctl_close,
};
