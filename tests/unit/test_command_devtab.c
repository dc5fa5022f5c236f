/*
 * Unit tests for the slave's device table (slave/dev/devtab.c), part of
 * test_command (test_command.c has main(), the fake drivers and the
 * queue both files read): registering devices and their values within
 * the limits, reports and faults as queued envelopes, the device list.
 */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHECK_PART	/* of test_command */
#include "check.h"
#include "hdlimits.h"
#include "wire.h"
#include "../../slave/slave.h"
#include "test_command.h"

void
test_dev_new(void)
{
	struct dev	*d, *e;
	char		 id[DEVICE_ID_MAX + 2];
	int		 i, n;

	d = dev_new(&S, "t:one", "One", "Hall", HD__DEVICE_KIND__DEV_SWITCH,
	    &now_ops, &now_drv);
	CHECK(d != NULL && S.ndevs == 1 && dev_find(&S, "t:one") == d,
	    "dev_new registers a device");
	CHECK(d != NULL && strcmp(d->desc.name, "One") == 0 &&
	    strcmp(d->desc.room, "Hall") == 0 && d->desc.kind ==
	    HD__DEVICE_KIND__DEV_SWITCH && d->desc.n_values == 0 &&
	    d->s == &S && d->drv == &now_drv,
	    "the description holds id, name, room, kind, no values yet");
	CHECK(dev_new(&S, "t:one", "Again", "", HD__DEVICE_KIND__DEV_SWITCH,
	    &now_ops, NULL) == NULL && S.ndevs == 1,
	    "dev_new refuses a duplicate id");
	CHECK(dev_new(&S, "", "Empty", "", HD__DEVICE_KIND__DEV_SWITCH,
	    &now_ops, NULL) == NULL && S.ndevs == 1,
	    "dev_new refuses an empty id");
	memset(id, 'x', sizeof(id) - 1);
	id[sizeof(id) - 1] = '\0';
	CHECK(dev_new(&S, id, "Long", "", HD__DEVICE_KIND__DEV_SWITCH,
	    &now_ops, NULL) == NULL && S.ndevs == 1,
	    "dev_new refuses an id of DEVICE_ID_MAX + 1 (%d) chars",
	    DEVICE_ID_MAX + 1);
	id[DEVICE_ID_MAX] = '\0';
	e = dev_new(&S, id, NULL, NULL, HD__DEVICE_KIND__DEV_SENSOR,
	    &now_ops, NULL);
	CHECK(e != NULL && S.ndevs == 2 && strcmp(e->desc.name, "") == 0 &&
	    strcmp(e->desc.room, "") == 0,
	    "dev_new takes an id of DEVICE_ID_MAX chars, NULL name and room");
	if (e != NULL)
		dev_remove(e);
	CHECK(S.ndevs == 1 && dev_find(&S, id) == NULL,
	    "dev_remove unregisters");

	for (i = S.ndevs, n = 0; i < CLUSTER_MAX_DEVICES; i++) {
		snprintf(id, sizeof(id), "fill:%d", i);
		if (dev_new(&S, id, "", "", HD__DEVICE_KIND__DEV_SENSOR,
		    &now_ops, NULL) != NULL)
			n++;
	}
	CHECK(S.ndevs == CLUSTER_MAX_DEVICES && n == CLUSTER_MAX_DEVICES - 1,
	    "CLUSTER_MAX_DEVICES (%d) devices fit", CLUSTER_MAX_DEVICES);
	CHECK(dev_new(&S, "t:toomany", "", "", HD__DEVICE_KIND__DEV_SENSOR,
	    &now_ops, NULL) == NULL && S.ndevs == CLUSTER_MAX_DEVICES,
	    "dev_new refuses one device past CLUSTER_MAX_DEVICES");
	remove_all();
	CHECK(S.ndevs == 0 && TAILQ_EMPTY(&S.devs), "all devices removed");
}

void
test_dev_value(void)
{
	struct dev	*d, *e;
	char		 key[VALUE_KEY_MAX + 2];
	int		 i, n = 0;

	d = dev_new(&S, "t:many", "", "", HD__DEVICE_KIND__DEV_SENSOR,
	    &now_ops, NULL);
	e = dev_new(&S, "t:keys", "", "", HD__DEVICE_KIND__DEV_SENSOR,
	    &now_ops, NULL);
	if (!CHECK(d != NULL && e != NULL, "two scratch devices"))
		return;
	for (i = 0; i < CLUSTER_MAX_DEV_VALUES; i++) {
		snprintf(key, sizeof(key), "v%d", i);
		if (dev_value(d, key, HD__VALUE_TYPE__VT_INT, "", 0, 0, 0) == 0)
			n++;
	}
	CHECK(n == CLUSTER_MAX_DEV_VALUES &&
	    d->desc.n_values == CLUSTER_MAX_DEV_VALUES,
	    "CLUSTER_MAX_DEV_VALUES (%d) values fit", CLUSTER_MAX_DEV_VALUES);
	CHECK(dev_value(d, "more", HD__VALUE_TYPE__VT_INT, "", 0, 0, 0) == -1 &&
	    d->desc.n_values == CLUSTER_MAX_DEV_VALUES,
	    "dev_value refuses one value past CLUSTER_MAX_DEV_VALUES");
	CHECK(dev_find_value(d, "v0") == d->vals[0] &&
	    dev_find_value(d, "v31") != NULL &&
	    dev_find_value(d, "more") == NULL,
	    "dev_find_value finds the registered keys only");

	memset(key, 'k', sizeof(key) - 1);
	key[sizeof(key) - 1] = '\0';
	CHECK(dev_value(e, key, HD__VALUE_TYPE__VT_BOOL, "", 1, 0, 0) == -1 &&
	    e->desc.n_values == 0,
	    "dev_value refuses a key of VALUE_KEY_MAX + 1 (%d) chars",
	    VALUE_KEY_MAX + 1);
	CHECK(dev_value(e, "", HD__VALUE_TYPE__VT_BOOL, "", 1, 0, 0) == -1 &&
	    e->desc.n_values == 0, "dev_value refuses an empty key");
	key[VALUE_KEY_MAX] = '\0';
	CHECK(dev_value(e, key, HD__VALUE_TYPE__VT_DOUBLE, NULL, 1, -1, 1) ==
	    0 && e->desc.n_values == 1 && e->vals[0]->type ==
	    HD__VALUE_TYPE__VT_DOUBLE && e->vals[0]->writable &&
	    e->vals[0]->min == -1 && e->vals[0]->max == 1 &&
	    strcmp(e->vals[0]->unit, "") == 0,
	    "dev_value takes a key of VALUE_KEY_MAX chars, and its "
	    "description");
	remove_all();
}

void
test_report_fault(void)
{
	struct dev	*d = dev_find(&S, "t:now");
	Hd__Envelope	*e;
	Hd__Value	 v = vi(42);
	uint64_t	 t0, t1;

	drain();
	t0 = ev_wall_ms();
	dev_report(d, "level", &v, DEV_STALE | DEV_LOW_BATTERY);
	t1 = ev_wall_ms();
	e = queued(0);
	CHECK(S.rq.count == 1 && e != NULL &&
	    e->body_case == HD__ENVELOPE__BODY_REPORT && e->seq == S.seq,
	    "dev_report queues one sequenced ValueReport");
	CHECK(e != NULL && e->body_case == HD__ENVELOPE__BODY_REPORT &&
	    strcmp(e->report->device_id, "t:now") == 0 &&
	    strcmp(e->report->key, "level") == 0 && e->report->value != NULL &&
	    e->report->value->v_case == HD__VALUE__V_I &&
	    e->report->value->i == 42,
	    "the report names device, key and value");
	CHECK(e != NULL && e->body_case == HD__ENVELOPE__BODY_REPORT &&
	    e->report->stale && !e->report->fault && e->report->low_battery,
	    "DEV_STALE | DEV_LOW_BATTERY: stale and low_battery, not fault");
	CHECK(e != NULL && e->body_case == HD__ENVELOPE__BODY_REPORT &&
	    e->report->time_ms >= t0 && e->report->time_ms <= t1,
	    "the report carries the wall clock time");
	wire_free((ProtobufCMessage *)e);

	drain();
	v = vb(0);
	dev_report(d, "on", &v, DEV_FAULT);
	dev_report(d, "on", &v, 0);
	e = queued(0);
	CHECK(e != NULL && e->body_case == HD__ENVELOPE__BODY_REPORT &&
	    !e->report->stale && e->report->fault && !e->report->low_battery,
	    "DEV_FAULT: fault only");
	wire_free((ProtobufCMessage *)e);
	e = queued(1);
	CHECK(e != NULL && e->body_case == HD__ENVELOPE__BODY_REPORT &&
	    !e->report->stale && !e->report->fault && !e->report->low_battery &&
	    is_bool(e->report->value, 0), "no flags: none set");
	wire_free((ProtobufCMessage *)e);

	drain();
	dev_fault(&S, "zwave", "t:now", 1, "stick unplugged");
	dev_fault(&S, "adc", NULL, 0, "chip back");
	e = queued(0);
	CHECK(S.rq.count == 2 && e != NULL &&
	    e->body_case == HD__ENVELOPE__BODY_FAULT &&
	    strcmp(e->fault->subsystem, "zwave") == 0 &&
	    strcmp(e->fault->device_id, "t:now") == 0 && e->fault->active &&
	    strcmp(e->fault->detail, "stick unplugged") == 0,
	    "dev_fault queues a Fault (raised, on a device)");
	wire_free((ProtobufCMessage *)e);
	e = queued(1);
	CHECK(e != NULL && e->body_case == HD__ENVELOPE__BODY_FAULT &&
	    strcmp(e->fault->device_id, "") == 0 && !e->fault->active,
	    "dev_fault without a device: cleared, empty device id");
	wire_free((ProtobufCMessage *)e);
	drain();
}

void
test_announce(void)
{
	Hd__DeviceAnnounce	 da = HD__DEVICE_ANNOUNCE__INIT;
	struct dev		*d;
	char			 id[32];
	size_t			 i = 0, good = 0;
	int			 n;

	for (n = S.ndevs; n < CLUSTER_MAX_DEVICES; n++) {
		snprintf(id, sizeof(id), "ann:%d", n);
		dev_new(&S, id, "", "", HD__DEVICE_KIND__DEV_SENSOR, &now_ops,
		    NULL);
	}
	devices_announce(&S, &da);
	TAILQ_FOREACH(d, &S.devs, entry) {
		if (i < da.n_devices && da.devices[i] == &d->desc)
			good++;
		i++;
	}
	CHECK(S.ndevs == CLUSTER_MAX_DEVICES &&
	    da.n_devices == (size_t)S.ndevs && good == da.n_devices,
	    "devices_announce lists every device (%d), in order", S.ndevs);
	CHECK(da.n_devices >= 2 && strcmp(da.devices[0]->id, "t:now") == 0 &&
	    da.devices[0]->n_values == 7 &&
	    strcmp(da.devices[1]->id, "t:later") == 0,
	    "the list holds the devices' descriptions with their values");
	free(da.devices);
	remove_all();

	hd__device_announce__init(&da);
	devices_announce(&S, &da);
	CHECK(da.n_devices == 0 && da.devices == NULL,
	    "an empty table: an empty list");
	free(da.devices);
}
