/*
 * Door Lock command class (0x62): the lock's state as one boolean value,
 * `locked`, and the Operation SET that changes it. A lock that supports
 * the class only securely gets and sends these inside S0 (zw_sec.c);
 * this file only encodes and decodes the inner command.
 *
 * Operation Report: mode, handle modes, door condition, lock timeout
 * minutes and seconds (version 1..3: 5 bytes; version 4 adds the target
 * mode and duration, which are ignored). Modes: 0x00 unsecured, 0x01
 * unsecured with timeout, 0x10/0x11 inside handles unsecured (with
 * timeout), 0x20/0x21 outside handles unsecured (with timeout), 0xFE
 * unknown (bolt not fully retracted or extended), 0xFF secured.
 */

#include <string.h>

#include "zwave/zw_cc.h"

#define LOCK_OPERATION_SET	0x01
#define LOCK_OPERATION_GET	0x02
#define LOCK_OPERATION_REPORT	0x03
#define LOCK_REPORT_MIN		5	/* mode .. timeout seconds */
#define MODE_UNSECURED		0x00
#define MODE_SECURED		0xff
#define MODE_UNKNOWN		0xfe

static int
mode_known(uint8_t m)
{
	switch (m) {
	case 0x00: case 0x01: case 0x10: case 0x11: case 0x20: case 0x21:
	case MODE_SECURED:
		return 1;
	default:
		return 0;
	}
}

int
zw_cc_door_lock(const uint8_t *cmd, size_t len, struct zw_cc_value *v)
{
	if (len < 2 || cmd[0] != ZW_CC_DOOR_LOCK ||
	    cmd[1] != LOCK_OPERATION_REPORT)
		return 0;		/* configuration, capabilities: none */
	if (len < 2 + LOCK_REPORT_MIN)
		return -1;
	if (cmd[2] == MODE_UNKNOWN)
		return 0;
	if (!mode_known(cmd[2]))
		return -1;
	memset(v, 0, sizeof(*v));
	v->key = "locked";
	v->unit = "";
	v->type = ZW_V_BOOL;
	/* Any handle that can open the door means it is not locked. */
	v->b = cmd[2] == MODE_SECURED;
	return 1;
}

size_t
zw_cc_lock_set(uint8_t *out, size_t outlen, int locked)
{
	if (outlen < 3)
		return 0;
	out[0] = ZW_CC_DOOR_LOCK;
	out[1] = LOCK_OPERATION_SET;
	out[2] = locked ? MODE_SECURED : MODE_UNSECURED;
	return 3;
}
