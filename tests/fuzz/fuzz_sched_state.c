/*
 * libFuzzer harness for sched.state as a standby's scheduler reads it at
 * a takeover (shared/sched/sched_state.c, and the outbox and cursors of
 * master/sched/sched_hold.c through the state hook): the file is the
 * master's, brought by the state sync, so its bytes are a peer's. A
 * small program with a trigger of each kind and every field of the
 * file (the missed record included, docs/SCHEDULER.md) is loaded, the
 * input is its state file, the engine starts as a takeover, runs a
 * minute and writes its state again; what it writes must read back.
 */

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "master.pb-c.h"
#include "sched/sched.h"
#include "sched/sched_master.h"
#include "../unit/sched_fake.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const char events[] =
    "mode house { home away }\n"
    "counter visits\n"
    "event strict { when every 1 min catch-up none do set a/b.on = on }\n"
    "event morning { when at 07:00 do set a/b.on = on wait 1 h "
    "set a/b.on = off }\n"
    "event dusk { when sunset + 10 min do notify \"dusk\" }\n"
    "event cold { when a/t.temp below 5 for 10 min do set a/h.on = on }\n"
    "event door { when a/d.open changes to on do count visits "
    "set house = home }\n";

static struct sched_fake_disk	 disk;
static struct sched_hold hold;

static void
put(void *arg, Hd__SchedState *st)
{
	(void)arg;
	sched_hold_put(&hold, st);
}

static void
get(void *arg, const Hd__SchedState *st)
{
	(void)arg;
	sched_hold_take(&hold, st, 0);
}

static void
quiet(const char *level, const char *text, void *arg)
{
	(void)level;
	(void)text;
	(void)arg;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const int64_t		 now = 1796665000000LL;
	struct sched		*s;
	struct sched_errs	 e;
	Hd__SchedState		*st;

	log_sethook(quiet, NULL);
	/* The input is the state file: written over by the save below. */
	if ((disk.p = malloc(size + 1)) == NULL)
		abort();
	memcpy(disk.p, data, size);
	disk.len = size;
	sched_hold_init(&hold);
	if ((s = sched_new(&sched_fake_ops, NULL, 52.52, 13.405, NULL)) == NULL)
		abort();
	sched_fake_disk_use(s, &disk);
	sched_set_state_hook(s, &(struct sched_state_hook){ put, get, NULL,
	    NULL });
	if (sched_load_buf(s, "fuzz.events", events, sizeof(events) - 1, now,
	    &e) == -1)
		abort();	/* the program is ours: it must load */
	sched_set_replay(s, SCHED_TAKEOVER_REPLAY_MS);
	sched_start(s, now);
	sched_run(s, now + 60000);
	sched_save(s, now + 60000);
	/* What we write, we read. */
	if ((st = hd__sched_state__unpack(NULL, disk.len, disk.p)) == NULL)
		abort();
	hd__sched_state__free_unpacked(st, NULL);
	sched_free(s);
	sched_hold_clear(&hold);
	sched_fake_disk_wipe(&disk);
	return 0;
}
