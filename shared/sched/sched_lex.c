/*
 * The events language's lexer (docs/SCHEDULER.md#grammar): words,
 * device references (a word with a '/'), numbers, times of day, strings,
 * operators; '#' comments to the end of the line. It reads from a cursor
 * over a buffer and checks the remaining bytes before each read.
 */

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sched/sched.h"

static const char *const tok_names[] = {
	[TK_EOF] = "end of file", [TK_WORD] = "word",
	[TK_DEVREF] = "device reference", [TK_NUMBER] = "number",
	[TK_TIME] = "time of day", [TK_STRING] = "string",
	[TK_LBRACE] = "'{'", [TK_RBRACE] = "'}'", [TK_LPAREN] = "'('",
	[TK_RPAREN] = "')'", [TK_COMMA] = "','", [TK_ASSIGN] = "'='",
	[TK_EQ] = "'=='", [TK_NE] = "'!='", [TK_LT] = "'<'", [TK_LE] = "'<='",
	[TK_GT] = "'>'", [TK_GE] = "'>='", [TK_PLUS] = "'+'",
	[TK_MINUS] = "'-'", [TK_ERROR] = "error",
};

const char *
sched_tok_name(enum tok_kind k)
{
	return tok_names[k];
}

void
sched_lex_init(struct sched_lex *lx, const char *name, const char *buf,
    size_t len)
{
	memset(lx, 0, sizeof(*lx));
	lx->name = name;
	lx->buf = buf;
	lx->len = len;
	lx->line = lx->col = 1;
	/* A UTF-8 byte order mark, as some Windows editors write: skipped. */
	if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
		lx->pos = 3;
}

static int
peek(const struct sched_lex *lx, size_t ahead)
{
	if (lx->pos + ahead >= lx->len)
		return -1;
	return (unsigned char)lx->buf[lx->pos + ahead];
}

/* Columns count characters: a UTF-8 continuation byte adds none. */
static void
advance(struct sched_lex *lx)
{
	if (lx->pos >= lx->len)
		return;
	if (lx->buf[lx->pos] == '\n') {
		lx->line++;
		lx->col = 1;
	} else if (((unsigned char)lx->buf[lx->pos] & 0xc0) != 0x80)
		lx->col++;
	lx->pos++;
}

/*
 * The length (2 to 4) of a valid UTF-8 sequence at the cursor, with its
 * code point in *cp; 0 if the bytes there are not one (a stray or
 * truncated byte, an overlong form, a surrogate, past U+10FFFF).
 */
static int
utf8_at(const struct sched_lex *lx, unsigned long *cp)
{
	static const unsigned long min[5] = { 0, 0, 0x80, 0x800, 0x10000 };
	int	c = peek(lx, 0), n, i, b;

	if (c >= 0xc2 && c <= 0xdf)
		n = 2;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4;
	else
		return 0;
	*cp = (unsigned long)c & (0x7f >> n);
	for (i = 1; i < n; i++) {
		if ((b = peek(lx, (size_t)i)) == -1 || (b & 0xc0) != 0x80)
			return 0;
		*cp = *cp << 6 | (unsigned long)(b & 0x3f);
	}
	if (*cp < min[n] || *cp > 0x10ffff || (*cp >= 0xd800 &&
	    *cp <= 0xdfff))
		return 0;
	return n;
}

/*
 * A byte above 0x7f outside a string or comment: named as a non-ASCII
 * character (not as three unexpected bytes); those that copying from a
 * web page or a word processor or joining files brings (a no-break
 * space, an invisible one, a byte order mark past the start, curly
 * quotes) named as such, since they cannot be seen in an editor.
 */
static void
lex_nonascii(struct sched_lex *lx, struct sched_tok *t)
{
	unsigned long	cp;
	int		n = utf8_at(lx, &cp), i;

	t->kind = TK_ERROR;
	if (n == 0) {
		snprintf(t->text, sizeof(t->text), "a byte that is not ASCII "
		    "nor UTF-8 (0x%02x): the file must be UTF-8, and only "
		    "strings and comments may hold more than ASCII",
		    peek(lx, 0));
		advance(lx);
		return;
	}
	if (cp == 0xa0 || cp == 0x202f)
		snprintf(t->text, sizeof(t->text), "a no-break space "
		    "(U+%04lX): write an ordinary space", cp);
	else if (cp == 0xfeff)
		snprintf(t->text, sizeof(t->text), "a byte order mark "
		    "(U+FEFF) inside the file (only its very start may have "
		    "one): delete it (files joined together bring these)");
	else if ((cp >= 0x200b && cp <= 0x200d) || cp == 0x2060)
		snprintf(t->text, sizeof(t->text), "an invisible character "
		    "(U+%04lX, a zero-width space or joiner): delete it", cp);
	else if (cp == 0x201c || cp == 0x201d || cp == 0x201e)
		snprintf(t->text, sizeof(t->text), "a typographic quote "
		    "'%.*s' (U+%04lX): strings are in straight double quotes "
		    "\"...\"", n, lx->buf + lx->pos, cp);
	else
		snprintf(t->text, sizeof(t->text), "a non-ASCII character "
		    "'%.*s' (U+%04lX): names and words are ASCII letters, "
		    "digits, '_' and '-'; only strings and comments may hold "
		    "other text", n, lx->buf + lx->pos, cp);
	for (i = 0; i < n; i++)
		advance(lx);
}

static void
skip_blanks(struct sched_lex *lx)
{
	int c;

	while ((c = peek(lx, 0)) != -1) {
		if (c == '#')
			while ((c = peek(lx, 0)) != -1 && c != '\n')
				advance(lx);
		else if (c == ' ' || c == '\t' || c == '\n' || c == '\r')
			advance(lx);
		else
			break;
	}
}

static void
lex_error(struct sched_tok *t, const char *why)
{
	t->kind = TK_ERROR;
	snprintf(t->text, sizeof(t->text), "%s", why);
}

_Static_assert(SCHED_NUM_DIGITS <= 9, "lex_number's powers of ten and a "
    "32-bit long hold 9 digits");

/* A number past SCHED_NUM_DIGITS digits or decimals. */
static void
too_long(struct sched_tok *t, const char *what)
{
	t->kind = TK_ERROR;
	snprintf(t->text, sizeof(t->text), "a number has at most %d %s "
	    "(SCHED_NUM_DIGITS)", SCHED_NUM_DIGITS, what);
}

static int
word_char(int c)
{
	return isalnum(c) || c == '_' || c == '-' || c == '.' || c == '/' ||
	    c == ':' || c == '@';
}

/* A word: letter first. With a '/' it names a device value. */
static void
lex_word(struct sched_lex *lx, struct sched_tok *t)
{
	size_t	n = 0;
	int	c, slash = 0, dot = 0;

	while ((c = peek(lx, 0)) != -1 && word_char(c)) {
		if (n == SCHED_TOKEN_MAX) {
			lex_error(t, "word too long");
			return;
		}
		slash |= c == '/';
		dot |= c == '.' || c == ':' || c == '@';
		t->text[n++] = (char)c;
		advance(lx);
	}
	t->text[n] = '\0';
	t->kind = slash ? TK_DEVREF : TK_WORD;
	if (!slash && dot)
		lex_error(t, "'.', ':' and '@' belong in device references "
		    "(node/device.key)");
}

static long
digits(struct sched_lex *lx, int *n)
{
	long	v = 0;
	int	c;

	*n = 0;
	while ((c = peek(lx, 0)) != -1 && isdigit(c)) {
		if (*n < SCHED_NUM_DIGITS)
			v = v * 10 + (c - '0');
		(*n)++;
		advance(lx);
	}
	return v;
}

/* 12, 3.5 or a time of day 07:30 / 07:30:15. */
static void
lex_number(struct sched_lex *lx, struct sched_tok *t)
{
	long	h, m, s = 0, frac;
	int	n, nm, ns = 2, nf;

	h = digits(lx, &n);
	if (n > SCHED_NUM_DIGITS) {
		too_long(t, "digits");
		return;
	}
	if (peek(lx, 0) == ':') {
		advance(lx);
		m = digits(lx, &nm);
		if (peek(lx, 0) == ':') {
			advance(lx);
			s = digits(lx, &ns);
		}
		if (n > 2 || nm != 2 || ns != 2 || h > 23 || m > 59 || s > 59) {
			lex_error(t, "a time of day is HH:MM or HH:MM:SS "
			    "(00:00 to 23:59:59)");
			return;
		}
		t->kind = TK_TIME;
		t->secs = h * 3600 + m * 60 + s;
		return;
	}
	t->kind = TK_NUMBER;
	t->num = (double)h;
	t->integral = 1;
	if (peek(lx, 0) == '.' && peek(lx, 1) != -1 && isdigit(peek(lx, 1))) {
		advance(lx);
		frac = digits(lx, &nf);
		if (nf > SCHED_NUM_DIGITS) {
			too_long(t, "decimals");
			return;
		}
		t->num += (double)frac / (double[SCHED_NUM_DIGITS + 1]){ 1, 10,
		    100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9 }[nf];
		t->integral = 0;
	}
}

static void
lex_string(struct sched_lex *lx, struct sched_tok *t)
{
	unsigned long	cp;
	size_t		n = 0;
	int		c, k;

	advance(lx);
	for (;;) {
		if ((c = peek(lx, 0)) == -1 || c == '\n') {
			lex_error(t, "unterminated string");
			return;
		}
		if (c >= 0x80) {	/* UTF-8 text is welcome, only valid */
			if ((k = utf8_at(lx, &cp)) == 0) {
				snprintf(t->text, sizeof(t->text), "a byte "
				    "that is not UTF-8 in a string (0x%02x)",
				    c);
				t->kind = TK_ERROR;
				return;
			}
			if (n + (size_t)k > SCHED_TOKEN_MAX) {
				lex_error(t, "string too long");
				return;
			}
			while (k-- > 0) {
				t->text[n++] = (char)peek(lx, 0);
				advance(lx);
			}
			continue;
		}
		advance(lx);
		if (c == '"')
			break;
		if (c == '\\') {
			c = peek(lx, 0);
			if (c != '"' && c != '\\') {
				lex_error(t, "only \\\" and \\\\ are escapes");
				return;
			}
			advance(lx);
		}
		if (c < 0x20 || c == 0x7f) {
			lex_error(t, "control character in a string");
			return;
		}
		if (n == SCHED_TOKEN_MAX) {
			lex_error(t, "string too long");
			return;
		}
		t->text[n++] = (char)c;
	}
	t->text[n] = '\0';
	t->kind = TK_STRING;
}

/* One- and two-character operators. */
static int
lex_op(struct sched_lex *lx, struct sched_tok *t, int c)
{
	static const struct { char c, c2; enum tok_kind k; } ops[] = {
		{ '=', '=', TK_EQ }, { '!', '=', TK_NE }, { '<', '=', TK_LE },
		{ '>', '=', TK_GE }, { '{', 0, TK_LBRACE },
		{ '}', 0, TK_RBRACE }, { '(', 0, TK_LPAREN },
		{ ')', 0, TK_RPAREN }, { ',', 0, TK_COMMA },
		{ '=', 0, TK_ASSIGN }, { '<', 0, TK_LT }, { '>', 0, TK_GT },
		{ '+', 0, TK_PLUS }, { '-', 0, TK_MINUS },
	};
	size_t i;

	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		if (ops[i].c != c || (ops[i].c2 != 0 &&
		    peek(lx, 1) != ops[i].c2))
			continue;
		advance(lx);
		if (ops[i].c2 != 0)
			advance(lx);
		t->kind = ops[i].k;
		return 0;
	}
	return -1;
}

void
sched_lex_next(struct sched_lex *lx, struct sched_tok *t)
{
	int c;

	skip_blanks(lx);
	t->line = lx->line;
	t->col = lx->col;
	t->off = lx->pos;
	t->text[0] = '\0';
	if ((c = peek(lx, 0)) == -1) {
		t->kind = TK_EOF;
		return;
	}
	if (isalpha(c) || c == '_')
		lex_word(lx, t);
	else if (isdigit(c))
		lex_number(lx, t);
	else if (c == '"')
		lex_string(lx, t);
	else if (c >= 0x80)
		lex_nonascii(lx, t);
	else if (lex_op(lx, t, c) == -1) {
		if (c >= 0x21 && c < 0x7f)
			snprintf(t->text, sizeof(t->text), "unexpected '%c'",
			    c);
		else
			snprintf(t->text, sizeof(t->text),
			    "unexpected byte 0x%02x", c);
		t->kind = TK_ERROR;
		advance(lx);
	}
}
