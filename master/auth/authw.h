#ifndef HD_AUTHW_H
#define HD_AUTHW_H

/*
 * The auth worker: scrypt off the master's event loop (docs/SECURITY.md).
 * A child process, fork+exec'd as "hd-auth -A fd", holds no user, key or
 * file: it turns (password, salt, N, r, p) into a key and answers in the
 * order asked. The master queues at most AUTH_MAX_PENDING hashes; a
 * further one is refused at once (the caller answers 503), so the loop
 * never waits. A worker that dies, stalls past AUTH_TIMEOUT_MS on a hash
 * or on the watchdog's ping (every AUTH_PING_MS while it has no hash to
 * do), or sends a malformed answer fails every pending hash (AUTHW_DOWN)
 * and is restarted with a back-off from AUTH_RESTART_MIN_MS to _MAX_MS.
 */

#include <sys/types.h>
#include <stdint.h>

#include "ev.h"
#include "auth/users.h"

#define AUTH_NICE	10	/* the worker's priority: below the loop's */

struct web_conf;

enum authw_status {
	AUTHW_OK,		/* key holds SCRYPT_KEY_LEN bytes */
	AUTHW_FAILED,		/* the worker could not hash (parameters) */
	AUTHW_DOWN,		/* the worker died or stalled: try later */
	AUTHW_CANCEL,		/* shutting down: free, answer nobody */
};

/* Called exactly once per queued hash, from the loop (now: its
 * monotonic ms); `key` is NULL unless AUTHW_OK, cleansed after. */
typedef void	authw_fn(void *arg, enum authw_status, const uint8_t *key,
		    uint64_t now);

struct authw;

/* Start the worker; conffile (may be NULL) is passed on for the worker's
 * user and chroot. NULL if out of memory. */
struct authw	*authw_start(struct ev_loop *, const char *conffile,
		    int verbose);
/* Kill the worker; pending hashes get AUTHW_CANCEL. NULL is fine. */
void		 authw_stop(struct authw *);
/*
 * Queue scrypt(password, salt, sp): 0 and `fn` is called later, or -1 at
 * once (queue full, worker down or restarting) and `fn` never is. The
 * password is only read during the call; the caller cleanses its copy.
 */
int		 authw_hash(struct authw *, const char *password,
		    const uint8_t *salt, const struct scrypt_params *,
		    authw_fn *fn, void *arg);
int		 authw_pending(const struct authw *);
/* Workers killed because a hash or a ping got no answer in
 * AUTH_TIMEOUT_MS (for /metrics); 0 for NULL. */
uint64_t	 authw_kills(const struct authw *);
/* For tests: the worker's pid (-1 while down or let go), shorter
 * timers. */
pid_t		 authw_pid(const struct authw *);
void		 authw_tune(struct authw *, uint64_t timeout_ms,
		    uint64_t restart_ms);
/* How long an unused worker lives (AUTH_IDLE_MS); the next hash starts
 * a new one. */
void		 authw_idle(struct authw *, uint64_t idle_ms);

/* authw_main.c: the worker itself; never returns. It drops to the web
 * process's user and chroot (lib/webapi.h); the conf may be NULL
 * (tests): then it keeps its user and root. */
void		 authw_main(const struct web_conf *, int fd, int verbose)
		    __attribute__((noreturn));

#endif
