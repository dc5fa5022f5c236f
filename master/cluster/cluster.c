/*
 * The master's side of the cluster link: listeners, one peer per slave
 * connection, registration (Hello/Welcome), heartbeats, offline detection
 * and the reliable, sequenced bodies (announcements, reports, results).
 */

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cluster/ha.h"
#include "licence/licence.h"
#include "cluster/cluster.h"
#include "clink.h"
#include "log.h"
#include "master.h"
#include "net.h"
#include "wire.h"

static int	peer_open(struct conn *);
static int	peer_frame(struct conn *, ProtobufCMessage *);
static void	peer_fail(struct conn *, const char *);
static void	peer_timer(struct ev_timer *);

static const struct conn_ops peer_ops = { peer_open, peer_frame, peer_fail };

static struct master *
peer_master(struct peer *p)
{
	return p->m;
}

/* Close and free a peer, logging why; marks its node offline. */
static void
peer_drop(struct peer *p, const char *why)
{
	struct master	*m = peer_master(p);
	struct node	*n = p->node;

	if (p->state == PEER_STANDBY)
		ha_standby_gone(p, why);
	else if (p->state == PEER_VOTER)
		ha_voter_gone(p, why);
	else if (p->state == PEER_ONLINE) {
		log_info("slave %s (site \"%s\", %s) offline: %s", n->id,
		    n->site, p->conn.addr, why);
		n->peer = NULL;
		m->npeers--;
		cluster_obs_node(m, n, 0);
	} else {
		if (p->conn.peer_id[0] != '\0')
			log_warnx("%s %s (%s) refused: %s", p->standby ?
			    "standby" : "slave", p->conn.peer_id, p->conn.addr,
			    why);
		else
			log_warnx("connection from %s refused: %s",
			    p->conn.addr, why);
		m->npending--;
	}
	ev_timer_stop(m->loop, &p->timer);
	conn_close(&p->conn);
	TAILQ_REMOVE(&m->peers, p, entry);
	free(p);
}

/* What may be acknowledged to slave `n` (node.ack_below). */
static uint64_t
acked(const struct node *n)
{
	return n->ack_below != 0 && n->ack_below <= n->last_seq ?
	    n->ack_below - 1 : n->last_seq;
}

static int
peer_send(struct peer *p, Hd__Envelope *e)
{
	struct master *m = peer_master(p);

	e->term = m->term;
	e->ack = p->node != NULL ? acked(p->node) : 0;
	if (conn_send(&p->conn, &e->base) == -1) {
		peer_drop(p, "cannot send (output queue full or link error)");
		return -1;
	}
	return 0;
}

/* Tell the peer why, then drop it. Always returns -1 (peer gone). */
static int
peer_refuse(struct peer *p, Hd__Refusal__Reason reason, const char *detail)
{
	Hd__Envelope	e = HD__ENVELOPE__INIT;
	Hd__Refusal	r = HD__REFUSAL__INIT;

	r.reason = reason;
	r.detail = (char *)(uintptr_t)detail;
	e.body_case = HD__ENVELOPE__BODY_REFUSAL;
	e.refusal = &r;
	if (peer_send(p, &e) == -1)
		return -1;
	peer_drop(p, detail);
	return -1;
}

static void
accept_one(struct master *m, int lfd)
{
	struct peer	*p;
	char		 addr[INET6_ADDRSTRLEN + 8];
	int		 fd;

	if ((fd = net_accept(lfd, addr, sizeof(addr))) == -1)
		return;
	if (m->npending >= CLUSTER_MAX_PENDING ||
	    m->npeers >= CLUSTER_MAX_PEERS) {
		log_warnx("connection from %s refused: too many connections "
		    "(%d pending, %d online)", addr, m->npending, m->npeers);
		close(fd);
		return;
	}
	if ((p = calloc(1, sizeof(*p))) == NULL ||
	    conn_start(&p->conn, m->loop, fd, m->ctx, 1, 0, addr,
	    &hd__envelope__descriptor, &peer_ops, p) == -1) {
		log_warnx("connection from %s: out of memory", addr);
		free(p);
		close(fd);
		return;
	}
	p->m = m;
	p->state = PEER_HANDSHAKE;
	hb_start(&p->hb, ev_clock_ms());
	ev_timer_init(&p->timer, peer_timer, p);
	ev_timer_start(m->loop, &p->timer, CLUSTER_HANDSHAKE_MS);
	TAILQ_INSERT_TAIL(&m->peers, p, entry);
	m->npending++;
}

static void
accept_cb(struct ev_io *io, int rev)
{
	int i;

	(void)rev;
	/* Bounded, so a flood on one listener cannot starve the loop. */
	for (i = 0; i < 8; i++)
		accept_one(io->arg, io->fd);
}

int
cluster_listen(struct master *m)
{
	struct sockaddr_storage	ss;
	socklen_t		sl;
	int			i;

	for (i = 0; i < m->conf.nlisten; i++) {
		if (net_parse_addr(m->conf.listen[i], &ss, &sl) == -1 ||
		    (m->lfd[i] = net_listen(&ss, sl, 64)) == -1) {
			log_warn("listen %s", m->conf.listen[i]);
			return -1;
		}
		ev_io_init(&m->lio[i], m->lfd[i], accept_cb, m);
		ev_io_set(m->loop, &m->lio[i], EV_READ);
		log_info("cluster link listening on %s", m->conf.listen[i]);
	}
	return 0;
}

void
cluster_shutdown(struct master *m)
{
	struct peer	*p;
	int		 i;

	for (i = 0; i < m->conf.nlisten; i++) {
		ev_io_set(m->loop, &m->lio[i], 0);
		close(m->lfd[i]);
	}
	while ((p = TAILQ_FIRST(&m->peers)) != NULL) {
		if (p->state == PEER_ONLINE || p->state == PEER_STANDBY)
			peer_refuse(p, HD__REFUSAL__REASON__SHUTDOWN,
			    "master shutting down");
		else
			peer_drop(p, "master shutting down");
	}
}

/* After a CA/CRL reload: drop every peer whose certificate no longer
 * verifies (revoked since it connected). */
void
cluster_reverify(struct master *m)
{
	struct peer	*p, *next;
	char		 why[192];

	for (p = TAILQ_FIRST(&m->peers); p != NULL; p = next) {
		next = TAILQ_NEXT(p, entry);
		if (p->conn.state == CONN_OPEN &&
		    tls_reverify(m->ctx, p->conn.ssl, why, sizeof(why)) == -1)
			peer_drop(p, why);
	}
}

static int
peer_open(struct conn *c)
{
	struct peer *p = c->arg;

	p->state = PEER_HELLO;
	log_debug("TLS from %s: %s verified, waiting for hello", c->addr,
	    c->peer_id);
	return 0;
}

static int
check_hello(struct peer *p, const Hd__Hello *h)
{
	struct master	*m = peer_master(p);
	char		 d[160], vis[64];
	size_t		 i;

	if (strcmp(h->node_id, p->conn.peer_id) != 0) {
		snprintf(d, sizeof(d), "hello names node \"%s\" but the "
		    "certificate is %s", str_vis(vis, sizeof(vis), h->node_id),
		    p->conn.peer_id);
		return peer_refuse(p, HD__REFUSAL__REASON__NODE_ID_MISMATCH, d);
	}
	if (h->protocol < WIRE_PROTOCOL_MIN || h->protocol > WIRE_PROTOCOL) {
		snprintf(d, sizeof(d), "protocol %u not supported (we speak "
		    "%u to %u)", h->protocol, WIRE_PROTOCOL_MIN, WIRE_PROTOCOL);
		return peer_refuse(p, HD__REFUSAL__REASON__PROTOCOL, d);
	}
	if (strlen(h->site) == 0 || strlen(h->site) > SITE_NAME_MAX ||
	    strlen(h->version) > VERSION_MAX || h->boot_id == 0)
		return peer_refuse(p, HD__REFUSAL__REASON__BAD_HELLO,
		    "hello: bad site, version or boot id");
	/* A vote link's term is the election's business (ha_elect.c). */
	for (i = 0; i < h->n_capabilities; i++)
		if (h->capabilities[i] == HD__CAPABILITY__CAP_VOTER)
			return 0;
	if (h->highest_term > m->term) {
		snprintf(d, sizeof(d), "slave has seen term %" PRIu64
		    ", this master holds term %" PRIu64, h->highest_term,
		    m->term);
		return peer_refuse(p, HD__REFUSAL__REASON__STALE_TERM, d);
	}
	return 0;
}

static int
send_welcome(struct peer *p)
{
	struct master	*m = peer_master(p);
	Hd__Envelope	 e = HD__ENVELOPE__INIT;
	Hd__Welcome	 w = HD__WELCOME__INIT;

	w.master_id = m->id;
	w.version = (char *)(uintptr_t)HD_VERSION;
	w.term = m->term;
	w.resume_ack = acked(p->node);
	w.heartbeat_ms = (uint32_t)m->conf.heartbeat_ms;
	w.timeout_ms = (uint32_t)m->conf.timeout_ms;
	e.body_case = HD__ENVELOPE__BODY_WELCOME;
	e.welcome = &w;
	return peer_send(p, &e);
}

/* The licence's say (docs/LICENSING.md): a slave beyond its limit, or a
 * new one in limited mode, is refused with the reason. */
static int
admit(struct peer *p)
{
	struct master	*m = peer_master(p);
	struct node	*n = node_get(m, p->conn.peer_id, 0);
	char		 why[192];
	int		 online = m->npeers - (n != NULL && n->peer != NULL);

	if (licence_admit(m->licence, p->conn.peer_id, online, why,
	    sizeof(why)) == -1)
		return peer_refuse(p, HD__REFUSAL__REASON__LICENCE, why);
	return 0;
}

/* A standby master or a voter speaks its own protocol after the hello
 * (ha.c, ha_elect.c). Returns 1 if the hello was one of theirs, with
 * their verdict in *r; 0 for a slave. */
static int
hello_for_ha(struct peer *p, const Hd__Hello *h, int *r)
{
	size_t i;

	for (i = 0; i < h->n_capabilities; i++)
		if (h->capabilities[i] == HD__CAPABILITY__CAP_STANDBY) {
			*r = ha_standby_hello(p, h);
			return 1;
		} else if (h->capabilities[i] == HD__CAPABILITY__CAP_VOTER) {
			*r = ha_voter_hello(p);
			return 1;
		}
	return 0;
}

/* Whether this master takes the slave at all: not while a standby, only
 * one of its slave lines when it has any, and within the licence. */
static int
slave_allowed(struct peer *p)
{
	struct master	*m = peer_master(p);
	char		 d[HA_ADDR_MAX + 2 * NODE_ID_MAX + 96];

	if (ha_is_standby(m))
		return ha_refuse_slave(p);
	if (m->conf.slaves.n > 0 &&
	    ha_slaves_find(&m->conf.slaves, p->conn.peer_id) == -1) {
		snprintf(d, sizeof(d), "%s is not in the slave lines of %s "
		    "(the installation's voters)", p->conn.peer_id, m->id);
		return peer_refuse(p, HD__REFUSAL__REASON__ROLE, d);
	}
	return admit(p);
}

/* The node the hello speaks for, taken over from an older connection;
 * a new boot id restarts its report sequence. NULL: the peer was
 * dropped. */
static struct node *
hello_node(struct peer *p, const Hd__Hello *h)
{
	struct master	*m = peer_master(p);
	struct node	*n;

	if ((n = node_get(m, p->conn.peer_id, 1)) == NULL) {
		peer_drop(p, "out of memory");
		return NULL;
	}
	if (n->peer != NULL) {
		log_warnx("slave %s: new connection from %s replaces the one "
		    "from %s", n->id, p->conn.addr, n->peer->conn.addr);
		peer_drop(n->peer, "replaced by a newer connection");
	}
	if (n->boot_id != h->boot_id) {	/* restarted: sequence restarts */
		n->boot_id = h->boot_id;
		n->last_seq = n->ack_below = 0;
		cluster_obs_restarted(m, n);
	}
	return n;
}

/* Binds peer and node and counts the peer online. */
static void
node_attach(struct peer *p, struct node *n, const Hd__Hello *h)
{
	struct master *m = peer_master(p);

	str_vis(n->site, sizeof(n->site), h->site);
	str_vis(n->version, sizeof(n->version), h->version);
	n->caps = node_caps(h);
	snprintf(n->addr, sizeof(n->addr), "%s", p->conn.addr);
	n->peer = p;
	n->online_since = n->last_seen = ev_wall_ms();
	p->node = n;
	p->state = PEER_ONLINE;
	m->npending--;
	m->npeers++;
	log_info("slave %s (site \"%s\", version %s, %s) online, term %"
	    PRIu64 ", resuming after report %" PRIu64, n->id, n->site,
	    n->version, p->conn.addr, m->term, n->last_seq);
}

static int
handle_hello(struct peer *p, const Hd__Hello *h)
{
	struct master	*m = peer_master(p);
	struct node	*n;
	int		 r;

	if (check_hello(p, h) == -1)
		return -1;
	if (hello_for_ha(p, h, &r))
		return r;
	if (slave_allowed(p) == -1 || (n = hello_node(p, h)) == NULL)
		return -1;
	node_attach(p, n, h);
	if (send_welcome(p) == -1)
		return -1;
	ev_timer_start(m->loop, &p->timer, 0);
	cluster_obs_node(m, n, 1);
	ha_node_online(m, n);	/* the log's unanswered commands again */
	return 0;
}

static void
peer_fail(struct conn *c, const char *why)
{
	peer_drop(c->arg, why);
}

static int
beat_send(void *arg, Hd__Envelope *e)
{
	return peer_send(arg, e);
}

static void
beat_drop(void *arg, const char *why)
{
	peer_drop(arg, why);
}

static const struct clink_beat_ops peer_beat_ops = { beat_send, beat_drop };

/*
 * One timer per peer: the handshake/hello deadline before registration,
 * then the heartbeats (shared/clink.c's clink_beat(), as on the slave's
 * end of the link).
 */
static void
peer_timer(struct ev_timer *t)
{
	struct peer	*p = t->arg;
	struct master	*m = peer_master(p);
	uint64_t	 wait;

	if (p->state == PEER_HANDSHAKE || p->state == PEER_HELLO) {
		peer_drop(p, p->state == PEER_HANDSHAKE ?
		    "TLS handshake not finished in time" :
		    "no hello in time after the handshake");
		return;
	}
	if (clink_beat(&p->hb, (uint64_t)m->conf.heartbeat_ms,
	    (uint64_t)m->conf.timeout_ms, &peer_beat_ops, p, &wait) == 0)
		ev_timer_start(m->loop, t, wait);
}

static int
handle_announce(struct peer *p, Hd__Envelope *e)
{
	struct node		*n = p->node;
	Hd__DeviceAnnounce	*da = e->announce;
	const char		*why;
	char			 d[128];

	e->announce = NULL;		/* the node table owns it now */
	if ((why = node_set_devices(n, da)) != NULL) {
		snprintf(d, sizeof(d), "device list refused: %s", why);
		peer_drop(p, d);
		return -1;
	}
	log_info("slave %s announced %zu device%s", n->id,
	    n->devices->n_devices, n->devices->n_devices == 1 ? "" : "s");
	cluster_obs_devices(peer_master(p), n);
	return 0;
}

static void
handle_report(struct peer *p, const Hd__ValueReport *r)
{
	char vis[DEVICE_ID_MAX + 1], kvis[VALUE_KEY_MAX + 1];

	if (node_set_value(p->node, r) == -1)
		log_warnx("slave %s: report for unknown value \"%s\".\"%s\" "
		    "ignored", p->node->id, str_vis(vis, sizeof(vis),
		    r->device_id), str_vis(kvis, sizeof(kvis), r->key));
	else {
		log_debug("slave %s: %s.%s updated", p->node->id,
		    r->device_id, r->key);
		cluster_obs_value(peer_master(p), p->node, r);
	}
}

static void
handle_result(struct peer *p, const Hd__CommandResult *r)
{
	char vis[128];

	log_info("slave %s: command %" PRIu64 " %s%s%s%s", p->node->id, r->id,
	    protobuf_c_enum_descriptor_get_value(
	    &hd__command_result__status__descriptor, (int)r->status) ?
	    protobuf_c_enum_descriptor_get_value(
	    &hd__command_result__status__descriptor, (int)r->status)->name :
	    "?", r->detail[0] ? ": " : "", str_vis(vis, sizeof(vis),
	    r->detail), r->duplicate ? " (repeat)" : "");
	ha_command_result(peer_master(p), p->node, r);	/* into the log */
	cluster_obs_result(peer_master(p), p->node, r);
}

static void
handle_fault(struct peer *p, const Hd__Fault *f)
{
	char d[128], s[32], dev[DEVICE_ID_MAX + 1];

	log_warnx("slave %s: %s fault %s%s%s: %s", p->node->id,
	    str_vis(s, sizeof(s), f->subsystem), f->active ? "raised" :
	    "cleared", f->device_id[0] ? " on " : "",
	    str_vis(dev, sizeof(dev), f->device_id),
	    str_vis(d, sizeof(d), f->detail));
}

/* A safe state a cut-off slave set on its own (docs/ZWAVE.md#safe-
 * states), heard when it is back: logged; its value came as a report. */
static void
handle_safe_state(struct peer *p, const Hd__SafeState *ss)
{
	char dev[DEVICE_ID_MAX + 1], key[VALUE_KEY_MAX + 1], d[128];

	log_warnx("slave %s: set %s.%s to its safe state after %" PRIu64
	    " ms without a master: %s%s%s", p->node->id,
	    str_vis(dev, sizeof(dev), ss->device_id),
	    str_vis(key, sizeof(key), ss->key), ss->cut_off_ms,
	    ss->status == HD__COMMAND_RESULT__STATUS__OK ? "done" : "failed",
	    ss->detail[0] ? ": " : "", str_vis(d, sizeof(d), ss->detail));
}

/* A body an observer handles (Z-Wave progress), or none may. */
static int
dispatch_other(struct peer *p, Hd__Envelope *e)
{
	const char	*name = "";
	char		 why[96];

	switch (cluster_obs_body(p->m, p->node, e, &name)) {
	case 0:
		return 0;
	case -1:
		snprintf(why, sizeof(why), "malformed %s", name);
		peer_drop(p, why);
		return -1;
	default:
		peer_drop(p, "message a slave may not send");
		return -1;
	}
}

/* The slave closed the link and said why: drop our end with its words. */
static int
handle_refusal(struct peer *p, const Hd__Refusal *r)
{
	char d[128], why[160];

	snprintf(why, sizeof(why), "slave closed the link: %s",
	    str_vis(d, sizeof(d), r->detail));
	peer_drop(p, why);
	return -1;
}

/* A numbered envelope at or below the last one seen is a resend after a
 * reconnect: 0 to skip it. Unnumbered ones (heartbeats) always count. */
static int
seq_fresh(struct node *n, const Hd__Envelope *e)
{
	if (e->seq == 0)
		return 1;
	if (e->seq <= n->last_seq) {
		log_debug("slave %s: duplicate seq %" PRIu64 " ignored",
		    n->id, e->seq);
		return 0;
	}
	n->last_seq = e->seq;
	return 1;
}

/* A registered slave's envelope. Returns -1 if the peer was dropped. */
static int
dispatch(struct peer *p, Hd__Envelope *e)
{
	if (!seq_fresh(p->node, e))
		return 0;
	switch (e->body_case) {
	case HD__ENVELOPE__BODY_HEARTBEAT:
		hb_received(&p->hb, ev_clock_ms(), e->heartbeat);
		break;
	case HD__ENVELOPE__BODY_ANNOUNCE:
		return handle_announce(p, e);
	case HD__ENVELOPE__BODY_REPORT:
		handle_report(p, e->report);
		break;
	case HD__ENVELOPE__BODY_RESULT:
		handle_result(p, e->result);
		break;
	case HD__ENVELOPE__BODY_FAULT:
		handle_fault(p, e->fault);
		break;
	case HD__ENVELOPE__BODY_SAFE_STATE:
		handle_safe_state(p, e->safe_state);
		break;
	case HD__ENVELOPE__BODY_REFUSAL:
		return handle_refusal(p, e->refusal);
	default:
		return dispatch_other(p, e);
	}
	return 0;
}

static int
peer_frame(struct conn *c, ProtobufCMessage *msg)
{
	struct peer	*p = c->arg;
	Hd__Envelope	*e = (Hd__Envelope *)msg;
	int		 r;

	hb_heard(&p->hb, ev_clock_ms());
	if (e->term > p->m->term && p->state != PEER_VOTER)
		log_warnx("%s reports term %" PRIu64 " above ours (%" PRIu64
		    "): another master may be active", c->peer_id, e->term,
		    p->m->term);
	if (p->state == PEER_HELLO) {
		if (e->body_case == HD__ENVELOPE__BODY_HELLO)
			r = handle_hello(p, e->hello);
		else {
			peer_drop(p, "first message is not a hello");
			r = -1;
		}
	} else if (p->state == PEER_STANDBY)
		r = ha_standby_frame(p, e);
	else if (p->state == PEER_VOTER)
		r = ha_voter_frame(p, e);
	else {
		p->node->last_seen = ev_wall_ms();
		r = dispatch(p, e);
	}
	wire_free(msg);
	return r;
}

/* Send a command to an online slave; assigns its id unless the caller
 * derived one (a scheduled firing's, SCHED_CMD_ID_BASE). -1: offline/failed. */
int
cluster_command(struct master *m, struct node *n, Hd__Command *cmd)
{
	Hd__Envelope e = HD__ENVELOPE__INIT;

	if (n->peer == NULL ||
	    (cmd->id == 0 && (cmd->id = cluster_command_id(m)) == 0))
		return -1;
	e.seq = ++m->seq;
	e.body_case = HD__ENVELOPE__BODY_COMMAND;
	e.command = cmd;
	return peer_send(n->peer, &e);
}

/* Send a body to an online slave, with the next sequence number. */
int
cluster_send(struct master *m, struct node *n, Hd__Envelope *e)
{
	if (n->peer == NULL || n->peer->state != PEER_ONLINE)
		return -1;
	e->seq = ++m->seq;
	return peer_send(n->peer, e);
}

/* For cluster/ha.c: the same as for a slave. */
int
cluster_peer_send(struct peer *p, Hd__Envelope *e)
{
	return peer_send(p, e);
}

int
cluster_peer_refuse(struct peer *p, Hd__Refusal__Reason reason,
    const char *detail)
{
	return peer_refuse(p, reason, detail);
}

void
cluster_peer_drop(struct peer *p, const char *why)
{
	peer_drop(p, why);
}
