/*
 * The file's variables: modes (a value of a declared set, the first at
 * first), and beyond them (docs/SCHEDULER.md#variables) counters (an
 * integer, 0 at first) and timestamps (an instant, unset at first),
 * declared before their use, changed by actions, read by
 * conditions, kept in the state file and across reloads by name.
 *
 *	counter doorbell-rings
 *	timestamp last-motion
 *	... do count doorbell-rings		(one more)
 *	... do count people-in by -1		(one less)
 *	... do set doorbell-rings = 0
 *	... do stamp last-motion		(now)
 *	... if doorbell-rings >= 3 and last-motion older than 2 h
 */

#include <inttypes.h>
#include <string.h>

#include "log.h"
#include "sched/sched.h"

int
sched_mode_find(const struct sched_prog *g, const char *name)
{
	int i;

	for (i = 0; i < g->nmodes; i++)
		if (strcmp(g->modes[i].name, name) == 0)
			return i;
	return -1;
}

int
sched_mode_value(const struct sched_mode *m, const char *v)
{
	int i;

	for (i = 0; i < m->nvals; i++)
		if (strcmp(m->vals[i], v) == 0)
			return i;
	return -1;
}

/* "mode NAME { VALUE... }": the first value is the initial one. */
int
sched_parse_mode(struct parser *p)
{
	struct sched_prog	*g = p->prog;
	struct sched_mode	*m;
	char			 name[SCHED_NAME_MAX + 1];
	char			 val[SCHED_NAME_MAX + 1];
	int			 line = p->tok.line, col = p->tok.col;

	sched_parse_next(p);
	if (sched_parse_want_name(p, "a mode name", name) == -1)
		return -1;
	if (sched_mode_find(g, name) != -1 || sched_var_find(g, name) != -1)
		return sched_parse_err_at(p, line, col, "\"%s\" declared twice (a mode, "
		    "counter or timestamp)", name);
	if (g->nmodes == SCHED_MAX_MODES)
		return sched_parse_err_at(p, line, col, "more than %d modes",
		    SCHED_MAX_MODES);
	m = &g->modes[g->nmodes];
	memset(m, 0, sizeof(*m));
	if (p->tok.kind != TK_LBRACE)
		return sched_parse_err(p, "'{' and the mode's values");
	sched_parse_next(p);
	while (p->tok.kind != TK_RBRACE) {
		if (sched_parse_want_name(p, "a mode value or '}'", val) == -1)
			return -1;
		if (sched_mode_value(m, val) != -1)
			return sched_parse_err_at(p, line, col, "mode \"%s\": value "
			    "\"%s\" given twice", name, val);
		if (m->nvals == SCHED_MAX_MODE_VALUES)
			return sched_parse_err_at(p, line, col, "more than %d values",
			    SCHED_MAX_MODE_VALUES);
		if ((m->vals[m->nvals++] = sched_pool_strdup(p, val)) == NULL)
			return sched_parse_err_at(p, line, col, "out of memory");
	}
	sched_parse_next(p);
	if (m->nvals == 0)
		return sched_parse_err_at(p, line, col, "mode \"%s\" has no values", name);
	if ((m->name = sched_pool_strdup(p, name)) == NULL)
		return sched_parse_err_at(p, line, col, "out of memory");
	g->nmodes++;
	return 0;
}

int
sched_var_find(const struct sched_prog *g, const char *name)
{
	int i;

	for (i = 0; i < g->nvars; i++)
		if (strcmp(g->vars[i].name, name) == 0)
			return i;
	return -1;
}

/* "counter NAME" / "timestamp NAME", the keyword read. */
int
sched_parse_var_decl(struct parser *p, enum var_kind kind)
{
	struct sched_prog	*g = p->prog;
	char			 name[SCHED_NAME_MAX + 1];
	int			 line = p->tok.line, col = p->tok.col;

	sched_parse_next(p);
	if (sched_parse_want_name(p, kind == V_COUNTER ? "a counter name" :
	    "a timestamp name", name) == -1)
		return -1;
	if (sched_var_find(g, name) != -1 || sched_mode_find(g, name) != -1)
		return sched_parse_err_at(p, line, col, "\"%s\" declared twice (a mode, "
		    "counter or timestamp)", name);
	if (g->nvars == SCHED_MAX_VARS)
		return sched_parse_err_at(p, line, col, "more than %d counters and "
		    "timestamps", SCHED_MAX_VARS);
	if ((g->vars[g->nvars].name = sched_pool_strdup(p, name)) == NULL)
		return sched_parse_err_at(p, line, col, "out of memory");
	g->vars[g->nvars].kind = kind;
	g->nvars++;
	return 0;
}

/* The declared variable the current word names, of `kind`; -1 and an
 * error if none. */
static int
want_var(struct parser *p, enum var_kind kind)
{
	int v;

	if (p->tok.kind != TK_WORD ||
	    (v = sched_var_find(p->prog, p->tok.text)) == -1 ||
	    p->prog->vars[v].kind != kind)
		return sched_parse_err(p, kind == V_COUNTER ? "a declared counter" :
		    "a declared timestamp");
	sched_parse_next(p);
	return v;
}

/*
 * count COUNTER [by [-]N] / stamp TIMESTAMP, the keyword current. The
 * step is a whole number other than 0 (the lexer takes at most 9
 * digits), kept in a->val.i: 1 without "by".
 */
int
sched_parse_var_act(struct parser *p, struct sched_act *a)
{
	int count = sched_parse_is_word(p, "count");

	a->kind = count ? A_COUNT : A_STAMP;
	sched_parse_next(p);
	if ((a->mode = want_var(p, count ? V_COUNTER : V_STAMP)) == -1)
		return -1;
	a->val.type = SV_INT;
	a->val.i = 1;
	if (!count || !sched_parse_is_word(p, "by"))
		return 0;
	sched_parse_next(p);
	if (p->tok.kind != TK_NUMBER && p->tok.kind != TK_MINUS)
		return sched_parse_err(p, "a whole number after 'by'");
	if (sched_parse_value(p, &a->val) == -1)
		return -1;
	if (a->val.type != SV_INT || a->val.i == 0)
		return sched_parse_err_at(p, a->line, a->col, "a counter counts "
		    "by a whole number other than 0 (by 1, by -1)");
	return 0;
}

/* set COUNTER = NUMBER, the name current and known to be a counter. */
int
sched_parse_var_set(struct parser *p, struct sched_act *a)
{
	a->kind = A_VARSET;
	if ((a->mode = want_var(p, V_COUNTER)) == -1)
		return -1;
	if (p->tok.kind != TK_ASSIGN)
		return sched_parse_err(p, "'='");
	sched_parse_next(p);
	if (sched_parse_value(p, &a->val) == -1)
		return -1;
	if (a->val.type != SV_INT)
		return sched_parse_err_at(p, a->line, a->col, "a counter is set to a "
		    "whole number");
	return 0;
}

/* COUNTER OP NUMBER / TIMESTAMP (older than | within) DURATION. */
struct sched_cond *
sched_parse_var_cond(struct parser *p, int v)
{
	struct sched_cond	*c;
	long long		 ms;

	sched_parse_next(p);
	if ((c = sched_parse_new_cond(p, C_VAR)) == NULL)
		return NULL;
	c->mode = v;
	if (p->prog->vars[v].kind == V_COUNTER) {
		if (sched_parse_cmp_op(p->tok.kind, &c->op) == -1)
			return sched_parse_err(p, "a comparison (<, <=, >, >=, ==, !=)"),
			    NULL;
		sched_parse_next(p);
		if (sched_parse_value(p, &c->val) == -1)
			return NULL;
		if (c->val.type != SV_INT)
			return sched_parse_err(p, "a whole number"), NULL;
		return c;
	}
	if (sched_parse_is_word(p, "within"))
		c->up = 1;
	else if (sched_parse_is_word(p, "older")) {
		sched_parse_next(p);
		if (!sched_parse_is_word(p, "than"))
			return sched_parse_err(p, "'than'"), NULL;
	} else
		return sched_parse_err(p, "'older than' or 'within' and a duration"),
		    NULL;
	sched_parse_next(p);
	if (sched_parse_duration(p, 1000, SCHED_MAX_WAIT_S * 1000LL, &ms) == -1)
		return NULL;
	c->val.type = SV_INT;
	c->val.i = ms;
	return c;
}

/*
 * A timestamp never stamped is older than any duration, within none.
 * A stamp in the future (the clock stepped back) is within.
 */
int
sched_var_eval(const struct sched *s, const struct sched_cond *c, int64_t now)
{
	const struct sched_var	*v = &s->prog->vars[c->mode];
	int			 within;

	if (v->kind == V_COUNTER) {
		switch (c->op) {
		case OP_LT: return v->val < c->val.i;
		case OP_LE: return v->val <= c->val.i;
		case OP_GT: return v->val > c->val.i;
		case OP_GE: return v->val >= c->val.i;
		case OP_EQ: return v->val == c->val.i;
		default: return v->val != c->val.i;
		}
	}
	within = v->set && now - v->val < c->val.i;
	return c->up ? within : !within;
}

/* v + step, held at the ends of int64_t rather than wrapping round. */
static int64_t
count_add(int64_t v, int64_t step)
{
	if (step > 0 && v > INT64_MAX - step)
		return INT64_MAX;
	if (step < 0 && v < INT64_MIN - step)
		return INT64_MIN;
	return v + step;
}

/* Actions on variables: state, saved before the next firing runs. */
void
sched_var_run(struct sched *s, const struct sched_event *ev,
    const struct sched_act *a)
{
	struct sched_var *v = &s->prog->vars[a->mode];

	if (a->kind == A_STAMP) {
		v->val = s->now;
		v->set = 1;
	} else if (a->kind == A_COUNT)
		v->val = count_add(v->val, a->val.i);
	else
		v->val = a->val.i;
	log_debug("sched: event %s: %s = %" PRId64, ev->name, v->name,
	    v->val);
	s->dirty = 1;
}

/* A reload keeps the values of variables of the same name and kind. */
void
sched_var_carry(struct sched_prog *g, const struct sched_prog *old)
{
	int i, o;

	for (i = 0; i < g->nvars; i++)
		if ((o = sched_var_find(old, g->vars[i].name)) != -1 &&
		    old->vars[o].kind == g->vars[i].kind) {
			g->vars[i].val = old->vars[o].val;
			g->vars[i].set = old->vars[o].set;
		}
}
