/*
 * The controller's NVM backup and restore (zw_nvm.h), one chunk on the
 * session at a time, each started from the last one's answer (never
 * waited for). A chunk waits while the stick has other work (up to
 * ZW_NVM_PACE_TRIES x ZW_NVM_PACE_MS, then queues behind it at poll
 * priority), so commands and reports go on during a backup. A restore
 * rewrites the network the stick knows: commands to nodes answer BUSY
 * then, and inclusion and maintenance wait for either to end.
 *
 *	backup:  OPEN -> READ ... -> CLOSE -> file written [-> soft reset]
 *	restore: OPEN (size) -> WRITE ... -> CLOSE -> OPEN -> READ ...
 *		 (compared) -> CLOSE -> soft reset -> controller ready
 */

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atomicfile.h"
#include "log.h"
#include "slave.h"
#include "zwave/zw.h"
#include "zwave/zw_maint.h"
#include "zwave/zw_nvm.h"

#define ACT_STATUS	HD__ZW_NVM__ACTION__STATUS
#define ACT_BACKUP	HD__ZW_NVM__ACTION__BACKUP
#define ACT_FETCH	HD__ZW_NVM__ACTION__FETCH
#define ACT_RESTORE	HD__ZW_NVM__ACTION__RESTORE
#define ST_IDLE		HD__ZW_NVM_STATUS__STATE__IDLE
#define ST_RUNNING	HD__ZW_NVM_STATUS__STATE__RUNNING
#define ST_DONE		HD__ZW_NVM_STATUS__STATE__DONE
#define ST_FAILED	HD__ZW_NVM_STATUS__STATE__FAILED
#define ST_REFUSED	HD__ZW_NVM_STATUS__STATE__REFUSED

static void	next_chunk(struct zw_ctrl *);

static const char *
phase(enum nvm_step s)
{
	switch (s) {
	case N_OPEN: case N_READ: case N_CLOSE:
		return "reading";
	case N_WOPEN: case N_WRITE: case N_WCLOSE:
		return "writing";
	case N_VOPEN: case N_VREAD: case N_VCLOSE:
		return "verifying";
	case N_RESTART:
		return "restarting";
	default:
		return "";
	}
}

/* --- to the master --------------------------------------------------- */

static void
meta_to_pb(const struct zwnvm_meta *m, Hd__ZwNvmMeta *p)
{
	p->format = m->format;
	p->api = m->api;
	p->chip_type = m->chip_type;
	p->chip_version = m->chip_version;
	p->library = (char *)(uintptr_t)m->library;
	p->app_major = m->app_major;
	p->app_minor = m->app_minor;
	p->home_id = m->home_id;
	p->own_id = m->own_id;
	p->size = m->size;
	p->time_ms = m->time_ms;
	p->sha256.data = (uint8_t *)(uintptr_t)m->sha256;
	p->sha256.len = 32;
	p->manufacturer = m->manufacturer;
	p->product_type = m->product_type;
	p->product_id = m->product_id;
}

/* A status to the master: the state, with the latest backup's metadata;
 * a piece of its file when `data` is set. */
static void
send_status(struct slave *s, int action, int state, const char *why,
    const uint8_t *data, size_t off, size_t n, size_t file_size)
{
	struct zw_nvm	*v = s->zw != NULL ? s->zw->nvm : NULL;
	Hd__ZwNvmStatus	 r = HD__ZW_NVM_STATUS__INIT;
	Hd__ZwNvmMeta	 pm = HD__ZW_NVM_META__INIT;
	Hd__Envelope	 e = HD__ENVELOPE__INIT;

	r.action = action;
	r.state = state;
	r.reason = (char *)(uintptr_t)(why != NULL ? why : "");
	if (v != NULL && v->op != -1) {
		r.done = (uint32_t)v->done;
		r.total = (uint32_t)v->size;
		r.phase = (char *)(uintptr_t)phase(v->step);
	}
	if (v != NULL && v->have_meta) {
		meta_to_pb(&v->meta, &pm);
		r.meta = &pm;
	}
	if (data != NULL) {
		r.data.data = (uint8_t *)(uintptr_t)(data + off);
		r.data.len = n;
		r.offset = (uint32_t)off;
		r.file_size = (uint32_t)file_size;
	}
	if (data == NULL && (state != ST_RUNNING || why != NULL))
		log_info("zwave: controller %s: %s%s%s", action == ACT_RESTORE ?
		    "restore" : "backup", protobuf_c_enum_descriptor_get_value(
		    &hd__zw_nvm_status__state__descriptor, state)->name,
		    why != NULL ? ": " : "", why != NULL ? why : "");
	e.body_case = HD__ENVELOPE__BODY_ZW_NVM_STATUS;
	e.zw_nvm_status = &r;
	s->up->send_reliable(s, &e);
}

/* The operation ends: the master told why, the stick free again. */
static void
finish(struct zw_ctrl *c, int state, const char *why)
{
	struct zw_nvm	*v = c->nvm;
	int		 op = v->op;

	ev_timer_stop(c->s->loop, &v->timer);
	send_status(c->s, op, state, why, NULL, 0, 0, 0);
	v->op = -1;
	v->step = N_IDLE;
	free(v->file);
	v->file = NULL;
	zw_ss_arm(c);		/* SmartStart listens again, if still wanted */
}

static void
failf(struct zw_ctrl *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
failf(struct zw_ctrl *c, const char *fmt, ...)
{
	char	why[ZW_INCL_REASON_MAX + 1];
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	finish(c, ST_FAILED, why);
}

/* Progress at most every ZW_NVM_PROGRESS_MS, and at each phase's end. */
static void
progress(struct zw_ctrl *c, int force)
{
	struct zw_nvm	*v = c->nvm;
	uint64_t	 now = ev_clock_ms();

	if (!force && now - v->last_progress < ZW_NVM_PROGRESS_MS)
		return;
	v->last_progress = now;
	send_status(c->s, v->op, ST_RUNNING, NULL, NULL, 0, 0, 0);
}

/* --- requests --------------------------------------------------------- */

static void	step_done(void *, enum zw_status, const struct zw_frame *,
		    const struct zw_frame *);

static int
submit(struct zw_ctrl *c, uint8_t sub, const uint8_t *data, size_t n)
{
	struct zw_nvm	*v = c->nvm;
	struct zw_req	 r;
	enum zw_status	 st;

	memset(&r, 0, sizeof(r));
	r.func = v->api;
	if ((r.len = zw_nvm_encode(v->api, sub, (uint32_t)v->done, data, n,
	    r.payload, sizeof(r.payload))) == 0)
		return -1;
	r.want_res = 1;
	r.cb_idx = -1;
	r.prio = ZW_PRIO_POLL;
	r.done = step_done;
	r.arg = c;
	v->asked = n;
	return zw_stick_submit(c->stick, &r, &st);
}

static void
go(struct zw_ctrl *c, enum nvm_step step, uint8_t sub)
{
	c->nvm->step = step;
	if (submit(c, sub, NULL, 0) == -1)
		failf(c, "the stick's queue refused the NVM %s",
		    sub == ZW_NVM_OPEN ? "open" : "close");
}

/* The next read, write or comparison, or the phase's close. */
static void
next_chunk(struct zw_ctrl *c)
{
	struct zw_nvm	*v = c->nvm;
	size_t		 n = v->size - v->done;
	uint8_t		 sub;

	if (n == 0) {
		progress(c, 1);
		go(c, v->step == N_READ ? N_CLOSE : v->step == N_WRITE ?
		    N_WCLOSE : N_VCLOSE, ZW_NVM_CLOSE);
		return;
	}
	/* Let the network's own traffic go first, a while. */
	if (zw_stick_busy(c->stick) && v->tries < ZW_NVM_PACE_TRIES) {
		v->tries++;
		ev_timer_start(c->s->loop, &v->timer, ZW_NVM_PACE_MS);
		return;
	}
	v->tries = 0;
	if (n > v->chunk)
		n = v->chunk;
	sub = v->step == N_WRITE ? ZW_NVM_WRITE : ZW_NVM_READ;
	if (submit(c, sub, v->file + ZWNVM_HDR_LEN + v->done, n) == -1)
		failf(c, "the stick's queue refused the NVM %s at byte %zu",
		    sub == ZW_NVM_WRITE ? "write" : "read", v->done);
}

static void
on_timer(struct ev_timer *t)
{
	struct zw_ctrl *c = t->arg;

	if (c->nvm->step == N_RESTART)
		failf(c, "written and verified, but the controller did not "
		    "come back within %d s: restart the slave",
		    ZW_NVM_RESTART_MS / 1000);
	else if (c->nvm->op != -1)
		next_chunk(c);
}

/* --- answers ---------------------------------------------------------- */

/* An open's answer: the NVM's size (a restore's image must match). */
static int
opened(struct zw_ctrl *c, const struct zw_nvm_res *r)
{
	struct zw_nvm *v = c->nvm;

	if (r->addr == 0 || r->addr > ZW_NVM_MAX) {
		failf(c, "the stick says its NVM holds %u bytes (at most %d "
		    "are handled)", r->addr, ZW_NVM_MAX);
		return -1;
	}
	if (v->step == N_OPEN) {
		v->size = r->addr;
		if ((v->file = calloc(1, ZWNVM_HDR_LEN + v->size)) == NULL) {
			failf(c, "out of memory for %zu bytes", v->size);
			return -1;
		}
		v->step = N_READ;
	} else if (r->addr != v->size) {
		/* Close it again: nothing was written. */
		failf(c, "the image holds %zu bytes, this stick's NVM %u: it "
		    "is another kind of stick", v->size, r->addr);
		submit(c, ZW_NVM_CLOSE, NULL, 0);
		return -1;
	} else
		v->step = v->step == N_WOPEN ? N_WRITE : N_VREAD;
	v->done = 0;
	v->chunk = ZW_NVM_CHUNK;
	return 0;
}

/* A read's or write's answer: its address and length checked. */
static int
chunk_done(struct zw_ctrl *c, const struct zw_nvm_res *r)
{
	struct zw_nvm	*v = c->nvm;
	size_t		 n = v->step == N_WRITE ? v->asked : r->len;

	if (r->addr != v->done) {
		failf(c, "the stick answered for byte %u, asked for %zu",
		    r->addr, v->done);
		return -1;
	}
	if (v->step != N_WRITE && (r->len > v->asked || (r->len == 0 &&
	    v->chunk == ZW_NVM_CHUNK_SMALL))) {
		failf(c, "the stick gave %zu bytes for %zu at byte %zu",
		    r->len, v->asked, v->done);
		return -1;
	}
	if (n == 0) {		/* some sticks take only smaller reads */
		v->chunk = ZW_NVM_CHUNK_SMALL;
		return 0;
	}
	if (v->step == N_READ)
		memcpy(v->file + ZWNVM_HDR_LEN + v->done, r->data, n);
	else if (v->step == N_VREAD && memcmp(v->file + ZWNVM_HDR_LEN +
	    v->done, r->data, n) != 0) {
		failf(c, "read back differs from the image near byte %zu: "
		    "the stick's NVM may be damaged; restore again", v->done);
		return -1;
	}
	v->done += n;
	if (r->status == ZW_NVM_ST_EOF && v->done < v->size) {
		failf(c, "the stick says its NVM ends at byte %zu of %zu",
		    v->done, v->size);
		return -1;
	}
	progress(c, 0);
	return 0;
}

static void	backup_saved(struct zw_ctrl *);
static void	restore_restart(struct zw_ctrl *);

static void
step_done(void *arg, enum zw_status st, const struct zw_frame *res,
    const struct zw_frame *cb)
{
	struct zw_ctrl		*c = arg;
	struct zw_nvm		*v = c->nvm;
	struct zw_nvm_res	 r;

	(void)cb;
	if (c->stopping || v->op == -1)
		return;
	if (st != ZW_OK) {
		failf(c, "the stick did not answer while %s at byte %zu: %s",
		    phase(v->step), v->done, zw_status_str(st));
		return;
	}
	if (res == NULL || zw_nvm_parse(v->api, res->payload, res->len, &r) ==
	    -1) {
		failf(c, "malformed NVM answer while %s", phase(v->step));
		return;
	}
	if (r.status != ZW_NVM_ST_OK && (r.status != ZW_NVM_ST_EOF ||
	    (v->step != N_READ && v->step != N_WRITE && v->step != N_VREAD))) {
		failf(c, "%s while %s at byte %zu", zw_nvm_status_str(r.status),
		    phase(v->step), v->done);
		return;
	}
	switch (v->step) {
	case N_OPEN: case N_WOPEN: case N_VOPEN:
		if (opened(c, &r) == -1)
			return;
		break;
	case N_READ: case N_WRITE: case N_VREAD:
		if (chunk_done(c, &r) == -1)
			return;
		break;
	case N_CLOSE:
		backup_saved(c);
		return;
	case N_WCLOSE:
		go(c, N_VOPEN, ZW_NVM_OPEN);
		return;
	case N_VCLOSE:
		restore_restart(c);
		return;
	default:
		return;
	}
	next_chunk(c);
}

/* --- backup ----------------------------------------------------------- */

static void
fill_meta(struct zw_ctrl *c, struct zwnvm_meta *m)
{
	struct zw_nvm *v = c->nvm;

	memset(m, 0, sizeof(*m));
	m->api = v->api;
	m->chip_type = v->chip_type;
	m->chip_version = v->chip_version;
	m->app_major = v->caps[0];
	m->app_minor = v->caps[1];
	m->manufacturer = (uint16_t)(v->caps[2] << 8 | v->caps[3]);
	m->product_type = (uint16_t)(v->caps[4] << 8 | v->caps[5]);
	m->product_id = (uint16_t)(v->caps[6] << 8 | v->caps[7]);
	m->own_id = c->own_id;
	m->home_id = c->home_id;
	snprintf(m->library, sizeof(m->library), "%s", c->version);
	m->time_ms = ev_wall_ms();
}

/* The image read whole and the NVM closed: into STATE_DIR/zwave.nvm. */
static void
backup_saved(struct zw_ctrl *c)
{
	struct zw_nvm		*v = c->nvm;
	struct zwnvm_meta	 m;
	char			 why[ZW_INCL_REASON_MAX + 1], hex[65];

	fill_meta(c, &m);
	if (zwnvm_encode(v->file, &m, v->file + ZWNVM_HDR_LEN, v->size) ==
	    -1 || atomic_write(v->path, v->file, ZWNVM_HDR_LEN + v->size,
	    0600) == -1) {
		failf(c, "%s: %s", v->path, strerror(errno));
		return;
	}
	v->meta = m;
	v->have_meta = 1;
	zwnvm_hex(m.sha256, hex);
	snprintf(why, sizeof(why), "%zu bytes in %llu ms, home id %08x, "
	    "SHA-256 %.16s...", v->size, (unsigned long long)(ev_clock_ms() -
	    v->t0), m.home_id, hex);
	/* 7.xx firmware leaves its NVM half-open after a read (zwave-js
	 * resets it after every backup for this): a soft reset. */
	if (c->lib_major >= 7 && zw_stick_soft_reset(c->stick) == 0)
		log_info("zwave: soft-resetting the stick after its backup");
	finish(c, ST_DONE, why);
}

/* --- restore ---------------------------------------------------------- */

/* NULL, or why this image cannot go onto this stick. */
static const char *
image_fits(struct zw_ctrl *c, const struct zwnvm_meta *m, char *buf,
    size_t size)
{
	struct zw_nvm	*v = c->nvm;
	char		 b1[11], b2[11];

	if (m->chip_type != v->chip_type) {
		snprintf(buf, size, "the image is from a %s stick, this one "
		    "is a %s: an NVM image cannot be restored onto another "
		    "chip generation", zwnvm_chip_name(m->chip_type, b1,
		    sizeof(b1)), zwnvm_chip_name(v->chip_type, b2, sizeof(b2)));
		return buf;
	}
	if (m->api != v->api) {
		snprintf(buf, size, "the image was read with NVM function "
		    "0x%02x, this stick offers 0x%02x: another kind of stick",
		    m->api, v->api);
		return buf;
	}
	if (strcmp(m->library, c->version) != 0) {
		snprintf(buf, size, "the image is from firmware \"%s\", this "
		    "stick runs \"%s\": bring the stick to that version first",
		    m->library, c->version);
		return buf;
	}
	return NULL;
}

/* Written and verified: the stick restarts on its new NVM, then the
 * controller reads the node list again (zw_nvm_ready). */
static void
restore_restart(struct zw_ctrl *c)
{
	struct zw_nvm *v = c->nvm;

	v->step = N_RESTART;
	progress(c, 1);
	if (zw_stick_soft_reset(c->stick) == -1) {
		failf(c, "written and verified, but the stick could not be "
		    "reset: restart the slave");
		return;
	}
	ev_timer_start(c->s->loop, &v->timer, ZW_NVM_RESTART_MS);
}

static void
restore_start(struct zw_ctrl *c, uint8_t *file, size_t len)
{
	struct zw_nvm		*v = c->nvm;
	struct zwnvm_meta	 m;
	const char		*why;
	char			 buf[ZW_INCL_REASON_MAX + 1];

	if (zwnvm_parse(file, len, &m, &why) == -1 ||
	    (why = image_fits(c, &m, buf, sizeof(buf))) != NULL) {
		free(file);
		send_status(c->s, ACT_RESTORE, ST_REFUSED, why, NULL, 0, 0, 0);
		return;
	}
	v->op = ACT_RESTORE;
	v->file = file;
	v->size = m.size;
	v->done = 0;
	v->t0 = ev_clock_ms();
	/* Out of SmartStart listen mode first (zw_smartstart.c keeps it
	 * off while the restore runs): a device announcing itself must
	 * not join a stick being rewritten. finish() arms it again. */
	zw_ss_leave_for(c, "the controller restore");
	log_info("zwave: restoring an NVM image of home id %08x (%u bytes, "
	    "%s)", m.home_id, m.size, m.library);
	go(c, N_WOPEN, ZW_NVM_OPEN);
	if (v->op != -1)
		send_status(c->s, ACT_RESTORE, ST_RUNNING, NULL, NULL, 0, 0, 0);
}

/* --- the master's requests -------------------------------------------- */

/* NULL, or why a backup or restore cannot start now. */
static const char *
refusal(struct zw_ctrl *c)
{
	if (!c->up || c->step != ZW_STEP_READY)
		return "the stick is not ready";
	if (c->nvm->op != -1)
		return c->nvm->op == ACT_BACKUP ? "a controller backup is "
		    "under way" : "a controller restore is under way";
	if (c->incl.action != HD__ZW_INCLUSION__ACTION__STOP)
		return "an inclusion or exclusion is under way";
	if (c->maint != NULL && c->maint->op != -1)
		return "a maintenance operation is under way";
	if (c->nvm->api == 0)
		return "this stick offers no NVM backup (neither function "
		    "0x3D nor 0x2E among its supported functions)";
	return NULL;
}

static void
backup_start(struct zw_ctrl *c)
{
	struct zw_nvm	*v = c->nvm;
	const char	*why;

	if ((why = refusal(c)) != NULL) {
		send_status(c->s, ACT_BACKUP, ST_REFUSED, why, NULL, 0, 0, 0);
		return;
	}
	v->op = ACT_BACKUP;
	v->done = v->size = 0;
	v->t0 = ev_clock_ms();
	go(c, N_OPEN, ZW_NVM_OPEN);
	if (v->op != -1)
		send_status(c->s, ACT_BACKUP, ST_RUNNING, NULL, NULL, 0, 0, 0);
}

/* The latest backup's file to the master, in ZW_NVM_PIECE pieces. */
static void
fetch(struct slave *s)
{
	struct zw_nvm		*v = s->zw->nvm;
	struct zwnvm_meta	 m;
	const char		*why;
	uint8_t			*f;
	size_t			 len, off, n;

	if (atomic_read(v->path, ZWNVM_FILE_MAX, &f, &len) == -1) {
		send_status(s, ACT_FETCH, ST_REFUSED, errno == ENOENT ?
		    "no controller backup on this slave yet" : strerror(errno),
		    NULL, 0, 0, 0);
		return;
	}
	if (zwnvm_parse(f, len, &m, &why) == -1) {
		send_status(s, ACT_FETCH, ST_REFUSED, why, NULL, 0, 0, 0);
		free(f);
		return;
	}
	v->meta = m;
	v->have_meta = 1;
	for (off = 0; off < len; off += n) {
		n = len - off < ZW_NVM_PIECE ? len - off : ZW_NVM_PIECE;
		send_status(s, ACT_FETCH, v->op == -1 ? ST_IDLE : ST_RUNNING,
		    NULL, f, off, n, len);
	}
	free(f);
}

/* A piece of an image to restore; the last one starts the restore. */
static void
restore_piece(struct zw_ctrl *c, const Hd__ZwNvm *q)
{
	struct zw_nvm	*v = c->nvm;
	const char	*why;
	uint8_t		*file;

	if ((why = refusal(c)) != NULL) {
		free(v->in);
		v->in = NULL;
		send_status(c->s, ACT_RESTORE, ST_REFUSED, why, NULL, 0, 0, 0);
		return;
	}
	if (q->offset == 0) {
		free(v->in);
		v->in = NULL;
		v->in_have = 0;
		v->in_total = q->total;
		if (q->total < ZWNVM_HDR_LEN || q->total > ZWNVM_FILE_MAX ||
		    (v->in = malloc(q->total)) == NULL) {
			send_status(c->s, ACT_RESTORE, ST_REFUSED, "the image's "
			    "size is out of range", NULL, 0, 0, 0);
			return;
		}
	}
	if (v->in == NULL || q->offset != v->in_have || q->total !=
	    v->in_total || q->data.len > v->in_total - v->in_have) {
		free(v->in);
		v->in = NULL;
		send_status(c->s, ACT_RESTORE, ST_REFUSED, "the image's pieces "
		    "came out of order: send it again", NULL, 0, 0, 0);
		return;
	}
	if (q->data.len > 0)
		memcpy(v->in + v->in_have, q->data.data, q->data.len);
	v->in_have += q->data.len;
	if (v->in_have < v->in_total)
		return;
	file = v->in;
	v->in = NULL;
	restore_start(c, file, v->in_total);
}

/* RESTORE without an image: the slave's own latest backup. */
static void
restore_own(struct zw_ctrl *c)
{
	const char	*why;
	uint8_t		*f;
	size_t		 len;

	if ((why = refusal(c)) != NULL) {
		send_status(c->s, ACT_RESTORE, ST_REFUSED, why, NULL, 0, 0, 0);
		return;
	}
	if (atomic_read(c->nvm->path, ZWNVM_FILE_MAX, &f, &len) == -1) {
		send_status(c->s, ACT_RESTORE, ST_REFUSED, errno == ENOENT ?
		    "no controller backup on this slave yet" : strerror(errno),
		    NULL, 0, 0, 0);
		return;
	}
	restore_start(c, f, len);
}

void
zw_nvm_request(struct slave *s, const Hd__ZwNvm *q)
{
	char by[64];

	if (s->zw == NULL || s->zw->nvm == NULL) {
		send_status(s, q->action, ST_REFUSED, "no Z-Wave stick on this "
		    "slave", NULL, 0, 0, 0);
		return;
	}
	snprintf(by, sizeof(by), "%s", q->issued_by);
	if (q->action == ACT_BACKUP || (q->action == ACT_RESTORE &&
	    q->offset == 0))
		log_info("zwave: controller %s requested by %s",
		    q->action == ACT_BACKUP ? "backup" : "restore",
		    by[0] ? by : "the master");
	switch (q->action) {
	case ACT_STATUS:
		send_status(s, ACT_STATUS, s->zw->nvm->op == -1 ? ST_IDLE :
		    ST_RUNNING, NULL, NULL, 0, 0, 0);
		break;
	case ACT_BACKUP:
		backup_start(s->zw);
		break;
	case ACT_FETCH:
		fetch(s);
		break;
	case ACT_RESTORE:
		if (q->total == 0 && q->data.len == 0)
			restore_own(s->zw);
		else
			restore_piece(s->zw, q);
		break;
	default:
		send_status(s, q->action, ST_REFUSED, "unknown action", NULL,
		    0, 0, 0);
	}
}

/* --- the controller's hooks ------------------------------------------- */

void
zw_nvm_caps(struct zw_ctrl *c, const uint8_t *p, size_t n)
{
	struct zw_nvm *v = c->nvm;

	if (n < sizeof(v->caps))
		return;
	memcpy(v->caps, p, sizeof(v->caps));
	v->have_caps = 1;
	v->api = zw_nvm_pick_api(p, n);
}

/* GetInitData: version, capabilities, the bitmask's length, the
 * bitmask, then the chip type and version. */
void
zw_nvm_init_data(struct zw_ctrl *c, const uint8_t *p, size_t n)
{
	if (n >= 3 && n >= 3 + (size_t)p[2] + 2) {
		c->nvm->chip_type = p[3 + p[2]];
		c->nvm->chip_version = p[4 + p[2]];
	}
}

void
zw_nvm_ready(struct zw_ctrl *c)
{
	struct zw_nvm	*v = c->nvm;
	char		 why[ZW_INCL_REASON_MAX + 1];
	int		 id, count = 0;

	if (v == NULL || v->op != ACT_RESTORE || v->step != N_RESTART)
		return;
	for (id = 1; id <= ZW_MAX_NODES; id++)
		count += c->node[id].listed;
	snprintf(why, sizeof(why), "%zu bytes written and verified in %llu "
	    "ms; the stick restarted: home id %08x, %d node%s besides itself",
	    v->size, (unsigned long long)(ev_clock_ms() - v->t0), c->home_id,
	    count, count == 1 ? "" : "s");
	finish(c, ST_DONE, why);
}

void
zw_nvm_abort(struct zw_ctrl *c, const char *why)
{
	struct zw_nvm *v = c->nvm;

	if (v == NULL || v->op == -1 || v->step == N_RESTART || c->stopping)
		return;
	failf(c, "%s while %s at byte %zu%s", why, phase(v->step), v->done,
	    v->op == ACT_RESTORE ? ": the stick's NVM is half written, "
	    "restore again" : "");
}

const char *
zw_nvm_busy(const struct zw_ctrl *c)
{
	if (c->nvm == NULL || c->nvm->op == -1)
		return NULL;
	return c->nvm->op == ACT_BACKUP ? "a controller backup is under way" :
	    "a controller restore is under way";
}

const char *
zw_nvm_cmd_busy(const struct zw_ctrl *c)
{
	if (c->nvm == NULL || c->nvm->op != ACT_RESTORE)
		return NULL;
	return "a controller (NVM) restore is under way: the stick's network "
	    "is being rewritten";
}

int
zw_nvm_init(struct zw_ctrl *c)
{
	struct zw_nvm	*v;
	const char	*why;
	uint8_t		*f;
	size_t		 len;

	if ((v = calloc(1, sizeof(*v))) == NULL ||
	    asprintf(&v->path, "%s/zwave.nvm", c->s->conf.state_dir) == -1) {
		free(v);
		return -1;
	}
	v->op = -1;
	ev_timer_init(&v->timer, on_timer, c);
	c->nvm = v;
	if (atomic_read(v->path, ZWNVM_FILE_MAX, &f, &len) == -1) {
		if (errno != ENOENT)
			log_warn("zwave: %s", v->path);
		return 0;
	}
	if (zwnvm_parse(f, len, &v->meta, &why) == -1)
		log_warnx("zwave: %s: %s", v->path, why);
	else
		v->have_meta = 1;
	free(f);
	return 0;
}

void
zw_nvm_free(struct zw_ctrl *c)
{
	if (c->nvm == NULL)
		return;
	ev_timer_stop(c->s->loop, &c->nvm->timer);
	free(c->nvm->file);
	free(c->nvm->in);
	free(c->nvm->path);
	free(c->nvm);
	c->nvm = NULL;
}
