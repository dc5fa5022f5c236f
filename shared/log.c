#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"

static const char	*log_procname = "homedaemon";
static int		 log_verbose;

void
log_init(const char *procname, int verbose)
{
	log_procname = procname;
	log_verbose = verbose;
	/* Line-buffered so lines from several processes do not interleave. */
	setvbuf(stderr, NULL, _IOLBF, 0);
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
