/*
 * Configuration parameters, a node maintenance operation (zw_maint.h):
 * read one (CONFIG_GET) or set one (CONFIG_SET), one question at a time,
 * each answered by the node within ZW_MGMT_REPLY_MS of its delivery.
 *
 *	version 3+:	Properties Get (size, format, range, default; a
 *			size of 0: no such parameter), Name Get (GET only;
 *			a name may take several reports), then
 *	any version:	Get, whose report gives the value (and, below
 *			version 3, the size a Set must use); for a SET,
 *			the value is checked against the range (or what
 *			the size holds), then Set and Get again: DONE when
 *			the node reports the value asked for.
 *
 * The node's classes go through zw_node_send, encapsulated when the node
 * supports Configuration only securely. A sleeping node's operation waits
 * for its wake-up (zw_maint_queue.c).
 */

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "slave.h"
#include "zwave/zw.h"
#include "zwave/zw_maint.h"

#define OP_GET		HD__ZW_NODE_OP__OP__CONFIG_GET
#define OP_SET		HD__ZW_NODE_OP__OP__CONFIG_SET
#define ST_DONE		HD__ZW_NODE_OP_RESULT__STATE__DONE
#define ST_FAILED	HD__ZW_NODE_OP_RESULT__STATE__FAILED
#define ST_REFUSED	HD__ZW_NODE_OP_RESULT__STATE__REFUSED

enum cfg_step { CFG_PROPS = 1, CFG_NAME, CFG_GET, CFG_SET, CFG_CONFIRM };

static const char *const step_names[] = { "", "properties", "name",
    "value", "set", "confirmation" };

static int
is_config(int op)
{
	return op == OP_GET || op == OP_SET;
}

/* The version the node's interview found for Configuration; 0 unknown. */
static int
config_version(const struct zw_node *zn)
{
	size_t i;

	for (i = 0; i < zn->ncc; i++)
		if (zn->cc[i] == ZW_CC_CONFIGURATION)
			return zn->ccver[i];
	return 0;
}

/* The operation's end, with the parameter as the node told it. */
static void
config_end(struct zw_ctrl *c, int state, const char *why)
{
	struct zw_maint		*m = c->maint;
	Hd__ZwNodeOpResult	 r = HD__ZW_NODE_OP_RESULT__INIT;
	Hd__Envelope		 e = HD__ENVELOPE__INIT;

	ev_timer_stop(c->s->loop, &m->timer);
	r.op = m->op;
	r.node_id = (uint32_t)m->node;
	r.state = state;
	r.reason = (char *)(uintptr_t)why;
	r.param = m->cfg_param;
	if (m->have_value) {
		r.value = m->value.value;
		r.size = m->value.size;
	}
	if (m->have_props && m->props.size != 0) {
		r.have_range = 1;
		r.min = m->props.min;
		r.max = m->props.max;
		r.dflt = m->props.dflt;
	}
	r.name = m->cfg_name;
	log_info("zwave: configuration of node %d, parameter %u: %s", m->node,
	    m->cfg_param, why);
	m->op = -1;
	m->node = 0;
	m->cfg_step = 0;
	e.body_case = HD__ENVELOPE__BODY_ZW_NODE_OP_RESULT;
	e.zw_node_op_result = &r;
	c->s->up->send_reliable(c->s, &e);
	zw_maint_after(c, (int)r.node_id);
}

static void
cfg_sent(void *arg, enum zw_status st, const struct zw_frame *res,
    const struct zw_frame *cb)
{
	struct zw_ctrl	*c = arg;
	struct zw_maint	*m = c->maint;
	int		 tx = zw_tx_result(st, cb);

	(void)res;
	if (c->stopping || !is_config(m->op) || m->cfg_step == 0)
		return;
	if (tx != 0) {
		config_end(c, ST_FAILED, tx == 1 ? "the node did not "
		    "acknowledge" : zw_status_str(st == ZW_OK ? ZW_ERR_JAMMED :
		    st));
		return;
	}
	if (m->cfg_step == CFG_SET) {	/* no report: ask the value */
		uint8_t q[4];

		m->cfg_step = CFG_CONFIRM;
		m->have_value = 0;
		if (zw_node_send(c, m->node, q, zw_cc_config_get(q, sizeof(q),
		    m->cfg_param), ZW_PRIO_USER, cfg_sent, c) == -1)
			config_end(c, ST_FAILED, "not queued");
		return;
	}
	ev_timer_start(c->s->loop, &m->timer, ZW_MGMT_REPLY_MS);
}

static void
ask(struct zw_ctrl *c, enum cfg_step step)
{
	struct zw_maint	*m = c->maint;
	uint8_t		 q[8];
	size_t		 n;

	m->cfg_step = step;
	if (step == CFG_PROPS)
		n = zw_cc_config_props_get(q, sizeof(q), m->cfg_param);
	else if (step == CFG_NAME)
		n = zw_cc_config_name_get(q, sizeof(q), m->cfg_param);
	else if (step == CFG_SET)
		n = zw_cc_config_set(q, sizeof(q), m->cfg_param,
		    m->have_props ? m->props.size : m->value.size, m->cfg_want);
	else
		n = zw_cc_config_get(q, sizeof(q), m->cfg_param);
	if (n == 0 || zw_node_send(c, m->node, q, n, ZW_PRIO_USER, cfg_sent,
	    c) == -1)
		config_end(c, ST_FAILED, "the stick's queue refused it");
}

/* The value is known (and for a SET, its size): set it, or done. */
static void
got_value(struct zw_ctrl *c)
{
	struct zw_maint	*m = c->maint;
	char		 why[ZW_INCL_REASON_MAX + 1];
	uint8_t		 size = m->have_props ? m->props.size : m->value.size;
	uint8_t		 fmt = m->have_props ? m->props.format : 0;

	if (m->cfg_step == CFG_CONFIRM) {
		if (m->value.value == m->cfg_want)
			snprintf(why, sizeof(why), "set to %" PRId64,
			    m->cfg_want);
		else
			snprintf(why, sizeof(why), "the node kept %" PRId64
			    " (asked %" PRId64 ")", m->value.value,
			    m->cfg_want);
		config_end(c, m->value.value == m->cfg_want ? ST_DONE :
		    ST_FAILED, why);
		return;
	}
	if (m->op == OP_GET) {
		snprintf(why, sizeof(why), "value %" PRId64, m->value.value);
		config_end(c, ST_DONE, why);
		return;
	}
	if ((m->have_props && (m->cfg_want < m->props.min ||
	    m->cfg_want > m->props.max)) || !zw_cc_config_fits(m->cfg_want,
	    size, fmt)) {
		if (m->have_props)
			snprintf(why, sizeof(why), "%" PRId64 " is out of the "
			    "parameter's range %" PRId64 "..%" PRId64,
			    m->cfg_want, m->props.min, m->props.max);
		else
			snprintf(why, sizeof(why), "%" PRId64 " does not fit "
			    "the parameter's %u bytes", m->cfg_want, size);
		config_end(c, ST_REFUSED, why);
		return;
	}
	ask(c, CFG_SET);
}

int
zw_config_receive(struct zw_ctrl *c, struct zw_node *zn, uint8_t ep,
    const uint8_t *cmd, size_t len)
{
	struct zw_maint	*m = c->maint;
	uint16_t	 param;
	uint8_t		 follow;

	if (len < 2 || cmd[0] != ZW_CC_CONFIGURATION)
		return 0;
	if (m == NULL || !is_config(m->op) || m->node != zw_node_id(c, zn) ||
	    ep != 0) {
		log_debug("zwave: node %d: configuration report not awaited",
		    zw_node_id(c, zn));
		return 1;
	}
	if (cmd[1] == ZW_CONFIG_PROPS_REPORT && m->cfg_step == CFG_PROPS) {
		if (zw_cc_config_props(cmd, len, &m->props) == -1 ||
		    m->props.param != m->cfg_param)
			goto bad;
		ev_timer_stop(c->s->loop, &m->timer);
		m->have_props = 1;
		if (m->props.size == 0)
			config_end(c, ST_REFUSED, "the node has no such "
			    "parameter");
		else
			ask(c, m->op == OP_GET ? CFG_NAME : CFG_GET);
	} else if (cmd[1] == ZW_CONFIG_NAME_REPORT && m->cfg_step == CFG_NAME) {
		if (zw_cc_config_name(cmd, len, &param, &follow, m->cfg_name,
		    &m->cfg_nname) == -1 || param != m->cfg_param)
			goto bad;
		ev_timer_stop(c->s->loop, &m->timer);
		if (follow == 0)
			ask(c, CFG_GET);
		else
			ev_timer_start(c->s->loop, &m->timer, ZW_MGMT_REPLY_MS);
	} else if (cmd[1] == ZW_CONFIG_REPORT && (m->cfg_step == CFG_GET ||
	    m->cfg_step == CFG_CONFIRM)) {
		if (zw_cc_config_report(cmd, len, &m->value) == -1 ||
		    m->value.param != m->cfg_param)
			goto bad;
		ev_timer_stop(c->s->loop, &m->timer);
		m->have_value = 1;
		got_value(c);
	} else
		log_debug("zwave: node %d: configuration command 0x%02x "
		    "ignored", m->node, cmd[1]);
	return 1;
bad:
	log_warnx("zwave: node %d: malformed configuration report, or "
	    "another parameter's", m->node);
	return 1;
}

void
zw_config_timeout(struct zw_ctrl *c)
{
	struct zw_maint	*m = c->maint;
	char		 why[64];

	/* A name is nice to have: its value is what was asked. */
	if (m->cfg_step == CFG_NAME) {
		log_warnx("zwave: node %d: no name for parameter %u",
		    m->node, m->cfg_param);
		ask(c, CFG_GET);
		return;
	}
	snprintf(why, sizeof(why), "no answer to the %s question in time",
	    step_names[m->cfg_step]);
	config_end(c, ST_FAILED, why);
}

void
zw_config_start(struct zw_ctrl *c, int op, int node, uint8_t param,
    int64_t value)
{
	struct zw_maint	*m = c->maint;
	struct zw_node	*zn = &c->node[node];

	m->op = op;
	m->node = node;
	m->cfg_param = param;
	m->cfg_want = value;
	m->have_props = m->have_value = 0;
	m->cfg_name[0] = '\0';
	m->cfg_nname = 0;
	memset(&m->props, 0, sizeof(m->props));
	memset(&m->value, 0, sizeof(m->value));
	if (!zw_node_has(zn, ZW_CC_CONFIGURATION)) {
		config_end(c, ST_REFUSED, "the node has no Configuration "
		    "class");
		return;
	}
	zw_maint_result(c, op, node, HD__ZW_NODE_OP_RESULT__STATE__STARTED,
	    NULL);
	ask(c, config_version(zn) >= 3 ? CFG_PROPS : CFG_GET);
}
