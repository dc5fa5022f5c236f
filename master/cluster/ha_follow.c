/*
 * A standby's link to the master (docs/FAILOVER.md): a TLS client
 * connection over the cluster link, as a slave's, to the other nodes of
 * the config's master lines in turn until one welcomes us. Our Hello
 * claims CAP_STANDBY; the master checks our certificate's standby role
 * and its licence. A refusal is logged with its reason and kept in the
 * status; the next try comes after a back-off.
 */

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cluster/ha_int.h"
#include "ha_wire.h"
#include "log.h"
#include "master.h"
#include "cluster/cluster.h"
#include "net.h"
#include "tls.h"
#include "wire.h"

#define FOLLOW_RETRY_MIN_MS	100
#define FOLLOW_RETRY_MAX_MS	5000

static int	follow_open(struct conn *);
static int	follow_frame(struct conn *, ProtobufCMessage *);
static void	follow_fail(struct conn *, const char *);
static void	follow_timer(struct ev_timer *);

static const struct conn_ops follow_ops = {
	follow_open, follow_frame, follow_fail
};

/* The standby's client context: our certificate must carry both roles
 * (hd-pki's "standby"), the master's the master role. */
int
ha_follow_init(struct ha *ha)
{
	struct master	*m = ha->m;
	char		 err[256];
	int		 roles;

	roles = tls_cert_roles(SSL_CTX_get0_certificate(m->ctx));
	if ((roles & ROLE_SLAVE) == 0) {
		snprintf(ha->st.why, sizeof(ha->st.why), "certificate of %s "
		    "lacks the standby role (master and slave): it cannot "
		    "follow the master", m->id);
		log_warnx("failover: %s", ha->st.why);
		ha->fstate = FOLLOW_OFF;
		return 0;
	}
	ha->cctx = tls_ctx_new(&m->conf.tls, 0, ROLE_SLAVE, ROLE_MASTER, err,
	    sizeof(err));
	if (ha->cctx == NULL) {
		log_warnx("failover: TLS setup: %s", err);
		return -1;
	}
	ha->fstate = FOLLOW_IDLE;
	log_info("failover: standby %d of %d master-capable nodes",
	    ha->st.self, ha->st.nnodes);
	return 0;
}

/* The next node to try after `cur`, never ourselves. */
static int
next_node(const struct ha *ha, int cur)
{
	int i, n = ha->st.nnodes;

	for (i = 1; i <= n; i++)
		if ((cur + i) % n != ha->st.self)
			return (cur + i) % n;
	return cur;
}

static void
follow_down(struct ha *ha, const char *why)
{
	struct master		*m = ha->m;
	struct ha_status_node	*sn = &ha->st.node[ha->cur];
	uint64_t		 delay = FOLLOW_RETRY_MIN_MS;

	if (ha->fstate == FOLLOW_ONLINE) {
		log_warnx("standby: lost master %s (%s): %s", sn->id,
		    sn->addr, why);
		sn->connected = 0;
		sn->since_ms = ev_wall_ms();
		if (ha->hooks.link != NULL)
			ha->hooks.link(ha->hook_arg, ha->cur, 0);
		ha->backoff = FOLLOW_RETRY_MIN_MS;
	} else
		log_warnx("standby: master %s at %s: %s", sn->id, sn->addr,
		    why);
	snprintf(sn->why, sizeof(sn->why), "%s", why);
	conn_close(&ha->conn);
	ha->cur = next_node(ha, ha->cur);
	if (++ha->tried >= ha->st.nnodes - 1) {
		ha->tried = 0;
		delay = ha->backoff;
		ha->backoff = ha->backoff * 2 > FOLLOW_RETRY_MAX_MS ?
		    FOLLOW_RETRY_MAX_MS : ha->backoff * 2;
	}
	ha->fstate = FOLLOW_IDLE;
	ev_timer_start(m->loop, &ha->timer, delay);
}

static void
follow_connect(struct ha *ha)
{
	struct sockaddr_storage	 ss;
	socklen_t		 sl;
	const char		*addr = ha->st.node[ha->cur].addr;
	int			 fd, inprogress;

	ha->fstate = FOLLOW_CONNECTING;
	if (net_parse_addr(addr, &ss, &sl) == -1 ||
	    (fd = net_connect(&ss, sl, &inprogress)) == -1) {
		follow_down(ha, "cannot connect");
		return;
	}
	if (conn_start(&ha->conn, ha->m->loop, fd, ha->cctx, 0, inprogress,
	    addr, &hd__envelope__descriptor, &follow_ops, ha) == -1) {
		close(fd);
		follow_down(ha, "TLS setup failed");
		return;
	}
	ev_timer_start(ha->m->loop, &ha->timer, CLUSTER_HANDSHAKE_MS);
}

int
ha_follow_send(struct ha *ha, Hd__Envelope *e)
{
	e->term = ha->m->term;
	if (conn_send(&ha->conn, &e->base) == -1) {
		follow_down(ha, "cannot send (output queue full or link "
		    "error)");
		return -1;
	}
	return 0;
}

static int
follow_open(struct conn *c)
{
	struct ha	*ha = c->arg;
	Hd__Envelope	 e = HD__ENVELOPE__INIT;
	Hd__Hello	 h = HD__HELLO__INIT;
	Hd__Capability	 cap = HD__CAPABILITY__CAP_STANDBY;
	char		*voters[HA_MAX_SLAVES];
	int		 i;

	if (strcmp(c->peer_id, ha->st.node[ha->cur].id) != 0) {
		char d[160];

		snprintf(d, sizeof(d), "its certificate is %s, the master "
		    "lines name %s there", c->peer_id,
		    ha->st.node[ha->cur].id);
		follow_down(ha, d);
		return -1;
	}
	h.node_id = ha->m->id;
	h.version = (char *)(uintptr_t)HD_VERSION;
	h.site = ha->m->id;
	h.capabilities = &cap;
	h.n_capabilities = 1;
	h.boot_id = ha->boot_id;
	h.highest_term = ha->m->term;
	h.protocol = WIRE_PROTOCOL;
	/* The master compares them with its own: one numbering of voters. */
	for (i = 0; i < ha->m->conf.slaves.n; i++)
		voters[i] = ha->m->conf.slaves.id[i];
	h.voters = voters;
	h.n_voters = (size_t)ha->m->conf.slaves.n;
	e.body_case = HD__ENVELOPE__BODY_HELLO;
	e.hello = &h;
	return ha_follow_send(ha, &e);
}

static int
handle_welcome(struct ha *ha, const Hd__Welcome *w)
{
	struct master		*m = ha->m;
	struct ha_status_node	*sn = &ha->st.node[ha->cur];

	if (strcmp(w->master_id, ha->conn.peer_id) != 0) {
		follow_down(ha, "welcome names another master than its "
		    "certificate");
		return -1;
	}
	if (w->heartbeat_ms >= 100 && w->heartbeat_ms < w->timeout_ms &&
	    w->timeout_ms <= 600000) {
		ha->hb_ms = w->heartbeat_ms;
		ha->timeout_ms = w->timeout_ms;
	}
	ha->fstate = FOLLOW_ONLINE;
	ha->tried = 0;
	ha->backoff = FOLLOW_RETRY_MIN_MS;
	hb_start(&ha->hb, ev_clock_ms());
	snprintf(ha->st.leader, sizeof(ha->st.leader), "%s", sn->id);
	sn->connected = 1;
	sn->since_ms = ev_wall_ms();
	sn->why[0] = '\0';
	log_info("standby: following master %s (%s), term %" PRIu64
	    " (ours %" PRIu64 ")", sn->id, ha->conn.addr, w->term, m->term);
	ev_timer_start(m->loop, &ha->timer, 0);
	if (ha->hooks.link != NULL)
		ha->hooks.link(ha->hook_arg, ha->cur, 1);
	return 0;
}

static void
handle_refusal(struct ha *ha, const Hd__Refusal *r)
{
	const ProtobufCEnumValue	*v;
	char				 why[HA_STATUS_WHY], d[128];

	v = protobuf_c_enum_descriptor_get_value(
	    &hd__refusal__reason__descriptor, (int)r->reason);
	snprintf(why, sizeof(why), "refused: %s: %s", v ? v->name : "?",
	    str_vis(d, sizeof(d), r->detail));
	follow_down(ha, why);
}

static void
dispatch(struct ha *ha, Hd__Envelope *e)
{
	if (ha->fstate != FOLLOW_ONLINE) {
		if (e->body_case == HD__ENVELOPE__BODY_WELCOME)
			handle_welcome(ha, e->welcome);
		else if (e->body_case == HD__ENVELOPE__BODY_REFUSAL)
			handle_refusal(ha, e->refusal);
		else
			follow_down(ha, "expected welcome");
		return;
	}
	if (e->body_case == HD__ENVELOPE__BODY_HEARTBEAT)
		hb_received(&ha->hb, ev_clock_ms(), e->heartbeat);
	else if (e->body_case == HD__ENVELOPE__BODY_REFUSAL)
		handle_refusal(ha, e->refusal);
	else if ((int)e->body_case >= HA_BODY_STATE_FIRST &&
	    ha->hooks.body != NULL) {
		if (ha->hooks.body(ha->hook_arg, ha->cur, e) == -1)
			follow_down(ha, "malformed state replication");
	} else if (ha_wire_is_ha(e) && ha->el != NULL) {
		char why[160];		/* the master's log stream */

		if (ha_elect_feed(ha, (uint32_t)ha->cur, e, why,
		    sizeof(why)) == -1)
			follow_down(ha, why);
	} else
		follow_down(ha, "message a master may not send a standby");
}

static int
follow_frame(struct conn *c, ProtobufCMessage *msg)
{
	struct ha *ha = c->arg;

	hb_heard(&ha->hb, ev_clock_ms());
	dispatch(ha, (Hd__Envelope *)msg);
	wire_free(msg);
	return ha->conn.state == CONN_CLOSED ? -1 : 0;
}

static void
follow_fail(struct conn *c, const char *why)
{
	follow_down(c->arg, why);
}

static void
heartbeat(struct ha *ha)
{
	Hd__Envelope	e = HD__ENVELOPE__INIT;
	Hd__Heartbeat	hb = HD__HEARTBEAT__INIT;
	uint64_t	now = ev_clock_ms(), wait;
	char		why[96];

	switch (hb_check(&ha->hb, now, ha->timeout_ms, &wait)) {
	case HB_DEAD:
		snprintf(why, sizeof(why), "heartbeat timeout (silent for %"
		    PRIu64 " ms)", now - ha->hb.last_rx);
		follow_down(ha, why);
		return;
	case HB_SEND:
		hb_fill(&ha->hb, now, ha->hb_ms, &hb);
		e.body_case = HD__ENVELOPE__BODY_HEARTBEAT;
		e.heartbeat = &hb;
		if (ha_follow_send(ha, &e) == -1)
			return;
		hb_check(&ha->hb, now, ha->timeout_ms, &wait);
		break;
	case HB_WAIT:
		break;
	}
	ev_timer_start(ha->m->loop, &ha->timer, wait);
}

static void
follow_timer(struct ev_timer *t)
{
	struct ha *ha = t->arg;

	switch (ha->fstate) {
	case FOLLOW_OFF:
		break;
	case FOLLOW_IDLE:
		follow_connect(ha);
		break;
	case FOLLOW_CONNECTING:
		follow_down(ha, "no welcome in time");
		break;
	case FOLLOW_ONLINE:
		heartbeat(ha);
		break;
	}
}

void
ha_follow_start(struct ha *ha)
{
	if (ha->fstate == FOLLOW_OFF)
		return;
	if (net_random(&ha->boot_id, sizeof(ha->boot_id)) == -1 ||
	    ha->boot_id == 0)
		ha->boot_id = (uint64_t)getpid() << 32 | ev_clock_ms();
	ha->backoff = FOLLOW_RETRY_MIN_MS;
	ha->hb_ms = (uint32_t)ha->m->conf.heartbeat_ms;
	ha->timeout_ms = (uint32_t)ha->m->conf.timeout_ms;
	ha->cur = next_node(ha, ha->st.self);
	ev_timer_init(&ha->timer, follow_timer, ha);
	ev_timer_start(ha->m->loop, &ha->timer, 0);
}

void
ha_follow_stop(struct ha *ha)
{
	Hd__Envelope	e = HD__ENVELOPE__INIT;
	Hd__Refusal	r = HD__REFUSAL__INIT;

	if (ha->fstate == FOLLOW_OFF)
		return;
	if (ha->fstate == FOLLOW_ONLINE) {
		r.reason = HD__REFUSAL__REASON__SHUTDOWN;
		r.detail = (char *)(uintptr_t)"standby shutting down";
		e.body_case = HD__ENVELOPE__BODY_REFUSAL;
		e.refusal = &r;
		ha_follow_send(ha, &e);
	}
	ev_timer_stop(ha->m->loop, &ha->timer);
	conn_close(&ha->conn);
	ha->fstate = FOLLOW_OFF;
}
