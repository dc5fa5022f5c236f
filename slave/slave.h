#ifndef HD_SLAVE_H
#define HD_SLAVE_H

#include <stdint.h>

#include "cluster.pb-c.h"
#include "conn.h"
#include "ev.h"
#include "heartbeat.h"
#include "hdlimits.h"
#include "tls.h"

#define HD_VERSION	"0.1.0"

struct slave_conf {
	char			*ca, *cert, *key, *crl;
	struct tls_files	 tls;		/* points at the four above */
	char			*masters[CFG_MAX_MASTERS];	/* in order */
	int			 nmasters;
	char			*site;
	char			*state_dir;
	int			 simulate;	/* placeholder devices */
	long			 sim_interval_ms;
	long			 heartbeat_ms;
	long			 timeout_ms;
	char			*zw_port;	/* NULL: no Z-Wave */
	long			 zw_ping_ms;	/* idle stick check */
};

enum link_state {
	LINK_IDLE,		/* waiting to reconnect */
	LINK_CONNECTING,	/* TCP + TLS */
	LINK_WELCOME,		/* Hello sent */
	LINK_ONLINE,
};

/* One queued reliable envelope, kept packed until the master acks it. */
struct rq_item {
	uint64_t	 seq;
	uint8_t		*data;
	size_t		 len;
};

/* Bounded replay queue of unacknowledged reports (reportq.c). */
struct reportq {
	struct rq_item	 items[CLUSTER_REPLAY_QUEUE];
	int		 head, count;
	uint64_t	 dropped;	/* overflowed before an ack */
};

/* Recent command ids and their results (cmdmemo.c). */
struct cmd_memo {
	uint64_t			 id;
	Hd__CommandResult__Status	 status;
	Hd__Value			 value;	/* confirmed; scalars only */
};

struct dev;
struct sim;
struct zw_ctrl;
struct cfg_line;

/*
 * What a driver (simulator, Z-Wave, ADC, GPIO) implements for each of its
 * devices. Only `command` is required of devices with writable values.
 */
struct dev_ops {
	/* Act on a command the table has checked (known device, writable
	 * key, right type and range). Finish it with dev_done(), at once or
	 * later (a Z-Wave node may take seconds). */
	void	(*command)(struct dev *, const Hd__Command *);
	/* Report every current value (after each Welcome). */
	void	(*report_all)(struct dev *);
	/* The link to the master came up (1) or was lost (0). */
	void	(*link)(struct dev *, int up);
};

/* A device in the table (devtab.c). `desc` is what the master sees. */
struct dev {
	TAILQ_ENTRY(dev)	 entry;
	struct slave		*s;
	const struct dev_ops	*ops;
	void			*drv;		/* the driver's state */
	Hd__Device		 desc;		/* strings owned by the table */
	Hd__ValueDesc		*vals[CLUSTER_MAX_DEV_VALUES];
};

#define DEV_STALE	0x1
#define DEV_FAULT	0x2
#define DEV_LOW_BATTERY	0x4

struct slave {
	struct slave_conf	 conf;
	struct ev_loop		*loop;
	SSL_CTX			*ctx;
	char			 id[NODE_ID_MAX + 1];
	/* link.c */
	struct conn		 conn;
	enum link_state		 state;
	struct ev_timer		 timer;		/* reconnect / heartbeat */
	int			 cur;		/* index into conf.masters */
	int			 tried;		/* masters tried this round */
	uint64_t		 backoff;	/* ms, after a full round */
	uint64_t		 boot_id;
	uint64_t		 seq;		/* our reliable seq */
	uint64_t		 peer_ack;	/* master's last seq we processed */
	uint64_t		 term;		/* highest master term seen */
	struct heartbeat	 hb;
	uint32_t		 hb_ms, timeout_ms;
	char			 master_id[NODE_ID_MAX + 1];
	struct reportq		 rq;
	/* devtab.c, command.c, cmdmemo.c */
	TAILQ_HEAD(, dev)	 devs;
	int			 ndevs;
	uint64_t		 inflight[CLUSTER_MAX_INFLIGHT];
	struct cmd_memo		 memo[CLUSTER_RECENT_CMDS];
	int			 memo_next;
	/* drivers */
	struct sim		*sim;
	struct zw_ctrl		*zw;
};

/* config.c */
int	slave_conf_load(struct slave_conf *, const char *path);
void	slave_conf_free(struct slave_conf *);

/* link.c */
void	link_start(struct slave *);
void	link_stop(struct slave *);
/* Queue a reliable body (report, result, fault) and send it if online.
 * Takes a filled envelope without seq; assigns it. */
int	link_send_reliable(struct slave *, Hd__Envelope *);
int	link_term_save(struct slave *);
int	link_send_announce(struct slave *);
void	link_reverify(struct slave *);

/* reportq.c */
void	rq_init(struct reportq *);
void	rq_free(struct reportq *);
int	rq_push(struct reportq *, uint64_t seq, const ProtobufCMessage *);
void	rq_ack(struct reportq *, uint64_t ack);
/* Call fn for each queued item with seq > after, oldest first. */
int	rq_replay(struct reportq *, uint64_t after,
	    int (*fn)(void *, const uint8_t *, size_t), void *arg);

/* devtab.c */
struct dev	*dev_new(struct slave *, const char *id, const char *name,
		    const char *room, Hd__DeviceKind, const struct dev_ops *,
		    void *drv);
int		 dev_value(struct dev *, const char *key, Hd__ValueType,
		    const char *unit, int writable, double min, double max);
void		 dev_free_desc(struct dev *);
void		 dev_remove(struct dev *);
struct dev	*dev_find(struct slave *, const char *id);
const Hd__ValueDesc *dev_find_value(const struct dev *, const char *key);
/* Report a value (DEV_* flags); queued for the master until acked. */
void		 dev_report(struct dev *, const char *key, const Hd__Value *,
		    int flags);
void		 dev_fault(struct slave *, const char *subsystem,
		    const char *dev_id, int active, const char *detail);
void		 devtab_changed(struct slave *);
/* Fill `da` with the table; free(da->devices) after sending. */
void		 devices_announce(struct slave *, Hd__DeviceAnnounce *);
void		 devices_report_all(struct slave *);
void		 devices_link(struct slave *, int up);

/* command.c */
void		 devices_command(struct slave *, const Hd__Command *);
void		 dev_done(struct dev *, uint64_t id, Hd__CommandResult__Status,
		    const char *detail, const Hd__Value *confirmed);

/* sim.c */
int		 sim_start(struct slave *);
void		 sim_stop(struct slave *);

/* zw_conf.c */
int		 zw_conf_directive(struct slave_conf *, const struct cfg_line *,
		    char *err, size_t errlen);

/* zw_ctrl.c */
int		 zw_start(struct slave *);
void		 zw_stop(struct slave *);

/* cmdmemo.c */
const struct cmd_memo *memo_find(const struct slave *, uint64_t id);
void	memo_add(struct slave *, uint64_t id, Hd__CommandResult__Status,
	    const Hd__Value *);

#endif
