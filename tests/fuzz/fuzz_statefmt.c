/*
 * libFuzzer harness for the state files' format probe (shared/statefmt.c,
 * state_file_format() and state_format_scan()): a standby reads the
 * number of every file the master sends it before it takes the file, so
 * the probe sees a peer's bytes. The first input byte picks the file's
 * name, the rest are its bytes; the probe must stay within them.
 */

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "statefmt.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const char *const names[] = {
	"master.state", "users", "tokens", "sessions", "bans", "sched.state",
	"history", "licence.grace", "licence.slaves", "licence.pem",
	"events.last-good", "cmdmemo.state", "zwave.provision", "nothing",
};
#define NNAMES	(sizeof(names) / sizeof(names[0]))

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t		*copy;
	uint32_t	 reads, fmt;

	if (size == 0)
		return 0;
	/* An exact-size copy, so that ASan sees any read past the end. */
	if ((copy = malloc(size - 1 > 0 ? size - 1 : 1)) == NULL)
		abort();
	memcpy(copy, data + 1, size - 1);
	state_file_format(names[data[0] % NNAMES], copy, size - 1, &reads);
	state_format_scan(copy, size - 1, &fmt);
	free(copy);
	return 0;
}
