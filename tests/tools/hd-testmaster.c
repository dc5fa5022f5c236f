/*
 * hd-testmaster: a minimal master for tests. Until the master's API exists
 * nothing else can send a Command to a slave; this tool can, and it shows
 * everything the slave sends back, one line per event, so a shell test can
 * drive a real hd-slave and grep the outcome.
 *
 *	hd-testmaster -a addr -c cert -k key -C ca [-r crl] [-T term]
 *	    [-H heartbeat_ms] [-u] [-v]
 *
 * It listens on `addr` with a master certificate (mutual TLS 1.3, the
 * slave role required of the peer, as hd-master does), accepts one slave
 * at a time (a new connection replaces the current one, so a slave that
 * reconnects is never locked out by a half-dead old link), answers Hello
 * with Welcome, sends heartbeats every -H ms (default 1000; timeout five
 * times that) and acks every sequenced envelope through the `ack` of all
 * it sends. Welcome carries term -T (default 1) and the last seq processed
 * for this slave's boot, kept for the life of this process only, as the
 * real master keeps it in memory. Unlike hd-master it does not refuse a
 * Hello whose highest_term is above its own: it welcomes it, so that the
 * slave's own fencing of a stale master can be tested.
 *
 * stdout, line-buffered, one line per event:
 *
 *	listening ADDR
 *	hello NODE boot=HEX term=HIGHEST_TERM resume=ACK
 *	online NODE SITE			(Welcome sent)
 *	announce NODE N ID,ID,...		(then one line per device:)
 *	device ID KIND KEY:TYPE:rw|ro[:MIN..MAX][/UNIT] ...
 *						(/UNIT only with -u)
 *	report DEV KEY VALUE [stale] [fault] [lowbat] at=WALL_MS
 *	result ID STATUS VALUE [duplicate] [DETAIL...]
 *	fault SUBSYSTEM DEV|- raised|cleared DETAIL...
 *	offline REASON...
 *	error REASON...				(a bad line on stdin)
 *
 * VALUE is true/false, an integer, a number with a '.' or an exponent
 * (or nan/inf), "text" (with \" \\ and \xNN escapes), or - for none.
 * Replayed envelopes already processed (seq <= resume) are not shown.
 *
 * stdin, one command per line (blank lines and # comments ignored):
 *
 *	cmd ID DEVICE KEY VALUE		send a Command
 *	pulse ID DEVICE KEY VALUE MS	the same with pulse_ms
 *	refuse [REASON]			send a Refusal and close; REASON is
 *					a Refusal.Reason name (UNSPECIFIED)
 *	quit				send SHUTDOWN and exit
 *
 * VALUE is read as printed above: true/false, an integer, a number, or
 * "quoted text". End of input, SIGTERM and SIGINT act like quit. If stdin
 * cannot be polled (a regular file, /dev/null) commands are off.
 *
 * Diagnostics go to stderr through shared/log.c. Exit status: 0, or 1 on
 * a start-up error, 2 on bad options.
 *
 * The lines of text, printed and read, are in testmaster_text.c, linked
 * into the same program.
 */

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cluster.pb-c.h"
#include "conn.h"
#include "ev.h"
#include "heartbeat.h"
#include "hdlimits.h"
#include "log.h"
#include "net.h"
#include "tls.h"
#include "wire.h"
#include "testmaster_text.h"

#define TM_VERSION	"0.1.0-test"
#define TM_MAX_LINE	1024		/* one stdin command */
#define TM_MAX_WORDS	8

enum tm_state {
	TM_NONE,		/* no slave connected */
	TM_HANDSHAKE,		/* TLS in progress */
	TM_HELLO,		/* verified, waiting for Hello */
	TM_ONLINE,		/* Welcome sent */
};

struct tmaster {
	struct ev_loop	*loop;
	SSL_CTX		*ctx;
	char		 id[NODE_ID_MAX + 1];
	uint64_t	 term;
	uint32_t	 hb_ms, timeout_ms;
	uint64_t	 seq;		/* our command envelopes */
	int		 lfd;
	struct ev_io	 lio;
	/* stdin */
	struct ev_io	 inio;
	char		 line[TM_MAX_LINE + 1];
	size_t		 linelen;
	int		 overlong;	/* skipping the rest of a long line */
	/* the one slave */
	struct conn	 conn;
	enum tm_state	 state;
	struct ev_timer	 timer;		/* handshake deadline, heartbeat */
	struct heartbeat hb;
	/* Per-boot tracking: survives reconnects of the same slave boot. */
	char		 node[NODE_ID_MAX + 1];
	uint64_t	 boot_id;
	uint64_t	 last_seq;
};

static int	tm_open(struct conn *);
static int	tm_frame(struct conn *, ProtobufCMessage *);
static void	tm_fail(struct conn *, const char *);

static const struct conn_ops tm_ops = { tm_open, tm_frame, tm_fail };

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: hd-testmaster -a addr -c cert -k key -C ca "
	    "[-r crl] [-T term]\n\t[-H heartbeat_ms] [-u] [-v]\n");
	exit(2);
}

/* Close the slave's connection, if any, and say why. */
static void
tm_drop(struct tmaster *t, const char *why)
{
	if (t->state == TM_NONE)
		return;
	if (t->state == TM_ONLINE)
		printf("offline %s\n", why);
	else
		log_warnx("connection from %s dropped before registering: %s",
		    t->conn.addr, why);
	ev_timer_stop(t->loop, &t->timer);
	conn_close(&t->conn);
	t->state = TM_NONE;
}

static int
tm_send(struct tmaster *t, Hd__Envelope *e)
{
	e->term = t->term;
	e->ack = t->last_seq;
	if (conn_send(&t->conn, &e->base) == -1) {
		tm_drop(t, "cannot send (output queue full or link error)");
		return -1;
	}
	return 0;
}

/* Send a Refusal and close. Always -1: the connection is gone. */
static int
tm_refuse(struct tmaster *t, Hd__Refusal__Reason reason, const char *detail)
{
	Hd__Envelope	e = HD__ENVELOPE__INIT;
	Hd__Refusal	r = HD__REFUSAL__INIT;
	char		why[160];

	r.reason = reason;
	r.detail = (char *)(uintptr_t)detail;
	e.body_case = HD__ENVELOPE__BODY_REFUSAL;
	e.refusal = &r;
	if (tm_send(t, &e) == -1)
		return -1;
	snprintf(why, sizeof(why), "refused by us: %s: %s",
	    enum_name(&hd__refusal__reason__descriptor, (int)reason), detail);
	tm_drop(t, why);
	return -1;
}

static void
tm_timer(struct ev_timer *tmr)
{
	struct tmaster	*t = tmr->arg;
	Hd__Envelope	 e = HD__ENVELOPE__INIT;
	Hd__Heartbeat	 hb = HD__HEARTBEAT__INIT;
	uint64_t	 now = ev_clock_ms(), wait;
	char		 why[96];

	if (t->state != TM_ONLINE) {
		tm_drop(t, "no TLS handshake and hello in time");
		return;
	}
	switch (hb_check(&t->hb, now, t->timeout_ms, &wait)) {
	case HB_DEAD:
		snprintf(why, sizeof(why), "heartbeat timeout (silent for %"
		    PRIu64 " ms)", now - t->hb.last_rx);
		tm_drop(t, why);
		return;
	case HB_SEND:
		hb_fill(&t->hb, now, t->hb_ms, &hb);
		e.body_case = HD__ENVELOPE__BODY_HEARTBEAT;
		e.heartbeat = &hb;
		if (tm_send(t, &e) == -1)
			return;
		hb_check(&t->hb, now, t->timeout_ms, &wait);
		break;
	case HB_WAIT:
		break;
	}
	ev_timer_start(t->loop, tmr, wait);
}

static void
accept_cb(struct ev_io *io, int rev)
{
	struct tmaster	*t = io->arg;
	char		 addr[INET6_ADDRSTRLEN + 8];
	int		 fd;

	(void)rev;
	if ((fd = net_accept(io->fd, addr, sizeof(addr))) == -1)
		return;
	tm_drop(t, "replaced by a new connection");
	if (conn_start(&t->conn, t->loop, fd, t->ctx, 1, 0, addr,
	    &hd__envelope__descriptor, &tm_ops, t) == -1) {
		log_warnx("connection from %s: TLS setup failed", addr);
		close(fd);
		return;
	}
	t->state = TM_HANDSHAKE;
	hb_start(&t->hb, ev_clock_ms());
	ev_timer_start(t->loop, &t->timer, CLUSTER_HANDSHAKE_MS);
	log_debug("connection from %s", addr);
}

static int
tm_open(struct conn *c)
{
	struct tmaster *t = c->arg;

	t->state = TM_HELLO;
	log_debug("TLS from %s: %s verified", c->addr, c->peer_id);
	return 0;
}

static int
handle_hello(struct tmaster *t, const Hd__Hello *h)
{
	Hd__Envelope	e = HD__ENVELOPE__INIT;
	Hd__Welcome	w = HD__WELCOME__INIT;

	if (strcmp(h->node_id, t->conn.peer_id) != 0)
		return tm_refuse(t, HD__REFUSAL__REASON__NODE_ID_MISMATCH,
		    "hello names another node than the certificate");
	if (h->protocol != WIRE_PROTOCOL)
		return tm_refuse(t, HD__REFUSAL__REASON__PROTOCOL,
		    "protocol not supported");
	if (strcmp(t->node, h->node_id) != 0 || t->boot_id != h->boot_id) {
		/* Another slave or a restarted one: its seq starts over. */
		snprintf(t->node, sizeof(t->node), "%s", h->node_id);
		t->boot_id = h->boot_id;
		t->last_seq = 0;
	}
	printf("hello %s boot=%016" PRIx64 " term=%" PRIu64 " resume=%" PRIu64
	    "\n", t->node, h->boot_id, h->highest_term, t->last_seq);
	w.master_id = t->id;
	w.version = (char *)(uintptr_t)TM_VERSION;
	w.term = t->term;
	w.resume_ack = t->last_seq;
	w.heartbeat_ms = t->hb_ms;
	w.timeout_ms = t->timeout_ms;
	e.body_case = HD__ENVELOPE__BODY_WELCOME;
	e.welcome = &w;
	if (tm_send(t, &e) == -1)
		return -1;
	t->state = TM_ONLINE;
	printf("online %s ", t->node);
	put_word(h->site);
	putchar('\n');
	ev_timer_start(t->loop, &t->timer, 0);
	return 0;
}

/* An envelope from the registered slave. -1: the connection is gone. */
static int
dispatch(struct tmaster *t, const Hd__Envelope *e)
{
	char vis[128], why[160];

	if (e->seq != 0) {
		if (e->seq <= t->last_seq) {
			log_debug("seq %" PRIu64 " already processed",
			    e->seq);
			return 0;
		}
		t->last_seq = e->seq;
	}
	switch (e->body_case) {
	case HD__ENVELOPE__BODY_HEARTBEAT:
		hb_received(&t->hb, ev_clock_ms(), e->heartbeat);
		return 0;
	case HD__ENVELOPE__BODY_ANNOUNCE:
		show_announce(t->node, e->announce);
		return 0;
	case HD__ENVELOPE__BODY_REPORT:
		show_report(e->report);
		return 0;
	case HD__ENVELOPE__BODY_RESULT:
		show_result(e->result);
		return 0;
	case HD__ENVELOPE__BODY_FAULT:
		show_fault(e->fault);
		return 0;
	case HD__ENVELOPE__BODY_REFUSAL:
		snprintf(why, sizeof(why), "slave closed the link: %s: %s",
		    enum_name(&hd__refusal__reason__descriptor,
		    (int)e->refusal->reason),
		    str_vis(vis, sizeof(vis), e->refusal->detail));
		tm_drop(t, why);
		return -1;
	default:
		tm_drop(t, "message a slave may not send");
		return -1;
	}
}

static int
tm_frame(struct conn *c, ProtobufCMessage *msg)
{
	struct tmaster	*t = c->arg;
	Hd__Envelope	*e = (Hd__Envelope *)msg;
	int		 r;

	hb_heard(&t->hb, ev_clock_ms());
	if (t->state == TM_HELLO) {
		if (e->body_case == HD__ENVELOPE__BODY_HELLO)
			r = handle_hello(t, e->hello);
		else
			r = tm_refuse(t, HD__REFUSAL__REASON__BAD_HELLO,
			    "first message is not a hello");
	} else
		r = dispatch(t, e);
	wire_free(msg);
	return r;
}

static void
tm_fail(struct conn *c, const char *why)
{
	tm_drop(c->arg, why);
}

/* cmd ID DEVICE KEY VALUE / pulse ID DEVICE KEY VALUE MS */
static void
send_command(struct tmaster *t, int argc, char *argv[], int quoted[])
{
	Hd__Envelope	e = HD__ENVELOPE__INIT;
	Hd__Command	c = HD__COMMAND__INIT;
	Hd__Value	v;
	uint64_t	ms = 0;

	if (argc != (strcmp(argv[0], "pulse") == 0 ? 6 : 5)) {
		printf("error usage: cmd ID DEVICE KEY VALUE | "
		    "pulse ID DEVICE KEY VALUE MS\n");
		return;
	}
	if (parse_u64(argv[1], UINT64_MAX, &c.id) == -1 ||
	    parse_value(argv[4], quoted[4], &v) == -1 ||
	    (argc == 6 && parse_u64(argv[5], UINT32_MAX, &ms) == -1)) {
		printf("error bad id, value or pulse length\n");
		return;
	}
	if (t->state != TM_ONLINE) {
		printf("error no slave online\n");
		return;
	}
	c.device_id = argv[2];
	c.key = argv[3];
	c.value = &v;
	c.pulse_ms = (uint32_t)ms;
	c.issued_by = (char *)(uintptr_t)"hd-testmaster";
	e.seq = ++t->seq;
	e.body_case = HD__ENVELOPE__BODY_COMMAND;
	e.command = &c;
	tm_send(t, &e);
}

static void
quit(struct tmaster *t)
{
	if (t->state == TM_ONLINE)
		tm_refuse(t, HD__REFUSAL__REASON__SHUTDOWN,
		    "test master shutting down");
	tm_drop(t, "test master shutting down");
	ev_break(t->loop);
}

static void
do_line(struct tmaster *t, char *line)
{
	const ProtobufCEnumValue	*r;
	char				*argv[TM_MAX_WORDS];
	int				 quoted[TM_MAX_WORDS], argc;

	if ((argc = split(line, argv, quoted, TM_MAX_WORDS)) == -1) {
		printf("error unclosed quote or too many words\n");
		return;
	}
	if (argc == 0)
		return;
	if (strcmp(argv[0], "cmd") == 0 || strcmp(argv[0], "pulse") == 0)
		send_command(t, argc, argv, quoted);
	else if (strcmp(argv[0], "refuse") == 0 && argc <= 2) {
		r = protobuf_c_enum_descriptor_get_value_by_name(
		    &hd__refusal__reason__descriptor,
		    argc == 2 ? argv[1] : "UNSPECIFIED");
		if (r == NULL)
			printf("error unknown refusal reason\n");
		else if (t->state != TM_HELLO && t->state != TM_ONLINE)
			printf("error no slave connected\n");
		else
			tm_refuse(t, (Hd__Refusal__Reason)r->value,
			    "refused by the test master");
	} else if (strcmp(argv[0], "quit") == 0 && argc == 1)
		quit(t);
	else
		printf("error unknown command\n");
}

/* Level-triggered: one read per wake-up never blocks, even without
 * O_NONBLOCK (which would leak to whoever shares our stdin). */
static void
stdin_cb(struct ev_io *io, int rev)
{
	struct tmaster	*t = io->arg;
	char		 buf[512];
	ssize_t		 n, i;

	(void)rev;
	if ((n = read(io->fd, buf, sizeof(buf))) <= 0) {
		if (n == -1 && (errno == EINTR || errno == EAGAIN))
			return;
		log_info("end of input: shutting down");
		ev_io_set(t->loop, io, 0);
		quit(t);
		return;
	}
	for (i = 0; i < n; i++) {
		if (buf[i] != '\n') {
			if (t->linelen < TM_MAX_LINE)
				t->line[t->linelen++] = buf[i];
			else
				t->overlong = 1;
			continue;
		}
		t->line[t->linelen] = '\0';
		if (t->overlong)
			printf("error line too long\n");
		else
			do_line(t, t->line);
		t->linelen = 0;
		t->overlong = 0;
	}
}

static void
on_signal(int sig, void *arg)
{
	log_info("signal %d: shutting down", sig);
	quit(arg);
}

static void
tm_setup(struct tmaster *t, const struct tls_files *files, const char *addr)
{
	struct sockaddr_storage	ss;
	socklen_t		sl;
	char			err[256];

	t->ctx = tls_ctx_new(files, 1, ROLE_MASTER, ROLE_SLAVE, err,
	    sizeof(err));
	if (t->ctx == NULL)
		fatalx("TLS setup: %s", err);
	if (tls_cert_node_id(SSL_CTX_get0_certificate(t->ctx), t->id,
	    sizeof(t->id)) == -1)
		fatalx("%s: CN is not a valid node id", files->cert);
	if ((t->loop = ev_loop_new()) == NULL)
		fatal("event loop");
	signal(SIGPIPE, SIG_IGN);
	ev_signal(t->loop, SIGTERM, on_signal, t);
	ev_signal(t->loop, SIGINT, on_signal, t);
	if (net_parse_addr(addr, &ss, &sl) == -1)
		fatalx("bad address %s", addr);
	if ((t->lfd = net_listen(&ss, sl, 8)) == -1)
		fatal("listen %s", addr);
	ev_io_init(&t->lio, t->lfd, accept_cb, t);
	if (ev_io_set(t->loop, &t->lio, EV_READ) == -1)
		fatal("listen %s", addr);
	ev_io_init(&t->inio, STDIN_FILENO, stdin_cb, t);
	if (ev_io_set(t->loop, &t->inio, EV_READ) == -1)
		log_warnx("stdin cannot be polled: no commands");
	ev_timer_init(&t->timer, tm_timer, t);
}

int
main(int argc, char *argv[])
{
	struct tmaster		t;
	struct tls_files	files = { NULL, NULL, NULL, NULL };
	const char		*addr = NULL;
	uint64_t		hb = CLUSTER_HEARTBEAT_MS;
	int			ch, verbose = 0, r;

	memset(&t, 0, sizeof(t));
	t.term = 1;
	while ((ch = getopt(argc, argv, "a:c:k:C:r:T:H:uv")) != -1) {
		switch (ch) {
		case 'a': addr = optarg; break;
		case 'c': files.cert = optarg; break;
		case 'k': files.key = optarg; break;
		case 'C': files.ca = optarg; break;
		case 'r': files.crl = optarg; break;
		case 'T':
			if (parse_u64(optarg, UINT64_MAX, &t.term) == -1 ||
			    t.term == 0)
				usage();
			break;
		case 'H':
			if (parse_u64(optarg, 60000, &hb) == -1 || hb < 100)
				usage();
			break;
		case 'u': show_units = 1; break;
		case 'v': verbose++; break;
		default: usage();
		}
	}
	if (optind != argc || addr == NULL || files.cert == NULL ||
	    files.key == NULL || files.ca == NULL)
		usage();
	log_init("hd-testmaster", verbose);
	setvbuf(stdout, NULL, _IOLBF, 0);
	t.hb_ms = (uint32_t)hb;
	t.timeout_ms = (uint32_t)hb * (CLUSTER_TIMEOUT_MS /
	    CLUSTER_HEARTBEAT_MS);
	tm_setup(&t, &files, addr);
	printf("listening %s\n", addr);
	r = ev_run(t.loop);
	tm_drop(&t, "test master shutting down");
	ev_io_set(t.loop, &t.inio, 0);
	ev_io_set(t.loop, &t.lio, 0);
	close(t.lfd);
	SSL_CTX_free(t.ctx);
	ev_loop_free(t.loop);
	return r == -1 ? 1 : 0;
}
