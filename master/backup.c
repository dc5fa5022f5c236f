/*
 * hd-master -f CONF --backup FILE / --restore FILE (backup.h,
 * docs/OPERATIONS.md "Backup and restore"). Both run beside the daemon
 * or without it; neither opens a socket.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/sha.h>

#include "atomicfile.h"
#include "backup.h"
#include "log.h"
#include "master.h"
#include "cluster/statesync.h"
#include "version.h"

/* Reads of a running master's files are retried until no file changed
 * during one pass (each file alone is always whole: atomic_write). */
#define BACKUP_TRIES	5

/* Where entry NAME lives under this configuration (NULL: nowhere). */
static const char *
entry_path(const struct master_conf *c, const char *name, char *buf,
    size_t sz)
{
	if (strcmp(name, "events") == 0)
		return c->events;
	if (strcmp(name, "pki/ca.crt") == 0)
		return c->ca;
	if (strcmp(name, "pki/crl.pem") == 0)
		return c->crl;
	if (strcmp(name, "pki/master.crt") == 0)
		return c->cert;
	if (strcmp(name, "pki/web.crt") == 0)
		return c->web_cert;
	if (strcmp(name, "licence.pem") == 0 && c->licence != NULL)
		return c->licence;
	if (ssync_file_index(name) == -1)
		return NULL;
	if ((size_t)snprintf(buf, sz, "%s/%s", c->state_dir, name) >= sz)
		return NULL;
	return buf;
}

static const char *const pki[] = {
	"events", "pki/ca.crt", "pki/crl.pem", "pki/master.crt", "pki/web.crt"
};
#define NPKI	((int)(sizeof(pki) / sizeof(pki[0])))

/* Every entry name a backup may have, but backup.info; NULL at the end. */
static const char *
entry_name(int i)
{
	const struct ssync_file	*f;

	if (i < NPKI)
		return pki[i];
	return (f = ssync_file(i - NPKI)) != NULL ? f->name : NULL;
}

/* A hash of every entry file's identity and times: changes if any file
 * is replaced or written while we read. */
static void
files_stamp(const struct master_conf *c, uint8_t out[SHA256_DIGEST_LENGTH])
{
	EVP_MD_CTX	*ctx;
	struct stat	 st;
	char		 buf[1024];
	const char	*name, *p;
	int		 i;

	memset(out, 0, SHA256_DIGEST_LENGTH);
	if ((ctx = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1) {
		EVP_MD_CTX_free(ctx);
		return;
	}
	for (i = 0; (name = entry_name(i)) != NULL; i++) {
		memset(&st, 0, sizeof(st));
		if ((p = entry_path(c, name, buf, sizeof(buf))) != NULL)
			(void)stat(p, &st);
		EVP_DigestUpdate(ctx, &st.st_ino, sizeof(st.st_ino));
		EVP_DigestUpdate(ctx, &st.st_size, sizeof(st.st_size));
		EVP_DigestUpdate(ctx, &st.st_mtim, sizeof(st.st_mtim));
		EVP_DigestUpdate(ctx, &st.st_ctim, sizeof(st.st_ctim));
	}
	EVP_DigestFinal_ex(ctx, out, NULL);
	EVP_MD_CTX_free(ctx);
}

/* One pass: every file present into a new backup in *buf: 0 or -1. */
static int
collect(const struct master_conf *c, uint8_t **buf, size_t *len, int *n)
{
	char		 path[1024], info[BACKUP_INFO_MAX];
	const char	*name, *p;
	uint8_t		*d;
	size_t		 dl;
	int		 i, r;

	*n = 0;
	snprintf(info, sizeof(info), "homedaemon-backup 1\nversion %s\n"
	    "build %s\nstate-dir %s\nmade %lld\n", HD_VERSION, hd_build,
	    c->state_dir, (long long)time(NULL));
	if (backup_add(buf, len, "backup.info", (const uint8_t *)info,
	    strlen(info)) == -1)
		return -1;
	for (i = 0; (name = entry_name(i)) != NULL; i++) {
		if ((p = entry_path(c, name, path, sizeof(path))) == NULL)
			continue;
		if (atomic_read_follow(p, backup_limit(name), &d, &dl) == -1) {
			if (errno == ENOENT)
				continue;
			log_warn("backup: %s", p);
			return -1;
		}
		r = backup_add(buf, len, name, d, dl);
		free(d);
		if (r == -1) {
			log_warnx("backup: %s: too large for a backup", p);
			return -1;
		}
		(*n)++;
	}
	return backup_seal(buf, len);
}

int
backup_main(const char *conffile, const char *file)
{
	struct master_conf	 c;
	uint8_t			 s0[SHA256_DIGEST_LENGTH], s1[sizeof(s0)];
	uint8_t			*buf = NULL;
	size_t			 len = 0;
	int			 n = 0, tries, r = 1;

	memset(&c, 0, sizeof(c));
	if (master_conf_load(&c, conffile) == -1)
		return 1;
	for (tries = 0; tries < BACKUP_TRIES; tries++) {
		free(buf);
		buf = NULL;
		len = 0;
		files_stamp(&c, s0);
		if (collect(&c, &buf, &len, &n) == -1)
			goto out;
		files_stamp(&c, s1);
		if (memcmp(s0, s1, sizeof(s0)) == 0)
			break;
	}
	if (tries == BACKUP_TRIES) {
		log_warnx("backup: files kept changing in %d passes; "
		    "try again, or stop the master", BACKUP_TRIES);
		goto out;
	}
	if (atomic_write(file, buf, len, 0600) == -1) {
		log_warn("backup: %s", file);
		goto out;
	}
	printf("%s: %d files, %zu bytes\n", file, n, len);
	r = 0;
out:
	free(buf);
	master_conf_free(&c);
	return r;
}

/*
 * Restore: only onto a state-dir without state files (a new Pi, or a
 * folder the operator emptied), so no live state is ever mixed with a
 * backup's. State files are written as the master writes them (0600),
 * owned by the state-dir's owner (restore may run as root). The events
 * file and the PKI's public parts go where this configuration names
 * them, only where no file is yet: an existing one is the operator's and
 * is kept (said when it differs). No private key is in a backup.
 */
static int
state_dir_empty(const struct master_conf *c)
{
	char		 path[1024];
	const char	*p;
	int		 i;

	for (i = NPKI; entry_name(i) != NULL; i++) {
		p = entry_path(c, entry_name(i), path, sizeof(path));
		if (p != NULL && access(p, F_OK) == 0) {
			log_warnx("restore: %s exists: restore onto a new "
			    "state-dir (or move its files away first)", p);
			return 0;
		}
	}
	return 1;
}

/* Write an entry where no file is; 1 written, 0 kept, -1 failed. */
static int
write_new(const char *p, const struct backup_entry *e, int mode)
{
	uint8_t	*d;
	size_t	 dl;
	int	 same;

	if (atomic_read_follow(p, e->len, &d, &dl) == 0) {
		same = dl == e->len && memcmp(d, e->data, dl) == 0;
		free(d);
		if (!same)
			log_warnx("restore: %s differs from the backup's %s: "
			    "kept", p, e->name);
		return 0;
	}
	if (errno != ENOENT && errno != EFBIG) {
		log_warn("restore: %s", p);
		return -1;
	}
	if (errno == EFBIG) {
		log_warnx("restore: %s differs from the backup's %s: kept",
		    p, e->name);
		return 0;
	}
	return atomic_write(p, e->data, e->len, mode) == -1 ? -1 : 1;
}

static int
restore_entry(const struct master_conf *c, const struct stat *dir,
    const struct backup_entry *e)
{
	char		 path[1024];
	const char	*p;
	int		 state = ssync_file_index(e->name) != -1;

	if (strcmp(e->name, "backup.info") == 0) {
		printf("%.*s", (int)e->len, (const char *)e->data);
		return 0;
	}
	if ((p = entry_path(c, e->name, path, sizeof(path))) == NULL) {
		log_warnx("restore: %s: not in this configuration: skipped",
		    e->name);
		return 0;
	}
	if (!state)
		return write_new(p, e, 0644) == -1 ? -1 : 0;
	if (atomic_write(p, e->data, e->len, 0600) == -1 ||
	    (geteuid() == 0 && chown(p, dir->st_uid, dir->st_gid) == -1)) {
		log_warn("restore: %s", p);
		return -1;
	}
	return 0;
}

int
restore_main(const char *conffile, const char *file)
{
	struct master_conf	 c;
	struct backup		 b;
	struct stat		 dir;
	const char		*why;
	uint8_t			*buf = NULL;
	size_t			 len;
	int			 i, r = 1;

	memset(&c, 0, sizeof(c));
	if (master_conf_load(&c, conffile) == -1)
		return 1;
	if (atomic_read_follow(file, BACKUP_MAX_FILE, &buf, &len) == -1) {
		log_warn("restore: %s", file);
		goto out;
	}
	if (backup_parse(buf, len, &b, &why) == -1) {
		log_warnx("restore: %s: %s", file, why);
		goto out;
	}
	if ((mkdir(c.state_dir, 0700) == -1 && errno != EEXIST) ||
	    stat(c.state_dir, &dir) == -1) {
		log_warn("restore: %s", c.state_dir);
		goto out;
	}
	if (!state_dir_empty(&c))
		goto out;
	for (i = 0; i < b.n; i++)
		if (restore_entry(&c, &dir, &b.e[i]) == -1)
			goto out;
	printf("%s: %d entries restored into %s\n", file, b.n, c.state_dir);
	r = 0;
out:
	free(buf);
	master_conf_free(&c);
	return r;
}
