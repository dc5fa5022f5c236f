/*
 * local.fired and local.pending on disk (docs/SCHEDULER.md#local-rules):
 * the firing ids a slave has seen or made, and the firings it made while
 * cut off that no master has heard of yet. Each is a protobuf message
 * (LocalFiredFile, LocalPendingFile, proto/cluster.proto) whose first
 * field is its format (LOCAL_FILE_FORMAT), written whole through
 * atomic_write(), so a crash leaves the old file or the new one.
 *
 * Reading: the current format; the raw memory dumps of the first release
 * (no format, native byte order and struct layout), recognised only when
 * every byte fits that layout and migrated at the next write; a newer
 * format is refused and the file left alone (the local rules then stay
 * off: without its fired ids the slave could repeat a firing); anything
 * else is damaged, logged and set aside as NAME.damaged.
 */

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atomicfile.h"
#include "log.h"
#include "slave.h"
#include "wire.h"

/* The first release's local.pending record, as its amd64/armhf/arm64
 * builds laid it out (a 64-byte name, then three 8-byte fields: no
 * padding on any of them). Frozen: only the migration reads it. */
struct local_pending_v0 {
	char		 event[64];
	int64_t		 due, fired;
	uint64_t	 fid;
};

/* Is `p` the first release's raw ids: whole non-zero uint64s? */
static int
fired_v0(const uint8_t *p, size_t n, struct local_fired *out)
{
	uint64_t	id;
	size_t		i;

	if (n % sizeof(id) != 0 || n / sizeof(id) > LOCAL_MAX_FIRED)
		return 0;
	for (i = 0; i < n; i += sizeof(id)) {
		memcpy(&id, p + i, sizeof(id));
		if (id == 0)
			return 0;
		out->ids[i / sizeof(id)] = id;
	}
	out->n = (int)(n / sizeof(id));
	return 1;
}

enum local_file_st
local_fired_decode(const uint8_t *p, size_t n, struct local_fired *out,
    char *why, size_t len)
{
	Hd__LocalFiredFile	*f;
	size_t			 i;

	memset(out, 0, sizeof(*out));
	f = (Hd__LocalFiredFile *)wire_unpack(&hd__local_fired_file__descriptor,
	    p, n);
	if (f == NULL || f->format == 0) {
		if (f != NULL)
			wire_free(&f->base);
		if (fired_v0(p, n, out))
			return LF_LEGACY;
		snprintf(why, len, "%zu bytes, neither a LocalFiredFile nor "
		    "the first release's raw ids", n);
		return LF_DAMAGED;
	}
	if (f->format > LOCAL_FILE_FORMAT) {
		snprintf(why, len, "format %" PRIu32 ", newer than this "
		    "version reads (%d)", f->format, LOCAL_FILE_FORMAT);
		wire_free(&f->base);
		return LF_NEWER;
	}
	if (f->n_ids > LOCAL_MAX_FIRED || (f->n_own != 0 && f->n_own !=
	    f->n_ids) || f->heard_ms > INT64_MAX) {
		snprintf(why, len, "%zu ids (at most %d), %zu own flags, heard "
		    "at %" PRIu64, f->n_ids, LOCAL_MAX_FIRED, f->n_own,
		    f->heard_ms);
		wire_free(&f->base);
		return LF_DAMAGED;
	}
	for (i = 0; i < f->n_ids; i++) {
		out->ids[i] = f->ids[i];
		out->own[i] = f->n_own != 0 && f->own[i];
	}
	out->n = (int)f->n_ids;
	out->heard = (int64_t)f->heard_ms;
	wire_free(&f->base);
	return LF_CURRENT;
}

/* A name as the old code wrote it: printable, ended, zeros after. */
static int
name_v0(const char *ev, size_t size)
{
	size_t	i, end;

	if ((end = strnlen(ev, size)) == 0 || end == size)
		return 0;
	for (i = 0; i < end; i++)
		if (ev[i] <= ' ' || ev[i] > '~')
			return 0;
	for (i = end; i < size; i++)
		if (ev[i] != '\0')
			return 0;
	return 1;
}

static int
pending_v0(const uint8_t *p, size_t n, struct local_pending *out, int *np)
{
	struct local_pending_v0	r;
	size_t			i;

	if (n % sizeof(r) != 0 || n / sizeof(r) > LOCAL_MAX_PENDING)
		return 0;
	for (i = 0; i < n / sizeof(r); i++) {
		memcpy(&r, p + i * sizeof(r), sizeof(r));
		if (!name_v0(r.event, sizeof(r.event)) || r.due < 0 ||
		    r.fired <= 0 || r.fid == 0)
			return 0;
		memset(&out[i], 0, sizeof(out[i]));
		memcpy(out[i].event, r.event, sizeof(out[i].event) - 1);
		out[i].due = r.due;
		out[i].fired = r.fired;
		out[i].fid = r.fid;
	}
	*np = (int)(n / sizeof(r));
	return 1;
}

static int
firing_ok(const Hd__LocalFiring *f)
{
	return f->event[0] != '\0' && strlen(f->event) <= SCHED_NAME_MAX &&
	    f->due_ms <= INT64_MAX && f->fired_ms <= INT64_MAX &&
	    f->fired_ms > 0 && f->firing_id != 0;
}

enum local_file_st
local_pending_decode(const uint8_t *p, size_t n, struct local_pending *out,
    int *np, char *why, size_t len)
{
	Hd__LocalPendingFile	*f;
	size_t			 i;

	*np = 0;
	f = (Hd__LocalPendingFile *)wire_unpack(
	    &hd__local_pending_file__descriptor, p, n);
	if (f == NULL || f->format == 0) {
		if (f != NULL)
			wire_free(&f->base);
		if (pending_v0(p, n, out, np))
			return LF_LEGACY;
		snprintf(why, len, "%zu bytes, neither a LocalPendingFile nor "
		    "the first release's raw records", n);
		return LF_DAMAGED;
	}
	if (f->format > LOCAL_FILE_FORMAT) {
		snprintf(why, len, "format %" PRIu32 ", newer than this "
		    "version reads (%d)", f->format, LOCAL_FILE_FORMAT);
		wire_free(&f->base);
		return LF_NEWER;
	}
	if (f->n_firings > LOCAL_MAX_PENDING) {
		snprintf(why, len, "%zu firings (at most %d)", f->n_firings,
		    LOCAL_MAX_PENDING);
		wire_free(&f->base);
		return LF_DAMAGED;
	}
	for (i = 0; i < f->n_firings; i++) {
		if (!firing_ok(f->firings[i])) {
			snprintf(why, len, "firing %zu: no name, a name over %d "
			    "bytes, an instant out of range or no id", i + 1,
			    SCHED_NAME_MAX);
			wire_free(&f->base);
			*np = 0;
			return LF_DAMAGED;
		}
		memset(&out[i], 0, sizeof(out[i]));
		snprintf(out[i].event, sizeof(out[i].event), "%s",
		    f->firings[i]->event);
		out[i].due = (int64_t)f->firings[i]->due_ms;
		out[i].fired = (int64_t)f->firings[i]->fired_ms;
		out[i].fid = f->firings[i]->firing_id;
	}
	*np = (int)f->n_firings;
	wire_free(&f->base);
	return LF_CURRENT;
}

static int
path_of(const struct local *lo, const char *name, char *buf, size_t len)
{
	int n = snprintf(buf, len, "%s/%s", lo->s->conf.state_dir, name);

	return n < 0 || (size_t)n >= len ? -1 : 0;
}

static int
save(struct local *lo, const char *name, const ProtobufCMessage *m)
{
	uint8_t	*p;
	size_t	 n = protobuf_c_message_get_packed_size(m);
	char	 path[PATH_MAX];
	int	 rc = -1;

	if (lo->refused) {
		errno = EPERM;
		return -1;	/* a newer version's files: left alone */
	}
	if (n > LOCAL_FILE_MAX || path_of(lo, name, path, sizeof(path)) == -1 ||
	    (p = malloc(n + 1)) == NULL) {
		log_warnx("local rules: %s: not written", name);
		return -1;
	}
	protobuf_c_message_pack(m, p);
	if ((rc = atomic_write(path, p, n, 0600)) == -1)
		log_warn("local rules: %s", path);
	free(p);
	return rc;
}

/* The ring's ids, oldest first, so a restarted slave knows which one to
 * drop next when it is full. */
int
local_fired_save(struct local *lo)
{
	Hd__LocalFiredFile	f = HD__LOCAL_FIRED_FILE__INIT;
	uint64_t		out[LOCAL_MAX_FIRED];
	protobuf_c_boolean	own[LOCAL_MAX_FIRED];
	int			i, n = 0, start;

	start = lo->nfired > LOCAL_MAX_FIRED ? lo->nfired % LOCAL_MAX_FIRED : 0;
	for (i = 0; i < LOCAL_MAX_FIRED && i < lo->nfired; i++) {
		own[n] = lo->own[(start + i) % LOCAL_MAX_FIRED];
		out[n++] = lo->fired[(start + i) % LOCAL_MAX_FIRED];
	}
	f.format = LOCAL_FILE_FORMAT;
	f.ids = out;
	f.n_ids = (size_t)n;
	f.own = own;
	f.n_own = (size_t)n;
	f.heard_ms = lo->heard_wall > 0 ? (uint64_t)lo->heard_wall : 0;
	return save(lo, LOCAL_FIRED_FILE, &f.base);
}

int
local_pending_save(struct local *lo)
{
	Hd__LocalPendingFile	 f = HD__LOCAL_PENDING_FILE__INIT;
	Hd__LocalFiring		*rec, **recp;
	int			 i, rc;

	rec = calloc(LOCAL_MAX_PENDING, sizeof(*rec));
	recp = calloc(LOCAL_MAX_PENDING, sizeof(*recp));
	if (rec == NULL || recp == NULL) {
		free(rec);
		free(recp);
		log_warnx("local rules: %s: out of memory", LOCAL_PENDING_FILE);
		return -1;
	}
	for (i = 0; i < lo->npend; i++) {
		hd__local_firing__init(&rec[i]);
		rec[i].event = lo->pend[i].event;
		rec[i].due_ms = lo->pend[i].due > 0 ? (uint64_t)lo->pend[i].due : 0;
		rec[i].fired_ms = (uint64_t)lo->pend[i].fired;
		rec[i].firing_id = lo->pend[i].fid;
		rec[i].result = "fired";
		recp[i] = &rec[i];
	}
	f.format = LOCAL_FILE_FORMAT;
	f.firings = recp;
	f.n_firings = (size_t)lo->npend;
	rc = save(lo, LOCAL_PENDING_FILE, &f.base);
	free(rec);
	free(recp);
	return rc;
}

/* What to do with a file that did not read as current: say it, and
 * either leave it (newer), set it aside (damaged) or rewrite it now in
 * the current format (the first release's, migrated). */
static void
settle(struct local *lo, const char *name, enum local_file_st st,
    const char *why, int (*rewrite)(struct local *))
{
	char	path[PATH_MAX], aside[PATH_MAX + 16];

	if (path_of(lo, name, path, sizeof(path)) == -1)
		return;
	switch (st) {
	case LF_CURRENT:
		break;
	case LF_LEGACY:
		if (rewrite(lo) == 0)
			log_info("local rules: %s: the first release's raw form, "
			    "migrated to format %d", path, LOCAL_FILE_FORMAT);
		break;
	case LF_NEWER:
		lo->refused = 1;
		log_warnx("local rules: %s: %s: refused and left alone; the "
		    "local rules stay off until hd-slave is upgraded again or "
		    "the file is moved away", path, why);
		break;
	case LF_DAMAGED:
		snprintf(aside, sizeof(aside), "%s.damaged", path);
		if (rename(path, aside) == -1)
			log_warn("local rules: %s", aside);
		log_warnx("local rules: %s: damaged (%s): set aside as %s%s",
		    path, why, aside, strcmp(name, LOCAL_FIRED_FILE) == 0 ? "; a firing "
		    "made before may be repeated" : "; its firings are not "
		    "reported to the master");
		break;
	}
}

/* What is still to report was made here (the first release's local.fired
 * had no flags): a master's command for it must not run it again. */
static void
own_pending(struct local *lo)
{
	int	i, j;

	for (i = 0; i < lo->npend; i++)
		for (j = 0; j < lo->nfired && j < LOCAL_MAX_FIRED; j++)
			if (lo->fired[j] == lo->pend[i].fid)
				lo->own[j] = 1;
}

void
local_files_load(struct local *lo)
{
	enum local_file_st	 st;
	struct local_fired	*lf;
	uint8_t			*p;
	size_t			 n;
	char			 path[PATH_MAX], why[160];

	if ((lf = malloc(sizeof(*lf))) == NULL)
		fatal("local rules");
	if (path_of(lo, LOCAL_FIRED_FILE, path, sizeof(path)) == 0 &&
	    atomic_read(path, LOCAL_FILE_MAX, &p, &n) == 0) {
		st = local_fired_decode(p, n, lf, why, sizeof(why));
		free(p);
		memcpy(lo->fired, lf->ids, sizeof(lo->fired));
		memcpy(lo->own, lf->own, sizeof(lo->own));
		lo->nfired = lf->n;
		lo->heard_wall = lf->heard;
		settle(lo, LOCAL_FIRED_FILE, st, why, local_fired_save);
	} else if (errno != ENOENT)
		log_warn("local rules: %s", path);
	if (path_of(lo, LOCAL_PENDING_FILE, path, sizeof(path)) == 0 &&
	    atomic_read(path, LOCAL_FILE_MAX, &p, &n) == 0) {
		st = local_pending_decode(p, n, lo->pend, &lo->npend, why,
		    sizeof(why));
		free(p);
		settle(lo, LOCAL_PENDING_FILE, st, why, local_pending_save);
	} else if (errno != ENOENT)
		log_warn("local rules: %s", path);
	free(lf);
	own_pending(lo);
}
