/*
 * The slave's link to the master (link.c) and its replay queue
 * (reportq.c). Only slave.c and link/ include this header: the device
 * table, the drivers and Z-Wave reach the link through the struct
 * slave_uplink (slave.h) that slave.c points at link_uplink, and
 * tests/check-layers.sh fails them if they include it.
 */
#ifndef HD_SLAVE_LINK_H
#define HD_SLAVE_LINK_H

#include "slave.h"

/* link.c */
/* send_reliable and announce: link_send_reliable, link_send_announce. */
extern const struct slave_uplink link_uplink;

void	link_start(struct slave *);
void	link_stop(struct slave *);
/* Queue a reliable body (report, result, fault) and send it if online.
 * Takes a filled envelope without seq; assigns it. */
int	link_send_reliable(struct slave *, Hd__Envelope *);
int	link_term_save(struct slave *);
int	link_send_announce(struct slave *);
void	link_reverify(struct slave *);
/* The election follows master-capable node `idx` now: the link goes
 * there next (at once if it is waiting, or connected elsewhere). */
void	link_prefer(struct slave *, int idx);

/* vlink.c: the vote links, when the master lines have a standby. */
int	vlink_start(struct slave *);
void	vlink_stop(struct slave *);

/* reportq.c */
void	rq_init(struct reportq *);
void	rq_free(struct reportq *);
int	rq_push(struct reportq *, uint64_t seq, const ProtobufCMessage *);
void	rq_ack(struct reportq *, uint64_t ack);
/* Call fn for each queued item with seq > after, oldest first. */
int	rq_replay(struct reportq *, uint64_t after,
	    int (*fn)(void *, const uint8_t *, size_t), void *arg);

#endif
