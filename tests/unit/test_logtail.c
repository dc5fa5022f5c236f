/*
 * Unit tests for the log tail (master/api/logtail.c): lines reach the ring
 * through the shared/log.c hook, GET /api/v1/log answers admins only
 * with ?lines= and ?since=, the ring forgets the oldest lines, and the
 * "log" stream events keep to their rate, counting what they drop. The
 * web process is tests/unit/stub_master.c.
 */

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "ev.h"
#include "log.h"
#include "stub_master.h"
#include "../../master/api/api_res.h"

static const struct scrypt_params cheap = { 16, 1, 1 };
static const uint8_t	addr[16] = { [10] = 0xff, [11] = 0xff, 10, 0, 0, 1 };
static char		body[API_MAX_RESPONSE + 1];
static struct master	m;
static char		dir[] = "/tmp/test_logtail.XXXXXX";
static char		cookie[SESSION_TOKEN_HEX + 1];
static char		admin[SESSION_TOKEN_HEX + 1], user[SESSION_TOKEN_HEX + 1];

static int
call(const char *sess, const char *method, const char *path,
    const char *query, const char *json)
{
	Hd__ApiRequest	req = HD__API_REQUEST__INIT;
	Hd__ApiResponse	resp = HD__API_RESPONSE__INIT;

	req.id = 1;
	req.method = (char *)(uintptr_t)method;
	req.path = (char *)(uintptr_t)path;
	req.query = (char *)(uintptr_t)query;
	req.token = (char *)(uintptr_t)"";
	req.addr.data = (uint8_t *)(uintptr_t)addr;
	req.addr.len = 16;
	req.session = (char *)(uintptr_t)sess;
	req.csrf = (char *)(uintptr_t)"";
	req.body.data = (uint8_t *)(uintptr_t)json;
	req.body.len = strlen(json);
	api_handle(m.api, &req, &resp, 1000);
	if (resp.set_cookie != NULL)
		snprintf(cookie, sizeof(cookie), "%.64s", resp.set_cookie +
		    strlen(API_COOKIE) + 1);
	snprintf(body, sizeof(body), "%.*s", (int)resp.body.len,
	    (const char *)resp.body.data);
	return (int)resp.status;
}

static int
get_log(const char *sess, const char *query)
{
	return call(sess, "GET", "/api/v1/log", query, "");
}

static void
login(const char *name, const char *pw, char *sess)
{
	char j[128];

	snprintf(j, sizeof(j), "{\"name\":\"%s\",\"password\":\"%s\"}", name,
	    pw);
	call("", "POST", "/api/v1/login", "", j);
	snprintf(sess, SESSION_TOKEN_HEX + 1, "%s", cookie);
}

/* How many times `s` occurs in `body`. */
static int
count(const char *s)
{
	const char	*p = body;
	int		 n = 0;

	while ((p = strstr(p, s)) != NULL) {
		n++;
		p += strlen(s);
	}
	return n;
}

static uint64_t
num_after(const char *key)
{
	const char *p = strstr(body, key);

	return p == NULL ? 0 : strtoull(p + strlen(key), NULL, 10);
}

static void
setup(void)
{
	char path[64], err[96];

	if (mkdtemp(dir) == NULL)
		exit(1);
	log_init("test_logtail", 0);
	TAILQ_INIT(&m.nodes);
	snprintf(path, sizeof(path), "%s/users", dir);
	m.api = api_new(path, &cheap);
	CHECK(m.api != NULL, "api");
	users_add(api_users(m.api), "admin", UROLE_ADMIN, "admin password 1",
	    1, err, sizeof(err));
	users_add(api_users(m.api), "bob", UROLE_USER, "bob's password 1", 1,
	    err, sizeof(err));
	CHECK(api_res_init(&m) == 0, "api_res_init (with the log tail)");
	api_stream_set_sink(&m, stub_sink, NULL);
	login("admin", "admin password 1", admin);
	login("bob", "bob's password 1", user);
	CHECK(admin[0] != '\0' && user[0] != '\0', "logins");
}

static void
test_read(void)
{
	uint64_t	last;
	char		q[64];
	int		i, n;

	log_warnx("tail test: first \"quoted\" line");
	log_info("tail test: second line");
	CHECK(get_log(admin, "") == 200, "admin reads the log: %s", body);
	CHECK(strstr(body, "tail test: first \\\"quoted\\\" line") != NULL,
	    "a warning is in the tail, escaped");
	CHECK(strstr(body, "\"level\":\"warn\"") != NULL &&
	    strstr(body, "\"level\":\"info\"") != NULL, "levels");
	CHECK(strstr(body, "\"more\":false") != NULL, "all of it");
	last = num_after("\"last_id\":");
	CHECK(last > 1000000, "ids start from the wall clock");
	CHECK(get_log(user, "") == 403, "a user may not read the log");
	CHECK(get_log("", "") == 401, "nobody may not read the log");

	CHECK(get_log(admin, "lines=1") == 200 && count("\"id\":") == 1 &&
	    strstr(body, "second line") != NULL, "lines=1: the newest");
	log_info("tail test: third line");
	snprintf(q, sizeof(q), "since=%llu", (unsigned long long)last);
	CHECK(get_log(admin, q) == 200 && count("\"id\":") == 1 &&
	    strstr(body, "third line") != NULL, "since: only the newer lines");
	CHECK(get_log(admin, "lines=0") == 400, "lines=0 refused");
	CHECK(get_log(admin, "lines=257") == 400, "lines past the ring refused");
	CHECK(get_log(admin, "lines=x") == 400, "lines=x refused");
	CHECK(get_log(admin, "since=-1") == 400, "since=-1 refused");

	/* The ring keeps LOGTAIL_LINES lines, each cut at LOGTAIL_LINE_MAX. */
	for (i = 0; i < LOGTAIL_LINES + 10; i++)
		log_info("flood %d %0300d", i, 0);
	CHECK(get_log(admin, "lines=256") == 200, "full ring: %.80s", body);
	CHECK(strstr(body, "flood 9 ") == NULL &&
	    strstr(body, "flood 10 ") != NULL, "the oldest forgotten");
	/* 256 long lines pass API_MAX_RESPONSE: "more", then ?since=. */
	n = count("\"id\":");
	CHECK(n < LOGTAIL_LINES && strstr(body, "\"more\":true") != NULL,
	    "an answer that would not fit says more (%d lines)", n);
	{
		const char *p = body, *lastid = NULL;

		while ((p = strstr(p, "{\"id\":")) != NULL)
			lastid = p++;
		snprintf(q, sizeof(q), "lines=256&since=%llu",
		    lastid != NULL ? strtoull(lastid + 6, NULL, 10) : 0ULL);
	}
	CHECK(get_log(admin, q) == 200 && strstr(body, "\"more\":false") &&
	    strstr(body, "flood 265 "), "the rest after since");
	n += count("\"id\":");
	CHECK(n == LOGTAIL_LINES, "LOGTAIL_LINES kept (%d)", n);
	get_log(admin, "lines=256");
	{
		const char *p = strstr(body, "flood 10 "), *e;

		e = p != NULL ? strchr(p, '"') : NULL;
		CHECK(e != NULL && e - p == LOGTAIL_LINE_MAX,
		    "a long line is cut at LOGTAIL_LINE_MAX (%ld)",
		    e != NULL ? (long)(e - p) : -1L);
	}
}

static int
log_events(void)
{
	int i, n = 0;

	for (i = 0; i < stub.nevents; i++)
		n += strcmp(stub.events[i].name, "log") == 0;
	return n;
}

static void
test_stream(void)
{
	uint64_t	t = ev_clock_ms() + 60000;	/* the bucket is full */
	int		i, n;

	logtail_flush(t);		/* what earlier tests logged */
	log_info("settle");		/* carries their skipped count */
	logtail_flush(t += 60000);
	CHECK(stub.nevents > 0 && strstr(stub.events[stub.nevents - 1].data,
	    "\"dropped\":0") == NULL, "the skipped count rides along");
	stub.nevents = 0;
	t += 60000;
	log_warnx("stream me");
	logtail_flush(t);
	CHECK(log_events() == 1 && strstr(stub.events[0].data,
	    "\"text\":\"stream me\"") != NULL && strstr(stub.events[0].data,
	    "\"dropped\":0") != NULL && stub.events[0].site[0] == '\0',
	    "one line, one log event: %s", stub.events[0].data);

	/* A storm: the burst goes out, the rest is counted. */
	stub.nevents = 0;
	t += 60000;
	for (i = 0; i < 200; i++)
		log_info("storm %d", i);
	logtail_flush(t);
	n = log_events();
	CHECK(n == LOGTAIL_STREAM_BURST, "a storm: the burst only (%d)", n);
	get_log(admin, "lines=1");
	CHECK(num_after("\"stream_dropped\":") >= (uint64_t)(200 - n),
	    "dropped lines counted (%llu)",
	    (unsigned long long)num_after("\"stream_dropped\":"));

	/* A second later the rate allows LOGTAIL_STREAM_RATE more, and the
	 * first says how many were skipped before it. */
	stub.nevents = 0;
	for (i = 0; i < 50; i++)
		log_info("later %d", i);
	logtail_flush(t + 1000);
	n = log_events();
	CHECK(n == LOGTAIL_STREAM_RATE, "then the rate (%d)", n);
	CHECK(n > 0 && strstr(stub.events[0].data, "\"dropped\":160") != NULL,
	    "the skipped count rides on the next event: %s",
	    stub.events[0].data);
	CHECK(get_log(admin, "lines=1") == 200 && strstr(body, "later 49"),
	    "skipped lines stay readable");
}

int
main(void)
{
	char cmd[300];

	setup();
	test_read();
	test_stream();
	api_res_free(&m);
	log_info("after the tail is gone");	/* must not reach it */
	api_free(m.api);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "# could not remove %s\n", dir);
	return check_done();
}
