/*
 * One client link's life (clink.h): IDLE -> CONNECTING -> WELCOME ->
 * ONLINE, and back to IDLE through clink_down() on any failure. One timer
 * serves every state: the next attempt, the Welcome's deadline, and the
 * heartbeats once online.
 */

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "clink.h"
#include "hdlimits.h"
#include "log.h"
#include "net.h"
#include "version.h"
#include "wire.h"

static int	clink_open(struct conn *);
static int	clink_frame(struct conn *, ProtobufCMessage *);
static void	clink_fail(struct conn *, const char *);
static void	clink_timer(struct ev_timer *);

static const struct conn_ops clink_conn_ops = {
	clink_open, clink_frame, clink_fail
};

uint64_t
clink_boot_id(void)
{
	uint64_t id = 0;

	if (net_random(&id, sizeof(id)) == -1 || id == 0)
		id = (uint64_t)getpid() << 32 | ev_clock_ms();
	return id;
}

uint64_t
clink_backoff(struct clink *cl)
{
	uint64_t	ms = cl->backoff;
	uint32_t	r = 0;

	cl->backoff = cl->backoff * 2 > cl->backoff_max ? cl->backoff_max :
	    cl->backoff * 2;
	net_random(&r, sizeof(r));
	return ms * 3 / 4 + (ms / 2 ? r % (ms / 2 + 1) : 0);
}

void
clink_down(struct clink *cl, const char *why)
{
	uint64_t delay;

	delay = cl->ops->down(cl, why, cl->state == CLINK_ONLINE);
	conn_close(&cl->conn);
	cl->state = CLINK_IDLE;
	ev_timer_start(cl->loop, &cl->timer, delay);
}

static void
clink_connect(struct clink *cl)
{
	struct sockaddr_storage	 ss;
	socklen_t		 sl;
	const char		*addr, *id;
	int			 fd, inprogress;

	cl->ops->target(cl, &addr, &id);
	cl->state = CLINK_CONNECTING;
	if (net_parse_addr(addr, &ss, &sl) == -1 ||
	    (fd = net_connect(&ss, sl, &inprogress)) == -1) {
		clink_down(cl, "cannot connect");
		return;
	}
	if (conn_start(&cl->conn, cl->loop, fd, cl->ctx, 0, inprogress, addr,
	    &hd__envelope__descriptor, &clink_conn_ops, cl) == -1) {
		close(fd);
		clink_down(cl, "TLS setup failed");
		return;
	}
	ev_timer_start(cl->loop, &cl->timer, CLUSTER_HANDSHAKE_MS);
}

int
clink_forward(struct clink *cl, Hd__Envelope *e)
{
	if (conn_send(&cl->conn, &e->base) == -1) {
		clink_down(cl, "cannot send (output queue full or link error)");
		return -1;
	}
	return 0;
}

int
clink_send(struct clink *cl, Hd__Envelope *e)
{
	e->term = *cl->term;
	if (cl->ack != NULL)
		e->ack = *cl->ack;
	return clink_forward(cl, e);
}

/* TLS is up: the certificate must name the node we meant, then Hello. */
static int
clink_open(struct conn *c)
{
	struct clink	*cl = c->arg;
	Hd__Hello	 h = HD__HELLO__INIT;
	const char	*addr, *id;
	char		 d[160];

	cl->ops->target(cl, &addr, &id);
	if (id != NULL && strcmp(c->peer_id, id) != 0) {
		snprintf(d, sizeof(d), "its certificate is %s, the master "
		    "lines name %s there", c->peer_id, id);
		clink_down(cl, d);
		return -1;
	}
	h.node_id = (char *)(uintptr_t)cl->self;
	h.version = (char *)(uintptr_t)HD_VERSION;
	h.boot_id = cl->boot_id;
	h.highest_term = *cl->term;
	h.protocol = WIRE_PROTOCOL;
	return cl->ops->hello(cl, &h);
}

int
clink_hello(struct clink *cl, Hd__Hello *h)
{
	Hd__Envelope e = HD__ENVELOPE__INIT;

	e.body_case = HD__ENVELOPE__BODY_HELLO;
	e.hello = h;
	cl->state = CLINK_WELCOME;
	return clink_send(cl, &e);
}

void
clink_online(struct clink *cl)
{
	cl->state = CLINK_ONLINE;
	cl->backoff = cl->backoff_min;
	hb_start(&cl->hb, ev_clock_ms());
	ev_timer_start(cl->loop, &cl->timer, 0);
}

void
clink_timing(struct clink *cl, const Hd__Welcome *w)
{
	if (w->heartbeat_ms >= 100 && w->heartbeat_ms < w->timeout_ms &&
	    w->timeout_ms <= 600000) {
		cl->hb_ms = w->heartbeat_ms;
		cl->timeout_ms = w->timeout_ms;
	}
}

void
clink_refused(struct clink *cl, const Hd__Refusal *r)
{
	const ProtobufCEnumValue	*v;
	char				 why[192], d[128];

	v = protobuf_c_enum_descriptor_get_value(
	    &hd__refusal__reason__descriptor, (int)r->reason);
	snprintf(why, sizeof(why), "refused: %s: %s", v ? v->name : "?",
	    str_vis(d, sizeof(d), r->detail));
	clink_down(cl, why);
}

void
clink_heartbeat_in(struct clink *cl, const Hd__Heartbeat *hb)
{
	hb_received(&cl->hb, ev_clock_ms(), hb);
}

static void
dispatch(struct clink *cl, Hd__Envelope *e)
{
	if (cl->state == CLINK_ONLINE) {
		cl->ops->frame(cl, e);
		return;
	}
	if (e->body_case == HD__ENVELOPE__BODY_WELCOME) {
		if (strcmp(e->welcome->master_id, cl->conn.peer_id) != 0)
			clink_down(cl, "welcome names another node than its "
			    "certificate");
		else
			cl->ops->welcome(cl, e->welcome);
	} else if (e->body_case == HD__ENVELOPE__BODY_REFUSAL)
		cl->ops->frame(cl, e);
	else
		clink_down(cl, "expected welcome");
}

static int
clink_frame(struct conn *c, ProtobufCMessage *msg)
{
	struct clink *cl = c->arg;

	hb_heard(&cl->hb, ev_clock_ms());
	dispatch(cl, (Hd__Envelope *)msg);
	wire_free(msg);
	return cl->conn.state == CONN_CLOSED ? -1 : 0;
}

static void
clink_fail(struct conn *c, const char *why)
{
	clink_down(c->arg, why);
}

int
clink_beat(struct heartbeat *hb, uint64_t hb_ms, uint64_t timeout_ms,
    const struct clink_beat_ops *ops, void *arg, uint64_t *wait)
{
	Hd__Envelope	e = HD__ENVELOPE__INIT;
	Hd__Heartbeat	b = HD__HEARTBEAT__INIT;
	uint64_t	now = ev_clock_ms();
	char		why[96];

	switch (hb_check(hb, now, timeout_ms, wait)) {
	case HB_DEAD:
		snprintf(why, sizeof(why), "heartbeat timeout (silent for %"
		    PRIu64 " ms)", now - hb->last_rx);
		ops->drop(arg, why);
		return -1;
	case HB_SEND:
		hb_fill(hb, now, hb_ms, &b);
		e.body_case = HD__ENVELOPE__BODY_HEARTBEAT;
		e.heartbeat = &b;
		if (ops->send(arg, &e) == -1)
			return -1;
		hb_check(hb, now, timeout_ms, wait);
		break;
	case HB_WAIT:
		break;
	}
	return 0;
}

static int
beat_send(void *arg, Hd__Envelope *e)
{
	return clink_send(arg, e);
}

static void
beat_drop(void *arg, const char *why)
{
	clink_down(arg, why);
}

static const struct clink_beat_ops clink_beat_ops = { beat_send, beat_drop };

static void
heartbeat(struct clink *cl)
{
	uint64_t wait;

	if (clink_beat(&cl->hb, cl->hb_ms, cl->timeout_ms, &clink_beat_ops, cl,
	    &wait) == 0)
		ev_timer_start(cl->loop, &cl->timer, wait);
}

static void
clink_timer(struct ev_timer *t)
{
	struct clink *cl = t->arg;

	switch (cl->state) {
	case CLINK_OFF:
		break;
	case CLINK_IDLE:
		clink_connect(cl);
		break;
	case CLINK_CONNECTING:
	case CLINK_WELCOME:
		clink_down(cl, "no welcome in time");
		break;
	case CLINK_ONLINE:
		heartbeat(cl);
		break;
	}
}

void
clink_start(struct clink *cl)
{
	cl->backoff = cl->backoff_min;
	cl->state = CLINK_IDLE;
	ev_timer_init(&cl->timer, clink_timer, cl);
	ev_timer_start(cl->loop, &cl->timer, 0);
}

void
clink_stop(struct clink *cl, const char *detail)
{
	Hd__Envelope	e = HD__ENVELOPE__INIT;
	Hd__Refusal	r = HD__REFUSAL__INIT;

	if (cl->state == CLINK_ONLINE && detail != NULL) {
		r.reason = HD__REFUSAL__REASON__SHUTDOWN;
		r.detail = (char *)(uintptr_t)detail;
		e.body_case = HD__ENVELOPE__BODY_REFUSAL;
		e.refusal = &r;
		clink_send(cl, &e);
	}
	ev_timer_stop(cl->loop, &cl->timer);
	conn_close(&cl->conn);
	cl->state = CLINK_OFF;
}
