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

static int	link_open(struct conn *);
static int	link_frame(struct conn *, ProtobufCMessage *);
static void	link_fail(struct conn *, const char *);
static void	link_timer(struct ev_timer *);

static const struct conn_ops link_ops = { link_open, link_frame, link_fail };

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

static uint64_t
jitter(uint64_t ms)
{
	uint32_t r = 0;

	/* +-25%, so slaves restarted together do not reconnect in step. */
	net_random(&r, sizeof(r));
	return ms * 3 / 4 + (ms / 2 ? r % (ms / 2 + 1) : 0);
}

/* The link is gone: log, close, and plan the next attempt. */
static void
link_down(struct slave *s, const char *why)
{
	const char	*addr = s->conf.masters[s->cur];
	uint64_t	 delay = 100;

	if (s->state == LINK_ONLINE) {
		log_warnx("lost master %s (%s): %s", s->master_id, addr, why);
		devices_link(s, 0);
	}
	else
		log_warnx("master at %s: %s", addr, why);
	conn_close(&s->conn);
	if (s->state == LINK_ONLINE) {
		/* Start over with the master the election follows, else the
		 * first line. */
		s->cur = s->prefer >= 0 ? s->prefer : 0;
		s->tried = 0;
		s->backoff = RECONNECT_MIN_MS;
	} else {
		s->cur = (s->cur + 1) % s->conf.nmasters;
		if (++s->tried >= s->conf.nmasters) {
			s->tried = 0;
			delay = jitter(s->backoff);
			s->backoff = s->backoff * 2 > RECONNECT_MAX_MS ?
			    RECONNECT_MAX_MS : s->backoff * 2;
		}
	}
	s->state = LINK_IDLE;
	ev_timer_start(s->loop, &s->timer, delay);
}

static void
link_connect(struct slave *s)
{
	struct sockaddr_storage	 ss;
	socklen_t		 sl;
	const char		*addr = s->conf.masters[s->cur];
	int			 fd, inprogress;

	s->state = LINK_CONNECTING;
	if (net_parse_addr(addr, &ss, &sl) == -1 ||
	    (fd = net_connect(&ss, sl, &inprogress)) == -1) {
		link_down(s, "cannot connect");
		return;
	}
	if (conn_start(&s->conn, s->loop, fd, s->ctx, 0, inprogress, addr,
	    &hd__envelope__descriptor, &link_ops, s) == -1) {
		close(fd);
		link_down(s, "TLS setup failed");
		return;
	}
	ev_timer_start(s->loop, &s->timer, CLUSTER_HANDSHAKE_MS);
}

static int
link_send(struct slave *s, Hd__Envelope *e)
{
	e->term = s->term;
	e->ack = s->peer_ack;
	if (conn_send(&s->conn, &e->base) == -1) {
		link_down(s, "cannot send (output queue full or link error)");
		return -1;
	}
	return 0;
}

int
link_send_reliable(struct slave *s, Hd__Envelope *e)
{
	/* What the shutdown itself cuts short (a command in flight when a
	 * driver stops) has no link left to go to, nor a queue. */
	if (s->state == LINK_STOPPED)
		return 0;
	e->seq = ++s->seq;
	e->term = s->term;
	e->ack = s->peer_ack;
	if (rq_push(&s->rq, e->seq, &e->base) == -1)
		log_warnx("message too large for the link, not sent");
	else if (s->state == LINK_ONLINE)
		return link_send(s, e);
	return 0;
}

static int
link_open(struct conn *c)
{
	struct slave	*s = c->arg;
	Hd__Envelope	 e = HD__ENVELOPE__INIT;
	Hd__Hello	 h = HD__HELLO__INIT;
	Hd__Capability	 caps[8];
	size_t		 ncaps = 0;
	char		 d[160];

	/* With node ids in the master lines, the address must be that node. */
	if (s->conf.ha.n > 0 && strcmp(c->peer_id, s->conf.ha.id[s->cur]) != 0) {
		snprintf(d, sizeof(d), "its certificate is %s, the master "
		    "lines name %s there", c->peer_id, s->conf.ha.id[s->cur]);
		link_down(s, d);
		return -1;
	}

	h.node_id = s->id;
	h.version = (char *)(uintptr_t)HD_VERSION;
	h.site = s->conf.site;
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
	h.capabilities = caps;
	h.n_capabilities = ncaps;
	h.boot_id = s->boot_id;
	h.highest_term = s->term;
	h.protocol = WIRE_PROTOCOL;
	e.body_case = HD__ENVELOPE__BODY_HELLO;
	e.hello = &h;
	snprintf(s->master_id, sizeof(s->master_id), "%s", c->peer_id);
	s->state = LINK_WELCOME;
	s->peer_ack = 0;
	return link_send(s, &e);
}

static int
replay_one(void *arg, const uint8_t *frame, size_t len)
{
	struct slave *s = arg;

	return conn_send_raw(&s->conn, frame, len);
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

	if (s->state != LINK_ONLINE)
		return 0;
	devices_announce(s, &da);
	e.body_case = HD__ENVELOPE__BODY_ANNOUNCE;
	e.announce = &da;
	r = link_send(s, &e);
	free(da.devices);
	return r;
}

const struct slave_uplink link_uplink = {
	.send_reliable = link_send_reliable,
	.announce = link_send_announce,
};

static int
handle_welcome(struct slave *s, const Hd__Welcome *w)
{
	if (strcmp(w->master_id, s->conn.peer_id) != 0) {
		link_down(s, "welcome names another master than its "
		    "certificate");
		return -1;
	}
	if (w->term < s->term) {
		log_warnx("master %s holds term %" PRIu64 " but term %" PRIu64
		    " was seen: stale master fenced off", s->master_id,
		    w->term, s->term);
		link_down(s, "stale term");
		return -1;
	}
	if (w->term > s->term) {
		s->term = w->term;
		link_term_save(s);
	}
	if (w->heartbeat_ms >= 100 && w->heartbeat_ms < w->timeout_ms &&
	    w->timeout_ms <= 600000) {
		s->hb_ms = w->heartbeat_ms;
		s->timeout_ms = w->timeout_ms;
	}
	s->state = LINK_ONLINE;
	hb_start(&s->hb, ev_clock_ms());
	s->backoff = RECONNECT_MIN_MS;
	s->tried = 0;
	rq_ack(&s->rq, w->resume_ack);
	log_info("registered with master %s (%s), term %" PRIu64
	    ", replaying %d queued message%s", s->master_id, s->conn.addr,
	    s->term, s->rq.count, s->rq.count == 1 ? "" : "s");
	/* A new or restarted master has no device table: the list first, so
	 * the replayed history lands on known devices, then every current
	 * value. */
	if (link_send_announce(s) == -1)
		return -1;
	if (rq_replay(&s->rq, w->resume_ack, replay_one, s) == -1) {
		link_down(s, "replay failed");
		return -1;
	}
	devices_report_all(s);
	devices_link(s, 1);
	ev_timer_start(s->loop, &s->timer, 0);
	return 0;
}

static void
handle_refusal(struct slave *s, const Hd__Refusal *r)
{
	const ProtobufCEnumValue	*v;
	char				 why[192], d[128];

	v = protobuf_c_enum_descriptor_get_value(
	    &hd__refusal__reason__descriptor, (int)r->reason);
	snprintf(why, sizeof(why), "refused: %s: %s", v ? v->name : "?",
	    str_vis(d, sizeof(d), r->detail));
	link_down(s, why);
}

static void
dispatch(struct slave *s, Hd__Envelope *e)
{
	if (s->state == LINK_WELCOME) {
		if (e->body_case == HD__ENVELOPE__BODY_WELCOME)
			handle_welcome(s, e->welcome);
		else if (e->body_case == HD__ENVELOPE__BODY_REFUSAL)
			handle_refusal(s, e->refusal);
		else
			link_down(s, "expected welcome");
		return;
	}
	if (e->term < s->term) {
		link_down(s, "message from a stale term");
		return;
	}
	if (e->seq > s->peer_ack)
		s->peer_ack = e->seq;
	rq_ack(&s->rq, e->ack);
	switch (e->body_case) {
	case HD__ENVELOPE__BODY_HEARTBEAT:
		hb_received(&s->hb, ev_clock_ms(), e->heartbeat);
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
			link_down(s, msg);
		} else
			local_rules_heard(s);
		break;
	}
	case HD__ENVELOPE__BODY_REFUSAL:
		handle_refusal(s, e->refusal);
		break;
	default:
		link_down(s, "message a master may not send");
	}
}

static int
link_frame(struct conn *c, ProtobufCMessage *msg)
{
	struct slave *s = c->arg;

	hb_heard(&s->hb, ev_clock_ms());
	dispatch(s, (Hd__Envelope *)msg);
	wire_free(msg);
	return s->conn.state == CONN_CLOSED ? -1 : 0;
}

static void
link_fail(struct conn *c, const char *why)
{
	link_down(c->arg, why);
}

static void
heartbeat(struct slave *s)
{
	Hd__Envelope	e = HD__ENVELOPE__INIT;
	Hd__Heartbeat	hb = HD__HEARTBEAT__INIT;
	uint64_t	now = ev_clock_ms(), wait;
	char		why[96];

	switch (hb_check(&s->hb, now, s->timeout_ms, &wait)) {
	case HB_DEAD:
		snprintf(why, sizeof(why), "heartbeat timeout (silent for %"
		    PRIu64 " ms)", now - s->hb.last_rx);
		link_down(s, why);
		return;
	case HB_SEND:
		hb_fill(&s->hb, now, s->hb_ms, &hb);
		e.body_case = HD__ENVELOPE__BODY_HEARTBEAT;
		e.heartbeat = &hb;
		if (link_send(s, &e) == -1)
			return;
		hb_check(&s->hb, now, s->timeout_ms, &wait);
		break;
	case HB_WAIT:
		break;
	}
	ev_timer_start(s->loop, &s->timer, wait);
}

static void
link_timer(struct ev_timer *t)
{
	struct slave *s = t->arg;

	switch (s->state) {
	case LINK_IDLE:
		link_connect(s);
		break;
	case LINK_CONNECTING:
	case LINK_WELCOME:
		link_down(s, "no welcome in time");
		break;
	case LINK_ONLINE:
		heartbeat(s);
		break;
	case LINK_STOPPED:
		break;
	}
}

void
link_prefer(struct slave *s, int idx)
{
	char why[NODE_ID_MAX + 64];

	if (idx < 0 || idx >= s->conf.nmasters || idx == s->prefer)
		return;
	s->prefer = idx;
	if (s->state == LINK_ONLINE &&
	    strcmp(s->master_id, s->conf.ha.id[idx]) != 0) {
		snprintf(why, sizeof(why), "the election follows %s now",
		    s->conf.ha.id[idx]);
		link_down(s, why);	/* ... and reconnects there */
		return;
	}
	if (s->state == LINK_IDLE) {
		s->cur = idx;
		s->tried = 0;
		ev_timer_start(s->loop, &s->timer, 0);
	}
}

/* After a CA/CRL reload: leave a master whose certificate was revoked. */
void
link_reverify(struct slave *s)
{
	char why[192];

	if (s->conn.state == CONN_OPEN &&
	    tls_reverify(s->ctx, s->conn.ssl, why, sizeof(why)) == -1)
		link_down(s, why);
}

void
link_start(struct slave *s)
{
	if (net_random(&s->boot_id, sizeof(s->boot_id)) == -1 ||
	    s->boot_id == 0)
		s->boot_id = (uint64_t)getpid() << 32 | ev_clock_ms();
	s->backoff = RECONNECT_MIN_MS;
	s->prefer = -1;
	s->hb_ms = (uint32_t)s->conf.heartbeat_ms;
	s->timeout_ms = (uint32_t)s->conf.timeout_ms;
	rq_init(&s->rq);
	s->state = LINK_IDLE;
	ev_timer_init(&s->timer, link_timer, s);
	ev_timer_start(s->loop, &s->timer, 0);
}

void
link_stop(struct slave *s)
{
	Hd__Envelope	e = HD__ENVELOPE__INIT;
	Hd__Refusal	r = HD__REFUSAL__INIT;

	if (s->state == LINK_ONLINE) {
		r.reason = HD__REFUSAL__REASON__SHUTDOWN;
		r.detail = (char *)(uintptr_t)"slave shutting down";
		e.body_case = HD__ENVELOPE__BODY_REFUSAL;
		e.refusal = &r;
		link_send(s, &e);
	}
	ev_timer_stop(s->loop, &s->timer);
	conn_close(&s->conn);
	rq_free(&s->rq);
	s->state = LINK_STOPPED;
}
