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

static void	vl_target(struct clink *, const char **, const char **);
static int	vl_hello(struct clink *, Hd__Hello *);
static int	vl_welcome(struct clink *, const Hd__Welcome *);
static void	vl_frame(struct clink *, Hd__Envelope *);
static uint64_t	vl_down(struct clink *, const char *, int);

static const struct clink_ops vl_ops = {
	vl_target, vl_hello, vl_welcome, vl_frame, vl_down
};

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

static uint64_t
vl_down(struct clink *cl, const char *why, int was_online)
{
	struct vlink	*l = cl->arg;
	struct slave	*s = l->s;
	uint64_t	 delay;

	if (was_online)
		log_warnx("vote link to %s lost: %s", s->conf.ha.id[l->idx],
		    why);
	else if (!l->quiet) {
		log_warnx("vote link to %s (%s): %s", s->conf.ha.id[l->idx],
		    s->conf.ha.addr[l->idx], why);
		l->quiet = 1;	/* until it is up again: no log flood */
	}
	if (was_online)
		cl->backoff = cl->backoff_min;
	delay = clink_backoff(cl);
	if (l->no_election)
		delay = VLINK_NO_ELECTION_MS;
	l->no_election = 0;
	return delay;
}

static void
vl_target(struct clink *cl, const char **addr, const char **id)
{
	struct vlink *l = cl->arg;

	*addr = l->s->conf.ha.addr[l->idx];
	*id = l->s->conf.ha.id[l->idx];
}

static int
vl_hello(struct clink *cl, Hd__Hello *h)
{
	struct vlink	*l = cl->arg;
	Hd__Capability	 cap = HD__CAPABILITY__CAP_VOTER;

	h->site = l->s->conf.site;
	h->capabilities = &cap;
	h->n_capabilities = 1;
	return clink_hello(cl, h);
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
		if (l->link.state != CLINK_ONLINE ||
		    ha_wire_out(&o->msg[i], &s->conf.ha, &e, &b) == -1)
			continue;	/* as if lost: every message is resent */
		clink_forward(&l->link, &e);
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
		clink_down(&l->link, why);
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
vl_welcome(struct clink *cl, const Hd__Welcome *w)
{
	struct vlink	*l = cl->arg;
	struct slave	*s = l->s;

	clink_online(cl);
	l->quiet = 0;
	log_info("vote link to %s (%s) up, its term %" PRIu64,
	    s->conf.ha.id[l->idx], cl->conn.addr, w->term);
	return 0;
}

static void
vl_frame(struct clink *cl, Hd__Envelope *e)
{
	struct vlink *l = cl->arg;

	if (e->body_case == HD__ENVELOPE__BODY_REFUSAL) {
		l->no_election = e->refusal->reason ==
		    HD__REFUSAL__REASON__CONFIG;
		clink_refused(cl, e->refusal);
	} else if (e->body_case == HD__ENVELOPE__BODY_HEARTBEAT)
		clink_heartbeat_in(cl, e->heartbeat);
	else if (ha_wire_is_ha(e))
		vote_feed(l, e);
	else
		clink_down(cl, "message a vote link may not carry");
}

/* After link_start (the boot id). -1: the vote state cannot be had. */
int
vlink_start(struct slave *s)
{
	struct clink	*cl;
	int		 i;

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
		cl = &s->vl[i].link;
		s->vl[i].s = s;
		s->vl[i].idx = i;
		cl->loop = s->loop;
		cl->ctx = s->ctx;
		cl->ops = &vl_ops;
		cl->arg = &s->vl[i];
		cl->self = s->id;
		cl->term = &s->term;
		cl->ack = NULL;
		cl->boot_id = s->link.boot_id;
		cl->hb_ms = (uint64_t)s->conf.heartbeat_ms;
		cl->timeout_ms = (uint64_t)s->conf.timeout_ms;
		cl->backoff_min = VLINK_RETRY_MIN_MS;
		cl->backoff_max = VLINK_RETRY_MAX_MS;
		clink_start(cl);
	}
	return 0;
}

void
vlink_stop(struct slave *s)
{
	int i;

	if (s->vote == NULL)
		return;
	for (i = 0; i < s->conf.ha.n; i++)
		clink_stop(&s->vl[i].link, NULL);
	free(s->vote);
	free(s->hout);
	s->vote = NULL;
	s->hout = NULL;
}
