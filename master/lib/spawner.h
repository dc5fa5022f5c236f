#ifndef HD_SPAWNER_H
#define HD_SPAWNER_H

/*
 * The master's children (the web process and the auth worker) are
 * started, signalled and reaped by the spawner (docs/SECURITY.md,
 * "Privilege separation"): a tiny process forked by the master before it
 * reads anything, which alone keeps CAP_SETUID, CAP_SETGID and
 * CAP_SYS_CHROOT, so that each child can take a uid of its own in an
 * empty chroot while the master holds no capability at all.
 *
 * Without spawn_init() (unit tests), the same calls fork and reap in
 * this process instead.
 */

#include <sys/types.h>
#include <stddef.h>
#include <stdint.h>

#include "ev.h"

/* The messages between master and spawner: fixed size, one per
 * SOCK_SEQPACKET datagram, every byte checked (spawn_msg_decode). */
#define SPAWN_MSG_LEN		12
#define SPAWN_MAX_CHILDREN	8	/* live or not yet reaped */
#define SPAWN_REPLY_MS		5000	/* a START's answer, at most */
#define SPAWN_STOP_MS		1000	/* children's grace at shutdown */

enum spawn_type {
	SPAWN_START = 1,	/* master: start `role` */
	SPAWN_KILL,		/* master: signal `arg` to `pid` of `role` */
	SPAWN_STARTED,		/* spawner: `pid` runs; its fd rides along */
	SPAWN_REFUSED,		/* spawner: could not start; errno in arg */
	SPAWN_EXITED,		/* spawner: `pid` ended; wait status in arg */
	SPAWN_STOPALL,		/* master: end every child, then answer */
	SPAWN_STOPPED,		/* spawner: they are all gone */
	SPAWN_NTYPES
};

enum spawn_role {
	SPAWN_NONE,		/* STOPALL, STOPPED: every child */
	SPAWN_WEB,		/* hd-web, -C fd */
	SPAWN_AUTH,		/* hd-auth, -A fd */
	SPAWN_NROLES
};

struct spawn_msg {
	uint8_t		type;	/* enum spawn_type */
	uint8_t		role;	/* enum spawn_role */
	uint32_t	pid;	/* 0 for START and REFUSED */
	uint32_t	arg;
};

/* spawn_msg.c: pure code, fuzzed (tests/fuzz/fuzz_spawn_msg.c).
 * `from_master`: which side may send what. 0, or -1 if anything is
 * out of place (length, type, role, padding, pid, signal). */
int	spawn_msg_decode(const uint8_t *, size_t, int from_master,
	    struct spawn_msg *);
void	spawn_msg_encode(const struct spawn_msg *, uint8_t[SPAWN_MSG_LEN]);

/* Called when a child ends, with its wait status. */
typedef void	spawn_exit_fn(void *arg, pid_t pid, int status);

/* spawn.c: the master's side. */
/* Fork the spawner; first thing in main(), before any key is read. */
void	spawn_init(const char *conffile, int verbose);
/* Watch the spawner (or SIGCHLD without one) from `loop`; idempotent. */
void	spawn_watch(struct ev_loop *);
void	spawn_on_exit(enum spawn_role, spawn_exit_fn *, void *);
/* Start a child of `role`; its pid, with our end of its socketpair in
 * *fd (close-on-exec, blocking), or -1 after a log line. conffile and
 * verbose serve only without a spawner (it has spawn_init()'s). */
pid_t	spawn_child(enum spawn_role, const char *conffile, int verbose,
	    int *fd);
/* Send SIGTERM or SIGKILL to our child `pid` of `role`, if it is still
 * alive (a pid already reaped is never signalled: it may be anyone's
 * now). The watchdog's call for a stuck child: spawn_kill(r, pid,
 * SIGKILL). 0, or -1 if not ours or not sent. */
int	spawn_kill(enum spawn_role, pid_t pid, int sig);
/* At exit: the children get SIGTERM, then SIGKILL after SPAWN_STOP_MS;
 * the spawner ends and is reaped. */
void	spawn_stop(void);
/* Instead, before the master execs itself again (a step down): every
 * child ended, the spawner kept for the new image, which holds no
 * capability to start one of its own (HD_SPAWNER names it for
 * spawn_init()). -1 if that failed: spawn_stop() then. */
int	spawn_keep_for_exec(void);

/* spawner.c: the spawner process itself (and the table both use). */
struct spawn_tab {
	pid_t		pid[SPAWN_MAX_CHILDREN];	/* 0: free */
	uint8_t		role[SPAWN_MAX_CHILDREN];
};
void	spawner_main(int fd, const char *conffile, int verbose)
	    __attribute__((noreturn));
pid_t	spawn_fork(struct spawn_tab *, enum spawn_role, const char *conffile,
	    int verbose, int *fd);
int	spawn_signal(struct spawn_tab *, enum spawn_role, pid_t, int sig);
/* Reap one ended child of the table: its pid, or 0 if none. */
pid_t	spawn_reap(struct spawn_tab *, int *role, int *status);
void	spawn_tab_stop(struct spawn_tab *);

#endif
