/*
 * libFuzzer harness for the HTTPS engine's parsers: the request head
 * parser, the chunked body decoder behind it, and the probe classifier
 * that sees a connection's first bytes, and the browser-signature check
 * on a raw head.
 */

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "hdlimits.h"
#include "lib/http.h"
#include "lib/probe.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static char	head[HTTP_MAX_HEAD * 2];
static uint8_t	body[HTTP_MAX_BODY];

static void
body_chunked(const uint8_t *p, size_t n)
{
	struct http_chunked	c;
	size_t			used, outlen = 0, off = 0, step;

	http_chunked_init(&c);
	while (off < n) {
		step = 1 + (p[off] % 13);
		if (step > n - off)
			step = n - off;
		if (http_chunked_feed(&c, p + off, step, &used, body,
		    &outlen) != HTTP_MORE)
			break;
		off += used;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct http_request	r;
	const char		*d;
	char			q[PROBE_SHOW_BYTES * 4 + 8];
	size_t			n = size < sizeof(head) - 1 ? size :
				    sizeof(head) - 1;

	if (size > 0) {
		probe_classify(data, size, &d);
		probe_quote(q, sizeof(q), data, size);
	}
	probe_browser_head((const char *)data, size);
	memcpy(head, data, n);
	head[n] = '\0';
	if (http_parse_head(head, n, &r) != HTTP_OK)
		return 0;
	probe_scanner_path(r.path);
	if (r.chunked)
		body_chunked(data + r.head_len, size - r.head_len);
	return 0;
}
