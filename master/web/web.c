/*
 * hd-master's HTTPS engine process. Started by the master (webproc.c)
 * with fork+exec, it opens its listeners, loads the web certificate and
 * key and nothing else, drops to an unprivileged user in an empty
 * chroot, and serves from one event loop. It reports probes and new bans
 * to the master over a socketpair; the master persists the bans.
 */

#include <sys/stat.h>

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>

#include "daemon.h"
#include "lib/webapi.h"
#include "log.h"
#include "priv.h"
#include "memtune.h"
#include "net.h"
#include "sandbox.h"
#include "web/web.h"
#include "web.pb-c.h"
#include "wire.h"

/* Mozilla "intermediate" for TLS 1.2: ECDHE with AEAD only. */
#define WEB_CIPHERS	"ECDHE-ECDSA-AES128-GCM-SHA256:" \
			"ECDHE-RSA-AES128-GCM-SHA256:" \
			"ECDHE-ECDSA-AES256-GCM-SHA384:" \
			"ECDHE-RSA-AES256-GCM-SHA384:" \
			"ECDHE-ECDSA-CHACHA20-POLY1305:" \
			"ECDHE-RSA-CHACHA20-POLY1305"

static int
alpn_select(SSL *ssl, const unsigned char **out, unsigned char *outlen,
    const unsigned char *in, unsigned int inlen, void *arg)
{
	static const unsigned char h11[] = "\x08http/1.1";
	unsigned char *sel;

	(void)ssl;
	(void)arg;
	if (SSL_select_next_proto(&sel, outlen, h11, sizeof(h11) - 1, in,
	    inlen) != OPENSSL_NPN_NEGOTIATED)
		return SSL_TLSEXT_ERR_NOACK;
	*out = sel;
	return SSL_TLSEXT_ERR_OK;
}

static SSL_CTX *
web_tls(const char *cert, const char *key)
{
	SSL_CTX *ctx;

	if ((ctx = SSL_CTX_new(TLS_server_method())) == NULL)
		return NULL;
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION |
	    SSL_OP_NO_COMPRESSION);
	SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS |
	    SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_SERVER);
	SSL_CTX_sess_set_cache_size(ctx, 256);
	SSL_CTX_set_session_id_context(ctx, (const unsigned char *)"hd-web", 6);
	/* One TLS 1.3 ticket per handshake is enough to resume (default 2). */
	SSL_CTX_set_num_tickets(ctx, 1);
	SSL_CTX_set_alpn_select_cb(ctx, alpn_select, NULL);
	/* A record in one read() instead of header and body apart. */
	SSL_CTX_set_read_ahead(ctx, 1);
	if (SSL_CTX_set_cipher_list(ctx, WEB_CIPHERS) != 1 ||
	    SSL_CTX_set1_groups_list(ctx, "X25519:P-256:P-384") != 1 ||
	    SSL_CTX_use_certificate_chain_file(ctx, cert) != 1 ||
	    SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_check_private_key(ctx) != 1) {
		SSL_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}

/*
 * Called after the connections that are ready in the same wakeup
 * (ev_io_late()): those already served are answered before a flood of
 * new ones gets any time. At most WEB_ACCEPTS_PER_TURN, so other work
 * goes on; the rest waits in the listen queue (and past its length the
 * kernel refuses them, at no cost to this loop).
 */
static void
accept_cb(struct ev_io *io, int rev)
{
	int i;

	(void)rev;
	for (i = 0; i < WEB_ACCEPTS_PER_TURN; i++)
		if (wc_accept(io->arg, io->fd) == -1)
			break;
}

static int
web_listen(struct web *w, const struct web_conf *wc)
{
	struct sockaddr_storage	ss;
	socklen_t		sl;
	int			i;

	for (i = 0; i < wc->nlisten; i++) {
		if (net_parse_addr(wc->listen[i], &ss, &sl) == -1 ||
		    (w->lfd[i] = net_listen(&ss, sl, 512)) == -1) {
			log_warn("web-listen %s", wc->listen[i]);
			return -1;
		}
		ev_io_init(&w->lio[i], w->lfd[i], accept_cb, w);
		ev_io_late(&w->lio[i]);
		ev_io_set(w->loop, &w->lio[i], EV_READ);
		log_info("HTTPS listening on %s", wc->listen[i]);
	}
	w->nlisten = wc->nlisten;
	return 0;
}

/*
 * Root, or the capabilities the spawner passes on: chroot to the
 * master's empty web-root and become web-user (priv_drop()). Anyone
 * else runs as is (development), and says so.
 */
static int
drop_privileges(const struct web_conf *wc)
{
	char root[512];

	snprintf(root, sizeof(root), "%s/web-root", wc->state_dir);
	return priv_drop(root, wc->user ? wc->user : "nobody");
}

static void
load_bans(struct web *w, const Hd__BanList *list)
{
	uint64_t	now = ev_wall_ms();
	size_t		i;

	for (i = 0; i < list->n_bans; i++)
		if (list->bans[i]->addr.len == 16)
			ban_restore(w->bans, list->bans[i]->addr.data,
			    list->bans[i]->until_ms, list->bans[i]->level, now);
}

static int	api_answer(struct web *, const Hd__ApiResponse *);
static void	report_flush(struct ev_timer *);

/* The master's watchdog asks whether the loop still turns. */
static void
pong(struct web *w, const Hd__Ping *p)
{
	Hd__WebMsg	m = HD__WEB_MSG__INIT;
	Hd__Ping	r = HD__PING__INIT;

	w->stats.watchdog_web = p->web_kills;
	w->stats.watchdog_auth = p->auth_kills;
	r.seq = p->seq;
	m.body_case = HD__WEB_MSG__BODY_PONG;
	m.pong = &r;
	chan_send(&w->parent, &m.base);
}

static int
parent_frame(struct chan *c, ProtobufCMessage *msg)
{
	struct web	*w = c->arg;
	Hd__WebMsg	*m = (Hd__WebMsg *)msg;

	if (m->body_case == HD__WEB_MSG__BODY_BANS)
		load_bans(w, m->bans);
	else if (m->body_case == HD__WEB_MSG__BODY_BAN &&
	    m->ban->addr.len == 16 && m->ban->until_ms == 0)
		ban_unban(w->bans, m->ban->addr.data);
	else if (m->body_case == HD__WEB_MSG__BODY_BAN &&
	    m->ban->addr.len == 16)	/* earned at the master: failed logins */
		ban_restore(w->bans, m->ban->addr.data, m->ban->until_ms,
		    m->ban->level, ev_wall_ms());
	else if (m->body_case == HD__WEB_MSG__BODY_PING)
		pong(w, m->ping);
	else if (m->body_case == HD__WEB_MSG__BODY_STREAM_EVENT ||
	    m->body_case == HD__WEB_MSG__BODY_STREAM_DROP) {
		if (web_stream_msg(w, m) == -1) {
			wire_free(msg);
			fatalx("malformed stream message from the master");
		}
	} else if (m->body_case != HD__WEB_MSG__BODY_API_RESPONSE ||
	    api_answer(w, m->api_response) == -1) {
		/* The master never sends anything else: it is broken. */
		wire_free(msg);
		fatalx("unexpected message from the master");
	}
	wire_free(msg);
	return 0;
}

/*
 * Calls that wait for the master's answer when none can come any more:
 * the link closed (the master stops, webproc_drain(), after sending every
 * answer it owed; or it died), or the drain's time is up. Each gets a 503
 * saying so instead of a closed connection. The count.
 */
static int
answer_orphans(struct web *w)
{
	static const char body[] = "{\"error\":\"stopping\","
	    "\"reason\":\"the master stopped before it answered; ask again "
	    "(after a takeover, ask the new master)\"}";
	struct wconn	*c, *next;
	int		 n = 0;

	for (c = TAILQ_FIRST(&w->conns); c != NULL; c = next) {
		next = TAILQ_NEXT(c, entry);
		if (c->state != WC_MASTER)
			continue;
		n++;
		c->api_metrics = 0;
		web_api_reply(c, 503, (const uint8_t *)body, sizeof(body) - 1,
		    "", 1);
		wc_resume(c);		/* may close c, never another */
	}
	return n;
}

/*
 * The link failed. A malformed frame means a broken master: fatal, as
 * ever. The link's end (or a write or read it refused) means the master
 * stopped or died: the calls it held get their 503 and the process
 * drains. chan.c names the cause only in words, so they are compared.
 */
static void
parent_fail(struct chan *c, const char *why)
{
	struct web	*w = c->arg;
	int		 n;

	if (strcmp(why, "sibling closed") != 0 &&
	    strcmp(why, "write to sibling failed") != 0 &&
	    strcmp(why, strerror(ECONNRESET)) != 0 &&
	    strcmp(why, strerror(EPIPE)) != 0)
		fatalx("link to the master: %s", why);
	chan_close(c);
	web_drain(w, "the link to the master closed");
	n = answer_orphans(w);
	log_warnx("link to the master: %s; %d call%s waiting for it "
	    "answered 503", why, n, n == 1 ? "" : "s");
}

static const struct chan_ops parent_ops = { parent_frame, parent_fail };

static void
on_stop(int sig, void *arg)
{
	web_drain(arg, sig == SIGTERM ? "SIGTERM" : "SIGINT");
}

static void
drain_over(struct ev_timer *t)
{
	struct web	*w = t->arg;
	int		 n;

	/* The master still holds these: it will not answer in time. */
	if ((n = answer_orphans(w)) > 0)
		log_warnx("draining: %d call%s the master did not answer in "
		    "%d ms answered 503", n, n == 1 ? "" : "s", WEB_DRAIN_MS);
	/* Those left: a request not complete, or an answer the client
	 * does not read; what the kernel took still goes after the close. */
	if (w->nconns > 0)
		log_warnx("draining: %d connection%s still open after %d ms, "
		    "cut", w->nconns, w->nconns == 1 ? "" : "s", WEB_DRAIN_MS);
	ev_break(w->loop);
}

void
web_drain(struct web *w, const char *why)
{
	struct wconn	*c, *next;
	int		 i, n;

	if (w->draining)
		return;
	w->draining = 1;
	log_info("draining (%s): %d connection%s, answers in flight go out "
	    "(at most %d ms)", why, w->nconns, w->nconns == 1 ? "" : "s",
	    WEB_DRAIN_MS);
	/* Connections the kernel completed are clients that sent, or are
	 * sending, a request: take them before the listeners go, whose
	 * close would reset them. */
	for (i = 0; i < w->nlisten; i++) {
		for (n = 0; n < WEB_MAX_CONNS; n++)
			if (wc_accept(w, w->lfd[i]) == -1)
				break;
		ev_io_closing(w->loop, &w->lio[i]);
		close(w->lfd[i]);
		w->lfd[i] = -1;
	}
	w->nlisten = 0;
	for (c = TAILQ_FIRST(&w->conns); c != NULL; c = next) {
		next = TAILQ_NEXT(c, entry);
		wc_drain_idle(c);	/* closes c at most */
	}
	ev_timer_start(w->loop, &w->drain_timer, WEB_DRAIN_MS);
	if (w->nconns == 0)
		ev_break(w->loop);
}

void
web_main(const struct web_conf *wc, int fd, int verbose)
{
	struct web	 w;
	Hd__WebMsg	 m = HD__WEB_MSG__INIT;
	Hd__WebReady	 r = HD__WEB_READY__INIT;
	int		 i;

	log_init("hd-web", verbose);
	memset(&w, 0, sizeof(w));
	TAILQ_INIT(&w.conns);
	for (i = 0; i < WEB_ADDR_BUCKETS; i++)
		TAILQ_INIT(&w.byaddr[i]);
	if (net_random(&w.addr_seed, sizeof(w.addr_seed)) == -1)
		fatal("getrandom");
	TAILQ_INIT(&w.again);
	ev_timer_init(&w.again_timer, wc_again, &w);
	ev_timer_init(&w.report_timer, report_flush, &w);
	ev_timer_init(&w.drain_timer, drain_over, &w);
	w.started_ms = ev_wall_ms();
	w.handshake_ms = (uint64_t)wc->handshake_ms;
	w.request_ms = (uint64_t)wc->request_ms;
	w.idle_ms = WEB_IDLE_MS;
	if ((w.loop = ev_loop_new()) == NULL || (w.bans = ban_new()) == NULL ||
	    web_stream_init(&w) == -1)
		fatal("web setup");
	web_http_init(wc);
	w.v6bits = (int)wc->ban_v6_prefix;
	if (ban_set_v6_prefix(w.bans, w.v6bits) == -1)
		fatalx("ban-ipv6-prefix %d out of range", w.v6bits);
	for (i = 0; i < wc->nallow; i++)
		if (ban_allow(w.bans, wc->allow[i]) == -1)
			fatalx("allow %s: not an address or network",
			    wc->allow[i]);
	if ((w.ctx = web_tls(wc->cert, wc->key)) == NULL) {
		ERR_print_errors_fp(stderr);
		fatalx("cannot load web-cert %s / web-key %s", wc->cert,
		    wc->key);
	}
	if (web_tls_clients(w.ctx, wc->ca, wc->crl) == -1) {
		ERR_print_errors_fp(stderr);
		fatalx("cannot load the CA %s or CRL for client certificates",
		    wc->ca);
	}
	if (web_listen(&w, wc) == -1 || drop_privileges(wc) == -1)
		fatalx("web process setup failed");
	signal(SIGPIPE, SIG_IGN);
	ev_signal(w.loop, SIGTERM, on_stop, &w);
	ev_signal(w.loop, SIGINT, on_stop, &w);
	chan_start(&w.parent, w.loop, fd, &hd__web_msg__descriptor,
	    &parent_ops, &w);
	if (sandbox_init(SANDBOX_WEB) == -1)
		fatalx("cannot sandbox the web process");
	r.pid = (uint32_t)getpid();
	r.listeners = (uint32_t)w.nlisten;
	m.body_case = HD__WEB_MSG__BODY_READY;
	m.ready = &r;
	chan_send(&w.parent, &m.base);
	mem_trim_start(w.loop);
	ev_run(w.loop);
	while (!TAILQ_EMPTY(&w.conns))
		wc_close(TAILQ_FIRST(&w.conns));
	chan_flush(&w.parent);		/* the last probes, if it can */
	exit(0);
}

/* Tell the master about a probe (and a ban it earned). */
void
web_report_probe(struct web *w, const struct wconn *c, enum probe_class pc,
    const char *detail, const uint8_t *first, size_t n, double weight,
    uint64_t banned)
{
	Hd__WebMsg	m = HD__WEB_MSG__INIT;
	Hd__ProbeEvent	p = HD__PROBE_EVENT__INIT;

	p.class_ = (uint32_t)pc;
	p.addr.data = (uint8_t *)(uintptr_t)c->addr;
	p.addr.len = 16;
	p.port = c->port;
	p.detail = (char *)(uintptr_t)detail;
	p.first.data = (uint8_t *)(uintptr_t)first;
	p.first.len = n < PROBE_SHOW_BYTES ? n : PROBE_SHOW_BYTES;
	p.banned_ms = banned;
	p.weight = weight;
	m.body_case = HD__WEB_MSG__BODY_PROBE;
	m.probe = &p;
	/* A flood's reports go in batches: one write and one wakeup of the
	 * master per WEB_REPORT_MS, not per probe. A ban goes at once, and
	 * anything sent later (an API call) flushes the batch before it. */
	if (banned > 0 || chan_queue(&w->parent, &m.base) == -1)
		chan_send(&w->parent, &m.base);
	else if (!w->report_timer.active)
		ev_timer_start(w->loop, &w->report_timer, WEB_REPORT_MS);
}

static void
report_flush(struct ev_timer *t)
{
	struct web *w = t->arg;

	chan_flush(&w->parent);
}

/*
 * The most an ApiRequest holds beside its body: every string at its
 * limit (web_http.c forward() and bearer(), web_cert.c's chain of
 * CLIENT_CHAIN_MAX certificates), each field with
 * a tag and a length of at most 1 + 10 bytes, the WebMsg around it the
 * same. A body of HTTP_MAX_BODY must fit one frame with all of it.
 */
#define API_FIELD_HEAD	11
#define API_FIELDS_MAX	(HTTP_MAX_METHOD + 2 * HTTP_MAX_TARGET + \
			 API_TOKEN_MAX + 2 * SESSION_TOKEN_HEX + 16 + \
			 CLIENT_CHAIN_MAX * CLIENT_CERT_DER_MAX + \
			 (14 + CLIENT_CHAIN_MAX) * API_FIELD_HEAD)
_Static_assert(API_FIELDS_MAX <= WEB_API_FRAME_SLACK,
    "WEB_API_FRAME_SLACK cannot hold an API call's fields");
_Static_assert(HTTP_MAX_BODY + WEB_API_FRAME_SLACK <= WIRE_MAX_FRAME,
    "a body of HTTP_MAX_BODY does not fit a frame to the master");

void
web_api_send(struct wconn *c, const char *session, const char *csrf,
    const char *token)
{
	web_api_send_path(c, c->req.path, session, csrf, token);
}

void
web_api_send_path(struct wconn *c, const char *path, const char *session,
    const char *csrf, const char *token)
{
	Hd__WebMsg	m = HD__WEB_MSG__INIT;
	Hd__ApiRequest	r = HD__API_REQUEST__INIT;

	r.id = ++c->w->next_api_id;
	r.method = (char *)(uintptr_t)c->req.method_str;
	r.path = (char *)(uintptr_t)path;
	r.query = (char *)(uintptr_t)c->req.query;
	r.token = (char *)(uintptr_t)token;
	r.addr.data = c->addr;
	r.addr.len = 16;
	r.session = (char *)(uintptr_t)session;
	r.csrf = (char *)(uintptr_t)csrf;
	r.body.data = c->body;
	r.body.len = c->bodylen;
	web_cert_fill(c->ssl, c->name, &r);
	m.body_case = HD__WEB_MSG__BODY_API_REQUEST;
	m.api_request = &r;
	/* The assertions above say this cannot be; if it were, the client
	 * learns it now rather than after WEB_API_MS. */
	if (hd__web_msg__get_packed_size(&m) > WIRE_MAX_FRAME) {
		log_warnx("%s: API call too large for a frame", c->name);
		web_error(c, 413, "API call too large for a frame", 1);
		return;
	}
	c->api_id = r.id;
	c->state = WC_MASTER;
	if (chan_send(&c->w->parent, &m.base) == -1) {
		log_warnx("%s: API call not sent to the master", c->name);
		web_error(c, 503, "master link", 1);
	}
}

/* A Set-Cookie value fit for a header: printable, no CR or LF. */
static int
header_safe(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f)
			return 0;
	return 1;
}

/* The master's answer to a call; the connection may have gone since. */
static int
api_answer(struct web *w, const Hd__ApiResponse *r)
{
	struct wconn *c;

	if (r->status < 200 || r->status > 599 || r->body.len > WEB_MAX_OUT /
	    2 || strlen(r->set_cookie) > 256 || !header_safe(r->set_cookie))
		return -1;
	TAILQ_FOREACH(c, &w->conns, entry)
		if (c->state == WC_MASTER && c->api_id == r->id)
			break;
	if (c == NULL)
		return 0;
	if (r->stream != NULL && w->draining) {
		web_error(c, 503, "stopping", 1);	/* no stream now */
		wc_resume(c);
		return 0;
	}
	if (r->stream != NULL)
		return web_stream_start(c, r);
	if (c->api_metrics && r->status == 200)
		web_metrics(c);		/* an admin: the metrics themselves */
	else
		web_api_reply(c, (int)r->status, r->body.data, r->body.len,
		    r->set_cookie, r->retry_after_s);
	c->api_metrics = 0;
	wc_resume(c);
	return 0;
}
