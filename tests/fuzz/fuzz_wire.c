/*
 * libFuzzer harness for the frame decoder: arbitrary bytes as they would
 * arrive from a peer, taken frame by frame exactly as conn.c and chan.c
 * do, until the decoder wants more or gives an error (where the daemon
 * would drop the peer). The first byte picks the link: the cluster's
 * Envelope (from a slave or master after the TLS handshake), or the
 * socketpairs' messages, which a compromised sibling process could send:
 * the web process's WebMsg, the auth worker's AuthAnswer, the master's
 * AuthRequest to the worker.
 */

#include <stddef.h>
#include <stdint.h>

#include "auth.pb-c.h"
#include "cluster.pb-c.h"
#include "hdlimits.h"
#include "web.pb-c.h"
#include "wire.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const ProtobufCMessageDescriptor *const links[] = {
		&hd__envelope__descriptor, &hd__web_msg__descriptor,
		&hd__auth_answer__descriptor, &hd__auth_request__descriptor,
	};
	const ProtobufCMessageDescriptor *d;
	struct buf		 in;
	ProtobufCMessage	*m;
	Hd__Envelope		*e;
	size_t			 off = 1, chunk;

	if (size == 0)
		return 0;
	d = links[data[0] % (sizeof(links) / sizeof(links[0]))];
	buf_init(&in, WIRE_HDR_LEN + WIRE_MAX_FRAME + 16384);
	/* Feed in uneven chunks, as TLS records would deliver them. */
	while (off < size) {
		chunk = 1 + (data[off] % 97);
		if (chunk > size - off)
			chunk = size - off;
		if (buf_append(&in, data + off, chunk) == -1)
			break;
		off += chunk;
		while (wire_take(&in, d, &m) == WIRE_OK) {
			e = (Hd__Envelope *)m;
			/* Touch what the daemons read first. */
			if (d == &hd__envelope__descriptor &&
			    e->body_case == HD__ENVELOPE__BODY_HELLO &&
			    e->hello->node_id[0] == 'x')
				e->seq++;
			wire_free(m);
		}
	}
	buf_free(&in);
	return 0;
}
