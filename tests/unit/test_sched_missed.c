/*
 * Unit tests for an event's missed record in sched.state
 * (shared/sched/sched_state.c, docs/SCHEDULER.md, missed events): it
 * survives a restart and adds up across several; a file of an earlier
 * build (no record, format 0 or 1) still loads; a record out of range
 * (a damaged file, or a peer's) is dropped or cut with the reason; a
 * standby that takes over from the master's copy of the file shows the
 * master's record, plus its own misses of the takeover gap; a copy that
 * lags behind a miss the master judged makes the standby judge the same
 * instants again, so the record never loses them. The "disk" is memory
 * (sched_set_state_io), one per node, copied as the state sync would.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "log.h"
#include "master.pb-c.h"
#include "sched/sched.h"
#include "sched_fake.h"
#include "sched_test.h"
#include "statefmt.h"

#define MIN	60000LL
#define LAT	52.52
#define LON	13.405

static struct sched_fake_disk	 master_disk, sb_disk;
static int		 nrange;		/* warnings of records dropped */
static char		 rangewarn[512];

static void
log_hook(const char *level, const char *text, void *arg)
{
	(void)arg;
	if (strcmp(level, "warn") == 0 && strstr(text, "missed record") !=
	    NULL) {
		nrange++;
		snprintf(rangewarn, sizeof(rangewarn), "%s", text);
	}
}

static const char events[] =
    "event strict { when every 1 min catch-up none do set x/y.z = 1 }\n"
    "event morning { when at 07:00 catch-up none do set x/y.z = 2 }\n"
    "event quiet { when every 1 min do set x/y.z = 3 }\n";

/* An engine on `d` started at `now`; a takeover's replay if `takeover`. */
static struct sched *
node(struct sched_fake_disk *d, int64_t now, int takeover)
{
	struct sched		*s;
	struct sched_errs	 e;

	s = sched_new(&sched_fake_ops, NULL, LAT, LON, NULL);
	sched_fake_disk_use(s, d);
	if (sched_load_buf(s, "home.events", events, sizeof(events) - 1, now,
	    &e) == -1) {
		printf("# %s", e.buf);
		sched_free(s);
		return NULL;
	}
	if (takeover)
		sched_set_replay(s, SCHED_TAKEOVER_REPLAY_MS);
	sched_start(s, now);
	return s;
}

static void
run_to(struct sched *s, int64_t until)
{
	int64_t t;

	while ((t = sched_next(s)) <= until)
		sched_run(s, t);
	sched_run(s, until);
}

static const struct sched_missed *
missed_of(const struct sched *s, const char *name)
{
	const struct sched_event *ev = sched_prog_find(sched_program(s), name);

	return ev != NULL ? &ev->missed : NULL;
}

/* Two restarts: each gap's instants add to the record, the last wins. */
static void
test_restarts(void)
{
	int64_t				 t0 = utc(2026, 11, 23, 5, 30);
	const struct sched_missed	*mi;
	struct sched			*s;
	struct sched_missed		 first;

	sched_fake_disk_wipe(&master_disk);
	s = node(&master_disk, t0, 0);
	if (!CHECK(s != NULL, "restart: the events load"))
		return;
	run_to(s, t0 + 10 * MIN);	/* 06:40 local: every minute handled */
	sched_free(s);			/* killed: the file is what it was */
	s = node(&master_disk, t0 + 30 * MIN, 0);	/* 07:00 local */
	mi = missed_of(s, "strict");
	CHECK(mi != NULL && mi->count == 20 && mi->last_due == t0 + 30 * MIN &&
	    mi->at == t0 + 30 * MIN && strstr(mi->why, "while the master "
	    "was stopped") != NULL, "restart 1: 20 instants of 'every 1 min' "
	    "missed (%" PRId64 ", %s)", mi != NULL ? mi->count : -1,
	    mi != NULL ? mi->why : "");
	if (mi == NULL) {
		sched_free(s);
		return;
	}
	first = *mi;
	mi = missed_of(s, "quiet");
	CHECK(mi != NULL && mi->count == 19, "restart 1: 19 of the catch-up "
	    "event skipped, the last run (%" PRId64 ")", mi != NULL ?
	    mi->count : -1);
	sched_enable(s, "quiet", 0, t0 + 30 * MIN);
	sched_free(s);
	/* Down again from 07:00 to 08:10 local: 70 more. */
	s = node(&master_disk, t0 + 100 * MIN, 0);
	mi = missed_of(s, "strict");
	CHECK(mi != NULL && mi->count == first.count + 70 && mi->last_due ==
	    t0 + 100 * MIN && mi->at == t0 + 100 * MIN && strcmp(mi->why,
	    "skipped while the master was stopped: 0 s late, catch-up none") ==
	    0, "restart 2: the record survives and adds the second gap's 70 "
	    "(%" PRId64 ", %s)", mi != NULL ? mi->count : -1, mi != NULL ?
	    mi->why : "");
	mi = missed_of(s, "quiet");
	CHECK(mi != NULL && mi->count == 19 && mi->last_due == first.at -
	    MIN && strstr(mi->why, "only the last instant ran") != NULL,
	    "restart 2: a disabled event's record is the same as before the "
	    "restart, nothing added (%" PRId64 ")", mi != NULL ? mi->count :
	    -1);
	sched_free(s);
}

/* The file as an earlier build wrote it: no record, format `fmt`. */
static void
strip_records(struct sched_fake_disk *d, uint32_t fmt)
{
	Hd__SchedState	*st;
	size_t		 i;
	uint8_t		*p;

	if ((st = hd__sched_state__unpack(NULL, d->len, d->p)) == NULL)
		return;
	for (i = 0; i < st->n_events; i++)
		if (st->events[i]->missed != NULL) {
			protobuf_c_message_free_unpacked(
			    &st->events[i]->missed->base, NULL);
			st->events[i]->missed = NULL;
		}
	st->format = fmt;
	if ((p = malloc(hd__sched_state__get_packed_size(st) + 1)) != NULL) {
		d->len = hd__sched_state__pack(st, p);
		free(d->p);
		d->p = p;
	}
	hd__sched_state__free_unpacked(st, NULL);
}

static void
test_old_file(void)
{
	int64_t				 t0 = utc(2026, 11, 23, 5, 30);
	const struct sched_missed	*mi;
	const struct sched_event	*ev;
	struct sched			*s;
	Hd__SchedState			*st;
	size_t				 before;
	int				 ok = 1;
	uint32_t			 fmt;

	for (fmt = 0; fmt <= 1; fmt++) {
		sched_fake_disk_wipe(&master_disk);
		s = node(&master_disk, t0, 0);
		run_to(s, t0 + 10 * MIN);
		sched_free(s);
		s = node(&master_disk, t0 + 30 * MIN, 0);
		sched_enable(s, "morning", 0, t0 + 30 * MIN);
		sched_free(s);
		before = master_disk.len;
		strip_records(&master_disk, fmt);
		st = hd__sched_state__unpack(NULL, master_disk.len,
		    master_disk.p);
		ok = st != NULL && master_disk.len < before;
		if (st != NULL)
			hd__sched_state__free_unpacked(st, NULL);
		CHECK(ok, "format %u without records: %zu bytes (%zu with)",
		    fmt, master_disk.len, before);
		nrange = 0;
		s = node(&master_disk, t0 + 35 * MIN, 0);
		mi = missed_of(s, "strict");
		ev = sched_prog_find(sched_program(s), "morning");
		CHECK(s != NULL && mi != NULL && mi->count == 5 && ev != NULL &&
		    !ev->enabled && nrange == 0, "format %u: loads, its other "
		    "state kept (morning disabled), the record starts afresh "
		    "with this gap's 5 (%" PRId64 ")", fmt,
		    mi != NULL ? mi->count : -1);
		sched_free(s);
	}
}

/* Set strict's record in the file to what `set` makes of it. */
static void
edit_record(struct sched_fake_disk *d, void (*set)(Hd__SchedMissed *))
{
	Hd__SchedState	*st;
	size_t		 i;
	uint8_t		*p;

	if ((st = hd__sched_state__unpack(NULL, d->len, d->p)) == NULL)
		return;
	for (i = 0; i < st->n_events; i++)
		if (strcmp(st->events[i]->name, "strict") == 0 &&
		    st->events[i]->missed != NULL)
			set(st->events[i]->missed);
	if ((p = malloc(hd__sched_state__get_packed_size(st) + 1)) != NULL) {
		d->len = hd__sched_state__pack(st, p);
		free(d->p);
		d->p = p;
	}
	hd__sched_state__free_unpacked(st, NULL);
}

static char	longwhy[4 * SCHED_MISSED_WHY_MAX];

static void
set_huge(Hd__SchedMissed *m)
{
	m->count = (uint64_t)SCHED_MISSED_COUNT_MAX + 1;
}

static void
set_near(Hd__SchedMissed *m)
{
	m->count = (uint64_t)SCHED_MISSED_COUNT_MAX - 2;
}

static void
set_far(Hd__SchedMissed *m)
{
	m->at_ms = (uint64_t)INT64_MAX + 1;
}

static void
set_long(Hd__SchedMissed *m)
{
	memset(longwhy, 'w', sizeof(longwhy) - 1);
	free(m->why);		/* the unpacked message's own */
	if ((m->why = strdup(longwhy)) == NULL)
		abort();
}

/* A file whose strict has a record, then `set` applied, restarted
 * `later` ms after 07:00: strict's record. */
static const struct sched_missed *
restart_edited(struct sched **sp, void (*set)(Hd__SchedMissed *),
    int64_t later)
{
	int64_t		t0 = utc(2026, 11, 23, 5, 30);
	struct sched	*s;

	sched_fake_disk_wipe(&master_disk);
	s = node(&master_disk, t0, 0);
	run_to(s, t0 + 10 * MIN);
	sched_free(s);
	s = node(&master_disk, t0 + 30 * MIN, 0);
	sched_free(s);
	edit_record(&master_disk, set);
	nrange = 0;
	*rangewarn = '\0';
	*sp = node(&master_disk, t0 + 30 * MIN + later, 0);
	return *sp != NULL ? missed_of(*sp, "strict") : NULL;
}

static void
test_bounds(void)
{
	const struct sched_missed	*mi;
	struct sched			*s;

	mi = restart_edited(&s, set_huge, 5 * MIN);
	CHECK(mi != NULL && mi->count == 5 && nrange == 1 && strstr(rangewarn,
	    "event strict: its missed record in the state file is out of "
	    "range") != NULL, "a count over SCHED_MISSED_COUNT_MAX: the "
	    "record dropped, said, this gap's 5 kept (%s)", rangewarn);
	sched_free(s);
	mi = restart_edited(&s, set_far, 5 * MIN);
	CHECK(mi != NULL && mi->count == 5 && nrange == 1,
	    "an instant beyond int64: the record dropped, said");
	sched_free(s);
	mi = restart_edited(&s, set_near, 5 * MIN);
	CHECK(mi != NULL && mi->count == SCHED_MISSED_COUNT_MAX && nrange == 0,
	    "a count near the bound: 5 more stop at SCHED_MISSED_COUNT_MAX");
	sched_free(s);
	/* 30 s later: no instant in between, the record as restored. */
	mi = restart_edited(&s, set_long, 30000);
	CHECK(mi != NULL && mi->count == 20 && strlen(mi->why) ==
	    SCHED_MISSED_WHY_MAX - 1 && strspn(mi->why, "w") ==
	    SCHED_MISSED_WHY_MAX - 1, "a why longer than "
	    "SCHED_MISSED_WHY_MAX: cut to %d bytes (%zu)",
	    SCHED_MISSED_WHY_MAX - 1, mi != NULL ? strlen(mi->why) : 0);
	sched_free(s);
}

/*
 * The standby holds the master's file as the state sync brought it. It
 * takes over: the master's record, plus the instants of the takeover
 * gap, said so. A copy older than the master's last miss: the standby
 * judges those instants again (they were never handled in its copy), so
 * the record counts each once whichever copy it got.
 */
static void
test_takeover(void)
{
	int64_t				 t0 = utc(2026, 11, 23, 5, 30);
	const struct sched_missed	*mi;
	struct sched			*s, *m;
	int64_t				 count;

	sched_fake_disk_wipe(&master_disk);
	sched_fake_disk_wipe(&sb_disk);
	m = node(&master_disk, t0, 0);
	run_to(m, t0 + 10 * MIN);
	sched_free(m);
	m = node(&master_disk, t0 + 30 * MIN, 0);	/* 20 missed */
	run_to(m, t0 + 40 * MIN);
	sched_fake_disk_copy(&sb_disk, &master_disk);
	sched_free(m);		/* SIGKILL */
	s = node(&sb_disk, t0 + 40 * MIN + 1500, 1);
	mi = missed_of(s, "strict");
	CHECK(mi != NULL && mi->count == 20 && mi->last_due == t0 + 30 * MIN &&
	    strstr(mi->why, "while the master was stopped") != NULL,
	    "takeover within a second: the new master shows the old one's "
	    "record as it was (%" PRId64 ", %s)", mi != NULL ? mi->count : -1,
	    mi != NULL ? mi->why : "");
	sched_free(s);
	/* Elected only 3 min later: 3 more, in the takeover gap. */
	sched_fake_disk_copy(&sb_disk, &master_disk);
	s = node(&sb_disk, t0 + 43 * MIN + 1500, 1);
	mi = missed_of(s, "strict");
	CHECK(mi != NULL && mi->count == 23 && mi->last_due == t0 + 43 * MIN &&
	    strcmp(mi->why, "skipped in the takeover gap: 1 s late, catch-up "
	    "none") == 0, "takeover 3 min later: the old master's 20 and the "
	    "gap's 3 (%" PRId64 ", %s)", mi != NULL ? mi->count : -1,
	    mi != NULL ? mi->why : "");
	sched_free(s);
	/* The copy lags: the standby got the file before the master's
	 * restart judged the 20, and nothing after it. */
	sched_fake_disk_wipe(&master_disk);
	m = node(&master_disk, t0, 0);
	run_to(m, t0 + 10 * MIN);
	sched_fake_disk_copy(&sb_disk, &master_disk);
	sched_free(m);
	m = node(&master_disk, t0 + 30 * MIN, 0);
	count = missed_of(m, "strict")->count;
	sched_free(m);		/* killed before its file reached the standby */
	s = node(&sb_disk, t0 + 30 * MIN + 1500, 1);
	mi = missed_of(s, "strict");
	CHECK(count == 20 && mi != NULL && mi->count == count &&
	    mi->last_due == t0 + 30 * MIN && strstr(mi->why, "takeover gap")
	    != NULL, "a copy older than the master's miss: the standby judges "
	    "the same %" PRId64 " instants itself (%" PRId64 ")", count,
	    mi != NULL ? mi->count : -1);
	sched_free(s);
}

int
main(void)
{
	log_init("test", 0);
	log_sethook(log_hook, NULL);
	tz("Europe/Berlin");
	test_restarts();
	test_old_file();
	test_bounds();
	test_takeover();
	log_sethook(NULL, NULL);
	sched_fake_disk_wipe(&master_disk);
	sched_fake_disk_wipe(&sb_disk);
	return check_done();
}
