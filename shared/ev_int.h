#ifndef HD_EV_INT_H
#define HD_EV_INT_H

/* Between ev.c and the OS-specific polling backend. */

#include <signal.h>

#include "ev.h"

#define EV_MAX_FIRED	64	/* events taken from the kernel per wakeup */

struct ev_backend;

struct ev_loop {
	struct ev_backend	*be;
	TAILQ_HEAD(ev_timer_q, ev_timer) timers;	/* sorted by deadline */
	uint64_t		 now;
	int			 stop;
	/* The batch being dispatched, so a watcher stopped mid-batch is
	 * not called with a stale pointer. */
	struct ev_io		*fired[EV_MAX_FIRED];
	int			 fired_ev[EV_MAX_FIRED];
	int			 nfired;
	sigset_t		 waitmask;	/* mask while polling */
};

struct ev_backend	*ev_backend_new(void);
void			 ev_backend_free(struct ev_backend *);
int			 ev_backend_set(struct ev_backend *, struct ev_io *,
			    int oldev, int newev);
/* Wait up to timeout_ms (-1: forever) with `waitmask` in force; fill
 * loop->fired. Returns the count, or -1 with errno (EINTR on a signal). */
int			 ev_backend_poll(struct ev_loop *, int timeout_ms);

#endif
