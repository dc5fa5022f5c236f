/*
 * hd-zwsim's S0 door lock (node 6). Like a real secure lock it:
 *
 *	- lists only Security, Manufacturer Specific and Version in its
 *	  node information; Door Lock is in its Security Commands Supported
 *	  Report, and a Door Lock command in clear is ignored (logged);
 *	- joins through secure inclusion: Scheme Get/Report, then Network
 *	  Key Set under the all-zero key (taken only after a Scheme Get and
 *	  while it has no key), Network Key Verify under the new key; as a
 *	  real lock, only right after it joined (join 6 ...): outside its
 *	  inclusion, Scheme Get and Network Key Set are ignored (logged);
 *	- hands out a nonce on Nonce Get and takes each once; a frame with a
 *	  bad MAC, an unknown or a used nonce is dropped (logged);
 *	- to send a secure frame, asks the controller for a nonce and drops
 *	  the frame if the Nonce Report takes longer than 1 s (logged with
 *	  the time it took, which tests read).
 *
 * Control lines (stdin):
 *	lock 6 0|1	someone turns the lock by hand: a secure report
 *	clearlock 6 0|1	it sends a Door Lock report in clear (must be refused)
 *	badmac 6	its next secure frame has a broken MAC
 *	replay 6	it sends its last secure frame again
 *	nononce 6 0|1	it (1) ignores the controller's Nonce Gets
 *	flood 6 N	it sends N Nonce Gets in a row, waiting for none
 *	early 6 0|1	its answers (1) reach the host before the stick's
 *			callback for the frame that asked
 *	key 6 HEX	it was included by another controller with this
 *			network key (32 hex digits): it has it already
 *	holdscheme 6 1|0	it (1) holds its Scheme Report (a slow lock, a
 *			long route) until 0 sends it: the key exchange
 *			stands still between two steps for as long as a
 *			test needs
 *	split 6 N	it splits what it sends longer than N bytes in
 *			two S0 frames (sequenced: the first asks for the
 *			next nonce, 0xC1); 0: never (the default)
 *	longclasses 6 1|0	its Security Commands Supported Report lists
 *			30 classes (34 bytes: split with "split 6 28")
 * It puts split commands from the controller together (zw_s0_join) and
 * answers a Message Encapsulation Nonce Get (0xC1) with a nonce.
 *
 * The S0 crypto is slave/zwave/zw_s0.c's (its known-answer tests and the
 * zwave-js interoperability test keep it honest).
 */

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/rand.h>

#include "../../slave/zwave/zw_sec.h"
#include "zwsim.h"

#define NONCE_WAIT_MS	1000	/* a node waits this long for a nonce */
#define PENDING_MAX	4

static struct {
	struct zw_s0	s0, zero;	/* the network key / the inclusion key */
	int		have_key, scheme_asked;
	int		including;	/* joined, no key yet */
	uint8_t		mode;		/* 0x00 unsecured, 0xff secured */
	uint8_t		pending[PENDING_MAX][ZW_S0_MAX_CMD];
	size_t		npending[PENDING_MAX], head, count;
	int		asked;		/* Nonce Get out for the head */
	struct timespec	asked_at;
	int		badmac, nononce, early;
	int		holdscheme, scheme_held;
	uint8_t		last[ZW_S0_MAX_CMD + ZW_S0_OVERHEAD];
	size_t		nlast;
	size_t		split_at, half;	/* split; first half sent (bytes) */
	uint8_t		ctr;
	int		longclasses;
	struct zw_s0_split rx_split;
} lk;

static uint64_t
ms_since(const struct timespec *t)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (uint64_t)((now.tv_sec - t->tv_sec) * 1000 +
	    (now.tv_nsec - t->tv_nsec) / 1000000);
}

static uint64_t
now_ms(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (uint64_t)now.tv_sec * 1000 + (uint64_t)now.tv_nsec / 1000000;
}

static struct zw_s0 *
active(void)
{
	if (!lk.zero.have_key) {
		static const uint8_t zero[ZW_S0_KEY_LEN];

		zw_s0_init(&lk.zero, zero);
	}
	return lk.have_key ? &lk.s0 : &lk.zero;
}

/* A Nonce Get the controller never answered: the frame is given up
 * after the 1 s a node waits (the controller may have restarted). */
static void
give_up(void)
{
	if (!lk.asked || ms_since(&lk.asked_at) <= NONCE_WAIT_MS)
		return;
	fprintf(stderr, "zwsim: node %d: no nonce in %d ms: frame dropped\n",
	    ZWSIM_LOCK_ID, NONCE_WAIT_MS);
	lk.asked = 0;
	lk.half = 0;
	lk.head = (lk.head + 1) % PENDING_MAX;
	lk.count--;
}

static void
ask_nonce(void)
{
	static const uint8_t get[] = { ZW_CC_SECURITY, ZW_S0_NONCE_GET };

	give_up();
	if (lk.count == 0 || lk.asked)
		return;
	lk.asked = 1;
	clock_gettime(CLOCK_MONOTONIC, &lk.asked_at);
	zwsim_send(ZWSIM_LOCK_ID, get, sizeof(get));
}

/* Send `cmd` securely once the controller hands out a nonce. */
static void
send_secure(const uint8_t *cmd, size_t n)
{
	size_t i;

	give_up();
	if (lk.count == PENDING_MAX || n > ZW_S0_MAX_CMD)
		return;
	i = (lk.head + lk.count) % PENDING_MAX;
	memcpy(lk.pending[i], cmd, n);
	lk.npending[i] = n;
	lk.count++;
	ask_nonce();
}

/* The head is longer than split_at: its first half goes, asking the
 * controller for the nonce of the second (0xC1). 1 if it went. */
static int
split_half(const uint8_t *nonce)
{
	uint8_t	iv8[ZW_S0_HALF_NONCE];

	if (lk.split_at == 0 || lk.half > 0 ||
	    lk.npending[lk.head] <= lk.split_at ||
	    RAND_bytes(iv8, sizeof(iv8)) != 1)
		return 0;
	lk.ctr = (uint8_t)((lk.ctr + 1) & ZW_S0_SEQ_COUNTER);
	if (zw_s0_encap_seq(active(), ZWSIM_LOCK_ID, ZWSIM_OWN_ID, iv8, nonce,
	    ZW_S0_ENCAP_NONCE_GET, (uint8_t)(ZW_S0_SEQ_SEQUENCED | lk.ctr),
	    lk.pending[lk.head], lk.split_at, lk.last, sizeof(lk.last),
	    &lk.nlast) != ZW_SEC_OK)
		return 0;
	lk.half = lk.split_at;
	lk.asked = 1;		/* the controller's nonce for the second */
	clock_gettime(CLOCK_MONOTONIC, &lk.asked_at);
	fprintf(stderr, "zwsim: node %d: split command: first half, %zu of "
	    "%zu bytes\n", ZWSIM_LOCK_ID, lk.half, lk.npending[lk.head]);
	zwsim_send(ZWSIM_LOCK_ID, lk.last, lk.nlast);
	return 1;
}

static void
got_nonce(const uint8_t *nonce)
{
	uint8_t		iv8[ZW_S0_HALF_NONCE];
	uint64_t	took = ms_since(&lk.asked_at);

	if (!lk.asked)
		return;
	lk.asked = 0;
	if (took > NONCE_WAIT_MS) {
		fprintf(stderr, "zwsim: node %d: nonce after %llu ms: too late, "
		    "frame dropped\n", ZWSIM_LOCK_ID, (unsigned long long)took);
	} else {
		fprintf(stderr, "zwsim: node %d: nonce in %llu ms\n",
		    ZWSIM_LOCK_ID, (unsigned long long)took);
		if (split_half(nonce))
			return;
		if (RAND_bytes(iv8, sizeof(iv8)) == 1 && zw_s0_encap_seq(
		    active(), ZWSIM_LOCK_ID, ZWSIM_OWN_ID, iv8, nonce,
		    ZW_S0_ENCAP, lk.half > 0 ? (uint8_t)(ZW_S0_SEQ_SEQUENCED |
		    ZW_S0_SEQ_SECOND | lk.ctr) : 0, lk.pending[lk.head] +
		    lk.half, lk.npending[lk.head] - lk.half, lk.last,
		    sizeof(lk.last), &lk.nlast) == ZW_SEC_OK) {
			if (lk.badmac) {
				lk.badmac = 0;
				lk.last[lk.nlast - 1] ^= 0x01;
			}
			zwsim_send(ZWSIM_LOCK_ID, lk.last, lk.nlast);
		}
	}
	lk.half = 0;
	lk.head = (lk.head + 1) % PENDING_MAX;
	lk.count--;
	ask_nonce();
}

static void
report(void)
{
	/* mode, handles, door condition (closed; bolt locked or not),
	 * timeout minutes and seconds */
	uint8_t r[7] = { 0x62, 0x03, lk.mode, 0x00,
	    (uint8_t)(lk.mode == 0xff ? 0x01 : 0x03), 0x00, 0x00 };

	send_secure(r, sizeof(r));
}

static void
key_set(const uint8_t *key, size_t n)
{
	static const uint8_t verify[] = { ZW_CC_SECURITY, ZW_S0_KEY_VERIFY };

	if (n != ZW_S0_KEY_LEN || lk.have_key || !lk.scheme_asked ||
	    !lk.including) {
		fprintf(stderr, "zwsim: node %d: network key set refused\n",
		    ZWSIM_LOCK_ID);
		return;
	}
	zw_s0_init(&lk.s0, key);
	lk.have_key = 1;
	lk.including = 0;
	fprintf(stderr, "zwsim: node %d: network key received\n",
	    ZWSIM_LOCK_ID);
	send_secure(verify, sizeof(verify));
}

/* Door Lock and 29 more classes: a report too long for one frame. */
static void
long_classes(void)
{
	uint8_t	r[34] = { ZW_CC_SECURITY, ZW_S0_CMDS_REPORT, 0x00, 0x62 };
	size_t	i;

	for (i = 1; i < 30; i++)
		r[3 + i] = (uint8_t)(0x20 + i);
	r[33] = ZW_CC_MARK;
	send_secure(r, sizeof(r));
}

/* A decapsulated command. */
static void
secure_command(const uint8_t *c, size_t n)
{
	static const uint8_t classes[] = { ZW_CC_SECURITY, ZW_S0_CMDS_REPORT,
	    0x00, 0x62, ZW_CC_MARK };

	if (n >= 2 && c[0] == ZW_CC_SECURITY && c[1] == ZW_S0_KEY_SET)
		key_set(c + 2, n - 2);
	else if (!lk.have_key)
		fprintf(stderr, "zwsim: node %d: no key yet\n", ZWSIM_LOCK_ID);
	else if (n >= 2 && c[0] == ZW_CC_SECURITY && c[1] == ZW_S0_CMDS_GET &&
	    lk.longclasses)
		long_classes();
	else if (n >= 2 && c[0] == ZW_CC_SECURITY && c[1] == ZW_S0_CMDS_GET)
		send_secure(classes, sizeof(classes));
	else if (n >= 3 && c[0] == 0x62 && c[1] == 0x01) {
		lk.mode = c[2] == 0xff ? 0xff : 0x00;
		fprintf(stderr, "zwsim: node %d: door lock %s\n",
		    ZWSIM_LOCK_ID, lk.mode ? "secured" : "unsecured");
		report();
	} else if (n >= 2 && c[0] == 0x62 && c[1] == 0x02)
		report();
}

static void
scheme_report(void)
{
	zwsim_send(ZWSIM_LOCK_ID, (const uint8_t[]){ ZW_CC_SECURITY,
	    ZW_S0_SCHEME_REPORT, 0x00 }, 3);
}

/* holdscheme 6 1|0: hold the Scheme Report; 0 sends one held. */
static void
hold_scheme(int v)
{
	lk.holdscheme = v != 0;
	if (lk.holdscheme || !lk.scheme_held)
		return;
	lk.scheme_held = 0;
	fprintf(stderr, "zwsim: node %d: scheme report released\n",
	    ZWSIM_LOCK_ID);
	scheme_report();
}

static void
security(const uint8_t *c, size_t n)
{
	uint8_t			rep[2 + ZW_S0_HALF_NONCE], out[ZW_S0_MAX_CMD];
	uint8_t			part[ZW_S0_MAX_CMD], seq = 0;
	size_t			on = 0, pn = 0;
	enum zw_sec_result	r;

	switch (c[1]) {
	case ZW_S0_SCHEME_GET:
		if (!lk.including) {
			fprintf(stderr, "zwsim: node %d: scheme get outside "
			    "its inclusion: ignored\n", ZWSIM_LOCK_ID);
			break;
		}
		lk.scheme_asked = 1;
		if (lk.holdscheme) {
			lk.scheme_held = 1;
			fprintf(stderr, "zwsim: node %d: scheme report held\n",
			    ZWSIM_LOCK_ID);
			break;
		}
		scheme_report();
		break;
	case ZW_S0_NONCE_GET:
		if (lk.nononce) {
			fprintf(stderr, "zwsim: node %d: nonce get ignored\n",
			    ZWSIM_LOCK_ID);
			break;
		}
		rep[0] = ZW_CC_SECURITY;
		rep[1] = ZW_S0_NONCE_REPORT;
		if (zw_s0_nonce_new(active(), ZWSIM_OWN_ID, now_ms(), rep + 2,
		    NULL) == 0)
			zwsim_send(ZWSIM_LOCK_ID, rep, sizeof(rep));
		break;
	case ZW_S0_NONCE_REPORT:
		if (n >= 2 + ZW_S0_HALF_NONCE)
			got_nonce(c + 2);
		break;
	case ZW_S0_ENCAP:
	case ZW_S0_ENCAP_NONCE_GET:
		r = zw_s0_decap_seq(active(), ZWSIM_OWN_ID, ZWSIM_LOCK_ID, c,
		    n, now_ms(), part, sizeof(part), &pn, &seq);
		if (r == ZW_SEC_OK && c[1] == ZW_S0_ENCAP_NONCE_GET)
			security((const uint8_t[]){ ZW_CC_SECURITY,
			    ZW_S0_NONCE_GET }, 2);
		if (r == ZW_SEC_OK)
			r = zw_s0_join(&lk.rx_split, seq, part, pn, now_ms(),
			    out, sizeof(out), &on);
		if (r == ZW_SEC_PARTIAL) {
			fprintf(stderr, "zwsim: node %d: split command: first "
			    "half, %zu bytes\n", ZWSIM_LOCK_ID, pn);
			break;
		}
		if (r != ZW_SEC_OK) {
			fprintf(stderr, "zwsim: node %d: S0 frame dropped: "
			    "%s\n", ZWSIM_LOCK_ID, zw_sec_result_str(r));
			break;
		}
		if (seq & ZW_S0_SEQ_SEQUENCED)
			fprintf(stderr, "zwsim: node %d: split command joined, "
			    "%zu bytes\n", ZWSIM_LOCK_ID, on);
		fprintf(stderr, "zwsim: node %d: secure %02x %02x\n",
		    ZWSIM_LOCK_ID, out[0], on > 1 ? out[1] : 0);
		secure_command(out, on);
		break;
	default:
		break;
	}
}

int
zwsim_s0_command(uint8_t node, const uint8_t *c, size_t n)
{
	if (node != ZWSIM_LOCK_ID)
		return 0;
	if (c[0] == ZW_CC_SECURITY)
		security(c, n);
	else if (c[0] == 0x62)
		fprintf(stderr, "zwsim: node %d: clear-text door lock command "
		    "ignored\n", ZWSIM_LOCK_ID);
	else if (c[0] == 0x72 && c[1] == 0x04)
		zwsim_send(node, (const uint8_t[]){ 0x72, 0x05, 0x00, 0x90,
		    0x00, 0x01, 0x00, 0x01 }, 8);
	else
		return 0;	/* zwsim.c's management classes */
	return 1;
}

int
zwsim_s0_tick(void)
{
	give_up();
	ask_nonce();
	return lk.asked ? 100 : -1;
}

int
zwsim_s0_early(uint8_t node)
{
	return node == ZWSIM_LOCK_ID && lk.early;
}

/* "key 6 HEX": the lock has this network key from another controller. */
static int
included_elsewhere(const char *line)
{
	uint8_t		key[ZW_S0_KEY_LEN];
	char		hex[2 * ZW_S0_KEY_LEN + 1];
	unsigned int	b;
	size_t		i;

	if (sscanf(line, "%*s %*d %32s", hex) != 1 ||
	    strlen(hex) != 2 * ZW_S0_KEY_LEN)
		return 0;
	for (i = 0; i < ZW_S0_KEY_LEN; i++) {
		if (sscanf(hex + 2 * i, "%2x", &b) != 1)
			return 0;
		key[i] = (uint8_t)b;
	}
	zw_s0_init(&lk.s0, key);
	explicit_bzero(key, sizeof(key));
	lk.have_key = 1;
	lk.including = 0;
	fprintf(stderr, "zwsim: node %d: included elsewhere, has a network "
	    "key\n", ZWSIM_LOCK_ID);
	return 1;
}

int
zwsim_s0_control(const char *line)
{
	char	word[16];
	int	id = 0, v = 0;
	uint8_t	clear[7] = { 0x62, 0x03, 0, 0, 0x01, 0, 0 };

	if (sscanf(line, "%15s %d %d", word, &id, &v) < 2 ||
	    id != ZWSIM_LOCK_ID)
		return 0;
	if (strcmp(word, "key") == 0)
		return included_elsewhere(line);
	if (strcmp(word, "lock") == 0) {
		lk.mode = v ? 0xff : 0x00;
		report();
	} else if (strcmp(word, "clearlock") == 0) {
		clear[2] = v ? 0xff : 0x00;
		zwsim_send(ZWSIM_LOCK_ID, clear, sizeof(clear));
	} else if (strcmp(word, "badmac") == 0)
		lk.badmac = 1;
	else if (strcmp(word, "nononce") == 0)
		lk.nononce = v != 0;
	else if (strcmp(word, "early") == 0)
		lk.early = v != 0;
	else if (strcmp(word, "holdscheme") == 0)
		hold_scheme(v);
	else if (strcmp(word, "split") == 0)
		lk.split_at = v > 0 && v < ZW_S0_MAX_CMD ? (size_t)v : 0;
	else if (strcmp(word, "longclasses") == 0)
		lk.longclasses = v != 0;
	else if (strcmp(word, "flood") == 0)
		while (v-- > 0)
			zwsim_send(ZWSIM_LOCK_ID, (const uint8_t[]){
			    ZW_CC_SECURITY, ZW_S0_NONCE_GET }, 2);
	else if (strcmp(word, "replay") == 0 && lk.nlast > 0)
		zwsim_send(ZWSIM_LOCK_ID, lk.last, lk.nlast);
	else
		return 0;
	return 1;
}

/*
 * Excluded, a real S0 node forgets the network key and takes a new one
 * under the all-zero key at its next inclusion; kept, the key would make
 * that Network Key Set fail its MAC. The bolt stays where it is.
 */
void
zwsim_s0_left(uint8_t node)
{
	if (node != ZWSIM_LOCK_ID || !lk.have_key)
		return;
	explicit_bzero(&lk.s0, sizeof(lk.s0));
	lk.have_key = 0;
	lk.scheme_asked = 0;
	lk.head = lk.count = 0;
	lk.half = 0;
	lk.asked = 0;
	lk.nlast = 0;
	fprintf(stderr, "zwsim: node %d: network key forgotten\n",
	    ZWSIM_LOCK_ID);
}

void
zwsim_s0_joined(uint8_t node)
{
	if (node == ZWSIM_LOCK_ID && !lk.have_key)
		lk.including = 1;
}
