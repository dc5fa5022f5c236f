/*
 * libFuzzer harness for a slave's rule set (slave/dev/local.c,
 * docs/SCHEDULER.md#local-rules): the bytes of <state-dir>/local.rules,
 * or of a LocalRules body from a master, through the same decoding and
 * checks (LocalRules unpacked with the wire's budget, places and sizes
 * against their limits, the events text through the scheduler's parser,
 * every device the slave's own). Seeds: mklocalseeds.py.
 */

#include <stddef.h>
#include <stdint.h>

#include "slave.h"
#include "wire.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	Hd__LocalRules	*r;
	char		 why[256];

	if ((r = local_rules_decode(data, size, "barn", why,
	    sizeof(why))) != NULL)
		wire_free(&r->base);
	return 0;
}
