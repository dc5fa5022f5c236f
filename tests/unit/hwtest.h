/*
 * Helpers for the hardware unit tests: a slave that is never online (so
 * every report, fault and result waits in its replay queue, where the
 * test decodes it), config lines fed to hwconf_directive(), and running
 * the event loop for a while.
 */
#ifndef HD_TEST_HWTEST_H
#define HD_TEST_HWTEST_H

#include <stdlib.h>
#include <string.h>

#include "cfg.h"
#include "ev.h"
#include "log.h"
#include "../../slave/slave.h"
#include "../../slave/link/link.h"

static inline struct slave *
hw_slave(void)
{
	struct slave *s = calloc(1, sizeof(*s));

	if (s == NULL)
		return NULL;
	TAILQ_INIT(&s->devs);
	s->loop = ev_loop_new();
	rq_init(&s->rq);
	s->up = &link_uplink;
	s->link.state = CLINK_IDLE;
	return s;
}

static inline void
hw_slave_free(struct slave *s)
{
	rq_free(&s->rq);
	ev_loop_free(s->loop);
	slave_conf_free(&s->conf);
	free(s);
}

/* Feed one config line; 0 or -1 with the reason in err. */
static inline int
hw_line(struct slave *s, const char *text, char *err, size_t errlen)
{
	struct cfg_line	l;
	char		buf[CFG_MAX_LINE];
	int		r = -1;

	snprintf(buf, sizeof(buf), "%s", text);
	if (cfg_split(buf, &l, err, errlen) == -1)
		return -1;
	l.file = "test.conf";
	l.lineno = 1;
	if (!hwconf_directive(&s->conf, &l, &r, err, errlen))
		snprintf(err, errlen, "not a hardware directive");
	return r;
}

static void
hw_break(struct ev_timer *t)
{
	ev_break(t->arg);
}

static inline void
hw_run(struct slave *s, uint64_t ms)
{
	struct ev_timer t;

	ev_timer_init(&t, hw_break, s->loop);
	ev_timer_start(s->loop, &t, ms);
	ev_run(s->loop);
	ev_timer_stop(s->loop, &t);
}

/* Call fn on each queued envelope, oldest first; drop them after. */
static inline void
hw_drain(struct slave *s, void (*fn)(const Hd__Envelope *, void *),
    void *arg)
{
	Hd__Envelope	*e;
	struct rq_item	*it;
	int		 i;

	for (i = 0; i < s->rq.count; i++) {
		it = &s->rq.items[(s->rq.head + i) % CLUSTER_REPLAY_QUEUE];
		/* Queued as a wire frame: length prefix, then the envelope. */
		e = it->len > WIRE_HDR_LEN ? hd__envelope__unpack(NULL,
		    it->len - WIRE_HDR_LEN, it->data + WIRE_HDR_LEN) : NULL;
		if (e != NULL && fn != NULL)
			fn(e, arg);
		if (e != NULL)
			hd__envelope__free_unpacked(e, NULL);
	}
	rq_ack(&s->rq, s->seq);
}

#endif
