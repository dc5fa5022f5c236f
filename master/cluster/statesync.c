/*
 * State replication, the master's side (statesync.h). Each standby has
 * at most one file in transfer: the content is read once when the
 * transfer starts and kept until the standby applied it, so a change
 * during the transfer never mixes two versions; the change makes the
 * file due again, and however many changes came, the next transfer
 * sends only the newest content. One file at a time per standby, and
 * the window, bound what a standby costs the master: one file's bytes
 * and SSYNC_WINDOW chunks in the link's queue.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/sha.h>

#include "atomicfile.h"
#include "log.h"
#include "net.h"
#include "cluster/statesync.h"

struct xfer {
	int		 file;		/* -1: none */
	uint64_t	 version;
	uint8_t		*buf;
	size_t		 len;
	size_t		 sent;		/* bytes sent ... */
	size_t		 acked;		/* ... and acknowledged */
	int		 started;	/* the first chunk went out */
	int		 absent;
	uint8_t		 sha[SHA256_DIGEST_LENGTH];
};

struct standby {
	int		 used;
	struct ssync_ops ops;
	uint64_t	 applied[SSYNC_MAX_FILES];	/* version applied there */
	uint64_t	 since[SSYNC_MAX_FILES];	/* oldest change not applied */
	uint64_t	 next_since[SSYNC_MAX_FILES];	/* ... after the one in transfer */
	uint64_t	 snap[SSYNC_MAX_FILES];	/* versions when it attached */
	uint8_t		 have[SSYNC_MAX_FILES][SHA256_DIGEST_LENGTH];
	uint32_t	 has;		/* bit i: have[i] is its hello's hash */
	uint32_t	 lacks;		/* bit i: its hello said it has no file i */
	int		 synced;	/* StateSynced sent */
	int		 next;		/* where the round-robin looks first */
	struct xfer	 x;
	/* Files it refused (a format newer than it reads): not sent again
	 * until it attaches anew, an upgraded standby. */
	uint32_t	 refused;
	char		 refused_why[SSYNC_REFUSED_MAX + 1];
};

struct ssync {
	char		 dir[512];
	uint64_t	 version[SSYNC_MAX_FILES];
	size_t		 size[SSYNC_MAX_FILES];	/* as last read or stat'ed */
	uint32_t	 urgent;	/* bit i: file i goes first when due */
	struct standby	 sb[SSYNC_MAX_STANDBYS];
};

static void	pump_one(struct ssync *, struct standby *);

struct ssync *
ssync_new(const char *state_dir, uint64_t now)
{
	struct ssync	*s;
	int		 i, n;

	(void)now;
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	n = snprintf(s->dir, sizeof(s->dir), "%s", state_dir);
	if (n < 0 || (size_t)n >= sizeof(s->dir)) {
		free(s);
		errno = ENAMETOOLONG;
		return NULL;
	}
	/* Version 1 is whatever the state-dir holds when we start. */
	for (i = 0; i < ssync_nfiles(); i++)
		s->version[i] = 1;
	return s;
}

static void
xfer_end(struct xfer *x)
{
	free(x->buf);
	memset(x, 0, sizeof(*x));
	x->file = -1;
}

void
ssync_free(struct ssync *s)
{
	int	i;

	if (s == NULL)
		return;
	for (i = 0; i < SSYNC_MAX_STANDBYS; i++)
		if (s->sb[i].used)
			xfer_end(&s->sb[i].x);
	free(s);
}

int
ssync_changed(struct ssync *s, const char *name, uint64_t now)
{
	struct standby	*b;
	int		 f, i;

	if ((f = ssync_file_index(name)) == -1)
		return -1;
	s->version[f]++;
	for (i = 0; i < SSYNC_MAX_STANDBYS; i++) {
		b = &s->sb[i];
		if (!b->used)
			continue;
		/* What its hello said is out of date. */
		b->has &= ~(1u << f);
		b->lacks &= ~(1u << f);
		if (b->x.file == f) {
			if (b->next_since[f] == 0)
				b->next_since[f] = now;
		} else if (b->since[f] == 0)
			b->since[f] = now;
		pump_one(s, b);
	}
	return 0;
}

static int
hello_take(struct standby *b, const Hd__StateHello *h, const char **why)
{
	size_t	i;
	int	f;

	if (h == NULL)
		return 0;
	if (h->n_files > SSYNC_MAX_FILES) {
		*why = "state hello: too many files";
		return -1;
	}
	for (i = 0; i < h->n_files; i++) {
		if (h->files[i] == NULL ||
		    (f = ssync_file_index(h->files[i]->name)) == -1) {
			*why = "state hello: not a state file";
			return -1;
		}
		if (h->files[i]->sha256.len == 0) {
			b->lacks |= 1u << f;
			continue;
		}
		if (h->files[i]->sha256.len != SHA256_DIGEST_LENGTH) {
			*why = "state hello: bad hash";
			return -1;
		}
		memcpy(b->have[f], h->files[i]->sha256.data,
		    SHA256_DIGEST_LENGTH);
		b->has |= 1u << f;
	}
	return 0;
}

int
ssync_attach(struct ssync *s, const struct ssync_ops *ops,
    const Hd__StateHello *h, uint64_t now, const char **why)
{
	struct standby	*b = NULL;
	int		 i;

	for (i = 0; i < SSYNC_MAX_STANDBYS && b == NULL; i++)
		if (!s->sb[i].used)
			b = &s->sb[i];
	if (b == NULL) {
		*why = "state sync: too many standbys";
		return -1;
	}
	memset(b, 0, sizeof(*b));
	b->x.file = -1;
	if (hello_take(b, h, why) == -1)
		return -1;
	b->used = 1;
	b->ops = *ops;
	for (i = 0; i < ssync_nfiles(); i++) {
		b->snap[i] = s->version[i];
		b->since[i] = now;
	}
	pump_one(s, b);
	return (int)(b - s->sb);
}

void
ssync_detach(struct ssync *s, int peer)
{
	if (peer < 0 || peer >= SSYNC_MAX_STANDBYS || !s->sb[peer].used)
		return;
	xfer_end(&s->sb[peer].x);
	s->sb[peer].used = 0;
}

/*
 * Read file f for a transfer. A missing file travels as "absent" (the
 * standby removes its copy); one the master cannot read (too large,
 * not a regular file) is not sent at all: logged, and counted as lag.
 */
static int
xfer_start(struct ssync *s, struct standby *b, int f)
{
	struct xfer	*x = &b->x;
	char		 path[600];

	xfer_end(x);
	snprintf(path, sizeof(path), "%s/%s", s->dir, ssync_file(f)->name);
	if (atomic_read(path, ssync_file(f)->max, &x->buf, &x->len) == -1) {
		if (errno != ENOENT) {
			log_warn("state sync: %s", path);
			return -1;
		}
		x->buf = NULL;
		x->len = 0;
		x->absent = 1;
	}
	x->file = f;
	x->version = s->version[f];
	s->size[f] = x->len;
	SHA256(x->buf != NULL ? x->buf : (const uint8_t *)"", x->len, x->sha);
	return 0;
}

/* File f's newest version is applied on that standby. */
static void
applied(struct standby *b, int f, uint64_t version)
{
	b->applied[f] = version;
	b->since[f] = b->next_since[f];
	b->next_since[f] = 0;
}

/* The next file due, round-robin so that a file changing all the time
 * does not starve the others; -1 if none. */
static int
next_due(struct ssync *s, struct standby *b)
{
	int	i, f, n = ssync_nfiles();

	for (f = 0; f < n; f++)
		if ((s->urgent & 1u << f) && b->applied[f] < s->version[f] &&
		    !(b->refused & 1u << f))
			return f;
	for (i = 0; i < n; i++) {
		f = (b->next + i) % n;
		if (b->applied[f] < s->version[f] && !(b->refused & 1u << f)) {
			b->next = (f + 1) % n;
			return f;
		}
	}
	return -1;
}

static int
send_chunk(struct standby *b)
{
	Hd__Envelope	 env = HD__ENVELOPE__INIT;
	Hd__StateChunk	 c = HD__STATE_CHUNK__INIT;
	struct xfer	*x = &b->x;
	size_t		 n = x->len - x->sent;

	if (n > SSYNC_CHUNK)
		n = SSYNC_CHUNK;
	c.name = (char *)(uintptr_t)ssync_file(x->file)->name;
	c.version = x->version;
	c.offset = x->sent;
	c.size = x->len;
	c.absent = x->absent;
	if (x->sent == 0) {
		c.sha256.data = x->sha;
		c.sha256.len = sizeof(x->sha);
	}
	c.data.data = x->buf != NULL ? x->buf + x->sent : NULL;
	c.data.len = n;
	env.body_case = HD__ENVELOPE__BODY_STATE_CHUNK;
	env.state_chunk = &c;
	if (b->ops.send(b->ops.arg, &env) == -1)
		return -1;
	x->sent += n;
	x->started = 1;
	return 0;
}

static void
send_synced(struct standby *b)
{
	Hd__Envelope	env = HD__ENVELOPE__INIT;
	Hd__StateSynced	m = HD__STATE_SYNCED__INIT;

	m.files = (uint32_t)ssync_nfiles();
	env.body_case = HD__ENVELOPE__BODY_STATE_SYNCED;
	env.state_synced = &m;
	if (b->ops.send(b->ops.arg, &env) == 0)
		b->synced = 1;
}

static int
snapshot_done(const struct ssync *s, const struct standby *b)
{
	int	i;

	for (i = 0; i < ssync_nfiles(); i++)
		if (b->applied[i] < b->snap[i] && !(b->refused & 1u << i))
			return 0;
	(void)s;
	return 1;
}

/* Does the standby hold file f as the transfer just read it, by its
 * hello? Asked once: a change makes the hello's word out of date. */
static int
holds(struct standby *b, int f)
{
	struct xfer	*x = &b->x;
	int		 r;

	r = x->absent ? (b->lacks & 1u << f) != 0 : (b->has & 1u << f) &&
	    memcmp(b->have[f], x->sha, sizeof(x->sha)) == 0;
	b->has &= ~(1u << f);
	b->lacks &= ~(1u << f);
	return r;
}

/*
 * Start transfers and send chunks while the window allows. A file whose
 * hash equals the one the standby said it holds counts as applied
 * without being sent (a standby re-attaching after a short loss).
 */
static void
pump_one(struct ssync *s, struct standby *b)
{
	struct xfer	*x = &b->x;
	int		 f, tries;

	for (tries = 0; tries <= ssync_nfiles(); tries++) {
		if (x->file == -1) {
			if ((f = next_due(s, b)) == -1)
				break;
			if (xfer_start(s, b, f) == -1) {
				/* Unreadable (logged): skip this version. */
				applied(b, f, s->version[f]);
				continue;
			}
			if (holds(b, f)) {
				applied(b, f, x->version);
				xfer_end(x);
				continue;
			}
		}
		while ((!x->started || x->sent < x->len) &&
		    x->sent - x->acked < (size_t)SSYNC_WINDOW * SSYNC_CHUNK)
			if (send_chunk(b) == -1)
				return;
		break;
	}
	if (!b->synced && x->file == -1 && snapshot_done(s, b))
		send_synced(b);
}

void
ssync_pump(struct ssync *s, uint64_t now)
{
	int	i;

	(void)now;
	for (i = 0; i < SSYNC_MAX_STANDBYS; i++)
		if (s->sb[i].used)
			pump_one(s, &s->sb[i]);
}

/*
 * The standby took the whole transfer and refused it, saying why (a
 * format newer than it reads): the file stays as it is there and is not
 * sent again while it stays attached; the others go on.
 */
static int
refused(struct ssync *s, int peer, const Hd__StateAck *a, const char **why)
{
	struct standby	*b = &s->sb[peer];
	struct xfer	*x = &b->x;

	if (a->applied || a->offset != x->len ||
	    strlen(a->refused) > SSYNC_REFUSED_MAX) {
		*why = "state ack: a malformed refusal";
		ssync_detach(s, peer);
		return -1;
	}
	b->refused |= 1u << x->file;
	str_vis(b->refused_why, sizeof(b->refused_why), a->refused);
	xfer_end(x);
	pump_one(s, b);
	return 0;
}

int
ssync_ack(struct ssync *s, int peer, const Hd__StateAck *a, uint64_t now,
    const char **why)
{
	struct standby	*b;
	struct xfer	*x;
	int		 f;

	(void)now;
	if (peer < 0 || peer >= SSYNC_MAX_STANDBYS || !s->sb[peer].used) {
		*why = "state ack: no such standby";
		return -1;
	}
	b = &s->sb[peer];
	x = &b->x;
	if ((f = ssync_file_index(a->name)) == -1) {
		*why = "state ack: not a state file";
		ssync_detach(s, peer);
		return -1;
	}
	/* Acks come in order on one link: only the transfer in progress
	 * can be acknowledged, and never beyond what was sent. */
	if (x->file != f || a->version != x->version || a->offset > x->sent ||
	    a->offset < x->acked || (a->applied && a->offset != x->len) ||
	    (!x->started)) {
		*why = "state ack: not the transfer in progress";
		ssync_detach(s, peer);
		return -1;
	}
	if (a->refused != NULL && a->refused[0] != '\0')
		return refused(s, peer, a, why);
	x->acked = (size_t)a->offset;
	if (a->applied) {
		applied(b, f, x->version);
		xfer_end(x);
	}
	pump_one(s, b);
	return 0;
}

int
ssync_lag(const struct ssync *s, int peer, uint64_t now, struct ssync_lag *l)
{
	const struct standby	*b;
	uint64_t		 oldest = 0;
	int			 i;

	memset(l, 0, sizeof(*l));
	if (peer < 0 || peer >= SSYNC_MAX_STANDBYS || !s->sb[peer].used)
		return -1;
	b = &s->sb[peer];
	for (i = 0; i < ssync_nfiles(); i++) {
		if (b->applied[i] >= s->version[i])
			continue;
		l->files++;
		if (b->x.file == i)
			l->bytes += b->x.len - b->x.acked;
		else
			l->bytes += s->size[i];
		if (b->since[i] != 0 && (oldest == 0 || b->since[i] < oldest))
			oldest = b->since[i];
	}
	l->oldest_ms = oldest != 0 && now > oldest ? now - oldest : 0;
	l->synced = b->synced;
	l->refused = (uint32_t)__builtin_popcount(b->refused);
	memcpy(l->refused_why, b->refused_why, sizeof(l->refused_why));
	return 0;
}

int
ssync_refused(const struct ssync *s, int peer, const char *name)
{
	int	f = ssync_file_index(name);

	return f != -1 && peer >= 0 && peer < SSYNC_MAX_STANDBYS &&
	    s->sb[peer].used && (s->sb[peer].refused & 1u << f) != 0;
}

void
ssync_set_urgent(struct ssync *s, const char *name)
{
	int	f = ssync_file_index(name);

	if (f != -1)
		s->urgent |= 1u << f;
}

uint64_t
ssync_version(const struct ssync *s, const char *name)
{
	int	f = ssync_file_index(name);

	return f == -1 ? 0 : s->version[f];
}

uint64_t
ssync_applied(const struct ssync *s, int peer, const char *name)
{
	int	f = ssync_file_index(name);

	if (f == -1 || peer < 0 || peer >= SSYNC_MAX_STANDBYS ||
	    !s->sb[peer].used)
		return 0;
	return s->sb[peer].applied[f];
}

int
ssync_holds_snapshot(const struct ssync *s, int peer, const char *name)
{
	int	f = ssync_file_index(name);

	if (f == -1 || peer < 0 || peer >= SSYNC_MAX_STANDBYS ||
	    !s->sb[peer].used)
		return 0;
	return s->sb[peer].applied[f] >= s->sb[peer].snap[f] ||
	    (s->sb[peer].refused & 1u << f) != 0;
}
