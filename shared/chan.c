#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "chan.h"
#include "hdlimits.h"
#include "wire.h"

#define CHAN_READ	16384

static void	chan_io(struct ev_io *, int);

static void
chan_update(struct chan *c)
{
	ev_io_set(c->loop, &c->io, EV_READ |
	    (buf_used(&c->out) > 0 ? EV_WRITE : 0));
}

void
chan_start(struct chan *c, struct ev_loop *loop, int fd,
    const ProtobufCMessageDescriptor *desc, const struct chan_ops *ops,
    void *arg)
{
	memset(c, 0, sizeof(*c));
	c->fd = fd;
	c->loop = loop;
	c->desc = desc;
	c->ops = ops;
	c->arg = arg;
	buf_init(&c->in, WIRE_HDR_LEN + WIRE_MAX_FRAME + CHAN_READ);
	buf_init(&c->out, WIRE_MAX_OUTQ);
	ev_io_init(&c->io, fd, chan_io, c);
	chan_update(c);
}

void
chan_close(struct chan *c)
{
	if (c->fd == -1)
		return;
	ev_io_set(c->loop, &c->io, 0);
	close(c->fd);
	c->fd = -1;
	buf_free(&c->in);
	buf_free(&c->out);
}

static int
flush(struct chan *c)
{
	ssize_t n;

	while (buf_used(&c->out) > 0) {
		n = write(c->fd, buf_head(&c->out), buf_used(&c->out));
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN)
			break;
		if (n <= 0)
			return -1;
		buf_consume(&c->out, (size_t)n);
	}
	buf_release(&c->out);
	return 0;
}

int
chan_send(struct chan *c, const ProtobufCMessage *m)
{
	if (chan_queue(c, m) == -1)
		return -1;
	return chan_flush(c);
}

int
chan_queue(struct chan *c, const ProtobufCMessage *m)
{
	if (c->fd == -1 || wire_put(&c->out, m) == -1)
		return -1;
	return 0;
}

int
chan_flush(struct chan *c)
{
	if (c->fd == -1 || flush(c) == -1)
		return -1;
	chan_update(c);
	return 0;
}

static void
chan_io(struct ev_io *io, int rev)
{
	struct chan		*c = io->arg;
	ProtobufCMessage	*m;
	enum wire_status	 ws;
	ssize_t			 n;

	if ((rev & EV_WRITE) && flush(c) == -1) {
		c->ops->fail(c, "write to sibling failed");
		return;
	}
	if (rev & EV_READ) {
		if (buf_reserve(&c->in, CHAN_READ) == -1) {
			c->ops->fail(c, "input buffer limit");
			return;
		}
		n = read(c->fd, buf_tail(&c->in), CHAN_READ);
		if (n == -1 && (errno == EAGAIN || errno == EINTR))
			return;
		if (n <= 0) {
			c->ops->fail(c, n == 0 ? "sibling closed" :
			    strerror(errno));
			return;
		}
		buf_commit(&c->in, (size_t)n);
		while ((ws = wire_take(&c->in, c->desc, &m)) == WIRE_OK)
			if (c->ops->frame(c, m) == -1)
				return;
		if (ws != WIRE_MORE) {
			c->ops->fail(c, wire_strerror(ws));
			return;
		}
		buf_release(&c->in);	/* an idle channel keeps no buffer */
	}
	chan_update(c);
}
