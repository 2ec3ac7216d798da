/*
 * QEMU model of the Azure Integrated HSM (PCI 1414:C003): device state
 * shared by the controller (azihsm.c), the admin command set
 * (azihsm-admin.c) and the I/O command sets (azihsm-io.c).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef HW_AZIHSM_H
#define HW_AZIHSM_H

#include "hw/pci/pci_device.h"
#include "qemu/units.h"
#include "qom/object.h"

#include "azihsm/hw.h"
#include "azihsm_fw.h"

#define TYPE_AZIHSM "azihsm"
OBJECT_DECLARE_SIMPLE_TYPE(AzihsmState, AZIHSM)

/* Every doorbell pair of the 4 KiB BAR2 window names a queue slot. */
#define AZIHSM_NR_QUEUES        (AZIHSM_DB_MAX_QID + 1)

/* Resources the real device has for all its functions (hardware.md 1.3). */
#define AZIHSM_MAX_RESOURCES    65

/* The model looks like VF 0 of the real device (hardware.md 1.3). */
#define AZIHSM_CTRL_ID          1

/* VS register and Identify VER (hardware.md 2.3). */
#define AZIHSM_VS_VALUE         0x00010400

/* Identify FR: the format of the real firmware's version strings. */
#define AZIHSM_FW_REV           "1.0.0.0-qemu"

/* The largest queue entries: AES SQE (128 bytes) and AES CQE (64 bytes). */
#define AZIHSM_MAX_SQE_SIZE     AZIHSM_AES_SQE_SIZE
#define AZIHSM_MAX_CQE_SIZE     AZIHSM_AES_CQE_SIZE

/*
 * Every CQE format (admin, HSM: 16 bytes; AES: 64 bytes) ends with the
 * same three 16-bit fields, so one routine posts all of them.
 */
#define AZIHSM_CQE_SQHD_FROM_END    8
#define AZIHSM_CQE_SQID_FROM_END    6
#define AZIHSM_CQE_STATUS_FROM_END  2

typedef enum AzihsmQueueKind {
    AZIHSM_QUEUE_ADMIN,
    AZIHSM_QUEUE_HSM,
    AZIHSM_QUEUE_AES,
} AzihsmQueueKind;

typedef struct AzihsmCQ {
    bool created;
    bool irq_enabled;
    bool phase;             /* P value of the next entry written */
    uint16_t vector;
    uint32_t size;          /* entries */
    uint32_t entry_size;
    uint32_t head;          /* last value of the CQ head doorbell */
    uint32_t tail;          /* next entry the device writes */
    dma_addr_t base;
} AzihsmCQ;

typedef struct AzihsmSQ {
    bool created;
    AzihsmQueueKind kind;
    uint16_t qid;
    uint16_t cqid;
    uint32_t size;          /* entries */
    uint32_t entry_size;
    uint32_t head;          /* next entry the device fetches */
    uint32_t tail;          /* last value of the SQ tail doorbell */
    dma_addr_t base;
    struct AzihsmAesJob *aes_job;   /* AES command in the firmware core */
} AzihsmSQ;

/* One firmware core entry point, with its arguments and results. */
typedef struct AzihsmFwCall {
    bool flush;
    uint16_t status;
    size_t req_len;
    size_t resp_cap;
    size_t resp_len;
    struct azihsm_fw_session in;
    struct azihsm_fw_session out;
} AzihsmFwCall;

/* One fetched command on its way to its completion entry. */
typedef struct AzihsmCmd {
    AzihsmSQ *sq;
    uint32_t generation;    /* controller generation when it was fetched */
    uint8_t sqe[AZIHSM_MAX_SQE_SIZE];
    uint8_t cqe[AZIHSM_MAX_CQE_SIZE];   /* command-specific part, CID */
} AzihsmCmd;

struct AzihsmState {
    PCIDevice parent_obj;

    MemoryRegion regs_bar;
    MemoryRegion doorbell_bar;
    MemoryRegion msix_bar;

    /* Properties. */
    char *serial;
    uint32_t resources;
    uint32_t msix_vectors;      /* test knob: MSI-X table size, 2..32 */
    uint32_t stall_commands;    /* test knob "x-stall-commands" */
    bool test_ops;              /* test knob "x-test-ops": ddi.md 3.10 ops */

    /* Generic HSM commands still to be lost (x-stall-commands). */
    uint32_t stalls_left;

    /* BAR0 registers (hardware.md 2). */
    uint32_t cc;
    uint32_t csts;
    uint32_t aqa;
    uint32_t intm;          /* INTMS/INTMC mask: kept, has no effect */
    uint64_t asq;
    uint64_t acq;

    /* Queue slots, indexed by queue ID; all fields under the BQL. */
    AzihsmSQ sq[AZIHSM_NR_QUEUES];
    AzihsmCQ cq[AZIHSM_NR_QUEUES];

    /*
     * Bumped whenever the queues are torn down: a command whose generation
     * is stale when the firmware core returns is dropped without touching
     * guest memory.
     */
    uint32_t generation;
    bool fw_reset_pending;  /* azihsm_fw_reset() owed before the next cmd */
    bool stopping;          /* unrealize: complete nothing more */

    /*
     * Commands are processed in a BH in the main loop, one at a time.  An
     * HSM command that reaches the firmware core runs on a thread-pool
     * thread; while fw_busy is set the BH fetches no admin or HSM command,
     * and cmd, fw_call, req_buf and resp_buf belong to that thread.
     */
    QEMUBH *process_bh;
    bool fw_busy;
    AzihsmCmd cmd;
    AzihsmFwCall fw_call;

    /*
     * AES commands run outside that scheme: each AES SQ may have one
     * command in the firmware core (sq->aes_job), in parallel with the
     * other AES queues and with the HSM command, up to
     * AZIHSM_AES_MAX_INFLIGHT of them.  A controller reset waits for all
     * of them (and the HSM command) to return before azihsm_fw_reset().
     */
    uint32_t aes_inflight;

    struct azihsm_fw *fw;
    uint8_t *req_buf;       /* AZIHSM_HSM_MAX_XFER bytes each */
    uint8_t *resp_buf;
};

/* azihsm.c */
bool azihsm_cmd_stale(AzihsmState *s, const AzihsmCmd *cmd);
bool azihsm_cmd_live(AzihsmState *s, const AzihsmCmd *cmd);
void azihsm_complete(AzihsmState *s, AzihsmCmd *cmd, uint16_t status);
void azihsm_kick(AzihsmState *s);
bool azihsm_dma(AzihsmState *s, dma_addr_t addr, void *buf, dma_addr_t len,
                DMADirection dir);
void azihsm_create_cq(AzihsmState *s, uint16_t qid, dma_addr_t base,
                      uint32_t size, bool irq_enabled, uint16_t vector);
void azihsm_create_sq(AzihsmState *s, uint16_t qid, dma_addr_t base,
                      uint32_t size);
void azihsm_delete_sq(AzihsmState *s, uint16_t qid);
void azihsm_delete_cq(AzihsmState *s, uint16_t qid);
AzihsmQueueKind azihsm_qid_kind(uint16_t qid);
bool azihsm_qid_in_range(uint16_t qid);
bool azihsm_qid_owned(AzihsmState *s, uint16_t qid);

/* azihsm-admin.c: returns the 15-bit admin status. */
uint16_t azihsm_admin_exec(AzihsmState *s, AzihsmCmd *cmd);

/*
 * azihsm-io.c.  azihsm_hsm_exec() returns false with the 11-bit HSM status
 * in *status, or true when nothing is to be posted now: the command went
 * to the firmware core and is completed from the main loop when the core
 * returns, or it was lost (x-stall-commands) and is never completed.
 */
bool azihsm_hsm_exec(AzihsmState *s, AzihsmCmd *cmd, uint16_t *status);

/*
 * azihsm-aes.c, the fast path (hardware.md 7).  azihsm_aes_exec() returns
 * false with the 15-bit AES STS in *status (ERR already in cmd->cqe), or
 * true when the command went to the firmware core on a worker thread; it
 * is then completed from the main loop.  azihsm_aes_flush() completes the
 * command of @sq still in the core with STS DELETE_QUEUE (Delete SQ) and
 * makes the core's answer be dropped.  AZIHSM_AES_MAX_INFLIGHT bounds the
 * memory a guest can make the model hold: each command owns buffers of
 * SRC_LEN + DST_LEN bytes, each at most AZIHSM_AES_MAX_XFER.
 */
#define AZIHSM_AES_MAX_INFLIGHT 8
#define AZIHSM_AES_MAX_XFER     (AZIHSM_AES_XTS_MAX_LEN + 64 * KiB)

bool azihsm_aes_exec(AzihsmState *s, AzihsmCmd *cmd, uint16_t *status);
void azihsm_aes_flush(AzihsmState *s, AzihsmSQ *sq);

#endif /* HW_AZIHSM_H */
