/*
 * Responses of the web process: routing, the compiled-in static files
 * (ETag/304, gzip), the JSON API's first route, Prometheus metrics, and
 * the security headers every response carries.
 */

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "lib/security.h"
#include "lib/webapi.h"
#include "log.h"
#include "version.h"
#include "web/web.h"
#include "web/web_assets.h"

/* Status line, Date, type and length: the head's variable lines. */
#define WEB_HEAD_LINE_MAX	256

/*
 * On every response: HTTPS only, our own scripts only, no framing. The
 * policy names only what differs from default-src 'self' (script-src,
 * style-src and connect-src fall back to it; base-uri, form-action and
 * frame-ancestors do not): the same policy in fewer bytes per response.
 */
#define SECURITY_HEADERS \
    "Strict-Transport-Security: max-age=31536000; includeSubDomains\r\n" \
    "Content-Security-Policy: default-src 'self'; img-src 'self' data:; " \
    "object-src 'none'; base-uri 'none'; form-action 'self'; " \
    "frame-ancestors 'none'\r\n" \
    "X-Content-Type-Options: nosniff\r\n" \
    "X-Frame-Options: DENY\r\n" \
    "Referrer-Policy: no-referrer\r\n"

/* The end of every head, copied in one go: these, or with the other
 * masters' origins in the policy (web_http_init()). */
static const char head_end_default[] = SECURITY_HEADERS "\r\n";
static const char head_end_close_default[] = "Connection: close\r\n"
    SECURITY_HEADERS "\r\n";
static const char *head_end = head_end_default;
static const char *head_end_close = head_end_close_default;
static size_t head_end_len = sizeof(head_end_default) - 1;
static size_t head_end_close_len = sizeof(head_end_close_default) - 1;

/*
 * The master-web origins (https://HOST[:PORT], lower case): after a
 * takeover the dashboard asks each for GET /api/v1/master
 * (api_handover.c), so the policy lets it connect to them and they let
 * one another read that answer (and nothing else: CORS without
 * credentials, for that one path).
 */
static char	origins[HA_MAX_MASTERS][MASTER_WEB_MAX];
static int	norigins;
#define CSP_HEAD	"Content-Security-Policy: default-src 'self'; "
#define CSP_TAIL_MAX	(HA_MAX_MASTERS * MASTER_WEB_MAX + 64)
static char	head_end_buf[sizeof(head_end_default) + CSP_TAIL_MAX];
static char	head_end_close_buf[sizeof(head_end_close_default) +
		    CSP_TAIL_MAX];

/* The origin of a master-web URL into out, or -1 if it holds a byte an
 * origin may not (the config checked it for spaces and quotes only). */
static int
origin_of(const char *url, char *out, size_t size)
{
	size_t	n, i;

	if (strncmp(url, "https://", 8) != 0)
		return -1;
	n = 8 + strcspn(url + 8, "/");
	if (n == 8 || n >= size)
		return -1;
	for (i = 0; i < n; i++) {
		out[i] = (char)tolower((unsigned char)url[i]);
		if (i >= 8 && !isalnum((unsigned char)out[i]) &&
		    strchr(".-:[]", out[i]) == NULL)
			return -1;
	}
	out[n] = '\0';
	/* A browser's Origin leaves out the default port. */
	if (n > 12 && strcmp(out + n - 4, ":443") == 0)
		out[n - 4] = '\0';
	return 0;
}

/* The head's end with `connect-src 'self' ORIGINS` in the policy. */
static size_t
head_end_with(char *buf, size_t size, const char *conn)
{
	static const char *const rest = SECURITY_HEADERS "\r\n";
	const char	*csp = strstr(rest, CSP_HEAD);
	size_t		 n;
	int		 i;

	/* Each piece is checked to fit: the sizes (CSP_TAIL_MAX) make it
	 * so, but a change to them must not write past the buffer. */
	n = (size_t)snprintf(buf, size, "%s%.*s" CSP_HEAD "connect-src 'self'",
	    conn, (int)(csp - rest), rest);
	for (i = 0; i < norigins && n < size; i++)
		n += (size_t)snprintf(buf + n, size - n, " %s", origins[i]);
	if (n < size)
		n += (size_t)snprintf(buf + n, size - n, "; %s",
		    csp + strlen(CSP_HEAD));
	return n < size ? n : 0;
}

void
web_http_init(const struct web_conf *wc)
{
	size_t	n, nc;
	int	i;

	for (i = 0; i < wc->nmweb && i < HA_MAX_MASTERS; i++) {
		if (origin_of(wc->mweb[i], origins[norigins],
		    sizeof(origins[0])) == -1) {
			log_warnx("master-web %s: not an origin the dashboard "
			    "may ask", wc->mweb[i]);
			continue;
		}
		norigins++;
	}
	if (norigins == 0)
		return;
	n = head_end_with(head_end_buf, sizeof(head_end_buf), "");
	nc = head_end_with(head_end_close_buf, sizeof(head_end_close_buf),
	    "Connection: close\r\n");
	if (n == 0 || nc == 0)
		fatalx("the master-web origins do not fit the policy header");
	head_end_len = n;
	head_end_close_len = nc;
	head_end = head_end_buf;
	head_end_close = head_end_close_buf;
}

/* GET /api/v1/master asked from another master's dashboard: the index
 * of its origin plus one, else 0. */
static int
cors_origin(const struct http_request *r)
{
	const char	*o = http_header(r, "Origin");
	int		 i;

	if (o == NULL || (r->method != HTTP_GET && r->method != HTTP_HEAD) ||
	    strcmp(r->path, API_PREFIX "master") != 0)
		return 0;
	for (i = 0; i < norigins; i++)
		if (strcasecmp(o, origins[i]) == 0)
			return i + 1;
	return 0;
}

static const char *
status_text(int status)
{
	switch (status) {
	case 200: return "OK";
	case 304: return "Not Modified";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 408: return "Request Timeout";
	case 413: return "Content Too Large";
	case 414: return "URI Too Long";
	case 415: return "Unsupported Media Type";
	case 429: return "Too Many Requests";
	case 431: return "Request Header Fields Too Large";
	case 500: return "Internal Server Error";
	case 501: return "Not Implemented";
	case 503: return "Service Unavailable";
	case 505: return "HTTP Version Not Supported";
	default: return "Error";
	}
}

/*
 * The head is assembled from constant pieces and a few numbers, without
 * printf, in a stack buffer: it is on the path of every response.
 * `end` bounds what the caller reserved (WEB_HEAD_LINE_MAX).
 */
static char *
cat(char *p, const char *end, const char *s)
{
	size_t n = strlen(s);

	if (n > (size_t)(end - p))
		n = (size_t)(end - p);
	memcpy(p, s, n);
	return p + n;
}

static char *
cat_num(char *p, const char *end, uint64_t v)
{
	char	d[24], *q = d + sizeof(d);

	*--q = '\0';
	do
		*--q = (char)('0' + v % 10);
	while ((v /= 10) > 0);
	return cat(p, end, q);
}

/* The Date header (RFC 9110 requires it of a server with a clock),
 * formatted once a second. */
static const char *
date_header(void)
{
	static char	line[48];
	static uint64_t	at = UINT64_MAX;
	uint64_t	now = ev_wall_ms() / 1000;

	if (now != at) {
		at = now;
		http_date(line, sizeof(line), now);
	}
	return line;
}

/*
 * Status line and common headers; `extra` ends with CRLF or is "". The
 * whole response (head and a body of `len`) gets its room at once: one
 * allocation per response instead of a doubling series.
 */
static void
head(struct wconn *c, int status, const char *type, size_t len,
    const char *extra, int close)
{
	char	 h[WEB_HEAD_LINE_MAX], *p = h, *end = h + sizeof(h);
	size_t	 extralen = strlen(extra);

	if (wc_last(c))
		close = 1;
	p = cat(p, end, "HTTP/1.1 ");
	p = cat_num(p, end, (uint64_t)status);
	p = cat(p, end, " ");
	p = cat(p, end, status_text(status));
	p = cat(p, end, "\r\n");
	p = cat(p, end, date_header());
	if (type != NULL) {
		p = cat(p, end, "Content-Type: ");
		p = cat(p, end, type);
		p = cat(p, end, "\r\n");
	}
	p = cat(p, end, "Content-Length: ");
	p = cat_num(p, end, len);
	p = cat(p, end, "\r\n");
	buf_reserve(&c->out, (size_t)(p - h) + extralen +
	    head_end_close_len + len);
	buf_append(&c->out, h, (size_t)(p - h));
	buf_append(&c->out, extra, extralen);
	if (close)
		buf_append(&c->out, head_end_close, head_end_close_len);
	else
		buf_append(&c->out, head_end, head_end_len);
}

static void
send_body(struct wconn *c, int status, const char *type, const void *body,
    size_t len, const char *extra)
{
	int close = c->state == WC_FLUSH_CLOSE;

	head(c, status, type, len, extra, close);
	if (c->req.method != HTTP_HEAD)
		buf_append(&c->out, body, len);
}

void
web_error(struct wconn *c, int status, const char *reason, int close)
{
	char body[256];
	int n;

	n = snprintf(body, sizeof(body), "{\"error\":{\"status\":%d,"
	    "\"message\":\"%s\"}}\n", status, status_text(status));
	(void)reason;		/* for the log, not for the client */
	if (close)
		c->state = WC_FLUSH_CLOSE;
	head(c, status, "application/json", (size_t)n, "Cache-Control: "
	    "no-store\r\n", close);
	buf_append(&c->out, body, (size_t)n);
}

static int
accepts_gzip(const struct http_request *r)
{
	const char *ae = http_header(r, "Accept-Encoding");

	return ae != NULL && strcasestr(ae, "gzip") != NULL;
}

static int
serve_asset(struct wconn *c)
{
	const struct web_asset	*a;
	const char		*inm;
	char			 extra[256];

	for (a = web_assets; a->path != NULL; a++)
		if (strcmp(a->path, c->req.path) == 0)
			break;
	if (a->path == NULL)
		return -1;
	snprintf(extra, sizeof(extra), "ETag: %s\r\nCache-Control: no-cache\r\n"
	    "Vary: Accept-Encoding\r\n%s", a->etag, accepts_gzip(&c->req) ?
	    "Content-Encoding: gzip\r\n" : "");
	if ((inm = http_header(&c->req, "If-None-Match")) != NULL &&
	    strstr(inm, a->etag) != NULL) {
		head(c, 304, NULL, 0, extra, 0);
		/* A 304 has no body: Content-Length 0 here is harmless. */
		return 0;
	}
	if (accepts_gzip(&c->req))
		send_body(c, 200, a->type, a->gz, a->gzlen, extra);
	else
		send_body(c, 200, a->type, a->data, a->len, extra);
	return 0;
}

static void
health(struct wconn *c)
{
	char	body[128], *p = body, *end = body + sizeof(body);

	p = cat(p, end, "{\"status\":\"ok\",\"version\":\"" HD_VERSION
	    "\",\"uptime_s\":");
	p = cat_num(p, end, (ev_wall_ms() - c->w->started_ms) / 1000);
	p = cat(p, end, "}\n");
	send_body(c, 200, "application/json", body, (size_t)(p - body),
	    "Cache-Control: no-store\r\n");
}

/* Prometheus text: for allow-listed scrapers and admins (metrics()). */
void
web_metrics(struct wconn *c)
{
	const struct web_stats	*s = &c->w->stats;
	char			 body[2048];
	size_t			 n = 0;
	int			 i;

	for (i = 1; i < PROBE_NCLASSES; i++)
		n += (size_t)snprintf(body + n, sizeof(body) - n,
		    "hd_web_probes_total{class=\"%s\"} %" PRIu64 "\n",
		    probe_class_name((enum probe_class)i), s->probes[i]);
	n += (size_t)snprintf(body + n, sizeof(body) - n,
	    "hd_web_probes_unscored_total %" PRIu64 "\n"
	    "hd_web_ban_table_full_total %" PRIu64 "\n", s->unscored,
	    ban_full(c->w->bans));
	n += (size_t)snprintf(body + n, sizeof(body) - n,
	    "hd_web_banned_drops_total %" PRIu64 "\n"
	    "hd_web_shed_total %" PRIu64 "\n"
	    "hd_web_requests_total %" PRIu64 "\n"
	    "hd_web_handshakes_total %" PRIu64 "\n"
	    "hd_web_connections %d\nhd_web_bans %d\n"
	    "hd_watchdog_kills_total{child=\"web\"} %" PRIu64 "\n"
	    "hd_watchdog_kills_total{child=\"auth\"} %" PRIu64 "\n",
	    s->banned_drops, s->shed, s->requests, s->handshakes,
	    c->w->nconns, ban_count(c->w->bans, ev_wall_ms()),
	    s->watchdog_web, s->watchdog_auth);
	send_body(c, 200, "text/plain; version=0.0.4", body, n,
	    "Cache-Control: no-store\r\n");
}

void
web_api_reply(struct wconn *c, int status, const uint8_t *body, size_t len,
    const char *set_cookie, unsigned retry_after_s)
{
	char	extra[512 + MASTER_WEB_MAX];
	int	n;

	n = snprintf(extra, sizeof(extra), "Cache-Control: no-store\r\n");
	if (c->cors > 0 && c->cors <= norigins)
		n += snprintf(extra + n, sizeof(extra) - (size_t)n,
		    "Access-Control-Allow-Origin: %s\r\nVary: Origin\r\n",
		    origins[c->cors - 1]);
	c->cors = 0;
	if (set_cookie[0] != '\0')
		n += snprintf(extra + n, sizeof(extra) - (size_t)n,
		    "Set-Cookie: %s\r\n", set_cookie);
	if (retry_after_s > 0)
		snprintf(extra + n, sizeof(extra) - (size_t)n,
		    "Retry-After: %u\r\n", retry_after_s);
	send_body(c, status, "application/json", body, len, extra);
}

/* Our session cookie's value, if it has the length of one, else "". */
static void
session_cookie(const struct http_request *r, char *out, size_t size)
{
	const char	*p = http_header(r, "Cookie"), *v;
	size_t		 n, klen = strlen(API_COOKIE "=");

	out[0] = '\0';
	for (v = p; v != NULL && (v = strstr(v, API_COOKIE "=")) != NULL;
	    v += klen) {
		if (v != p && v[-1] != ' ' && v[-1] != ';')
			continue;
		v += klen;
		n = strcspn(v, "; ");
		if (n < size)
			snprintf(out, size, "%.*s", (int)n, v);
		return;
	}
}

/*
 * API calls answered by the master. State changes need a JSON body (a
 * cross-site form cannot send one without a preflight, which we never
 * answer); the session cookie and the CSRF header go along as they are,
 * bounded, for the master to check.
 */
static int
is_json(const char *ct)
{
	return ct != NULL && strncasecmp(ct, "application/json", 16) == 0 &&
	    (ct[16] == '\0' || ct[16] == ';');
}

/* An Origin header, when there is one, must be this very site. */
static int
same_origin(const struct http_request *r)
{
	const char *o = http_header(r, "Origin");

	return o == NULL || (r->host != NULL && strncmp(o, "https://", 8) ==
	    0 && strcasecmp(o + 8, r->host) == 0);
}

/* An "Authorization: Bearer <token>" value, if bounded, else "". */
static const char *
bearer(const struct http_request *r)
{
	const char *v = http_header(r, "Authorization");

	if (v == NULL || strncasecmp(v, "Bearer ", 7) != 0 ||
	    strlen(v + 7) > API_TOKEN_MAX)
		return "";
	return v + 7;
}

/*
 * Every other call under /api/v1/ goes to the master, which routes it by
 * method and path (master/api/api.c) and checks who is calling.
 */
static void
forward(struct wconn *c)
{
	const char	*csrf = http_header(&c->req, "X-CSRF-Token");
	char		 session[SESSION_TOKEN_HEX + 1];

	if (c->req.method != HTTP_GET && c->req.method != HTTP_HEAD) {
		if (c->bodylen > 0 &&
		    !is_json(http_header(&c->req, "Content-Type"))) {
			web_error(c, 415, "not JSON", 0);
			return;
		}
		if (!same_origin(&c->req)) {
			web_error(c, 403, "cross-origin", 0);
			return;
		}
	}
	if (csrf == NULL || strlen(csrf) > SESSION_TOKEN_HEX)
		csrf = "";
	session_cookie(&c->req, session, sizeof(session));
	c->cors = cors_origin(&c->req);
	web_stream_note(c);
	web_api_send(c, session, csrf, bearer(&c->req));
}

/*
 * /metrics: an allow-listed address (a Prometheus scraper on the LAN)
 * reads it at once; anyone else must be an admin, which the master
 * decides from the session cookie or API token (API_METRICS_ACCESS).
 */
static void
metrics(struct wconn *c)
{
	char session[SESSION_TOKEN_HEX + 1];

	if (ban_is_allowed(c->w->bans, c->addr)) {
		web_metrics(c);
		return;
	}
	session_cookie(&c->req, session, sizeof(session));
	c->api_metrics = 1;
	web_api_send_path(c, API_METRICS_ACCESS, session, "", bearer(&c->req));
}

#define M(x)	(1u << (x))
#define M_GET	(M(HTTP_GET) | M(HTTP_HEAD))

/*
 * The routing table: exact paths the web process answers itself, the
 * methods each allows, and who may see it at all (an unlisted address
 * gets 404, as if it did not exist; no route uses that today). The rest
 * of /api/v1/ is the master's (forward()), the rest of GET the
 * compiled-in assets.
 */
static const struct route {
	const char	*path;
	unsigned	 methods;
	int		 allow_list_only;
	void		(*handler)(struct wconn *);
} routes[] = {
	{ "/api/v1/health", M_GET, 0, health },
	{ "/metrics", M_GET, 0, metrics },
};

int
web_req_browser(const struct http_request *r)
{
	int i;

	for (i = 0; i < r->nheaders; i++)
		if (strncasecmp(r->headers[i].name, "sec-fetch-", 10) == 0 ||
		    strcasecmp(r->headers[i].name, "origin") == 0)
			return 1;
	return 0;
}

void
web_respond(struct wconn *c)
{
	struct http_request	*r = &c->req;
	const struct route	*rt;
	const char		*what;
	size_t			 i;

	c->cors = 0;
	if ((what = probe_scanner_path(r->path)) != NULL) {
		c->state = WC_FLUSH_CLOSE;
		web_error(c, 404, what, 1);
		wc_probe_scanner(c, what);
		return;
	}
	if (r->method == HTTP_OTHER) {
		web_error(c, 501, "method", 0);
		return;
	}
	for (i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		rt = &routes[i];
		if (strcmp(rt->path, r->path) != 0 || (rt->allow_list_only &&
		    !ban_is_allowed(c->w->bans, c->addr)))
			continue;
		if ((rt->methods & M(r->method)) == 0)
			web_error(c, 405, "method", 0);
		else
			rt->handler(c);
		return;
	}
	if (strncmp(r->path, API_PREFIX, strlen(API_PREFIX)) == 0) {
		if (r->method == HTTP_OPTIONS)
			web_error(c, 405, "method", 0);
		else
			forward(c);
		return;
	}
	if ((M_GET & M(r->method)) == 0 || serve_asset(c) == -1)
		web_error(c, (M_GET & M(r->method)) ? 404 : 405, "no route", 0);
}

/* An event stream's answer: no length, the body runs until either side
 * closes (docs/API.md). */
void
web_stream_head(struct wconn *c)
{
	static const char h[] = "HTTP/1.1 200 OK\r\n"
	    "Content-Type: text/event-stream\r\n"
	    "Cache-Control: no-store\r\nX-Accel-Buffering: no\r\n";
	const char *d = date_header();

	buf_append(&c->out, h, sizeof(h) - 1);
	buf_append(&c->out, d, strlen(d));
	buf_append(&c->out, head_end_close, head_end_close_len);
}
