// SPDX-License-Identifier: GPL-2.0
/*
 * Azure Integrated HSM: a hw_random source per controller, fed by the
 * GET_RANDOM admin extension (hw.h, "azihsm extensions"), which returns
 * bytes from the device's DRBG.
 *
 * .quality stays 0, "unknown": the bytes come from a DRBG whose seeding
 * the host cannot check, so the driver makes no claim and the hw_random
 * core applies its rng_core.default_quality parameter (which caps what
 * any source is credited; lower it to credit less).  Admin commands
 * sleep, so a read with wait == false returns 0 bytes.
 */
#include <linux/hw_random.h>
#include <linux/slab.h>

#include "azihsm.h"

struct azihsm_rng {
	struct hwrng		hwrng;
	struct azihsm_ctrl	*ctrl;
	char			name[32];
};

static int azihsm_rng_read(struct hwrng *hwrng, void *data, size_t max,
			   bool wait)
{
	struct azihsm_rng *rng = container_of(hwrng, struct azihsm_rng, hwrng);
	size_t len = min_t(size_t, max, AZIHSM_EXT_RANDOM_MAX);
	int ret;

	if (!wait || !len)
		return 0;
	ret = azihsm_admin_ext(rng->ctrl, AZIHSM_ADMIN_EXT_GET_RANDOM, len,
			       NULL, data, len, NULL);
	return ret ? ret : len;
}

/* Needs the extensions (feature 0xC2 bit 1); failure only costs the rng. */
int azihsm_rng_add(struct azihsm_ctrl *ctrl)
{
	struct azihsm_rng *rng;
	int ret;

	if (!(ctrl->fw_caps & AZIHSM_FW_CAP_EXT))
		return 0;
	rng = kzalloc(sizeof(*rng), GFP_KERNEL);
	if (!rng)
		return -ENOMEM;
	rng->ctrl = ctrl;
	snprintf(rng->name, sizeof(rng->name), "azihsm-%s", pci_name(ctrl->pdev));
	rng->hwrng.name = rng->name;
	rng->hwrng.read = azihsm_rng_read;
	ret = hwrng_register(&rng->hwrng);
	if (ret) {
		dev_warn(&ctrl->pdev->dev, "cannot register hw_random %s: %d\n",
			 rng->name, ret);
		kfree(rng);
		return ret;
	}
	ctrl->rng = &rng->hwrng;
	return 0;
}

/* Before teardown: hwrng_unregister() waits for a read in progress. */
void azihsm_rng_del(struct azihsm_ctrl *ctrl)
{
	if (!ctrl->rng)
		return;
	hwrng_unregister(ctrl->rng);
	kfree(container_of(ctrl->rng, struct azihsm_rng, hwrng));
	ctrl->rng = NULL;
}
