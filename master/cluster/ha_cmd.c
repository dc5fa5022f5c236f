/*
 * The API's commands through the replicated log (cluster/ha.h,
 * docs/FAILOVER.md, "Commands through the log"): with slave lines, a
 * command is a record of the master's log, held by every synchronous
 * standby before it is sent to its slave; its result is a record too.
 * A slave that registers is sent again every command of the log it has
 * not answered, with the same id: its memo answers the ones it did.
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

int
ha_logs_commands(const struct master *m)
{
	return m->ha != NULL && m->ha->el != NULL;
}

void
ha_set_accepted_hook(struct master *m, void (*fn)(void *, uint64_t),
    void *arg)
{
	if (m->ha == NULL)
		return;
	m->ha->accepted_fn = fn;
	m->ha->accepted_arg = arg;
}

void
ha_set_cmd_hooks(struct master *m, const struct ha_cmd_hooks *h, void *arg)
{
	if (m->ha == NULL)
		return;
	m->ha->cmd_hooks = *h;
	m->ha->cmd_hooks_arg = arg;
}

uint64_t
ha_log_held(const struct master *m)
{
	return ha_logs_commands(m) ? m->ha->el->r.acted : 0;
}

enum ha_settle
ha_command_cancel(struct master *m, uint64_t id, const char *by,
    uint64_t *pos)
{
	struct ha	*ha = m->ha;
	enum ha_settle	 s;
	char		 detail[HA_REC_DETAIL_MAX + 1];

	if (!ha_logs_commands(m))
		return HA_SETTLE_UNKNOWN;
	snprintf(detail, sizeof(detail), "cancelled by %s: not sent again",
	    by);
	if ((s = ha_log_settle(ha, id, HD__COMMAND_RESULT__STATUS__CANCELLED,
	    detail, pos, ha_elect_run)) == HA_SETTLE_DONE)
		log_warnx("failover: command %" PRIu64 " %s", id, detail);
	return s;
}

/* The master's machine, and slave n's number in the slave lines. */
static struct ha *
master_of(struct master *m, const struct node *n, uint32_t *slave)
{
	int i;

	/* Without the lease another master may be elected already: the
	 * next tick steps down (elect_lease_ok). */
	if (!ha_logs_commands(m) || m->ha->el->role != ELECT_MASTER ||
	    !elect_lease_ok(m->ha->el, ev_clock_ms()) ||
	    (i = ha_slaves_find(&m->conf.slaves, n->id)) == -1)
		return NULL;
	*slave = (uint32_t)i;
	return m->ha;
}

int
ha_command(struct master *m, struct node *n, Hd__Command *cmd)
{
	Hd__ReplRecord	 rec = HD__REPL_RECORD__INIT;
	Hd__ReplCommand	 rc = HD__REPL_COMMAND__INIT;
	struct ha	*ha;
	struct ha_rec	 check;
	uint32_t	 slave;
	uint64_t	 pos;
	char		 why[160];

	if ((ha = master_of(m, n, &slave)) == NULL)
		return -1;
	/* The position and id the machine gives it (elect_command). */
	pos = ha->el->r.d.len + 1;
	cmd->id = ha->el->d.term << 32 | (ha->el->next_cmd + 1);
	rc.slave = n->id;
	rc.command = cmd;
	rc.site = (char *)(uintptr_t)n->site;
	rc.issued_ms = ev_wall_ms();
	rec.pos = pos;
	rec.change_case = HD__REPL_RECORD__CHANGE_COMMAND;
	rec.command = &rc;
	if (ha_wire_rec_in(&rec, pos - 1, &m->conf.slaves, &check, why,
	    sizeof(why)) == -1) {
		log_warnx("failover: command to %s not logged: %s", n->id, why);
		return -1;
	}
	ha_out_clear(ha->out);
	ha_log_next(ha, &rec);
	if (elect_command(ha->el, slave, 0, ha->out) != cmd->id) {
		ha_log_next(ha, NULL);
		if (ha->el->r.d.len >= pos)
			fatalx("failover: command %" PRIu64 " logged with "
			    "another id", cmd->id);
		return -1;	/* its slave's queue or the log is full */
	}
	ha_elect_run(ha);
	return ha->el->r.acted >= pos ? 0 : 1;
}

/* A result as the log keeps it: the detail cut to HA_REC_DETAIL_MAX,
 * a value the record may not hold left out. */
static void
result_rec(const Hd__CommandResult *res, Hd__CommandResult *out,
    char *detail)
{
	*out = *res;
	snprintf(detail, HA_REC_DETAIL_MAX + 1, "%s",
	    res->detail != NULL ? res->detail : "");
	out->detail = detail;
	if (out->value != NULL && (out->value->v_case ==
	    HD__VALUE__V__NOT_SET || (out->value->v_case == HD__VALUE__V_S &&
	    (out->value->s == NULL || strlen(out->value->s) > VALUE_STR_MAX))))
		out->value = NULL;
}

void
ha_command_result(struct master *m, struct node *n,
    const Hd__CommandResult *res)
{
	Hd__ReplRecord		 rec = HD__REPL_RECORD__INIT;
	Hd__ReplResult		 rr = HD__REPL_RESULT__INIT;
	Hd__CommandResult	 cr;
	struct ha		*ha;
	struct ha_msg		 msg;
	struct ha_rec		 check;
	uint32_t		 slave;
	char			 detail[HA_REC_DETAIL_MAX + 1], why[160];

	struct ha_pl		*p;

	if (res->status == HD__COMMAND_RESULT__STATUS__QUEUED ||
	    (ha = master_of(m, n, &slave)) == NULL ||
	    (p = ha_log_command(ha, res->id)) == NULL)
		return;		/* not final, or not a command of the log */
	if (res->status == HD__COMMAND_RESULT__STATUS__CANCELLED ||
	    res->status == HD__COMMAND_RESULT__STATUS__EXPIRED) {
		log_warnx("failover: slave %s answered command %" PRIu64
		    " with a status only the master's log gives: ignored",
		    n->id, res->id);
		return;
	}
	if (!res->duplicate && ha_log_master_settled(ha, res->id))
		/* Settled first (a cancel, an expiry): the log keeps that,
		 * but the operator must hear the device moved after all. */
		log_warnx("failover: command %" PRIu64 " was settled without "
		    "%s, which executed it after all (%s, before the "
		    "settlement reached it): the log keeps the settlement",
		    res->id, n->id, res->status ==
		    HD__COMMAND_RESULT__STATUS__OK ? "ok" : "failed");
	result_rec(res, &cr, detail);
	rr.slave = n->id;
	rr.result = &cr;
	rr.done_ms = ev_wall_ms();
	rec.pos = ha->el->r.d.len + 1;
	rec.change_case = HD__REPL_RECORD__CHANGE_RESULT;
	rec.result = &rr;
	if (ha_wire_rec_in(&rec, rec.pos - 1, &m->conf.slaves, &check, why,
	    sizeof(why)) == -1) {
		log_warnx("failover: result of command %" PRIu64 " from %s "
		    "not logged: %s", res->id, n->id, why);
		return;
	}
	memset(&msg, 0, sizeof(msg));
	msg.type = HA_RESULT;
	msg.from = HA_SLAVE(slave);
	msg.to = ha->el->self;
	msg.term = ha->el->d.term;
	msg.id = res->id;
	msg.value = (int64_t)res->status;
	ha_out_clear(ha->out);
	ha_log_next(ha, &rec);
	elect_recv(ha->el, ev_clock_ms(), &msg, ha->out);
	ha_elect_run(ha);
}

void
ha_node_online(struct master *m, struct node *n)
{
	struct ha	*ha;
	uint32_t	 slave;

	if ((ha = master_of(m, n, &slave)) == NULL)
		return;
	/* What is past its expiry is settled first: never sent late. */
	ha_log_expire(ha, ev_wall_ms(), ha_elect_run);
	ha_log_resend(ha, slave);
}
