/*
 * hd-useradd STATE_DIR NAME ROLE PASSWORD: add a user of any role to a
 * master's users file, for integration tests that need more than the
 * first admin (hd-master -U) before the API can manage users. Real
 * scrypt parameters, the same file the master reads.
 */

#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "../../master/auth/users.h"

int
main(int argc, char *argv[])
{
	struct users	*u;
	enum user_role	 role;
	char		 path[PATH_MAX], err[128];
	int		 r = 1;

	if (argc != 5) {
		fprintf(stderr, "usage: hd-useradd state-dir name "
		    "admin|user|viewer password\n");
		return 2;
	}
	log_init("hd-useradd", 0);
	if (strcmp(argv[3], "admin") == 0)
		role = UROLE_ADMIN;
	else if (strcmp(argv[3], "user") == 0)
		role = UROLE_USER;
	else if (strcmp(argv[3], "viewer") == 0)
		role = UROLE_VIEWER;
	else {
		fprintf(stderr, "hd-useradd: no role %s\n", argv[3]);
		return 2;
	}
	snprintf(path, sizeof(path), "%s/%s", argv[1], USERS_FILE);
	if ((u = users_new(path, NULL)) == NULL || users_load(u) == -1)
		fprintf(stderr, "hd-useradd: %s: cannot read\n", path);
	else if (users_add(u, argv[2], role, argv[4], (uint64_t)time(NULL) *
	    1000, err, sizeof(err)) == -1)
		fprintf(stderr, "hd-useradd: %s: %s\n", argv[2], err);
	else if (users_save(u) == 0)
		r = 0;
	users_free(u);
	return r;
}
