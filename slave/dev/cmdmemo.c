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

/* Keeps a scalar copy of the confirmed value; text values are not kept. */
void
memo_add(struct slave *s, uint64_t id, Hd__CommandResult__Status status,
    const Hd__Value *v)
{
	struct cmd_memo *m = &s->memo[s->memo_next];

	if (id == 0)
		return;
	s->memo_next = (s->memo_next + 1) % CLUSTER_RECENT_CMDS;
	m->id = id;
	m->status = status;
	hd__value__init(&m->value);
	if (v == NULL)
		return;
	m->value.v_case = v->v_case;
	switch (v->v_case) {
	case HD__VALUE__V_B:
		m->value.b = v->b;
		break;
	case HD__VALUE__V_I:
		m->value.i = v->i;
		break;
	case HD__VALUE__V_D:
		m->value.d = v->d;
		break;
	default:
		m->value.v_case = HD__VALUE__V__NOT_SET;
	}
}
