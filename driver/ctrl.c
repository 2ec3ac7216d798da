// SPDX-License-Identifier: GPL-2.0
/*
 * Azure Integrated HSM: controller registers, admin commands, bring-up of
 * the I/O queues, level-1 abort and teardown.
 */
#include <linux/delay.h>
#include <linux/interrupt.h>
#include <linux/io.h>
#include <linux/io-64-nonatomic-lo-hi.h>
#include <linux/jiffies.h>
#include <linux/random.h>
#include <linux/slab.h>

#include "azihsm.h"

/* Set Features queue-count request: 128 SQs / 128 CQs, as the reference. */
#define AZIHSM_QUEUE_COUNT_REQUEST	0x00800080u
#define AZIHSM_MAX_HSM_QUEUES	(AZIHSM_HSM_QID_LAST - AZIHSM_HSM_QID_FIRST + 1)
#define AZIHSM_MAX_AES_QUEUES	(AZIHSM_AES_QID_LAST - AZIHSM_AES_QID_FIRST + 1)
#define AZIHSM_SQ_PRIO_HIGH	1
#define AZIHSM_SQ_PRIO_LOW	3

static struct device *azihsm_ctrl_dev(struct azihsm_ctrl *ctrl)
{
	return &ctrl->pdev->dev;
}

/* ---- Register handshake (hardware.md 2.13) ---- */

static int azihsm_ctrl_wait_ready(struct azihsm_ctrl *ctrl, bool ready)
{
	unsigned long deadline = jiffies + msecs_to_jiffies(ctrl->ready_timeout_ms);
	u32 csts;

	for (;;) {
		csts = readl(ctrl->regs + AZIHSM_REG_CSTS);
		if (csts == ~0u)
			return -ENODEV;
		if (!!(csts & AZIHSM_CSTS_RDY) == ready)
			return (csts & AZIHSM_CSTS_CFS) ? -EFAULT : 0;
		if (time_after(jiffies, deadline))
			return -ETIMEDOUT;
		usleep_range(1000, 2000);
	}
}

static int azihsm_ctrl_disable(struct azihsm_ctrl *ctrl)
{
	u32 cc = readl(ctrl->regs + AZIHSM_REG_CC);
	int ret;

	writel(cc & ~AZIHSM_CC_EN, ctrl->regs + AZIHSM_REG_CC);
	ret = azihsm_ctrl_wait_ready(ctrl, false);
	if (ret)
		dev_err(azihsm_ctrl_dev(ctrl), "controller disable failed: %d\n", ret);
	return ret;
}

static int azihsm_ctrl_enable(struct azihsm_ctrl *ctrl)
{
	struct azihsm_queue *adminq = ctrl->adminq;
	u32 cc, csts;
	int ret;

	cc = readl(ctrl->regs + AZIHSM_REG_CC);
	csts = readl(ctrl->regs + AZIHSM_REG_CSTS);
	if (csts == ~0u)
		return -ENODEV;
	/* Left enabled, e.g. by a previous driver instance: reset first. */
	if ((cc & AZIHSM_CC_EN) || (csts & AZIHSM_CSTS_RDY)) {
		ret = azihsm_ctrl_disable(ctrl);
		if (ret)
			return ret;
	}

	writel(((adminq->depth - 1) << 16) | (adminq->depth - 1),
	       ctrl->regs + AZIHSM_REG_AQA);
	writeq(adminq->sq_dma, ctrl->regs + AZIHSM_REG_ASQ);
	writeq(adminq->cq_dma, ctrl->regs + AZIHSM_REG_ACQ);
	cc = readl(ctrl->regs + AZIHSM_REG_CC);
	writel(cc | AZIHSM_CC_EN, ctrl->regs + AZIHSM_REG_CC);

	ret = azihsm_ctrl_wait_ready(ctrl, true);
	if (ret)
		dev_err(azihsm_ctrl_dev(ctrl), "controller enable failed: %d\n", ret);
	return ret;
}

/* CSTS.CFS, or all-ones: the device went away or needs a controller reset. */
static bool azihsm_ctrl_fatal(struct azihsm_ctrl *ctrl)
{
	u32 csts = readl(ctrl->regs + AZIHSM_REG_CSTS);

	return csts == ~0u || (csts & AZIHSM_CSTS_CFS);
}

/* ---- Admin commands ---- */

/*
 * Run one admin command.  With @in or @data, a 4 KiB page goes in PRP1:
 * @in's @len bytes are copied into it before the command (and wiped from
 * it after), and its first @len bytes are copied to @data on success.
 */
static int azihsm_admin_exec(struct azihsm_ctrl *ctrl,
			     struct azihsm_admin_sqe *sqe, const void *in,
			     void *data, size_t len, u32 *result)
{
	struct azihsm_queue *q = ctrl->adminq;
	struct azihsm_cmd *cmd;
	u16 status;
	int ret;

	/* A controller in fatal state answers nothing: do not wait 30 s. */
	if (azihsm_ctrl_fatal(ctrl)) {
		dev_err(azihsm_ctrl_dev(ctrl),
			"controller fatal status, admin command 0x%02x not sent\n",
			sqe->opcode);
		return -EIO;
	}
	cmd = azihsm_cmd_get(q, AZIHSM_ADMIN_TIMEOUT, true);
	if (IS_ERR(cmd))
		return PTR_ERR(cmd);
	if (in || data) {
		ret = azihsm_cmd_alloc_pages(q, cmd, 1);
		if (ret)
			goto put;
		sqe->prp1 = cpu_to_le64(cmd->pages[0].dma);
		if (in)
			memcpy(cmd->pages[0].vaddr, in, len);
	}
	sqe->cid = cpu_to_le16(azihsm_cmd_tag(q, cmd));

	ret = azihsm_cmd_exec(q, cmd, sqe, AZIHSM_ADMIN_TIMEOUT, true);
	if (ret == -ETIMEDOUT || ret == -EINTR) {
		dev_err(azihsm_ctrl_dev(ctrl), "admin command 0x%02x %s\n",
			sqe->opcode, ret == -EINTR ? "interrupted" : "timed out");
		return ret;
	}
	if (ret)
		goto put;

	status = AZIHSM_CQE_STATUS(le16_to_cpu(cmd->cqe.admin.status));
	if (status) {
		dev_dbg(azihsm_ctrl_dev(ctrl),
			"admin command 0x%02x failed, status 0x%04x\n",
			sqe->opcode, status);
		ret = -EIO;
		goto put;
	}
	if (result)
		*result = le32_to_cpu(cmd->cqe.admin.result);
	if (data)
		memcpy(data, cmd->pages[0].vaddr, len);
put:
	/* Key material must not linger in the page pool. */
	if (in && cmd->nr_pages)
		memzero_explicit(cmd->pages[0].vaddr, len);
	azihsm_cmd_put(q, cmd);
	return ret;
}

static int azihsm_admin_simple(struct azihsm_ctrl *ctrl, u8 opcode, u32 cdw10,
			       u32 cdw11, u32 *result)
{
	struct azihsm_admin_sqe sqe = {
		.opcode	= opcode,
		.cdw10	= cpu_to_le32(cdw10),
		.cdw11	= cpu_to_le32(cdw11),
	};

	return azihsm_admin_exec(ctrl, &sqe, NULL, NULL, 0, result);
}

/**
 * azihsm_admin_ext() - run an extension admin command (hw.h, "azihsm
 * extensions") on a LIVE controller; may sleep
 * @ctrl: controller
 * @opcode: AZIHSM_ADMIN_EXT_*
 * @cdw10: command dword 10
 * @in: NULL, or @len bytes for the PRP1 page (wiped after the command)
 * @out: NULL, or where the first @len bytes of the PRP1 page go
 * @len: at most AZIHSM_PAGE_SIZE
 * @result: NULL, or where the CQE result goes
 *
 * Return: 0, -ENODEV when the controller is not LIVE, -EIO when the
 * device fails the command, or another errno from the admin queue.
 */
int azihsm_admin_ext(struct azihsm_ctrl *ctrl, u8 opcode, u32 cdw10,
		     const void *in, void *out, size_t len, u32 *result)
{
	struct azihsm_admin_sqe sqe = {
		.opcode	= opcode,
		.cdw10	= cpu_to_le32(cdw10),
	};
	int ret = -ENODEV;

	if (WARN_ON(len > AZIHSM_PAGE_SIZE))
		return -EINVAL;
	down_read(&ctrl->users_rwsem);
	if (READ_ONCE(ctrl->state) == AZIHSM_CTRL_LIVE)
		ret = azihsm_admin_exec(ctrl, &sqe, in, out, len, result);
	up_read(&ctrl->users_rwsem);
	return ret;
}

static u32 azihsm_queue_cdw10(struct azihsm_queue *q)
{
	return ((u32)(q->depth - 1) << 16) | q->qid;
}

static int azihsm_create_cq(struct azihsm_ctrl *ctrl, struct azihsm_queue *q)
{
	struct azihsm_admin_sqe sqe = {
		.opcode	= AZIHSM_ADMIN_CREATE_CQ,
		.prp1	= cpu_to_le64(q->cq_dma),
		.cdw10	= cpu_to_le32(azihsm_queue_cdw10(q)),
		.cdw11	= cpu_to_le32(((u32)q->vector << 16) | AZIHSM_CQ_IEN |
				      AZIHSM_QUEUE_PC),
	};

	return azihsm_admin_exec(ctrl, &sqe, NULL, NULL, 0, NULL);
}

static int azihsm_create_sq(struct azihsm_ctrl *ctrl, struct azihsm_queue *q)
{
	/* The reference marks odd queue IDs high and even IDs low priority. */
	u32 prio = (q->qid & 1) ? AZIHSM_SQ_PRIO_HIGH : AZIHSM_SQ_PRIO_LOW;
	struct azihsm_admin_sqe sqe = {
		.opcode	= AZIHSM_ADMIN_CREATE_SQ,
		.prp1	= cpu_to_le64(q->sq_dma),
		.cdw10	= cpu_to_le32(azihsm_queue_cdw10(q)),
		.cdw11	= cpu_to_le32(((u32)q->qid << 16) | (prio << 1) |
				      AZIHSM_QUEUE_PC),
	};

	return azihsm_admin_exec(ctrl, &sqe, NULL, NULL, 0, NULL);
}

static int azihsm_delete_sq(struct azihsm_ctrl *ctrl, struct azihsm_queue *q)
{
	return azihsm_admin_simple(ctrl, AZIHSM_ADMIN_DELETE_SQ, q->qid, 0, NULL);
}

static int azihsm_delete_cq(struct azihsm_ctrl *ctrl, struct azihsm_queue *q)
{
	return azihsm_admin_simple(ctrl, AZIHSM_ADMIN_DELETE_CQ, q->qid, 0, NULL);
}

/* Queue counts come back 0-based in both halves of the result. */
static int azihsm_get_queue_count(struct azihsm_ctrl *ctrl, u8 fid,
				  unsigned int *count)
{
	u32 result;
	int ret;

	ret = azihsm_admin_simple(ctrl, AZIHSM_ADMIN_SET_FEATURES, fid,
				  AZIHSM_QUEUE_COUNT_REQUEST, &result);
	if (ret)
		return ret;
	*count = min(result & 0xffff, result >> 16) + 1;
	/* 0xffff in both halves means "none". */
	if (*count > 0xffff)
		*count = 0;
	return 0;
}

static int azihsm_ctrl_identify(struct azihsm_ctrl *ctrl)
{
	struct device *dev = azihsm_ctrl_dev(ctrl);
	struct azihsm_admin_sqe sqe = {
		.opcode	= AZIHSM_ADMIN_IDENTIFY,
		.cdw10	= cpu_to_le32(AZIHSM_IDENTIFY_CNS_CTRL),
	};
	struct azihsm_identify id;
	u32 cc;
	int ret;

	ret = azihsm_admin_exec(ctrl, &sqe, NULL, &id, sizeof(id), NULL);
	if (ret) {
		dev_err(dev, "identify failed: %d\n", ret);
		return ret;
	}

	/* Only the low ("max") nibble is checked, as the reference does. */
	if ((id.cp_sqes & 0xf) != (AZIHSM_ID_CP_SQES & 0xf) ||
	    (id.cp_cqes & 0xf) != (AZIHSM_ID_CP_CQES & 0xf) ||
	    (id.fp_sqes & 0xf) != (AZIHSM_ID_FP_SQES & 0xf) ||
	    (id.fp_cqes & 0xf) != (AZIHSM_ID_FP_CQES & 0xf)) {
		dev_err(dev, "unsupported queue entry sizes %02x/%02x/%02x/%02x\n",
			id.cp_sqes, id.cp_cqes, id.fp_sqes, id.fp_cqes);
		return -EINVAL;
	}

	ctrl->ctrl_id = le16_to_cpu(id.ctrl_id);
	memcpy(ctrl->serial, id.sn, sizeof(id.sn));
	ctrl->serial[sizeof(id.sn)] = '\0';
	memcpy(ctrl->firmware_rev, id.fr, sizeof(id.fr));
	ctrl->firmware_rev[sizeof(id.fr)] = '\0';

	cc = readl(ctrl->regs + AZIHSM_REG_CC) & ~AZIHSM_CC_ES_MASK;
	cc |= (id.cp_sqes & 0xf) << AZIHSM_CC_CP_IOSQES_SHIFT;
	cc |= (id.cp_cqes & 0xf) << AZIHSM_CC_CP_IOCQES_SHIFT;
	cc |= (u32)(id.fp_sqes & 0xf) << AZIHSM_CC_FP_IOSQES_SHIFT;
	cc |= (u32)(id.fp_cqes & 0xf) << AZIHSM_CC_FP_IOCQES_SHIFT;
	writel(cc, ctrl->regs + AZIHSM_REG_CC);

	dev_info(dev, "controller %u, serial \"%.32s\", firmware \"%.32s\"\n",
		 ctrl->ctrl_id, ctrl->serial, ctrl->firmware_rev);
	return 0;
}

/* ---- Queue pools ---- */

static void azihsm_vector_release(struct azihsm_ctrl *ctrl, unsigned int v)
{
	struct azihsm_vector *vec = &ctrl->vectors[v];

	if (vec->requested)
		free_irq(pci_irq_vector(ctrl->pdev, v), vec);
	vec->requested = false;
	vec->queues = NULL;
}

/* The vector's queue list must be complete: the handler walks it unlocked. */
static int azihsm_vector_request(struct azihsm_ctrl *ctrl, unsigned int v,
				 const char *kind)
{
	struct azihsm_vector *vec = &ctrl->vectors[v];
	int ret;

	snprintf(vec->name, sizeof(vec->name), "azihsm-%s-%u", kind, v);
	ret = request_irq(pci_irq_vector(ctrl->pdev, v), azihsm_irq, 0,
			  vec->name, vec);
	if (ret)
		dev_err(azihsm_ctrl_dev(ctrl), "cannot get IRQ for vector %u: %d\n",
			v, ret);
	else
		vec->requested = true;
	return ret;
}

static struct azihsm_queue *azihsm_queue_bind(struct azihsm_ctrl *ctrl,
					      const struct azihsm_queue_kind *kind,
					      u16 qid, u16 depth, u16 v)
{
	struct azihsm_queue *q;

	q = azihsm_queue_alloc(ctrl, kind, qid, depth, v);
	if (q) {
		q->next_on_vector = ctrl->vectors[v].queues;
		ctrl->vectors[v].queues = q;
	}
	return q;
}

/*
 * Allocate @count queues from @first_qid, spread them round-robin over the
 * pool's vectors, hook up those vectors and create the queues on the device.
 * On failure the caller cleans up with azihsm_pool_delete()/_free().
 */
static int azihsm_pool_create(struct azihsm_ctrl *ctrl, struct azihsm_pool *pool,
			      unsigned int count, u16 first_qid, u16 depth)
{
	struct azihsm_queue *q;
	unsigned int k, v;
	int ret;

	pool->queues = kcalloc(count, sizeof(*pool->queues), GFP_KERNEL);
	if (!pool->queues)
		return -ENOMEM;
	pool->nr_vectors = min(pool->nr_vectors, count);

	for (k = 0; k < count; k++) {
		v = pool->first_vector + k % pool->nr_vectors;
		q = azihsm_queue_bind(ctrl, pool->kind, first_qid + k, depth, v);
		if (!q)
			return -ENOMEM;
		pool->queues[pool->nr_queues++] = q;
	}

	for (v = pool->first_vector; v < pool->first_vector + pool->nr_vectors; v++) {
		ret = azihsm_vector_request(ctrl, v, pool->kind->name);
		if (ret)
			return ret;
	}

	for (k = 0; k < pool->nr_queues; k++) {
		q = pool->queues[k];
		ret = azihsm_create_cq(ctrl, q);
		if (ret)
			goto fail;
		q->cq_created = true;
		ret = azihsm_create_sq(ctrl, q);
		if (ret)
			goto fail;
		q->sq_created = true;
		azihsm_queue_set_enabled(q, true);
	}
	return 0;

fail:
	dev_err(azihsm_ctrl_dev(ctrl), "cannot create %s queue %u: %d\n",
		pool->kind->name, q->qid, ret);
	return ret;
}

/*
 * Delete the pool's queues on the device (hardware.md 5.11.3).  Stops at
 * the first admin timeout: the controller is unresponsive and will be
 * disabled instead.
 */
static int azihsm_pool_delete(struct azihsm_ctrl *ctrl, struct azihsm_pool *pool)
{
	struct azihsm_queue *q;
	unsigned int k;
	int ret = 0;

	for (k = 0; k < pool->nr_queues; k++) {
		q = pool->queues[k];
		if (q->sq_created) {
			ret = azihsm_delete_sq(ctrl, q);
			if (ret)
				break;
			q->sq_created = false;
		}
		if (q->cq_created) {
			ret = azihsm_delete_cq(ctrl, q);
			if (ret)
				break;
			q->cq_created = false;
		}
	}
	if (ret)
		dev_warn(azihsm_ctrl_dev(ctrl), "cannot delete %s queue %u: %d\n",
			 pool->kind->name, q->qid, ret);
	return ret;
}

/* The device must no longer touch the pool's queues. */
static void azihsm_pool_free(struct azihsm_ctrl *ctrl, struct azihsm_pool *pool)
{
	unsigned int k, v;

	for (v = pool->first_vector; v < pool->first_vector + pool->nr_vectors; v++)
		azihsm_vector_release(ctrl, v);
	for (k = 0; k < pool->nr_queues; k++)
		azihsm_queue_free(pool->queues[k]);
	kfree(pool->queues);
	pool->queues = NULL;
	pool->nr_queues = 0;
	pool->nr_vectors = 0;
}

static void azihsm_pool_for_each(struct azihsm_pool *pool,
				 void (*fn)(struct azihsm_queue *q, int arg),
				 int arg)
{
	unsigned int k;

	for (k = 0; k < pool->nr_queues; k++)
		fn(pool->queues[k], arg);
}

static void azihsm_queue_disable_fn(struct azihsm_queue *q, int unused)
{
	azihsm_queue_set_enabled(q, false);
}

static void azihsm_queue_flush_fn(struct azihsm_queue *q, int error)
{
	azihsm_queue_flush(q, error);
}

/*
 * MSI-X layout (hardware.md 1.5): vector 0 admin, HSM CQs on 1..15, AES
 * CQs on 16..31; the firmware rejects anything else.  With fewer vectors
 * the HSM queues share what there is and the AES queues are skipped.
 */
static int azihsm_ctrl_setup_hsm(struct azihsm_ctrl *ctrl)
{
	struct azihsm_pool *pool = &ctrl->hsm;
	unsigned int count;
	int ret;

	ret = azihsm_get_queue_count(ctrl, AZIHSM_FEAT_HSM_QUEUE_COUNT, &count);
	if (ret) {
		dev_err(azihsm_ctrl_dev(ctrl), "cannot get HSM queue count: %d\n", ret);
		return ret;
	}
	if (!count) {
		dev_err(azihsm_ctrl_dev(ctrl), "device offers no HSM queues\n");
		return -ENODEV;
	}
	count = min_t(unsigned int, count, AZIHSM_MAX_HSM_QUEUES);

	pool->kind = &azihsm_hsm_kind;
	pool->first_vector = AZIHSM_HSM_VECTOR_FIRST;
	pool->nr_vectors = min_t(unsigned int, ctrl->nr_vectors - 1,
				 AZIHSM_HSM_VECTOR_LAST - AZIHSM_HSM_VECTOR_FIRST + 1);
	return azihsm_pool_create(ctrl, pool, count, AZIHSM_HSM_QID_FIRST,
				  ctrl->hsm_depth);
}

/* AES queues are optional: any failure leaves the controller without them. */
static int azihsm_ctrl_setup_aes(struct azihsm_ctrl *ctrl)
{
	struct device *dev = azihsm_ctrl_dev(ctrl);
	struct azihsm_pool *pool = &ctrl->aes;
	unsigned int count;
	int ret;

	pool->kind = &azihsm_aes_kind;
	if (ctrl->nr_vectors <= AZIHSM_AES_VECTOR_FIRST) {
		dev_warn(dev, "%u MSI-X vectors, AES queues need vector %u: skipping them\n",
			 ctrl->nr_vectors, AZIHSM_AES_VECTOR_FIRST);
		return 0;
	}
	ret = azihsm_get_queue_count(ctrl, AZIHSM_FEAT_AES_QUEUE_COUNT, &count);
	if (ret) {
		dev_warn(dev, "cannot get AES queue count (%d): no AES queues\n", ret);
		return 0;
	}
	if (!count)
		return 0;
	count = min_t(unsigned int, count, AZIHSM_MAX_AES_QUEUES);
	/* Reclaim: freeing an abandoned command's buffers returns memory. */
	ctrl->aes_wq = alloc_workqueue("azihsm-aes-%s", WQ_MEM_RECLAIM, 0,
				       pci_name(ctrl->pdev));
	if (!ctrl->aes_wq) {
		dev_warn(dev, "no memory for the AES workqueue: no AES queues\n");
		return 0;
	}

	pool->first_vector = AZIHSM_AES_VECTOR_FIRST;
	pool->nr_vectors = min_t(unsigned int,
				 ctrl->nr_vectors - AZIHSM_AES_VECTOR_FIRST,
				 AZIHSM_AES_VECTOR_LAST - AZIHSM_AES_VECTOR_FIRST + 1);
	ret = azihsm_pool_create(ctrl, pool, count, AZIHSM_AES_QID_FIRST,
				 ctrl->aes_depth);
	if (!ret)
		return 0;

	dev_warn(dev, "continuing without AES queues\n");
	/* If the device keeps a queue we cannot free its rings: give up. */
	ret = azihsm_pool_delete(ctrl, pool);
	if (ret)
		return ret;
	azihsm_pool_free(ctrl, pool);
	return 0;
}

static void azihsm_ctrl_set_resources(struct azihsm_ctrl *ctrl)
{
	u32 count = min_t(u32, ctrl->pf_res_cnt, AZIHSM_MAX_HSM_QUEUES - 1);
	int ret;

	if (!ctrl->is_pf || !count)
		return;
	ret = azihsm_admin_simple(ctrl, AZIHSM_ADMIN_SET_RES_CNT, ctrl->ctrl_id,
				  count, NULL);
	if (ret)
		dev_warn(azihsm_ctrl_dev(ctrl),
			 "cannot assign %u resources to the PF: %d\n", count, ret);
}

/**
 * azihsm_ctrl_init() - bring the controller up (hardware.md 5.11.1)
 * @ctrl: controller with BARs mapped and MSI-X vectors allocated
 *
 * On failure the caller undoes the partial work with azihsm_ctrl_teardown().
 */
int azihsm_ctrl_init(struct azihsm_ctrl *ctrl)
{
	struct device *dev = azihsm_ctrl_dev(ctrl);
	unsigned int mqes;
	u32 vs;
	int ret;

	ctrl->cap = readq(ctrl->regs + AZIHSM_REG_CAP);
	if (ctrl->cap == ~0ull)
		return -ENODEV;
	/* Set first: the teardown after any failure below waits with it. */
	ctrl->ready_timeout_ms = (AZIHSM_CAP_TO(ctrl->cap) + 1) * 500;
	if (AZIHSM_CAP_DSTRD(ctrl->cap)) {
		dev_err(dev, "unsupported doorbell stride %u\n",
			AZIHSM_CAP_DSTRD(ctrl->cap));
		return -ENODEV;
	}
	mqes = AZIHSM_CAP_MQES(ctrl->cap) + 1;
	if (mqes < 2) {
		dev_err(dev, "queues of %u entries are unusable\n", mqes);
		return -ENODEV;
	}
	ctrl->hsm_depth = clamp_t(unsigned int, ctrl->hsm_depth, 2, mqes);
	ctrl->aes_depth = clamp_t(unsigned int, ctrl->aes_depth, 2, mqes);

	ctrl->adminq = azihsm_queue_bind(ctrl, &azihsm_admin_kind,
					 AZIHSM_ADMIN_QID, AZIHSM_ADMIN_DEPTH, 0);
	if (!ctrl->adminq)
		return -ENOMEM;
	ret = azihsm_vector_request(ctrl, 0, "ctrl");
	if (ret)
		return ret;

	ret = azihsm_ctrl_enable(ctrl);
	if (ret)
		return ret;
	azihsm_queue_set_enabled(ctrl->adminq, true);
	vs = readl(ctrl->regs + AZIHSM_REG_VS);
	dev_dbg(dev, "controller version %u.%u.%u\n", vs >> 16, (vs >> 8) & 0xff,
		vs & 0xff);

	ret = azihsm_ctrl_identify(ctrl);
	if (ret)
		return ret;
	azihsm_ctrl_set_resources(ctrl);
	ret = azihsm_ctrl_setup_hsm(ctrl);
	if (ret)
		return ret;
	ret = azihsm_ctrl_setup_aes(ctrl);
	if (ret)
		return ret;

	ret = azihsm_admin_simple(ctrl, AZIHSM_ADMIN_GET_FEATURES,
				  AZIHSM_FEAT_FW_CAPS, 0, &ctrl->fw_caps);
	if (ret) {
		dev_dbg(dev, "no firmware capabilities (%d)\n", ret);
		ctrl->fw_caps = 0;
	}
	get_random_bytes(ctrl->entropy, sizeof(ctrl->entropy));
	return 0;
}

/**
 * azihsm_ctrl_quiesce() - stop the controller and fail what is outstanding
 * @ctrl: controller
 * @graceful: delete the I/O queues with admin commands before disabling
 *
 * After this no user sees the controller LIVE, the device is disabled (so
 * it no longer touches host memory) and every waiter has been woken.
 * Idempotent; also used by the shutdown hook.
 */
void azihsm_ctrl_quiesce(struct azihsm_ctrl *ctrl, bool graceful)
{
	WRITE_ONCE(ctrl->state, AZIHSM_CTRL_DEAD);

	mutex_lock(&ctrl->abort_lock);
	azihsm_pool_for_each(&ctrl->hsm, azihsm_queue_disable_fn, 0);
	azihsm_pool_for_each(&ctrl->aes, azihsm_queue_disable_fn, 0);
	if (graceful && ctrl->adminq &&
	    !azihsm_pool_delete(ctrl, &ctrl->aes))
		azihsm_pool_delete(ctrl, &ctrl->hsm);
	/*
	 * The flushes below free abandoned slots' pages and teardown frees
	 * the rings: if the controller did not confirm the disable it may
	 * still write to them, so take bus mastering away from it.
	 */
	if (ctrl->regs && azihsm_ctrl_disable(ctrl))
		pci_clear_master(ctrl->pdev);

	azihsm_pool_for_each(&ctrl->aes, azihsm_queue_flush_fn, -ENODEV);
	azihsm_pool_for_each(&ctrl->hsm, azihsm_queue_flush_fn, -ENODEV);
	if (ctrl->adminq) {
		azihsm_queue_set_enabled(ctrl->adminq, false);
		azihsm_queue_flush(ctrl->adminq, -ENODEV);
	}
	mutex_unlock(&ctrl->abort_lock);
}

/**
 * azihsm_ctrl_teardown() - quiesce the controller and free its queues
 * @ctrl: controller, fully or partly initialised
 * @graceful: as for azihsm_ctrl_quiesce()
 */
void azihsm_ctrl_teardown(struct azihsm_ctrl *ctrl, bool graceful)
{
	azihsm_ctrl_quiesce(ctrl, graceful);

	/* Wait for the users that saw the controller LIVE to leave. */
	down_write(&ctrl->users_rwsem);
	up_write(&ctrl->users_rwsem);

	azihsm_pool_free(ctrl, &ctrl->aes);
	/* After the pool: freeing its queues may queue orphan work. */
	if (ctrl->aes_wq) {
		destroy_workqueue(ctrl->aes_wq);
		ctrl->aes_wq = NULL;
	}
	azihsm_pool_free(ctrl, &ctrl->hsm);
	if (ctrl->adminq) {
		azihsm_vector_release(ctrl, 0);
		azihsm_queue_free(ctrl->adminq);
		ctrl->adminq = NULL;
	}
}

/**
 * azihsm_ctrl_abort_queue() - level-1 abort after a command timed out
 * @ctrl: controller
 * @q: HSM or AES queue the command was submitted to
 * @resets: q->resets read before the submission
 *
 * Deletes and re-creates the SQ (hardware.md 8.2).  Every command still
 * outstanding on it fails with -ECANCELED, and the timed-out (abandoned)
 * command's tag and pages are released.  The CQ keeps its state.  Skipped
 * if another abort already reset the queue since @resets was read.
 */
void azihsm_ctrl_abort_queue(struct azihsm_ctrl *ctrl, struct azihsm_queue *q,
			     unsigned int resets)
{
	struct device *dev = azihsm_ctrl_dev(ctrl);
	int ret;

	mutex_lock(&ctrl->abort_lock);
	if (READ_ONCE(ctrl->state) != AZIHSM_CTRL_LIVE || q->resets != resets ||
	    !q->sq_created)
		goto unlock;

	WRITE_ONCE(ctrl->abort_in_progress, true);
	dev_warn(dev, "%s queue %u: command timed out, resetting the queue\n",
		 q->kind->name, q->qid);
	azihsm_queue_set_enabled(q, false);

	ret = azihsm_delete_sq(ctrl, q);
	if (ret) {
		dev_err(dev, "%s queue %u: delete failed (%d), queue stays disabled\n",
			q->kind->name, q->qid, ret);
		goto done;
	}
	q->sq_created = false;
	WRITE_ONCE(q->resets, q->resets + 1);
	azihsm_queue_flush(q, -ECANCELED);

	ret = azihsm_create_sq(ctrl, q);
	if (ret) {
		dev_err(dev, "%s queue %u: re-create failed (%d), queue stays disabled\n",
			q->kind->name, q->qid, ret);
		goto done;
	}
	q->sq_created = true;
	azihsm_queue_set_enabled(q, true);
done:
	WRITE_ONCE(ctrl->abort_in_progress, false);
unlock:
	mutex_unlock(&ctrl->abort_lock);
}
