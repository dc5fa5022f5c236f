/*
 * One HTTPS connection of the web process once accepted: its deadline
 * timer, its events, and after the handshake (web_peer.c, with the sniff
 * and the probes) requests with keep-alive and pipelining, read so that
 * no byte sequence can stall the loop. Each state has a deadline; every
 * failure before a valid request is a probe, logged once and scored.
 */

#include <sys/socket.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>

#include "log.h"
#include "web/web.h"

#define WC_READ		16384
#define WC_MAX_IN	(HTTP_MAX_HEAD + WC_READ)
#define WC_MAX_READS	8	/* SSL_read()s of one connection a loop turn */

static void	wc_io(struct ev_io *, int);
static void	wc_timer(struct ev_timer *);

void
wc_arm(struct wconn *c, uint64_t ms)
{
	ev_timer_start(c->w->loop, &c->timer, ms);
}

/*
 * Can the connection take more input now? Not while its request waits
 * for the master, its responses pile up unread, or its last one is being
 * written: then EV_READ is not watched (epoll is level-triggered, so an
 * input left unread would wake the loop for ever) and what waits in the
 * socket or in OpenSSL is read when the wait ends (serve()).
 */
static int
wc_can_take(const struct wconn *c)
{
	switch (c->state) {
	case WC_MASTER:
	case WC_FLUSH_CLOSE:
		return 0;
	case WC_STREAM:
		return 1;	/* read and dropped */
	default:
		break;
	}
	return buf_used(&c->out) <= WEB_MAX_OUT / 2 &&
	    buf_used(&c->in) < HTTP_MAX_HEAD;
}

static void
wc_update(struct wconn *c)
{
	int ev = 0;

	if (wc_can_take(c))
		ev |= EV_READ;
	if (c->want == EV_WRITE || buf_used(&c->out) > 0)
		ev |= EV_WRITE;
	/* A write that waits for the peer's bytes (a TLS 1.3 key update). */
	if (c->want == EV_READ && buf_used(&c->out) > 0)
		ev |= EV_READ;
	ev_io_set(c->w->loop, &c->io, ev);
}

void
wc_close(struct wconn *c)
{
	struct web *w = c->w;

	if (c->stream != NULL)
		web_stream_gone(c);
	ev_io_closing(w->loop, &c->io);		/* closed below */
	ev_timer_stop(w->loop, &c->timer);
	if (c->again) {
		TAILQ_REMOVE(&w->again, c, again_entry);
		w->nagain--;
	}
	if (c->ssl != NULL) {
		if (c->state != WC_SNIFF && c->state != WC_HANDSHAKE)
			SSL_shutdown(c->ssl);
		SSL_free(c->ssl);
	}
	close(c->fd);
	buf_free(&c->in);
	buf_free(&c->out);
	free(c->body);
	free(c->head);
	TAILQ_REMOVE(&w->conns, c, entry);
	wc_addr_remove(c);
	w->nconns--;
	free(c);
	ERR_clear_error();
	/* The last answer of a drain is out (web_drain()). */
	if (w->draining && w->nconns == 0 && w->nlisten == 0)
		ev_break(w->loop);
}

/*
 * A connection between requests is closed at once when the process
 * drains, unless its next request has reached the socket already: that
 * one is in flight, and is answered (wc_last() says close).
 */
void
wc_drain_idle(struct wconn *c)
{
	uint8_t	b;
	ssize_t	n;

	if (c->state == WC_STREAM) {
		wc_close(c);
		return;
	}
	if (c->state != WC_HEAD || !c->idle || buf_used(&c->in) > 0 ||
	    buf_used(&c->out) > 0 || SSL_has_pending(c->ssl))
		return;
	n = recv(c->fd, &b, 1, MSG_PEEK | MSG_DONTWAIT);
	if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
		wc_close(c);	/* nothing under way */
	else if (n == 0)
		wc_close(c);	/* the peer is gone too */
}

/* A connection just accepted (web_peer.c): buffers, events, deadline. */
void
wc_start(struct wconn *c)
{
	struct web *w = c->w;

	buf_init(&c->in, WC_MAX_IN);
	buf_init(&c->out, WEB_MAX_OUT);
	ev_io_init(&c->io, c->fd, wc_io, c);
	ev_timer_init(&c->timer, wc_timer, c);
	TAILQ_INSERT_TAIL(&w->conns, c, entry);
	wc_addr_add(c);
	w->nconns++;
	wc_arm(c, w->handshake_ms);
	/* A client sends its hello right after connecting, so it is often
	 * here already: look now rather than one loop turn later, and before
	 * watching the socket, so a probe told at once costs no epoll_ctl.
	 * wc_io() watches what the connection waits for. */
	wc_io(&c->io, EV_READ);
}

/* What OpenSSL wants next; -1 on a real error (reason in `why`). */
int
wc_ssl_want(struct wconn *c, int r, char *why, size_t len)
{
	int e = SSL_get_error(c->ssl, r);

	c->want = 0;
	if (e == SSL_ERROR_WANT_READ) {
		c->want = EV_READ;
		return 0;
	}
	if (e == SSL_ERROR_WANT_WRITE) {
		c->want = EV_WRITE;
		return 0;
	}
	if (e == SSL_ERROR_ZERO_RETURN || (e == SSL_ERROR_SYSCALL &&
	    ERR_peek_error() == 0))
		snprintf(why, len, "closed");
	else
		ERR_error_string_n(ERR_get_error(), why, len);
	ERR_clear_error();
	return -1;
}

static int
flush_out(struct wconn *c)
{
	char	why[160];
	int	r;

	while (buf_used(&c->out) > 0) {
		ERR_clear_error();
		r = SSL_write(c->ssl, buf_head(&c->out), (int)buf_used(&c->out));
		if (r <= 0)
			return wc_ssl_want(c, r, why, sizeof(why));
		buf_consume(&c->out, (size_t)r);
	}
	buf_release(&c->out);
	return 0;
}

/*
 * Take one TLS record's worth into c->in: 1 if bytes came, 0 if OpenSSL
 * needs more from the peer (or the buffer is full), -1 if the peer is
 * gone. WANT_READ means the socket is drained, so epoll will say when the
 * rest of a partial record comes: never read again on the hope of it.
 */
static int
read_in(struct wconn *c)
{
	char	why[160];
	uint8_t	tmp[WC_READ];
	size_t	room = WC_MAX_IN - buf_used(&c->in);
	int	r;

	/* Through a stack buffer, so an idle connection's input buffer
	 * stays the size of what it really holds. */
	if (buf_used(&c->in) >= HTTP_MAX_HEAD)
		return 0;	/* full: process what we have first */
	ERR_clear_error();
	r = SSL_read(c->ssl, tmp, (int)(room < sizeof(tmp) ? room :
	    sizeof(tmp)));
	if (r <= 0)
		return wc_ssl_want(c, r, why, sizeof(why));
	if (buf_append(&c->in, tmp, (size_t)r) == -1)
		return -1;
	return 1;
}

static size_t
find_head(const char *p, size_t n)
{
	const char *e;

	if (n < 4)
		return 0;	/* also: an idle connection has no buffer */
	if (n > HTTP_MAX_HEAD)
		n = HTTP_MAX_HEAD;
	e = memmem(p, n, "\r\n\r\n", 4);
	return e != NULL ? (size_t)(e - p) + 4 : 0;
}

static void
finish_request(struct wconn *c)
{
	free(c->head);
	free(c->body);
	c->head = NULL;
	c->body = NULL;
	c->bodylen = 0;
}

/*
 * Is the response to the current request the connection's last? Its
 * head then says Connection: close (web_http.c), so a client never sends
 * a request that will not be read.
 */
int
wc_last(const struct wconn *c)
{
	return c->state == WC_FLUSH_CLOSE || !c->req.keepalive ||
	    c->nreq >= HTTP_MAX_REQUESTS || c->w->draining;
}

/* After a response: keep-alive, or close once it is written. */
static void
next_request(struct wconn *c)
{
	if (wc_last(c))
		c->state = WC_FLUSH_CLOSE;
	if (c->state != WC_FLUSH_CLOSE) {
		c->state = WC_HEAD;
		c->idle = 1;
		wc_arm(c, c->w->idle_ms);
		buf_release(&c->in);	/* an idle connection holds no buffer */
	}
}

static int
respond(struct wconn *c)
{
	web_respond(c);
	c->w->stats.requests++;
	finish_request(c);
	if (c->state == WC_MASTER) {
		/* Pipelined requests wait for the master's answer. */
		wc_arm(c, WEB_API_MS);
		return 0;
	}
	next_request(c);
	return 1;
}

/* A request the parser refused: answer, count a probe, close. */
static int
refuse(struct wconn *c, int status, const char *reason, const char *first,
    size_t n)
{
	web_error(c, status, reason, 1);
	wc_probe_req(c, PROBE_BAD_REQUEST, reason, first, n);
	finish_request(c);
	c->state = WC_FLUSH_CLOSE;
	return 1;
}

/*
 * Parse a head of hl bytes at p. Heads without a body are answered at
 * once, so they are parsed in one scratch copy for the whole process (no
 * allocation per request); a head with a body to wait for gets its own.
 */
static int
parse_head(struct wconn *c, const char *p, size_t hl)
{
	static char	scratch[HTTP_MAX_HEAD + 1];

	memcpy(scratch, p, hl);
	scratch[hl] = '\0';
	if (http_parse_head(scratch, hl, &c->req) != HTTP_OK)
		return 1;
	if (!c->req.chunked && c->req.content_length == 0)
		return 0;
	if ((c->head = malloc(hl + 1)) == NULL)
		return -1;
	memcpy(c->head, p, hl);
	c->head[hl] = '\0';
	return http_parse_head(c->head, hl, &c->req) == HTTP_OK ? 0 : 1;
}

static int
take_head(struct wconn *c)
{
	const char	*p = (const char *)buf_head(&c->in);
	size_t		 used = buf_used(&c->in), hl;
	int		 r;

	if ((hl = find_head(p, used)) == 0) {
		if (used > 0 && c->idle) {	/* a head began: its deadline */
			c->idle = 0;
			wc_arm(c, c->w->request_ms);
		}
		if (used >= HTTP_MAX_HEAD)
			return refuse(c, 431, "request head larger than "
			    "HTTP_MAX_HEAD", p, used);
		return 0;
	}
	c->idle = 0;
	if ((r = parse_head(c, p, hl)) == -1)
		return -1;
	if (r == 1) {
		refuse(c, c->req.status, c->req.reason, p, hl);
		buf_consume(&c->in, hl);
		return 1;
	}
	buf_consume(&c->in, hl);
	c->nreq++;		/* before its answer: wc_last() */
	if (!c->req.chunked && c->req.content_length == 0)
		return respond(c);
	if ((c->body = malloc(c->req.chunked ? HTTP_MAX_BODY :
	    c->req.content_length)) == NULL)
		return -1;
	http_chunked_init(&c->ck);
	c->state = WC_BODY;
	wc_arm(c, c->w->request_ms);
	return 1;
}

static int
take_body(struct wconn *c)
{
	enum http_status	st;
	size_t			n = buf_used(&c->in), used;

	if (n == 0)
		return 0;
	if (c->req.chunked) {
		st = http_chunked_feed(&c->ck, buf_head(&c->in), n, &used,
		    c->body, &c->bodylen);
		buf_consume(&c->in, used);
		if (st == HTTP_ERROR)
			return refuse(c, c->ck.status, c->ck.reason, "", 0);
		return st == HTTP_OK ? respond(c) : 0;
	}
	if (n > c->req.content_length - c->bodylen)
		n = c->req.content_length - c->bodylen;
	memcpy(c->body + c->bodylen, buf_head(&c->in), n);
	c->bodylen += n;
	buf_consume(&c->in, n);
	return c->bodylen == c->req.content_length ? respond(c) : 0;
}

/* 1: a step was made, 0: wait for bytes, -1: close now. */
static int
take_request(struct wconn *c)
{
	if (c->state == WC_STREAM) {
		/* A stream's client has nothing to say: drop it unread. */
		buf_consume(&c->in, buf_used(&c->in));
		return 0;
	}
	/* Pipelined requests wait while responses pile up. */
	if (buf_used(&c->out) > WEB_MAX_OUT / 2)
		return 0;
	if (c->state == WC_HEAD)
		return take_head(c);
	if (c->state == WC_BODY)
		return take_body(c);
	return 0;
}

/* Answer what c->in holds, as far as the output lets us. */
static int
take_all(struct wconn *c)
{
	int pass, r;

	/* Twice: writing out may make room for pipelined requests. */
	for (pass = 0; pass < 2; pass++) {
		while ((r = take_request(c)) == 1)
			;
		if (r == -1 || flush_out(c) == -1)
			return -1;
	}
	return 0;
}

/* Serve c again at the next turn of the loop (see serve()). */
static void
serve_later(struct wconn *c)
{
	struct web *w = c->w;

	if (c->again)
		return;
	c->again = 1;
	TAILQ_INSERT_TAIL(&w->again, c, again_entry);
	w->nagain++;
	ev_timer_start(w->loop, &w->again_timer, 0);
}

/*
 * Read while reads make progress and the connection can take input, then
 * watch the socket for what it can take. A read that only gets part of a
 * record ends it (the rest wakes us). At most WC_MAX_READS reads a turn,
 * so a peer that sends without end cannot keep the loop: if OpenSSL
 * still holds bytes then (read ahead: epoll will not tell of them), the
 * connection is served again at the next turn.
 */
static void
serve(struct wconn *c)
{
	int n, r = 0, gone = 0;

	for (n = 0;; n++) {
		if (take_all(c) == -1) {
			wc_close(c);
			return;
		}
		if (gone || !wc_can_take(c))
			break;
		/* Nothing came, or all that came is taken and OpenSSL holds
		 * no more: epoll tells when the socket has more. */
		if (n > 0 && (r == 0 || !SSL_has_pending(c->ssl)))
			break;
		if (n == WC_MAX_READS) {
			if (SSL_has_pending(c->ssl))
				serve_later(c);
			break;
		}
		if ((r = read_in(c)) == -1)
			gone = 1;
	}
	if ((gone && c->state != WC_FLUSH_CLOSE) ||
	    (c->state == WC_FLUSH_CLOSE && buf_used(&c->out) == 0)) {
		wc_close(c);
		return;
	}
	wc_update(c);
}

/* The timer of serve_later(): each connection queued before it fired. */
void
wc_again(struct ev_timer *t)
{
	struct web	*w = t->arg;
	struct wconn	*c;
	int		 n = w->nagain;

	while (n-- > 0 && (c = TAILQ_FIRST(&w->again)) != NULL) {
		TAILQ_REMOVE(&w->again, c, again_entry);
		w->nagain--;
		c->again = 0;
		serve(c);
	}
}

void
wc_resume(struct wconn *c)
{
	next_request(c);
	serve(c);
}

static void
wc_io(struct ev_io *io, int rev)
{
	struct wconn *c = io->arg;

	(void)rev;
	if (c->state == WC_SNIFF) {
		if (wc_sniff(c) == -1) {
			wc_close(c);
			return;
		}
		if (c->state == WC_SNIFF) {
			wc_update(c);	/* nothing yet: wait for it */
			return;
		}
	}
	if (c->state == WC_HANDSHAKE) {
		switch (wc_handshake(c)) {
		case -1:
			wc_close(c);
			return;
		case 0:
			wc_update(c);
			return;
		}
	}
	serve(c);
}

static void
wc_timer(struct ev_timer *t)
{
	struct wconn *c = t->arg;

	switch (c->state) {
	case WC_SNIFF:
		wc_probe(c, PROBE_SILENT, "nothing sent in time", NULL, 0);
		break;
	case WC_HANDSHAKE:
		wc_probe(c, PROBE_BAD_TLS, "handshake not finished in time",
		    NULL, 0);
		break;
	case WC_MASTER:
	case WC_HEAD:
	case WC_BODY:
		if (c->state == WC_HEAD && c->idle)
			break;		/* keep-alive ran out: not a probe */
		if (c->state == WC_MASTER) {
			log_warnx("%s: the master did not answer", c->name);
			web_error(c, 503, "master", 1);
		} else
			refuse(c, 408, c->state == WC_HEAD ?
			    "request head too slow" : "request body too slow",
			    c->state == WC_HEAD ? (const char *)buf_head(&c->in) :
			    "", c->state == WC_HEAD ? buf_used(&c->in) : 0);
		if (flush_out(c) == 0 && buf_used(&c->out) > 0) {
			wc_arm(c, 1000);	/* a moment to send the 408 */
			wc_update(c);
			return;
		}
		break;
	case WC_FLUSH_CLOSE:
		break;
	case WC_STREAM:
		web_stream_timer(c);
		return;
	}
	wc_close(c);
}

int
wc_send(struct wconn *c)
{
	if (flush_out(c) == -1) {
		wc_close(c);
		return -1;
	}
	wc_update(c);
	return 0;
}
