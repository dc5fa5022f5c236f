/*
 * ADC channels as devices: ADS1x15 chips read in single-shot mode from
 * the event loop. Each channel has its own sampling timer; when it is due
 * it joins its chip's queue, since a chip has one converter behind its
 * input multiplexer. The chip writes the channel's config word (which
 * starts the conversion), comes back on a timer after the conversion time
 * of the data rate, checks the OS bit and reads the result. Nothing
 * waits: every backend call is one short register access.
 *
 * A reading goes volts -> units (scale/offset or calibration table) ->
 * smoothing window -> deadband (report only meaningful changes) -> alarm
 * state with hysteresis (reported as the "alarm" value). A failed bus
 * access closes the chip, raises a fault on each of its channels, marks
 * their last values stale and re-opens the chip with back-off.
 */

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "slave.h"

struct adc_chip;

struct adc_chan {
	struct adc			*a;
	const struct adc_chan_conf	*c;
	struct adc_chip			*chip;
	struct dev			*dev;
	struct ev_timer			 timer;		/* next sample due */
	double				 win[ADC_MAX_SMOOTH];
	int				 nwin, wpos;
	int				 queued;
	int				 have;		/* value/volts valid */
	double				 value, volts;	/* last reported */
	uint64_t			 when;		/* wall ms of reading */
	uint64_t			 mono;		/* its ev_now() */
	int				 alarm;		/* -1 low, 0, 1 high */
	int				 fault;
};

struct adc_chip {
	struct adc			*a;
	const struct adc_chip_conf	*c;
	int				 idx;
	void				*h;		/* NULL: closed */
	struct adc_chan			*queue[ADC_MAX_CHANNELS];
	int				 qlen;
	struct adc_chan			*busy;		/* converting */
	int				 polls;
	struct ev_timer			 timer;		/* result / re-open */
	uint64_t			 backoff;
};

struct adc {
	struct slave		*s;
	struct adc_chip		 chips[ADC_MAX_CHIPS];
	int			 nchips;
	struct adc_chan		 chans[ADC_MAX_CHANNELS];
	int			 nchans;
};

/* Volts to engineering units; a table is clamped at its ends. */
double
adc_units(const struct adc_chan_conf *c, double v)
{
	const struct adc_point	*t = c->table;
	int			 i;

	if (c->ntable < 2)
		return v * c->scale + c->offset;
	if (v <= t[0].in)
		return t[0].out;
	for (i = 1; i < c->ntable; i++)
		if (v <= t[i].in)
			return t[i - 1].out + (v - t[i - 1].in) *
			    (t[i].out - t[i - 1].out) / (t[i].in - t[i - 1].in);
	return t[c->ntable - 1].out;
}

double
adc_smooth(enum adc_smooth mode, const double *w, int n)
{
	double	s[ADC_MAX_SMOOTH], x;
	int	i, j;

	if (n <= 0)
		return 0;
	if (n > ADC_MAX_SMOOTH)
		n = ADC_MAX_SMOOTH;
	if (mode == ADC_SMOOTH_AVERAGE) {
		for (i = 0, x = 0; i < n; i++)
			x += w[i];
		return x / n;
	}
	if (mode == ADC_SMOOTH_NONE)
		return w[n - 1];
	for (i = 0; i < n; i++) {		/* insertion sort, n <= 16 */
		x = w[i];
		for (j = i; j > 0 && s[j - 1] > x; j--)
			s[j] = s[j - 1];
		s[j] = x;
	}
	return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

/* Report `now`? Always the first time; then a change of at least the
 * deadband (any change when it is 0). */
int
adc_deadband_pass(double deadband, int have_last, double last, double now)
{
	if (!have_last)
		return 1;
	if (deadband <= 0)
		return now != last;
	return fabs(now - last) >= deadband;
}

/* An alarm is raised at its threshold and cleared only once the value is
 * back past it by the hysteresis. */
int
adc_alarm_next(const struct adc_chan_conf *c, int state, double v)
{
	if (state == 1 && (!c->has_high || v < c->high - c->hyst))
		state = 0;
	if (state == -1 && (!c->has_low || v > c->low + c->hyst))
		state = 0;
	if (state == 0) {
		if (c->has_high && v >= c->high)
			state = 1;
		else if (c->has_low && v <= c->low)
			state = -1;
	}
	return state;
}

static const char *
alarm_name(int a)
{
	return a > 0 ? "high" : a < 0 ? "low" : "none";
}

static void
report_num(struct adc_chan *ch, const char *key, double x, int flags)
{
	Hd__Value v = HD__VALUE__INIT;

	v.v_case = HD__VALUE__V_D;
	v.d = x;
	dev_report_at(ch->dev, key, &v, flags, ch->when);
}

static void
report_alarm(struct adc_chan *ch, int flags)
{
	Hd__Value v = HD__VALUE__INIT;

	if (!ch->c->has_high && !ch->c->has_low)
		return;
	v.v_case = HD__VALUE__V_S;
	v.s = (char *)(uintptr_t)alarm_name(ch->alarm);
	dev_report_at(ch->dev, "alarm", &v, flags, ch->when);
}

static int
chan_flags(const struct adc_chan *ch)
{
	uint64_t age = ev_now(ch->a->s->loop) - ch->mono;

	if (ch->fault)
		return DEV_STALE | DEV_FAULT;
	if (age > (uint64_t)ch->c->interval_ms * ADC_STALE_INTERVALS)
		return DEV_STALE;
	return 0;
}

static void
adc_report_all(struct dev *d)
{
	struct adc_chan *ch = d->drv;

	if (!ch->have)
		return;		/* never read: nothing to say yet */
	report_num(ch, "value", ch->value, chan_flags(ch));
	report_num(ch, "volts", ch->volts, chan_flags(ch));
	report_alarm(ch, chan_flags(ch));
}

static void
chan_fault(struct adc_chan *ch, const char *why)
{
	ch->queued = 0;
	if (ch->fault)
		return;
	ch->fault = 1;
	ch->nwin = ch->wpos = 0;
	dev_fault(ch->a->s, "adc", ch->dev->desc.id, 1, why);
	if (ch->have)
		adc_report_all(ch->dev);	/* last values, stale */
}

static void
chan_sample(struct adc_chan *ch, uint16_t raw)
{
	const struct adc_chan_conf	*c = ch->c;
	double				 volts, sm;
	int				 force = 0, al;

	volts = ads_volts(ch->chip->c->type, c->pga, raw);
	ch->win[ch->wpos] = adc_units(c, volts);
	ch->wpos = (ch->wpos + 1) % c->window;
	if (ch->nwin < c->window)
		ch->nwin++;
	sm = adc_smooth(c->smooth, ch->win, ch->nwin);
	ch->when = ev_wall_ms();
	ch->mono = ev_now(ch->a->s->loop);
	if (!ch->have)
		force = 1;		/* first reading: alarm state too */
	if (ch->fault) {
		ch->fault = 0;
		force = 1;
		dev_fault(ch->a->s, "adc", ch->dev->desc.id, 0,
		    "reading again");
	}
	if (force || adc_deadband_pass(c->deadband, ch->have, ch->value,
	    sm)) {
		ch->value = sm;
		ch->volts = volts;
		ch->have = 1;
		report_num(ch, "value", sm, 0);
		report_num(ch, "volts", volts, 0);
	}
	if ((al = adc_alarm_next(c, ch->alarm, sm)) != ch->alarm || force) {
		if (al != ch->alarm)
			log_info("adc %s: alarm %s (%g %s)", c->name,
			    alarm_name(al), sm, c->unit);
		ch->alarm = al;
		report_alarm(ch, 0);
	}
}

static void	chip_kick(struct adc_chip *);

/* The chip failed: close it, fault its channels, re-open with back-off. */
static void
chip_fail(struct adc_chip *cp, const char *why)
{
	struct adc	*a = cp->a;
	int		 i;

	if (cp->h != NULL)
		cp->c->be->close(cp->h);
	cp->h = NULL;
	cp->busy = NULL;
	cp->qlen = 0;
	cp->backoff = cp->backoff == 0 ? ADC_RETRY_MIN_MS :
	    cp->backoff * 2 > ADC_RETRY_MAX_MS ? ADC_RETRY_MAX_MS :
	    cp->backoff * 2;
	log_warnx("adc chip %s: %s; retrying in %llu ms", cp->c->name, why,
	    (unsigned long long)cp->backoff);
	for (i = 0; i < a->nchans; i++)
		if (a->chans[i].chip == cp)
			chan_fault(&a->chans[i], why);
	ev_timer_start(a->s->loop, &cp->timer, cp->backoff);
}

static void
chip_enqueue(struct adc_chip *cp, struct adc_chan *ch)
{
	if (ch->queued || cp->h == NULL || cp->qlen == ADC_MAX_CHANNELS)
		return;
	ch->queued = 1;
	cp->queue[cp->qlen++] = ch;
}

static void
chip_open(struct adc_chip *cp)
{
	struct adc	*a = cp->a;
	char		 err[256] = "";
	int		 i;

	if ((cp->h = cp->c->be->open(a->s->conf.hw, cp->idx, err,
	    sizeof(err))) == NULL) {
		chip_fail(cp, err);
		return;
	}
	log_info("adc chip %s: %s on bus %d address 0x%02x (%s)",
	    cp->c->name, cp->c->type == ADC_ADS1015 ? "ADS1015" : "ADS1115",
	    cp->c->bus, cp->c->addr, cp->c->be->name);
	for (i = 0; i < a->nchans; i++)
		if (a->chans[i].chip == cp)
			chip_enqueue(cp, &a->chans[i]);
	chip_kick(cp);
}

/* Start the next queued conversion, if the chip is idle. */
static void
chip_kick(struct adc_chip *cp)
{
	struct adc_chan		*ch;
	const struct adc_chan_conf *c;

	if (cp->h == NULL || cp->busy != NULL || cp->qlen == 0)
		return;
	ch = cp->queue[0];
	memmove(cp->queue, cp->queue + 1, --cp->qlen * sizeof(cp->queue[0]));
	ch->queued = 0;
	c = ch->c;
	if (cp->c->be->write_reg(cp->h, ADS_REG_CONFIG,
	    ads_config(cp->c->type, c->mux, c->pga, c->sps)) == -1) {
		chip_fail(cp, "starting a conversion failed");
		return;
	}
	cp->busy = ch;
	cp->polls = 0;
	ev_timer_start(cp->a->s->loop, &cp->timer, ads_conv_ms(c->sps));
}

static void
chip_result(struct adc_chip *cp)
{
	struct adc_chan	*ch = cp->busy;
	uint16_t	 cfg, raw;

	if (cp->c->be->read_reg(cp->h, ADS_REG_CONFIG, &cfg) == -1) {
		chip_fail(cp, "reading the config register failed");
		return;
	}
	if (!ads_config_ready(cfg)) {
		if (++cp->polls > ADC_READY_POLLS) {
			chip_fail(cp, "conversion did not finish");
			return;
		}
		ev_timer_start(cp->a->s->loop, &cp->timer, ADC_READY_POLL_MS);
		return;
	}
	if (cp->c->be->read_reg(cp->h, ADS_REG_CONV, &raw) == -1) {
		chip_fail(cp, "reading the conversion register failed");
		return;
	}
	cp->busy = NULL;
	cp->backoff = 0;
	chan_sample(ch, raw);
	chip_kick(cp);
}

static void
chip_timer(struct ev_timer *t)
{
	struct adc_chip *cp = t->arg;

	if (cp->h == NULL)
		chip_open(cp);
	else if (cp->busy != NULL)
		chip_result(cp);
}

static void
chan_due(struct ev_timer *t)
{
	struct adc_chan *ch = t->arg;

	ev_timer_start(ch->a->s->loop, t, (uint64_t)ch->c->interval_ms);
	chip_enqueue(ch->chip, ch);
	chip_kick(ch->chip);
}

static const struct dev_ops adc_ops = {
	.report_all = adc_report_all,
};

static int
chan_dev(struct adc *a, struct adc_chan *ch)
{
	const struct adc_chan_conf	*c = ch->c;
	char				 id[DEVICE_ID_MAX + 1], model[64];
	struct dev			*d;

	snprintf(id, sizeof(id), "adc:%s", c->name);
	snprintf(model, sizeof(model), "%s %s",
	    ch->chip->c->type == ADC_ADS1015 ? "ADS1015" : "ADS1115",
	    ads_mux_name(c->mux));
	if ((d = dev_new(a->s, id, c->name, c->room,
	    HD__DEVICE_KIND__DEV_ANALOG_IN, &adc_ops, ch)) == NULL)
		return -1;
	ch->dev = d;
	free(d->desc.manufacturer);
	free(d->desc.model);
	d->desc.manufacturer = strdup("Texas Instruments");
	d->desc.model = strdup(model);
	if (d->desc.manufacturer == NULL || d->desc.model == NULL ||
	    dev_value(d, "value", HD__VALUE_TYPE__VT_DOUBLE, c->unit, 0, 0,
	    0) == -1 ||
	    dev_value(d, "volts", HD__VALUE_TYPE__VT_DOUBLE, "V", 0, 0, 0) ==
	    -1 ||
	    ((c->has_high || c->has_low) && dev_value(d, "alarm",
	    HD__VALUE_TYPE__VT_STRING, "", 0, 0, 0) == -1))
		return -1;
	return 0;
}

int
adc_start(struct slave *s)
{
	const struct hwconf	*hw = s->conf.hw;
	struct adc		*a;
	struct adc_chan		*ch;
	int			 i;

	if (hw == NULL || hw->nadc_chips == 0)
		return 0;
	if ((a = calloc(1, sizeof(*a))) == NULL)
		return -1;
	s->adc = a;
	a->s = s;
	for (i = 0; i < hw->nadc_chips; i++) {
		a->chips[i].a = a;
		a->chips[i].c = &hw->adc_chips[i];
		a->chips[i].idx = i;
		ev_timer_init(&a->chips[i].timer, chip_timer, &a->chips[i]);
	}
	a->nchips = hw->nadc_chips;
	for (i = 0; i < hw->nadc_chans; i++) {
		ch = &a->chans[i];
		ch->a = a;
		ch->c = &hw->adc_chans[i];
		ch->chip = &a->chips[ch->c->chip];
		ev_timer_init(&ch->timer, chan_due, ch);
		a->nchans++;
		if (chan_dev(a, ch) == -1)
			return -1;
		ev_timer_start(s->loop, &ch->timer,
		    (uint64_t)ch->c->interval_ms);
	}
	for (i = 0; i < a->nchips; i++)
		chip_open(&a->chips[i]);
	return 0;
}

void
adc_stop(struct slave *s)
{
	struct adc	*a = s->adc;
	int		 i;

	if (a == NULL)
		return;
	for (i = 0; i < a->nchans; i++) {
		ev_timer_stop(s->loop, &a->chans[i].timer);
		if (a->chans[i].dev != NULL)
			dev_remove(a->chans[i].dev);
	}
	for (i = 0; i < a->nchips; i++) {
		ev_timer_stop(s->loop, &a->chips[i].timer);
		if (a->chips[i].h != NULL)
			a->chips[i].c->be->close(a->chips[i].h);
	}
	free(a);
	s->adc = NULL;
}
