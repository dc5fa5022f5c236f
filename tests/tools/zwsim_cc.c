/*
 * hd-zwsim's thermostat and colour light classes, for any node whose
 * classes list them: Thermostat Mode (0x40: off, heat, cool, auto),
 * Operating State (0x42), Setpoint (0x43 version 3: heating and cooling,
 * 5..30 °C, kept in half degrees, as many thermostats round), Color Switch (0x33: warm
 * white, red, green, blue; version 2, a Set's duration read). Control
 * lines: `tmode N M` (turned by hand to mode M), `tstate N S`, `setpoint
 * N TYPE TENTHS` (turned by hand), `fahrenheit N 1` (reports in °F),
 * `nosetsup N 1` (its Setpoint Supported Report lists nothing: the host
 * must ask the types its modes use), `color N C V` (component C changed
 * by hand).
 */

#include <stdio.h>
#include <string.h>

#include "zwsim.h"

#define MODES_SUPPORTED		0x0f	/* off, heat, cool, auto */
#define SETPOINTS_SUPPORTED	0x06	/* bit 1 heating, 2 cooling */
#define COLORS_SUPPORTED	0x1d	/* warm white, red, green, blue */

static int
has(const struct simnode *n, uint8_t cc)
{
	return memchr(n->cc, cc, sizeof(n->cc)) != NULL;
}

static void
mode_report(const struct simnode *n)
{
	uint8_t r[3] = { 0x40, 0x03, n->tmode };

	zwsim_send(n->id, r, sizeof(r));
}

/* Setpoint Report of type t: precision 1, 2 bytes, in °C or °F. */
static void
setpoint_report(const struct simnode *n, uint8_t t)
{
	int	v = n->setpoint[t & 0x0f];
	uint8_t	r[6] = { 0x43, 0x03, t, (uint8_t)(0x22 |
	    (n->fahrenheit ? 0x08 : 0)) };

	if (n->fahrenheit)
		v = v * 9 / 5 + 320;
	r[4] = (uint8_t)((uint16_t)v >> 8);
	r[5] = (uint8_t)(v & 0xff);
	zwsim_send(n->id, r, sizeof(r));
}

static void
color_report(const struct simnode *n, uint8_t comp)
{
	uint8_t r[4] = { 0x33, 0x04, comp, n->color[comp % 9] };

	zwsim_send(n->id, r, sizeof(r));
}

/* A Setpoint Set's value in tenths of °C, kept to half degrees. */
static int
setpoint_set(struct simnode *n, const uint8_t *c, size_t len)
{
	int	size = c[3] & 7, prec = c[3] >> 5 & 7;
	long	v;

	if (len < 4u + (size_t)size || (size != 1 && size != 2 && size != 4))
		return -1;
	if (size == 1)
		v = (int8_t)c[4];
	else if (size == 2)
		v = (int16_t)(c[4] << 8 | c[5]);
	else
		v = (int32_t)((uint32_t)c[4] << 24 | (uint32_t)c[5] << 16 |
		    (uint32_t)c[6] << 8 | c[7]);
	if (prec == 0)
		v *= 10;
	for (; prec > 1; prec--)
		v /= 10;
	if (c[3] & 0x08)			/* °F */
		v = (v - 320) * 5 / 9;
	v = (v + (v >= 0 ? 2 : -2)) / 5 * 5;	/* to half degrees */
	n->setpoint[c[2] & 0x0f] = (int16_t)v;
	fprintf(stderr, "zwsim: node %d: setpoint %u set to %s%ld.%ld\n",
	    n->id, c[2] & 0x0f, v < 0 ? "-" : "", (v < 0 ? -v : v) / 10,
	    (v < 0 ? -v : v) % 10);
	return 0;
}

int
zwsim_cc_command(struct simnode *n, const uint8_t *c, size_t len)
{
	uint8_t	r[8] = { c[0] };
	size_t	i;

	if (len < 2 || (c[0] != 0x40 && c[0] != 0x42 && c[0] != 0x43 &&
	    c[0] != 0x33) || !has(n, c[0]))
		return 0;
	switch (c[0] << 8 | c[1]) {
	case 0x4001:				/* Mode Set */
		if (len >= 3 && ((MODES_SUPPORTED >> (c[2] & 0x1f)) & 1))
			n->tmode = c[2] & 0x1f;
		fprintf(stderr, "zwsim: node %d: mode %u\n", n->id, n->tmode);
		break;
	case 0x4002:
		mode_report(n);
		break;
	case 0x4004:
		r[1] = 0x05; r[2] = MODES_SUPPORTED;
		zwsim_send(n->id, r, 3);
		break;
	case 0x4202:
		r[1] = 0x03; r[2] = n->tstate;
		zwsim_send(n->id, r, 3);
		break;
	case 0x4301:
		if (len >= 5)
			setpoint_set(n, c, len);
		break;
	case 0x4302:
		if (len >= 3 && ((SETPOINTS_SUPPORTED >> (c[2] & 0x0f)) & 1))
			setpoint_report(n, c[2]);
		break;
	case 0x4309:				/* Capabilities: 5..30 °C */
		if (len >= 3 && ((SETPOINTS_SUPPORTED >> (c[2] & 0x0f)) & 1)) {
			uint8_t caps[9] = { 0x43, 0x0a, c[2], 0x09, 5, 0x09,
			    30 };

			if (n->fahrenheit) {	/* 41..86 °F */
				caps[3] = caps[5] = 0x09;
				caps[4] = 41;
				caps[6] = 86;
			} else
				caps[3] = caps[5] = 0x01;
			zwsim_send(n->id, caps, 7);
		}
		break;
	case 0x4304:
		r[1] = 0x05; r[2] = n->nosetsup ? 0 : SETPOINTS_SUPPORTED;
		zwsim_send(n->id, r, 3);
		break;
	case 0x3301:
		r[1] = 0x02; r[2] = COLORS_SUPPORTED; r[3] = 0;
		zwsim_send(n->id, r, 4);
		break;
	case 0x3303:
		if (len >= 3 && c[2] < 9 && ((COLORS_SUPPORTED >> c[2]) & 1))
			color_report(n, c[2]);
		break;
	case 0x3305:
		for (i = 0; len >= 3 && i < (size_t)(c[2] & 0x1f) &&
		    4 + 2 * i < len; i++)
			if (c[3 + 2 * i] < 9)
				n->color[c[3 + 2 * i]] = c[4 + 2 * i];
		fprintf(stderr, "zwsim: node %d: colour set, %u components, "
		    "duration %s\n", n->id, c[2] & 0x1f,
		    len == 4 + 2 * (size_t)(c[2] & 0x1f) ? "given" : "none");
		break;
	default:
		break;
	}
	return 1;
}

int
zwsim_cc_control(struct simnode *n, const char *word, const char *line)
{
	int a = 0, b = 0;

	sscanf(line, "%*s %*d %d %d", &a, &b);
	if (strcmp(word, "tmode") == 0) {
		n->tmode = (uint8_t)a;
		mode_report(n);
	} else if (strcmp(word, "tstate") == 0) {
		uint8_t r[3] = { 0x42, 0x03, (uint8_t)a };

		n->tstate = (uint8_t)a;
		zwsim_send(n->id, r, sizeof(r));
	} else if (strcmp(word, "setpoint") == 0) {
		n->setpoint[a & 0x0f] = (int16_t)b;
		setpoint_report(n, (uint8_t)(a & 0x0f));
	} else if (strcmp(word, "fahrenheit") == 0)
		n->fahrenheit = a != 0;
	else if (strcmp(word, "nosetsup") == 0)
		n->nosetsup = a != 0;
	else if (strcmp(word, "color") == 0 && a >= 0 && a < 9) {
		n->color[a] = (uint8_t)b;
		color_report(n, (uint8_t)a);
	} else
		return 0;
	return 1;
}
