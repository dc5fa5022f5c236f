/*
 * An old master's unreplicated firings on disk (sched_orphan.h): found
 * before the new master's sched.state replaces ours, kept in
 * <state-dir>/sched.orphans until the new master acknowledges them. The
 * list is written before sched.state is replaced: a node that dies in
 * between finds the same firings again at its next sync, and the merge
 * keeps each once.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "atomicfile.h"
#include "log.h"
#include "net.h"
#include "sched/sched_orphan.h"

static void
path_of(const char *dir, const char *name, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s", dir, name);
}

int
sched_orphans_load(const char *dir, struct sched_orphan *out, int max)
{
	Hd__SchedOrphans	*m;
	const char		*why;
	char			 path[600];
	uint8_t			*buf;
	size_t			 len, i;
	int			 n = 0;

	path_of(dir, SCHED_ORPHAN_FILE, path, sizeof(path));
	if (atomic_read(path, SCHED_ORPHAN_MAX_FILE, &buf, &len) == -1) {
		if (errno == ENOENT)
			return 0;
		log_warn("sched: %s", path);
		return -1;
	}
	m = hd__sched_orphans__unpack(NULL, len, buf);
	free(buf);
	if (m == NULL || sched_orphans_check(m, &why) == -1) {
		log_warnx("sched: %s: %s: not read", path, m == NULL ?
		    "not a list of firings" : why);
		if (m != NULL)
			hd__sched_orphans__free_unpacked(m, NULL);
		return -1;
	}
	for (i = 0; i < m->n_firings && n < max; i++, n++) {
		memset(&out[n], 0, sizeof(out[n]));
		snprintf(out[n].event, sizeof(out[n].event), "%s",
		    m->firings[i]->event);
		out[n].fired_ms = (int64_t)m->firings[i]->fired_ms;
		out[n].firing_id = m->firings[i]->firing_id;
		out[n].commands = m->firings[i]->commands;
		out[n].noted_ms = (int64_t)m->firings[i]->noted_ms;
	}
	hd__sched_orphans__free_unpacked(m, NULL);
	return n;
}

int
sched_orphans_save(const char *dir, const struct sched_orphan *o, int n)
{
	Hd__SchedOrphans	 m;
	Hd__SchedOrphan		 buf[SCHED_ORPHAN_MAX], *p[SCHED_ORPHAN_MAX];
	char			 path[600];
	uint8_t			*out;
	size_t			 len;
	int			 r;

	path_of(dir, SCHED_ORPHAN_FILE, path, sizeof(path));
	if (n == 0) {
		if (unlink(path) == -1 && errno != ENOENT) {
			log_warn("sched: %s", path);
			return -1;
		}
		return 0;
	}
	sched_orphans_msg(&m, buf, p, o, n, 0);
	len = hd__sched_orphans__get_packed_size(&m);
	if ((out = malloc(len > 0 ? len : 1)) == NULL) {
		log_warn("sched: %s", path);
		return -1;
	}
	hd__sched_orphans__pack(&m, out);
	if ((r = atomic_write(path, out, len, 0600)) == -1)
		log_warn("sched: %s", path);
	free(out);
	return r;
}

/* The firings ours holds and theirs does not: how many, 0 if we have
 * no sched.state, -1 if either cannot be read. */
static int
compare(const char *dir, const uint8_t *theirs, size_t tlen, int64_t now,
    struct sched_orphan *found)
{
	Hd__SchedState	*own, *them;
	char		 path[600];
	uint8_t		*buf;
	size_t		 len;
	int		 n, i;

	path_of(dir, "sched.state", path, sizeof(path));
	if (atomic_read(path, SCHED_STATE_MAX_FILE, &buf, &len) == -1)
		return errno == ENOENT ? 0 : -1;
	own = hd__sched_state__unpack(NULL, len, buf);
	free(buf);
	them = hd__sched_state__unpack(NULL, tlen, theirs);
	n = own == NULL || them == NULL ? -1 :
	    sched_orphans_find(own, them, found, SCHED_ORPHAN_MAX);
	for (i = 0; i < n; i++)
		found[i].noted_ms = now;
	if (own != NULL)
		hd__sched_state__free_unpacked(own, NULL);
	if (them != NULL)
		hd__sched_state__free_unpacked(them, NULL);
	return n;
}

int
sched_orphans_note(const char *dir, const uint8_t *theirs, size_t len,
    int64_t now)
{
	struct sched_orphan	found[SCHED_ORPHAN_MAX];
	struct sched_orphan	have[SCHED_ORPHAN_MAX];
	char			ev[SCHED_NAME_MAX * 4 + 1];
	int			nf, n, i, before, d, dropped = 0;

	if ((nf = compare(dir, theirs, len, now, found)) == -1) {
		log_warnx("sched: sched.state: ours or the master's cannot be "
		    "read: firings of ours it lacks cannot be found");
		return -1;
	}
	if (nf == 0)
		return 0;
	if ((n = sched_orphans_load(dir, have, SCHED_ORPHAN_MAX)) == -1)
		n = 0;		/* unreadable: logged; this list replaces it */
	for (i = 0; i < nf; i++) {
		before = n;
		d = 0;
		n = sched_orphans_merge(have, n, SCHED_ORPHAN_MAX, &found[i], 1,
		    &d);
		if (n == before && d == 0)
			continue;	/* known already: logged then */
		dropped += d;
		log_warnx("sched: event %s fired at %" PRId64 " (firing id "
		    "%016" PRIx64 ", %" PRIu32 " command%s unanswered) by this "
		    "node as master, and the new master does not hold it: its "
		    "record never reached the standby; reported to the new "
		    "master as fired by the old master, unreplicated",
		    str_vis(ev, sizeof(ev), found[i].event), found[i].fired_ms,
		    found[i].firing_id, found[i].commands,
		    found[i].commands == 1 ? "" : "s");
	}
	if (dropped > 0)
		log_warnx("sched: %d unreplicated firing%s beyond "
		    "SCHED_ORPHAN_MAX (%d) kept: the newest left out, logged only", dropped,
		    dropped == 1 ? "" : "s", SCHED_ORPHAN_MAX);
	if (sched_orphans_save(dir, have, n) == -1)
		return -1;
	return n;
}
