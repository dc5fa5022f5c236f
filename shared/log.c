#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"

static const char	*log_procname = "homedaemon";
static int		 log_verbose;
static log_hook_fn	*log_hook;
static void		*log_hook_arg;
static int		 log_in_hook;	/* a hook that logs is not re-entered */

void
log_sethook(log_hook_fn *fn, void *arg)
{
	log_hook = fn;
	log_hook_arg = arg;
}

/* The line, without timestamp and process name, to the hook. */
static void
call_hook(const char *level, const char *msg, int with_errno, int saved)
{
	char line[1200];

	if (log_hook == NULL || log_in_hook)
		return;
	if (with_errno)
		snprintf(line, sizeof(line), "%s: %s", msg, strerror(saved));
	else
		snprintf(line, sizeof(line), "%s", msg);
	log_in_hook = 1;
	log_hook(level, line, log_hook_arg);
	log_in_hook = 0;
}

void
log_init(const char *procname, int verbose)
{
	log_procname = procname;
	log_verbose = verbose;
	/*
	 * Line-buffered so lines from several processes do not interleave,
	 * in a buffer of our own: with none, stdio allocates one at the
	 * first line and, when stderr is a character device (/dev/null, a
	 * terminal), asks isatty(), an ioctl the sandboxed children's
	 * seccomp filters kill them for.
	 */
	static char buf[BUFSIZ];

	setvbuf(stderr, buf, _IOLBF, sizeof(buf));
}

void
log_setverbose(int v)
{
	log_verbose = v;
}

static void
vlog(const char *level, const char *fmt, va_list ap, int with_errno)
{
	char		 msg[1024], ts[32];
	struct timespec	 now;
	struct tm	 tm;
	int		 saved = errno;

	clock_gettime(CLOCK_REALTIME, &now);
	gmtime_r(&now.tv_sec, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (with_errno)
		fprintf(stderr, "%s.%03ldZ %s[%s]: %s: %s\n", ts,
		    now.tv_nsec / 1000000, log_procname, level, msg,
		    strerror(saved));
	else
		fprintf(stderr, "%s.%03ldZ %s[%s]: %s\n", ts,
		    now.tv_nsec / 1000000, log_procname, level, msg);
	call_hook(level, msg, with_errno, saved);
	errno = saved;
}

#define LOGFN(name, level, with_errno, cond)			\
void								\
name(const char *fmt, ...)					\
{								\
	va_list ap;						\
	if (!(cond))						\
		return;						\
	va_start(ap, fmt);					\
	vlog(level, fmt, ap, with_errno);			\
	va_end(ap);						\
}

LOGFN(log_warn, "warn", 1, 1)
LOGFN(log_warnx, "warn", 0, 1)
LOGFN(log_info, "info", 0, 1)
LOGFN(log_debug, "debug", 0, log_verbose > 0)

void
fatal(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog("fatal", fmt, ap, 1);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog("fatal", fmt, ap, 0);
	va_end(ap);
	exit(1);
}
