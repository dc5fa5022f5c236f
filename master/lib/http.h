#ifndef HD_HTTP_H
#define HD_HTTP_H

/*
 * HTTP/1.1 request parsing for the master's own HTTPS server: strict,
 * bounded, in place. Strict because the server faces the internet:
 * anything a smuggling attack or a scanner relies on being tolerated
 * (bare LF, folded headers, two lengths, TE with CL, odd targets) is
 * refused with a 4xx/5xx status and a reason for the log.
 */

#include <stddef.h>
#include <stdint.h>

#include "hdlimits.h"

enum http_method {
	HTTP_GET, HTTP_HEAD, HTTP_POST, HTTP_PUT, HTTP_DELETE, HTTP_PATCH,
	HTTP_OPTIONS, HTTP_OTHER,
};

enum http_status {
	HTTP_OK = 0,		/* a complete head was parsed */
	HTTP_MORE,		/* need more bytes */
	HTTP_ERROR,		/* refused: see req->status / req->reason */
};

struct http_header {
	const char	*name;		/* as sent; compare case-insensitively */
	const char	*value;		/* leading/trailing blanks removed */
};

struct http_request {
	enum http_method	 method;
	const char		*method_str;
	const char		*target;	/* raw request-target */
	char			 path[HTTP_MAX_TARGET + 1];	/* decoded */
	const char		*query;		/* raw, after '?', or "" */
	int			 minor;		/* HTTP/1.<minor> */
	struct http_header	 headers[HTTP_MAX_HEADERS];
	int			 nheaders;
	const char		*host;
	int			 keepalive;
	int			 chunked;
	size_t			 content_length;
	size_t			 head_len;	/* bytes of the head, CRLFCRLF included */
	int			 status;	/* on HTTP_ERROR: 400, 413, 414, ... */
	const char		*reason;	/* on HTTP_ERROR: for the log */
};

/*
 * Parse the head at the start of buf[0..len). On HTTP_OK the request's
 * strings point into buf, which is modified (NUL-terminated) in place
 * and must outlive the request. HTTP_MORE: call again with more bytes.
 */
enum http_status http_parse_head(char *buf, size_t len, struct http_request *);
const char	*http_header(const struct http_request *, const char *name);
/* The value of one hex digit, or -1 (also for the URL decoding of the
 * API's query strings). */
int		 http_hexval(int);

/*
 * "Date: Thu, 26 Nov 2026 12:00:00 GMT\r\n" for `secs` since the epoch,
 * computed here rather than by gmtime_r()/strftime(), which may consult
 * time zone files and the locale (the web process has neither, and its
 * seccomp filter refuses the attempt). `size` >= HTTP_DATE_LEN + 1.
 */
#define HTTP_DATE_LEN	37
void		 http_date(char *out, size_t size, uint64_t secs);

/* Chunked transfer coding, decoded as bytes arrive. */
struct http_chunked {
	int	 state;
	size_t	 left;		/* bytes left in this chunk */
	size_t	 total;		/* decoded so far, at most HTTP_MAX_BODY */
	size_t	 linelen;
	int	 status;	/* on HTTP_ERROR */
	const char *reason;
};

void		 http_chunked_init(struct http_chunked *);
/*
 * Feed `len` bytes; decoded data is appended at out + *outlen (the caller
 * provides HTTP_MAX_BODY bytes). *used says how much input was taken:
 * bytes after the final chunk belong to the next request.
 */
enum http_status http_chunked_feed(struct http_chunked *, const uint8_t *in,
		    size_t len, size_t *used, uint8_t *out, size_t *outlen);

#endif
