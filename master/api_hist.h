#ifndef HD_API_HIST_H
#define HD_API_HIST_H

/*
 * What api_hist.c (the rings, the route) and api_hist_file.c (the rings
 * on disk) share.
 */

#include <limits.h>

#include "api_res.h"

struct hpoint {
	float		min, max, sum;
	uint32_t	minute;		/* since the epoch; 0: empty */
	uint16_t	n;
};

struct hring {
	TAILQ_ENTRY(hring)	 entry;
	char			 node[NODE_ID_MAX + 1];
	char			 device[DEVICE_ID_MAX + 1];
	char			 key[VALUE_KEY_MAX + 1];
	struct hpoint		 pt[HISTORY_MINUTES];
};

struct apihist {
	TAILQ_HEAD(hrings, hring) rings;
	int			 nrings;
	int			 full_logged;
	struct master		*m;
	char			 path[PATH_MAX];	/* "": not saved */
	int			 dirty;		/* points not on disk yet */
	struct ev_timer		 timer;		/* the next save */
};

/* The ring of a value; made if `create` (NULL past HISTORY_MAX_VALUES). */
struct hring	*apihist_ring(struct apihist *, const char *node,
		    const char *dev, const char *key, int create);

/* api_hist_file.c */
void		 apihist_on_timer(struct ev_timer *);
/* Points of the last HISTORY_MINUTES before `wall_ms`, to h->path. */
int		 apihist_save(struct apihist *, uint64_t wall_ms);
/* The rings in h->path, without points older than HISTORY_MINUTES. */
int		 apihist_load(struct apihist *, uint64_t wall_ms);
/* The same from a file's bytes (its parser, fuzzed): how many values,
 * or -1 if it is not a history file. */
int		 apihist_load_buf(struct apihist *, const uint8_t *, size_t,
		    uint64_t wall_ms);

#endif
