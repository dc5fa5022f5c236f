/*
 * S0 split (sequenced) commands through the glue (slave/zwave/zw_sec.c),
 * on zw_fake.c's stick: node 28 is an S0 lock played here with its own
 * struct zw_s0 under the slave's network key. Like a real node it asks
 * for a nonce before each frame, and splits what it sends longer than
 * `split_at` in two: the first half in a Message Encapsulation Nonce Get
 * (0xC1, so that we hand it the nonce for the second), then the second.
 *
 * Checked: adoption of a lock whose Security Commands Supported Report
 * needs two frames (its 30 classes learnt); a split Door Lock report
 * reported once joined, not before; a second half with another counter,
 * a replayed first half and a second half alone refused (nothing
 * reported); our own command longer than ZW_S0_SPLIT_AT sent in two
 * halves that the node puts together, its completion the second's; the
 * node not answering the first half: the command fails (no nonce).
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CHECK_PARTS	/* zw_fake.c's checks count here too */
#include "check.h"
#include "wire.h"
#include "zw_fake.h"
#include "../../slave/zwave/zw_sec_int.h"

#define LOCK	28

static struct {
	struct zw_s0		s0;
	struct zw_s0_split	sp;
	uint8_t			pend[ZW_S0_MAX_CMD];	/* awaits our nonce */
	size_t			npend, off;
	size_t			split_at;	/* 0: never split */
	uint8_t			ctr, wrong_ctr;
	uint8_t			got[ZW_S0_MAX_CMD];	/* what we sent it */
	size_t			ngot;
	int			halves, mute_after_half;
	uint8_t			last[ZW_S0_MAX_CMD + ZW_S0_OVERHEAD];
	size_t			nlast;
	uint8_t			mode;
} nd;

/* Ask the controller for a nonce for what waits. */
static void
nd_send(const uint8_t *cmd, size_t n)
{
	memcpy(nd.pend, cmd, n);
	nd.npend = n;
	nd.off = 0;
	nd.ctr = (uint8_t)((nd.ctr + 1) & ZW_S0_SEQ_COUNTER);
	from_node(LOCK, (const uint8_t[]){ 0x98, 0x40 }, 2);
}

/* The controller's nonce: the next half (or the whole) goes. */
static void
nd_nonce(const uint8_t *nonce)
{
	static const uint8_t iv8[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	size_t	left = nd.npend - nd.off, n = left, fn = 0;
	uint8_t	seq = 0;
	int	more = 0;

	if (nd.npend == 0)
		return;
	if (nd.off == 0 && nd.split_at > 0 && left > nd.split_at) {
		n = nd.split_at;
		seq = ZW_S0_SEQ_SEQUENCED | nd.ctr;
		more = 1;
	} else if (nd.off > 0)
		seq = ZW_S0_SEQ_SEQUENCED | ZW_S0_SEQ_SECOND |
		    (nd.wrong_ctr ? (nd.ctr + 1) & ZW_S0_SEQ_COUNTER : nd.ctr);
	if (zw_s0_encap_seq(&nd.s0, LOCK, 1, iv8, nonce, more ? 0xc1 : 0x81,
	    seq, nd.pend + nd.off, n, nd.last, sizeof(nd.last), &fn) !=
	    ZW_SEC_OK)
		return;
	nd.nlast = fn;
	nd.off += n;
	if (nd.off == nd.npend)
		nd.npend = 0;
	from_node(LOCK, nd.last, fn);
}

static void
nd_cmd(const uint8_t *c, size_t n)
{
	uint8_t	r[40];
	size_t	i;

	if (n >= 2 && c[0] == 0x98 && c[1] == ZW_S0_CMDS_GET) {
		r[0] = 0x98;
		r[1] = ZW_S0_CMDS_REPORT;
		r[2] = 0;
		r[3] = 0x62;
		for (i = 1; i < 30; i++)
			r[3 + i] = (uint8_t)(0x20 + i);
		r[33] = ZW_CC_MARK;
		nd_send(r, 34);
	} else if (n >= 2 && c[0] == 0x62 && c[1] == 0x02) {
		memcpy(r, (const uint8_t[]){ 0x62, 0x03, nd.mode, 0, 1, 0, 0 },
		    7);
		nd_send(r, 7);
	} else {
		memcpy(nd.got, c, n);
		nd.ngot = n;
	}
}

/* SendData to the lock: its radio. */
static void
nd_rx(const uint8_t *f, size_t n)
{
	uint8_t			rep[10], part[ZW_S0_MAX_CMD], out[ZW_S0_MAX_CMD];
	size_t			pn = 0, on = 0;
	uint8_t			seq = 0;
	enum zw_sec_result	r;

	if (n < 2 || f[0] != 0x98)
		return;
	if (f[1] == ZW_S0_NONCE_GET) {
		rep[0] = 0x98;
		rep[1] = 0x80;
		zw_s0_nonce_new(&nd.s0, 1, 1000, rep + 2, NULL);
		from_node(LOCK, rep, 10);
	} else if (f[1] == ZW_S0_NONCE_REPORT && n >= 10)
		nd_nonce(f + 2);
	else if (f[1] == 0x81 || f[1] == 0xc1) {
		r = zw_s0_decap_seq(&nd.s0, 1, LOCK, f, n, 1000, part,
		    sizeof(part), &pn, &seq);
		if (r != ZW_SEC_OK)
			return;
		if (seq & ZW_S0_SEQ_SEQUENCED)
			nd.halves++;
		if (f[1] == 0xc1 && nd.mute_after_half)
			return;
		if (f[1] == 0xc1)
			nd_rx((const uint8_t[]){ 0x98, 0x40 }, 2);
		if (zw_s0_join(&nd.sp, seq, part, pn, 1000, out, sizeof(out),
		    &on) == ZW_SEC_OK)
			nd_cmd(out, on);
	}
}

static void
run(void)
{
	struct zw_req	r;
	int		i;

	for (i = 0; i < 400 && take(&r); i++) {
		answer(&r, (const uint8_t []){ 1 }, 1, 0);
		if (r.func != ZW_FN_SEND_DATA)
			continue;
		if (r.payload[0] == LOCK)
			nd_rx(r.payload + 2, r.payload[1]);
		else
			sim_command(r.payload[0], 0, r.payload + 2,
			    r.payload[1]);
	}
}

static int	done_st = -1;

static void
done(void *arg, enum zw_status st, const struct zw_frame *res,
    const struct zw_frame *cb)
{
	(void)arg;
	(void)res;
	(void)cb;
	done_st = (int)st;
}

static void
test_adopt(struct zw_node *zn)
{
	nd.split_at = 20;
	CHECK(zw_sec_adopt(zn) == 0, "adoption starts");
	run();
	CHECK(zn->sec_level == 1 && zn->nscc == 30 && zn->scc[0] == 0x62 &&
	    zn->scc[29] == 0x3d, "its 34-byte class report came in two "
	    "halves: adopted, 30 secure classes");
	CHECK(nd.halves == 0, "(our Commands Supported Get went whole)");
}

static void
test_split_in(struct zw_node *zn)
{
	static const uint8_t lock[] = { 0x62, 0x03, 0xff, 0, 1, 0, 0 };

	nd.split_at = 4;
	drain();
	nd.mode = 0xff;
	nd_send(lock, sizeof(lock));
	run();
	CHECK(reports_of("locked") == 1 && dev_find_value(zn->dev,
	    "locked") != NULL, "a Door Lock report in two halves (4 + 3): "
	    "reported once");

	drain();
	nd.wrong_ctr = 1;
	nd_send(lock, sizeof(lock));
	run();
	CHECK(reports_of("locked") == 0,
	    "a second half with another counter: refused, nothing reported");
	nd.wrong_ctr = 0;

	drain();
	nd_send(lock, sizeof(lock));
	run();
	CHECK(reports_of("locked") == 1, "the next report joins again");
	from_node(LOCK, nd.last, nd.nlast);
	CHECK(reports_of("locked") == 1, "its second half replayed: refused "
	    "(its nonce is used up)");
}

static void
test_split_out(struct zw_node *zn)
{
	uint8_t	cmd[40];
	size_t	i;

	for (i = 0; i < sizeof(cmd); i++)
		cmd[i] = (uint8_t)(0x70 + i);
	nd.halves = 0;
	done_st = -1;
	CHECK(zw_sec_send(S.zw, LOCK, cmd, sizeof(cmd), ZW_PRIO_USER, done,
	    NULL) == 0, "a 40-byte command queued for the S0 node");
	run();
	CHECK(nd.halves == 2 && nd.ngot == 40 && memcmp(nd.got, cmd, 40) ==
	    0, "it went in two halves; the node put the 40 bytes together");
	CHECK(done_st == ZW_OK, "its completion: the second half's");

	nd.mute_after_half = 1;
	done_st = -1;
	zw_sec_send(S.zw, LOCK, cmd, sizeof(cmd), ZW_PRIO_USER, done, NULL);
	run();
	CHECK(done_st == -1 && zn->secn != NULL &&
	    fire(&zn->secn->nonce_timer) && done_st == ZW_ERR_NONONCE,
	    "the node never answers the first half: no nonce, it fails");
	nd.mute_after_half = 0;
}

int
main(void)
{
	static const uint8_t cc[] = { 0x86, 0x72 };
	struct zw_node *zn;

	if (!CHECK(zwf_open() == 0, "zw_start") ||
	    !CHECK(startup() == 0, "start-up"))
		return check_done();
	settle();
	zw_s0_init(&nd.s0, S.zw->sec->key);
	zn = &S.zw->node[LOCK];
	include_node(LOCK, 0xd3, cc, sizeof(cc));
	settle();
	if (CHECK(zn->dev != NULL, "node 28 included")) {
		test_adopt(zn);
		test_split_in(zn);
		test_split_out(zn);
	}
	zw_s0_clear(&nd.s0);
	zwf_close();
	return check_done();
}
