/*
 * libFuzzer harness for the spawner's messages (master/lib/spawn_msg.c):
 * raw bytes as a datagram from either side. What decodes must encode
 * back to the very same twelve bytes, and carry only what its type may.
 */

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/spawner.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct spawn_msg	m;
	uint8_t			b[SPAWN_MSG_LEN];
	int			side;

	for (side = 0; side < 2; side++) {
		if (spawn_msg_decode(data, size, side, &m) == -1)
			continue;
		spawn_msg_encode(&m, b);
		/* Only STOPALL and STOPPED (about every child) name no
		 * role; the master sends START, KILL and STOPALL. */
		if (size != SPAWN_MSG_LEN || memcmp(b, data, size) != 0 ||
		    (m.role == SPAWN_NONE) != (m.type == SPAWN_STOPALL ||
		    m.type == SPAWN_STOPPED) || m.role >= SPAWN_NROLES ||
		    m.type == 0 || m.type >= SPAWN_NTYPES ||
		    m.pid > INT32_MAX ||
		    (m.type == SPAWN_KILL && m.arg != SIGTERM &&
		    m.arg != SIGKILL) ||
		    (side == 1) != (m.type == SPAWN_START ||
		    m.type == SPAWN_KILL || m.type == SPAWN_STOPALL))
			abort();
	}
	return 0;
}
