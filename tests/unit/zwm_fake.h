/*
 * The fake master of the master-side Z-Wave unit tests (test_zwm,
 * test_zwm_nvm): a master with its API and the Z-Wave routes, two users
 * (root, an admin; alice, a user), slaves as nodes, and calls to the
 * API as the web process makes them. The cluster link is not linked:
 * each test defines its own cluster_send, recording what it needs of
 * what would be sent; node_get is here.
 */
#ifndef HD_TEST_ZWM_FAKE_H
#define HD_TEST_ZWM_FAKE_H

#include "../../master/api/api.h"
#include "../../master/master.h"

#define ZWF_T0	(100000ULL)	/* the API's clock, in ms */

/* Short names, as each test had them when it held its own copy. */
extern struct master	m;
/* The last call's response body, NUL-terminated; the next call's query. */
extern char		body[API_MAX_RESPONSE + 1];
extern char		query[32];

/* The master, its users and routes, both users logged in (sessions and
 * CSRF tokens of SESSION_TOKEN_HEX + 1 bytes each); 0, or -1 (checked
 * and said). `dir` is a mkdtemp template, kept for zwf_done. */
int	zwf_start(char *dir, char *as, char *ac, char *us, char *uc);
/* Frees every node, the Z-Wave state, the API and the users file. */
void	zwf_done(const char *dir);
/* A slave as the cluster knows it: online or not; `caps` its
 * capability bits. The master's list owns it. */
struct node *zwf_add_node(const char *id, int online, uint32_t caps);
/* An API call as the web process makes it, with `query`: the status;
 * body holds the response. */
int	call(const char *method, const char *path, const char *json,
	    const char *sess, const char *csrf);

#endif
