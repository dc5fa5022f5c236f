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

enum zw_vtype { ZW_V_BOOL, ZW_V_NUM };

/* One decoded value. `key` and `unit` point to static strings. */
struct zw_cc_value {
	const char	*key;
	const char	*unit;		/* "" when none */
	enum zw_vtype	 type;
	int		 b;
	double		 num;
	int		 low_battery;	/* Battery: the node's warning */
};

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
int	zw_cc_notification(const uint8_t *, size_t, struct zw_cc_value *);
int	zw_cc_sensor_binary(const uint8_t *, size_t, struct zw_cc_value *);
/* A scaled integer: `size` (1, 2 or 4) bytes big-endian, signed, then
 * divided by 10^precision. -1 if `size` is not 1, 2 or 4 or n too short. */
int	zw_cc_number(const uint8_t *, size_t n, size_t size, int precision,
	    double *);

#endif
