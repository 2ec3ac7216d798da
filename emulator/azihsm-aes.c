/*
 * QEMU model of the Azure Integrated HSM: the AES fast path (hardware.md
 * 7).  In the main loop, with the BQL, a command's two SGLs are walked and
 * its source bytes (and the GCM tail) gathered into host buffers; the
 * firmware core runs the cipher on a thread-pool thread; back in the main
 * loop the result is scattered through the destination SGL and the CQE
 * posted.  Each AES queue has at most one command in the core, so the
 * queues run in parallel.
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
 * Bounds on an SGL a guest can make the model walk: 16 MiB in 4 KiB pages
 * takes about 4100 data blocks (17 segments), so these never limit the
 * driver, but stop a loop of segments pointing at each other.
 */
#define AZIHSM_SGL_MAX_BLOCKS   16384
#define AZIHSM_SGL_MAX_SEGMENTS 128

#define AZIHSM_SGL_DESC_SIZE    16
#define AZIHSM_GCM_MAX_TAIL     15

/* ERR with STS CRYPTO_ENGINE_ERROR (hardware.md 7.7 D): engine fatal. */
#define AZIHSM_AES_ENGINE_ERR_FATAL 0xa

/* One data block of an SGL. */
typedef struct AzihsmSglBlock {
    dma_addr_t addr;
    uint32_t len;
} AzihsmSglBlock;

/* The fetch errors of one side of the transfer (hardware.md 7.7 E). */
typedef struct AzihsmSglSide {
    const char *name;
    uint16_t fetch_err;     /* descriptor or data DMA failed */
    uint16_t struct_err;    /* descriptor structure */
} AzihsmSglSide;

static const AzihsmSglSide azihsm_sgl_src = {
    "source", AZIHSM_AES_FETCH_ERR_SRC_SGL, AZIHSM_AES_FETCH_ERR_SRC_STRUCT,
};

static const AzihsmSglSide azihsm_sgl_dst = {
    "destination", AZIHSM_AES_FETCH_ERR_DST_SGL,
    AZIHSM_AES_FETCH_ERR_DST_STRUCT,
};

/* One AES command from its fetch to its CQE; owned by the main loop. */
typedef struct AzihsmAesJob {
    AzihsmState *s;
    AzihsmCmd cmd;
    struct azihsm_aes_sqe sqe;
    bool flushed;           /* completed by Delete SQ: drop the answer */
    GArray *dst_sgl;        /* AzihsmSglBlock */
    dma_addr_t tail_dst;
    uint8_t *src;
    uint8_t *dst;
    /* The worker thread's until azihsm_aes_done(). */
    struct azihsm_fw_aes_cmd fw_cmd;
    struct azihsm_fw_aes_result res;
} AzihsmAesJob;

/* The status of an AES command that failed in the model. */
typedef struct AzihsmAesError {
    uint16_t sts;
    uint16_t err;
} AzihsmAesError;

#define AZIHSM_AES_OK ((AzihsmAesError) { 0, 0 })

static inline AzihsmAesError azihsm_aes_error(uint16_t sts, uint16_t err)
{
    return (AzihsmAesError) { sts, err };
}

static AzihsmAesError azihsm_fetch_error(uint16_t err)
{
    return azihsm_aes_error(AZIHSM_AES_STS_FETCH_ERROR, err);
}

/* DMA that also fails, rather than wraps, past the end of the bus. */
static bool azihsm_aes_dma(AzihsmState *s, dma_addr_t addr, void *buf,
                           dma_addr_t len, DMADirection dir)
{
    if (!len) {
        return true;
    }
    if (addr + len < addr) {
        qemu_log_mask(LOG_GUEST_ERROR,
                      "azihsm: AES DMA at 0x%" PRIx64 " wraps\n",
                      (uint64_t)addr);
        return false;
    }
    return azihsm_dma(s, addr, buf, len, dir);
}

static void azihsm_sgl_desc_read(const uint8_t *raw, struct azihsm_sgl_desc *d)
{
    memcpy(d, raw, sizeof(*d));
    d->addr = le64_to_cpu(d->addr);
    d->len = le32_to_cpu(d->len);
}

/* A data block: add it; false when the list is too long for the model. */
static bool azihsm_sgl_add(GArray *sgl, const struct azihsm_sgl_desc *d,
                           uint64_t *total)
{
    AzihsmSglBlock b = { .addr = d->addr, .len = d->len };

    if (sgl->len >= AZIHSM_SGL_MAX_BLOCKS) {
        return false;
    }
    g_array_append_val(sgl, b);
    *total += d->len;
    return true;
}

/*
 * Walk one SGL (hardware.md 7.3) from the descriptor in the SQE: a data
 * block, or a (last) segment of descriptors in guest memory.  A segment
 * (TYPE 2) ends with the descriptor of the next segment; a last segment
 * (TYPE 3) holds data blocks only.  The blocks must describe exactly @len
 * bytes.  Descriptors are read, data is not touched.
 */
static AzihsmAesError azihsm_sgl_walk(AzihsmState *s,
                                      const struct azihsm_sgl_desc *sqe_desc,
                                      uint32_t len, const AzihsmSglSide *side,
                                      GArray *sgl)
{
    uint8_t page[AZIHSM_PAGE_SIZE];
    struct azihsm_sgl_desc d, seg;
    uint64_t total = 0;
    unsigned segments = 0;

    azihsm_sgl_desc_read((const uint8_t *)sqe_desc, &d);
    if (d.type == AZIHSM_SGL_DATA_BLOCK << 4) {
        azihsm_sgl_add(sgl, &d, &total);
        goto check_total;
    }
    seg = d;
    for (;;) {
        unsigned type = AZIHSM_SGL_TYPE(seg.type);
        bool last = type == AZIHSM_SGL_LAST_SEGMENT;
        unsigned n, i;

        if ((seg.type & 0xf) ||
            (type != AZIHSM_SGL_SEGMENT && !last) ||
            !seg.len || seg.len % AZIHSM_SGL_DESC_SIZE ||
            seg.len > AZIHSM_PAGE_SIZE ||
            ++segments > AZIHSM_SGL_MAX_SEGMENTS) {
            qemu_log_mask(LOG_GUEST_ERROR,
                          "azihsm: AES %s SGL: bad segment descriptor "
                          "type 0x%02x length %u (segment %u)\n",
                          side->name, seg.type, seg.len, segments);
            return azihsm_fetch_error(side->struct_err);
        }
        if (!azihsm_aes_dma(s, seg.addr, page, seg.len,
                            DMA_DIRECTION_TO_DEVICE)) {
            return azihsm_fetch_error(side->fetch_err);
        }
        n = seg.len / AZIHSM_SGL_DESC_SIZE;
        for (i = 0; i < n; i++) {
            azihsm_sgl_desc_read(page + i * AZIHSM_SGL_DESC_SIZE, &d);
            if (d.type == AZIHSM_SGL_DATA_BLOCK << 4) {
                if (!azihsm_sgl_add(sgl, &d, &total)) {
                    qemu_log_mask(LOG_GUEST_ERROR,
                                  "azihsm: AES %s SGL of more than %u "
                                  "data blocks\n",
                                  side->name, AZIHSM_SGL_MAX_BLOCKS);
                    return azihsm_fetch_error(side->struct_err);
                }
                if (total > len) {
                    break;      /* overrun: no need to read further */
                }
            } else if (!last && i == n - 1) {
                break;          /* the next segment: checked on top */
            } else {
                qemu_log_mask(LOG_GUEST_ERROR,
                              "azihsm: AES %s SGL: descriptor type 0x%02x "
                              "in slot %u of a %s\n", side->name, d.type, i,
                              last ? "last segment" : "segment");
                return azihsm_fetch_error(side->struct_err);
            }
        }
        if (total > len || last) {
            break;
        }
        if (i == n) {
            /* A segment must end with the next segment's descriptor. */
            qemu_log_mask(LOG_GUEST_ERROR,
                          "azihsm: AES %s SGL: segment without a chain "
                          "descriptor\n", side->name);
            return azihsm_fetch_error(side->struct_err);
        }
        seg = d;
    }

check_total:
    if (total != len) {
        qemu_log_mask(LOG_GUEST_ERROR,
                      "azihsm: AES %s SGL describes %s than its %u bytes\n",
                      side->name, total < len ? "less" : "more", len);
        return azihsm_fetch_error(total < len ? AZIHSM_AES_FETCH_ERR_UNDERRUN
                                              : AZIHSM_AES_FETCH_ERR_OVERRUN);
    }
    return AZIHSM_AES_OK;
}

/* Copy between @buf and the data blocks of @sgl, in order. */
static bool azihsm_sgl_xfer(AzihsmState *s, GArray *sgl, uint8_t *buf,
                            DMADirection dir, uint32_t len)
{
    unsigned i;

    for (i = 0; i < sgl->len && len; i++) {
        AzihsmSglBlock *b = &g_array_index(sgl, AzihsmSglBlock, i);
        uint32_t chunk = MIN(b->len, len);

        if (!azihsm_aes_dma(s, b->addr, buf, chunk, dir)) {
            return false;
        }
        buf += chunk;
        len -= chunk;
    }
    return true;
}

static dma_addr_t azihsm_addr64(uint32_t lo, uint32_t hi)
{
    return (dma_addr_t)le32_to_cpu(hi) << 32 | le32_to_cpu(lo);
}

/*
 * A GCM command, with the GCM fields and tail protocol: CIPHER 0 without
 * the CBC extension's ATTR bit 9 (azihsm/hw.h), whose SQE bytes there are
 * reserved.  The core checks the rest of a CBC command.
 */
static bool azihsm_aes_is_gcm(const struct azihsm_aes_sqe *sqe)
{
    return !(le16_to_cpu(sqe->attr) &
             (AZIHSM_AES_ATTR_XTS | AZIHSM_AES_ATTR_EXT_CBC));
}

/* The checks the firmware core cannot make: ATTR, frame and lengths. */
static AzihsmAesError azihsm_aes_check(const struct azihsm_aes_sqe *sqe)
{
    uint16_t attr = le16_to_cpu(sqe->attr);
    bool xts = attr & AZIHSM_AES_ATTR_XTS;
    uint32_t src_len = le32_to_cpu(sqe->src_len);
    uint32_t dst_len = le32_to_cpu(sqe->dst_len);

    if (AZIHSM_AES_ATTR_CMD_TYPE(attr) != AZIHSM_AES_CMD_TYPE_FAST ||
        sqe->frame_type != AZIHSM_AES_FRAME_TYPE_AES) {
        qemu_log_mask(LOG_GUEST_ERROR,
                      "azihsm: AES ATTR 0x%04x / frame type %u\n",
                      attr, sqe->frame_type);
        return azihsm_fetch_error(AZIHSM_AES_FETCH_ERR_INVALID_OPCODE);
    }
    if (!(attr & AZIHSM_AES_ATTR_SGL)) {
        /* PRPs are not modelled: the driver always builds SGLs. */
        qemu_log_mask(LOG_UNIMP, "azihsm: AES command with PRPs\n");
        return azihsm_fetch_error(AZIHSM_AES_FETCH_ERR_CMD_STRUCT);
    }
    if (src_len > AZIHSM_AES_MAX_XFER || dst_len > AZIHSM_AES_MAX_XFER) {
        qemu_log_mask(LOG_GUEST_ERROR,
                      "azihsm: AES lengths %u/%u beyond the model's %u\n",
                      src_len, dst_len, (unsigned)AZIHSM_AES_MAX_XFER);
        return xts ? azihsm_aes_error(AZIHSM_AES_STS_INVALID_FIELD_XTS,
                                      AZIHSM_AES_XTS_ERR_TOO_LONG)
                   : azihsm_fetch_error(AZIHSM_AES_FETCH_ERR_CMD_STRUCT);
    }
    if (azihsm_aes_is_gcm(sqe) &&
        (sqe->gcm.unaligned_src_len > AZIHSM_GCM_MAX_TAIL ||
         sqe->gcm.unaligned_dst_len != sqe->gcm.unaligned_src_len)) {
        qemu_log_mask(LOG_GUEST_ERROR,
                      "azihsm: AES GCM tail lengths %u/%u\n",
                      sqe->gcm.unaligned_src_len, sqe->gcm.unaligned_dst_len);
        return azihsm_aes_error(AZIHSM_AES_STS_INVALID_FIELD_GCM,
                                AZIHSM_AES_GCM_ERR_UNALIGNED_LEN);
    }
    return AZIHSM_AES_OK;
}

/*
 * Everything the core needs, read under the BQL: both SGLs walked (so a
 * bad destination list fails before any work), the source gathered, the
 * GCM tail read.
 */
static AzihsmAesError azihsm_aes_gather(AzihsmState *s, AzihsmAesJob *job)
{
    const struct azihsm_aes_sqe *sqe = &job->sqe;
    struct azihsm_fw_aes_cmd *fc = &job->fw_cmd;
    g_autoptr(GArray) src_sgl = g_array_new(false, false,
                                            sizeof(AzihsmSglBlock));
    AzihsmAesError e;

    fc->sqe = job->cmd.sqe;
    fc->src_len = le32_to_cpu(sqe->src_len);
    fc->dst_len = le32_to_cpu(sqe->dst_len);

    e = azihsm_sgl_walk(s, &sqe->src, fc->src_len, &azihsm_sgl_src, src_sgl);
    if (e.sts) {
        return e;
    }
    e = azihsm_sgl_walk(s, &sqe->dst, fc->dst_len, &azihsm_sgl_dst,
                        job->dst_sgl);
    if (e.sts) {
        return e;
    }

    /* At least one byte each, so that the core never sees NULL. */
    job->src = g_try_malloc(MAX(fc->src_len, 1));
    job->dst = g_try_malloc0(MAX(fc->dst_len, 1));
    if (!job->src || !job->dst) {
        error_report_once("azihsm: no memory for an AES command of %u/%u "
                          "bytes", fc->src_len, fc->dst_len);
        return azihsm_aes_error(AZIHSM_AES_STS_CRYPTO_ENGINE_ERROR,
                                AZIHSM_AES_ENGINE_ERR_FATAL);
    }
    fc->src = job->src;
    fc->dst = job->dst;
    if (!azihsm_sgl_xfer(s, src_sgl, job->src, DMA_DIRECTION_TO_DEVICE,
                         fc->src_len)) {
        return azihsm_fetch_error(AZIHSM_AES_FETCH_ERR_SRC_SGL);
    }

    if (azihsm_aes_is_gcm(sqe) && sqe->gcm.unaligned_src_len) {
        fc->tail_len = sqe->gcm.unaligned_src_len;
        job->tail_dst = azihsm_addr64(sqe->gcm.unaligned_dst_lo,
                                      sqe->gcm.unaligned_dst_hi);
        if (!azihsm_aes_dma(s, azihsm_addr64(sqe->gcm.unaligned_src_lo,
                                             sqe->gcm.unaligned_src_hi),
                            fc->tail, fc->tail_len,
                            DMA_DIRECTION_TO_DEVICE)) {
            return azihsm_aes_error(AZIHSM_AES_STS_INVALID_FIELD_GCM,
                                    AZIHSM_AES_GCM_ERR_DMA_IN);
        }
    }
    return AZIHSM_AES_OK;
}

static void azihsm_aes_job_free(AzihsmAesJob *job)
{
    g_array_free(job->dst_sgl, true);
    /* Guest plaintext passed through these: leave none in freed memory. */
    if (job->src) {
        explicit_bzero(job->src, job->fw_cmd.src_len);
    }
    if (job->dst) {
        explicit_bzero(job->dst, job->fw_cmd.dst_len);
    }
    g_free(job->src);
    g_free(job->dst);
    g_free(job);
}

/* The CQE fields before SQHD (hardware.md 7.6). */
static void azihsm_aes_fill_cqe(AzihsmCmd *cmd,
                                const struct azihsm_aes_sqe *sqe,
                                const struct azihsm_fw_aes_result *res,
                                uint16_t err)
{
    struct azihsm_aes_cqe cqe = { 0 };

    cqe.attr = sqe->attr;
    cqe.cid = sqe->cid;
    cqe.err = cpu_to_le16(err);
    if (res) {
        memcpy(cqe.tag, res->tag, sizeof(cqe.tag));
        memcpy(cqe.iv, res->iv, sizeof(cqe.iv));
        cqe.unaligned_dst_len = cpu_to_le32(res->unaligned_dst_len);
        cqe.fips_approved = cpu_to_le32(res->fips_approved);
        cqe.len = cpu_to_le32(res->len);
    }
    memcpy(cmd->cqe, &cqe, sizeof(cqe));
}

/* A successful result out: destination SGL, then the GCM tail. */
static AzihsmAesError azihsm_aes_write_back(AzihsmState *s,
                                            AzihsmAesJob *job)
{
    struct azihsm_fw_aes_result *res = &job->res;

    if (res->len > job->fw_cmd.dst_len ||
        res->unaligned_dst_len > job->fw_cmd.tail_len) {
        /* A firmware core bug; never write past what the host offered. */
        error_report_once("azihsm: AES result of %u+%u bytes for %u+%u",
                          res->len, res->unaligned_dst_len,
                          job->fw_cmd.dst_len, job->fw_cmd.tail_len);
        return azihsm_aes_error(AZIHSM_AES_STS_CRYPTO_ENGINE_ERROR,
                                AZIHSM_AES_ENGINE_ERR_FATAL);
    }
    if (!azihsm_sgl_xfer(s, job->dst_sgl, job->dst,
                         DMA_DIRECTION_FROM_DEVICE, res->len)) {
        return azihsm_fetch_error(AZIHSM_AES_FETCH_ERR_DST_SGL);
    }
    if (!azihsm_aes_dma(s, job->tail_dst, job->fw_cmd.tail,
                        res->unaligned_dst_len, DMA_DIRECTION_FROM_DEVICE)) {
        return azihsm_aes_error(AZIHSM_AES_STS_INVALID_FIELD_GCM,
                                AZIHSM_AES_GCM_ERR_DMA_OUT);
    }
    return AZIHSM_AES_OK;
}

/*
 * The core's result out to the guest; returns the status to report.  When
 * the model fails it, the host gets no byte count, tail or tag.
 */
static AzihsmAesError azihsm_aes_scatter(AzihsmState *s, AzihsmAesJob *job)
{
    struct azihsm_fw_aes_result *res = &job->res;
    AzihsmAesError e;

    if (res->sts || res->err) {
        return azihsm_aes_error(res->sts, res->err);
    }
    e = azihsm_aes_write_back(s, job);
    if (e.sts) {
        res->len = 0;
        res->unaligned_dst_len = 0;
        memset(res->tag, 0, sizeof(res->tag));
    }
    return e;
}

/* Thread-pool thread, without the BQL: the job is this thread's. */
static int azihsm_aes_work(void *opaque)
{
    AzihsmAesJob *job = opaque;

    azihsm_fw_aes_execute(job->s->fw, &job->fw_cmd, &job->res);
    return 0;
}

/* Thread-pool completion, in the main loop with the BQL. */
static void azihsm_aes_done(void *opaque, int ret)
{
    AzihsmAesJob *job = opaque;
    AzihsmState *s = job->s;
    AzihsmCmd *cmd = &job->cmd;

    s->aes_inflight--;
    /*
     * Flushed by Delete SQ, or from a controller generation that is gone:
     * the host may have freed the pages, drop it.  A stale job's SQ slot
     * may hold a new queue, with its own command.
     */
    if (cmd->sq->aes_job == job) {
        cmd->sq->aes_job = NULL;
    }
    if (!job->flushed && azihsm_cmd_live(s, cmd)) {
        AzihsmAesError e = azihsm_aes_scatter(s, job);

        azihsm_aes_fill_cqe(cmd, &job->sqe, &job->res, e.err);
        azihsm_complete(s, cmd, e.sts);
    }
    azihsm_aes_job_free(job);
    azihsm_kick(s);
}

bool azihsm_aes_exec(AzihsmState *s, AzihsmCmd *cmd, uint16_t *status)
{
    AzihsmAesJob *job = g_new0(AzihsmAesJob, 1);
    AzihsmAesError e;

    job->s = s;
    job->cmd = *cmd;
    memcpy(&job->sqe, cmd->sqe, sizeof(job->sqe));
    job->dst_sgl = g_array_new(false, false, sizeof(AzihsmSglBlock));

    e = azihsm_aes_check(&job->sqe);
    if (!e.sts) {
        e = azihsm_aes_gather(s, job);
    }
    if (e.sts) {
        azihsm_aes_fill_cqe(cmd, &job->sqe, NULL, e.err);
        azihsm_aes_job_free(job);
        *status = e.sts;
        return false;
    }

    job->cmd.sq->aes_job = job;
    s->aes_inflight++;
    thread_pool_submit_aio(azihsm_aes_work, job, azihsm_aes_done, job);
    return true;
}

void azihsm_aes_flush(AzihsmState *s, AzihsmSQ *sq)
{
    AzihsmAesJob *job = sq->aes_job;

    sq->aes_job = NULL;
    job->flushed = true;
    azihsm_aes_fill_cqe(&job->cmd, &job->sqe, NULL, 0);
    azihsm_complete(s, &job->cmd, AZIHSM_AES_STS_DELETE_QUEUE);
}
