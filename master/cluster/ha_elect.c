/*
 * The election in hd-master (docs/FAILOVER.md, "Wiring"): with `slave`
 * lines in the config, one struct elect (shared/elect.c) is ticked every
 * HA_TICK_MS and fed the election's bodies: from the slaves over their
 * vote links (a Hello with CAP_VOTER: no registration, PEER_VOTER), from
 * the other master-capable nodes over the standby link (the log stream
 * and its acknowledgements). Its disk part is <state-dir>/elect.state,
 * apart from the replicated master.state, written before anything the
 * step says is sent or done.
 *
 * Every node starts as a standby; the one elected becomes the master
 * (HA_EV_MASTER: it takes slaves' registrations, its term is the raised
 * one, the role hook starts what a master runs). A master that learns a
 * higher term or loses its majority (HA_EV_STEP_DOWN) restarts itself
 * as a standby (master.c re-executes it), the one start-up path into
 * that role.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atomicfile.h"
#include "cluster/cluster.h"
#include "cluster/ha_int.h"
#include "elect.h"
#include "ha.pb-c.h"
#include "ha_wire.h"
#include "log.h"
#include "master.h"
#include "net.h"
#include "wire.h"

static void
elect_path(const struct master *m, char *buf, size_t len)
{
	snprintf(buf, len, "%s/elect.state", m->conf.state_dir);
}

/* The term and the log's base, when they changed (the records are in
 * commands.log, ha_log.c). */
static int
elect_save(struct ha *ha)
{
	Hd__ElectState	st = HD__ELECT_STATE__INIT;
	char		path[512];

	if (ha->saved_term == ha->el->d.term &&
	    ha->saved_base == ha->el->r.d.base)
		return 0;
	elect_path(ha->m, path, sizeof(path));
	st.term = ha->el->d.term;
	st.log_base = ha->el->r.d.base;
	state_format_set(&st.base);
	if (state_save(path, &st.base) == -1) {
		log_warn("%s", path);
		return -1;
	}
	ha->saved_term = st.term;
	ha->saved_base = st.log_base;
	return 0;
}

/*
 * The term from elect.state, the log from commands.log (ha_log.c). A
 * damaged file refuses the start: a node must not forget a term it
 * held or records it acknowledged.
 */
static int
elect_load(struct ha *ha)
{
	struct master		*m = ha->m;
	Hd__ElectState		*st;
	struct elect_disk	 d;
	struct repl_disk	*rd;
	char			 path[512];
	uint32_t		 self = (uint32_t)ha->st.self;
	int			 r = -1;

	elect_path(m, path, sizeof(path));
	errno = 0;
	st = (Hd__ElectState *)state_load(path, &hd__elect_state__descriptor);
	if (st == NULL && errno != ENOENT) {
		log_warnx("%s: %s; refusing to start with a term that may be "
		    "lower than one this node held", path, errno == ENOTSUP ?
		    "of a newer format" : "damaged");
		return -1;
	}
	if (st != NULL && (st->len != 0 || st->log_base > st->term)) {
		log_warnx("%s: a log of term %" PRIu64 " above the term %"
		    PRIu64 " or records in it (they are in commands.log)",
		    path, st->log_base, st->term);
		goto out;
	}
	memset(&d, 0, sizeof(d));
	d.term = st != NULL ? st->term : 0;
	if ((rd = calloc(1, sizeof(*rd))) == NULL ||
	    ha_log_load(ha, rd, st != NULL ? st->log_base : 0) == -1) {
		free(rd);
		goto out;
	}
	if (rd->base > d.term) {
		log_warnx("failover: commands.log on term %" PRIu64 " above "
		    "elect.state's %" PRIu64, rd->base, d.term);
		free(rd);
		goto out;
	}
	elect_restart(ha->el, &d, rd, self, (uint32_t)m->conf.masters.n,
	    (uint32_t)m->conf.slaves.n, ev_clock_ms());
	free(rd);
	ha->saved_term = d.term;
	ha->saved_base = ha->el->r.d.base;
	/* The terms of the installation before the election existed (the
	 * slaves hold them too) are behind us: start above them. */
	if (m->term > ha->el->d.term) {
		ha->el->d.term = m->term;
		if (elect_save(ha) == -1)
			goto out;
	}
	m->term = ha->el->d.term;
	r = 0;
out:
	wire_free((ProtobufCMessage *)st);
	return r;
}

int
ha_elect_init(struct ha *ha)
{
	struct master *m = ha->m;

	if ((ha->el = calloc(1, sizeof(*ha->el))) == NULL ||
	    (ha->out = calloc(1, sizeof(*ha->out))) == NULL) {
		log_warnx("failover: out of memory");
		return -1;
	}
	if (elect_load(ha) == -1)
		return -1;
	ha->st.role = HA_STATUS_STANDBY;
	if (m->force_promote) {
		elect_force(ha->el);
		log_warnx("failover: --force-promote: %s stands against the "
		    "slaves' fence once no master has been heard for %d ms; "
		    "refused if one is", m->id, HA_LOST_MS);
	}
	log_info("failover: node %d of %d, %d voting slaves (majority %d), "
	    "term %" PRIu64 ": a standby until elected", ha->st.self,
	    m->conf.masters.n, m->conf.slaves.n,
	    ha_majority(m->conf.slaves.n), m->term);
	return ha_follow_init(ha);
}

/* Elected: what a master does, from now on. */
static void
become_master(struct ha *ha, uint64_t term, int forced)
{
	struct master *m = ha->m;

	ha_follow_stop(ha);
	ha->st.role = HA_STATUS_MASTER;
	snprintf(ha->st.leader, sizeof(ha->st.leader), "%s", m->id);
	ha->st.last_takeover_ms = ev_wall_ms();
	/* The replicated master.state: command ids go on after the old
	 * master's reservation; the term is ours. */
	if (node_state_load(m) == -1) {
		/* A newer format (or a write that failed): written over, a
		 * newer version's file would be lost. The term is kept in
		 * elect.state, API command ids come from it (ha_cmd.c). */
		log_warnx("failover: master.state not loaded (above): left as "
		    "it is");
		m->term = term;
	} else {
		m->term = term;
		node_state_save(m);
	}
	if (forced)
		log_warnx("failover: %s is master of term %" PRIu64 " (FORCED "
		    "by the operator, against the slaves' fence): what the "
		    "previous master did alone after this node last held its "
		    "log is unknown here: commands it accepted and had not "
		    "sent are lost, a scheduled firing it made may fire "
		    "again, state files it changed since are not here",
		    m->id, term);
	else
		log_info("failover: %s is master of term %" PRIu64 " (elected "
		    "by a majority of %d slaves)", m->id, term,
		    m->conf.slaves.n);
	if (ha->role_fn != NULL)
		ha->role_fn(m, term);
}

static void
step_down(struct ha *ha, uint64_t term)
{
	struct master *m = ha->m;

	if (ha->ticking)	/* only a tick steps down for the lease */
		log_warnx("failover: %s lost its lease of term %" PRIu64
		    ": no majority of slaves answered a heartbeat sent in the "
		    "last %d ms (the lease ran out %" PRIu64 " ms ago; the "
		    "last tick ran %" PRIu64 " ms late)", m->id, term,
		    HA_LEASE_MS, ha->lease_end ? ev_clock_ms() - ha->lease_end :
		    0, ha->late_ms);
	log_warnx("failover: %s steps down from term %" PRIu64 " (now term %"
	    PRIu64 "): restarting as a standby", m->id, term,
	    ha->el->d.term);
	ha->st.role = HA_STATUS_STANDBY;
	ha->st.leader[0] = '\0';
	if (ha->el->leader != HA_NONE && ha->el->leader <
	    (uint32_t)ha->st.nnodes && ha->el->leader != ha->el->self)
		snprintf(ha->st.leader, sizeof(ha->st.leader), "%s",
		    ha->st.node[ha->el->leader].id);
	/* The API's waiting answers (a 202, a cancel) go now, naming the
	 * master if known: after the restart nobody could give them. */
	if (ha->cmd_hooks.step_down != NULL)
		ha->cmd_hooks.step_down(ha->cmd_hooks_arg);
	if (ha->down_fn != NULL)
		ha->down_fn(m);		/* a run's answer, the same way */
	m->restart = 1;
	ev_break(m->loop);
}

static void
do_events(struct ha *ha, const struct ha_out *o)
{
	const struct ha_masters	*hm = &ha->m->conf.masters;
	const struct ha_event	*ev;
	int			 i;

	for (i = 0; i < o->nev; i++) {
		ev = &o->ev[i];
		switch (ev->type) {
		case HA_EV_MASTER:
			become_master(ha, ev->term, ev->value != 0);
			break;
		case HA_EV_FORCE_REFUSED:
			log_warnx("failover: --force-promote given up in term "
			    "%" PRIu64 ": %s", ev->term, ev->id ? "a master "
			    "(or a higher term) is heard; nothing forced" :
			    "no majority of slaves voted (a slave that still "
			    "hears a master refuses; see their logs); still a "
			    "standby: run it again to retry");
			break;
		case HA_EV_STEP_DOWN:
			step_down(ha, ev->term);
			return;
		case HA_EV_STANDBY_SYNCED:
			/* The new fence is only sent now: it allows the
			 * standby once a slave logs "vote: fence ...". */
			log_info("failover: standby %s in the synchronous set: "
			    "a fence allowing it goes to the slaves",
			    hm->id[ev->node]);
			ha->st.node[ev->node].synced = 1;
			break;
		case HA_EV_STANDBY_LOST:
			log_warnx("failover: standby %s out of the synchronous "
			    "set: the master goes on alone", hm->id[ev->node]);
			ha->st.node[ev->node].synced = 0;
			break;
		case HA_EV_ACCEPTED:
			if (ha->accepted_fn != NULL)
				ha->accepted_fn(ha->accepted_arg, ev->id);
			break;
		default:
			break;
		}
	}
}

static void
send_msgs(struct ha *ha, const struct ha_out *o)
{
	struct master		*m = ha->m;
	Hd__Envelope		 e;
	struct ha_wire_buf	 b;
	const struct ha_msg	*msg;
	struct peer		*p;
	struct ha_pl		*pl;
	int			 i;

	for (i = 0; i < o->nmsg; i++) {
		msg = &o->msg[i];
		if (msg->type == HA_COMMAND) {	/* on the slave's own link */
			if ((pl = ha_log_command(ha, msg->id)) != NULL)
				ha_log_send(ha, pl);
			continue;
		}
		hd__envelope__init(&e);
		if (ha_wire_out_log(msg, &m->conf.masters, &m->conf.slaves,
		    ha_log_rec, ha, &e, &b) == -1)
			continue;
		if (HA_IS_SLAVE(msg->to)) {
			if (HA_SLAVE_IDX(msg->to) < HA_MAX_SLAVES &&
			    (p = ha->voter[HA_SLAVE_IDX(msg->to)]) != NULL)
				cluster_peer_send(p, &e);
		} else if (msg->to < HA_MAX_MASTERS)
			ha_send(m, (int)msg->to, &e);
		/* Not connected: as if lost; every message is resent. */
	}
}

/* After a step: persist, then the term, the messages and the events. */
void
ha_elect_run(struct ha *ha)
{
	struct ha_out *o = ha->out;

	ha_log_sync(ha);
	if (o->persist && (ha_log_save(ha) == -1 || elect_save(ha) == -1))
		fatalx("failover: the term or the log cannot be persisted; "
		    "a master-capable node must not go on");
	if (ha->el->d.term > ha->m->term) {
		if (ha->el->role != ELECT_CANDIDATE)
			log_info("failover: term %" PRIu64 " heard, adopted "
			    "(persisted)", ha->el->d.term);
		ha->m->term = ha->el->d.term;
	}
	if (ha->el->role != ELECT_MASTER && ha->el->leader != HA_NONE &&
	    ha->el->leader < (uint32_t)ha->st.nnodes)
		snprintf(ha->st.leader, sizeof(ha->st.leader), "%s",
		    ha->st.node[ha->el->leader].id);
	send_msgs(ha, o);
	do_events(ha, o);
	if (ha->el->r.acted != ha->held && !ha->m->restart) {
		ha->held = ha->el->r.acted;
		if (ha->cmd_hooks.held != NULL)
			ha->cmd_hooks.held(ha->cmd_hooks_arg, ha->held);
	}
}

/*
 * A tick more than a tick late follows a stall of this loop (a slow
 * fsync, a heavy page): the slaves' answers to the heartbeats sent
 * before it may wait unread, and the loop runs timers before it reads
 * again. A master whose lease looks short then reads first (the tick
 * again after one pass of the loop) and judges after: stepping down
 * for answers not read yet would cost an election for nothing. Safe:
 * without the lease it takes no command meanwhile (ha_cmd.c).
 */
static int
tick_deferred(struct ha *ha, struct ev_timer *t, uint64_t now)
{
	if (ha->tick_deferred || ha->el->role != ELECT_MASTER ||
	    now <= t->deadline + HA_TICK_MS || elect_lease_ok(ha->el, now)) {
		ha->tick_deferred = 0;
		return 0;
	}
	log_info("failover: tick %" PRIu64 " ms late: reading the slaves' "
	    "answers before judging the lease", now - t->deadline);
	ha->tick_deferred = 1;
	ev_timer_start(ha->m->loop, &ha->tick, 1);
	return 1;
}

static void
tick(struct ev_timer *t)
{
	struct ha	*ha = t->arg;
	uint32_t	 rnd = 0;
	enum elect_role	 was = ha->el->role;
	uint64_t	 now = ev_clock_ms();

	ha->late_ms = now > t->deadline ? now - t->deadline : 0;
	ha->lease_end = elect_lease_end(ha->el);
	if (tick_deferred(ha, t, now))
		return;
	if (net_random(&rnd, sizeof(rnd)) == -1)
		rnd = (uint32_t)now;
	ha_out_clear(ha->out);
	ha->ticking = 1;
	elect_tick(ha->el, now, rnd, ha->out);
	if (was == ELECT_FOLLOWER && ha->el->role == ELECT_CANDIDATE)
		log_info("failover: no master heard for %d ms: asking the "
		    "slaves for pre-votes for term %" PRIu64 "%s", HA_LOST_MS,
		    ha->el->d.term + 1, ha->el->force == 2 ?
		    ", forced by the operator" : "");
	ha_elect_run(ha);
	ha->ticking = 0;
	/* Stuck commands, once a second (docs/FAILOVER.md). */
	if (!ha->m->restart && ++ha->expire_ticks >= 1000 / HA_TICK_MS) {
		ha->expire_ticks = 0;
		ha_log_expire(ha, ev_wall_ms(), ha_elect_run);
	}
	if (!ha->m->restart)
		ev_timer_start(ha->m->loop, &ha->tick, HA_TICK_MS);
}

void
ha_elect_start(struct ha *ha)
{
	ev_timer_init(&ha->tick, tick, ha);
	ev_timer_start(ha->m->loop, &ha->tick, HA_TICK_MS);
}

void
ha_elect_stop(struct ha *ha)
{
	ev_timer_stop(ha->m->loop, &ha->tick);
}

void
ha_elect_free(struct ha *ha)
{
	ha_log_free(ha);
	free(ha->el);
	free(ha->out);
	ha->el = NULL;
	ha->out = NULL;
}

void
ha_set_state_ready(struct master *m, uint32_t nodes)
{
	if (m->ha != NULL && m->ha->el != NULL)
		elect_set_unready(m->ha->el, ~nodes);
}

/* An election body from node `from` (a machine's number): one step.
 * -1 if malformed (the caller drops that link). */
int
ha_elect_feed(struct ha *ha, uint32_t from, const Hd__Envelope *e,
    char *why, size_t whylen)
{
	struct ha_msg m;

	if (ha->el == NULL) {
		snprintf(why, whylen, "an election body, but this node has "
		    "no slave lines");
		return -1;
	}
	/* Only another master-capable node sends log records. */
	if (ha_wire_in_log(e, from, ha->el->self, &ha->m->conf.masters,
	    from < HA_MAX_MASTERS ? &ha->m->conf.slaves : NULL, &m, why,
	    whylen) == -1)
		return -1;
	ha_out_clear(ha->out);
	ha_log_take(ha, e);
	elect_recv(ha->el, ev_clock_ms(), &m, ha->out);
	ha_elect_run(ha);
	return 0;
}

/* A slave's vote link (Hello with CAP_VOTER): admitted if it is one of
 * our slave lines; it never registers. */
int
ha_voter_hello(struct peer *p)
{
	struct master	*m = p->m;
	struct ha	*ha = m->ha;
	char		 d[HA_STATUS_WHY];
	int		 i;

	if (ha->el == NULL) {
		snprintf(d, sizeof(d), "%s has no slave lines: no election "
		    "here", m->id);
		return cluster_peer_refuse(p, HD__REFUSAL__REASON__CONFIG, d);
	}
	if ((i = ha_slaves_find(&m->conf.slaves, p->conn.peer_id)) == -1) {
		snprintf(d, sizeof(d), "%s is not in the slave lines of %s "
		    "(the installation's voters)", p->conn.peer_id, m->id);
		return cluster_peer_refuse(p, HD__REFUSAL__REASON__ROLE, d);
	}
	if (ha->voter[i] != NULL)
		cluster_peer_drop(ha->voter[i], "replaced by a newer vote link");
	p->state = PEER_VOTER;
	p->ha_node = i;
	ha->voter[i] = p;
	m->npending--;
	log_info("vote link from slave %s (%s), term %" PRIu64,
	    p->conn.peer_id, p->conn.addr, m->term);
	if (ha_peer_welcome(p) == -1)
		return -1;
	ev_timer_start(m->loop, &p->timer, 0);
	return 0;
}

int
ha_voter_frame(struct peer *p, Hd__Envelope *e)
{
	char d[128], why[192];

	switch (e->body_case) {
	case HD__ENVELOPE__BODY_HEARTBEAT:
		hb_received(&p->hb, ev_clock_ms(), e->heartbeat);
		return 0;
	case HD__ENVELOPE__BODY_REFUSAL:
		snprintf(why, sizeof(why), "slave closed its vote link: %s",
		    str_vis(d, sizeof(d), e->refusal->detail));
		cluster_peer_drop(p, why);
		return -1;
	default:
		break;
	}
	if (!ha_wire_is_ha(e)) {
		cluster_peer_drop(p, "message a vote link may not carry");
		return -1;
	}
	if (ha_elect_feed(p->m->ha, HA_SLAVE(p->ha_node), e, why,
	    sizeof(why)) == -1) {
		cluster_peer_drop(p, why);
		return -1;
	}
	return 0;
}

void
ha_voter_gone(struct peer *p, const char *why)
{
	struct ha *ha = p->m->ha;

	log_info("vote link from slave %s (%s) gone: %s", p->conn.peer_id,
	    p->conn.addr, why);
	if (ha->voter[p->ha_node] == p)
		ha->voter[p->ha_node] = NULL;
}
