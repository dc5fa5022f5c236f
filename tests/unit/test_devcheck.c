/*
 * Unit tests for master/cluster/devcheck.c: a slave's device list is
 * refused whole, with a reason, when an enum carries a number the master
 * does not know (protobuf-c keeps any number that came on the wire), and
 * taken when every field is in range. The lists go through the wire
 * encoding, as they come from a slave.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "../../master/cluster/devcheck.h"

static Hd__ValueDesc	vd;
static Hd__ValueDesc	*vdp[1] = { &vd };
static Hd__Device	dev;
static Hd__Device	*devp[1] = { &dev };

/* A good Z-Wave lock: every enum a known value. */
static void
good(void)
{
	hd__value_desc__init(&vd);
	vd.key = (char *)(uintptr_t)"locked";
	vd.type = HD__VALUE_TYPE__VT_BOOL;
	vd.writable = 1;
	hd__device__init(&dev);
	dev.id = (char *)(uintptr_t)"zw:6:0";
	dev.kind = HD__DEVICE_KIND__DEV_LOCK;
	dev.security = HD__SECURITY__SEC_S2_ACCESS_CONTROL;
	dev.listening = HD__ZW_LISTENING__ZW_LISTEN_FLIRS;
	dev.interview_pct = 100;
	dev.n_values = 1;
	dev.values = vdp;
}

/* The list packed and unpacked, then checked: NULL or why refused. */
static const char *
through_wire(char *why, size_t len)
{
	Hd__DeviceAnnounce	 da = HD__DEVICE_ANNOUNCE__INIT, *got;
	uint8_t			 buf[512];
	size_t			 n;
	const char		*r;

	da.n_devices = 1;
	da.devices = devp;
	n = hd__device_announce__pack(&da, buf);
	got = hd__device_announce__unpack(NULL, n, buf);
	if (got == NULL) {
		snprintf(why, len, "did not unpack");
		return why;
	}
	r = node_check_announce(got);
	snprintf(why, len, "%s", r != NULL ? r : "");
	hd__device_announce__free_unpacked(got, NULL);
	return r != NULL ? why : NULL;
}

static void
refused(const char *what, const char *reason)
{
	char		 why[128];
	const char	*r = through_wire(why, sizeof(why));

	CHECK(r != NULL && strcmp(r, reason) == 0, "%s: refused, \"%s\" (%s)",
	    what, reason, r != NULL ? r : "taken");
	good();
}

int
main(void)
{
	char why[128];

	good();
	CHECK(through_wire(why, sizeof(why)) == NULL, "a good lock is taken");
	dev.kind = HD__DEVICE_KIND__DEV_CONTROLLER;
	dev.listening = HD__ZW_LISTENING__ZW_LISTEN_SLEEPING;
	dev.security = HD__SECURITY__SEC_NONE;
	vd.type = HD__VALUE_TYPE__VT_STRING;
	CHECK(through_wire(why, sizeof(why)) == NULL,
	    "the last value of each enum is taken");
	good();
	dev.kind = (Hd__DeviceKind)(HD__DEVICE_KIND__DEV_CONTROLLER + 1);
	refused("a kind past the last", "unknown device kind");
	dev.kind = (Hd__DeviceKind)-1;
	refused("a negative kind", "unknown device kind");
	dev.security = (Hd__Security)(HD__SECURITY__SEC_S2_ACCESS_CONTROL + 1);
	refused("a security past S2 Access Control", "unknown security");
	dev.listening = (Hd__ZwListening)(HD__ZW_LISTENING__ZW_LISTEN_SLEEPING +
	    1);
	refused("a listening mode past sleeping",
	    "unknown Z-Wave listening mode");
	dev.interview_pct = 101;
	refused("an interview at 101 %", "interview past 100 %");
	vd.type = (Hd__ValueType)(HD__VALUE_TYPE__VT_STRING + 1);
	refused("a value type past string", "unknown value type");
	return check_done();
}
