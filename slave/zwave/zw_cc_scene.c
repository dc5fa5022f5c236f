/*
 * Central Scene (0x5B): a button's press, hold or release, as a node
 * sends it. Pure code: the Notification decoded, and the value the press
 * becomes (zw_node.c reports it as `scene_N`).
 */

#include <string.h>

#include "zwave/zw_cc.h"

/* 5B 03 seq attr scene: attr's low 3 bits the key attribute, 0x80 "slow
 * refresh" (a held key repeated every 55 s, not every 200 ms). */
int
zw_cc_scene_decode(const uint8_t *c, size_t len, struct zw_scene *s)
{
	memset(s, 0, sizeof(*s));
	if (len < 5 || c[0] != ZW_CC_CENTRAL_SCENE ||
	    c[1] != ZW_SCENE_NOTIFICATION || (c[3] & 0x07) > ZW_SCENE_5X ||
	    c[4] == 0)
		return -1;
	s->seq = c[2];
	s->attr = c[3] & 0x07;
	s->slow_refresh = (c[3] & 0x80) != 0;
	s->scene = c[4];
	return 0;
}

/*
 * The value a key attribute becomes: the number of presses (1 to 5),
 * -1 while held down, 0 released. A press is reported, then 0 at once:
 * the same press again is a change again, which a scheduler trigger
 * (`changes to 2`) sees each time.
 */
int
zw_cc_scene_value(uint8_t attr)
{
	switch (attr) {
	case ZW_SCENE_PRESSED:
		return 1;
	case ZW_SCENE_HELD:
		return -1;
	case ZW_SCENE_RELEASED:
		return 0;
	default:
		return attr - ZW_SCENE_2X + 2;	/* 3..6: 2..5 presses */
	}
}
