#ifndef HD_MASTER_H
#define HD_MASTER_H

#include <stdint.h>
#include <sys/queue.h>

#include "cluster.pb-c.h"
#include "conn.h"
#include "ev.h"
#include "heartbeat.h"
#include "hdlimits.h"
#include "tls.h"

#define HD_VERSION	"0.1.0"

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
};

/* Last known value of one device value. */
struct value {
	TAILQ_ENTRY(value)	 entry;
	char			 device_id[DEVICE_ID_MAX + 1];
	char			*key;
	Hd__Value		*v;		/* owned copy */
	uint64_t		 time_ms;
	int			 stale, fault, low_battery;
};

/*
 * A slave the master knows, online or not. It outlives connections, so a
 * reconnect resumes its report sequence and keeps its devices and values.
 */
struct node {
	TAILQ_ENTRY(node)	 entry;
	char			 id[NODE_ID_MAX + 1];	/* certificate CN */
	char			 site[SITE_NAME_MAX + 1];
	char			 version[VERSION_MAX + 1];
	char			 addr[INET6_ADDRSTRLEN + 8];
	uint64_t		 boot_id;
	uint32_t		 caps;		/* 1 << Hd__Capability, from Hello */
	uint64_t		 last_seq;	/* highest reliable seq processed */
	struct peer		*peer;		/* NULL while offline */
	uint64_t		 online_since, last_seen;	/* wall ms */
	Hd__DeviceAnnounce	*devices;	/* last complete list, owned */
	TAILQ_HEAD(, value)	 values;
	int			 nvalues;
	struct zwm_slave	*zw;		/* Z-Wave inclusion (zwave.c) */
};

/*
 * What the modules above the cluster (the API, the scheduler, Z-Wave
 * management) hear of the slaves, registered by the wiring file
 * (wiring.c) with cluster_observe(): the cluster calls none of them by
 * name. Observers are called in the order they were registered; a NULL
 * member is skipped. `node` and the messages are borrowed for the call.
 */
struct cluster_ops {
	/* A slave registered (online 1) or its connection ended (0). */
	void	(*node)(void *arg, struct node *, int online);
	/* Its device list replaced (n->devices). */
	void	(*devices)(void *arg, struct node *);
	/* A value report the node table accepted. */
	void	(*value)(void *arg, struct node *, const Hd__ValueReport *);
	void	(*result)(void *arg, struct node *,
		    const Hd__CommandResult *);
	/* A new boot id: what the slave had under way is gone with it. */
	void	(*restarted)(void *arg, struct node *);
	/* The node is about to be freed (node_free()). */
	void	(*freed)(void *arg, struct node *);
	/* An envelope body the cluster does not handle itself, named
	 * `body_name` in logs: 0, or -1 if malformed (the peer is dropped). */
	Hd__Envelope__BodyCase body_case;
	const char	*body_name;
	int	(*body)(void *arg, struct node *, const Hd__Envelope *);
};

#define CLUSTER_MAX_OBSERVERS	8	/* wiring.c registers three */

struct cluster_observer {
	const struct cluster_ops	*ops;
	void				*arg;
};

enum peer_state {
	PEER_HANDSHAKE,		/* TLS in progress */
	PEER_HELLO,		/* verified, waiting for Hello */
	PEER_ONLINE,		/* registered */
};

/* One connection from a slave. */
struct peer {
	TAILQ_ENTRY(peer)	 entry;
	struct master		*m;
	struct conn		 conn;
	enum peer_state		 state;
	struct node		*node;
	struct ev_timer		 timer;		/* handshake deadline / heartbeat */
	struct heartbeat	 hb;
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
	struct apires		*apires;	/* resources, commands (api_res.c) */
	struct zwm		*zw;		/* Z-Wave inclusion (zwave.c) */
	struct sched_master	*sched;		/* NULL without an events file */
	struct authw		*auth;		/* scrypt off the loop (authw.h) */
	struct cluster_observer	 obs[CLUSTER_MAX_OBSERVERS];	/* observe.c */
	int			 nobs;
};

/* web.c: the HTTPS engine's process. Never returns. */

/* webproc.c: the master's side of it */
struct webproc;
struct webproc	*webproc_start(struct master *, const char *conffile,
		    int verbose);
void		 webproc_stop(struct webproc *);
/* One message to the web process; -1 if it is not up. */
struct Hd__WebMsg;
int		 webproc_send(struct webproc *, struct Hd__WebMsg *);

/* config.c */
int		 master_conf_load(struct master_conf *, const char *path);
void		 master_conf_free(struct master_conf *);

/* cluster.c */
int		 cluster_listen(struct master *);
void		 cluster_shutdown(struct master *);
void		 cluster_reverify(struct master *);
int		 cluster_command(struct master *, struct node *,
		    Hd__Command *);

/* cluster.c: a body for an online slave (seq assigned). -1: offline. */
int		 cluster_send(struct master *, struct node *, Hd__Envelope *);

/* observe.c: the cluster's observers (struct cluster_ops above). */
/* -1 if CLUSTER_MAX_OBSERVERS are registered already. */
int		 cluster_observe(struct master *, const struct cluster_ops *,
		    void *arg);
void		 cluster_obs_node(struct master *, struct node *, int online);
void		 cluster_obs_devices(struct master *, struct node *);
void		 cluster_obs_value(struct master *, struct node *,
		    const Hd__ValueReport *);
void		 cluster_obs_result(struct master *, struct node *,
		    const Hd__CommandResult *);
void		 cluster_obs_restarted(struct master *, struct node *);
void		 cluster_obs_freed(struct master *, struct node *);
/* The observer for e's body: 0 handled, -1 malformed (*name says what),
 * 1 none (a body a slave may not send). */
int		 cluster_obs_body(struct master *, struct node *,
		    const Hd__Envelope *, const char **name);

/* wiring.c: the observers of the API, the scheduler and Z-Wave, in
 * that order (the order the cluster called them in by name before). */
int		 master_wire(struct master *);

/* stream_wire.c: the scheduler's and Z-Wave's notices to the stream */
int		 stream_wire(struct master *);

/* zwave.c: Z-Wave inclusion and exclusion on the slaves */
struct zwm_slave;
/* One progress step, as it happened; borrowed for the call. */
typedef void	 zwm_progress_fn(void *arg, const struct node *,
		    const Hd__ZwProgress *);
int		 zwm_init(struct master *);
void		 zwm_free(struct master *);
/* Start, or stop, on slave `n`: 0, or -1 with `why` (offline, busy). */
int		 zwm_request(struct master *, struct node *,
		    Hd__ZwInclusion__Action, uint32_t timeout_ms,
		    const char *by, const char **why);
/* From cluster.c; -1 if the message is malformed (drop the peer). */
int		 zwm_progress(struct master *, struct node *,
		    const Hd__ZwProgress *);
/* Have `fn` called for each step on any slave; -1 if full. */
int		 zwm_subscribe(struct master *, zwm_progress_fn *, void *arg);
void		 zwm_node_free(struct node *);
/* The slave restarted: what it had under way is gone with it. */
void		 zwm_slave_restarted(struct master *, struct node *);
/* api_zwave.c */
int		 api_zwave_routes(struct master *);
/* sched_master.c: the scheduler in the master (docs/SCHEDULER.md) */
struct sched_master;
/* Load conf.events (with -n only check it); -1 on errors, logged. */
int		 sched_master_start(struct master *, int checkonly);
void		 sched_master_run(struct master *);
void		 sched_master_stop(struct master *);
/* SIGHUP: reload; a bad file keeps the old schedule. */
void		 sched_master_reload(struct master *);
void		 sched_master_value(struct master *, struct node *,
		    const Hd__ValueReport *);
void		 sched_master_node(struct master *, struct node *, int online);
/* A slave's CommandResult; only the slave a command went to can end it. */
void		 sched_master_result(struct master *, struct node *,
		    const Hd__CommandResult *);
/* The engine, for wiring its notifications (sched_set_notify). */
struct sched	*sched_master_engine(struct master *);
/* What the scheduler's API routes need (api_sched_routes, added by
 * master.c); NULL without an events file. */
struct sched_api;
struct sched_api *sched_master_api(struct master *);

/* nodes.c */
struct node	*node_get(struct master *, const char *id, int create);
/* Tells the observers (freed), then frees `n`, already off m->nodes. */
void		 node_free(struct master *, struct node *);
/* The capabilities a Hello announces, as 1 << Hd__Capability bits. */
uint32_t	 node_caps(const Hd__Hello *);
const char	*node_set_devices(struct node *, Hd__DeviceAnnounce *);
int		 node_set_value(struct node *, const Hd__ValueReport *);
int		 node_state_load(struct master *);
int		 node_state_save(struct master *);
uint64_t	 master_command_id(struct master *);
void		 master_stop(struct master *);

#endif
