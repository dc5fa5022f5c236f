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
	int				 on;	/* the value confirmed */
};

struct sim_dev;

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
	/* devices.c */
	struct sim_dev		*sim;
	struct ev_timer		 sim_timer;
	struct cmd_memo		 memo[CLUSTER_RECENT_CMDS];
	int			 memo_next;
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

/* devices.c */
int	devices_init(struct slave *);
void	devices_free(struct slave *);
/* Fill `da` with the device list; valid until devices change. */
void	devices_announce(struct slave *, Hd__DeviceAnnounce *);
/* Act on a command (idempotent by id) and fill the result. */
void	devices_command(struct slave *, const Hd__Command *,
	    Hd__CommandResult *, Hd__Value *);
/* Re-send all current values (after a new boot is welcomed). */
void	devices_report_all(struct slave *);

/* cmdmemo.c */
const struct cmd_memo *memo_find(const struct slave *, uint64_t id);
void	memo_add(struct slave *, uint64_t id, Hd__CommandResult__Status,
	    int on);

#endif
