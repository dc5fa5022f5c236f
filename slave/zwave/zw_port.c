/*
 * Where the Serial API bytes come from: a USB stick's serial device, or
 * tcp://host:port for ser2net-style remote sticks and emulators. Both
 * backends hand back one non-blocking fd for the event loop; the rest of
 * the Z-Wave code never knows which it has (Redis ConnectionType style).
 */

#include <sys/ioctl.h>
#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "net.h"
#include "zwave/zw.h"

#define TCP_PREFIX	"tcp://"

/* Raw 115200 8N1, no flow control. */
static int
serial_setup(int fd)
{
	struct termios t;

	if (tcgetattr(fd, &t) == -1)
		return -1;
	cfmakeraw(&t);
	t.c_cflag &= ~(tcflag_t)(CSTOPB | PARENB | CRTSCTS | CSIZE);
	t.c_cflag |= CS8 | CLOCAL | CREAD;
	t.c_iflag &= ~(tcflag_t)(IXON | IXOFF | IXANY);
	/* VMIN 1: with O_NONBLOCK an empty read is EAGAIN, so 0 can only
	 * mean a hang-up (VMIN 0 would make it "no data"). */
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	if (cfsetispeed(&t, B115200) == -1 || cfsetospeed(&t, B115200) == -1 ||
	    tcsetattr(fd, TCSANOW, &t) == -1)
		return -1;
	return tcflush(fd, TCIOFLUSH);
}

static int
serial_open(const char *spec, int *connecting)
{
	int fd, saved;

	*connecting = 0;
	if ((fd = open(spec, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC)) ==
	    -1)
		return -1;
	/* Exclusive: a second opener (another daemon, a stray minicom)
	 * would steal bytes from the session. */
	if (ioctl(fd, TIOCEXCL) == -1 || serial_setup(fd) == -1) {
		saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	return fd;
}

static int
serial_finish(int fd)
{
	(void)fd;
	return 0;
}

static int
tcp_open(const char *spec, int *connecting)
{
	struct sockaddr_storage	ss;
	socklen_t		sl;

	if (strncmp(spec, TCP_PREFIX, strlen(TCP_PREFIX)) != 0 ||
	    net_parse_addr(spec + strlen(TCP_PREFIX), &ss, &sl) == -1) {
		errno = EINVAL;
		return -1;
	}
	return net_connect(&ss, sl, connecting);
}

static int
tcp_finish(int fd)
{
	int		err = 0;
	socklen_t	len = sizeof(err);

	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == -1)
		return -1;
	if (err != 0) {
		errno = err;
		return -1;
	}
	return 0;
}

const struct zw_port_ops zw_port_serial = {
	.name = "serial",
	.open = serial_open,
	.finish = serial_finish,
};

const struct zw_port_ops zw_port_tcp = {
	.name = "tcp",
	.open = tcp_open,
	.finish = tcp_finish,
};

const struct zw_port_ops *
zw_port_pick(const char *spec)
{
	if (strncmp(spec, TCP_PREFIX, strlen(TCP_PREFIX)) == 0)
		return &zw_port_tcp;
	if (spec[0] == '/')
		return &zw_port_serial;
	return NULL;
}

const char *
zw_port_check(const char *spec)
{
	struct sockaddr_storage	ss;
	socklen_t		sl;

	if (strncmp(spec, TCP_PREFIX, strlen(TCP_PREFIX)) == 0)
		return net_parse_addr(spec + strlen(TCP_PREFIX), &ss, &sl) ==
		    -1 ? "tcp:// needs a numeric HOST:PORT" : NULL;
	if (spec[0] != '/')
		return "expected a device path (/dev/ttyACM0) or "
		    "tcp://HOST:PORT";
	return NULL;
}
