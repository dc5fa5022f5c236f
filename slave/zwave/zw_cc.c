/*
 * Z-Wave command classes, part one: the dispatcher, switches, Basic,
 * Battery, the identity reports (Version, Manufacturer Specific, Z-Wave
 * Plus Info) and the encoders. Sensors, meters and notifications are in
 * zw_cc_sensor.c. cmd[0] is the class, cmd[1] the command, then the
 * parameters; nothing is read past `len`.
 */

#include <string.h>

#include "hdlimits.h"
#include "zwave/zw_cc.h"

#define BATTERY_LOW_WARNING	0xff	/* Battery Report: "low" */
#define BATTERY_MAX		100
#define VERSION_REPORT		0x12
#define MANUFACTURER_REPORT	0x05
#define PLUS_INFO_REPORT	0x02

static void
set_bool(struct zw_cc_value *v, const char *key, int b)
{
	memset(v, 0, sizeof(*v));
	v->key = key;
	v->unit = "";
	v->type = ZW_V_BOOL;
	v->b = b;
}

static void
set_num(struct zw_cc_value *v, const char *key, const char *unit, double d)
{
	memset(v, 0, sizeof(*v));
	v->key = key;
	v->unit = unit;
	v->type = ZW_V_NUM;
	v->num = d;
}

/* Basic and Binary Switch Report: 0x00 off, 0x01..0x63 and 0xff on. */
static int
switch_binary(const uint8_t *p, size_t n, struct zw_cc_value *v)
{
	if (n < 1)
		return -1;
	if (p[0] == ZW_VALUE_UNKNOWN)
		return 0;
	if (p[0] > ZW_LEVEL_MAX && p[0] != ZW_LEVEL_ON)
		return -1;
	set_bool(v, "on", p[0] != 0);
	return 1;
}

/* Multilevel Switch Report: the current level 0..99; 0xff (version 1:
 * "on") is reported as full. */
static int
switch_multilevel(const uint8_t *p, size_t n, struct zw_cc_value *v)
{
	if (n < 1)
		return -1;
	if (p[0] == ZW_VALUE_UNKNOWN)
		return 0;
	if (p[0] > ZW_LEVEL_MAX && p[0] != ZW_LEVEL_ON)
		return -1;
	set_num(v, "level", "%", p[0] == ZW_LEVEL_ON ? ZW_LEVEL_MAX : p[0]);
	return 1;
}

/*
 * Battery Report: 0..100 %, or 0xff, the low-battery warning. Low too:
 * a level at or below ZW_BATTERY_LOW_PCT (many nodes never send 0xff,
 * they only count down), and a version 2 report whose replace/recharge
 * bits (the second byte's low two) say soon or now.
 */
static int
battery(const uint8_t *p, size_t n, struct zw_cc_value *v)
{
	if (n < 1 || (p[0] > BATTERY_MAX && p[0] != BATTERY_LOW_WARNING))
		return -1;
	set_num(v, "battery", "%", p[0] == BATTERY_LOW_WARNING ? 0 : p[0]);
	v->low_battery = p[0] == BATTERY_LOW_WARNING ||
	    p[0] <= ZW_BATTERY_LOW_PCT || (n >= 2 && (p[1] & 0x03) != 0);
	return 1;
}

/* Is cmd the given command (a report) of its class? */
static int
is_report(const uint8_t *cmd, size_t len, uint8_t report)
{
	return len >= 2 && cmd[1] == report;
}

int
zw_cc_decode(const uint8_t *cmd, size_t len, struct zw_cc_value *out,
    size_t max)
{
	const uint8_t	*p = cmd + 2;
	size_t		 n = len >= 2 ? len - 2 : 0;

	if (len < 2 || max < 1)
		return len < 2 ? -1 : 0;
	switch (cmd[0]) {
	case ZW_CC_BASIC:
	case ZW_CC_SWITCH_BINARY:
		return is_report(cmd, len, ZW_CMD_REPORT) ?
		    switch_binary(p, n, out) : 0;
	case ZW_CC_SWITCH_MULTILEVEL:
		return is_report(cmd, len, ZW_CMD_REPORT) ?
		    switch_multilevel(p, n, out) : 0;
	case ZW_CC_SENSOR_BINARY:
		return zw_cc_sensor_binary(cmd, len, out);
	case ZW_CC_SENSOR_MULTILEVEL:
		return zw_cc_sensor_multilevel(cmd, len, out);
	case ZW_CC_METER:
		return zw_cc_meter(cmd, len, out);
	case ZW_CC_NOTIFICATION:
		return zw_cc_notification(cmd, len, out);
	case ZW_CC_BATTERY:
		return is_report(cmd, len, ZW_CMD_REPORT) ?
		    battery(p, n, out) : 0;
	case ZW_CC_DOOR_LOCK:
		return zw_cc_door_lock(cmd, len, out);
	case ZW_CC_THERMOSTAT_MODE:
		return zw_cc_thermo_mode(cmd, len, out);
	case ZW_CC_THERMOSTAT_STATE:
		return zw_cc_thermo_state(cmd, len, out);
	case ZW_CC_THERMOSTAT_SETPOINT:
		return zw_cc_setpoint(cmd, len, out);
	default:
		return 0;	/* Color Switch: zw_node_class.c */
	}
}

int
zw_cc_has_values(uint8_t cc)
{
	switch (cc) {
	case ZW_CC_BASIC:
	case ZW_CC_SWITCH_BINARY:
	case ZW_CC_SWITCH_MULTILEVEL:
	case ZW_CC_SENSOR_BINARY:
	case ZW_CC_SENSOR_MULTILEVEL:
	case ZW_CC_METER:
	case ZW_CC_NOTIFICATION:
	case ZW_CC_BATTERY:
	case ZW_CC_DOOR_LOCK:
	case ZW_CC_THERMOSTAT_MODE:
	case ZW_CC_THERMOSTAT_STATE:
	case ZW_CC_THERMOSTAT_SETPOINT:
	case ZW_CC_COLOR:
		return 1;
	default:
		return 0;
	}
}

/* --- identity reports ------------------------------------------------ */

static int
info_version(const uint8_t *p, size_t n, struct zw_cc_info *info)
{
	if (n < 5)
		return -1;
	info->have_version = 1;
	info->library = p[0];
	info->protocol[0] = p[1];
	info->protocol[1] = p[2];
	info->app[0] = p[3];
	info->app[1] = p[4];
	return 1;
}

static int
info_manufacturer(const uint8_t *p, size_t n, struct zw_cc_info *info)
{
	if (n < 6)
		return -1;
	info->have_manufacturer = 1;
	info->manufacturer = (uint16_t)(p[0] << 8 | p[1]);
	info->product_type = (uint16_t)(p[2] << 8 | p[3]);
	info->product_id = (uint16_t)(p[4] << 8 | p[5]);
	return 1;
}

static int
info_plus(const uint8_t *p, size_t n, struct zw_cc_info *info)
{
	if (n < 7)
		return -1;
	info->have_plus = 1;
	info->plus_version = p[0];
	info->role = p[1];
	info->node_type = p[2];
	info->installer_icon = (uint16_t)(p[3] << 8 | p[4]);
	info->user_icon = (uint16_t)(p[5] << 8 | p[6]);
	return 1;
}

int
zw_cc_decode_info(const uint8_t *cmd, size_t len, struct zw_cc_info *info)
{
	if (len < 2)
		return len == 0 ? -1 : 0;
	if (cmd[0] == ZW_CC_VERSION && cmd[1] == VERSION_REPORT)
		return info_version(cmd + 2, len - 2, info);
	if (cmd[0] == ZW_CC_MANUFACTURER && cmd[1] == MANUFACTURER_REPORT)
		return info_manufacturer(cmd + 2, len - 2, info);
	if (cmd[0] == ZW_CC_ZWAVEPLUS_INFO && cmd[1] == PLUS_INFO_REPORT)
		return info_plus(cmd + 2, len - 2, info);
	return 0;
}

/* --- encoders -------------------------------------------------------- */

/* The GET of a class that reports its state (Sensor Multilevel, Meter and
 * Notification use their own command numbers). */
size_t
zw_cc_get(uint8_t *out, size_t outlen, uint8_t cc)
{
	uint8_t cmd;

	switch (cc) {
	case ZW_CC_SENSOR_MULTILEVEL:
	case ZW_CC_NOTIFICATION:
		cmd = 0x04;
		break;
	case ZW_CC_METER:
		cmd = 0x01;
		break;
	case ZW_CC_VERSION:
		cmd = 0x11;
		break;
	case ZW_CC_MANUFACTURER:
		cmd = 0x04;
		break;
	case ZW_CC_ZWAVEPLUS_INFO:
		cmd = 0x01;
		break;
	case ZW_CC_THERMOSTAT_SETPOINT:
	case ZW_CC_COLOR:
		return 0;	/* a GET per type or component (zw_cc_poll.c) */
	default:
		if (!zw_cc_has_values(cc))
			return 0;
		cmd = ZW_CMD_GET;
		break;
	}
	if (outlen < 2)
		return 0;
	out[0] = cc;
	out[1] = cmd;
	return 2;
}

/* Basic or Binary Switch Set: 0xff on, 0x00 off. */
size_t
zw_cc_set_binary(uint8_t *out, size_t outlen, uint8_t cc, int on)
{
	if (outlen < 3 || (cc != ZW_CC_BASIC && cc != ZW_CC_SWITCH_BINARY))
		return 0;
	out[0] = cc;
	out[1] = ZW_CMD_SET;
	out[2] = on ? ZW_LEVEL_ON : 0;
	return 3;
}

/* Multilevel Switch Set: 0..99, or 0xff for the last level. */
size_t
zw_cc_set_level(uint8_t *out, size_t outlen, int level)
{
	if (outlen < 3 || level < 0 ||
	    (level > ZW_LEVEL_MAX && level != ZW_LEVEL_ON))
		return 0;
	out[0] = ZW_CC_SWITCH_MULTILEVEL;
	out[1] = ZW_CMD_SET;
	out[2] = (uint8_t)level;
	return 3;
}

/*
 * A Multilevel Switch Report seen as a ramp: 26 03 CURRENT [TARGET
 * DURATION] (the last two from version 4). 1 with `r` filled, 0 if not
 * such a report or its current level is unknown, -1 if malformed.
 * Duration: 0 at the target, 0x01..0x7f seconds, 0x80..0xfd minutes
 * (1..126), 0xfe unknown (duration_ms -1).
 */
int
zw_cc_level_ramp(const uint8_t *cmd, size_t len, struct zw_ramp *r)
{
	memset(r, 0, sizeof(*r));
	if (len < 2 || cmd[0] != ZW_CC_SWITCH_MULTILEVEL ||
	    cmd[1] != ZW_CMD_REPORT)
		return 0;
	if (len < 3 || (cmd[2] > ZW_LEVEL_MAX && cmd[2] != ZW_LEVEL_ON &&
	    cmd[2] != ZW_VALUE_UNKNOWN))
		return -1;
	if (cmd[2] == ZW_VALUE_UNKNOWN)
		return 0;
	r->current = cmd[2] == ZW_LEVEL_ON ? ZW_LEVEL_MAX : cmd[2];
	if (len < 5)
		return 1;
	if ((cmd[3] > ZW_LEVEL_MAX && cmd[3] != ZW_LEVEL_ON &&
	    cmd[3] != ZW_VALUE_UNKNOWN) || cmd[4] == 0xff)
		return -1;
	r->have_target = cmd[3] != ZW_VALUE_UNKNOWN;
	r->target = cmd[3] == ZW_LEVEL_ON ? ZW_LEVEL_MAX : cmd[3];
	r->duration_ms = cmd[4] <= 0x7f ? cmd[4] * 1000LL :
	    cmd[4] <= 0xfd ? (cmd[4] - 0x7fLL) * 60000 : -1;
	return 1;
}
