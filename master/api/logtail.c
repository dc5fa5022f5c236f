/*
 * The master's log tail (docs/API.md): a ring of its LOGTAIL_LINES most
 * recent log lines, fed by a hook in shared/log.c (only the master
 * registers one, so the slave pays nothing), read by admins with
 * GET /api/v1/log and published to admins' event streams as "log"
 * events.
 *
 * The hook only copies the line into the ring: it may run anywhere in
 * the master, even inside the code that talks to the web process, so
 * publishing waits for a timer (LOGTAIL_FLUSH_MS). The flush spends a
 * token bucket (LOGTAIL_STREAM_RATE a second, LOGTAIL_STREAM_BURST at
 * most) so that a log storm cannot flood the streams; lines it skips are
 * counted, and stay readable through GET /api/v1/log.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_res.h"
#include "api/api_stream.h"
#include "ev.h"
#include "log.h"

struct logline {
	uint64_t	id;		/* 0: empty slot */
	uint64_t	time_ms;	/* wall */
	char		level[8];
	char		text[LOGTAIL_LINE_MAX + 1];
};

static struct logtail {
	struct master	*m;
	struct logline	 ring[LOGTAIL_LINES];
	uint64_t	 last_id;	/* the newest line's */
	uint64_t	 published;	/* lines up to this id are dealt with */
	uint64_t	 dropped;	/* lines kept off the stream, in all */
	uint64_t	 skipped;	/* ... since the last "log" event */
	double		 tokens;
	uint64_t	 refilled;	/* monotonic ms of the last refill */
	int		 flushing;
	struct ev_timer	 timer;
} lt;

static struct logline *
line_of(uint64_t id)
{
	struct logline *l = &lt.ring[id % LOGTAIL_LINES];

	return l->id == id ? l : NULL;
}

static void
on_log(const char *level, const char *text, void *arg)
{
	struct logline	*l;

	(void)arg;
	/* Ids go on from the wall clock, like stream event ids, so that an
	 * id from before a restart is older than every new line. */
	if (lt.last_id == 0)
		lt.published = lt.last_id = ev_wall_ms() * 1000;
	l = &lt.ring[++lt.last_id % LOGTAIL_LINES];
	l->id = lt.last_id;
	l->time_ms = ev_wall_ms();
	snprintf(l->level, sizeof(l->level), "%s", level);
	snprintf(l->text, sizeof(l->text), "%s", text);
	if (lt.flushing)
		lt.published = lt.last_id;	/* our own; never streamed */
	else if (lt.m != NULL && lt.m->loop != NULL && !lt.timer.active)
		ev_timer_start(lt.m->loop, &lt.timer, LOGTAIL_FLUSH_MS);
}

static void
write_line(struct jw *w, const struct logline *l)
{
	jw_key(w, "id");
	jw_uint(w, l->id);
	jw_key(w, "time_ms");
	jw_uint(w, l->time_ms);
	jw_key(w, "level");
	jw_str(w, l->level);
	jw_key(w, "text");
	jw_str(w, l->text);
}

static void
publish(const struct logline *l)
{
	char		buf[STREAM_MAX_DATA];
	struct jw	w;

	jw_init(&w, buf, sizeof(buf));
	jw_open(&w, '{');
	write_line(&w, l);
	jw_key(&w, "dropped");
	jw_uint(&w, lt.skipped);
	jw_close(&w, '}');
	if (jw_end(&w) < 0)
		return;
	api_stream_publish(lt.m, "log", NULL, NULL, buf);
	lt.skipped = 0;
}

void
logtail_flush(uint64_t now)
{
	struct logline	*l;
	uint64_t	 id, end = lt.last_id;

	if (lt.m == NULL)
		return;
	lt.tokens += (double)(now - lt.refilled) * LOGTAIL_STREAM_RATE / 1000;
	if (lt.tokens > LOGTAIL_STREAM_BURST)
		lt.tokens = LOGTAIL_STREAM_BURST;
	lt.refilled = now;
	lt.flushing = 1;
	for (id = lt.published + 1; id <= end; id++) {
		l = line_of(id);
		if (l != NULL && lt.tokens >= 1) {
			lt.tokens -= 1;
			publish(l);
		} else {
			/* Over the rate, or overwritten before its turn. */
			lt.dropped++;
			lt.skipped++;
		}
	}
	lt.published = lt.last_id;	/* with lines logged while publishing */
	lt.flushing = 0;
}

static void
on_timer(struct ev_timer *t)
{
	(void)t;
	logtail_flush(ev_clock_ms());
}

/* A whole number from the query, or `dflt` if absent; -1 after a 400. */
static int
query_num(struct api_call *c, const char *name, uint64_t dflt,
    uint64_t max, uint64_t *out)
{
	char		 num[24], *end;
	unsigned long long v;

	if (api_query(c, name, num, sizeof(num)) == -1) {
		if (c->req->query != NULL && strstr(c->req->query, name)
		    != NULL)
			goto bad;
		*out = dflt;
		return 0;
	}
	v = strtoull(num, &end, 10);
	if (num[0] < '0' || num[0] > '9' || *end != '\0' || v > max)
		goto bad;
	*out = v;
	return 0;
bad:
	api_refuse(c, 400, "bad_request", strcmp(name, "lines") == 0 ?
	    "lines: 1 to LOGTAIL_LINES (256)" : "since: a line id");
	return -1;
}

static void
log_get(struct api_call *c)
{
	const struct logline	*l;
	struct jw		 before;
	uint64_t		 n, since, first, id;
	int			 more = 0;

	if (query_num(c, "lines", LOGTAIL_DEFAULT_LINES, LOGTAIL_LINES,
	    &n) == -1 || query_num(c, "since", 0, UINT64_MAX, &since) == -1)
		return;
	if (n == 0) {
		api_refuse(c, 400, "bad_request", "lines: 1 to LOGTAIL_LINES "
		    "(256)");
		return;
	}
	/* The oldest line kept, then the newest n after `since`. */
	first = lt.last_id >= LOGTAIL_LINES ? lt.last_id - LOGTAIL_LINES + 1 :
	    1;
	while (first <= lt.last_id && line_of(first) == NULL)
		first++;
	if (since + 1 > first)
		first = since + 1;
	if (lt.last_id >= n && lt.last_id - n + 1 > first)
		first = lt.last_id - n + 1;
	jw_open(&c->w, '{');
	jw_key(&c->w, "lines");
	jw_open(&c->w, '[');
	for (id = first; id <= lt.last_id && !more; id++) {
		if ((l = line_of(id)) == NULL)
			continue;
		before = c->w;
		jw_open(&c->w, '{');
		write_line(&c->w, l);
		jw_close(&c->w, '}');
		more = !api_list_fits(c, &before);
	}
	jw_close(&c->w, ']');
	jw_key(&c->w, "last_id");
	jw_uint(&c->w, lt.last_id);
	jw_key(&c->w, "more");
	jw_bool(&c->w, more);
	jw_key(&c->w, "stream_dropped");
	jw_uint(&c->w, lt.dropped);
	jw_close(&c->w, '}');
	api_reply(c, 200);
}

static const struct api_route log_routes[] = {
	{ "GET", "/api/v1/log", API_ADMIN, log_get },
};

int
logtail_init(struct master *m)
{
	/*
	 * `lt` is zero at start (.bss): clearing it then would make the whole
	 * ring (LOGTAIL_LINES * LOGTAIL_LINE_MAX) resident before one line is
	 * kept. Only a second init (tests) has anything to clear.
	 */
	if (lt.last_id != 0 || lt.m != NULL || lt.refilled != 0)
		memset(&lt, 0, sizeof(lt));
	lt.m = m;
	lt.tokens = LOGTAIL_STREAM_BURST;
	lt.refilled = ev_clock_ms();
	ev_timer_init(&lt.timer, on_timer, &lt);
	if (api_add_routes(m->api, log_routes, 1, m) == -1)
		return -1;
	log_sethook(on_log, NULL);
	return 0;
}

void
logtail_free(void)
{
	log_sethook(NULL, NULL);
	if (lt.m != NULL && lt.m->loop != NULL)
		ev_timer_stop(lt.m->loop, &lt.timer);
	lt.m = NULL;
}
