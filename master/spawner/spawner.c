/*
 * The spawner (spawner.h, docs/SECURITY.md): forked by the master before
 * it has read a key, a file or a byte from the network, it keeps only
 * CAP_SETUID, CAP_SETGID, CAP_SYS_CHROOT, CAP_KILL (its children have
 * another uid) and CAP_NET_BIND_SERVICE (for a web port below 1024,
 * if the unit grants it), and does nothing but start, signal and reap the
 * web process and the auth worker on the master's request. Each child is
 * a fresh exec of hd-master that inherits those capabilities (ambient,
 * or root's bounding set), loads its key and listeners, then chroots to
 * the empty web-root and takes web-user's uid before it reads anything
 * from outside (priv_drop()). A malformed request or the master's end
 * of file ends the spawner and its children.
 */

#include <sys/socket.h>
#include <sys/wait.h>

#include <linux/capability.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon.h"
#include "log.h"
#include "priv.h"
#include "lib/spawner.h"

#define SPAWNER_CAPS	(PRIV_CAP(CAP_SETUID) | PRIV_CAP(CAP_SETGID) | \
			 PRIV_CAP(CAP_SYS_CHROOT) | PRIV_CAP(CAP_KILL) | \
			 PRIV_CAP(CAP_NET_BIND_SERVICE))

struct spawner {
	struct ev_loop		*loop;
	struct ev_io		 io;
	struct spawn_tab	 tab;
	const char		*conffile;
	int			 verbose;
};

pid_t
spawn_fork(struct spawn_tab *t, enum spawn_role role, const char *conffile,
    int verbose, int *fd)
{
	sigset_t	none;
	int		sv[2], i;
	pid_t		pid;

	for (i = 0; i < SPAWN_MAX_CHILDREN && t->pid[i] != 0; i++)
		;
	if (i == SPAWN_MAX_CHILDREN) {
		errno = EAGAIN;
		return -1;
	}
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == -1)
		return -1;
	if ((pid = fork()) == -1) {
		close(sv[0]);
		close(sv[1]);
		return -1;
	}
	if (pid == 0) {
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		if (role == SPAWN_WEB)
			daemon_exec_self("hd-master: web", "-C", sv[1],
			    conffile, verbose);
		daemon_exec_self("hd-master: auth", "-A", sv[1], conffile,
		    verbose);
	}
	close(sv[1]);
	t->pid[i] = pid;
	t->role[i] = (uint8_t)role;
	*fd = sv[0];
	return pid;
}

int
spawn_signal(struct spawn_tab *t, enum spawn_role role, pid_t pid, int sig)
{
	int i;

	for (i = 0; i < SPAWN_MAX_CHILDREN; i++)
		if (t->pid[i] == pid && pid > 0 && t->role[i] == role)
			return kill(pid, sig);
	errno = ESRCH;
	return -1;
}

pid_t
spawn_reap(struct spawn_tab *t, int *role, int *status)
{
	pid_t	pid;
	int	i;

	for (i = 0; i < SPAWN_MAX_CHILDREN; i++) {
		if (t->pid[i] == 0 ||
		    (pid = waitpid(t->pid[i], status, WNOHANG)) == 0)
			continue;
		if (pid == -1 && errno != ECHILD)
			continue;
		if (pid == -1)		/* reaped by someone else */
			*status = 0;
		pid = t->pid[i];
		*role = t->role[i];
		t->pid[i] = 0;
		return pid;
	}
	return 0;
}

/* Up to SPAWN_STOP_MS for every child to be reaped; 1 if all were. */
static int
reap_all(struct spawn_tab *t)
{
	int	i, n, role, st;

	for (n = 0; n < SPAWN_STOP_MS / 20; n++) {
		while (spawn_reap(t, &role, &st) > 0)
			;
		for (i = 0; i < SPAWN_MAX_CHILDREN && t->pid[i] == 0; i++)
			;
		if (i == SPAWN_MAX_CHILDREN)
			return 1;
		usleep(20000);
	}
	return 0;
}

static void
signal_all(struct spawn_tab *t, int sig)
{
	int i;

	for (i = 0; i < SPAWN_MAX_CHILDREN; i++)
		if (t->pid[i] > 0 && kill(t->pid[i], sig) == -1)
			log_warn("kill %d", (int)t->pid[i]);
}

/* SIGTERM to all, up to SPAWN_STOP_MS for them to go, then SIGKILL. */
void
spawn_tab_stop(struct spawn_tab *t)
{
	signal_all(t, SIGTERM);
	if (reap_all(t))
		return;
	signal_all(t, SIGKILL);
	if (!reap_all(t))
		log_warnx("children left unreaped at exit");
}

static void
reply(struct spawner *s, const struct spawn_msg *m, int fd)
{
	uint8_t		 b[SPAWN_MSG_LEN];
	union {
		struct cmsghdr	hdr;
		char		buf[CMSG_SPACE(sizeof(int))];
	}		 cm;
	struct iovec	 iov = { b, sizeof(b) };
	struct msghdr	 mh;

	spawn_msg_encode(m, b);
	memset(&mh, 0, sizeof(mh));
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	if (fd != -1) {
		memset(&cm, 0, sizeof(cm));
		mh.msg_control = cm.buf;
		mh.msg_controllen = sizeof(cm.buf);
		CMSG_FIRSTHDR(&mh)->cmsg_level = SOL_SOCKET;
		CMSG_FIRSTHDR(&mh)->cmsg_type = SCM_RIGHTS;
		CMSG_FIRSTHDR(&mh)->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(CMSG_FIRSTHDR(&mh)), &fd, sizeof(int));
	}
	if (sendmsg(s->io.fd, &mh, MSG_NOSIGNAL) != (ssize_t)sizeof(b))
		fatal("spawner: write to the master");
}

static void	finish(struct spawner *, int) __attribute__((noreturn));

static void
finish(struct spawner *s, int code)
{
	spawn_tab_stop(&s->tab);
	exit(code);
}

static void
request(struct spawner *s, const struct spawn_msg *m)
{
	struct spawn_msg	r = { 0, m->role, 0, 0 };
	pid_t			pid;
	int			fd = -1;

	if (m->type == SPAWN_STOPALL) {	/* the master execs itself again */
		spawn_tab_stop(&s->tab);
		r.type = SPAWN_STOPPED;
		r.role = SPAWN_NONE;
		reply(s, &r, -1);
		return;
	}
	if (m->type == SPAWN_KILL) {
		if (spawn_signal(&s->tab, m->role, (pid_t)m->pid,
		    (int)m->arg) == -1)
			log_debug("kill %u: not a live child (%s)", m->pid,
			    strerror(errno));
		return;
	}
	if ((pid = spawn_fork(&s->tab, m->role, s->conffile, s->verbose,
	    &fd)) == -1) {
		log_warn("cannot start a child");
		r.type = SPAWN_REFUSED;
		r.arg = (uint32_t)errno;
		reply(s, &r, -1);
		return;
	}
	r.type = SPAWN_STARTED;
	r.pid = (uint32_t)pid;
	reply(s, &r, fd);
	close(fd);
}

/* One datagram from the master; no control data is accepted (the
 * kernel discards passed descriptors when no room is given for them). */
static void
on_master(struct ev_io *io, int ev)
{
	struct spawner		*s = io->arg;
	struct spawn_msg	 m;
	uint8_t			 b[SPAWN_MSG_LEN + 1];
	ssize_t			 n;

	(void)ev;
	while ((n = recv(io->fd, b, sizeof(b), MSG_DONTWAIT)) == -1 &&
	    errno == EINTR)
		;
	if (n == -1 && errno == EAGAIN)
		return;
	if (n <= 0)
		finish(s, 0);	/* the master is gone: so are we */
	if (spawn_msg_decode(b, (size_t)n, 1, &m) == -1) {
		log_warnx("a malformed request of %zd bytes from the master",
		    n);
		finish(s, 1);
	}
	request(s, &m);
}

static void
on_child(int sig, void *arg)
{
	struct spawner		*s = arg;
	struct spawn_msg	 m = { SPAWN_EXITED, 0, 0, 0 };
	pid_t			 pid;
	int			 role, st;

	(void)sig;
	while ((pid = spawn_reap(&s->tab, &role, &st)) > 0) {
		m.role = (uint8_t)role;
		m.pid = (uint32_t)pid;
		m.arg = (uint32_t)st & 0xffff;
		reply(s, &m, -1);
	}
}

static void
on_term(int sig, void *arg)
{
	(void)sig;
	(void)arg;	/* the master's end of file stops us, not this */
}

void
spawner_main(int fd, const char *conffile, int verbose)
{
	struct spawner	s;

	log_init("hd-spawn", verbose);
	memset(&s, 0, sizeof(s));
	s.conffile = conffile;
	s.verbose = verbose;
	signal(SIGPIPE, SIG_IGN);
	if (priv_limit(SPAWNER_CAPS) == -1)
		fatal("spawner: capabilities");
	if ((s.loop = ev_loop_new()) == NULL)
		fatal("spawner: event loop");
	ev_io_init(&s.io, fd, on_master, &s);
	ev_io_set(s.loop, &s.io, EV_READ);
	ev_signal(s.loop, SIGCHLD, on_child, &s);
	/* A SIGTERM to the process group (systemd's stop) reaches us and
	 * the master at once; the master then closes our socket. */
	ev_signal(s.loop, SIGTERM, on_term, &s);
	ev_signal(s.loop, SIGINT, on_term, &s);
	ev_signal(s.loop, SIGHUP, on_term, &s);
	ev_run(s.loop);
	finish(&s, 0);
}
