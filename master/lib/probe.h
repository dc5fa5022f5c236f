#ifndef HD_PROBE_H
#define HD_PROBE_H

/*
 * Naming what hits the HTTPS port before a valid request: the classes a
 * probe log line, the counters and the ban score are keyed on.
 */

#include <stddef.h>
#include <stdint.h>

enum probe_class {
	PROBE_NONE = 0,		/* looks like a TLS ClientHello: go on */
	PROBE_PLAIN_HTTP,	/* cleartext HTTP on the TLS port */
	PROBE_NOT_TLS,		/* telnet, RDP, other text or binary */
	PROBE_SSLV2,		/* an SSLv2-format hello */
	PROBE_SILENT,		/* nothing within the handshake timeout */
	PROBE_BAD_TLS,		/* TLS that failed: version, ciphers, records */
	PROBE_BAD_REQUEST,	/* malformed HTTP after the handshake */
	PROBE_SCANNER,		/* a well-known vulnerability-scanner path */
	PROBE_NCLASSES
};

const char	*probe_class_name(enum probe_class);
/*
 * Classify the first bytes of a connection (n >= 1). `detail` gets a
 * short static description ("telnet", "rdp", "GET") or "".
 */
enum probe_class probe_classify(const uint8_t *, size_t n,
		    const char **detail);
/* Is this decoded path one scanners try? Returns what it targets. */
const char	*probe_scanner_path(const char *path);
/*
 * Does this request head (raw bytes, complete or cut short, n >= 0)
 * carry a browser's signature: a header line named Sec-Fetch-* or
 * Origin? A page can make its visitor's browser send any path, and such
 * a request is counted but never scored (docs/SECURITY.md). Bytes past
 * the first empty line are not looked at.
 */
int		 probe_browser_head(const char *head, size_t n);
/* Quote bytes for a log line: printable as is, others \xNN, at most
 * PROBE_SHOW_BYTES of input, "..." when cut. Always NUL-terminates. */
const char	*probe_quote(char *dst, size_t dstlen, const uint8_t *, size_t);

#endif
