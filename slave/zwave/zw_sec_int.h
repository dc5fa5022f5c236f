/*
 * What zw_sec.c (nonces, sending, receiving), zw_sec_key.c (the key file)
 * and zw_sec_boot.c (secure inclusion) share; nothing else includes it.
 */
#ifndef HD_ZW_SEC_INT_H
#define HD_ZW_SEC_INT_H

#include <stddef.h>
#include <stdint.h>

#include "zwave/zw.h"
#include "zwave/zw_sec.h"

enum boot_step { BOOT_NONE, BOOT_SCHEME, BOOT_KEY, BOOT_CMDS };

struct zw_secctl {
	const struct zw_sec_scheme *scheme;
	struct zw_s0	 s0;		/* the network key's */
	struct zw_s0	 s0_zero;	/* the all-zero key: inclusion only */
	uint8_t		 key[ZW_S0_KEY_LEN];
};

struct zw_sectx {
	uint8_t		 cmd[ZW_S0_MAX_CMD];
	size_t		 n;
	enum zw_prio	 prio;
	zw_done_fn	*done;
	void		*arg;
	int		 zero_key;	/* Network Key Set */
};

struct zw_secnode {
	struct zw_sectx	 q[ZW_SEC_TXQ];
	size_t		 head, count;
	int		 busy;		/* a Nonce Get at the stick */
	int		 waiting;	/* q[head] awaits the node's nonce */
	int		 nonce_out;	/* our Nonce Report is queued */
	struct ev_timer	 nonce_timer;
	enum boot_step	 boot;
	int		 adopting;	/* zw_sec_adopt's one step */
	struct ev_timer	 boot_timer;
	uint8_t		 scc[ZW_MAX_NODE_CCS];
	size_t		 nscc;
};


/* zw_sec_key.c: read STATE_DIR/zwave.key, or make it; 0 or -1 (logged). */
int	zw_sec_key_load(const char *path, uint8_t key[ZW_S0_KEY_LEN]);

/* zw_sec.c */
int	zw_sec_node_id(const struct zw_node *);
/* The node's security state, made on first use (NULL: no memory). */
struct zw_secnode *zw_sec_node(struct zw_node *);

/* zw_sec_boot.c: an S0 command of secure inclusion from the node. */
void	zw_sec_boot_input(struct zw_ctrl *, struct zw_node *, const uint8_t *,
	    size_t);
void	zw_sec_on_boot_timeout(struct ev_timer *);

#endif
