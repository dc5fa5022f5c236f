/*
 * libFuzzer harness for the QR code string parser (slave/zwave/zw_s2_qr.c):
 * the input is what a user types or pastes. Whatever comes in, a parse
 * that succeeds must describe a code the parser takes again once it is
 * written back out in its canonical form (digits only), and a refusal
 * must say why.
 */

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../slave/zwave/zw_s2.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct zw_s2_qr	 r, again;
	const char	*why;
	char		 canon[ZW_QR_MAX];
	size_t		 i, n = 0;

	why = zw_s2_qr_parse((const char *)data, size, &r);
	if (why != NULL) {
		if (*why == '\0')
			abort();
		return 0;
	}
	for (i = 0; i < size; i++)
		if (data[i] >= '0' && data[i] <= '9')
			canon[n++] = (char)data[i];
	if (n < ZW_QR_MIN || n > ZW_QR_MAX ||
	    zw_s2_qr_parse(canon, n, &again) != NULL ||
	    memcmp(&r, &again, sizeof(r)) != 0)
		abort();
	return 0;
}
