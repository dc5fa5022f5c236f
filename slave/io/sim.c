/*
 * Simulated devices for the demo and for tests until, and beside, real
 * hardware: a lamp (switch), a temperature sensor doing a random walk and
 * a door contact that opens and closes. They live in the device table
 * like any driver's devices; the simulation advances on one timer.
 */

#include <math.h>
#include <stdlib.h>

#include "net.h"
#include "slave.h"

struct sim {
	struct slave	*s;
	struct dev	*lamp, *temp, *door;
	int		 lamp_on, door_open;
	double		 temp_c;
	unsigned	 ticks;
	struct ev_timer	 timer;
};

static void
report_bool(struct dev *d, const char *key, int on)
{
	Hd__Value v = HD__VALUE__INIT;

	v.v_case = HD__VALUE__V_B;
	v.b = on;
	dev_report(d, key, &v, 0);
}

static void
report_temp(struct sim *sim)
{
	Hd__Value v = HD__VALUE__INIT;

	v.v_case = HD__VALUE__V_D;
	v.d = round(sim->temp_c * 10) / 10;
	dev_report(sim->temp, "temperature", &v, 0);
}

static void
sim_report_all(struct dev *d)
{
	struct sim *sim = d->drv;

	if (d == sim->lamp)
		report_bool(d, "on", sim->lamp_on);
	else if (d == sim->door)
		report_bool(d, "open", sim->door_open);
	else
		report_temp(sim);
}

/* The table has checked the key and the type already. */
static void
sim_command(struct dev *d, const Hd__Command *c)
{
	struct sim	*sim = d->drv;
	Hd__Value	 v = HD__VALUE__INIT;

	sim->lamp_on = c->value->b;
	report_bool(d, "on", sim->lamp_on);
	v.v_case = HD__VALUE__V_B;
	v.b = sim->lamp_on;
	dev_done(d, c->id, HD__COMMAND_RESULT__STATUS__OK, "", &v);
}

static void
sim_tick(struct ev_timer *t)
{
	struct sim	*sim = t->arg;
	uint32_t	 r = 0;
	double		 old = round(sim->temp_c * 10) / 10;

	net_random(&r, sizeof(r));
	sim->temp_c += ((double)(r % 201) - 100) / 500;	/* +-0.2 °C */
	if (sim->temp_c < 15 || sim->temp_c > 28)
		sim->temp_c = 21;
	if (round(sim->temp_c * 10) / 10 != old)
		report_temp(sim);
	if (++sim->ticks % 4 == 0) {
		sim->door_open = !sim->door_open;
		report_bool(sim->door, "open", sim->door_open);
	}
	ev_timer_start(sim->s->loop, t, (uint64_t)sim->s->conf.sim_interval_ms);
}

static const struct dev_ops sim_ops = {
	.command = sim_command,
	.report_all = sim_report_all,
};

static struct dev *
sim_dev(struct sim *sim, const char *id, const char *name, Hd__DeviceKind k,
    const char *key, Hd__ValueType vt, const char *unit, int writable)
{
	struct dev *d;

	if ((d = dev_new(sim->s, id, name, "Simulated", k, &sim_ops, sim)) ==
	    NULL)
		return NULL;
	if (dev_value(d, key, vt, unit, writable, 0, 0) == -1) {
		dev_remove(d);
		return NULL;
	}
	return d;
}

int
sim_start(struct slave *s)
{
	struct sim *sim;

	if (!s->conf.simulate)
		return 0;
	if ((sim = calloc(1, sizeof(*sim))) == NULL)
		return -1;
	sim->s = s;
	sim->temp_c = 21;
	sim->lamp = sim_dev(sim, "sim:lamp", "Lamp", HD__DEVICE_KIND__DEV_SWITCH,
	    "on", HD__VALUE_TYPE__VT_BOOL, "", 1);
	sim->temp = sim_dev(sim, "sim:temp", "Temperature",
	    HD__DEVICE_KIND__DEV_SENSOR, "temperature",
	    HD__VALUE_TYPE__VT_DOUBLE, "°C", 0);
	sim->door = sim_dev(sim, "sim:door", "Door contact",
	    HD__DEVICE_KIND__DEV_BINARY_SENSOR, "open",
	    HD__VALUE_TYPE__VT_BOOL, "", 0);
	s->sim = sim;
	if (sim->lamp == NULL || sim->temp == NULL || sim->door == NULL)
		return -1;
	ev_timer_init(&sim->timer, sim_tick, sim);
	ev_timer_start(s->loop, &sim->timer, (uint64_t)s->conf.sim_interval_ms);
	return 0;
}

void
sim_stop(struct slave *s)
{
	struct sim *sim = s->sim;

	if (sim == NULL)
		return;
	ev_timer_stop(s->loop, &sim->timer);
	if (sim->lamp)
		dev_remove(sim->lamp);
	if (sim->temp)
		dev_remove(sim->temp);
	if (sim->door)
		dev_remove(sim->door);
	free(sim);
	s->sim = NULL;
}
