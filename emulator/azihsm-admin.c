/*
 * QEMU model of the Azure Integrated HSM: the admin command set (queue 0),
 * with the firmware's validation rules (hardware.md 5).
 *
 * Admin commands are short and run entirely under the BQL.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/bswap.h"
#include "qemu/log.h"

#include "azihsm.h"

#define AZIHSM_CP_MDTS          13      /* log2(8 KiB) */
#define AZIHSM_FP_MDTS          13
#define AZIHSM_CP_MAXCMD        2
#define AZIHSM_FP_MAXCMD        4
#define AZIHSM_CTRL_TYPE        1
#define AZIHSM_MQES             1023    /* CAP.MQES: largest QSIZE */

/*
 * Runtime firmware capabilities (Get Features 0xC2): the AES fast path
 * implements the GCM tail protocol (hardware.md 7.10), so the driver may
 * send GCM commands whose length is not a multiple of 16; and the device
 * has the azihsm extensions (azihsm/hw.h, admin opcodes 0xE0..0xE2).
 */
#define AZIHSM_DEV_FW_CAPS      (AZIHSM_FW_CAP_GCM_TAIL | AZIHSM_FW_CAP_EXT)

typedef struct AzihsmAdminCmd {
    uint8_t opcode;
    uint64_t prp1;
    uint32_t cdw10;
    uint32_t cdw11;
} AzihsmAdminCmd;

/* The FW's queue ID checks shared by Create/Delete SQ/CQ (5.5). */
static uint16_t azihsm_admin_check_qid(AzihsmState *s, uint16_t qid)
{
    if (!azihsm_qid_in_range(qid)) {
        qemu_log_mask(LOG_GUEST_ERROR, "azihsm: invalid queue ID %u\n", qid);
        return AZIHSM_ADMIN_SC_INVALID_QUEUE_ID;
    }
    if (!azihsm_qid_owned(s, qid)) {
        qemu_log_mask(LOG_GUEST_ERROR,
                      "azihsm: queue %u beyond the function's %u resources\n",
                      qid, s->resources);
        return AZIHSM_ADMIN_SC_INTERNAL_ERROR;
    }
    return AZIHSM_ADMIN_SC_SUCCESS;
}

/* PC and QSIZE, first in the FW's checks of both Create commands. */
static uint16_t azihsm_admin_check_create(const AzihsmAdminCmd *cmd)
{
    uint32_t qsize = cmd->cdw10 >> 16;

    if (!(cmd->cdw11 & AZIHSM_QUEUE_PC)) {
        qemu_log_mask(LOG_GUEST_ERROR,
                      "azihsm: queue not physically contiguous\n");
        return AZIHSM_ADMIN_SC_INTERNAL_ERROR;
    }
    if (qsize == 0 || qsize > AZIHSM_MQES) {
        qemu_log_mask(LOG_GUEST_ERROR, "azihsm: invalid queue size %u\n",
                      qsize);
        return AZIHSM_ADMIN_SC_INVALID_QUEUE_SIZE;
    }
    return AZIHSM_ADMIN_SC_SUCCESS;
}

static bool azihsm_admin_page_aligned(uint64_t addr)
{
    if (addr & (AZIHSM_PAGE_SIZE - 1)) {
        qemu_log_mask(LOG_GUEST_ERROR,
                      "azihsm: admin PRP1 0x%" PRIx64 " not page aligned\n",
                      addr);
        return false;
    }
    return true;
}

static uint16_t azihsm_admin_create_cq(AzihsmState *s,
                                       const AzihsmAdminCmd *cmd)
{
    uint16_t qid = extract32(cmd->cdw10, 0, 16);
    uint16_t vector = extract32(cmd->cdw11, 16, 16);
    bool irq_enabled = cmd->cdw11 & AZIHSM_CQ_IEN;
    uint16_t status;

    status = azihsm_admin_check_create(cmd);
    if (!status) {
        status = azihsm_admin_check_qid(s, qid);
    }
    if (status) {
        return status;
    }
    if (irq_enabled) {
        bool hsm = azihsm_qid_kind(qid) == AZIHSM_QUEUE_HSM;
        uint16_t first = hsm ? AZIHSM_HSM_VECTOR_FIRST
                             : AZIHSM_AES_VECTOR_FIRST;
        uint16_t last = hsm ? AZIHSM_HSM_VECTOR_LAST : AZIHSM_AES_VECTOR_LAST;

        if (vector < first || vector > last) {
            qemu_log_mask(LOG_GUEST_ERROR,
                          "azihsm: CQ %u vector %u outside %u..%u\n",
                          qid, vector, first, last);
            return AZIHSM_ADMIN_SC_INVALID_VECTOR;
        }
        /* In its range, but beyond the table (msix-vectors < 32). */
        if (vector >= s->msix_vectors) {
            qemu_log_mask(LOG_GUEST_ERROR,
                          "azihsm: CQ %u vector %u, the function has %u\n",
                          qid, vector, s->msix_vectors);
            return AZIHSM_ADMIN_SC_INVALID_VECTOR;
        }
    }
    if (s->cq[qid].created) {
        qemu_log_mask(LOG_GUEST_ERROR, "azihsm: CQ %u already exists\n", qid);
        return AZIHSM_ADMIN_SC_INTERNAL_ERROR;
    }
    if (!azihsm_admin_page_aligned(cmd->prp1)) {
        return AZIHSM_ADMIN_SC_INVALID_FIELD;
    }
    azihsm_create_cq(s, qid, cmd->prp1, (cmd->cdw10 >> 16) + 1,
                     irq_enabled, vector);
    return AZIHSM_ADMIN_SC_SUCCESS;
}

static uint16_t azihsm_admin_create_sq(AzihsmState *s,
                                       const AzihsmAdminCmd *cmd)
{
    uint16_t qid = extract32(cmd->cdw10, 0, 16);
    uint16_t cqid = extract32(cmd->cdw11, 16, 16);
    uint16_t status;

    status = azihsm_admin_check_create(cmd);
    if (status) {
        return status;
    }
    if (cqid == 0) {
        qemu_log_mask(LOG_GUEST_ERROR, "azihsm: SQ %u with CQID 0\n", qid);
        return AZIHSM_ADMIN_SC_INVALID_CQ_ID;
    }
    status = azihsm_admin_check_qid(s, qid);
    if (status) {
        return status;
    }
    /* The FW routes an SQ's completions to the CQ of the same ID. */
    if (cqid != qid) {
        qemu_log_mask(LOG_GUEST_ERROR,
                      "azihsm: SQ %u must complete to CQ %u, not %u\n",
                      qid, qid, cqid);
        return AZIHSM_ADMIN_SC_INVALID_CQ_ID;
    }
    if (!s->cq[qid].created) {
        qemu_log_mask(LOG_GUEST_ERROR, "azihsm: SQ %u before its CQ\n", qid);
        return AZIHSM_ADMIN_SC_INTERNAL_ERROR;
    }
    if (s->sq[qid].created) {
        qemu_log_mask(LOG_GUEST_ERROR, "azihsm: SQ %u already exists\n", qid);
        return AZIHSM_ADMIN_SC_INTERNAL_ERROR;
    }
    if (!azihsm_admin_page_aligned(cmd->prp1)) {
        return AZIHSM_ADMIN_SC_INVALID_FIELD;
    }
    azihsm_create_sq(s, qid, cmd->prp1, (cmd->cdw10 >> 16) + 1);
    return AZIHSM_ADMIN_SC_SUCCESS;
}

static uint16_t azihsm_admin_delete_sq(AzihsmState *s,
                                       const AzihsmAdminCmd *cmd)
{
    uint16_t qid = extract32(cmd->cdw10, 0, 16);
    uint16_t status = azihsm_admin_check_qid(s, qid);

    if (status) {
        return status;
    }
    if (!s->sq[qid].created) {
        qemu_log_mask(LOG_GUEST_ERROR, "azihsm: delete of absent SQ %u\n",
                      qid);
        return AZIHSM_ADMIN_SC_INTERNAL_ERROR;
    }
    azihsm_delete_sq(s, qid);
    return AZIHSM_ADMIN_SC_SUCCESS;
}

static uint16_t azihsm_admin_delete_cq(AzihsmState *s,
                                       const AzihsmAdminCmd *cmd)
{
    uint16_t qid = extract32(cmd->cdw10, 0, 16);
    uint16_t status = azihsm_admin_check_qid(s, qid);

    if (status) {
        return status;
    }
    if (s->sq[qid].created) {
        qemu_log_mask(LOG_GUEST_ERROR,
                      "azihsm: delete of CQ %u with its SQ attached\n", qid);
        return AZIHSM_ADMIN_SC_INVALID_QUEUE_DELETE;
    }
    if (!s->cq[qid].created) {
        qemu_log_mask(LOG_GUEST_ERROR, "azihsm: delete of absent CQ %u\n",
                      qid);
        return AZIHSM_ADMIN_SC_INTERNAL_ERROR;
    }
    azihsm_delete_cq(s, qid);
    return AZIHSM_ADMIN_SC_SUCCESS;
}

/* Text fields are NUL padded, not NUL terminated (5.6). */
static void azihsm_id_string(char *field, size_t size, const char *text)
{
    memset(field, 0, size);
    memcpy(field, text, MIN(strlen(text), size));
}

/*
 * Like the FW, CNS is ignored: the controller structure is always
 * returned, followed by zeros to the end of the page.
 */
static uint16_t azihsm_admin_identify(AzihsmState *s,
                                      const AzihsmAdminCmd *cmd)
{
    uint8_t page[AZIHSM_PAGE_SIZE] = { 0 };
    struct azihsm_identify id = {
        .vid = cpu_to_le16(AZIHSM_PCI_VENDOR_ID),
        .ssvid = cpu_to_le16(AZIHSM_PCI_VENDOR_ID),
        .cp_mdts = AZIHSM_CP_MDTS,
        .ctrl_id = cpu_to_le16(AZIHSM_CTRL_ID),
        .cp_sqes = AZIHSM_ID_CP_SQES,
        .cp_cqes = AZIHSM_ID_CP_CQES,
        .cp_maxcmd = cpu_to_le16(AZIHSM_CP_MAXCMD),
        .fp_mdts = AZIHSM_FP_MDTS,
        .fp_sqes = AZIHSM_ID_FP_SQES,
        .fp_cqes = AZIHSM_ID_FP_CQES,
        .fp_maxcmd = cpu_to_le16(AZIHSM_FP_MAXCMD),
        .ver = cpu_to_le32(AZIHSM_VS_VALUE),
        .ctrl_type = AZIHSM_CTRL_TYPE,
    };

    if (!azihsm_admin_page_aligned(cmd->prp1)) {
        return AZIHSM_ADMIN_SC_INVALID_FIELD;
    }
    azihsm_id_string(id.sn, sizeof(id.sn), s->serial);
    azihsm_id_string(id.fr, sizeof(id.fr), AZIHSM_FW_REV);
    memcpy(page, &id, sizeof(id));
    if (!azihsm_dma(s, cmd->prp1, page, sizeof(page),
                    DMA_DIRECTION_FROM_DEVICE)) {
        return AZIHSM_ADMIN_SC_DATA_TRANSFER_ERROR;
    }
    return AZIHSM_ADMIN_SC_SUCCESS;
}

/* Queue counts are reported 0-based in both halves (5.7). */
static uint32_t azihsm_queue_count_result(uint32_t count)
{
    return ((count - 1) << 16) | (count - 1);
}

/* Set and Get Features share the FIDs; the FW ignores Set's value. */
static uint16_t azihsm_admin_features(AzihsmState *s,
                                      const AzihsmAdminCmd *cmd,
                                      uint32_t *result)
{
    bool set = cmd->opcode == AZIHSM_ADMIN_SET_FEATURES;
    uint8_t fid = extract32(cmd->cdw10, 0, 8);

    switch (fid) {
    case AZIHSM_FEAT_HSM_QUEUE_COUNT:
    case AZIHSM_FEAT_AES_QUEUE_COUNT:
        if (s->resources == 0) {
            qemu_log_mask(LOG_GUEST_ERROR,
                          "azihsm: queue count asked with no resources\n");
            return AZIHSM_ADMIN_SC_INVALID_FIELD;
        }
        *result = azihsm_queue_count_result(
            fid == AZIHSM_FEAT_HSM_QUEUE_COUNT ? s->resources
                                               : 2 * s->resources);
        return AZIHSM_ADMIN_SC_SUCCESS;
    case AZIHSM_FEAT_FW_CAPS:
        if (set) {
            qemu_log_mask(LOG_GUEST_ERROR,
                          "azihsm: firmware capabilities are read-only\n");
            return AZIHSM_ADMIN_SC_INVALID_FIELD;
        }
        *result = AZIHSM_DEV_FW_CAPS;
        return AZIHSM_ADMIN_SC_SUCCESS;
    default:
        qemu_log_mask(LOG_GUEST_ERROR, "azihsm: unknown feature 0x%02x\n",
                      fid);
        return AZIHSM_ADMIN_SC_INVALID_OPCODE;
    }
}

/* Only the PF may set resource counts; this function is a VF (5.5.8). */
static uint16_t azihsm_admin_resource_count(AzihsmState *s,
                                            const AzihsmAdminCmd *cmd,
                                            uint32_t *result)
{
    if (cmd->opcode == AZIHSM_ADMIN_SET_RES_CNT) {
        qemu_log_mask(LOG_GUEST_ERROR,
                      "azihsm: Set Resource Count from a VF\n");
        return AZIHSM_ADMIN_SC_INVALID_OPCODE;
    }
    if (cmd->cdw10 != AZIHSM_CTRL_ID) {
        qemu_log_mask(LOG_GUEST_ERROR,
                      "azihsm: resource count of controller %u\n",
                      cmd->cdw10);
        return AZIHSM_ADMIN_SC_INVALID_FIELD;
    }
    *result = s->resources;
    return AZIHSM_ADMIN_SC_SUCCESS;
}

/* ---- azihsm extensions (azihsm/hw.h): not in the real interface ---- */

/* GET_RANDOM: CDW10 bytes from the firmware core's DRBG to PRP1. */
static uint16_t azihsm_admin_ext_random(AzihsmState *s,
                                        const AzihsmAdminCmd *cmd)
{
    uint8_t buf[AZIHSM_EXT_RANDOM_MAX];
    uint32_t len = cmd->cdw10;

    if (len == 0 || len > AZIHSM_EXT_RANDOM_MAX) {
        qemu_log_mask(LOG_GUEST_ERROR,
                      "azihsm: random length %u not in 1..%u\n", len,
                      AZIHSM_EXT_RANDOM_MAX);
        return AZIHSM_ADMIN_SC_INVALID_FIELD;
    }
    if (!azihsm_admin_page_aligned(cmd->prp1)) {
        return AZIHSM_ADMIN_SC_INVALID_FIELD;
    }
    if (azihsm_fw_ext_random(s->fw, buf, len)) {
        return AZIHSM_ADMIN_SC_INTERNAL_ERROR;
    }
    if (!azihsm_dma(s, cmd->prp1, buf, len, DMA_DIRECTION_FROM_DEVICE)) {
        return AZIHSM_ADMIN_SC_DATA_TRANSFER_ERROR;
    }
    return AZIHSM_ADMIN_SC_SUCCESS;
}

/*
 * KEY_IMPORT: CDW10 bits 7:0 cipher, 15:8 length; the key at the start of
 * the PRP1 page.  The core checks cipher and length; the CQE result is
 * the kernel key id.
 */
static uint16_t azihsm_admin_ext_key_import(AzihsmState *s,
                                            const AzihsmAdminCmd *cmd,
                                            uint32_t *result)
{
    uint8_t cipher = extract32(cmd->cdw10, 0, 8);
    uint8_t len = extract32(cmd->cdw10, 8, 8);
    uint8_t key[AZIHSM_EXT_KEY_MAX];
    uint16_t status;

    if (len == 0 || len > sizeof(key) || cmd->cdw10 >> 16) {
        qemu_log_mask(LOG_GUEST_ERROR,
                      "azihsm: kernel key import CDW10 0x%08x\n", cmd->cdw10);
        return AZIHSM_ADMIN_SC_INVALID_FIELD;
    }
    if (!azihsm_admin_page_aligned(cmd->prp1)) {
        return AZIHSM_ADMIN_SC_INVALID_FIELD;
    }
    if (!azihsm_dma(s, cmd->prp1, key, len, DMA_DIRECTION_TO_DEVICE)) {
        explicit_bzero(key, sizeof(key));   /* part of it may have come */
        return AZIHSM_ADMIN_SC_DATA_TRANSFER_ERROR;
    }
    status = azihsm_fw_ext_key_import(s->fw, cipher, key, len, result);
    explicit_bzero(key, sizeof(key));   /* the core holds the only copy now */
    if (status == AZIHSM_ADMIN_SC_INVALID_FIELD) {
        qemu_log_mask(LOG_GUEST_ERROR,
                      "azihsm: kernel key of cipher %u, %u bytes\n",
                      cipher, len);
    } else if (status != AZIHSM_ADMIN_SC_SUCCESS) {
        qemu_log_mask(LOG_GUEST_ERROR, "azihsm: kernel key store full\n");
    }
    return status;
}

static uint16_t azihsm_admin_ext_key_delete(AzihsmState *s,
                                            const AzihsmAdminCmd *cmd)
{
    uint16_t status = azihsm_fw_ext_key_delete(s->fw, cmd->cdw10);

    if (status != AZIHSM_ADMIN_SC_SUCCESS) {
        qemu_log_mask(LOG_GUEST_ERROR, "azihsm: no kernel key 0x%08x\n",
                      cmd->cdw10);
    }
    return status;
}

uint16_t azihsm_admin_exec(AzihsmState *s, AzihsmCmd *cmd)
{
    struct azihsm_admin_sqe sqe;
    struct azihsm_admin_cqe cqe = { 0 };
    AzihsmAdminCmd admin;
    uint32_t result = 0;
    uint16_t status;

    memcpy(&sqe, cmd->sqe, sizeof(sqe));
    admin = (AzihsmAdminCmd) {
        .opcode = sqe.opcode,
        .prp1 = le64_to_cpu(sqe.prp1),
        .cdw10 = le32_to_cpu(sqe.cdw10),
        .cdw11 = le32_to_cpu(sqe.cdw11),
    };

    switch (admin.opcode) {
    case AZIHSM_ADMIN_DELETE_SQ:
        status = azihsm_admin_delete_sq(s, &admin);
        break;
    case AZIHSM_ADMIN_CREATE_SQ:
        status = azihsm_admin_create_sq(s, &admin);
        break;
    case AZIHSM_ADMIN_DELETE_CQ:
        status = azihsm_admin_delete_cq(s, &admin);
        break;
    case AZIHSM_ADMIN_CREATE_CQ:
        status = azihsm_admin_create_cq(s, &admin);
        break;
    case AZIHSM_ADMIN_IDENTIFY:
        status = azihsm_admin_identify(s, &admin);
        break;
    case AZIHSM_ADMIN_SET_FEATURES:
    case AZIHSM_ADMIN_GET_FEATURES:
        status = azihsm_admin_features(s, &admin, &result);
        break;
    case AZIHSM_ADMIN_SET_RES_CNT:
    case AZIHSM_ADMIN_GET_RES_CNT:
        status = azihsm_admin_resource_count(s, &admin, &result);
        break;
    case AZIHSM_ADMIN_EXT_GET_RANDOM:
        status = azihsm_admin_ext_random(s, &admin);
        break;
    case AZIHSM_ADMIN_EXT_KEY_IMPORT:
        status = azihsm_admin_ext_key_import(s, &admin, &result);
        break;
    case AZIHSM_ADMIN_EXT_KEY_DELETE:
        status = azihsm_admin_ext_key_delete(s, &admin);
        break;
    default:
        /* Including Abort (0x08), which the FW does not implement. */
        qemu_log_mask(LOG_GUEST_ERROR, "azihsm: admin opcode 0x%02x\n",
                      admin.opcode);
        status = AZIHSM_ADMIN_SC_INVALID_OPCODE;
        break;
    }

    cqe.result = cpu_to_le32(result);
    cqe.cid = sqe.cid;
    memcpy(cmd->cqe, &cqe, sizeof(cqe));
    return status;
}
