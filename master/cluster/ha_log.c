/*
 * The master's log in hd-master (docs/FAILOVER.md, "Commands through
 * the log"): the machine (shared/repl.c) keeps each record's position,
 * kind, id and slave; this file keeps what the daemons need beside it,
 * the whole ReplRecord (the Command a new master sends again with the
 * same id, the CommandResult the API reports), at the same index, and
 * writes both to <state-dir>/commands.log before a step's output is
 * sent or acted on:
 *
 *	LogHead (base), then one ReplRecord per record,
 *	each frame a 4-byte big-endian length and the bytes.
 *
 * Records are appended and fdatasync'd; a reset, a compaction or a new
 * base rewrites the file whole with atomic_write(). A torn last frame
 * (a crash in the middle of an append: nothing acted on it yet) is
 * dropped at load; any other damage refuses the start with the reason.
 */

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "atomicfile.h"
#include "cluster/cluster.h"
#include "cluster/ha_int.h"
#include "elect.h"
#include "ha.pb-c.h"
#include "ha_wire.h"
#include "log.h"
#include "master.h"

#define FRAME_MAX	(HA_REC_MAX_BYTES + 4)
#define FILE_MAX	((HA_LOG_MAX + 1) * (size_t)FRAME_MAX)

struct ha_log {
	struct ha_pl		 pl[HA_LOG_MAX];
	uint64_t		 n;
	uint64_t		 base;
	uint64_t		 saved_n;	/* records in the file */
	uint64_t		 saved_base;	/* UINT64_MAX: rewrite it */
	int			 fd;		/* for appending, or -1 */
	const Hd__ReplRecord	*next;		/* what this step appends */
	const Hd__Envelope	*in;		/* ... or the stream it takes */
};

static void
log_path(const struct master *m, char *buf, size_t len)
{
	snprintf(buf, len, "%s/commands.log", m->conf.state_dir);
}

static Hd__ReplRecord *
rec_copy(const Hd__ReplRecord *r)
{
	uint8_t	buf[HA_REC_MAX_BYTES];
	size_t	n = hd__repl_record__get_packed_size(r);

	if (n > sizeof(buf))
		return NULL;
	hd__repl_record__pack(r, buf);
	return hd__repl_record__unpack(NULL, n, buf);
}

static size_t
frame(uint8_t *p, const ProtobufCMessage *msg)
{
	size_t n = protobuf_c_message_get_packed_size(msg);

	p[0] = (uint8_t)(n >> 24);
	p[1] = (uint8_t)(n >> 16);
	p[2] = (uint8_t)(n >> 8);
	p[3] = (uint8_t)n;
	protobuf_c_message_pack(msg, p + 4);
	return n + 4;
}

/* The whole log, atomically; the append descriptor is reopened. */
static int
rewrite(struct ha *ha)
{
	struct ha_log	*lg = ha->log;
	Hd__LogHead	 h = HD__LOG_HEAD__INIT;
	uint8_t		*buf;
	size_t		 len;
	uint64_t	 i;
	char		 path[512];
	int		 r;

	if ((buf = malloc(FILE_MAX)) == NULL)
		return -1;
	h.log_base = lg->base;
	state_format_set(&h.base);
	len = frame(buf, &h.base);
	for (i = 0; i < lg->n; i++)
		len += frame(buf + len, &lg->pl[i].r->base);
	log_path(ha->m, path, sizeof(path));
	r = atomic_write(path, buf, len, 0600);
	free(buf);
	if (lg->fd != -1)
		close(lg->fd);
	lg->fd = -1;
	if (r == -1)
		return -1;
	lg->saved_n = lg->n;
	lg->saved_base = lg->base;
	return 0;
}

static int
append(struct ha *ha)
{
	struct ha_log	*lg = ha->log;
	uint8_t		 buf[HA_REPL_BATCH * FRAME_MAX];
	size_t		 len;
	uint64_t	 i;
	char		 path[512];

	if (lg->saved_n == lg->n)
		return 0;	/* nothing new: the term alone changed */
	if (lg->fd == -1) {
		log_path(ha->m, path, sizeof(path));
		if ((lg->fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC)) == -1)
			return -1;
	}
	for (i = lg->saved_n; i < lg->n; ) {
		for (len = 0; i < lg->n && len + FRAME_MAX <= sizeof(buf); i++)
			len += frame(buf + len, &lg->pl[i].r->base);
		if (write(lg->fd, buf, len) != (ssize_t)len)
			return -1;
	}
	if (fdatasync(lg->fd) == -1)
		return -1;
	lg->saved_n = lg->n;
	return 0;
}

/*
 * The command log's lag of master-capable node `id` (a standby, as the
 * master sees it): records it has not acknowledged, and ms since its
 * last acknowledgement while it lacks any (0 when it lacks none: an idle
 * log is no lag). -1 without an election or for an unknown node.
 */
int
ha_log_lag(struct master *m, const char *id, uint64_t *records,
    uint64_t *ms)
{
	struct ha	*ha = m->ha;
	int		 i;

	if (ha == NULL || ha->el == NULL || id[0] == '\0')
		return -1;
	for (i = 0; i < ha->st.nnodes; i++)
		if (strcmp(ha->st.node[i].id, id) == 0) {
			repl_lag(&ha->el->r, (uint32_t)i, ev_clock_ms(),
			    records, ms);
			if (*records == 0)
				*ms = 0;
			ha->st.node[i].lag_records = *records;
			ha->st.node[i].lag_ms = *ms;
			return 0;
		}
	return -1;
}

/* Before a step's output goes anywhere: the log on disk. */
int
ha_log_save(struct ha *ha)
{
	struct ha_log	*lg = ha->log;
	struct repl	*r = &ha->el->r;
	int		 ret;

	if (lg->saved_base != lg->base || repl_dirty(r) < lg->saved_n)
		ret = rewrite(ha);
	else
		ret = append(ha);
	if (ret == -1) {
		log_warn("failover: commands.log");
		return -1;
	}
	repl_persisted(r);
	return 0;
}

/* Where this step's new record at `pos` comes from. */
static const Hd__ReplRecord *
source(const struct ha_log *lg, uint64_t pos)
{
	size_t i;

	if (lg->next != NULL && lg->next->pos == pos)
		return lg->next;
	if (lg->in != NULL && lg->in->body_case == HD__ENVELOPE__BODY_REPL)
		for (i = 0; i < lg->in->repl->n_records; i++)
			if (lg->in->repl->records[i]->pos == pos)
				return lg->in->repl->records[i];
	return NULL;
}

/*
 * After a step, the contents follow the machine: those of dropped
 * records go (a compaction, a reset), the new ones come from what the
 * step was given. A record appended without contents cannot be: the
 * machine appends only what came with them.
 */
void
ha_log_sync(struct ha *ha)
{
	struct ha_log		*lg = ha->log;
	const struct repl	*r = &ha->el->r;
	const Hd__ReplRecord	*src;
	uint64_t		 i, j = 0, k = 0, last;
	int			 rebased = r->d.base != lg->base;

	/* A new base: a reset of a standby's log (positions again from 1,
	 * other records) or a promotion (the same records): check each. */
	lg->base = r->d.base;
	for (i = 0; i < lg->n; i++) {
		while (k < r->d.n && r->d.log[k].pos < lg->pl[i].pos)
			k++;
		if (k < r->d.n && r->d.log[k].pos == lg->pl[i].pos &&
		    (!rebased || ha_wire_rec_matches(lg->pl[i].r,
		    &r->d.log[k], &ha->m->conf.slaves)))
			lg->pl[j++] = lg->pl[i];
		else
			hd__repl_record__free_unpacked(lg->pl[i].r, NULL);
	}
	lg->n = j;
	last = j > 0 ? lg->pl[j - 1].pos : 0;
	for (k = 0; k < r->d.n; k++) {
		if (r->d.log[k].pos <= last)
			continue;
		if ((src = source(lg, r->d.log[k].pos)) == NULL ||
		    !ha_wire_rec_matches(src, &r->d.log[k],
		    &ha->m->conf.slaves) ||
		    (lg->pl[lg->n].r = rec_copy(src)) == NULL)
			fatalx("failover: log record %" PRIu64 " without its "
			    "contents", r->d.log[k].pos);
		lg->pl[lg->n].pos = r->d.log[k].pos;
		lg->pl[lg->n].sent_peer = NULL;
		lg->n++;
	}
	lg->next = NULL;
	lg->in = NULL;
}

void
ha_log_take(struct ha *ha, const Hd__Envelope *e)
{
	ha->log->in = e;
}

void
ha_log_next(struct ha *ha, const Hd__ReplRecord *r)
{
	ha->log->next = r;
}

const Hd__ReplRecord *
ha_log_rec(void *arg, const struct ha_rec *rec)
{
	struct ha	*ha = arg;
	int64_t		 i = repl_index(&ha->el->r, rec->pos);

	return i < 0 || (uint64_t)i >= ha->log->n ? NULL : ha->log->pl[i].r;
}

/* The contents of command `id`, or NULL. */
struct ha_pl *
ha_log_command(struct ha *ha, uint64_t id)
{
	struct ha_log	*lg = ha->log;
	uint64_t	 i;

	for (i = lg->n; i-- > 0; )
		if (lg->pl[i].r->change_case ==
		    HD__REPL_RECORD__CHANGE_COMMAND &&
		    lg->pl[i].r->command->command->id == id)
			return &lg->pl[i];
	return NULL;
}

/* The contents of the record at the machine's index k, or NULL. */
struct ha_pl *
ha_log_at(struct ha *ha, uint64_t k)
{
	return k < ha->log->n ? &ha->log->pl[k] : NULL;
}

/* Every command acted on without its result, to slave i (it has just
 * registered): the same ids again, the slave's memo answers repeats. */
void
ha_log_resend(struct ha *ha, uint32_t slave)
{
	const struct repl	*r = &ha->el->r;
	uint64_t		 k;

	for (k = 0; k < r->d.n && k < ha->log->n &&
	    r->d.log[k].pos <= r->acted; k++)
		if (r->d.log[k].kind == HA_REC_COMMAND && !r->done[k] &&
		    r->d.log[k].slave == slave) {
			log_info("failover: command %" PRIu64 " to %s sent "
			    "again (no result in the log)", r->d.log[k].id,
			    ha->m->conf.slaves.id[slave]);
			ha_log_send(ha, &ha->log->pl[k]);
		}
}

/* Send command record p to its slave, once per registration. */
void
ha_log_send(struct ha *ha, struct ha_pl *p)
{
	struct master	*m = ha->m;
	struct node	*n;
	Hd__Envelope	 e = HD__ENVELOPE__INIT;

	n = node_get(m, p->r->command->slave, 0);
	if (n == NULL || n->peer == NULL || n->peer->state != PEER_ONLINE ||
	    (p->sent_peer == n->peer && p->sent_since == n->online_since))
		return;		/* offline: sent when it registers */
	e.body_case = HD__ENVELOPE__BODY_COMMAND;
	e.command = p->r->command->command;
	if (cluster_send(m, n, &e) == 0) {
		p->sent_peer = n->peer;
		p->sent_since = n->online_since;
	}
}

/* Frames of buf: the head's base and the records into rd and the
 * contents. -1 with why on damage; a torn last frame is dropped
 * (*torn |= 1); -2 for a head of a newer format (logged with path); an
 * older one is migrated (*torn |= 2: the file is rewritten whole). */
static int
parse(struct ha *ha, const char *path, const uint8_t *buf, size_t len,
    struct repl_disk *rd, int *torn, char *why, size_t whylen)
{
	struct ha_log	*lg = ha->log;
	Hd__LogHead	*h;
	Hd__ReplRecord	*r;
	size_t		 off = 0, n;
	uint64_t	 after = 0;

	for (; off < len; off += 4 + n) {
		n = len - off < 4 ? SIZE_MAX : (size_t)buf[off] << 24 |
		    (size_t)buf[off + 1] << 16 | (size_t)buf[off + 2] << 8 |
		    buf[off + 3];
		if (n != SIZE_MAX && n > HA_REC_MAX_BYTES) {
			snprintf(why, whylen, "a frame of %zu bytes", n);
			return -1;
		}
		if (n == SIZE_MAX || n > len - off - 4) {
			*torn |= 1;	/* an append cut short */
			return 0;
		}
		if (off == 0) {
			if ((h = hd__log_head__unpack(NULL, n, buf + 4)) ==
			    NULL) {
				snprintf(why, whylen, "no head");
				return -1;
			}
			if (state_format_of(&h->base) <
			    state_format_current(h->base.descriptor))
				*torn |= 2;	/* rewritten numbered */
			if (state_format_in(path, &h->base) == -1) {
				hd__log_head__free_unpacked(h, NULL);
				return -2;
			}
			rd->base = lg->base = h->log_base;
			hd__log_head__free_unpacked(h, NULL);
			continue;
		}
		if (rd->n == HA_LOG_MAX) {
			snprintf(why, whylen, "more than %d records",
			    HA_LOG_MAX);
			return -1;
		}
		if ((r = hd__repl_record__unpack(NULL, n, buf + off + 4)) ==
		    NULL) {
			snprintf(why, whylen, "a record that does not unpack");
			return -1;
		}
		lg->pl[lg->n].r = r;
		lg->pl[lg->n].pos = r->pos;
		lg->n++;
		if (ha_wire_rec_in(r, after, &ha->m->conf.slaves,
		    &rd->log[rd->n], why, whylen) == -1)
			return -1;
		after = rd->len = rd->log[rd->n++].pos;
	}
	return 0;
}

/*
 * At start: the log and its contents from commands.log (absent: an
 * empty log on `base`, elect.state's). -1 on a damaged file (logged):
 * a node must not forget records it acknowledged or acted on.
 */
int
ha_log_load(struct ha *ha, struct repl_disk *rd, uint64_t base)
{
	struct ha_log	*lg;
	uint8_t		*buf = NULL;
	size_t		 len;
	char		 path[512], why[160];
	int		 torn = 0, r = -1;

	if ((lg = ha->log = calloc(1, sizeof(*lg))) == NULL)
		return -1;
	lg->fd = -1;
	rd->base = lg->base = lg->saved_base = base;
	log_path(ha->m, path, sizeof(path));
	if (atomic_read(path, FILE_MAX, &buf, &len) == -1) {
		if (errno == ENOENT) {
			lg->saved_base = UINT64_MAX;	/* written whole first */
			return 0;
		}
		log_warn("failover: %s", path);
		return -1;
	}
	if (len == 0 || (r = parse(ha, path, buf, len, rd, &torn, why,
	    sizeof(why))) < 0) {
		if (r == -2)
			log_warnx("failover: %s: refusing to start without "
			    "the commands it holds", path);
		else
			log_warnx("failover: %s: damaged (%s); refusing to "
			    "start without the commands it holds", path,
			    len == 0 ? "empty" : why);
		free(buf);
		return -1;
	}
	free(buf);
	lg->saved_n = lg->n;
	lg->saved_base = torn ? UINT64_MAX : lg->base;
	log_info("failover: %s: %" PRIu64 " records up to %" PRIu64
	    " on term %" PRIu64 "%s", path, rd->n, rd->len, rd->base,
	    torn & 1 ? " (a torn last record dropped)" : "");
	return 0;
}

void
ha_log_free(struct ha *ha)
{
	struct ha_log	*lg = ha->log;
	uint64_t	 i;

	if (lg == NULL)
		return;
	for (i = 0; i < lg->n; i++)
		hd__repl_record__free_unpacked(lg->pl[i].r, NULL);
	if (lg->fd != -1)
		close(lg->fd);
	free(lg);
	ha->log = NULL;
}

/* For the API: each command of the log with its result (NULL: none
 * yet), oldest first. */
void
ha_log_commands(struct master *m, void (*fn)(void *,
    const Hd__ReplCommand *, const Hd__ReplResult *), void *arg)
{
	struct ha_log		*lg;
	const Hd__ReplResult	*res;
	uint64_t		 i, j, id;

	if (m->ha == NULL || (lg = m->ha->log) == NULL)
		return;
	for (i = 0; i < lg->n; i++) {
		if (lg->pl[i].r->change_case != HD__REPL_RECORD__CHANGE_COMMAND)
			continue;
		id = lg->pl[i].r->command->command->id;
		res = NULL;
		for (j = i + 1; j < lg->n && res == NULL; j++)
			if (lg->pl[j].r->change_case ==
			    HD__REPL_RECORD__CHANGE_RESULT &&
			    lg->pl[j].r->result->result->id == id)
				res = lg->pl[j].r->result;
		fn(arg, lg->pl[i].r->command, res);
	}
}
