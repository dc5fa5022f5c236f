/*
 * The master's side of its auth worker (authw.h): start it, queue hashes
 * to it, match its answers, and restart it with a back-off when it dies.
 * Nothing here blocks: a hash is one write of a few hundred bytes to a
 * socketpair, and its answer comes back through the loop. Logins are
 * rare and the worker's libraries cost about 1.7 MB (tests/bench/idle.sh),
 * so an unused worker is let go after AUTH_IDLE_MS and started again by
 * the next hash (a fork and exec: tens of milliseconds, beside a hash's
 * hundreds on a Raspberry Pi 2). It is started once at start-up all the
 * same, so that a broken sandbox shows then, not at the first login.
 */

#include <sys/socket.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "auth.pb-c.h"
#include "auth/authw.h"
#include "chan.h"
#include "daemon.h"
#include "hdlimits.h"
#include "log.h"
#include "lib/spawner.h"
#include "wire.h"

struct authw_req {
	uint64_t	 id;
	authw_fn	*fn;
	void		*arg;
};

struct authw {
	struct ev_loop		*loop;
	pid_t			 pid;		/* -1 while down */
	struct chan		 ch;
	struct ev_timer		 restart;
	struct ev_timer		 stall;		/* the oldest hash's deadline */
	struct ev_timer		 idle;		/* no hash for idle_ms: let go */
	uint64_t		 idle_ms;
	int			 asleep;	/* let go while idle, not dead */
	const char		*conffile;
	int			 verbose;
	uint64_t		 next_id;
	uint64_t		 timeout_ms;
	uint64_t		 restart_min_ms, backoff_ms;
	uint64_t		 kills;		/* stuck, killed (on_stall, on_ping) */
	struct ev_timer		 ping;		/* the watchdog, every AUTH_PING_MS */
	uint64_t		 ping_id;
	uint64_t		 ping_ms;	/* sent then, unanswered; 0: none */
	struct authw_req	 q[AUTH_MAX_PENDING];	/* a ring, in order */
	int			 head, n;
};

static void	spawn(struct authw *);

/* Every pending hash fails with `st`; the queue is empty before any
 * callback runs, so a callback may queue again. */
static void
fail_all(struct authw *aw, enum authw_status st)
{
	struct authw_req	q[AUTH_MAX_PENDING];
	int			n = aw->n, i;

	for (i = 0; i < n; i++)
		q[i] = aw->q[(aw->head + i) % AUTH_MAX_PENDING];
	aw->head = aw->n = 0;
	ev_timer_stop(aw->loop, &aw->stall);
	for (i = 0; i < n; i++)
		q[i].fn(q[i].arg, st, NULL, ev_now(aw->loop));
}

/* The worker is gone or must go (a bad answer, a stall): killed unless
 * it is reaped already (the spawner never signals a pid it reaped: it
 * may be anyone's now). Pending hashes fail; a restart follows
 * after the back-off, which doubles until a hash succeeds. */
static void
down(struct authw *aw, const char *why)
{
	log_warnx("auth worker %d: %s; %d pending hash%s failed, restart in "
	    "%llu ms", (int)aw->pid, why, aw->n, aw->n == 1 ? "" : "es",
	    (unsigned long long)aw->backoff_ms);
	chan_close(&aw->ch);
	ev_timer_stop(aw->loop, &aw->ping);
	if (aw->pid > 0)
		spawn_kill(SPAWN_AUTH, aw->pid, SIGKILL);
	aw->pid = -1;
	ev_timer_start(aw->loop, &aw->restart, aw->backoff_ms);
	aw->backoff_ms = aw->backoff_ms * 2 > AUTH_RESTART_MAX_MS ?
	    AUTH_RESTART_MAX_MS : aw->backoff_ms * 2;
	fail_all(aw, AUTHW_DOWN);
}

static int
answer_ok(struct authw *aw, const Hd__AuthAnswer *a)
{
	if (aw->n == 0) {
		log_warnx("auth worker: an answer nobody asked for");
		return 0;
	}
	if (a->id != aw->q[aw->head].id) {
		log_warnx("auth worker: answer %llu, expected %llu",
		    (unsigned long long)a->id,
		    (unsigned long long)aw->q[aw->head].id);
		return 0;
	}
	if (a->key.len != (a->ok ? SCRYPT_KEY_LEN : 0)) {
		log_warnx("auth worker: a key of %zu bytes", a->key.len);
		return 0;
	}
	return 1;
}

static int
aw_frame(struct chan *c, ProtobufCMessage *msg)
{
	struct authw		*aw = c->arg;
	Hd__AuthAnswer		*a = (Hd__AuthAnswer *)msg;
	struct authw_req	 r;
	enum authw_status	 st;
	uint8_t			 key[SCRYPT_KEY_LEN];

	if (a->pong && a->id == aw->ping_id && aw->ping_ms != 0 &&
	    !a->ok && a->key.len == 0) {
		aw->ping_ms = 0;
		wire_free(msg);
		return 0;
	}
	if (a->pong || !answer_ok(aw, a)) {
		OPENSSL_cleanse(a->key.data, a->key.len);
		wire_free(msg);
		down(aw, "malformed answer");
		return -1;
	}
	r = aw->q[aw->head];
	aw->head = (aw->head + 1) % AUTH_MAX_PENDING;
	aw->n--;
	if ((st = a->ok ? AUTHW_OK : AUTHW_FAILED) == AUTHW_OK) {
		memcpy(key, a->key.data, sizeof(key));
		OPENSSL_cleanse(a->key.data, a->key.len);
	}
	wire_free(msg);
	aw->backoff_ms = aw->restart_min_ms;	/* it works: reset */
	if (aw->n > 0)
		ev_timer_start(aw->loop, &aw->stall, aw->timeout_ms);
	else {
		ev_timer_stop(aw->loop, &aw->stall);
		ev_timer_start(aw->loop, &aw->idle, aw->idle_ms);
	}
	r.fn(r.arg, st, st == AUTHW_OK ? key : NULL, ev_now(aw->loop));
	OPENSSL_cleanse(key, sizeof(key));
	return 0;
}

static void
aw_fail(struct chan *c, const char *why)
{
	down(c->arg, why);
}

static const struct chan_ops aw_ops = { aw_frame, aw_fail };

static void
on_stall(struct ev_timer *t)
{
	struct authw	*aw = t->arg;
	char		 why[64];

	snprintf(why, sizeof(why), "no answer in %llu ms",
	    (unsigned long long)aw->timeout_ms);
	aw->kills++;
	down(aw, why);
}

/*
 * The watchdog: a ping every AUTH_PING_MS while the worker lives and has
 * no hash to do (then on_stall watches each hash), one at a time. A
 * worker that leaves it unanswered for AUTH_TIMEOUT_MS is stuck: killed
 * and restarted. A hash asked after the ping is answered after it.
 */
static void
on_ping(struct ev_timer *t)
{
	struct authw	*aw = t->arg;
	Hd__AuthRequest	 req = HD__AUTH_REQUEST__INIT;
	uint64_t	 now = ev_now(aw->loop);
	char		 why[64];

	if (aw->ch.fd == -1)
		return;		/* spawn() starts it again */
	if (aw->ping_ms != 0 && now - aw->ping_ms >= aw->timeout_ms) {
		snprintf(why, sizeof(why), "no answer to a ping in %llu ms",
		    (unsigned long long)aw->timeout_ms);
		aw->kills++;
		down(aw, why);
		return;
	}
	if (aw->ping_ms == 0 && aw->n == 0) {
		req.id = aw->ping_id = ++aw->next_id;
		req.ping = 1;
		if (chan_send(&aw->ch, &req.base) == -1) {
			down(aw, "ping not sent");
			return;
		}
		aw->ping_ms = now;
	}
	ev_timer_start(aw->loop, &aw->ping, AUTH_PING_MS);
}

/* Unused for idle_ms: close its end; it exits at the end of file. */
static void
on_idle(struct ev_timer *t)
{
	struct authw *aw = t->arg;

	if (aw->n > 0 || aw->ch.fd == -1)
		return;
	log_info("auth worker %d: unused for %llu s, let go until the next "
	    "hash", (int)aw->pid, (unsigned long long)aw->idle_ms / 1000);
	chan_close(&aw->ch);		/* the spawner reaps it */
	ev_timer_stop(aw->loop, &aw->ping);
	aw->pid = -1;
	aw->asleep = 1;
}

static void
on_restart(struct ev_timer *t)
{
	spawn(t->arg);
}

static void
spawn(struct authw *aw)
{
	int fd;

	/* A fresh image, nothing of ours, under its own uid. */
	if ((aw->pid = spawn_child(SPAWN_AUTH, aw->conffile, aw->verbose,
	    &fd)) == -1) {
		ev_timer_start(aw->loop, &aw->restart, aw->backoff_ms);
		return;
	}
	fcntl(fd, F_SETFL, O_NONBLOCK);
	chan_start(&aw->ch, aw->loop, fd, &hd__auth_answer__descriptor,
	    &aw_ops, aw);
	aw->asleep = 0;
	ev_timer_start(aw->loop, &aw->idle, aw->idle_ms);
	aw->ping_ms = 0;
	ev_timer_start(aw->loop, &aw->ping, AUTH_PING_MS);
	log_info("auth worker %d started", (int)aw->pid);
}

struct authw *
authw_start(struct ev_loop *loop, const char *conffile, int verbose)
{
	struct authw *aw;

	if ((aw = calloc(1, sizeof(*aw))) == NULL)
		return NULL;
	aw->loop = loop;
	aw->conffile = conffile;
	aw->verbose = verbose;
	aw->pid = -1;
	aw->ch.fd = -1;
	aw->timeout_ms = AUTH_TIMEOUT_MS;
	aw->restart_min_ms = aw->backoff_ms = AUTH_RESTART_MIN_MS;
	ev_timer_init(&aw->restart, on_restart, aw);
	ev_timer_init(&aw->stall, on_stall, aw);
	ev_timer_init(&aw->idle, on_idle, aw);
	ev_timer_init(&aw->ping, on_ping, aw);
	aw->idle_ms = AUTH_IDLE_MS;
	spawn_watch(loop);
	spawn(aw);
	return aw;
}

void
authw_stop(struct authw *aw)
{
	if (aw == NULL)
		return;
	ev_timer_stop(aw->loop, &aw->restart);
	ev_timer_stop(aw->loop, &aw->stall);
	ev_timer_stop(aw->loop, &aw->idle);
	ev_timer_stop(aw->loop, &aw->ping);
	chan_close(&aw->ch);
	if (aw->pid > 0)	/* spawn_stop() reaps it */
		spawn_kill(SPAWN_AUTH, aw->pid, SIGKILL);
	fail_all(aw, AUTHW_CANCEL);
	free(aw);
}

void
authw_tune(struct authw *aw, uint64_t timeout_ms, uint64_t restart_ms)
{
	aw->timeout_ms = timeout_ms;
	aw->restart_min_ms = aw->backoff_ms = restart_ms;
	/* A restart already waiting waits the new time from now. */
	if (aw->restart.active)
		ev_timer_start(aw->loop, &aw->restart, restart_ms);
}

void
authw_idle(struct authw *aw, uint64_t idle_ms)
{
	aw->idle_ms = idle_ms;
	if (aw->ch.fd != -1 && aw->n == 0)
		ev_timer_start(aw->loop, &aw->idle, idle_ms);
}

uint64_t
authw_kills(const struct authw *aw)
{
	return aw == NULL ? 0 : aw->kills;
}

pid_t
authw_pid(const struct authw *aw)
{
	return aw->ch.fd == -1 ? -1 : aw->pid;
}

int
authw_pending(const struct authw *aw)
{
	return aw->n;
}

/* One frame straight to the socket, from a buffer cleansed after: the
 * password never sits in a growable buffer that is freed uncleansed. */
static int
send_request(struct authw *aw, const Hd__AuthRequest *req)
{
	uint8_t	frame[AUTH_MAX_FRAME];
	size_t	len = protobuf_c_message_get_packed_size(&req->base);
	ssize_t	n;

	if (len == 0 || len > sizeof(frame) - WIRE_HDR_LEN)
		return -1;
	frame[0] = (uint8_t)(len >> 24);
	frame[1] = (uint8_t)(len >> 16);
	frame[2] = (uint8_t)(len >> 8);
	frame[3] = (uint8_t)len;
	protobuf_c_message_pack(&req->base, frame + WIRE_HDR_LEN);
	do
		n = send(aw->ch.fd, frame, len + WIRE_HDR_LEN, MSG_NOSIGNAL);
	while (n == -1 && errno == EINTR);
	OPENSSL_cleanse(frame, sizeof(frame));
	if (n == (ssize_t)(len + WIRE_HDR_LEN))
		return 0;
	if (n > 0) {
		/* A cut frame: the link is broken. Kill the worker; its
		 * end of file, through the loop, fails what is pending (a
		 * dead worker's comes anyway). */
		log_warnx("auth worker: a frame cut short; killing it");
		spawn_kill(SPAWN_AUTH, aw->pid, SIGKILL);
	}
	return -1;
}

int
authw_hash(struct authw *aw, const char *password, const uint8_t *salt,
    const struct scrypt_params *sp, authw_fn *fn, void *arg)
{
	Hd__AuthRequest		 req = HD__AUTH_REQUEST__INIT;
	struct authw_req	*r;

	if (aw != NULL && aw->asleep) {
		spawn(aw);	/* its socket takes the request at once */
	}
	if (aw == NULL || aw->ch.fd == -1 || aw->n >= AUTH_MAX_PENDING ||
	    strlen(password) > PASSWORD_MAX)
		return -1;
	req.id = ++aw->next_id;
	req.password.data = (uint8_t *)(uintptr_t)password;
	req.password.len = strlen(password);
	req.salt.data = (uint8_t *)(uintptr_t)salt;
	req.salt.len = SCRYPT_SALT_LEN;
	req.n = sp->n;
	req.r = sp->r;
	req.p = sp->p;
	if (send_request(aw, &req) == -1)
		return -1;
	r = &aw->q[(aw->head + aw->n) % AUTH_MAX_PENDING];
	r->id = req.id;
	r->fn = fn;
	r->arg = arg;
	if (aw->n++ == 0)
		ev_timer_start(aw->loop, &aw->stall, aw->timeout_ms);
	ev_timer_stop(aw->loop, &aw->idle);
	return 0;
}
