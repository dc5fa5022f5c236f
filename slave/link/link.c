/*
 * The slave's link to its master: connect out (so slaves work behind NAT),
 * try the configured masters in order with exponential back-off and
 * jitter, register with Hello, replay unacknowledged reports, exchange
 * heartbeats, and answer commands.
 */

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "atomicfile.h"
#include "link/link.h"
#include "log.h"
#include "net.h"
#include "slave.h"
#include "wire.h"

static void	link_target(struct clink *, const char **, const char **);
static int	link_hello(struct clink *, Hd__Hello *);
static int	link_welcome(struct clink *, const Hd__Welcome *);
static void	link_frame(struct clink *, Hd__Envelope *);
static uint64_t	link_down(struct clink *, const char *, int);

static const struct clink_ops link_ops = {
	link_target, link_hello, link_welcome, link_frame, link_down
};

int
link_term_save(struct slave *s)
{
	Hd__NodeState	st = HD__NODE_STATE__INIT;
	char		path[512];

	snprintf(path, sizeof(path), "%s/slave.state", s->conf.state_dir);
	st.term = s->term;
	state_format_set(&st.base);
	if (state_save(path, &st.base) == -1) {
		log_warn("%s", path);
		return -1;
	}
	return 0;
}

/* The next master line is tried after this pause; after a failed round
 * the back-off applies. */
#define LINK_NEXT_MS	100

/* The link is gone: log, and plan the next attempt. */
static uint64_t
link_down(struct clink *cl, const char *why, int was_online)
{
	struct slave	*s = cl->arg;
	const char	*addr = s->conf.masters[s->cur];

	if (was_online) {
		log_warnx("lost master %s (%s): %s", s->master_id, addr, why);
		devices_link(s, 0);
		/* Start over with the master the election follows, else the
		 * first line. */
		s->cur = s->prefer >= 0 ? s->prefer : 0;
		s->tried = 0;
		cl->backoff = cl->backoff_min;
		return LINK_NEXT_MS;
	}
	log_warnx("master at %s: %s", addr, why);
	s->cur = (s->cur + 1) % s->conf.nmasters;
	if (++s->tried < s->conf.nmasters)
		return LINK_NEXT_MS;
	s->tried = 0;
	return clink_backoff(cl);
}

static void
link_target(struct clink *cl, const char **addr, const char **id)
{
	struct slave *s = cl->arg;

	*addr = s->conf.masters[s->cur];
	/* With node ids in the master lines, the address must be that node. */
	*id = s->conf.ha.n > 0 ? s->conf.ha.id[s->cur] : NULL;
}

int
link_send_reliable(struct slave *s, Hd__Envelope *e)
{
	/* What the shutdown itself cuts short (a command in flight when a
	 * driver stops) has no link left to go to, nor a queue. */
	if (s->link.state == CLINK_OFF)
		return 0;
	e->seq = ++s->seq;
	e->term = s->term;
	e->ack = s->peer_ack;
	if (rq_push(&s->rq, e->seq, &e->base) == -1)
		log_warnx("message too large for the link, not sent");
	else if (s->link.state == CLINK_ONLINE)
		return clink_send(&s->link, e);
	return 0;
}

static int
link_hello(struct clink *cl, Hd__Hello *h)
{
	struct slave	*s = cl->arg;
	Hd__Capability	 caps[8];
	size_t		 ncaps = 0;

	h->site = s->conf.site;
	if (s->zw != NULL)
		caps[ncaps++] = HD__CAPABILITY__CAP_ZWAVE;
	if (s->zw != NULL)	/* ZwNvm: a master may send it */
		caps[ncaps++] = HD__CAPABILITY__CAP_ZWAVE_NVM;
	if (s->adc != NULL)
		caps[ncaps++] = HD__CAPABILITY__CAP_ADC;
	if (s->gpio != NULL)
		caps[ncaps++] = HD__CAPABILITY__CAP_GPIO;
	if (s->conf.simulate || hw_simulated(s->conf.hw))
		caps[ncaps++] = HD__CAPABILITY__CAP_SIMULATED;
	h->capabilities = caps;
	h->n_capabilities = ncaps;
	snprintf(s->master_id, sizeof(s->master_id), "%s", cl->conn.peer_id);
	s->peer_ack = 0;
	return clink_hello(cl, h);
}

static int
replay_one(void *arg, const uint8_t *frame, size_t len)
{
	struct slave *s = arg;

	return conn_send_raw(&s->link.conn, frame, len);
}

/*
 * The device list is state, not an event: it is not sequenced or queued,
 * just sent whole after every Welcome and whenever it changes while online.
 */
int
link_send_announce(struct slave *s)
{
	Hd__Envelope		e = HD__ENVELOPE__INIT;
	Hd__DeviceAnnounce	da = HD__DEVICE_ANNOUNCE__INIT;
	int			r;

	if (s->link.state != CLINK_ONLINE)
		return 0;
	devices_announce(s, &da);
	e.body_case = HD__ENVELOPE__BODY_ANNOUNCE;
	e.announce = &da;
	r = clink_send(&s->link, &e);
	free(da.devices);
	return r;
}

const struct slave_uplink link_uplink = {
	.send_reliable = link_send_reliable,
	.announce = link_send_announce,
};

static int
link_welcome(struct clink *cl, const Hd__Welcome *w)
{
	struct slave *s = cl->arg;

	if (w->term < s->term) {
		log_warnx("master %s holds term %" PRIu64 " but term %" PRIu64
		    " was seen: stale master fenced off", s->master_id,
		    w->term, s->term);
		clink_down(cl, "stale term");
		return -1;
	}
	if (w->term > s->term) {
		s->term = w->term;
		link_term_save(s);
	}
	clink_timing(cl, w);
	clink_online(cl);
	s->tried = 0;
	rq_ack(&s->rq, w->resume_ack);
	log_info("registered with master %s (%s), term %" PRIu64
	    ", replaying %d queued message%s", s->master_id, cl->conn.addr,
	    s->term, s->rq.count, s->rq.count == 1 ? "" : "s");
	/* A new or restarted master has no device table: the list first, so
	 * the replayed history lands on known devices, then every current
	 * value. */
	if (link_send_announce(s) == -1)
		return -1;
	if (rq_replay(&s->rq, w->resume_ack, replay_one, s) == -1) {
		clink_down(cl, "replay failed");
		return -1;
	}
	devices_report_all(s);
	devices_link(s, 1);
	return 0;
}

/* After the Welcome (and a Refusal before it). */
static void
link_frame(struct clink *cl, Hd__Envelope *e)
{
	struct slave *s = cl->arg;

	if (cl->state != CLINK_ONLINE) {
		clink_refused(cl, e->refusal);
		return;
	}
	if (e->term < s->term) {
		clink_down(cl, "message from a stale term");
		return;
	}
	if (e->seq > s->peer_ack)
		s->peer_ack = e->seq;
	rq_ack(&s->rq, e->ack);
	switch (e->body_case) {
	case HD__ENVELOPE__BODY_HEARTBEAT:
		clink_heartbeat_in(cl, e->heartbeat);
		break;
	case HD__ENVELOPE__BODY_COMMAND:
		devices_command(s, e->command);
		break;
	case HD__ENVELOPE__BODY_ZW_INCLUSION:
		zw_inclusion_request(s, e->zw_inclusion);
		break;
	case HD__ENVELOPE__BODY_ZW_PROVISION:
		zw_provision_request(s, e->zw_provision);
		break;
	case HD__ENVELOPE__BODY_ZW_NODE_OP:
		zw_node_op_request(s, e->zw_node_op);
		break;
	case HD__ENVELOPE__BODY_ZW_NVM:
		zw_nvm_request(s, e->zw_nvm);
		break;
	case HD__ENVELOPE__BODY_LOCAL_RULES: {
		char why[192], msg[256];

		if (local_rules_recv(s, e->local_rules, why, sizeof(why)) ==
		    -1) {
			snprintf(msg, sizeof(msg), "local rules refused: %s", why);
			clink_down(cl, msg);
		} else
			local_rules_heard(s);
		break;
	}
	case HD__ENVELOPE__BODY_REFUSAL:
		clink_refused(cl, e->refusal);
		break;
	default:
		clink_down(cl, "message a master may not send");
	}
}

void
link_prefer(struct slave *s, int idx)
{
	char why[NODE_ID_MAX + 64];

	if (idx < 0 || idx >= s->conf.nmasters || idx == s->prefer)
		return;
	s->prefer = idx;
	if (s->link.state == CLINK_ONLINE &&
	    strcmp(s->master_id, s->conf.ha.id[idx]) != 0) {
		snprintf(why, sizeof(why), "the election follows %s now",
		    s->conf.ha.id[idx]);
		clink_down(&s->link, why);	/* ... and reconnects there */
		return;
	}
	if (s->link.state == CLINK_IDLE) {
		s->cur = idx;
		s->tried = 0;
		ev_timer_start(s->loop, &s->link.timer, 0);
	}
}

/* After a CA/CRL reload: leave a master whose certificate was revoked. */
void
link_reverify(struct slave *s)
{
	char why[192];

	if (s->link.conn.state == CONN_OPEN &&
	    tls_reverify(s->ctx, s->link.conn.ssl, why, sizeof(why)) == -1)
		clink_down(&s->link, why);
}

void
link_start(struct slave *s)
{
	struct clink *cl = &s->link;

	s->prefer = -1;
	rq_init(&s->rq);
	cl->loop = s->loop;
	cl->ctx = s->ctx;
	cl->ops = &link_ops;
	cl->arg = s;
	cl->self = s->id;
	cl->term = &s->term;
	cl->ack = &s->peer_ack;
	cl->boot_id = clink_boot_id();
	cl->hb_ms = (uint64_t)s->conf.heartbeat_ms;
	cl->timeout_ms = (uint64_t)s->conf.timeout_ms;
	cl->backoff_min = RECONNECT_MIN_MS;
	cl->backoff_max = RECONNECT_MAX_MS;
	clink_start(cl);
}

void
link_stop(struct slave *s)
{
	clink_stop(&s->link, "slave shutting down");
	rq_free(&s->rq);
}
