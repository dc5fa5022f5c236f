/*
 * What zw_sec.c (nonces, sending, receiving), zw_sec_key.c (the key file),
 * zw_sec_boot.c (secure inclusion), zw_sec_s2.c and zw_sec_s2_boot.c (S2's
 * transport and bootstrapping) and zw_s2_prov.c share; nothing else
 * includes it.
 */
#ifndef HD_ZW_SEC_INT_H
#define HD_ZW_SEC_INT_H

#include <stddef.h>
#include <stdint.h>

#include "zwave/zw.h"
#include "zwave/zw_s2.h"
#include "zwave/zw_sec.h"

/* Adoption of a node included elsewhere (zw_sec_adopt, zw_s2_adopt). */
#define ADOPT_S0	1
#define ADOPT_S2	2

/* S0's steps, then S2's: its key exchange and its secure class list. */
enum boot_step { BOOT_NONE, BOOT_SCHEME, BOOT_KEY, BOOT_CMDS, BOOT_S2_KEX,
	BOOT_S2_CMDS };

/* S2 (zw_sec_s2*.c): the three network keys, the transport, one KEX,
 * the provisioning list. */
struct zw_s2ctl {
	uint8_t		 pnk[ZW_S2_NETKEYS][ZW_S2_KEY_LEN];
	struct zw_s2	 s2;
	struct zw_s2_kex kex;
	uint8_t		 kex_node;	/* 0: no bootstrapping under way */
	enum zw_s2_kex_state kex_shown;	/* last state told to the master */
	/* Our Public Key Report, held while the user types the PIN: the
	 * node answers it at once with its KEX Set echo, which needs the
	 * temporary key, so it goes once the PIN is in (as zwave-js). */
	struct zw_s2_kex_out held;
	struct zw_prov	 prov[ZW_PROVISION_MAX];
	size_t		 nprov;
	int		 prov_newer;	/* zwave.provision of a newer format:
					 * left alone, the list in RAM only */
	struct ev_timer	 kex_timer;
	/* Why the bootstrapping was cancelled (zw_s2_boot_cancel), or NULL. */
	const char	*cancel_why;
	/* SmartStart (zw_smartstart.c): the stick listens; the attempt
	 * under way (its entry's DSK, the node it joined as); the last
	 * unlisted announcement logged; the master's licence word ("" or
	 * why SmartStart may not include now). */
	int		 listening;
	int		 ss_active;
	uint8_t		 ss_dsk[16];
	uint8_t		 ss_node;
	uint64_t	 ss_quiet, ss_quiet_busy;
	char		 ss_blocked[ZW_INCL_REASON_MAX + 1];
};

struct zw_secctl {
	const struct zw_sec_scheme *scheme;
	struct zw_s0	 s0;		/* the network key's */
	struct zw_s0	 s0_zero;	/* the all-zero key: inclusion only */
	uint8_t		 key[ZW_S0_KEY_LEN];
	struct zw_s2ctl	*s2;		/* NULL: no S2 keys */
};

struct zw_sectx {
	uint8_t		 cmd[ZW_S0_MAX_CMD];
	size_t		 n;
	enum zw_prio	 prio;
	zw_done_fn	*done;
	void		*arg;
	int		 zero_key;	/* Network Key Set */
	int		 resent;	/* S2: sent again after an SOS */
	size_t		 sent;		/* S0 split: bytes of its first half
					 * gone (0: none yet) */
	uint8_t		 seq;		/* ... their sequence counter */
};

struct zw_secnode {
	struct zw_sectx	 q[ZW_SEC_TXQ];
	size_t		 head, count;
	int		 busy;		/* a Nonce Get at the stick */
	int		 waiting;	/* q[head] awaits the node's nonce */
	int		 nonce_out;	/* our Nonce Report is queued */
	struct ev_timer	 nonce_timer;
	enum boot_step	 boot;
	int		 adopting;	/* ADOPT_S0 or ADOPT_S2 under way */
	int		 s2_trial;	/* ADOPT_S2: the class being tried */
	unsigned	 s2_answered;	/* ... the classes it answered under
					 * (ZW_S2_GRANT bits) */
	struct ev_timer	 boot_timer;
	uint8_t		 scc[ZW_MAX_NODE_CCS];
	size_t		 nscc;
	/* S2: the frame at the session (one at a time: each took the next
	 * nonce of the SPAN, so they must leave in that order), its
	 * caller's completion, and the frames sent since the node last
	 * showed it followed our SPAN (a frame of its own decrypted), sent
	 * again once each when it answers with a Nonce Report SOS (it lost
	 * the SPAN: that frame and every later one failed, and an SOS
	 * does not say which was first). */
	int		 s2_inflight;
	zw_done_fn	*s2_done;
	void		*s2_arg;
	struct zw_s2sent {
		uint8_t		 cmd[ZW_S2_MAX_CMD];
		size_t		 n;
		uint64_t	 at;	/* its callback; 0: at the stick */
		int		 resent;	/* never a second time */
	}		 s2_sent[ZW_S2_RESEND_MAX];
	size_t		 s2_nsent;
	/* After an SOS, nothing goes until the node's SOSes stop (each frame
	 * made on the lost SPAN brings one, with a new REI: only the last
	 * opens a SPAN), then the frames go again on that one. */
	struct ev_timer	 s2_settle;
	int		 s2_settling;
	uint64_t	 s2_settle_since;
	int		 s2_asked;	/* the head had its nonce round trip */
	int		 s2_nonce_out;	/* our Nonce Report is queued */
	int		 s2_reasked;	/* its secure classes asked again */
	/* S0 split commands: the node's first half awaiting its second,
	 * and the counter of our next split command. */
	struct zw_s0_split s0_split;
	uint8_t		 s0_seq;
};


/* zw_sec_key.c: read STATE_DIR/zwave.key, or make it; 0 or -1 (logged). */
int	zw_sec_key_load(const char *path, uint8_t key[ZW_S0_KEY_LEN]);

/* zw_sec.c */
int	zw_sec_node_id(const struct zw_node *);
/* The node's security state, made on first use (NULL: no memory). */
struct zw_secnode *zw_sec_node(struct zw_node *);

/* Pop the head of the node's queue; its caller gets `st` if `fail`. */
void	zw_sec_pop(struct zw_node *, int fail, enum zw_status,
	    const struct zw_frame *, const struct zw_frame *);
/* No exchange left with a sleeping node: it may sleep. */
void	zw_sec_idle(struct zw_node *);
void	zw_sec_on_nonce_timeout(struct ev_timer *);
/* A Nonce Get of S0 (s2 0) or S2 (1) is done: wait for the node's
 * nonce, or fail the head of the queue; the queue goes on. */
void	zw_sec_nonce_get_done(struct zw_node *, int s2, enum zw_status,
	    const struct zw_frame *, const struct zw_frame *);

/* zw_sec_s2.c */
int	zw_s2_start(struct zw_ctrl *);
void	zw_s2_stop(struct zw_ctrl *);
int	zw_s2_key_check(const char *state_dir);
int	zw_s2_send(struct zw_ctrl *, struct zw_node *);
/* Send what waits in the node's queue, one S2 frame at a time. */
void	zw_s2_kick(struct zw_node *);
void	zw_s2_on_settle(struct ev_timer *);
/* zw_sec_s2_resend.c: frames sent again after an SOS. */
struct zw_sectx;
void	zw_s2_sent_add(struct zw_secnode *, const struct zw_sectx *);
void	zw_s2_sent_done(struct zw_node *, enum zw_status,
	    const struct zw_frame *);
void	zw_s2_sent_confirmed(struct zw_secnode *);
void	zw_s2_sent_sos(struct zw_node *);
void	zw_s2_sent_clear(struct zw_node *);
int	zw_s2_filter(struct zw_ctrl *, struct zw_node *, const uint8_t *,
	    size_t);
void	zw_s2_node_reset(struct zw_node *);
/* The transport, with the stick's ids (known only once it answered). */
struct zw_s2 *zw_s2_transport(struct zw_ctrl *);

/* zw_sec_s2_boot.c: what the transport hands over. A KEX command from
 * the node being bootstrapped (`cls` it came under, -1 in clear); a
 * frame of it that did not decrypt; a decrypted Security 2 command; any
 * frame decrypted, after which the node's classes may be asked again. */
void	zw_s2_boot_input(struct zw_ctrl *, struct zw_node *, const uint8_t *,
	    size_t, int cls);
void	zw_s2_boot_undecryptable(struct zw_ctrl *, struct zw_node *);
void	zw_s2_secure_cmd(struct zw_ctrl *, struct zw_node *, const uint8_t *,
	    size_t, enum zw_s2_class);
void	zw_s2_classes_again(struct zw_ctrl *, struct zw_node *);
void	zw_s2_on_kex_timer(struct ev_timer *);

/* zw_sec_s2_adopt.c: the class tried did not answer (its timeout, or the
 * node's SOS): the next lower one; the node's classes came under it. */
void	zw_s2_adopt_next(struct zw_node *, const char *why);
/* 1: adopted under the class tried; 0: its list was empty (the class is
 * not its highest), a lower one is tried. */
int	zw_s2_adopted(struct zw_ctrl *, struct zw_node *);

/* zw_s2_prov.c: the provisioning list read at start; the PIN of the
 * listed DSK a node's public key matches (-1: none); an entry changed
 * (written, and the list sent to the master). */
void	zw_s2_prov_load(struct zw_ctrl *);
long	zw_s2_prov_pin(struct zw_ctrl *, uint8_t node, const uint8_t pub[16]);
void	zw_s2_prov_changed(struct zw_ctrl *);

/* zw_sec_s2_boot.c: end the bootstrapping under way, `why` told. */
void	zw_s2_boot_cancel(struct zw_ctrl *, const char *why);

/* zw_smartstart.c, for S2 and the list: is node's bootstrapping a
 * SmartStart one (1: *grant, KEX bits its entry records; 0: not; -1:
 * its entry was removed: cancel)? Its public key against the entry's
 * DSK (1: it is, *pin the PIN when pin != NULL; -1: another key).
 * Bootstrapping ended; an entry removed; the master's licence word. */
int	zw_ss_grant(struct zw_ctrl *, int node, unsigned *grant);
int	zw_ss_key_check(struct zw_ctrl *, int node, const uint8_t pub[16],
	    long *pin);
void	zw_ss_s2_ended(struct zw_ctrl *, int node, int ok, const char *why);
void	zw_ss_removed(struct zw_ctrl *, const uint8_t dsk[16]);
void	zw_ss_blocked(struct zw_ctrl *, const char *why);

/* zw_sec_boot.c: S0's key given through S2 (no S2 class): ask the
 * node's S0 classes under it, which grants it S0. */
int	zw_sec_s0_given(struct zw_node *);
/* zw_sec_boot.c: an S0 command of secure inclusion from the node. */
void	zw_sec_boot_input(struct zw_ctrl *, struct zw_node *, const uint8_t *,
	    size_t);
void	zw_sec_on_boot_timeout(struct ev_timer *);
/* The node's secure classes known (S0 or S2, zw_sec_s2_boot.c too). */
void	zw_sec_classes_known(struct zw_ctrl *, struct zw_node *);

#endif
