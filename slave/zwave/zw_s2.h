/*
 * Z-Wave Security 2 (S2) on the slave: pure code, no I/O, time passed in.
 *
 *   zw_s2_crypto.c  the primitives, all through OpenSSL's EVP: AES-128
 *                   (one block), AES-128-CMAC, AES-128-CCM with S2's
 *                   parameters (13-byte nonce, 8-byte tag), the CTR_DRBG
 *                   (AES-128, no derivation function) and X25519.
 *   zw_s2_kdf.c     the spec's CMAC-based derivations: network key
 *                   expansion, temporary key extract/expand (bootstrapping),
 *                   the nonce PRK and MEI that seed a SPAN.
 *   zw_s2_span.c    the per-peer state: SPAN (singlecast nonces), sequence
 *                   numbers, granted classes, peers' MPANs.
 *   zw_s2_encap.c   Nonce Get/Report and Message Encapsulation, encode and
 *                   decode, with extensions.
 *   zw_s2_kex.c     bootstrapping (KEX) as the including controller: a
 *                   state machine whose frames the caller sends.
 *   zw_s2_key.c     the installation's S2 network keys on disk.
 *   zw_s2_qr.c      a device's QR code string (DSK, requested keys).
 *   zw_s2_ss.c      SmartStart: which provisioning list entry a device's
 *                   announcement names, and each entry's attempts.
 *
 * Wired into the slave by zw_sec_s2.c and zw_sec_s2_boot.c (the node
 * layer's dispatch, the inclusion flow) and zw_smartstart.c (SmartStart
 * on the stick).
 */
#ifndef HD_ZW_S2_H
#define HD_ZW_S2_H

#include <stddef.h>
#include <stdint.h>

#define ZW_CC_SECURITY_2	0x9f

/* Security 2 commands. */
#define ZW_S2_NONCE_GET		0x01
#define ZW_S2_NONCE_REPORT	0x02
#define ZW_S2_MSG_ENCAP		0x03
#define ZW_S2_KEX_GET		0x04
#define ZW_S2_KEX_REPORT	0x05
#define ZW_S2_KEX_SET		0x06
#define ZW_S2_KEX_FAIL		0x07
#define ZW_S2_PUBKEY_REPORT	0x08
#define ZW_S2_NETKEY_GET	0x09
#define ZW_S2_NETKEY_REPORT	0x0a
#define ZW_S2_NETKEY_VERIFY	0x0b
#define ZW_S2_TRANSFER_END	0x0c
#define ZW_S2_CMDS_GET		0x0d
#define ZW_S2_CMDS_REPORT	0x0e

/* Nonce Report flags. */
#define ZW_S2_NR_SOS		0x01	/* SPAN out of sync: REI follows */
#define ZW_S2_NR_MOS		0x02	/* an MPAN out of sync */
/* Message Encapsulation flags. */
#define ZW_S2_F_EXT		0x01	/* clear extensions follow */
#define ZW_S2_F_EEXT		0x02	/* encrypted extensions lead the text */
/* Extension header: length, then this byte. */
#define ZW_S2_X_MORE		0x80
#define ZW_S2_X_CRITICAL	0x40
#define ZW_S2_X_TYPE		0x3f
#define ZW_S2_X_SPAN		0x01	/* clear, the sender's EI */
#define ZW_S2_X_MPAN		0x02	/* encrypted, group and MPAN state */
#define ZW_S2_X_MGRP		0x03	/* clear, the multicast group */
#define ZW_S2_X_MOS		0x04	/* clear, "my MPANs are out of sync" */
#define ZW_S2_X_SPAN_LEN	18
#define ZW_S2_X_MPAN_LEN	19
#define ZW_S2_X_MGRP_LEN	3
#define ZW_S2_X_MOS_LEN		2

/* Sizes fixed by the spec. */
#define ZW_S2_KEY_LEN		16
#define ZW_S2_BLOCK		16
#define ZW_S2_EI_LEN		16	/* entropy input, each side's */
#define ZW_S2_MEI_LEN		32	/* mixed entropy input */
#define ZW_S2_PS_LEN		32	/* personalisation string */
#define ZW_S2_SEED_LEN		32	/* CTR_DRBG seedlen (AES-128) */
#define ZW_S2_NONCE_LEN		13	/* CCM nonce: L = 2 */
#define ZW_S2_TAG_LEN		8	/* CCM tag: M = 8 */
#define ZW_S2_MPAN_LEN		16	/* inner MPAN state */
#define ZW_S2_X25519_LEN	32
/* 0x9F 0x03, sequence number, flags; then the tag. */
#define ZW_S2_ENCAP_HDR		4
#define ZW_S2_ENCAP_MIN		(ZW_S2_ENCAP_HDR + ZW_S2_TAG_LEN)

/*
 * Our limits on outside input and on what we keep (with S0's in
 * shared/hdlimits.h, these are S2's own; each named once here).
 */
#define ZW_S2_PEERS		32	/* nodes with S2 state at once */
#define ZW_S2_MAX_CMD		64	/* command carried in one frame */
#define ZW_S2_MAX_FRAME		128	/* an encapsulation, all included */
#define ZW_S2_MAX_EXT		4	/* extensions in one frame */
#define ZW_S2_SEQ_WINDOW	10	/* sequence numbers kept per peer */
#define ZW_S2_SPAN_TRIES	5	/* nonces tried: frames lost between */
#define ZW_S2_EI_TTL_MS		10000	/* our REI awaits the sender's SEI */
#define ZW_S2_PEER_MPANS	4	/* multicast groups known per peer */
#define ZW_S2_KEY_FILE_MAX	128	/* the S2 key file, bytes */
#define ZW_S2_NONCE_WAIT_MS	5000	/* a node's Nonce Report to our Get */
/* A Nonce Report SOS this soon after our frame was delivered says the
 * node could not decrypt it: the frame goes once more (zw_sec_s2.c). */
#define ZW_S2_SOS_RESEND_MS	2000
#define ZW_S2_RESEND_MAX	3	/* frames sent again after one SOS */
/* After an SOS, quiet this long before sending again (another SOS
 * restarts it, for ZW_S2_SOS_SETTLE_MAX_MS at most). */
#define ZW_S2_SOS_SETTLE_MS	250
#define ZW_S2_SOS_SETTLE_MAX_MS	1000

/*
 * Key classes, weakest first: the order "below the highest granted class"
 * is judged by. TEMP is the temporary key of bootstrapping, granted to a
 * node only while it is being included; S0KEY the S0 network key taken
 * as an S2 key, under which a node verifies the S0 key it was given by
 * S2 bootstrapping (the spec's rule), granted only for that Verify.
 */
enum zw_s2_class {
	ZW_S2_UNAUTH = 0,
	ZW_S2_AUTH,
	ZW_S2_ACCESS,
	ZW_S2_TEMP,
	ZW_S2_S0KEY,
	ZW_S2_NCLASSES
};
#define ZW_S2_NETKEYS		3	/* the three S2 classes on disk */
#define ZW_S2_GRANT(c)		(1u << (c))

enum zw_s2_result {
	ZW_S2_OK = 0,
	ZW_S2_MALFORMED,	/* lengths, extensions, not ours to decode */
	ZW_S2_DUPLICATE,	/* a sequence number already taken */
	ZW_S2_NEED_NONCE,	/* no SPAN and no REI: send a Nonce Get */
	ZW_S2_SOS,		/* cannot decrypt: answer a Nonce Report SOS */
	ZW_S2_LOWER_CLASS,	/* authentic, under a class below its highest */
	ZW_S2_NOT_GRANTED,	/* the peer has no S2 class, or not this one */
	ZW_S2_NO_KEY,
	ZW_S2_NO_ROOM,		/* the caller's buffer or the peer table */
	ZW_S2_CRYPTO,		/* OpenSSL failed */
};

/* --- zw_s2_crypto.c: primitives -------------------------------------- */

struct zw_s2_drbg {
	uint8_t	key[ZW_S2_KEY_LEN];
	uint8_t	v[ZW_S2_BLOCK];
};

/* Each returns 0, or -1 when OpenSSL fails (or, for a decryption, the
 * tag does not match). */
int	zw_s2_aes(const uint8_t key[ZW_S2_KEY_LEN], const uint8_t in[16],
	    uint8_t out[16]);
int	zw_s2_cmac(const uint8_t key[ZW_S2_KEY_LEN], const uint8_t *, size_t,
	    uint8_t mac[ZW_S2_BLOCK]);
/* CCM, M = 8, L = 2: ct gets n bytes, tag 8; in and out may not overlap. */
int	zw_s2_ccm_seal(const uint8_t key[ZW_S2_KEY_LEN],
	    const uint8_t nonce[ZW_S2_NONCE_LEN], const uint8_t *aad,
	    size_t aadn, const uint8_t *pt, size_t n, uint8_t *ct,
	    uint8_t tag[ZW_S2_TAG_LEN]);
int	zw_s2_ccm_open(const uint8_t key[ZW_S2_KEY_LEN],
	    const uint8_t nonce[ZW_S2_NONCE_LEN], const uint8_t *aad,
	    size_t aadn, const uint8_t *ct, size_t n,
	    const uint8_t tag[ZW_S2_TAG_LEN], uint8_t *pt);
/*
 * CTR_DRBG (NIST SP 800-90A, AES-128, no derivation function, no
 * reseeding, no additional input: what S2 uses). Instantiate from 32
 * bytes of entropy and an optional 32-byte personalisation string.
 */
int	zw_s2_drbg_init(struct zw_s2_drbg *, const uint8_t ent[ZW_S2_SEED_LEN],
	    const uint8_t ps[ZW_S2_PS_LEN]);
int	zw_s2_drbg_generate(struct zw_s2_drbg *, uint8_t *out, size_t n);
void	zw_s2_drbg_clear(struct zw_s2_drbg *);
/* X25519: the public key of a private one; the shared secret (-1 also
 * for a peer key of small order, whose secret would be all zeros). */
int	zw_s2_x25519_public(const uint8_t priv[ZW_S2_X25519_LEN],
	    uint8_t pub[ZW_S2_X25519_LEN]);
int	zw_s2_x25519_shared(const uint8_t priv[ZW_S2_X25519_LEN],
	    const uint8_t peer[ZW_S2_X25519_LEN],
	    uint8_t secret[ZW_S2_X25519_LEN]);

/* --- zw_s2_kdf.c: derivations ------------------------------------------ */

/* What a network key (or the temporary key) expands into. */
struct zw_s2_keys {
	uint8_t	ccm[ZW_S2_KEY_LEN];
	uint8_t	ps[ZW_S2_PS_LEN];
	uint8_t	mpan[ZW_S2_KEY_LEN];	/* zero for the temporary key */
};

/* CKDF-NetworkKeyExpand. */
int	zw_s2_net_expand(const uint8_t pnk[ZW_S2_KEY_LEN], struct zw_s2_keys *);
/* CKDF-TempKeyExtract: PRK from the ECDH secret and both public keys
 * (the including controller's first). */
int	zw_s2_temp_extract(const uint8_t secret[ZW_S2_X25519_LEN],
	    const uint8_t pub_a[ZW_S2_X25519_LEN],
	    const uint8_t pub_b[ZW_S2_X25519_LEN], uint8_t prk[ZW_S2_KEY_LEN]);
/* CKDF-TempKeyExpand. */
int	zw_s2_temp_expand(const uint8_t prk[ZW_S2_KEY_LEN], struct zw_s2_keys *);
/* CKDF-MEI-Extract and -Expand: the sender's and receiver's EIs to MEI. */
int	zw_s2_mei(const uint8_t sei[ZW_S2_EI_LEN],
	    const uint8_t rei[ZW_S2_EI_LEN], uint8_t mei[ZW_S2_MEI_LEN]);
/* A SPAN: the CTR_DRBG seeded with MEI and the key's personalisation. */
int	zw_s2_span_seed(struct zw_s2_drbg *, const uint8_t sei[ZW_S2_EI_LEN],
	    const uint8_t rei[ZW_S2_EI_LEN], const uint8_t ps[ZW_S2_PS_LEN]);
/* The next singlecast nonce of a SPAN. */
int	zw_s2_span_next(struct zw_s2_drbg *, uint8_t nonce[ZW_S2_NONCE_LEN]);

/* --- zw_s2_span.c: per-peer state --------------------------------------- */

enum zw_s2_span_state {
	ZW_S2_SPAN_NONE = 0,	/* nothing: a send needs a Nonce Get first */
	ZW_S2_SPAN_LOCAL_EI,	/* we sent our REI: awaiting the peer's SEI */
	ZW_S2_SPAN_REMOTE_EI,	/* the peer's REI: our next send adds a SEI */
	ZW_S2_SPAN_ESTABLISHED,	/* both ends step the same DRBG */
};

struct zw_s2_mpan {
	uint8_t	group;
	int	state;			/* 0 free, 1 known, -1 out of sync */
	uint8_t	inner[ZW_S2_MPAN_LEN];
};

struct zw_s2_peer {
	uint8_t			 node;	/* 0: free slot */
	unsigned		 granted;	/* ZW_S2_GRANT() bits */
	enum zw_s2_span_state	 span_state;
	enum zw_s2_class	 span_class;	/* ESTABLISHED: its key */
	struct zw_s2_drbg	 span;
	uint8_t			 ei[ZW_S2_EI_LEN];	/* LOCAL/REMOTE_EI's */
	uint64_t		 ei_expires;		/* LOCAL_EI's, ms */
	uint8_t			 seq_rx[ZW_S2_SEQ_WINDOW];
	size_t			 nseq;
	uint8_t			 seq_tx;
	/* The nonce our last frame was sealed with: a frame of the peer's
	 * that crossed it on the air was sealed with the same one (each
	 * end took the SPAN's next nonce for its own frame). */
	uint8_t			 tx_nonce[ZW_S2_NONCE_LEN];
	int			 tx_nonce_ok;
	int			 mos;	/* the peer said our MPANs are off */
	struct zw_s2_mpan	 mpans[ZW_S2_PEER_MPANS];
};

/* Random bytes (OpenSSL's RAND_bytes); tests replace it: 0 or -1. */
typedef int	zw_s2_rand_fn(uint8_t *, size_t);

struct zw_s2 {
	uint8_t			 own;		/* our node id */
	uint32_t		 home_id;
	struct zw_s2_keys	 keys[ZW_S2_NCLASSES];
	unsigned		 have;		/* ZW_S2_GRANT() of keys set */
	zw_s2_rand_fn		*rand;
	struct zw_s2_peer	 peers[ZW_S2_PEERS];
};

void	zw_s2_init(struct zw_s2 *, uint8_t own, uint32_t home_id,
	    zw_s2_rand_fn *);
void	zw_s2_clear(struct zw_s2 *);	/* wipes keys and SPANs */
/* Set a class's key (a network key, or the temporary PRK-derived one
 * through zw_s2_set_keys); 0 or -1. */
int	zw_s2_set_key(struct zw_s2 *, enum zw_s2_class,
	    const uint8_t pnk[ZW_S2_KEY_LEN]);
void	zw_s2_set_keys(struct zw_s2 *, enum zw_s2_class,
	    const struct zw_s2_keys *);
/* The classes a node was granted (0: none, its state is dropped). A
 * change of grants ends its SPAN. -1 if the peer table is full. */
int	zw_s2_grant(struct zw_s2 *, uint8_t node, unsigned granted);
/* The node's state, or NULL if it has none. */
struct zw_s2_peer *zw_s2_peer(struct zw_s2 *, uint8_t node);
struct zw_s2_peer *zw_s2_peer_free(struct zw_s2 *);	/* NULL: full */
/* Back to SPAN_NONE, the DRBG and any EI wiped. */
void	zw_s2_span_reset(struct zw_s2_peer *);
/* The highest class granted (-1 if none; TEMP, then S0KEY, counted only
 * without an S2 class). */
int	zw_s2_highest(unsigned granted);
/* Has sequence number seq been taken from the peer? Remember one. */
int	zw_s2_seq_seen(const struct zw_s2_peer *, uint8_t seq);
void	zw_s2_seq_take(struct zw_s2_peer *, uint8_t seq);
/* The MPAN kept for (peer, group), or NULL. */
struct zw_s2_mpan *zw_s2_mpan_find(struct zw_s2_peer *, uint8_t group,
	    int create);
/* Step an inner MPAN state (a 128-bit big-endian counter). */
void	zw_s2_mpan_step(uint8_t inner[ZW_S2_MPAN_LEN]);

/* --- zw_s2_encap.c: the transport's frames ------------------------------ */

/* What a decoded encapsulation carried besides its command. */
struct zw_s2_rx {
	enum zw_s2_class cls;		/* the key it authenticated under */
	int		 mgrp;		/* -1, or the MGRP group (follow-up) */
	int		 mos;		/* the sender has MPANs out of sync */
	int		 mpan_group;	/* -1, or the group an MPAN came for */
};

/* A Nonce Get to `node` (takes a sequence number): 0, or -1 (room). */
int	zw_s2_nonce_get(struct zw_s2 *, uint8_t node, uint8_t *out,
	    size_t outlen, size_t *outn);
/*
 * Our Nonce Report to `node` with SOS and a fresh REI (the answer to its
 * Nonce Get, or to a frame we could not decrypt): the peer is then in
 * LOCAL_EI until `now` + ZW_S2_EI_TTL_MS. `mos` adds the MOS flag.
 */
enum zw_s2_result zw_s2_nonce_report(struct zw_s2 *, uint8_t node,
	    uint64_t now, int mos, uint8_t *out, size_t outlen, size_t *outn);
/* A Nonce Report from `node`: with SOS, its REI is kept (REMOTE_EI). */
enum zw_s2_result zw_s2_on_nonce_report(struct zw_s2 *, uint8_t node,
	    const uint8_t *frame, size_t len);
/*
 * Encapsulate `cmd` for `node` under its highest granted class (or the
 * SPAN's, if one is established): ZW_S2_NEED_NONCE if no SPAN can be made
 * yet (send zw_s2_nonce_get() and call again once the report is in).
 * `mos` adds the MOS extension.
 */
enum zw_s2_result zw_s2_encap(struct zw_s2 *, uint8_t node, const uint8_t *cmd,
	    size_t n, int mos, uint8_t *out, size_t outlen, size_t *outn);
/*
 * Decode an encapsulation from `src` to us: the command into out
 * (outlen bytes, *outn its length) and what came with it into *rx.
 * ZW_S2_SOS: answer zw_s2_nonce_report(); ZW_S2_LOWER_CLASS and
 * ZW_S2_DUPLICATE: authentic or repeated, dropped (logged by the caller).
 */
enum zw_s2_result zw_s2_decap(struct zw_s2 *, uint8_t src, const uint8_t *frame,
	    size_t len, uint64_t now, uint8_t *out, size_t outlen, size_t *outn,
	    struct zw_s2_rx *rx);
/* A multicast encapsulation from `src` (group from its MGRP extension),
 * decrypted with the MPAN the peer gave us: ZW_S2_NEED_NONCE when we have
 * none (answer with MOS on our next frame to it). */
enum zw_s2_result zw_s2_decap_multicast(struct zw_s2 *, uint8_t src,
	    const uint8_t *frame, size_t len, uint8_t *out, size_t outlen,
	    size_t *outn, struct zw_s2_rx *rx);
const char *zw_s2_result_str(enum zw_s2_result);

/* --- zw_s2_kex.c: bootstrapping, the including controller's side ------- */

/* KEX bits (KEX Report/Set bytes 1..3, Transfer End, Public Key Report). */
#define ZW_S2_KEX_ECHO		0x01
#define ZW_S2_KEX_CSA		0x02
#define ZW_S2_KEX_SCHEME1	0x02	/* the one KEX scheme: bit 1 */
#define ZW_S2_KEX_CURVE25519	0x01	/* the one ECDH profile: bit 0 */
#define ZW_S2_KEY_S0		0x80	/* S0 in the keys bitmask */
#define ZW_S2_TE_COMPLETE	0x01	/* Transfer End: key requests done */
#define ZW_S2_TE_VERIFIED	0x02	/* Transfer End: the key was verified */
#define ZW_S2_PK_INCLUDING	0x01	/* Public Key Report from the includer */
#define ZW_S2_DSK_PIN_LEN	2	/* the key's bytes the PIN stands for */

/* The spec's bootstrapping timeouts (the including node's). */
#define ZW_S2_KEX_TA1_MS	10000	/* KEX Report after our KEX Get */
#define ZW_S2_KEX_TA2_MS	10000	/* Public Key Report after KEX Set */
#define ZW_S2_KEX_TA3_MS	10000	/* each Network Key Get */
#define ZW_S2_KEX_TA4_MS	10000	/* Network Key Verify after the key */
#define ZW_S2_KEX_TA5_MS	10000	/* the node's final Transfer End */
#define ZW_S2_KEX_TAI1_MS	240000	/* the user grants classes */
#define ZW_S2_KEX_TAI2_MS	240000	/* the PIN, and the KEX Set echo */
#define ZW_S2_KEX_OUT_MAX	(2 + 1 + ZW_S2_X25519_LEN)	/* our longest */

/* KEX Fail reasons (the spec's numbers). */
enum zw_s2_kex_fail {
	ZW_S2_KEX_FAIL_NONE = 0,
	ZW_S2_KEX_FAIL_KEY = 0x01,	/* no requested key we can grant */
	ZW_S2_KEX_FAIL_SCHEME = 0x02,	/* no KEX scheme in common */
	ZW_S2_KEX_FAIL_CURVES = 0x03,	/* no ECDH profile in common */
	ZW_S2_KEX_FAIL_DECRYPT = 0x05,	/* cannot decrypt: a wrong PIN */
	ZW_S2_KEX_FAIL_CANCEL = 0x06,	/* cancelled (by the user) */
	ZW_S2_KEX_FAIL_AUTH = 0x07,	/* echo mismatch, wrong class used */
	ZW_S2_KEX_FAIL_GET = 0x08,	/* a key asked for was not granted */
	ZW_S2_KEX_FAIL_VERIFY = 0x09,	/* a key was not verified */
	ZW_S2_KEX_FAIL_REPORT = 0x0a,	/* a key report that differs */
	ZW_S2_KEX_TIMEOUT = 0x100,	/* ours: a step ran out of time */
};

enum zw_s2_kex_state {
	ZW_S2_KEX_IDLE = 0,
	ZW_S2_KEX_WAIT_REPORT,	/* KEX Get sent */
	ZW_S2_KEX_WAIT_GRANT,	/* the user chooses classes */
	ZW_S2_KEX_WAIT_PUBKEY,	/* KEX Set sent */
	ZW_S2_KEX_WAIT_PIN,	/* the user types the DSK's first five digits */
	ZW_S2_KEX_WAIT_ECHO,	/* temporary key set: the KEX Set echo */
	ZW_S2_KEX_WAIT_KEY_GET,
	ZW_S2_KEX_WAIT_VERIFY,
	ZW_S2_KEX_WAIT_END,
	ZW_S2_KEX_DONE,
	ZW_S2_KEX_FAILED,
};

/*
 * What a step asks of the caller: send cmd (n bytes; none if 0) to the
 * node, in clear or S2-encapsulated (under its grants in the transport,
 * then the temporary key); once sent, if regrant, give it `grant` in the
 * transport (zw_s2_grant): the next frame from it comes under that key.
 */
struct zw_s2_kex_out {
	uint8_t		cmd[ZW_S2_KEX_OUT_MAX];
	size_t		n;
	int		secure;
	int		regrant;
	unsigned	grant;
};

struct zw_s2_kex {
	enum zw_s2_kex_state	 state;
	enum zw_s2_kex_fail	 fail;	/* FAILED: why; also sent or received */
	int			 fail_ours;	/* we sent the KEX Fail */
	uint8_t			 node;
	uint64_t		 deadline;	/* of the current wait, ms */
	uint64_t		 tai2_end;	/* PIN and echo share one TAI2 */
	uint8_t			 report[4];	/* the node's KEX Report */
	uint8_t			 granted;	/* S2 class bits */
	uint8_t			 remaining;	/* granted, not yet verified */
	uint8_t			 current;	/* the class being verified */
	uint8_t			 node_pub[ZW_S2_X25519_LEN];
	uint8_t			 priv[ZW_S2_X25519_LEN];
	uint8_t			 pub[ZW_S2_X25519_LEN];
	struct zw_s2		*s2;	/* borrowed: its keys and transport */
	const uint8_t		(*pnk)[ZW_S2_KEY_LEN];	/* borrowed, 3 keys */
	/* The S0 network key (borrowed; set after zw_s2_kex_start, NULL:
	 * S0 is not granted through S2). The transport must hold it as
	 * class S0KEY for the node's Verify. */
	const uint8_t		*s0key;
};

/* Begin with `node`: KEX Get to send in clear. s2 and the three network
 * keys stay borrowed until DONE or FAILED. */
void	zw_s2_kex_start(struct zw_s2_kex *, struct zw_s2 *,
	    const uint8_t pnk[ZW_S2_NETKEYS][ZW_S2_KEY_LEN], uint8_t node,
	    uint64_t now, struct zw_s2_kex_out *);
/* A Security 2 command from the node (decapsulated if it came so: cls
 * its class, -1 if it came in clear). */
void	zw_s2_kex_input(struct zw_s2_kex *, const uint8_t *cmd, size_t n,
	    int cls, uint64_t now, struct zw_s2_kex_out *);
/* The user's choice of classes (WAIT_GRANT; 0 cancels). */
void	zw_s2_kex_grant(struct zw_s2_kex *, unsigned granted, uint64_t now,
	    struct zw_s2_kex_out *);
/* The DSK's first five digits (WAIT_PIN; -1 cancels). */
void	zw_s2_kex_pin(struct zw_s2_kex *, long pin, uint64_t now,
	    struct zw_s2_kex_out *);
/* A frame from the node under bootstrapping could not be decrypted. */
void	zw_s2_kex_undecryptable(struct zw_s2_kex *, struct zw_s2_kex_out *);
void	zw_s2_kex_cancel(struct zw_s2_kex *, struct zw_s2_kex_out *);
/* Time passes: a wait that ran out fails. */
void	zw_s2_kex_tick(struct zw_s2_kex *, uint64_t now,
	    struct zw_s2_kex_out *);
/* The DSK (16 bytes, the node's public key's first; its first two are
 * what the PIN supplies) as the usual 8 groups of 5 digits. */
void	zw_s2_dsk_str(const uint8_t dsk[16], char out[48]);
/* A failure in words, for the user. */
const char *zw_s2_kex_fail_str(enum zw_s2_kex_fail);

/* --- zw_s2_key.c: the installation's S2 keys ---------------------------- */

/*
 * PATH holds the three S2 network keys (Unauthenticated, Authenticated,
 * Access Control), each 32 hex digits and a newline, mode 0600; made with
 * fresh random keys when missing, refused if others may read it, if a
 * line is malformed or if two keys are equal. 0, or -1 (logged).
 */
int	zw_s2_keys_load(const char *path,
	    uint8_t keys[ZW_S2_NETKEYS][ZW_S2_KEY_LEN]);

/* --- zw_s2_qr.c: a device's QR code string ------------------------------ */

#define ZW_QR_MIN		52	/* digits up to the DSK's end */
#define ZW_QR_MAX		256	/* digits we take (TLVs included) */
#define ZW_QR_SMARTSTART	1	/* version 01; 00: S2 only */
#define ZW_QR_TLV_PRODUCT_TYPE	0
#define ZW_QR_TLV_PRODUCT_ID	1

struct zw_s2_qr {
	int		smartstart;
	uint8_t		keys;		/* requested: KEX keys bits */
	uint8_t		dsk[16];
	uint8_t		generic, specific;
	uint16_t	icon, manufacturer, product_type, product_id;
	uint16_t	app_version;
};

/* Parse `in` (inlen bytes, whitespace ignored): NULL, or why not, in
 * words (*r is then zeroed but for what was read). */
const char *zw_s2_qr_parse(const char *in, size_t inlen, struct zw_s2_qr *r);

/* --- zw_s2_ss.c: SmartStart ----------------------------------------------- */

/*
 * A SmartStart device not yet included announces itself every few
 * seconds (later minutes) with its NWI home id, bytes 8..11 of its DSK
 * (the stick hands it over as ApplicationUpdate 0x85). The controller
 * includes an announced device whose DSK is on the provisioning list and
 * not included yet, with AddNodeToNetwork "include by home id" (the NWI
 * and Auth home ids of the DSK), then bootstraps it with S2 under the
 * listed DSK and classes, no user asked.
 *
 * An attempt that fails before the device joined (the stick failed, no
 * node found) is tried again at its next announcement, after
 * ZW_SS_RETRY_MS doubling up to ZW_SS_RETRY_MAX_MS; after ZW_SS_ATTEMPTS
 * such failures in a row the entry is failed. An attempt that fails
 * after it joined (S2 bootstrapping) fails the entry at once: the device
 * is in the network, without security, and told as a downgrade. A failed
 * entry is tried again only when the user adds its QR code again.
 */
#define ZW_SS_FIND_MS		30000	/* AddNodeDSK: the node found */
#define ZW_SS_RETRY_MS		10000	/* after a failed attempt, doubling */
#define ZW_SS_RETRY_MAX_MS	600000
#define ZW_SS_ATTEMPTS		5	/* failed attempts in a row, then failed */
#define ZW_SS_QUIET_MS		60000	/* an unlisted device logged once per */
#define ZW_SS_REASON_MAX	127	/* = ZW_INCL_REASON_MAX */

enum zw_ss_state {
	ZW_SS_PENDING = 0,	/* waits for its announcement */
	ZW_SS_INCLUDED,		/* node: its id */
	ZW_SS_FAILED,		/* reason: why */
};

/* An entry of the provisioning list (zw_s2_prov.c keeps them). */
struct zw_prov {
	struct zw_s2_qr	q;
	uint8_t		node;		/* included as, 0 not yet */
	uint8_t		state;		/* enum zw_ss_state */
	uint8_t		fails;		/* attempts failed in a row */
	uint64_t	retry_at;	/* ms: not tried again before */
	char		reason[ZW_SS_REASON_MAX + 1];
};

enum zw_ss_verdict {
	ZW_SS_INCLUDE,		/* *idx: include that entry now */
	ZW_SS_UNLISTED,		/* no entry has that home id */
	ZW_SS_BUSY,		/* listed, but the stick is busy: next time */
	ZW_SS_WAIT,		/* listed, failed lately: not before retry_at */
	ZW_SS_DONE,		/* listed, included or failed already */
};

/* The NWI and Auth home ids of a DSK, as the spec derives them. */
void	zw_ss_nwi(const uint8_t dsk[16], uint8_t nwi[4]);
void	zw_ss_auth(const uint8_t dsk[16], uint8_t auth[4]);
/* An announcement of `nwi` at `now`; `busy`: an inclusion, exclusion or
 * maintenance operation is under way. */
enum zw_ss_verdict zw_ss_match(const struct zw_prov *, size_t n,
	    const uint8_t nwi[4], int busy, uint64_t now, size_t *idx);
/* Attempts ended: included as `node`; failed `why` (`joined`: the device
 * is in the network, so no retry). */
void	zw_ss_included(struct zw_prov *, uint8_t node);
void	zw_ss_failed(struct zw_prov *, const char *why, int joined,
	    uint64_t now);
/* Listed again by the user: pending, its attempts forgotten. */
void	zw_ss_reset(struct zw_prov *);
/* Does any entry wait for its announcement (the stick should listen)? */
int	zw_ss_pending(const struct zw_prov *, size_t n);
/* The wait after `fails` failed attempts. */
uint64_t zw_ss_backoff(unsigned fails);
/* Rate limit: 1 if a log line is due at `now` (then *last = now). */
int	zw_ss_quiet(uint64_t *last, uint64_t now);
const char *zw_ss_state_name(int);

#endif
