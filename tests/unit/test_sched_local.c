/*
 * Unit tests for master/sched/sched_local.c: which events can run on one
 * slave alone (docs/SCHEDULER.md#local-rules), and the reason given for
 * each that cannot.
 */

#include <stdio.h>
#include <string.h>

#include "check.h"
#include "sched/sched.h"

static const char text[] =
"mode house { home away }\n"
"counter n\n"
"event frost { when barn/temp.c below 3 or at 06:00 if from sunset to sunrise "
"do set barn/heater.on = on wait 1 h set barn/heater.on = off }\n"
"event pump { when every 6 h on weekdays if barn/level.cm > 20 and "
"from 06:00 to 22:00 do pulse barn/pump.on 30 s }\n"
"event two { when sunset do set barn/lamp.on = on set house/lamp.on = on }\n"
"event cond2 { when at 07:00 if house/door.open is on do set barn/x.on = on }\n"
"event moded { when at 07:00 if house is away do set barn/x.on = on }\n"
"event noted { when barn/door.open changes to on do notify \"door\" }\n"
"event linked { when offline barn do set barn/x.on = off }\n"
"event counted { when at 07:00 do count n set barn/x.on = on }\n"
"event runner { when at 07:00 do run frost }\n"
"event timeonly { when at 07:00 do wait 1 s }\n";

static const struct {
	const char	*name, *node, *why;
} want[] = {
	{ "frost", "barn", NULL },
	{ "pump", "barn", NULL },
	{ "two", NULL, "names devices of two slaves (barn, house)" },
	{ "cond2", NULL, "names devices of two slaves (house, barn)" },
	{ "moded", NULL, "mode: modes live on the master" },
	{ "noted", NULL, "notify: notices go out through the master" },
	{ "linked", NULL, "offline: a slave's link is the master's to see" },
	{ "counted", NULL, "count/stamp/set: counters and timestamps" },
	{ "runner", NULL, "run another event: the master's" },
	{ "timeonly", NULL, "names no slave's device" },
};

int
main(void)
{
	struct sched_errs		 e;
	struct sched_prog		*g;
	const struct sched_event	*ev;
	const char			*node;
	char				 why[160];
	size_t				 i;

	memset(&e, 0, sizeof(e));
	g = sched_parse_buf("t.events", text, strlen(text), 0, &e);
	if (!CHECK(g != NULL, "the file parses"))
		return printf("# %s", e.buf), check_done();
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		if ((ev = sched_prog_find(g, want[i].name)) == NULL) {
			CHECK(0, "%s: found", want[i].name);
			continue;
		}
		node = sched_local_node(ev, why, sizeof(why));
		if (want[i].node != NULL)
			CHECK(node != NULL && strcmp(node, want[i].node) == 0,
			    "%s runs on %s alone", want[i].name, want[i].node);
		else
			CHECK(node == NULL && strncmp(why, want[i].why,
			    strlen(want[i].why)) == 0, "%s stays on the "
			    "master: %s", want[i].name, why);
	}
	sched_prog_free(g);
	return check_done();
}
