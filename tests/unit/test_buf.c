/* Unit tests for shared/buf.c: the growable byte buffer with a ceiling. */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "check.h"

static void
fill(uint8_t *p, size_t n, unsigned seed)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)(seed + i * 7);
}

static void
test_basics(void)
{
	struct buf	 b;
	uint8_t		*t;

	buf_init(&b, 1024);
	CHECK(b.data == NULL && b.cap == 0 && b.max == 1024,
	    "buf_init: no memory, ceiling recorded");
	CHECK(buf_used(&b) == 0, "buf_init: empty");

	CHECK(buf_append(&b, "hello", 5) == 0, "append 5 bytes");
	CHECK(buf_used(&b) == 5, "used is 5 after append");
	CHECK(memcmp(buf_head(&b), "hello", 5) == 0, "head holds the bytes");
	CHECK(b.cap >= 5 && b.cap <= b.max, "capacity within 5..max");

	CHECK(buf_append(&b, " world", 6) == 0, "second append");
	CHECK(buf_used(&b) == 11 && memcmp(buf_head(&b), "hello world", 11)
	    == 0, "appends concatenate");

	/* reserve + tail + commit, the path conn.c reads into */
	CHECK(buf_reserve(&b, 3) == 0, "reserve 3");
	t = buf_tail(&b);
	CHECK(t == buf_head(&b) + buf_used(&b), "tail is right after the data");
	memcpy(t, "!!?", 3);
	buf_commit(&b, 2);
	CHECK(buf_used(&b) == 13 && memcmp(buf_head(&b), "hello world!!",
	    13) == 0, "commit takes only the committed bytes");

	CHECK(buf_reserve(&b, 0) == 0, "reserve 0 always succeeds");

	buf_consume(&b, 6);
	CHECK(buf_used(&b) == 7 && memcmp(buf_head(&b), "world!!", 7) == 0,
	    "consume 6 moves the head");
	CHECK(b.off == 6, "consume is lazy (offset advanced, no move)");

	buf_consume(&b, 0);
	CHECK(buf_used(&b) == 7 && b.off == 6, "consume 0 changes nothing");

	buf_consume(&b, 1000);
	CHECK(buf_used(&b) == 0, "consume past the end empties the buffer");
	CHECK(b.off == 0 && b.len == 0, "empty buffer resets off and len");
	CHECK(b.data != NULL, "consume keeps the memory");

	CHECK(buf_append(&b, "xy", 2) == 0 && buf_used(&b) == 2 &&
	    memcmp(buf_head(&b), "xy", 2) == 0, "append after emptying");
	buf_free(&b);
	CHECK(b.data == NULL && buf_used(&b) == 0 && b.cap == 0,
	    "buf_free: no memory, empty");
	CHECK(b.max == 1024, "buf_free keeps the ceiling");
	CHECK(buf_append(&b, "again", 5) == 0 && buf_used(&b) == 5 &&
	    memcmp(buf_head(&b), "again", 5) == 0, "buffer reusable after free");
	buf_free(&b);
	buf_free(&b);	/* twice is harmless */
	CHECK(b.data == NULL, "buf_free twice is harmless");
}

static void
test_ceiling(void)
{
	struct buf	 b;
	uint8_t		 src[1100], copy[1100];
	size_t		 cap;
	int		 r;

	fill(src, sizeof(src), 1);
	buf_init(&b, 1000);		/* not a power of two on purpose */

	CHECK(buf_append(&b, src, 1001) == -1, "append of max+1 bytes fails");
	CHECK(buf_used(&b) == 0 && b.data == NULL,
	    "failed append allocates nothing");

	CHECK(buf_append(&b, src, 990) == 0, "append 990 of 1000");
	memcpy(copy, buf_head(&b), 990);
	cap = b.cap;
	CHECK(buf_append(&b, src, 11) == -1, "append past the ceiling fails");
	CHECK(buf_used(&b) == 990 && memcmp(buf_head(&b), copy, 990) == 0,
	    "failed append leaves the data intact");
	CHECK(b.cap == cap, "failed append leaves the capacity alone");
	CHECK(buf_reserve(&b, 11) == -1, "reserve past the ceiling fails");
	CHECK(buf_reserve(&b, SIZE_MAX) == -1, "reserve SIZE_MAX fails");
	CHECK(buf_reserve(&b, SIZE_MAX - 5) == -1,
	    "reserve near SIZE_MAX fails (no wrap-around)");
	CHECK(buf_used(&b) == 990 && memcmp(buf_head(&b), copy, 990) == 0,
	    "huge reserve leaves the data intact");

	CHECK(buf_append(&b, src + 990, 10) == 0, "append up to exactly max");
	CHECK(buf_used(&b) == 1000 && memcmp(buf_head(&b), src, 1000) == 0,
	    "full buffer holds all bytes");
	CHECK(b.cap == 1000, "capacity clamped to max (%zu)", b.cap);
	CHECK(buf_append(&b, src, 1) == -1, "one byte more than max fails");
	CHECK(buf_reserve(&b, 1) == -1, "reserve 1 on a full buffer fails");
	CHECK(buf_reserve(&b, 0) == 0, "reserve 0 on a full buffer succeeds");
	CHECK(buf_used(&b) == 1000 && memcmp(buf_head(&b), src, 1000) == 0,
	    "full buffer intact after refusals");
	buf_free(&b);

	/* A zero ceiling takes nothing at all. */
	buf_init(&b, 0);
	CHECK(buf_append(&b, src, 1) == -1, "max 0: append 1 fails");
	CHECK(buf_reserve(&b, 1) == -1, "max 0: reserve 1 fails");
	buf_free(&b);

	/* Growth is geometric, within the ceiling. */
	buf_init(&b, 1 << 20);
	r = buf_append(&b, src, 1);
	CHECK(r == 0 && b.cap == 256, "first allocation is 256 bytes (%zu)",
	    b.cap);
	r = buf_reserve(&b, 300);
	CHECK(r == 0 && b.cap == 512, "growth doubles (%zu)", b.cap);
	r = buf_reserve(&b, 5000);
	CHECK(r == 0 && b.cap >= 5001 && b.cap <= 8192,
	    "big reserve grows enough (%zu)", b.cap);
	buf_free(&b);
}

static void
test_compaction(void)
{
	struct buf	 b;
	uint8_t		 src[600];
	uint8_t		*data;

	fill(src, sizeof(src), 3);
	buf_init(&b, 512);
	CHECK(buf_append(&b, src, 512) == 0, "fill a 512-byte buffer");
	buf_consume(&b, 100);
	CHECK(buf_used(&b) == 412 && b.off == 100, "consumed 100 lazily");
	CHECK(memcmp(buf_head(&b), src + 100, 412) == 0, "head after consume");

	/* Only compaction can make room: the ceiling is reached. */
	data = b.data;
	CHECK(buf_append(&b, src + 512, 88) == 0,
	    "append after consume reuses the consumed space");
	CHECK(b.off == 0, "compaction moved the data to the front");
	CHECK(b.data == data && b.cap == 512, "compaction did not reallocate");
	CHECK(buf_used(&b) == 500 && memcmp(buf_head(&b), src + 100, 500) == 0,
	    "data intact and in order after compaction");
	CHECK(buf_append(&b, src, 12) == 0 && buf_used(&b) == 512,
	    "fill up to the ceiling again");
	CHECK(buf_append(&b, src, 1) == -1, "then the ceiling holds again");

	/* No compaction when the tail room is enough. */
	buf_consume(&b, 500);
	CHECK(buf_used(&b) == 12 && b.off == 500, "consume 500 of 512");
	CHECK(buf_append(&b, src, 0) == 0, "append 0 bytes");
	CHECK(b.off == 500, "no compaction when nothing is needed");
	CHECK(buf_append(&b, src, 1) == 0 && b.off == 0 && buf_used(&b) == 13,
	    "one byte more than the tail room compacts");
	CHECK(memcmp(buf_head(&b), src, 12) == 0 && buf_head(&b)[12] == src[0],
	    "compacted data in order");
	buf_free(&b);

	/* Interleaved produce/consume never exceeds the ceiling. */
	{
		size_t	 i, in = 0, out = 0, bad = 0;
		uint8_t	 x;

		buf_init(&b, 100);
		for (i = 0; i < 10000; i++) {
			x = (uint8_t)in;
			if (buf_append(&b, &x, 1) == 0)
				in++;
			if (i % 3 == 0 && buf_used(&b) > 0) {
				if (buf_head(&b)[0] != (uint8_t)out)
					bad++;
				buf_consume(&b, 1);
				out++;
			}
			if (b.cap > b.max)
				bad++;
		}
		CHECK(bad == 0 && in - out == buf_used(&b),
		    "FIFO order and ceiling kept over 10000 operations");
		buf_free(&b);
	}
}

static void
test_release(void)
{
	struct buf b;

	buf_init(&b, 4096);
	buf_release(&b);
	CHECK(b.data == NULL, "release on a never-used buffer is harmless");

	CHECK(buf_append(&b, "abc", 3) == 0, "append 3");
	buf_release(&b);
	CHECK(b.data != NULL && buf_used(&b) == 3 &&
	    memcmp(buf_head(&b), "abc", 3) == 0,
	    "release keeps a buffer that holds data");

	buf_consume(&b, 2);
	buf_release(&b);
	CHECK(b.data != NULL && buf_used(&b) == 1 && buf_head(&b)[0] == 'c',
	    "release keeps a partly consumed buffer");

	buf_consume(&b, 1);
	buf_release(&b);
	CHECK(b.data == NULL && b.cap == 0 && buf_used(&b) == 0,
	    "release frees an emptied buffer");
	CHECK(b.max == 4096, "release keeps the ceiling");
	CHECK(buf_append(&b, "z", 1) == 0 && buf_used(&b) == 1 &&
	    buf_head(&b)[0] == 'z', "buffer usable after release");
	buf_free(&b);
}

int
main(void)
{
	test_basics();
	test_ceiling();
	test_compaction();
	test_release();
	return check_done();
}
