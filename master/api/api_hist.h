#ifndef HD_API_HIST_H
#define HD_API_HIST_H

/*
 * What api_hist.c (the rings, the route) and api_hist_file.c (the rings
 * on disk) share.
 */

#include <limits.h>

#include "api/api_res.h"

/*
 * One minute of a value: 16 bytes, 23 KiB a ring. The minute is not
 * kept: it is the point's slot plus HISTORY_MINUTES times its lap, the
 * day count since the epoch, of which the low 16 bits are kept (a point
 * would be taken for another only 179 years later).
 */
struct hpoint {
	float		min, max, sum;
	uint16_t	lap;		/* minute / HISTORY_MINUTES, low bits */
	uint16_t	n;		/* readings; 0: empty */
};

static inline uint16_t
hpoint_lap(uint32_t minute)
{
	return (uint16_t)(minute / HISTORY_MINUTES);
}

/* Does the point in slot minute % HISTORY_MINUTES hold `minute`? */
static inline int
hpoint_is(const struct hpoint *p, uint32_t minute)
{
	return p->n > 0 && p->lap == hpoint_lap(minute);
}

/* The minute of the point in `slot`: the latest one with its lap that
 * is not past the lap of `now_min`. */
static inline uint32_t
hpoint_minute(const struct hpoint *p, int slot, uint32_t now_min)
{
	uint32_t now_lap = now_min / HISTORY_MINUTES;
	uint32_t back = (uint16_t)(hpoint_lap(now_min) - p->lap);

	if (back > now_lap)
		return UINT32_MAX;	/* before the epoch: never live */
	return (now_lap - back) * HISTORY_MINUTES + (uint32_t)slot;
}

struct hring {
	TAILQ_ENTRY(hring)	 entry;
	char			 node[NODE_ID_MAX + 1];
	char			 device[DEVICE_ID_MAX + 1];
	char			 key[VALUE_KEY_MAX + 1];
	struct hpoint		 pt[HISTORY_MINUTES];
};

struct api_hist {
	TAILQ_HEAD(hrings, hring) rings;
	int			 nrings;
	int			 full_logged;
	struct master		*m;
	char			 path[PATH_MAX];	/* "": not saved */
	int			 dirty;		/* points not on disk yet */
	struct ev_timer		 timer;		/* the next save */
};

/* The ring of a value; made if `create` (NULL past HISTORY_MAX_VALUES). */
struct hring	*api_hist_ring(struct api_hist *, const char *node,
		    const char *dev, const char *key, int create);

/* api_hist_file.c */
void		 api_hist_on_timer(struct ev_timer *);
/* Points of the last HISTORY_MINUTES before `wall_ms`, to h->path. */
int		 api_hist_save(struct api_hist *, uint64_t wall_ms);
/* The rings in h->path, without points older than HISTORY_MINUTES. */
int		 api_hist_load(struct api_hist *, uint64_t wall_ms);
/* The same from a file's bytes (its parser, fuzzed): how many values,
 * or -1 if it is not a history file. */
int		 api_hist_load_buf(struct api_hist *, const uint8_t *, size_t,
		    uint64_t wall_ms);

#endif
