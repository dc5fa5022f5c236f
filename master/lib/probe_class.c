/*
 * Classifying probes from their first bytes or their request path. Kept
 * free of I/O so that it is unit-tested and fuzzed on its own.
 */

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "hdlimits.h"
#include "lib/probe.h"

static const char *class_names[PROBE_NCLASSES] = {
	"none", "plain-http", "not-tls", "sslv2", "silent", "bad-tls",
	"bad-request", "scanner",
};

/* Paths scanners try on every host: the part that matters, and why. */
static const struct {
	const char	*prefix;
	const char	*what;
} scanner_paths[] = {
	{ "/.env", "dotenv secrets" },
	{ "/.git/", "git metadata" },
	{ "/.aws/", "cloud credentials" },
	{ "/.ssh/", "ssh keys" },
	{ "/wp-login.php", "WordPress" },
	{ "/wp-admin", "WordPress" },
	{ "/xmlrpc.php", "WordPress" },
	{ "/phpmyadmin", "phpMyAdmin" },
	{ "/pma/", "phpMyAdmin" },
	{ "/vendor/phpunit", "PHPUnit RCE" },
	{ "/cgi-bin/", "CGI" },
	{ "/boaform", "Boa router" },
	{ "/HNAP1", "D-Link HNAP" },
	{ "/GponForm", "GPON router" },
	{ "/actuator", "Spring actuator" },
	{ "/solr/", "Solr" },
	{ "/manager/html", "Tomcat manager" },
	{ "/owa/", "Exchange" },
	{ "/ecp/", "Exchange" },
	{ "/autodiscover", "Exchange" },
	{ "/remote/login", "Fortinet" },
	{ "/+CSCOE+", "Cisco ASA" },
	{ "/shell", "web shell" },
	{ "/setup.cgi", "Netgear" },
	{ "/console", "admin console" },
	{ "/server-status", "Apache status" },
	{ "/config.json", "config file" },
};

static const char *http_methods[] = {
	"GET ", "POST ", "HEAD ", "PUT ", "DELETE ", "OPTIONS ", "CONNECT ",
	"PATCH ", "TRACE ", "PRI * HTTP/2",
};

const char *
probe_class_name(enum probe_class c)
{
	return (unsigned)c < PROBE_NCLASSES ? class_names[c] : "unknown";
}

static int
is_text(const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((p[i] < 0x20 && p[i] != '\r' && p[i] != '\n' &&
		    p[i] != '\t') || p[i] >= 0x7f)
			return 0;
	return 1;
}

enum probe_class
probe_classify(const uint8_t *p, size_t n, const char **detail)
{
	size_t i, l;

	*detail = "";
	if (n == 0)
		return PROBE_SILENT;
	/* TLS handshake record, SSL 3.0 .. TLS 1.3 record versions. */
	if (p[0] == 0x16 && (n < 2 || p[1] == 0x03))
		return PROBE_NONE;
	for (i = 0; i < sizeof(http_methods) / sizeof(http_methods[0]); i++) {
		l = strlen(http_methods[i]);
		if (n >= l ? memcmp(p, http_methods[i], l) == 0 :
		    memcmp(p, http_methods[i], n) == 0 && n >= 3) {
			*detail = i == 9 ? "HTTP/2 preface" : "HTTP request";
			return PROBE_PLAIN_HTTP;
		}
	}
	if (p[0] == 0xff && n >= 2 && p[1] >= 0xfb && p[1] <= 0xfe) {
		*detail = "telnet negotiation";
		return PROBE_NOT_TLS;
	}
	/* SSLv2 record: 2-byte length with the top bit set, CLIENT-HELLO. */
	if ((p[0] & 0x80) && n >= 3 && p[2] == 0x01 &&
	    (n < 4 || p[3] == 0x00 || p[3] == 0x03)) {
		*detail = "SSLv2 client hello";
		return PROBE_SSLV2;
	}
	if (p[0] == 0x03 && n >= 2 && p[1] == 0x00) {
		*detail = "RDP/TPKT";
		return PROBE_NOT_TLS;
	}
	*detail = is_text(p, n) ? "text" : "binary";
	return PROBE_NOT_TLS;
}

const char *
probe_scanner_path(const char *path)
{
	size_t	i;
	int	c = tolower((unsigned char)path[0] == '/' ? path[1] : 0);

	/* Every request comes here: compare only the prefixes whose second
	 * character matches (all begin with '/'), not all of them. */
	for (i = 0; c != 0 &&
	    i < sizeof(scanner_paths) / sizeof(scanner_paths[0]); i++)
		if (tolower((unsigned char)scanner_paths[i].prefix[1]) == c &&
		    strncasecmp(path, scanner_paths[i].prefix,
		    strlen(scanner_paths[i].prefix)) == 0)
			return scanner_paths[i].what;
	if (strstr(path, ".php") != NULL)
		return "PHP";
	return NULL;
}

/* Does the header line at p (up to end) begin with `name` (a field
 * name and its ':', or the prefix of a family of them), in any case? */
static int
field_is(const char *p, const char *end, const char *name)
{
	size_t l = strlen(name);

	return (size_t)(end - p) >= l && strncasecmp(p, name, l) == 0;
}

int
probe_browser_head(const char *head, size_t n)
{
	const char	*p, *end = head + n, *nl;

	/* The request line is not a header: skip it. */
	if ((p = memchr(head, '\n', n)) == NULL)
		return 0;
	for (p++; p < end && *p != '\r' && *p != '\n'; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (field_is(p, nl != NULL ? nl : end, "sec-fetch-") ||
		    field_is(p, nl != NULL ? nl : end, "origin:"))
			return 1;
		if (nl == NULL)
			break;
	}
	return 0;
}

const char *
probe_quote(char *dst, size_t dstlen, const uint8_t *p, size_t n)
{
	size_t	i, o = 0, lim = n < PROBE_SHOW_BYTES ? n : PROBE_SHOW_BYTES;
	char	esc[5];

	if (dstlen == 0)
		return dst;
	for (i = 0; i < lim; i++) {
		if (p[i] >= 0x20 && p[i] < 0x7f && p[i] != '\\' && p[i] != '"') {
			esc[0] = (char)p[i];
			esc[1] = '\0';
		} else
			snprintf(esc, sizeof(esc), "\\x%02x", p[i]);
		if (o + strlen(esc) + 4 > dstlen)
			break;
		memcpy(dst + o, esc, strlen(esc));
		o += strlen(esc);
	}
	if ((i < n) && o + 4 <= dstlen) {
		memcpy(dst + o, "...", 3);
		o += 3;
	}
	dst[o] = '\0';
	return dst;
}
