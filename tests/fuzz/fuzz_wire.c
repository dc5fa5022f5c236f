/*
 * libFuzzer harness for the cluster link's frame decoder: arbitrary bytes
 * as they would arrive from a peer after the TLS handshake, taken frame
 * by frame exactly as conn.c does, until the decoder wants more or gives
 * an error (where conn.c would drop the peer).
 */

#include <stddef.h>
#include <stdint.h>

#include "cluster.pb-c.h"
#include "hdlimits.h"
#include "wire.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf		 in;
	ProtobufCMessage	*m;
	Hd__Envelope		*e;
	size_t			 off = 0, chunk;

	buf_init(&in, WIRE_HDR_LEN + WIRE_MAX_FRAME + 16384);
	/* Feed in uneven chunks, as TLS records would deliver them. */
	while (off < size) {
		chunk = 1 + (data[off] % 97);
		if (chunk > size - off)
			chunk = size - off;
		if (buf_append(&in, data + off, chunk) == -1)
			break;
		off += chunk;
		while (wire_take(&in, &hd__envelope__descriptor, &m) ==
		    WIRE_OK) {
			e = (Hd__Envelope *)m;
			/* Touch what the daemons read first. */
			if (e->body_case == HD__ENVELOPE__BODY_HELLO &&
			    e->hello->node_id[0] == 'x')
				e->seq++;
			wire_free(m);
		}
	}
	buf_free(&in);
	return 0;
}
