/*
 * Unit tests for S2 bootstrapping (slave/zwave/zw_s2_kex.c), the including
 * controller's state machine, on a fake clock.
 *
 * The whole exchange runs through the real transport on both sides: the
 * controller (node 1, zw_s2_kex + its struct zw_s2) and a joining node
 * (node 6) scripted here with its own struct zw_s2, its own X25519 key
 * and the primitives: KEX Get/Report, the grant, KEX Set, both public
 * keys, the PIN, the KEX Set echo and KEX Report echo under the temporary
 * key, Network Key Get/Report/Verify per class, Transfer End; then a Door
 * Lock frame under the granted class. Then every refusal, with its KEX
 * Fail reason, and every timeout at its edge.
 */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "../../slave/zwave/zw_s2.h"

#define HOME	0x0badcafeu
#define CTRL	1
#define DEV	6

static const uint8_t PNK[3][16] = {
	{ 0xa1, 0xa1, 0xa1, 0xa1, 0xa1, 0xa1, 0xa1, 0xa1, 0xa1, 0xa1, 0xa1,
	  0xa1, 0xa1, 0xa1, 0xa1, 0xa1 },
	{ 0xb2, 0xb2, 0xb2, 0xb2, 0xb2, 0xb2, 0xb2, 0xb2, 0xb2, 0xb2, 0xb2,
	  0xb2, 0xb2, 0xb2, 0xb2, 0xb2 },
	{ 0xc3, 0xc3, 0xc3, 0xc3, 0xc3, 0xc3, 0xc3, 0xc3, 0xc3, 0xc3, 0xc3,
	  0xc3, 0xc3, 0xc3, 0xc3, 0xc3 },
};
/* The joining node's private key: RFC 7748's Bob. */
static const uint8_t DEVPRIV[32] = { 0x5d, 0xab, 0x08, 0x7e, 0x62, 0x4a,
    0x8a, 0x4b, 0x79, 0xe1, 0x7f, 0x8b, 0x83, 0x80, 0x0e, 0xe6, 0x6f, 0x3b,
    0xb1, 0x29, 0x26, 0x18, 0xb6, 0xfd, 0x1c, 0x2f, 0x8b, 0x27, 0xff, 0x88,
    0xe0, 0xeb };

static uint8_t	rand_next = 1;
static int
rand_count(uint8_t *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		b[i] = rand_next++;
	return 0;
}

/* The installation's S0 network key, given through S2 when granted. */
static const uint8_t S0KEY[16] = { 0x50, 0x50, 0x50, 0x50, 0x50, 0x50, 0x50,
    0x50, 0x50, 0x50, 0x50, 0x50, 0x50, 0x50, 0x50, 0x0f };
static const uint8_t	*s0key;	/* what to_pubkey gives the machine */

static struct zw_s2	ctrl, dev;
static struct zw_s2_kex	k;
static uint64_t		now = 5000;
static uint8_t		devpub[32];

static void
setup(void)
{
	int c;

	zw_s2_init(&ctrl, CTRL, HOME, rand_count);
	zw_s2_init(&dev, DEV, HOME, rand_count);
	for (c = 0; c < 3; c++)
		zw_s2_set_key(&ctrl, (enum zw_s2_class)c, PNK[c]);
	zw_s2_set_key(&ctrl, ZW_S2_S0KEY, S0KEY);
	zw_s2_x25519_public(DEVPRIV, devpub);
}

/* from -> to, S2-encapsulated, with a Nonce Get/Report when due: to's
 * decap result; the command in got, the class in *cls. */
static enum zw_s2_result
sec(struct zw_s2 *from, struct zw_s2 *to, const uint8_t *cmd, size_t n,
    uint8_t *got, size_t *gn, int *cls)
{
	uint8_t			f[ZW_S2_MAX_FRAME];
	size_t			fn;
	struct zw_s2_rx		rx;
	enum zw_s2_result	r;

	if ((r = zw_s2_encap(from, to->own, cmd, n, 0, f, sizeof(f), &fn)) ==
	    ZW_S2_NEED_NONCE) {
		zw_s2_nonce_get(from, to->own, f, sizeof(f), &fn);
		if (zw_s2_nonce_report(to, from->own, now, 0, f, sizeof(f),
		    &fn) != ZW_S2_OK ||
		    zw_s2_on_nonce_report(from, to->own, f, fn) != ZW_S2_OK)
			return ZW_S2_NOT_GRANTED;
		r = zw_s2_encap(from, to->own, cmd, n, 0, f, sizeof(f), &fn);
	}
	if (r != ZW_S2_OK)
		return r;
	r = zw_s2_decap(to, from->own, f, fn, now, got, ZW_S2_MAX_CMD, gn,
	    &rx);
	*cls = (int)rx.cls;
	return r;
}

/* What the controller sent, as hex, for zwave-js to read (capture on). */
static int	capture;
static char	sent[4096];

static void
capture_cmd(const uint8_t *b, size_t n)
{
	size_t i, at = strlen(sent);

	if (!capture || n == 0 || at + 2 * n + 2 > sizeof(sent))
		return;
	if (at > 0)
		sent[at++] = ',';
	for (i = 0; i < n; i++, at += 2)
		snprintf(sent + at, 3, "%02x", b[i]);
}

/* The controller's step goes out: the command as the node gets it. */
static size_t
deliver(const struct zw_s2_kex_out *o, uint8_t *got)
{
	size_t	gn = 0;
	int	cls;

	capture_cmd(o->cmd, o->n);
	if (o->n == 0)
		;
	else if (!o->secure) {
		memcpy(got, o->cmd, o->n);
		gn = o->n;
	} else if (sec(&ctrl, &dev, o->cmd, o->n, got, &gn, &cls) !=
	    ZW_S2_OK)
		gn = 0;
	if (o->regrant)
		zw_s2_grant(&ctrl, DEV, o->grant);
	return gn;
}

/* The node's command to the controller's machine, clear or secure. */
static void
node_says(const uint8_t *cmd, size_t n, int secure, struct zw_s2_kex_out *o)
{
	uint8_t			got[ZW_S2_MAX_CMD];
	size_t			gn;
	int			cls;
	enum zw_s2_result	r;

	if (!secure) {
		zw_s2_kex_input(&k, cmd, n, -1, now, o);
		return;
	}
	if ((r = sec(&dev, &ctrl, cmd, n, got, &gn, &cls)) == ZW_S2_OK)
		zw_s2_kex_input(&k, got, gn, cls, now, o);
	else if (r == ZW_S2_SOS)
		zw_s2_kex_undecryptable(&k, o);
	else
		memset(o, 0, sizeof(*o));
}

/* The node's side of ECDH (its key completed), its temporary key. */
static void
node_temp(const uint8_t *ctrlpub)
{
	struct zw_s2_keys	t;
	uint8_t			secret[32], prk[16];

	zw_s2_x25519_shared(DEVPRIV, ctrlpub, secret);
	zw_s2_temp_extract(secret, ctrlpub, devpub, prk);
	zw_s2_temp_expand(prk, &t);
	zw_s2_set_keys(&dev, ZW_S2_TEMP, &t);
	zw_s2_grant(&dev, CTRL, ZW_S2_GRANT(ZW_S2_TEMP));
}

/*
 * Through to the node's Public Key Report: the node asks for `requested`,
 * the user grants `granted`; the node's key as it sends it (blanked
 * bytes for a PIN class) is returned in pk.
 */
static int
to_pubkey(uint8_t requested, unsigned granted, struct zw_s2_kex_out *o,
    uint8_t pk[35])
{
	uint8_t got[64], rep[6] = { 0x9f, 0x05, 0, ZW_S2_KEX_SCHEME1,
	    ZW_S2_KEX_CURVE25519, requested };

	setup();
	zw_s2_kex_start(&k, &ctrl, PNK, DEV, now, o);
	k.s0key = s0key;
	if (deliver(o, got) != 2 || got[1] != ZW_S2_KEX_GET)
		return -1;
	node_says(rep, sizeof(rep), 0, o);
	if (k.state != ZW_S2_KEX_WAIT_GRANT)
		return -1;
	zw_s2_kex_grant(&k, granted, now, o);
	if (deliver(o, got) != 6 || got[1] != ZW_S2_KEX_SET)
		return -1;
	pk[0] = 0x9f;
	pk[1] = ZW_S2_PUBKEY_REPORT;
	pk[2] = 0;
	memcpy(pk + 3, devpub, 32);
	if (got[5] & (ZW_S2_GRANT(ZW_S2_AUTH) | ZW_S2_GRANT(ZW_S2_ACCESS)))
		pk[3] = pk[4] = 0;	/* the PIN's part */
	return 0;
}

/* The whole bootstrapping of a node asking for and granted `classes`. */
static void
test_full(unsigned classes, const char *what)
{
	struct zw_s2_kex_out	o;
	uint8_t			pk[35], got[64], lock[3] = { 0x62, 0x01, 0xff };
	uint8_t			kg[3] = { 0x9f, ZW_S2_NETKEY_GET, 0 };
	uint8_t			kv[2] = { 0x9f, ZW_S2_NETKEY_VERIFY };
	uint8_t			te[3] = { 0x9f, ZW_S2_TRANSFER_END,
	    ZW_S2_TE_COMPLETE };
	uint8_t			echo[6] = { 0x9f, ZW_S2_KEX_SET,
	    ZW_S2_KEX_ECHO, ZW_S2_KEX_SCHEME1, ZW_S2_KEX_CURVE25519, 0 };
	char			dsk[48], want[48];
	size_t			gn;
	int			c, cls, ok = 1;

	if (!CHECK(to_pubkey((uint8_t)classes, classes, &o, pk) == 0,
	    "%s: KEX Get, Report, the grant, KEX Set", what))
		return;
	node_says(pk, sizeof(pk), 0, &o);
	CHECK(deliver(&o, got) == 35 && got[1] == ZW_S2_PUBKEY_REPORT &&
	    got[2] == ZW_S2_PK_INCLUDING,
	    "%s: our Public Key Report answers the node's", what);
	if (classes & (ZW_S2_GRANT(ZW_S2_AUTH) | ZW_S2_GRANT(ZW_S2_ACCESS))) {
		zw_s2_dsk_str(k.node_pub, dsk);
		zw_s2_dsk_str(devpub, want);
		CHECK(k.state == ZW_S2_KEX_WAIT_PIN &&
		    strcmp(dsk + 5, want + 5) == 0 &&
		    strncmp(dsk, "00000", 5) == 0,
		    "%s: waits for the PIN, the DSK shown but its first five "
		    "digits (%s)", what, dsk);
		zw_s2_kex_pin(&k, devpub[0] << 8 | devpub[1], now, &o);
	}
	node_temp(got + 3);
	echo[5] = (uint8_t)classes;
	node_says(echo, sizeof(echo), 1, &o);
	CHECK(deliver(&o, got) == 6 && got[1] == ZW_S2_KEX_REPORT &&
	    got[2] == ZW_S2_KEX_ECHO && got[5] == classes,
	    "%s: the echoes match, under the temporary key", what);
	for (c = 2; c >= 0; c--) {
		if (!(classes & ZW_S2_GRANT(c)))
			continue;
		kg[2] = (uint8_t)ZW_S2_GRANT(c);
		node_says(kg, sizeof(kg), 1, &o);
		gn = deliver(&o, got);
		ok &= gn == 19 && got[1] == ZW_S2_NETKEY_REPORT &&
		    memcmp(got + 3, PNK[c], 16) == 0;
		zw_s2_set_key(&dev, (enum zw_s2_class)c, got + 3);
		zw_s2_grant(&dev, CTRL, ZW_S2_GRANT(c));
		node_says(kv, sizeof(kv), 1, &o);
		zw_s2_grant(&dev, CTRL, ZW_S2_GRANT(ZW_S2_TEMP));
		gn = deliver(&o, got);
		ok &= gn == 3 && got[1] == ZW_S2_TRANSFER_END &&
		    got[2] == ZW_S2_TE_VERIFIED;
	}
	CHECK(ok, "%s: each key sent under the temporary key, verified "
	    "under itself, Transfer End", what);
	node_says(te, sizeof(te), 1, &o);
	deliver(&o, got);
	CHECK(k.state == ZW_S2_KEX_DONE && k.granted == classes &&
	    !(ctrl.have & ZW_S2_GRANT(ZW_S2_TEMP)),
	    "%s: done, the temporary key gone", what);
	zw_s2_grant(&dev, CTRL, classes);
	c = zw_s2_highest(classes);
	CHECK(sec(&ctrl, &dev, lock, 3, got, &gn, &cls) == ZW_S2_OK &&
	    gn == 3 && cls == c, "%s: a Door Lock Set goes under class %d",
	    what, c);
}

/*
 * S0 asked for beside S2 Unauthenticated: `granted` by the user. The
 * node asks for each granted key in turn (S2 first, S0 last), S0's
 * report carries the S0 network key, and the node verifies it under
 * that key taken as an S2 key; the transport then holds only the S2
 * classes. Without an S0 key to give, S0 is not granted.
 */
static void
test_s0(unsigned granted, const char *what)
{
	struct zw_s2_kex_out	o;
	uint8_t			pk[35], got[64];
	uint8_t			kg[3] = { 0x9f, ZW_S2_NETKEY_GET, 0 };
	uint8_t			kv[2] = { 0x9f, ZW_S2_NETKEY_VERIFY };
	uint8_t			te[3] = { 0x9f, ZW_S2_TRANSFER_END,
	    ZW_S2_TE_COMPLETE };
	uint8_t			echo[6] = { 0x9f, ZW_S2_KEX_SET,
	    ZW_S2_KEX_ECHO, ZW_S2_KEX_SCHEME1, ZW_S2_KEX_CURVE25519, 0 };
	const uint8_t		order[2] = { ZW_S2_GRANT(ZW_S2_UNAUTH),
	    ZW_S2_KEY_S0 };
	struct zw_s2_peer	*p;
	size_t			gn, i;
	int			ok = 1;

	s0key = S0KEY;
	if (!CHECK(to_pubkey(0x81, granted, &o, pk) == 0 &&
	    k.granted == granted, "%s: S0 and S2 Unauthenticated asked, "
	    "0x%02x granted in the KEX Set", what, granted))
		goto out;
	node_says(pk, sizeof(pk), 0, &o);
	deliver(&o, got);
	node_temp(got + 3);
	echo[5] = (uint8_t)granted;
	node_says(echo, sizeof(echo), 1, &o);
	CHECK(deliver(&o, got) == 6 && got[1] == ZW_S2_KEX_REPORT &&
	    got[5] == 0x81, "%s: the echoes match", what);
	for (i = 0; i < 2; i++) {
		if (!(granted & order[i]))
			continue;
		kg[2] = order[i];
		node_says(kg, sizeof(kg), 1, &o);
		gn = deliver(&o, got);
		ok &= gn == 19 && got[1] == ZW_S2_NETKEY_REPORT &&
		    got[2] == order[i] && memcmp(got + 3, order[i] ==
		    ZW_S2_KEY_S0 ? S0KEY : PNK[0], 16) == 0;
		if (order[i] == ZW_S2_KEY_S0) {
			ok &= o.grant == ZW_S2_GRANT(ZW_S2_S0KEY);
			zw_s2_set_key(&dev, ZW_S2_S0KEY, got + 3);
			zw_s2_grant(&dev, CTRL, ZW_S2_GRANT(ZW_S2_S0KEY));
		} else {
			zw_s2_set_key(&dev, ZW_S2_UNAUTH, got + 3);
			zw_s2_grant(&dev, CTRL, ZW_S2_GRANT(ZW_S2_UNAUTH));
		}
		node_says(kv, sizeof(kv), 1, &o);
		zw_s2_grant(&dev, CTRL, ZW_S2_GRANT(ZW_S2_TEMP));
		gn = deliver(&o, got);
		ok &= gn == 3 && got[1] == ZW_S2_TRANSFER_END &&
		    got[2] == ZW_S2_TE_VERIFIED;
	}
	CHECK(ok, "%s: each key (S0's: the S0 network key) verified under "
	    "itself, Transfer End", what);
	node_says(te, sizeof(te), 1, &o);
	deliver(&o, got);
	p = zw_s2_peer(&ctrl, DEV);
	CHECK(k.state == ZW_S2_KEX_DONE && k.granted == granted &&
	    o.grant == (granted & 0x07u) && (granted & 0x07u ? p != NULL &&
	    p->granted == (granted & 0x07u) : p == NULL),
	    "%s: done; the transport holds only its S2 classes (0x%02x)",
	    what, granted & 0x07u);
out:
	s0key = NULL;
}

static void
test_s0_refusals(void)
{
	struct zw_s2_kex_out	o;
	uint8_t			pk[35], got[64];
	uint8_t			kg[3] = { 0x9f, ZW_S2_NETKEY_GET,
	    ZW_S2_KEY_S0 };
	uint8_t			echo[6] = { 0x9f, ZW_S2_KEX_SET,
	    ZW_S2_KEX_ECHO, ZW_S2_KEX_SCHEME1, ZW_S2_KEX_CURVE25519, 0x01 };

	CHECK(to_pubkey(0x81, 0x81, &o, pk) == 0 && k.granted == 0x01,
	    "no S0 key to give: S0 is not granted, S2 Unauthenticated is");
	s0key = S0KEY;
	to_pubkey(0x81, 0x01, &o, pk);
	node_says(pk, sizeof(pk), 0, &o);
	deliver(&o, got);
	node_temp(got + 3);
	node_says(echo, sizeof(echo), 1, &o);
	deliver(&o, got);
	node_says(kg, sizeof(kg), 1, &o);
	CHECK(k.state == ZW_S2_KEX_FAILED && k.fail == ZW_S2_KEX_FAIL_GET &&
	    o.n == 3 && o.cmd[1] == ZW_S2_KEX_FAIL,
	    "the S0 key asked for but not granted: KEX Fail 0x08");
	s0key = NULL;
}

/* The node's KEX Report, varied: each refusal and its reason. */
static void
test_report_refusals(void)
{
	static const struct {
		uint8_t flags, schemes, curves, keys;
		enum zw_s2_kex_fail want;
		const char *what;
	} v[] = {
		{ 0, 0x04, 0x01, 0x04, ZW_S2_KEX_FAIL_SCHEME, "no scheme 1" },
		{ 0, 0x02, 0x02, 0x04, ZW_S2_KEX_FAIL_CURVES, "no Curve25519" },
		{ 0, 0x02, 0x01, 0x80, ZW_S2_KEX_FAIL_KEY, "S0 alone asked" },
		{ 0, 0x02, 0x01, 0x00, ZW_S2_KEX_FAIL_KEY, "no class asked" },
		{ ZW_S2_KEX_CSA, 0x02, 0x01, 0x04, ZW_S2_KEX_FAIL_CANCEL,
		  "client-side authentication asked" },
		{ ZW_S2_KEX_ECHO, 0x02, 0x01, 0x04, ZW_S2_KEX_FAIL_VERIFY,
		  "an echo first" },
	};
	struct zw_s2_kex_out	o;
	uint8_t			rep[6] = { 0x9f, 0x05 };
	size_t			i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		setup();
		zw_s2_kex_start(&k, &ctrl, PNK, DEV, now, &o);
		rep[2] = v[i].flags;
		rep[3] = v[i].schemes;
		rep[4] = v[i].curves;
		rep[5] = v[i].keys;
		zw_s2_kex_input(&k, rep, sizeof(rep), -1, now, &o);
		CHECK(k.state == ZW_S2_KEX_FAILED && k.fail == v[i].want &&
		    o.n == 3 && o.cmd[1] == ZW_S2_KEX_FAIL &&
		    o.cmd[2] == v[i].want && !o.secure && o.regrant &&
		    o.grant == 0, "KEX Report with %s: KEX Fail 0x%02x (%s)",
		    v[i].what, v[i].want, zw_s2_kex_fail_str(v[i].want));
	}
	setup();
	zw_s2_kex_start(&k, &ctrl, PNK, DEV, now, &o);
	rep[2] = 0; rep[3] = 0x02; rep[4] = 0x01; rep[5] = 0x04;
	zw_s2_kex_input(&k, rep, sizeof(rep), ZW_S2_TEMP, now, &o);
	CHECK(k.state == ZW_S2_KEX_WAIT_REPORT && o.n == 0,
	    "a KEX Report not in clear is not the first one: ignored");
	zw_s2_kex_input(&k, rep, 5, -1, now, &o);
	CHECK(k.state == ZW_S2_KEX_WAIT_REPORT, "a short one: ignored");
}

static void
test_later_refusals(void)
{
	struct zw_s2_kex_out	o;
	uint8_t			pk[35], got[64];
	uint8_t			echo[6] = { 0x9f, ZW_S2_KEX_SET,
	    ZW_S2_KEX_ECHO, ZW_S2_KEX_SCHEME1, ZW_S2_KEX_CURVE25519, 0x02 };
	uint8_t			kg[3] = { 0x9f, ZW_S2_NETKEY_GET, 0x04 };
	uint8_t			kv[2] = { 0x9f, ZW_S2_NETKEY_VERIFY };

	/* The user grants less than asked: the rest never goes out. */
	to_pubkey(0x07, ZW_S2_GRANT(ZW_S2_AUTH), &o, pk);
	CHECK(k.granted == ZW_S2_GRANT(ZW_S2_AUTH), "the user may grant less "
	    "than asked (Authenticated of the three)");
	node_says(pk, sizeof(pk), 0, &o);
	deliver(&o, got);
	/* A wrong PIN: the node's echo cannot be decrypted. */
	zw_s2_kex_pin(&k, (devpub[0] << 8 | devpub[1]) ^ 1, now, &o);
	node_temp(got + 3);
	node_says(echo, sizeof(echo), 1, &o);
	CHECK(k.state == ZW_S2_KEX_FAILED &&
	    k.fail == ZW_S2_KEX_FAIL_DECRYPT && o.n == 3 && !o.secure &&
	    o.cmd[2] == ZW_S2_KEX_FAIL_DECRYPT,
	    "a wrong PIN: the echo does not decrypt, KEX Fail 0x05 in clear");
	/* The echo naming other classes. */
	to_pubkey(0x02, ZW_S2_GRANT(ZW_S2_AUTH), &o, pk);
	node_says(pk, sizeof(pk), 0, &o);
	deliver(&o, got);
	zw_s2_kex_pin(&k, devpub[0] << 8 | devpub[1], now, &o);
	node_temp(got + 3);
	echo[5] = 0x06;
	node_says(echo, sizeof(echo), 1, &o);
	CHECK(k.fail == ZW_S2_KEX_FAIL_AUTH && o.cmd[2] == 0x07,
	    "an echo with other classes: KEX Fail 0x07");
	/* Asking for a key not granted. */
	to_pubkey(0x02, ZW_S2_GRANT(ZW_S2_AUTH), &o, pk);
	node_says(pk, sizeof(pk), 0, &o);
	deliver(&o, got);
	zw_s2_kex_pin(&k, devpub[0] << 8 | devpub[1], now, &o);
	node_temp(got + 3);
	echo[5] = 0x02;
	node_says(echo, sizeof(echo), 1, &o);
	deliver(&o, got);
	node_says(kg, sizeof(kg), 1, &o);
	CHECK(k.fail == ZW_S2_KEX_FAIL_GET && o.cmd[2] == 0x08 && o.secure,
	    "Network Key Get for Access Control, granted Authenticated: "
	    "KEX Fail 0x08 under the temporary key");
	/* A key asked for in clear. */
	to_pubkey(0x02, ZW_S2_GRANT(ZW_S2_AUTH), &o, pk);
	node_says(pk, sizeof(pk), 0, &o);
	deliver(&o, got);
	zw_s2_kex_pin(&k, devpub[0] << 8 | devpub[1], now, &o);
	node_temp(got + 3);
	node_says(echo, sizeof(echo), 1, &o);
	deliver(&o, got);
	kg[2] = 0x02;
	zw_s2_kex_input(&k, kg, sizeof(kg), -1, now, &o);
	CHECK(k.fail == ZW_S2_KEX_FAIL_AUTH,
	    "Network Key Get in clear: KEX Fail 0x07");
	/* Verify under the temporary key instead of the new one. */
	to_pubkey(0x02, ZW_S2_GRANT(ZW_S2_AUTH), &o, pk);
	node_says(pk, sizeof(pk), 0, &o);
	deliver(&o, got);
	zw_s2_kex_pin(&k, devpub[0] << 8 | devpub[1], now, &o);
	node_temp(got + 3);
	node_says(echo, sizeof(echo), 1, &o);
	deliver(&o, got);
	node_says(kg, sizeof(kg), 1, &o);
	zw_s2_kex_input(&k, kv, sizeof(kv), ZW_S2_TEMP, now, &o);
	CHECK(k.fail == ZW_S2_KEX_FAIL_VERIFY && o.cmd[2] == 0x09,
	    "Network Key Verify not under the key sent: KEX Fail 0x09");
	/* The node gives up. */
	to_pubkey(0x02, ZW_S2_GRANT(ZW_S2_AUTH), &o, pk);
	zw_s2_kex_input(&k, (const uint8_t[]){ 0x9f, ZW_S2_KEX_FAIL, 0x03 },
	    3, -1, now, &o);
	CHECK(k.state == ZW_S2_KEX_FAILED && k.fail == 0x03 &&
	    !k.fail_ours && o.n == 0, "the node's KEX Fail: failed, its "
	    "reason kept (%s), nothing sent back",
	    zw_s2_kex_fail_str(k.fail));
	/* The user cancels; grants nothing. */
	to_pubkey(0x02, ZW_S2_GRANT(ZW_S2_AUTH), &o, pk);
	zw_s2_kex_cancel(&k, &o);
	CHECK(k.fail == ZW_S2_KEX_FAIL_CANCEL && o.cmd[2] == 0x06,
	    "the user cancels: KEX Fail 0x06");
	setup();
	zw_s2_kex_start(&k, &ctrl, PNK, DEV, now, &o);
	zw_s2_kex_input(&k, (const uint8_t[]){ 0x9f, 0x05, 0, 0x02, 0x01,
	    0x04 }, 6, -1, now, &o);
	zw_s2_kex_grant(&k, ZW_S2_GRANT(ZW_S2_AUTH), now, &o);
	CHECK(k.fail == ZW_S2_KEX_FAIL_CANCEL,
	    "granting only what was not asked for cancels");
}

/* Each wait: still waiting a millisecond before its deadline, failed at
 * it; the user's waits say so to the node (KEX Fail 0x06). */
static void
test_timeouts(void)
{
	struct zw_s2_kex_out	o;
	uint8_t			pk[35], got[64];
	uint64_t		t0 = now;
	int			ok;

	setup();
	zw_s2_kex_start(&k, &ctrl, PNK, DEV, t0, &o);
	zw_s2_kex_tick(&k, t0 + ZW_S2_KEX_TA1_MS - 1, &o);
	ok = k.state == ZW_S2_KEX_WAIT_REPORT;
	zw_s2_kex_tick(&k, t0 + ZW_S2_KEX_TA1_MS, &o);
	CHECK(ok && k.state == ZW_S2_KEX_FAILED &&
	    k.fail == ZW_S2_KEX_TIMEOUT && o.n == 0,
	    "no KEX Report in TA1 (%d ms): failed, timeout", ZW_S2_KEX_TA1_MS);
	setup();
	zw_s2_kex_start(&k, &ctrl, PNK, DEV, t0, &o);
	zw_s2_kex_input(&k, (const uint8_t[]){ 0x9f, 0x05, 0, 0x02, 0x01,
	    0x04 }, 6, -1, t0, &o);
	zw_s2_kex_tick(&k, t0 + ZW_S2_KEX_TAI1_MS - 1, &o);
	ok = k.state == ZW_S2_KEX_WAIT_GRANT;
	zw_s2_kex_tick(&k, t0 + ZW_S2_KEX_TAI1_MS, &o);
	CHECK(ok && k.fail == ZW_S2_KEX_FAIL_CANCEL && o.n == 3,
	    "no grant from the user in TAI1 (%d ms): KEX Fail 0x06",
	    ZW_S2_KEX_TAI1_MS);
	to_pubkey(0x04, ZW_S2_GRANT(ZW_S2_ACCESS), &o, pk);
	zw_s2_kex_tick(&k, now + ZW_S2_KEX_TA2_MS - 1, &o);
	ok = k.state == ZW_S2_KEX_WAIT_PUBKEY;
	zw_s2_kex_tick(&k, now + ZW_S2_KEX_TA2_MS, &o);
	CHECK(ok && k.fail == ZW_S2_KEX_TIMEOUT,
	    "no Public Key Report in TA2: timeout");
	to_pubkey(0x04, ZW_S2_GRANT(ZW_S2_ACCESS), &o, pk);
	node_says(pk, sizeof(pk), 0, &o);
	zw_s2_kex_tick(&k, now + ZW_S2_KEX_TAI2_MS - 1, &o);
	ok = k.state == ZW_S2_KEX_WAIT_PIN;
	zw_s2_kex_tick(&k, now + ZW_S2_KEX_TAI2_MS, &o);
	CHECK(ok && k.fail == ZW_S2_KEX_FAIL_CANCEL && o.n == 3,
	    "no PIN in TAI2 (%d ms): KEX Fail 0x06", ZW_S2_KEX_TAI2_MS);
	/* PIN typed late: the echo gets only what is left of TAI2. */
	to_pubkey(0x04, ZW_S2_GRANT(ZW_S2_ACCESS), &o, pk);
	node_says(pk, sizeof(pk), 0, &o);
	deliver(&o, got);
	zw_s2_kex_pin(&k, devpub[0] << 8 | devpub[1],
	    now + ZW_S2_KEX_TAI2_MS - 10, &o);
	zw_s2_kex_tick(&k, now + ZW_S2_KEX_TAI2_MS - 1, &o);
	ok = k.state == ZW_S2_KEX_WAIT_ECHO;
	zw_s2_kex_tick(&k, now + ZW_S2_KEX_TAI2_MS, &o);
	CHECK(ok && k.fail == ZW_S2_KEX_TIMEOUT, "the PIN and the echo share "
	    "one TAI2: no echo by its end, timeout");
}

static void
test_words(void)
{
	uint8_t	dsk[16];
	char	s[48];
	int	i;

	for (i = 0; i < 16; i++)
		dsk[i] = (uint8_t)(i * 17);
	zw_s2_dsk_str(dsk, s);
	/* 0x0011 = 17, 0x2233 = 8755, ..., 0xeeff = 61183 */
	CHECK(strcmp(s, "00017-08755-17493-26231-34969-43707-52445-61183") ==
	    0, "the DSK in eight groups of five digits (%s)", s);
	for (i = 1; i <= 10; i++)
		if (i != 4)
			CHECK(strcmp(zw_s2_kex_fail_str((enum zw_s2_kex_fail)i),
			    "unknown failure") != 0, "KEX Fail 0x%02x in words: "
			    "%s", i, zw_s2_kex_fail_str((enum zw_s2_kex_fail)i));
}

/*
 * zwave-js (@zwave-js/cc, through tests/unit/zw_s2_ref.cjs) reads every
 * command our machine sent bootstrapping all three classes as meant.
 */
static void
test_zwave_js(void)
{
	const char	*cache = getenv("HD_NPM_CACHE");
	char		 cmd[8192], got[4096], want[2048], pub[65], key[33];
	FILE		*p;
	int		 i;

	if (cache == NULL)
		cache = "/var/cache/homedaemon-npm";
	snprintf(cmd, sizeof(cmd), "test -d %s/node_modules/@zwave-js/cc",
	    cache);
	if (system(cmd) != 0) {
		SKIP("zwave-js reads our KEX commands (zwave-js not in %s: "
		    "npm could not install it)", cache);
		return;
	}
	for (i = 0; i < 32; i++)
		snprintf(pub + 2 * i, 3, "%02x", k.pub[i]);
	for (i = 0; i < 16; i++)
		snprintf(key + 2 * i, 3, "%02x", PNK[0][i]);
	snprintf(want, sizeof(want), "KEXGet | KEXSet echo=false "
	    "permitCSA=false selectedKEXScheme=1 selectedECDHProfile=0 "
	    "grantedKeys=0,1,2 | PublicKeyReport includingNode=true "
	    "publicKey=%s | KEXReport echo=true requestCSA=false "
	    "supportedKEXSchemes=1 supportedECDHProfiles=0 "
	    "requestedKeys=0,1,2 | NetworkKeyReport grantedKey=2 "
	    "networkKey=c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3 | TransferEnd "
	    "keyVerified=true keyRequestComplete=false | NetworkKeyReport "
	    "grantedKey=1 networkKey=b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2 | "
	    "TransferEnd keyVerified=true keyRequestComplete=false | "
	    "NetworkKeyReport grantedKey=0 networkKey=%s | TransferEnd "
	    "keyVerified=true keyRequestComplete=false", pub, key);
	snprintf(cmd, sizeof(cmd), "node tests/unit/zw_s2_ref.cjs parse %s",
	    sent);
	if (!CHECK((p = popen(cmd, "r")) != NULL, "zw_s2_ref.cjs runs"))
		return;
	if (fgets(got, sizeof(got), p) == NULL)
		got[0] = '\0';
	got[strcspn(got, "\n")] = '\0';
	if (strcmp(got, want) != 0)
		fprintf(stderr, "#   zwave-js %s\n#   meant    %s\n", got, want);
	CHECK(pclose(p) == 0 && strcmp(got, want) == 0, "zwave-js's "
	    "Security2CC reads each of the %d commands we sent as meant",
	    9);
}

int
main(void)
{
	test_full(ZW_S2_GRANT(ZW_S2_UNAUTH), "Unauthenticated");
	test_s0(0x81, "S0 and S2 Unauthenticated");
	test_s0(0x80, "S0 alone granted (the user's choice)");
	test_s0_refusals();
	test_full(ZW_S2_GRANT(ZW_S2_ACCESS), "Access Control");
	capture = 1;
	test_full(ZW_S2_GRANT(ZW_S2_UNAUTH) | ZW_S2_GRANT(ZW_S2_AUTH) |
	    ZW_S2_GRANT(ZW_S2_ACCESS), "all three classes");
	capture = 0;
	test_zwave_js();
	test_report_refusals();
	test_later_refusals();
	test_timeouts();
	test_words();
	return check_done();
}
