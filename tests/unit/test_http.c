/* Unit tests for master/lib/http_parse.c and master/lib/http_chunked.c. */

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "../../master/lib/http.h"

/* Parse a copy of `text`; the copy stays alive in a static buffer. */
static enum http_status
parse(const char *text, struct http_request *r)
{
	static char buf[HTTP_MAX_HEAD * 2];
	size_t n = strlen(text);

	memcpy(buf, text, n + 1);
	return http_parse_head(buf, n, r);
}

static const struct {
	const char	*text;
	int		 status;	/* 0: parses */
	const char	*what;
} cases[] = {
	{ "GET / HTTP/1.1\r\nHost: a\r\n\r\n", 0, "minimal GET" },
	{ "GET /x?y=1 HTTP/1.0\r\n\r\n", 0, "HTTP/1.0 needs no Host" },
	{ "OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n", 0, "OPTIONS *" },
	{ "BREW / HTTP/1.1\r\nHost: a\r\n\r\n", 0, "unknown method parses" },
	{ "GET / HTTP/1.1\r\n\r\n", 400, "missing Host" },
	{ "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400, "two Hosts" },
	{ "GET / HTTP/1.1\nHost: a\r\n\r\n", 400, "bare LF" },
	{ "GET / HTTP/1.1\r\nHost: a\rX: y\r\n\r\n", 400, "bare CR" },
	{ "GET / HTTP/1.1\r\nHost: a\r\n folded\r\n\r\n", 400, "folding" },
	{ "GET / HTTP/1.1\r\nHost : a\r\n\r\n", 400, "space before colon" },
	{ "GET / HTTP/1.1\r\nHost: a\x01\r\n\r\n", 400, "control in value" },
	{ "GET / HTTP/2.0\r\nHost: a\r\n\r\n", 505, "HTTP/2.0" },
	{ "GET / HTTP/1.1 x\r\nHost: a\r\n\r\n", 400, "extra word" },
	{ "GET  / HTTP/1.1\r\nHost: a\r\n\r\n", 400, "double space" },
	{ "GET / FOO/1.1\r\nHost: a\r\n\r\n", 400, "bad version" },
	{ "G@T / HTTP/1.1\r\nHost: a\r\n\r\n", 400, "bad method char" },
	{ "GET http://a/ HTTP/1.1\r\nHost: a\r\n\r\n", 400, "absolute-form" },
	{ "GET /../etc/passwd HTTP/1.1\r\nHost: a\r\n\r\n", 400, "traversal" },
	{ "GET /a/%2e%2e/b HTTP/1.1\r\nHost: a\r\n\r\n", 400,
	    "encoded traversal" },
	{ "GET /a/./b HTTP/1.1\r\nHost: a\r\n\r\n", 400, "dot segment" },
	{ "GET /a%2fb HTTP/1.1\r\nHost: a\r\n\r\n", 400, "encoded slash" },
	{ "GET /a%00b HTTP/1.1\r\nHost: a\r\n\r\n", 400, "encoded NUL" },
	{ "GET /a\\b HTTP/1.1\r\nHost: a\r\n\r\n", 400, "backslash" },
	{ "GET /a% HTTP/1.1\r\nHost: a\r\n\r\n", 400, "cut escape" },
	{ "GET /a%zz HTTP/1.1\r\nHost: a\r\n\r\n", 400, "bad escape" },
	{ "GET /a#f HTTP/1.1\r\nHost: a\r\n\r\n", 400, "fragment" },
	{ "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n"
	    "Content-Length: 5\r\n\r\n", 400, "two Content-Lengths" },
	{ "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5, 5\r\n\r\n", 400,
	    "Content-Length list" },
	{ "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: +5\r\n\r\n", 400,
	    "signed Content-Length" },
	{ "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 65537\r\n\r\n", 413,
	    "body past HTTP_MAX_BODY" },
	{ "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999999999999"
	    "\r\n\r\n", 413, "huge Content-Length" },
	{ "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n"
	    "Content-Length: 5\r\n\r\n", 400, "TE with CL" },
	{ "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked"
	    "\r\n\r\n", 501, "other transfer coding" },
	{ "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n", 400, "two TEs" },
	{ "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", 400,
	    "TE in HTTP/1.0" },
	{ "\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n", 400, "leading CRLF" },
	{ "GET / HTTP/1.1\r\nHost: a:8443\r\n\r\n", 0, "Host with a port" },
	{ "GET / HTTP/1.1\r\nHost: [::1]:8443\r\n\r\n", 0,
	    "Host [IPv6] with a port" },
	{ "GET / HTTP/1.1\r\nHost: [::1]\r\n\r\n", 0, "Host [IPv6]" },
	{ "GET / HTTP/1.1\r\nHost: a:65535\r\n\r\n", 0, "Host port 65535" },
	{ "GET / HTTP/1.1\r\nHost: a:b\r\n\r\n", 400, "Host port a:b" },
	{ "GET / HTTP/1.1\r\nHost: x:80x\r\n\r\n", 400, "Host port x:80x" },
	{ "GET / HTTP/1.1\r\nHost: x:\r\n\r\n", 400, "Host port empty" },
	{ "GET / HTTP/1.1\r\nHost: x:8:8\r\n\r\n", 400, "Host two ports" },
	{ "GET / HTTP/1.1\r\nHost: x:-1\r\n\r\n", 400, "Host port -1" },
	{ "GET / HTTP/1.1\r\nHost: x:65536\r\n\r\n", 400,
	    "Host port 65536" },
	{ "GET / HTTP/1.1\r\nHost: x:000080\r\n\r\n", 400,
	    "Host port of 6 digits" },
	{ "GET / HTTP/1.1\r\nHost: [::1\r\n\r\n", 400, "Host [ unclosed" },
	{ "GET / HTTP/1.1\r\nHost: [::1]x\r\n\r\n", 400, "Host ]x" },
	{ "GET / HTTP/1.1\r\nHost: [::1]:\r\n\r\n", 400,
	    "Host [IPv6] empty port" },
};

static void
test_table(void)
{
	struct http_request	r;
	size_t			i;
	enum http_status	st;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		st = parse(cases[i].text, &r);
		if (cases[i].status == 0)
			CHECK(st == HTTP_OK, "%s parses", cases[i].what);
		else
			CHECK(st == HTTP_ERROR && r.status == cases[i].status &&
			    r.reason != NULL, "%s: %d (got %d: %s)",
			    cases[i].what, cases[i].status, r.status,
			    r.reason ? r.reason : "-");
	}
}

static void
test_fields(void)
{
	struct http_request r;

	CHECK(parse("POST /api/v1/x%20y?a=b HTTP/1.1\r\nHost: h.example\r\n"
	    "Content-Length: 12\r\nX-Empty:\r\nAccept:  text/html  \r\n\r\n"
	    "body...", &r) == HTTP_OK, "a full request parses");
	CHECK(r.method == HTTP_POST && strcmp(r.method_str, "POST") == 0,
	    "method");
	CHECK(strcmp(r.path, "/api/v1/x y") == 0, "path is percent-decoded");
	CHECK(strcmp(r.query, "a=b") == 0, "query kept raw");
	CHECK(strcmp(r.host, "h.example") == 0, "host");
	CHECK(r.content_length == 12 && !r.chunked, "content length");
	CHECK(r.keepalive && r.minor == 1, "1.1 keeps alive by default");
	CHECK(strcmp(http_header(&r, "accept"), "text/html") == 0,
	    "header lookup ignores case, value trimmed");
	CHECK(strcmp(http_header(&r, "X-Empty"), "") == 0, "empty value");
	CHECK(http_header(&r, "Missing") == NULL, "missing header");
	CHECK(r.head_len == strlen("POST /api/v1/x%20y?a=b HTTP/1.1\r\n"
	    "Host: h.example\r\nContent-Length: 12\r\nX-Empty:\r\n"
	    "Accept:  text/html  \r\n\r\n"), "head length stops at the body");
	CHECK(parse("GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
	    &r) == HTTP_OK && !r.keepalive, "Connection: close");
	CHECK(parse("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", &r) ==
	    HTTP_OK && r.keepalive, "1.0 keep-alive on request");
	CHECK(parse("GET / HTTP/1.0\r\n\r\n", &r) == HTTP_OK && !r.keepalive,
	    "1.0 closes by default");
	CHECK(parse("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: Chunked"
	    "\r\n\r\n", &r) == HTTP_OK && r.chunked, "chunked, any case");
}

static void
test_limits(void)
{
	struct http_request	 r;
	char			*big;
	size_t			 n;
	int			 i;

	CHECK(parse("GET / HTTP/1.1\r\nHost: a\r\n", &r) == HTTP_MORE,
	    "incomplete head wants more");
	CHECK(parse("GET / HTT", &r) == HTTP_MORE, "a few bytes want more");
	big = malloc(HTTP_MAX_HEAD * 2);
	if (big == NULL)
		return;
	memset(big, 'a', HTTP_MAX_HEAD);
	memcpy(big, "GET /", 5);
	big[HTTP_MAX_HEAD] = '\0';
	CHECK(http_parse_head(big, HTTP_MAX_HEAD, &r) == HTTP_ERROR &&
	    r.status == 431, "no end of head within HTTP_MAX_HEAD: 431");
	/* A target just over the limit, inside a head under the limit. */
	n = (size_t)snprintf(big, HTTP_MAX_HEAD * 2, "GET /%0*d HTTP/1.1\r\n"
	    "Host: a\r\n\r\n", HTTP_MAX_TARGET, 0);
	CHECK(http_parse_head(big, n, &r) == HTTP_ERROR && r.status == 414,
	    "request-target past HTTP_MAX_TARGET: 414");
	n = (size_t)snprintf(big, HTTP_MAX_HEAD, "GET / HTTP/1.1\r\nHost: a\r\n");
	for (i = 0; i < HTTP_MAX_HEADERS; i++)
		n += (size_t)snprintf(big + n, HTTP_MAX_HEAD * 2 - n,
		    "X%d: v\r\n", i);
	n += (size_t)snprintf(big + n, HTTP_MAX_HEAD * 2 - n, "\r\n");
	CHECK(http_parse_head(big, n, &r) == HTTP_ERROR && r.status == 431,
	    "more than HTTP_MAX_HEADERS fields: 431");
	n = (size_t)snprintf(big, HTTP_MAX_HEAD, "POST / HTTP/1.1\r\n"
	    "Host: a\r\nContent-Length: %d\r\n\r\n", HTTP_MAX_BODY);
	CHECK(http_parse_head(big, n, &r) == HTTP_OK &&
	    r.content_length == HTTP_MAX_BODY, "a body of HTTP_MAX_BODY");
	n = (size_t)snprintf(big, HTTP_MAX_HEAD, "POST / HTTP/1.1\r\n"
	    "Host: a\r\nContent-Length: %d\r\n\r\n", HTTP_MAX_BODY + 1);
	CHECK(http_parse_head(big, n, &r) == HTTP_ERROR && r.status == 413,
	    "a body of HTTP_MAX_BODY + 1: 413 from the head");
	CHECK(HTTP_MAX_BODY + WEB_API_FRAME_SLACK <= WIRE_MAX_FRAME,
	    "a body of HTTP_MAX_BODY leaves WEB_API_FRAME_SLACK in a frame");
	free(big);
}

/* Decode `in` fed in pieces of `step` bytes. */
static enum http_status
chunked(const char *in, size_t step, char *out, size_t *outlen, size_t *rest,
    struct http_chunked *c)
{
	static uint8_t	 body[HTTP_MAX_BODY];
	size_t		 n = strlen(in), off = 0, used, k;
	enum http_status st = HTTP_MORE;

	http_chunked_init(c);
	*outlen = 0;
	while (off < n && st == HTTP_MORE) {
		k = n - off < step ? n - off : step;
		st = http_chunked_feed(c, (const uint8_t *)in + off, k, &used,
		    body, outlen);
		off += used;
	}
	memcpy(out, body, *outlen);
	out[*outlen] = '\0';
	*rest = n - off;
	return st;
}

static void
test_chunked(void)
{
	struct http_chunked	c;
	char			out[HTTP_MAX_BODY + 1], *big;
	size_t			len, rest, step;
	const char		*ok = "5\r\nhello\r\n6;x=y\r\n world\r\n0\r\n"
				    "Trailer: t\r\n\r\nGET /next";

	for (step = 1; step <= 7; step += 3) {
		CHECK(chunked(ok, step, out, &len, &rest, &c) == HTTP_OK &&
		    strcmp(out, "hello world") == 0 && rest == 9,
		    "chunked body in %zu-byte pieces, trailer, rest kept", step);
	}
	CHECK(chunked("0\r\n\r\n", 1, out, &len, &rest, &c) == HTTP_OK &&
	    len == 0, "empty chunked body");
	CHECK(chunked("5\r\nhelloX\r\n0\r\n\r\n", 64, out, &len, &rest, &c) ==
	    HTTP_ERROR && c.status == 400, "data longer than its size");
	CHECK(chunked("-5\r\n", 64, out, &len, &rest, &c) == HTTP_ERROR,
	    "signed size");
	CHECK(chunked(" 5\r\n", 64, out, &len, &rest, &c) == HTTP_ERROR,
	    "blank before size");
	CHECK(chunked("5\nhello\r\n", 64, out, &len, &rest, &c) == HTTP_ERROR,
	    "bare LF after size");
	CHECK(chunked("10001\r\n", 64, out, &len, &rest, &c) == HTTP_ERROR &&
	    c.status == 413, "one chunk past HTTP_MAX_BODY: 413");
	CHECK(chunked("ffffffffffffffffffff\r\n", 64, out, &len, &rest, &c) ==
	    HTTP_ERROR && c.status == 413, "overflowing size: 413");
	CHECK(chunked("5;aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaa\r\n", 64, out, &len, &rest, &c) == HTTP_ERROR,
	    "extension past HTTP_MAX_CHUNK_LINE");
	/* Many small chunks adding up past the limit. */
	big = malloc(HTTP_MAX_BODY * 8);
	if (big != NULL) {
		size_t n = 0;
		while (n < HTTP_MAX_BODY * 7)
			n += (size_t)sprintf(big + n, "ff\r\n%0255d\r\n", 0);
		strcpy(big + n, "0\r\n\r\n");
		CHECK(chunked(big, 4096, out, &len, &rest, &c) == HTTP_ERROR &&
		    c.status == 413 && len <= HTTP_MAX_BODY,
		    "chunks adding up past HTTP_MAX_BODY: 413, output bounded");
		free(big);
	}
}

/* http_date() against the C library's gmtime_r() + strftime(). */
static void
test_date(void)
{
	static const uint64_t fixed[] = { 0, 86399, 951782400, 1795000000,
	    4102444800ULL, 253402300799ULL };
	char		ours[HTTP_DATE_LEN + 1], libc[64];
	uint64_t	t;
	time_t		tt;
	struct tm	tm;
	size_t		i;
	int		bad = 0, n = 0;

	for (i = 0; i < sizeof(fixed) / sizeof(fixed[0]) + 200000; i++) {
		t = i < sizeof(fixed) / sizeof(fixed[0]) ? fixed[i] :
		    (uint64_t)i * 68023 + (i * i) % 86400;	/* 1970..2400 */
		tt = (time_t)t;
		/* A 32-bit time_t (armhf, make test-cross) ends in 2038:
		 * the far dates are checked against literals below. */
		if ((uint64_t)tt != t)
			continue;
		gmtime_r(&tt, &tm);
		strftime(libc, sizeof(libc), "Date: %a, %d %b %Y %H:%M:%S GMT\r\n",
		    &tm);
		http_date(ours, sizeof(ours), t);
		if (strcmp(ours, libc) != 0 && bad++ == 0)
			printf("# %llu: %s vs %s", (unsigned long long)t, ours,
			    libc);
		n++;
	}
	CHECK(bad == 0 && n > 30000, "http_date agrees with gmtime_r+"
	    "strftime on %d times from 1970 to %s", n,
	    sizeof(time_t) > 4 ? "9999" : "2038");
	http_date(ours, sizeof(ours), 4102444800ULL);
	CHECK(strcmp(ours, "Date: Fri, 01 Jan 2100 00:00:00 GMT\r\n") == 0,
	    "http_date of 2100-01-01, past a 32-bit time_t");
	http_date(ours, sizeof(ours), 253402300799ULL);
	CHECK(strcmp(ours, "Date: Fri, 31 Dec 9999 23:59:59 GMT\r\n") == 0,
	    "http_date of the last second of 9999");
	CHECK(strlen(ours) == HTTP_DATE_LEN, "HTTP_DATE_LEN is its length");
}

int
main(void)
{
	test_date();
	test_table();
	test_fields();
	test_limits();
	test_chunked();
	return check_done();
}
