/*
 * Malloc tuning and trimming (memtune.h). Kept apart from the daemons'
 * main() so that every process (master, web, slave) does the same.
 */

#include <sys/mman.h>

#include <malloc.h>
#include <stdlib.h>

#include "ev.h"
#include "log.h"
#include "memtune.h"

#if defined(__SANITIZE_ADDRESS__)
#define MEM_ASAN	1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define MEM_ASAN	1
#endif
#endif

static struct ev_timer	trim_timer;
/*
 * Free bytes in the heap's holes (below its top) after the last trim. The
 * top is left out: it is mostly malloc's padding, never written, and
 * free() gives it back itself past MEM_TRIM_THRESHOLD.
 */
static size_t		trimmed_holes;

void *
mem_table(size_t size)
{
#ifdef MEM_ASAN
	return calloc(1, size);
#else
	void *p;

	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE |
	    MAP_ANONYMOUS, -1, 0);
	return p == MAP_FAILED ? NULL : p;
#endif
}

void
mem_table_free(void *p, size_t size)
{
#ifdef MEM_ASAN
	(void)size;
	free(p);
#else
	if (p != NULL)
		munmap(p, size);
#endif
}

void
mem_init(void)
{
	/*
	 * Failure is harmless (another allocator, a sanitizer's): the
	 * daemon works, it just keeps more memory.
	 */
	if (mallopt(M_MMAP_THRESHOLD, MEM_MMAP_THRESHOLD) != 1 ||
	    mallopt(M_TRIM_THRESHOLD, MEM_TRIM_THRESHOLD) != 1)
		log_debug("memory: mallopt refused; glibc defaults kept");
}

void
mem_trim(const char *what)
{
	struct mallinfo2	a, b;

	a = mallinfo2();
	malloc_trim(0);
	b = mallinfo2();
	trimmed_holes = b.fordblks - b.keepcost;
	/* arena: the heap's size; uordblks: in use; fordblks: free in it. */
	log_debug("memory after %s: heap %zu kB, %zu kB in use, %zu kB free "
	    "(%zu kB free before trimming), %zu kB in %zu own mappings", what,
	    b.arena / 1024, b.uordblks / 1024, b.fordblks / 1024,
	    a.fordblks / 1024, b.hblkhd / 1024, b.hblks);
}

static void
trim_cb(struct ev_timer *t)
{
	struct mallinfo2	mi = mallinfo2();
	size_t			holes = mi.fordblks - mi.keepcost;

	if (holes >= trimmed_holes + MEM_TRIM_MIN_FREE)
		mem_trim("idle check");
	else if (holes < trimmed_holes)
		trimmed_holes = holes;	/* holes were reused */
	ev_timer_start(t->arg, t, MEM_TRIM_MS);
}

void
mem_trim_start(struct ev_loop *loop)
{
	mem_trim("start-up");
	ev_timer_init(&trim_timer, trim_cb, loop);
	ev_timer_start(loop, &trim_timer, MEM_TRIM_FIRST_MS);
}
