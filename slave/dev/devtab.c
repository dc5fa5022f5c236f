/*
 * The slave's device table: every driver (simulator, Z-Wave, ADC, GPIO)
 * registers its devices here, reports values through it and receives
 * commands from it. The table does what is the same for every driver:
 * the announced description, checking a command against it (known device,
 * writable key, right type), remembering recent command ids so a repeat
 * is answered instead of executed, and keeping the in-flight ones.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "net.h"
#include "slave.h"

static char *
xstrdup(const char *s)
{
	return strdup(s != NULL ? s : "");
}

struct dev *
dev_new(struct slave *s, const char *id, const char *name, const char *room,
    Hd__DeviceKind kind, const struct dev_ops *ops, void *drv)
{
	struct dev *d;

	if (strlen(id) == 0 || strlen(id) > DEVICE_ID_MAX ||
	    dev_find(s, id) != NULL || s->ndevs >= CLUSTER_MAX_DEVICES)
		return NULL;
	if ((d = calloc(1, sizeof(*d))) == NULL)
		return NULL;
	hd__device__init(&d->desc);
	d->s = s;
	d->ops = ops;
	d->drv = drv;
	d->desc.id = xstrdup(id);
	d->desc.name = xstrdup(name);
	d->desc.room = xstrdup(room);
	d->desc.manufacturer = xstrdup("");
	d->desc.model = xstrdup("");
	d->desc.kind = kind;
	d->desc.interview_pct = 100;
	d->desc.values = d->vals;
	if (d->desc.id == NULL || d->desc.name == NULL || d->desc.room == NULL ||
	    d->desc.manufacturer == NULL || d->desc.model == NULL) {
		dev_free_desc(d);
		free(d);
		return NULL;
	}
	TAILQ_INSERT_TAIL(&s->devs, d, entry);
	s->ndevs++;
	return d;
}

int
dev_value(struct dev *d, const char *key, Hd__ValueType type,
    const char *unit, int writable, double min, double max)
{
	Hd__ValueDesc *v;

	if (d->desc.n_values == CLUSTER_MAX_DEV_VALUES ||
	    strlen(key) == 0 || strlen(key) > VALUE_KEY_MAX ||
	    (v = calloc(1, sizeof(*v))) == NULL)
		return -1;
	hd__value_desc__init(v);
	v->key = xstrdup(key);
	v->unit = xstrdup(unit);
	v->type = type;
	v->writable = writable;
	v->min = min;
	v->max = max;
	if (v->key == NULL || v->unit == NULL) {
		free(v->key);
		free(v->unit);
		free(v);
		return -1;
	}
	d->vals[d->desc.n_values++] = v;
	return 0;
}

void
dev_free_desc(struct dev *d)
{
	size_t i;

	for (i = 0; i < d->desc.n_values; i++) {
		free(d->vals[i]->key);
		free(d->vals[i]->unit);
		free(d->vals[i]);
	}
	free(d->desc.id);
	free(d->desc.name);
	free(d->desc.room);
	free(d->desc.manufacturer);
	free(d->desc.model);
}

/* Unregister and free a device; the driver frees its own state first.
 * Its commands still in flight end with UNKNOWN_DEVICE. */
void
dev_remove(struct dev *d)
{
	struct slave *s = d->s;

	dev_fail_inflight(d, "the device was removed");
	TAILQ_REMOVE(&s->devs, d, entry);
	s->ndevs--;
	dev_free_desc(d);
	free(d);
}

struct dev *
dev_find(struct slave *s, const char *id)
{
	struct dev *d;

	TAILQ_FOREACH(d, &s->devs, entry)
		if (strcmp(d->desc.id, id) == 0)
			return d;
	return NULL;
}

const Hd__ValueDesc *
dev_find_value(const struct dev *d, const char *key)
{
	size_t i;

	for (i = 0; i < d->desc.n_values; i++)
		if (strcmp(d->vals[i]->key, key) == 0)
			return d->vals[i];
	return NULL;
}

void
dev_report(struct dev *d, const char *key, const Hd__Value *v, int flags)
{
	dev_report_at(d, key, v, flags, ev_wall_ms());
}

void
dev_report_at(struct dev *d, const char *key, const Hd__Value *v, int flags,
    uint64_t time_ms)
{
	Hd__Envelope	e = HD__ENVELOPE__INIT;
	Hd__ValueReport	r = HD__VALUE_REPORT__INIT;

	local_value(d->s, d->desc.id, key, flags & (DEV_STALE | DEV_FAULT) ?
	    NULL : v);
	r.device_id = d->desc.id;
	r.key = (char *)(uintptr_t)key;
	r.value = (Hd__Value *)(uintptr_t)v;
	r.time_ms = time_ms;
	r.stale = (flags & DEV_STALE) != 0;
	r.fault = (flags & DEV_FAULT) != 0;
	r.low_battery = (flags & DEV_LOW_BATTERY) != 0;
	e.body_case = HD__ENVELOPE__BODY_REPORT;
	e.report = &r;
	d->s->up->send_reliable(d->s, &e);
}

void
dev_fault(struct slave *s, const char *subsystem, const char *dev_id,
    int active, const char *detail)
{
	Hd__Envelope	e = HD__ENVELOPE__INIT;
	Hd__Fault	f = HD__FAULT__INIT;

	f.subsystem = (char *)(uintptr_t)subsystem;
	f.device_id = (char *)(uintptr_t)(dev_id != NULL ? dev_id : "");
	f.active = active;
	f.detail = (char *)(uintptr_t)detail;
	e.body_case = HD__ENVELOPE__BODY_FAULT;
	e.fault = &f;
	log_warnx("%s fault %s%s%s: %s", subsystem, active ? "raised" :
	    "cleared", dev_id ? " on " : "", dev_id ? dev_id : "", detail);
	s->up->send_reliable(s, &e);
}

/* The device list changed (a node included, a chip found): tell the master. */
void
devtab_changed(struct slave *s)
{
	s->up->announce(s);
}

/* A malloc'd array of the devices' descriptions; free() it after use. */
void
devices_announce(struct slave *s, Hd__DeviceAnnounce *da)
{
	struct dev	*d;
	size_t		 i = 0;

	da->n_devices = 0;
	if (s->ndevs == 0 ||
	    (da->devices = calloc((size_t)s->ndevs, sizeof(*da->devices))) ==
	    NULL)
		return;
	TAILQ_FOREACH(d, &s->devs, entry)
		da->devices[i++] = &d->desc;
	da->n_devices = i;
}

void
devices_report_all(struct slave *s)
{
	struct dev *d;

	TAILQ_FOREACH(d, &s->devs, entry)
		if (d->ops->report_all != NULL)
			d->ops->report_all(d);
}

void
devices_link(struct slave *s, int up)
{
	struct dev *d;

	TAILQ_FOREACH(d, &s->devs, entry)
		if (d->ops->link != NULL)
			d->ops->link(d, up);
	safe_link(s, up);
	local_link(s, up);
}
