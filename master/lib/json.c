/*
 * A small, strict JSON parser (see json.h; the writer is json_write.c):
 * a recursive descent over a cursor, bounded in depth by JSON_MAX_DEPTH,
 * that checks the bytes left before every read and writes only into the
 * caller's token array.
 */

#include <stdarg.h>
#include <math.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "lib/json.h"

#define CP_REPLACEMENT	0xfffd
#define KEY_SHOW	40		/* bytes of a key quoted in an error */

static int	parse_value(struct json_doc *);

static int __attribute__((format(printf, 2, 3)))
seterr(struct json_doc *d, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(d->err, sizeof(d->err), fmt, ap);
	va_end(ap);
	return -1;
}

static int
fail(struct json_doc *d, const char *why)
{
	return seterr(d, "at byte %zu: %s", d->pos, why);
}

static size_t
utf8_put(uint32_t cp, char *out)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | cp >> 6);
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | cp >> 12);
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | cp >> 18);
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* Four hex digits at s (at least n bytes), or -1. */
static long
hex4(const char *s, size_t n)
{
	long	v = 0;
	int	i;

	if (n < 4)
		return -1;
	for (i = 0; i < 4; i++) {
		v <<= 4;
		if (s[i] >= '0' && s[i] <= '9')
			v |= s[i] - '0';
		else if (s[i] >= 'a' && s[i] <= 'f')
			v |= s[i] - 'a' + 10;
		else if (s[i] >= 'A' && s[i] <= 'F')
			v |= s[i] - 'A' + 10;
		else
			return -1;
	}
	return v;
}

/*
 * Length of the escape at s ('\\' first, n bytes left) and its code
 * point, 0 if invalid: a high surrogate must be followed by a low one.
 */
static size_t
escape_seq(const char *s, size_t n, uint32_t *cp)
{
	static const char	 from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	const char		*e;
	long			 hi, lo;

	if (n < 2)
		return 0;
	if (s[1] != 'u') {
		if (s[1] == '\0' || (e = strchr(from, s[1])) == NULL)
			return 0;
		*cp = (uint8_t)to[e - from];
		return 2;
	}
	if ((hi = hex4(s + 2, n - 2)) == -1 || (hi >= 0xdc00 && hi <= 0xdfff))
		return 0;
	if (hi < 0xd800 || hi > 0xdbff) {
		*cp = (uint32_t)hi;
		return 6;
	}
	if (n < 12 || s[6] != '\\' || s[7] != 'u' ||
	    (lo = hex4(s + 8, n - 8)) < 0xdc00 || lo > 0xdfff)
		return 0;
	*cp = 0x10000 + (((uint32_t)hi - 0xd800) << 10) + ((uint32_t)lo - 0xdc00);
	return 12;
}

/* Next code point of a string span already validated by the parser. */
static uint32_t
str_next(const char *s, size_t n, size_t *i)
{
	uint32_t cp = CP_REPLACEMENT;
	size_t	 l;

	if (s[*i] == '\\')
		l = escape_seq(s + *i, n - *i, &cp);
	else
		l = json_utf8_seq((const uint8_t *)s + *i, n - *i, &cp);
	*i += l > 0 ? l : 1;
	return cp;
}

static int
new_tok(struct json_doc *d, enum json_type type)
{
	struct json_tok *t;

	if (d->ntok >= d->maxtok) {
		fail(d, "too many values");
		return -1;
	}
	t = &d->tok[d->ntok];
	t->type = type;
	t->start = (uint32_t)d->pos;
	t->len = t->size = t->next = 0;
	return d->ntok++;
}

static void
end_tok(struct json_doc *d, int t, size_t end)
{
	d->tok[t].len = (uint32_t)(end - d->tok[t].start);
	d->tok[t].next = (uint32_t)d->ntok;
}

static void
skip_ws(struct json_doc *d)
{
	while (d->pos < d->len && (d->src[d->pos] == ' ' ||
	    d->src[d->pos] == '\t' || d->src[d->pos] == '\n' ||
	    d->src[d->pos] == '\r'))
		d->pos++;
}

static int
parse_string(struct json_doc *d)
{
	const uint8_t	*p = (const uint8_t *)d->src;
	uint32_t	 cp;
	size_t		 l;
	int		 t;

	d->pos++;				/* the opening quote */
	if ((t = new_tok(d, JSON_STRING)) == -1)
		return -1;
	while (d->pos < d->len && p[d->pos] != '"') {
		if (p[d->pos] < 0x20)
			return fail(d, "control character in a string");
		if (p[d->pos] == '\\')
			l = escape_seq(d->src + d->pos, d->len - d->pos, &cp);
		else
			l = json_utf8_seq(p + d->pos, d->len - d->pos, &cp);
		if (l == 0)
			return fail(d, p[d->pos] == '\\' ? "bad escape" :
			    "invalid UTF-8");
		d->pos += l;
		if (d->pos - d->tok[t].start > JSON_MAX_STRING)
			return fail(d, "string too long");
	}
	if (d->pos >= d->len)
		return fail(d, "unterminated string");
	end_tok(d, t, d->pos++);
	return 0;
}

static int
digits(struct json_doc *d)
{
	size_t start = d->pos;

	while (d->pos < d->len && d->src[d->pos] >= '0' &&
	    d->src[d->pos] <= '9')
		d->pos++;
	return d->pos > start ? 0 : fail(d, "bad number");
}

static int
parse_number(struct json_doc *d)
{
	int t;

	if ((t = new_tok(d, JSON_NUMBER)) == -1)
		return -1;
	if (d->src[d->pos] == '-')
		d->pos++;
	if (d->pos < d->len && d->src[d->pos] == '0')
		d->pos++;
	else if (digits(d) == -1)
		return -1;
	if (d->pos < d->len && d->src[d->pos] == '.') {
		d->pos++;
		if (digits(d) == -1)
			return -1;
	}
	if (d->pos < d->len && (d->src[d->pos] == 'e' ||
	    d->src[d->pos] == 'E')) {
		d->pos++;
		if (d->pos < d->len && (d->src[d->pos] == '+' ||
		    d->src[d->pos] == '-'))
			d->pos++;
		if (digits(d) == -1)
			return -1;
	}
	if (d->pos - d->tok[t].start > JSON_MAX_NUMBER)
		return fail(d, "number too long");
	end_tok(d, t, d->pos);
	return 0;
}

static int
parse_literal(struct json_doc *d, const char *word, enum json_type type)
{
	size_t	n = strlen(word);
	int	t;

	if (d->len - d->pos < n || memcmp(d->src + d->pos, word, n) != 0)
		return fail(d, "unexpected character");
	if ((t = new_tok(d, type)) == -1)
		return -1;
	d->pos += n;
	end_tok(d, t, d->pos);
	return 0;
}

/* Do the decoded spans of string tokens a and b hold the same text? */
static int
str_eq(const struct json_doc *d, int a, int b)
{
	const char	*sa = d->src + d->tok[a].start, *sb = d->src + d->tok[b].start;
	size_t		 na = d->tok[a].len, nb = d->tok[b].len, i = 0, j = 0;

	if (na == nb && memcmp(sa, sb, na) == 0)
		return 1;
	if (memchr(sa, '\\', na) == NULL && memchr(sb, '\\', nb) == NULL)
		return 0;
	while (i < na && j < nb)
		if (str_next(sa, na, &i) != str_next(sb, nb, &j))
			return 0;
	return i == na && j == nb;
}

/* Key token of the member after the one whose key is k. */
static int
next_key(const struct json_doc *d, int k)
{
	return (int)d->tok[k + 1].next;
}

/* The first key of object `obj` that repeats an earlier one, or -1. */
static int
dup_key(const struct json_doc *d, int obj)
{
	uint32_t	i, j, n = d->tok[obj].size;
	int		a, b;

	for (i = 0, a = obj + 1; i < n; i++, a = next_key(d, a))
		for (j = i + 1, b = next_key(d, a); j < n; j++,
		    b = next_key(d, b))
			if (str_eq(d, a, b))
				return b;
	return -1;
}

/* Printable excerpt of a key for an error message. */
static void
key_show(const struct json_doc *d, int k, char *buf, size_t size)
{
	size_t	i, o = 0;
	char	c;

	for (i = 0; i < d->tok[k].len && o + 1 < size; i++) {
		c = d->src[d->tok[k].start + i];
		buf[o++] = (c >= 0x20 && c < 0x7f && c != '"') ? c : '?';
	}
	buf[o] = '\0';
}

static int
parse_member_key(struct json_doc *d)
{
	skip_ws(d);
	if (d->pos >= d->len || d->src[d->pos] != '"')
		return fail(d, "expected a key");
	if (parse_string(d) == -1)
		return -1;
	skip_ws(d);
	if (d->pos >= d->len || d->src[d->pos] != ':')
		return fail(d, "expected ':'");
	d->pos++;
	return 0;
}

static int
parse_container(struct json_doc *d, enum json_type type)
{
	char	close = type == JSON_OBJECT ? '}' : ']', show[KEY_SHOW];
	int	t, k;

	if (++d->depth > JSON_MAX_DEPTH)
		return fail(d, "nested too deep");
	if ((t = new_tok(d, type)) == -1)
		return -1;
	d->pos++;
	skip_ws(d);
	while (d->pos >= d->len || d->src[d->pos] != close) {
		if (d->tok[t].size > 0) {
			if (d->pos >= d->len || d->src[d->pos] != ',')
				return fail(d, type == JSON_OBJECT ?
				    "expected ',' or '}'" : "expected ',' or ']'");
			d->pos++;
		}
		if ((type == JSON_OBJECT && parse_member_key(d) == -1) ||
		    parse_value(d) == -1)
			return -1;
		d->tok[t].size++;
		skip_ws(d);
	}
	end_tok(d, t, ++d->pos);
	d->depth--;
	if (type == JSON_OBJECT && (k = dup_key(d, t)) != -1) {
		key_show(d, k, show, sizeof(show));
		return seterr(d, "duplicate key \"%s\"", show);
	}
	return 0;
}

static int
parse_value(struct json_doc *d)
{
	char c;

	skip_ws(d);
	if (d->pos >= d->len)
		return fail(d, "unexpected end");
	switch ((c = d->src[d->pos])) {
	case '{':
		return parse_container(d, JSON_OBJECT);
	case '[':
		return parse_container(d, JSON_ARRAY);
	case '"':
		return parse_string(d);
	case 't':
		return parse_literal(d, "true", JSON_TRUE);
	case 'f':
		return parse_literal(d, "false", JSON_FALSE);
	case 'n':
		return parse_literal(d, "null", JSON_NULL);
	default:
		if (c == '-' || (c >= '0' && c <= '9'))
			return parse_number(d);
		return fail(d, "unexpected character");
	}
}

int
json_parse(struct json_doc *d, const char *src, size_t len,
    struct json_tok *tok, int maxtok)
{
	memset(d, 0, sizeof(*d));
	d->src = src;
	d->len = len;
	d->tok = tok;
	d->maxtok = maxtok < JSON_MAX_TOKENS ? maxtok : JSON_MAX_TOKENS;
	if (len > HTTP_MAX_BODY)
		return seterr(d, "document too large");
	if (parse_value(d) == -1)
		return -1;
	skip_ws(d);
	if (d->pos != d->len)
		return fail(d, "garbage after the value");
	return 0;
}

const char *
json_type_name(enum json_type t)
{
	static const char *const names[] = { "null", "false", "true",
	    "a number", "a string", "an array", "an object" };

	return (unsigned)t < sizeof(names) / sizeof(names[0]) ? names[t] :
	    "?";
}

/* Does string token k decode to the C string `s`? */
static int
key_is(const struct json_doc *d, int k, const char *s)
{
	const char	*p = d->src + d->tok[k].start;
	size_t		 n = d->tok[k].len, i = 0, sl = strlen(s), o = 0, l;
	char		 enc[4];

	if (memchr(p, '\\', n) == NULL)
		return n == sl && memcmp(p, s, n) == 0;
	while (i < n) {
		l = utf8_put(str_next(p, n, &i), enc);
		if (l > sl - o || memcmp(s + o, enc, l) != 0)
			return 0;
		o += l;
	}
	return o == sl;
}

int
json_find(const struct json_doc *d, int obj, const char *key)
{
	uint32_t	i;
	int		k;

	if (obj < 0 || obj >= d->ntok || d->tok[obj].type != JSON_OBJECT)
		return -1;
	for (i = 0, k = obj + 1; i < d->tok[obj].size; i++, k = next_key(d, k))
		if (key_is(d, k, key))
			return k + 1;
	return -1;
}

int
json_str(const struct json_doc *d, int t, char *buf, size_t size)
{
	const char	*p;
	size_t		 n, i = 0, o = 0, l;
	uint32_t	 cp;
	char		 enc[4];

	if (t < 0 || t >= d->ntok || d->tok[t].type != JSON_STRING ||
	    size == 0)
		return -1;
	p = d->src + d->tok[t].start;
	n = d->tok[t].len;
	while (i < n) {
		if ((cp = str_next(p, n, &i)) == 0)
			return -1;
		l = utf8_put(cp, enc);
		if (l >= size - o)
			return -1;
		memcpy(buf + o, enc, l);
		o += l;
	}
	buf[o] = '\0';
	return 0;
}

int
json_int(const struct json_doc *d, int t, int64_t *out)
{
	const char	*p;
	uint64_t	 v = 0, lim = INT64_MAX;
	size_t		 i = 0, n;
	int		 neg;

	if (t < 0 || t >= d->ntok || d->tok[t].type != JSON_NUMBER)
		return -1;
	p = d->src + d->tok[t].start;
	n = d->tok[t].len;
	if ((neg = p[0] == '-'))
		i++, lim++;
	for (; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -1;		/* a fraction or exponent */
		if (v > (lim - (uint64_t)(p[i] - '0')) / 10)
			return -1;
		v = v * 10 + (uint64_t)(p[i] - '0');
	}
	*out = neg ? (int64_t)(0 - v) : (int64_t)v;
	return 0;
}

/* Field `key` of `obj`: its token, -2 if absent and optional, -1 (with
 * the reason set) if absent and required, or `obj` is not an object. */
static int
field(struct json_doc *d, int obj, const char *key, int required)
{
	int t;

	if (obj < 0 || obj >= d->ntok || d->tok[obj].type != JSON_OBJECT)
		return seterr(d, "expected an object");
	if ((t = json_find(d, obj, key)) == -1)
		return required ? seterr(d, "missing field \"%s\"", key) : -2;
	return t;
}

static int
wrong_type(struct json_doc *d, const char *key, const char *want)
{
	return seterr(d, "field \"%s\": expected %s", key, want);
}

int
json_get_str(struct json_doc *d, int obj, const char *key, int required,
    char *buf, size_t size)
{
	int t;

	if ((t = field(d, obj, key, required)) < 0)
		return t == -2 ? 0 : -1;
	if (d->tok[t].type != JSON_STRING)
		return wrong_type(d, key, "a string");
	if (json_str(d, t, buf, size) == -1)
		return seterr(d, "field \"%s\": too long or holds U+0000", key);
	return 1;
}

int
json_get_int(struct json_doc *d, int obj, const char *key, int required,
    int64_t min, int64_t max, int64_t *out)
{
	int64_t	v;
	int	t;

	if ((t = field(d, obj, key, required)) < 0)
		return t == -2 ? 0 : -1;
	if (d->tok[t].type != JSON_NUMBER || json_int(d, t, &v) == -1)
		return wrong_type(d, key, "an integer");
	if (v < min || v > max)
		return seterr(d, "field \"%s\": out of range", key);
	*out = v;
	return 1;
}

int
json_get_bool(struct json_doc *d, int obj, const char *key, int required,
    int *out)
{
	int t;

	if ((t = field(d, obj, key, required)) < 0)
		return t == -2 ? 0 : -1;
	if (d->tok[t].type != JSON_TRUE && d->tok[t].type != JSON_FALSE)
		return wrong_type(d, key, "true or false");
	*out = d->tok[t].type == JSON_TRUE;
	return 1;
}

int
json_only(struct json_doc *d, int obj, const char *const *allowed)
{
	char		show[KEY_SHOW];
	uint32_t	i;
	size_t		a;
	int		k;

	if (obj < 0 || obj >= d->ntok || d->tok[obj].type != JSON_OBJECT)
		return seterr(d, "expected an object");
	for (i = 0, k = obj + 1; i < d->tok[obj].size; i++,
	    k = next_key(d, k)) {
		for (a = 0; allowed[a] != NULL; a++)
			if (key_is(d, k, allowed[a]))
				break;
		if (allowed[a] == NULL) {
			key_show(d, k, show, sizeof(show));
			return seterr(d, "unknown field \"%s\"", show);
		}
	}
	return 0;
}
