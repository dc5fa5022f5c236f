/*
 * Sending to Z-Wave nodes: SendData (through the security hook for a
 * class the node takes only securely, held for a sleeping node), the
 * transmit status of its callback, and the state polls, paced so they
 * never fill the session's queue. zw_node.c has the interview and
 * reports, zw_node_cmd.c the commands.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "slave.h"
#include "zwave/zw.h"
#include "zwave/zw_transport.h"
#include "zwave/zw_cc.h"
#include "zwave/zw_sec.h"

#define TX_OPTIONS	0x25	/* ACK, auto route, explore */

/*
 * SendData: node, length, command, transmit options, callback id. The
 * callback's second byte is the transmit status.
 */
int
zw_node_send(struct zw_ctrl *c, int id, const uint8_t *cmd, size_t n,
    enum zw_prio prio, zw_done_fn *done, void *arg)
{
	/* A class the node supports securely goes encapsulated (zw_sec.c). */
	if (n > 0 && zw_sec_wanted(&c->node[id], cmd[0]))
		return zw_sec_send(c, id, cmd, n, prio, done, arg);
	return zw_node_send_clear(c, id, cmd, n, prio, 0, done, arg);
}

/*
 * SendData in clear, past the security hook; zw_sec.c sends its own
 * frames with it. `urgent`: ahead of everything queued, and never held
 * for a sleeping node (it answers the node, which is awake).
 */
int
zw_node_send_clear(struct zw_ctrl *c, int id, const uint8_t *cmd, size_t n,
    enum zw_prio prio, int urgent, zw_done_fn *done, void *arg)
{
	struct zw_req	r;
	enum zw_status	st;

	if (n == 0 || n + 4 > sizeof(r.payload))
		return -1;
	/* Too long for one radio frame: in segments, if the node takes
	 * them (else as one frame, which a 100 kbit/s link may carry). */
	if (n > ZW_TS_FRAME_MAX && zw_node_has(&c->node[id], ZW_CC_TRANSPORT))
		return zw_ts_send(c, id, cmd, n, prio, urgent, done, arg);
	memset(&r, 0, sizeof(r));
	r.func = ZW_FN_SEND_DATA;
	r.payload[0] = (uint8_t)id;
	r.payload[1] = (uint8_t)n;
	memcpy(r.payload + 2, cmd, n);
	r.payload[2 + n] = TX_OPTIONS;
	r.cb_idx = (int)(3 + n);
	r.len = 4 + n;
	r.want_res = 1;
	r.prio = prio;
	r.urgent = urgent;
	r.done = done;
	r.arg = arg;
	if (!urgent && zw_mgmt_hold(c, &c->node[id], &r))
		return 0;	/* asleep: sent at its wake-up */
	if (zw_stick_submit(c->stick, &r, &st) == -1) {
		log_debug("zwave: node %d: send: %s", id, zw_status_str(st));
		return -1;
	}
	return 0;
}

/* The transmit status of a finished SendData: 0 delivered, 1 the node did
 * not acknowledge or has no route (NO_ACK, NO_ROUTE), -1 the stick failed
 * (a radio that stayed jammed or busy too: zw_session.c retried it; the
 * node is not to blame). */
int
zw_tx_result(enum zw_status st, const struct zw_frame *cb)
{
	if (st != ZW_OK || cb == NULL || cb->len < 2)
		return -1;
	return cb->payload[1] == ZW_TX_OK ? 0 : 1;
}

static void
poll_done(void *arg, enum zw_status st, const struct zw_frame *res,
    const struct zw_frame *cb)
{
	struct zw_node	*zn = arg;
	int		 tx = zw_tx_result(st, cb);

	(void)res;
	if (zn->ctrl->stopping)
		return;
	if (tx != -1)
		zw_node_fail(zn->ctrl, zn, tx == 1);
	zw_node_poll_pace(zn->ctrl);		/* room for the next */
}

/* A poll that cannot be queued is said, not dropped in silence. */
void
zw_node_poll_send(struct zw_ctrl *c, struct zw_node *zn, const uint8_t *cmd,
    size_t n)
{
	if (zw_node_send(c, zw_node_id(c, zn), cmd, n, ZW_PRIO_POLL, poll_done,
	    zn) == -1)
		log_warnx("zwave: node %d: state poll 0x%02x not queued (the "
		    "stick's queue is full or it is gone): asked at the next "
		    "start", zw_node_id(c, zn), cmd[0]);
}

void
zw_node_poll_pace(struct zw_ctrl *c)
{
	int id;

	ev_timer_stop(c->s->loop, &c->poll_timer);
	if (c->stopping || !c->up)
		return;
	for (id = 1; id <= ZW_MAX_NODES; id++) {
		if (!c->node[id].poll_due)
			continue;
		if (zw_stick_load(c->stick) >= ZW_POLL_PACE_BELOW) {
			ev_timer_start(c->s->loop, &c->poll_timer,
			    ZW_POLL_PACE_MS);
			return;
		}
		c->node[id].poll_due = 0;
		/* Its secure inclusion began meanwhile: its end asks. */
		if (c->node[id].dev != NULL && !zw_sec_booting(&c->node[id]))
			zw_node_refresh(c, id);
	}
}

void
zw_on_poll_timer(struct ev_timer *t)
{
	zw_node_poll_pace(t->arg);
}

/* A value class's GET, and for a multi-sensor or a meter its Supported
 * Get too (zw_node_supported() then asks for each value it lists). */
static void
poll_class(struct zw_ctrl *c, struct zw_node *zn, uint8_t cc)
{
	uint8_t	cmd[2];
	size_t	n;

	if ((n = zw_cc_get(cmd, sizeof(cmd), cc)) > 0)
		zw_node_poll_send(c, zn, cmd, n);
	if ((n = zw_cc_supported_get(cmd, sizeof(cmd), cc)) > 0)
		zw_node_poll_send(c, zn, cmd, n);
}

/*
 * A Sensor Multilevel Supported Sensor Report or a Meter Supported
 * Report: a GET for each sensor type, or each scale and rate type, it
 * lists (ZW_POLL_SUPPORTED_MAX at most). The version 1 GET gave one
 * sensor of a multi-sensor and a meter's default scale only. 1 if `cmd`
 * was one of them (taken, or malformed and dropped).
 */
int
zw_node_supported(struct zw_ctrl *c, struct zw_node *zn, uint8_t ep,
    const uint8_t *cmd, size_t len)
{
	uint8_t	gets[ZW_POLL_SUPPORTED_MAX][4];
	int	i, n;

	if ((n = zw_cc_supported(cmd, len, gets, ZW_POLL_SUPPORTED_MAX)) == 0)
		return 0;
	if (n < 0)
		log_warnx("zwave: node %d: malformed Supported report of class "
		    "0x%02x dropped", zw_node_id(c, zn), cmd[0]);
	if (n < 0 || ep != 0)
		return 1;	/* an endpoint keeps its plain GET */
	for (i = 0; i < n; i++)
		zw_node_poll_send(c, zn, gets[i],
		    zw_cc_supported_len(gets[i]));
	return 1;
}

/* Ask the node for the state of every class that has values, and for its
 * manufacturer and product until they are known. */
void
zw_node_refresh(struct zw_ctrl *c, int id)
{
	struct zw_node	*zn = &c->node[id];
	uint8_t		 cmd[2];
	size_t		 i, n;

	/* Classes supported only securely (zw_node_send encapsulates them). */
	for (i = 0; i < zn->nscc; i++)
		if (memchr(zn->cc, zn->scc[i], zn->ncc) == NULL &&
		    zw_cc_has_values(zn->scc[i]))
			poll_class(c, zn, zn->scc[i]);
	if (zw_node_has(zn, ZW_CC_MANUFACTURER) && !zn->have_mfr &&
	    (n = zw_cc_get(cmd, sizeof(cmd), ZW_CC_MANUFACTURER)) > 0)
		zw_node_poll_send(c, zn, cmd, n);

	for (i = 0; i < zn->ncc; i++) {
		if (zn->cc[i] == ZW_CC_NOTIFICATION ||
		    (zn->cc[i] == ZW_CC_BASIC &&
		    (zw_node_has(zn, ZW_CC_SWITCH_BINARY) ||
		    zw_node_has(zn, ZW_CC_SWITCH_MULTILEVEL))))
			continue;	/* no plain GET, or said already */
		if (zw_cc_has_values(zn->cc[i]))
			poll_class(c, zn, zn->cc[i]);
	}
	zw_mgmt_refresh(c, zn);
}
