/*
 * hd-webchan: a peer on the master <-> web process socketpair that
 * sends what the other side must never accept, to show that a malformed
 * message is fatal for the link (tests/integration/57-webchan.sh). It
 * links everything of hd-master but its main(), so each side under test
 * is the real code:
 *
 *   hd-webchan master CONF SECONDS
 *	runs the master's side (webproc.c) for SECONDS. It starts its web
 *	process as hd-master would, by exec of /proc/self/exe -C fd, which
 *	lands in this program's fake web process below: the first one
 *	sends HD_WEBCHAN_MODE after its Ready, later ones behave.
 *	HD_WEBCHAN_COUNT names a file counting the fake web processes.
 *   hd-webchan web HD-MASTER CONF MODE
 *	starts the real web process (HD-MASTER -C fd) as the master would,
 *	waits for its Ready, sends MODE and says how the process ended:
 *	"exited N", "killed N", or "running" after HD_WEBCHAN_WAIT seconds
 *	(default WEBCHAN_WAIT_S).
 *
 * MODE: size (a length prefix over WIRE_MAX_FRAME), empty (a zero-length
 * frame), decode (bytes that are no protobuf), unexpected (a valid
 * message this side never receives), field (a known message with a field
 * out of range), cn (an API call naming a client certificate's CN
 * itself: only the master derives it, from the chain it verifies),
 * none (nothing bad: the control case).
 */

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <err.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "ev.h"
#include "log.h"
#include "wire.h"
#include "../../master/master.h"
#include "../../master/webproc.h"
#include "web.pb-c.h"

#define WEBCHAN_WAIT_S	10	/* for the web process to end */

static void
put_msg(int fd, Hd__WebMsg *m)
{
	struct buf b;

	buf_init(&b, WIRE_MAX_FRAME + WIRE_HDR_LEN);
	if (wire_put(&b, &m->base) == -1 ||
	    write(fd, buf_head(&b), buf_used(&b)) != (ssize_t)buf_used(&b))
		err(1, "write");
	buf_free(&b);
}

/* Send the bad thing `mode` names; `to_web`: we play the master. */
static void
send_bad(int fd, const char *mode, int to_web)
{
	static const uint8_t size[] = { 0x7f, 0xff, 0xff, 0xff };
	static const uint8_t empty[] = { 0, 0, 0, 0 };
	static const uint8_t decode[] = { 0, 0, 0, 5, 0xff, 0xff, 0xff, 0xff,
	    0xff };
	Hd__WebMsg	 m = HD__WEB_MSG__INIT;
	Hd__WebReady	 r = HD__WEB_READY__INIT;
	Hd__ApiResponse	 a = HD__API_RESPONSE__INIT;
	Hd__ProbeEvent	 p = HD__PROBE_EVENT__INIT;
	Hd__ApiRequest	 q = HD__API_REQUEST__INIT;
	uint8_t		 addr[16] = { [10] = 0xff, [11] = 0xff, 192, 0, 2, 1 };
	ssize_t		 n = 0;

	if (strcmp(mode, "size") == 0)
		n = write(fd, size, sizeof(size));
	else if (strcmp(mode, "empty") == 0)
		n = write(fd, empty, sizeof(empty));
	else if (strcmp(mode, "decode") == 0)
		n = write(fd, decode, sizeof(decode));
	else if (strcmp(mode, "unexpected") == 0) {
		/* The master never sends Ready; the web never an answer. */
		if (to_web) {
			m.body_case = HD__WEB_MSG__BODY_READY;
			m.ready = &r;
		} else {
			m.body_case = HD__WEB_MSG__BODY_API_RESPONSE;
			m.api_response = &a;
		}
		put_msg(fd, &m);
	} else if (strcmp(mode, "field") == 0) {
		if (to_web) {		/* an HTTP status that is none */
			a.id = 1;
			a.status = 42;
			m.body_case = HD__WEB_MSG__BODY_API_RESPONSE;
			m.api_response = &a;
		} else {		/* a probe class that does not exist */
			p.class_ = 99;
			p.addr.data = addr;
			p.addr.len = 16;
			p.detail = (char *)(uintptr_t)"";
			m.body_case = HD__WEB_MSG__BODY_PROBE;
			m.probe = &p;
		}
		put_msg(fd, &m);
	} else if (strcmp(mode, "cn") == 0) {
		/* A taken-over web process claiming to be the admin. */
		q.id = 1;
		q.addr.data = addr;
		q.addr.len = 16;
		q.method = (char *)(uintptr_t)"GET";
		q.path = (char *)(uintptr_t)"/api/v1/users";
		q.client_cn = (char *)(uintptr_t)"admin";
		m.body_case = HD__WEB_MSG__BODY_API_REQUEST;
		m.api_request = &q;
		put_msg(fd, &m);
	} else if (strcmp(mode, "none") != 0)
		errx(2, "no mode %s", mode);
	if (n < 0)
		err(1, "write");
}

/* How many fake web processes have started, this one included. */
static int
count_instance(void)
{
	const char	*path = getenv("HD_WEBCHAN_COUNT");
	char		 c;
	int		 fd, n = 0;

	if (path == NULL || (fd = open(path, O_RDWR | O_CREAT | O_APPEND,
	    0600)) == -1)
		err(1, "HD_WEBCHAN_COUNT");
	if (write(fd, "x", 1) != 1)
		err(1, "%s", path);
	lseek(fd, 0, SEEK_SET);
	while (read(fd, &c, 1) == 1)
		n++;
	close(fd);
	return n;
}

/* Answer the master's watchdog pings in `in` as a web process does. */
static int
answer_pings(int fd, struct buf *in)
{
	ProtobufCMessage	*msg;
	Hd__WebMsg		*w, m = HD__WEB_MSG__INIT;
	Hd__Ping		 pong = HD__PING__INIT;
	enum wire_status	 ws;

	while ((ws = wire_take(in, &hd__web_msg__descriptor, &msg)) ==
	    WIRE_OK) {
		w = (Hd__WebMsg *)msg;
		if (w->body_case == HD__WEB_MSG__BODY_PING) {
			pong.seq = w->ping->seq;
			m.body_case = HD__WEB_MSG__BODY_PONG;
			m.pong = &pong;
			put_msg(fd, &m);
		}
		wire_free(msg);
	}
	return ws == WIRE_MORE ? 0 : -1;
}

/* The fake web process: Ready, then (the first one) the bad thing; then
 * it answers pings until the master drops it. */
static int
fake_web(int fd)
{
	Hd__WebMsg	 m = HD__WEB_MSG__INIT;
	Hd__WebReady	 r = HD__WEB_READY__INIT;
	const char	*mode = getenv("HD_WEBCHAN_MODE");
	struct buf	 in;
	ssize_t		 got;
	int		 n = count_instance();

	r.pid = (uint32_t)getpid();
	r.listeners = 1;
	m.body_case = HD__WEB_MSG__BODY_READY;
	m.ready = &r;
	put_msg(fd, &m);
	if (n == 1 && mode != NULL) {
		fprintf(stderr, "hd-webchan: fake web process %d sends %s\n",
		    (int)getpid(), mode);
		send_bad(fd, mode, 0);
	}
	buf_init(&in, WIRE_HDR_LEN + WIRE_MAX_FRAME);
	while (buf_reserve(&in, 4096) == 0 &&
	    (got = read(fd, buf_tail(&in), 4096)) > 0) {
		buf_commit(&in, (size_t)got);
		if (answer_pings(fd, &in) == -1)
			break;
	}
	buf_free(&in);
	return 0;
}

static void
on_time(struct ev_timer *t)
{
	ev_break(t->arg);
}

static void
on_stop(int sig, void *arg)
{
	(void)sig;
	ev_break(arg);
}

/* The master's side, for `secs` seconds. */
static int
run_master(const char *conf, int secs)
{
	struct master	m;
	struct ev_timer	t;

	log_init("hd-master", 1);
	memset(&m, 0, sizeof(m));
	TAILQ_INIT(&m.peers);
	TAILQ_INIT(&m.nodes);
	if (master_conf_load(&m.conf, conf) == -1 ||
	    (mkdir(m.conf.state_dir, 0700) == -1 && access(m.conf.state_dir,
	    W_OK) == -1) || (m.loop = ev_loop_new()) == NULL)
		errx(1, "%s: cannot set up", conf);
	ev_signal(m.loop, SIGTERM, on_stop, m.loop);
	ev_timer_init(&t, on_time, m.loop);
	ev_timer_start(m.loop, &t, (uint64_t)secs * 1000);
	if ((m.web = webproc_start(&m, conf, 1)) == NULL)
		errx(1, "%s: no web-listen", conf);
	ev_run(m.loop);
	webproc_stop(m.web);
	master_conf_free(&m.conf);
	return 0;
}

/* Read frames from the web process until its Ready. */
static void
wait_ready(int fd)
{
	ProtobufCMessage	*msg;
	struct buf		 in;
	enum wire_status	 ws;
	ssize_t			 n;

	buf_init(&in, WIRE_HDR_LEN + WIRE_MAX_FRAME);
	for (;;) {
		while ((ws = wire_take(&in, &hd__web_msg__descriptor, &msg)) ==
		    WIRE_OK) {
			if (((Hd__WebMsg *)msg)->body_case ==
			    HD__WEB_MSG__BODY_READY) {
				wire_free(msg);
				buf_free(&in);
				return;
			}
			wire_free(msg);
		}
		if (ws != WIRE_MORE || buf_reserve(&in, 4096) == -1 ||
		    (n = read(fd, buf_tail(&in), 4096)) <= 0)
			errx(1, "no Ready from the web process");
		buf_commit(&in, (size_t)n);
	}
}

/* The real web process, fed `mode` by us as its master. */
static int
run_web(const char *prog, const char *conf, const char *mode)
{
	const char	*w = getenv("HD_WEBCHAN_WAIT");
	char		 fdarg[16];
	int		 sv[2], st, i, wait_s;
	pid_t		 pid;

	wait_s = w != NULL ? atoi(w) : WEBCHAN_WAIT_S;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == -1 ||
	    (pid = fork()) == -1)
		err(1, "socketpair/fork");
	if (pid == 0) {
		fcntl(sv[1], F_SETFD, 0);
		snprintf(fdarg, sizeof(fdarg), "%d", sv[1]);
#ifdef __SANITIZE_ADDRESS__
		/* LeakSanitizer needs /proc, which the chroot hides. */
		setenv("ASAN_OPTIONS", "detect_leaks=0", 1);
#endif
		execl(prog, "hd-web", "-C", fdarg, "-f", conf, "-v",
		    (char *)NULL);
		_exit(127);
	}
	close(sv[1]);
	alarm((unsigned)wait_s + 30);	/* whatever happens, end */
	wait_ready(sv[0]);
	send_bad(sv[0], mode, 1);
	for (i = 0; i < wait_s * 10; i++) {
		if (waitpid(pid, &st, WNOHANG) == pid) {
			if (WIFSIGNALED(st))
				printf("killed %d\n", WTERMSIG(st));
			else
				printf("exited %d\n", WEXITSTATUS(st));
			return 0;
		}
		usleep(100000);
	}
	printf("running\n");
	kill(pid, SIGTERM);
	waitpid(pid, &st, 0);
	return 0;
}

int
main(int argc, char *argv[])
{
	signal(SIGPIPE, SIG_IGN);
	if (argc >= 3 && strcmp(argv[1], "-C") == 0)
		return fake_web(atoi(argv[2]));
	if (argc == 4 && strcmp(argv[1], "master") == 0)
		return run_master(argv[2], atoi(argv[3]));
	if (argc == 5 && strcmp(argv[1], "web") == 0)
		return run_web(argv[2], argv[3], argv[4]);
	fprintf(stderr, "usage: hd-webchan master CONF SECONDS\n"
	    "       hd-webchan web HD-MASTER CONF MODE\n");
	return 2;
}
