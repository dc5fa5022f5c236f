/*
 * The API's users: roles, grants per site and device, scrypt password
 * hashes, kept in a bounded table and saved crash-safely as a UserList
 * (proto/master.proto) under the state-dir.
 */

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/rand.h>

#include "atomicfile.h"
#include "log.h"
#include "master.pb-c.h"
#include "auth/users.h"
#include "wire.h"

const struct scrypt_params users_scrypt_production = {
	SCRYPT_N, SCRYPT_R, SCRYPT_P
};

struct users {
	char			 path[PATH_MAX];
	struct scrypt_params	 params;	/* for new hashes */
	TAILQ_HEAD(, user)	 list;
	int			 n;
	struct pw_hash		 dummy;		/* checked for unknown names */
};

static int
params_ok(const struct scrypt_params *sp)
{
	return sp->n >= 2 && sp->n <= SCRYPT_MAX_N && (sp->n & (sp->n - 1)) ==
	    0 && sp->r >= 1 && sp->r <= SCRYPT_MAX_R && sp->p >= 1 &&
	    sp->p <= SCRYPT_MAX_P;
}

static int
scrypt(const char *password, const uint8_t *salt,
    const struct scrypt_params *sp, uint8_t *key)
{
	EVP_PKEY_CTX	*ctx;
	size_t		 keylen = SCRYPT_KEY_LEN;
	int		 ok;

	if (!params_ok(sp) || strlen(password) > PASSWORD_MAX ||
	    (ctx = EVP_PKEY_CTX_new_id(EVP_PKEY_SCRYPT, NULL)) == NULL)
		return -1;
	ok = EVP_PKEY_derive_init(ctx) > 0 &&
	    EVP_PKEY_CTX_set1_pbe_pass(ctx, password,
	    (int)strlen(password)) > 0 &&
	    EVP_PKEY_CTX_set1_scrypt_salt(ctx, salt, SCRYPT_SALT_LEN) > 0 &&
	    EVP_PKEY_CTX_set_scrypt_N(ctx, sp->n) > 0 &&
	    EVP_PKEY_CTX_set_scrypt_r(ctx, sp->r) > 0 &&
	    EVP_PKEY_CTX_set_scrypt_p(ctx, sp->p) > 0 &&
	    EVP_PKEY_CTX_set_scrypt_maxmem_bytes(ctx, SCRYPT_MAX_MEM) > 0 &&
	    EVP_PKEY_derive(ctx, key, &keylen) > 0 && keylen == SCRYPT_KEY_LEN;
	EVP_PKEY_CTX_free(ctx);
	return ok ? 0 : -1;
}

static int
pw_make(struct pw_hash *h, const char *password,
    const struct scrypt_params *sp)
{
	h->params = *sp;
	if (RAND_bytes(h->salt, sizeof(h->salt)) != 1)
		return -1;
	return scrypt(password, h->salt, sp, h->key);
}

/* Constant-time in the key; the cost is that of the stored parameters. */
static int
pw_check(const struct pw_hash *h, const char *password)
{
	uint8_t	key[SCRYPT_KEY_LEN];
	int	ok;

	if (scrypt(password, h->salt, &h->params, key) == -1)
		return 0;
	ok = CRYPTO_memcmp(key, h->key, sizeof(key)) == 0;
	OPENSSL_cleanse(key, sizeof(key));
	return ok;
}

struct users *
users_new(const char *path, const struct scrypt_params *sp)
{
	struct users *u;

	if (sp == NULL)
		sp = &users_scrypt_production;
	if (!params_ok(sp) || (u = calloc(1, sizeof(*u))) == NULL)
		return NULL;
	if (snprintf(u->path, sizeof(u->path), "%s", path) >=
	    (int)sizeof(u->path) || pw_make(&u->dummy, "-", sp) == -1) {
		free(u);
		return NULL;
	}
	u->params = *sp;
	TAILQ_INIT(&u->list);
	return u;
}

static void
user_free(struct user *usr)
{
	OPENSSL_cleanse(&usr->pw, sizeof(usr->pw));
	free(usr);
}

void
users_free(struct users *u)
{
	struct user *usr;

	if (u == NULL)
		return;
	while ((usr = TAILQ_FIRST(&u->list)) != NULL) {
		TAILQ_REMOVE(&u->list, usr, entry);
		user_free(usr);
	}
	free(u);
}

int
users_count(const struct users *u)
{
	return u->n;
}

struct user *
users_find(struct users *u, const char *name)
{
	struct user *usr;

	TAILQ_FOREACH(usr, &u->list, entry)
		if (strcmp(usr->name, name) == 0)
			return usr;
	return NULL;
}

struct user *
users_next(struct users *u, struct user *usr)
{
	return usr == NULL ? TAILQ_FIRST(&u->list) : TAILQ_NEXT(usr, entry);
}

int
users_name_ok(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n > USER_NAME_MAX || !((s[0] >= 'a' && s[0] <= 'z') ||
	    (s[0] >= '0' && s[0] <= '9')))
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' &&
		    s[i] <= '9') || s[i] == '.' || s[i] == '_' || s[i] == '-'))
			return 0;
	return 1;
}

const char *
users_role_name(enum user_role r)
{
	switch (r) {
	case UROLE_ADMIN:
		return "admin";
	case UROLE_USER:
		return "user";
	case UROLE_VIEWER:
		return "viewer";
	default:
		return "none";
	}
}

static int
password_ok(const char *pw, char *err, size_t errlen)
{
	size_t n = strlen(pw);

	if (n < PASSWORD_MIN || n > PASSWORD_MAX) {
		snprintf(err, errlen, "a password has %d to %d bytes",
		    PASSWORD_MIN, PASSWORD_MAX);
		return 0;
	}
	return 1;
}

int
users_add_ok(struct users *u, const char *name, enum user_role role,
    char *err, size_t errlen)
{
	if (!users_name_ok(name)) {
		snprintf(err, errlen, "a user name has 1 to %d of a-z 0-9 . _ -",
		    USER_NAME_MAX);
		return -1;
	}
	if (role < UROLE_ADMIN || role > UROLE_VIEWER) {
		snprintf(err, errlen, "no such role");
		return -1;
	}
	if (users_find(u, name) != NULL || u->n >= USERS_MAX) {
		snprintf(err, errlen, u->n >= USERS_MAX ? "too many users" :
		    "user exists");
		return -1;
	}
	return 0;
}

int
users_add(struct users *u, const char *name, enum user_role role,
    const char *password, uint64_t now, char *err, size_t errlen)
{
	struct pw_hash	h;
	int		r;

	if (users_add_ok(u, name, role, err, errlen) == -1 ||
	    !password_ok(password, err, errlen))
		return -1;
	if (pw_make(&h, password, &u->params) == -1) {
		snprintf(err, errlen, "out of memory or randomness");
		return -1;
	}
	r = users_add_hashed(u, name, role, &h, now, err, errlen);
	OPENSSL_cleanse(&h, sizeof(h));
	return r;
}

int
users_add_hashed(struct users *u, const char *name, enum user_role role,
    const struct pw_hash *h, uint64_t now, char *err, size_t errlen)
{
	struct user *usr;

	if (users_add_ok(u, name, role, err, errlen) == -1)
		return -1;
	if ((usr = calloc(1, sizeof(*usr))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	usr->pw = *h;
	snprintf(usr->name, sizeof(usr->name), "%s", name);
	usr->role = role;
	usr->created_ms = now;
	TAILQ_INSERT_TAIL(&u->list, usr, entry);
	u->n++;
	return 0;
}

int
users_delete(struct users *u, const char *name)
{
	struct user *usr;

	if ((usr = users_find(u, name)) == NULL)
		return -1;
	TAILQ_REMOVE(&u->list, usr, entry);
	u->n--;
	user_free(usr);
	return 0;
}

int
users_set_password(struct users *u, struct user *usr, const char *password,
    char *err, size_t errlen)
{
	struct pw_hash h;

	if (!password_ok(password, err, errlen))
		return -1;
	if (pw_make(&h, password, &u->params) == -1) {
		snprintf(err, errlen, "hashing failed");
		return -1;
	}
	usr->pw = h;
	OPENSSL_cleanse(&h, sizeof(h));
	return 0;
}

/* A grant of the same site and device is replaced. */
int
users_grant(struct user *usr, const char *site, const char *device,
    enum user_access a)
{
	struct user_grant	*g = NULL;
	int			 i;

	if (strlen(site) == 0 || strlen(site) > SITE_NAME_MAX ||
	    strlen(device) > DEVICE_ID_MAX || (a != ACCESS_VIEW &&
	    a != ACCESS_CONTROL))
		return -1;
	for (i = 0; i < usr->ngrants && g == NULL; i++)
		if (strcmp(usr->grants[i].site, site) == 0 &&
		    strcmp(usr->grants[i].device, device) == 0)
			g = &usr->grants[i];
	if (g == NULL) {
		if (usr->ngrants >= USER_MAX_GRANTS)
			return -1;
		g = &usr->grants[usr->ngrants++];
	}
	snprintf(g->site, sizeof(g->site), "%s", site);
	snprintf(g->device, sizeof(g->device), "%s", device);
	g->access = a;
	return 0;
}

/*
 * Admins may do anything; viewers never control. Otherwise the widest
 * grant covering the site (or "*") and the device (or all of the site)
 * decides. device NULL asks about the site itself (listing it).
 */
int
users_may(const struct user *usr, const char *site, const char *device,
    enum user_access a)
{
	const struct user_grant	*g;
	int			 i;

	if (usr->role == UROLE_ADMIN)
		return 1;
	if (usr->role != UROLE_USER && usr->role != UROLE_VIEWER)
		return 0;
	if (usr->role == UROLE_VIEWER && a != ACCESS_VIEW)
		return 0;
	for (i = 0; i < usr->ngrants; i++) {
		g = &usr->grants[i];
		if (strcmp(g->site, "*") != 0 && strcmp(g->site, site) != 0)
			continue;
		if (device != NULL && g->device[0] != '\0' &&
		    strcmp(g->device, device) != 0)
			continue;
		if (g->access >= a)
			return 1;
	}
	return 0;
}

struct user *
users_login(struct users *u, const char *name, const char *password)
{
	struct user *usr = users_find(u, name);

	if (usr == NULL) {
		pw_check(&u->dummy, password);	/* the same cost */
		return NULL;
	}
	return pw_check(&usr->pw, password) ? usr : NULL;
}

int
users_scrypt(const char *password, const uint8_t *salt,
    const struct scrypt_params *sp, uint8_t *key)
{
	return scrypt(password, salt, sp, key);
}

const struct pw_hash *
users_login_hash(struct users *u, const char *name)
{
	struct user *usr = users_find(u, name);

	return usr != NULL ? &usr->pw : &u->dummy;	/* the same cost */
}

int
users_password_ok(const char *password, char *err, size_t errlen)
{
	return password_ok(password, err, errlen) ? 0 : -1;
}

int
users_new_salt(const struct users *u, struct pw_hash *h)
{
	memset(h, 0, sizeof(*h));
	h->params = u->params;
	return RAND_bytes(h->salt, sizeof(h->salt)) == 1 ? 0 : -1;
}

int
users_key_ok(const struct pw_hash *h, const uint8_t *key)
{
	return CRYPTO_memcmp(h->key, key, SCRYPT_KEY_LEN) == 0;
}

int
users_gen_password(char *buf, size_t size)
{
	/* 32 symbols without look-alikes (0/O, 1/l/I): 5 bits each. */
	static const char	alpha[] = "abcdefghijkmnpqrstuvwxyz23456789";
	uint8_t			r[USER_PASSWORD_GEN];
	size_t			i;

	if (size <= USER_PASSWORD_GEN || RAND_bytes(r, sizeof(r)) != 1)
		return -1;
	for (i = 0; i < USER_PASSWORD_GEN; i++)
		buf[i] = alpha[r[i] % (sizeof(alpha) - 1)];
	buf[i] = '\0';
	OPENSSL_cleanse(r, sizeof(r));
	return 0;
}

/* Persistence: the table as a UserList, mode 0600, written atomically. */

static int
user_pack(const struct user *usr, Hd__User *m, Hd__PasswordHash *pw,
    Hd__Grant *g, Hd__Grant **gp)
{
	int i;

	hd__user__init(m);
	hd__password_hash__init(pw);
	m->name = (char *)(uintptr_t)usr->name;
	m->role = usr->role;
	m->created_ms = usr->created_ms;
	pw->salt.data = (uint8_t *)(uintptr_t)usr->pw.salt;
	pw->salt.len = SCRYPT_SALT_LEN;
	pw->hash.data = (uint8_t *)(uintptr_t)usr->pw.key;
	pw->hash.len = SCRYPT_KEY_LEN;
	pw->n = usr->pw.params.n;
	pw->r = usr->pw.params.r;
	pw->p = usr->pw.params.p;
	m->password = pw;
	for (i = 0; i < usr->ngrants; i++) {
		hd__grant__init(&g[i]);
		g[i].site = (char *)(uintptr_t)usr->grants[i].site;
		g[i].device = (char *)(uintptr_t)usr->grants[i].device;
		g[i].access = usr->grants[i].access;
		gp[i] = &g[i];
	}
	m->n_grants = (size_t)usr->ngrants;
	m->grants = gp;
	return 0;
}

int
users_save(const struct users *u)
{
	Hd__UserList		  list = HD__USER_LIST__INIT;
	Hd__User		 *m, **mp;
	Hd__PasswordHash	 *pw;
	Hd__Grant		 *g, **gp;
	const struct user	 *usr;
	int			  i = 0, r = -1;
	size_t			  n = (size_t)u->n + 1;

	m = calloc(n, sizeof(*m));
	mp = calloc(n, sizeof(*mp));
	pw = calloc(n, sizeof(*pw));
	g = calloc(n * USER_MAX_GRANTS, sizeof(*g));
	gp = calloc(n * USER_MAX_GRANTS, sizeof(*gp));
	if (m == NULL || mp == NULL || pw == NULL || g == NULL || gp == NULL)
		goto done;
	TAILQ_FOREACH(usr, &u->list, entry) {
		user_pack(usr, &m[i], &pw[i], g + i * USER_MAX_GRANTS,
		    gp + i * USER_MAX_GRANTS);
		mp[i] = &m[i];
		i++;
	}
	list.n_users = (size_t)i;
	list.users = mp;
	state_format_set(&list.base);
	if ((r = state_save(u->path, &list.base)) == -1)
		log_warn("%s", u->path);
done:
	free(gp);
	free(g);
	if (pw != NULL)
		OPENSSL_cleanse(pw, n * sizeof(*pw));
	free(pw);
	free(mp);
	free(m);
	return r;
}

/* Every field of a stored user re-checked before it is believed. */
static int
user_unpack(struct users *u, const Hd__User *m)
{
	struct user		*usr;
	Hd__PasswordHash	*pw = m->password;
	size_t			 i;

	if (!users_name_ok(m->name) || users_find(u, m->name) != NULL ||
	    m->role < UROLE_ADMIN || m->role > UROLE_VIEWER || pw == NULL ||
	    pw->salt.len != SCRYPT_SALT_LEN || pw->hash.len != SCRYPT_KEY_LEN ||
	    m->n_grants > USER_MAX_GRANTS || u->n >= USERS_MAX ||
	    (usr = calloc(1, sizeof(*usr))) == NULL)
		return -1;
	snprintf(usr->name, sizeof(usr->name), "%s", m->name);
	usr->role = (enum user_role)m->role;
	usr->created_ms = m->created_ms;
	memcpy(usr->pw.salt, pw->salt.data, SCRYPT_SALT_LEN);
	memcpy(usr->pw.key, pw->hash.data, SCRYPT_KEY_LEN);
	usr->pw.params.n = pw->n;
	usr->pw.params.r = pw->r;
	usr->pw.params.p = pw->p;
	for (i = 0; i < m->n_grants; i++)
		if (users_grant(usr, m->grants[i]->site, m->grants[i]->device,
		    (enum user_access)m->grants[i]->access) == -1)
			break;
	if (i < m->n_grants || !params_ok(&usr->pw.params)) {
		user_free(usr);
		return -1;
	}
	TAILQ_INSERT_TAIL(&u->list, usr, entry);
	u->n++;
	return 0;
}

int
users_load(struct users *u)
{
	Hd__UserList	*list;
	size_t		 i;

	if (access(u->path, F_OK) == -1 && errno == ENOENT)
		return 0;
	list = (Hd__UserList *)state_load(u->path, &hd__user_list__descriptor);
	if (list == NULL)
		return -1;
	for (i = 0; i < list->n_users; i++)
		if (user_unpack(u, list->users[i]) == -1) {
			log_warnx("%s: user %zu is not valid", u->path, i);
			wire_free(&list->base);
			return -1;
		}
	wire_free(&list->base);
	return 0;
}

int
users_create_admin(const char *state_dir, const char *name, FILE *out)
{
	struct users	*u;
	char		 path[PATH_MAX], pw[USER_PASSWORD_GEN + 1], err[128];
	int		 r = -1;

	snprintf(path, sizeof(path), "%s/%s", state_dir, USERS_FILE);
	if ((u = users_new(path, NULL)) == NULL || users_load(u) == -1) {
		log_warnx("%s: cannot read the users", path);
		goto done;
	}
	if (users_gen_password(pw, sizeof(pw)) == -1 ||
	    users_add(u, name, UROLE_ADMIN, pw, (uint64_t)time(NULL) * 1000,
	    err, sizeof(err)) == -1) {
		log_warnx("user %s: %s", name, err);
		goto done;
	}
	if (users_save(u) == -1)
		goto done;
	fprintf(out, "admin %s created; password (shown only now): %s\n",
	    name, pw);
	fflush(out);
	r = 0;
done:
	OPENSSL_cleanse(pw, sizeof(pw));
	users_free(u);
	return r;
}
