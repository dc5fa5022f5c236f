/*
 * Unit tests for an old master's unreplicated firings (master/sched/
 * sched_orphan.c, sched_orphan_file.c, the engine's sched_unrepl_fired,
 * docs/FAILOVER.md#an-old-masters-unreplicated-firings): the comparison
 * of the returning node's sched.state with the new master's finds
 * exactly the firings of its own the new master lacks; the list kept on
 * disk holds each once, across a second comparison (a restart while
 * reporting) and up to SCHED_ORPHAN_MAX; a report's every field is
 * checked; an acknowledgement removes what it names; the new master's
 * engine records a reported firing once, as fired by the old master,
 * and runs nothing.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomicfile.h"
#include "check.h"
#include "log.h"
#include "master.pb-c.h"
#include "sched/sched.h"
#include "sched/sched_orphan.h"

#define T0	1700000000000LL

/* A state of up to 4 events (name, last firing) and outbox entries. */
struct st {
	Hd__SchedState	 s;
	Hd__SchedEvent	 ev[4], *evp[4];
	Hd__SchedOut	 out[4], *outp[4];
};

static void
st_init(struct st *t)
{
	memset(t, 0, sizeof(*t));
	hd__sched_state__init(&t->s);
	t->s.events = t->evp;
	t->s.outbox = t->outp;
}

static void
st_ev(struct st *t, const char *name, uint64_t fired)
{
	Hd__SchedEvent	*e = &t->ev[t->s.n_events];

	hd__sched_event__init(e);
	e->name = (char *)(uintptr_t)name;
	e->last_fired_ms = fired;
	t->evp[t->s.n_events++] = e;
}

static void
st_out(struct st *t, const char *event)
{
	Hd__SchedOut	*o = &t->out[t->s.n_outbox];

	hd__sched_out__init(o);
	o->event = (char *)(uintptr_t)event;
	o->node = (char *)"house";
	t->outp[t->s.n_outbox++] = o;
}

static void
test_find(void)
{
	struct st		own, them;
	struct sched_orphan	o[SCHED_ORPHAN_MAX];
	int			n;

	st_init(&own);
	st_init(&them);
	st_ev(&own, "gone", T0 + 5000);		/* fired, theirs older */
	st_ev(&own, "same", T0 + 1000);		/* theirs holds it */
	st_ev(&own, "later", T0 + 1000);	/* theirs has a later one */
	st_ev(&own, "new", T0 + 3000);		/* theirs has no such event */
	st_out(&own, "gone");
	st_out(&own, "gone");
	st_out(&own, "same");
	st_ev(&them, "gone", T0 + 2000);
	st_ev(&them, "same", T0 + 1000);
	st_ev(&them, "later", T0 + 9000);
	n = sched_orphans_find(&own.s, &them.s, o, SCHED_ORPHAN_MAX);
	CHECK(n == 2, "two firings of ours the new master lacks (%d)", n);
	CHECK(n == 2 && strcmp(o[0].event, "new") == 0 &&
	    o[0].fired_ms == T0 + 3000 && strcmp(o[1].event, "gone") == 0 &&
	    o[1].fired_ms == T0 + 5000, "oldest first, each at its instant");
	CHECK(n == 2 && o[1].firing_id == sched_firing_id("gone", T0 + 5000),
	    "the firing id is the engine's for that event and instant");
	CHECK(n == 2 && o[1].commands == 2 && o[0].commands == 0,
	    "its commands still in our outbox are counted");
	n = sched_orphans_find(&own.s, &them.s, o, 1);
	CHECK(n == 1 && strcmp(o[0].event, "new") == 0,
	    "bounded by max: the oldest kept");
	n = sched_orphans_find(&own.s, &own.s, o, SCHED_ORPHAN_MAX);
	CHECK(n == 0, "a state compared with itself: nothing");
	st_init(&own);
	st_ev(&own, "never", 0);
	st_ev(&own, "", T0);
	n = sched_orphans_find(&own.s, &them.s, o, SCHED_ORPHAN_MAX);
	CHECK(n == 0, "an event never fired, or nameless: nothing");
}

static struct sched_orphan
mk(const char *ev, int64_t at)
{
	struct sched_orphan	o;

	memset(&o, 0, sizeof(o));
	snprintf(o.event, sizeof(o.event), "%s", ev);
	o.fired_ms = at;
	o.firing_id = sched_firing_id(ev, at);
	return o;
}

static void
test_merge(void)
{
	struct sched_orphan	have[SCHED_ORPHAN_MAX], a[3];
	int			n, d = 0, i;

	a[0] = mk("x", T0 + 2);
	a[1] = mk("y", T0 + 1);
	a[2] = mk("x", T0 + 2);
	n = sched_orphans_merge(have, 0, SCHED_ORPHAN_MAX, a, 3, &d);
	CHECK(n == 2 && d == 0, "a firing given twice is kept once");
	n = sched_orphans_merge(have, n, SCHED_ORPHAN_MAX, a, 3, &d);
	CHECK(n == 2 && d == 0 && have[0].fired_ms == T0 + 1,
	    "merged again: unchanged, oldest first");
	for (i = 0, n = 0; i < SCHED_ORPHAN_MAX + 5; i++) {
		a[0] = mk("e", T0 + i);
		n = sched_orphans_merge(have, n, SCHED_ORPHAN_MAX, a, 1, &d);
	}
	CHECK(n == SCHED_ORPHAN_MAX && d == 5 &&
	    have[SCHED_ORPHAN_MAX - 1].fired_ms == T0 + SCHED_ORPHAN_MAX - 1,
	    "bounded by SCHED_ORPHAN_MAX, the rest counted as dropped");
}

static void
test_check(void)
{
	Hd__SchedOrphans	m;
	Hd__SchedOrphan		b[SCHED_ORPHAN_MAX + 1], *p[SCHED_ORPHAN_MAX + 1];
	struct sched_orphan	o[SCHED_ORPHAN_MAX + 1];
	char			longname[SCHED_NAME_MAX + 2];
	const char		*why = NULL;
	int			i;

	o[0] = mk("door", T0);
	o[0].commands = 3;
	sched_orphans_msg(&m, b, p, o, 1, 0);
	CHECK(sched_orphans_check(&m, &why) == 0, "a good report passes");
	b[0].firing_id ^= 1;
	CHECK(sched_orphans_check(&m, &why) == -1 && strstr(why, "id") != NULL,
	    "an id that is not its event's: refused");
	b[0].firing_id ^= 1;
	b[0].fired_ms = 0;
	CHECK(sched_orphans_check(&m, &why) == -1, "instant 0: refused");
	b[0].fired_ms = (uint64_t)INT64_MAX + 1;
	CHECK(sched_orphans_check(&m, &why) == -1, "instant past int64: "
	    "refused");
	b[0].fired_ms = T0;
	b[0].noted_ms = (uint64_t)INT64_MAX + 1;
	CHECK(sched_orphans_check(&m, &why) == -1, "noted past int64: refused");
	b[0].noted_ms = 0;
	b[0].commands = SCHED_HOLD_MAX + 1;
	CHECK(sched_orphans_check(&m, &why) == -1, "more commands than an "
	    "outbox holds: refused");
	b[0].commands = 0;
	b[0].event = (char *)"";
	CHECK(sched_orphans_check(&m, &why) == -1, "no event name: refused");
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	b[0].event = longname;
	CHECK(sched_orphans_check(&m, &why) == -1, "a name past "
	    "SCHED_NAME_MAX: refused");
	for (i = 0; i <= SCHED_ORPHAN_MAX; i++)
		o[i] = mk("e", T0 + i);
	sched_orphans_msg(&m, b, p, o, SCHED_ORPHAN_MAX, 0);
	CHECK(sched_orphans_check(&m, &why) == 0, "SCHED_ORPHAN_MAX: passes");
	sched_orphans_msg(&m, b, p, o, SCHED_ORPHAN_MAX + 1, 0);
	CHECK(sched_orphans_check(&m, &why) == -1, "one more: refused");
}

static int
write_state(const char *dir, struct st *t)
{
	char	path[600];
	uint8_t	buf[4096];
	size_t	len = hd__sched_state__pack(&t->s, buf);

	snprintf(path, sizeof(path), "%s/sched.state", dir);
	return atomic_write(path, buf, len, 0600);
}

static void
test_file(void)
{
	char			 dir[] = "/tmp/test_sched_orphan.XXXXXX", path[600];
	struct st		 own, them;
	struct sched_orphan	 o[SCHED_ORPHAN_MAX];
	Hd__SchedOrphans	 ack;
	Hd__SchedOrphan		 b[2], *p[2];
	uint8_t			 tb[4096];
	size_t			 tlen;
	int			 n;

	if (!CHECK(mkdtemp(dir) != NULL, "a state dir"))
		return;
	st_init(&own);
	st_init(&them);
	st_ev(&own, "offline-house", T0 + 7000);
	st_ev(&own, "morning", T0 + 1000);
	st_out(&own, "offline-house");
	st_ev(&them, "offline-house", T0 + 1000);
	st_ev(&them, "morning", T0 + 1000);
	tlen = hd__sched_state__pack(&them.s, tb);
	CHECK(sched_orphans_note(dir, tb, tlen, T0) == 0,
	    "no sched.state of ours: nothing to report");
	CHECK(write_state(dir, &own) == 0, "our sched.state written");
	n = sched_orphans_note(dir, tb, tlen, T0 + 9000);
	CHECK(n == 1, "one firing of ours the new master lacks (%d)", n);
	n = sched_orphans_load(dir, o, SCHED_ORPHAN_MAX);
	CHECK(n == 1 && strcmp(o[0].event, "offline-house") == 0 &&
	    o[0].fired_ms == T0 + 7000 && o[0].commands == 1 &&
	    o[0].noted_ms == T0 + 9000 && o[0].firing_id ==
	    sched_firing_id("offline-house", T0 + 7000),
	    "kept in sched.orphans with its instant, id and commands");
	/* A restart before sched.state was replaced: compared again. */
	n = sched_orphans_note(dir, tb, tlen, T0 + 20000);
	CHECK(n == 1 && sched_orphans_load(dir, o, SCHED_ORPHAN_MAX) == 1 &&
	    o[0].noted_ms == T0 + 9000, "compared again: still once, as "
	    "first noted");
	CHECK(sched_orphans_note(dir, (const uint8_t *)"\xff\xff", 2, T0) == -1,
	    "the master's bytes not a sched.state: -1, nothing added");
	CHECK(sched_orphans_load(dir, o, SCHED_ORPHAN_MAX) == 1,
	    "the list as it was");
	sched_orphans_msg(&ack, b, p, o, 1, 1);
	b[0].firing_id ^= 2;
	CHECK(sched_orphans_remove(o, 1, &ack) == 1,
	    "an ack of another firing removes nothing");
	b[0].firing_id ^= 2;
	n = sched_orphans_remove(o, 1, &ack);
	CHECK(n == 0 && sched_orphans_save(dir, o, n) == 0,
	    "the ack removes it");
	snprintf(path, sizeof(path), "%s/%s", dir, SCHED_ORPHAN_FILE);
	CHECK(access(path, F_OK) == -1 && errno == ENOENT,
	    "an empty list leaves no file");
	CHECK(sched_orphans_load(dir, o, SCHED_ORPHAN_MAX) == 0,
	    "no file: nothing pending");
	CHECK(atomic_write(path, "\x0a\x01\x00", 3, 0600) == 0 &&
	    sched_orphans_load(dir, o, SCHED_ORPHAN_MAX) == -1,
	    "a damaged list: -1, logged");
	unlink(path);
	snprintf(path, sizeof(path), "%s/sched.state", dir);
	unlink(path);
	rmdir(dir);
}

/* The new master's engine records a reported firing, runs nothing. */
static int	ncommands;

static int
get_value(void *arg, const struct sched_devref *r, struct sched_val *v)
{
	(void)arg;
	(void)r;
	(void)v;
	return -1;
}

static int
command(void *arg, const struct sched_act *a, const char *by, char *why,
    size_t len)
{
	(void)arg;
	(void)a;
	(void)by;
	(void)why;
	(void)len;
	ncommands++;
	return 0;
}

static const struct sched_ops ops = { get_value, command };

static void
test_engine(void)
{
	static const char	 events[] = "event gone { when offline house "
				    "do set house/lamp.on = on }\n";
	struct sched		*s;
	struct sched_errs	 e;
	struct sched_event	*ev;
	int64_t			 now = T0 + 60000;

	s = sched_new(&ops, NULL, 52.5, 13.4, NULL);
	if (!CHECK(s != NULL && sched_load_buf(s, "home.events", events,
	    sizeof(events) - 1, now, &e) == 0, "an engine with the event"))
		return;
	sched_start(s, now);
	ev = sched_prog_find(sched_program(s), "gone");
	if (!CHECK(ev != NULL, "the event"))
		return;
	CHECK(sched_unrepl_fired(s, ev, T0 + 7000, now) == 0,
	    "a reported firing is recorded");
	CHECK(ev->last_fired == T0 + 7000 && strcmp(ev->last_result,
	    SCHED_UNREPL_RESULT) == 0, "as its last firing, marked fired by "
	    "the old master, unreplicated (not missed)");
	CHECK(ev->nran == 1 && ev->ran[0].local == SCHED_RAN_UNREPL &&
	    ev->ran[0].fid == sched_firing_id("gone", T0 + 7000),
	    "in its recent runs, on the old master");
	CHECK(ev->missed.count == 0, "not counted missed");
	CHECK(sched_unrepl_fired(s, ev, T0 + 7000, now + 1) == 1 &&
	    ev->nran == 1, "reported again: known, recorded once");
	CHECK(sched_unrepl_fired(s, ev, T0 + 3000, now + 2) == 0 &&
	    ev->last_fired == T0 + 7000 && ev->nran == 2,
	    "an older one: in the runs, the last firing kept");
	sched_run(s, now + 120000);
	CHECK(ncommands == 0, "nothing ran (%d commands)", ncommands);
	sched_free(s);
}

int
main(void)
{
	log_init("test_sched_orphan", 0);
	test_find();
	test_merge();
	test_check();
	test_file();
	test_engine();
	return check_done();
}
