/*
 * What a multi-sensor or a meter supports, so the state poll asks for
 * each value rather than only the one a version 1 GET returns (one sensor
 * of a multi-sensor; a meter's default scale). Pure encoders and
 * decoders: Sensor Multilevel Supported Sensor (version 5+) and Meter
 * Supported (version 2+). A version 1 node ignores the Supported Get and
 * keeps its plain GET. Thermostat Setpoint and Color Switch have no plain
 * GET: their Supported Reports start a GET per setpoint type or colour
 * component; Thermostat Mode's lists the modes (zw_node_class.c keeps it).
 */

#include <string.h>

#include "zwave/zw.h"
#include "zwave/zw_cc.h"

#define SENSOR_SUPPORTED_GET	0x01
#define SENSOR_SUPPORTED_REPORT	0x02
#define SENSOR_GET		0x04
#define METER_GET		0x01
#define METER_SUPPORTED_GET	0x03
#define METER_SUPPORTED_REPORT	0x04
#define METER_RATE(b)		((b) >> 5 & 3)	/* v4: 1 import, 2 export */
#define METER_SCALES		0x7f	/* bit 7: more scales (v4), not asked */
#define THERMO_SUPPORTED_GET	0x04	/* Thermostat Mode and Setpoint */
#define THERMO_SUPPORTED_REPORT	0x05
#define SETPOINT_GET		0x02
#define COLOR_SUPPORTED_GET	0x01
#define COLOR_SUPPORTED_REPORT	0x02
#define COLOR_GET		0x03

size_t
zw_cc_supported_get(uint8_t *out, size_t outlen, uint8_t cc)
{
	if (outlen < 2)
		return 0;
	out[0] = cc;
	switch (cc) {
	case ZW_CC_METER:
		out[1] = METER_SUPPORTED_GET;
		break;
	case ZW_CC_SENSOR_MULTILEVEL:
		out[1] = SENSOR_SUPPORTED_GET;
		break;
	case ZW_CC_THERMOSTAT_MODE:
	case ZW_CC_THERMOSTAT_SETPOINT:
		out[1] = THERMO_SUPPORTED_GET;
		break;
	case ZW_CC_COLOR:
		out[1] = COLOR_SUPPORTED_GET;
		break;
	default:
		return 0;
	}
	return 2;
}

/* The length of a GET zw_cc_supported() made. */
size_t
zw_cc_supported_len(const uint8_t get[4])
{
	return get[0] == ZW_CC_SENSOR_MULTILEVEL ? 4 : 3;
}

/* Setpoint Supported Report: a Get per setpoint type; Color Switch
 * Supported Report: a Get per component the node layer shows (the
 * whites, red, green, blue). */
static int
typed_gets(const uint8_t *cmd, size_t len, uint8_t gets[][4], size_t max)
{
	uint32_t	mask32 = 0;
	uint16_t	mask16 = 0;
	unsigned	t;
	size_t		n = 0;
	int		r;

	if (cmd[0] == ZW_CC_COLOR) {
		if ((r = zw_cc_color_supported(cmd, len, &mask16)) != 1)
			return r;
		mask32 = mask16 & ((1u << (ZW_COLOR_RED + 3)) - 1);
	} else if ((r = zw_cc_thermo_supported(cmd, len, &mask32)) != 1)
		return r;
	for (t = 0; t < 16 && n < max; t++) {
		if (!(mask32 & 1u << t))
			continue;
		gets[n][0] = cmd[0];
		gets[n][1] = cmd[0] == ZW_CC_COLOR ? COLOR_GET : SETPOINT_GET;
		gets[n][2] = (uint8_t)t;
		gets[n++][3] = 0;
	}
	return (int)n;
}

/* Sensor Multilevel Supported Sensor Report: a bit mask, bit 0 of its
 * first byte sensor type 1. The GETs, each "0x31 0x04 TYPE 0x00" (its
 * default scale), at most `max`; how many, 0 if not this command, -1 if
 * malformed. */
static int
sensor_supported(const uint8_t *cmd, size_t len, uint8_t gets[][4],
    size_t max)
{
	size_t	i, bit, n = 0;

	if (len < 3)
		return -1;
	for (i = 2; i < len; i++)
		for (bit = 0; bit < 8; bit++) {
			if (!(cmd[i] & 1u << bit) || n == max)
				continue;
			gets[n][0] = ZW_CC_SENSOR_MULTILEVEL;
			gets[n][1] = SENSOR_GET;
			gets[n][2] = (uint8_t)((i - 2) * 8 + bit + 1);
			gets[n++][3] = 0;
		}
	return (int)n;
}

/* Meter Supported Report: type byte (reset, rate types, meter type), then
 * the scales' mask. A GET per scale and per rate type (import, export:
 * an export meter's energy is a value of its own, not the import's). */
static int
meter_supported(const uint8_t *cmd, size_t len, uint8_t gets[][4],
    size_t max)
{
	unsigned	rates, rate, scale;
	size_t		n = 0;

	if (len < 4 || (cmd[2] & 0x1f) == 0)
		return -1;
	rates = METER_RATE(cmd[2]);	/* 0 before version 4: import */
	for (scale = 0; scale < 7; scale++) {
		if (!(cmd[3] & METER_SCALES & 1u << scale))
			continue;
		for (rate = 1; rate <= 2; rate++) {
			if (!(rates & rate) && !(rates == 0 && rate == 1))
				continue;
			if (n == max)
				return (int)n;
			gets[n][0] = ZW_CC_METER;
			gets[n][1] = METER_GET;
			gets[n][2] = (uint8_t)((rates == 0 ? 0 : rate << 6) |
			    scale << 3);
			gets[n++][3] = 0;
		}
	}
	return (int)n;
}

int
zw_cc_supported(const uint8_t *cmd, size_t len, uint8_t gets[][4],
    size_t max)
{
	if (len < 2)
		return 0;
	if (cmd[0] == ZW_CC_SENSOR_MULTILEVEL &&
	    cmd[1] == SENSOR_SUPPORTED_REPORT)
		return sensor_supported(cmd, len, gets, max);
	if (cmd[0] == ZW_CC_METER && cmd[1] == METER_SUPPORTED_REPORT)
		return meter_supported(cmd, len, gets, max);
	if ((cmd[0] == ZW_CC_THERMOSTAT_SETPOINT &&
	    cmd[1] == THERMO_SUPPORTED_REPORT) ||
	    (cmd[0] == ZW_CC_COLOR && cmd[1] == COLOR_SUPPORTED_REPORT))
		return typed_gets(cmd, len, gets, max);
	return 0;
}
