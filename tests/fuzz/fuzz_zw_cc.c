/*
 * libFuzzer harness for the command-class decoders (slave/zwave/zw_cc.c,
 * zw_cc_sensor.c, zw_cc_mgmt.c, zw_cc_mc.c, zw_cc_supervision.c,
 * zw_cc_thermo.c, zw_cc_color.c): the
 * input is one command as a node would send it inside
 * ApplicationCommandHandler. A decoded value must have a key, a unit,
 * and a finite number within what its size allows; an encapsulated
 * command must lie inside the input; lists stay within their limits.
 */

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../slave/zwave/zw_cc.h"
#include "../../slave/zwave/zw_cc_config.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static int
inside(const uint8_t *p, size_t n, const uint8_t *data, size_t size)
{
	return p >= data && n >= 1 && p + n <= data + size;
}

/* A dimmer's report as a ramp: levels 0..99, a duration of at most 126
 * minutes or unknown (-1). */
static void
ramp(const uint8_t *data, size_t size)
{
	struct zw_ramp	r;
	int		n = zw_cc_level_ramp(data, size, &r);

	if (n < -1 || n > 1 || (n == 1 && (r.current < 0 ||
	    r.current > ZW_LEVEL_MAX || (r.have_target && (r.target < 0 ||
	    r.target > ZW_LEVEL_MAX || r.duration_ms < -1 ||
	    r.duration_ms > 126 * 60000LL)))))
		abort();
}

/* Multi Command and CRC-16: what they carry lies inside the input, and
 * encoding it again gives the input back. */
static void
encapsulations(const uint8_t *data, size_t size)
{
	struct zw_multi	m;
	struct zw_crc16	k;
	uint8_t		out[512];
	size_t		i;
	int		r;

	r = zw_cc_decode_multi(data, size, &m);
	if (r < -1 || r > 1 || m.n > ZW_MULTI_CMD_MAX)
		abort();
	for (i = 0; r == 1 && i < m.n; i++)
		if (!inside(m.cmd[i], m.len[i], data, size))
			abort();
	if (r == 1 && size <= sizeof(out) && (zw_cc_multi_encap(out,
	    sizeof(out), m.cmd, m.len, m.n) != size ||
	    memcmp(out, data, size) != 0))
		abort();
	r = zw_cc_decode_crc16(data, size, &k);
	if (r < -1 || r > 1 || (r == 1 && !inside(k.inner, k.ninner, data,
	    size)))
		abort();
	if (r == 1 && k.crc_ok && size <= sizeof(out) &&
	    (zw_cc_crc16_encap(out, sizeof(out), k.inner, k.ninner) != size ||
	    memcmp(out, data, size) != 0))
		abort();
}

/* The network management classes' decoders. */
static void
management(const uint8_t *data, size_t size)
{
	struct zw_wakeup	w;
	struct zw_assoc		a;
	struct zw_mc		m;
	struct zw_supervision	sv;
	uint8_t			cc, ver, out[64], gets[ZW_POLL_SUPPORTED_MAX][4];
	char			name[ZW_CONFIG_NAME_MAX + 1];
	int			r;

	if ((r = zw_cc_decode_wakeup(data, size, &w)) < -1 || r > 1 ||
	    (r == 1 && w.interval > ZW_WAKEUP_MAX_S))
		abort();
	if ((r = zw_cc_decode_assoc(data, size, &a)) < -1 || r > 1 ||
	    a.n > ZW_MAX_ASSOC_NODES || a.nep > ZW_MAX_ASSOC_NODES)
		abort();
	if ((r = zw_cc_decode_cc_version(data, size, &cc, &ver)) < -1 || r > 1)
		abort();
	if ((r = zw_cc_decode_groupings(data, size, &ver)) < -1 || r > 1)
		abort();
	if ((r = zw_cc_decode_agi_name(data, size, &ver, name)) < -1 ||
	    r > 1 || (r == 1 && strlen(name) > ZW_CONFIG_NAME_MAX))
		abort();
	if ((r = zw_cc_supported(data, size, gets, ZW_POLL_SUPPORTED_MAX)) <
	    -1 || r > ZW_POLL_SUPPORTED_MAX)
		abort();
	r = zw_cc_decode_mc(data, size, &m);
	if (r < -1 || r > 1 || m.ncc > ZW_MAX_NODE_CCS || (r == 1 &&
	    m.kind == ZW_MC_ENCAP && !inside(m.inner, m.ninner, data, size)))
		abort();
	r = zw_cc_decode_supervision(data, size, &sv);
	if (r < -1 || r > 1 || (r == 1 && sv.get &&
	    !inside(sv.inner, sv.ninner, data, size)))
		abort();
	/* Re-wrapping what was unwrapped fits or is refused, never more. */
	if (r == 1 && sv.get && zw_cc_supervision_get(out, sizeof(out),
	    sv.session, sv.flag, sv.inner, sv.ninner) > sizeof(out))
		abort();
	if (size >= 1 && zw_cc_mc_encap(out, sizeof(out), 1, data[0] & 0x7f,
	    data, size) > sizeof(out))
		abort();
}

/* Configuration reports (zw_cc_config.c): sizes 1, 2, 4; a range in
 * order that its size holds; a name bounded and printable; a Set built
 * from the report's value reads back the same. */
static void
config(const uint8_t *data, size_t size)
{
	struct zw_config_value	v, back;
	struct zw_config_props	p;
	char			name[ZW_CONFIG_NAME_MAX + 1];
	uint8_t			out[8], follow;
	uint16_t		param;
	size_t			nlen = 0, i, n;

	if (zw_cc_config_report(data, size, &v) == 0) {
		if ((v.size != 1 && v.size != 2 && v.size != 4) ||
		    4u + v.size > size || !zw_cc_config_fits(v.value, v.size, 0))
			abort();
		n = zw_cc_config_set(out, sizeof(out), (uint8_t)v.param, v.size,
		    v.value);
		out[1] = ZW_CONFIG_REPORT;
		if (n != 4u + v.size || zw_cc_config_report(out, n, &back) ||
		    back.value != v.value)
			abort();
	}
	if (zw_cc_config_props(data, size, &p) == 0 && p.size != 0 &&
	    ((p.size != 1 && p.size != 2 && p.size != 4) || p.min > p.max ||
	    !zw_cc_config_fits(p.min, p.size, p.format) ||
	    !zw_cc_config_fits(p.max, p.size, p.format)))
		abort();
	if (zw_cc_config_name(data, size, &param, &follow, name, &nlen) ==
	    0) {
		if (nlen > ZW_CONFIG_NAME_MAX || strlen(name) != nlen)
			abort();
		for (i = 0; i < nlen; i++)
			if (name[i] < 0x20 || name[i] > 0x7e)
				abort();
	}
}

/* Thermostat and Color Switch (zw_cc_thermo.c, zw_cc_color.c): masks of
 * known modes, types and components only; a setpoint encoded again reads
 * back the same (to its two decimals), or is refused. */
static void
thermo_color(const uint8_t *data, size_t size)
{
	struct zw_cc_value	v, back;
	uint32_t		mask;
	uint16_t		cmask;
	uint8_t			comp, level, out[8];
	size_t			n;
	int			r;

	/* Modes 0..13, 15, 31; setpoint types 1, 2, 7..15. */
	if ((r = zw_cc_thermo_supported(data, size, &mask)) < -1 || r > 1 ||
	    (r == 1 && (mask & ~(data[0] == ZW_CC_THERMOSTAT_MODE ?
	    0x8000bfffu : 0xff86u)) != 0))
		abort();
	if ((r = zw_cc_color_supported(data, size, &cmask)) < -1 || r > 1)
		abort();
	if ((r = zw_cc_color_report(data, size, &comp, &level)) < -1 ||
	    r > 1 || (r == 1 && comp >= ZW_COLOR_COMPONENTS))
		abort();
	{
		unsigned	t, sc;
		double		lo, hi;

		if ((r = zw_cc_setpoint_caps(data, size, &t, &sc, &lo,
		    &hi)) < -1 || r > 1 || (r == 1 && (lo > hi || sc > 1 ||
		    zw_setpoint_key(t) == NULL || !isfinite(lo) ||
		    !isfinite(hi))))
			abort();
	}
	memset(&v, 0, sizeof(v));
	if (zw_cc_setpoint(data, size, &v) != 1)
		return;
	if (zw_setpoint_type(v.key) == -1 || v.scale > 1 || v.min >= v.max)
		abort();
	n = zw_cc_setpoint_set(out, sizeof(out),
	    (unsigned)zw_setpoint_type(v.key), v.scale, v.num);
	if (n == 0)
		return;			/* out of what two bytes hold */
	out[1] = ZW_CMD_REPORT;
	if (n != 6 || zw_cc_setpoint(out, n, &back) != 1 ||
	    fabs(back.num - v.num) > 0.00501 || strcmp(back.key, v.key) != 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct zw_cc_value	v[2];
	struct zw_cc_info	info;
	uint8_t			out[4];
	int			n;

	memset(v, 0, sizeof(v));
	n = zw_cc_decode(data, size, v, 1);
	if (n < -1 || n > 1)
		abort();
	if (n == 1 && (v[0].key == NULL || v[0].unit == NULL ||
	    strlen(v[0].key) == 0 || v[1].key != NULL ||
	    (v[0].type == ZW_V_NUM && (!isfinite(v[0].num) ||
	    fabs(v[0].num) > 2147483648.0)) ||
	    (v[0].type == ZW_V_STR && (v[0].s == NULL || *v[0].s == '\0'))))
		abort();
	memset(&info, 0, sizeof(info));
	if (zw_cc_decode_info(data, size, &info) < -1)
		abort();
	if (size >= 1 && zw_cc_get(out, sizeof(out), data[0]) > 2)
		abort();
	if (size >= 2 && zw_cc_set_level(out, sizeof(out), data[1]) > 3)
		abort();
	management(data, size);
	encapsulations(data, size);
	ramp(data, size);
	config(data, size);
	thermo_color(data, size);
	{
		struct zw_scene sc;

		if (zw_cc_scene_decode(data, size, &sc) == 0 &&
		    (sc.scene == 0 || sc.attr > ZW_SCENE_5X ||
		    zw_cc_scene_value(sc.attr) < -1 ||
		    zw_cc_scene_value(sc.attr) > 5))
			abort();
	}
	return 0;
}
