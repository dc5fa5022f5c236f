/*
 * Unit tests for master/authw/authw_main.c, part of test_authw
 * (test_authw.c has main(), which is also the worker run here).
 */

#include <sys/socket.h>
#include <sys/wait.h>

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "auth.pb-c.h"
#define CHECK_PART	/* of test_authw */
#include "check.h"
#include "wire.h"
#include "../../master/api/api.h"
#include "../../master/auth/authw.h"
#include "test_authw.h"

/* The worker itself, on a socketpair of our own: a good request is
 * answered with scrypt's key; anything malformed ends it (exit 1), as
 * does a frame past AUTH_MAX_FRAME; the end of its input ends it (0). */
static pid_t
raw_worker(int *fd)
{
	char	arg[16];
	int	sv[2];
	pid_t	pid;

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == -1)
		return -1;
	if ((pid = fork()) == 0) {
		close(sv[0]);
		snprintf(arg, sizeof(arg), "%d", sv[1]);
		execl("/proc/self/exe", "hd-auth", "-A", arg, (char *)NULL);
		_exit(127);
	}
	close(sv[1]);
	*fd = sv[0];
	return pid;
}

static int
exit_code(pid_t pid, int fd)
{
	int st;

	close(fd);
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

static int
send_req(int fd, size_t saltlen, size_t pwlen)
{
	Hd__AuthRequest	req = HD__AUTH_REQUEST__INIT;
	uint8_t		buf[AUTH_MAX_FRAME];
	char		pw[PASSWORD_MAX + 2];
	size_t		len;

	memset(pw, 'p', sizeof(pw));
	req.id = 5;
	req.password.data = (uint8_t *)pw;
	req.password.len = pwlen;
	req.salt.data = (uint8_t *)(uintptr_t)salt;
	req.salt.len = saltlen;
	req.n = cheap.n;
	req.r = cheap.r;
	req.p = cheap.p;
	len = protobuf_c_message_get_packed_size(&req.base);
	buf[0] = buf[1] = 0;
	buf[2] = (uint8_t)(len >> 8);
	buf[3] = (uint8_t)len;
	protobuf_c_message_pack(&req.base, buf + WIRE_HDR_LEN);
	return write(fd, buf, WIRE_HDR_LEN + len) == (ssize_t)(WIRE_HDR_LEN +
	    len) ? 0 : -1;
}

void
test_worker_direct(void)
{
	static const uint8_t huge[] = { 0, 0, 2, 0 };	/* 512 > the room */
	Hd__AuthAnswer	*a = NULL;
	uint8_t		 buf[AUTH_MAX_FRAME];
	char		 pw[12];
	ssize_t		 n;
	pid_t		 pid;
	int		 fd;

	if ((pid = raw_worker(&fd)) == -1)
		return;
	n = send_req(fd, SCRYPT_SALT_LEN, 11) == 0 ? read(fd, buf,
	    sizeof(buf)) : -1;
	if (n > WIRE_HDR_LEN)
		a = (Hd__AuthAnswer *)wire_unpack(&hd__auth_answer__descriptor,
		    buf + WIRE_HDR_LEN, (size_t)n - WIRE_HDR_LEN);
	memset(pw, 'p', 11);
	pw[11] = '\0';
	CHECK(a != NULL && a->id == 5 && a->ok && a->key.len ==
	    SCRYPT_KEY_LEN && key_is(a->key.data, pw, &cheap),
	    "the worker answers a request with its id and scrypt's key");
	if (a != NULL)
		wire_free(&a->base);
	CHECK(exit_code(pid, fd) == 0, "... and ends when its input does");

	if ((pid = raw_worker(&fd)) != -1)
		CHECK(send_req(fd, 3, 11) == 0 && exit_code(pid, fd) == 1,
		    "a salt of the wrong length ends the worker");
	if ((pid = raw_worker(&fd)) != -1)
		CHECK(send_req(fd, SCRYPT_SALT_LEN, PASSWORD_MAX + 1) == 0 &&
		    exit_code(pid, fd) == 1,
		    "a password over PASSWORD_MAX ends the worker");
	if ((pid = raw_worker(&fd)) != -1)
		CHECK(write(fd, huge, sizeof(huge)) == sizeof(huge) &&
		    exit_code(pid, fd) == 1,
		    "a frame past AUTH_MAX_FRAME ends the worker");
}
