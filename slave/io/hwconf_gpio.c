/*
 * The GPIO directives of the slave configuration (docs/CONFIG.md,
 * docs/HARDWARE.md): gpio-chip, gpio-output and gpio-input, checked on
 * their line; interlock partners are checked by hwconf_check() once the
 * whole file is read (hwconf.c).
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg.h"
#include "log.h"
#include "slave.h"
#include "io/hwconf.h"

/* gpio-chip NAME device PATH backend linux|sim [sim-toggle MS] */
struct gchip_ctx {
	struct gpio_chip_conf	*c;
	int			 have_be;
};

static int
gpio_chip_opt(void *arg, const char *k, char *const *vals, char *err,
    size_t errlen)
{
	const char	*v = vals != NULL ? vals[0] : NULL;
	struct gchip_ctx *x = arg;

	if (strcmp(k, "device") == 0) {
		if (v[0] != '/')
			return hw_bad(err, errlen,
			    "gpio-chip: device \"%s\" is "
			    "not an absolute path", v);
		return hw_text("gpio-chip", k, v, x->c->device,
		    sizeof(x->c->device), err, errlen);
	}
	if (strcmp(k, "sim-toggle") == 0)
		return hw_inum("gpio-chip", k, v, 0, 3600000,
		    &x->c->sim_toggle_ms, err, errlen);
	x->have_be = 1;
	return hw_backend("gpio-chip", v, (const void **)&x->c->be,
	    &gpio_linux_backend, &gpio_sim_backend, err, errlen);
}

static const struct hw_opt gpio_chip_opts[] = {
	{ "device", 1 }, { "backend", 1 }, { "sim-toggle", 1 }, { NULL, 0 }
};

int
hw_gpio_chip(struct hwconf *hw, const struct cfg_line *l, char *err,
    size_t errlen)
{
	struct gpio_chip_conf	*c;
	struct gchip_ctx	 x = { 0 };
	int			 i;

	if (l->argc < 2)
		return hw_bad(err, errlen, "%s: needs a name", l->argv[0]);
	if (hw->ngpio_chips == GPIO_MAX_CHIPS) {
		snprintf(err, errlen, "at most %d gpio-chip lines",
		    GPIO_MAX_CHIPS);
		return -1;
	}
	c = &hw->gpio_chips[hw->ngpio_chips];
	memset(c, 0, sizeof(*c));
	x.c = c;
	if (hw_name_ok(l, c->name, err, errlen) == -1 ||
	    hw_options(l, gpio_chip_opts, gpio_chip_opt, &x, err, errlen) == -1)
		return -1;
	if (!x.have_be)
		return hw_bad(err, errlen, "gpio-chip: backend is required");
	if (c->be == &gpio_linux_backend && c->device[0] == '\0')
		return hw_bad(err, errlen, "gpio-chip: backend linux needs "
		    "device /dev/gpiochipN");
	for (i = 0; i < hw->ngpio_chips; i++)
		if (strcmp(hw->gpio_chips[i].name, c->name) == 0 ||
		    (c->device[0] != '\0' && strcmp(hw->gpio_chips[i].device,
		    c->device) == 0))
			return hw_bad(err, errlen, "gpio-chip: \"%s\" repeats "
			    "the name or device of \"%s\"", c->name,
			    hw->gpio_chips[i].name);
	if (hw_where(&c->at, l, err, errlen) == -1)
		return -1;
	hw->ngpio_chips++;
	return 0;
}

/* gpio-output / gpio-input NAME chip CHIP line N [options] */
struct line_ctx {
	struct hwconf		*hw;
	struct gpio_line_conf	*c;
	int			 have_line;
};

static int
gpio_line_opt(void *arg, const char *k, char *const *vals, char *err,
    size_t errlen)
{
	const char	*v = vals != NULL ? vals[0] : NULL;
	struct line_ctx		*x = arg;
	struct gpio_line_conf	*c = x->c;
	const char		*d = c->output ? "gpio-output" : "gpio-input";
	long			 n;
	int			 i;

	if (strcmp(k, "chip") == 0) {
		for (i = 0; i < x->hw->ngpio_chips; i++)
			if (strcmp(x->hw->gpio_chips[i].name, v) == 0)
				break;
		if (i == x->hw->ngpio_chips)
			return hw_bad(err, errlen, "%s: unknown chip \"%s\" "
			    "(define it with gpio-chip above)", d, v);
		c->chip = i;
	} else if (strcmp(k, "line") == 0) {
		if (hw_inum(d, k, v, 0, GPIO_MAX_OFFSET, &n, err, errlen) == -1)
			return -1;
		c->offset = (unsigned)n;
		x->have_line = 1;
	} else if (strcmp(k, "active-low") == 0)
		c->active_low = 1;
	else if (strcmp(k, "drive") == 0) {
		if (strcmp(v, "push-pull") == 0)
			c->drive = GPIO_DRIVE_PUSH_PULL;
		else if (strcmp(v, "open-drain") == 0)
			c->drive = GPIO_DRIVE_OPEN_DRAIN;
		else if (strcmp(v, "open-source") == 0)
			c->drive = GPIO_DRIVE_OPEN_SOURCE;
		else
			return hw_bad(err, errlen,
			    "%s: drive \"%s\": push-pull, "
			    "open-drain or open-source", d, v);
	} else if (strcmp(k, "bias") == 0) {
		if (strcmp(v, "as-is") == 0)
			c->bias = GPIO_BIAS_AS_IS;
		else if (strcmp(v, "disabled") == 0)
			c->bias = GPIO_BIAS_DISABLED;
		else if (strcmp(v, "pull-up") == 0)
			c->bias = GPIO_BIAS_PULL_UP;
		else if (strcmp(v, "pull-down") == 0)
			c->bias = GPIO_BIAS_PULL_DOWN;
		else
			return hw_bad(err, errlen, "%s: bias \"%s\": as-is, "
			    "disabled, pull-up or pull-down", d, v);
	} else if (strcmp(k, "safe") == 0) {
		if (strcmp(v, "off") == 0)
			c->safe = GPIO_SAFE_OFF;
		else if (strcmp(v, "on") == 0)
			c->safe = GPIO_SAFE_ON;
		else if (strcmp(v, "hold") == 0)
			c->safe = GPIO_SAFE_HOLD;
		else
			return hw_bad(err, errlen,
			    "%s: safe \"%s\": off, on or hold", d, v);
	} else if (strcmp(k, "interlock") == 0) {
		if (strlen(v) > HW_NAME_MAX)
			return hw_bad(err, errlen, "%s: interlock \"%s\": name "
			    "too long", d, v);
		snprintf(c->interlock, sizeof(c->interlock), "%s", v);
	} else if (strcmp(k, "debounce") == 0)
		return hw_inum(d, k, v, 0, GPIO_MAX_DEBOUNCE_MS,
		    &c->debounce_ms, err, errlen);
	else
		return hw_text(d, k, v, c->room, sizeof(c->room), err, errlen);
	return 0;
}

static const struct hw_opt gpio_out_opts[] = {
	{ "chip", 1 }, { "line", 1 }, { "active-low", 0 }, { "drive", 1 },
	{ "bias", 1 }, { "safe", 1 }, { "interlock", 1 }, { "room", 1 },
	{ NULL, 0 }
};
static const struct hw_opt gpio_in_opts[] = {
	{ "chip", 1 }, { "line", 1 }, { "active-low", 0 }, { "bias", 1 },
	{ "debounce", 1 }, { "room", 1 }, { NULL, 0 }
};

int
hw_gpio_line(struct hwconf *hw, const struct cfg_line *l, int output, char *err,
    size_t errlen)
{
	struct gpio_line_conf	*c;
	struct line_ctx		 x = { 0 };
	int			 i;

	if (l->argc < 2)
		return hw_bad(err, errlen, "%s: needs a name", l->argv[0]);
	if (hw->nlines == GPIO_MAX_LINES) {
		snprintf(err, errlen, "at most %d gpio-output and gpio-input "
		    "lines", GPIO_MAX_LINES);
		return -1;
	}
	c = &hw->lines[hw->nlines];
	memset(c, 0, sizeof(*c));
	c->output = output;
	c->chip = -1;
	c->partner = -1;
	c->debounce_ms = output ? 0 : 20;
	x.hw = hw;
	x.c = c;
	if (hw_name_ok(l, c->name, err, errlen) == -1 ||
	    hw_options(l, output ? gpio_out_opts : gpio_in_opts, gpio_line_opt,
	    &x, err, errlen) == -1)
		return -1;
	if (c->chip == -1 || !x.have_line)
		return hw_bad(err, errlen, "%s: chip and line are required",
		    l->argv[0]);
	for (i = 0; i < hw->nlines; i++) {
		if (strcmp(hw->lines[i].name, c->name) == 0)
			return hw_bad(err, errlen, "%s: \"%s\" defined twice",
			    l->argv[0], c->name);
		if (hw->lines[i].chip == c->chip &&
		    hw->lines[i].offset == c->offset) {
			snprintf(err, errlen, "%s: duplicate line: %s line %u "
			    "is already \"%s\"", l->argv[0],
			    hw->gpio_chips[c->chip].name, c->offset,
			    hw->lines[i].name);
			return -1;
		}
	}
	if (hw_where(&c->at, l, err, errlen) == -1)
		return -1;
	hw->nlines++;
	return 0;
}
