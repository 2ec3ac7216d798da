// SPDX-License-Identifier: MIT
/*
 * libazihsm-emu: libazihsm handles on the firmware core, in process.
 *
 * Each handle is a transport that stands where one open file of azihsm.ko
 * stands (spec/hardware.md 9.10): it keeps the file's one session slot,
 * filled from the open-session completion and emptied by a completed
 * close, refuses session commands the driver would refuse (extended
 * statuses 11, 12 and 14, with EINVAL), and at release flushes a session
 * the file still holds.  The core itself is thread-safe; the slot is only
 * touched under the handle's lock, which the library holds around every
 * transport call.
 */
#include <endian.h>
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>
#include <uapi/azihsm.h>

#include "azihsm/hw.h"
#include "azihsm_fw.h"
#include "libazihsm_emu.h"
#include "libazihsm_transport.h"

_Static_assert(AZIHSM_TRANSPORT_SESS_KIND_MASK == AZIHSM_SESS_KIND_MASK &&
	       AZIHSM_TRANSPORT_SESS_ID_VALID == AZIHSM_SESS_ID_VALID,
	       "the library's session flags are the queue's");

#define EMU_DEFAULT_SERIAL	"EMULATED"
#define EMU_DEFAULT_FW_REV	"emulated"
#define EMU_ID_MAX		32

struct azihsm_emu {
	/* The creator's reference plus one per open handle. */
	atomic_uint refs;
	struct azihsm_fw *fw;
	struct azihsm_emu_config cfg;
	char serial[EMU_ID_MAX + 1];
	char fw_rev[EMU_ID_MAX + 1];
	/* GET_DEV_INFO's per-controller-init random bytes. */
	uint8_t entropy[32];
};

/* One open of the emulated node. */
struct emu_file {
	struct azihsm_emu *emu;
	bool sess_valid;
	uint16_t sess_id;
	/* The session's application short id, for the AES fast path. */
	bool app_valid;
	uint8_t short_app_id;
};

static void emu_put(struct azihsm_emu *emu)
{
	if (atomic_fetch_sub(&emu->refs, 1) != 1)
		return;
	azihsm_fw_free(emu->fw);
	free(emu);
}

/* The queue session block the driver would build, or the ioctl's refusal. */
static int emu_session_block(const struct emu_file *f,
			     struct azihsm_transport_cmd *cmd,
			     struct azihsm_fw_session *in)
{
	uint8_t kind = cmd->session_flags & AZIHSM_TRANSPORT_SESS_KIND_MASK;

	in->flags = kind;
	switch (kind) {
	case AZIHSM_SESS_NONE:
		return 0;
	case AZIHSM_SESS_OPEN:
		if (f->sess_valid) {
			cmd->ext_status = AZIHSM_EXT_SESSION_LIMIT_REACHED;
			return -EINVAL;
		}
		return 0;
	default:
		if (!f->sess_valid) {
			cmd->ext_status = AZIHSM_EXT_NO_EXISTING_SESSION;
			return -EINVAL;
		}
		if (!(cmd->session_flags & AZIHSM_TRANSPORT_SESS_ID_VALID) ||
		    cmd->session_id != f->sess_id) {
			cmd->ext_status = AZIHSM_EXT_SESSION_ID_MISMATCH;
			return -EINVAL;
		}
		in->flags |= AZIHSM_SESS_ID_VALID;
		in->id = f->sess_id;
		return 0;
	}
}

static int emu_hsm_cmd(void *ctx, struct azihsm_transport_cmd *cmd)
{
	struct emu_file *f = ctx;
	struct azihsm_emu *emu = f->emu;
	struct azihsm_fw_session in = { 0 }, out = { 0 };
	uint8_t kind = cmd->session_flags & AZIHSM_TRANSPORT_SESS_KIND_MASK;
	int ret;

	ret = emu_session_block(f, cmd, &in);
	if (ret)
		return ret;
	cmd->device_status = azihsm_fw_execute(emu->fw, cmd->req, cmd->req_len,
					       cmd->resp, cmd->resp_cap,
					       &cmd->resp_len, &in, &out);
	if (cmd->device_status)
		return 0;
	if (kind == AZIHSM_SESS_OPEN && (out.flags & AZIHSM_SESS_ID_VALID)) {
		f->sess_valid = true;
		f->sess_id = out.id;
		f->app_valid = out.flags & AZIHSM_SESS_APP_ID_VALID;
		f->short_app_id = out.short_app_id;
	} else if (kind == AZIHSM_SESS_CLOSE && (out.flags & AZIHSM_SESS_CLOSED)) {
		f->sess_valid = false;
	}
	if (emu->cfg.response_hook)
		emu->cfg.response_hook(emu->cfg.response_hook_opaque, cmd->resp,
				       cmd->resp_len);
	return 0;
}

/* ---- AES fast path ---- */

#define EMU_AES_BLOCK	16

/* Data unit lengths of the XTS DUL codes; 0: the whole transfer. */
static const uint32_t emu_xts_unit[] = { 0, 512, 4096, 8192 };

/* The AES ioctls' checks of the lengths (spec/hardware.md 7.8). */
static bool emu_aes_lengths_ok(const struct azihsm_transport_aes_cmd *cmd)
{
	uint32_t unit, tail;

	if (cmd->cipher == AZIHSM_TRANSPORT_AES_XTS) {
		if (cmd->xts.data_unit > AZIHSM_AES_DUL_8192)
			return false;
		unit = emu_xts_unit[cmd->xts.data_unit];
		return cmd->src_len && cmd->dst_len >= cmd->src_len &&
		       (!unit || !(cmd->src_len % unit));
	}
	if (cmd->gcm.actual_aad_len >= cmd->src_len ||
	    cmd->dst_len < cmd->src_len - cmd->gcm.actual_aad_len)
		return false;
	if (!cmd->gcm.tail_protocol)
		return true;
	/*
	 * The tail result goes to the destination at src_len - tail, so a
	 * destination with a tail must reach that far (stricter than 7.8,
	 * which lets the copy run past a shorter one).
	 */
	tail = cmd->src_len % EMU_AES_BLOCK;
	return !(cmd->gcm.aligned_aad_len % AZIHSM_AES_GCM_AAD_ALIGN) &&
	       cmd->gcm.aligned_aad_len >= cmd->gcm.actual_aad_len &&
	       (!tail || cmd->dst_len >= cmd->src_len);
}

/*
 * What the AES ioctls refuse before anything reaches the device
 * (spec/hardware.md 9.8, validation steps 4-6), with their extended
 * statuses.  0 or -EINVAL.
 */
static int emu_aes_validate(const struct emu_file *f,
			    struct azihsm_transport_aes_cmd *cmd)
{
	uint32_t ext = 0;

	if (!f->sess_valid)
		ext = AZIHSM_EXT_AES_NO_SESSION;
	else if (!f->app_valid)
		ext = AZIHSM_EXT_AES_NO_SHORT_APP_ID;
	else if (cmd->session_id != f->sess_id)
		ext = AZIHSM_EXT_AES_SESSION_ID_MISMATCH;
	else if (cmd->short_app_id != f->short_app_id)
		ext = AZIHSM_EXT_AES_SHORT_APP_ID_MISMATCH;
	else if (cmd->op > AZIHSM_TRANSPORT_AES_DECRYPT)
		ext = AZIHSM_EXT_AES_INVALID_OPCODE;
	else if (cmd->cipher > AZIHSM_TRANSPORT_AES_XTS)
		ext = AZIHSM_EXT_AES_INVALID_CIPHER;
	else if (!emu_aes_lengths_ok(cmd))
		ext = cmd->cipher == AZIHSM_TRANSPORT_AES_XTS ?
		      AZIHSM_EXT_AES_XTS_VALIDATION : AZIHSM_EXT_AES_GCM_VALIDATION;
	else if (!cmd->src || !cmd->src_len)
		ext = AZIHSM_EXT_AES_INVALID_INPUT_BUFFER;
	else if (!cmd->dst || !cmd->dst_len)
		ext = AZIHSM_EXT_AES_INVALID_OUTPUT_BUFFER;
	cmd->ext_status = ext;
	return ext ? -EINVAL : 0;
}

/*
 * The host buffer of a transfer as its SGL pointer: one data block.  In
 * process the core takes the buffers themselves; the descriptor only
 * says what the device would be pointed at.  Empty: all zero (7.3 rule 6).
 */
static void emu_sgl(struct azihsm_sgl_desc *d, const void *buf, uint32_t len)
{
	memset(d, 0, sizeof(*d));
	if (!len)
		return;
	d->addr = htole64((uint64_t)(uintptr_t)buf);
	d->len = htole32(len);
	d->type = AZIHSM_SGL_DATA_BLOCK << 4;
}

/*
 * What the driver and the device do with a validated AES command, the
 * host's buffers standing for DMA: the SQE the driver builds (7.1-7.5),
 * the GCM tail split off into its own buffer (7.10: the source and
 * destination lengths lose src_len mod 16 bytes, which travel through
 * the unaligned addresses), the firmware core's execution, the driver's
 * post-checks and the tail result copied back behind the rest.  Returns
 * 0 with the device's STS and ERR in cmd, or -EIO (extended status 106)
 * when the completion breaks the post-checks.
 */
static int emu_aes_execute(struct azihsm_fw *fw, struct azihsm_transport_aes_cmd *cmd)
{
	bool gcm = cmd->cipher == AZIHSM_TRANSPORT_AES_GCM;
	uint32_t tail = gcm && cmd->gcm.tail_protocol ? cmd->src_len % EMU_AES_BLOCK : 0;
	struct azihsm_fw_aes_cmd fc = {
		.src = cmd->src,
		.src_len = cmd->src_len - tail,
		.dst = cmd->dst,
		.dst_len = cmd->dst_len - tail,
		.tail_len = (uint8_t)tail,
	};
	struct azihsm_fw_aes_result res;
	struct azihsm_aes_sqe sqe;
	uint64_t tail_addr = (uint64_t)(uintptr_t)fc.tail;

	memset(&sqe, 0, sizeof(sqe));
	sqe.attr = htole16(AZIHSM_AES_ATTR(cmd->op, !gcm, gcm ? 0 : cmd->xts.data_unit));
	sqe.session_id = htole16(cmd->session_id);
	sqe.short_app_id = cmd->short_app_id;
	sqe.src_len = htole32(fc.src_len);
	emu_sgl(&sqe.src, fc.src, fc.src_len);
	sqe.dst_len = htole32(fc.dst_len);
	emu_sgl(&sqe.dst, fc.dst, fc.dst_len);
	sqe.frame_type = AZIHSM_AES_FRAME_TYPE_AES;
	if (gcm) {
		sqe.gcm.key_id = htole32(cmd->gcm.key_id);
		sqe.gcm.actual_aad_len = htole32(cmd->gcm.actual_aad_len);
		memcpy(sqe.gcm.tag, cmd->gcm.tag, sizeof(sqe.gcm.tag));
		memcpy(sqe.gcm.iv, cmd->gcm.iv, sizeof(sqe.gcm.iv));
		sqe.gcm.aligned_aad_len = htole32(cmd->gcm.aligned_aad_len);
		if (tail) {
			sqe.gcm.unaligned_src_len = (uint8_t)tail;
			sqe.gcm.unaligned_dst_len = (uint8_t)tail;
			/* One buffer both ways, as the driver's. */
			sqe.gcm.unaligned_src_lo = htole32((uint32_t)tail_addr);
			sqe.gcm.unaligned_src_hi = htole32((uint32_t)(tail_addr >> 32));
			sqe.gcm.unaligned_dst_lo = sqe.gcm.unaligned_src_lo;
			sqe.gcm.unaligned_dst_hi = sqe.gcm.unaligned_src_hi;
			memcpy(fc.tail, (const uint8_t *)cmd->src + fc.src_len, tail);
		}
	} else {
		sqe.xts.key_id1 = htole32(cmd->xts.key_id1);
		sqe.xts.key_id2 = htole32(cmd->xts.key_id2);
		memcpy(sqe.xts.tweak, cmd->xts.tweak, sizeof(sqe.xts.tweak));
	}
	fc.sqe = (const uint8_t *)&sqe;

	azihsm_fw_aes_execute(fw, &fc, &res);
	cmd->fips_approved = res.fips_approved != 0;
	if (res.sts || res.err) {
		cmd->result = res.sts;
		cmd->ext_status = res.err;
		explicit_bzero(fc.tail, sizeof(fc.tail));
		return 0;
	}
	if (res.len > fc.dst_len ||
	    (tail ? !res.unaligned_dst_len || res.unaligned_dst_len > tail :
		    res.unaligned_dst_len != 0)) {
		cmd->ext_status = AZIHSM_EXT_AES_DEVICE_ERROR;
		explicit_bzero(fc.tail, sizeof(fc.tail));
		return -EIO;
	}
	if (tail)
		memcpy((uint8_t *)cmd->dst + fc.src_len, fc.tail, tail);
	explicit_bzero(fc.tail, sizeof(fc.tail));
	cmd->byte_count = res.len + tail;
	if (gcm && cmd->op == AZIHSM_TRANSPORT_AES_ENCRYPT) {
		memcpy(cmd->tag_out, res.tag, sizeof(cmd->tag_out));
		memcpy(cmd->iv_out, res.iv, sizeof(cmd->iv_out));
	}
	return 0;
}

/* The AES ioctls on this file: the driver's checks, then the device. */
static int emu_aes_cmd(void *ctx, struct azihsm_transport_aes_cmd *cmd)
{
	struct emu_file *f = ctx;
	int ret;

	ret = emu_aes_validate(f, cmd);
	return ret ? ret : emu_aes_execute(f->emu->fw, cmd);
}

static int emu_dev_info(void *ctx, struct azihsm_identity *id)
{
	const struct azihsm_emu *emu = ((struct emu_file *)ctx)->emu;

	/* No PCI function and no driver: say so rather than invent them. */
	id->ctrl_id = emu->cfg.ctrl_id;
	snprintf(id->serial, sizeof(id->serial), "%s", emu->serial);
	snprintf(id->firmware_rev, sizeof(id->firmware_rev), "%s", emu->fw_rev);
	snprintf(id->driver_rev, sizeof(id->driver_rev), "emulated");
	memcpy(id->entropy, emu->entropy, sizeof(id->entropy));
	return 0;
}

/* The driver's release: a session the file still holds is flushed. */
static void emu_close(void *ctx)
{
	struct emu_file *f = ctx;
	struct azihsm_fw_session in = {
		.flags = AZIHSM_SESS_CLOSE | AZIHSM_SESS_ID_VALID,
		.id = f->sess_id,
	}, out;

	if (f->sess_valid)
		azihsm_fw_flush_session(f->emu->fw, &in, &out);
	emu_put(f->emu);
	free(f);
}

static const struct azihsm_transport_ops emu_transport = {
	.name = "emulated",
	.hsm_cmd = emu_hsm_cmd,
	.dev_info = emu_dev_info,
	.close = emu_close,
	.aes_cmd = emu_aes_cmd,
};

/* Printable ASCII, 1..32 characters: what Identify can carry. */
static bool emu_id_string_ok(const char *s)
{
	size_t len = strnlen(s, EMU_ID_MAX + 1);

	if (!len || len > EMU_ID_MAX)
		return false;
	for (; *s; s++)
		if (*s < 0x20 || *s > 0x7e)
			return false;
	return true;
}

int azihsm_emu_new(const struct azihsm_emu_config *cfg, struct azihsm_emu **emup)
{
	struct azihsm_fw_config fw_cfg;
	struct azihsm_emu *emu;

	if (!emup)
		return AZIHSM_ERR_INVALID_ARG;
	*emup = NULL;
	emu = calloc(1, sizeof(*emu));
	if (!emu)
		return AZIHSM_ERR_NO_MEMORY;
	if (cfg)
		emu->cfg = *cfg;
	if (!emu->cfg.ctrl_id)
		emu->cfg.ctrl_id = 1;
	if (!emu->cfg.key_tables)
		emu->cfg.key_tables = 1;
	if (!emu->cfg.serial)
		emu->cfg.serial = EMU_DEFAULT_SERIAL;
	if (!emu->cfg.fw_rev)
		emu->cfg.fw_rev = EMU_DEFAULT_FW_REV;
	if (!emu_id_string_ok(emu->cfg.serial) ||
	    !emu_id_string_ok(emu->cfg.fw_rev)) {
		free(emu);
		return AZIHSM_ERR_INVALID_ARG;
	}
	/* Own copies: the config's strings stay the caller's. */
	strcpy(emu->serial, emu->cfg.serial);
	strcpy(emu->fw_rev, emu->cfg.fw_rev);
	emu->cfg.serial = emu->serial;
	emu->cfg.fw_rev = emu->fw_rev;
	if (RAND_bytes(emu->entropy, sizeof(emu->entropy)) != 1) {
		free(emu);
		return AZIHSM_ERR_NO_MEMORY;
	}

	fw_cfg = (struct azihsm_fw_config){
		.ctrl_id = emu->cfg.ctrl_id,
		.key_tables = emu->cfg.key_tables,
		.serial = emu->serial,
		.fw_rev = emu->fw_rev,
		.clock = emu->cfg.clock,
		.clock_opaque = emu->cfg.clock_opaque,
		.test_ops = emu->cfg.test_ops,
	};
	emu->fw = azihsm_fw_new(&fw_cfg);
	if (!emu->fw) {
		free(emu);
		return AZIHSM_ERR_NO_MEMORY;
	}
	atomic_init(&emu->refs, 1);
	*emup = emu;
	return AZIHSM_OK;
}

int azihsm_emu_open(struct azihsm_emu *emu, struct azihsm_dev **devp)
{
	struct emu_file *f;
	char *label;
	int ret;

	if (!emu) {
		/* Records INVALID_ARG (and NULLs *devp) the library's way. */
		return azihsm_open_transport(NULL, NULL, devp);
	}
	f = calloc(1, sizeof(*f));
	if (!f || asprintf(&label, "emulated:%s", emu->serial) < 0) {
		free(f);
		/* Nothing recorded yet: open nothing, report NO_MEMORY. */
		if (devp)
			*devp = NULL;
		return AZIHSM_ERR_NO_MEMORY;
	}
	f->emu = emu;
	/* Named for what it is: not a device node, not a test double. */
	ret = azihsm_open_transport_labelled(&emu_transport, f, label, devp);
	free(label);
	if (ret) {
		free(f);
		return ret;
	}
	atomic_fetch_add(&emu->refs, 1);
	return AZIHSM_OK;
}

void azihsm_emu_free(struct azihsm_emu *emu)
{
	if (emu)
		emu_put(emu);
}

int azihsm_emu_identity_key(struct azihsm_emu *emu,
			    uint8_t point[AZIHSM_P384_POINT_LEN])
{
	if (!emu || !point)
		return AZIHSM_ERR_INVALID_ARG;
	return azihsm_fw_identity_public_key(emu->fw, point) ?
	       AZIHSM_ERR_INVALID_ARG : AZIHSM_OK;
}

void azihsm_emu_simulate_migration(struct azihsm_emu *emu)
{
	if (emu)
		azihsm_fw_simulate_migration(emu->fw);
}
