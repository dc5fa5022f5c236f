/*
 * The master's side of its HTTPS engine: start the web process
 * (fork+exec of this binary with -C), restart it when it dies, re-check
 * every message it sends, keep probe counters, and persist the bans it
 * reports so they survive restarts of either process.
 */

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api/api.h"
#include "api/api_stream.h"
#include "auth/authw.h"
#include "lib/ban.h"
#include "auth/ccert.h"
#include "chan.h"
#include "daemon.h"
#include "log.h"
#include "master.h"
#include "webproc.h"
#include "lib/probe.h"
#include "api/api_dash.h"
#include "lib/security.h"
#include "lib/spawner.h"
#include "web.pb-c.h"
#include "wire.h"

struct webproc {
	struct master		*m;
	pid_t			 pid;
	struct chan		 ch;
	struct ev_timer		 restart;
	const char		*conffile;
	int			 verbose;
	struct ban_table	*bans;		/* mirrors the web process's */
	char			 banpath[512];
	struct secstat		*stat;		/* probes, for the API */
	struct security		 sec;		/* what api_security.c sees */
	uint64_t		 link;		/* bumped at each spawn */
	struct ev_timer		 watchdog;	/* every WEB_PING_MS */
	uint64_t		 ping_seq;
	uint64_t		 ping_ms;	/* sent then, unanswered; 0: none */
	uint64_t		 kills;		/* by the watchdog */
	int			 ready;		/* said WebReady: pinged */
	struct ev_timer		 save;		/* bans to disk, BAN_SAVE_MS */
};

static void	spawn(struct webproc *);

/*
 * The bans go to disk at most once per BAN_SAVE_MS, one write (and one
 * fsync) for all that changed meanwhile: a flood from many addresses
 * bans them by the hundred, and a rewrite of the whole table per ban
 * kept the master's loop on the disk (on a Pi's SD card, for seconds).
 * A crash loses at most that second's changes; a stop saves at once.
 */
static void
save_bans(struct ev_timer *t)
{
	struct webproc *wp = t->arg;

	if (ban_save(wp->bans, wp->banpath, ev_wall_ms()) == -1)
		log_warn("%s", wp->banpath);
}

static void
save_bans_soon(struct webproc *wp)
{
	if (!wp->save.active)
		ev_timer_start(wp->m->loop, &wp->save, BAN_SAVE_MS);
}

static void
send_bans(struct webproc *wp)
{
	Hd__WebMsg	  msg = HD__WEB_MSG__INIT;
	Hd__BanList	  list = HD__BAN_LIST__INIT;
	Hd__Ban		 *bans, **ptrs;

	bans = calloc(BAN_MAX_ENTRIES, sizeof(*bans));
	ptrs = calloc(BAN_MAX_ENTRIES, sizeof(*ptrs));
	if (bans != NULL && ptrs != NULL) {
		ban_pack(wp->bans, ev_wall_ms(), &list, bans, ptrs);
		msg.body_case = HD__WEB_MSG__BODY_BANS;
		msg.bans = &list;
		chan_send(&wp->ch, &msg.base);
	}
	free(bans);
	free(ptrs);
}

/* A ban decided here is saved and handed to the web process at once,
 * which refuses the address from then on: the two tables never hold
 * different bans for long, and nothing is banned only on disk. */
static void
ban_decided(struct webproc *wp, const uint8_t *addr, uint64_t now)
{
	Hd__WebMsg	msg = HD__WEB_MSG__INIT;
	Hd__Ban		ban = HD__BAN__INIT;
	uint32_t	level;

	save_bans_soon(wp);
	ban.addr.data = (uint8_t *)(uintptr_t)addr;
	ban.addr.len = 16;
	ban.until_ms = ban_until(wp->bans, addr, now, &level);
	ban.level = level;
	ban.last_ms = now;
	msg.body_case = HD__WEB_MSG__BODY_BAN;
	msg.ban = &ban;
	chan_send(&wp->ch, &msg.base);
}

/*
 * The privileged side trusts nothing: every field is checked again. The
 * probe scores here with the web process's weight, so both tables agree;
 * a ban the web process reports is imposed as it is (it scored it), and
 * a ban only this table reaches (probes and failed logins together) goes
 * to the web process at once.
 */
static int
take_probe(struct webproc *wp, const Hd__ProbeEvent *p)
{
	uint64_t now = ev_wall_ms(), len;

	if (p->class_ == 0 || p->class_ >= PROBE_NCLASSES ||
	    p->addr.len != 16 || p->first.len > PROBE_SHOW_BYTES ||
	    p->port > 65535 || strlen(p->detail) > PROBE_DETAIL_MAX ||
	    !(p->weight >= 0 && p->weight <= BAN_WEIGHT_MAX) ||
	    p->banned_ms > BAN_LONGEST_MS) {
		log_warnx("web process: a probe out of range (class %u, "
		    "address of %zu bytes, %zu first bytes, port %u, detail "
		    "of %zu bytes, weight %g, ban of %llu ms)", p->class_,
		    p->addr.len, p->first.len, p->port, strlen(p->detail),
		    p->weight, (unsigned long long)p->banned_ms);
		return -1;
	}
	secstat_probe(wp->stat, (enum probe_class)p->class_, p->addr.data,
	    p->port, p->detail, p->first.data, p->first.len, p->banned_ms,
	    now);
	api_probe_publish(wp->m, p);
	if (p->banned_ms > 0) {
		if (ban_impose(wp->bans, p->addr.data, p->banned_ms, now) > 0)
			save_bans_soon(wp);
	} else if ((len = ban_probe(wp->bans, p->addr.data, p->weight,
	    now)) > 0) {
		log_info("probes and failed logins ban an address for %llu s",
		    (unsigned long long)(len / 1000));
		ban_decided(wp, p->addr.data, now);
	}
	return 0;
}

/* A failed login scores against its address (ban_decided()). */
static void
login_failed(struct webproc *wp, const uint8_t *addr)
{
	uint64_t	now = ev_wall_ms(), len;

	if ((len = ban_probe(wp->bans, addr, BAN_LOGIN_WEIGHT, now)) == 0)
		return;
	log_info("api: failed logins ban an address for %llu s",
	    (unsigned long long)(len / 1000));
	ban_decided(wp, addr, now);
}

/* An admin lifted a ban (api_security.c): here, on disk, and at the web
 * process, which serves the address again at once. */
static int
unban(void *arg, const uint8_t *addr)
{
	struct webproc	*wp = arg;
	Hd__WebMsg	 msg = HD__WEB_MSG__INIT;
	Hd__Ban		 ban = HD__BAN__INIT;

	if (ban_unban(wp->bans, addr) == -1)
		return -1;
	save_bans_soon(wp);
	ban.addr.data = (uint8_t *)(uintptr_t)addr;
	ban.addr.len = 16;
	ban.until_ms = 0;	/* lifted */
	msg.body_case = HD__WEB_MSG__BODY_BAN;
	msg.ban = &ban;
	chan_send(&wp->ch, &msg.base);
	return 0;
}

/* The app's client certificate, verified here from the chain the web
 * process passed (ccert.c); what it says of a CN is never believed.
 * `r` is a shallow copy of the decoded request (whose own strings are
 * freed with it); cn and serial outlive the call (api_later.c copies
 * what a deferred answer needs). */
static int
take_cert(struct webproc *wp, Hd__ApiRequest *r, char *cn, char *serial)
{
	char	why[128];
	size_t	i;

	/* Set only here: a web process that names a CN is broken. */
	if (r->client_cn[0] != '\0' || r->client_serial[0] != '\0' ||
	    r->n_client_chain > CLIENT_CHAIN_MAX)
		return -1;
	for (i = 0; i < r->n_client_chain; i++)
		if (r->client_chain[i].len > CLIENT_CERT_DER_MAX)
			return -1;
	cn[0] = serial[0] = '\0';
	r->client_cn = cn;
	r->client_serial = serial;
	if (r->n_client_chain == 0)
		return 0;
	switch (ccert_verify(SSL_CTX_get_cert_store(wp->m->ctx),
	    r->client_chain, r->n_client_chain, cn, serial, why,
	    sizeof(why))) {
	case CCERT_BAD:
		log_info("api: a client certificate the web process passed "
		    "is refused: %s", why);
		break;
	case CCERT_REVOKED:	/* refused by the CRL gate, with its reason */
	case CCERT_OK:
	case CCERT_NONE:
		break;
	}
	return 0;
}

/* An API call: checked again, answered by the master's engine. */
static int
take_api(struct webproc *wp, const Hd__ApiRequest *wr)
{
	Hd__WebMsg	msg = HD__WEB_MSG__INIT;
	Hd__ApiResponse	resp = HD__API_RESPONSE__INIT;
	Hd__ApiRequest	req = *wr, *r = &req;
	char		cn[USER_NAME_MAX + 1], serial[CLIENT_SERIAL_MAX + 1];
	int		failed;

	if (r->addr.len != 16 || r->body.len > HTTP_MAX_BODY ||
	    strlen(r->session) > SESSION_TOKEN_HEX ||
	    strlen(r->csrf) > SESSION_TOKEN_HEX ||
	    strlen(r->token) > API_TOKEN_MAX ||
	    strlen(r->method) > API_METHOD_MAX ||
	    strlen(r->path) > HTTP_MAX_TARGET ||
	    strncmp(r->path, API_PREFIX, strlen(API_PREFIX)) != 0 ||
	    strlen(r->query) > HTTP_MAX_TARGET ||
	    take_cert(wp, r, cn, serial) == -1)
		return -1;
	if (wp->m->api == NULL)
		return -1;
	failed = api_handle(wp->m->api, r, &resp, ev_now(wp->m->loop));
	if (failed == API_DEFERRED)	/* answered by api_later_sink() */
		return 0;
	/* A ban the failure earns goes first: the web process refuses the
	 * address before its client can read the answer and try again. */
	if (failed)
		login_failed(wp, r->addr.data);
	msg.body_case = HD__WEB_MSG__BODY_API_RESPONSE;
	msg.api_response = &resp;
	chan_send(&wp->ch, &msg.base);
	return 0;
}

/* A deferred answer (api.h): dropped if its web process has gone. */
static void
api_later_sink(void *arg, uint64_t link, const Hd__ApiResponse *resp,
    int failed, const uint8_t *addr)
{
	struct webproc	*wp = arg;
	Hd__WebMsg	 msg = HD__WEB_MSG__INIT;

	if (link != wp->link || wp->pid <= 0 || wp->ch.fd == -1) {
		log_info("api: an answer for a web process gone since, "
		    "dropped");
		return;
	}
	if (failed)		/* first, as in take_api() */
		login_failed(wp, addr);
	msg.body_case = HD__WEB_MSG__BODY_API_RESPONSE;
	msg.api_response = (Hd__ApiResponse *)(uintptr_t)resp;
	chan_send(&wp->ch, &msg.base);
}

/*
 * The watchdog: one ping at a time, every WEB_PING_MS once the web
 * process said it serves (a start takes longer under a sanitizer: it
 * has WEB_START_MS for that). One whose loop has not turned for
 * WEB_WATCHDOG_MS (stuck on a connection, stopped, spinning) cannot
 * answer; it is killed through the spawner and its exit restarts it
 * (on_exit_web). The ping
 * carries the counters for its /metrics.
 */
static void
on_watchdog(struct ev_timer *t)
{
	struct webproc	*wp = t->arg;
	Hd__WebMsg	 msg = HD__WEB_MSG__INIT;
	Hd__Ping	 ping = HD__PING__INIT;
	uint64_t	 now = ev_now(wp->m->loop);

	if (wp->pid <= 0 || wp->ch.fd == -1)
		return;		/* spawn() starts it again */
	if (!wp->ready) {
		log_warnx("web process %d: not serving %d ms after its start; "
		    "killing it", (int)wp->pid, WEB_START_MS);
		wp->kills++;
		spawn_kill(SPAWN_WEB, wp->pid, SIGKILL);
		return;
	}
	if (wp->ping_ms != 0 && now - wp->ping_ms >= WEB_WATCHDOG_MS) {
		log_warnx("web process %d: no answer to a ping in %d ms; "
		    "killing it", (int)wp->pid, WEB_WATCHDOG_MS);
		wp->kills++;
		spawn_kill(SPAWN_WEB, wp->pid, SIGKILL);
		return;
	}
	if (wp->ping_ms == 0) {
		ping.seq = ++wp->ping_seq;
		ping.web_kills = wp->kills;
		ping.auth_kills = authw_kills(wp->m->auth);
		msg.body_case = HD__WEB_MSG__BODY_PING;
		msg.ping = &ping;
		chan_send(&wp->ch, &msg.base);
		wp->ping_ms = now;
	}
	ev_timer_start(wp->m->loop, &wp->watchdog, WEB_PING_MS);
}

static void
take_pong(struct webproc *wp, const Hd__Ping *p)
{
	if (p->seq == wp->ping_seq)
		wp->ping_ms = 0;
}

static int
web_frame(struct chan *c, ProtobufCMessage *msg)
{
	struct webproc	*wp = c->arg;
	Hd__WebMsg	*m = (Hd__WebMsg *)msg;
	int		 bad = 0;

	switch (m->body_case) {
	case HD__WEB_MSG__BODY_READY:
		log_info("web process %u serving on %u listener%s",
		    m->ready->pid, m->ready->listeners,
		    m->ready->listeners == 1 ? "" : "s");
		send_bans(wp);
		wp->ready = 1;	/* the first ping: the counters, now */
		ev_timer_start(wp->m->loop, &wp->watchdog, 0);
		break;
	case HD__WEB_MSG__BODY_PROBE:
		bad = take_probe(wp, m->probe) == -1;
		break;
	case HD__WEB_MSG__BODY_API_REQUEST:
		bad = take_api(wp, m->api_request) == -1;
		break;
	case HD__WEB_MSG__BODY_PONG:
		take_pong(wp, m->pong);
		break;
	default:
		log_warnx("web process: a message it never sends (%d)",
		    (int)m->body_case);
		bad = 1;
	}
	wire_free(msg);
	if (bad) {
		c->ops->fail(c, "malformed message from the web process");
		return -1;
	}
	return 0;
}

static void
web_fail(struct chan *c, const char *why)
{
	struct webproc *wp = c->arg;

	log_warnx("web process link: %s; stopping it", why);
	chan_close(&wp->ch);
	if (wp->pid > 0)
		spawn_kill(SPAWN_WEB, wp->pid, SIGTERM);
}

static const struct chan_ops web_ops = { web_frame, web_fail };

static void
on_restart(struct ev_timer *t)
{
	spawn(t->arg);
}

/* From the spawner (spawner.h): a web process ended. */
static void
on_exit_web(void *arg, pid_t pid, int st)
{
	struct webproc	*wp = arg;

	if (pid == wp->pid) {
		log_warnx("web process %d %s %d; restarting it", (int)pid,
		    WIFSIGNALED(st) ? "killed by signal" : "exited with",
		    WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
		wp->pid = -1;
		chan_close(&wp->ch);
		ev_timer_stop(wp->m->loop, &wp->watchdog);
		ev_timer_start(wp->m->loop, &wp->restart, WEB_RESTART_MS);
	}
}

static void
spawn(struct webproc *wp)
{
	int	 fd;

	/* A fresh image, holding only what it loads, under its own uid. */
	if ((wp->pid = spawn_child(SPAWN_WEB, wp->conffile, wp->verbose,
	    &fd)) == -1) {
		ev_timer_start(wp->m->loop, &wp->restart, WEB_RESTART_MS);
		return;
	}
	fcntl(fd, F_SETFL, O_NONBLOCK);
	chan_start(&wp->ch, wp->m->loop, fd, &hd__web_msg__descriptor,
	    &web_ops, wp);
	wp->ping_ms = 0;
	wp->ready = 0;		/* pinged once it says it serves */
	ev_timer_start(wp->m->loop, &wp->watchdog, WEB_START_MS);
	if (wp->m->api != NULL)
		api_set_link(wp->m->api, ++wp->link);
}

struct webproc *
webproc_start(struct master *m, const char *conffile, int verbose)
{
	struct webproc	*wp;
	char		 root[512];
	int		 i, r;

	if (m->conf.nweb_listen == 0)
		return NULL;
	if ((wp = calloc(1, sizeof(*wp))) == NULL ||
	    (wp->bans = ban_new()) == NULL || (wp->stat = secstat_new()) == NULL)
		fatal("web process state");
	wp->sec.stat = wp->stat;
	wp->sec.bans = wp->bans;
	wp->sec.unban = unban;
	wp->sec.arg = wp;
	wp->sec.wall_ms = ev_wall_ms;
	if (m->api != NULL && api_security_init(m->api, &wp->sec) == -1)
		fatalx("api: no room for the security routes");
	if (m->api != NULL)
		api_set_sink(m->api, api_later_sink, wp);
	wp->m = m;
	wp->conffile = conffile;
	wp->verbose = verbose;
	wp->ch.fd = -1;
	if (ban_set_v6_prefix(wp->bans, (int)m->conf.ban_v6_prefix) == -1)
		fatalx("ban-ipv6-prefix out of range");
	if (m->api != NULL)
		api_set_v6_prefix(m->api, (int)m->conf.ban_v6_prefix);
	for (i = 0; i < m->conf.nallow; i++)
		ban_allow(wp->bans, m->conf.allow[i]);
	snprintf(wp->banpath, sizeof(wp->banpath), "%s/bans",
	    m->conf.state_dir);
	errno = 0;
	r = ban_load(wp->bans, wp->banpath, ev_wall_ms());
	/* A bans file of a newer format: not overwritten by the next save. */
	if (r == -1 && errno == ENOTSUP)
		fatalx("%s: refusing to start over it", wp->banpath);
	if (r == 0)
		log_info("%d ban%s in force from %s",
		    ban_count(wp->bans, ev_wall_ms()),
		    ban_count(wp->bans, ev_wall_ms()) == 1 ? "" : "s",
		    wp->banpath);
	/* The web process's chroot: empty, and not writable by it. */
	snprintf(root, sizeof(root), "%s/web-root", m->conf.state_dir);
	if (mkdir(root, 0755) == -1 && errno != EEXIST)
		fatal("%s", root);
	ev_timer_init(&wp->restart, on_restart, wp);
	ev_timer_init(&wp->watchdog, on_watchdog, wp);
	ev_timer_init(&wp->save, save_bans, wp);
	spawn_watch(m->loop);
	spawn_on_exit(SPAWN_WEB, on_exit_web, wp);
	spawn(wp);
	return wp;
}

_Static_assert(WEB_DRAIN_MS < SPAWN_STOP_MS,
    "the spawner would kill a draining web process");

/*
 * The master stops (or steps down): every answer it owes is sent
 * (ha_answer_owed()). They must reach the web process before it goes:
 * written out here, for at most WEB_DRAIN_MS, then the link is closed.
 * Its end tells the web process that no more answers come: it answers
 * the calls still waiting 503, lets the answers out to the clients and
 * exits (web.c, web_drain()); spawn_stop() waits for that.
 */
void
webproc_drain(struct webproc *wp)
{
	struct pollfd	pfd;
	uint64_t	start = ev_clock_ms(), spent;

	if (wp == NULL)
		return;
	if (wp->m->api != NULL)
		api_set_sink(wp->m->api, NULL, NULL);
	while (wp->ch.fd != -1 && buf_used(&wp->ch.out) > 0) {
		if ((spent = ev_clock_ms() - start) >= WEB_DRAIN_MS) {
			log_warnx("web process: answers not taken in %d ms, "
			    "dropped", WEB_DRAIN_MS);
			break;
		}
		pfd.fd = wp->ch.fd;
		pfd.events = POLLOUT;
		if (poll(&pfd, 1, (int)(WEB_DRAIN_MS - spent)) == -1 &&
		    errno != EINTR)
			break;
		if (chan_flush(&wp->ch) == -1)
			break;
	}
	chan_close(&wp->ch);
	if (wp->pid > 0)
		spawn_kill(SPAWN_WEB, wp->pid, SIGTERM);
}

void
webproc_stop(struct webproc *wp)
{
	if (wp == NULL)
		return;
	ev_timer_stop(wp->m->loop, &wp->restart);
	ev_timer_stop(wp->m->loop, &wp->watchdog);
	ev_timer_stop(wp->m->loop, &wp->save);	/* saved below */
	if (wp->m->api != NULL)
		api_set_sink(wp->m->api, NULL, NULL);
	spawn_on_exit(SPAWN_WEB, NULL, NULL);
	if (wp->pid > 0)	/* spawn_stop() waits for it */
		spawn_kill(SPAWN_WEB, wp->pid, SIGTERM);
	chan_close(&wp->ch);
	ban_save(wp->bans, wp->banpath, ev_wall_ms());
	ban_free(wp->bans);
	secstat_free(wp->stat);
	free(wp);
}

/* For the API's event stream (api_stream.c). */
int
webproc_send(struct webproc *wp, Hd__WebMsg *msg)
{
	if (wp == NULL || wp->pid <= 0 || wp->ch.fd == -1)
		return -1;
	return chan_send(&wp->ch, &msg->base);
}
