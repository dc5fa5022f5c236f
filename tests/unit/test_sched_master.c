/*
 * Unit tests for master/sched/sched_master.c: a scheduled command's result is
 * matched by the slave it went to and its id, so that another slave
 * cannot fail or clear it. A master with two nodes built by hand; the
 * cluster link is tests/unit/stub_master.c, which numbers commands.
 */

#include <sys/stat.h>

#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "ev.h"
#include "stub_master.h"
#include "sched/sched.h"
#include "sched_fake.h"
#include "../../master/sched/sched_master.h"

static struct master	m;

/* The fixture's (sched_fake.h), under this file's short names. */
#define T(name)			sched_fake_path(name)
#define write_events(text)	sched_fake_events(text)

/* The event's last result, as the API shows it. */
static const char *
last_result(const char *event)
{
	const struct sched_prog	*p = sched_program(sched_master_engine(&m));
	int			 i;

	for (i = 0; p != NULL && i < p->nev; i++)
		if (strcmp(p->ev[i].name, event) == 0)
			return p->ev[i].last_result;
	return "(no such event)";
}

static void
result(const char *node, uint64_t id, Hd__CommandResult__Status st,
    const char *detail)
{
	Hd__CommandResult r = HD__COMMAND_RESULT__INIT;

	r.id = id;
	r.status = st;
	r.detail = (char *)(uintptr_t)detail;
	sched_master_result(&m, node_get(&m, node, 0), &r);
}

static void
test_match(void)
{
	uint64_t	id;
	char		before[SCHED_RESULT_MAX];

	if (!CHECK(stub.ncmds == 1, "the start-up event sent one command "
	    "to slave-b (%d)", stub.ncmds))
		return;
	id = stub.next_id;
	snprintf(before, sizeof(before), "%s", last_result("to-b"));
	result("slave-a", id, HD__COMMAND_RESULT__STATUS__FAILED, "forged");
	CHECK(strcmp(last_result("to-b"), before) == 0, "slave-a's FAILED "
	    "for slave-b's command: ignored (%s)", last_result("to-b"));
	result("slave-a", id, HD__COMMAND_RESULT__STATUS__OK, "");
	result("slave-b", id, HD__COMMAND_RESULT__STATUS__FAILED, "jammed");
	CHECK(strstr(last_result("to-b"), "jammed") != NULL,
	    "slave-a's OK did not clear it: slave-b's own FAILED counts (%s)",
	    last_result("to-b"));
	snprintf(before, sizeof(before), "%s", last_result("to-b"));
	result("slave-b", id, HD__COMMAND_RESULT__STATUS__FAILED, "again");
	CHECK(strcmp(last_result("to-b"), before) == 0,
	    "a second result for the same command: ignored");
	result("slave-b", id + 1, HD__COMMAND_RESULT__STATUS__FAILED, "x");
	result("slave-b", 0, HD__COMMAND_RESULT__STATUS__FAILED, "x");
	CHECK(strcmp(last_result("to-b"), before) == 0,
	    "a result for an id never sent, or id 0: ignored");
}

/* A program with `to-b` only: the one loaded before still runs. */
static int
still_to_b(void)
{
	const struct sched_prog *p = sched_program(sched_master_engine(&m));

	return p != NULL && p->nev == 1 && strcmp(p->ev[0].name, "to-b") == 0;
}

/*
 * An events file or include that is a FIFO: a plain open would wait for
 * a writer, with the master's loop stopped. Refused at once, the old
 * schedule keeps running. The alarm fails the run instead of hanging.
 */
static void
test_fifo(void)
{
	alarm(10);
	write_events("event other { when startup do notify \"x\" }\n"
	    "include \"inc.events\"\n");
	CHECK(mkfifo(T("inc.events"), 0600) == 0, "an include that is a FIFO");
	sched_master_reload(&m);
	CHECK(still_to_b(), "SIGHUP with a FIFO include: refused at once, the "
	    "old schedule runs");
	unlink(m.conf.events);
	CHECK(mkfifo(m.conf.events, 0600) == 0, "the events file a FIFO");
	sched_master_reload(&m);
	CHECK(still_to_b(), "SIGHUP with a FIFO events file: the same");
	sched_master_stop(&m);
	CHECK(sched_master_start(&m, 0) == 0 && still_to_b(), "start-up with "
	    "a FIFO events file: at once, on the last good schedule");
	alarm(0);
}

/*
 * Local rules (docs/SCHEDULER.md#local-rules): an event of slave-b's own
 * devices and time is left to slave-b while it is offline (no command,
 * no failure); its LocalFiring on return becomes the event's result,
 * marked local; one from a slave the event is not local to is only
 * logged; a malformed one drops the slave (-1).
 */
static void
test_local(void)
{
	struct sched_event	*ev;
	struct node		*b = node_get(&m, "slave-b", 0);
	Hd__LocalFiring		 f = HD__LOCAL_FIRING__INIT;
	char			 longname[SCHED_NAME_MAX + 10];
	int			 n0 = stub.ncmds;
	int64_t			 due;

	write_events("event lamp { when at 06:00 do set slave-b/sim:lamp.on = on }\n");
	sched_master_reload(&m);
	ev = sched_prog_find(sched_program(sched_master_engine(&m)), "lamp");
	if (!CHECK(ev != NULL, "an event local to slave-b"))
		return;
	b->peer = NULL;
	sched_fire(sched_master_engine(&m), "lamp", 1780293600000LL);
	CHECK(stub.ncmds == n0 && strstr(last_result("lamp"), "left to slave "
	    "slave-b's local rules") != NULL && strstr(last_result("lamp"),
	    "fail") == NULL, "slave-b offline: its local event is left to it, "
	    "no command, no failure (%s)", last_result("lamp"));
	/* due after anything the master handled itself: it must move */
	due = (int64_t)ev_wall_ms() + 3600000;
	f.event = "lamp";
	f.due_ms = (uint64_t)due;
	f.fired_ms = (uint64_t)due + 123;
	f.firing_id = sched_firing_id("lamp", due);
	f.result = "fired";
	CHECK(sched_master_local_firing(&m, b, &f) == 0 &&
	    strcmp(last_result("lamp"), "local: fired") == 0 &&
	    ev->last_fired == due + 123 && ev->trig[0].last_due == due,
	    "its LocalFiring: the event's result, marked local, its instant "
	    "handled (%s)", last_result("lamp"));
	f.result = "again";
	CHECK(sched_master_local_firing(&m, node_get(&m, "slave-a", 0), &f) ==
	    0 && strcmp(last_result("lamp"), "local: fired") == 0,
	    "the same from slave-a (not its event): logged only");
	memset(longname, 'x', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	f.event = longname;
	CHECK(sched_master_local_firing(&m, b, &f) == -1,
	    "an event name over SCHED_NAME_MAX: malformed, the slave dropped");
	b->peer = (struct peer *)&sched_fake_peer;
}

/* The outbox in the state file as it is now: how many, and the first's
 * id. */
static int
outbox_in_file(uint64_t *first)
{
	Hd__SchedState	*st;
	uint8_t		 buf[65536];
	FILE		*f = fopen(T("sched.state"), "r");
	size_t		 n;
	int		 r;

	if (f == NULL)
		return -1;
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	if ((st = hd__sched_state__unpack(NULL, n, buf)) == NULL)
		return -1;
	r = (int)st->n_outbox;
	*first = r > 0 ? st->outbox[0]->id : 0;
	hd__sched_state__free_unpacked(st, NULL);
	return r;
}

/*
 * The outbox (docs/FAILOVER.md#scheduled-firings): with a standby
 * attached, a firing's command is written into sched.state with its
 * record and waits until the standby holds that version; a master that
 * starts from that file (a takeover) sends it again under the same id.
 * A standby that never answers holds it SCHED_SYNC_WAIT_MS at most.
 */
static void
test_outbox(void)
{
	int		 n0, i;
	uint64_t	 id = 0, again, t0, t1;

	write_events("event lamp { when at 06:00 do set slave-b/sim:lamp.on = on }\n");
	sched_master_reload(&m);
	if (!sched_master_engine(&m)->started)	/* test_fifo's start */
		sched_master_run(&m);
	sched_master_set_sync(&sched_fake_sync);
	sched_fake_sb.attached = 1;
	sched_fake_sb.applied = 0;
	n0 = stub.ncmds;
	sched_fire(sched_master_engine(&m), "lamp", (int64_t)ev_wall_ms());
	sched_master_sync_poll(&m);	/* as the timer after the batch */
	CHECK(stub.ncmds == n0 && outbox_in_file(&id) == 1 && id != 0,
	    "a firing's command is in sched.state's outbox and waits for "
	    "the standby (%d sent)", stub.ncmds - n0);
	sched_fake_sb.applied = 7;
	sched_master_sync_poll(&m);
	CHECK(stub.ncmds == n0 + 1 && stub.last_id == id, "the standby holds "
	    "that version: it goes, under the id recorded");
	/* The master dies here (stepping down: nothing more is sent), and
	 * a master starts from its file: the command goes again, same id. */
	m.restart = 1;
	sched_master_stop(&m);
	m.restart = 0;
	sched_fake_sb.attached = 0;
	CHECK(sched_master_start(&m, 0) == 0, "a new master on that file");
	sched_master_takeover(&m);
	CHECK(stub.ncmds == n0 + 2 && stub.last_id == id, "it sends the "
	    "outbox's command again under the same id (a slave's memo "
	    "answers a repeat)");
	sched_fake_sb.attached = 1;
	sched_fake_sb.applied = 0;
	t0 = ev_clock_ms();
	sched_fire(sched_master_engine(&m), "lamp", (int64_t)ev_wall_ms());
	sched_master_sync_poll(&m);
	again = stub.ncmds;
	for (i = 0; i < 300 && stub.ncmds == n0 + 2; i++) {
		usleep(10000);		/* polls a deadline: bounded */
		sched_master_sync_poll(&m);
	}
	t1 = ev_clock_ms();
	CHECK(again == (uint64_t)n0 + 2 && stub.ncmds == n0 + 3 &&
	    t1 - t0 >= SCHED_SYNC_WAIT_MS, "a standby that never answers: "
	    "the command goes after SCHED_SYNC_WAIT_MS (%" PRIu64 " ms)",
	    t1 - t0);
	sched_fake_sb.attached = 0;
	sched_master_set_sync(&(struct sched_sync){ NULL, NULL, NULL, NULL });
}

/*
 * A firing just after a takeover whose slave is not back yet waits in
 * the outbox for it (HOLD_RESEND); its record must reach the standby
 * first too: the slave back, its command goes only once the standby
 * holds that version, or SCHED_SYNC_WAIT_MS after the firing (tests/sim
 * seed 801: a run's command went at once, and a second takeover from the
 * older copy fired the run again under another id).
 */
static void
test_await_sync(void)
{
	struct node	*b = node_get(&m, "slave-b", 0);
	int		 n0, i;

	write_events("event both { when at 06:00 do set slave-b/sim:lamp.on = "
	    "on\n\tset slave-a/sim:lamp.on = on }\n");
	sched_master_reload(&m);
	m.restart = 1;
	sched_master_stop(&m);
	m.restart = 0;
	CHECK(sched_master_start(&m, 0) == 0, "a master taking over");
	sched_master_takeover(&m);
	sched_master_sync_poll(&m);
	b->peer = NULL;
	sched_master_set_sync(&sched_fake_sync);
	sched_fake_sb.attached = 1;
	sched_fake_sb.version++;
	sched_fake_sb.applied = 0;
	n0 = stub.ncmds;
	sched_fire(sched_master_engine(&m), "both", (int64_t)ev_wall_ms());
	sched_master_sync_poll(&m);
	CHECK(stub.ncmds == n0, "just after the takeover, slave-b away: "
	    "nothing sent yet (%d)", stub.ncmds - n0);
	b->peer = (struct peer *)&sched_fake_peer;
	sched_master_node(&m, b, 1);
	sched_master_sync_poll(&m);
	CHECK(stub.ncmds == n0, "slave-b back, the standby lacking the "
	    "record: its command still waits (%d sent)", stub.ncmds - n0);
	sched_fake_sb.applied = sched_fake_sb.version;
	sched_master_sync_poll(&m);
	CHECK(stub.ncmds == n0 + 2, "the standby holds it: both commands go "
	    "(%d)", stub.ncmds - n0);
	/* Without the standby's word: SCHED_SYNC_WAIT_MS after the firing. */
	b->peer = NULL;
	sched_fake_sb.version++;
	n0 = stub.ncmds;
	sched_fire(sched_master_engine(&m), "both", (int64_t)ev_wall_ms());
	sched_master_sync_poll(&m);
	b->peer = (struct peer *)&sched_fake_peer;
	sched_master_node(&m, b, 1);
	for (i = 0; i < 300 && stub.ncmds < n0 + 2; i++) {
		usleep(10000);		/* polls a deadline: bounded */
		sched_master_sync_poll(&m);
	}
	CHECK(stub.ncmds == n0 + 2 && i >= SCHED_SYNC_WAIT_MS / 10 / 2,
	    "a standby that never holds it: both go after the wait (%d "
	    "polls)", i);
	sched_fake_sb.attached = 0;
	sched_master_set_sync(&(struct sched_sync){ NULL, NULL, NULL, NULL });
}

/* A report of slave-b's door (or its lamp), envelope seq `seq`, read at
 * `read`. */
static void
report_of(const char *dev, const char *key, uint64_t seq, int open,
    uint64_t read)
{
	struct node	*b = node_get(&m, "slave-b", 0);
	Hd__ValueReport	 r = HD__VALUE_REPORT__INIT;
	Hd__Value	 v = HD__VALUE__INIT;

	v.v_case = HD__VALUE__V_B;
	v.b = open;
	r.device_id = (char *)(uintptr_t)dev;
	r.key = (char *)(uintptr_t)key;
	r.value = &v;
	r.time_ms = read;
	b->last_seq = seq;
	sched_master_value(&m, b, &r);
}

static void
door(uint64_t seq, int open, uint64_t read)
{
	report_of("sim:door", "open", seq, open, read);
}

/*
 * A value-triggered firing (docs/FAILOVER.md#value-triggered-firings):
 * its commands' ids derive from the slave's reading, and the report that
 * caused it is not acknowledged to the slave (node.ack_below) until the
 * standby holds the firing's record, so that a new master gets it
 * replayed; SCHED_ACK_HOLD_MS at most. So is one that changed what
 * decides a later firing (the door's first reading, its leaving the
 * trigger's 'to'). A report that changes nothing the standby must hold,
 * or one without a standby, is acknowledged at once.
 */
static void
test_ack_hold(void)
{
	struct node	*b = node_get(&m, "slave-b", 0);
	uint64_t	 R = ev_wall_ms() - 20, t0, t1;
	int		 n0, i;

	write_events("event door { when slave-b/sim:door.open changes to on "
	    "do set slave-b/sim:lamp.on = on }\n");
	sched_master_reload(&m);
	sched_master_set_sync(&sched_fake_sync);
	sched_fake_sb.attached = 1;
	sched_fake_sb.applied = 0;
	door(10, 0, R - 1000);
	CHECK(b->ack_below == 10, "a first reading (the trigger's last "
	    "value): not acknowledged while the standby lacks it");
	sched_fake_sb.applied = 7;
	sched_master_sync_poll(&m);
	CHECK(b->ack_below == 0, "... acknowledged once it holds it");
	sched_fake_sb.applied = 0;
	n0 = stub.ncmds;
	door(11, 1, R);
	sched_master_sync_poll(&m);
	CHECK(b->ack_below == 11 && stub.ncmds == n0, "the report that "
	    "fired: not acknowledged while the standby lacks the record");
	sched_fake_sb.applied = 7;
	sched_master_sync_poll(&m);
	CHECK(b->ack_below == 0 && stub.ncmds == n0 + 1 && stub.last_id ==
	    sched_cmd_id_of("door", (int64_t)R, 0, 0), "the standby holds "
	    "it: acknowledged; the command went, under the id of (door, the "
	    "reading's instant, 0, 0)");
	sched_fake_sb.applied = 0;
	report_of("sim:lamp", "on", 12, 1, R + 5);
	CHECK(b->ack_below == 0, "a report no trigger watches: acknowledged "
	    "at once");
	t0 = ev_clock_ms();
	door(13, 0, R + 10);
	door(14, 1, R + 20);
	sched_master_sync_poll(&m);
	CHECK(b->ack_below == 13, "the door closed (it left the trigger's "
	    "'to'), then another firing, the standby silent: both held");
	for (i = 0; i < 1000 && b->ack_below != 0; i++) {
		usleep(10000);		/* polls a deadline: bounded */
		sched_master_sync_poll(&m);
	}
	t1 = ev_clock_ms();
	CHECK(b->ack_below == 0 && t1 - t0 >= SCHED_ACK_HOLD_MS &&
	    stub.ncmds == n0 + 2, "... acknowledged after SCHED_ACK_HOLD_MS "
	    "(%" PRIu64 " ms), the command gone before", t1 - t0);
	/* A replay of many (more than the table of holds): the slave's first
	 * held report stays held until the standby holds the newest state. */
	sched_fake_sb.applied = 0;
	for (i = 0; i < 2 * SCHED_ACK_HOLDS; i++)
		door(100 + (uint64_t)i, i % 2, R + 100 + (uint64_t)i);
	CHECK(b->ack_below == 100, "%d reports that changed the state: the "
	    "first stays held (%" PRIu64 ")", 2 * SCHED_ACK_HOLDS,
	    b->ack_below);
	sched_fake_sb.applied = 7;
	sched_master_sync_poll(&m);
	CHECK(b->ack_below == 0, "... until the standby holds the newest");
	/* A chatty slave, the standby a version behind each time: the
	 * first held report goes once the standby holds the state of its
	 * time, and the reports since become the hold (a hold that followed
	 * the newest version was never covered, and ran out with them). */
	sched_fake_sb.applied = 7;
	sched_fake_sb.version = 20;
	door(250, 0, R + 300);
	sched_fake_sb.version = 21;
	door(251, 1, R + 310);
	sched_fake_sb.version = 22;
	door(252, 0, R + 320);
	CHECK(b->ack_below == 250, "three reports, each a new version: the "
	    "first held (%" PRIu64 ")", b->ack_below);
	sched_fake_sb.applied = 20;
	sched_master_sync_poll(&m);
	CHECK(b->ack_below == 251, "the standby holds the first one's "
	    "version: acknowledged, the next two held (%" PRIu64 ")",
	    b->ack_below);
	sched_fake_sb.applied = 21;
	sched_master_sync_poll(&m);
	CHECK(b->ack_below == 251, "... until it holds the newest (22)");
	sched_fake_sb.applied = 22;
	sched_master_sync_poll(&m);
	CHECK(b->ack_below == 0, "... then all acknowledged");
	sched_fake_sb.version = 7;
	sched_fake_sb.applied = 7;
	n0 = stub.ncmds;
	sched_fake_sb.attached = 0;
	door(315, 0, R + 30);
	door(316, 1, R + 40);
	CHECK(b->ack_below == 0 && stub.ncmds == n0 + 1, "without a standby: "
	    "sent and acknowledged at once");
	/* A master that starts from this state (a restart, a takeover) gets
	 * reports 315 and 316 replayed (never acknowledged to it): they are
	 * in the state, skipped; applied again, 315 (closed) would make 316
	 * fire a second time. */
	m.restart = 1;
	sched_master_stop(&m);
	m.restart = 0;
	CHECK(sched_master_start(&m, 0) == 0, "a master started from that "
	    "state");
	sched_master_run(&m);
	n0 = stub.ncmds;
	door(315, 0, R + 30);
	door(316, 1, R + 40);
	CHECK(stub.ncmds == n0, "reports the state reflects, replayed: "
	    "skipped, no second firing");
	door(317, 0, R + 50);
	door(318, 1, R + 60);
	CHECK(stub.ncmds == n0 + 1 && stub.last_id == sched_cmd_id_of("door",
	    (int64_t)R + 60, 0, 0), "the next opening fires once");
	sched_master_set_sync(&(struct sched_sync){ NULL, NULL, NULL, NULL });
}

/*
 * A firing run again (a takeover's replay, a catch-up) whose command the
 * outbox holds already adds no second entry, nor does a file holding it
 * twice: one result ends it (tests/sim found them piling up across
 * restarts until the outbox was full).
 */
static void
test_hold_once(void)
{
	struct sched_hold	 h, t;
	Hd__Command		 c = HD__COMMAND__INIT;
	Hd__Value		 v = HD__VALUE__INIT;
	Hd__SchedState		 st = HD__SCHED_STATE__INIT;
	Hd__SchedOut		*two[2];

	v.v_case = HD__VALUE__V_B;
	c.id = sched_cmd_id_of("tick", 1796665010000LL, 0, 0);
	c.device_id = "sim:lamp";
	c.key = "on";
	c.value = &v;
	sched_hold_init(&h);
	CHECK(sched_hold_add(&h, &c, "slave-b", "tick", HOLD_WAIT, 1) == 0 &&
	    sched_hold_add(&h, &c, "slave-b", "tick", HOLD_RESEND, 1) == 0 &&
	    h.n == 1, "the same command to the same slave twice: one entry");
	CHECK(sched_hold_add(&h, &c, "slave-a", "tick", HOLD_WAIT, 1) == 0 &&
	    h.n == 2, "... to another slave: its own");
	sched_hold_put(&h, &st);
	two[0] = two[1] = st.outbox[0];
	st.outbox = two;
	st.n_outbox = 2;
	sched_hold_init(&t);
	CHECK(sched_hold_take(&t, &st, 1) == 1 && t.n == 1, "a file holding "
	    "it twice: taken once");
	TAILQ_FIRST(&t.q)->state = HOLD_SENT;
	CHECK(sched_hold_result(&t, "slave-b", c.id) == 1 && t.n == 0,
	    "one result ends it");
	sched_hold_clear(&h);
	sched_hold_clear(&t);
}

static void
write_at(const char *path, const char *text, time_t mtime)
{
	struct timespec	 ts[2] = { { mtime, 0 }, { mtime, 0 } };
	FILE		*f;

	unlink(path);
	if ((f = fopen(path, "w")) != NULL) {
		fputs(text, f);
		fclose(f);
	}
	utimensat(AT_FDCWD, path, ts, 0);
}

static int
runs(const char *event, const char *source)
{
	const struct sched *s = sched_master_engine(&m);

	return s != NULL && sched_prog_find(sched_program(s), event) != NULL &&
	    strcmp(sched_source(s), source) == 0;
}

/*
 * A standby's scheduler (this node second in the master lines) at a
 * takeover: the master's schedule as replicated here (events.last-good)
 * unless this node's own events file was edited after it; its own file
 * at start never overwrites the replicated copy.
 */
static void
test_takeover_schedule(void)
{
	static const char own[] =
	    "event own { when at 03:00 do set slave-b/sim:lamp.on = on }\n";
	static const char repl[] =
	    "event master-s { when at 04:00 do set slave-b/sim:lamp.on = on }\n";
	char	 lg[600];
	time_t	 t = time(NULL);

	snprintf(lg, sizeof(lg), "%s/%s", m.conf.state_dir, SCHED_LAST_GOOD);
	sched_master_stop(&m);
	m.conf.masters.n = 2;
	snprintf(m.conf.masters.id[0], sizeof(m.conf.masters.id[0]), "hub");
	snprintf(m.conf.masters.id[1], sizeof(m.conf.masters.id[1]), "sb");
	snprintf(m.id, sizeof(m.id), "sb");
	write_at(m.conf.events, own, t - 100);
	write_at(lg, repl, t - 10);
	CHECK(sched_master_start(&m, 0) == 0 && runs("own", "file"),
	    "a standby starts on its own events file");
	sched_master_takeover(&m);
	CHECK(runs("master-s", "replicated") && sched_prog_find(
	    sched_program(sched_master_engine(&m)), "own") == NULL,
	    "at the takeover: the master's schedule, said replicated");
	sched_master_stop(&m);
	write_at(m.conf.events, own, t - 100);
	write_at(lg, repl, t - 10);
	CHECK(sched_master_start(&m, 0) == 0, "again");
	write_at(m.conf.events, own, t);	/* edited after the copy */
	sched_master_takeover(&m);
	CHECK(runs("own", "file"), "this node's events file edited after the "
	    "replicated copy: it runs");
	sched_master_stop(&m);
	write_at(lg, own, t - 10);
	write_at(m.conf.events, own, t - 100);
	CHECK(sched_master_start(&m, 0) == 0, "again");
	sched_master_takeover(&m);
	CHECK(runs("own", "file"), "the replicated copy the same as this "
	    "node's file: said file");
	m.conf.masters.n = 0;
	m.id[0] = '\0';
}

/*
 * A firing left to slave-b while it was offline, and slave-b back before
 * its local-after (it never ran it): at its LocalSync the master runs it
 * itself, with the firing's own due instant (its id). One the slave did
 * run and report is not run again.
 */
static void
test_handback(void)
{
	struct sched_event	*ev;
	struct node		*b = node_get(&m, "slave-b", 0);
	Hd__LocalSync		 y = HD__LOCAL_SYNC__INIT;
	Hd__LocalFiring		 f = HD__LOCAL_FIRING__INIT;
	int64_t			 t = (int64_t)ev_wall_ms() - 1000;
	int			 n0;

	write_events("event pump { when at 05:00 do set slave-b/sim:lamp.on = on }\n");
	/* A master started, not one that just took over (its firings of an
	 * absent slave's local rules are held: test_sched_localcatch). */
	m.restart = 1;
	sched_master_stop(&m);
	m.restart = 0;
	if (!CHECK(sched_master_start(&m, 0) == 0, "a master restarted"))
		return;
	sched_master_run(&m);
	ev = sched_prog_find(sched_program(sched_master_engine(&m)), "pump");
	if (!CHECK(ev != NULL, "an event local to slave-b"))
		return;
	b->peer = NULL;
	n0 = stub.ncmds;
	sched_fire(sched_master_engine(&m), "pump", t);
	CHECK(stub.ncmds == n0 && ev->left_due == t && ev->nran == 0,
	    "slave-b offline: the firing is left to it, not a run here");
	b->peer = (struct peer *)&sched_fake_peer;
	CHECK(sched_master_local_sync(&m, b, &y) == 0 && stub.ncmds == n0 + 1
	    && ev->left_due == 0 && ev->nran == 1 && ev->ran[0].due == t &&
	    !ev->ran[0].local, "its LocalSync without it: the master runs it "
	    "now, with its due instant");
	b->peer = NULL;
	n0 = stub.ncmds;
	sched_fire(sched_master_engine(&m), "pump", t + 500);
	b->peer = (struct peer *)&sched_fake_peer;
	f.event = "pump";
	f.due_ms = (uint64_t)t + 500;
	f.fired_ms = (uint64_t)t + 600;
	f.firing_id = sched_firing_id("pump", t + 500);
	f.result = "fired";
	y.firings = 1;
	CHECK(sched_master_local_firing(&m, b, &f) == 0 &&
	    sched_master_local_sync(&m, b, &y) == 0 && stub.ncmds == n0 &&
	    ev->left_due == 0 && ev->nran == 2 && ev->ran[1].local,
	    "one the slave ran and reported: not run again by the master");

	/* With a wait: what follows it is the slave's too. */
	write_events("event pump { when at 05:00 do set slave-b/sim:lamp.on = on "
	    "wait 1 h set slave-b/sim:lamp.on = off }\n");
	sched_master_reload(&m);
	b->peer = NULL;
	n0 = stub.ncmds;
	sched_fire(sched_master_engine(&m), "pump", t + 900);
	CHECK(stub.ncmds == n0 && sched_npending(sched_master_engine(&m)) == 0,
	    "a firing with a wait left to slave-b: no delayed action of the "
	    "master's for it");
	b->peer = (struct peer *)&sched_fake_peer;
}

int
main(void)
{
	static const char events[] =
	    "event to-b { when startup do set slave-b/sim:lamp.on = on }\n";

	static const char *const nodes[] = { "slave-a", "slave-b", NULL };

	if (!CHECK(sched_fake_master(&m, "schedm", events, nodes) == 0,
	    "make a temporary directory"))
		return check_done();
	if (CHECK(m.loop != NULL && sched_master_start(&m, 0) == 0,
	    "a scheduler with one event")) {
		sched_master_run(&m);
		test_match();
		test_fifo();
		test_local();
		test_outbox();
		test_ack_hold();
		test_hold_once();
		test_takeover_schedule();
		test_handback();
		test_await_sync();
		sched_master_stop(&m);
	}
	CHECK(sched_fake_master_clean() == 0,
	    "remove the temporary directory");
	return check_done();
}
