/*
 * libFuzzer harness for the election's messages on the cluster link
 * (shared/ha_wire.c): any bytes as an Envelope; an election body must be
 * taken or refused with a reason, and one taken must go out again and
 * come back the same.
 */

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ha_wire.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct ha_masters hm;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	Hd__Envelope		*e, out = HD__ENVELOPE__INIT;
	struct ha_wire_buf	 b;
	struct ha_msg		 m, back;
	char			 why[160];

	if (hm.n == 0 && (ha_masters_add(&hm, "hub", "127.0.0.1:1", why,
	    sizeof(why)) == -1 || ha_masters_add(&hm, "sb", "127.0.0.1:2",
	    why, sizeof(why)) == -1))
		abort();
	if ((e = hd__envelope__unpack(NULL, size, data)) == NULL)
		return 0;
	why[0] = '\0';
	if (ha_wire_is_ha(e)) {
		if (ha_wire_in(e, 0, 4, &hm, &m, why, sizeof(why)) == -1) {
			if (why[0] == '\0')
				abort();	/* refused without a reason */
		} else {
			if (ha_wire_out(&m, &hm, &out, &b) == -1 ||
			    ha_wire_in(&out, 0, 4, &hm, &back, why,
			    sizeof(why)) == -1 ||
			    memcmp(&m, &back, sizeof(m)) != 0)
				abort();	/* not the same way back */
		}
	}
	hd__envelope__free_unpacked(e, NULL);
	return 0;
}
