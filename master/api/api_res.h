#ifndef HD_API_RES_H
#define HD_API_RES_H

/*
 * The resource API (docs/API.md): sites, nodes, devices and values
 * (api_res.c), commands to devices (api_cmd.c), value history
 * (api_hist.c) and the master's side of the event stream (api_stream.c).
 * Every answer is filtered by the caller's grants: what a caller may not
 * view is answered as if it did not exist.
 *
 * The api_res_* hooks are the cluster's observers (master/wiring.c
 * registers them): each one is cheap when nobody listens (one stream
 * event, one history point).
 */

#include "api/api.h"
#include "api/api_stream.h"
#include "cluster/cluster.h"
#include "master.h"

struct api_res;

/* Adds the routes to m->api; m->api_res. -1 if out of memory or routes. */
int		 api_res_init(struct master *);
void		 api_res_free(struct master *);

/* Hooks: a value report, a command result, a node online or offline, a
 * node's new device list. */
void		 api_res_value(struct master *, struct node *,
		    const Hd__ValueReport *);
void		 api_res_result(struct master *, struct node *,
		    const Hd__CommandResult *);
void		 api_res_node(struct master *, struct node *, int online);
void		 api_res_devices(struct master *, struct node *);

/* api_res.c: helpers the other api_* files share. */
const Hd__Device *api_res_device(const struct node *, const char *id);
const Hd__ValueDesc *api_res_desc(const Hd__Device *, const char *key);
/* The node and device named by call->arg[0], [1] if the caller may view
 * them; else NULL after a 404. */
const Hd__Device *api_res_visible(struct api_call *, struct node **);
void		 api_res_jw_value(struct jw *, const Hd__Value *);
/* Lower-case enum name without its prefix ("DEV_SWITCH" -> "switch"). */
const char	*api_res_enum(const ProtobufCEnumDescriptor *, int v, char *buf,
		    size_t size);

/* api_cmd.c, api_cmd_post.c, api_cmd_log.c (api_cmd_from_log) */
struct api_cmd;
struct api_cmd	*api_cmd_new(struct master *);
void		 api_cmd_free(struct api_cmd *);
int		 api_cmd_routes(struct master *, struct api_cmd *);
void		 api_cmd_result(struct api_cmd *, struct node *,
		    const Hd__CommandResult *);
void		 api_cmd_offline(struct api_cmd *, struct node *);
/* Fails commands whose result is overdue; publishes them. */
void		 api_cmd_sweep(struct api_cmd *, uint64_t now);
/* Elected master (with slave lines): the commands of the replicated
 * log join the list (those accepted by an earlier master, or before a
 * restart), and answers that wait for the synchronous standbys are
 * given when the log says so. */
void		 api_cmd_from_log(struct api_cmd *);

/* api_hist.c */
struct api_hist;
/* With m->conf.state_dir set, the history is loaded from there, saved
 * every HISTORY_SAVE_MS while readings come, and by api_hist_free(). */
struct api_hist	*api_hist_new(struct master *);
void		 api_hist_free(struct api_hist *);
int		 api_hist_routes(struct master *, struct api_hist *);
/* Record a numeric reading at wall time `wall_ms`. */
void		 api_hist_add(struct api_hist *, const char *node,
		    const char *dev, const char *key, const Hd__Value *,
		    uint64_t wall_ms);
void		 api_hist_forget_node(struct api_hist *, const char *node);

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

struct api_res {
	struct api_cmd	*cmd;
	struct api_hist	*hist;
	uint64_t	 next_event;	/* last stream event id */
	api_stream_sink_fn *sink;	/* api_stream_set_sink() */
	void		*sink_arg;
};

#endif
