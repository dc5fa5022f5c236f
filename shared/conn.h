#ifndef HD_CONN_H
#define HD_CONN_H

/*
 * A TLS connection carrying framed protobuf messages, driven by the event
 * loop. The owner embeds a struct conn in its peer object and gets three
 * callbacks; want-read/want-write bookkeeping stays in conn.c.
 *
 * Callback contract: open() and frame() return 0 to go on, or -1 when the
 * owner has closed (and possibly freed) the connection inside the
 * callback. fail() is called last, after which conn.c touches nothing; the
 * owner must conn_close() there.
 */

#include <netinet/in.h>
#include <openssl/ssl.h>
#include <protobuf-c/protobuf-c.h>

#include "buf.h"
#include "ev.h"
#include "hdlimits.h"

enum conn_state {
	CONN_CLOSED = 0,
	CONN_CONNECTING,	/* TCP connect in progress (client side) */
	CONN_HANDSHAKE,		/* TLS handshake and certificate checks */
	CONN_OPEN,		/* frames flow */
};

struct conn;

struct conn_ops {
	int	(*open)(struct conn *);
	int	(*frame)(struct conn *, ProtobufCMessage *);	/* owner frees */
	void	(*fail)(struct conn *, const char *reason);
};

struct conn {
	enum conn_state			 state;
	int				 fd;
	SSL				*ssl;
	struct ev_loop			*loop;
	struct ev_io			 io;
	struct buf			 in, out;
	const struct conn_ops		*ops;
	const ProtobufCMessageDescriptor *desc;	/* what each frame holds */
	void				*arg;
	int				 want;	/* EV_* OpenSSL is waiting for */
	char				 addr[INET6_ADDRSTRLEN + 8];
	char				 peer_id[NODE_ID_MAX + 1];
	int				 peer_roles;
	char				 why[192];	/* verify refusal */
};

/* Take over a connected (server) or connecting (client) socket. */
int	conn_start(struct conn *, struct ev_loop *, int fd, SSL_CTX *,
	    int server, int connecting, const char *addr,
	    const ProtobufCMessageDescriptor *, const struct conn_ops *,
	    void *arg);
/* Queue a frame and try to send it; -1 means the peer must be dropped. */
int	conn_send(struct conn *, const ProtobufCMessage *);
/* Queue an already framed message (a replayed report). */
int	conn_send_raw(struct conn *, const uint8_t *, size_t);
/* Release everything; safe on a closed connection. */
void	conn_close(struct conn *);

#endif
