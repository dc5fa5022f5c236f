/*
 * Simulated ADS1x15: the register map in memory. Writing a config word
 * with the OS bit "converts" at once: the input's voltage is taken from
 * the channel's scripted values (adc-channel ... sim "v1,v2,...", cycled)
 * or from a random walk, and encoded as the chip would for the gain. So
 * adc.c runs the same path as with a real chip.
 */

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net.h"
#include "slave.h"

struct adc_sim {
	enum adc_type	 type;
	uint16_t	 config, conv;
	double		 walk[ADS_NMUX];
	const double	*script[ADS_NMUX];
	int		 nscript[ADS_NMUX], pos[ADS_NMUX];
};

static double
next_volts(struct adc_sim *as, int mux)
{
	uint32_t r = 0;

	if (as->nscript[mux] > 0)
		return as->script[mux][as->pos[mux]++ % as->nscript[mux]];
	net_random(&r, sizeof(r));
	as->walk[mux] += ((double)(r % 201) - 100) / 10000;	/* +-10 mV */
	if (as->walk[mux] < 0.2 || as->walk[mux] > 3.0)
		as->walk[mux] = 1.5;
	return as->walk[mux];
}

static uint16_t
encode(enum adc_type t, int pga, double v)
{
	double	full = t == ADC_ADS1015 ? 2048 : 32768;
	double	code = round(v / ads_pga_fsr(pga) * full);

	if (code > full - 1)
		code = full - 1;
	if (code < -full)
		code = -full;
	return (uint16_t)(int16_t)(t == ADC_ADS1015 ? code * 16 : code);
}

static int
sim_write_reg(void *h, uint8_t reg, uint16_t val)
{
	struct adc_sim	*as = h;
	int		 mux, pga, sps;

	if (reg != ADS_REG_CONFIG)
		return 0;
	as->config = val;
	if (val & 0x8000) {
		ads_config_decode(as->type, val, &mux, &pga, &sps);
		as->conv = encode(as->type, pga, next_volts(as, mux));
	}
	return 0;
}

static int
sim_read_reg(void *h, uint8_t reg, uint16_t *val)
{
	struct adc_sim *as = h;

	*val = reg == ADS_REG_CONV ? as->conv : (uint16_t)(as->config | 0x8000);
	return 0;
}

static void
sim_close(void *h)
{
	free(h);
}

static void *
sim_open(const struct hwconf *hw, int chip, char *err, size_t errlen)
{
	struct adc_sim	*as;
	int		 i, m;

	if ((as = calloc(1, sizeof(*as))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	as->type = hw->adc_chips[chip].type;
	as->config = 0x8583;		/* power-on value */
	for (m = 0; m < ADS_NMUX; m++)
		as->walk[m] = m >= ADS_MUX_SINGLE_0 ? 0.5 + 0.5 *
		    (m - ADS_MUX_SINGLE_0) : 0.1;
	for (i = 0; i < hw->nadc_chans; i++)
		if (hw->adc_chans[i].chip == chip && hw->adc_chans[i].nsim) {
			m = hw->adc_chans[i].mux;
			as->script[m] = hw->adc_chans[i].sim;
			as->nscript[m] = hw->adc_chans[i].nsim;
		}
	return as;
}

const struct adc_backend adc_sim_backend = {
	.name = "simulated",
	.open = sim_open,
	.write_reg = sim_write_reg,
	.read_reg = sim_read_reg,
	.close = sim_close,
};
