/* Unit tests for shared/ev.c + ev_epoll.c: timers, fd watchers, signals. */

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "ev.h"

#define GUARD_MS	3000	/* a test that hangs ends by then */

static struct ev_loop	*loop;

/* --- timers ---------------------------------------------------------- */

struct tctx {
	int		 order[16];
	uint64_t	 when[16];
	int		 n;
	int		 stop_after;	/* ev_break once n reaches it */
};

struct tmr {
	struct ev_timer	 t;
	int		 id;
	struct tctx	*ctx;
	struct ev_timer	*victim;	/* stopped from this callback */
	int		 repeat;	/* re-arm itself this many times */
};

static void
timer_cb(struct ev_timer *t)
{
	struct tmr	*m = t->arg;
	struct tctx	*c = m->ctx;

	if (c->n < 16) {
		c->order[c->n] = m->id;
		c->when[c->n] = ev_now(loop);
	}
	c->n++;
	if (m->victim != NULL)
		ev_timer_stop(loop, m->victim);
	if (m->repeat > 0) {
		m->repeat--;
		ev_timer_start(loop, t, 5);
	}
	if (c->stop_after > 0 && c->n >= c->stop_after)
		ev_break(loop);
}

static void
guard_cb(struct ev_timer *t)
{
	int *fired = t->arg;

	*fired = 1;
	ev_break(loop);
}

static void
tmr_init(struct tmr *m, int id, struct tctx *c)
{
	memset(m, 0, sizeof(*m));
	m->id = id;
	m->ctx = c;
	ev_timer_init(&m->t, timer_cb, m);
}

static void
test_timers(void)
{
	struct tctx	 c;
	struct tmr	 t1, t2, t3, t4, t5, t6;
	struct ev_timer	 guard;
	int		 guarded = 0;
	uint64_t	 start;

	memset(&c, 0, sizeof(c));
	tmr_init(&t1, 1, &c);
	tmr_init(&t2, 2, &c);
	tmr_init(&t3, 3, &c);
	tmr_init(&t4, 4, &c);
	tmr_init(&t5, 5, &c);
	tmr_init(&t6, 6, &c);
	ev_timer_init(&guard, guard_cb, &guarded);

	CHECK(!t1.t.active, "a fresh timer is inactive");
	start = ev_clock_ms();
	ev_timer_start(loop, &t1.t, 40);
	ev_timer_start(loop, &t2.t, 10);
	ev_timer_start(loop, &t3.t, 20);
	ev_timer_start(loop, &t4.t, 15);	/* stopped below */
	ev_timer_start(loop, &t5.t, 5);	/* re-armed to 30 below */
	ev_timer_start(loop, &t6.t, 20);	/* same deadline as t3, later */
	CHECK(t1.t.active && t4.t.active, "started timers are active");
	ev_timer_stop(loop, &t4.t);
	CHECK(!t4.t.active, "a stopped timer is inactive");
	ev_timer_stop(loop, &t4.t);		/* twice: harmless */
	ev_timer_start(loop, &t5.t, 30);
	c.stop_after = 5;
	ev_timer_start(loop, &guard, GUARD_MS);

	CHECK(ev_run(loop) == 0, "ev_run returns 0 after ev_break");
	ev_timer_stop(loop, &guard);
	CHECK(!guarded, "timers fired before the guard");
	CHECK(c.n == 5, "five timers fired (%d)", c.n);
	CHECK(c.order[0] == 2 && c.order[1] == 3 && c.order[2] == 6 &&
	    c.order[3] == 5 && c.order[4] == 1,
	    "timers fire in deadline order (2 3 6 5 1): %d %d %d %d %d",
	    c.order[0], c.order[1], c.order[2], c.order[3], c.order[4]);
	CHECK(c.when[0] >= start + 10 && c.when[4] >= start + 40,
	    "no timer fires early (first at +%llu, last at +%llu ms)",
	    (unsigned long long)(c.when[0] - start),
	    (unsigned long long)(c.when[4] - start));
	CHECK(!t1.t.active && !t2.t.active && !t5.t.active,
	    "fired timers are inactive (one-shot)");

	/* A stopped timer never fires, even when its time has long passed. */
	memset(&c, 0, sizeof(c));
	c.stop_after = 1;
	ev_timer_start(loop, &t4.t, 1);
	ev_timer_stop(loop, &t4.t);
	ev_timer_start(loop, &t1.t, 30);
	usleep(10000);
	ev_timer_start(loop, &guard, GUARD_MS);
	ev_run(loop);
	ev_timer_stop(loop, &guard);
	CHECK(c.n == 1 && c.order[0] == 1, "a stopped timer does not fire");

	/* A callback stopping another timer due in the same pass. */
	memset(&c, 0, sizeof(c));
	t2.victim = &t3.t;
	ev_timer_start(loop, &t2.t, 5);
	ev_timer_start(loop, &t3.t, 5);
	ev_timer_start(loop, &t1.t, 40);
	c.stop_after = 2;
	usleep(20000);		/* both are overdue when the loop looks */
	ev_timer_start(loop, &guard, GUARD_MS);
	ev_run(loop);
	ev_timer_stop(loop, &guard);
	t2.victim = NULL;
	CHECK(c.n == 2 && c.order[0] == 2 && c.order[1] == 1,
	    "a timer stopped by an earlier callback of the same pass does "
	    "not fire (%d: %d %d)", c.n, c.order[0], c.order[1]);

	/* Re-arming from its own callback: a periodic timer. */
	memset(&c, 0, sizeof(c));
	t6.repeat = 3;
	c.stop_after = 4;
	start = ev_clock_ms();
	ev_timer_start(loop, &t6.t, 5);
	ev_timer_start(loop, &guard, GUARD_MS);
	ev_run(loop);
	ev_timer_stop(loop, &guard);
	CHECK(c.n == 4 && !t6.t.active && ev_clock_ms() - start >= 20,
	    "a timer re-armed from its callback fires again (%d times)", c.n);

	/* Moving a timer earlier. */
	memset(&c, 0, sizeof(c));
	c.stop_after = 1;
	ev_timer_start(loop, &t1.t, 10000);
	ev_timer_start(loop, &t2.t, 500);
	start = ev_clock_ms();
	ev_timer_start(loop, &t1.t, 5);
	ev_timer_start(loop, &guard, GUARD_MS);
	ev_run(loop);
	CHECK(c.n == 1 && c.order[0] == 1 && ev_clock_ms() - start < 400,
	    "re-arming moves a timer earlier");
	ev_timer_stop(loop, &t2.t);
	ev_timer_stop(loop, &guard);
}

/* --- fd watchers ----------------------------------------------------- */

struct ioctx {
	struct ev_io	 io;
	int		 fd;
	int		 calls;
	int		 revents;
	struct ev_io	*other;		/* stopped by this callback */
	int		 stop_self;
	int		 brk;
};

static int	io_calls_total;

static void
io_cb(struct ev_io *io, int revents)
{
	struct ioctx	*x = io->arg;
	char		 c;

	x->calls++;
	x->revents |= revents;
	io_calls_total++;
	if (revents & EV_READ)
		(void)!read(x->fd, &c, 1);
	if (x->other != NULL)
		ev_io_set(loop, x->other, 0);
	if (x->stop_self)
		ev_io_set(loop, io, 0);
	if (x->brk)
		ev_break(loop);
}

static void
ioctx_init(struct ioctx *x, int fd)
{
	memset(x, 0, sizeof(*x));
	x->fd = fd;
	ev_io_init(&x->io, fd, io_cb, x);
}

static void
test_io(void)
{
	struct ioctx	 a, b, w;
	struct ev_timer	 guard;
	int		 guarded = 0, p1[2], p2[2];

	ev_timer_init(&guard, guard_cb, &guarded);
	if (!CHECK(pipe2(p1, O_NONBLOCK | O_CLOEXEC) == 0 &&
	    pipe2(p2, O_NONBLOCK | O_CLOEXEC) == 0, "two pipes"))
		return;

	/* Readable pipe. */
	ioctx_init(&a, p1[0]);
	a.brk = a.stop_self = 1;
	CHECK(ev_io_set(loop, &a.io, EV_READ) == 0 && a.io.events == EV_READ,
	    "watch a pipe for reading");
	CHECK(write(p1[1], "x", 1) == 1, "write a byte");
	ev_timer_start(loop, &guard, GUARD_MS);
	ev_run(loop);
	ev_timer_stop(loop, &guard);
	CHECK(!guarded && a.calls == 1 && (a.revents & EV_READ) &&
	    !(a.revents & EV_WRITE), "ev_io on a pipe gets EV_READ");
	CHECK(a.io.events == 0, "ev_io_set(0) from the callback stops it");
	CHECK(ev_io_set(loop, &a.io, 0) == 0,
	    "ev_io_set(0) on a stopped watcher is harmless");

	/* Writable pipe. */
	ioctx_init(&w, p1[1]);
	w.brk = w.stop_self = 1;
	CHECK(ev_io_set(loop, &w.io, EV_WRITE) == 0, "watch for writing");
	ev_timer_start(loop, &guard, GUARD_MS);
	ev_run(loop);
	ev_timer_stop(loop, &guard);
	CHECK(w.calls == 1 && (w.revents & EV_WRITE) &&
	    !(w.revents & EV_READ), "an empty pipe is writable: EV_WRITE");

	/* Nothing to read: a read watcher stays quiet. */
	ioctx_init(&a, p1[0]);
	CHECK(ev_io_set(loop, &a.io, EV_READ) == 0, "watch an empty pipe");
	ev_timer_start(loop, &guard, 50);
	guarded = 0;
	ev_run(loop);
	CHECK(guarded && a.calls == 0, "no EV_READ without data");
	/* Change the watched events of the same watcher (EPOLL_CTL_MOD). */
	CHECK(ev_io_set(loop, &a.io, EV_READ | EV_WRITE) == 0 &&
	    a.io.events == (EV_READ | EV_WRITE), "modify the watched events");
	CHECK(ev_io_set(loop, &a.io, 0) == 0 && a.io.events == 0,
	    "and stop it");

	/*
	 * Two pipes readable at once, so both land in one fired batch.
	 * Whichever callback runs first stops the other watcher: its stale
	 * event must not be dispatched.
	 */
	ioctx_init(&a, p1[0]);
	ioctx_init(&b, p2[0]);
	a.other = &b.io;
	b.other = &a.io;
	a.stop_self = b.stop_self = 1;
	io_calls_total = 0;
	CHECK(write(p1[1], "a", 1) == 1 && write(p2[1], "b", 1) == 1,
	    "make both pipes readable");
	CHECK(ev_io_set(loop, &a.io, EV_READ) == 0 &&
	    ev_io_set(loop, &b.io, EV_READ) == 0, "watch both");
	guarded = 0;
	ev_timer_start(loop, &guard, 100);
	ev_run(loop);
	CHECK(guarded, "loop ended by the timer");
	CHECK(io_calls_total == 1 && a.calls + b.calls == 1,
	    "a watcher stopped earlier in the same batch is not called "
	    "(%d calls)", io_calls_total);
	CHECK(a.io.events == 0 && b.io.events == 0, "both watchers stopped");
	/* drain what is left */
	{
		char junk[8];

		(void)!read(p1[0], junk, sizeof(junk));
		(void)!read(p2[0], junk, sizeof(junk));
	}

	/* Hang-up: the write end closed. */
	ioctx_init(&a, p2[0]);
	a.brk = a.stop_self = 1;
	close(p2[1]);
	CHECK(ev_io_set(loop, &a.io, EV_READ) == 0, "watch a widowed pipe");
	guarded = 0;
	ev_timer_start(loop, &guard, GUARD_MS);
	ev_run(loop);
	ev_timer_stop(loop, &guard);
	CHECK(!guarded && a.calls == 1 && (a.revents & EV_READ) &&
	    (a.revents & EV_ERROR), "hang-up reports EV_READ|EV_ERROR");

	/* An invalid descriptor is refused. */
	ioctx_init(&a, -1);
	CHECK(ev_io_set(loop, &a.io, EV_READ) == -1 && a.io.events == 0,
	    "ev_io_set on fd -1 fails and records nothing");

	close(p1[0]);
	close(p1[1]);
	close(p2[0]);
}

/* --- signals and ev_break -------------------------------------------- */

static int	sig_seen, sig_num;

static void
on_signal(int sig, void *arg)
{
	sig_seen++;
	sig_num = sig;
	if (arg != NULL)
		ev_break(loop);
}

static void
raise_cb(struct ev_timer *t)
{
	int how = *(int *)t->arg;

	if (how == 0)
		raise(SIGUSR1);
	else
		kill(getpid(), SIGUSR1);
}

static void
test_signals(void)
{
	struct ev_timer	 guard, rt;
	int		 guarded = 0, how = 0;
	sigset_t	 cur;

	CHECK(ev_signal(loop, 0, on_signal, NULL) == -1,
	    "ev_signal refuses signal 0");
	CHECK(ev_signal(loop, 65, on_signal, NULL) == -1,
	    "ev_signal refuses signal 65");
	CHECK(ev_signal(loop, SIGUSR1, on_signal, loop) == 0,
	    "ev_signal SIGUSR1");
	sigprocmask(SIG_BLOCK, NULL, &cur);
	CHECK(sigismember(&cur, SIGUSR1) == 1,
	    "SIGUSR1 is blocked outside the poll");

	ev_timer_init(&guard, guard_cb, &guarded);
	ev_timer_init(&rt, raise_cb, &how);

	/* raise() from inside the loop */
	sig_seen = 0;
	ev_timer_start(loop, &rt, 5);
	ev_timer_start(loop, &guard, GUARD_MS);
	ev_run(loop);
	ev_timer_stop(loop, &guard);
	CHECK(!guarded && sig_seen == 1 && sig_num == SIGUSR1,
	    "SIGUSR1 raised in the loop reaches the callback");

	/* kill(getpid()) from inside the loop */
	sig_seen = 0;
	how = 1;
	ev_timer_start(loop, &rt, 5);
	ev_timer_start(loop, &guard, GUARD_MS);
	ev_run(loop);
	ev_timer_stop(loop, &guard);
	CHECK(!guarded && sig_seen == 1, "kill(getpid(), SIGUSR1) in the loop "
	    "reaches the callback");

	/* Raised while outside ev_run: kept pending, delivered by the next */
	sig_seen = 0;
	raise(SIGUSR1);
	CHECK(sig_seen == 0, "a signal outside the loop is not handled there");
	ev_timer_start(loop, &guard, GUARD_MS);
	ev_run(loop);
	ev_timer_stop(loop, &guard);
	CHECK(!guarded && sig_seen == 1,
	    "a signal raised before ev_run is delivered by it");

	/* A signal only counts once per delivery (no callback without one) */
	sig_seen = 0;
	ev_signal(loop, SIGUSR1, on_signal, NULL);	/* no break now */
	guarded = 0;
	ev_timer_start(loop, &guard, 30);
	ev_run(loop);
	CHECK(guarded && sig_seen == 0, "no signal, no callback");
}

struct brk {
	struct ev_timer	 t;
	int		 fired;
	int		 brk;
};

static void
brk_cb(struct ev_timer *t)
{
	struct brk *b = t->arg;

	b->fired++;
	if (b->brk)
		ev_break(loop);
}

static void
test_break(void)
{
	struct brk	 a, late;
	struct ev_timer	 guard;
	int		 guarded = 0;

	memset(&a, 0, sizeof(a));
	memset(&late, 0, sizeof(late));
	ev_timer_init(&a.t, brk_cb, &a);
	ev_timer_init(&late.t, brk_cb, &late);
	ev_timer_init(&guard, guard_cb, &guarded);
	a.brk = 1;
	late.brk = 1;
	ev_timer_start(loop, &a.t, 5);
	ev_timer_start(loop, &late.t, 100);
	ev_timer_start(loop, &guard, GUARD_MS);
	CHECK(ev_run(loop) == 0 && a.fired == 1 && late.fired == 0,
	    "ev_break stops ev_run before later timers");
	CHECK(late.t.active, "the later timer is still armed");
	CHECK(ev_run(loop) == 0 && late.fired == 1 && !guarded,
	    "ev_run can be entered again and goes on");
	ev_timer_stop(loop, &guard);

	/* ev_break before ev_run does not stop the next run: ev_run resets */
	ev_break(loop);
	a.fired = 0;
	ev_timer_start(loop, &a.t, 5);
	ev_timer_start(loop, &guard, GUARD_MS);
	CHECK(ev_run(loop) == 0 && a.fired == 1,
	    "an ev_break outside ev_run is forgotten by the next ev_run");
	ev_timer_stop(loop, &guard);

	CHECK(ev_now(loop) <= ev_clock_ms() && ev_now(loop) + 1000 >
	    ev_clock_ms(), "ev_now follows the monotonic clock");
}

/* --- late watchers, a watcher closed in a batch ----------------------- */

struct seqctx {
	struct ev_io	 io;
	int		 seq;		/* when it was called: 1, 2, ... */
	struct ev_io	*closes;	/* closed by this callback */
};

static int	seq_now;

static void
seq_cb(struct ev_io *io, int revents)
{
	struct seqctx	*x = io->arg;
	char		 c;

	(void)revents;
	(void)!read(io->fd, &c, 1);
	x->seq = ++seq_now;
	if (x->closes != NULL) {
		ev_io_closing(loop, x->closes);
		close(x->closes->fd);
	}
	ev_io_set(loop, io, 0);
}

/* Two pipes made readable before one wakeup: a, then b. */
static int
two_ready(struct seqctx *a, struct seqctx *b, int pa[2], int pb[2])
{
	memset(a, 0, sizeof(*a));
	memset(b, 0, sizeof(*b));
	seq_now = 0;
	if (pipe2(pa, O_NONBLOCK | O_CLOEXEC) == -1 ||
	    pipe2(pb, O_NONBLOCK | O_CLOEXEC) == -1)
		return -1;
	ev_io_init(&a->io, pa[0], seq_cb, a);
	ev_io_init(&b->io, pb[0], seq_cb, b);
	if (write(pa[1], "a", 1) != 1 || write(pb[1], "b", 1) != 1)
		return -1;
	return ev_io_set(loop, &a->io, EV_READ) == 0 &&
	    ev_io_set(loop, &b->io, EV_READ) == 0 ? 0 : -1;
}

static void
test_io_late(void)
{
	struct seqctx	 a, b;
	struct ev_timer	 guard;
	int		 guarded = 0, pa[2], pb[2];

	ev_timer_init(&guard, guard_cb, &guarded);
	if (!CHECK(two_ready(&a, &b, pa, pb) == 0, "two readable pipes"))
		return;
	ev_io_late(&a.io);	/* ready first, called last */
	ev_timer_start(loop, &guard, 100);
	ev_run(loop);
	CHECK(guarded && b.seq == 1 && a.seq == 2,
	    "a late watcher is called after the others of its wakeup "
	    "(b %d, a %d)", b.seq, a.seq);
	close(pa[0]), close(pa[1]), close(pb[0]), close(pb[1]);

	/* Whichever runs first closes the other: it is not called. */
	if (!CHECK(two_ready(&a, &b, pa, pb) == 0, "two readable pipes"))
		return;
	a.closes = &b.io;
	b.closes = &a.io;
	guarded = 0;
	ev_timer_start(loop, &guard, 100);
	ev_run(loop);
	CHECK(guarded && seq_now == 1 && a.seq + b.seq == 1,
	    "a watcher closed (ev_io_closing) earlier in its batch is not "
	    "called");
	CHECK(a.io.events == 0 && b.io.events == 0, "both stopped");
	close(pa[1]), close(pb[1]);
	close(a.seq ? pa[0] : pb[0]);	/* the one not closed by the other */
}

int
main(void)
{
	if (!CHECK((loop = ev_loop_new()) != NULL, "ev_loop_new"))
		return check_done();
	test_timers();
	test_io();
	test_io_late();
	test_signals();
	test_break();
	ev_loop_free(loop);
	ev_loop_free(NULL);
	CHECK(1, "ev_loop_free");
	return check_done();
}
