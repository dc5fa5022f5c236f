#ifndef HD_CHAN_H
#define HD_CHAN_H

/*
 * Framed protobuf between sibling processes over a socketpair: the same
 * framing and limits as the cluster link (shared/wire.c), without TLS.
 * A malformed frame is fatal for the channel: fail() is called and the
 * owner closes it (the master then restarts its child).
 */

#include <protobuf-c/protobuf-c.h>

#include "buf.h"
#include "ev.h"

struct chan;

struct chan_ops {
	/* Owner frees the message. Return -1 if the channel was closed. */
	int	(*frame)(struct chan *, ProtobufCMessage *);
	void	(*fail)(struct chan *, const char *why);
};

struct chan {
	int				 fd;
	struct ev_loop			*loop;
	struct ev_io			 io;
	struct buf			 in, out;
	const ProtobufCMessageDescriptor *desc;
	const struct chan_ops		*ops;
	void				*arg;
};

void	chan_start(struct chan *, struct ev_loop *, int fd,
	    const ProtobufCMessageDescriptor *, const struct chan_ops *,
	    void *arg);
int	chan_send(struct chan *, const ProtobufCMessage *);
/* Queue a message without writing it: it goes out, in order, with the
 * next chan_send() or chan_flush(). So many small ones cost one write
 * (and one wakeup of the peer). -1 if the queue is full or closed. */
int	chan_queue(struct chan *, const ProtobufCMessage *);
int	chan_flush(struct chan *);
void	chan_close(struct chan *);

#endif
