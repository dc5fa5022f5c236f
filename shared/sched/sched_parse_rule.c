/*
 * The inside of an event (docs/SCHEDULER.md#grammar): its triggers
 * ("when"), its actions ("do") and options (its condition is in
 * sched_parse_cond.c); and the checks that need the whole program
 * (events named by run/cancel, the index of value triggers).
 */

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sched/sched.h"

static const char *const day_names[] = {
	"sun", "mon", "tue", "wed", "thu", "fri", "sat",
};
static const char *const month_names[] = {
	"", "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep",
	"oct", "nov", "dec",
};
static const int month_days[] = {
	0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31,
};

/* "node/device.key" */
int
sched_parse_devref(struct parser *p, struct sched_devref *r)
{
	char	*s = p->tok.text, *slash, *dot;

	if (p->tok.kind != TK_DEVREF)
		return sched_parse_err(p, "a device value (node/device.key)");
	slash = strchr(s, '/');
	dot = strrchr(s, '.');
	if (slash == s || dot == NULL || dot < slash || dot == slash + 1 ||
	    dot[1] == '\0' || strchr(dot, '/') != NULL ||
	    slash - s > NODE_ID_MAX || dot - slash - 1 > DEVICE_ID_MAX ||
	    strlen(dot + 1) > VALUE_KEY_MAX)
		return sched_parse_err_at(p, p->tok.line, p->tok.col, "\"%.40s\" is not "
		    "node/device.key (at most %d/%d.%d characters)", s,
		    NODE_ID_MAX, DEVICE_ID_MAX, VALUE_KEY_MAX);
	*slash = *dot = '\0';
	r->node = sched_pool_intern(p, s);
	r->dev = sched_pool_intern(p, slash + 1);
	r->key = sched_pool_intern(p, dot + 1);
	if (r->node == NULL || r->dev == NULL || r->key == NULL)
		return sched_parse_err_at(p, p->tok.line, p->tok.col, "out of memory");
	sched_parse_next(p);
	return 0;
}

/* An optional '-', then a number. */
static int
parse_number(struct parser *p, double *d, int *integral)
{
	int neg = 0;

	if (p->tok.kind == TK_MINUS) {
		neg = 1;
		sched_parse_next(p);
	}
	if (p->tok.kind != TK_NUMBER)
		return sched_parse_err(p, "a number");
	*d = neg ? -p->tok.num : p->tok.num;
	*integral = p->tok.integral;
	sched_parse_next(p);
	return 0;
}

/* on, off, true, false, a number or a "string". */
int
sched_parse_value(struct parser *p, struct sched_val *v)
{
	int integral = 0;

	memset(v, 0, sizeof(*v));
	if (sched_parse_is_word(p, "on") || sched_parse_is_word(p, "true") || sched_parse_is_word(p, "off") ||
	    sched_parse_is_word(p, "false")) {
		v->type = SV_BOOL;
		v->i = sched_parse_is_word(p, "on") || sched_parse_is_word(p, "true");
		sched_parse_next(p);
		return 0;
	}
	if (p->tok.kind == TK_STRING) {
		v->type = SV_STRING;
		if ((v->s = sched_pool_strdup(p, p->tok.text)) == NULL)
			return sched_parse_err_at(p, p->tok.line, p->tok.col,
			    "out of memory");
		sched_parse_next(p);
		return 0;
	}
	if (p->tok.kind != TK_NUMBER && p->tok.kind != TK_MINUS)
		return sched_parse_err(p, "a value (on, off, true, false, a number or a "
		    "\"string\")");
	if (parse_number(p, &v->d, &integral) == -1)
		return -1;
	if (integral) {
		v->type = SV_INT;
		v->i = (int64_t)v->d;
	} else
		v->type = SV_DOUBLE;
	return 0;
}

/* NUMBER UNIT in ms, within min..max ms. */
int
sched_parse_duration(struct parser *p, long long min, long long max, long long *ms)
{
	static const struct { const char *u; long long ms; } units[] = {
		{ "ms", 1 }, { "s", 1000 }, { "sec", 1000 }, { "secs", 1000 },
		{ "second", 1000 }, { "seconds", 1000 }, { "min", 60000 },
		{ "mins", 60000 }, { "minute", 60000 }, { "minutes", 60000 },
		{ "h", 3600000 }, { "hour", 3600000 }, { "hours", 3600000 },
		{ "d", 86400000 }, { "day", 86400000 }, { "days", 86400000 },
	};
	int	line = p->tok.line, col = p->tok.col;
	double	n;
	size_t	i;

	if (p->tok.kind != TK_NUMBER)
		return sched_parse_err(p, "a duration (15 min, 2 h, 500 ms)");
	n = p->tok.num;
	sched_parse_next(p);
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (sched_parse_is_word(p, units[i].u))
			break;
	if (i == sizeof(units) / sizeof(units[0]))
		return sched_parse_err(p, "a unit (ms, s, min, h, d)");
	sched_parse_next(p);
	*ms = llround(n * (double)units[i].ms);
	if (*ms < min || *ms > max)
		return sched_parse_err_at(p, line, col, "duration out of range (%lld ms "
		    "to %lld s)", min, max / 1000);
	return 0;
}

/* "mon", "mon-fri", "sat-mon"; bits from a to b, wrapping. */
static int
name_range(const char *w, const char *const *names, int lo, int hi,
    uint32_t *bits)
{
	char	 a[8], b[8];
	int	 i, from = -1, to = -1;
	const char *dash = strchr(w, '-');

	snprintf(a, sizeof(a), "%.*s", dash ? (int)(dash - w) : 7, w);
	snprintf(b, sizeof(b), "%s", dash ? dash + 1 : a);
	for (i = lo; i <= hi; i++) {
		if (strcmp(a, names[i]) == 0)
			from = i;
		if (strcmp(b, names[i]) == 0)
			to = i;
	}
	if (from == -1 || to == -1)
		return -1;
	for (i = from;; i = i == hi ? lo : i + 1) {
		*bits |= 1u << i;
		if (i == to)
			break;
	}
	return 0;
}

/* "mon-fri,sun", "weekdays", "weekends", "daily" */
static int
parse_days(struct parser *p, uint8_t *days)
{
	uint32_t bits = 0;

	for (;;) {
		if (sched_parse_is_word(p, "weekdays"))
			bits |= 0x3e;
		else if (sched_parse_is_word(p, "weekends"))
			bits |= 0x41;
		else if (sched_parse_is_word(p, "daily"))
			bits |= 0x7f;
		else if (p->tok.kind != TK_WORD || name_range(p->tok.text,
		    day_names, 0, 6, &bits) == -1)
			return sched_parse_err(p, "days (mon, mon-fri, weekdays, "
			    "weekends, daily)");
		sched_parse_next(p);
		if (p->tok.kind != TK_COMMA)
			break;
		sched_parse_next(p);
	}
	*days = (uint8_t)bits;
	return 0;
}

static int
parse_months(struct parser *p, uint16_t *months)
{
	uint32_t bits = 0;

	for (;;) {
		if (p->tok.kind != TK_WORD || name_range(p->tok.text,
		    month_names, 1, 12, &bits) == -1)
			return sched_parse_err(p, "months (jan, nov-feb)");
		sched_parse_next(p);
		if (p->tok.kind != TK_COMMA)
			break;
		sched_parse_next(p);
	}
	*months = (uint16_t)bits;
	return 0;
}

/* MM-DD as month * 100 + day. */
static int
parse_monthday(struct parser *p, int *md)
{
	int	line = p->tok.line, col = p->tok.col;
	double	m, d;

	if (p->tok.kind != TK_NUMBER)
		return sched_parse_err(p, "a date MM-DD");
	m = p->tok.num;
	sched_parse_next(p);
	if (p->tok.kind != TK_MINUS)
		return sched_parse_err(p, "'-' in a date MM-DD");
	sched_parse_next(p);
	if (p->tok.kind != TK_NUMBER)
		return sched_parse_err(p, "a day in a date MM-DD");
	d = p->tok.num;
	sched_parse_next(p);
	if (m < 1 || m > 12 || m != floor(m) || d < 1 || d != floor(d) ||
	    d > month_days[(int)m])
		return sched_parse_err_at(p, line, col, "no such date");
	*md = (int)m * 100 + (int)d;
	return 0;
}

/* "dates 12-20 to 01-05" */
static int
parse_dates(struct parser *p, struct sched_filter *f)
{
	if (parse_monthday(p, &f->date_from) == -1)
		return -1;
	if (!sched_parse_is_word(p, "to"))
		return sched_parse_err(p, "'to' and the last date");
	sched_parse_next(p);
	return parse_monthday(p, &f->date_to);
}

/* One calendar filter if the current word starts one: 1, 0 or -1. */
int
sched_parse_filter(struct parser *p, struct sched_filter *f)
{
	int line = p->tok.line, col = p->tok.col, r;

	if (sched_parse_is_word(p, "on")) {
		sched_parse_next(p);
		r = f->days ? sched_parse_err_at(p, line, col, "days given twice") :
		    parse_days(p, &f->days);
	} else if (sched_parse_is_word(p, "in")) {
		sched_parse_next(p);
		r = f->months ? sched_parse_err_at(p, line, col, "months given twice") :
		    parse_months(p, &f->months);
	} else if (sched_parse_is_word(p, "dates")) {
		sched_parse_next(p);
		r = f->date_from ? sched_parse_err_at(p, line, col, "dates given twice") :
		    parse_dates(p, f);
	} else
		return 0;
	return r == -1 ? -1 : 1;
}

static int
parse_filters(struct parser *p, struct sched_filter *f)
{
	int r;

	while ((r = sched_parse_filter(p, f)) == 1)
		;
	return r;
}

static int
sun_kind(const char *w)
{
	static const char *const alias[][2] = {
		{ "civil-dawn", "dawn" }, { "civil-dusk", "dusk" },
	};
	size_t i;

	for (i = 0; i < sizeof(alias) / sizeof(alias[0]); i++)
		if (strcmp(w, alias[i][0]) == 0)
			w = alias[i][1];
	for (i = 0; i < SUN_NKINDS; i++)
		if (strcmp(w, sched_sun_name((enum sched_sun)i)) == 0)
			return (int)i;
	return -1;
}

/* sunset [+|- DURATION] [filters] */
static int
parse_sun(struct parser *p, struct sched_trig *t)
{
	if (sched_parse_bound(p, t) == -1)
		return -1;
	return parse_filters(p, &t->f);
}

int
sched_parse_bound(struct parser *p, struct sched_trig *t)
{
	long long	ms;
	int		sign;

	if (p->tok.kind == TK_TIME) {
		t->kind = T_AT;
		t->secs = p->tok.secs;
		sched_parse_next(p);
		return 0;
	}
	if (p->tok.kind != TK_WORD || sun_kind(p->tok.text) == -1)
		return sched_parse_err(p, "a time of day (HH:MM) or a sun event (sunset, "
		    "sunrise, dusk, ...)");
	t->kind = T_SUN;
	t->sun = (enum sched_sun)sun_kind(p->tok.text);
	p->prog->uses_sun = 1;
	sched_parse_next(p);
	if (p->tok.kind == TK_PLUS || p->tok.kind == TK_MINUS) {
		sign = p->tok.kind == TK_PLUS ? 1 : -1;
		sched_parse_next(p);
		if (sched_parse_duration(p, 0, SCHED_MAX_SUN_OFFSET_S * 1000LL,
		    &ms) == -1)
			return -1;
		t->offset_s = sign * (long)(ms / 1000);
	}
	return 0;
}

/* DEV above|below N [hysteresis H] [for D] / DEV changes [from V] [to V] */
static int
parse_devtrig(struct parser *p, struct sched_trig *t)
{
	long long	ms;
	int		integral;

	if (sched_parse_devref(p, &t->ref) == -1)
		return -1;
	if (sched_parse_is_word(p, "changes")) {
		t->kind = T_CHANGE;
		sched_parse_next(p);
		if (sched_parse_is_word(p, "from")) {
			sched_parse_next(p);
			if (sched_parse_value(p, &t->from) == -1)
				return -1;
		}
		if (sched_parse_is_word(p, "to")) {
			sched_parse_next(p);
			if (sched_parse_value(p, &t->to) == -1)
				return -1;
		}
		return 0;
	}
	if (!sched_parse_is_word(p, "above") && !sched_parse_is_word(p, "below"))
		return sched_parse_err(p, "above, below or changes");
	t->kind = T_VALUE;
	t->above = sched_parse_is_word(p, "above");
	sched_parse_next(p);
	if (parse_number(p, &t->thr, &integral) == -1)
		return -1;
	if (sched_parse_is_word(p, "hysteresis")) {
		sched_parse_next(p);
		if (parse_number(p, &t->hyst, &integral) == -1)
			return -1;
		if (t->hyst < 0)
			return sched_parse_err_at(p, p->tok.line, p->tok.col,
			    "hysteresis is not negative");
	}
	if (sched_parse_is_word(p, "for")) {
		sched_parse_next(p);
		if (sched_parse_duration(p, 1000, SCHED_MAX_WAIT_S * 1000LL,
		    &ms) == -1)
			return -1;
		t->for_s = (long)(ms / 1000);
	}
	return 0;
}

static int
parse_trigger(struct parser *p, struct sched_trig *t)
{
	long long ms;

	memset(t, 0, sizeof(*t));
	t->line = p->tok.line;
	t->col = p->tok.col;
	t->he.pos = -1;
	if (p->tok.kind == TK_DEVREF)
		return parse_devtrig(p, t);
	if (sched_parse_is_word(p, "at")) {
		t->kind = T_AT;
		sched_parse_next(p);
		if (p->tok.kind != TK_TIME)
			return sched_parse_err(p, "a time of day (HH:MM)");
		t->secs = p->tok.secs;
		sched_parse_next(p);
		return parse_filters(p, &t->f);
	}
	if (sched_parse_is_word(p, "every")) {
		t->kind = T_EVERY;
		sched_parse_next(p);
		if (sched_parse_duration(p, 1000, SCHED_MAX_WAIT_S * 1000LL,
		    &ms) == -1)
			return -1;
		if (ms % 1000 != 0)
			return sched_parse_err_at(p, t->line, t->col, "every: whole "
			    "seconds");
		t->secs = (long)(ms / 1000);
		return parse_filters(p, &t->f);
	}
	if (p->tok.kind == TK_WORD && sun_kind(p->tok.text) != -1)
		return parse_sun(p, t);
	if (sched_parse_is_word(p, "offline") || sched_parse_is_word(p, "online")) {
		t->kind = sched_parse_is_word(p, "online") ? T_ONLINE : T_OFFLINE;
		sched_parse_next(p);
		if (p->tok.kind != TK_WORD || strlen(p->tok.text) >
		    NODE_ID_MAX)
			return sched_parse_err(p, "a slave's node id");
		if ((t->ref.node = sched_pool_intern(p, p->tok.text)) == NULL)
			return sched_parse_err_at(p, t->line, t->col, "out of memory");
		sched_parse_next(p);
		return 0;
	}
	if (sched_parse_is_word(p, "startup")) {
		t->kind = T_STARTUP;
		sched_parse_next(p);
		return 0;
	}
	return sched_parse_err(p, "a trigger (at, every, sunrise, sunset, dawn, dusk, "
	    "nautical-dawn, nautical-dusk, astronomical-dawn, "
	    "astronomical-dusk, a device value, online, offline, "
	    "startup)");
}

/* set MODE = VALUE */
static int
parse_setmode(struct parser *p, struct sched_act *a)
{
	char v[SCHED_NAME_MAX + 1];

	a->kind = A_MODE;
	if ((a->mode = sched_mode_find(p->prog, p->tok.text)) == -1)
		return sched_parse_err(p, "a device value (node/device.key) or a "
		    "declared mode");
	sched_parse_next(p);
	if (p->tok.kind != TK_ASSIGN)
		return sched_parse_err(p, "'='");
	sched_parse_next(p);
	if (sched_parse_want_name(p, "a mode value", v) == -1)
		return -1;
	if ((a->modeval = sched_mode_value(&p->prog->modes[a->mode],
	    v)) == -1)
		return sched_parse_err_at(p, a->line, a->col, "mode \"%s\" has no value "
		    "\"%s\"", p->prog->modes[a->mode].name, v);
	return 0;
}

static int
parse_set(struct parser *p, struct sched_act *a)
{
	a->kind = A_SET;
	if (p->tok.kind == TK_WORD && sched_var_find(p->prog,
	    p->tok.text) != -1)
		return sched_parse_var_set(p, a);
	if (p->tok.kind == TK_WORD)
		return parse_setmode(p, a);
	if (sched_parse_devref(p, &a->ref) == -1)
		return -1;
	if (p->tok.kind != TK_ASSIGN)
		return sched_parse_err(p, "'='");
	sched_parse_next(p);
	return sched_parse_value(p, &a->val);
}

/* The name of an event for run/cancel; checked in sched_parse_finish(). */
static int
parse_target(struct parser *p, struct sched_act *a)
{
	char n[SCHED_NAME_MAX + 1];

	if (sched_parse_want_name(p, "an event name", n) == -1)
		return -1;
	if ((a->target_name = sched_pool_strdup(p, n)) == NULL)
		return sched_parse_err_at(p, a->line, a->col, "out of memory");
	return 0;
}

/* One action; 0 if the current word starts none. */
static int
parse_action(struct parser *p, struct sched_act *a)
{
	long long	ms;
	int		r;

	memset(a, 0, sizeof(*a));
	a->line = p->tok.line;
	a->col = p->tok.col;
	if (sched_parse_is_word(p, "set")) {
		sched_parse_next(p);
		r = parse_set(p, a);
	} else if (sched_parse_is_word(p, "count") || sched_parse_is_word(p, "stamp")) {
		r = sched_parse_var_act(p, a);
	} else if (sched_parse_is_word(p, "pulse")) {
		a->kind = A_PULSE;
		sched_parse_next(p);
		if ((r = sched_parse_devref(p, &a->ref)) == 0 && (r =
		    sched_parse_duration(p, 1, SCHED_MAX_PULSE_MS, &ms)) == 0)
			a->ms = (long)ms;
	} else if (sched_parse_is_word(p, "wait")) {
		a->kind = A_WAIT;
		sched_parse_next(p);
		if ((r = sched_parse_duration(p, 1000, SCHED_MAX_WAIT_S * 1000LL,
		    &ms)) == 0)
			a->ms = (long)ms;
		if (r == 0 && sched_parse_is_word(p, "restart")) {
			a->restart = 1;
			sched_parse_next(p);
		}
	} else if (sched_parse_is_word(p, "cancel") || sched_parse_is_word(p, "run")) {
		a->kind = sched_parse_is_word(p, "run") ? A_RUN : A_CANCEL;
		sched_parse_next(p);
		r = parse_target(p, a);
	} else if (sched_parse_is_word(p, "notify")) {
		a->kind = A_NOTIFY;
		sched_parse_next(p);
		if (p->tok.kind != TK_STRING)
			return sched_parse_err(p, "a message in quotes");
		if ((a->text = sched_pool_strdup(p, p->tok.text)) == NULL)
			return sched_parse_err_at(p, a->line, a->col, "out of memory");
		sched_parse_next(p);
		r = 0;
	} else
		return 0;
	return r == -1 ? -1 : 1;
}

static int
parse_actions(struct parser *p, struct sched_act *acts, int *n)
{
	int line = p->tok.line, col = p->tok.col, r, first = *n;

	sched_parse_next(p);
	for (;;) {
		if (*n == SCHED_MAX_ACTIONS)
			return sched_parse_err_at(p, line, col, "more than %d actions",
			    SCHED_MAX_ACTIONS);
		if ((r = parse_action(p, &acts[*n])) == -1)
			return -1;
		if (r == 0)
			break;
		(*n)++;
	}
	if (*n == first)
		return sched_parse_err(p, "an action (set, pulse, wait, cancel, run, "
		    "notify)");
	return 0;
}

static int
parse_when(struct parser *p, struct sched_trig *trig, int *n)
{
	sched_parse_next(p);
	for (;;) {
		if (*n == SCHED_MAX_TRIGGERS)
			return sched_parse_err_at(p, p->tok.line, p->tok.col, "more than "
			    "%d triggers", SCHED_MAX_TRIGGERS);
		if (parse_trigger(p, &trig[(*n)++]) == -1)
			return -1;
		if (!sched_parse_is_word(p, "or"))
			return 0;
		sched_parse_next(p);
	}
}

static int
parse_option(struct parser *p, struct sched_event *ev)
{
	long long ms;

	if (sched_parse_is_word(p, "disabled")) {
		ev->disabled = 1;
		sched_parse_next(p);
		return 0;
	}
	if (sched_parse_is_word(p, "catch-up")) {
		sched_parse_next(p);
		if (sched_parse_is_word(p, "none")) {
			ev->catchup_s = 0;
			sched_parse_next(p);
			return 0;
		}
		if (sched_parse_duration(p, 1000, SCHED_MAX_WAIT_S * 1000LL,
		    &ms) == -1)
			return -1;
		ev->catchup_s = (long)(ms / 1000);
		return 0;
	}
	if (sched_parse_is_word(p, "site"))
		return sched_parse_site(p, ev);
	return sched_parse_err(p, "when, if, do, disabled, catch-up, site "
	    "or '}'");
}

/* Up to the event's '}' (left as the current token). */
int
sched_parse_clauses(struct parser *p, struct sched_event *ev)
{
	struct sched_trig	trig[SCHED_MAX_TRIGGERS];
	struct sched_act	act[SCHED_MAX_ACTIONS];
	int			ntrig = 0, nact = 0, r;

	while (p->tok.kind != TK_RBRACE) {
		if (sched_parse_is_word(p, "when"))
			r = parse_when(p, trig, &ntrig);
		else if (sched_parse_is_word(p, "if")) {
			if (ev->cond != NULL)
				return sched_parse_err_at(p, p->tok.line, p->tok.col,
				    "one 'if' per event: join conditions "
				    "with and/or");
			sched_parse_next(p);
			p->nterms = 0;
			r = (ev->cond = sched_parse_or(p, 0)) == NULL ? -1 : 0;
		} else if (sched_parse_is_word(p, "do"))
			r = parse_actions(p, act, &nact);
		else
			r = parse_option(p, ev);
		if (r == -1)
			return -1;
	}
	if (nact == 0)
		return sched_parse_err_at(p, ev->line, 1, "event \"%s\" has no 'do'",
		    ev->name);
	ev->trig = sched_pool_alloc(p, sizeof(*trig) * (size_t)(ntrig ? ntrig : 1));
	ev->act = sched_pool_alloc(p, sizeof(*act) * (size_t)nact);
	if (ev->trig == NULL || ev->act == NULL)
		return sched_parse_err_at(p, ev->line, 1, "out of memory");
	memcpy(ev->trig, trig, sizeof(*trig) * (size_t)ntrig);
	memcpy(ev->act, act, sizeof(*act) * (size_t)nact);
	ev->ntrig = ntrig;
	ev->nact = nact;
	return 0;
}

static int
vtrig_cmp(const void *a, const void *b)
{
	const struct sched_trig *x = *(struct sched_trig *const *)a;
	const struct sched_trig *y = *(struct sched_trig *const *)b;
	int r;

	if ((r = strcmp(x->ref.node, y->ref.node)) != 0 ||
	    (r = strcmp(x->ref.dev, y->ref.dev)) != 0)
		return r;
	return strcmp(x->ref.key, y->ref.key);
}

/* run/cancel targets; back pointers; the value-trigger index. */
void
sched_parse_finish(struct parser *p)
{
	struct sched_prog	*g = p->prog;
	struct sched_event	*ev;
	struct sched_act	*a;
	int			 i, j, n = 0, k;

	for (i = 0; i < g->nev; i++) {
		ev = &g->ev[i];
		for (j = 0; j < ev->nact; j++) {
			a = &ev->act[j];
			if (a->target_name == NULL)
				continue;
			if ((k = sched_parse_event_index(p, a->target_name)) == -1) {
				p->lx.name = ev->file;
				sched_parse_err_at(p, a->line, a->col, "no event named "
				    "\"%s\"", a->target_name);
			} else
				a->target = &g->ev[k];
		}
		if (sched_refs_build(p, ev) == -1)
			sched_parse_err_at(p, ev->line, 1, "out of memory");
		for (j = 0; j < ev->ntrig; j++) {
			ev->trig[j].ev = ev;
			n += ev->trig[j].kind == T_VALUE ||
			    ev->trig[j].kind == T_CHANGE;
		}
	}
	if (n == 0)
		return;
	if ((g->vtrig = calloc((size_t)n, sizeof(*g->vtrig))) == NULL) {
		sched_parse_err_at(p, 0, 0, "out of memory");
		return;
	}
	for (i = 0; i < g->nev; i++)
		for (j = 0; j < g->ev[i].ntrig; j++)
			if (g->ev[i].trig[j].kind == T_VALUE ||
			    g->ev[i].trig[j].kind == T_CHANGE)
				g->vtrig[g->nvtrig++] = &g->ev[i].trig[j];
	qsort(g->vtrig, (size_t)g->nvtrig, sizeof(*g->vtrig), vtrig_cmp);
}
