#ifndef HD_STUB_MASTER_H
#define HD_STUB_MASTER_H

#include <stdio.h>

#include "../../master/api/api_stream.h"
#include "../../master/cluster/cluster.h"
#include "../../master/cluster/ha.h"
#include "../../master/master.h"

#define STUB_MAX_EVENTS	256
#define STUB_MAX_FIDS	256

struct stub_event {
	uint64_t	id;
	char		name[32], site[64], device[64], data[STREAM_MAX_DATA];
};

struct stub_state {
	uint64_t		next_id;
	uint64_t		last_id;	/* of the last command sent */
	int			ncmds, link_fails, ndrops;
	uint32_t		last_pulse;
	Hd__Value		last_value;
	struct stub_event	events[STUB_MAX_EVENTS];
	int			nevents;
	char			drop_user[40], drop_key[40];
	/* The replicated log (cluster/ha.h): on with `logged`. */
	int			logged, log_wait, log_busy;
	void			(*accepted)(void *, uint64_t);
	void			*accepted_arg;
	const Hd__ReplCommand	*log_cmd[4];
	const Hd__ReplResult	*log_res[4];
	int			nlog;
	/* Cancels and the log's hooks (ha_set_cmd_hooks). */
	struct ha_cmd_hooks	cmd_hooks;
	void			*cmd_hooks_arg;
	int			cancel_answer;	/* enum ha_settle */
	uint64_t		cancelled_id, held;
	/* The firing ids of the commands sent, in order (the first
	 * STUB_MAX_FIDS). */
	uint64_t		fids[STUB_MAX_FIDS];
	int			nfids;
};

extern struct stub_state stub;

/* The event stream's sink (api_stream_set_sink): events land in stub. */
int	stub_sink(void *, Hd__WebMsg *);

#endif
