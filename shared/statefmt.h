#ifndef HD_STATEFMT_H
#define HD_STATEFMT_H

#include <stdint.h>

#include <protobuf-c/protobuf-c.h>

/*
 * Format numbers of the state files (docs/OPERATIONS.md, "State files
 * and their formats"). Each protobuf state file's top-level message has
 * a `uint32 format = 100;` field. Protobuf already lets an old reader
 * skip fields it does not know; the number says when the MEANING of the
 * file changed, so a reader can migrate an older file and refuse a
 * newer one instead of misreading it.
 *
 * Format 0 (no field) is what every release before the numbers wrote
 * (v0.1.0); format 1 means the same, so its migration has nothing to
 * change. A change of meaning raises the file's number here and adds
 * its step to migrate() in statefmt.c, with a unit test
 * (tests/unit/test_statefmt.c).
 */
#define STATE_FORMAT_FIELD	"format"

/* The format this build writes for the file whose top-level message is
 * `desc`; 0 if it is not a state file's message. */
uint32_t	state_format_current(const ProtobufCMessageDescriptor *desc);
/* The format field of `m` (0 if absent or not a state file's message). */
uint32_t	state_format_of(const ProtobufCMessage *m);

/*
 * A state file's message just unpacked from `path`: an older format is
 * migrated in place to the current one (logged once), 0 returned. A
 * newer format than this build knows is refused: logged with the file
 * and both numbers, errno = ENOTSUP, -1. The caller then neither uses
 * nor overwrites the file.
 */
int		state_format_in(const char *path, ProtobufCMessage *m);
/* Stamp the current format on a message about to be written. */
void		state_format_set(ProtobufCMessage *m);

/*
 * Text and framed files that are not one protobuf message carry a
 * 4-byte magic ending in a decimal digit, their format ("HDH1", "HDB1").
 * The format of `buf` if it starts with `prefix` (3 bytes) and a digit
 * 1-9, else 0.
 */
uint32_t	state_magic_format(const uint8_t *buf, size_t len,
		    const char *prefix);

/* The formats of the master's text and framed state files, which their
 * modules write and state_file_format() recognises. */
#define STATE_HISTORY_FORMAT	1	/* history: "HDH1" */
#define STATE_GRACE_FORMAT	1	/* licence.grace: "1 <binding> <s>" */
#define STATE_KNOWN_FORMAT	1	/* licence.slaves: its first line */
#define STATE_KNOWN_HEAD	"# homedaemon licence.slaves format "

/*
 * A first line "HEAD<decimal>...\n": the number (0 without the head,
 * at most 9999), *off past that line (0 without the head).
 */
uint32_t	state_text_format(const uint8_t *buf, size_t len,
		    const char *head, size_t *off);
/*
 * The top-level `format` field (100) of a packed protobuf message,
 * without unpacking it: 0 and *fmt (0 if absent; the last one counts,
 * truncated to 32 bits, as protobuf-c reads it), or -1 if the bytes
 * are not a protobuf message's top level.
 */
int		state_format_scan(const uint8_t *buf, size_t len,
		    uint32_t *fmt);
/*
 * The format of the bytes of state file `name` (its name in a state-dir,
 * "users", "history", ...), and in *reads the format this build reads
 * of it. *reads is 0 for a file that carries no number (PEM, the events
 * file) or a name it does not know; a damaged file reads as format 0.
 * A standby checks what the master sends it with this (statesync).
 */
uint32_t	state_file_format(const char *name, const uint8_t *buf,
		    size_t len, uint32_t *reads);

#endif
