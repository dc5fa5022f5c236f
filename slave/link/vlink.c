/*
 * A slave's part in the election (docs/FAILOVER.md, "Wiring"): one vote
 * link to every master-capable node of the config's master lines, each
 * a TLS client connection like the link to the master, whose Hello
 * claims CAP_VOTER: the node does not register us, the link carries only
 * the election's bodies (shared/ha_wire.h) and the link's heartbeats.
 * Every body goes to one struct vote (shared/vote.c); its disk part is
 * written to <state-dir>/vote.state BEFORE any answer is sent, so a vote
 * given is never forgotten by a restart. The master the machine follows
 * (the highest term that won its vote) is where the link to the master
 * (link.c) goes next.
 *
 * Only with node ids in the master lines, and only with two or more of
 * them (a standby exists): otherwise nothing here runs.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "atomicfile.h"
#include "ha_disk.h"
#include "ha_wire.h"
#include "link/link.h"
#include "log.h"
#include "net.h"
#include "slave.h"
#include "vote.h"
#include "wire.h"

#define VLINK_RETRY_MIN_MS	100
#define VLINK_RETRY_MAX_MS	2000
/* A node without slave lines has no election: ask again rarely (its
 * config may change), not every VLINK_RETRY_MAX_MS. */
#define VLINK_NO_ELECTION_MS	60000

static int	vl_open(struct conn *);
static int	vl_frame(struct conn *, ProtobufCMessage *);
static void	vl_fail(struct conn *, const char *);
static void	vl_timer(struct ev_timer *);

static const struct conn_ops vl_ops = { vl_open, vl_frame, vl_fail };

static void
vote_path(const struct slave *s, char *buf, size_t len)
{
	snprintf(buf, len, "%s/vote.state", s->conf.state_dir);
}

static int
vote_save(struct slave *s)
{
	struct ha_disk_buf	b;
	char			path[512];

	vote_path(s, path, sizeof(path));
	if (vote_disk_out(&s->vote->d, &s->conf.ha, &b) == -1)
		return -1;
	state_format_set(&b.vs.base);
	if (state_save(path, &b.vs.base) == -1) {
		log_warn("%s", path);
		return -1;
	}
	return 0;
}

/* What survived the last run, or a fresh vote. -1: a damaged file (the
 * slave must not start and forget a vote it gave). */
static int
vote_load(struct slave *s)
{
	Hd__VoteState	*vs;
	struct vote_disk d;
	char		 path[512], why[160];
	int		 r = 0;

	vote_path(s, path, sizeof(path));
	errno = 0;
	vs = (Hd__VoteState *)state_load(path, &hd__vote_state__descriptor);
	if (vs == NULL) {
		if (errno != ENOENT) {
			log_warnx("%s: %s; refusing to forget a vote "
			    "(remove it only if this slave never voted)", path,
			    errno == ENOTSUP ? "of a newer format" : "damaged");
			return -1;
		}
		vote_init(s->vote, HA_SLAVE(0), 0);
	} else if (vote_disk_in(vs, &s->conf.ha, &d, why, sizeof(why)) == -1) {
		log_warnx("%s: %s", path, why);
		r = -1;
	} else
		vote_restart(s->vote, &d, HA_SLAVE(0));
	wire_free((ProtobufCMessage *)vs);
	/* A term seen by the link before the election existed counts. */
	if (r == 0 && s->term > s->vote->d.term) {
		s->vote->d.term = s->term;
		r = vote_save(s);
	}
	return r;
}

static void
vl_down(struct vlink *l, const char *why)
{
	struct slave *s = l->s;

	if (l->state == VL_ONLINE)
		log_warnx("vote link to %s lost: %s", s->conf.ha.id[l->idx],
		    why);
	else if (!l->quiet) {
		log_warnx("vote link to %s (%s): %s", s->conf.ha.id[l->idx],
		    s->conf.ha.addr[l->idx], why);
		l->quiet = 1;	/* until it is up again: no log flood */
	}
	conn_close(&l->conn);
	if (l->state == VL_ONLINE)
		l->backoff = VLINK_RETRY_MIN_MS;
	else
		l->backoff = l->backoff * 2 > VLINK_RETRY_MAX_MS ?
		    VLINK_RETRY_MAX_MS : l->backoff * 2;
	l->state = VL_IDLE;
	ev_timer_start(s->loop, &l->timer, l->no_election ?
	    VLINK_NO_ELECTION_MS : l->backoff);
	l->no_election = 0;
}

static void
vl_connect(struct vlink *l)
{
	struct sockaddr_storage	 ss;
	socklen_t		 sl;
	const char		*addr = l->s->conf.ha.addr[l->idx];
	int			 fd, inprogress;

	l->state = VL_CONNECTING;
	if (net_parse_addr(addr, &ss, &sl) == -1 ||
	    (fd = net_connect(&ss, sl, &inprogress)) == -1) {
		vl_down(l, "cannot connect");
		return;
	}
	if (conn_start(&l->conn, l->s->loop, fd, l->s->ctx, 0, inprogress,
	    addr, &hd__envelope__descriptor, &vl_ops, l) == -1) {
		close(fd);
		vl_down(l, "TLS setup failed");
		return;
	}
	ev_timer_start(l->s->loop, &l->timer, CLUSTER_HANDSHAKE_MS);
}

/* Our envelopes carry the term the vote machine holds (s->term). */
static int
vl_send(struct vlink *l, Hd__Envelope *e, int stamp)
{
	if (stamp)
		e->term = l->s->term;
	if (conn_send(&l->conn, &e->base) == -1) {
		vl_down(l, "cannot send (output queue full or link error)");
		return -1;
	}
	return 0;
}

static int
vl_open(struct conn *c)
{
	struct vlink	*l = c->arg;
	struct slave	*s = l->s;
	Hd__Envelope	 e = HD__ENVELOPE__INIT;
	Hd__Hello	 h = HD__HELLO__INIT;
	Hd__Capability	 cap = HD__CAPABILITY__CAP_VOTER;
	char		 d[160];

	if (strcmp(c->peer_id, s->conf.ha.id[l->idx]) != 0) {
		snprintf(d, sizeof(d), "its certificate is %s, the master "
		    "lines name %s there", c->peer_id, s->conf.ha.id[l->idx]);
		vl_down(l, d);
		return -1;
	}
	h.node_id = s->id;
	h.version = (char *)(uintptr_t)HD_VERSION;
	h.site = s->conf.site;
	h.capabilities = &cap;
	h.n_capabilities = 1;
	h.boot_id = s->boot_id;
	h.highest_term = s->term;
	h.protocol = WIRE_PROTOCOL;
	e.body_case = HD__ENVELOPE__BODY_HELLO;
	e.hello = &h;
	l->state = VL_WELCOME;
	return vl_send(l, &e, 1);
}

static void
send_out(struct slave *s, const struct ha_out *o)
{
	Hd__Envelope		e;
	struct ha_wire_buf	b;
	struct vlink		*l;
	int			i;

	for (i = 0; i < o->nmsg; i++) {
		if (o->msg[i].to >= (uint32_t)s->conf.ha.n)
			continue;
		l = &s->vl[o->msg[i].to];
		hd__envelope__init(&e);
		if (l->state != VL_ONLINE ||
		    ha_wire_out(&o->msg[i], &s->conf.ha, &e, &b) == -1)
			continue;	/* as if lost: every message is resent */
		vl_send(l, &e, 0);
	}
}

/* What changed in the machine's step, for the log. */
static void
log_step(struct slave *s, const struct vote_disk *was, uint32_t leader,
    uint64_t now)
{
	struct vote		*v = s->vote;
	const struct ha_masters	*hm = &s->conf.ha;
	char			 al[HA_MAX_MASTERS * (NODE_ID_MAX + 2) + 1];
	int			 i;
	size_t			 n = 0;

	for (i = 0; i < s->hout->nev; i++)
		if (s->hout->ev[i].type == HA_EV_FORCED_VOTE)
			log_warnx("vote: FORCED vote for %s in term %" PRIu64
			    " (hd-master --force-promote on it): the fence "
			    "(term %" PRIu64 " seq %" PRIu64 ") did not allow "
			    "it; what the nodes it allowed did alone may be "
			    "lost", hm->id[s->hout->ev[i].node],
			    s->hout->ev[i].term, was->fence.term,
			    was->fence.seq);
	if (v->d.voted_term != was->voted_term && v->d.voted_for < HA_NONE)
		log_info("vote: term %" PRIu64 " granted to %s (persisted)",
		    v->d.voted_term, hm->id[v->d.voted_for]);
	if (memcmp(&v->d.fence, &was->fence, sizeof(was->fence)) != 0) {
		al[0] = '\0';
		for (i = 0; i < hm->n; i++)
			if (v->d.fence.allowed & (1u << i))
				n += (size_t)snprintf(al + n, sizeof(al) - n,
				    "%s%s", n ? "," : "", hm->id[i]);
		log_info("vote: fence term %" PRIu64 " seq %" PRIu64
		    " allows %s", v->d.fence.term, v->d.fence.seq,
		    n ? al : "nobody");
	}
	if (vote_hears_master(v, now) && v->leader != leader)
		log_info("vote: following master %s of term %" PRIu64,
		    hm->id[v->leader], v->d.term);
}

/* An election body from node l->idx: one step of the machine, its disk
 * part written first, then the answers. -1: malformed, link dropped. */
static int
vote_feed(struct vlink *l, const Hd__Envelope *e)
{
	struct slave		*s = l->s;
	struct vote		*v = s->vote;
	struct vote_disk	 was = v->d;
	struct ha_msg		 m;
	uint32_t		 leader = vote_hears_master(v, ev_clock_ms()) ?
				    v->leader : HA_NONE;
	uint64_t		 now = ev_clock_ms();
	char			 why[160];

	if (ha_wire_in(e, (uint32_t)l->idx, v->self, &s->conf.ha, &m, why,
	    sizeof(why)) == -1) {
		vl_down(l, why);
		return -1;
	}
	ha_out_clear(s->hout);
	/* A term the link to the master learnt (a Welcome) binds the
	 * votes too: never a vote for a term below it. */
	if (s->term > v->d.term) {
		v->d.term = s->term;
		s->hout->persist = 1;
	}
	vote_recv(v, now, &m, s->hout);
	if (s->hout->persist && vote_save(s) == -1) {
		/* Nothing said is better than a vote that may be forgotten. */
		log_warnx("vote: state not saved, answer withheld");
		v->d = was;
		return 0;
	}
	if (v->d.term > s->term) {
		s->term = v->d.term;
		link_term_save(s);
	}
	log_step(s, &was, leader, now);
	send_out(s, s->hout);
	if (vote_hears_master(v, now))
		link_prefer(s, (int)v->leader);
	return 0;
}

static int
handle_welcome(struct vlink *l, const Hd__Welcome *w)
{
	struct slave *s = l->s;

	if (strcmp(w->master_id, l->conn.peer_id) != 0) {
		vl_down(l, "welcome names another node than its certificate");
		return -1;
	}
	l->state = VL_ONLINE;
	l->quiet = 0;
	l->backoff = VLINK_RETRY_MIN_MS;
	hb_start(&l->hb, ev_clock_ms());
	log_info("vote link to %s (%s) up, its term %" PRIu64,
	    s->conf.ha.id[l->idx], l->conn.addr, w->term);
	ev_timer_start(s->loop, &l->timer, 0);
	return 0;
}

static void
handle_refusal(struct vlink *l, const Hd__Refusal *r)
{
	const ProtobufCEnumValue	*v;
	char				 why[192], d[128];

	v = protobuf_c_enum_descriptor_get_value(
	    &hd__refusal__reason__descriptor, (int)r->reason);
	snprintf(why, sizeof(why), "refused: %s: %s", v ? v->name : "?",
	    str_vis(d, sizeof(d), r->detail));
	l->no_election = r->reason == HD__REFUSAL__REASON__CONFIG;
	vl_down(l, why);
}

static void
dispatch(struct vlink *l, Hd__Envelope *e)
{
	if (l->state == VL_WELCOME) {
		if (e->body_case == HD__ENVELOPE__BODY_WELCOME)
			handle_welcome(l, e->welcome);
		else if (e->body_case == HD__ENVELOPE__BODY_REFUSAL)
			handle_refusal(l, e->refusal);
		else
			vl_down(l, "expected welcome");
		return;
	}
	if (e->body_case == HD__ENVELOPE__BODY_HEARTBEAT)
		hb_received(&l->hb, ev_clock_ms(), e->heartbeat);
	else if (e->body_case == HD__ENVELOPE__BODY_REFUSAL)
		handle_refusal(l, e->refusal);
	else if (ha_wire_is_ha(e))
		vote_feed(l, e);
	else
		vl_down(l, "message a vote link may not carry");
}

static int
vl_frame(struct conn *c, ProtobufCMessage *msg)
{
	struct vlink *l = c->arg;

	hb_heard(&l->hb, ev_clock_ms());
	dispatch(l, (Hd__Envelope *)msg);
	wire_free(msg);
	return l->conn.state == CONN_CLOSED ? -1 : 0;
}

static void
vl_fail(struct conn *c, const char *why)
{
	vl_down(c->arg, why);
}

static void
heartbeat(struct vlink *l)
{
	struct slave	*s = l->s;
	Hd__Envelope	 e = HD__ENVELOPE__INIT;
	Hd__Heartbeat	 hb = HD__HEARTBEAT__INIT;
	uint64_t	 now = ev_clock_ms(), wait;
	char		 why[96];

	switch (hb_check(&l->hb, now, (uint64_t)s->conf.timeout_ms, &wait)) {
	case HB_DEAD:
		snprintf(why, sizeof(why), "heartbeat timeout (silent for %"
		    PRIu64 " ms)", now - l->hb.last_rx);
		vl_down(l, why);
		return;
	case HB_SEND:
		hb_fill(&l->hb, now, (uint64_t)s->conf.heartbeat_ms, &hb);
		e.body_case = HD__ENVELOPE__BODY_HEARTBEAT;
		e.heartbeat = &hb;
		if (vl_send(l, &e, 1) == -1)
			return;
		hb_check(&l->hb, now, (uint64_t)s->conf.timeout_ms, &wait);
		break;
	case HB_WAIT:
		break;
	}
	ev_timer_start(s->loop, &l->timer, wait);
}

static void
vl_timer(struct ev_timer *t)
{
	struct vlink *l = t->arg;

	switch (l->state) {
	case VL_OFF:
		break;
	case VL_IDLE:
		vl_connect(l);
		break;
	case VL_CONNECTING:
	case VL_WELCOME:
		vl_down(l, "no welcome in time");
		break;
	case VL_ONLINE:
		heartbeat(l);
		break;
	}
}

/* After link_start (the boot id). -1: the vote state cannot be had. */
int
vlink_start(struct slave *s)
{
	int i;

	if (s->conf.ha.n < 2)
		return 0;	/* no standby: no election to take part in */
	if ((s->vote = calloc(1, sizeof(*s->vote))) == NULL ||
	    (s->hout = calloc(1, sizeof(*s->hout))) == NULL)
		return -1;
	if (vote_load(s) == -1)
		return -1;
	log_info("vote: term %" PRIu64 ", %d master-capable nodes",
	    s->vote->d.term, s->conf.ha.n);
	for (i = 0; i < s->conf.ha.n; i++) {
		s->vl[i].s = s;
		s->vl[i].idx = i;
		s->vl[i].backoff = VLINK_RETRY_MIN_MS;
		s->vl[i].state = VL_IDLE;
		ev_timer_init(&s->vl[i].timer, vl_timer, &s->vl[i]);
		ev_timer_start(s->loop, &s->vl[i].timer, 0);
	}
	return 0;
}

void
vlink_stop(struct slave *s)
{
	int i;

	if (s->vote == NULL)
		return;
	for (i = 0; i < s->conf.ha.n; i++) {
		ev_timer_stop(s->loop, &s->vl[i].timer);
		conn_close(&s->vl[i].conn);
		s->vl[i].state = VL_OFF;
	}
	free(s->vote);
	free(s->hout);
	s->vote = NULL;
	s->hout = NULL;
}
