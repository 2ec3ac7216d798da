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

#include "azihsm/hw.h"
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

_Static_assert(AZIHSM_TRANSPORT_AES_GCM == AZIHSM_AES_CIPHER_GCM &&
	       AZIHSM_TRANSPORT_AES_XTS == AZIHSM_AES_CIPHER_XTS &&
	       AZIHSM_TRANSPORT_AES_ENCRYPT == AZIHSM_AES_OP_ENCRYPT &&
	       AZIHSM_TRANSPORT_AES_DECRYPT == AZIHSM_AES_OP_DECRYPT,
	       "AES cipher and op codes are passed to the driver unchanged");
_Static_assert(FIELD_SIZE(struct azihsm_transport_aes_cmd, gcm.tag) ==
	       FIELD_SIZE(struct azihsm_aes_gcm_params, tag) &&
	       FIELD_SIZE(struct azihsm_transport_aes_cmd, gcm.iv) ==
	       FIELD_SIZE(struct azihsm_aes_gcm_params, init_vector) &&
	       FIELD_SIZE(struct azihsm_transport_aes_cmd, xts.tweak) ==
	       FIELD_SIZE(struct azihsm_aes_xts_params, tweak) &&
	       FIELD_SIZE(struct azihsm_transport_aes_cmd, tag_out) ==
	       FIELD_SIZE(struct azihsm_aes_cmd_out, cmd_spec) &&
	       FIELD_SIZE(struct azihsm_transport_aes_cmd, iv_out) ==
	       FIELD_SIZE(struct azihsm_aes_cmd_out, iv_from_fw),
	       "AES fields mirror the AES ioctls");

/* The AES ioctls (spec/hardware.md 9.8), one per cipher. */
static int ioctl_aes_cmd(void *ctx, struct azihsm_transport_aes_cmd *cmd)
{
	struct ioctl_ctx *c = ctx;
	struct azihsm_aes_cmd io;
	bool gcm = cmd->cipher == AZIHSM_TRANSPORT_AES_GCM;
	int ret = 0;

	memset(&io, 0, sizeof(io));
	io.hdr.szioctldata = sizeof(io);
	io.in.ctxt = ++c->ctxt;
	io.in.op_code = cmd->op;
	io.in.cipher = cmd->cipher;
	io.in.src_ptr = (__u64)(uintptr_t)cmd->src;
	io.in.src_len = cmd->src_len;
	io.in.dst_ptr = (__u64)(uintptr_t)cmd->dst;
	io.in.dst_len = cmd->dst_len;
	io.in.frame_type = AZIHSM_AES_FRAME_TYPE_AES;
	io.in.session_id = cmd->session_id;
	io.in.short_app_id = cmd->short_app_id;
	if (gcm) {
		io.in.u.gcm.key_id = cmd->gcm.key_id;
		memcpy(io.in.u.gcm.tag, cmd->gcm.tag, sizeof(io.in.u.gcm.tag));
		memcpy(io.in.u.gcm.init_vector, cmd->gcm.iv,
		       sizeof(io.in.u.gcm.init_vector));
		io.in.u.gcm.actual_aad_data_len = cmd->gcm.actual_aad_len;
		io.in.u.gcm.aligned_aad_len = cmd->gcm.aligned_aad_len;
		io.in.u.gcm.enable_gcm_workaround = cmd->gcm.tail_protocol;
	} else {
		io.in.u.xts.data_unit_len = cmd->xts.data_unit;
		io.in.u.xts.key_id1 = cmd->xts.key_id1;
		io.in.u.xts.key_id2 = cmd->xts.key_id2;
		memcpy(io.in.u.xts.tweak, cmd->xts.tweak, sizeof(io.in.u.xts.tweak));
	}

	if (ioctl(c->fd, gcm ? AZIHSM_IOCTL_AES_GCM : AZIHSM_IOCTL_AES_XTS, &io) < 0)
		ret = -errno;
	cmd->ext_status = io.out.extended_status;
	cmd->fips_approved = io.out.fips_approved != 0;
	/*
	 * A command the device completed with a failure comes back as an
	 * errno too (-EBADMSG for a tag mismatch, -EIO otherwise), with the
	 * device's STS in result: report it as the device's answer.  Without
	 * a STS, an errno or extended status is the driver's own failure
	 * (refusal, tail post-check, submission).
	 */
	if (io.out.result) {
		cmd->result = io.out.result;
		cmd->sys_errno = -ret;
		return 0;
	}
	if (ret)
		return ret;
	if (cmd->ext_status)
		return -EIO;
	cmd->byte_count = io.out.byte_count;
	if (cmd->byte_count > cmd->dst_len)
		return -EPROTO;
	if (gcm && cmd->op == AZIHSM_TRANSPORT_AES_ENCRYPT) {
		memcpy(cmd->tag_out, io.out.cmd_spec, sizeof(cmd->tag_out));
		memcpy(cmd->iv_out, io.out.iv_from_fw, sizeof(cmd->iv_out));
	}
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
	.aes_cmd = ioctl_aes_cmd,
};
