/*
 * Configuration command class (0x70): pure encoders and decoders
 * (zw_cc_config.c). A parameter's value is 1, 2 or 4 bytes, big-endian,
 * signed unless its Properties Report (version 3+) says unsigned.
 */
#ifndef HD_ZW_CC_CONFIG_H
#define HD_ZW_CC_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "hdlimits.h"	/* ZW_CONFIG_NAME_MAX */

#define ZW_CC_CONFIGURATION	0x70
#define ZW_CONFIG_SET		0x04
#define ZW_CONFIG_GET		0x05
#define ZW_CONFIG_REPORT	0x06
#define ZW_CONFIG_NAME_GET	0x0a
#define ZW_CONFIG_NAME_REPORT	0x0b
#define ZW_CONFIG_PROPS_GET	0x0e
#define ZW_CONFIG_PROPS_REPORT	0x0f

struct zw_config_value {
	uint16_t	param;
	uint8_t		size;		/* 1, 2 or 4 */
	int64_t		value;		/* as signed */
};

struct zw_config_props {
	uint16_t	param, next;
	uint8_t		size;		/* 0: no such parameter */
	uint8_t		format;		/* signed, unsigned, enum, bit field */
	int64_t		min, max, dflt;
};

/* Encoders: the command's length, or 0 if it does not fit. */
size_t	zw_cc_config_get(uint8_t *, size_t, uint8_t param);
size_t	zw_cc_config_set(uint8_t *, size_t, uint8_t param, uint8_t size,
	    int64_t value);
size_t	zw_cc_config_props_get(uint8_t *, size_t, uint16_t param);
size_t	zw_cc_config_name_get(uint8_t *, size_t, uint16_t param);
/* Decoders of a node's report: 0, or -1 when malformed (a size other
 * than 1, 2, 4 (or 0 for Properties), a value past the command). */
int	zw_cc_config_report(const uint8_t *, size_t, struct zw_config_value *);
int	zw_cc_config_props(const uint8_t *, size_t, struct zw_config_props *);
/* Name Report: the parameter, how many reports follow, and the name's
 * bytes (printable ASCII kept, others '?') appended to name[*len] up to
 * ZW_CONFIG_NAME_MAX (name NUL-terminated; size ZW_CONFIG_NAME_MAX + 1). */
int	zw_cc_config_name(const uint8_t *, size_t, uint16_t *param,
	    uint8_t *follow, char *name, size_t *len);
/* Does `v` fit a `size`-byte parameter of this format? */
int	zw_cc_config_fits(int64_t v, uint8_t size, uint8_t format);

#endif
