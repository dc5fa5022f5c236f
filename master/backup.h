#ifndef HD_BACKUP_H
#define HD_BACKUP_H

/*
 * hd-master --backup / --restore (docs/OPERATIONS.md, "Backup and
 * restore"). A backup file is
 *
 *	"HDB1"
 *	per entry: 1 byte name length, the name, 4 bytes big-endian
 *	           data length, the data
 *	32 bytes: SHA-256 of everything before
 *
 * Its entries are the state-dir's replicated files (the list of
 * cluster/statesync_standby.c, under their own names and limits), the
 * events file ("events"), the PKI's public parts ("pki/ca.crt",
 * "pki/crl.pem", "pki/master.crt", "pki/web.crt") and "backup.info"
 * (text: format, version, build, node, time). Nothing private: no key.
 * The file is read like outside input (it travels on USB sticks and
 * mail): backup_parse() checks every length against what remains, each
 * name against that list, each size against its limit, and the hash.
 */

#include <stddef.h>
#include <stdint.h>

#include "hdlimits.h"

#define BACKUP_MAGIC		"HDB1"	/* "HDB", then BACKUP_FORMAT */
#define BACKUP_FORMAT		1
#define BACKUP_MAX_ENTRIES	24
#define BACKUP_INFO_MAX		1024		/* backup.info */
#define BACKUP_PKI_MAX		(256 * 1024)	/* a certificate or CRL, PEM */
/* The sum of every entry's limit and the framing, rounded up. */
#define BACKUP_MAX_FILE		(24 * 1024 * 1024)

struct backup_entry {
	const char	*name;		/* one of backup_names() */
	const uint8_t	*data;		/* borrowed from the parsed buffer */
	size_t		 len;
};

struct backup {
	struct backup_entry	 e[BACKUP_MAX_ENTRIES];
	int			 n;
};

/* The most a NAME may hold; 0 if NAME may not be in a backup. */
size_t	backup_limit(const char *name);
/* Parse BUF (LEN bytes) into B (entries point into BUF): 0, or -1 with
 * a reason in WHY (a static string). */
int	backup_parse(const uint8_t *buf, size_t len, struct backup *b,
	    const char **why);
/* Append an entry / the trailing hash to a growing buffer: 0 or -1. */
int	backup_add(uint8_t **buf, size_t *len, const char *name,
	    const uint8_t *data, size_t dlen);
int	backup_seal(uint8_t **buf, size_t *len);

/* backup.c: the command-line modes; exit status. */
int	backup_main(const char *conffile, const char *file);
int	restore_main(const char *conffile, const char *file);

#endif
