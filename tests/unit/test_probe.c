/* Unit tests for master/lib/probe_class.c. */

#include <string.h>

#include "check.h"
#include "../../master/lib/probe.h"
#include "hdlimits.h"

static enum probe_class
cls(const char *bytes, size_t n, const char **d)
{
	return probe_classify((const uint8_t *)bytes, n, d);
}

int
main(void)
{
	const char	*d;
	char		 q[256];
	uint8_t		 bin[100];
	size_t		 i;

	CHECK(cls("\x16\x03\x01\x02\x00\x01", 6, &d) == PROBE_NONE,
	    "a TLS ClientHello record is not a probe");
	CHECK(cls("\x16", 1, &d) == PROBE_NONE, "one byte of TLS: wait");
	CHECK(cls("GET / HTTP/1.1\r\n", 16, &d) == PROBE_PLAIN_HTTP,
	    "plain HTTP GET");
	CHECK(cls("POST /x", 7, &d) == PROBE_PLAIN_HTTP, "plain HTTP POST");
	CHECK(cls("PRI * HTTP/2.0\r\n", 16, &d) == PROBE_PLAIN_HTTP &&
	    strcmp(d, "HTTP/2 preface") == 0, "cleartext HTTP/2 preface");
	CHECK(cls("\xff\xfb\x01", 3, &d) == PROBE_NOT_TLS &&
	    strcmp(d, "telnet negotiation") == 0, "telnet IAC WILL");
	CHECK(cls("\x03\x00\x00\x13\x0e\xe0", 6, &d) == PROBE_NOT_TLS &&
	    strcmp(d, "RDP/TPKT") == 0, "RDP connection request");
	CHECK(cls("\x80\x2e\x01\x00\x02", 5, &d) == PROBE_SSLV2,
	    "SSLv2 client hello");
	CHECK(cls("SSH-2.0-OpenSSH\r\n", 17, &d) == PROBE_NOT_TLS &&
	    strcmp(d, "text") == 0, "other text");
	CHECK(cls("\x00\x01\x02\xfe", 4, &d) == PROBE_NOT_TLS &&
	    strcmp(d, "binary") == 0, "binary garbage");
	CHECK(cls("", 0, &d) == PROBE_SILENT, "nothing: silent");
	for (i = 0; i < PROBE_NCLASSES; i++)
		CHECK(strcmp(probe_class_name((enum probe_class)i), "unknown") != 0,
		    "class %zu has a name (%s)", i,
		    probe_class_name((enum probe_class)i));
	CHECK(strcmp(probe_class_name(PROBE_NCLASSES), "unknown") == 0,
	    "out of range class");

	CHECK(probe_scanner_path("/.env") != NULL, "/.env is a scanner path");
	CHECK(probe_scanner_path("/wp-login.php") != NULL, "WordPress login");
	CHECK(probe_scanner_path("/cgi-bin/luci") != NULL, "cgi-bin");
	CHECK(probe_scanner_path("/index.php?x") != NULL, "any .php");
	CHECK(probe_scanner_path("/") == NULL, "/ is not");
	CHECK(probe_scanner_path("/api/v1/health") == NULL, "our API is not");
	CHECK(probe_scanner_path("/.ENV") != NULL &&
	    probe_scanner_path("/hnap1") != NULL &&
	    probe_scanner_path("/+cscoe+/logon.html") != NULL &&
	    probe_scanner_path("/SERVER-STATUS") != NULL &&
	    probe_scanner_path("/Config.json") != NULL,
	    "prefixes match in any case, whatever their second character");
	CHECK(probe_scanner_path("/s") == NULL &&
	    probe_scanner_path("/sh") == NULL &&
	    probe_scanner_path("/style.css") == NULL &&
	    probe_scanner_path("") == NULL && probe_scanner_path("*") == NULL,
	    "a shared second character alone is no match");

#define B(s)	probe_browser_head(s, strlen(s))
	CHECK(B("GET /x.php HTTP/1.1\r\nHost: h\r\nSec-Fetch-Mode: no-cors\r\n"
	    "\r\n"), "Sec-Fetch-Mode: a browser's");
	CHECK(B("GET /x HTTP/1.1\r\nhost: h\r\nsec-fetch-site: cross-site\r\n"),
	    "a head cut short, any case");
	CHECK(B("POST /a%2Fb HTTP/1.1\r\nOrigin: https://evil.example\r\n\r\n"),
	    "Origin: a browser's");
	CHECK(!B("GET /x.php HTTP/1.1\r\nHost: h\r\nUser-Agent: Mozilla/5.0\r\n"
	    "\r\n"), "no signature: a scanner's");
	CHECK(!B("GET /Origin: HTTP/1.1\r\nX-Sec-Fetch-Mode: a\r\n"
	    "Originality: b\r\n\r\n"), "not in the request line, not a "
	    "name that only contains or begins with it");
	CHECK(!B("GET / HTTP/1.1\r\nHost: h\r\n\r\nOrigin: x\r\n"),
	    "not past the end of the head");
	CHECK(!B("") && !B("GET / HTTP/1.1") && !B("\n\n"), "empty, one line");
#undef B
	probe_quote(q, sizeof(q), (const uint8_t *)"GET /\r\n", 7);
	CHECK(strcmp(q, "GET /\\x0d\\x0a") == 0, "quote escapes CR LF (%s)", q);
	probe_quote(q, sizeof(q), (const uint8_t *)"a\"b\\c", 5);
	CHECK(strcmp(q, "a\\x22b\\x5cc") == 0, "quote escapes quote and "
	    "backslash (%s)", q);
	memset(bin, 'x', sizeof(bin));
	probe_quote(q, sizeof(q), bin, sizeof(bin));
	CHECK(strlen(q) == PROBE_SHOW_BYTES + 3 &&
	    strcmp(q + PROBE_SHOW_BYTES, "...") == 0,
	    "quote cuts at PROBE_SHOW_BYTES with ...");
	memset(bin, 0xff, sizeof(bin));
	probe_quote(q, 20, bin, sizeof(bin));
	CHECK(strlen(q) < 20, "quote never passes its buffer (%zu)", strlen(q));
	return check_done();
}
