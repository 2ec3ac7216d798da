/*
 * QEMU model of the Azure Integrated HSM: the HSM (control path) command
 * set, whose commands go to the firmware core (hardware.md 6).  The AES
 * fast path (hardware.md 7) is in azihsm-aes.c.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "block/thread-pool.h"
#include "qemu/bswap.h"
#include "qemu/error-report.h"
#include "qemu/log.h"

#include "azihsm.h"

/*
 * The firmware core runs on a thread-pool thread, without the BQL: a
 * command may take long (key generation) and must stall neither the vCPUs
 * nor the main loop.  Only one call is ever in flight (s->fw_busy), so the
 * request/response buffers and s->fw_call are this thread's until
 * azihsm_fw_done() runs.
 */
static int azihsm_fw_work(void *opaque)
{
    AzihsmState *s = opaque;
    AzihsmFwCall *call = &s->fw_call;

    if (call->flush) {
        call->status = azihsm_fw_flush_session(s->fw, &call->in, &call->out);
    } else {
        call->status = azihsm_fw_execute(s->fw, s->req_buf, call->req_len,
                                         s->resp_buf, call->resp_cap,
                                         &call->resp_len, &call->in,
                                         &call->out);
    }
    return 0;
}

/* PRP1 and PRP2 are two data pages, never a PRP list (6.5). */
static bool azihsm_prps_aligned(uint64_t prp1, uint64_t prp2, uint32_t len)
{
    uint64_t page_mask = AZIHSM_PAGE_SIZE - 1;

    return !(prp1 & page_mask) &&
           (len <= AZIHSM_PAGE_SIZE || !(prp2 & page_mask));
}

/* Bytes [0, 4096) at PRP1, [4096, len) at PRP2. */
static bool azihsm_prp_xfer(AzihsmState *s, uint64_t prp1, uint64_t prp2,
                            uint8_t *buf, uint32_t len, DMADirection dir)
{
    uint32_t first = MIN(len, AZIHSM_PAGE_SIZE);

    return azihsm_dma(s, prp1, buf, first, dir) &&
           (len == first ||
            azihsm_dma(s, prp2, buf + first, len - first, dir));
}

/* Lengths 1..8192 each way; the model takes requests up to 8 KiB. */
static uint16_t azihsm_hsm_check_generic(const struct azihsm_hsm_sqe *sqe)
{
    uint32_t src_len = le32_to_cpu(sqe->src_len);
    uint32_t dst_len = le32_to_cpu(sqe->dst_len);

    if (src_len == 0 || src_len > AZIHSM_HSM_MAX_XFER) {
        qemu_log_mask(LOG_GUEST_ERROR, "azihsm: HSM SRC_LEN %u\n", src_len);
        return AZIHSM_HSM_SC_INVALID_SRC_LEN;
    }
    if (dst_len == 0 || dst_len > AZIHSM_HSM_MAX_XFER) {
        qemu_log_mask(LOG_GUEST_ERROR, "azihsm: HSM DST_LEN %u\n", dst_len);
        return AZIHSM_HSM_SC_INVALID_DST_LEN;
    }
    if (!azihsm_prps_aligned(le64_to_cpu(sqe->src_prp1),
                             le64_to_cpu(sqe->src_prp2), src_len)) {
        qemu_log_mask(LOG_GUEST_ERROR, "azihsm: HSM source PRP unaligned\n");
        return AZIHSM_HSM_SC_INVALID_SRC_PRP;
    }
    if (!azihsm_prps_aligned(le64_to_cpu(sqe->dst_prp1),
                             le64_to_cpu(sqe->dst_prp2), dst_len)) {
        qemu_log_mask(LOG_GUEST_ERROR,
                      "azihsm: HSM destination PRP unaligned\n");
        return AZIHSM_HSM_SC_INVALID_DST_PRP;
    }
    return AZIHSM_HSM_SC_SUCCESS;
}

/* Opcode 0 (6.6): validate and fetch the request for the firmware core. */
static uint16_t azihsm_hsm_generic(AzihsmState *s,
                                   const struct azihsm_hsm_sqe *sqe,
                                   AzihsmFwCall *call)
{
    uint16_t status = azihsm_hsm_check_generic(sqe);

    if (status) {
        return status;
    }
    call->req_len = le32_to_cpu(sqe->src_len);
    call->resp_cap = le32_to_cpu(sqe->dst_len);
    if (!azihsm_prp_xfer(s, le64_to_cpu(sqe->src_prp1),
                         le64_to_cpu(sqe->src_prp2), s->req_buf,
                         call->req_len, DMA_DIRECTION_TO_DEVICE)) {
        return AZIHSM_HSM_SC_DMA_TXN_ERROR;
    }
    return AZIHSM_HSM_SC_SUCCESS;
}

/* Opcode 0 (6.6) once the firmware core answered: response out. */
static uint16_t azihsm_hsm_generic_response(AzihsmState *s,
                                            const struct azihsm_hsm_sqe *sqe,
                                            AzihsmFwCall *call)
{
    if (call->status) {
        call->resp_len = 0;
        return call->status;
    }
    if (call->resp_len > call->resp_cap) {
        /* A firmware core bug; never read past what the host offered. */
        error_report_once("azihsm: firmware response of %zu bytes for a "
                          "%zu-byte buffer", call->resp_len, call->resp_cap);
        call->resp_len = 0;
        return AZIHSM_HSM_SC_INTERNAL_ERROR;
    }
    if (call->resp_len &&
        !azihsm_prp_xfer(s, le64_to_cpu(sqe->dst_prp1),
                         le64_to_cpu(sqe->dst_prp2), s->resp_buf,
                         call->resp_len, DMA_DIRECTION_FROM_DEVICE)) {
        call->resp_len = 0;
        return AZIHSM_HSM_SC_DMA_TXN_ERROR;
    }
    return AZIHSM_HSM_SC_SUCCESS;
}

/* The CQE fields after the command, with or without the firmware core. */
static void azihsm_hsm_fill_cqe(AzihsmCmd *cmd, const AzihsmFwCall *call)
{
    struct azihsm_hsm_sqe sqe;
    struct azihsm_hsm_cqe cqe = { 0 };

    memcpy(&sqe, cmd->sqe, sizeof(sqe));
    cqe.byte_count = cpu_to_le16(call->resp_len);
    cqe.sess_flags = call->out.flags;
    cqe.sess_id = cpu_to_le16(call->out.id);
    cqe.short_app_id = call->out.short_app_id;
    cqe.cid = cpu_to_le16(AZIHSM_HSM_CMD_CID(le32_to_cpu(sqe.cmd)));
    memcpy(cmd->cqe, &cqe, sizeof(cqe));
}

/* Thread-pool completion, in the main loop with the BQL. */
static void azihsm_fw_done(void *opaque, int ret)
{
    AzihsmState *s = opaque;
    AzihsmCmd *cmd = &s->cmd;
    AzihsmFwCall *call = &s->fw_call;
    uint16_t status = call->status;

    s->fw_busy = false;
    /* A stale command is dropped: the host may have freed its pages. */
    if (!azihsm_cmd_stale(s, cmd)) {
        if (!call->flush) {
            struct azihsm_hsm_sqe sqe;

            memcpy(&sqe, cmd->sqe, sizeof(sqe));
            status = azihsm_hsm_generic_response(s, &sqe, call);
        }
        azihsm_hsm_fill_cqe(cmd, call);
        azihsm_complete(s, cmd, status);
    }
    azihsm_kick(s);
}

/*
 * Test knob x-stall-commands: the firmware loses the first N valid generic
 * commands after realize.  Fetched, request read, never completed: the
 * driver's per-command timeout and level-1 abort are then exercised.  The
 * command keeps no state, so it is gone for good before any Delete SQ of
 * its queue and no CQE can ever follow that Delete SQ's (hardware.md 8.6).
 */
static bool azihsm_hsm_lose(AzihsmState *s)
{
    if (!s->stalls_left) {
        return false;
    }
    s->stalls_left--;
    return true;
}

bool azihsm_hsm_exec(AzihsmState *s, AzihsmCmd *cmd, uint16_t *status)
{
    struct azihsm_hsm_sqe sqe;
    AzihsmFwCall *call = &s->fw_call;
    uint32_t cmd_word;

    memcpy(&sqe, cmd->sqe, sizeof(sqe));
    cmd_word = le32_to_cpu(sqe.cmd);
    *call = (AzihsmFwCall) {
        .in.flags = sqe.sess_flags,
        .in.id = le16_to_cpu(sqe.sess_id),
    };

    if (AZIHSM_HSM_CMD_PSDT(cmd_word)) {
        qemu_log_mask(LOG_GUEST_ERROR, "azihsm: HSM PSDT %u\n",
                      AZIHSM_HSM_CMD_PSDT(cmd_word));
        *status = AZIHSM_HSM_SC_INVALID_PSDT;
    } else if (AZIHSM_HSM_CMD_SET(cmd_word)) {
        qemu_log_mask(LOG_GUEST_ERROR, "azihsm: HSM command set %u\n",
                      AZIHSM_HSM_CMD_SET(cmd_word));
        *status = AZIHSM_HSM_SC_INVALID_FIELD;
    } else if (AZIHSM_HSM_CMD_OPC(cmd_word) == AZIHSM_HSM_OP_GENERIC) {
        *status = azihsm_hsm_generic(s, &sqe, call);
        if (!*status && azihsm_hsm_lose(s)) {
            return true;    /* never completed */
        }
    } else if (AZIHSM_HSM_CMD_OPC(cmd_word) == AZIHSM_HSM_OP_FLUSH_SESSION) {
        /* No payload (6.8): the lengths and PRPs are not looked at. */
        call->flush = true;
        *status = AZIHSM_HSM_SC_SUCCESS;
    } else {
        qemu_log_mask(LOG_GUEST_ERROR, "azihsm: HSM opcode %u\n",
                      AZIHSM_HSM_CMD_OPC(cmd_word));
        *status = AZIHSM_HSM_SC_INVALID_OPCODE;
    }

    if (*status) {
        azihsm_hsm_fill_cqe(cmd, call);
        return false;
    }
    s->fw_busy = true;
    thread_pool_submit_aio(azihsm_fw_work, s, azihsm_fw_done, s);
    return true;
}
