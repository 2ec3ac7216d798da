// SPDX-License-Identifier: MIT
/*
 * Device handles: enumeration, open/close on a transport, identity, and
 * the raw command path every DDI operation goes through.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib_internal.h"

_Static_assert(AZIHSM_MAX_REQUEST == AZIHSM_DDI_MAX_REQUEST, "request limit");
_Static_assert(AZIHSM_MAX_RESPONSE == AZIHSM_DDI_MAX_RESPONSE, "response limit");
_Static_assert(AZIHSM_SESSION_IN_SESSION == AZIHSM_DDI_CTRL_IN_SESSION &&
	       AZIHSM_SESSION_OPEN == AZIHSM_DDI_CTRL_OPEN &&
	       AZIHSM_SESSION_CLOSE == AZIHSM_DDI_CTRL_CLOSE, "session kinds");

/* ---- Enumeration ---- */

#define HSM_NODE_PREFIX "azihsm"

/* "azihsmN" with N decimal: the HSM nodes; not "azihsm-mgmtN". */
static bool hsm_node_number(const char *name, unsigned long *num)
{
	const char *digits = name + strlen(HSM_NODE_PREFIX);
	char *end;

	if (strncmp(name, HSM_NODE_PREFIX, strlen(HSM_NODE_PREFIX)) ||
	    *digits < '0' || *digits > '9')
		return false;
	errno = 0;
	*num = strtoul(digits, &end, 10);
	return !*end && !errno;
}

struct found_node {
	unsigned long num;
	char *path;
};

static int cmp_found_node(const void *a, const void *b)
{
	const struct found_node *x = a, *y = b;

	return (x->num > y->num) - (x->num < y->num);
}

static void free_found(struct found_node *nodes, size_t n)
{
	while (n--)
		free(nodes[n].path);
	free(nodes);
}

int azihsm_enumerate_dir(const char *dir, struct azihsm_dev_list *list)
{
	struct found_node *nodes = NULL, *grown;
	size_t n = 0, cap = 0, i;
	struct dirent *de;
	unsigned long num;
	DIR *d;

	lib_err_reset();
	if (!dir || !list)
		return lib_err_set(AZIHSM_ERR_INVALID_ARG);
	memset(list, 0, sizeof(*list));

	d = opendir(dir);
	if (!d)
		return lib_err_from_errno(errno, 0);
	while ((de = readdir(d))) {
		if (!hsm_node_number(de->d_name, &num))
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 8;
			grown = realloc(nodes, cap * sizeof(*nodes));
			if (!grown)
				goto nomem;
			nodes = grown;
		}
		nodes[n].num = num;
		if (asprintf(&nodes[n].path, "%s/%s", dir, de->d_name) < 0)
			goto nomem;
		n++;
	}
	closedir(d);

	if (n) {
		qsort(nodes, n, sizeof(*nodes), cmp_found_node);
		list->paths = calloc(n, sizeof(*list->paths));
		if (!list->paths) {
			free_found(nodes, n);
			return lib_err_set(AZIHSM_ERR_NO_MEMORY);
		}
	}
	for (i = 0; i < n; i++)
		list->paths[i] = nodes[i].path;
	list->count = n;
	free(nodes);
	return AZIHSM_OK;

nomem:
	closedir(d);
	free_found(nodes, n);
	return lib_err_set(AZIHSM_ERR_NO_MEMORY);
}

int azihsm_enumerate(struct azihsm_dev_list *list)
{
	return azihsm_enumerate_dir(AZIHSM_DEV_DIR, list);
}

void azihsm_dev_list_free(struct azihsm_dev_list *list)
{
	size_t i;

	if (!list)
		return;
	for (i = 0; i < list->count; i++)
		free(list->paths[i]);
	free(list->paths);
	memset(list, 0, sizeof(*list));
}

/* ---- Handles ---- */

static struct azihsm_dev *dev_new(const struct azihsm_transport_ops *ops,
				  void *ctx, const char *path)
{
	struct azihsm_dev *dev = calloc(1, sizeof(*dev));

	if (!dev)
		return NULL;
	dev->path = strdup(path);
	if (!dev->path || pthread_mutex_init(&dev->lock, NULL)) {
		free(dev->path);
		free(dev);
		return NULL;
	}
	dev->ops = ops;
	dev->ctx = ctx;
	return dev;
}

int azihsm_open_transport_labelled(const struct azihsm_transport_ops *ops,
				   void *ctx, const char *label,
				   struct azihsm_dev **devp)
{
	const char *colon = label ? strchr(label, ':') : NULL;

	lib_err_reset();
	if (devp)
		*devp = NULL;
	if (!ops || !ops->hsm_cmd || !ops->dev_info || !devp)
		return lib_err_set(AZIHSM_ERR_INVALID_ARG);
	/* "scheme:name", so that it can never read as a device node path. */
	if (!colon || colon == label || label[0] == '/')
		return lib_err_set(AZIHSM_ERR_INVALID_ARG);
	*devp = dev_new(ops, ctx, label);
	return *devp ? AZIHSM_OK : lib_err_set(AZIHSM_ERR_NO_MEMORY);
}

int azihsm_open_transport(const struct azihsm_transport_ops *ops, void *ctx,
			  struct azihsm_dev **devp)
{
	char *label;
	int ret;

	if (asprintf(&label, "transport:%s", ops && ops->name ? ops->name : "unnamed") < 0) {
		if (devp)
			*devp = NULL;
		return lib_err_set(AZIHSM_ERR_NO_MEMORY);
	}
	ret = azihsm_open_transport_labelled(ops, ctx, label, devp);
	free(label);
	return ret;
}

/* The first HSM node of /dev, for azihsm_open(NULL). */
static int first_node(char **path)
{
	struct azihsm_dev_list list;
	int ret;

	ret = azihsm_enumerate(&list);
	if (ret)
		return ret;
	if (!list.count)
		return lib_err_set(AZIHSM_ERR_NO_DEVICE);
	*path = list.paths[0];
	list.paths[0] = NULL;
	azihsm_dev_list_free(&list);
	return AZIHSM_OK;
}

int azihsm_open(const char *path, struct azihsm_dev **devp)
{
	char *found = NULL;
	void *ctx;
	int ret;

	lib_err_reset();
	if (!devp)
		return lib_err_set(AZIHSM_ERR_INVALID_ARG);
	*devp = NULL;
	if (!path) {
		ret = first_node(&found);
		if (ret)
			return ret;
		path = found;
	}
	ret = lib_ioctl_ctx_new(path, &ctx);
	if (ret < 0) {
		free(found);
		return lib_err_from_errno(-ret, 0);
	}
	*devp = dev_new(&lib_ioctl_transport, ctx, path);
	free(found);
	if (!*devp) {
		lib_ioctl_transport.close(ctx);
		return lib_err_set(AZIHSM_ERR_NO_MEMORY);
	}
	return AZIHSM_OK;
}

void azihsm_close(struct azihsm_dev *dev)
{
	if (!dev)
		return;
	lib_session_drop(dev);
	if (dev->ops->close)
		dev->ops->close(dev->ctx);
	pthread_mutex_destroy(&dev->lock);
	free(dev->path);
	free(dev);
}

const char *azihsm_dev_path(const struct azihsm_dev *dev)
{
	return dev ? dev->path : NULL;
}

/* Make a fixed-size field a C string without the blank padding of Identify. */
static void trim_field(char *s, size_t size)
{
	size_t len;

	s[size - 1] = '\0';
	len = strlen(s);
	while (len && s[len - 1] == ' ')
		s[--len] = '\0';
}

int azihsm_identify(struct azihsm_dev *dev, struct azihsm_identity *id)
{
	int ret;

	lib_err_reset();
	if (!dev || !id)
		return lib_err_set(AZIHSM_ERR_INVALID_ARG);
	memset(id, 0, sizeof(*id));
	pthread_mutex_lock(&dev->lock);
	ret = dev->ops->dev_info(dev->ctx, id);
	pthread_mutex_unlock(&dev->lock);
	if (ret < 0) {
		memset(id, 0, sizeof(*id));
		return lib_err_from_errno(-ret, 0);
	}
	trim_field(id->pci_addr, sizeof(id->pci_addr));
	trim_field(id->serial, sizeof(id->serial));
	trim_field(id->firmware_rev, sizeof(id->firmware_rev));
	trim_field(id->driver_rev, sizeof(id->driver_rev));
	return AZIHSM_OK;
}

/* ---- Commands ---- */

int lib_hsm_cmd_locked(struct azihsm_dev *dev, struct azihsm_transport_cmd *cmd)
{
	struct azihsm_error *err = lib_err_cur();
	int ret;

	cmd->device_status = 0;
	cmd->resp_len = 0;
	cmd->ext_status = 0;
	ret = dev->ops->hsm_cmd(dev->ctx, cmd);
	if (ret < 0)
		return lib_err_from_errno(-ret, cmd->ext_status);
	if (cmd->device_status) {
		err->device_status = cmd->device_status;
		return lib_err_set(AZIHSM_ERR_DEVICE);
	}
	if (cmd->resp_len > cmd->resp_cap)
		return lib_err_set(AZIHSM_ERR_BUFFER_TOO_SMALL);
	return AZIHSM_OK;
}

int azihsm_ddi_raw(struct azihsm_dev *dev, const struct azihsm_session_ctl *sess,
		   const void *req, size_t req_len,
		   void *resp, size_t resp_cap, size_t *resp_len)
{
	struct azihsm_transport_cmd cmd = {
		.req = req,
		.req_len = req_len,
		.resp = resp,
		.resp_cap = resp_cap < AZIHSM_MAX_RESPONSE ? resp_cap :
			    AZIHSM_MAX_RESPONSE,
	};
	int ret;

	lib_err_reset();
	if (resp_len)
		*resp_len = 0;
	if (!dev || !req || !req_len || req_len > AZIHSM_MAX_REQUEST ||
	    !resp || !resp_cap || !resp_len)
		return lib_err_set(AZIHSM_ERR_INVALID_ARG);
	if (sess) {
		if (sess->kind > AZIHSM_SESSION_IN_SESSION)
			return lib_err_set(AZIHSM_ERR_INVALID_ARG);
		cmd.session_flags = sess->kind;
		if (sess->has_id) {
			cmd.session_flags |= AZIHSM_TRANSPORT_SESS_ID_VALID;
			cmd.session_id = sess->id;
		}
	}

	pthread_mutex_lock(&dev->lock);
	ret = lib_hsm_cmd_locked(dev, &cmd);
	pthread_mutex_unlock(&dev->lock);
	if (ret == AZIHSM_OK || ret == AZIHSM_ERR_BUFFER_TOO_SMALL)
		*resp_len = cmd.resp_len;
	return ret;
}
