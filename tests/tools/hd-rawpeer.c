/*
 * hd-rawpeer: a misbehaving (or well-behaved) slave for integration tests.
 * It connects to a master with any certificate, or none, and then does one
 * scripted thing: register properly, or send an oversized frame, garbage,
 * an undecodable frame, a message other than hello, plain HTTP, or nothing.
 * It prints one result line and exits 0 when the master behaved as a
 * hardened master should for that mode.
 *
 * Blocking I/O with socket timeouts is fine here: this is a test tool.
 */

#include <sys/socket.h>
#include <sys/time.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>

#include "cluster.pb-c.h"
#include "hdlimits.h"
#include "net.h"
#include "tls.h"
#include "wire.h"

struct opts {
	const char	*addr, *cert, *key, *ca, *mode, *node;
	int		 timeout;
	unsigned	 protocol;	/* Hello.protocol (-p) */
};

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: hd-rawpeer -a addr -m mode [-c cert -k key] "
	    "[-C ca] [-n node-id] [-p protocol] [-t seconds]\n"
	    "modes: hello standby oversize garbage undecodable nohello silent "
	    "http\n"
	    "       badannounce strayreport\n");
	exit(2);
}

static int
tcp_connect(const struct opts *o)
{
	struct sockaddr_storage	ss;
	socklen_t		sl;
	struct timeval		tv = { o->timeout, 0 };
	int			fd;

	if (net_parse_addr(o->addr, &ss, &sl) == -1)
		return -1;
	if ((fd = socket(ss.ss_family, SOCK_STREAM, 0)) == -1)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&ss, sl) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

static SSL *
tls_connect(const struct opts *o, int fd)
{
	SSL_CTX	*ctx;
	SSL	*ssl;

	ctx = SSL_CTX_new(TLS_client_method());
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	if (o->cert != NULL &&
	    (SSL_CTX_use_certificate_chain_file(ctx, o->cert) != 1 ||
	    SSL_CTX_use_PrivateKey_file(ctx, o->key, SSL_FILETYPE_PEM) != 1)) {
		printf("error: cannot load %s / %s\n", o->cert, o->key);
		exit(2);
	}
	if (o->ca != NULL) {
		SSL_CTX_load_verify_locations(ctx, o->ca, NULL);
		SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	}
	ssl = SSL_new(ctx);
	SSL_CTX_free(ctx);
	SSL_set_fd(ssl, fd);
	if (SSL_connect(ssl) != 1) {
		char e[160];
		printf("refused: handshake: %s\n", tls_errstr(e, sizeof(e)));
		exit(1);
	}
	return ssl;
}

static void
send_env(SSL *ssl, Hd__Envelope *e)
{
	struct buf b;

	buf_init(&b, WIRE_HDR_LEN + WIRE_MAX_FRAME);
	if (wire_put(&b, &e->base) == -1) {
		printf("error: cannot frame the message\n");
		exit(2);
	}
	/* With TLS 1.3 the server's verdict on our certificate arrives
	 * after our side of the handshake: a refusal shows up here. */
	if (SSL_write(ssl, buf_head(&b), (int)buf_used(&b)) <= 0) {
		char e2[160];
		printf("refused: %s\n", tls_errstr(e2, sizeof(e2)));
		exit(1);
	}
	buf_free(&b);
}

/* Read until one envelope arrives; NULL (with a reason) if none does. */
static Hd__Envelope *
recv_env(SSL *ssl, char *why, size_t len)
{
	struct buf		 b;
	ProtobufCMessage	*m = NULL;
	uint8_t			 tmp[4096];
	int			 r;

	buf_init(&b, WIRE_HDR_LEN + WIRE_MAX_FRAME + sizeof(tmp));
	while (wire_take(&b, &hd__envelope__descriptor, &m) == WIRE_MORE) {
		if ((r = SSL_read(ssl, tmp, sizeof(tmp))) <= 0) {
			char e[160];
			snprintf(why, len, "%s", SSL_get_error(ssl, r) ==
			    SSL_ERROR_ZERO_RETURN ? "closed by master" :
			    (errno == EAGAIN ? "timeout" :
			    tls_errstr(e, sizeof(e))));
			break;
		}
		buf_append(&b, tmp, (size_t)r);
	}
	buf_free(&b);
	return (Hd__Envelope *)m;
}

static char *
cert_cn(const char *path)
{
	static char	 id[NODE_ID_MAX + 1];
	FILE		*f = fopen(path, "r");
	X509		*x = f ? PEM_read_X509(f, NULL, NULL, NULL) : NULL;

	if (f)
		fclose(f);
	if (x == NULL || tls_cert_node_id(x, id, sizeof(id)) == -1)
		snprintf(id, sizeof(id), "unknown");
	X509_free(x);
	return id;
}

/* Send hello, wait for the answer. 0: welcomed; -1: refused (printed). */
static int
do_hello(SSL *ssl, const struct opts *o)
{
	Hd__Envelope	 e = HD__ENVELOPE__INIT, *in;
	Hd__Hello	 h = HD__HELLO__INIT;
	char		 why[200] = "no answer";
	char		 site[] = "Rawpeer", ver[] = "0.0.0";
	Hd__Capability	 cap = HD__CAPABILITY__CAP_STANDBY;

	h.node_id = (char *)(uintptr_t)(o->node ? o->node :
	    o->cert ? cert_cn(o->cert) : "nobody");
	h.site = site;
	h.version = ver;
	h.boot_id = (uint64_t)getpid() << 20 | 1;
	h.protocol = o->protocol;
	if (strcmp(o->mode, "standby") == 0) {	/* claims to be a standby */
		h.capabilities = &cap;
		h.n_capabilities = 1;
	}
	e.body_case = HD__ENVELOPE__BODY_HELLO;
	e.hello = &h;
	send_env(ssl, &e);
	if ((in = recv_env(ssl, why, sizeof(why))) == NULL) {
		printf("refused: %s\n", why);
		return -1;
	}
	if (in->body_case == HD__ENVELOPE__BODY_WELCOME) {
		printf("welcome from %s term %llu\n", in->welcome->master_id,
		    (unsigned long long)in->welcome->term);
		wire_free(&in->base);
		return 0;
	}
	if (in->body_case == HD__ENVELOPE__BODY_REFUSAL)
		printf("refused: %s\n", in->refusal->detail);
	else
		printf("refused: unexpected answer %d\n", in->body_case);
	wire_free(&in->base);
	return -1;
}

/* After misbehaving: 0 if the master closes on us within the timeout.
 * Heartbeats may still arrive before the close; skip them. */
static int
expect_close(SSL *ssl)
{
	uint8_t	tmp[4096];
	int	r;

	while ((r = SSL_read(ssl, tmp, sizeof(tmp))) > 0)
		;
	if (errno == EAGAIN && SSL_get_error(ssl, r) == SSL_ERROR_SYSCALL) {
		printf("not closed: master kept the connection\n");
		return 1;
	}
	printf("closed by master\n");
	return 0;
}

static int
raw_expect_close(int fd)
{
	char	buf[512];
	ssize_t	r;

	while ((r = read(fd, buf, sizeof(buf))) > 0)
		;
	if (r == -1 && errno == EAGAIN) {
		printf("not closed: master kept the connection\n");
		return 1;
	}
	printf("closed by master\n");
	return 0;
}

/* A device list the master must refuse: an id far past DEVICE_ID_MAX. */
static int
bad_announce(SSL *ssl)
{
	Hd__Envelope		e = HD__ENVELOPE__INIT;
	Hd__DeviceAnnounce	da = HD__DEVICE_ANNOUNCE__INIT;
	Hd__Device		d = HD__DEVICE__INIT, *dp = &d;
	char			id[200];

	memset(id, 'x', sizeof(id) - 1);
	id[sizeof(id) - 1] = '\0';
	d.id = id;
	da.devices = &dp;
	da.n_devices = 1;
	e.body_case = HD__ENVELOPE__BODY_ANNOUNCE;
	e.announce = &da;
	send_env(ssl, &e);
	return expect_close(ssl);
}

/* A report for a value never announced: ignored, the link stays up. */
static int
stray_report(SSL *ssl)
{
	Hd__Envelope	e = HD__ENVELOPE__INIT;
	Hd__ValueReport	r = HD__VALUE_REPORT__INIT;
	Hd__Value	v = HD__VALUE__INIT;
	char		dev[] = "no:such", key[] = "on";
	uint8_t		tmp[256];

	v.v_case = HD__VALUE__V_B;
	r.device_id = dev;
	r.key = key;
	r.value = &v;
	e.seq = 1;
	e.body_case = HD__ENVELOPE__BODY_REPORT;
	e.report = &r;
	send_env(ssl, &e);
	/* Still welcome if a heartbeat comes back and no close does. */
	if (SSL_read(ssl, tmp, sizeof(tmp)) > 0) {
		printf("still connected\n");
		return 0;
	}
	printf("closed by master\n");
	return 1;
}

static int
misbehave(SSL *ssl, const char *mode)
{
	uint8_t		junk[64];
	const uint8_t	huge[] = { 0x7f, 0xff, 0xff, 0xff };
	const uint8_t	bad[] = { 0, 0, 0, 8, 0xff, 0xff, 0xff, 0xff, 0xff,
			    0xff, 0xff, 0xff };
	size_t		i;

	if (strcmp(mode, "oversize") == 0)
		SSL_write(ssl, huge, sizeof(huge));
	else if (strcmp(mode, "undecodable") == 0)
		SSL_write(ssl, bad, sizeof(bad));
	else {
		for (i = 0; i < sizeof(junk); i++)
			junk[i] = (uint8_t)(i * 37 + 11);
		SSL_write(ssl, junk, sizeof(junk));
	}
	return expect_close(ssl);
}

static int
run(const struct opts *o)
{
	Hd__Envelope	e = HD__ENVELOPE__INIT;
	Hd__Heartbeat	hb = HD__HEARTBEAT__INIT;
	SSL		*ssl;
	int		fd, r;

	if ((fd = tcp_connect(o)) == -1) {
		printf("error: cannot connect to %s: %s\n", o->addr,
		    strerror(errno));
		return 2;
	}
	if (strcmp(o->mode, "silent") == 0)
		return raw_expect_close(fd);
	if (strcmp(o->mode, "http") == 0) {
		if (write(fd, "GET / HTTP/1.1\r\nHost: x\r\n\r\n", 27) != 27)
			return 2;
		return raw_expect_close(fd);
	}
	ssl = tls_connect(o, fd);
	if (strcmp(o->mode, "nohello") == 0) {
		e.body_case = HD__ENVELOPE__BODY_HEARTBEAT;
		e.heartbeat = &hb;
		send_env(ssl, &e);
		r = expect_close(ssl);
	} else if (do_hello(ssl, o) == -1)
		r = 1;
	else if (strcmp(o->mode, "hello") == 0 ||
	    strcmp(o->mode, "standby") == 0)
		r = 0;
	else if (strcmp(o->mode, "badannounce") == 0)
		r = bad_announce(ssl);
	else if (strcmp(o->mode, "strayreport") == 0)
		r = stray_report(ssl);
	else
		r = misbehave(ssl, o->mode);
	SSL_free(ssl);
	close(fd);
	return r;
}

int
main(int argc, char *argv[])
{
	struct opts	o = { .timeout = 8, .protocol = WIRE_PROTOCOL };
	int		ch;

	while ((ch = getopt(argc, argv, "a:c:k:C:m:n:p:t:")) != -1) {
		switch (ch) {
		case 'a': o.addr = optarg; break;
		case 'c': o.cert = optarg; break;
		case 'k': o.key = optarg; break;
		case 'C': o.ca = optarg; break;
		case 'm': o.mode = optarg; break;
		case 'n': o.node = optarg; break;
		case 'p': o.protocol = (unsigned)strtoul(optarg, NULL, 10); break;
		case 't': o.timeout = atoi(optarg); break;
		default: usage();
		}
	}
	if (o.addr == NULL || o.mode == NULL || (o.cert != NULL) !=
	    (o.key != NULL) || o.timeout <= 0)
		usage();
	signal(SIGPIPE, SIG_IGN);
	return run(&o);
}
