/*
 * Value history on disk (docs/OPERATIONS.md): <state-dir>/history,
 * written crash-safely (shared/atomicfile.c) every HISTORY_SAVE_MS while
 * readings come and at a clean stop, read back at start-up. An SD card
 * wears with every write, so a crash loses at most HISTORY_SAVE_MS of
 * points rather than the card paying a write per reading.
 *
 * The file is "HDH1", then for each value a 4-byte big-endian length and
 * one HistoryRing (proto/master.proto): each record is unpacked on its
 * own, under the wire budget, and the file is at most HISTORY_FILE_MAX.
 * Points older than HISTORY_MINUTES are neither written nor loaded. The
 * timer also writes the tokens' last use (tokens_save_used()).
 */

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_hist.h"
#include "atomicfile.h"
#include "log.h"
#include "master.pb-c.h"
#include "version.h"
#include "wire.h"

#define HIST_MAGIC	"HDH1"	/* "HDH", then the format (statefmt.h) */
#define HIST_MAGIC_LEN	4
#define HIST_FORMAT	STATE_HISTORY_FORMAT

/* Scratch arrays for one ring's fields. */
struct hcols {
	uint32_t	minute[HISTORY_MINUTES], n[HISTORY_MINUTES];
	float		min[HISTORY_MINUTES], max[HISTORY_MINUTES];
	float		sum[HISTORY_MINUTES];
};

static int
live(uint32_t minute, uint32_t now_min)
{
	return minute <= now_min && now_min - minute < HISTORY_MINUTES;
}

/* One ring as a HistoryRing; 0 if it has no live point. */
static size_t
fill(Hd__HistoryRing *hr, const struct hring *r, struct hcols *c,
    uint32_t now_min)
{
	size_t	k = 0;
	int	i;

	hd__history_ring__init(hr);
	hr->node = (char *)(uintptr_t)r->node;
	hr->device = (char *)(uintptr_t)r->device;
	hr->key = (char *)(uintptr_t)r->key;
	for (i = 0; i < HISTORY_MINUTES; i++) {
		c->minute[k] = hpoint_minute(&r->pt[i], i, now_min);
		if (r->pt[i].n == 0 || !live(c->minute[k], now_min))
			continue;
		c->min[k] = r->pt[i].min;
		c->max[k] = r->pt[i].max;
		c->sum[k] = r->pt[i].sum;
		c->n[k] = r->pt[i].n;
		k++;
	}
	hr->minute = c->minute;
	hr->min = c->min;
	hr->max = c->max;
	hr->sum = c->sum;
	hr->n = c->n;
	hr->n_minute = hr->n_min = hr->n_max = hr->n_sum = hr->n_n = k;
	return k;
}

/* Append one record to buf (grown as needed); -1 past the file cap. */
static int
append(uint8_t **buf, size_t *len, size_t *cap, const Hd__HistoryRing *hr)
{
	size_t	 sz = protobuf_c_message_get_packed_size(&hr->base);
	uint8_t	*nb;

	if (*len + 4 + sz > HISTORY_FILE_MAX)
		return -1;
	if (*len + 4 + sz > *cap) {
		*cap = (*len + 4 + sz) * 2;
		if (*cap > HISTORY_FILE_MAX)
			*cap = HISTORY_FILE_MAX;
		if ((nb = realloc(*buf, *cap)) == NULL)
			return -1;
		*buf = nb;
	}
	(*buf)[*len] = (uint8_t)(sz >> 24);
	(*buf)[*len + 1] = (uint8_t)(sz >> 16);
	(*buf)[*len + 2] = (uint8_t)(sz >> 8);
	(*buf)[*len + 3] = (uint8_t)sz;
	protobuf_c_message_pack(&hr->base, *buf + *len + 4);
	*len += 4 + sz;
	return 0;
}

int
api_hist_save(struct api_hist *h, uint64_t wall_ms)
{
	Hd__HistoryRing	 hr;
	struct hcols	*c;
	struct hring	*r;
	uint8_t		*buf = NULL;
	size_t		 len = HIST_MAGIC_LEN, cap = 0;
	uint32_t	 now_min = (uint32_t)(wall_ms / 60000);
	int		 rc = -1, nr = 0;

	if (h->path[0] == '\0')
		return 0;
	if ((c = malloc(sizeof(*c))) == NULL ||
	    (buf = malloc(cap = 64 * 1024)) == NULL)
		goto out;
	memcpy(buf, HIST_MAGIC, HIST_MAGIC_LEN);
	TAILQ_FOREACH(r, &h->rings, entry) {
		if (fill(&hr, r, c, now_min) == 0)
			continue;
		if (append(&buf, &len, &cap, &hr) == -1) {
			log_warnx("history: %s: HISTORY_FILE_MAX reached, %d "
			    "values saved", h->path, nr);
			break;
		}
		nr++;
	}
	if (atomic_write(h->path, buf, len, 0600) == -1) {
		log_warn("history: %s", h->path);
		goto out;
	}
	log_debug("history: %d values saved (%zu bytes)", nr, len);
	h->dirty = 0;
	rc = 0;
out:
	free(buf);
	free(c);
	return rc;
}

void
api_hist_on_timer(struct ev_timer *t)
{
	struct api_hist *h = t->arg;

	api_save_used(h->m->api);
	/* The next save waits for the next reading (api_hist_add); a failed
	 * one (a full card) is tried again a period later. */
	if (api_hist_save(h, ev_wall_ms()) == -1)
		ev_timer_start(h->m->loop, &h->timer, HISTORY_SAVE_MS);
}

static int
ring_ok(const Hd__HistoryRing *hr)
{
	size_t i, k = hr->n_minute;

	if (hr->node[0] == '\0' || strlen(hr->node) > NODE_ID_MAX ||
	    hr->device[0] == '\0' || strlen(hr->device) > DEVICE_ID_MAX ||
	    hr->key[0] == '\0' || strlen(hr->key) > VALUE_KEY_MAX ||
	    k > HISTORY_MINUTES || hr->n_min != k || hr->n_max != k ||
	    hr->n_sum != k || hr->n_n != k)
		return 0;
	for (i = 0; i < k; i++)
		if (hr->n[i] == 0 || hr->n[i] > UINT16_MAX ||
		    !isfinite(hr->min[i]) || !isfinite(hr->max[i]) ||
		    !isfinite(hr->sum[i]) || hr->min[i] > hr->max[i])
			return 0;
	return 1;
}

/* Put a record's live points into its ring; -1 if the record is bad. */
static int
load_ring(struct api_hist *h, const Hd__HistoryRing *hr, uint32_t now_min)
{
	struct hring	*r;
	struct hpoint	*p, pt;
	size_t		 i;

	if (!ring_ok(hr))
		return -1;
	r = NULL;
	for (i = 0; i < hr->n_minute; i++) {
		if (!live(hr->minute[i], now_min))
			continue;	/* older than a day: dropped */
		memset(&pt, 0, sizeof(pt));
		pt.lap = hpoint_lap(hr->minute[i]);
		pt.n = (uint16_t)hr->n[i];
		if (r == NULL && (r = api_hist_ring(h, hr->node, hr->device,
		    hr->key, 1)) == NULL)
			return 0;	/* HISTORY_MAX_VALUES: logged */
		p = &r->pt[hr->minute[i] % HISTORY_MINUTES];
		pt.min = hr->min[i];
		pt.max = hr->max[i];
		pt.sum = hr->sum[i];
		*p = pt;
	}
	return 0;
}

int
api_hist_load_buf(struct api_hist *h, const uint8_t *buf, size_t len,
    uint64_t wall_ms)
{
	Hd__HistoryRing	*hr;
	size_t		 off, sz;
	uint32_t	 now_min = (uint32_t)(wall_ms / 60000);
	int		 nr = 0;
	uint32_t	 fmt = state_magic_format(buf, len, "HDH");

	/* A newer format is neither read nor saved over while this
	 * version runs (h->path "" stops the saves). */
	if (fmt > HIST_FORMAT) {
		log_warnx("history: %s: format %u is newer than this version "
		    "(%s) reads (%u): refused, the file is left as it is "
		    "and the history is not saved", h->path, fmt, HD_VERSION,
		    HIST_FORMAT);
		h->path[0] = '\0';
		return -1;
	}
	if (fmt != HIST_FORMAT) {
		log_warnx("history: %s: not a history file, ignored", h->path);
		return -1;
	}
	for (off = HIST_MAGIC_LEN; off < len; off += 4 + sz) {
		sz = len - off < 4 ? SIZE_MAX : (size_t)buf[off] << 24 |
		    (size_t)buf[off + 1] << 16 | (size_t)buf[off + 2] << 8 |
		    buf[off + 3];
		/* A record is one ring: far below WIRE_MAX_FRAME. */
		if (sz > WIRE_MAX_FRAME || sz > len - off - 4 ||
		    (hr = (Hd__HistoryRing *)wire_unpack(
		    &hd__history_ring__descriptor, buf + off + 4, sz)) ==
		    NULL) {
			log_warnx("history: %s: bad record at byte %zu; the "
			    "rest ignored", h->path, off);
			break;
		}
		if (load_ring(h, hr, now_min) == -1)
			log_warnx("history: %s: bad value at byte %zu, "
			    "ignored", h->path, off);
		else
			nr++;
		wire_free(&hr->base);
	}
	return nr;
}

int
api_hist_load(struct api_hist *h, uint64_t wall_ms)
{
	uint8_t	*buf;
	size_t	 len;
	int	 nr;

	if (atomic_read(h->path, HISTORY_FILE_MAX, &buf, &len) == -1) {
		if (errno != ENOENT)
			log_warn("history: %s", h->path);
		return errno == ENOENT ? 0 : -1;
	}
	nr = api_hist_load_buf(h, buf, len, wall_ms);
	free(buf);
	if (nr >= 0)
		log_info("history: %d values loaded from %s", nr, h->path);
	return nr >= 0 ? 0 : -1;
}
