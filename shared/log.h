#ifndef HD_LOG_H
#define HD_LOG_H

#include <stdarg.h>

/*
 * OpenBSD-style logging to stderr (journald/systemd or the demo terminal
 * picks it up). Every line is prefixed with a timestamp and the process
 * name set by log_init().
 */
void	log_init(const char *procname, int verbose);
void	log_setverbose(int);
void	log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));
void	fatal(const char *, ...)
	    __attribute__((format(printf, 1, 2), noreturn));
void	fatalx(const char *, ...)
	    __attribute__((format(printf, 1, 2), noreturn));

/*
 * A process may see its own lines (the master's log tail): `fn` gets the
 * level ("warn", "info", "debug", "fatal") and the text without time or
 * process name, valid during the call only. One hook per process; NULL
 * removes it. Lines logged from inside the hook do not reach it.
 */
typedef void	log_hook_fn(const char *level, const char *text, void *arg);
void	log_sethook(log_hook_fn *, void *);

#endif
