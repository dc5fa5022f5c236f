/*
 * Failover in hd-master (docs/FAILOVER.md): this node's role from the
 * config's master lines, the master's side of its standbys' links
 * (admission: the standby role in the certificate, the place in the
 * list, the licence's `standby` feature), the status the dashboard
 * reads, and the hooks state replication plugs into (cluster/ha.h).
 * A standby's own link to the master is ha_follow.c.
 */

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cluster/ha_int.h"
#include "ha_wire.h"
#include "licence/licence.h"
#include "log.h"
#include "master.h"
#include "cluster/cluster.h"
#include "net.h"
#include "tls.h"

int
ha_init(struct master *m)
{
	const struct ha_masters	*hm = &m->conf.masters;
	struct ha		*ha;
	int			 i;

	if ((ha = calloc(1, sizeof(*ha))) == NULL) {
		log_warnx("failover: out of memory");
		return -1;
	}
	m->ha = ha;
	ha->m = m;
	ha->st.self = ha_masters_find(hm, m->id);
	ha->st.nnodes = hm->n;
	for (i = 0; i < hm->n; i++) {
		snprintf(ha->st.node[i].id, sizeof(ha->st.node[i].id), "%s",
		    hm->id[i]);
		snprintf(ha->st.node[i].addr, sizeof(ha->st.node[i].addr),
		    "%s", hm->addr[i]);
	}
	if (m->force_promote && m->conf.slaves.n == 0) {
		log_warnx("failover: --force-promote needs the election "
		    "(the slave lines, docs/FAILOVER.md): refused");
		return -1;
	}
	if (hm->n == 0) {
		ha->st.role = HA_STATUS_SINGLE;
		return 0;
	}
	if (ha->st.self == -1) {
		log_warnx("failover: this node (%s) is not in the config's "
		    "master lines; a master-capable node names itself there",
		    m->id);
		return -1;
	}
	if (ha->st.self == 0 && m->conf.slaves.n == 0) {
		ha->st.role = HA_STATUS_MASTER;
		snprintf(ha->st.leader, sizeof(ha->st.leader), "%s", m->id);
		log_info("failover: master of %d master-capable node%s",
		    hm->n, hm->n == 1 ? "" : "s");
		return 0;
	}
	if (m->conf.slaves.n > 0)
		return ha_elect_init(ha);	/* the election decides */
	ha->st.role = HA_STATUS_STANDBY;
	return ha_follow_init(ha);
}

void
ha_start(struct master *m)
{
	if (m->ha != NULL && m->ha->st.role == HA_STATUS_STANDBY)
		ha_follow_start(m->ha);
	if (m->ha != NULL && m->ha->el != NULL)
		ha_elect_start(m->ha);
}

void
ha_stop(struct master *m)
{
	if (m->ha == NULL)
		return;
	ha_follow_stop(m->ha);
	if (m->ha->el != NULL)
		ha_elect_stop(m->ha);
}

/* The master stops: the API's waiting answers go now, as at a step
 * down (after which this finds none). */
void
ha_answer_owed(struct master *m)
{
	if (m->ha != NULL && m->ha->cmd_hooks.step_down != NULL)
		m->ha->cmd_hooks.step_down(m->ha->cmd_hooks_arg);
	if (m->ha != NULL && m->ha->down_fn != NULL)
		m->ha->down_fn(m);
}

void
ha_set_down_hook(struct master *m, void (*fn)(struct master *))
{
	if (m->ha != NULL)
		m->ha->down_fn = fn;
}

void
ha_set_role_hook(struct master *m, void (*fn)(struct master *, uint64_t))
{
	if (m->ha != NULL)
		m->ha->role_fn = fn;
}

void
ha_free(struct master *m)
{
	if (m->ha == NULL)
		return;
	if (m->ha->cctx != NULL)
		SSL_CTX_free(m->ha->cctx);
	ha_elect_free(m->ha);
	free(m->ha);
	m->ha = NULL;
}

int
ha_is_standby(const struct master *m)
{
	return m->ha != NULL && m->ha->st.role == HA_STATUS_STANDBY;
}

const struct ha_status *
ha_status(struct master *m)
{
	struct ha *ha = m->ha;

	/* Read now: a licence can change with SIGHUP or the API. */
	ha->st.licensed = licence_allows(m->licence, LICENCE_F_STANDBY);
	ha->st.term = m->term;
	return &ha->st;
}

void
ha_set_hooks(struct master *m, const struct ha_hooks *h, void *arg)
{
	m->ha->hooks = *h;
	m->ha->hook_arg = arg;
}

int
ha_send(struct master *m, int node, Hd__Envelope *e)
{
	struct ha *ha = m->ha;

	if (node < 0 || node >= HA_MAX_MASTERS)
		return -1;
	if (ha->sb[node] != NULL)
		return cluster_peer_send(ha->sb[node], e);
	if (ha->link.state == CLINK_ONLINE && ha->cur == node)
		return ha_follow_send(ha, e);
	return -1;
}

/* The master as this standby knows it: the one it follows or followed
 * last; without an election, the first master line. */
static const char *
ha_leader(const struct ha *ha)
{
	return ha->st.leader[0] ? ha->st.leader : ha->st.node[0].id;
}

static int
ha_leader_known(const struct ha *ha)
{
	return ha->el == NULL || (ha->st.leader[0] != '\0' &&
	    strcmp(ha->st.leader, ha->m->id) != 0);
}

/* Do the standby's slave lines equal ours? Else why, in d. */
static int
same_voters(struct peer *p, const Hd__Hello *h, char *d, size_t dlen)
{
	struct ha_slaves	 theirs;
	char			 err[128];
	size_t			 i;

	memset(&theirs, 0, sizeof(theirs));
	for (i = 0; i < h->n_voters; i++)
		if (ha_slaves_add(&theirs, h->voters[i], err,
		    sizeof(err)) == -1) {
			snprintf(d, dlen, "its slave lines: %s", err);
			return 0;
		}
	if (ha_slaves_same(&p->m->conf.slaves, &theirs, err, sizeof(err)))
		return 1;
	/* Cut short if need be: the reason's head says it all. */
	if (snprintf(d, dlen, "the slave lines of %s and %s differ (%s): "
	    "the voters must be the same on every master-capable node",
	    p->m->id, p->conn.peer_id, err) < 0)
		d[0] = '\0';
	return 0;
}

/* Why a standby may not join us, or NULL; its place in the list in *idx. */
static const char *
standby_refusal(struct peer *p, const Hd__Hello *h,
    Hd__Refusal__Reason *reason, int *idx, char *d, size_t dlen)
{
	struct master	*m = p->m;
	struct ha	*ha = m->ha;

	*reason = HD__REFUSAL__REASON__ROLE;
	if ((p->conn.peer_roles & (ROLE_MASTER | ROLE_SLAVE)) !=
	    (ROLE_MASTER | ROLE_SLAVE)) {
		snprintf(d, dlen, "certificate of %s lacks the standby role "
		    "(master and slave; hd-pki issue CA standby NAME)",
		    p->conn.peer_id);
		return d;
	}
	if (ha->st.role == HA_STATUS_SINGLE) {
		snprintf(d, dlen, "%s has no master lines: this "
		    "installation has no standby", m->id);
		return d;
	}
	*idx = ha_masters_find(&m->conf.masters, p->conn.peer_id);
	/* With an election any other node may follow us; without, the
	 * first line is the master for good. */
	if (*idx < 0 || *idx == ha->st.self ||
	    (*idx == 0 && ha->el == NULL)) {
		snprintf(d, dlen, "%s is not a standby in the master lines "
		    "of %s", p->conn.peer_id, m->id);
		return d;
	}
	if (ha->st.role != HA_STATUS_MASTER) {
		*reason = HD__REFUSAL__REASON__NOT_MASTER;
		snprintf(d, dlen, "%s is a standby, not the master; %s%s",
		    m->id, ha_leader_known(ha) ? "the master is " :
		    "no master is elected yet", ha_leader_known(ha) ?
		    ha_leader(ha) : "");
		return d;
	}
	if (!licence_allows(m->licence, LICENCE_F_STANDBY)) {
		*reason = HD__REFUSAL__REASON__LICENCE;
		snprintf(d, dlen, "the licence has no standby feature");
		return d;
	}
	if (!same_voters(p, h, d, dlen)) {
		*reason = HD__REFUSAL__REASON__CONFIG;
		return d;
	}
	return NULL;
}

int
ha_peer_welcome(struct peer *p)
{
	struct master	*m = p->m;
	Hd__Envelope	 e = HD__ENVELOPE__INIT;
	Hd__Welcome	 w = HD__WELCOME__INIT;

	w.master_id = m->id;
	w.version = (char *)(uintptr_t)HD_VERSION;
	w.term = m->term;
	w.heartbeat_ms = (uint32_t)m->conf.heartbeat_ms;
	w.timeout_ms = (uint32_t)m->conf.timeout_ms;
	e.body_case = HD__ENVELOPE__BODY_WELCOME;
	e.welcome = &w;
	return cluster_peer_send(p, &e);
}

int
ha_standby_hello(struct peer *p, const Hd__Hello *h)
{
	struct master		*m = p->m;
	struct ha		*ha = m->ha;
	struct ha_status_node	*sn;
	Hd__Refusal__Reason	 reason;
	char			 d[HA_STATUS_WHY];
	int			 idx = -1;

	p->standby = 1;
	if (standby_refusal(p, h, &reason, &idx, d, sizeof(d)) != NULL) {
		if (ha->hooks.refused != NULL &&
		    ha_masters_find(&m->conf.masters, p->conn.peer_id) >= 0)
			ha->hooks.refused(ha->hook_arg, ha_masters_find(
			    &m->conf.masters, p->conn.peer_id), reason, d);
		if (idx > 0)
			snprintf(ha->st.node[idx].why,
			    sizeof(ha->st.node[idx].why), "refused: %.160s", d);
		else
			snprintf(ha->st.why, sizeof(ha->st.why),
			    "standby %s refused: %.100s", p->conn.peer_id, d);
		return cluster_peer_refuse(p, reason, d);
	}
	if (ha->sb[idx] != NULL)
		cluster_peer_drop(ha->sb[idx], "replaced by a newer connection");
	p->state = PEER_STANDBY;
	p->ha_node = idx;
	ha->sb[idx] = p;
	m->npending--;
	sn = &ha->st.node[idx];
	sn->connected = 1;
	sn->since_ms = ev_wall_ms();
	sn->why[0] = '\0';
	log_info("standby %s (%s) admitted, term %" PRIu64, p->conn.peer_id,
	    p->conn.addr, m->term);
	if (ha_peer_welcome(p) == -1)
		return -1;
	ev_timer_start(m->loop, &p->timer, 0);
	if (ha->hooks.link != NULL)
		ha->hooks.link(ha->hook_arg, idx, 1);
	return 0;
}

int
ha_standby_frame(struct peer *p, Hd__Envelope *e)
{
	struct ha	*ha = p->m->ha;
	char		 d[128], why[160];

	if (e->body_case == HD__ENVELOPE__BODY_HEARTBEAT) {
		hb_received(&p->hb, ev_clock_ms(), e->heartbeat);
		return 0;
	}
	if (e->body_case == HD__ENVELOPE__BODY_REFUSAL) {
		snprintf(why, sizeof(why), "standby closed the link: %s",
		    str_vis(d, sizeof(d), e->refusal->detail));
		cluster_peer_drop(p, why);
		return -1;
	}
	if ((int)e->body_case >= HA_BODY_STATE_FIRST &&
	    ha->hooks.body != NULL) {
		if (ha->hooks.body(ha->hook_arg, p->ha_node, e) == -1) {
			cluster_peer_drop(p, "malformed state replication");
			return -1;
		}
		return 0;
	}
	if (ha_wire_is_ha(e)) {		/* the log stream's acknowledgement */
		if (ha_elect_feed(ha, (uint32_t)p->ha_node, e, why,
		    sizeof(why)) == -1) {
			cluster_peer_drop(p, why);
			return -1;
		}
		return 0;
	}
	cluster_peer_drop(p, "message a standby may not send");
	return -1;
}

void
ha_standby_gone(struct peer *p, const char *why)
{
	struct ha		*ha = p->m->ha;
	struct ha_status_node	*sn = &ha->st.node[p->ha_node];

	log_warnx("standby %s (%s) lost: %s", p->conn.peer_id, p->conn.addr,
	    why);
	ha->sb[p->ha_node] = NULL;
	sn->connected = 0;
	sn->synced = 0;
	sn->since_ms = ev_wall_ms();
	snprintf(sn->why, sizeof(sn->why), "lost: %s", why);
	if (ha->hooks.link != NULL)
		ha->hooks.link(ha->hook_arg, p->ha_node, 0);
}

int
ha_refuse_slave(struct peer *p)
{
	struct ha	*ha = p->m->ha;
	const char	*leader = ha_leader(ha);
	char		 d[HA_STATUS_WHY];
	int		 i = ha_masters_find(&p->m->conf.masters, leader);

	if (!ha_leader_known(ha)) {
		snprintf(d, sizeof(d), "%s is a standby, not the master; no "
		    "master is elected yet", p->m->id);
		return cluster_peer_refuse(p, HD__REFUSAL__REASON__NOT_MASTER,
		    d);
	}
	snprintf(d, sizeof(d), "%s is a standby, not the master; the master "
	    "is %s at %s", p->m->id, leader, i >= 0 ?
	    p->m->conf.masters.addr[i] : "?");
	return cluster_peer_refuse(p, HD__REFUSAL__REASON__NOT_MASTER, d);
}
