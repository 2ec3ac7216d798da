/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Azure Integrated HSM (PCI 1414:C003) driver: internal interfaces.
 *
 * The device is an NVMe-like controller: BAR0 holds the controller
 * registers, BAR2 the doorbells, and every queue is a ring of submission
 * entries paired 1:1 with a ring of completion entries that carry a phase
 * tag.  Queue 0 is the admin queue, HSM (control path) queues start at ID 1
 * and AES (fast path) queues at ID 256.
 */
#ifndef AZIHSM_DRV_H
#define AZIHSM_DRV_H

#include <linux/cdev.h>
#include <linux/completion.h>
#include <linux/device.h>
#include <linux/dmapool.h>
#include <linux/hw_random.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/rwsem.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

#include <azihsm/hw.h>

#define AZIHSM_DRIVER_NAME	"azihsm"
#define AZIHSM_DRIVER_VERSION	"0.1.0"

/* Most bounce pages one command owns: two per direction (8 KiB each way). */
#define AZIHSM_CMD_MAX_PAGES	4
#define AZIHSM_ADMIN_TIMEOUT	(30 * HZ)
#define AZIHSM_MAX_QUEUE_DEPTH	1024
#define AZIHSM_ENTROPY_LEN	32

/* Static description of a queue type: entry sizes and CQE field offsets. */
struct azihsm_queue_kind {
	const char	*name;
	u16		sqe_size;
	u16		cqe_size;
	u16		cqe_cid_off;
	u16		cqe_sqhd_off;
};

extern const struct azihsm_queue_kind azihsm_admin_kind;
extern const struct azihsm_queue_kind azihsm_hsm_kind;
extern const struct azihsm_queue_kind azihsm_aes_kind;

struct azihsm_dma_page {
	void		*vaddr;
	dma_addr_t	dma;
};

/*
 * Life cycle of a command slot (one per tag).  A slot is IDLE while its tag
 * is free.  The submitter owns a PENDING slot and sleeps on @done; the
 * completion path moves it to DONE.  A submitter that stops waiting (timeout
 * or fatal signal) marks the slot ABANDONED instead: the tag and the bounce
 * pages stay allocated, because the device may still write into them, until
 * a late completion arrives, a level-1 abort flushes the queue, or the
 * controller is disabled.
 */
enum azihsm_cmd_state {
	AZIHSM_CMD_IDLE,
	AZIHSM_CMD_PENDING,
	AZIHSM_CMD_DONE,
	AZIHSM_CMD_ABANDONED,
};

struct azihsm_queue;
struct azihsm_cmd;
typedef void (*azihsm_cmd_done_fn)(struct azihsm_queue *q,
				   struct azihsm_cmd *cmd);

struct azihsm_cmd {
	struct completion	done;
	enum azihsm_cmd_state	state;
	/* 0 when @cqe holds the device's completion, else why it has none. */
	int			error;
	union {
		struct azihsm_admin_cqe	admin;
		struct azihsm_hsm_cqe	hsm;
		u8			raw[AZIHSM_AES_CQE_SIZE];
	} cqe;
	unsigned int		nr_pages;
	struct azihsm_dma_page	pages[AZIHSM_CMD_MAX_PAGES];
	/*
	 * Set by a submitter whose buffers outlive the slot's pages (the AES
	 * fast path's pinned user pages): called with the queue lock held,
	 * possibly in hard IRQ, when an ABANDONED slot is released, so that
	 * the owner can free them once the device no longer uses them.
	 */
	void			(*orphan_release)(void *ctx);
	void			*orphan_ctx;
	/* Asynchronous commands (azihsm_cmd_submit_async()). */
	azihsm_cmd_done_fn	async_done;
	void			*async_ctx;
	struct azihsm_cmd	*async_next;
};

struct azihsm_ctrl;

struct azihsm_queue {
	struct azihsm_ctrl	*ctrl;
	const struct azihsm_queue_kind *kind;
	u16			qid;
	u16			depth;
	u16			vector;		/* MSI-X table index */
	struct azihsm_queue	*next_on_vector;

	void			*sq;
	dma_addr_t		sq_dma;
	size_t			sq_bytes;
	void			*cq;
	dma_addr_t		cq_dma;
	size_t			cq_bytes;
	u32 __iomem		*sq_db;
	u32 __iomem		*cq_db;

	/* Changed only under ctrl->abort_lock or before the device is live. */
	bool			cq_created;	/* exists on the device */
	bool			sq_created;
	unsigned int		resets;		/* level-1 aborts done */

	/* Everything below is protected by @lock (taken from hard IRQ). */
	spinlock_t		lock;
	bool			enabled;	/* accepting submissions */
	u16			sq_tail;
	u16			sq_head;	/* last SQHD the device reported */
	u16			cq_head;
	u8			cq_phase;	/* phase bit of new entries */
	unsigned long		*tag_map;
	struct azihsm_cmd	*cmds;		/* depth - 1 slots */

	wait_queue_head_t	tag_wait;
};

/* A set of queues of one kind bound to a private range of MSI-X vectors. */
struct azihsm_pool {
	const struct azihsm_queue_kind *kind;
	struct azihsm_queue	**queues;
	unsigned int		nr_queues;
	unsigned int		first_vector;
	unsigned int		nr_vectors;
};

struct azihsm_vector {
	struct azihsm_ctrl	*ctrl;
	struct azihsm_queue	*queues;	/* list via next_on_vector */
	bool			requested;
	char			name[24];
};

enum azihsm_ctrl_state {
	AZIHSM_CTRL_NEW,
	AZIHSM_CTRL_LIVE,
	AZIHSM_CTRL_DEAD,
};

struct azihsm_ctrl {
	struct pci_dev		*pdev;
	/* Class device; its release frees this structure. */
	struct device		dev;
	struct cdev		cdev;
	int			minor;

	void __iomem		*regs;
	void __iomem		*dbs;
	struct dma_pool		*page_pool;

	unsigned int		nr_vectors;
	struct azihsm_vector	*vectors;

	struct azihsm_queue	*adminq;
	struct azihsm_pool	hsm;
	struct azihsm_pool	aes;
	atomic_t		next_hsm;
	atomic_t		next_aes;
	/* Frees the buffers of AES commands their submitter abandoned. */
	struct workqueue_struct	*aes_wq;

	u64			cap;
	unsigned int		ready_timeout_ms;
	unsigned long		cmd_timeout;	/* jiffies, HSM commands */
	u16			hsm_depth;
	u16			aes_depth;
	u8			pf_res_cnt;
	bool			is_pf;
	bool			regions_requested;

	/* Identify data and what GET_DEV_INFO reports. */
	u16			ctrl_id;
	char			serial[33];
	char			firmware_rev[33];
	u32			fw_caps;
	u8			entropy[AZIHSM_ENTROPY_LEN];

	/*
	 * Users (ioctls, the session flush on close) hold @users_rwsem for
	 * reading and check @state under it.  Teardown moves @state to DEAD
	 * without the lock, fails every outstanding command, then takes the
	 * lock for writing to wait until every user that saw LIVE has left.
	 */
	enum azihsm_ctrl_state	state;
	struct rw_semaphore	users_rwsem;

	/* Serialises level-1 aborts with each other and with teardown. */
	struct mutex		abort_lock;
	bool			abort_in_progress;

	/* Kernel crypto API and hw_random (crypto.c, rng.c). */
	struct list_head	crypto_node;	/* on the crypto device list */
	bool			crypto_added;	/* tfms may submit */
	spinlock_t		crypto_lock;	/* clears crypto_added */
	struct hwrng		*rng;
};

/* queue.c */
struct azihsm_queue *azihsm_queue_alloc(struct azihsm_ctrl *ctrl,
					const struct azihsm_queue_kind *kind,
					u16 qid, u16 depth, u16 vector);
void azihsm_queue_free(struct azihsm_queue *q);
void azihsm_queue_set_enabled(struct azihsm_queue *q, bool enabled);
struct azihsm_cmd *azihsm_cmd_try_get(struct azihsm_queue *q);
struct azihsm_cmd *azihsm_cmd_get(struct azihsm_queue *q, long timeout,
				  bool killable);
int azihsm_cmd_alloc_pages(struct azihsm_queue *q, struct azihsm_cmd *cmd,
			   unsigned int nr);
u16 azihsm_cmd_tag(struct azihsm_queue *q, struct azihsm_cmd *cmd);
int azihsm_cmd_exec(struct azihsm_queue *q, struct azihsm_cmd *cmd,
		    const void *sqe, unsigned long timeout, bool killable);
int azihsm_cmd_submit_async(struct azihsm_queue *q, struct azihsm_cmd *cmd,
			    const void *sqe, azihsm_cmd_done_fn done, void *ctx);
bool azihsm_cmd_abandon_async(struct azihsm_queue *q, struct azihsm_cmd *cmd,
			      void *ctx);
void azihsm_cmd_put(struct azihsm_queue *q, struct azihsm_cmd *cmd);
void azihsm_queue_flush(struct azihsm_queue *q, int error);
irqreturn_t azihsm_irq(int irq, void *data);

/* ctrl.c */
int azihsm_ctrl_init(struct azihsm_ctrl *ctrl);
void azihsm_ctrl_quiesce(struct azihsm_ctrl *ctrl, bool graceful);
void azihsm_ctrl_teardown(struct azihsm_ctrl *ctrl, bool graceful);
void azihsm_ctrl_abort_queue(struct azihsm_ctrl *ctrl, struct azihsm_queue *q,
			     unsigned int resets);
int azihsm_admin_ext(struct azihsm_ctrl *ctrl, u8 opcode, u32 cdw10,
		     const void *in, void *out, size_t len, u32 *result);

/* crypto.c: kernel crypto API algorithms backed by the AES queues. */
int azihsm_crypto_init(void);
void azihsm_crypto_exit(void);
int azihsm_crypto_add(struct azihsm_ctrl *ctrl);
void azihsm_crypto_del(struct azihsm_ctrl *ctrl);

/* rng.c: a hw_random source per controller. */
int azihsm_rng_add(struct azihsm_ctrl *ctrl);
void azihsm_rng_del(struct azihsm_ctrl *ctrl);

/* hsm.c */
struct azihsm_file;

/* A file's session slot as the AES ioctls check it (hardware.md 9.10). */
struct azihsm_file_session {
	bool	valid;
	bool	has_short_app_id;
	u16	id;
	u8	short_app_id;
};

int azihsm_chrdev_init(void);
void azihsm_chrdev_exit(void);
int azihsm_cdev_add(struct azihsm_ctrl *ctrl);
void azihsm_cdev_del(struct azihsm_ctrl *ctrl);
int azihsm_ioctl_arg_in(void *buf, const void __user *argp, size_t size,
			size_t copy);
struct azihsm_ctrl *azihsm_file_ctrl(struct azihsm_file *f);
int azihsm_file_get_session(struct azihsm_file *f,
			    struct azihsm_file_session *sess);

/* aes.c */

/* The segment pages of one side of an AES command and the SQE's pointer. */
struct azihsm_aes_sgl {
	struct azihsm_dma_page	*segs;
	unsigned int		nr_segs;
	struct azihsm_sgl_desc	desc;
};

struct scatterlist;
int azihsm_aes_sgl_build(struct azihsm_ctrl *ctrl, struct azihsm_aes_sgl *sgl,
			 struct scatterlist *sg, unsigned int nents, gfp_t gfp);
void azihsm_aes_sgl_free(struct azihsm_ctrl *ctrl, struct azihsm_aes_sgl *sgl);
struct azihsm_cmd *azihsm_aes_get_cmd(struct azihsm_ctrl *ctrl,
				      struct azihsm_queue **qp, bool may_sleep);
long azihsm_ioctl_aes_xts(struct azihsm_file *f, void __user *argp);
long azihsm_ioctl_aes_gcm(struct azihsm_file *f, void __user *argp);

#endif /* AZIHSM_DRV_H */
