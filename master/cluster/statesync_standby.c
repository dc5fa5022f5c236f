/*
 * State replication, the standby's side (statesync.h), and the list of
 * files replicated. Everything here comes from the master over the
 * cluster link: a name is looked up in the list (never used as a path),
 * a size is checked against that file's limit before anything is
 * allocated, pieces must follow in order, and the whole must match the
 * announced SHA-256 before it replaces the file.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include "atomicfile.h"
#include "log.h"
#include "version.h"
#include "cluster/statesync.h"

/*
 * The state-dir's files, each with the limit its reader applies. The
 * names are the ones the modules define (USERS_FILE, TOKENS_FILE,
 * HISTORY_FILE, LICENCE_*_FILE, SCHED_LAST_GOOD, ...): test_statesync
 * checks they agree. Not here: web-root (the web process's chroot) and
 * the files of the election (ElectState, the log), which each node keeps
 * for itself.
 */
static const struct ssync_file files[] = {
	{ "users",		STATE_MAX_FILE },	/* users and grants */
	{ "tokens",		STATE_MAX_FILE },	/* app tokens */
	{ "sessions",		STATE_MAX_FILE },	/* logged-in sessions */
	{ "sched.state",	SCHED_STATE_MAX_FILE },
	{ "events.last-good",	SCHED_MAX_FILE },
	{ "bans",		STATE_MAX_FILE },
	{ "history",		HISTORY_FILE_MAX },
	{ "master.state",	STATE_MAX_FILE },	/* term, command ids */
	{ "licence.pem",	LICENCE_MAX_FILE },
	{ "licence.slaves",	STATE_MAX_FILE },
	{ "licence-crl.pem",	LICENCE_CRL_MAX_FILE },
	{ "licence.grace",	LICENCE_GRACE_MAX_FILE },
};
#define NFILES	((int)(sizeof(files) / sizeof(files[0])))

_Static_assert(NFILES <= SSYNC_MAX_FILES, "SSYNC_MAX_FILES");
_Static_assert(SSYNC_CHUNK + 1024 <= WIRE_MAX_FRAME, "a chunk fits a frame");

int
ssync_nfiles(void)
{
	return NFILES;
}

const struct ssync_file *
ssync_file(int i)
{
	return i >= 0 && i < NFILES ? &files[i] : NULL;
}

int
ssync_file_index(const char *name)
{
	int	i;

	if (name == NULL)
		return -1;
	for (i = 0; i < NFILES; i++)
		if (strcmp(files[i].name, name) == 0)
			return i;
	return -1;
}

struct ssync_sb {
	char		 dir[512];
	int		 file;		/* in progress; -1: none */
	uint64_t	 version;
	uint64_t	 size;
	size_t		 off;
	int		 absent;
	uint8_t		*buf;
	uint8_t		 sha[SHA256_DIGEST_LENGTH];
	int		 synced;
	uint32_t	 applied;
	struct ssync_ops ops;
};

struct ssync_sb *
ssync_sb_new(const char *state_dir)
{
	struct ssync_sb	*sb;
	int		 n;

	if ((sb = calloc(1, sizeof(*sb))) == NULL)
		return NULL;
	n = snprintf(sb->dir, sizeof(sb->dir), "%s", state_dir);
	if (n < 0 || (size_t)n >= sizeof(sb->dir)) {
		free(sb);
		errno = ENAMETOOLONG;
		return NULL;
	}
	sb->file = -1;
	return sb;
}

static void
partial_drop(struct ssync_sb *sb)
{
	free(sb->buf);
	sb->buf = NULL;
	sb->file = -1;
	sb->off = 0;
}

void
ssync_sb_free(struct ssync_sb *sb)
{
	if (sb == NULL)
		return;
	partial_drop(sb);
	free(sb);
}

static void
path_of(const struct ssync_sb *sb, int f, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s", sb->dir, files[f].name);
}

/* The hash of every state file held here, an empty one for a file it
 * does not have (a file it cannot read is left out: the master sends
 * it whatever it is). */
int
ssync_sb_hello(struct ssync_sb *sb, const struct ssync_ops *ops)
{
	Hd__Envelope	 env = HD__ENVELOPE__INIT;
	Hd__StateHello	 h = HD__STATE_HELLO__INIT;
	Hd__StateHave	 have[NFILES], *hp[NFILES];
	uint8_t		 sha[NFILES][SHA256_DIGEST_LENGTH], *buf;
	char		 path[600];
	size_t		 len;
	int		 i;

	partial_drop(sb);
	sb->synced = 0;
	sb->ops = *ops;
	for (i = 0; i < NFILES; i++) {
		path_of(sb, i, path, sizeof(path));
		hd__state_have__init(&have[h.n_files]);
		if (atomic_read(path, files[i].max, &buf, &len) == 0) {
			SHA256(buf, len, sha[i]);
			free(buf);
			have[h.n_files].sha256.data = sha[i];
			have[h.n_files].sha256.len = SHA256_DIGEST_LENGTH;
		} else if (errno != ENOENT)
			continue;
		have[h.n_files].name = (char *)(uintptr_t)files[i].name;
		hp[h.n_files] = &have[h.n_files];
		h.n_files++;
	}
	h.files = hp;
	env.body_case = HD__ENVELOPE__BODY_STATE_HELLO;
	env.state_hello = &h;
	return sb->ops.send(sb->ops.arg, &env);
}

static int
ack(struct ssync_sb *sb, int applied, const char *refused)
{
	Hd__Envelope	env = HD__ENVELOPE__INIT;
	Hd__StateAck	a = HD__STATE_ACK__INIT;

	a.name = (char *)(uintptr_t)files[sb->file].name;
	a.version = sb->version;
	a.offset = sb->off;
	a.applied = applied;
	if (refused != NULL)
		a.refused = (char *)(uintptr_t)refused;
	env.body_case = HD__ENVELOPE__BODY_STATE_ACK;
	env.state_ack = &a;
	return sb->ops.send(sb->ops.arg, &env);
}

/* A first piece: the whole file's name, size and hash. */
static int
begin(struct ssync_sb *sb, const Hd__StateChunk *c, int f, const char **why)
{
	partial_drop(sb);
	if (c->absent ? c->size != 0 || c->sha256.len != SHA256_DIGEST_LENGTH :
	    c->sha256.len != SHA256_DIGEST_LENGTH) {
		*why = "state chunk: bad hash or absent file with bytes";
		return -1;
	}
	if (c->size > files[f].max) {
		*why = "state chunk: file larger than its limit";
		return -1;
	}
	if (c->size > 0 && (sb->buf = malloc((size_t)c->size)) == NULL) {
		*why = "state chunk: out of memory";
		return -1;
	}
	sb->file = f;
	sb->version = c->version;
	sb->size = c->size;
	sb->absent = c->absent;
	memcpy(sb->sha, c->sha256.data, SHA256_DIGEST_LENGTH);
	return 0;
}

/*
 * A file of a format newer than this build reads is not ours to take
 * (docs/OPERATIONS.md, "Upgrades": standbys are upgraded first): it
 * would stop this node at its takeover, or be misread. Ours is kept,
 * the master told why; 0 if it was refused so (then acknowledged), 1
 * if the file may be taken, -1 if the refusal cannot be sent.
 */
static int
refuse_newer(struct ssync_sb *sb, const char *path)
{
	char		why[SSYNC_REFUSED_MAX];
	uint32_t	fmt, reads;

	fmt = state_file_format(files[sb->file].name, sb->buf, sb->off,
	    &reads);
	if (reads == 0 || fmt <= reads)
		return 1;
	snprintf(why, sizeof(why), "%s: format %u is newer than this "
	    "standby (%s) reads (%u)", files[sb->file].name, fmt,
	    HD_VERSION, reads);
	log_warnx("state sync: %s: format %u is newer than this version (%s) "
	    "reads (%u): refused, ours is kept; upgrade this standby (a "
	    "standby is upgraded before its master)", path, fmt, HD_VERSION,
	    reads);
	return ack(sb, 0, why) == -1 ? -1 : 0;
}

/* The whole file is here: check it, replace ours, then say so. */
static int
apply(struct ssync_sb *sb, const char **why)
{
	uint8_t	sha[SHA256_DIGEST_LENGTH];
	char	path[600];
	int	f = sb->file, r;

	path_of(sb, f, path, sizeof(path));
	SHA256(sb->buf != NULL ? sb->buf : (const uint8_t *)"", sb->off, sha);
	if (CRYPTO_memcmp(sha, sb->sha, sizeof(sha)) != 0) {
		*why = "state chunk: hash mismatch";
		partial_drop(sb);
		return -1;
	}
	if (!sb->absent && (r = refuse_newer(sb, path)) != 1) {
		partial_drop(sb);
		if (r == -1)
			*why = "state sync: cannot send";
		return r;
	}
	if (!sb->synced && sb->ops.replacing != NULL)
		sb->ops.replacing(sb->ops.arg, files[f].name, sb->absent ? NULL :
		    sb->buf != NULL ? sb->buf : (const uint8_t *)"", sb->off);
	if (sb->absent) {
		if (unlink(path) == -1 && errno != ENOENT) {
			log_warn("state sync: %s", path);
			*why = "state sync: cannot remove a state file";
			partial_drop(sb);
			return -1;
		}
	} else if (atomic_write(path, sb->buf, sb->off, 0600) == -1) {
		log_warn("state sync: %s", path);
		*why = "state sync: cannot write a state file";
		partial_drop(sb);
		return -1;
	}
	sb->applied |= 1u << f;
	if (ack(sb, 1, NULL) == -1) {
		partial_drop(sb);
		*why = "state sync: cannot send";
		return -1;
	}
	partial_drop(sb);
	return 0;
}

int
ssync_sb_chunk(struct ssync_sb *sb, const Hd__StateChunk *c,
    const char **why)
{
	int	f;

	if ((f = ssync_file_index(c->name)) == -1) {
		*why = "state chunk: not a state file";
		partial_drop(sb);
		return -1;
	}
	if (c->offset == 0 && begin(sb, c, f, why) == -1)
		goto bad;
	if (sb->file != f || c->version != sb->version ||
	    c->offset != sb->off || c->size != sb->size ||
	    (c->offset != 0 && c->sha256.len != 0)) {
		*why = "state chunk: out of order";
		goto bad;
	}
	if (c->data.len > SSYNC_CHUNK || c->data.len > sb->size - sb->off ||
	    (c->data.len == 0 && sb->size != 0)) {
		*why = "state chunk: bad length";
		goto bad;
	}
	if (c->data.len > 0)
		memcpy(sb->buf + sb->off, c->data.data, c->data.len);
	sb->off += c->data.len;
	if (sb->off == sb->size)
		return apply(sb, why);
	if (ack(sb, 0, NULL) == -1) {
		*why = "state sync: cannot send";
		goto bad;
	}
	return 0;
bad:
	partial_drop(sb);
	return -1;
}

void
ssync_sb_synced(struct ssync_sb *sb, const Hd__StateSynced *m)
{
	(void)m;
	sb->synced = 1;
}

int
ssync_sb_is_synced(const struct ssync_sb *sb)
{
	return sb->synced;
}

uint32_t
ssync_sb_take_applied(struct ssync_sb *sb)
{
	uint32_t	a = sb->applied;

	sb->applied = 0;
	return a;
}
