/*
 * Adoption of an S2 node included by another controller
 * (slave/zwave/zw_sec_s2_adopt.c), on zw_fake.c's stick with timers fired
 * by hand. The node is played here with its own struct zw_s2 and the real
 * primitives: it holds some of our S2 keys (zwave-s2.key), granted to it
 * by its first controller, and answers as a real node does: Nonce Get
 * with a Nonce Report, a frame it cannot decrypt with a Nonce Report SOS,
 * Security 2 Commands Supported Get with its classes.
 *
 * Checked: a node holding Authenticated (not Access Control) is asked
 * under Access Control first, answers SOS, then under Authenticated, and
 * is adopted with that class alone (level 3), its classes learnt, used
 * securely (a Door Lock Get reaches it encapsulated, a clear Door Lock
 * report from it refused); nothing of KEX and no key is ever sent. A node
 * that decrypts under every key but lists its classes only under one
 * (as zwave-js's nodes) is granted every class it answered under, its
 * classes those listed. A node
 * holding none of our keys, or one that never answers, tries the three
 * classes and ends without security, logged (one that lists S0 too is
 * then asked under our S0 key); a node with a grant on
 * record is not adopted again.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CHECK_PARTS	/* zw_fake.c's checks count here too */
#include "check.h"
#include "wire.h"
#include "zw_fake.h"
#include "../../slave/zwave/zw_s2.h"
#include "../../slave/zwave/zw_sec_int.h"

#define GOOD	29	/* holds our Authenticated key */
#define FOREIGN	30	/* holds another controller's */
#define SILENT	31	/* answers nothing encapsulated */
#define ALLKEYS	32	/* holds all three, Authenticated its highest */
#define BOTH	33	/* lists S0 and S2, holds none of our S2 keys */

static uint8_t	rnd = 11;
static int
rand_count(uint8_t *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		b[i] = rnd++;
	return 0;
}

static struct {
	uint8_t		id;
	struct zw_s2	s2;
	uint8_t		pend[ZW_S2_MAX_CMD];
	size_t		npend;
	int		sos, kex, clear, mute, s0;
	int		all;		/* holds every key; lists its classes
					 * only under `highest` */
	enum zw_s2_class highest;
	uint8_t		got[ZW_S2_MAX_CMD];	/* last Door Lock decrypted */
	size_t		ngot;
} dv;

static void
dev_reset(uint8_t id, enum zw_s2_class cls, const uint8_t *key)
{
	memset(&dv, 0, sizeof(dv));
	dv.id = id;
	zw_s2_init(&dv.s2, id, S.zw->home_id, rand_count);
	zw_s2_set_key(&dv.s2, cls, key);
	zw_s2_grant(&dv.s2, 1, ZW_S2_GRANT(cls));
}

static void
dev_send(const uint8_t *cmd, size_t n)
{
	uint8_t	f[ZW_S2_MAX_FRAME];
	size_t	fn = 0;

	if (zw_s2_encap(&dv.s2, 1, cmd, n, 0, f, sizeof(f), &fn) ==
	    ZW_S2_NEED_NONCE) {
		memcpy(dv.pend, cmd, n);
		dv.npend = n;
		zw_s2_nonce_get(&dv.s2, 1, f, sizeof(f), &fn);
	}
	from_node(dv.id, f, fn);
}

static void
dev_nonce_report(void)
{
	uint8_t	f[ZW_S2_MAX_FRAME];
	size_t	fn = 0;

	if (zw_s2_nonce_report(&dv.s2, 1, 0, 0, f, sizeof(f), &fn) ==
	    ZW_S2_OK)
		from_node(dv.id, f, fn);
}

/* Its classes, answered under the class asked (a node with every key
 * lists them only under its highest, as zwave-js's nodes do). */
static void
dev_classes(enum zw_s2_class asked)
{
	static const uint8_t list[] = { 0x9f, ZW_S2_CMDS_REPORT, 0x62, 0x8e };

	if (!dv.all) {
		dev_send(list, sizeof(list));
		return;
	}
	/* On the SPAN our question made: under the class asked. Then, as
	 * zwave-js's node whose class is below the one asked, it takes
	 * frames under its own class (ours refuses lower ones otherwise). */
	dev_send(list, asked == dv.highest ? sizeof(list) : 2);
	if (asked != dv.highest)
		zw_s2_grant(&dv.s2, 1, ZW_S2_GRANT(dv.highest));
}

static void
dev_rx(const uint8_t *f, size_t n)
{
	uint8_t			in[ZW_S2_MAX_CMD];
	size_t			in_n = 0, p;
	struct zw_s2_rx		rx;
	enum zw_s2_result	r;

	if (n >= 1 && f[0] == 0x62)
		dv.clear++;		/* Door Lock in clear */
	if (n >= 2 && f[0] == 0x98)
		dv.s0++;		/* S0: a Nonce Get */
	if (n < 2 || f[0] != 0x9f)
		return;
	if (f[1] >= ZW_S2_KEX_GET && f[1] != ZW_S2_CMDS_GET &&
	    f[1] != ZW_S2_CMDS_REPORT)
		dv.kex++;		/* KEX, keys, Transfer End */
	if (dv.mute)
		return;
	if (f[1] == ZW_S2_NONCE_GET)
		dev_nonce_report();
	else if (f[1] == ZW_S2_NONCE_REPORT && zw_s2_on_nonce_report(&dv.s2,
	    1, f, n) == ZW_S2_OK && dv.npend > 0) {
		p = dv.npend;
		dv.npend = 0;
		dev_send(dv.pend, p);
	} else if (f[1] == ZW_S2_MSG_ENCAP) {
		r = zw_s2_decap(&dv.s2, 1, f, n, 0, in, sizeof(in), &in_n, &rx);
		if (r == ZW_S2_SOS) {
			dv.sos++;
			dev_nonce_report();
		} else if (r == ZW_S2_OK && in_n >= 2) {
			if (in[0] == 0x62) {
				memcpy(dv.got, in, in_n);
				dv.ngot = in_n;
			}
			if (in[0] == 0x9f && in[1] == ZW_S2_CMDS_GET)
				dev_classes(rx.cls);
		}
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
		if (r.payload[0] == dv.id)
			dev_rx(r.payload + 2, r.payload[1]);
		else
			sim_command(r.payload[0], 0, r.payload + 2,
			    r.payload[1]);
	}
}

static struct zw_node *
node(uint8_t id)
{
	static const uint8_t cc[] = { 0x86, 0x72 };

	include_node(id, 0xd3, cc, sizeof(cc));
	settle();
	return &S.zw->node[id];
}

static void
test_adopted(void)
{
	struct zw_node	*zn = node(GOOD);
	uint8_t		*pnk = S.zw->sec->s2->pnk[ZW_S2_AUTH];

	dev_reset(GOOD, ZW_S2_AUTH, pnk);
	CHECK(zw_s2_adopt(zn) == 0, "adoption starts");
	run();
	CHECK(dv.sos == 1, "under Access Control first: the node could not "
	    "decrypt it (SOS)");
	CHECK(zn->sec_level == 3 && zn->s2_granted == ZW_S2_GRANT(ZW_S2_AUTH),
	    "then under Authenticated: adopted with that class alone");
	CHECK(zn->nscc == 2 && zn->scc[0] == 0x62 && zn->scc[1] == 0x8e &&
	    zw_sec_wanted(zn, 0x62), "its S2 classes learnt: Door Lock");
	CHECK(dv.kex == 0 && dv.clear == 0,
	    "no KEX, no key, no Door Lock in clear was sent to it");
	CHECK(zw_s2_adopt(zn) == -1, "a node with a grant is not adopted "
	    "again");
	dv.ngot = 0;
	CHECK(zw_sec_send(S.zw, GOOD, (const uint8_t[]){ 0x62, 0x02 }, 2,
	    ZW_PRIO_USER, NULL, NULL) == 0 && (run(), dv.ngot == 2) &&
	    dv.got[0] == 0x62 && dv.clear == 0,
	    "a Door Lock Get reaches it under S2");
	CHECK(zw_node_receive(S.zw, zn, 0, (const uint8_t[]){ 0x62, 0x03,
	    0xff, 0, 1, 0, 0 }, 7, 0) == -1,
	    "a clear Door Lock report from it: refused");
}

static void
test_all_keys(void)
{
	struct zw_node	*zn = node(ALLKEYS);
	int		 k;

	dev_reset(ALLKEYS, ZW_S2_AUTH, S.zw->sec->s2->pnk[ZW_S2_AUTH]);
	for (k = 0; k < ZW_S2_NETKEYS; k++)
		zw_s2_set_key(&dv.s2, (enum zw_s2_class)k,
		    S.zw->sec->s2->pnk[k]);
	zw_s2_grant(&dv.s2, 1, ZW_S2_GRANT(ZW_S2_ACCESS));
	dv.all = 1;
	dv.highest = ZW_S2_AUTH;
	CHECK(zw_s2_adopt(zn) == 0, "a node that decrypts under every key");
	run();
	CHECK(zn->nscc == 2 && zn->scc[0] == 0x62,
	    "an empty list under Access Control: asked under Authenticated, "
	    "its classes listed there");
	CHECK(zn->s2_granted == (ZW_S2_GRANT(ZW_S2_ACCESS) |
	    ZW_S2_GRANT(ZW_S2_AUTH)) && zn->sec_level == 4,
	    "granted both classes it answered under (it holds both keys), "
	    "used under Access Control");
	CHECK(dv.kex == 0, "no KEX, no key was sent");
}

static void
test_not_adopted(void)
{
	struct zw_node	*zn = node(FOREIGN);
	uint8_t		 other[ZW_S2_KEY_LEN];

	memset(other, 0x5a, sizeof(other));
	dev_reset(FOREIGN, ZW_S2_AUTH, other);
	CHECK(zw_s2_adopt(zn) == 0, "a node with another controller's key");
	run();
	CHECK(dv.sos == 3 && zn->sec_level == 0 && zn->s2_granted == 0 &&
	    zn->secn->boot == BOOT_NONE && !zn->secn->adopting,
	    "the three classes tried (SOS each): not adopted, no security");
	CHECK(dv.kex == 0 && dv.clear == 0, "no KEX, no key was sent");
	CHECK(!zw_sec_wanted(zn, 0x62), "nothing goes to it encapsulated");
}

static void
test_then_s0(void)
{
	struct zw_node	*zn = node(BOTH);
	uint8_t		 other[ZW_S2_KEY_LEN];

	memset(other, 0x3c, sizeof(other));
	dev_reset(BOTH, ZW_S2_AUTH, other);
	zn->cc[zn->ncc++] = 0x98;	/* its node information lists S0 */
	CHECK(zw_s2_adopt(zn) == 0, "a node listing S2 and S0");
	run();
	CHECK(dv.sos == 3 && zn->s2_granted == 0 && zn->secn->adopting ==
	    ADOPT_S0 && dv.s0 > 0, "none of our S2 keys: asked under our S0 "
	    "key (an S0 Nonce Get)");
	CHECK(fire(&zn->secn->nonce_timer) && zn->secn->adopting == 0 &&
	    zn->sec_level == 0, "no S0 nonce from it: not adopted either");
	CHECK(dv.kex == 0, "no KEX, no key was sent");
}

static void
test_silent(void)
{
	struct zw_node	*zn = node(SILENT);
	int		 i, fired = 0;

	dev_reset(SILENT, ZW_S2_ACCESS, S.zw->sec->s2->pnk[ZW_S2_UNAUTH]);
	dv.mute = 1;
	CHECK(zw_s2_adopt(zn) == 0, "a node that answers nothing");
	for (i = 0; i < 6; i++) {
		run();
		if (zn->secn->boot == BOOT_NONE)
			break;
		/* Its nonce wait, then the step's timeout. */
		if (zn->secn->nonce_timer.active)
			fire(&zn->secn->nonce_timer);
		run();
		fired += fire(&zn->secn->boot_timer);
	}
	CHECK(fired == 3 && zn->sec_level == 0 && zn->s2_granted == 0 &&
	    !zn->secn->adopting, "ZW_SEC_STEP_MS under each of the three "
	    "classes: not adopted");
	CHECK(dv.kex == 0, "no KEX, no key was sent");
}

int
main(void)
{
	if (!CHECK(zwf_open() == 0, "zw_start") ||
	    !CHECK(startup() == 0, "start-up"))
		return check_done();
	settle();
	if (!CHECK(S.zw->sec != NULL && S.zw->sec->s2 != NULL, "S2 keys"))
		return check_done();
	test_adopted();
	test_all_keys();
	test_not_adopted();
	test_then_s0();
	test_silent();
	zwf_close();
	return check_done();
}
