/*
 * TI ADS1115 (16 bit) and ADS1015 (12 bit) register encoding, from the
 * data sheets (SBAS444, SBAS473). No I/O here: adc.c writes what this
 * builds and decodes what it reads, so the bit layout is tested alone.
 *
 * Config register (pointer 1), big-endian on the wire:
 *	15	OS	write 1: start a single conversion;
 *			read 0: converting, 1: idle (result ready)
 *	14:12	MUX	000 AIN0-AIN1 ... 011 AIN2-AIN3, 100 AIN0-GND ... 111 AIN3
 *	11:9	PGA	full-scale range, 000 = 6.144 V ... 101 = 0.256 V
 *	8	MODE	1: single-shot (power down after each conversion)
 *	7:5	DR	data rate, chip-specific table
 *	4:0	COMP	comparator; 00011 disables it (ALERT/RDY high-Z)
 * Conversion register (pointer 0): two's complement, the ADS1015's 12
 * bits left-justified.
 */

#include <string.h>

#include "slave.h"

#define CFG_OS		0x8000
#define CFG_MUX_SHIFT	12
#define CFG_PGA_SHIFT	9
#define CFG_MODE_SINGLE	0x0100
#define CFG_DR_SHIFT	5
#define CFG_COMP_OFF	0x0003

static const char *const mux_names[ADS_NMUX] = {
	"a0-a1", "a0-a3", "a1-a3", "a2-a3", "a0", "a1", "a2", "a3"
};
static const double pga_fsr[ADS_NPGA] = {
	6.144, 4.096, 2.048, 1.024, 0.512, 0.256
};
static const int rates_1115[8] = { 8, 16, 32, 64, 128, 250, 475, 860 };
static const int rates_1015[8] = { 128, 250, 490, 920, 1600, 2400, 3300,
	3300 };

int
ads_mux_parse(const char *s)
{
	int i;

	for (i = 0; i < ADS_NMUX; i++)
		if (strcmp(s, mux_names[i]) == 0)
			return i;
	return -1;
}

const char *
ads_mux_name(int mux)
{
	return mux >= 0 && mux < ADS_NMUX ? mux_names[mux] : "?";
}

/* The PGA code for a full-scale range given in volts, or -1. */
int
ads_pga_parse(double fsr)
{
	int i;

	for (i = 0; i < ADS_NPGA; i++)
		if (fsr > pga_fsr[i] - 0.0005 && fsr < pga_fsr[i] + 0.0005)
			return i;
	return -1;
}

double
ads_pga_fsr(int pga)
{
	return pga >= 0 && pga < ADS_NPGA ? pga_fsr[pga] : pga_fsr[2];
}

static const int *
rates(enum adc_type t)
{
	return t == ADC_ADS1015 ? rates_1015 : rates_1115;
}

int
ads_rate_code(enum adc_type t, int sps)
{
	int i;

	for (i = 0; i < 8; i++)
		if (rates(t)[i] == sps)
			return i;
	return -1;
}

const char *
ads_rates(enum adc_type t)
{
	return t == ADC_ADS1015 ? "128 250 490 920 1600 2400 3300" :
	    "8 16 32 64 128 250 475 860";
}

/* Config word that starts one single-shot conversion. */
uint16_t
ads_config(enum adc_type t, int mux, int pga, int sps)
{
	int dr = ads_rate_code(t, sps);

	if (dr == -1)
		dr = 4;		/* power-on default; config.c refuses others */
	return (uint16_t)(CFG_OS | (mux & 7) << CFG_MUX_SHIFT |
	    (pga & 7) << CFG_PGA_SHIFT | CFG_MODE_SINGLE |
	    dr << CFG_DR_SHIFT | CFG_COMP_OFF);
}

int
ads_config_ready(uint16_t config)
{
	return (config & CFG_OS) != 0;
}

/* Decode a config word (for the emulator and tests); -1 if not ours. */
int
ads_config_decode(enum adc_type t, uint16_t c, int *mux, int *pga, int *sps)
{
	*mux = c >> CFG_MUX_SHIFT & 7;
	*pga = c >> CFG_PGA_SHIFT & 7;
	if (*pga >= ADS_NPGA)
		*pga = ADS_NPGA - 1;	/* 110 and 111 are 0.256 V too */
	*sps = rates(t)[c >> CFG_DR_SHIFT & 7];
	return (c & CFG_MODE_SINGLE) != 0 && (c & 0x1f) == CFG_COMP_OFF ?
	    0 : -1;
}

/*
 * How long to wait after starting a conversion: one period of the data
 * rate, plus the internal oscillator's 10% tolerance, plus a millisecond
 * for wake-up and timer granularity. The OS bit is checked before the
 * result is read anyway.
 */
unsigned
ads_conv_ms(int sps)
{
	if (sps <= 0)
		sps = 8;
	return (unsigned)((1100 + sps - 1) / sps) + 1;
}

double
ads_volts(enum adc_type t, int pga, uint16_t conv)
{
	int16_t code = (int16_t)conv;

	if (t == ADC_ADS1015)
		return (double)(code / 16) * ads_pga_fsr(pga) / 2048.0;
	return (double)code * ads_pga_fsr(pga) / 32768.0;
}
