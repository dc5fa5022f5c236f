/*
 * Link-time stand-ins for the master's cluster link, and a sink for the
 * event stream (api_stream_set_sink), so tests/unit/test_api_res.c can
 * drive the resource API without sockets (as Mosquitto's unit test stubs
 * do). They record what was sent.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stub_master.h"
#include "../../master/cluster/ha.h"

struct stub_state stub;

int
cluster_command(struct master *m, struct node *n, Hd__Command *cmd)
{
	(void)m;
	if (n->peer == NULL || stub.link_fails)
		return -1;
	if (cmd->id == 0)		/* else the caller's (a firing's) */
		cmd->id = ++stub.next_id;
	stub.last_id = cmd->id;
	stub.ncmds++;
	if (stub.nfids < STUB_MAX_FIDS)
		stub.fids[stub.nfids++] = cmd->firing_id;
	stub.last_pulse = cmd->pulse_ms;
	memset(&stub.last_value, 0, sizeof(stub.last_value));
	if (cmd->value != NULL)
		stub.last_value = *cmd->value;
	return 0;
}

/* The replicated log: 1 (wait for the standby) or 0 as the test says. */
int
ha_logs_commands(const struct master *m)
{
	(void)m;
	return stub.logged;
}

int
ha_command(struct master *m, struct node *n, Hd__Command *cmd)
{
	(void)m;
	if (n->peer == NULL || stub.log_busy)
		return -1;
	cmd->id = ++stub.next_id;
	stub.ncmds++;
	return stub.log_wait;
}

void
ha_set_accepted_hook(struct master *m, void (*fn)(void *, uint64_t),
    void *arg)
{
	(void)m;
	stub.accepted = fn;
	stub.accepted_arg = arg;
}

void
ha_set_cmd_hooks(struct master *m, const struct ha_cmd_hooks *h, void *arg)
{
	(void)m;
	stub.cmd_hooks = *h;
	stub.cmd_hooks_arg = arg;
}

/* A cancel: what the test set, the settlement at position held + 1. */
enum ha_settle
ha_command_cancel(struct master *m, uint64_t id, const char *by,
    uint64_t *pos)
{
	(void)m;
	(void)by;
	stub.cancelled_id = id;
	*pos = stub.held + 1;
	return stub.cancel_answer;
}

uint64_t
ha_log_held(const struct master *m)
{
	(void)m;
	return stub.held;
}

/* Weak: test_ha_log links the real one (cluster/ha_log.c). */
__attribute__((weak)) void
ha_log_commands(struct master *m, void (*fn)(void *,
    const Hd__ReplCommand *, const Hd__ReplResult *), void *arg)
{
	int i;

	(void)m;
	for (i = 0; i < stub.nlog; i++)
		fn(arg, stub.log_cmd[i], stub.log_res[i]);
}

/* Z-Wave inclusion requests (master/zwave/zwave.c): none in these tests. */
int
cluster_send(struct master *m, struct node *n, Hd__Envelope *e)
{
	(void)m;
	(void)e;
	return n->peer == NULL ? -1 : 0;
}

int
stub_sink(void *arg, Hd__WebMsg *msg)
{
	struct stub_event *e;

	(void)arg;
	if (msg->body_case == HD__WEB_MSG__BODY_STREAM_DROP) {
		stub.ndrops++;
		snprintf(stub.drop_user, sizeof(stub.drop_user), "%s",
		    msg->stream_drop->user);
		snprintf(stub.drop_key, sizeof(stub.drop_key), "%s",
		    msg->stream_drop->key);
		return 0;
	}
	if (msg->body_case != HD__WEB_MSG__BODY_STREAM_EVENT ||
	    stub.nevents == STUB_MAX_EVENTS)
		return -1;
	e = &stub.events[stub.nevents++];
	e->id = msg->stream_event->id;
	snprintf(e->name, sizeof(e->name), "%s", msg->stream_event->name);
	snprintf(e->site, sizeof(e->site), "%s", msg->stream_event->site);
	snprintf(e->device, sizeof(e->device), "%s",
	    msg->stream_event->device);
	snprintf(e->data, sizeof(e->data), "%s", msg->stream_event->data);
	return 0;
}
