/*
 * Recently executed command ids with their outcome, so a command the
 * master repeats (after a reconnect or a failover) is answered, not
 * executed twice. A ring of CLUSTER_RECENT_CMDS entries; id 0 is never
 * issued by a master, so it marks an empty slot.
 *
 * The ring outlives a restart of the slave: it is written whole to
 * <state-dir>/cmdmemo.state (atomic_write: fsync'd, renamed) before the
 * act (the id, "under way") and again when the driver ends it (status
 * and value). A slave that restarts in the middle of an act answers a
 * repeat of that id FAILED, "outcome unknown", never by acting again.
 * Its own file, not the vote machine's vote.state: it holds the
 * daemon's richer result (status, value), and a write per command
 * should not rewrite the file that keeps the slave's vote. Only with a
 * standby (two master lines or more): a single master keeps no log and
 * sends nothing again, so its slaves keep the memo in RAM as before and
 * their commands pay no write.
 */

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "atomicfile.h"
#include "ha.pb-c.h"
#include "log.h"
#include "slave.h"
#include "statefmt.h"
#include "wire.h"

const struct cmd_memo *
memo_find(const struct slave *s, uint64_t id)
{
	int i;

	if (id == 0)
		return NULL;
	for (i = 0; i < CLUSTER_RECENT_CMDS; i++)
		if (s->memo[i].id == id)
			return &s->memo[i];
	return NULL;
}

static void
memo_path(const struct slave *s, char *buf, size_t len)
{
	snprintf(buf, len, "%s/cmdmemo.state", s->conf.state_dir);
}

/* Is the memo kept on disk (a state-dir, a standby)? */
static int
persisted(const struct slave *s)
{
	return s->conf.state_dir != NULL && s->conf.ha.n >= 2;
}

/* The ring, oldest first, to disk, if persisted. */
static int
memo_save(struct slave *s)
{
	Hd__CmdMemo	 cm = HD__CMD_MEMO__INIT;
	Hd__MemoEntry	 e[CLUSTER_RECENT_CMDS], *ep[CLUSTER_RECENT_CMDS];
	const struct cmd_memo *m;
	char		 path[512];
	int		 i;

	if (!persisted(s) || s->memo_newer)
		return 0;
	for (i = 0; i < CLUSTER_RECENT_CMDS; i++) {
		m = &s->memo[(s->memo_next + i) % CLUSTER_RECENT_CMDS];
		if (m->id == 0)
			continue;
		hd__memo_entry__init(&e[cm.n_memo]);
		e[cm.n_memo].id = m->id;
		e[cm.n_memo].status = m->status;
		e[cm.n_memo].done = m->done;
		if (m->value.v_case != HD__VALUE__V__NOT_SET)
			e[cm.n_memo].value = (Hd__Value *)(uintptr_t)&m->value;
		ep[cm.n_memo] = &e[cm.n_memo];
		cm.n_memo++;
	}
	cm.memo = ep;
	memo_path(s, path, sizeof(path));
	state_format_set(&cm.base);
	if (state_save(path, &cm.base) == -1) {
		log_warn("%s", path);
		return -1;
	}
	return 0;
}

static struct cmd_memo *
slot(struct slave *s, uint64_t id)
{
	struct cmd_memo *m = (struct cmd_memo *)(uintptr_t)memo_find(s, id);

	if (m == NULL) {
		m = &s->memo[s->memo_next];
		s->memo_next = (s->memo_next + 1) % CLUSTER_RECENT_CMDS;
	}
	return m;
}

/* Keeps a scalar copy of the confirmed value; text values are not kept. */
static void
set_value(struct cmd_memo *m, const Hd__Value *v)
{
	hd__value__init(&m->value);
	if (v == NULL)
		return;
	m->value.v_case = v->v_case;
	switch (v->v_case) {
	case HD__VALUE__V_B:
		m->value.b = v->b;
		break;
	case HD__VALUE__V_I:
		m->value.i = v->i;
		break;
	case HD__VALUE__V_D:
		m->value.d = v->d;
		break;
	default:
		m->value.v_case = HD__VALUE__V__NOT_SET;
	}
}

int
memo_begin(struct slave *s, uint64_t id)
{
	struct cmd_memo *m;

	if (id == 0)
		return -1;
	m = slot(s, id);
	memset(m, 0, sizeof(*m));
	m->id = id;
	m->status = HD__COMMAND_RESULT__STATUS__FAILED;
	hd__value__init(&m->value);
	if (memo_save(s) == -1) {
		m->id = 0;	/* not on disk: not acted on either */
		return -1;
	}
	return 0;
}

void
memo_add(struct slave *s, uint64_t id, Hd__CommandResult__Status status,
    const Hd__Value *v)
{
	struct cmd_memo *m;

	if (id == 0)
		return;
	m = slot(s, id);
	m->id = id;
	m->status = status;
	m->done = 1;
	set_value(m, v);
	memo_save(s);	/* logged; the RAM copy still answers until a restart */
}

/* One entry of the file: NULL, or why it is refused. */
static const char *
entry_bad(const struct slave *s, const Hd__MemoEntry *e)
{
	if (e->id == 0)
		return "an entry of id 0";
	if (memo_find(s, e->id) != NULL)
		return "an id twice";
	if (protobuf_c_enum_descriptor_get_value(
	    &hd__command_result__status__descriptor, (int)e->status) == NULL)
		return "an unknown status";
	if (e->value != NULL && e->value->v_case != HD__VALUE__V_B &&
	    e->value->v_case != HD__VALUE__V_I &&
	    (e->value->v_case != HD__VALUE__V_D || !isfinite(e->value->d)))
		return "a value that is not a number or on/off";
	return NULL;
}

void
memo_load(struct slave *s)
{
	Hd__CmdMemo	*cm;
	const char	*bad = NULL;
	char		 path[512];
	size_t		 i;

	memset(s->memo, 0, sizeof(s->memo));
	s->memo_next = 0;
	if (!persisted(s))
		return;
	memo_path(s, path, sizeof(path));
	errno = 0;
	if ((cm = (Hd__CmdMemo *)state_load(path,
	    &hd__cmd_memo__descriptor)) == NULL) {
		/* A newer format (logged by state_load) is left as it
		 * is: the memo is kept in RAM until a version that reads
		 * it runs again. */
		if (errno == ENOTSUP)
			s->memo_newer = 1;
		else if (errno != ENOENT)
			log_warnx("%s: damaged, refused: the memo starts empty "
			    "(a repeated command may act again)", path);
		return;
	}
	if (cm->n_memo > CLUSTER_RECENT_CMDS)
		bad = "more entries than CLUSTER_RECENT_CMDS";
	for (i = 0; bad == NULL && i < cm->n_memo; i++) {
		if ((bad = entry_bad(s, cm->memo[i])) != NULL)
			break;
		s->memo[i].id = cm->memo[i]->id;
		s->memo[i].status = cm->memo[i]->status;
		s->memo[i].done = cm->memo[i]->done;
		set_value(&s->memo[i], cm->memo[i]->value);
	}
	if (bad != NULL) {
		log_warnx("%s: %s, refused: the memo starts empty (a repeated "
		    "command may act again)", path, bad);
		memset(s->memo, 0, sizeof(s->memo));
	} else {
		s->memo_next = (int)(cm->n_memo % CLUSTER_RECENT_CMDS);
		log_info("%s: %zu command ids remembered", path, cm->n_memo);
	}
	wire_free((ProtobufCMessage *)cm);
}
