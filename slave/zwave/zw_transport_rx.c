/*
 * Transport Service's glue (the pure code is zw_transport.c), receiving:
 * datagrams that nodes send in segments are put together and handed to
 * the same receive path as a single frame (sending: zw_transport_tx.c).
 *
 * One receive session per node, at most ZW_TS_RX_NODES nodes at once
 * (others are answered Segment Wait and send again later). A session
 * whose next segment does not come within ZW_TS_MISSING_MS, or whose
 * last segment came with one missing before it, asks for the first
 * missing byte (Segment Request), at most ZW_TS_REQUESTS_MAX times; then
 * it is dropped, logged. A complete datagram is answered Segment
 * Complete and goes through zw_sec_filter and zw_node_receive as a clear
 * frame would: S0/S2 frames are decrypted there, and a clear command of
 * a class the node supports only securely is refused there.
 */

#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "slave.h"
#include "zwave/zw.h"
#include "zwave/zw_cc.h"
#include "zwave/zw_sec.h"
#include "zwave/zw_transport.h"

static void	on_timer(struct ev_timer *);

static int
nid(const struct zw_node *zn)
{
	return (int)(zn - zn->ctrl->node);
}

struct zw_tsctl *
zw_ts_ctl(struct zw_ctrl *c)
{
	size_t i;

	if (c->ts != NULL || (c->ts = calloc(1, sizeof(*c->ts))) == NULL)
		return c->ts;
	for (i = 0; i < ZW_TS_RX_NODES; i++) {
		c->ts->slot[i].c = c;
		ev_timer_init(&c->ts->slot[i].timer, on_timer,
		    &c->ts->slot[i]);
	}
	ev_timer_init(&c->ts->tx.timer, zw_ts_on_tx_timer, c);
	return c->ts;
}

/* The node's session; with `make`, a free slot if it has none. */
static struct zw_ts_slot *
slot_of(struct zw_ctrl *c, int id, int make)
{
	struct zw_tsctl	*t = zw_ts_ctl(c);
	size_t		 i;

	if (t == NULL)
		return NULL;
	for (i = 0; i < ZW_TS_RX_NODES; i++)
		if (t->slot[i].node == id)
			return &t->slot[i];
	for (i = 0; make && i < ZW_TS_RX_NODES; i++)
		if (t->slot[i].node == 0) {
			t->slot[i].node = (uint8_t)id;
			return &t->slot[i];
		}
	return NULL;
}

static void
slot_free(struct zw_ts_slot *sl)
{
	ev_timer_stop(sl->c->s->loop, &sl->timer);
	memset(&sl->rx, 0, sizeof(sl->rx));
	sl->node = 0;
}

static void
sent(void *arg, enum zw_status st, const struct zw_frame *res,
    const struct zw_frame *cb)
{
	(void)arg;
	(void)res;
	(void)cb;
	if (st != ZW_OK && st != ZW_ERR_DOWN)
		log_debug("zwave: transport service answer: %s",
		    zw_status_str(st));
}

/* Our answers go ahead of queued traffic: the node waits for them. */
static void
answer(struct zw_ctrl *c, int id, const uint8_t *f, size_t n)
{
	if (zw_node_send_clear(c, id, f, n, ZW_PRIO_USER, 1, sent, NULL) ==
	    -1)
		log_warnx("zwave: node %d: transport service answer not "
		    "queued", id);
}

/* Ask for the first byte missing, or give up. */
static void
request_missing(struct zw_ts_slot *sl)
{
	uint8_t	f[4];
	int	off = zw_ts_rx_missing(&sl->rx);

	if (off == -1)
		return;
	if (sl->rx.requests >= ZW_TS_REQUESTS_MAX) {
		log_warnx("zwave: node %d: transport service datagram %u "
		    "dropped: byte %d of %u still missing after %d segment "
		    "requests", sl->node, sl->rx.session, off, sl->rx.size,
		    ZW_TS_REQUESTS_MAX);
		slot_free(sl);
		return;
	}
	sl->rx.requests++;
	log_info("zwave: node %d: transport service: segment at %d "
	    "missing, asked again", sl->node, off);
	answer(sl->c, sl->node, f, zw_ts_request(sl->rx.session,
	    (uint16_t)off, f));
	ev_timer_stop(sl->c->s->loop, &sl->timer);
	ev_timer_start(sl->c->s->loop, &sl->timer, ZW_TS_MISSING_MS);
}

static void
on_timer(struct ev_timer *t)
{
	request_missing(t->arg);
}

/* The whole datagram: answered, then into the receive path. */
static void
deliver(struct zw_ctrl *c, struct zw_node *zn, struct zw_ts_slot *sl)
{
	uint8_t	d[ZW_TS_MAX_DATAGRAM], f[4];
	size_t	n = sl->rx.size;

	memcpy(d, sl->rx.buf, n);
	answer(c, nid(zn), f, zw_ts_complete(sl->rx.session, f));
	slot_free(sl);
	log_debug("zwave: node %d: transport service datagram, %zu bytes",
	    nid(zn), n);
	if (d[0] == ZW_CC_TRANSPORT) {
		log_warnx("zwave: node %d: transport service inside transport "
		    "service refused", nid(zn));
		return;
	}
	if (zw_sec_filter(c, zn, d, n))
		return;
	if (zw_node_receive(c, zn, 0, d, n, 0) == 0)
		zw_node_fail(c, zn, 0);
}

static void
segment(struct zw_ctrl *c, struct zw_node *zn, const struct zw_ts_seg *s)
{
	struct zw_ts_slot	*sl;
	uint8_t			 f[4];
	int			 id = nid(zn);

	if ((sl = slot_of(c, id, s->kind == ZW_TS_K_FIRST)) == NULL) {
		log_warnx("zwave: node %d: transport service segment: %s: "
		    "segment wait sent", id, s->kind == ZW_TS_K_FIRST ?
		    "too many datagrams under way" : "no datagram under way");
		answer(c, id, f, zw_ts_wait(0, f));
		return;
	}
	switch (zw_ts_rx_segment(&sl->rx, s)) {
	case ZW_TS_RX_DONE:
		deliver(c, zn, sl);
		return;
	case ZW_TS_RX_HOLE:
		request_missing(sl);
		return;
	case ZW_TS_RX_MORE:
		ev_timer_stop(c->s->loop, &sl->timer);
		ev_timer_start(c->s->loop, &sl->timer, ZW_TS_MISSING_MS);
		return;
	case ZW_TS_RX_NO_SESSION:
		log_warnx("zwave: node %d: transport service segment of "
		    "session %u, not the one under way: segment wait sent",
		    id, s->session);
		answer(c, id, f, zw_ts_wait(0, f));
		return;
	case ZW_TS_RX_REFUSED:
		log_warnx("zwave: node %d: transport service segment refused: "
		    "size %u, offset %u, %zu bytes do not fit its datagram",
		    id, s->size, s->offset, s->n);
		if (!sl->rx.active)
			slot_free(sl);
		return;
	}
}

int
zw_ts_input(struct zw_ctrl *c, struct zw_node *zn, const uint8_t *cmd,
    size_t len)
{
	struct zw_ts_seg s;

	if (zw_ts_parse(cmd, len, &s) != 1) {
		log_warnx("zwave: node %d: malformed transport service "
		    "command (%zu bytes; a wrong checksum, or lengths that do "
		    "not add up)", nid(zn), len);
		return 1;
	}
	if (s.kind == ZW_TS_K_FIRST || s.kind == ZW_TS_K_SUBSEQUENT)
		segment(c, zn, &s);
	else
		zw_ts_tx_input(c, nid(zn), &s);
	return 1;
}

void
zw_ts_node_reset(struct zw_node *zn)
{
	struct zw_ts_slot *sl;

	if (zn->ctrl == NULL || zn->ctrl->ts == NULL)
		return;
	if ((sl = slot_of(zn->ctrl, nid(zn), 0)) != NULL)
		slot_free(sl);
	zw_ts_tx_reset(zn->ctrl, nid(zn));
}

void
zw_ts_stop(struct zw_ctrl *c)
{
	size_t i;

	if (c->ts == NULL)
		return;
	for (i = 0; i < ZW_TS_RX_NODES; i++)
		ev_timer_stop(c->s->loop, &c->ts->slot[i].timer);
	zw_ts_tx_reset(c, 0);
	free(c->ts);
	c->ts = NULL;
}
