// SPDX-License-Identifier: GPL-2.0
/*
 * Azure Integrated HSM (PCI 1414:C003) driver: module and PCI glue.
 */
#include <linux/dma-mapping.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/pci.h>
#include <linux/slab.h>

#include "azihsm.h"

static int num_hsm_slots = 16;
module_param(num_hsm_slots, int, 0444);
MODULE_PARM_DESC(num_hsm_slots,
		 "Entries per HSM submission/completion queue (default 16, 2..1024)");

static int num_aes_slots = 16;
module_param(num_aes_slots, int, 0444);
MODULE_PARM_DESC(num_aes_slots,
		 "Entries per AES submission/completion queue (default 16, 2..1024)");

static int abort_timeout_in_sec = 6;
module_param(abort_timeout_in_sec, int, 0444);
MODULE_PARM_DESC(abort_timeout_in_sec,
		 "Seconds before an HSM command is aborted (default 6, 6..3600)");

static unsigned char pf_res_cnt = 1;
module_param(pf_res_cnt, byte, 0444);
MODULE_PARM_DESC(pf_res_cnt,
		 "Resources a physical function assigns itself (default 1, max 64, 0 = leave alone)");

#define AZIHSM_MIN_ABORT_TIMEOUT	6
#define AZIHSM_MAX_ABORT_TIMEOUT	3600
#define AZIHSM_MIN_VECTORS		2	/* admin + one shared HSM vector */

static void azihsm_ctrl_release(struct device *dev)
{
	struct azihsm_ctrl *ctrl = container_of(dev, struct azihsm_ctrl, dev);

	pci_dev_put(ctrl->pdev);
	kfree(ctrl);
}

/* Out-of-range parameters are clamped rather than refused. */
static void azihsm_ctrl_apply_params(struct azihsm_ctrl *ctrl)
{
	ctrl->hsm_depth = clamp(num_hsm_slots, 2, AZIHSM_MAX_QUEUE_DEPTH);
	ctrl->aes_depth = clamp(num_aes_slots, 2, AZIHSM_MAX_QUEUE_DEPTH);
	ctrl->cmd_timeout = clamp(abort_timeout_in_sec, AZIHSM_MIN_ABORT_TIMEOUT,
				  AZIHSM_MAX_ABORT_TIMEOUT) * HZ;
	ctrl->pf_res_cnt = pf_res_cnt;
}

static int azihsm_check_bar(struct pci_dev *pdev, int bar)
{
	if (!(pci_resource_flags(pdev, bar) & IORESOURCE_MEM) ||
	    pci_resource_len(pdev, bar) != AZIHSM_BAR_SIZE) {
		dev_err(&pdev->dev, "BAR%d: %pR, want a %u-byte memory BAR\n",
			bar, &pdev->resource[bar], AZIHSM_BAR_SIZE);
		return -ENODEV;
	}
	return 0;
}

/* Undo azihsm_pci_init(), also a partial one. */
static void azihsm_pci_exit(struct azihsm_ctrl *ctrl)
{
	struct pci_dev *pdev = ctrl->pdev;

	dma_pool_destroy(ctrl->page_pool);
	ctrl->page_pool = NULL;
	kfree(ctrl->vectors);
	ctrl->vectors = NULL;
	if (ctrl->nr_vectors)
		pci_free_irq_vectors(pdev);
	ctrl->nr_vectors = 0;
	if (ctrl->dbs)
		pci_iounmap(pdev, ctrl->dbs);
	ctrl->dbs = NULL;
	if (ctrl->regs)
		pci_iounmap(pdev, ctrl->regs);
	ctrl->regs = NULL;
	if (ctrl->regions_requested)
		pci_release_mem_regions(pdev);
	ctrl->regions_requested = false;
	if (pci_is_enabled(pdev)) {
		pci_clear_master(pdev);
		pci_disable_device(pdev);
	}
}

static int azihsm_pci_init(struct azihsm_ctrl *ctrl)
{
	struct pci_dev *pdev = ctrl->pdev;
	unsigned int v;
	int ret;

	ret = pci_enable_device_mem(pdev);
	if (ret)
		return ret;
	ret = pci_request_mem_regions(pdev, AZIHSM_DRIVER_NAME);
	if (ret)
		goto fail;
	ctrl->regions_requested = true;

	ret = azihsm_check_bar(pdev, AZIHSM_BAR_REGS) ?:
	      azihsm_check_bar(pdev, AZIHSM_BAR_DOORBELLS) ?:
	      azihsm_check_bar(pdev, AZIHSM_BAR_MSIX);
	if (ret)
		goto fail;
	pci_set_master(pdev);
	ret = dma_set_mask_and_coherent(&pdev->dev, DMA_BIT_MASK(64));
	if (ret) {
		dev_err(&pdev->dev, "no 64-bit DMA\n");
		goto fail;
	}

	ret = -ENOMEM;
	ctrl->regs = pci_iomap(pdev, AZIHSM_BAR_REGS, AZIHSM_BAR_SIZE);
	ctrl->dbs = pci_iomap(pdev, AZIHSM_BAR_DOORBELLS, AZIHSM_BAR_SIZE);
	if (!ctrl->regs || !ctrl->dbs)
		goto fail;

	ret = pci_alloc_irq_vectors(pdev, AZIHSM_MIN_VECTORS, AZIHSM_MSIX_VECTORS,
				    PCI_IRQ_MSIX);
	if (ret < 0) {
		dev_err(&pdev->dev, "cannot get MSI-X vectors: %d\n", ret);
		goto fail;
	}
	ctrl->nr_vectors = ret;
	if (ctrl->nr_vectors < AZIHSM_MSIX_VECTORS)
		dev_warn(&pdev->dev, "only %u of %u MSI-X vectors\n",
			 ctrl->nr_vectors, AZIHSM_MSIX_VECTORS);

	ret = -ENOMEM;
	ctrl->vectors = kcalloc(ctrl->nr_vectors, sizeof(*ctrl->vectors), GFP_KERNEL);
	if (!ctrl->vectors)
		goto fail;
	for (v = 0; v < ctrl->nr_vectors; v++)
		ctrl->vectors[v].ctrl = ctrl;

	/* Identify pages and HSM bounce pages: 4 KiB, 4 KiB aligned. */
	ctrl->page_pool = dma_pool_create("azihsm-page", &pdev->dev,
					  AZIHSM_PAGE_SIZE, AZIHSM_PAGE_SIZE, 0);
	if (!ctrl->page_pool)
		goto fail;

	ctrl->is_pf = pci_find_ext_capability(pdev, PCI_EXT_CAP_ID_SRIOV) != 0;
	return 0;

fail:
	azihsm_pci_exit(ctrl);
	return ret;
}

static int azihsm_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct azihsm_ctrl *ctrl;
	int ret;

	ctrl = kzalloc(sizeof(*ctrl), GFP_KERNEL);
	if (!ctrl)
		return -ENOMEM;
	device_initialize(&ctrl->dev);
	ctrl->dev.release = azihsm_ctrl_release;
	ctrl->pdev = pci_dev_get(pdev);
	ctrl->minor = -1;
	init_rwsem(&ctrl->users_rwsem);
	mutex_init(&ctrl->abort_lock);
	spin_lock_init(&ctrl->crypto_lock);
	INIT_LIST_HEAD(&ctrl->crypto_node);
	atomic_set(&ctrl->next_hsm, 0);
	azihsm_ctrl_apply_params(ctrl);

	ret = azihsm_pci_init(ctrl);
	if (ret)
		goto put;
	ret = azihsm_ctrl_init(ctrl);
	if (ret)
		goto teardown;

	WRITE_ONCE(ctrl->state, AZIHSM_CTRL_LIVE);
	ret = azihsm_cdev_add(ctrl);
	if (ret)
		goto teardown;
	pci_set_drvdata(pdev, ctrl);
	/* Optional: without them the device still serves its users. */
	azihsm_rng_add(ctrl);
	azihsm_crypto_add(ctrl);

	dev_info(&pdev->dev, "%s: %u HSM and %u AES queue(s), %u MSI-X vectors\n",
		 dev_name(&ctrl->dev), ctrl->hsm.nr_queues, ctrl->aes.nr_queues,
		 ctrl->nr_vectors);
	return 0;

teardown:
	azihsm_ctrl_teardown(ctrl, pci_device_is_present(pdev));
	azihsm_pci_exit(ctrl);
put:
	dev_err(&pdev->dev, "probe failed: %d\n", ret);
	put_device(&ctrl->dev);
	return ret;
}

static void azihsm_remove(struct pci_dev *pdev)
{
	struct azihsm_ctrl *ctrl = pci_get_drvdata(pdev);

	/*
	 * VFs enabled through sriov_configure depend on the PF controller
	 * that is about to be disabled; remove them first (a no-op without
	 * SR-IOV or with no VFs).
	 */
	pci_disable_sriov(pdev);
	/* Kernel users first: they stop submitting before the teardown. */
	azihsm_crypto_del(ctrl);
	azihsm_rng_del(ctrl);
	/* No new opens; files already open now fail with -ENODEV. */
	azihsm_cdev_del(ctrl);
	azihsm_ctrl_teardown(ctrl, pci_device_is_present(pdev));
	azihsm_pci_exit(ctrl);
	pci_set_drvdata(pdev, NULL);
	put_device(&ctrl->dev);
}

static void azihsm_shutdown(struct pci_dev *pdev)
{
	struct azihsm_ctrl *ctrl = pci_get_drvdata(pdev);

	azihsm_ctrl_quiesce(ctrl, false);
}

static const struct pci_device_id azihsm_pci_ids[] = {
	{ PCI_DEVICE(AZIHSM_PCI_VENDOR_ID, AZIHSM_PCI_DEVICE_ID) },
	{ }
};
MODULE_DEVICE_TABLE(pci, azihsm_pci_ids);

static struct pci_driver azihsm_pci_driver = {
	.name		= AZIHSM_DRIVER_NAME,
	.id_table	= azihsm_pci_ids,
	.probe		= azihsm_probe,
	.remove		= azihsm_remove,
	.shutdown	= azihsm_shutdown,
	.sriov_configure = pci_sriov_configure_simple,
};

static int __init azihsm_init(void)
{
	int ret;

	ret = azihsm_chrdev_init();
	if (ret)
		return ret;
	ret = azihsm_crypto_init();
	if (ret)
		goto chrdev;
	ret = pci_register_driver(&azihsm_pci_driver);
	if (ret)
		goto crypto;
	return 0;

crypto:
	azihsm_crypto_exit();
chrdev:
	azihsm_chrdev_exit();
	return ret;
}

static void __exit azihsm_exit(void)
{
	pci_unregister_driver(&azihsm_pci_driver);
	azihsm_crypto_exit();
	azihsm_chrdev_exit();
}

module_init(azihsm_init);
module_exit(azihsm_exit);

MODULE_DESCRIPTION("Azure Integrated HSM driver");
MODULE_AUTHOR("azihsm contributors");
MODULE_LICENSE("GPL");
MODULE_VERSION(AZIHSM_DRIVER_VERSION);
