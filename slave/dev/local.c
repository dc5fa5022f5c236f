/*
 * Local rules (docs/SCHEDULER.md#local-rules): the events a slave may run
 * on its own once it has lost every master for local-after ms. The
 * master sends them (LocalRules, proto/cluster.proto) after each Welcome
 * and each reload; the slave checks them as outside input (the text
 * parsed with the scheduler's own parser and limits, the places within
 * theirs, every device named its own), keeps them crash-safe in
 * <state-dir>/local.rules and reads that file back at start-up, so a
 * slave restarted while cut off still has its rules.
 */

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atomicfile.h"
#include "log.h"
#include "sched/sched.h"
#include "slave.h"
#include "wire.h"

static int
place_ok(const Hd__LocalPlace *p, char *why, size_t len)
{
	if (strlen(p->site) > SITE_NAME_MAX || strlen(p->zone) > SCHED_TZ_MAX) {
		snprintf(why, len, "a site or zone name too long");
		return -1;
	}
	if (p->has_place && (!isfinite(p->lat) || !isfinite(p->lon) ||
	    fabs(p->lat) > 90 || fabs(p->lon) > 180)) {
		snprintf(why, len, "site \"%.*s\": no such place", SITE_NAME_MAX,
		    p->site);
		return -1;
	}
	return 0;
}

/* Every device the program names is this slave's own. */
static int
refs_ok(const struct sched_prog *g, const char *self, char *why, size_t len)
{
	int	i, j;

	for (i = 0; i < g->nev; i++)
		for (j = 0; j < g->ev[i].nrefs; j++)
			if (strcmp(g->ev[i].refs[j].node, self) != 0) {
				snprintf(why, len, "event %s names a device "
				    "of another node (%s)", g->ev[i].name,
				    g->ev[i].refs[j].node);
				return -1;
			}
	return 0;
}

struct sched_prog *
local_rules_check(const Hd__LocalRules *r, const char *self, char *why,
    size_t len)
{
	struct sched_errs	*e;
	struct sched_prog	*g;
	size_t			 i, n = strlen(r->text);
	char			*nl;

	if (n > LOCAL_RULES_MAX_TEXT) {
		snprintf(why, len, "%zu bytes of events (at most %d)", n,
		    LOCAL_RULES_MAX_TEXT);
		return NULL;
	}
	if (r->n_places > LOCAL_MAX_PLACES) {
		snprintf(why, len, "%zu places (at most %d)", r->n_places,
		    LOCAL_MAX_PLACES);
		return NULL;
	}
	for (i = 0; i < r->n_places; i++)
		if (place_ok(r->places[i], why, len) == -1)
			return NULL;
	if ((e = malloc(sizeof(*e))) == NULL) {
		snprintf(why, len, "out of memory");
		return NULL;
	}
	e->len = 0;
	e->n = 0;
	e->buf[0] = '\0';
	if ((g = sched_parse_buf("local.rules", r->text, n, 0, e)) == NULL) {
		if ((nl = strchr(e->buf, '\n')) != NULL)
			*nl = '\0';
		snprintf(why, len, "%s", e->n > 0 ? e->buf : "does not parse");
	} else if (refs_ok(g, self, why, len) == -1) {
		sched_prog_free(g);
		g = NULL;
	}
	free(e);
	return g;
}

Hd__LocalRules *
local_rules_decode(const uint8_t *p, size_t n, const char *self, char *why,
    size_t len)
{
	Hd__LocalRules		*r;
	struct sched_prog	*g;

	if (n > LOCAL_RULES_MAX_FILE) {
		snprintf(why, len, "%zu bytes (at most %d)", n,
		    LOCAL_RULES_MAX_FILE);
		return NULL;
	}
	if ((r = (Hd__LocalRules *)wire_unpack(&hd__local_rules__descriptor,
	    p, n)) == NULL) {
		snprintf(why, len, "not a LocalRules message");
		return NULL;
	}
	if ((g = local_rules_check(r, self, why, len)) == NULL) {
		wire_free(&r->base);
		return NULL;
	}
	sched_prog_free(g);
	return r;
}

/* "local-after MS" */
int
local_conf_directive(struct slave_conf *sc, const struct cfg_line *l, int *r,
    char *err, size_t errlen)
{
	if (strcmp(l->argv[0], "local-after") != 0)
		return 0;
	*r = cfg_one_long(l, 1000, LOCAL_MAX_AFTER_MS, &sc->local_after_ms,
	    err, errlen);
	return 1;
}

static int
path_of(const struct slave *s, const char *name, char *buf, size_t len)
{
	int n = snprintf(buf, len, "%s/%s", s->conf.state_dir, name);

	return n < 0 || (size_t)n >= len ? -1 : 0;
}

/* Keep `r` (checked) as the rule set, in memory and on disk. */
static int
keep(struct local *lo, const Hd__LocalRules *r)
{
	Hd__LocalRules	*copy;
	uint8_t		*p;
	size_t		 n = hd__local_rules__get_packed_size(r);
	char		 path[PATH_MAX];
	int		 rc = -1;

	if ((p = malloc(n + 1)) == NULL)
		return -1;
	hd__local_rules__pack(r, p);
	if ((copy = (Hd__LocalRules *)wire_unpack(&hd__local_rules__descriptor,
	    p, n)) == NULL)
		goto out;
	if (path_of(lo->s, LOCAL_RULES_FILE, path, sizeof(path)) == -1 ||
	    atomic_write(path, p, n, 0600) == -1) {
		log_warn("local rules: %s", path);
		wire_free(&copy->base);
		goto out;
	}
	if (lo->rules != NULL)
		wire_free(&lo->rules->base);
	lo->rules = copy;
	rc = 0;
out:
	free(p);
	return rc;
}

int
local_rules_recv(struct slave *s, const Hd__LocalRules *r, char *why,
    size_t len)
{
	struct local		*lo = s->local;
	struct sched_prog	*g;

	if (lo == NULL)
		return 0;
	if ((g = local_rules_check(r, s->id, why, len)) == NULL)
		return -1;
	if (lo->rules != NULL && lo->rules->version == r->version) {
		lo->rules->handled_ms = r->handled_ms;
		log_debug("local rules: version %016" PRIx64 " kept",
		    r->version);
	} else if (keep(lo, r) == 0)
		log_info("local rules: version %016" PRIx64 ", %d event%s, "
		    "kept in %s", r->version, g->nev, g->nev == 1 ? "" : "s",
		    LOCAL_RULES_FILE);
	sched_prog_free(g);
	return 0;
}

/* At start-up: the rule set kept by the last run, if any. */
void
local_load(struct local *lo)
{
	uint8_t	*p;
	size_t	 n;
	char	 path[PATH_MAX], why[160];

	if (path_of(lo->s, LOCAL_RULES_FILE, path, sizeof(path)) == -1)
		return;
	if (atomic_read(path, LOCAL_RULES_MAX_FILE, &p, &n) == -1) {
		if (errno != ENOENT)
			log_warn("local rules: %s", path);
		return;
	}
	if ((lo->rules = local_rules_decode(p, n, lo->s->id, why,
	    sizeof(why))) == NULL)
		log_warnx("local rules: %s: %s: ignored", path, why);
	else
		log_info("local rules: version %016" PRIx64 " read from %s",
		    lo->rules->version, path);
	free(p);
}
