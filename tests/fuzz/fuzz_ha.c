/*
 * libFuzzer harness for the failover machines (shared/vote.c, elect.c,
 * repl.c): every field of their messages comes from a peer once the
 * daemons decode proto/ha.proto, so any value must leave them sane.
 * The input is a series of 48-byte messages, each to one of three
 * machines: a slave, a master (node 1, elected first), a standby
 * (node 0); a byte per message also moves the clock and may tick.
 */

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "elect.h"
#include "ha.h"
#include "vote.h"

#define CHUNK	48

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct vote	v;
static struct elect	master, standby;
static struct ha_out	out;

static uint64_t
u64(const uint8_t *p)
{
	uint64_t x = 0;
	int i;

	for (i = 0; i < 8; i++)
		x = x << 8 | p[i];
	return x;
}

/* Node 1 of 2, three slaves: master of term 1 after two votes. */
static void
setup(void)
{
	struct ha_msg	m;
	uint64_t	now = 0;
	int		i;

	vote_init(&v, HA_SLAVE(0), 0);
	elect_init(&standby, 0, 2, 3, 0);
	elect_init(&master, 1, 2, 3, 0);
	for (i = 0; i < 20 && master.role != ELECT_CANDIDATE; i++) {
		now += HA_TICK_MS;
		ha_out_clear(&out);
		elect_tick(&master, now, 0, &out);
	}
	memset(&m, 0, sizeof(m));
	m.type = HA_VOTE;
	m.to = 1;
	for (i = 0; i < 4; i++) {
		m.from = HA_SLAVE(i % 2);
		m.flags = HA_F_GRANTED | (i < 2 ? HA_F_PRE : 0);
		m.term = 1;
		ha_out_clear(&out);
		elect_recv(&master, now, &m, &out);
	}
	if (master.role != ELECT_MASTER)
		abort();
}

/* A message from the bytes: each field as a peer could set it. */
static void
decode(const uint8_t *p, struct ha_msg *m)
{
	uint32_t i;

	memset(m, 0, sizeof(*m));
	m->type = p[0] % 12;
	m->from = p[1] % (HA_MAX_MASTERS + HA_MAX_SLAVES + 2);
	m->term = p[2] % 6;
	m->flags = p[3];
	m->fence.term = p[4] % 6;
	m->fence.seq = p[5] % 4;
	m->fence.allowed = p[6];
	m->id = p[7] < 128 ? p[7] : u64(p + 8);
	m->value = (int64_t)u64(p + 16);
	m->base = p[24] % 6;
	m->pos = p[25] % 40;
	m->nrec = p[26] % (HA_REPL_BATCH + 4);
	for (i = 0; i < HA_REPL_BATCH; i++) {
		m->rec[i].pos = m->pos + i + 1 + (p[27] == i);
		m->rec[i].kind = p[28 + i % 8] % 4;
		m->rec[i].slave = p[36 + i % 8] % (HA_MAX_SLAVES + 2);
		m->rec[i].id = p[44 + i % 4];
		m->rec[i].value = i;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ha_msg	m;
	uint64_t	now = 2000;
	size_t		off;

	setup();
	for (off = 0; off + CHUNK <= size; off += CHUNK) {
		decode(data + off, &m);
		now += data[off + 47] % 200;
		ha_out_clear(&out);
		switch (data[off + 46] % 4) {
		case 0:
			m.to = v.self;
			vote_recv(&v, now, &m, &out);
			break;
		case 1:
			m.to = master.self;
			elect_recv(&master, now, &m, &out);
			break;
		case 2:
			m.to = standby.self;
			elect_recv(&standby, now, &m, &out);
			break;
		default:
			elect_tick(&master, now, data[off], &out);
			if (master.role == ELECT_MASTER)
				elect_command(&master, data[off] % 4, 1, &out);
			elect_tick(&standby, now, data[off], &out);
		}
		if (out.nmsg > HA_OUT_MSGS || out.nev > HA_OUT_EVENTS ||
		    master.r.d.n > HA_LOG_MAX ||
		    standby.r.d.n > HA_LOG_MAX)
			abort();
	}
	return 0;
}
