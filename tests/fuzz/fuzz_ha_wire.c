/*
 * libFuzzer harness for the election's messages on the cluster link
 * (shared/ha_wire.c): any bytes as an Envelope; an election body must be
 * taken or refused with a reason, and one taken must go out again and
 * come back the same. A standby with slave lines takes the log's records
 * (ha_wire_in_log): each record taken must go out again as itself.
 */

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ha_wire.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct ha_masters hm;
static struct ha_slaves hs;
static const Hd__Envelope *cur;

/* The record of the stream being fuzzed at m->rec[i]'s place. */
static const Hd__ReplRecord *
rec_of(void *arg, const struct ha_rec *rec)
{
	size_t i;

	(void)arg;
	for (i = 0; i < cur->repl->n_records; i++)
		if (cur->repl->records[i]->pos == rec->pos)
			return cur->repl->records[i];
	return NULL;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	Hd__Envelope		*e, out = HD__ENVELOPE__INIT;
	struct ha_wire_buf	 b;
	struct ha_msg		 m, back;
	char			 why[160];

	if (hm.n == 0 && (ha_masters_add(&hm, "hub", "127.0.0.1:1", why,
	    sizeof(why)) == -1 || ha_masters_add(&hm, "sb", "127.0.0.1:2",
	    why, sizeof(why)) == -1 || ha_slaves_add(&hs, "a", why,
	    sizeof(why)) == -1 || ha_slaves_add(&hs, "b", why,
	    sizeof(why)) == -1))
		abort();
	if ((e = hd__envelope__unpack(NULL, size, data)) == NULL)
		return 0;
	why[0] = '\0';
	if (ha_wire_is_ha(e)) {
		cur = e;
		if (ha_wire_in_log(e, 0, 1, &hm, &hs, &m, why,
		    sizeof(why)) == -1) {
			if (why[0] == '\0')
				abort();	/* refused without a reason */
		} else {
			if (ha_wire_out_log(&m, &hm, &hs, rec_of, NULL, &out,
			    &b) == -1 ||
			    ha_wire_in_log(&out, 0, 1, &hm, &hs, &back, why,
			    sizeof(why)) == -1 ||
			    memcmp(&m, &back, sizeof(m)) != 0)
				abort();	/* not the same way back */
		}
		/* A slave's side takes no records. */
		if (ha_wire_in(e, 0, 4, &hm, &m, why, sizeof(why)) == 0 &&
		    m.nrec != 0)
			abort();
	}
	hd__envelope__free_unpacked(e, NULL);
	return 0;
}
