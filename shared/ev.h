#ifndef HD_EV_H
#define HD_EV_H

/*
 * One non-blocking event loop per process: file descriptor watchers,
 * one-shot timers and signals. Watchers are owned by the caller and
 * embedded in the object they serve; starting and stopping them never
 * allocates. The OS-specific polling lives in ev_epoll.c (Linux); a
 * kqueue or poll backend implements the three ev_backend_* calls of
 * ev_int.h.
 */

#include <stdint.h>
#include <sys/queue.h>

#define EV_READ		0x1
#define EV_WRITE	0x2
#define EV_ERROR	0x4	/* reported only: hang-up or socket error */

struct ev_loop;

struct ev_io {
	int		  fd;
	int		  events;	/* what is being watched now */
	int		  late;		/* ev_io_late() */
	void		(*cb)(struct ev_io *, int revents);
	void		 *arg;
};

struct ev_timer {
	TAILQ_ENTRY(ev_timer) entry;
	uint64_t	  deadline;	/* monotonic ms */
	int		  active;
	void		(*cb)(struct ev_timer *);
	void		 *arg;
};

typedef void	ev_signal_cb(int sig, void *arg);

struct ev_loop	*ev_loop_new(void);
void		 ev_loop_free(struct ev_loop *);
int		 ev_run(struct ev_loop *);
void		 ev_break(struct ev_loop *);
uint64_t	 ev_now(struct ev_loop *);
uint64_t	 ev_clock_ms(void);
/* Wall clock, ms since the epoch (timestamps for humans and reports). */
uint64_t	 ev_wall_ms(void);

void		 ev_io_init(struct ev_io *, int fd,
		    void (*)(struct ev_io *, int), void *);
/* Watch for `events` (EV_READ|EV_WRITE); 0 stops watching. */
int		 ev_io_set(struct ev_loop *, struct ev_io *, int events);
/* Of the watchers that fire in one wakeup, call this one after the
 * others (a listener: serve the connections that are there first). */
void		 ev_io_late(struct ev_io *);
/* Stop watching a descriptor the caller closes right after, and never
 * shares: the kernel forgets it at close(), so no system call here. */
void		 ev_io_closing(struct ev_loop *, struct ev_io *);

void		 ev_timer_init(struct ev_timer *, void (*)(struct ev_timer *),
		    void *);
/* (Re)arm to fire once, `after_ms` from now. */
void		 ev_timer_start(struct ev_loop *, struct ev_timer *,
		    uint64_t after_ms);
void		 ev_timer_stop(struct ev_loop *, struct ev_timer *);

/* Route `sig` to `cb` from inside the loop (never from a handler). */
int		 ev_signal(struct ev_loop *, int sig, ev_signal_cb *, void *);

#endif
