#ifndef HD_HEARTBEAT_H
#define HD_HEARTBEAT_H

/*
 * Liveness of one link, the same on both ends: when we last heard from
 * the peer, when our next heartbeat is due, and the round-trip time
 * measured by echoing the peer's timestamp back with how long we held it
 * (so the round trip excludes the wait for our next heartbeat). Times are
 * monotonic ms, each side its own clock: only differences cross the link.
 */

#include <stdint.h>

#include "cluster.pb-c.h"

struct heartbeat {
	uint64_t	last_rx;	/* last frame of any kind from the peer */
	uint64_t	next_tx;	/* our next heartbeat is due then */
	uint64_t	echo_ms;	/* peer's last sent_ms, echoed back */
	uint64_t	echo_rx;	/* when echo_ms arrived (our clock) */
	uint32_t	rtt_ms;
};

enum hb_action {
	HB_WAIT,		/* nothing to do before *wait ms */
	HB_SEND,		/* send a heartbeat now (hb_fill), then ask again */
	HB_DEAD,		/* the peer has been silent past the timeout */
};

/* A fresh link: heard from now, first heartbeat due now. */
void		hb_start(struct heartbeat *, uint64_t now);
void		hb_heard(struct heartbeat *, uint64_t now);
enum hb_action	hb_check(const struct heartbeat *, uint64_t now,
		    uint64_t timeout_ms, uint64_t *wait);
/* Fill our heartbeat and schedule the next one. */
void		hb_fill(struct heartbeat *, uint64_t now, uint64_t interval_ms,
		    Hd__Heartbeat *);
/* Take the peer's heartbeat: remember its stamp, measure the RTT. */
void		hb_received(struct heartbeat *, uint64_t now,
		    const Hd__Heartbeat *);

#endif
