/* Unit tests for the master's security panel: master/lib/secstat.c (probe
 * totals, the per-minute series, top offenders, recent probes) and the
 * admin routes of master/api/api_security.c, on fake clocks. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "../../master/api/api.h"
#include "../../master/lib/ban.h"
#include "../../master/lib/security.h"

#define MIN	60000ULL
#define W0	(1700000000000ULL)	/* a wall clock, ms */

static const struct scrypt_params cheap = { 16, 1, 1 };
static char		body[API_MAX_RESPONSE + 1];
static uint64_t		wall = W0;
static int		unbans;		/* calls to the unban hook */

static uint64_t
fake_wall(void)
{
	return wall;
}

static void
v4(uint8_t *a, int last)
{
	memset(a, 0, 16);
	a[10] = a[11] = 0xff;
	a[12] = 203;
	a[13] = 0;
	a[14] = 113;
	a[15] = (uint8_t)last;
}

static void
test_series(void)
{
	struct secstat	*s = secstat_new();
	uint8_t		 a[16];
	uint64_t	 m0 = W0 / MIN;
	int		 i;

	v4(a, 1);
	for (i = 0; i < 3; i++)
		secstat_probe(s, PROBE_NOT_TLS, a, 1000, "telnet", NULL, 0, 0,
		    W0);
	secstat_probe(s, PROBE_SCANNER, a, 1000, "/.env", NULL, 0, 0,
	    W0 + MIN);
	CHECK(secstat_total(s, PROBE_NOT_TLS) == 3 &&
	    secstat_total(s, PROBE_SCANNER) == 1 &&
	    secstat_total(s, PROBE_SILENT) == 0, "totals per class");
	CHECK(secstat_minute(s, PROBE_NOT_TLS, m0, W0 + MIN) == 3 &&
	    secstat_minute(s, PROBE_NOT_TLS, m0 + 1, W0 + MIN) == 0 &&
	    secstat_minute(s, PROBE_SCANNER, m0 + 1, W0 + MIN) == 1,
	    "counts land in their minute");
	CHECK(secstat_minute(s, PROBE_NOT_TLS, m0, W0 + SECURITY_SERIES_MIN *
	    MIN) == 0 && secstat_minute(s, PROBE_NOT_TLS, m0,
	    W0 + (SECURITY_SERIES_MIN - 1) * MIN) == 3,
	    "a minute is kept SECURITY_SERIES_MIN minutes, then not shown");
	CHECK(secstat_minute(s, PROBE_NOT_TLS, m0 + 1, W0) == 0,
	    "no counts for a minute in the future");
	/* The same slot a day later: the old minute's counts are dropped. */
	secstat_probe(s, PROBE_SILENT, a, 1000, "", NULL, 0, 0,
	    W0 + SECURITY_SERIES_MIN * MIN);
	CHECK(secstat_minute(s, PROBE_SILENT, m0 + SECURITY_SERIES_MIN,
	    W0 + SECURITY_SERIES_MIN * MIN) == 1 &&
	    secstat_minute(s, PROBE_NOT_TLS, m0 + SECURITY_SERIES_MIN,
	    W0 + SECURITY_SERIES_MIN * MIN) == 0,
	    "a reused slot starts from zero");
	secstat_probe(s, PROBE_NONE, a, 1, "", NULL, 0, 0, W0);
	secstat_probe(s, PROBE_NCLASSES, a, 1, "", NULL, 0, 0, W0);
	CHECK(secstat_recent(s, 5) == NULL, "classes out of range are ignored");
	secstat_free(s);
}

static void
test_top_recent(void)
{
	struct secstat			*s = secstat_new();
	struct secstat_addr		 top[SECURITY_TOP];
	const struct secstat_probe	*p;
	uint8_t				 a[16], b[16];
	char				 longdetail[300];
	int				 i, n, ok;

	v4(a, 1);
	v4(b, 2);
	for (i = 0; i < 5; i++)
		secstat_probe(s, PROBE_BAD_TLS, b, 1, "x", NULL, 0, 0, W0 + i);
	/* More addresses than are tracked, one probe each. */
	for (i = 0; i < SECURITY_ADDRS * 2; i++) {
		a[14] = (uint8_t)(i >> 8);
		a[15] = (uint8_t)i;
		secstat_probe(s, PROBE_NOT_TLS, a, 1, "y", NULL, 0, 0,
		    W0 + 10 + (uint64_t)i);
	}
	n = secstat_top(s, top, SECURITY_TOP);
	CHECK(n == SECURITY_TOP && memcmp(top[0].addr, b, 16) == 0 &&
	    top[0].count == 5 && top[0].last == PROBE_BAD_TLS,
	    "the heavy hitter stays on top while one-off addresses churn");
	CHECK(top[1].count == 1 && top[1].last_ms >= top[2].last_ms,
	    "ties: the most recent first");
	memset(longdetail, 'd', sizeof(longdetail) - 1);
	longdetail[sizeof(longdetail) - 1] = '\0';
	longdetail[3] = '\n';
	secstat_probe(s, PROBE_PLAIN_HTTP, b, 4242, longdetail,
	    (const uint8_t *)"GET / HTTP/1.1\r\n", 16, 600000, W0 + 99999);
	p = secstat_recent(s, 0);
	CHECK(p != NULL && p->pc == PROBE_PLAIN_HTTP && p->port == 4242 &&
	    p->banned_ms == 600000 && p->nfirst == 16 &&
	    strlen(p->detail) == SECURITY_DETAIL_MAX && p->detail[3] == '?',
	    "recent: newest first, detail cut and made printable");
	for (ok = 1, i = 0; i < SECURITY_RECENT; i++)
		if ((p = secstat_recent(s, i)) == NULL || (i > 0 &&
		    p->time_ms >= secstat_recent(s, i - 1)->time_ms))
			ok = 0;
	CHECK(ok && secstat_recent(s, SECURITY_RECENT) == NULL,
	    "recent: SECURITY_RECENT kept, in order");
	secstat_free(s);
}

/* One API call as the web process would forward it. */
static int
call(struct api *a, const char *method, const char *path, const char *query,
    const char *json, const char *sess, const char *csrf)
{
	Hd__ApiRequest	req = HD__API_REQUEST__INIT;
	Hd__ApiResponse	resp = HD__API_RESPONSE__INIT;
	static uint8_t	from[16];

	v4(from, 77);
	req.id = 1;
	req.method = (char *)(uintptr_t)method;
	req.path = (char *)(uintptr_t)path;
	req.query = (char *)(uintptr_t)query;
	req.token = (char *)(uintptr_t)"";
	req.addr.data = from;
	req.addr.len = 16;
	req.session = (char *)(uintptr_t)sess;
	req.csrf = (char *)(uintptr_t)csrf;
	req.body.data = (uint8_t *)(uintptr_t)json;
	req.body.len = strlen(json);
	api_handle(a, &req, &resp, 1000);
	snprintf(body, sizeof(body), "%.*s", (int)resp.body.len,
	    (const char *)resp.body.data);
	return (int)resp.status;
}

/* Log in; the session cookie's token and the CSRF token. */
static void
login(struct api *a, const char *name, char *sess, char *csrf)
{
	Hd__ApiRequest	req = HD__API_REQUEST__INIT;
	Hd__ApiResponse	resp = HD__API_RESPONSE__INIT;
	char		json[128];
	const char	*p;

	snprintf(json, sizeof(json), "{\"name\":\"%s\",\"password\":"
	    "\"correct horse\"}", name);
	req.method = (char *)(uintptr_t)"POST";
	req.path = (char *)(uintptr_t)"/api/v1/login";
	req.query = req.token = req.session = req.csrf = (char *)(uintptr_t)"";
	req.addr.data = (uint8_t *)(uintptr_t)"0123456789abcdef";
	req.addr.len = 16;
	req.body.data = (uint8_t *)json;
	req.body.len = strlen(json);
	api_handle(a, &req, &resp, 1000);
	sess[0] = csrf[0] = '\0';
	if ((p = strchr(resp.set_cookie, '=')) != NULL)
		snprintf(sess, SESSION_TOKEN_HEX + 1, "%s", p + 1);
	snprintf(body, sizeof(body), "%.*s", (int)resp.body.len,
	    (const char *)resp.body.data);
	if ((p = strstr(body, "\"csrf\":\"")) != NULL)
		snprintf(csrf, SESSION_TOKEN_HEX + 1, "%s", p + 8);
}

static int
hook_unban(void *arg, const uint8_t *addr)
{
	unbans++;
	return ban_unban(arg, addr);
}

static void
test_routes(struct api *a, struct security *sec)
{
	char	 as[SESSION_TOKEN_HEX + 1], ac[SESSION_TOKEN_HEX + 1];
	char	 us[SESSION_TOKEN_HEX + 1], uc[SESSION_TOKEN_HEX + 1];
	uint8_t	 bad[16];
	int	 i;

	login(a, "root", as, ac);
	login(a, "bob", us, uc);
	CHECK(strlen(as) == SESSION_TOKEN_HEX && strlen(us) ==
	    SESSION_TOKEN_HEX, "an admin and a user are logged in");
	CHECK(call(a, "GET", "/api/v1/security/probes", "", "", "", "") ==
	    401, "probes without a session: 401");
	CHECK(call(a, "GET", "/api/v1/security/probes", "", "", us, "") ==
	    403 && call(a, "GET", "/api/v1/security/bans", "", "", us, "") ==
	    403 && call(a, "GET", "/api/v1/security/recent", "", "", us, "") ==
	    403 && call(a, "GET", API_METRICS_ACCESS, "", "", us, "") == 403,
	    "a non-admin: 403 on every security route");

	v4(bad, 9);
	for (i = 0; i < 5; i++) {
		secstat_probe(sec->stat, PROBE_SCANNER, bad, 5555, "/.env",
		    (const uint8_t *)"/.env", 5, i == 4 ? BAN_FIRST_MS : 0,
		    wall);
		ban_probe(sec->bans, bad, 1.0, wall);
	}
	CHECK(call(a, "GET", "/api/v1/security/probes", "", "", as, "") ==
	    200 && strstr(body, "\"totals\":{\"plain-http\":0,") != NULL &&
	    strstr(body, "\"scanner\":5}") != NULL, "probes: totals %.80s",
	    body);
	CHECK(strstr(body, "\"step_s\":60,") != NULL && strstr(body,
	    "\"scanner\":[0,0,") != NULL && strstr(body, ",5]") != NULL,
	    "probes: an hour by minute, this minute last");
	CHECK(strstr(body, "\"top\":[{\"addr\":\"203.0.113.9\",\"probes\":5,")
	    != NULL, "probes: the top offender");
	CHECK(call(a, "GET", "/api/v1/security/probes",
	    "minutes=1440", "", as, "") == 200 && strstr(body,
	    "\"step_s\":180,") != NULL, "a day: steps of 3 minutes "
	    "(at most SECURITY_MAX_POINTS points)");
	CHECK(call(a, "GET", "/api/v1/security/probes", "minutes=1441", "",
	    as, "") == 400 && call(a, "GET", "/api/v1/security/probes",
	    "minutes=1440&step=1", "", as, "") == 400 && call(a, "GET",
	    "/api/v1/security/probes", "step=x", "", as, "") == 400,
	    "bad minutes or step: 400");
	CHECK(call(a, "GET", "/api/v1/security/recent", "", "", as, "") ==
	    200 && strstr(body, "{\"probes\":[{\"time_ms\":") != NULL &&
	    strstr(body, "\"class\":\"scanner\",\"addr\":\"203.0.113.9\","
	    "\"port\":5555,\"detail\":\"/.env\",\"first\":\"/.env\","
	    "\"banned_s\":600}") != NULL, "recent: %.200s", body);
	CHECK(call(a, "GET", "/api/v1/security/bans", "", "", as, "") == 200 &&
	    strstr(body, "\"total\":1,\"bans\":[{\"addr\":\"203.0.113.9\","
	    "\"until_ms\":") != NULL && strstr(body, "\"level\":1,") != NULL &&
	    strstr(body, "\"truncated\":false") != NULL, "bans: %.200s",
	    body);
	CHECK(call(a, "DELETE", "/api/v1/security/bans/203.0.113.9", "", "",
	    as, "") == 403 && unbans == 0, "unban without the CSRF token: 403");
	CHECK(call(a, "DELETE", "/api/v1/security/bans/203.0.113.9", "", "",
	    us, uc) == 403 && unbans == 0, "unban by a non-admin: 403");
	CHECK(call(a, "DELETE", "/api/v1/security/bans/203.0.113.300", "", "",
	    as, ac) == 400, "unban of a non-address: 400");
	CHECK(call(a, "DELETE", "/api/v1/security/bans/203.0.113.8", "", "",
	    as, ac) == 404 && unbans == 0, "unban of an address not banned: "
	    "404");
	CHECK(call(a, "DELETE", "/api/v1/security/bans/203.0.113.9", "", "",
	    as, ac) == 200 && unbans == 1 && strstr(body,
	    "{\"unbanned\":\"203.0.113.9\"}") != NULL &&
	    !ban_check(sec->bans, bad, wall), "unban: 200, the ban is lifted");
	CHECK(call(a, "GET", "/api/v1/security/bans", "", "", as, "") == 200 &&
	    strstr(body, "\"total\":0,\"bans\":[]") != NULL,
	    "then the list is empty");
	CHECK(call(a, "GET", API_METRICS_ACCESS, "", "", as, "") == 200,
	    "an admin may read /metrics");
}

static void
test_addr(void)
{
	uint8_t	a[16];
	char	s[64];

	CHECK(security_addr_parse("2001:db8::1", a) == 0 && a[0] == 0x20,
	    "IPv6 parses");
	security_addr_str(a, s, sizeof(s));
	CHECK(strcmp(s, "2001:db8::1") == 0, "IPv6 prints: %s", s);
	CHECK(security_addr_parse("192.0.2.1", a) == 0 && a[10] == 0xff &&
	    a[15] == 1, "IPv4 parses, mapped");
	security_addr_str(a, s, sizeof(s));
	CHECK(strcmp(s, "192.0.2.1") == 0, "IPv4 prints: %s", s);
	CHECK(security_addr_parse("192.0.2", a) == -1 &&
	    security_addr_parse("", a) == -1 &&
	    security_addr_parse("::ffff:1.2.3.4x", a) == -1,
	    "non-addresses are refused");
}

int
main(void)
{
	char		 dir[] = "/tmp/hd-test-security.XXXXXX", path[128];
	char		 err[128];
	struct users	*u;
	struct api	*a;
	struct security	 sec;

	test_series();
	test_top_recent();
	test_addr();
	if (!CHECK(mkdtemp(dir) != NULL, "temporary folder"))
		return check_done();
	snprintf(path, sizeof(path), "%s/%s", dir, USERS_FILE);
	u = users_new(path, &cheap);
	users_add(u, "root", UROLE_ADMIN, "correct horse", 1, err, sizeof(err));
	users_add(u, "bob", UROLE_USER, "correct horse", 1, err, sizeof(err));
	users_save(u);
	users_free(u);
	memset(&sec, 0, sizeof(sec));
	sec.stat = secstat_new();
	sec.bans = ban_new();
	sec.unban = hook_unban;
	sec.arg = sec.bans;
	sec.wall_ms = fake_wall;
	a = api_new(path, &cheap);
	if (CHECK(a != NULL && api_security_init(a, &sec) == 0,
	    "api_new, api_security_init"))
		test_routes(a, &sec);
	api_free(a);
	secstat_free(sec.stat);
	ban_free(sec.bans);
	unlink(path);
	rmdir(dir);
	return check_done();
}
