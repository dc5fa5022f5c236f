#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>

#include "daemon.h"
#include "log.h"
#include "memtune.h"
#include "version.h"

void
daemon_opts(int argc, char *argv[], const char *prog, struct daemon_opts *o)
{
	int ch, master = strcmp(prog, "hd-master") == 0;

	mem_init();	/* before anything allocates much */
	memset(o, 0, sizeof(*o));
	o->childfd = -1;
	o->authfd = -1;
	while ((ch = getopt(argc, argv, master ? "A:C:f:nU:vV" : "C:f:nvV")) != -1) {
		switch (ch) {
		case 'A':	/* internal: the master's auth worker */
			o->authfd = atoi(optarg);
			if (o->authfd < 3)
				goto usage;
			break;
		case 'C':	/* internal: set by the parent when it execs */
			o->childfd = atoi(optarg);
			if (o->childfd < 3)
				goto usage;
			break;
		case 'f':
			o->conffile = optarg;
			break;
		case 'n':
			o->checkonly = 1;
			break;
		case 'U':	/* create the first admin, then exit */
			o->newadmin = optarg;
			break;
		case 'v':
			o->verbose++;
			break;
		case 'V':
			version_print(prog);
			exit(fflush(stdout) == 0 ? 0 : 1);
		default:
			goto usage;
		}
	}
	if (o->conffile != NULL && optind == argc)
		return;
usage:
	fprintf(stderr, "usage: %s [-nv]%s -f config\n       %s -V\n",
	    prog, master ? " [-U name]" : "", prog);
	if (master)
		fprintf(stderr, "       %s -f config --next N [--at "
		    "ISO-TIME]\n       %s -f config --backup|--restore "
		    "FILE\n", prog, prog);
	exit(2);
}

static void
on_stop(int sig, void *arg)
{
	log_info("signal %d: shutting down", sig);
	ev_break(arg);
}

void
daemon_signals(struct ev_loop *loop, ev_signal_cb *hup, void *arg)
{
	signal(SIGPIPE, SIG_IGN);
	ev_signal(loop, SIGTERM, on_stop, loop);
	ev_signal(loop, SIGINT, on_stop, loop);
	ev_signal(loop, SIGHUP, hup, arg);
}

void
daemon_exec_self(const char *name, const char *opt, int fd,
    const char *conffile, int verbose)
{
	char	 fdarg[16];
	char	*argv[8];
	int	 i = 0;

	fcntl(fd, F_SETFD, 0);
	snprintf(fdarg, sizeof(fdarg), "%d", fd);
	argv[i++] = (char *)(uintptr_t)name;
	argv[i++] = (char *)(uintptr_t)opt;
	argv[i++] = fdarg;
	if (conffile != NULL) {
		argv[i++] = (char *)(uintptr_t)"-f";
		argv[i++] = (char *)(uintptr_t)conffile;
	}
	if (verbose)
		argv[i++] = (char *)(uintptr_t)"-v";
	argv[i] = NULL;
#ifdef __SANITIZE_ADDRESS__
	/* LeakSanitizer needs /proc, which the child's chroot hides. */
	setenv("ASAN_OPTIONS", "detect_leaks=0", 1);
#endif
	execv("/proc/self/exe", argv);
	_exit(127);
}

/*
 * A child exec'd through /proc/self/exe is named "exe" by the kernel:
 * `top` and `ps -o comm` show this name instead (at most 15 bytes; the
 * kernel cuts a longer one). Its argv[0] (what `ps -ef` shows) was set
 * by daemon_exec_self.
 */
void
daemon_procname(const char *name)
{
	if (prctl(PR_SET_NAME, name, 0, 0, 0) == -1)
		log_warn("prctl PR_SET_NAME %s", name);
}
