/*
 * Unit tests for master/sched/sched_local.c: which events can run on one
 * slave alone (docs/SCHEDULER.md#local-rules), and the reason given for
 * each that cannot; and sched_local_set.c, the rule set a slave gets.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "sched/sched.h"
#include "sched/sched_master.h"
#include "../../slave/slave.h"

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

/* The rule set of barn: its two events' text, which the slave's own
 * check parses again; a version that depends on the text only. */
static void
test_set(const struct sched_prog *g)
{
	struct sched_local_set	*a = calloc(2, sizeof(*a)), *b = a + 1;
	struct sched_prog	*back;
	char			 why[200];

	if (!CHECK(a != NULL, "memory for two rule sets"))
		return;
	CHECK(sched_local_set_build(a, g, "barn", 1234) == 0 && a->nev == 2 &&
	    strstr(a->text, "event frost {") != NULL &&
	    strstr(a->text, "event pump {") != NULL &&
	    strstr(a->text, "event two") == NULL && a->msg.handled_ms == 1234,
	    "barn's rule set: frost and pump, as written, nothing else");
	back = local_rules_check(&a->msg, "barn", why, sizeof(why));
	CHECK(back != NULL && back->nev == 2 && sched_prog_find(back,
	    "pump") != NULL, "the slave's check parses it back: %s",
	    back != NULL ? "2 events" : why);
	sched_prog_free(back);
	CHECK(sched_local_set_build(b, g, "barn", 99) == 0 &&
	    b->msg.version == a->msg.version, "the same rules give the same "
	    "version (the handled instant is not part of it)");
	CHECK(sched_local_set_build(b, g, "house", 1234) == 0 && b->nev == 0 &&
	    b->len == 0 && b->msg.version != a->msg.version,
	    "house has no local event: an empty set, another version");
	free(a);
}

/* Over LOCAL_RULES_MAX_TEXT: none rather than some. */
static void
test_too_big(void)
{
	struct sched_local_set	*ls = calloc(1, sizeof(*ls));
	struct sched_errs	*e = calloc(1, sizeof(*e));
	struct sched_prog	*g = NULL;
	char			*t = malloc(LOCAL_RULES_MAX_TEXT * 2);
	size_t			 n = 0;
	int			 i;

	if (!CHECK(ls != NULL && e != NULL && t != NULL, "memory"))
		goto out;
	for (i = 0; n < LOCAL_RULES_MAX_TEXT + 100; i++)
		n += (size_t)snprintf(t + n, LOCAL_RULES_MAX_TEXT * 2 - n,
		    "event e%d { when at 06:00 do set barn/heater.on = on }\n",
		    i);
	g = sched_parse_buf("big.events", t, n, 0, e);
	CHECK(g != NULL && sched_local_set_build(ls, g, "barn", 0) == -1 &&
	    ls->nev == 0 && ls->len == 0 && ls->msg.text[0] == '\0',
	    "events over LOCAL_RULES_MAX_TEXT: -1 and an empty set");
out:
	sched_prog_free(g);
	free(t);
	free(e);
	free(ls);
}

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
	test_set(g);
	sched_prog_free(g);
	test_too_big();
	return check_done();
}
