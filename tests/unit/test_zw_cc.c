/* Unit tests for slave/zwave/zw_cc.c and zw_cc_sensor.c: command classes. */

#include <math.h>
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "../../slave/zwave/zw_cc.h"
#include "../../slave/zwave/zw_cc_config.h"

#define DEC(v, ...) dec(&(v), (const uint8_t[]){ __VA_ARGS__ }, \
	sizeof((const uint8_t[]){ __VA_ARGS__ }))

static int
dec(struct zw_cc_value *v, const uint8_t *b, size_t n)
{
	memset(v, 0, sizeof(*v));
	return zw_cc_decode(b, n, v, 1);
}

static int
is_num(const struct zw_cc_value *v, const char *key, const char *unit,
    double d)
{
	return v->type == ZW_V_NUM && strcmp(v->key, key) == 0 &&
	    strcmp(v->unit, unit) == 0 && fabs(v->num - d) < 1e-9;
}

static int
is_bool(const struct zw_cc_value *v, const char *key, int b)
{
	return v->type == ZW_V_BOOL && strcmp(v->key, key) == 0 && v->b == b;
}

static void
test_switches(void)
{
	struct zw_cc_value v;

	CHECK(DEC(v, 0x25, 0x03, 0xff) == 1 && is_bool(&v, "on", 1),
	    "binary switch report: on");
	CHECK(DEC(v, 0x25, 0x03, 0x00, 0xff, 0x00) == 1 &&
	    is_bool(&v, "on", 0), "binary switch v2 report: current off");
	CHECK(DEC(v, 0x25, 0x03, 0xfe) == 0, "binary switch: unknown state");
	CHECK(DEC(v, 0x25, 0x03, 0x80) == -1, "binary switch: 0x80 malformed");
	CHECK(DEC(v, 0x25, 0x03) == -1, "binary switch: report cut short");
	CHECK(DEC(v, 0x25, 0x01, 0xff) == 0, "binary switch: a SET, no value");
	CHECK(DEC(v, 0x20, 0x03, 0x63) == 1 && is_bool(&v, "on", 1),
	    "basic report: 99 is on");
	CHECK(DEC(v, 0x26, 0x03, 0x32) == 1 && is_num(&v, "level", "%", 50),
	    "multilevel switch report: level 50 %%");
	CHECK(DEC(v, 0x26, 0x03, 0xff) == 1 && is_num(&v, "level", "%", 99),
	    "multilevel switch report: 0xff is full");
	CHECK(DEC(v, 0x26, 0x03, 0x64) == -1,
	    "multilevel switch report: 100 malformed");
	CHECK(DEC(v, 0x26) == -1, "a lone class byte is malformed");
	CHECK(DEC(v, 0x99, 0x03, 0x00) == 0, "an unknown class: no value");
}

static void
test_sensors(void)
{
	struct zw_cc_value v;

	/* air temperature, precision 1, scale 0 (°C), size 2: 21.5 */
	CHECK(DEC(v, 0x31, 0x05, 0x01, 0x22, 0x00, 0xd7) == 1 &&
	    is_num(&v, "temperature", "°C", 21.5), "sensor: 21.5 °C");
	/* precision 2, scale 1 (°F), size 2: -4.25 */
	CHECK(DEC(v, 0x31, 0x05, 0x01, 0x4a, 0xfe, 0x57) == 1 &&
	    is_num(&v, "temperature", "°F", -4.25), "sensor: -4.25 °F");
	/* humidity, precision 0, scale 0, size 1: 45 % */
	CHECK(DEC(v, 0x31, 0x05, 0x05, 0x01, 45) == 1 &&
	    is_num(&v, "humidity", "%", 45), "sensor: humidity 45 %%");
	/* luminance, scale 1 (lux), size 4 */
	CHECK(DEC(v, 0x31, 0x05, 0x03, 0x0c, 0x00, 0x01, 0x00, 0x00) == 1 &&
	    is_num(&v, "luminance", "lx", 65536), "sensor: 65536 lx, 4 bytes");
	CHECK(DEC(v, 0x31, 0x05, 0x40, 0x01, 7) == 1 &&
	    is_num(&v, "sensor_64", "", 7), "sensor: an unknown type");
	CHECK(DEC(v, 0x31, 0x05, 0x01, 0x23, 0x00, 0xd7) == -1,
	    "sensor: size 3 malformed");
	CHECK(DEC(v, 0x31, 0x05, 0x01, 0x22, 0x00) == -1,
	    "sensor: value cut short");
	CHECK(DEC(v, 0x30, 0x03, 0xff, 0x0c) == 1 && is_bool(&v, "motion", 1),
	    "binary sensor v2: motion");
	CHECK(DEC(v, 0x30, 0x03, 0x00) == 1 && is_bool(&v, "sensor", 0),
	    "binary sensor v1: idle");
	CHECK(DEC(v, 0x30, 0x03, 0x01) == -1, "binary sensor: 0x01 malformed");
	CHECK(DEC(v, 0x30, 0x03, 0xff, 0x77) == 0,
	    "binary sensor: unknown type, no value");
	CHECK(zw_cc_number((const uint8_t[]){ 0x80, 0, 0, 0 }, 4, 4, 0,
	    &v.num) == 0 && v.num == -2147483648.0, "number: 32-bit minimum");
}

static void
test_meter(void)
{
	struct zw_cc_value v;

	/* electric, kWh (scale 0), precision 2, size 4: 123.45 */
	CHECK(DEC(v, 0x32, 0x02, 0x21, 0x44, 0, 0, 0x30, 0x39) == 1 &&
	    is_num(&v, "energy", "kWh", 123.45), "meter: 123.45 kWh");
	/* electric, W (scale 2), precision 1, size 2: 60.5 */
	CHECK(DEC(v, 0x32, 0x02, 0x01, 0x32, 0x02, 0x5d, 0, 0, 0, 0) == 1 &&
	    is_num(&v, "power", "W", 60.5), "meter: 60.5 W, with delta time");
	/* water, US gallons (scale 2), size 1 */
	CHECK(DEC(v, 0x32, 0x02, 0x03, 0x11, 9) == 1 &&
	    is_num(&v, "water_volume", "gal", 9), "meter: water, gallons");
	CHECK(DEC(v, 0x32, 0x02, 0x04, 0x01, 9) == 0, "meter: unknown type");
	CHECK(DEC(v, 0x32, 0x02, 0x01) == -1, "meter: cut short");
}

static void
test_notification(void)
{
	struct zw_cc_value v;

	CHECK(DEC(v, 0x71, 0x05, 0, 0, 0, 0xff, 0x06, 0x16, 0x00) == 1 &&
	    is_bool(&v, "door", 1), "notification: door open");
	CHECK(DEC(v, 0x71, 0x05, 0, 0, 0, 0xff, 0x06, 0x17, 0x00) == 1 &&
	    is_bool(&v, "door", 0), "notification: door closed");
	CHECK(DEC(v, 0x71, 0x05, 0, 0, 0, 0xff, 0x06, 0x01, 0x00) == 1 &&
	    is_bool(&v, "locked", 1), "access control: manual lock");
	CHECK(DEC(v, 0x71, 0x05, 0, 0, 0, 0xff, 0x06, 0x06, 0x00) == 1 &&
	    is_bool(&v, "locked", 0), "access control: keypad unlock");
	CHECK(DEC(v, 0x71, 0x05, 0, 0, 0, 0xff, 0x06, 0x09, 0x00) == 1 &&
	    is_bool(&v, "locked", 1), "access control: auto lock");
	CHECK(DEC(v, 0x71, 0x05, 0, 0, 0, 0xff, 0x06, 0x0b, 0x00) == 0,
	    "access control: jammed gives no value");
	CHECK(DEC(v, 0x71, 0x05, 0, 0, 0, 0xff, 0x07, 0x08, 0x00) == 1 &&
	    is_bool(&v, "motion", 1), "notification: motion");
	CHECK(DEC(v, 0x71, 0x05, 0, 0, 0, 0xff, 0x07, 0x00, 0x01, 0x08) == 1
	    && is_bool(&v, "motion", 0), "notification: motion idle (v4)");
	CHECK(DEC(v, 0x71, 0x05, 0, 0, 0, 0xff, 0x07, 0x00, 0x01, 0x03) == 0,
	    "notification: tamper idle is no motion value");
	CHECK(DEC(v, 0x71, 0x05, 0, 0, 0, 0xff, 0x01, 0x02) == 1 &&
	    is_bool(&v, "smoke", 1), "notification: smoke");
	CHECK(DEC(v, 0x71, 0x05, 0, 0, 0, 0xff, 0x05, 0x02) == 1 &&
	    is_bool(&v, "water", 1), "notification: water leak");
	CHECK(DEC(v, 0x71, 0x05, 0, 0, 0, 0xff, 0x05, 0x00) == 1 &&
	    is_bool(&v, "water", 0), "notification: water idle");
	CHECK(DEC(v, 0x71, 0x05, 0x13, 0x01) == 0,
	    "notification: version 1 alarm, no value");
	CHECK(DEC(v, 0x71, 0x05, 0, 0, 0, 0xff, 0x07, 0x00, 0x05, 0x08) == -1,
	    "notification: parameters past the end");
}

static void
test_battery_info(void)
{
	struct zw_cc_value	v;
	struct zw_cc_info	info;

	CHECK(DEC(v, 0x80, 0x03, 87) == 1 && is_num(&v, "battery", "%", 87) &&
	    !v.low_battery, "battery: 87 %%");
	CHECK(DEC(v, 0x80, 0x03, 0xff) == 1 && v.low_battery &&
	    v.num == 0, "battery: low-battery warning");
	CHECK(DEC(v, 0x80, 0x03, 101) == -1, "battery: 101 malformed");
	CHECK(DEC(v, 0x80, 0x03, 10) == 1 && v.low_battery && v.num == 10 &&
	    DEC(v, 0x80, 0x03, 11) == 1 && !v.low_battery,
	    "battery: 10 %% is low, 11 %% is not (ZW_BATTERY_LOW_PCT)");
	CHECK(DEC(v, 0x80, 0x03, 60, 0x01) == 1 && v.low_battery &&
	    DEC(v, 0x80, 0x03, 60, 0x00) == 1 && !v.low_battery,
	    "battery: a version 2 report's replace-soon bit is low");
	memset(&info, 0, sizeof(info));
	CHECK(zw_cc_decode_info((const uint8_t[]){ 0x86, 0x12, 3, 7, 18, 1,
	    2 }, 7, &info) == 1 && info.have_version && info.protocol[0] == 7
	    && info.app[1] == 2, "version report");
	CHECK(zw_cc_decode_info((const uint8_t[]){ 0x72, 0x05, 0x00, 0x86,
	    0x00, 0x03, 0x00, 0x60 }, 8, &info) == 1 &&
	    info.manufacturer == 0x86 && info.product_id == 0x60,
	    "manufacturer specific report");
	CHECK(zw_cc_decode_info((const uint8_t[]){ 0x5e, 0x02, 2, 5, 0, 0x07,
	    0x00, 0x07, 0x00 }, 9, &info) == 1 && info.have_plus &&
	    info.role == 5 && info.installer_icon == 0x0700,
	    "z-wave plus info report");
	CHECK(zw_cc_decode_info((const uint8_t[]){ 0x72, 0x05, 0 }, 3,
	    &info) == -1, "manufacturer report cut short");
	CHECK(zw_cc_decode_info((const uint8_t[]){ 0x25, 0x03, 0 }, 3,
	    &info) == 0, "a switch report is no identity");
}

static void
test_encode(void)
{
	uint8_t	b[4];

	CHECK(zw_cc_set_binary(b, sizeof(b), ZW_CC_SWITCH_BINARY, 1) == 3 &&
	    b[0] == 0x25 && b[1] == 0x01 && b[2] == 0xff,
	    "binary switch set on");
	CHECK(zw_cc_set_binary(b, sizeof(b), ZW_CC_BASIC, 0) == 3 &&
	    b[0] == 0x20 && b[2] == 0x00, "basic set off");
	CHECK(zw_cc_set_binary(b, sizeof(b), ZW_CC_METER, 0) == 0,
	    "binary set of a meter refused");
	CHECK(zw_cc_set_level(b, sizeof(b), 42) == 3 && b[0] == 0x26 &&
	    b[2] == 42, "multilevel set 42");
	CHECK(zw_cc_set_level(b, sizeof(b), 100) == 0 &&
	    zw_cc_set_level(b, sizeof(b), -1) == 0,
	    "multilevel set out of range refused");
	CHECK(zw_cc_set_level(b, 2, 42) == 0, "set into a short buffer");
	CHECK(zw_cc_get(b, sizeof(b), ZW_CC_SWITCH_BINARY) == 2 &&
	    b[1] == 0x02, "binary switch get");
	CHECK(zw_cc_get(b, sizeof(b), ZW_CC_SENSOR_MULTILEVEL) == 2 &&
	    b[1] == 0x04, "multilevel sensor get");
	CHECK(zw_cc_get(b, sizeof(b), 0x99) == 0, "get of an unknown class");
}

/* Configuration (0x70): known byte strings both ways, malformed ones. */
static void
test_config(void)
{
	static const uint8_t rep2[] = { 0x70, 0x06, 0x02, 0x02, 0x03, 0x84 };
	static const uint8_t neg[] = { 0x70, 0x06, 0x05, 0x01, 0xff };
	static const uint8_t bad3[] = { 0x70, 0x06, 0x05, 0x03, 0, 0, 0 };
	static const uint8_t cut[] = { 0x70, 0x06, 0x05, 0x04, 0, 0 };
	/* parameter 2: 2 bytes signed, 30..3600, default 300, next 0 */
	static const uint8_t props[] = { 0x70, 0x0f, 0x00, 0x02, 0x02, 0x00,
	    0x1e, 0x0e, 0x10, 0x01, 0x2c, 0x00, 0x00 };
	/* 1 byte unsigned (format 1), 0..255 */
	static const uint8_t uprops[] = { 0x70, 0x0f, 0x00, 0x03, 0x09, 0x00,
	    0xff, 0x10, 0x00, 0x00 };
	static const uint8_t none[] = { 0x70, 0x0f, 0x00, 0x09, 0x00, 0x00,
	    0x00 };
	static const uint8_t upside[] = { 0x70, 0x0f, 0x00, 0x02, 0x01, 0x10,
	    0x01, 0x05, 0x00, 0x00 };
	static const uint8_t nm1[] = { 0x70, 0x0b, 0x00, 0x01, 0x01, 'L', 'E',
	    'D', 0x07 };
	static const uint8_t nm2[] = { 0x70, 0x0b, 0x00, 0x01, 0x00, ' ', 'x' };
	struct zw_config_value	v;
	struct zw_config_props	p;
	uint8_t			b[8], follow;
	uint16_t		param;
	char			name[ZW_CONFIG_NAME_MAX + 1];
	size_t			nlen = 0;

	CHECK(zw_cc_config_get(b, sizeof(b), 7) == 3 && b[0] == 0x70 &&
	    b[1] == 0x05 && b[2] == 7, "config: Get 70 05 07");
	CHECK(zw_cc_config_set(b, sizeof(b), 2, 2, 900) == 6 &&
	    memcmp(b, (const uint8_t []){ 0x70, 0x04, 0x02, 0x02, 0x03, 0x84 },
	    6) == 0, "config: Set 900 in 2 bytes");
	CHECK(zw_cc_config_set(b, sizeof(b), 1, 4, -2) == 8 && b[4] == 0xff &&
	    b[7] == 0xfe, "config: Set -2 in 4 bytes");
	CHECK(zw_cc_config_set(b, sizeof(b), 1, 3, 1) == 0 &&
	    zw_cc_config_set(b, 5, 1, 2, 1) == 0,
	    "config: a 3-byte size or a short buffer refused");
	CHECK(zw_cc_config_props_get(b, sizeof(b), 0x0102) == 4 &&
	    b[1] == 0x0e && b[2] == 1 && b[3] == 2 &&
	    zw_cc_config_name_get(b, sizeof(b), 5) == 4 && b[1] == 0x0a,
	    "config: Properties Get and Name Get, 16-bit parameter");
	CHECK(zw_cc_config_report(rep2, sizeof(rep2), &v) == 0 &&
	    v.param == 2 && v.size == 2 && v.value == 900,
	    "config: Report 900");
	CHECK(zw_cc_config_report(neg, sizeof(neg), &v) == 0 && v.value == -1,
	    "config: a 1-byte report is signed");
	CHECK(zw_cc_config_report(bad3, sizeof(bad3), &v) == -1 &&
	    zw_cc_config_report(cut, sizeof(cut), &v) == -1,
	    "config: size 3 and a value past the command are malformed");
	CHECK(zw_cc_config_props(props, sizeof(props), &p) == 0 &&
	    p.param == 2 && p.size == 2 && p.format == 0 && p.min == 30 &&
	    p.max == 3600 && p.dflt == 300, "config: Properties 30..3600");
	CHECK(zw_cc_config_props(uprops, sizeof(uprops), &p) == 0 &&
	    p.format == 1 && p.max == 255 && p.dflt == 16,
	    "config: an unsigned parameter's 0xff is 255");
	CHECK(zw_cc_config_props(none, sizeof(none), &p) == 0 && p.size == 0,
	    "config: size 0: no such parameter");
	CHECK(zw_cc_config_props(upside, sizeof(upside), &p) == -1 &&
	    zw_cc_config_props(props, 10, &p) == -1,
	    "config: min above max, or cut short, is malformed");
	CHECK(zw_cc_config_name(nm1, sizeof(nm1), &param, &follow, name,
	    &nlen) == 0 && follow == 1 && zw_cc_config_name(nm2, sizeof(nm2),
	    &param, &follow, name, &nlen) == 0 && follow == 0 &&
	    param == 1 && strcmp(name, "LED? x") == 0,
	    "config: a name over two reports, unprintable bytes replaced");
	CHECK(zw_cc_config_fits(127, 1, 0) && !zw_cc_config_fits(128, 1, 0) &&
	    zw_cc_config_fits(255, 1, 1) && !zw_cc_config_fits(-1, 1, 1) &&
	    zw_cc_config_fits(-32768, 2, 0) &&
	    zw_cc_config_fits(4294967295LL, 4, 1),
	    "config: what each size holds, signed and unsigned");
}

/* Central Scene Notification: decoded, and the value each key becomes. */
static void
test_scene(void)
{
	static const uint8_t twice[] = { 0x5b, 0x03, 0x07, 0x03, 0x02 };
	static const uint8_t held[] = { 0x5b, 0x03, 0x08, 0x82, 0x01 };
	static const uint8_t bad_attr[] = { 0x5b, 0x03, 0x07, 0x07, 0x02 };
	static const uint8_t scene0[] = { 0x5b, 0x03, 0x07, 0x00, 0x00 };
	struct zw_scene s;

	CHECK(zw_cc_scene_decode(twice, sizeof(twice), &s) == 0 &&
	    s.seq == 7 && s.attr == ZW_SCENE_2X && s.scene == 2 &&
	    !s.slow_refresh && zw_cc_scene_value(s.attr) == 2,
	    "scene: scene 2 pressed twice");
	CHECK(zw_cc_scene_decode(held, sizeof(held), &s) == 0 &&
	    s.attr == ZW_SCENE_HELD && s.slow_refresh &&
	    zw_cc_scene_value(s.attr) == -1, "scene: held, slow refresh");
	CHECK(zw_cc_scene_value(ZW_SCENE_PRESSED) == 1 &&
	    zw_cc_scene_value(ZW_SCENE_RELEASED) == 0 &&
	    zw_cc_scene_value(ZW_SCENE_5X) == 5,
	    "scene: pressed 1, released 0, five times 5");
	CHECK(zw_cc_scene_decode(bad_attr, sizeof(bad_attr), &s) == -1 &&
	    zw_cc_scene_decode(scene0, sizeof(scene0), &s) == -1 &&
	    zw_cc_scene_decode(twice, 4, &s) == -1,
	    "scene: attribute 7, scene 0, a short frame are malformed");
}

int
main(void)
{
	test_switches();
	test_sensors();
	test_meter();
	test_notification();
	test_battery_info();
	test_encode();
	test_config();
	test_scene();
	return check_done();
}
