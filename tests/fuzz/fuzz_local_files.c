/*
 * libFuzzer harness for a slave's local.fired and local.pending
 * (slave/dev/local_file.c, docs/SCHEDULER.md#local-rules): the bytes of
 * either file through both decoders, the current protobuf form (its
 * format, counts and each firing's fields checked), the first release's
 * raw form it migrates, and the refusal of anything else. Seeds:
 * mklocalseeds.py.
 */

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "slave.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct local_fired	fired;
static struct local_pending	pend[LOCAL_MAX_PENDING];

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	why[160];
	int	n, i;

	if (size > LOCAL_FILE_MAX)
		return 0;	/* the reader refuses more before decoding */
	if (local_fired_decode(data, size, &fired, why, sizeof(why)) <=
	    LF_LEGACY && (fired.n < 0 || fired.n > LOCAL_MAX_FIRED ||
	    fired.heard < 0))
		__builtin_trap();
	if (local_pending_decode(data, size, pend, &n, why, sizeof(why)) <=
	    LF_LEGACY) {
		if (n < 0 || n > LOCAL_MAX_PENDING)
			__builtin_trap();
		for (i = 0; i < n; i++)
			if (memchr(pend[i].event, '\0', sizeof(pend[i].event))
			    == NULL || pend[i].fid == 0)
				__builtin_trap();
	}
	return 0;
}
