/*
 * Unit tests for slave/zwave/zw_cc_thermo.c and zw_cc_color.c: Thermostat
 * Mode, Operating State, Setpoint and Color Switch, against byte strings
 * written from the command class specification (SDS13781): known
 * reports, the encoders' exact bytes, and malformed input refused.
 */

#include <math.h>
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "../../slave/zwave/zw_cc.h"

#define B(...)	(const uint8_t[]){ __VA_ARGS__ }, \
	sizeof((const uint8_t[]){ __VA_ARGS__ })

static int
dec(struct zw_cc_value *v, const uint8_t *b, size_t n)
{
	memset(v, 0, sizeof(*v));
	return zw_cc_decode(b, n, v, 1);
}

static int
is_str(const struct zw_cc_value *v, const char *key, const char *s)
{
	return v->type == ZW_V_STR && strcmp(v->key, key) == 0 &&
	    strcmp(v->s, s) == 0;
}

static int
same(const uint8_t *a, size_t na, const uint8_t *b, size_t nb)
{
	return na == nb && memcmp(a, b, na) == 0;
}

static void
test_mode(void)
{
	struct zw_cc_value	v;
	uint32_t		mask;
	uint8_t			out[8];

	CHECK(dec(&v, B(0x40, 0x03, 0x01)) == 1 &&
	    is_str(&v, "thermostat_mode", "heat") && v.writable,
	    "Mode Report heat: thermostat_mode \"heat\", writable");
	CHECK(dec(&v, B(0x40, 0x03, 0x00)) == 1 && strcmp(v.s, "off") == 0,
	    "Mode Report 0: off");
	CHECK(dec(&v, B(0x40, 0x03, 0x0a)) == 1 &&
	    strcmp(v.s, "auto_changeover") == 0, "mode 10: auto_changeover");
	CHECK(dec(&v, B(0x40, 0x03, 0x21)) == 1 && strcmp(v.s, "heat") == 0,
	    "v3 report: the manufacturer data count bits are not the mode");
	CHECK(dec(&v, B(0x40, 0x03, 0x0e)) == -1, "reserved mode 14: malformed");
	CHECK(dec(&v, B(0x40, 0x03)) == -1, "report without a mode: malformed");
	CHECK(dec(&v, B(0x40, 0x01, 0x01)) == 0, "a Set from a node: no value");
	CHECK(zw_cc_thermo_supported(B(0x40, 0x05, 0x07, 0x00), &mask) == 1 &&
	    mask == 0x07, "Supported Report 07: off, heat, cool");
	CHECK(zw_cc_thermo_supported(B(0x40, 0x05, 0x00, 0x60), &mask) == 1 &&
	    mask == (1u << 13), "bit 13 away; reserved bit 14 dropped");
	CHECK(zw_cc_thermo_supported(B(0x40, 0x05), &mask) == -1,
	    "Supported Report without a mask: malformed");
	CHECK(zw_cc_thermo_supported(B(0x40, 0x03, 0x01), &mask) == 0,
	    "a Mode Report is not a Supported Report");
	CHECK(zw_thermo_mode_parse("cool") == 2 &&
	    zw_thermo_mode_parse("COOL") == -1 &&
	    zw_thermo_mode_parse("warp") == -1, "mode names parsed exactly");
	CHECK(same(out, zw_cc_thermo_mode_set(out, sizeof(out), 2),
	    B(0x40, 0x01, 0x02)), "Mode Set cool: 40 01 02");
	CHECK(zw_cc_thermo_mode_set(out, sizeof(out), 14) == 0 &&
	    zw_cc_thermo_mode_set(out, sizeof(out), 31) == 0 &&
	    zw_cc_thermo_mode_set(out, 2, 1) == 0,
	    "no Set of a reserved or manufacturer mode, or into 2 bytes");
	CHECK(zw_thermo_mode_setpoints(3) == (1u << 1 | 1u << 2) &&
	    zw_thermo_mode_setpoints(1) == 1u << 1 &&
	    zw_thermo_mode_setpoints(0) == 0,
	    "auto uses heating and cooling, heat heating, off none");
}

static void
test_state(void)
{
	struct zw_cc_value v;

	CHECK(dec(&v, B(0x42, 0x03, 0x01)) == 1 &&
	    is_str(&v, "thermostat_state", "heating") && !v.writable,
	    "Operating State 1: heating, read-only");
	CHECK(dec(&v, B(0x42, 0x03, 0x00)) == 1 && strcmp(v.s, "idle") == 0,
	    "state 0: idle");
	CHECK(dec(&v, B(0x42, 0x03, 0x0c)) == 1 &&
	    strcmp(v.s, "cooling_3") == 0, "state 12 (v2): cooling_3");
	CHECK(dec(&v, B(0x42, 0x03, 0x0d)) == -1, "state 13: malformed");
	CHECK(dec(&v, B(0x42, 0x03)) == -1, "no state byte: malformed");
}

static void
test_setpoint(void)
{
	struct zw_cc_value	v;
	uint32_t		mask;
	uint8_t			out[8];

	/* type 1, precision 1, scale 0, size 2, 0x00d7 = 215: 21.5 °C */
	CHECK(dec(&v, B(0x43, 0x03, 0x01, 0x22, 0x00, 0xd7)) == 1 &&
	    strcmp(v.key, "setpoint_heating") == 0 &&
	    strcmp(v.unit, "°C") == 0 && fabs(v.num - 21.5) < 1e-9 &&
	    v.writable && v.scale == 0 && v.min == ZW_SETPOINT_MIN_C &&
	    v.max == ZW_SETPOINT_MAX_C, "Setpoint Report 21.5 °C heating");
	/* type 2, precision 0, scale 1 (°F), size 1: 75 °F */
	CHECK(dec(&v, B(0x43, 0x03, 0x02, 0x09, 0x4b)) == 1 &&
	    strcmp(v.key, "setpoint_cooling") == 0 &&
	    strcmp(v.unit, "°F") == 0 && v.num == 75 && v.scale == 1,
	    "Setpoint Report 75 °F cooling");
	CHECK(dec(&v, B(0x43, 0x03, 0x01, 0x44, 0xff, 0xff, 0xf8, 0x30)) == 1 &&
	    fabs(v.num - -20.0) < 1e-9, "4-byte, precision 2: -20.00");
	CHECK(dec(&v, B(0x43, 0x03, 0x03, 0x22, 0x00, 0xd7)) == -1,
	    "reserved type 3: malformed");
	CHECK(dec(&v, B(0x43, 0x03, 0x01, 0x32, 0x00, 0xd7)) == -1,
	    "scale 2: no unit, malformed");
	CHECK(dec(&v, B(0x43, 0x03, 0x01, 0x22, 0x00)) == -1,
	    "value shorter than its size: malformed");
	CHECK(dec(&v, B(0x43, 0x03, 0x01, 0x23, 0x00, 0xd7, 0)) == -1,
	    "size 3: malformed");
	/* Interpretation A: bit 1 heating, bit 2 cooling, bit 3 furnace (7) */
	CHECK(zw_cc_thermo_supported(B(0x43, 0x05, 0x0e), &mask) == 1 &&
	    mask == (1u << 1 | 1u << 2 | 1u << 7),
	    "Supported 0e: heating, cooling, furnace (type 7)");
	CHECK(zw_cc_thermo_supported(B(0x43, 0x05, 0x00, 0x0a), &mask) == 1 &&
	    mask == (1u << 13 | 1u << 15),
	    "second byte: away heating (13), full power (15)");
	CHECK(same(out, zw_cc_setpoint_set(out, sizeof(out), 1, 0, 21.5),
	    B(0x43, 0x01, 0x01, 0x22, 0x00, 0xd7)),
	    "Set 21.5 °C heating: 43 01 01 22 00 d7");
	CHECK(same(out, zw_cc_setpoint_set(out, sizeof(out), 2, 1, 72.25),
	    B(0x43, 0x01, 0x02, 0x4a, 0x1c, 0x39)),
	    "Set 72.25 °F: two decimals, 43 01 02 4a 1c 39");
	CHECK(same(out, zw_cc_setpoint_set(out, sizeof(out), 1, 0, -5),
	    B(0x43, 0x01, 0x01, 0x22, 0xff, 0xce)), "Set -5: ff ce");
	CHECK(zw_cc_setpoint_set(out, sizeof(out), 1, 0, 4000) == 0 &&
	    zw_cc_setpoint_set(out, sizeof(out), 3, 0, 20) == 0 &&
	    zw_cc_setpoint_set(out, sizeof(out), 1, 2, 20) == 0 &&
	    zw_cc_setpoint_set(out, sizeof(out), 1, 0, NAN) == 0 &&
	    zw_cc_setpoint_set(out, 5, 1, 0, 20) == 0,
	    "no Set that does not fit, of a reserved type or scale, NaN");
	CHECK(same(out, zw_cc_setpoint_get(out, sizeof(out), 2),
	    B(0x43, 0x02, 0x02)), "Get cooling: 43 02 02");
	{
		unsigned	t, sc;
		double		lo, hi;

		CHECK(zw_cc_setpoint_caps(B(0x43, 0x0a, 0x01, 0x01, 0x05, 0x22,
		    0x01, 0x2c), &t, &sc, &lo, &hi) == 1 && t == 1 && sc == 0 &&
		    lo == 5 && fabs(hi - 30.0) < 1e-9,
		    "Capabilities Report: heating 5 .. 30.0 °C (two sizes)");
		CHECK(zw_cc_setpoint_caps(B(0x43, 0x0a, 0x02, 0x09, 41, 0x09,
		    86), &t, &sc, &lo, &hi) == 1 && t == 2 && sc == 1 &&
		    lo == 41 && hi == 86, "Capabilities Report: cooling 41..86 °F");
		CHECK(zw_cc_setpoint_caps(B(0x43, 0x0a, 0x01, 0x01, 30, 0x01,
		    5), &t, &sc, &lo, &hi) == -1 &&
		    zw_cc_setpoint_caps(B(0x43, 0x0a, 0x01, 0x01, 5, 0x09, 30),
		    &t, &sc, &lo, &hi) == -1 &&
		    zw_cc_setpoint_caps(B(0x43, 0x0a, 0x03, 0x01, 5, 0x01, 30),
		    &t, &sc, &lo, &hi) == -1 &&
		    zw_cc_setpoint_caps(B(0x43, 0x0a, 0x01, 0x02, 5, 0x01, 30),
		    &t, &sc, &lo, &hi) == -1 &&
		    zw_cc_setpoint_caps(B(0x43, 0x0a, 0x01, 0x01, 5), &t, &sc,
		    &lo, &hi) == -1, "min above max, two scales, a reserved "
		    "type, a short minimum or no maximum: malformed");
		CHECK(same(out, zw_cc_setpoint_caps_get(out, sizeof(out), 1),
		    B(0x43, 0x09, 0x01)), "Capabilities Get heating: 43 09 01");
	}
	CHECK(zw_setpoint_type("setpoint_away_cooling") == 14 &&
	    zw_setpoint_type("setpoint") == -1 &&
	    strcmp(zw_setpoint_key(11), "setpoint_energy_heating") == 0,
	    "setpoint keys and types");
}

static void
test_color(void)
{
	static const uint8_t	comp[] = { 2, 3, 4 }, lvl[] = { 0xff, 0x80, 0 };
	struct zw_cc_value	v;
	uint16_t		mask;
	uint8_t			out[16], c, l, rgb[3];
	char			s[ZW_COLOR_STR];

	CHECK(zw_cc_color_supported(B(0x33, 0x02, 0x1f, 0x00), &mask) == 1 &&
	    mask == 0x1f, "Supported Report: whites, red, green, blue");
	CHECK(zw_cc_color_supported(B(0x33, 0x02, 0x1f), &mask) == -1,
	    "Supported Report with one mask byte: malformed");
	CHECK(zw_cc_color_report(B(0x33, 0x04, 0x02, 0xff), &c, &l) == 1 &&
	    c == 2 && l == 0xff, "Report red 255");
	CHECK(zw_cc_color_report(B(0x33, 0x04, 0x04, 0x10, 0x80, 0x05), &c,
	    &l) == 1 && c == 4 && l == 0x10, "v3 Report: the current level");
	CHECK(zw_cc_color_report(B(0x33, 0x04, 0x09, 0x10), &c, &l) == -1,
	    "component 9: malformed");
	CHECK(zw_cc_color_report(B(0x33, 0x04, 0x02), &c, &l) == -1,
	    "no level: malformed");
	CHECK(dec(&v, B(0x33, 0x04, 0x02, 0xff)) == 0,
	    "the generic decoder leaves colours to the node layer");
	CHECK(same(out, zw_cc_color_set(out, sizeof(out), comp, lvl, 3, 2, 0),
	    B(0x33, 0x05, 0x03, 0x02, 0xff, 0x03, 0x80, 0x04, 0x00, 0x00)),
	    "Set v2 of red, green, blue with duration 0");
	CHECK(same(out, zw_cc_color_set(out, sizeof(out), comp, lvl, 1, 1, 0),
	    B(0x33, 0x05, 0x01, 0x02, 0xff)), "Set v1: no duration");
	CHECK(zw_cc_color_set(out, 9, comp, lvl, 3, 2, 0) == 0 &&
	    zw_cc_color_set(out, sizeof(out), comp, lvl, 0, 2, 0) == 0,
	    "no Set into a short buffer, or of nothing");
	CHECK(same(out, zw_cc_color_get(out, sizeof(out), 3),
	    B(0x33, 0x03, 0x03)) && zw_cc_color_get(out, sizeof(out), 9) == 0,
	    "Get green: 33 03 03; component 9 refused");
	CHECK(zw_color_parse("#FF8000", rgb) == 0 && rgb[0] == 0xff &&
	    rgb[1] == 0x80 && rgb[2] == 0, "#FF8000 parsed");
	CHECK(zw_color_parse("ff8000", rgb) == -1 &&
	    zw_color_parse("#ff800", rgb) == -1 &&
	    zw_color_parse("#ff80001", rgb) == -1 &&
	    zw_color_parse("#gg8000", rgb) == -1 &&
	    zw_color_parse(NULL, rgb) == -1, "bad colours refused");
	zw_color_format(rgb, s);
	CHECK(strcmp(s, "#ff8000") == 0, "formatted in lower case");
}

/* Supported Reports turned into the state poll's GETs (zw_cc_poll.c). */
static void
test_supported_gets(void)
{
	uint8_t	gets[8][4], out[4];
	int	n;

	n = zw_cc_supported(B(0x43, 0x05, 0x06), gets, 8);
	CHECK(n == 2 && same(gets[0], zw_cc_supported_len(gets[0]),
	    B(0x43, 0x02, 0x01)) && same(gets[1], zw_cc_supported_len(gets[1]),
	    B(0x43, 0x02, 0x02)), "setpoints heating, cooling: a Get each");
	n = zw_cc_supported(B(0x33, 0x02, 0xff, 0x01), gets, 8);
	CHECK(n == 5 && gets[0][2] == 0 && gets[4][2] == 4 &&
	    same(gets[2], zw_cc_supported_len(gets[2]), B(0x33, 0x03, 0x02)),
	    "colour: Gets of the whites, red, green, blue only");
	CHECK(zw_cc_supported(B(0x40, 0x05, 0x07), gets, 8) == 0,
	    "the modes start no GET");
	CHECK(zw_cc_supported(B(0x43, 0x05), gets, 8) == -1,
	    "a setpoint mask missing: malformed");
	CHECK(same(out, zw_cc_supported_get(out, sizeof(out), 0x43),
	    B(0x43, 0x04)) && same(out, zw_cc_supported_get(out, sizeof(out),
	    0x40), B(0x40, 0x04)) && same(out, zw_cc_supported_get(out,
	    sizeof(out), 0x33), B(0x33, 0x01)), "Supported Gets");
	CHECK(zw_cc_get(out, sizeof(out), 0x43) == 0 &&
	    zw_cc_get(out, sizeof(out), 0x33) == 0 &&
	    same(out, zw_cc_get(out, sizeof(out), 0x40), B(0x40, 0x02)) &&
	    same(out, zw_cc_get(out, sizeof(out), 0x42), B(0x42, 0x02)),
	    "plain GETs: mode and state only");
}

int
main(void)
{
	test_mode();
	test_state();
	test_setpoint();
	test_color();
	test_supported_gets();
	return check_done();
}
