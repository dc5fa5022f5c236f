#ifndef HD_API_PROBE_H
#define HD_API_PROBE_H

#include "web.pb-c.h"

struct master;

/* api_probe.c: publish a checked probe as an admins-only "probe" event
 * on the stream: {"class","addr","port","detail","banned_ms"}. */
void	api_probe_publish(struct master *, const Hd__ProbeEvent *);

#endif
