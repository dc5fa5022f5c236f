/* The master set up for the scheduler's tests in hd-master
 * (sched_fake.h): test_sched_master, test_sched_run. */

#include <sys/stat.h>

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ev.h"
#include "stub_master.h"
#include "sched_fake.h"

int		 sched_fake_peer;
static char	 dir[256], evpath[512];

const char *
sched_fake_path(const char *name)
{
	static char	ring[4][512];
	static int	next;
	char		*p = ring[next++ % 4];

	snprintf(p, sizeof(ring[0]), "%.255s/%.200s", dir, name);
	return p;
}

void
sched_fake_events(const char *text)
{
	FILE *f;

	unlink(evpath);
	if ((f = fopen(evpath, "w")) != NULL) {
		fputs(text, f);
		fclose(f);
	}
}

int
sched_fake_master(struct master *m, const char *tag, const char *events,
    const char *const *nodes)
{
	snprintf(dir, sizeof(dir), "%.150s/hd-test-%.20s.XXXXXX",
	    getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp", tag);
	if (mkdtemp(dir) == NULL)
		return -1;
	TAILQ_INIT(&m->nodes);
	TAILQ_INIT(&m->peers);
	m->conf.state_dir = dir;
	snprintf(evpath, sizeof(evpath), "%s", sched_fake_path("house.events"));
	m->conf.events = evpath;
	sched_fake_events(events);
	m->loop = ev_loop_new();
	m->next_cmd = 1;		/* as node_state_load() leaves it */
	for (; *nodes != NULL; nodes++)
		node_get(m, *nodes, 1)->peer = (struct peer *)&sched_fake_peer;
	return 0;
}

static int
rm_one(const char *p, const struct stat *st, int flag, struct FTW *f)
{
	(void)st;
	(void)flag;
	(void)f;
	return remove(p);
}

int
sched_fake_master_clean(void)
{
	return nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}
