#ifndef HD_WIRE_H
#define HD_WIRE_H

/*
 * Framed protobuf on a byte stream: a 4-byte big-endian length, then the
 * packed message. The length is checked against WIRE_MAX_FRAME before any
 * allocation, and unpacking runs under a byte budget (WIRE_MAX_DECODE_MEM)
 * so a small frame cannot make protobuf-c allocate without bound.
 */

#include <stddef.h>
#include <stdint.h>

#include <protobuf-c/protobuf-c.h>

#include "buf.h"

enum wire_status {
	WIRE_OK = 0,		/* a frame was taken */
	WIRE_MORE,		/* incomplete: wait for more bytes */
	WIRE_ERR_EMPTY,		/* zero-length frame */
	WIRE_ERR_SIZE,		/* length prefix above WIRE_MAX_FRAME */
	WIRE_ERR_DECODE,	/* not a valid message of the expected type */
};

const char	*wire_strerror(enum wire_status);

/*
 * Take one message of type `desc` from the front of `in`. On WIRE_OK *msg
 * is set and must be released with wire_free(). Any error status means the
 * peer is broken and must be dropped; `in` is then left as it was.
 */
enum wire_status wire_take(struct buf *in, const ProtobufCMessageDescriptor *,
		    ProtobufCMessage **msg);
/* Unpack one frame body (no prefix) under the budget; NULL if invalid. */
ProtobufCMessage *wire_unpack(const ProtobufCMessageDescriptor *,
		    const uint8_t *, size_t);
void		 wire_free(ProtobufCMessage *);
/* Append `msg` as one frame to `out`; -1 if too big or `out` is full. */
int		 wire_put(struct buf *out, const ProtobufCMessage *msg);

#endif
