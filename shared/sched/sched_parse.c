/*
 * The events language's parser (grammar in docs/SCHEDULER.md): a
 * recursive-descent parser over sched_lex.c's tokens, building a
 * sched_prog in a memory pool that is freed whole. Errors are reported
 * as file:line:col: message; after one, the parser skips to the end of
 * that event and goes on, so one pass reports up to SCHED_MAX_ERRORS.
 * Triggers, conditions and actions are in sched_parse_rule.c.
 */

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "atomicfile.h"
#include "sched/sched.h"

#define POOL_CHUNK	(16 * 1024)
#define NAME_HASH	32768		/* > 1.5 * SCHED_MAX_EVENTS, power of 2 */
#define STR_HASH	8192		/* interned strings; more are copied */

/* Open addressing needs free slots: a full table would loop. */
_Static_assert(NAME_HASH > SCHED_MAX_EVENTS * 3 / 2, "NAME_HASH too small");

struct chunk {
	struct chunk	*next;
	size_t		 used, cap;
	char		 data[];
};

struct sched_pool {
	struct chunk	*head;
};

static void	parse_stmts(struct parser *);

void *
sched_pool_alloc(struct parser *p, size_t n)
{
	struct sched_pool	*pool = p->prog->pool;
	struct chunk		*c = pool->head;
	size_t			 cap;
	void			*r;

	n = (n + 15) & ~(size_t)15;
	if (c == NULL || c->cap - c->used < n) {
		cap = n > POOL_CHUNK ? n : POOL_CHUNK;
		if ((c = calloc(1, sizeof(*c) + cap)) == NULL)
			return NULL;
		c->cap = cap;
		c->next = pool->head;
		pool->head = c;
		p->prog->bytes += sizeof(*c) + cap;
	}
	r = c->data + c->used;
	c->used += n;
	return r;
}

char *
sched_pool_strdup(struct parser *p, const char *s)
{
	size_t	 n = strlen(s) + 1;
	char	*r;

	if ((r = sched_pool_alloc(p, n)) != NULL)
		memcpy(r, s, n);
	return r;
}

static uint32_t	name_hash(const char *);

char *
sched_pool_intern(struct parser *p, const char *s)
{
	uint32_t	i = name_hash(s) & (STR_HASH - 1), n;

	for (n = 0; n < STR_HASH / 2; n++, i = (i + 1) & (STR_HASH - 1)) {
		if (p->strs[i] == NULL)
			return p->strs[i] = sched_pool_strdup(p, s);
		if (strcmp(p->strs[i], s) == 0)
			return p->strs[i];
	}
	return sched_pool_strdup(p, s);	/* table crowded: just copy */
}

/* Append "file:line:col: message" ("file: message" for line 0). */
static void
errs_vadd(struct sched_errs *e, const char *name, int line, int col,
    const char *fmt, va_list ap)
{
	int n;

	if (e->len + 1 < sizeof(e->buf)) {
		n = line > 0 ? snprintf(e->buf + e->len, sizeof(e->buf) -
		    e->len, "%s:%d:%d: ", name, line, col) :
		    snprintf(e->buf + e->len, sizeof(e->buf) - e->len, "%s: ",
		    name);
		if (n > 0)
			e->len += (size_t)n;
	}
	if (e->len + 1 < sizeof(e->buf)) {
		n = vsnprintf(e->buf + e->len, sizeof(e->buf) - e->len, fmt,
		    ap);
		if (n > 0)
			e->len += (size_t)n;
	}
	if (e->len + 1 < sizeof(e->buf))
		e->buf[e->len++] = '\n';
	if (e->len >= sizeof(e->buf))
		e->len = sizeof(e->buf) - 1;
	e->buf[e->len] = '\0';
}

/* Count an error and append it, the first SCHED_MAX_ERRORS. -1. */
int
sched_parse_err_at(struct parser *p, int line, int col, const char *fmt, ...)
{
	va_list ap;

	p->nerr++;
	if (p->errs->n++ >= SCHED_MAX_ERRORS)
		return -1;
	va_start(ap, fmt);
	errs_vadd(p->errs, p->lx.name, line, col, fmt, ap);
	va_end(ap);
	return -1;
}

/* A line past the cap: why the parser stopped. */
static void
errs_note(struct sched_errs *e, const char *name, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	errs_vadd(e, name, 0, 0, fmt, ap);
	va_end(ap);
}

/* What the current token is, for "expected X, found Y". */
const char *
sched_parse_found(struct parser *p)
{
	struct sched_tok *t = &p->tok;

	if (t->kind == TK_ERROR)
		snprintf(p->found, sizeof(p->found), "%s", t->text);
	else if (t->kind == TK_WORD || t->kind == TK_DEVREF ||
	    t->kind == TK_STRING)
		snprintf(p->found, sizeof(p->found), "found %s \"%.40s\"",
		    sched_tok_name(t->kind), t->text);
	else
		snprintf(p->found, sizeof(p->found), "found %s",
		    sched_tok_name(t->kind));
	return p->found;
}

int
sched_parse_err(struct parser *p, const char *what)
{
	if (p->tok.kind == TK_ERROR)	/* the lexer's reason says more */
		return sched_parse_err_at(p, p->tok.line, p->tok.col, "%s", p->tok.text);
	return sched_parse_err_at(p, p->tok.line, p->tok.col, "expected %s, %s", what,
	    sched_parse_found(p));
}

void
sched_parse_next(struct parser *p)
{
	sched_lex_next(&p->lx, &p->tok);
}

int
sched_parse_is_word(const struct parser *p, const char *w)
{
	return p->tok.kind == TK_WORD && strcmp(p->tok.text, w) == 0;
}

/* Event, mode and value names: [A-Za-z0-9_-], a letter first. */
int
sched_parse_name_ok(const char *s)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' &&
		    s[i] <= 'Z') || (i > 0 && ((s[i] >= '0' && s[i] <= '9') ||
		    s[i] == '_' || s[i] == '-'))))
			return 0;
	return i > 0 && i <= SCHED_NAME_MAX;
}

/* A name token; -1 after an error. */
int
sched_parse_want_name(struct parser *p, const char *what, char *out)
{
	if (p->tok.kind != TK_WORD)
		return sched_parse_err(p, what);
	if (!sched_parse_name_ok(p->tok.text))
		return sched_parse_err_at(p, p->tok.line, p->tok.col, "%s \"%.40s\": "
		    "letters, digits, '_' and '-', a letter first, at most "
		    "%d", what, p->tok.text, SCHED_NAME_MAX);
	memcpy(out, p->tok.text, strlen(p->tok.text) + 1);	/* checked */
	sched_parse_next(p);
	return 0;
}

static uint32_t
name_hash(const char *s)
{
	uint32_t h = 2166136261u;

	while (*s)
		h = (h ^ (uint8_t)*s++) * 16777619u;
	return h;
}

/* Index of event `name` in the hash, or the free slot for it. */
static uint32_t
name_slot(const struct parser *p, const char *name)
{
	uint32_t i = name_hash(name) & (NAME_HASH - 1);

	while (p->names[i] != 0 &&
	    strcmp(p->prog->ev[p->names[i] - 1].name, name) != 0)
		i = (i + 1) & (NAME_HASH - 1);
	return i;
}

/* Index of event `name`, or -1. */
int
sched_parse_event_index(const struct parser *p, const char *name)
{
	return (int)p->names[name_slot(p, name)] - 1;
}

/* After an error in an event: skip to its closing brace. */
static void
recover(struct parser *p, int depth)
{
	while (p->tok.kind != TK_EOF) {
		if (p->tok.kind == TK_LBRACE)
			depth++;
		else if (p->tok.kind == TK_RBRACE && --depth <= 0) {
			sched_parse_next(p);
			return;
		} else if (sched_parse_is_word(p, "event") && p->tok.col == 1)
			return;		/* a '}' was missing */
		sched_parse_next(p);
	}
}

static int
add_event(struct parser *p, const struct sched_event *ev)
{
	struct sched_prog	*g = p->prog;
	struct sched_event	*nev;
	int			 cap;

	if (g->nev == SCHED_MAX_EVENTS)
		return sched_parse_err_at(p, ev->line, 1, "more than %d events",
		    SCHED_MAX_EVENTS);
	if (g->nev == p->evcap) {
		cap = p->evcap ? p->evcap * 2 : 64;
		if ((nev = reallocarray(g->ev, (size_t)cap,
		    sizeof(*nev))) == NULL)
			return sched_parse_err_at(p, ev->line, 1, "out of memory");
		g->ev = nev;
		p->evcap = cap;
	}
	g->ev[g->nev++] = *ev;
	p->names[name_slot(p, ev->name)] = (uint32_t)g->nev;
	return 0;
}

/* The event's source up to its '}' (the current token): the rule set a
 * slave gets is the text of its events (docs/SCHEDULER.md#local-rules). */
static int
keep_text(struct parser *p, struct sched_event *ev, size_t start)
{
	size_t end = p->tok.off + 1;

	if (end > p->lx.len || start >= end)
		return 0;
	if ((ev->text = sched_pool_alloc(p, end - start + 1)) == NULL)
		return -1;
	memcpy(ev->text, p->lx.buf + start, end - start);
	ev->text[end - start] = '\0';
	ev->textlen = end - start;
	return 0;
}

/* "event NAME { clause... }" */
static int
parse_event(struct parser *p)
{
	struct sched_event	 ev;
	char			 name[SCHED_NAME_MAX + 1];
	size_t			 start = p->tok.off;
	int			 line = p->tok.line, col = p->tok.col;

	memset(&ev, 0, sizeof(ev));
	sched_parse_next(p);
	if (sched_parse_want_name(p, "an event name", name) == -1)
		return -1;
	if (p->names[name_slot(p, name)] != 0)
		return sched_parse_err_at(p, line, col, "event \"%s\" defined twice",
		    name);
	if (p->tok.kind != TK_LBRACE)
		return sched_parse_err(p, "'{'");
	sched_parse_next(p);
	ev.line = line;
	ev.catchup_s = SCHED_CATCHUP_S;
	if ((ev.name = sched_pool_strdup(p, name)) == NULL ||
	    (ev.file = p->file) == NULL)
		return sched_parse_err_at(p, line, col, "out of memory");
	if (sched_parse_clauses(p, &ev) == -1)
		return -1;
	if (keep_text(p, &ev, start) == -1)
		return sched_parse_err_at(p, line, col, "out of memory");
	ev.fp = 2166136261u;
	for (; start < p->tok.off && start < p->lx.len; start++)
		ev.fp = (ev.fp ^ (uint8_t)p->lx.buf[start]) * 16777619u;
	sched_parse_next(p);			/* the '}' */
	return add_event(p, &ev);
}

static int	parse_text(struct parser *, const char *name, const char *buf,
		    size_t len);

/*
 * Read a whole file of at most `max` bytes. A regular file only (through
 * symlinks): a FIFO, device or socket is refused at once, never opened
 * in a way that could block the master's loop (atomic_read_follow()).
 */
static char *
read_file(const char *path, size_t max, size_t *len, char *why, size_t wl)
{
	uint8_t	*buf;

	if (atomic_read_follow(path, max, &buf, len) == 0)
		return (char *)buf;
	if (errno == EINVAL)
		snprintf(why, wl, "not a regular file");
	else if (errno == EFBIG)
		snprintf(why, wl, "larger than %zu bytes with what includes it",
		    max);
	else
		snprintf(why, wl, "%s", strerror(errno));
	return NULL;
}

/*
 * The flat copy: each file's text, an include statement replaced by the
 * file it names (between newlines, so neither touches its neighbours).
 * Bounded by SCHED_MAX_FILE plus two bytes per include.
 */
static int
flat_add(struct parser *p, const char *s, size_t n)
{
	char	*nb;
	size_t	 cap;

	if (p->flat == NULL && p->flatcap == SIZE_MAX)
		return 0;		/* not wanted */
	if (p->flatlen + n > p->flatcap) {
		cap = p->flatcap * 2 > p->flatlen + n ? p->flatcap * 2 :
		    p->flatlen + n + 4096;
		if ((nb = realloc(p->flat, cap)) == NULL)
			return -1;
		p->flat = nb;
		p->flatcap = cap;
	}
	memcpy(p->flat + p->flatlen, s, n);
	p->flatlen += n;
	return 0;
}

/* Copy the current file up to `off` (not past its end). */
static int
flat_upto(struct parser *p, size_t off)
{
	if (off > p->lx.len)
		off = p->lx.len;
	if (off <= p->copied)
		return 0;
	if (flat_add(p, p->lx.buf + p->copied, off - p->copied) == -1)
		return -1;
	p->copied = off;
	return 0;
}

/*
 * "include loop: a.events -> b.events -> a.events" if `st` is a file
 * being parsed (an include of one of its includers); else 0.
 */
static int
include_loop(struct parser *p, const struct stat *st, const char *path,
    int line, int col)
{
	char	chain[512];
	size_t	n = 0;
	int	i, j;

	for (i = 0; i < p->depth; i++)
		if (p->incl[i].dev == st->st_dev && p->incl[i].ino == st->st_ino)
			break;
	if (i == p->depth)
		return 0;
	chain[0] = '\0';
	for (j = i; j < p->depth && n < sizeof(chain); j++)
		n += (size_t)snprintf(chain + n, sizeof(chain) - n, "%s -> ",
		    p->incl[j].name);
	if (n < sizeof(chain))
		snprintf(chain + n, sizeof(chain) - n, "%s", path);
	return sched_parse_err_at(p, line, col, "include loop: %s", chain);
}

/*
 * Parse the file at `path`, included at line:col of the current file
 * (0:0 for the events file itself). An error about the file as a whole
 * names it once: the top file's errors already start with its name,
 * an include's with its includer's position, so the include's path
 * follows.
 */
static int
parse_path(struct parser *p, const char *path, int line, int col)
{
	struct stat	 st;
	char		*buf, why[160];
	const char	*who = line == 0 ? "" : path, *sep = line == 0 ? "" :
			    ": ";
	size_t		 len;
	int		 r;

	memset(&st, 0, sizeof(st));
	if (stat(path, &st) == 0) {
		if (include_loop(p, &st, path, line, col) == -1)
			return -1;
		/* Named with its size, before anything is read. */
		if (S_ISREG(st.st_mode) && (uintmax_t)st.st_size >
		    SCHED_MAX_FILE - p->total)
			return sched_parse_err_at(p, line, col, "%s%s%jd bytes: "
			    "too big (SCHED_MAX_FILE: %d bytes for the events "
			    "file and its includes together%s)", who, sep,
			    (intmax_t)st.st_size, SCHED_MAX_FILE, p->total ?
			    ", some already read" : "");
	}
	if ((buf = read_file(path, SCHED_MAX_FILE - p->total, &len, why,
	    sizeof(why))) == NULL)
		return sched_parse_err_at(p, line, col, "%s%s%s", who, sep, why);
	p->total += len;
	p->incl[p->depth].dev = st.st_dev;
	p->incl[p->depth].ino = st.st_ino;
	p->incl[p->depth].name = path;
	r = parse_text(p, path, buf, len);
	free(buf);
	return r;
}

/* "include "FILE"": relative to the including file's folder. */
static int
parse_include(struct parser *p)
{
	char		*path;
	const char	*slash;
	size_t		 off = p->tok.off;
	int		 line = p->tok.line, col = p->tok.col, r, n;

	sched_parse_next(p);
	if (p->tok.kind != TK_STRING)
		return sched_parse_err(p, "a file name in quotes");
	if (!p->allow_include)
		return sched_parse_err_at(p, line, col, "include is not allowed here");
	if (p->depth >= SCHED_MAX_INCLUDE)
		return sched_parse_err_at(p, line, col, "includes nested deeper than %d",
		    SCHED_MAX_INCLUDE);
	slash = strrchr(p->lx.name, '/');
	if (p->tok.text[0] == '/' || slash == NULL)
		path = strdup(p->tok.text);
	else if (asprintf(&path, "%.*s/%s", (n = (int)(slash - p->lx.name)),
	    p->lx.name, p->tok.text) == -1)
		path = NULL;
	if (path == NULL)
		return sched_parse_err_at(p, line, col, "out of memory");
	if (flat_upto(p, off) == -1 || flat_add(p, "\n", 1) == -1) {
		free(path);
		return sched_parse_err_at(p, line, col, "out of memory");
	}
	sched_parse_next(p);
	r = parse_path(p, path, line, col);
	free(path);
	/* The included text replaces the statement, up to the next token. */
	p->copied = p->tok.off;
	if (flat_add(p, "\n", 1) == -1)
		return sched_parse_err_at(p, line, col, "out of memory");
	return r;
}

static void
parse_stmts(struct parser *p)
{
	int r;

	while (p->tok.kind != TK_EOF && p->errs->n < SCHED_MAX_ERRORS) {
		if (sched_parse_is_word(p, "event")) {
			if (parse_event(p) == -1)
				recover(p, 1);
			continue;
		}
		if (sched_parse_is_word(p, "mode"))
			r = sched_parse_mode(p);
		else if (sched_parse_is_word(p, "counter") || sched_parse_is_word(p, "timestamp"))
			r = sched_parse_var_decl(p, sched_parse_is_word(p, "counter") ?
			    V_COUNTER : V_STAMP);
		else if (sched_parse_is_word(p, "include"))
			r = parse_include(p);
		else {
			sched_parse_err(p, "event, mode, counter, timestamp or include");
			sched_parse_next(p);
			r = 0;
		}
		if (r == -1)
			recover(p, 1);
	}
	if (p->tok.kind != TK_EOF)
		p->stopped = 1;		/* at SCHED_MAX_ERRORS */
}

/* One file or buffer, with its own lexer; the parser's state saved. */
static int
parse_text(struct parser *p, const char *name, const char *buf, size_t len)
{
	struct sched_lex	 save_lx = p->lx;
	struct sched_tok	 save_tok = p->tok;
	char			*save_file = p->file;
	size_t			 save_copied = p->copied;
	int			 nerr = p->nerr;

	if ((p->file = sched_pool_strdup(p, name)) == NULL)
		return sched_parse_err_at(p, 1, 1, "out of memory");
	p->depth++;
	sched_lex_init(&p->lx, p->file, buf, len);
	p->copied = 0;
	sched_parse_next(p);
	parse_stmts(p);
	if (flat_upto(p, len) == -1)
		sched_parse_err_at(p, 1, 1, "out of memory");
	p->depth--;
	p->copied = save_copied;
	p->lx = save_lx;
	p->tok = save_tok;
	p->file = save_file;
	return p->nerr > nerr ? -1 : 0;
}

static struct sched_prog *
parse_begin(struct parser *p, struct sched_errs *e)
{
	memset(p, 0, sizeof(*p));
	memset(e, 0, sizeof(*e));
	p->errs = e;
	if ((p->prog = calloc(1, sizeof(*p->prog))) == NULL ||
	    (p->prog->pool = calloc(1, sizeof(*p->prog->pool))) == NULL ||
	    (p->names = calloc(NAME_HASH, sizeof(*p->names))) == NULL ||
	    (p->strs = calloc(STR_HASH, sizeof(*p->strs))) == NULL) {
		free(p->names);
		if (p->prog != NULL)
			free(p->prog->pool);
		free(p->prog);
		snprintf(e->buf, sizeof(e->buf), "out of memory\n");
		e->len = strlen(e->buf);
		e->n = 1;
		return NULL;
	}
	return p->prog;
}

static struct sched_prog *
parse_end(struct parser *p)
{
	struct sched_prog *g = p->prog;

	if (p->nerr == 0)
		sched_parse_finish(p);
	free(p->names);
	free(p->strs);
	g->flat = p->flat;
	g->flatlen = p->flatlen;
	if (p->nerr > 0) {
		if (p->stopped || p->errs->n > SCHED_MAX_ERRORS)
			errs_note(p->errs, p->top, "stopped after %d errors "
			    "(SCHED_MAX_ERRORS): fix these and check again",
			    SCHED_MAX_ERRORS);
		sched_prog_free(g);
		return NULL;
	}
	g->bytes += (size_t)p->evcap * sizeof(*g->ev) +
	    (size_t)g->nvtrig * sizeof(*g->vtrig);
	return g;
}

struct sched_prog *
sched_parse_buf(const char *name, const char *buf, size_t len,
    int allow_include, struct sched_errs *e)
{
	struct parser p;

	if (parse_begin(&p, e) == NULL)
		return NULL;
	p.allow_include = allow_include;
	p.top = name;
	p.flatcap = SIZE_MAX;		/* no flat copy */
	if (len > SCHED_MAX_FILE)
		sched_parse_err_at(&p, 0, 0, "%zu bytes: too big (SCHED_MAX_FILE: %d "
		    "bytes)", len, SCHED_MAX_FILE);
	else
		parse_text(&p, name, buf, len);
	return parse_end(&p);
}

struct sched_prog *
sched_parse_file(const char *path, struct sched_errs *e)
{
	struct parser p;

	if (parse_begin(&p, e) == NULL)
		return NULL;
	p.allow_include = 1;
	p.lx.name = p.top = path;
	parse_path(&p, path, 0, 0);
	return parse_end(&p);
}

void
sched_prog_free(struct sched_prog *g)
{
	struct chunk	*c, *n;
	int		 i, j;

	if (g == NULL)
		return;
	for (i = 0; i < g->nev; i++)
		for (j = 0; j < g->ev[i].ntrig; j++)
			free(g->ev[i].trig[j].prev_s);
	for (c = g->pool->head; c != NULL; c = n) {
		n = c->next;
		free(c);
	}
	free(g->pool);
	free(g->flat);
	free(g->ev);
	free(g->vtrig);
	free(g);
}

struct sched_event *
sched_prog_find(const struct sched_prog *g, const char *name)
{
	int i;

	for (i = 0; i < g->nev; i++)
		if (strcmp(g->ev[i].name, name) == 0)
			return &g->ev[i];
	return NULL;
}
