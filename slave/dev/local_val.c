/*
 * The last value of each of the slave's own device values, for the
 * conditions of its local rules (docs/SCHEDULER.md#local-rules): "heater
 * on if barn/temp.c below 3" needs the temperature when the time trigger
 * fires, not only when it changes. Filled from every report the device
 * table makes, connected or not, so the engine starting at a cut knows
 * the values already; a stale or faulty report makes the value unknown
 * (a condition on it is false, as on the master). Numbers and booleans
 * only: a string value's condition stays unknown on the slave. A fixed
 * table of LOCAL_MAX_VALUES; when full, the least recently reported
 * value makes room.
 */

#include <string.h>

#include "sched/sched.h"
#include "slave.h"

static struct local_val *
find(struct local *lo, const char *dev, const char *key)
{
	int i;

	for (i = 0; i < lo->nvals; i++)
		if (strcmp(lo->vals[i].dev, dev) == 0 &&
		    strcmp(lo->vals[i].key, key) == 0)
			return &lo->vals[i];
	return NULL;
}

static struct local_val *
slot(struct local *lo, const char *dev, const char *key)
{
	struct local_val	*v;
	int			 i;

	if ((v = find(lo, dev, key)) != NULL)
		return v;
	if (strlen(dev) > DEVICE_ID_MAX || strlen(key) > VALUE_KEY_MAX)
		return NULL;
	if (lo->nvals < LOCAL_MAX_VALUES)
		v = &lo->vals[lo->nvals++];
	else
		for (v = &lo->vals[0], i = 1; i < LOCAL_MAX_VALUES; i++)
			if (lo->vals[i].seq < v->seq)
				v = &lo->vals[i];
	memset(v, 0, sizeof(*v));
	memcpy(v->dev, dev, strlen(dev) + 1);
	memcpy(v->key, key, strlen(key) + 1);
	return v;
}

/* `sv` NULL: unknown from now (stale, faulty, or a string). */
void
local_val_set(struct local *lo, const char *dev, const char *key,
    const struct sched_val *sv)
{
	struct local_val *v;

	if ((v = sv != NULL ? slot(lo, dev, key) : find(lo, dev, key)) == NULL)
		return;
	v->known = sv != NULL;
	v->seq = ++lo->valseq;
	if (sv != NULL) {
		v->v = *sv;
		v->v.s = NULL;
	}
}

int
local_val_get(struct local *lo, const struct sched_devref *r,
    struct sched_val *out)
{
	struct local_val *v;

	if (strcmp(r->node, lo->s->id) != 0 ||
	    (v = find(lo, r->dev, r->key)) == NULL || !v->known)
		return -1;
	*out = v->v;
	return 0;
}
