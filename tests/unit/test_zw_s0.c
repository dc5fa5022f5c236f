/*
 * Unit tests for slave/zwave/zw_s0.c: S0 key derivation, encryption and MAC
 * against known answers, the nonce table (expiry, bounds, unique ids),
 * encapsulation round trips and every refusal (tampered, replayed,
 * unknown, expired or another node's nonce, wrong key, malformed frames),
 * and split (sequenced) commands: both halves made and put together, and
 * every rule of zw_s0_join (order, counter, timeout, length, two nodes).
 *
 * The known answers were computed outside this code, twice, and agree:
 * with the OpenSSL command line,
 *
 *	K=000102030405060708090a0b0c0d0e0f
 *	Kenc:  printf 'aa..aa' (16 bytes) | openssl enc -aes-128-ecb -K $K -nopad
 *	Kauth: the same with 0x55 bytes
 *	ct:    printf '\x00\x62\x01\xff' | openssl enc -aes-128-ofb -K $Kenc \
 *	           -iv a0a1a2a3a4a5a6a7b0b1b2b3b4b5b6b7
 *	MAC:   the IV, 81 01 06 04, ct, zero-padded to 32 bytes, through
 *	       openssl enc -aes-128-cbc -K $Kauth -iv 0 -nopad: the first 8
 *	       bytes of the last block
 *
 * and with zwave-js's own S0 code (@zwave-js/core generateEncryptionKey,
 * generateAuthKey, encryptAES128OFB, computeMAC) on the same inputs.
 */

#include <stdint.h>
#include <string.h>

#include "check.h"
#include "../../slave/zwave/zw_sec.h"

static const uint8_t K[16] = { 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06,
    0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f };
static const uint8_t KENC[16] = { 0xfb, 0xd4, 0x9b, 0x09, 0x1a, 0x38, 0xf8,
    0x7a, 0xd5, 0xc3, 0xee, 0x25, 0x80, 0xba, 0x41, 0x4c };
static const uint8_t KAUTH[16] = { 0xa5, 0x54, 0x8f, 0x94, 0x15, 0x01, 0x84,
    0x20, 0x2f, 0x82, 0x00, 0xaa, 0xa9, 0xd0, 0x2d, 0x56 };
/* The all-zero key of secure inclusion. */
static const uint8_t ZKENC[16] = { 0x85, 0x22, 0x71, 0x7d, 0x3a, 0xd1, 0xfb,
    0xfe, 0xaf, 0xa1, 0xce, 0xaa, 0xfd, 0xf5, 0x65, 0x65 };
static const uint8_t ZKAUTH[16] = { 0x9a, 0xda, 0xe0, 0x54, 0xf6, 0x3d, 0xfa,
    0xff, 0x5e, 0xa1, 0x8e, 0x45, 0xed, 0xf6, 0xea, 0x6f };
static const uint8_t SNONCE[8] = { 0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6,
    0xa7 };
static const uint8_t RNONCE[8] = { 0xb0, 0xb1, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6,
    0xb7 };
static const uint8_t LOCK[3] = { 0x62, 0x01, 0xff };	/* Door Lock SET */
/* Node 1 to node 6: Door Lock secured, encapsulated. */
static const uint8_t FRAME[23] = { 0x98, 0x81,
    0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7,	/* sender nonce */
    0xf5, 0xe8, 0x72, 0x53,				/* ciphertext */
    0xb0,						/* nonce id */
    0x3a, 0xac, 0x7a, 0xd6, 0x60, 0xb3, 0xec, 0xcf };	/* MAC */

/* A "random" source handing out the receiver nonce above, then counting. */
static uint8_t	next_first = 0xb0;
static int	rand_calls;

static int
rand_fixed(uint8_t *b, size_t n)
{
	size_t i;

	rand_calls++;
	for (i = 0; i < n; i++)
		b[i] = (uint8_t)(next_first + i);
	next_first++;
	return 0;
}

/* Always the same bytes: only the uniqueness rule can make ids differ. */
static int	stuck_left;
static int
rand_stuck(uint8_t *b, size_t n)
{
	memset(b, stuck_left-- > 0 ? 0x42 : 0x43, n);
	return 0;
}

static void
test_vectors(void)
{
	struct zw_s0	s;
	uint8_t		zero[16] = { 0 }, ct[4], mac[8], out[64];
	uint8_t		iv[16], auth[24];
	size_t		n = 0;

	CHECK(zw_s0_init(&s, K) == 0, "key derivation runs");
	CHECK(memcmp(s.kenc, KENC, 16) == 0, "Kenc = AES-ECB(K, 0xAA*16)");
	CHECK(memcmp(s.kauth, KAUTH, 16) == 0, "Kauth = AES-ECB(K, 0x55*16)");
	memcpy(iv, SNONCE, 8);
	memcpy(iv + 8, RNONCE, 8);
	CHECK(zw_s0_ofb(KENC, iv, (const uint8_t[]){ 0, 0x62, 0x01, 0xff }, 4,
	    ct) == 0 && memcmp(ct, FRAME + 10, 4) == 0,
	    "AES-128-OFB of sequence byte + command");
	memcpy(auth, iv, 16);
	memcpy(auth + 16, (const uint8_t[]){ 0x81, 0x01, 0x06, 0x04 }, 4);
	memcpy(auth + 20, FRAME + 10, 4);
	CHECK(zw_s0_mac(KAUTH, auth, 24, mac) == 0 &&
	    memcmp(mac, FRAME + 15, 8) == 0, "CBC-MAC of the zero-padded data");
	CHECK(zw_s0_encap(&s, 1, 6, SNONCE, RNONCE, ZW_S0_ENCAP, LOCK, 3, out,
	    sizeof(out), &n) == ZW_SEC_OK && n == sizeof(FRAME) &&
	    memcmp(out, FRAME, n) == 0, "the whole encapsulated frame");
	zw_s0_clear(&s);
	CHECK(zw_s0_init(&s, zero) == 0 && memcmp(s.kenc, ZKENC, 16) == 0 &&
	    memcmp(s.kauth, ZKAUTH, 16) == 0,
	    "the all-zero inclusion key's derived keys");
}

static void
test_decap(void)
{
	struct zw_s0	s;
	uint8_t		nonce[8], out[64], bad[sizeof(FRAME)];
	size_t		n = 0;

	zw_s0_init(&s, K);
	next_first = 0xb0;
	CHECK(zw_s0_nonce_new(&s, 1, 1000, nonce, rand_fixed) == 0 &&
	    memcmp(nonce, RNONCE, 8) == 0, "nonce handed to node 1");
	CHECK(zw_s0_decap(&s, 1, 6, FRAME, sizeof(FRAME), 1500, out,
	    sizeof(out), &n) == ZW_SEC_OK && n == 3 && memcmp(out, LOCK, 3) ==
	    0, "the known frame decapsulates to Door Lock SET");
	CHECK(zw_s0_nonce_count(&s, 1500) == 0, "the nonce is used up");
	CHECK(zw_s0_decap(&s, 1, 6, FRAME, sizeof(FRAME), 1600, out,
	    sizeof(out), &n) == ZW_SEC_NO_NONCE, "a replayed frame is refused");

	next_first = 0xb0;
	zw_s0_nonce_new(&s, 1, 2000, nonce, rand_fixed);
	memcpy(bad, FRAME, sizeof(bad));
	bad[sizeof(bad) - 1] ^= 0x01;
	CHECK(zw_s0_decap(&s, 1, 6, bad, sizeof(bad), 2100, out, sizeof(out),
	    &n) == ZW_SEC_BAD_MAC, "a tampered MAC is refused");
	CHECK(zw_s0_decap(&s, 1, 6, FRAME, sizeof(FRAME), 2100, out,
	    sizeof(out), &n) == ZW_SEC_NO_NONCE,
	    "a tampered frame used its nonce up: no second try");

	next_first = 0xb0;
	zw_s0_nonce_new(&s, 1, 3000, nonce, rand_fixed);
	memcpy(bad, FRAME, sizeof(bad));
	bad[11] ^= 0x80;
	CHECK(zw_s0_decap(&s, 1, 6, bad, sizeof(bad), 3100, out, sizeof(out),
	    &n) == ZW_SEC_BAD_MAC, "a flipped ciphertext bit is refused");

	next_first = 0xb0;
	zw_s0_nonce_new(&s, 1, 4000, nonce, rand_fixed);
	memcpy(bad, FRAME, sizeof(bad));
	bad[2] ^= 0x01;
	CHECK(zw_s0_decap(&s, 1, 6, bad, sizeof(bad), 4100, out, sizeof(out),
	    &n) == ZW_SEC_BAD_MAC, "a changed sender nonce is refused");

	next_first = 0xb0;
	zw_s0_nonce_new(&s, 1, 5000, nonce, rand_fixed);
	CHECK(zw_s0_decap(&s, 1, 7, FRAME, sizeof(FRAME), 5100, out,
	    sizeof(out), &n) == ZW_SEC_BAD_MAC,
	    "a frame meant for another node is refused (MAC covers dst)");

	next_first = 0xb0;
	zw_s0_nonce_new(&s, 2, 6000, nonce, rand_fixed);
	CHECK(zw_s0_decap(&s, 1, 6, FRAME, sizeof(FRAME), 6100, out,
	    sizeof(out), &n) == ZW_SEC_NO_NONCE,
	    "a nonce handed to node 2 is refused from node 1");

	next_first = 0xc0;
	zw_s0_nonce_new(&s, 1, 7000, nonce, rand_fixed);
	CHECK(zw_s0_decap(&s, 1, 6, FRAME, sizeof(FRAME), 7100, out,
	    sizeof(out), &n) == ZW_SEC_NO_NONCE, "an unknown nonce id is refused");
	zw_s0_clear(&s);
	CHECK(zw_s0_decap(&s, 1, 6, FRAME, sizeof(FRAME), 7100, out,
	    sizeof(out), &n) == ZW_SEC_NO_KEY, "no key: nothing decapsulated");
}

static void
test_expiry_bounds(void)
{
	struct zw_s0	s;
	uint8_t		nonce[8], ids[ZW_S0_NONCES + 8], out[64];
	size_t		n = 0, i, j;
	int		unique = 1;

	zw_s0_init(&s, K);
	next_first = 0xb0;
	zw_s0_nonce_new(&s, 1, 10000, nonce, rand_fixed);
	CHECK(zw_s0_nonce_count(&s, 10000 + ZW_S0_NONCE_TTL_MS - 1) == 1,
	    "a nonce lives just under its TTL");
	CHECK(zw_s0_decap(&s, 1, 6, FRAME, sizeof(FRAME), 10000 +
	    ZW_S0_NONCE_TTL_MS, out, sizeof(out), &n) == ZW_SEC_NO_NONCE,
	    "an expired nonce is refused");
	CHECK(zw_s0_nonce_count(&s, 10000 + ZW_S0_NONCE_TTL_MS) == 0,
	    "and gone from the table");

	next_first = 0x10;
	for (i = 0; i < ZW_S0_NONCES + 8; i++) {
		zw_s0_nonce_new(&s, 3, 20000 + i, nonce, rand_fixed);
		ids[i] = nonce[0];
	}
	CHECK(zw_s0_nonce_count(&s, 20000 + i) == ZW_S0_NONCES,
	    "the table holds at most ZW_S0_NONCES (%d)", ZW_S0_NONCES);
	for (i = 0; i < ZW_S0_NONCES; i++)
		for (j = i + 1; j < ZW_S0_NONCES; j++)
			if (s.nonces[i].n[0] == s.nonces[j].n[0])
				unique = 0;
	CHECK(unique, "live nonce ids are unique");
	for (i = 0, j = 0; i < ZW_S0_NONCES; i++)
		j += s.nonces[i].n[0] == ids[0] || s.nonces[i].n[0] == ids[7];
	CHECK(j == 0, "the oldest nonces were evicted first");
	for (i = 0, j = 0; i < ZW_S0_NONCES; i++)
		j += s.nonces[i].n[0] == ids[ZW_S0_NONCES + 7];
	CHECK(j == 1, "the newest nonce is in the table");

	zw_s0_init(&s, K);
	stuck_left = 1;
	zw_s0_nonce_new(&s, 1, 0, nonce, rand_stuck);
	stuck_left = 3;
	rand_calls = 0;
	zw_s0_nonce_new(&s, 1, 0, nonce, rand_stuck);
	CHECK(nonce[0] == 0x43 && zw_s0_nonce_count(&s, 0) == 2,
	    "a colliding nonce id is drawn again");
	stuck_left = 1000;
	CHECK(zw_s0_nonce_new(&s, 1, 0, nonce, rand_stuck) == -1,
	    "a random source that keeps colliding fails, not loops");
	CHECK(zw_s0_nonce_new(&s, 0, 0, nonce, NULL) == -1,
	    "no nonce for node 0");
}

static void
test_roundtrip(void)
{
	struct zw_s0	us, node, other;
	uint8_t		nrep[16], frame[128], out[80], cmd[ZW_S0_MAX_CMD + 1];
	uint8_t		k2[16], seq = 0;
	size_t		n = 0, fn = 0, i;
	int		ok = 1;

	zw_s0_init(&us, K);
	zw_s0_init(&node, K);
	memset(k2, 0x77, sizeof(k2));
	zw_s0_init(&other, k2);
	for (i = 0; i < sizeof(cmd); i++)
		cmd[i] = (uint8_t)(i * 7 + 3);
	/* Node 6 hands us a nonce; we send it commands of every length. */
	for (i = 1; i <= ZW_S0_MAX_CMD && ok; i++) {
		n = zw_sec_s0.nonce(&node, 1, 100, nrep, sizeof(nrep));
		ok = n == 10 && nrep[0] == 0x98 && nrep[1] == 0x80 &&
		    zw_sec_s0.encap(&us, 1, 6, nrep + 2, 0, 0, cmd, i, frame,
		    sizeof(frame), &fn) == ZW_SEC_OK &&
		    fn == i + ZW_S0_OVERHEAD &&
		    zw_sec_s0.decap(&node, 1, 6, frame, fn, 200, out,
		    sizeof(out), &n, &seq) == ZW_SEC_OK && n == i && seq == 0 &&
		    memcmp(out, cmd, i) == 0;
	}
	CHECK(ok, "round trips of 1..%d byte commands through the ops",
	    ZW_S0_MAX_CMD);
	CHECK(zw_sec_s0.encap(&us, 1, 6, nrep + 2, 0, 0, cmd,
	    ZW_S0_MAX_CMD + 1, frame, sizeof(frame), &fn) == ZW_SEC_MALFORMED,
	    "a command over ZW_S0_MAX_CMD is not encapsulated");
	CHECK(zw_sec_s0.encap(&us, 1, 6, nrep + 2, 0, 0, cmd, 0, frame,
	    sizeof(frame), &fn) == ZW_SEC_MALFORMED, "nor an empty one");
	CHECK(zw_s0_encap(&us, 1, 6, SNONCE, RNONCE, ZW_S0_ENCAP, cmd, 10,
	    frame, 10 + ZW_S0_OVERHEAD - 1, &fn) == ZW_SEC_MALFORMED,
	    "nor into a buffer one byte short");

	n = zw_sec_s0.nonce(&node, 1, 300, nrep, sizeof(nrep));
	zw_sec_s0.encap(&other, 1, 6, nrep + 2, 0, 0, LOCK, 3, frame,
	    sizeof(frame), &fn);
	CHECK(zw_sec_s0.decap(&node, 1, 6, frame, fn, 400, out, sizeof(out),
	    &n, &seq) == ZW_SEC_BAD_MAC, "a frame under another key is refused");

	/* A split command: sequence byte 0x10, made by hand. */
	n = zw_sec_s0.nonce(&node, 1, 500, nrep, sizeof(nrep));
	{
		uint8_t iv[16], plain[4] = { ZW_S0_SEQ_SEQUENCED | 1, 0x62,
		    0x01, 0xff }, auth[24];

		memcpy(iv, SNONCE, 8);
		memcpy(iv + 8, nrep + 2, 8);
		memcpy(frame, FRAME, sizeof(FRAME));
		zw_s0_ofb(us.kenc, iv, plain, 4, frame + 10);
		frame[14] = nrep[2];
		memcpy(auth, iv, 16);
		memcpy(auth + 16, (const uint8_t[]){ 0x81, 1, 6, 4 }, 4);
		memcpy(auth + 20, frame + 10, 4);
		zw_s0_mac(us.kauth, auth, 24, frame + 15);
	}
	memcpy(frame + 64, frame, sizeof(FRAME));
	CHECK(zw_s0_decap(&node, 1, 6, frame, sizeof(FRAME), 600, out,
	    sizeof(out), &n) == ZW_SEC_SEQUENCED,
	    "zw_s0_decap (whole commands only) refuses a split half");
	n = zw_sec_s0.nonce(&node, 1, 600, nrep, sizeof(nrep));
	memcpy(frame, frame + 64, sizeof(FRAME));
	{
		uint8_t iv[16], plain[4] = { ZW_S0_SEQ_SEQUENCED | 1, 0x62,
		    0x01, 0xff }, auth[24];

		memcpy(iv, SNONCE, 8);
		memcpy(iv + 8, nrep + 2, 8);
		zw_s0_ofb(us.kenc, iv, plain, 4, frame + 10);
		frame[14] = nrep[2];
		memcpy(auth, iv, 16);
		memcpy(auth + 16, (const uint8_t[]){ 0x81, 1, 6, 4 }, 4);
		memcpy(auth + 20, frame + 10, 4);
		zw_s0_mac(us.kauth, auth, 24, frame + 15);
	}
	CHECK(zw_s0_decap_seq(&node, 1, 6, frame, sizeof(FRAME), 650, out,
	    sizeof(out), &n, &seq) == ZW_SEC_OK && seq == 0x11 && n == 3 &&
	    memcmp(out, LOCK, 3) == 0, "zw_s0_decap_seq takes a hand-made "
	    "split half: its sequence byte 0x11 and its 3 bytes");

	n = zw_sec_s0.nonce(&node, 1, 700, nrep, sizeof(nrep));
	zw_s0_encap(&us, 1, 6, SNONCE, nrep + 2, ZW_S0_ENCAP_NONCE_GET, LOCK,
	    3, frame, sizeof(frame), &fn);
	CHECK(frame[1] == 0xc1 && zw_s0_decap(&node, 1, 6, frame, fn, 800,
	    out, sizeof(out), &n) == ZW_SEC_OK && n == 3,
	    "Message Encapsulation Nonce Get (0xC1) decapsulates too");
	zw_s0_clear(&us);
	zw_s0_clear(&node);
	zw_s0_clear(&other);
}

/* One half from `src` under the node's fresh nonce; its frame in f. */
static size_t
half(struct zw_s0 *us, struct zw_s0 *node, uint8_t seq, int more,
    const uint8_t *cmd, size_t n, uint64_t now, uint8_t *f, size_t flen)
{
	uint8_t	nrep[16];
	size_t	fn = 0;

	if (zw_sec_s0.nonce(node, 1, now, nrep, sizeof(nrep)) != 10 ||
	    zw_sec_s0.encap(us, 1, 6, nrep + 2, seq, more, cmd, n, f, flen,
	    &fn) != ZW_SEC_OK)
		return 0;
	return fn;
}

static void
test_split(void)
{
	struct zw_s0		us, node;
	struct zw_s0_split	sp, sp2;
	uint8_t			cmd[ZW_S0_MAX_CMD + 8], f[128], f2[128];
	uint8_t			part[ZW_S0_MAX_CMD], out[ZW_S0_MAX_CMD], seq;
	size_t			i, fn, f2n, pn = 0, n = 0;
	const uint64_t		W = ZW_S0_SPLIT_WAIT_MS;

	zw_s0_init(&us, K);
	zw_s0_init(&node, K);
	memset(&sp, 0, sizeof(sp));
	memset(&sp2, 0, sizeof(sp2));
	for (i = 0; i < sizeof(cmd); i++)
		cmd[i] = (uint8_t)(0x40 + i);

	/* A 40-byte command in two frames, each under its own nonce. */
	fn = half(&us, &node, 0x13, 1, cmd, 28, 1000, f, sizeof(f));
	CHECK(fn == 28 + ZW_S0_OVERHEAD && f[1] == 0xc1,
	    "first half: 28 bytes, Message Encapsulation Nonce Get");
	CHECK(zw_s0_decap_seq(&node, 1, 6, f, fn, 1001, part, sizeof(part),
	    &pn, &seq) == ZW_SEC_OK && seq == 0x13 && pn == 28,
	    "it decapsulates with its sequence byte");
	CHECK(zw_s0_join(&sp, seq, part, pn, 1001, out, sizeof(out), &n) ==
	    ZW_SEC_PARTIAL && sp.n == 28, "the first half is kept");
	CHECK(zw_s0_decap_seq(&node, 1, 6, f, fn, 1002, part, sizeof(part),
	    &pn, &seq) == ZW_SEC_NO_NONCE,
	    "the same first half again: refused (its nonce is used up)");
	f2n = half(&us, &node, 0x33, 0, cmd + 28, 12, 1100, f2, sizeof(f2));
	CHECK(zw_s0_decap_seq(&node, 1, 6, f2, f2n, 1101, part, sizeof(part),
	    &pn, &seq) == ZW_SEC_OK && seq == 0x33 && zw_s0_join(&sp, seq,
	    part, pn, 1101, out, sizeof(out), &n) == ZW_SEC_OK && n == 40 &&
	    memcmp(out, cmd, 40) == 0 && sp.n == 0,
	    "the second half (0x33) joins it: the 40 bytes, nothing pending");
	CHECK(zw_s0_join(&sp, 0x33, cmd, 12, 1102, out, sizeof(out), &n) ==
	    ZW_SEC_SEQUENCED, "the second half again: refused");

	CHECK(zw_s0_join(&sp, 0x34, cmd, 12, 2000, out, sizeof(out), &n) ==
	    ZW_SEC_SEQUENCED, "a second half with no first: refused");
	zw_s0_join(&sp, 0x15, cmd, 20, 2000, out, sizeof(out), &n);
	CHECK(zw_s0_join(&sp, 0x36, cmd, 5, 2001, out, sizeof(out), &n) ==
	    ZW_SEC_SEQUENCED && sp.n == 0,
	    "a second half of another sequence: refused, the first dropped");
	CHECK(zw_s0_join(&sp, 0x35, cmd, 5, 2002, out, sizeof(out), &n) ==
	    ZW_SEC_SEQUENCED, "... so its own second half finds none");

	zw_s0_join(&sp, 0x17, cmd, 20, 3000, out, sizeof(out), &n);
	CHECK(zw_s0_join(&sp, 0x18, cmd + 20, 10, 3001, out, sizeof(out),
	    &n) == ZW_SEC_PARTIAL && sp.counter == 8 && sp.n == 10,
	    "a new first half replaces a pending one");
	CHECK(zw_s0_join(&sp, 0x00, LOCK, 3, 3002, out, sizeof(out), &n) ==
	    ZW_SEC_OK && n == 3 && sp.n == 10,
	    "a whole command between the halves passes, the half stays");
	CHECK(zw_s0_join(&sp, 0x38, cmd, 4, 3003, out, sizeof(out), &n) ==
	    ZW_SEC_OK && n == 14 && memcmp(out, cmd + 20, 10) == 0,
	    "the new one's second half joins");

	zw_s0_join(&sp, 0x11, cmd, 20, 4000, out, sizeof(out), &n);
	CHECK(zw_s0_join(&sp, 0x31, cmd, 4, 4000 + W, out, sizeof(out), &n)
	    == ZW_SEC_OK, "a second half at ZW_S0_SPLIT_WAIT_MS: joined");
	zw_s0_join(&sp, 0x11, cmd, 20, 5000, out, sizeof(out), &n);
	CHECK(zw_s0_join(&sp, 0x31, cmd, 4, 5000 + W + 1, out, sizeof(out),
	    &n) == ZW_SEC_SEQUENCED && sp.n == 0,
	    "1 ms later: too late, refused, nothing pending");

	zw_s0_join(&sp, 0x12, cmd, 40, 6000, out, sizeof(out), &n);
	CHECK(zw_s0_join(&sp, 0x32, cmd, ZW_S0_MAX_CMD - 39, 6001, out,
	    sizeof(out), &n) == ZW_SEC_MALFORMED && sp.n == 0,
	    "halves longer than ZW_S0_MAX_CMD together: refused");
	zw_s0_join(&sp, 0x12, cmd, 40, 6100, out, sizeof(out), &n);
	CHECK(zw_s0_join(&sp, 0x32, cmd, ZW_S0_MAX_CMD - 40, 6101, out,
	    sizeof(out), &n) == ZW_SEC_OK && n == ZW_S0_MAX_CMD,
	    "exactly ZW_S0_MAX_CMD: joined");
	zw_s0_join(&sp, 0x12, cmd, 10, 6200, out, sizeof(out), &n);
	CHECK(zw_s0_join(&sp, 0x32, cmd, 10, 6201, out, 19, &n) ==
	    ZW_SEC_MALFORMED, "an output buffer too small: refused");

	/* Two nodes' splits at once: each its own state. */
	zw_s0_join(&sp, 0x19, cmd, 10, 7000, out, sizeof(out), &n);
	zw_s0_join(&sp2, 0x19, cmd + 30, 10, 7001, out, sizeof(out), &n);
	CHECK(zw_s0_join(&sp, 0x39, cmd + 10, 5, 7002, out, sizeof(out), &n)
	    == ZW_SEC_OK && n == 15 && memcmp(out, cmd, 15) == 0 &&
	    zw_s0_join(&sp2, 0x39, cmd + 40, 5, 7003, out, sizeof(out), &n)
	    == ZW_SEC_OK && n == 15 && memcmp(out, cmd + 30, 15) == 0,
	    "another node's halves in between change nothing");
	CHECK(zw_s0_decap(&node, 1, 6, f, fn, 8000, out, sizeof(out), &n) ==
	    ZW_SEC_NO_NONCE, "results stay as before for whole frames");
	zw_s0_clear(&us);
	zw_s0_clear(&node);
}

static void
test_malformed(void)
{
	struct zw_s0	s;
	uint8_t		nonce[8], out[64], f[128];
	size_t		n = 0, len;
	int		ok = 1;

	zw_s0_init(&s, K);
	for (len = 0; len < ZW_S0_ENCAP_MIN; len++) {
		next_first = 0xb0;
		zw_s0_nonce_new(&s, 1, 0, nonce, rand_fixed);
		if (zw_s0_decap(&s, 1, 6, FRAME, len, 0, out, sizeof(out), &n)
		    != ZW_SEC_MALFORMED)
			ok = 0;
	}
	CHECK(ok, "frames shorter than %d bytes are malformed",
	    ZW_S0_ENCAP_MIN);
	memcpy(f, FRAME, sizeof(FRAME));
	f[0] = 0x99;
	CHECK(zw_s0_decap(&s, 1, 6, f, sizeof(FRAME), 0, out, sizeof(out),
	    &n) == ZW_SEC_MALFORMED, "another class is malformed");
	f[0] = 0x98;
	f[1] = ZW_S0_NONCE_REPORT;
	CHECK(zw_s0_decap(&s, 1, 6, f, sizeof(FRAME), 0, out, sizeof(out),
	    &n) == ZW_SEC_MALFORMED, "a nonce report is no encapsulation");
	memset(f, 0, sizeof(f));
	f[0] = 0x98;
	f[1] = 0x81;
	CHECK(zw_s0_decap(&s, 1, 6, f, ZW_S0_OVERHEAD + ZW_S0_MAX_CMD + 1, 0,
	    out, sizeof(out), &n) == ZW_SEC_MALFORMED,
	    "a command over ZW_S0_MAX_CMD is malformed");
	CHECK(zw_s0_decap(&s, 1, 6, FRAME, sizeof(FRAME), 0, out, 2, &n) ==
	    ZW_SEC_MALFORMED, "an output buffer too small is refused");
	CHECK(strcmp(zw_sec_result_str(ZW_SEC_BAD_MAC), "bad MAC") == 0,
	    "results have names");
	zw_s0_clear(&s);
}

int
main(void)
{
	test_vectors();
	test_decap();
	test_expiry_bounds();
	test_roundtrip();
	test_split();
	test_malformed();
	return check_done();
}
