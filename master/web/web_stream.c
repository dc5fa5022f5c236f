/*
 * The event streams of the web process (docs/API.md, GET /api/v1/stream).
 * The master authorizes a stream and sends its permission set; from then
 * on the web process holds the connection. Each event arrives once from
 * the master, is formatted once as Server-Sent Events text, kept in a
 * bounded backlog (for Last-Event-ID resume) and copied to every stream
 * whose permission set admits it: fan-out is a filter and a memcpy per
 * stream. A stream that cannot keep up (STREAM_MAX_PENDING unsent bytes)
 * is closed rather than allowed to grow; its client resumes from the
 * backlog.
 */

#include <sys/socket.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/webapi.h"
#include "log.h"
#include "net.h"
#include "web/web.h"
#include "web.pb-c.h"

#define STREAM_PATH	"/api/v1/stream"
#define STREAM_RETRY_MS	2000		/* the client's reconnection delay */
#define STREAM_NAME_MAX	31

struct wscope {
	char	site[SITE_NAME_MAX + 1];	/* "*": any */
	char	device[DEVICE_ID_MAX + 1];	/* "": the whole site */
};

struct wstream {
	TAILQ_ENTRY(wstream)	 entry;
	struct wconn		*c;
	char			 user[USER_NAME_MAX + 1];
	char			 key[API_KEY_LEN + 1];	/* session or token */
	int			 all, admin;
	struct wscope		 scope[USER_MAX_GRANTS];
	int			 nscope;
	uint64_t		 started, last_write;	/* monotonic */
};

struct wsev {
	uint64_t	 id;
	char		 site[SITE_NAME_MAX + 1];
	char		 device[DEVICE_ID_MAX + 1];
	int		 admin_only;
	char		*needs;		/* "site\0device\0" per scope needed */
	int		 nneeds;	/* too (a scheduler event's devices) */
	char		*text;		/* "id: ..\nevent: ..\ndata: ..\n\n" */
	size_t		 len;
};

struct wstreams {
	struct wsev		 ring[STREAM_BACKLOG];
	int			 head, n;	/* next slot, events held */
	uint64_t		 last_id;
	TAILQ_HEAD(, wstream)	 list;
	int			 count;
};

int
web_stream_init(struct web *w)
{
	if ((w->streams = calloc(1, sizeof(*w->streams))) == NULL)
		return -1;
	TAILQ_INIT(&w->streams->list);
	return 0;
}

/* Last-Event-ID (or ?last_event_id=, for clients that cannot set it). */
void
web_stream_note(struct wconn *c)
{
	const char	*v = http_header(&c->req, "Last-Event-ID"), *q;
	char		*end;

	c->stream_resume = 0;
	if (strcmp(c->req.path, STREAM_PATH) != 0)
		return;
	if (v == NULL && (q = c->req.query) != NULL &&
	    (v = strstr(q, "last_event_id=")) != NULL &&
	    (v == q || v[-1] == '&'))
		v += strlen("last_event_id=");
	if (v == NULL || *v < '0' || *v > '9')
		return;
	c->stream_last = strtoull(v, &end, 10);
	c->stream_resume = *end == '\0' || *end == '&';
}

/* Does one of the stream's scopes cover site/device (device "": any
 * of the site's)? Site "" is a node never seen: only "*" covers it. */
static int
scope_admits(const struct wstream *s, const char *site, const char *device)
{
	int i;

	for (i = 0; i < s->nscope; i++) {
		if (strcmp(s->scope[i].site, "*") != 0 &&
		    strcmp(s->scope[i].site, site) != 0)
			continue;
		if (device[0] == '\0' || s->scope[i].device[0] == '\0' ||
		    strcmp(s->scope[i].device, device) == 0)
			return 1;
	}
	return 0;
}

static int
admits(const struct wstream *s, const struct wsev *e)
{
	const char	*site, *device;
	int		 i;

	if (e->admin_only)
		return s->admin;
	if (s->all)
		return 1;
	/* Only scheduler notices have needs: a value costs one test. */
	for (i = 0, site = e->needs; i < e->nneeds; i++) {
		device = site + strlen(site) + 1;
		if (!scope_admits(s, site, device))
			return 0;
		site = device + strlen(device) + 1;
	}
	return e->site[0] == '\0' || scope_admits(s, e->site, e->device);
}

/* Queue bytes for a stream and write what the socket takes. -1: the
 * stream was closed (too slow, or the connection failed). */
static int
put(struct wstream *s, const char *p, size_t n)
{
	struct wconn *c = s->c;

	if (buf_used(&c->out) + n > STREAM_MAX_PENDING) {
		log_warnx("%s: stream of %s dropped: client too slow (%zu "
		    "bytes unsent)", c->name, s->user, buf_used(&c->out));
		wc_close(c);
		return -1;
	}
	if (buf_append(&c->out, p, n) == -1) {
		wc_close(c);
		return -1;
	}
	s->last_write = ev_now(c->w->loop);
	return wc_send(c);
}

static int
put_str(struct wstream *s, const char *p)
{
	return put(s, p, strlen(p));
}

static const struct wsev *
ring_at(const struct wstreams *ws, int i)	/* i = 0: oldest */
{
	return &ws->ring[(ws->head - ws->n + i + STREAM_BACKLOG) %
	    STREAM_BACKLOG];
}

/*
 * Send the backlog after `last`, or a reset when it cannot be resumed:
 * older than the backlog (or the master restarted), or more than half
 * of STREAM_MAX_PENDING to send (the client is better off re-reading).
 */
static int
replay(struct wstream *s, uint64_t last)
{
	struct wstreams		*ws = s->c->w->streams;
	const struct wsev	*e;
	size_t			 total = 0;
	int			 i, first = ws->n;

	if (last == ws->last_id)
		return 0;
	for (i = 0; i < ws->n; i++)
		if (ring_at(ws, i)->id > last) {
			first = i;
			break;
		}
	if (last > ws->last_id || ws->n == 0 || ring_at(ws, 0)->id > last + 1)
		return put_str(s, "event: reset\ndata: {\"reason\":\"backlog\"}"
		    "\n\n");
	for (i = first; i < ws->n; i++)
		if (admits(s, (e = ring_at(ws, i))))
			total += e->len;
	if (total > STREAM_MAX_PENDING / 2)
		return put_str(s, "event: reset\ndata: {\"reason\":\"backlog\"}"
		    "\n\n");
	for (i = first; i < ws->n; i++)
		if (admits(s, (e = ring_at(ws, i))) &&
		    put(s, e->text, e->len) == -1)
			return -1;
	return 0;
}

static int
count_addr(const struct wstreams *ws, const uint8_t *addr)
{
	const struct wstream	*s;
	int			 n = 0;

	TAILQ_FOREACH(s, &ws->list, entry)
		n += net_addr_same(s->c->addr, addr,
		    s->c->w->v6bits);
	return n;
}

static int
grant_ok(const Hd__StreamGrant *g)
{
	size_t i;

	if (strlen(g->user) > USER_NAME_MAX || g->n_scopes > USER_MAX_GRANTS ||
	    strlen(g->role) > 16 || strlen(g->key) > API_KEY_LEN)
		return 0;
	for (i = 0; i < g->n_scopes; i++)
		if (strlen(g->scopes[i]->site) > SITE_NAME_MAX ||
		    strlen(g->scopes[i]->device) > DEVICE_ID_MAX)
			return 0;
	return 1;
}

static struct wstream *
stream_new(struct wconn *c, const Hd__StreamGrant *g)
{
	struct wstream	*s;
	size_t		 i;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	s->c = c;
	snprintf(s->user, sizeof(s->user), "%s", g->user);
	snprintf(s->key, sizeof(s->key), "%s", g->key);
	s->all = g->all;
	s->admin = g->admin;
	for (i = 0; i < g->n_scopes; i++) {
		snprintf(s->scope[i].site, sizeof(s->scope[i].site), "%s",
		    g->scopes[i]->site);
		snprintf(s->scope[i].device, sizeof(s->scope[i].device), "%s",
		    g->scopes[i]->device);
	}
	s->nscope = (int)g->n_scopes;
	s->started = s->last_write = ev_now(c->w->loop);
	return s;
}

static void
refuse(struct wconn *c, const char *why)
{
	char	body[128];
	int	n;

	n = snprintf(body, sizeof(body), "{\"error\":\"throttled\","
	    "\"reason\":\"%s\"}", why);
	web_api_reply(c, 429, (const uint8_t *)body, (size_t)n, "", 5);
	wc_resume(c);
}

int
web_stream_start(struct wconn *c, const Hd__ApiResponse *r)
{
	struct wstreams	*ws = c->w->streams;
	struct wstream	*s;
	int		 sndbuf = STREAM_SNDBUF;
	char		 hello[STREAM_MAX_DATA + 32];

	if (r->status != 200 || !grant_ok(r->stream) ||
	    r->body.len >= STREAM_MAX_DATA || (r->body.len > 0 &&
	    memchr(r->body.data, '\n', r->body.len) != NULL))
		return -1;
	if (c->req.method == HTTP_HEAD) {
		/* The head of a stream, and nothing after it. */
		c->state = WC_FLUSH_CLOSE;
		web_stream_head(c);
		wc_send(c);
		return 0;
	}
	if (ws->count >= STREAM_MAX) {
		refuse(c, "too many streams");
		return 0;
	}
	if (count_addr(ws, c->addr) >= STREAM_MAX_PER_ADDR) {
		refuse(c, "too many streams from this address");
		return 0;
	}
	if ((s = stream_new(c, r->stream)) == NULL) {
		refuse(c, "out of memory");
		return 0;
	}
	/* A small kernel buffer: a stream's memory stays bounded, and a
	 * client that stops reading is noticed soon. */
	setsockopt(c->fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
	c->stream = s;
	c->state = WC_STREAM;
	TAILQ_INSERT_TAIL(&ws->list, s, entry);
	ws->count++;
	log_info("%s: stream of %s started (%d open)", c->name, s->user,
	    ws->count);
	web_stream_head(c);
	snprintf(hello, sizeof(hello), "retry: %d\nevent: hello\ndata: %.*s"
	    "\n\n", STREAM_RETRY_MS, (int)r->body.len,
	    (const char *)r->body.data);
	if (put_str(s, hello) == -1 || (c->stream_resume &&
	    replay(s, c->stream_last) == -1))
		return 0;
	ev_timer_start(c->w->loop, &c->timer, STREAM_HEARTBEAT_MS);
	return 0;
}

void
web_stream_gone(struct wconn *c)
{
	struct wstreams	*ws = c->w->streams;
	struct wstream	*s = c->stream;

	TAILQ_REMOVE(&ws->list, s, entry);
	ws->count--;
	log_debug("%s: stream of %s closed", c->name, s->user);
	free(s);
	c->stream = NULL;
}

void
web_stream_timer(struct wconn *c)
{
	struct wstream	*s = c->stream;
	uint64_t	 now = ev_now(c->w->loop), quiet;

	if (now - s->started >= STREAM_MAX_MS) {
		log_info("%s: stream of %s ends after %d s: the client "
		    "reconnects and is authorized again", c->name, s->user,
		    STREAM_MAX_MS / 1000);
		wc_close(c);
		return;
	}
	quiet = now - s->last_write;
	if (quiet >= STREAM_HEARTBEAT_MS) {
		if (put_str(s, ": hb\n\n") == -1)
			return;
		quiet = 0;
	}
	ev_timer_start(c->w->loop, &c->timer, STREAM_HEARTBEAT_MS - quiet);
}

static int
event_ok(const Hd__StreamEvent *e, uint64_t last)
{
	size_t i, n = strlen(e->name);

	if (e->id <= last || n == 0 || n > STREAM_NAME_MAX ||
	    strlen(e->site) > SITE_NAME_MAX ||
	    strlen(e->device) > DEVICE_ID_MAX ||
	    strlen(e->data) >= STREAM_MAX_DATA ||
	    strpbrk(e->data, "\r\n") != NULL || e->n_needs > STREAM_MAX_NEEDS)
		return 0;
	for (i = 0; i < e->n_needs; i++)
		if (strlen(e->needs[i]->site) > SITE_NAME_MAX ||
		    strlen(e->needs[i]->device) > DEVICE_ID_MAX)
			return 0;
	for (i = 0; i < n; i++)
		if (!(e->name[i] == '_' || (e->name[i] >= 'a' &&
		    e->name[i] <= 'z') || (e->name[i] >= '0' &&
		    e->name[i] <= '9') || (e->name[i] >= 'A' &&
		    e->name[i] <= 'Z')))
			return 0;
	return 1;
}

/* The needed scopes as "site\0device\0..." in one allocation (NULL
 * when there are none). -1 when out of memory. */
static int
pack_needs(const Hd__StreamEvent *e, char **out)
{
	size_t	i, len = 0, a, b;
	char	*p;

	*out = NULL;
	if (e->n_needs == 0)
		return 0;
	for (i = 0; i < e->n_needs; i++)
		len += strlen(e->needs[i]->site) +
		    strlen(e->needs[i]->device) + 2;
	if ((p = *out = malloc(len)) == NULL)
		return -1;
	for (i = 0; i < e->n_needs; i++) {
		a = strlen(e->needs[i]->site) + 1;
		b = strlen(e->needs[i]->device) + 1;
		memcpy(p, e->needs[i]->site, a);
		memcpy(p + a, e->needs[i]->device, b);
		p += a + b;
	}
	return 0;
}

/* Into the backlog (the oldest event gives way), then to each stream. */
static int
take_event(struct web *w, const Hd__StreamEvent *e)
{
	struct wstreams	*ws = w->streams;
	struct wsev	*ev = &ws->ring[ws->head];
	struct wstream	*s, *next;
	char		*text, *needs;
	int		 n;

	if (!event_ok(e, ws->last_id))
		return -1;
	n = asprintf(&text, "id: %" PRIu64 "\nevent: %s\ndata: %s\n\n", e->id,
	    e->name, e->data);
	if (n < 0)
		return 0;	/* out of memory: this event is lost */
	if (pack_needs(e, &needs) == -1) {
		free(text);
		return 0;
	}
	free(ev->needs);
	ev->needs = needs;
	ev->nneeds = (int)e->n_needs;
	free(ev->text);
	ev->id = e->id;
	snprintf(ev->site, sizeof(ev->site), "%s", e->site);
	snprintf(ev->device, sizeof(ev->device), "%s", e->device);
	ev->admin_only = e->admin_only;
	ev->text = text;
	ev->len = (size_t)n;
	ws->head = (ws->head + 1) % STREAM_BACKLOG;
	if (ws->n < STREAM_BACKLOG)
		ws->n++;
	ws->last_id = e->id;
	for (s = TAILQ_FIRST(&ws->list); s != NULL; s = next) {
		next = TAILQ_NEXT(s, entry);
		if (admits(s, ev))
			put(s, ev->text, ev->len);
	}
	return 0;
}

int
web_stream_msg(struct web *w, const Hd__WebMsg *m)
{
	struct wstreams	*ws = w->streams;
	struct wstream	*s, *next;
	const char	*user, *key;

	if (m->body_case == HD__WEB_MSG__BODY_STREAM_EVENT)
		return take_event(w, m->stream_event);
	user = m->stream_drop->user;
	key = m->stream_drop->key;
	for (s = TAILQ_FIRST(&ws->list); s != NULL; s = next) {
		next = TAILQ_NEXT(s, entry);
		if ((user[0] != '\0' && strcmp(user, s->user) != 0) ||
		    (key[0] != '\0' && strcmp(key, s->key) != 0))
			continue;
		log_info("%s: stream of %s ended: %s", s->c->name, s->user,
		    key[0] != '\0' ? "its session or token ended" :
		    "its user changed");
		wc_close(s->c);
	}
	return 0;
}
