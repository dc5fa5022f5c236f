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

static void	follow_target(struct clink *, const char **, const char **);
static int	follow_hello(struct clink *, Hd__Hello *);
static int	follow_welcome(struct clink *, const Hd__Welcome *);
static void	follow_frame(struct clink *, Hd__Envelope *);
static uint64_t	follow_down(struct clink *, const char *, int);

static const struct clink_ops follow_ops = {
	follow_target, follow_hello, follow_welcome, follow_frame, follow_down
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
		ha->link.state = CLINK_OFF;
		return 0;
	}
	ha->cctx = tls_ctx_new(&m->conf.tls, 0, ROLE_SLAVE, ROLE_MASTER, err,
	    sizeof(err));
	if (ha->cctx == NULL) {
		log_warnx("failover: TLS setup: %s", err);
		return -1;
	}
	ha->link.state = CLINK_IDLE;	/* it can follow: ha_follow_start */
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

static uint64_t
follow_down(struct clink *cl, const char *why, int was_online)
{
	struct ha		*ha = cl->arg;
	struct ha_status_node	*sn = &ha->st.node[ha->cur];

	if (was_online) {
		log_warnx("standby: lost master %s (%s): %s", sn->id,
		    sn->addr, why);
		sn->connected = 0;
		sn->since_ms = ev_wall_ms();
		if (ha->hooks.link != NULL)
			ha->hooks.link(ha->hook_arg, ha->cur, 0);
		cl->backoff = cl->backoff_min;
	} else
		log_warnx("standby: master %s at %s: %s", sn->id, sn->addr,
		    why);
	snprintf(sn->why, sizeof(sn->why), "%s", why);
	ha->cur = next_node(ha, ha->cur);
	if (++ha->tried < ha->st.nnodes - 1)
		return FOLLOW_RETRY_MIN_MS;
	ha->tried = 0;
	return clink_backoff(cl);
}

static void
follow_target(struct clink *cl, const char **addr, const char **id)
{
	struct ha *ha = cl->arg;

	*addr = ha->st.node[ha->cur].addr;
	*id = ha->st.node[ha->cur].id;
}

int
ha_follow_send(struct ha *ha, Hd__Envelope *e)
{
	return clink_send(&ha->link, e);
}

static int
follow_hello(struct clink *cl, Hd__Hello *h)
{
	struct ha	*ha = cl->arg;
	Hd__Capability	 cap = HD__CAPABILITY__CAP_STANDBY;
	char		*voters[HA_MAX_SLAVES];
	int		 i;

	h->site = ha->m->id;
	h->capabilities = &cap;
	h->n_capabilities = 1;
	/* The master compares them with its own: one numbering of voters. */
	for (i = 0; i < ha->m->conf.slaves.n; i++)
		voters[i] = ha->m->conf.slaves.id[i];
	h->voters = voters;
	h->n_voters = (size_t)ha->m->conf.slaves.n;
	return clink_hello(cl, h);
}

static int
follow_welcome(struct clink *cl, const Hd__Welcome *w)
{
	struct ha		*ha = cl->arg;
	struct master		*m = ha->m;
	struct ha_status_node	*sn = &ha->st.node[ha->cur];

	clink_timing(cl, w);
	clink_online(cl);
	ha->tried = 0;
	snprintf(ha->st.leader, sizeof(ha->st.leader), "%s", sn->id);
	sn->connected = 1;
	sn->since_ms = ev_wall_ms();
	sn->why[0] = '\0';
	log_info("standby: following master %s (%s), term %" PRIu64
	    " (ours %" PRIu64 ")", sn->id, cl->conn.addr, w->term, m->term);
	if (ha->hooks.link != NULL)
		ha->hooks.link(ha->hook_arg, ha->cur, 1);
	return 0;
}

/* After the Welcome (and a Refusal before it). */
static void
follow_frame(struct clink *cl, Hd__Envelope *e)
{
	struct ha *ha = cl->arg;

	if (e->body_case == HD__ENVELOPE__BODY_HEARTBEAT)
		clink_heartbeat_in(cl, e->heartbeat);
	else if (e->body_case == HD__ENVELOPE__BODY_REFUSAL)
		clink_refused(cl, e->refusal);
	else if ((int)e->body_case >= HA_BODY_STATE_FIRST &&
	    ha->hooks.body != NULL) {
		if (ha->hooks.body(ha->hook_arg, ha->cur, e) == -1)
			clink_down(cl, "malformed state replication");
	} else if (ha_wire_is_ha(e) && ha->el != NULL) {
		char why[160];		/* the master's log stream */

		if (ha_elect_feed(ha, (uint32_t)ha->cur, e, why,
		    sizeof(why)) == -1)
			clink_down(cl, why);
	} else
		clink_down(cl, "message a master may not send a standby");
}

void
ha_follow_start(struct ha *ha)
{
	struct clink *cl = &ha->link;

	if (cl->state == CLINK_OFF)
		return;
	cl->loop = ha->m->loop;
	cl->ctx = ha->cctx;
	cl->ops = &follow_ops;
	cl->arg = ha;
	cl->self = ha->m->id;
	cl->term = &ha->m->term;
	cl->ack = NULL;
	cl->boot_id = clink_boot_id();
	cl->hb_ms = (uint64_t)ha->m->conf.heartbeat_ms;
	cl->timeout_ms = (uint64_t)ha->m->conf.timeout_ms;
	cl->backoff_min = FOLLOW_RETRY_MIN_MS;
	cl->backoff_max = FOLLOW_RETRY_MAX_MS;
	ha->cur = next_node(ha, ha->st.self);
	clink_start(cl);
}

void
ha_follow_stop(struct ha *ha)
{
	if (ha->link.state == CLINK_OFF)
		return;
	clink_stop(&ha->link, "standby shutting down");
}
