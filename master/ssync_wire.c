/*
 * The state files' replication wired into hd-master (standby.h): every
 * atomic_write() into the state-dir is heard here (atomic_observe), so
 * the modules that write state files need not know of replication; the
 * name goes to the sync machine (cluster/statesync.h), which sends it on
 * to an attached standby. The standby's connection itself is the
 * cluster link's (cluster/ha.h): the hooks below take the state bodies
 * (30-34) off it in both directions, on the master (StateHello,
 * StateAck) and on a standby (StateChunk, StateSynced), and learn when
 * it comes up or goes. What the Standby card shows comes from here.
 */

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "atomicfile.h"
#include "ev.h"
#include "log.h"
#include "master.h"
#include "api/api.h"
#include "standby.h"
#include "cluster/ha.h"
#include "cluster/statesync.h"
#include "sched/sched.h"
#include "sched/sched_master.h"
#include "ssync_orphan.h"

static struct {
	struct master		*m;
	struct ssync		*ms;
	int			 peer;		/* -1: no standby attached */
	int			 node;		/* its place in the master lines */
	struct standby_status	 st;
	/* On a standby: the files it takes from the master. */
	struct ssync_sb		*sb;
	int			 master_node;	/* -1: not linked */
} sw = { .peer = -1, .node = -1, .master_node = -1 };

static void
set_state(enum standby_state s, const char *detail)
{
	if (sw.st.state != s)
		sw.st.since_ms = ev_wall_ms();
	sw.st.state = s;
	snprintf(sw.st.detail, sizeof(sw.st.detail), "%s",
	    detail != NULL ? detail : "");
}

/* A file written: a state file if it sits right in the state-dir and
 * its name is on the list (statesync_standby.c); anything else is not
 * replicated. */
static void
written(void *arg, const char *path)
{
	const char	*dir = sw.m->conf.state_dir;
	size_t		 n = strlen(dir);

	(void)arg;
	if (strncmp(path, dir, n) != 0 || path[n] != '/' ||
	    strchr(path + n + 1, '/') != NULL)
		return;
	ssync_changed(sw.ms, path + n + 1, ev_clock_ms());
}

/*
 * A scheduled firing's record (the engine's sched.state with the
 * outbox of its commands, written before they go) reaches the standby
 * first (docs/FAILOVER.md#scheduled-firings): a token is a
 * file's version just written, and the standby holds it once it applied
 * that version. Without an attached standby nothing waits.
 */
static uint64_t
firing_mark(void *arg, const char *name)
{
	(void)arg;
	return sw.peer == -1 || sw.ms == NULL ? 0 :
	    ssync_version(sw.ms, name);
}

static int
firing_done(void *arg, const char *name, uint64_t token)
{
	(void)arg;
	return sw.peer == -1 || sw.ms == NULL ||
	    ssync_applied(sw.ms, sw.peer, name) >= token ||
	    ssync_refused(sw.ms, sw.peer, name);
}

/* Held, not only done: a run's answer says "replicated" only then. */
static int
firing_held(void *arg, const char *name, uint64_t token)
{
	(void)arg;
	return sw.peer != -1 && sw.ms != NULL &&
	    ssync_applied(sw.ms, sw.peer, name) >= token;
}

static const struct sched_sync firing_sync = { firing_mark, firing_done,
    NULL, firing_held };

/*
 * The election's word on the standby (docs/FAILOVER.md, "A standby's
 * first sched.state"): it may join the synchronous set, and so the
 * fence a vote needs, only once it holds sched.state as it was when it
 * attached. Firings and acknowledged reports from before (made while
 * no standby was attached: nothing waited) are only there; once it
 * holds them, what follows waits for it (firing_mark). Without an
 * attached state sync no standby is ready.
 */
static void
state_ready(void)
{
	uint32_t	nodes = 0;

	if (sw.m == NULL)
		return;
	if (sw.peer != -1 && sw.node >= 0 && sw.ms != NULL &&
	    ssync_holds_snapshot(sw.ms, sw.peer, "sched.state"))
		nodes = 1u << sw.node;
	ha_set_state_ready(sw.m, nodes);
}

int
ssync_wire_init(struct master *m)
{
	int	i;

	sw.m = m;
	sw.peer = -1;
	memset(&sw.st, 0, sizeof(sw.st));
	sw.st.since_ms = ev_wall_ms();
	/* The standby is the other node of the master lines (docs/
	 * FAILOVER.md, "Setting up a standby"); the card follows one. */
	for (i = 0; i < m->conf.masters.n; i++)
		if (strcmp(m->conf.masters.id[i], m->id) != 0)
			break;
	if (i < m->conf.masters.n) {
		snprintf(sw.st.id, sizeof(sw.st.id), "%s",
		    m->conf.masters.id[i]);
		set_state(STANDBY_CONNECTING, NULL);
	} else
		set_state(STANDBY_NONE, NULL);
	if ((sw.ms = ssync_new(m->conf.state_dir, ev_clock_ms())) == NULL) {
		log_warn("state sync");
		return -1;
	}
	atomic_observe(written, NULL);
	ssync_set_urgent(sw.ms, "sched.state");
	sched_master_set_sync(&firing_sync);
	return 0;
}

/* ssync_ops.send: one state body to master-capable node `arg`. */
static int
send_to(void *arg, const Hd__Envelope *e)
{
	Hd__Envelope	copy = *e;	/* ha_send stamps the term */

	return ha_send(sw.m, (int)(intptr_t)arg, &copy);
}

/* ssync_ops.replacing: the old master's unreplicated firings are found
 * here (ssync_orphan.c). */
static void
replacing(void *arg, const char *name, const uint8_t *buf, size_t len)
{
	(void)arg;
	ssync_orphan_replacing(sw.m->conf.state_dir, name, buf, len);
}

/* The link to another master-capable node came up or went. */
static void
hk_link(void *arg, int node, int up)
{
	struct ssync_ops	ops = { send_to, (void *)(intptr_t)node,
				    replacing };

	(void)arg;
	if (!ha_is_standby(sw.m)) {
		/* The master attaches a standby at its StateHello. */
		if (!up && node == sw.node)
			ssync_wire_lost("its link went down");
		return;
	}
	if (!up) {
		sw.master_node = -1;
		return;
	}
	sw.master_node = node;
	if (ssync_sb_hello(sw.sb, &ops) == -1)
		log_warnx("state sync: cannot send the hello to the master");
}

static int
hk_master_body(int node, const Hd__Envelope *e, const char **why)
{
	struct ssync_ops	ops = { send_to, (void *)(intptr_t)node, NULL };
	int			i = node;

	switch (e->body_case) {
	case HD__ENVELOPE__BODY_STATE_HELLO:
		if (i < 0 || i >= sw.m->conf.masters.n) {
			*why = "a state hello from no standby";
			return -1;
		}
		if (ssync_wire_attach(sw.m->conf.masters.id[i], &ops,
		    e->state_hello, why) == -1)
			return -1;
		sw.node = node;
		state_ready();
		return 0;
	case HD__ENVELOPE__BODY_STATE_ACK:
		if (node != sw.node || sw.peer == -1) {
			*why = "a state ack before its hello";
			return -1;
		}
		return ssync_wire_ack(e->state_ack, why);
	case HD__ENVELOPE__BODY_SCHED_ORPHANS:
		if (node < 0 || node >= sw.m->conf.masters.n) {
			*why = "unreplicated firings from no master-capable "
			    "node";
			return -1;
		}
		return ssync_orphan_heard(sw.m, sw.m->conf.masters.id[node],
		    e->sched_orphans, &ops, why);
	default:
		*why = "a state body only a master sends";
		return -1;
	}
}

static int
hk_standby_body(int node, const Hd__Envelope *e, const char **why)
{
	if (node != sw.master_node) {
		*why = "state from a node we do not follow";
		return -1;
	}
	switch (e->body_case) {
	case HD__ENVELOPE__BODY_STATE_CHUNK:
		return ssync_sb_chunk(sw.sb, e->state_chunk, why);
	case HD__ENVELOPE__BODY_STATE_SYNCED:
		ssync_sb_synced(sw.sb, e->state_synced);
		log_info("state sync: every state file of the master is "
		    "applied here; changes follow");
		if (ssync_orphan_report(sw.m->conf.state_dir, &(struct ssync_ops){
		    send_to, (void *)(intptr_t)node, NULL }) == -1)
			log_warnx("sched: unreplicated firings not sent: "
			    "again at the next sync");
		return 0;
	case HD__ENVELOPE__BODY_SCHED_ORPHANS:
		return ssync_orphan_acked(sw.m->conf.state_dir,
		    e->sched_orphans, why);
	default:
		*why = "a state body only a standby sends";
		return -1;
	}
}

/* A state body (30-34) on that link; -1 drops the link, logged here. */
static int
hk_body(void *arg, int node, const Hd__Envelope *e)
{
	const char	*why = "malformed";
	int		 r;

	(void)arg;
	r = ha_is_standby(sw.m) ? hk_standby_body(node, e, &why) :
	    hk_master_body(node, e, &why);
	if (r == -1)
		log_warnx("state sync with node %d: %s: dropping the link",
		    node, why);
	return r;
}

/* The master refused a standby: the card says why (docs/API.md). */
static void
hk_refused(void *arg, int node, Hd__Refusal__Reason reason,
    const char *detail)
{
	enum standby_state st;

	(void)arg;
	if (sw.peer != -1)
		return;		/* the standby is attached: a second claim */
	switch (reason) {
	case HD__REFUSAL__REASON__ROLE:
		st = STANDBY_REFUSED_ROLE;
		break;
	case HD__REFUSAL__REASON__LICENCE:
		st = STANDBY_REFUSED_LICENCE;
		break;
	case HD__REFUSAL__REASON__CONFIG:
		st = STANDBY_REFUSED_CONFIG;
		break;
	default:
		return;		/* NOT_MASTER: we are not the master */
	}
	if (node >= 0 && node < sw.m->conf.masters.n)
		ssync_wire_refused(sw.m->conf.masters.id[node], st, detail);
}

/* After ha_init: take the state bodies off the standby link. */
int
ssync_wire_hook(struct master *m)
{
	static const struct ha_hooks hooks = { hk_link, hk_body, hk_refused };

	if (ha_is_standby(m) &&
	    (sw.sb = ssync_sb_new(m->conf.state_dir)) == NULL) {
		log_warn("state sync");
		return -1;
	}
	ha_set_hooks(m, &hooks, NULL);
	state_ready();
	return 0;
}

void
ssync_wire_free(void)
{
	static const struct sched_sync none;

	sched_master_set_sync(&none);
	atomic_observe(NULL, NULL);
	ssync_sb_free(sw.sb);
	sw.sb = NULL;
	sw.master_node = -1;
	sw.node = -1;
	ssync_free(sw.ms);
	sw.ms = NULL;
	sw.peer = -1;
}

int
ssync_wire_attach(const char *id, const struct ssync_ops *ops,
    const Hd__StateHello *h, const char **why)
{
	if (sw.peer != -1)
		ssync_detach(sw.ms, sw.peer);
	if ((sw.peer = ssync_attach(sw.ms, ops, h, ev_clock_ms(), why)) == -1)
		return -1;
	snprintf(sw.st.id, sizeof(sw.st.id), "%s", id);
	set_state(STANDBY_SYNCING, NULL);
	log_info("standby %s: attached, state files syncing", id);
	return 0;
}

int
ssync_wire_ack(const Hd__StateAck *a, const char **why)
{
	struct ssync_lag	l;

	if (ssync_ack(sw.ms, sw.peer, a, ev_clock_ms(), why) == -1) {
		sw.peer = -1;
		set_state(STANDBY_LOST, *why);
		state_ready();
		sched_master_sync_poll(sw.m);
		return -1;
	}
	state_ready();
	if (a->refused != NULL && a->refused[0] != '\0' &&
	    ssync_lag(sw.ms, sw.peer, ev_clock_ms(), &l) == 0) {
		log_warnx("standby %s is older than this master: %s: it keeps "
		    "its own file; upgrade the standby (standbys first, "
		    "docs/OPERATIONS.md)", sw.st.id, l.refused_why);
		set_state(STANDBY_TOO_OLD, l.refused_why);
	}
	sched_master_sync_poll(sw.m);	/* a firing record applied? */
	return 0;
}

void
ssync_wire_lost(const char *detail)
{
	if (sw.peer == -1)
		return;
	ssync_detach(sw.ms, sw.peer);
	sw.peer = -1;
	log_warnx("standby %s lost (%s): the master goes on alone", sw.st.id,
	    detail);
	set_state(STANDBY_LOST, detail);
	state_ready();
	sched_master_sync_poll(sw.m);	/* firings wait for nobody now */
}

void
ssync_wire_refused(const char *id, enum standby_state why, const char *detail)
{
	snprintf(sw.st.id, sizeof(sw.st.id), "%s", id);
	set_state(why, detail);
}

/*
 * This node is master now: what its state sync wrote while it stood by
 * is what it serves. The API's users, tokens and sessions are reloaded
 * here (a person logged in stays logged in); the scheduler, the
 * licence and master.state are read when they start, after this.
 */
void
ssync_wire_takeover(uint64_t term)
{
	sw.st.last_takeover_ms = ev_wall_ms();
	sw.st.last_takeover_term = term;
	if (sw.m != NULL && sw.m->api != NULL &&
	    api_reload_state(sw.m->api, ev_clock_ms()) == -1)
		log_warnx("takeover: a replicated state file failed to load");
}

void
ssync_wire_status(struct standby_status *out)
{
	struct ssync_lag	l;

	if (sw.peer != -1 && sw.ms != NULL &&
	    ssync_lag(sw.ms, sw.peer, ev_clock_ms(), &l) == 0) {
		sw.st.lag_files = l.files;
		sw.st.lag_bytes = l.bytes;
		sw.st.lag_ms = l.oldest_ms;
		if (l.synced && sw.st.state == STANDBY_SYNCING &&
		    l.refused == 0)
			set_state(STANDBY_IN_SYNC, NULL);
	} else {
		sw.st.lag_files = 0;
		sw.st.lag_bytes = 0;
		sw.st.lag_ms = 0;
	}
	sw.st.log_known = sw.m != NULL && sw.st.id[0] != '\0' &&
	    ha_log_lag(sw.m, sw.st.id, &sw.st.log_records,
	    &sw.st.log_ms) == 0;
	if (!sw.st.log_known)
		sw.st.log_records = sw.st.log_ms = 0;
	sw.st.term = sw.m != NULL ? sw.m->term : 0;
	*out = sw.st;
}

const char *
standby_state_name(enum standby_state s)
{
	static const char	*names[] = {
		"none", "connecting", "syncing", "in_sync", "lost",
		"refused_role", "refused_licence", "refused_config",
		"too_old"
	};

	if ((unsigned)s >= sizeof(names) / sizeof(names[0]))
		return "none";
	return names[s];
}
