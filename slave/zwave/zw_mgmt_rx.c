/*
 * What nodes send the management layer: the interview's answers
 * (Version, Z-Wave Plus Info, Association, Wake Up, Multi Channel
 * endpoints), Wake Up Notifications, and the encapsulations opened here:
 * an endpoint's command goes back to zw_node_receive() with its endpoint,
 * a Supervision Get's command likewise and is answered SUCCESS, a
 * Supervision Report confirms the command under way (zw_node_cmd.c),
 * each command of a Multi Command and a CRC-16 encapsulation's (once its
 * checksum matches) likewise. Transport Service is put together before
 * (zw_transport_rx.c); inside an encapsulation it is refused, logged.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "slave.h"
#include "zwave/zw.h"
#include "zwave/zw_cc.h"
#include "zwave/zw_maint.h"
#include "zwave/zw_mgmt_int.h"

static int
nid(const struct zw_node *zn)
{
	return (int)(zn - zn->ctrl->node);
}

/* Our Supervision Report went, or not: nothing waits for it. */
static void
report_sent(void *arg, enum zw_status st, const struct zw_frame *res,
    const struct zw_frame *cb)
{
	(void)arg;
	(void)res;
	(void)cb;
	if (st != ZW_OK && st != ZW_ERR_DOWN)
		log_debug("zwave: supervision report: %s", zw_status_str(st));
}

static void
got_version(struct zw_ctrl *c, struct zw_node *zn, uint8_t cc, uint8_t v)
{
	size_t i;

	for (i = 0; i < zn->ncc; i++)
		if (zn->cc[i] == cc)
			zn->ccver[i] = v;
	if (zn->mg != NULL && zn->mg->step == MG_VERSION &&
	    zn->mg->idx < (int)zn->ncc && zn->cc[zn->mg->idx] == cc)
		zw_mgmt_got(c, zn, MG_VERSION);
}

static void
got_plus(struct zw_ctrl *c, struct zw_node *zn, const struct zw_cc_info *in)
{
	zn->have_plus = 1;
	zn->plus_role = in->role;
	zn->plus_type = in->node_type;
	zn->icon_inst = in->installer_icon;
	zn->icon_user = in->user_icon;
	log_info("zwave: node %d: Z-Wave Plus v%d, role %d, node type %d, "
	    "icons %04x/%04x", nid(zn), in->plus_version, in->role,
	    in->node_type, in->installer_icon, in->user_icon);
	zw_mgmt_got(c, zn, MG_PLUS);
}

static void
got_assoc(struct zw_ctrl *c, struct zw_node *zn, const struct zw_assoc *a)
{
	size_t i;

	if (a->group != ZW_LIFELINE)
		return;
	zn->lifeline = zn->lifeline_mc = 0;
	for (i = 0; i < a->n; i++)
		if (a->nodes[i] == c->own_id)
			zn->lifeline = 1;
	for (i = 0; i < a->nep; i++)
		if (a->ep_node[i] == c->own_id && a->ep[i] == 0)
			zn->lifeline = zn->lifeline_mc = 1;
	if (!zn->lifeline)
		log_warnx("zwave: node %d: its lifeline does not name us",
		    nid(zn));
	zw_mgmt_got(c, zn, MG_ASSOC_GET);
}

static void
got_wakeup(struct zw_ctrl *c, struct zw_node *zn, const struct zw_wakeup *w)
{
	if (w->kind == ZW_WU_NOTIFICATION) {
		zw_mgmt_woke_up(c, zn);
		return;
	}
	if (w->kind != ZW_WU_INTERVAL)
		return;
	zn->wakeup_s = w->interval;
	zn->wakeup_node = w->node;
	zw_mgmt_got(c, zn, MG_WAKEUP_GET);
}

static void
got_endpoints(struct zw_ctrl *c, struct zw_node *zn, const struct zw_mc *m)
{
	if (m->kind == ZW_MC_ENDPOINTS) {
		if (m->count > ZW_MAX_ENDPOINTS)
			log_warnx("zwave: node %d: %d endpoints, the first %d "
			    "kept", nid(zn), m->count, ZW_MAX_ENDPOINTS);
		free(zn->eps);
		zn->eps = NULL;
		if (m->count > 0 && (zn->eps = calloc(1,
		    sizeof(*zn->eps))) != NULL)
			zn->eps->n = m->count > ZW_MAX_ENDPOINTS ?
			    ZW_MAX_ENDPOINTS : m->count;
		zw_mgmt_got(c, zn, MG_MC_EP);
		return;
	}
	if (zn->eps == NULL || m->ep > zn->eps->n)
		return;
	zn->eps->ep[m->ep - 1].generic = m->generic;
	zn->eps->ep[m->ep - 1].specific = m->specific;
	zn->eps->ep[m->ep - 1].ncc = (uint8_t)m->ncc;
	memcpy(zn->eps->ep[m->ep - 1].cc, m->cc, m->ncc);
	log_info("zwave: node %d: endpoint %d: generic class 0x%02x, %zu "
	    "command classes", nid(zn), m->ep, m->generic, m->ncc);
	if (zn->mg != NULL && zn->mg->idx + 1 == m->ep)
		zw_mgmt_got(c, zn, MG_MC_CAP);
}

/* A node's Supervision Get: its command, then our SUCCESS; a command
 * refused (a secure-only class in clear) is not acknowledged. */
static int
supervised_in(struct zw_ctrl *c, struct zw_node *zn, uint8_t ep,
    const struct zw_supervision *sv, int secure)
{
	uint8_t	out[16];
	size_t	n;

	if (zw_node_receive(c, zn, ep, sv->inner, sv->ninner, secure) == -1)
		return -1;
	if ((n = zw_cc_supervision_report(out, sizeof(out), sv->session,
	    ZW_SV_SUCCESS, 0)) > 0 && (ep == 0 || (n = zw_cc_mc_encap(out,
	    sizeof(out), 0, ep, out, n)) > 0))
		zw_node_send(c, nid(zn), out, n, ZW_PRIO_USER, report_sent, zn);
	return 0;
}

/*
 * Each command of a Multi Command, judged as if it came alone. The first
 * one refused drops the rest: a real node never mixes a forged command
 * with good ones, and those before it were as good as sent bare.
 */
static int
multi_in(struct zw_ctrl *c, struct zw_node *zn, uint8_t ep,
    const struct zw_multi *m, int secure)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		if (zw_node_receive(c, zn, ep, m->cmd[i], m->len[i],
		    secure) == -1) {
			if (i + 1 < m->n)
				log_warnx("zwave: node %d: the other %zu "
				    "command%s of its Multi Command dropped",
				    nid(zn), m->n - i - 1,
				    m->n - i - 1 == 1 ? "" : "s");
			return -1;
		}
	return 0;
}

/* CRC-16: a wrong checksum is a damaged frame, dropped and logged. */
static int
crc16_in(struct zw_ctrl *c, struct zw_node *zn, uint8_t ep,
    const struct zw_crc16 *k, int secure)
{
	if (!k->crc_ok) {
		log_warnx("zwave: node %d: CRC-16 encapsulation with a wrong "
		    "checksum dropped", nid(zn));
		return -1;
	}
	return zw_node_receive(c, zn, ep, k->inner, k->ninner, secure);
}

/*
 * `secure`: the frame came in a valid S0 encapsulation; what a clear one
 * carries is judged again, at its own depth, by zw_node_receive(), so a
 * clear wrapper cannot smuggle in a class granted only securely.
 */
int
zw_mgmt_receive(struct zw_ctrl *c, struct zw_node *zn, uint8_t ep,
    const uint8_t *cmd, size_t len, int secure)
{
	struct zw_wakeup	w;
	struct zw_assoc		a;
	struct zw_mc		m;
	struct zw_supervision	sv;
	struct zw_multi		mu;
	struct zw_crc16		k;
	struct zw_cc_info	info;
	uint8_t			cc, v, ng;
	int			r = 0, refused = 0;

	switch (cmd[0]) {
	case ZW_CC_VERSION:
		if ((r = zw_cc_decode_cc_version(cmd, len, &cc, &v)) == 1)
			got_version(c, zn, cc, v);
		break;
	case ZW_CC_ZWAVEPLUS_INFO:
		memset(&info, 0, sizeof(info));
		if ((r = zw_cc_decode_info(cmd, len, &info)) == 1 &&
		    info.have_plus && ep == 0)
			got_plus(c, zn, &info);
		break;
	case ZW_CC_ASSOCIATION:
	case ZW_CC_MC_ASSOCIATION:
		if (cmd[0] == ZW_CC_ASSOCIATION &&
		    (r = zw_cc_decode_groupings(cmd, len, &ng)) != 0) {
			if (r == 1 && ep == 0)
				zw_assoc_groupings(c, zn, ng);
			break;
		}
		/* A maintenance Get's report goes to its operation; group
		 * 1's still tells the interview about the lifeline. */
		if ((r = zw_cc_decode_assoc(cmd, len, &a)) == 1 && ep == 0 &&
		    (!zw_assoc_receive(c, zn, ep, &a) ||
		    a.group == ZW_LIFELINE))
			got_assoc(c, zn, &a);
		break;
	case ZW_CC_WAKE_UP:
		if ((r = zw_cc_decode_wakeup(cmd, len, &w)) == 1 && ep == 0)
			got_wakeup(c, zn, &w);
		break;
	case ZW_CC_MULTI_CHANNEL:
		if ((r = zw_cc_decode_mc(cmd, len, &m)) != 1 || ep != 0)
			break;
		if (m.kind != ZW_MC_ENCAP)
			got_endpoints(c, zn, &m);
		else if (m.src >= 1 && m.src <= ZW_MAX_ENDPOINTS)
			refused = zw_node_receive(c, zn, m.src, m.inner,
			    m.ninner, secure);
		break;
	case ZW_CC_SUPERVISION:
		if ((r = zw_cc_decode_supervision(cmd, len, &sv)) != 1)
			break;
		if (sv.get)
			refused = supervised_in(c, zn, ep, &sv, secure);
		else
			zw_node_supervised(c, zn, sv.session, sv.status,
			    sv.duration);
		break;
	case ZW_CC_MULTI_CMD:
		if ((r = zw_cc_decode_multi(cmd, len, &mu)) == 1)
			refused = multi_in(c, zn, ep, &mu, secure);
		break;
	case ZW_CC_CRC16:
		if ((r = zw_cc_decode_crc16(cmd, len, &k)) == 1)
			refused = crc16_in(c, zn, ep, &k, secure);
		break;
	case ZW_CC_TRANSPORT:
		/* Segments are the outermost layer (zw_transport_rx.c):
		 * inside another encapsulation they are forged. */
		log_warnx("zwave: node %d: Transport Service frame inside an "
		    "encapsulation refused", nid(zn));
		return -1;
	default:
		return 0;
	}
	if (r == -1)
		log_warnx("zwave: node %d: malformed command 0x%02x %s",
		    nid(zn), cmd[0], len > 1 ? "" : "(cut short)");
	if (refused == -1)
		return -1;
	/* Version and Z-Wave Plus reports of other kinds (the library
	 * version) are zw_node.c's. */
	return r != 0 || (cmd[0] != ZW_CC_VERSION &&
	    cmd[0] != ZW_CC_ZWAVEPLUS_INFO);
}
