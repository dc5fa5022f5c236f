/*
 * The state files' replication wired into hd-master (standby.h): every
 * atomic_write() into the state-dir is heard here (atomic_observe), so
 * the modules that write state files need not know of replication; the
 * name goes to the sync machine (cluster/statesync.h), which sends it on
 * to an attached standby. The standby's connection itself is the
 * cluster link's (ha-link): it calls ssync_wire_attach(), _ack(), _lost()
 * and _refused(). What the Standby card shows comes from here.
 */

#include <stdio.h>
#include <string.h>

#include "atomicfile.h"
#include "ev.h"
#include "log.h"
#include "master.h"
#include "api/api.h"
#include "standby.h"
#include "cluster/statesync.h"

static struct {
	struct master		*m;
	struct ssync		*ms;
	int			 peer;		/* -1: no standby attached */
	struct standby_status	 st;
} sw = { .peer = -1 };

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
	return 0;
}

void
ssync_wire_free(void)
{
	atomic_observe(NULL, NULL);
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
	if (ssync_ack(sw.ms, sw.peer, a, ev_clock_ms(), why) == -1) {
		sw.peer = -1;
		set_state(STANDBY_LOST, *why);
		return -1;
	}
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
		if (l.synced && sw.st.state == STANDBY_SYNCING)
			set_state(STANDBY_IN_SYNC, NULL);
	} else {
		sw.st.lag_files = 0;
		sw.st.lag_bytes = 0;
		sw.st.lag_ms = 0;
	}
	sw.st.term = sw.m != NULL ? sw.m->term : 0;
	*out = sw.st;
}

const char *
standby_state_name(enum standby_state s)
{
	static const char	*names[] = {
		"none", "connecting", "syncing", "in_sync", "lost",
		"refused_role", "refused_licence"
	};

	if ((unsigned)s >= sizeof(names) / sizeof(names[0]))
		return "none";
	return names[s];
}
