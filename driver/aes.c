// SPDX-License-Identifier: GPL-2.0
/*
 * Azure Integrated HSM: the AES fast-path ioctls, AES-XTS and AES-GCM
 * (hardware.md 7 and 9.8).
 *
 * Zero copy: the user's source and destination are pinned and DMA-mapped
 * where they are, and the device reaches them through SGLs (7.3) built in
 * 4 KiB segment pages.  Only the GCM "tail" (the last src_len mod 16
 * bytes, 7.10) travels through a small coherent buffer.
 *
 * A command's pages must stay pinned and mapped for as long as the device
 * may use them.  The submitter normally frees them after the completion.
 * If it stops waiting (command timeout, fatal signal) the slot is
 * abandoned (queue.c) and its orphan_release hook hands the request to
 * ctrl->aes_wq once the slot is released: by the late completion, the
 * level-1 abort that a timeout starts, or teardown.
 */
#include <linux/dma-mapping.h>
#include <linux/mm.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include <uapi/azihsm.h>

#include "azihsm.h"

/* Internal completion codes the reference reports in extended_status. */
#define AZIHSM_AES_INT_ABORTED			1
#define AZIHSM_AES_INT_ABORT_IN_PROGRESS	2
#define AZIHSM_AES_INT_NO_QUEUE			3
#define AZIHSM_AES_INT_QUEUE_DISABLED		4

/* STS 0x3 ERR 0x9: GCM tag mismatch found by the engine itself (7.7 D). */
#define AZIHSM_AES_ENGINE_ERR_TAG_MISMATCH	0x9

/*
 * Largest buffers the driver pins: the XTS maximum (the device refuses
 * more anyway) and, for GCM, 16 MiB of text after up to 16 MiB of AAD
 * padded to 32 bytes (what libazihsm sends at most).
 */
#define AZIHSM_AES_XTS_MAX		AZIHSM_AES_XTS_MAX_LEN
#define AZIHSM_AES_GCM_MAX		(2 * AZIHSM_AES_XTS_MAX_LEN + \
					 AZIHSM_AES_GCM_AAD_ALIGN)

#define AZIHSM_AES_BLOCK		16
#define AZIHSM_AES_TAIL_BUF		AZIHSM_AES_BLOCK
/* Data blocks per segment page: the last slot is kept for the chain. */
#define AZIHSM_SGL_DATA_PER_PAGE	(AZIHSM_SGL_DESC_PER_PAGE - 1)

/* One side of a transfer: the pinned pages, their mapping and the SGL. */
struct azihsm_aes_buf {
	struct page		**pages;
	unsigned int		nr_pinned;
	bool			to_device;	/* source: pinned read-only */
	bool			has_sgt;
	bool			mapped;
	struct sg_table		sgt;
	struct azihsm_aes_sgl	sgl;
};

struct azihsm_aes_req {
	struct azihsm_ctrl	*ctrl;
	struct work_struct	orphan_work;
	struct azihsm_aes_buf	src;
	struct azihsm_aes_buf	dst;
	u8			*tail;
	dma_addr_t		tail_dma;
};

/* What validation decided: the lengths that go into the SQE. */
struct azihsm_aes_plan {
	bool	xts;
	u32	src_len;	/* user src_len minus the tail */
	u32	dst_len;	/* user dst_len minus the tail */
	u8	tail_len;	/* 0 unless the tail protocol is active */
};

static struct device *azihsm_aes_dev(struct azihsm_ctrl *ctrl)
{
	return &ctrl->pdev->dev;
}

static int azihsm_aes_fail(struct azihsm_aes_cmd_out *out, u32 ext, int err)
{
	out->extended_status = ext;
	out->byte_count = 0;
	return err;
}

/* ---- Validation (9.8 steps 3 to 6, 7.8) ---- */

static u32 azihsm_aes_check_xts(const struct azihsm_aes_cmd_in *in,
				struct azihsm_aes_plan *plan)
{
	static const u32 unit_len[] = { 0, 512, 4096, 8192 };
	u16 dul = in->u.xts.data_unit_len;

	if (in->dst_len < in->src_len || !in->src_len ||
	    dul >= ARRAY_SIZE(unit_len) ||
	    (dul && in->src_len % unit_len[dul]))
		return AZIHSM_EXT_AES_XTS_VALIDATION;
	plan->src_len = in->src_len;
	plan->dst_len = in->dst_len;
	return 0;
}

static u32 azihsm_aes_check_gcm(struct azihsm_ctrl *ctrl,
				const struct azihsm_aes_cmd_in *in,
				struct azihsm_aes_plan *plan)
{
	const struct azihsm_aes_gcm_params *gcm = &in->u.gcm;
	bool tail_protocol = (ctrl->fw_caps & AZIHSM_FW_CAP_GCM_TAIL) &&
			     gcm->enable_gcm_workaround;
	u8 tail = tail_protocol ? in->src_len % AZIHSM_AES_BLOCK : 0;

	if (tail_protocol &&
	    (gcm->aligned_aad_len % AZIHSM_AES_GCM_AAD_ALIGN ||
	     gcm->aligned_aad_len < gcm->actual_aad_data_len))
		return AZIHSM_EXT_AES_GCM_VALIDATION;
	if (gcm->actual_aad_data_len >= in->src_len ||
	    in->dst_len < in->src_len - gcm->actual_aad_data_len)
		return AZIHSM_EXT_AES_GCM_VALIDATION;
	/*
	 * Not in the reference: the tail result is written at destination
	 * offset src_len - tail, which must lie inside the destination.
	 */
	if (tail && in->dst_len < in->src_len)
		return AZIHSM_EXT_AES_GCM_VALIDATION;
	plan->tail_len = tail;
	plan->src_len = in->src_len - tail;
	plan->dst_len = in->dst_len - tail;
	return 0;
}

/* Step 6: every failing check overwrites the code of the previous one. */
static u32 azihsm_aes_check_buffers(const struct azihsm_aes_cmd_in *in,
				    bool xts)
{
	u32 max = xts ? AZIHSM_AES_XTS_MAX : AZIHSM_AES_GCM_MAX;
	u32 ext = 0;

	if (in->frame_type != AZIHSM_AES_FRAME_TYPE_AES)
		ext = AZIHSM_EXT_AES_INVALID_FRAME_TYPE;
	if (!in->src_ptr || !in->src_len || in->src_len > max)
		ext = AZIHSM_EXT_AES_INVALID_INPUT_BUFFER;
	if (!in->dst_ptr || !in->dst_len || in->dst_len > max)
		ext = AZIHSM_EXT_AES_INVALID_OUTPUT_BUFFER;
	if (!access_ok(u64_to_user_ptr(in->src_ptr), in->src_len))
		ext = AZIHSM_EXT_AES_INVALID_INPUT_BUFFER;
	if (!access_ok(u64_to_user_ptr(in->dst_ptr), in->dst_len))
		ext = AZIHSM_EXT_AES_INVALID_OUTPUT_BUFFER;
	return ext;
}

static u32 azihsm_aes_validate(struct azihsm_ctrl *ctrl,
			       const struct azihsm_file_session *sess,
			       const struct azihsm_aes_cmd_in *in,
			       struct azihsm_aes_plan *plan)
{
	u8 cipher = plan->xts ? AZIHSM_AES_CIPHER_XTS : AZIHSM_AES_CIPHER_GCM;
	u32 ext;

	if (!sess->valid)
		return AZIHSM_EXT_AES_NO_SESSION;
	if (!sess->has_short_app_id)
		return AZIHSM_EXT_AES_NO_SHORT_APP_ID;
	if (in->session_id != sess->id)
		return AZIHSM_EXT_AES_SESSION_ID_MISMATCH;
	if (in->short_app_id != sess->short_app_id)
		return AZIHSM_EXT_AES_SHORT_APP_ID_MISMATCH;
	if (in->op_code > AZIHSM_AES_OP_DECRYPT)
		return AZIHSM_EXT_AES_INVALID_OPCODE;
	if (in->cipher != cipher)
		return AZIHSM_EXT_AES_INVALID_CIPHER;

	if (plan->xts)
		ext = azihsm_aes_check_xts(in, plan);
	else
		ext = azihsm_aes_check_gcm(ctrl, in, plan);
	if (!ext)
		ext = azihsm_aes_check_buffers(in, plan->xts);
	/* Step 3, "no AES queues", yields to any later failure. */
	if (!ext && !ctrl->aes.nr_queues)
		ext = AZIHSM_EXT_AES_NO_QUEUES;
	return ext;
}

/* ---- Pinned buffers and SGLs (7.3) ---- */

static void azihsm_sgl_set(struct azihsm_sgl_desc *desc, dma_addr_t addr,
			   u32 len, u8 type)
{
	memset(desc, 0, sizeof(*desc));
	desc->addr = cpu_to_le64(addr);
	desc->len = cpu_to_le32(len);
	desc->type = type << 4;		/* SUBTYPE 0: address */
}

/* A pointer to the segment page holding the next @left data blocks. */
static void azihsm_sgl_chain(struct azihsm_sgl_desc *desc, dma_addr_t next,
			     unsigned int left)
{
	if (left <= AZIHSM_SGL_DATA_PER_PAGE)
		azihsm_sgl_set(desc, next, left * sizeof(*desc),
			       AZIHSM_SGL_LAST_SEGMENT);
	else
		azihsm_sgl_set(desc, next, AZIHSM_PAGE_SIZE, AZIHSM_SGL_SEGMENT);
}

/**
 * azihsm_aes_sgl_build() - the SGL (7.3) of a DMA-mapped scatterlist
 * @ctrl: controller whose page pool holds the segment pages
 * @sgl: zeroed; on failure partly built, undone by azihsm_aes_sgl_free()
 * @sg: mapped scatterlist
 * @nents: mapped entries in @sg, at least one
 * @gfp: allocation flags
 *
 * One data block per mapped scatter entry, 255 to a segment page, slot
 * 255 chaining to the next page; sgl->desc, for the SQE, points at the
 * first page.
 */
int azihsm_aes_sgl_build(struct azihsm_ctrl *ctrl, struct azihsm_aes_sgl *sgl,
			 struct scatterlist *sg, unsigned int nents, gfp_t gfp)
{
	unsigned int left = nents, i, k, count;
	struct azihsm_sgl_desc *page;
	unsigned int nr_segs;

	nr_segs = DIV_ROUND_UP(nents, AZIHSM_SGL_DATA_PER_PAGE);
	sgl->segs = kcalloc(nr_segs, sizeof(*sgl->segs), gfp);
	if (!sgl->segs)
		return -ENOMEM;
	for (; sgl->nr_segs < nr_segs; sgl->nr_segs++) {
		struct azihsm_dma_page *seg = &sgl->segs[sgl->nr_segs];

		seg->vaddr = dma_pool_zalloc(ctrl->page_pool, gfp, &seg->dma);
		if (!seg->vaddr)
			return -ENOMEM;
	}

	for (k = 0; k < nr_segs; k++) {
		page = sgl->segs[k].vaddr;
		count = min_t(unsigned int, left, AZIHSM_SGL_DATA_PER_PAGE);
		for (i = 0; i < count; i++, sg = sg_next(sg))
			azihsm_sgl_set(&page[i], sg_dma_address(sg),
				       sg_dma_len(sg), AZIHSM_SGL_DATA_BLOCK);
		left -= count;
		if (left)
			azihsm_sgl_chain(&page[AZIHSM_SGL_DATA_PER_PAGE],
					 sgl->segs[k + 1].dma, left);
	}
	azihsm_sgl_chain(&sgl->desc, sgl->segs[0].dma, nents);
	return 0;
}

/* Undo azihsm_aes_sgl_build(), also a partial one; callable in any context. */
void azihsm_aes_sgl_free(struct azihsm_ctrl *ctrl, struct azihsm_aes_sgl *sgl)
{
	struct azihsm_dma_page *seg;

	while (sgl->nr_segs) {
		seg = &sgl->segs[--sgl->nr_segs];
		dma_pool_free(ctrl->page_pool, seg->vaddr, seg->dma);
	}
	kfree(sgl->segs);
	sgl->segs = NULL;
}

/*
 * Pin @len bytes at @uaddr, map them and build their SGL.  The source is
 * pinned read-only and mapped DMA_TO_DEVICE, the destination pinned for
 * writing and mapped DMA_FROM_DEVICE.  In place (the same range on both
 * sides) the pages are simply pinned and mapped twice: the device reads
 * the source mapping and writes the destination one, which stays correct
 * with bounce buffering too.  Returns 0, -ENOMEM, or -EFAULT when the
 * range is not fully mapped in the process.
 */
static int azihsm_aes_buf_map(struct azihsm_ctrl *ctrl,
			      struct azihsm_aes_buf *buf, u64 uaddr, u32 len,
			      bool to_device)
{
	struct device *dev = azihsm_aes_dev(ctrl);
	unsigned int offset = offset_in_page(uaddr);
	unsigned int nr = DIV_ROUND_UP(offset + len, PAGE_SIZE);
	int ret;

	buf->to_device = to_device;
	if (!len)
		return 0;	/* 7.3 rule 6: an all-zero descriptor */
	buf->pages = kvmalloc_array(nr, sizeof(*buf->pages), GFP_KERNEL);
	if (!buf->pages)
		return -ENOMEM;
	ret = pin_user_pages_fast(uaddr & PAGE_MASK, nr,
				  to_device ? 0 : FOLL_WRITE, buf->pages);
	if (ret > 0)
		buf->nr_pinned = ret;
	if (ret < 0)
		return ret == -ENOMEM ? -ENOMEM : -EFAULT;
	if (ret != nr)
		return -EFAULT;

	ret = sg_alloc_table_from_pages_segment(&buf->sgt, buf->pages, nr,
						offset, len,
						dma_get_max_seg_size(dev),
						GFP_KERNEL);
	if (ret)
		return -ENOMEM;
	buf->has_sgt = true;
	ret = dma_map_sgtable(dev, &buf->sgt, to_device ? DMA_TO_DEVICE :
			      DMA_FROM_DEVICE, 0);
	if (ret)
		return -ENOMEM;
	buf->mapped = true;
	return azihsm_aes_sgl_build(ctrl, &buf->sgl, buf->sgt.sgl, buf->sgt.nents,
				    GFP_KERNEL);
}

/* Undo azihsm_aes_buf_map(), also a partial one. */
static void azihsm_aes_buf_unmap(struct azihsm_ctrl *ctrl,
				 struct azihsm_aes_buf *buf)
{
	struct device *dev = azihsm_aes_dev(ctrl);

	azihsm_aes_sgl_free(ctrl, &buf->sgl);
	if (buf->mapped)
		dma_unmap_sgtable(dev, &buf->sgt, buf->to_device ?
				  DMA_TO_DEVICE : DMA_FROM_DEVICE, 0);
	buf->mapped = false;
	if (buf->has_sgt)
		sg_free_table(&buf->sgt);
	buf->has_sgt = false;
	if (buf->nr_pinned && buf->to_device)
		unpin_user_pages(buf->pages, buf->nr_pinned);
	else if (buf->nr_pinned)
		unpin_user_pages_dirty_lock(buf->pages, buf->nr_pinned, true);
	buf->nr_pinned = 0;
	kvfree(buf->pages);
	buf->pages = NULL;
}

static void azihsm_aes_req_free(struct azihsm_aes_req *req)
{
	struct azihsm_ctrl *ctrl = req->ctrl;

	azihsm_aes_buf_unmap(ctrl, &req->src);
	azihsm_aes_buf_unmap(ctrl, &req->dst);
	if (req->tail)
		dma_free_coherent(azihsm_aes_dev(ctrl), AZIHSM_AES_TAIL_BUF,
				  req->tail, req->tail_dma);
	kfree(req);
}

static void azihsm_aes_orphan_work(struct work_struct *work)
{
	azihsm_aes_req_free(container_of(work, struct azihsm_aes_req, orphan_work));
}

/* Queue lock held, maybe in hard IRQ: unpinning can sleep, defer it. */
static void azihsm_aes_orphan_release(void *ctx)
{
	struct azihsm_aes_req *req = ctx;

	queue_work(req->ctrl->aes_wq, &req->orphan_work);
}

/* Tail buffer (7.10 step 2) and both SGLs; the error is set in @out. */
static int azihsm_aes_prepare(struct azihsm_aes_req *req,
			      const struct azihsm_aes_cmd_in *in,
			      const struct azihsm_aes_plan *plan,
			      struct azihsm_aes_cmd_out *out)
{
	struct azihsm_ctrl *ctrl = req->ctrl;
	void __user *src = u64_to_user_ptr(in->src_ptr);
	int ret;

	if (plan->tail_len) {
		req->tail = dma_alloc_coherent(azihsm_aes_dev(ctrl),
					       AZIHSM_AES_TAIL_BUF,
					       &req->tail_dma, GFP_KERNEL);
		if (!req->tail)
			return azihsm_aes_fail(out, AZIHSM_EXT_AES_NO_MEMORY,
					       -ENOMEM);
		if (copy_from_user(req->tail, src + plan->src_len, plan->tail_len))
			return azihsm_aes_fail(out,
					       AZIHSM_EXT_AES_INVALID_INPUT_BUFFER,
					       -EINVAL);
	}
	/*
	 * Destination first: a copy-on-write break then happens before the
	 * source of an in-place command pins the same pages.
	 */
	ret = azihsm_aes_buf_map(ctrl, &req->dst, in->dst_ptr, plan->dst_len,
				 false);
	if (ret == -EFAULT)
		return azihsm_aes_fail(out, AZIHSM_EXT_AES_INVALID_OUTPUT_BUFFER,
				       -EINVAL);
	if (!ret)
		ret = azihsm_aes_buf_map(ctrl, &req->src, in->src_ptr,
					 plan->src_len, true);
	if (ret == -EFAULT)
		return azihsm_aes_fail(out, AZIHSM_EXT_AES_INVALID_INPUT_BUFFER,
				       -EINVAL);
	if (ret)
		return azihsm_aes_fail(out, AZIHSM_EXT_AES_NO_MEMORY, -ENOMEM);
	return 0;
}

/* ---- Submission and completion ---- */

/**
 * azihsm_aes_get_cmd() - a free slot on an enabled AES queue
 * @ctrl: controller
 * @qp: set to the slot's queue
 * @may_sleep: wait for a tag when every queue is busy
 *
 * Round-robin over the pool (whose queues are spread over the AES
 * vectors), taking the first queue with a free tag; if all are busy, wait
 * on the first enabled one, or fail with -EBUSY if @may_sleep is false.
 * The number of commands in flight per queue is bounded by its tags
 * (depth - 1).
 *
 * Return: the slot, or an ERR_PTR() as azihsm_cmd_get() returns them.
 */
struct azihsm_cmd *azihsm_aes_get_cmd(struct azihsm_ctrl *ctrl,
				      struct azihsm_queue **qp, bool may_sleep)
{
	struct azihsm_pool *pool = &ctrl->aes;
	unsigned int n = pool->nr_queues;
	unsigned int start = atomic_inc_return(&ctrl->next_aes);
	struct azihsm_queue *q, *wait_q = NULL;
	struct azihsm_cmd *cmd;
	unsigned int i;

	for (i = 0; i < n; i++) {
		q = pool->queues[(start + i) % n];
		cmd = azihsm_cmd_try_get(q);
		if (IS_ERR(cmd))
			continue;	/* disabled */
		if (cmd) {
			*qp = q;
			return cmd;
		}
		if (!wait_q)
			wait_q = q;
	}
	if (!wait_q)
		return ERR_PTR(-EAGAIN);
	if (!may_sleep)
		return ERR_PTR(-EBUSY);
	*qp = wait_q;
	return azihsm_cmd_get(wait_q, ctrl->cmd_timeout, true);
}

/* A failure to get or run a command, as the ioctl reports it. */
static int azihsm_aes_cmd_error(struct azihsm_ctrl *ctrl,
				struct azihsm_aes_cmd_out *out, int err)
{
	if (READ_ONCE(ctrl->state) != AZIHSM_CTRL_LIVE)
		return azihsm_aes_fail(out, 0, -ENODEV);
	switch (err) {
	case -ERESTARTSYS:
	case -EINTR:
		return azihsm_aes_fail(out, 0, -EINTR);
	case -ETIMEDOUT:
		return azihsm_aes_fail(out, AZIHSM_AES_INT_ABORTED, -ETIMEDOUT);
	case -ECANCELED:
		return azihsm_aes_fail(out, AZIHSM_AES_INT_ABORTED, -EAGAIN);
	case -EBUSY:
		return azihsm_aes_fail(out, AZIHSM_AES_INT_NO_QUEUE, -EAGAIN);
	default:	/* -EAGAIN: no enabled queue */
		if (READ_ONCE(ctrl->abort_in_progress))
			return azihsm_aes_fail(out, AZIHSM_AES_INT_ABORT_IN_PROGRESS,
					       -EAGAIN);
		return azihsm_aes_fail(out, AZIHSM_AES_INT_QUEUE_DISABLED, -EAGAIN);
	}
}

static void azihsm_aes_fill_sqe(struct azihsm_aes_sqe *sqe,
				const struct azihsm_aes_cmd_in *in,
				const struct azihsm_aes_plan *plan,
				const struct azihsm_aes_req *req, u16 cid)
{
	u16 dul = plan->xts ? in->u.xts.data_unit_len : AZIHSM_AES_DUL_WHOLE;

	sqe->attr = cpu_to_le16(AZIHSM_AES_ATTR(in->op_code, plan->xts, dul));
	sqe->cid = cpu_to_le16(cid);
	sqe->session_id = cpu_to_le16(in->session_id);
	sqe->short_app_id = in->short_app_id;
	sqe->src_len = cpu_to_le32(plan->src_len);
	sqe->src = req->src.sgl.desc;
	sqe->dst_len = cpu_to_le32(plan->dst_len);
	sqe->dst = req->dst.sgl.desc;
	sqe->frame_type = AZIHSM_AES_FRAME_TYPE_AES;

	if (plan->xts) {
		sqe->xts.key_id1 = cpu_to_le32(in->u.xts.key_id1);
		sqe->xts.key_id2 = cpu_to_le32(in->u.xts.key_id2);
		memcpy(sqe->xts.tweak, in->u.xts.tweak, sizeof(sqe->xts.tweak));
		return;
	}
	sqe->gcm.key_id = cpu_to_le32(in->u.gcm.key_id);
	sqe->gcm.actual_aad_len = cpu_to_le32(in->u.gcm.actual_aad_data_len);
	memcpy(sqe->gcm.tag, in->u.gcm.tag, sizeof(sqe->gcm.tag));
	memcpy(sqe->gcm.iv, in->u.gcm.init_vector, sizeof(sqe->gcm.iv));
	sqe->gcm.aligned_aad_len = cpu_to_le32(in->u.gcm.aligned_aad_len);
	if (plan->tail_len) {
		/* In place: the device reads the tail, then overwrites it. */
		sqe->gcm.unaligned_src_len = plan->tail_len;
		sqe->gcm.unaligned_dst_len = plan->tail_len;
		sqe->gcm.unaligned_src_lo = cpu_to_le32(lower_32_bits(req->tail_dma));
		sqe->gcm.unaligned_src_hi = cpu_to_le32(upper_32_bits(req->tail_dma));
		sqe->gcm.unaligned_dst_lo = sqe->gcm.unaligned_src_lo;
		sqe->gcm.unaligned_dst_hi = sqe->gcm.unaligned_src_hi;
	}
}

/*
 * The AES CQE (7.6) into the ioctl's output; called after the buffers
 * were unmapped and unpinned, so the tail lands after the DMA'd data.
 */
static int azihsm_aes_complete(const struct azihsm_aes_cmd_in *in,
			       struct azihsm_aes_cmd_out *out,
			       const struct azihsm_aes_plan *plan,
			       const struct azihsm_aes_cqe *cqe, const u8 *tail)
{
	u16 sts = AZIHSM_CQE_STATUS(le16_to_cpu(cqe->status));
	u16 err = le16_to_cpu(cqe->err);
	u32 len = le32_to_cpu(cqe->len);
	u32 tail_done = le32_to_cpu(cqe->unaligned_dst_len);
	void __user *dst = u64_to_user_ptr(in->dst_ptr);

	out->result = sts;
	out->extended_status = err;
	out->fips_approved = le32_to_cpu(cqe->fips_approved) != 0;
	out->byte_count = 0;
	if (sts || err) {
		if (!plan->xts &&
		    ((sts == AZIHSM_AES_STS_INVALID_FIELD_GCM &&
		      err == AZIHSM_AES_GCM_ERR_TAG_MISMATCH) ||
		     (sts == AZIHSM_AES_STS_CRYPTO_ENGINE_ERROR &&
		      err == AZIHSM_AES_ENGINE_ERR_TAG_MISMATCH)))
			return -EBADMSG;
		return -EIO;
	}

	/* 7.10 step 5; LEN is checked against what the SGL covers. */
	if (len > plan->dst_len ||
	    (plan->tail_len ? !tail_done || tail_done > plan->tail_len : tail_done))
		return azihsm_aes_fail(out, AZIHSM_EXT_AES_DEVICE_ERROR, -EIO);
	if (plan->tail_len &&
	    copy_to_user(dst + plan->src_len, tail, plan->tail_len))
		return azihsm_aes_fail(out, AZIHSM_EXT_AES_INVALID_OUTPUT_BUFFER,
				       -EFAULT);

	out->byte_count = len + plan->tail_len;
	if (!plan->xts && in->op_code == AZIHSM_AES_OP_ENCRYPT) {
		memcpy(out->cmd_spec, cqe->tag, sizeof(cqe->tag));
		memcpy(out->iv_from_fw, cqe->iv, sizeof(cqe->iv));
	}
	return 0;
}

static int azihsm_aes_run(struct azihsm_ctrl *ctrl,
			  const struct azihsm_aes_cmd_in *in,
			  struct azihsm_aes_cmd_out *out,
			  const struct azihsm_aes_plan *plan)
{
	struct azihsm_aes_sqe sqe = {};
	struct azihsm_aes_cqe cqe;
	struct azihsm_aes_req *req;
	struct azihsm_queue *q;
	struct azihsm_cmd *cmd;
	unsigned int resets;
	int ret;

	req = kzalloc(sizeof(*req), GFP_KERNEL);
	if (!req)
		return azihsm_aes_fail(out, AZIHSM_EXT_AES_NO_MEMORY, -ENOMEM);
	req->ctrl = ctrl;
	INIT_WORK(&req->orphan_work, azihsm_aes_orphan_work);
	ret = azihsm_aes_prepare(req, in, plan, out);
	if (ret)
		goto free;

	cmd = azihsm_aes_get_cmd(ctrl, &q, true);
	if (IS_ERR(cmd)) {
		ret = azihsm_aes_cmd_error(ctrl, out, PTR_ERR(cmd));
		goto free;
	}
	azihsm_aes_fill_sqe(&sqe, in, plan, req, azihsm_cmd_tag(q, cmd));
	cmd->orphan_release = azihsm_aes_orphan_release;
	cmd->orphan_ctx = req;

	resets = READ_ONCE(q->resets);
	ret = azihsm_cmd_exec(q, cmd, &sqe, ctrl->cmd_timeout, true);
	if (ret == -ETIMEDOUT || ret == -EINTR) {
		/*
		 * The slot, and with it @req, now belongs to the completion
		 * path, which frees the buffers once the device is done with
		 * them: when the command completes late, or when the abort
		 * started here deletes its submission queue.
		 */
		if (ret == -ETIMEDOUT)
			azihsm_ctrl_abort_queue(ctrl, q, resets);
		return azihsm_aes_cmd_error(ctrl, out, ret);
	}
	if (!ret)
		memcpy(&cqe, cmd->cqe.raw, sizeof(cqe));
	azihsm_cmd_put(q, cmd);
	if (ret) {
		ret = azihsm_aes_cmd_error(ctrl, out, ret);
		goto free;
	}

	azihsm_aes_buf_unmap(ctrl, &req->src);
	azihsm_aes_buf_unmap(ctrl, &req->dst);
	ret = azihsm_aes_complete(in, out, plan, &cqe, req->tail);
free:
	azihsm_aes_req_free(req);
	return ret;
}

static int azihsm_aes_cmd(struct azihsm_file *f,
			  const struct azihsm_aes_cmd_in *in,
			  struct azihsm_aes_cmd_out *out, bool xts)
{
	struct azihsm_ctrl *ctrl = azihsm_file_ctrl(f);
	struct azihsm_aes_plan plan = { .xts = xts };
	struct azihsm_file_session sess;
	u32 ext;

	if (READ_ONCE(ctrl->abort_in_progress))
		return azihsm_aes_fail(out, AZIHSM_EXT_ABORT_IN_PROGRESS, -EAGAIN);
	if (azihsm_file_get_session(f, &sess))
		return -EINTR;
	ext = azihsm_aes_validate(ctrl, &sess, in, &plan);
	if (ext)
		return azihsm_aes_fail(out, ext, -EINVAL);
	return azihsm_aes_run(ctrl, in, out, &plan);
}

/*
 * The 400-byte argument is read once and written back whole whenever it
 * was readable; out.ctxt and the fields a path does not set keep what the
 * caller supplied, as in the reference.
 */
static long azihsm_ioctl_aes(struct azihsm_file *f, void __user *argp, bool xts)
{
	struct azihsm_aes_cmd io;
	int ret;

	ret = azihsm_ioctl_arg_in(&io, argp, sizeof(io), sizeof(io));
	if (ret)
		return ret;

	ret = azihsm_aes_cmd(f, &io.in, &io.out, xts);
	if (copy_to_user(argp, &io, sizeof(io)))
		return -EFAULT;
	return ret;
}

long azihsm_ioctl_aes_xts(struct azihsm_file *f, void __user *argp)
{
	return azihsm_ioctl_aes(f, argp, true);
}

long azihsm_ioctl_aes_gcm(struct azihsm_file *f, void __user *argp)
{
	return azihsm_ioctl_aes(f, argp, false);
}
