#ifndef HD_API_H
#define HD_API_H

/*
 * The master's side of the JSON API: the web process forwards each call
 * it cannot answer itself as an ApiRequest (proto/web.proto), and this
 * module answers it with the users, sessions and throttling tables, which
 * never leave the master. Times are monotonic ms from the caller.
 */

#include <stdint.h>

#include "users.h"
#include "web.pb-c.h"

#define API_MAX_RESPONSE	4096	/* bytes of one JSON answer */
#define API_COOKIE		"__Host-hd_session"

enum api_op {
	API_LOGIN = 1,		/* POST /api/v1/login */
	API_LOGOUT = 2,		/* POST /api/v1/logout */
	API_LOGOUT_ALL = 3,	/* POST /api/v1/logout-all */
	API_SESSION = 4,	/* GET /api/v1/session */
	API_NOPS
};

struct api;

/* The users in `users_path` (absent: none yet). NULL if unreadable. */
struct api	*api_new(const char *users_path, const struct scrypt_params *);
void		 api_free(struct api *);
/* Fill `resp` for `req`; resp's body points into the api, valid until
 * the next call. The request's fields were checked by the caller.
 * Returns 1 for a failed login (it feeds the address's ban score). */
int		 api_handle(struct api *, const Hd__ApiRequest *,
		    Hd__ApiResponse *, uint64_t now);

#endif
