/*
 * The `zwave` directives of the slave configuration (docs/CONFIG.md):
 *
 *	zwave port /dev/ttyACM0		a USB stick (serial device)
 *	zwave port tcp://127.0.0.1:5555	a remote stick or an emulator
 *	zwave ping-interval MS		check an idle stick this often
 *	zwave wakeup-interval S		sleeping nodes wake up this often
 *
 * Without a `zwave port` line the slave runs no Z-Wave at all.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg.h"
#include "slave.h"
#include "zwave/zw.h"
#include "zwave/zw_cc.h"

static int
zw_port_directive(struct slave_conf *sc, const struct cfg_line *l, char *err,
    size_t errlen)
{
	const char *why;

	if (cfg_want_args(l, 3, 3, err, errlen) == -1)
		return -1;
	if (sc->zw_port != NULL) {
		snprintf(err, errlen, "zwave port given twice");
		return -1;
	}
	if ((why = zw_port_check(l->argv[2])) != NULL) {
		snprintf(err, errlen, "zwave port \"%s\": %s", l->argv[2], why);
		return -1;
	}
	if ((sc->zw_port = strdup(l->argv[2])) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

int
zw_conf_directive(struct slave_conf *sc, const struct cfg_line *l, char *err,
    size_t errlen)
{
	if (l->argc < 2) {
		snprintf(err, errlen, "zwave: expected a setting (port, "
		    "ping-interval, wakeup-interval)");
		return -1;
	}
	if (strcmp(l->argv[1], "port") == 0)
		return zw_port_directive(sc, l, err, errlen);
	if (strcmp(l->argv[1], "ping-interval") == 0)
		return cfg_want_args(l, 3, 3, err, errlen) == -1 ? -1 :
		    cfg_long(l, 2, 1000, 3600000, &sc->zw_ping_ms, err, errlen);
	if (strcmp(l->argv[1], "wakeup-interval") == 0)
		return cfg_want_args(l, 3, 3, err, errlen) == -1 ? -1 :
		    cfg_long(l, 2, ZW_WAKEUP_MIN_S, ZW_WAKEUP_MAX_S,
		    &sc->zw_wakeup_s, err, errlen);
	snprintf(err, errlen, "zwave: unknown setting \"%s\"", l->argv[1]);
	return -1;
}
