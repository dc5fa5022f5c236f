/*
 * The web process's side of a new connection, before any request: accept
 * (banned addresses cut at once, room made by shedding), sniff the first
 * bytes so a probe never costs a TLS handshake, the handshake itself, and
 * probes: logged once per connection, scored, reported to the master.
 * What follows the handshake is web_conn.c's.
 */

#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>

#include "log.h"
#include "net.h"
#include "web/web.h"

/* Log a probe once per connection, score it, maybe ban. */
static void	wc_probe_w(struct wconn *, enum probe_class, const char *,
		    const uint8_t *, size_t, double);

void
wc_probe(struct wconn *c, enum probe_class pc, const char *detail,
    const uint8_t *first, size_t n)
{
	wc_probe_w(c, pc, detail, first, n, 1.0);
}

/*
 * A probe inside a request, which a page can make its visitor's browser
 * send (an <img> of a scanner's path, an encoded slash): one with a
 * browser's signature is logged and counted but adds nothing to the ban
 * score. The head is the parsed one once taken (a body under way), else
 * the raw bytes at first[0..n).
 */
void
wc_probe_req(struct wconn *c, enum probe_class pc, const char *detail,
    const char *first, size_t n)
{
	int browser = c->state == WC_BODY ? web_req_browser(&c->req) :
	    probe_browser_head(first, n);

	wc_probe_w(c, pc, detail, (const uint8_t *)first, n, browser ? 0 :
	    1.0);
}

void
wc_probe_scanner(struct wconn *c, const char *what)
{
	wc_probe_w(c, PROBE_SCANNER, what, (const uint8_t *)c->req.path,
	    strlen(c->req.path), web_req_browser(&c->req) ? 0 : 1.0);
}

/* `weight`: how much this probe counts towards a ban (ban.c). */
static void
wc_probe_w(struct wconn *c, enum probe_class pc, const char *detail,
    const uint8_t *first, size_t n, double weight)
{
	struct web	*w = c->w;
	char		 q[PROBE_SHOW_BYTES * 4 + 8];
	uint64_t	 banned, full, now_full;

	if (c->probed++)
		return;
	w->stats.probes[pc]++;
	if (!(weight > 0))
		w->stats.unscored++;
	full = ban_full(w->bans);
	banned = ban_probe(w->bans, c->addr, weight, ev_wall_ms());
	now_full = ban_full(w->bans);
	probe_quote(q, sizeof(q), first, n);
	log_warnx("probe class=%s addr=%s detail=\"%s\" first=\"%s\"%s%s",
	    probe_class_name(pc), c->name, detail, q, weight > 0 ? "" :
	    " browser (not scored)", banned ? " banned" : "");
	/* Each power of two, so a flood does not flood the log too. */
	if (now_full > full && (now_full & (now_full - 1)) == 0)
		log_warnx("ban table full of bans in force: %llu probes not "
		    "scored so far", (unsigned long long)now_full);
	if (banned)
		log_warnx("ban %s for %llu s", c->name,
		    (unsigned long long)(banned / 1000));
	web_report_probe(w, c, pc, detail, first, n, weight, banned);
}

static void
addr_of(struct wconn *c, const struct sockaddr_storage *ss)
{
	char h[INET6_ADDRSTRLEN];

	memset(c->addr, 0, sizeof(c->addr));
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *s4 = (const void *)ss;
		c->addr[10] = c->addr[11] = 0xff;
		memcpy(c->addr + 12, &s4->sin_addr, 4);
		c->port = ntohs(s4->sin_port);
		inet_ntop(AF_INET, &s4->sin_addr, h, sizeof(h));
		snprintf(c->name, sizeof(c->name), "%s:%u", h, c->port);
	} else {
		const struct sockaddr_in6 *s6 = (const void *)ss;
		memcpy(c->addr, &s6->sin6_addr, 16);
		c->port = ntohs(s6->sin6_port);
		inet_ntop(AF_INET6, &s6->sin6_addr, h, sizeof(h));
		snprintf(c->name, sizeof(c->name), "[%s]:%u", h, c->port);
	}
}

/*
 * Connections are also kept in lists by address (as counted: an IPv6
 * /v6bits), so the per-address cap costs one short list at each accept,
 * not a walk of every connection: under a flood that walk was the largest
 * cost of an accept we control.
 */
_Static_assert((WEB_ADDR_BUCKETS & (WEB_ADDR_BUCKETS - 1)) == 0 &&
    WEB_ADDR_BUCKETS >= WEB_MAX_CONNS, "WEB_ADDR_BUCKETS: a power of two");

static struct wconn_list *
addr_list(struct web *w, const uint8_t key[16])
{
	uint32_t	h = 2166136261u ^ w->addr_seed;	/* FNV-1a */
	int		i;

	for (i = 0; i < 16; i++)
		h = (h ^ key[i]) * 16777619u;
	return &w->byaddr[h & (WEB_ADDR_BUCKETS - 1)];
}

void
wc_addr_add(struct wconn *c)
{
	TAILQ_INSERT_TAIL(addr_list(c->w, c->key), c, addr_entry);
}

void
wc_addr_remove(struct wconn *c)
{
	TAILQ_REMOVE(addr_list(c->w, c->key), c, addr_entry);
}

/*
 * Make room: the oldest connection that has not finished its handshake
 * goes first (from the address `key` only, when it is given). 0 if one
 * was shed.
 */
static int
shed(struct web *w, const uint8_t *key)
{
	struct wconn *c;

	if (key == NULL) {
		TAILQ_FOREACH(c, &w->conns, entry)
			if (c->state == WC_SNIFF || c->state == WC_HANDSHAKE)
				break;
	} else {
		TAILQ_FOREACH(c, addr_list(w, key), addr_entry)
			if ((c->state == WC_SNIFF || c->state == WC_HANDSHAKE) &&
			    memcmp(c->key, key, 16) == 0)
				break;
	}
	if (c == NULL)
		return -1;
	w->stats.shed++;
	log_debug("shedding %s to make room", c->name);
	wc_close(c);
	return 0;
}

static int
count_addr(struct web *w, const uint8_t key[16])
{
	const struct wconn	*c;
	int			 n = 0;

	TAILQ_FOREACH(c, addr_list(w, key), addr_entry)
		if (memcmp(c->key, key, 16) == 0)
			n++;
	return n;
}

int
wc_accept(struct web *w, int lfd)
{
	struct sockaddr_storage	 ss;
	socklen_t		 sl = sizeof(ss);
	struct wconn		*c, tmp;
	int			 fd;

	if ((fd = accept4(lfd, (struct sockaddr *)&ss, &sl, SOCK_NONBLOCK |
	    SOCK_CLOEXEC)) == -1)
		return -1;
	addr_of(&tmp, &ss);
	/* Banned: cut before any TLS work, and quietly. */
	if (ban_check(w->bans, tmp.addr, ev_wall_ms())) {
		w->stats.banned_drops++;
		close(fd);
		return 0;
	}
	net_addr_key(tmp.key, tmp.addr, w->v6bits);
	if ((count_addr(w, tmp.key) >= WEB_MAX_PER_ADDR &&
	    shed(w, tmp.key) == -1) ||
	    (w->nconns >= WEB_MAX_CONNS && shed(w, NULL) == -1) ||
	    (c = calloc(1, sizeof(*c))) == NULL) {
		w->stats.shed++;
		close(fd);
		return 0;
	}
	memcpy(c->addr, tmp.addr, 16);
	memcpy(c->key, tmp.key, 16);
	memcpy(c->name, tmp.name, sizeof(c->name));
	c->port = tmp.port;
	c->w = w;
	c->fd = fd;
	c->state = WC_SNIFF;
	wc_start(c);
	return 0;
}

/* Plain HTTP on the TLS port: answer in clear like nginx, then close. */
static void
answer_cleartext(struct wconn *c)
{
	static const char msg[] = "HTTP/1.1 400 Bad Request\r\n"
	    "Content-Type: text/plain\r\nContent-Length: 39\r\n"
	    "Connection: close\r\n\r\n"
	    "This port speaks HTTPS: use https://.\r\n";

	if (send(c->fd, msg, sizeof(msg) - 1, MSG_NOSIGNAL) < 0)
		log_debug("%s: cleartext answer not sent", c->name);
}

/* Look at the first bytes without taking them; TLS goes on. */
int
wc_sniff(struct wconn *c)
{
	uint8_t		 p[WEB_SNIFF_BYTES];
	const char	*detail;
	enum probe_class pc;
	ssize_t		 n;
	int		 one = 1;

	n = recv(c->fd, p, sizeof(p), MSG_PEEK);
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return 0;
	if (n <= 0) {
		wc_probe(c, PROBE_SILENT, "closed without a byte", p, 0);
		return -1;
	}
	if ((pc = probe_classify(p, (size_t)n, &detail)) != PROBE_NONE) {
		if (pc == PROBE_PLAIN_HTTP)
			answer_cleartext(c);
		wc_probe(c, pc, detail, p, (size_t)n);
		return -1;
	}
	/* Responses go out in one write each: no reason to wait for ACKs
	 * (set only now, so a probe costs no system call for it). */
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if ((c->ssl = SSL_new(c->w->ctx)) == NULL ||
	    SSL_set_fd(c->ssl, c->fd) != 1)
		return -1;
	SSL_set_accept_state(c->ssl);
	c->state = WC_HANDSHAKE;
	return 0;
}

/* Did the client end the handshake with an alert saying it does not
 * trust our certificate? (Look before wc_ssl_want() takes the error.) */
static int
cert_rejected(void)
{
	unsigned long e = ERR_peek_error();

	if (ERR_GET_LIB(e) != ERR_LIB_SSL)
		return 0;
	switch (ERR_GET_REASON(e)) {
	case SSL_R_SSLV3_ALERT_BAD_CERTIFICATE:
	case SSL_R_SSLV3_ALERT_CERTIFICATE_UNKNOWN:
	case SSL_R_SSLV3_ALERT_CERTIFICATE_EXPIRED:
	case SSL_R_TLSV1_ALERT_UNKNOWN_CA:
		return 1;
	default:
		return 0;
	}
}

/*
 * Did the client read our certificate and hang up without an alert? A
 * browser that does not trust it does that (Chromium sends no alert),
 * for the page and for each speculative connection: it weighs as a
 * refusal, not as broken TLS. A hang-up before a whole ClientHello was
 * read still counts in full. (Look before wc_ssl_want() takes the error.)
 */
static int
hung_up_after_hello(SSL *ssl)
{
	unsigned long e = ERR_peek_error();

	if (SSL_in_before(ssl))
		return 0;
	return e == 0 || (ERR_GET_LIB(e) == ERR_LIB_SSL &&
	    ERR_GET_REASON(e) == SSL_R_UNEXPECTED_EOF_WHILE_READING);
}

int
wc_handshake(struct wconn *c)
{
	char	why[160];
	int	r, rejected;

	ERR_clear_error();
	if ((r = SSL_do_handshake(c->ssl)) == 1) {
		c->w->stats.handshakes++;
		c->state = WC_HEAD;
		c->idle = 1;
		c->want = 0;
		wc_arm(c, c->w->request_ms);
		return 1;
	}
	rejected = cert_rejected() || hung_up_after_hello(c->ssl);
	if (wc_ssl_want(c, r, why, sizeof(why)) == 0)
		return 0;
	wc_probe_w(c, PROBE_BAD_TLS, why, NULL, 0, rejected ?
	    BAN_CERT_REJECT_WEIGHT : 1.0);
	return -1;
}
