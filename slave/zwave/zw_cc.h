/*
 * Z-Wave command classes: pure encoders and decoders, no state and no I/O.
 * A decoder turns one received command (class, command, parameters: the
 * bytes ApplicationCommandHandler carries) into device values; an encoder
 * writes one command into a caller's buffer. Every read is checked
 * against the bytes left; names and units are static strings.
 */
#ifndef HD_ZW_CC_H
#define HD_ZW_CC_H

#include <stddef.h>
#include <stdint.h>

#include "hdlimits.h"

#define ZW_CC_BASIC		0x20
#define ZW_CC_SWITCH_BINARY	0x25
#define ZW_CC_SWITCH_MULTILEVEL	0x26
#define ZW_CC_SENSOR_BINARY	0x30
#define ZW_CC_SENSOR_MULTILEVEL	0x31
#define ZW_CC_METER		0x32
#define ZW_CC_COLOR		0x33	/* Color Switch */
#define ZW_CC_THERMOSTAT_MODE	0x40
#define ZW_CC_THERMOSTAT_STATE	0x42	/* Thermostat Operating State */
#define ZW_CC_THERMOSTAT_SETPOINT 0x43
#define ZW_CC_CENTRAL_SCENE	0x5b
#define ZW_CC_ZWAVEPLUS_INFO	0x5e
#define ZW_CC_DOOR_LOCK		0x62
#define ZW_CC_NOTIFICATION	0x71
#define ZW_CC_MANUFACTURER	0x72
#define ZW_CC_BATTERY		0x80
#define ZW_CC_VERSION		0x86

/* Commands shared by several classes. */
#define ZW_CMD_SET		0x01
#define ZW_CMD_GET		0x02
#define ZW_CMD_REPORT		0x03

#define ZW_LEVEL_MAX		99	/* Multilevel Switch: 0..99 % */
#define ZW_LEVEL_ON		0xff	/* "on at the last level" */
#define ZW_VALUE_UNKNOWN	0xfe	/* a state the node does not know */

enum zw_vtype { ZW_V_BOOL, ZW_V_NUM, ZW_V_STR };

/* One decoded value. `key`, `unit` and `s` point to static strings. */
struct zw_cc_value {
	const char	*key;
	const char	*unit;		/* "" when none */
	enum zw_vtype	 type;
	int		 b;
	double		 num;
	const char	*s;		/* ZW_V_STR */
	int		 low_battery;	/* Battery: the node's warning */
	/* A value commands may set (a thermostat's mode and setpoints),
	 * its range when min < max; the scale it came in (setpoints). */
	int		 writable;
	double		 min, max;
	unsigned	 scale;
};

/* Thermostat Setpoint: the range a command may ask, by scale (a node
 * keeps its own narrower range; the confirmation then fails). */
#define ZW_SETPOINT_MIN_C	-40
#define ZW_SETPOINT_MAX_C	100
#define ZW_SETPOINT_MIN_F	-40
#define ZW_SETPOINT_MAX_F	212
/* A setpoint report this close to the value asked confirms it: a node
 * rounds to its own step (0.5 °C is common). */
#define ZW_SETPOINT_TOLERANCE	0.5
/* Color Switch: components 0..8 (warm and cold white, red, green, blue,
 * amber, cyan, purple, indexed); "#rrggbb" and its NUL. */
#define ZW_COLOR_COMPONENTS	9
#define ZW_COLOR_WARM		0
#define ZW_COLOR_COLD		1
#define ZW_COLOR_RED		2
#define ZW_COLOR_STR		8
/* The duration of a Color Set (version 2+): 0, at once, so that the
 * confirming GET sees the colour asked for. */
#define ZW_COLOR_DURATION	0

/* Identity reports, for the interview. */
struct zw_cc_info {
	int		have_version, have_manufacturer, have_plus;
	uint8_t		library, protocol[2], app[2];	/* Version */
	uint16_t	manufacturer, product_type, product_id;
	uint8_t		plus_version, role, node_type;	/* Z-Wave Plus */
	uint16_t	installer_icon, user_icon;
};

/* zw_cc.c */
/*
 * Decode one command into at most `max` values: their number (0 for a
 * command that carries none, or one we do not handle), -1 if malformed.
 */
int	zw_cc_decode(const uint8_t *cmd, size_t len, struct zw_cc_value *out,
	    size_t max);
/* Version, Manufacturer Specific, Z-Wave Plus Info reports: 1 if `info`
 * was filled in, 0 if `cmd` is none of them, -1 if malformed. */
int	zw_cc_decode_info(const uint8_t *cmd, size_t len, struct zw_cc_info *);
/* Is `cc` a class whose state zw_cc_decode() turns into values? */
int	zw_cc_has_values(uint8_t cc);
/*
 * Encoders: the command's length, or 0 if `outlen` is too small or an
 * argument is out of range.
 */
size_t	zw_cc_get(uint8_t *out, size_t outlen, uint8_t cc);
size_t	zw_cc_set_binary(uint8_t *out, size_t outlen, uint8_t cc, int on);
size_t	zw_cc_set_level(uint8_t *out, size_t outlen, int level);
/* zw_cc_lock.c: Door Lock; the report as `locked` */
int	zw_cc_door_lock(const uint8_t *, size_t, struct zw_cc_value *);
size_t	zw_cc_lock_set(uint8_t *out, size_t outlen, int locked);

/* zw_cc_sensor.c: multilevel sensors, meters, notifications */
int	zw_cc_sensor_multilevel(const uint8_t *, size_t, struct zw_cc_value *);
int	zw_cc_meter(const uint8_t *, size_t, struct zw_cc_value *);
/* zw_cc_poll.c: Sensor Multilevel Supported Sensor Get (0x31 0x01),
 * Meter Supported Get (0x32 0x03), Thermostat Mode and Setpoint Supported
 * Get (0x40/0x43 0x04), Color Switch Supported Get (0x33 0x01), for
 * `cc`; 0 for another class. */
size_t	zw_cc_supported_get(uint8_t *out, size_t outlen, uint8_t cc);
/* Their reports: the GETs to send (Sensor Multilevel Get of a type,
 * Meter Get of a scale and rate type, Setpoint Get of a type, Color Get
 * of a component; zw_cc_supported_len() bytes each), at most `max`; how
 * many, 0 if `cmd` is none of these reports (Thermostat Mode's starts no
 * GET), -1 if malformed. */
int	zw_cc_supported(const uint8_t *cmd, size_t len, uint8_t gets[][4],
	    size_t max);
size_t	zw_cc_supported_len(const uint8_t get[4]);
int	zw_cc_notification(const uint8_t *, size_t, struct zw_cc_value *);
int	zw_cc_sensor_binary(const uint8_t *, size_t, struct zw_cc_value *);
/* A scaled integer: `size` (1, 2 or 4) bytes big-endian, signed, then
 * divided by 10^precision. -1 if `size` is not 1, 2 or 4 or n too short. */
int	zw_cc_number(const uint8_t *, size_t n, size_t size, int precision,
	    double *);

/* zw_cc_thermo.c: Thermostat Mode, Operating State, Setpoint reports as
 * `thermostat_mode` and `thermostat_state` (names) and `setpoint_TYPE`
 * (°C/°F); 1, 0 (not a report), -1 malformed. */
int	zw_cc_thermo_mode(const uint8_t *, size_t, struct zw_cc_value *);
int	zw_cc_thermo_state(const uint8_t *, size_t, struct zw_cc_value *);
int	zw_cc_setpoint(const uint8_t *, size_t, struct zw_cc_value *);
/* Mode or Setpoint Supported Report: bit n of *mask, mode or type n. */
int	zw_cc_thermo_supported(const uint8_t *, size_t, uint32_t *mask);
const char *zw_thermo_mode_name(unsigned mode);	/* NULL: none */
int	zw_thermo_mode_parse(const char *);		/* -1: no such mode */
uint32_t zw_thermo_mode_setpoints(unsigned mode);	/* types it uses */
const char *zw_setpoint_key(unsigned type);		/* NULL: none */
int	zw_setpoint_type(const char *key);		/* -1: not one */
size_t	zw_cc_thermo_mode_set(uint8_t *out, size_t outlen, unsigned mode);
size_t	zw_cc_setpoint_get(uint8_t *out, size_t outlen, unsigned type);
size_t	zw_cc_setpoint_set(uint8_t *out, size_t outlen, unsigned type,
	    unsigned scale, double value);
/* Setpoint Capabilities (version 3): Get, and its Report's range. */
size_t	zw_cc_setpoint_caps_get(uint8_t *out, size_t outlen, unsigned type);
int	zw_cc_setpoint_caps(const uint8_t *, size_t, unsigned *type,
	    unsigned *scale, double *min, double *max);

/* zw_cc_color.c: Color Switch */
int	zw_cc_color_supported(const uint8_t *, size_t, uint16_t *mask);
int	zw_cc_color_report(const uint8_t *, size_t, uint8_t *comp,
	    uint8_t *value);
size_t	zw_cc_color_get(uint8_t *out, size_t outlen, uint8_t comp);
size_t	zw_cc_color_set(uint8_t *out, size_t outlen, const uint8_t *comp,
	    const uint8_t *value, size_t n, int version, uint8_t duration);
int	zw_color_parse(const char *, uint8_t rgb[3]);
void	zw_color_format(const uint8_t rgb[3], char out[ZW_COLOR_STR]);

/* A Multilevel Switch Report as a ramp (zw_cc.c). */
struct zw_ramp {
	int		current;	/* 0..99 */
	int		have_target;	/* version 4: target and duration */
	int		target;		/* 0..99 */
	long long	duration_ms;	/* to the target; -1 unknown */
};
int	zw_cc_level_ramp(const uint8_t *cmd, size_t len, struct zw_ramp *);

/* --- network management classes (zw_cc_mgmt.c, zw_cc_mc.c,
 * zw_cc_supervision.c): each decoder returns 1 when `out` was filled,
 * 0 when `cmd` is not one of its commands, -1 if malformed --------- */

#define ZW_CC_TRANSPORT		0x55	/* Transport Service: zw_transport*.c */
#define ZW_CC_CRC16		0x56
#define ZW_CC_MULTI_CHANNEL	0x60
#define ZW_CC_SUPERVISION	0x6c
#define ZW_CC_WAKE_UP		0x84
#define ZW_CC_ASSOCIATION	0x85
#define ZW_CC_MC_ASSOCIATION	0x8e	/* Multi Channel Association */
#define ZW_CC_AGI		0x59	/* Association Group Info */
#define ZW_CC_MULTI_CMD		0x8f

#define ZW_WAKEUP_MAX_S		0xffffff	/* 24-bit seconds */
#define ZW_WAKEUP_MIN_S		30		/* `zwave wakeup-interval` floor */
#define ZW_LIFELINE		1		/* association group 1 */

enum zw_wakeup_kind {
	ZW_WU_NOTIFICATION = 1,		/* the node is awake now */
	ZW_WU_INTERVAL,			/* Interval Report */
	ZW_WU_CAPABILITIES,		/* Interval Capabilities Report */
};

struct zw_wakeup {
	enum zw_wakeup_kind	kind;
	uint32_t		interval;	/* s; INTERVAL */
	uint8_t			node;		/* notified node; INTERVAL */
	uint32_t		min, max, dflt, step;	/* CAPABILITIES */
};

struct zw_assoc {
	uint8_t		group, max, follow;
	uint8_t		nodes[ZW_MAX_ASSOC_NODES];
	size_t		n;
	/* Multi Channel Association only: (node, endpoint) destinations */
	uint8_t		ep_node[ZW_MAX_ASSOC_NODES], ep[ZW_MAX_ASSOC_NODES];
	size_t		nep;
};

enum zw_mc_kind {
	ZW_MC_ENCAP = 1,		/* an endpoint's command inside */
	ZW_MC_ENDPOINTS,		/* End Point Report */
	ZW_MC_CAPABILITY,		/* Capability Report */
};

struct zw_mc {
	enum zw_mc_kind	 kind;
	uint8_t		 src, dst;		/* ENCAP: endpoints */
	const uint8_t	*inner;			/* ENCAP: borrowed from cmd */
	size_t		 ninner;
	uint8_t		 count, dynamic, identical;	/* ENDPOINTS */
	uint8_t		 ep, generic, specific;	/* CAPABILITY */
	uint8_t		 cc[ZW_MAX_NODE_CCS];
	size_t		 ncc;
};

#define ZW_SV_NO_SUPPORT	0x00	/* Supervision Report statuses */
#define ZW_SV_WORKING		0x01
#define ZW_SV_FAIL		0x02
#define ZW_SV_SUCCESS		0xff
#define ZW_SV_SESSION_MAX	0x3f	/* 6-bit session id */

struct zw_supervision {
	int		 get;		/* 1 Get (inner command), 0 Report */
	uint8_t		 session;
	int		 flag;		/* Get: status updates; Report: more */
	uint8_t		 status, duration;	/* Report */
	const uint8_t	*inner;		/* Get: borrowed from cmd */
	size_t		 ninner;
};

/* Multi Command: the commands, borrowed from the frame. */
struct zw_multi {
	const uint8_t	*cmd[ZW_MULTI_CMD_MAX];
	size_t		 len[ZW_MULTI_CMD_MAX];
	size_t		 n;
};

struct zw_crc16 {
	const uint8_t	*inner;		/* borrowed from the frame */
	size_t		 ninner;
	int		 crc_ok;	/* the checksum matched */
};

/* zw_cc_mgmt.c */
size_t	zw_cc_wakeup_interval_set(uint8_t *out, size_t outlen,
	    uint32_t seconds, uint8_t node);
size_t	zw_cc_wakeup_interval_get(uint8_t *out, size_t outlen);
size_t	zw_cc_wakeup_no_more(uint8_t *out, size_t outlen);
int	zw_cc_decode_wakeup(const uint8_t *cmd, size_t len, struct zw_wakeup *);
size_t	zw_cc_assoc_set(uint8_t *out, size_t outlen, uint8_t group,
	    uint8_t node);
size_t	zw_cc_assoc_get(uint8_t *out, size_t outlen, uint8_t group);
size_t	zw_cc_assoc_remove(uint8_t *out, size_t outlen, uint8_t group,
	    uint8_t node);
size_t	zw_cc_assoc_groupings_get(uint8_t *out, size_t outlen);
int	zw_cc_decode_groupings(const uint8_t *cmd, size_t len,
	    uint8_t *groups);
size_t	zw_cc_agi_name_get(uint8_t *out, size_t outlen, uint8_t group);
/* `name`: ZW_CONFIG_NAME_MAX + 1 bytes. */
int	zw_cc_decode_agi_name(const uint8_t *cmd, size_t len, uint8_t *group,
	    char *name);
/* Association Report (0x85) or Multi Channel Association Report (0x8e). */
int	zw_cc_decode_assoc(const uint8_t *cmd, size_t len, struct zw_assoc *);
/* Multi Channel Association Set of `group` to (node, endpoint), and Get. */
size_t	zw_cc_mca_set(uint8_t *out, size_t outlen, uint8_t group,
	    uint8_t node, uint8_t ep);
size_t	zw_cc_mca_get(uint8_t *out, size_t outlen, uint8_t group);
/* Version Command Class Get/Report: the version of one class. */
size_t	zw_cc_version_cc_get(uint8_t *out, size_t outlen, uint8_t cc);
int	zw_cc_decode_cc_version(const uint8_t *cmd, size_t len, uint8_t *cc,
	    uint8_t *version);

/* zw_cc_mc.c */
size_t	zw_cc_mc_encap(uint8_t *out, size_t outlen, uint8_t src, uint8_t dst,
	    const uint8_t *inner, size_t n);
size_t	zw_cc_mc_endpoints_get(uint8_t *out, size_t outlen);
size_t	zw_cc_mc_capability_get(uint8_t *out, size_t outlen, uint8_t ep);
int	zw_cc_decode_mc(const uint8_t *cmd, size_t len, struct zw_mc *);

/* zw_cc_supervision.c */
size_t	zw_cc_supervision_get(uint8_t *out, size_t outlen, uint8_t session,
	    int updates, const uint8_t *inner, size_t n);
size_t	zw_cc_supervision_report(uint8_t *out, size_t outlen,
	    uint8_t session, uint8_t status, uint8_t duration);
int	zw_cc_decode_supervision(const uint8_t *cmd, size_t len,
	    struct zw_supervision *);

/* zw_cc_encap.c */
uint16_t zw_crc16(const uint8_t *, size_t);
int	zw_cc_decode_multi(const uint8_t *cmd, size_t len, struct zw_multi *);
size_t	zw_cc_multi_encap(uint8_t *out, size_t outlen,
	    const uint8_t *const *cmds, const size_t *lens, size_t n);
int	zw_cc_decode_crc16(const uint8_t *cmd, size_t len, struct zw_crc16 *);
size_t	zw_cc_crc16_encap(uint8_t *out, size_t outlen, const uint8_t *inner,
	    size_t n);

/* zw_cc_scene.c: Central Scene Notification (5B 03 seq attr scene) */
#define ZW_SCENE_NOTIFICATION	0x03
#define ZW_SCENE_PRESSED	0	/* key attributes */
#define ZW_SCENE_RELEASED	1
#define ZW_SCENE_HELD		2
#define ZW_SCENE_2X		3
#define ZW_SCENE_5X		6
struct zw_scene {
	uint8_t	seq, attr, scene;
	int	slow_refresh;
};
/* 0, or -1 when malformed (short, an unknown attribute, scene 0). */
int	zw_cc_scene_decode(const uint8_t *, size_t, struct zw_scene *);
/* Presses 1..5, -1 held, 0 released. */
int	zw_cc_scene_value(uint8_t attr);

#endif
