/*
 * The master <-> spawner messages (spawner.h): twelve bytes, big-endian,
 *
 *	type(1) role(1) zero(2) pid(4) arg(4)
 *
 * Each side checks every byte of what the other sends: the spawner holds
 * capabilities and takes orders from the master, which faces the network.
 */

#include <signal.h>
#include <stdint.h>
#include <string.h>

#include "lib/spawner.h"

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

static void
put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* Which fields each type may carry. */
static int
fields_ok(const struct spawn_msg *m, int from_master)
{
	switch (m->type) {
	case SPAWN_START:
		return from_master && m->pid == 0 && m->arg == 0;
	case SPAWN_KILL:
		return from_master && m->pid > 0 &&
		    (m->arg == SIGTERM || m->arg == SIGKILL);
	case SPAWN_STARTED:
		return !from_master && m->pid > 0 && m->arg == 0;
	case SPAWN_REFUSED:
		return !from_master && m->pid == 0 && m->arg < 4096;
	case SPAWN_EXITED:
		return !from_master && m->pid > 0 && m->arg <= 0xffff;
	case SPAWN_STOPALL:
		return from_master && m->role == SPAWN_NONE && m->pid == 0 &&
		    m->arg == 0;
	case SPAWN_STOPPED:
		return !from_master && m->role == SPAWN_NONE && m->pid == 0 &&
		    m->arg == 0;
	default:
		return 0;
	}
}

int
spawn_msg_decode(const uint8_t *b, size_t len, int from_master,
    struct spawn_msg *m)
{
	memset(m, 0, sizeof(*m));
	if (len != SPAWN_MSG_LEN || b[2] != 0 || b[3] != 0)
		return -1;
	m->type = b[0];
	m->role = b[1];
	m->pid = get32(b + 4);
	m->arg = get32(b + 8);
	/* Only the messages about all children name no role. */
	if ((m->role == SPAWN_NONE && m->type != SPAWN_STOPALL &&
	    m->type != SPAWN_STOPPED) || m->role >= SPAWN_NROLES ||
	    m->pid > INT32_MAX ||
	    !fields_ok(m, from_master))
		return -1;
	return 0;
}

void
spawn_msg_encode(const struct spawn_msg *m, uint8_t b[SPAWN_MSG_LEN])
{
	b[0] = m->type;
	b[1] = m->role;
	b[2] = b[3] = 0;
	put32(b + 4, m->pid);
	put32(b + 8, m->arg);
}
