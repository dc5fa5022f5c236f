#ifndef HD_MEMTUNE_H
#define HD_MEMTUNE_H

/*
 * glibc malloc tuned for a small, long-running, single-threaded daemon
 * (docs/OPERATIONS.md, "Memory").
 *
 * glibc raises its mmap threshold to the size of any mmap'd block freed
 * (up to 32 MiB), and its trim threshold to twice that. One big transient
 * block (the 8 MiB of a scrypt hash at start-up, a 3 MiB history save)
 * would then make every later block up to that size come from the heap,
 * and the heap would never give memory back below 16 MiB of free space.
 * Setting both thresholds pins them.
 */

#define MEM_MMAP_THRESHOLD	(128 * 1024)	/* bigger blocks: own mapping */
#define MEM_TRIM_THRESHOLD	(64 * 1024)	/* free heap top kept at most */
#define MEM_TRIM_FIRST_MS	(10 * 1000)	/* first check: links are up */
#define MEM_TRIM_MS		(60 * 1000)	/* then one wakeup a minute */
#define MEM_TRIM_MIN_FREE	(32 * 1024)	/* new free space worth a trim */

#include <stddef.h>

struct ev_loop;

/*
 * A zeroed table sized for the worst case (4096 ban entries, 1024
 * throttled addresses, 256 sessions...) whose pages cost RAM only once
 * written: an anonymous mapping of its own, never a heap block that
 * calloc() would clear (and so make resident) in full. Free with
 * mem_table_free() and the same size. NULL if out of memory. Under
 * AddressSanitizer it is calloc(), so that bounds stay checked.
 */
void	*mem_table(size_t size);
void	 mem_table_free(void *, size_t size);

/* Pin the thresholds before anything allocates much (daemon_opts() does). */
void	mem_init(void);
/*
 * Give free heap pages back to the kernel after start-up or big transient
 * work (loading the history or the events file). `what` names the moment
 * in the debug log, with the allocator's figures before and after.
 */
void	mem_trim(const char *what);
/*
 * Trim now ("start-up"), then MEM_TRIM_FIRST_MS later (after the first
 * handshakes) and every MEM_TRIM_MS after that, trim again if at least
 * MEM_TRIM_MIN_FREE more bytes lie free in holes below the heap's top
 * than after the last trim: freed holes in the heap's middle (a TLS
 * handshake's, an API answer's) are never given back by free() itself.
 * One per process.
 */
void	mem_trim_start(struct ev_loop *);

#endif
