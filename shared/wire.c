#include <stdlib.h>
#include <string.h>

#include "hdlimits.h"
#include "wire.h"

/*
 * Budgeted allocator for protobuf-c. Each block carries its size in a
 * header so frees need no budget state; allocations past the budget fail,
 * which makes protobuf_c_message_unpack() return NULL.
 */
struct budget {
	size_t	left;
};

union blkhdr {
	size_t		size;
	max_align_t	align;
};

static void *
budget_alloc(void *data, size_t size)
{
	struct budget	*b = data;
	union blkhdr	*h;

	if (b == NULL || size > b->left || size > SIZE_MAX - sizeof(*h))
		return NULL;
	if ((h = malloc(sizeof(*h) + size)) == NULL)
		return NULL;
	b->left -= size;
	h->size = size;
	return h + 1;
}

static void
budget_free(void *data, void *p)
{
	(void)data;
	if (p != NULL)
		free((union blkhdr *)p - 1);
}

static ProtobufCAllocator free_allocator = {
	.alloc = budget_alloc, .free = budget_free, .allocator_data = NULL
};

const char *
wire_strerror(enum wire_status s)
{
	switch (s) {
	case WIRE_OK:
		return "ok";
	case WIRE_MORE:
		return "incomplete frame";
	case WIRE_ERR_EMPTY:
		return "empty frame";
	case WIRE_ERR_SIZE:
		return "frame larger than WIRE_MAX_FRAME";
	case WIRE_ERR_DECODE:
		return "undecodable frame";
	}
	return "unknown wire status";
}

ProtobufCMessage *
wire_unpack(const ProtobufCMessageDescriptor *desc, const uint8_t *p,
    size_t n)
{
	struct budget		b = { WIRE_MAX_DECODE_MEM };
	ProtobufCAllocator	a = {
		.alloc = budget_alloc, .free = budget_free, .allocator_data = &b
	};
	ProtobufCMessage	*m;

	if ((m = protobuf_c_message_unpack(desc, &a, n, p)) == NULL)
		return NULL;
	if (!protobuf_c_message_check(m)) {
		wire_free(m);
		return NULL;
	}
	return m;
}

void
wire_free(ProtobufCMessage *m)
{
	if (m != NULL)
		protobuf_c_message_free_unpacked(m, &free_allocator);
}

enum wire_status
wire_take(struct buf *in, const ProtobufCMessageDescriptor *desc,
    ProtobufCMessage **msg)
{
	const uint8_t	*p = buf_head(in);
	size_t		 have = buf_used(in);
	uint32_t	 len;

	*msg = NULL;
	if (have < WIRE_HDR_LEN)
		return WIRE_MORE;
	len = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
	if (len == 0)
		return WIRE_ERR_EMPTY;
	if (len > WIRE_MAX_FRAME)
		return WIRE_ERR_SIZE;
	if (have - WIRE_HDR_LEN < len)
		return WIRE_MORE;
	if ((*msg = wire_unpack(desc, p + WIRE_HDR_LEN, len)) == NULL)
		return WIRE_ERR_DECODE;
	buf_consume(in, WIRE_HDR_LEN + len);
	return WIRE_OK;
}

int
wire_put(struct buf *out, const ProtobufCMessage *msg)
{
	size_t	 len = protobuf_c_message_get_packed_size(msg);
	uint8_t	*p;

	if (len == 0 || len > WIRE_MAX_FRAME)
		return -1;
	if (buf_reserve(out, WIRE_HDR_LEN + len) == -1)
		return -1;
	p = buf_tail(out);
	p[0] = (uint8_t)(len >> 24);
	p[1] = (uint8_t)(len >> 16);
	p[2] = (uint8_t)(len >> 8);
	p[3] = (uint8_t)len;
	protobuf_c_message_pack(msg, p + WIRE_HDR_LEN);
	buf_commit(out, WIRE_HDR_LEN + len);
	return 0;
}
