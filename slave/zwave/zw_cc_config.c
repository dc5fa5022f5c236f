/*
 * Configuration command class (0x70), versions 1 to 4: Get, Set and their
 * Report; Properties and Name (version 3+), which give a parameter's size,
 * format, range, default and name. Pure code: bytes in, bytes out; every
 * read is checked against the command's length first.
 */

#include <string.h>

#include "zwave/zw_cc_config.h"

static int
valid_size(uint8_t s)
{
	return s == 1 || s == 2 || s == 4;
}

/* `size` bytes big-endian at p, as signed or unsigned. */
static int64_t
read_be(const uint8_t *p, uint8_t size, int is_unsigned)
{
	uint32_t	u = 0;
	uint8_t		i;

	for (i = 0; i < size; i++)
		u = u << 8 | p[i];
	if (is_unsigned)
		return (int64_t)u;
	if (size == 1)
		return (int8_t)u;
	if (size == 2)
		return (int16_t)u;
	return (int32_t)u;
}

size_t
zw_cc_config_get(uint8_t *b, size_t n, uint8_t param)
{
	if (n < 3)
		return 0;
	b[0] = ZW_CC_CONFIGURATION;
	b[1] = ZW_CONFIG_GET;
	b[2] = param;
	return 3;
}

size_t
zw_cc_config_set(uint8_t *b, size_t n, uint8_t param, uint8_t size,
    int64_t value)
{
	uint32_t	u = (uint32_t)value;
	uint8_t		i;

	if (!valid_size(size) || n < 4u + size)
		return 0;
	b[0] = ZW_CC_CONFIGURATION;
	b[1] = ZW_CONFIG_SET;
	b[2] = param;
	b[3] = size;		/* "default" bit 0x80 clear */
	for (i = 0; i < size; i++)
		b[4 + i] = (uint8_t)(u >> (8 * (size - 1 - i)));
	return 4u + size;
}

static size_t
get16(uint8_t *b, size_t n, uint8_t cmd, uint16_t param)
{
	if (n < 4)
		return 0;
	b[0] = ZW_CC_CONFIGURATION;
	b[1] = cmd;
	b[2] = (uint8_t)(param >> 8);
	b[3] = (uint8_t)param;
	return 4;
}

size_t
zw_cc_config_props_get(uint8_t *b, size_t n, uint16_t param)
{
	return get16(b, n, ZW_CONFIG_PROPS_GET, param);
}

size_t
zw_cc_config_name_get(uint8_t *b, size_t n, uint16_t param)
{
	return get16(b, n, ZW_CONFIG_NAME_GET, param);
}

/* 70 06 param size value */
int
zw_cc_config_report(const uint8_t *c, size_t len, struct zw_config_value *v)
{
	memset(v, 0, sizeof(*v));
	if (len < 4 || c[0] != ZW_CC_CONFIGURATION ||
	    c[1] != ZW_CONFIG_REPORT || !valid_size(c[3] & 0x07) ||
	    len < 4u + (c[3] & 0x07))
		return -1;
	v->param = c[2];
	v->size = c[3] & 0x07;
	v->value = read_be(c + 4, v->size, 0);
	return 0;
}

/* 70 0F param16 format|size min max default next16 [flags] */
int
zw_cc_config_props(const uint8_t *c, size_t len, struct zw_config_props *p)
{
	uint8_t s;
	int	uns;

	memset(p, 0, sizeof(*p));
	if (len < 5 || c[0] != ZW_CC_CONFIGURATION ||
	    c[1] != ZW_CONFIG_PROPS_REPORT)
		return -1;
	p->param = (uint16_t)(c[2] << 8 | c[3]);
	s = c[4] & 0x07;
	p->format = (c[4] >> 3) & 0x07;
	if (s == 0) {		/* not a parameter: only the next one */
		if (len >= 7)
			p->next = (uint16_t)(c[5] << 8 | c[6]);
		return 0;
	}
	if (!valid_size(s) || p->format > 3 || len < 5u + 3u * s + 2u)
		return -1;
	p->size = s;
	uns = p->format != 0;
	p->min = read_be(c + 5, s, uns);
	p->max = read_be(c + 5 + s, s, uns);
	p->dflt = read_be(c + 5 + 2 * s, s, uns);
	p->next = (uint16_t)(c[5 + 3 * s] << 8 | c[6 + 3 * s]);
	if (p->min > p->max)
		return -1;
	return 0;
}

/* 70 0B param16 follow name... */
int
zw_cc_config_name(const uint8_t *c, size_t len, uint16_t *param,
    uint8_t *follow, char *name, size_t *nlen)
{
	size_t i;

	if (len < 5 || c[0] != ZW_CC_CONFIGURATION ||
	    c[1] != ZW_CONFIG_NAME_REPORT || *nlen > ZW_CONFIG_NAME_MAX)
		return -1;
	*param = (uint16_t)(c[2] << 8 | c[3]);
	*follow = c[4];
	for (i = 5; i < len && *nlen < ZW_CONFIG_NAME_MAX; i++)
		name[(*nlen)++] = c[i] >= 0x20 && c[i] < 0x7f ? (char)c[i] :
		    '?';
	name[*nlen] = '\0';
	return 0;
}

int
zw_cc_config_fits(int64_t v, uint8_t size, uint8_t format)
{
	int64_t lo, hi;

	if (!valid_size(size))
		return 0;
	if (format != 0) {
		lo = 0;
		hi = size == 4 ? 0xffffffffLL : (1LL << (8 * size)) - 1;
	} else {
		hi = (1LL << (8 * size - 1)) - 1;
		lo = -hi - 1;
	}
	return v >= lo && v <= hi;
}
