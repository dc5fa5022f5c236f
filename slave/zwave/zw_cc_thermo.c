/*
 * Thermostat command classes: Thermostat Mode (0x40), Thermostat
 * Operating State (0x42) and Thermostat Setpoint (0x43). Pure encoders
 * and decoders; cmd[0] is the class, cmd[1] the command, nothing is read
 * past `len`.
 *
 *	40 01 MODE		Mode Set (bits 0-4; bits 5-7 manufacturer
 *				data bytes, which we never send)
 *	40 02 / 40 03 MODE	Get / Report
 *	40 04 / 40 05 MASK...	Supported Get / Report (bit n: mode n)
 *	42 02 / 42 03 STATE	Operating State Get / Report
 *	43 01 TYPE PSS VALUE	Setpoint Set (precision, scale, size as for
 *				sensors), 43 02 TYPE Get, 43 03 Report
 *	43 04 / 43 05 MASK...	Supported Get / Report
 *	43 09 TYPE / 43 0A TYPE PSS MIN PSS MAX	Capabilities Get / Report
 *				(version 3: the type's range)
 *
 * The Setpoint Supported Report's bit i names type setpoint_bit_type[i]
 * (the specification's "interpretation A": bit 1 heating, 2 cooling,
 * then furnace 7 ...), as zwave-js reads it.
 */

#include <math.h>
#include <string.h>

#include "zwave/zw_cc.h"

#define MODE_SET		0x01
#define MODE_GET		0x02
#define MODE_REPORT		0x03
#define MODE_SUPPORTED_GET	0x04
#define MODE_SUPPORTED_REPORT	0x05
#define MODE_MASK		0x1f
#define STATE_REPORT		0x03
#define SP_SET			0x01
#define SP_GET			0x02
#define SP_REPORT		0x03
#define SP_SUPPORTED_GET	0x04
#define SP_SUPPORTED_REPORT	0x05
#define SP_CAPS_GET		0x09	/* version 3 */
#define SP_CAPS_REPORT		0x0a
#define SP_TYPE_MASK		0x0f
#define PRECISION(b)		((b) >> 5 & 7)
#define SCALE(b)		((b) >> 3 & 3)
#define SIZE(b)			((b) & 7)

/* Mode n's name; NULL: reserved. */
static const char *const mode_names[32] = {
	"off", "heat", "cool", "auto", "aux", "resume", "fan", "furnace",
	"dry", "moist", "auto_changeover", "energy_heat", "energy_cool",
	"away", NULL, "full_power", [31] = "manufacturer",
};

static const char *const state_names[] = {
	"idle", "heating", "cooling", "fan_only", "pending_heat",
	"pending_cool", "vent_economizer", "aux_heating", "heating_2",
	"cooling_2", "aux_heating_2", "heating_3", "cooling_3",
};

/* Setpoint type n's value key; NULL: reserved. */
static const char *const setpoint_keys[16] = {
	NULL, "setpoint_heating", "setpoint_cooling", NULL, NULL, NULL, NULL,
	"setpoint_furnace", "setpoint_dry_air", "setpoint_moist_air",
	"setpoint_auto_changeover", "setpoint_energy_heating",
	"setpoint_energy_cooling", "setpoint_away_heating",
	"setpoint_away_cooling", "setpoint_full_power",
};

/* The Supported Report's bit i: the setpoint type it names. */
static const uint8_t setpoint_bit_type[] = {
	0, 1, 2, 7, 8, 9, 10, 11, 12, 13, 14, 15,
};

static const char *const temp_units[4] = { "°C", "°F", NULL, NULL };

const char *
zw_thermo_mode_name(unsigned mode)
{
	return mode < 32 ? mode_names[mode] : NULL;
}

int
zw_thermo_mode_parse(const char *name)
{
	int i;

	for (i = 0; i < 32; i++)
		if (mode_names[i] != NULL && strcmp(mode_names[i], name) == 0)
			return i;
	return -1;
}

const char *
zw_setpoint_key(unsigned type)
{
	return type < 16 ? setpoint_keys[type] : NULL;
}

int
zw_setpoint_type(const char *key)
{
	int i;

	for (i = 0; i < 16; i++)
		if (setpoint_keys[i] != NULL && strcmp(setpoint_keys[i], key) == 0)
			return i;
	return -1;
}

/* The setpoint types a mode uses (bit n: type n): a thermostat whose
 * Supported Report never came gets these from its supported modes. */
uint32_t
zw_thermo_mode_setpoints(unsigned mode)
{
	switch (mode) {
	case 1:	return 1u << 1;			/* heat */
	case 2:	return 1u << 2;			/* cool */
	case 3:	return 1u << 1 | 1u << 2;	/* auto: both */
	case 4:	return 1u << 1;			/* aux heat */
	case 7:	return 1u << 7;
	case 8:	return 1u << 8;
	case 9:	return 1u << 9;
	case 10: return 1u << 10;
	case 11: return 1u << 11;
	case 12: return 1u << 12;
	case 13: return 1u << 13 | 1u << 14;	/* away */
	case 15: return 1u << 15;
	default: return 0;
	}
}

static void
value_str(struct zw_cc_value *v, const char *key, const char *s)
{
	memset(v, 0, sizeof(*v));
	v->key = key;
	v->unit = "";
	v->type = ZW_V_STR;
	v->s = s;
}

int
zw_cc_thermo_mode(const uint8_t *cmd, size_t len, struct zw_cc_value *v)
{
	const char *name;

	if (len < 2 || cmd[1] != MODE_REPORT)
		return 0;
	if (len < 3)
		return -1;
	if ((name = mode_names[cmd[2] & MODE_MASK]) == NULL)
		return -1;
	value_str(v, "thermostat_mode", name);
	v->writable = 1;
	return 1;
}

int
zw_cc_thermo_state(const uint8_t *cmd, size_t len, struct zw_cc_value *v)
{
	if (len < 2 || cmd[1] != STATE_REPORT)
		return 0;
	/* Bits 0-3 the state; the upper bits are reserved. */
	if (len < 3 || (cmd[2] & 0x0f) >= sizeof(state_names) /
	    sizeof(state_names[0]))
		return -1;
	value_str(v, "thermostat_state", state_names[cmd[2] & 0x0f]);
	return 1;
}

int
zw_cc_setpoint(const uint8_t *cmd, size_t len, struct zw_cc_value *v)
{
	const char	*key, *unit;
	double		 d;

	if (len < 2 || cmd[1] != SP_REPORT)
		return 0;
	if (len < 4 || zw_cc_number(cmd + 4, len - 4, SIZE(cmd[3]),
	    PRECISION(cmd[3]), &d) == -1)
		return -1;
	if ((key = setpoint_keys[cmd[2] & SP_TYPE_MASK]) == NULL ||
	    (unit = temp_units[SCALE(cmd[3])]) == NULL)
		return -1;
	memset(v, 0, sizeof(*v));
	v->key = key;
	v->unit = unit;
	v->type = ZW_V_NUM;
	v->num = d;
	v->scale = SCALE(cmd[3]);
	v->writable = 1;
	v->min = SCALE(cmd[3]) == 0 ? ZW_SETPOINT_MIN_C : ZW_SETPOINT_MIN_F;
	v->max = SCALE(cmd[3]) == 0 ? ZW_SETPOINT_MAX_C : ZW_SETPOINT_MAX_F;
	return 1;
}

/*
 * The Supported Reports of Mode and Setpoint as a mask (bit n: mode or
 * setpoint type n). 1 with *mask set, 0 if `cmd` is neither, -1 if
 * malformed (no mask byte).
 */
int
zw_cc_thermo_supported(const uint8_t *cmd, size_t len, uint32_t *mask)
{
	size_t i, bit;

	if (len < 2 || !((cmd[0] == ZW_CC_THERMOSTAT_MODE &&
	    cmd[1] == MODE_SUPPORTED_REPORT) ||
	    (cmd[0] == ZW_CC_THERMOSTAT_SETPOINT &&
	    cmd[1] == SP_SUPPORTED_REPORT)))
		return 0;
	if (len < 3)
		return -1;
	*mask = 0;
	for (i = 2; i < len && i < 2 + 4; i++)
		for (bit = 0; bit < 8; bit++) {
			size_t n = (i - 2) * 8 + bit;

			if (!(cmd[i] & 1u << bit))
				continue;
			if (cmd[0] == ZW_CC_THERMOSTAT_MODE) {
				if (mode_names[n] != NULL)
					*mask |= 1u << n;
			} else if (n < sizeof(setpoint_bit_type) &&
			    setpoint_keys[setpoint_bit_type[n]] != NULL)
				*mask |= 1u << setpoint_bit_type[n];
		}
	return 1;
}

size_t
zw_cc_thermo_mode_set(uint8_t *out, size_t outlen, unsigned mode)
{
	if (outlen < 3 || mode >= 32 || mode_names[mode] == NULL ||
	    mode == 31)			/* manufacturer: needs its data */
		return 0;
	out[0] = ZW_CC_THERMOSTAT_MODE;
	out[1] = MODE_SET;
	out[2] = (uint8_t)mode;
	return 3;
}

/* A Setpoint command of one byte, the type: Get or Capabilities Get. */
static size_t
setpoint_type_cmd(uint8_t *out, size_t outlen, uint8_t cmd, unsigned type)
{
	if (outlen < 3 || type >= 16 || setpoint_keys[type] == NULL)
		return 0;
	out[0] = ZW_CC_THERMOSTAT_SETPOINT;
	out[1] = cmd;
	out[2] = (uint8_t)type;
	return 3;
}

size_t
zw_cc_setpoint_get(uint8_t *out, size_t outlen, unsigned type)
{
	return setpoint_type_cmd(out, outlen, SP_GET, type);
}

/*
 * Setpoint Set of `value` in `scale` (0 °C, 1 °F): two bytes, with one
 * decimal when that is exact, else two (21.25); 0 if it does not fit.
 */
size_t
zw_cc_setpoint_set(uint8_t *out, size_t outlen, unsigned type,
    unsigned scale, double value)
{
	double	x;
	long	n;
	int	prec = 1;

	if (outlen < 6 || type >= 16 || setpoint_keys[type] == NULL ||
	    scale > 1 || !isfinite(value))
		return 0;
	x = value * 10;
	if (fabs(x - round(x)) > 1e-6) {
		prec = 2;
		x = value * 100;
	}
	if (x < -32768 || x > 32767)
		return 0;
	n = lround(x);
	out[0] = ZW_CC_THERMOSTAT_SETPOINT;
	out[1] = SP_SET;
	out[2] = (uint8_t)type;
	out[3] = (uint8_t)(prec << 5 | scale << 3 | 2);
	out[4] = (uint8_t)((uint16_t)n >> 8);
	out[5] = (uint8_t)(n & 0xff);
	return 6;
}

size_t
zw_cc_setpoint_caps_get(uint8_t *out, size_t outlen, unsigned type)
{
	return setpoint_type_cmd(out, outlen, SP_CAPS_GET, type);
}

/*
 * Setpoint Capabilities Report: the type's range, each bound with its own
 * precision, scale and size. 1 with *type, *scale (the minimum's), *min
 * and *max; 0 if not this report; -1 if malformed (a reserved type or
 * scale, bounds in two scales, min above max).
 */
int
zw_cc_setpoint_caps(const uint8_t *cmd, size_t len, unsigned *type,
    unsigned *scale, double *min, double *max)
{
	size_t n1;

	if (len < 2 || cmd[0] != ZW_CC_THERMOSTAT_SETPOINT ||
	    cmd[1] != SP_CAPS_REPORT)
		return 0;
	if (len < 4 || zw_cc_number(cmd + 4, len - 4, SIZE(cmd[3]),
	    PRECISION(cmd[3]), min) == -1)
		return -1;
	n1 = 4 + SIZE(cmd[3]);
	if (len < n1 + 1 || zw_cc_number(cmd + n1 + 1, len - n1 - 1,
	    SIZE(cmd[n1]), PRECISION(cmd[n1]), max) == -1)
		return -1;
	if (setpoint_keys[cmd[2] & SP_TYPE_MASK] == NULL ||
	    SCALE(cmd[3]) > 1 || SCALE(cmd[n1]) != SCALE(cmd[3]) || *min > *max)
		return -1;
	*type = cmd[2] & SP_TYPE_MASK;
	*scale = SCALE(cmd[3]);
	return 1;
}
