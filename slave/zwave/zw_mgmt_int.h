/*
 * What zw_mgmt.c (the management interview, the wake-up queue) and
 * zw_mgmt_rx.c (what nodes send: the answers, encapsulations) share;
 * nothing else includes it.
 */
#ifndef HD_ZW_MGMT_INT_H
#define HD_ZW_MGMT_INT_H

#include "zwave/zw.h"

enum mg_step {
	MG_VERSION, MG_PLUS, MG_ASSOC_SET, MG_ASSOC_GET, MG_WAKEUP_GET,
	MG_WAKEUP_SET, MG_MC_EP, MG_MC_CAP, MG_DONE,
};

/* A held request and the caller's completion, for the wake-up queue. */
struct mg_held {
	struct zw_req	 r;
	struct zw_mg	*mg;
};

struct zw_mg {
	struct zw_node	*zn;
	enum mg_step	 step;
	int		 idx;		/* class index or endpoint */
	int		 running;	/* the interview is under way */
	int		 waiting;	/* its report is awaited */
	struct ev_timer	 timer;
	struct mg_held	 held[ZW_WAKEUP_QUEUE];
	int		 nheld;
	int		 flushing;	/* sent at the wake-up, not done */
	struct mg_held	 fl[ZW_WAKEUP_QUEUE];
};

/* The step's report arrived: keep it, then the next question. */
void	zw_mgmt_got(struct zw_ctrl *, struct zw_node *, enum mg_step);
/* Its Wake Up Notification: resume the interview, send what was held. */
void	zw_mgmt_woke_up(struct zw_ctrl *, struct zw_node *);

#endif
