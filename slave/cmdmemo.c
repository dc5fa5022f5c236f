/*
 * Recently executed command ids with their outcome, so a command the
 * master repeats (after a reconnect or a failover) is answered, not
 * executed twice. A ring of CLUSTER_RECENT_CMDS entries; id 0 is never
 * issued by a master, so it marks an empty slot.
 */

#include "slave.h"

const struct cmd_memo *
memo_find(const struct slave *s, uint64_t id)
{
	int i;

	if (id == 0)
		return NULL;
	for (i = 0; i < CLUSTER_RECENT_CMDS; i++)
		if (s->memo[i].id == id)
			return &s->memo[i];
	return NULL;
}

void
memo_add(struct slave *s, uint64_t id, Hd__CommandResult__Status status,
    int on)
{
	struct cmd_memo *m = &s->memo[s->memo_next];

	if (id == 0)
		return;
	m->id = id;
	m->status = status;
	m->on = on;
	s->memo_next = (s->memo_next + 1) % CLUSTER_RECENT_CMDS;
}
