/*
 * Commands of the log settled without their slave (docs/FAILOVER.md,
 * "Stuck and late commands"): an operator's cancel, or an expiry once a
 * command has waited CMD_LOG_EXPIRE_MS for a slave that did not answer.
 * Either is a result record (CommandResult CANCELLED or EXPIRED) that
 * the master makes itself, replicated like a slave's result, so that a
 * standby taking over agrees and never sends the command again. The
 * log's first settlement wins: a slave's result after a cancel is
 * dropped (and logged: the slave acted before the cancel reached it),
 * a cancel after a result is refused.
 *
 * These functions run the step through the caller's `run` (persist,
 * send, act: ha_elect_run), so that the unit test can drive them
 * without the rest of the election.
 */

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cluster/cluster.h"
#include "cluster/ha_int.h"
#include "elect.h"
#include "ha_wire.h"
#include "log.h"
#include "master.h"

/* The machine's index of command id, or -1. */
static int64_t
command_index(const struct repl *r, uint64_t id)
{
	uint64_t i;

	for (i = r->d.n; i-- > 0; )
		if (r->d.log[i].kind == HA_REC_COMMAND && r->d.log[i].id == id)
			return (int64_t)i;
	return -1;
}

enum ha_settle
ha_log_settle(struct ha *ha, uint64_t id, int status, const char *detail,
    uint64_t *pos, void (*run)(struct ha *))
{
	Hd__ReplRecord		 rec = HD__REPL_RECORD__INIT;
	Hd__ReplResult		 rr = HD__REPL_RESULT__INIT;
	Hd__CommandResult	 cr = HD__COMMAND_RESULT__INIT;
	struct repl		*r = &ha->el->r;
	struct ha_pl		*p;
	struct ha_rec		 check;
	int64_t			 c;
	char			 why[160], slave[NODE_ID_MAX + 1];

	ha_out_clear(ha->out);
	if (ha->el->role != ELECT_MASTER || (p = ha_log_command(ha, id)) ==
	    NULL || (c = command_index(r, id)) < 0)
		return HA_SETTLE_UNKNOWN;
	if (r->d.log[c].pos > r->acted)
		return HA_SETTLE_NOT_YET;
	if (r->done[c])
		return HA_SETTLE_ALREADY;
	cr.id = id;
	cr.status = (Hd__CommandResult__Status)status;
	cr.detail = (char *)(uintptr_t)detail;
	/* A copy: the step's sync may free records of the log. */
	snprintf(slave, sizeof(slave), "%s", p->r->command->slave);
	rr.slave = slave;
	rr.result = &cr;
	rr.done_ms = ev_wall_ms();
	rec.pos = r->d.len + 1;
	rec.change_case = HD__REPL_RECORD__CHANGE_RESULT;
	rec.result = &rr;
	if (ha_wire_rec_in(&rec, rec.pos - 1, &ha->m->conf.slaves, &check, why,
	    sizeof(why)) == -1) {
		log_warnx("failover: command %" PRIu64 " not settled: %s", id,
		    why);
		return HA_SETTLE_UNKNOWN;
	}
	ha_log_next(ha, &rec);
	if (repl_settle(r, id, (int64_t)status, ha->out) == -1) {
		ha_log_next(ha, NULL);
		return HA_SETTLE_FULL;	/* the log full of unsettled ones */
	}
	*pos = rec.pos;
	run(ha);		/* while rec, the step's record, lives */
	return HA_SETTLE_DONE;
}

/* Command p was logged CMD_LOG_EXPIRE_MS ago or more. One without its
 * time (0; every version so far logs it) never expires; one with a
 * time ahead of our clock (set back since) waits for the clock. */
static int
expired(const struct ha_pl *p, uint64_t now_wall)
{
	uint64_t at = p->r->command->issued_ms;

	return at != 0 && now_wall >= at &&
	    now_wall - at >= CMD_LOG_EXPIRE_MS;
}

int
ha_log_expire(struct ha *ha, uint64_t now_wall, void (*run)(struct ha *))
{
	struct repl	*r = &ha->el->r;
	struct ha_pl	*p;
	uint64_t	 k, id, pos;
	char		 detail[HA_REC_DETAIL_MAX + 1];
	int		 n = 0;

	if (ha->el->role != ELECT_MASTER)
		return 0;
	for (k = 0; k < r->d.n; k++) {
		if (r->d.log[k].kind != HA_REC_COMMAND || r->done[k] ||
		    r->d.log[k].pos > r->acted ||
		    (p = ha_log_at(ha, k)) == NULL || !expired(p, now_wall))
			continue;
		id = r->d.log[k].id;
		snprintf(detail, sizeof(detail), "no result from slave %s "
		    "within %d s of the command: not sent again",
		    p->r->command->slave, CMD_LOG_EXPIRE_MS / 1000);
		if (ha_log_settle(ha, id, HD__COMMAND_RESULT__STATUS__EXPIRED,
		    detail, &pos, run) != HA_SETTLE_DONE)
			continue;
		log_warnx("failover: command %" PRIu64 " expired: %s", id,
		    detail);
		if (ha->cmd_hooks.settled != NULL)
			ha->cmd_hooks.settled(ha->cmd_hooks_arg, id,
			    HD__COMMAND_RESULT__STATUS__EXPIRED, detail);
		n++;
		k = UINT64_MAX;	/* from 0 again: a compaction moves records */
	}
	return n;
}

/* Command id's result in the log is a master's settlement (CANCELLED,
 * EXPIRED), not a slave's: 1, else 0. */
int
ha_log_master_settled(struct ha *ha, uint64_t id)
{
	const Hd__CommandResult	*cr;
	struct ha_pl		*p;
	uint64_t		 k;

	for (k = 0; (p = ha_log_at(ha, k)) != NULL; k++) {
		if (p->r->change_case != HD__REPL_RECORD__CHANGE_RESULT ||
		    (cr = p->r->result->result)->id != id)
			continue;
		return cr->status == HD__COMMAND_RESULT__STATUS__CANCELLED ||
		    cr->status == HD__COMMAND_RESULT__STATUS__EXPIRED;
	}
	return 0;
}
