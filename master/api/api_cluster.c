/*
 * GET /api/v1/cluster (admin): the health of the installation for the
 * dashboard's cluster view. The master (its id, term, version, when it
 * started, when its certificate expires) and each slave it knows: online
 * or not, the last time it was heard from, the heartbeat's round-trip
 * time, its version and its certificate's expiry, read from the live TLS
 * connection. Admins only: it names addresses and certificates of every
 * site. The standby: its state, the replication's lag, the term and the
 * last takeover (standby.h).
 */

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "api/api.h"
#include "api/api_dash.h"
#include "cluster/cluster.h"
#include "ev.h"
#include "master.h"
#include "standby.h"

static uint64_t started_ms;	/* about when the master started */

/* A certificate's notAfter in ms since the epoch, 0 if unknown. */
static uint64_t
not_after_ms(const X509 *x)
{
	struct tm	tm;
	time_t		t;

	if (x == NULL || ASN1_TIME_to_tm(X509_get0_notAfter(x), &tm) != 1 ||
	    (t = timegm(&tm)) == (time_t)-1 || t < 0)
		return 0;
	return (uint64_t)t * 1000;
}

static void
write_node(struct jw *w, const struct node *n)
{
	const struct peer	*p = n->peer;

	jw_open(w, '{');
	jw_key(w, "id");
	jw_str(w, n->id);
	jw_key(w, "site");
	jw_str(w, n->site);
	jw_key(w, "role");
	jw_str(w, "slave");
	jw_key(w, "online");
	jw_bool(w, p != NULL);
	jw_key(w, "version");
	jw_str(w, n->version);
	jw_key(w, "addr");
	jw_str(w, n->addr);
	jw_key(w, "online_since_ms");
	jw_uint(w, p != NULL ? n->online_since : 0);
	jw_key(w, "last_seen_ms");
	jw_uint(w, n->last_seen);
	jw_key(w, "rtt_ms");
	if (p != NULL)
		jw_uint(w, p->hb.rtt_ms);
	else
		jw_null(w);
	jw_key(w, "cert_not_after_ms");
	if (p != NULL && p->conn.ssl != NULL)
		jw_uint(w, not_after_ms(SSL_get0_peer_certificate(p->conn.ssl)));
	else
		jw_null(w);
	jw_close(w, '}');
}

/* A wall time in ms, or null for 0 (never). */
static void
jw_time(struct jw *w, uint64_t ms)
{
	if (ms != 0)
		jw_uint(w, ms);
	else
		jw_null(w);
}

static void
write_standby(struct jw *w)
{
	struct standby_status	st;
	int			attached;

	ssync_wire_status(&st);
	attached = st.state == STANDBY_SYNCING || st.state == STANDBY_IN_SYNC;
	jw_open(w, '{');
	jw_key(w, "state");
	jw_str(w, standby_state_name(st.state));
	jw_key(w, "id");
	if (st.id[0] != '\0')
		jw_str(w, st.id);
	else
		jw_null(w);
	jw_key(w, "detail");
	jw_str(w, st.detail);
	jw_key(w, "since_ms");
	jw_time(w, st.since_ms);
	jw_key(w, "term");
	jw_uint(w, st.term);
	jw_key(w, "lag");
	if (attached) {
		jw_open(w, '{');
		jw_key(w, "files");
		jw_uint(w, st.lag_files);
		jw_key(w, "bytes");
		jw_uint(w, st.lag_bytes);
		jw_key(w, "ms");
		jw_uint(w, st.lag_ms);
		jw_key(w, "records");
		if (st.log_known)
			jw_uint(w, st.log_records);
		else
			jw_null(w);
		jw_key(w, "records_ms");
		if (st.log_known)
			jw_uint(w, st.log_ms);
		else
			jw_null(w);
		jw_close(w, '}');
	} else
		jw_null(w);
	jw_key(w, "last_takeover_ms");
	jw_time(w, st.last_takeover_ms);
	jw_key(w, "last_takeover_term");
	if (st.last_takeover_ms != 0)
		jw_uint(w, st.last_takeover_term);
	else
		jw_null(w);
	jw_close(w, '}');
}

static void
cluster(struct api_call *c)
{
	struct master		*m = c->ctx;
	const struct node	*n;

	jw_open(&c->w, '{');
	jw_key(&c->w, "master");
	jw_open(&c->w, '{');
	jw_key(&c->w, "id");
	jw_str(&c->w, m->id);
	jw_key(&c->w, "term");
	jw_uint(&c->w, m->term);
	jw_key(&c->w, "version");
	jw_str(&c->w, HD_VERSION);
	jw_key(&c->w, "started_ms");
	jw_uint(&c->w, started_ms);
	jw_key(&c->w, "cert_not_after_ms");
	jw_uint(&c->w, not_after_ms(SSL_CTX_get0_certificate(m->ctx)));
	jw_close(&c->w, '}');
	jw_key(&c->w, "standby");
	write_standby(&c->w);
	jw_key(&c->w, "nodes");
	jw_open(&c->w, '[');
	TAILQ_FOREACH(n, &m->nodes, entry)
		write_node(&c->w, n);
	jw_close(&c->w, ']');
	jw_close(&c->w, '}');
	api_reply(c, 200);
}

static const struct api_route cluster_routes[] = {
	{ "GET", "/api/v1/cluster", API_ADMIN, cluster },
};

int
api_cluster_routes(struct master *m)
{
	started_ms = ev_wall_ms();
	return api_add_routes(m->api, cluster_routes,
	    (int)(sizeof(cluster_routes) / sizeof(cluster_routes[0])), m);
}
