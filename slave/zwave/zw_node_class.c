/*
 * The richer classes' values and SETs on a node's device: Thermostat
 * Mode, Operating State and Setpoint (zw_cc_thermo.c) and Color Switch
 * (zw_cc_color.c).
 *
 *	thermostat_mode		string, writable: "heat", "cool", "off"...
 *				(a mode the node's Supported Report does not
 *				list is refused before anything is sent)
 *	thermostat_state	string: "idle", "heating", "cooling"...
 *	setpoint_TYPE		number in the node's unit (°C/°F), writable:
 *				setpoint_heating, setpoint_cooling...; added
 *				at the first report (the unit is known then),
 *				or its Capabilities Report (version 3), whose
 *				range it takes
 *	color			"#rrggbb", writable: red, green and blue set
 *				in one Color Set, confirmed by their reports
 *	white_warm, white_cold	0..255, writable, when the node has them
 *
 * The Supported Reports are kept on the node: the modes (to refuse one
 * the thermostat lacks), the setpoint types (a Get each; a thermostat
 * that lists none gets the types its modes use), the colour components.
 * Colours are handled for the node itself (endpoint 0) only.
 */

#include <stdio.h>
#include <string.h>

#include "log.h"
#include "slave.h"
#include "zwave/zw.h"
#include "zwave/zw_cc.h"

#define COLOR_RGB	(1u << ZW_COLOR_RED | 1u << (ZW_COLOR_RED + 1) | \
			 1u << (ZW_COLOR_RED + 2))
#define COLOR_WHITES	(1u << ZW_COLOR_WARM | 1u << ZW_COLOR_COLD)
#define WHITE_MAX	255
#define SP_CAPS_REPORT	0x0a	/* Setpoint Capabilities Report */

static const char *const white_keys[2] = { "white_warm", "white_cold" };

static void
white_values(struct zw_node *zn)
{
	int i;

	for (i = 0; i < 2; i++)
		if ((zn->colors & 1u << i) &&
		    dev_find_value(zn->dev, white_keys[i]) == NULL)
			dev_value(zn->dev, white_keys[i],
			    HD__VALUE_TYPE__VT_INT, "", 1, 0, WHITE_MAX);
}

/* The values the classes give before any report. */
void
zw_node_class_values(struct zw_node *zn)
{
	struct dev *d = zn->dev;

	if (zw_node_has(zn, ZW_CC_THERMOSTAT_MODE) &&
	    dev_find_value(d, "thermostat_mode") == NULL)
		dev_value(d, "thermostat_mode", HD__VALUE_TYPE__VT_STRING, "",
		    1, 0, 0);
	if (zw_node_has(zn, ZW_CC_THERMOSTAT_STATE) &&
	    dev_find_value(d, "thermostat_state") == NULL)
		dev_value(d, "thermostat_state", HD__VALUE_TYPE__VT_STRING, "",
		    0, 0, 0);
	if (zw_node_has(zn, ZW_CC_COLOR)) {
		if (dev_find_value(d, "color") == NULL)
			dev_value(d, "color", HD__VALUE_TYPE__VT_STRING, "", 1,
			    0, 0);
		white_values(zn);
	}
}

/* A Setpoint Capabilities Get (version 3) for each type in `types`. */
static void
setpoint_caps_gets(struct zw_ctrl *c, struct zw_node *zn, uint32_t types)
{
	uint8_t		get[3];
	unsigned	t;

	if (zw_mgmt_version(zn, ZW_CC_THERMOSTAT_SETPOINT) < 3)
		return;
	for (t = 0; t < 16; t++)
		if ((types & 1u << t) &&
		    zw_cc_setpoint_caps_get(get, sizeof(get), t) > 0)
			zw_node_poll_send(c, zn, get, sizeof(get));
}

/* A Setpoint Get for each type in `types`, after its range. */
static void
setpoint_gets(struct zw_ctrl *c, struct zw_node *zn, uint32_t types)
{
	uint8_t		get[3];
	unsigned	t;

	setpoint_caps_gets(c, zn, types);
	for (t = 0; t < 16; t++)
		if ((types & 1u << t) &&
		    zw_cc_setpoint_get(get, sizeof(get), t) > 0)
			zw_node_poll_send(c, zn, get, sizeof(get));
}

/*
 * A Setpoint Capabilities Report: the type's range becomes its value's
 * (added now if no report made it yet), so a command outside it is
 * refused before anything is sent rather than left to time out.
 */
static void
setpoint_range(struct zw_ctrl *c, struct zw_node *zn, const uint8_t *cmd,
    size_t len)
{
	static const char *const units[2] = { "°C", "°F" };
	struct dev	*d = zn->dev;
	const char	*key;
	double		 min, max;
	unsigned	 type, scale;
	size_t		 i;

	if (zw_cc_setpoint_caps(cmd, len, &type, &scale, &min, &max) != 1) {
		log_warnx("zwave: node %d: malformed setpoint capabilities",
		    zw_node_id(c, zn));
		return;
	}
	key = zw_setpoint_key(type);
	log_info("zwave: node %d: %s range %g..%g %s", zw_node_id(c, zn), key,
	    min, max, units[scale]);
	for (i = 0; i < d->desc.n_values; i++)
		if (strcmp(d->vals[i]->key, key) == 0) {
			d->vals[i]->min = min;
			d->vals[i]->max = max;
			break;
		}
	if (i == d->desc.n_values && dev_value(d, key,
	    HD__VALUE_TYPE__VT_DOUBLE, units[scale], 1, min, max) == -1)
		return;
	zn->sp_scale[type] = (uint8_t)scale;
	devtab_changed(c->s);
}

/* A Color Report: a white is a value of its own; red, green and blue
 * make `color` once all three are known and none asked for is still on
 * its way (the command's three GETs give one value, not three). */
static void
color_report(struct zw_ctrl *c, struct zw_node *zn, uint8_t comp,
    uint8_t level)
{
	struct zw_cc_value v;

	zn->color[comp] = level;
	zn->color_have |= (uint16_t)(1u << comp);
	zn->color_pending &= (uint16_t)~(1u << comp);
	memset(&v, 0, sizeof(v));
	v.unit = "";
	if (comp == ZW_COLOR_WARM || comp == ZW_COLOR_COLD) {
		zn->colors |= (uint16_t)(1u << comp);
		if (dev_find_value(zn->dev, white_keys[comp]) == NULL) {
			white_values(zn);
			devtab_changed(c->s);
		}
		v.key = white_keys[comp];
		v.type = ZW_V_NUM;
		v.num = level;
		zw_node_report_value(c, zn, &v, ZW_CC_COLOR);
		return;
	}
	if (!(COLOR_RGB & 1u << comp) ||
	    (zn->color_have & COLOR_RGB) != COLOR_RGB ||
	    (zn->color_pending & COLOR_RGB) != 0)
		return;
	zw_color_format(zn->color + ZW_COLOR_RED, zn->color_str);
	v.key = "color";
	v.type = ZW_V_STR;
	v.s = zn->color_str;
	zw_node_report_value(c, zn, &v, ZW_CC_COLOR);
}

/* The setpoint types a thermostat's modes use. */
static uint32_t
implied_setpoints(const struct zw_node *zn)
{
	uint32_t	mask = 0;
	unsigned	m;

	for (m = 0; m < 32; m++)
		if (zn->therm_modes & 1u << m)
			mask |= zw_thermo_mode_setpoints(m);
	return mask;
}

/*
 * A Supported Report of Mode or Setpoint from the node itself: kept. A
 * Setpoint Supported Report that lists nothing has the types its modes
 * use asked for, once both reports are in (either may come first). 1 if
 * taken whole; 0 lets zw_node_supported() send the Gets it lists.
 */
static int
thermo_supported(struct zw_ctrl *c, struct zw_node *zn, uint8_t cmdcc,
    uint32_t mask)
{
	if (cmdcc == ZW_CC_THERMOSTAT_MODE) {
		zn->therm_modes = mask;
		log_info("zwave: node %d: thermostat modes 0x%x",
		    zw_node_id(c, zn), mask);
		if (!zn->sp_none)
			return 1;
	} else {
		zn->setpoints = mask;
		zn->sp_none = mask == 0;
		setpoint_caps_gets(c, zn, mask);	/* before the Gets */
		if (mask != 0 || zn->therm_modes == 0)
			return mask != 0 ? 0 : 1;	/* modes to come */
	}
	zn->sp_none = 0;
	mask = implied_setpoints(zn);
	log_info("zwave: node %d: no setpoint types listed: asked for those "
	    "of its modes (0x%x)", zw_node_id(c, zn), mask);
	setpoint_gets(c, zn, mask);
	return 1;
}

/*
 * What the node layer takes from these classes before the decoders:
 * the Supported Reports (kept; 0 then lets zw_node_supported() send the
 * GETs they list), a setpoint's scale, and Color Reports. 1 if `cmd` was
 * taken whole.
 */
int
zw_node_class_receive(struct zw_ctrl *c, struct zw_node *zn, uint8_t ep,
    const uint8_t *cmd, size_t len)
{
	uint32_t	mask;
	uint16_t	cmask;
	uint8_t		comp, level;
	int		r;

	if (len < 2 || (cmd[0] != ZW_CC_THERMOSTAT_MODE &&
	    cmd[0] != ZW_CC_THERMOSTAT_SETPOINT && cmd[0] != ZW_CC_COLOR))
		return 0;
	if (cmd[0] == ZW_CC_COLOR && ep != 0) {
		log_debug("zwave: node %d: endpoint %u's colour not handled",
		    zw_node_id(c, zn), ep);
		return 1;
	}
	if (cmd[0] == ZW_CC_THERMOSTAT_SETPOINT && cmd[1] == ZW_CMD_REPORT &&
	    len >= 4)
		zn->sp_scale[cmd[2] & 0x0f] = (uint8_t)(cmd[3] >> 3 & 1);
	if (cmd[0] == ZW_CC_THERMOSTAT_SETPOINT && cmd[1] == SP_CAPS_REPORT) {
		if (ep == 0)
			setpoint_range(c, zn, cmd, len);
		return 1;
	}
	if (cmd[0] == ZW_CC_COLOR) {
		r = zw_cc_color_supported(cmd, len, &cmask);
		if (r == 1) {
			zn->colors = cmask;
			white_values(zn);
			devtab_changed(c->s);
			return 0;	/* its GETs: zw_node_supported() */
		}
		if (r == 0 && (r = zw_cc_color_report(cmd, len, &comp,
		    &level)) == 1)
			color_report(c, zn, comp, level);
	} else if ((r = zw_cc_thermo_supported(cmd, len, &mask)) == 1)
		return ep == 0 ? thermo_supported(c, zn, cmd[0], mask) : 0;
	if (r == -1)
		log_warnx("zwave: node %d: malformed command 0x%02x 0x%02x",
		    zw_node_id(c, zn), cmd[0], cmd[1]);
	return r != 0 || cmd[0] == ZW_CC_COLOR;
}

/* Is `base` ("setpoint_heating", "color"...) a key of these classes? */
int
zw_node_class_key(const char *base)
{
	return strcmp(base, "thermostat_mode") == 0 ||
	    zw_setpoint_type(base) != -1 || strcmp(base, "color") == 0 ||
	    strcmp(base, white_keys[0]) == 0 ||
	    strcmp(base, white_keys[1]) == 0;
}

/* The command's confirming GET, one more. */
static void
want_get(struct zw_node *zn, const uint8_t *get, size_t n)
{
	if (zn->cmd_nget < ZW_CMD_GETS && n > 0 && n <= sizeof(zn->cmd_get[0])) {
		memcpy(zn->cmd_get[zn->cmd_nget], get, n);
		zn->cmd_getlen[zn->cmd_nget++] = (uint8_t)n;
	}
}

static size_t
mode_set(struct zw_node *zn, const Hd__Value *val, uint8_t *out,
    size_t outlen, const char **why)
{
	static const uint8_t get[] = { ZW_CC_THERMOSTAT_MODE, ZW_CMD_GET };
	int mode = zw_thermo_mode_parse(val->s);

	if (mode == -1) {
		*why = "unknown thermostat mode";
		return 0;
	}
	if (zn->therm_modes != 0 && !(zn->therm_modes & 1u << mode)) {
		*why = "the thermostat does not support this mode";
		return 0;
	}
	zn->cmd_cc = ZW_CC_THERMOSTAT_MODE;
	snprintf(zn->cmd_want_s, sizeof(zn->cmd_want_s), "%s", val->s);
	want_get(zn, get, sizeof(get));
	if ((outlen = zw_cc_thermo_mode_set(out, outlen, (unsigned)mode)) == 0)
		*why = "this mode cannot be set";
	return outlen;
}

static size_t
color_set(struct zw_node *zn, const char *base, const Hd__Value *val,
    uint8_t *out, size_t outlen, const char **why)
{
	uint8_t	comp[3], level[3], get[3];
	size_t	i, n;

	zn->cmd_cc = ZW_CC_COLOR;
	if (strcmp(base, "color") == 0) {
		if (zw_color_parse(val->s, level) == -1) {
			*why = "expects a colour as #rrggbb";
			return 0;
		}
		zw_color_format(level, zn->cmd_want_s);
		for (i = 0; i < 3; i++)
			comp[i] = (uint8_t)(ZW_COLOR_RED + i);
		n = 3;
	} else {
		comp[0] = strcmp(base, white_keys[0]) == 0 ? ZW_COLOR_WARM :
		    ZW_COLOR_COLD;
		level[0] = (uint8_t)val->i;	/* 0..255: checked */
		n = 1;
	}
	for (i = 0; i < n; i++)
		want_get(zn, get, zw_cc_color_get(get, sizeof(get), comp[i]));
	if ((n = zw_cc_color_set(out, outlen, comp, level, n,
	    zw_mgmt_version(zn, ZW_CC_COLOR), ZW_COLOR_DURATION)) == 0)
		*why = "the colour cannot be encoded";
	return n;
}

/*
 * The SET for a value of these classes, checked against what the node
 * said it supports; the command's class, wanted value and confirming
 * GETs set on the node. Its length, or 0 with *why.
 */
size_t
zw_node_class_set(struct zw_node *zn, const char *base, const Hd__Value *val,
    uint8_t *out, size_t outlen, const char **why)
{
	uint8_t	get[3];
	double	d;
	int	type;

	zn->cmd_nget = 0;
	if (strcmp(base, "thermostat_mode") == 0)
		return mode_set(zn, val, out, outlen, why);
	if ((type = zw_setpoint_type(base)) == -1)
		return color_set(zn, base, val, out, outlen, why);
	d = val->v_case == HD__VALUE__V_I ? (double)val->i : val->d;
	zn->cmd_cc = ZW_CC_THERMOSTAT_SETPOINT;
	zn->cmd_want_d = d;
	want_get(zn, get, zw_cc_setpoint_get(get, sizeof(get),
	    (unsigned)type));
	if ((outlen = zw_cc_setpoint_set(out, outlen, (unsigned)type,
	    zn->sp_scale[type], d)) == 0)
		*why = "the setpoint cannot be encoded";
	return outlen;
}
