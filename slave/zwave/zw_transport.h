/*
 * Transport Service (command class 0x55, version 2): a datagram too long
 * for one radio frame, carried in segments. zw_transport.c is pure (no
 * I/O, time kept by the caller): the segment parser, one receive session
 * (reassembly, what is missing) and the sender's segments;
 * zw_transport_rx.c is its glue to the nodes (timers, answers, the
 * reassembled datagram handed to the receive path).
 *
 *	First Segment		55 C0|size>>8 size session<<4|ext<<3 [ext]
 *				payload CRC16
 *	Subsequent Segment	55 E0|size>>8 size session<<4|ext<<3|off>>8 off
 *				[ext] payload CRC16
 *	Segment Request		55 C8 session<<4|off>>8 off
 *	Segment Complete	55 E8 session<<4
 *	Segment Wait		55 F0 pending
 *
 * CRC16 is CRC-CCITT from 0x1D0F over every byte before it, 55 included
 * (zw_crc16, as CRC-16 encapsulation). [ext] is a length byte and that
 * many bytes, skipped.
 */
#ifndef HD_ZW_TRANSPORT_H
#define HD_ZW_TRANSPORT_H

#include <stddef.h>
#include <stdint.h>

#include "ev.h"
#include "hdlimits.h"
#include "zwave/zw.h"

#define ZW_TS_FIRST		0xc0	/* the top five bits of the command */
#define ZW_TS_REQUEST		0xc8
#define ZW_TS_SUBSEQUENT	0xe0
#define ZW_TS_COMPLETE		0xe8
#define ZW_TS_WAIT		0xf0

/* Limits on what a node sends: a datagram longer than one frame could
 * carry is refused (the spec's 11-bit size allows 2047 bytes; no command
 * we handle is longer than a frame), a segment's payload longer than
 * version 2 allows (39 bytes) too. */
#define ZW_TS_MAX_DATAGRAM	ZW_MAX_PAYLOAD
#define ZW_TS_MAX_SEGMENT	39
/* Nodes with a receive session at once (one session per node, as the
 * spec: a new First Segment from a node ends its old session); others
 * are answered Segment Wait. */
#define ZW_TS_RX_NODES		8
/* The spec's timers (data rate R2, as zwave-js): a missing segment is
 * asked for after ZW_TS_MISSING_MS without one; ZW_TS_REQUESTS_MAX
 * Segment Requests per session, then it is dropped. A sender waits
 * ZW_TS_COMPLETE_MS for Segment Complete, leaves ZW_TS_RELAXED_MS between
 * segments when sending more than ZW_TS_RELAXED_AFTER. */
/* A frame longer than this goes in segments: a 9.6/40 kbit/s frame
 * carries 64 bytes, 10 of them header and checksum (routed frames and
 * 100 kbit/s ones differ; the stick's own figure is not asked yet). */
#define ZW_TS_FRAME_MAX		54
#define ZW_TS_MISSING_MS	800
#define ZW_TS_REQUESTS_MAX	2
#define ZW_TS_COMPLETE_MS	1000
#define ZW_TS_RELAXED_MS	35
#define ZW_TS_RELAXED_AFTER	2

enum zw_ts_kind { ZW_TS_K_FIRST, ZW_TS_K_SUBSEQUENT, ZW_TS_K_REQUEST,
	ZW_TS_K_COMPLETE, ZW_TS_K_WAIT };

/* A parsed Transport Service command; data points into the frame. */
struct zw_ts_seg {
	enum zw_ts_kind	 kind;
	uint8_t		 session;	/* 0..15 */
	uint16_t	 size;		/* datagram size (segments) */
	uint16_t	 offset;	/* segment / request offset */
	uint8_t		 pending;	/* Segment Wait */
	const uint8_t	*data;
	size_t		 n;
};

/* 1 with *s filled; 0 if not Transport Service; -1 malformed (too short,
 * a wrong CRC, an extension past the end, a segment too long or past its
 * datagram, an unknown command). */
int	zw_ts_parse(const uint8_t *cmd, size_t len, struct zw_ts_seg *s);

/* One receive session: the datagram so far, and which bytes came. */
struct zw_ts_rx {
	int		active;
	uint8_t		session;
	uint16_t	size;
	uint8_t		requests;	/* Segment Requests sent */
	uint8_t		buf[ZW_TS_MAX_DATAGRAM];
	uint8_t		got[(ZW_TS_MAX_DATAGRAM + 7) / 8];
};

enum zw_ts_rx_result {
	ZW_TS_RX_MORE,		/* taken, more to come */
	ZW_TS_RX_DONE,		/* complete: buf, size */
	ZW_TS_RX_HOLE,		/* the last segment came, one before did not */
	ZW_TS_RX_NO_SESSION,	/* a Subsequent Segment of no session:
				 * answer Segment Wait */
	ZW_TS_RX_REFUSED,	/* inconsistent with its session, too big */
};

/* A First or Subsequent Segment into the session (a First starts it
 * anew). */
enum zw_ts_rx_result zw_ts_rx_segment(struct zw_ts_rx *,
	    const struct zw_ts_seg *);
/* The first byte not received yet, -1 if none. */
int	zw_ts_rx_missing(const struct zw_ts_rx *);

/* Control frames into out (at least 4 bytes): their length. */
size_t	zw_ts_request(uint8_t session, uint16_t offset, uint8_t *out);
size_t	zw_ts_complete(uint8_t session, uint8_t *out);
size_t	zw_ts_wait(uint8_t pending, uint8_t *out);
/*
 * The segment of datagram `d` (size bytes, at most ZW_TS_MAX_DATAGRAM)
 * starting at `offset`, at most `seg` payload bytes (<=
 * ZW_TS_MAX_SEGMENT): a First Segment at offset 0, else Subsequent; its
 * length (0: bad arguments). *next is the offset after it.
 */
size_t	zw_ts_segment(const uint8_t *d, size_t size, uint8_t session,
	    size_t offset, size_t seg, uint8_t *out, size_t outlen,
	    size_t *next);

/* --- zw_transport_rx.c: the glue -------------------------------------- */

/* The receive sessions, a slot per node (tests fire their timers). */
struct zw_ts_slot {
	struct zw_ctrl	*c;
	uint8_t		 node;		/* 0: free */
	struct zw_ts_rx	 rx;
	struct ev_timer	 timer;
};

/* The datagram we send, one at a time (zw_ts_send). */
struct zw_ts_tx {
	uint8_t		 node;		/* 0: none under way */
	uint8_t		 session;
	uint8_t		 d[ZW_TS_MAX_DATAGRAM];
	size_t		 n, next;	/* size; next segment's offset */
	enum zw_prio	 prio;
	int		 urgent, inflight;	/* a segment at the stick */
	zw_done_fn	*done;
	void		*arg;
	struct ev_timer	 timer;		/* relaxed gap, Segment Complete */
};

struct zw_tsctl {
	struct zw_ts_slot slot[ZW_TS_RX_NODES];
	struct zw_ts_tx	 tx;
	uint8_t		 next_session;
};

/*
 * A Transport Service command from a node (zw_sec_filter hands them
 * over): segments put together, a missing one asked for, Segment
 * Complete sent, and the datagram handed to the receive path as if it
 * had come in one frame (zw_sec_filter, then zw_node_receive in clear:
 * the security filter judges what it carries). Always taken (1).
 */
int	zw_ts_input(struct zw_ctrl *, struct zw_node *, const uint8_t *,
	    size_t);
/*
 * Send a frame longer than ZW_TS_FRAME_MAX (zw_node_send_clear hands it
 * over) in segments of ZW_TS_MAX_SEGMENT, ZW_TS_RELAXED_MS apart beyond
 * ZW_TS_RELAXED_AFTER segments, then wait ZW_TS_COMPLETE_MS for Segment
 * Complete; a Segment Request is answered with the segment asked for.
 * `done` gets a failed segment's status, Segment Wait (the node is busy)
 * as ZW_ERR_FULL, else ZW_OK (with Segment Complete, or at its timeout:
 * every segment was acknowledged). One datagram at a time: -1 (done not
 * called) while one is under way, or if it is too long.
 */
int	zw_ts_send(struct zw_ctrl *, int id, const uint8_t *, size_t,
	    enum zw_prio, int urgent, zw_done_fn *, void *);
/* The state, made on first use (NULL: no memory). */
struct zw_tsctl *zw_ts_ctl(struct zw_ctrl *);
/* zw_transport_tx.c: the node's Segment Complete, Request or Wait; its
 * timer; the node (0: every node) gone, our datagram to it ended. */
void	zw_ts_tx_input(struct zw_ctrl *, int id, const struct zw_ts_seg *);
void	zw_ts_on_tx_timer(struct ev_timer *);
void	zw_ts_tx_reset(struct zw_ctrl *, int id);
/* The node left: its session goes. */
void	zw_ts_node_reset(struct zw_node *);
/* Z-Wave stops: every session goes. */
void	zw_ts_stop(struct zw_ctrl *);

#endif
