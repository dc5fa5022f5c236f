/*
 * An old master's unreplicated firings on the standby link (ssync_orphan.h,
 * master/sched/sched_orphan.h): the returning node's report and the
 * master's acknowledgement, Envelope body 34 both ways.
 */

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "master.h"
#include "ssync_orphan.h"
#include "cluster/statesync.h"
#include "ev.h"
#include "sched/sched_master.h"
#include "sched/sched_orphan.h"

void
ssync_orphan_replacing(const char *dir, const char *name, const uint8_t *buf,
    size_t len)
{
	if (strcmp(name, "sched.state") == 0 && buf != NULL)
		(void)sched_orphans_note(dir, buf, len, ev_wall_ms());
}

int
ssync_orphan_report(const char *dir, const struct ssync_ops *ops)
{
	static int		 sends;
	struct sched_orphan	 o[SCHED_ORPHAN_MAX];
	Hd__SchedOrphan		 buf[SCHED_ORPHAN_MAX], *p[SCHED_ORPHAN_MAX];
	Hd__SchedOrphans	 m;
	Hd__Envelope		 e = HD__ENVELOPE__INIT;
	int			 n;

	if ((n = sched_orphans_load(dir, o, SCHED_ORPHAN_MAX)) <= 0)
		return 0;
	/* A master of a build without the report drops the link at each:
	 * a few tries per run, then kept (and logged) for the next start. */
	if (sends == SCHED_ORPHAN_SENDS)
		log_warnx("sched: %d unreplicated firing%s sent %d times "
		    "without an acknowledgement (a master of an older build?): "
		    "kept in %s, sent again at the next start", n, n == 1 ?
		    "" : "s", sends, SCHED_ORPHAN_FILE);
	if (sends++ >= SCHED_ORPHAN_SENDS)
		return 0;
	sched_orphans_msg(&m, buf, p, o, n, 0);
	e.body_case = HD__ENVELOPE__BODY_SCHED_ORPHANS;
	e.sched_orphans = &m;
	log_info("sched: %d unreplicated firing%s of this node's time as "
	    "master: reported to the master", n, n == 1 ? "" : "s");
	return ops->send(ops->arg, &e);
}

int
ssync_orphan_acked(const char *dir, const Hd__SchedOrphans *a,
    const char **why)
{
	struct sched_orphan	o[SCHED_ORPHAN_MAX];
	int			n, k;

	if (!a->ack) {
		*why = "unreplicated firings: a report to a standby";
		return -1;
	}
	if (sched_orphans_check(a, why) == -1)
		return -1;
	if ((n = sched_orphans_load(dir, o, SCHED_ORPHAN_MAX)) <= 0)
		return 0;
	k = sched_orphans_remove(o, n, a);
	if (k != n) {
		(void)sched_orphans_save(dir, o, k);
		log_info("sched: the master recorded %d unreplicated firing%s "
		    "of this node (%d left)", n - k, n - k == 1 ? "" : "s", k);
	}
	return 0;
}

int
ssync_orphan_heard(struct master *m, const char *from,
    const Hd__SchedOrphans *r, const struct ssync_ops *ops, const char **why)
{
	Hd__SchedOrphans	a = *r;
	Hd__Envelope		e = HD__ENVELOPE__INIT;

	if (sched_master_orphans(m, from, r, why) == -1)
		return -1;
	a.ack = 1;
	e.body_case = HD__ENVELOPE__BODY_SCHED_ORPHANS;
	e.sched_orphans = &a;
	return ops->send(ops->arg, &e);
}
