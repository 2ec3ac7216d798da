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
	} else if (kind == AZIHSM_SESS_CLOSE && (out.flags & AZIHSM_SESS_CLOSED)) {
		f->sess_valid = false;
	}
	if (emu->cfg.response_hook)
		emu->cfg.response_hook(emu->cfg.response_hook_opaque, cmd->resp,
				       cmd->resp_len);
	return 0;
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
