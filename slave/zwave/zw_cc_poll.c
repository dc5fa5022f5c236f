/*
 * What a multi-sensor or a meter supports, so the state poll asks for
 * each value rather than only the one a version 1 GET returns (one sensor
 * of a multi-sensor; a meter's default scale). Pure encoders and
 * decoders: Sensor Multilevel Supported Sensor (version 5+) and Meter
 * Supported (version 2+). A version 1 node ignores the Supported Get and
 * keeps its plain GET.
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

size_t
zw_cc_supported_get(uint8_t *out, size_t outlen, uint8_t cc)
{
	if (outlen < 2 || (cc != ZW_CC_SENSOR_MULTILEVEL && cc != ZW_CC_METER))
		return 0;
	out[0] = cc;
	out[1] = cc == ZW_CC_METER ? METER_SUPPORTED_GET : SENSOR_SUPPORTED_GET;
	return 2;
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
	return 0;
}
