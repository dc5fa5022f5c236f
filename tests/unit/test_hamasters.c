/* The config's master lines (shared/hamasters.c): what is taken, what is
 * refused and why, and the place of a node in the list. */

#include <stdio.h>
#include <string.h>

#include "check.h"
#include "hamasters.h"

static void
test_add(void)
{
	struct ha_masters	hm;
	char			err[160];

	memset(&hm, 0, sizeof(hm));
	CHECK(ha_masters_add(&hm, "master", "127.0.0.1:7000", err,
	    sizeof(err)) == 0, "a node id and a v4 address");
	CHECK(ha_masters_add(&hm, "sb-1", "[::1]:7001", err,
	    sizeof(err)) == 0, "a v6 address");
	CHECK(hm.n == 2 && strcmp(hm.id[1], "sb-1") == 0 &&
	    strcmp(hm.addr[1], "[::1]:7001") == 0, "kept in order");
	CHECK(ha_masters_find(&hm, "master") == 0 &&
	    ha_masters_find(&hm, "sb-1") == 1 &&
	    ha_masters_find(&hm, "sb") == -1 &&
	    ha_masters_find(&hm, "") == -1, "found by id, only exactly");
	CHECK(ha_masters_add(&hm, "sb-1", "127.0.0.1:1", err,
	    sizeof(err)) == -1 && strstr(err, "named twice") != NULL &&
	    hm.n == 2, "a node named twice is refused");
}

static void
test_refused(void)
{
	struct ha_masters	hm;
	char			err[160], id[NODE_ID_MAX + 2];
	int			i;

	memset(&hm, 0, sizeof(hm));
	CHECK(ha_masters_add(&hm, "Master", "127.0.0.1:1", err,
	    sizeof(err)) == -1 && strstr(err, "not a node id") != NULL,
	    "an upper-case id is refused");
	CHECK(ha_masters_add(&hm, "-m", "127.0.0.1:1", err,
	    sizeof(err)) == -1, "an id starting with '-' is refused");
	CHECK(ha_masters_add(&hm, "", "127.0.0.1:1", err,
	    sizeof(err)) == -1, "an empty id is refused");
	memset(id, 'a', sizeof(id) - 1);
	id[sizeof(id) - 1] = '\0';
	CHECK(ha_masters_add(&hm, id, "127.0.0.1:1", err,
	    sizeof(err)) == -1, "an id one byte too long is refused");
	id[NODE_ID_MAX] = '\0';
	CHECK(ha_masters_add(&hm, id, "127.0.0.1:1", err,
	    sizeof(err)) == 0, "an id of NODE_ID_MAX bytes is taken");
	CHECK(ha_masters_add(&hm, "b", "example.org:1", err,
	    sizeof(err)) == -1 && strstr(err, "not ADDRESS:PORT") != NULL,
	    "a host name is refused (numeric addresses only)");
	CHECK(ha_masters_add(&hm, "b", "127.0.0.1", err,
	    sizeof(err)) == -1, "an address without a port is refused");
	CHECK(hm.n == 1, "nothing refused was kept");
	for (i = 1; i < HA_MAX_MASTERS; i++) {
		snprintf(id, sizeof(id), "n%d", i);
		ha_masters_add(&hm, id, "127.0.0.1:1", err, sizeof(err));
	}
	CHECK(hm.n == HA_MAX_MASTERS && ha_masters_add(&hm, "x",
	    "127.0.0.1:1", err, sizeof(err)) == -1 &&
	    strstr(err, "at most") != NULL && hm.n == HA_MAX_MASTERS,
	    "more than HA_MAX_MASTERS nodes are refused");
}

static void
test_slaves(void)
{
	struct ha_slaves	a, b;
	char			err[160];
	int			i;

	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	CHECK(ha_slaves_add(&a, "house", err, sizeof(err)) == 0 &&
	    ha_slaves_add(&a, "garage", err, sizeof(err)) == 0 &&
	    a.n == 2, "slave lines are taken in order");
	CHECK(ha_slaves_find(&a, "garage") == 1 &&
	    ha_slaves_find(&a, "gar") == -1, "a slave's number is its place");
	CHECK(ha_slaves_add(&a, "house", err, sizeof(err)) == -1 &&
	    strstr(err, "slave house named twice") != NULL && a.n == 2,
	    "a slave named twice is refused");
	CHECK(ha_slaves_add(&a, "House", err, sizeof(err)) == -1 &&
	    strstr(err, "is not a node id") != NULL, "a bad id is refused");
	CHECK(ha_slaves_same(&a, &a, err, sizeof(err)) == 1,
	    "a list is the same as itself");
	ha_slaves_add(&b, "garage", err, sizeof(err));
	ha_slaves_add(&b, "house", err, sizeof(err));
	CHECK(ha_slaves_same(&a, &b, err, sizeof(err)) == 0 &&
	    strcmp(err, "slave line 1 is house here, garage there") == 0,
	    "the same slaves in another order differ");
	b.n = 1;
	snprintf(b.id[0], sizeof(b.id[0]), "house");
	CHECK(ha_slaves_same(&a, &b, err, sizeof(err)) == 0 &&
	    strcmp(err, "2 slave lines here, 1 there") == 0,
	    "a missing slave differs");
	memset(&b, 0, sizeof(b));
	for (i = 0; i < HA_MAX_SLAVES; i++) {
		char id[16];

		snprintf(id, sizeof(id), "s%d", i);
		ha_slaves_add(&b, id, err, sizeof(err));
	}
	CHECK(b.n == HA_MAX_SLAVES && ha_slaves_add(&b, "one-more", err,
	    sizeof(err)) == -1 && strstr(err, "at most") != NULL,
	    "at most HA_MAX_SLAVES voters");
}

int
main(void)
{
	test_add();
	test_refused();
	test_slaves();
	return check_done();
}
