#ifndef HD_SCHED_TEST_H
#define HD_SCHED_TEST_H

/* Clock helpers the scheduler's unit tests share. */

#include <stdint.h>
#include <stdlib.h>
#include <time.h>

/* Run in time zone `zone` (the system zone database). */
static inline void
tz(const char *zone)
{
	setenv("TZ", zone, 1);
	tzset();
}

/* A UTC instant in ms. */
static inline int64_t
utc(int y, int mon, int d, int h, int mi)
{
	struct tm tm = { 0 };

	tm.tm_year = y - 1900;
	tm.tm_mon = mon - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	return (int64_t)timegm(&tm) * 1000;
}

#endif
