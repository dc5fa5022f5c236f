/*
 * Color Switch (0x33): pure encoders and decoders. A colour light has
 * components (0 warm white, 1 cold white, 2 red, 3 green, 4 blue, 5
 * amber, 6 cyan, 7 purple, 8 indexed colour), each a level 0..255:
 *
 *	33 01 / 33 02 MASK MASK	Supported Get / Report (bit n: component n)
 *	33 03 C / 33 04 C V [T D]	Get / Report (version 3: target and
 *				duration follow)
 *	33 05 N (C V)*N [D]	Set of N components (bits 0-4), the
 *				duration from version 2
 *
 * The node layer shows red, green and blue as one value `color`
 * ("#rrggbb", what an <input type=color> and a schedule can use) and
 * the whites as `white_warm`, `white_cold` (0..255).
 */

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "zwave/zw_cc.h"

#define COLOR_SUPPORTED_GET	0x01
#define COLOR_SUPPORTED_REPORT	0x02
#define COLOR_GET		0x03
#define COLOR_REPORT		0x04
#define COLOR_SET		0x05
#define COLOR_COUNT_MASK	0x1f

int
zw_cc_color_supported(const uint8_t *cmd, size_t len, uint16_t *mask)
{
	if (len < 2 || cmd[0] != ZW_CC_COLOR ||
	    cmd[1] != COLOR_SUPPORTED_REPORT)
		return 0;
	if (len < 4)
		return -1;
	*mask = (uint16_t)(cmd[2] | cmd[3] << 8);
	return 1;
}

int
zw_cc_color_report(const uint8_t *cmd, size_t len, uint8_t *comp,
    uint8_t *value)
{
	if (len < 2 || cmd[0] != ZW_CC_COLOR || cmd[1] != COLOR_REPORT)
		return 0;
	if (len < 4 || cmd[2] >= ZW_COLOR_COMPONENTS)
		return -1;
	*comp = cmd[2];
	*value = cmd[3];
	return 1;
}

size_t
zw_cc_color_get(uint8_t *out, size_t outlen, uint8_t comp)
{
	if (outlen < 3 || comp >= ZW_COLOR_COMPONENTS)
		return 0;
	out[0] = ZW_CC_COLOR;
	out[1] = COLOR_GET;
	out[2] = comp;
	return 3;
}

/* Set of `n` components; `duration` (the Multilevel Switch's encoding)
 * sent when `version` is 2 or more. */
size_t
zw_cc_color_set(uint8_t *out, size_t outlen, const uint8_t *comp,
    const uint8_t *value, size_t n, int version, uint8_t duration)
{
	size_t i, need = 3 + 2 * n + (version >= 2);

	if (n == 0 || n > ZW_COLOR_COMPONENTS || outlen < need)
		return 0;
	out[0] = ZW_CC_COLOR;
	out[1] = COLOR_SET;
	out[2] = (uint8_t)(n & COLOR_COUNT_MASK);
	for (i = 0; i < n; i++) {
		if (comp[i] >= ZW_COLOR_COMPONENTS)
			return 0;
		out[3 + 2 * i] = comp[i];
		out[4 + 2 * i] = value[i];
	}
	if (version >= 2)
		out[3 + 2 * n] = duration;
	return need;
}

static int
hexval(int ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	ch = tolower(ch);
	return ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 : -1;
}

/* "#rrggbb" (either case) into red, green, blue; -1 if it is not. */
int
zw_color_parse(const char *s, uint8_t rgb[3])
{
	int i, hi, lo;

	if (s == NULL || strlen(s) != 7 || s[0] != '#')
		return -1;
	for (i = 0; i < 3; i++) {
		if ((hi = hexval((unsigned char)s[1 + 2 * i])) == -1 ||
		    (lo = hexval((unsigned char)s[2 + 2 * i])) == -1)
			return -1;
		rgb[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

void
zw_color_format(const uint8_t rgb[3], char out[ZW_COLOR_STR])
{
	snprintf(out, ZW_COLOR_STR, "#%02x%02x%02x", rgb[0], rgb[1], rgb[2]);
}
