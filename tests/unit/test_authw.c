/* Unit tests for master/auth/authw.c and master/api/api_later.c: the auth worker
 * (this binary, re-executed with -A, is the worker), its queue, its
 * death and restart, and a login answered later through the API. The
 * worker driven directly on a socketpair is in test_authw_raw.c, linked
 * into the same program. */

#include <sys/socket.h>
#include <sys/wait.h>

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auth.pb-c.h"
#define CHECK_PARTS	/* with test_authw_raw.c */
#include "check.h"
#include "log.h"
#include "wire.h"
#include "../../master/api/api.h"
#include "../../master/auth/authw.h"
#include "test_authw.h"

static struct ev_loop	*loop;
static struct authw	*aw;

const struct scrypt_params cheap = { 1024, 8, 1 };
static const struct scrypt_params heavy = { 1 << 14, 8, 1 };	/* 16 MiB */
const uint8_t	salt[SCRYPT_SALT_LEN] = "0123456789abcdef";

/* What callbacks saw, in order. */
#define NSEEN	32
static struct seen {
	int			tag;
	enum authw_status	st;
	uint8_t			key[SCRYPT_KEY_LEN];
} seen[NSEEN];
static int	nseen;

static void
done(void *arg, enum authw_status st, const uint8_t *key, uint64_t now)
{
	(void)now;
	if (nseen == NSEEN)
		return;
	seen[nseen].tag = (int)(intptr_t)arg;
	seen[nseen].st = st;
	if (key != NULL)
		memcpy(seen[nseen].key, key, SCRYPT_KEY_LEN);
	nseen++;
}

/* Run the loop until cond() holds or `ms` pass; cond()'s truth. */
static int (*cond)(void);
static uint64_t	deadline;
static struct ev_timer tick;

static void
on_tick(struct ev_timer *t)
{
	(void)t;
	if (cond() || ev_clock_ms() >= deadline)
		ev_break(loop);
	else
		ev_timer_start(loop, &tick, 5);
}

static int
run_until(int (*c)(void), uint64_t ms)
{
	cond = c;
	deadline = ev_clock_ms() + ms;
	ev_timer_init(&tick, on_tick, NULL);
	ev_timer_start(loop, &tick, 0);
	ev_run(loop);
	ev_timer_stop(loop, &tick);
	return c();
}

static int	want;
static int	seen_enough(void) { return nseen >= want; }
static pid_t	old_pid;
static int	restarted(void) { return authw_pid(aw) > 0 &&
		    authw_pid(aw) != old_pid; }
static int	let_go(void) { return authw_pid(aw) == -1; }

/*
 * SIGKILL the running worker; its pid lands in old_pid. A worker that is
 * down has pid -1, and kill(-1, SIGKILL) as root would kill every process
 * of the machine: refuse that, as a failed check.
 */
static void
kill_worker(void)
{
	old_pid = authw_pid(aw);
	CHECK(old_pid > 0 && kill(old_pid, SIGKILL) == 0,
	    "the worker is up, and killed (pid %d)", (int)old_pid);
}

static int
hash(const char *pw, const struct scrypt_params *sp, int tag)
{
	return authw_hash(aw, pw, salt, sp, done, (void *)(intptr_t)tag);
}

int
key_is(const uint8_t *key, const char *pw, const struct scrypt_params *sp)
{
	uint8_t k[SCRYPT_KEY_LEN];

	return users_scrypt(pw, salt, sp, k) == 0 &&
	    memcmp(k, key, sizeof(k)) == 0;
}

static void
test_hash(void)
{
	int i, inorder = 1, right = 1;

	nseen = 0;
	CHECK(hash("correct horse battery", &cheap, 1) == 0, "a hash queues");
	want = 1;
	CHECK(run_until(seen_enough, 10000), "its answer comes back");
	CHECK(seen[0].st == AUTHW_OK && key_is(seen[0].key,
	    "correct horse battery", &cheap), "the key is scrypt's");
	CHECK(authw_pending(aw) == 0, "nothing pending after it");

	nseen = 0;
	for (i = 0; i < AUTH_MAX_PENDING; i++)
		hash(i % 2 ? "another password" : "correct horse battery",
		    &heavy, 10 + i);
	CHECK(authw_pending(aw) == AUTH_MAX_PENDING, "AUTH_MAX_PENDING queue");
	CHECK(hash("one too many", &cheap, 99) == -1,
	    "a full queue refuses at once");
	want = AUTH_MAX_PENDING;
	CHECK(run_until(seen_enough, 60000), "all of them come back");
	for (i = 0; i < nseen; i++) {
		inorder &= seen[i].tag == 10 + i;
		right &= seen[i].st == AUTHW_OK && key_is(seen[i].key,
		    i % 2 ? "another password" : "correct horse battery",
		    &heavy);
	}
	CHECK(inorder && nseen == AUTH_MAX_PENDING, "in the order asked");
	CHECK(right, "each with its own key");
	CHECK(hash(
	    "a password longer than PASSWORD_MAX is refused before it is sent "
	    "to the worker, since the worker would drop the link over it ....",
	    &cheap, 5) == -1, "a password over PASSWORD_MAX is refused");

	nseen = 0;
	CHECK(authw_hash(aw, "x", salt, &(struct scrypt_params){ 3, 1, 1 },
	    done, NULL) == 0, "bad parameters still queue");
	want = 1;
	CHECK(run_until(seen_enough, 10000) && seen[0].st == AUTHW_FAILED,
	    "and fail with AUTHW_FAILED, the worker alive");
}

/*
 * A worker whose stderr is /dev/null (a character device, as a terminal
 * is) logs its warnings and lives: stdio once asked isatty() at the
 * first line, an ioctl its seccomp filter killed it for.
 */
static void	swap_worker(const char *);

static void
test_quiet_stderr(void)
{
	int	saved = dup(2), null = open("/dev/null", O_WRONLY);
	pid_t	pid;

	if (!CHECK(saved != -1 && null != -1 && dup2(null, 2) == 2,
	    "stderr on /dev/null"))
		return;
	swap_worker(NULL);		/* a worker that inherits it */
	pid = authw_pid(aw);
	nseen = 0;
	authw_hash(aw, "x", salt, &(struct scrypt_params){ 3, 1, 1 }, done,
	    NULL);			/* the worker logs "scrypt failed" */
	want = 1;
	CHECK(run_until(seen_enough, 10000) && seen[0].st == AUTHW_FAILED &&
	    pid > 0 && authw_pid(aw) == pid,
	    "a worker logging to /dev/null answers and lives");
	dup2(saved, 2);
	close(saved);
	close(null);
	swap_worker(NULL);
}

static void
test_kill(void)
{
	int i, down = 1;

	nseen = 0;
	for (i = 0; i < 3; i++)
		hash("correct horse battery", &heavy, i);
	kill_worker();
	want = 3;
	CHECK(run_until(seen_enough, 10000), "a killed worker's hashes end");
	for (i = 0; i < nseen; i++)
		down &= seen[i].st == AUTHW_DOWN;
	CHECK(down, "... each with AUTHW_DOWN");
	CHECK(hash("correct horse battery", &cheap, 0) == -1,
	    "no hash queues while it is down");
	CHECK(run_until(restarted, 10000), "the worker is restarted");
	nseen = 0;
	CHECK(hash("correct horse battery", &cheap, 7) == 0, "and queues");
	want = 1;
	CHECK(run_until(seen_enough, 10000) && seen[0].st == AUTHW_OK &&
	    key_is(seen[0].key, "correct horse battery", &cheap),
	    "and hashes again");
}

/*
 * Replace the worker with a misbehaving one (see worker_test()). One that
 * never answers (or sends half a frame) is caught by the timeout: a short
 * one. One that answers gets the daemon's own, AUTH_TIMEOUT_MS: with 300
 * ms, a loaded machine made its answer late and the test took the timeout
 * for the answer (or a good worker for a bad one).
 */
static void
swap_worker(const char *mode)
{
	int	hangs = mode != NULL && (strcmp(mode, "mute") == 0 ||
		    strcmp(mode, "garbage") == 0 || strcmp(mode, "huge") == 0);

	authw_tune(aw, hangs ? 300 : AUTH_TIMEOUT_MS, 20);
	if (mode != NULL)
		setenv("AUTHW_TEST", mode, 1);
	else
		unsetenv("AUTHW_TEST");
	kill_worker();
	run_until(restarted, 10000);
}

static void
test_bad(void)
{
	swap_worker("bad");
	nseen = 0;
	old_pid = authw_pid(aw);
	CHECK(hash("correct horse battery", &cheap, 1) == 0 &&
	    hash("correct horse battery", &cheap, 2) == 0, "two hashes queue");
	want = 2;
	CHECK(run_until(seen_enough, 10000) && seen[0].st == AUTHW_DOWN &&
	    seen[1].st == AUTHW_DOWN,
	    "an answer of the wrong id fails them all");
	CHECK(run_until(restarted, 10000), "the link is dropped, and a new "
	    "worker started");

	swap_worker("mute");
	nseen = 0;
	old_pid = authw_pid(aw);
	CHECK(hash("correct horse battery", &cheap, 1) == 0, "a hash queues "
	    "with a stalled worker");
	want = 1;
	CHECK(run_until(seen_enough, 10000) && seen[0].st == AUTHW_DOWN,
	    "its timeout fails it");
	CHECK(run_until(restarted, 10000), "and the worker is replaced");

	swap_worker(NULL);
	nseen = 0;
	hash("correct horse battery", &cheap, 1);
	want = 1;
	CHECK(run_until(seen_enough, 10000) && seen[0].st == AUTHW_OK,
	    "a good worker again: hashes work");
	authw_tune(aw, AUTH_TIMEOUT_MS, 20);
}

/* The API's side: a login answered later, through a sink. */
static int		 answers;
static uint64_t		 ans_link;
static int		 ans_failed;
static Hd__ApiResponse	 ans;
static char		 ans_body[API_MAX_RESPONSE + 1], ans_cookie[256];
static int got_answer(void) { return answers > 0; }

static void
sink(void *arg, uint64_t link, const Hd__ApiResponse *r, int failed,
    const uint8_t *addr)
{
	(void)arg;
	(void)addr;
	answers++;
	ans_link = link;
	ans_failed = failed;
	ans = *r;
	snprintf(ans_body, sizeof(ans_body), "%.*s", (int)r->body.len,
	    (const char *)r->body.data);
	snprintf(ans_cookie, sizeof(ans_cookie), "%s", r->set_cookie);
}

/* A call as the web process forwards it, with a session if one is set. */
static char	sess[SESSION_TOKEN_HEX + 1], csrf[SESSION_TOKEN_HEX + 1];

static int
call(struct api *a, const char *method, const char *path, const char *json,
    Hd__ApiResponse *resp)
{
	static uint8_t	addr[16] = { [10] = 0xff, [11] = 0xff, 127, 0, 0, 1 };
	Hd__ApiRequest	req = HD__API_REQUEST__INIT;

	/* A new address each time: the address's throttling stays out of
	 * the way of these tests (test_api.c tests it). */
	addr[15]++;
	hd__api_response__init(resp);
	req.id = 42;
	req.method = (char *)(uintptr_t)method;
	req.path = (char *)(uintptr_t)path;
	req.addr.data = (uint8_t *)(uintptr_t)addr;
	req.addr.len = sizeof(addr);
	req.session = sess;
	req.csrf = csrf;
	req.body.data = (uint8_t *)(uintptr_t)json;
	req.body.len = strlen(json);
	answers = 0;
	return api_handle(a, &req, resp, ev_now(loop));
}

static int
login(struct api *a, const char *json, Hd__ApiResponse *resp)
{
	return call(a, "POST", "/api/v1/login", json, resp);
}

/* Log in (through the worker) and keep the session for call(). */
static int
session_of(struct api *a, const char *name, const char *pw)
{
	Hd__ApiResponse	 r;
	char		 json[256];
	const char	*p;

	sess[0] = csrf[0] = '\0';
	snprintf(json, sizeof(json), "{\"name\":\"%s\",\"password\":\"%s\"}",
	    name, pw);
	if (login(a, json, &r) != API_DEFERRED ||
	    !run_until(got_answer, 10000) || ans.status != 200)
		return -1;
	if ((p = strchr(ans_cookie, '=')) == NULL ||
	    sscanf(p + 1, "%64[0-9a-f]", sess) != 1 ||
	    (p = strstr(ans_body, "\"csrf\":\"")) == NULL ||
	    sscanf(p + 8, "%64[0-9a-f]", csrf) != 1)
		return -1;
	return 0;
}

/* A call answered later: its status, the body in ans_body. */
static int
later(struct api *a, const char *method, const char *path, const char *json)
{
	Hd__ApiResponse r;

	if (call(a, method, path, json, &r) != API_DEFERRED)
		return -(int)r.status;
	if (!run_until(got_answer, 10000))
		return -1;
	return (int)ans.status;
}

/* User management with the worker: creation, a new password, one's own
 * password; what changes nothing answers at once. */
static void
test_users_api(struct api *a)
{
	Hd__ApiResponse	 r;
	char		 pw[64] = "", json[256];
	const char	*p;

	if (!CHECK(session_of(a, "admin", "right password") == 0,
	    "the admin logs in through the worker"))
		return;
	CHECK(later(a, "POST", "/api/v1/users",
	    "{\"name\":\"bob\",\"role\":\"viewer\"}") == 201,
	    "a user is created once its password is hashed: 201");
	if ((p = strstr(ans_body, "\"password\":\"")) != NULL)
		sscanf(p + 12, "%63[a-z0-9]", pw);
	CHECK(strlen(pw) == USER_PASSWORD_GEN, "with its generated password");
	CHECK(call(a, "POST", "/api/v1/users", "{\"name\":\"bob\",\"role\":"
	    "\"viewer\"}", &r) == 0 && r.status == 409,
	    "an existing name: 409 at once, nothing hashed");
	CHECK(call(a, "POST", "/api/v1/users", "{\"name\":\"carl\",\"role\":"
	    "\"viewer\",\"password\":\"short\"}", &r) == 0 && r.status == 400,
	    "a short password: 400 at once");
	CHECK(call(a, "POST", "/api/v1/users", "{\"name\":\"dora\",\"role\":"
	    "\"user\",\"password\":\"dora's password\"}", &r) == API_DEFERRED,
	    "a creation waits for its hash");
	users_add(api_users(a), "dora", UROLE_VIEWER, "someone else's", 0,
	    json, sizeof(json));
	CHECK(run_until(got_answer, 10000) && ans.status == 409,
	    "a name taken meanwhile: 409 when the hash is back");

	CHECK(later(a, "PATCH", "/api/v1/users/bob",
	    "{\"password\":\"bob's new password\"}") == 200,
	    "a new password for bob: 200 once hashed");
	CHECK(call(a, "PATCH", "/api/v1/users/bob", "{\"role\":\"user\"}", &r)
	    == 0 && r.status == 200, "a role alone: 200 at once");
	snprintf(json, sizeof(json), "{\"name\":\"bob\",\"password\":\"%s\"}",
	    pw);
	CHECK(login(a, json, &r) == API_DEFERRED &&
	    run_until(got_answer, 10000) && ans.status == 401,
	    "bob's old password no longer logs in");
	if (!CHECK(session_of(a, "bob", "bob's new password") == 0,
	    "his new one does"))
		return;
	CHECK(later(a, "POST", "/api/v1/password", "{\"old\":\"not bob's "
	    "password\",\"new\":\"bob's third password\"}") == 403 &&
	    ans_failed, "his own change with a wrong old password: 403, "
	    "counted as a failed login");
	CHECK(later(a, "POST", "/api/v1/password", "{\"old\":\"bob's new "
	    "password\",\"new\":\"bob's third password\"}") == 200 &&
	    strstr(ans_body, "\"changed\":true") != NULL && answers == 1,
	    "with the right one: 200 after both hashes, answered once");
	CHECK(session_of(a, "bob", "bob's third password") == 0,
	    "the third password logs in");
	sess[0] = csrf[0] = '\0';
}

static void
test_api(const char *dir)
{
	struct api	*a;
	Hd__ApiResponse	 r;
	char		 path[256], err[96];
	int		 i, st;

	snprintf(path, sizeof(path), "%s/users", dir);
	if (!CHECK((a = api_new(path, &cheap)) != NULL, "api_new"))
		return;
	users_add(api_users(a), "admin", UROLE_ADMIN, "right password",
	    0, err, sizeof(err));
	api_set_auth(a, aw);
	api_set_sink(a, sink, NULL);
	api_set_link(a, 1);

	st = login(a, "{\"name\":\"admin\",\"password\":\"right password\"}",
	    &r);
	CHECK(st == API_DEFERRED && r.status == 0, "a login is deferred");
	CHECK(run_until(got_answer, 10000) && ans.status == 200 &&
	    ans.id == 42 && strstr(ans_cookie, "__Host-hd_session=") != NULL,
	    "its answer comes later: 200, a session cookie, the same id");
	CHECK(ans_link == 1 && !ans_failed && strstr(ans_body,
	    "\"role\":\"admin\"") != NULL, "for the web process it came from");

	st = login(a, "{\"name\":\"admin\",\"password\":\"wrong password\"}",
	    &r);
	api_set_link(a, 2);	/* the web process restarted meanwhile */
	CHECK(st == API_DEFERRED && run_until(got_answer, 10000) &&
	    ans.status == 401 && ans_failed, "a wrong password: 401 later, "
	    "counted as a failed login");
	CHECK(ans_link == 1, "... marked for the old web process (dropped)");

	st = login(a, "{\"name\":\"nobody\",\"password\":\"right password\"}",
	    &r);
	CHECK(st == API_DEFERRED && run_until(got_answer, 10000) &&
	    ans.status == 401, "an unknown name: 401 too");

	for (i = 0; i < AUTH_MAX_PENDING; i++)
		hash("correct horse battery", &heavy, i);
	st = login(a, "{\"name\":\"admin\",\"password\":\"right password\"}",
	    &r);
	CHECK(st == 0 && r.status == 503 && r.retry_after_s ==
	    AUTH_RETRY_AFTER_S, "a full queue: 503 at once, with Retry-After");
	CHECK(r.body.len > 0 && memmem(r.body.data, r.body.len, "\"busy\"", 6)
	    != NULL, "... saying busy");
	nseen = 0;
	want = AUTH_MAX_PENDING;
	run_until(seen_enough, 60000);

	/* The restart an hour away while the worker is down: "at once"
	 * below cannot race it on a loaded machine. */
	authw_tune(aw, AUTH_TIMEOUT_MS, 3600000);
	st = login(a, "{\"name\":\"admin\",\"password\":\"right password\"}",
	    &r);
	kill_worker();
	CHECK(st == API_DEFERRED && run_until(got_answer, 10000) &&
	    ans.status == 503 && ans.retry_after_s == AUTH_RETRY_AFTER_S &&
	    strstr(ans_body, "\"unavailable\"") != NULL,
	    "the worker killed under a login: 503 unavailable");
	CHECK(!ans_failed, "... not counted as a failed login");
	st = login(a, "{\"name\":\"admin\",\"password\":\"right password\"}",
	    &r);
	CHECK(st == 0 && r.status == 503, "while it restarts: 503 at once");
	authw_tune(aw, AUTH_TIMEOUT_MS, 20);
	run_until(restarted, 10000);
	st = login(a, "{\"name\":\"admin\",\"password\":\"right password\"}",
	    &r);
	CHECK(st == API_DEFERRED && run_until(got_answer, 10000) &&
	    ans.status == 200, "restarted: logins work again");

	/* Unused, the worker is let go; the next login starts another. */
	old_pid = authw_pid(aw);
	authw_idle(aw, 200);
	CHECK(run_until(let_go, 10000) && authw_pending(aw) == 0,
	    "an unused worker is let go after its idle time");
	st = login(a, "{\"name\":\"admin\",\"password\":\"right password\"}",
	    &r);
	CHECK(st == API_DEFERRED && restarted() && run_until(got_answer,
	    10000) && ans.status == 200, "the next login starts a new worker "
	    "at once and logs in");
	authw_idle(aw, AUTH_IDLE_MS);

	test_users_api(a);

	/* Shutdown with a login pending: freed, nobody answered. */
	st = login(a, "{\"name\":\"admin\",\"password\":\"right password\"}",
	    &r);
	authw_stop(aw);
	aw = NULL;
	CHECK(st == API_DEFERRED && answers == 0,
	    "stopping the worker drops a pending login unanswered");
	api_free(a);
}

/*
 * The worker, when this binary runs as "hd-auth -A fd". AUTHW_TEST
 * makes it misbehave: "bad" answers with a wrong id, "mute" never does.
 */
static void
worker_test(int fd, const char *mode)
{
	static const uint8_t garbage[] = { 0, 0, 0, 3, 0xff, 0xff, 0xff };
	static const uint8_t huge[] = { 0x7f, 0xff, 0xff, 0xff };
	static uint8_t	 fake_key[SCRYPT_KEY_LEN];
	Hd__AuthAnswer	 a = HD__AUTH_ANSWER__INIT;
	Hd__AuthRequest	*req;
	uint8_t		 buf[AUTH_MAX_FRAME];
	size_t		 len;

	if (read(fd, buf, WIRE_HDR_LEN) != WIRE_HDR_LEN ||
	    (len = (size_t)buf[2] << 8 | buf[3]) > sizeof(buf) ||
	    read(fd, buf, len) != (ssize_t)len || (req = (Hd__AuthRequest *)
	    wire_unpack(&hd__auth_request__descriptor, buf, len)) == NULL)
		_exit(0);
	a.id = req->id;
	a.ok = 1;
	a.key.data = fake_key;
	a.key.len = SCRYPT_KEY_LEN;
	if (strcmp(mode, "bad") == 0)		/* the wrong id */
		a.id = 99;
	else if (strcmp(mode, "shortkey") == 0)
		a.key.len = 5;
	else if (strcmp(mode, "garbage") == 0) {
		if (write(fd, garbage, sizeof(garbage)) < 0)
			_exit(1);
		goto hang;
	} else if (strcmp(mode, "huge") == 0) {
		if (write(fd, huge, sizeof(huge)) < 0)
			_exit(1);
		goto hang;
	} else if (strcmp(mode, "mute") == 0)
		goto hang;
	len = protobuf_c_message_get_packed_size(&a.base);
	buf[0] = buf[1] = buf[2] = 0;
	buf[3] = (uint8_t)len;
	protobuf_c_message_pack(&a.base, buf + WIRE_HDR_LEN);
	/* "twice": the same answer again, which nobody asked for. */
	if (write(fd, buf, WIRE_HDR_LEN + len) < 0 ||
	    (strcmp(mode, "twice") == 0 &&
	    write(fd, buf, WIRE_HDR_LEN + len) < 0))
		_exit(1);
hang:
	for (;;)
		pause();
}

static int	never(void) { return 0; }

/* The watchdog's ping: a worker that answers is left alone, one that is
 * stopped, or mute, is killed and replaced even with no hash to do. */
static void
test_ping(void)
{
	uint64_t k0;

	authw_tune(aw, 300, 20);
	swap_worker(NULL);
	old_pid = authw_pid(aw);
	k0 = authw_kills(aw);
	run_until(never, 2 * AUTH_PING_MS + 500);
	CHECK(authw_pid(aw) == old_pid && authw_kills(aw) == k0,
	    "an idle worker that answers its pings is left alone");
	if (old_pid > 0)	/* never kill(-1): as root that is every process */
		kill(old_pid, SIGSTOP);
	CHECK(old_pid > 0 && run_until(restarted, 10000) &&
	    authw_kills(aw) == k0 + 1,
	    "a stopped idle worker is killed by the watchdog and replaced");
	waitpid(old_pid, NULL, WNOHANG);
	swap_worker("mute");
	old_pid = authw_pid(aw);
	CHECK(run_until(restarted, 10000) && authw_kills(aw) == k0 + 2,
	    "a mute idle worker is killed and replaced");
	swap_worker(NULL);
	nseen = 0;
	hash("correct horse battery", &cheap, 1);
	want = 1;
	CHECK(run_until(seen_enough, 10000) && seen[0].st == AUTHW_OK,
	    "the new worker hashes");
	authw_tune(aw, AUTH_TIMEOUT_MS, 20);
}

/* Answers the master must not take: each fails the pending hash
 * (AUTHW_DOWN) and gets the worker replaced. */
static void
test_bad_kinds(void)
{
	static const char *const modes[] = { "shortkey", "garbage", "huge",
	    "twice" };
	size_t	i;

	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		swap_worker(modes[i]);
		nseen = 0;
		old_pid = authw_pid(aw);
		hash("correct horse battery", &cheap, 1);
		want = 1;
		if (strcmp(modes[i], "twice") == 0)
			CHECK(run_until(seen_enough, 10000) &&
			    seen[0].st == AUTHW_OK && run_until(restarted,
			    10000), "an answer nobody asked for drops the "
			    "worker (after a good one)");
		else
			CHECK(run_until(seen_enough, 10000) &&
			    seen[0].st == AUTHW_DOWN && run_until(restarted,
			    10000), "an answer of kind \"%s\" fails the hash, "
			    "a new worker starts", modes[i]);
	}
	swap_worker(NULL);
	authw_tune(aw, AUTH_TIMEOUT_MS, 20);
}

int
main(int argc, char *argv[])
{
	char	 dir[] = "/tmp/test_authw.XXXXXX", cmd[64];

	if (argc == 3 && strcmp(argv[1], "-A") == 0) {
		if (getenv("AUTHW_TEST") != NULL)
			worker_test(atoi(argv[2]), getenv("AUTHW_TEST"));
		authw_main(NULL, atoi(argv[2]), 0);
	}
	log_init("test_authw", 0);
	unsetenv("AUTHW_TEST");
	if (!CHECK((loop = ev_loop_new()) != NULL, "ev_loop_new") ||
	    !CHECK(mkdtemp(dir) != NULL, "mkdtemp"))
		return check_done();
	if (!CHECK((aw = authw_start(loop, NULL, 0)) != NULL &&
	    authw_pid(aw) > 0, "the worker starts"))
		return check_done();
	authw_tune(aw, AUTH_TIMEOUT_MS, 20);
	test_hash();
	test_quiet_stderr();
	test_kill();
	test_bad();
	test_ping();
	test_bad_kinds();
	test_worker_direct();
	test_api(dir);
	authw_stop(aw);
	ev_loop_free(loop);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "# %s failed\n", cmd);
	return check_done();
}
