#ifndef HD_DAEMON_H
#define HD_DAEMON_H

/* What hd-master and hd-slave share in main(): options and signals. */

#include "ev.h"

struct daemon_opts {
	const char	*conffile;	/* -f */
	int		 checkonly;	/* -n */
	int		 verbose;	/* -v, repeatable */
	int		 childfd;	/* -C fd: run as a child process on
					 * this socketpair end (-1: not) */
	const char	*newadmin;	/* -U name (hd-master only) */
	int		 authfd;	/* -A fd: the master's auth worker
					 * on this socketpair end (-1: not) */
};

/* Parse "[-nv] [-U name] -f config" (-U for hd-master only), or -V
 * (print the version and build, exit 0); prints usage and exits 2 on
 * anything else. */
void	daemon_opts(int argc, char *argv[], const char *prog,
	    struct daemon_opts *);
/* SIGTERM/SIGINT end the loop, SIGHUP calls `hup`, SIGPIPE is ignored. */
void	daemon_signals(struct ev_loop *, ev_signal_cb *hup, void *arg);
/* In a forked child: become a fresh image of this program, named `name`,
 * as "name OPT fd [-f conffile] [-v]" on the socketpair end `fd` (kept
 * open across the exec), holding only what it loads itself. */
void	daemon_exec_self(const char *name, const char *opt, int fd,
	    const char *conffile, int verbose) __attribute__((noreturn));

/* Name this process for top and ps -o comm (15 bytes at most). */
void	daemon_procname(const char *name);

#endif
