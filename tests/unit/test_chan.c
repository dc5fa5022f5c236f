/*
 * Unit tests for shared/chan.c: messages queued with chan_queue() are not
 * written until chan_flush() or the next chan_send(), then go out
 * together and in order.
 */

#include <sys/socket.h>

#include <poll.h>
#include <stdint.h>
#include <unistd.h>

#include "cluster.pb-c.h"
#include "buf.h"
#include "chan.h"
#include "check.h"
#include "hdlimits.h"
#include "wire.h"

#define ENV	(&hd__envelope__descriptor)
#define INMAX	(WIRE_HDR_LEN + WIRE_MAX_FRAME)


static int
chan_frame_unused(struct chan *c, ProtobufCMessage *m)
{
	(void)c;
	protobuf_c_message_free_unpacked(m, NULL);
	return 0;
}

static void
chan_fail_unused(struct chan *c, const char *why)
{
	(void)c;
	(void)why;
}

static const struct chan_ops chan_test_ops = {
	chan_frame_unused, chan_fail_unused
};

/* Read what the peer wrote so far and take its frames: their seqs. */
static int
chan_got(int fd, struct buf *in, uint64_t *seqs, int max)
{
	ProtobufCMessage	*m;
	ssize_t			 n;
	int			 k = 0;

	if (buf_reserve(in, 4096) == -1 ||
	    (n = read(fd, buf_tail(in), 4096)) <= 0)
		return 0;
	buf_commit(in, (size_t)n);
	while (k < max && wire_take(in, ENV, &m) == WIRE_OK) {
		seqs[k++] = ((Hd__Envelope *)m)->seq;
		wire_free(m);
	}
	return k;
}

static void
test_chan_queue(void)
{
	struct ev_loop	*loop = NULL;
	struct chan	 c;
	struct buf	 in;
	struct pollfd	 pfd;
	Hd__Envelope	 e = HD__ENVELOPE__INIT;
	uint64_t	 seqs[8];
	int		 sv[2], i, n;

	if (!CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0,
	    sv) == 0 && (loop = ev_loop_new()) != NULL, "chan: set-up"))
		return;
	buf_init(&in, INMAX);
	chan_start(&c, loop, sv[0], ENV, &chan_test_ops, NULL);
	for (i = 1; i <= 3; i++) {
		e.seq = (uint64_t)i;
		CHECK(chan_queue(&c, &e.base) == 0, "chan: queue message %d", i);
	}
	pfd.fd = sv[1];
	pfd.events = POLLIN;
	CHECK(poll(&pfd, 1, 0) == 0, "chan: queued messages are not written");
	CHECK(chan_flush(&c) == 0, "chan: flush");
	n = chan_got(sv[1], &in, seqs, 8);
	CHECK(n == 3 && seqs[0] == 1 && seqs[1] == 2 && seqs[2] == 3,
	    "chan: the flush writes the three, in order (%d)", n);
	e.seq = 4;
	CHECK(chan_queue(&c, &e.base) == 0, "chan: queue a fourth");
	e.seq = 5;
	CHECK(chan_send(&c, &e.base) == 0, "chan: send a fifth");
	n = chan_got(sv[1], &in, seqs, 8);
	CHECK(n == 2 && seqs[0] == 4 && seqs[1] == 5,
	    "chan: a send writes what was queued before it first (%d)", n);
	chan_close(&c);
	CHECK(chan_queue(&c, &e.base) == -1 && chan_flush(&c) == -1,
	    "chan: a closed channel queues nothing");
	buf_free(&in);
	close(sv[1]);
	ev_loop_free(loop);
}

int
main(void)
{
	test_chan_queue();
	return check_done();
}
