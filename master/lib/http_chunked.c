/*
 * Chunked transfer coding (RFC 9112 7.1), decoded byte by byte as it
 * arrives. Sizes are hex without sign or blanks, extensions are skipped
 * within HTTP_MAX_CHUNK_LINE, trailers are allowed but bounded, and the
 * decoded total never passes HTTP_MAX_BODY.
 */

#include <string.h>

#include "lib/http.h"

enum {
	CK_SIZE,		/* hex digits */
	CK_EXT,			/* ";ext" up to CR */
	CK_SIZE_LF,
	CK_DATA,
	CK_DATA_CR,
	CK_DATA_LF,
	CK_TRAILER,		/* start of a trailer line or the final CRLF */
	CK_TRAILER_LINE,
	CK_TRAILER_LF,
	CK_END_LF,
	CK_DONE,
};

void
http_chunked_init(struct http_chunked *c)
{
	c->state = CK_SIZE;
	c->left = c->total = c->linelen = 0;
	c->status = 0;
	c->reason = NULL;
}

static enum http_status
ck_fail(struct http_chunked *c, int status, const char *reason)
{
	c->status = status;
	c->reason = reason;
	return HTTP_ERROR;
}

/* One byte of the framing (everything but chunk data). */
static enum http_status
ck_byte(struct http_chunked *c, int ch)
{
	int d;

	if (++c->linelen > HTTP_MAX_CHUNK_LINE)
		return ck_fail(c, 400, "chunk line too long");
	switch (c->state) {
	case CK_SIZE:
		if ((d = http_hexval(ch)) >= 0) {
			if (c->left > (HTTP_MAX_BODY - c->total) / 16 + 1)
				return ck_fail(c, 413, "chunked body larger "
				    "than HTTP_MAX_BODY");
			c->left = c->left * 16 + (size_t)d;
			return HTTP_MORE;
		}
		if (c->linelen == 1)
			return ck_fail(c, 400, "bad chunk size");
		if (c->left > HTTP_MAX_BODY - c->total)
			return ck_fail(c, 413, "chunked body larger than "
			    "HTTP_MAX_BODY");
		if (ch == ';') {
			c->state = CK_EXT;
			return HTTP_MORE;
		}
		/* FALLTHROUGH */
	case CK_EXT:
		if (ch == '\r') {
			c->state = CK_SIZE_LF;
			return HTTP_MORE;
		}
		if (c->state == CK_EXT && ch != '\n' && ch != '\0')
			return HTTP_MORE;
		return ck_fail(c, 400, "bad chunk size line");
	case CK_SIZE_LF:
		if (ch != '\n')
			return ck_fail(c, 400, "bare CR in chunk size line");
		c->linelen = 0;
		c->state = c->left > 0 ? CK_DATA : CK_TRAILER;
		return HTTP_MORE;
	case CK_DATA_CR:
		if (ch != '\r')
			return ck_fail(c, 400, "chunk data longer than its size");
		c->state = CK_DATA_LF;
		return HTTP_MORE;
	case CK_DATA_LF:
		if (ch != '\n')
			return ck_fail(c, 400, "bare CR after chunk data");
		c->linelen = 0;
		c->state = CK_SIZE;
		return HTTP_MORE;
	case CK_TRAILER:
		if (++c->total > HTTP_MAX_BODY)
			return ck_fail(c, 413, "trailers past HTTP_MAX_BODY");
		if (ch == '\r') {
			c->state = CK_END_LF;
			return HTTP_MORE;
		}
		c->state = CK_TRAILER_LINE;
		/* FALLTHROUGH */
	case CK_TRAILER_LINE:
		if (c->state == CK_TRAILER_LINE && ++c->total > HTTP_MAX_BODY)
			return ck_fail(c, 413, "trailers past HTTP_MAX_BODY");
		if (ch == '\r')
			c->state = CK_TRAILER_LF;
		else if (ch == '\n' || ch == '\0')
			return ck_fail(c, 400, "bad trailer line");
		return HTTP_MORE;
	case CK_TRAILER_LF:
		if (ch != '\n')
			return ck_fail(c, 400, "bare CR in trailer");
		c->linelen = 0;
		c->state = CK_TRAILER;
		return HTTP_MORE;
	case CK_END_LF:
		if (ch != '\n')
			return ck_fail(c, 400, "bare CR at end of body");
		c->state = CK_DONE;
		return HTTP_OK;
	}
	return ck_fail(c, 400, "chunked decoder state");
}

enum http_status
http_chunked_feed(struct http_chunked *c, const uint8_t *in, size_t len,
    size_t *used, uint8_t *out, size_t *outlen)
{
	enum http_status	st = HTTP_MORE;
	size_t			i = 0, n;

	if (c->state == CK_DONE)
		return HTTP_OK;
	while (i < len) {
		if (c->state == CK_DATA) {
			n = len - i < c->left ? len - i : c->left;
			memcpy(out + *outlen, in + i, n);
			*outlen += n;
			c->total += n;
			c->left -= n;
			i += n;
			if (c->left == 0)
				c->state = CK_DATA_CR;
			continue;
		}
		st = ck_byte(c, in[i++]);
		if (st != HTTP_MORE)
			break;
	}
	*used = i;
	return st;
}
