#include <sys/socket.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>

#include "conn.h"
#include "log.h"
#include "tls.h"
#include "wire.h"

#define CONN_READ_CHUNK	16384	/* one TLS record */
#define CONN_MAX_IN	(WIRE_HDR_LEN + WIRE_MAX_FRAME + CONN_READ_CHUNK)
#define CONN_MAX_READS	16	/* SSL_read()s of one peer a loop turn */

enum io_result { IO_OK, IO_AGAIN, IO_CLOSED, IO_ERROR };

static void	conn_io(struct ev_io *, int);
static int	flush_out(struct conn *, char *, size_t);

static void
conn_update(struct conn *c)
{
	int ev = EV_READ;

	if (c->state == CONN_CONNECTING)
		ev = EV_WRITE;
	else if (c->want == EV_WRITE && c->state == CONN_HANDSHAKE)
		ev = EV_WRITE;
	else if (buf_used(&c->out) > 0 || c->want == EV_WRITE)
		ev |= EV_WRITE;
	ev_io_set(c->loop, &c->io, ev);
}

int
conn_start(struct conn *c, struct ev_loop *loop, int fd, SSL_CTX *ctx,
    int server, int connecting, const char *addr,
    const ProtobufCMessageDescriptor *desc, const struct conn_ops *ops,
    void *arg)
{
	memset(c, 0, sizeof(*c));
	c->fd = fd;
	c->loop = loop;
	c->desc = desc;
	c->ops = ops;
	c->arg = arg;
	snprintf(c->addr, sizeof(c->addr), "%s", addr);
	buf_init(&c->in, CONN_MAX_IN);
	buf_init(&c->out, WIRE_MAX_OUTQ);
	if ((c->ssl = SSL_new(ctx)) == NULL || SSL_set_fd(c->ssl, fd) != 1) {
		SSL_free(c->ssl);
		c->ssl = NULL;
		return -1;
	}
	tls_set_why(c->ssl, c->why, sizeof(c->why));
	if (server)
		SSL_set_accept_state(c->ssl);
	else
		SSL_set_connect_state(c->ssl);
	c->state = connecting ? CONN_CONNECTING : CONN_HANDSHAKE;
	ev_io_init(&c->io, fd, conn_io, c);
	conn_update(c);
	return 0;
}

void
conn_close(struct conn *c)
{
	char why[192];

	if (c->state == CONN_CLOSED)
		return;
	ev_io_set(c->loop, &c->io, 0);
	/* Best effort: what is queued (a refusal), then close_notify; never
	 * wait for the peer. */
	if (c->state == CONN_OPEN) {
		flush_out(c, why, sizeof(why));
		SSL_shutdown(c->ssl);
	}
	SSL_free(c->ssl);
	c->ssl = NULL;
	close(c->fd);
	c->fd = -1;
	buf_free(&c->in);
	buf_free(&c->out);
	c->state = CONN_CLOSED;
	ERR_clear_error();
}

/* Map an OpenSSL result to what to do next; the one place for WANT_*. */
static enum io_result
ssl_result(struct conn *c, int r, char *why, size_t len)
{
	char	e[160];
	int	err = SSL_get_error(c->ssl, r);

	c->want = 0;
	switch (err) {
	case SSL_ERROR_WANT_READ:
		c->want = EV_READ;
		return IO_AGAIN;
	case SSL_ERROR_WANT_WRITE:
		c->want = EV_WRITE;
		return IO_AGAIN;
	case SSL_ERROR_ZERO_RETURN:
		snprintf(why, len, "closed by peer");
		return IO_CLOSED;
	case SSL_ERROR_SYSCALL:
		if (errno == 0 || ERR_peek_error() == 0) {
			snprintf(why, len, "%s",
			    errno ? strerror(errno) : "closed by peer");
			ERR_clear_error();
			return IO_CLOSED;
		}
		/* FALLTHROUGH */
	default:
		tls_errstr(e, sizeof(e));
		if (c->why[0] != '\0')
			snprintf(why, len, "%s", c->why);
		else
			snprintf(why, len, "TLS: %s", e[0] ? e : "error");
		return IO_ERROR;
	}
}

static int
handshake_done(struct conn *c, char *why, size_t len)
{
	X509 *x = SSL_get0_peer_certificate(c->ssl);

	/* The verify callback already refused bad certificates; this is the
	 * belt to its braces. */
	if (x == NULL || !tls_verify_result_ok(SSL_get_verify_result(c->ssl)) ||
	    tls_cert_node_id(x, c->peer_id, sizeof(c->peer_id)) == -1) {
		snprintf(why, len, "peer certificate not verified");
		return -1;
	}
	c->peer_roles = tls_cert_roles(x);
	c->state = CONN_OPEN;
	return 0;
}

static int
flush_out(struct conn *c, char *why, size_t len)
{
	int r;

	while (buf_used(&c->out) > 0) {
		ERR_clear_error();
		errno = 0;
		r = SSL_write(c->ssl, buf_head(&c->out),
		    (int)buf_used(&c->out));
		if (r <= 0)
			return ssl_result(c, r, why, len) == IO_AGAIN ? 0 : -1;
		buf_consume(&c->out, (size_t)r);
	}
	buf_release(&c->out);
	return 0;
}

static int
conn_flush_now(struct conn *c)
{
	char why[192];

	/* OpenSSL allows a write while a read waits for data. */
	if (flush_out(c, why, sizeof(why)) == -1) {
		log_warnx("peer %s (%s): %s", c->peer_id, c->addr, why);
		return -1;
	}
	conn_update(c);
	return 0;
}

int
conn_send(struct conn *c, const ProtobufCMessage *m)
{
	if (c->state != CONN_OPEN)
		return -1;
	if (wire_put(&c->out, m) == -1) {
		log_warnx("peer %s (%s): output queue full, dropping",
		    c->peer_id, c->addr);
		return -1;
	}
	return conn_flush_now(c);
}

int
conn_send_raw(struct conn *c, const uint8_t *frame, size_t len)
{
	if (c->state != CONN_OPEN)
		return -1;
	if (buf_append(&c->out, frame, len) == -1) {
		log_warnx("peer %s (%s): output queue full, dropping",
		    c->peer_id, c->addr);
		return -1;
	}
	return conn_flush_now(c);
}

/*
 * Read what TLS has for us, hand over each complete frame. Reads stop at
 * WANT_READ (the socket is drained: epoll tells when more comes, a
 * partial record included) or after CONN_MAX_READS, so a peer that sends
 * without end cannot keep the loop; no read-ahead is set on these
 * contexts, so what is left then waits in the socket, where epoll sees
 * it, unless OpenSSL holds decrypted bytes (SSL_pending): those are
 * taken before stopping.
 */
static int
read_frames(struct conn *c, char *why, size_t len)
{
	ProtobufCMessage	*m;
	enum wire_status	 ws;
	enum io_result		 res = IO_AGAIN;
	int			 r, n;

	for (n = 0; n < CONN_MAX_READS || SSL_pending(c->ssl) > 0; n++) {
		if (buf_reserve(&c->in, CONN_READ_CHUNK) == -1) {
			snprintf(why, len, "input buffer limit");
			return -1;
		}
		ERR_clear_error();
		errno = 0;
		r = SSL_read(c->ssl, buf_tail(&c->in), CONN_READ_CHUNK);
		if (r <= 0) {
			res = ssl_result(c, r, why, len);
			break;
		}
		buf_commit(&c->in, (size_t)r);
		while ((ws = wire_take(&c->in, c->desc, &m)) == WIRE_OK)
			if (c->ops->frame(c, m) == -1)
				return 1;	/* gone */
		if (ws != WIRE_MORE) {
			snprintf(why, len, "%s", wire_strerror(ws));
			return -1;
		}
	}
	buf_release(&c->in);
	return res == IO_AGAIN ? 0 : -1;
}

static int
connect_done(struct conn *c, char *why, size_t len)
{
	int		err = 0;
	socklen_t	sl = sizeof(err);

	if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &sl) == -1)
		err = errno;
	if (err != 0) {
		snprintf(why, len, "connect: %s", strerror(err));
		return -1;
	}
	c->state = CONN_HANDSHAKE;
	return 0;
}

static int
step_handshake(struct conn *c, char *why, size_t len)
{
	int r;

	ERR_clear_error();
	errno = 0;
	if ((r = SSL_do_handshake(c->ssl)) != 1)
		return ssl_result(c, r, why, len) == IO_AGAIN ? 1 : -1;
	c->want = 0;
	if (handshake_done(c, why, len) == -1)
		return -1;
	return c->ops->open(c) == -1 ? 2 : 0;
}

static void
conn_io(struct ev_io *io, int rev)
{
	struct conn	*c = io->arg;
	char		 why[192] = "";
	int		 r;

	if (c->state == CONN_CONNECTING && connect_done(c, why,
	    sizeof(why)) == -1)
		goto fail;
	if (c->state == CONN_HANDSHAKE) {
		if ((r = step_handshake(c, why, sizeof(why))) == -1)
			goto fail;
		if (r == 2)
			return;		/* owner dropped it */
		if (r == 1) {
			conn_update(c);
			return;
		}
		rev |= EV_READ;		/* data may sit behind the handshake */
	}
	if ((rev & EV_WRITE) && flush_out(c, why, sizeof(why)) == -1)
		goto fail;
	/* A read that wanted to write resumes on writability too. */
	if (rev & (EV_READ | EV_WRITE)) {
		if ((r = read_frames(c, why, sizeof(why))) == 1)
			return;
		if (r == -1)
			goto fail;
	}
	conn_update(c);
	return;
fail:
	c->ops->fail(c, why[0] ? why : "connection error");
}
