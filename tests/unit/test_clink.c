/*
 * Unit tests for shared/clink.c, the client links' core: a real TLS
 * server (the throwaway PKI of tests/integration/gen-test-pki.sh, a
 * listener on 127.0.0.1 port 0) in the same event loop plays the master,
 * and a fake owner records what the core asks of it. Proven: the Hello's
 * common fields and stamps, the Welcome's checks, going online, the
 * heartbeats both ways, the heartbeat timeout, a refusal, a certificate
 * naming another node, a body before the Welcome, an address that cannot
 * be connected to, the SHUTDOWN refusal on stop, and the back-off's
 * jitter, doubling and cap; clink_beat() (the master's peers' tick) on
 * its own. Every wait is bounded (WAIT_MS).
 */

#include <sys/socket.h>

#include <ftw.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "clink.h"
#include "net.h"
#include "tls.h"
#include "version.h"
#include "wire.h"

#define GEN_PKI		"tests/integration/gen-test-pki.sh"
#define WAIT_MS		10000	/* any one awaited event, on a loaded machine */
#define DOWN_DELAY	50	/* what the fake owner's down returns */

static char		 pkidir[256];
static struct ev_loop	*loop;
static SSL_CTX		*cctx;		/* the slave's client context */

/* The master's end: one connection at a time. */
static struct srv {
	SSL_CTX		*ctx;
	int		 lfd;
	struct ev_io	 lio;
	char		 addr[64];
	struct conn	 conn;
	int		 opened;
	int		 nhello, nhb, nrefusal, closed;
	/* What the link sent, kept as it came: the loop runs on between
	 * a wait and its checks. */
	Hd__Envelope	*hello;		/* the last Hello, owned */
	uint64_t	 hb_term, hb_ack;	/* the last heartbeat's */
	int		 reason;	/* the last refusal's */
	char		 detail[64];
	int		 welcome;	/* answer a Hello with a Welcome */
	int		 early_hb;	/* answer it with a heartbeat instead */
	int		 refuse;	/* answer it with a CONFIG refusal */
	int		 mute;		/* send no heartbeats */
} S;

/* The owner. */
static struct own {
	struct clink	 cl;
	uint64_t	 term, ack;
	const char	*addr, *id;
	int		 ndown, last_online, nwelcome;
	char		 why[192];
} O;

static void	srv_send(Hd__Envelope *);

static void
own_target(struct clink *cl, const char **addr, const char **id)
{
	(void)cl;
	*addr = O.addr;
	*id = O.id;
}

static int
own_hello(struct clink *cl, Hd__Hello *h)
{
	h->site = (char *)(uintptr_t)"Barn";
	return clink_hello(cl, h);
}

static int
own_welcome(struct clink *cl, const Hd__Welcome *w)
{
	O.nwelcome++;
	clink_timing(cl, w);
	clink_online(cl);
	return 0;
}

static void
own_frame(struct clink *cl, Hd__Envelope *e)
{
	if (e->body_case == HD__ENVELOPE__BODY_HEARTBEAT)
		clink_heartbeat_in(cl, e->heartbeat);
	else if (e->body_case == HD__ENVELOPE__BODY_REFUSAL)
		clink_refused(cl, e->refusal);
	else
		clink_down(cl, "unexpected body");
}

static uint64_t
own_down(struct clink *cl, const char *why, int was_online)
{
	(void)cl;
	O.ndown++;
	O.last_online = was_online;
	snprintf(O.why, sizeof(O.why), "%s", why);
	return DOWN_DELAY;
}

static const struct clink_ops own_ops = {
	own_target, own_hello, own_welcome, own_frame, own_down
};

static int
srv_open(struct conn *c)
{
	(void)c;
	S.opened++;
	return 0;
}

static void
srv_answer(void)
{
	Hd__Envelope	e = HD__ENVELOPE__INIT;
	Hd__Welcome	w = HD__WELCOME__INIT;
	Hd__Heartbeat	hb = HD__HEARTBEAT__INIT;
	Hd__Refusal	r = HD__REFUSAL__INIT;

	if (S.refuse) {
		r.reason = HD__REFUSAL__REASON__CONFIG;
		r.detail = (char *)(uintptr_t)"no\x01slave lines";
		e.body_case = HD__ENVELOPE__BODY_REFUSAL;
		e.refusal = &r;
	} else if (S.early_hb) {
		e.body_case = HD__ENVELOPE__BODY_HEARTBEAT;
		e.heartbeat = &hb;
	} else if (S.welcome) {
		w.master_id = (char *)(uintptr_t)"master";
		w.term = 9;
		w.heartbeat_ms = 100;
		w.timeout_ms = 400;
		e.body_case = HD__ENVELOPE__BODY_WELCOME;
		e.welcome = &w;
	} else
		return;
	srv_send(&e);
}

static int
srv_frame(struct conn *c, ProtobufCMessage *msg)
{
	Hd__Envelope	*e = (Hd__Envelope *)msg;
	Hd__Envelope	 out = HD__ENVELOPE__INIT;
	Hd__Heartbeat	 hb = HD__HEARTBEAT__INIT;

	(void)c;
	if (e->body_case == HD__ENVELOPE__BODY_HELLO) {
		if (S.hello != NULL)
			wire_free(&S.hello->base);
		S.hello = e;
		e = NULL;
		S.nhello++;
		srv_answer();
	} else if (e->body_case == HD__ENVELOPE__BODY_HEARTBEAT) {
		S.hb_term = e->term;
		S.hb_ack = e->ack;
		S.nhb++;
		if (!S.mute) {
			out.body_case = HD__ENVELOPE__BODY_HEARTBEAT;
			out.heartbeat = &hb;
			srv_send(&out);
		}
	} else if (e->body_case == HD__ENVELOPE__BODY_REFUSAL) {
		S.reason = (int)e->refusal->reason;
		snprintf(S.detail, sizeof(S.detail), "%s", e->refusal->detail);
		S.nrefusal++;
	}
	if (e != NULL)
		wire_free(&e->base);
	return S.conn.state == CONN_CLOSED ? -1 : 0;
}

static void
srv_fail(struct conn *c, const char *why)
{
	(void)why;
	conn_close(c);
	S.closed++;
}

static const struct conn_ops srv_ops = { srv_open, srv_frame, srv_fail };

static void
srv_send(Hd__Envelope *e)
{
	if (conn_send(&S.conn, &e->base) == -1) {
		conn_close(&S.conn);
		S.closed++;
	}
}

static void
srv_accept(struct ev_io *io, int revents)
{
	char	addr[64];
	int	fd;

	(void)io;
	(void)revents;
	if ((fd = net_accept(S.lfd, addr, sizeof(addr))) == -1)
		return;
	conn_close(&S.conn);		/* the link's previous attempt */
	if (conn_start(&S.conn, loop, fd, S.ctx, 1, 0, addr,
	    &hd__envelope__descriptor, &srv_ops, NULL) == -1)
		close(fd);
}

/* Run the loop until *flag reaches want, at most WAIT_MS. */
static struct ev_timer	tick, deadline;
static const int	*w_flag;
static int		 w_want, w_late;

static void
on_tick(struct ev_timer *t)
{
	if (*w_flag >= w_want)
		ev_break(loop);
	else
		ev_timer_start(loop, t, 5);
}

static void
on_deadline(struct ev_timer *t)
{
	(void)t;
	w_late = 1;
	ev_break(loop);
}

static int
wait_for(const int *flag, int want)
{
	w_flag = flag;
	w_want = want;
	w_late = 0;
	ev_timer_start(loop, &tick, 0);
	ev_timer_start(loop, &deadline, WAIT_MS);
	ev_run(loop);
	ev_timer_stop(loop, &tick);
	ev_timer_stop(loop, &deadline);
	return *flag >= want;
}

static void
own_start(const char *id)
{
	memset(&O, 0, sizeof(O));
	O.addr = S.addr;
	O.id = id;
	O.term = 7;
	O.ack = 42;
	O.cl.loop = loop;
	O.cl.ctx = cctx;
	O.cl.ops = &own_ops;
	O.cl.arg = &O;
	O.cl.self = "slave-barn";
	O.cl.term = &O.term;
	O.cl.ack = &O.ack;
	O.cl.boot_id = clink_boot_id();
	O.cl.hb_ms = 1000;
	O.cl.timeout_ms = 5000;
	O.cl.backoff_min = 100;
	O.cl.backoff_max = 800;
	clink_start(&O.cl);
}

static SSL_CTX *
ctx(int server, const char *cert, const char *key)
{
	struct tls_files	f;
	char			ca[300], c[300], k[300], err[256];
	SSL_CTX			*x;

	snprintf(ca, sizeof(ca), "%s/good/ca.crt", pkidir);
	snprintf(c, sizeof(c), "%s/good/%s", pkidir, cert);
	snprintf(k, sizeof(k), "%s/good/%s", pkidir, key);
	f.ca = ca;
	f.cert = c;
	f.key = k;
	f.crl = NULL;
	x = tls_ctx_new(&f, server, server ? ROLE_MASTER : ROLE_SLAVE,
	    server ? ROLE_SLAVE : ROLE_MASTER, err, sizeof(err));
	if (x == NULL)
		fprintf(stderr, "# %s: %s\n", cert, err);
	return x;
}

/* Port 0: the kernel picks a free one, never a guess. */
static int
srv_listen(void)
{
	struct sockaddr_in	sin;
	socklen_t		sl = sizeof(sin);

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((S.lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0)) == -1 ||
	    bind(S.lfd, (struct sockaddr *)&sin, sizeof(sin)) == -1 ||
	    listen(S.lfd, 8) == -1 ||
	    getsockname(S.lfd, (struct sockaddr *)&sin, &sl) == -1)
		return -1;
	snprintf(S.addr, sizeof(S.addr), "127.0.0.1:%u",
	    (unsigned)ntohs(sin.sin_port));
	ev_io_init(&S.lio, S.lfd, srv_accept, NULL);
	return ev_io_set(loop, &S.lio, EV_READ);
}

static void
test_online(void)
{
	Hd__Hello *h;

	S.welcome = 1;
	own_start("master");
	if (!CHECK(wait_for(&S.nhello, 1), "the link connects and says Hello"))
		return;
	h = S.hello->hello;
	CHECK(strcmp(h->node_id, "slave-barn") == 0 &&
	    strcmp(h->version, HD_VERSION) == 0 && strcmp(h->site, "Barn") == 0,
	    "Hello: our node id and version, the owner's site");
	CHECK(h->boot_id == O.cl.boot_id && h->boot_id != 0 &&
	    h->highest_term == 7 && h->protocol == WIRE_PROTOCOL,
	    "Hello: boot id, highest term, protocol");
	CHECK(S.hello->term == 7 && S.hello->ack == 42,
	    "Hello: stamped with the owner's term and ack");
	if (!CHECK(wait_for(&O.nwelcome, 1), "the owner sees the Welcome"))
		return;
	CHECK(O.cl.state == CLINK_ONLINE && O.ndown == 0, "online");
	CHECK(O.cl.hb_ms == 100 && O.cl.timeout_ms == 400,
	    "the Welcome's heartbeat interval and timeout adopted");
	O.term = 8;
	if (!CHECK(wait_for(&S.nhb, 3), "heartbeats every hb_ms"))
		return;
	CHECK(S.hb_term == 8 && S.hb_ack == 42,
	    "a heartbeat carries the owner's current term and ack");
	CHECK(O.cl.hb.last_rx != 0, "the peer's heartbeats are heard");

	/* The master goes silent: the timeout (400 ms) takes the link
	 * down, as online, and the owner's delay is armed. */
	S.mute = 1;
	if (!CHECK(wait_for(&O.ndown, 1), "a silent master is noticed"))
		return;
	CHECK(O.last_online == 1 && strncmp(O.why, "heartbeat timeout "
	    "(silent for ", 30) == 0, "down as online: \"%s\"", O.why);
	CHECK(O.cl.state == CLINK_IDLE && O.cl.conn.state == CONN_CLOSED &&
	    O.cl.timer.active, "closed, idle, the next attempt planned");
	S.mute = 0;
	if (!CHECK(wait_for(&S.nhello, 2), "it reconnects after the delay"))
		return;
	if (!CHECK(wait_for(&O.nwelcome, 2), "... and is welcomed again"))
		return;
	CHECK(O.cl.backoff == O.cl.backoff_min, "online resets the back-off");

	/* Stop while online: the master hears why. */
	clink_stop(&O.cl, "slave shutting down");
	CHECK(O.cl.state == CLINK_OFF && !O.cl.timer.active,
	    "stopped: off, no timer");
	if (CHECK(wait_for(&S.nrefusal, 1), "the master gets a refusal"))
		CHECK(S.reason == HD__REFUSAL__REASON__SHUTDOWN &&
		    strcmp(S.detail, "slave shutting down") == 0,
		    "SHUTDOWN, with the owner's detail");
	CHECK(O.ndown == 1, "stopping is not a failure");
	S.welcome = 0;
}

static void
test_refused(void)
{
	int refusals = S.nrefusal;

	S.refuse = 1;
	own_start("master");
	if (CHECK(wait_for(&O.ndown, 1), "a refusal takes the link down"))
		CHECK(O.last_online == 0 && strcmp(O.why,
		    "refused: CONFIG: no?slave lines") == 0,
		    "the reason's name and a printable detail: \"%s\"", O.why);
	clink_stop(&O.cl, "x");
	CHECK(S.nrefusal == refusals, "no SHUTDOWN from a link never welcomed");
	S.refuse = 0;

	S.early_hb = 1;
	own_start("master");
	if (CHECK(wait_for(&O.ndown, 1), "a body before the Welcome"))
		CHECK(strcmp(O.why, "expected welcome") == 0, "\"%s\"", O.why);
	clink_stop(&O.cl, NULL);
	S.early_hb = 0;
}

static void
test_wrong_node(void)
{
	int hellos = S.nhello;

	own_start("master2");
	if (CHECK(wait_for(&O.ndown, 1), "a certificate of another node"))
		CHECK(strcmp(O.why, "its certificate is master, the master "
		    "lines name master2 there") == 0 && O.last_online == 0,
		    "\"%s\"", O.why);
	CHECK(S.nhello == hellos, "no Hello to the wrong node");
	clink_stop(&O.cl, NULL);

	own_start(NULL);
	O.addr = "not-an-address";
	if (CHECK(wait_for(&O.ndown, 1), "an address that cannot be used"))
		CHECK(strcmp(O.why, "cannot connect") == 0, "\"%s\"", O.why);
	CHECK(O.cl.timer.active && O.cl.state == CLINK_IDLE,
	    "the next attempt is planned");
	clink_stop(&O.cl, NULL);
}

static void
test_backoff(void)
{
	struct clink	cl;
	uint64_t	d, lo = UINT64_MAX, hi = 0;
	int		i, ok = 1;

	memset(&cl, 0, sizeof(cl));
	cl.backoff_min = cl.backoff = 1000;
	cl.backoff_max = 8000;
	for (i = 0; i < 2000; i++) {
		cl.backoff = 1000;
		d = clink_backoff(&cl);
		lo = d < lo ? d : lo;
		hi = d > hi ? d : hi;
		ok &= cl.backoff == 2000;
	}
	CHECK(lo >= 750 && hi <= 1250, "jitter within +-25%% (%llu..%llu)",
	    (unsigned long long)lo, (unsigned long long)hi);
	CHECK(hi - lo >= 250, "... and spread (%llu..%llu)",
	    (unsigned long long)lo, (unsigned long long)hi);
	CHECK(ok, "each delay doubles the next");
	for (i = 0; i < 10; i++)
		clink_backoff(&cl);
	CHECK(cl.backoff == 8000, "capped at backoff_max");
	d = clink_backoff(&cl);
	CHECK(d >= 6000 && d <= 10000, "the capped delay, jittered (%llu)",
	    (unsigned long long)d);
	cl.backoff = 1;
	CHECK(clink_backoff(&cl) <= 1 && cl.backoff == 2,
	    "a 1 ms back-off: no jitter to take, still doubles");
}

/* clink_beat()'s owner, as the master's peers use it (cluster.c). The
 * interval is long, so that no second heartbeat falls due between two
 * calls however slow the machine; the silence test has last_rx 1 ms back
 * and a 1 ms timeout, past it whatever the clock does. */
#define BEAT_HB		60000
#define BEAT_TO		120000
static struct beat {
	struct heartbeat hb;
	int		 nsend, ndrop, fail;
	Hd__Envelope	 sent;
	Hd__Heartbeat	 hb_sent;
	char		 why[96];
} B;

static int
beat_send(void *arg, Hd__Envelope *e)
{
	struct beat *b = arg;

	b->nsend++;
	b->sent = *e;
	if (e->body_case == HD__ENVELOPE__BODY_HEARTBEAT)
		b->hb_sent = *e->heartbeat;
	return b->fail ? -1 : 0;
}

static void
beat_drop(void *arg, const char *why)
{
	struct beat *b = arg;

	b->ndrop++;
	snprintf(b->why, sizeof(b->why), "%s", why);
}

static const struct clink_beat_ops beat_ops = { beat_send, beat_drop };

static void
test_beat(void)
{
	uint64_t wait = 0, now = ev_clock_ms();

	memset(&B, 0, sizeof(B));
	hb_start(&B.hb, now);
	CHECK(clink_beat(&B.hb, BEAT_HB, BEAT_TO, &beat_ops, &B, &wait) == 0 &&
	    B.nsend == 1 && B.ndrop == 0, "beat: a heartbeat due is sent");
	CHECK(B.sent.body_case == HD__ENVELOPE__BODY_HEARTBEAT &&
	    B.hb_sent.sent_ms >= now, "beat: ... as a Heartbeat body");
	CHECK(wait == BEAT_HB && B.hb.next_tx >= now + BEAT_HB,
	    "beat: the next one in hb_ms (wait %llu)",
	    (unsigned long long)wait);
	CHECK(clink_beat(&B.hb, BEAT_HB, BEAT_TO, &beat_ops, &B, &wait) == 0 &&
	    B.nsend == 1 && wait > 0 && wait <= BEAT_HB,
	    "beat: none before it is due");

	memset(&B, 0, sizeof(B));
	hb_start(&B.hb, now);
	B.fail = 1;
	CHECK(clink_beat(&B.hb, BEAT_HB, BEAT_TO, &beat_ops, &B, &wait) == -1 &&
	    B.nsend == 1 && B.ndrop == 0,
	    "beat: a failed send is -1 (the owner dropped the link)");

	memset(&B, 0, sizeof(B));
	hb_start(&B.hb, now - 1);
	B.hb.next_tx = UINT64_MAX;
	CHECK(clink_beat(&B.hb, BEAT_HB, 1, &beat_ops, &B, &wait) == -1 &&
	    B.ndrop == 1 && B.nsend == 0, "beat: a peer silent past the "
	    "timeout is dropped, nothing sent");
	CHECK(strncmp(B.why, "heartbeat timeout (silent for ", 30) == 0,
	    "beat: with the silence in the reason: \"%s\"", B.why);
}

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *f)
{
	(void)st;
	(void)flag;
	(void)f;
	return remove(path);
}

int
main(void)
{
	char	cmd[512];

	signal(SIGPIPE, SIG_IGN);
	test_backoff();
	test_beat();
	snprintf(pkidir, sizeof(pkidir), "%.200s/hd-test-clink.XXXXXX",
	    getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp");
	if (!CHECK(mkdtemp(pkidir) != NULL, "make a temporary directory"))
		return check_done();
	snprintf(cmd, sizeof(cmd), "%s '%s' >/dev/null", GEN_PKI, pkidir);
	fflush(stdout);
	if (!CHECK(access(GEN_PKI, X_OK) == 0 && system(cmd) == 0,
	    "generate a test PKI with %s (from the repository root)", GEN_PKI))
		goto out;
	loop = ev_loop_new();
	S.ctx = ctx(1, "master.crt", "master.key");
	cctx = ctx(0, "slave-barn.crt", "slave-barn.key");
	if (!CHECK(loop != NULL && S.ctx != NULL && cctx != NULL &&
	    srv_listen() == 0, "a TLS server on 127.0.0.1, a client context"))
		goto out;
	ev_timer_init(&tick, on_tick, NULL);
	ev_timer_init(&deadline, on_deadline, NULL);
	test_online();
	test_refused();
	test_wrong_node();
	conn_close(&S.conn);
	ev_io_set(loop, &S.lio, 0);
	close(S.lfd);
out:
	if (S.hello != NULL)
		wire_free(&S.hello->base);
	SSL_CTX_free(S.ctx);
	SSL_CTX_free(cctx);
	if (loop != NULL)
		ev_loop_free(loop);
	CHECK(nftw(pkidir, rm_one, 16, FTW_DEPTH | FTW_PHYS) == 0,
	    "remove the temporary directory");
	return check_done();
}
