/*
 * QEMU model of the Azure Integrated HSM: the I/O command sets.  HSM
 * (control path) commands go to the firmware core (hardware.md 6); AES
 * (fast path) commands are accepted and failed (hardware.md 7).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/bswap.h"
#include "qemu/log.h"
#include "qemu/main-loop.h"

#include "azihsm.h"

/* One firmware core entry point, with its arguments and results. */
typedef struct AzihsmFwCall {
    bool flush;
    size_t req_len;
    size_t resp_cap;
    size_t resp_len;
    struct azihsm_fw_session in;
    struct azihsm_fw_session out;
} AzihsmFwCall;

/*
 * The firmware core runs without the BQL: a command may take long (key
 * generation) and must not stall the vCPUs.  Only the worker calls it,
 * so the request/response buffers are the worker's own.
 */
static uint16_t azihsm_fw_call(AzihsmState *s, AzihsmFwCall *call)
{
    uint16_t status;

    bql_unlock();
    if (call->flush) {
        status = azihsm_fw_flush_session(s->fw, &call->in, &call->out);
    } else {
        status = azihsm_fw_execute(s->fw, s->req_buf, call->req_len,
                                   s->resp_buf, call->resp_cap,
                                   &call->resp_len, &call->in, &call->out);
    }
    bql_lock();
    return status;
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

/* Opcode 0 (6.6): request in, firmware core, response out. */
static uint16_t azihsm_hsm_generic(AzihsmState *s, const AzihsmCmd *cmd,
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

    status = azihsm_fw_call(s, call);
    if (status || azihsm_cmd_stale(s, cmd)) {
        /* A stale command is dropped: its pages may be gone. */
        call->resp_len = 0;
        return status;
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

uint16_t azihsm_hsm_exec(AzihsmState *s, AzihsmCmd *cmd)
{
    struct azihsm_hsm_sqe sqe;
    struct azihsm_hsm_cqe cqe = { 0 };
    AzihsmFwCall call = { 0 };
    uint32_t cmd_word;
    uint16_t status;

    memcpy(&sqe, cmd->sqe, sizeof(sqe));
    cmd_word = le32_to_cpu(sqe.cmd);
    call.in.flags = sqe.sess_flags;
    call.in.id = le16_to_cpu(sqe.sess_id);

    if (AZIHSM_HSM_CMD_PSDT(cmd_word)) {
        qemu_log_mask(LOG_GUEST_ERROR, "azihsm: HSM PSDT %u\n",
                      AZIHSM_HSM_CMD_PSDT(cmd_word));
        status = AZIHSM_HSM_SC_INVALID_PSDT;
    } else if (AZIHSM_HSM_CMD_SET(cmd_word)) {
        qemu_log_mask(LOG_GUEST_ERROR, "azihsm: HSM command set %u\n",
                      AZIHSM_HSM_CMD_SET(cmd_word));
        status = AZIHSM_HSM_SC_INVALID_FIELD;
    } else if (AZIHSM_HSM_CMD_OPC(cmd_word) == AZIHSM_HSM_OP_GENERIC) {
        status = azihsm_hsm_generic(s, cmd, &sqe, &call);
    } else if (AZIHSM_HSM_CMD_OPC(cmd_word) == AZIHSM_HSM_OP_FLUSH_SESSION) {
        /* No payload (6.8): the lengths and PRPs are not looked at. */
        call.flush = true;
        status = azihsm_fw_call(s, &call);
    } else {
        qemu_log_mask(LOG_GUEST_ERROR, "azihsm: HSM opcode %u\n",
                      AZIHSM_HSM_CMD_OPC(cmd_word));
        status = AZIHSM_HSM_SC_INVALID_OPCODE;
    }

    cqe.byte_count = cpu_to_le16(call.resp_len);
    cqe.sess_flags = call.out.flags;
    cqe.sess_id = cpu_to_le16(call.out.id);
    cqe.short_app_id = call.out.short_app_id;
    cqe.cid = cpu_to_le16(AZIHSM_HSM_CMD_CID(cmd_word));
    memcpy(cmd->cqe, &cqe, sizeof(cqe));
    return status;
}

/*
 * The fast path is not modelled: every AES command completes at once
 * with STS FETCH_ERROR / ERR "invalid opcode", so the driver fails the
 * ioctl instead of timing out and escalating to a queue abort.
 */
uint16_t azihsm_aes_exec(AzihsmState *s, AzihsmCmd *cmd)
{
    qemu_log_mask(LOG_UNIMP, "azihsm: AES command not modelled\n");
    memcpy(cmd->cqe + AZIHSM_AES_CQE_ATTR, cmd->sqe + AZIHSM_AES_SQE_ATTR, 2);
    memcpy(cmd->cqe + AZIHSM_AES_CQE_CID, cmd->sqe + AZIHSM_AES_SQE_CID, 2);
    stw_le_p(cmd->cqe + AZIHSM_AES_CQE_ERR, AZIHSM_AES_ERR_INVALID_OPCODE);
    return AZIHSM_AES_STS_FETCH_ERROR;
}
