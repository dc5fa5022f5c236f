/*
 * GPIO lines as devices. Outputs (relays) take "on" commands, optionally
 * as a timed pulse (Command.pulse_ms: set, then back to the earlier value
 * on a timer). Interlocked pairs are never both on: switching one on
 * switches its partner off first (break before make). Each output has a
 * safe state (off, on, hold) applied when it is requested at start-up
 * ("hold" starts off: there is nothing to hold yet) and when the master
 * has been gone for safe-state-after ms. Inputs report their debounced
 * state: an edge (re)starts the debounce timer, and when it fires the
 * line is read once more and reported if it changed.
 *
 * A chip or line that cannot be opened is a fault of its devices; the
 * chip is retried with back-off (ADC_RETRY_MIN_MS..ADC_RETRY_MAX_MS).
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "slave.h"

struct gpio_chip;

struct gpio_line {
	struct gpio			*g;
	const struct gpio_line_conf	*c;
	struct gpio_chip		*chip;
	struct gpio_line		*partner;
	void				*lh;		/* NULL: not requested */
	struct dev			*dev;
	int				 value;		/* logical */
	int				 have;
	uint64_t			 when;		/* wall ms of value */
	struct ev_timer			 timer;		/* pulse / debounce */
	int				 pulsing, pulse_to;
	int				 fault;
};

struct gpio_chip {
	struct gpio			*g;
	const struct gpio_chip_conf	*c;
	void				*h;
	struct ev_timer			 retry;
	uint64_t			 backoff;
};

struct gpio {
	struct slave		*s;
	struct gpio_chip	 chips[GPIO_MAX_CHIPS];
	int			 nchips;
	struct gpio_line	 lines[GPIO_MAX_LINES];
	int			 nlines;
	struct ev_timer		 safe;		/* master gone long enough */
};

static int
line_flags(const struct gpio_line *l)
{
	return l->fault ? DEV_FAULT | DEV_STALE : 0;
}

static void
report(struct gpio_line *l)
{
	Hd__Value v = HD__VALUE__INIT;

	if (!l->have)
		return;
	v.v_case = HD__VALUE__V_B;
	v.b = l->value;
	dev_report_at(l->dev, l->c->output ? "on" : "state", &v, line_flags(l),
	    l->when);
}

static void
gpio_report_all(struct dev *d)
{
	report(d->drv);
}

static void
line_fault(struct gpio_line *l, const char *why)
{
	if (l->fault)
		return;
	l->fault = 1;
	dev_fault(l->g->s, "gpio", l->dev->desc.id, 1, why);
	report(l);
}

static void
line_ok(struct gpio_line *l)
{
	if (!l->fault)
		return;
	l->fault = 0;
	dev_fault(l->g->s, "gpio", l->dev->desc.id, 0, "line working again");
}

static void
line_update(struct gpio_line *l, int v)
{
	line_ok(l);
	if (l->have && l->value == v)
		return;
	l->value = v;
	l->have = 1;
	l->when = ev_wall_ms();
	log_debug("gpio %s: %s", l->c->name, v ? "on" : "off");
	report(l);
}

/* Drive an output; 0, or -1 with the line in fault. */
static int
out_set(struct gpio_line *l, int v)
{
	if (l->lh == NULL)
		return -1;
	if (l->chip->c->be->set(l->lh, v) == -1) {
		line_fault(l, "setting the line failed");
		return -1;
	}
	line_update(l, v);
	return 0;
}

static void
pulse_cancel(struct gpio_line *l)
{
	if (!l->pulsing)
		return;
	l->pulsing = 0;
	ev_timer_stop(l->g->s->loop, &l->timer);
}

/* Switch on or off, the interlock partner off first. */
static int
out_switch(struct gpio_line *l, int v)
{
	struct gpio_line *p = l->partner;

	if (v && p != NULL) {
		pulse_cancel(p);	/* its pulse must not switch it back */
		if ((p->value || p->lh == NULL) && out_set(p, 0) == -1)
			return -1;	/* cannot prove the partner is off */
	}
	return out_set(l, v);
}

static void
pulse_end(struct ev_timer *t)
{
	struct gpio_line *l = t->arg;

	l->pulsing = 0;
	log_info("gpio %s: pulse over, back %s", l->c->name,
	    l->pulse_to ? "on" : "off");
	out_switch(l, l->pulse_to);
}

static void
out_command(struct dev *d, const Hd__Command *c)
{
	struct gpio_line	*l = d->drv;
	Hd__Value		 v = HD__VALUE__INIT;
	int			 want = c->value->b, rest;
	char			 why[96];

	if (c->pulse_ms > GPIO_MAX_PULSE_MS) {
		snprintf(why, sizeof(why), "pulse longer than %d ms",
		    GPIO_MAX_PULSE_MS);
		dev_done(d, c->id, HD__COMMAND_RESULT__STATUS__BAD_VALUE, why,
		    NULL);
		return;
	}
	if (l->lh == NULL) {
		dev_done(d, c->id, HD__COMMAND_RESULT__STATUS__DEVICE_FAULT,
		    "line not available", NULL);
		return;
	}
	rest = l->pulsing ? l->pulse_to : l->value;
	pulse_cancel(l);
	if (out_switch(l, want) == -1) {
		dev_done(d, c->id, HD__COMMAND_RESULT__STATUS__FAILED,
		    "setting the line failed", NULL);
		return;
	}
	if (c->pulse_ms > 0 && want != rest) {
		l->pulsing = 1;
		l->pulse_to = rest;
		ev_timer_start(l->g->s->loop, &l->timer, c->pulse_ms);
		snprintf(why, sizeof(why), "pulse %u ms", c->pulse_ms);
	} else
		why[0] = '\0';
	v.v_case = HD__VALUE__V_B;
	v.b = want;
	dev_done(d, c->id, HD__COMMAND_RESULT__STATUS__OK, why, &v);
}

/* The master has been gone for safe-state-after ms: offs first, so an
 * interlocked pair passes through "both off", then ons. */
static void
safe_apply(struct ev_timer *t)
{
	struct gpio		*g = t->arg;
	struct gpio_line	*l;
	int			 i, pass;

	log_warnx("no master for %ld ms: outputs to their safe state",
	    g->s->conf.hw->safe_after_ms);
	for (pass = 0; pass < 2; pass++)
		for (i = 0; i < g->nlines; i++) {
			l = &g->lines[i];
			if (!l->c->output || l->c->safe == GPIO_SAFE_HOLD ||
			    (l->c->safe == GPIO_SAFE_ON) != pass)
				continue;
			pulse_cancel(l);
			out_switch(l, pass);
		}
}

static void
gpio_link(struct dev *d, int up)
{
	struct gpio_line	*l = d->drv;
	struct gpio		*g = l->g;
	long			 ms = g->s->conf.hw->safe_after_ms;

	if (up)
		ev_timer_stop(g->s->loop, &g->safe);
	else if (!g->safe.active && ms > 0)
		ev_timer_start(g->s->loop, &g->safe, (uint64_t)ms);
}

static void
in_accept(struct gpio_line *l, int v)
{
	line_update(l, v);
}

static void
in_edge(void *arg, int value, uint64_t ts_ns)
{
	struct gpio_line *l = arg;

	(void)ts_ns;
	if (l->c->debounce_ms == 0)
		in_accept(l, value);
	else
		ev_timer_start(l->g->s->loop, &l->timer,
		    (uint64_t)l->c->debounce_ms);
}

static void
debounce_end(struct ev_timer *t)
{
	struct gpio_line	*l = t->arg;
	int			 v;

	if (l->lh == NULL)
		return;
	if (l->chip->c->be->get(l->lh, &v) == -1) {
		line_fault(l, "reading the line failed");
		return;
	}
	in_accept(l, v);
}

static int
line_request(struct gpio_line *l, char *err, size_t errlen)
{
	const struct gpio_line_conf	*c = l->c;
	const struct gpio_backend	*be = l->chip->c->be;
	struct gpio_req			 r;
	int				 v;

	memset(&r, 0, sizeof(r));
	r.offset = c->offset;
	r.output = c->output;
	r.active_low = c->active_low;
	r.drive = c->drive;
	r.bias = c->bias;
	r.edges = !c->output;
	r.value = c->output && c->safe == GPIO_SAFE_ON;
	r.consumer = "hd-slave";
	if ((l->lh = be->request(l->chip->h, &r, err, errlen)) == NULL)
		return -1;
	if (c->output) {
		line_update(l, r.value);
		return 0;
	}
	if (be->watch(l->lh, in_edge, l) == -1 || be->get(l->lh, &v) == -1) {
		snprintf(err, errlen, "line %u: cannot watch or read it",
		    c->offset);
		be->release(l->lh);
		l->lh = NULL;
		return -1;
	}
	line_update(l, v);
	return 0;
}

/* Open the chip and request its missing lines; retry what failed. */
static void
chip_setup(struct gpio_chip *cp)
{
	struct gpio	*g = cp->g;
	struct gpio_line *l;
	char		 err[256];
	int		 i, failed = 0;

	err[0] = '\0';
	if (cp->h == NULL)
		cp->h = cp->c->be->chip_open(g->s->loop, cp->c, err,
		    sizeof(err));
	for (i = 0; i < g->nlines; i++) {
		l = &g->lines[i];
		if (l->chip != cp || l->lh != NULL)
			continue;
		if (cp->h == NULL || line_request(l, err, sizeof(err)) == -1) {
			line_fault(l, err);
			failed = 1;
		}
	}
	if (!failed) {
		cp->backoff = 0;
		return;
	}
	cp->backoff = cp->backoff == 0 ? ADC_RETRY_MIN_MS :
	    cp->backoff * 2 > ADC_RETRY_MAX_MS ? ADC_RETRY_MAX_MS :
	    cp->backoff * 2;
	log_warnx("gpio chip %s: %s; retrying in %llu ms", cp->c->name, err,
	    (unsigned long long)cp->backoff);
	ev_timer_start(g->s->loop, &cp->retry, cp->backoff);
}

static void
chip_retry(struct ev_timer *t)
{
	chip_setup(t->arg);
}

static const struct dev_ops out_ops = {
	.command = out_command,
	.report_all = gpio_report_all,
	.link = gpio_link,
};
static const struct dev_ops in_ops = {
	.report_all = gpio_report_all,
	.link = gpio_link,
};

static int
line_dev(struct gpio *g, struct gpio_line *l)
{
	const struct gpio_line_conf	*c = l->c;
	char				 id[DEVICE_ID_MAX + 1];

	snprintf(id, sizeof(id), "gpio:%s", c->name);
	if ((l->dev = dev_new(g->s, id, c->name, c->room, c->output ?
	    HD__DEVICE_KIND__DEV_GPIO_OUT : HD__DEVICE_KIND__DEV_GPIO_IN,
	    c->output ? &out_ops : &in_ops, l)) == NULL)
		return -1;
	return dev_value(l->dev, c->output ? "on" : "state",
	    HD__VALUE_TYPE__VT_BOOL, "", c->output, 0, 0);
}

int
gpio_start(struct slave *s)
{
	const struct hwconf	*hw = s->conf.hw;
	struct gpio		*g;
	struct gpio_line	*l;
	int			 i;

	if (hw == NULL || hw->ngpio_chips == 0)
		return 0;
	if ((g = calloc(1, sizeof(*g))) == NULL)
		return -1;
	s->gpio = g;
	g->s = s;
	ev_timer_init(&g->safe, safe_apply, g);
	for (i = 0; i < hw->ngpio_chips; i++) {
		g->chips[i].g = g;
		g->chips[i].c = &hw->gpio_chips[i];
		ev_timer_init(&g->chips[i].retry, chip_retry, &g->chips[i]);
	}
	g->nchips = hw->ngpio_chips;
	for (i = 0; i < hw->nlines; i++) {
		l = &g->lines[i];
		l->g = g;
		l->c = &hw->lines[i];
		l->chip = &g->chips[l->c->chip];
		l->partner = l->c->partner >= 0 ? &g->lines[l->c->partner] :
		    NULL;
		ev_timer_init(&l->timer, l->c->output ? pulse_end :
		    debounce_end, l);
		g->nlines++;
		if (line_dev(g, l) == -1)
			return -1;
	}
	for (i = 0; i < g->nchips; i++)
		chip_setup(&g->chips[i]);
	return 0;
}

void
gpio_stop(struct slave *s)
{
	struct gpio		*g = s->gpio;
	struct gpio_line	*l;
	int			 i;

	if (g == NULL)
		return;
	ev_timer_stop(s->loop, &g->safe);
	for (i = 0; i < g->nlines; i++) {
		l = &g->lines[i];
		ev_timer_stop(s->loop, &l->timer);
		if (l->lh != NULL)
			l->chip->c->be->release(l->lh);
		if (l->dev != NULL)
			dev_remove(l->dev);
	}
	for (i = 0; i < g->nchips; i++) {
		ev_timer_stop(s->loop, &g->chips[i].retry);
		if (g->chips[i].h != NULL)
			g->chips[i].c->be->chip_close(g->chips[i].h);
	}
	free(g);
	s->gpio = NULL;
}
