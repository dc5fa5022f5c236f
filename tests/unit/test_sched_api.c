/*
 * Unit tests for master/api_sched.c: the scheduler's API through
 * api_handle() as the web process forwards it, with real logins (an
 * admin, a user, a viewer; cheap scrypt) and a simulated clock: list
 * with next/last firing, enable/disable/run (admin only), reload of a
 * good and a broken file, modes read and set, refusals.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "atomicfile.h"
#include "check.h"
#include "log.h"
#include "../../master/api.h"
#include "../../master/sched.h"

#define T0	(100000ULL)

static const struct scrypt_params cheap = { 16, 1, 1 };
static const uint8_t	addr[16] = { [10] = 0xff, [11] = 0xff, 10, 0, 0, 1 };
static char		body[API_MAX_RESPONSE + 1];
static int64_t		clock_ms;
static int		nchanged, ncmd;

struct who {
	char	session[SESSION_TOKEN_HEX + 1], csrf[SESSION_TOKEN_HEX + 1];
};

static int
call(struct api *a, const char *method, const char *path, const char *q,
    const char *json, const struct who *w)
{
	Hd__ApiRequest	req = HD__API_REQUEST__INIT;
	Hd__ApiResponse	resp = HD__API_RESPONSE__INIT;

	req.id = 1;
	req.method = (char *)(uintptr_t)method;
	req.path = (char *)(uintptr_t)path;
	req.query = (char *)(uintptr_t)q;
	req.addr.data = (uint8_t *)(uintptr_t)addr;
	req.addr.len = sizeof(addr);
	req.session = (char *)(uintptr_t)(w ? w->session : "");
	req.csrf = (char *)(uintptr_t)(w ? w->csrf : "");
	req.body.data = (uint8_t *)(uintptr_t)json;
	req.body.len = strlen(json);
	api_handle(a, &req, &resp, T0);
	snprintf(body, sizeof(body), "%.*s", (int)resp.body.len,
	    (const char *)resp.body.data);
	return (int)resp.status;
}

/* Log in; the session token comes back in the cookie. */
static void
login_full(struct api *a, const char *name, struct who *w)
{
	Hd__ApiRequest	req = HD__API_REQUEST__INIT;
	Hd__ApiResponse	resp = HD__API_RESPONSE__INIT;
	char		json[128];
	const char	*p;

	snprintf(json, sizeof(json), "{\"name\":\"%s\",\"password\":"
	    "\"correct horse\"}", name);
	req.method = (char *)(uintptr_t)"POST";
	req.path = (char *)(uintptr_t)"/api/v1/login";
	req.query = req.session = req.csrf = req.token = (char *)(uintptr_t)"";
	req.addr.data = (uint8_t *)(uintptr_t)addr;
	req.addr.len = sizeof(addr);
	req.body.data = (uint8_t *)json;
	req.body.len = strlen(json);
	api_handle(a, &req, &resp, T0);
	memset(w, 0, sizeof(*w));
	if ((p = strchr(resp.set_cookie, '=')) != NULL)
		snprintf(w->session, sizeof(w->session), "%.*s",
		    SESSION_TOKEN_HEX, p + 1);
	snprintf(body, sizeof(body), "%.*s", (int)resp.body.len,
	    (const char *)resp.body.data);
	if ((p = strstr(body, "\"csrf\":\"")) != NULL)
		snprintf(w->csrf, sizeof(w->csrf), "%.*s", SESSION_TOKEN_HEX,
		    p + 8);
}

static int
get_value(void *arg, const struct sched_devref *r, struct sched_val *out)
{
	(void)arg;
	(void)r;
	(void)out;
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
	ncmd++;
	return 0;
}

static const struct sched_ops ops = { get_value, command };

static int64_t
now(void *arg)
{
	(void)arg;
	return clock_ms;
}

static void
changed(void *arg)
{
	(void)arg;
	nchanged++;
}

static void
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	fputs(text, f);
	fclose(f);
}

static void
test_events(struct api *a, struct sched *s, const char *evpath)
{
	struct who	adm, usr, vw;
	int		i;

	login_full(a, "admin", &adm);
	login_full(a, "bob", &usr);
	login_full(a, "vera", &vw);
	CHECK(call(a, "GET", "/api/v1/events", "", "", &vw) == 200 &&
	    strstr(body, "\"total\":2") != NULL &&
	    strstr(body, "{\"name\":\"morning\",\"enabled\":true,\"next_ms\":"
	    "1795158000000,\"last_fired_ms\":null,\"last_result\":\"\"") !=
	    NULL, "GET events (viewer): next fire time, never fired: %.200s",
	    body);
	CHECK(call(a, "GET", "/api/v1/events", "", "", NULL) == 401,
	    "GET events without a session: 401");
	CHECK(call(a, "POST", "/api/v1/events/morning/run", "", "", &usr) ==
	    403, "run as a user: 403");
	CHECK(call(a, "POST", "/api/v1/events/morning/run", "", "", &adm) ==
	    200 && ncmd == 1 && strstr(body, "\"last_fired_ms\":1795150000000")
	    != NULL && nchanged > 0, "run as admin: 200, the action ran, "
	    "last fired now: %.200s", body);
	CHECK(call(a, "POST", "/api/v1/events/nope/run", "", "", &adm) ==
	    404, "run an unknown event: 404");
	CHECK(call(a, "POST", "/api/v1/events/morning/disable", "", "",
	    &adm) == 200 && strstr(body, "\"enabled\":false,\"next_ms\":null")
	    != NULL, "disable: 200, no next firing: %.120s", body);
	CHECK(call(a, "POST", "/api/v1/events/morning/enable", "", "",
	    &adm) == 200 && strstr(body, "\"enabled\":true") != NULL,
	    "enable: 200");
	write_file(evpath, "event morning { when at 25:00 do notify \"x\" }\n");
	CHECK(call(a, "POST", "/api/v1/events/reload", "", "", &adm) == 422 &&
	    strstr(body, "\"errors\":[\"") != NULL && strstr(body,
	    "test.events:1:25: a time of day") != NULL &&
	    sched_program(s)->nev == 2, "reload a broken file: 422 with "
	    "file:line:col errors, the old schedule stays: %.300s", body);
	write_file(evpath, "mode house { home away }\n"
	    "event morning { when at 07:00 do set a/b.c = on }\n");
	CHECK(call(a, "POST", "/api/v1/events/reload", "", "", &adm) == 200 &&
	    strcmp(body, "{\"events\":1}") == 0, "reload a good file: 200 %s",
	    body);
	CHECK(call(a, "POST", "/api/v1/events/reload", "", "", &usr) == 403,
	    "reload as a user: 403");
	CHECK(call(a, "GET", "/api/v1/modes", "", "", &vw) == 200 &&
	    strcmp(body, "{\"modes\":[{\"name\":\"house\",\"value\":\"home\","
	    "\"values\":[\"home\",\"away\"]}]}") == 0, "GET modes: %s", body);
	CHECK(call(a, "PUT", "/api/v1/modes", "", "{\"mode\":\"house\","
	    "\"value\":\"away\"}", &vw) == 403, "PUT modes as a viewer: 403");
	CHECK(call(a, "PUT", "/api/v1/modes", "", "{\"mode\":\"house\","
	    "\"value\":\"away\"}", &usr) == 200 && strstr(body,
	    "\"value\":\"away\"") != NULL, "PUT modes as a user: 200");
	CHECK(call(a, "PUT", "/api/v1/modes", "", "{\"mode\":\"house\","
	    "\"value\":\"moon\"}", &usr) == 404, "PUT an unknown value: 404");
	CHECK(call(a, "PUT", "/api/v1/modes", "", "{\"mode\":\"house\"}",
	    &usr) == 400, "PUT without a value: 400");
	/* A page of SCHED_API_PAGE events, then the rest. */
	{
		FILE *f = fopen(evpath, "w");

		for (i = 0; i < SCHED_API_PAGE + 10; i++)
			fprintf(f, "event e%03d { when every %d min do notify "
			    "\"%d\" }\n", i, 1 + i, i);
		fclose(f);
	}
	call(a, "POST", "/api/v1/events/reload", "", "", &adm);
	CHECK(call(a, "GET", "/api/v1/events", "", "", &vw) == 200 &&
	    strstr(body, "\"next\":150") != NULL, "a long list is paged");
	CHECK(call(a, "GET", "/api/v1/events", "from=150", "", &vw) == 200 &&
	    strstr(body, "\"name\":\"e159\"") != NULL && strstr(body,
	    "\"next\":null") != NULL, "from=150: the last ten");
	CHECK(call(a, "GET", "/api/v1/events", "from=x", "", &vw) == 400,
	    "a bad from: 400");
}

int
main(void)
{
	char		 dir[] = "/tmp/hd-test-sched-api.XXXXXX", path[128];
	char		 evpath[160], err[128];
	struct users	*u;
	struct api	*a;
	struct sched	*s;
	struct sched_api sa;
	struct sched_errs e;

	log_init("test", 0);
	setenv("TZ", "UTC", 1);
	if (!CHECK(mkdtemp(dir) != NULL, "temporary folder"))
		return check_done();
	snprintf(path, sizeof(path), "%s/%s", dir, USERS_FILE);
	snprintf(evpath, sizeof(evpath), "%s/test.events", dir);
	u = users_new(path, &cheap);
	users_add(u, "admin", UROLE_ADMIN, "correct horse", 1, err,
	    sizeof(err));
	users_add(u, "bob", UROLE_USER, "correct horse", 1, err, sizeof(err));
	users_add(u, "vera", UROLE_VIEWER, "correct horse", 1, err,
	    sizeof(err));
	users_save(u);
	users_free(u);
	a = api_new(path, &cheap);
	/* 2026-11-19 17:46:40 UTC; "morning" next at 2026-11-20 07:00. */
	clock_ms = 1795150000000LL;
	write_file(evpath, "event morning { when at 07:00 do set a/b.c = on }\n"
	    "event night { when at 23:00 do set a/b.c = off }\n");
	s = sched_new(&ops, NULL, 0, 0, NULL);
	if (CHECK(a != NULL && s != NULL && sched_load(s, evpath, clock_ms,
	    &e) == 0, "api and schedule")) {
		sched_start(s, clock_ms);
		sa = (struct sched_api){ s, evpath, now, changed, NULL };
		CHECK(api_sched_routes(a, &sa) == 0, "routes added");
		test_events(a, s, evpath);
	}
	sched_free(s);
	api_free(a);
	unlink(evpath);
	unlink(path);
	rmdir(dir);
	return check_done();
}
