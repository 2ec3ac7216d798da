// SPDX-License-Identifier: GPL-2.0
/*
 * Azure Integrated HSM: the /dev/azihsmN character device and its ioctls
 * (hardware.md section 9).
 */
#include <linux/fs.h>
#include <linux/idr.h>
#include <linux/minmax.h>
#include <linux/pid.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include <uapi/azihsm.h>

#include "azihsm.h"

/* 16 functions x 65 controllers, as the reference sizes its region. */
#define AZIHSM_MINORS		1040
#define AZIHSM_NO_SESSION_ID	0xffff
#define AZIHSM_NO_SHORT_APP_ID	0xff

static struct class *azihsm_class;
static dev_t azihsm_devt;
static DEFINE_IDA(azihsm_minor_ida);

/* Per open file: the owner and its one session slot (hardware.md 9.10). */
struct azihsm_file {
	struct azihsm_ctrl	*ctrl;
	struct pid		*owner;		/* thread group that opened */
	/* Held across open/close-session commands; guards the fields below. */
	struct mutex		sess_lock;
	bool			sess_valid;
	u16			sess_id;
	u8			short_app_id;
};

struct azihsm_ctrl *azihsm_file_ctrl(struct azihsm_file *f)
{
	return f->ctrl;
}

/*
 * Snapshot of the file's session for the AES ioctls.  Taken under
 * sess_lock, so an open or close of the session in flight on another
 * thread is waited for; -EINTR on a fatal signal.
 */
int azihsm_file_get_session(struct azihsm_file *f,
			    struct azihsm_file_session *sess)
{
	if (mutex_lock_killable(&f->sess_lock))
		return -EINTR;
	sess->valid = f->sess_valid;
	sess->id = f->sess_id;
	sess->short_app_id = f->short_app_id;
	sess->has_short_app_id = f->short_app_id != AZIHSM_NO_SHORT_APP_ID;
	mutex_unlock(&f->sess_lock);
	return 0;
}

/* ---- HSM queue commands ---- */

static struct azihsm_queue *azihsm_hsm_pick_queue(struct azihsm_ctrl *ctrl)
{
	unsigned int n = ctrl->hsm.nr_queues;
	unsigned int start = atomic_inc_return(&ctrl->next_hsm);
	struct azihsm_queue *q;
	unsigned int i;

	for (i = 0; i < n; i++) {
		q = ctrl->hsm.queues[(start + i) % n];
		if (READ_ONCE(q->enabled))
			return q;
	}
	return NULL;
}

/*
 * Reserve a command slot on some enabled HSM queue, waiting at most one
 * command timeout for a free tag.
 *
 * Commands that open or close a session, and the flush sent when a file is
 * released, are not killable: a process killed while its OpenSession is in
 * flight must still learn the session id so that the release can flush it,
 * and the flush must reach the device although the closing task is dying.
 * Their waits stay bounded by the command timeout.
 */
static struct azihsm_cmd *azihsm_hsm_get_cmd(struct azihsm_ctrl *ctrl,
					     struct azihsm_queue **qp,
					     bool killable)
{
	struct azihsm_queue *q = azihsm_hsm_pick_queue(ctrl);

	if (!q)
		return ERR_PTR(-EAGAIN);
	*qp = q;
	return azihsm_cmd_get(q, ctrl->cmd_timeout, killable);
}

/*
 * Submit and wait.  A timeout starts a level-1 abort of the queue; then, as
 * after a fatal signal, the slot belongs to the completion path.
 */
static int azihsm_hsm_exec(struct azihsm_ctrl *ctrl, struct azihsm_queue *q,
			   struct azihsm_cmd *cmd, struct azihsm_hsm_sqe *sqe,
			   bool killable)
{
	unsigned int resets = READ_ONCE(q->resets);
	int ret;

	ret = azihsm_cmd_exec(q, cmd, sqe, ctrl->cmd_timeout, killable);
	if (ret == -ETIMEDOUT)
		azihsm_ctrl_abort_queue(ctrl, q, resets);
	return ret;
}

/* Copy between a user buffer and consecutive 4 KiB bounce pages. */
static int azihsm_bounce_copy(struct azihsm_dma_page *pages, u64 ubuf,
			      size_t len, bool to_user)
{
	void __user *uptr = u64_to_user_ptr(ubuf);
	size_t chunk;
	unsigned long left;

	for (; len; pages++, uptr += chunk, len -= chunk) {
		chunk = min_t(size_t, len, AZIHSM_PAGE_SIZE);
		if (to_user)
			left = copy_to_user(uptr, pages->vaddr, chunk);
		else
			left = copy_from_user(pages->vaddr, uptr, chunk);
		if (left)
			return -EFAULT;
	}
	return 0;
}

/* PRP1/PRP2 for a transfer of @len bytes: one data page each, no list. */
static void azihsm_set_prps(__le64 *prp1, __le64 *prp2,
			    const struct azihsm_dma_page *pages, u32 len)
{
	*prp1 = len ? cpu_to_le64(pages[0].dma) : 0;
	*prp2 = len > AZIHSM_PAGE_SIZE ? cpu_to_le64(pages[1].dma) : 0;
}

/* ---- Sessions (hardware.md 6.7) ---- */

/* Check the fd's session slot and fill the SQE's session fields. */
static u32 azihsm_sess_prepare(struct azihsm_file *f,
			       const struct azihsm_hsm_cmd_in *in,
			       struct azihsm_hsm_sqe *sqe)
{
	u8 flags = in->u.session.session_flags;
	u8 op = flags & AZIHSM_IOCTL_SESS_OPCODE_MASK;

	switch (op) {
	case AZIHSM_IOCTL_SESS_NONE:
		return 0;
	case AZIHSM_IOCTL_SESS_OPEN:
		if (f->sess_valid)
			return AZIHSM_EXT_SESSION_LIMIT_REACHED;
		sqe->sess_flags = AZIHSM_SESS_OPEN;
		if (flags & AZIHSM_IOCTL_SESS_ID_VALID)
			sqe->sess_flags |= AZIHSM_SESS_ID_VALID;
		sqe->sess_id = cpu_to_le16(in->u.session.session_id);
		return 0;
	default:	/* close, in-session */
		if (!f->sess_valid)
			return AZIHSM_EXT_NO_EXISTING_SESSION;
		if (!(flags & AZIHSM_IOCTL_SESS_ID_VALID) ||
		    in->u.session.session_id != f->sess_id)
			return AZIHSM_EXT_SESSION_ID_MISMATCH;
		sqe->sess_flags = op | AZIHSM_SESS_ID_VALID;
		sqe->sess_id = cpu_to_le16(f->sess_id);
		return 0;
	}
}

static void azihsm_sess_clear(struct azihsm_file *f)
{
	f->sess_valid = false;
	f->sess_id = AZIHSM_NO_SESSION_ID;
	f->short_app_id = AZIHSM_NO_SHORT_APP_ID;
}

/* Track what the device says about the session an open/close acted on. */
static void azihsm_sess_complete(struct azihsm_file *f, u8 op,
				 const struct azihsm_hsm_cqe *cqe, u16 status)
{
	u8 flags = cqe->sess_flags;
	bool echoed = (flags & AZIHSM_SESS_KIND_MASK) == op;

	switch (op) {
	case AZIHSM_SESS_OPEN:
		if (!status && echoed && (flags & AZIHSM_SESS_ID_VALID)) {
			f->sess_valid = true;
			f->sess_id = le16_to_cpu(cqe->sess_id);
			f->short_app_id = (flags & AZIHSM_SESS_APP_ID_VALID) ?
					  cqe->short_app_id : AZIHSM_NO_SHORT_APP_ID;
		}
		break;
	case AZIHSM_SESS_CLOSE:
		/* "Safe to close" is honoured even with an error status. */
		if ((flags & AZIHSM_SESS_ID_VALID) && (flags & AZIHSM_SESS_CLOSED) &&
		    (status || echoed))
			azihsm_sess_clear(f);
		break;
	}
}

/* ---- HSM command ioctl (hardware.md 9.4) ---- */

static int azihsm_ext(struct azihsm_hsm_cmd_out *out, u32 ext, int err)
{
	out->ext_status = ext;
	return err;
}

/* Map a failure to get or run a command to the ioctl's result. */
static int azihsm_hsm_cmd_error(struct azihsm_ctrl *ctrl,
				struct azihsm_hsm_cmd_out *out, int err)
{
	if (READ_ONCE(ctrl->state) != AZIHSM_CTRL_LIVE)
		return -ENODEV;
	switch (err) {
	case -ERESTARTSYS:
	case -EINTR:
		return -EINTR;
	case -ETIMEDOUT:
		return azihsm_ext(out, AZIHSM_EXT_ABORTED, -ETIMEDOUT);
	case -ECANCELED:
		return azihsm_ext(out, AZIHSM_EXT_ABORTED, -EAGAIN);
	default:	/* -EAGAIN: queue off or full, -EBUSY: no free tag */
		if (READ_ONCE(ctrl->abort_in_progress))
			return azihsm_ext(out, AZIHSM_EXT_ABORT_IN_PROGRESS, -EAGAIN);
		return azihsm_ext(out, AZIHSM_EXT_NO_QUEUE, -EAGAIN);
	}
}

/* Steps 5 to 7: bounce buffers, submission, completion. */
static int azihsm_hsm_cmd_run(struct azihsm_file *f,
			      const struct azihsm_hsm_cmd_in *in,
			      struct azihsm_hsm_cmd_out *out,
			      struct azihsm_hsm_sqe *sqe, bool killable)
{
	struct azihsm_ctrl *ctrl = f->ctrl;
	unsigned int src_pages = DIV_ROUND_UP(in->src_length, AZIHSM_PAGE_SIZE);
	unsigned int dst_pages = DIV_ROUND_UP(in->dst_length, AZIHSM_PAGE_SIZE);
	struct azihsm_dma_page *dst;
	struct azihsm_queue *q;
	struct azihsm_cmd *cmd;
	u16 status;
	int ret;

	cmd = azihsm_hsm_get_cmd(ctrl, &q, killable);
	if (IS_ERR(cmd))
		return azihsm_hsm_cmd_error(ctrl, out, PTR_ERR(cmd));

	if (azihsm_cmd_alloc_pages(q, cmd, src_pages + dst_pages)) {
		ret = azihsm_ext(out, AZIHSM_EXT_NO_MEMORY, -ENOMEM);
		goto put;
	}
	dst = &cmd->pages[src_pages];
	if (azihsm_bounce_copy(cmd->pages, in->src_buf, in->src_length, false)) {
		ret = azihsm_ext(out, AZIHSM_EXT_INVALID_INPUT_BUFFER, -EINVAL);
		goto put;
	}

	/* SET and PSDT are 0: the only command set, and PRPs. */
	sqe->cmd = cpu_to_le32(AZIHSM_HSM_CMD(in->opc, azihsm_cmd_tag(q, cmd)));
	sqe->src_len = cpu_to_le32(in->src_length);
	azihsm_set_prps(&sqe->src_prp1, &sqe->src_prp2, cmd->pages, in->src_length);
	sqe->dst_len = cpu_to_le32(in->dst_length);
	azihsm_set_prps(&sqe->dst_prp1, &sqe->dst_prp2, dst, in->dst_length);

	ret = azihsm_hsm_exec(ctrl, q, cmd, sqe, killable);
	if (ret == -ETIMEDOUT || ret == -EINTR)
		return azihsm_hsm_cmd_error(ctrl, out, ret);	/* slot gone */
	if (ret) {
		ret = azihsm_hsm_cmd_error(ctrl, out, ret);
		goto put;
	}

	status = AZIHSM_CQE_SC11(le16_to_cpu(cmd->cqe.hsm.status));
	out->status = status;
	azihsm_sess_complete(f, sqe->sess_flags & AZIHSM_SESS_KIND_MASK,
			     &cmd->cqe.hsm, status);
	out->byte_count = min_t(u32, le16_to_cpu(cmd->cqe.hsm.byte_count),
				in->dst_length);
	if (azihsm_bounce_copy(dst, in->dst_buf, out->byte_count, true)) {
		out->byte_count = 0;
		ret = azihsm_ext(out, AZIHSM_EXT_INVALID_OUTPUT_BUFFER, -EINVAL);
	}
put:
	azihsm_cmd_put(q, cmd);
	return ret;
}

static int azihsm_hsm_cmd(struct azihsm_file *f,
			  const struct azihsm_hsm_cmd_in *in,
			  struct azihsm_hsm_cmd_out *out)
{
	u8 op = in->u.session.session_flags & AZIHSM_IOCTL_SESS_OPCODE_MASK;
	bool changes_session = op == AZIHSM_IOCTL_SESS_OPEN ||
			       op == AZIHSM_IOCTL_SESS_CLOSE;
	struct azihsm_hsm_sqe sqe = {};
	u32 ext;
	int ret;

	if (READ_ONCE(f->ctrl->abort_in_progress))
		return azihsm_ext(out, AZIHSM_EXT_ABORT_IN_PROGRESS, -EAGAIN);
	if (in->cmdset)
		return azihsm_ext(out, AZIHSM_EXT_INVALID_CMDSET, -EINVAL);
	if (in->src_length > AZIHSM_HSM_MAX_XFER)
		return azihsm_ext(out, AZIHSM_EXT_INPUT_ABOVE_8K, -EINVAL);
	if (in->dst_length > AZIHSM_HSM_MAX_XFER)
		return azihsm_ext(out, AZIHSM_EXT_OUTPUT_ABOVE_8K, -EINVAL);
	if (!in->src_length != !in->src_buf)
		return azihsm_ext(out, AZIHSM_EXT_INVALID_INPUT_BUFFER, -EINVAL);
	if (!in->dst_length != !in->dst_buf)
		return azihsm_ext(out, AZIHSM_EXT_INVALID_OUTPUT_BUFFER, -EINVAL);

	if (mutex_lock_killable(&f->sess_lock))
		return -EINTR;
	ext = azihsm_sess_prepare(f, in, &sqe);
	/* Only open and close need the slot held until the device answers. */
	if (ext || !changes_session)
		mutex_unlock(&f->sess_lock);
	if (ext)
		return azihsm_ext(out, ext, -EINVAL);

	out->ctxt = in->ctxt;
	if (!access_ok(u64_to_user_ptr(in->src_buf), in->src_length))
		ret = azihsm_ext(out, AZIHSM_EXT_INVALID_INPUT_BUFFER, -EINVAL);
	else if (!access_ok(u64_to_user_ptr(in->dst_buf), in->dst_length))
		ret = azihsm_ext(out, AZIHSM_EXT_INVALID_OUTPUT_BUFFER, -EINVAL);
	else
		ret = azihsm_hsm_cmd_run(f, in, out, &sqe, !changes_session);

	if (changes_session)
		mutex_unlock(&f->sess_lock);
	return ret;
}

/**
 * azihsm_ioctl_arg_in() - read an ioctl argument that starts with its size
 * @buf: where the argument goes
 * @argp: user argument
 * @size: the structure size the driver knows; a smaller declared size
 *	fails
 * @copy: bytes to read (at most @size)
 *
 * Nothing is to be written back when this fails: the argument itself is
 * unusable.
 *
 * Return: 0, -EFAULT (unreadable) or -EINVAL (declared size too small).
 */
int azihsm_ioctl_arg_in(void *buf, const void __user *argp, size_t size,
			size_t copy)
{
	u32 declared;

	if (get_user(declared, (const u32 __user *)argp))
		return -EFAULT;
	if (declared < size)
		return -EINVAL;
	if (copy_from_user(buf, argp, copy))
		return -EFAULT;
	return 0;
}

static long azihsm_ioctl_hsm_cmd(struct azihsm_file *f, void __user *argp)
{
	struct azihsm_hsm_cmd io;
	int ret;

	ret = azihsm_ioctl_arg_in(&io, argp, sizeof(io), sizeof(io));
	if (ret)
		return ret;

	memset(&io.out, 0, sizeof(io.out));
	ret = azihsm_hsm_cmd(f, &io.in, &io.out);
	if (copy_to_user(argp, &io, sizeof(io)))
		return -EFAULT;
	return ret;
}

/* Flush-session command (hardware.md 6.8); the result is not needed. */
static void azihsm_flush_session(struct azihsm_file *f)
{
	struct azihsm_ctrl *ctrl = f->ctrl;
	struct azihsm_hsm_sqe sqe = {
		.sess_flags	= AZIHSM_SESS_CLOSE | AZIHSM_SESS_ID_VALID,
		.sess_id	= cpu_to_le16(f->sess_id),
	};
	struct azihsm_queue *q;
	struct azihsm_cmd *cmd;
	int ret;

	down_read(&ctrl->users_rwsem);
	if (READ_ONCE(ctrl->state) != AZIHSM_CTRL_LIVE)
		goto unlock;
	cmd = azihsm_hsm_get_cmd(ctrl, &q, false);
	if (IS_ERR(cmd))
		goto unlock;
	sqe.cmd = cpu_to_le32(AZIHSM_HSM_CMD(AZIHSM_HSM_OP_FLUSH_SESSION,
					     azihsm_cmd_tag(q, cmd)));
	ret = azihsm_hsm_exec(ctrl, q, cmd, &sqe, false);
	if (ret != -ETIMEDOUT && ret != -EINTR)
		azihsm_cmd_put(q, cmd);
unlock:
	up_read(&ctrl->users_rwsem);
}

/* ---- GET_DEV_INFO (hardware.md 9.5) ---- */

static long azihsm_ioctl_dev_info(struct azihsm_file *f, void __user *argp)
{
	struct azihsm_ctrl *ctrl = f->ctrl;
	struct azihsm_dev_info info;
	int ret;

	/* As for the HSM ioctl: a too small argument is not read further. */
	ret = azihsm_ioctl_arg_in(&info, argp, sizeof(info),
				  AZIHSM_DEV_INFO_COPY_SIZE);
	if (ret)
		return ret;
	if (READ_ONCE(ctrl->abort_in_progress))
		return -EAGAIN;

	info.id = ctrl->ctrl_id;
	strscpy_pad(info.pci_info, pci_name(ctrl->pdev), sizeof(info.pci_info));
	strscpy_pad(info.serial_num, ctrl->serial, sizeof(info.serial_num));
	memset(info.model_num, 0, sizeof(info.model_num));
	strscpy_pad(info.firmware_rev, ctrl->firmware_rev, sizeof(info.firmware_rev));
	strscpy_pad(info.driver_rev, AZIHSM_DRIVER_VERSION, sizeof(info.driver_rev));
	/* rsvd is left as the caller supplied it. */
	memcpy(info.device_entropy, ctrl->entropy, sizeof(info.device_entropy));

	if (copy_to_user(argp, &info, AZIHSM_DEV_INFO_COPY_SIZE))
		return -EFAULT;
	return 0;
}

/* ---- File operations ---- */

static long azihsm_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct azihsm_file *f = file->private_data;
	struct azihsm_ctrl *ctrl = f->ctrl;
	long (*handler)(struct azihsm_file *f, void __user *argp);
	long ret;

	if (task_tgid(current) != f->owner)
		return -EACCES;

	switch (cmd) {
	case AZIHSM_IOCTL_HSM_CMD:
		handler = azihsm_ioctl_hsm_cmd;
		break;
	case AZIHSM_IOCTL_GET_DEV_INFO:
		handler = azihsm_ioctl_dev_info;
		break;
	case AZIHSM_IOCTL_AES_XTS:
		handler = azihsm_ioctl_aes_xts;
		break;
	case AZIHSM_IOCTL_AES_GCM:
		handler = azihsm_ioctl_aes_gcm;
		break;
	default:	/* including the retired AZIHSM_IOCTL_HSM_CMD_LEGACY */
		return -EBADRQC;
	}

	down_read(&ctrl->users_rwsem);
	if (READ_ONCE(ctrl->state) != AZIHSM_CTRL_LIVE)
		ret = -ENODEV;
	else
		ret = handler(f, (void __user *)arg);
	up_read(&ctrl->users_rwsem);
	return ret;
}

static int azihsm_open(struct inode *inode, struct file *file)
{
	struct azihsm_ctrl *ctrl = container_of(inode->i_cdev, struct azihsm_ctrl, cdev);
	struct azihsm_file *f;

	if (READ_ONCE(ctrl->state) != AZIHSM_CTRL_LIVE)
		return -ENODEV;
	f = kzalloc(sizeof(*f), GFP_KERNEL);
	if (!f)
		return -ENOMEM;
	get_device(&ctrl->dev);
	f->ctrl = ctrl;
	f->owner = get_pid(task_tgid(current));
	mutex_init(&f->sess_lock);
	azihsm_sess_clear(f);
	file->private_data = f;
	return nonseekable_open(inode, file);
}

static int azihsm_release(struct inode *inode, struct file *file)
{
	struct azihsm_file *f = file->private_data;

	/*
	 * Only the owner's close ends the device-side session; a last close
	 * from elsewhere (e.g. an inheriting child) just drops the file.
	 */
	if (f->sess_valid && task_tgid(current) == f->owner)
		azihsm_flush_session(f);
	put_pid(f->owner);
	mutex_destroy(&f->sess_lock);
	put_device(&f->ctrl->dev);
	kfree(f);
	return 0;
}

static const struct file_operations azihsm_fops = {
	.owner		= THIS_MODULE,
	.open		= azihsm_open,
	.release	= azihsm_release,
	.unlocked_ioctl	= azihsm_ioctl,
	.llseek		= no_llseek,
};

int azihsm_cdev_add(struct azihsm_ctrl *ctrl)
{
	int ret;

	ret = ida_alloc_max(&azihsm_minor_ida, AZIHSM_MINORS - 1, GFP_KERNEL);
	if (ret < 0)
		return ret;
	ctrl->minor = ret;

	ctrl->dev.class = azihsm_class;
	ctrl->dev.parent = &ctrl->pdev->dev;
	ctrl->dev.devt = MKDEV(MAJOR(azihsm_devt), ctrl->minor);
	ret = dev_set_name(&ctrl->dev, "azihsm%d", ctrl->minor);
	if (ret)
		goto free_minor;
	cdev_init(&ctrl->cdev, &azihsm_fops);
	ctrl->cdev.owner = THIS_MODULE;
	ret = cdev_device_add(&ctrl->cdev, &ctrl->dev);
	if (ret)
		goto free_minor;
	return 0;

free_minor:
	ida_free(&azihsm_minor_ida, ctrl->minor);
	ctrl->minor = -1;
	return ret;
}

/* Open files keep working on the (dead) controller until they close. */
void azihsm_cdev_del(struct azihsm_ctrl *ctrl)
{
	cdev_device_del(&ctrl->cdev, &ctrl->dev);
	ida_free(&azihsm_minor_ida, ctrl->minor);
	ctrl->minor = -1;
}

int azihsm_chrdev_init(void)
{
	int ret;

	ret = alloc_chrdev_region(&azihsm_devt, 0, AZIHSM_MINORS, "azihsm-hsm");
	if (ret)
		return ret;
	azihsm_class = class_create(THIS_MODULE, "azihsm-hsm");
	if (IS_ERR(azihsm_class)) {
		unregister_chrdev_region(azihsm_devt, AZIHSM_MINORS);
		return PTR_ERR(azihsm_class);
	}
	return 0;
}

void azihsm_chrdev_exit(void)
{
	class_destroy(azihsm_class);
	unregister_chrdev_region(azihsm_devt, AZIHSM_MINORS);
	ida_destroy(&azihsm_minor_ida);
}
