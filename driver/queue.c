// SPDX-License-Identifier: GPL-2.0
/*
 * Azure Integrated HSM: submission/completion rings, tags and completion
 * draining, shared by the admin, HSM and AES queues.
 */
#include <linux/bitmap.h>
#include <linux/dma-mapping.h>
#include <linux/interrupt.h>
#include <linux/io.h>
#include <linux/slab.h>
#include <asm/unaligned.h>

#include "azihsm.h"

/* AES CQE field offsets (hardware.md 7.6); hw.h has no AES CQE struct. */
#define AZIHSM_AES_CQE_CID_OFF	2
#define AZIHSM_AES_CQE_SQHD_OFF	56

const struct azihsm_queue_kind azihsm_admin_kind = {
	.name		= "admin",
	.sqe_size	= AZIHSM_ADMIN_SQE_SIZE,
	.cqe_size	= AZIHSM_ADMIN_CQE_SIZE,
	.cqe_cid_off	= offsetof(struct azihsm_admin_cqe, cid),
	.cqe_sqhd_off	= offsetof(struct azihsm_admin_cqe, sq_head),
};

const struct azihsm_queue_kind azihsm_hsm_kind = {
	.name		= "hsm",
	.sqe_size	= AZIHSM_HSM_SQE_SIZE,
	.cqe_size	= AZIHSM_HSM_CQE_SIZE,
	.cqe_cid_off	= offsetof(struct azihsm_hsm_cqe, cid),
	.cqe_sqhd_off	= offsetof(struct azihsm_hsm_cqe, sq_head),
};

const struct azihsm_queue_kind azihsm_aes_kind = {
	.name		= "aes",
	.sqe_size	= AZIHSM_AES_SQE_SIZE,
	.cqe_size	= AZIHSM_AES_CQE_SIZE,
	.cqe_cid_off	= AZIHSM_AES_CQE_CID_OFF,
	.cqe_sqhd_off	= AZIHSM_AES_CQE_SQHD_OFF,
};

static inline unsigned int azihsm_nr_tags(const struct azihsm_queue *q)
{
	return q->depth - 1;
}

static struct device *azihsm_dma_dev(const struct azihsm_queue *q)
{
	return &q->ctrl->pdev->dev;
}

/*
 * Every ring is one zeroed, page-aligned coherent buffer rounded up to
 * 4 KiB, passed to the device in PRP1 with PC = 1 (hardware.md 4.1).
 */
static void *azihsm_ring_alloc(struct azihsm_queue *q, unsigned int entry_size,
			       size_t *bytes, dma_addr_t *dma)
{
	*bytes = round_up((size_t)q->depth * entry_size, AZIHSM_PAGE_SIZE);
	return dma_alloc_coherent(azihsm_dma_dev(q), *bytes, dma, GFP_KERNEL);
}

struct azihsm_queue *azihsm_queue_alloc(struct azihsm_ctrl *ctrl,
					const struct azihsm_queue_kind *kind,
					u16 qid, u16 depth, u16 vector)
{
	struct azihsm_queue *q;
	unsigned int i;

	q = kzalloc(sizeof(*q), GFP_KERNEL);
	if (!q)
		return NULL;
	q->ctrl = ctrl;
	q->kind = kind;
	q->qid = qid;
	q->depth = depth;
	q->vector = vector;
	q->cq_phase = 1;	/* the device writes P = 1 on its first pass */
	spin_lock_init(&q->lock);
	init_waitqueue_head(&q->tag_wait);
	q->sq_db = ctrl->dbs + AZIHSM_DB_SQ_TAIL(qid);
	q->cq_db = ctrl->dbs + AZIHSM_DB_CQ_HEAD(qid);

	/* Up to 1023 slots of ~180 bytes: do not insist on an order-6 page. */
	q->cmds = kvcalloc(azihsm_nr_tags(q), sizeof(*q->cmds), GFP_KERNEL);
	q->tag_map = bitmap_zalloc(azihsm_nr_tags(q), GFP_KERNEL);
	if (!q->cmds || !q->tag_map)
		goto fail;
	for (i = 0; i < azihsm_nr_tags(q); i++)
		init_completion(&q->cmds[i].done);

	q->sq = azihsm_ring_alloc(q, kind->sqe_size, &q->sq_bytes, &q->sq_dma);
	if (!q->sq)
		goto fail;
	q->cq = azihsm_ring_alloc(q, kind->cqe_size, &q->cq_bytes, &q->cq_dma);
	if (!q->cq)
		goto fail;
	return q;

fail:
	azihsm_queue_free(q);
	return NULL;
}

static void azihsm_cmd_free_pages(struct azihsm_queue *q, struct azihsm_cmd *cmd)
{
	while (cmd->nr_pages) {
		struct azihsm_dma_page *page = &cmd->pages[--cmd->nr_pages];

		dma_pool_free(q->ctrl->page_pool, page->vaddr, page->dma);
	}
}

/* Hand an abandoned slot's external buffers back to their owner. */
static void azihsm_cmd_orphan_release(struct azihsm_cmd *cmd)
{
	if (cmd->state == AZIHSM_CMD_ABANDONED && cmd->orphan_release)
		cmd->orphan_release(cmd->orphan_ctx);
	cmd->orphan_release = NULL;
	cmd->orphan_ctx = NULL;
}

/*
 * Only called once the device can no longer touch the queue (its SQ and CQ
 * deleted, or the controller disabled) and no submitter is left, so pages
 * still held by abandoned slots can go too.
 */
void azihsm_queue_free(struct azihsm_queue *q)
{
	struct device *dev = azihsm_dma_dev(q);
	unsigned int i;

	if (q->cmds) {
		for (i = 0; i < azihsm_nr_tags(q); i++) {
			azihsm_cmd_orphan_release(&q->cmds[i]);
			azihsm_cmd_free_pages(q, &q->cmds[i]);
		}
	}
	if (q->cq)
		dma_free_coherent(dev, q->cq_bytes, q->cq, q->cq_dma);
	if (q->sq)
		dma_free_coherent(dev, q->sq_bytes, q->sq, q->sq_dma);
	bitmap_free(q->tag_map);
	kvfree(q->cmds);
	kfree(q);
}

void azihsm_queue_set_enabled(struct azihsm_queue *q, bool enabled)
{
	unsigned long flags;

	spin_lock_irqsave(&q->lock, flags);
	WRITE_ONCE(q->enabled, enabled);
	spin_unlock_irqrestore(&q->lock, flags);
	/* Tag waiters re-check: they either get a slot or see the queue off. */
	wake_up_all(&q->tag_wait);
}

/* Called with q->lock held. */
static void azihsm_cmd_release_locked(struct azihsm_queue *q, struct azihsm_cmd *cmd)
{
	azihsm_cmd_orphan_release(cmd);
	azihsm_cmd_free_pages(q, cmd);
	cmd->state = AZIHSM_CMD_IDLE;
	__clear_bit(cmd - q->cmds, q->tag_map);
	wake_up(&q->tag_wait);
}

/* A free slot, NULL if every tag is busy, ERR_PTR(-EAGAIN) if disabled. */
struct azihsm_cmd *azihsm_cmd_try_get(struct azihsm_queue *q)
{
	struct azihsm_cmd *cmd = NULL;
	unsigned long flags;
	unsigned int tag;

	spin_lock_irqsave(&q->lock, flags);
	if (!q->enabled) {
		cmd = ERR_PTR(-EAGAIN);
	} else {
		tag = find_first_zero_bit(q->tag_map, azihsm_nr_tags(q));
		if (tag < azihsm_nr_tags(q)) {
			__set_bit(tag, q->tag_map);
			cmd = &q->cmds[tag];
			cmd->state = AZIHSM_CMD_PENDING;
			cmd->error = 0;
			cmd->async_done = NULL;
			cmd->async_ctx = NULL;
			reinit_completion(&cmd->done);
		}
	}
	spin_unlock_irqrestore(&q->lock, flags);
	return cmd;
}

/**
 * azihsm_cmd_get() - reserve a tag on @q, waiting up to @timeout for one
 * @q: queue
 * @timeout: jiffies to wait for a tag to be freed
 * @killable: whether a fatal signal ends the wait
 *
 * Return: the slot; ERR_PTR(-EAGAIN) if the queue is not accepting
 * commands, ERR_PTR(-EBUSY) if no tag came free in time, or
 * ERR_PTR(-ERESTARTSYS) on a fatal signal.
 */
struct azihsm_cmd *azihsm_cmd_get(struct azihsm_queue *q, long timeout,
				  bool killable)
{
	struct azihsm_cmd *cmd;
	long ret;

	if (killable)
		ret = wait_event_killable_timeout(q->tag_wait,
						  (cmd = azihsm_cmd_try_get(q)) != NULL,
						  timeout);
	else
		ret = wait_event_timeout(q->tag_wait,
					 (cmd = azihsm_cmd_try_get(q)) != NULL,
					 timeout);
	if (ret == 0)
		return ERR_PTR(-EBUSY);
	if (ret < 0)
		return ERR_PTR(ret);
	return cmd;
}

int azihsm_cmd_alloc_pages(struct azihsm_queue *q, struct azihsm_cmd *cmd,
			   unsigned int nr)
{
	struct azihsm_dma_page *page;

	if (WARN_ON(cmd->nr_pages + nr > AZIHSM_CMD_MAX_PAGES))
		return -EINVAL;
	while (nr--) {
		page = &cmd->pages[cmd->nr_pages];
		/*
		 * Zeroed so that a device reporting more response bytes than
		 * it wrote cannot hand a previous command's data to the user.
		 */
		page->vaddr = dma_pool_zalloc(q->ctrl->page_pool, GFP_KERNEL,
					      &page->dma);
		if (!page->vaddr)
			return -ENOMEM;
		cmd->nr_pages++;
	}
	return 0;
}

u16 azihsm_cmd_tag(struct azihsm_queue *q, struct azihsm_cmd *cmd)
{
	return cmd - q->cmds;
}

/* Give back a slot the caller owns (not one handed over by abandonment). */
void azihsm_cmd_put(struct azihsm_queue *q, struct azihsm_cmd *cmd)
{
	unsigned long flags;

	spin_lock_irqsave(&q->lock, flags);
	azihsm_cmd_release_locked(q, cmd);
	spin_unlock_irqrestore(&q->lock, flags);
}

/* @done and @ctx are set only if the entry is queued. */
static int azihsm_sq_append(struct azihsm_queue *q, struct azihsm_cmd *cmd,
			    const void *sqe, azihsm_cmd_done_fn done, void *ctx)
{
	unsigned long flags;
	int ret = 0;

	spin_lock_irqsave(&q->lock, flags);
	if (cmd->state != AZIHSM_CMD_PENDING) {
		/* Flushed by an abort between azihsm_cmd_get() and now. */
		ret = cmd->error;
	} else if (!q->enabled) {
		ret = -EAGAIN;
	} else if ((q->sq_tail + 1) % q->depth == q->sq_head) {
		/*
		 * Cannot happen with depth - 1 tags unless the device reports
		 * a stale SQHD; refuse rather than overwrite unread entries.
		 */
		dev_warn_ratelimited(azihsm_dma_dev(q),
				     "%s queue %u: submission queue full (head %u)\n",
				     q->kind->name, q->qid, q->sq_head);
		ret = -EAGAIN;
	} else {
		cmd->async_done = done;
		cmd->async_ctx = ctx;
		memcpy(q->sq + (size_t)q->sq_tail * q->kind->sqe_size, sqe,
		       q->kind->sqe_size);
		if (++q->sq_tail == q->depth)
			q->sq_tail = 0;
		/* writel() orders the SQE store before the doorbell. */
		writel(q->sq_tail, q->sq_db);
	}
	spin_unlock_irqrestore(&q->lock, flags);
	return ret;
}

/**
 * azihsm_cmd_exec() - submit @sqe for @cmd and wait for its completion
 * @q: queue the slot belongs to
 * @cmd: slot from azihsm_cmd_get(); the caller put its tag into @sqe
 * @sqe: entry of q->kind->sqe_size bytes
 * @timeout: jiffies to wait for the completion
 * @killable: whether a fatal signal ends the wait
 *
 * Return: 0 with the CQE in cmd->cqe; -EAGAIN if the queue refused the
 * command; cmd->error if the queue was flushed.  In all these cases the
 * caller still owns @cmd and must azihsm_cmd_put() it.  -ETIMEDOUT (no
 * completion in time) and -EINTR (fatal signal) mean the slot has been
 * abandoned to the completion path and must not be touched again.
 */
int azihsm_cmd_exec(struct azihsm_queue *q, struct azihsm_cmd *cmd,
		    const void *sqe, unsigned long timeout, bool killable)
{
	unsigned long flags;
	long left;
	int ret;

	ret = azihsm_sq_append(q, cmd, sqe, NULL, NULL);
	if (ret)
		return ret;

	if (killable)
		left = wait_for_completion_killable_timeout(&cmd->done, timeout);
	else
		left = wait_for_completion_timeout(&cmd->done, timeout);
	if (left > 0)
		return cmd->error;

	spin_lock_irqsave(&q->lock, flags);
	if (cmd->state == AZIHSM_CMD_DONE) {
		/* Completed between the timeout and taking the lock. */
		spin_unlock_irqrestore(&q->lock, flags);
		return cmd->error;
	}
	cmd->state = AZIHSM_CMD_ABANDONED;
	spin_unlock_irqrestore(&q->lock, flags);
	return left == 0 ? -ETIMEDOUT : -EINTR;
}

/**
 * azihsm_cmd_submit_async() - submit @sqe without waiting for it
 * @q: queue the slot belongs to
 * @cmd: slot from azihsm_cmd_try_get()/azihsm_cmd_get()
 * @sqe: entry of q->kind->sqe_size bytes with the slot's tag
 * @done: called once, without q->lock, from the completion interrupt or
 *	a queue flush; cmd->error and cmd->cqe say how the command ended;
 *	it must azihsm_cmd_put() the slot
 * @ctx: stored in cmd->async_ctx for @done
 *
 * Return: 0 when submitted; otherwise the caller still owns @cmd and
 * @done will not be called.
 */
int azihsm_cmd_submit_async(struct azihsm_queue *q, struct azihsm_cmd *cmd,
			    const void *sqe, azihsm_cmd_done_fn done, void *ctx)
{
	return azihsm_sq_append(q, cmd, sqe, done, ctx);
}

/**
 * azihsm_cmd_abandon_async() - give up waiting for an asynchronous command
 * @q: queue the slot belongs to
 * @cmd: slot submitted with azihsm_cmd_submit_async()
 * @ctx: the context it was submitted with (the slot may have been reused)
 *
 * Return: true if the command was still outstanding: its slot is now
 * ABANDONED, its callback will not run, and cmd->orphan_release runs once
 * the device is done with the buffers.  False if the callback runs or ran.
 */
bool azihsm_cmd_abandon_async(struct azihsm_queue *q, struct azihsm_cmd *cmd,
			      void *ctx)
{
	unsigned long flags;
	bool abandoned = false;

	spin_lock_irqsave(&q->lock, flags);
	if (cmd->async_ctx == ctx && cmd->state == AZIHSM_CMD_PENDING) {
		cmd->state = AZIHSM_CMD_ABANDONED;
		abandoned = true;
	}
	spin_unlock_irqrestore(&q->lock, flags);
	return abandoned;
}

/*
 * Called with q->lock held.  An asynchronous command is only marked DONE
 * and put on @async_list: its callback runs after the lock is dropped, so
 * that it can put the slot back and submit the next command.
 */
static void azihsm_cmd_finish_locked(struct azihsm_queue *q,
				     struct azihsm_cmd *cmd, const void *cqe,
				     int error, struct azihsm_cmd **async_list)
{
	switch (cmd->state) {
	case AZIHSM_CMD_PENDING:
		if (cqe)
			memcpy(&cmd->cqe, cqe, q->kind->cqe_size);
		cmd->error = error;
		cmd->state = AZIHSM_CMD_DONE;
		if (cmd->async_done) {
			cmd->async_next = *async_list;
			*async_list = cmd;
		} else {
			complete(&cmd->done);
		}
		break;
	case AZIHSM_CMD_ABANDONED:
		/* Nobody waits; the device is done with the pages now. */
		azihsm_cmd_release_locked(q, cmd);
		break;
	default:
		/* A flush finds finished slots not yet put back: fine. */
		if (cqe)
			dev_warn_ratelimited(azihsm_dma_dev(q),
					     "%s queue %u: second completion for CID %u\n",
					     q->kind->name, q->qid,
					     azihsm_cmd_tag(q, cmd));
		break;
	}
}

/* Run the callbacks azihsm_cmd_finish_locked() collected; q->lock free. */
static void azihsm_cmd_run_async(struct azihsm_queue *q, struct azihsm_cmd *list)
{
	struct azihsm_cmd *cmd;

	while (list) {
		cmd = list;
		list = cmd->async_next;
		cmd->async_done(q, cmd);
	}
}

/* Called with q->lock held. */
static void azihsm_cqe_handle_locked(struct azihsm_queue *q, const u8 *cqe,
				     struct azihsm_cmd **async_list)
{
	u16 cid = get_unaligned_le16(cqe + q->kind->cqe_cid_off);
	u16 sqhd = get_unaligned_le16(cqe + q->kind->cqe_sqhd_off);

	if (sqhd < q->depth)
		q->sq_head = sqhd;
	if (cid >= azihsm_nr_tags(q) || !test_bit(cid, q->tag_map)) {
		dev_warn_ratelimited(azihsm_dma_dev(q),
				     "%s queue %u: completion for unknown CID %u\n",
				     q->kind->name, q->qid, cid);
		return;
	}
	azihsm_cmd_finish_locked(q, &q->cmds[cid], cqe, 0, async_list);
}

/* Consume every new CQE; returns true if there was any. */
static bool azihsm_queue_drain(struct azihsm_queue *q)
{
	unsigned int cqe_size = q->kind->cqe_size;
	struct azihsm_cmd *async_list = NULL;
	unsigned long flags;
	bool found = false;
	const u8 *cqe;
	u16 status;

	spin_lock_irqsave(&q->lock, flags);
	for (;;) {
		cqe = q->cq + (size_t)q->cq_head * cqe_size;
		/* The phase bit is bit 0 of the entry's last 16-bit word. */
		status = le16_to_cpu(READ_ONCE(*(const __le16 *)(cqe + cqe_size - 2)));
		if ((status & AZIHSM_CQE_PHASE) != q->cq_phase)
			break;
		/* Read the rest of the entry only after seeing its phase. */
		dma_rmb();
		azihsm_cqe_handle_locked(q, cqe, &async_list);
		if (++q->cq_head == q->depth) {
			q->cq_head = 0;
			q->cq_phase ^= 1;
		}
		found = true;
	}
	if (found)
		writel(q->cq_head, q->cq_db);
	spin_unlock_irqrestore(&q->lock, flags);
	azihsm_cmd_run_async(q, async_list);
	return found;
}

/**
 * azihsm_queue_flush() - forget every command of a queue the device dropped
 * @q: queue whose SQ was deleted, or whose controller was disabled
 * @error: reported to the waiters of commands that got no completion
 *
 * Completions the device posted before dropping the SQ are consumed first,
 * so that none can be matched later with a reused CID.  The SQ indices
 * restart at 0, as a re-created SQ does on the device.
 */
void azihsm_queue_flush(struct azihsm_queue *q, int error)
{
	struct azihsm_cmd *async_list = NULL;
	unsigned long flags;
	unsigned int tag;

	azihsm_queue_drain(q);

	spin_lock_irqsave(&q->lock, flags);
	for_each_set_bit(tag, q->tag_map, azihsm_nr_tags(q))
		azihsm_cmd_finish_locked(q, &q->cmds[tag], NULL, error,
					 &async_list);
	q->sq_tail = 0;
	q->sq_head = 0;
	spin_unlock_irqrestore(&q->lock, flags);
	azihsm_cmd_run_async(q, async_list);
}

irqreturn_t azihsm_irq(int irq, void *data)
{
	struct azihsm_vector *vec = data;
	struct azihsm_queue *q;
	bool found = false;

	for (q = vec->queues; q; q = q->next_on_vector)
		found |= azihsm_queue_drain(q);
	return found ? IRQ_HANDLED : IRQ_NONE;
}
