/*
 * The auth worker (authw.h): a child of the master that only computes
 * scrypt. It reads one AuthRequest at a time, blocking, since it has
 * nothing else to do, and answers in order. It holds no user, key or
 * file; as root it chroots to the empty web-root and drops to the web
 * user, then seccomp leaves it reading, writing and allocating. The
 * master is trusted, but a frame out of bounds means a broken link, and
 * the worker exits; the master restarts it.
 */

#include <sys/resource.h>
#include <sys/types.h>

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "auth.pb-c.h"
#include "auth/authw.h"
#include "hdlimits.h"
#include "lib/webapi.h"
#include "log.h"
#include "priv.h"
#include "sandbox.h"
#include "wire.h"

static void
drop(const struct web_conf *wc)
{
	char root[512];

	if (wc == NULL) {
		log_debug("no configuration: keeping uid %u, no chroot",
		    (unsigned)getuid());
		return;
	}
	snprintf(root, sizeof(root), "%s/web-root", wc->state_dir);
	if (priv_drop(root, wc->user != NULL ? wc->user :
	    "nobody") == -1)
		fatalx("cannot drop privileges");
}

/* n bytes, or -1 at end of file or on an error. */
static int
read_full(int fd, uint8_t *p, size_t n)
{
	ssize_t r;

	while (n > 0) {
		if ((r = read(fd, p, n)) == -1 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

static void
answer(int fd, uint64_t id, const uint8_t *key, int pong)
{
	Hd__AuthAnswer	a = HD__AUTH_ANSWER__INIT;
	uint8_t		frame[AUTH_MAX_FRAME], *p = frame;
	size_t		len, n;
	ssize_t		r;

	a.id = id;
	a.pong = pong;
	a.ok = key != NULL;
	a.key.data = (uint8_t *)(uintptr_t)key;
	a.key.len = key != NULL ? SCRYPT_KEY_LEN : 0;
	len = protobuf_c_message_get_packed_size(&a.base);
	frame[0] = (uint8_t)(len >> 24);
	frame[1] = (uint8_t)(len >> 16);
	frame[2] = (uint8_t)(len >> 8);
	frame[3] = (uint8_t)len;
	protobuf_c_message_pack(&a.base, frame + WIRE_HDR_LEN);
	for (n = len + WIRE_HDR_LEN; n > 0; p += r, n -= (size_t)r) {
		if ((r = write(fd, p, n)) == -1 && errno == EINTR)
			r = 0;
		else if (r <= 0)
			fatal("write to the master");
	}
	OPENSSL_cleanse(frame, sizeof(frame));
}

/* One request: checked, hashed, answered; every copy of the password
 * is cleansed. */
static void
serve(int fd, const Hd__AuthRequest *req)
{
	struct scrypt_params	sp;
	char			pw[PASSWORD_MAX + 1];
	uint8_t			key[SCRYPT_KEY_LEN];
	int			ok;

	if (req->ping) {	/* the master's watchdog */
		answer(fd, req->id, NULL, 1);
		return;
	}
	if (req->password.len > PASSWORD_MAX || (req->password.len > 0 &&
	    memchr(req->password.data, '\0', req->password.len) != NULL) ||
	    req->salt.len != SCRYPT_SALT_LEN)
		fatalx("a malformed request from the master (password of "
		    "%zu bytes, salt of %zu)", req->password.len,
		    req->salt.len);
	if (req->password.len > 0)
		memcpy(pw, req->password.data, req->password.len);
	pw[req->password.len] = '\0';
	sp.n = req->n;
	sp.r = req->r;
	sp.p = req->p;
	/* users_scrypt() checks N, r and p against SCRYPT_MAX_*. */
	ok = users_scrypt(pw, req->salt.data, &sp, key) == 0;
	OPENSSL_cleanse(pw, sizeof(pw));
	if (!ok)
		log_warnx("scrypt failed (N %llu, r %u, p %u)",
		    (unsigned long long)sp.n, sp.r, sp.p);
	answer(fd, req->id, ok ? key : NULL, 0);
	OPENSSL_cleanse(key, sizeof(key));
}

void
authw_main(const struct web_conf *wc, int fd, int verbose)
{
	static const struct scrypt_params warm = { 2, 1, 1 };
	Hd__AuthRequest	*req;
	sigset_t	 none;
	uint8_t		 buf[AUTH_MAX_FRAME], salt[SCRYPT_SALT_LEN] = { 0 };
	uint32_t	 len;

	log_init("hd-auth", verbose);
	/* The master's loop blocks its signals; a SIGTERM must kill us. */
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL);
	/* A hash may wait; the master's loop, the web process and the
	 * slaves' links on the same CPU may not. */
	if (setpriority(PRIO_PROCESS, 0, AUTH_NICE) == -1)
		log_warn("setpriority");
	/* Load OpenSSL's scrypt once, while files may still be opened. */
	if (users_scrypt("-", salt, &warm, buf) == -1)
		fatalx("scrypt does not work");
	drop(wc);
	if (sandbox_init(SANDBOX_AUTH) == -1)
		fatalx("cannot sandbox the auth worker");
	log_debug("auth worker ready");
	while (read_full(fd, buf, WIRE_HDR_LEN) == 0) {
		len = (uint32_t)buf[0] << 24 | (uint32_t)buf[1] << 16 |
		    (uint32_t)buf[2] << 8 | buf[3];
		if (len == 0 || len > sizeof(buf) - WIRE_HDR_LEN)
			fatalx("a frame of %u bytes from the master", len);
		if (read_full(fd, buf, len) == -1)
			break;
		req = (Hd__AuthRequest *)wire_unpack(
		    &hd__auth_request__descriptor, buf, len);
		OPENSSL_cleanse(buf, len);
		if (req == NULL)
			fatalx("an undecodable frame from the master");
		serve(fd, req);
		OPENSSL_cleanse(req->password.data, req->password.len);
		wire_free(&req->base);
	}
	exit(0);
}
