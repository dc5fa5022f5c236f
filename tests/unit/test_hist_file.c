/*
 * Unit tests for the value history on disk (master/api/api_hist_file.c):
 * a round trip keeps every point, points older than HISTORY_MINUTES are
 * dropped at load, a damaged or truncated file loads what is good and
 * warns, and HISTORY_MAX_VALUES full rings fit in HISTORY_FILE_MAX.
 */

#include <sys/stat.h>

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "ev.h"
#include "stub_master.h"
#include "../../master/api/api_hist.h"

static struct master	m;
static char		dir[] = "/tmp/test_hist_file.XXXXXX";
static char		path[128];

static Hd__Value *
dbl(double d)
{
	static Hd__Value v;

	hd__value__init(&v);
	v.v_case = HD__VALUE__V_D;
	v.d = d;
	return &v;
}

/*
 * A fresh history loaded as if at wall_ms: api_hist_new() loads at the
 * real clock, and a slow (sanitizer) run may cross a minute boundary
 * between save and load, which rightly expires the oldest point.
 */
static struct api_hist *
reload_at(uint64_t wall_ms)
{
	struct api_hist	*h = api_hist_new(&m);
	struct hring	*r;

	h->nrings = 0;
	while ((r = TAILQ_FIRST(&h->rings)) != NULL) {
		TAILQ_REMOVE(&h->rings, r, entry);
		free(r);
	}
	api_hist_load(h, wall_ms);
	return h;
}

static int
same_ring(const struct hring *a, const struct hring *b)
{
	int i;

	for (i = 0; i < HISTORY_MINUTES; i++)
		if ((a->pt[i].n != 0 || b->pt[i].n != 0) &&
		    memcmp(&a->pt[i], &b->pt[i], sizeof(a->pt[i])) != 0)
			return 0;
	return 1;
}

static long
file_size(void)
{
	struct stat st;

	return stat(path, &st) == -1 ? -1 : (long)st.st_size;
}

static void
test_round_trip(void)
{
	struct api_hist	*h, *h2;
	uint64_t	 now = ev_wall_ms(), old = now - 23 * 3600000ULL;
	struct hring	*a, *b;

	h = api_hist_new(&m);
	CHECK(h != NULL && h->nrings == 0, "no file: empty history");
	api_hist_add(h, "n1", "sim:temp", "temperature", dbl(21.5), now);
	api_hist_add(h, "n1", "sim:temp", "temperature", dbl(19.25), now);
	api_hist_add(h, "n1", "sim:temp", "temperature", dbl(22), now - 60000);
	api_hist_add(h, "n1", "sim:temp", "temperature", dbl(18), old);
	api_hist_add(h, "n2", "m:0", "power", dbl(1e6), now - 3600000);
	CHECK(api_hist_save(h, now) == 0 && file_size() > 4, "saved (%ld B)",
	    file_size());
	h2 = reload_at(now);
	a = api_hist_ring(h, "n1", "sim:temp", "temperature", 0);
	b = h2 != NULL ? api_hist_ring(h2, "n1", "sim:temp", "temperature", 0) :
	    NULL;
	CHECK(b != NULL && h2->nrings == 2, "both values loaded");
	CHECK(a != NULL && b != NULL && same_ring(a, b),
	    "every point as it was (min, max, sum, n, minute)");
	b = h2 != NULL ? api_hist_ring(h2, "n2", "m:0", "power", 0) : NULL;
	CHECK(b != NULL && b->pt[(now - 3600000) / 60000 % HISTORY_MINUTES].n
	    == 1, "the other value's point");
	api_hist_free(h2);

	/* Loaded two hours later, the 23-hour-old point is past a day. */
	h2 = reload_at(now + 2 * 3600000ULL);
	b = api_hist_ring(h2, "n1", "sim:temp", "temperature", 0);
	CHECK(b != NULL && b->pt[old / 60000 % HISTORY_MINUTES].n == 0 &&
	    b->pt[now / 60000 % HISTORY_MINUTES].n == 2,
	    "points older than HISTORY_MINUTES dropped at load");
	api_hist_load(h2, now + 2 * 86400000ULL);	/* nothing new is live */
	api_hist_free(h2);
	/* Saved a day later: nothing live is written. */
	CHECK(api_hist_save(h, now + 2 * 86400000ULL) == 0 && file_size() == 4,
	    "a save drops points older than a day (%ld B)", file_size());
	api_hist_free(h);
}

/* A file of a newer format (HDH2): not read, and never saved over. */
static void
test_newer(void)
{
	struct api_hist	*h;
	uint64_t	 now = ev_wall_ms();
	FILE		*f;

	f = fopen(path, "w");
	fwrite("HDH2\x00\x00\x00\x00", 1, 8, f);
	fclose(f);
	h = api_hist_new(&m);
	CHECK(h != NULL && h->nrings == 0 && h->path[0] == '\0',
	    "HDH2: refused, and this history is not to be saved");
	if (h != NULL)
		api_hist_add(h, "n1", "d", "k", dbl(1), now);
	CHECK(h != NULL && api_hist_save(h, now) == 0 && file_size() == 8,
	    "... a save leaves the HDH2 file as it was");
	api_hist_free(h);
	unlink(path);
}

static void
test_damage(void)
{
	struct api_hist	*h;
	uint64_t	 now = ev_wall_ms();
	FILE		*f;
	long		 size;
	int		 i;
	char		 key[32];

	h = api_hist_new(&m);
	for (i = 0; i < 3; i++) {
		snprintf(key, sizeof(key), "v%d", i);
		api_hist_add(h, "n1", "d", key, dbl(i), now);
	}
	api_hist_save(h, now);
	api_hist_free(h);
	size = file_size();
	CHECK(truncate(path, size - 5) == 0, "truncate the file");
	h = api_hist_new(&m);
	CHECK(h != NULL && h->nrings == 2, "a truncated file: the whole "
	    "records load (%d)", h != NULL ? h->nrings : -1);
	api_hist_free(h);

	f = fopen(path, "w");
	fwrite("HDH1\xff\xff\xff\xff", 1, 8, f);
	fclose(f);
	h = api_hist_new(&m);
	CHECK(h != NULL && h->nrings == 0, "a huge record length: refused");
	api_hist_free(h);
	f = fopen(path, "w");
	fwrite("HDH1\x00\x00\x00\x03\x0a\x05x", 1, 11, f);
	fclose(f);
	h = api_hist_new(&m);
	CHECK(h != NULL && h->nrings == 0, "a record that is not a ring: "
	    "refused");
	api_hist_free(h);
	f = fopen(path, "w");
	fwrite("XXXX", 1, 4, f);
	fclose(f);
	h = api_hist_new(&m);
	CHECK(h != NULL && h->nrings == 0, "no magic: refused, not fatal");
	api_hist_free(h);
	test_newer();
}

/* The worst case: HISTORY_MAX_VALUES rings, a point every minute. */
static void
test_full(void)
{
	struct api_hist	*h, *h2;
	uint64_t	 now = ev_wall_ms(), t;
	char		 key[32];
	int		 i, j;

	h = api_hist_new(&m);
	for (i = 0; i < HISTORY_MAX_VALUES; i++) {
		snprintf(key, sizeof(key), "value%d", i);
		for (j = 0; j < HISTORY_MINUTES; j++) {
			t = now - (uint64_t)j * 60000;
			api_hist_add(h, "node-with-a-long-name", "zw:123:4", key,
			    dbl(20 + j % 7 * 0.37), t);
		}
	}
	CHECK(h->nrings == HISTORY_MAX_VALUES, "HISTORY_MAX_VALUES rings");
	t = ev_clock_ms();
	CHECK(api_hist_save(h, now) == 0, "a full history saves");
	fprintf(stderr, "# full history saved in %llu ms\n",
	    (unsigned long long)(ev_clock_ms() - t));
	CHECK(file_size() > 0 && file_size() < HISTORY_FILE_MAX,
	    "... in %ld bytes, under HISTORY_FILE_MAX", file_size());
	fprintf(stderr, "# full history file: %ld bytes\n", file_size());
	t = ev_clock_ms();
	h2 = reload_at(now);
	fprintf(stderr, "# full history loaded in %llu ms\n",
	    (unsigned long long)(ev_clock_ms() - t));
	CHECK(h2 != NULL && h2->nrings == HISTORY_MAX_VALUES &&
	    same_ring(TAILQ_FIRST(&h->rings), TAILQ_FIRST(&h2->rings)) &&
	    same_ring(TAILQ_LAST(&h->rings, hrings), TAILQ_LAST(&h2->rings,
	    hrings)), "... and loads back whole");
	api_hist_free(h2);
	api_hist_free(h);
}

/*
 * Points keep their lap (day since the epoch) instead of their minute:
 * a slot from a day before is not taken for today's, and a save and load
 * across a lap boundary (and a 16-bit lap wrap) puts every point back.
 */
static void
test_laps(void)
{
	struct api_hist	*h, *h2;
	struct hring	*a, *b;
	/* Now: 3 minutes into lap 65536, whose low 16 bits are 0. */
	uint32_t	 lap = 65536, now_min = lap * HISTORY_MINUTES + 3;
	uint64_t	 now = (uint64_t)now_min * 60000;
	int		 i;

	CHECK(sizeof(struct hpoint) == 16, "a point is 16 bytes (%zu)",
	    sizeof(struct hpoint));
	unlink(path);		/* test_full's 128 rings: no room */
	h = api_hist_new(&m);
	for (i = 0; i < 10; i++)	/* 6 minutes of lap 65535, 4 of 65536 */
		api_hist_add(h, "n1", "d", "v", dbl(i), now - 60000ULL * (9 - i));
	a = api_hist_ring(h, "n1", "d", "v", 0);
	CHECK(a != NULL && a->pt[(now_min - 9) % HISTORY_MINUTES].lap == 65535 &&
	    a->pt[now_min % HISTORY_MINUTES].lap == 0,
	    "points on both sides of the lap boundary (the lap wraps to 0)");
	CHECK(a != NULL && hpoint_minute(&a->pt[(now_min - 9) %
	    HISTORY_MINUTES], (int)((now_min - 9) % HISTORY_MINUTES),
	    now_min) == now_min - 9, "a point's minute from its slot and lap");
	CHECK(api_hist_save(h, now) == 0, "saved across the boundary");
	h2 = reload_at(now);
	b = h2 != NULL ? api_hist_ring(h2, "n1", "d", "v", 0) : NULL;
	CHECK(a != NULL && b != NULL && same_ring(a, b),
	    "loaded across the boundary: every point as it was");
	api_hist_free(h2);
	/* A day later the same slot gets a new point, not the old one's n. */
	api_hist_add(h, "n1", "d", "v", dbl(42),
	    now + 60000ULL * HISTORY_MINUTES);
	CHECK(a != NULL && a->pt[now_min % HISTORY_MINUTES].n == 1 &&
	    a->pt[now_min % HISTORY_MINUTES].min == 42,
	    "a day later the slot starts over");
	h->dirty = 0;
	api_hist_free(h);
	unlink(path);
}

int
main(void)
{
	char cmd[300];

	if (mkdtemp(dir) == NULL)
		return 1;
	m.conf.state_dir = dir;
	snprintf(path, sizeof(path), "%s/%s", dir, HISTORY_FILE);
	test_round_trip();
	test_damage();
	test_full();
	test_laps();
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "# could not remove %s\n", dir);
	return check_done();
}
