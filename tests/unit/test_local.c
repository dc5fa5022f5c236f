/*
 * Unit tests for local rules on the slave (slave/dev/local.c,
 * local_run.c, docs/SCHEDULER.md#local-rules) with a simulated wall
 * clock: the rule set checked as outside input and kept crash-safe; the
 * engine run after local-after; the handover edges, each firing once on
 * the device: a firing due exactly when the master was last heard that
 * the master made (its firing id came with its command) and one it never
 * sent, a slave restarted while cut off, a firing due at the reconnect.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "atomicfile.h"
#include "check.h"
#include "hdlimits.h"
#include "sched/sched.h"
#include "wire.h"
#include "../../slave/slave.h"
#include "../../slave/link/link.h"

#define DAY	(24 * 3600 * 1000LL)
/* 2026-06-01 06:00:00 UTC, the rule's instant (TZ=UTC). */
#define T0	1780293600000LL

static struct slave	 S;
static int64_t		 now_ms;
static int		 heater_calls;
static char		 dir[] = "/tmp/test_local.XXXXXX";

static const char rules_text[] =
    "event heat { when at 06:00 do set barn/heater.on = on }\n";

static int
fired_in(uint64_t fid)
{
	int i;

	for (i = 0; i < S.local->nfired && i < LOCAL_MAX_FIRED; i++)
		if (S.local->fired[i] == fid)
			return 1;
	return 0;
}

static int64_t
fake_wall(void)
{
	return now_ms;
}

static void
heater_command(struct dev *d, const Hd__Command *c)
{
	heater_calls++;
	dev_done(d, c->id, HD__COMMAND_RESULT__STATUS__OK, "", c->value);
}

static const struct dev_ops heater_ops = { .command = heater_command };

static Hd__LocalRules
rules(const char *text, uint64_t version)
{
	Hd__LocalRules r = HD__LOCAL_RULES__INIT;

	r.text = (char *)(uintptr_t)text;
	r.version = version;
	return r;
}

/* The firings kept for the master (local.pending): how many; the due
 * instant of the last. */
static int
pending(int64_t *due)
{
	if (S.local->npend > 0)
		*due = S.local->pend[S.local->npend - 1].due;
	return S.local->npend;
}

/* The LocalFiring envelopes queued for the master: how many; the due
 * instant of the last. */
static int
firings(int64_t *due)
{
	const struct rq_item	*it;
	Hd__Envelope		*e;
	int			 i, n = 0;

	for (i = 0; i < S.rq.count; i++) {
		it = &S.rq.items[(S.rq.head + i) % CLUSTER_REPLAY_QUEUE];
		e = (Hd__Envelope *)wire_unpack(&hd__envelope__descriptor,
		    it->data + WIRE_HDR_LEN, it->len - WIRE_HDR_LEN);
		if (e == NULL)
			continue;
		if (e->body_case == HD__ENVELOPE__BODY_LOCAL_FIRING) {
			n++;
			*due = (int64_t)e->local_firing->due_ms;
		}
		wire_free((ProtobufCMessage *)e);
	}
	return n;
}

static void
test_check(void)
{
	Hd__LocalRules		 r;
	Hd__LocalPlace		 pl = HD__LOCAL_PLACE__INIT, *plp = &pl;
	struct sched_prog	*g;
	char			 why[200], *big;
	uint8_t			 junk[64];
	size_t			 i;

	r = rules(rules_text, 1);
	g = local_rules_check(&r, "barn", why, sizeof(why));
	CHECK(g != NULL && g->nev == 1, "a rule set of its own devices is "
	    "accepted");
	sched_prog_free(g);
	CHECK(local_rules_check(&r, "house", why, sizeof(why)) == NULL &&
	    strstr(why, "another node (barn)") != NULL, "an event naming "
	    "another node's device is refused: %s", why);
	r = rules("event x { when at 06:00 do set barn/heater.on = on ", 1);
	CHECK(local_rules_check(&r, "barn", why, sizeof(why)) == NULL &&
	    strstr(why, "local.rules:") != NULL, "text that does not parse "
	    "is refused with the parser's error: %s", why);
	r = rules("include \"/etc/passwd\"\n", 1);
	CHECK(local_rules_check(&r, "barn", why, sizeof(why)) == NULL,
	    "an include is refused (no file of the slave is read)");
	big = malloc(LOCAL_RULES_MAX_TEXT + 2);
	memset(big, '#', LOCAL_RULES_MAX_TEXT + 1);
	big[LOCAL_RULES_MAX_TEXT + 1] = '\0';
	r = rules(big, 1);
	CHECK(local_rules_check(&r, "barn", why, sizeof(why)) == NULL &&
	    strstr(why, "at most") != NULL, "text over LOCAL_RULES_MAX_TEXT "
	    "is refused: %s", why);
	free(big);
	r = rules(rules_text, 1);
	pl.site = "";
	pl.zone = "";
	pl.has_place = 1;
	pl.lat = 91;
	r.places = &plp;
	r.n_places = 1;
	CHECK(local_rules_check(&r, "barn", why, sizeof(why)) == NULL,
	    "a latitude past 90 is refused");
	for (i = 0; i < sizeof(junk); i++)
		junk[i] = (uint8_t)(i * 37 + 11);
	CHECK(local_rules_decode(junk, sizeof(junk), "barn", why,
	    sizeof(why)) == NULL, "bytes that are no LocalRules are refused");
}

/* Keep: written once per version, read back by a new start. */
static void
test_keep(void)
{
	Hd__LocalRules	r = rules(rules_text, 7);
	char		path[300], why[200];
	struct stat	a, b;

	snprintf(path, sizeof(path), "%s/%s", dir, LOCAL_RULES_FILE);
	CHECK(local_rules_recv(&S, &r, why, sizeof(why)) == 0 &&
	    stat(path, &a) == 0, "the rule set is kept in local.rules");
	r.handled_ms = 5;
	CHECK(local_rules_recv(&S, &r, why, sizeof(why)) == 0 &&
	    stat(path, &b) == 0 && a.st_ino == b.st_ino &&
	    S.local->rules != NULL && S.local->rules->handled_ms == 5, "the same version again is not "
	    "rewritten (its handled instant is taken)");
	r = rules("event x { when at 06:00 do set house/lamp.on = on }\n", 8);
	CHECK(local_rules_recv(&S, &r, why, sizeof(why)) == -1 &&
	    S.local->rules != NULL && S.local->rules->version == 7, "a refused rule set leaves the "
	    "kept one (and the link drops the master)");
	local_stop(&S);
	local_start(&S);
	CHECK(S.local->rules != NULL && S.local->rules->version == 7 &&
	    strcmp(S.local->rules->text, rules_text) == 0,
	    "a restarted slave reads its rule set back");
}

/* Cut off with the master last heard at `heard`, running local from
 * `go`: the after timer fired by hand. */
static void
cut(int64_t heard, int64_t go)
{
	now_ms = heard;
	local_link(&S, 1);
	local_link(&S, 0);
	now_ms = go;
	S.local->after.cb(&S.local->after);
}

/* A master back: its Welcome, then its LocalRules (the same set), which
 * let the replay go (an older master sends none and gets none). */
static void
master_back(void)
{
	char	why[200];
	int64_t	d;
	int	n0 = firings(&d);

	local_link(&S, 1);
	CHECK(firings(&d) == n0, "the link up without LocalRules: nothing "
	    "sent yet (an older master would drop the link for it)");
	if (S.local->rules != NULL &&
	    local_rules_recv(&S, S.local->rules, why, sizeof(why)) == 0)
		local_rules_heard(&S);
}

static void
tick(int64_t t)
{
	now_ms = t;
	if (S.local->tick.active)
		S.local->tick.cb(&S.local->tick);
}

static void
test_edges(void)
{
	int64_t	due = 0;
	int	n0;

	/* 1. The master made T0's firing, heard last exactly at T0: its
	 * command carried the firing id; the slave's catch-up skips it. */
	local_master_fired(&S, sched_firing_id("heat", T0));
	cut(T0, T0 + 60000);
	CHECK(S.local->eng != NULL, "cut off for local-after: the engine "
	    "runs");
	CHECK(heater_calls == 0 && pending(&due) == 0, "a firing due at the "
	    "cut that the master made is not repeated");
	local_link(&S, 1);
	CHECK(S.local->eng == NULL, "a master back: the engine stops");

	/* 2. The next day the master dies just before T0 + DAY and never
	 * sends it: the slave catches it up, once. */
	cut(T0 + DAY, T0 + DAY + 60000);
	CHECK(heater_calls == 1 && pending(&due) == 1 && due == T0 + DAY,
	    "a firing due at the cut that never went out runs once on the "
	    "slave, kept for the master with its due instant");
	tick(T0 + DAY + 120000);
	CHECK(heater_calls == 1, "and not again at the next tick");

	/* 3. Restarted while cut off: rules and fired ids come back. */
	local_stop(&S);
	local_start(&S);
	S.local->wall = fake_wall;
	S.local->lost_wall = T0 + DAY + 180000;	/* its start-up, no master */
	now_ms = T0 + DAY + 240000;
	S.local->after.cb(&S.local->after);
	CHECK(S.local->eng != NULL && heater_calls == 1 &&
	    pending(&due) == 1 && due == T0 + DAY,
	    "a slave restarted while cut off runs its rules, does not "
	    "repeat the firing it made before the restart, and still has it "
	    "for the master (local.pending)");
	tick(T0 + 2 * DAY + 500);
	CHECK(heater_calls == 2 && pending(&due) == 2 && due == T0 + 2 * DAY,
	    "the next day's firing runs on time while still cut off");

	/* 4. At the reconnect: a master back just before the instant takes
	 * it; the slave's engine has stopped and does not fire it. */
	n0 = heater_calls;
	now_ms = T0 + 3 * DAY - 1;
	master_back();
	tick(T0 + 3 * DAY);
	CHECK(heater_calls == n0 && !S.local->tick.active, "a firing due at "
	    "the reconnect is the master's: the slave does not run it");
	CHECK(firings(&due) == 2 && due == T0 + 2 * DAY && pending(&due) == 0,
	    "the master back: both firings made while cut off are queued "
	    "for it in order (LocalFiring), none left pending");
}

/* The master's command for firing `fid` of the heater, id `id`. */
static void
master_command(uint64_t id, uint64_t fid)
{
	Hd__Command	c = HD__COMMAND__INIT;
	Hd__Value	v = HD__VALUE__INIT;

	v.v_case = HD__VALUE__V_B;
	v.b = 1;
	c.id = id;
	c.device_id = "heater";
	c.key = "on";
	c.value = &v;
	c.firing_id = fid;
	devices_command(&S, &c);
}

/* The result queued for command `id`: its detail, or NULL if none. */
static const char *
result_of(uint64_t id)
{
	static char		 detail[128];
	const struct rq_item	*it;
	Hd__Envelope		*e;
	const char		*r = NULL;
	int			 i;

	for (i = 0; i < S.rq.count && r == NULL; i++) {
		it = &S.rq.items[(S.rq.head + i) % CLUSTER_REPLAY_QUEUE];
		e = (Hd__Envelope *)wire_unpack(&hd__envelope__descriptor,
		    it->data + WIRE_HDR_LEN, it->len - WIRE_HDR_LEN);
		if (e == NULL)
			continue;
		if (e->body_case == HD__ENVELOPE__BODY_RESULT &&
		    e->result->id == id && e->result->status ==
		    HD__COMMAND_RESULT__STATUS__OK) {
			snprintf(detail, sizeof(detail), "%s", e->result->detail);
			r = detail;
		}
		wire_free((ProtobufCMessage *)e);
	}
	return r;
}

/*
 * The handover edges to the millisecond (issue 16): a firing due exactly
 * at the reconnect, either way the two events are ordered in the slave's
 * loop, and one due while the slave was down, cut off or not.
 */
static void
test_edges_exact(void)
{
	int64_t		 d = T0 + 20 * DAY, due = 0;
	uint64_t	 fid = sched_firing_id("heat", d);
	const char	*r;
	int		 n0, p0;

	/* 1. The tick at D runs before the Welcome at D is read; the master
	 * (the slave online for it at D) sends its own command for D. */
	cut(d - 3600000, d - 3500000);
	n0 = heater_calls;
	tick(d);
	CHECK(heater_calls == n0 + 1, "at the reconnect instant, tick first: "
	    "the slave runs the firing due then");
	master_back();			/* the Welcome, at D too */
	master_command(9001, fid);
	CHECK(heater_calls == n0 + 1 && (r = result_of(9001)) != NULL &&
	    strcmp(r, "done by the local rules") == 0, "the master's command "
	    "for the same firing is answered OK, not run again");
	CHECK(firings(&due) >= 1 && due == d, "and the slave reports its "
	    "firing to the master (LocalFiring, due %lld)", (long long)due);
	master_command(9002, sched_firing_id("heat", d + DAY));
	CHECK(heater_calls == n0 + 2, "a master's command for another firing "
	    "runs as usual");

	/* 2. The Welcome at D is read first: the engine stops, the tick at D
	 * does nothing, the master's command runs, once. */
	d += 2 * DAY;
	fid = sched_firing_id("heat", d);
	cut(d - 3600000, d - 3500000);
	n0 = heater_calls;
	now_ms = d;
	local_link(&S, 1);
	tick(d);
	master_command(9003, fid);
	CHECK(heater_calls == n0 + 1, "at the reconnect instant, Welcome "
	    "first: the master's firing runs once, the slave's engine none");

	/* 3. Down across D while cut off: killed 5 s before, started 20 s
	 * after; caught up once after local-after, and reported. */
	d += DAY;
	cut(d - 3600000, d - 3500000);
	n0 = heater_calls;
	p0 = S.local->npend;
	now_ms = d - 5000;
	local_stop(&S);
	now_ms = d + 20000;
	local_start(&S);
	S.local->wall = fake_wall;
	now_ms = d + 21000;
	S.local->after.cb(&S.local->after);
	CHECK(heater_calls == n0 + 1 && pending(&due) == p0 + 1 && due == d,
	    "a firing due while the cut-off slave was down is caught up once "
	    "after its restart, due %lld", (long long)due);
	tick(d + 60000);
	CHECK(heater_calls == n0 + 1, "... and not again");

	/* 4. Down across D while connected (the master last heard at the
	 * Welcome, an hour before): the master leaves it to the slave, which
	 * catches it up after its restart. */
	d += DAY;
	now_ms = d - 3600000;
	local_link(&S, 1);
	n0 = heater_calls;
	now_ms = d - 5000;
	local_stop(&S);
	now_ms = d + 20000;
	local_start(&S);
	S.local->wall = fake_wall;
	now_ms = d + 21000;
	S.local->after.cb(&S.local->after);
	CHECK(heater_calls == n0 + 1 && pending(&due) >= 1 && due == d,
	    "a firing due while the connected slave was down is caught up "
	    "once after its restart, still cut off");
	local_link(&S, 1);
}

/*
 * A new master's catch-up just after a takeover (docs/FAILOVER.md#local-
 * rules-at-a-takeover): it holds the instant for this slave and sends it,
 * with the firing id sched_firing_id(event, due) that the slave's own
 * engine derives too, once the slave registers. Back before its
 * local-after, the slave never ran it: the command runs, once, and its id
 * is kept across a restart. Cut off long enough, its rules ran it, and
 * it restarted since: the command is answered, not run again.
 */
static void
test_takeover_catch(void)
{
	int64_t		 d = T0 + 30 * DAY, due = 0;
	uint64_t	 fid = sched_firing_id("heat", d);
	const char	*r;
	int		 n0;

	now_ms = d - 3600000;
	local_link(&S, 1);		/* the old master */
	now_ms = d - 1000;
	local_link(&S, 0);		/* ... dies before D */
	n0 = heater_calls;
	now_ms = d + 1500;
	master_back();			/* the new master, 2.5 s later */
	master_command(9101, fid);
	CHECK(heater_calls == n0 + 1 && (r = result_of(9101)) != NULL &&
	    strcmp(r, "done by the local rules") != 0, "back before its "
	    "local-after, the slave never ran D: the new master's held "
	    "command runs, once");
	local_stop(&S);
	local_start(&S);
	S.local->wall = fake_wall;
	CHECK(fired_in(fid), "its firing id kept across a restart "
	    "(local.fired): the slave's engine never repeats it");
	local_link(&S, 1);

	d += DAY;
	fid = sched_firing_id("heat", d);
	cut(d - 3600000, d - 3500000);
	n0 = heater_calls;
	tick(d);
	CHECK(heater_calls == n0 + 1 && fired_in(fid), "cut off long enough, "
	    "its rules ran D, under the firing id the master derives");
	local_stop(&S);			/* restarted while cut off */
	local_start(&S);
	S.local->wall = fake_wall;
	now_ms = d + 5000;
	master_back();
	master_command(9102, fid);
	CHECK(heater_calls == n0 + 1 && (r = result_of(9102)) != NULL &&
	    strcmp(r, "done by the local rules") == 0, "restarted, then the "
	    "new master's held command for D: answered OK 'done by the local "
	    "rules', not run again");
	CHECK(firings(&due) >= 1 && due == d, "and D reported to it "
	    "(LocalFiring), so it records a run, marked local");
}

static void
temp_report(double c, int flags)
{
	Hd__Value	v = HD__VALUE__INIT;

	v.v_case = HD__VALUE__V_D;
	v.d = c;
	dev_report(dev_find(&S, "temp"), "c", &v, flags);
}

/* Conditions on the slave's own values: the last report, kept from
 * before the cut; a stale one is unknown (the condition false). */
static void
test_values(void)
{
	Hd__LocalRules	r = rules("event warm { when at 07:00 if barn/temp.c < 3 "
			    "do set barn/heater.on = on }\n", 50);
	int64_t		d = T0 + 40 * DAY + 3600000;
	char		why[200];
	int		n0 = heater_calls;

	CHECK(local_rules_recv(&S, &r, why, sizeof(why)) == 0, "a rule set "
	    "with a condition on the slave's own temperature: %s", why);
	local_link(&S, 1);
	temp_report(1.5, 0);		/* reported while connected */
	cut(d - 3600000, d - 3500000);
	tick(d);
	CHECK(heater_calls == n0 + 1, "cut off, a value reported before the "
	    "cut makes the condition true (1.5 < 3): the heater runs");
	temp_report(8, 0);
	tick(d + DAY);
	CHECK(heater_calls == n0 + 1, "a new value makes it false (8): not "
	    "run");
	temp_report(1, 0);
	temp_report(1, DEV_STALE);
	tick(d + 2 * DAY);
	CHECK(heater_calls == n0 + 1, "a stale value is unknown: the "
	    "condition is false, not run");
	temp_report(2, 0);
	tick(d + 3 * DAY);
	CHECK(heater_calls == n0 + 2, "a fresh value again: run");
	local_link(&S, 1);
}

/* The fired ids: a ring of LOCAL_MAX_FIRED, its order kept on disk. */
static void
test_fired_ring(void)
{
	int	i, oldest_kept = 1, newest_kept = 1, evicted;

	for (i = 1; i <= LOCAL_MAX_FIRED + 44; i++)
		local_master_fired(&S, 0x1000 + (uint64_t)i);
	local_stop(&S);
	local_start(&S);
	for (i = 1; i <= 44; i++)
		oldest_kept &= !fired_in(0x1000 + (uint64_t)i);
	for (i = 45; i <= LOCAL_MAX_FIRED + 44; i++)
		newest_kept &= fired_in(0x1000 + (uint64_t)i);
	CHECK(oldest_kept && newest_kept, "the fired ids after a restart: the "
	    "newest %d, the older ones dropped", LOCAL_MAX_FIRED);
	local_master_fired(&S, 0x9999);
	evicted = !fired_in(0x1000 + 45) && fired_in(0x1000 + 46) &&
	    fired_in(0x9999);
	CHECK(evicted, "the next id read back after a restart drops the "
	    "oldest, not another");
}

static void
put(const char *name, const void *p, size_t n)
{
	char	path[300];
	FILE	*f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((f = fopen(path, "wb")) != NULL) {
		if (n > 0)
			fwrite(p, 1, n, f);
		fclose(f);
	}
}

static int
exists(const char *name)
{
	char		path[300];
	struct stat	st;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return stat(path, &st) == 0;
}

static void
restart(void)
{
	local_stop(&S);
	local_start(&S);
	S.local->wall = fake_wall;
}

/* The first release's local.pending record (amd64, armhf, arm64). */
struct old_pending {
	char		 event[64];
	int64_t		 due, fired;
	uint64_t	 fid;
};

/* local.fired and local.pending on disk: protobuf with a format; the
 * first release's raw dumps migrated; newer refused; damaged set aside. */
static void
test_files(void)
{
	uint64_t		 raw[3] = { 0x111, 0x222, 0x333 };
	struct old_pending	 op[2];
	uint8_t			 newer[] = { 0x08, 0x02, 0x12, 0x01, 0x05 };
	uint8_t			*p;
	size_t			 n;
	char			 path[300], why[160];
	int			 k;
	struct local_fired	 lf;

	memset(op, 0, sizeof(op));
	snprintf(op[0].event, sizeof(op[0].event), "heat");
	op[0].due = T0;
	op[0].fired = T0 + 5;
	op[0].fid = sched_firing_id("heat", T0);
	snprintf(op[1].event, sizeof(op[1].event), "pump");
	op[1].due = T0 + 60000;
	op[1].fired = T0 + 60007;
	op[1].fid = sched_firing_id("pump", T0 + 60000);
	put(LOCAL_FIRED_FILE, raw, sizeof(raw));
	put(LOCAL_PENDING_FILE, op, sizeof(op));
	restart();
	CHECK(S.local->nfired == 3 && fired_in(0x222) && !S.local->refused,
	    "the first release's raw local.fired is read (3 ids)");
	CHECK(S.local->npend == 2 && strcmp(S.local->pend[1].event, "pump")
	    == 0 && S.local->pend[1].due == T0 + 60000 &&
	    S.local->pend[1].fid == op[1].fid, "the first release's raw "
	    "local.pending is read (2 firings in order)");
	snprintf(path, sizeof(path), "%s/%s", dir, LOCAL_FIRED_FILE);
	CHECK(atomic_read(path, LOCAL_FILE_MAX, &p, &n) == 0 && n > 2 &&
	    p[0] == 0x08 && p[1] == LOCAL_FILE_FORMAT && local_fired_decode(p,
	    n, &lf, why, sizeof(why)) == LF_CURRENT && lf.n == 3 &&
	    lf.own[0] == 0 && lf.own[1] == 0,
	    "... and rewritten at once in the current format (format %d "
	    "first)", LOCAL_FILE_FORMAT);
	free(p);
	restart();
	CHECK(S.local->nfired == 3 && S.local->npend == 2 &&
	    S.local->pend[0].fired == T0 + 5, "the migrated files read back "
	    "the same after another restart");

	/* A newer format: refused, left alone, the rules off. */
	put(LOCAL_FIRED_FILE, newer, sizeof(newer));
	restart();
	CHECK(S.local->refused && S.local->nfired == 0, "a local.fired of a "
	    "newer format is refused");
	local_master_fired(&S, 0x444);
	snprintf(path, sizeof(path), "%s/%s", dir, LOCAL_FIRED_FILE);
	CHECK(atomic_read(path, LOCAL_FILE_MAX, &p, &n) == 0 &&
	    n == sizeof(newer) && memcmp(p, newer, n) == 0, "... and never "
	    "overwritten");
	free(p);
	now_ms = T0 + 10 * DAY;
	S.local->after.cb(&S.local->after);
	CHECK(S.local->eng == NULL, "... and the local rules do not run "
	    "without the fired ids");

	/* Damaged: set aside, logged, the slave goes on. */
	put(LOCAL_FIRED_FILE, "\x0a\xff\xff", 3);
	put(LOCAL_PENDING_FILE, "garbage!", 8);
	restart();
	CHECK(!S.local->refused && S.local->nfired == 0 && S.local->npend == 0
	    && exists(LOCAL_FIRED_FILE ".damaged") &&
	    exists(LOCAL_PENDING_FILE ".damaged") &&
	    !exists(LOCAL_FIRED_FILE), "damaged files are refused and set "
	    "aside as NAME.damaged");
	op[0].event[10] = 'x';		/* a byte after the name's end */
	CHECK(local_pending_decode((const uint8_t *)op, sizeof(op),
	    S.local->pend, &k, why, sizeof(why)) == LF_DAMAGED && k == 0,
	    "a raw record that does not fit the old layout exactly is not "
	    "taken for one: %s", why);
	put(LOCAL_FIRED_FILE, "", 0);
	put(LOCAL_PENDING_FILE, "", 0);
	restart();
	CHECK(!S.local->refused && S.local->nfired == 0 && S.local->npend == 0,
	    "empty files (the first release's with nothing in) read as empty");
}

int
main(void)
{
	struct dev	*d;

	setenv("TZ", "UTC", 1);
	tzset();
	if (!CHECK(mkdtemp(dir) != NULL, "temporary state-dir"))
		return check_done();
	TAILQ_INIT(&S.devs);
	rq_init(&S.rq);
	S.up = &link_uplink;
	S.link.state = CLINK_IDLE;
	S.loop = ev_loop_new();
	snprintf(S.id, sizeof(S.id), "barn");
	S.conf.state_dir = dir;
	S.conf.local_after_ms = 60000;
	d = dev_new(&S, "heater", "Heater", "Barn", HD__DEVICE_KIND__DEV_SWITCH,
	    &heater_ops, NULL);
	if (!CHECK(d != NULL && dev_value(d, "on", HD__VALUE_TYPE__VT_BOOL, "",
	    1, 0, 0) == 0, "the barn's heater"))
		return check_done();
	d = dev_new(&S, "temp", "Temp", "Barn", HD__DEVICE_KIND__DEV_SENSOR,
	    &heater_ops, NULL);
	if (!CHECK(d != NULL && dev_value(d, "c", HD__VALUE_TYPE__VT_DOUBLE,
	    "C", 0, -40, 80) == 0, "the barn's thermometer"))
		return check_done();
	CHECK(local_start(&S) == 0 && S.local->after.active, "at start-up "
	    "there is no master yet: the wait for local-after runs");
	S.local->wall = fake_wall;

	test_check();
	test_keep();
	S.local->wall = fake_wall;
	test_edges();
	test_edges_exact();
	test_takeover_catch();
	test_values();
	test_fired_ring();
	test_files();

	local_stop(&S);
	while ((d = TAILQ_FIRST(&S.devs)) != NULL)
		dev_remove(d);
	rq_free(&S.rq);
	ev_loop_free(S.loop);
	{
		char cmd[300];

		snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
		if (system(cmd) != 0)
			return 1;
	}
	return check_done();
}
