/*
 * What the master accepts of a slave's device list (DeviceAnnounce):
 * counts, texts, and every enum a known value. Kept apart from the node
 * table so that the wire's fuzz harness runs the same checks.
 */
#ifndef HD_DEVCHECK_H
#define HD_DEVCHECK_H

#include "cluster.pb-c.h"

/* NULL if the list may be kept, else why it is refused (a static
 * string: the slave is dropped with it). */
const char	*node_check_announce(const Hd__DeviceAnnounce *);

#endif
