// SPDX-License-Identifier: GPL-2.0
/*
 * Azure Integrated HSM: kernel crypto API algorithms on the AES fast path,
 * cbc(aes), xts(aes) and gcm(aes), with keys imported through the admin
 * extensions (hw.h, "azihsm extensions").
 *
 * A request is copied into one bounce buffer, [source][destination][GCM
 * tail], mapped once; each side becomes a one-block SGL.  The command is
 * submitted asynchronously (queue.c) and finished by the completion
 * interrupt, which copies the result back and completes the request.  A
 * timer fails a request the device does not answer in time and starts the
 * level-1 abort of its queue; the abandoned slot keeps the bounce buffer
 * until the device is done with it (late completion, abort or teardown).
 *
 * What the device cannot do goes to a software fallback: XTS lengths that
 * are not a multiple of 16 (ciphertext stealing), requests above 1 MiB
 * (the bounce buffer), and GCM requests without text or whose text needs
 * the tail protocol the device does not offer.
 */
#include <linux/dma-mapping.h>
#include <linux/kref.h>
#include <linux/module.h>
#include <linux/scatterlist.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/timer.h>
#include <linux/workqueue.h>
#include <crypto/aes.h>
#include <crypto/gcm.h>
#include <crypto/internal/aead.h>
#include <crypto/internal/skcipher.h>
#include <crypto/scatterwalk.h>
#include <crypto/xts.h>

#include "azihsm.h"

static int crypto_priority = 50;
module_param(crypto_priority, int, 0444);
MODULE_PARM_DESC(crypto_priority,
		 "Priority of the -azihsm crypto algorithms (default 50: below the CPU's, so they are used only when asked for by driver name)");

/* STS 0x3 ERR 0x9: GCM tag mismatch found by the engine itself (7.7 D). */
#define AZIHSM_CRYPTO_ENGINE_TAG_MISMATCH	0x9
/*
 * Largest request the device gets (XTS and CBC data, GCM AAD plus text):
 * the bounce buffer holds it twice and must stay well within kmalloc's
 * limit.  Larger requests go to the fallback.
 */
#define AZIHSM_CRYPTO_MAX_LEN		SZ_1M

/*
 * Registration waits for the self-tests, whose tfms take
 * azihsm_crypto_mutex: registering and unregistering are serialised by
 * azihsm_crypto_reg_mutex alone, taken outside azihsm_crypto_mutex.
 */
static DEFINE_MUTEX(azihsm_crypto_reg_mutex);
/* Controllers that registered for the algorithms, and who uses them. */
static DEFINE_MUTEX(azihsm_crypto_mutex);
static LIST_HEAD(azihsm_crypto_ctrls);
static unsigned int azihsm_crypto_nr_ctrls;
static unsigned int azihsm_crypto_next;
static unsigned int azihsm_crypto_nr_tfms;
static bool azihsm_crypto_registered;
static struct workqueue_struct *azihsm_crypto_wq;

struct azihsm_crypto_tfm {
	struct azihsm_ctrl	*ctrl;		/* holds a device reference */
	u32			key_id;		/* 0: none yet */
	u8			cipher;		/* AZIHSM_EXT_CIPHER_* */
	union {
		struct crypto_skcipher	*skcipher;
		struct crypto_aead	*aead;
	} fallback;
};

/* One command in flight; freed when both the slot and the timer let go. */
struct azihsm_crypto_cmd {
	struct kref		ref;
	struct azihsm_ctrl	*ctrl;		/* holds a device reference */
	struct azihsm_queue	*q;
	struct azihsm_cmd	*cmd;
	unsigned int		resets;
	struct timer_list	timer;
	struct work_struct	abort_work;

	struct crypto_async_request *areq;
	int			(*finish)(struct azihsm_crypto_cmd *c);
	bool			decrypt;

	u8			*buf;
	size_t			buf_len;
	dma_addr_t		dma;
	bool			mapped;
	u32			src_len;
	u32			dst_len;	/* also the destination's offset */
	u8			tail_len;	/* GCM tail, at src_len + dst_len */
	u32			aad_region;	/* GCM: ALIGNED_AAD_LEN */
	u32			aad_pre;	/* GCM: zeros before the AAD */
	struct azihsm_aes_sgl	src;
	struct azihsm_aes_sgl	dst;
	struct azihsm_aes_cqe	cqe;
};

static struct device *azihsm_crypto_dev(struct azihsm_ctrl *ctrl)
{
	return &ctrl->pdev->dev;
}

/* ---- Keys ---- */

static void azihsm_crypto_key_delete(struct azihsm_crypto_tfm *ctx)
{
	int ret;

	if (!ctx->key_id)
		return;
	ret = azihsm_admin_ext(ctx->ctrl, AZIHSM_ADMIN_EXT_KEY_DELETE,
			       ctx->key_id, NULL, NULL, 0, NULL);
	/* A controller that went away took its keys with it. */
	if (ret && ret != -ENODEV)
		dev_warn(azihsm_crypto_dev(ctx->ctrl),
			 "cannot delete kernel key 0x%08x: %d\n", ctx->key_id, ret);
	ctx->key_id = 0;
}

/*
 * setkey may sleep here: the import is a synchronous admin command with a
 * GFP_KERNEL page, as in other drivers that program keys into a device.
 * The new key is imported before the old one is deleted.
 */
static int azihsm_crypto_key_import(struct azihsm_crypto_tfm *ctx,
				    const u8 *key, unsigned int keylen)
{
	u32 id;
	int ret;

	ret = azihsm_admin_ext(ctx->ctrl, AZIHSM_ADMIN_EXT_KEY_IMPORT,
			       ctx->cipher | keylen << 8, key, NULL, keylen, &id);
	if (ret == -EIO)
		return -EINVAL;	/* INVALID_FIELD: the device refuses this key */
	if (ret)
		return ret;
	if (!(id & AZIHSM_EXT_KEY_ID_KERNEL)) {
		dev_err(azihsm_crypto_dev(ctx->ctrl),
			"key import returned a non-kernel key id 0x%08x\n", id);
		return -EIO;
	}
	azihsm_crypto_key_delete(ctx);
	ctx->key_id = id;
	return 0;
}

/* ---- Device selection and tfm life cycle ---- */

static int azihsm_crypto_tfm_init(struct azihsm_crypto_tfm *ctx, u8 cipher)
{
	struct azihsm_ctrl *ctrl;
	unsigned int n = 0, pick;

	mutex_lock(&azihsm_crypto_mutex);
	if (!azihsm_crypto_nr_ctrls) {
		mutex_unlock(&azihsm_crypto_mutex);
		return -ENODEV;
	}
	pick = azihsm_crypto_next++ % azihsm_crypto_nr_ctrls;
	list_for_each_entry(ctrl, &azihsm_crypto_ctrls, crypto_node)
		if (n++ == pick)
			break;
	get_device(&ctrl->dev);
	azihsm_crypto_nr_tfms++;
	mutex_unlock(&azihsm_crypto_mutex);

	ctx->ctrl = ctrl;
	ctx->cipher = cipher;
	ctx->key_id = 0;
	return 0;
}

static void azihsm_crypto_tfm_exit(struct azihsm_crypto_tfm *ctx)
{
	azihsm_crypto_key_delete(ctx);
	put_device(&ctx->ctrl->dev);
	mutex_lock(&azihsm_crypto_mutex);
	azihsm_crypto_nr_tfms--;
	mutex_unlock(&azihsm_crypto_mutex);
}

static int azihsm_skcipher_init(struct crypto_skcipher *tfm, u8 cipher,
				bool fallback)
{
	struct azihsm_crypto_tfm *ctx = crypto_skcipher_ctx(tfm);
	const char *name = crypto_tfm_alg_name(crypto_skcipher_tfm(tfm));
	struct crypto_skcipher *fb;
	int ret;

	ctx->fallback.skcipher = NULL;
	if (fallback) {
		fb = crypto_alloc_skcipher(name, 0, CRYPTO_ALG_NEED_FALLBACK);
		if (IS_ERR(fb))
			return PTR_ERR(fb);
		ctx->fallback.skcipher = fb;
		crypto_skcipher_set_reqsize(tfm, sizeof(struct skcipher_request) +
					    crypto_skcipher_reqsize(fb));
	}
	ret = azihsm_crypto_tfm_init(ctx, cipher);
	if (ret)
		crypto_free_skcipher(ctx->fallback.skcipher);
	return ret;
}

static int azihsm_cbc_init(struct crypto_skcipher *tfm)
{
	return azihsm_skcipher_init(tfm, AZIHSM_EXT_CIPHER_CBC, true);
}

static int azihsm_xts_init(struct crypto_skcipher *tfm)
{
	return azihsm_skcipher_init(tfm, AZIHSM_EXT_CIPHER_XTS, true);
}

static void azihsm_skcipher_exit(struct crypto_skcipher *tfm)
{
	struct azihsm_crypto_tfm *ctx = crypto_skcipher_ctx(tfm);

	azihsm_crypto_tfm_exit(ctx);
	crypto_free_skcipher(ctx->fallback.skcipher);
}

static int azihsm_gcm_init(struct crypto_aead *tfm)
{
	struct azihsm_crypto_tfm *ctx = crypto_aead_ctx(tfm);
	struct crypto_aead *fb;
	int ret;

	fb = crypto_alloc_aead("gcm(aes)", 0, CRYPTO_ALG_NEED_FALLBACK);
	if (IS_ERR(fb))
		return PTR_ERR(fb);
	ctx->fallback.aead = fb;
	crypto_aead_set_reqsize(tfm, sizeof(struct aead_request) +
				crypto_aead_reqsize(fb));
	ret = azihsm_crypto_tfm_init(ctx, AZIHSM_EXT_CIPHER_GCM);
	if (ret)
		crypto_free_aead(fb);
	return ret;
}

static void azihsm_gcm_exit(struct crypto_aead *tfm)
{
	struct azihsm_crypto_tfm *ctx = crypto_aead_ctx(tfm);

	azihsm_crypto_tfm_exit(ctx);
	crypto_free_aead(ctx->fallback.aead);
}

/* ---- setkey ---- */

/* The key, already checked, into the fallback and the device. */
static int azihsm_skcipher_setkey(struct crypto_skcipher *tfm, const u8 *key,
				  unsigned int keylen)
{
	struct azihsm_crypto_tfm *ctx = crypto_skcipher_ctx(tfm);
	struct crypto_skcipher *fb = ctx->fallback.skcipher;
	int ret;

	crypto_skcipher_clear_flags(fb, CRYPTO_TFM_REQ_MASK);
	crypto_skcipher_set_flags(fb, crypto_skcipher_get_flags(tfm) &
				  CRYPTO_TFM_REQ_MASK);
	ret = crypto_skcipher_setkey(fb, key, keylen);
	if (ret)
		return ret;
	return azihsm_crypto_key_import(ctx, key, keylen);
}

static int azihsm_cbc_setkey(struct crypto_skcipher *tfm, const u8 *key,
			     unsigned int keylen)
{
	int ret = aes_check_keylen(keylen);

	return ret ? ret : azihsm_skcipher_setkey(tfm, key, keylen);
}

static int azihsm_xts_setkey(struct crypto_skcipher *tfm, const u8 *key,
			     unsigned int keylen)
{
	int ret;

	ret = xts_verify_key(tfm, key, keylen);
	if (!ret)
		ret = aes_check_keylen(keylen / 2);
	return ret ? ret : azihsm_skcipher_setkey(tfm, key, keylen);
}

static int azihsm_gcm_setkey(struct crypto_aead *tfm, const u8 *key,
			     unsigned int keylen)
{
	struct azihsm_crypto_tfm *ctx = crypto_aead_ctx(tfm);
	struct crypto_aead *fb = ctx->fallback.aead;
	int ret;

	ret = aes_check_keylen(keylen);
	if (ret)
		return ret;
	crypto_aead_clear_flags(fb, CRYPTO_TFM_REQ_MASK);
	crypto_aead_set_flags(fb, crypto_aead_get_flags(tfm) &
			      CRYPTO_TFM_REQ_MASK);
	ret = crypto_aead_setkey(fb, key, keylen);
	if (ret)
		return ret;
	return azihsm_crypto_key_import(ctx, key, keylen);
}

/* Only full tags: a truncated tag could not be checked on decrypt. */
static int azihsm_gcm_setauthsize(struct crypto_aead *tfm,
				  unsigned int authsize)
{
	struct azihsm_crypto_tfm *ctx = crypto_aead_ctx(tfm);

	if (authsize != AZIHSM_AES_TAG_LEN)
		return -EINVAL;
	return crypto_aead_setauthsize(ctx->fallback.aead, authsize);
}

/* ---- Commands: bounce buffer, submission, completion, timeout ---- */

/*
 * The device is done with the buffer: unmap it and free the segment pages
 * now, while the controller's page pool surely exists (the timer or the
 * abort work may hold the command until after the teardown).  Any context.
 */
static void azihsm_crypto_cmd_unmap(struct azihsm_crypto_cmd *c)
{
	if (c->mapped)
		dma_unmap_single(azihsm_crypto_dev(c->ctrl), c->dma, c->buf_len,
				 DMA_BIDIRECTIONAL);
	c->mapped = false;
	azihsm_aes_sgl_free(c->ctrl, &c->src);
	azihsm_aes_sgl_free(c->ctrl, &c->dst);
}

/* Any context: the slot may let go of it from the completion interrupt. */
static void azihsm_crypto_cmd_release(struct kref *ref)
{
	struct azihsm_crypto_cmd *c = container_of(ref, struct azihsm_crypto_cmd, ref);

	azihsm_crypto_cmd_unmap(c);
	kfree_sensitive(c->buf);
	put_device(&c->ctrl->dev);
	kfree(c);
}

static void azihsm_crypto_cmd_put(struct azihsm_crypto_cmd *c)
{
	kref_put(&c->ref, azihsm_crypto_cmd_release);
}

/* The abandoned slot is released: the device no longer uses the buffer. */
static void azihsm_crypto_orphan_release(void *ctx)
{
	struct azihsm_crypto_cmd *c = ctx;

	azihsm_crypto_cmd_unmap(c);
	azihsm_crypto_cmd_put(c);
}

static gfp_t azihsm_crypto_gfp(struct crypto_async_request *areq)
{
	return areq->flags & CRYPTO_TFM_REQ_MAY_SLEEP ? GFP_KERNEL : GFP_ATOMIC;
}

static struct azihsm_crypto_cmd *
azihsm_crypto_cmd_alloc(struct azihsm_ctrl *ctrl,
			struct crypto_async_request *areq, u32 src_len,
			u32 dst_len, u8 tail_len)
{
	gfp_t gfp = azihsm_crypto_gfp(areq);
	struct azihsm_crypto_cmd *c;

	c = kzalloc(sizeof(*c), gfp);
	if (!c)
		return NULL;
	kref_init(&c->ref);
	c->ctrl = ctrl;
	get_device(&ctrl->dev);
	c->areq = areq;
	c->src_len = src_len;
	c->dst_len = dst_len;
	c->tail_len = tail_len;
	c->buf_len = src_len + dst_len + (tail_len ? AES_BLOCK_SIZE : 0);
	c->buf = kzalloc(c->buf_len, gfp);
	if (!c->buf) {
		azihsm_crypto_cmd_put(c);
		return NULL;
	}
	return c;
}

/* A mapped one-entry scatterlist over part of the bounce buffer. */
static int azihsm_crypto_sgl(struct azihsm_crypto_cmd *c,
			     struct azihsm_aes_sgl *sgl, size_t off, u32 len)
{
	struct scatterlist sg;

	if (!len)
		return 0;	/* 7.3 rule 6: an all-zero descriptor */
	sg_init_table(&sg, 1);
	sg_dma_address(&sg) = c->dma + off;
	sg_dma_len(&sg) = len;
	return azihsm_aes_sgl_build(c->ctrl, sgl, &sg, 1,
				    azihsm_crypto_gfp(c->areq));
}

static int azihsm_crypto_map(struct azihsm_crypto_cmd *c)
{
	struct device *dev = azihsm_crypto_dev(c->ctrl);
	int ret;

	c->dma = dma_map_single(dev, c->buf, c->buf_len, DMA_BIDIRECTIONAL);
	if (dma_mapping_error(dev, c->dma))
		return -ENOMEM;
	c->mapped = true;
	ret = azihsm_crypto_sgl(c, &c->src, 0, c->src_len);
	if (!ret)
		ret = azihsm_crypto_sgl(c, &c->dst, c->src_len, c->dst_len);
	return ret;
}

/* The CQE's verdict; GCM authentication failures become -EBADMSG. */
static int azihsm_crypto_cqe_status(const struct azihsm_aes_cqe *cqe)
{
	u16 sts = AZIHSM_CQE_STATUS(le16_to_cpu(cqe->status));
	u16 err = le16_to_cpu(cqe->err);

	if (!sts && !err)
		return 0;
	if ((sts == AZIHSM_AES_STS_INVALID_FIELD_GCM &&
	     err == AZIHSM_AES_GCM_ERR_TAG_MISMATCH) ||
	    (sts == AZIHSM_AES_STS_CRYPTO_ENGINE_ERROR &&
	     err == AZIHSM_CRYPTO_ENGINE_TAG_MISMATCH))
		return -EBADMSG;
	return -EIO;
}

/* Completion interrupt or queue flush, q->lock not held. */
static void azihsm_crypto_done(struct azihsm_queue *q, struct azihsm_cmd *cmd)
{
	struct azihsm_crypto_cmd *c = cmd->async_ctx;
	int err = cmd->error;

	if (!err)
		memcpy(&c->cqe, cmd->cqe.raw, sizeof(c->cqe));
	azihsm_cmd_put(q, cmd);
	if (del_timer(&c->timer))
		azihsm_crypto_cmd_put(c);	/* the timer's reference */

	azihsm_crypto_cmd_unmap(c);
	if (!err)
		err = azihsm_crypto_cqe_status(&c->cqe);
	if (!err)
		err = c->finish(c);
	crypto_request_complete(c->areq, err);
	azihsm_crypto_cmd_put(c);
}

static void azihsm_crypto_abort_work(struct work_struct *work)
{
	struct azihsm_crypto_cmd *c = container_of(work, struct azihsm_crypto_cmd,
						   abort_work);

	azihsm_ctrl_abort_queue(c->ctrl, c->q, c->resets);
	azihsm_crypto_cmd_put(c);
}

/*
 * The device did not answer in time: fail the request now.  The abandoned
 * slot keeps the buffers until the abort (or a late completion) releases it.
 */
static void azihsm_crypto_timeout(struct timer_list *t)
{
	struct azihsm_crypto_cmd *c = from_timer(c, t, timer);

	if (!azihsm_cmd_abandon_async(c->q, c->cmd, c)) {
		azihsm_crypto_cmd_put(c);
		return;
	}
	dev_warn_ratelimited(azihsm_crypto_dev(c->ctrl),
			     "aes queue %u: crypto request timed out\n", c->q->qid);
	crypto_request_complete(c->areq, -ETIMEDOUT);
	/* The work inherits the timer's reference. */
	queue_work(azihsm_crypto_wq, &c->abort_work);
}

static int azihsm_crypto_get_cmd(struct azihsm_crypto_cmd *c)
{
	struct azihsm_ctrl *ctrl = c->ctrl;
	struct azihsm_cmd *cmd;

	if (READ_ONCE(ctrl->state) != AZIHSM_CTRL_LIVE || !READ_ONCE(ctrl->crypto_added))
		return -ENODEV;
	cmd = azihsm_aes_get_cmd(ctrl, &c->q,
				 c->areq->flags & CRYPTO_TFM_REQ_MAY_SLEEP);
	/* No tag in time, queues disabled by an abort, a fatal signal. */
	if (IS_ERR(cmd))
		return -EAGAIN;
	c->cmd = cmd;
	return 0;
}

/* Queue @sqe (cid filled in here); see azihsm_crypto_submit() for locking. */
static int azihsm_crypto_submit_locked(struct azihsm_crypto_cmd *c,
				       struct azihsm_aes_sqe *sqe)
{
	int ret;

	ret = azihsm_crypto_get_cmd(c);
	if (ret)
		return ret;
	sqe->cid = cpu_to_le16(azihsm_cmd_tag(c->q, c->cmd));
	c->cmd->orphan_release = azihsm_crypto_orphan_release;
	c->cmd->orphan_ctx = c;
	c->resets = READ_ONCE(c->q->resets);
	timer_setup(&c->timer, azihsm_crypto_timeout, 0);
	INIT_WORK(&c->abort_work, azihsm_crypto_abort_work);
	/*
	 * One reference for the slot, one for the timer.  The timer is armed
	 * first: the completion may come before azihsm_cmd_submit_async()
	 * returns, and must find it to cancel.
	 */
	kref_get(&c->ref);
	mod_timer(&c->timer, jiffies + c->ctrl->cmd_timeout);
	ret = azihsm_cmd_submit_async(c->q, c->cmd, sqe, azihsm_crypto_done, c);
	if (ret) {
		/* Not submitted: a running timer finds nothing to abandon. */
		azihsm_cmd_put(c->q, c->cmd);
		if (del_timer(&c->timer))
			kref_put(&c->ref, azihsm_crypto_cmd_release);
		return ret;
	}
	return -EINPROGRESS;
}

/*
 * The pool must not go away during the submission: a submitter that may
 * sleep holds users_rwsem, which teardown takes for writing before it
 * frees the queues; one that may not holds crypto_lock, under which
 * azihsm_crypto_del() stops submissions before the teardown.
 */
static int azihsm_crypto_submit(struct azihsm_crypto_cmd *c,
				struct azihsm_aes_sqe *sqe)
{
	struct azihsm_ctrl *ctrl = c->ctrl;
	unsigned long flags;
	int ret;

	if (c->areq->flags & CRYPTO_TFM_REQ_MAY_SLEEP) {
		down_read(&ctrl->users_rwsem);
		ret = azihsm_crypto_submit_locked(c, sqe);
		up_read(&ctrl->users_rwsem);
	} else {
		spin_lock_irqsave(&ctrl->crypto_lock, flags);
		ret = azihsm_crypto_submit_locked(c, sqe);
		spin_unlock_irqrestore(&ctrl->crypto_lock, flags);
	}
	return ret;
}

/* Map, submit; on failure the command is freed and the error returned. */
static int azihsm_crypto_start(struct azihsm_crypto_cmd *c,
			       struct azihsm_aes_sqe *sqe)
{
	int ret;

	ret = azihsm_crypto_map(c);
	if (ret)
		goto fail;
	sqe->src_len = cpu_to_le32(c->src_len);
	sqe->src = c->src.desc;
	sqe->dst_len = cpu_to_le32(c->dst_len);
	sqe->dst = c->dst.desc;
	sqe->frame_type = AZIHSM_AES_FRAME_TYPE_AES;
	if (c->tail_len) {
		/* 7.10: the tail buffer follows the destination, in place. */
		dma_addr_t tail = c->dma + c->src_len + c->dst_len;

		sqe->gcm.unaligned_src_len = c->tail_len;
		sqe->gcm.unaligned_dst_len = c->tail_len;
		sqe->gcm.unaligned_src_lo = cpu_to_le32(lower_32_bits(tail));
		sqe->gcm.unaligned_src_hi = cpu_to_le32(upper_32_bits(tail));
		sqe->gcm.unaligned_dst_lo = sqe->gcm.unaligned_src_lo;
		sqe->gcm.unaligned_dst_hi = sqe->gcm.unaligned_src_hi;
	}
	ret = azihsm_crypto_submit(c, sqe);
	if (ret == -EINPROGRESS)
		return ret;
fail:
	azihsm_crypto_cmd_put(c);
	return ret;
}

/* ---- cbc(aes) and xts(aes) ---- */

static int azihsm_skcipher_finish(struct azihsm_crypto_cmd *c)
{
	struct skcipher_request *req = skcipher_request_cast(c->areq);
	struct crypto_skcipher *tfm = crypto_skcipher_reqtfm(req);
	struct azihsm_crypto_tfm *ctx = crypto_skcipher_ctx(tfm);

	if (le32_to_cpu(c->cqe.len) != c->dst_len)
		return -EIO;
	sg_pcopy_from_buffer(req->dst, sg_nents(req->dst), c->buf + c->src_len,
			     c->dst_len, 0);
	/* CBC: the chaining value comes back in the TAG field. */
	if (ctx->cipher == AZIHSM_EXT_CIPHER_CBC)
		memcpy(req->iv, c->cqe.tag, AES_BLOCK_SIZE);
	return 0;
}

static int azihsm_skcipher_fallback(struct skcipher_request *req, bool decrypt)
{
	struct azihsm_crypto_tfm *ctx = crypto_skcipher_ctx(crypto_skcipher_reqtfm(req));
	struct skcipher_request *sub = skcipher_request_ctx(req);

	skcipher_request_set_tfm(sub, ctx->fallback.skcipher);
	skcipher_request_set_callback(sub, req->base.flags, req->base.complete,
				      req->base.data);
	skcipher_request_set_crypt(sub, req->src, req->dst, req->cryptlen,
				   req->iv);
	return decrypt ? crypto_skcipher_decrypt(sub) :
			 crypto_skcipher_encrypt(sub);
}

static int azihsm_skcipher_crypt(struct skcipher_request *req, bool decrypt)
{
	struct azihsm_crypto_tfm *ctx = crypto_skcipher_ctx(crypto_skcipher_reqtfm(req));
	bool xts = ctx->cipher == AZIHSM_EXT_CIPHER_XTS;
	struct azihsm_aes_sqe sqe = {};
	struct azihsm_crypto_cmd *c;
	u32 len = req->cryptlen;

	if (xts && len < AES_BLOCK_SIZE)
		return -EINVAL;
	if (!xts && len % AES_BLOCK_SIZE)
		return -EINVAL;
	if (len % AES_BLOCK_SIZE || len > AZIHSM_CRYPTO_MAX_LEN)
		return azihsm_skcipher_fallback(req, decrypt);
	if (!len)
		return 0;
	if (!ctx->key_id)
		return -ENOKEY;

	c = azihsm_crypto_cmd_alloc(ctx->ctrl, &req->base, len, len, 0);
	if (!c)
		return -ENOMEM;
	c->finish = azihsm_skcipher_finish;
	c->decrypt = decrypt;
	sg_pcopy_to_buffer(req->src, sg_nents(req->src), c->buf, len, 0);

	if (xts) {
		sqe.attr = cpu_to_le16(AZIHSM_AES_ATTR(decrypt, true,
						       AZIHSM_AES_DUL_WHOLE));
		sqe.xts.key_id1 = cpu_to_le32(ctx->key_id);
		sqe.xts.key_id2 = sqe.xts.key_id1;
		memcpy(sqe.xts.tweak, req->iv, sizeof(sqe.xts.tweak));
	} else {
		sqe.attr = cpu_to_le16(AZIHSM_AES_ATTR(decrypt, false,
						       AZIHSM_AES_DUL_WHOLE) |
				       AZIHSM_AES_ATTR_EXT_CBC);
		sqe.cbc.key_id = cpu_to_le32(ctx->key_id);
		memcpy(sqe.cbc.iv, req->iv, sizeof(sqe.cbc.iv));
	}
	return azihsm_crypto_start(c, &sqe);
}

static int azihsm_skcipher_encrypt(struct skcipher_request *req)
{
	return azihsm_skcipher_crypt(req, false);
}

static int azihsm_skcipher_decrypt(struct skcipher_request *req)
{
	return azihsm_skcipher_crypt(req, true);
}

/* ---- gcm(aes) ---- */

/*
 * AAD region (hardware.md 7.9): r = assoclen mod 32; 16 zero bytes go
 * before the AAD when 1 <= r <= 16, then zeros up to a multiple of 32.
 * Leading zero blocks leave GHASH unchanged, so the tag is standard GCM.
 */
static void azihsm_gcm_aad_layout(u32 assoclen, u32 *pre, u32 *region)
{
	u32 r = assoclen % AZIHSM_AES_GCM_AAD_ALIGN;

	*pre = (r >= 1 && r <= AES_BLOCK_SIZE) ? AES_BLOCK_SIZE : 0;
	*region = round_up(*pre + assoclen, AZIHSM_AES_GCM_AAD_ALIGN);
}

/* Output: req->dst = [AAD][text][tag on encrypt]. */
static int azihsm_gcm_finish(struct azihsm_crypto_cmd *c)
{
	struct aead_request *req = container_of(c->areq, struct aead_request, base);
	u32 aligned_text = c->dst_len - c->aad_region;
	u32 text = aligned_text + c->tail_len;
	unsigned int nents = sg_nents(req->dst);

	if (le32_to_cpu(c->cqe.len) != c->dst_len ||
	    le32_to_cpu(c->cqe.unaligned_dst_len) != c->tail_len)
		return -EIO;
	if (req->src != req->dst)
		sg_pcopy_from_buffer(req->dst, nents, c->buf + c->aad_pre,
				     req->assoclen, 0);
	sg_pcopy_from_buffer(req->dst, nents,
			     c->buf + c->src_len + c->aad_region, aligned_text,
			     req->assoclen);
	if (c->tail_len)
		sg_pcopy_from_buffer(req->dst, nents,
				     c->buf + c->src_len + c->dst_len, c->tail_len,
				     req->assoclen + aligned_text);
	if (!c->decrypt)
		sg_pcopy_from_buffer(req->dst, nents, c->cqe.tag,
				     AZIHSM_AES_TAG_LEN, req->assoclen + text);
	return 0;
}

static int azihsm_gcm_fallback(struct aead_request *req, bool decrypt)
{
	struct azihsm_crypto_tfm *ctx = crypto_aead_ctx(crypto_aead_reqtfm(req));
	struct aead_request *sub = aead_request_ctx(req);

	aead_request_set_tfm(sub, ctx->fallback.aead);
	aead_request_set_callback(sub, req->base.flags, req->base.complete,
				  req->base.data);
	aead_request_set_crypt(sub, req->src, req->dst, req->cryptlen, req->iv);
	aead_request_set_ad(sub, req->assoclen);
	return decrypt ? crypto_aead_decrypt(sub) : crypto_aead_encrypt(sub);
}

static int azihsm_gcm_crypt(struct aead_request *req, bool decrypt)
{
	struct azihsm_crypto_tfm *ctx = crypto_aead_ctx(crypto_aead_reqtfm(req));
	struct azihsm_ctrl *ctrl = ctx->ctrl;
	struct azihsm_aes_sqe sqe = {};
	struct azihsm_crypto_cmd *c;
	u32 text, aligned, pre, region;
	u8 tail;

	if (decrypt && req->cryptlen < AZIHSM_AES_TAG_LEN)
		return -EINVAL;
	text = req->cryptlen - (decrypt ? AZIHSM_AES_TAG_LEN : 0);
	tail = text % AES_BLOCK_SIZE;
	if (!text || text > AZIHSM_CRYPTO_MAX_LEN ||
	    req->assoclen > AZIHSM_CRYPTO_MAX_LEN - text ||
	    (tail && !(ctrl->fw_caps & AZIHSM_FW_CAP_GCM_TAIL)))
		return azihsm_gcm_fallback(req, decrypt);
	if (!ctx->key_id)
		return -ENOKEY;

	azihsm_gcm_aad_layout(req->assoclen, &pre, &region);
	aligned = text - tail;
	c = azihsm_crypto_cmd_alloc(ctrl, &req->base, region + aligned,
				    region + aligned, tail);
	if (!c)
		return -ENOMEM;
	c->finish = azihsm_gcm_finish;
	c->decrypt = decrypt;
	c->aad_pre = pre;
	c->aad_region = region;
	sg_pcopy_to_buffer(req->src, sg_nents(req->src), c->buf + pre,
			   req->assoclen, 0);
	sg_pcopy_to_buffer(req->src, sg_nents(req->src), c->buf + region,
			   aligned, req->assoclen);
	if (tail)
		sg_pcopy_to_buffer(req->src, sg_nents(req->src),
				   c->buf + c->src_len + c->dst_len, tail,
				   req->assoclen + aligned);
	if (decrypt)
		sg_pcopy_to_buffer(req->src, sg_nents(req->src), sqe.gcm.tag,
				   AZIHSM_AES_TAG_LEN, req->assoclen + text);

	sqe.attr = cpu_to_le16(AZIHSM_AES_ATTR(decrypt, false,
					       AZIHSM_AES_DUL_WHOLE));
	sqe.gcm.key_id = cpu_to_le32(ctx->key_id);
	sqe.gcm.actual_aad_len = cpu_to_le32(req->assoclen);
	memcpy(sqe.gcm.iv, req->iv, GCM_AES_IV_SIZE);
	sqe.gcm.aligned_aad_len = cpu_to_le32(region);
	return azihsm_crypto_start(c, &sqe);
}

static int azihsm_gcm_encrypt(struct aead_request *req)
{
	return azihsm_gcm_crypt(req, false);
}

static int azihsm_gcm_decrypt(struct aead_request *req)
{
	return azihsm_gcm_crypt(req, true);
}

/* ---- Registration ---- */

#define AZIHSM_CRYPTO_BASE(alg, drv, blocksize, extra_flags)		\
	.base = {							\
		.cra_name		= alg,				\
		.cra_driver_name	= drv,				\
		.cra_flags		= CRYPTO_ALG_ASYNC |		\
					  CRYPTO_ALG_KERN_DRIVER_ONLY |	\
					  CRYPTO_ALG_ALLOCATES_MEMORY |	\
					  (extra_flags),		\
		.cra_blocksize		= blocksize,			\
		.cra_ctxsize		= sizeof(struct azihsm_crypto_tfm), \
		.cra_module		= THIS_MODULE,			\
	}

static struct skcipher_alg azihsm_skciphers[] = {
	{
		AZIHSM_CRYPTO_BASE("cbc(aes)", "cbc-aes-azihsm", AES_BLOCK_SIZE,
				   CRYPTO_ALG_NEED_FALLBACK),
		.init		= azihsm_cbc_init,
		.exit		= azihsm_skcipher_exit,
		.setkey		= azihsm_cbc_setkey,
		.encrypt	= azihsm_skcipher_encrypt,
		.decrypt	= azihsm_skcipher_decrypt,
		.min_keysize	= AES_MIN_KEY_SIZE,
		.max_keysize	= AES_MAX_KEY_SIZE,
		.ivsize		= AES_BLOCK_SIZE,
	}, {
		AZIHSM_CRYPTO_BASE("xts(aes)", "xts-aes-azihsm", AES_BLOCK_SIZE,
				   CRYPTO_ALG_NEED_FALLBACK),
		.init		= azihsm_xts_init,
		.exit		= azihsm_skcipher_exit,
		.setkey		= azihsm_xts_setkey,
		.encrypt	= azihsm_skcipher_encrypt,
		.decrypt	= azihsm_skcipher_decrypt,
		.min_keysize	= 2 * AES_MIN_KEY_SIZE,
		.max_keysize	= 2 * AES_MAX_KEY_SIZE,
		.ivsize		= AES_BLOCK_SIZE,
	},
};

static struct aead_alg azihsm_aead = {
	AZIHSM_CRYPTO_BASE("gcm(aes)", "gcm-aes-azihsm", 1,
			   CRYPTO_ALG_NEED_FALLBACK),
	.init		= azihsm_gcm_init,
	.exit		= azihsm_gcm_exit,
	.setkey		= azihsm_gcm_setkey,
	.setauthsize	= azihsm_gcm_setauthsize,
	.encrypt	= azihsm_gcm_encrypt,
	.decrypt	= azihsm_gcm_decrypt,
	.ivsize		= GCM_AES_IV_SIZE,
	.maxauthsize	= AZIHSM_AES_TAG_LEN,
};

static int azihsm_crypto_register(void)
{
	unsigned int i;
	int ret;

	for (i = 0; i < ARRAY_SIZE(azihsm_skciphers); i++)
		azihsm_skciphers[i].base.cra_priority = crypto_priority;
	azihsm_aead.base.cra_priority = crypto_priority;

	ret = crypto_register_skciphers(azihsm_skciphers,
					ARRAY_SIZE(azihsm_skciphers));
	if (ret)
		return ret;
	ret = crypto_register_aead(&azihsm_aead);
	if (ret)
		crypto_unregister_skciphers(azihsm_skciphers,
					    ARRAY_SIZE(azihsm_skciphers));
	return ret;
}

static void azihsm_crypto_unregister(void)
{
	crypto_unregister_aead(&azihsm_aead);
	crypto_unregister_skciphers(azihsm_skciphers,
				    ARRAY_SIZE(azihsm_skciphers));
}

/**
 * azihsm_crypto_add() - offer a LIVE controller to the crypto algorithms
 * @ctrl: controller
 *
 * Needs the extensions (feature 0xC2 bit 1) and AES queues.  The first
 * controller registers the algorithms; each new tfm picks a controller
 * round-robin.  Failure only costs the algorithms.
 *
 * Return: 0 or a negative errno.
 */
int azihsm_crypto_add(struct azihsm_ctrl *ctrl)
{
	int ret = 0;

	if (!(ctrl->fw_caps & AZIHSM_FW_CAP_EXT) || !ctrl->aes.nr_queues)
		return 0;

	mutex_lock(&azihsm_crypto_reg_mutex);
	/* Listed first: the self-tests registration runs need a device. */
	mutex_lock(&azihsm_crypto_mutex);
	list_add_tail(&ctrl->crypto_node, &azihsm_crypto_ctrls);
	azihsm_crypto_nr_ctrls++;
	WRITE_ONCE(ctrl->crypto_added, true);
	mutex_unlock(&azihsm_crypto_mutex);
	if (!azihsm_crypto_registered) {
		ret = azihsm_crypto_register();
		if (ret) {
			dev_warn(azihsm_crypto_dev(ctrl),
				 "cannot register crypto algorithms: %d\n", ret);
			mutex_lock(&azihsm_crypto_mutex);
			list_del(&ctrl->crypto_node);
			azihsm_crypto_nr_ctrls--;
			WRITE_ONCE(ctrl->crypto_added, false);
			mutex_unlock(&azihsm_crypto_mutex);
		} else {
			azihsm_crypto_registered = true;
		}
	}
	mutex_unlock(&azihsm_crypto_reg_mutex);
	return ret;
}

/**
 * azihsm_crypto_del() - withdraw a controller, before its teardown
 * @ctrl: controller
 *
 * New tfms no longer pick it and its existing tfms fail with -ENODEV from
 * now on (commands in flight end with the teardown's flush).  The last
 * controller unregisters the algorithms, unless tfms are still allocated:
 * unregistering a busy algorithm is a bug, so they then stay registered,
 * failing with -ENODEV, until the module is unloaded.
 */
void azihsm_crypto_del(struct azihsm_ctrl *ctrl)
{
	unsigned long flags;
	bool unregister;

	if (!ctrl->crypto_added)
		return;
	/* Atomic submitters check crypto_added under crypto_lock. */
	spin_lock_irqsave(&ctrl->crypto_lock, flags);
	WRITE_ONCE(ctrl->crypto_added, false);
	spin_unlock_irqrestore(&ctrl->crypto_lock, flags);

	mutex_lock(&azihsm_crypto_reg_mutex);
	mutex_lock(&azihsm_crypto_mutex);
	list_del(&ctrl->crypto_node);
	azihsm_crypto_nr_ctrls--;
	unregister = !azihsm_crypto_nr_ctrls && !azihsm_crypto_nr_tfms &&
		     azihsm_crypto_registered;
	mutex_unlock(&azihsm_crypto_mutex);
	if (unregister) {
		azihsm_crypto_unregister();
		azihsm_crypto_registered = false;
	}
	mutex_unlock(&azihsm_crypto_reg_mutex);
}

int azihsm_crypto_init(void)
{
	/* Aborts after timeouts; may run while memory is being reclaimed. */
	azihsm_crypto_wq = alloc_workqueue("azihsm-crypto", WQ_MEM_RECLAIM, 0);
	return azihsm_crypto_wq ? 0 : -ENOMEM;
}

/* After every controller is gone. */
void azihsm_crypto_exit(void)
{
	if (azihsm_crypto_registered)
		azihsm_crypto_unregister();
	azihsm_crypto_registered = false;
	destroy_workqueue(azihsm_crypto_wq);
}
