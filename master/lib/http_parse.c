/*
 * Strict HTTP/1.1 request heads (RFC 9110/9112), parsed in place.
 * Every refusal names its status and reason; nothing is allocated.
 */

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "lib/http.h"

static const struct {
	const char		*name;
	enum http_method	 m;
} methods[] = {
	{ "GET", HTTP_GET }, { "HEAD", HTTP_HEAD }, { "POST", HTTP_POST },
	{ "PUT", HTTP_PUT }, { "DELETE", HTTP_DELETE },
	{ "PATCH", HTTP_PATCH }, { "OPTIONS", HTTP_OPTIONS },
};

static int
fail(struct http_request *r, int status, const char *reason)
{
	r->status = status;
	r->reason = reason;
	return -1;
}

/* RFC 9110 tchar. */
static int
is_tchar(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || (c != '\0' &&
	    strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

/* Field value bytes: visible, blank, or obs-text; never a control. */
static int
is_vchar(int c)
{
	return c == ' ' || c == '\t' || (c > 0x20 && c != 0x7f);
}

/* Find the end of the head: CRLFCRLF within HTTP_MAX_HEAD bytes. */
static size_t
head_end(const char *buf, size_t len)
{
	size_t i, n = len < HTTP_MAX_HEAD ? len : HTTP_MAX_HEAD;

	for (i = 3; i < n; i++)
		if (buf[i] == '\n' && buf[i - 1] == '\r' &&
		    buf[i - 2] == '\n' && buf[i - 3] == '\r')
			return i + 1;
	return 0;
}

int
http_hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Percent-decode the path and refuse what could reach outside the
 * document tree or confuse a later component: dot segments, encoded
 * slashes, backslashes, NUL and control bytes.
 */
static int
decode_path(struct http_request *r, const char *p, size_t n)
{
	size_t	 i, o = 0;
	int	 hi, lo, c;
	char	*seg;

	for (i = 0; i < n; i++) {
		c = (unsigned char)p[i];
		if (c == '%') {
			if (i + 2 >= n)
				return fail(r, 400, "bad percent escape");
			if ((hi = http_hexval(p[i + 1])) < 0 ||
			    (lo = http_hexval(p[i + 2])) < 0)
				return fail(r, 400, "bad percent escape");
			c = hi << 4 | lo;
			i += 2;
			if (c == '/')
				return fail(r, 400, "encoded slash in path");
		}
		if (c < 0x20 || c == 0x7f || c == '\\')
			return fail(r, 400, "control byte or backslash in path");
		r->path[o++] = (char)c;
	}
	r->path[o] = '\0';
	for (seg = r->path; seg != NULL; seg = strchr(seg + 1, '/'))
		if (strncmp(seg, "/..", 3) == 0 && (seg[3] == '/' ||
		    seg[3] == '\0'))
			return fail(r, 400, "path traversal");
		else if (strncmp(seg, "/.", 2) == 0 && (seg[2] == '/' ||
		    seg[2] == '\0'))
			return fail(r, 400, "dot segment in path");
	return 0;
}

static int
parse_target(struct http_request *r, char *t)
{
	char	*q;
	size_t	 n;

	r->target = t;
	if (strlen(t) > HTTP_MAX_TARGET)
		return fail(r, 414, "request-target too long");
	if (strcmp(t, "*") == 0 && r->method == HTTP_OPTIONS) {
		strcpy(r->path, "*");
		r->query = "";
		return 0;
	}
	if (t[0] != '/')
		return fail(r, 400, "request-target is not a path");
	q = strchr(t, '?');
	n = q != NULL ? (size_t)(q - t) : strlen(t);
	r->query = q != NULL ? q + 1 : "";
	if (strchr(r->query, '#') != NULL || memchr(t, '#', n) != NULL)
		return fail(r, 400, "fragment in request-target");
	return decode_path(r, t, n);
}

/* "METHOD SP target SP HTTP/1.x" */
static int
parse_request_line(struct http_request *r, char *line)
{
	char	*sp1, *sp2, *v;
	size_t	 i;

	if ((sp1 = strchr(line, ' ')) == NULL ||
	    (sp2 = strchr(sp1 + 1, ' ')) == NULL || strchr(sp2 + 1, ' '))
		return fail(r, 400, "malformed request line");
	*sp1 = *sp2 = '\0';
	r->method_str = line;
	if (line[0] == '\0' || strlen(line) > HTTP_MAX_METHOD)
		return fail(r, 400, "bad method");
	for (i = 0; line[i] != '\0'; i++)
		if (!is_tchar((unsigned char)line[i]))
			return fail(r, 400, "bad method");
	r->method = HTTP_OTHER;
	for (i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
		if (strcmp(line, methods[i].name) == 0)
			r->method = methods[i].m;
	v = sp2 + 1;
	if (strncmp(v, "HTTP/", 5) != 0 || strlen(v) != 8 || v[6] != '.' ||
	    v[5] < '0' || v[5] > '9' || v[7] < '0' || v[7] > '9')
		return fail(r, 400, "malformed HTTP version");
	if (v[5] != '1')
		return fail(r, 505, "HTTP version not supported");
	r->minor = v[7] - '0';
	if (r->minor > 1)
		r->minor = 1;		/* 1.x > 1.1 is answered as 1.1 */
	return parse_target(r, sp1 + 1);
}

static int
parse_header(struct http_request *r, char *line)
{
	struct http_header	*h;
	char			*colon, *v, *end;
	size_t			 i;

	if (line[0] == ' ' || line[0] == '\t')
		return fail(r, 400, "obsolete header line folding");
	if ((colon = strchr(line, ':')) == NULL || colon == line)
		return fail(r, 400, "malformed header line");
	for (i = 0; line + i < colon; i++)
		if (!is_tchar((unsigned char)line[i]))
			return fail(r, 400, "bad header name");
	if (r->nheaders == HTTP_MAX_HEADERS)
		return fail(r, 431, "too many header fields");
	*colon = '\0';
	for (v = colon + 1; *v == ' ' || *v == '\t'; v++)
		;
	for (end = v + strlen(v); end > v && (end[-1] == ' ' ||
	    end[-1] == '\t'); end--)
		;
	*end = '\0';
	for (i = 0; v[i] != '\0'; i++)
		if (!is_vchar((unsigned char)v[i]))
			return fail(r, 400, "control byte in header value");
	h = &r->headers[r->nheaders++];
	h->name = line;
	h->value = v;
	return 0;
}

const char *
http_header(const struct http_request *r, const char *name)
{
	int i;

	for (i = 0; i < r->nheaders; i++)
		if (strcasecmp(r->headers[i].name, name) == 0)
			return r->headers[i].value;
	return NULL;
}

static int
count_header(const struct http_request *r, const char *name)
{
	int i, n = 0;

	for (i = 0; i < r->nheaders; i++)
		if (strcasecmp(r->headers[i].name, name) == 0)
			n++;
	return n;
}

/* One Content-Length of plain digits, at most HTTP_MAX_BODY. */
static int
parse_length(struct http_request *r, const char *v)
{
	size_t n = 0;

	if (*v == '\0')
		return fail(r, 400, "empty Content-Length");
	for (; *v != '\0'; v++) {
		if (*v < '0' || *v > '9')
			return fail(r, 400, "bad Content-Length");
		n = n * 10 + (size_t)(*v - '0');
		if (n > HTTP_MAX_BODY)
			return fail(r, 413, "body larger than HTTP_MAX_BODY");
	}
	r->content_length = n;
	return 0;
}

/* Message framing: the smuggling-shaped combinations are refused. */
static int
check_framing(struct http_request *r)
{
	const char *te = http_header(r, "Transfer-Encoding");
	const char *cl = http_header(r, "Content-Length");

	if (count_header(r, "Content-Length") > 1 ||
	    count_header(r, "Transfer-Encoding") > 1)
		return fail(r, 400, "repeated message length header");
	if (te != NULL && cl != NULL)
		return fail(r, 400, "both Transfer-Encoding and Content-Length");
	if (te != NULL) {
		if (r->minor == 0)
			return fail(r, 400, "Transfer-Encoding in HTTP/1.0");
		if (strcasecmp(te, "chunked") != 0)
			return fail(r, 501, "transfer coding not supported");
		r->chunked = 1;
	}
	return cl != NULL ? parse_length(r, cl) : 0;
}

/*
 * Host: a name or an [IPv6 literal], then perhaps ":" and a port of 1 to
 * HTTP_MAX_PORT_DIGITS digits (RFC 9110 7.2, RFC 3986 3.2.3). The name
 * itself is not judged here: same_origin() compares it whole.
 */
static int
check_host(struct http_request *r, const char *h)
{
	const char	*p;
	unsigned long	 port = 0;

	if (*h == '[') {
		if ((p = strchr(h, ']')) == NULL)
			return fail(r, 400, "Host: unclosed [");
		p++;
		if (*p == '\0')
			return 0;
		if (*p != ':')
			return fail(r, 400, "Host: bytes after ]");
	} else if ((p = strchr(h, ':')) == NULL)
		return 0;
	if (strlen(++p) < 1 || strlen(p) > HTTP_MAX_PORT_DIGITS)
		return fail(r, 400, "Host: port empty or too long");
	for (; *p != '\0'; p++) {
		if (*p < '0' || *p > '9')
			return fail(r, 400, "Host: port not digits");
		port = port * 10 + (unsigned long)(*p - '0');
	}
	return port > 65535 ? fail(r, 400, "Host: port past 65535") : 0;
}

static int
check_semantics(struct http_request *r)
{
	const char *conn;

	if (count_header(r, "Host") > 1)
		return fail(r, 400, "repeated Host header");
	r->host = http_header(r, "Host");
	if (r->minor == 1 && r->host == NULL)
		return fail(r, 400, "missing Host header");
	if (r->host != NULL && check_host(r, r->host) == -1)
		return -1;
	if (check_framing(r) == -1)
		return -1;
	conn = http_header(r, "Connection");
	r->keepalive = r->minor == 1;
	if (conn != NULL && strcasecmp(conn, "close") == 0)
		r->keepalive = 0;
	else if (conn != NULL && strcasecmp(conn, "keep-alive") == 0)
		r->keepalive = 1;
	return 0;
}

/* Split at CRLF; a CR or LF anywhere else is refused. */
static char *
next_line(char **p, char *end)
{
	char *line = *p, *q;

	for (q = line; q + 1 < end; q++) {
		if (q[0] == '\r' && q[1] == '\n') {
			*q = '\0';
			*p = q + 2;
			return line;
		}
		if (q[0] == '\r' || q[0] == '\n' || q[0] == '\0')
			return NULL;
	}
	return NULL;
}

enum http_status
http_parse_head(char *buf, size_t len, struct http_request *r)
{
	char	*p = buf, *end, *line;
	size_t	 hl;

	memset(r, 0, sizeof(*r));
	if ((hl = head_end(buf, len)) == 0) {
		if (len < HTTP_MAX_HEAD)
			return HTTP_MORE;
		fail(r, 431, "request head larger than HTTP_MAX_HEAD");
		return HTTP_ERROR;
	}
	end = buf + hl;
	r->head_len = hl;
	if ((line = next_line(&p, end)) == NULL ||
	    parse_request_line(r, line) == -1)
		goto bad;
	while (p + 2 < end) {
		if ((line = next_line(&p, end)) == NULL ||
		    parse_header(r, line) == -1)
			goto bad;
	}
	if (check_semantics(r) == -1)
		return HTTP_ERROR;
	return HTTP_OK;
bad:
	if (r->status == 0)
		fail(r, 400, "bare CR, LF or NUL in the request head");
	return HTTP_ERROR;
}

/* Days since 1970-01-01 to a civil date (H. Hinnant's days_from_civil
 * inverse, proleptic Gregorian, valid far past any clock we will see). */
static void
civil(uint64_t days, unsigned *y, unsigned *m, unsigned *d)
{
	uint64_t	z = days + 719468, era = z / 146097;
	uint64_t	doe = z - era * 146097;
	uint64_t	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	uint64_t	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	uint64_t	mp = (5 * doy + 2) / 153;

	*d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
	*m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
	*y = (unsigned)(yoe + era * 400 + (*m <= 2));
}

void
http_date(char *out, size_t size, uint64_t secs)
{
	static const char	days[] = "ThuFriSatSunMonTueWed";	/* 1970-01-01 */
	static const char	months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	uint64_t		day = secs / 86400, s = secs % 86400;
	unsigned		y, m, d;

	civil(day, &y, &m, &d);
	snprintf(out, size, "Date: %.3s, %02u %.3s %04u %02u:%02u:%02u GMT\r\n",
	    days + day % 7 * 3, d, months + (m - 1) * 3, y,
	    (unsigned)(s / 3600), (unsigned)(s / 60 % 60), (unsigned)(s % 60));
}
