/*
 * S2's per-peer state: which classes a node was granted, its SPAN (the
 * CTR_DRBG both ends step for singlecast nonces, or the entropy input
 * awaiting the other half), the sequence numbers already taken from it,
 * and the MPANs it gave us for its multicast groups.
 *
 * A fixed table of ZW_S2_PEERS: a node is in it from its grant until the
 * grant is withdrawn; nothing here allocates.
 */

#include <string.h>

#include <openssl/crypto.h>

#include "zwave/zw_s2.h"

void
zw_s2_init(struct zw_s2 *s, uint8_t own, uint32_t home_id,
    zw_s2_rand_fn *rand)
{
	memset(s, 0, sizeof(*s));
	s->own = own;
	s->home_id = home_id;
	s->rand = rand;
}

void
zw_s2_clear(struct zw_s2 *s)
{
	OPENSSL_cleanse(s, sizeof(*s));
}

int
zw_s2_set_key(struct zw_s2 *s, enum zw_s2_class c,
    const uint8_t pnk[ZW_S2_KEY_LEN])
{
	struct zw_s2_keys k;

	if (c >= ZW_S2_NCLASSES || zw_s2_net_expand(pnk, &k) == -1)
		return -1;
	zw_s2_set_keys(s, c, &k);
	OPENSSL_cleanse(&k, sizeof(k));
	return 0;
}

/* A new key for a class ends every SPAN made under its old one. */
void
zw_s2_set_keys(struct zw_s2 *s, enum zw_s2_class c,
    const struct zw_s2_keys *k)
{
	size_t i;

	s->keys[c] = *k;
	s->have |= ZW_S2_GRANT(c);
	for (i = 0; i < ZW_S2_PEERS; i++)
		if (s->peers[i].span_state == ZW_S2_SPAN_ESTABLISHED &&
		    s->peers[i].span_class == c)
			s->peers[i].span_state = ZW_S2_SPAN_NONE;
}

struct zw_s2_peer *
zw_s2_peer(struct zw_s2 *s, uint8_t node)
{
	size_t i;

	if (node == 0)
		return NULL;
	for (i = 0; i < ZW_S2_PEERS; i++)
		if (s->peers[i].node == node)
			return &s->peers[i];
	return NULL;
}

int
zw_s2_grant(struct zw_s2 *s, uint8_t node, unsigned granted)
{
	struct zw_s2_peer	*p;
	uint8_t			 seq;

	granted &= ZW_S2_GRANT(ZW_S2_NCLASSES) - 1;
	if ((p = zw_s2_peer(s, node)) == NULL) {
		if (granted == 0 || node == 0)
			return 0;
		if ((p = zw_s2_peer_free(s)) == NULL)
			return -1;
		/* Our first sequence number to it: any will do, a random
		 * one makes a restart unlikely to look like a repeat. */
		if (s->rand == NULL || s->rand(&seq, 1) == -1)
			seq = 0;
		memset(p, 0, sizeof(*p));
		p->node = node;
		p->seq_tx = seq;
	}
	if (granted == 0) {
		OPENSSL_cleanse(p, sizeof(*p));
		return 0;
	}
	if (p->granted != granted) {
		p->granted = granted;
		zw_s2_span_reset(p);
	}
	return 0;
}

struct zw_s2_peer *
zw_s2_peer_free(struct zw_s2 *s)
{
	size_t i;

	for (i = 0; i < ZW_S2_PEERS; i++)
		if (s->peers[i].node == 0)
			return &s->peers[i];
	return NULL;
}

void
zw_s2_span_reset(struct zw_s2_peer *p)
{
	zw_s2_drbg_clear(&p->span);
	OPENSSL_cleanse(p->ei, sizeof(p->ei));
	OPENSSL_cleanse(p->tx_nonce, sizeof(p->tx_nonce));
	p->tx_nonce_ok = 0;
	p->span_state = ZW_S2_SPAN_NONE;
}

int
zw_s2_highest(unsigned granted)
{
	int c;

	for (c = ZW_S2_ACCESS; c >= ZW_S2_UNAUTH; c--)
		if (granted & ZW_S2_GRANT(c))
			return c;
	if (granted & ZW_S2_GRANT(ZW_S2_TEMP))
		return ZW_S2_TEMP;
	return (granted & ZW_S2_GRANT(ZW_S2_S0KEY)) ? ZW_S2_S0KEY : -1;
}

int
zw_s2_seq_seen(const struct zw_s2_peer *p, uint8_t seq)
{
	size_t i;

	for (i = 0; i < p->nseq; i++)
		if (p->seq_rx[i] == seq)
			return 1;
	return 0;
}

/* The window keeps the latest ZW_S2_SEQ_WINDOW, oldest first. */
void
zw_s2_seq_take(struct zw_s2_peer *p, uint8_t seq)
{
	if (p->nseq == ZW_S2_SEQ_WINDOW) {
		memmove(p->seq_rx, p->seq_rx + 1, ZW_S2_SEQ_WINDOW - 1);
		p->nseq--;
	}
	p->seq_rx[p->nseq++] = seq;
}

struct zw_s2_mpan *
zw_s2_mpan_find(struct zw_s2_peer *p, uint8_t group, int create)
{
	struct zw_s2_mpan	*free = NULL;
	size_t			 i;

	for (i = 0; i < ZW_S2_PEER_MPANS; i++) {
		if (p->mpans[i].state != 0 && p->mpans[i].group == group)
			return &p->mpans[i];
		if (p->mpans[i].state == 0 && free == NULL)
			free = &p->mpans[i];
	}
	if (!create)
		return NULL;
	/* Full: the first group gives way (a peer has few). */
	if (free == NULL)
		free = &p->mpans[0];
	memset(free, 0, sizeof(*free));
	free->group = group;
	free->state = -1;
	return free;
}

void
zw_s2_mpan_step(uint8_t inner[ZW_S2_MPAN_LEN])
{
	int i;

	for (i = ZW_S2_MPAN_LEN - 1; i >= 0; i--)
		if (++inner[i] != 0)
			break;
}
