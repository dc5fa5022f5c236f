/*
 * The controller's NVM backup and restore (zw_nvm.c; docs/ZWAVE.md,
 * "Controller backup (NVM)"), asked by the master with ZwNvm and
 * answered with ZwNvmStatus:
 *
 *	BACKUP	open, read in ZW_NVM_CHUNK pieces (paced: the network's
 *		commands and reports go between them), close; the image
 *		checked (size, each read's offset and length) and kept in
 *		STATE_DIR/zwave.nvm (0600, crash-safe, shared/zwnvm.h)
 *	RESTORE	an image checked against the stick (chip, Serial API,
 *		library, size), written in chunks, read back and compared,
 *		then the stick soft-reset and the node list read again;
 *		meanwhile commands to nodes answer BUSY
 *
 * Two Serial API functions do it, chosen from the stick's supported
 * functions (GetCapabilities): 0x3D (extended, 32-bit addresses, 700/800
 * series) when it has it, else 0x2E (16-bit addresses; 500 series, older
 * 700 firmware). Both have the sub-commands open, read, write, close;
 * the answer is a status, a length, the address (the NVM's size for
 * open) and the data.
 */
#ifndef HD_ZW_NVM_H
#define HD_ZW_NVM_H

#include <stddef.h>
#include <stdint.h>

#include "ev.h"
#include "zwnvm.h"

#define ZW_NVM_OPEN		0x00	/* sub-commands */
#define ZW_NVM_READ		0x01
#define ZW_NVM_WRITE		0x02
#define ZW_NVM_CLOSE		0x03
#define ZW_NVM_ST_OK		0x00	/* statuses */
#define ZW_NVM_ST_EOF		0xff	/* the last bytes: end of the NVM */

/* One answer, parsed: `data` borrowed from the frame. */
struct zw_nvm_res {
	uint8_t		 status;
	uint32_t	 addr;		/* open: the NVM's size */
	const uint8_t	*data;
	size_t		 len;
};

/* zw_nvm_fmt.c: pure */
/* The request's payload for `api` (ZWNVM_API_OPS or _EXT) into `out`:
 * its length, or 0 when it does not fit (a 16-bit address past 0xffff,
 * `n` past ZW_NVM_CHUNK). */
size_t		 zw_nvm_encode(uint8_t api, uint8_t sub, uint32_t addr,
		    const uint8_t *data, size_t n, uint8_t *out, size_t outlen);
/* 0, or -1 when short or the length byte runs past the frame. */
int		 zw_nvm_parse(uint8_t api, const uint8_t *, size_t,
		    struct zw_nvm_res *);
/* The stick's status in words. */
const char	*zw_nvm_status_str(uint8_t status);
/* Which API a stick offers, from GetCapabilities' function bitmask
 * (after the 8 bytes of ids): ZWNVM_API_EXT, ZWNVM_API_OPS, or 0. */
uint8_t		 zw_nvm_pick_api(const uint8_t *caps, size_t n);

/* The machine's state (zw_nvm.c; tests fire its timer). */
enum nvm_step {
	N_IDLE, N_OPEN, N_READ, N_CLOSE,	/* backup */
	N_WOPEN, N_WRITE, N_WCLOSE,		/* restore: write */
	N_VOPEN, N_VREAD, N_VCLOSE,		/* ... read back */
	N_RESTART,				/* ... the stick's reset */
};

struct zw_nvm {
	int		 op;		/* ZwNvm BACKUP, RESTORE, or -1 */
	enum nvm_step	 step;
	uint8_t		 api;		/* the stick's: 0x3d, 0x2e or 0 */
	uint8_t		 caps[8];	/* GetCapabilities' ids */
	int		 have_caps;
	uint8_t		 chip_type, chip_version;
	uint8_t		*file;		/* header + NVM bytes */
	size_t		 size;		/* NVM bytes */
	size_t		 done;		/* read, written or compared */
	size_t		 chunk, asked;
	int		 tries;		/* a chunk waited for the stick */
	uint64_t	 t0, last_progress;
	struct ev_timer	 timer;		/* pacing; a restore's restart */
	/* The latest backup on disk, from its header. */
	int		 have_meta;
	struct zwnvm_meta meta;
	char		*path;
	/* A restore's image arriving from the master in pieces. */
	uint8_t		*in;
	size_t		 in_have, in_total;
};

struct zw_ctrl;
struct zw_frame;

/* zw_nvm.c: the machine */
int		 zw_nvm_init(struct zw_ctrl *);
void		 zw_nvm_free(struct zw_ctrl *);
/* From the start-up: GetCapabilities' and GetInitData's answers. */
void		 zw_nvm_caps(struct zw_ctrl *, const uint8_t *, size_t);
void		 zw_nvm_init_data(struct zw_ctrl *, const uint8_t *, size_t);
/* The controller is ready (a restore's restart ends here). */
void		 zw_nvm_ready(struct zw_ctrl *);
/* The stick was lost: what was under way fails (not a restore waiting
 * for its restart: a USB stick may drop off the bus then). */
void		 zw_nvm_abort(struct zw_ctrl *, const char *why);
/* NULL, or why a network operation (inclusion, maintenance) must wait. */
const char	*zw_nvm_busy(const struct zw_ctrl *);
/* NULL, or why a command to a node is refused BUSY (a restore). */
const char	*zw_nvm_cmd_busy(const struct zw_ctrl *);

#endif
