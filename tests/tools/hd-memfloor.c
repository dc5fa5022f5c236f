/*
 * hd-memfloor: the memory floor of one homedaemon process, for
 * tests/bench/idle.sh. It loads the libraries every daemon loads (libssl,
 * libcrypto, libprotobuf-c, libm, libc) and our shared code, makes the one
 * TLS context every daemon has (a slave's: its certificate and key, the
 * CA and the CRL), runs one TLS 1.3 handshake and a record each way with
 * a master's context over a socketpair (so the library code a link runs
 * is resident, as in a daemon), frees that second side, tunes and trims
 * malloc as the daemons do, then sleeps until killed. What it costs, no
 * daemon can cost less: relocations of the libraries, OpenSSL's provider
 * tables, one context, the handshake's code.
 *
 * usage: hd-memfloor ca.crt slave.crt slave.key crl.pem master.crt master.key
 */

#include <sys/socket.h>

#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include <openssl/ssl.h>

#include "cluster.pb-c.h"
#include "log.h"
#include "memtune.h"
#include "tls.h"

/* One handshake and one record each way between `cctx` and `sctx`. */
static int
link_once(SSL_CTX *cctx, SSL_CTX *sctx)
{
	SSL	*c = NULL, *s = NULL;
	int	 sv[2], cd = 0, sd = 0, i, r = -1;
	char	 buf[16];

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == -1)
		return -1;
	fcntl(sv[0], F_SETFL, O_NONBLOCK);
	fcntl(sv[1], F_SETFL, O_NONBLOCK);
	if ((c = SSL_new(cctx)) == NULL || (s = SSL_new(sctx)) == NULL ||
	    SSL_set_fd(c, sv[0]) != 1 || SSL_set_fd(s, sv[1]) != 1)
		goto done;
	SSL_set_connect_state(c);
	SSL_set_accept_state(s);
	for (i = 0; i < 100 && !(cd && sd); i++) {
		cd = cd || SSL_do_handshake(c) == 1;
		sd = sd || SSL_do_handshake(s) == 1;
	}
	if (cd && sd && SSL_write(c, "ping", 4) == 4 &&
	    SSL_read(s, buf, sizeof(buf)) == 4 && SSL_write(s, "pong", 4) == 4 &&
	    SSL_read(c, buf, sizeof(buf)) == 4)
		r = 0;
done:
	SSL_free(c);
	SSL_free(s);
	close(sv[0]);
	close(sv[1]);
	return r;
}

int
main(int argc, char *argv[])
{
	struct tls_files	 f, mf;
	SSL_CTX			*ctx, *mctx;
	char			 err[256];

	if (argc != 7) {
		fprintf(stderr, "usage: hd-memfloor ca slave.crt slave.key "
		    "crl master.crt master.key\n");
		return 2;
	}
	log_init("hd-memfloor", 0);
	mem_init();
	f.ca = argv[1];
	f.cert = argv[2];
	f.key = argv[3];
	f.crl = argv[4];
	if ((ctx = tls_ctx_new(&f, 0, ROLE_SLAVE, ROLE_MASTER, err,
	    sizeof(err))) == NULL) {
		fprintf(stderr, "hd-memfloor: %s\n", err);
		return 1;
	}
	mf = f;
	mf.cert = argv[5];
	mf.key = argv[6];
	if ((mctx = tls_ctx_new(&mf, 1, ROLE_MASTER, ROLE_SLAVE, err,
	    sizeof(err))) == NULL) {
		fprintf(stderr, "hd-memfloor: %s\n", err);
		return 1;
	}
	if (link_once(ctx, mctx) == -1) {
		fprintf(stderr, "hd-memfloor: the handshake failed\n");
		return 1;
	}
	SSL_CTX_free(mctx);
	/* The protobuf-c library's pages are touched as a daemon's are. */
	if (hd__envelope__get_packed_size(&(Hd__Envelope)HD__ENVELOPE__INIT)
	    > 16)
		return 1;
	mem_trim("start-up");
	printf("ready\n");
	fflush(stdout);
	for (;;)
		pause();
}
