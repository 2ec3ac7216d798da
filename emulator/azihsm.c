/*
 * QEMU model of the Azure Integrated HSM (PCI 1414:C003).
 *
 * An NVMe-like controller: BAR0 holds the controller registers, BAR2 the
 * doorbells, BAR4 the MSI-X table.  Queue 0 is the admin queue, queues
 * 1.. carry HSM (control path) commands that the firmware core in fw/
 * executes, queues 256.. are the AES fast path.  The model looks like a
 * virtual function of the real device: no SR-IOV capability, controller
 * ID 1, its resource count fixed by the "resources" property.
 *
 * Commands never run in the MMIO handlers: a doorbell write only records
 * the new index and schedules a BH, which fetches, DMAs and posts
 * completions in the main loop.  The firmware core runs on a thread-pool
 * thread: one HSM command at a time, and one AES command per AES queue in
 * parallel (azihsm-aes.c).  See Documentation/device-interface.md.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/bitops.h"
#include "qemu/bswap.h"
#include "qemu/log.h"
#include "qemu/main-loop.h"
#include "qemu/module.h"
#include "qapi/error.h"
#include "block/aio-wait.h"
#include "hw/pci/msix.h"
#include "hw/pci/pci.h"
#include "hw/qdev-properties.h"
#include "migration/vmstate.h"

#include "azihsm.h"

#define AZIHSM_DEFAULT_SERIAL   "AZIHSM-EMU-0001"

/*
 * CAP: MQES 1023, CQR, AMS bit 17, TO 20 (10 s), DSTRD 0, NSSRS
 * (hardware.md 2.2).
 */
#define AZIHSM_CAP_VALUE        0x00000010140303ffULL
/* Live migration supported, SVN reported (hardware.md 2.6). */
#define AZIHSM_FWCAP_VALUE      0x00000003
#define AZIHSM_INTM_MASK        0xf
/* ASQ/ACQ bits 11:0 are reserved: the queues are page aligned. */
#define AZIHSM_AQ_BASE_MASK     (~(uint64_t)(AZIHSM_PAGE_SIZE - 1))

/* ---- Queue IDs ---- */

AzihsmQueueKind azihsm_qid_kind(uint16_t qid)
{
    if (qid == AZIHSM_ADMIN_QID) {
        return AZIHSM_QUEUE_ADMIN;
    }
    return qid < AZIHSM_AES_QID_FIRST ? AZIHSM_QUEUE_HSM : AZIHSM_QUEUE_AES;
}

/* The I/O queue ranges of the real device, whatever the resources. */
bool azihsm_qid_in_range(uint16_t qid)
{
    return (qid >= AZIHSM_HSM_QID_FIRST && qid <= AZIHSM_HSM_QID_LAST) ||
           (qid >= AZIHSM_AES_QID_FIRST && qid <= AZIHSM_AES_QID_LAST);
}

/* One resource = HSM queue 1 + r and AES queues 256 + 2r, 257 + 2r. */
bool azihsm_qid_owned(AzihsmState *s, uint16_t qid)
{
    switch (azihsm_qid_kind(qid)) {
    case AZIHSM_QUEUE_HSM:
        return qid - AZIHSM_HSM_QID_FIRST < s->resources;
    case AZIHSM_QUEUE_AES:
        return qid - AZIHSM_AES_QID_FIRST < 2 * s->resources;
    default:
        return false;
    }
}

/* ---- DMA ---- */

bool azihsm_dma(AzihsmState *s, dma_addr_t addr, void *buf, dma_addr_t len,
                DMADirection dir)
{
    if (pci_dma_rw(PCI_DEVICE(s), addr, buf, len, dir,
                   MEMTXATTRS_UNSPECIFIED) != MEMTX_OK) {
        qemu_log_mask(LOG_GUEST_ERROR,
                      "azihsm: DMA %s of %" PRIu64 " bytes at 0x%" PRIx64
                      " failed\n",
                      dir == DMA_DIRECTION_TO_DEVICE ? "read" : "write",
                      (uint64_t)len, (uint64_t)addr);
        return false;
    }
    return true;
}

/* ---- Queues ---- */

static uint32_t azihsm_sqe_size(AzihsmQueueKind kind)
{
    return kind == AZIHSM_QUEUE_AES ? AZIHSM_AES_SQE_SIZE
                                    : AZIHSM_HSM_SQE_SIZE;
}

static uint32_t azihsm_cqe_size(AzihsmQueueKind kind)
{
    return kind == AZIHSM_QUEUE_AES ? AZIHSM_AES_CQE_SIZE
                                    : AZIHSM_HSM_CQE_SIZE;
}

void azihsm_create_cq(AzihsmState *s, uint16_t qid, dma_addr_t base,
                      uint32_t size, bool irq_enabled, uint16_t vector)
{
    AzihsmCQ *cq = &s->cq[qid];

    *cq = (AzihsmCQ) {
        .created = true,
        .irq_enabled = irq_enabled,
        .phase = true,          /* P = 1 on the first pass (4.3) */
        .vector = vector,
        .size = size,
        .entry_size = azihsm_cqe_size(azihsm_qid_kind(qid)),
        .base = base,
    };
}

/* The SQ completes to the CQ of the same ID, which must exist. */
void azihsm_create_sq(AzihsmState *s, uint16_t qid, dma_addr_t base,
                      uint32_t size)
{
    AzihsmSQ *sq = &s->sq[qid];

    *sq = (AzihsmSQ) {
        .created = true,
        .kind = azihsm_qid_kind(qid),
        .qid = qid,
        .cqid = qid,
        .size = size,
        .entry_size = azihsm_sqe_size(azihsm_qid_kind(qid)),
        .base = base,
    };
}

/*
 * Admin and HSM commands are fetched one at a time and completed before
 * the next fetch (azihsm_process_pass), so a deleted HSM SQ has no command
 * in flight: its Delete SQ CQE is the last word about it (hardware.md
 * 8.6).  A command the firmware lost (x-stall-commands) holds nothing and
 * was dropped for good when it was lost.  An AES command still in the
 * firmware core is completed now with STS DELETE_QUEUE, as the AES engine
 * does, so no CQE of it can follow the Delete SQ CQE.  Entries the host
 * queued but the device never fetched are dropped.
 */
void azihsm_delete_sq(AzihsmState *s, uint16_t qid)
{
    AzihsmSQ *sq = &s->sq[qid];

    if (sq->aes_job) {
        azihsm_aes_flush(s, sq);
    }
    sq->created = false;
}

void azihsm_delete_cq(AzihsmState *s, uint16_t qid)
{
    s->cq[qid].created = false;
}

static bool azihsm_cq_full(const AzihsmCQ *cq)
{
    return (cq->tail + 1) % cq->size == cq->head;
}

static bool azihsm_ready(AzihsmState *s)
{
    return (s->csts & (AZIHSM_CSTS_RDY | AZIHSM_CSTS_CFS)) ==
           AZIHSM_CSTS_RDY;
}

/*
 * A fatal condition the host cannot be told about through a CQE (the
 * device cannot read an SQE or write a CQE): report CSTS.CFS and stop
 * processing until the host disables the controller (hardware.md 2.14).
 */
static void azihsm_set_fatal(AzihsmState *s, const char *why)
{
    qemu_log_mask(LOG_GUEST_ERROR, "azihsm: %s: controller fatal status\n",
                  why);
    s->csts |= AZIHSM_CSTS_CFS;
}

bool azihsm_cmd_stale(AzihsmState *s, const AzihsmCmd *cmd)
{
    return s->stopping || cmd->generation != s->generation;
}

/* May @cmd still touch guest memory and post its CQE? */
bool azihsm_cmd_live(AzihsmState *s, const AzihsmCmd *cmd)
{
    return !azihsm_cmd_stale(s, cmd) && cmd->sq->created && azihsm_ready(s);
}

/*
 * Post the completion of @cmd on the CQ of its SQ; the fetch checked that
 * the CQ had room, and only the host's CQ head doorbell changes that.
 * The status word (with P) is written last so the
 * host never sees a new phase on a partly written entry (hardware.md 4.3).
 */
static void azihsm_post_cqe(AzihsmState *s, AzihsmCmd *cmd, uint16_t status)
{
    AzihsmSQ *sq = cmd->sq;
    AzihsmCQ *cq = &s->cq[sq->cqid];
    uint32_t size = cq->entry_size;
    uint8_t *cqe = cmd->cqe;
    dma_addr_t addr = cq->base + (dma_addr_t)cq->tail * size;

    stw_le_p(cqe + size - AZIHSM_CQE_SQHD_FROM_END, sq->head);
    stw_le_p(cqe + size - AZIHSM_CQE_SQID_FROM_END, sq->qid);
    stw_le_p(cqe + size - AZIHSM_CQE_STATUS_FROM_END,
             (status << 1) | cq->phase);

    /* pci_dma_rw() orders the two writes: the body before the phase. */
    if (!azihsm_dma(s, addr, cqe, size - 4, DMA_DIRECTION_FROM_DEVICE) ||
        !azihsm_dma(s, addr + size - 4, cqe + size - 4, 4,
                    DMA_DIRECTION_FROM_DEVICE)) {
        azihsm_set_fatal(s, "cannot write a completion entry");
        return;
    }

    cq->tail++;
    if (cq->tail == cq->size) {
        cq->tail = 0;
        cq->phase = !cq->phase;
    }
    if (cq->irq_enabled) {
        msix_notify(PCI_DEVICE(s), cq->vector);
    }
}

/*
 * The last step of every command: post its CQE unless the controller was
 * reset (or hit fatal status) since the fetch, in which case the queues it
 * came from are gone and it is dropped.
 */
void azihsm_complete(AzihsmState *s, AzihsmCmd *cmd, uint16_t status)
{
    if (!azihsm_cmd_live(s, cmd)) {
        return;
    }
    azihsm_post_cqe(s, cmd, status);
}

/* Fetch and execute the command at the head of @sq. */
static void azihsm_process_one(AzihsmState *s, AzihsmSQ *sq)
{
    /* s->cmd may belong to the HSM command in the firmware core. */
    AzihsmCmd aes_cmd;
    AzihsmCmd *cmd = sq->kind == AZIHSM_QUEUE_AES ? &aes_cmd : &s->cmd;
    uint16_t status;

    *cmd = (AzihsmCmd) {
        .sq = sq,
        .generation = s->generation,
    };
    if (!azihsm_dma(s, sq->base + (dma_addr_t)sq->head * sq->entry_size,
                    cmd->sqe, sq->entry_size, DMA_DIRECTION_TO_DEVICE)) {
        azihsm_set_fatal(s, "cannot fetch a submission entry");
        return;
    }
    sq->head = (sq->head + 1) % sq->size;

    switch (sq->kind) {
    case AZIHSM_QUEUE_ADMIN:
        status = azihsm_admin_exec(s, cmd);
        break;
    case AZIHSM_QUEUE_HSM:
        if (azihsm_hsm_exec(s, cmd, &status)) {
            return;     /* azihsm_fw_done() completes it, if not lost */
        }
        break;
    default:
        if (azihsm_aes_exec(s, cmd, &status)) {
            return;     /* azihsm-aes.c completes it */
        }
        break;
    }
    azihsm_complete(s, cmd, status);
}

/*
 * Can @sq have its next command fetched now?  It needs work and room in
 * its CQ (a full CQ holds its SQ until the host moves the CQ head).  While
 * an HSM command is in the firmware core only AES queues are served, so an
 * admin Delete SQ never overtakes a fetched HSM command (hardware.md 8.6);
 * an AES queue waits for its own command in the core, and for a free slot
 * when AZIHSM_AES_MAX_INFLIGHT commands are there.  One command in flight
 * per queue also keeps a CQ slot free for it: its CQ is its alone.
 */
static bool azihsm_sq_fetchable(AzihsmState *s, AzihsmSQ *sq)
{
    if (!sq->created || sq->head == sq->tail ||
        azihsm_cq_full(&s->cq[sq->cqid])) {
        return false;
    }
    if (sq->kind != AZIHSM_QUEUE_AES) {
        return !s->fw_busy;
    }
    return !sq->aes_job && s->aes_inflight < AZIHSM_AES_MAX_INFLIGHT;
}

/*
 * One round-robin pass: at most one command from every SQ that can take
 * one.  Returns whether anything was done.
 */
static bool azihsm_process_pass(AzihsmState *s)
{
    bool progress = false;
    unsigned qid;

    for (qid = 0; qid < AZIHSM_NR_QUEUES && azihsm_ready(s); qid++) {
        AzihsmSQ *sq = &s->sq[qid];

        if (!azihsm_sq_fetchable(s, sq)) {
            continue;
        }
        azihsm_process_one(s, sq);
        progress = true;
        if (s->fw_reset_pending) {
            break;
        }
    }
    return progress;
}

/*
 * Runs in the main loop with the BQL, guarded against re-entrant MMIO:
 * DMA that a guest aims at our own BARs fails instead of recursing.
 */
static void azihsm_process_bh(void *opaque)
{
    AzihsmState *s = opaque;

    if (s->stopping) {
        return;
    }
    if (s->fw_reset_pending) {
        if (s->fw_busy || s->aes_inflight) {
            return;     /* their completions kick us again */
        }
        /* Before any command of the new controller generation. */
        s->fw_reset_pending = false;
        azihsm_fw_reset(s->fw);
    }
    /* One pass per BH run, so busy queues do not starve the main loop. */
    if (azihsm_process_pass(s)) {
        azihsm_kick(s);
    }
}

void azihsm_kick(AzihsmState *s)
{
    qemu_bh_schedule(s->process_bh);
}

/* ---- Controller enable / disable ---- */

/*
 * Tear every queue down and forget in-flight commands; the firmware core
 * loses its volatile state before the next command runs.
 */
static void azihsm_ctrl_teardown(AzihsmState *s)
{
    unsigned qid;

    for (qid = 0; qid < AZIHSM_NR_QUEUES; qid++) {
        s->sq[qid].created = false;
        s->cq[qid].created = false;
    }
    s->generation++;
    s->fw_reset_pending = true;
    s->csts &= ~(AZIHSM_CSTS_RDY | AZIHSM_CSTS_CFS);
    azihsm_kick(s);
}

/* CC.EN 0 -> 1: create the admin queues from AQA/ASQ/ACQ (2.13). */
static void azihsm_ctrl_enable(AzihsmState *s)
{
    uint32_t sq_size = AZIHSM_AQA_ASQS(s->aqa) + 1;
    uint32_t cq_size = AZIHSM_AQA_ACQS(s->aqa) + 1;

    s->csts &= ~(AZIHSM_CSTS_CFS | AZIHSM_CSTS_NSSRO);
    if (sq_size < 2 || cq_size < 2) {
        /* A one-entry queue can never hold a command. */
        qemu_log_mask(LOG_GUEST_ERROR,
                      "azihsm: enable with admin queue sizes %u/%u\n",
                      sq_size, cq_size);
        s->csts |= AZIHSM_CSTS_RDY | AZIHSM_CSTS_CFS;
        return;
    }
    azihsm_create_cq(s, AZIHSM_ADMIN_QID, s->acq & AZIHSM_AQ_BASE_MASK,
                     cq_size, true, 0);
    azihsm_create_sq(s, AZIHSM_ADMIN_QID, s->asq & AZIHSM_AQ_BASE_MASK,
                     sq_size);
    s->csts |= AZIHSM_CSTS_RDY;
}

static void azihsm_write_cc(AzihsmState *s, uint32_t val)
{
    bool was_enabled = s->cc & AZIHSM_CC_EN;
    bool enable = val & AZIHSM_CC_EN;

    /* With EN unchanged the other fields are only latched. */
    s->cc = val;
    if (!was_enabled && enable) {
        azihsm_ctrl_enable(s);
    } else if (was_enabled && !enable) {
        azihsm_ctrl_teardown(s);
    }
}

/*
 * NVM subsystem reset: the queues go down as for a disable and CC.EN is
 * cleared, so the next enable needs no disable first; CSTS.NSSRO reports
 * it until that enable.
 */
static void azihsm_write_nssr(AzihsmState *s, uint32_t val)
{
    if (val != AZIHSM_NSSR_MAGIC) {
        qemu_log_mask(LOG_GUEST_ERROR,
                      "azihsm: NSSR write 0x%08x is not the reset magic\n",
                      val);
        return;
    }
    azihsm_ctrl_teardown(s);
    s->cc &= ~AZIHSM_CC_EN;
    s->csts |= AZIHSM_CSTS_NSSRO;
}

/* ---- BAR0: controller registers ---- */

static uint32_t azihsm_reg_read32(AzihsmState *s, hwaddr off)
{
    switch (off) {
    case AZIHSM_REG_CAP:
        return (uint32_t)AZIHSM_CAP_VALUE;
    case AZIHSM_REG_CAP + 4:
        return AZIHSM_CAP_VALUE >> 32;
    case AZIHSM_REG_VS:
        return AZIHSM_VS_VALUE;
    case AZIHSM_REG_INTMS:
    case AZIHSM_REG_INTMC:
        return s->intm;
    case AZIHSM_REG_CC:
        return s->cc;
    case AZIHSM_REG_FWCAP:
        return AZIHSM_FWCAP_VALUE;
    case AZIHSM_REG_CSTS:
        return s->csts;
    case AZIHSM_REG_AQA:
        return s->aqa;
    case AZIHSM_REG_ASQ:
        return s->asq;
    case AZIHSM_REG_ASQ + 4:
        return s->asq >> 32;
    case AZIHSM_REG_ACQ:
        return s->acq;
    case AZIHSM_REG_ACQ + 4:
        return s->acq >> 32;
    default:
        /* NSSR reads 0; CMBLOC, CMBSZ, IS and the rest are 0. */
        return 0;
    }
}

static void azihsm_reg_write32(AzihsmState *s, hwaddr off, uint32_t val)
{
    switch (off) {
    case AZIHSM_REG_INTMS:
        s->intm |= val & AZIHSM_INTM_MASK;
        break;
    case AZIHSM_REG_INTMC:
        s->intm &= ~(val & AZIHSM_INTM_MASK);
        break;
    case AZIHSM_REG_CC:
        azihsm_write_cc(s, val);
        break;
    case AZIHSM_REG_NSSR:
        azihsm_write_nssr(s, val);
        break;
    case AZIHSM_REG_AQA:
        s->aqa = val;
        break;
    case AZIHSM_REG_ASQ:
        s->asq = deposit64(s->asq, 0, 32, val);
        break;
    case AZIHSM_REG_ASQ + 4:
        s->asq = deposit64(s->asq, 32, 32, val);
        break;
    case AZIHSM_REG_ACQ:
        s->acq = deposit64(s->acq, 0, 32, val);
        break;
    case AZIHSM_REG_ACQ + 4:
        s->acq = deposit64(s->acq, 32, 32, val);
        break;
    default:
        qemu_log_mask(LOG_GUEST_ERROR,
                      "azihsm: write 0x%08x to read-only register 0x%"
                      HWADDR_PRIx "\n", val, off);
        break;
    }
}

/* 8-byte accesses (CAP, ASQ, ACQ) are two dwords, low one first. */
static uint64_t azihsm_regs_read(void *opaque, hwaddr addr, unsigned size)
{
    AzihsmState *s = opaque;
    uint64_t val = azihsm_reg_read32(s, addr);

    if (size == 8) {
        val |= (uint64_t)azihsm_reg_read32(s, addr + 4) << 32;
    }
    return val;
}

static void azihsm_regs_write(void *opaque, hwaddr addr, uint64_t data,
                              unsigned size)
{
    AzihsmState *s = opaque;

    azihsm_reg_write32(s, addr, data);
    if (size == 8) {
        azihsm_reg_write32(s, addr + 4, data >> 32);
    }
}

static const MemoryRegionOps azihsm_regs_ops = {
    .read = azihsm_regs_read,
    .write = azihsm_regs_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = {
        .min_access_size = 4,
        .max_access_size = 8,
    },
    .impl = {
        .min_access_size = 4,
        .max_access_size = 8,
    },
};

/* ---- BAR2: doorbells ---- */

static void azihsm_sq_doorbell(AzihsmState *s, uint16_t qid, uint32_t tail)
{
    AzihsmSQ *sq = &s->sq[qid];

    if (!sq->created) {
        qemu_log_mask(LOG_GUEST_ERROR,
                      "azihsm: SQ %u tail doorbell, no such queue\n", qid);
        return;
    }
    if (tail >= sq->size) {
        qemu_log_mask(LOG_GUEST_ERROR,
                      "azihsm: SQ %u tail %u beyond its %u entries, ignored\n",
                      qid, tail, sq->size);
        return;
    }
    sq->tail = tail;
}

/* The host may release only entries the device has written. */
static void azihsm_cq_doorbell(AzihsmState *s, uint16_t qid, uint32_t head)
{
    AzihsmCQ *cq = &s->cq[qid];
    uint32_t posted, released;

    if (!cq->created) {
        qemu_log_mask(LOG_GUEST_ERROR,
                      "azihsm: CQ %u head doorbell, no such queue\n", qid);
        return;
    }
    posted = (cq->tail + cq->size - cq->head) % cq->size;
    released = (head + cq->size - cq->head) % cq->size;
    if (head >= cq->size || released > posted) {
        qemu_log_mask(LOG_GUEST_ERROR,
                      "azihsm: CQ %u head %u outside the %u posted entries"
                      " from %u, ignored\n", qid, head, posted, cq->head);
        return;
    }
    cq->head = head;
}

static uint64_t azihsm_doorbell_read(void *opaque, hwaddr addr,
                                     unsigned size)
{
    return 0;
}

static void azihsm_doorbell_write(void *opaque, hwaddr addr, uint64_t data,
                                  unsigned size)
{
    AzihsmState *s = opaque;
    uint16_t qid = addr / 8;

    if (addr & 4) {
        azihsm_cq_doorbell(s, qid, data);
    } else {
        azihsm_sq_doorbell(s, qid, data);
    }
    azihsm_kick(s);
}

static const MemoryRegionOps azihsm_doorbell_ops = {
    .read = azihsm_doorbell_read,
    .write = azihsm_doorbell_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = {
        .min_access_size = 4,
        .max_access_size = 4,
    },
};

/* ---- Device ---- */

/* The admin vector and one shared HSM vector: what the driver needs. */
#define AZIHSM_MIN_MSIX_VECTORS 2

static void azihsm_reset_hold(Object *obj, ResetType type)
{
    AzihsmState *s = AZIHSM(obj);

    azihsm_ctrl_teardown(s);
    s->cc = 0;
    s->csts = 0;
    s->aqa = 0;
    s->asq = 0;
    s->acq = 0;
    s->intm = 0;
}

static bool azihsm_check_props(AzihsmState *s, Error **errp)
{
    size_t i, len = strlen(s->serial);

    if (len == 0 || len > sizeof_field(struct azihsm_identify, sn)) {
        error_setg(errp, "azihsm: serial must have 1 to %zu characters",
                   sizeof_field(struct azihsm_identify, sn));
        return false;
    }
    for (i = 0; i < len; i++) {
        if (s->serial[i] < 0x20 || s->serial[i] > 0x7e) {
            error_setg(errp, "azihsm: serial must be printable ASCII");
            return false;
        }
    }
    if (s->resources > AZIHSM_MAX_RESOURCES) {
        error_setg(errp, "azihsm: resources must be 0 to %u",
                   AZIHSM_MAX_RESOURCES);
        return false;
    }
    if (s->msix_vectors < AZIHSM_MIN_MSIX_VECTORS ||
        s->msix_vectors > AZIHSM_MSIX_VECTORS) {
        error_setg(errp, "azihsm: msix-vectors must be %u to %u",
                   AZIHSM_MIN_MSIX_VECTORS, AZIHSM_MSIX_VECTORS);
        return false;
    }
    return true;
}

static void azihsm_realize(PCIDevice *pci_dev, Error **errp)
{
    AzihsmState *s = AZIHSM(pci_dev);
    struct azihsm_fw_config fw_cfg;
    unsigned vector;

    if (!s->serial) {
        s->serial = g_strdup(AZIHSM_DEFAULT_SERIAL);
    }
    if (!azihsm_check_props(s, errp)) {
        return;
    }

    fw_cfg = (struct azihsm_fw_config) {
        .ctrl_id = AZIHSM_CTRL_ID,
        /* One key table per resource; the core wants at least one. */
        .key_tables = MAX(s->resources, 1),
        .serial = s->serial,
        .fw_rev = AZIHSM_FW_REV,
        .test_ops = s->test_ops,
    };
    s->fw = azihsm_fw_new(&fw_cfg);
    if (!s->fw) {
        error_setg(errp, "azihsm: cannot create the firmware core");
        return;
    }

    memory_region_init_io(&s->regs_bar, OBJECT(s), &azihsm_regs_ops, s,
                          "azihsm-regs", AZIHSM_BAR_SIZE);
    memory_region_init_io(&s->doorbell_bar, OBJECT(s), &azihsm_doorbell_ops,
                          s, "azihsm-doorbells", AZIHSM_BAR_SIZE);
    memory_region_init(&s->msix_bar, OBJECT(s), "azihsm-msix",
                       AZIHSM_BAR_SIZE);
    pci_register_bar(pci_dev, AZIHSM_BAR_REGS,
                     PCI_BASE_ADDRESS_SPACE_MEMORY |
                     PCI_BASE_ADDRESS_MEM_TYPE_64, &s->regs_bar);
    pci_register_bar(pci_dev, AZIHSM_BAR_DOORBELLS,
                     PCI_BASE_ADDRESS_SPACE_MEMORY |
                     PCI_BASE_ADDRESS_MEM_TYPE_64, &s->doorbell_bar);
    pci_register_bar(pci_dev, AZIHSM_BAR_MSIX,
                     PCI_BASE_ADDRESS_SPACE_MEMORY |
                     PCI_BASE_ADDRESS_MEM_TYPE_64, &s->msix_bar);
    if (msix_init(pci_dev, s->msix_vectors,
                  &s->msix_bar, AZIHSM_BAR_MSIX, AZIHSM_MSIX_TABLE_OFF,
                  &s->msix_bar, AZIHSM_BAR_MSIX, AZIHSM_MSIX_PBA_OFF,
                  0, errp)) {
        azihsm_fw_free(s->fw);
        s->fw = NULL;
        return;
    }
    /* The driver binds every vector; CQs name theirs at creation. */
    for (vector = 0; vector < s->msix_vectors; vector++) {
        msix_vector_use(pci_dev, vector);
    }

    s->req_buf = g_malloc(AZIHSM_HSM_MAX_XFER);
    s->resp_buf = g_malloc(AZIHSM_HSM_MAX_XFER);
    s->stopping = false;
    s->fw_busy = false;
    s->aes_inflight = 0;
    s->stalls_left = s->stall_commands;
    s->process_bh = qemu_bh_new_guarded(azihsm_process_bh, s,
                                        &DEVICE(s)->mem_reentrancy_guard);
}

static void azihsm_exit(PCIDevice *pci_dev)
{
    AzihsmState *s = AZIHSM(pci_dev);

    s->stopping = true;
    azihsm_ctrl_teardown(s);
    /*
     * A firmware call cannot be cancelled: wait for it to return (its
     * completion drops the command) before the core and buffers go.
     */
    AIO_WAIT_WHILE(NULL, s->fw_busy || s->aes_inflight);
    qemu_bh_delete(s->process_bh);
    s->process_bh = NULL;

    msix_unuse_all_vectors(pci_dev);
    msix_uninit(pci_dev, &s->msix_bar, &s->msix_bar);
    azihsm_fw_free(s->fw);
    s->fw = NULL;
    g_free(s->req_buf);
    g_free(s->resp_buf);
    s->req_buf = NULL;
    s->resp_buf = NULL;
}

static const Property azihsm_props[] = {
    DEFINE_PROP_STRING("serial", AzihsmState, serial),
    DEFINE_PROP_UINT32("resources", AzihsmState, resources, 1),
    /* Test knobs, beyond the real device (device-interface.md). */
    DEFINE_PROP_UINT32("msix-vectors", AzihsmState, msix_vectors,
                       AZIHSM_MSIX_VECTORS),
    DEFINE_PROP_UINT32("x-stall-commands", AzihsmState, stall_commands, 0),
    /* Accept DerKeyImport and other test-only ops (firmware-core.md). */
    DEFINE_PROP_BOOL("x-test-ops", AzihsmState, test_ops, false),
};

static const VMStateDescription azihsm_vmstate = {
    .name = "azihsm",
    .unmigratable = 1,
};

static void azihsm_class_init(ObjectClass *oc, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(oc);
    ResettableClass *rc = RESETTABLE_CLASS(oc);
    PCIDeviceClass *pc = PCI_DEVICE_CLASS(oc);

    pc->realize = azihsm_realize;
    pc->exit = azihsm_exit;
    pc->vendor_id = AZIHSM_PCI_VENDOR_ID;
    pc->device_id = AZIHSM_PCI_DEVICE_ID;
    pc->class_id = PCI_CLASS_CRYPT_OTHER;
    pc->subsystem_vendor_id = AZIHSM_PCI_VENDOR_ID;
    pc->subsystem_id = 0;
    pc->revision = 0;

    set_bit(DEVICE_CATEGORY_MISC, dc->categories);
    dc->desc = "Azure Integrated HSM";
    device_class_set_props(dc, azihsm_props);
    dc->vmsd = &azihsm_vmstate;
    rc->phases.hold = azihsm_reset_hold;
}

static const TypeInfo azihsm_info = {
    .name = TYPE_AZIHSM,
    .parent = TYPE_PCI_DEVICE,
    .instance_size = sizeof(AzihsmState),
    .class_init = azihsm_class_init,
    .interfaces = (InterfaceInfo[]) {
        { INTERFACE_CONVENTIONAL_PCI_DEVICE },
        { },
    },
};

static void azihsm_register_types(void)
{
    type_register_static(&azihsm_info);
}

type_init(azihsm_register_types)
