/*
 * Z-Wave command classes, part two: Binary Sensor, Multilevel Sensor,
 * Meter and Notification reports, decoded into a value with its key and
 * unit. Types and scales we do not know are reported under a generic key
 * ("sensor_N", "meter_N") rather than dropped, except notifications, of
 * which only the door/window, motion, smoke and water events make values.
 */

#include <stdio.h>
#include <string.h>

#include "zwave/zw_cc.h"

#define SENSOR_ML_REPORT	0x05
#define METER_REPORT		0x02
#define METER_RATE_EXPORT	2	/* type byte bits 5-6 */
#define NOTIFICATION_REPORT	0x05
#define SENSOR_BIN_ON		0xff
#define PRECISION(b)		((b) >> 5 & 7)
#define SCALE(b)		((b) >> 3 & 3)
#define SIZE(b)			((b) & 7)
#define NOTIF_IDLE		0x00
#define NOTIF_PARAMS(b)		((b) & 0x1f)

struct named {
	uint8_t		 type;
	const char	*key;
	const char	*unit[4];	/* by scale */
};

static const struct named sensor_types[] = {
	{ 0x01, "temperature",	{ "°C", "°F", NULL, NULL } },
	{ 0x02, "general",	{ "%", "", NULL, NULL } },
	{ 0x03, "luminance",	{ "%", "lx", NULL, NULL } },
	{ 0x04, "power",	{ "W", "Btu/h", NULL, NULL } },
	{ 0x05, "humidity",	{ "%", "g/m³", NULL, NULL } },
	{ 0x06, "velocity",	{ "m/s", "mph", NULL, NULL } },
	{ 0x08, "pressure",	{ "kPa", "inHg", NULL, NULL } },
	{ 0x09, "barometric",	{ "kPa", "inHg", NULL, NULL } },
	{ 0x0b, "dew_point",	{ "°C", "°F", NULL, NULL } },
	{ 0x0f, "voltage",	{ "V", "mV", NULL, NULL } },
	{ 0x10, "current",	{ "A", "mA", NULL, NULL } },
	{ 0x11, "co2",		{ "ppm", NULL, NULL, NULL } },
	{ 0x17, "water_temperature", { "°C", "°F", NULL, NULL } },
	{ 0x1b, "uv",		{ "", NULL, NULL, NULL } },
};

/* Binary Sensor types (version 2). */
static const struct named binary_types[] = {
	{ 0x01, "sensor", { NULL } },
	{ 0x02, "smoke", { NULL } },
	{ 0x03, "co", { NULL } },
	{ 0x04, "co2", { NULL } },
	{ 0x05, "heat", { NULL } },
	{ 0x06, "water", { NULL } },
	{ 0x07, "freeze", { NULL } },
	{ 0x08, "tamper", { NULL } },
	{ 0x0a, "door", { NULL } },
	{ 0x0b, "tilt", { NULL } },
	{ 0x0c, "motion", { NULL } },
	{ 0x0d, "glass_break", { NULL } },
};

/* Meter scales by meter type (1 electric, 2 gas, 3 water) and scale. */
static const struct {
	const char	*key, *unit;
} meter_scales[3][7] = {
	{ { "energy", "kWh" }, { "energy_kvah", "kVAh" }, { "power", "W" },
	  { "pulses", "" }, { "voltage", "V" }, { "current", "A" },
	  { "power_factor", "" } },
	{ { "gas", "m³" }, { "gas", "ft³" }, { NULL, NULL },
	  { "gas_pulses", "" } },
	{ { "water_volume", "m³" }, { "water_volume", "ft³" },
	  { "water_volume", "gal" }, { "water_pulses", "" } },
};

/* An electric meter's export (rate type 2, version 4): values of their
 * own; they overwrote the import's energy. */
static const struct {
	const char	*key, *unit;
} meter_export[7] = {
	{ "energy_export", "kWh" }, { "energy_kvah_export", "kVAh" },
	{ "power_export", "W" }, { "pulses_export", "" }, { NULL, NULL },
	{ NULL, NULL }, { NULL, NULL },
};

/* Notification events that make a boolean value: type, event, key, state. */
static const struct {
	uint8_t		 type, event;
	const char	*key;
	int		 state;
} notif_events[] = {
	{ 0x01, 0x01, "smoke", 1 },		/* smoke detected, location */
	{ 0x01, 0x02, "smoke", 1 },		/* smoke detected */
	{ 0x05, 0x01, "water", 1 },		/* leak detected, location */
	{ 0x05, 0x02, "water", 1 },		/* leak detected */
	/* Access Control: many locks tell manual, keypad and auto-lock
	 * operation only so (a jammed bolt, 0x0b, gives no value, as the
	 * Door Lock mode 0xfe does not). */
	{ 0x06, 0x01, "locked", 1 },		/* manual lock */
	{ 0x06, 0x02, "locked", 0 },		/* manual unlock */
	{ 0x06, 0x03, "locked", 1 },		/* RF lock */
	{ 0x06, 0x04, "locked", 0 },		/* RF unlock */
	{ 0x06, 0x05, "locked", 1 },		/* keypad lock */
	{ 0x06, 0x06, "locked", 0 },		/* keypad unlock */
	{ 0x06, 0x09, "locked", 1 },		/* auto lock */
	{ 0x06, 0x16, "door", 1 },		/* window/door is open */
	{ 0x06, 0x17, "door", 0 },		/* window/door is closed */
	{ 0x07, 0x07, "motion", 1 },		/* motion, location */
	{ 0x07, 0x08, "motion", 1 },		/* motion */
};

static const struct named *
lookup(const struct named *t, size_t n, uint8_t type)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (t[i].type == type)
			return &t[i];
	return NULL;
}

static void
value_num(struct zw_cc_value *v, const char *key, const char *unit, double d)
{
	memset(v, 0, sizeof(*v));
	v->key = key;
	v->unit = unit;
	v->type = ZW_V_NUM;
	v->num = d;
}

static void
value_bool(struct zw_cc_value *v, const char *key, int b)
{
	memset(v, 0, sizeof(*v));
	v->key = key;
	v->unit = "";
	v->type = ZW_V_BOOL;
	v->b = b;
}

int
zw_cc_number(const uint8_t *p, size_t n, size_t size, int precision,
    double *out)
{
	int64_t	v;
	size_t	i;

	if ((size != 1 && size != 2 && size != 4) || n < size)
		return -1;
	v = (p[0] & 0x80) ? -1 : 0;		/* sign-extend */
	for (i = 0; i < size; i++)
		v = (int64_t)((uint64_t)v << 8) | p[i];
	*out = (double)v;
	while (precision-- > 0)
		*out /= 10;
	return 0;
}

/* Sensor type, precision/scale/size, value. */
int
zw_cc_sensor_multilevel(const uint8_t *cmd, size_t len,
    struct zw_cc_value *v)
{
	static char		 keys[256][sizeof("sensor_255")];
	const struct named	*t;
	const char		*key, *unit = "";
	double			 d;

	if (len < 2 || cmd[1] != SENSOR_ML_REPORT)
		return 0;
	if (len < 4 || zw_cc_number(cmd + 4, len - 4, SIZE(cmd[3]),
	    PRECISION(cmd[3]), &d) == -1)
		return -1;
	t = lookup(sensor_types, sizeof(sensor_types) /
	    sizeof(sensor_types[0]), cmd[2]);
	if (t != NULL) {
		key = t->key;
		if (t->unit[SCALE(cmd[3])] != NULL)
			unit = t->unit[SCALE(cmd[3])];
	} else {
		snprintf(keys[cmd[2]], sizeof(keys[0]), "sensor_%u", cmd[2]);
		key = keys[cmd[2]];
	}
	value_num(v, key, unit, d);
	return 1;
}

/* Type byte (scale bit 2, rate type, meter type), precision/scale/size,
 * value, then delta time and previous value, which we ignore. */
int
zw_cc_meter(const uint8_t *cmd, size_t len, struct zw_cc_value *v)
{
	unsigned	type, scale;
	double		d;

	if (len < 2 || cmd[1] != METER_REPORT)
		return 0;
	if (len < 4 || zw_cc_number(cmd + 4, len - 4, SIZE(cmd[3]),
	    PRECISION(cmd[3]), &d) == -1)
		return -1;
	type = cmd[2] & 0x1f;
	scale = SCALE(cmd[3]) | (cmd[2] >> 5 & 4);
	if (type < 1 || type > 3 || scale >= 7 ||
	    meter_scales[type - 1][scale].key == NULL)
		return 0;		/* a meter or scale we do not know */
	if ((cmd[2] >> 5 & 3) == METER_RATE_EXPORT) {
		if (type != 1 || meter_export[scale].key == NULL)
			return 0;	/* gas or water sold back: unknown */
		value_num(v, meter_export[scale].key, meter_export[scale].unit,
		    d);
		return 1;
	}
	value_num(v, meter_scales[type - 1][scale].key,
	    meter_scales[type - 1][scale].unit, d);
	return 1;
}

/* Binary Sensor Report: value, then (version 2) the sensor type. */
int
zw_cc_sensor_binary(const uint8_t *cmd, size_t len, struct zw_cc_value *v)
{
	const struct named *t = NULL;

	if (len < 2 || cmd[1] != ZW_CMD_REPORT)
		return 0;
	if (len < 3 || (cmd[2] != 0 && cmd[2] != SENSOR_BIN_ON))
		return -1;
	if (len >= 4 && (t = lookup(binary_types, sizeof(binary_types) /
	    sizeof(binary_types[0]), cmd[3])) == NULL)
		return 0;		/* a type we do not know */
	value_bool(v, t != NULL ? t->key : "sensor", cmd[2] != 0);
	return 1;
}

/* The key an idle event of `type` clears: the one its parameter names
 * (version 4+), or the type's only key when there is no parameter. */
static const char *
idle_key(uint8_t type, const uint8_t *param, size_t nparam)
{
	size_t i;

	for (i = 0; i < sizeof(notif_events) / sizeof(notif_events[0]); i++) {
		if (notif_events[i].type != type || !notif_events[i].state)
			continue;
		if (nparam == 0 || param[0] == notif_events[i].event)
			return notif_events[i].key;
	}
	return NULL;
}

/* v1 alarm type and level, reserved, status, type, event, then the
 * parameters' length and the parameters. A version 1 report (two bytes)
 * carries no notification type. */
int
zw_cc_notification(const uint8_t *cmd, size_t len, struct zw_cc_value *v)
{
	const uint8_t	*p = cmd + 2;
	const char	*key;
	size_t		 n, nparam = 0, i;

	if (len < 2 || cmd[1] != NOTIFICATION_REPORT)
		return 0;
	n = len - 2;
	if (n < 2)
		return -1;
	if (n < 6)
		return 0;
	if (n >= 7 && (nparam = NOTIF_PARAMS(p[6])) > n - 7)
		return -1;
	if (p[5] == NOTIF_IDLE) {
		if ((key = idle_key(p[4], p + 7, nparam)) == NULL)
			return 0;
		value_bool(v, key, 0);
		return 1;
	}
	for (i = 0; i < sizeof(notif_events) / sizeof(notif_events[0]); i++)
		if (notif_events[i].type == p[4] &&
		    notif_events[i].event == p[5]) {
			value_bool(v, notif_events[i].key,
			    notif_events[i].state);
			return 1;
		}
	return 0;
}
