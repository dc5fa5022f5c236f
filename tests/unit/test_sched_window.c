/*
 * Unit test for sun windows (master/sched/sched_time.c,
 * sched_window_in()) at the polar edges: at 65 to 80 degrees north and
 * south (the places of sun_polar.h), all through 2026, "from sunset to
 * sunrise" must hold exactly when the sun is below the sunrise
 * elevation, and "from dusk to dawn" (civil, nautical, astronomical)
 * when it is below -6, -12 or -18 degrees: across midnight, through
 * polar nights and days, white nights, and the days at their edges where
 * a sunset falls after local midnight.
 *
 * The window is built from the solar days' event instants; the sun's
 * elevation at an instant (sched_sun_elevation()) is the other side. An
 * instant is judged only when the sun is more than MARGIN degrees from
 * the elevation: nearer, the instant is within a few seconds of the
 * event, or the sun grazes the elevation that day and whether the event
 * exists is a matter of the last hundredth of a degree (sun_polar.h's
 * tolerance says the same against PyEphem).
 */

#include <math.h>
#include <stdint.h>
#include <stdio.h>

#include "check.h"
#include "sched_test.h"
#include "sched/sched.h"

#define MARGIN	0.1		/* degrees */
#ifndef HD_QEMU_USER
#define STEP	(347 * 60000LL)	/* 5 h 47 min: every time of day in turn */
#else
/* Ten times slower under qemu-user, and there for the 32-bit types, not
 * the density (the native run has it): 2 d 1 h 59 min, every time of
 * day in turn, about 180 samples a year per place and window. */
#define STEP	(2999 * 60000LL)
#endif

struct place {
	const char	*name, *tz;
	double		 lat, lon;
};
static const struct place places[] = {
#define P(i, name, lat, lon, zone)	[i] = { name, zone, lat, lon },
#include "sun_polar.h"
#undef P
};

static const struct {
	enum sched_sun	 from, to;
	double		 elev;
	const char	*name;
} windows[] = {
	{ SUN_SET, SUN_RISE, SUN_UP_ELEVATION, "sunset to sunrise" },
	{ SUN_CIVIL_DUSK, SUN_CIVIL_DAWN, -6, "dusk to dawn" },
	{ SUN_NAUT_DUSK, SUN_NAUT_DAWN, -12, "nautical-dusk to nautical-dawn" },
	{ SUN_ASTRO_DUSK, SUN_ASTRO_DAWN, -18,
	    "astronomical-dusk to astronomical-dawn" },
};
#define NWINDOWS	(sizeof(windows) / sizeof(windows[0]))

/* One place, one window, every STEP of 2026, against the sun. */
static void
check_year(const struct place *pl, size_t w)
{
	struct sched_trig	 from = { .kind = T_SUN, .sun = windows[w].from };
	struct sched_trig	 to = { .kind = T_SUN, .sun = windows[w].to };
	int64_t			 t, end = utc(2027, 1, 1, 0, 0);
	int			 n = 0, in = 0, out = 0, near = 0, bad = 0;
	double			 e;
	int			 got;

	for (t = utc(2026, 1, 1, 0, 0); t < end; t += STEP) {
		e = sched_sun_elevation(t, pl->lat, pl->lon);
		if (fabs(e - windows[w].elev) < MARGIN) {
			near++;
			continue;
		}
		n++;
		got = sched_window_in(&from, &to, t, pl->lat, pl->lon);
		if (got != (e < windows[w].elev)) {
			if (bad++ < 3)
				printf("# %s: %s at %lld: window %s, sun at "
				    "%.2f degrees\n", pl->name, windows[w].name,
				    (long long)(t / 1000), got ? "in" : "out", e);
		} else if (got)
			in++;
		else
			out++;
	}
	CHECK(bad == 0 && in > 0 && out > 0, "window: %s: from %s "
	    "holds exactly while the sun is below %g degrees at %d instants "
	    "of 2026 (%d in, %d out; %d within %g degrees of it not judged)",
	    pl->name, windows[w].name, windows[w].elev, n, in, out, near,
	    MARGIN);
}

int
main(void)
{
	size_t i, w;

	for (i = 0; i < sizeof(places) / sizeof(places[0]); i++) {
		tz(places[i].tz);
		for (w = 0; w < NWINDOWS; w++)
			check_year(&places[i], w);
	}
	return check_done();
}
