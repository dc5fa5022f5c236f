/*
 * Portable half of the event loop: timers, signals and dispatch. The
 * kernel-facing half is in ev_epoll.c.
 */

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ev_int.h"
#include "log.h"

#define EV_MAX_SIG	65
#define EV_MAX_TIMER_MS	((uint64_t)INT_MAX / 2)	/* ~12 days; longer: re-arm */

/* Signals are process-wide, so their table is too (one loop a process). */
static volatile sig_atomic_t	 sig_pending[EV_MAX_SIG];
static ev_signal_cb		*sig_cb[EV_MAX_SIG];
static void			*sig_arg[EV_MAX_SIG];

uint64_t
ev_clock_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

uint64_t
ev_wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

struct ev_loop *
ev_loop_new(void)
{
	struct ev_loop *loop;

	if ((loop = calloc(1, sizeof(*loop))) == NULL)
		return NULL;
	if ((loop->be = ev_backend_new()) == NULL) {
		free(loop);
		return NULL;
	}
	TAILQ_INIT(&loop->timers);
	sigprocmask(SIG_BLOCK, NULL, &loop->waitmask);
	loop->now = ev_clock_ms();
	return loop;
}

void
ev_loop_free(struct ev_loop *loop)
{
	if (loop == NULL)
		return;
	ev_backend_free(loop->be);
	free(loop);
}

uint64_t
ev_now(struct ev_loop *loop)
{
	return loop->now;
}

void
ev_break(struct ev_loop *loop)
{
	loop->stop = 1;
}

void
ev_io_init(struct ev_io *io, int fd, void (*cb)(struct ev_io *, int),
    void *arg)
{
	io->fd = fd;
	io->events = 0;
	io->late = 0;
	io->cb = cb;
	io->arg = arg;
}

/* Forget a watcher in a batch being dispatched. */
static void
forget_fired(struct ev_loop *loop, struct ev_io *io)
{
	int i;

	for (i = 0; i < loop->nfired; i++)
		if (loop->fired[i] == io)
			loop->fired[i] = NULL;
}

int
ev_io_set(struct ev_loop *loop, struct ev_io *io, int events)
{
	int r = 0;

	events &= EV_READ | EV_WRITE;
	if (events == io->events)
		return 0;
	if (ev_backend_set(loop->be, io, io->events, events) == -1) {
		log_warn("ev_io_set fd %d", io->fd);
		if (events != 0)
			return -1;
		r = -1;		/* stopping: forget it all the same */
	}
	io->events = events;
	if (events == 0)
		forget_fired(loop, io);
	return r;
}

void
ev_io_late(struct ev_io *io)
{
	io->late = 1;
}

void
ev_io_closing(struct ev_loop *loop, struct ev_io *io)
{
	io->events = 0;
	forget_fired(loop, io);
}

void
ev_timer_init(struct ev_timer *t, void (*cb)(struct ev_timer *), void *arg)
{
	memset(t, 0, sizeof(*t));
	t->cb = cb;
	t->arg = arg;
}

void
ev_timer_stop(struct ev_loop *loop, struct ev_timer *t)
{
	if (!t->active)
		return;
	TAILQ_REMOVE(&loop->timers, t, entry);
	t->active = 0;
}

/*
 * Timers are few per process (a handful per peer), so a sorted list beats
 * a heap on size and simplicity; insertion walks from the tail because
 * new deadlines are usually the latest.
 */
void
ev_timer_start(struct ev_loop *loop, struct ev_timer *t, uint64_t after_ms)
{
	struct ev_timer *p;

	ev_timer_stop(loop, t);
	if (after_ms > EV_MAX_TIMER_MS)
		after_ms = EV_MAX_TIMER_MS;
	t->deadline = ev_clock_ms() + after_ms;
	t->active = 1;
	TAILQ_FOREACH_REVERSE(p, &loop->timers, ev_timer_q, entry)
		if (p->deadline <= t->deadline)
			break;
	if (p == NULL)
		TAILQ_INSERT_HEAD(&loop->timers, t, entry);
	else
		TAILQ_INSERT_AFTER(&loop->timers, p, t, entry);
}

static void
sig_handler(int sig)
{
	if (sig > 0 && sig < EV_MAX_SIG)
		sig_pending[sig] = 1;
}

/*
 * The signal stays blocked except inside the poll call, which unblocks it
 * atomically: no wakeup is lost between checking flags and sleeping.
 */
int
ev_signal(struct ev_loop *loop, int sig, ev_signal_cb *cb, void *arg)
{
	struct sigaction sa;
	sigset_t set;

	if (sig <= 0 || sig >= EV_MAX_SIG)
		return -1;
	sig_cb[sig] = cb;
	sig_arg[sig] = arg;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = sig_handler;
	sigemptyset(&sa.sa_mask);
	if (sigaction(sig, &sa, NULL) == -1)
		return -1;
	sigemptyset(&set);
	sigaddset(&set, sig);
	sigprocmask(SIG_BLOCK, &set, NULL);
	sigdelset(&loop->waitmask, sig);
	return 0;
}

static void
run_signals(void)
{
	int sig;

	for (sig = 1; sig < EV_MAX_SIG; sig++)
		if (sig_pending[sig]) {
			sig_pending[sig] = 0;
			if (sig_cb[sig] != NULL)
				sig_cb[sig](sig, sig_arg[sig]);
		}
}

static void
run_timers(struct ev_loop *loop)
{
	struct ev_timer *t;

	while ((t = TAILQ_FIRST(&loop->timers)) != NULL &&
	    t->deadline <= loop->now) {
		ev_timer_stop(loop, t);
		t->cb(t);
	}
}

static int
next_timeout(struct ev_loop *loop)
{
	struct ev_timer *t;

	if ((t = TAILQ_FIRST(&loop->timers)) == NULL)
		return -1;
	if (t->deadline <= loop->now)
		return 0;
	/* Timers are clamped to EV_MAX_TIMER_MS, so this fits an int. */
	return (int)(t->deadline - loop->now);
}

/* Call the watchers of one wakeup that are `late`, or those that are not. */
static void
dispatch(struct ev_loop *loop, int n, int late)
{
	struct ev_io	*io;
	int		 i;

	for (i = 0; i < n && !loop->stop; i++) {
		if ((io = loop->fired[i]) == NULL || io->late != late)
			continue;
		loop->fired[i] = NULL;	/* called: the second pass skips it */
		io->cb(io, loop->fired_ev[i]);
	}
}

int
ev_run(struct ev_loop *loop)
{
	int n;

	loop->stop = 0;
	while (!loop->stop) {
		loop->now = ev_clock_ms();
		n = ev_backend_poll(loop, next_timeout(loop));
		if (n == -1 && errno != EINTR) {
			log_warn("event poll");
			return -1;
		}
		loop->now = ev_clock_ms();
		run_signals();
		dispatch(loop, n, 0);
		dispatch(loop, n, 1);
		loop->nfired = 0;
		if (!loop->stop)
			run_timers(loop);
	}
	return 0;
}
