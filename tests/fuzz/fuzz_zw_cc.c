/*
 * libFuzzer harness for the command-class decoders (slave/zw_cc.c,
 * zw_cc_sensor.c): the input is one command as a node would send it
 * inside ApplicationCommandHandler. A decoded value must have a key, a
 * unit, and a finite number within what its size allows.
 */

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../slave/zw_cc.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct zw_cc_value	v[2];
	struct zw_cc_info	info;
	uint8_t			out[4];
	int			n;

	memset(v, 0, sizeof(v));
	n = zw_cc_decode(data, size, v, 1);
	if (n < -1 || n > 1)
		abort();
	if (n == 1 && (v[0].key == NULL || v[0].unit == NULL ||
	    strlen(v[0].key) == 0 || v[1].key != NULL ||
	    (v[0].type == ZW_V_NUM && (!isfinite(v[0].num) ||
	    fabs(v[0].num) > 2147483648.0))))
		abort();
	memset(&info, 0, sizeof(info));
	if (zw_cc_decode_info(data, size, &info) < -1)
		abort();
	if (size >= 1 && zw_cc_get(out, sizeof(out), data[0]) > 2)
		abort();
	if (size >= 2 && zw_cc_set_level(out, sizeof(out), data[1]) > 3)
		abort();
	return 0;
}
