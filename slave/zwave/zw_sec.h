/*
 * Z-Wave security on the slave: the schemes' pure code (zw_s0.c: key
 * derivation, nonce table, encapsulation) and their glue to the node layer
 * (zw_sec.c: the network key file, nonce round trips, secure inclusion,
 * refusing in clear what a node supports securely).
 *
 * A scheme is an ops struct (struct zw_sec_scheme) over an opaque state, as
 * the port backends are: S0 is the first; S2 will sit beside it with its
 * own state (SPAN instead of per-message nonces) and the same calls. The
 * glue never looks inside a scheme's frames except through these ops.
 */
#ifndef HD_ZW_SEC_H
#define HD_ZW_SEC_H

#include <stddef.h>
#include <stdint.h>

#include "hdlimits.h"
#include "zwave/zw.h"

#define ZW_CC_SECURITY		0x98	/* S0 */

/* Security (S0) commands. */
#define ZW_S0_CMDS_GET		0x02
#define ZW_S0_CMDS_REPORT	0x03
#define ZW_S0_SCHEME_GET	0x04
#define ZW_S0_SCHEME_REPORT	0x05
#define ZW_S0_KEY_SET		0x06
#define ZW_S0_KEY_VERIFY	0x07
#define ZW_S0_NONCE_GET		0x40
#define ZW_S0_NONCE_REPORT	0x80
#define ZW_S0_ENCAP		0x81
#define ZW_S0_ENCAP_NONCE_GET	0xc1	/* encapsulation + "send a nonce" */

#define ZW_S0_KEY_LEN		16
#define ZW_S0_HALF_NONCE	8	/* sender and receiver nonce halves */
#define ZW_S0_MAC_LEN		8
/* 0x98 0x81, sender nonce, sequence byte, nonce id, MAC: what S0 adds to
 * a command; the shortest frame carries a command of one byte. */
#define ZW_S0_OVERHEAD		(2 + ZW_S0_HALF_NONCE + 1 + 1 + ZW_S0_MAC_LEN)
#define ZW_S0_ENCAP_MIN		(ZW_S0_OVERHEAD + 1)
/* Sequence byte: a command split over two frames, its second half,
 * and the counter both halves of one command share. */
#define ZW_S0_SEQ_SEQUENCED	0x10
#define ZW_S0_SEQ_SECOND	0x20
#define ZW_S0_SEQ_COUNTER	0x0f

enum zw_sec_result {
	ZW_SEC_OK = 0,
	ZW_SEC_MALFORMED,	/* too short, too long, not an encapsulation */
	ZW_SEC_NO_NONCE,	/* unknown, expired, replayed or another's */
	ZW_SEC_BAD_MAC,		/* tampered, or another key */
	ZW_SEC_SEQUENCED,	/* a half of a split command out of turn */
	ZW_SEC_NO_KEY,
	ZW_SEC_CRYPTO,		/* OpenSSL failed */
	ZW_SEC_PARTIAL,		/* a first half, kept for its second */
};

/*
 * One node's split command being put together (zw_s0_join): the first
 * half, its counter and when it came. One per node: a new first half
 * replaces a pending one, a second half must name the pending counter.
 */
struct zw_s0_split {
	uint8_t		cmd[ZW_S0_MAX_CMD];
	size_t		n;		/* 0: nothing pending */
	uint8_t		counter;
	uint64_t	at;		/* ms */
};

/* --- zw_s0.c: pure S0, no I/O, time passed in ------------------------ */

/*
 * One network key's derived keys and the nonces we handed out. Each
 * nonce is for one peer, used once, and expires after the state's TTL;
 * the table holds at most ZW_S0_NONCES (the oldest goes first when full)
 * and nonce ids (first byte) are unique among live nonces.
 */
struct zw_s0_nonce {
	uint8_t		peer;		/* 0: free slot */
	uint8_t		n[ZW_S0_HALF_NONCE];
	uint64_t	expires;	/* ms */
};

struct zw_s0 {
	uint8_t			kenc[ZW_S0_KEY_LEN], kauth[ZW_S0_KEY_LEN];
	int			have_key;
	uint64_t		ttl_ms;
	struct zw_s0_nonce	nonces[ZW_S0_NONCES];
};

/* Random bytes: OpenSSL's RAND_bytes; tests may replace it. */
typedef int	zw_s0_rand_fn(uint8_t *, size_t);

/* Derive Kenc = AES(K, 0xAA*16) and Kauth = AES(K, 0x55*16); 0 or -1. */
int	zw_s0_init(struct zw_s0 *, const uint8_t key[ZW_S0_KEY_LEN]);
void	zw_s0_clear(struct zw_s0 *);	/* wipes the keys and nonces */
/* A fresh nonce for `peer` into out (8 bytes); 0 or -1 (no randomness). */
int	zw_s0_nonce_new(struct zw_s0 *, uint8_t peer, uint64_t now,
	    uint8_t out[ZW_S0_HALF_NONCE], zw_s0_rand_fn *);
/* Live nonces at `now` (expired ones are freed). */
int	zw_s0_nonce_count(struct zw_s0 *, uint64_t now);
/*
 * Encapsulate `cmd` (n bytes, at most ZW_S0_MAX_CMD) from `src` to `dst`:
 * 0x98 `sec_cmd` (0x81, or 0xC1 to ask for a nonce back), the sender
 * nonce `iv8`, the OFB ciphertext of (0x00, cmd), the receiver nonce's id
 * and the MAC, into out (outlen bytes); *outn its length.
 */
enum zw_sec_result zw_s0_encap(const struct zw_s0 *, uint8_t src,
	    uint8_t dst, const uint8_t iv8[ZW_S0_HALF_NONCE],
	    const uint8_t rnonce[ZW_S0_HALF_NONCE], uint8_t sec_cmd,
	    const uint8_t *cmd, size_t n, uint8_t *out, size_t outlen,
	    size_t *outn);
/*
 * Decapsulate a 0x98 0x81 or 0x98 0xC1 frame from `src` to `dst` (us):
 * the nonce it names must be live and ours for `src`; it is used up
 * whatever the outcome, so a replay finds none. The command goes to
 * out (outlen bytes); *outn its length (>= 1).
 */
enum zw_sec_result zw_s0_decap(struct zw_s0 *, uint8_t src, uint8_t dst,
	    const uint8_t *frame, size_t len, uint64_t now, uint8_t *out,
	    size_t outlen, size_t *outn);
/* The same for split commands: any sequence byte is taken and given in
 * *seq (0 for a whole command); the caller joins halves (zw_s0_join). */
enum zw_sec_result zw_s0_decap_seq(struct zw_s0 *, uint8_t src, uint8_t dst,
	    const uint8_t *frame, size_t len, uint64_t now, uint8_t *out,
	    size_t outlen, size_t *outn, uint8_t *seq);
/* zw_s0_encap with the sequence byte `seq` (a half of a split command). */
enum zw_sec_result zw_s0_encap_seq(const struct zw_s0 *, uint8_t src,
	    uint8_t dst, const uint8_t iv8[ZW_S0_HALF_NONCE],
	    const uint8_t rnonce[ZW_S0_HALF_NONCE], uint8_t sec_cmd,
	    uint8_t seq, const uint8_t *cmd, size_t n, uint8_t *out,
	    size_t outlen, size_t *outn);
/*
 * A decapsulated command (n bytes, sequence byte `seq`) from one node,
 * through its split state: a whole command passes (ZW_SEC_OK, copied to
 * out) and leaves a pending first half be; a first half is kept
 * (ZW_SEC_PARTIAL); a second half naming the pending counter, within
 * ZW_S0_SPLIT_WAIT_MS, completes it (ZW_SEC_OK, the joined command in
 * out, at most ZW_S0_MAX_CMD); any other second half is ZW_SEC_SEQUENCED
 * and leaves nothing pending.
 */
enum zw_sec_result zw_s0_join(struct zw_s0_split *, uint8_t seq,
	    const uint8_t *cmd, size_t n, uint64_t now, uint8_t *out,
	    size_t outlen, size_t *outn);
/* The raw primitives, exposed for the known-answer tests. */
int	zw_s0_mac(const uint8_t kauth[ZW_S0_KEY_LEN], const uint8_t *, size_t,
	    uint8_t mac[ZW_S0_MAC_LEN]);
int	zw_s0_ofb(const uint8_t kenc[ZW_S0_KEY_LEN], const uint8_t iv[16],
	    const uint8_t *in, size_t n, uint8_t *out);
const char *zw_sec_result_str(enum zw_sec_result);

/* --- a scheme: S0 first, S2 later beside it --------------------------- */

/*
 * What the glue needs from a scheme: wrap a command given the receiver's
 * nonce, unwrap one, hand out our nonce. S0 needs a nonce round trip for
 * every frame; S2 keeps a SPAN per peer and asks for a nonce only when
 * out of step, so its ops will say when a round trip is due (the glue's
 * per-node queue already serialises them).
 */
struct zw_sec_scheme {
	const char	*name;		/* "S0" */
	uint8_t		 cc;		/* its command class */
	uint8_t		 level;		/* higher is stronger (S0 1, S2 2..4) */
	/* Wrap `cmd` for `dst`; `nonce` is the one `dst` handed out; `seq`
	 * S0's sequence byte (0: a whole command); `more`: ask `dst` for
	 * its next nonce in the same frame (the second half follows). */
	enum zw_sec_result (*encap)(void *st, uint8_t own, uint8_t dst,
			    const uint8_t *nonce, uint8_t seq, int more,
			    const uint8_t *cmd, size_t n, uint8_t *out,
			    size_t outlen, size_t *outn);
	/* *seq: S0's sequence byte (0: a whole command). */
	enum zw_sec_result (*decap)(void *st, uint8_t src, uint8_t own,
			    const uint8_t *frame, size_t len, uint64_t now,
			    uint8_t *out, size_t outlen, size_t *outn,
			    uint8_t *seq);
	/* Our nonce for `peer` (a Nonce Report's payload): its length. */
	size_t		(*nonce)(void *st, uint8_t peer, uint64_t now,
			    uint8_t *out, size_t outlen);
};

extern const struct zw_sec_scheme zw_sec_s0;

/* --- zw_sec.c: the glue ------------------------------------------------ */

/* STATE_DIR/zwave.key, if there is one, is a key zw_sec_start takes
 * (nothing is made); 0, or -1 (logged). */
int	zw_sec_key_check(const char *state_dir);
/* Load or create STATE_DIR/zwave.key (0600); 0, or -1 (logged). */
int	zw_sec_start(struct zw_ctrl *);
void	zw_sec_stop(struct zw_ctrl *);
/* Secure inclusion of a node that lists Security but has no key yet,
 * only while the user includes it: the inclusion flow calls it for a node
 * that joined listing Security (zw_incl.c, secure_bootstrap), before its
 * interview. Runs on its own: 0 if started or under way (the node's state
 * is then asked for when it ends), -1 if the node has a key already, is
 * not the one being included, or there is no key. */
int	zw_sec_bootstrap(struct zw_node *);
/* Adoption of a node found listing Security without a key on record
 * (the state poll after the interviews, zw_node.c refresh_all): its
 * secure classes asked under our key, nothing sent under the all-zero
 * key. 0 if started or under way, -1 as above. */
int	zw_sec_adopt(struct zw_node *);
/* Adoption of a node found listing S2 (0x9F) without a grant on record
 * (zw_sec_s2_adopt.c; the state poll after the interviews): its classes
 * asked under each S2 key, the highest first; the first that answers is
 * granted. Nothing secret is sent. 0 if started or under way, -1 if it
 * cannot be (no S2 keys, a grant on record, being bootstrapped). */
int	zw_s2_adopt(struct zw_node *);
/*
 * S2 bootstrapping (zw_sec_s2_boot.c) of a node that lists S2 (0x9F), only
 * while the user includes it (zw_incl.c, secure_bootstrap): KEX Get, then
 * the user's grant and PIN through zw_s2_answer(); the end is reported
 * as inclusion progress (SECURITY), loudly when it failed. 0 if started
 * or under way, -1 if it cannot be (no S2 keys, not the node included).
 */
int	zw_s2_bootstrap(struct zw_node *);
/* The user's answer (ZwInclusion GRANT): the classes granted (KEX keys
 * bits) while the machine waits for them, else the PIN. -1 with *why. */
int	zw_s2_answer(struct zw_ctrl *, unsigned grant, const char *pin,
	    const char **why);
/* Is an S0 exchange with the node under way (a send queued or waiting
 * for its nonce, our nonce out, secure inclusion, a command awaiting its
 * secure confirmation)? A sleeping node is not sent back to sleep then;
 * zw_mgmt_idle is called when it ends. */
int	zw_sec_busy(const struct zw_node *);
/* Is its secure inclusion or adoption under way? */
int	zw_sec_booting(const struct zw_node *);
/* ... in S0's steps: its key exchange runs against the node's clock. */
int	zw_sec_s0_booting(const struct zw_node *);
/* The node supports `cc` through a scheme: send it encapsulated. */
int	zw_sec_wanted(const struct zw_node *, uint8_t cc);
/*
 * Send `cmd` to node `id` encapsulated: a nonce round trip, then SendData
 * of the encapsulated frame, whose completion is `done`'s, as for a clear
 * SendData. -1 (done never called) if it cannot be queued. No nonce from
 * the node in ZW_S0_NONCE_WAIT_MS: done gets ZW_ERR_NOCB; the node not
 * acknowledging our Nonce Get: done gets that SendData's result.
 */
int	zw_sec_send(struct zw_ctrl *, int id, const uint8_t *cmd, size_t n,
	    enum zw_prio, zw_done_fn *done, void *arg);
/* Take back what zw_sec_send() queued for `done`/`arg` if it has not
 * gone yet (its Nonce Get still held for a sleeping node): 1, else 0. */
int	zw_sec_cancel(struct zw_node *, zw_done_fn *done, const void *arg);
/*
 * A command from a node, before anything else looks at it: 1 if it stops
 * here, being S0 traffic (nonces, secure inclusion; an encapsulated
 * command is checked and handed to zw_node_receive() as secure); 0 if it
 * is for the node layer.
 */
int	zw_sec_filter(struct zw_ctrl *, struct zw_node *, const uint8_t *cmd,
	    size_t len);
/* A clear-text command (from endpoint `ep`, at any depth of clear
 * wrappers) of a class the node supports only securely: 1, logged. */
int	zw_sec_refused(const struct zw_node *, uint8_t ep, const uint8_t *cmd,
	    size_t len);
/* The node left or the stick went down: pending secure sends fail. */
void	zw_sec_node_reset(struct zw_node *);

#endif
