#ifndef HD_MASTER_H
#define HD_MASTER_H

/*
 * hd-master's top header: its configuration, struct master (what every
 * module is handed) and the prototypes of the top-level files. Each
 * module's own prototypes are in its folder's header (cluster/cluster.h,
 * sched/sched_master.h, zwave/zwave.h, webproc.h for webproc.c), so a
 * file includes what it calls and check-layers sees every edge. This
 * header includes no folder's header (docs/ARCHITECTURE.md, "Layers").
 */

#include <stdint.h>
#include <sys/queue.h>

#include "cluster.pb-c.h"
#include "ev.h"
#include "hamasters.h"
#include "hdlimits.h"
#include "tls.h"
#include "version.h"


struct sched_place;

struct master_conf {
	char			*ca, *cert, *key, *crl;
	struct tls_files	 tls;		/* points at the four above */
	char			*listen[CFG_MAX_LISTEN];
	int			 nlisten;
	char			*state_dir;
	long			 heartbeat_ms;
	long			 timeout_ms;
	/* the HTTPS engine (web.c) */
	char			*web_listen[WEB_MAX_LISTEN];
	int			 nweb_listen;
	char			*web_cert, *web_key;
	char			*web_user;	/* default "nobody" */
	long			 web_handshake_ms;	/* first byte + TLS */
	long			 web_request_ms;	/* a head, a body */
	char			*allow[BAN_MAX_ALLOW];	/* never banned */
	long			 ban_v6_prefix;	/* IPv6 counted per /N */
	int			 nallow;
	char			*licence;	/* default <state-dir>/licence.pem */
	char			*licence_crl;	/* extra licence CRLs, or NULL */
	/* the scheduler (sched_master.c) */
	char			*events;	/* events file, NULL: none */
	double			 latitude, longitude;	/* NAN: not given */
	struct sched_place	*places;	/* site-place lines, NULL: */
	int			 nplaces;	/* none (docs/SCHEDULER.md#sites) */
	/* failover: the master-capable nodes, in order (cluster/ha.c) */
	struct ha_masters	 masters;
	/* ... and the slaves that vote, in order; n = 0: no election */
	struct ha_slaves	 slaves;
	/* master-web lines: a node's dashboard, named by a standby's API */
	char			 mweb_id[HA_MAX_MASTERS][NODE_ID_MAX + 1];
	char			 mweb_url[HA_MAX_MASTERS][MASTER_WEB_MAX];
	int			 nmweb;
};

#define CLUSTER_MAX_OBSERVERS	8	/* wiring.c registers seven */

/* One registration (cluster/observe.c); the ops are cluster/cluster.h's. */
struct cluster_observer {
	const struct cluster_ops	*ops;
	void				*arg;
};

struct master {
	struct master_conf	 conf;
	struct ev_loop		*loop;
	SSL_CTX			*ctx;
	char			 id[NODE_ID_MAX + 1];
	uint64_t		 term;
	uint64_t		 seq;		/* our reliable envelope seq */
	uint64_t		 next_cmd;	/* next Command.id */
	uint64_t		 cmd_reserved;	/* ids below this are on disk */
	int			 lfd[CFG_MAX_LISTEN];
	struct ev_io		 lio[CFG_MAX_LISTEN];
	TAILQ_HEAD(, peer)	 peers;
	TAILQ_HEAD(, node)	 nodes;
	int			 npeers;
	int			 npending;
	struct webproc		*web;
	struct api		*api;		/* users, sessions (api.c) */
	struct licence		*licence;	/* licence_state.c */
	struct api_res		*api_res;	/* resources, commands (api_res.c) */
	struct zwm		*zw;		/* Z-Wave inclusion (zwave.c) */
	struct sched_master	*sched;		/* NULL without an events file */
	struct authw		*auth;		/* scrypt off the loop (authw.h) */
	struct ha		*ha;		/* failover (cluster/ha.c) */
	int			 restart;	/* stepped down: exec again */
	int			 force_promote;	/* --force-promote (ha_elect.c) */
	struct cluster_observer	 obs[CLUSTER_MAX_OBSERVERS];	/* observe.c */
	int			 nobs;
};

/* config.c */
int		 master_conf_load(struct master_conf *, const char *path);
void		 master_conf_free(struct master_conf *);

/* wiring.c: the observers of the API, the scheduler and Z-Wave, in
 * that order (the order the cluster called them in by name before). */
int		 master_wire(struct master *);

/* stream_wire.c: the scheduler's and Z-Wave's notices to the stream */
int		 stream_wire(struct master *);

#endif
