/*
 * Unit tests for master/api/api_sched.c: the scheduler's API through
 * api_handle() as the web process forwards it, with real logins (an
 * admin, a user, a viewer; cheap scrypt) and a simulated clock: list
 * with next/last firing, enable/disable/run (admin only), reload of a
 * good and a broken file, modes read and set, refusals.
 */

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "atomicfile.h"
#include "check.h"
#include "log.h"
#include "sched_test.h"
#include "../../master/api/api.h"
#include "sched/sched.h"
#include "sched_fake.h"

#define T0	(100000ULL)

static const struct scrypt_params cheap = { 16, 1, 1 };
static const uint8_t	addr[16] = { [10] = 0xff, [11] = 0xff, 10, 0, 0, 1 };
static char		body[API_MAX_RESPONSE + 1];
static int64_t		clock_ms;
static int		nchanged;

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

/* Slave "a" has sent the end of its local replay (LocalSync). */
static int	a_synced;

static int
local_synced(void *arg, const char *node)
{
	(void)arg;
	return a_synced && strcmp(node, "a") == 0;
}

/* The node table as the master knows it: two slaves have been seen. */
static const char *
site_of(void *arg, const char *node)
{
	(void)arg;
	if (strcmp(node, "house-pi") == 0)
		return "House";
	if (strcmp(node, "barn-pi") == 0)
		return "Barn";
	return NULL;
}

static void
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	fputs(text, f);
	fclose(f);
}

/* One event's "sun" array as GET /api/v1/events/NAME gives it. */
static const char *
sun_of(struct api *a, const struct who *w, const char *name)
{
	char path[128];

	snprintf(path, sizeof(path), "/api/v1/events/%s", name);
	if (call(a, "GET", path, "", "", w) != 200 ||
	    strstr(body, ",\"sun\":[") == NULL)
		return "";
	return strstr(body, ",\"sun\":[") + 7;
}

/*
 * 150 events of 16 sun triggers each would pass API_MAX_RESPONSE in one
 * page: the page ends early, whole, and says where the next one starts.
 */
static void
test_sun_page(struct api *a, struct sched *s, const char *evpath,
    const struct who *w)
{
	struct sched_errs	 e;
	FILE			*f = fopen(evpath, "w");
	const char		*p;
	int			 i, j, next = -1;

	for (i = 0; f != NULL && i < SCHED_API_PAGE; i++) {
		fprintf(f, "event sun%03d { when sunset", i);
		for (j = 1; j < SCHED_MAX_TRIGGERS; j++)
			fprintf(f, " or sunset + %d min", j);
		fprintf(f, " do notify \"x\" }\n");
	}
	if (f != NULL)
		fclose(f);
	if (!CHECK(sched_load(s, evpath, clock_ms, &e) == 0, "%d events of "
	    "%d sun triggers load", SCHED_API_PAGE, SCHED_MAX_TRIGGERS)) {
		printf("# %s", e.buf);
		return;
	}
	if (call(a, "GET", "/api/v1/events", "", "", w) == 200 &&
	    (p = strstr(body, "],\"next\":")) != NULL)
		next = atoi(p + 9);
	CHECK(next > 1 && next < SCHED_API_PAGE && strlen(body) <
	    API_MAX_RESPONSE && strstr(body, "\"name\":\"sun000\"") &&
	    body[strlen(body) - 1] == '}', "a page that would pass "
	    "API_MAX_RESPONSE ends early and whole (next %d, %zu bytes)",
	    next, strlen(body));
}

/*
 * Polar day, polar night, a white night and "not one of its days" told
 * apart (Tromso), instead of a missing next firing for all.
 */
static void
test_sun_today(struct api *a, struct sched *s, const char *evpath)
{
	struct sched_errs	 e;
	struct who		 vw;
	char			 want[256];
	int64_t			 t;

	tz("Europe/Oslo");
	s->home.lat = 69.6492;
	s->home.lon = 18.9553;
	write_file(evpath, "event eve { when sunset + 15 min or dusk "
	    "do notify \"x\" }\n"
	    "event sunday { when sunrise on sun do notify \"y\" }\n"
	    "event plain { when at 07:00 do notify \"z\" }\n");
	clock_ms = utc(2026, 6, 21, 12, 0);
	if (!CHECK(sched_load(s, evpath, clock_ms, &e) == 0, "a file with "
	    "sun triggers loads"))
		return;
	login_full(a, "vera", &vw);
	CHECK(strcmp(sun_of(a, &vw, "eve"), "[{\"event\":\"sunset\","
	    "\"offset_s\":900,\"today\":\"polar_day\"},{\"event\":\"dusk\","
	    "\"offset_s\":0,\"today\":\"white_night\"}]}") == 0,
	    "midsummer: no sunset (polar day), no dusk (white night): %s",
	    sun_of(a, &vw, "eve"));
	CHECK(call(a, "GET", "/api/v1/events/plain", "", "", &vw) == 200 &&
	    strstr(body, "\"sun\"") == NULL, "an event without sun triggers "
	    "has no sun array");
	clock_ms = utc(2026, 12, 21, 12, 0);	/* a Monday */
	sched_sun_time(SUN_CIVIL_DUSK, 2026, 12, 21, s->home.lat, s->home.lon, &t);
	snprintf(want, sizeof(want), "[{\"event\":\"sunset\",\"offset_s\":"
	    "900,\"today\":\"polar_night\"},{\"event\":\"dusk\",\"offset_s\":"
	    "0,\"today\":\"event\",\"at_ms\":%lld}]}", (long long)t);
	CHECK(strcmp(sun_of(a, &vw, "eve"), want) == 0, "midwinter: no "
	    "sunset (polar night), a dusk with its instant: %s",
	    sun_of(a, &vw, "eve"));
	CHECK(strcmp(sun_of(a, &vw, "sunday"), "[{\"event\":\"sunrise\","
	    "\"offset_s\":0,\"today\":\"not_today\"}]}") == 0,
	    "'sunrise on sun' on a Monday: not today");
	clock_ms = utc(2026, 7, 26, 12, 0);	/* a Sunday */
	sched_sun_time(SUN_RISE, 2026, 7, 26, s->home.lat, s->home.lon, &t);
	snprintf(want, sizeof(want), "[{\"event\":\"sunrise\",\"offset_s\":"
	    "0,\"today\":\"event\",\"at_ms\":%lld}]}", (long long)t);
	CHECK(strcmp(sun_of(a, &vw, "sunday"), want) == 0, "on a Sunday: "
	    "today's sunrise: %s", sun_of(a, &vw, "sunday"));
	s->home.lat = s->home.lon = NAN;
	CHECK(strstr(sun_of(a, &vw, "sunday"), "\"today\":\"no_place\"") !=
	    NULL, "without latitude and longitude: no place");
	s->home.lat = 69.6492;
	s->home.lon = 18.9553;
	test_sun_page(a, s, evpath, &vw);
}

/*
 * A holiday house on Cape Cod (docs/SCHEDULER.md#sites): its event says
 * its site, place and zone, and its sunset today is Cape Cod's, on Cape
 * Cod's date; the master's own events say the installation's.
 */
static void
test_site(struct api *a, struct sched *s, const char *evpath)
{
	static const struct sched_place holiday[] = {
		{ "holiday", 41.67, -70.0, "America/New_York" },
		{ "Barn", 52.6, 13.5, "" } };
	struct sched_errs	 e;
	struct who		 vw, adm;
	char			 want[256];
	int64_t			 t;

	sched_set_places(s, holiday, 2);
	write_file(evpath, "event cottage { site holiday when sunset "
	    "do notify \"x\" }\n"
	    "event plain { when at 07:00 do notify \"z\" }\n"
	    "event heat { site holiday when at 06:00 do set cottage/heat.on = "
	    "on }\n"
	    "event barnforgot { when at 06:00 do set barn-pi/heat.on = on }\n"
	    "event barnok { site Barn when at 06:00 do set barn-pi/heat.on = "
	    "on }\n"
	    "event housewrong { site holiday when at 06:00 do set "
	    "house-pi/heat.on = on }\n"
	    "event houseok { when at 06:00 do set house-pi/heat.on = on }\n");
	clock_ms = utc(2026, 6, 21, 12, 0);
	if (!CHECK(sched_load(s, evpath, clock_ms, &e) == 0, "a file with "
	    "a site event loads"))
		return;
	login_full(a, "vera", &vw);
	CHECK(call(a, "GET", "/api/v1/events/cottage", "", "", &vw) == 200 &&
	    strstr(body, "\"site\":\"holiday\",\"place\":\"site\","
	    "\"zone\":\"America/New_York\"") != NULL, "a site's event: its "
	    "site, its own place, its zone: %s", body);
	tz("America/New_York");
	sched_sun_time(SUN_SET, 2026, 6, 21, 41.67, -70.0, &t);
	tz("Europe/Oslo");
	snprintf(want, sizeof(want), "[{\"event\":\"sunset\",\"offset_s\":"
	    "0,\"today\":\"event\",\"at_ms\":%lld}]}", (long long)t);
	CHECK(strcmp(sun_of(a, &vw, "cottage"), want) == 0, "its sunset "
	    "today is Cape Cod's of 21 June (after midnight UTC), not "
	    "Tromso's polar day: %s", sun_of(a, &vw, "cottage"));
	CHECK(call(a, "GET", "/api/v1/events/plain", "", "", &vw) == 200 &&
	    strstr(body, "\"site\":null,\"place\":\"installation\","
	    "\"zone\":null") != NULL, "an event without a site: the "
	    "installation's place and zone");
	CHECK(strstr(body, "\"local_node\":null,\"local_why\":\"notify: "
	    "notices go out through the master\"") != NULL, "it stays on the "
	    "master, and says why");
	login_full(a, "admin", &adm);
	CHECK(call(a, "GET", "/api/v1/events/heat", "", "", &adm) == 200 &&
	    strstr(body, "\"local_node\":\"cottage\"") != NULL, "an event "
	    "of one slave's devices and the time can run on that slave");
	CHECK(strstr(body, "\"site_mismatch\":null") != NULL, "a slave never "
	    "seen: no site to compare");
	CHECK(call(a, "GET", "/api/v1/events/barnforgot", "", "", &adm) ==
	    200 && strstr(body, "\"site_mismatch\":\"Barn\"") != NULL,
	    "the Barn's devices, the Barn has a place, no 'site': flagged");
	CHECK(call(a, "GET", "/api/v1/events/barnok", "", "", &adm) == 200 &&
	    strstr(body, "\"site_mismatch\":null") != NULL, "with 'site "
	    "Barn': not flagged");
	CHECK(call(a, "GET", "/api/v1/events/housewrong", "", "", &adm) ==
	    200 && strstr(body, "\"site_mismatch\":\"House\"") != NULL,
	    "the House's devices under 'site holiday': flagged");
	CHECK(call(a, "GET", "/api/v1/events/houseok", "", "", &adm) == 200 &&
	    strstr(body, "\"site_mismatch\":null") != NULL, "the House "
	    "without a place of its own, no 'site': the installation's, fine");
	sched_set_places(s, holiday, 0);
}

/* Counters and timestamps beside the modes, as they change. */
static void
test_vars_api(struct api *a, const char *evpath)
{
	struct who	adm, vw;
	char		want[256];

	login_full(a, "admin", &adm);
	login_full(a, "vera", &vw);
	write_file(evpath, "counter rings\ntimestamp seen\n"
	    "event ring { do count rings by 3 stamp seen }\n");
	call(a, "POST", "/api/v1/events/reload", "", "", &adm);
	CHECK(call(a, "GET", "/api/v1/modes", "", "", &vw) == 200 &&
	    strcmp(body, "{\"modes\":[],\"counters\":[{\"name\":\"rings\","
	    "\"value\":0}],\"timestamps\":[{\"name\":\"seen\",\"at_ms\":"
	    "null}]}") == 0, "GET modes: a counter at 0, a timestamp never "
	    "stamped (null): %s", body);
	call(a, "POST", "/api/v1/events/ring/run", "", "", &adm);
	snprintf(want, sizeof(want), "\"counters\":[{\"name\":\"rings\","
	    "\"value\":3}],\"timestamps\":[{\"name\":\"seen\",\"at_ms\":"
	    "%lld}]}", (long long)clock_ms);
	CHECK(call(a, "GET", "/api/v1/modes", "", "", &vw) == 200 &&
	    strstr(body, want) != NULL, "GET modes after a run: the counter "
	    "counted by 3, the timestamp at the run's instant: %s", body);
}

/* Where each recent firing ran: the master's run above, then one that
 * slave "a" made by its local rules while cut off (LocalFiring). */
static void
test_runs(struct api *a, struct sched *s, const struct who *vw)
{
	struct sched_event *ev = sched_prog_find(sched_program(s), "morning");

	CHECK(ev != NULL && sched_local_fired(s, ev, 1795158000000LL,
	    1795158000500LL, "fired", clock_ms) == 0 && call(a, "GET",
	    "/api/v1/events/morning", "", "", vw) == 200 && strstr(body,
	    "\"local_node\":\"a\",\"local_synced\":false,\"runs\":["
	    "{\"at_ms\":1795158000500,\"due_ms\":1795158000000,\"on\":\"a\","
	    "\"local\":true},{\"at_ms\":1795150000000,\"due_ms\":"
	    "1795150000000,\"on\":\"master\",\"local\":false}]") != NULL,
	    "the event's runs, newest first: on slave a (local), then on the "
	    "master; a's replay not known complete: %.400s", body);
	CHECK(ev != NULL && sched_local_fired(s, ev, 1795158000000LL,
	    1795158000900LL, "fired", clock_ms) == 1 && call(a, "GET",
	    "/api/v1/events/morning", "", "", vw) == 200 && strstr(body,
	    "\"local\":true},{\"at_ms\":1795150000000") != NULL,
	    "the same local firing reported again is ignored (its id)");
	a_synced = 1;
	CHECK(call(a, "GET", "/api/v1/events/morning", "", "", vw) == 200 &&
	    strstr(body, "\"local_synced\":true") != NULL, "after a's "
	    "LocalSync its local events' history is complete");
	CHECK(strstr(body, "\"local\":false}],\"missed\":null") != NULL,
	    "nothing missed: \"missed\":null");
	/* Its 07:00 skipped two hours late (catch-up none). */
	if (ev != NULL)
		sched_trig_missed(s, &ev->trig[0], 1795158000000LL,
		    1795165200000LL, 0, "while the master was stopped");
	CHECK(call(a, "GET", "/api/v1/events/morning", "", "", vw) == 200 &&
	    strstr(body, "\"missed\":{\"count\":1,\"last_due_ms\":"
	    "1795158000000,\"at_ms\":1795165200000,\"why\":\"skipped while "
	    "the master was stopped: 2 h late, catch-up none\"}") != NULL,
	    "a skipped instant: its missed record: %.600s", body);
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
	    strstr(body, "{\"schedule\":\"file\",\"total\":2") != NULL &&
	    strstr(body, "{\"name\":\"morning\",\"enabled\":true,\"next_ms\":"
	    "1795158000000,\"last_fired_ms\":null,\"last_result\":\"\"") !=
	    NULL, "GET events (viewer): next fire time, never fired: %.200s",
	    body);
	s->degraded = 1;	/* as sched_master.c's start-up fallback */
	CHECK(call(a, "GET", "/api/v1/events", "", "", &vw) == 200 &&
	    strstr(body, "{\"schedule\":\"last-good\",") != NULL,
	    "the file failed at start-up: the list says the last good runs");
	s->degraded = 2;
	CHECK(call(a, "GET", "/api/v1/events", "", "", &vw) == 200 &&
	    strstr(body, "{\"schedule\":\"none\",") != NULL,
	    "... or none");
	s->degraded = 0;
	CHECK(call(a, "GET", "/api/v1/events", "", "", NULL) == 401,
	    "GET events without a session: 401");
	CHECK(call(a, "POST", "/api/v1/events/morning/run", "", "", &usr) ==
	    403, "run as a user: 403");
	CHECK(call(a, "POST", "/api/v1/events/morning/run", "", "", &adm) ==
	    200 && sched_fake_ncmd == 1 && strstr(body,
	    "\"last_fired_ms\":1795150000000") != NULL && nchanged > 0,
	    "run as admin: 200, the action ran, "
	    "last fired now: %.200s", body);
	CHECK(call(a, "POST", "/api/v1/events/nope/run", "", "", &adm) ==
	    404, "run an unknown event: 404");
	test_runs(a, s, &vw);
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
	    "\"values\":[\"home\",\"away\"]}],\"counters\":[],"
	    "\"timestamps\":[]}") == 0, "GET modes: %s", body);
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

/* Does the answer list exactly the events named in `names` (blank
 * separated), in that order? */
static int
lists(const char *names)
{
	char		 want[1024], got_[1024], *p, *save, *tok;
	const char	*q;
	size_t		 len = 0;

	snprintf(want, sizeof(want), "%s", names);
	got_[0] = '\0';
	for (q = body; (q = strstr(q, "{\"name\":\"")) != NULL; q += 9) {
		p = strchr(q + 9, '"');
		if (p == NULL)
			break;
		len += (size_t)snprintf(got_ + len, sizeof(got_) - len, "%s%.*s",
		    len ? " " : "", (int)(p - (q + 9)), q + 9);
	}
	for (tok = strtok_r(want, " ", &save), p = got_; tok != NULL;
	    tok = strtok_r(NULL, " ", &save)) {
		if (strncmp(p, tok, strlen(tok)) != 0)
			return 0;
		p += strlen(tok);
		if (*p == ' ')
			p++;
	}
	return *p == '\0';
}

/*
 * Who sees what (docs/SCHEDULER.md#who-sees-what): an admin every
 * event; others the events whose every device they may view, and those
 * naming no device; what they may not see is a 404 like a missing one,
 * and the page counts only what they see.
 */
static void
test_visibility(struct api *a, const char *evpath)
{
	struct who	adm, hank, dora, nora, star, vw;
	char		missing[256];

	login_full(a, "admin", &adm);
	login_full(a, "hank", &hank);
	login_full(a, "dora", &dora);
	login_full(a, "nora", &nora);
	login_full(a, "bob", &star);
	login_full(a, "vera", &vw);
	write_file(evpath, "mode house { home away }\n"
	    "event clock { when at 07:00 if house is home do set house = away "
	    "}\n"
	    "event house-door { when house-pi/sim:door.open changes to on "
	    "do set house-pi/sim:lamp.on = on }\n"
	    "event barn-light { when at 20:00 do set barn-pi/sim:light.on = "
	    "on }\n"
	    "event mixed { when house-pi/sim:lamp.on changes "
	    "if barn-pi/sim:light.on == off do notify \"x\" }\n"
	    "event ghost { when online ghost-pi do notify \"y\" }\n"
	    "event house-lamp { when at 08:00 do set house-pi/sim:lamp.on = "
	    "off }\n"
	    "event house-down { when offline house-pi do notify \"z\" }\n"
	    "event barn-wait { do set barn-pi/sim:light.on = on wait 10 min "
	    "set barn-pi/sim:light.on = off }\n");
	CHECK(call(a, "POST", "/api/v1/events/reload", "", "", &adm) == 200,
	    "reload the two-site file");
	CHECK(call(a, "POST", "/api/v1/events/barn-wait/run", "", "", &adm) ==
	    200, "run the Barn's event with a wait");
	CHECK(call(a, "GET", "/api/v1/events", "", "", &adm) == 200 &&
	    strstr(body, "\"total\":8,\"pending\":1,") != NULL &&
	    lists("clock house-door barn-light mixed ghost house-lamp "
	    "house-down barn-wait"), "an admin lists every event and the "
	    "waiting action: %.300s", body);
	CHECK(call(a, "GET", "/api/v1/events", "", "", &hank) == 200 &&
	    strstr(body, "\"total\":4,\"pending\":0,") != NULL && lists("clock house-door "
	    "house-lamp house-down"), "a site grant: that site's events and "
	    "the deviceless one, not the other site's, not one that also "
	    "reads the other site, not a never-seen node's, nor the hidden "
	    "event's waiting action: %.400s", body);
	CHECK(call(a, "GET", "/api/v1/events", "", "", &dora) == 200 &&
	    strstr(body, "\"total\":3") != NULL && lists("clock house-lamp "
	    "house-down"), "a device grant: events naming only that device "
	    "(and its node), not those also naming the door: %.400s", body);
	CHECK(call(a, "GET", "/api/v1/events", "", "", &nora) == 200 &&
	    strstr(body, "\"total\":1") != NULL && lists("clock"),
	    "no grant: only the events that name no device: %.300s", body);
	CHECK(call(a, "GET", "/api/v1/events", "", "", &star) == 200 &&
	    strstr(body, "\"total\":8") != NULL && call(a, "GET",
	    "/api/v1/events", "", "", &vw) == 200 && strstr(body,
	    "\"total\":8") != NULL, "a \"*\" grant (user or viewer): "
	    "every site, the never-seen node's too");
	CHECK(call(a, "GET", "/api/v1/events/house-door", "", "", &hank) ==
	    200 && strstr(body, "{\"name\":\"house-door\",") == body,
	    "GET one event that may be seen: %.120s", body);
	CHECK(call(a, "GET", "/api/v1/events/no-such", "", "", &hank) == 404,
	    "GET a missing event: 404");
	snprintf(missing, sizeof(missing), "%.200s", body);
	CHECK(call(a, "GET", "/api/v1/events/barn-light", "", "", &hank) ==
	    404 && strcmp(body, missing) == 0 && call(a, "GET",
	    "/api/v1/events/mixed", "", "", &dora) == 404 && strcmp(body,
	    missing) == 0, "GET an event that may not be seen: the same 404 "
	    "as a missing one: %.120s", body);
	CHECK(call(a, "GET", "/api/v1/events/barn-light", "", "", &adm) ==
	    200, "an admin gets any event");
	CHECK(call(a, "GET", "/api/v1/events", "from=4", "", &hank) == 200 &&
	    strstr(body, "\"events\":[]") != NULL && strstr(body,
	    "\"next\":null") != NULL && call(a, "GET", "/api/v1/events",
	    "from=5", "", &hank) == 400 && call(a, "GET", "/api/v1/events",
	    "from=5", "", &adm) == 200, "from counts only the events the "
	    "caller sees (4 of 8)");
	CHECK(call(a, "GET", "/api/v1/modes", "", "", &nora) == 200 &&
	    strstr(body, "\"name\":\"house\"") != NULL, "modes stay "
	    "installation-wide");
}

/* The paging of a filtered list: a page holds SCHED_API_PAGE visible
 * events, hidden ones in between do not count. */
static void
test_visible_pages(struct api *a, const char *evpath)
{
	struct who	adm, hank;
	FILE		*f;
	int		 i;

	login_full(a, "admin", &adm);
	login_full(a, "hank", &hank);
	if ((f = fopen(evpath, "w")) == NULL)
		return;
	for (i = 0; i < 2 * SCHED_API_PAGE; i++)
		fprintf(f, "event e%03d { when at 07:00 do set %s/sim:l.on = on "
		    "}\n", i, i % 2 ? "barn-pi" : "house-pi");
	fclose(f);
	call(a, "POST", "/api/v1/events/reload", "", "", &adm);
	CHECK(call(a, "GET", "/api/v1/events", "", "", &hank) == 200 &&
	    strstr(body, "\"total\":150") != NULL && strstr(body,
	    "\"name\":\"e298\"") != NULL && strstr(body, "\"name\":\"e001\"")
	    == NULL && strstr(body, "\"next\":null") != NULL, "one page of "
	    "the 150 visible of 300: the last one is e298, none of the barn");
	CHECK(call(a, "GET", "/api/v1/events", "", "", &adm) == 200 &&
	    strstr(body, "\"total\":300") != NULL && strstr(body,
	    "\"next\":150") != NULL, "an admin pages through all 300");
}

static void
test_may_view(void)
{
	struct user		 u;
	struct sched_ref	 r[2] = { { "house-pi", "sim:lamp" },
				    { "ghost-pi", NULL } };
	struct sched_event	 ev;

	memset(&u, 0, sizeof(u));
	memset(&ev, 0, sizeof(ev));
	ev.refs = r;
	ev.nrefs = 1;
	u.role = UROLE_VIEWER;
	users_grant(&u, "House", "sim:lamp", ACCESS_VIEW);
	CHECK(api_sched_may_view(&u, &ev, site_of, NULL) &&
	    !api_sched_may_view(&u, &ev, NULL, NULL), "a device grant covers "
	    "the device on a known node, not while its site is unknown");
	ev.nrefs = 2;
	CHECK(!api_sched_may_view(&u, &ev, site_of, NULL), "a never-seen node "
	    "needs a \"*\" grant");
	users_grant(&u, "*", "", ACCESS_VIEW);
	CHECK(api_sched_may_view(&u, &ev, site_of, NULL), "... which covers it");
	u.role = ROLE_NONE;
	ev.nrefs = 0;
	CHECK(!api_sched_may_view(&u, &ev, site_of, NULL) &&
	    !api_sched_may_view(NULL, &ev, site_of, NULL), "no role, no caller: "
	    "nothing, not even a deviceless event");
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
	users_add(u, "hank", UROLE_USER, "correct horse", 1, err, sizeof(err));
	users_add(u, "dora", UROLE_VIEWER, "correct horse", 1, err,
	    sizeof(err));
	users_add(u, "nora", UROLE_USER, "correct horse", 1, err, sizeof(err));
	users_grant(users_find(u, "bob"), "*", "", ACCESS_CONTROL);
	users_grant(users_find(u, "vera"), "*", "", ACCESS_VIEW);
	users_grant(users_find(u, "hank"), "House", "", ACCESS_CONTROL);
	users_grant(users_find(u, "dora"), "House", "sim:lamp", ACCESS_VIEW);
	users_save(u);
	users_free(u);
	a = api_new(path, &cheap);
	/* 2026-11-19 17:46:40 UTC; "morning" next at 2026-11-20 07:00. */
	clock_ms = 1795150000000LL;
	write_file(evpath, "event morning { when at 07:00 do set a/b.c = on }\n"
	    "event night { when at 23:00 do set a/b.c = off }\n");
	s = sched_new(&sched_fake_ops, NULL, 0, 0, NULL);
	if (CHECK(a != NULL && s != NULL && sched_load(s, evpath, clock_ms,
	    &e) == 0, "api and schedule")) {
		sched_start(s, clock_ms);
		sa = (struct sched_api){ s, evpath, now, changed, NULL,
		    site_of, local_synced, NULL };
		CHECK(api_sched_routes(a, &sa) == 0, "routes added");
		test_events(a, s, evpath);
		test_vars_api(a, evpath);
		test_visibility(a, evpath);
		test_visible_pages(a, evpath);
		test_sun_today(a, s, evpath);
		test_site(a, s, evpath);
	}
	test_may_view();
	sched_free(s);
	api_free(a);
	unlink(evpath);
	unlink(path);
	rmdir(dir);
	return check_done();
}
