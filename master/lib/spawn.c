/*
 * The master's side of the spawner (spawner.h). Starting a child is a
 * request and its answer on a SOCK_SEQPACKET socketpair, waited for at
 * most SPAWN_REPLY_MS (the spawner forks at once; the exec happens in
 * the child): callers, such as the auth worker woken for a hash, expect
 * the child's socket when the call returns. Exit notices arrive through
 * the loop; one that arrives while an answer is awaited is queued and
 * handed on from the loop, never from inside spawn_child().
 */

#include <sys/socket.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "lib/spawner.h"

static struct {
	pid_t			 pid;		/* the spawner; -1: none */
	int			 fd;
	struct ev_loop		*loop;
	struct ev_io		 io;
	struct ev_timer		 later;		/* hands on queued exits */
	struct spawn_msg	 q[SPAWN_MAX_CHILDREN];
	int			 nq;
	spawn_exit_fn		*fn[SPAWN_NROLES];
	void			*arg[SPAWN_NROLES];
	struct spawn_tab	 tab;		/* without a spawner */
} sp = { .pid = -1, .fd = -1 };

/*
 * The spawner an earlier image of this process kept for us across its
 * exec (spawn_keep_for_exec()): "FD:PID" in HD_SPAWNER. Believed only
 * for a SOCK_SEQPACKET socket made by this very process (a socketpair
 * reports its creator) whose PID is a live child of ours.
 */
static int
adopt(const char *v)
{
	struct ucred	cr;
	socklen_t	len = sizeof(cr);
	int		fd, pid, type = 0, st;
	socklen_t	tl = sizeof(type);
	char		end;

	if (sscanf(v, "%d:%d%c", &fd, &pid, &end) != 2 || fd <= 2 || pid <= 1 ||
	    getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &tl) == -1 ||
	    type != SOCK_SEQPACKET ||
	    getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len) == -1 ||
	    cr.pid != getpid() || waitpid(pid, &st, WNOHANG) != 0)
		return -1;
	fcntl(fd, F_SETFD, FD_CLOEXEC);
	sp.fd = fd;
	sp.pid = pid;
	log_info("spawner %d kept across the restart", pid);
	return 0;
}

void
spawn_init(const char *conffile, int verbose)
{
	const char	*v = getenv("HD_SPAWNER");
	int		 sv[2];

	if (v != NULL && adopt(v) == 0) {
		unsetenv("HD_SPAWNER");
		return;
	}
	if (v != NULL)
		log_warnx("HD_SPAWNER=%s: not a spawner of ours; starting one",
		    v);
	unsetenv("HD_SPAWNER");

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) == -1)
		fatal("spawner: socketpair");
	if ((sp.pid = fork()) == -1)
		fatal("spawner: fork");
	if (sp.pid == 0) {
		close(sv[0]);
		spawner_main(sv[1], conffile, verbose);
	}
	close(sv[1]);
	sp.fd = sv[0];
}

static void
hand_on(int role, pid_t pid, int status)
{
	if (role > 0 && role < SPAWN_NROLES && sp.fn[role] != NULL)
		sp.fn[role](sp.arg[role], pid, status);
}

/* One message from the spawner, 0 if none waits (nonblocking), or
 * fatal: a spawner that breaks the protocol or dies leaves the master
 * unable to run its children. */
static int
recv_msg(struct spawn_msg *m, int *fd, int flags)
{
	uint8_t		 b[SPAWN_MSG_LEN + 1];
	union {
		struct cmsghdr	hdr;
		char		buf[CMSG_SPACE(sizeof(int))];
	}		 cm;
	struct iovec	 iov = { b, sizeof(b) };
	struct msghdr	 mh;
	struct cmsghdr	*c;
	ssize_t		 n;

	memset(&mh, 0, sizeof(mh));
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = cm.buf;
	mh.msg_controllen = sizeof(cm.buf);
	*fd = -1;
	while ((n = recvmsg(sp.fd, &mh, flags | MSG_CMSG_CLOEXEC)) == -1 &&
	    errno == EINTR)
		;
	if (n == -1 && errno == EAGAIN)
		return 0;
	if (n <= 0)
		fatalx("the spawner is gone");
	if ((c = CMSG_FIRSTHDR(&mh)) != NULL && c->cmsg_level == SOL_SOCKET &&
	    c->cmsg_type == SCM_RIGHTS && c->cmsg_len == CMSG_LEN(sizeof(int)))
		memcpy(fd, CMSG_DATA(c), sizeof(int));
	if ((mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) != 0 ||
	    spawn_msg_decode(b, (size_t)n, 0, m) == -1 ||
	    (*fd != -1) != (m->type == SPAWN_STARTED) ||
	    (c != NULL && *fd == -1))
		fatalx("a malformed message from the spawner");
	return 1;
}

static void
on_later(struct ev_timer *t)
{
	struct spawn_msg	m;

	(void)t;
	while (sp.nq > 0) {
		m = sp.q[0];
		memmove(sp.q, sp.q + 1, --sp.nq * sizeof(sp.q[0]));
		hand_on(m.role, (pid_t)m.pid, (int)m.arg);
	}
}

static void
queue_exit(const struct spawn_msg *m)
{
	if (sp.nq == SPAWN_MAX_CHILDREN)
		fatalx("the spawner reports more exits than children");
	sp.q[sp.nq++] = *m;
	if (sp.loop != NULL)
		ev_timer_start(sp.loop, &sp.later, 0);
}

static void
on_spawner(struct ev_io *io, int ev)
{
	struct spawn_msg	m;
	int			fd;

	(void)io;
	(void)ev;
	while (recv_msg(&m, &fd, MSG_DONTWAIT) == 1) {
		if (m.type != SPAWN_EXITED)
			fatalx("the spawner answers what was not asked");
		hand_on(m.role, (pid_t)m.pid, (int)m.arg);
	}
}

static void
on_child(int sig, void *arg)
{
	pid_t	pid;
	int	role, st;

	(void)sig;
	(void)arg;
	if (sp.pid > 0) {
		if (waitpid(sp.pid, &st, WNOHANG) == sp.pid)
			fatalx("the spawner died (status %d)", st);
		return;
	}
	while ((pid = spawn_reap(&sp.tab, &role, &st)) > 0)
		hand_on(role, pid, st);
}

void
spawn_watch(struct ev_loop *loop)
{
	if (sp.loop == loop)
		return;
	sp.loop = loop;
	ev_timer_init(&sp.later, on_later, NULL);
	ev_signal(loop, SIGCHLD, on_child, NULL);
	if (sp.fd != -1) {
		ev_io_init(&sp.io, sp.fd, on_spawner, NULL);
		ev_io_set(loop, &sp.io, EV_READ);
	}
	if (sp.nq > 0)
		ev_timer_start(loop, &sp.later, 0);
}

void
spawn_on_exit(enum spawn_role role, spawn_exit_fn *fn, void *arg)
{
	sp.fn[role] = fn;
	sp.arg[role] = arg;
}

static int
send_msg(const struct spawn_msg *m)
{
	uint8_t b[SPAWN_MSG_LEN];

	spawn_msg_encode(m, b);
	if (send(sp.fd, b, sizeof(b), MSG_NOSIGNAL) != (ssize_t)sizeof(b)) {
		log_warn("spawner: request");
		return -1;
	}
	return 0;
}

/* The spawner's answer to a START; exit notices met on the way are
 * queued for the loop. */
static pid_t
await_start(enum spawn_role role, int *fd)
{
	struct spawn_msg	m;
	struct pollfd		pfd = { sp.fd, POLLIN, 0 };
	uint64_t		end = ev_clock_ms() + SPAWN_REPLY_MS, now;

	while ((now = ev_clock_ms()) < end) {
		if (poll(&pfd, 1, (int)(end - now)) <= 0)
			continue;
		if (recv_msg(&m, fd, MSG_DONTWAIT) == 0)
			continue;
		if (m.type == SPAWN_EXITED) {
			queue_exit(&m);
			continue;
		}
		if (m.role != role || m.type == SPAWN_START ||
		    m.type == SPAWN_KILL)
			fatalx("the spawner answers another request");
		if (m.type == SPAWN_STARTED)
			return (pid_t)m.pid;
		errno = (int)m.arg;
		log_warn("the spawner could not start a child");
		return -1;
	}
	fatalx("the spawner gave no answer in %d ms", SPAWN_REPLY_MS);
}

pid_t
spawn_child(enum spawn_role role, const char *conffile, int verbose, int *fd)
{
	struct spawn_msg	m = { SPAWN_START, (uint8_t)role, 0, 0 };
	pid_t			pid;

	if (sp.fd == -1) {	/* no spawner: our own child */
		if ((pid = spawn_fork(&sp.tab, role, conffile, verbose,
		    fd)) == -1)
			log_warn("fork");
		return pid;
	}
	if (send_msg(&m) == -1)
		return -1;
	return await_start(role, fd);
}

int
spawn_kill(enum spawn_role role, pid_t pid, int sig)
{
	struct spawn_msg m = { SPAWN_KILL, (uint8_t)role, (uint32_t)pid,
	    (uint32_t)sig };

	if (pid <= 0 || (sig != SIGTERM && sig != SIGKILL))
		return -1;
	if (sp.fd == -1)
		return spawn_signal(&sp.tab, role, pid, sig);
	return send_msg(&m);
}

int
spawn_keep_for_exec(void)
{
	struct spawn_msg	m = { SPAWN_STOPALL, SPAWN_NONE, 0, 0 };
	struct pollfd		pfd = { sp.fd, POLLIN, 0 };
	uint64_t		end, now;
	char			v[32];
	int			fd;

	if (sp.fd == -1 || send_msg(&m) == -1)
		return -1;
	end = ev_clock_ms() + SPAWN_STOP_MS + SPAWN_REPLY_MS;
	while ((now = ev_clock_ms()) < end) {
		if (poll(&pfd, 1, (int)(end - now)) <= 0 ||
		    recv_msg(&m, &fd, MSG_DONTWAIT) == 0)
			continue;
		if (m.type == SPAWN_EXITED)
			continue;	/* gone before: nothing to hand on now */
		if (m.type != SPAWN_STOPPED)
			fatalx("the spawner answers another request");
		if (fcntl(sp.fd, F_SETFD, 0) == -1)
			return -1;
		snprintf(v, sizeof(v), "%d:%d", sp.fd, (int)sp.pid);
		return setenv("HD_SPAWNER", v, 1);
	}
	log_warnx("the spawner did not stop its children in time");
	return -1;
}

void
spawn_stop(void)
{
	int i;

	if (sp.loop != NULL)
		ev_timer_stop(sp.loop, &sp.later);
	if (sp.fd == -1) {
		spawn_tab_stop(&sp.tab);
		return;
	}
	close(sp.fd);		/* the spawner stops its children, then ends */
	sp.fd = -1;
	for (i = 0; i < (SPAWN_STOP_MS + 1000) / 20; i++) {
		if (waitpid(sp.pid, NULL, WNOHANG) != 0)
			return;
		usleep(20000);
	}
	log_warnx("the spawner did not end: killing it");
	kill(sp.pid, SIGKILL);
	waitpid(sp.pid, NULL, 0);
}
