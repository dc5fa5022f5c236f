#ifndef HD_API_RES_H
#define HD_API_RES_H

/*
 * The resource API (docs/API.md): sites, nodes, devices and values
 * (api_res.c), commands to devices (api_cmd.c), value history
 * (api_hist.c) and the master's side of the event stream (api_stream.c).
 * Every answer is filtered by the caller's grants: what a caller may not
 * view is answered as if it did not exist.
 *
 * The apires_* hooks are the cluster's observers (master/wiring.c
 * registers them): each one is cheap when nobody listens (one stream
 * event, one history point).
 */

#include "api/api.h"
#include "api/api_stream.h"
#include "cluster/cluster.h"
#include "master.h"

struct apires;

/* Adds the routes to m->api; m->apires. -1 if out of memory or routes. */
int		 apires_init(struct master *);
void		 apires_free(struct master *);

/* Hooks: a value report, a command result, a node online or offline, a
 * node's new device list. */
void		 apires_value(struct master *, struct node *,
		    const Hd__ValueReport *);
void		 apires_result(struct master *, struct node *,
		    const Hd__CommandResult *);
void		 apires_node(struct master *, struct node *, int online);
void		 apires_devices(struct master *, struct node *);

/* api_res.c: helpers the other api_* files share. */
const Hd__Device *res_device(const struct node *, const char *id);
const Hd__ValueDesc *res_desc(const Hd__Device *, const char *key);
/* The node and device named by call->arg[0], [1] if the caller may view
 * them; else NULL after a 404. */
const Hd__Device *res_visible(struct api_call *, struct node **);
void		 res_jw_value(struct jw *, const Hd__Value *);
/* Lower-case enum name without its prefix ("DEV_SWITCH" -> "switch"). */
const char	*res_enum(const ProtobufCEnumDescriptor *, int v, char *buf,
		    size_t size);

/* api_cmd.c */
struct apicmd;
struct apicmd	*apicmd_new(struct master *);
void		 apicmd_free(struct apicmd *);
int		 apicmd_routes(struct master *, struct apicmd *);
void		 apicmd_result(struct apicmd *, struct node *,
		    const Hd__CommandResult *);
void		 apicmd_offline(struct apicmd *, struct node *);
/* Fails commands whose result is overdue; publishes them. */
void		 apicmd_sweep(struct apicmd *, uint64_t now);

/* api_hist.c */
struct apihist;
/* With m->conf.state_dir set, the history is loaded from there, saved
 * every HISTORY_SAVE_MS while readings come, and by apihist_free(). */
struct apihist	*apihist_new(struct master *);
void		 apihist_free(struct apihist *);
int		 apihist_routes(struct master *, struct apihist *);
/* Record a numeric reading at wall time `wall_ms`. */
void		 apihist_add(struct apihist *, const char *node,
		    const char *dev, const char *key, const Hd__Value *,
		    uint64_t wall_ms);
void		 apihist_forget_node(struct apihist *, const char *node);

/* api_certcrl.c: client certificates checked against the master's CRL. */
void		 api_certcrl_init(struct master *);
/* A stream opened with the certificate of `serial`, caller key `key`. */
void		 api_certcrl_stream(const char *serial, const char *key);
/* After a CRL reload: end the streams of revoked certificates; how many. */
int		 api_certcrl_recheck(struct master *);

/* logtail.c: the log tail; hooks shared/log.c until logtail_free(). */
int		 logtail_init(struct master *);
void		 logtail_free(void);
/* Publish the lines logged since the last flush, within the rate (the
 * timer calls it; `now` is monotonic ms). */
void		 logtail_flush(uint64_t now);

struct apires {
	struct apicmd	*cmd;
	struct apihist	*hist;
	uint64_t	 next_event;	/* last stream event id */
	api_stream_sink_fn *sink;	/* api_stream_set_sink() */
	void		*sink_arg;
};

#endif
