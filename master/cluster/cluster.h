#ifndef HD_CLUSTER_H
#define HD_CLUSTER_H

/*
 * The cluster module (master/cluster/): the link to the slaves
 * (cluster.c), the node table (nodes.c) and the observers through which
 * the modules above it hear of the slaves (observe.c). It calls none of
 * them: master/wiring.c registers them (docs/ARCHITECTURE.md,
 * "Observers").
 */

#include <sys/queue.h>

#include <netinet/in.h>
#include <stdint.h>

#include "cluster.pb-c.h"
#include "conn.h"
#include "ev.h"
#include "heartbeat.h"
#include "hdlimits.h"
#include "master.h"

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
	/* Not acknowledged from this seq on (0: none): a report whose
	 * firing record the standby does not hold yet (the scheduler's,
	 * docs/FAILOVER.md#value-triggered-firings), so that the slave
	 * replays it to a new master. */
	uint64_t		 ack_below;
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
 * (master/wiring.c) with cluster_observe(): the cluster calls none of them by
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

enum peer_state {
	PEER_HANDSHAKE,		/* TLS in progress */
	PEER_HELLO,		/* verified, waiting for Hello */
	PEER_ONLINE,		/* registered */
	PEER_STANDBY,		/* a standby master, admitted (cluster/ha.c) */
	PEER_VOTER,		/* a slave's vote link (cluster/ha_elect.c) */
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
	int			 standby;	/* its Hello claims CAP_STANDBY */
	int			 ha_node;	/* its place in conf.masters
						 * (a voter: in conf.slaves) */
};

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
uint64_t	 cluster_command_id(struct master *);
/* The node table and the TLS context (at exit). */
void		 cluster_free(struct master *);

#endif
