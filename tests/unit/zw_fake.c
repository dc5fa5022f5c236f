/*
 * The Z-Wave node layer's tests without a stick (test_zw_node.c,
 * test_zw_wrap.c, test_zw_safe.c, test_zw_secure.c, test_zw_poll.c,
 * test_zw_ramp.c): this file replaces zw_stick.c at link time (the
 * Makefile links every slave module but it), so each request the
 * controller submits is recorded here and the test answers it, or not,
 * by calling its completion with made-up frames; simulated nodes answer
 * SendData (pump). Timers are the "fake clock": a test fires an armed
 * timer's callback itself instead of waiting. What goes to the master is
 * read back from the replay queue (the link stays idle). Its checks
 * count in the program's total (CHECK_PART; the test's file has main()
 * and CHECK_PARTS).
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CHECK_PART	/* of the test program that links it */
#include "check.h"
#include "wire.h"
#include "zw_fake.h"

/* --- the stick, replaced --------------------------------------------- */

struct zw_stick	the_stick;
struct zw_req	reqs[MAX_REQS];
int		nreqs, refuse, max_reqs;
int		soft_resets;
unsigned	opened;
static uint8_t	next_cb = 1;
static struct zw_stats	stats;

/* A RequestNodeInfo answered "queued": as the session does, it ends at
 * its node's information (unsolicited) or at nif_timeout(). */
static struct zw_req	nif_req;
static struct zw_frame	nif_res;
static int		nif_waits;

struct zw_stick *
zw_stick_new(struct ev_loop *loop, const char *spec,
    const struct zw_stick_ops *ops, void *arg)
{
	(void)loop;
	(void)spec;
	the_stick.ops = ops;
	the_stick.arg = arg;
	return &the_stick;
}

void
zw_stick_free(struct zw_stick *st)
{
	(void)st;
	nreqs = 0;
	nif_waits = 0;
}

int
zw_stick_submit(struct zw_stick *st, const struct zw_req *r,
    enum zw_status *out)
{
	(void)st;
	if (refuse || nreqs == MAX_REQS) {
		*out = ZW_ERR_FULL;
		return -1;
	}
	reqs[nreqs] = *r;
	if (nreqs + 1 > max_reqs)
		max_reqs = nreqs + 1;
	if (r->cb_idx >= 0)
		reqs[nreqs].payload[r->cb_idx] = next_cb++;
	nreqs++;
	*out = ZW_OK;
	return 0;
}

int
zw_stick_load(const struct zw_stick *st)
{
	(void)st;
	return nreqs;
}

/* Recorded; the test plays the stick's restart (ops->up(1)). */
int
zw_stick_soft_reset(struct zw_stick *st)
{
	(void)st;
	soft_resets++;
	return 0;
}

unsigned
zw_stick_opened(const struct zw_stick *st)
{
	(void)st;
	return opened;
}

/* The requests recorded are not at the stick yet: not busy, unless a
 * test says so (fake_busy: test_zw_nvm's pacing). */
int	fake_busy;

int
zw_stick_busy(const struct zw_stick *st)
{
	(void)st;
	return fake_busy;
}

const struct zw_stats *
zw_stick_stats(const struct zw_stick *st)
{
	(void)st;
	return &stats;
}

/* --- helpers ---------------------------------------------------------- */

struct slave	S;
char		dir[] = "/tmp/hd-test-zw-fake.XXXXXX";

/* Take the oldest recorded request (the order they were submitted). */
int
take(struct zw_req *r)
{
	if (nreqs == 0)
		return 0;
	*r = reqs[0];
	memmove(reqs, reqs + 1, (size_t)(nreqs - 1) * sizeof(reqs[0]));
	nreqs--;
	return 1;
}

struct zw_frame
frame(uint8_t type, uint8_t func, const uint8_t *p, size_t n)
{
	struct zw_frame f;

	memset(&f, 0, sizeof(f));
	f.type = type;
	f.func = func;
	f.len = (uint8_t)n;
	memcpy(f.payload, p, n);
	return f;
}

/* Answer request `r` with a response of `n` bytes (and for SendData a
 * callback with transmit status `tx`). */
void
answer(const struct zw_req *r, const uint8_t *p, size_t n, int tx)
{
	struct zw_frame	res = frame(ZW_RES, r->func, p, n), cb;
	uint8_t		c[2];

	if (r->until_nif && n >= 1 && p[0] != 0) {
		nif_req = *r;
		nif_res = res;
		nif_waits = 1;
		return;
	}
	if (r->until_nif) {
		r->done(r->arg, ZW_ERR_REFUSED, &res, NULL);
		return;
	}
	if (r->cb_idx >= 0) {
		c[0] = r->payload[r->cb_idx];
		c[1] = (uint8_t)tx;
		cb = frame(ZW_REQ, r->func, c, 2);
		r->done(r->arg, ZW_OK, r->want_res ? &res : NULL, &cb);
	} else
		r->done(r->arg, ZW_OK, r->want_res ? &res : NULL, NULL);
}

void
unsolicited(uint8_t func, const uint8_t *p, size_t n)
{
	struct zw_frame f = frame(ZW_REQ, func, p, n);

	the_stick.ops->unsolicited(the_stick.arg, &f);
	if (nif_waits && func == ZW_FN_APP_UPDATE && n >= 2 &&
	    (p[0] == ZW_UPDATE_NIF_FAILED || (p[0] == ZW_UPDATE_NIF &&
	    p[1] == nif_req.payload[0]))) {
		nif_waits = 0;
		nif_req.done(nif_req.arg, ZW_OK, &nif_res, &f);
	}
}

/* The awaited node information did not come in time: 1 if one was
 * awaited. */
int
nif_timeout(void)
{
	if (!nif_waits)
		return 0;
	nif_waits = 0;
	nif_req.done(nif_req.arg, ZW_ERR_NOCB, NULL, NULL);
	return 1;
}

int
nif_awaited(void)
{
	return nif_waits && nif_req.cb_timeout == ZW_NIF_TIMEOUT_MS;
}

/* Node `node` sends command bytes `cmd` to us. */
void
from_node(uint8_t node, const uint8_t *cmd, size_t n)
{
	uint8_t p[64] = { 0, node, (uint8_t)n };

	memcpy(p + 3, cmd, n);
	unsolicited(ZW_FN_APP_COMMAND, p, 3 + n);
}

void
nif(uint8_t node, uint8_t generic, const uint8_t *cc, size_t ncc)
{
	uint8_t p[64] = { ZW_UPDATE_NIF, node, (uint8_t)(3 + ncc), 0x04,
	    generic, 0x01 };

	memcpy(p + 6, cc, ncc);
	unsolicited(ZW_FN_APP_UPDATE, p, 6 + ncc);
}

/* Fire an armed timer now: the fake clock jumped past its deadline. */
int
fire(struct ev_timer *t)
{
	if (!t->active)
		return 0;
	ev_timer_stop(S.loop, t);
	t->cb(t);
	return 1;
}

/* The start-up, answered as a stick with home id byte `home` listing
 * the nodes set in `mask` would; each node's generic class from
 * `generic`. */
/*
 * The controller's SUC questions once ready (zw_heal.c), wherever they
 * are in the queue: a real primary that is SUC and SIS already (node 1,
 * this controller), so no SetSUCNodeID follows and the tests' own
 * request order is as before.
 */
static void
suc_answer(void)
{
	static const uint8_t caps = 0x1c, suc = 1;
	struct zw_req	r;
	int		i, n;

	for (n = 0; n < 4; n++) {
		for (i = 0; i < nreqs; i++)
			if (reqs[i].func == ZW_FN_GET_CTRL_CAPS ||
			    reqs[i].func == ZW_FN_GET_SUC)
				break;
		if (i == nreqs)
			return;
		r = reqs[i];
		memmove(reqs + i, reqs + i + 1,
		    (size_t)(nreqs - i - 1) * sizeof(reqs[0]));
		nreqs--;
		answer(&r, r.func == ZW_FN_GET_SUC ? &suc : &caps, 1, 0);
	}
}

int
stick_startup(const uint8_t mask[ZW_NODEMASK_LEN], uint8_t home,
    uint8_t (*generic)(uint8_t node))
{
	static const uint8_t caps[8] = { 1, 0, 0, 0x86, 0, 1, 0, 0x5a };
	static const uint8_t ver[] = "Z-Wave 7.18\0\x07";
	uint8_t		memid[5] = { 0xc0, 0xff, 0xee, home, 1 };
	uint8_t		init[3 + ZW_NODEMASK_LEN + 2] = { 8, 0, ZW_NODEMASK_LEN };
	uint8_t		pi[6] = { 0xd3, 0x9c, 0, 0x04, 0, 0x01 };
	struct zw_req	r;
	int		i, resets;

	memcpy(init + 3, mask, ZW_NODEMASK_LEN);
	opened++;
	resets = soft_resets;
	the_stick.ops->up(the_stick.arg, 1, "");
	for (i = 0; i < 2; i++) {
		if (!take(&r) || r.func != ZW_FN_GET_CAPABILITIES)
			return -1;
		answer(&r, caps, sizeof(caps), 0);
		if (!take(&r) || r.func != ZW_FN_GET_VERSION)
			return -1;
		answer(&r, ver, sizeof(ver) - 1, 0);
		if (soft_resets == resets)
			break;
		/* A 7.18 stick is soft-reset once at each opening: it
		 * restarts, the sequence starts again. */
		resets = soft_resets;
		the_stick.ops->up(the_stick.arg, 1, "");
	}
	if (soft_resets != resets)
		return -1;		/* a second reset: a loop */
	if (!take(&r) || r.func != ZW_FN_MEMORY_GET_ID)
		return -1;
	answer(&r, memid, sizeof(memid), 0);
	if (!take(&r) || r.func != ZW_FN_GET_INIT_DATA)
		return -1;
	answer(&r, init, sizeof(init), 0);
	while (nreqs > 0 && reqs[0].func == ZW_FN_GET_NODE_PROTOCOL_INFO) {
		take(&r);
		pi[4] = generic(r.payload[0]);
		answer(&r, pi, sizeof(pi), 0);
	}
	suc_answer();
	return 0;
}

int	with_node9;	/* the stick lists node 9 (included) */

/* Node 2 a binary switch, the others binary sensors. */
static uint8_t
small_generic(uint8_t node)
{
	return node == 2 ? 0x10 : 0x21;
}

/* The start-up, answered as a stick with nodes 2 (switch) and 3
 * (sensor) would. */
int
startup(void)
{
	uint8_t mask[ZW_NODEMASK_LEN] = { 0x07 };	/* nodes 1, 2, 3 */

	if (with_node9)
		mask[1] |= 0x07;	/* nodes 9, 10, 11: the second byte */
	return stick_startup(mask, 0x01, small_generic);
}

void
drain(void)
{
	rq_ack(&S.rq, S.seq);
}

/* How many reports of `key` were queued for the master since drain(). */
int
reports_of(const char *key)
{
	const struct rq_item	*it;
	Hd__Envelope		*e;
	int			 i, n = 0;

	for (i = 0; i < S.rq.count; i++) {
		it = &S.rq.items[(S.rq.head + i) % CLUSTER_REPLAY_QUEUE];
		e = (Hd__Envelope *)wire_unpack(&hd__envelope__descriptor,
		    it->data + WIRE_HDR_LEN, it->len - WIRE_HDR_LEN);
		if (e != NULL && e->body_case == HD__ENVELOPE__BODY_REPORT &&
		    strcmp(e->report->key, key) == 0)
			n++;
		wire_free((ProtobufCMessage *)e);
	}
	return n;
}

/* How many queued envelopes have `body`; the last one in *out
 * (wire_free() it) when out is not NULL. */
int
queued(Hd__Envelope__BodyCase body, Hd__Envelope **out)
{
	const struct rq_item	*it;
	Hd__Envelope		*e;
	int			 i, n = 0;

	if (out != NULL)
		*out = NULL;
	for (i = 0; i < S.rq.count; i++) {
		it = &S.rq.items[(S.rq.head + i) % CLUSTER_REPLAY_QUEUE];
		e = (Hd__Envelope *)wire_unpack(&hd__envelope__descriptor,
		    it->data + WIRE_HDR_LEN, it->len - WIRE_HDR_LEN);
		if (e == NULL)
			continue;
		if (e->body_case == body) {
			n++;
			if (out != NULL) {
				wire_free((ProtobufCMessage *)*out);
				*out = e;
				continue;
			}
		}
		wire_free((ProtobufCMessage *)e);
	}
	return n;
}

int
pending(uint8_t func, int node)
{
	int i;

	for (i = 0; i < nreqs; i++)
		if (reqs[i].func == func && (node < 0 ||
		    reqs[i].payload[0] == node))
			return 1;
	return 0;
}

/* --- simulated nodes answering SendData -------------------------------- */


struct simnode	sim[ZW_MAX_NODES + 1];

/* Node `id` answers `cmd` (from endpoint `ep`, 0: itself). */
void
sim_reply(uint8_t id, uint8_t ep, const uint8_t *cmd, size_t n)
{
	uint8_t out[64];

	if (ep == 0) {
		from_node(id, cmd, n);
		return;
	}
	out[0] = 0x60;
	out[1] = 0x0d;
	out[2] = ep;
	out[3] = 0;
	memcpy(out + 4, cmd, n);
	from_node(id, out, n + 4);
}

void
sim_command(uint8_t id, uint8_t ep, const uint8_t *c, size_t n)
{
	struct simnode	*sn = &sim[id];
	uint8_t		 r[16];

	if (n >= 4 && c[0] == 0x60 && c[1] == 0x0d) {
		sim_command(id, c[3], c + 4, n - 4);
		return;
	}
	if (n >= 5 && c[0] == 0x6c && c[1] == 0x01) {
		sim_command(id, ep, c + 4, c[3]);
		r[0] = 0x6c; r[1] = 0x02; r[2] = c[2] & 0x3f;
		r[3] = (uint8_t)sn->sv_status; r[4] = 0;
		/* WORKING with updates asked for (0x80): more to come, the
		 * final SUCCESS right after. */
		if (sn->sv_status == ZW_SV_WORKING && (c[2] & 0x80) &&
		    !sn->sv_no_final) {
			r[2] |= 0x80;
			r[4] = 2;		/* 2 s */
			sim_reply(id, ep, r, 5);
			r[2] &= 0x3f;
			r[3] = ZW_SV_SUCCESS;
			r[4] = 0;
		}
		sim_reply(id, ep, r, 5);
		return;
	}
	if (n < 2)
		return;
	r[0] = c[0];
	switch (c[0] << 8 | c[1]) {
	case 0x8613:		/* Version Command Class Get */
		r[1] = 0x14; r[2] = c[2]; r[3] = c[2] == 0x25 ? 2 : 1;
		sim_reply(id, ep, r, 4);
		break;
	case 0x5e01:
		memcpy(r, (const uint8_t []){ 0x5e, 0x02, 0x02, 0x05, 0x00,
		    0x07, 0x00, 0x07, 0x01 }, 9);
		sim_reply(id, ep, r, 9);
		break;
	case 0x8501:
		if (sn->nlife < 4)
			sn->lifeline[sn->nlife++] = c[3];
		break;
	case 0x8502:
		r[1] = 0x03; r[2] = c[2]; r[3] = 5; r[4] = 0;
		memcpy(r + 5, sn->lifeline, (size_t)sn->nlife);
		sim_reply(id, ep, r, 5 + (size_t)sn->nlife);
		break;
	case 0x8e01:		/* Multi Channel Association Set: marker, pairs */
		if (n == 6 && c[3] == 0x00 && sn->nmc_life < 4) {
			sn->mc_life[sn->nmc_life][0] = c[4];
			sn->mc_life[sn->nmc_life++][1] = c[5];
		}
		break;
	case 0x8e02:
		r[1] = 0x03; r[2] = c[2]; r[3] = 5; r[4] = 0; r[5] = 0x00;
		memcpy(r + 6, sn->mc_life, 2 * (size_t)sn->nmc_life);
		sim_reply(id, ep, r, 6 + 2 * (size_t)sn->nmc_life);
		break;
	case 0x8405:
		r[1] = 0x06; r[2] = (uint8_t)(sn->wakeup >> 16);
		r[3] = (uint8_t)(sn->wakeup >> 8); r[4] = (uint8_t)sn->wakeup;
		r[5] = sn->wakeup_node;
		sim_reply(id, ep, r, 6);
		break;
	case 0x8404:
		sn->wakeup = (uint32_t)c[2] << 16 | c[3] << 8 | c[4];
		sn->wakeup_node = c[5];
		break;
	case 0x9840:
		sn->nonce_gets++;
		break;
	case 0x8408:
		sn->nmi++;
		sn->asleep = 1;
		break;
	case 0x6007:
		r[1] = 0x08; r[2] = 0x40; r[3] = sn->endpoints;
		sim_reply(id, ep, r, 4);
		break;
	case 0x6009:
		memcpy(r, (const uint8_t []){ 0x60, 0x0a, c[2], 0x10, 0x01,
		    0x25, 0x6c }, 7);
		sim_reply(id, ep, r, sn->ep_plain ? 6 : 7);
		break;
	case 0x2501:
		sn->on[ep & 3] = c[2];
		break;
	case 0x2502:
		r[1] = 0x03; r[2] = sn->on[ep & 3];
		sim_reply(id, ep, r, 3);
		break;
	case 0x3101:		/* Supported Sensor: temperature, humidity */
		if (!sn->multi)
			break;
		r[1] = 0x02; r[2] = 0x11;
		sim_reply(id, ep, r, 3);
		break;
	case 0x3104:		/* v1: temperature; v5: the type asked */
		r[1] = 0x05; r[2] = n >= 3 ? c[2] : 0x01; r[3] = 0x22;
		r[4] = 0; r[5] = r[2] == 0x05 ? 55 : 215;
		sim_reply(id, ep, r, 6);
		break;
	case 0x3203:		/* electric, import and export; kWh and W */
		if (!sn->multi)
			break;
		r[1] = 0x04; r[2] = 0x61; r[3] = 0x05;
		sim_reply(id, ep, r, 4);
		break;
	case 0x3201:		/* v1: import kWh; else the scale and rate */
		r[1] = 0x02;
		r[2] = (uint8_t)(0x01 | (n >= 3 ? (c[2] >> 6 & 3) << 5 : 0x20));
		r[3] = (uint8_t)(0x22 | (n >= 3 ? c[2] & 0x18 : 0));
		r[4] = 0;
		r[5] = n < 3 || (c[2] & 0x18) == 0 ? ((c[2] >> 6) == 2 ?
		    45 : 123) : 100;
		sim_reply(id, ep, r, 6);
		break;
	case 0x2601:		/* a dimmer: halfway while it ramps */
		sn->target = c[2];
		sn->level = sn->ramp_s ? c[2] / 2 : c[2];
		break;
	case 0x2602:
		r[1] = 0x03; r[2] = sn->level; r[3] = sn->target;
		r[4] = sn->level == sn->target ? 0 : sn->ramp_s;
		sim_reply(id, ep, r, sn->ramp_v1 ? 3 : 5);
		break;
	default:
		break;
	}
}

/* Answer every recorded request as the simulated nodes would; how many
 * SendData went to each node is in sent[]. Requests to asleep nodes are
 * not acknowledged. */
int	sent[ZW_MAX_NODES + 1];

void
pump(void)
{
	struct zw_req	r;
	int		i, id;

	for (i = 0; i < 200 && take(&r); i++) {
		if (r.func != ZW_FN_SEND_DATA) {
			answer(&r, (const uint8_t []){ 1 }, 1, 0);
			continue;
		}
		id = r.payload[0];
		sent[id]++;
		if (sim[id].deaf || sim[id].asleep) {
			answer(&r, (const uint8_t []){ 1 }, 1, 1);
			continue;
		}
		answer(&r, (const uint8_t []){ 1 }, 1, 0);
		sim_command((uint8_t)id, 0, r.payload + 2, r.payload[1]);
	}
}

int
progress_state(int *node)
{
	Hd__Envelope	*e;
	int		 st = -2;

	if (queued(HD__ENVELOPE__BODY_ZW_PROGRESS, &e) > 0) {
		st = e->zw_progress->state;
		if (node != NULL)
			*node = (int)e->zw_progress->node_id;
	}
	wire_free((ProtobufCMessage *)e);
	return st;
}
void
status(uint8_t func, uint8_t st, uint8_t node, int info)
{
	uint8_t p[16] = { 9, st, node, 0 };
	size_t	n = 4;

	if (info) {
		static const uint8_t ni[] = { 6, 0x04, 0x10, 0x01, 0x25, 0x86,
		    0x72 };
		memcpy(p + 3, ni, sizeof(ni));
		n = 3 + sizeof(ni);
	}
	unsolicited(func, p, n);
}
/* Include node `id` with classes `cc` and protocol capability `cap`,
 * answering as the stick and the node would. */
void
include_node(uint8_t id, uint8_t cap, const uint8_t *cc, size_t ncc)
{
	Hd__ZwInclusion	m = HD__ZW_INCLUSION__INIT;
	struct zw_req	r;
	uint8_t		pi[6] = { 0, 0x9c, 0, 0x04, 0x10, 0x01 };

	pi[0] = cap;
	while (take(&r))
		;
	m.action = HD__ZW_INCLUSION__ACTION__INCLUDE;
	zw_inclusion_request(&S, &m);
	take(&r);
	status(ZW_FN_ADD_NODE, ZW_INCL_LEARN_READY, 0, 0);
	status(ZW_FN_ADD_NODE, ZW_INCL_NODE_FOUND, 0, 0);
	status(ZW_FN_ADD_NODE, ZW_INCL_ADDING_SLAVE, id, 1);
	status(ZW_FN_ADD_NODE, ZW_INCL_PROTOCOL_DONE, id, 0);
	take(&r);
	status(ZW_FN_ADD_NODE, ZW_INCL_DONE, id, 0);
	take(&r);
	answer(&r, pi, sizeof(pi), 0);
	while (take(&r))
		if (r.func == ZW_FN_REQUEST_NODE_INFO && r.payload[0] == id)
			answer(&r, (const uint8_t []){ 1 }, 1, 0);
	nif(id, 0x10, cc, ncc);
}
/* The command's result status, or -1 when none came (yet). */
int
command(uint64_t id, const char *dev, const char *key, int b)
{
	Hd__Command	 c = HD__COMMAND__INIT;
	Hd__Value	 v = HD__VALUE__INIT;
	Hd__Envelope	*e;
	int		 st = -1;

	v.v_case = HD__VALUE__V_B;
	v.b = b;
	c.id = id;
	c.device_id = (char *)(uintptr_t)dev;
	c.key = (char *)(uintptr_t)key;
	c.value = &v;
	drain();
	devices_command(&S, &c);
	pump();
	if (queued(HD__ENVELOPE__BODY_RESULT, &e) == 1 && e->result->id == id)
		st = e->result->status;
	wire_free((ProtobufCMessage *)e);
	return st;
}
/* The last result for command `id` queued to the master: its status, or
 * -1; its detail in why (when not NULL). */
int
last_result(uint64_t id, char *why, size_t size)
{
	Hd__Envelope	*e;
	int		 st = -1;

	if (queued(HD__ENVELOPE__BODY_RESULT, &e) > 0 && e->result->id == id) {
		st = e->result->status;
		if (why != NULL)
			snprintf(why, size, "%s", e->result->detail);
	}
	wire_free((ProtobufCMessage *)e);
	return st;
}

/* The slave the tests drive: a temporary state folder, an idle link
 * (what goes up stays in S.rq), the Z-Wave layer started on the fake
 * stick. 0, or -1 with the failed check said. */
int
zwf_open(void)
{
	if (!CHECK(mkdtemp(dir) != NULL, "temporary folder"))
		return -1;
	TAILQ_INIT(&S.devs);
	rq_init(&S.rq);
	S.up = &link_uplink;
	S.link.state = CLINK_IDLE;
	S.loop = ev_loop_new();
	S.conf.zw_port = (char *)(uintptr_t)"tcp://127.0.0.1:9";
	S.conf.zw_ping_ms = ZW_PING_MS;
	S.conf.state_dir = dir;
	return zw_start(&S) == 0 && the_stick.ops != NULL ? 0 : -1;
}

/* Stop what zwf_open() started and remove the state folder. */
void
zwf_close(void)
{
	char path[128];

	zw_stop(&S);
	rq_free(&S.rq);
	ev_loop_free(S.loop);
	snprintf(path, sizeof(path), "%s/zwave.nodes", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/zwave.key", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/zwave-s2.key", dir);
	unlink(path);
	rmdir(dir);
}

/* The interviews run to their end: every request answered, and a node
 * information that does not come times out (bounded). */
void
settle(void)
{
	int i;

	for (i = 0; i < 50; i++) {
		pump();
		if (!nif_timeout() && nreqs == 0)
			break;
	}
}
