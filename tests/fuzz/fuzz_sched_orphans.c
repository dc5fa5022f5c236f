/*
 * libFuzzer harness for an old master's unreplicated firings (master/
 * sched/sched_orphan.c, docs/FAILOVER.md#an-old-masters-unreplicated-
 * firings): the first byte picks the input. 0: an Envelope from a peer
 * (a SchedOrphans body, the report or its ack); a report that passes
 * sched_orphans_check must hold only what the checks promise, and an
 * ack of it must remove from a list exactly what it names. 1: two
 * sched.state files (a 4-byte length, ours, then theirs, the new
 * master's bytes from the link): the comparison must stay within its
 * bound and give only well-formed firings, each of ours and newer than
 * theirs.
 */

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cluster.pb-c.h"
#include "master.pb-c.h"
#include "sched/sched.h"
#include "sched/sched_orphan.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
report(const uint8_t *data, size_t size)
{
	struct sched_orphan	 have[SCHED_ORPHAN_MAX];
	Hd__Envelope		*e;
	const Hd__SchedOrphans	*r;
	const char		*why = NULL;
	size_t			 i;
	int			 n = 0, d = 0;

	if ((e = hd__envelope__unpack(NULL, size, data)) == NULL)
		return;
	if (e->body_case != HD__ENVELOPE__BODY_SCHED_ORPHANS) {
		hd__envelope__free_unpacked(e, NULL);
		return;
	}
	r = e->sched_orphans;
	if (sched_orphans_check(r, &why) == 0) {
		if (r->n_firings > SCHED_ORPHAN_MAX)
			abort();
		for (i = 0; i < r->n_firings; i++) {
			struct sched_orphan o;

			if (strlen(r->firings[i]->event) > SCHED_NAME_MAX ||
			    r->firings[i]->fired_ms > INT64_MAX)
				abort();
			memset(&o, 0, sizeof(o));
			strcpy(o.event, r->firings[i]->event);
			o.fired_ms = (int64_t)r->firings[i]->fired_ms;
			o.firing_id = r->firings[i]->firing_id;
			n = sched_orphans_merge(have, n, SCHED_ORPHAN_MAX, &o,
			    1, &d);
		}
		if (sched_orphans_remove(have, n, r) != 0)
			abort();	/* the ack names every one */
	} else if (why == NULL)
		abort();
	hd__envelope__free_unpacked(e, NULL);
}

static void
states(const uint8_t *data, size_t size)
{
	struct sched_orphan	 o[SCHED_ORPHAN_MAX];
	Hd__SchedState		*own, *them;
	uint32_t		 len;
	int			 n, i;

	if (size < 4)
		return;
	len = (uint32_t)data[0] << 24 | (uint32_t)data[1] << 16 |
	    (uint32_t)data[2] << 8 | data[3];
	if (len > size - 4)
		return;
	own = hd__sched_state__unpack(NULL, len, data + 4);
	them = hd__sched_state__unpack(NULL, size - 4 - len, data + 4 + len);
	if (own != NULL && them != NULL) {
		n = sched_orphans_find(own, them, o, SCHED_ORPHAN_MAX);
		if (n < 0 || n > SCHED_ORPHAN_MAX)
			abort();
		for (i = 0; i < n; i++)
			if (o[i].event[0] == '\0' || o[i].fired_ms <= 0 ||
			    o[i].firing_id != sched_firing_id(o[i].event,
			    o[i].fired_ms) || (i > 0 &&
			    o[i - 1].fired_ms > o[i].fired_ms))
				abort();
	}
	if (own != NULL)
		hd__sched_state__free_unpacked(own, NULL);
	if (them != NULL)
		hd__sched_state__free_unpacked(them, NULL);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	if (data[0] % 2 == 0)
		report(data + 1, size - 1);
	else
		states(data + 1, size - 1);
	return 0;
}
