/*
 * Unit tests for slave/io/gpio.c on the simulated backend and the event
 * loop: commands through devices_command() (results and reports decoded
 * from the replay queue of a slave that is not online), timed pulses,
 * interlocked pairs, safe state at start-up and after losing the master,
 * debounced inputs, and the config checks of slave/io/hwconf.c.
 */

#include <stdio.h>
#include <string.h>

#include "check.h"
#include "hwtest.h"

#define OK	HD__COMMAND_RESULT__STATUS__OK

struct seen {
	int	status[16];		/* by command id, -1 none */
	int	reports, last;		/* for `dev`.`key` */
	const char *dev, *key;
};

static void
collect(const Hd__Envelope *e, void *arg)
{
	struct seen *w = arg;

	if (e->body_case == HD__ENVELOPE__BODY_RESULT && e->result->id < 16)
		w->status[e->result->id] = (int)e->result->status;
	if (e->body_case == HD__ENVELOPE__BODY_REPORT && w->dev != NULL &&
	    strcmp(e->report->device_id, w->dev) == 0 &&
	    strcmp(e->report->key, w->key) == 0) {
		w->reports++;
		w->last = e->report->value->b;
	}
}

static void
drain(struct slave *s, struct seen *w, const char *dev, const char *key)
{
	int i;

	memset(w, 0, sizeof(*w));
	for (i = 0; i < 16; i++)
		w->status[i] = -1;
	w->dev = dev;
	w->key = key;
	hw_drain(s, collect, w);
}

static void
cmd(struct slave *s, uint64_t id, const char *dev, int on, uint32_t pulse)
{
	Hd__Command	c = HD__COMMAND__INIT;
	Hd__Value	v = HD__VALUE__INIT;

	v.v_case = HD__VALUE__V_B;
	v.b = on;
	c.id = id;
	c.device_id = (char *)(uintptr_t)dev;
	c.key = (char *)(uintptr_t)"on";
	c.value = &v;
	c.pulse_ms = pulse;
	devices_command(s, &c);
}

static int
level(unsigned line)
{
	int v = -1;

	gpio_sim_level("g", line, &v);
	return v;
}

static void
test_config(void)
{
	struct slave	*s = hw_slave();
	char		 err[256];

	if (!CHECK(s != NULL, "slave"))
		return;
	CHECK(hw_line(s, "gpio-chip g backend sim", err, sizeof(err)) == 0,
	    "sim chip needs no device");
	CHECK(hw_line(s, "gpio-chip h backend linux", err, sizeof(err)) == -1,
	    "linux chip without a device refused");
	CHECK(hw_line(s, "gpio-output a chip g line 1 drive open-drain bias "
	    "pull-up active-low safe hold room Hall", err, sizeof(err)) == 0,
	    "output with every option (%s)", err);
	CHECK(hw_line(s, "gpio-input b chip g line 1", err, sizeof(err)) ==
	    -1 && strstr(err, "duplicate line") != NULL,
	    "a line used twice refused (%s)", err);
	CHECK(hw_line(s, "gpio-input b chip g line 512", err, sizeof(err)) ==
	    -1, "line past GPIO_MAX_OFFSET refused");
	CHECK(hw_line(s, "gpio-input b chip x line 2", err, sizeof(err)) ==
	    -1 && strstr(err, "unknown chip") != NULL, "unknown chip refused");
	CHECK(hw_line(s, "gpio-input b chip g line 2 debounce 10001", err,
	    sizeof(err)) == -1, "debounce past GPIO_MAX_DEBOUNCE_MS refused");
	CHECK(hw_line(s, "gpio-input b chip g line 2 drive open-drain", err,
	    sizeof(err)) == -1, "drive is for outputs only");
	hw_line(s, "gpio-output p chip g line 3 safe on interlock q", err,
	    sizeof(err));
	hw_line(s, "gpio-output q chip g line 4 safe on", err, sizeof(err));
	CHECK(hwconf_check(s->conf.hw) == -1,
	    "interlocked pair both safe on refused at the check");
	s->conf.hw->lines[2].safe = GPIO_SAFE_OFF;
	CHECK(hwconf_check(s->conf.hw) == 0 && s->conf.hw->lines[2].partner ==
	    1 && s->conf.hw->lines[1].partner == 2,
	    "one safe on: accepted, the partner links back");
	hw_slave_free(s);
}

static void
test_outputs(struct slave *s)
{
	struct seen w;

	CHECK(level(1) == 1 && level(2) == 0 && level(3) == 0 &&
	    level(4) == 1, "start-up: safe states applied (active-low off is "
	    "a high level, safe on is on)");
	drain(s, &w, NULL, NULL);

	cmd(s, 1, "gpio:door", 1, 150);
	CHECK(level(1) == 0, "pulse: on at once (active-low: level low)");
	drain(s, &w, "gpio:door", "on");
	CHECK(w.status[1] == OK && w.reports == 1 && w.last == 1,
	    "pulse: OK and on reported");
	hw_run(s, 50);
	CHECK(level(1) == 0, "pulse: still on after 50 ms");
	hw_run(s, 400);
	drain(s, &w, "gpio:door", "on");
	CHECK(level(1) == 1 && w.reports == 1 && w.last == 0,
	    "pulse: off again afterwards, and reported");
	cmd(s, 2, "gpio:door", 1, GPIO_MAX_PULSE_MS + 1);
	drain(s, &w, NULL, NULL);
	CHECK(w.status[2] == HD__COMMAND_RESULT__STATUS__BAD_VALUE &&
	    level(1) == 1, "pulse past GPIO_MAX_PULSE_MS refused, no change");

	cmd(s, 3, "gpio:up", 1, 0);
	CHECK(level(2) == 1 && level(3) == 0, "interlock: up on");
	drain(s, &w, NULL, NULL);
	cmd(s, 4, "gpio:down", 1, 0);
	drain(s, &w, "gpio:up", "on");
	CHECK(level(2) == 0 && level(3) == 1 && w.status[4] == OK &&
	    w.reports == 1 && w.last == 0,
	    "interlock: down on switches up off first, and says so");
	cmd(s, 5, "gpio:down", 0, 150);
	cmd(s, 6, "gpio:up", 1, 0);
	hw_run(s, 400);
	CHECK(level(2) == 1 && level(3) == 0,
	    "interlock: a partner's pending pulse is cancelled, never both on");
	cmd(s, 7, "gpio:up", 1, 0);
	drain(s, &w, NULL, NULL);
	CHECK(w.status[7] == OK, "a repeated on is fine");
	cmd(s, 7, "gpio:up", 0, 0);
	drain(s, &w, NULL, NULL);
	CHECK(level(2) == 1 && w.status[7] == OK,
	    "a repeated command id is answered from memory, not executed");
}

static void
test_safe(struct slave *s)
{
	cmd(s, 8, "gpio:heat", 0, 0);
	cmd(s, 9, "gpio:down", 1, 0);		/* up goes off */
	cmd(s, 10, "gpio:up", 1, 0);		/* down goes off */
	CHECK(level(2) == 1 && level(4) == 0, "before: up on, heat off");
	devices_link(s, 0);
	hw_run(s, 100);
	devices_link(s, 1);
	hw_run(s, 500);
	CHECK(level(2) == 1 && level(4) == 0,
	    "a short loss (reconnected in time) changes nothing");
	devices_link(s, 0);
	hw_run(s, 100);
	CHECK(level(2) == 1, "not yet after 100 of 300 ms");
	hw_run(s, 600);
	CHECK(level(2) == 0 && level(4) == 1 && level(1) == 1,
	    "after safe-state-after: up off, heat on, door off");
	cmd(s, 11, "gpio:down", 1, 0);
	devices_link(s, 0);
	hw_run(s, 600);
	CHECK(level(3) == 1, "hold: left as it was");
	devices_link(s, 1);
	hw_drain(s, NULL, NULL);
}

static void
test_inputs(struct slave *s)
{
	struct seen w;

	drain(s, &w, NULL, NULL);
	gpio_sim_input("g", 5, 1);
	gpio_sim_input("g", 5, 0);
	gpio_sim_input("g", 5, 1);
	drain(s, &w, "gpio:btn", "state");
	CHECK(w.reports == 0, "debounce: nothing while it bounces");
	hw_run(s, 300);
	drain(s, &w, "gpio:btn", "state");
	CHECK(w.reports == 1 && w.last == 1,
	    "debounce: one report of the settled state");
	gpio_sim_input("g", 5, 0);
	gpio_sim_input("g", 5, 1);
	hw_run(s, 300);
	drain(s, &w, "gpio:btn", "state");
	CHECK(w.reports == 0, "debounce: a glitch that settles back is "
	    "not reported");
	gpio_sim_input("g", 6, 1);
	drain(s, &w, "gpio:raw", "state");
	CHECK(w.reports == 1 && w.last == 0,
	    "active-low input without debounce: reported at the edge");
}

int
main(void)
{
	struct slave	*s;
	char		 err[256];
	int		 i, bad = 0;
	const char	*conf[] = {
		"gpio-chip g backend sim",
		"gpio-output door chip g line 1 active-low safe off",
		"gpio-output up chip g line 2 safe off interlock down",
		"gpio-output down chip g line 3 safe hold",
		"gpio-output heat chip g line 4 safe on",
		"gpio-input btn chip g line 5 debounce 50",
		"gpio-input raw chip g line 6 debounce 0 active-low",
		"safe-state-after 300",
	};

	log_init("test_gpio", 0);
	test_config();
	if (!CHECK((s = hw_slave()) != NULL, "slave"))
		return check_done();
	for (i = 0; i < (int)(sizeof(conf) / sizeof(conf[0])); i++)
		if (hw_line(s, conf[i], err, sizeof(err)) == -1) {
			printf("# %s: %s\n", conf[i], err);
			bad++;
		}
	CHECK(bad == 0 && hwconf_check(s->conf.hw) == 0, "test config");
	if (!CHECK(gpio_start(s) == 0 && s->ndevs == 6, "gpio_start: "
	    "6 devices"))
		return check_done();
	test_outputs(s);
	test_safe(s);
	test_inputs(s);
	gpio_stop(s);
	CHECK(s->ndevs == 0, "gpio_stop removes its devices");
	hw_slave_free(s);
	return check_done();
}
