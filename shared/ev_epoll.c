/* Linux polling backend: epoll, with epoll_pwait for race-free signals. */

#include <sys/epoll.h>

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "ev_int.h"

struct ev_backend {
	int	epfd;
};

struct ev_backend *
ev_backend_new(void)
{
	struct ev_backend *be;

	if ((be = calloc(1, sizeof(*be))) == NULL)
		return NULL;
	if ((be->epfd = epoll_create1(EPOLL_CLOEXEC)) == -1) {
		free(be);
		return NULL;
	}
	return be;
}

void
ev_backend_free(struct ev_backend *be)
{
	if (be == NULL)
		return;
	close(be->epfd);
	free(be);
}

int
ev_backend_set(struct ev_backend *be, struct ev_io *io, int oldev, int newev)
{
	struct epoll_event ee = { 0 };
	int op;

	if (newev == 0)
		return epoll_ctl(be->epfd, EPOLL_CTL_DEL, io->fd, &ee);
	op = oldev == 0 ? EPOLL_CTL_ADD : EPOLL_CTL_MOD;
	ee.events = (newev & EV_READ ? EPOLLIN : 0) |
	    (newev & EV_WRITE ? EPOLLOUT : 0);
	ee.data.ptr = io;
	return epoll_ctl(be->epfd, op, io->fd, &ee);
}

int
ev_backend_poll(struct ev_loop *loop, int timeout_ms)
{
	struct epoll_event evs[EV_MAX_FIRED];
	int i, n, r;

	n = epoll_pwait(loop->be->epfd, evs, EV_MAX_FIRED, timeout_ms,
	    &loop->waitmask);
	if (n == -1)
		return -1;
	for (i = 0; i < n; i++) {
		r = 0;
		if (evs[i].events & EPOLLIN)
			r |= EV_READ;
		if (evs[i].events & EPOLLOUT)
			r |= EV_WRITE;
		if (evs[i].events & (EPOLLERR | EPOLLHUP))
			r |= EV_ERROR | EV_READ;
		loop->fired[i] = evs[i].data.ptr;
		loop->fired_ev[i] = r;
	}
	loop->nfired = n;
	return n;
}
