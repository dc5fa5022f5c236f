/*
 * The Z-Wave controller's NVM backup and restore as the master sees it
 * (docs/ZWAVE.md, "Controller backup (NVM)"): asked through the API
 * (api_zwave_nvm.c), run by the slave (slave/zwave/zw_nvm.c) and
 * mirrored here from its ZwNvmStatus messages, each checked whole.
 *
 * The master keeps a copy of each slave's latest backup file for the
 * API: when a slave's metadata names a backup it does not hold (a new
 * backup, a master restart), it asks for the file (FETCH) and keeps it
 * once whole and matching the metadata's SHA-256. An image an admin
 * uploads is checked the same way before it may be restored.
 */

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cluster/cluster.h"
#include "log.h"
#include "master.h"
#include "net.h"
#include "zwave/zwave.h"

const char *
zwm_nvm_state_name(int st)
{
	static const char *const names[] = { "idle", "running", "done",
	    "failed", "refused" };

	if (st == ZWM_NVM_REQUESTED)
		return "requested";
	return st >= 0 && (size_t)st < sizeof(names) / sizeof(names[0]) ?
	    names[st] : "?";
}

struct zwm_nvm *
zwm_nvm(struct node *n)
{
	struct zwm_slave *z;

	if ((z = zwm_slave(n)) == NULL)
		return NULL;
	if (z->nvm == NULL && (z->nvm = calloc(1, sizeof(*z->nvm))) != NULL)
		z->nvm->state = HD__ZW_NVM_STATUS__STATE__IDLE;
	return z->nvm;
}

void
zwm_nvm_free(struct zwm_slave *z)
{
	if (z->nvm == NULL)
		return;
	free(z->nvm->image);
	free(z->nvm->fetch);
	free(z->nvm->upload);
	free(z->nvm);
	z->nvm = NULL;
}

static int
send_nvm(struct master *m, struct node *n, Hd__ZwNvm *q)
{
	Hd__Envelope e = HD__ENVELOPE__INIT;

	e.body_case = HD__ENVELOPE__BODY_ZW_NVM;
	e.zw_nvm = q;
	return cluster_send(m, n, &e);
}

/* The uploaded image to the slave, in ZW_NVM_PIECE pieces. */
static int
send_upload(struct master *m, struct node *n, const struct zwm_nvm *v,
    const char *by)
{
	Hd__ZwNvm	q = HD__ZW_NVM__INIT;
	size_t		off, len;

	for (off = 0; off < v->upload_total; off += len) {
		len = v->upload_total - off < ZW_NVM_PIECE ?
		    v->upload_total - off : ZW_NVM_PIECE;
		q.action = HD__ZW_NVM__ACTION__RESTORE;
		q.issued_by = (char *)(uintptr_t)by;
		q.offset = (uint32_t)off;
		q.total = (uint32_t)v->upload_total;
		q.data.data = v->upload + off;
		q.data.len = len;
		if (send_nvm(m, n, &q) == -1)
			return -1;
	}
	return 0;
}

int
zwm_nvm_request(struct master *m, struct node *n, Hd__ZwNvm__Action action,
    int upload, const char *by, const char **why)
{
	Hd__ZwNvm	 q = HD__ZW_NVM__INIT;
	struct zwm_nvm	*v;
	int		 rv;

	*why = NULL;
	if ((v = zwm_nvm(n)) == NULL) {
		*why = "out of memory";
		return -1;
	}
	if (!(n->caps & 1u << HD__CAPABILITY__CAP_ZWAVE_NVM)) {
		*why = n->peer == NULL ? "the slave is offline" : "the slave "
		    "has no Z-Wave stick, or a version without controller "
		    "backup";
		return -1;
	}
	if (v->active) {
		*why = "a controller backup or restore is under way on this "
		    "slave";
		return -1;
	}
	if (upload && !v->upload_ok) {
		*why = "no whole uploaded image: PUT it to .../nvm/image first";
		return -1;
	}
	if (upload)
		rv = send_upload(m, n, v, by);
	else {
		q.action = action;
		q.issued_by = (char *)(uintptr_t)by;
		rv = send_nvm(m, n, &q);
	}
	if (rv == -1) {
		*why = "the slave is offline";
		return -1;
	}
	log_info("zwave: controller %s on slave %s requested by %s%s",
	    action == HD__ZW_NVM__ACTION__BACKUP ? "backup" : "restore", n->id,
	    by, upload ? " (an uploaded image)" : "");
	v->action = action;
	v->state = ZWM_NVM_REQUESTED;
	v->active = 1;
	v->done = v->total = 0;
	v->phase[0] = '\0';
	v->reason[0] = '\0';
	v->time_ms = ev_wall_ms();
	snprintf(v->by, sizeof(v->by), "%s", by);
	return 0;
}

int
zwm_nvm_upload(struct node *n, size_t off, size_t total, const uint8_t *p,
    size_t len, const char **why)
{
	struct zwm_nvm *v;

	if ((v = zwm_nvm(n)) == NULL) {
		*why = "out of memory";
		return -1;
	}
	if (v->active && v->action == HD__ZW_NVM__ACTION__RESTORE) {
		*why = "a restore is under way on this slave";
		return -1;
	}
	if (total < ZWNVM_HDR_LEN || total > ZWNVM_FILE_MAX) {
		*why = "size: not a backup's size";
		return -1;
	}
	if (off == 0) {
		free(v->upload);
		v->upload_ok = 0;
		v->upload_have = 0;
		v->upload_total = total;
		if ((v->upload = malloc(total)) == NULL) {
			*why = "out of memory";
			return -1;
		}
	}
	if (v->upload == NULL || off != v->upload_have ||
	    total != v->upload_total || len > total - off) {
		*why = "offset: the pieces go in order, from 0, with the same "
		    "size";
		return -1;
	}
	if (len > 0)
		memcpy(v->upload + off, p, len);
	v->upload_have += len;
	if (v->upload_have < total)
		return 0;
	if (zwnvm_parse(v->upload, total, &v->upload_meta, why) == -1) {
		free(v->upload);
		v->upload = NULL;
		v->upload_have = 0;
		return -1;
	}
	v->upload_ok = 1;
	return 0;
}

/* --- the slave's messages, checked whole -------------------------------- */

static int
text_ok(const char *t, size_t max)
{
	size_t i;

	for (i = 0; t[i] != '\0'; i++)
		if (i >= max || (unsigned char)t[i] < 0x20 || t[i] == 0x7f)
			return 0;
	return 1;
}

static int
meta_from_pb(const Hd__ZwNvmMeta *p, struct zwnvm_meta *m)
{
	if (p->format != ZWNVM_FORMAT || (p->api != ZWNVM_API_OPS &&
	    p->api != ZWNVM_API_EXT) || p->chip_type > 0xff ||
	    p->chip_version > 0xff || p->app_major > 0xff ||
	    p->app_minor > 0xff || p->own_id < 1 || p->own_id > ZW_MAX_NODES ||
	    p->size == 0 || p->size > ZW_NVM_MAX || p->sha256.len != 32 ||
	    p->manufacturer > 0xffff || p->product_type > 0xffff ||
	    p->product_id > 0xffff || !text_ok(p->library, ZWNVM_LIB_MAX))
		return -1;
	memset(m, 0, sizeof(*m));
	m->format = (uint16_t)p->format;
	m->api = (uint8_t)p->api;
	m->chip_type = (uint8_t)p->chip_type;
	m->chip_version = (uint8_t)p->chip_version;
	m->app_major = (uint8_t)p->app_major;
	m->app_minor = (uint8_t)p->app_minor;
	m->own_id = (uint8_t)p->own_id;
	snprintf(m->library, sizeof(m->library), "%s", p->library);
	m->manufacturer = (uint16_t)p->manufacturer;
	m->product_type = (uint16_t)p->product_type;
	m->product_id = (uint16_t)p->product_id;
	m->home_id = p->home_id;
	m->size = p->size;
	m->time_ms = p->time_ms;
	memcpy(m->sha256, p->sha256.data, 32);
	return 0;
}

static int
status_ok(const Hd__ZwNvmStatus *r)
{
	if (protobuf_c_enum_descriptor_get_value(&hd__zw_nvm__action__descriptor,
	    r->action) == NULL || protobuf_c_enum_descriptor_get_value(
	    &hd__zw_nvm_status__state__descriptor, r->state) == NULL)
		return 0;
	if (!text_ok(r->reason, ZW_INCL_REASON_MAX) || !text_ok(r->phase, 15) ||
	    r->total > ZW_NVM_MAX || r->done > r->total)
		return 0;
	return r->data.len == 0 || (r->data.len <= ZW_NVM_PIECE &&
	    r->file_size >= ZWNVM_HDR_LEN && r->file_size <= ZWNVM_FILE_MAX &&
	    r->offset < r->file_size && r->data.len <= r->file_size -
	    r->offset);
}

/* Ask for the file of the backup the slave names, unless it is held. */
static void
want_image(struct master *m, struct node *n, struct zwm_nvm *v)
{
	Hd__ZwNvm q = HD__ZW_NVM__INIT;

	if (!v->have_meta || v->fetching || (v->image != NULL &&
	    memcmp(v->image + 64, v->meta.sha256, 32) == 0))
		return;
	q.action = HD__ZW_NVM__ACTION__FETCH;
	q.issued_by = (char *)(uintptr_t)"the master";
	if (send_nvm(m, n, &q) == 0)
		v->fetching = 1;
}

/* A piece of the file: kept in order; whole, it must be the backup the
 * metadata names. */
static void
fetched(struct node *n, struct zwm_nvm *v, const Hd__ZwNvmStatus *r)
{
	struct zwnvm_meta	 fm;
	const char		*why = "not the backup the slave named";

	if (r->offset == 0) {
		free(v->fetch);
		v->fetch_have = 0;
		v->fetch_total = r->file_size;
		if ((v->fetch = malloc(r->file_size)) == NULL)
			return;
	}
	if (v->fetch == NULL || r->offset != v->fetch_have ||
	    r->file_size != v->fetch_total) {
		log_warnx("slave %s: controller backup piece out of order: "
		    "dropped", n->id);
		free(v->fetch);
		v->fetch = NULL;
		v->fetching = 0;
		return;
	}
	memcpy(v->fetch + v->fetch_have, r->data.data, r->data.len);
	v->fetch_have += r->data.len;
	if (v->fetch_have < v->fetch_total)
		return;
	v->fetching = 0;
	if (zwnvm_parse(v->fetch, v->fetch_total, &fm, &why) == -1 ||
	    !v->have_meta || memcmp(fm.sha256, v->meta.sha256, 32) != 0) {
		log_warnx("slave %s: controller backup refused: %s", n->id,
		    why);
		free(v->fetch);
		v->fetch = NULL;
		return;
	}
	free(v->image);
	v->image = v->fetch;
	v->image_len = v->fetch_total;
	v->fetch = NULL;
	log_info("slave %s: controller backup of %u bytes held for the API",
	    n->id, fm.size);
}

int
zwm_nvm_status(struct master *m, struct node *n, const Hd__ZwNvmStatus *r)
{
	struct zwm_nvm	*v;
	struct zwnvm_meta meta;

	if (!status_ok(r) || (r->meta != NULL &&
	    meta_from_pb(r->meta, &meta) == -1))
		return -1;
	if ((v = zwm_nvm(n)) == NULL)
		return 0;
	if (r->meta != NULL) {
		v->meta = meta;
		v->have_meta = 1;
	}
	if (r->data.len > 0) {
		fetched(n, v, r);
		return 0;
	}
	if (r->action == HD__ZW_NVM__ACTION__BACKUP ||
	    r->action == HD__ZW_NVM__ACTION__RESTORE) {
		v->action = r->action;
		v->state = r->state;
		v->active = r->state == HD__ZW_NVM_STATUS__STATE__RUNNING;
		v->done = r->done;
		v->total = r->total;
		snprintf(v->phase, sizeof(v->phase), "%s", r->phase);
		str_vis(v->reason, sizeof(v->reason), r->reason);
		v->time_ms = ev_wall_ms();
		if (r->state != HD__ZW_NVM_STATUS__STATE__RUNNING)
			log_info("slave %s: controller %s %s%s%s", n->id,
			    r->action == HD__ZW_NVM__ACTION__BACKUP ? "backup" :
			    "restore", zwm_nvm_state_name(r->state),
			    v->reason[0] ? ": " : "", v->reason);
	} else if (r->action == HD__ZW_NVM__ACTION__STATUS) {
		v->active = r->state == HD__ZW_NVM_STATUS__STATE__RUNNING;
	} else if (r->state == HD__ZW_NVM_STATUS__STATE__REFUSED) {
		v->fetching = 0;
		log_warnx("slave %s: controller backup not sent: %s", n->id,
		    r->reason);
	}
	want_image(m, n, v);
	return 0;
}

void
zwm_nvm_online(struct master *m, struct node *n, int online)
{
	Hd__ZwNvm	 q = HD__ZW_NVM__INIT;
	struct zwm_nvm	*v;

	if (!(n->caps & 1u << HD__CAPABILITY__CAP_ZWAVE_NVM) ||
	    (v = zwm_nvm(n)) == NULL)
		return;
	v->fetching = 0;	/* a fetch cut off by the link is asked again */
	if (!online)
		return;
	q.action = HD__ZW_NVM__ACTION__STATUS;
	q.issued_by = (char *)(uintptr_t)"the master";
	send_nvm(m, n, &q);
}

void
zwm_nvm_restarted(struct node *n)
{
	struct zwm_nvm *v;

	if (n->zw == NULL || (v = n->zw->nvm) == NULL || !v->active)
		return;
	v->active = 0;
	v->state = HD__ZW_NVM_STATUS__STATE__FAILED;
	snprintf(v->reason, sizeof(v->reason), "the slave restarted");
	v->time_ms = ev_wall_ms();
}
