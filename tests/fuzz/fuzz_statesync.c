/*
 * libFuzzer harness for the state files' replication
 * (master/cluster/statesync*.c): every StateChunk and StateSynced a
 * standby gets, and every StateHello and StateAck a master gets, comes
 * from a peer over the cluster link. The input is a series of frames (a
 * 2-byte big-endian length, then an Envelope); each goes to the standby
 * or the master by its body. Both have a temporary state-dir, made once;
 * what the standby writes there stays within the allow-list's names.
 */

#include <sys/stat.h>

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "atomicfile.h"
#include "cluster.pb-c.h"
#include "hdlimits.h"
#include "cluster/statesync.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static char		 mdir[64] = "/tmp/fuzz-ssync-m-XXXXXX";
static char		 sdir[64] = "/tmp/fuzz-ssync-s-XXXXXX";
static struct ssync	*ms;

/* What the machines send goes nowhere; sending fails now and then. */
static int
drop(void *arg, const Hd__Envelope *e)
{
	(void)arg;
	return protobuf_c_message_get_packed_size(&e->base) > WIRE_MAX_FRAME ?
	    -1 : 0;
}

static const struct ssync_ops ops = { drop, NULL, NULL };

/* Leave no state-dirs behind in /tmp. */
static void
cleanup(void)
{
	char	path[128];
	int	i;

	for (i = 0; i < ssync_nfiles(); i++) {
		snprintf(path, sizeof(path), "%s/%s", mdir, ssync_file(i)->name);
		unlink(path);
		snprintf(path, sizeof(path), "%s/%s", sdir, ssync_file(i)->name);
		unlink(path);
	}
	rmdir(mdir);
	rmdir(sdir);
}

static void
setup(void)
{
	static const uint8_t	hello[] = "hello";
	char			path[128];

	if (mkdtemp(mdir) == NULL || mkdtemp(sdir) == NULL)
		abort();
	atexit(cleanup);
	snprintf(path, sizeof(path), "%s/users", mdir);
	atomic_write(path, hello, 5, 0600);
	ms = ssync_new(mdir, 0);
}

static void
feed(struct ssync_sb *sb, int *peer, const Hd__Envelope *e, uint64_t now)
{
	const char	*why;

	switch (e->body_case) {
	case HD__ENVELOPE__BODY_STATE_CHUNK:
		ssync_sb_chunk(sb, e->state_chunk, &why);
		break;
	case HD__ENVELOPE__BODY_STATE_SYNCED:
		ssync_sb_synced(sb, e->state_synced);
		break;
	case HD__ENVELOPE__BODY_STATE_HELLO:
		ssync_detach(ms, *peer);
		*peer = ssync_attach(ms, &ops, e->state_hello, now, &why);
		break;
	case HD__ENVELOPE__BODY_STATE_ACK:
		if (ssync_ack(ms, *peer, e->state_ack, now, &why) == -1)
			*peer = -1;
		break;
	default:
		break;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ssync_sb		*sb;
	struct ssync_lag	 l;
	Hd__Envelope		*e;
	uint64_t		 now = 1;
	size_t			 n;
	int			 peer = -1;

	if (ms == NULL)
		setup();
	if ((sb = ssync_sb_new(sdir)) == NULL)
		abort();
	ssync_sb_hello(sb, &ops);
	while (size >= 2) {
		n = (size_t)data[0] << 8 | data[1];
		data += 2;
		size -= 2;
		if (n > size)
			n = size;
		if ((e = hd__envelope__unpack(NULL, n, data)) != NULL) {
			feed(sb, &peer, e, now);
			hd__envelope__free_unpacked(e, NULL);
		}
		data += n;
		size -= n;
		now += 10;
		ssync_changed(ms, "users", now);
		ssync_lag(ms, peer, now, &l);
	}
	ssync_detach(ms, peer);
	ssync_sb_free(sb);
	return 0;
}
