/*
 * Unit tests for shared/wire.c, part of test_wire (test_wire.c has
 * main()): the byte budget protobuf-c unpacks through, so a small frame
 * cannot make the decoder allocate far more than its size.
 */

#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cluster.pb-c.h"
#include "buf.h"
#define CHECK_PART	/* of test_wire */
#include "check.h"
#include "hdlimits.h"
#include "wire.h"
#include "test_wire.h"

#if defined(__SANITIZE_ADDRESS__)
#define HAVE_MALLINFO	0	/* ASan's allocator: LeakSanitizer checks */
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define HAVE_MALLINFO	0
#else
#define HAVE_MALLINFO	1
#endif
#else
#define HAVE_MALLINFO	1
#endif

/* A DeviceAnnounce of `n` devices with `nvals` value descriptions each;
 * packed into a malloc'd buffer. */
static uint8_t *
pack_announce(size_t n, size_t nvals, int named, size_t *len)
{
	Hd__DeviceAnnounce	 a = HD__DEVICE_ANNOUNCE__INIT;
	Hd__Device		*d, **dp;
	Hd__ValueDesc		 vd[4], *vdp[4];
	char			(*ids)[32];
	uint8_t			*p = NULL;
	size_t			 i;

	d = calloc(n, sizeof(*d));
	dp = calloc(n, sizeof(*dp));
	ids = calloc(n, sizeof(*ids));
	if (d == NULL || dp == NULL || ids == NULL || nvals > 4)
		goto out;
	for (i = 0; i < nvals; i++) {
		hd__value_desc__init(&vd[i]);
		vd[i].key = "on";
		vd[i].type = HD__VALUE_TYPE__VT_BOOL;
		vd[i].writable = 1;
		vdp[i] = &vd[i];
	}
	for (i = 0; i < n; i++) {
		hd__device__init(&d[i]);
		if (named) {
			snprintf(ids[i], sizeof(ids[i]), "zw:%zu:0", i);
			d[i].id = ids[i];
			d[i].name = "Lamp";
			d[i].kind = HD__DEVICE_KIND__DEV_SWITCH;
		}
		d[i].n_values = nvals;
		d[i].values = nvals ? vdp : NULL;
		dp[i] = &d[i];
	}
	a.n_devices = n;
	a.devices = dp;
	*len = protobuf_c_message_get_packed_size(&a.base);
	if ((p = malloc(*len + 1)) != NULL)
		protobuf_c_message_pack(&a.base, p);
out:
	free(d);
	free(dp);
	free(ids);
	return p;
}

void
test_budget(void)
{
	ProtobufCMessage	*m;
	uint8_t			*p;
	size_t			 len, n;
#if HAVE_MALLINFO
	size_t			 before, after;
#endif

	/* CLUSTER_MAX_DEVICES bare devices: a small frame, decodes. */
	if ((p = pack_announce(CLUSTER_MAX_DEVICES, 0, 0, &len)) != NULL) {
		CHECK(len == 2 * CLUSTER_MAX_DEVICES,
		    "an empty Device costs 2 bytes on the wire");
		m = wire_unpack(&hd__device_announce__descriptor, p, len);
		CHECK(m != NULL && ((Hd__DeviceAnnounce *)m)->n_devices ==
		    CLUSTER_MAX_DEVICES,
		    "%d empty devices (%zu bytes) decode within the budget",
		    CLUSTER_MAX_DEVICES, len);
		wire_free(m);
		free(p);
	}

	/* Many named devices, a big frame well within WIRE_MAX_FRAME. */
	if ((p = pack_announce(1000, 0, 1, &len)) != NULL) {
		m = wire_unpack(&hd__device_announce__descriptor, p, len);
		CHECK(len > 16 * 1024 && len <= WIRE_MAX_FRAME && m != NULL &&
		    ((Hd__DeviceAnnounce *)m)->n_devices == 1000 &&
		    strcmp(((Hd__DeviceAnnounce *)m)->devices[999]->id,
		    "zw:999:0") == 0,
		    "1000 named devices (%zu-byte frame) decode", len);
		wire_free(m);
		free(p);
	}

	/* A realistic full announce: CLUSTER_MAX_DEVICES devices with one
	 * value each is within WIRE_MAX_FRAME, so it should decode. */
	if ((p = pack_announce(CLUSTER_MAX_DEVICES, 1, 1, &len)) != NULL) {
		m = wire_unpack(&hd__device_announce__descriptor, p, len);
		CHECK(len <= WIRE_MAX_FRAME, "%d devices with one value each "
		    "fit in a frame (%zu bytes)", CLUSTER_MAX_DEVICES, len);
		CHECK(m != NULL, "%d devices with one value each "
		    "decode within WIRE_MAX_DECODE_MEM", CLUSTER_MAX_DEVICES);
		wire_free(m);
		free(p);
	}

	/*
	 * The budget: thousands of tiny devices, each 2 bytes on the wire
	 * but a full struct (plus a pointer) once decoded. Past
	 * WIRE_MAX_DECODE_MEM the unpack must fail, and free what it took.
	 */
	n = WIRE_MAX_DECODE_MEM / sizeof(Hd__Device) + 1;
	if ((p = pack_announce(n, 0, 0, &len)) != NULL) {
		CHECK(len <= WIRE_MAX_FRAME && n * sizeof(Hd__Device) >
		    WIRE_MAX_DECODE_MEM, "%zu empty devices: %zu bytes on the "
		    "wire, %zu decoded", n, len, n * sizeof(Hd__Device));
		m = wire_unpack(&hd__device_announce__descriptor, p, len);
		CHECK(m == NULL, "decoded size above WIRE_MAX_DECODE_MEM: "
		    "wire_unpack fails");
#if HAVE_MALLINFO
		/*
		 * No leak on that path (LeakSanitizer checks it in build-san).
		 * glibc's tcache keeps a few freed blocks counted as in use,
		 * so warm up, then repeat: a leak of even one small block per
		 * call would show as growth.
		 */
		{
			int i, fails = 0;

			for (i = 0; i < 5; i++)
				wire_free(wire_unpack(
				    &hd__device_announce__descriptor, p, len));
			before = mallinfo2().uordblks;
			for (i = 0; i < 200; i++) {
				m = wire_unpack(&hd__device_announce__descriptor,
				    p, len);
				fails += m == NULL;
				wire_free(m);
			}
			after = mallinfo2().uordblks;
			m = NULL;
			CHECK(fails == 200 && after < before + 1024,
			    "200 failed unpacks free all they take (%zu bytes "
			    "in use before, %zu after)", before, after);
		}
#endif
		wire_free(m);
		free(p);
	}

	/* The same through wire_take: a decode error, nothing consumed. */
	n = WIRE_MAX_FRAME / 2 - 4;
	if ((p = pack_announce(n, 0, 0, &len)) != NULL) {
		struct buf	in;
		uint8_t		hdr[4] = { (uint8_t)(len >> 24),
				    (uint8_t)(len >> 16), (uint8_t)(len >> 8),
				    (uint8_t)len };

		buf_init(&in, INMAX);
		buf_append(&in, hdr, 4);
		buf_append(&in, p, len);
		CHECK(len <= WIRE_MAX_FRAME && wire_take(&in,
		    &hd__device_announce__descriptor, &m) == WIRE_ERR_DECODE &&
		    m == NULL && buf_used(&in) == len + 4,
		    "a full frame of %zu empty devices: WIRE_ERR_DECODE", n);
		buf_free(&in);
		free(p);
	}

	/* Repeated decodes do not leak budget between calls. */
	if ((p = pack_announce(CLUSTER_MAX_DEVICES, 0, 0, &len)) != NULL) {
		int i, ok = 0;

		for (i = 0; i < 20; i++) {
			m = wire_unpack(&hd__device_announce__descriptor, p,
			    len);
			ok += m != NULL;
			wire_free(m);
		}
		CHECK(ok == 20, "the budget is per call (20 decodes in a row)");
		free(p);
	}
}
