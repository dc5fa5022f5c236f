/*
 * A standby's scheduler becomes the master's (docs/FAILOVER.md#scheduled-
 * firings): at the takeover it loads the master's schedule as replicated
 * here (events.last-good), unless this node's own events file is newer
 * or the same, then sched.state as it is now, with the outbox of firing
 * commands it sends again; then it runs.
 */

#include <sys/stat.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "master.h"
#include "sched/sched.h"
#include "sched/sched_master.h"
#include "sched/sched_int.h"

/* Does `path` hold exactly the text of program `g` (its includes
 * inlined)? */
static int
same_text(const char *path, const struct sched_prog *g)
{
	FILE	*f;
	char	 buf[4096];
	size_t	 n, off = 0;
	int	 same = g->flat != NULL;

	if (!same || (f = fopen(path, "r")) == NULL)
		return 0;
	while (same && (n = fread(buf, 1, sizeof(buf), f)) > 0) {
		same = off + n <= g->flatlen && memcmp(g->flat + off, buf,
		    n) == 0;
		off += n;
	}
	same = same && !ferror(f) && off == g->flatlen;
	fclose(f);
	return same;
}

/* Was `a` modified after `b`? */
static int
newer(const char *a, const char *b)
{
	struct stat	sa, sb;

	if (stat(a, &sa) == -1 || stat(b, &sb) == -1)
		return 0;
	return sa.st_mtim.tv_sec > sb.st_mtim.tv_sec ||
	    (sa.st_mtim.tv_sec == sb.st_mtim.tv_sec &&
	    sa.st_mtim.tv_nsec > sb.st_mtim.tv_nsec);
}

/*
 * The replicated schedule, if this node has one: the master's, as it
 * ran it (its last load wrote it, and the state sync brought it here).
 * This node's own events file wins if it was edited after that (a
 * master restarted on a changed file: its events.last-good is its own
 * older copy) and loaded. If it says the same, it is that file (a
 * reload changes nothing); else the replicated one runs, said
 * "replicated" and logged, since a reload would put this node's own
 * file in its place.
 */
static void
take_replicated(struct sched_master *sm)
{
	struct sched_errs	*e;
	struct sched_prog	*own;
	char			 lg[PATH_MAX];

	if (sched_last_good(sm->s, lg, sizeof(lg)) == -1 ||
	    access(lg, F_OK) == -1)
		return;
	if (strcmp(sched_source(sm->s), "file") == 0 &&
	    newer(sm->m->conf.events, lg)) {
		log_info("takeover: this node's events file %s is newer than "
		    "the replicated schedule: running it",
		    sm->m->conf.events);
		return;
	}
	if ((e = malloc(sizeof(*e))) == NULL)
		return;
	if (sched_load(sm->s, lg, sm_wall(sm), e) == -1) {
		sm_log_errors("takeover: the replicated schedule", e);
		log_warnx("takeover: running this node's own events file %s",
		    sm->m->conf.events);
		free(e);
		return;
	}
	own = sched_parse_file(sm->m->conf.events, e);
	if (own != NULL && same_text(lg, own))
		sched_load(sm->s, sm->m->conf.events, sm_wall(sm), e);
	else {
		sched_set_replicated(sm->s);
		log_warnx("takeover: running the master's schedule as "
		    "replicated (%s): this node's events file %s differs; a "
		    "reload would run that file instead", lg,
		    sm->m->conf.events);
	}
	sched_prog_free(own);
	free(e);
}

void
sched_master_takeover(struct master *m)
{
	struct sched_master	*sm = m->sched;
	char			 lg[PATH_MAX];

	if (sm == NULL) {
		snprintf(lg, sizeof(lg), "%s/%s", m->conf.state_dir,
		    SCHED_LAST_GOOD);
		if (access(lg, F_OK) == 0)
			log_warnx("takeover: the master ran a schedule (%s) "
			    "but this node has no events line: no events run "
			    "here", lg);
		return;
	}
	if (sm->s->started)
		return;		/* a master already (a term won again) */
	take_replicated(sm);
	sched_keep_last_good(sm->s, 1);
	sched_set_replay(sm->s, SCHED_TAKEOVER_REPLAY_MS);
	sm->await_until = ev_clock_ms() + SCHED_RESEND_WAIT_MS;
	sched_master_run(m);
	sm_hold_pump(sm, 0);
}
