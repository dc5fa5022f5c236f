/*
 * The stick on the event loop: one fd watcher feeding the session, one
 * timer at the session's next deadline, one timer to reopen the port.
 * A port that fails (EOF, EIO when a USB stick is pulled) or a stick that
 * stops answering (the session's dead callback) is closed and reopened
 * with doubling back-off; the session fails everything queued meanwhile.
 * A soft reset we ask for (zw_stick_soft_reset) holds the session until
 * the stick says it started again; a SerialAPIStarted we did not ask for
 * is a restart that lost what was under way.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ev.h"
#include "log.h"
#include "zwave/zw.h"

struct zw_stick {
	struct ev_loop			*loop;
	char				*spec;
	const struct zw_port_ops	*port;
	const struct zw_stick_ops	*ops;
	void				*arg;
	int				 fd;
	int				 connecting;
	struct ev_io			 io;
	struct ev_timer			 deadline;	/* session's */
	struct ev_timer			 reopen;
	struct ev_timer			 reset_wait;	/* our soft reset */
	int				 resetting;
	unsigned			 opened;
	uint64_t			 backoff;
	uint64_t			 rx_seen;	/* frames at last read */
	struct zw_session		*sess;
};

static void
rearm(struct zw_stick *z)
{
	uint64_t next = zw_session_next(z->sess), now = ev_clock_ms();

	if (next == ZW_NO_DEADLINE) {
		ev_timer_stop(z->loop, &z->deadline);
		return;
	}
	ev_timer_start(z->loop, &z->deadline, next > now ? next - now : 0);
}

/* Close the port, fail what is queued, try again later. */
static void
stick_lost(struct zw_stick *z, const char *why)
{
	if (z->fd != -1) {
		ev_io_set(z->loop, &z->io, 0);
		close(z->fd);
		z->fd = -1;
	}
	z->resetting = 0;
	ev_timer_stop(z->loop, &z->reset_wait);
	zw_session_set_down(z->sess, 1, ev_clock_ms());
	rearm(z);
	log_warnx("zwave: %s: %s; reopening in %llu ms", z->spec, why,
	    (unsigned long long)z->backoff);
	ev_timer_start(z->loop, &z->reopen, z->backoff);
	z->backoff = z->backoff * 2 > ZW_REOPEN_MAX_MS ? ZW_REOPEN_MAX_MS :
	    z->backoff * 2;
	z->ops->up(z->arg, 0, why);
}

static int
s_write(void *arg, const uint8_t *b, size_t n)
{
	struct zw_stick	*z = arg;
	ssize_t		 w;

	if (z->fd == -1)
		return -1;
	/* One write() per frame or control byte: never glued, never split
	 * by us. A short write on a 115200 baud line is a lost frame, which
	 * the ACK timeout recovers. */
	if ((w = write(z->fd, b, n)) != (ssize_t)n) {
		log_debug("zwave: write: %s", w == -1 ? strerror(errno) :
		    "short");
		return -1;
	}
	return 0;
}

/*
 * SerialAPIStarted: the stick restarted (a 700/800 stick's watchdog, a
 * brown-out) and forgot what it was doing: the callback we wait for will
 * never come (it blocked every send for ZW_CB_TIMEOUT_MS). What was under
 * way fails at once and the controller starts again, as after a reopen,
 * but without closing a port that works.
 */
static void
stick_restarted(struct zw_stick *z)
{
	uint64_t now = ev_clock_ms();

	if (z->resetting) {
		/* Ours: what is queued goes on after the start-up again. */
		z->resetting = 0;
		ev_timer_stop(z->loop, &z->reset_wait);
		log_info("zwave: %s: the stick restarted after our soft reset",
		    z->spec);
		zw_session_restarted(z->sess, ZW_ERR_RESTART, now);
		rearm(z);
		z->ops->up(z->arg, 1, "");
		return;
	}
	log_warnx("zwave: %s: the stick restarted (SerialAPIStarted): what "
	    "was under way failed; starting it again", z->spec);
	zw_session_abort(z->sess, ZW_ERR_RESTART, now);
	rearm(z);
	z->ops->up(z->arg, 0, "the stick restarted");
	z->ops->up(z->arg, 1, "");
}

static void
s_unsolicited(void *arg, const struct zw_frame *f)
{
	struct zw_stick *z = arg;

	if (f->type == ZW_REQ && f->func == ZW_FN_SERIAL_API_STARTED) {
		stick_restarted(z);
		return;
	}
	if (z->ops->unsolicited != NULL)
		z->ops->unsolicited(z->arg, f);
}

static void
s_dead(void *arg)
{
	stick_lost(arg, "the stick stopped answering");
}

static void
s_jammed(void *arg, int jammed)
{
	struct zw_stick *z = arg;

	if (z->ops->jammed != NULL)
		z->ops->jammed(z->arg, jammed);
}

static const struct zw_session_ops session_ops = {
	s_write, s_unsolicited, s_dead, s_jammed,
};

static void
on_read(struct zw_stick *z)
{
	uint8_t	buf[256];
	ssize_t	n;

	for (;;) {
		if ((n = read(z->fd, buf, sizeof(buf))) > 0) {
			zw_session_input(z->sess, buf, (size_t)n,
			    ev_clock_ms());
			if (z->fd == -1)
				return;		/* lost from a callback */
			continue;
		}
		if (n == -1 && (errno == EAGAIN || errno == EINTR))
			break;
		stick_lost(z, n == 0 ? "port closed" : strerror(errno));
		return;
	}
	if (zw_session_stats(z->sess)->rx_frames != z->rx_seen) {
		z->rx_seen = zw_session_stats(z->sess)->rx_frames;
		z->backoff = ZW_REOPEN_MIN_MS;	/* it talks: healthy */
	}
	rearm(z);
}

static void
stick_ready(struct zw_stick *z)
{
	z->connecting = 0;
	z->opened++;
	ev_io_set(z->loop, &z->io, EV_READ);
	zw_session_set_down(z->sess, 0, ev_clock_ms());
	log_info("zwave: %s open (%s)", z->spec, z->port->name);
	z->ops->up(z->arg, 1, "");
	rearm(z);
}

static void
on_io(struct ev_io *io, int revents)
{
	struct zw_stick *z = io->arg;

	if (z->connecting) {
		if (z->port->finish(z->fd) == -1)
			stick_lost(z, strerror(errno));
		else
			stick_ready(z);
		return;
	}
	if (revents & (EV_READ | EV_ERROR))
		on_read(z);
}

static void
on_deadline(struct ev_timer *t)
{
	struct zw_stick *z = t->arg;

	zw_session_tick(z->sess, ev_clock_ms());
	rearm(z);
}

static void
stick_open(struct zw_stick *z)
{
	if ((z->fd = z->port->open(z->spec, &z->connecting)) == -1) {
		stick_lost(z, strerror(errno));
		return;
	}
	ev_io_init(&z->io, z->fd, on_io, z);
	if (z->connecting)
		ev_io_set(z->loop, &z->io, EV_WRITE);
	else
		stick_ready(z);
}

static void
on_reopen(struct ev_timer *t)
{
	stick_open(t->arg);
}

/* A 500-series stick restarts without a word (and one that ignored the
 * request does not restart): start again all the same. */
static void
on_reset_wait(struct ev_timer *t)
{
	struct zw_stick *z = t->arg;

	if (!z->resetting)
		return;
	z->resetting = 0;
	log_info("zwave: %s: no SerialAPIStarted %d ms after our soft reset: "
	    "going on", z->spec, ZW_SOFT_RESET_WAIT_MS);
	zw_session_hold(z->sess, 0, ev_clock_ms());
	rearm(z);
	z->ops->up(z->arg, 1, "");
}

/* The SoftReset went out (or failed to): the stick restarts now; hold
 * every request until it says so. */
static void
reset_sent(void *arg, enum zw_status st, const struct zw_frame *res,
    const struct zw_frame *cb)
{
	struct zw_stick	*z = arg;
	uint64_t	 now = ev_clock_ms();

	(void)res;
	(void)cb;
	if (!z->resetting || st == ZW_ERR_DOWN || st == ZW_ERR_RESTART)
		return;		/* lost, or it restarted already */
	zw_session_hold(z->sess, now + ZW_SOFT_RESET_WAIT_MS, now);
	ev_timer_start(z->loop, &z->reset_wait, ZW_SOFT_RESET_WAIT_MS);
}

int
zw_stick_soft_reset(struct zw_stick *z)
{
	struct zw_req	r;
	enum zw_status	st;

	if (z->fd == -1 || z->connecting || z->resetting)
		return -1;
	memset(&r, 0, sizeof(r));
	r.func = ZW_FN_SOFT_RESET;
	r.cb_idx = -1;
	r.prio = ZW_PRIO_USER;
	r.urgent = 1;
	r.done = reset_sent;
	r.arg = z;
	z->resetting = 1;
	if (zw_stick_submit(z, &r, &st) == -1) {
		z->resetting = 0;
		log_warnx("zwave: %s: soft reset not queued: %s", z->spec,
		    zw_status_str(st));
		return -1;
	}
	return 0;
}

unsigned
zw_stick_opened(const struct zw_stick *z)
{
	return z->opened;
}

struct zw_stick *
zw_stick_new(struct ev_loop *loop, const char *spec,
    const struct zw_stick_ops *ops, void *arg)
{
	struct zw_stick *z;

	if ((z = calloc(1, sizeof(*z))) == NULL)
		return NULL;
	z->loop = loop;
	z->ops = ops;
	z->arg = arg;
	z->fd = -1;
	z->backoff = ZW_REOPEN_MIN_MS;
	if ((z->spec = strdup(spec)) == NULL ||
	    (z->port = zw_port_pick(spec)) == NULL ||
	    (z->sess = zw_session_new(&session_ops, z, NULL)) == NULL) {
		free(z->spec);
		free(z);
		return NULL;
	}
	ev_timer_init(&z->deadline, on_deadline, z);
	ev_timer_init(&z->reopen, on_reopen, z);
	ev_timer_init(&z->reset_wait, on_reset_wait, z);
	/* Open from the loop, so `up` never runs before the caller holds z. */
	ev_timer_start(loop, &z->reopen, 0);
	return z;
}

void
zw_stick_free(struct zw_stick *z)
{
	if (z == NULL)
		return;
	ev_timer_stop(z->loop, &z->deadline);
	ev_timer_stop(z->loop, &z->reopen);
	ev_timer_stop(z->loop, &z->reset_wait);
	if (z->fd != -1) {
		ev_io_set(z->loop, &z->io, 0);
		close(z->fd);
	}
	zw_session_free(z->sess);
	free(z->spec);
	free(z);
}

int
zw_stick_submit(struct zw_stick *z, const struct zw_req *r,
    enum zw_status *st)
{
	int rv = zw_session_submit(z->sess, r, ev_clock_ms(), st);

	rearm(z);
	return rv;
}

const struct zw_stats *
zw_stick_stats(const struct zw_stick *z)
{
	return zw_session_stats(z->sess);
}

int
zw_stick_busy(const struct zw_stick *z)
{
	return zw_session_queued(z->sess) > 0;
}

int
zw_stick_load(const struct zw_stick *z)
{
	return zw_session_queued(z->sess);
}
