/*
 * Unit tests for the web process's event streams (master/web/web_stream.c):
 * the permission filter, the backlog and resume, the slow-client drop,
 * the caps, ends by user or by caller key, and the refusal of malformed
 * messages from the master. The connection layer (web_conn.c, web_http.c)
 * is replaced below: a "client" either drains what is sent (fast) or
 * never does (slow), and what it received is kept for the checks.
 */

#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "../../master/api/api.h"
#include "../../master/web/web.h"

#define NCONN	8

static struct web	w;
static struct wconn	conns[NCONN];
static int		closed[NCONN], fast[NCONN], refused[NCONN];
static char		got[NCONN][256 * 1024];
static size_t		ngot[NCONN];

static int
idx(const struct wconn *c)
{
	return (int)(c - conns);
}

/* Stand-ins for web_conn.c and web_http.c. */
int
wc_send(struct wconn *c)
{
	int	i = idx(c);
	size_t	n = buf_used(&c->out);

	if (!fast[i])
		return 0;	/* a client that does not read */
	if (ngot[i] + n < sizeof(got[i])) {
		memcpy(got[i] + ngot[i], buf_head(&c->out), n);
		ngot[i] += n;
		got[i][ngot[i]] = '\0';
	}
	buf_consume(&c->out, n);
	return 0;
}

void
wc_close(struct wconn *c)
{
	if (c->stream != NULL)
		web_stream_gone(c);
	ev_timer_stop(c->w->loop, &c->timer);
	closed[idx(c)] = 1;
}

void
wc_resume(struct wconn *c)
{
	(void)c;
}

void
web_api_reply(struct wconn *c, int status, const uint8_t *body, size_t len,
    const char *set_cookie, unsigned retry_after_s)
{
	(void)body;
	(void)len;
	(void)set_cookie;
	(void)retry_after_s;
	refused[idx(c)] = status;
}

void
web_stream_head(struct wconn *c)
{
	buf_append(&c->out, "HEAD\n", 5);
}

/* A connection from 10.0.0.<a>, fast or slow, asking for the stream. */
static struct wconn *
conn(int i, int a, int is_fast)
{
	static int	 used[NCONN];
	struct wconn	*c = &conns[i];

	if (used[i]++)
		buf_free(&c->out);	/* the test reuses its connections */
	memset(c, 0, sizeof(*c));
	c->w = &w;
	c->fd = -1;
	c->state = WC_MASTER;
	c->addr[10] = c->addr[11] = 0xff;
	c->addr[12] = 10;
	c->addr[15] = (uint8_t)a;
	snprintf(c->name, sizeof(c->name), "10.0.0.%d", a);
	buf_init(&c->out, WEB_MAX_OUT);
	ev_timer_init(&c->timer, NULL, c);
	c->req.method = HTTP_GET;
	snprintf(c->req.path, sizeof(c->req.path), "/api/v1/stream");
	c->req.query = "";
	closed[i] = refused[i] = 0;
	fast[i] = is_fast;
	ngot[i] = 0;
	got[i][0] = '\0';
	return c;
}

/* The master's 200 for a stream of `user`, seeing `site`/`device`
 * (site NULL: everything), with caller key `key`. */
static int
start(struct wconn *c, const char *user, const char *site,
    const char *device, int admin, const char *key)
{
	Hd__ApiResponse	r = HD__API_RESPONSE__INIT;
	Hd__StreamGrant	g = HD__STREAM_GRANT__INIT;
	Hd__StreamScope	sc = HD__STREAM_SCOPE__INIT, *scp = &sc;
	const char	*hello = "{\"user\":\"x\"}";

	g.user = (char *)(uintptr_t)user;
	g.role = admin ? "admin" : "user";
	g.admin = admin;
	g.all = site == NULL;
	g.key = (char *)(uintptr_t)key;
	if (site != NULL) {
		sc.site = (char *)(uintptr_t)site;
		sc.device = (char *)(uintptr_t)device;
		g.scopes = &scp;
		g.n_scopes = 1;
	}
	r.status = 200;
	r.stream = &g;
	r.body.data = (uint8_t *)(uintptr_t)hello;
	r.body.len = strlen(hello);
	return web_stream_start(c, &r);
}

static uint64_t	next_id = 1000;

static int
event(const char *name, const char *site, const char *device,
    const char *data)
{
	Hd__WebMsg	m = HD__WEB_MSG__INIT;
	Hd__StreamEvent	e = HD__STREAM_EVENT__INIT;

	e.id = ++next_id;
	e.name = (char *)(uintptr_t)name;
	e.site = (char *)(uintptr_t)site;
	e.device = (char *)(uintptr_t)device;
	e.admin_only = strcmp(name, "probe") == 0;
	e.data = (char *)(uintptr_t)data;
	m.body_case = HD__WEB_MSG__BODY_STREAM_EVENT;
	m.stream_event = &e;
	return web_stream_msg(&w, &m);
}

static void
drop(const char *user, const char *key)
{
	Hd__WebMsg	m = HD__WEB_MSG__INIT;
	Hd__StreamDrop	d = HD__STREAM_DROP__INIT;

	d.user = (char *)(uintptr_t)user;
	d.key = (char *)(uintptr_t)key;
	m.body_case = HD__WEB_MSG__BODY_STREAM_DROP;
	m.stream_drop = &d;
	web_stream_msg(&w, &m);
}

static int
has(int i, const char *s)
{
	return strstr(got[i], s) != NULL;
}

static void
test_filter(void)
{
	start(conn(0, 1, 1), "admin", NULL, "", 1, "k0");
	start(conn(1, 2, 1), "bob", "House", "", 0, "k1");
	start(conn(2, 3, 1), "dora", "House", "lamp", 0, "k2");
	start(conn(3, 4, 1), "barb", "Barn", "", 0, "k3");
	CHECK(conns[0].state == WC_STREAM && has(0, "event: hello") &&
	    has(0, "retry: "), "a stream starts with retry and hello");
	event("value", "House", "lamp", "{\"v\":1}");
	event("value", "House", "temp", "{\"v\":2}");
	event("node", "House", "", "{\"v\":3}");
	event("value", "Barn", "x", "{\"v\":4}");
	event("probe", "", "", "{\"v\":5}");
	event("event", "", "", "{\"v\":6}");
	CHECK(has(0, "\"v\":1") && has(0, "\"v\":2") && has(0, "\"v\":4") &&
	    has(0, "\"v\":5"), "an admin sees everything, probes too");
	CHECK(has(1, "\"v\":1") && has(1, "\"v\":2") && has(1, "\"v\":3") &&
	    !has(1, "\"v\":4") && !has(1, "\"v\":5"),
	    "a site grant: that site only, no probe");
	CHECK(has(2, "\"v\":1") && !has(2, "\"v\":2") && has(2, "\"v\":3"),
	    "a device grant: that device and its site's node events");
	CHECK(has(3, "\"v\":4") && !has(3, "\"v\":1") && !has(3, "\"v\":3"),
	    "another site: nothing of the House");
	CHECK(has(1, "\"v\":6") && has(3, "\"v\":6"),
	    "an untagged event reaches everyone");
	CHECK(has(1, "id: 1001\nevent: value\ndata: {\"v\":1}\n\n"),
	    "SSE format: id, event, data, blank line");
}

/* A scheduler notice: `needs` is "site/device site/device ..." (site
 * may be empty: a node never seen; device empty: the node itself). */
static int
event_needs(const char *needs, int n_extra, const char *data)
{
	Hd__WebMsg	 m = HD__WEB_MSG__INIT;
	Hd__StreamEvent	 e = HD__STREAM_EVENT__INIT;
	static Hd__StreamScope sc[STREAM_MAX_NEEDS + 2];
	static Hd__StreamScope *ptr[STREAM_MAX_NEEDS + 2];
	static char	 text[1024];
	char		*tok, *save, *slash;
	size_t		 n = 0;

	snprintf(text, sizeof(text), "%s", needs);
	for (tok = strtok_r(text, " ", &save); tok != NULL;
	    tok = strtok_r(NULL, " ", &save)) {
		hd__stream_scope__init(&sc[n]);
		slash = strchr(tok, '/');
		*slash = '\0';
		sc[n].site = tok;
		sc[n].device = slash + 1;
		ptr[n] = &sc[n];
		n++;
	}
	while (n_extra-- > 0) {		/* copies of the first, for caps */
		sc[n] = sc[0];
		ptr[n] = &sc[n];
		n++;
	}
	e.id = ++next_id;
	e.name = (char *)(uintptr_t)"event";
	e.site = e.device = (char *)(uintptr_t)"";
	e.data = (char *)(uintptr_t)data;
	e.needs = ptr;
	e.n_needs = n;
	m.body_case = HD__WEB_MSG__BODY_STREAM_EVENT;
	m.stream_event = &e;
	return web_stream_msg(&w, &m);
}

/*
 * Scheduler notices need every device their event names: streams 0-3
 * of test_filter (admin; House; House/lamp; Barn) and one whose grant
 * is "*" sites but one device.
 */
static void
test_needs(void)
{
	char	longsite[SITE_NAME_MAX + 8];

	start(conn(5, 6, 1), "sam", "*", "lamp", 0, "k5");
	event_needs("House/lamp", 0, "{\"n\":1}");
	event_needs("House/lamp Barn/x", 0, "{\"n\":2}");
	event_needs("House/", 0, "{\"n\":3}");
	event_needs("/lamp", 0, "{\"n\":4}");
	event_needs("House/lamp House/temp", 0, "{\"n\":5}");
	CHECK(has(0, "\"n\":1") && has(0, "\"n\":2") && has(0, "\"n\":3") &&
	    has(0, "\"n\":4") && has(0, "\"n\":5"), "an admin gets every "
	    "scheduler notice");
	CHECK(has(1, "\"n\":1") && !has(1, "\"n\":2") && has(1, "\"n\":3") &&
	    !has(1, "\"n\":4") && has(1, "\"n\":5"), "a site grant: notices "
	    "of events naming only that site, not one also naming the Barn, "
	    "not a never-seen node's");
	CHECK(has(2, "\"n\":1") && !has(2, "\"n\":2") && has(2, "\"n\":3") &&
	    !has(2, "\"n\":4") && !has(2, "\"n\":5"), "a device grant: "
	    "not an event that also names another device of the site");
	CHECK(!has(3, "\"n\":1") && !has(3, "\"n\":2") && !has(3,
	    "\"n\":3") && !has(3, "\"n\":5"), "the Barn sees no House event, "
	    "even one naming a Barn device too");
	CHECK(has(5, "\"n\":1") && has(5, "\"n\":4") &&
	    !has(5, "\"n\":2") && !has(5, "\"n\":5"), "a \"*\" "
	    "site grant of one device: that device anywhere, a never-seen "
	    "node's too");
	CHECK(event_needs("House/lamp", STREAM_MAX_NEEDS - 1, "{}") == 0 &&
	    event_needs("House/lamp", STREAM_MAX_NEEDS, "{}") == -1,
	    "STREAM_MAX_NEEDS scopes taken, one more refused");
	memset(longsite, 'a', sizeof(longsite) - 1);
	longsite[SITE_NAME_MAX + 1] = '/';
	longsite[SITE_NAME_MAX + 2] = '\0';
	CHECK(event_needs(longsite, 0, "{}") == -1, "an over-long site in a "
	    "scope is refused");
	drop("sam", "");
}

static void
test_drop_and_caps(void)
{
	drop("bob", "other");
	CHECK(!closed[1], "a drop for another key leaves bob's stream");
	drop("bob", "k1");
	CHECK(closed[1] && !closed[0] && !closed[2],
	    "a drop by key ends that stream only");
	drop("barb", "");
	CHECK(closed[3], "a drop by user ends its streams");
	drop("", "");
	CHECK(closed[0] && closed[2], "a drop of all ends every stream");
	start(conn(0, 9, 1), "a", NULL, "", 0, "");
	start(conn(1, 9, 1), "a", NULL, "", 0, "");
	start(conn(2, 9, 1), "a", NULL, "", 0, "");
	start(conn(3, 9, 1), "a", NULL, "", 0, "");
	start(conn(4, 9, 1), "a", NULL, "", 0, "");
	CHECK(conns[3].state == WC_STREAM && refused[4] == 429 &&
	    conns[4].stream == NULL, "STREAM_MAX_PER_ADDR: the fifth gets 429");
	drop("", "");
}

static void
test_resume(void)
{
	int	i;
	char	want[64], data[200];

	/* Events of ~230 bytes: a full backlog is more than
	 * STREAM_MAX_PENDING / 2 to replay. */
	memset(data, 'x', sizeof(data));
	data[0] = data[sizeof(data) - 2] = '"';
	data[sizeof(data) - 1] = '\0';
	for (i = 0; i < STREAM_BACKLOG + 10; i++)
		event("value", "House", "lamp", data);
	/* The backlog holds the last STREAM_BACKLOG events. */
	conn(0, 1, 1)->stream_resume = 1;
	conns[0].stream_last = next_id - 5;
	start(&conns[0], "a", NULL, "", 0, "");
	snprintf(want, sizeof(want), "id: %llu\n",
	    (unsigned long long)(next_id - 4));
	CHECK(has(0, want) && !has(0, "event: reset"),
	    "resume: the events after the id, no reset");
	snprintf(want, sizeof(want), "id: %llu\n",
	    (unsigned long long)(next_id - 5));
	CHECK(!has(0, want), "resume: not the id itself");
	conn(1, 2, 1)->stream_resume = 1;
	conns[1].stream_last = next_id - STREAM_BACKLOG - 5;
	start(&conns[1], "a", NULL, "", 0, "");
	CHECK(has(1, "event: reset"), "an id older than the backlog: reset");
	conn(2, 3, 1)->stream_resume = 1;
	conns[2].stream_last = next_id + 100;
	start(&conns[2], "a", NULL, "", 0, "");
	CHECK(has(2, "event: reset"), "an id from the future: reset");
	conn(3, 4, 1)->stream_resume = 1;
	conns[3].stream_last = next_id - STREAM_BACKLOG + 1;
	start(&conns[3], "a", NULL, "", 0, "");
	CHECK(has(3, "event: reset") && !has(3, "id: "),
	    "more than STREAM_MAX_PENDING/2 to replay: reset instead");
	conn(4, 5, 1)->stream_resume = 1;
	conns[4].stream_last = next_id;
	start(&conns[4], "a", NULL, "", 0, "");
	CHECK(!has(4, "id: ") && !has(4, "reset"), "up to date: nothing");
	drop("", "");
}

static void
test_slow(void)
{
	char	data[STREAM_MAX_DATA - 8];
	int	i;

	memset(data, 'x', sizeof(data) - 3);
	data[0] = '"';
	data[sizeof(data) - 3] = '"';
	data[sizeof(data) - 2] = '\0';
	start(conn(0, 1, 0), "slow", NULL, "", 0, "");
	start(conn(1, 2, 1), "fast", NULL, "", 0, "");
	for (i = 0; i < 2 * STREAM_MAX_PENDING / (int)sizeof(data) &&
	    !closed[0]; i++)
		event("value", "House", "lamp", data);
	CHECK(closed[0], "a client that does not read is dropped (%d events)",
	    i);
	CHECK(buf_used(&conns[0].out) <= STREAM_MAX_PENDING,
	    "its unsent output never passed STREAM_MAX_PENDING");
	CHECK(!closed[1] && ngot[1] > STREAM_MAX_PENDING,
	    "a fast one on the same events goes on");
	drop("", "");
}

static void
test_malformed(void)
{
	Hd__ApiResponse r = HD__API_RESPONSE__INIT;
	Hd__StreamGrant	g = HD__STREAM_GRANT__INIT;

	CHECK(event("value", "House", "lamp", "{\"a\":\n1}") == -1,
	    "a newline in data is refused");
	CHECK(event("val ue", "House", "lamp", "{}") == -1,
	    "a bad name is refused");
	next_id -= 5;
	CHECK(event("value", "House", "lamp", "{}") == -1,
	    "an id that does not increase is refused");
	next_id += 10;
	CHECK(event("value", "House", "lamp", "{}") == 0, "then a good one");
	g.user = "a";
	g.role = "user";
	g.key = "01234567890123456789";
	r.status = 200;
	r.stream = &g;
	CHECK(web_stream_start(conn(0, 1, 1), &r) == -1,
	    "a grant with a key past API_KEY_LEN is refused");
	conn(1, 2, 1)->req.method = HTTP_HEAD;
	CHECK(start(&conns[1], "a", NULL, "", 0, "") == 0 &&
	    conns[1].state == WC_FLUSH_CLOSE && conns[1].stream == NULL,
	    "HEAD: the head, then close, no stream");
}

int
main(void)
{
	int i;

	memset(&w, 0, sizeof(w));
	w.v6bits = 128;
	TAILQ_INIT(&w.conns);
	if (!CHECK((w.loop = ev_loop_new()) != NULL &&
	    web_stream_init(&w) == 0, "setup"))
		return check_done();
	test_filter();
	test_needs();
	test_drop_and_caps();
	test_resume();
	test_slow();
	test_malformed();
	for (i = 0; i < NCONN; i++)
		buf_free(&conns[i].out);
	ev_loop_free(w.loop);
	return check_done();
}
