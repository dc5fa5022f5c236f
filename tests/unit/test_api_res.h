#ifndef HD_TEST_API_RES_H
#define HD_TEST_API_RES_H

/* What the two files of test_api_res share (test_api_res.c,
 * test_api_res_auth.c). */

#include <stdint.h>

#include "../../master/api/api_res.h"

/* A user of the test, its session once logged in. */
struct who {
	const char	*name, *pw;
	char		 sess[SESSION_TOKEN_HEX + 1];
	char		 csrf[SESSION_TOKEN_HEX + 1];
	const char	*bearer;
};

/* test_api_res.c */
extern struct who	admin, bob, vic;
extern const uint8_t	addr[16];	/* the callers' address */
extern char		body[API_MAX_RESPONSE + 1];	/* the last answer */
extern char		cookie[SESSION_TOKEN_HEX + 1];	/* its session */
extern char		dir[];		/* the master's state folder */
extern struct master	m;
extern uint64_t		now;
/* One call as `w` (NULL: nobody); the answer's body lands in `body`. */
int		 call(struct who *w, const char *method, const char *path,
		    const char *query, const char *json, int with_csrf);
int		 get(struct who *, const char *path);
int		 post(struct who *, const char *path, const char *json);
void		 login(struct who *);
/* 1 if `body` holds `s`. */
int		 has(const char *s);

/* test_api_res_auth.c */
void		 test_tokens(void);
void		 test_client_cert(void);
void		 test_users(void);
void		 test_password(void);

#endif
