/*
 * hd-slave: one per Raspberry Pi. Connects out to the master over mutually
 * authenticated TLS, announces its devices, reports their values and
 * carries out commands.
 */

#include <sys/stat.h>

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>

#include "atomicfile.h"
#include "daemon.h"
#include "link/link.h"
#include "log.h"
#include "memtune.h"
#include "slave.h"
#include "wire.h"

static void
on_hup(int sig, void *arg)
{
	struct slave	*s = arg;
	char		 err[256] = "";

	(void)sig;
	if (tls_reload(s->ctx, &s->conf.tls, err, sizeof(err)) == -1) {
		log_warnx("SIGHUP: keeping the old CA/CRL: %s", err);
		return;
	}
	log_info("SIGHUP: CA and CRL reloaded");
	link_reverify(s);
}

static void
load_term(struct slave *s)
{
	Hd__NodeState	*st;
	char		 path[512];

	snprintf(path, sizeof(path), "%s/slave.state", s->conf.state_dir);
	st = (Hd__NodeState *)state_load(path, &hd__node_state__descriptor);
	s->term = st != NULL ? st->term : 0;
	wire_free((ProtobufCMessage *)st);
}

static int
setup(struct slave *s, const char *conffile, int checkonly)
{
	char err[256];

	if (slave_conf_load(&s->conf, conffile) == -1)
		return -1;
	s->ctx = tls_ctx_new(&s->conf.tls, 0, ROLE_SLAVE, ROLE_MASTER, err,
	    sizeof(err));
	if (s->ctx == NULL) {
		log_warnx("%s: %s", conffile, err);
		return -1;
	}
	if (tls_cert_node_id(SSL_CTX_get0_certificate(s->ctx), s->id,
	    sizeof(s->id)) == -1) {
		log_warnx("%s: CN is not a valid node id", s->conf.tls.cert);
		return -1;
	}
	if (checkonly && zw_check(s) == -1)
		return -1;
	if (checkonly) {
		printf("%s: configuration OK (node %s)\n", conffile, s->id);
		return 0;
	}
	if (mkdir(s->conf.state_dir, 0700) == -1 && errno != EEXIST) {
		log_warn("%s", s->conf.state_dir);
		return -1;
	}
	load_term(s);
	memo_load(s);
	return 0;
}

static void
slave_stop(struct slave *s)
{
	local_stop(s);
	safe_stop(s);
	gpio_stop(s);
	adc_stop(s);
	sim_stop(s);
	zw_stop(s);
	journal_close(s);
	SSL_CTX_free(s->ctx);
	ev_loop_free(s->loop);
	slave_conf_free(&s->conf);
}

int
main(int argc, char *argv[])
{
	struct slave		s;
	struct daemon_opts	o;
	int			r;

	daemon_opts(argc, argv, "hd-slave", &o);
	log_init("hd-slave", o.verbose);
	memset(&s, 0, sizeof(s));
	TAILQ_INIT(&s.devs);
	s.up = &link_uplink;
	r = setup(&s, o.conffile, o.checkonly);
	if (r == -1 || o.checkonly) {
		slave_stop(&s);
		return r == -1 ? 1 : 0;
	}
	if ((s.loop = ev_loop_new()) == NULL)
		fatal("event loop");
	daemon_signals(s.loop, on_hup, &s);
	if (journal_open(&s) == -1)
		fatalx("journal: not opened (the reason is above)");
	/* The link first: it sets up the replay queue that the drivers'
	 * first reports and faults (a missing chip) wait in. */
	link_start(&s);
	if (vlink_start(&s) == -1)
		fatalx("vote state: not started (the reason is above)");
	if (sim_start(&s) == -1)
		fatal("simulated devices");
	if (zw_start(&s) == -1)
		fatalx("zwave: not started (the reason is above)");
	if (adc_start(&s) == -1)
		fatal("ADC channels");
	if (gpio_start(&s) == -1)
		fatal("GPIO lines");
	if (safe_start(&s) == -1)
		fatal("Z-Wave safe states");
	if (local_start(&s) == -1)
		fatal("local rules");
	log_info("slave %s (site \"%s\") version %s started, %d master "
	    "address%s", s.id, s.conf.site, HD_VERSION, s.conf.nmasters,
	    s.conf.nmasters == 1 ? "" : "es");
	mem_trim_start(s.loop);
	r = ev_run(s.loop);
	vlink_stop(&s);
	link_stop(&s);
	log_info("slave %s stopped", s.id);
	slave_stop(&s);
	return r == -1 ? 1 : 0;
}
