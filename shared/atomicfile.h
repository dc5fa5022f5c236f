#ifndef HD_ATOMICFILE_H
#define HD_ATOMICFILE_H

#include <stddef.h>
#include <stdint.h>

#include <protobuf-c/protobuf-c.h>

#include "statefmt.h"

/*
 * Crash-safe state files: write a temporary file beside the target,
 * fsync it, rename it over the target, fsync the folder. After a power
 * cut the file holds either the old or the new contents, never a mix.
 */
int	atomic_write(const char *path, const void *, size_t, int mode);
/*
 * One observer per process, called with the path after every
 * atomic_write() that replaced its file (NULL: none). The master's
 * state replication hears of every state file written this way, so no
 * module that writes one has to know of it (docs/FAILOVER.md).
 */
void	atomic_observe(void (*)(void *, const char *path), void *);
/*
 * Read a whole file of at most `max` bytes; malloc'd, caller frees.
 * Only a regular file is read, never through a symlink: a FIFO, device,
 * socket or folder fails at once with EINVAL (it never blocks), a larger
 * file with EFBIG, a missing one with ENOENT.
 */
int	atomic_read(const char *path, size_t max, uint8_t **out, size_t *len);
/* The same, through symlinks: for files the operator names in the
 * configuration (events files, includes, certificates), which may be
 * links into a managed folder. */
int	atomic_read_follow(const char *path, size_t max, uint8_t **out,
	    size_t *len);
/* The same checks, for a caller that reads the file itself: a
 * descriptor (O_CLOEXEC, O_NONBLOCK; caller closes) and its size.
 * `oflags` may hold O_NOFOLLOW; nothing else is used. */
int	atomic_open_regular(const char *path, int oflags, size_t max,
	    size_t *size);
/* Pack a message to `path` / read one back (NULL if absent, errno
 * ENOENT; invalid, EINVAL; or of a newer format, ENOTSUP, logged: the
 * caller must then leave the file alone, statefmt.h). A state file's
 * message must carry the current format (state_format_set()); an older
 * one is migrated on load. Free what state_load returns with
 * wire_free(). */
int	state_save(const char *path, const ProtobufCMessage *);
ProtobufCMessage *state_load(const char *path,
	    const ProtobufCMessageDescriptor *);

#endif
