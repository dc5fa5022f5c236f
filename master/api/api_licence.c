/*
 * The licence in the API (docs/API.md, docs/LICENSING.md): its status,
 * term, limits and days left for anyone logged in; an admin may upload
 * a new one, which is verified before it replaces the file.
 */

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "api/api.h"
#include "api/api_licence.h"
#include "licence/licence.h"
#include "log.h"

static void
jw_time(struct jw *w, int64_t t)
{
	time_t		tt = (time_t)t;
	struct tm	tm;
	char		buf[32];

	if (t == 0 || gmtime_r(&tt, &tm) == NULL) {
		jw_null(w);
		return;
	}
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
	jw_str(w, buf);
}

static void
jw_limit(struct jw *w, const char *key, int installed, int n)
{
	jw_key(w, key);
	if (installed)
		jw_int(w, n);
	else
		jw_null(w);		/* no licence: no limit while in grace */
}

static void
write_features(struct jw *w, const struct licence *l)
{
	static const enum licence_feature all[] = {
		LICENCE_F_SECURE_ZWAVE, LICENCE_F_STANDBY, LICENCE_F_APP_API,
	};
	char	name[32];
	size_t	i;

	jw_key(w, "features");
	jw_open(w, '[');
	for (i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		if (licence_allows(l, all[i]))
			jw_str(w, licence_feature_names(all[i], name,
			    sizeof(name)));
	jw_close(w, ']');
}

/* The licence as every API answer about it shows it. */
static void
write_view(struct api_call *c, const struct licence *l)
{
	struct licence_view	 v;
	struct jw		*w = &c->w;

	licence_view(l, &v);
	jw_open(w, '{');
	jw_key(w, "status");
	jw_str(w, licence_status_name(v.status));
	jw_key(w, "installed");
	jw_bool(w, v.installed);
	jw_key(w, "customer");
	v.installed ? jw_str(w, v.terms.customer) : jw_null(w);
	jw_key(w, "serial");
	v.installed ? jw_str(w, v.terms.serial) : jw_null(w);
	jw_key(w, "not_before");
	jw_time(w, v.installed ? v.terms.not_before : 0);
	jw_key(w, "not_after");
	jw_time(w, v.installed ? v.terms.not_after : 0);
	jw_key(w, "days_left");
	jw_int(w, v.days_left);
	jw_key(w, "grace_until");
	jw_time(w, v.grace_until);
	jw_key(w, "limits");
	jw_open(w, '{');
	jw_limit(w, "slaves", v.installed, v.terms.max_slaves);
	jw_limit(w, "zwave_nodes", v.installed, v.terms.max_zwave_nodes);
	jw_close(w, '}');
	write_features(w, l);
	jw_key(w, "problem");
	v.problem[0] != '\0' ? jw_str(w, v.problem) : jw_null(w);
	jw_key(w, "known_slaves");
	jw_int(w, v.known_slaves);
	jw_key(w, "warn_days");
	jw_int(w, LICENCE_WARN_DAYS);
	jw_close(w, '}');
}

static void
licence_get(struct api_call *c)
{
	write_view(c, c->ctx);
	api_reply(c, 200);
}

/*
 * The PEM from {"pem": "..."}, or {"pem": ["...", ...]} whose strings are
 * joined: one JSON string is at most JSON_MAX_STRING bytes, and a bundle
 * whose CRL lists many licences may be longer.
 */
static int
upload_pem(struct api_call *c, char *buf, size_t size, size_t *len)
{
	static const char *const fields[] = { "pem", NULL };
	struct json_doc	*d = &c->doc;
	int		 t, e;
	uint32_t	 i;

	if (api_body(c, fields) == -1)
		return -1;
	*len = 0;
	if ((t = json_find(d, 0, "pem")) == -1 ||
	    (d->tok[t].type != JSON_STRING && d->tok[t].type != JSON_ARRAY)) {
		api_refuse(c, 400, "bad_request", "field \"pem\": expected a "
		    "string or an array of strings");
		return -1;
	}
	for (i = 0, e = d->tok[t].type == JSON_STRING ? t : t + 1;
	    i < (d->tok[t].type == JSON_STRING ? 1 : d->tok[t].size);
	    i++, e = (int)d->tok[e].next) {
		if (d->tok[e].type != JSON_STRING ||
		    json_str(d, e, buf + *len, size - *len) == -1) {
			api_refuse(c, 400, "bad_request", "field \"pem\": "
			    "not strings, or longer than a licence file");
			return -1;
		}
		*len += strlen(buf + *len);
	}
	return 0;
}

static void
licence_put(struct api_call *c)
{
	static char	 pem[LICENCE_MAX_FILE + 1];
	struct licence	*l = c->ctx;
	size_t		 len;
	char		 why[192];

	if (upload_pem(c, pem, sizeof(pem), &len) == -1)
		return;
	if (licence_install(l, pem, len, licence_now(), why,
	    sizeof(why)) == -1) {
		log_warnx("api: %s uploaded a licence that was refused: %s",
		    c->user->name, why);
		api_refuse(c, 422, "licence_refused", why);
		return;
	}
	log_info("api: %s installed a new licence", c->user->name);
	write_view(c, l);
	api_reply(c, 200);
}

/* New app tokens need the "app-api" feature (docs/LICENSING.md). */
static const char *
token_gate(void *arg)
{
	struct licence		*l = arg;
	struct licence_view	 v;

	if (licence_allows(l, LICENCE_F_APP_API))
		return NULL;
	licence_view(l, &v);
	if (v.status == LICENCE_LIMITED)
		return "no valid licence (limited mode): new app tokens need "
		    "a licence with app-api; existing tokens keep working";
	return "the licence does not include app-api: no new app tokens; "
	    "existing tokens keep working";
}

static const struct api_route licence_routes[] = {
	{ "GET", "/api/v1/licence", API_VIEWER, licence_get },
	{ "PUT", "/api/v1/licence", API_ADMIN, licence_put },
};

int
api_licence_routes(struct api *a, struct licence *l)
{
	api_token_gate(a, token_gate, l);
	return api_add_routes(a, licence_routes,
	    (int)(sizeof(licence_routes) / sizeof(licence_routes[0])), l);
}
