/*
 * Z-Wave inclusion and exclusion as the master sees them: one state per
 * slave, started and stopped through the API (api_zwave.c), followed from
 * the slave's ZwProgress messages, each logged and handed to whoever
 * subscribed (zwm_subscribe: the event stream, later the dashboard).
 *
 * The slave owns the stick and its timers; the master only mirrors what
 * it was told, with a bounded history of the last ZW_INCL_HISTORY steps.
 * A progress message is checked whole (enums, node id, reason) before
 * anything is kept: a slave that sends a bad one is dropped.
 */

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cluster/cluster.h"
#include "licence/licence.h"
#include "log.h"
#include "master.h"
#include "net.h"
#include "zwave/zwave.h"

struct zwm_sub {
	zwm_progress_fn	*fn;
	void		*arg;
};

struct zwm_msub {
	zwm_maint_fn	*fn;
	void		*arg;
};

struct zwm {
	struct zwm_sub	 sub[ZW_INCL_SUBSCRIBERS];
	int		 nsub;
	struct zwm_msub	 msub[ZW_INCL_SUBSCRIBERS];	/* maintenance */
	int		 nmsub;
};

/* The step's name; an exclusion's protocol exchange (the state it shares
 * with inclusion's, ADDING) is "removing". */
const char *
zwm_state_name(int st, int action)
{
	static const char *const names[] = { "idle", "ready", "node_found",
	    "adding", "protocol_done", "done", "failed", "timeout",
	    "cancelled", "refused", "interviewed", "s2_grant", "s2_pin",
	    "security" };

	if (st == ZWM_REQUESTED)
		return "requested";
	if (st == HD__ZW_PROGRESS__STATE__ADDING &&
	    action == HD__ZW_INCLUSION__ACTION__EXCLUDE)
		return "removing";
	if (st < 0 || (size_t)st >= sizeof(names) / sizeof(names[0]))
		return "?";
	return names[st];
}

const char *
zwm_action_name(int a)
{
	return a == HD__ZW_INCLUSION__ACTION__INCLUDE ? "include" :
	    a == HD__ZW_INCLUSION__ACTION__EXCLUDE ? "exclude" :
	    a == HD__ZW_INCLUSION__ACTION__GRANT ? "grant" : "stop";
}

int
zwm_init(struct master *m)
{
	if ((m->zw = calloc(1, sizeof(*m->zw))) == NULL)
		return -1;
	return 0;
}

void
zwm_free(struct master *m)
{
	free(m->zw);
	m->zw = NULL;
}

void
zwm_node_free(struct node *n)
{
	if (n->zw != NULL)
		zwm_nvm_free(n->zw);
	free(n->zw);
	n->zw = NULL;
}

int
zwm_subscribe(struct master *m, zwm_progress_fn *fn, void *arg)
{
	if (m->zw->nsub == ZW_INCL_SUBSCRIBERS)
		return -1;
	m->zw->sub[m->zw->nsub].fn = fn;
	m->zw->sub[m->zw->nsub++].arg = arg;
	return 0;
}

int
zwm_maint_subscribe(struct master *m, zwm_maint_fn *fn, void *arg)
{
	if (m->zw->nmsub == ZW_INCL_SUBSCRIBERS)
		return -1;
	m->zw->msub[m->zw->nmsub].fn = fn;
	m->zw->msub[m->zw->nmsub++].arg = arg;
	return 0;
}

void
zwm_maint_notify(struct master *m, const struct node *n,
    const struct zwm_mstep *st)
{
	int i;

	if (m->zw == NULL)
		return;
	for (i = 0; i < m->zw->nmsub; i++)
		m->zw->msub[i].fn(m->zw->msub[i].arg, n, st);
}

/* The slave's state, made on first use. */
struct zwm_slave *
zwm_slave(struct node *n)
{
	if (n->zw == NULL && (n->zw = calloc(1, sizeof(*n->zw))) != NULL)
		n->zw->state = HD__ZW_PROGRESS__STATE__IDLE;
	return n->zw;
}

static void
history_add(struct zwm_slave *z, int action, int state, int node,
    const char *reason)
{
	struct zwm_step *st = &z->hist[(z->hfirst + z->nhist) %
	    ZW_INCL_HISTORY];

	if (z->nhist == ZW_INCL_HISTORY)
		z->hfirst = (z->hfirst + 1) % ZW_INCL_HISTORY;
	else
		z->nhist++;
	st->time_ms = ev_wall_ms();
	st->action = action;
	st->state = state;
	st->node = (uint8_t)node;
	snprintf(st->reason, sizeof(st->reason), "%s", reason);
}

int
zwm_request(struct master *m, struct node *n, Hd__ZwInclusion__Action a,
    uint32_t timeout_ms, const char *by, const char **why)
{
	Hd__Envelope	 e = HD__ENVELOPE__INIT;
	Hd__ZwInclusion	 zi = HD__ZW_INCLUSION__INIT;
	struct zwm_slave *z;

	*why = NULL;
	if ((z = zwm_slave(n)) == NULL) {
		*why = "out of memory";
		return -1;
	}
	if (a != HD__ZW_INCLUSION__ACTION__STOP && z->active &&
	    z->action != (int)a) {
		*why = z->action == HD__ZW_INCLUSION__ACTION__INCLUDE ?
		    "an inclusion is under way: stop it first" :
		    "an exclusion is under way: stop it first";
		return -1;
	}
	zi.action = a;
	zi.timeout_ms = timeout_ms;
	/* m->licence is NULL only in unit tests without a licence module. */
	zi.insecure = m->licence != NULL &&
	    !licence_allows(m->licence, LICENCE_F_SECURE_ZWAVE);
	zi.issued_by = (char *)(uintptr_t)by;
	e.body_case = HD__ENVELOPE__BODY_ZW_INCLUSION;
	e.zw_inclusion = &zi;
	if (cluster_send(m, n, &e) == -1) {
		*why = "the slave is offline";
		return -1;
	}
	log_info("zwave: %s on slave %s requested by %s%s", zwm_action_name(a),
	    n->id, by, zi.insecure && a == HD__ZW_INCLUSION__ACTION__INCLUDE ?
	    " (without security: the licence has no secure-zwave)" : "");
	if (a != HD__ZW_INCLUSION__ACTION__STOP && !z->active) {
		z->active = 1;
		z->action = a;
		z->state = ZWM_REQUESTED;
		z->node = 0;
		z->nnodes = 0;
		z->s2_wait = z->s2_done = 0;
		z->s2_node = 0;		/* the last one's S2 is history */
		z->deadline = ev_clock_ms() + (timeout_ms != 0 ? timeout_ms :
		    ZW_INCLUSION_TIMEOUT_MS);
		history_add(z, a, ZWM_REQUESTED, 0, by);
	}
	return 0;
}

int
zwm_grant(struct master *m, struct node *n, uint32_t classes, const char *pin,
    const char *by, const char **why)
{
	Hd__Envelope	 e = HD__ENVELOPE__INIT;
	Hd__ZwInclusion	 zi = HD__ZW_INCLUSION__INIT;
	struct zwm_slave *z;

	(void)m;
	*why = NULL;
	if ((z = zwm_slave(n)) == NULL || z->s2_wait == 0) {
		*why = "no S2 bootstrapping waits for an answer";
		return -1;
	}
	if (z->s2_wait == HD__ZW_PROGRESS__STATE__S2_PIN && *pin == '\0') {
		*why = "the device waits for its PIN";
		return -1;
	}
	zi.action = HD__ZW_INCLUSION__ACTION__GRANT;
	zi.s2_grant = classes;
	zi.pin = (char *)(uintptr_t)(z->s2_wait ==
	    HD__ZW_PROGRESS__STATE__S2_PIN ? pin : "");
	zi.issued_by = (char *)(uintptr_t)by;
	e.body_case = HD__ENVELOPE__BODY_ZW_INCLUSION;
	e.zw_inclusion = &zi;
	if (cluster_send(m, n, &e) == -1) {
		*why = "the slave is offline";
		return -1;
	}
	log_info("zwave: S2 %s for node %d on slave %s given by %s",
	    z->s2_wait == HD__ZW_PROGRESS__STATE__S2_PIN ? "PIN" : "grant",
	    z->s2_node, n->id, by);
	z->s2_wait = 0;		/* the slave's next step says what follows */
	return 0;
}

/* Every enum, the node id and the reason, before anything is kept. */
static int
progress_ok(const Hd__ZwProgress *p)
{
	if (protobuf_c_enum_descriptor_get_value(
	    &hd__zw_inclusion__action__descriptor, p->action) == NULL ||
	    protobuf_c_enum_descriptor_get_value(
	    &hd__zw_progress__state__descriptor, p->state) == NULL)
		return 0;
	if (p->node_id > ZW_MAX_NODES || p->time_left_ms >
	    ZW_INCLUSION_TIMEOUT_MS)
		return 0;
	if (p->s2_requested > 0xff || p->s2_granted > 0xff ||
	    strlen(p->dsk) > ZWM_DSK_MAX)
		return 0;
	return strlen(p->reason) <= ZW_INCL_REASON_MAX;
}

/* An S2 step: kept apart from the inclusion's own state, which ended. */
static void
apply_s2(struct zwm_slave *z, const Hd__ZwProgress *p)
{
	z->s2_node = (uint8_t)p->node_id;
	z->s2_requested = p->s2_requested;
	snprintf(z->s2_reason, sizeof(z->s2_reason), "%s", p->reason);
	if (p->state == HD__ZW_PROGRESS__STATE__SECURITY) {
		z->s2_wait = 0;
		z->s2_done = 1;
		z->s2_granted = p->s2_granted;
		z->s2_downgraded = p->downgraded;
		return;
	}
	z->s2_wait = p->state;
	z->s2_done = 0;
	z->s2_granted = 0;
	z->s2_downgraded = 0;
	if (p->state == HD__ZW_PROGRESS__STATE__S2_PIN)
		str_vis(z->dsk, sizeof(z->dsk), p->dsk);
	else
		z->dsk[0] = '\0';
}

static void
note_node(struct zwm_slave *z, int node)
{
	int i;

	if (node == 0)
		return;
	for (i = 0; i < z->nnodes; i++)
		if (z->nodes[i] == node)
			return;
	if (z->nnodes < ZW_INCL_HISTORY)
		z->nodes[z->nnodes++] = (uint8_t)node;
}

/* Mirror one step: the state machine lives on the slave. */
static void
apply(struct zwm_slave *z, const Hd__ZwProgress *p)
{
	switch (p->state) {
	case HD__ZW_PROGRESS__STATE__S2_GRANT:
	case HD__ZW_PROGRESS__STATE__S2_PIN:
	case HD__ZW_PROGRESS__STATE__SECURITY:
		apply_s2(z, p);
		return;
	case HD__ZW_PROGRESS__STATE__INTERVIEWED:
		/* The node just added: the inclusion's last step now. */
		if (!z->active && z->state == HD__ZW_PROGRESS__STATE__DONE &&
		    z->node == p->node_id)
			z->state = p->state;
		return;
	case HD__ZW_PROGRESS__STATE__REFUSED:
		return;		/* what is under way goes on */
	case HD__ZW_PROGRESS__STATE__READY:
		z->deadline = ev_clock_ms() + p->time_left_ms;
		/* FALLTHROUGH */
	case HD__ZW_PROGRESS__STATE__NODE_FOUND:
	case HD__ZW_PROGRESS__STATE__ADDING:
	case HD__ZW_PROGRESS__STATE__PROTOCOL_DONE:
		if (!z->active)
			z->nnodes = 0;
		z->active = 1;
		z->action = p->action;
		z->state = p->state;
		z->node = (uint8_t)p->node_id;
		return;
	case HD__ZW_PROGRESS__STATE__DONE:
		note_node(z, (int)p->node_id);
		/* FALLTHROUGH */
	default:
		z->active = 0;
		z->state = p->state;
		z->node = (uint8_t)p->node_id;
		z->deadline = 0;
	}
}

int
zwm_progress(struct master *m, struct node *n, const Hd__ZwProgress *p)
{
	struct zwm_slave	*z;
	char			 vis[ZW_INCL_REASON_MAX + 1];
	int			 i;

	if (!progress_ok(p))
		return -1;
	if (p->downgraded)		/* never silently: CVE-2018-25029 */
		log_warnx("slave %s: zwave node %" PRIu32 ": SECURITY "
		    "DOWNGRADE: it asked for S2 and got less", n->id,
		    p->node_id);
	if ((z = zwm_slave(n)) == NULL)
		return 0;
	str_vis(vis, sizeof(vis), p->reason);
	log_info("slave %s: zwave %s: %s%s%.0" PRIu32 "%s%s", n->id,
	    zwm_action_name(p->action), zwm_state_name(p->state, p->action),
	    p->node_id ? ", node " : "", p->node_id, vis[0] ? ": " : "", vis);
	history_add(z, p->action, p->state, (int)p->node_id, vis);
	apply(z, p);
	for (i = 0; i < m->zw->nsub; i++)
		m->zw->sub[i].fn(m->zw->sub[i].arg, n, p);
	return 0;
}

void
zwm_slave_restarted(struct master *m, struct node *n)
{
	Hd__ZwProgress p = HD__ZW_PROGRESS__INIT;

	if (n->zw == NULL || !n->zw->active)
		return;
	/* Told like any step, so subscribers see it end. */
	p.action = n->zw->action;
	p.state = HD__ZW_PROGRESS__STATE__FAILED;
	p.node_id = n->zw->node;
	p.reason = (char *)(uintptr_t)"the slave restarted";
	zwm_progress(m, n, &p);
}

/* --- the S2 provisioning list ----------------------------------------- */

int
zwm_provision(struct master *m, struct node *n, Hd__ZwProvision__Action a,
    const char *qr, const char *dsk, const char *blocked, const char *by,
    const char **why)
{
	Hd__Envelope	e = HD__ENVELOPE__INIT;
	Hd__ZwProvision	zp = HD__ZW_PROVISION__INIT;

	*why = NULL;
	zp.action = a;
	zp.qr = (char *)(uintptr_t)qr;
	zp.dsk = (char *)(uintptr_t)dsk;
	zp.issued_by = (char *)(uintptr_t)by;
	zp.smartstart_blocked = (char *)(uintptr_t)blocked;
	e.body_case = HD__ENVELOPE__BODY_ZW_PROVISION;
	e.zw_provision = &zp;
	if (cluster_send(m, n, &e) == -1) {
		*why = "the slave is offline";
		return -1;
	}
	if (a != HD__ZW_PROVISION__ACTION__LIST)
		log_info("zwave: provisioning %s on slave %s by %s",
		    a == HD__ZW_PROVISION__ACTION__ADD ? "add" : "remove",
		    n->id, by);
	return 0;
}

static int
prov_entry_ok(const Hd__ZwProvisionEntry *e)
{
	return strlen(e->dsk) <= ZWM_DSK_MAX && e->keys <= 0xff &&
	    e->generic <= 0xff && e->specific <= 0xff &&
	    e->manufacturer <= 0xffff && e->product_type <= 0xffff &&
	    e->product_id <= 0xffff && e->node_id <= ZW_MAX_NODES &&
	    e->state <= 2 && strlen(e->reason) <= ZW_INCL_REASON_MAX;
}

int
zwm_provision_list(struct master *m, struct node *n,
    const Hd__ZwProvisionList *l)
{
	struct zwm_slave	*z;
	struct zwm_prov		*p;
	size_t			 i;

	(void)m;
	if (l->n_entries > ZW_PROVISION_MAX ||
	    strlen(l->error) > ZW_INCL_REASON_MAX ||
	    strlen(l->smartstart_blocked) > ZW_INCL_REASON_MAX)
		return -1;
	for (i = 0; i < l->n_entries; i++)
		if (!prov_entry_ok(l->entries[i]))
			return -1;
	if ((z = zwm_slave(n)) == NULL)
		return 0;
	for (i = 0; i < l->n_entries; i++) {
		p = &z->prov[i];
		str_vis(p->dsk, sizeof(p->dsk), l->entries[i]->dsk);
		p->keys = (uint8_t)l->entries[i]->keys;
		p->smartstart = l->entries[i]->smartstart;
		p->generic = (uint8_t)l->entries[i]->generic;
		p->specific = (uint8_t)l->entries[i]->specific;
		p->manufacturer = (uint16_t)l->entries[i]->manufacturer;
		p->product_type = (uint16_t)l->entries[i]->product_type;
		p->product_id = (uint16_t)l->entries[i]->product_id;
		p->node = (uint8_t)l->entries[i]->node_id;
		p->state = (int)l->entries[i]->state;
		str_vis(p->reason, sizeof(p->reason), l->entries[i]->reason);
	}
	z->nprov = (int)l->n_entries;
	str_vis(z->ss_blocked, sizeof(z->ss_blocked), l->smartstart_blocked);
	z->ss_listening = l->listening;
	z->prov_heard = 1;
	str_vis(z->prov_error, sizeof(z->prov_error), l->error);
	if (l->error[0] != '\0')
		log_info("slave %s: zwave provisioning refused: %s", n->id,
		    z->prov_error);
	return 0;
}
