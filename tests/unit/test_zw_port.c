/* Unit tests for slave/zwave/zw_port.c: a pty stands in for the USB stick. */

#include <sys/ioctl.h>
#include <sys/socket.h>

#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "check.h"
#include "net.h"
#include "../../slave/zwave/zw.h"

static int
wait_fd(int fd, short ev)
{
	struct pollfd p = { .fd = fd, .events = ev };

	return poll(&p, 1, 3000) == 1 ? p.revents : 0;
}

static void
test_serial(void)
{
	struct termios	t;
	char		name[128];
	uint8_t		b[8];
	int		m, fd, conn = 1, excl = 0, fd2;

	if (!CHECK((m = posix_openpt(O_RDWR | O_NOCTTY)) != -1 &&
	    grantpt(m) == 0 && unlockpt(m) == 0 &&
	    ptsname_r(m, name, sizeof(name)) == 0, "pty for the fake stick"))
		return;
	CHECK(zw_port_pick(name) == &zw_port_serial, "device path -> serial");
	fd = zw_port_serial.open(name, &conn);
	if (!CHECK(fd != -1 && conn == 0, "serial open of %s", name))
		return;
	CHECK((fcntl(fd, F_GETFL) & O_NONBLOCK) && (fcntl(fd, F_GETFD) &
	    FD_CLOEXEC), "non-blocking, close-on-exec");
	CHECK(tcgetattr(fd, &t) == 0 && cfgetospeed(&t) == B115200 &&
	    cfgetispeed(&t) == B115200, "115200 baud");
	CHECK((t.c_cflag & CSIZE) == CS8 && !(t.c_cflag & (PARENB | CSTOPB |
	    CRTSCTS)) && !(t.c_lflag & (ICANON | ECHO | ISIG)) &&
	    !(t.c_iflag & (IXON | ICRNL)) && !(t.c_oflag & OPOST),
	    "raw 8N1, no flow control");
	/* qemu-user (make test-cross) sets TIOCEXCL but does not
	 * translate the query: ENOSYS there, never on a real kernel. */
	if (ioctl(fd, TIOCGEXCL, &excl) == -1 && errno == ENOSYS)
		SKIP("opened in exclusive mode (TIOCEXCL): TIOCGEXCL is "
		    "not translated by qemu-user");
	else
		CHECK(ioctl(fd, TIOCGEXCL, &excl) == 0 && excl == 1,
		    "opened in exclusive mode (TIOCEXCL)");
	if (geteuid() != 0) {
		fd2 = zw_port_serial.open(name, &conn);
		CHECK(fd2 == -1 && errno == EBUSY, "second open refused: EBUSY");
		if (fd2 != -1)
			close(fd2);
	}
	CHECK(read(fd, b, sizeof(b)) == -1 && errno == EAGAIN,
	    "nothing to read: EAGAIN, not 0 (which means hang-up)");
	/* 0x11/0x13 (XON/XOFF) and 0x0d must pass untouched. */
	CHECK(write(m, "\x01\x11\x13\x0d", 4) == 4 && wait_fd(fd, POLLIN) &&
	    read(fd, b, sizeof(b)) == 4 && memcmp(b, "\x01\x11\x13\x0d", 4) ==
	    0, "bytes from the stick arrive raw");
	CHECK(write(fd, "\x06\x0a", 2) == 2 && wait_fd(m, POLLIN) &&
	    read(m, b, sizeof(b)) == 2 && memcmp(b, "\x06\x0a", 2) == 0,
	    "bytes to the stick leave raw (no CR/LF mapping)");
	close(fd);
	close(m);
	conn = 0;
	CHECK(zw_port_serial.open("/nonexistent/tty", &conn) == -1 &&
	    errno == ENOENT, "missing device: ENOENT");
}

static void
test_tcp(void)
{
	struct sockaddr_storage	ss;
	struct sockaddr_in	sin;
	socklen_t		sl, len = sizeof(sin);
	char			spec[64], addr[64];
	uint8_t			b[4];
	int			l, fd, c, conn;

	/* net_parse_addr refuses port 0: build the any-port address here. */
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	memcpy(&ss, &sin, sizeof(sin));
	sl = sizeof(sin);
	if (!CHECK((l = net_listen(&ss, sl, 4)) != -1 && getsockname(l,
	    (struct sockaddr *)&sin, &len) == 0, "listener for the fake stick"))
		return;
	snprintf(spec, sizeof(spec), "tcp://127.0.0.1:%d", ntohs(sin.sin_port));
	CHECK(zw_port_pick(spec) == &zw_port_tcp, "tcp:// -> tcp");
	fd = zw_port_tcp.open(spec, &conn);
	if (!CHECK(fd != -1, "tcp open of %s", spec))
		return;
	CHECK(wait_fd(fd, POLLOUT) && zw_port_tcp.finish(fd) == 0,
	    "connect completes");
	wait_fd(l, POLLIN);
	c = net_accept(l, addr, sizeof(addr));
	CHECK(c != -1 && write(c, "\x06", 1) == 1 && wait_fd(fd, POLLIN) &&
	    read(fd, b, sizeof(b)) == 1 && b[0] == 0x06, "bytes arrive");
	close(c);
	close(fd);
	close(l);
	/* Nobody listens there any more. */
	fd = zw_port_tcp.open(spec, &conn);
	CHECK(fd != -1 && wait_fd(fd, POLLOUT) && zw_port_tcp.finish(fd) == -1 &&
	    errno == ECONNREFUSED, "refused connect reported by finish");
	if (fd != -1)
		close(fd);
}

static void
test_specs(void)
{
	CHECK(zw_port_check("/dev/ttyACM0") == NULL, "device path accepted");
	CHECK(zw_port_check("tcp://127.0.0.1:5555") == NULL,
	    "tcp://127.0.0.1:5555 accepted");
	CHECK(zw_port_check("tcp://stick.example:5555") != NULL,
	    "tcp:// with a host name refused (no DNS at start-up)");
	CHECK(zw_port_check("tcp://127.0.0.1") != NULL, "tcp:// without port");
	CHECK(zw_port_check("ttyACM0") != NULL && zw_port_pick("ttyACM0") ==
	    NULL, "relative path refused");
}

int
main(void)
{
	test_serial();
	test_tcp();
	test_specs();
	return check_done();
}
