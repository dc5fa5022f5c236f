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
#include <stdlib.h>

#include "auth.pb-c.h"
#include "cluster.pb-c.h"
#include "hdlimits.h"
#include "web.pb-c.h"
#include "wire.h"
#include "cluster/devcheck.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/*
 * A device list the master would keep (master/cluster/devcheck.c) holds
 * only enum values it knows, whatever numbers came: checked here against
 * the highest value of each, not through the descriptors the checker
 * itself uses.
 */
static void
announce(const Hd__DeviceAnnounce *da)
{
	const Hd__Device	*d;
	size_t			 i, j;

	if (node_check_announce(da) != NULL)
		return;
	for (i = 0; i < da->n_devices; i++) {
		d = da->devices[i];
		if ((unsigned)d->kind > HD__DEVICE_KIND__DEV_CONTROLLER ||
		    (unsigned)d->security >
		    HD__SECURITY__SEC_S2_ACCESS_CONTROL ||
		    (unsigned)d->listening >
		    HD__ZW_LISTENING__ZW_LISTEN_SLEEPING ||
		    d->interview_pct > 100)
			abort();
		for (j = 0; j < d->n_values; j++)
			if ((unsigned)d->values[j]->type >
			    HD__VALUE_TYPE__VT_STRING)
				abort();
	}
}

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
			if (d == &hd__envelope__descriptor &&
			    e->body_case == HD__ENVELOPE__BODY_ANNOUNCE)
				announce(e->announce);
			wire_free(m);
		}
	}
	buf_free(&in);
	return 0;
}
