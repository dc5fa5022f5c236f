#ifndef HD_ZWNVM_H
#define HD_ZWNVM_H

/*
 * A Z-Wave controller's NVM backup as a file (docs/ZWAVE.md, "Controller
 * backup"): a fixed ZWNVM_HDR_LEN-byte header, then the stick's NVM
 * bytes as it gave them. The slave writes it (STATE_DIR/zwave.nvm), the
 * master keeps a copy for the API, and an operator may upload one back:
 * both read it as outside input (zwnvm_parse, fuzz_zw_nvm).
 *
 * Header, big-endian:
 *	 0  magic "hdzwnvm\0"		 8
 *	 8  format (ZWNVM_FORMAT)	 2
 *	10  api: 0x2e or 0x3d		 1	the Serial API that read it
 *	11  chip type, chip version	 2	(GetInitData)
 *	13  firmware major, minor	 2	(GetCapabilities)
 *	15  the controller's node id	 1
 *	16  library, NUL-padded		16	(GetVersion: "Z-Wave 7.18")
 *	32  manufacturer, product type, product id	6
 *	38  reserved, zero		 2
 *	40  home id			 4
 *	44  NVM size			 4	bytes after the header
 *	48  time of the backup		 8	wall ms
 *	56  reserved, zero		 8
 *	64  SHA-256			32	of bytes 0..63 and the NVM bytes
 */

#include <stddef.h>
#include <stdint.h>

#include "hdlimits.h"

#define ZWNVM_HDR_LEN		96
#define ZWNVM_FORMAT		1
#define ZWNVM_LIB_MAX		15	/* the library string's bytes */
#define ZWNVM_FILE_MAX		(ZWNVM_HDR_LEN + ZW_NVM_MAX)
#define ZWNVM_API_OPS		0x2e	/* NVM backup/restore, 16-bit */
#define ZWNVM_API_EXT		0x3d	/* extended, 32-bit addresses */

struct zwnvm_meta {
	uint16_t	format;
	uint8_t		api;
	uint8_t		chip_type, chip_version;
	uint8_t		app_major, app_minor;
	uint8_t		own_id;
	char		library[ZWNVM_LIB_MAX + 1];
	uint16_t	manufacturer, product_type, product_id;
	uint32_t	home_id;
	uint32_t	size;		/* NVM bytes */
	uint64_t	time_ms;
	uint8_t		sha256[32];
};

/* Fill `hdr` from `m` (its size and SHA-256 set here from the `n` NVM
 * bytes); 0, or -1 if n is 0 or past ZW_NVM_MAX. */
int		 zwnvm_encode(uint8_t hdr[ZWNVM_HDR_LEN], struct zwnvm_meta *m,
		    const uint8_t *nvm, size_t n);
/*
 * Check a whole file (header and NVM bytes, `len` in all) and fill `m`:
 * 0, or -1 with `why` (a sentence for the user: not a backup, a newer
 * format, a size that does not add up, a wrong checksum).
 */
int		 zwnvm_parse(const uint8_t *file, size_t len,
		    struct zwnvm_meta *m, const char **why);
/* 64 hex digits and a NUL. */
void		 zwnvm_hex(const uint8_t sha[32], char out[65]);
/* "500 series" ... for a chip type of GetInitData; "chip 0xNN" else
 * (written into `buf`, which the answer may point to). */
const char	*zwnvm_chip_name(uint8_t chip_type, char *buf, size_t size);
/* The library's major version ("Z-Wave 7.18": 7), or -1. */
int		 zwnvm_lib_major(const char *library);

#endif
