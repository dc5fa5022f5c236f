/*
 * Unit tests for master/api/api_sched_run.c (docs/FAILOVER.md#run-from-
 * the-api): POST /api/v1/events/NAME/run through api_handle(), the
 * scheduler of hd-master behind it, the cluster link stubbed
 * (tests/unit/stub_master.c numbers the commands sent) and a standby
 * faked through sched_master_set_sync(). The answer waits until the
 * standby holds the run's record, or SCHED_SYNC_WAIT_MS, and says
 * which; a client's key makes a repeat, on this master or on one
 * started from its state (a takeover), fire nothing.
 */

#include <sys/stat.h>

#include <ftw.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "ev.h"
#include "stub_master.h"
#include "sched/sched.h"
#include "sched_fake.h"
#include "../../master/api/api.h"
#include "../../master/sched/sched_master.h"

static const struct scrypt_params cheap = { 16, 1, 1 };
static const uint8_t	addr[16] = { [10] = 0xff, [11] = 0xff, 10, 0, 0, 1 };
static struct master	m;
static char		body[API_MAX_RESPONSE + 1];
static char		sess[SESSION_TOKEN_HEX + 1], csrf[SESSION_TOKEN_HEX + 1];
static int		deferred;		/* api_handle() said so */

static const char	*T_users(void);
static int		 make_api(void);

/* The deferred answer, as the web process's link would take it. */
static int		sunk_status;
static char		sunk[API_MAX_RESPONSE + 1];

static void
sink(void *arg, uint64_t link, const Hd__ApiResponse *resp, int failed,
    const uint8_t *a)
{
	(void)arg;
	(void)link;
	(void)failed;
	(void)a;
	sunk_status = (int)resp->status;
	snprintf(sunk, sizeof(sunk), "%.*s", (int)resp->body.len,
	    (const char *)resp->body.data);
}

static int
call(const char *method, const char *path, const char *json)
{
	Hd__ApiRequest	req = HD__API_REQUEST__INIT;
	Hd__ApiResponse	resp = HD__API_RESPONSE__INIT;
	const char	*p;
	int		 r;

	req.id = 1;
	req.method = (char *)(uintptr_t)method;
	req.path = (char *)(uintptr_t)path;
	req.query = "";
	req.token = "";
	req.addr.data = (uint8_t *)(uintptr_t)addr;
	req.addr.len = 16;
	req.session = sess;
	req.csrf = csrf;
	req.body.data = (uint8_t *)(uintptr_t)json;
	req.body.len = strlen(json);
	r = api_handle(m.api, &req, &resp, ev_clock_ms());
	deferred = r == API_DEFERRED;
	if (resp.set_cookie != NULL && strncmp(resp.set_cookie, API_COOKIE "=",
	    strlen(API_COOKIE) + 1) == 0)
		snprintf(sess, sizeof(sess), "%.64s", resp.set_cookie +
		    strlen(API_COOKIE) + 1);
	snprintf(body, sizeof(body), "%.*s", (int)resp.body.len,
	    (const char *)resp.body.data);
	if ((p = strstr(body, "\"csrf\":\"")) != NULL)
		snprintf(csrf, sizeof(csrf), "%.64s", p + 8);
	return deferred ? 0 : (int)resp.status;
}

static int
run(const char *event, const char *json)
{
	char	path[128];

	snprintf(path, sizeof(path), "/api/v1/events/%s/run", event);
	return call("POST", path, json);
}

/* Run keys in the state file as it is now, -1 unreadable. */
static int
keys_in_file(void)
{
	Hd__SchedState	*st;
	static uint8_t	 buf[1 << 17];
	char		 p[600];
	FILE		*f;
	size_t		 n;
	int		 r;

	snprintf(p, sizeof(p), "%s/sched.state", m.conf.state_dir);
	if ((f = fopen(p, "r")) == NULL)
		return -1;
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	if ((st = hd__sched_state__unpack(NULL, n, buf)) == NULL)
		return -1;
	r = (int)st->n_run_keys;
	hd__sched_state__free_unpacked(st, NULL);
	return r;
}

/* No standby: answered at once, not replicated, saying why; a key. */
static void
test_alone(void)
{
	int n0 = stub.ncmds;

	sched_master_set_sync(&(struct sched_sync){ NULL, NULL, NULL, NULL });
	CHECK(run("lamp", "") == 200 && strstr(body, "\"replicated\":false")
	    != NULL && strstr(body, "no standby") != NULL && strstr(body,
	    "\"repeat\":false") != NULL && strstr(body, "\"key\":null") !=
	    NULL && stub.ncmds == n0 + 1, "no standby: 200 at once, fired, "
	    "\"replicated\":false with why (%.200s)", body);
	CHECK(run("lamp", "{\"key\":\"k-1\"}") == 200 && stub.ncmds == n0 + 2 &&
	    strstr(body, "\"key\":\"k-1\"") != NULL, "with a key: fired");
	CHECK(run("lamp", "{\"key\":\"k-1\"}") == 200 && stub.ncmds == n0 + 2 &&
	    strstr(body, "\"repeat\":true") != NULL, "the same key again: a "
	    "repeat, nothing sent");
	CHECK(run("other", "{\"key\":\"k-1\"}") == 409 && stub.ncmds == n0 + 2,
	    "the same key for another event: 409, nothing fired");
	CHECK(run("lamp", "{\"key\":\"a b\"}") == 400 && run("lamp",
	    "{\"key\":\"\"}") == 400 && run("lamp", "{\"key\":7}") == 400 &&
	    run("lamp", "{\"nokey\":1}") == 400 && stub.ncmds == n0 + 2,
	    "a key with a space, empty, not a string, another field: 400");
	CHECK(keys_in_file() == 1, "the key is in sched.state (%d)",
	    keys_in_file());
}

/*
 * A standby attached: the answer and the run's command wait for the
 * record; the standby holding it answers "replicated":true, one that
 * never does SCHED_SYNC_WAIT_MS later false, one that goes false at
 * once.
 */
static void
test_standby(void)
{
	int		n0 = stub.ncmds, i;
	uint64_t	t0, t1;

	sched_master_set_sync(&sched_fake_sync);
	sched_fake_sb.attached = 1;
	sched_fake_sb.applied = 0;
	sunk_status = 0;
	CHECK(run("lamp", "{\"key\":\"k-2\"}") == 0 && deferred &&
	    sunk_status == 0, "with a standby: no answer yet");
	sched_master_sync_poll(&m);
	CHECK(sunk_status == 0 && stub.ncmds == n0, "... nor the run's "
	    "command, while the standby lacks the record");
	sched_fake_sb.applied = sched_fake_sb.version;
	sched_master_sync_poll(&m);
	CHECK(sunk_status == 200 && strstr(sunk, "\"replicated\":true") !=
	    NULL && strstr(sunk, "\"why\":null") != NULL && strstr(sunk,
	    "\"key\":\"k-2\"") != NULL && stub.ncmds == n0 + 1, "the standby "
	    "holds it: 200 \"replicated\":true, the command sent (%.200s)",
	    sunk);
	/* A standby that never holds it. */
	sched_fake_sb.version++;
	sunk_status = 0;
	t0 = ev_clock_ms();
	CHECK(run("lamp", "{\"key\":\"k-3\"}") == 0 && deferred,
	    "a standby that stalls: deferred");
	for (i = 0; i < 400 && sunk_status == 0; i++) {
		usleep(10000);		/* polls a deadline: bounded */
		sched_master_sync_poll(&m);
	}
	t1 = ev_clock_ms();
	CHECK(sunk_status == 200 && strstr(sunk, "\"replicated\":false") !=
	    NULL && strstr(sunk, "SCHED_SYNC_WAIT_MS") != NULL && t1 - t0 >=
	    SCHED_SYNC_WAIT_MS && stub.ncmds == n0 + 2, "... answered after "
	    "SCHED_SYNC_WAIT_MS (%" PRIu64 " ms), not replicated, the command "
	    "sent without it", t1 - t0);
	/* A standby that goes while the answer waits. */
	sched_fake_sb.version++;
	sunk_status = 0;
	CHECK(run("lamp", "{\"key\":\"k-4\"}") == 0 && deferred, "another");
	sched_fake_sb.attached = 0;
	sched_master_sync_poll(&m);
	CHECK(sunk_status == 200 && strstr(sunk, "\"replicated\":false") !=
	    NULL && strstr(sunk, "went before") != NULL, "the standby goes: "
	    "answered at once, not replicated (%.160s)", sunk);
	/* A repeat while the first still waits: it waits too. */
	sched_fake_sb.attached = 1;
	sched_fake_sb.version++;
	sunk_status = 0;
	CHECK(run("lamp", "{\"key\":\"k-2\"}") == 0 && deferred, "a repeat "
	    "waits for the standby too");
	sched_fake_sb.applied = sched_fake_sb.version;
	sched_master_sync_poll(&m);
	CHECK(sunk_status == 200 && strstr(sunk, "\"repeat\":true") != NULL &&
	    strstr(sunk, "\"replicated\":true") != NULL && stub.ncmds ==
	    n0 + 3, "... and is answered as a repeat, nothing sent again");
}

/* The master stops stepping down with an answer owed: 503 naming the
 * event; then a master started from its state (the takeover's copy)
 * knows the keys: a repeat fires nothing, a new key fires. */
static void
test_takeover(void)
{
	int	n0, i;

	sched_fake_sb.version++;
	sunk_status = 0;
	CHECK(run("lamp", "{\"key\":\"k-5\"}") == 0 && deferred, "one waits");
	sched_master_step_down(&m);
	CHECK(sunk_status == 503 && strstr(sunk, "not master") != NULL &&
	    strstr(sunk, "same key") != NULL, "stepping down: 503, run again "
	    "with the same key (%.200s)", sunk);
	m.restart = 1;
	sched_master_stop(&m);
	m.restart = 0;
	sched_fake_sb.attached = 0;
	api_free(m.api);
	m.api = NULL;
	CHECK(sched_master_start(&m, 0) == 0, "a new master on that file");
	sched_master_takeover(&m);
	if (!CHECK(make_api() == 0, "its API, admin logged in"))
		return;
	for (i = 0; i < 100; i++)	/* the takeover's outbox goes first */
		sched_master_sync_poll(&m);
	n0 = stub.ncmds;
	CHECK(run("lamp", "{\"key\":\"k-5\"}") == 200 && strstr(body,
	    "\"repeat\":true") != NULL && stub.ncmds == n0, "after the "
	    "takeover, the key of a run whose answer was lost: a repeat, "
	    "nothing fired (%.200s)", body);
	CHECK(run("lamp", "{\"key\":\"k-1\"}") == 200 && strstr(body,
	    "\"repeat\":true") != NULL && stub.ncmds == n0, "an older key "
	    "too");
	CHECK(run("lamp", "{\"key\":\"k-6\"}") == 200 && strstr(body,
	    "\"repeat\":false") != NULL && stub.ncmds == n0 + 1, "a new key "
	    "fires");
}

/* The keys kept are the last SCHED_RUN_KEYS: the oldest goes first. */
static void
test_ring(void)
{
	char	j[64];
	int	i, n0 = stub.ncmds;

	for (i = 0; i < SCHED_RUN_KEYS; i++) {
		snprintf(j, sizeof(j), "{\"key\":\"r-%d\"}", i);
		run("lamp", j);
	}
	CHECK(stub.ncmds == n0 + SCHED_RUN_KEYS && keys_in_file() ==
	    SCHED_RUN_KEYS, "%d keys: each fired once, all in the file",
	    SCHED_RUN_KEYS);
	CHECK(run("lamp", "{\"key\":\"r-0\"}") == 200 && strstr(body,
	    "\"repeat\":true") != NULL && run("lamp", "{\"key\":\"r-63\"}") ==
	    200 && strstr(body, "\"repeat\":true") != NULL && stub.ncmds ==
	    n0 + SCHED_RUN_KEYS, "the first and the last still known");
	CHECK(run("lamp", "{\"key\":\"k-6\"}") == 200 && strstr(body,
	    "\"repeat\":false") != NULL, "a key %d runs old: forgotten, it "
	    "fires again", SCHED_RUN_KEYS);
}

static const char *
T_users(void)
{
	static char p[600];

	snprintf(p, sizeof(p), "%s/users", m.conf.state_dir);
	return p;
}

/* An API on the scheduler now running, admin logged in: 0, or -1. */
static int
make_api(void)
{
	char	err[96];

	unlink(T_users());
	if ((m.api = api_new(T_users(), &cheap)) == NULL ||
	    users_add(api_users(m.api), "admin", UROLE_ADMIN,
	    "admin password 1", 1, err, sizeof(err)) == -1)
		return -1;
	api_set_sink(m.api, sink, NULL);
	if (api_sched_routes(m.api, sched_master_api(&m)) == -1)
		return -1;
	sess[0] = csrf[0] = '\0';
	call("POST", "/api/v1/login", "{\"name\":\"admin\",\"password\":"
	    "\"admin password 1\"}");
	return sess[0] != '\0' ? 0 : -1;
}

int
main(void)
{

	static const char *const nodes[] = { "slave-b", NULL };

	if (!CHECK(sched_fake_master(&m, "schedrun", "event lamp { when at "
	    "06:00 do set slave-b/sim:lamp.on = on }\nevent other { when at "
	    "07:00 do set slave-b/sim:lamp.on = off }\n", nodes) == 0,
	    "make a temporary directory"))
		return check_done();
	if (!CHECK(m.loop != NULL && sched_master_start(&m, 0) == 0,
	    "a scheduler"))
		return check_done();
	sched_master_run(&m);
	if (CHECK(make_api() == 0, "admin logged in")) {
		test_alone();
		test_standby();
		test_takeover();
		test_ring();
	}
	sched_master_stop(&m);
	api_free(m.api);
	CHECK(sched_fake_master_clean() == 0,
	    "remove the temporary directory");
	return check_done();
}
