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
	local_link(&S, 1);
	tick(T0 + 3 * DAY);
	CHECK(heater_calls == n0 && !S.local->tick.active, "a firing due at "
	    "the reconnect is the master's: the slave does not run it");
	CHECK(firings(&due) == 2 && due == T0 + 2 * DAY && pending(&due) == 0,
	    "the master back: both firings made while cut off are queued "
	    "for it in order (LocalFiring), none left pending");
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
	S.state = LINK_IDLE;
	S.loop = ev_loop_new();
	snprintf(S.id, sizeof(S.id), "barn");
	S.conf.state_dir = dir;
	S.conf.local_after_ms = 60000;
	d = dev_new(&S, "heater", "Heater", "Barn", HD__DEVICE_KIND__DEV_SWITCH,
	    &heater_ops, NULL);
	if (!CHECK(d != NULL && dev_value(d, "on", HD__VALUE_TYPE__VT_BOOL, "",
	    1, 0, 0) == 0, "the barn's heater"))
		return check_done();
	CHECK(local_start(&S) == 0 && S.local->after.active, "at start-up "
	    "there is no master yet: the wait for local-after runs");
	S.local->wall = fake_wall;

	test_check();
	test_keep();
	S.local->wall = fake_wall;
	test_edges();
	test_fired_ring();

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
