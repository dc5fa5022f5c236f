/*
 * An event's condition (docs/SCHEDULER.md#conditions): "if" followed by
 * atoms (time windows, the sun, calendar filters, device comparisons,
 * modes) joined by not/and/or and parentheses, with the usual
 * precedence. Nesting and size are bounded, so evaluating it cannot
 * recurse without limit.
 */

#include <stdio.h>
#include <string.h>

#include "sched/sched.h"

static struct sched_cond *parse_and(struct parser *, int depth);

struct sched_cond *
sched_parse_new_cond(struct parser *p, enum cond_kind k)
{
	struct sched_cond *c;

	if (++p->nterms > SCHED_MAX_COND_TERMS) {
		sched_parse_err_at(p, p->tok.line, p->tok.col, "a condition of more than "
		    "%d parts", SCHED_MAX_COND_TERMS);
		return NULL;
	}
	if ((c = sched_pool_alloc(p, sizeof(*c))) == NULL)
		sched_parse_err_at(p, p->tok.line, p->tok.col, "out of memory");
	else
		c->kind = k;
	return c;
}

int
sched_parse_cmp_op(enum tok_kind k, enum cmp_op *op)
{
	static const enum tok_kind tk[] = { TK_LT, TK_LE, TK_GT, TK_GE,
	    TK_EQ, TK_NE };
	size_t i;

	for (i = 0; i < sizeof(tk) / sizeof(tk[0]); i++)
		if (tk[i] == k) {
			*op = (enum cmp_op)i;
			return 0;
		}
	return -1;
}

/* MODE is VALUE, MODE == VALUE, MODE != VALUE */
static struct sched_cond *
parse_modecond(struct parser *p)
{
	struct sched_cond	*c;
	int			 line = p->tok.line, col = p->tok.col, m;
	char			 v[SCHED_NAME_MAX + 1];

	if ((m = sched_var_find(p->prog, p->tok.text)) != -1)
		return sched_parse_var_cond(p, m);
	if ((m = sched_mode_find(p->prog, p->tok.text)) == -1) {
		sched_parse_err(p, "a condition (from, sun, on, in, dates, a device "
		    "value, a declared mode, counter or timestamp, not, '(')");
		return NULL;
	}
	sched_parse_next(p);
	if ((c = sched_parse_new_cond(p, C_MODE)) == NULL)
		return NULL;
	c->mode = m;
	if (sched_parse_is_word(p, "is") || p->tok.kind == TK_EQ)
		c->op = OP_EQ;
	else if (p->tok.kind == TK_NE)
		c->op = OP_NE;
	else {
		sched_parse_err(p, "is, == or !=");
		return NULL;
	}
	sched_parse_next(p);
	if (sched_parse_want_name(p, "a mode value", v) == -1)
		return NULL;
	if ((c->modeval = sched_mode_value(&p->prog->modes[m], v)) == -1) {
		sched_parse_err_at(p, line, col, "mode \"%s\" has no value \"%s\"",
		    p->prog->modes[m].name, v);
		return NULL;
	}
	return c;
}

/*
 * from BOUND to BOUND. Two times of day: a wall-time window (C_TIME);
 * with a sun event on either side, a window of instants (C_WINDOW):
 * from each 'from' instant to the next 'to' one, so 'from sunset to
 * sunrise' crosses midnight, and lasts through a polar night.
 */
static struct sched_cond *
parse_window(struct parser *p)
{
	struct sched_cond	*c;
	struct sched_trig	 wb[2];

	if ((c = sched_parse_new_cond(p, C_WINDOW)) == NULL)
		return NULL;
	memset(wb, 0, sizeof(wb));
	sched_parse_next(p);
	if (sched_parse_bound(p, &wb[0]) == -1)
		return NULL;
	if (!sched_parse_is_word(p, "to"))
		return sched_parse_err(p, "'to' and a time of day or a sun event"), NULL;
	sched_parse_next(p);
	if (sched_parse_bound(p, &wb[1]) == -1)
		return NULL;
	if (wb[0].kind == T_AT && wb[1].kind == T_AT) {
		c->kind = C_TIME;
		c->from = wb[0].secs;
		c->to = wb[1].secs;
		return c;
	}
	if ((c->wb = sched_pool_alloc(p, sizeof(wb))) == NULL) {
		sched_parse_err_at(p, p->tok.line, p->tok.col, "out of memory");
		return NULL;
	}
	memcpy(c->wb, wb, sizeof(wb));
	return c;
}

static struct sched_cond *
parse_atom(struct parser *p)
{
	struct sched_cond *c;

	if (p->tok.kind == TK_DEVREF) {
		if ((c = sched_parse_new_cond(p, C_CMP)) == NULL ||
		    sched_parse_devref(p, &c->ref) == -1)
			return NULL;
		if (sched_parse_is_word(p, "is"))
			c->op = OP_EQ;
		else if (sched_parse_cmp_op(p->tok.kind, &c->op) == -1) {
			sched_parse_err(p, "a comparison (<, <=, >, >=, ==, !=, is)");
			return NULL;
		}
		sched_parse_next(p);
		return sched_parse_value(p, &c->val) == -1 ? NULL : c;
	}
	if (sched_parse_is_word(p, "from"))
		return parse_window(p);
	if (sched_parse_is_word(p, "sun")) {
		if ((c = sched_parse_new_cond(p, C_SUN)) == NULL)
			return NULL;
		p->prog->uses_sun = 1;
		sched_parse_next(p);
		if (sched_parse_is_word(p, "is"))
			sched_parse_next(p);
		if (!sched_parse_is_word(p, "up") && !sched_parse_is_word(p, "down"))
			return sched_parse_err(p, "up or down"), NULL;
		c->up = sched_parse_is_word(p, "up");
		sched_parse_next(p);
		return c;
	}
	if (sched_parse_is_word(p, "on") || sched_parse_is_word(p, "in") || sched_parse_is_word(p, "dates")) {
		if ((c = sched_parse_new_cond(p, C_CAL)) == NULL ||
		    sched_parse_filter(p, &c->f) == -1)
			return NULL;
		return c;
	}
	if (p->tok.kind == TK_WORD)
		return parse_modecond(p);
	sched_parse_err(p, "a condition");
	return NULL;
}

static struct sched_cond *
parse_unary(struct parser *p, int depth)
{
	struct sched_cond *c;

	if (depth > SCHED_MAX_COND_DEPTH) {
		sched_parse_err_at(p, p->tok.line, p->tok.col, "condition nested deeper "
		    "than %d", SCHED_MAX_COND_DEPTH);
		return NULL;
	}
	if (sched_parse_is_word(p, "not")) {
		sched_parse_next(p);
		if ((c = sched_parse_new_cond(p, C_NOT)) == NULL ||
		    (c->a = parse_unary(p, depth + 1)) == NULL)
			return NULL;
		return c;
	}
	if (p->tok.kind == TK_LPAREN) {
		sched_parse_next(p);
		if ((c = sched_parse_or(p, depth + 1)) == NULL)
			return NULL;
		if (p->tok.kind != TK_RPAREN)
			return sched_parse_err(p, "')'"), NULL;
		sched_parse_next(p);
		return c;
	}
	return parse_atom(p);
}

static struct sched_cond *
parse_and(struct parser *p, int depth)
{
	struct sched_cond *a, *c;

	if ((a = parse_unary(p, depth)) == NULL)
		return NULL;
	while (sched_parse_is_word(p, "and")) {
		sched_parse_next(p);
		if ((c = sched_parse_new_cond(p, C_AND)) == NULL)
			return NULL;
		c->a = a;
		if ((c->b = parse_unary(p, depth)) == NULL)
			return NULL;
		a = c;
	}
	return a;
}

struct sched_cond *
sched_parse_or(struct parser *p, int depth)
{
	struct sched_cond *a, *c;

	if ((a = parse_and(p, depth)) == NULL)
		return NULL;
	while (sched_parse_is_word(p, "or")) {
		sched_parse_next(p);
		if ((c = sched_parse_new_cond(p, C_OR)) == NULL)
			return NULL;
		c->a = a;
		if ((c->b = parse_and(p, depth)) == NULL)
			return NULL;
		a = c;
	}
	return a;
}
