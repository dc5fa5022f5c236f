/*
 * Placeholder devices of a slave until the Z-Wave, ADC and GPIO drivers
 * land: a lamp (switch), a temperature sensor doing a random walk and a
 * door contact, all simulated in memory. Also the command path every
 * real driver will use: idempotent by command id.
 */

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "net.h"
#include "slave.h"

enum sim_id { SIM_LAMP, SIM_TEMP, SIM_DOOR, SIM_NDEV };

struct sim_dev {
	Hd__Device	 dev[SIM_NDEV];
	Hd__Device	*devp[SIM_NDEV];
	Hd__ValueDesc	 vd[SIM_NDEV];
	Hd__ValueDesc	*vdp[SIM_NDEV];
	int		 lamp_on, door_open;
	double		 temp;
	unsigned	 ticks;
};

static void
sim_define(struct sim_dev *d, enum sim_id i, const char *id, const char *name,
    Hd__DeviceKind kind, const char *key, Hd__ValueType vt, const char *unit,
    int writable)
{
	hd__device__init(&d->dev[i]);
	hd__value_desc__init(&d->vd[i]);
	d->dev[i].id = (char *)(uintptr_t)id;
	d->dev[i].name = (char *)(uintptr_t)name;
	d->dev[i].room = (char *)(uintptr_t)"Simulated";
	d->dev[i].kind = kind;
	d->dev[i].manufacturer = (char *)(uintptr_t)"homedaemon";
	d->dev[i].model = (char *)(uintptr_t)"simulator";
	d->dev[i].interview_pct = 100;
	d->vd[i].key = (char *)(uintptr_t)key;
	d->vd[i].type = vt;
	d->vd[i].unit = (char *)(uintptr_t)unit;
	d->vd[i].writable = writable;
	d->vd[i].max = writable ? 1 : 0;
	d->vdp[i] = &d->vd[i];
	d->dev[i].values = &d->vdp[i];
	d->dev[i].n_values = 1;
	d->devp[i] = &d->dev[i];
}

static void
report(struct slave *s, enum sim_id i)
{
	struct sim_dev	*d = s->sim;
	Hd__Envelope	 e = HD__ENVELOPE__INIT;
	Hd__ValueReport	 r = HD__VALUE_REPORT__INIT;
	Hd__Value	 v = HD__VALUE__INIT;

	r.device_id = d->dev[i].id;
	r.key = d->vd[i].key;
	r.time_ms = ev_wall_ms();
	if (i == SIM_TEMP) {
		v.v_case = HD__VALUE__V_D;
		v.d = round(d->temp * 10) / 10;
	} else {
		v.v_case = HD__VALUE__V_B;
		v.b = i == SIM_LAMP ? d->lamp_on : d->door_open;
	}
	r.value = &v;
	e.body_case = HD__ENVELOPE__BODY_REPORT;
	e.report = &r;
	link_send_reliable(s, &e);
}

void
devices_report_all(struct slave *s)
{
	int i;

	for (i = 0; s->sim != NULL && i < SIM_NDEV; i++)
		report(s, (enum sim_id)i);
}

/* The simulation advances on a timer: nothing runs in between. */
static void
sim_tick(struct ev_timer *t)
{
	struct slave	*s = t->arg;
	struct sim_dev	*d = s->sim;
	uint32_t	 r = 0;
	double		 old = round(d->temp * 10) / 10;

	net_random(&r, sizeof(r));
	d->temp += ((double)(r % 201) - 100) / 500;	/* +-0.2 °C */
	if (d->temp < 15 || d->temp > 28)
		d->temp = 21;
	if (round(d->temp * 10) / 10 != old)
		report(s, SIM_TEMP);
	if (++d->ticks % 4 == 0) {
		d->door_open = !d->door_open;
		report(s, SIM_DOOR);
	}
	ev_timer_start(s->loop, t, (uint64_t)s->conf.sim_interval_ms);
}

int
devices_init(struct slave *s)
{
	struct sim_dev *d;

	if (!s->conf.simulate)
		return 0;
	if ((d = calloc(1, sizeof(*d))) == NULL)
		return -1;
	sim_define(d, SIM_LAMP, "sim:lamp", "Lamp", HD__DEVICE_KIND__DEV_SWITCH,
	    "on", HD__VALUE_TYPE__VT_BOOL, "", 1);
	sim_define(d, SIM_TEMP, "sim:temp", "Temperature",
	    HD__DEVICE_KIND__DEV_SENSOR, "temperature",
	    HD__VALUE_TYPE__VT_DOUBLE, "°C", 0);
	sim_define(d, SIM_DOOR, "sim:door", "Door contact",
	    HD__DEVICE_KIND__DEV_BINARY_SENSOR, "open",
	    HD__VALUE_TYPE__VT_BOOL, "", 0);
	d->temp = 21;
	s->sim = d;
	ev_timer_init(&s->sim_timer, sim_tick, s);
	ev_timer_start(s->loop, &s->sim_timer, (uint64_t)s->conf.sim_interval_ms);
	return 0;
}

void
devices_free(struct slave *s)
{
	if (s->sim != NULL)
		ev_timer_stop(s->loop, &s->sim_timer);
	free(s->sim);
	s->sim = NULL;
}

/* The list stays owned by the simulator; valid until devices_free(). */
void
devices_announce(struct slave *s, Hd__DeviceAnnounce *da)
{
	da->n_devices = s->sim != NULL ? SIM_NDEV : 0;
	da->devices = s->sim != NULL ? s->sim->devp : NULL;
}

static Hd__CommandResult__Status
sim_apply(struct slave *s, const Hd__Command *c, int *on, const char **why)
{
	struct sim_dev	*d = s->sim;
	int		 i;

	for (i = 0; d != NULL && i < SIM_NDEV; i++)
		if (strcmp(d->dev[i].id, c->device_id) == 0)
			break;
	if (d == NULL || i == SIM_NDEV) {
		*why = "no such device on this slave";
		return HD__COMMAND_RESULT__STATUS__UNKNOWN_DEVICE;
	}
	if (strcmp(c->key, d->vd[i].key) != 0 || !d->vd[i].writable) {
		*why = "value is read-only";
		return HD__COMMAND_RESULT__STATUS__READ_ONLY;
	}
	if (c->value == NULL || c->value->v_case != HD__VALUE__V_B) {
		*why = "expects a boolean";
		return HD__COMMAND_RESULT__STATUS__BAD_VALUE;
	}
	d->lamp_on = *on = c->value->b;
	report(s, SIM_LAMP);
	return HD__COMMAND_RESULT__STATUS__OK;
}

/*
 * A command id seen recently gets its earlier result without acting
 * again: after a reconnect or failover the master may send it twice.
 */
void
devices_command(struct slave *s, const Hd__Command *c, Hd__CommandResult *r,
    Hd__Value *v)
{
	const struct cmd_memo	*mm;
	const char		*why = "";
	int			 on = 0;
	char			 vis[DEVICE_ID_MAX + 1];

	r->id = c->id;
	if ((mm = memo_find(s, c->id)) != NULL) {
		r->status = mm->status;
		r->duplicate = 1;
		on = mm->on;
	} else {
		r->status = sim_apply(s, c, &on, &why);
		memo_add(s, c->id, r->status, on);
		log_info("command %llu on %s: %s", (unsigned long long)c->id,
		    str_vis(vis, sizeof(vis), c->device_id),
		    r->status == HD__COMMAND_RESULT__STATUS__OK ? "done" : why);
	}
	r->detail = (char *)(uintptr_t)why;
	if (r->status == HD__COMMAND_RESULT__STATUS__OK) {
		v->v_case = HD__VALUE__V_B;
		v->b = on;
		r->value = v;
	}
}
