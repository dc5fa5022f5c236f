/*
 * libFuzzer harness for the value history file's parser
 * (master/api/api_hist_file.c, api_hist_load_buf()): "HDH1", then records of
 * a 4-byte length and one HistoryRing. The file is the master's own, but
 * it lives on an SD card that may rot or be edited, so every byte of it
 * is checked like outside input. Each input is loaded into a fresh
 * history at a fixed clock (minute HIST_FUZZ_MINUTE, which the seeds
 * use); every point it keeps must be within the day (its slot and lap
 * give its minute) and have min <= max.
 */

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "../unit/stub_master.h"
#include "../../master/api/api_hist.h"

#define HIST_FUZZ_MINUTE	29000000ULL

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct master	m;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct api_hist	*h;
	uint64_t	 now = HIST_FUZZ_MINUTE * 60000;
	struct hring	*r;
	int		 n = 0, i;

	log_setverbose(0);
	if ((h = api_hist_new(&m)) == NULL)
		abort();
	api_hist_load_buf(h, data, size, now);
	/* Every loaded point is within the day and whole. */
	TAILQ_FOREACH(r, &h->rings, entry) {
		n++;
		for (i = 0; i < HISTORY_MINUTES; i++)
			if (r->pt[i].n != 0 && (hpoint_minute(&r->pt[i], i,
			    HIST_FUZZ_MINUTE) > HIST_FUZZ_MINUTE ||
			    HIST_FUZZ_MINUTE - hpoint_minute(&r->pt[i], i,
			    HIST_FUZZ_MINUTE) >= HISTORY_MINUTES ||
			    !(r->pt[i].min <= r->pt[i].max)))
				abort();
	}
	if (n > HISTORY_MAX_VALUES || n != h->nrings)
		abort();
	api_hist_free(h);
	return 0;
}
