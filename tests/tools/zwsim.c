/*
 * hd-zwsim: a Z-Wave USB stick simulator for tests and the demo. It
 * speaks the Serial API on a pty (the slave opens it as a serial device)
 * or on a TCP port, with a few simulated nodes:
 *
 *	node 1	the controller itself
 *	node 2	binary switch (generic 0x10)
 *	node 3	binary sensor (generic 0x20)
 *	node 5	multilevel sensor (generic 0x21)
 *
 * Lines on stdin inject faults, for testing the session's recovery:
 *	nak N		answer the next N frames with NAK (and drop them)
 *	can N		answer the next N frames with CAN (and drop them)
 *	garbage N	send garbage bytes before each of the next N answers
 *	silent		ignore everything from now on (a jammed stick)
 *	talk		answer again
 * Every request is logged to stderr as "zwsim: request 0xFF [node N]".
 * A test tool: blocking poll() loop, no event library.
 */

#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "net.h"
#include "../../slave/zw.h"

#define HOME_ID		0xc0ffee01u
#define OWN_ID		1

struct simnode {
	uint8_t	id, generic, specific;
	uint8_t	on;
};

static struct simnode nodes[] = {
	{ 2, 0x10, 0x01, 0 },
	{ 3, 0x20, 0x01, 0 },
	{ 5, 0x21, 0x01, 0 },
};

static int	io = -1, nak, can, garbage, silent;

static void
out(const uint8_t *b, size_t n)
{
	if (io != -1 && write(io, b, n) != (ssize_t)n)
		fprintf(stderr, "zwsim: write: %s\n", strerror(errno));
	usleep(2000);	/* one write per frame, never glued */
}

static void
send_frame(uint8_t type, uint8_t func, const uint8_t *pl, size_t n)
{
	static const uint8_t junk[] = { 0xff, 0x42, 0x01, 0x02, 0x00 };
	uint8_t	buf[ZW_MAX_FRAME];
	size_t	len = zw_frame_encode(buf, sizeof(buf), type, func, pl, n);

	if (garbage > 0) {
		garbage--;
		out(junk, sizeof(junk));
	}
	out(buf, len);
}

static struct simnode *
find(uint8_t id)
{
	size_t i;

	for (i = 0; i < sizeof(nodes) / sizeof(nodes[0]); i++)
		if (nodes[i].id == id)
			return &nodes[i];
	return NULL;
}

static void
init_data(void)
{
	uint8_t	pl[3 + ZW_NODEMASK_LEN + 2] = { 0x08, 0x00, ZW_NODEMASK_LEN };
	size_t	i;

	pl[3 + (OWN_ID - 1) / 8] |= 1u << ((OWN_ID - 1) % 8);
	for (i = 0; i < sizeof(nodes) / sizeof(nodes[0]); i++)
		pl[3 + (nodes[i].id - 1) / 8] |= 1u << ((nodes[i].id - 1) % 8);
	pl[3 + ZW_NODEMASK_LEN] = 0x05;		/* chip type, version */
	send_frame(ZW_RES, ZW_FN_GET_INIT_DATA, pl, sizeof(pl));
}

static void
protocol_info(const struct zw_frame *f)
{
	uint8_t		 pl[6] = { 0 };
	struct simnode	*n = f->len >= 1 ? find(f->payload[0]) : NULL;

	if (n != NULL) {
		pl[0] = 0xd3;	/* listening, routing */
		pl[1] = 0x9c;
		pl[3] = 0x04;	/* basic: routing slave */
		pl[4] = n->generic;
		pl[5] = n->specific;
	}
	send_frame(ZW_RES, ZW_FN_GET_NODE_PROTOCOL_INFO, pl, sizeof(pl));
}

/* SendData: node, length, command, tx options, callback id. */
static void
send_data(const struct zw_frame *f)
{
	static const uint8_t ok = 1;
	struct simnode	*n;
	uint8_t		 cb[2], rep[6];
	size_t		 clen;

	if (f->len < 4 || (clen = f->payload[1]) + 4 > f->len)
		return;
	send_frame(ZW_RES, ZW_FN_SEND_DATA, &ok, 1);
	n = find(f->payload[0]);
	cb[0] = f->payload[3 + clen];
	cb[1] = n != NULL ? 0x00 : 0x01;	/* ok / no ACK from the node */
	send_frame(ZW_REQ, ZW_FN_SEND_DATA, cb, 2);
	if (n == NULL || clen < 2 || f->payload[2] != 0x25)
		return;
	if (f->payload[3] == 0x01 && clen >= 3)		/* SET */
		n->on = f->payload[4] ? 0xff : 0x00;
	else if (f->payload[3] != 0x02)			/* GET */
		return;
	rep[0] = 0; rep[1] = n->id; rep[2] = 3;
	rep[3] = 0x25; rep[4] = 0x03; rep[5] = n->on;	/* REPORT */
	send_frame(ZW_REQ, ZW_FN_APP_COMMAND, rep, sizeof(rep));
}

static void
request(const struct zw_frame *f)
{
	static const uint8_t caps[8] = { 1, 0, 0x00, 0x86, 0x00, 0x01, 0x00,
	    0x5a };
	static const uint8_t ver[] = "Z-Wave 6.07\0\x01";
	uint8_t memid[5] = { HOME_ID >> 24, HOME_ID >> 16 & 0xff,
	    HOME_ID >> 8 & 0xff, HOME_ID & 0xff, OWN_ID };

	if (f->func == ZW_FN_GET_NODE_PROTOCOL_INFO && f->len >= 1)
		fprintf(stderr, "zwsim: request 0x%02x node %d\n", f->func,
		    f->payload[0]);
	else
		fprintf(stderr, "zwsim: request 0x%02x\n", f->func);
	switch (f->func) {
	case ZW_FN_GET_CAPABILITIES:
		send_frame(ZW_RES, f->func, caps, sizeof(caps));
		break;
	case ZW_FN_GET_VERSION:
		send_frame(ZW_RES, f->func, ver, sizeof(ver) - 1);
		break;
	case ZW_FN_MEMORY_GET_ID:
		send_frame(ZW_RES, f->func, memid, sizeof(memid));
		break;
	case ZW_FN_GET_INIT_DATA:
		init_data();
		break;
	case ZW_FN_GET_NODE_PROTOCOL_INFO:
		protocol_info(f);
		break;
	case ZW_FN_SEND_DATA:
		send_data(f);
		break;
	default:
		break;		/* ACKed, no answer, like many sticks */
	}
}

static void
from_host(struct zw_parser *p, const uint8_t *b, size_t n)
{
	static const uint8_t ack = ZW_ACK, nakb = ZW_NAK, canb = ZW_CAN;
	struct zw_frame	f;
	size_t		i;
	enum zw_rx	ev;

	for (i = 0; i < n; i++) {
		ev = zw_parse_byte(p, b[i], 0, &f);
		if (silent)
			continue;
		if (ev == ZW_RX_BADSUM)
			out(&nakb, 1);
		if (ev != ZW_RX_FRAME)
			continue;
		if (nak > 0 || can > 0) {
			fprintf(stderr, "zwsim: refused 0x%02x with %s\n",
			    f.func, nak > 0 ? "NAK" : "CAN");
			if (nak > 0) {
				nak--;
				out(&nakb, 1);
			} else {
				can--;
				out(&canb, 1);
			}
			continue;
		}
		out(&ack, 1);
		request(&f);
	}
}

static void
control(char *line)
{
	int n = 1;

	sscanf(line, "%*s %d", &n);
	if (strncmp(line, "nak", 3) == 0)
		nak = n;
	else if (strncmp(line, "can", 3) == 0)
		can = n;
	else if (strncmp(line, "garbage", 7) == 0)
		garbage = n;
	else if (strncmp(line, "silent", 6) == 0)
		silent = 1;
	else if (strncmp(line, "talk", 4) == 0)
		silent = 0;
	fprintf(stderr, "zwsim: control: %s", line);
}

static int
open_pty(const char *pathfile, int *keep)
{
	struct termios	t;
	char		name[128], tmp[256];
	FILE		*f;
	int		m;

	if ((m = posix_openpt(O_RDWR | O_NOCTTY)) == -1 || grantpt(m) == -1 ||
	    unlockpt(m) == -1 || ptsname_r(m, name, sizeof(name)) != 0)
		return -1;
	/* Hold the other side open so the pty lives across the slave's
	 * reopens, raw so nothing is echoed before the slave sets it. */
	if ((*keep = open(name, O_RDWR | O_NOCTTY)) == -1 ||
	    tcgetattr(*keep, &t) == -1)
		return -1;
	cfmakeraw(&t);
	tcsetattr(*keep, TCSANOW, &t);
	snprintf(tmp, sizeof(tmp), "%s.tmp", pathfile);
	if ((f = fopen(tmp, "w")) == NULL)
		return -1;
	fprintf(f, "%s\n", name);
	fclose(f);
	return rename(tmp, pathfile) == -1 ? -1 : m;
}

static int
listen_tcp(const char *port)
{
	struct sockaddr_storage	ss;
	socklen_t		sl;
	char			addr[64];

	snprintf(addr, sizeof(addr), "127.0.0.1:%s", port);
	if (net_parse_addr(addr, &ss, &sl) == -1)
		return -1;
	return net_listen(&ss, sl, 1);
}

static void
loop(int lfd)
{
	struct zw_parser	p;
	struct pollfd		pf[3];
	char			line[128];
	uint8_t			buf[512];
	ssize_t			n;
	int			use_stdin = 1;

	zw_parser_init(&p);
	for (;;) {
		pf[0] = (struct pollfd){ .fd = io, .events = POLLIN };
		pf[1] = (struct pollfd){ .fd = use_stdin ? 0 : -1,
		    .events = POLLIN };
		pf[2] = (struct pollfd){ .fd = io == -1 ? lfd : -1,
		    .events = POLLIN };
		if (poll(pf, 3, -1) == -1 && errno != EINTR)
			return;
		if (pf[1].revents) {
			if (fgets(line, sizeof(line), stdin) == NULL)
				use_stdin = 0;
			else
				control(line);
		}
		if (pf[2].revents & POLLIN) {
			io = net_accept(lfd, (char *)buf, sizeof(buf));
			zw_parser_init(&p);
			fprintf(stderr, "zwsim: client connected\n");
		}
		if (io == -1 || !(pf[0].revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		if ((n = read(io, buf, sizeof(buf))) > 0)
			from_host(&p, buf, (size_t)n);
		else if (lfd != -1 && (n == 0 || errno != EAGAIN)) {
			close(io);		/* tcp: wait for the next one */
			io = -1;
		} else if (n == -1 && errno == EIO)
			usleep(100000);		/* pty: nobody there yet */
	}
}

int
main(int argc, char *argv[])
{
	int keep = -1, lfd = -1;

	signal(SIGPIPE, SIG_IGN);
	setvbuf(stderr, NULL, _IOLBF, 0);
	if (argc == 3 && strcmp(argv[1], "-p") == 0)
		io = open_pty(argv[2], &keep);
	else if (argc == 3 && strcmp(argv[1], "-t") == 0)
		lfd = listen_tcp(argv[2]);
	else {
		fprintf(stderr, "usage: hd-zwsim -p PATHFILE | -t PORT\n");
		return 2;
	}
	if (io == -1 && lfd == -1) {
		perror("hd-zwsim");
		return 1;
	}
	fprintf(stderr, "zwsim: ready\n");
	loop(lfd);
	return 0;
}
