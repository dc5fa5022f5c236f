/*
 * libFuzzer harness for S0 decapsulation (slave/zwave/zw_s0.c): the input is a
 * source node id, then a Security frame as that node would send it. The
 * harness first hands the node a nonce whose id is the one the frame
 * names, its bytes id, id+1, ... id+7 (so the seeds, made with those
 * nonces and the key below, reach the MAC check, decryption and the
 * sequence byte). A decapsulated command must fit what it came in, the
 * nonce must be used up, and the same frame must not be taken twice.
 * What decapsulates goes through one split state kept across inputs
 * (zw_s0_join), so a sequenced seed followed by another joins or is
 * refused: a joined command is at most ZW_S0_MAX_CMD, and a first half
 * never comes out as a command.
 */

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../slave/zwave/zw_sec.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static uint8_t	want_id;

static int
rand_named(uint8_t *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		b[i] = (uint8_t)(want_id + i);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t key[ZW_S0_KEY_LEN] = { 0x00, 0x01, 0x02, 0x03,
	    0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e,
	    0x0f };
	static struct zw_s0	s;
	static struct zw_s0_split sp;
	static uint64_t		t;
	static int		init;
	uint8_t			nonce[ZW_S0_HALF_NONCE], out[ZW_S0_MAX_CMD];
	uint8_t			whole[ZW_S0_MAX_CMD], seq = 0;
	size_t			n = 0, wn = 0;
	enum zw_sec_result	r, j;

	if (!init) {
		if (zw_s0_init(&s, key) == -1)
			abort();
		init = 1;
	}
	if (size < 1)
		return 0;
	want_id = size >= 10 ? data[size - 9] : 0;
	if (zw_s0_nonce_new(&s, data[0] == 0 ? 1 : data[0], 0, nonce,
	    rand_named) == -1)
		abort();
	r = zw_s0_decap_seq(&s, data[0], 6, data + 1, size - 1, 1, out,
	    sizeof(out), &n, &seq);
	if (r == ZW_SEC_OK && (n < 1 || n > ZW_S0_MAX_CMD ||
	    n + ZW_S0_OVERHEAD != size - 1))
		abort();
	if (r == ZW_SEC_OK) {
		j = zw_s0_join(&sp, seq, out, n, t++, whole, sizeof(whole),
		    &wn);
		if (j == ZW_SEC_OK && (wn < 1 || wn > ZW_S0_MAX_CMD))
			abort();
		if (j == ZW_SEC_PARTIAL && !(seq & ZW_S0_SEQ_SEQUENCED))
			abort();	/* a whole command is never kept */
		if (sp.n > ZW_S0_MAX_CMD)
			abort();
	}
	if (r == ZW_SEC_OK && zw_s0_decap_seq(&s, data[0], 6, data + 1,
	    size - 1, 2, out, sizeof(out), &n, &seq) != ZW_SEC_NO_NONCE)
		abort();		/* a replay must be refused */
	if (zw_s0_nonce_count(&s, ZW_S0_NONCE_TTL_MS + 2) != 0)
		abort();		/* everything expired */
	(void)zw_sec_result_str(r);
	return 0;
}
