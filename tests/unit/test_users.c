/* Unit tests for master/auth/users.c: names, roles, grants, scrypt hashes
 * (with cheap parameters, except one check of the production ones), the
 * users file and the first-admin helper. */

#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "atomicfile.h"
#include "master.pb-c.h"
#include "../../master/auth/users.h"

static const struct scrypt_params cheap = { 16, 1, 1 };
static char	dir[] = "/tmp/hd-test-users.XXXXXX", path[128], err[128];

static void
test_production(void)
{
	struct timespec	 a, b;
	struct users	*u;
	FILE		*f;
	char		 line[256];
	int		 documented = 0;

	CHECK(users_scrypt_production.n == 8192 && users_scrypt_production.r == 8 &&
	    users_scrypt_production.p == 1, "production scrypt: N=2^13, r=8, p=1");
	CHECK(128 * users_scrypt_production.n * users_scrypt_production.r ==
	    8 * 1024 * 1024, "production scrypt needs 8 MiB");
	if ((f = fopen("docs/API.md", "r")) != NULL) {
		while (fgets(line, sizeof(line), f) != NULL)
			if (strstr(line, "N = 2^13, r = 8, p = 1") != NULL)
				documented = 1;
		fclose(f);
		CHECK(documented, "docs/API.md states N = 2^13, r = 8, p = 1");
	}
	/* Cost is reported, not asserted: this machine is shared. */
	clock_gettime(CLOCK_MONOTONIC, &a);
	u = users_new(path, NULL);
	clock_gettime(CLOCK_MONOTONIC, &b);
	CHECK(u != NULL, "a table with production parameters");
	printf("# one production hash: %.0f ms here\n",
	    (double)(b.tv_sec - a.tv_sec) * 1e3 +
	    (double)(b.tv_nsec - a.tv_nsec) / 1e6);
	users_free(u);
}

static void
test_add(void)
{
	struct scrypt_params	 bad = { 15, 1, 1 };
	struct users		*u = users_new(path, &cheap);
	char			 name[16];
	int			 i;

	CHECK(users_new(path, &bad) == NULL, "N not a power of two refused");
	if (!CHECK(u != NULL, "users_new"))
		return;
	CHECK(users_add(u, "alice", UROLE_ADMIN, "correct horse", 1, err,
	    sizeof(err)) == 0, "add alice");
	CHECK(users_add(u, "alice", UROLE_USER, "correct horse", 1, err,
	    sizeof(err)) == -1 && strcmp(err, "user exists") == 0,
	    "twice refused: %s", err);
	CHECK(users_add(u, "Bob", UROLE_USER, "correct horse", 1, err,
	    sizeof(err)) == -1, "upper case refused");
	CHECK(users_add(u, "-bob", UROLE_USER, "correct horse", 1, err,
	    sizeof(err)) == -1, "leading dash refused");
	CHECK(users_add(u, "b b", UROLE_USER, "correct horse", 1, err,
	    sizeof(err)) == -1, "space refused");
	CHECK(users_add(u, "", UROLE_USER, "correct horse", 1, err,
	    sizeof(err)) == -1, "empty refused");
	CHECK(users_add(u, "bob", UROLE_USER, "short", 1, err,
	    sizeof(err)) == -1, "short password refused: %s", err);
	CHECK(users_add(u, "bob", 7, "correct horse", 1, err,
	    sizeof(err)) == -1, "unknown role refused");
	CHECK(users_add(u, "0123456789abcdef0123456789abcdef", UROLE_VIEWER,
	    "correct horse", 1, err, sizeof(err)) == 0, "32-byte name");
	CHECK(users_add(u, "0123456789abcdef0123456789abcdef0", UROLE_VIEWER,
	    "correct horse", 1, err, sizeof(err)) == -1, "33-byte name refused");
	for (i = users_count(u); i < USERS_MAX; i++) {
		snprintf(name, sizeof(name), "u%d", i);
		users_add(u, name, UROLE_VIEWER, "correct horse", 1, err,
		    sizeof(err));
	}
	CHECK(users_count(u) == USERS_MAX, "table filled to %d", USERS_MAX);
	CHECK(users_add(u, "one.more", UROLE_VIEWER, "correct horse", 1, err,
	    sizeof(err)) == -1 && strcmp(err, "too many users") == 0,
	    "one more refused");
	CHECK(users_delete(u, "u5") == 0 && users_find(u, "u5") == NULL &&
	    users_count(u) == USERS_MAX - 1, "delete");
	CHECK(users_delete(u, "u5") == -1, "delete twice: -1");
	users_free(u);
}

static void
test_login(void)
{
	struct scrypt_params	 other = { 32, 2, 1 };
	struct users		*u = users_new(path, &cheap), *u2;
	struct user		*a, *b;

	users_add(u, "alice", UROLE_USER, "correct horse", 1, err, sizeof(err));
	users_add(u, "bob", UROLE_USER, "correct horse", 1, err, sizeof(err));
	a = users_find(u, "alice");
	b = users_find(u, "bob");
	CHECK(a != NULL && users_login(u, "alice", "correct horse") == a,
	    "right password");
	CHECK(users_login(u, "alice", "correct horsE") == NULL,
	    "wrong password");
	CHECK(users_login(u, "alice", "") == NULL, "empty password");
	CHECK(users_login(u, "carol", "correct horse") == NULL,
	    "unknown user");
	CHECK(memcmp(a->pw.salt, b->pw.salt, SCRYPT_SALT_LEN) != 0 &&
	    memcmp(a->pw.key, b->pw.key, SCRYPT_KEY_LEN) != 0,
	    "same password, different salt and hash");
	CHECK(users_set_password(u, a, "battery staple", err,
	    sizeof(err)) == 0 && users_login(u, "alice", "battery staple") == a &&
	    users_login(u, "alice", "correct horse") == NULL, "new password");
	CHECK(users_set_password(u, a, "x", err, sizeof(err)) == -1,
	    "too short a new password refused");
	CHECK(users_save(u) == 0, "saved");
	/* Raised parameters: old hashes keep theirs and still check. */
	u2 = users_new(path, &other);
	CHECK(u2 != NULL && users_load(u2) == 0 &&
	    users_login(u2, "bob", "correct horse") != NULL,
	    "a hash keeps its own parameters");
	users_free(u2);
	users_free(u);
}

static void
test_grants(void)
{
	struct users	*u = users_new(path, &cheap);
	struct user	*adm, *usr, *view;

	users_add(u, "adm", UROLE_ADMIN, "correct horse", 1, err, sizeof(err));
	users_add(u, "usr", UROLE_USER, "correct horse", 1, err, sizeof(err));
	users_add(u, "view", UROLE_VIEWER, "correct horse", 1, err,
	    sizeof(err));
	adm = users_find(u, "adm");
	usr = users_find(u, "usr");
	view = users_find(u, "view");
	CHECK(users_may(adm, "any", "thing", ACCESS_CONTROL), "admin: all");
	CHECK(!users_may(usr, "home", NULL, ACCESS_VIEW),
	    "no grant: nothing");
	CHECK(users_grant(usr, "home", "", ACCESS_CONTROL) == 0 &&
	    users_grant(usr, "barn", "pump", ACCESS_CONTROL) == 0 &&
	    users_grant(usr, "barn", "", ACCESS_VIEW) == 0, "grants");
	CHECK(users_may(usr, "home", "lamp", ACCESS_CONTROL) &&
	    users_may(usr, "home", NULL, ACCESS_VIEW), "whole site");
	CHECK(users_may(usr, "barn", "pump", ACCESS_CONTROL) &&
	    !users_may(usr, "barn", "door", ACCESS_CONTROL) &&
	    users_may(usr, "barn", "door", ACCESS_VIEW), "one device");
	CHECK(!users_may(usr, "cabin", NULL, ACCESS_VIEW) &&
	    !users_may(usr, "cabin", "lamp", ACCESS_VIEW), "other site: no");
	CHECK(users_grant(usr, "barn", "pump", ACCESS_VIEW) == 0 &&
	    usr->ngrants == 3 && !users_may(usr, "barn", "pump",
	    ACCESS_CONTROL), "a grant is replaced, not added");
	CHECK(users_grant(view, "*", "", ACCESS_CONTROL) == 0 &&
	    users_may(view, "cabin", "lamp", ACCESS_VIEW) &&
	    !users_may(view, "cabin", "lamp", ACCESS_CONTROL),
	    "a viewer never controls, whatever its grants");
	CHECK(users_grant(usr, "", "", ACCESS_VIEW) == -1 &&
	    users_grant(usr, "x", "", 9) == -1, "bad grants refused");
	users_free(u);
}

static void
test_file(void)
{
	Hd__UserList		 list = HD__USER_LIST__INIT;
	Hd__User		 m = HD__USER__INIT, *mp = &m;
	Hd__PasswordHash	 pw = HD__PASSWORD_HASH__INIT;
	uint8_t			 salt[SCRYPT_SALT_LEN] = { 0 };
	uint8_t			 key[SCRYPT_KEY_LEN] = { 0 };
	struct users		*u = users_new(path, &cheap);
	struct user		*usr;
	struct stat		 st;

	unlink(path);
	CHECK(users_load(u) == 0 && users_count(u) == 0, "no file: empty");
	users_add(u, "alice", UROLE_VIEWER, "correct horse", 42, err,
	    sizeof(err));
	users_grant(users_find(u, "alice"), "home", "lamp", ACCESS_VIEW);
	CHECK(users_save(u) == 0 && stat(path, &st) == 0 &&
	    (st.st_mode & 0777) == 0600, "saved with mode 0600");
	users_free(u);
	u = users_new(path, &cheap);
	CHECK(users_load(u) == 0 && (usr = users_find(u, "alice")) != NULL &&
	    usr->role == UROLE_VIEWER && usr->created_ms == 42 &&
	    usr->ngrants == 1 && strcmp(usr->grants[0].device, "lamp") == 0 &&
	    users_login(u, "alice", "correct horse") == usr, "loaded back");
	users_free(u);

	m.name = "mallory";
	m.role = UROLE_ADMIN;
	m.password = &pw;
	pw.salt.data = salt;
	pw.salt.len = sizeof(salt);
	pw.hash.data = key;
	pw.hash.len = sizeof(key);
	pw.n = 1ULL << 30;		/* 128 GiB per check */
	pw.r = 8;
	pw.p = 1;
	list.n_users = 1;
	list.users = &mp;
	state_format_set(&list.base);
	state_save(path, &list.base);
	u = users_new(path, &cheap);
	CHECK(users_load(u) == -1, "absurd stored scrypt parameters refused");
	users_free(u);
	pw.n = 16;
	m.role = 9;
	state_save(path, &list.base);
	u = users_new(path, &cheap);
	CHECK(users_load(u) == -1, "an unknown stored role refused");
	users_free(u);
	atomic_write(path, "\xff\xff\xff", 3, 0600);
	u = users_new(path, &cheap);
	CHECK(users_load(u) == -1, "a corrupt file refused");
	users_free(u);
}

static void
test_generated(void)
{
	char		 a[USER_PASSWORD_GEN + 1], b[USER_PASSWORD_GEN + 1];
	char		 line[128], *pw;
	struct users	*u;
	FILE		*out = tmpfile();

	CHECK(users_gen_password(a, sizeof(a)) == 0 &&
	    users_gen_password(b, sizeof(b)) == 0 &&
	    strlen(a) == USER_PASSWORD_GEN && strcmp(a, b) != 0,
	    "generated passwords: %d characters, different",
	    USER_PASSWORD_GEN);
	CHECK(strspn(a, "abcdefghijkmnpqrstuvwxyz23456789") == strlen(a),
	    "from the unambiguous alphabet");
	CHECK(users_gen_password(a, USER_PASSWORD_GEN) == -1,
	    "too small a buffer refused");
	unlink(path);
	CHECK(out != NULL && users_create_admin(dir, "root", out) == 0,
	    "first admin created");
	CHECK(users_create_admin(dir, "root", out) == -1, "not twice");
	rewind(out);
	if (fgets(line, sizeof(line), out) == NULL)
		line[0] = '\0';
	fclose(out);
	line[strcspn(line, "\n")] = '\0';
	pw = strrchr(line, ' ');
	u = users_new(path, &cheap);
	CHECK(pw != NULL && strlen(pw + 1) == USER_PASSWORD_GEN &&
	    users_load(u) == 0 && users_login(u, "root", pw + 1) != NULL,
	    "the printed password logs in");
	users_free(u);
	u = users_new(path, &cheap);
	CHECK(users_load(u) == 0 && users_count(u) == 1 &&
	    users_find(u, "root")->role == UROLE_ADMIN &&
	    users_find(u, "root")->pw.params.n == SCRYPT_N,
	    "stored as an admin with the production parameters");
	users_free(u);
}

int
main(void)
{
	if (!CHECK(mkdtemp(dir) != NULL, "temporary folder"))
		return check_done();
	snprintf(path, sizeof(path), "%s/%s", dir, USERS_FILE);
	test_production();
	test_add();
	test_login();
	test_grants();
	test_file();
	test_generated();
	unlink(path);
	rmdir(dir);
	return check_done();
}
