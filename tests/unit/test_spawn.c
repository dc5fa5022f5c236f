/*
 * The spawner (master/lib/spawn*.c): its messages refuse every byte out of
 * place; a real spawner starts children as its own (not ours), passes
 * their socket, signals only a live child of the named role, reports
 * each exit with its status, and ends its children when we stop it.
 * The children are this program run as "hd-web -C fd" or "hd-auth -A fd":
 * they say "hi" and exit 7 at the end of their input.
 */

#include <sys/wait.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "log.h"
#include "../../master/lib/spawner.h"

static struct ev_loop	*loop;
static struct ev_timer	 tick;
static int		(*cond)(void);
static uint64_t		 deadline;
static pid_t		 ended;
static int		 ended_st, ended_role;

static void
on_tick(struct ev_timer *t)
{
	if (cond() || ev_clock_ms() >= deadline)
		ev_break(loop);
	else
		ev_timer_start(loop, t, 5);
}

static int
run_until(int (*c)(void), uint64_t ms)
{
	cond = c;
	deadline = ev_clock_ms() + ms;
	ev_timer_start(loop, &tick, 0);
	ev_run(loop);
	ev_timer_stop(loop, &tick);
	return c();
}

static int	has_ended(void) { return ended > 0; }

static void
on_exit_cb(void *arg, pid_t pid, int st)
{
	ended = pid;
	ended_st = st;
	ended_role = (int)(intptr_t)arg;
}

static int
dec(int t, int r, int z, uint32_t pid, uint32_t arg, size_t len, int fm)
{
	struct spawn_msg	m;
	uint8_t			b[SPAWN_MSG_LEN + 1] = { 0 };

	b[0] = (uint8_t)t;
	b[1] = (uint8_t)r;
	b[3] = (uint8_t)z;
	b[4] = (uint8_t)(pid >> 24);
	b[5] = (uint8_t)(pid >> 16);
	b[6] = (uint8_t)(pid >> 8);
	b[7] = (uint8_t)pid;
	b[11] = (uint8_t)arg;
	b[10] = (uint8_t)(arg >> 8);
	return spawn_msg_decode(b, len, fm, &m);
}

static void
test_msg(void)
{
	CHECK(dec(SPAWN_START, SPAWN_WEB, 0, 0, 0, 12, 1) == 0 &&
	    dec(SPAWN_KILL, SPAWN_AUTH, 0, 9, SIGKILL, 12, 1) == 0 &&
	    dec(SPAWN_EXITED, SPAWN_WEB, 0, 9, 0x100, 12, 0) == 0,
	    "well-formed messages decode");
	CHECK(dec(SPAWN_START, SPAWN_WEB, 0, 0, 0, 11, 1) == -1 &&
	    dec(SPAWN_START, SPAWN_WEB, 0, 0, 0, 13, 1) == -1,
	    "a message of 11 or 13 bytes is refused");
	CHECK(dec(SPAWN_START, SPAWN_WEB, 1, 0, 0, 12, 1) == -1,
	    "a padding byte that is not zero is refused");
	CHECK(dec(SPAWN_START, 0, 0, 0, 0, 12, 1) == -1 &&
	    dec(SPAWN_START, SPAWN_NROLES, 0, 0, 0, 12, 1) == -1,
	    "an unknown role is refused");
	CHECK(dec(0, SPAWN_WEB, 0, 0, 0, 12, 1) == -1 &&
	    dec(SPAWN_NTYPES, SPAWN_WEB, 0, 0, 0, 12, 0) == -1,
	    "an unknown type is refused");
	CHECK(dec(SPAWN_START, SPAWN_WEB, 0, 0, 0, 12, 0) == -1 &&
	    dec(SPAWN_STARTED, SPAWN_WEB, 0, 9, 0, 12, 1) == -1,
	    "each side may send only its own types");
	CHECK(dec(SPAWN_KILL, SPAWN_WEB, 0, 9, SIGHUP, 12, 1) == -1 &&
	    dec(SPAWN_KILL, SPAWN_WEB, 0, 0, SIGKILL, 12, 1) == -1 &&
	    dec(SPAWN_KILL, SPAWN_WEB, 0, 0x80000000u, SIGKILL, 12, 1) == -1,
	    "a kill of another signal, pid 0 or a pid past INT32_MAX is "
	    "refused");
	CHECK(dec(SPAWN_START, SPAWN_WEB, 0, 5, 0, 12, 1) == -1 &&
	    dec(SPAWN_EXITED, SPAWN_WEB, 0, 0, 0, 12, 0) == -1,
	    "a start with a pid, an exit without one, are refused");
	CHECK(dec(SPAWN_STOPALL, SPAWN_NONE, 0, 0, 0, 12, 1) == 0 &&
	    dec(SPAWN_STOPPED, SPAWN_NONE, 0, 0, 0, 12, 0) == 0,
	    "a stop of every child and its answer decode (no role)");
	CHECK(dec(SPAWN_STOPALL, SPAWN_WEB, 0, 0, 0, 12, 1) == -1 &&
	    dec(SPAWN_STOPALL, SPAWN_NONE, 0, 9, 0, 12, 1) == -1 &&
	    dec(SPAWN_STOPALL, SPAWN_NONE, 0, 0, 0, 12, 0) == -1 &&
	    dec(SPAWN_STOPPED, SPAWN_NONE, 0, 0, 1, 12, 0) == -1 &&
	    dec(SPAWN_STOPPED, SPAWN_NONE, 0, 0, 0, 12, 1) == -1,
	    "... with a role, a pid, an argument or from the wrong side: "
	    "refused");
	CHECK(dec(SPAWN_KILL, SPAWN_NONE, 0, 9, SIGKILL, 12, 1) == -1 &&
	    dec(SPAWN_EXITED, SPAWN_NONE, 0, 9, 0, 12, 0) == -1,
	    "no other message without a role");
}

/* A child: "hi" on its socket, then exit 7 at the end of its input. */
static void
child(int fd)
{
	char c;

	if (write(fd, "hi", 2) != 2)
		_exit(1);
	while (read(fd, &c, 1) > 0)
		;
	_exit(7);
}

static int
says_hi(int fd)
{
	char b[2];

	return read(fd, b, 2) == 2 && memcmp(b, "hi", 2) == 0;
}

static pid_t
ppid_of(pid_t pid)
{
	char	path[64];
	FILE	*f;
	int	pp = -1;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if ((f = fopen(path, "r")) != NULL) {
		if (fscanf(f, "%*d %*s %*c %d", &pp) != 1)
			pp = -1;
		fclose(f);
	}
	return pp;
}

static void
test_spawner(void)
{
	pid_t	pid, pid2;
	int	fd, fd2;

	spawn_init(NULL, 0);
	spawn_watch(loop);
	spawn_on_exit(SPAWN_WEB, on_exit_cb, (void *)(intptr_t)SPAWN_WEB);
	spawn_on_exit(SPAWN_AUTH, on_exit_cb, (void *)(intptr_t)SPAWN_AUTH);
	pid = spawn_child(SPAWN_WEB, NULL, 0, &fd);
	if (!CHECK(pid > 0, "the spawner starts a web process"))
		return;
	CHECK(says_hi(fd), "... whose socket it passes to us");
	CHECK(ppid_of(pid) > 0 && ppid_of(pid) != getpid() &&
	    ppid_of(ppid_of(pid)) == getpid(),
	    "... as its child, not ours");
	close(fd);
	CHECK(run_until(has_ended, 10000) && ended == pid &&
	    ended_role == SPAWN_WEB && WIFEXITED(ended_st) &&
	    WEXITSTATUS(ended_st) == 7, "its exit and status are reported");

	ended = 0;
	pid = spawn_child(SPAWN_AUTH, NULL, 0, &fd);
	CHECK(pid > 0 && says_hi(fd), "the spawner starts an auth worker");
	/* In order: a kill naming the wrong role is ignored, so the
	 * SIGTERM that follows is what ends it. */
	spawn_kill(SPAWN_WEB, pid, SIGKILL);
	spawn_kill(SPAWN_AUTH, pid, SIGTERM);
	CHECK(run_until(has_ended, 10000) && ended == pid &&
	    ended_role == SPAWN_AUTH && WIFSIGNALED(ended_st) &&
	    WTERMSIG(ended_st) == SIGTERM,
	    "a kill names the role too: the wrong one is ignored");
	close(fd);
	CHECK(spawn_kill(SPAWN_AUTH, pid, SIGHUP) == -1 &&
	    spawn_kill(SPAWN_AUTH, 0, SIGKILL) == -1,
	    "only SIGTERM and SIGKILL, to a pid above 0, are sent");

	ended = 0;
	pid = spawn_child(SPAWN_WEB, NULL, 0, &fd);
	pid2 = spawn_child(SPAWN_AUTH, NULL, 0, &fd2);
	CHECK(pid > 0 && pid2 > 0 && says_hi(fd) && says_hi(fd2),
	    "two children at once");
	spawn_stop();
	CHECK(kill(pid, 0) == -1 && errno == ESRCH && kill(pid2, 0) == -1 &&
	    errno == ESRCH, "stopping the spawner ends and reaps them");
	close(fd);
	close(fd2);
}

int
main(int argc, char *argv[])
{
	if (argc == 3 && (strcmp(argv[1], "-C") == 0 ||
	    strcmp(argv[1], "-A") == 0))
		child(atoi(argv[2]));
	log_init("test_spawn", 0);
	if (!CHECK((loop = ev_loop_new()) != NULL, "ev_loop_new"))
		return check_done();
	ev_timer_init(&tick, on_tick, NULL);
	test_msg();
	test_spawner();
	ev_loop_free(loop);
	return check_done();
}
