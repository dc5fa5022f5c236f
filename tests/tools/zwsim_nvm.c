/*
 * hd-zwsim's NVM (zwsim.h): the stick's memory as a byte image built from
 * its node list, read and written through the Serial API's NVM
 * operations as a real stick does:
 *
 *	500 series (default): function 0x2E, 16-bit addresses, 16 KiB
 *	700 series (-7): function 0x3D, 32-bit addresses, 72 KiB (past
 *		64 KiB, so the upper address bytes matter)
 *
 * Both: open answers the size, read and write answer the address and the
 * bytes, the last read says end of file, and a sub-command while the NVM
 * is not open answers "operation mismatch". The image holds, per node id,
 * what the protocol keeps (listed, device classes, command classes,
 * listening or not); the rest is a filler that depends on the address.
 * Closing after writes rebuilds the node list from the image (a restore);
 * each open reads the network as it is then.
 */

#include <stdio.h>
#include <string.h>

#include "../../slave/zwave/zw.h"
#include "zwsim.h"

#define NVM500_SIZE	0x4000
#define NVM700_SIZE	0x12000
#define REC		16		/* bytes per node id */
#define REC_AT		64		/* node 1's record */

static uint8_t	nvm[NVM700_SIZE];
static int	is_open, written;

static size_t
size(void)
{
	return zwsim_sdk7 ? NVM700_SIZE : NVM500_SIZE;
}

/* The image of the network as it is now. */
static void
build(void)
{
	const struct simnode	*n;
	size_t			 i, k;
	uint8_t			*r;

	for (i = 0; i < size(); i++)
		nvm[i] = (uint8_t)(i * 7 + (i >> 8));
	memcpy(nvm, zwsim_sdk7 ? "ZWS7" : "ZWS5", 4);
	nvm[4] = ZWSIM_HOME_ID >> 24;
	nvm[5] = ZWSIM_HOME_ID >> 16 & 0xff;
	nvm[6] = ZWSIM_HOME_ID >> 8 & 0xff;
	nvm[7] = ZWSIM_HOME_ID & 0xff;
	for (i = 1; i <= ZW_MAX_NODES; i++)
		memset(nvm + REC_AT + (i - 1) * REC, 0, REC);
	for (i = 0; i < zwsim_nnodes; i++) {
		n = &zwsim_nodes[i];
		r = nvm + REC_AT + (n->id - 1) * REC;
		r[0] = 1;
		r[1] = n->generic;
		r[2] = n->specific;
		r[3] = n->sleepy;
		for (k = 0; k < MAX_CCS; k++)
			r[4 + k] = n->cc[k];
	}
}

/* A restore: the node list as the image says. A node back in the list
 * is a new simulated node of its classes (its runtime state fresh). */
static void
apply(void)
{
	struct simnode	 s;
	const uint8_t	*r;
	size_t		 i, k;
	int		 id;

	for (i = 0; i < zwsim_nnodes;)
		if (nvm[REC_AT + (zwsim_nodes[i].id - 1) * REC] == 0) {
			fprintf(stderr, "zwsim: nvm: node %d gone\n",
			    zwsim_nodes[i].id);
			zwsim_nodes[i] = zwsim_nodes[--zwsim_nnodes];
		} else
			i++;
	for (id = 2; id <= ZW_MAX_NODES; id++) {
		r = nvm + REC_AT + (id - 1) * REC;
		if (r[0] == 0 || zwsim_find((uint8_t)id) != NULL ||
		    zwsim_nnodes == MAX_SIMNODES)
			continue;
		memset(&s, 0, sizeof(s));
		s.id = (uint8_t)id;
		s.generic = r[1];
		s.specific = r[2];
		s.sleepy = r[3];
		for (k = 0; k < MAX_CCS; k++)
			s.cc[k] = r[4 + k];
		zwsim_nodes[zwsim_nnodes++] = s;
		fprintf(stderr, "zwsim: nvm: node %d back\n", id);
	}
}

static void
answer(uint8_t func, uint8_t status, uint32_t addr, const uint8_t *d,
    size_t n)
{
	uint8_t	pl[ZW_MAX_PAYLOAD];
	size_t	i = 0;

	pl[i++] = status;
	pl[i++] = (uint8_t)n;
	if (func == ZWSIM_NVM_EXT) {
		pl[i++] = (uint8_t)(addr >> 24);
		pl[i++] = (uint8_t)(addr >> 16);
	}
	pl[i++] = (uint8_t)(addr >> 8);
	pl[i++] = (uint8_t)addr;
	if (n > 0)
		memcpy(pl + i, d, n);
	zwsim_answer(func, pl, i + n);
}

int
zwsim_nvm_request(const struct zw_frame *f)
{
	size_t		alen = f->func == ZWSIM_NVM_EXT ? 4 : 2, len, k;
	uint32_t	addr = 0;
	uint8_t		st = 0;

	if (f->func != (zwsim_sdk7 ? ZWSIM_NVM_EXT : ZWSIM_NVM_OPS) ||
	    f->len < 1)
		return 0;
	if (f->payload[0] == 0x00) {			/* open */
		build();
		is_open = 1;
		written = 0;
		fprintf(stderr, "zwsim: nvm open, %zu bytes\n", size());
		answer(f->func, 0, (uint32_t)size(), NULL, 0);
		return 1;
	}
	if (f->payload[0] == 0x03) {			/* close */
		if (is_open && written)
			apply();
		fprintf(stderr, "zwsim: nvm close%s\n", written ? " (written)"
		    : "");
		answer(f->func, is_open ? 0 : 0x02, 0, NULL, 0);
		is_open = written = 0;
		return 1;
	}
	if (f->len < 2 + alen)
		return 1;		/* malformed: no answer */
	len = f->payload[1];
	for (k = 0; k < alen; k++)
		addr = addr << 8 | f->payload[2 + k];
	if (!is_open) {
		answer(f->func, 0x02, addr, NULL, 0);	/* mismatch */
		return 1;
	}
	if (addr > size())
		addr = (uint32_t)size();
	if (len > size() - addr)
		len = size() - addr;
	if (addr + len >= size())
		st = 0xff;				/* end of file */
	if (f->payload[0] == 0x01) {			/* read */
		answer(f->func, st, addr, nvm + addr, len);
	} else if (f->payload[0] == 0x02) {		/* write */
		if (f->len - 2 - alen < len)
			len = f->len - 2 - alen;
		memcpy(nvm + addr, f->payload + 2 + alen, len);
		written = 1;
		answer(f->func, st, addr, NULL, 0);
	} else
		answer(f->func, 0x04, addr, NULL, 0);	/* not supported */
	return 1;
}

/* The function bitmask bits for GetCapabilities. */
void
zwsim_nvm_caps(uint8_t mask[32])
{
	uint8_t f = zwsim_sdk7 ? ZWSIM_NVM_EXT : ZWSIM_NVM_OPS;

	mask[(f - 1) / 8] |= (uint8_t)(1u << ((f - 1) % 8));
}
