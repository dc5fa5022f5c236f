/*
 * S2 bootstrapping as the including controller sees it, a pure state
 * machine (time passed in, frames out through struct zw_s2_kex_out):
 *
 *   KEX Get -> KEX Report (schemes, curves, classes asked for)
 *   the user grants classes -> KEX Set -> the node's Public Key Report
 *   -> ours; for Authenticated or Access Control the user types the
 *   five digits the node blanked out of its key (the PIN on its label)
 *   -> ECDH, the temporary key -> the node's KEX Set echo (under it)
 *   -> our KEX Report echo -> per class: Network Key Get -> Network Key
 *   Report -> Network Key Verify (under that class) -> Transfer End
 *   -> the node's Transfer End: done.
 *
 * S0 asked for beside S2 classes (never alone) may be granted too: its
 * Network Key Get is answered with the S0 network key, and the node
 * verifies it under that key taken as an S2 key (class S0KEY).
 *
 * Each wait has the spec's timeout; every refusal is a KEX Fail with the
 * spec's reason, and the reason is kept for the user. Not wired into the
 * inclusion flow yet (docs/ZWAVE.md, "Security 2").
 */

#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "zwave/zw_s2.h"

#define S2_CLASSES	(ZW_S2_GRANT(ZW_S2_UNAUTH) | ZW_S2_GRANT(ZW_S2_AUTH) | \
			 ZW_S2_GRANT(ZW_S2_ACCESS))
#define PIN_CLASSES	(ZW_S2_GRANT(ZW_S2_AUTH) | ZW_S2_GRANT(ZW_S2_ACCESS))

static void
out_reset(struct zw_s2_kex_out *o)
{
	memset(o, 0, sizeof(*o));
}

static void
out_cmd(struct zw_s2_kex_out *o, int secure, uint8_t cmd,
    const uint8_t *pl, size_t n)
{
	o->cmd[0] = ZW_CC_SECURITY_2;
	o->cmd[1] = cmd;
	if (n > 0)
		memcpy(o->cmd + 2, pl, n);
	o->n = 2 + n;
	o->secure = secure;
}

static int
active(const struct zw_s2_kex *k)
{
	return k->state != ZW_S2_KEX_IDLE && k->state != ZW_S2_KEX_DONE &&
	    k->state != ZW_S2_KEX_FAILED;
}

/* The temporary key and our private key go once it is over. */
static void
finish(struct zw_s2_kex *k, enum zw_s2_kex_state st)
{
	OPENSSL_cleanse(&k->s2->keys[ZW_S2_TEMP], sizeof(struct zw_s2_keys));
	k->s2->have &= ~ZW_S2_GRANT(ZW_S2_TEMP);
	OPENSSL_cleanse(k->priv, sizeof(k->priv));
	k->state = st;
}

/* Fail with `why`; `send`: tell the node (KEX Fail), under the temporary
 * key once there is one it can read. Its S2 grants go. */
static void
fail(struct zw_s2_kex *k, enum zw_s2_kex_fail why, int send,
    struct zw_s2_kex_out *o)
{
	uint8_t	code = (uint8_t)why;
	int	secure;

	secure = k->state >= ZW_S2_KEX_WAIT_KEY_GET &&
	    why != ZW_S2_KEX_FAIL_DECRYPT;
	out_reset(o);
	if (send)
		out_cmd(o, secure, ZW_S2_KEX_FAIL, &code, 1);
	o->regrant = 1;
	o->grant = 0;
	k->fail = why;
	k->fail_ours = send;
	finish(k, ZW_S2_KEX_FAILED);
}

void
zw_s2_kex_start(struct zw_s2_kex *k, struct zw_s2 *s2,
    const uint8_t pnk[ZW_S2_NETKEYS][ZW_S2_KEY_LEN], uint8_t node,
    uint64_t now, struct zw_s2_kex_out *o)
{
	memset(k, 0, sizeof(*k));
	k->s2 = s2;
	k->pnk = pnk;
	k->node = node;
	k->state = ZW_S2_KEX_WAIT_REPORT;
	k->deadline = now + ZW_S2_KEX_TA1_MS;
	out_reset(o);
	out_cmd(o, 0, ZW_S2_KEX_GET, NULL, 0);
}

/* The node's first KEX Report: what it supports and asks for. */
static void
on_report(struct zw_s2_kex *k, const uint8_t *pl, uint64_t now,
    struct zw_s2_kex_out *o)
{
	if (pl[0] & ZW_S2_KEX_ECHO)
		fail(k, ZW_S2_KEX_FAIL_VERIFY, 1, o);
	else if (!(pl[1] & ZW_S2_KEX_SCHEME1))
		fail(k, ZW_S2_KEX_FAIL_SCHEME, 1, o);
	else if (!(pl[2] & ZW_S2_KEX_CURVE25519))
		fail(k, ZW_S2_KEX_FAIL_CURVES, 1, o);
	else if (pl[0] & ZW_S2_KEX_CSA)		/* client-side auth: not yet */
		fail(k, ZW_S2_KEX_FAIL_CANCEL, 1, o);
	else if (!(pl[3] & S2_CLASSES))		/* S0 alone: not through S2 */
		fail(k, ZW_S2_KEX_FAIL_KEY, 1, o);
	else {
		memcpy(k->report, pl, sizeof(k->report));
		k->state = ZW_S2_KEX_WAIT_GRANT;
		k->deadline = now + ZW_S2_KEX_TAI1_MS;
	}
}

/* ECDH with the node's (completed) key: the temporary key, which the
 * node is then granted alone in the transport. */
static int
temp_key(struct zw_s2_kex *k)
{
	struct zw_s2_keys	t;
	uint8_t			secret[ZW_S2_X25519_LEN], prk[ZW_S2_KEY_LEN];
	int			r = -1;

	if (zw_s2_x25519_shared(k->priv, k->node_pub, secret) == 0 &&
	    zw_s2_temp_extract(secret, k->pub, k->node_pub, prk) == 0 &&
	    zw_s2_temp_expand(prk, &t) == 0) {
		zw_s2_set_keys(k->s2, ZW_S2_TEMP, &t);
		r = zw_s2_grant(k->s2, k->node, ZW_S2_GRANT(ZW_S2_TEMP));
	}
	OPENSSL_cleanse(secret, sizeof(secret));
	OPENSSL_cleanse(prk, sizeof(prk));
	OPENSSL_cleanse(&t, sizeof(t));
	return r;
}

static void
on_pubkey(struct zw_s2_kex *k, const uint8_t *pl, uint64_t now,
    struct zw_s2_kex_out *o)
{
	uint8_t	msg[1 + ZW_S2_X25519_LEN];

	if (pl[0] & ZW_S2_PK_INCLUDING) {
		fail(k, ZW_S2_KEX_FAIL_AUTH, 1, o);
		return;
	}
	memcpy(k->node_pub, pl + 1, ZW_S2_X25519_LEN);
	if (k->s2->rand == NULL ||
	    k->s2->rand(k->priv, ZW_S2_X25519_LEN) == -1 ||
	    zw_s2_x25519_public(k->priv, k->pub) == -1) {
		fail(k, ZW_S2_KEX_FAIL_CANCEL, 1, o);
		return;
	}
	k->tai2_end = now + ZW_S2_KEX_TAI2_MS;
	k->deadline = k->tai2_end;
	if (k->granted & PIN_CLASSES)
		k->state = ZW_S2_KEX_WAIT_PIN;
	else if (temp_key(k) == -1) {
		fail(k, ZW_S2_KEX_FAIL_CANCEL, 1, o);
		return;
	} else
		k->state = ZW_S2_KEX_WAIT_ECHO;
	msg[0] = ZW_S2_PK_INCLUDING;
	memcpy(msg + 1, k->pub, ZW_S2_X25519_LEN);
	out_cmd(o, 0, ZW_S2_PUBKEY_REPORT, msg, sizeof(msg));
}

/* The node's KEX Set, echoed under the temporary key: what we set. */
static void
on_echo(struct zw_s2_kex *k, const uint8_t *pl, uint64_t now,
    struct zw_s2_kex_out *o)
{
	uint8_t	rep[4];

	if (pl[0] != ZW_S2_KEX_ECHO || pl[1] != ZW_S2_KEX_SCHEME1 ||
	    pl[2] != ZW_S2_KEX_CURVE25519 || pl[3] != k->granted) {
		fail(k, ZW_S2_KEX_FAIL_AUTH, 1, o);
		return;
	}
	memcpy(rep, k->report, sizeof(rep));
	rep[0] |= ZW_S2_KEX_ECHO;
	out_cmd(o, 1, ZW_S2_KEX_REPORT, rep, sizeof(rep));
	k->remaining = k->granted;
	k->state = ZW_S2_KEX_WAIT_KEY_GET;
	k->deadline = now + ZW_S2_KEX_TA3_MS;
}

/* The KEX keys bit of a class (S0KEY: S0's). */
static uint8_t
kex_bit(int c)
{
	return c == ZW_S2_S0KEY ? ZW_S2_KEY_S0 : (uint8_t)ZW_S2_GRANT(c);
}

static void
on_key_get(struct zw_s2_kex *k, uint8_t bit, uint64_t now,
    struct zw_s2_kex_out *o)
{
	uint8_t	rep[1 + ZW_S2_KEY_LEN];
	int	c;

	for (c = 0; c < ZW_S2_NETKEYS; c++)
		if (bit == ZW_S2_GRANT(c))
			break;
	if (bit == ZW_S2_KEY_S0 && k->s0key != NULL)
		c = ZW_S2_S0KEY;
	else if (c == ZW_S2_NETKEYS)
		c = -1;
	if (c == -1 || !(k->remaining & bit)) {
		fail(k, ZW_S2_KEX_FAIL_GET, 1, o);
		return;
	}
	rep[0] = bit;
	memcpy(rep + 1, c == ZW_S2_S0KEY ? k->s0key : k->pnk[c],
	    ZW_S2_KEY_LEN);
	out_cmd(o, 1, ZW_S2_NETKEY_REPORT, rep, sizeof(rep));
	OPENSSL_cleanse(rep, sizeof(rep));
	/* Sent under the temporary key; its Verify comes under the new. */
	o->regrant = 1;
	o->grant = ZW_S2_GRANT(c);
	k->current = (uint8_t)c;
	k->state = ZW_S2_KEX_WAIT_VERIFY;
	k->deadline = now + ZW_S2_KEX_TA4_MS;
}

static void
on_verify(struct zw_s2_kex *k, int cls, uint64_t now,
    struct zw_s2_kex_out *o)
{
	uint8_t	te = ZW_S2_TE_VERIFIED;

	if (cls != k->current || zw_s2_grant(k->s2, k->node,
	    ZW_S2_GRANT(ZW_S2_TEMP)) == -1) {
		fail(k, ZW_S2_KEX_FAIL_VERIFY, 1, o);
		return;
	}
	k->remaining &= (uint8_t)~kex_bit(cls);
	out_cmd(o, 1, ZW_S2_TRANSFER_END, &te, 1);
	k->state = k->remaining ? ZW_S2_KEX_WAIT_KEY_GET : ZW_S2_KEX_WAIT_END;
	k->deadline = now + (k->remaining ? ZW_S2_KEX_TA3_MS :
	    ZW_S2_KEX_TA5_MS);
}

static void
on_end(struct zw_s2_kex *k, int complete, struct zw_s2_kex_out *o)
{
	if (!complete) {
		fail(k, ZW_S2_KEX_FAIL_VERIFY, 1, o);
		return;
	}
	o->regrant = 1;		/* from now on, its granted S2 classes */
	o->grant = k->granted & S2_CLASSES;
	finish(k, ZW_S2_KEX_DONE);
}

/* Each state takes one command, under the class it must come under. */
static void
dispatch(struct zw_s2_kex *k, const uint8_t *c, size_t n, int cls,
    uint64_t now, struct zw_s2_kex_out *o)
{
	int temp = cls == ZW_S2_TEMP;

	if (k->state == ZW_S2_KEX_WAIT_REPORT && c[1] == ZW_S2_KEX_REPORT &&
	    n >= 6 && cls == -1)
		on_report(k, c + 2, now, o);
	else if (k->state == ZW_S2_KEX_WAIT_PUBKEY &&
	    c[1] == ZW_S2_PUBKEY_REPORT && n == 3 + ZW_S2_X25519_LEN &&
	    cls == -1)
		on_pubkey(k, c + 2, now, o);
	else if (k->state == ZW_S2_KEX_WAIT_ECHO && c[1] == ZW_S2_KEX_SET &&
	    n >= 6) {
		if (temp)
			on_echo(k, c + 2, now, o);
		else
			fail(k, ZW_S2_KEX_FAIL_AUTH, 1, o);
	} else if (k->state == ZW_S2_KEX_WAIT_KEY_GET &&
	    c[1] == ZW_S2_NETKEY_GET && n >= 3) {
		if (temp)
			on_key_get(k, c[2], now, o);
		else
			fail(k, ZW_S2_KEX_FAIL_AUTH, 1, o);
	} else if (k->state == ZW_S2_KEX_WAIT_VERIFY &&
	    c[1] == ZW_S2_NETKEY_VERIFY)
		on_verify(k, cls, now, o);
	else if (k->state == ZW_S2_KEX_WAIT_END &&
	    c[1] == ZW_S2_TRANSFER_END && n >= 3)
		on_end(k, temp && (c[2] & ZW_S2_TE_COMPLETE), o);
	/* Anything else is not this step's: ignored, the wait goes on. */
}

void
zw_s2_kex_input(struct zw_s2_kex *k, const uint8_t *cmd, size_t n, int cls,
    uint64_t now, struct zw_s2_kex_out *o)
{
	out_reset(o);
	if (!active(k) || n < 2 || cmd[0] != ZW_CC_SECURITY_2)
		return;
	if (cmd[1] == ZW_S2_KEX_FAIL) {		/* the node gives up */
		fail(k, n >= 3 ? (enum zw_s2_kex_fail)cmd[2] :
		    ZW_S2_KEX_FAIL_CANCEL, 0, o);
		return;
	}
	dispatch(k, cmd, n, cls, now, o);
}

void
zw_s2_kex_grant(struct zw_s2_kex *k, unsigned granted, uint64_t now,
    struct zw_s2_kex_out *o)
{
	uint8_t set[4];

	out_reset(o);
	if (k->state != ZW_S2_KEX_WAIT_GRANT)
		return;
	/* S0 too when asked (its report asks for an S2 class as well), and
	 * only with an S0 key to give; the user may grant it alone. */
	granted &= k->report[3] & (S2_CLASSES | (k->s0key != NULL ?
	    ZW_S2_KEY_S0 : 0));
	if (granted == 0) {
		fail(k, ZW_S2_KEX_FAIL_CANCEL, 1, o);
		return;
	}
	k->granted = (uint8_t)granted;
	set[0] = 0;
	set[1] = ZW_S2_KEX_SCHEME1;
	set[2] = ZW_S2_KEX_CURVE25519;
	set[3] = k->granted;
	out_cmd(o, 0, ZW_S2_KEX_SET, set, sizeof(set));
	k->state = ZW_S2_KEX_WAIT_PUBKEY;
	k->deadline = now + ZW_S2_KEX_TA2_MS;
}

void
zw_s2_kex_pin(struct zw_s2_kex *k, long pin, uint64_t now,
    struct zw_s2_kex_out *o)
{
	(void)now;
	out_reset(o);
	if (k->state != ZW_S2_KEX_WAIT_PIN)
		return;
	if (pin < 0 || pin > 65535) {
		fail(k, ZW_S2_KEX_FAIL_CANCEL, 1, o);
		return;
	}
	k->node_pub[0] = (uint8_t)(pin >> 8);
	k->node_pub[1] = (uint8_t)pin;
	if (temp_key(k) == -1) {
		fail(k, ZW_S2_KEX_FAIL_CANCEL, 1, o);
		return;
	}
	k->state = ZW_S2_KEX_WAIT_ECHO;	/* deadline: what is left of TAI2 */
}

/* Under bootstrapping the node's frames fail only with another
 * temporary key: in practice a wrong PIN. */
void
zw_s2_kex_undecryptable(struct zw_s2_kex *k, struct zw_s2_kex_out *o)
{
	out_reset(o);
	if (k->state >= ZW_S2_KEX_WAIT_ECHO && active(k))
		fail(k, ZW_S2_KEX_FAIL_DECRYPT, 1, o);
}

void
zw_s2_kex_cancel(struct zw_s2_kex *k, struct zw_s2_kex_out *o)
{
	out_reset(o);
	if (active(k))
		fail(k, ZW_S2_KEX_FAIL_CANCEL, 1, o);
}

void
zw_s2_kex_tick(struct zw_s2_kex *k, uint64_t now, struct zw_s2_kex_out *o)
{
	out_reset(o);
	if (!active(k) || now < k->deadline)
		return;
	/* The user's waits cancel towards the node; the node's just end. */
	if (k->state == ZW_S2_KEX_WAIT_GRANT || k->state == ZW_S2_KEX_WAIT_PIN)
		fail(k, ZW_S2_KEX_FAIL_CANCEL, 1, o);
	else
		fail(k, ZW_S2_KEX_TIMEOUT, 0, o);
}

void
zw_s2_dsk_str(const uint8_t dsk[16], char out[48])
{
	int i;

	for (i = 0; i < 8; i++)
		snprintf(out + 6 * i, 7, "%05u%s",
		    (unsigned)(dsk[2 * i] << 8 | dsk[2 * i + 1]),
		    i < 7 ? "-" : "");
}

const char *
zw_s2_kex_fail_str(enum zw_s2_kex_fail f)
{
	switch (f) {
	case ZW_S2_KEX_FAIL_NONE:	return "no failure";
	case ZW_S2_KEX_FAIL_KEY:	return "the device asked for no "
					    "security class we can grant";
	case ZW_S2_KEX_FAIL_SCHEME:	return "the device supports no key "
					    "exchange scheme we know";
	case ZW_S2_KEX_FAIL_CURVES:	return "the device supports no key "
					    "agreement curve we know";
	case ZW_S2_KEX_FAIL_DECRYPT:	return "the device's frames could "
					    "not be decrypted: wrong PIN?";
	case ZW_S2_KEX_FAIL_CANCEL:	return "secure inclusion cancelled";
	case ZW_S2_KEX_FAIL_AUTH:	return "the device echoed other "
					    "settings or used the wrong key";
	case ZW_S2_KEX_FAIL_GET:	return "the device asked for a key "
					    "it was not granted";
	case ZW_S2_KEX_FAIL_VERIFY:	return "the device did not confirm a "
					    "network key";
	case ZW_S2_KEX_FAIL_REPORT:	return "the device's key report "
					    "differed";
	case ZW_S2_KEX_TIMEOUT:		return "the device stopped answering "
					    "(timeout)";
	}
	return "unknown failure";
}
