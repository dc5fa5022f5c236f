#ifndef HD_CLINK_H
#define HD_CLINK_H

/*
 * A client link over the cluster link: connect out to a node, send a
 * Hello, wait for its Welcome, exchange heartbeats, and on any failure
 * close and try again after a back-off. Three owners use it: the slave's
 * link to its master (slave/link/link.c), its vote links (vlink.c) and a
 * standby's link to the master (master/cluster/ha_follow.c). What differs
 * between them (where to connect, the Hello's own fields, the Welcome's
 * checks, the bodies after it, the log lines of a failure) goes through
 * struct clink_ops; the rest is here, once.
 *
 * The owner embeds a struct clink; nothing here allocates.
 */

#include <stdint.h>

#include <openssl/ssl.h>

#include "cluster.pb-c.h"
#include "conn.h"
#include "ev.h"
#include "heartbeat.h"

enum clink_state {
	CLINK_OFF = 0,		/* not started, or stopped */
	CLINK_IDLE,		/* waiting to (re)connect */
	CLINK_CONNECTING,	/* TCP + TLS */
	CLINK_WELCOME,		/* Hello sent, waiting for the Welcome */
	CLINK_ONLINE,		/* welcomed: bodies and heartbeats flow */
};

struct clink;

struct clink_ops {
	/* Where the next attempt goes: its address and the node id its
	 * certificate must carry (NULL: any the TLS checks accept). */
	void	(*target)(struct clink *, const char **addr, const char **id);
	/* The Hello's own fields (site, capabilities, voters) on top of
	 * the common ones, then return clink_hello(); the arrays it points
	 * to may live on the owner's stack. */
	int	(*hello)(struct clink *, Hd__Hello *);
	/* A Welcome naming the certificate's node: check it, call
	 * clink_online() when it is good. -1: the owner called clink_down(). */
	int	(*welcome)(struct clink *, const Hd__Welcome *);
	/* Every other envelope: before the Welcome only a Refusal comes
	 * here. The owner frees nothing. */
	void	(*frame)(struct clink *, Hd__Envelope *);
	/* The link failed: log `why` (was_online: it had been welcomed),
	 * pick the next target, return the delay before the next attempt.
	 * Called before the connection is closed. */
	uint64_t (*down)(struct clink *, const char *why, int was_online);
};

struct clink {
	enum clink_state	 state;
	struct conn		 conn;
	struct ev_timer		 timer;		/* connect / welcome / heartbeat */
	struct ev_loop		*loop;
	SSL_CTX			*ctx;
	const struct clink_ops	*ops;
	void			*arg;		/* the owner's */
	const char		*self;		/* our node id, for the Hello */
	const uint64_t		*term;		/* stamped on what we send */
	const uint64_t		*ack;		/* ditto, or NULL */
	uint64_t		 boot_id;
	struct heartbeat	 hb;
	uint64_t		 hb_ms, timeout_ms;
	uint64_t		 backoff;	/* ms, the next clink_backoff() */
	uint64_t		 backoff_min, backoff_max;
};

/* The owner fills loop, ctx, ops, arg, self, term, ack, boot_id, hb_ms,
 * timeout_ms, backoff_min and backoff_max first; the first attempt comes
 * at once. */
void	clink_start(struct clink *);
/* With a detail and a welcomed link: tell the peer we are going (a
 * SHUTDOWN refusal) first. The link stays off until clink_start(). */
void	clink_stop(struct clink *, const char *detail);
/* Close, log through ops->down, and plan the next attempt. */
void	clink_down(struct clink *, const char *why);
/* Stamp our term (and ack) and send; -1: the link went down. */
int	clink_send(struct clink *, Hd__Envelope *);
/* Send as it is (a body that carries its own term). */
int	clink_forward(struct clink *, Hd__Envelope *);
/* Send the Hello ops->hello filled. */
int	clink_hello(struct clink *, Hd__Hello *);
/* The Welcome is good: heartbeats start, the back-off resets. */
void	clink_online(struct clink *);
/* Adopt the Welcome's heartbeat interval and timeout if they are sane. */
void	clink_timing(struct clink *, const Hd__Welcome *);
/* The peer refused us: down with its reason, printable. */
void	clink_refused(struct clink *, const Hd__Refusal *);
/* A heartbeat from the peer (the RTT). */
void	clink_heartbeat_in(struct clink *, const Hd__Heartbeat *);
/* The delay after a failed round, +-25% so that a herd of slaves that
 * lost their master together does not reconnect in step; the next one
 * doubles, up to backoff_max. */
uint64_t clink_backoff(struct clink *);
/* A random, non-zero id for this run (Hello.boot_id). */
uint64_t clink_boot_id(void);

/* How clink_beat() reaches a link's owner: a struct clink here, or one
 * of the master's peers (master/cluster/cluster.c). */
struct clink_beat_ops {
	/* Send our heartbeat, stamped as the link stamps; -1: the link
	 * went down (and may be freed). */
	int	(*send)(void *, Hd__Envelope *);
	/* The peer was silent past the timeout: close the link, log why. */
	void	(*drop)(void *, const char *why);
};

/*
 * A link's heartbeat timer, the same at either end: drop the link when
 * the peer has been silent past timeout_ms, send our heartbeat when it
 * is due. 0: *wait is the delay until the next tick; -1: the link is
 * down and `hb` may be gone with it.
 */
int	clink_beat(struct heartbeat *, uint64_t hb_ms, uint64_t timeout_ms,
	    const struct clink_beat_ops *, void *, uint64_t *wait);

#endif
