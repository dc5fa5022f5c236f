/*
 * Hardware directives of the slave configuration: ADS1x15 chips and
 * channels here, GPIO chips and lines in hwconf_gpio.c (docs/CONFIG.md,
 * docs/HARDWARE.md).
 * Each directive is a name followed by "key value" options in any order.
 * What can be checked on the line is checked there; what needs the whole
 * file (interlock partners) is checked by hwconf_check() at the end, and
 * still reported at the line that caused it.
 */

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg.h"
#include "log.h"
#include "slave.h"
#include "io/hwconf.h"

int
hw_bad(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

int
hw_num(const char *dir, const char *key, const char *s, double min, double max,
    double *out, char *err, size_t errlen)
{
	char	*end;
	double	 v;

	v = strtod(s, &end);
	if (end == s || *end != '\0' || !isfinite(v) || v < min || v > max) {
		snprintf(err, errlen, "%s: %s \"%s\" is not a number in "
		    "%g..%g", dir, key, s, min, max);
		return -1;
	}
	*out = v;
	return 0;
}

int
hw_inum(const char *dir, const char *key, const char *s, long min, long max,
    long *out, char *err, size_t errlen)
{
	char	*end;
	long	 v;

	v = strtol(s, &end, 0);
	if (end == s || *end != '\0' || s[0] == '+' || s[0] == ' ' ||
	    v < min || v > max) {
		snprintf(err, errlen, "%s: %s \"%s\" is not a whole number in "
		    "%ld..%ld", dir, key, s, min, max);
		return -1;
	}
	*out = v;
	return 0;
}

int
hw_name_ok(const struct cfg_line *l, char *dst, char *err, size_t errlen)
{
	const char	*n = l->argv[1];
	size_t		 i, len = strlen(n);

	for (i = 0; i < len; i++)
		if (!((n[i] >= 'a' && n[i] <= 'z') ||
		    (n[i] >= 'A' && n[i] <= 'Z') ||
		    (n[i] >= '0' && n[i] <= '9') || strchr("_-.", n[i])))
			break;
	if (len == 0 || len > HW_NAME_MAX || i < len) {
		snprintf(err, errlen, "%s: name \"%s\": 1 to %d letters, "
		    "digits, '_', '-' or '.'", l->argv[0], n, HW_NAME_MAX);
		return -1;
	}
	memcpy(dst, n, len + 1);
	return 0;
}

int
hw_text(const char *dir, const char *key, const char *s, char *dst, size_t len,
    char *err, size_t errlen)
{
	size_t i, n = strlen(s);

	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return hw_bad(err, errlen,
			    "%s: %s has a control character",
			    dir, key);
	if (n >= len) {
		snprintf(err, errlen, "%s: %s longer than %zu bytes", dir, key,
		    len - 1);
		return -1;
	}
	memcpy(dst, s, n + 1);
	return 0;
}

/*
 * Walk "key value" options from argv[2]. Each key must be in `opts`
 * and given at most once; fn() handles one. Returns 0 or -1.
 */
int
hw_options(const struct cfg_line *l, const struct hw_opt *opts,
    int (*fn)(void *, const char *, char *const *, char *, size_t), void *arg,
    char *err, size_t errlen)
{
	const struct hw_opt	*o;
	int			 i, j, seen[CFG_MAX_WORDS] = { 0 };

	for (i = 2; i < l->argc; i++) {
		for (o = opts, j = 0; o->key != NULL; o++, j++)
			if (strcmp(o->key, l->argv[i]) == 0)
				break;
		if (o->key == NULL)
			return hw_bad(err, errlen, "%s: unknown option \"%s\"",
			    l->argv[0], l->argv[i]);
		if (seen[j]++)
			return hw_bad(err, errlen, "%s: %s given twice",
			    l->argv[0], o->key);
		if (i + o->nargs >= l->argc)
			return hw_bad(err, errlen,
			    "%s: %s needs %s", l->argv[0],
			    o->key, o->nargs == 1 ? "a value" : "2 values");
		if (fn(arg, o->key, o->nargs ? &l->argv[i + 1] : NULL, err,
		    errlen) == -1)
			return -1;
		i += o->nargs;
	}
	return 0;
}

int
hw_where(struct hw_where *w, const struct cfg_line *l, char *err, size_t errlen)
{
	w->line = l->lineno;
	if ((w->file = strdup(l->file)) == NULL)
		return hw_bad(err, errlen, "out of memory");
	return 0;
}

int
hw_backend(const char *dir, const char *v, const void **be, const void *lin,
    const void *sim, char *err, size_t errlen)
{
	if (strcmp(v, "linux") == 0)
		*be = lin;
	else if (strcmp(v, "sim") == 0)
		*be = sim;
	else
		return hw_bad(err, errlen, "%s: backend \"%s\": linux or sim",
		    dir, v);
	return 0;
}

/* adc-chip NAME type ads1115|ads1015 bus N address 0x48 backend B */
struct chip_ctx {
	struct adc_chip_conf	*c;
	int			 have_type, have_bus, have_addr, have_be;
};

static int
adc_chip_opt(void *arg, const char *k, char *const *vals, char *err,
    size_t errlen)
{
	const char	*v = vals != NULL ? vals[0] : NULL;
	struct chip_ctx	*x = arg;
	long		 n;

	if (strcmp(k, "type") == 0) {
		if (strcmp(v, "ads1115") == 0)
			x->c->type = ADC_ADS1115;
		else if (strcmp(v, "ads1015") == 0)
			x->c->type = ADC_ADS1015;
		else
			return hw_bad(err, errlen, "adc-chip: type \"%s\": "
			    "ads1115 or ads1015", v);
		x->have_type = 1;
	} else if (strcmp(k, "bus") == 0) {
		if (hw_inum("adc-chip", k, v, 0, 255, &n, err, errlen) == -1)
			return -1;
		x->c->bus = (int)n;
		x->have_bus = 1;
	} else if (strcmp(k, "address") == 0) {
		if (hw_inum("adc-chip", k, v, 0, 0x7f, &n, err, errlen) == -1)
			return -1;
		if (n < 0x48 || n > 0x4b)
			return hw_bad(err, errlen, "adc-chip: address %s: an "
			    "ADS1x15 answers at 0x48 to 0x4b (ADDR pin)", v);
		x->c->addr = (int)n;
		x->have_addr = 1;
	} else {
		x->have_be = 1;
		return hw_backend("adc-chip", v, (const void **)&x->c->be,
		    &adc_linux_backend, &adc_sim_backend, err, errlen);
	}
	return 0;
}

static const struct hw_opt adc_chip_opts[] = {
	{ "type", 1 }, { "bus", 1 }, { "address", 1 }, { "backend", 1 },
	{ NULL, 0 }
};

static int
adc_chip(struct hwconf *hw, const struct cfg_line *l, char *err,
    size_t errlen)
{
	struct adc_chip_conf	*c;
	struct chip_ctx		 x = { 0 };
	int			 i;

	if (l->argc < 2)
		return hw_bad(err, errlen, "%s: needs a name", l->argv[0]);
	if (hw->nadc_chips == ADC_MAX_CHIPS) {
		snprintf(err, errlen, "at most %d adc-chip lines",
		    ADC_MAX_CHIPS);
		return -1;
	}
	c = &hw->adc_chips[hw->nadc_chips];
	memset(c, 0, sizeof(*c));
	x.c = c;
	if (hw_name_ok(l, c->name, err, errlen) == -1 ||
	    hw_options(l, adc_chip_opts, adc_chip_opt, &x, err, errlen) == -1)
		return -1;
	if (!x.have_type || !x.have_bus || !x.have_addr || !x.have_be)
		return hw_bad(err, errlen, "adc-chip: type, bus, address and "
		    "backend are required");
	for (i = 0; i < hw->nadc_chips; i++) {
		if (strcmp(hw->adc_chips[i].name, c->name) == 0)
			return hw_bad(err, errlen, "adc-chip: \"%s\" defined "
			    "twice", c->name);
		if (hw->adc_chips[i].bus == c->bus &&
		    hw->adc_chips[i].addr == c->addr &&
		    hw->adc_chips[i].be == c->be)
			return hw_bad(err, errlen,
			    "adc-chip: \"%s\" has the bus "
			    "and address of \"%s\"", c->name,
			    hw->adc_chips[i].name);
	}
	if (hw_where(&c->at, l, err, errlen) == -1)
		return -1;
	hw->nadc_chips++;
	return 0;
}

/* adc-channel NAME chip CHIP input MUX [option value]... */
struct chan_ctx {
	struct hwconf		*hw;
	struct adc_chan_conf	*c;
	const char		*gain, *rate;
	int			 have_input, have_scale, have_table;
};

static int
parse_list(const char *dir, const char *key, const char *v, double *a,
    double *b, int max, int *n, char *err, size_t errlen)
{
	char		 buf[CFG_MAX_LINE], *p, *tok, *colon;
	double		 x;

	snprintf(buf, sizeof(buf), "%s", v);
	*n = 0;
	for (p = buf; (tok = strsep(&p, ",")) != NULL; ) {
		if (*n == max) {
			snprintf(err, errlen, "%s: %s: at most %d points", dir,
			    key, max);
			return -1;
		}
		colon = b != NULL ? strchr(tok, ':') : NULL;
		if (b != NULL && colon == NULL)
			return hw_bad(err, errlen,
			    "%s: table point \"%s\" is not "
			    "VOLTS:VALUE", dir, tok);
		if (colon != NULL)
			*colon = '\0';
		if (hw_num(dir, key, tok, -1e9, 1e9, &x, err, errlen) == -1)
			return -1;
		a[*n] = x;
		if (colon != NULL) {
			if (hw_num(dir, key, colon + 1, -1e9, 1e9, &x, err,
			    errlen) == -1)
				return -1;
			b[*n] = x;
		}
		(*n)++;
	}
	return 0;
}

static int
table_opt(struct adc_chan_conf *c, const char *v, char *err, size_t errlen)
{
	double	in[ADC_MAX_TABLE], out[ADC_MAX_TABLE];
	int	i, n;

	if (parse_list("adc-channel", "table", v, in, out, ADC_MAX_TABLE, &n,
	    err, errlen) == -1)
		return -1;
	if (n < 2)
		return hw_bad(err, errlen,
		    "adc-channel: table needs at least 2 points");
	for (i = 0; i < n; i++) {
		if (i > 0 && in[i] <= in[i - 1])
			return hw_bad(err, errlen,
			    "adc-channel: table volts must "
			    "rise from point to point");
		c->table[i].in = in[i];
		c->table[i].out = out[i];
	}
	c->ntable = n;
	return 0;
}

/* smooth median|average N */
static int
smooth_opt(struct adc_chan_conf *c, char *const *vals, char *err,
    size_t errlen)
{
	long n;

	if (strcmp(vals[0], "median") == 0)
		c->smooth = ADC_SMOOTH_MEDIAN;
	else if (strcmp(vals[0], "average") == 0)
		c->smooth = ADC_SMOOTH_AVERAGE;
	else
		return hw_bad(err, errlen, "adc-channel: smooth \"%s\": median "
		    "or average", vals[0]);
	if (hw_inum("adc-channel", "smooth window", vals[1], 1, ADC_MAX_SMOOTH,
	    &n, err, errlen) == -1)
		return -1;
	c->window = (int)n;
	return 0;
}

static int
adc_chan_opt(void *arg, const char *k, char *const *vals, char *err,
    size_t errlen)
{
	const char	*v = vals != NULL ? vals[0] : NULL;
	struct chan_ctx		*x = arg;
	struct adc_chan_conf	*c = x->c;
	const char		*d = "adc-channel";
	int			 i;

	if (strcmp(k, "chip") == 0) {
		for (i = 0; i < x->hw->nadc_chips; i++)
			if (strcmp(x->hw->adc_chips[i].name, v) == 0)
				break;
		if (i == x->hw->nadc_chips)
			return hw_bad(err, errlen, "adc-channel: unknown chip "
			    "\"%s\" (define it with adc-chip above)", v);
		c->chip = i;
	} else if (strcmp(k, "input") == 0) {
		if ((c->mux = ads_mux_parse(v)) == -1)
			return hw_bad(err, errlen,
			    "adc-channel: input \"%s\" out "
			    "of range: a0, a1, a2, a3, a0-a1, a0-a3, a1-a3 or "
			    "a2-a3", v);
		x->have_input = 1;
	} else if (strcmp(k, "gain") == 0)
		x->gain = v;
	else if (strcmp(k, "rate") == 0)
		x->rate = v;
	else if (strcmp(k, "interval") == 0) {
		if (hw_inum(d, k, v, ADC_MIN_INTERVAL_MS, ADC_MAX_INTERVAL_MS,
		    &c->interval_ms, err, errlen) == -1)
			return -1;
	} else if (strcmp(k, "scale") == 0) {
		x->have_scale = 1;
		return hw_num(d, k, v, -1e9, 1e9, &c->scale, err, errlen);
	} else if (strcmp(k, "offset") == 0) {
		x->have_scale = 1;
		return hw_num(d, k, v, -1e9, 1e9, &c->offset, err, errlen);
	} else if (strcmp(k, "table") == 0) {
		x->have_table = 1;
		return table_opt(c, v, err, errlen);
	} else if (strcmp(k, "unit") == 0)
		return hw_text(d, k, v, c->unit, sizeof(c->unit), err, errlen);
	else if (strcmp(k, "room") == 0)
		return hw_text(d, k, v, c->room, sizeof(c->room), err, errlen);
	else if (strcmp(k, "smooth") == 0)
		return smooth_opt(c, vals, err, errlen);
	else if (strcmp(k, "deadband") == 0)
		return hw_num(d, k, v, 0, 1e9, &c->deadband, err, errlen);
	else if (strcmp(k, "alarm-high") == 0) {
		c->has_high = 1;
		return hw_num(d, k, v, -1e9, 1e9, &c->high, err, errlen);
	} else if (strcmp(k, "alarm-low") == 0) {
		c->has_low = 1;
		return hw_num(d, k, v, -1e9, 1e9, &c->low, err, errlen);
	} else if (strcmp(k, "hysteresis") == 0)
		return hw_num(d, k, v, 0, 1e9, &c->hyst, err, errlen);
	else if (strcmp(k, "sim") == 0) {
		if (parse_list(d, k, v, c->sim, NULL, ADC_MAX_SIM_VALUES,
		    &i, err, errlen) == -1)
			return -1;
		c->nsim = i;
	} else
		return -1;	/* not in the option table */
	return 0;
}

static const struct hw_opt adc_chan_opts[] = {
	{ "chip", 1 }, { "input", 1 }, { "gain", 1 }, { "rate", 1 },
	{ "interval", 1 }, { "scale", 1 }, { "offset", 1 }, { "table", 1 },
	{ "unit", 1 }, { "room", 1 }, { "smooth", 2 }, { "deadband", 1 },
	{ "alarm-high", 1 }, { "alarm-low", 1 }, { "hysteresis", 1 },
	{ "sim", 1 }, { NULL, 0 }
};

static int
adc_chan_finish(struct hwconf *hw, struct chan_ctx *x, char *err,
    size_t errlen)
{
	struct adc_chan_conf	*c = x->c;
	const struct adc_chip_conf *chip;
	double			 g;
	long			 r;
	int			 i;

	if (c->chip == -1 || !x->have_input)
		return hw_bad(err, errlen, "adc-channel: chip and input are "
		    "required");
	chip = &hw->adc_chips[c->chip];
	if (x->gain != NULL) {
		if (hw_num("adc-channel", "gain", x->gain, 0, 10, &g, err,
		    errlen) == -1)
			return -1;
		if ((c->pga = ads_pga_parse(g)) == -1)
			return hw_bad(err, errlen, "adc-channel: gain \"%s\": "
			    "the full-scale volts, one of 6.144 4.096 2.048 "
			    "1.024 0.512 0.256", x->gain);
	}
	if (x->rate != NULL) {
		if (hw_inum("adc-channel", "rate", x->rate, 1, 10000, &r, err,
		    errlen) == -1)
			return -1;
		if (ads_rate_code(chip->type, (int)r) == -1)
			return hw_bad(err, errlen, "adc-channel: rate %s not "
			    "offered by this chip: %s", x->rate,
			    ads_rates(chip->type));
		c->sps = (int)r;
	}
	if (x->have_scale && x->have_table)
		return hw_bad(err, errlen,
		    "adc-channel: scale/offset or table, not both");
	if (c->has_high && c->has_low && c->low >= c->high)
		return hw_bad(err, errlen,
		    "adc-channel: alarm-low must be below alarm-high");
	if (c->hyst > 0 && !c->has_high && !c->has_low)
		return hw_bad(err, errlen, "adc-channel: hysteresis without an "
		    "alarm threshold");
	for (i = 0; i < hw->nadc_chans; i++)
		if (strcmp(hw->adc_chans[i].name, c->name) == 0)
			return hw_bad(err, errlen,
			    "adc-channel: \"%s\" defined twice", c->name);
	return 0;
}

static int
adc_channel(struct hwconf *hw, const struct cfg_line *l, char *err,
    size_t errlen)
{
	struct adc_chan_conf	*c;
	struct chan_ctx		 x = { 0 };

	if (l->argc < 2)
		return hw_bad(err, errlen, "%s: needs a name", l->argv[0]);
	if (hw->nadc_chans == ADC_MAX_CHANNELS) {
		snprintf(err, errlen, "at most %d adc-channel lines",
		    ADC_MAX_CHANNELS);
		return -1;
	}
	c = &hw->adc_chans[hw->nadc_chans];
	memset(c, 0, sizeof(*c));
	c->chip = -1;
	c->pga = 1;			/* 4.096 V */
	c->sps = 128;			/* both chips offer it */
	c->interval_ms = 1000;
	c->scale = 1;
	c->window = 1;
	snprintf(c->unit, sizeof(c->unit), "V");
	x.hw = hw;
	x.c = c;
	if (hw_name_ok(l, c->name, err, errlen) == -1 ||
	    hw_options(l, adc_chan_opts, adc_chan_opt, &x, err, errlen) == -1 ||
	    adc_chan_finish(hw, &x, err, errlen) == -1 ||
	    hw_where(&c->at, l, err, errlen) == -1)
		return -1;
	hw->nadc_chans++;
	return 0;
}

int
hwconf_directive(struct slave_conf *sc, const struct cfg_line *l, int *r,
    char *err, size_t errlen)
{
	const char	*k = l->argv[0];
	long		 ms;

	if (strncmp(k, "adc-", 4) != 0 && strncmp(k, "gpio-", 5) != 0 &&
	    strcmp(k, "safe-state-after") != 0)
		return 0;
	if (sc->hw == NULL) {
		if ((sc->hw = calloc(1, sizeof(*sc->hw))) == NULL) {
			*r = hw_bad(err, errlen, "out of memory");
			return 1;
		}
		sc->hw->safe_after_ms = GPIO_SAFE_AFTER_MS;
	}
	if (strcmp(k, "adc-chip") == 0)
		*r = adc_chip(sc->hw, l, err, errlen);
	else if (strcmp(k, "adc-channel") == 0)
		*r = adc_channel(sc->hw, l, err, errlen);
	else if (strcmp(k, "gpio-chip") == 0)
		*r = hw_gpio_chip(sc->hw, l, err, errlen);
	else if (strcmp(k, "gpio-output") == 0)
		*r = hw_gpio_line(sc->hw, l, 1, err, errlen);
	else if (strcmp(k, "gpio-input") == 0)
		*r = hw_gpio_line(sc->hw, l, 0, err, errlen);
	else if (strcmp(k, "safe-state-after") == 0) {
		*r = cfg_one_long(l, 0, GPIO_MAX_SAFE_AFTER_MS, &ms, err,
		    errlen);
		if (*r == 0)
			sc->hw->safe_after_ms = ms;
	} else
		return 0;
	return 1;
}

static int __attribute__((format(printf, 2, 3)))
fail_at(const struct hw_where *w, const char *fmt, ...)
{
	char	msg[256];
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_warnx("%s:%d: %s", w->file, w->line, msg);
	return -1;
}

/* Interlocks: the partner exists, is an output, names us back if it
 * names anyone, and the two are never both "on" as safe state. */
int
hwconf_check(struct hwconf *hw)
{
	struct gpio_line_conf	*c, *p;
	int			 i, j;

	if (hw == NULL)
		return 0;
	for (i = 0; i < hw->nlines; i++) {
		c = &hw->lines[i];
		if (c->interlock[0] == '\0')
			continue;
		for (j = 0; j < hw->nlines; j++)
			if (strcmp(hw->lines[j].name, c->interlock) == 0)
				break;
		if (j == hw->nlines || j == i || !hw->lines[j].output)
			return fail_at(&c->at, "gpio-output: interlock "
			    "partner \"%s\" is not another gpio-output",
			    c->interlock);
		p = &hw->lines[j];
		if (p->interlock[0] != '\0' &&
		    strcmp(p->interlock, c->name) != 0)
			return fail_at(&c->at, "gpio-output: \"%s\" is "
			    "already interlocked with \"%s\"", p->name,
			    p->interlock);
		if (p->partner != -1 && p->partner != i)
			return fail_at(&c->at, "gpio-output: \"%s\" is "
			    "already interlocked", p->name);
		if (c->safe == GPIO_SAFE_ON && p->safe == GPIO_SAFE_ON)
			return fail_at(&c->at, "gpio-output: interlocked "
			    "\"%s\" and \"%s\" are both \"safe on\"", c->name,
			    p->name);
		c->partner = j;
		p->partner = i;
	}
	return 0;
}

/* Is any chip simulated? (Hello's CAP_SIMULATED) */
int
hw_simulated(const struct hwconf *hw)
{
	int i;

	if (hw == NULL)
		return 0;
	for (i = 0; i < hw->nadc_chips; i++)
		if (hw->adc_chips[i].be == &adc_sim_backend)
			return 1;
	for (i = 0; i < hw->ngpio_chips; i++)
		if (hw->gpio_chips[i].be == &gpio_sim_backend)
			return 1;
	return 0;
}

void
hwconf_free(struct hwconf *hw)
{
	int i;

	if (hw == NULL)
		return;
	for (i = 0; i < hw->nadc_chips; i++)
		free(hw->adc_chips[i].at.file);
	for (i = 0; i < hw->nadc_chans; i++)
		free(hw->adc_chans[i].at.file);
	for (i = 0; i < hw->ngpio_chips; i++)
		free(hw->gpio_chips[i].at.file);
	for (i = 0; i < hw->nlines; i++)
		free(hw->lines[i].at.file);
	free(hw);
}
