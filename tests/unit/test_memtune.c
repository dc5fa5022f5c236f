/*
 * Unit tests for shared/memtune.c and the tables built on it: malloc's
 * thresholds stay pinned after a big block is freed, a trim gives freed
 * heap pages back, and worst-case tables (mem_table, the ban table) cost
 * RAM only for the pages written. Residency is read with mincore() and
 * /proc/self/statm, so these are checks of the real kernel's behaviour.
 * Under AddressSanitizer mem_table() is calloc() and malloc is ASan's:
 * those checks are skipped.
 */

#include <sys/mman.h>

#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "memtune.h"
#include "../../master/lib/ban.h"

#if defined(__SANITIZE_ADDRESS__)
#define ASAN	1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ASAN	1
#endif
#endif
#ifdef ASAN
static const int asan = 1;
#else
static const int asan = 0;
#endif

static size_t
page(void)
{
	return (size_t)sysconf(_SC_PAGESIZE);
}

/* Resident pages of [p, p + len), p page-aligned. */
static size_t
resident(void *p, size_t len)
{
	unsigned char	*vec;
	size_t		 i, n = (len + page() - 1) / page(), r = 0;

	if ((vec = calloc(n, 1)) == NULL || mincore(p, len, vec) == -1) {
		free(vec);
		return (size_t)-1;
	}
	for (i = 0; i < n; i++)
		r += vec[i] & 1;
	free(vec);
	return r;
}

/* The process's resident set in kB. */
static long
rss_kb(void)
{
	FILE	*f = fopen("/proc/self/statm", "r");
	long	 size, res = -1;

	if (f != NULL) {
		if (fscanf(f, "%ld %ld", &size, &res) != 2)
			res = -1;
		fclose(f);
	}
	return res < 0 ? -1 : res * (long)(page() / 1024);
}

static void
test_table(void)
{
	size_t		 len = 1024 * 1024, i;
	unsigned char	*t = mem_table(len);
	int		 zero = 1;

	if (!CHECK(t != NULL, "mem_table: 1 MiB"))
		return;
	t[0] = 1;
	t[len / 2] = 2;
	t[len - 1] = 3;
	CHECK(t[0] == 1 && t[len / 2] == 2 && t[len - 1] == 3,
	    "mem_table: writable end to end");
	/* Before any other read: mincore counts the zero page as resident. */
	if (!asan) {
		CHECK(((uintptr_t)t & (page() - 1)) == 0,
		    "mem_table: page-aligned");
		CHECK(resident(t, len) == 3,
		    "mem_table: only the 3 pages written are resident (of 256)");
	}
	for (i = 1; i < len - 1; i += 4093)
		zero &= t[i] == 0 || i == len / 2;
	CHECK(zero, "mem_table: reads as zeros");
	mem_table_free(t, len);
	mem_table_free(NULL, len);
	CHECK(1, "mem_table_free: NULL is a no-op");
}

/*
 * glibc raises its mmap threshold to the size of a freed mmap'd block;
 * mem_init() pins it, so a 256 KiB block still gets a mapping of its own
 * (given back by free) after a 4 MiB one was freed.
 */
static void
test_thresholds(void)
{
	void	*big, *p;
	size_t	 before;

	mem_init();
	if ((big = malloc(4 * 1024 * 1024)) == NULL)
		return;
	memset(big, 1, 4 * 1024 * 1024);
	free(big);
	before = mallinfo2().hblks;
	p = malloc(256 * 1024);
	if (!asan)
		CHECK(p != NULL && mallinfo2().hblks == before + 1,
		    "after a 4 MiB block is freed, 256 KiB is still mmap'd");
	free(p);
}

/*
 * Free holes in the middle of the heap (a kept block above them) are
 * resident until mem_trim() gives their pages back.
 */
static void
test_trim(void)
{
	enum { N = 2048, SZ = 1024 };	/* 2 MiB in 1 KiB blocks */
	void	*blk[N], *keep;
	long	 full, after;
	int	 i;

	for (i = 0; i < N; i++)
		if ((blk[i] = malloc(SZ)) != NULL)
			memset(blk[i], 1, SZ);
	keep = malloc(SZ);	/* pins the heap's top */
	full = rss_kb();
	for (i = 0; i < N; i++)
		free(blk[i]);
	mem_trim("test");
	after = rss_kb();
	if (!asan) {
		CHECK(full > 0 && after > 0 && full - after >= 1024,
		    "mem_trim gives back at least 1 MiB of the 2 MiB freed "
		    "below a kept block");
		if (full - after < 1024)
			printf("# rss %ld kB before, %ld kB after\n", full,
			    after);
	}
	free(keep);
}

static const uint8_t *
addr(uint32_t i)
{
	static uint8_t a[16];

	memset(a, 0, sizeof(a));
	a[0] = 0x20;
	a[1] = 0x01;
	/* In the /64 prefix: the ban table counts IPv6 per /64. */
	memcpy(a + 4, &i, sizeof(i));
	return a;
}

/* The ban table reserves BAN_MAX_ENTRIES entries but touches few. */
static void
test_ban_pages(void)
{
	struct ban_table	*t = ban_new();
	uint32_t		 i;

	if (!CHECK(t != NULL, "ban_new"))
		return;
	for (i = 0; i < 100; i++)
		ban_probe(t, addr(i), 1.0, 1000);
	/* Entries are > 64 bytes: the pool spans > 256 KiB. */
	if (!asan)
		CHECK(resident(t, BAN_MAX_ENTRIES * 64) <= 4,
		    "ban table: 100 addresses make at most 4 pool pages "
		    "resident");
	ban_free(t);
}

/* With the pool handed out lazily, eviction is still least recent first. */
static void
test_ban_lru(void)
{
	struct ban_table	*t = ban_new();
	uint32_t		 i;
	int			 j;

	if (!CHECK(t != NULL, "ban_new"))
		return;
	ban_probe(t, addr(0), 1.0, 1000);
	ban_probe(t, addr(1), 1.0, 1000);
	for (i = 2; i < BAN_MAX_ENTRIES; i++)
		ban_probe(t, addr(i), 1.0, 1000);
	ban_probe(t, addr(0), 1.0, 1000);	/* 0 is recent again */
	ban_probe(t, addr(BAN_MAX_ENTRIES), 1.0, 1000);	/* evicts 1 */
	for (j = 0; j < 3; j++) {
		ban_probe(t, addr(0), 1.0, 1000);
		ban_probe(t, addr(1), 1.0, 1000);
	}
	CHECK(ban_check(t, addr(0), 1000),
	    "full table: a recently seen address keeps its score (banned)");
	CHECK(!ban_check(t, addr(1), 1000),
	    "full table: the least recently seen one was evicted first");
	CHECK(ban_count(t, 1000) == 1, "one ban in force after the flood");
	ban_free(t);
}

int
main(void)
{
	test_table();
	test_thresholds();
	test_trim();
	test_ban_pages();
	test_ban_lru();
	return check_done();
}
