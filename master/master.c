/*
 * hd-master: the cluster's master. Accepts slaves over mutually
 * authenticated TLS, keeps their devices and values, answers the API,
 * runs the scheduler, the licence and Z-Wave inclusion, and starts its
 * children through the spawner: the web process and the auth worker (the
 * same binary, -C and -A). This file and the other top-level files of
 * master/ are the only ones that wire modules together: the order they
 * are set up in is here (docs/ARCHITECTURE.md, "Layers").
 */

#include <sys/stat.h>

#include <linux/capability.h>

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>

#include "backup.h"
#include "daemon.h"
#include "memtune.h"
#include "log.h"
#include "api/api.h"
#include "api/api_licence.h"
#include "licence/licence.h"
#include "api/api_res.h"
#include "master.h"
#include "standby.h"
#include "api/api_dash.h"
#include "auth/authw.h"
#include "cluster/cluster.h"
#include "cluster/ha.h"
#include "priv.h"
#include "lib/spawner.h"
#include "auth/users.h"
#include "sched/sched.h"
#include "sched/sched_master.h"
#include "web/web.h"
#include "webproc.h"
#include "zwave/zwave.h"

static void
on_hup(int sig, void *arg)
{
	struct master	*m = arg;
	char		 err[256] = "";

	(void)sig;
	licence_reload(m->licence, licence_now());
	sched_master_reload(m);		/* whatever becomes of the CA/CRL */
	if (tls_reload(m->ctx, &m->conf.tls, err, sizeof(err)) == -1) {
		log_warnx("SIGHUP: keeping the old CA/CRL: %s", err);
		return;
	}
	log_info("SIGHUP: CA and CRL reloaded");
	cluster_reverify(m);
	api_certcrl_recheck(m);
	mem_trim("SIGHUP");	/* the events file and the CRL were parsed */
}

static SSL_CTX *
make_ctx(struct master *m)
{
	SSL_CTX	*ctx;
	char	 err[256];

	ctx = tls_ctx_new(&m->conf.tls, 1, ROLE_MASTER, ROLE_SLAVE, err,
	    sizeof(err));
	if (ctx == NULL) {
		log_warnx("TLS setup: %s", err);
		return NULL;
	}
	if (tls_cert_node_id(SSL_CTX_get0_certificate(ctx), m->id,
	    sizeof(m->id)) == -1) {
		log_warnx("%s: CN is not a valid node id", m->conf.tls.cert);
		SSL_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}

/* The licence (docs/LICENSING.md): never fatal, only the CA must read. */
static struct licence *
licence_load(struct master *m)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", m->conf.state_dir, LICENCE_FILE);
	return licence_new(m->conf.licence != NULL ? m->conf.licence : path,
	    m->conf.licence_crl, m->conf.ca, m->conf.state_dir,
	    licence_root(), licence_now());
}

static int
licence_setup(struct master *m)
{
	m->licence = licence_load(m);
	if (m->licence == NULL ||
	    api_licence_routes(m->api, m->licence) == -1) {
		log_warnx("licence: cannot set up");
		return -1;
	}
	return 0;
}

static int
setup(struct master *m, const char *conffile, int checkonly)
{
	char path[PATH_MAX];

	if (master_conf_load(&m->conf, conffile) == -1)
		return -1;
	if ((m->ctx = make_ctx(m)) == NULL)
		return -1;
	if (checkonly) {
		if (sched_master_start(m, 1) == -1)
			return -1;
		if (ha_init(m) == -1)
			return -1;
		printf("%s: configuration OK (node %s)\n", conffile, m->id);
		licence_free(licence_load(m));	/* logs the licence's status */
		return 0;
	}
	if (mkdir(m->conf.state_dir, 0700) == -1 && errno != EEXIST) {
		log_warn("%s", m->conf.state_dir);
		return -1;
	}
	snprintf(path, sizeof(path), "%s/%s", m->conf.state_dir, USERS_FILE);
	if ((m->api = api_new(path, NULL)) == NULL) {
		log_warnx("%s: cannot load the users", path);
		return -1;
	}
	if (licence_setup(m) == -1)
		return -1;
	if (api_res_init(m) == -1) {
		log_warnx("the resource API cannot start");
		return -1;
	}
	if (api_cluster_routes(m) == -1) {
		log_warnx("the cluster API cannot start");
		return -1;
	}
	/* The modules' routes are added here, not by the modules: the API
	 * is above them (docs/ARCHITECTURE.md, "Layers"). */
	if (zwm_init(m) == -1 || api_zwave_routes(m) == -1)
		return -1;
	if (sched_master_start(m, 0) == -1)
		return -1;
	if (m->sched != NULL &&
	    api_sched_routes(m->api, sched_master_api(m)) == -1) {
		log_warnx("sched: the API's route table is full");
		return -1;
	}
	/* What the cluster hears reaches the modules above it. */
	if (master_wire(m) == -1)
		return -1;
	if (stream_wire(m) == -1)
		return -1;
	if (node_state_load(m) == -1)
		return -1;
	return ha_init(m);
}

/* Elected master (with slave lines, docs/FAILOVER.md): the users,
 * tokens and sessions the standby was sent are served now, the API's
 * commands are those of the replicated log, and the scheduler runs the
 * replicated schedule from the replicated state. */
static void
on_elected(struct master *m, uint64_t term)
{
	ssync_wire_takeover(term);
	if (m->api_res != NULL)
		api_cmd_from_log(m->api_res->cmd);
	sched_master_takeover(m);
}

/* api_master_gate: a standby's API names the master and its address. */
static int
master_gate(void *arg, struct api_master *am)
{
	struct master		*m = arg;
	const struct ha_status	*st;
	int			 i;

	if (!ha_is_standby(m)) {
		/* The master: who it is, for GET /api/v1/master and the
		 * hand-over (api_handover.c). */
		snprintf(am->node, sizeof(am->node), "%s", m->id);
		am->term = m->term;
	} else {
		st = ha_status(m);
		if (strcmp(st->leader, m->id) != 0)
			snprintf(am->node, sizeof(am->node), "%s", st->leader);
	}
	for (i = 0; i < m->conf.nmweb && am->node[0] != '\0'; i++)
		if (strcmp(m->conf.mweb_id[i], am->node) == 0)
			snprintf(am->url, sizeof(am->url), "%s",
			    m->conf.mweb_url[i]);
	return ha_is_standby(m);
}

/*
 * A master that stepped down starts again as a standby: everything it
 * ran as master (registrations, scheduler, API state) is dropped by the
 * normal shutdown above, and the start-up path of a standby is the one
 * that is tested. Under systemd the unit's restart would do the same if
 * this fails.
 */
static void
restart_self(char *argv[])
{
	log_info("failover: restarting as a standby");
	execv("/proc/self/exe", argv);
	fatal("exec /proc/self/exe");
}

/* hd-master -U name: the first admin, with a generated password. */
static int
add_admin(struct master *m, const char *conffile, const char *name)
{
	int r = -1;

	if (master_conf_load(&m->conf, conffile) == 0) {
		if (mkdir(m->conf.state_dir, 0700) == -1 && errno != EEXIST)
			log_warn("%s", m->conf.state_dir);
		else
			r = users_create_admin(m->conf.state_dir, name,
			    stdout);
	}
	master_conf_free(&m->conf);
	return r == -1 ? 1 : 0;
}

/*
 * The part of the configuration the web process and the auth worker get
 * (lib/webapi.h): they never see struct master_conf. The strings stay
 * the master's.
 */
static void
web_conf_of(const struct master_conf *mc, struct web_conf *wc)
{
	int i;

	memset(wc, 0, sizeof(*wc));
	for (i = 0; i < mc->nweb_listen && i < WEB_MAX_LISTEN; i++)
		wc->listen[i] = mc->web_listen[i];
	wc->nlisten = i;
	wc->cert = mc->web_cert;
	wc->key = mc->web_key;
	wc->ca = mc->ca;
	wc->crl = mc->crl;
	wc->state_dir = mc->state_dir;
	wc->user = mc->web_user;
	wc->handshake_ms = mc->web_handshake_ms;
	wc->request_ms = mc->web_request_ms;
	for (i = 0; i < mc->nallow && i < BAN_MAX_ALLOW; i++)
		wc->allow[i] = mc->allow[i];
	wc->nallow = i;
	wc->ban_v6_prefix = mc->ban_v6_prefix;
	for (i = 0; i < mc->nmweb && i < HA_MAX_MASTERS; i++)
		wc->mweb[i] = mc->mweb_url[i];
	wc->nmweb = i;
}

/*
 * hd-master -f CONF --next N [--at ISO-TIME]: the events' next firings
 * (master/sched/sched_next.c), then exit. Parsed here, before daemon_opts(),
 * which knows only the daemons' one-letter flags.
 */
static int
next_main(int argc, char *argv[])
{
	struct master_conf	 conf;
	struct sched_prog	*g;
	struct sched_errs	 e;
	struct sched_place	 home = { "", 0, 0, "" };
	const char		*path = NULL, *at_s = NULL;
	char			*end;
	long			 n = 0;
	int64_t			 at;
	int			 i;

	for (i = 1; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "-f") == 0)
			path = argv[i + 1];
		else if (strcmp(argv[i], "--next") == 0)
			n = strtol(argv[i + 1], &end, 10);
		else if (strcmp(argv[i], "--at") == 0)
			at_s = argv[i + 1];
		else
			break;
	}
	if (i != argc || path == NULL || n < 1 || n > SCHED_MAX_NEXT) {
		fprintf(stderr, "usage: hd-master -f config --next N (1 to %d)"
		    " [--at YYYY-MM-DDTHH:MM[:SS][Z|+HH:MM]]\n",
		    SCHED_MAX_NEXT);
		return 2;
	}
	if (at_s == NULL)
		at = (int64_t)time(NULL) * 1000;
	else if (sched_parse_iso(at_s, &at) == -1) {
		fprintf(stderr, "hd-master: --at %s: not a time as "
		    "2026-07-26T22:13[:00][Z|+02:00]\n", at_s);
		return 2;
	}
	memset(&conf, 0, sizeof(conf));
	if (master_conf_load(&conf, path) == -1)
		return 1;
	if (conf.events == NULL) {
		fprintf(stderr, "hd-master: %s: no events file\n", path);
		master_conf_free(&conf);
		return 1;
	}
	if ((g = sched_parse_file(conf.events, &e)) == NULL) {
		fprintf(stderr, "%s", e.buf);
		master_conf_free(&conf);
		return 1;
	}
	home.lat = conf.latitude;
	home.lon = conf.longitude;
	sched_places_resolve(g, &home, conf.places, conf.nplaces);
	sched_next_print(stdout, g, at, (int)n);
	sched_prog_free(g);
	master_conf_free(&conf);
	return fflush(stdout) == 0 ? 0 : 1;
}

int
main(int argc, char *argv[])
{
	struct master		m;
	struct web_conf		wc;
	struct daemon_opts	o;
	int			r, i, force = 0;

	for (i = 1; i < argc; i++)
		if (strcmp(argv[i], "--next") == 0) {
			log_init("hd-master", 0);
			return next_main(argc, argv);
		}
	if (argc == 5 && strcmp(argv[1], "-f") == 0) {
		log_init("hd-master", 0);
		if (strcmp(argv[3], "--backup") == 0)
			return backup_main(argv[2], argv[4]);
		if (strcmp(argv[3], "--restore") == 0)
			return restore_main(argv[2], argv[4]);
	}
	/* Out of argv: a master that steps down execs argv again, and
	 * must not force itself up a second time (docs/FAILOVER.md). */
	for (i = 1; i < argc; i++)
		if (strcmp(argv[i], "--force-promote") == 0) {
			force = 1;
			memmove(&argv[i], &argv[i + 1],
			    (size_t)(argc - i) * sizeof(*argv));
			argc--;
			i--;
		}
	daemon_opts(argc, argv, "hd-master", &o);
	if (o.authfd != -1) {		/* we are the auth worker */
		log_init("hd-auth", o.verbose);
		daemon_procname("hd-master: auth");
		memset(&m, 0, sizeof(m));
		if (master_conf_load(&m.conf, o.conffile) == -1)
			return 1;
		web_conf_of(&m.conf, &wc);
		authw_main(&wc, o.authfd, o.verbose);
	}
	if (o.childfd != -1) {		/* we are the web process */
		log_init("hd-web", o.verbose);
		daemon_procname("hd-master: web");
		memset(&m, 0, sizeof(m));
		if (master_conf_load(&m.conf, o.conffile) == -1)
			return 1;
		web_conf_of(&m.conf, &wc);
		web_main(&wc, o.childfd, o.verbose);
	}
	log_init("hd-master", o.verbose);
	memset(&m, 0, sizeof(m));
	m.force_promote = force;
	if (o.newadmin != NULL)
		return add_admin(&m, o.conffile, o.newadmin);
	TAILQ_INIT(&m.peers);
	TAILQ_INIT(&m.nodes);
	if (!o.checkonly) {
		/* Before any key or byte from outside is in memory: the
		 * spawner alone keeps the means to give children their
		 * own uid; we keep at most the right to bind a low port. */
		spawn_init(o.conffile, o.verbose);
		if (priv_limit(PRIV_CAP(CAP_NET_BIND_SERVICE)) == -1)
			fatal("capabilities");
	}
	r = setup(&m, o.conffile, o.checkonly);
	if (r == -1 || o.checkonly) {
		api_res_free(&m);
		zwm_free(&m);
		sched_master_stop(&m);
		api_free(m.api);
		licence_free(m.licence);
		ha_free(&m);
		cluster_free(&m);
		ev_loop_free(m.loop);
		master_conf_free(&m.conf);
		return r == -1 ? 1 : 0;
	}
	if ((m.loop = ev_loop_new()) == NULL)
		fatal("event loop");
	daemon_signals(m.loop, on_hup, &m);
	licence_start(m.licence, m.loop);
	/* From here every state file written is sent on to a standby. */
	if (ssync_wire_init(&m) == -1 || ssync_wire_hook(&m) == -1)
		return 1;
	if (cluster_listen(&m) == -1)
		return 1;
	if (priv_drop_caps() == -1)
		fatalx("cannot drop capabilities");
	spawn_watch(m.loop);
	m.web = webproc_start(&m, o.conffile, o.verbose);
	if (m.web != NULL && (m.auth = authw_start(m.loop, o.conffile,
	    o.verbose)) == NULL)
		fatal("auth worker");
	api_set_auth(m.api, m.auth);
	ha_set_role_hook(&m, on_elected);
	ha_set_down_hook(&m, sched_master_step_down);
	api_master_gate(m.api, master_gate, &m);
	for (i = 0; i < m.conf.nmweb; i++)
		api_set_master_web(m.api, m.conf.mweb_id[i],
		    m.conf.mweb_url[i]);
	ha_start(&m);
	/* A standby acts on nothing: the master it follows does. */
	if (!ha_is_standby(&m))
		sched_master_run(&m);
	log_info("%s %s version %s started, term %" PRIu64,
	    ha_is_standby(&m) ? "standby" : "master", m.id, HD_VERSION, m.term);
	mem_trim_start(m.loop);
	r = ev_run(m.loop);
	/* First what the API owes (a 202 waiting for the standby: 503 with
	 * the command's id), out through the web process before it drains:
	 * whatever the rest of the stop costs (disk, TLS goodbyes), the
	 * clients are not kept waiting, and none is cut off. */
	ha_answer_owed(&m);
	webproc_drain(m.web);
	sched_master_stop(&m);
	ha_stop(&m);
	cluster_shutdown(&m);
	webproc_stop(m.web);
	authw_stop(m.auth);	/* pending answers: nobody to send them to */
	/* Stepping down, we exec ourselves again without a capability left:
	 * the spawner, which has them, stays for the new image. */
	if (!m.restart || spawn_keep_for_exec() == -1)
		spawn_stop();
	log_info("master %s stopped", m.id);
	ssync_wire_free();
	api_res_free(&m);
	zwm_free(&m);
	api_free(m.api);
	licence_free(m.licence);
	ha_free(&m);
	cluster_free(&m);
	ev_loop_free(m.loop);
	master_conf_free(&m.conf);
	if (m.restart)
		restart_self(argv);
	return r == -1 ? 1 : 0;
}
