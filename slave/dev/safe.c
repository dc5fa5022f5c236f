/*
 * Safe states for Z-Wave devices (docs/ZWAVE.md#safe-states), as GPIO
 * outputs have theirs: after the slave has been without any master for
 * zwave-safe-after ms (counted from start-up too, so a slave restarted
 * while cut off still gets there), each `zwave-safe DEVICE KEY VALUE` is
 * set once, through the same device table and driver as a master's
 * command. Each outcome is logged and sent as a SafeState envelope: it
 * waits in the replay queue while the link is down and reaches the
 * master, in order with the value reports, when the link returns.
 *
 * The values live in the slave's own config, not the master's: they must
 * hold when the master cannot be reached, including after a restart.
 *
 * The slave's own commands use ids from SAFE_ID_BASE up. The master's
 * are a counter from 1 (cluster_command_id), so they never meet; they are
 * answered to safe_result() instead of the master, and not remembered
 * in the command memo.
 */

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "slave.h"

/* "on"/"off"/"true"/"false", a whole number or a decimal one. */
static int
parse_value(const char *s, Hd__Value *v)
{
	char		*end;
	long long	 i;
	double		 d;

	hd__value__init(v);
	if (strcmp(s, "on") == 0 || strcmp(s, "true") == 0 ||
	    strcmp(s, "off") == 0 || strcmp(s, "false") == 0) {
		v->v_case = HD__VALUE__V_B;
		v->b = s[1] == 'n' || s[0] == 't';
		return 0;
	}
	errno = 0;
	i = strtoll(s, &end, 10);
	if (*s != '\0' && *end == '\0' && errno == 0) {
		v->v_case = HD__VALUE__V_I;
		v->i = i;
		return 0;
	}
	d = strtod(s, &end);
	if (*s == '\0' || *end != '\0' || !isfinite(d))
		return -1;
	v->v_case = HD__VALUE__V_D;
	v->d = d;
	return 0;
}

/* "zwave-safe DEVICE KEY VALUE" */
static int
add_value(struct slave_conf *sc, const struct cfg_line *l, char *err,
    size_t errlen)
{
	struct safe_value *sv;

	if (cfg_want_args(l, 4, 4, err, errlen) == -1)
		return -1;
	if (sc->nsafe == SAFE_MAX_VALUES) {
		snprintf(err, errlen, "at most %d zwave-safe lines",
		    SAFE_MAX_VALUES);
		return -1;
	}
	if (strncmp(l->argv[1], "zw:", 3) != 0 ||
	    strlen(l->argv[1]) > DEVICE_ID_MAX ||
	    strlen(l->argv[2]) > VALUE_KEY_MAX || l->argv[2][0] == '\0') {
		snprintf(err, errlen, "zwave-safe: \"%s\" \"%s\" is not a "
		    "Z-Wave device (zw:NODE:ENDPOINT) and a value key",
		    l->argv[1], l->argv[2]);
		return -1;
	}
	if (sc->safe == NULL && (sc->safe = calloc(SAFE_MAX_VALUES,
	    sizeof(*sc->safe))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	sv = &sc->safe[sc->nsafe];
	if (parse_value(l->argv[3], &sv->v) == -1) {
		snprintf(err, errlen, "zwave-safe: \"%s\": on, off or a "
		    "number", l->argv[3]);
		return -1;
	}
	snprintf(sv->dev, sizeof(sv->dev), "%s", l->argv[1]);
	snprintf(sv->key, sizeof(sv->key), "%s", l->argv[2]);
	sv->line = l->lineno;
	sc->nsafe++;
	return 0;
}

int
safe_conf_directive(struct slave_conf *sc, const struct cfg_line *l, int *r,
    char *err, size_t errlen)
{
	if (strcmp(l->argv[0], "zwave-safe") == 0)
		*r = add_value(sc, l, err, errlen);
	else if (strcmp(l->argv[0], "zwave-safe-after") == 0)
		*r = cfg_one_long(l, 1000, 86400000, &sc->safe_after_ms, err,
		    errlen);
	else
		return 0;
	return 1;
}

static void
describe(const Hd__Value *v, char *buf, size_t len)
{
	if (v->v_case == HD__VALUE__V_B)
		snprintf(buf, len, "%s", v->b ? "on" : "off");
	else if (v->v_case == HD__VALUE__V_I)
		snprintf(buf, len, "%" PRId64, v->i);
	else
		snprintf(buf, len, "%g", v->d);
}

/* Log the outcome of value `i` and queue it for the master. */
static void
report(struct safe *sf, int i, Hd__CommandResult__Status st,
    const char *detail)
{
	struct slave		*s = sf->s;
	const struct safe_value	*sv = &s->conf.safe[i];
	Hd__Envelope		 e = HD__ENVELOPE__INIT;
	Hd__SafeState		 m = HD__SAFE_STATE__INIT;
	char			 v[32];

	describe(&sv->v, v, sizeof(v));
	if (st == HD__COMMAND_RESULT__STATUS__OK)
		log_warnx("no master for %" PRIu64 " ms: %s.%s set to its "
		    "safe state %s", ev_clock_ms() - sf->lost_at, sv->dev,
		    sv->key, v);
	else
		log_warnx("no master for %" PRIu64 " ms: %s.%s: safe state %s "
		    "not set: %s", ev_clock_ms() - sf->lost_at, sv->dev,
		    sv->key, v, detail != NULL ? detail : "");
	m.device_id = (char *)(uintptr_t)sv->dev;
	m.key = (char *)(uintptr_t)sv->key;
	m.value = (Hd__Value *)(uintptr_t)&sv->v;
	m.status = st;
	m.detail = (char *)(uintptr_t)(detail != NULL ? detail : "");
	m.time_ms = ev_wall_ms();
	m.cut_off_ms = ev_clock_ms() - sf->lost_at;
	e.body_case = HD__ENVELOPE__BODY_SAFE_STATE;
	e.safe_state = &m;
	s->up->send_reliable(s, &e);
}

/* Cut off long enough: every safe value, once. */
static void
apply(struct ev_timer *t)
{
	struct safe		*sf = t->arg;
	struct slave		*s = sf->s;
	Hd__Command		 c = HD__COMMAND__INIT;
	Hd__CommandResult__Status st;
	const char		*why;
	int			 i;

	for (i = 0; i < s->conf.nsafe; i++) {
		if (sf->ids[i] != 0)
			continue;	/* still under way from the last time */
		c.id = sf->ids[i] = SAFE_ID_BASE + ++sf->next_id;
		c.device_id = s->conf.safe[i].dev;
		c.key = s->conf.safe[i].key;
		c.value = &s->conf.safe[i].v;
		if ((st = devices_command_local(s, &c, &why)) !=
		    HD__COMMAND_RESULT__STATUS__OK) {
			sf->ids[i] = 0;
			report(sf, i, st, why);
		}
	}
}

int
safe_result(struct slave *s, uint64_t id, Hd__CommandResult__Status st,
    const char *detail)
{
	struct safe	*sf = s->safe;
	int		 i;

	if (id < SAFE_ID_BASE || sf == NULL)
		return 0;
	for (i = 0; i < s->conf.nsafe; i++)
		if (sf->ids[i] == id)
			break;
	if (i == s->conf.nsafe)
		return 1;	/* one of ours, already finished */
	if (st == HD__COMMAND_RESULT__STATUS__QUEUED) {
		log_info("%s.%s: safe state held for the node's wake-up",
		    s->conf.safe[i].dev, s->conf.safe[i].key);
		return 1;
	}
	sf->ids[i] = 0;
	report(sf, i, st, detail);
	return 1;
}

void
safe_link(struct slave *s, int up)
{
	struct safe *sf = s->safe;

	if (sf == NULL)
		return;
	if (up) {
		ev_timer_stop(s->loop, &sf->timer);
		return;
	}
	if (!sf->timer.active) {
		sf->lost_at = ev_clock_ms();
		ev_timer_start(s->loop, &sf->timer,
		    (uint64_t)s->conf.safe_after_ms);
	}
}

int
safe_start(struct slave *s)
{
	struct safe *sf;

	if (s->conf.nsafe == 0)
		return 0;
	if ((sf = calloc(1, sizeof(*sf))) == NULL)
		return -1;
	sf->s = s;
	ev_timer_init(&sf->timer, apply, sf);
	s->safe = sf;
	safe_link(s, 0);	/* no master yet */
	return 0;
}

void
safe_stop(struct slave *s)
{
	if (s->safe == NULL)
		return;
	ev_timer_stop(s->loop, &s->safe->timer);
	free(s->safe);
	s->safe = NULL;
}
