/*
 * The JSON writer (see json_write.h): appends into the caller's buffer, never
 * past its capacity; once something does not fit, the writer is marked
 * overflowed and writes nothing more, so a caller checks once at the end.
 * Strings are escaped as RFC 8259 asks, invalid UTF-8 replaced.
 */

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_write.h"

/* Length of the valid UTF-8 sequence at p (n bytes left), 0 if invalid:
 * no overlong forms, no surrogates, nothing past U+10FFFF. */
size_t
json_utf8_seq(const uint8_t *p, size_t n, uint32_t *cp)
{
	size_t	len, i;
	uint32_t c;

	if (p[0] < 0x80) {
		*cp = p[0];
		return 1;
	}
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		len = 2, c = p[0] & 0x1f;
	else if ((p[0] & 0xf0) == 0xe0)
		len = 3, c = p[0] & 0x0f;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		len = 4, c = p[0] & 0x07;
	else
		return 0;
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (p[i] & 0x3f);
	}
	if ((len == 3 && c < 0x800) || (len == 4 && (c < 0x10000 ||
	    c > 0x10ffff)) || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

void
jw_init(struct jw *w, char *buf, size_t cap)
{
	memset(w, 0, sizeof(*w));
	w->buf = buf;
	w->cap = cap;
	if (cap == 0)
		w->overflow = 1;
}

/* Append n bytes, keeping one byte for the final NUL. */
static void
put(struct jw *w, const char *s, size_t n)
{
	if (w->overflow || n >= w->cap - w->len) {
		w->overflow = 1;
		return;
	}
	memcpy(w->buf + w->len, s, n);
	w->len += n;
}

/* Before a value or a key: a comma unless it is the first or a key's. */
static void
sep(struct jw *w)
{
	if (w->after_key) {
		w->after_key = 0;
		return;
	}
	if (w->comma[w->depth])
		put(w, ",", 1);
	w->comma[w->depth] = 1;
}

void
jw_open(struct jw *w, char brace)
{
	sep(w);
	if (w->depth >= JSON_MAX_DEPTH || (brace != '{' && brace != '[')) {
		w->overflow = 1;
		return;
	}
	put(w, &brace, 1);
	w->comma[++w->depth] = 0;
}

void
jw_close(struct jw *w, char brace)
{
	if (w->depth == 0 || w->after_key || (brace != '}' && brace != ']')) {
		w->overflow = 1;
		return;
	}
	put(w, &brace, 1);
	w->depth--;
}

static void
put_escaped(struct jw *w, const char *s, size_t n)
{
	const uint8_t	*p = (const uint8_t *)s;
	char		 esc[8];
	uint32_t	 cp;
	size_t		 i = 0, l;

	put(w, "\"", 1);
	while (i < n) {
		if (p[i] == '"' || p[i] == '\\') {
			esc[0] = '\\';
			esc[1] = (char)p[i++];
			put(w, esc, 2);
		} else if (p[i] < 0x20 || p[i] == 0x7f) {
			snprintf(esc, sizeof(esc), "\\u%04x", p[i++]);
			put(w, esc, 6);
		} else if ((l = json_utf8_seq(p + i, n - i, &cp)) == 0) {
			put(w, "\\ufffd", 6);
			i++;
		} else {
			put(w, s + i, l);
			i += l;
		}
	}
	put(w, "\"", 1);
}

void
jw_key(struct jw *w, const char *k)
{
	sep(w);
	put_escaped(w, k, strlen(k));
	put(w, ":", 1);
	w->after_key = 1;
}

void
jw_strn(struct jw *w, const char *s, size_t n)
{
	sep(w);
	put_escaped(w, s, n);
}

void
jw_str(struct jw *w, const char *s)
{
	jw_strn(w, s, strlen(s));
}

void
jw_int(struct jw *w, int64_t v)
{
	char	num[24];
	int	n = snprintf(num, sizeof(num), "%lld", (long long)v);

	sep(w);
	put(w, num, (size_t)n);
}

void
jw_uint(struct jw *w, uint64_t v)
{
	char	num[24];
	int	n = snprintf(num, sizeof(num), "%llu", (unsigned long long)v);

	sep(w);
	put(w, num, (size_t)n);
}

/* Shortest text that reads back as the same double; null if not finite
 * (JSON has no NaN or infinity). */
void
jw_double(struct jw *w, double v)
{
	char	num[32];
	int	n;

	if (!isfinite(v)) {
		jw_null(w);
		return;
	}
	n = snprintf(num, sizeof(num), "%.15g", v);
	if (strtod(num, NULL) != v)
		n = snprintf(num, sizeof(num), "%.17g", v);
	sep(w);
	put(w, num, (size_t)n);
}

/* A value the caller already holds as valid JSON text. */
void
jw_raw(struct jw *w, const char *json, size_t len)
{
	sep(w);
	put(w, json, len);
}

void
jw_bool(struct jw *w, int v)
{
	sep(w);
	put(w, v ? "true" : "false", v ? 4 : 5);
}

void
jw_null(struct jw *w)
{
	sep(w);
	put(w, "null", 4);
}

long
jw_end(struct jw *w)
{
	if (w->overflow || w->depth != 0 || w->after_key || w->cap == 0)
		return -1;
	w->buf[w->len] = '\0';
	return (long)w->len;
}
