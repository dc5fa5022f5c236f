/*
 * S2 wired into the slave (slave/zwave/zw_sec_s2.c), on the fake stick
 * (zw_fake.c) with timers fired by hand.
 *
 * Node 6 is an S2 door lock played here with its own struct zw_s2, its
 * own X25519 key and the real primitives: it joins listing Security 2,
 * answers KEX Get with a request for Access Control, and goes through
 * the whole bootstrapping as a joining node does (public keys, the KEX
 * Set echo and KEX Report echo under the temporary key, Network Key
 * Get/Report/Verify, Transfer End), then answers Security 2 Commands
 * Supported Get (Door Lock) and Door Lock Set/Get, all encapsulated,
 * with Nonce Get/Report when a SPAN is due.
 *
 * Checked: the API's progress (the classes asked for, the DSK with its
 * first group blank, the grant and the PIN taken, SECURITY at the end),
 * the node table (s2_granted, level 4, Door Lock secure) written and read
 * back after a restart, lock and unlock confirmed with nothing in clear,
 * the downgrade defence (a clear Door Lock report, an S0 frame, a frame
 * under a lower class, a replay: all dropped), the SPAN resync (SOS), a
 * wrong PIN, a device's timeout and the licence without secure-zwave
 * (each reported as a downgrade), and the S2 key file's checks.
 */

#include <sys/stat.h>

#include <openssl/sha.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CHECK_PARTS	/* zw_fake.c's checks count here too */
#include "check.h"
#include "atomicfile.h"
#include "log.h"
#include "wire.h"
#include "zw_fake.h"
#include "zwave.pb-c.h"
#include "../../slave/zwave/zw_s2.h"
#include "../../slave/zwave/zw_sec_int.h"

#define LOCK	6
#define HOME	0xc0ffee01u	/* stick_startup's home id, home byte 1 */

/* The joining node's private key: RFC 7748's Bob. */
static const uint8_t DEVPRIV[32] = { 0x5d, 0xab, 0x08, 0x7e, 0x62, 0x4a,
    0x8a, 0x4b, 0x79, 0xe1, 0x7f, 0x8b, 0x83, 0x80, 0x0e, 0xe6, 0x6f, 0x3b,
    0xb1, 0x29, 0x26, 0x18, 0xb6, 0xfd, 0x1c, 0x2f, 0x8b, 0x27, 0xff, 0x88,
    0xe0, 0xeb };

static uint8_t	rnd = 7;
static int
rand_count(uint8_t *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		b[i] = rnd++;
	return 0;
}

/* --- the simulated S2 lock ------------------------------------------- */

static struct {
	uint8_t		 id;
	struct zw_s2	 s2;
	uint8_t		 pub[32];
	uint8_t		 requested, granted, remaining, current;
	uint8_t		 pending[ZW_S2_MAX_CMD];	/* awaits a nonce */
	size_t		 npending;
	int		 then_grant;	/* its grants once it went, or -1 */
	uint8_t		 mode;			/* Door Lock mode */
	int		 clear_lock;		/* Door Lock frames in clear */
	int		 kex_fail;		/* the KEX Fail it got */
	int		 done;			/* Transfer End sent */
	uint8_t		 last[ZW_S2_MAX_FRAME];	/* its last encapsulation */
	size_t		 nlast;
	int		 mute;			/* answers nothing */
	int		 no_cmds;		/* ignores Commands Supported Get */
	/* S0, its key given through S2: its S0 state, the command that
	 * waits for our nonce, whether it speaks S0 now (no S2 class). */
	struct zw_s0	 s0;
	int		 have_s0, s0_mode;
	uint8_t		 s0_pending[ZW_S0_MAX_CMD];
	size_t		 s0_npending;
	int		 s0_frames;		/* S0 encapsulations it took */
	/* Its first SOS held back (the radio delays it past our next
	 * frames), further ones not sent; how many frames it decrypted. */
	int		 sos_hold;
	uint8_t		 held[ZW_S2_MAX_FRAME];
	size_t		 nheld;
	int		 decrypted;
} dv;

static void
dev_reset(uint8_t id, uint8_t requested)
{
	memset(&dv, 0, sizeof(dv));
	dv.id = id;
	dv.requested = requested;
	zw_s2_init(&dv.s2, id, HOME, rand_count);
	zw_s2_x25519_public(DEVPRIV, dv.pub);
}

/* The node sends `cmd` encapsulated, asking for a nonce first if due;
 * then (`grant` >= 0) its controller's grants become `grant`. */
static void
dev_send_then(const uint8_t *cmd, size_t n, int grant)
{
	uint8_t			f[ZW_S2_MAX_FRAME];
	size_t			fn = 0;
	enum zw_s2_result	r;

	r = zw_s2_encap(&dv.s2, 1, cmd, n, 0, f, sizeof(f), &fn);
	if (r == ZW_S2_NEED_NONCE) {
		memcpy(dv.pending, cmd, n);
		dv.npending = n;
		dv.then_grant = grant;
		zw_s2_nonce_get(&dv.s2, 1, f, sizeof(f), &fn);
		from_node(dv.id, f, fn);
		return;
	}
	if (r != ZW_S2_OK)
		return;
	memcpy(dv.last, f, fn);
	dv.nlast = fn;
	if (grant >= 0)
		zw_s2_grant(&dv.s2, 1, (unsigned)grant);
	from_node(dv.id, f, fn);
}

/* Under S0: our nonce first (Nonce Get), then the encapsulation. */
static void
dev_s0_send(const uint8_t *cmd, size_t n)
{
	static const uint8_t get[] = { 0x98, 0x40 };

	memcpy(dv.s0_pending, cmd, n);
	dv.s0_npending = n;
	from_node(dv.id, get, sizeof(get));
}

static void
dev_send(const uint8_t *cmd, size_t n)
{
	if (dv.s0_mode)
		dev_s0_send(cmd, n);
	else
		dev_send_then(cmd, n, -1);
}

static void
dev_temp(const uint8_t *ctrlpub)
{
	struct zw_s2_keys	t;
	uint8_t			secret[32], prk[16];

	zw_s2_x25519_shared(DEVPRIV, ctrlpub, secret);
	zw_s2_temp_extract(secret, ctrlpub, dv.pub, prk);
	zw_s2_temp_expand(prk, &t);
	zw_s2_set_keys(&dv.s2, ZW_S2_TEMP, &t);
	zw_s2_grant(&dv.s2, 1, ZW_S2_GRANT(ZW_S2_TEMP));
}

static void
dev_key_get(void)
{
	uint8_t	get[3] = { 0x9f, ZW_S2_NETKEY_GET, 0 };
	int	c;

	for (c = ZW_S2_ACCESS; c >= 0; c--)
		if (dv.remaining & ZW_S2_GRANT(c))
			break;
	if (c < 0 && (dv.remaining & ZW_S2_KEY_S0)) {
		dv.current = ZW_S2_S0KEY;	/* S0's key, asked last */
		get[2] = ZW_S2_KEY_S0;
		dev_send(get, 3);
		return;
	}
	if (c < 0) {
		get[1] = ZW_S2_TRANSFER_END;
		get[2] = ZW_S2_TE_COMPLETE;
		dev_send_then(get, 3, dv.granted);
		dv.done = 1;
		return;
	}
	dv.current = (uint8_t)c;
	get[2] = (uint8_t)ZW_S2_GRANT(c);
	dev_send(get, 3);
}

/* A command the controller sent it, decapsulated if it came so. */
static void
dev_cmd(const uint8_t *c, size_t n)
{
	uint8_t r[40];

	if (n < 2)
		return;
	switch (c[0] << 8 | c[1]) {
	case 0x9f04:			/* KEX Get */
		memcpy(r, (const uint8_t []){ 0x9f, 0x05, 0, 0x02, 0x01,
		    dv.requested }, 6);
		from_node(dv.id, r, 6);
		break;
	case 0x9f06:			/* KEX Set (clear) */
		dv.granted = c[5];
		r[0] = 0x9f;
		r[1] = ZW_S2_PUBKEY_REPORT;
		r[2] = 0;
		memcpy(r + 3, dv.pub, 32);
		if (dv.granted & 0x06)
			r[3] = r[4] = 0;	/* the PIN's part */
		from_node(dv.id, r, 35);
		break;
	case 0x9f08:			/* the controller's public key */
		dev_temp(c + 3);
		memcpy(r, (const uint8_t []){ 0x9f, 0x06, 0x01, 0x02, 0x01,
		    dv.granted }, 6);
		dev_send(r, 6);
		break;
	case 0x9f05:			/* KEX Report echo */
		dv.remaining = dv.granted;
		dev_key_get();
		break;
	case 0x9f0a:			/* Network Key Report */
		if (dv.current == ZW_S2_S0KEY) {
			zw_s0_init(&dv.s0, c + 3);
			dv.have_s0 = 1;
		}
		zw_s2_set_key(&dv.s2, (enum zw_s2_class)dv.current, c + 3);
		zw_s2_grant(&dv.s2, 1, ZW_S2_GRANT(dv.current));
		r[0] = 0x9f;
		r[1] = ZW_S2_NETKEY_VERIFY;
		dev_send_then(r, 2, ZW_S2_GRANT(ZW_S2_TEMP));
		break;
	case 0x9f0c:			/* Transfer End: key verified */
		dv.remaining &= (uint8_t)~(dv.current == ZW_S2_S0KEY ?
		    ZW_S2_KEY_S0 : ZW_S2_GRANT(dv.current));
		dev_key_get();
		break;
	case 0x9840:			/* S0 Nonce Get */
		r[0] = 0x98;
		r[1] = 0x80;
		if (dv.have_s0 && zw_s0_nonce_new(&dv.s0, 1, 0, r + 2,
		    rand_count) == 0)
			from_node(dv.id, r, 10);
		break;
	case 0x9880:			/* our nonce: what waits goes */
		if (dv.have_s0 && dv.s0_npending > 0 && n >= 10) {
			uint8_t	f[64], iv[8];
			size_t	fn = 0;

			rand_count(iv, sizeof(iv));
			if (zw_s0_encap(&dv.s0, dv.id, 1, iv, c + 2, 0x81,
			    dv.s0_pending, dv.s0_npending, f, sizeof(f),
			    &fn) == ZW_SEC_OK)
				from_node(dv.id, f, fn);
			dv.s0_npending = 0;
		}
		break;
	case 0x9881:			/* S0 encapsulation to it */
		if (dv.have_s0) {
			uint8_t	in[64];
			size_t	in_n = 0;

			if (zw_s0_decap(&dv.s0, 1, dv.id, c, n, 0, in,
			    sizeof(in), &in_n) == ZW_SEC_OK) {
				dv.s0_frames++;
				dev_cmd(in, in_n);
			}
		}
		break;
	case 0x9802:			/* S0 Commands Supported Get */
		memcpy(r, (const uint8_t []){ 0x98, 0x03, 0, 0x62, 0x8e }, 5);
		dev_s0_send(r, 5);
		break;
	case 0x9f07:
		dv.kex_fail = n > 2 ? c[2] : -1;
		break;
	case 0x9f0d:			/* Commands Supported Get */
		if (dv.no_cmds)
			break;
		memcpy(r, (const uint8_t []){ 0x9f, 0x0e, 0x62, 0x8e }, 4);
		dev_send(r, 4);
		break;
	case 0x6201:
		dv.mode = c[2];
		break;
	case 0x6202:
		memcpy(r, (const uint8_t []){ 0x62, 0x03, dv.mode, 0, 0x01,
		    0, 0 }, 7);
		dev_send(r, 7);
		break;
	default:
		break;
	}
}

/* SendData to the lock: its radio. */
static void
dev_rx(const uint8_t *f, size_t n)
{
	uint8_t			in[ZW_S2_MAX_CMD], out[ZW_S2_MAX_FRAME];
	size_t			in_n = 0, on = 0;
	struct zw_s2_rx		rx;
	enum zw_s2_result	r;

	if (dv.mute || n < 2)
		return;
	if (f[0] == 0x62)
		dv.clear_lock++;
	if (f[0] != 0x9f) {
		dev_cmd(f, n);
		return;
	}
	switch (f[1]) {
	case ZW_S2_NONCE_GET:
		if (zw_s2_nonce_report(&dv.s2, 1, 0, 0, out, sizeof(out),
		    &on) == ZW_S2_OK)
			from_node(dv.id, out, on);
		break;
	case ZW_S2_NONCE_REPORT:
		if (zw_s2_on_nonce_report(&dv.s2, 1, f, n) == ZW_S2_OK &&
		    dv.npending > 0) {
			on = dv.npending;
			dv.npending = 0;
			dev_send_then(dv.pending, on, dv.then_grant);
		}
		break;
	case ZW_S2_MSG_ENCAP:
		r = zw_s2_decap(&dv.s2, 1, f, n, 0, in, sizeof(in), &in_n,
		    &rx);
		if (r == ZW_S2_OK) {
			dv.decrypted++;
			dev_cmd(in, in_n);
		} else if (r == ZW_S2_SOS && zw_s2_nonce_report(&dv.s2, 1, 0, 0,
		    out, sizeof(out), &on) == ZW_S2_OK && dv.sos_hold &&
		    dv.nheld == 0) {
			memcpy(dv.held, out, on);
			dv.nheld = on;
		} else if (r == ZW_S2_SOS && on > 0)
			from_node(dv.id, out, on);
		break;
	default:
		dev_cmd(f, n);
	}
}

/* --- the stick -------------------------------------------------------- */

static int	frames_to_lock;
/* AddNodeToNetwork requests seen by run(): their modes, the last one. */
static uint8_t	adds[64], last_add[16];
static int	nadds;

static void	run_once(void);

/* Answer every request; SendData to the lock goes to its radio. Once
 * all is answered, the fake clock jumps past an SOS's quiet time (the
 * lock's frames then go again), and on. */
static void
run(void)
{
	struct zw_secnode	*sn;
	int			 i;

	for (i = 0; i < 8; i++) {
		run_once();
		sn = S.zw != NULL ? S.zw->node[LOCK].secn : NULL;
		if (sn == NULL || !fire(&sn->s2_settle))
			break;
	}
}

static void
run_once(void)
{
	struct zw_req	r;
	int		i;

	for (i = 0; i < 400 && take(&r); i++) {
		if (r.func == ZW_FN_ADD_NODE) {
			if (nadds < (int)sizeof(adds))
				adds[nadds++] = r.payload[0];
			memcpy(last_add, r.payload, sizeof(last_add));
		}
		if (r.func != ZW_FN_SEND_DATA) {
			answer(&r, (const uint8_t []){ 1 }, 1, 0);
			continue;
		}
		answer(&r, (const uint8_t []){ 1 }, 1, 0);
		if (r.payload[0] == dv.id) {
			frames_to_lock++;
			dev_rx(r.payload + 2, r.payload[1]);
		} else
			sim_command(r.payload[0], 0, r.payload + 2,
			    r.payload[1]);
	}
}

/* The last progress step queued: its body (wire_free it), or NULL. */
static Hd__ZwProgress *
last_progress(Hd__Envelope **e)
{
	if (queued(HD__ENVELOPE__BODY_ZW_PROGRESS, e) == 0 || *e == NULL)
		return NULL;
	return (*e)->zw_progress;
}

static int
progress_is(int state, uint32_t node)
{
	Hd__Envelope	*e = NULL;
	Hd__ZwProgress	*p = last_progress(&e);
	int		 ok = p != NULL && (int)p->state == state &&
			    p->node_id == node;

	wire_free((ProtobufCMessage *)e);
	return ok;
}

/* The stick adds node `id` listing S2 (and Door Lock not in clear). */
static void
include_s2(uint8_t id, int insecure)
{
	Hd__ZwInclusion	m = HD__ZW_INCLUSION__INIT;
	struct zw_req	r;
	uint8_t		pi[6] = { 0xd3, 0x9c, 0, 0x04, 0x40, 0x03 };
	uint8_t		st[16] = { 9, ZW_INCL_ADDING_SLAVE, 0, 7, 0x04, 0x40,
	    0x03, 0x5e, 0x9f, 0x6c, 0x86 };

	while (take(&r))
		;
	drain();
	m.action = HD__ZW_INCLUSION__ACTION__INCLUDE;
	m.insecure = insecure;
	zw_inclusion_request(&S, &m);
	take(&r);
	status(ZW_FN_ADD_NODE, ZW_INCL_LEARN_READY, 0, 0);
	status(ZW_FN_ADD_NODE, ZW_INCL_NODE_FOUND, 0, 0);
	st[2] = id;
	unsolicited(ZW_FN_ADD_NODE, st, 11);
	status(ZW_FN_ADD_NODE, ZW_INCL_PROTOCOL_DONE, id, 0);
	take(&r);
	status(ZW_FN_ADD_NODE, ZW_INCL_DONE, id, 0);
	if (take(&r) && r.func == ZW_FN_GET_NODE_PROTOCOL_INFO)
		answer(&r, pi, sizeof(pi), 0);
}

static void
answer_user(uint32_t grant, const char *pin)
{
	Hd__ZwInclusion m = HD__ZW_INCLUSION__INIT;

	m.action = HD__ZW_INCLUSION__ACTION__GRANT;
	m.s2_grant = grant;
	m.pin = (char *)(uintptr_t)pin;
	zw_inclusion_request(&S, &m);
}

static char	pin_ok[8];

/* The lock's PIN: its public key's first two bytes, in decimal. */
static void
make_pin(void)
{
	snprintf(pin_ok, sizeof(pin_ok), "%05u",
	    (unsigned)(dv.pub[0] << 8 | dv.pub[1]));
}

static void
test_bootstrap(void)
{
	struct zw_ctrl	*c = S.zw;
	struct zw_node	*zn = &c->node[LOCK];
	Hd__Envelope	*e = NULL;
	Hd__ZwProgress	*p;
	char		 dsk[48];

	dev_reset(LOCK, 0x04);
	make_pin();
	include_s2(LOCK, 0);
	run();
	CHECK(frames_to_lock > 0 && progress_is(HD__ZW_PROGRESS__STATE__S2_GRANT,
	    LOCK), "an S2 node is asked KEX Get; the user is asked to grant");
	p = last_progress(&e);
	CHECK(p != NULL && p->s2_requested == 0x04 &&
	    strstr(p->reason, "S2 Access Control") != NULL,
	    "the progress shows the class asked for, in words");
	wire_free((ProtobufCMessage *)e);
	answer_user(0x04, "");
	run();
	p = last_progress(&e);
	zw_s2_dsk_str(dv.pub, dsk);
	memcpy(dsk, "_____", 5);
	CHECK(p != NULL && p->state == HD__ZW_PROGRESS__STATE__S2_PIN &&
	    strcmp(p->dsk, dsk) == 0, "Access Control: the PIN is asked for, "
	    "the DSK shown with its first group blank");
	wire_free((ProtobufCMessage *)e);
	drain();
	answer_user(0, "1234");
	CHECK(progress_is(HD__ZW_PROGRESS__STATE__REFUSED, 0) &&
	    c->sec->s2->kex.state == ZW_S2_KEX_WAIT_PIN,
	    "a PIN of 4 digits is refused, the wait goes on");
	answer_user(0, pin_ok);
	run();
	p = last_progress(&e);
	CHECK(p != NULL && p->state == HD__ZW_PROGRESS__STATE__SECURITY &&
	    p->s2_granted == 0x04 && !p->downgraded && dv.done,
	    "the right PIN: keys exchanged, SECURITY says Access Control");
	wire_free((ProtobufCMessage *)e);
	CHECK(zn->sec_level == 4 && zn->s2_granted == 0x04 && zn->nscc == 2 &&
	    zn->scc[0] == 0x62 && zn->scc[1] == 0x8e,
	    "the node: level 4, Door Lock and MCA its secure classes");
	CHECK(zw_sec_wanted(zn, 0x62) && !zw_sec_busy(zn),
	    "Door Lock goes encapsulated; nothing left under way");
}

static int
lock_cmd(uint64_t id, int b)
{
	Hd__Command	 cm = HD__COMMAND__INIT;
	Hd__Value	 v = HD__VALUE__INIT;
	Hd__Envelope	*e;
	int		 st = -1;

	v.v_case = HD__VALUE__V_B;
	v.b = b;
	cm.id = id;
	cm.device_id = (char *)(uintptr_t)"zw:6:0";
	cm.key = (char *)(uintptr_t)"locked";
	cm.value = &v;
	drain();
	devices_command(&S, &cm);
	run();
	if (queued(HD__ENVELOPE__BODY_RESULT, &e) == 1 && e->result->id == id)
		st = e->result->status;
	wire_free((ProtobufCMessage *)e);
	return st;
}

/* What the node's device says of `locked`: 1, 0, or -1 unknown. */
static int
locked_value(void)
{
	Hd__Envelope	*e;
	int		 v = -1;

	if (queued(HD__ENVELOPE__BODY_REPORT, &e) > 0 &&
	    strcmp(e->report->device_id, "zw:6:0") == 0 &&
	    strcmp(e->report->key, "locked") == 0 && e->report->value != NULL)
		v = e->report->value->b;
	wire_free((ProtobufCMessage *)e);
	return v;
}

static void
test_commands(void)
{
	uint8_t	clear_rep[] = { 0x62, 0x03, 0x00, 0, 1, 0, 0 };
	uint8_t	s0[24] = { 0x98, 0x81 };
	uint8_t	f[ZW_S2_MAX_FRAME];
	size_t	n;

	dv.clear_lock = 0;
	CHECK(lock_cmd(501, 1) == HD__COMMAND_RESULT__STATUS__OK &&
	    dv.mode == 0xff, "lock: sent under S2, confirmed by its report");
	CHECK(lock_cmd(502, 0) == HD__COMMAND_RESULT__STATUS__OK &&
	    dv.mode == 0x00, "unlock: the same");
	CHECK(dv.clear_lock == 0, "no Door Lock frame went in clear");

	dv.mode = 0xff;
	drain();
	from_node(LOCK, clear_rep, sizeof(clear_rep));
	CHECK(locked_value() == -1, "a clear Door Lock report from an S2 "
	    "node is refused (downgrade defence)");
	memset(s0 + 2, 0x11, sizeof(s0) - 2);
	from_node(LOCK, s0, sizeof(s0));
	CHECK(locked_value() == -1, "an S0 frame from an S2 node is refused");

	/* A replay of its last genuine frame. */
	memcpy(f, dv.last, dv.nlast);
	n = dv.nlast;
	from_node(LOCK, f, n);
	run();
	CHECK(locked_value() == -1, "a replayed S2 frame is dropped");
}

/* The lock lost its SPAN at our Set; its SOS for it is slow (held back
 * past our Get, which fails too, and whose SOS comes at once): the Set
 * goes again before the Get (the Get alone would read the old state),
 * and the command ends OK. The slow SOS, coming last, sends nothing
 * again: the lock's report confirmed both. */
static void
test_sos_late(void)
{
	Hd__Command	 cm = HD__COMMAND__INIT;
	Hd__Value	 v = HD__VALUE__INIT;
	Hd__Envelope	*e;
	int		 st = -1, before;

	v.v_case = HD__VALUE__V_B;
	v.b = 0;
	cm.id = 611;
	cm.device_id = (char *)(uintptr_t)"zw:6:0";
	cm.key = (char *)(uintptr_t)"locked";
	cm.value = &v;
	dv.mode = 0xff;
	zw_s2_span_reset(zw_s2_peer(&dv.s2, 1));
	dv.sos_hold = 1;
	dv.nheld = 0;
	dv.decrypted = 0;
	drain();
	before = frames_to_lock;
	devices_command(&S, &cm);
	run();
	CHECK(dv.nheld > 0 && frames_to_lock - before >= 4 &&
	    dv.decrypted == 2 && dv.mode == 0x00, "Set and Get failed at the "
	    "lock, the Get's SOS sent both again, in order: unlocked");
	if (queued(HD__ENVELOPE__BODY_RESULT, &e) == 1 && e->result->id == 611)
		st = e->result->status;
	wire_free((ProtobufCMessage *)e);
	CHECK(st == HD__COMMAND_RESULT__STATUS__OK, "the command ends OK");
	dv.sos_hold = 0;
	before = frames_to_lock;
	from_node(LOCK, dv.held, dv.nheld);
	run();
	CHECK(frames_to_lock == before, "the Set's slow SOS: nothing sent "
	    "again (the lock's report confirmed both)");
	CHECK(lock_cmd(612, 1) == HD__COMMAND_RESULT__STATUS__OK &&
	    dv.mode == 0xff, "the next command: OK");
}

/* The lock sends under Unauthenticated, a class below its grant. */
static void
test_lower_class(void)
{
	uint8_t		 rep[] = { 0x62, 0x03, 0xff, 0, 1, 0, 0 };
	uint8_t		 keys[3][16];
	char		 path[160], line[40];
	FILE		*fp;
	int		 i, j, ok = 1;
	unsigned	 v;

	snprintf(path, sizeof(path), "%s/zwave-s2.key", dir);
	if ((fp = fopen(path, "r")) == NULL)
		ok = 0;
	for (i = 0; ok && i < 3; i++) {
		ok = fgets(line, sizeof(line), fp) != NULL;
		for (j = 0; ok && j < 16; j++)
			ok = sscanf(line + 2 * j, "%2x", &v) == 1 &&
			    (keys[i][j] = (uint8_t)v, 1);
	}
	if (fp != NULL)
		fclose(fp);
	if (!CHECK(ok, "the S2 key file read back"))
		return;
	zw_s2_set_key(&dv.s2, ZW_S2_UNAUTH, keys[0]);
	zw_s2_grant(&dv.s2, 1, ZW_S2_GRANT(ZW_S2_UNAUTH));
	drain();
	dev_send(rep, sizeof(rep));
	run();
	CHECK(locked_value() == -1, "a report under S2 Unauthenticated from "
	    "a node granted Access Control is refused");
	zw_s2_grant(&dv.s2, 1, ZW_S2_GRANT(ZW_S2_ACCESS));
	/* The lock lost its SPAN: our frame is answered SOS, sent again. */
	zw_s2_span_reset(zw_s2_peer(&dv.s2, 1));
	dv.mode = 0xff;
	CHECK(lock_cmd(503, 0) == HD__COMMAND_RESULT__STATUS__OK &&
	    dv.mode == 0x00, "after the node lost its SPAN: SOS, resync, OK");
}

static uint8_t
lock_generic(uint8_t node)
{
	return node == 2 ? 0x10 : node == LOCK ? 0x40 : 0x21;
}

/* The stick lists nodes 2, 3 and the lock. */
static int
startup_lock(void)
{
	uint8_t mask[ZW_NODEMASK_LEN] = { 0x27 };	/* 1, 2, 3, 6 */

	return stick_startup(mask, 0x01, lock_generic);
}

static void
test_restart(void)
{
	char		 path[160];
	Hd__ZwNodeTable	*t;
	size_t		 i;
	int		 ok = 0;

	snprintf(path, sizeof(path), "%s/zwave.nodes", dir);
	t = (Hd__ZwNodeTable *)state_load(path, &hd__zw_node_table__descriptor);
	for (i = 0; t != NULL && i < t->n_nodes; i++)
		if (t->nodes[i]->id == LOCK)
			ok = t->nodes[i]->s2_granted == 0x04 &&
			    t->nodes[i]->security_level == 4 &&
			    t->format == 2;
	wire_free((ProtobufCMessage *)t);
	CHECK(ok, "the node table keeps s2_granted and level 4 (format 2)");
	zw_stop(&S);
	if (!CHECK(zw_start(&S) == 0, "restart"))
		return;
	CHECK(S.zw->node[LOCK].s2_granted == 0x04 &&
	    S.zw->node[LOCK].sec_level == 4 && S.zw->node[LOCK].nscc == 2,
	    "after a restart the lock is an S2 node still");
	nreqs = 0;
	CHECK(startup_lock() == 0, "the stick is back");
	run();
	dv.mode = 0x00;
	CHECK(lock_cmd(504, 1) == HD__COMMAND_RESULT__STATUS__OK &&
	    dv.mode == 0xff && dv.clear_lock == 0, "lock after the restart: "
	    "a new SPAN, under S2, confirmed");
}

/* Each failure ends in a SECURITY step flagged downgraded, in words
 * (looked for among every step queued to the master). */
static int
downgraded(uint8_t id, const char *words)
{
	const struct rq_item	*it;
	Hd__Envelope		*e;
	Hd__ZwProgress		*p;
	int			 i, ok = 0;

	for (i = 0; i < S.rq.count; i++) {
		it = &S.rq.items[(S.rq.head + i) % CLUSTER_REPLAY_QUEUE];
		e = (Hd__Envelope *)wire_unpack(&hd__envelope__descriptor,
		    it->data + WIRE_HDR_LEN, it->len - WIRE_HDR_LEN);
		if (e == NULL)
			continue;
		p = e->zw_progress;
		if (e->body_case == HD__ENVELOPE__BODY_ZW_PROGRESS &&
		    p->state == HD__ZW_PROGRESS__STATE__SECURITY &&
		    p->node_id == id)
			ok = p->downgraded && p->s2_granted == 0 &&
			    strstr(p->reason, words) != NULL &&
			    strstr(p->reason, "WITHOUT security") != NULL;
		wire_free((ProtobufCMessage *)e);
	}
	return ok && S.zw->node[id].sec_level == 0 &&
	    S.zw->node[id].s2_granted == 0;
}

static void
test_failures(void)
{
	struct zw_s2ctl *k = S.zw->sec->s2;

	/* A wrong PIN: the node's echo cannot be decrypted. */
	dev_reset(7, 0x04);
	include_s2(7, 0);
	run();
	answer_user(0x04, "");
	run();
	answer_user(0, strcmp(pin_ok, "00001") ? "00001" : "00002");
	run();
	CHECK(downgraded(7, "wrong PIN") && dv.kex_fail == 0x05,
	    "a wrong PIN: KEX Fail 0x05 to the node, a downgrade reported");

	/* The device stops answering after KEX Get: TA1. */
	dev_reset(8, 0x01);
	dv.mute = 1;
	include_s2(8, 0);
	run();
	CHECK(k->kex_node == 8 && fire(&k->kex_timer),
	    "no KEX Report: the timer is armed at TA1");
	CHECK(downgraded(8, "stopped answering"), "its timeout reported "
	    "as a downgrade");

	/* The user grants nothing. */
	dev_reset(9, 0x03);
	include_s2(9, 0);
	run();
	answer_user(0, "");
	run();
	CHECK(downgraded(9, "cancelled") && dv.kex_fail == 0x06,
	    "nothing granted: KEX Fail 0x06, a downgrade reported");

	/* The licence has no secure-zwave: no bootstrapping at all. */
	dev_reset(10, 0x04);
	frames_to_lock = 0;
	include_s2(10, 1);
	run();
	CHECK(downgraded(10, "licence") && frames_to_lock == 0,
	    "without secure-zwave: nothing sent, reported as a downgrade");
	answer_user(0x04, "");
	CHECK(progress_is(HD__ZW_PROGRESS__STATE__REFUSED, 0),
	    "a grant with nothing waiting is refused");
}

/* The lock's QR code string: its DSK (its public key's first 16 bytes),
 * S2 Access Control, a product; the checksum as the format says. */
static void
make_qr(char *out, size_t size)
{
	char		body[200], *p = body;
	uint8_t		md[SHA_DIGEST_LENGTH];
	int		i;

	p += sprintf(p, "004");
	for (i = 0; i < 8; i++)
		p += sprintf(p, "%05u", (unsigned)(dv.pub[2 * i] << 8 |
		    dv.pub[2 * i + 1]));
	sprintf(p, "0010%05u%05u0220%05u%05u%05u%05u", 0x4003, 0x0700, 134, 3,
	    100, 0x0105);
	SHA1((const unsigned char *)body, strlen(body), md);
	snprintf(out, size, "9001%05u%s", (unsigned)(md[0] << 8 | md[1]), body);
}

static int
prov_req(int action, const char *qr, const char *dsk, char *err,
    size_t errlen)
{
	Hd__ZwProvision	 m = HD__ZW_PROVISION__INIT;
	Hd__Envelope	*e;
	int		 n = -1;

	m.action = action;
	m.qr = (char *)(uintptr_t)qr;
	m.dsk = (char *)(uintptr_t)dsk;
	drain();
	zw_provision_request(&S, &m);
	if (queued(HD__ENVELOPE__BODY_ZW_PROVISION_LIST, &e) == 1) {
		n = (int)e->zw_provision_list->n_entries;
		snprintf(err, errlen, "%s", e->zw_provision_list->error);
	}
	wire_free((ProtobufCMessage *)e);
	return n;
}

/* A lock whose QR code was given first: its PIN is not asked for. */
static void
test_provisioned(void)
{
	char	qr[256], err[128], dsk[48], path[160];
	struct stat st;

	dev_reset(11, 0x04);
	make_qr(qr, sizeof(qr));
	CHECK(prov_req(HD__ZW_PROVISION__ACTION__ADD, "90017", "", err,
	    sizeof(err)) == 0 && strstr(err, "too short") != NULL,
	    "provisioning: a bad QR code string refused, in words (%s)", err);
	CHECK(prov_req(HD__ZW_PROVISION__ACTION__ADD, qr, "", err,
	    sizeof(err)) == 1 && err[0] == '\0', "the lock's QR code: listed");
	CHECK(prov_req(HD__ZW_PROVISION__ACTION__ADD, qr, "", err,
	    sizeof(err)) == 1, "the same again: replaced, not doubled");
	snprintf(path, sizeof(path), "%s/zwave.provision", dir);
	CHECK(stat(path, &st) == 0, "kept in zwave.provision");
	include_s2(11, 0);
	run();
	answer_user(0x04, "");
	run();
	CHECK(S.zw->node[11].s2_granted == 0x04 && dv.done,
	    "its DSK matched: Access Control without a PIN typed");
	zw_s2_dsk_str(dv.pub, dsk);
	CHECK(prov_req(HD__ZW_PROVISION__ACTION__REMOVE, "", "12345", err,
	    sizeof(err)) == 1 && strstr(err, "not a DSK") != NULL,
	    "remove: a malformed DSK refused");
	CHECK(prov_req(HD__ZW_PROVISION__ACTION__REMOVE, "", dsk, err,
	    sizeof(err)) == 0 && err[0] == '\0', "remove by its DSK");
	unlink(path);
}

/* Its secure classes never came: asked again when next heard under S2. */
static void
test_classes_again(void)
{
	struct zw_node	*zn;
	const uint8_t	 rep[] = { 0x62, 0x03, 0xff, 0, 1, 0, 0 };

	dev_reset(12, 0x01);
	dv.no_cmds = 1;
	include_s2(12, 0);
	run();
	answer_user(0x01, "");
	run();
	zn = &S.zw->node[12];
	CHECK(zn->s2_granted == 0x01 && zn->secn != NULL &&
	    fire(&zn->secn->boot_timer) && zn->nscc == 0 && zn->sec_level == 2,
	    "no Commands Supported Report in time: S2 kept, no secure class");
	dv.no_cmds = 0;
	dev_send(rep, sizeof(rep));
	run();
	CHECK(zn->nscc == 2 && zn->scc[0] == 0x62,
	    "heard under S2 later: its classes asked again and learnt");
}

/*
 * S0 asked for beside S2 Unauthenticated. Granted both: S0's key goes in
 * the same bootstrapping (Network Key Get 0x80, verified under it as an
 * S2 key), the node speaks S2. Granted S0 alone (the user's choice): it
 * gets the S0 key through S2, is told loudly as less than it asked, and
 * speaks S0 afterwards: its S0 classes asked under the key, a lock
 * command sent and confirmed over S0.
 */
static void
test_s0_through_s2(void)
{
	struct zw_node	*zn;
	Hd__Envelope	*e = NULL;
	Hd__ZwProgress	*p;
	uint8_t		 key[16];
	int		 ok;

	dev_reset(13, 0x81);
	include_s2(13, 0);
	run();
	p = last_progress(&e);
	CHECK(p != NULL && p->state == HD__ZW_PROGRESS__STATE__S2_GRANT &&
	    p->s2_requested == 0x81 && strstr(p->reason, "S0") != NULL,
	    "S0 asked beside S2 Unauthenticated: shown to the user");
	wire_free((ProtobufCMessage *)e);
	answer_user(0x81, "");
	run();
	zn = &S.zw->node[13];
	memcpy(key, S.zw->sec->key, 16);
	CHECK(dv.done && dv.have_s0 && dv.s0.have_key &&
	    zn->s2_granted == 0x81 && zn->sec_level == 2,
	    "both granted: the S0 key given and verified, the node at S2 "
	    "Unauthenticated");
	ok = zw_s0_init(&dv.s0, key) == 0;	/* the same key, re-derived */
	CHECK(ok && dv.s0.have_key, "the key it got is the S0 network key");

	dev_reset(14, 0x81);
	include_s2(14, 0);
	run();
	answer_user(0x80, "");
	run();
	zn = &S.zw->node[14];
	p = NULL;
	e = NULL;
	CHECK(dv.done && dv.have_s0 && zn->s2_granted == 0x80,
	    "S0 alone granted: its key given through S2");
	dv.s0_mode = 1;
	run();
	CHECK(zn->sec_level == 1 && zn->nscc == 2 && zn->scc[0] == 0x62 &&
	    dv.s0_frames >= 1, "its S0 classes asked under the key: it "
	    "speaks S0 (Door Lock secure)");
	drain();
	dv.mode = 0x00;
	dv.clear_lock = 0;
	{
		Hd__Command	 cm = HD__COMMAND__INIT;
		Hd__Value	 v = HD__VALUE__INIT;
		Hd__Envelope	*r;
		int		 st = -1;

		v.v_case = HD__VALUE__V_B;
		v.b = 1;
		cm.id = 601;
		cm.device_id = (char *)(uintptr_t)"zw:14:0";
		cm.key = (char *)(uintptr_t)"locked";
		cm.value = &v;
		devices_command(&S, &cm);
		run();
		if (queued(HD__ENVELOPE__BODY_RESULT, &r) == 1 &&
		    r->result->id == 601)
			st = r->result->status;
		wire_free((ProtobufCMessage *)r);
		CHECK(st == HD__COMMAND_RESULT__STATUS__OK && dv.mode == 0xff &&
		    dv.clear_lock == 0, "a lock command to it goes over S0 "
		    "and is confirmed by its S0 report");
	}
}

/* --- SmartStart -------------------------------------------------------- */

#define SS_LISTEN	(ZW_INCL_MODE_SS_LISTEN | ZW_INCL_OPT_NWI)
#define SS_INCLUDE	(ZW_INCL_MODE_HOMEID | ZW_INCL_OPT_POWER | \
			 ZW_INCL_OPT_NWI)

/* A device with DSK `dsk` announces itself (ApplicationUpdate 0x85). */
static void
announce(const uint8_t dsk[16])
{
	uint8_t p[13] = { ZW_UPDATE_SS_HOMEID, 0, 0, 0, 0, 0, 0, 5, 0x04,
	    0x40, 0x03, 0x5e, 0x9f };

	zw_ss_nwi(dsk, p + 3);
	unsolicited(ZW_FN_APP_UPDATE, p, sizeof(p));
	run();
}

/* How many AddNode requests of `mode` since nadds was 0. */
static int
adds_of(uint8_t mode)
{
	int i, n = 0;

	for (i = 0; i < nadds; i++)
		n += adds[i] == mode;
	return n;
}

/* Any progress step `state` queued to the master since the last drain. */
static int
progress_seen(int state)
{
	const struct rq_item	*it;
	Hd__Envelope		*e;
	int			 i, seen = 0;

	for (i = 0; i < S.rq.count; i++) {
		it = &S.rq.items[(S.rq.head + i) % CLUSTER_REPLAY_QUEUE];
		e = (Hd__Envelope *)wire_unpack(&hd__envelope__descriptor,
		    it->data + WIRE_HDR_LEN, it->len - WIRE_HDR_LEN);
		if (e != NULL && e->body_case ==
		    HD__ENVELOPE__BODY_ZW_PROGRESS &&
		    (int)e->zw_progress->state == state)
			seen = 1;
		wire_free((ProtobufCMessage *)e);
	}
	return seen;
}

/* The stick adds node `id` after an AddNode by home id. */
static void
ss_join(uint8_t id)
{
	uint8_t st[16] = { 9, ZW_INCL_ADDING_SLAVE, 0, 7, 0x04, 0x40, 0x03,
	    0x5e, 0x9f, 0x6c, 0x86 };

	status(ZW_FN_ADD_NODE, ZW_INCL_LEARN_READY, 0, 0);
	status(ZW_FN_ADD_NODE, ZW_INCL_NODE_FOUND, 0, 0);
	st[2] = id;
	unsolicited(ZW_FN_ADD_NODE, st, 11);
	status(ZW_FN_ADD_NODE, ZW_INCL_PROTOCOL_DONE, id, 0);
	run();
	status(ZW_FN_ADD_NODE, ZW_INCL_DONE, id, 0);
}

/*
 * A listed device included when it announces itself, on the fake stick:
 * the stick listens while an entry is pending; an unlisted announcement
 * is ignored; one during a user's inclusion waits; the stick failing an
 * attempt leaves the entry pending, paced (the pacing itself:
 * test_zw_s2_ss.c); then the device joins, is granted its listed class
 * with its listed DSK's PIN, nobody asked; its entry is removed
 * mid-inclusion, before it joined and while it is bootstrapped.
 */
static void
test_smartstart(void)
{
	struct zw_s2ctl	*k = S.zw->sec->s2;
	Hd__ZwInclusion	 m = HD__ZW_INCLUSION__INIT;
	struct zw_req	 r;
	char		 qr[256], err[128], dsk[48];
	uint8_t		 other[16], ids[8];

	dev_reset(15, 0x04);
	make_qr(qr, sizeof(qr));
	nadds = 0;
	prov_req(HD__ZW_PROVISION__ACTION__ADD, qr, "", err, sizeof(err));
	run();
	CHECK(adds_of(SS_LISTEN) == 1 && k->listening,
	    "a SmartStart code listed: the stick listens (AddNode 0x%02x)",
	    SS_LISTEN);
	memset(other, 0x5a, sizeof(other));
	nadds = 0;
	announce(other);
	CHECK(nadds == 0 && !k->ss_active,
	    "an unlisted device's announcement: ignored");

	/* A user's inclusion: listen mode left first; an announcement
	 * meanwhile waits; listening again once it ends. */
	m.action = HD__ZW_INCLUSION__ACTION__INCLUDE;
	zw_inclusion_request(&S, &m);
	run();
	CHECK(nadds == 2 && adds[0] == ZW_INCL_MODE_STOP &&
	    adds[1] == (ZW_INCL_MODE_ANY | ZW_INCL_OPT_POWER |
	    ZW_INCL_OPT_NWI), "a user's inclusion: listen mode left, then "
	    "AddNode any");
	nadds = 0;
	announce(dv.pub);
	CHECK(nadds == 0 && k->prov[0].state == ZW_SS_PENDING &&
	    k->prov[0].fails == 0, "the listed device announced during it: "
	    "waits for its next announcement");
	m.action = HD__ZW_INCLUSION__ACTION__STOP;
	zw_inclusion_request(&S, &m);
	run();
	CHECK(adds_of(SS_LISTEN) == 1, "the user's inclusion stopped: "
	    "listening again");

	/* The stick fails the attempt: pending, paced, listening again. */
	nadds = 0;
	announce(dv.pub);
	zw_ss_nwi(dv.pub, ids);
	zw_ss_auth(dv.pub, ids + 4);
	CHECK(nadds == 2 && adds[0] == ZW_INCL_MODE_STOP &&
	    adds[1] == SS_INCLUDE && memcmp(last_add + 2, ids, 8) == 0,
	    "the listed device announced: AddNode 0x%02x with its NWI and "
	    "Auth home ids", SS_INCLUDE);
	nadds = 0;
	status(ZW_FN_ADD_NODE, ZW_INCL_FAILED, 0, 0);
	run();
	CHECK(k->prov[0].state == ZW_SS_PENDING && k->prov[0].fails == 1 &&
	    strstr(k->prov[0].reason, "attempt 1 of 5") != NULL &&
	    adds_of(SS_LISTEN) == 1, "the stick failed it: pending, %s, "
	    "listening again", k->prov[0].reason);
	nadds = 0;
	announce(dv.pub);
	CHECK(adds_of(SS_INCLUDE) == 0, "announced again at once: not "
	    "before its back-off");
	k->prov[0].retry_at = 0;	/* the back-off is over */

	/* Included: granted as listed, its PIN from the list. */
	drain();
	announce(dv.pub);
	CHECK(adds_of(SS_INCLUDE) == 1, "after the back-off: included");
	ss_join(15);
	run();
	CHECK(S.zw->node[15].s2_granted == 0x04 && dv.done &&
	    !progress_seen(HD__ZW_PROGRESS__STATE__S2_GRANT) &&
	    !progress_seen(HD__ZW_PROGRESS__STATE__S2_PIN),
	    "joined: S2 Access Control granted, no grant or PIN asked");
	CHECK(k->prov[0].state == ZW_SS_INCLUDED && k->prov[0].node == 15 &&
	    !k->listening && !k->ss_active, "its entry: included as node 15; "
	    "nothing pending, the stick no longer listens");

	/* Removed before its device joined: the attempt stops. */
	dev_reset(16, 0x04);
	prov_req(HD__ZW_PROVISION__ACTION__ADD, qr, "", err, sizeof(err));
	run();
	nadds = 0;
	announce(dv.pub);
	zw_s2_dsk_str(dv.pub, dsk);
	drain();
	prov_req(HD__ZW_PROVISION__ACTION__REMOVE, "", dsk, err, sizeof(err));
	run();
	CHECK(adds_of(SS_INCLUDE) == 1 && adds_of(ZW_INCL_MODE_STOP) == 2 && adds_of(SS_LISTEN) == 0 &&
	    progress_seen(HD__ZW_PROGRESS__STATE__CANCELLED) &&
	    S.zw->incl.action == HD__ZW_INCLUSION__ACTION__STOP &&
	    !k->ss_active && k->nprov == 0, "removed before it joined: "
	    "the stick stopped, the attempt cancelled");

	/* Removed while it is bootstrapped: cancelled, told loudly. */
	prov_req(HD__ZW_PROVISION__ACTION__ADD, qr, "", err, sizeof(err));
	run();
	announce(dv.pub);
	dv.mute = 1;			/* its KEX Report never comes */
	ss_join(16);
	run();
	CHECK(k->kex_node == 16 && k->ss_node == 16, "joined as node 16: "
	    "bootstrapping waits for it");
	prov_req(HD__ZW_PROVISION__ACTION__REMOVE, "", dsk, err, sizeof(err));
	run();
	CHECK(k->kex_node == 0 && !k->ss_active &&
	    downgraded(16, "removed from the provisioning list"),
	    "removed during its bootstrapping: cancelled, reported as a "
	    "downgrade in words");
	while (take(&r))
		;
}

/* hd-slave -n and the start: the S2 key file's mode and contents. */
static void
test_key_file(void)
{
	char		 path[160];
	struct stat	 st;

	snprintf(path, sizeof(path), "%s/zwave-s2.key", dir);
	CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600 &&
	    st.st_size == 3 * 33, "zwave-s2.key: three keys, mode 0600");
	CHECK(zw_sec_key_check(dir) == 0, "-n: the S2 key file passes");
	chmod(path, 0640);
	CHECK(zw_sec_key_check(dir) == -1, "-n: an S2 key file the group can "
	    "read is refused");
	chmod(path, 0600);
}

int
main(void)
{
	log_init("test_zw_s2", 0);
	if (zwf_open() == -1 || !CHECK(startup() == 0, "start-up") ||
	    !CHECK(S.zw->home_id == HOME && S.zw->own_id == 1,
	    "home id and our node id as the lock knows them"))
		return check_done();
	run();
	test_bootstrap();
	test_commands();
	test_sos_late();
	test_lower_class();
	test_restart();
	test_failures();
	test_provisioned();
	test_classes_again();
	test_s0_through_s2();
	test_smartstart();
	test_key_file();
	zwf_close();
	return check_done();
}
