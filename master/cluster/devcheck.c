/*
 * A slave's device list, checked whole before the master keeps any of
 * it (devcheck.h). Everything the master keeps about a slave's devices
 * is bounded here: device count, values per device, string lengths; and
 * every enum is one the master knows, since protobuf-c keeps whatever
 * number came (a DeviceKind of 200 would otherwise reach the API and
 * the dashboard as a kind no one can name).
 */

#include <stddef.h>
#include <string.h>

#include "hdlimits.h"
#include "cluster/devcheck.h"

/* Printable ASCII, 1..max bytes (or 0..max when `empty_ok`). */
static int
text_ok(const char *t, size_t max, int empty_ok)
{
	size_t i;

	for (i = 0; t[i] != '\0'; i++)
		if (i >= max || (unsigned char)t[i] < 0x20 || t[i] == 0x7f)
			return 0;
	return i > 0 || empty_ok;
}

/* Is `v` a value of the enum `d` (as this master was built)? */
static int
enum_ok(const ProtobufCEnumDescriptor *d, int v)
{
	return protobuf_c_enum_descriptor_get_value(d, v) != NULL;
}

/* The enums of a device and of its values, each a known value. */
static const char *
check_enums(const Hd__Device *d)
{
	size_t i;

	if (!enum_ok(&hd__device_kind__descriptor, (int)d->kind))
		return "unknown device kind";
	if (!enum_ok(&hd__security__descriptor, (int)d->security))
		return "unknown security";
	if (!enum_ok(&hd__zw_listening__descriptor, (int)d->listening))
		return "unknown Z-Wave listening mode";
	if (d->interview_pct > 100)
		return "interview past 100 %";
	for (i = 0; i < d->n_values; i++)
		if (!enum_ok(&hd__value_type__descriptor,
		    (int)d->values[i]->type))
			return "unknown value type";
	return NULL;
}

static const char *
check_device(const Hd__Device *d)
{
	size_t i;

	if (!text_ok(d->id, DEVICE_ID_MAX, 0))
		return "device id empty, too long or not printable";
	if (!text_ok(d->name, DEVICE_TEXT_MAX, 1) ||
	    !text_ok(d->room, DEVICE_TEXT_MAX, 1) ||
	    !text_ok(d->manufacturer, DEVICE_TEXT_MAX, 1) ||
	    !text_ok(d->model, DEVICE_TEXT_MAX, 1))
		return "device text too long or not printable";
	if (d->n_values > CLUSTER_MAX_DEV_VALUES)
		return "more than CLUSTER_MAX_DEV_VALUES values";
	if (d->command_classes.len > ZW_MAX_NODE_CCS)
		return "more than ZW_MAX_NODE_CCS command classes";
	for (i = 0; i < d->n_values; i++)
		if (!text_ok(d->values[i]->key, VALUE_KEY_MAX, 0) ||
		    strlen(d->values[i]->unit) > DEVICE_TEXT_MAX)
			return "value key or unit too long or not printable";
	return check_enums(d);
}

const char *
node_check_announce(const Hd__DeviceAnnounce *da)
{
	const char	*why;
	size_t		 i, j;

	if (da->n_devices > CLUSTER_MAX_DEVICES)
		return "more than CLUSTER_MAX_DEVICES devices";
	for (i = 0; i < da->n_devices; i++) {
		if ((why = check_device(da->devices[i])) != NULL)
			return why;
		for (j = 0; j < i; j++)
			if (strcmp(da->devices[i]->id, da->devices[j]->id) == 0)
				return "duplicate device id";
	}
	return NULL;
}
