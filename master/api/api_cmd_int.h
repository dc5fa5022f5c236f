#ifndef HD_API_CMD_INT_H
#define HD_API_CMD_INT_H

/*
 * Inside the API's commands (docs/API.md), shared by its three files:
 * api_cmd.c keeps the bounded ring of records (how each command ended,
 * GET /api/v1/commands/{id}, the stream), api_cmd_post.c checks and
 * sends a new one (POST .../values/{key}), api_cmd_log.c is the side of
 * the replicated log (a new master's list, settlements, DELETE, the
 * answers a master that steps down still owes). Modules use api_res.h.
 */

#include <stdint.h>

#include "api/api_internal.h"
#include "api/api_res.h"

enum cmd_state { CMD_FREE, CMD_PENDING, CMD_OK, CMD_FAILED, CMD_QUEUED,
    CMD_CANCELLED, CMD_EXPIRED };

struct cmdrec {
	uint64_t	id;
	enum cmd_state	state;
	char		node[NODE_ID_MAX + 1];
	char		site[SITE_NAME_MAX + 1];
	char		device[DEVICE_ID_MAX + 1];
	char		key[VALUE_KEY_MAX + 1];
	char		by[USER_NAME_MAX + 1];
	char		result[24];
	char		detail[128];
	Hd__Value	value;		/* v_case NOT_SET: none */
	char		sval[VALUE_STR_MAX + 1];
	uint64_t	issued_ms, done_ms;	/* wall */
	uint64_t	deadline;		/* monotonic */
	struct api_later *later;	/* the 202 waits for the standbys */
	struct api_later *cancel;	/* a cancel's answer waits too ... */
	uint64_t	cancel_pos;	/* ... until the log holds this */
};

struct api_cmd {
	struct master	*m;
	struct cmdrec	 rec[API_CMD_KEEP];
	int		 next;		/* ring slot for the next command */
	int		 npending;	/* pending or queued */
	struct ev_timer	 timer;
};

/* api_cmd.c: the ring. A record found or taken stays valid until the
 * next api_cmd_take(). */
int		 api_cmd_waiting(const struct cmdrec *);
uint64_t	 api_cmd_mono(const struct api_cmd *);
struct cmdrec	*api_cmd_find(struct api_cmd *, uint64_t id);
struct cmdrec	*api_cmd_take(struct api_cmd *);
void		 api_cmd_keep_value(struct cmdrec *, const Hd__Value *);
void		 api_cmd_answer(struct api_cmd *, struct api_later **,
		    const struct cmdrec *,
		    void (*)(struct api_call *, const struct cmdrec *));
void		 api_cmd_write(struct jw *, const struct cmdrec *);
void		 api_cmd_finish(struct api_cmd *, struct cmdrec *,
		    enum cmd_state, const char *result, const char *detail);

/* api_cmd_post.c: POST /api/v1/devices/{site}/{device}/values/{key},
 * and the 202 that waited for the standbys (an ha accepted hook). */
void		 api_cmd_post(struct api_call *);
void		 api_cmd_on_accepted(void *, uint64_t id);

/* api_cmd_log.c: DELETE /api/v1/commands/{id}. */
void		 api_cmd_cancel(struct api_call *);

#endif
