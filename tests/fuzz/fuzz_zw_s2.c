/*
 * libFuzzer harness for the S2 decoder (slave/zwave/zw_s2_encap.c): we are
 * node 1, the peer node 6, keys 0x11.. (Unauthenticated), 0x22..
 * (Authenticated), 0x33.. (Access Control), home id C0FFEE01. The input:
 *
 *   byte 0   the scene: 0 we handed out REI B0..BF (a SPAN extension
 *            makes the SPAN), 1 a SPAN made from SEI A0..AF and that REI
 *            under the highest class granted, 2 a multicast with the MPAN
 *            C0..CF known for group 5, 3 a Nonce Report then a send
 *   byte 1   the classes granted to node 6 (low four bits)
 *   rest     the frame from node 6
 *
 * tests/fuzz/mks2seeds.py writes seeds that decrypt (computed there with
 * Python's cryptography package, not with this code), so the fuzzer
 * starts past the tag check: extensions inside and out, lengths, sequence
 * numbers. A decoded command must fit what it came in, come under the
 * node's highest class, and the same frame must not be taken twice.
 */

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../slave/zwave/zw_s2.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static int
rand_fixed(uint8_t *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		b[i] = (uint8_t)(0xb0 + i);
	return 0;
}

/* The keys' expansion, once: copied into each run's state. */
static struct zw_s2	tmpl;

static void
tmpl_init(void)
{
	uint8_t	k[ZW_S2_KEY_LEN];
	int	c;

	zw_s2_init(&tmpl, 1, 0xc0ffee01u, rand_fixed);
	for (c = 0; c < ZW_S2_NETKEYS; c++) {
		memset(k, 0x11 * (c + 1), sizeof(k));
		if (zw_s2_set_key(&tmpl, (enum zw_s2_class)c, k) == -1)
			abort();
	}
}

/* Scene 1: the SPAN a frame with SEI A0..AF would have made. */
static void
span_made(struct zw_s2 *s, struct zw_s2_peer *p)
{
	uint8_t	sei[ZW_S2_EI_LEN];
	int	c, i;

	if ((c = zw_s2_highest(p->granted)) == -1 || !(s->have &
	    ZW_S2_GRANT(c)))
		return;
	for (i = 0; i < ZW_S2_EI_LEN; i++)
		sei[i] = (uint8_t)(0xa0 + i);
	if (zw_s2_span_seed(&p->span, sei, p->ei, s->keys[c].ps) == -1)
		abort();
	p->span_state = ZW_S2_SPAN_ESTABLISHED;
	p->span_class = (enum zw_s2_class)c;
}

static void
check_decoded(struct zw_s2 *s, enum zw_s2_result r, size_t n, size_t len,
    const struct zw_s2_rx *rx)
{
	struct zw_s2_peer *p = zw_s2_peer(s, 6);

	if (r != ZW_S2_OK)
		return;
	if (n > ZW_S2_MAX_CMD || n + ZW_S2_ENCAP_MIN > len || p == NULL ||
	    (int)rx->cls != zw_s2_highest(p->granted))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int		 init;
	static struct zw_s2	 s;
	struct zw_s2_peer	*p;
	struct zw_s2_mpan	*m;
	struct zw_s2_rx		 rx;
	uint8_t			 out[ZW_S2_MAX_CMD], rep[32];
	uint8_t			 f[ZW_S2_MAX_FRAME];
	size_t			 n = 0, rn, i;
	enum zw_s2_result	 r;

	if (!init) {
		tmpl_init();
		init = 1;
	}
	if (size < 2)
		return 0;
	s = tmpl;
	if (zw_s2_grant(&s, 6, data[1] & 0x0f) == -1)
		abort();
	/* Scenes 0 and 1 start from our REI out; 1 makes the SPAN. */
	if (zw_s2_nonce_report(&s, 6, 0, 0, rep, sizeof(rep), &rn) !=
	    ZW_S2_OK && (p = zw_s2_peer(&s, 6)) != NULL)
		abort();
	p = zw_s2_peer(&s, 6);
	switch (data[0] & 3) {
	case 0:
	case 1:
		if ((data[0] & 3) == 1 && p != NULL)
			span_made(&s, p);
		r = zw_s2_decap(&s, 6, data + 2, size - 2, 1, out,
		    sizeof(out), &n, &rx);
		check_decoded(&s, r, n, size - 2, &rx);
		if (r == ZW_S2_OK && zw_s2_decap(&s, 6, data + 2, size - 2, 1,
		    out, sizeof(out), &n, &rx) != ZW_S2_DUPLICATE)
			abort();	/* a replay must be refused */
		break;
	case 2:
		if (p != NULL && (m = zw_s2_mpan_find(p, 5, 1)) != NULL) {
			for (i = 0; i < ZW_S2_MPAN_LEN; i++)
				m->inner[i] = (uint8_t)(0xc0 + i);
			m->state = 1;
		}
		r = zw_s2_decap_multicast(&s, 6, data + 2, size - 2, out,
		    sizeof(out), &n, &rx);
		check_decoded(&s, r, n, size - 2, &rx);
		break;
	default:
		r = zw_s2_on_nonce_report(&s, 6, data + 2, size - 2);
		if (r == ZW_S2_OK && zw_s2_encap(&s, 6, data + 2,
		    size - 2 > ZW_S2_MAX_CMD ? ZW_S2_MAX_CMD : size - 2, 1, f,
		    sizeof(f), &n) == ZW_S2_OK && n > sizeof(f))
			abort();
		break;
	}
	(void)zw_s2_result_str(r);
	zw_s2_clear(&s);
	return 0;
}
